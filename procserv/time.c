/*
 * time.c - clocks and randomness for the Linux personality.
 *
 * Monotonic time is the TSC scaled by the rate the kernel measured; real
 * time is the CMOS clock read once at start plus monotonic time since.
 * Random bytes come from rdrand where the CPU has it, else from a
 * TSC-seeded generator (not cryptographic: said in docs).
 *
 * Sleeping: a sleeper's reply object is held back (ps_defer) until its
 * deadline; alarms (alarm, setitimer: signal.c) are checked on the same
 * tick. The tick is the CMOS clock's periodic interrupt (IRQ 8, 1024
 * Hz), switched on only while someone sleeps; its notification is bound
 * to our TCB, so it wakes the same Recv that serves the processes.
 */
#include "procserv.h"

static uint64_t tsc_khz, tsc0, real0_ns, port, irq, ntfn;
uint64_t time_ntfn_obj;
static bool have_rdrand, ticking;

#define TICK_BADGE 0x100
#define MAX_SLEEPERS 32

static struct sleeper {
	bool used;
	int pid;
	uint64_t deadline, reply, arg[2];
	wake_fn fn;
} sleepers[MAX_SLEEPERS];

static unsigned
cmos(unsigned reg)
{
	uint64_t v = 0;
	ux_ioport_out(port, 1, 0x70, reg);
	ux_ioport_in(port, 1, 0x71, &v);
	return (unsigned)v;
}

static void
cmos_write(unsigned reg, unsigned v)
{
	ux_ioport_out(port, 1, 0x70, reg);
	ux_ioport_out(port, 1, 0x71, v);
}

