/*
 * pipe.c - pipes, served by the process server.
 *
 * A pipe is a ring of PIPE_CAP bytes with two open files (its ends). A
 * read takes what is there, or waits (its reply object held back) while
 * there are writers, or reads 0 (end of file) when there are none. A write
 * arrives with its data (the kernel's file transport copied it into
 * ps_msgbuf); what does not fit waits in a chunk of its own with the
 * writer until readers make room, so writes are never lost. Writes of up
 * to PIPE_BUF bytes go into the ring whole (atomic). With no reader left a
 * write fails with EPIPE and its process gets SIGPIPE. A waiter taken
 * away by a signal (pipe_cancel) or by its death is forgotten; data is
 * taken from the ring only once a reader's reply has gone. The cost of this
 * choice (a pipe in the process server, not a server of its own): data
 * crosses the process server, one copy in and one out, and each
 * read and write is one IPC round trip from the client.
 */
#include "procserv.h"
#include "lx_errno.h"

#define MAX_PIPES 32
#define PIPES_PER_USER 24 /* the rest kept for other users */
#define PIPE_CAP 65536
#define PIPE_BUF 4096
#define MAX_WAIT 4
#define NCHUNKS 8

struct waiter {
	uint64_t reply;
	int pid;
	uint64_t n;   /* reader: most it takes; writer: its length */
	uint64_t done;   /* writer: bytes moved into the ring */
	int chunk;       /* writer: its data */
};

static struct pipe {
	bool used;
	uint32_t owner;   /* the user who made it (a per-user cap) */
	bool rclosed, wclosed;
	uint8_t buf[PIPE_CAP];
	size_t head, len;
	struct waiter rq[MAX_WAIT], wq[MAX_WAIT];
	unsigned nr, nw;
} pipes[MAX_PIPES];

static uint8_t chunks[NCHUNKS][UX_MSG_LONG_MAX];
static bool chunk_used[NCHUNKS];
static uint8_t out[UX_MSG_LONG_MAX];

/* Answer a waiter (n bytes of out[] as data); false if nobody was there
 * to take it. */
static bool
answer(uint64_t reply, int64_t r, size_t n)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct ux_msg m = {.info = ux_msginfo(0, 1, 0, n ? UX_MI_LONG : 0)};
	m.mr[0] = (uint64_t)r;
	b->send_buf = (uint64_t)out;
	b->send_len = n;
	long e = ux_reply(reply, &m);
	ps_release(reply);
	return e == UX_OK;
}

/* Copy n bytes into the ring at its tail (n <= free space): at most two
 * pieces, around the end of the buffer. */
static void
put(struct pipe *pp, const uint8_t *d, size_t n)
{
	size_t tail = (pp->head + pp->len) % PIPE_CAP;
	size_t first = n < PIPE_CAP - tail ? n : PIPE_CAP - tail;
	memcpy(pp->buf + tail, d, first);
	memcpy(pp->buf, d + first, n - first);
	pp->len += n;
}

/* Copy up to n bytes into out[], leaving them in the ring. */
static size_t
peek(struct pipe *pp, size_t n)
{
	if (n > pp->len)
		n = pp->len;
	size_t first = n < PIPE_CAP - pp->head ? n : PIPE_CAP - pp->head;
	memcpy(out, pp->buf + pp->head, first);
	memcpy(out + first, pp->buf, n - first);
	return n;
}

static void
consume(struct pipe *pp, size_t n)
{
	pp->head = (pp->head + n) % PIPE_CAP;
	pp->len -= n;
}

static void
drop_waiter(struct waiter *q, unsigned *n)
{
	memmove(q, q + 1, (--*n) * sizeof *q);
}

/* Move waiting writers' data in while there is room; answer those done. */
static void
fill_from_writers(struct pipe *pp)
{
	while (pp->nw) {
		struct waiter *w = &pp->wq[0];
		size_t room = PIPE_CAP - pp->len, left = w->n - w->done;
		if (w->n <= PIPE_BUF && room < left)
			return; /* atomic: all or nothing */
		size_t k = left < room ? left : room;
		put(pp, chunks[w->chunk] + w->done, k);
		w->done += k;
		if (w->done < w->n)
			return;
		chunk_used[w->chunk] = false;
		answer(w->reply, (int64_t)w->n, 0);
		drop_waiter(pp->wq, &pp->nw);
	}
}

