/*
 * trap.c - interrupts and exceptions, lazy FPU switching, and the return
 * to user mode.
 *
 * Exceptions from user mode become fault messages; from kernel mode they
 * are kernel bugs and panic with the registers. The FPU/SSE state is
 * switched lazily: CR0.TS is set whenever the running thread does not own
 * the FPU, and its first FPU instruction (#NM) swaps the state in.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/machine.h>
#include <thread.h>
#include <uxrt/fault.h>

#define VEC_NM 7
#define VEC_PF 14
#define VEC_IRQ0 32
#define VEC_TIMER 240
#define VEC_SPURIOUS 255

_Noreturn void exit_sysret(struct arch_context *c);
_Noreturn void exit_iret(struct arch_context *c);

static void
fpu_switch(struct cpu *c)
{
	struct tcb *t = c->cur;
	__asm__ volatile("clts");
	c->ts_set = false;
	if (c->fpu_owner == t)
		return;
	if (c->fpu_owner)
		__asm__ volatile("fxsave64 %0" : "=m"(c->fpu_owner->fpu));
	__asm__ volatile("fxrstor64 %0" ::"m"(t->fpu));
	c->fpu_owner = t;
}

void
fpu_flush(struct tcb *t)
{
	struct cpu *c = this_cpu();
	if (c->fpu_owner != t)
		return;
	__asm__ volatile("clts");
	c->ts_set = false; /* the way out sets TS again: no owner */
	__asm__ volatile("fxsave64 %0" : "=m"(t->fpu));
	c->fpu_owner = NULL;
}

static noreturn void
kernel_trap(struct arch_context *f)
{
	panic("kernel trap %lu err %#lx at rip %#lx rsp %#lx cr2 %#lx\n"
	      "rax %#lx rbx %#lx rcx %#lx rdx %#lx rsi %#lx rdi %#lx",
	      f->vector, f->error, f->rip, f->rsp, read_cr2(), f->rax,
	      f->rbx, f->rcx, f->rdx, f->rsi, f->rdi);
}

void
trap_c(struct arch_context *f)
{
	struct cpu *c = this_cpu();
	bool user = f->cs & 3;
	uint64_t v = f->vector;

	if (v >= VEC_IRQ0) {
		if (v == VEC_TIMER) {
			lapic_eoi();
			sched_timer_tick();
		} else if (v < VEC_IRQ0 + IRQ_COUNT) {
			irq_fire((unsigned)(v - VEC_IRQ0));
		}
		if (user)
			kernel_exit();
		return;
	}
	if (!user)
		kernel_trap(f);
	if (v == VEC_NM)
		fpu_switch(c);
	else if (v == VEC_PF)
		fault_raise(c->cur, UX_FAULT_PAGE, read_cr2(), f->error);
	else
		fault_raise(c->cur, UX_FAULT_EXCEPTION, v, f->error);
	kernel_exit();
}

void
arch_idle(void)
{
	arch_idle_wait();
}

noreturn void
arch_return_to_user(struct tcb *t)
{
	struct cpu *c = this_cpu();
	uint64_t cr3 = t->slot[TCB_SLOT_VSPACE].cap.obj;

	if (c->cr3 != cr3) {
		write_cr3(cr3);
		c->cr3 = cr3;
		c->stats_cr3_writes++;
	}
	c->frame_end = (uint64_t)&t->ctx + CTX_FRAME_END;
	c->tss.rsp0 = c->frame_end;
	if (t->ctx.fs_base != c->fs_base) {
		wrmsr(MSR_FS_BASE, t->ctx.fs_base);
		c->fs_base = t->ctx.fs_base;
		c->stats_msr_writes++;
	}
	if (t->ctx.gs_base != c->gs_base) {
		wrmsr(MSR_KERNEL_GS_BASE, t->ctx.gs_base); /* swapgs'd in */
		c->gs_base = t->ctx.gs_base;
		c->stats_msr_writes++;
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
	if (t->ctx.rcx == t->ctx.rip && t->ctx.r11 == t->ctx.rflags &&
	    t->ctx.rip < UX_USER_TOP) {
		c->stats_sysret++;
		exit_sysret(&t->ctx);
	}
	c->stats_iret++;
	exit_iret(&t->ctx);
}
