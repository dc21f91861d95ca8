/*
 * console - the serial console as a file server (an ordinary process).
 *
 * Its only hardware rights are the COM1 I/O ports and IRQ 4 (srvenv.h).
 * The server library (srvloop.h) runs the loop and decodes the file
 * protocol (uxrt/file.h); this file is the tty. FILE_WRITE sends the
 * bytes to the UART (a newline becomes CR LF, as a tty's ONLCR does);
 * FILE_READ returns one line in canonical mode, with echo, erase (DEL or
 * ^H), kill (^U) and end of file (^D). A read that must wait is deferred
 * (srv_defer: it keeps its reply object, SRV_NREPLY of them), so other
 * clients are served meanwhile. Input arrives by interrupt: the IRQ's
 * notification is bound to our TCB, so it wakes the same receive and
 * reaches us as the library's notify operation. There is no seek: lseek,
 * pread and pwrite answer ESPIPE, as a tty's do.
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
 * UX_FILE_POLL (from the process server's poll and select) answers
 * the poll mask: POLLIN when a read would not wait, POLLOUT always. Asked
 * with MR0 = 1 when nothing is readable, it also arms a one-shot
 * notice: the next time input becomes readable (and no waiting reader
 * took it) we signal the process server's notification (SRV_PS_READY),
 * and it asks again.
 *
 * It publishes itself as /ports/console at start (uxrt/ps.h); /dev/console,
 * /dev/tty and /dev/ttyS0 open that port. Each open is an open file of
 * its own (a per-open badge, srvloop.h): its access mode is checked
 * (EBADF, as Linux) and its O_NONBLOCK makes a read that would wait
 * EAGAIN. The terminal state (termios, the line, the foreground group)
 * is the one terminal's, shared by every open file.
 *
 * Not yet: VTIME, IXON.
 */
#include <uxrt.h>
#include <srvenv.h>
#include <srvloop.h>

#define COM1 0x3F8
#define LINE_MAX 1024
#define LX_POLLIN 0x001
#define LX_POLLOUT 0x004
#define LX_POLLRDNORM 0x040
#define LX_POLLWRNORM 0x100

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
static char line[LINE_MAX];
static size_t line_len;
static bool line_done;    /* a full line (or EOF) waits for a reader */
static struct srv srv;
static struct srv_req *readers[SRV_NREPLY - 1]; /* waiting, oldest first */
static unsigned nreaders;
static uint64_t sig_mask;  /* signals typed, not yet taken (bit sig-1) */
static uint32_t sig_pgrp;
static bool poll_armed;    /* the process server waits to hear of input */

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

/* Answer reader rq with what the line holds (at most what it asked
 * for); the bytes are taken only if the reader was there to get them. */
static bool
give_line(struct srv_req *rq)
{
	size_t n = line_len < rq->count ? line_len : rq->count;
	if (!srv_answer(rq, (int64_t)n, line, n))
		return false;
	memmove(line, line + n, line_len - n);
	line_len -= n;
	if (!line_len)
		line_done = false;
	return true;
}

/* The oldest waiting reader, taken off the queue. */
static struct srv_req *
reader_pop(void)
{
	struct srv_req *rq = readers[0];
	memmove(readers, readers + 1, --nreaders * sizeof *readers);
	return rq;
}

