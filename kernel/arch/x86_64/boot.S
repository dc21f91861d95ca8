/*
 * boot.S - Multiboot entry: from 32-bit protected mode into long mode.
 *
 * QEMU's -kernel loads us at 1 MiB and jumps to _start with eax = Multiboot
 * magic and ebx = the Multiboot information structure. We build boot page
 * tables that map the first 1 GiB both at 0 (identity, for this code) and at
 * KERNEL_VMA (for the kernel proper), enable PAE, long mode, NX and paging,
 * and jump to kernel_start in the higher half. The identity map is dropped
 * once the kernel has built its own tables (mmu_init).
 */
#define KERNEL_VMA 0xFFFFFFFF80000000
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-align modules, want memory map */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .boot.bss, "aw", @nobits
	.align 4096
	.global boot_pml4
boot_pml4:	.skip 4096
boot_pdpt_lo:	.skip 4096
	.global boot_pdpt_hi
boot_pdpt_hi:	.skip 4096
boot_pd:	.skip 4096
boot_stack:	.skip 4096
boot_stack_top:

	.section .boot.data, "aw"
	.align 16
boot_gdt:
	.quad 0
	.quad 0x00209A0000000000 /* 0x08: 64-bit code */
	.quad 0x0000920000000000 /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .boot.text, "ax"
	.code32
	.global _start
_start:
	cli
	mov %eax, %edi           /* Multiboot magic -> first C argument */
	mov %ebx, %esi           /* Multiboot info  -> second C argument */
	mov $boot_stack_top, %esp

	/* Zero the boot tables (the loader need not zero NOLOAD sections). */
	push %edi
	mov $boot_pml4, %edi
	mov $(4096 * 4 / 4), %ecx
	xor %eax, %eax
	rep stosl
	pop %edi

	/* boot_pd: 512 x 2 MiB pages covering 0..1 GiB. */
	mov $boot_pd, %ebx
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $21, %eax
	or $0x83, %eax           /* present | writable | large */
	mov %eax, (%ebx, %ecx, 8)
	inc %ecx
	cmp $512, %ecx
	jne 1b

	mov $boot_pd, %eax
	or $3, %eax
	mov %eax, boot_pdpt_lo
	mov %eax, boot_pdpt_hi + 510 * 8
	mov $boot_pdpt_lo, %eax
	or $3, %eax
	mov %eax, boot_pml4
	mov $boot_pdpt_hi, %eax
	or $3, %eax
	mov %eax, boot_pml4 + 511 * 8

	mov %cr4, %eax
	or $0x20, %eax           /* PAE */
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $0xC0000080, %ecx    /* EFER */
	rdmsr
	or $0x901, %eax          /* SCE | LME | NXE */
	wrmsr
	mov %cr0, %eax
	or $0x80010000, %eax     /* PG | WP */
	mov %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $long_mode

	.code64
long_mode:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %ax, %ax
	mov %ax, %fs
	mov %ax, %gs
	movabs $kernel_start, %rax
	jmp *%rax

	.section .note.GNU-stack, "", @progbits
