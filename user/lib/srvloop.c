/*
 * srvloop.c - the server library (srvloop.h): receive, decode the file
 * protocol (uxrt/file.h), dispatch to the server's operations, answer.
 *
 * Three layers, bottom up:
 *   - reply objects: s->cur is the one the next receive binds the caller
 *     to; srv_defer leaves the caller on it (pend[cur] holds the request)
 *     and moves s->cur to a free one; srv_answer replies through the held
 *     one and frees it. Invariant: pend[s->cur] is never waiting.
 *   - decode and dispatch (srv_handle): check the message, look the open
 *     file up, answer what the table leaves out (the errors listed in
 *     srvloop.h), else call the operation and build the answer.
 *   - per-open badges (srv_opens): the process server's open table says
 *     who opened each badge; s->open[i] is what we last saw in entry i.
 *     A request through a badge new to its entry opens it (ops->open),
 *     after closing what the entry held before; the table's notification
 *     bit makes us close every badge the table no longer shows.
 *     Invariant: s->open[i].badge is 0 or a badge whose slot is i.
 *   - the loop (srv_run): ReplyRecv when there is an answer, Recv when
 *     there is none (deferred, answered already, a notification).
 *
 * The kernel is reached only through k_recv, k_reply_recv, k_reply and
 * k_ipcbuf, so that the host unit test (tests/host/test_srvloop.c,
 * HOST_TEST) can be the kernel.
 */
#include "srvloop.h"

#ifdef HOST_TEST
long k_recv(uint64_t ep, uint64_t reply, struct ux_msg *m);
long k_reply_recv(uint64_t ep, uint64_t reply, struct ux_msg *m);
long k_reply(uint64_t reply, struct ux_msg *m);
struct ux_ipc_buffer *k_ipcbuf(void);
#else
#define k_recv ux_recv
#define k_reply_recv ux_reply_recv
#define k_reply ux_reply
#define k_ipcbuf ux_ipcbuf
#endif

#define SEEK_MAX 4 /* SEEK_HOLE */

static uint64_t
min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

void
srv_init(struct srv *s, const struct srv_ops *ops, uint64_t ep,
	 uint64_t reply0, unsigned nreply)
{
	s->ops = ops;
	s->ep = ep;
	s->reply0 = reply0;
	s->nreply = nreply < SRV_MAX_REPLY ? nreply : SRV_MAX_REPLY;
	s->cur = 0;
	s->stop = false;
	for (unsigned i = 0; i < SRV_MAX_REPLY; i++)
		s->pend[i] = (struct srv_req){.reply = -1};
	s->opens = NULL;
	s->closed_bit = 0;
	memset(s->open, 0, sizeof s->open);
}

void
srv_opens(struct srv *s, const void *table, uint64_t bit)
{
	s->opens = table;
	s->closed_bit = bit;
}

void
srv_stop(struct srv *s)
{
	s->stop = true;
}

/* --- reply objects and answers ------------------------------------- */

struct srv_req *
srv_defer(struct srv_req *rq)
{
	struct srv *s = rq->srv;
	if (rq->waiting || rq->reply < 0)
		return NULL;
	for (unsigned i = 0; i < s->nreply; i++) {
		if (i == s->cur || s->pend[i].waiting)
			continue;
		struct srv_req *p = &s->pend[s->cur];
		*p = *rq;
		p->waiting = true;
		p->msg = NULL;
		p->data = NULL;
		p->len = 0;
		rq->reply = -1; /* the copy answers now */
		s->cur = i;
		return p;
	}
	return NULL;
}

/* Fill m (and the IPC buffer's send fields) with rq's answer: r as MR0
 * and data as the long message. A read's data is cut to what it asked
 * for and to r, and MR0 is then the bytes sent (uxrt/file.h: the long
 * message's length equals MR0). */
static void
answer_build(const struct srv_req *rq, int64_t r, const void *data,
	     size_t len, struct ux_msg *m)
{
	struct ux_ipc_buffer *b = k_ipcbuf();
	if (rq->op == UX_FILE_READ) {
		len = r < 0 ? 0 : min64(min64(len, rq->count), (uint64_t)r);
		if (r > 0)
			r = (int64_t)len;
	}
	len = min64(len, SRV_MSG_MAX);
	b->send_buf = (uint64_t)data;
	b->send_len = data ? len : 0;
	m->info = ux_msginfo(0, 1, 0, data && len ? UX_MI_LONG : 0);
	m->mr[0] = (uint64_t)r;
}

/* Reply through rq's reply object and release it. */
static bool
answer_send(struct srv_req *rq, struct ux_msg *m)
{
	struct srv *s = rq->srv;
	if (rq->reply < 0)
		return false;
	long e = k_reply(s->reply0 + (unsigned)rq->reply, m);
	rq->reply = -1;
	rq->waiting = false;
	return e == UX_OK;
}

