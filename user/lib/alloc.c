/*
 * alloc.c - see alloc.h.
 */
#include "alloc.h"

#define ROOT UX_BI_SLOT_CNODE
#define DEPTH 64

static const struct ux_bootinfo *bi;
static uint64_t next_slot;
static uint64_t pool_index; /* index in bi->untyped_list being used */

void
alloc_init(const struct ux_bootinfo *b)
{
	bi = b;
	next_slot = bi->empty.first;
	pool_index = 0;
}

uint64_t
alloc_slot(void)
{
	return next_slot < bi->empty.last ? next_slot++ : 0;
}

long
alloc_obj_from(uint64_t ut, unsigned type, unsigned bits, uint64_t node,
	       uint64_t offset)
{
	return ux_untyped_retype(ut, type, bits, ROOT, node, node ? DEPTH : 0,
				 offset, 1);
}

long
alloc_obj_in(unsigned type, unsigned bits, uint64_t node, uint64_t offset)
{
	uint64_t n = bi->untyped.last - bi->untyped.first;
	long e = UX_E_NOT_ENOUGH_MEMORY;

	for (; pool_index < n; pool_index++) {
		if (bi->untyped_list[pool_index].is_device)
			continue;
		e = alloc_obj_from(bi->untyped.first + pool_index, type, bits,
				   node, offset);
		if (e != UX_E_NOT_ENOUGH_MEMORY)
			break;
	}
	return e;
}

long
alloc_obj(unsigned type, unsigned bits, uint64_t *slot)
{
	uint64_t s = alloc_slot();
	long e;

	if (!s)
		return UX_E_NOT_ENOUGH_MEMORY;
	e = alloc_obj_in(type, bits, 0, s);
	if (!e)
		*slot = s;
	return e;
}

static long
pool_obj(void *ctx, unsigned type, uint64_t *cptr)
{
	(void)ctx;
	return alloc_obj(type, 0, cptr);
}

/* Make and map a table of this type covering va, and the levels above it
 * that are missing too. A table that could not be mapped stays allocated
 * (this only happens on errors). */
static long
add_table(uint64_t pml4, uint64_t va, unsigned type, alloc_obj_fn fn,
	  void *ctx)
{
	uint64_t t;
	long e = fn(ctx, type, &t);
	if (e)
		return e;
	e = ux_table_map(t, pml4, va);
	if (e == UX_E_FAILED_LOOKUP && type != UX_CAP_PDPT) {
		e = add_table(pml4, va, type + 1, fn, ctx); /* PT->PD->PDPT */
		if (!e)
			e = ux_table_map(t, pml4, va);
	}
	return e;
}

long
alloc_map(uint64_t pml4, uint64_t frame, uint64_t va, unsigned rights)
{
	return alloc_map_with(pml4, frame, va, rights, pool_obj, NULL);
}

long
alloc_map_with(uint64_t pml4, uint64_t frame, uint64_t va, unsigned rights,
	       alloc_obj_fn fn, void *ctx)
{
	long e = ux_frame_map(frame, pml4, va, rights, UX_MAP_CACHED);
	if (e == UX_E_FAILED_LOOKUP) {
		e = add_table(pml4, va, UX_CAP_PAGE_TABLE, fn, ctx);
		if (!e)
			e = ux_frame_map(frame, pml4, va, rights,
					 UX_MAP_CACHED);
	}
	return e;
}
