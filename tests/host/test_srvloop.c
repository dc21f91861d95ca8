/*
 * test_srvloop.c - host unit test of the server library
 * (user/lib/srvloop.c, compiled unchanged with HOST_TEST): this file is
 * the kernel (k_recv, k_reply_recv, k_reply, k_ipcbuf) and the server.
 *
 * The fake kernel plays a script of messages. Each one that is a call
 * binds its caller to the reply object the receive named, as the real
 * kernel does; a reply through that object is recorded as the caller's
 * answer (result, flags, long message), and a receive on an object that
 * still holds a caller cancels it (recorded: the library must never let
 * that happen). A caller can be marked gone (its call interrupted): the
 * reply is then refused. The groups:
 *  - decoding: read, pread, write, pwrite, lseek, ioctl, close reach the
 *    operations with the right arguments and per-open-file state;
 *  - the errors the library answers itself: a missing operation (EINVAL,
 *    ESPIPE, ENOTTY, 0, ENOSYS), an unknown badge (EBADF), a negative
 *    pread offset and a bad whence (EINVAL), a truncated request;
 *  - long messages: a 64 KiB write, counts that disagree with the data,
 *    a read asking for more than a message, an answer claiming more;
 *  - deferral: waiting readers hold reply objects, are answered later in
 *    order, a gone caller is told apart, the pool runs out cleanly;
 *  - notifications, the server's own labels, srv_stop, kernel errors;
 *  - per-open badges: the open table says who opened a badge, open is
 *    called once per badge, close when the table's notification bit
 *    comes or the entry holds another badge, EBADF for what the table
 *    does not show, a torn entry is never believed;
 *  - random messages: every call answered exactly once, never cancelled.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include "htest.h"
#include "srvloop.h"

#define EP 7
#define REPLY0 100
#define MAXMSG 4096

/* --- the fake kernel ------------------------------------------------ */

struct fmsg {
	uint64_t info, badge, mr[4];
	const void *data;
	size_t len;
	bool call; /* a Call (false: a notification or a Send) */
	void (*before)(void); /* run as it is received (the process server
				 changing the open table meanwhile) */
};

struct answer {
	bool got, cancelled, gone;
	unsigned count;     /* answers received (must stay <= 1) */
	uint64_t info, mr[4];
	uint8_t data[UX_MSG_LONG_MAX];
	size_t len;
};

static struct fmsg script[MAXMSG];
static unsigned nscript, next;
static struct answer ans[MAXMSG];
static int bound[SRV_MAX_REPLY]; /* caller (script index) or -1 */
static struct ux_ipc_buffer ipc;
static long end_error = UX_E_CANCELLED;

static void
fake_reset(void)
{
	nscript = next = 0;
	memset(ans, 0, sizeof ans);
	for (unsigned i = 0; i < SRV_MAX_REPLY; i++)
		bound[i] = -1;
	memset(&ipc, 0, sizeof ipc);
	end_error = UX_E_CANCELLED;
}

/* Add a message to the script; its index identifies its caller. */
static unsigned
push(unsigned label, unsigned nmr, uint64_t badge, uint64_t mr0,
     uint64_t mr1, const void *data, size_t len)
{
	struct fmsg *f = &script[nscript];
	*f = (struct fmsg){.info = ux_msginfo(label, nmr, 0,
					     data ? UX_MI_LONG : 0),
			   .badge = badge, .mr = {mr0, mr1}, .data = data,
			   .len = len, .call = true};
	return nscript++;
}

struct ux_ipc_buffer *
k_ipcbuf(void)
{
	return &ipc;
}

long
k_reply(uint64_t reply, struct ux_msg *m)
{
	unsigned i = (unsigned)(reply - REPLY0);
	if (i >= SRV_MAX_REPLY)
		return UX_E_INVALID_CAPABILITY;
	int c = bound[i];
	if (c < 0)
		return UX_E_ILLEGAL_OPERATION;
	bound[i] = -1;
	if (ans[c].gone)
		return UX_E_ILLEGAL_OPERATION;
	struct answer *a = &ans[c];
	a->got = true;
	a->count++;
	a->info = m->info;
	memcpy(a->mr, m->mr, sizeof a->mr);
	a->len = 0;
	if (m->info & UX_MI_LONG) {
		a->len = ipc.send_len < sizeof a->data ? ipc.send_len
						       : sizeof a->data;
		memcpy(a->data, (const void *)ipc.send_buf, a->len);
	}
	return UX_OK;
}

