/*
 * env.c - the test environment: slot and object allocation from the boot
 * untypeds, page mapping with page tables made on demand, threads in this
 * or in a new address space, a "settle" helper that waits until every
 * other thread is blocked, and fault-message helpers.
 *
 * Thread stacks are a fixed pool in the image (so they exist in every
 * address space vspace_new makes); thread_kill returns a stack to it.
 */
#include "ktest.h"

struct ux_bootinfo *bi;
uint64_t root_guard;
static uint64_t next_slot, pool, next_va = 0x40000000;
static uint64_t ioport_exit;
static uint64_t free_slots[256];
static unsigned nfree_slots;

#define NSTACKS 32
#define STACK_SIZE 16384
static uint8_t stacks[NSTACKS][STACK_SIZE] __attribute__((aligned(16)));
static uint8_t stack_used[NSTACKS];

/* Threads a test started and has not killed: killed after the test, so
 * a test that fails half-way leaves nothing running into the next. */
static struct {
	uint64_t tcb, stack_top;
} live[NSTACKS];

extern char __image_start[], _end[];

uint64_t
slot_alloc(void)
{
	if (nfree_slots)
		return free_slots[--nfree_slots];
	if (next_slot >= bi->empty.last) {
		printf("ktest: out of slots\n");
		ux_exit(3);
	}
	return next_slot++;
}

uint64_t
slots_alloc(unsigned n)
{
	uint64_t first = next_slot;
	if (next_slot + n > bi->empty.last) {
		printf("ktest: out of slots\n");
		ux_exit(3);
	}
	next_slot += n;
	return first;
}

void
slot_free(uint64_t s)
{
	ux_cnode_delete(ROOT, s, D);
	if (nfree_slots < sizeof free_slots / sizeof free_slots[0])
		free_slots[nfree_slots++] = s;
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
pool_untyped(void)
{
	return pool;
}

uint64_t
device_untyped(uint64_t *paddr)
{
	for (uint64_t i = 0; i < bi->untyped.last - bi->untyped.first; i++) {
		const struct ux_bi_untyped *u = &bi->untyped_list[i];
		if (u->is_device && u->size_bits >= 13 && u->size_bits < 30) {
			if (paddr)
				*paddr = u->paddr;
			return bi->untyped.first + i;
		}
	}
	return 0;
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
pages_new(unsigned n, uint64_t *frames)
{
	uint64_t va = va_alloc((uint64_t)n * 4096);
	for (unsigned i = 0; i < n; i++) {
		uint64_t f = obj_new(UX_CAP_FRAME, 0);
		long e = map_frame(VSPACE, f, va + i * 4096ull,
				   UX_R_READ | UX_R_WRITE);
		if (e) {
			printf("ktest: map failed: %s\n", ux_strerror(e));
			ux_exit(3);
		}
		if (frames)
			frames[i] = f;
	}
	return (void *)va;
}

void
share_pages(uint64_t vspace, void *va, unsigned n, const uint64_t *frames)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t c = slot_alloc();
		ux_cnode_copy(ROOT, c, D, ROOT, frames[i], D, UX_R_ALL);
		map_frame(vspace, c, (uint64_t)va + i * 4096ull,
			  UX_R_READ | UX_R_WRITE);
	}
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
	ux_tcb_suspend(tcb, NULL);
	__asm__ volatile("ud2"); /* no TCB capability: stop by a fault */
}

static uint64_t
stack_get(void)
{
	for (unsigned i = 0; i < NSTACKS; i++) {
		if (!stack_used[i]) {
			stack_used[i] = 1;
			return (uint64_t)stacks[i] + STACK_SIZE - 8;
		}
	}
	printf("ktest: out of thread stacks\n");
	ux_exit(3);
}

