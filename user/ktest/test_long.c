/*
 * test_long.c - long messages (uxrt/ipcbuf.h, the comment at the top of
 * kernel/src/ipc.c): sizes 0, 1, page-crossing, the maximum and one more
 * (UX_E_RANGE), truncation to the receiver's buffer (long_xfer and
 * long_total on both sides), both directions of a Call, a blocked sender,
 * another address space; a buffer that is not mapped (a page fault for a
 * thread with a fault endpoint, after which the call goes on; a stop for
 * one without), kernel addresses (UX_E_FAULT), read-only receive buffers,
 * device and uncached memory (never copied by the kernel), and a page that
 * goes away while its owner waits.
 */
#include "ktest.h"

#define LMAX UX_MSG_LONG_MAX
#define BUF_PAGES (LMAX / 4096 + 2)

struct lsrv {
	uint64_t ep, reply;
	uint8_t *rbuf, *sbuf;
	uint64_t rlen;  /* its receive buffer size */
	int reply_long; /* answer with the bytes received, each + 1 */
	volatile uint64_t xfer, total, info, count;
};

static void
long_server(uint64_t arg)
{
	struct lsrv *s = (struct lsrv *)arg;
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct ux_msg m = {0};

	b->recv_buf = (uint64_t)s->rbuf;
	b->recv_len = s->rlen;
	ux_recv(s->ep, s->reply, &m);
	for (;;) {
		s->info = m.info;
		s->xfer = (m.info & UX_MI_LONG) ? b->long_xfer : ~0ull;
		s->total = (m.info & UX_MI_LONG) ? b->long_total : ~0ull;
		uint64_t n = (m.info & UX_MI_LONG) ? b->long_xfer : 0;
		for (uint64_t i = 0; i < n; i++)
			s->sbuf[i] = (uint8_t)(s->rbuf[i] + 1);
		b->send_buf = (uint64_t)s->sbuf;
		b->send_len = n;
		m.info = ux_msginfo(1, 0, 0, s->reply_long ? UX_MI_LONG : 0);
		s->count++;
		ux_reply_recv(s->ep, s->reply, &m);
	}
}

/* A long-message server in vspace vs (VSPACE or from vspace_new). */
static void
lsrv_start(struct kthread *t, struct lsrv *s, uint64_t vs, uint64_t rlen)
{
	static uint8_t *bufs[2];
	static uint64_t frames[2][BUF_PAGES];

	if (!bufs[0]) {
		bufs[0] = pages_new(BUF_PAGES, frames[0]);
		bufs[1] = pages_new(BUF_PAGES, frames[1]);
	}
	if (vs != VSPACE) {
		share_pages(vs, bufs[0], BUF_PAGES, frames[0]);
		share_pages(vs, bufs[1], BUF_PAGES, frames[1]);
	}
	*s = (struct lsrv){.ep = obj_new(UX_CAP_ENDPOINT, 0),
			   .reply = obj_new(UX_CAP_REPLY, 0),
			   .rbuf = bufs[0], .sbuf = bufs[1], .rlen = rlen,
			   .reply_long = 1};
	thread_start(t, long_server, (uint64_t)s, 200, vs, 0);
}

static uint8_t *cbuf, *cbuf2;

static void
client_bufs(void)
{
	if (!cbuf) {
		cbuf = pages_new(BUF_PAGES, NULL);
		cbuf2 = pages_new(BUF_PAGES, NULL);
	}
}

static void
long_reset(void)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	b->send_buf = b->send_len = b->recv_buf = b->recv_len = 0;
}

/* Call s with a long message of n bytes from cbuf + off; check what the
 * server saw and the answer (n bytes + 1, into cbuf2 + off). */