bool
srv_answer(struct srv_req *rq, int64_t r, const void *data, size_t len)
{
	struct ux_msg m = {0};
	if (rq->reply < 0)
		return false;
	answer_build(rq, r, data, len, &m);
	return answer_send(rq, &m);
}

bool
srv_answer_msg(struct srv_req *rq, struct ux_msg *m)
{
	return answer_send(rq, m);
}

/* --- per-open badges ----------------------------------------------- */

int64_t
srv_client(const struct srv *s, uint64_t b, struct srv_client *c)
{
	if (!s->opens || !UX_PS_IS_OPEN_BADGE(b))
		return -LX_ENOENT;
	const struct ux_ps_open *e = &s->opens[UX_PS_BADGE_SLOT(b)];
	/* the process server writes the badge last on open, and changes
	 * nothing else while it stands: the same badge after the fields
	 * means they are its */
	if (__atomic_load_n(&e->badge, __ATOMIC_ACQUIRE) != b)
		return -LX_ENOENT;
	c->pid = __atomic_load_n(&e->pid, __ATOMIC_RELAXED);
	c->uid = __atomic_load_n(&e->uid, __ATOMIC_RELAXED);
	c->gid = __atomic_load_n(&e->gid, __ATOMIC_RELAXED);
	c->flags = __atomic_load_n(&e->flags, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&e->badge, __ATOMIC_RELAXED) == b ? 0
								 : -LX_ENOENT;
}

/* The open file s->open[i] knew is closed: the server is told, with no
 * one to answer. */
static void
open_closed(struct srv *s, unsigned i)
{
	struct srv_req rq = {.srv = s, .badge = s->open[i].badge,
			     .file = s->open[i].file, .op = UX_FILE_CLOSE,
			     .reply = -1};
	s->open[i] = (struct srv_open){0};
	if (s->ops->close)
		s->ops->close(&rq);
}

/* The table's notification: close what it no longer shows. */
static void
opens_scan(struct srv *s)
{
	for (unsigned i = 0; i < UX_PS_OPENS_MAX; i++)
		if (s->open[i].badge &&
		    __atomic_load_n(&s->opens[i].badge, __ATOMIC_ACQUIRE) !=
			    s->open[i].badge)
			open_closed(s, i);
}

/* A file request through per-open badge rq->badge: who opened it, and
 * what ops->open made of it (asked now if the badge is new); 0 or the
 * error to answer. */
static int64_t
open_lookup(struct srv_req *rq)
{
	struct srv *s = rq->srv;
	unsigned i = UX_PS_BADGE_SLOT(rq->badge);
	struct srv_open *o = &s->open[i];
	if (srv_client(s, rq->badge, &rq->client)) {
		if (o->badge == rq->badge) /* closed, the notice not yet seen */
			open_closed(s, i);
		rq->client.pid = 0;
		return -LX_EBADF;
	}
	if (o->badge == rq->badge) {
		rq->file = o->file;
		return 0;
	}
	if (o->badge) /* the entry's earlier open file went */
		open_closed(s, i);
	rq->file = NULL;
	int64_t r = s->ops->open ? s->ops->open(rq) : 0;
	if (r < 0)
		return r == SRV_NO_REPLY ? -LX_EIO : r;
	*o = (struct srv_open){rq->badge, rq->file};
	return 0;
}

/* --- decode and dispatch ------------------------------------------- */

/* The request in m, as the operations see it. */
static void
decode(struct srv *s, struct ux_msg *m, struct srv_req *rq)
{
	struct ux_ipc_buffer *b = k_ipcbuf();
	unsigned n = ux_mi_len(m->info);
	*rq = (struct srv_req){.srv = s, .badge = m->badge, .msg = m,
			       .op = (unsigned)ux_mi_label(m->info),
			       .reply = (int)s->cur};
	rq->off = n > 0 ? m->mr[0] : 0;
	rq->count = n > 1 ? m->mr[1] : 0;
	if (m->info & UX_MI_LONG) {
		rq->data = s->buf;
		rq->len = min64(b->long_xfer, SRV_MSG_MAX);
	}
	if (rq->op == UX_FILE_READ)
		rq->count = min64(rq->count, SRV_MSG_MAX);
	else if (rq->op == UX_FILE_WRITE)
		rq->count = min64(rq->count, rq->len);
}

/* pread64/pwrite64's offset is signed: negative is EINVAL. (-1 is the
 * protocol's "no offset" and cannot be told from read/write.) */
static bool
bad_offset(uint64_t off)
{
	return off != SRV_OFF_NONE && (int64_t)off < 0;
}

static int64_t
op_read(struct srv_req *rq, size_t *out)
{
	const struct srv_ops *o = rq->srv->ops;
	if (rq->off != SRV_OFF_NONE && !o->seek)
		return -LX_ESPIPE;
	if (!o->read)
		return -LX_EINVAL;
	int64_t r = o->read(rq, rq->srv->buf, rq->count, rq->off);
	if (r > 0)
		*out = (size_t)min64((uint64_t)r, rq->count);
	return r;
}

