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
#include <cspace.h>
#include <fastpath.h>
#include <uxrt/fault.h>

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
	if (t == this_cpu()->cur)
		fp_fault_direct(this_cpu(), t, fep); /* returns if not taken */
	ipc_send(t, fep, 0, true, true);
}

/* The message: mr0, mr1 the fault's words, then the registers (two in
 * message registers, the rest in the IPC buffer, if to has one). */
unsigned
fault_message(struct tcb *t, struct tcb *to, struct ux_ipc_buffer *tobuf)
{
	return fp_fault_message(t, to, tobuf);
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
