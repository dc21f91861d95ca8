/*
 * asm.h - constants and macros shared by the assembly files.
 */
#ifndef ARCH_ASM_H
#define ARCH_ASM_H

#define USER_CS 0x23
#define USER_SS 0x1b
#define CPU_OFF_KSTACK 16
#define KSTACK_SIZE 16384
#define CPU_OFF_RSP0 36 /* cpu.tss.rsp0 */
#define SYSNO_CALL (-1)       /* UX_SYS_CALL (checked in syscall.c) */
#define SYSNO_REPLY_RECV (-2) /* UX_SYS_REPLY_RECV */

#ifdef __ASSEMBLER__
.macro PUSH_GPRS
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
.endm
.macro POP_GPRS
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
.endm
#endif

#endif
