/*
 * alloc.h - capability slots and kernel objects for a root server: slots
 * from the boot-info empty range, objects retyped from the boot untypeds
 * (one after another as each fills up), frames mapped with the page tables
 * they need made on demand.
 */
#ifndef UXRT_ALLOC_H
#define UXRT_ALLOC_H

#include "uxrt.h"

void alloc_init(const struct ux_bootinfo *bi);
uint64_t alloc_slot(void); /* 0 when none is left */
/* Retype one object into a fresh root slot (*slot), from the pool. */
long alloc_obj(unsigned type, unsigned bits, uint64_t *slot);
/* Retype one object from the pool into slot `offset` of the CNode at
 * root slot node (node = 0: the root CNode itself). */
long alloc_obj_in(unsigned type, unsigned bits, uint64_t node,
		  uint64_t offset);
/* Retype one object from untyped ut into slot `offset` of the CNode at
 * root slot node (node = 0: the root CNode itself). */
long alloc_obj_from(uint64_t ut, unsigned type, unsigned bits, uint64_t node,
		    uint64_t offset);
/* Map frame at va in pml4, making missing page tables from the pool. */
long alloc_map(uint64_t pml4, uint64_t frame, uint64_t va, unsigned rights);
/* The same with page tables made by fn (which returns their address). */
typedef long (*alloc_obj_fn)(void *ctx, unsigned type, uint64_t *cptr);
long alloc_map_with(uint64_t pml4, uint64_t frame, uint64_t va,
		    unsigned rights, alloc_obj_fn fn, void *ctx);

#endif
