/*
 * test_tcb.c - thread control blocks: Configure (and each argument it
 * checks), Read/WriteRegisters (bad rip, fs/gs bases and flags refused or
 * sanitised), Resume, Suspend (also of threads blocked in IPC), priority
 * and maximum controlled priority, notification binding, deleting a live
 * thread, threads without an IPC buffer, a private CSpace with a guard,
 * and FPU/SSE state kept apart between threads.
 */
#include "ktest.h"

static volatile int flag;

static void
set_flag(uint64_t v)
{
	flag = (int)v;
}

/* A configured thread that has not been resumed. */
static void
idle_thread(struct kthread *t, unsigned prio)
{
	struct thread_opts o = {.fn = set_flag, .arg = 1, .prio = prio,
				.no_resume = 1};
	thread_start_ex(t, &o);
}

KTEST(tcb_configure_errors)
{
	uint64_t t = obj_new(UX_CAP_TCB, 0), ep = obj_new(UX_CAP_ENDPOINT, 0);
	uint64_t f = obj_new(UX_CAP_FRAME, 0), va = 0x50000000;
	uint64_t empty = slot_alloc(), big = obj_new(UX_CAP_FRAME_2M, 0);
	uint64_t g = root_guard;
	uint64_t mr[3] = {0, g, va}, caps[3] = {ROOT, VSPACE, f};

	CHECK_EQ(inv_raw(t, UX_TCB_CONFIGURE, 2, mr, 3, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(t, UX_TCB_CONFIGURE, 3, mr, 2, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(ux_tcb_configure(t, 0, ep, g, VSPACE, va, f),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_tcb_configure(t, 0, empty, g, VSPACE, va, f),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_tcb_configure(t, 0, 1ull << 50, g, VSPACE, va, f),
		 UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_tcb_configure(t, 0, ROOT, g, ROOT, va, f),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_tcb_configure(t, 0, ROOT, g, VSPACE, va, ep),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_tcb_configure(t, 0, ROOT, g, VSPACE, va, big),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_tcb_configure(t, 0, ROOT, g, VSPACE, va + 8, f),
		 UX_E_ALIGNMENT);
	CHECK_EQ(ux_tcb_configure(t, 0, ROOT, g, VSPACE, UX_USER_TOP, f),
		 UX_E_ALIGNMENT);
	CHECK_EQ(ux_tcb_configure(t, f, ROOT, g, VSPACE, va, f),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_tcb_configure(t, empty, ROOT, g, VSPACE, va, f),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_tcb_configure(t, 1ull << 50, ROOT, g, VSPACE, va, f),
		 UX_E_FAILED_LOOKUP);
	CHECK_EQ(ux_tcb_configure(t, 0, ROOT, 63, VSPACE, va, f),
		 UX_E_INVALID_ARGUMENT);
	CHECK_EQ(ux_tcb_configure(t, 0, ROOT, 1 | 2 << 8, VSPACE, va, f),
		 UX_E_INVALID_ARGUMENT);
	/* device memory is no IPC buffer */
	uint64_t dev = device_untyped(NULL), df = slot_alloc();
	CHECK(dev != 0);
	CHECK_EQ(ux_untyped_retype(dev, UX_CAP_FRAME, 0, ROOT, 0, 0, df, 1),
		 UX_OK);
	CHECK_EQ(ux_tcb_configure(t, 0, ROOT, g, VSPACE, va, df),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_cnode_revoke(ROOT, dev, D), UX_OK);
	/* nothing was configured by the failures */
	CHECK_EQ(ux_tcb_resume(t), UX_E_ILLEGAL_OPERATION);
	/* an empty IPC-buffer slot means no IPC buffer */
	CHECK_EQ(ux_tcb_configure(t, ep, ROOT, g, VSPACE, 0, empty), UX_OK);
	CHECK_EQ(ux_tcb_configure(t, ep, ROOT, g, VSPACE, va, f), UX_OK);
	/* other operations on a TCB */
	CHECK_EQ(inv_raw(t, 99, 0, mr, 0, caps), UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_cnode_delete(ROOT, t, D), UX_OK);
	return 0;
}

KTEST(tcb_resume_needs_configuration)
{
	uint64_t t = obj_new(UX_CAP_TCB, 0);
	uint64_t regs[UX_REG_COUNT] = {0};

	CHECK_EQ(ux_tcb_resume(t), UX_E_ILLEGAL_OPERATION);
	regs[UX_REG_RIP] = (uint64_t)set_flag;
	CHECK_EQ(ux_tcb_write_regs(t, 1, UX_REG_COUNT, regs),
		 UX_E_ILLEGAL_OPERATION);
	uint64_t r[UX_REG_COUNT];
	CHECK_EQ(ux_tcb_read_regs(t, r), UX_OK);
	CHECK_EQ(r[UX_REG_RIP], 0); /* the refused write changed nothing */
	CHECK_EQ(ux_tcb_write_regs(t, 0, UX_REG_COUNT, regs), UX_OK);
	CHECK_EQ(ux_tcb_read_regs(t, r), UX_OK);
	CHECK_EQ(r[UX_REG_RIP], (uint64_t)set_flag);
	CHECK_EQ(ux_tcb_suspend(t, NULL), UX_OK); /* suspending an idle one is ok */
	CHECK_EQ(ux_cnode_delete(ROOT, t, D), UX_OK);
	return 0;
}

KTEST(tcb_registers)
{
	struct kthread t;
	uint64_t w[UX_REG_COUNT], r[UX_REG_COUNT], r2[UX_REG_COUNT];

	idle_thread(&t, 100);
	for (unsigned i = 0; i < UX_REG_COUNT; i++)
		w[i] = 0x1111111111111111ull * (i % 15 + 1);
	w[UX_REG_RIP] = 0x401000;
	w[UX_REG_RFLAGS] = ~0ull;
	w[UX_REG_FS_BASE] = 0x7FFFFFFFF000ull;
	w[UX_REG_GS_BASE] = 0x1234;
	CHECK_EQ(ux_tcb_write_regs(t.tcb, 0, UX_REG_COUNT, w), UX_OK);
	CHECK_EQ(ux_tcb_read_regs(t.tcb, r), UX_OK);
	for (unsigned i = 0; i < UX_REG_COUNT; i++)
		if (i != UX_REG_RFLAGS)
			CHECK_EQ(r[i], w[i]);
	/* only flags a user may set, with IF on; never IOPL, NT, VM */
	CHECK_EQ(r[UX_REG_RFLAGS] & 0x200, 0x200);
	CHECK_EQ(r[UX_REG_RFLAGS] & (3u << 12 | 1u << 14 | 1u << 17), 0);
	CHECK_EQ(r[UX_REG_RFLAGS] & 0xCD5, 0xCD5); /* CF PF AF ZF SF DF OF */
	/* bad values are refused and change nothing */
	uint64_t bad[UX_REG_COUNT];
	memcpy(bad, w, sizeof bad);
	bad[UX_REG_RAX] = 5;
	bad[UX_REG_RIP] = UX_USER_TOP;
	CHECK_EQ(ux_tcb_write_regs(t.tcb, 0, UX_REG_COUNT, bad),
		 UX_E_INVALID_ARGUMENT);
	bad[UX_REG_RIP] = 0xFFFF800000001000ull;
	CHECK_EQ(ux_tcb_write_regs(t.tcb, 0, UX_REG_COUNT, bad),
		 UX_E_INVALID_ARGUMENT);
	bad[UX_REG_RIP] = 0x401000;
	bad[UX_REG_FS_BASE] = 0x0000800000000000ull;
	CHECK_EQ(ux_tcb_write_regs(t.tcb, 0, UX_REG_COUNT, bad),
		 UX_E_INVALID_ARGUMENT);
	bad[UX_REG_FS_BASE] = 0;
	bad[UX_REG_GS_BASE] = ~0ull;
	CHECK_EQ(ux_tcb_write_regs(t.tcb, 0, UX_REG_COUNT, bad),
		 UX_E_INVALID_ARGUMENT);
	CHECK_EQ(ux_tcb_read_regs(t.tcb, r2), UX_OK);
	CHECK_EQ(memcmp(r, r2, sizeof r), 0);
	/* a partial write changes the first registers only */
	uint64_t three[3] = {7, 8, 9};
	CHECK_EQ(ux_tcb_write_regs(t.tcb, 0, 3, three), UX_OK);
	CHECK_EQ(ux_tcb_read_regs(t.tcb, r2), UX_OK);
	CHECK_EQ(r2[UX_REG_RAX], 7);
	CHECK_EQ(r2[UX_REG_RCX], 9);
	CHECK_EQ(r2[UX_REG_RDX], r[UX_REG_RDX]);
	/* not on oneself; and WriteRegisters needs its flags word */
	CHECK_EQ(ux_tcb_read_regs(SELF_TCB, r2), UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_tcb_write_regs(SELF_TCB, 0, 3, three),
		 UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(inv_raw(t.tcb, UX_TCB_WRITE_REGISTERS, 0, three, 0, NULL),
		 UX_E_TRUNCATED_MESSAGE);
	thread_kill(&t);
	return 0;
}

KTEST(tcb_write_registers_and_resume)
{
	struct kthread t;
	uint64_t r[UX_REG_COUNT], r0[UX_REG_COUNT];

	flag = 0;
	idle_thread(&t, 100);
	settle();
	CHECK_EQ(flag, 0); /* not resumed yet */
	CHECK_EQ(ux_tcb_read_regs(t.tcb, r), UX_OK);
	memcpy(r0, r, sizeof r0);
	r[UX_REG_RSI] = 5; /* the argument to fn */
	CHECK_EQ(ux_tcb_write_regs(t.tcb, 1, UX_REG_COUNT, r), UX_OK);
	settle();
	CHECK_EQ(flag, 5);
	/* it suspended itself at the end: run it again with Resume */
	CHECK_EQ(ux_tcb_read_regs(t.tcb, r), UX_OK);
	r[UX_REG_RIP] = r0[UX_REG_RIP]; /* the start again, other argument */
	r[UX_REG_RSP] = r0[UX_REG_RSP];
	r[UX_REG_RDI] = r0[UX_REG_RDI];
	r[UX_REG_RDX] = r0[UX_REG_RDX];
	r[UX_REG_RSI] = 6;
	CHECK_EQ(ux_tcb_write_regs(t.tcb, 0, UX_REG_COUNT, r), UX_OK);
	settle();
	CHECK_EQ(flag, 5);
	CHECK_EQ(ux_tcb_resume(t.tcb), UX_OK);
	settle();
	CHECK_EQ(flag, 6);
	thread_kill(&t);
	return 0;
}

KTEST(tcb_suspend_resume_running)
{
	struct op spin = {.kind = OP_SPIN};
	struct kthread t;

	thread_start(&t, op_thread, (uint64_t)&spin, 255, VSPACE, 0);
	ux_yield();
	CHECK(spin.count > 0);
	CHECK_EQ(ux_tcb_suspend(t.tcb, NULL), UX_OK);
	uint64_t n = spin.count;
	ux_yield();
	ux_yield();
	CHECK_EQ(spin.count, n);
	CHECK_EQ(ux_tcb_suspend(t.tcb, NULL), UX_OK); /* twice is fine */
	CHECK_EQ(ux_tcb_resume(t.tcb), UX_OK);
	CHECK_EQ(ux_tcb_resume(t.tcb), UX_OK); /* so is resuming twice */
	ux_yield();
	CHECK(spin.count > n);
	thread_kill(&t);
	n = spin.count;
	ux_yield();
	CHECK_EQ(spin.count, n);
	return 0;
}

/* A thread taken out of a blocking call by Suspend learns, when resumed,
 * that the call was cancelled. */
KTEST(tcb_suspend_cancels_blocking_call)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0);
	uint64_t n = obj_new(UX_CAP_NOTIFICATION, 0);
	uint64_t rp = obj_new(UX_CAP_REPLY, 0);
	struct op ops[4] = {{.kind = OP_RECV, .cap = ep},
			    {.kind = OP_WAIT, .cap = n},
			    {.kind = OP_CALL, .cap = ep},
			    {.kind = OP_SEND, .cap = ep}};
	struct kthread t;
	struct ux_msg m = {0};

	for (unsigned i = 0; i < 4; i++) {
		thread_start(&t, op_thread, (uint64_t)&ops[i], 100, VSPACE, 0);
		settle();
		if (i == 2) /* take the call: it then waits for the reply */
			CHECK_EQ(ux_recv(ep, rp, &m), UX_OK);
		CHECK(!ops[i].done);
		CHECK_EQ(ux_tcb_suspend(t.tcb, NULL), UX_OK);
		CHECK_EQ(ux_tcb_resume(t.tcb), UX_OK);
		settle();
		CHECK(ops[i].done);
		CHECK_EQ(ops[i].res, UX_E_CANCELLED);
		thread_kill(&t);
	}
	/* the queues are empty again, the reply has no caller */
	CHECK_EQ(ux_nbrecv(ep, 0, &m), UX_E_WOULD_BLOCK);
	CHECK_EQ(ux_reply(rp, &m), UX_E_ILLEGAL_OPERATION);
	return 0;
}

KTEST(tcb_priority_and_mcp)
{
	uint64_t a = obj_new(UX_CAP_TCB, 0), x = obj_new(UX_CAP_TCB, 0);
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), mr[1] = {1};
	uint64_t caps[1] = {SELF_TCB};

	CHECK_EQ(ux_tcb_set_priority(x, SELF_TCB, 256), UX_E_RANGE);
	CHECK_EQ(ux_tcb_set_mcp(x, SELF_TCB, 1000), UX_E_RANGE);
	CHECK_EQ(ux_tcb_set_priority(x, SELF_TCB, 255), UX_OK);
	/* a fresh TCB has MCP 0: as authority it allows priority 0 only */
	CHECK_EQ(ux_tcb_set_priority(x, a, 1), UX_E_RANGE);
	CHECK_EQ(ux_tcb_set_priority(x, a, 0), UX_OK);
	CHECK_EQ(ux_tcb_set_mcp(a, SELF_TCB, 50), UX_OK);
	CHECK_EQ(ux_tcb_set_priority(x, a, 51), UX_E_RANGE);
	CHECK_EQ(ux_tcb_set_priority(x, a, 50), UX_OK);
	CHECK_EQ(ux_tcb_set_mcp(x, a, 51), UX_E_RANGE);
	CHECK_EQ(ux_tcb_set_mcp(x, a, 50), UX_OK);
	CHECK_EQ(ux_tcb_set_mcp(a, a, 51), UX_E_RANGE); /* no raising */
	CHECK_EQ(ux_tcb_set_mcp(a, a, 40), UX_OK);
	CHECK_EQ(ux_tcb_set_priority(x, a, 41), UX_E_RANGE);
	/* the authority must be a TCB */
	CHECK_EQ(ux_tcb_set_priority(x, ep, 1), UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_tcb_set_priority(x, slot_alloc(), 1),
		 UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_tcb_set_priority(x, 1ull << 50, 1), UX_E_FAILED_LOOKUP);
	CHECK_EQ(inv_raw(x, UX_TCB_SET_PRIORITY, 1, mr, 0, caps),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(inv_raw(x, UX_TCB_SET_MCP, 0, mr, 1, caps),
		 UX_E_TRUNCATED_MESSAGE);
	return 0;
}

static volatile uint64_t bind_badge;

KTEST(tcb_bind_notification)
{
	uint64_t t = obj_new(UX_CAP_TCB, 0), t2 = obj_new(UX_CAP_TCB, 0);
	uint64_t n = obj_new(UX_CAP_NOTIFICATION, 0), ro = slot_alloc();
	uint64_t n2 = obj_new(UX_CAP_NOTIFICATION, 0);
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0);

	CHECK_EQ(ux_tcb_unbind(t), UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_tcb_bind(t, ep), UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_tcb_bind(t, slot_alloc()), UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_cnode_mint(ROOT, ro, D, ROOT, n, D, UX_R_WRITE, 0), UX_OK);
	CHECK_EQ(ux_tcb_bind(t, ro), UX_E_NO_RIGHTS);
	CHECK_EQ(inv_raw(t, UX_TCB_BIND_NOTIFICATION, 0, NULL, 0, NULL),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(ux_tcb_bind(t, n), UX_OK);
	CHECK_EQ(ux_tcb_bind(t, n2), UX_E_ILLEGAL_OPERATION); /* t is bound */
	CHECK_EQ(ux_tcb_bind(t2, n), UX_E_ILLEGAL_OPERATION); /* n is bound */
	CHECK_EQ(ux_tcb_unbind(t), UX_OK);
	CHECK_EQ(ux_tcb_unbind(t), UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_tcb_bind(t2, n), UX_OK);
	/* deleting the TCB unbinds; deleting the notification too */
	CHECK_EQ(ux_cnode_delete(ROOT, t2, D), UX_OK);
	CHECK_EQ(ux_tcb_bind(t, n), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, ro, D), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, n, D), UX_OK);
	CHECK_EQ(ux_tcb_unbind(t), UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_tcb_bind(t, n2), UX_OK);
	/* a notification with a waiter cannot be bound */
	uint64_t n3 = obj_new(UX_CAP_NOTIFICATION, 0);
	struct op w = {.kind = OP_WAIT, .cap = n3};
	struct kthread k;
	thread_start(&k, op_thread, (uint64_t)&w, 100, VSPACE, 0);
	settle();
	CHECK_EQ(ux_tcb_unbind(t), UX_OK);
	CHECK_EQ(ux_tcb_bind(t, n3), UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_signal(n3), UX_OK);
	settle();
	CHECK(w.done);
	thread_kill(&k);
	return 0;
}

