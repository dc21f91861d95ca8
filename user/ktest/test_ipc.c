/*
 * test_ipc.c - synchronous IPC: Call/ReplyRecv (fastpath and slow path),
 * Send/Recv, the non-blocking forms and Reply; labels, badges, register
 * messages of 0..4 words and IPC-buffer messages up to 64; capability
 * transfer with and without grant, unwrapping of badged capabilities to
 * the same endpoint, grant through a reply; queue order, reply objects
 * (none, reused, deleted), endpoint deletion with waiters; IPC between
 * address spaces; and the errors of every IPC system call.
 */
#include "ktest.h"

struct echo {
	uint64_t ep, reply;
	volatile uint64_t count, badge;
};

/* Answer every message with label + 1 and every word + 1. */
static void
echo_server(uint64_t arg)
{
	struct echo *e = (struct echo *)arg;
	struct ux_msg m = {0};
	long r = ux_recv(e->ep, e->reply, &m);

	for (;;) {
		if (r) {
			m.info = 0;
			r = ux_recv(e->ep, e->reply, &m);
			continue;
		}
		e->count++;
		e->badge = m.badge;
		unsigned len = ux_mi_len(m.info);
		for (unsigned i = 0; i < len; i++)
			msg_set(&m, i, msg_get(&m, i) + 1);
		m.info = ux_msginfo(ux_mi_label(m.info) + 1, len, 0, 0);
		r = ux_reply_recv(e->ep, e->reply, &m);
	}
}

static void
echo_start(struct kthread *t, struct echo *e, unsigned prio, uint64_t vs)
{
	e->ep = obj_new(UX_CAP_ENDPOINT, 0);
	e->reply = obj_new(UX_CAP_REPLY, 0);
	e->count = 0;
	thread_start(t, echo_server, (uint64_t)e, prio, vs, 0);
}

/* Call ep with len words (word i = base + i) and check the echo. */
static int
call_words(uint64_t ep, unsigned len, uint64_t base)
{
	struct ux_msg m = {.info = ux_msginfo(40 + len, len, 0, 0)};
	for (unsigned i = 0; i < len; i++)
		msg_set(&m, i, base + i);
	for (unsigned i = len; i < UX_MSG_MAX_MRS; i++)
		ux_ipcbuf()->mr[i] = 0xDEAD; /* must not come back changed */
	CHECK_EQ(ux_call(ep, &m), UX_OK);
	CHECK_EQ(ux_mi_label(m.info), 41 + len);
	CHECK_EQ(ux_mi_len(m.info), len);
	CHECK_EQ(ux_mi_caps(m.info), 0);
	for (unsigned i = 0; i < len; i++)
		CHECK_EQ(msg_get(&m, i), base + i + 1);
	for (unsigned i = len > 4 ? len : 4; i < UX_MSG_MAX_MRS; i++)
		CHECK_EQ(ux_ipcbuf()->mr[i], 0xDEAD);
	return 0;
}

KTEST(ipc_call_register_words)
{
	struct echo e;
	struct kthread t, t2;
	struct echo e2;

	echo_start(&t, &e, 100, VSPACE);
	echo_start(&t2, &e2, 255, VSPACE);
	for (unsigned len = 0; len <= 4; len++) {
		CHECK(!call_words(e.ep, len, 1000 * len));
		CHECK(!call_words(e2.ep, len, 1000 * len + 7));
	}
	CHECK_EQ(e.count, 5);
	CHECK_EQ(e2.count, 5);
	CHECK_EQ(e.badge, 0);
	/* a badged capability: the server sees the badge */
	uint64_t b = slot_alloc();
	CHECK_EQ(ux_cnode_mint(ROOT, b, D, ROOT, e.ep, D, UX_R_ALL, 0xB00),
		 UX_OK);
	CHECK(!call_words(b, 2, 5));
	CHECK_EQ(e.badge, 0xB00);
	/* a Call needs only the write right */
	CHECK_EQ(ux_cnode_delete(ROOT, b, D), UX_OK);
	CHECK_EQ(ux_cnode_mint(ROOT, b, D, ROOT, e.ep, D, UX_R_WRITE, 0xB01),
		 UX_OK);
	CHECK(!call_words(b, 1, 5));
	CHECK_EQ(e.badge, 0xB01);
	thread_kill(&t);
	thread_kill(&t2);
	return 0;
}

