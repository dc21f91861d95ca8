/*
 * time.c - clocks and randomness for the Linux personality.
 *
 * Monotonic time is the TSC scaled by the rate the kernel measured; real
 * time is the CMOS clock read once at start plus monotonic time since.
 * Random bytes come from rdrand where the CPU has it, else from a
 * TSC-seeded generator (not cryptographic: said in docs).
 */
#include "procserv.h"

static uint64_t tsc_khz, tsc0, real0_ns, port;
static bool have_rdrand;

static inline uint64_t
rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static unsigned
cmos(unsigned reg)
{
	uint64_t v = 0;
	ux_ioport_out(port, 1, 0x70, reg);
	ux_ioport_in(port, 1, 0x71, &v);
	return (unsigned)v;
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
	tsc0 = rdtsc();
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	have_rdrand = c & (1u << 30);
	rtc_read();
}

uint64_t
time_mono_ns(void)
{
	uint64_t t = rdtsc() - tsc0;
	return t / tsc_khz * 1000000 + t % tsc_khz * 1000000 / tsc_khz;
}

uint64_t
time_real_ns(void)
{
	return real0_ns + time_mono_ns();
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
			x ^= rdtsc();
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			v = x;
		}
		for (int i = 0; i < 8 && n; i++, n--)
			*b++ = (uint8_t)(v >> (8 * i));
	}
}
