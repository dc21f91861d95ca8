/*
 * test_fault.c - faults as messages (uxrt/fault.h): page faults and CPU
 * exceptions (ud2, divide error, single step, privileged instructions,
 * software interrupts) reach the fault endpoint with the right address,
 * vector, error code and registers; the handler's reply (mapping a page,
 * rewriting registers) resumes the thread. Foreign (Linux) system calls
 * arrive as UX_FAULT_SYSCALL and the reply sets rax. A thread without a
 * usable handler (none, no write right, handler gone, no reply object)
 * is stopped, never a kernel panic.
 */
#include "ktest.h"
#include <uxrt/file.h>

/* Instruction sequences with labels, so handlers know where they are. */
__asm__(".text\n"
	/* uint64_t pf_load(uint64_t *p): load with known registers */
	".global pf_load\n"
	"pf_load:\n"
	"	push %rbx\n"
	"	push %r12\n"
	"	push %r15\n"
	"	mov $0xB0B0, %rbx\n"
	"	mov $0x1212, %r12\n"
	"	mov $0x1515, %r15\n"
	".global pf_load_insn\n"
	"pf_load_insn:\n"
	"	mov (%rdi), %rax\n"
	"	pop %r15\n"
	"	pop %r12\n"
	"	pop %rbx\n"
	"	ret\n"
	/* void ud2_store(uint64_t *out): *out = rax after the ud2 */
	".global ud2_store\n"
	"ud2_store:\n"
	"	mov $0x1111, %rax\n"
	".global ud2_insn\n"
	"ud2_insn:\n"
	"	ud2\n"
	".global ud2_after\n"
	"ud2_after:\n"
	"	mov %rax, (%rdi)\n"
	"	ret\n"
	/* void div_zero(void) */
	".global div_zero\n"
	"div_zero:\n"
	"	xor %ecx, %ecx\n"
	"	mov $1, %eax\n"
	"	xor %edx, %edx\n"
	".global div_insn\n"
	"div_insn:\n"
	"	div %ecx\n"
	".global div_after\n"
	"div_after:\n"
	"	ret\n"
	/* void single_step(void): TF on, two nops */
	".global single_step\n"
	"single_step:\n"
	"	pushf\n"
	"	orq $0x100, (%rsp)\n"
	"	popf\n"
	".global step_1\n"
	"step_1:\n"
	"	nop\n"
	".global step_2\n"
	"step_2:\n"
	"	nop\n"
	"	ret\n"
	/* uint64_t step_syscall(void): a Yield with TF on */
	".global step_syscall\n"
	"step_syscall:\n"
	"	pushf\n"
	"	orq $0x100, (%rsp)\n"
	"	popf\n"
	"	mov $-8, %rax\n"
	".global step_syscall_insn\n"
	"step_syscall_insn:\n"
	"	syscall\n"
	".global step_syscall_after\n"
	"step_syscall_after:\n"
	"	nop\n"
	".global step_syscall_nop_after\n"
	"step_syscall_nop_after:\n"
	"	ret\n");