KTEST(ipc_call_buffer_words)
{
	static struct echo e, e2; /* static: seen from another space */
	struct kthread t, t2;

	echo_start(&t, &e, 100, VSPACE);
	echo_start(&t2, &e2, 100, vspace_new()); /* another address space */
	for (unsigned len = 5; len <= UX_MSG_MAX_MRS; len++) {
		CHECK(!call_words(e.ep, len, 0x1000 * len));
		CHECK(!call_words(e2.ep, len, 0x2000 * len));
	}
	CHECK_EQ(e.count, UX_MSG_MAX_MRS - 4);
	CHECK_EQ(e2.count, UX_MSG_MAX_MRS - 4);
	/* more than 64 words: refused before anything is sent */
	struct ux_msg m = {.info = ux_msginfo(1, UX_MSG_MAX_MRS + 1, 0, 0)};
	CHECK_EQ(ux_call(e.ep, &m), UX_E_RANGE);
	m.info = ux_msginfo(1, 127, 0, 0);
	CHECK_EQ(ux_send(e.ep, &m), UX_E_RANGE);
	m.info = ux_msginfo(1, 100, 0, 0);
	CHECK_EQ(ux_nbsend(e.ep, &m), UX_E_RANGE);
	settle();
	CHECK_EQ(e.count, UX_MSG_MAX_MRS - 4);
	thread_kill(&t);
	thread_kill(&t2);
	return 0;
}

KTEST(ipc_send_recv)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0);
	struct op r = {.kind = OP_RECV, .cap = ep};
	struct op s = {.kind = OP_SEND, .cap = ep};
	struct kthread t;
	struct ux_msg m = {.info = ux_msginfo(9, 6, 0, 0), .mr = {1, 2, 3, 4}};

	/* receiver first: Send does not block */
	thread_start(&t, op_thread, (uint64_t)&r, 100, VSPACE, 0);
	settle();
	ux_ipcbuf()->mr[4] = 5;
	ux_ipcbuf()->mr[5] = 6;
	CHECK_EQ(ux_send(ep, &m), UX_OK);
	CHECK(!r.done); /* lower priority: not run yet */
	settle();
	CHECK(r.done);
	CHECK_EQ(r.res, UX_OK);
	CHECK_EQ(ux_mi_label(r.m.info), 9);
	CHECK_EQ(ux_mi_len(r.m.info), 6);
	CHECK_EQ(r.m.mr[3], 4);
	CHECK_EQ(t.ipc->mr[4], 5);
	CHECK_EQ(t.ipc->mr[5], 6);
	thread_kill(&t);
	/* sender first: it blocks until the Recv */
	s.m = (struct ux_msg){.info = ux_msginfo(10, 2, 0, 0), .mr = {7, 8}};
	thread_start(&t, op_thread, (uint64_t)&s, 100, VSPACE, 0);
	settle();
	CHECK(!s.done);
	m = (struct ux_msg){0};
	CHECK_EQ(ux_recv(ep, 0, &m), UX_OK);
	CHECK_EQ(ux_mi_label(m.info), 10);
	CHECK_EQ(ux_mi_len(m.info), 2);
	CHECK_EQ(m.mr[1], 8);
	settle();
	CHECK(s.done);
	CHECK_EQ(s.res, UX_OK);
	thread_kill(&t);
	return 0;
}

KTEST(ipc_nonblocking)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0);
	struct op r = {.kind = OP_RECV, .cap = ep};
	struct op s = {.kind = OP_SEND, .cap = ep};
	struct kthread t;
	struct ux_msg m = {.info = ux_msginfo(3, 1, 0, 0), .mr = {33}};

	CHECK_EQ(ux_nbsend(ep, &m), UX_E_WOULD_BLOCK);
	CHECK_EQ(ux_nbrecv(ep, 0, &m), UX_E_WOULD_BLOCK);
	/* NBSend with a receiver waiting delivers */
	thread_start(&t, op_thread, (uint64_t)&r, 100, VSPACE, 0);
	settle();
	m = (struct ux_msg){.info = ux_msginfo(3, 1, 0, 0), .mr = {33}};
	CHECK_EQ(ux_nbsend(ep, &m), UX_OK);
	settle();
	CHECK(r.done);
	CHECK_EQ(r.m.mr[0], 33);
	thread_kill(&t);
	/* NBRecv with a sender waiting receives */
	s.m = (struct ux_msg){.info = ux_msginfo(4, 1, 0, 0), .mr = {44}};
	thread_start(&t, op_thread, (uint64_t)&s, 100, VSPACE, 0);
	settle();
	m = (struct ux_msg){0};
	CHECK_EQ(ux_nbrecv(ep, 0, &m), UX_OK);
	CHECK_EQ(m.mr[0], 44);
	settle();
	CHECK(s.done);
	CHECK_EQ(ux_nbrecv(ep, 0, &m), UX_E_WOULD_BLOCK);
	thread_kill(&t);
	return 0;
}

