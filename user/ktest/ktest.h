/*
 * ktest.h - the in-system kernel test suite (the root server of the test
 * image): test registration, checks, and the environment helpers every
 * test uses to get slots, objects, pages and threads.
 *
 * A test is `KTEST(name) { ...; return 0; }`; it fails by returning
 * nonzero, which CHECK does with a message naming the failed condition.
 */
#ifndef KTEST_H
#define KTEST_H

#include <uxrt.h>

struct ktest {
	const char *name;
	int (*fn)(void);
	const char *file;
	int line;
};

#define KTEST(name)                                                           \
	static int name(void);                                                \
	static const struct ktest ktest_##name                                \
		__attribute__((used, section("ktests"), aligned(8))) = {      \
			#name, name, __FILE__, __LINE__};                     \
	static int name(void)

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond)) {                                                \
			printf("ktest:   check failed: %s (%s:%d)\n", #cond,  \
			       __FILE__, __LINE__);                           \
			return 1;                                             \
		}                                                             \
	} while (0)

#define CHECK_EQ(a, b)                                                        \
	do {                                                                  \
		long long a_ = (long long)(a), b_ = (long long)(b);           \
		if (a_ != b_) {                                               \
			printf("ktest:   check failed: %s == %s (%lld != %lld)" \
			       " (%s:%d)\n",                                  \
			       #a, #b, a_, b_, __FILE__, __LINE__);           \
			return 1;                                             \
		}                                                             \
	} while (0)

/* Capability addresses in the root CNode are slot numbers. */
#define ROOT UX_BI_SLOT_CNODE
#define VSPACE UX_BI_SLOT_VSPACE
#define SELF_TCB UX_BI_SLOT_TCB
#define D 64 /* depth of a root-CNode slot address */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

extern struct ux_bootinfo *bi;
extern uint64_t root_guard; /* guard data for the root CNode */

uint64_t slot_alloc(void);
uint64_t slots_alloc(unsigned n);                /* n consecutive slots */
void slot_free(uint64_t s);                      /* delete, reuse later */
uint64_t obj_new(unsigned type, unsigned bits);  /* one object; its slot */
uint64_t untyped_new(unsigned bits);             /* a private untyped */
uint64_t pool_untyped(void);                     /* where obj_new takes */
/* A boot untyped of device memory (revoke it after use), or 0. */
uint64_t device_untyped(uint64_t *paddr);
uint64_t va_alloc(uint64_t size);                /* fresh address range */
void *page_new(uint64_t *frame);                 /* a fresh mapped page */
void *pages_new(unsigned n, uint64_t *frames);   /* n contiguous pages */
/* Map copies of frames[0..n) at va.. in another address space too. */
void share_pages(uint64_t vspace, void *va, unsigned n, const uint64_t *frames);
long map_frame(uint64_t pml4, uint64_t frame, uint64_t va, unsigned rights);

struct kthread {
	uint64_t tcb, frame;
	struct ux_ipc_buffer *ipc;
	uint64_t stack_top;
};

/* Start fn(arg) in a new thread of priority prio in vspace (VSPACE or one
 * from vspace_new()), with fault endpoint fault_ep (0: none). When fn
 * returns the thread suspends itself. */
void thread_start(struct kthread *t, void (*fn)(uint64_t), uint64_t arg,
		  unsigned prio, uint64_t vspace, uint64_t fault_ep);
/* The same with every option: cspace 0 means the root CNode (then guard
 * and self_tcb are ignored; otherwise self_tcb is the thread's own TCB
 * address in that CSpace, used to suspend itself when fn returns). */
struct thread_opts {
	void (*fn)(uint64_t);
	uint64_t arg;
	unsigned prio;
	uint64_t vspace, fault_ep, cspace, guard, self_tcb;
	uint64_t tcb; /* a TCB to use (0: make one from the pool) */
	int no_ipcbuf, no_resume;
};
void thread_start_ex(struct kthread *t, const struct thread_opts *o);
/* A new address space with the test image mapped (same frames): code,
 * data and the thread stacks are shared, the root's stack is not (data a
 * thread there uses must be static, not on the test's stack). */
uint64_t vspace_new(void);
void thread_kill(struct kthread *t);
/* The type of the capability in root slot s, found by probing. */
unsigned cap_type_of(uint64_t s);
/* One system call in a thread of its own: thread_start(&t, op_thread,
 * (uint64_t)&op, ...). The result lands in res, then done is set. */
enum op_kind { OP_RECV, OP_NBRECV, OP_SEND, OP_NBSEND, OP_CALL, OP_WAIT,
	       OP_SIGNAL, OP_SPIN };
struct op {
	enum op_kind kind;
	uint64_t cap, reply;
	struct ux_msg m;       /* in: the message to send; out: received */
	volatile long res;
	volatile int done;
	volatile uint64_t count; /* OP_SPIN: loops so far */
};
void op_thread(uint64_t arg);
/* Return once every thread above priority 1 is blocked or stopped. */
void settle(void);

/* Fault messages (uxrt/fault.h) as a handler sees them. */
struct fault_msg {
	uint64_t type, w0, w1, badge;
	uint64_t regs[UX_REG_COUNT];
	unsigned len;
};
/* Receive one message on ep (blocking or not) and decode it as a fault. */
long fault_recv(uint64_t ep, uint64_t reply, struct fault_msg *f, int block);
/* Reply, overwriting the first n registers (enum ux_reg order). */
long fault_reply(uint64_t reply, const uint64_t *regs, unsigned n);

/* Handle the faults a thread raises on fep until *done is set: fn sees
 * each fault and the faulting thread's registers, and returns how many
 * registers to reply with (they resume the thread), or -1 for no reply.
 * Returns the number of faults, -1 if all threads blocked without one,
 * -2 after more than max. */
typedef int (*fault_fn)(struct fault_msg *f, uint64_t *regs, void *ctx);
int serve_faults(uint64_t fep, volatile int *done, fault_fn fn, void *ctx,
		 int max);

/* Message register i of a message: 0..3 in m, the rest in the calling
 * thread's IPC buffer. */
static inline void
msg_set(struct ux_msg *m, unsigned i, uint64_t v)
{
	if (i < UX_REG_MRS)
		m->mr[i] = v;
	else
		ux_ipcbuf()->mr[i] = v;
}

static inline uint64_t
msg_get(const struct ux_msg *m, unsigned i)
{
	return i < UX_REG_MRS ? m->mr[i] : ux_ipcbuf()->mr[i];
}

/* Raw invocation with an explicit message: for malformed ones. */
static inline long
inv_raw(uint64_t cap, uint64_t label, unsigned nmr, const uint64_t *mr,
	unsigned ncaps, const uint64_t *caps)
{
	return ux_invoke(cap, label, nmr, mr, ncaps, caps, NULL, 0);
}

#endif