KTEST(tcb_delete_live_thread)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0);
	struct op spin = {.kind = OP_SPIN}, s = {.kind = OP_SEND, .cap = ep};
	struct kthread t, u;
	struct ux_msg m = {0};

	thread_start(&t, op_thread, (uint64_t)&spin, 255, VSPACE, 0);
	ux_yield();
	CHECK(spin.count > 0);
	thread_kill(&t);
	uint64_t n = spin.count;
	ux_yield();
	CHECK_EQ(spin.count, n);
	/* a deleted sender leaves the endpoint's queue */
	thread_start(&u, op_thread, (uint64_t)&s, 100, VSPACE, 0);
	settle();
	thread_kill(&u);
	CHECK_EQ(ux_nbrecv(ep, 0, &m), UX_E_WOULD_BLOCK);
	CHECK(!s.done);
	return 0;
}

/* A thread deleting the last capability to its own TCB stops there. */
static void
delete_self(uint64_t arg)
{
	struct op *o = (struct op *)arg;
	o->done = 1;
	ux_cnode_delete(ROOT, o->cap, D);
	o->count = 1; /* not reached */
}

KTEST(tcb_delete_self)
{
	struct op o = {.count = 0};
	struct kthread t;

	thread_start(&t, delete_self, (uint64_t)&o, 100, VSPACE, 0);
	o.cap = t.tcb;
	settle();
	CHECK(o.done);
	CHECK_EQ(o.count, 0);
	CHECK_EQ(cap_type_of(t.tcb), UX_CAP_NULL);
	thread_kill(&t);
	return 0;
}