#define STUB(name, insn)                                                      \
	__asm__(".text\n.global " #name "\n" #name ":\n" insn "\n"             \
		".global " #name "_ret\n" #name "_ret:\n ret\n");              \
	extern char name[], name##_ret[]

STUB(x_int3, "int3; nop"); /* a trap: rip after it, before _ret */
STUB(x_int1, "int1");
STUB(x_int_0e, "int $0x0e");
STUB(x_int_20, "int $0x20");
STUB(x_int_23, "int $0x23");
STUB(x_int_80, "int $0x80");
STUB(x_int_f0, "int $0xf0");
STUB(x_int_ff, "int $0xff");
STUB(x_hlt, "hlt");
STUB(x_cli, "cli");
STUB(x_in, "in $0x21, %al");
STUB(x_out, "out %al, $0x21");
STUB(x_wrmsr, "wrmsr");
STUB(x_rdmsr, "rdmsr");
STUB(x_movcr3, "mov %cr3, %rax");
STUB(x_lidt, "lidt (%rsp)");
STUB(x_invlpg, "invlpg (%rsp)");
STUB(x_sysenter, "sysenter");
STUB(x_swapgs, "swapgs");
STUB(x_noncanon, "movabs $0x8000000000000000, %rax; mov (%rax), %rax");
STUB(x_kernel_read, "movabs $0xFFFFFFFF80000000, %rax; mov (%rax), %rax");

extern char pf_load_insn[], ud2_insn[], ud2_after[];
extern char div_zero[], div_insn[], div_after[];
extern char single_step[], step_1[], step_2[];
extern char step_syscall[], step_syscall_insn[], step_syscall_after[];
extern char step_syscall_nop_after[];

uint64_t pf_load(uint64_t *p);
void ud2_store(uint64_t *out);

struct fjob {
	void (*fn)(uint64_t);
	uint64_t arg;
	volatile uint64_t result;
	volatile int done;
};

static void
fjob_thread(uint64_t arg)
{
	struct fjob *j = (struct fjob *)arg;
	j->fn(j->arg);
	j->done = 1;
}

static void
load_job(uint64_t arg)
{
	static volatile uint64_t got;
	got = pf_load((uint64_t *)arg);
	*(volatile uint64_t *)(arg + 8) = got;
}

/* Start a thread that runs fn(arg) with fault endpoint fep. */
static void
fstart(struct kthread *t, struct fjob *j, void (*fn)(uint64_t), uint64_t arg,
       uint64_t fep, uint64_t vs)
{
	*j = (struct fjob){.fn = fn, .arg = arg};
	thread_start(t, fjob_thread, (uint64_t)j, 100, vs, fep);
}

struct pf_ctx {
	uint64_t vspace, root_va; /* root_va: the root's view of the page */
	struct fault_msg f;
	int n;
};

static int
pf_map(struct fault_msg *f, uint64_t *regs, void *ctx)
{
	struct pf_ctx *c = ctx;
	c->f = *f;
	c->n++;
	if (f->type != UX_FAULT_PAGE)
		return -1;
	uint64_t fr = obj_new(UX_CAP_FRAME, 0), va = va_alloc(4096);
	/* the root fills the page, through a copy mapped at its own va */
	uint64_t cp = slot_alloc();
	ux_cnode_copy(ROOT, cp, D, ROOT, fr, D, UX_R_ALL);
	map_frame(VSPACE, cp, va, UX_R_READ | UX_R_WRITE);
	*(volatile uint64_t *)(va + (f->w0 & 0xFF8)) = 0x5A5A;
	c->root_va = va;
	if (map_frame(c->vspace, fr, f->w0 & ~0xFFFull, UX_R_READ | UX_R_WRITE))
		return -1;
	return 0;
}

KTEST(fault_page_fault_handled)
{
	static struct fjob j; /* static: used from another space too */
	uint64_t fep = obj_new(UX_CAP_ENDPOINT, 0), va = va_alloc(4096);
	struct pf_ctx c = {.vspace = VSPACE};
	struct kthread t;

	fstart(&t, &j, load_job, va + 0x10, fep, VSPACE);
	CHECK_EQ(serve_faults(fep, &j.done, pf_map, &c, 3), 1);
	CHECK_EQ(c.f.type, UX_FAULT_PAGE);
	CHECK_EQ(c.f.len, UX_FAULT_REGS + UX_REG_COUNT);
	CHECK_EQ(c.f.w0, va + 0x10);
	CHECK_EQ(c.f.w1 & (UX_PF_PRESENT | UX_PF_WRITE | UX_PF_USER),
		 UX_PF_USER);
	CHECK_EQ(c.f.regs[UX_REG_RIP], (uint64_t)pf_load_insn);
	CHECK_EQ(c.f.regs[UX_REG_RBX], 0xB0B0);
	CHECK_EQ(c.f.regs[UX_REG_R12], 0x1212);
	CHECK_EQ(c.f.regs[UX_REG_R15], 0x1515);
	CHECK_EQ(c.f.regs[UX_REG_RDI], va + 0x10);
	CHECK_EQ(c.f.regs[UX_REG_FS_BASE], (uint64_t)t.ipc);
	CHECK(c.f.regs[UX_REG_RSP] < t.stack_top &&
	      c.f.regs[UX_REG_RSP] > t.stack_top - 16384);
	CHECK_EQ(c.f.regs[UX_REG_RFLAGS] & 0x200, 0x200);
	/* the load was retried and saw the page the handler mapped */
	CHECK_EQ(*(volatile uint64_t *)(va + 0x18), 0x5A5A);
	thread_kill(&t);
	/* the same for a thread in another address space */
	uint64_t vs = vspace_new();
	c = (struct pf_ctx){.vspace = vs};
	fstart(&t, &j, load_job, va + 0x2000 + 0x10, fep, vs);
	CHECK_EQ(serve_faults(fep, &j.done, pf_map, &c, 3), 1);
	CHECK_EQ(c.f.w0, va + 0x2010);
	CHECK_EQ(c.f.regs[UX_REG_RIP], (uint64_t)pf_load_insn);
	CHECK_EQ(*(volatile uint64_t *)(c.root_va + 0x18), 0x5A5A);
	thread_kill(&t);
	return 0;
}

static void
ud2_job(uint64_t arg)
{
	ud2_store((uint64_t *)arg);
}

static void
div_job(uint64_t arg)
{
	((void (*)(void))div_zero)();
}

/* Resume exceptions at a given address, with rax set. */
struct exc_ctx {
	uint64_t resume_at, rax;
	struct fault_msg f;
	int n, reply_len;
};

static int
exc_resume(struct fault_msg *f, uint64_t *regs, void *ctx)
{
	struct exc_ctx *c = ctx;
	c->f = *f;
	c->n++;
	if (f->type != UX_FAULT_EXCEPTION)
		return -1;
	regs[UX_REG_RIP] = c->resume_at;
	regs[UX_REG_RAX] = c->rax;
	return c->reply_len ? c->reply_len : UX_REG_RIP + 1;
}

KTEST(fault_exception_ud2)
{
	uint64_t fep = obj_new(UX_CAP_ENDPOINT, 0);
	volatile uint64_t out = 0;
	struct exc_ctx c = {.resume_at = (uint64_t)ud2_after, .rax = 0x77};
	struct fjob j;
	struct kthread t;

	fstart(&t, &j, ud2_job, (uint64_t)&out, fep, VSPACE);
	CHECK_EQ(serve_faults(fep, &j.done, exc_resume, &c, 3), 1);
	CHECK_EQ(c.f.type, UX_FAULT_EXCEPTION);
	CHECK_EQ(c.f.w0, 6); /* #UD */
	CHECK_EQ(c.f.w1, 0);
	CHECK_EQ(c.f.regs[UX_REG_RIP], (uint64_t)ud2_insn);
	CHECK_EQ(c.f.regs[UX_REG_RAX], 0x1111);
	CHECK_EQ(c.f.regs[UX_REG_RDI], (uint64_t)&out);
	CHECK_EQ(out, 0x77);
	thread_kill(&t);
	/* a reply longer than the register set is cut to it */
	out = 0;
	c = (struct exc_ctx){.resume_at = (uint64_t)ud2_after, .rax = 0x78,
			     .reply_len = UX_MSG_MAX_MRS};
	fstart(&t, &j, ud2_job, (uint64_t)&out, fep, VSPACE);
	CHECK_EQ(serve_faults(fep, &j.done, exc_resume, &c, 3), 1);
	CHECK_EQ(out, 0x78);
	thread_kill(&t);
	return 0;
}

KTEST(fault_exception_divide)
{
	uint64_t fep = obj_new(UX_CAP_ENDPOINT, 0);
	struct exc_ctx c = {.resume_at = (uint64_t)div_after};
	struct fjob j;
	struct kthread t;

	fstart(&t, &j, div_job, 0, fep, VSPACE);
	CHECK_EQ(serve_faults(fep, &j.done, exc_resume, &c, 3), 1);
	CHECK_EQ(c.f.w0, 0); /* #DE */
	CHECK_EQ(c.f.regs[UX_REG_RIP], (uint64_t)div_insn);
	CHECK_EQ(c.f.regs[UX_REG_RCX], 0);
	CHECK_EQ(c.f.regs[UX_REG_RAX], 1);
	thread_kill(&t);
	return 0;
}

/* A bad rip in the reply is ignored (the rest applies): the thread runs
 * the faulting instruction again and faults again. */
static int
bad_then_good(struct fault_msg *f, uint64_t *regs, void *ctx)
{
	struct exc_ctx *c = ctx;
	c->n++;
	c->f = *f;
	regs[UX_REG_RIP] = c->n == 1 ? UX_USER_TOP : c->resume_at;
	regs[UX_REG_RAX] = 0x100 + (uint64_t)c->n;
	return UX_REG_RIP + 1;
}

KTEST(fault_reply_with_bad_rip)
{
	uint64_t fep = obj_new(UX_CAP_ENDPOINT, 0);
	volatile uint64_t out = 0;
	struct exc_ctx c = {.resume_at = (uint64_t)ud2_after};
	struct fjob j;
	struct kthread t;

	fstart(&t, &j, ud2_job, (uint64_t)&out, fep, VSPACE);
	CHECK_EQ(serve_faults(fep, &j.done, bad_then_good, &c, 4), 2);
	CHECK_EQ(c.f.regs[UX_REG_RAX], 0x101); /* rax of the first reply */
	CHECK_EQ(c.f.regs[UX_REG_RIP], (uint64_t)ud2_insn);
	CHECK_EQ(out, 0x102);
	thread_kill(&t);
	return 0;
}

/* Single step: a debug trap after each instruction while TF is on. */
struct step_ctx {
	uint64_t rip[8], vec[8];
	int n;
};

static int
step_handler(struct fault_msg *f, uint64_t *regs, void *ctx)
{
	struct step_ctx *c = ctx;
	if (c->n < 8) {
		c->rip[c->n] = regs[UX_REG_RIP];
		c->vec[c->n] = f->type == UX_FAULT_EXCEPTION ? f->w0 : 100;
	}
	c->n++;
	if (f->type != UX_FAULT_EXCEPTION || f->w0 != 1)
		return -1;
	if (c->n >= 2)
		regs[UX_REG_RFLAGS] &= ~0x100ull; /* enough: TF off */
	return UX_REG_RFLAGS + 1;
}

static void
step_job(uint64_t arg)
{
	((void (*)(void))arg)();
}

KTEST(fault_single_step)
{
	uint64_t fep = obj_new(UX_CAP_ENDPOINT, 0);
	struct step_ctx c = {.n = 0};
	struct fjob j;
	struct kthread t;

	fstart(&t, &j, step_job, (uint64_t)single_step, fep, VSPACE);
	CHECK_EQ(serve_faults(fep, &j.done, step_handler, &c, 5), 2);
	CHECK_EQ(c.vec[0], 1);
	CHECK_EQ(c.rip[0], (uint64_t)step_2);
	CHECK_EQ(c.vec[1], 1);
	thread_kill(&t);
	/* TF on across a system call: the kernel must not trap on it; the
	 * next trap comes after the instruction that follows it (it leaves
	 * by iret, as hardware traps after the first instruction then) */
	c = (struct step_ctx){.n = 0};
	fstart(&t, &j, step_job, (uint64_t)step_syscall, fep, VSPACE);
	int n = serve_faults(fep, &j.done, step_handler, &c, 5);
	CHECK(n >= 1 && n <= 2);
	CHECK_EQ(c.vec[0], 1);
	CHECK_EQ(c.rip[0], (uint64_t)step_syscall_insn);
	if (n == 2)
		CHECK_EQ(c.rip[1], (uint64_t)step_syscall_nop_after);
	thread_kill(&t);
	return 0;
}

/* Privileged instructions and software interrupts from user mode. An
 * INT n through a gate user mode may not use is a #GP whose error code
 * names the IDT entry: n * 8 + 2 on hardware, n * 16 + 2 under QEMU's
 * emulation; IDT(n) stands for either. int3 is a breakpoint user mode may
 * use (as on Linux): a trap, vector 3, rip after it. */
#define IDT(n) (1ull << 63 | (n))
static const struct {
	const char *name;
	char *at, *ret;
	uint64_t vector, error; /* ~0: any */
} insns[] = {
	{"int3", x_int3, x_int3_ret, 3, 0},
	{"int1", x_int1, x_int1_ret, ~0ull, ~0ull},
	{"int 0x0e", x_int_0e, x_int_0e_ret, 13, IDT(0x0e)},
	{"int 0x20", x_int_20, x_int_20_ret, 13, IDT(0x20)},
	{"int 0x23", x_int_23, x_int_23_ret, 13, IDT(0x23)},
	{"int 0x80", x_int_80, x_int_80_ret, 13, IDT(0x80)},
	{"int 0xf0", x_int_f0, x_int_f0_ret, 13, IDT(0xf0)},
	{"int 0xff", x_int_ff, x_int_ff_ret, 13, IDT(0xff)},
	{"hlt", x_hlt, x_hlt_ret, 13, 0},
	{"cli", x_cli, x_cli_ret, 13, 0},
	{"in", x_in, x_in_ret, 13, 0},
	{"out", x_out, x_out_ret, 13, 0},
	{"wrmsr", x_wrmsr, x_wrmsr_ret, 13, 0},
	{"rdmsr", x_rdmsr, x_rdmsr_ret, 13, 0},
	{"mov cr3", x_movcr3, x_movcr3_ret, 13, 0},
	{"lidt", x_lidt, x_lidt_ret, 13, 0},
	{"invlpg", x_invlpg, x_invlpg_ret, 13, 0},
	{"sysenter", x_sysenter, x_sysenter_ret, ~0ull, ~0ull},
	{"swapgs", x_swapgs, x_swapgs_ret, 13, 0},
	{"non-canonical load", x_noncanon, x_noncanon_ret, 13, 0},
};

static void
insn_job(uint64_t arg)
{
	for (unsigned i = 0; i < ARRAY_LEN(insns); i++)
		((void (*)(void))insns[i].at)();
}

struct insn_ctx {
	unsigned n, bad;
};

static int
error_ok(uint64_t want, uint64_t got)
{
	if (want == ~0ull)
		return 1;
	if (!(want >> 63))
		return got == want;
	want &= 0xFF;
	return got == want * 8 + 2 || got == want * 16 + 2;
}

static int
skip_insn(struct fault_msg *f, uint64_t *regs, void *ctx)
{
	struct insn_ctx *c = ctx;
	unsigned i;

	for (i = 0; i < ARRAY_LEN(insns); i++)
		if (regs[UX_REG_RIP] >= (uint64_t)insns[i].at &&
		    regs[UX_REG_RIP] < (uint64_t)insns[i].ret)
			break;
	c->n++;
	if (i == ARRAY_LEN(insns) || f->type != UX_FAULT_EXCEPTION ||
	    (insns[i].vector != ~0ull && f->w0 != insns[i].vector) ||
	    !error_ok(insns[i].error, f->w1)) {
		printf("ktest:   %s: type %lu vector %lu error %#lx rip %#lx\n",
		       i < ARRAY_LEN(insns) ? insns[i].name : "?",
		       (unsigned long)f->type, (unsigned long)f->w0,
		       (unsigned long)f->w1, (unsigned long)regs[UX_REG_RIP]);
		c->bad++;
	}
	if (i == ARRAY_LEN(insns))
		return -1;
	regs[UX_REG_RIP] = (uint64_t)insns[i].ret;
	return UX_REG_RIP + 1;
}

KTEST(fault_privileged_and_int_n)
{
	uint64_t fep = obj_new(UX_CAP_ENDPOINT, 0);
	struct insn_ctx c = {0};
	struct fjob j;
	struct kthread t;

	fstart(&t, &j, insn_job, 0, fep, VSPACE);
	int n = serve_faults(fep, &j.done, skip_insn, &c, 40);
	CHECK_EQ(n, (int)ARRAY_LEN(insns));
	CHECK_EQ(c.bad, 0);
	thread_kill(&t);
	/* a load from the kernel's half: a protection page fault */
	struct pf_ctx p = {.vspace = VSPACE};
	fstart(&t, &j, step_job, (uint64_t)x_kernel_read, fep, VSPACE);
	/* (the handler cannot map there: no reply, the thread waits) */
	CHECK_EQ(serve_faults(fep, &j.done, pf_map, &p, 1), -1);
	CHECK_EQ(p.n, 1);
	CHECK_EQ(p.f.type, UX_FAULT_PAGE);
	CHECK_EQ(p.f.w0, 0xFFFFFFFF80000000ull);
	CHECK_EQ(p.f.w1 & (UX_PF_PRESENT | UX_PF_USER),
		 UX_PF_PRESENT | UX_PF_USER);
	thread_kill(&t);
	return 0;
}

/* Foreign system calls: Linux's convention (rax number, rdi, rsi, rdx,
 * r10, r8, r9 arguments). */
static uint64_t
lx_syscall6(uint64_t nr, uint64_t a, uint64_t b, uint64_t c, uint64_t d,
	    uint64_t e, uint64_t f)
{
	register uint64_t r10 __asm__("r10") = d;
	register uint64_t r8 __asm__("r8") = e;
	register uint64_t r9 __asm__("r9") = f;
	uint64_t rax = nr;
	__asm__ volatile("syscall"
			 : "+a"(rax), "+D"(a), "+S"(b), "+d"(c), "+r"(r10),
			   "+r"(r8), "+r"(r9)
			 :
			 : "rcx", "r11", "memory");
	return rax;
}

static void
linux_job(uint64_t arg)
{
	volatile uint64_t *out = (volatile uint64_t *)arg;
	out[0] = lx_syscall6(39, 1, 2, 3, 4, 5, 6);  /* getpid */
	out[1] = lx_syscall6(0, 10, 20, 30, 40, 50, 60);
	out[2] = lx_syscall6(~0ull >> 1, 0, 0, 0, 0, 0, 0);
}

struct lx_ctx {
	struct fault_msg f[3];
	int n;
};

static int
lx_handler(struct fault_msg *f, uint64_t *regs, void *ctx)
{
	struct lx_ctx *c = ctx;
	if (c->n < 3)
		c->f[c->n] = *f;
	c->n++;
	if (f->type != UX_FAULT_SYSCALL)
		return -1;
	if (c->n == 2)
		return 0; /* no registers: rax stays the number */
	regs[UX_REG_RAX] = 1000 + (uint64_t)c->n;
	return 1;
}

KTEST(fault_foreign_syscall)
{
	uint64_t fep = obj_new(UX_CAP_ENDPOINT, 0);
	volatile uint64_t out[3] = {0};
	struct lx_ctx c = {.n = 0};
	struct fjob j;
	struct kthread t;

	fstart(&t, &j, linux_job, (uint64_t)out, fep, VSPACE);
	CHECK_EQ(serve_faults(fep, &j.done, lx_handler, &c, 5), 3);
	CHECK_EQ(c.f[0].type, UX_FAULT_SYSCALL);
	CHECK_EQ(c.f[0].w0, 39);
	CHECK_EQ(c.f[0].w1, 0);
	CHECK_EQ(c.f[0].regs[UX_REG_RAX], 39);
	CHECK_EQ(c.f[0].regs[UX_REG_RDI], 1);
	CHECK_EQ(c.f[0].regs[UX_REG_RSI], 2);
	CHECK_EQ(c.f[0].regs[UX_REG_RDX], 3);
	CHECK_EQ(c.f[0].regs[UX_REG_R10], 4);
	CHECK_EQ(c.f[0].regs[UX_REG_R8], 5);
	CHECK_EQ(c.f[0].regs[UX_REG_R9], 6);
	/* rip is after the syscall instruction */
	CHECK_EQ(*(uint16_t *)(c.f[0].regs[UX_REG_RIP] - 2), 0x050F);
	CHECK_EQ(c.f[1].w0, 0);
	CHECK_EQ(c.f[1].regs[UX_REG_R9], 60);
	CHECK_EQ(c.f[2].w0, ~0ull >> 1);
	CHECK_EQ(out[0], 1001);
	CHECK_EQ(out[1], 0);
	CHECK_EQ(out[2], 1003);
	thread_kill(&t);
	return 0;
}

/* Without a usable fault handler a thread stops where it faulted. */
KTEST(fault_without_handler_stops)
{
	volatile uint64_t out = 0;
	uint64_t regs[UX_REG_COUNT], ep = obj_new(UX_CAP_ENDPOINT, 0);
	uint64_t ro = slot_alloc();
	struct fjob j;
	struct kthread t;

	fstart(&t, &j, ud2_job, (uint64_t)&out, 0, VSPACE);
	settle();
	CHECK(!j.done);
	CHECK_EQ(ux_tcb_read_regs(t.tcb, regs), UX_OK);
	CHECK_EQ(regs[UX_REG_RIP], (uint64_t)ud2_insn);
	/* resumed, it faults again */
	CHECK_EQ(ux_tcb_resume(t.tcb), UX_OK);
	settle();
	CHECK(!j.done);
	/* given a handler later, it can go on */
	struct exc_ctx c = {.resume_at = (uint64_t)ud2_after, .rax = 5};
	CHECK_EQ(ux_tcb_configure(t.tcb, ep, ROOT, root_guard, VSPACE,
				  (uint64_t)t.ipc, t.frame),
		 UX_OK);
	CHECK_EQ(ux_tcb_resume(t.tcb), UX_OK);
	CHECK_EQ(serve_faults(ep, &j.done, exc_resume, &c, 3), 1);
	CHECK_EQ(out, 5);
	thread_kill(&t);
	/* a fault endpoint without the write right is no handler */
	CHECK_EQ(ux_cnode_mint(ROOT, ro, D, ROOT, ep, D, UX_R_READ, 0), UX_OK);
	fstart(&t, &j, ud2_job, (uint64_t)&out, ro, VSPACE);
	settle();
	CHECK(!j.done);
	struct fault_msg f;
	CHECK_EQ(fault_recv(ep, 0, &f, 0), UX_E_WOULD_BLOCK);
	thread_kill(&t);
	/* a page fault without handler: the same */
	fstart(&t, &j, load_job, va_alloc(4096), 0, VSPACE);
	settle();
	CHECK(!j.done);
	thread_kill(&t);
	return 0;
}

/* The handler goes away while a fault waits: the thread stops. */
KTEST(fault_handler_gone)
{
	volatile uint64_t out = 0;
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), rp = obj_new(UX_CAP_REPLY, 0);
	struct fault_msg f;
	struct fjob j;
	struct kthread t;

	/* the endpoint deleted while the fault is queued on it */
	fstart(&t, &j, ud2_job, (uint64_t)&out, ep, VSPACE);
	settle();
	CHECK_EQ(ux_cnode_revoke(ROOT, ep, D), UX_OK); /* the TCB's copy */
	CHECK_EQ(ux_cnode_delete(ROOT, ep, D), UX_OK);
	settle();
	CHECK(!j.done);
	thread_kill(&t);
	/* the reply object deleted after the handler took the fault */
	ep = obj_new(UX_CAP_ENDPOINT, 0);
	fstart(&t, &j, ud2_job, (uint64_t)&out, ep, VSPACE);
	settle();
	CHECK_EQ(fault_recv(ep, rp, &f, 0), UX_OK);
	CHECK_EQ(f.type, UX_FAULT_EXCEPTION);
	CHECK_EQ(ux_cnode_delete(ROOT, rp, D), UX_OK);
	settle();
	CHECK(!j.done);
	thread_kill(&t);
	/* a handler receiving without a reply object */
	fstart(&t, &j, ud2_job, (uint64_t)&out, ep, VSPACE);
	settle();
	CHECK_EQ(fault_recv(ep, 0, &f, 0), UX_OK);
	CHECK_EQ(f.type, UX_FAULT_EXCEPTION);
	settle();
	CHECK(!j.done);
	/* and reconfigured with a proper handler it can still go on */
	rp = obj_new(UX_CAP_REPLY, 0);
	CHECK_EQ(ux_tcb_resume(t.tcb), UX_OK);
	settle();
	CHECK_EQ(fault_recv(ep, rp, &f, 0), UX_OK);
	CHECK_EQ(f.w0, 6);
	uint64_t regs[UX_REG_COUNT];
	memcpy(regs, f.regs, sizeof regs);
	regs[UX_REG_RIP] = (uint64_t)ud2_after;
	regs[UX_REG_RAX] = 9;
	CHECK_EQ(fault_reply(rp, regs, UX_REG_RIP + 1), UX_OK);
	settle();
	CHECK(j.done);
	CHECK_EQ(out, 9);
	thread_kill(&t);
	return 0;
}

