/*
 * test_srvloop.c - the server library (user/lib/srvloop.c) on the real
 * kernel: a small server runs srv_run in a thread of its own, Linux
 * threads reach it with read/write/pread64/lseek through the kernel's file
 * transport (two open files: badges 1 and 2, and 9 that names none), the
 * test itself calls it natively for ioctl, close and its own labels, and a
 * notification bound to its TCB reaches its notify operation.
 *
 * The server is a message log in the manner of Linux's /dev/kmsg: each
 * write is one record; each read returns the next record of that open
 * file (EINVAL if the buffer is too small), and waits (srv_defer) when
 * there is none yet; lseek(0, SEEK_SET) goes back to the first record,
 * lseek(0, SEEK_END) past the last. A notification appends a "tick"
 * record, so a waiting reader is answered from the notify operation, as
 * the console answers from its interrupt. A reader whose call was taken
 * away (its thread suspended) refuses the answer and keeps its place.
 */
#include "ktest.h"
#include <srvloop.h>

#define LOG_MAX 16  /* records */
#define LOG_REC 64  /* bytes per record */
#define LABEL_STOP 60

static struct srv log_srv;
static struct log_rec {
	size_t len;
	char text[LOG_REC];
} recs[LOG_MAX];
static unsigned nrec;
static struct log_file {
	unsigned next; /* the record its next read returns */
} files[3];
static struct srv_req *readers[SRV_MAX_REPLY];
static unsigned nreaders, refused;
static volatile long run_result = -1;

static void *
log_lookup(struct srv *s, uint64_t badge)
{
	return badge == 1 || badge == 2 ? &files[badge] : NULL;
}

/* Answer rq with file f's next record: the result to answer with. */
static int64_t
log_take(struct log_file *f, uint64_t n, void *buf)
{
	struct log_rec *r = &recs[f->next];
	if (r->len > n)
		return -LX_EINVAL;
	memcpy(buf, r->text, r->len);
	f->next++;
	return (int64_t)r->len;
}

static int64_t
log_read(struct srv_req *rq, void *buf, uint64_t n, uint64_t off)
{
	struct log_file *f = rq->file;
	struct srv_req *w;
	if (off != SRV_OFF_NONE)
		return -LX_ESPIPE; /* records, not bytes */
	if (f->next < nrec)
		return log_take(f, n, buf);
	if (!(w = srv_defer(rq)))
		return -LX_EAGAIN;
	readers[nreaders++] = w;
	return SRV_NO_REPLY;
}

/* A record arrived: answer the readers waiting for one. */
static void
log_wake(void)
{
	static char tmp[LOG_REC];
	unsigned n = nreaders;
	nreaders = 0;
	for (unsigned i = 0; i < n; i++) {
		struct srv_req *w = readers[i];
		struct log_file *f = w->file;
		unsigned at = f->next;
		int64_t r = log_take(f, w->count, tmp);
		if (!srv_answer(w, r, tmp, r > 0 ? (size_t)r : 0)) {
			f->next = at; /* not delivered: still its next */
			refused++;
		}
	}
}

static int64_t
log_append(const void *buf, uint64_t n)
{
	if (n > LOG_REC)
		return -LX_EINVAL;
	if (nrec == LOG_MAX)
		return -LX_ENOSPC;
	memcpy(recs[nrec].text, buf, n);
	recs[nrec++].len = n;
	log_wake();
	return (int64_t)n;
}

static int64_t
log_write(struct srv_req *rq, const void *buf, uint64_t n, uint64_t off)
{
	return off == SRV_OFF_NONE ? log_append(buf, n) : -LX_ESPIPE;
}

static int64_t
log_seek(struct srv_req *rq, int64_t off, int whence)
{
	struct log_file *f = rq->file;
	if (off || (whence != 0 && whence != 2))
		return -LX_EINVAL;
	f->next = whence ? nrec : 0;
	return f->next;
}

static int64_t
log_other(struct srv_req *rq)
{
	if (rq->op != LABEL_STOP)
		return -LX_ENOSYS;
	srv_stop(rq->srv);
	return 0;
}

static void
log_notify(struct srv *s, uint64_t bits)
{
	log_append("tick", 4);
}

static const struct srv_ops log_ops = {
	.lookup = log_lookup, .read = log_read, .write = log_write,
	.seek = log_seek, .other = log_other, .notify = log_notify,
};

static void
log_server(uint64_t reply0)
{
	run_result = srv_run(&log_srv);
}

/* --- the clients ---------------------------------------------------- */

static uint64_t fd1, fd2, fd9;
static volatile int64_t a_res[16], c_res[4];
static volatile unsigned a_step, c_step;
static char a_buf[LOG_REC * 2], c_buf[LOG_REC], big[300];