/* Without an IPC buffer a thread has its four register words only. */
static void
no_buffer_thread(uint64_t arg)
{
	struct op *o = (struct op *)arg;
	struct ux_msg m = {.info = ux_msginfo(3, 6, 0, 0),
			   .mr = {1, 2, 3, 4}};
	o->m.mr[0] = (uint64_t)ux_call(o->cap, &m);
	o->m.mr[1] = ux_mi_len(m.info);
	o->m.mr[2] = m.mr[3];
	o->res = ux_cnode_copy(ROOT, o->reply, D, ROOT, o->cap, D, UX_R_ALL);
	o->done = 1;
}

KTEST(tcb_without_ipc_buffer)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), rp = obj_new(UX_CAP_REPLY, 0);
	struct op o = {.cap = ep, .reply = slot_alloc()};
	struct thread_opts to = {.fn = no_buffer_thread, .arg = (uint64_t)&o,
				 .prio = 100, .no_ipcbuf = 1};
	struct kthread t;
	struct ux_msg m = {0};

	thread_start_ex(&t, &to);
	CHECK_EQ(ux_recv(ep, rp, &m), UX_OK);
	CHECK_EQ(ux_mi_label(m.info), 3);
	CHECK_EQ(ux_mi_len(m.info), 4); /* 6 asked, 4 possible */
	CHECK_EQ(m.mr[3], 4);
	m.info = ux_msginfo(0, 8, 0, 0);
	m.mr[3] = 44;
	CHECK_EQ(ux_reply(rp, &m), UX_OK);
	settle();
	CHECK(o.done);
	CHECK_EQ(o.m.mr[0], UX_OK);
	CHECK_EQ(o.m.mr[1], 4);
	CHECK_EQ(o.m.mr[2], 44);
	/* an invocation with a capability argument cannot be made */
	CHECK_EQ(o.res, UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(cap_type_of(o.reply), UX_CAP_NULL);
	thread_kill(&t);
	return 0;
}

