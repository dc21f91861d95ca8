/*
 * test_cnode.c - CNode invocations: Copy, Mint (badges, reduced rights,
 * guards), Move, Mutate, Delete and Revoke with all their argument
 * errors; revoke removing exactly what was derived; revoke of a tree
 * whose objects are in use (a running thread, waiters on an endpoint and
 * a notification, a caller waiting on a reply object, a mapped frame);
 * deletion of long CNode chains and of CNode cycles.
 */
#include "ktest.h"

static long
nbsend(uint64_t ep)
{
	struct ux_msg m = {0};
	return ux_nbsend(ep, &m);
}

/* Send a one-word message through cap and return the badge a receiver
 * on the endpoint ep sees, or ~0 on failure. */
static uint64_t
badge_through(uint64_t cap, uint64_t ep)
{
	struct op r = {.kind = OP_RECV, .cap = ep};
	struct kthread t;
	struct ux_msg m = {.info = ux_msginfo(7, 1, 0, 0), .mr = {99}};
	uint64_t b = ~0ull;

	thread_start(&t, op_thread, (uint64_t)&r, 100, VSPACE, 0);
	settle();
	if (ux_nbsend(cap, &m) == UX_OK) {
		settle();
		if (r.done && r.res == UX_OK && r.m.mr[0] == 99)
			b = r.m.badge;
	}
	thread_kill(&t);
	return b;
}