long
k_recv(uint64_t ep, uint64_t reply, struct ux_msg *m)
{
	unsigned i = (unsigned)(reply - REPLY0);
	if (ep != EP || i >= SRV_MAX_REPLY)
		return UX_E_INVALID_CAPABILITY;
	if (bound[i] >= 0) { /* as the kernel: the old caller is cancelled */
		ans[bound[i]].cancelled = true;
		bound[i] = -1;
	}
	if (next == nscript)
		return end_error;
	struct fmsg *f = &script[next];
	if (f->before)
		f->before();
	*m = (struct ux_msg){.info = f->info, .badge = f->badge};
	memcpy(m->mr, f->mr, sizeof f->mr);
	ipc.long_xfer = ipc.long_total = 0;
	if (f->data) {
		size_t n = f->len < ipc.recv_len ? f->len : ipc.recv_len;
		memcpy((void *)ipc.recv_buf, f->data, n);
		ipc.long_xfer = n;
		ipc.long_total = f->len;
	}
	if (f->call)
		bound[i] = (int)next;
	next++;
	return UX_OK;
}

long
k_reply_recv(uint64_t ep, uint64_t reply, struct ux_msg *m)
{
	unsigned i = (unsigned)(reply - REPLY0);
	if (i < SRV_MAX_REPLY && bound[i] >= 0)
		k_reply(reply, m);
	return k_recv(ep, reply, m);
}

/* --- a server: one in-memory file, two open files (badges 1, 2) ---- */

static struct srv srv;
static uint8_t mem[8192];
static uint64_t mem_size;
static struct mfile {
	uint64_t off;
	bool closed;
} files[3];
static uint64_t last_ioctl[2], last_seek[2], notified;
static struct srv_req *waiting[SRV_MAX_REPLY];
static unsigned nwaiting;
static bool answer_gone_seen;

static void *
m_lookup(struct srv *s, uint64_t badge)
{
	(void)s;
	return badge >= 1 && badge <= 2 && !files[badge].closed
		       ? &files[badge]
		       : NULL;
}

/* Read: what is there; at end of file wait (deferred) for a write. */
static int64_t
m_read(struct srv_req *rq, void *buf, uint64_t n, uint64_t off)
{
	struct mfile *f = rq->file;
	uint64_t at = off == SRV_OFF_NONE ? f->off : off;
	if (at >= mem_size) {
		struct srv_req *w = srv_defer(rq);
		if (!w)
			return -LX_EAGAIN;
		w->user = f;
		waiting[nwaiting++] = w;
		return SRV_NO_REPLY;
	}
	n = n < mem_size - at ? n : mem_size - at;
	memcpy(buf, mem + at, n);
	if (off == SRV_OFF_NONE)
		f->off += n;
	return (int64_t)n;
}

/* Answer the waiting readers from their offsets. */
static void
m_wake(void)
{
	for (unsigned i = 0; i < nwaiting; i++) {
		struct srv_req *w = waiting[i];
		struct mfile *f = w->user;
		uint64_t n = mem_size - f->off;
		n = n < w->count ? n : w->count;
		if (srv_answer(w, (int64_t)n, mem + f->off, n))
			f->off += n;
		else
			answer_gone_seen = true;
	}
	nwaiting = 0;
}

static int64_t
m_write(struct srv_req *rq, const void *buf, uint64_t n, uint64_t off)
{
	struct mfile *f = rq->file;
	uint64_t at = off == SRV_OFF_NONE ? mem_size : off;
	if (at >= sizeof mem)
		return -LX_ENOSPC;
	n = n < sizeof mem - at ? n : sizeof mem - at;
	memcpy(mem + at, buf, n);
	if (at + n > mem_size)
		mem_size = at + n;
	(void)f;
	m_wake();
	return (int64_t)n;
}

static int64_t
m_seek(struct srv_req *rq, int64_t off, int whence)
{
	struct mfile *f = rq->file;
	int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t)f->off
			 : whence == 2 ? (int64_t)mem_size : -1;
	last_seek[0] = (uint64_t)off, last_seek[1] = (uint64_t)whence;
	if (base < 0 || base + off < 0)
		return -LX_EINVAL;
	f->off = (uint64_t)(base + off);
	return (int64_t)f->off;
}

/* ioctl 1: the size as 8 bytes out; 2: echo the input reversed. */
static int64_t
m_ioctl(struct srv_req *rq, uint64_t cmd, uint64_t arg, void *io,
	size_t in, size_t *out)
{
	uint8_t *b = io, t;
	(void)rq;
	last_ioctl[0] = cmd, last_ioctl[1] = arg;
	if (cmd == 1) {
		memcpy(io, &mem_size, 8);
		*out = 8;
		return 0;
	}
	if (cmd != 2)
		return -LX_ENOTTY;
	for (size_t i = 0; i < in / 2; i++)
		t = b[i], b[i] = b[in - 1 - i], b[in - 1 - i] = t;
	*out = in;
	return (int64_t)in;
}

static int64_t
m_close(struct srv_req *rq)
{
	((struct mfile *)rq->file)->closed = true;
	return 0;
}

/* Label 50: answer two registers; 51: stop the server; 52: forget to
 * answer (a bug the library covers); others ENOSYS. */