KTEST(ipc_syscall_errors)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), rp = obj_new(UX_CAP_REPLY, 0);
	uint64_t f = obj_new(UX_CAP_FRAME, 0), n = obj_new(UX_CAP_NOTIFICATION, 0);
	uint64_t empty = slot_alloc(), ro = slot_alloc(), wo = slot_alloc();
	uint64_t far = 1ull << 50;
	struct ux_msg m = {0};

	/* Reply */
	CHECK_EQ(ux_reply(0, &m), UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_reply(ep, &m), UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_reply(empty, &m), UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_reply(far, &m), UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_reply(rp, &m), UX_E_ILLEGAL_OPERATION);
	/* rights */
	CHECK_EQ(ux_cnode_mint(ROOT, ro, D, ROOT, ep, D, UX_R_READ, 0), UX_OK);
	CHECK_EQ(ux_cnode_mint(ROOT, wo, D, ROOT, ep, D, UX_R_WRITE, 0), UX_OK);
	CHECK_EQ(ux_send(ro, &m), UX_E_NO_RIGHTS);
	CHECK_EQ(ux_call(ro, &m), UX_E_NO_RIGHTS);
	CHECK_EQ(ux_recv(wo, 0, &m), UX_E_NO_RIGHTS);
	CHECK_EQ(ux_reply_recv(wo, rp, &m), UX_E_NO_RIGHTS);
	/* wrong types and addresses */
	CHECK_EQ(ux_recv(f, 0, &m), UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_recv(empty, 0, &m), UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_nbrecv(far, 0, &m), UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_recv(ep, ep, &m), UX_E_INVALID_CAPABILITY); /* r12 */
	CHECK_EQ(ux_recv(ep, far, &m), UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_call(n, &m), UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_send(f, &m), UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_nbsend(empty, &m), UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_call(far, &m), UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_reply_recv(n, rp, &m), UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_reply_recv(ep, f, &m), UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_reply_recv(far, rp, &m), UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_sys(UX_SYS_MIN - 1, ep, 0, &m), UX_E_INVALID_ARGUMENT);
	CHECK_EQ(ux_sys(-1000, ep, 0, &m), UX_E_INVALID_ARGUMENT);
	CHECK_EQ(ux_sys(INT64_MIN, ep, 0, &m), UX_E_INVALID_ARGUMENT);
	/* objects without invocations */
	m = (struct ux_msg){.info = ux_msginfo(1, 0, 0, 0)};
	CHECK_EQ(ux_call(rp, &m), UX_E_ILLEGAL_OPERATION);
	m = (struct ux_msg){.info = ux_msginfo(1, 0, 0, 0)};
	CHECK_EQ(ux_call(obj_new(UX_CAP_PML4, 0), &m), UX_E_ILLEGAL_OPERATION);
	m = (struct ux_msg){0};
	CHECK_EQ(ux_send(SELF_TCB, &m), UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_nbsend(rp, &m), UX_E_ILLEGAL_OPERATION);
	/* debug output: at most the message registers */
	m.info = sizeof(ux_ipcbuf()->mr) + 1;
	CHECK_EQ(ux_sys(UX_SYS_DEBUG_PUTS, 0, 0, &m), UX_E_RANGE);
	m.info = 0;
	CHECK_EQ(ux_sys(UX_SYS_DEBUG_PUTS, 0, 0, &m), UX_OK);
	/* Yield answers OK */
	CHECK_EQ(ux_yield(), UX_OK);
	return 0;
}

