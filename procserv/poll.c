/*
 * poll.c - poll, ppoll, select and pselect6 on every kind of descriptor.
 *
 * What a descriptor is ready for is a Linux poll mask. tmpfs files and
 * the files of /dev and /proc are always ready (as Linux's files without
 * a poll method); a pipe end asks pipe.c (data or room; POLLHUP when the
 * writers are gone, POLLERR when the readers are); the console asks the
 * console server (UX_FILE_POLL, docs/design-transport.md), which can be
 * asked at the same time to signal our notification once when input
 * becomes readable.
 *
 * A call scans its descriptors. If none is ready and it may wait, it
 * becomes a waiter (one per thread, indexed by tid): its reply is held
 * (by us, or by time.c when it has a timeout) with its arguments, and it
 * notes what it watches (pipes, the console). A request or close on a
 * watched pipe (poll_wake_pipe, from pipe.c) or the console's
 * notification (poll_wake_console) only marks the waiters; poll_run
 * scans the marked ones again between messages (main.c), when no answer
 * is being built and no pipe is half changed, and answers those now
 * ready. A timeout is answered by time.c after one last scan
 * (timed_out). A signal, a stop or the end of the process gives the wait
 * up (poll_cancel, from sig_cancel_waits): poll's revents are cleared and
 * the time left is written back, as on Linux; signal.c answers EINTR
 * after a handler (never restarted) or makes the call again after a stop.
 *
 * ppoll and pselect6 set the signal mask for the call as rt_sigsuspend
 * does (saved_mask, restore_mask): a handler's frame restores the
 * caller's mask, any other answer puts it back first.
 */
#include "procserv.h"
#include "lx_errno.h"

#define FOREVER	      (~0ull) /* deadline: none (0: do not wait at all) */
#define CHUNK	      64      /* pollfd entries copied at a time */
#define RLIMIT_NOFILE 7

enum pcall { PC_POLL, PC_PPOLL, PC_SELECT, PC_PSELECT6 };
enum scan_mode { LOOK, OUT, CLEAR }; /* poll: revents written or not */

/* What one scan found out besides the masks. */
struct scanctx {
	bool arm;	/* ask the console to tell us of input */
	bool con_known; /* con_mask holds the console's answer */
	unsigned con_mask;
	bool console;	/* a console descriptor was looked at */
	uint64_t pipes; /* the pipes looked at (bit per pipe) */
};

/* A call, and while it waits, a waiter. */
struct pwaiter {
	bool used, dirty, timed, masked;
	int pid;
	enum pcall call;
	uint64_t fds, nfds; /* poll: the pollfd array */
	int n;		    /* select: descriptors looked at (<= MAX_FD) */
	uint64_t set_va[3]; /* select: read, write, except sets (0: none) */
	uint64_t in[3];	    /* ... as they were given */
	uint64_t tsp;	    /* the timeout to write the time left to */
	uint64_t deadline;  /* monotonic ns, 0 or FOREVER */
	uint64_t mask;	    /* ppoll, pselect6: the mask for the wait */
	uint64_t reply;	    /* untimed: our held reply object */
	uint64_t pipes;	    /* watched: pipes, the console */
	bool console;
};

static struct pwaiter waiters[MAX_PROCS]; /* indexed by pid */
/* The pipes some waiter may watch: a superset (bits go only when
 * poll_wake_pipe next scans), so that a pipe nobody polls costs a test. */
static uint64_t watched;
bool poll_pend;	/* a waiter is marked, or settle is not empty */
static uint64_t settle; /* tids whose signals wait for poll_run */
_Static_assert(MAX_PROCS <= 64, "settle is one bit a task");

/* Which poll events make select see a descriptor in each set (Linux's
 * POLLIN_SET, POLLOUT_SET, POLLEX_SET). */
static const unsigned set_events[3] = {
    LX_POLLIN | LX_POLLRDNORM | LX_POLLRDBAND | LX_POLLHUP | LX_POLLERR,
    LX_POLLOUT | LX_POLLWRNORM | LX_POLLWRBAND | LX_POLLERR,
    LX_POLLPRI,
};