static int64_t
m_other(struct srv_req *rq)
{
	struct ux_msg m = {.info = ux_msginfo(0, 2, 0, 0),
			   .mr = {rq->badge + 1, 4242}};
	switch (rq->op) {
	case 50: srv_answer_msg(rq, &m); return SRV_NO_REPLY;
	case 51: srv_stop(rq->srv); return 7;
	case 52: return SRV_NO_REPLY;
	default: return -LX_ENOSYS;
	}
}

static void
m_notify(struct srv *s, uint64_t bits)
{
	(void)s;
	notified |= bits;
}

static const struct srv_ops mem_ops = {
	.lookup = m_lookup, .read = m_read, .write = m_write,
	.seek = m_seek, .ioctl = m_ioctl, .close = m_close,
	.other = m_other, .notify = m_notify,
};
static const struct srv_ops no_ops;

static void
server_reset(const struct srv_ops *ops, unsigned nreply)
{
	fake_reset();
	memset(mem, 0, sizeof mem);
	memset(files, 0, sizeof files);
	mem_size = 0;
	nwaiting = 0;
	notified = 0;
	memset(last_seek, 0, sizeof last_seek);
	answer_gone_seen = false;
	srv_init(&srv, ops, EP, REPLY0, nreply);
}

static int64_t
res(unsigned i)
{
	return (int64_t)ans[i].mr[0];
}

/* No caller was cancelled, none answered twice. */
static void
check_clean(void)
{
	for (unsigned i = 0; i < nscript; i++) {
		CHECKF(!ans[i].cancelled, "request %u cancelled", i);
		CHECKF(ans[i].count <= 1, "request %u answered %u times", i,
		       ans[i].count);
	}
}

/* --- a server of per-open badges (the open table) ------------------ */

#define CLOSED_BIT (1ull << 62)
static struct ux_ps_open table[UX_PS_OPENS_MAX];
static struct pofile {
	uint64_t badge;
	struct srv_client who;
	unsigned reads;
} pofiles[8];
static unsigned po_opens, po_closes;
static uint64_t po_closed[8], po_log[16]; /* badges; +: open, ~: close */
static unsigned po_nlog;

static int64_t
po_open(struct srv_req *rq)
{
	if (rq->client.uid == 666)
		return -LX_EACCES;
	struct pofile *f = &pofiles[po_opens++ % 8];
	*f = (struct pofile){.badge = rq->badge, .who = rq->client};
	rq->file = f;
	po_log[po_nlog++ % 16] = rq->badge;
	return 0;
}

static int64_t
po_close(struct srv_req *rq)
{
	struct pofile *f = rq->file;
	CHECK(f && f->badge == rq->badge);
	CHECK_EQ(rq->client.pid, 0);
	CHECK(!srv_defer(rq)); /* nobody to answer */
	po_closed[po_closes++ % 8] = rq->badge;
	po_log[po_nlog++ % 16] = ~rq->badge;
	return 0;
}

/* Its answer: the opener's pid, uid, flags now and the reads so far. */
static int64_t
po_read(struct srv_req *rq, void *buf, uint64_t n, uint64_t off)
{
	struct pofile *f = rq->file;
	if (!f)
		return -LX_EINVAL; /* not through a per-open badge */
	uint64_t v[4] = {(uint64_t)rq->client.pid, rq->client.uid,
			 rq->client.flags, ++f->reads};
	(void)off;
	memcpy(buf, v, n < sizeof v ? n : sizeof v);
	return n < sizeof v ? (int64_t)n : (int64_t)sizeof v;
}

static const struct srv_ops po_ops = {
	.open = po_open, .close = po_close, .read = po_read,
	.notify = m_notify,
};

#define B1 UX_PS_BADGE(1, 1, 3)
#define B2 UX_PS_BADGE(1, 2, 5)
#define B4 UX_PS_BADGE(1, 4, 5)
#define B5 UX_PS_BADGE(2, 5, 9)

static void
entry(uint64_t b, int32_t pid, uint32_t uid, uint32_t flags)
{
	struct ux_ps_open *e = &table[UX_PS_BADGE_SLOT(b)];
	*e = (struct ux_ps_open){.badge = b, .pid = pid, .uid = uid,
				 .gid = 100, .flags = flags};
}

static void set_flags(void) { table[5].flags = 04000 | 1; }
static void close_b1(void) { table[3].badge = 0; }
static void reuse_5(void) { entry(B4, 13, 1001, 0); }

static void
po_reset(void)
{
	server_reset(&po_ops, 4);
	srv_opens(&srv, table, CLOSED_BIT);
	memset(table, 0, sizeof table);
	memset(pofiles, 0, sizeof pofiles);
	po_opens = po_closes = po_nlog = 0;
	entry(B1, 10, 1000, 2);
	entry(B2, 11, 1001, 0);
	entry(B5, 12, 666, 0);
}

static uint64_t
word(unsigned i, unsigned k)
{
	uint64_t v;
	memcpy(&v, ans[i].data + 8 * k, 8);
	return v;
}

