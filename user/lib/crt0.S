/*
 * crt0.S - entry of native programs: rdi = boot-info (root server) or
 * argument word; stack 16-byte aligned by the creator. Calls main, then
 * ux_exit with its result.
 */
	.section .text.start, "ax"
	.global _start
_start:
	xor %ebp, %ebp
	and $-16, %rsp
	call main
	mov %eax, %edi
	call ux_exit
1:	hlt
	jmp 1b
	.section .note.GNU-stack, "", @progbits
