/*
 * apic.c - interrupt hardware: the legacy PIC (masked), the local APIC and
 * its timer (the scheduler tick), and the IOAPIC (device interrupts).
 *
 * The timer is calibrated against PIT channel 2; the TSC rate is measured
 * in the same window and reported to the root server.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/machine.h>

#define LAPIC ((volatile uint32_t *)(DEV_WINDOW + BIT(21)))
#define IOAPIC ((volatile uint32_t *)DEV_WINDOW)

#define LAPIC_EOI (0xB0 / 4)
#define LAPIC_SVR (0xF0 / 4)
#define LAPIC_TPR (0x80 / 4)
#define LAPIC_LVT_TIMER (0x320 / 4)
#define LAPIC_TIMER_INIT (0x380 / 4)
#define LAPIC_TIMER_CUR (0x390 / 4)
#define LAPIC_TIMER_DIV (0x3E0 / 4)

#define TICK_MS 10
#define PIT_HZ 1193182

static void
pic_disable(void)
{
	outb(0x20, 0x11);
	outb(0xA0, 0x11);
	outb(0x21, 0x20); /* vectors 32..47 if one ever slips through */
	outb(0xA1, 0x28);
	outb(0x21, 4);
	outb(0xA1, 2);
	outb(0x21, 1);
	outb(0xA1, 1);
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
}

void
lapic_eoi(void)
{
	LAPIC[LAPIC_EOI] = 0;
}

/* Count LAPIC timer ticks and TSC cycles during 10 ms of PIT time. */
static uint32_t
calibrate(uint64_t *tsc_khz)
{
	uint32_t count = PIT_HZ / 100;
	outb(0x61, (inb(0x61) & ~2) | 1);
	outb(0x43, 0xB0); /* channel 2, lo/hi, mode 0 */
	outb(0x42, count & 0xFF);
	outb(0x42, count >> 8);
	outb(0x61, inb(0x61) & ~1);
	LAPIC[LAPIC_TIMER_INIT] = 0xFFFFFFFF;
	uint64_t t0 = rdtsc();
	outb(0x61, inb(0x61) | 1);
	while (!(inb(0x61) & 0x20))
		cpu_relax();
	uint32_t elapsed = 0xFFFFFFFF - LAPIC[LAPIC_TIMER_CUR];
	*tsc_khz = (rdtsc() - t0) / 10;
	LAPIC[LAPIC_TIMER_INIT] = 0;
	return elapsed;
}

void
timer_init(void)
{
	struct cpu *c = this_cpu();
	pic_disable();
	LAPIC[LAPIC_SVR] = 0x1FF; /* enable, spurious vector 255 */
	LAPIC[LAPIC_TPR] = 0;
	LAPIC[LAPIC_TIMER_DIV] = 0x3; /* divide by 16 */
	LAPIC[LAPIC_LVT_TIMER] = 1u << 16 | 240;
	uint32_t per10ms = calibrate(&c->tsc_khz);
	if (!per10ms)
		per10ms = 1000000;
	LAPIC[LAPIC_LVT_TIMER] = 1u << 17 | 240; /* periodic */
	LAPIC[LAPIC_TIMER_INIT] = per10ms / 10 * TICK_MS;
	printk("uxrt: timer %u ticks/10ms, TSC %lu kHz\n", per10ms,
	       (unsigned long)c->tsc_khz);
}

static void
ioapic_write(unsigned reg, uint32_t v)
{
	IOAPIC[0] = reg;
	IOAPIC[4] = v;
}

/* Route GSI irq to vector 32+irq on this CPU, masked or not. */
void
ioapic_route(unsigned irq, bool masked, bool level, bool low)
{
	uint32_t lo = 32 + irq;
	if (masked)
		lo |= 1u << 16;
	if (level)
		lo |= 1u << 15;
	if (low)
		lo |= 1u << 13;
	ioapic_write(0x10 + 2 * irq + 1, 0); /* destination: APIC 0 */
	ioapic_write(0x10 + 2 * irq, lo);
}

void
irq_init(void)
{
	for (unsigned i = 0; i < IRQ_COUNT; i++)
		ioapic_route(i, true, false, false);
}
