/*
 * cpu.h - the per-CPU kernel state, reached through %gs.
 *
 * The mutable kernel state that is not inside a kernel object lives here,
 * so that a kernel instance per core (multikernel) needs no redesign (three
 * small globals remain: cspace.c's derivation-list head and deletion stack,
 * tcb.c's thread-id counter; they move here with the multikernel). Only
 * CPU 0 is brought up for now. The first fields are read by entry.S at
 * fixed offsets (checked below).
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/asm.h>

struct tcb;
struct pml4;

struct tss {
	uint32_t reserved0;
	uint64_t rsp0, rsp1, rsp2;
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed));

#define PRIO_COUNT 256
#define ASID_COUNT 4096
#define IRQ_COUNT 24

struct irq_state {
	void *ntfn;      /* struct notification *, or NULL */
	uint64_t badge;
	bool issued;     /* a handler capability exists */
	bool level;
	bool active_low;
	bool pending;    /* fired, not yet acknowledged */
};

struct cpu {
	struct cpu *self;          /* gs:0 */
	uint64_t user_rsp;         /* gs:8, syscall entry scratch */
	uint64_t kstack_top;       /* gs:16 */
	struct tcb *cur;           /* gs:24, running thread (NULL: idle) */
	struct tss tss;            /* gs:32; rsp0 (gs:36) is the end of
				      cur's frame, where syscall_entry
				      saves its registers */
	uint64_t gdt[7];
	unsigned id;

	/* Scheduler: one queue per priority, a bitmap of non-empty ones. */
	struct tcb *rq_head[PRIO_COUNT], *rq_tail[PRIO_COUNT];
	uint64_t rq_bitmap[PRIO_COUNT / 64];
	uint64_t rq_l1; /* bit w: rq_bitmap[w] != 0 */
	bool resched;      /* reconsider the choice at kernel exit */
	bool round_robin;  /* current's time slice ended or it yielded */
	uint64_t ticks;

	/* Hardware state mirrors, to skip needless expensive writes. */
	uint64_t cr3;
	uint64_t fs_base, gs_base;
	struct tcb *fpu_owner;
	bool ts_set;

	struct pml4 *asid_table[ASID_COUNT]; /* ASID -> address space */
	/* Changed whenever a user mapping goes away or loses rights, in
	 * any address space: a buffer found mapped before is then checked
	 * again (ipc.c). */
	uint64_t vs_gen;
	struct irq_state irq[IRQ_COUNT];
	uint64_t tsc_khz;
};

#define CPU_OFF_CUR 24
_Static_assert(__builtin_offsetof(struct cpu, kstack_top) == CPU_OFF_KSTACK,
	       "asm offset");
_Static_assert(__builtin_offsetof(struct cpu, cur) == CPU_OFF_CUR, "asm");
_Static_assert(__builtin_offsetof(struct cpu, tss.rsp0) == CPU_OFF_RSP0,
	       "asm offset");

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__("mov %%gs:0, %0" : "=r"(c));
	return c;
}

void cpu_init(struct cpu *c, unsigned id, uint64_t kstack_top);

#endif