/* Give the input to the readers waiting for it. */
static void
feed_readers(void)
{
	while (line_done && nreaders)
		give_line(reader_pop());
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

/* Tell the process server, if it asked, that input became readable. */
static void
tell_ready(void)
{
	if (poll_armed && line_done) {
		poll_armed = false;
		ux_signal(SRV_PS_READY);
	}
}

/* The IRQ's notification (our only one). */
static void
con_notify(struct srv *s, uint64_t bits)
{
	while (in8(COM1 + 5) & 1)
		input((char)in8(COM1));
	ux_irq_ack(SRV_DEV1);
	feed_readers();
	tell_ready();
}

/* UX_FILE_POLL: the poll mask now; arm: tell when readable. */
static int64_t
poll_mask(bool arm)
{
	if (!line_done && arm)
		poll_armed = true;
	return (line_done ? LX_POLLIN | LX_POLLRDNORM : 0) | LX_POLLOUT |
	       LX_POLLWRNORM;
}

/* FILE_IOCTL: the argument structure arrives in io (in bytes) and goes
 * back as the reply's long message (*out bytes). */
static int64_t
con_ioctl(struct srv_req *rq, uint64_t req, uint64_t arg, void *io,
	  size_t got, size_t *out)
{
	switch (req) {
	case 0x5401: /* TCGETS */
		memcpy(io, &tio, sizeof tio);
		*out = sizeof tio;
		return 0;
	case 0x5402: case 0x5403: case 0x5404: /* TCSETS, TCSETSW, TCSETSF */
		if (got < sizeof tio)
			return -LX_EFAULT;
		memcpy(&tio, io, sizeof tio);
		if (req == 0x5404)
			line_len = 0, line_done = false; /* flush input */
		if (!(tio.lflag & ICANON)) /* raw: what is there counts */
			line_done = line_len >= (tio.cc[VMIN] ? tio.cc[VMIN] : 1);
		tell_ready();
		return 0;
	case 0x5413: /* TIOCGWINSZ */
		memcpy(io, winsize, sizeof winsize);
		*out = sizeof winsize;
		return 0;
	case 0x5414: /* TIOCSWINSZ */
		if (got < sizeof winsize)
			return -LX_EFAULT;
		memcpy(winsize, io, sizeof winsize);
		return 0;
	case 0x541B: { /* FIONREAD: bytes a read would return now */
		uint32_t n = line_done ? (uint32_t)line_len : 0;
		memcpy(io, &n, 4);
		*out = 4;
		return 0;
	}
	case 0x540F: /* TIOCGPGRP */
		memcpy(io, &fg_pgrp, 4);
		*out = 4;
		return 0;
	case 0x5410: /* TIOCSPGRP */
		if (got < 4)
			return -LX_EFAULT;
		memcpy(&fg_pgrp, io, 4);
		return 0;
	default:
		return -LX_ENOTTY;
	}
}

/* Whether the open file rq came through was opened for acc (1: read,
 * 2: write); the process server's own requests (no opener) may. */
static bool
opened_for(const struct srv_req *rq, unsigned acc)
{
	unsigned mode = rq->client.flags & SRV_O_ACCMODE;
	return !rq->client.pid || mode == 2 || mode + 1 == acc;
}

static int64_t
con_write(struct srv_req *rq, const void *buf, uint64_t n, uint64_t off)
{
	if (!opened_for(rq, 2))
		return -LX_EBADF;
	put(buf, (size_t)n);
	return (int64_t)n;
}

/* FILE_READ: the line if one is ready, else wait in the queue (the
 * oldest reader gives way when every reply object holds one), or with
 * O_NONBLOCK on the open file EAGAIN. */
static int64_t
con_read(struct srv_req *rq, void *buf, uint64_t n, uint64_t off)
{
	struct srv_req *w;
	if (!opened_for(rq, 1))
		return -LX_EBADF;
	if (!n)
		return 0; /* as Linux's tty: nothing asked, nothing waited */
	if (line_done) {
		give_line(rq);
		return SRV_NO_REPLY;
	}
	if (rq->client.flags & SRV_O_NONBLOCK)
		return -LX_EAGAIN;
	if (!(w = srv_defer(rq)) && nreaders) {
		srv_answer(reader_pop(), -LX_EIO, NULL, 0);
		w = srv_defer(rq);
	}
	if (!w)
		return -LX_EIO;
	readers[nreaders++] = w;
	return SRV_NO_REPLY;
}

/* The process server asks for the signals our keys made, or (poll) our
 * poll mask. */
static int64_t
con_other(struct srv_req *rq)
{
	struct ux_msg m = {.info = ux_msginfo(0, 2, 0, 0),
			   .mr = {sig_pgrp, sig_mask}};
	if (rq->op == UX_FILE_POLL)
		return poll_mask(rq->off != 0);
	if (rq->op != UX_TTY_TAKE_SIGNALS)
		return -LX_ENOSYS;
	sig_mask = 0;
	srv_answer_msg(rq, &m);
	return SRV_NO_REPLY;
}

static const struct srv_ops con_ops = {
	.read = con_read,
	.write = con_write,
	.ioctl = con_ioctl,
	.other = con_other,
	.notify = con_notify,
};

int main(void);

int
main(void)
{
	uart_init();
	ux_irq_set_ntfn(SRV_DEV1, SRV_NTFN);
	ux_tcb_bind(SRV_TCB, SRV_NTFN);
	srv_publish("console", 1); /* /ports/console: before serving */
	srv_main(&srv, &con_ops, "console");
}

_Noreturn void
ux_exit(int code)
{
	srv_idle();
}
