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
 * FILE_IOCTL serves the termios calls (TCGETS, TCSETS*), the window size
 * and the foreground process group; with ICANON off a read returns the
 * bytes that arrived (at least one), echoed only if ECHO is set.
 *
 * With ISIG, the VINTR, VQUIT and VSUSP keys (^C, ^\, ^Z) discard the
 * input and make SIGINT, SIGQUIT or SIGTSTP for the foreground process
 * group: we signal the process server's notification and it asks for them
 * (UX_TTY_TAKE_SIGNALS), so we never wait for it. Readers wait in a queue;
 * one whose call a signal took away no longer takes its reply (the kernel
 * refuses it), and the input goes to the next.
 *
 * It publishes itself as /ports/console at start (uxrt/ps.h); /dev/console,
 * /dev/tty and /dev/ttyS0 open that port.
 *
 * Not yet: VTIME, IXON.
 */
#include <uxrt.h>
#include <srvenv.h>

#define COM1 0x3F8
#define LINE_MAX 1024
#define LX_EINVAL 22
#define LX_ESPIPE 29
#define LX_EIO 5
#define LX_ENOTTY 25
#define LX_EFAULT 14

/* Linux's struct termios as TCGETS/TCSETS pass it. */
struct lx_termios {
	uint32_t iflag, oflag, cflag, lflag;
	uint8_t line;
	uint8_t cc[19];
};
#define ISIG 1
#define ICANON 2
#define ECHO 8
#define NOFLSH 0x80
#define VINTR 0
#define VQUIT 1
#define VSUSP 10
#define VERASE 2
#define VKILL 3
#define VEOF 4
#define VMIN 6

static struct lx_termios tio = {
	.iflag = 0x500,  /* ICRNL | IXON */
	.oflag = 0x5,    /* OPOST | ONLCR */
	.cflag = 0x4bf,  /* B38400 | CS8 | CREAD | HUPCL */
	.lflag = 0x8a3b, /* ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN */
	.cc = {3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12,
	       0x0f, 0x17, 0x16, 0},
};
static uint16_t winsize[4] = {24, 80, 0, 0};
static uint32_t fg_pgrp;
static uint8_t msgbuf[UX_MSG_LONG_MAX];
static char line[LINE_MAX];
static size_t line_len;
static bool line_done;    /* a full line (or EOF) waits for a reader */
static unsigned cur = 0;  /* reply object used by the next Recv */
static struct reader {    /* blocked readers, oldest first */
	unsigned reply;   /* its reply object (SRV_REPLY + this) */
	uint64_t max;
} readers[SRV_NREPLY - 1];
static unsigned nreaders;
static uint64_t sig_mask;  /* signals typed, not yet taken (bit sig-1) */
static uint32_t sig_pgrp;

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

/* Reply to reader reply object r with what the line holds (at most max);
 * the bytes are taken only if the reader was there to get them. */
static bool
give_line(uint64_t reply, uint64_t max)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct ux_msg m = {0};
	size_t n = line_len < max ? line_len : max;
	memcpy(msgbuf, line, n);
	b->send_buf = (uint64_t)msgbuf;
	b->send_len = n;
	m.info = ux_msginfo(0, 1, 0, UX_MI_LONG);
	m.mr[0] = n;
	if (ux_reply(reply, &m))
		return false;
	memmove(line, line + n, line_len - n);
	line_len -= n;
	if (!line_len)
		line_done = false;
	return true;
}

/* Give the input to the readers waiting for it. */
static void
feed_readers(void)
{
	while (line_done && nreaders) {
		struct reader r = readers[0];
		memmove(readers, readers + 1, --nreaders * sizeof *readers);
		give_line(SRV_REPLY + r.reply, r.max);
	}
}

static bool
reply_busy(unsigned r)
{
	for (unsigned i = 0; i < nreaders; i++)
		if (readers[i].reply == r)
			return true;
	return false;
}

/* A key that makes a signal: the input goes, the process server is told. */
static bool
signal_key(char c)
{
	int sig = c == (char)tio.cc[VINTR]   ? 2
		  : c == (char)tio.cc[VQUIT] ? 3
		  : c == (char)tio.cc[VSUSP] ? 20
					     : 0;
	if (!(tio.lflag & ISIG) || !sig || !c)
		return false;
	if (tio.lflag & ECHO) {
		char e[2] = {'^', (char)(c + 0x40)};
		put(e, 2);
	}
	if (!(tio.lflag & NOFLSH))
		line_len = 0, line_done = false;
	if (sig_pgrp != fg_pgrp)
		sig_mask = 0;
	sig_pgrp = fg_pgrp;
	sig_mask |= 1ull << (sig - 1);
	ux_signal(SRV_PS_NTFN);
	return true;
}