/* The console's mask, asked once per scan (and, if c->arm, with the
 * request to be told when input comes). */
static unsigned
console_mask(struct scanctx *c)
{
	c->console = true;
	if (c->con_known)
		return c->con_mask;
	struct ux_msg m = {.info = ux_msginfo(UX_FILE_POLL, 1, 0, 0),
			   .mr = {c->arm}};
	bool ok = ps_console_ep && !ux_call(ps_console_ep, &m) &&
		  ux_mi_len(m.info) && (int64_t)m.mr[0] >= 0;
	c->con_known = true;
	c->con_mask = ok ? (unsigned)m.mr[0] : LX_POLLERR; /* server gone */
	return c->con_mask;
}

/* The poll mask of p's descriptor fd now (POLLNVAL: not open). */
static unsigned
fd_mask(struct proc *p, int64_t fd, struct scanctx *c)
{
	int pipe;
	if (fd < 0 || fd >= MAX_FD || fd_is(p, (uint64_t)fd, FD_NONE))
		return LX_POLLNVAL;
	if (fd_is(p, (uint64_t)fd, FD_CONSOLE))
		return console_mask(c);
	if (fd_is(p, (uint64_t)fd, FD_PORT)) /* no readiness protocol yet */
		return LX_POLLIN | LX_POLLRDNORM | LX_POLLOUT | LX_POLLWRNORM;
	unsigned m = of_poll(p, (uint64_t)fd, &pipe);
	if (pipe >= 0 && pipe < 64)
		c->pipes |= 1ull << pipe;
	return m;
}

/* poll's scan: the number of entries with events; their revents written
 * back (OUT), or zeroed (CLEAR: an interrupted call). */
static long
poll_scan(struct proc *p, const struct pwaiter *w, struct scanctx *c,
	  enum scan_mode mode)
{
	struct {
		int32_t fd;
		uint16_t events, revents;
	} f[CHUNK];
	long ready = 0;
	for (uint64_t i = 0; i < w->nfds; i += CHUNK) {
		uint64_t k = w->nfds - i < CHUNK ? w->nfds - i : CHUNK;
		uint64_t va = w->fds + i * sizeof *f;
		if (proc_copy_in(p, f, va, k * sizeof *f))
			return -LX_EFAULT;
		for (uint64_t j = 0; j < k; j++) {
			unsigned want =
			    f[j].events | LX_POLLERR | LX_POLLHUP | LX_POLLNVAL;
			unsigned m = mode == CLEAR || f[j].fd < 0
					 ? 0
					 : fd_mask(p, f[j].fd, c) & want;
			f[j].revents = (uint16_t)m;
			ready += m != 0;
		}
		if (mode != LOOK && proc_copy_out(p, va, f, k * sizeof *f))
			return -LX_EFAULT;
	}
	return ready;
}

/* select's scan: the bits set in the result sets (written back if out);
 * -EBADF if a set names a descriptor that is not open. */
static long
select_scan(struct proc *p, const struct pwaiter *w, struct scanctx *c,
	    bool out)
{
	uint64_t res[3] = {0}, any = w->in[0] | w->in[1] | w->in[2];
	long ready = 0;
	for (int fd = 0; fd < w->n; fd++) {
		uint64_t bit = 1ull << fd;
		if (!(any & bit))
			continue;
		unsigned m = fd_mask(p, fd, c);
		if (m & LX_POLLNVAL)
			return -LX_EBADF;
		for (unsigned s = 0; s < 3; s++) {
			if ((w->in[s] & bit) && (m & set_events[s])) {
				res[s] |= bit;
				ready++;
			}
		}
	}
	for (unsigned s = 0; out && w->n && s < 3; s++)
		if (w->set_va[s] && proc_copy_out(p, w->set_va[s], &res[s], 8))
			return -LX_EFAULT;
	return ready;
}

