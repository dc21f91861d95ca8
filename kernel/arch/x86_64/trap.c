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
#include <arch/exit.h>
#include <arch/machine.h>
#include <thread.h>
#include <uxrt/fault.h>

#define VEC_NM 7
#define VEC_PF 14
#define VEC_IRQ0 32
#define VEC_TIMER 240
#define VEC_SPURIOUS 255

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
	arch_exit_to(this_cpu(), t);
}