static int
round_trip(struct lsrv *s, uint64_t off, uint64_t n)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct ux_msg m = {.info = ux_msginfo(7, 0, 0, UX_MI_LONG)};

	for (uint64_t i = 0; i < n; i++)
		cbuf[off + i] = (uint8_t)(i * 7 + n);
	memset(cbuf2, 0xEE, BUF_PAGES * 4096);
	b->send_buf = (uint64_t)cbuf + off;
	b->send_len = n;
	b->recv_buf = (uint64_t)cbuf2 + off;
	b->recv_len = LMAX;
	b->long_xfer = b->long_total = 12345;
	CHECK_EQ(ux_call(s->ep, &m), UX_OK);
	CHECK_EQ(s->xfer, n);
	CHECK_EQ(s->total, n);
	CHECK(s->info & UX_MI_LONG);
	CHECK(m.info & UX_MI_LONG);
	CHECK_EQ(b->long_xfer, n);
	CHECK_EQ(b->long_total, n);
	for (uint64_t i = 0; i < n; i++)
		if (cbuf2[off + i] != (uint8_t)(i * 7 + n + 1))
			CHECK_EQ(cbuf2[off + i], (uint8_t)(i * 7 + n + 1));
	CHECK_EQ(cbuf2[off + n], 0xEE); /* nothing beyond */
	if (off)
		CHECK_EQ(cbuf2[off - 1], 0xEE);
	return 0;
}

KTEST(long_sizes)
{
	static const uint64_t sizes[][2] = {
		{0, 0},    {0, 1},        {100, 1},     {4095, 1},
		{0, 4096}, {4000, 200},   {1, 8191},    {4095, 4098},
		{0, LMAX}, {2048, LMAX - 1}};
	struct lsrv s;
	struct kthread t;

	client_bufs();
	lsrv_start(&t, &s, VSPACE, LMAX);
	for (unsigned i = 0; i < ARRAY_LEN(sizes); i++)
		if (round_trip(&s, sizes[i][0], sizes[i][1])) {
			printf("ktest:   size %lu at offset %lu\n",
			       (unsigned long)sizes[i][1],
			       (unsigned long)sizes[i][0]);
			long_reset();
			return 1;
		}
	long_reset();
	thread_kill(&t);
	return 0;
}

KTEST(long_limits)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct lsrv s;
	struct kthread t;
	struct ux_msg m;

	client_bufs();
	lsrv_start(&t, &s, VSPACE, LMAX);
	b->send_buf = (uint64_t)cbuf;
	b->send_len = LMAX + 1;
	/* (a failed call returns info 0: m is set again every time) */
	m = (struct ux_msg){.info = ux_msginfo(7, 0, 0, UX_MI_LONG)};
	CHECK_EQ(ux_call(s.ep, &m), UX_E_RANGE);
	m = (struct ux_msg){.info = ux_msginfo(7, 0, 0, UX_MI_LONG)};
	CHECK_EQ(ux_send(s.ep, &m), UX_E_RANGE);
	m = (struct ux_msg){.info = ux_msginfo(7, 0, 0, UX_MI_LONG)};
	CHECK_EQ(ux_nbsend(s.ep, &m), UX_E_RANGE);
	b->send_len = ~0ull;
	m = (struct ux_msg){.info = ux_msginfo(7, 0, 0, UX_MI_LONG)};
	CHECK_EQ(ux_call(s.ep, &m), UX_E_RANGE);
	/* without the long flag the send buffer is not looked at */
	m = (struct ux_msg){.info = ux_msginfo(7, 0, 0, 0)};
	CHECK_EQ(ux_call(s.ep, &m), UX_OK);
	CHECK_EQ(s.xfer, ~0ull);
	/* a receive buffer above the maximum */
	b->send_len = 10;
	b->recv_len = LMAX + 1;
	b->recv_buf = (uint64_t)cbuf2;
	m = (struct ux_msg){.info = ux_msginfo(7, 0, 0, UX_MI_LONG)};
	CHECK_EQ(ux_call(s.ep, &m), UX_E_RANGE);
	m = (struct ux_msg){0};
	CHECK_EQ(ux_nbrecv(s.ep, 0, &m), UX_E_RANGE);
	CHECK_EQ(s.count, 1);
	long_reset();
	thread_kill(&t);
	return 0;
}

