/*
 * fault.h - fault messages.
 *
 * A fault is delivered as a Call from the faulting thread to its fault
 * endpoint. label = enum ux_fault; mr[0], mr[1] = fault-specific words;
 * mr[2 .. 2+UX_REG_COUNT-1] = the thread's registers (enum ux_reg order).
 *
 * The handler's reply resumes the thread. A reply of length 0 resumes as
 * the fault type says (page fault and exception: retry the instruction;
 * foreign syscall: continue after it). A reply of length n > 0 first
 * overwrites the first n registers, in enum ux_reg order, from mr[0..n-1]
 * (so a reply of length 1 sets rax: a system call's return value).
 */
#ifndef UXRT_FAULT_H
#define UXRT_FAULT_H

enum ux_fault {
	UX_FAULT_PAGE = 1,      /* mr0 = address, mr1 = x86 error code */
	UX_FAULT_EXCEPTION = 2, /* mr0 = vector, mr1 = error code */
	UX_FAULT_SYSCALL = 3,   /* mr0 = rax (the number), mr1 = 0; or, for
				   a thread with UX_TCB_F_LINUX_TRACE, the
				   end of a call: mr0 = rax (the result),
				   mr1 = UX_SYSCALL_END */
};
#define UX_SYSCALL_END 1
/* The label of a reply to a UX_TCB_F_LINUX_TRACE thread's system-call
 * fault: make the call again (rip as the reply sets it: back on the
 * syscall instruction) and carry it as a Linux file call
 * (uxrt/invocation.h). Any other label answers the call. */
#define UX_FAULT_REPLY_CARRY 1

/* Page-fault error-code bits (as the CPU reports them). */
#define UX_PF_PRESENT 1
#define UX_PF_WRITE 2
#define UX_PF_USER 4
#define UX_PF_FETCH 16
/* Not the CPU's: raised by the kernel for a system call's buffer (rip is
 * at the syscall instruction, made again once the fault is resolved; a
 * handler that cannot resolve it may instead answer the call, e.g.
 * EFAULT, by stepping rip past it). */
#define UX_PF_SYSCALL (1ull << 31)

enum ux_reg {
	UX_REG_RAX, UX_REG_RBX, UX_REG_RCX, UX_REG_RDX, UX_REG_RSI,
	UX_REG_RDI, UX_REG_RBP, UX_REG_RSP, UX_REG_R8, UX_REG_R9,
	UX_REG_R10, UX_REG_R11, UX_REG_R12, UX_REG_R13, UX_REG_R14,
	UX_REG_R15, UX_REG_RIP, UX_REG_RFLAGS, UX_REG_FS_BASE,
	UX_REG_GS_BASE,
	UX_REG_COUNT
};

#define UX_FAULT_REGS 2 /* index of the first register in a fault message */

#endif