KTEST(cnode_copy)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), c = slot_alloc();
	uint64_t other = obj_new(UX_CAP_ENDPOINT, 0), empty = slot_alloc();
	uint64_t mr[5] = {c, D, ep, D, UX_R_ALL}, caps[1] = {ROOT};

	CHECK_EQ(ux_cnode_copy(ROOT, c, D, ROOT, ep, D, UX_R_ALL), UX_OK);
	CHECK_EQ(cap_type_of(c), UX_CAP_ENDPOINT);
	CHECK_EQ(badge_through(c, ep), 0); /* the same endpoint */
	CHECK_EQ(ux_cnode_copy(ROOT, c, D, ROOT, other, D, UX_R_ALL),
		 UX_E_DELETE_FIRST);
	CHECK_EQ(badge_through(c, ep), 0); /* unchanged */
	CHECK_EQ(ux_cnode_copy(ROOT, slot_alloc(), D, ROOT, empty, D,
			       UX_R_ALL),
		 UX_E_INVALID_CAPABILITY);
	/* malformed addresses */
	uint64_t d = slot_alloc();
	CHECK_EQ(ux_cnode_copy(ROOT, d, D, ep, ep, D, UX_R_ALL),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_cnode_copy(ROOT, d, D, empty, ep, D, UX_R_ALL),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_cnode_copy(ROOT, d, D, 1ull << 50, ep, D, UX_R_ALL),
		 UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_cnode_copy(ROOT, d, 0, ROOT, ep, D, UX_R_ALL), UX_E_RANGE);
	CHECK_EQ(ux_cnode_copy(ROOT, d, 65, ROOT, ep, D, UX_R_ALL),
		 UX_E_RANGE);
	CHECK_EQ(ux_cnode_copy(ROOT, d, D, ROOT, ep, 0, UX_R_ALL), UX_E_RANGE);
	CHECK_EQ(ux_cnode_copy(ROOT, d, 10, ROOT, ep, D, UX_R_ALL),
		 UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_cnode_copy(ROOT, d, D, ROOT, ep, 10, UX_R_ALL),
		 UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_cnode_copy(ROOT, d | 1ull << 40, D, ROOT, ep, D, UX_R_ALL),
		 UX_E_FAILED_LOOKUP);
	/* malformed messages */
	mr[0] = d;
	CHECK_EQ(inv_raw(ROOT, UX_CNODE_COPY, 4, mr, 1, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(ROOT, UX_CNODE_COPY, 5, mr, 0, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(ROOT, UX_CNODE_COPY, 1, mr, 1, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(ROOT, 99, 5, mr, 1, caps), UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(cap_type_of(d), UX_CAP_NULL);
	/* capabilities that cannot be copied */
	CHECK_EQ(ux_cnode_copy(ROOT, d, D, ROOT, UX_BI_SLOT_IRQ_CONTROL, D,
			       UX_R_ALL),
		 UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_cnode_copy(ROOT, d, D, ROOT, UX_BI_SLOT_IOPORT_CONTROL, D,
			       UX_R_ALL),
		 UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_cnode_copy(ROOT, d, D, ROOT, obj_new(UX_CAP_PAGE_TABLE, 0),
			       D, UX_R_ALL),
		 UX_E_ILLEGAL_OPERATION);
	/* and some that can */
	CHECK_EQ(ux_cnode_copy(ROOT, d, D, ROOT, obj_new(UX_CAP_REPLY, 0), D,
			       UX_R_ALL),
		 UX_OK);
	CHECK_EQ(cap_type_of(d), UX_CAP_REPLY);
	CHECK_EQ(ux_cnode_delete(ROOT, d, D), UX_OK);
	CHECK_EQ(ux_cnode_copy(ROOT, d, D, ROOT, ROOT, D, UX_R_ALL), UX_OK);
	CHECK_EQ(cap_type_of(d), UX_CAP_CNODE);
	CHECK_EQ(ux_cnode_delete(ROOT, d, D), UX_OK);
	return 0;
}

KTEST(cnode_mint_badge_and_rights)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), b = slot_alloc();
	uint64_t b2 = slot_alloc(), ro = slot_alloc(), wo = slot_alloc();
	uint64_t x = slot_alloc();
	struct ux_msg m = {0};

	CHECK_EQ(ux_cnode_mint(ROOT, b, D, ROOT, ep, D, UX_R_ALL, 0x1234),
		 UX_OK);
	CHECK_EQ(badge_through(b, ep), 0x1234);
	CHECK_EQ(badge_through(ep, ep), 0);
	/* a badge is set once */
	CHECK_EQ(ux_cnode_mint(ROOT, b2, D, ROOT, b, D, UX_R_ALL, 5),
		 UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(cap_type_of(b2), UX_CAP_NULL);
	CHECK_EQ(ux_cnode_mint(ROOT, b2, D, ROOT, b, D, UX_R_ALL, 0),
		 UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_cnode_copy(ROOT, b2, D, ROOT, b, D, UX_R_WRITE), UX_OK);
	CHECK_EQ(badge_through(b2, ep), 0x1234);
	/* rights only shrink */
	CHECK_EQ(ux_cnode_mint(ROOT, ro, D, ROOT, ep, D, UX_R_READ, 0), UX_OK);
	CHECK_EQ(ux_cnode_mint(ROOT, wo, D, ROOT, ep, D, UX_R_WRITE, 0),
		 UX_OK);
	CHECK_EQ(ux_nbsend(ro, &m), UX_E_NO_RIGHTS);
	CHECK_EQ(ux_nbrecv(wo, 0, &m), UX_E_NO_RIGHTS);
	CHECK_EQ(ux_nbrecv(ro, 0, &m), UX_E_WOULD_BLOCK);
	CHECK_EQ(ux_nbsend(wo, &m), UX_E_WOULD_BLOCK);
	CHECK_EQ(ux_cnode_mint(ROOT, x, D, ROOT, ro, D, UX_R_ALL, 0), UX_OK);
	CHECK_EQ(ux_nbsend(x, &m), UX_E_NO_RIGHTS);
	CHECK_EQ(ux_cnode_delete(ROOT, x, D), UX_OK);
	CHECK_EQ(ux_cnode_copy(ROOT, x, D, ROOT, ep, D, 0), UX_OK);
	CHECK_EQ(ux_nbsend(x, &m), UX_E_NO_RIGHTS);
	CHECK_EQ(ux_nbrecv(x, 0, &m), UX_E_NO_RIGHTS);
	CHECK_EQ(ux_cnode_delete(ROOT, x, D), UX_OK);
	/* notifications: the badge is what Signal ORs in */
	uint64_t n = obj_new(UX_CAP_NOTIFICATION, 0), nb = slot_alloc();
	uint64_t w = 0;
	CHECK_EQ(ux_cnode_mint(ROOT, nb, D, ROOT, n, D, UX_R_ALL, 0x10),
		 UX_OK);
	CHECK_EQ(ux_signal(nb), UX_OK);
	CHECK_EQ(ux_poll(n, &w), UX_OK);
	CHECK_EQ(w, 0x10);
	CHECK_EQ(ux_cnode_mint(ROOT, x, D, ROOT, nb, D, UX_R_ALL, 0x20),
		 UX_E_ILLEGAL_OPERATION);
	/* frames carry no badge, but their rights shrink */
	uint64_t f = obj_new(UX_CAP_FRAME, 0), fr = slot_alloc();
	CHECK_EQ(ux_cnode_mint(ROOT, x, D, ROOT, f, D, UX_R_ALL, 1),
		 UX_E_INVALID_ARGUMENT);
	CHECK_EQ(ux_cnode_mint(ROOT, fr, D, ROOT, f, D, UX_R_READ, 0), UX_OK);
	uint64_t va = va_alloc(4096);
	CHECK_EQ(map_frame(VSPACE, fr, va, UX_R_READ | UX_R_WRITE),
		 UX_E_NO_RIGHTS);
	CHECK_EQ(map_frame(VSPACE, fr, va, UX_R_READ | UX_R_EXEC),
		 UX_E_NO_RIGHTS);
	CHECK_EQ(map_frame(VSPACE, fr, va, UX_R_READ), UX_OK);
	CHECK_EQ(ux_frame_unmap(fr), UX_OK);
	/* Mint needs its badge word */
	uint64_t mr[5] = {x, D, ep, D, UX_R_ALL}, caps[1] = {ROOT};
	CHECK_EQ(inv_raw(ROOT, UX_CNODE_MINT, 5, mr, 1, caps),
		 UX_E_TRUNCATED_MESSAGE);
	return 0;
}

KTEST(cnode_mint_guard)
{
	uint64_t cn = obj_new(UX_CAP_CNODE, 4), g = slot_alloc();
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), x = slot_alloc();

	CHECK_EQ(ux_cnode_copy(cn, 3, 4, ROOT, ep, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_mint(ROOT, g, D, ROOT, cn, D, UX_R_ALL,
			       4 | 0xA << 8),
		 UX_OK);
	/* 4 guard bits then 4 index bits */
	CHECK_EQ(ux_cnode_copy(ROOT, x, D, g, 0xA3, 8, UX_R_ALL), UX_OK);
	CHECK_EQ(badge_through(x, ep), 0);
	CHECK_EQ(ux_cnode_delete(ROOT, x, D), UX_OK);
	CHECK_EQ(ux_cnode_copy(ROOT, x, D, g, 0xB3, 8, UX_R_ALL),
		 UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_cnode_copy(ROOT, x, D, g, 3, 4, UX_R_ALL),
		 UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_cnode_copy(ROOT, x, D, g, 0xA3, 9, UX_R_ALL),
		 UX_E_FAILED_LOOKUP);
	/* the unguarded capability is unchanged */
	CHECK_EQ(ux_cnode_copy(ROOT, x, D, cn, 3, 4, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, x, D), UX_OK);
	/* guards that do not fit */
	CHECK_EQ(ux_cnode_mint(ROOT, x, D, ROOT, cn, D, UX_R_ALL,
			       4 | 0x1F << 8),
		 UX_E_INVALID_ARGUMENT);
	CHECK_EQ(ux_cnode_mint(ROOT, x, D, ROOT, cn, D, UX_R_ALL, 61),
		 UX_E_INVALID_ARGUMENT);
	CHECK_EQ(cap_type_of(x), UX_CAP_NULL);
	/* 60 guard bits + 4 index bits: a full 64-bit address */
	CHECK_EQ(ux_cnode_mint(ROOT, x, D, ROOT, cn, D, UX_R_ALL, 60), UX_OK);
	uint64_t y = slot_alloc();
	CHECK_EQ(ux_cnode_copy(ROOT, y, D, x, 3, 64, UX_R_ALL), UX_OK);
	CHECK_EQ(cap_type_of(y), UX_CAP_ENDPOINT);
	return 0;
}

KTEST(cnode_move)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), m = slot_alloc();
	uint64_t other = obj_new(UX_CAP_NOTIFICATION, 0);
	uint64_t mr[4] = {m, D, ep, D}, caps[1] = {ROOT};

	CHECK_EQ(inv_raw(ROOT, UX_CNODE_MOVE, 3, mr, 1, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(ux_cnode_move(ROOT, m, D, ROOT, ep, D), UX_OK);
	CHECK_EQ(cap_type_of(ep), UX_CAP_NULL);
	CHECK_EQ(cap_type_of(m), UX_CAP_ENDPOINT);
	CHECK_EQ(ux_cnode_move(ROOT, m, D, ROOT, other, D), UX_E_DELETE_FIRST);
	CHECK_EQ(cap_type_of(other), UX_CAP_NOTIFICATION);
	CHECK_EQ(ux_cnode_move(ROOT, slot_alloc(), D, ROOT, ep, D),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_cnode_move(ROOT, m, D, ROOT, m, D), UX_E_DELETE_FIRST);
	/* a move keeps the place in the derivation tree */
	uint64_t u = untyped_new(12), x = slot_alloc(), y = slot_alloc();
	uint64_t c = slot_alloc(), z = slot_alloc();
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, ROOT, 0, 0, x, 1),
		 UX_OK);
	CHECK_EQ(ux_cnode_copy(ROOT, c, D, ROOT, x, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_move(ROOT, y, D, ROOT, x, D), UX_OK);
	CHECK_EQ(ux_cnode_revoke(ROOT, y, D), UX_OK);
	CHECK_EQ(cap_type_of(c), UX_CAP_NULL);
	CHECK_EQ(cap_type_of(y), UX_CAP_ENDPOINT);
	CHECK_EQ(ux_cnode_move(ROOT, z, D, ROOT, y, D), UX_OK);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	CHECK_EQ(cap_type_of(z), UX_CAP_NULL);
	/* moving into another CNode */
	uint64_t cn = obj_new(UX_CAP_CNODE, 3);
	CHECK_EQ(ux_cnode_move(cn, 5, 3, ROOT, m, D), UX_OK);
	CHECK_EQ(cap_type_of(m), UX_CAP_NULL);
	CHECK_EQ(ux_cnode_move(ROOT, m, D, cn, 5, 3), UX_OK);
	CHECK_EQ(cap_type_of(m), UX_CAP_ENDPOINT);
	return 0;
}

KTEST(cnode_mutate)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), m = slot_alloc();
	uint64_t keep = slot_alloc(), x = slot_alloc();

	CHECK_EQ(ux_cnode_copy(ROOT, keep, D, ROOT, ep, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_mutate(ROOT, m, D, ROOT, ep, D, 77), UX_OK);
	CHECK_EQ(cap_type_of(ep), UX_CAP_NULL);
	CHECK_EQ(badge_through(m, keep), 77);
	/* badged once only; nothing moves on failure */
	CHECK_EQ(ux_cnode_mutate(ROOT, x, D, ROOT, m, D, 78),
		 UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(cap_type_of(x), UX_CAP_NULL);
	CHECK_EQ(badge_through(m, keep), 77);
	/* no badge on a frame */
	uint64_t f = obj_new(UX_CAP_FRAME, 0);
	CHECK_EQ(ux_cnode_mutate(ROOT, x, D, ROOT, f, D, 1),
		 UX_E_INVALID_ARGUMENT);
	CHECK_EQ(cap_type_of(f), UX_CAP_FRAME);
	CHECK_EQ(ux_cnode_mutate(ROOT, x, D, ROOT, f, D, 0), UX_OK);
	CHECK_EQ(cap_type_of(x), UX_CAP_FRAME);
	/* a CNode's guard changes in place of a move */
	uint64_t cn = obj_new(UX_CAP_CNODE, 2), g = slot_alloc();
	CHECK_EQ(ux_cnode_copy(cn, 1, 2, ROOT, keep, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_mutate(ROOT, g, D, ROOT, cn, D, 2 | 3 << 8), UX_OK);
	CHECK_EQ(ux_cnode_copy(ROOT, slot_alloc(), D, g, 0xD, 4, UX_R_ALL),
		 UX_OK);
	uint64_t mr[5] = {x, D, m, D, 0}, caps[1] = {ROOT};
	CHECK_EQ(inv_raw(ROOT, UX_CNODE_MUTATE, 4, mr, 1, caps),
		 UX_E_TRUNCATED_MESSAGE);
	return 0;
}

KTEST(cnode_delete)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), c = slot_alloc();
	uint64_t mr[2] = {c, D};

	CHECK_EQ(ux_cnode_copy(ROOT, c, D, ROOT, ep, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, c, D), UX_OK);
	CHECK_EQ(cap_type_of(c), UX_CAP_NULL);
	CHECK_EQ(nbsend(ep), UX_E_WOULD_BLOCK); /* the object lives on */
	CHECK_EQ(ux_cnode_delete(ROOT, c, D), UX_OK); /* already empty */
	CHECK_EQ(ux_cnode_delete(ROOT, c, 0), UX_E_RANGE);
	CHECK_EQ(ux_cnode_delete(ROOT, c, 65), UX_E_RANGE);
	CHECK_EQ(ux_cnode_delete(ROOT, c, 13), UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_cnode_delete(ROOT, 1ull << 60, D), UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_cnode_revoke(ROOT, c, 0), UX_E_RANGE);
	CHECK_EQ(ux_cnode_revoke(ROOT, 1ull << 60, D), UX_E_FAILED_LOOKUP);
	CHECK_EQ(inv_raw(ROOT, UX_CNODE_DELETE, 1, mr, 0, NULL),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(ROOT, UX_CNODE_REVOKE, 0, mr, 0, NULL),
		 UX_E_TRUNCATED_MESSAGE);
	/* CNode operations on something else */
	uint64_t f = obj_new(UX_CAP_FRAME, 0);
	CHECK_EQ(ux_cnode_delete(f, 0, 1), UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_cnode_delete(slot_alloc(), 0, 1), UX_E_INVALID_CAPABILITY);
	return 0;
}