static long
scan(struct proc *p, const struct pwaiter *w, struct scanctx *c,
     enum scan_mode mode)
{
	if (w->call == PC_POLL || w->call == PC_PPOLL)
		return poll_scan(p, w, c, mode);
	return mode == CLEAR ? 0 : select_scan(p, w, c, mode == OUT);
}

/* select, pselect6 and ppoll write the time left back (C libraries pass
 * a copy); not for a zero timeout or none, and a failure is ignored, as
 * on Linux. */
static void
put_left(struct proc *p, const struct pwaiter *w)
{
	if (!w->tsp || w->call == PC_POLL || !w->deadline ||
	    w->deadline == FOREVER)
		return;
	uint64_t now = time_mono_ns();
	uint64_t left = w->deadline > now ? w->deadline - now : 0;
	uint64_t t[2] = {left / 1000000000ull, left % 1000000000ull};
	if (w->call == PC_SELECT)
		t[1] /= 1000; /* a timeval */
	proc_copy_out(p, w->tsp, t, sizeof t);
}

/* ppoll, pselect6: the mask for the call. One made again after a stop
 * finds its mask already set and keeps the saved one. */
static void
mask_set(struct proc *p, uint64_t set)
{
	if (!p->sig.restore_mask)
		p->sig.saved_mask = p->sig.mask;
	p->sig.restore_mask = true;
	p->sig.mask = set & ~(1ull << (SIGKILL - 1) | 1ull << (SIGSTOP - 1));
}

/* The call's answer r (a count, or -errno): the results written out, the
 * time left written back, the caller's mask put back unless a handler's
 * frame will (EINTR). c may be NULL when r < 0. */
static long
finish(struct proc *p, struct pwaiter *w, struct scanctx *c, long r)
{
	if (r >= 0)
		r = scan(p, w, c, OUT);
	else if (r == -LX_EINTR)
		scan(p, w, c, CLEAR);
	put_left(p, w);
	if (w->masked && r != -LX_EINTR) {
		p->sig.mask = p->sig.saved_mask;
		p->sig.restore_mask = false;
	}
	return r;
}

/* time.c: the deadline passed; one last scan answers the call. Signals
 * the restored mask lets through are delivered by poll_run, after the
 * answer. */
static long
timed_out(struct proc *p, const uint64_t *arg)
{
	struct pwaiter *w = &waiters[p->pid];
	struct scanctx c = {0};
	(void)arg;
	if (!w->used)
		return 0;
	w->used = false;
	settle |= 1ull << p->pid;
	poll_pend = true;
	return finish(p, w, &c, 0);
}

/* Nothing is ready: p waits (its reply held) until something it watches
 * changes, its deadline, or a signal. */
static long
wait_for(struct proc *p, struct pwaiter *w, struct scanctx *c)
{
	struct pwaiter *s = &waiters[p->pid];
	*s = *w;
	s->used = true;
	s->dirty = false;
	s->pid = p->pid;
	s->pipes = c->pipes;
	s->console = c->console;
	watched |= c->pipes;
	if (w->deadline == FOREVER) {
		if ((s->reply = ps_defer()))
			return LX_LATER;
		s->used = false;
		return finish(p, w, c, -LX_ENOMEM);
	}
	s->timed = true;
	long r = time_sleep(p, w->deadline, timed_out, NULL);
	if (r == LX_LATER || !s->used) /* waiting, or answered at once */
		return r;
	s->used = false;
	return finish(p, w, c, r); /* time.c could not: -ENOSYS, -ENOMEM */
}

/* select's and pselect6's n and sets, read once (n is cut to the size
 * of the descriptor table, as Linux cuts it to its table's); -EINVAL,
 * -EFAULT. */
static long
select_sets(struct proc *p, struct pwaiter *w, int32_t n, const uint64_t *va)
{
	if (n < 0)
		return -LX_EINVAL;
	w->n = n > MAX_FD ? MAX_FD : n;
	for (unsigned s = 0; s < 3; s++) {
		w->set_va[s] = va[s];
		if (va[s] && w->n && proc_copy_in(p, &w->in[s], va[s], 8))
			return -LX_EFAULT;
		if (w->n < 64)
			w->in[s] &= (1ull << w->n) - 1;
	}
	return 0;
}

