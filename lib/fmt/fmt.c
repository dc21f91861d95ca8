/*
 * fmt.c - the formatter behind printk and the user library's printf.
 */
#include "fmt.h"

#include <stdint.h>

struct spec {
	int left, zero, alt, plus, space;
	int width, prec;
	int len; /* 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size */
};

struct sink {
	fmt_out_fn out;
	void *arg;
	int n;
};

static void
put(struct sink *s, char c)
{
	s->out(c, s->arg);
	s->n++;
}

static void
pad(struct sink *s, char c, int n)
{
	while (n-- > 0)
		put(s, c);
}

#define FMT_MAX_WIDTH 4096 /* larger widths and precisions are cut */

/* Digits at f, if any, into *out (capped, no overflow). */
static const char *
parse_num(const char *f, int *out)
{
	if (*f < '0' || *f > '9')
		return f;
	long v = 0;
	while (*f >= '0' && *f <= '9') {
		if (v <= FMT_MAX_WIDTH)
			v = v * 10 + (*f - '0');
		f++;
	}
	*out = v > FMT_MAX_WIDTH ? FMT_MAX_WIDTH : (int)v;
	return f;
}

static const char *
parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){.prec = -1};
	for (;; f++) {
		if (*f == '-') sp->left = 1;
		else if (*f == '0') sp->zero = 1;
		else if (*f == '#') sp->alt = 1;
		else if (*f == '+') sp->plus = 1;
		else if (*f == ' ') sp->space = 1;
		else break;
	}
	if (*f == '*') {
		long w = va_arg(*ap, int);
		if (w < 0) {
			sp->left = 1;
			w = -w;
		}
		sp->width = w > FMT_MAX_WIDTH ? FMT_MAX_WIDTH : (int)w;
		f++;
	}
	f = parse_num(f, &sp->width);
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			int p = va_arg(*ap, int);
			sp->prec = p > FMT_MAX_WIDTH ? FMT_MAX_WIDTH : p;
			f++;
		}
		f = parse_num(f, &sp->prec);
	}
	for (;; f++) {
		if (*f == 'l') sp->len = sp->len == 1 ? 2 : 1;
		else if (*f == 'h') sp->len = sp->len == -1 ? -2 : -1;
		else if (*f == 'z' || *f == 't') sp->len = 3;
		else break;
	}
	return f;
}

static void
emit_str(struct sink *s, const struct spec *sp, const char *str)
{
	int n = 0;
	if (!str)
		str = "(null)";
	while ((sp->prec < 0 || n < sp->prec) && str[n])
		n++;
	if (!sp->left)
		pad(s, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		put(s, str[i]);
	if (sp->left)
		pad(s, ' ', sp->width - n);
}

static void
emit_num(struct sink *s, const struct spec *sp, uint64_t v, int neg,
	 unsigned base, int upper)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24], prefix[3] = {0};
	int n = 0, np = 0;

	while (v) {
		tmp[n++] = dig[v % base];
		v /= base;
	}
	int digits = n, prec = sp->prec < 0 ? 1 : sp->prec;
	if (neg) prefix[np++] = '-';
	else if (sp->plus) prefix[np++] = '+';
	else if (sp->space) prefix[np++] = ' ';
	if (sp->alt && base == 16 && digits) {
		prefix[np++] = '0';
		prefix[np++] = upper ? 'X' : 'x';
	}
	if (sp->alt && base == 8 && digits >= prec)
		prec = digits + 1;
	int zeros = prec > digits ? prec - digits : 0;
	int total = np + zeros + digits;
	if (!sp->left && !(sp->zero && sp->prec < 0))
		pad(s, ' ', sp->width - total);
	for (int i = 0; i < np; i++)
		put(s, prefix[i]);
	if (!sp->left && sp->zero && sp->prec < 0)
		pad(s, '0', sp->width - total);
	pad(s, '0', zeros);
	while (n)
		put(s, tmp[--n]);
	if (sp->left)
		pad(s, ' ', sp->width - total);
}

static int64_t
signed_arg(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 1: return va_arg(*ap, long);
	case 2: return va_arg(*ap, long long);
	case 3: return va_arg(*ap, ptrdiff_t);
	case -1: return (short)va_arg(*ap, int);
	case -2: return (signed char)va_arg(*ap, int);
	default: return va_arg(*ap, int);
	}
}

static uint64_t
unsigned_arg(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 1: return va_arg(*ap, unsigned long);
	case 2: return va_arg(*ap, unsigned long long);
	case 3: return va_arg(*ap, size_t);
	case -1: return (unsigned short)va_arg(*ap, unsigned);
	case -2: return (unsigned char)va_arg(*ap, unsigned);
	default: return va_arg(*ap, unsigned);
	}
}

int
fmt_vformat(fmt_out_fn out, void *arg, const char *f, va_list ap0)
{
	struct sink s = {out, arg, 0};
	struct spec sp;
	va_list ap;

	va_copy(ap, ap0);
	for (; *f; f++) {
		if (*f != '%') {
			put(&s, *f);
			continue;
		}
		f = parse_spec(f + 1, &sp, &ap);
		if (*f != 'd' && *f != 'i')
			sp.plus = sp.space = 0; /* sign flags: signed only */
		switch (*f) {
		case '%': put(&s, '%'); break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!sp.left) pad(&s, ' ', sp.width - 1);
			put(&s, c);
			if (sp.left) pad(&s, ' ', sp.width - 1);
			break;
		}
		case 's': emit_str(&s, &sp, va_arg(ap, const char *)); break;
		case 'd':
		case 'i': {
			int64_t v = signed_arg(&sp, &ap);
			uint64_t m = v < 0 ? -(uint64_t)v : (uint64_t)v;
			emit_num(&s, &sp, m, v < 0, 10, 0);
			break;
		}
		case 'u': emit_num(&s, &sp, unsigned_arg(&sp, &ap), 0, 10, 0); break;
		case 'x': emit_num(&s, &sp, unsigned_arg(&sp, &ap), 0, 16, 0); break;
		case 'X': emit_num(&s, &sp, unsigned_arg(&sp, &ap), 0, 16, 1); break;
		case 'o': emit_num(&s, &sp, unsigned_arg(&sp, &ap), 0, 8, 0); break;
		case 'p':
			sp.alt = 1;
			emit_num(&s, &sp, (uintptr_t)va_arg(ap, void *), 0, 16, 0);
			break;
		case '\0':
			f--;
			break;
		default:
			put(&s, '%');
			put(&s, *f);
		}
	}
	va_end(ap);
	return s.n;
}

struct bufsink {
	char *buf;
	size_t size, pos;
};

static void
buf_out(char c, void *arg)
{
	struct bufsink *b = arg;
	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

int
fmt_vsnprintf(char *buf, size_t size, const char *f, va_list ap)
{
	struct bufsink b = {buf, size, 0};
	int n = fmt_vformat(buf_out, &b, f, ap);
	if (size)
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	return n;
}

int
fmt_snprintf(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = fmt_vsnprintf(buf, size, f, ap);
	va_end(ap);
	return n;
}
