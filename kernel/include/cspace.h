/*
 * cspace.h - capability addressing, derivation and deletion.
 */
#ifndef CSPACE_H
#define CSPACE_H

#include <object.h>

/* Resolve cptr in a thread's CSpace with all 64 bits (like seL4's
 * lookupSlot: a non-CNode capability ends the walk). */
err_t cspace_lookup(struct tcb *t, uint64_t cptr, struct cte **out);
/* Resolve exactly depth bits of cptr from the CNode capability root. */
err_t cspace_resolve(const struct cap *root, uint64_t cptr, unsigned depth,
		     struct cte **out);
/* Look up a destination/source slot given (root cptr, index, depth) in
 * the thread's CSpace: the root is found first, then index/depth in it. */
err_t cspace_lookup_in(struct tcb *t, uint64_t root_cptr, uint64_t index,
		       unsigned depth, struct cte **out);

/* The common CSpace shape, one CNode whose guard and radix take all 64
 * bits, in a few instructions: true with *out set, false for any other
 * shape (or a guard that does not match). */
static inline __attribute__((always_inline)) bool
cspace_one_level(const struct cap *root, uint64_t cptr, struct cte **out)
{
	unsigned radix = root->size_bits;
	if (likely(root->type == UX_CAP_CNODE && root->aux + radix == 64 &&
		   (cptr >> radix) == root->w1)) {
		/* the guard matched: what is left is the index */
		*out = (struct cte *)root->obj + (cptr - (root->w1 << radix));
		return true;
	}
	return false;
}

/* cspace_resolve(root, cptr, 64), the one-level shape inline. */
static inline __attribute__((always_inline)) err_t
cspace_lookup_fast(const struct cap *root, uint64_t cptr, struct cte **out)
{
	if (likely(cspace_one_level(root, cptr, out)))
		return UX_OK;
	return cspace_resolve(root, cptr, 64, out);
}

bool cap_same_object(const struct cap *a, const struct cap *b);
/* May src be copied; the copy's value in *out (rights not yet masked). */
err_t cap_derive(const struct cap *src, struct cap *out);

void cte_insert_root(struct cte *dest, const struct cap *cap);
void cte_insert_child(struct cte *parent, struct cte *dest,
		      const struct cap *cap);
void cte_move(struct cte *src, struct cte *dest, const struct cap *cap);
bool cte_has_children(const struct cte *slot);
err_t cte_delete(struct cte *slot);
err_t cte_revoke(struct cte *slot);
/* Copy a capability into an empty slot as a child (used by TCB slots). */
err_t cte_copy_in(struct cte *src, struct cte *dest, uint8_t rights);

/* Object-specific clean-up, called by cte_delete (defined per object). */
void frame_cap_deleted(struct cap *c);
void table_destroy(struct cap *c);
void pml4_destroy(struct cap *c);
void ep_destroy(struct endpoint *ep);
void ntfn_destroy(struct notification *n);
void reply_destroy(struct reply *r);
void tcb_destroy(struct tcb *t);
void irq_handler_destroy(struct cap *c);
void irq_forget_ntfn(struct notification *n);

#endif
