/*
 * notification.c - asynchronous signals: a word of bits that Signal ORs a
 * badge into and Wait collects.
 *
 * Signal wakes the first waiter with the badge (the word stays clear);
 * with no waiter the notification becomes active and accumulates badges.
 * Wait returns and clears an active word, or blocks. Poll never blocks.
 * A notification bound to a TCB also wakes that thread's Recv on an
 * endpoint, so a server can wait for interrupts and messages at once.
 */
#include <cspace.h>
#include <thread.h>

static void
deliver(struct tcb *t, uint64_t word)
{
	t->ctx.rax = UX_OK;
	t->ctx.rdi = word;
	t->ctx.rsi = 0;
}

void
ntfn_signal(struct notification *n, uint64_t badge)
{
	if (n->head) {
		struct tcb *w = n->head;
		tq_remove(&n->head, &n->tail, w);
		deliver(w, n->word | badge);
		n->word = 0;
		n->active = 0;
		sched_wake(w);
		return;
	}
	struct tcb *b = n->bound;
	if (b && b->state == TS_BLOCKED_RECV) {
		ipc_cancel(b);
		deliver(b, n->word | badge);
		n->word = 0;
		n->active = 0;
		sched_wake(b);
		return;
	}
	n->word |= badge;
	n->active = 1;
}

err_t
ntfn_wait(struct tcb *t, struct notification *n, bool blocking)
{
	if (n->active) {
		deliver(t, n->word);
		n->word = 0;
		n->active = 0;
		return UX_OK;
	}
	if (!blocking) {
		deliver(t, 0);
		return UX_OK;
	}
	t->state = TS_BLOCKED_NTFN;
	t->blocked_on = n;
	tq_append(&n->head, &n->tail, t);
	return ERR_BLOCKED;
}

/* Receive on an endpoint: first take a pending signal of the bound
 * notification, if any. */
bool
ntfn_take_bound(struct tcb *t)
{
	struct notification *n = t->bound;
	if (!n || !n->active)
		return false;
	deliver(t, n->word);
	n->word = 0;
	n->active = 0;
	return true;
}

void
ntfn_unbind(struct notification *n)
{
	if (n->bound)
		n->bound->bound = NULL;
	n->bound = NULL;
}

void
ntfn_destroy(struct notification *n)
{
	while (n->head) {
		struct tcb *w = n->head;
		ipc_cancel(w);
		thread_set_result(w, UX_E_CANCELLED, 0);
		sched_wake(w);
	}
	ntfn_unbind(n);
	irq_forget_ntfn(n);
}