/* A thread with a CSpace of its own, reached through a guard. */
static void
private_cspace_thread(uint64_t arg)
{
	struct op *o = (struct op *)arg;
	o->res = ux_signal(2);               /* its slot 2: a notification */
	o->count = (uint64_t)ux_signal(3);    /* nothing there */
	o->done = 1;
}

KTEST(tcb_private_cspace)
{
	uint64_t cn = obj_new(UX_CAP_CNODE, 3), n = obj_new(UX_CAP_NOTIFICATION, 0);
	uint64_t w = 0;
	struct op o = {0};
	struct kthread t;

	uint64_t tcb = obj_new(UX_CAP_TCB, 0);
	CHECK_EQ(ux_cnode_mint(cn, 2, 3, ROOT, n, D, UX_R_WRITE, 0x40), UX_OK);
	CHECK_EQ(ux_cnode_copy(cn, 1, 3, ROOT, tcb, D, UX_R_ALL), UX_OK);
	struct thread_opts to = {.fn = private_cspace_thread,
				 .arg = (uint64_t)&o, .prio = 100, .cspace = cn,
				 .guard = 64 - 3, .tcb = tcb, .self_tcb = 1};
	thread_start_ex(&t, &to);
	settle();
	CHECK(o.done);
	CHECK_EQ(o.res, UX_OK);
	CHECK_EQ(o.count, UX_E_INVALID_CAPABILITY);
	CHECK_EQ(ux_poll(n, &w), UX_OK);
	CHECK_EQ(w, 0x40);
	thread_kill(&t);
	return 0;
}