KTEST(cnode_revoke_copies)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), a = slot_alloc();
	uint64_t b = slot_alloc(), c = slot_alloc(), d = slot_alloc();

	CHECK_EQ(ux_cnode_copy(ROOT, a, D, ROOT, ep, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_mint(ROOT, b, D, ROOT, ep, D, UX_R_WRITE, 9), UX_OK);
	CHECK_EQ(ux_cnode_copy(ROOT, c, D, ROOT, a, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_copy(ROOT, d, D, ROOT, c, D, UX_R_ALL), UX_OK);
	/* revoke a: only its copies c and d (c's copy) go */
	CHECK_EQ(ux_cnode_revoke(ROOT, a, D), UX_OK);
	CHECK_EQ(cap_type_of(a), UX_CAP_ENDPOINT);
	CHECK_EQ(cap_type_of(b), UX_CAP_ENDPOINT);
	CHECK_EQ(cap_type_of(c), UX_CAP_NULL);
	CHECK_EQ(cap_type_of(d), UX_CAP_NULL);
	CHECK_EQ(ux_cnode_revoke(ROOT, ep, D), UX_OK);
	CHECK_EQ(cap_type_of(a), UX_CAP_NULL);
	CHECK_EQ(cap_type_of(b), UX_CAP_NULL);
	CHECK_EQ(cap_type_of(ep), UX_CAP_ENDPOINT);
	CHECK_EQ(ux_cnode_revoke(ROOT, ep, D), UX_OK); /* nothing left */
	return 0;
}

/* When a capability with copies is deleted, its copies must not become
 * "derived" from a sibling: revoking that sibling must leave them. */
KTEST(cnode_revoke_only_what_was_derived)
{
	uint64_t u = untyped_new(16), e1 = slot_alloc(), e2 = slot_alloc();
	uint64_t c1 = slot_alloc(), c2 = slot_alloc(), f1 = slot_alloc();
	uint64_t f2 = slot_alloc(), g1 = slot_alloc();

	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, ROOT, 0, 0, e1, 1),
		 UX_OK);
	CHECK_EQ(ux_cnode_copy(ROOT, c1, D, ROOT, e1, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_copy(ROOT, g1, D, ROOT, c1, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, ROOT, 0, 0, e2, 1),
		 UX_OK);
	CHECK_EQ(ux_cnode_copy(ROOT, c2, D, ROOT, e2, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, e1, D), UX_OK);
	CHECK_EQ(ux_cnode_revoke(ROOT, e2, D), UX_OK);
	CHECK_EQ(cap_type_of(c2), UX_CAP_NULL);
	CHECK_EQ(cap_type_of(c1), UX_CAP_ENDPOINT);
	CHECK_EQ(cap_type_of(g1), UX_CAP_ENDPOINT);
	/* c1 and its copy g1 now hang off the untyped */
	CHECK_EQ(ux_cnode_revoke(ROOT, c1, D), UX_OK);
	CHECK_EQ(cap_type_of(g1), UX_CAP_NULL);
	/* the same with frames made after the deleted one */
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_FRAME, 0, ROOT, 0, 0, f1, 1),
		 UX_OK);
	CHECK_EQ(ux_cnode_copy(ROOT, g1, D, ROOT, f1, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, f1, D), UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, ROOT, 0, 0, f2, 1),
		 UX_OK);
	CHECK_EQ(ux_cnode_revoke(ROOT, f2, D), UX_OK);
	CHECK_EQ(cap_type_of(g1), UX_CAP_FRAME);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	CHECK_EQ(cap_type_of(g1), UX_CAP_NULL);
	CHECK_EQ(cap_type_of(c1), UX_CAP_NULL);
	CHECK_EQ(cap_type_of(e2), UX_CAP_NULL);
	return 0;
}

