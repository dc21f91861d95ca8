/*
 * console - the serial console as a file server (an ordinary process).
 *
 * Its only hardware rights are the COM1 I/O ports and IRQ 4 (srvenv.h).
 * It serves the file protocol (uxrt/file.h): FILE_WRITE sends the bytes to
 * the UART (a newline becomes CR LF, as a tty's ONLCR does); FILE_READ
 * returns one line in canonical mode, with echo, erase (DEL or ^H), kill
 * (^U) and end of file (^D). A read that must wait keeps its reply object
 * and the server moves on to the next one (SRV_NREPLY of them), so other
 * clients are served meanwhile. Input arrives by interrupt: the IRQ's
 * notification is bound to our TCB, so it wakes the same Recv.
 *
 * Not yet: termios ioctls (raw mode), ^C/^Z as signals, the foreground
 * process group; they come with signals and ioctl forwarding.
 */
#include <uxrt.h>
#include <srvenv.h>

#define COM1 0x3F8
#define LINE_MAX 1024
#define LX_EINVAL 22
#define LX_ESPIPE 29
#define LX_EIO 5

static uint8_t msgbuf[UX_MSG_LONG_MAX];
static char line[LINE_MAX];
static size_t line_len;
static bool line_done;    /* a full line (or EOF) waits for a reader */
static unsigned cur = 0;  /* reply object used by the next Recv */
static int waiting = -1;  /* reply object of the blocked reader, or -1 */
static uint64_t waiting_max;

static uint64_t
in8(unsigned port)
{
	uint64_t v = 0;
	ux_ioport_in(SRV_DEV0, 1, port, &v);
	return v;
}

static void
out8(unsigned port, uint8_t v)
{
	ux_ioport_out(SRV_DEV0, 1, port, v);
}

static void
putc_raw(char c)
{
	for (int i = 0; i < 10000 && !(in8(COM1 + 5) & 0x20); i++)
		;
	out8(COM1, (uint8_t)c);
}

static void
put(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			putc_raw('\r');
		putc_raw(s[i]);
	}
}

static void
uart_init(void)
{
	out8(COM1 + 1, 0x00);
	out8(COM1 + 3, 0x80);
	out8(COM1 + 0, 0x01); /* 115200 baud */
	out8(COM1 + 1, 0x00);
	out8(COM1 + 3, 0x03);
	out8(COM1 + 2, 0xC7);
	out8(COM1 + 4, 0x0B); /* DTR, RTS, OUT2 (routes the interrupt) */
	out8(COM1 + 1, 0x01); /* interrupt when a byte arrives */
}

/* Reply to reader reply object r with what the line holds (at most max). */
static void
give_line(uint64_t reply, uint64_t max)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct ux_msg m = {0};
	size_t n = line_len < max ? line_len : max;
	memcpy(msgbuf, line, n);
	memmove(line, line + n, line_len - n);
	line_len -= n;
	if (!line_len)
		line_done = false;
	b->send_buf = (uint64_t)msgbuf;
	b->send_len = n;
	m.info = ux_msginfo(0, 1, 0, UX_MI_LONG);
	m.mr[0] = n;
	ux_reply(reply, &m);
}

/* Canonical-mode input processing of one received byte. */
static void
input(char c)
{
	if (line_done)
		return; /* a line waits to be read: hold further input */
	if (c == '\r')
		c = '\n';
	if (c == 0x7F || c == 0x08) {
		if (line_len) {
			line_len--;
			put("\b \b", 3);
		}
		return;
	}
	if (c == 0x15) { /* ^U: erase the line */
		while (line_len--)
			put("\b \b", 3);
		line_len = 0;
		return;
	}
	if (c == 0x04) { /* ^D: end of file, or push the partial line */
		line_done = true;
		return;
	}
	if (line_len < LINE_MAX - 1 || c == '\n') {
		line[line_len++] = c;
		put(&c, 1);
	}
	if (c == '\n')
		line_done = true;
}

static void
interrupt(void)
{
	while (in8(COM1 + 5) & 1)
		input((char)in8(COM1));
	ux_irq_ack(SRV_DEV1);
	if (line_done && waiting >= 0) {
		give_line(SRV_REPLY + (unsigned)waiting, waiting_max);
		waiting = -1;
	}
}

/* Handle one request; true if it was answered in m (else deferred). */
static bool
request(struct ux_msg *m)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	uint64_t op = ux_mi_label(m->info), count = m->mr[1];
	int64_t r;

	switch (op) {
	case UX_FILE_WRITE:
		r = (m->info & UX_MI_LONG) ? (int64_t)b->long_xfer : 0;
		put((const char *)msgbuf, (size_t)r);
		break;
	case UX_FILE_READ:
		if (line_done) {
			give_line(SRV_REPLY + cur, count);
			return false; /* answered by give_line */
		}
		if (waiting >= 0) {
			r = -LX_EIO; /* one reader at a time, for now */
			break;
		}
		waiting = (int)cur;
		waiting_max = count;
		cur = (cur + 1) % SRV_NREPLY;
		return false;
	case UX_FILE_SEEK:
		r = -LX_ESPIPE;
		break;
	default:
		r = -LX_EINVAL;
	}
	m->info = ux_msginfo(0, 1, 0, 0);
	m->mr[0] = (uint64_t)r;
	return true;
}

int main(void);

int
main(void)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct ux_msg m = {0};

	uart_init();
	ux_irq_set_ntfn(SRV_DEV1, SRV_NTFN);
	ux_tcb_bind(SRV_TCB, SRV_NTFN);
	b->recv_buf = (uint64_t)msgbuf;
	b->recv_len = sizeof msgbuf;
	ux_recv(SRV_ENDPOINT, SRV_REPLY + cur, &m);
	for (;;) {
		if (m.info == 0 && m.badge) { /* the interrupt notification */
			interrupt();
		} else if (request(&m)) {
			ux_reply_recv(SRV_ENDPOINT, SRV_REPLY + cur, &m);
			continue;
		}
		b->recv_buf = (uint64_t)msgbuf;
		b->recv_len = sizeof msgbuf;
		m = (struct ux_msg){0};
		ux_recv(SRV_ENDPOINT, SRV_REPLY + cur, &m);
	}
}

_Noreturn void
ux_exit(int code)
{
	(void)code;
	for (;;)
		ux_wait(SRV_NTFN, NULL);
}