void
thread_start_ex(struct kthread *t, const struct thread_opts *o)
{
	uint64_t regs[UX_REG_COUNT] = {0};
	uint64_t vspace = o->vspace ? o->vspace : VSPACE;

	t->tcb = o->tcb ? o->tcb : obj_new(UX_CAP_TCB, 0);
	t->ipc = page_new(&t->frame);
	t->ipc->user[0] = (uint64_t)t->ipc;
	t->stack_top = stack_get();
	for (unsigned i = 0; i < NSTACKS; i++) {
		if (!live[i].tcb) {
			live[i].tcb = t->tcb;
			live[i].stack_top = t->stack_top;
			break;
		}
	}
	if (vspace != VSPACE) {
		uint64_t c = slot_alloc();
		ux_cnode_copy(ROOT, c, D, ROOT, t->frame, D, UX_R_ALL);
		map_frame(vspace, c, (uint64_t)t->ipc, UX_R_READ | UX_R_WRITE);
		/* the shared stacks live in the image, already mapped */
	}
	ux_tcb_configure(t->tcb, o->fault_ep, o->cspace ? o->cspace : ROOT,
			 o->cspace ? o->guard : root_guard, vspace,
			 (uint64_t)t->ipc, o->no_ipcbuf ? 0 : t->frame);
	ux_tcb_set_priority(t->tcb, SELF_TCB, o->prio);
	regs[UX_REG_RIP] = (uint64_t)trampoline;
	regs[UX_REG_RSP] = t->stack_top;
	regs[UX_REG_RDI] = (uint64_t)o->fn;
	regs[UX_REG_RSI] = o->arg;
	regs[UX_REG_RDX] = o->cspace ? o->self_tcb : t->tcb;
	regs[UX_REG_RFLAGS] = 0x202;
	regs[UX_REG_FS_BASE] = (uint64_t)t->ipc;
	ux_tcb_write_regs(t->tcb, !o->no_resume, UX_REG_COUNT, regs);
}

void
thread_start(struct kthread *t, void (*fn)(uint64_t), uint64_t arg,
	     unsigned prio, uint64_t vspace, uint64_t fault_ep)
{
	struct thread_opts o = {.fn = fn, .arg = arg, .prio = prio,
				.vspace = vspace, .fault_ep = fault_ep};
	thread_start_ex(t, &o);
}

static void
kill_thread(uint64_t tcb, uint64_t stack_top)
{
	ux_cnode_delete(ROOT, tcb, D);
	for (unsigned i = 0; i < NSTACKS; i++) {
		if (stack_top == (uint64_t)stacks[i] + STACK_SIZE - 8)
			stack_used[i] = 0;
		if (live[i].stack_top == stack_top)
			live[i].tcb = live[i].stack_top = 0;
	}
}

void
thread_kill(struct kthread *t)
{
	if (t->stack_top)
		kill_thread(t->tcb, t->stack_top);
	t->stack_top = 0;
}

/* After each test: no threads, no long-message buffers, the receive
 * slot off, the default MXCSR, and the root at its own priority. */
static void
test_cleanup(void)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	uint32_t mxcsr = 0x1f80;

	for (unsigned i = 0; i < NSTACKS; i++)
		if (live[i].tcb)
			kill_thread(live[i].tcb, live[i].stack_top);
	b->send_buf = b->send_len = b->recv_buf = b->recv_len = 0;
	b->recv_depth = 0;
	__asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
	ux_tcb_set_priority(SELF_TCB, SELF_TCB, UX_PRIO_MAX);
}

void
op_thread(uint64_t arg)
{
	struct op *o = (struct op *)arg;
	uint64_t badge = 0;

	switch (o->kind) {
	case OP_RECV:
		o->res = ux_recv(o->cap, o->reply, &o->m);
		break;
	case OP_NBRECV:
		o->res = ux_nbrecv(o->cap, o->reply, &o->m);
		break;
	case OP_SEND:
		o->res = ux_send(o->cap, &o->m);
		break;
	case OP_NBSEND:
		o->res = ux_nbsend(o->cap, &o->m);
		break;
	case OP_CALL:
		o->res = ux_call(o->cap, &o->m);
		break;
	case OP_WAIT:
		o->res = ux_wait(o->cap, &badge);
		o->m.badge = badge;
		break;
	case OP_SIGNAL:
		o->res = ux_signal(o->cap);
		break;
	case OP_SPIN:
		for (;;)
			o->count++;
	}
	o->done = 1;
}