/* Receive one message with a receive slot set up in the IPC buffer. */
struct cap_recv {
	uint64_t ep, slot;
	struct ux_msg m;
	uint64_t caps[UX_MSG_MAX_CAPS];
	volatile long res;
	volatile int done;
};

static void
cap_receiver(uint64_t arg)
{
	struct cap_recv *c = (struct cap_recv *)arg;
	struct ux_ipc_buffer *b = ux_ipcbuf();
	b->recv_cnode = ROOT;
	b->recv_index = c->slot;
	b->recv_depth = c->slot ? D : 0;
	for (unsigned i = 0; i < UX_MSG_MAX_CAPS; i++)
		b->caps[i] = 0xEEEE;
	c->res = ux_recv(c->ep, 0, &c->m);
	memcpy(c->caps, b->caps, sizeof c->caps);
	b->recv_depth = 0;
	c->done = 1;
}

/* Send caps[0..n) through cap `via` to a receiver with receive slot
 * `slot` (0: none); returns the receiver's view. */
static struct cap_recv
send_caps(uint64_t ep, uint64_t via, uint64_t slot, const uint64_t *caps,
	  unsigned n)
{
	struct cap_recv c = {.ep = ep, .slot = slot};
	struct kthread t;
	struct ux_msg m = {.info = ux_msginfo(5, 1, n, 0), .mr = {55}};

	thread_start(&t, cap_receiver, (uint64_t)&c, 100, VSPACE, 0);
	settle();
	for (unsigned i = 0; i < n; i++)
		ux_ipcbuf()->caps[i] = caps[i];
	if (ux_send(via, &m) != UX_OK)
		c.res = -1;
	settle();
	thread_kill(&t);
	return c;
}

KTEST(ipc_cap_transfer_grant)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), n = obj_new(UX_CAP_NOTIFICATION, 0);
	uint64_t x = slot_alloc(), nog = slot_alloc(), nro = slot_alloc();
	uint64_t w = 0;
	struct cap_recv c;

	/* with grant: the receiver gets a working copy */
	c = send_caps(ep, ep, x, (uint64_t[]){n}, 1);
	CHECK(c.done);
	CHECK_EQ(c.res, UX_OK);
	CHECK_EQ(ux_mi_caps(c.m.info), 1);
	CHECK_EQ(ux_mi_unwrapped(c.m.info), 0);
	CHECK_EQ(c.m.mr[0], 55);
	CHECK_EQ(c.caps[0], 0);
	CHECK_EQ(cap_type_of(x), UX_CAP_NOTIFICATION);
	CHECK_EQ(ux_signal(x), UX_OK);
	CHECK_EQ(ux_poll(n, &w), UX_OK);
	CHECK_EQ(w, 0);
	/* a copy: revoking the original takes it */
	CHECK_EQ(ux_cnode_revoke(ROOT, n, D), UX_OK);
	CHECK_EQ(cap_type_of(x), UX_CAP_NULL);
	/* rights travel with it */
	CHECK_EQ(ux_cnode_mint(ROOT, nro, D, ROOT, n, D, UX_R_READ, 0), UX_OK);
	c = send_caps(ep, ep, x, (uint64_t[]){nro}, 1);
	CHECK_EQ(ux_mi_caps(c.m.info), 1);
	CHECK_EQ(ux_signal(x), UX_E_NO_RIGHTS);
	CHECK_EQ(ux_cnode_delete(ROOT, x, D), UX_OK);
	/* without grant: the message arrives, the capability does not */
	CHECK_EQ(ux_cnode_mint(ROOT, nog, D, ROOT, ep, D,
			       UX_R_ALL & ~UX_R_GRANT, 0),
		 UX_OK);
	c = send_caps(ep, nog, x, (uint64_t[]){n}, 1);
	CHECK_EQ(c.res, UX_OK);
	CHECK_EQ(c.m.mr[0], 55);
	CHECK_EQ(ux_mi_caps(c.m.info), 0);
	CHECK_EQ(cap_type_of(x), UX_CAP_NULL);
	/* no receive slot, or an occupied one */
	c = send_caps(ep, ep, 0, (uint64_t[]){n}, 1);
	CHECK_EQ(ux_mi_caps(c.m.info), 0);
	c = send_caps(ep, ep, nro, (uint64_t[]){n}, 1);
	CHECK_EQ(ux_mi_caps(c.m.info), 0);
	/* capabilities that cannot be copied, or do not exist */
	c = send_caps(ep, ep, x, (uint64_t[]){untyped_new(12)}, 1);
	CHECK_EQ(ux_mi_caps(c.m.info), 0);
	CHECK_EQ(cap_type_of(x), UX_CAP_NULL);
	c = send_caps(ep, ep, x, (uint64_t[]){slot_alloc()}, 1);
	CHECK_EQ(ux_mi_caps(c.m.info), 0);
	c = send_caps(ep, ep, x, (uint64_t[]){1ull << 50}, 1);
	CHECK_EQ(ux_mi_caps(c.m.info), 0);
	CHECK_EQ(c.m.mr[0], 55);
	/* one receive slot: a second transferable capability stops it */
	c = send_caps(ep, ep, x, (uint64_t[]){n, ep}, 2);
	CHECK_EQ(ux_mi_caps(c.m.info), 1);
	CHECK_EQ(cap_type_of(x), UX_CAP_NOTIFICATION);
	return 0;
}

