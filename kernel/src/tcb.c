/*
 * tcb.c - thread control blocks: creation, configuration, priorities,
 * registers, suspend and resume, notification binding.
 *
 * A TCB holds its own capability slots for its CSpace root, VSpace root,
 * IPC buffer frame and fault endpoint (copies of what Configure was given),
 * so those objects cannot vanish under a running thread without the slots
 * being emptied through the derivation tree.
 */
#include <arch/arch.h>
#include <invoke.h>
#include <uxrt/fault.h>
#include <uxrt/invocation.h>

static uint64_t next_id = 1;

void
tcb_init(struct tcb *t)
{
	ctx_init_user(&t->ctx);
	/* fxsave image: FCW = 0x37f, MXCSR = 0x1f80 (all exceptions masked) */
	t->fpu[0] = 0x7f;
	t->fpu[1] = 0x03;
	t->fpu[24] = 0x80;
	t->fpu[25] = 0x1f;
	t->timeslice = 2;
	t->id = next_id++;
}

void
tcb_destroy(struct tcb *t)
{
	struct cpu *c = this_cpu();
	thread_stop(t);
	if (t->bound)
		ntfn_unbind(t->bound);
	if (c->fpu_owner == t)
		c->fpu_owner = NULL;
}

/* Replace TCB slot i of the invoked TCB by a copy of src (or empty it if
 * src is NULL). The old capability may be the last one to its object,
 * whose destruction could empty src itself, or destroy the TCB (a CNode
 * holding the last capability to it): so afterwards src's content is
 * checked again, and the invoked capability must still be there (as in
 * seL4), or the copy would land in a dead TCB's slot. */
static err_t
set_slot(struct inv *v, unsigned i, struct cte *src, const struct cap *want)
{
	struct tcb *t = (struct tcb *)v->slot->cap.obj;
	struct cte *dst = &t->slot[i];
	if (src && cap_same_object(&dst->cap, &src->cap)) {
		dst->cap.aux = want->aux; /* CNode guard may change */
		dst->cap.w1 = want->w1;
		return UX_OK;
	}
	struct cap expect = src ? src->cap : (struct cap){0};
	cte_delete(dst);
	if (v->slot->cap.type != UX_CAP_TCB ||
	    v->slot->cap.obj != (uint64_t)t)
		return UX_E_REVOKE_FIRST;
	if (!src)
		return UX_OK;
	if (memcmp(&src->cap, &expect, sizeof expect))
		return UX_E_REVOKE_FIRST;
	struct cap c;
	err_t e = cap_derive(&src->cap, &c);
	if (e)
		return e;
	c.aux = want->aux;
	c.w1 = want->w1;
	cte_insert_child(src, dst, &c);
	return UX_OK;
}

static err_t
configure(struct inv *v, struct tcb *t)
{
	struct cte *cs, *vs, *ib, *fe = NULL;
	uint64_t ibaddr = inv_mr(v, 2);
	err_t e;

	if (v->len < 3 || v->ncaps < 3)
		return UX_E_TRUNCATED_MESSAGE;
	if ((e = inv_cap(v, 0, &cs)) || (e = inv_cap(v, 1, &vs)) ||
	    (e = inv_cap(v, 2, &ib)))
		return e;
	if (cs->cap.type != UX_CAP_CNODE || vs->cap.type != UX_CAP_PML4)
		return UX_E_INVALID_CAPABILITY;
	if (ib->cap.type == UX_CAP_NULL) {
		ib = NULL;
	} else if (ib->cap.type != UX_CAP_FRAME ||
		   (ib->cap.flags & CAPF_DEVICE)) {
		return UX_E_INVALID_CAPABILITY;
	} else if (!IS_ALIGNED(ibaddr, UX_PAGE_BITS) ||
		   ibaddr >= UX_USER_TOP) {
		return UX_E_ALIGNMENT;
	}
	if (inv_mr(v, 0)) {
		if ((e = cspace_lookup(v->t, inv_mr(v, 0), &fe)))
			return e;
		if (fe->cap.type != UX_CAP_ENDPOINT)
			return UX_E_INVALID_CAPABILITY;
	}
	struct cap csw = cs->cap;
	if ((e = guard_decode(inv_mr(v, 1), csw.size_bits, &csw.aux,
			      &csw.w1)))
		return e;

	if ((e = set_slot(v, TCB_SLOT_FAULT, fe, fe ? &fe->cap : NULL)) ||
	    (e = set_slot(v, TCB_SLOT_CSPACE, cs, &csw)) ||
	    (e = set_slot(v, TCB_SLOT_VSPACE, vs, &vs->cap)) ||
	    (e = set_slot(v, TCB_SLOT_IPCBUF, ib, ib ? &ib->cap : NULL)))
		return e;
	t->ipcbuf_vaddr = ib ? ibaddr : 0;
	invoke_done(v, 0);
	return UX_OK;
}

