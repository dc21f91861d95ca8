/*
 * untyped.c - untyped memory and Retype, the only way objects are made.
 *
 * An untyped capability covers 2^size_bits bytes of physical memory and
 * keeps a watermark (free index): new objects are placed at the next
 * suitably aligned address above it. When an untyped has no children left
 * (everything made from it was deleted or revoked) the watermark resets and
 * the memory is used again. Objects are zeroed when made (device memory is
 * not: it is only ever a frame or a smaller untyped).
 */
#include <invoke.h>
#include <uxrt/invocation.h>

#define RETYPE_MAX 256

unsigned
obj_size_bits(unsigned type, unsigned user_bits)
{
	switch (type) {
	case UX_CAP_UNTYPED:
		return user_bits;
	case UX_CAP_CNODE:
		return user_bits + UX_SLOT_BITS;
	case UX_CAP_TCB:
		return UX_TCB_BITS;
	case UX_CAP_ENDPOINT:
		return UX_ENDPOINT_BITS;
	case UX_CAP_NOTIFICATION:
		return UX_NOTIFICATION_BITS;
	case UX_CAP_REPLY:
		return UX_REPLY_BITS;
	case UX_CAP_FRAME:
		return UX_PAGE_BITS;
	case UX_CAP_FRAME_2M:
		return UX_LARGE_PAGE_BITS;
	default:
		return UX_TABLE_BITS; /* page-table levels */
	}
}

static err_t
check_type(unsigned type, unsigned bits, bool device)
{
	if (type < UX_CAP_UNTYPED || type > UX_CAP_PML4)
		return UX_E_INVALID_ARGUMENT;
	if (type == UX_CAP_UNTYPED &&
	    (bits < UX_UNTYPED_MIN_BITS || bits > UX_UNTYPED_MAX_BITS))
		return UX_E_RANGE;
	if (type == UX_CAP_CNODE && (bits < 1 || bits > UX_CNODE_MAX_RADIX))
		return UX_E_RANGE;
	if (device && type != UX_CAP_UNTYPED && type != UX_CAP_FRAME &&
	    type != UX_CAP_FRAME_2M)
		return UX_E_INVALID_ARGUMENT;
	return UX_OK;
}

/* Make one object at physical address pa and describe it in *c. */
static void
create(unsigned type, unsigned user_bits, uint64_t pa, bool device,
       struct cap *c)
{
	unsigned bits = obj_size_bits(type, user_bits);
	void *kva = phys_to_virt(pa);

	*c = (struct cap){.type = (uint8_t)type, .rights = UX_R_ALL};
	if (!device)
		memset(kva, 0, BIT(bits));
	switch (type) {
	case UX_CAP_UNTYPED:
	case UX_CAP_FRAME:
	case UX_CAP_FRAME_2M:
		c->obj = pa;
		c->size_bits = (uint8_t)bits;
		c->flags = device ? CAPF_DEVICE : 0;
		break;
	case UX_CAP_CNODE:
		c->obj = (uint64_t)kva;
		c->size_bits = (uint8_t)user_bits;
		break;
	case UX_CAP_TCB:
		tcb_init(kva);
		c->obj = (uint64_t)kva;
		break;
	case UX_CAP_PAGE_TABLE:
	case UX_CAP_PAGE_DIR:
	case UX_CAP_PDPT:
		c->obj = pa;
		break;
	case UX_CAP_PML4:
		c->obj = pa;
		pml4_init(c);
		break;
	default:
		c->obj = (uint64_t)kva;
	}
}

static err_t
dest_node(struct inv *v, struct cte **node)
{
	struct cte *root;
	err_t e = inv_cap(v, 0, &root);
	uint64_t depth = inv_mr(v, 3);

	if (e)
		return e;
	if (root->cap.type != UX_CAP_CNODE)
		return UX_E_INVALID_CAPABILITY;
	if (depth == 0) {
		*node = root;
		return UX_OK;
	}
	if (depth > 64)
		return UX_E_RANGE;
	if ((e = cspace_resolve(&root->cap, inv_mr(v, 2), (unsigned)depth,
				node)))
		return e;
	return (*node)->cap.type == UX_CAP_CNODE ? UX_OK
						 : UX_E_INVALID_CAPABILITY;
}

err_t
untyped_invoke(struct inv *v)
{
	struct cap *u = &v->slot->cap;
	struct cte *node, *dest;
	uint64_t type = inv_mr(v, 0), ubits = inv_mr(v, 1);
	uint64_t off = inv_mr(v, 4), count = inv_mr(v, 5);
	bool device = u->flags & CAPF_DEVICE;
	err_t e;

	if (v->label != UX_UNTYPED_RETYPE)
		return UX_E_ILLEGAL_OPERATION;
	if (v->len < 6 || v->ncaps < 1)
		return UX_E_TRUNCATED_MESSAGE;
	if (type > 64 || ubits > 64)
		return UX_E_INVALID_ARGUMENT;
	if ((e = check_type((unsigned)type, (unsigned)ubits, device)))
		return e;
	if (count < 1 || count > RETYPE_MAX)
		return UX_E_RANGE;
	if ((e = dest_node(v, &node)))
		return e;
	uint64_t slots = BIT(node->cap.size_bits);
	if (off >= slots || count > slots - off)
		return UX_E_RANGE;
	dest = (struct cte *)node->cap.obj + off;
	for (uint64_t i = 0; i < count; i++)
		if (!cap_is_null(&dest[i].cap))
			return UX_E_DELETE_FIRST;
	if (type == UX_CAP_PML4 && (e = pml4_asids_available(count)))
		return e;

	unsigned bits = obj_size_bits((unsigned)type, (unsigned)ubits);
	uint64_t base = u->obj, size = BIT(u->size_bits);
	uint64_t free = cte_has_children(v->slot) ? u->w1 : 0;
	if (bits > u->size_bits)
		return UX_E_NOT_ENOUGH_MEMORY;
	uint64_t start = ALIGN_UP(base + free, BIT(bits));
	if (start - base > size || (size - (start - base)) >> bits < count)
		return UX_E_NOT_ENOUGH_MEMORY;

	u->w1 = start - base + (count << bits);
	for (uint64_t i = 0; i < count; i++) {
		struct cap c;
		create((unsigned)type, (unsigned)ubits, start + (i << bits),
		       device, &c);
		cte_insert_child(v->slot, &dest[i], &c);
	}
	invoke_done(v, 0);
	return UX_OK;
}
