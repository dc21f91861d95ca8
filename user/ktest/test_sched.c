/*
 * test_sched.c - scheduling: a thread that becomes runnable at a higher
 * priority runs at once (woken by a signal, raised by SetPriority, or
 * when the running thread lowers itself); at equal priority it waits its
 * turn; Yield round-robins equal priorities; the timer preempts a busy
 * thread of equal priority; lower priorities never run while a higher
 * one can.
 */
#include "ktest.h"

static volatile char trace[64];
static volatile unsigned ntrace;

static void
mark(char c)
{
	if (ntrace < sizeof trace - 1)
		trace[ntrace++] = c;
	trace[ntrace] = 0;
}

static void
trace_reset(void)
{
	ntrace = 0;
	trace[0] = 0;
}

static int
trace_is(const char *want)
{
	if (!strcmp((const char *)trace, want))
		return 1;
	printf("ktest:   trace \"%s\", expected \"%s\"\n", (const char *)trace,
	       want);
	return 0;
}

static uint64_t wake_ntfn;

static void
waiter(uint64_t c)
{
	ux_wait(wake_ntfn, NULL);
	mark((char)c);
}

static void
signaller(uint64_t c)
{
	mark((char)c);
	ux_signal(wake_ntfn);
	mark((char)(c + 1));
}

KTEST(sched_higher_priority_preempts)
{
	struct kthread h, l;

	wake_ntfn = obj_new(UX_CAP_NOTIFICATION, 0);
	trace_reset();
	thread_start(&h, waiter, 'H', 200, VSPACE, 0);
	thread_start(&l, signaller, '1', 100, VSPACE, 0);
	settle();
	CHECK(trace_is("1H2"));
	thread_kill(&h);
	thread_kill(&l);
	/* at equal priority the woken thread waits for its turn */
	trace_reset();
	thread_start(&h, waiter, 'H', 100, VSPACE, 0);
	thread_start(&l, signaller, '1', 100, VSPACE, 0);
	settle();
	CHECK(trace_is("12H"));
	thread_kill(&h);
	thread_kill(&l);
	/* and at a lower one too */
	trace_reset();
	thread_start(&h, waiter, 'H', 50, VSPACE, 0);
	thread_start(&l, signaller, '1', 100, VSPACE, 0);
	settle();
	CHECK(trace_is("12H"));
	thread_kill(&h);
	thread_kill(&l);
	return 0;
}

static void
yielder(uint64_t c)
{
	for (int i = 0; i < 4; i++) {
		mark((char)c);
		ux_yield();
	}
}

KTEST(sched_round_robin_yield)
{
	struct kthread a, b, c;

	trace_reset();
	thread_start(&a, yielder, 'a', 100, VSPACE, 0);
	thread_start(&b, yielder, 'b', 100, VSPACE, 0);
	thread_start(&c, yielder, 'c', 100, VSPACE, 0);
	settle();
	CHECK(trace_is("abcabcabcabc"));
	thread_kill(&a);
	thread_kill(&b);
	thread_kill(&c);
	/* a Yield with no one else at its priority returns to the caller */
	trace_reset();
	thread_start(&a, yielder, 'a', 100, VSPACE, 0);
	thread_start(&b, yielder, 'b', 90, VSPACE, 0);
	settle();
	CHECK(trace_is("aaaabbbb"));
	thread_kill(&a);
	thread_kill(&b);
	return 0;
}

/* Spin without system calls for ms milliseconds (of TSC time). */
static void
spin_ms(uint64_t ms)
{
	uint64_t end = ux_rdtsc() + ms * bi->tsc_khz;
	while (ux_rdtsc() < end)
		__asm__ volatile("pause");
}