KTEST(long_truncation)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct lsrv s;
	struct kthread t;
	struct ux_msg m;

	client_bufs();
	lsrv_start(&t, &s, VSPACE, 100);
	s.reply_long = 0;
	memset(cbuf, 3, 1000);
	b->send_buf = (uint64_t)cbuf;
	b->send_len = 1000;
	m = (struct ux_msg){.info = ux_msginfo(7, 0, 0, UX_MI_LONG)};
	CHECK_EQ(ux_call(s.ep, &m), UX_OK);
	CHECK_EQ(s.xfer, 100);
	CHECK_EQ(s.total, 1000);
	CHECK_EQ(b->long_xfer, 100); /* the sender learns it too */
	CHECK_EQ(s.rbuf[99], 3);
	/* a reply truncated to the caller's buffer */
	s.reply_long = 1;
	memset(cbuf2, 0, 64);
	b->recv_buf = (uint64_t)cbuf2;
	b->recv_len = 10;
	m = (struct ux_msg){.info = ux_msginfo(7, 0, 0, UX_MI_LONG)};
	CHECK_EQ(ux_call(s.ep, &m), UX_OK);
	CHECK(m.info & UX_MI_LONG);
	CHECK_EQ(b->long_xfer, 10);
	CHECK_EQ(b->long_total, 100);
	CHECK_EQ(cbuf2[9], 4);
	CHECK_EQ(cbuf2[10], 0);
	/* no receive buffer at all: nothing moves, the total is told */
	b->recv_len = 0;
	m = (struct ux_msg){.info = ux_msginfo(7, 0, 0, UX_MI_LONG)};
	CHECK_EQ(ux_call(s.ep, &m), UX_OK);
	CHECK_EQ(b->long_xfer, 0);
	CHECK_EQ(b->long_total, 100);
	long_reset();
	thread_kill(&t);
	return 0;
}

/* The sender blocks first; the copy happens when the receiver comes. */
static void
long_sender(uint64_t arg)
{
	struct op *o = (struct op *)arg;
	struct ux_ipc_buffer *b = ux_ipcbuf();
	b->send_buf = (uint64_t)cbuf;
	b->send_len = 5000;
	o->res = ux_send(o->cap, &o->m);
	o->count = b->long_xfer;
	o->done = 1;
}

KTEST(long_blocked_sender)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct op o = {.cap = obj_new(UX_CAP_ENDPOINT, 0)};
	struct kthread t;
	struct ux_msg m = {0};

	client_bufs();
	for (unsigned i = 0; i < 5000; i++)
		cbuf[i] = (uint8_t)(i ^ 0x5A);
	o.m.info = ux_msginfo(3, 0, 0, UX_MI_LONG);
	thread_start(&t, long_sender, (uint64_t)&o, 100, VSPACE, 0);
	settle();
	CHECK(!o.done);
	memset(cbuf2, 0, 8192);
	b->recv_buf = (uint64_t)cbuf2 + 10;
	b->recv_len = 8000;
	CHECK_EQ(ux_recv(o.cap, 0, &m), UX_OK);
	CHECK(m.info & UX_MI_LONG);
	CHECK_EQ(b->long_xfer, 5000);
	CHECK_EQ(b->long_total, 5000);
	CHECK_EQ(memcmp(cbuf2 + 10, cbuf, 5000), 0);
	CHECK_EQ(cbuf2[5010], 0);
	settle();
	CHECK(o.done);
	CHECK_EQ(o.res, UX_OK);
	CHECK_EQ(o.count, 5000);
	long_reset();
	thread_kill(&t);
	return 0;
}