static void
set_prio(struct tcb *t, unsigned prio)
{
	struct cpu *c = this_cpu();
	bool q = t->state == TS_RUNNING && t != c->cur;
	if (q)
		sched_dequeue(c, t);
	t->prio = (uint8_t)prio;
	if (q)
		sched_enqueue(c, t, false);
	c->resched = true;
}

static err_t
priority(struct inv *v, struct tcb *t, bool mcp)
{
	struct cte *auth;
	err_t e;

	if (v->len < 1 || v->ncaps < 1)
		return UX_E_TRUNCATED_MESSAGE;
	if ((e = inv_cap(v, 0, &auth)))
		return e;
	if (auth->cap.type != UX_CAP_TCB)
		return UX_E_INVALID_CAPABILITY;
	uint64_t p = inv_mr(v, 0);
	if (p > UX_PRIO_MAX || p > ((struct tcb *)auth->cap.obj)->mcp)
		return UX_E_RANGE;
	if (mcp)
		t->mcp = (uint8_t)p;
	else
		set_prio(t, (unsigned)p);
	invoke_done(v, 0);
	return UX_OK;
}

static err_t
read_regs(struct inv *v, struct tcb *t)
{
	if (t == v->t)
		return UX_E_ILLEGAL_OPERATION;
	unsigned n = v->buf ? UX_REG_COUNT : UX_REG_MRS;
	for (unsigned i = 0; i < n; i++)
		mr_set(v->t, v->buf, i, *ctx_reg(&t->ctx, i));
	invoke_done(v, n);
	return UX_OK;
}

static err_t
write_regs(struct inv *v, struct tcb *t)
{
	uint64_t regs[UX_REG_COUNT];
	unsigned n = v->len ? v->len - 1 : 0;

	if (v->len < 1)
		return UX_E_TRUNCATED_MESSAGE;
	if (t == v->t)
		return UX_E_ILLEGAL_OPERATION;
	if (n > UX_REG_COUNT)
		n = UX_REG_COUNT;
	for (unsigned i = 0; i < n; i++)
		regs[i] = inv_mr(v, i + 1);
	/* Check first, so a refused call changes nothing. */
	bool resume = (inv_mr(v, 0) & 1) && t->state == TS_INACTIVE;
	if (resume && !tcb_runnable_config(t))
		return UX_E_ILLEGAL_OPERATION;
	struct arch_context probe = t->ctx;
	for (unsigned i = 0; i < n; i++)
		if (ctx_set_reg(&probe, i, regs[i]))
			return UX_E_INVALID_ARGUMENT;
	t->ctx = probe;
	if (resume)
		sched_wake(t);
	invoke_done(v, 0);
	return UX_OK;
}

