/*
 * syscall.h - native system call numbers and the register ABI.
 *
 * A native system call is the `syscall` instruction with a negative number
 * in rax. A non-negative number is a foreign (Linux) system call: the kernel
 * does not handle it but delivers it to the thread's fault handler as a
 * UX_FAULT_SYSCALL message (see fault.h).
 *
 * In:  rax = number, rdi = capability address, rsi = message info,
 *      rdx, r8, r9, r10 = message registers 0..3, r12 = reply capability
 *      (Recv, NBRecv, ReplyRecv, Reply).
 * Out: rax = error (enum ux_error), rdi = badge, rsi = message info,
 *      rdx, r8, r9, r10 = message registers 0..3.
 * rcx and r11 are clobbered; every other register is preserved.
 */
#ifndef UXRT_SYSCALL_H
#define UXRT_SYSCALL_H

enum ux_syscall {
	UX_SYS_CALL = -1,        /* send, then wait for the reply (or invoke) */
	UX_SYS_REPLY_RECV = -2,  /* reply through r12, then receive on rdi */
	UX_SYS_SEND = -3,        /* blocking send to an endpoint */
	UX_SYS_NB_SEND = -4,     /* send only if a receiver is waiting */
	UX_SYS_RECV = -5,        /* blocking receive; r12 = reply object */
	UX_SYS_NB_RECV = -6,     /* receive only if a sender is waiting */
	UX_SYS_REPLY = -7,       /* reply through the reply object in r12 */
	UX_SYS_YIELD = -8,       /* give up the rest of the time slice */
	UX_SYS_SIGNAL = -9,      /* signal a notification */
	UX_SYS_WAIT = -10,       /* wait on a notification */
	UX_SYS_POLL = -11,       /* read and clear a notification, no wait */
	/* Development aids, needing no capability (to be put behind one
	 * before real deployments): */
	UX_SYS_DEBUG_PUTS = -12, /* debug: print rsi bytes at MR buffer */
	UX_SYS_MIN = -12
};

/* Number of message registers passed in CPU registers. */
#define UX_REG_MRS 4

#endif