KTEST(long_between_address_spaces)
{
	static struct lsrv s; /* seen from the other space */
	struct kthread t;

	client_bufs();
	lsrv_start(&t, &s, vspace_new(), LMAX);
	CHECK(!round_trip(&s, 0, LMAX));
	CHECK(!round_trip(&s, 3000, 9000));
	CHECK(!round_trip(&s, 0, 1));
	long_reset();
	thread_kill(&t);
	return 0;
}

/* A client thread whose buffers the test sets up, served by faults. */
struct lclient {
	uint64_t ep, send_buf, send_len, recv_buf, recv_len;
	volatile long res;
	volatile uint64_t xfer;
	volatile int done;
	struct ux_msg m;
};

static void
long_client(uint64_t arg)
{
	struct lclient *c = (struct lclient *)arg;
	struct ux_ipc_buffer *b = ux_ipcbuf();
	b->send_buf = c->send_buf;
	b->send_len = c->send_len;
	b->recv_buf = c->recv_buf;
	b->recv_len = c->recv_len;
	c->m.info = ux_msginfo(9, 0, 0, UX_MI_LONG);
	c->res = ux_call(c->ep, &c->m);
	c->xfer = b->long_xfer;
	c->done = 1;
}

struct pf_log {
	uint64_t addr[8], code[8], rip[8];
	unsigned n;
};

/* Map a fresh page where the fault was, and let the thread retry. */
static int
map_on_fault(struct fault_msg *f, uint64_t *regs, void *ctx)
{
	struct pf_log *l = ctx;
	if (l->n < 8) {
		l->addr[l->n] = f->w0;
		l->code[l->n] = f->w1;
		l->rip[l->n] = regs[UX_REG_RIP];
	}
	l->n++;
	if (f->type != UX_FAULT_PAGE)
		return -1;
	uint64_t fr = obj_new(UX_CAP_FRAME, 0);
	if (map_frame(VSPACE, fr, f->w0 & ~0xFFFull, UX_R_READ | UX_R_WRITE))
		return -1;
	return 0;
}

KTEST(long_unmapped_buffers_fault)
{
	struct lsrv s;
	struct kthread ts, tc;
	struct lclient c;
	struct pf_log log = {.n = 0};
	uint64_t fep = obj_new(UX_CAP_ENDPOINT, 0);
	/* send: first page mapped, second not; receive: none mapped */
	uint8_t *sb = (uint8_t *)va_alloc(3 * 4096), *rb = (uint8_t *)va_alloc(8192);
	uint64_t fr = obj_new(UX_CAP_FRAME, 0);

	CHECK_EQ(map_frame(VSPACE, fr, (uint64_t)sb, UX_R_READ | UX_R_WRITE),
		 UX_OK);
	memset(sb, 0x42, 4096);
	lsrv_start(&ts, &s, VSPACE, LMAX);
	c = (struct lclient){.ep = s.ep, .send_buf = (uint64_t)sb + 100,
			     .send_len = 6000, .recv_buf = (uint64_t)rb + 8,
			     .recv_len = 100};
	thread_start(&tc, long_client, (uint64_t)&c, 150, VSPACE, fep);
	CHECK_EQ(serve_faults(fep, &c.done, map_on_fault, &log, 5), 2);
	CHECK_EQ(c.res, UX_OK);
	CHECK_EQ(c.xfer, 100);
	CHECK_EQ(s.xfer, 6000);
	CHECK_EQ(s.rbuf[0], 0x42);
	CHECK_EQ(rb[8], 0x43);
	/* first the send buffer's missing page (a read), then the receive
	 * buffer's (a write), each time at the system call, which is
	 * re-issued after the handler's reply */
	CHECK_EQ(log.addr[0], (uint64_t)sb + 4096);
	CHECK_EQ(log.code[0] & (UX_PF_WRITE | UX_PF_PRESENT), 0);
	CHECK(log.code[0] & UX_PF_USER);
	CHECK_EQ(log.addr[1], (uint64_t)rb + 8);
	CHECK_EQ(log.code[1] & UX_PF_WRITE, UX_PF_WRITE);
	CHECK_EQ(log.rip[0], log.rip[1]);
	CHECK_EQ(*(uint16_t *)log.rip[0], 0x050F); /* syscall */
	thread_kill(&tc);
	thread_kill(&ts);
	return 0;
}

