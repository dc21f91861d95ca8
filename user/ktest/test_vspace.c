/*
 * test_vspace.c - address spaces: Frame Map/Unmap/GetAddress with every
 * argument error, remapping, copies of frames, 2 MiB frames, page-table
 * levels (Map/Unmap and their errors), deleting a frame or a table removes
 * its mappings, an unmapped table comes back empty, access rights seen as
 * page faults (write to read-only, execute from a non-executable page),
 * uncached mappings, frames shared between address spaces, and a thread
 * whose address space is deleted.
 */
#include "ktest.h"

static uint64_t
frame_va(uint64_t f)
{
	uint64_t out[2] = {0, ~0ull};
	if (ux_frame_address(f, out))
		return ~0ull;
	return out[1];
}

KTEST(vspace_frame_map_unmap)
{
	uint64_t f = obj_new(UX_CAP_FRAME, 0), c = slot_alloc();
	uint64_t va = va_alloc(4096), vb = va_alloc(4096), out[2];

	CHECK_EQ(frame_va(f), 0);
	CHECK_EQ(map_frame(VSPACE, f, va, UX_R_READ | UX_R_WRITE), UX_OK);
	CHECK_EQ(frame_va(f), va);
	*(volatile uint64_t *)va = 0x1234;
	/* a copy maps on its own: the same memory at another address */
	CHECK_EQ(ux_cnode_copy(ROOT, c, D, ROOT, f, D, UX_R_ALL), UX_OK);
	CHECK_EQ(frame_va(c), 0);
	CHECK_EQ(map_frame(VSPACE, c, vb, UX_R_READ), UX_OK);
	CHECK_EQ(*(volatile uint64_t *)vb, 0x1234);
	CHECK_EQ(ux_frame_address(c, out), UX_OK);
	uint64_t pa = out[0];
	CHECK_EQ(ux_frame_address(f, out), UX_OK);
	CHECK_EQ(out[0], pa);
	CHECK_EQ(pa & 0xFFF, 0);
	/* one mapping per capability */
	CHECK_EQ(ux_frame_map(f, VSPACE, vb + 8192, UX_R_READ, 0),
		 UX_E_ILLEGAL_OPERATION);
	/* the same address again: a remap with other rights */
	CHECK_EQ(ux_frame_map(c, VSPACE, vb, UX_R_READ | UX_R_WRITE, 0), UX_OK);
	*(volatile uint64_t *)vb = 0x5678;
	CHECK_EQ(*(volatile uint64_t *)va, 0x5678);
	CHECK_EQ(ux_frame_unmap(c), UX_OK);
	CHECK_EQ(frame_va(c), 0);
	CHECK_EQ(ux_frame_unmap(c), UX_OK); /* not mapped: nothing to do */
	/* vb is free again: another frame maps there */
	uint64_t g = obj_new(UX_CAP_FRAME, 0);
	CHECK_EQ(map_frame(VSPACE, g, vb, UX_R_READ | UX_R_WRITE), UX_OK);
	CHECK_EQ(*(volatile uint64_t *)vb, 0);
	CHECK_EQ(*(volatile uint64_t *)va, 0x5678);
	/* mapped elsewhere after an unmap */
	CHECK_EQ(ux_frame_unmap(g), UX_OK);
	CHECK_EQ(ux_frame_map(c, VSPACE, vb, UX_R_READ, 0), UX_OK);
	CHECK_EQ(*(volatile uint64_t *)vb, 0x5678);
	CHECK_EQ(ux_frame_unmap(c), UX_OK);
	return 0;
}