/* A handler without an IPC buffer sees the first four words only. */
KTEST(fault_handler_without_ipc_buffer)
{
	volatile uint64_t out = 0;
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0);
	struct op h = {.kind = OP_RECV, .cap = ep};
	struct thread_opts to = {.fn = op_thread, .arg = (uint64_t)&h,
				 .prio = 150, .no_ipcbuf = 1};
	struct fjob j;
	struct kthread t, th;

	thread_start_ex(&th, &to);
	fstart(&t, &j, ud2_job, (uint64_t)&out, ep, VSPACE);
	settle();
	CHECK(h.done);
	CHECK_EQ(h.res, UX_OK);
	CHECK_EQ(ux_mi_label(h.m.info), UX_FAULT_EXCEPTION);
	CHECK_EQ(ux_mi_len(h.m.info), UX_REG_MRS);
	CHECK_EQ(h.m.mr[0], 6);
	CHECK_EQ(h.m.mr[2], 0x1111); /* rax */
	thread_kill(&t);
	thread_kill(&th);
	return 0;
}

/* A Linux thread's file call (kernel/src/lxfile.c) cancelled because its
 * reply object is deleted goes to its fault handler as the foreign system
 * call it was. Here the handler waits on that very reply object: the
 * cancellation must not leave the thread bound to the deleted object
 * (the kernel would later write into its memory). */
