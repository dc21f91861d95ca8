/*
 * env.c - the test environment: slot and object allocation from the boot
 * untypeds, page mapping with page tables made on demand, threads in this
 * or in a new address space.
 */
#include "ktest.h"

struct ux_bootinfo *bi;
uint64_t root_guard;
static uint64_t next_slot, pool, next_va = 0x40000000;
static uint64_t ioport_exit;

extern char __image_start[], _end[];

uint64_t
slot_alloc(void)
{
	if (next_slot >= bi->empty.last) {
		printf("ktest: out of slots\n");
		ux_exit(3);
	}
	return next_slot++;
}

uint64_t
obj_new(unsigned type, unsigned bits)
{
	uint64_t s = slot_alloc();
	long e = ux_untyped_retype(pool, type, bits, ROOT, 0, 0, s, 1);
	if (e) {
		printf("ktest: retype type %u failed: %s\n", type,
		       ux_strerror(e));
		ux_exit(3);
	}
	return s;
}

uint64_t
untyped_new(unsigned bits)
{
	return obj_new(UX_CAP_UNTYPED, bits);
}

uint64_t
va_alloc(uint64_t size)
{
	uint64_t va = next_va;
	next_va += (size + 0xFFF) & ~0xFFFull;
	next_va += 0x1000; /* guard page */
	return va;
}

static void
add_tables(uint64_t pml4, uint64_t va)
{
	static const unsigned types[] = {UX_CAP_PDPT, UX_CAP_PAGE_DIR,
					 UX_CAP_PAGE_TABLE};
	for (unsigned i = 0; i < 3; i++) {
		uint64_t t = obj_new(types[i], 0);
		if (ux_table_map(t, pml4, va))
			ux_cnode_delete(ROOT, t, D);
	}
}

long
map_frame(uint64_t pml4, uint64_t frame, uint64_t va, unsigned rights)
{
	long e = ux_frame_map(frame, pml4, va, rights, UX_MAP_CACHED);
	if (e == UX_E_FAILED_LOOKUP) {
		add_tables(pml4, va);
		e = ux_frame_map(frame, pml4, va, rights, UX_MAP_CACHED);
	}
	return e;
}

void *
page_new(uint64_t *frame)
{
	uint64_t f = obj_new(UX_CAP_FRAME, 0), va = va_alloc(4096);
	long e = map_frame(VSPACE, f, va, UX_R_READ | UX_R_WRITE);
	if (e) {
		printf("ktest: map failed: %s\n", ux_strerror(e));
		ux_exit(3);
	}
	if (frame)
		*frame = f;
	return (void *)va;
}

uint64_t
vspace_new(void)
{
	uint64_t pml4 = obj_new(UX_CAP_PML4, 0), info[2];
	for (uint64_t s = bi->frames.first; s < bi->frames.last; s++) {
		if (ux_frame_address(s, info) || info[1] < (uint64_t)__image_start ||
		    info[1] >= (uint64_t)_end)
			continue;
		uint64_t c = slot_alloc();
		ux_cnode_copy(ROOT, c, D, ROOT, s, D, UX_R_ALL);
		map_frame(pml4, c, info[1], UX_R_READ | UX_R_WRITE | UX_R_EXEC);
	}
	return pml4;
}

static void
trampoline(void (*fn)(uint64_t), uint64_t arg, uint64_t tcb)
{
	fn(arg);
	ux_tcb_suspend(tcb);
}

void
thread_start(struct kthread *t, void (*fn)(uint64_t), uint64_t arg,
	     unsigned prio, uint64_t vspace, uint64_t fault_ep)
{
	static uint8_t stacks[16][16384] __attribute__((aligned(16)));
	static unsigned nstacks;
	uint64_t regs[UX_REG_COUNT] = {0};

	t->tcb = obj_new(UX_CAP_TCB, 0);
	t->ipc = page_new(&t->frame);
	t->ipc->user[0] = (uint64_t)t->ipc;
	t->stack_top = (uint64_t)stacks[nstacks++ % 16] + 16384 - 8;
	if (vspace != VSPACE) {
		uint64_t c = slot_alloc();
		ux_cnode_copy(ROOT, c, D, ROOT, t->frame, D, UX_R_ALL);
		map_frame(vspace, c, (uint64_t)t->ipc, UX_R_READ | UX_R_WRITE);
		/* the shared stacks live in the image, already mapped */
	}
	ux_tcb_configure(t->tcb, fault_ep, ROOT, root_guard, vspace,
			 (uint64_t)t->ipc, t->frame);
	ux_tcb_set_priority(t->tcb, SELF_TCB, prio);
	regs[UX_REG_RIP] = (uint64_t)trampoline;
	regs[UX_REG_RSP] = t->stack_top;
	regs[UX_REG_RDI] = (uint64_t)fn;
	regs[UX_REG_RSI] = arg;
	regs[UX_REG_RDX] = t->tcb;
	regs[UX_REG_RFLAGS] = 0x202;
	regs[UX_REG_FS_BASE] = (uint64_t)t->ipc;
	ux_tcb_write_regs(t->tcb, 1, UX_REG_COUNT, regs);
}

void
thread_kill(struct kthread *t)
{
	ux_cnode_delete(ROOT, t->tcb, D);
}

_Noreturn void
ux_exit(int code)
{
	if (ioport_exit)
		ux_ioport_out(ioport_exit, 1, 0xF4, (uint64_t)code);
	for (;;)
		ux_yield();
}

static void
env_init(struct ux_bootinfo *b)
{
	uint64_t best = 0;
	bi = b;
	next_slot = bi->empty.first;
	root_guard = (64 - bi->cnode_radix); /* guard bits; guard value 0 */
	for (uint64_t i = 0; i < bi->untyped.last - bi->untyped.first; i++) {
		const struct ux_bi_untyped *u = &bi->untyped_list[i];
		if (!u->is_device && u->size_bits > best) {
			best = u->size_bits;
			pool = bi->untyped.first + i;
		}
	}
	ioport_exit = slot_alloc();
	if (ux_ioport_issue(UX_BI_SLOT_IOPORT_CONTROL, 0xF4, 0xF4, ROOT,
			    ioport_exit, D))
		ioport_exit = 0;
}

int bench_main(void);
int main(struct ux_bootinfo *b);

int
main(struct ux_bootinfo *b)
{
	uint64_t boot_tsc;
	__asm__ volatile("rdtsc; shl $32, %%rdx; or %%rdx, %%rax"
			 : "=a"(boot_tsc)::"rdx");
	extern const struct ktest __start_ktests[], __stop_ktests[];
	int pass = 0, fail = 0;

	env_init(b);
	printf("BENCH boot_to_user %lu\n", (unsigned long)boot_tsc);
	if (strstr(bi->cmdline, "bench"))
		return bench_main();
	printf("ktest: UX/RT kernel test suite, %d tests\n",
	       (int)(__stop_ktests - __start_ktests));
	for (const struct ktest *t = __start_ktests; t < __stop_ktests; t++) {
		int r = t->fn();
		printf("ktest: %s %s\n", r ? "FAIL" : "PASS", t->name);
		if (r)
			fail++;
		else
			pass++;
	}
	printf("ktest: %d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
