/*
 * fault.c - faults as messages.
 *
 * A page fault, a CPU exception or a foreign (Linux) system call makes the
 * thread Call its fault endpoint (the capability in its TCB) with a message
 * describing the fault and its registers (uxrt/fault.h). The handler's reply
 * may rewrite registers and resumes the thread. A thread without a usable
 * fault endpoint is stopped and reported on the console: never a panic.
 * It stops at the faulting instruction, a foreign system call included,
 * so that if it is resumed (given a handler) the fault happens again.
 */
#include <arch/exit.h>
#include <cspace.h>
#include <fastpath.h>
#include <uxrt/fault.h>

_Static_assert(UX_REG_RAX == 0 && UX_REG_RBX == 1 && UX_REG_RCX == 2 &&
		       UX_REG_RDX == 3 && UX_FAULT_REGS + 2 == UX_REG_MRS,
	       "fault message layout");

/* fault_message, inline for fault_direct. */
static inline __attribute__((always_inline)) unsigned
fill(struct tcb *t, struct tcb *to, struct ux_ipc_buffer *tobuf)
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

/* The common case of a fault, without the scheduler: the handler waits
 * in Recv on the fault endpoint and would be chosen to run next. The
 * fault message goes straight to it and the kernel leaves to it, as the
 * slow path (ipc_send, then kernel_exit) would. Returns only if the case
 * is not that one. */
static void
fault_direct(struct tcb *t, const struct cap *fep)
{
	struct cpu *c = this_cpu();
	struct endpoint *ep = (struct endpoint *)fep->obj;

	if (ep->state != EP_RECV || c->resched || t != c->cur)
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
	unsigned len = fill(t, r, thread_ipcbuf(r));
	r->ctx.rax = UX_OK;
	r->ctx.rdi = fep->w1;
	r->ctx.rsi = ux_msginfo(t->pending_fault, len, 0, 0);
	c->cur = r;
	arch_exit_to(c, r);
}

void
fault_raise(struct tcb *t, unsigned type, uint64_t w0, uint64_t w1)
{
	struct cap *fep = &t->slot[TCB_SLOT_FAULT].cap;

	if (fep->type != UX_CAP_ENDPOINT || !(fep->rights & UX_R_WRITE)) {
		static const char *what[] = {"?", "page fault", "exception",
					     "foreign system call"};
		printk("uxrt: thread %lu: %s (%#lx, %#lx) with no fault "
		       "handler\n",
		       (unsigned long)t->id, what[type], (unsigned long)w0,
		       (unsigned long)w1);
		if (type == UX_FAULT_SYSCALL)
			t->ctx.rip -= 2; /* made again if t is resumed */
		thread_stop(t);
		thread_report(t, "unhandled fault");
		return;
	}
	t->pending_fault = (uint8_t)type;
	t->fault_w0 = w0;
	t->fault_w1 = w1;
	fault_direct(t, fep);
	ipc_send(t, fep, 0, true, true);
}

/* The message: mr0, mr1 the fault's words, then the registers (two in
 * message registers, the rest in the IPC buffer, if to has one). */
unsigned
fault_message(struct tcb *t, struct tcb *to, struct ux_ipc_buffer *tobuf)
{
	return fill(t, to, tobuf);
}

/* The handler's answer: its first len words (at most all registers) are
 * t's registers in enum ux_reg order, each checked (ctx_set_reg); those
 * beyond the register words come from its IPC buffer, or are 0. */
void
fault_reply(struct tcb *t, struct tcb *from, struct ux_ipc_buffer *frombuf,
	    unsigned len)
{
	if (len > UX_REG_COUNT)
		len = UX_REG_COUNT;
	switch (len) { /* rax..rdx: plain registers, from MR0..MR3 */
	default:
	case 4: t->ctx.rdx = from->ctx.CTX_MR3; /* fallthrough */
	case 3: t->ctx.rcx = from->ctx.CTX_MR2; /* fallthrough */
	case 2: t->ctx.rbx = from->ctx.CTX_MR1; /* fallthrough */
	case 1: t->ctx.rax = from->ctx.CTX_MR0; /* fallthrough */
	case 0: break;
	}
	for (unsigned i = UX_REG_MRS; i < len; i++)
		ctx_set_reg(&t->ctx, i, frombuf ? frombuf->mr[i] : 0);
	t->pending_fault = 0;
}