/* Yield with a value in xmm7 and MXCSR; return what is there after. */
static uint64_t
yield_keeping_fpu(uint64_t v, uint32_t mxcsr, uint32_t *mxcsr_after)
{
	uint64_t out;
	uint32_t m = mxcsr, after;
	__asm__ volatile("ldmxcsr %3\n\t"
			 "movq %2, %%xmm7\n\t"
			 "mov $-8, %%rax\n\t"
			 "syscall\n\t"
			 "movq %%xmm7, %0\n\t"
			 "stmxcsr %1"
			 : "=r"(out), "=m"(after)
			 : "r"(v), "m"(m)
			 : "rax", "rdi", "rsi", "rdx", "r8", "r9", "r10", "rcx",
			   "r11", "xmm7", "memory");
	*mxcsr_after = after;
	return out;
}

struct fpu_job {
	uint64_t value;
	uint32_t mxcsr;
	volatile int bad, done;
};

static void
fpu_thread(uint64_t arg)
{
	struct fpu_job *j = (struct fpu_job *)arg;
	uint32_t after;
	for (int i = 0; i < 30; i++)
		if (yield_keeping_fpu(j->value + (uint64_t)i, j->mxcsr,
				      &after) != j->value + (uint64_t)i ||
		    after != j->mxcsr)
			j->bad++;
	j->done = 1;
}