KTEST(long_readonly_receive_buffer_faults)
{
	struct lsrv s;
	struct kthread ts, tc;
	struct lclient c;
	uint64_t fep = obj_new(UX_CAP_ENDPOINT, 0), fr = obj_new(UX_CAP_FRAME, 0);
	uint64_t va = va_alloc(4096);

	CHECK_EQ(map_frame(VSPACE, fr, va, UX_R_READ), UX_OK);
	lsrv_start(&ts, &s, VSPACE, LMAX);
	c = (struct lclient){.ep = s.ep, .send_buf = va, .send_len = 16,
			     .recv_buf = va, .recv_len = 16};
	thread_start(&tc, long_client, (uint64_t)&c, 150, VSPACE, fep);
	settle();
	struct fault_msg f;
	uint64_t rp = obj_new(UX_CAP_REPLY, 0);
	CHECK_EQ(fault_recv(fep, rp, &f, 0), UX_OK);
	CHECK_EQ(f.type, UX_FAULT_PAGE);
	CHECK_EQ(f.w0, va);
	CHECK_EQ(f.w1 & (UX_PF_WRITE | UX_PF_PRESENT),
		 UX_PF_WRITE | UX_PF_PRESENT);
	/* make it writable (a remap of the same capability) and go on */
	CHECK_EQ(ux_frame_map(fr, VSPACE, va, UX_R_READ | UX_R_WRITE, 0),
		 UX_OK);
	CHECK_EQ(fault_reply(rp, NULL, 0), UX_OK);
	settle();
	CHECK(c.done);
	CHECK_EQ(c.res, UX_OK);
	CHECK_EQ(c.xfer, 16);
	thread_kill(&tc);
	thread_kill(&ts);
	return 0;
}

/* Buffers the kernel never touches: kernel addresses, ranges that wrap,
 * device memory and uncached mappings. The caller gets UX_E_FAULT. */
KTEST(long_uncopyable_buffers)
{
	struct lsrv s;
	struct kthread ts, tc;
	struct lclient c;
	uint64_t dev = device_untyped(NULL), df = slot_alloc();
	uint64_t uf = obj_new(UX_CAP_FRAME, 0);
	uint64_t dva = va_alloc(4096), uva = va_alloc(4096);
	static const uint64_t bad[] = {0xFFFF800000000000ull,
				       0xFFFFFFFF80000000ull,
				       UX_USER_TOP - 4096, UX_USER_TOP};
	static const uint64_t len[] = {8, 8, 8192, 1};

	CHECK(dev != 0);
	CHECK_EQ(ux_untyped_retype(dev, UX_CAP_FRAME, 0, ROOT, 0, 0, df, 1),
		 UX_OK);
	CHECK_EQ(map_frame(VSPACE, df, dva, UX_R_READ | UX_R_WRITE), UX_OK);
	CHECK_EQ(map_frame(VSPACE, uf, uva, UX_R_READ | UX_R_WRITE), UX_OK);
	CHECK_EQ(ux_frame_unmap(uf), UX_OK);
	CHECK_EQ(ux_frame_map(uf, VSPACE, uva, UX_R_READ | UX_R_WRITE,
			      UX_MAP_UNCACHED),
		 UX_OK);
	lsrv_start(&ts, &s, VSPACE, LMAX);
	for (unsigned i = 0; i < ARRAY_LEN(bad) + 4; i++) {
		c = (struct lclient){.ep = s.ep};
		if (i < ARRAY_LEN(bad)) {
			c.send_buf = bad[i];
			c.send_len = len[i];
		} else {
			uint64_t va = (i & 1) ? dva : uva;
			if (i < ARRAY_LEN(bad) + 2) {
				c.send_buf = va;
				c.send_len = 16;
			} else {
				c.recv_buf = va;
				c.recv_len = 16;
			}
		}
		/* no fault endpoint: a fault would stop the thread */
		thread_start(&tc, long_client, (uint64_t)&c, 150, VSPACE, 0);
		settle();
		CHECK(c.done);
		CHECK_EQ(c.res, UX_E_FAULT);
		thread_kill(&tc);
	}
	CHECK_EQ(s.count, 0);
	thread_kill(&ts);
	CHECK_EQ(ux_cnode_revoke(ROOT, dev, D), UX_OK);
	return 0;
}

