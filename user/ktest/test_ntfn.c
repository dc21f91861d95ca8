/*
 * test_ntfn.c - notifications: Signal, Wait and Poll; badges OR-ed while
 * no one waits; waiters woken in order; rights; the IPC system calls on a
 * notification (Send signals, Recv waits); a bound notification waking a
 * Recv on an endpoint (pending before the Recv, arriving during it, and no
 * more after Unbind); deleting a notification with waiters.
 */
#include "ktest.h"

static uint64_t
minted(uint64_t n, unsigned rights, uint64_t badge)
{
	uint64_t s = slot_alloc();
	if (ux_cnode_mint(ROOT, s, D, ROOT, n, D, rights, badge))
		return 0;
	return s;
}

KTEST(ntfn_signal_wait_poll)
{
	uint64_t n = obj_new(UX_CAP_NOTIFICATION, 0), w = ~0ull;
	uint64_t b1 = minted(n, UX_R_ALL, 1), b2 = minted(n, UX_R_ALL, 2);
	uint64_t b4 = minted(n, UX_R_WRITE, 4);

	CHECK_EQ(ux_poll(n, &w), UX_OK);
	CHECK_EQ(w, 0); /* nothing pending */
	CHECK_EQ(ux_signal(b1), UX_OK);
	CHECK_EQ(ux_signal(b4), UX_OK);
	CHECK_EQ(ux_signal(b4), UX_OK);
	CHECK_EQ(ux_signal(b2), UX_OK);
	CHECK_EQ(ux_wait(n, &w), UX_OK); /* pending: does not block */
	CHECK_EQ(w, 7);
	CHECK_EQ(ux_poll(n, &w), UX_OK);
	CHECK_EQ(w, 0); /* Wait cleared it */
	CHECK_EQ(ux_signal(b2), UX_OK);
	CHECK_EQ(ux_poll(b1, &w), UX_OK); /* any readable capability */
	CHECK_EQ(w, 2);
	CHECK_EQ(ux_poll(n, &w), UX_OK);
	CHECK_EQ(w, 0);
	/* the IPC calls work on notifications too */
	struct ux_msg m = {0};
	CHECK_EQ(ux_send(b1, &m), UX_OK);
	CHECK_EQ(ux_nbsend(b2, &m), UX_OK);
	m = (struct ux_msg){0};
	CHECK_EQ(ux_nbrecv(n, 0, &m), UX_OK);
	CHECK_EQ(m.badge, 3);
	CHECK_EQ(ux_signal(b4), UX_OK);
	m = (struct ux_msg){0};
	CHECK_EQ(ux_recv(n, 0, &m), UX_OK);
	CHECK_EQ(m.badge, 4);
	return 0;
}

KTEST(ntfn_errors)
{
	uint64_t n = obj_new(UX_CAP_NOTIFICATION, 0);
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), empty = slot_alloc();
	uint64_t ro = minted(n, UX_R_READ, 0), wo = minted(n, UX_R_WRITE, 8);
	uint64_t w = 0;
	struct ux_msg m = {0};

	CHECK_EQ(ux_signal(ro), UX_E_NO_RIGHTS);
	CHECK_EQ(ux_send(ro, &m), UX_E_NO_RIGHTS);
	CHECK_EQ(ux_wait(wo, &w), UX_E_NO_RIGHTS);
	CHECK_EQ(ux_poll(wo, &w), UX_E_NO_RIGHTS);
	CHECK_EQ(ux_recv(wo, 0, &m), UX_E_NO_RIGHTS);
	CHECK_EQ(ux_signal(ep), UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_wait(ep, &w), UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_poll(empty, &w), UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_signal(1ull << 50), UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_wait(1ull << 50, &w), UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_call(n, &m), UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_reply_recv(n, 0, &m), UX_E_INVALID_CAPABILITY);
	/* the failures signalled nothing */
	CHECK_EQ(ux_poll(n, &w), UX_OK);
	CHECK_EQ(w, 0);
	return 0;
}

KTEST(ntfn_waiters)
{
	uint64_t n = obj_new(UX_CAP_NOTIFICATION, 0);
	uint64_t b1 = minted(n, UX_R_ALL, 0x10), b2 = minted(n, UX_R_ALL, 0x20);
	struct op w1 = {.kind = OP_WAIT, .cap = n}, w2 = {.kind = OP_WAIT, .cap = n};
	struct kthread t1, t2;
	uint64_t w;

	thread_start(&t1, op_thread, (uint64_t)&w1, 100, VSPACE, 0);
	settle();
	thread_start(&t2, op_thread, (uint64_t)&w2, 100, VSPACE, 0);
	settle();
	CHECK(!w1.done && !w2.done);
	/* each signal wakes one waiter, the first first */
	CHECK_EQ(ux_signal(b1), UX_OK);
	settle();
	CHECK(w1.done && !w2.done);
	CHECK_EQ(w1.res, UX_OK);
	CHECK_EQ(w1.m.badge, 0x10);
	CHECK_EQ(ux_signal(b2), UX_OK);
	settle();
	CHECK(w2.done);
	CHECK_EQ(w2.m.badge, 0x20);
	/* a woken waiter took the badge: nothing stays pending */
	CHECK_EQ(ux_poll(n, &w), UX_OK);
	CHECK_EQ(w, 0);
	thread_kill(&t1);
	thread_kill(&t2);
	/* a waiter in another address space */
	static struct op w3;
	w3 = (struct op){.kind = OP_WAIT, .cap = n};
	thread_start(&t1, op_thread, (uint64_t)&w3, 100, vspace_new(), 0);
	settle();
	CHECK_EQ(ux_signal(b2), UX_OK);
	settle();
	CHECK(w3.done);
	CHECK_EQ(w3.m.badge, 0x20);
	thread_kill(&t1);
	return 0;
}

