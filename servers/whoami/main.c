/*
 * whoami - a port that tells each of its open files who opened it: a
 * test of per-open badges (tests/linux/t_ports.c) and an example of a
 * server that keeps state per open file (docs/writing-a-server.md).
 *
 * Started by "server=whoami" on the kernel command line, it may publish
 * /ports/whoami and nothing else (its permission list's one entry); it
 * tries /ports/whoami2 too and remembers the answer (EACCES expected).
 * Every open of /ports/whoami is an open file of its own, with a badge of
 * its own; its text is one line made when read:
 *
 *     badge B pid P uid U gid G flags F note N opens O closes C last L
 *     refused R
 *
 * B, P, U, G, F: the open file's badge and who opened it (flags as they
 * are now: F_SETFL changes them); N: what this open file last wrote (up
 * to 15 bytes; "-" for nothing); O, C: the open files this server has
 * seen and seen closed; L: the badge closed last; R: the answer to
 * publishing whoami2. Each open file has its own offset (lseek, pread).
 */
#include <uxrt.h>
#include <srvenv.h>
#include <srvloop.h>

#define NOTE_MAX 15

static struct srv srv;
static struct who_file {
	uint64_t badge; /* 0: free */
	uint64_t off;
	char note[NOTE_MAX + 1];
} files[UX_PS_OPENS_MAX];
static unsigned opens, closes;
static uint64_t last_closed;
static long refused;

/* A new open file: its state (the entry of its table slot). */
static int64_t
who_open(struct srv_req *rq)
{
	struct who_file *f = &files[UX_PS_BADGE_SLOT(rq->badge)];
	*f = (struct who_file){.badge = rq->badge, .note = "-"};
	rq->file = f;
	opens++;
	return 0;
}

static int64_t
who_close(struct srv_req *rq)
{
	struct who_file *f = rq->file;
	f->badge = 0;
	closes++;
	last_closed = rq->badge;
	return 0;
}

/* The open file's line, made now. */
static size_t
who_text(struct srv_req *rq, char *out, size_t size)
{
	struct who_file *f = rq->file;
	const struct srv_client *c = &rq->client;
	int n = snprintf(out, size,
			 "badge %#lx pid %d uid %u gid %u flags %#o note %s "
			 "opens %u closes %u last %#lx refused %ld\n",
			 (unsigned long)f->badge, (int)c->pid, c->uid, c->gid,
			 c->flags, f->note, opens, closes,
			 (unsigned long)last_closed, refused);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static int64_t
who_read(struct srv_req *rq, void *buf, uint64_t n, uint64_t off)
{
	static char text[192];
	struct who_file *f = rq->file;
	uint64_t at = off == SRV_OFF_NONE ? f->off : off;
	size_t len = who_text(rq, text, sizeof text);
	if (at >= len)
		return 0;
	if (n > len - at)
		n = len - at;
	memcpy(buf, text + at, n);
	if (off == SRV_OFF_NONE)
		f->off = at + n;
	return (int64_t)n;
}

/* A write sets the open file's note (its own state). */
static int64_t
who_write(struct srv_req *rq, const void *buf, uint64_t n, uint64_t off)
{
	struct who_file *f = rq->file;
	size_t k = n < NOTE_MAX ? (size_t)n : NOTE_MAX;
	memcpy(f->note, buf, k);
	f->note[k] = '\0';
	return (int64_t)n;
}

static int64_t
who_seek(struct srv_req *rq, int64_t off, int whence)
{
	struct who_file *f = rq->file;
	if (whence > 1 || (whence ? (int64_t)f->off : 0) + off < 0)
		return -LX_EINVAL;
	f->off = (uint64_t)((whence ? (int64_t)f->off : 0) + off);
	return (int64_t)f->off;
}

static const struct srv_ops who_ops = {
    .open = who_open,
    .close = who_close,
    .read = who_read,
    .write = who_write,
    .seek = who_seek,
};

int main(void);

int
main(void)
{
	ux_tcb_bind(SRV_TCB, SRV_NTFN);
	long e = srv_publish("whoami", 7);   /* before serving (uxrt/ps.h) */
	refused = srv_publish("whoami2", 7); /* not ours to make */
	if (e)
		printf("whoami: publish: %ld\n", e);
	srv_main(&srv, &who_ops, "whoami");
}

_Noreturn void
ux_exit(int code)
{
	srv_idle();
}
