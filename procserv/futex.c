/*
 * futex.c - futex(2): a process waits until the 32-bit word at an address
 * is woken by another (or by itself: a signal handler), the building
 * block of C libraries' locks and condition variables.
 *
 * A waiter is keyed as Linux keys it. A private futex
 * (FUTEX_PRIVATE_FLAG) is (pid, address): it only meets the same
 * process, even on shared memory. A shared futex on a page of a shared
 * mapping is (pool frame, offset), so two processes that map the same
 * node meet whatever their addresses; on a page of p's own (a private
 * mapping) it is (pid, address) again, kept apart from private futexes
 * as Linux does.
 *
 * A thread waits on at most one futex: the waiters are a table indexed
 * by tid, woken oldest first; keys name the process (tgid). An
 * untimed waiter holds its deferred reply here; a timed one is also a
 * sleeper of time.c, which holds the reply and answers ETIMEDOUT when
 * the deadline passes (or 0, through time_answer, when woken first). A
 * signal gives the wait up (futex_cancel, from signal.c's sig_cancel_waits).
 * FUTEX_REQUEUE and FUTEX_CMP_REQUEUE move waiters to another key.
 */
#include "procserv.h"
#include "lx_errno.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define BITSET_ANY 0xFFFFFFFFu
#define TASK_SIZE 0x7ffffffff000ull /* Linux's top of user memory */

#define KEY_SHARED (1ull << 32) /* a shared futex on a page of p's own */
#define KEY_FRAME (1ull << 33)  /* a shared futex on a shared page */

struct fkey {
	uint64_t who;  /* pid (| KEY_SHARED), or KEY_FRAME */
	uint64_t addr; /* its address, or frame * 4096 + offset */
};

static struct fwaiter {
	bool used, timed;   /* timed: time.c holds the reply */
	struct fkey key;
	uint32_t bitset;
	uint64_t seq;       /* for waking the oldest first */
	uint64_t reply;     /* untimed: our deferred reply object */
} waiters[MAX_PROCS];   /* indexed by pid */

static uint64_t next_seq;

/* The key of the word at va; -EINVAL if misaligned, -EFAULT if p
 * cannot read it. */
static long
futex_key(struct proc *p, uint64_t va, bool private, struct fkey *k)
{
	uint64_t phys;
	long r;
	if (va & 3)
		return -LX_EINVAL;
	if (private) { /* Linux does not look at the page here */
		*k = (struct fkey){(uint64_t)p->tgid, va};
		return va + 4 <= TASK_SIZE ? 0 : -LX_EFAULT;
	}
	if ((r = mem_futex_phys(p, va, &phys)) < 0)
		return r == -LX_ENOMEM ? r : -LX_EFAULT;
	*k = r ? (struct fkey){KEY_FRAME, phys}
	       : (struct fkey){KEY_SHARED | (uint64_t)p->tgid, va};
	return 0;
}

static void
forget(struct proc *p)
{
	struct fwaiter *w = &waiters[p->pid];
	if (w->used && !w->timed)
		ps_release(w->reply);
	w->used = false;
}

void
futex_cancel(struct proc *p)
{
	forget(p); /* time_cancel gives up a timed wait's reply */
}

/* time.c: a timed wait's deadline passed. */
static long
timed_out(struct proc *p, const uint64_t *arg)
{
	(void)arg;
	forget(p);
	return -LX_ETIMEDOUT;
}

/* The monotonic deadline of a wait: none (~0) without a timespec; a
 * relative timeout (FUTEX_WAIT), or an absolute time on the monotonic
 * or (FUTEX_CLOCK_REALTIME) real-time clock (FUTEX_WAIT_BITSET). */
static long
deadline(struct proc *p, uint64_t ts, unsigned cmd, bool realtime,
	 uint64_t *when)
{
	uint64_t ns, real, now = time_mono_ns();
	long e;
	*when = ~0ull;
	if (!ts)
		return 0;
	if ((e = lx_timespec_ns(p, ts, &ns)))
		return e;
	if (cmd == FUTEX_WAIT)
		*when = ns > ~0ull - now ? ~0ull : now + ns;
	else if (!realtime)
		*when = ns;
	else if (ns > (real = time_real_ns())) /* as far off as it says */
		*when = now + (ns - real);
	else
		*when = 0;
	return 0;
}

/* FUTEX_WAIT(_BITSET): wait while the word at va holds val. */
static long
wait_on(struct proc *p, uint64_t va, bool private, uint32_t val,
	uint64_t when, uint32_t bitset)
{
	struct fkey k;
	uint32_t cur;
	long e = futex_key(p, va, private, &k);
	if (e)
		return e;
	if (proc_copy_in(p, &cur, va, sizeof cur))
		return -LX_EFAULT;
	if (cur != val)
		return -LX_EAGAIN;
	struct fwaiter *w = &waiters[p->pid];
	*w = (struct fwaiter){.used = true, .timed = when != ~0ull, .key = k,
			      .bitset = bitset, .seq = next_seq++};
	if (w->timed) {
		e = time_sleep(p, when, timed_out, NULL);
		if (e != LX_LATER)
			w->used = false; /* answered now, or no sleeper free */
		return e;
	}
	if (!(w->reply = ps_defer())) {
		w->used = false;
		return -LX_ENOMEM; /* no reply object free */
	}
	return LX_LATER;
}

