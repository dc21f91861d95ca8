/*
 * fastpath.h - the checks the IPC fastpaths share: fastpath.c's Call and
 * ReplyRecv, and fault.c's direct delivery of a fault to a handler that
 * waits for it. Each fastpath takes only a case whose outcome is the slow
 * path's (ipc.c), without queueing anyone or asking the scheduler.
 */
#ifndef FASTPATH_H
#define FASTPATH_H

#include <arch/exit.h>
#include <thread.h>
#include <uxrt/fault.h>

/* A message the fastpath can carry: register words only (no
 * capabilities, no long message, at most four words). */
static inline bool
fp_simple_info(uint64_t info)
{
	/* bits 7..15 clear and a length of at most 4, in one compare */
	_Static_assert(UX_REG_MRS < 0x80, "a length in bits 0..6");
	return (info & 0xFFFFu) <= UX_REG_MRS;
}

/* May r run now instead of going to the ready queue? Its priority is at
 * least that of every ready thread (strictly higher if strict: then the
 * slow path, which queues r behind the ready threads of its priority,
 * would have chosen r too), and it has a CSpace and an address space. */
static inline __attribute__((always_inline)) bool
fp_can_switch_to(struct cpu *c, struct tcb *r, bool strict)
{
	return (!c->rq_l1 || (int)r->prio >= sched_highest(c) + strict) &&
	       tcb_runnable_config(r);
}

/* Is t ready to receive a message without a check of its buffers: it
 * expects no long message, or the same receive buffer was found mapped
 * and nothing has been unmapped since (ipc_buffer_known)? */
static inline __attribute__((always_inline)) bool
fp_recv_ready(struct cpu *c, struct tcb *t)
{
	const struct cap *ib = &t->slot[TCB_SLOT_IPCBUF].cap;
	if (ib->type != UX_CAP_FRAME)
		return true;
	const struct ux_ipc_buffer *b = phys_to_virt(ib->obj);
	return !b->recv_len ||
	       ipc_buffer_known(c, t, &t->recv_ok, b->recv_buf, b->recv_len);
}

/* Take r, the first receiver waiting on ep, out of its queue for a
 * message from t, which will wait for the answer on r's reply object
 * rep: what ipc_send and await_reply do for a Call. */
static inline __attribute__((always_inline)) void
fp_hand_over(struct endpoint *ep, struct tcb *r, struct reply *rep,
	     struct tcb *t, uint8_t send_flags)
{
	ep->head = r->q_next;
	if (likely(!ep->head)) {
		ep->tail = NULL;
		ep->state = EP_IDLE;
	} else {
		ep->head->q_prev = NULL;
	}
	r->q_next = NULL;
	r->reply = NULL;
	r->blocked_on = NULL;
	rep->receiver = NULL;
	rep->caller = t;
	t->reply = rep;
	t->send_flags = send_flags;
	t->state = TS_BLOCKED_REPLY;
	r->state = TS_RUNNING;
}

_Static_assert(UX_REG_RAX == 0 && UX_REG_RBX == 1 && UX_REG_RCX == 2 &&
		       UX_REG_RDX == 3 && UX_FAULT_REGS + 2 == UX_REG_MRS,
	       "fault message layout");

/* t's fault message to `to` (fault.c's fault_message): mr0, mr1 the
 * fault's words, then the registers (two in message registers, the rest
 * in the IPC buffer, if `to` has one); its length. */
static inline __attribute__((always_inline)) unsigned
fp_fault_message(struct tcb *t, struct tcb *to, struct ux_ipc_buffer *tobuf)
{
	to->ctx.CTX_MR0 = t->fault_w0;
	to->ctx.CTX_MR1 = t->fault_w1;
	to->ctx.CTX_MR2 = t->ctx.rax; /* UX_REG_RAX, UX_REG_RBX */
	to->ctx.CTX_MR3 = t->ctx.rbx;
	if (!tobuf)
		return UX_REG_MRS;
	ctx_regs_out(&t->ctx, UX_REG_MRS - UX_FAULT_REGS, &tobuf->mr[UX_REG_MRS]);
	return UX_FAULT_REGS + UX_REG_COUNT;
}

/* The common case of a fault of t (the current thread, its fault words
 * set, fep its usable fault endpoint), without the scheduler: the
 * handler waits in Recv and would be chosen to run next. The message
 * goes straight to it and the kernel leaves to it, as the slow path
 * (ipc_send, then kernel_exit) would. Returns only if the case is not
 * that one. */
static inline __attribute__((always_inline)) void
fp_fault_direct(struct cpu *c, struct tcb *t, const struct cap *fep)
{
	struct endpoint *ep = (struct endpoint *)fep->obj;

	if (ep->state != EP_RECV || c->resched)
		return;
	struct tcb *r = ep->head;
	struct reply *rep = r->reply;
	if (!rep || rep->caller || !fp_can_switch_to(c, r, true))
		return;
	fp_hand_over(ep, r, rep, t,
		     SEND_CALL |
			     ((fep->rights & UX_R_GRANT) ? SEND_GRANT : 0) |
			     ((fep->rights & UX_R_GRANT_REPLY) ? SEND_GRANT_REPLY
							       : 0));
	const struct cap *ib = &r->slot[TCB_SLOT_IPCBUF].cap;
	unsigned len = fp_fault_message(t, r,
					ib->type == UX_CAP_FRAME
						? phys_to_virt(ib->obj)
						: NULL);
	r->ctx.rax = UX_OK;
	r->ctx.rdi = fep->w1;
	r->ctx.rsi = ux_msginfo(t->pending_fault, len, 0, 0);
	c->cur = r;
	arch_exit_to(c, r);
}

#endif