static inline int64_t
lx(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t r10 __asm__("r10") = a3;
	uint64_t rax = nr, rdi = a0, rsi = a1, rdx = a2;
	__asm__ volatile("syscall"
			 : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx),
			   "+r"(r10)
			 :
			 : "rcx", "r11", "r8", "r9", "memory");
	return (int64_t)rax;
}

#define READ(fd, b, n) lx(0, fd, (uint64_t)(b), n, 0)
#define WRITE(fd, s, n) lx(1, fd, (uint64_t)(s), n, 0)
#define PREAD(fd, b, n, o) lx(17, fd, (uint64_t)(b), n, o)
#define LSEEK(fd, o, w) lx(8, fd, (uint64_t)(o), w, 0)

static void
client_a(uint64_t unused)
{
	a_res[0] = WRITE(fd1, "one", 3);
	a_res[1] = WRITE(fd1, "two!", 4);
	a_res[2] = READ(fd1, a_buf, sizeof a_buf);
	a_res[3] = READ(fd1, a_buf + 3, 2); /* "two!" does not fit */
	a_res[4] = READ(fd1, a_buf + 3, sizeof a_buf - 3);
	a_res[5] = PREAD(fd1, a_buf, sizeof a_buf, 0);
	a_res[6] = LSEEK(fd1, 0, 0);
	a_res[7] = LSEEK(fd1, 0, 7); /* whence: the library's EINVAL */
	a_res[8] = READ(fd1, a_buf + 7, sizeof a_buf - 7);
	a_res[9] = READ(fd9, a_buf, sizeof a_buf);
	a_res[10] = WRITE(fd1, big, sizeof big);
	a_res[11] = LSEEK(fd1, 0, 2);
	a_step = 12;
	a_res[12] = READ(fd1, a_buf + 10, sizeof a_buf - 10); /* waits */
	a_step = 13;
}

static void
client_c(uint64_t unused)
{
	c_res[0] = READ(fd2, c_buf, sizeof c_buf);
	c_res[1] = LSEEK(fd2, 0, 2);
	c_step = 2;
	c_res[2] = READ(fd2, c_buf, sizeof c_buf); /* waits, is suspended */
	c_step = 3;
}

static uint64_t
mint(uint64_t obj, uint64_t badge)
{
	uint64_t s = slot_alloc();
	ux_cnode_mint(ROOT, s, D, ROOT, obj, D, UX_R_WRITE, badge);
	return s;
}

static long
call(uint64_t cap, unsigned label, unsigned nmr, uint64_t mr0,
     struct ux_msg *m)
{
	*m = (struct ux_msg){.info = ux_msginfo(label, nmr, 0, 0),
			     .mr = {mr0, 0}};
	return ux_call(cap, m);
}

static void
start_linux(struct kthread *t, void (*fn)(uint64_t))
{
	struct thread_opts o = {.fn = fn, .prio = 200, .vspace = VSPACE,
				.no_resume = 1};
	thread_start_ex(t, &o);
	ux_tcb_set_flags(t->tcb, UX_TCB_F_LINUX_FILES);
	ux_tcb_resume(t->tcb);
}