/* The oldest waiter on k whose bitset meets bitset, or NULL. */
static struct fwaiter *
oldest(const struct fkey *k, uint32_t bitset)
{
	struct fwaiter *best = NULL;
	for (unsigned i = 1; i < MAX_PROCS; i++) {
		struct fwaiter *w = &waiters[i];
		if (w->used && w->key.who == k->who && w->key.addr == k->addr &&
		    (w->bitset & bitset) && (!best || w->seq < best->seq))
			best = w;
	}
	return best;
}

/* Answer waiter w (of process pid) with 0. */
static void
wake_one(struct fwaiter *w, int pid)
{
	struct proc *q = proc_get((uint64_t)pid);
	w->used = false;
	if (w->timed) {
		if (q)
			time_answer(q, 0);
		return;
	}
	struct ux_msg m = {.info = ux_msginfo(0, 1, 0, 0)};
	if (q)
		ux_reply(w->reply, &m);
	ps_release(w->reply);
}

/* FUTEX_WAKE(_BITSET): wake up to nr waiters (at least one, as Linux's
 * count is checked after a wake); how many were woken. */
static long
wake_up(struct proc *p, uint64_t va, bool private, int nr,
	uint32_t bitset)
{
	struct fkey k;
	struct fwaiter *w;
	long e = futex_key(p, va, private, &k), n = 0;
	if (e)
		return e;
	while ((w = oldest(&k, bitset))) {
		wake_one(w, (int)(w - waiters));
		if (++n >= nr)
			break;
	}
	return n;
}

void
futex_wake_word(struct proc *p, uint64_t va)
{
	wake_up(p, va, false, 1, BITSET_ANY);
}

/* FUTEX_(CMP_)REQUEUE: wake up to nr of va's waiters and move up to
 * more of the rest to va2; (cmp) only while va holds val. How many
 * were woken and moved. */
static long
requeue(struct proc *p, uint64_t *regs, bool private, bool cmp)
{
	uint64_t va = regs[UX_REG_RDI], va2 = regs[UX_REG_R8];
	int64_t nr = (int32_t)regs[UX_REG_RDX], more = (int32_t)regs[UX_REG_R10];
	struct fkey k, k2;
	struct fwaiter *w;
	uint32_t cur;
	long e, n = 0;
	if (nr < 0 || more < 0)
		return -LX_EINVAL;
	if ((e = futex_key(p, va, private, &k)) ||
	    (e = futex_key(p, va2, private, &k2)))
		return e;
	if (k.who == k2.who && k.addr == k2.addr)
		more = 0; /* they would stay where they are */
	if (cmp) {
		if (proc_copy_in(p, &cur, va, sizeof cur))
			return -LX_EFAULT;
		if (cur != (uint32_t)regs[UX_REG_R9])
			return -LX_EAGAIN;
	}
	for (; n < nr && (w = oldest(&k, BITSET_ANY)); n++)
		wake_one(w, (int)(w - waiters));
	for (int64_t moved = 0; moved < more && (w = oldest(&k, BITSET_ANY));
	     moved++, n++)
		w->key = k2;
	return n;
}

long
lx_futex(struct proc *p, uint64_t *regs)
{
	uint32_t op = (uint32_t)regs[UX_REG_RSI];
	uint32_t val = (uint32_t)regs[UX_REG_RDX];
	uint32_t cmd = op & ~(uint32_t)(FUTEX_PRIVATE_FLAG |
					FUTEX_CLOCK_REALTIME);
	uint32_t bitset = (uint32_t)regs[UX_REG_R9];
	uint64_t va = regs[UX_REG_RDI], when = ~0ull;
	bool private = op & FUTEX_PRIVATE_FLAG;
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	bool waits = cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET;
	long e;

	/* Linux's order: the timeout, then the operation, then the word */
	if (waits && (e = deadline(p, regs[UX_REG_R10], cmd, realtime, &when)))
		return e;
	if (realtime && !waits)
		return -LX_ENOSYS;
	if (cmd == FUTEX_WAIT || cmd == FUTEX_WAKE)
		bitset = BITSET_ANY;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		return bitset ? wait_on(p, va, private, val, when, bitset)
			      : -LX_EINVAL;
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return bitset ? wake_up(p, va, private, (int)val, bitset)
			      : -LX_EINVAL;
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		return requeue(p, regs, private, cmd == FUTEX_CMP_REQUEUE);
	default: /* WAKE_OP, the PI operations, WAITV */
		return -LX_ENOSYS;
	}
}
