/*
 * entry.S - every way into and out of the kernel.
 *
 * Entry: the syscall instruction (syscall_entry) and interrupts/exceptions
 * (isr_*). From user mode the user registers are pushed straight into the
 * current TCB's frame (struct arch_context): the CPU pushes the interrupt
 * frame at rsp0 = the end of that frame, and syscall_entry points rsp there
 * by hand. Then we switch to the per-CPU kernel stack and call C, which never
 * returns: it leaves through exit_sysret or exit_iret with the frame of the
 * thread chosen to run. The kernel is not preemptible: interrupts stay off
 * in kernel mode except in the idle loop (arch_idle_wait).
 */
#include <arch/asm.h>

	.text
	.code64

	.global kernel_start
kernel_start:
	mov %edi, %r12d          /* zero-extend the 32-bit boot arguments */
	mov %esi, %r13d
	movabs $__bss_start, %rdi
	movabs $__bss_end, %rcx
	sub %rdi, %rcx
	xor %eax, %eax
	rep stosb
	movabs $kstack0 + KSTACK_SIZE, %rsp
	mov %r12, %rdi
	mov %r13, %rsi
	call kernel_main
	ud2

	.global syscall_entry
syscall_entry:
	swapgs
	mov %rsp, %gs:8
	mov %gs:CPU_OFF_RSP0, %rsp
	push $USER_SS
	push %gs:8
	push %r11
	push $USER_CS
	push %rcx
	sub $16, %rsp            /* vector and error: only traps read them */
	PUSH_GPRS
	mov %gs:CPU_OFF_KSTACK, %rsp
	/* Call and ReplyRecv try the fastpath, with (cptr, info) as they
	 * came in rdi and rsi, and so does a foreign (Linux) call, with
	 * its number; the rest go through syscall_c. */
	cmp $SYSNO_CALL, %rax
	je 1f
	cmp $SYSNO_REPLY_RECV, %rax
	je 2f
	test %rax, %rax
	jns 3f
	mov %rax, %rdx
	call syscall_c
	ud2
1:	call fastpath_call
	ud2
2:	call fastpath_reply_recv
	ud2
3:	mov %rax, %rdi
	call fastpath_foreign
	ud2

/* Interrupt and exception stubs: normalise to (vector, error) then common. */
.macro ISR_NOERR n
isr_\n:
	push $0
	push $\n
	jmp isr_common
.endm
.macro ISR_ERR n
isr_\n:
	push $\n
	jmp isr_common
.endm

.irp n, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,22,23,24,25,26,27,28,31
ISR_NOERR \n
.endr
.irp n, 8,10,11,12,13,14,17,21,29,30
ISR_ERR \n
.endr
.irp n, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55
ISR_NOERR \n
.endr
ISR_NOERR 240
ISR_NOERR 255

isr_common:
	testb $3, 24(%rsp)
	jz 1f
	swapgs
1:	PUSH_GPRS
	mov %rsp, %rdi
	testb $3, 144(%rsp)
	jz 2f
	mov %gs:CPU_OFF_KSTACK, %rsp  /* from user: frame is in the TCB */
2:	call trap_c                    /* returns only for kernel-mode traps */
	POP_GPRS
	add $16, %rsp
	iretq

	.section .rodata
	.global isr_table
	.align 8
isr_table:
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad isr_\n
.endr
.irp n, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55
	.quad isr_\n
.endr
	.quad isr_240
	.quad isr_255
	.text

/* exit_sysret(struct arch_context *): fast return; rcx/r11 take rip/rflags.
 * Used only when the frame's rcx == rip and r11 == rflags (after a syscall)
 * and rip is a canonical user address. Loads, not pops: the frame's
 * layout is struct arch_context's (checked in context.h). */
	.global exit_sysret
exit_sysret:
	mov %rdi, %rsp
	mov 0x00(%rsp), %r15
	mov 0x08(%rsp), %r14
	mov 0x10(%rsp), %r13
	mov 0x18(%rsp), %r12
	mov 0x28(%rsp), %r10
	mov 0x30(%rsp), %r9
	mov 0x38(%rsp), %r8
	mov 0x40(%rsp), %rbp
	mov 0x48(%rsp), %rdi
	mov 0x50(%rsp), %rsi
	mov 0x58(%rsp), %rdx
	mov 0x68(%rsp), %rbx
	mov 0x70(%rsp), %rax
	mov 0x88(%rsp), %rcx     /* rip */
	mov 0x98(%rsp), %r11     /* rflags */
	mov 0xa0(%rsp), %rsp     /* the user's */
	swapgs
	sysretq

/* exit_iret(struct arch_context *): full return, any frame. */
	.global exit_iret
exit_iret:
	mov %rdi, %rsp
	POP_GPRS
	add $16, %rsp
	swapgs
	iretq

/* Wait for an interrupt with interrupts enabled; sti's shadow makes the
 * pair atomic, so no wake-up is lost. */
	.global arch_idle_wait
arch_idle_wait:
	sti
	hlt
	cli
	ret

	.section .note.GNU-stack, "", @progbits