static void
test_opens(void)
{
	htest_group("per-open badges");
	po_reset();
	unsigned r1 = push(UX_FILE_READ, 2, B1, SRV_OFF_NONE, 32, NULL, 0);
	unsigned r1b = push(UX_FILE_READ, 2, B1, SRV_OFF_NONE, 32, NULL, 0);
	unsigned r2 = push(UX_FILE_READ, 2, B2, SRV_OFF_NONE, 32, NULL, 0);
	unsigned r2f = push(UX_FILE_READ, 2, B2, SRV_OFF_NONE, 32, NULL, 0);
	script[r2f].before = set_flags; /* F_SETFL meanwhile */
	unsigned bad = push(UX_FILE_READ, 2, UX_PS_BADGE(1, 3, 7),
			    SRV_OFF_NONE, 32, NULL, 0); /* not in the table */
	unsigned old = push(UX_FILE_READ, 2, UX_PS_BADGE(1, 9, 3),
			    SRV_OFF_NONE, 32, NULL, 0); /* entry 3 is B1's */
	unsigned cl = push(UX_FILE_CLOSE, 0, B1, 0, 0, NULL, 0);
	unsigned ref = push(UX_FILE_READ, 2, B5, SRV_OFF_NONE, 32, NULL, 0);
	unsigned ref2 = push(UX_FILE_READ, 2, B5, SRV_OFF_NONE, 32, NULL, 0);
	unsigned nt = push(0, 0, CLOSED_BIT | 4, 0, 0, NULL, 0);
	script[nt].call = false;
	script[nt].info = 0;
	script[nt].before = close_b1; /* the last close, then its notice */
	unsigned gone = push(UX_FILE_READ, 2, B1, SRV_OFF_NONE, 32, NULL, 0);
	unsigned r4 = push(UX_FILE_READ, 2, B4, SRV_OFF_NONE, 32, NULL, 0);
	script[r4].before = reuse_5; /* B2 closed, entry 5 reused: no notice */
	unsigned stale = push(UX_FILE_READ, 2, B2, SRV_OFF_NONE, 32, NULL, 0);
	unsigned nt2 = push(0, 0, CLOSED_BIT, 0, 0, NULL, 0);
	script[nt2].call = false;
	script[nt2].info = 0;
	unsigned plain = push(UX_FILE_READ, 2, 1, SRV_OFF_NONE, 32, NULL, 0);
	CHECK_EQ(srv_run(&srv), UX_E_CANCELLED);
	check_clean();
	/* who opened it; open once per badge */
	CHECK_EQ(res(r1), 32);
	CHECK_EQ(word(r1, 0), 10);
	CHECK_EQ(word(r1, 1), 1000);
	CHECK_EQ(word(r1, 2), 2);
	CHECK_EQ(word(r1b, 3), 2); /* the same file: its second read */
	CHECK_EQ(word(r2, 0), 11);
	CHECK_EQ(word(r2, 3), 1);
	CHECK_EQ(word(r2f, 2), 04001); /* the flags as they are now */
	CHECK_EQ(pofiles[1].who.flags, 0); /* as they were at the open */
	CHECK_EQ(res(bad), -LX_EBADF);
	CHECK_EQ(res(old), -LX_EBADF);
	CHECK_EQ(res(cl), -LX_EINVAL); /* a client cannot say it */
	CHECK_EQ(res(ref), -LX_EACCES); /* open refused ... */
	CHECK_EQ(res(ref2), -LX_EACCES); /* ... and asked again */
	/* the notice closes B1 (the other bits go to notify) */
	CHECK_EQ(notified, 4);
	CHECK_EQ(po_closed[0], B1);
	CHECK_EQ(res(gone), -LX_EBADF);
	/* entry 5 now B4: B2 closed first, then B4 opened */
	CHECK_EQ(res(r4), 32);
	CHECK_EQ(word(r4, 0), 13);
	CHECK_EQ(po_closes, 2);
	CHECK_EQ(po_closed[1], B2);
	CHECK_EQ(po_nlog, 5);
	CHECK_EQ(po_log[3], ~B2);
	CHECK_EQ(po_log[4], B4);
	CHECK_EQ(res(stale), -LX_EBADF);
	CHECK_EQ(po_closes, 2); /* a bare notice: nothing more to close */
	CHECK_EQ(notified, 4);
	CHECK_EQ(po_opens, 3); /* B1, B2, B4: never the refused one */
	/* a badge with no tag is the server's own: no table, no open */
	CHECK_EQ(res(plain), -LX_EINVAL);
	(void)nt2;

	/* srv_client: the table now; a torn entry is not believed */
	struct srv_client c;
	CHECK_EQ(srv_client(&srv, B4, &c), 0);
	CHECK_EQ(c.pid, 13);
	CHECK_EQ(c.gid, 100);
	CHECK_EQ(srv_client(&srv, B1, &c), -LX_ENOENT);
	CHECK_EQ(srv_client(&srv, 5, &c), -LX_ENOENT);
	table[5].badge = B2; /* no longer B4 */
	CHECK_EQ(srv_client(&srv, B4, &c), -LX_ENOENT);
	struct srv other;
	srv_init(&other, &po_ops, EP, REPLY0, 2);
	CHECK_EQ(srv_client(&other, B2, &c), -LX_ENOENT); /* no table */
}

