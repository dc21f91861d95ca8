/*
 * arch.h - what generic kernel code asks of the architecture.
 */
#ifndef ARCH_ARCH_H
#define ARCH_ARCH_H

#include <object.h>

struct boot_mem;

void arch_cpu_init(void);
void mmu_init(const struct boot_mem *bm);
void timer_init(void);
void irq_init(void);
noreturn void arch_return_to_user(struct tcb *t);
void arch_idle(void);
void arch_idle_wait(void);
uint64_t *kernel_pml4(void);
bool phys_is_ram(uint64_t pa);
void trap_c(struct arch_context *f);
struct tcb;
/* Put t's FPU/SSE state into t->fpu if this CPU holds it live, and let
 * go of it: its next FPU instruction loads it from there. */
void fpu_flush(struct tcb *t);
void lapic_eoi(void);
void irq_fire(unsigned irq);
void ioapic_route(unsigned irq, bool masked, bool level, bool low);

/* Boot-time page-table building for the root server (vspace.c). */
uint64_t *vs_table(uint64_t pa);
uint64_t *vs_walk(uint64_t pml4_pa, uint64_t va, int level);
void vs_set_leaf(uint64_t *pte, uint64_t pa, unsigned rights, bool large,
		 bool uncached);
void vs_set_table(uint64_t *e, uint64_t pa);

#define DEV_WINDOW 0xFFFFFFFFC0000000ull /* IOAPIC at +0, LAPIC at +2 MiB */
#define IOAPIC_PA 0xFEC00000ull
#define LAPIC_PA 0xFEE00000ull
#define DEV_END_PA 0xFF000000ull

#endif