KTEST(ipc_cap_unwrap_badge)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), b = slot_alloc();
	uint64_t b2 = slot_alloc(), other = obj_new(UX_CAP_ENDPOINT, 0);
	uint64_t ob = slot_alloc(), n = obj_new(UX_CAP_NOTIFICATION, 0);
	uint64_t x = slot_alloc();
	struct cap_recv c;

	CHECK_EQ(ux_cnode_mint(ROOT, b, D, ROOT, ep, D, UX_R_ALL, 0x55), UX_OK);
	CHECK_EQ(ux_cnode_mint(ROOT, b2, D, ROOT, ep, D, UX_R_ALL, 0x66),
		 UX_OK);
	CHECK_EQ(ux_cnode_mint(ROOT, ob, D, ROOT, other, D, UX_R_ALL, 0x77),
		 UX_OK);
	/* a badged capability to the endpoint itself arrives as its badge */
	c = send_caps(ep, ep, x, (uint64_t[]){b}, 1);
	CHECK_EQ(ux_mi_caps(c.m.info), 1);
	CHECK_EQ(ux_mi_unwrapped(c.m.info), 1);
	CHECK_EQ(c.caps[0], 0x55);
	CHECK_EQ(cap_type_of(x), UX_CAP_NULL);
	/* unwrapping needs no grant right */
	uint64_t nog = slot_alloc();
	CHECK_EQ(ux_cnode_mint(ROOT, nog, D, ROOT, ep, D,
			       UX_R_ALL & ~UX_R_GRANT, 0),
		 UX_OK);
	c = send_caps(ep, nog, x, (uint64_t[]){b2, b}, 2);
	CHECK_EQ(ux_mi_caps(c.m.info), 2);
	CHECK_EQ(ux_mi_unwrapped(c.m.info), 3);
	CHECK_EQ(c.caps[0], 0x66);
	CHECK_EQ(c.caps[1], 0x55);
	/* mixed: unwrapped, then transferred, then unwrapped */
	c = send_caps(ep, ep, x, (uint64_t[]){b, n, b2}, 3);
	CHECK_EQ(ux_mi_caps(c.m.info), 3);
	CHECK_EQ(ux_mi_unwrapped(c.m.info), 5);
	CHECK_EQ(c.caps[0], 0x55);
	CHECK_EQ(c.caps[2], 0x66);
	CHECK_EQ(cap_type_of(x), UX_CAP_NOTIFICATION);
	CHECK_EQ(ux_cnode_delete(ROOT, x, D), UX_OK);
	/* a badged capability to another endpoint is transferred */
	c = send_caps(ep, ep, x, (uint64_t[]){ob}, 1);
	CHECK_EQ(ux_mi_caps(c.m.info), 1);
	CHECK_EQ(ux_mi_unwrapped(c.m.info), 0);
	CHECK_EQ(cap_type_of(x), UX_CAP_ENDPOINT);
	CHECK_EQ(ux_cnode_delete(ROOT, x, D), UX_OK);
	/* an unbadged one to the same endpoint too */
	c = send_caps(ep, ep, x, (uint64_t[]){ep}, 1);
	CHECK_EQ(ux_mi_unwrapped(c.m.info), 0);
	CHECK_EQ(cap_type_of(x), UX_CAP_ENDPOINT);
	return 0;
}