/* --- the groups ----------------------------------------------------- */

static void
test_decode(void)
{
	static const char hello[] = "hello, world";
	uint8_t rev[4] = {1, 2, 3, 4};
	htest_group("decode and dispatch");
	server_reset(&mem_ops, 4);
	unsigned w = push(UX_FILE_WRITE, 2, 1, SRV_OFF_NONE, 12, hello, 12);
	unsigned r = push(UX_FILE_READ, 2, 1, SRV_OFF_NONE, 5, NULL, 0);
	unsigned r2 = push(UX_FILE_READ, 2, 2, SRV_OFF_NONE, 100, NULL, 0);
	unsigned pr = push(UX_FILE_READ, 2, 1, 7, 3, NULL, 0);
	unsigned pw = push(UX_FILE_WRITE, 2, 2, 0, 1, "H", 1);
	unsigned sk = push(UX_FILE_SEEK, 2, 1, (uint64_t)-2, 2, NULL, 0);
	unsigned r3 = push(UX_FILE_READ, 2, 1, SRV_OFF_NONE, 100, NULL, 0);
	unsigned io = push(UX_FILE_IOCTL, 2, 1, 1, 99, NULL, 0);
	unsigned io2 = push(UX_FILE_IOCTL, 2, 2, 2, 5, rev, 4);
	unsigned io3 = push(UX_FILE_IOCTL, 2, 2, 3, 99, NULL, 0);
	unsigned cl = push(UX_FILE_CLOSE, 0, 2, 0, 0, NULL, 0);
	unsigned after = push(UX_FILE_READ, 2, 2, SRV_OFF_NONE, 1, NULL, 0);
	CHECK_EQ(srv_run(&srv), UX_E_CANCELLED);
	check_clean();
	CHECK_EQ(res(w), 12);
	CHECK_EQ(ux_mi_len(ans[w].info), 1);
	CHECK(!(ans[w].info & UX_MI_LONG));
	CHECK(!memcmp(mem + 1, hello + 1, 11));
	CHECK_EQ(res(r), 5);
	CHECK(ans[r].info & UX_MI_LONG);
	CHECK_EQ(ans[r].len, 5);
	CHECK(!memcmp(ans[r].data, "hello", 5));
	CHECK_EQ(res(r2), 12); /* badge 2 has its own offset */
	CHECK(!memcmp(ans[r2].data, hello, 12));
	CHECK_EQ(res(pr), 3); /* pread: at 7, offset unchanged */
	CHECK(!memcmp(ans[pr].data, "wor", 3));
	CHECK_EQ(res(pw), 1);
	CHECK_EQ(mem[0], 'H');
	CHECK_EQ(res(sk), 10); /* SEEK_END - 2 */
	CHECK_EQ(last_seek[1], 2);
	CHECK_EQ(res(r3), 2);
	CHECK(!memcmp(ans[r3].data, "ld", 2));
	CHECK_EQ(res(io), 0);
	CHECK_EQ(ans[io].len, 8);
	CHECK_EQ(*(uint64_t *)ans[io].data, 12);
	CHECK_EQ(res(io2), 4);
	CHECK(!memcmp(ans[io2].data, "\4\3\2\1", 4));
	CHECK_EQ(res(io3), -LX_ENOTTY);
	CHECK(!(ans[io3].info & UX_MI_LONG));
	CHECK_EQ(last_ioctl[0], 3);
	CHECK_EQ(last_ioctl[1], 99);
	CHECK_EQ(res(cl), 0);
	CHECK(files[2].closed);
	CHECK_EQ(res(after), -LX_EBADF); /* closed: lookup says no */
}

/* The library's own answers: a server with no operations at all, and
 * the mem server for badges and malformed requests. */