static uint8_t lx_buf[64];

static void
lx_read_job(uint64_t fd)
{
	lx_syscall6(0, fd, (uint64_t)lx_buf, 16, 0, 0, 0); /* read */
}

KTEST(fault_linux_file_call_cancelled)
{
	uint64_t u = untyped_new(12), r1 = slot_alloc(), f = slot_alloc();
	uint64_t x = obj_new(UX_CAP_ENDPOINT, 0), fep = obj_new(UX_CAP_ENDPOINT, 0);
	struct op h = {.kind = OP_RECV, .cap = fep};
	struct kthread th, tt;
	struct ux_msg m = {0};

	CHECK_EQ(ux_untyped_retype(u, UX_CAP_REPLY, 0, ROOT, 0, 0, r1, 1),
		 UX_OK);
	h.reply = r1;
	thread_start(&th, op_thread, (uint64_t)&h, 150, VSPACE, 0);
	struct thread_opts o = {.fn = lx_read_job, .arg = x, .prio = 100,
				.fault_ep = fep, .no_resume = 1};
	thread_start_ex(&tt, &o);
	CHECK_EQ(ux_tcb_set_flags(tt.tcb, UX_TCB_F_LINUX_FILES), UX_OK);
	CHECK_EQ(ux_tcb_resume(tt.tcb), UX_OK);
	settle();
	CHECK(!h.done);
	/* take the file call with the reply object the handler waits with */
	CHECK_EQ(ux_nbrecv(x, r1, &m), UX_OK);
	CHECK_EQ(ux_mi_label(m.info), UX_FILE_READ);
	CHECK_EQ(ux_cnode_delete(ROOT, r1, D), UX_OK);
	settle();
	CHECK(h.done);
	CHECK_EQ(h.res, UX_OK);
	CHECK_EQ(ux_mi_label(h.m.info), UX_FAULT_SYSCALL);
	CHECK_EQ(h.m.mr[0], 0); /* read */
	/* the reply object's memory, reused, is not touched again */
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_FRAME, 0, ROOT, 0, 0, f, 1),
		 UX_OK);
	uint64_t va = va_alloc(4096);
	CHECK_EQ(map_frame(VSPACE, f, va, UX_R_READ | UX_R_WRITE), UX_OK);
	memset((void *)va, 0xFF, 4096);
	thread_kill(&tt);
	thread_kill(&th);
	for (unsigned i = 0; i < 4096 / 8; i++)
		CHECK_EQ(((volatile uint64_t *)va)[i], ~0ull);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	return 0;
}