/* Revoke an untyped whose objects are all in use. */
KTEST(cnode_revoke_live_objects)
{
	uint64_t u = untyped_new(18), ep = slot_alloc(), nt = slot_alloc();
	uint64_t tcb = slot_alloc(), fr = slot_alloc(), rp = slot_alloc();
	uint64_t ep2 = obj_new(UX_CAP_ENDPOINT, 0), va = va_alloc(4096);
	struct op r = {.kind = OP_RECV}, w = {.kind = OP_WAIT};
	struct op c = {.kind = OP_CALL, .cap = ep2}, spin = {.kind = OP_SPIN};
	struct kthread tr, tw, tc, ts;
	struct ux_msg m = {0};

	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, ROOT, 0, 0, ep, 1),
		 UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_NOTIFICATION, 0, ROOT, 0, 0, nt,
				   1),
		 UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_TCB, 0, ROOT, 0, 0, tcb, 1),
		 UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_FRAME, 0, ROOT, 0, 0, fr, 1),
		 UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_REPLY, 0, ROOT, 0, 0, rp, 1),
		 UX_OK);
	r.cap = ep;
	w.cap = nt;
	thread_start(&tr, op_thread, (uint64_t)&r, 100, VSPACE, 0);
	thread_start(&tw, op_thread, (uint64_t)&w, 100, VSPACE, 0);
	thread_start(&tc, op_thread, (uint64_t)&c, 100, VSPACE, 0);
	settle();
	CHECK_EQ(ux_recv(ep2, rp, &m), UX_OK); /* tc now waits on rp */
	CHECK(!r.done && !w.done && !c.done);
	struct thread_opts o = {.fn = op_thread, .arg = (uint64_t)&spin,
				.prio = 255, .tcb = tcb};
	thread_start_ex(&ts, &o);
	ux_yield();
	CHECK(spin.count > 0);
	CHECK_EQ(map_frame(VSPACE, fr, va, UX_R_READ | UX_R_WRITE), UX_OK);
	*(volatile uint64_t *)va = 1;

	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	uint64_t n0 = spin.count;
	ux_yield();
	ux_yield();
	CHECK_EQ(spin.count, n0);
	settle();
	CHECK(r.done && w.done && c.done);
	CHECK_EQ(r.res, UX_E_CANCELLED);
	CHECK_EQ(w.res, UX_E_CANCELLED);
	CHECK_EQ(c.res, UX_E_CANCELLED);
	CHECK_EQ(cap_type_of(ep), UX_CAP_NULL);
	CHECK_EQ(cap_type_of(tcb), UX_CAP_NULL);
	CHECK_EQ(cap_type_of(rp), UX_CAP_NULL);
	/* the frame is unmapped: another one maps at its address */
	uint64_t f2 = obj_new(UX_CAP_FRAME, 0);
	CHECK_EQ(map_frame(VSPACE, f2, va, UX_R_READ | UX_R_WRITE), UX_OK);
	CHECK_EQ(*(volatile uint64_t *)va, 0);
	thread_kill(&tr);
	thread_kill(&tw);
	thread_kill(&tc);
	thread_kill(&ts);
	return 0;
}