KTEST(vspace_frame_map_errors)
{
	uint64_t f = obj_new(UX_CAP_FRAME, 0), g = obj_new(UX_CAP_FRAME, 0);
	uint64_t va = va_alloc(4096), ro = slot_alloc();
	uint64_t mr[3] = {va, UX_R_READ, 0}, caps[1] = {VSPACE};

	CHECK_EQ(map_frame(VSPACE, f, va, UX_R_READ), UX_OK);
	CHECK_EQ(ux_frame_unmap(f), UX_OK);
	CHECK_EQ(ux_frame_map(f, VSPACE, va + 8, UX_R_READ, 0), UX_E_ALIGNMENT);
	CHECK_EQ(ux_frame_map(f, VSPACE, UX_USER_TOP, UX_R_READ, 0),
		 UX_E_RANGE);
	CHECK_EQ(ux_frame_map(f, VSPACE, UX_USER_TOP - 4096, UX_R_READ, 0),
		 UX_E_RANGE); /* the guard page below the top */
	CHECK_EQ(ux_frame_map(f, VSPACE, 0xFFFFFFFF80000000ull, UX_R_READ, 0),
		 UX_E_RANGE);
	CHECK_EQ(ux_frame_map(f, VSPACE, va, 0, 0), UX_E_INVALID_ARGUMENT);
	CHECK_EQ(ux_frame_map(f, VSPACE, va, UX_R_WRITE, 0),
		 UX_E_INVALID_ARGUMENT);
	CHECK_EQ(ux_frame_map(f, VSPACE, va, UX_R_READ | UX_R_GRANT, 0),
		 UX_E_INVALID_ARGUMENT);
	CHECK_EQ(ux_frame_map(f, VSPACE, va, UX_R_READ, 3),
		 UX_E_INVALID_ARGUMENT);
	CHECK_EQ(ux_frame_map(f, VSPACE, va, UX_R_READ, ~0u),
		 UX_E_INVALID_ARGUMENT);
	CHECK_EQ(ux_cnode_mint(ROOT, ro, D, ROOT, f, D, UX_R_READ, 0), UX_OK);
	CHECK_EQ(ux_frame_map(ro, VSPACE, va, UX_R_READ | UX_R_WRITE, 0),
		 UX_E_NO_RIGHTS);
	CHECK_EQ(ux_frame_map(ro, VSPACE, va, UX_R_READ | UX_R_EXEC, 0),
		 UX_E_NO_RIGHTS);
	CHECK_EQ(ux_frame_map(f, ROOT, va, UX_R_READ, 0),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_frame_map(f, slot_alloc(), va, UX_R_READ, 0),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_frame_map(f, 1ull << 50, va, UX_R_READ, 0),
		 UX_E_FAILED_LOOKUP);
	/* no page table there (a fresh address space has none) */
	uint64_t p = obj_new(UX_CAP_PML4, 0);
	CHECK_EQ(ux_frame_map(f, p, va, UX_R_READ, 0), UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_frame_map(f, VSPACE, 0x7F0000000000ull, UX_R_READ, 0),
		 UX_E_FAILED_LOOKUP);
	/* occupied */
	CHECK_EQ(ux_frame_map(g, VSPACE, va, UX_R_READ, 0), UX_OK);
	CHECK_EQ(ux_frame_map(f, VSPACE, va, UX_R_READ, 0), UX_E_DELETE_FIRST);
	CHECK_EQ(frame_va(f), 0);
	/* malformed */
	CHECK_EQ(inv_raw(f, UX_FRAME_MAP, 2, mr, 1, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(f, UX_FRAME_MAP, 3, mr, 0, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(f, 39, 3, mr, 1, caps), UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(inv_raw(f, UX_TABLE_MAP, 3, mr, 1, caps),
		 UX_E_ILLEGAL_OPERATION);
	return 0;
}

/* A region of its own: PML4 slot 3 (1.5 TiB up) in the root's space. */
#define LARGE_VA 0x18000000000ull

KTEST(vspace_large_frames_and_tables)
{
	uint64_t pdpt = obj_new(UX_CAP_PDPT, 0), pd = obj_new(UX_CAP_PAGE_DIR, 0);
	uint64_t pt = obj_new(UX_CAP_PAGE_TABLE, 0);
	uint64_t big = obj_new(UX_CAP_FRAME_2M, 0), f = obj_new(UX_CAP_FRAME, 0);
	uint64_t out[2], va = LARGE_VA;

	CHECK_EQ(ux_frame_map(big, VSPACE, va, UX_R_READ, 0),
		 UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_table_map(pd, VSPACE, va), UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_table_map(pt, VSPACE, va), UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_table_map(pdpt, VSPACE, va + 12345), UX_OK);
	CHECK_EQ(ux_table_map(pdpt, VSPACE, va), UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_table_map(obj_new(UX_CAP_PDPT, 0), VSPACE, va),
		 UX_E_DELETE_FIRST);
	CHECK_EQ(ux_table_map(pd, VSPACE, va), UX_OK);
	CHECK_EQ(ux_frame_map(big, VSPACE, va + 4096, UX_R_READ, 0),
		 UX_E_ALIGNMENT);
	CHECK_EQ(ux_frame_map(big, VSPACE, va, UX_R_READ | UX_R_WRITE, 0),
		 UX_OK);
	CHECK_EQ(ux_frame_address(big, out), UX_OK);
	CHECK_EQ(out[0] & 0x1FFFFF, 0);
	CHECK_EQ(out[1], va);
	*(volatile uint64_t *)(va + 0x1FFFF8) = 77;
	CHECK_EQ(*(volatile uint64_t *)(va + 0x1FFFF8), 77);
	/* a page table where a large page is, and the other way round */
	CHECK_EQ(ux_table_map(pt, VSPACE, va), UX_E_DELETE_FIRST);
	CHECK_EQ(ux_frame_map(f, VSPACE, va, UX_R_READ, 0),
		 UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_frame_unmap(big), UX_OK);
	CHECK_EQ(ux_table_map(pt, VSPACE, va), UX_OK);
	CHECK_EQ(ux_frame_map(big, VSPACE, va, UX_R_READ, 0), UX_E_DELETE_FIRST);
	CHECK_EQ(ux_frame_map(f, VSPACE, va + 4096, UX_R_READ, 0), UX_OK);
	/* tables cannot be copied: one mapping each */
	CHECK_EQ(ux_cnode_copy(ROOT, slot_alloc(), D, ROOT, pt, D, UX_R_ALL),
		 UX_E_ILLEGAL_OPERATION);
	/* the upper half is the kernel's */
	uint64_t p2 = obj_new(UX_CAP_PDPT, 0);
	CHECK_EQ(ux_table_map(p2, VSPACE, UX_USER_TOP), UX_E_RANGE);
	CHECK_EQ(ux_table_map(p2, VSPACE, ~0ull), UX_E_RANGE);
	CHECK_EQ(ux_table_map(p2, ROOT, va), UX_E_INVALID_CAPABILITY);
	uint64_t mr[1] = {va}, caps[1] = {VSPACE};
	CHECK_EQ(inv_raw(p2, UX_TABLE_MAP, 0, mr, 1, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(p2, UX_TABLE_MAP, 1, mr, 0, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(p2, UX_FRAME_MAP, 1, mr, 1, caps),
		 UX_E_ILLEGAL_OPERATION);
	/* clean up: deleting the top table takes the region away */
	CHECK_EQ(ux_cnode_delete(ROOT, pdpt, D), UX_OK);
	CHECK_EQ(ux_table_map(p2, VSPACE, va), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, p2, D), UX_OK);
	return 0;
}

KTEST(vspace_delete_removes_mappings)
{
	uint64_t f = obj_new(UX_CAP_FRAME, 0), c = slot_alloc();
	uint64_t va = va_alloc(4096), vb = va_alloc(4096);

	CHECK_EQ(map_frame(VSPACE, f, va, UX_R_READ | UX_R_WRITE), UX_OK);
	CHECK_EQ(ux_cnode_copy(ROOT, c, D, ROOT, f, D, UX_R_ALL), UX_OK);
	CHECK_EQ(map_frame(VSPACE, c, vb, UX_R_READ | UX_R_WRITE), UX_OK);
	/* each capability takes its own mapping with it */
	CHECK_EQ(ux_cnode_delete(ROOT, c, D), UX_OK);
	uint64_t g = obj_new(UX_CAP_FRAME, 0);
	CHECK_EQ(map_frame(VSPACE, g, vb, UX_R_READ), UX_OK);
	CHECK_EQ(map_frame(VSPACE, obj_new(UX_CAP_FRAME, 0), va, UX_R_READ),
		 UX_E_DELETE_FIRST);
	/* revoking the frame deletes the copies and their mappings */
	CHECK_EQ(ux_cnode_copy(ROOT, c, D, ROOT, f, D, UX_R_ALL), UX_OK);
	uint64_t vc = va_alloc(4096);
	CHECK_EQ(map_frame(VSPACE, c, vc, UX_R_READ), UX_OK);
	CHECK_EQ(ux_cnode_revoke(ROOT, f, D), UX_OK);
	CHECK_EQ(map_frame(VSPACE, obj_new(UX_CAP_FRAME, 0), vc, UX_R_READ),
		 UX_OK);
	/* a page table deleted: what it mapped is gone with it */
	uint64_t pt = obj_new(UX_CAP_PAGE_TABLE, 0), h = obj_new(UX_CAP_FRAME, 0);
	uint64_t base = LARGE_VA + (1ull << 30);
	uint64_t pdpt = obj_new(UX_CAP_PDPT, 0), pd = obj_new(UX_CAP_PAGE_DIR, 0);
	CHECK_EQ(ux_table_map(pdpt, VSPACE, base), UX_OK);
	CHECK_EQ(ux_table_map(pd, VSPACE, base), UX_OK);
	CHECK_EQ(ux_table_map(pt, VSPACE, base), UX_OK);
	CHECK_EQ(ux_frame_map(h, VSPACE, base, UX_R_READ | UX_R_WRITE, 0),
		 UX_OK);
	*(volatile uint64_t *)base = 9;
	CHECK_EQ(ux_cnode_delete(ROOT, pt, D), UX_OK);
	CHECK_EQ(ux_frame_map(h, VSPACE, base, UX_R_READ, 0),
		 UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_cnode_delete(ROOT, pdpt, D), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, pd, D), UX_OK);
	return 0;
}

/* A page table that is unmapped and mapped again elsewhere comes back
 * empty: the frames it mapped stay where their capabilities say, so
 * they could not be unmapped (or safely freed) otherwise. */
KTEST(vspace_remapped_table_is_empty)
{
	uint64_t base = LARGE_VA + (2ull << 30);
	uint64_t pdpt = obj_new(UX_CAP_PDPT, 0), pd = obj_new(UX_CAP_PAGE_DIR, 0);
	uint64_t pd2 = obj_new(UX_CAP_PAGE_DIR, 0);
	uint64_t pt = obj_new(UX_CAP_PAGE_TABLE, 0), f = obj_new(UX_CAP_FRAME, 0);
	uint64_t g = obj_new(UX_CAP_FRAME, 0);
	uint64_t r1 = base, r2 = base + (4ull << 21);

	CHECK_EQ(ux_table_map(pdpt, VSPACE, base), UX_OK);
	CHECK_EQ(ux_table_map(pd, VSPACE, base), UX_OK);
	CHECK_EQ(ux_table_map(pt, VSPACE, r1), UX_OK);
	CHECK_EQ(ux_frame_map(f, VSPACE, r1 + 0x5000, UX_R_READ | UX_R_WRITE,
			      0),
		 UX_OK);
	*(volatile uint64_t *)(r1 + 0x5000) = 42;
	/* unmap the table and map it at another 2 MiB */
	CHECK_EQ(ux_table_unmap(pt), UX_OK);
	CHECK_EQ(ux_table_map(pt, VSPACE, r2), UX_OK);
	CHECK_EQ(ux_frame_map(g, VSPACE, r2 + 0x5000, UX_R_READ, 0), UX_OK);
	CHECK_EQ(*(volatile uint64_t *)(r2 + 0x5000), 0);
	CHECK_EQ(ux_frame_unmap(g), UX_OK);
	/* the frame's capability still says r1: it maps there again */
	CHECK_EQ(frame_va(f), r1 + 0x5000);
	CHECK_EQ(ux_frame_unmap(f), UX_OK);
	/* the same when the table's parent is deleted under it */
	CHECK_EQ(ux_frame_map(f, VSPACE, r2 + 0x7000, UX_R_READ, 0), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, pd, D), UX_OK);
	CHECK_EQ(ux_table_map(pd2, VSPACE, base), UX_OK);
	CHECK_EQ(ux_table_map(pt, VSPACE, r1), UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_table_unmap(pt), UX_OK);
	CHECK_EQ(ux_table_map(pt, VSPACE, r1), UX_OK);
	CHECK_EQ(ux_frame_map(g, VSPACE, r1 + 0x7000, UX_R_READ, 0), UX_OK);
	CHECK_EQ(*(volatile uint64_t *)(r1 + 0x7000), 0);
	CHECK_EQ(ux_cnode_delete(ROOT, pdpt, D), UX_OK);
	return 0;
}

/* Memory accesses made by a thread, for fault tests. */
struct memop {
	uint64_t addr;
	int write, exec;
	volatile int done;
};

static void
mem_thread(uint64_t arg)
{
	struct memop *o = (struct memop *)arg;
	if (o->exec)
		((void (*)(void))o->addr)();
	else if (o->write)
		*(volatile uint64_t *)o->addr = 0xAB;
	else
		(void)*(volatile uint64_t *)o->addr;
	o->done = 1;
}

struct remap {
	uint64_t frame, va;
	unsigned rights;
	struct fault_msg f;
	int n;
};

static int
remap_on_fault(struct fault_msg *f, uint64_t *regs, void *ctx)
{
	struct remap *r = ctx;
	r->f = *f;
	r->n++;
	if (f->type != UX_FAULT_PAGE ||
	    ux_frame_map(r->frame, VSPACE, r->va, r->rights, 0))
		return -1;
	return 0;
}

KTEST(vspace_access_rights_fault)
{
	uint64_t f = obj_new(UX_CAP_FRAME, 0), fep = obj_new(UX_CAP_ENDPOINT, 0);
	uint64_t va = va_alloc(4096);
	struct memop o = {.addr = va + 8, .write = 1};
	struct remap r = {.frame = f, .va = va,
			  .rights = UX_R_READ | UX_R_WRITE};
	struct kthread t;

	/* write to a read-only page: a present-page write fault */
	CHECK_EQ(map_frame(VSPACE, f, va, UX_R_READ), UX_OK);
	thread_start(&t, mem_thread, (uint64_t)&o, 100, VSPACE, fep);
	CHECK_EQ(serve_faults(fep, &o.done, remap_on_fault, &r, 3), 1);
	CHECK_EQ(r.f.w0, va + 8);
	CHECK_EQ(r.f.w1 & (UX_PF_PRESENT | UX_PF_WRITE | UX_PF_USER),
		 UX_PF_PRESENT | UX_PF_WRITE | UX_PF_USER);
	CHECK_EQ(*(volatile uint64_t *)(va + 8), 0xAB);
	thread_kill(&t);
	/* execute from a page mapped without execute right */
	*(volatile uint8_t *)va = 0xC3; /* ret */
	o = (struct memop){.addr = va, .exec = 1};
	r = (struct remap){.frame = f, .va = va,
			   .rights = UX_R_READ | UX_R_EXEC};
	thread_start(&t, mem_thread, (uint64_t)&o, 100, VSPACE, fep);
	CHECK_EQ(serve_faults(fep, &o.done, remap_on_fault, &r, 3), 1);
	CHECK_EQ(r.f.w0, va);
	CHECK(r.f.w1 & UX_PF_FETCH);
	CHECK_EQ(r.f.regs[UX_REG_RIP], va);
	thread_kill(&t);
	/* read from a page not mapped at all */
	CHECK_EQ(ux_frame_unmap(f), UX_OK);
	o = (struct memop){.addr = va + 16};
	r = (struct remap){.frame = f, .va = va, .rights = UX_R_READ};
	thread_start(&t, mem_thread, (uint64_t)&o, 100, VSPACE, fep);
	CHECK_EQ(serve_faults(fep, &o.done, remap_on_fault, &r, 3), 1);
	CHECK_EQ(r.f.w0, va + 16);
	CHECK_EQ(r.f.w1 & (UX_PF_PRESENT | UX_PF_WRITE), 0);
	thread_kill(&t);
	return 0;
}

KTEST(vspace_uncached_mapping)
{
	uint64_t f = obj_new(UX_CAP_FRAME, 0), va = va_alloc(4096);

	CHECK_EQ(map_frame(VSPACE, f, va, UX_R_READ), UX_OK);
	CHECK_EQ(ux_frame_unmap(f), UX_OK);
	CHECK_EQ(ux_frame_map(f, VSPACE, va, UX_R_READ | UX_R_WRITE,
			      UX_MAP_UNCACHED),
		 UX_OK);
	*(volatile uint64_t *)va = 3;
	CHECK_EQ(*(volatile uint64_t *)va, 3);
	CHECK_EQ(ux_frame_unmap(f), UX_OK);
	return 0;
}

struct shared_job {
	uint64_t va;
	volatile int done;
};

static void
write_shared(uint64_t arg)
{
	struct shared_job *j = (struct shared_job *)arg;
	*(volatile uint64_t *)j->va = 0xCAFE;
	j->done = 1;
}

KTEST(vspace_shared_between_spaces)
{
	static struct shared_job j; /* seen from the other space */
	uint64_t f = obj_new(UX_CAP_FRAME, 0), c = slot_alloc();
	uint64_t vs = vspace_new(), va = va_alloc(4096), vb = va_alloc(4096);
	struct kthread t;

	CHECK_EQ(map_frame(VSPACE, f, va, UX_R_READ | UX_R_WRITE), UX_OK);
	CHECK_EQ(ux_cnode_copy(ROOT, c, D, ROOT, f, D, UX_R_ALL), UX_OK);
	CHECK_EQ(map_frame(vs, c, vb, UX_R_READ | UX_R_WRITE), UX_OK);
	j = (struct shared_job){.va = vb};
	thread_start(&t, write_shared, (uint64_t)&j, 100, vs, 0);
	settle();
	CHECK(j.done);
	CHECK_EQ(*(volatile uint64_t *)va, 0xCAFE);
	/* vb is not mapped in this space */
	uint64_t g = obj_new(UX_CAP_FRAME, 0);
	CHECK_EQ(map_frame(VSPACE, g, vb, UX_R_READ), UX_OK);
	CHECK_EQ(*(volatile uint64_t *)vb, 0);
	thread_kill(&t);
	return 0;
}

KTEST(vspace_deleted_under_a_thread)
{
	static struct op spin = {.kind = OP_SPIN};
	uint64_t vs = vspace_new(), c = slot_alloc();
	struct kthread t;

	CHECK_EQ(ux_cnode_copy(ROOT, c, D, ROOT, vs, D, UX_R_ALL), UX_OK);
	spin.count = 0;
	thread_start(&t, op_thread, (uint64_t)&spin, 255, c, 0);
	ux_yield();
	CHECK(spin.count > 0);
	/* revoke: the thread's own reference goes, the space is deleted */
	CHECK_EQ(ux_cnode_revoke(ROOT, vs, D), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, vs, D), UX_OK);
	uint64_t n = spin.count;
	ux_yield();
	ux_yield();
	CHECK_EQ(spin.count, n);
	uint64_t regs[UX_REG_COUNT];
	CHECK_EQ(ux_tcb_read_regs(t.tcb, regs), UX_OK);
	CHECK_EQ(ux_tcb_resume(t.tcb), UX_E_ILLEGAL_OPERATION);
	thread_kill(&t);
	return 0;
}