KTEST(srvloop_log_server)
{
	struct kthread srv, a, c;
	struct ux_msg m;
	bool again = false;
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0);
	uint64_t ntfn = obj_new(UX_CAP_NOTIFICATION, 0);
	uint64_t reply0 = slots_alloc(3);

	CHECK_EQ(ux_untyped_retype(pool_untyped(), UX_CAP_REPLY, 0, ROOT, 0, 0,
				   reply0, 3), UX_OK);
	fd1 = mint(ep, 1), fd2 = mint(ep, 2), fd9 = mint(ep, 9);
	uint64_t tick = mint(ntfn, 1);
	nrec = nreaders = refused = 0;
	memset(files, 0, sizeof files);
	memset(big, 'b', sizeof big);
	srv_init(&log_srv, &log_ops, ep, reply0, 3);
	thread_start(&srv, log_server, 0, 250, VSPACE, 0);
	CHECK_EQ(ux_tcb_bind(srv.tcb, ntfn), UX_OK);
	start_linux(&a, client_a);
	start_linux(&c, client_c);
	settle();

	/* A ran to its waiting read; C read "one" and waits too */
	CHECK_EQ(a_res[0], 3);
	CHECK_EQ(a_res[1], 4);
	CHECK_EQ(a_res[2], 3);
	CHECK(!memcmp(a_buf, "one", 3));
	CHECK_EQ(a_res[3], -LX_EINVAL);
	CHECK_EQ(a_res[4], 4);
	CHECK(!memcmp(a_buf + 3, "two!", 4));
	CHECK_EQ(a_res[5], -LX_ESPIPE);
	CHECK_EQ(a_res[6], 0);
	CHECK_EQ(a_res[7], -LX_EINVAL);
	CHECK_EQ(a_res[8], 3);
	CHECK(!memcmp(a_buf + 7, "one", 3));
	CHECK_EQ(a_res[9], -LX_EBADF);
	CHECK_EQ(a_res[10], -LX_EINVAL);
	CHECK_EQ(a_res[11], 2);
	CHECK_EQ(a_step, 12);
	CHECK_EQ(c_res[0], 3);
	CHECK_EQ(c_res[1], 2);
	CHECK_EQ(c_step, 2);
	CHECK_EQ(nreaders, 2);

	/* natively: no ioctl, close is 0, an unknown label ENOSYS */
	CHECK_EQ(call(fd1, UX_FILE_IOCTL, 2, 0x5401, &m), UX_OK);
	CHECK_EQ((int64_t)m.mr[0], -LX_ENOTTY);
	CHECK_EQ(call(fd1, UX_FILE_CLOSE, 0, 0, &m), UX_OK);
	CHECK_EQ((int64_t)m.mr[0], 0);
	CHECK_EQ(call(fd9, UX_FILE_CLOSE, 0, 0, &m), UX_OK);
	CHECK_EQ((int64_t)m.mr[0], -LX_EBADF);
	CHECK_EQ(call(fd1, 77, 1, 0, &m), UX_OK);
	CHECK_EQ((int64_t)m.mr[0], -LX_ENOSYS);
	CHECK_EQ(call(fd1, UX_FILE_READ, 2, SRV_OFF_NONE, &m), UX_OK);
	CHECK_EQ((int64_t)m.mr[0], -LX_EAGAIN); /* count 0: at the end, and
						   no reply object left */

	/* C's call is taken away; the tick answers A, C refuses it */
	CHECK_EQ(ux_tcb_suspend(c.tcb, &again), UX_OK);
	CHECK(again);
	CHECK_EQ(ux_signal(tick), UX_OK);
	settle();
	CHECK_EQ(a_step, 13);
	CHECK_EQ(a_res[12], 4);
	CHECK(!memcmp(a_buf + 10, "tick", 4));
	CHECK_EQ(refused, 1);
	CHECK_EQ(nreaders, 0);
	/* C, resumed, makes its read again and gets the tick */
	CHECK_EQ(ux_tcb_resume(c.tcb), UX_OK);
	settle();
	CHECK_EQ(c_step, 3);
	CHECK_EQ(c_res[2], 4);
	CHECK(!memcmp(c_buf, "tick", 4));

	/* the server's own label stops it; srv_run returns 0 */
	CHECK_EQ(call(ep, LABEL_STOP, 0, 0, &m), UX_OK);
	CHECK_EQ((int64_t)m.mr[0], 0);
	settle();
	CHECK_EQ(run_result, 0);
	thread_kill(&a);
	thread_kill(&c);
	thread_kill(&srv);
	return 0;
}

/* --- per-open badges: the open table (uxrt/ps.h) -------------------- */

/*
 * srvloop_open_table: the test plays the process server. It writes
 * entries of an open table, mints capabilities badged as the process
 * server mints them for each open (UX_PS_BADGE), and tells of a close by
 * clearing the entry and signalling the server's bound notification with
 * the table's bit. A Linux thread reads through those capabilities (the
 * kernel's file transport): the server's open operation runs once per
 * badge with who opened it, its close when told, and a badge the table
 * no longer shows is EBADF.
 */
#define OT_BIT (1ull << 62)
static struct srv ot_srv;
static struct ux_ps_open ot_table[UX_PS_OPENS_MAX];
static unsigned ot_opens, ot_closes;
static uint64_t ot_closed, ot_notified;
static volatile long ot_run = -1;
static uint64_t ot_fd1, ot_fd2;
static volatile int64_t ot_res[4];
static volatile uint64_t ot_buf[4][3];

static int64_t
ot_open(struct srv_req *rq)
{
	ot_opens++;
	rq->file = (void *)(uintptr_t)rq->badge; /* its own state */
	return 0;
}

static int64_t
ot_close(struct srv_req *rq)
{
	ot_closes++;
	ot_closed = (uint64_t)(uintptr_t)rq->file;
	return 0;
}

/* A read answers who opened it: pid, flags now, and its state. */
static int64_t
ot_read(struct srv_req *rq, void *buf, uint64_t n, uint64_t off)
{
	uint64_t v[3] = {(uint64_t)rq->client.pid, rq->client.flags,
			 (uint64_t)(uintptr_t)rq->file};
	if (n < sizeof v)
		return -LX_EINVAL;
	memcpy(buf, v, sizeof v);
	return sizeof v;
}

