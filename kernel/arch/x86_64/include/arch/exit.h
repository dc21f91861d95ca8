/*
 * exit.h - the return to user mode, inline, so that the IPC fastpath
 * (fastpath.c) leaves the kernel without a call (trap.c's
 * arch_return_to_user is the same code for everything else).
 *
 * It loads the thread's address space, points rsp0 (the TSS's, which the
 * syscall entry also reads) at the thread's frame, its fs and gs bases
 * (only when they differ: wrmsr is costly), arms the lazy FPU switch,
 * and leaves with sysret when the frame allows it (after a syscall rcx
 * is rip and r11 is rflags, and rip is a canonical user address), else
 * with iret. A frame with the trap flag set (single-stepping: a debugger,
 * or the program itself) leaves with iret too, as Linux does: the trap
 * must come after the first instruction at rip, and QEMU raises it at
 * once after a sysret, before any.
 */
#ifndef ARCH_EXIT_H
#define ARCH_EXIT_H

#include <object.h>
#include <arch/cpu.h>
#include <arch/machine.h>

_Noreturn void exit_sysret(struct arch_context *c);
_Noreturn void exit_iret(struct arch_context *c);

static inline __attribute__((always_inline)) noreturn void
arch_exit_to(struct cpu *c, struct tcb *t)
{
	uint64_t cr3 = t->slot[TCB_SLOT_VSPACE].cap.obj;

	if (c->cr3 != cr3) {
		write_cr3(cr3);
		c->cr3 = cr3;
	}
	c->tss.rsp0 = (uint64_t)&t->ctx + CTX_FRAME_END;
	if (t->ctx.fs_base != c->fs_base) {
		wrmsr(MSR_FS_BASE, t->ctx.fs_base);
		c->fs_base = t->ctx.fs_base;
	}
	if (unlikely(t->ctx.gs_base != c->gs_base)) {
		wrmsr(MSR_KERNEL_GS_BASE, t->ctx.gs_base); /* swapgs'd in */
		c->gs_base = t->ctx.gs_base;
	}
	if (c->fpu_owner == t) {
		if (c->ts_set) {
			__asm__ volatile("clts");
			c->ts_set = false;
		}
	} else if (!c->ts_set) {
		write_cr0(read_cr0() | CR0_TS);
		c->ts_set = true;
	}
	if (likely(t->ctx.rcx == t->ctx.rip && t->ctx.r11 == t->ctx.rflags &&
		   t->ctx.rip < UX_USER_TOP && !(t->ctx.rflags & RFLAGS_TF)))
		exit_sysret(&t->ctx);
	exit_iret(&t->ctx);
}

#endif
