/*
 * cpu.c - per-CPU set-up: GDT with a TSS, IDT, syscall MSRs, %gs, control
 * register features (SSE, SMEP, SMAP, NX, global pages).
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/machine.h>

extern const uint64_t isr_table[];
extern char syscall_entry[];

struct idt_entry {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
static struct cpu cpu0 __attribute__((aligned(64)));
/* CPU 0's kernel stack; boot runs on it too (entry.S), since every entry
 * from user mode starts again at its top. */
uint8_t kstack0[KSTACK_SIZE] __attribute__((aligned(16)));

static void
idt_set(unsigned v, uint64_t handler)
{
	idt[v] = (struct idt_entry){
		.off0 = (uint16_t)handler,
		.sel = 0x08,
		.type = 0x8E, /* present, DPL 0, interrupt gate */
		.off1 = (uint16_t)(handler >> 16),
		.off2 = (uint32_t)(handler >> 32),
	};
}

static void
idt_init(void)
{
	for (unsigned v = 0; v < 56; v++)
		idt_set(v, isr_table[v]);
	/* int3 (#BP) and into (#OF) are instructions a program may use:
	 * callable from user mode, as on Linux (a debugger's breakpoint is
	 * SIGTRAP, not #GP) */
	idt[3].type = idt[4].type = 0xEE;
	idt_set(240, isr_table[56]);
	idt_set(255, isr_table[57]);
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) p = {sizeof idt - 1, (uint64_t)idt};
	__asm__ volatile("lidt %0" ::"m"(p));
}

static void
gdt_init(struct cpu *c)
{
	uint64_t tss = (uint64_t)&c->tss;
	c->gdt[0] = 0;
	c->gdt[1] = 0x00209A0000000000; /* 0x08 kernel code */
	c->gdt[2] = 0x0000920000000000; /* 0x10 kernel data */
	c->gdt[3] = 0x0000F20000000000; /* 0x18 user data (0x1b) */
	c->gdt[4] = 0x0020FA0000000000; /* 0x20 user code (0x23) */
	c->gdt[5] = (sizeof c->tss - 1) | (tss & 0xFFFFFF) << 16 |
		    0x89ull << 40 | ((tss >> 24) & 0xFF) << 56;
	c->gdt[6] = tss >> 32;
	c->tss.iomap_base = sizeof c->tss; /* no I/O bitmap: ring 3 no ports */
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) p = {sizeof c->gdt - 1, (uint64_t)c->gdt};
	__asm__ volatile("lgdt %0\n"
			 "mov $0x10, %%ax\n"
			 "mov %%ax, %%ds\n"
			 "mov %%ax, %%es\n"
			 "mov %%ax, %%ss\n"
			 "pushq $0x08\n"
			 "leaq 1f(%%rip), %%rax\n"
			 "pushq %%rax\n"
			 "lretq\n"
			 "1: mov $0x28, %%ax\n"
			 "ltr %%ax\n" ::"m"(p)
			 : "rax", "memory");
}

static void
features_init(void)
{
	uint32_t r[4];
	uint64_t cr4 = read_cr4();

	cpuid(7, 0, r);
	cr4 |= 1u << 9 | 1u << 10; /* OSFXSR, OSXMMEXCPT */
	cr4 |= 1u << 7;            /* PGE */
	if (r[1] & (1u << 7))
		cr4 |= 1u << 20; /* SMEP */
	if (r[1] & (1u << 20))
		cr4 |= 1u << 21; /* SMAP: the kernel never touches user memory */
	write_cr4(cr4);
	write_cr0((read_cr0() & ~(1ull << 2)) | 1ull << 1); /* !EM, MP */
}

void
arch_cpu_init(void)
{
	struct cpu *c = &cpu0;

	c->self = c;
	c->id = 0;
	c->kstack_top = (uint64_t)(kstack0 + sizeof kstack0);
	c->tss.rsp0 = c->kstack_top;
	gdt_init(c);
	idt_init();
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_STAR, (uint64_t)0x10 << 48 | (uint64_t)0x08 << 32);
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, 0x47700); /* clear IF, TF, DF, AC, NT, IOPL */
	features_init();
	c->ts_set = false;
}
