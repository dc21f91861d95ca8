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
 * rdi and rsi (for a foreign call, its number: fastpath_foreign).
 * Everything below is inline down to the return to user mode
 * (arch_exit_to): the only calls leave the kernel or go to the slow path,
 * so nothing is saved that is never restored (the Makefile compiles this
 * file to use every register freely: no function here may return to C). Every check that guards
 * security stays: the capability's type and rights, the badge comes from
 * the capability, the message length is at most four register words.
 */
#include <arch/arch.h>
#include <arch/exit.h>
#include <cspace.h>
#include <fastpath.h>
#include <uxrt/file.h>
#include <uxrt/invocation.h>

/* cspace_resolve(root, cptr, 64, &slot), inline: the one-CNode shape
 * first, then the first level by hand (a root server keeps what it
 * receives and replies through there: a leaf ends the walk), then level
 * by level. */
static inline __attribute__((always_inline)) bool
lookup(const struct cap *node, uint64_t cptr, struct cte **out)
{
	if (likely(cspace_one_level(node, cptr, out)))
		return true;
	unsigned radix = node->size_bits, level = radix + node->aux;
	if (node->type != UX_CAP_CNODE || level - 1 >= 64)
		return false; /* level 0, or more than 64 */
	uint64_t v = cptr >> (64 - level); /* guard bits, index bits */
	if (v >> radix != node->w1)
		return false;
	*out = (struct cte *)node->obj + (v - (node->w1 << radix));
	if (likely((*out)->cap.type != UX_CAP_CNODE) || level == 64)
		return true; /* a leaf ends a full-width walk */
	cptr <<= level;
	node = &(*out)->cap;
	for (unsigned left = 64 - level;;) {
		if (node->type != UX_CAP_CNODE)
			return false;
		radix = node->size_bits;
		level = radix + node->aux;
		if (level == 0 || level > left)
			return false;
		v = cptr >> (64 - level);
		if (v >> radix != node->w1)
			return false;
		*out = (struct cte *)node->obj + (v - (node->w1 << radix));
		left -= level;
		if (left == 0 || (*out)->cap.type != UX_CAP_CNODE)
			return true;
		cptr <<= level;
		node = &(*out)->cap;
	}
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
	if (unlikely(!fp_simple_info(info)))
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
	if (!rep || rep->caller || !fp_can_switch_to(c, r, false) ||
	    !fp_recv_ready(c, t))
		goto slow;

	fp_hand_over(ep, r, rep, t,
		     SEND_CALL | ((cap->rights & UX_R_GRANT_REPLY)
					  ? SEND_GRANT_REPLY
					  : 0));
	copy_words(r, t, cap->w1, info);
	c->cur = r;
	arch_exit_to(c, r);
slow:
	syscall_slow(t, cptr, info, UX_SYS_CALL);
}

/* The caller's answer from t: message words for a Call, registers for a
 * fault (fault_reply's, where the first four are plain registers). */
static inline __attribute__((always_inline)) void
answer(struct tcb *caller, struct tcb *t, uint64_t info)
{
	if (likely(!caller->pending_fault)) {
		copy_words(caller, t, 0, info);
		return;
	}
	unsigned len = ux_mi_len(info); /* at most 4: fp_simple_info */
	if (likely(len == 1)) { /* a system call's result */
		caller->ctx.rax = t->ctx.CTX_MR0;
	} else if (len) {
		caller->ctx.rax = t->ctx.CTX_MR0;
		caller->ctx.rbx = len > 1 ? t->ctx.CTX_MR1 : caller->ctx.rbx;
		caller->ctx.rcx = len > 2 ? t->ctx.CTX_MR2 : caller->ctx.rcx;
		caller->ctx.rdx = len > 3 ? t->ctx.CTX_MR3 : caller->ctx.rdx;
	}
	caller->pending_fault = 0;
}