/* A checked call (sets: select's, or NULL): its mask applied, one scan,
 * then the answer or the wait. Linux's order: something ready wins over
 * a pending signal, a pending signal over a zero timeout. */
static long
start(struct proc *p, struct pwaiter *w, int32_t n, const uint64_t *sets)
{
	struct scanctx c = {.arm = w->deadline != 0};
	if (w->masked)
		mask_set(p, w->mask);
	long r = sets ? select_sets(p, w, n, sets) : 0;
	if (!r)
		r = scan(p, w, &c, LOOK);
	if (!r && sig_deliverable(p))
		r = -LX_EINTR;
	if (r || !w->deadline)
		return finish(p, w, &c, r);
	return wait_for(p, w, &c);
}

/* A relative time in ns from now as a deadline (0: do not wait). */
static uint64_t
deadline_in(uint64_t ns)
{
	uint64_t now = time_mono_ns();
	if (!ns)
		return 0;
	return ns >= FOREVER - 1 - now ? FOREVER - 1 : now + ns;
}

/* ppoll's and pselect6's timespec (0: none); -EFAULT, -EINVAL. */
static long
timespec_arg(struct proc *p, uint64_t va, struct pwaiter *w)
{
	uint64_t ns;
	w->tsp = va;
	w->deadline = FOREVER;
	if (!va)
		return 0;
	long e = lx_timespec_ns(p, va, &ns);
	if (!e)
		w->deadline = deadline_in(ns);
	return e;
}

/* ppoll's and pselect6's signal mask (0: none): -EINVAL unless the size
 * is a sigset_t's, -EFAULT. */
static long
sigmask_arg(struct proc *p, uint64_t va, uint64_t size, struct pwaiter *w)
{
	if (!va)
		return 0;
	if (size != 8)
		return -LX_EINVAL;
	if (proc_copy_in(p, &w->mask, va, 8))
		return -LX_EFAULT;
	w->masked = true;
	return 0;
}


long
lx_poll(struct proc *p, uint64_t *regs)
{
	struct pwaiter w = {
	    .call = PC_POLL, .fds = ARG0, .nfds = (uint32_t)ARG1};
	int32_t ms = (int32_t)ARG2; /* an int: the upper half is junk */
	if (w.nfds > proc_tg(p)->rlim[RLIMIT_NOFILE][0])
		return -LX_EINVAL;
	w.deadline = ms < 0 ? FOREVER : deadline_in((uint64_t)ms * 1000000);
	return start(p, &w, 0, NULL);
}

long
lx_ppoll(struct proc *p, uint64_t *regs)
{
	struct pwaiter w = {
	    .call = PC_PPOLL, .fds = ARG0, .nfds = (uint32_t)ARG1};
	long e = timespec_arg(p, ARG2, &w);
	if (e || (e = sigmask_arg(p, ARG3, ARG4, &w)))
		return e;
	if (w.nfds > proc_tg(p)->rlim[RLIMIT_NOFILE][0])
		return -LX_EINVAL;
	return start(p, &w, 0, NULL);
}

/* select's timeval (0: none), normalised as Linux does it: microseconds
 * beyond a second are carried, then both parts must be in range. */
static long
timeval_arg(struct proc *p, uint64_t va, struct pwaiter *w)
{
	int64_t tv[2];
	w->tsp = va;
	w->deadline = FOREVER;
	if (!va)
		return 0;
	if (proc_copy_in(p, tv, va, sizeof tv))
		return -LX_EFAULT;
	if (__builtin_add_overflow(tv[0], tv[1] / 1000000, &tv[0]))
		tv[0] = INT64_MAX;
	int64_t ns = tv[1] % 1000000 * 1000;
	if (tv[0] < 0 || ns < 0)
		return -LX_EINVAL;
	uint64_t cap = 1ull << 33; /* seconds: keeps the sum in range */
	uint64_t s = (uint64_t)tv[0] < cap ? (uint64_t)tv[0] : cap;
	w->deadline = deadline_in(s * 1000000000ull + (uint64_t)ns);
	return 0;
}

