/*
 * fastpath.h - the checks the IPC fastpaths share: fastpath.c's Call and
 * ReplyRecv, and fault.c's direct delivery of a fault to a handler that
 * waits for it. Each fastpath takes only a case whose outcome is the slow
 * path's (ipc.c), without queueing anyone or asking the scheduler.
 */
#ifndef FASTPATH_H
#define FASTPATH_H

#include <thread.h>

/* A message the fastpath can carry: register words only (no
 * capabilities, no long message, at most four words). */
static inline bool
fp_simple_info(uint64_t info)
{
	return (info & 0xFF80u) == 0 && ux_mi_len(info) <= UX_REG_MRS;
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

#endif