/* A foreign system call made with no fault handler stops the thread at
 * the call, like any fault: resumed once it has a handler, the thread
 * makes the call again (it is not skipped). */
static void
lx_getpid_job(uint64_t arg)
{
	*(volatile uint64_t *)arg = lx_syscall6(39, 0, 0, 0, 0, 0, 0);
}

KTEST(fault_foreign_syscall_without_handler)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), regs[UX_REG_COUNT];
	volatile uint64_t out = 0;
	struct lx_ctx c = {.n = 0};
	struct fjob j;
	struct kthread t;

	fstart(&t, &j, lx_getpid_job, (uint64_t)&out, 0, VSPACE);
	settle();
	CHECK(!j.done);
	CHECK_EQ(ux_tcb_read_regs(t.tcb, regs), UX_OK);
	CHECK_EQ(*(uint16_t *)regs[UX_REG_RIP], 0x050F); /* at the syscall */
	CHECK_EQ(regs[UX_REG_RAX], 39);
	CHECK_EQ(ux_tcb_configure(t.tcb, ep, ROOT, root_guard, VSPACE,
				  (uint64_t)t.ipc, t.frame),
		 UX_OK);
	CHECK_EQ(ux_tcb_resume(t.tcb), UX_OK);
	CHECK_EQ(serve_faults(ep, &j.done, lx_handler, &c, 3), 1);
	CHECK_EQ(c.f[0].type, UX_FAULT_SYSCALL);
	CHECK_EQ(c.f[0].w0, 39);
	CHECK_EQ(out, 1001);
	thread_kill(&t);
	return 0;
}