static void
test_missing(void)
{
	htest_group("missing operations and bad requests");
	server_reset(&no_ops, 4);
	unsigned rd = push(UX_FILE_READ, 2, 1, SRV_OFF_NONE, 5, NULL, 0);
	unsigned wr = push(UX_FILE_WRITE, 2, 1, SRV_OFF_NONE, 1, "x", 1);
	unsigned sk = push(UX_FILE_SEEK, 2, 1, 0, 0, NULL, 0);
	unsigned skw = push(UX_FILE_SEEK, 2, 1, 0, 5, NULL, 0);
	unsigned pr = push(UX_FILE_READ, 2, 1, 0, 5, NULL, 0);
	unsigned pw = push(UX_FILE_WRITE, 2, 1, 3, 1, "x", 1);
	unsigned io = push(UX_FILE_IOCTL, 2, 1, 0x5401, 0, NULL, 0);
	unsigned cl = push(UX_FILE_CLOSE, 0, 1, 0, 0, NULL, 0);
	unsigned un = push(99, 1, 0, 0, 0, NULL, 0);
	unsigned zero = push(0, 0, 0, 0, 0, NULL, 0); /* no badge: a call */
	CHECK_EQ(srv_run(&srv), UX_E_CANCELLED);
	check_clean();
	CHECK_EQ(res(rd), -LX_EINVAL);
	CHECK_EQ(res(wr), -LX_EINVAL);
	CHECK_EQ(res(sk), -LX_ESPIPE);
	CHECK_EQ(res(skw), -LX_EINVAL); /* whence first */
	CHECK_EQ(res(pr), -LX_ESPIPE);  /* a stream: no pread */
	CHECK_EQ(res(pw), -LX_ESPIPE);
	CHECK_EQ(res(io), -LX_ENOTTY);
	CHECK_EQ(res(cl), 0);
	CHECK_EQ(res(un), -LX_ENOSYS);
	CHECK_EQ(res(zero), -LX_ENOSYS);

	server_reset(&mem_ops, 4);
	unsigned bad[5], neg, neg2, trunc, trunc2, trunc3, oth, bug;
	for (unsigned op = UX_FILE_READ; op <= UX_FILE_CLOSE; op++)
		bad[op - 1] = push(op, 2, 9, SRV_OFF_NONE, 1, NULL, 0);
	unsigned zb = push(UX_FILE_READ, 2, 0, SRV_OFF_NONE, 1, NULL, 0);
	neg = push(UX_FILE_READ, 2, 9, (uint64_t)-5, 1, NULL, 0);
	neg2 = push(UX_FILE_WRITE, 2, 1, 1ull << 63, 1, "x", 1);
	trunc = push(UX_FILE_READ, 1, 1, SRV_OFF_NONE, 0, NULL, 0);
	trunc2 = push(UX_FILE_SEEK, 0, 1, 0, 0, NULL, 0);
	trunc3 = push(UX_FILE_IOCTL, 1, 1, 1, 0, NULL, 0);
	oth = push(50, 0, 3, 0, 0, NULL, 0);
	bug = push(52, 0, 3, 0, 0, NULL, 0);
	unsigned skb = push(UX_FILE_SEEK, 2, 1, 0, 7, NULL, 0);
	CHECK_EQ(srv_run(&srv), UX_E_CANCELLED);
	check_clean();
	for (unsigned op = 0; op < 5; op++)
		CHECKF(res(bad[op]) == -LX_EBADF, "op %u: %lld", op + 1,
		       (long long)res(bad[op]));
	CHECK_EQ(res(zb), -LX_EBADF);
	CHECK_EQ(res(neg), -LX_EINVAL); /* before the badge, as Linux */
	CHECK_EQ(res(neg2), -LX_EINVAL);
	CHECK_EQ(res(trunc), -LX_EINVAL);
	CHECK_EQ(res(trunc2), -LX_EINVAL);
	CHECK_EQ(res(trunc3), -LX_EINVAL);
	CHECK_EQ(ux_mi_len(ans[oth].info), 2);
	CHECK_EQ(ans[oth].mr[0], 4);
	CHECK_EQ(ans[oth].mr[1], 4242);
	CHECK_EQ(res(bug), -LX_EIO);
	CHECK_EQ(res(skb), -LX_EINVAL);
	CHECK_EQ(last_seek[1], 0); /* never reached the operation */
}

static void
test_long(void)
{
	static uint8_t big[UX_MSG_LONG_MAX + 100];
	htest_group("long messages");
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 13 + 1);
	server_reset(&mem_ops, 4);
	unsigned w = push(UX_FILE_WRITE, 2, 1, 0, 8000, big, 8000);
	unsigned w2 = push(UX_FILE_WRITE, 2, 1, 0, 9000, big, 100);
	unsigned w3 = push(UX_FILE_WRITE, 2, 1, 100, 5, big, 100);
	unsigned w0 = push(UX_FILE_WRITE, 2, 1, 0, 10, NULL, 0);
	unsigned r = push(UX_FILE_READ, 2, 1, 0, 1ull << 30, NULL, 0);
	CHECK_EQ(srv_run(&srv), UX_E_CANCELLED);
	check_clean();
	CHECK_EQ(res(w), 8000);
	CHECK_EQ(res(w2), 100); /* MR1 says more than arrived */
	CHECK_EQ(res(w3), 5);   /* MR1 says less */
	CHECK_EQ(res(w0), 0);   /* no data at all */
	CHECK_EQ(res(r), 8000);
	CHECK_EQ(ans[r].len, 8000);
	CHECK(!memcmp(ans[r].data, big, 100));
	CHECK(!memcmp(ans[r].data + 100, big, 5));
	CHECK(!memcmp(ans[r].data + 105, big + 105, 8000 - 105));

	/* a full message: the library's buffer holds all of it; more
	 * than a message is cut by the kernel to what fits */
	server_reset(&no_ops, 4);
	static const struct srv_ops ioctl_ops = {.ioctl = m_ioctl};
	srv.ops = &ioctl_ops;
	unsigned io = push(UX_FILE_IOCTL, 2, 1, 2, 0, big, UX_MSG_LONG_MAX);
	unsigned io2 = push(UX_FILE_IOCTL, 2, 1, 2, 0, big, sizeof big);
	CHECK_EQ(srv_run(&srv), UX_E_CANCELLED);
	check_clean();
	CHECK_EQ(res(io), UX_MSG_LONG_MAX);
	CHECK_EQ(ans[io].len, UX_MSG_LONG_MAX);
	CHECK_EQ(ans[io].data[0], big[UX_MSG_LONG_MAX - 1]);
	CHECK_EQ(ans[io].data[UX_MSG_LONG_MAX - 1], big[0]);
	CHECK_EQ(res(io2), UX_MSG_LONG_MAX);
}

