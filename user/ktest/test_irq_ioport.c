/*
 * test_irq_ioport.c - I/O ports and interrupts: I/O port Issue (ranges,
 * the ports the kernel drives itself refused), In/Out of each width with
 * range checks (PCI configuration space as a real 32-bit register pair),
 * IRQ control (lines, flags, one handler per line) and IRQ handlers:
 * the RTC's periodic interrupt (IRQ 8) and COM2's transmitter-empty
 * interrupt (IRQ 3; needs a second serial port in QEMU, e.g.
 * "-serial mon:stdio -serial null") arrive as notifications with the
 * handler's badge, and again only after Ack.
 */
#include "ktest.h"

#define IOCTL UX_BI_SLOT_IOPORT_CONTROL
#define IRQCTL UX_BI_SLOT_IRQ_CONTROL

static uint64_t
ports(unsigned first, unsigned last)
{
	uint64_t s = slot_alloc();
	if (ux_ioport_issue(IOCTL, first, last, ROOT, s, D))
		return 0;
	return s;
}

KTEST(ioport_issue)
{
	static const unsigned kernel[][2] = {
		{0x20, 0x20}, {0x21, 0x21}, {0xA0, 0xA1}, {0xA1, 0xA1},
		{0x40, 0x43}, {0x42, 0x42}, {0x43, 0x43}, {0x61, 0x61},
		{0x1F, 0x20}, {0x43, 0x60}, {0x60, 0x70}, {0x0, 0xFFFF}};
	uint64_t s = slot_alloc(), ep = obj_new(UX_CAP_ENDPOINT, 0);
	uint64_t mr[4] = {0x80, 0x80, s, D}, caps[1] = {ROOT};

	CHECK_EQ(ux_ioport_issue(IOCTL, 0x81, 0x80, ROOT, s, D), UX_E_RANGE);
	CHECK_EQ(ux_ioport_issue(IOCTL, 0xFFFF, 0x10000, ROOT, s, D),
		 UX_E_RANGE);
	for (unsigned i = 0; i < ARRAY_LEN(kernel); i++)
		CHECK_EQ(ux_ioport_issue(IOCTL, kernel[i][0], kernel[i][1],
					 ROOT, s, D),
			 UX_E_INVALID_ARGUMENT);
	CHECK_EQ(ux_ioport_issue(IOCTL, 0x80, 0x80, ep, s, D),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_ioport_issue(IOCTL, 0x80, 0x80, ROOT, s, 0), UX_E_RANGE);
	CHECK_EQ(ux_ioport_issue(IOCTL, 0x80, 0x80, ROOT, ep, D),
		 UX_E_DELETE_FIRST);
	CHECK_EQ(inv_raw(IOCTL, UX_IOPORT_ISSUE, 3, mr, 1, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(IOCTL, UX_IOPORT_ISSUE, 4, mr, 0, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(IOCTL, UX_IOPORT_IN8, 4, mr, 1, caps),
		 UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(cap_type_of(s), UX_CAP_NULL);
	/* next to the kernel's ports is fine */
	CHECK_EQ(ux_ioport_issue(IOCTL, 0x22, 0x3F, ROOT, s, D), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, s, D), UX_OK);
	CHECK_EQ(ux_ioport_issue(IOCTL, 0x44, 0x5F, ROOT, s, D), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, s, D), UX_OK);
	CHECK_EQ(ux_ioport_issue(IOCTL, 0x62, 0x9F, ROOT, s, D), UX_OK);
	/* an I/O port capability can be copied */
	uint64_t c = slot_alloc();
	CHECK_EQ(ux_cnode_copy(ROOT, c, D, ROOT, s, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, s, D), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, c, D), UX_OK);
	return 0;
}

