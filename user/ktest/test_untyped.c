/*
 * test_untyped.c - Untyped Retype: every object type, every argument
 * error, the watermark, reuse of memory after revoke or delete (seen
 * through Frame GetAddress), device untypeds (frames and untyped only),
 * untyped caps that cannot be copied, retyping into another CNode, and
 * running out of ASIDs for address spaces.
 */
#include "ktest.h"

static uint64_t
frame_pa(uint64_t f)
{
	uint64_t out[2] = {~0ull, ~0ull};
	if (ux_frame_address(f, out))
		return ~0ull;
	return out[0];
}

static long
retype1(uint64_t ut, unsigned type, unsigned bits, uint64_t slot)
{
	return ux_untyped_retype(ut, type, bits, ROOT, 0, 0, slot, 1);
}

KTEST(untyped_retype_each_type)
{
	static const struct {
		unsigned type, bits;
	} want[] = {
		{UX_CAP_UNTYPED, 12},   {UX_CAP_CNODE, 4},
		{UX_CAP_TCB, 0},        {UX_CAP_ENDPOINT, 0},
		{UX_CAP_NOTIFICATION, 0}, {UX_CAP_REPLY, 0},
		{UX_CAP_FRAME, 0},      {UX_CAP_FRAME_2M, 0},
		{UX_CAP_PAGE_TABLE, 0}, {UX_CAP_PAGE_DIR, 0},
		{UX_CAP_PDPT, 0},       {UX_CAP_PML4, 0},
	};
	uint64_t u = untyped_new(23), s[ARRAY_LEN(want)];

	for (unsigned i = 0; i < ARRAY_LEN(want); i++) {
		s[i] = slot_alloc();
		CHECK_EQ(retype1(u, want[i].type, want[i].bits, s[i]), UX_OK);
		CHECK_EQ(cap_type_of(s[i]), want[i].type);
	}
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	for (unsigned i = 0; i < ARRAY_LEN(want); i++)
		CHECK_EQ(cap_type_of(s[i]), UX_CAP_NULL);
	return 0;
}

