/*
 * cspace.c - capability addressing, the derivation list, delete and revoke.
 *
 * Addressing follows seL4: a CNode capability has a radix (2^radix slots)
 * and a guard (guard_bits bits that must match the address). A lookup eats
 * guard and index bits from the top of the remaining address level by
 * level.
 *
 * Deletion never recurses: destroying a CNode or a TCB puts it on a
 * per-kernel "dying" stack (linked through the pad word of its first slot)
 * and cte_delete empties the slots of dying objects one by one until the
 * stack is empty. So a cycle of CNodes or a long chain costs time, not
 * kernel stack. The whole operation runs with interrupts off (the kernel is
 * not preemptible); its cost is bounded by the number of slots it empties.
 */
#include <cspace.h>
#include <arch/cpu.h>

/* Kernel-instance state (one instance per core comes with the multikernel:
 * these move into struct cpu then). */
static struct cte mdb_head; /* sentinel: original capabilities follow it */
static uint64_t dying;      /* stack of objects whose slots are emptied */

#define DYING_TCB 63

static unsigned
cnode_radix(const struct cap *c)
{
	return c->size_bits;
}

err_t
cspace_resolve(const struct cap *root, uint64_t cptr, unsigned depth,
	       struct cte **out)
{
	const struct cap *node = root;
	unsigned left = depth;

	if (depth < 1 || depth > 64)
		return UX_E_RANGE;
	cptr <<= 64 - depth; /* what is left to resolve is at the top */
	for (;;) {
		if (node->type != UX_CAP_CNODE)
			return UX_E_FAILED_LOOKUP;
		unsigned radix = cnode_radix(node), level = radix + node->aux;
		if (level == 0 || level > left)
			return UX_E_FAILED_LOOKUP;
		uint64_t v = cptr >> (64 - level); /* guard bits, index bits */
		if (v >> radix != node->w1)
			return UX_E_FAILED_LOOKUP;
		struct cte *slot = (struct cte *)node->obj +
				   (v - (node->w1 << radix)); /* the index */
		left -= level;
		if (left == 0) {
			*out = slot;
			return UX_OK;
		}
		if (slot->cap.type != UX_CAP_CNODE) {
			/* lookupSlot semantics: a leaf ends the walk only
			 * for full-width lookups. */
			if (depth == 64) {
				*out = slot;
				return UX_OK;
			}
			return UX_E_FAILED_LOOKUP;
		}
		cptr <<= level; /* level < 64: some bits are left */
		node = &slot->cap;
	}
}

err_t
cspace_lookup(struct tcb *t, uint64_t cptr, struct cte **out)
{
	return cspace_lookup_fast(&t->slot[TCB_SLOT_CSPACE].cap, cptr, out);
}

err_t
cspace_lookup_in(struct tcb *t, uint64_t root_cptr, uint64_t index,
		 unsigned depth, struct cte **out)
{
	struct cte *root;
	err_t e = cspace_lookup(t, root_cptr, &root);
	if (e)
		return e;
	if (root->cap.type != UX_CAP_CNODE)
		return UX_E_INVALID_CAPABILITY;
	return cspace_resolve(&root->cap, index, depth, out);
}

bool
cap_same_object(const struct cap *a, const struct cap *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case UX_CAP_NULL:
		return false;
	case UX_CAP_IOPORT:
		return a->aux == b->aux && a->w1 == b->w1;
	case UX_CAP_IRQ_HANDLER:
		return a->w1 == b->w1;
	case UX_CAP_IRQ_CONTROL:
	case UX_CAP_IOPORT_CONTROL:
		return true;
	default:
		return a->obj == b->obj && a->size_bits == b->size_bits;
	}
}

err_t
cap_derive(const struct cap *src, struct cap *out)
{
	*out = *src;
	switch (src->type) {
	case UX_CAP_NULL:
		return UX_E_INVALID_CAPABILITY;
	case UX_CAP_UNTYPED:
		/* Two caps to one untyped would allocate over each other. */
		return UX_E_ILLEGAL_OPERATION;
	case UX_CAP_IRQ_CONTROL:
	case UX_CAP_IOPORT_CONTROL:
		return UX_E_ILLEGAL_OPERATION;
	case UX_CAP_FRAME:
	case UX_CAP_FRAME_2M:
		out->flags &= ~CAPF_MAPPED; /* each copy maps on its own */
		out->asid = 0;
		out->w1 = 0;
		return UX_OK;
	case UX_CAP_PAGE_TABLE:
	case UX_CAP_PAGE_DIR:
	case UX_CAP_PDPT:
		/* One capability per table, so the mapping it records is the
		 * table's only one and deleting it removes that mapping. */
		return UX_E_ILLEGAL_OPERATION;
	default:
		return UX_OK;
	}
}

static void
link_after(struct cte *pos, struct cte *dest, uint32_t depth)
{
	dest->prev = pos;
	dest->next = pos->next;
	if (pos->next)
		pos->next->prev = dest;
	pos->next = dest;
	dest->depth = depth;
}

void
cte_insert_root(struct cte *dest, const struct cap *cap)
{
	assert(cap_is_null(&dest->cap));
	dest->cap = *cap;
	link_after(&mdb_head, dest, 0);
}