KTEST(sched_timer_preempts_equal_priority)
{
	struct op spin = {.kind = OP_SPIN};
	struct kthread t;
	uint64_t seen = 0, rounds = 0;

	thread_start(&t, op_thread, (uint64_t)&spin, 255, VSPACE, 0);
	/* never blocking nor yielding, the root still loses the CPU to
	 * the spinner at the end of its time slice, and gets it back */
	uint64_t end = ux_rdtsc() + 400 * bi->tsc_khz;
	while (ux_rdtsc() < end) {
		uint64_t n = spin.count;
		if (n != seen) {
			seen = n;
			rounds++;
		}
	}
	CHECK(seen > 0);
	CHECK(rounds >= 2);
	thread_kill(&t);
	return 0;
}

KTEST(sched_lower_priority_waits)
{
	struct op spin = {.kind = OP_SPIN};
	struct kthread t;

	thread_start(&t, op_thread, (uint64_t)&spin, 254, VSPACE, 0);
	spin_ms(60); /* several time slices */
	ux_yield();
	CHECK_EQ(spin.count, 0);
	/* once the root waits, it runs */
	uint64_t n = obj_new(UX_CAP_NOTIFICATION, 0), w;
	CHECK_EQ(ux_poll(n, &w), UX_OK);
	CHECK_EQ(spin.count, 0);
	CHECK_EQ(ux_tcb_set_priority(SELF_TCB, SELF_TCB, 254), UX_OK);
	ux_yield(); /* now equal: the spinner gets a turn */
	CHECK(spin.count > 0);
	CHECK_EQ(ux_tcb_set_priority(SELF_TCB, SELF_TCB, 255), UX_OK);
	thread_kill(&t);
	return 0;
}

static volatile int ran;

static void
set_ran(uint64_t v)
{
	ran = (int)v;
}

KTEST(sched_priority_change_preempts)
{
	struct kthread t;

	/* raising a ready thread above the caller runs it at once */
	ran = 0;
	CHECK_EQ(ux_tcb_set_priority(SELF_TCB, SELF_TCB, 200), UX_OK);
	thread_start(&t, set_ran, 1, 100, VSPACE, 0);
	CHECK_EQ(ran, 0);
	CHECK_EQ(ux_tcb_set_priority(t.tcb, SELF_TCB, 250), UX_OK);
	CHECK_EQ(ran, 1);
	thread_kill(&t);
	/* lowering oneself below a ready thread does too */
	ran = 0;
	thread_start(&t, set_ran, 2, 150, VSPACE, 0);
	CHECK_EQ(ran, 0);
	CHECK_EQ(ux_tcb_set_priority(SELF_TCB, SELF_TCB, 120), UX_OK);
	CHECK_EQ(ran, 2);
	thread_kill(&t);
	/* raising a thread to the caller's level does not */
	ran = 0;
	thread_start(&t, set_ran, 3, 100, VSPACE, 0);
	CHECK_EQ(ux_tcb_set_priority(t.tcb, SELF_TCB, 120), UX_OK);
	CHECK_EQ(ran, 0);
	ux_yield();
	CHECK_EQ(ran, 3);
	thread_kill(&t);
	CHECK_EQ(ux_tcb_set_priority(SELF_TCB, SELF_TCB, 255), UX_OK);
	return 0;
}

/* A higher-priority thread woken by IPC runs before the sender goes on;
 * a Call to a lower-priority server still completes. */
static uint64_t sched_ep;

static void
hi_receiver(uint64_t c)
{
	struct ux_msg m = {0};
	ux_recv(sched_ep, 0, &m);
	mark((char)c);
}

static void
lo_sender(uint64_t c)
{
	struct ux_msg m = {0};
	mark((char)c);
	ux_send(sched_ep, &m);
	mark((char)(c + 1));
}

KTEST(sched_ipc_wakeup_preempts)
{
	struct kthread h, l;

	sched_ep = obj_new(UX_CAP_ENDPOINT, 0);
	trace_reset();
	thread_start(&h, hi_receiver, 'R', 200, VSPACE, 0);
	thread_start(&l, lo_sender, '1', 100, VSPACE, 0);
	settle();
	CHECK(trace_is("1R2"));
	thread_kill(&h);
	thread_kill(&l);
	return 0;
}