/* The fxsave image, as 64 message registers. */
static err_t
read_fpu(struct inv *v, struct tcb *t)
{
	uint64_t w[64];
	if (t == v->t)
		return UX_E_ILLEGAL_OPERATION;
	if (!v->buf)
		return UX_E_TRUNCATED_MESSAGE; /* 64 words need an IPC buffer */
	fpu_flush(t);
	memcpy(w, t->fpu, sizeof w);
	for (unsigned i = 0; i < 64; i++)
		mr_set(v->t, v->buf, i, w[i]);
	invoke_done(v, 64);
	return UX_OK;
}

/* A new fxsave image; MXCSR's reserved bits (16..31) must be clear, or
 * restoring it would fault. */
static err_t
write_fpu(struct inv *v, struct tcb *t)
{
	uint64_t w[64];
	if (v->len < 64)
		return UX_E_TRUNCATED_MESSAGE;
	if (t == v->t)
		return UX_E_ILLEGAL_OPERATION;
	for (unsigned i = 0; i < 64; i++)
		w[i] = inv_mr(v, i);
	if (w[3] >> 16 & 0xFFFF)
		return UX_E_INVALID_ARGUMENT;
	fpu_flush(t);
	memcpy(t->fpu, w, sizeof w);
	invoke_done(v, 0);
	return UX_OK;
}

static err_t
bind(struct inv *v, struct tcb *t)
{
	struct cte *nc;
	err_t e;

	if (v->ncaps < 1)
		return UX_E_TRUNCATED_MESSAGE;
	if ((e = inv_cap(v, 0, &nc)))
		return e;
	if (nc->cap.type != UX_CAP_NOTIFICATION)
		return UX_E_INVALID_CAPABILITY;
	if (!(nc->cap.rights & UX_R_READ))
		return UX_E_NO_RIGHTS;
	struct notification *n = (struct notification *)nc->cap.obj;
	if (t->bound || n->bound || n->head)
		return UX_E_ILLEGAL_OPERATION;
	t->bound = n;
	n->bound = t;
	invoke_done(v, 0);
	return UX_OK;
}

err_t
tcb_invoke(struct inv *v)
{
	struct tcb *t = (struct tcb *)v->slot->cap.obj;

	switch (v->label) {
	case UX_TCB_CONFIGURE:
		return configure(v, t);
	case UX_TCB_SET_PRIORITY:
		return priority(v, t, false);
	case UX_TCB_SET_MCP:
		return priority(v, t, true);
	case UX_TCB_READ_REGISTERS:
		return read_regs(v, t);
	case UX_TCB_READ_FPU:
		return read_fpu(v, t);
	case UX_TCB_WRITE_FPU:
		return write_fpu(v, t);
	case UX_TCB_WRITE_REGISTERS:
		return write_regs(v, t);
	case UX_TCB_RESUME:
		if (t->state == TS_INACTIVE) {
			if (!tcb_runnable_config(t))
				return UX_E_ILLEGAL_OPERATION;
			sched_wake(t);
		}
		invoke_done(v, 0);
		return UX_OK;
	case UX_TCB_SUSPEND: {
		uint64_t again = thread_stop(t);
		mr_set(v->t, v->buf, 0, again);
		invoke_done(v, 1);
		return UX_OK;
	}
	case UX_TCB_BIND_NOTIFICATION:
		return bind(v, t);
	case UX_TCB_SET_FLAGS:
		if (v->len < 1)
			return UX_E_TRUNCATED_MESSAGE;
		if (inv_mr(v, 0) & ~(uint64_t)(UX_TCB_F_LINUX_FILES |
						 UX_TCB_F_LINUX_TRACE))
			return UX_E_INVALID_ARGUMENT;
		t->flags = (uint8_t)inv_mr(v, 0);
		invoke_done(v, 0);
		return UX_OK;
	case UX_TCB_UNBIND_NOTIFICATION:
		if (!t->bound)
			return UX_E_ILLEGAL_OPERATION;
		ntfn_unbind(t->bound);
		invoke_done(v, 0);
		return UX_OK;
	default:
		return UX_E_ILLEGAL_OPERATION;
	}
}
