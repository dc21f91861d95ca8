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
#include <thread.h>
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
	ipc_send(t, fep, 0, true, true);
}

unsigned
fault_message(struct tcb *t, struct tcb *to, struct ux_ipc_buffer *tobuf)
{
	unsigned n = UX_FAULT_REGS + UX_REG_COUNT;
	mr_set(to, tobuf, 0, t->fault_w0);
	mr_set(to, tobuf, 1, t->fault_w1);
	for (unsigned i = 0; i < UX_REG_COUNT; i++)
		mr_set(to, tobuf, UX_FAULT_REGS + i, *ctx_reg(&t->ctx, i));
	return tobuf ? n : UX_REG_MRS;
}

void
fault_reply(struct tcb *t, struct tcb *from, struct ux_ipc_buffer *frombuf,
	    unsigned len)
{
	if (len > UX_REG_COUNT)
		len = UX_REG_COUNT;
	for (unsigned i = 0; i < len; i++)
		ctx_set_reg(&t->ctx, i, mr_get(from, frombuf, i));
	t->pending_fault = 0;
}
