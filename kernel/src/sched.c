/*
 * sched.c - fixed-priority preemptive scheduling, round-robin within a
 * priority, and the way out of the kernel.
 *
 * Invariant: the running thread (cpu->cur) is not in a ready queue; every
 * other thread in state TS_RUNNING is. The running thread has a priority at
 * least as high as every ready thread, except between an event that broke
 * this and the next kernel exit, which re-establishes it (cpu->resched).
 */
#include <thread.h>
#include <arch/arch.h>
#include <uxrt/fault.h>

#define TIMESLICE_TICKS 2

void
sched_enqueue(struct cpu *c, struct tcb *t, bool head)
{
	unsigned p = t->prio;
	t->sched_next = t->sched_prev = NULL;
	if (!c->rq_head[p]) {
		c->rq_head[p] = c->rq_tail[p] = t;
		c->rq_bitmap[p / 64] |= BIT(p % 64);
		c->rq_l1 |= BIT(p / 64);
	} else if (head) {
		t->sched_next = c->rq_head[p];
		c->rq_head[p]->sched_prev = t;
		c->rq_head[p] = t;
	} else {
		t->sched_prev = c->rq_tail[p];
		c->rq_tail[p]->sched_next = t;
		c->rq_tail[p] = t;
	}
}

static bool
queued(struct cpu *c, struct tcb *t)
{
	return t->sched_prev || c->rq_head[t->prio] == t;
}

void
sched_dequeue(struct cpu *c, struct tcb *t)
{
	unsigned p = t->prio;
	if (!queued(c, t))
		return;
	if (t->sched_prev)
		t->sched_prev->sched_next = t->sched_next;
	else
		c->rq_head[p] = t->sched_next;
	if (t->sched_next)
		t->sched_next->sched_prev = t->sched_prev;
	else
		c->rq_tail[p] = t->sched_prev;
	if (!c->rq_head[p]) {
		c->rq_bitmap[p / 64] &= ~BIT(p % 64);
		if (!c->rq_bitmap[p / 64])
			c->rq_l1 &= ~BIT(p / 64);
	}
	t->sched_next = t->sched_prev = NULL;
}

/* Make t runnable (it must not be running or queued already). */
void
sched_wake(struct tcb *t)
{
	struct cpu *c = this_cpu();
	t->state = TS_RUNNING;
	t->blocked_on = NULL;
	if (t == c->cur)
		return;
	sched_enqueue(c, t, false);
	if (!c->cur || t->prio > c->cur->prio)
		c->resched = true;
}

/* sched_wake(t) for the current thread's partner when the current
 * thread is about to block (a Call handed over, a reply before a Recv
 * that waits): t runs next at once, without a trip through the ready
 * queue, where the scheduler would choose it anyway (its priority above
 * every ready thread's). */
void
sched_wake_instead(struct tcb *t)
{
	struct cpu *c = this_cpu();
	if (c->resched || !c->cur || c->cur == t ||
	    (c->rq_l1 && (int)t->prio <= sched_highest(c))) {
		sched_wake(t);
		return;
	}
	t->state = TS_RUNNING;
	t->blocked_on = NULL;
	c->cur = t; /* Invariant kept: the blocking thread is in no queue */
}

/* Stop t. A thread taken out of a blocking IPC or notification wait
 * finds UX_E_CANCELLED as that call's result if it is resumed; a thread
 * stopped in a fault retries the faulting instruction instead, and one in
 * a foreign system call (a fault, or a Linux file call) makes it again. */
bool
thread_stop(struct tcb *t)
{
	struct cpu *c = this_cpu();
	bool again = t->pending_fault == UX_FAULT_SYSCALL &&
		     t->fault_w1 != UX_SYSCALL_END; /* an ended one is not */
	t->lx_carry = 0;
	if (t->lx.active || t->lxc.on)
		again = lx_stop(t);
	else if (t->state >= TS_BLOCKED_SEND && !t->pending_fault)
		thread_set_result(t, UX_E_CANCELLED, 0);
	ipc_cancel(t);
	if (t->state == TS_RUNNING && t != c->cur)
		sched_dequeue(c, t);
	t->state = TS_INACTIVE;
	if (t == c->cur)
		c->resched = true;
	return again;
}

void
thread_report(struct tcb *t, const char *why)
{
	printk("uxrt: thread %lu stopped: %s (rip %#lx, rsp %#lx)\n",
	       (unsigned long)t->id, why, (unsigned long)t->ctx.rip,
	       (unsigned long)t->ctx.rsp);
}

void
sched_timer_tick(void)
{
	struct cpu *c = this_cpu();
	c->ticks++;
	if (c->cur && --c->cur->timeslice == 0) {
		c->cur->timeslice = TIMESLICE_TICKS;
		c->round_robin = true;
		c->resched = true;
	}
}

static struct tcb *
choose(struct cpu *c)
{
	struct tcb *cur = c->cur;
	bool cur_ok = cur && cur->state == TS_RUNNING;
	int best = sched_highest(c);

	if (cur_ok) {
		if (c->round_robin)
			sched_enqueue(c, cur, false);
		else if (best > (int)cur->prio)
			sched_enqueue(c, cur, true);
		else
			return cur;
		best = sched_highest(c);
	}
	if (best < 0)
		return NULL;
	struct tcb *next = c->rq_head[best];
	sched_dequeue(c, next);
	return next;
}

/* Leave the kernel: pick the thread to run and return to it, or idle. */
noreturn void
kernel_exit(void)
{
	struct cpu *c = this_cpu();
	for (;;) {
		if (c->resched || !c->cur || c->cur->state != TS_RUNNING) {
			c->cur = choose(c);
			c->resched = c->round_robin = false;
		}
		struct tcb *t = c->cur;
		if (t && !tcb_runnable_config(t)) {
			thread_report(t, "no address space or CSpace");
			t->state = TS_INACTIVE;
			continue;
		}
		if (t)
			arch_return_to_user(t);
		arch_idle();
	}
}