/* Give data (or end of file) to waiting readers. */
static void
feed_readers(struct pipe *pp)
{
	while (pp->nr && (pp->len || pp->wclosed)) {
		struct waiter *r = &pp->rq[0];
		size_t n = peek(pp, r->n);
		if (answer(r->reply, (int64_t)n, n))
			consume(pp, n);
		drop_waiter(pp->rq, &pp->nr);
		fill_from_writers(pp);
	}
}

static bool
defer(struct waiter *q, unsigned *n, struct waiter w, struct ux_msg *m)
{
	if (*n == MAX_WAIT || !(w.reply = ps_defer())) {
		m->info = ux_msginfo(0, 1, 0, 0);
		m->mr[0] = (uint64_t)-LX_EAGAIN; /* too many waiting */
		return true;
	}
	q[(*n)++] = w;
	return false;
}

/* Answer m with r now. */
static bool
answer_with(struct ux_msg *m, int64_t r)
{
	m->info = ux_msginfo(0, 1, 0, 0);
	m->mr[0] = (uint64_t)r;
	return true;
}

static bool
pipe_read(struct pipe *pp, int pid, uint64_t max, bool nonblock,
	  struct ux_msg *m)
{
	if (pp->len || pp->wclosed || !max) {
		size_t n = peek(pp, max);
		consume(pp, n); /* the answer goes to a caller that is there */
		/* (before the buffer is named: answering a writer names its
		 * own, empty one; out[] is left alone) */
		fill_from_writers(pp);
		struct ux_ipc_buffer *b = ux_ipcbuf();
		b->send_buf = (uint64_t)out;
		b->send_len = n;
		m->info = ux_msginfo(0, 1, 0, n ? UX_MI_LONG : 0);
		m->mr[0] = n;
		return true;
	}
	if (nonblock)
		return answer_with(m, -LX_EAGAIN);
	return defer(pp->rq, &pp->nr, (struct waiter){.pid = pid, .n = max}, m);
}

static bool
pipe_write(struct pipe *pp, int pid, uint64_t n, bool nonblock,
	   struct ux_msg *m)
{
	int64_t r = (int64_t)n;
	uint64_t room = pp->nw ? 0 : PIPE_CAP - pp->len;
	if (pp->rclosed) {
		r = -LX_EPIPE;
		sig_send(proc_get((uint64_t)pid), SIGPIPE, NULL);
	} else if (room >= n) {
		put(pp, ps_msgbuf, n);
		feed_readers(pp);
	} else if (nonblock) {
		/* Linux: up to PIPE_BUF all or nothing, more as much as fits */
		r = n <= PIPE_BUF || !room ? -LX_EAGAIN : (int64_t)room;
		if (r > 0) {
			put(pp, ps_msgbuf, room);
			feed_readers(pp);
		}
	} else {
		int c = 0;
		while (c < NCHUNKS && chunk_used[c])
			c++;
		if (c == NCHUNKS) {
			r = -LX_EAGAIN;
		} else {
			memcpy(chunks[c], ps_msgbuf, n);
			chunk_used[c] = true;
			struct waiter w = {.pid = pid, .n = n, .chunk = c};
			if (!defer(pp->wq, &pp->nw, w, m)) {
				fill_from_writers(pp);
				feed_readers(pp);
				return false;
			}
			chunk_used[c] = false;
			return true;
		}
	}
	m->info = ux_msginfo(0, 1, 0, 0);
	m->mr[0] = (uint64_t)r;
	return true;
}

/* Linux's rules: the read end is ready with data (POLLIN) and hung up
 * when the writers are gone (POLLHUP); the write end is ready when a
 * PIPE_BUF write would not wait (POLLOUT), in error when the readers are
 * gone (POLLERR). */
unsigned
pipe_poll(int pipe, bool write_end)
{
	struct pipe *pp = &pipes[pipe];
	if (!write_end)
		return (pp->len ? LX_POLLIN | LX_POLLRDNORM : 0) |
		       (pp->wclosed ? LX_POLLHUP : 0);
	return (PIPE_CAP - pp->len >= PIPE_BUF ? LX_POLLOUT | LX_POLLWRNORM
					       : 0) |
	       (pp->rclosed ? LX_POLLERR : 0);
}