static void
ot_notify(struct srv *s, uint64_t bits)
{
	ot_notified |= bits;
}

static const struct srv_ops ot_ops = {
	.open = ot_open, .close = ot_close, .read = ot_read,
	.other = log_other, .notify = ot_notify,
};

static void
ot_server(uint64_t unused)
{
	ot_run = srv_run(&ot_srv);
}

/* Linux thread: read through fd1 and fd2, twice each. */
static void
ot_client(uint64_t unused)
{
	ot_res[0] = READ(ot_fd1, (void *)ot_buf[0], 24);
	ot_res[1] = READ(ot_fd2, (void *)ot_buf[1], 24);
	ot_res[2] = READ(ot_fd1, (void *)ot_buf[2], 24);
	ot_res[3] = READ(ot_fd2, (void *)ot_buf[3], 24);
}

static void
ot_entry(uint64_t badge, int32_t pid, uint32_t flags)
{
	struct ux_ps_open *e = &ot_table[UX_PS_BADGE_SLOT(badge)];
	*e = (struct ux_ps_open){.pid = pid, .uid = 1000, .gid = 1000,
				 .flags = flags};
	__atomic_store_n(&e->badge, badge, __ATOMIC_RELEASE);
}

KTEST(srvloop_open_table)
{
	struct kthread srv, a;
	struct ux_msg m;
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0);
	uint64_t ntfn = obj_new(UX_CAP_NOTIFICATION, 0);
	uint64_t reply0 = slots_alloc(3);
	uint64_t b1 = UX_PS_BADGE(3, 1, 4), b2 = UX_PS_BADGE(3, 2, 9);

	CHECK_EQ(ux_untyped_retype(pool_untyped(), UX_CAP_REPLY, 0, ROOT, 0, 0,
				   reply0, 3), UX_OK);
	memset(ot_table, 0, sizeof ot_table);
	ot_opens = ot_closes = 0;
	ot_closed = ot_notified = 0;
	ot_entry(b1, 21, 2);
	ot_entry(b2, 22, 04000);
	ot_fd1 = mint(ep, b1), ot_fd2 = mint(ep, b2);
	uint64_t closed = mint(ntfn, OT_BIT), irq = mint(ntfn, 1);
	srv_init(&ot_srv, &ot_ops, ep, reply0, 3);
	srv_opens(&ot_srv, ot_table, OT_BIT);
	thread_start(&srv, ot_server, 0, 250, VSPACE, 0);
	CHECK_EQ(ux_tcb_bind(srv.tcb, ntfn), UX_OK);

	/* who opened each: open once per badge */
	start_linux(&a, ot_client);
	settle();
	CHECK_EQ(ot_res[0], 24);
	CHECK_EQ(ot_buf[0][0], 21);
	CHECK_EQ(ot_buf[0][1], 2);
	CHECK_EQ(ot_buf[0][2], b1);
	CHECK_EQ(ot_buf[1][0], 22);
	CHECK_EQ(ot_buf[1][1], 04000);
	CHECK_EQ(ot_buf[2][2], b1);
	CHECK_EQ(ot_opens, 2);
	thread_kill(&a);

	/* b1's last close: the entry cleared, the bit signalled (with
	 * another bit, which notify gets alone); F_SETFL on b2's */
	__atomic_store_n(&ot_table[4].badge, 0, __ATOMIC_RELEASE);
	ot_table[9].flags = 2;
	CHECK_EQ(ux_signal(irq), UX_OK);
	CHECK_EQ(ux_signal(closed), UX_OK);
	settle();
	CHECK_EQ(ot_closes, 1);
	CHECK_EQ(ot_closed, b1);
	CHECK_EQ(ot_notified, 1);
	start_linux(&a, ot_client);
	settle();
	CHECK_EQ(ot_res[0], -LX_EBADF);
	CHECK_EQ(ot_res[1], 24);
	CHECK_EQ(ot_buf[1][1], 2);
	CHECK_EQ(ot_res[2], -LX_EBADF);
	CHECK_EQ(ot_opens, 2);
	CHECK_EQ(ot_closes, 1);
	thread_kill(&a);

	/* a client's own UX_FILE_CLOSE on a per-open badge: refused */
	CHECK_EQ(call(ot_fd2, UX_FILE_CLOSE, 0, 0, &m), UX_OK);
	CHECK_EQ((int64_t)m.mr[0], -LX_EINVAL);
	CHECK_EQ(ot_closes, 1);

	CHECK_EQ(call(ep, LABEL_STOP, 0, 0, &m), UX_OK);
	settle();
	CHECK_EQ(ot_run, 0);
	thread_kill(&srv);
	return 0;
}
