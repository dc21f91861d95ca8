/*
 * cnode.c - CNode invocations: copy, mint, move, mutate, delete, revoke.
 *
 * The invoked CNode is the destination root; MR0/MR1 name the destination
 * (index, depth), XC0 the source root and MR2/MR3 the source. A copy is a
 * child of its source in the derivation tree; a move keeps the place.
 * Badges: an endpoint or notification capability is badged once (Mint or
 * Mutate of an unbadged one) and never re-badged, so a server can trust
 * the badge it handed out.
 */
#include <invoke.h>
#include <uxrt/invocation.h>

err_t
guard_decode(uint64_t data, unsigned radix, uint16_t *bits, uint64_t *guard)
{
	unsigned gb = data & 63;
	uint64_t g = data >> 8;
	if (radix + gb > 64 || (gb < 64 && (g >> gb) != 0))
		return UX_E_INVALID_ARGUMENT;
	*bits = (uint16_t)gb;
	*guard = g;
	return UX_OK;
}

static err_t
slot_at(struct inv *v, const struct cap *root, unsigned mr, struct cte **out)
{
	uint64_t depth = inv_mr(v, mr + 1);
	if (depth < 1 || depth > 64)
		return UX_E_RANGE;
	return cspace_resolve(root, inv_mr(v, mr), (unsigned)depth, out);
}

/* Apply Mint/Mutate's badge or guard to c. */
static err_t
rebadge(struct cap *c, uint64_t data)
{
	switch (c->type) {
	case UX_CAP_ENDPOINT:
	case UX_CAP_NOTIFICATION:
		if (c->w1)
			return UX_E_ILLEGAL_OPERATION;
		c->w1 = data;
		return UX_OK;
	case UX_CAP_CNODE:
		return guard_decode(data, c->size_bits, &c->aux, &c->w1);
	default:
		return data ? UX_E_INVALID_ARGUMENT : UX_OK;
	}
}

static err_t
copy_or_move(struct inv *v, struct cte *dest, bool move, bool badge)
{
	struct cte *sroot, *src;
	struct cap c;
	err_t e;

	/* Copy MR0-4, Mint MR0-5, Move MR0-3, Mutate MR0-4 (badge in MR4) */
	if (v->len < 4u + !move + badge || v->ncaps < 1)
		return UX_E_TRUNCATED_MESSAGE;
	if ((e = inv_cap(v, 0, &sroot)))
		return e;
	if (sroot->cap.type != UX_CAP_CNODE)
		return UX_E_INVALID_CAPABILITY;
	if ((e = slot_at(v, &sroot->cap, 2, &src)))
		return e;
	if (cap_is_null(&src->cap))
		return UX_E_INVALID_CAPABILITY;
	if (!cap_is_null(&dest->cap))
		return UX_E_DELETE_FIRST;
	if (move) {
		c = src->cap;
	} else {
		if ((e = cap_derive(&src->cap, &c)))
			return e;
		c.rights &= (uint8_t)inv_mr(v, 4);
	}
	if (badge && (e = rebadge(&c, inv_mr(v, 5 - move))))
		return e;
	if (move)
		cte_move(src, dest, &c);
	else
		cte_insert_child(src, dest, &c);
	invoke_done(v, 0);
	return UX_OK;
}

err_t
cnode_invoke(struct inv *v)
{
	struct cte *dest;
	err_t e;

	if (v->len < 2)
		return UX_E_TRUNCATED_MESSAGE;
	if ((e = slot_at(v, &v->slot->cap, 0, &dest)))
		return e;
	switch (v->label) {
	case UX_CNODE_COPY:
		return copy_or_move(v, dest, false, false);
	case UX_CNODE_MINT:
		return copy_or_move(v, dest, false, true);
	case UX_CNODE_MOVE:
		return copy_or_move(v, dest, true, false);
	case UX_CNODE_MUTATE:
		return copy_or_move(v, dest, true, true);
	case UX_CNODE_DELETE:
		invoke_done(v, 0);
		return cte_delete(dest);
	case UX_CNODE_REVOKE:
		invoke_done(v, 0);
		return cte_revoke(dest);
	default:
		return UX_E_ILLEGAL_OPERATION;
	}
}