KTEST(tcb_fpu_state_per_thread)
{
	struct fpu_job a = {.value = 0xAAAA000000000000ull,
			    .mxcsr = 0x1f80 | 1u << 13},
		       b = {.value = 0xBBBB000000000000ull,
			    .mxcsr = 0x1f80 | 2u << 13};
	struct kthread ta, tb;
	int bad = 0;
	uint32_t after;

	thread_start(&ta, fpu_thread, (uint64_t)&a, 255, VSPACE, 0);
	thread_start(&tb, fpu_thread, (uint64_t)&b, 255, VSPACE, 0);
	for (int i = 0; i < 40 && !(a.done && b.done); i++)
		if (yield_keeping_fpu(0xCCCC + (uint64_t)i, 0x1f80 | 3u << 13,
				      &after) != 0xCCCC + (uint64_t)i ||
		    after != (0x1f80 | 3u << 13))
			bad++;
	uint32_t def = 0x1f80;
	__asm__ volatile("ldmxcsr %0" ::"m"(def));
	CHECK(a.done && b.done);
	CHECK_EQ(a.bad, 0);
	CHECK_EQ(b.bad, 0);
	CHECK_EQ(bad, 0);
	thread_kill(&ta);
	thread_kill(&tb);
	return 0;
}

/* ReadFPU and WriteFPU: a thread's fxsave image seen and changed from
 * outside, while it is live in the FPU. */