long
lx_select(struct proc *p, uint64_t *regs)
{
	struct pwaiter w = {.call = PC_SELECT};
	uint64_t sets[3] = {ARG1, ARG2, ARG3};
	long e = timeval_arg(p, ARG4, &w);
	return e ? e : start(p, &w, (int32_t)ARG0, sets);
}

/* pselect6's sixth argument points at {sigset pointer, its size}. */
long
lx_pselect6(struct proc *p, uint64_t *regs)
{
	struct pwaiter w = {.call = PC_PSELECT6};
	uint64_t sets[3] = {ARG1, ARG2, ARG3}, pack[2] = {0, 0};
	long e = 0;
	if (ARG5 && proc_copy_in(p, pack, ARG5, sizeof pack))
		return -LX_EFAULT;
	if ((e = timespec_arg(p, ARG4, &w)) ||
	    (e = sigmask_arg(p, pack[0], pack[1], &w)))
		return e;
	return start(p, &w, (int32_t)ARG0, sets);
}

/* The waiters are only marked here: the pipe may be half changed, or an
 * answer half built (poll_run scans them). */
void
poll_wake_pipe(int pipe)
{
	uint64_t bit = pipe >= 0 && pipe < 64 ? 1ull << pipe : 0;
	if (!(watched & bit))
		return; /* the common case: a pipe nobody polls */
	watched = 0;
	for (unsigned i = 1; i < MAX_PROCS; i++) {
		if (!waiters[i].used)
			continue;
		watched |= waiters[i].pipes;
		if (waiters[i].pipes & bit)
			waiters[i].dirty = poll_pend = true;
	}
}

void
poll_wake_console(void)
{
	for (unsigned i = 1; i < MAX_PROCS; i++)
		if (waiters[i].used && waiters[i].console)
			waiters[i].dirty = poll_pend = true;
}


bool
poll_waiting(const struct proc *p)
{
	return waiters[p->pid].used;
}

/* Answer waiter w of p with r, then deliver the signals the restored
 * mask lets through. */
static void
answer(struct proc *p, struct pwaiter *w, long r)
{
	w->used = false;
	if (w->timed) {
		time_answer(p, r);
	} else {
		struct ux_msg m = {.info = ux_msginfo(0, 1, 0, 0),
				   .mr = {(uint64_t)r}};
		ux_reply(w->reply, &m);
		ps_release(w->reply);
	}
	if (sig_deliverable(p))
		sig_settle(p, NULL, 0, NULL);
}

/* Scan the marked waiters again and answer the ready ones (an answer can
 * make more changes: a signal that ends a process closes its pipes). */
void
poll_run(void)
{
	while (poll_pend) {
		poll_pend = false;
		for (unsigned i = 1; i < MAX_PROCS; i++) {
			struct pwaiter *w = &waiters[i];
			struct proc *p = proc_get(i);
			if (!w->used || !w->dirty)
				continue;
			w->dirty = false;
			if (!p) { /* cannot be: its end gave the wait up */
				w->used = false;
				continue;
			}
			struct scanctx c = {.arm = true};
			long r = scan(p, w, &c, LOOK);
			if (r) {
				answer(p, w, finish(p, w, &c, r));
				continue;
			}
			w->pipes = c.pipes;
			w->console = c.console;
			watched |= c.pipes;
		}
		for (unsigned pid = 1; settle && pid < MAX_PROCS; pid++) {
			struct proc *p = proc_get(pid);
			if (!(settle & 1ull << pid))
				continue;
			settle &= ~(1ull << pid);
			if (p && sig_deliverable(p))
				sig_settle(p, NULL, 0, NULL);
		}
	}
}

void
poll_cancel(struct proc *p)
{
	struct pwaiter *w = &waiters[p->pid];
	if (!w->used)
		return;
	w->used = false;
	if (!w->timed)
		ps_release(w->reply); /* time_cancel gives up a timed one's */
	scan(p, w, NULL, CLEAR);
	put_left(p, w);
}
