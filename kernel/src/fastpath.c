/*
 * fastpath.c - Call and ReplyRecv with a short register message, in a
 * straight line.
 *
 * The common round trip of a client and a server is: the client Calls an
 * endpoint where the server already waits, the server answers with
 * ReplyRecv while no other client waits. Both cases are handled here with
 * no queue scans and no scheduler decision: each function checks that the
 * case is exactly the simple one (no capabilities or long message, at most
 * four message words, partner waiting, partner's priority at least the
 * highest ready one, nothing pending) and otherwise returns, so the slow
 * path does the work with the full rules. The effect is the same as the
 * slow path's in every case the fastpath takes.
 *
 * syscall_entry (entry.S) comes here straight, with the system call's
 * rdi and rsi. Everything below is inline down to the return to user mode
 * (arch_exit_to): the only calls leave the kernel or go to the slow path,
 * so nothing is saved that is never restored. Every check that guards
 * security stays: the capability's type and rights, the badge comes from
 * the capability, the message length is at most four register words.
 */
#include <arch/arch.h>
#include <arch/exit.h>
#include <cspace.h>
#include <thread.h>

/* A message the fastpath can carry: register words only. */
static inline bool
simple_info(uint64_t info)
{
	return (info & 0xFF80u) == 0 && ux_mi_len(info) <= UX_REG_MRS;
}

/* Does t expect a long message (its receive buffer must be checked)? */
static inline bool
wants_long(struct tcb *t)
{
	const struct cap *c = &t->slot[TCB_SLOT_IPCBUF].cap;
	return c->type == UX_CAP_FRAME &&
	       ((struct ux_ipc_buffer *)phys_to_virt(c->obj))->recv_len;
}

static inline __attribute__((always_inline)) bool
can_switch_to(struct cpu *c, struct tcb *r)
{
	return (!c->rq_l1 || (int)r->prio >= sched_highest(c)) &&
	       tcb_runnable_config(r);
}

/* cspace_resolve(root, cptr, 64, &slot): the one-CNode shape inline,
 * others through the general walk. The walk keeps every register but
 * rax (no_caller_saved_registers; rbx, rbp and r12-r15 are kept by
 * cspace_resolve itself, which is compiled to the normal ABI), and is
 * called from asm that says so: GCC does not know it at the call site,
 * and would keep the fastpath's values in registers saved on every
 * entry. */
struct cte *fastpath_walk(const struct cap *root, uint64_t cptr);
__attribute__((noinline, cold, no_caller_saved_registers)) struct cte *
fastpath_walk(const struct cap *root, uint64_t cptr)
{
	struct cte *s;
	return cspace_resolve(root, cptr, 64, &s) ? NULL : s;
}

static inline __attribute__((always_inline)) bool
lookup(const struct cap *root, uint64_t cptr, struct cte **out)
{
	if (likely(cspace_one_level(root, cptr, out)))
		return true;
	__asm__ volatile("call fastpath_walk"
			 : "=a"(*out)
			 : "D"(root), "S"(cptr)
			 : "memory", "cc");
	return *out != NULL;
}

static inline void
copy_words(struct tcb *to, struct tcb *from, uint64_t badge, uint64_t info)
{
	to->ctx.CTX_MR0 = from->ctx.CTX_MR0;
	to->ctx.CTX_MR1 = from->ctx.CTX_MR1;
	to->ctx.CTX_MR2 = from->ctx.CTX_MR2;
	to->ctx.CTX_MR3 = from->ctx.CTX_MR3;
	to->ctx.rax = UX_OK;
	to->ctx.rdi = badge;
	to->ctx.rsi = info; /* simple_info: only label and length */
}

noreturn void
fastpath_call(uint64_t cptr, uint64_t info)
{
	struct cpu *c = this_cpu();
	struct tcb *t = c->cur;

	/* Invariant: c->resched is false here (every way back to user mode
	 * clears it or leaves it clear), so it needs no check. */
	if (unlikely(!simple_info(info)))
		goto slow;
	struct cte *s;
	if (unlikely(!lookup(&t->slot[TCB_SLOT_CSPACE].cap, cptr, &s)))
		goto slow;
	struct cap *cap = &s->cap;
	if (cap->type != UX_CAP_ENDPOINT || !(cap->rights & UX_R_WRITE))
		goto slow;
	struct endpoint *ep = (struct endpoint *)cap->obj;
	if (ep->state != EP_RECV)
		goto slow;
	struct tcb *r = ep->head;
	struct reply *rep = r->reply;
	if (!rep || rep->caller || !can_switch_to(c, r) || wants_long(t))
		goto slow;

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
	t->send_flags = SEND_CALL |
			((cap->rights & UX_R_GRANT_REPLY) ? SEND_GRANT_REPLY : 0);
	t->state = TS_BLOCKED_REPLY;
	copy_words(r, t, cap->w1, info);
	r->state = TS_RUNNING;
	c->cur = r;
	arch_exit_to(c, r);
slow:
	syscall_slow(t, cptr, info, UX_SYS_CALL);
}

noreturn void
fastpath_reply_recv(uint64_t cptr, uint64_t info)
{
	struct cpu *c = this_cpu();
	struct tcb *t = c->cur;

	if (unlikely(!simple_info(info) || !t->ctx.r12)) /* resched: above */
		goto slow;
	const struct cap *root = &t->slot[TCB_SLOT_CSPACE].cap;
	struct cte *rs, *es;
	if (unlikely(!lookup(root, t->ctx.r12, &rs)) ||
	    rs->cap.type != UX_CAP_REPLY)
		goto slow;
	struct reply *rep = (struct reply *)rs->cap.obj;
	struct tcb *caller = rep->caller;
	if (!caller || caller->pending_fault || caller->lx.active || rep->receiver)
		goto slow;
	if (unlikely(!lookup(root, cptr, &es)) ||
	    es->cap.type != UX_CAP_ENDPOINT ||
	    !(es->cap.rights & UX_R_READ))
		goto slow;
	struct endpoint *ep = (struct endpoint *)es->cap.obj;
	if (ep->state == EP_SEND || (t->bound && t->bound->active) ||
	    !can_switch_to(c, caller) || wants_long(t))
		goto slow;

	rep->caller = NULL;
	caller->reply = NULL;
	copy_words(caller, t, 0, info);
	caller->state = TS_RUNNING;

	rep->receiver = t;
	t->reply = rep;
	t->state = TS_BLOCKED_RECV;
	t->blocked_on = ep;
	tq_append(&ep->head, &ep->tail, t);
	ep->state = EP_RECV;
	c->cur = caller;
	arch_exit_to(c, caller);
slow:
	syscall_slow(t, cptr, info, UX_SYS_REPLY_RECV);
}