KTEST(ntfn_deleted_with_waiters)
{
	uint64_t n = obj_new(UX_CAP_NOTIFICATION, 0), c = slot_alloc();
	struct op w1 = {.kind = OP_WAIT, .cap = c}, w2 = {.kind = OP_WAIT, .cap = n};
	struct kthread t1, t2;

	CHECK_EQ(ux_cnode_copy(ROOT, c, D, ROOT, n, D, UX_R_ALL), UX_OK);
	thread_start(&t1, op_thread, (uint64_t)&w1, 100, VSPACE, 0);
	thread_start(&t2, op_thread, (uint64_t)&w2, 100, VSPACE, 0);
	settle();
	CHECK_EQ(ux_cnode_delete(ROOT, c, D), UX_OK);
	settle();
	CHECK(!w1.done && !w2.done); /* still one capability */
	CHECK_EQ(ux_cnode_delete(ROOT, n, D), UX_OK);
	settle();
	CHECK(w1.done && w2.done);
	CHECK_EQ(w1.res, UX_E_CANCELLED);
	CHECK_EQ(w2.res, UX_E_CANCELLED);
	thread_kill(&t1);
	thread_kill(&t2);
	return 0;
}

/* A server waiting for messages and signals at once. */
struct bound_srv {
	uint64_t ep;
	struct ux_msg m[4];
	volatile long res[4];
	volatile int n;
	int nb; /* use NBRecv */
};

static void
bound_server(uint64_t arg)
{
	struct bound_srv *s = (struct bound_srv *)arg;
	for (int i = 0; i < 4; i++) {
		s->m[i] = (struct ux_msg){0};
		s->res[i] = s->nb ? ux_nbrecv(s->ep, 0, &s->m[i])
				  : ux_recv(s->ep, 0, &s->m[i]);
		s->n = i + 1;
	}
}

KTEST(ntfn_bound_wakes_recv)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), n = obj_new(UX_CAP_NOTIFICATION, 0);
	uint64_t b8 = minted(n, UX_R_WRITE, 8), b1 = minted(n, UX_R_WRITE, 1);
	struct bound_srv s = {.ep = ep};
	struct kthread t;
	uint64_t w;

	thread_start(&t, bound_server, (uint64_t)&s, 100, VSPACE, 0);
	CHECK_EQ(ux_tcb_bind(t.tcb, n), UX_OK);
	/* a signal pending before the Recv */
	CHECK_EQ(ux_signal(b1), UX_OK);
	settle();
	CHECK_EQ(s.n, 1);
	CHECK_EQ(s.res[0], UX_OK);
	CHECK_EQ(s.m[0].badge, 1);
	/* a signal while it waits in Recv */
	CHECK_EQ(ux_signal(b8), UX_OK);
	settle();
	CHECK_EQ(s.n, 2);
	CHECK_EQ(s.res[1], UX_OK);
	CHECK_EQ(s.m[1].badge, 8);
	CHECK_EQ(ux_poll(n, &w), UX_OK);
	CHECK_EQ(w, 0); /* delivered, not left pending */
	/* messages still arrive */
	struct ux_msg m = {.info = ux_msginfo(5, 1, 0, 0), .mr = {55}};
	CHECK_EQ(ux_send(ep, &m), UX_OK);
	settle();
	CHECK_EQ(s.n, 3);
	CHECK_EQ(ux_mi_label(s.m[2].info), 5);
	CHECK_EQ(s.m[2].mr[0], 55);
	/* unbound: a signal no longer wakes the Recv */
	CHECK_EQ(ux_tcb_unbind(t.tcb), UX_OK);
	CHECK_EQ(ux_signal(b8), UX_OK);
	settle();
	CHECK_EQ(s.n, 3);
	CHECK_EQ(ux_poll(n, &w), UX_OK);
	CHECK_EQ(w, 8);
	thread_kill(&t);
	/* NBRecv: a pending signal, then nothing */
	s = (struct bound_srv){.ep = ep, .nb = 1};
	thread_start(&t, bound_server, (uint64_t)&s, 100, VSPACE, 0);
	CHECK_EQ(ux_tcb_bind(t.tcb, n), UX_OK);
	CHECK_EQ(ux_signal(b1), UX_OK);
	CHECK_EQ(ux_signal(b8), UX_OK);
	settle();
	CHECK_EQ(s.n, 4);
	CHECK_EQ(s.res[0], UX_OK);
	CHECK_EQ(s.m[0].badge, 9);
	CHECK_EQ(s.res[1], UX_E_WOULD_BLOCK);
	thread_kill(&t);
	return 0;
}