/* A chain of CNodes, each holding the only capability to the next, goes
 * with its first capability (no recursion in the kernel); a cycle (a
 * CNode holding a capability to itself) is reclaimed by revoking the
 * untyped it came from. */
KTEST(cnode_delete_chain_and_cycle)
{
	enum { N = 300 };
	static uint64_t c[N];
	uint64_t u = untyped_new(20), all = slot_alloc();

	for (unsigned i = 0; i < N; i++) {
		c[i] = slot_alloc();
		CHECK_EQ(ux_untyped_retype(u, UX_CAP_CNODE, 1, ROOT, 0, 0,
					   c[i], 1),
			 UX_OK);
	}
	for (unsigned i = N - 1; i > 0; i--)
		CHECK_EQ(ux_cnode_move(c[i - 1], 0, 1, ROOT, c[i], D), UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_UNTYPED, 20, ROOT, 0, 0, all, 1),
		 UX_E_NOT_ENOUGH_MEMORY);
	CHECK_EQ(ux_cnode_delete(ROOT, c[0], D), UX_OK);
	/* everything is gone: the whole untyped is free again */
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_UNTYPED, 20, ROOT, 0, 0, all, 1),
		 UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, all, D), UX_OK);
	/* a cycle: two CNodes holding each other */
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_CNODE, 1, ROOT, 0, 0, c[0], 1),
		 UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_CNODE, 1, ROOT, 0, 0, c[1], 1),
		 UX_OK);
	CHECK_EQ(ux_cnode_copy(c[0], 0, 1, ROOT, c[1], D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_copy(c[1], 0, 1, ROOT, c[0], D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_copy(c[0], 1, 1, ROOT, c[0], D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, c[0], D), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, c[1], D), UX_OK);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_UNTYPED, 20, ROOT, 0, 0, all, 1),
		 UX_OK);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	for (unsigned i = 0; i < N; i++)
		slot_free(c[i]);
	return 0;
}