struct fpu_rw {
	volatile int stage;
	uint64_t got;
	uint32_t mxcsr;
};

static void
fpu_rw_thread(uint64_t arg)
{
	struct fpu_rw *j = (struct fpu_rw *)arg;
	uint64_t got;
	uint32_t m = 0x1f80 | 1u << 13, after;
	__asm__ volatile("ldmxcsr %3\n\t"
			 "movq %2, %%xmm7\n\t"
			 "movl $1, (%4)\n\t"
			 "1: mov $-8, %%rax\n\t"
			 "syscall\n\t"
			 "cmpl $2, (%4)\n\t"
			 "jne 1b\n\t"
			 "movq %%xmm7, %0\n\t"
			 "stmxcsr %1"
			 : "=&r"(got), "=m"(after)
			 : "r"(0x1234567887654321ull), "m"(m), "r"(&j->stage)
			 : "rax", "rdi", "rsi", "rdx", "r8", "r9", "r10", "rcx",
			   "r11", "xmm7", "memory");
	j->got = got;
	j->mxcsr = after;
	j->stage = 3;
}

KTEST(tcb_fpu_read_write)
{
	struct fpu_rw j = {0};
	struct kthread t;
	uint64_t fx[64], bad[64];
	uint32_t after;

	thread_start(&t, fpu_rw_thread, (uint64_t)&j, 255, VSPACE, 0);
	for (int i = 0; i < 100 && j.stage != 1; i++)
		yield_keeping_fpu(0, 0x1f80, &after);
	CHECK_EQ(j.stage, 1);
	CHECK_EQ(ux_tcb_read_fpu(t.tcb, fx), UX_OK);
	CHECK_EQ((uint32_t)fx[3], 0x1f80 | 1u << 13); /* MXCSR */
	CHECK_EQ(fx[34], 0x1234567887654321ull);      /* xmm7 */
	fx[34] = 0xbadc0ffeeull;
	fx[3] = (fx[3] & ~0xFFFFFFFFull) | 0x1f80;
	memcpy(bad, fx, sizeof bad);
	bad[3] |= 1ull << 20; /* a reserved MXCSR bit */
	CHECK_EQ(ux_tcb_write_fpu(t.tcb, bad), UX_E_INVALID_ARGUMENT);
	CHECK_EQ(inv_raw(t.tcb, UX_TCB_WRITE_FPU, 63, fx, 0, NULL),
		 UX_E_TRUNCATED_MESSAGE);
	CHECK_EQ(ux_tcb_read_fpu(SELF_TCB, bad), UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_tcb_write_fpu(SELF_TCB, fx), UX_E_ILLEGAL_OPERATION);
	CHECK_EQ(ux_tcb_write_fpu(t.tcb, fx), UX_OK);
	j.stage = 2;
	for (int i = 0; i < 100 && j.stage != 3; i++)
		yield_keeping_fpu(0, 0x1f80, &after);
	CHECK_EQ(j.stage, 3);
	CHECK_EQ(j.got, 0xbadc0ffeeull);
	CHECK_EQ(j.mxcsr, 0x1f80);
	thread_kill(&t);
	return 0;
}