/* Suspending a thread that is in a Linux file call winds the call back
 * (rip at the syscall, rax its number) and says so; the server's reply
 * object no longer reaches it, and the resumed thread makes the call
 * again. A thread in plain code is not "in a call". */
KTEST(tcb_suspend_winds_back_linux_file_call)
{
	uint64_t u = untyped_new(12), r1 = slot_alloc(), regs[UX_REG_COUNT];
	uint64_t x = obj_new(UX_CAP_ENDPOINT, 0), fep = obj_new(UX_CAP_ENDPOINT, 0);
	struct kthread tt;
	struct ux_msg m = {0};
	bool again = false;

	CHECK_EQ(ux_untyped_retype(u, UX_CAP_REPLY, 0, ROOT, 0, 0, r1, 1),
		 UX_OK);
	struct thread_opts o = {.fn = lx_read_job, .arg = x, .prio = 100,
				.fault_ep = fep, .no_resume = 1};
	thread_start_ex(&tt, &o);
	CHECK_EQ(ux_tcb_set_flags(tt.tcb, UX_TCB_F_LINUX_FILES), UX_OK);
	CHECK_EQ(ux_tcb_resume(tt.tcb), UX_OK);
	settle();
	CHECK_EQ(ux_nbrecv(x, r1, &m), UX_OK);
	CHECK_EQ(ux_mi_label(m.info), UX_FILE_READ);
	CHECK_EQ(ux_tcb_suspend(tt.tcb, &again), UX_OK);
	CHECK(again);
	CHECK_EQ(ux_tcb_read_regs(tt.tcb, regs), UX_OK);
	CHECK_EQ(*(uint16_t *)regs[UX_REG_RIP], 0x050F); /* at the syscall */
	CHECK_EQ(regs[UX_REG_RAX], 0);                  /* read, again */
	m = (struct ux_msg){.info = ux_msginfo(0, 1, 0, 0), .mr = {3}};
	CHECK_EQ(ux_reply(r1, &m), UX_E_ILLEGAL_OPERATION); /* nobody */
	CHECK_EQ(ux_tcb_suspend(tt.tcb, &again), UX_OK);
	CHECK(!again); /* already stopped: no call in progress */
	CHECK_EQ(ux_tcb_resume(tt.tcb), UX_OK);
	settle();
	m = (struct ux_msg){0};
	CHECK_EQ(ux_nbrecv(x, r1, &m), UX_OK); /* made again */
	CHECK_EQ(ux_mi_label(m.info), UX_FILE_READ);
	CHECK_EQ(m.mr[1], 16);
	thread_kill(&tt);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	return 0;
}

/* The same for a foreign system call waiting for its fault handler. */
KTEST(tcb_suspend_winds_back_foreign_syscall)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), regs[UX_REG_COUNT];
	volatile uint64_t out = 0;
	struct fjob j;
	struct kthread t;
	bool again = false;

	fstart(&t, &j, lx_getpid_job, (uint64_t)&out, ep, VSPACE);
	settle();
	CHECK(!j.done);
	CHECK_EQ(ux_tcb_suspend(t.tcb, &again), UX_OK);
	CHECK(again);
	CHECK_EQ(ux_tcb_read_regs(t.tcb, regs), UX_OK);
	CHECK_EQ(*(uint16_t *)regs[UX_REG_RIP], 0x050F);
	CHECK_EQ(regs[UX_REG_RAX], 39);
	thread_kill(&t);
	return 0;
}