/* A server that replies with a capability (a grant through the reply). */
struct granter {
	uint64_t ep, reply, give;
	volatile long res;
};

static void
grant_server(uint64_t arg)
{
	struct granter *g = (struct granter *)arg;
	struct ux_msg m = {0};
	g->res = ux_recv(g->ep, g->reply, &m);
	ux_ipcbuf()->caps[0] = g->give;
	m.info = ux_msginfo(0, 0, 1, 0);
	ux_reply(g->reply, &m);
}

KTEST(ipc_grant_through_reply)
{
	struct granter g = {.ep = obj_new(UX_CAP_ENDPOINT, 0),
			    .reply = obj_new(UX_CAP_REPLY, 0),
			    .give = obj_new(UX_CAP_NOTIFICATION, 0)};
	uint64_t x = slot_alloc(), nogr = slot_alloc();
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct kthread t;
	struct ux_msg m;

	b->recv_cnode = ROOT;
	b->recv_index = x;
	b->recv_depth = D;
	thread_start(&t, grant_server, (uint64_t)&g, 100, VSPACE, 0);
	m = (struct ux_msg){.info = ux_msginfo(1, 0, 0, 0)};
	CHECK_EQ(ux_call(g.ep, &m), UX_OK);
	CHECK_EQ(ux_mi_caps(m.info), 1);
	CHECK_EQ(cap_type_of(x), UX_CAP_NOTIFICATION);
	CHECK_EQ(ux_cnode_delete(ROOT, x, D), UX_OK);
	thread_kill(&t);
	/* called through a capability without the grant-reply right */
	CHECK_EQ(ux_cnode_mint(ROOT, nogr, D, ROOT, g.ep, D,
			       UX_R_ALL & ~UX_R_GRANT_REPLY, 0),
		 UX_OK);
	thread_start(&t, grant_server, (uint64_t)&g, 100, VSPACE, 0);
	m = (struct ux_msg){.info = ux_msginfo(1, 0, 0, 0)};
	CHECK_EQ(ux_call(nogr, &m), UX_OK);
	CHECK_EQ(ux_mi_caps(m.info), 0);
	CHECK_EQ(cap_type_of(x), UX_CAP_NULL);
	b->recv_depth = 0;
	thread_kill(&t);
	return 0;
}

KTEST(ipc_call_without_reply_object)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0);
	struct op c = {.kind = OP_CALL, .cap = ep};
	struct kthread t;
	struct ux_msg m = {0};

	c.m = (struct ux_msg){.info = ux_msginfo(2, 1, 0, 0), .mr = {22}};
	thread_start(&t, op_thread, (uint64_t)&c, 100, VSPACE, 0);
	settle();
	CHECK_EQ(ux_recv(ep, 0, &m), UX_OK); /* no reply object */
	CHECK_EQ(m.mr[0], 22);
	settle();
	CHECK(c.done);
	CHECK_EQ(c.res, UX_E_CANCELLED);
	thread_kill(&t);
	return 0;
}