KTEST(untyped_retype_errors)
{
	uint64_t u = untyped_new(16), s = slot_alloc(), t = slots_alloc(2);
	uint64_t ep = t + 1, empty = slot_alloc();
	uint64_t cn = obj_new(UX_CAP_CNODE, 2);

	CHECK_EQ(ux_untyped_retype(pool_untyped(), UX_CAP_ENDPOINT, 0, ROOT, 0,
				   0, ep, 1),
		 UX_OK);
	/* type and size */
	CHECK_EQ(retype1(u, UX_CAP_NULL, 0, s), UX_E_INVALID_ARGUMENT);
	CHECK_EQ(retype1(u, UX_CAP_IRQ_CONTROL, 0, s), UX_E_INVALID_ARGUMENT);
	CHECK_EQ(retype1(u, UX_CAP_IOPORT, 0, s), UX_E_INVALID_ARGUMENT);
	CHECK_EQ(retype1(u, 1000, 0, s), UX_E_INVALID_ARGUMENT);
	CHECK_EQ(retype1(u, UX_CAP_FRAME, 65, s), UX_E_INVALID_ARGUMENT);
	CHECK_EQ(retype1(u, UX_CAP_UNTYPED, UX_UNTYPED_MIN_BITS - 1, s),
		 UX_E_RANGE);
	CHECK_EQ(retype1(u, UX_CAP_UNTYPED, UX_UNTYPED_MAX_BITS + 1, s),
		 UX_E_RANGE);
	CHECK_EQ(retype1(u, UX_CAP_CNODE, 0, s), UX_E_RANGE);
	CHECK_EQ(retype1(u, UX_CAP_CNODE, UX_CNODE_MAX_RADIX + 1, s),
		 UX_E_RANGE);
	/* count and destination range */
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, ROOT, 0, 0, s, 0),
		 UX_E_RANGE);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, ROOT, 0, 0, s, 257),
		 UX_E_RANGE);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, cn, 0, 0, 4, 1),
		 UX_E_RANGE);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, cn, 0, 0, 2, 3),
		 UX_E_RANGE);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, ROOT, 0, 0,
				   1ull << bi->cnode_radix, 1),
		 UX_E_RANGE);
	/* destination slots must be empty */
	CHECK_EQ(retype1(u, UX_CAP_ENDPOINT, 0, ep), UX_E_DELETE_FIRST);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, ROOT, 0, 0, ep - 1,
				   2),
		 UX_E_DELETE_FIRST);
	/* destination root and node */
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, ep, 0, 0, 0, 1),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, empty, 0, 0, 0, 1),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, 1ull << 40, 0, 0, 0,
				   1),
		 UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, ROOT, ep, D, 0, 1),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, ROOT, cn, 65, 0, 1),
		 UX_E_RANGE);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, ROOT, cn, 3, 0, 1),
		 UX_E_FAILED_LOOKUP);
	/* memory */
	CHECK_EQ(retype1(u, UX_CAP_UNTYPED, 17, s), UX_E_NOT_ENOUGH_MEMORY);
	CHECK_EQ(retype1(u, UX_CAP_FRAME_2M, 0, s), UX_E_NOT_ENOUGH_MEMORY);
	CHECK_EQ(retype1(u, UX_CAP_CNODE, 11, s), UX_E_NOT_ENOUGH_MEMORY);
	uint64_t big = obj_new(UX_CAP_CNODE, 5);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_FRAME, 0, big, 0, 0, 0, 17),
		 UX_E_NOT_ENOUGH_MEMORY);
	/* malformed messages and wrong operations */
	uint64_t mr[6] = {UX_CAP_ENDPOINT, 0, 0, 0, s, 1}, caps[1] = {ROOT};
	CHECK_EQ(inv_raw(u, UX_UNTYPED_RETYPE, 5, mr, 1, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(u, UX_UNTYPED_RETYPE, 6, mr, 0, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(u, UX_UNTYPED_RETYPE + 1, 6, mr, 1, caps),
		 UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(inv_raw(empty, UX_UNTYPED_RETYPE, 6, mr, 1, caps),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(inv_raw(1ull << 40, UX_UNTYPED_RETYPE, 6, mr, 1, caps),
		 UX_E_FAILED_LOOKUP);
	/* no failure above made anything: the whole untyped is still free */
	CHECK_EQ(cap_type_of(s), UX_CAP_NULL);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_FRAME, 0, ROOT, 0, 0, s, 1),
		 UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_FRAME, 0, ROOT, 0, 0, t, 1),
		 UX_OK);
	CHECK_EQ(frame_pa(t), frame_pa(s) + 4096);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	CHECK_EQ(retype1(u, UX_CAP_UNTYPED, 16, s), UX_OK); /* all of it */
	CHECK_EQ(retype1(u, UX_CAP_ENDPOINT, 0, t), UX_E_NOT_ENOUGH_MEMORY);
	return 0;
}