/* settle(): the helper at priority 1 runs only when no thread above
 * priority 1 can run; it answers the root's signal then. */
static uint64_t settle_go, settle_back;

static void
settle_loop(uint64_t arg)
{
	for (;;) {
		ux_wait(settle_go, NULL);
		ux_signal(settle_back);
	}
}

void
settle(void)
{
	static struct kthread helper;
	if (!settle_go) {
		settle_go = obj_new(UX_CAP_NOTIFICATION, 0);
		settle_back = obj_new(UX_CAP_NOTIFICATION, 0);
		thread_start(&helper, settle_loop, 0, 1, VSPACE, 0);
		for (unsigned i = 0; i < NSTACKS; i++) /* it stays */
			if (live[i].tcb == helper.tcb)
				live[i].tcb = live[i].stack_top = 0;
	}
	ux_signal(settle_go);
	ux_wait(settle_back, NULL);
}

long
fault_recv(uint64_t ep, uint64_t reply, struct fault_msg *f, int block)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct ux_msg m = {0};
	long e = block ? ux_recv(ep, reply, &m) : ux_nbrecv(ep, reply, &m);
	memset(f, 0, sizeof *f);
	if (e)
		return e;
	f->type = ux_mi_label(m.info);
	f->len = ux_mi_len(m.info);
	f->badge = m.badge;
	f->w0 = m.mr[0];
	f->w1 = m.mr[1];
	f->regs[0] = m.mr[2];
	f->regs[1] = m.mr[3];
	for (unsigned i = 2; i < UX_REG_COUNT; i++)
		f->regs[i] = b->mr[UX_FAULT_REGS + i];
	return 0;
}

long
fault_reply(uint64_t reply, const uint64_t *regs, unsigned n)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct ux_msg m = {.info = ux_msginfo(0, n, 0, 0)};
	for (unsigned i = 0; i < n; i++) {
		if (i < UX_REG_MRS)
			m.mr[i] = regs[i];
		else
			b->mr[i] = regs[i];
	}
	return ux_reply(reply, &m);
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

/* Tests run file by file in link order, and in source order within a
 * file (the compiler emits a file's registrations in reverse). */
static void
order_tests(const struct ktest *first, unsigned n, const struct ktest **out)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned j = i;
		out[i] = &first[i];
		while (j && !strcmp(out[j - 1]->file, out[j]->file) &&
		       out[j - 1]->line > out[j]->line) {
			const struct ktest *t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
			j--;
		}
	}
}