KTEST(ipc_reply_objects)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0);
	uint64_t r1 = obj_new(UX_CAP_REPLY, 0), r2 = obj_new(UX_CAP_REPLY, 0);
	struct op a = {.kind = OP_CALL, .cap = ep}, b = {.kind = OP_CALL, .cap = ep};
	struct kthread ta, tb;
	struct ux_msg m = {0};

	a.m.info = ux_msginfo(1, 0, 0, 0);
	b.m.info = ux_msginfo(2, 0, 0, 0);
	thread_start(&ta, op_thread, (uint64_t)&a, 100, VSPACE, 0);
	thread_start(&tb, op_thread, (uint64_t)&b, 100, VSPACE, 0);
	settle();
	/* two callers, answered in reverse order */
	CHECK_EQ(ux_recv(ep, r1, &m), UX_OK);
	CHECK_EQ(ux_mi_label(m.info), 1); /* queue order */
	CHECK_EQ(ux_recv(ep, r2, &m), UX_OK);
	CHECK_EQ(ux_mi_label(m.info), 2);
	m = (struct ux_msg){.info = ux_msginfo(20, 1, 0, 0), .mr = {200}};
	CHECK_EQ(ux_reply(r2, &m), UX_OK);
	CHECK_EQ(ux_reply(r2, &m), UX_E_ILLEGAL_OPERATION); /* used up */
	settle();
	CHECK(b.done && !a.done);
	CHECK_EQ(b.m.mr[0], 200);
	CHECK_EQ(ux_mi_label(b.m.info), 20);
	m = (struct ux_msg){.info = ux_msginfo(10, 1, 0, 0), .mr = {100}};
	CHECK_EQ(ux_reply(r1, &m), UX_OK);
	settle();
	CHECK(a.done);
	CHECK_EQ(a.res, UX_OK);
	CHECK_EQ(a.m.mr[0], 100);
	thread_kill(&ta);
	thread_kill(&tb);
	/* a reply object taken again: its earlier caller is cancelled */
	a.done = b.done = 0;
	thread_start(&ta, op_thread, (uint64_t)&a, 100, VSPACE, 0);
	thread_start(&tb, op_thread, (uint64_t)&b, 100, VSPACE, 0);
	settle();
	CHECK_EQ(ux_recv(ep, r1, &m), UX_OK);
	CHECK_EQ(ux_recv(ep, r1, &m), UX_OK);
	settle();
	CHECK(a.done && !b.done);
	CHECK_EQ(a.res, UX_E_CANCELLED);
	m.info = 0;
	CHECK_EQ(ux_reply(r1, &m), UX_OK);
	settle();
	CHECK(b.done);
	CHECK_EQ(b.res, UX_OK);
	thread_kill(&ta);
	thread_kill(&tb);
	/* a reply object deleted under its caller */
	a.done = 0;
	thread_start(&ta, op_thread, (uint64_t)&a, 100, VSPACE, 0);
	settle();
	CHECK_EQ(ux_recv(ep, r2, &m), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, r2, D), UX_OK);
	settle();
	CHECK(a.done);
	CHECK_EQ(a.res, UX_E_CANCELLED);
	thread_kill(&ta);
	return 0;
}

KTEST(ipc_queue_order)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0);
	struct op s[4];
	struct kthread t[4];
	struct ux_msg m = {0};

	for (unsigned i = 0; i < 4; i++) {
		s[i] = (struct op){.kind = OP_SEND, .cap = ep};
		s[i].m.info = ux_msginfo(i + 1, 0, 0, 0);
		thread_start(&t[i], op_thread, (uint64_t)&s[i], 100 + i % 2,
			     VSPACE, 0);
		settle();
	}
	for (unsigned i = 0; i < 4; i++) {
		CHECK_EQ(ux_recv(ep, 0, &m), UX_OK);
		CHECK_EQ(ux_mi_label(m.info), i + 1);
	}
	for (unsigned i = 0; i < 4; i++)
		thread_kill(&t[i]);
	return 0;
}

KTEST(ipc_endpoint_deleted_with_waiters)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), ep2 = obj_new(UX_CAP_ENDPOINT, 0);
	uint64_t c = slot_alloc();
	struct op r = {.kind = OP_RECV, .cap = ep}, r2 = {.kind = OP_RECV, .cap = ep};
	struct op s = {.kind = OP_SEND, .cap = ep2}, k = {.kind = OP_CALL, .cap = ep2};
	struct kthread t[4];

	CHECK_EQ(ux_cnode_copy(ROOT, c, D, ROOT, ep, D, UX_R_ALL), UX_OK);
	thread_start(&t[0], op_thread, (uint64_t)&r, 100, VSPACE, 0);
	thread_start(&t[1], op_thread, (uint64_t)&r2, 100, VSPACE, 0);
	thread_start(&t[2], op_thread, (uint64_t)&s, 100, VSPACE, 0);
	thread_start(&t[3], op_thread, (uint64_t)&k, 100, VSPACE, 0);
	settle();
	/* not the last capability: nothing happens */
	CHECK_EQ(ux_cnode_delete(ROOT, ep, D), UX_OK);
	settle();
	CHECK(!r.done && !r2.done);
	CHECK_EQ(ux_cnode_delete(ROOT, c, D), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, ep2, D), UX_OK);
	settle();
	CHECK(r.done && r2.done && s.done && k.done);
	CHECK_EQ(r.res, UX_E_CANCELLED);
	CHECK_EQ(r2.res, UX_E_CANCELLED);
	CHECK_EQ(s.res, UX_E_CANCELLED);
	CHECK_EQ(k.res, UX_E_CANCELLED);
	for (unsigned i = 0; i < 4; i++)
		thread_kill(&t[i]);
	return 0;
}