static unsigned
bcd(unsigned v, bool binary)
{
	return binary ? v : (v & 15) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t
days(unsigned y, unsigned m, unsigned d)
{
	y -= m <= 2;
	uint64_t era = y / 400, yoe = y - era * 400;
	uint64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
rtc_read(void)
{
	port = alloc_slot();
	if (!port || ux_ioport_issue(UX_BI_SLOT_IOPORT_CONTROL, 0x70, 0x71,
				     UX_BI_SLOT_CNODE, port, 64))
		return;
	while (cmos(0x0A) & 0x80) /* update in progress */
		;
	bool bin = cmos(0x0B) & 4;
	unsigned s = bcd(cmos(0), bin), mi = bcd(cmos(2), bin);
	unsigned h = bcd(cmos(4) & 0x7F, bin), d = bcd(cmos(7), bin);
	unsigned mo = bcd(cmos(8), bin), y = bcd(cmos(9), bin) + 2000;
	real0_ns = ((days(y, mo, d) * 24 + h) * 3600 + mi * 60 + s) *
		   1000000000ull;
}

void
time_init(const struct ux_bootinfo *bi)
{
	uint32_t a, b, c, d;
	tsc_khz = bi->tsc_khz ? bi->tsc_khz : 1000000;
	tsc0 = ux_rdtsc();
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	have_rdrand = c & (1u << 30);
	rtc_read();
	irq = alloc_slot();
	ntfn = alloc_slot();
	if (!port || !irq || !ntfn ||
	    ux_irq_get(UX_BI_SLOT_IRQ_CONTROL, 8, 0, UX_BI_SLOT_CNODE, irq,
		       64) ||
	    alloc_obj(UX_CAP_NOTIFICATION, 0, &time_ntfn_obj) ||
	    ux_cnode_mint(UX_BI_SLOT_CNODE, ntfn, 64, UX_BI_SLOT_CNODE,
			  time_ntfn_obj, 64, UX_R_ALL, TICK_BADGE) ||
	    ux_irq_set_ntfn(irq, ntfn) || ux_tcb_bind(UX_BI_SLOT_TCB, ntfn)) {
		printf("procserv: no timer interrupt: sleeping will fail\n");
		irq = 0;
		return;
	}
	cmos_write(0x0A, (cmos(0x0A) & 0xF0) | 6); /* 1024 Hz */
}

static void
tick_enable(bool on)
{
	if (on == ticking)
		return;
	unsigned b = cmos(0x0B);
	cmos_write(0x0B, on ? b | 0x40 : b & ~0x40u); /* periodic interrupt */
	cmos(0x0C);
	ticking = on;
}

long
time_sleep(struct proc *p, uint64_t deadline, wake_fn fn, const uint64_t *arg)
{
	if (deadline <= time_mono_ns())
		return fn ? fn(p, arg) : 0;
	if (!irq)
		return -38; /* ENOSYS: there is no timer */
	for (unsigned i = 0; i < MAX_SLEEPERS; i++) {
		struct sleeper *s = &sleepers[i];
		if (s->used)
			continue;
		uint64_t reply = ps_defer();
		if (!reply)
			break;
		*s = (struct sleeper){.used = true, .pid = p->pid,
				      .deadline = deadline, .reply = reply,
				      .fn = fn};
		if (arg)
			memcpy(s->arg, arg, sizeof s->arg);
		tick_enable(true);
		return LX_LATER;
	}
	return -12; /* ENOMEM: too many sleepers */
}

bool
time_sleeping(const struct proc *p)
{
	for (unsigned i = 0; i < MAX_SLEEPERS; i++)
		if (sleepers[i].used && sleepers[i].pid == p->pid)
			return true;
	return false;
}

uint64_t
time_cancel(struct proc *p)
{
	uint64_t left = 0, now = time_mono_ns();
	for (unsigned i = 0; i < MAX_SLEEPERS; i++) {
		struct sleeper *s = &sleepers[i];
		if (!s->used || s->pid != p->pid)
			continue;
		left = s->deadline > now ? s->deadline - now : 0;
		ps_release(s->reply);
		s->used = false;
	}
	return left;
}

/* Answer sleeper s with r (p gone: its reply object is empty) and
 * forget it. */
static void
sleeper_end(struct sleeper *s, struct proc *p, long r)
{
	struct ux_msg m = {.info = ux_msginfo(0, 1, 0, 0)};
	m.mr[0] = (uint64_t)r;
	if (p)
		ux_reply(s->reply, &m);
	ps_release(s->reply);
	s->used = false;
}

void
time_answer(struct proc *p, long r)
{
	for (unsigned i = 0; i < MAX_SLEEPERS; i++)
		if (sleepers[i].used && sleepers[i].pid == p->pid)
			sleeper_end(&sleepers[i], p, r);
}

bool
time_is_tick(const struct ux_msg *m)
{
	return m->info == 0 && (m->badge & TICK_BADGE);
}

/* Answer every sleeper whose deadline has passed. */
void
time_tick(void)
{
	uint64_t now = time_mono_ns();
	bool any = false;
	cmos(0x0C); /* acknowledge the clock's interrupt */
	ux_irq_ack(irq);
	for (unsigned i = 0; i < MAX_SLEEPERS; i++) {
		struct sleeper *s = &sleepers[i];
		if (!s->used)
			continue;
		if (s->deadline > now) {
			any = true;
			continue;
		}
		struct proc *p = proc_get((uint64_t)s->pid);
		sleeper_end(s, p, p && s->fn ? s->fn(p, s->arg) : 0);
	}
	if (!sig_alarms(now) && !any)
		tick_enable(false);
}

long
time_alarm_armed(void)
{
	if (!irq)
		return -38; /* ENOSYS: there is no timer */
	tick_enable(true);
	return 0;
}

uint64_t
time_mono_ns(void)
{
	uint64_t t = ux_rdtsc() - tsc0;
	return t / tsc_khz * 1000000 + t % tsc_khz * 1000000 / tsc_khz;
}

uint64_t
time_real_ns(void)
{
	return real0_ns + time_mono_ns();
}

void
time_set_real(uint64_t ns)
{
	real0_ns = ns - time_mono_ns();
}

void
random_bytes(void *buf, size_t n)
{
	static uint64_t x = 0x9E3779B97F4A7C15ull;
	uint8_t *b = buf;
	while (n) {
		uint64_t v;
		unsigned char ok = 0;
		if (have_rdrand)
			__asm__ volatile("rdrand %0; setc %1"
					 : "=r"(v), "=qm"(ok));
		if (!ok) {
			x ^= ux_rdtsc();
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			v = x;
		}
		for (int i = 0; i < 8 && n; i++, n--)
			*b++ = (uint8_t)(v >> (8 * i));
	}
}
