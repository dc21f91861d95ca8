/*
 * test_fastpath.c - the kernel's short cuts keep the slow path's
 * behaviour: a fault answered through ReplyRecv sets exactly the
 * registers the reply names (rax..rdx from the message registers, rip
 * and the rest untouched); a faulted thread whose priority others share
 * still queues behind them when answered (sched_yield depends on it);
 * and a long-message buffer found mapped once is checked again after a
 * mapping goes away (a page fault for the system call, as the first
 * time), not trusted from before.
 */
#include "ktest.h"

/* void fp_regs_job(uint64_t *out): three foreign system calls (numbers
 * 500, 501, 502) with known rbx and rdx; after each, the registers the
 * handler may have set go to out[]. */
__asm__(".text\n"
	".global fp_regs_job\n"
	"fp_regs_job:\n"
	"	push %rbx\n"
	"	mov $0xB0, %rbx\n"
	"	mov $0xD0, %rdx\n"
	"	mov $500, %eax\n"
	"	syscall\n"
	"	mov %rax, 0(%rdi)\n"
	"	mov %rbx, 8(%rdi)\n"
	"	mov %rcx, 16(%rdi)\n"
	"	mov %rdx, 24(%rdi)\n"
	"	mov $0xB1, %rbx\n"
	"	mov $0xD1, %rdx\n"
	"	mov $501, %eax\n"
	"	syscall\n"
	"	mov %rax, 32(%rdi)\n"
	"	mov %rbx, 40(%rdi)\n"
	"	mov %rdx, 56(%rdi)\n"
	"	mov $502, %eax\n"
	"	syscall\n"
	"	mov %rax, 64(%rdi)\n"
	"	pop %rbx\n"
	"	ret\n");
void fp_regs_job(uint64_t *out);

static void
regs_job(uint64_t arg)
{
	fp_regs_job((uint64_t *)arg);
}

/* The fault a ReplyRecv received, checked: a foreign system call. */
static int
got_syscall(long e, const struct ux_msg *m, uint64_t nr)
{
	CHECK_EQ(e, UX_OK);
	CHECK_EQ(ux_mi_label(m->info), UX_FAULT_SYSCALL);
	CHECK_EQ(m->mr[0], nr);
	return 0;
}

KTEST(fastpath_fault_reply_registers)
{
	static uint64_t out[9];
	uint64_t fep = obj_new(UX_CAP_ENDPOINT, 0);
	uint64_t rp = obj_new(UX_CAP_REPLY, 0);
	struct fault_msg f;
	struct kthread t;

	memset(out, 0, sizeof out);
	thread_start(&t, regs_job, (uint64_t)out, 150, VSPACE, fep);
	CHECK_EQ(fault_recv(fep, rp, &f, 1), UX_OK);
	CHECK_EQ(f.type, UX_FAULT_SYSCALL);
	CHECK_EQ(f.w0, 500);
	CHECK_EQ(f.regs[UX_REG_RBX], 0xB0);
	uint64_t rip = f.regs[UX_REG_RIP];
	/* four words: rax, rbx, rcx, rdx; the next fault comes back */
	struct ux_msg m = {.info = ux_msginfo(0, 4, 0, 0), .mr = {1, 2, 3, 4}};
	CHECK(!got_syscall(ux_reply_recv(fep, rp, &m), &m, 501));
	/* one word: rax only */
	m = (struct ux_msg){.info = ux_msginfo(0, 1, 0, 0), .mr = {5, 6, 7, 8}};
	CHECK(!got_syscall(ux_reply_recv(fep, rp, &m), &m, 502));
	/* none: rax keeps the number */
	m = (struct ux_msg){.info = ux_msginfo(0, 0, 0, 0), .mr = {9, 9, 9, 9}};
	CHECK_EQ(ux_reply(rp, &m), UX_OK);
	settle();
	CHECK_EQ(out[0], 1);
	CHECK_EQ(out[1], 2);
	CHECK_EQ(out[2], 3); /* rcx: set by the reply (so no sysret) */
	CHECK_EQ(out[3], 4);
	CHECK_EQ(out[4], 5);
	CHECK_EQ(out[5], 0xB1);
	CHECK_EQ(out[7], 0xD1);
	CHECK_EQ(out[8], 502);
	CHECK(rip != 0);
	thread_kill(&t);
	return 0;
}