static int64_t
op_write(struct srv_req *rq)
{
	const struct srv_ops *o = rq->srv->ops;
	if (rq->off != SRV_OFF_NONE && !o->seek)
		return -LX_ESPIPE;
	if (!o->write)
		return -LX_EINVAL;
	int64_t r = o->write(rq, rq->srv->buf, rq->count, rq->off);
	return r > 0 && (uint64_t)r > rq->count ? (int64_t)rq->count : r;
}

static int64_t
op_seek(struct srv_req *rq)
{
	const struct srv_ops *o = rq->srv->ops;
	if (rq->count > SEEK_MAX)
		return -LX_EINVAL;
	if (!o->seek)
		return -LX_ESPIPE;
	return o->seek(rq, (int64_t)rq->off, (int)rq->count);
}

static int64_t
op_ioctl(struct srv_req *rq, size_t *out)
{
	const struct srv_ops *o = rq->srv->ops;
	if (!o->ioctl)
		return -LX_ENOTTY;
	int64_t r = o->ioctl(rq, rq->off, rq->count, rq->srv->buf, rq->len,
			     out);
	*out = (size_t)min64(*out, SRV_MSG_MAX);
	return r;
}

/* A UX_FILE_* request: checks in Linux's order, then the operation.
 * *out is the bytes of srv->buf to send back. */
static int64_t
file_request(struct srv_req *rq, size_t *out)
{
	struct srv *s = rq->srv;
	bool io = rq->op == UX_FILE_READ || rq->op == UX_FILE_WRITE;
	unsigned need = rq->op == UX_FILE_CLOSE ? 0 : 2;
	if (ux_mi_len(rq->msg->info) < need || (io && bad_offset(rq->off)))
		return -LX_EINVAL;
	if (s->opens && UX_PS_IS_OPEN_BADGE(rq->badge)) {
		/* a close is the process server's to tell, not a client's */
		int64_t r = rq->op == UX_FILE_CLOSE ? -LX_EINVAL
						    : open_lookup(rq);
		if (r)
			return r;
	} else if (s->ops->lookup &&
		   !(rq->file = s->ops->lookup(s, rq->badge))) {
		return -LX_EBADF;
	}
	switch (rq->op) {
	case UX_FILE_READ: return op_read(rq, out);
	case UX_FILE_WRITE: return op_write(rq);
	case UX_FILE_SEEK: return op_seek(rq);
	case UX_FILE_IOCTL: return op_ioctl(rq, out);
	default: return s->ops->close ? s->ops->close(rq) : 0;
	}
}

static bool
is_file_op(unsigned op)
{
	return op == UX_FILE_READ || op == UX_FILE_WRITE ||
	       op == UX_FILE_SEEK || op == UX_FILE_IOCTL ||
	       op == UX_FILE_CLOSE;
}

bool
srv_handle(struct srv *s, struct ux_msg *m)
{
	struct srv_req rq;
	size_t out = 0;
	int64_t r;

	if (m->info == 0 && m->badge) { /* a bound notification's word */
		uint64_t bits = m->badge;
		if (s->opens && (bits & s->closed_bit)) {
			opens_scan(s);
			bits &= ~s->closed_bit;
		}
		if (bits && s->ops->notify)
			s->ops->notify(s, bits);
		return false;
	}
	decode(s, m, &rq);
	if (is_file_op(rq.op))
		r = file_request(&rq, &out);
	else
		r = s->ops->other ? s->ops->other(&rq) : -LX_ENOSYS;
	if (rq.reply < 0) /* answered or deferred by the operation */
		return false;
	if (r == SRV_NO_REPLY)
		r = -LX_EIO; /* a server bug: the caller must not hang */
	answer_build(&rq, r, out ? s->buf : NULL, out, m);
	return true;
}

/* --- the loop ------------------------------------------------------ */

/* Every receive takes a long message into s->buf. */
static uint64_t
recv_setup(struct srv *s)
{
	struct ux_ipc_buffer *b = k_ipcbuf();
	b->recv_buf = (uint64_t)s->buf;
	b->recv_len = SRV_MSG_MAX;
	return s->reply0 + s->cur;
}

long
srv_run(struct srv *s)
{
	struct ux_msg m = {0};
	long e = k_recv(s->ep, recv_setup(s), &m);
	while (e == UX_OK) {
		bool answer = srv_handle(s, &m);
		if (s->stop) {
			if (answer)
				k_reply(s->reply0 + s->cur, &m);
			return UX_OK;
		}
		uint64_t reply = recv_setup(s);
		if (answer) {
			e = k_reply_recv(s->ep, reply, &m);
		} else {
			m = (struct ux_msg){0};
			e = k_recv(s->ep, reply, &m);
		}
	}
	return e;
}