KTEST(ioport_in_out)
{
	uint64_t pci = ports(0xCF8, 0xCFF), v = 0;
	uint64_t mr[2] = {0xCF8, 0};

	CHECK(pci != 0);
	/* bus 0, device 0, function 0, register 0: the host bridge IDs */
	CHECK_EQ(ux_ioport_out(pci, 4, 0xCF8, 0x80000000), UX_OK);
	CHECK_EQ(ux_ioport_in(pci, 4, 0xCF8, &v), UX_OK);
	CHECK_EQ(v, 0x80000000);
	CHECK_EQ(ux_ioport_in(pci, 4, 0xCFC, &v), UX_OK);
	CHECK_EQ(v & 0xFFFF, 0x8086);
	uint64_t id = v;
	CHECK_EQ(ux_ioport_in(pci, 2, 0xCFC, &v), UX_OK);
	CHECK_EQ(v, id & 0xFFFF);
	CHECK_EQ(ux_ioport_in(pci, 2, 0xCFE, &v), UX_OK);
	CHECK_EQ(v, id >> 16);
	CHECK_EQ(ux_ioport_in(pci, 1, 0xCFD, &v), UX_OK);
	CHECK_EQ(v, (id >> 8) & 0xFF);
	CHECK_EQ(ux_ioport_out(pci, 2, 0xCF8, 0), UX_OK);
	CHECK_EQ(ux_ioport_out(pci, 1, 0xCFA, 0), UX_OK);
	CHECK_EQ(ux_ioport_out(pci, 4, 0xCF8, 0), UX_OK);
	/* the range is [first, last], for every byte of the access */
	CHECK_EQ(ux_ioport_in(pci, 4, 0xCFD, &v), UX_E_RANGE);
	CHECK_EQ(ux_ioport_in(pci, 2, 0xCFF, &v), UX_E_RANGE);
	CHECK_EQ(ux_ioport_in(pci, 1, 0xCF7, &v), UX_E_RANGE);
	CHECK_EQ(ux_ioport_in(pci, 1, 0xD00, &v), UX_E_RANGE);
	CHECK_EQ(ux_ioport_out(pci, 1, 0x21, 0xFF), UX_E_RANGE);
	CHECK_EQ(ux_ioport_in(pci, 1, 0x10CF8, &v), UX_E_RANGE);
	/* port numbers that wrap around 2^64 are out of range too */
	uint64_t wrap[1] = {~0ull};
	CHECK_EQ(ux_invoke(pci, UX_IOPORT_IN16, 1, wrap, 0, NULL, &v, 1),
		 UX_E_RANGE);
	CHECK_EQ(ux_invoke(pci, UX_IOPORT_IN32, 1, wrap, 0, NULL, &v, 1),
		 UX_E_RANGE);
	wrap[0] = ~0ull - 2;
	CHECK_EQ(ux_invoke(pci, UX_IOPORT_IN32, 1, wrap, 0, NULL, &v, 1),
		 UX_E_RANGE);
	/* malformed */
	CHECK_EQ(inv_raw(pci, UX_IOPORT_OUT8, 1, mr, 0, NULL),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(pci, UX_IOPORT_IN8, 0, mr, 0, NULL),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(pci, UX_IOPORT_ISSUE, 2, mr, 0, NULL),
		 UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(inv_raw(pci, UX_IOPORT_OUT32 + 1, 2, mr, 0, NULL),
		 UX_E_ILLEGAL_OPERATION);
	/* COM1's scratch register */
	uint64_t com1 = ports(0x3F8, 0x3FF);
	CHECK_EQ(ux_ioport_out(com1, 1, 0x3FF, 0x5A), UX_OK);
	CHECK_EQ(ux_ioport_in(com1, 1, 0x3FF, &v), UX_OK);
	CHECK_EQ(v, 0x5A);
	CHECK_EQ(ux_ioport_out(com1, 1, 0x3FF, 0xA5), UX_OK);
	CHECK_EQ(ux_ioport_in(com1, 1, 0x3FF, &v), UX_OK);
	CHECK_EQ(v, 0xA5);
	return 0;
}

KTEST(irq_control)
{
	uint64_t h = slot_alloc(), h2 = slot_alloc(), c = slot_alloc();
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), n = obj_new(UX_CAP_NOTIFICATION, 0);
	uint64_t ro = slot_alloc(), mr[4] = {5, 0, h, D}, caps[1] = {ROOT};

	CHECK_EQ(ux_irq_get(IRQCTL, 24, 0, ROOT, h, D), UX_E_RANGE);
	CHECK_EQ(ux_irq_get(IRQCTL, 1000, 0, ROOT, h, D), UX_E_RANGE);
	CHECK_EQ(ux_irq_get(IRQCTL, 5, 4, ROOT, h, D), UX_E_INVALID_ARGUMENT);
	CHECK_EQ(ux_irq_get(IRQCTL, 5, 0, ep, h, D), UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_irq_get(IRQCTL, 5, 0, ROOT, h, 65), UX_E_RANGE);
	CHECK_EQ(ux_irq_get(IRQCTL, 5, 0, ROOT, ep, D), UX_E_DELETE_FIRST);
	CHECK_EQ(inv_raw(IRQCTL, UX_IRQ_CONTROL_GET, 3, mr, 1, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(IRQCTL, UX_IRQ_CONTROL_GET, 4, mr, 0, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(IRQCTL, UX_IRQ_ACK, 4, mr, 1, caps),
		 UX_E_ILLEGAL_OPERATION);
	/* one handler per line */
	CHECK_EQ(ux_irq_get(IRQCTL, 5, 3, ROOT, h, D), UX_OK);
	CHECK_EQ(ux_irq_get(IRQCTL, 5, 0, ROOT, h2, D), UX_E_REVOKE_FIRST);
	CHECK_EQ(ux_irq_get(IRQCTL, 6, 0, ROOT, h2, D), UX_OK);
	/* handler errors */
	CHECK_EQ(ux_irq_set_ntfn(h, ep), UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_irq_set_ntfn(h, slot_alloc()), UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_cnode_mint(ROOT, ro, D, ROOT, n, D, UX_R_READ, 0), UX_OK);
	CHECK_EQ(ux_irq_set_ntfn(h, ro), UX_E_NO_RIGHTS);
	CHECK_EQ(inv_raw(h, UX_IRQ_SET_NOTIFICATION, 0, mr, 0, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(h, UX_IRQ_CONTROL_GET, 4, mr, 1, caps),
		 UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_irq_set_ntfn(h, n), UX_OK);
	CHECK_EQ(ux_irq_ack(h), UX_OK);
	CHECK_EQ(ux_irq_clear(h), UX_OK);
	CHECK_EQ(ux_irq_ack(h), UX_OK);
	/* a copy does not free the line; the last capability does */
	CHECK_EQ(ux_cnode_copy(ROOT, c, D, ROOT, h, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, h, D), UX_OK);
	CHECK_EQ(ux_irq_get(IRQCTL, 5, 0, ROOT, h, D), UX_E_REVOKE_FIRST);
	CHECK_EQ(ux_cnode_delete(ROOT, c, D), UX_OK);
	CHECK_EQ(ux_irq_get(IRQCTL, 5, 0, ROOT, h, D), UX_OK);
	/* revoking IRQ control takes every handler */
	CHECK_EQ(ux_cnode_revoke(ROOT, IRQCTL, D), UX_OK);
	CHECK_EQ(cap_type_of(h), UX_CAP_NULL);
	CHECK_EQ(cap_type_of(h2), UX_CAP_NULL);
	CHECK_EQ(ux_irq_get(IRQCTL, 6, 0, ROOT, h2, D), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, h2, D), UX_OK);
	return 0;
}

static inline uint64_t
rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

#define WATCHDOG_BADGE (1ull << 40)

/* Signals the notification with WATCHDOG_BADGE after ~0.5 s of running
 * (it runs only while everything above priority 2 waits), so a missing
 * interrupt fails the test instead of hanging it. */
static void
watchdog(uint64_t cap)
{
	for (;;) {
		uint64_t end = rdtsc() + 500 * bi->tsc_khz;
		while (rdtsc() < end)
			__asm__ volatile("pause");
		ux_signal(cap);
	}
}

static uint64_t
irq_wait(uint64_t n)
{
	uint64_t w = 0;
	if (ux_wait(n, &w))
		return 0;
	return w;
}

static void
cmos_write(uint64_t p, unsigned reg, unsigned v)
{
	ux_ioport_out(p, 1, 0x70, 0x80 | reg);
	ux_ioport_out(p, 1, 0x71, v);
}

static unsigned
cmos_read(uint64_t p, unsigned reg)
{
	uint64_t v = 0;
	ux_ioport_out(p, 1, 0x70, 0x80 | reg);
	ux_ioport_in(p, 1, 0x71, &v);
	return (unsigned)v;
}

KTEST(irq_rtc_periodic)
{
	uint64_t rtc = ports(0x70, 0x71), h = slot_alloc(), w;
	uint64_t n = obj_new(UX_CAP_NOTIFICATION, 0), nb = slot_alloc();
	uint64_t wd = slot_alloc();
	struct kthread t;

	CHECK(rtc != 0);
	CHECK_EQ(ux_cnode_mint(ROOT, nb, D, ROOT, n, D, UX_R_WRITE, 0x100),
		 UX_OK);
	CHECK_EQ(ux_cnode_mint(ROOT, wd, D, ROOT, n, D, UX_R_WRITE,
			       WATCHDOG_BADGE),
		 UX_OK);
	CHECK_EQ(ux_irq_get(IRQCTL, 8, 0, ROOT, h, D), UX_OK);
	CHECK_EQ(ux_irq_set_ntfn(h, nb), UX_OK);
	thread_start(&t, watchdog, wd, 2, VSPACE, 0);
	/* periodic interrupt at 1024 Hz */
	cmos_read(rtc, 0x0C);
	cmos_write(rtc, 0x0A, (cmos_read(rtc, 0x0A) & 0xF0) | 6);
	cmos_write(rtc, 0x0B, cmos_read(rtc, 0x0B) | 0x40);
	w = irq_wait(n);
	CHECK_EQ(w, 0x100);
	/* the line stays masked until Ack, however often the RTC ticks */
	cmos_read(rtc, 0x0C);
	uint64_t end = rdtsc() + 20 * bi->tsc_khz;
	while (rdtsc() < end)
		__asm__ volatile("pause");
	CHECK_EQ(ux_poll(n, &w), UX_OK);
	CHECK_EQ(w, 0);
	CHECK_EQ(ux_irq_ack(h), UX_OK);
	for (int i = 0; i < 3; i++) {
		w = irq_wait(n);
		CHECK_EQ(w, 0x100);
		cmos_read(rtc, 0x0C);
		CHECK_EQ(ux_irq_ack(h), UX_OK);
	}
	/* Clear: no more notifications */
	CHECK_EQ(ux_irq_clear(h), UX_OK);
	ux_poll(n, &w); /* one may have come before the Clear */
	cmos_read(rtc, 0x0C);
	end = rdtsc() + 20 * bi->tsc_khz;
	while (rdtsc() < end)
		__asm__ volatile("pause");
	CHECK_EQ(ux_poll(n, &w), UX_OK);
	CHECK_EQ(w, 0);
	/* another notification (and badge) takes over */
	uint64_t n2 = obj_new(UX_CAP_NOTIFICATION, 0), n2b = slot_alloc();
	CHECK_EQ(ux_cnode_mint(ROOT, n2b, D, ROOT, n2, D, UX_R_WRITE, 0x200),
		 UX_OK);
	CHECK_EQ(ux_irq_set_ntfn(h, n2b), UX_OK);
	cmos_read(rtc, 0x0C);
	w = 0;
	end = rdtsc() + 200 * bi->tsc_khz;
	while (rdtsc() < end && ux_poll(n2, &w) == UX_OK && !w)
		__asm__ volatile("pause");
	CHECK_EQ(w, 0x200);
	CHECK_EQ(ux_poll(n, &w), UX_OK);
	CHECK_EQ(w, 0);
	/* off again */
	cmos_write(rtc, 0x0B, cmos_read(rtc, 0x0B) & ~0x40u);
	cmos_read(rtc, 0x0C);
	CHECK_EQ(ux_cnode_delete(ROOT, h, D), UX_OK);
	thread_kill(&t);
	return 0;
}

KTEST(irq_com2_transmitter_empty)
{
	uint64_t com2 = ports(0x2F8, 0x2FF), v = 0, h = slot_alloc();
	uint64_t n = obj_new(UX_CAP_NOTIFICATION, 0), nb = slot_alloc();
	uint64_t wd = slot_alloc(), w;
	struct kthread t;

	CHECK(com2 != 0);
	ux_ioport_out(com2, 1, 0x2FF, 0xA5);
	ux_ioport_in(com2, 1, 0x2FF, &v);
	/* every way we boot (tools/qemu.sh, make ktest-run) gives QEMU a
	 * second serial port: its absence is a failure, not a skip */
	if (v != 0xA5)
		printf("ktest:   no COM2 (QEMU needs a second -serial)\n");
	CHECK_EQ(v, 0xA5);
	CHECK_EQ(ux_cnode_mint(ROOT, nb, D, ROOT, n, D, UX_R_WRITE, 0x8),
		 UX_OK);
	CHECK_EQ(ux_cnode_mint(ROOT, wd, D, ROOT, n, D, UX_R_WRITE,
			       WATCHDOG_BADGE),
		 UX_OK);
	CHECK_EQ(ux_irq_get(IRQCTL, 3, 0, ROOT, h, D), UX_OK);
	CHECK_EQ(ux_irq_set_ntfn(h, nb), UX_OK);
	thread_start(&t, watchdog, wd, 2, VSPACE, 0);
	ux_ioport_out(com2, 1, 0x2F9, 0);    /* IER: none */
	ux_ioport_out(com2, 1, 0x2FB, 0x03); /* 8N1 */
	ux_ioport_out(com2, 1, 0x2FC, 0x08); /* OUT2: IRQ to the PIC/APIC */
	ux_ioport_in(com2, 1, 0x2FA, &v);
	ux_ioport_in(com2, 1, 0x2FD, &v);
	ux_ioport_out(com2, 1, 0x2F9, 0x02); /* transmitter empty */
	w = irq_wait(n);
	CHECK_EQ(w, 0x8);
	CHECK_EQ(ux_ioport_in(com2, 1, 0x2FA, &v), UX_OK);
	CHECK_EQ(v & 0x0F, 0x02); /* IIR: THR empty (reading clears it) */
	CHECK_EQ(ux_irq_ack(h), UX_OK);
	/* a byte sent: empty again, interrupt again */
	CHECK_EQ(ux_ioport_out(com2, 1, 0x2F8, 'x'), UX_OK);
	w = irq_wait(n);
	CHECK_EQ(w, 0x8);
	ux_ioport_in(com2, 1, 0x2FA, &v);
	CHECK_EQ(ux_irq_ack(h), UX_OK);
	ux_ioport_out(com2, 1, 0x2F9, 0);
	ux_ioport_out(com2, 1, 0x2FC, 0);
	CHECK_EQ(ux_cnode_delete(ROOT, h, D), UX_OK);
	thread_kill(&t);
	return 0;
}