void
cte_insert_child(struct cte *parent, struct cte *dest, const struct cap *cap)
{
	assert(cap_is_null(&dest->cap) && !cap_is_null(&parent->cap));
	dest->cap = *cap;
	link_after(parent, dest, parent->depth + 1);
}

void
cte_move(struct cte *src, struct cte *dest, const struct cap *cap)
{
	assert(cap_is_null(&dest->cap));
	dest->cap = *cap;
	dest->prev = src->prev;
	dest->next = src->next;
	dest->depth = src->depth;
	if (dest->prev)
		dest->prev->next = dest;
	if (dest->next)
		dest->next->prev = dest;
	memset(&src->cap, 0, sizeof src->cap);
	src->prev = src->next = NULL;
	src->depth = 0;
}

err_t
cte_copy_in(struct cte *src, struct cte *dest, uint8_t rights)
{
	struct cap c;
	err_t e = cap_derive(&src->cap, &c);
	if (e)
		return e;
	c.rights &= rights;
	cte_insert_child(src, dest, &c);
	return UX_OK;
}

bool
cte_has_children(const struct cte *slot)
{
	return slot->next && slot->next->depth > slot->depth;
}

static bool
is_final(const struct cte *slot)
{
	const struct cte *p = slot->prev, *n = slot->next;
	return !(p && cap_same_object(&p->cap, &slot->cap)) &&
	       !(n && cap_same_object(&n->cap, &slot->cap));
}

static void
push_dying(struct cte *first, unsigned code)
{
	first->pad = dying;
	dying = (uint64_t)first | code;
}

static void
finalise(struct cap *c)
{
	switch (c->type) {
	case UX_CAP_CNODE:
		push_dying((struct cte *)c->obj, c->size_bits);
		break;
	case UX_CAP_TCB: {
		struct tcb *t = (struct tcb *)c->obj;
		tcb_destroy(t);
		push_dying(&t->slot[0], DYING_TCB);
		break;
	}
	case UX_CAP_ENDPOINT:
		ep_destroy((struct endpoint *)c->obj);
		break;
	case UX_CAP_NOTIFICATION:
		ntfn_destroy((struct notification *)c->obj);
		break;
	case UX_CAP_REPLY:
		reply_destroy((struct reply *)c->obj);
		break;
	case UX_CAP_PAGE_TABLE:
	case UX_CAP_PAGE_DIR:
	case UX_CAP_PDPT:
		table_destroy(c);
		break;
	case UX_CAP_PML4:
		pml4_destroy(c);
		break;
	case UX_CAP_IRQ_HANDLER:
		irq_handler_destroy(c);
		break;
	default:
		break;
	}
}

/* The descendants of a slot that goes move up one level, so they stay
 * children of its parent. Left at their depth they could follow a later
 * sibling of the deleted slot in the list, and would then count as that
 * sibling's descendants (revoking it would delete them). Costs a walk
 * over the deleted slot's descendants. */
static void
lift_children(struct cte *slot)
{
	for (struct cte *d = slot->next; d && d->depth > slot->depth;
	     d = d->next)
		d->depth--;
}

/* Empty one slot; if it held the last capability, destroy the object. */
static void
delete_one(struct cte *slot)
{
	if (cap_is_null(&slot->cap))
		return;
	struct cap c = slot->cap;
	bool final = is_final(slot);
	if (c.type == UX_CAP_FRAME || c.type == UX_CAP_FRAME_2M)
		frame_cap_deleted(&slot->cap);
	lift_children(slot);
	if (slot->prev)
		slot->prev->next = slot->next;
	if (slot->next)
		slot->next->prev = slot->prev;
	memset(&slot->cap, 0, sizeof slot->cap);
	slot->prev = slot->next = NULL;
	slot->depth = 0;
	if (final)
		finalise(&c);
}

err_t
cte_delete(struct cte *slot)
{
	delete_one(slot);
	while (dying) {
		struct cte *first = (struct cte *)(dying & ~MASK(6));
		unsigned code = dying & MASK(6);
		uint64_t n = code == DYING_TCB ? TCB_SLOT_COUNT : BIT(code);
		dying = first->pad;
		first->pad = 0;
		for (uint64_t i = 0; i < n; i++) /* mostly empty slots */
			if (!cap_is_null(&first[i].cap))
				delete_one(&first[i]);
	}
	return UX_OK;
}

/* Delete the descendants from the last one backwards: a leaf has no
 * children to lift, so the cost stays linear in what is deleted. A
 * deletion may empty other slots (destroyed CNodes), hence the checks and
 * the outer loop. */
err_t
cte_revoke(struct cte *slot)
{
	while (cte_has_children(slot)) {
		struct cte *last = slot->next;
		while (last->next && last->next->depth > slot->depth)
			last = last->next;
		while (last != slot && !cap_is_null(&slot->cap) &&
		       !cap_is_null(&last->cap) && last->depth > slot->depth) {
			struct cte *p = last->prev;
			cte_delete(last);
			last = p;
		}
	}
	return UX_OK;
}