/* A read whose operation claims more than it was asked, or than it
 * gave: the answer says what was sent. */
static int64_t
liar_read(struct srv_req *rq, void *buf, uint64_t n, uint64_t off)
{
	(void)off;
	memset(buf, 'x', n);
	if (rq->badge == 1)
		return (int64_t)n + 1000;
	srv_answer(rq, 50, "abc", 3);
	return 99; /* ignored: answered already */
}

static int64_t
liar_write(struct srv_req *rq, const void *buf, uint64_t n, uint64_t off)
{
	(void)rq, (void)buf, (void)off;
	return (int64_t)n * 2;
}

static void
test_clamp(void)
{
	static const struct srv_ops liar = {.read = liar_read,
					    .write = liar_write};
	htest_group("answers cut to the protocol");
	server_reset(&liar, 4);
	unsigned r = push(UX_FILE_READ, 2, 1, SRV_OFF_NONE, 10, NULL, 0);
	unsigned r2 = push(UX_FILE_READ, 2, 2, SRV_OFF_NONE, 2, NULL, 0);
	unsigned w = push(UX_FILE_WRITE, 2, 1, SRV_OFF_NONE, 4, "abcd", 4);
	CHECK_EQ(srv_run(&srv), UX_E_CANCELLED);
	check_clean();
	CHECK_EQ(res(r), 10);
	CHECK_EQ(ans[r].len, 10);
	CHECK_EQ(res(r2), 2); /* asked 2, offered 3, claimed 50 */
	CHECK_EQ(ans[r2].len, 2);
	CHECK_EQ(ans[r2].count, 1);
	CHECK_EQ(res(w), 4);
}

static void
test_defer(void)
{
	htest_group("deferred answers");
	server_reset(&mem_ops, 3); /* at most 2 waiting */
	unsigned r1 = push(UX_FILE_READ, 2, 1, SRV_OFF_NONE, 3, NULL, 0);
	unsigned r2 = push(UX_FILE_READ, 2, 2, SRV_OFF_NONE, 100, NULL, 0);
	unsigned r3 = push(UX_FILE_READ, 2, 1, SRV_OFF_NONE, 1, NULL, 0);
	unsigned io = push(UX_FILE_IOCTL, 2, 1, 1, 0, NULL, 0);
	unsigned w = push(UX_FILE_WRITE, 2, 1, SRV_OFF_NONE, 6, "abcdef", 6);
	end_error = UX_E_FAILED_LOOKUP;
	CHECK_EQ(srv_run(&srv), UX_E_FAILED_LOOKUP);
	check_clean();
	CHECK_EQ(res(r3), -LX_EAGAIN); /* no reply object left to wait on */
	CHECK(ans[io].got); /* served while two wait */
	CHECK_EQ(res(w), 6);
	CHECK(ans[r1].got && ans[r2].got);
	CHECK_EQ(res(r1), 3);
	CHECK(!memcmp(ans[r1].data, "abc", 3));
	CHECK_EQ(res(r2), 6);
	CHECK(!memcmp(ans[r2].data, "abcdef", 6));
	CHECK_EQ(files[1].off, 3);
	for (unsigned i = 0; i < 3; i++)
		CHECK(!srv.pend[i].waiting);
	CHECK(!answer_gone_seen);

	/* a waiting caller that went away: the answer is refused, told,
	 * and its reply object is free again */
	server_reset(&mem_ops, 2); /* one may wait */
	r1 = push(UX_FILE_READ, 2, 1, SRV_OFF_NONE, 3, NULL, 0);
	r2 = push(UX_FILE_READ, 2, 2, SRV_OFF_NONE, 3, NULL, 0);
	ans[r1].gone = true;
	w = push(UX_FILE_WRITE, 2, 1, SRV_OFF_NONE, 2, "xy", 2);
	r3 = push(UX_FILE_READ, 2, 1, SRV_OFF_NONE, 5, NULL, 0);
	unsigned w2 = push(UX_FILE_WRITE, 2, 2, SRV_OFF_NONE, 1, "z", 1);
	CHECK_EQ(srv_run(&srv), UX_E_CANCELLED);
	check_clean();
	CHECK(answer_gone_seen);
	CHECK(!ans[r1].got);
	CHECK_EQ(res(r2), -LX_EAGAIN);
	CHECK_EQ(res(w), 2);
	CHECK_EQ(res(r3), 2); /* the gone reader took nothing: "xy" */
	CHECK(!memcmp(ans[r3].data, "xy", 2));
	CHECK_EQ(res(w2), 1);

	/* srv_defer of a request that is already waiting, or answered */
	server_reset(&mem_ops, 4);
	struct ux_msg m = {.info = ux_msginfo(UX_FILE_READ, 2, 0, 0),
			   .badge = 1, .mr = {SRV_OFF_NONE, 4}};
	struct srv_req rq = {.srv = &srv, .badge = 1, .op = UX_FILE_READ,
			     .count = 4, .msg = &m, .reply = 0};
	struct srv_req *p = srv_defer(&rq);
	CHECK(p != NULL);
	CHECK_EQ(srv.cur, 1);
	CHECK(srv_defer(&rq) == NULL); /* the original is spent */
	CHECK(srv_defer(p) == NULL);   /* the copy is waiting */
	CHECK(!srv_answer(&rq, 0, NULL, 0));
	CHECK(!srv_answer(p, 0, NULL, 0)); /* no caller bound in the fake */
	CHECK(!p->waiting);
	CHECK(!srv_answer(p, 0, NULL, 0)); /* once only */
}