/* Two clients with different badges, one server thread in another
 * address space, many rounds: every answer goes to the right caller. */
struct client {
	uint64_t ep;
	unsigned id;
	volatile int bad, done;
};

static void
badge_client(uint64_t arg)
{
	struct client *c = (struct client *)arg;
	for (unsigned i = 0; i < 50; i++) {
		struct ux_msg m = {.info = ux_msginfo(1, 2, 0, 0),
				   .mr = {c->id, i}};
		if (ux_call(c->ep, &m) || m.mr[0] != c->id + 1 ||
		    m.mr[1] != i + 1)
			c->bad++;
		if (i % 7 == 0)
			ux_yield();
	}
	c->done = 1;
}

KTEST(ipc_many_clients_badges)
{
	static struct echo e;
	struct kthread srv, ct[3];
	struct client c[3];

	echo_start(&srv, &e, 200, vspace_new());
	for (unsigned i = 0; i < 3; i++) {
		c[i] = (struct client){.ep = slot_alloc(), .id = 100 * i};
		CHECK_EQ(ux_cnode_mint(ROOT, c[i].ep, D, ROOT, e.ep, D,
				       UX_R_ALL, i + 1),
			 UX_OK);
		thread_start(&ct[i], badge_client, (uint64_t)&c[i], 150,
			     VSPACE, 0);
	}
	settle();
	for (unsigned i = 0; i < 3; i++) {
		CHECK(c[i].done);
		CHECK_EQ(c[i].bad, 0);
		thread_kill(&ct[i]);
	}
	CHECK_EQ(e.count, 150);
	thread_kill(&srv);
	return 0;
}

/* ReplyRecv through an endpoint capability without the read right: the
 * reply is delivered, then the receive fails. */
KTEST(ipc_reply_recv_without_read_right)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), rp = obj_new(UX_CAP_REPLY, 0);
	uint64_t wo = slot_alloc();
	struct op c = {.kind = OP_CALL, .cap = ep};
	struct kthread t;
	struct ux_msg m = {0};

	CHECK_EQ(ux_cnode_mint(ROOT, wo, D, ROOT, ep, D, UX_R_WRITE, 0), UX_OK);
	thread_start(&t, op_thread, (uint64_t)&c, 100, VSPACE, 0);
	settle();
	CHECK_EQ(ux_recv(ep, rp, &m), UX_OK);
	m = (struct ux_msg){.info = ux_msginfo(4, 1, 0, 0), .mr = {44}};
	CHECK_EQ(ux_reply_recv(wo, rp, &m), UX_E_NO_RIGHTS);
	settle();
	CHECK(c.done);
	CHECK_EQ(c.res, UX_OK);
	CHECK_EQ(c.m.mr[0], 44);
	/* with no caller waiting, ReplyRecv just receives */
	m = (struct ux_msg){0};
	CHECK_EQ(ux_reply(rp, &m), UX_E_ILLEGAL_OPERATION);
	c.done = 0;
	c.m = (struct ux_msg){.info = ux_msginfo(6, 0, 0, 0)};
	thread_kill(&t);
	thread_start(&t, op_thread, (uint64_t)&c, 100, VSPACE, 0);
	settle();
	m = (struct ux_msg){.info = ux_msginfo(9, 0, 0, 0)};
	CHECK_EQ(ux_nbrecv(ep, rp, &m), UX_OK); /* takes the call */
	CHECK_EQ(ux_mi_label(m.info), 6);
	m = (struct ux_msg){.info = ux_msginfo(7, 0, 0, 0)};
	CHECK_EQ(ux_reply(rp, &m), UX_OK);
	settle();
	CHECK(c.done);
	CHECK_EQ(ux_mi_label(c.m.info), 7);
	thread_kill(&t);
	return 0;
}