/* Without a fault endpoint, an unmapped buffer stops the thread. */
KTEST(long_unmapped_buffer_without_handler)
{
	struct lsrv s;
	struct kthread ts, tc;
	struct lclient c;
	uint64_t regs[UX_REG_COUNT];

	lsrv_start(&ts, &s, VSPACE, LMAX);
	c = (struct lclient){.ep = s.ep, .send_buf = va_alloc(4096),
			     .send_len = 10};
	thread_start(&tc, long_client, (uint64_t)&c, 150, VSPACE, 0);
	settle();
	CHECK(!c.done);
	CHECK_EQ(s.count, 0);
	CHECK_EQ(ux_tcb_read_regs(tc.tcb, regs), UX_OK);
	CHECK_EQ(*(uint16_t *)regs[UX_REG_RIP], 0x050F); /* at its syscall */
	thread_kill(&tc);
	thread_kill(&ts);
	return 0;
}

/* A sender without an IPC buffer has no long message to send. */
KTEST(long_without_ipc_buffer)
{
	struct op o = {.kind = OP_SEND, .cap = obj_new(UX_CAP_ENDPOINT, 0)};
	struct thread_opts to = {.fn = op_thread, .arg = (uint64_t)&o,
				 .prio = 100, .no_ipcbuf = 1};
	struct kthread t;

	o.m.info = ux_msginfo(1, 0, 0, UX_MI_LONG);
	thread_start_ex(&t, &to);
	settle();
	CHECK(o.done);
	CHECK_EQ(o.res, UX_E_INVALID_ARGUMENT);
	thread_kill(&t);
	return 0;
}

/* The receiver's buffer was checked when it began to wait; a page of it
 * that is unmapped meanwhile ends the copy there. */
KTEST(long_page_gone_while_waiting)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	uint64_t frames[2], ep = obj_new(UX_CAP_ENDPOINT, 0);
	uint8_t *rb = pages_new(2, frames);
	struct kthread t;
	struct ux_msg m;

	struct op o = {.kind = OP_RECV, .cap = ep};

	client_bufs();
	thread_start(&t, op_thread, (uint64_t)&o, 100, VSPACE, 0);
	t.ipc->recv_buf = (uint64_t)rb;
	t.ipc->recv_len = 8192;
	settle();
	CHECK(!o.done);
	CHECK_EQ(ux_frame_unmap(frames[1]), UX_OK);
	memset(cbuf, 0x77, 8192);
	b->send_buf = (uint64_t)cbuf;
	b->send_len = 8192;
	m = (struct ux_msg){.info = ux_msginfo(1, 0, 0, UX_MI_LONG)};
	CHECK_EQ(ux_send(ep, &m), UX_OK);
	CHECK_EQ(b->long_xfer, 4096);
	settle();
	CHECK(o.done);
	CHECK_EQ(o.res, UX_OK);
	CHECK_EQ(t.ipc->long_xfer, 4096);
	CHECK_EQ(t.ipc->long_total, 8192);
	CHECK_EQ(rb[4095], 0x77);
	long_reset();
	thread_kill(&t);
	return 0;
}
