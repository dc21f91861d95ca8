/*
 * srvloop.h - the server library: the transport side of a native file
 * server (docs/writing-a-server.md has a walk-through and an example).
 *
 * A server fills a struct srv_ops with the file operations it has and
 * calls srv_run. The loop receives each request on the server's endpoint,
 * decodes the file protocol (uxrt/file.h) into the operation's arguments,
 * calls the operation, and sends its result back in the same system call
 * that receives the next request (ReplyRecv). Long messages are copied by
 * the kernel straight between the client's buffer and the library's
 * (srv->buf): a write's data arrives there, a read's answer leaves from
 * there (or from any buffer the server names in srv_answer).
 *
 * What the library answers itself (Linux's answers, fs/read_write.c and
 * fs/ioctl.c):
 *   - a file request with fewer message registers than its operation
 *     takes, and pread64/pwrite64 at a negative offset: EINVAL;
 *   - ops->lookup says the badge names no open file: EBADF;
 *   - no read or write operation: EINVAL (a file without ->read/->write);
 *   - no seek operation: the files are streams (nonseekable_open):
 *     lseek, pread64 and pwrite64 answer ESPIPE; lseek with whence past
 *     SEEK_HOLE is EINVAL first;
 *   - no ioctl operation: ENOTTY;
 *   - no close operation: 0 (nothing to release);
 *   - a label it does not know and no ops->other: ENOSYS.
 *
 * Requests that must wait (a read with no data yet) keep their caller:
 * the operation calls srv_defer, keeps the pointer it returns, and answers
 * it later with srv_answer. Each waiting caller holds one of the server's
 * reply objects, so at most nreply - 1 wait at once.
 *
 * Notifications bound to the server's TCB (interrupts, signals from the
 * process server) wake the same receive: they go to ops->notify.
 *
 * Per-open badges (uxrt/ps.h). A server the process server started
 * calls srv_opens with its open table: every open(2) of its port then
 * reaches it through a badge of its own, whose first request calls
 * ops->open (rq->client says who opened it: pid, uid, gid, open flags);
 * rq->file is what open set, for every later request through that
 * badge (ops->lookup is not asked). When the process server says the
 * open file is closed (a notification bit; or the badge's table entry
 * holds another open), ops->close is called with that badge and file.
 * A badge the table does not show (closed, or never opened) is EBADF.
 */
#ifndef UXRT_SRVLOOP_H
#define UXRT_SRVLOOP_H

#include <uxrt.h>
#include <uxrt/ps.h>

/* The Linux errors file servers answer most (the same values as the
 * process server's lx_errno.h). */
#define LX_ENOENT 2
#define LX_EIO 5
#define LX_EBADF 9
#define LX_EAGAIN 11
#define LX_EACCES 13
#define LX_EFAULT 14
#define LX_EINVAL 22
#define LX_ENOTTY 25
#define LX_ENOSPC 28
#define LX_ESPIPE 29
#define LX_ENOSYS 38

#define SRV_MSG_MAX UX_MSG_LONG_MAX     /* bytes of one request or answer */
#define SRV_MAX_REPLY 16                /* reply objects a server may use */
#define SRV_NO_REPLY INT64_MIN          /* an operation's "answered or
					   deferred: send nothing now" */
#define SRV_OFF_NONE UX_FILE_OFFSET_NONE /* read/write at the file's own
					    offset (not pread/pwrite) */
/* Open flags as the open table gives them (Linux's values). */
#define SRV_O_ACCMODE 3   /* O_RDONLY 0, O_WRONLY 1, O_RDWR 2 */
#define SRV_O_APPEND 02000
#define SRV_O_NONBLOCK 04000

/* Who opened an open file, from the open table (uxrt/ps.h). */
struct srv_client {
	int32_t pid;    /* the process that opened it (0: the request came
			   through no per-open badge) */
	uint32_t uid, gid; /* its IDs then */
	uint32_t flags; /* the open flags now (F_SETFL changes O_APPEND and
			   O_NONBLOCK): SRV_O_* */
};

struct srv;

/* One request. The operations get the current one; srv_defer makes a
 * lasting copy. */
struct srv_req {
	struct srv *srv;
	uint64_t badge;  /* the capability it came through: the server's
			    open-file identifier (0: the unbadged
			    capability, i.e. the process server) */
	void *file;      /* what ops->open set for its per-open badge, else
			    ops->lookup(badge), or NULL */
	struct srv_client client; /* who opened it (a file request through
				     a per-open badge), else pid 0 */
	unsigned op;     /* the label: UX_FILE_* or the server's own */
	uint64_t off;    /* READ, WRITE: SRV_OFF_NONE or pread/pwrite's
			    offset; others: MR0 */
	uint64_t count;  /* READ: bytes wanted (at most SRV_MSG_MAX);
			    WRITE: bytes that arrived; others: MR1 */
	const struct ux_msg *msg; /* as received (NULL once deferred) */
	const void *data; /* its long message in srv->buf (NULL once
			     deferred: copy what a deferred write needs) */
	size_t len;      /* ... its length */
	void *user;      /* free for the server while the request waits */
	int reply;       /* library: the reply object holding the caller
			    (index), -1 once answered */
	bool waiting;    /* library: deferred */
};

/* The operations; any may be NULL (the answers above). Each returns the
 * Linux result (a count, an offset, 0, or -errno), or SRV_NO_REPLY after
 * srv_defer or srv_answer took the request. */
