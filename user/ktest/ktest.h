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
};

#define KTEST(name)                                                           \
	static int name(void);                                                \
	static const struct ktest ktest_##name                                \
		__attribute__((used, section("ktests"), aligned(8))) = {      \
			#name, name};                                         \
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

extern struct ux_bootinfo *bi;
extern uint64_t root_guard; /* guard data for the root CNode */

uint64_t slot_alloc(void);
uint64_t obj_new(unsigned type, unsigned bits);  /* one object; its slot */
uint64_t untyped_new(unsigned bits);             /* a private untyped */
uint64_t va_alloc(uint64_t size);                /* fresh address range */
void *page_new(uint64_t *frame);                 /* a fresh mapped page */
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
/* A new address space with the test image mapped (same frames). */
uint64_t vspace_new(void);
void thread_kill(struct kthread *t);

#endif