/* Canonical-mode input processing of one received byte. */
static void
input(char c)
{
	if (signal_key(c))
		return;
	if (!(tio.lflag & ICANON)) { /* raw: every byte is readable */
		if (line_len < LINE_MAX)
			line[line_len++] = c;
		if (tio.lflag & ECHO)
			put(&c, 1);
		line_done = line_len >= (tio.cc[VMIN] ? tio.cc[VMIN] : 1);
		return;
	}
	if (line_done)
		return; /* a line waits to be read: hold further input */
	if (c == '\r' && (tio.iflag & 0x100))
		c = '\n';
	if (c == (char)tio.cc[VERASE] || c == 0x08) {
		if (line_len) {
			line_len--;
			put("\b \b", 3);
		}
		return;
	}
	if (c == (char)tio.cc[VKILL]) { /* erase the line */
		while (line_len--)
			put("\b \b", 3);
		line_len = 0;
		return;
	}
	if (c == (char)tio.cc[VEOF]) { /* end of file, or push the line */
		line_done = true;
		return;
	}
	if (line_len < LINE_MAX - 1 || c == '\n') {
		line[line_len++] = c;
		if (tio.lflag & ECHO)
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
	feed_readers();
}

/* FILE_IOCTL: the argument structure arrives in msgbuf (long_xfer bytes)
 * and goes back as the reply's long message (*out bytes). */
static int64_t
ioctl(uint64_t req, uint64_t arg, uint64_t got, size_t *out)
{
	*out = 0;
	switch (req) {
	case 0x5401: /* TCGETS */
		memcpy(msgbuf, &tio, sizeof tio);
		*out = sizeof tio;
		return 0;
	case 0x5402: case 0x5403: case 0x5404: /* TCSETS, TCSETSW, TCSETSF */
		if (got < sizeof tio)
			return -LX_EFAULT;
		memcpy(&tio, msgbuf, sizeof tio);
		if (req == 0x5404)
			line_len = 0, line_done = false; /* flush input */
		return 0;
	case 0x5413: /* TIOCGWINSZ */
		memcpy(msgbuf, winsize, sizeof winsize);
		*out = sizeof winsize;
		return 0;
	case 0x5414: /* TIOCSWINSZ */
		if (got < sizeof winsize)
			return -LX_EFAULT;
		memcpy(winsize, msgbuf, sizeof winsize);
		return 0;
	case 0x541B: { /* FIONREAD: bytes a read would return now */
		uint32_t n = line_done ? (uint32_t)line_len : 0;
		memcpy(msgbuf, &n, 4);
		*out = 4;
		return 0;
	}
	case 0x540F: /* TIOCGPGRP */
		memcpy(msgbuf, &fg_pgrp, 4);
		*out = 4;
		return 0;
	case 0x5410: /* TIOCSPGRP */
		if (got < 4)
			return -LX_EFAULT;
		memcpy(&fg_pgrp, msgbuf, 4);
		return 0;
	default:
		(void)arg;
		return -LX_ENOTTY;
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
		if (nreaders == SRV_NREPLY - 1) { /* the oldest gives way */
			struct ux_msg e = {.info = ux_msginfo(0, 1, 0, 0),
					   .mr = {(uint64_t)-LX_EIO}};
			ux_reply(SRV_REPLY + readers[0].reply, &e);
			memmove(readers, readers + 1,
				--nreaders * sizeof *readers);
		}
		readers[nreaders++] = (struct reader){cur, count};
		while (reply_busy(cur))
			cur = (cur + 1) % SRV_NREPLY;
		return false;
	case UX_TTY_TAKE_SIGNALS:
		m->info = ux_msginfo(0, 2, 0, 0);
		m->mr[0] = sig_pgrp;
		m->mr[1] = sig_mask;
		sig_mask = 0;
		return true;
	case UX_FILE_SEEK:
		r = -LX_ESPIPE;
		break;
	case UX_FILE_IOCTL: {
		size_t out;
		r = ioctl(m->mr[0], count,
			  (m->info & UX_MI_LONG) ? b->long_xfer : 0, &out);
		m->info = ux_msginfo(0, 1, 0, out ? UX_MI_LONG : 0);
		m->mr[0] = (uint64_t)r;
		b->send_buf = (uint64_t)msgbuf;
		b->send_len = out;
		return true;
	}
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
	srv_publish("console", 1); /* /ports/console: before serving */
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