struct srv_ops {
	/* The open file a badge names; NULL answers EBADF. Called for every
	 * UX_FILE_* request but those through per-open badges, never for
	 * other labels. */
	void *(*lookup)(struct srv *s, uint64_t badge);
	/* The first file request through a per-open badge (srv_opens):
	 * rq->client says who opened it; set rq->file to what its requests
	 * are to get and return 0, or refuse with -errno (the answer to
	 * this request; the next one asks again). It must not answer or
	 * defer rq itself. */
	int64_t (*open)(struct srv_req *rq);
	/* read(2), pread64(2): up to n bytes at off into buf (the library's
	 * buffer, SRV_MSG_MAX bytes); the result is the count put there. */
	int64_t (*read)(struct srv_req *rq, void *buf, uint64_t n,
			uint64_t off);
	/* write(2), pwrite64(2): n bytes at buf, valid until it returns. */
	int64_t (*write)(struct srv_req *rq, const void *buf, uint64_t n,
			 uint64_t off);
	/* lseek(2): whence is SEEK_SET .. SEEK_HOLE (0..4). */
	int64_t (*seek)(struct srv_req *rq, int64_t off, int whence);
	/* ioctl(2): io holds the in bytes the caller sent (the argument's
	 * structure) and has room for SRV_MSG_MAX; set *out to the bytes of
	 * io to send back (0 when the op does not touch it). */
	int64_t (*ioctl)(struct srv_req *rq, uint64_t cmd, uint64_t arg,
			 void *io, size_t in, size_t *out);
	/* The last descriptor of the open file went away: for a per-open
	 * badge the open table said so (rq->file is what open set; nobody
	 * waits for an answer, the result is ignored); for another badge a
	 * UX_FILE_CLOSE request (a native client's) asked. */
	int64_t (*close)(struct srv_req *rq);
	/* Any other label (the server's own protocol, e.g. the console's
	 * UX_TTY_TAKE_SIGNALS): rq->msg is the message; the result goes
	 * back as MR0, or the op answers itself (srv_answer_msg). */
	int64_t (*other)(struct srv_req *rq);
	/* A notification bound to the server's TCB: bits is its word (less
	 * the open table's bit, which the library takes). */
	void (*notify)(struct srv *s, uint64_t bits);
};

/* What the library knows of an entry of the open table: the badge it
 * has seen there, and what ops->open made of it. */
struct srv_open {
	uint64_t badge; /* 0: none */
	void *file;
};

struct srv {
	const struct srv_ops *ops;
	void *priv;          /* free for the server */
	uint64_t ep;         /* the endpoint it serves (receive right) */
	uint64_t reply0;     /* reply objects reply0 .. reply0+nreply-1 */
	unsigned nreply;
	unsigned cur;        /* the reply object of the next receive */
	bool stop;           /* srv_stop: srv_run returns */
	struct srv_req pend[SRV_MAX_REPLY]; /* pend[i]: reply object i's
					      waiting request, if waiting */
	const struct ux_ps_open *opens; /* the open table (srv_opens), or
					   NULL; the process server writes it */
	uint64_t closed_bit; /* its notification bit: an open file closed */
	struct srv_open open[UX_PS_OPENS_MAX];
	uint8_t buf[SRV_MSG_MAX] __attribute__((aligned(16)));
};

/* Set s up to serve endpoint ep with the nreply (2..SRV_MAX_REPLY)
 * reply objects at consecutive addresses from reply0. A server the
 * process server started passes SRV_ENDPOINT, SRV_REPLY, SRV_NREPLY
 * (srvenv.h). */
void srv_init(struct srv *s, const struct srv_ops *ops, uint64_t ep,
	      uint64_t reply0, unsigned nreply);

/* Serve per-open badges from open table `table` (SRV_OPENS_VA for a
 * server the process server started), and learn of closed open files
 * from notification bit `bit` (SRV_NTFN_CLOSED; the server binds its
 * notification SRV_NTFN to its TCB). After srv_init. */
void srv_opens(struct srv *s, const void *table, uint64_t bit);

/* Who opened per-open badge b, now: 0 with *c filled, or -LX_ENOENT if
 * the table does not show it (closed, never opened, no table). */
int64_t srv_client(const struct srv *s, uint64_t b, struct srv_client *c);

/* Serve until srv_stop (then 0) or until the kernel refuses a receive
 * (then its error). */
long srv_run(struct srv *s);

/* Make srv_run return once the current request is answered. */
void srv_stop(struct srv *s);

/* One received message: a notification or a request, handled. True if m
 * now holds the answer to send through reply object s->cur (srv_run
 * sends it with ReplyRecv). For servers with a loop of their own. */
bool srv_handle(struct srv *s, struct ux_msg *m);

/* Keep rq's caller waiting: the lasting copy to answer later, or NULL
 * when every other reply object already holds a waiting caller (answer
 * one, or answer this one now). The operation then returns
 * SRV_NO_REPLY. */
struct srv_req *srv_defer(struct srv_req *rq);

/* Answer rq (the current request or a deferred one) now: result r, and
 * data[0..len) as the long message (a read's bytes, at most what it asked
 * for and at most r; an ioctl's structure). True if the caller took it;
 * false if it was gone (its call interrupted) or already answered. A
 * deferred rq is released either way. */
bool srv_answer(struct srv_req *rq, int64_t r, const void *data,
		size_t len);

/* The same with a message of the server's own making (its own
 * protocol's answers); a long message is as the IPC buffer names it. */
bool srv_answer_msg(struct srv_req *rq, struct ux_msg *m);

#endif