/* A thread whose last capability lives in its own CSpace's last CNode
 * configures a new CSpace: replacing the old one destroys the CNode, and
 * with it the thread. Configure must then not put the new capability
 * into the dead TCB's slot (it would stay linked in the derivation tree
 * while the TCB's memory is reused). */
static uint64_t dead_ipcbuf_va;

static void
self_configure(uint64_t arg)
{
	/* CSpace: C (60-bit guard, radix 2), its slot 3 holds C2 (radix 2):
	 * C slot i is i << 2, C2 slot j is 3 << 2 | j. */
	ux_tcb_configure(1 << 2, 0, 3 << 2 | 0, 62, 0 << 2, dead_ipcbuf_va,
			 2 << 2);
	*(volatile uint64_t *)arg = 1; /* not reached: the thread is gone */
}

KTEST(tcb_configure_destroying_itself)
{
	uint64_t u = untyped_new(13), c = slot_alloc(), t = slot_alloc();
	uint64_t c2 = obj_new(UX_CAP_CNODE, 2), frame, f = slot_alloc();
	uint64_t regs[UX_REG_COUNT] = {0}, out[2];
	static volatile uint64_t reached;
	static uint8_t stack[4096] __attribute__((aligned(16)));

	CHECK_EQ(ux_untyped_retype(u, UX_CAP_CNODE, 2, ROOT, 0, 0, c, 1),
		 UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_TCB, 0, ROOT, 0, 0, t, 1), UX_OK);
	struct ux_ipc_buffer *ipc = page_new(&frame);
	ipc->user[0] = (uint64_t)ipc;
	dead_ipcbuf_va = (uint64_t)ipc;
	CHECK_EQ(ux_cnode_copy(c2, 0, 2, ROOT, c2, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_copy(c, 0, 2, ROOT, VSPACE, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_copy(c, 2, 2, ROOT, frame, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_cnode_copy(c, 3, 2, ROOT, c2, D, UX_R_ALL), UX_OK);
	CHECK_EQ(ux_tcb_configure(t, 0, c, 60, VSPACE, (uint64_t)ipc, frame),
		 UX_OK);
	CHECK_EQ(ux_tcb_set_priority(t, SELF_TCB, 100), UX_OK);
	regs[UX_REG_RIP] = (uint64_t)self_configure;
	regs[UX_REG_RSP] = (uint64_t)stack + sizeof stack - 8;
	regs[UX_REG_RDI] = (uint64_t)&reached;
	regs[UX_REG_FS_BASE] = (uint64_t)ipc;
	reached = 0;
	CHECK_EQ(ux_tcb_write_regs(t, 1, UX_REG_COUNT, regs), UX_OK);
	/* the TCB's only capability into C, C's only one into the TCB */
	CHECK_EQ(ux_cnode_move(c, 1, 2, ROOT, t, D), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, c, D), UX_OK);
	settle();
	CHECK_EQ(reached, 0);
	/* C and the TCB are gone: the untyped is free, its memory reused */
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_FRAME, 0, ROOT, 0, 0, f, 1),
		 UX_OK);
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_FRAME, 0, ROOT, 0, 0, t, 1),
		 UX_OK);
	uint64_t va = va_alloc(8192);
	CHECK_EQ(map_frame(VSPACE, f, va, UX_R_READ), UX_OK);
	CHECK_EQ(map_frame(VSPACE, t, va + 4096, UX_R_READ), UX_OK);
	/* deleting C2's capabilities must not write into that memory */
	CHECK_EQ(ux_cnode_delete(c2, 0, 2), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, c2, D), UX_OK);
	for (unsigned i = 0; i < 8192 / 8; i++)
		CHECK_EQ(((volatile uint64_t *)va)[i], 0);
	CHECK_EQ(ux_frame_address(f, out), UX_OK);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	return 0;
}