KTEST(untyped_watermark)
{
	uint64_t u = untyped_new(16), f[16], ep = slot_alloc();
	uint64_t first = slots_alloc(16);

	for (unsigned i = 0; i < 16; i++)
		f[i] = first + i;
	CHECK_EQ(retype1(u, UX_CAP_FRAME, 0, f[0]), UX_OK);
	CHECK_EQ(retype1(u, UX_CAP_FRAME, 0, f[1]), UX_OK);
	uint64_t base = frame_pa(f[0]);
	CHECK_EQ(base & 0xFFFF, 0); /* an untyped is aligned to its size */
	CHECK_EQ(frame_pa(f[1]), base + 4096);
	/* a 32-byte endpoint, then a frame: aligned up past it */
	CHECK_EQ(retype1(u, UX_CAP_ENDPOINT, 0, ep), UX_OK);
	CHECK_EQ(retype1(u, UX_CAP_FRAME, 0, f[2]), UX_OK);
	CHECK_EQ(frame_pa(f[2]), base + 3 * 4096);
	/* 12 pages left, exactly */
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_FRAME, 0, ROOT, 0, 0, f[3], 13),
		 UX_E_NOT_ENOUGH_MEMORY);
	for (unsigned i = 3; i < 15; i++)
		CHECK_EQ(retype1(u, UX_CAP_FRAME, 0, f[i]), UX_OK);
	CHECK_EQ(frame_pa(f[14]), base + 15 * 4096);
	CHECK_EQ(retype1(u, UX_CAP_FRAME, 0, f[15]), UX_E_NOT_ENOUGH_MEMORY);
	CHECK_EQ(retype1(u, UX_CAP_NOTIFICATION, 0, f[15]),
		 UX_E_NOT_ENOUGH_MEMORY);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	return 0;
}

KTEST(untyped_reuse_after_revoke)
{
	uint64_t u = untyped_new(16), f = slot_alloc(), g = slot_alloc();

	CHECK_EQ(retype1(u, UX_CAP_FRAME, 0, f), UX_OK);
	CHECK_EQ(retype1(u, UX_CAP_FRAME, 0, g), UX_OK);
	uint64_t pa = frame_pa(f), va = va_alloc(4096);
	CHECK_EQ(map_frame(VSPACE, f, va, UX_R_READ | UX_R_WRITE), UX_OK);
	memset((void *)va, 0xA5, 4096);
	CHECK_EQ(ux_frame_unmap(f), UX_OK);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	CHECK_EQ(cap_type_of(f), UX_CAP_NULL);
	CHECK_EQ(cap_type_of(g), UX_CAP_NULL);
	/* the same memory again, and zeroed */
	CHECK_EQ(retype1(u, UX_CAP_FRAME, 0, f), UX_OK);
	CHECK_EQ(frame_pa(f), pa);
	CHECK_EQ(map_frame(VSPACE, f, va, UX_R_READ | UX_R_WRITE), UX_OK);
	for (unsigned i = 0; i < 4096; i++)
		CHECK_EQ(((volatile uint8_t *)va)[i], 0);
	/* revoke a second time, retype another type over the same memory */
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	CHECK_EQ(retype1(u, UX_CAP_CNODE, 6, f), UX_OK);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	CHECK_EQ(retype1(u, UX_CAP_FRAME, 0, f), UX_OK);
	CHECK_EQ(frame_pa(f), pa);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	return 0;
}

KTEST(untyped_reuse_after_delete)
{
	uint64_t u = untyped_new(16), f = slot_alloc(), g = slot_alloc();
	uint64_t c = slot_alloc();

	CHECK_EQ(retype1(u, UX_CAP_FRAME, 0, f), UX_OK);
	uint64_t pa = frame_pa(f);
	/* deleting the only child frees the untyped again */
	CHECK_EQ(ux_cnode_delete(ROOT, f, D), UX_OK);
	CHECK_EQ(retype1(u, UX_CAP_FRAME, 0, f), UX_OK);
	CHECK_EQ(frame_pa(f), pa);
	/* with another child alive, the watermark stays */
	CHECK_EQ(retype1(u, UX_CAP_FRAME, 0, g), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, f, D), UX_OK);
	CHECK_EQ(retype1(u, UX_CAP_FRAME, 0, f), UX_OK);
	CHECK_EQ(frame_pa(f), pa + 2 * 4096);
	/* a copy keeps the object (and so its memory) alive */
	CHECK_EQ(ux_cnode_delete(ROOT, f, D), UX_OK);
	CHECK_EQ(ux_cnode_copy(ROOT, c, D, ROOT, g, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, g, D), UX_OK);
	CHECK_EQ(retype1(u, UX_CAP_FRAME, 0, f), UX_OK);
	CHECK(frame_pa(f) != pa + 4096);
	CHECK(frame_pa(f) != pa);
	CHECK_EQ(ux_cnode_delete(ROOT, f, D), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, c, D), UX_OK);
	CHECK_EQ(retype1(u, UX_CAP_FRAME, 0, f), UX_OK);
	CHECK_EQ(frame_pa(f), pa);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	return 0;
}