static void
test_loop(void)
{
	htest_group("notifications, stop, errors");
	server_reset(&mem_ops, 4);
	push(0, 0, 0x5, 0, 0, NULL, 0);
	script[0].call = false; /* a notification's word */
	unsigned r = push(UX_FILE_WRITE, 2, 1, SRV_OFF_NONE, 1, "q", 1);
	unsigned st = push(51, 0, 0, 0, 0, NULL, 0);
	unsigned never = push(UX_FILE_READ, 2, 1, 0, 1, NULL, 0);
	CHECK_EQ(srv_run(&srv), UX_OK);
	CHECK_EQ(notified, 5);
	CHECK_EQ(res(r), 1);
	CHECK_EQ(res(st), 7); /* answered before srv_run returned */
	CHECK(!ans[never].got);
	CHECK_EQ(next, never);

	server_reset(&mem_ops, 4);
	srv.ep = EP + 1; /* the kernel refuses the first receive */
	CHECK_EQ(srv_run(&srv), UX_E_INVALID_CAPABILITY);

	srv_init(&srv, &mem_ops, EP, REPLY0, 100);
	CHECK_EQ(srv.nreply, SRV_MAX_REPLY);
}

/* Random messages at the mem server: nothing crashes (the sanitizers
 * watch), every call is answered once or still waits, none cancelled,
 * and the reply-object invariant holds. */
static void
test_random(void)
{
	static uint8_t junk[3000];
	htest_group("random messages");
	srand(7);
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (uint8_t)rand();
	for (unsigned round = 0; round < 50; round++) {
		server_reset(&mem_ops, 2 + (unsigned)rand() % 7);
		for (unsigned i = 0; i < 60; i++) {
			uint64_t mrs[] = {SRV_OFF_NONE, 0, 1, 5, 4096, 9000,
					  (uint64_t)-3, 1ull << 40};
			unsigned label = 1 + (unsigned)rand() % 8;
			size_t len = (size_t)rand() % sizeof junk;
			unsigned k = push(label, (unsigned)rand() % 4,
					  (uint64_t)rand() % 4,
					  mrs[rand() % 8], mrs[rand() % 8],
					  rand() % 2 ? junk : NULL, len);
			script[k].call = rand() % 8 != 0;
			if (!script[k].call)
				script[k].info = 0;
		}
		CHECK_EQ(srv_run(&srv), UX_E_CANCELLED);
		unsigned w = 0;
		for (unsigned i = 0; i < srv.nreply; i++)
			w += srv.pend[i].waiting;
		CHECK(!srv.pend[srv.cur].waiting);
		CHECK(w < srv.nreply);
		for (unsigned i = 0; i < nscript; i++) {
			bool waits = false;
			for (unsigned j = 0; j < srv.nreply; j++)
				waits |= bound[j] == (int)i &&
					 srv.pend[j].waiting;
			if (script[i].call)
				CHECKF(ans[i].count == 1 || waits,
				       "round %u request %u: %u answers",
				       round, i, ans[i].count);
			CHECKF(!ans[i].cancelled, "round %u request %u "
			       "cancelled", round, i);
		}
	}
}

int
main(void)
{
	test_decode();
	htest_group_end();
	test_missing();
	htest_group_end();
	test_long();
	htest_group_end();
	test_clamp();
	htest_group_end();
	test_defer();
	htest_group_end();
	test_loop();
	htest_group_end();
	test_opens();
	htest_group_end();
	test_random();
	return htest_finish("test_srvloop");
}