/* Two threads of one priority: one spins yielding, the other makes a
 * foreign system call, records the spinner's count once answered, and
 * makes another. */
static volatile uint64_t spins, seen;
static volatile int spin_stop;

static void
spin_job(uint64_t arg)
{
	while (!spin_stop) {
		spins++;
		ux_yield();
	}
}

static void
seen_job(uint64_t arg)
{
	struct ux_msg m = {0};
	ux_sys(600, 0, 0, &m);
	seen = spins;
	ux_sys(601, 0, 0, &m);
}

KTEST(fastpath_fault_reply_queues_behind_equals)
{
	uint64_t fep = obj_new(UX_CAP_ENDPOINT, 0);
	uint64_t rp = obj_new(UX_CAP_REPLY, 0);
	struct kthread a, b;
	struct fault_msg f;

	spins = seen = 0;
	spin_stop = 0;
	thread_start(&b, spin_job, 0, 100, VSPACE, 0);
	thread_start(&a, seen_job, 0, 100, VSPACE, fep);
	CHECK_EQ(fault_recv(fep, rp, &f, 1), UX_OK);
	CHECK_EQ(f.w0, 600);
	uint64_t before = spins;
	struct ux_msg m = {.info = ux_msginfo(0, 1, 0, 0), .mr = {0}};
	CHECK(!got_syscall(ux_reply_recv(fep, rp, &m), &m, 601));
	/* the spinner, ready at the caller's priority, ran first */
	CHECK(seen > before);
	CHECK_EQ(fault_reply(rp, m.mr, 0), UX_OK);
	spin_stop = 1;
	settle();
	thread_kill(&a);
	thread_kill(&b);
	return 0;
}

/* A receiver with a long-message buffer: NBRecv (nothing there), then,
 * once woken, NBRecv again. */
struct rjob {
	uint64_t ep, ntfn, buf;
	volatile long r1, r2;
	volatile int done;
};

static void
recv_job(uint64_t arg)
{
	struct rjob *j = (struct rjob *)arg;
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct ux_msg m = {0};
	b->recv_buf = j->buf;
	b->recv_len = 100;
	j->r1 = ux_nbrecv(j->ep, 0, &m);
	ux_wait(j->ntfn, NULL);
	m = (struct ux_msg){0};
	j->r2 = ux_nbrecv(j->ep, 0, &m);
	b->recv_len = 0;
	j->done = 1;
}

struct remap {
	uint64_t frame, va;
	int n;
	uint64_t addr, code;
};

static int
remap_on_fault(struct fault_msg *f, uint64_t *regs, void *ctx)
{
	struct remap *r = ctx;
	if (f->type != UX_FAULT_PAGE)
		return -1;
	r->n++;
	r->addr = f->w0;
	r->code = f->w1;
	if (map_frame(VSPACE, r->frame, r->va, UX_R_READ | UX_R_WRITE))
		return -1;
	return 0; /* the system call is made again */
}

KTEST(fastpath_buffer_checked_again_after_unmap)
{
	static struct rjob j;
	uint64_t fep = obj_new(UX_CAP_ENDPOINT, 0);
	uint64_t va = va_alloc(4096), fr = obj_new(UX_CAP_FRAME, 0);
	struct remap r = {.frame = fr, .va = va};
	struct kthread t;

	CHECK_EQ(map_frame(VSPACE, fr, va, UX_R_READ | UX_R_WRITE), UX_OK);
	j = (struct rjob){.ep = obj_new(UX_CAP_ENDPOINT, 0),
			  .ntfn = obj_new(UX_CAP_NOTIFICATION, 0), .buf = va};
	thread_start(&t, recv_job, (uint64_t)&j, 150, VSPACE, fep);
	settle();
	CHECK_EQ(j.r1, UX_E_WOULD_BLOCK); /* buffer found mapped */
	CHECK_EQ(ux_frame_unmap(fr), UX_OK);
	CHECK_EQ(ux_signal(j.ntfn), UX_OK);
	CHECK_EQ(serve_faults(fep, &j.done, remap_on_fault, &r, 3), 1);
	CHECK_EQ(r.addr, va);
	CHECK(r.code & UX_PF_SYSCALL);
	CHECK(r.code & UX_PF_WRITE);
	CHECK_EQ(j.r2, UX_E_WOULD_BLOCK);
	thread_kill(&t);
	CHECK_EQ(ux_frame_unmap(fr), UX_OK);
	return 0;
}