KTEST(untyped_children_untyped)
{
	uint64_t u = untyped_new(16), c = slot_alloc(), f = slot_alloc();
	uint64_t g = slot_alloc(), whole = slot_alloc();

	CHECK_EQ(retype1(u, UX_CAP_UNTYPED, 12, c), UX_OK);
	CHECK_EQ(retype1(c, UX_CAP_FRAME, 0, f), UX_OK);
	CHECK_EQ(retype1(u, UX_CAP_FRAME, 0, g), UX_OK);
	CHECK_EQ(frame_pa(g), frame_pa(f) + 4096); /* after the child */
	CHECK_EQ(retype1(c, UX_CAP_FRAME, 0, whole), UX_E_NOT_ENOUGH_MEMORY);
	/* revoking the child frees only its own children */
	CHECK_EQ(ux_cnode_revoke(ROOT, c, D), UX_OK);
	CHECK_EQ(cap_type_of(f), UX_CAP_NULL);
	CHECK_EQ(cap_type_of(g), UX_CAP_FRAME);
	/* revoking the parent takes the child untyped and all below it */
	CHECK_EQ(retype1(c, UX_CAP_FRAME, 0, f), UX_OK);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	CHECK_EQ(cap_type_of(c), UX_CAP_NULL);
	CHECK_EQ(cap_type_of(f), UX_CAP_NULL);
	CHECK_EQ(cap_type_of(g), UX_CAP_NULL);
	/* a child untyped as large as the parent takes all of it */
	CHECK_EQ(retype1(u, UX_CAP_UNTYPED, 16, whole), UX_OK);
	CHECK_EQ(retype1(u, UX_CAP_UNTYPED, 4, c), UX_E_NOT_ENOUGH_MEMORY);
	CHECK_EQ(retype1(whole, UX_CAP_FRAME, 0, f), UX_OK);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	CHECK_EQ(cap_type_of(f), UX_CAP_NULL);
	return 0;
}

KTEST(untyped_device_frames_only)
{
	uint64_t dev = 0, pa = 0, s = slot_alloc(), c = slot_alloc();
	static const unsigned refused[] = {
		UX_CAP_CNODE,       UX_CAP_TCB,      UX_CAP_ENDPOINT,
		UX_CAP_NOTIFICATION, UX_CAP_REPLY,   UX_CAP_PAGE_TABLE,
		UX_CAP_PAGE_DIR,    UX_CAP_PDPT,     UX_CAP_PML4};

	dev = device_untyped(&pa);
	CHECK(dev != 0);
	for (unsigned i = 0; i < ARRAY_LEN(refused); i++)
		CHECK_EQ(retype1(dev, refused[i], refused[i] == UX_CAP_CNODE,
				 s),
			 UX_E_INVALID_ARGUMENT);
	CHECK_EQ(cap_type_of(s), UX_CAP_NULL);
	CHECK_EQ(retype1(dev, UX_CAP_FRAME, 0, s), UX_OK);
	CHECK_EQ(frame_pa(s), pa);
	/* a child untyped is device memory too */
	CHECK_EQ(retype1(dev, UX_CAP_UNTYPED, 12, c), UX_OK);
	CHECK_EQ(retype1(c, UX_CAP_TCB, 0, slot_alloc()),
		 UX_E_INVALID_ARGUMENT);
	CHECK_EQ(retype1(c, UX_CAP_ENDPOINT, 0, slot_alloc()),
		 UX_E_INVALID_ARGUMENT);
	CHECK_EQ(ux_cnode_revoke(ROOT, dev, D), UX_OK);
	CHECK_EQ(cap_type_of(s), UX_CAP_NULL);
	CHECK_EQ(cap_type_of(c), UX_CAP_NULL);
	return 0;
}

