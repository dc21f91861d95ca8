/*
 * sys.c - system calls that need more than ux_sys, debug output, printf.
 */
#include "uxrt.h"
#include "fmt/fmt.h"

long
ux_yield(void)
{
	struct ux_msg m = {0};
	return ux_sys(UX_SYS_YIELD, 0, 0, &m);
}

long
ux_signal(uint64_t ntfn)
{
	struct ux_msg m = {0};
	return ux_sys(UX_SYS_SIGNAL, ntfn, 0, &m);
}

static long
ntfn_op(long no, uint64_t ntfn, uint64_t *badge)
{
	struct ux_msg m = {0};
	long e = ux_sys(no, ntfn, 0, &m);
	if (badge)
		*badge = m.badge;
	return e;
}

long
ux_wait(uint64_t ntfn, uint64_t *badge)
{
	return ntfn_op(UX_SYS_WAIT, ntfn, badge);
}

long
ux_poll(uint64_t ntfn, uint64_t *badge)
{
	return ntfn_op(UX_SYS_POLL, ntfn, badge);
}

void
ux_debug_write(const char *s, size_t n)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	while (n) {
		size_t k = n < sizeof b->mr ? n : sizeof b->mr;
		memcpy(b->mr, s, k);
		struct ux_msg m = {.info = k};
		ux_sys(UX_SYS_DEBUG_PUTS, 0, 0, &m);
		s += k;
		n -= k;
	}
}

struct pbuf {
	char b[256];
	size_t n;
};

static void
pb_out(char c, void *arg)
{
	struct pbuf *p = arg;
	p->b[p->n++] = c;
	if (p->n == sizeof p->b || c == '\n') {
		ux_debug_write(p->b, p->n);
		p->n = 0;
	}
}

int
vprintf(const char *fmt, va_list ap)
{
	struct pbuf p = {.n = 0};
	int n = fmt_vformat(pb_out, &p, fmt, ap);
	if (p.n)
		ux_debug_write(p.b, p.n);
	return n;
}

int
printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int
snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

const char *
ux_strerror(long e)
{
	static const char *const s[] = {
		"ok", "invalid argument", "invalid capability",
		"illegal operation", "range error", "alignment error",
		"failed lookup", "truncated message", "delete first",
		"revoke first", "not enough memory", "cancelled", "fault",
		"would block", "no rights"};
	return e >= 0 && e < UX_E_COUNT ? s[e] : "unknown error";
}