int
main(struct ux_bootinfo *b)
{
	uint64_t boot_tsc;
	__asm__ volatile("rdtsc; shl $32, %%rdx; or %%rdx, %%rax"
			 : "=a"(boot_tsc)::"rdx");
	extern const struct ktest __start_ktests[], __stop_ktests[];
	static const struct ktest *order[1024];
	unsigned n = (unsigned)(__stop_ktests - __start_ktests);
	int pass = 0, fail = 0;

	env_init(b);
	printf("BENCH boot_to_user %lu %lu %lu 1\n", (unsigned long)boot_tsc,
	       (unsigned long)boot_tsc, (unsigned long)boot_tsc);
	if (strstr(bi->cmdline, "bench"))
		return bench_main();
	printf("ktest: UX/RT kernel test suite, %u tests\n", n);
	if (n > ARRAY_LEN(order))
		n = ARRAY_LEN(order);
	order_tests(__start_ktests, n, order);
	for (unsigned i = 0; i < n; i++) {
		const struct ktest *t = order[i];
		int r = t->fn();
		test_cleanup();
		printf("ktest: %s %s\n", r ? "FAIL" : "PASS", t->name);
		if (r)
			fail++;
		else
			pass++;
	}
	printf("ktest: %d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}

int
serve_faults(uint64_t fep, volatile int *done, fault_fn fn, void *ctx,
	     int max)
{
	static uint64_t rp;
	struct fault_msg f;
	uint64_t regs[UX_REG_COUNT];
	int count = 0;

	if (!rp)
		rp = obj_new(UX_CAP_REPLY, 0);
	for (;;) {
		settle();
		if (*done)
			return count;
		if (fault_recv(fep, rp, &f, 0) != UX_OK)
			return -1; /* stuck without a fault */
		if (++count > max)
			return -2;
		memcpy(regs, f.regs, sizeof regs);
		int n = fn(&f, regs, ctx);
		if (n >= 0)
			fault_reply(rp, regs, (unsigned)n);
	}
}

/* What kind of capability is in root slot s? Found by behaviour alone
 * (there is no "identify" invocation): each probe is an operation that
 * only that type answers in a particular way and that changes nothing
 * (a Signal is polled back). Tables are told apart by mapping them into
 * a scratch address space that has only a PDPT at 0. */
unsigned
cap_type_of(uint64_t s)
{
	static uint64_t scratch_pml4, scratch_frame;
	struct ux_msg m = {0};
	uint64_t out[2];
	long e;

	if (!scratch_pml4) {
		scratch_pml4 = obj_new(UX_CAP_PML4, 0);
		scratch_frame = obj_new(UX_CAP_FRAME, 0);
		ux_table_map(obj_new(UX_CAP_PDPT, 0), scratch_pml4, 0);
	}
	e = ux_nbsend(s, &m);
	if (e == UX_E_INVALID_CAPABILITY || e == UX_E_FAILED_LOOKUP)
		return UX_CAP_NULL;
	if (e == UX_E_WOULD_BLOCK || e == UX_E_NO_RIGHTS)
		return UX_CAP_ENDPOINT;
	if (e == UX_OK) {
		ux_poll(s, NULL);
		return UX_CAP_NOTIFICATION;
	}
	if (ux_untyped_retype(s, 99, 0, ROOT, 0, 0, 0, 1) ==
	    UX_E_INVALID_ARGUMENT)
		return UX_CAP_UNTYPED;
	if (ux_frame_address(s, out) == UX_OK)
		return ux_frame_map(s, scratch_pml4, 0x1000, UX_R_READ, 0) ==
				       UX_E_ALIGNMENT
			       ? UX_CAP_FRAME_2M
			       : UX_CAP_FRAME;
	if (ux_tcb_read_regs(s, (uint64_t[UX_REG_COUNT]){0}) == UX_OK)
		return UX_CAP_TCB;
	if (ux_cnode_delete(s, 0, 64) == UX_OK)
		return UX_CAP_CNODE;
	if (ux_reply(s, &m) == UX_E_ILLEGAL_OPERATION)
		return UX_CAP_REPLY;
	if (ux_frame_map(scratch_frame, s, 0x700000000000ull, UX_R_READ, 0) ==
	    UX_E_FAILED_LOOKUP)
		return UX_CAP_PML4;
	e = ux_table_map(s, scratch_pml4, 0);
	if (e == UX_E_DELETE_FIRST)
		return UX_CAP_PDPT;
	if (e == UX_OK) {
		ux_table_unmap(s);
		return UX_CAP_PAGE_DIR;
	}
	if (e == UX_E_FAILED_LOOKUP)
		return UX_CAP_PAGE_TABLE;
	if (e == UX_E_ILLEGAL_OPERATION)
		return 100; /* a table already mapped: type unknown */
	return 101; /* not a retypeable object */
}