KTEST(untyped_cannot_be_copied)
{
	uint64_t u = untyped_new(12), s = slot_alloc(), f = slot_alloc();

	CHECK_EQ(ux_cnode_copy(ROOT, s, D, ROOT, u, D, UX_R_ALL),
		 UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_cnode_mint(ROOT, s, D, ROOT, u, D, UX_R_ALL, 0),
		 UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(cap_type_of(s), UX_CAP_NULL);
	/* it moves, and works from its new slot */
	CHECK_EQ(ux_cnode_move(ROOT, s, D, ROOT, u, D), UX_OK);
	CHECK_EQ(cap_type_of(u), UX_CAP_NULL);
	CHECK_EQ(retype1(s, UX_CAP_FRAME, 0, f), UX_OK);
	CHECK_EQ(ux_cnode_revoke(ROOT, s, D), UX_OK);
	CHECK_EQ(cap_type_of(f), UX_CAP_NULL);
	return 0;
}

KTEST(untyped_retype_many_into_cnode)
{
	uint64_t u = untyped_new(16), cn = obj_new(UX_CAP_CNODE, 4);
	uint64_t s = slot_alloc();
	struct ux_msg m = {0};

	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, ROOT, cn, D, 0, 16),
		 UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, ROOT, cn, D, 0, 1),
		 UX_E_DELETE_FIRST);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_ENDPOINT, 0, ROOT, cn, D, 16, 1),
		 UX_E_RANGE);
	/* each is a distinct endpoint: copy two out and compare */
	for (unsigned i = 0; i < 16; i++) {
		CHECK_EQ(ux_cnode_copy(ROOT, s, D, cn, i, 4, UX_R_ALL), UX_OK);
		CHECK_EQ(ux_nbsend(s, &m), UX_E_WOULD_BLOCK);
		CHECK_EQ(ux_cnode_delete(ROOT, s, D), UX_OK);
	}
	/* the sub-CNode is the destination also at depth 0 from it */
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_NOTIFICATION, 0, cn, 0, 0, 3, 2),
		 UX_OK);
	CHECK_EQ(ux_cnode_copy(ROOT, s, D, cn, 4, 4, UX_R_ALL), UX_OK);
	CHECK_EQ(cap_type_of(s), UX_CAP_NOTIFICATION);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	CHECK_EQ(cap_type_of(s), UX_CAP_NULL);
	return 0;
}

/* Address spaces need an ASID each: when they run out, Retype of a PML4
 * fails with "not enough memory" although the untyped has room, and
 * deleting address spaces gives their ASIDs back. */
KTEST(untyped_pml4_asids_run_out)
{
	uint64_t u = untyped_new(24), cn = obj_new(UX_CAP_CNODE, 12);
	uint64_t made = 0, s = slot_alloc();
	long e = UX_OK;

	for (unsigned n = 256; n; n /= 2) {
		while ((e = ux_untyped_retype(u, UX_CAP_PML4, 0, cn, 0, 0,
					      made, n)) == UX_OK)
			made += n;
		CHECK_EQ(e, UX_E_NOT_ENOUGH_MEMORY);
	}
	CHECK(made > 3000 && made < 4096);
	/* the memory is there: a frame still fits */
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_FRAME, 0, cn, 0, 0, made, 1),
		 UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_PML4, 0, ROOT, 0, 0, s, 1),
		 UX_E_NOT_ENOUGH_MEMORY);
	/* one address space gone: one ASID back */
	CHECK_EQ(ux_cnode_delete(cn, 0, 12), UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_PML4, 0, ROOT, 0, 0, s, 1),
		 UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_PML4, 0, cn, 0, 0, 0, 1),
		 UX_E_NOT_ENOUGH_MEMORY);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_PML4, 0, cn, 0, 0, 0, 256),
		 UX_OK);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	return 0;
}