noreturn void
fastpath_reply_recv(uint64_t cptr, uint64_t info)
{
	struct cpu *c = this_cpu();
	struct tcb *t = c->cur;

	if (unlikely(!fp_simple_info(info) || !t->ctx.r12)) /* resched: above */
		goto slow;
	const struct cap *root = &t->slot[TCB_SLOT_CSPACE].cap;
	struct cte *rs, *es;
	if (unlikely(!lookup(root, t->ctx.r12, &rs)) ||
	    rs->cap.type != UX_CAP_REPLY)
		goto slow;
	struct reply *rep = (struct reply *)rs->cap.obj;
	struct tcb *caller = rep->caller;
	if (!caller || rep->receiver ||
	    (caller->flags & UX_TCB_F_LINUX_TRACE)) /* its call's end */
		goto slow;
	if (unlikely(!lookup(root, cptr, &es)) ||
	    es->cap.type != UX_CAP_ENDPOINT ||
	    !(es->cap.rights & UX_R_READ))
		goto slow;
	struct endpoint *ep = (struct endpoint *)es->cap.obj;
	/* A faulted caller goes to the tail of the ready queue on the slow
	 * path (sched_yield relies on it): only straight to it if it would
	 * be chosen anyway. */
	if (ep->state == EP_SEND || (t->bound && t->bound->active) ||
	    !fp_can_switch_to(c, caller, caller->pending_fault) ||
	    !fp_recv_ready(c, t))
		goto slow;

	rep->caller = NULL;
	caller->reply = NULL;
	if (unlikely(caller->lx.active) && !caller->pending_fault)
		(void)lx_complete(t, caller, info); /* a Linux file call: no long
					       * message here, so a write's
					       * or a seek's answer */
	else
		answer(caller, t, info);
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

/* A Linux read (nr 0) or write (1) of a descriptor whose server waits
 * for it: lxfile.c's issue() and ipc_send() for the simple case, one
 * piece of at most a long message, the buffer mapped, the server would
 * run next. Returns only if the case is not that one. */
static inline __attribute__((always_inline)) void
fp_file_call(struct cpu *c, struct tcb *t, uint64_t nr)
{
	struct arch_context *x = &t->ctx;
	bool in = nr == LX_READ;
	uint64_t n = x->rdx, bad, code;
	struct cte *s;

	if (t->lxc.on || n - 1 >= UX_MSG_LONG_MAX || c->resched ||
	    !lookup(&t->slot[TCB_SLOT_CSPACE].cap, x->rdi, &s))
		return;
	const struct cap *cap = &s->cap;
	if (cap->type != UX_CAP_ENDPOINT || !(cap->rights & UX_R_WRITE))
		return;
	struct endpoint *ep = (struct endpoint *)cap->obj;
	if (ep->state != EP_RECV)
		return;
	struct tcb *r = ep->head;
	struct reply *rep = r->reply;
	if (!rep || rep->caller || !fp_can_switch_to(c, r, false) ||
	    !vspace_check(t, x->rsi, n, in, &bad, &code))
		return; /* a missing page: the slow path makes it a fault */
	t->lx = lx_piece(nr, in, x->rsi, n, UX_FILE_OFFSET_NONE, n);
	fp_hand_over(ep, r, rep, t,
		     SEND_CALL |
			     ((cap->rights & UX_R_GRANT) ? SEND_GRANT : 0) |
			     ((cap->rights & UX_R_GRANT_REPLY) ? SEND_GRANT_REPLY
							       : 0));
	r->ctx.rsi = lx_message(t, r, thread_ipcbuf(r),
				ux_msginfo(in ? UX_FILE_READ : UX_FILE_WRITE,
					   2, 0, in ? 0 : UX_MI_LONG));
	r->ctx.rax = UX_OK;
	r->ctx.rdi = cap->w1;
	c->cur = r;
	arch_exit_to(c, r);
}

/* A foreign (Linux) system call to a fault handler waiting for it:
 * fp_fault_direct without the way through syscall_foreign and
 * fault_raise; or a read or write, fp_file_call. Anything else goes
 * that way. */
noreturn void
fastpath_foreign(uint64_t nr)
{
	struct cpu *c = this_cpu();
	struct tcb *t = c->cur;
	const struct cap *fep = &t->slot[TCB_SLOT_FAULT].cap;

	if ((t->flags & UX_TCB_F_LINUX_FILES) &&
	    (nr <= LX_FILE_NR_MAX || t->lx.to_handler)) {
		if (nr <= LX_WRITE && !t->lx.to_handler &&
		    !(t->flags & UX_TCB_F_LINUX_TRACE)) /* traced: the handler first */
			fp_file_call(c, t, nr);
		goto slow; /* perhaps a file call (lxfile.c) */
	}
	if (fep->type != UX_CAP_ENDPOINT || !(fep->rights & UX_R_WRITE))
		goto slow;
	t->pending_fault = UX_FAULT_SYSCALL;
	t->fault_w0 = nr;
	t->fault_w1 = 0;
	fp_fault_direct(c, t, fep);
	t->pending_fault = 0; /* fault_raise does it all again */
slow:
	syscall_foreign(nr);
}
