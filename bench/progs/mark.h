/*
 * mark.h - markers for tools/insncount (a QEMU plugin): no-op instructions
 * that start and stop its counting of expensive instructions around a
 * benchmark's timed part. Each is a 7-byte `nopl 0x5552KKII(%rax)`, one
 * instruction, harmless everywhere; without the plugin nothing happens.
 *
 * mark_region(id) names the region (0..63) that the following
 * mark_start()/mark_stop() pairs count for; it goes through a table of
 * one marker per id, since the id is in the instruction itself.
 * Used by bench/progs/bench.c (Linux ABI) and user/ktest/bench_ipc.c.
 */
#ifndef BENCH_MARK_H
#define BENCH_MARK_H

#define MARK_BYTES(kind, id) \
	".byte 0x0f,0x1f,0x80," #id "," #kind ",0x52,0x55\n"

static inline void
mark_start(void)
{
	__asm__ volatile(MARK_BYTES(1, 0) ::: "memory");
}

static inline void
mark_stop(void)
{
	__asm__ volatile(MARK_BYTES(2, 0) ::: "memory");
}

/* 64 entries of 8 bytes: a naming marker and ret. */
__asm__(".pushsection .text\n"
	".balign 8\n"
	"mark_table:\n"
	".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,"
	"22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,"
	"44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63\n"
	".byte 0x0f,0x1f,0x80,\\n,3,0x52,0x55\n"
	"ret\n"
	".endr\n"
	".popsection\n");

static inline void
mark_region(unsigned id)
{
	extern char mark_table[];
	void (*fn)(void) = (void (*)(void))(void *)(mark_table + 8 * (id & 63));
	fn();
}

#endif