bool
pipe_request(int pipe, bool write_end, int pid, bool nonblock,
	     struct ux_msg *m)
{
	struct pipe *pp = &pipes[pipe];
	poll_wake_pipe(pipe); /* (its waiters are scanned after this) */
	uint64_t op = ux_mi_label(m->info), cnt = m->mr[1];
	if (op == UX_FILE_READ && !write_end)
		return pipe_read(pp, pid, cnt, nonblock, m);
	if (op == UX_FILE_WRITE && write_end) {
		uint64_t got = (m->info & UX_MI_LONG) ? ux_ipcbuf()->long_xfer : 0;
		return pipe_write(pp, pid, got < cnt ? got : cnt, nonblock, m);
	}
	m->info = ux_msginfo(0, 1, 0, 0);
	m->mr[0] = (uint64_t)(op == UX_FILE_SEEK ? -LX_ESPIPE : -LX_EBADF);
	return true;
}

void
pipe_end_closed(int pipe, bool write_end)
{
	struct pipe *pp = &pipes[pipe];
	poll_wake_pipe(pipe);
	if (write_end) {
		pp->wclosed = true;
		feed_readers(pp); /* end of file for the waiting ones */
	} else {
		pp->rclosed = true;
		while (pp->nw) { /* nobody will read it */
			struct waiter *w = &pp->wq[0];
			int pid = w->pid;
			uint64_t done = w->done;
			chunk_used[w->chunk] = false;
			bool sent = answer(w->reply,
					   done ? (int64_t)done : -LX_EPIPE, 0);
			drop_waiter(pp->wq, &pp->nw);
			if (sent && !done)
				sig_send(proc_get((uint64_t)pid), SIGPIPE, NULL);
		}
	}
	if (pp->rclosed && pp->wclosed)
		pp->used = false;
}

/* Forget pid's waiters in queue q; a writer that moved data is answered
 * with its count (Linux's answer for an interrupted write). */
static void
cancel_queue(struct waiter *q, unsigned *n, int pid, bool writers)
{
	for (unsigned i = 0; i < *n;) {
		struct waiter *w = &q[i];
		if (w->pid != pid) {
			i++;
			continue;
		}
		if (writers) {
			chunk_used[w->chunk] = false;
			if (w->done)
				answer(w->reply, (int64_t)w->done, 0);
			else
				ps_release(w->reply);
		} else {
			ps_release(w->reply);
		}
		memmove(w, w + 1, (--*n - i) * sizeof *w);
	}
}

void
pipe_cancel(int pid)
{
	for (unsigned i = 0; i < MAX_PIPES; i++) {
		if (!pipes[i].used)
			continue;
		cancel_queue(pipes[i].rq, &pipes[i].nr, pid, false);
		cancel_queue(pipes[i].wq, &pipes[i].nw, pid, true);
	}
}

long
pipe_create(struct proc *p, uint64_t fds_va, uint64_t flags)
{
	p = proc_tg(p);
	int pi = 0, rof, wof, fd[2];
	if (flags & ~(02000000ull | 04000))
		return -LX_EINVAL; /* O_CLOEXEC, O_NONBLOCK */
	unsigned mine = 0;
	for (unsigned i = 0; i < MAX_PIPES; i++)
		mine += pipes[i].used && pipes[i].owner == p->uid;
	if (mine >= PIPES_PER_USER)
		return -LX_ENFILE; /* as Linux at a user's pipe limit */
	while (pi < MAX_PIPES && pipes[pi].used)
		pi++;
	if (pi == MAX_PIPES)
		return -LX_ENFILE;
	fd[0] = fd_free(p, 0);
	fd[1] = fd[0] < 0 ? -1 : fd_free(p, (unsigned)fd[0] + 1);
	if (fd[1] < 0)
		return -LX_EMFILE;
	if ((rof = of_new_pipe_end(pi, false, flags)) < 0)
		return -LX_ENFILE;
	pipes[pi] = (struct pipe){.used = true, .owner = p->uid};
	bool ce = flags & 02000000;
	if (fd_install(p, (unsigned)fd[0], FD_FILE, (unsigned)rof, ce))
		return -LX_ENOMEM;
	if ((wof = of_new_pipe_end(pi, true, flags)) < 0 ||
	    fd_install(p, (unsigned)fd[1], FD_FILE, (unsigned)wof, ce)) {
		fd_close(p, (unsigned)fd[0]);
		return -LX_ENFILE;
	}
	if (proc_copy_out(p, fds_va, fd, sizeof fd)) {
		fd_close(p, (unsigned)fd[0]);
		fd_close(p, (unsigned)fd[1]);
		return -LX_EFAULT;
	}
	return 0;
}
