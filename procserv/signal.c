/*
 * signal.c - Linux signals: generation, delivery, default actions, the
 * handler's frame and rt_sigreturn, stop and continue.
 *
 * A signal is delivered where the process server holds the process:
 * - the process whose message is being answered (sig_current) gets a
 *   handler's frame in the registers of the reply itself (a system call
 *   or a fault: sig_settle), or, when the reply can set only rax (a file
 *   request), right after the reply;
 * - any other process is suspended (TCB suspend). The kernel winds back a
 *   system call it was in (a Linux file call to a server, or a system
 *   call waiting for us) and says so; a wait of ours (wait4, a sleep, a
 *   pipe, rt_sigsuspend) is given up first. The call is then made again
 *   after the handler (SA_RESTART, or a stop) or answered EINTR. Then its
 *   registers are read, the frame is written to its stack, and it resumes
 *   in the handler.
 * The frame is Linux's x86-64 rt_sigframe (restorer address, ucontext,
 * siginfo), so unmodified C libraries' handlers and restorers work.
 * Threads: a signal is the thread's (tkill, tgkill, a fault) or the
 * process's (the rest); the process's goes to the thread handling a call
 * now if it can take it, else to the first one that does not block it.
 * Actions, stop and continue, and the alarm are the process's (kept in
 * its leader), masks and the alternate stack each thread's.
 * The FPU/SSE registers (the kernel's fxsave image of the thread) are
 * saved below the frame, where the frame's fpstate points, and the
 * handler starts with a clean FPU as on Linux; rt_sigreturn restores them.
 */
#include "procserv.h"
#include "lx_errno.h"

#define SIG_DFL 0
#define SIG_IGN 1
#define SA_NOCLDSTOP 1
#define SA_NOCLDWAIT 2
#define SA_SIGINFO 4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000ull
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define BIT(s) (1ull << ((s) - 1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))
#define STOPS (BIT(SIGSTOP) | BIT(20) | BIT(21) | BIT(22))
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_STOPPED 5
#define CLD_CONTINUED 6
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_TKILL (-6)

/* The rt_sigframe: restorer, ucontext (flags, link, stack_t, 23 general
 * registers, fpstate pointer, 8 reserved words, the mask), siginfo. */
#define UC 8
#define UC_STACK (UC + 16)
#define UC_GREGS (UC + 40)
#define UC_FPSTATE (UC + 224)
#define UC_MASK (UC + 296)
#define INFO (UC + 304)
#define FRAME_SIZE (INFO + 128)

/* Linux's gregs order, as ux_reg indices (-1: not a ux_reg). */
static const int8_t gregs_order[18] = {
	UX_REG_R8,  UX_REG_R9,  UX_REG_R10, UX_REG_R11, UX_REG_R12, UX_REG_R13,
	UX_REG_R14, UX_REG_R15, UX_REG_RDI, UX_REG_RSI, UX_REG_RBP, UX_REG_RBX,
	UX_REG_RDX, UX_REG_RAX, UX_REG_RCX, UX_REG_RSP, UX_REG_RIP,
	UX_REG_RFLAGS};
/* Flags a frame may change (Linux's FIX_EFLAGS). */
#define FIX_FLAGS 0x50dd5ull

int sig_current;

enum action { A_TERM, A_IGN, A_STOP, A_CONT, A_CATCH };

static enum action
default_action(int sig)
{
	switch (sig) {
	case SIGCHLD: case 23: case 28: /* SIGURG, SIGWINCH */
		return A_IGN;
	case SIGSTOP: case 20: case 21: case 22: /* TSTP, TTIN, TTOU */
		return A_STOP;
	case SIGCONT:
		return A_CONT;
	default: /* core-dumping ones too: no core files are written */
		return A_TERM;
	}
}

static enum action
action(struct proc *p, int sig)
{
	uint64_t h = proc_tg(p)->sig.act[sig - 1][0];
	if (sig == SIGKILL || sig == SIGSTOP || h == SIG_DFL)
		return default_action(sig);
	return h == SIG_IGN ? A_IGN : A_CATCH;
}

/* The lowest pending signal p would take now, or 0. A stopped process
 * takes only SIGKILL. */
static int
next_signal(struct proc *p)
{
	struct proc *l = proc_tg(p);
	uint64_t d = (p->sig.pending | l->sig.shared) &
		     ~(p->sig.mask & ~UNBLOCKABLE);
	if (l->sig.stopped || ptrace_stopped(p)) /* ptrace.c: its stop */
		d &= BIT(SIGKILL);
	return d ? __builtin_ctzll(d) + 1 : 0;
}

bool
sig_deliverable(struct proc *p)
{
	return p && !p->native && !(p->pid == p->tgid && p->thread_gone) &&
	       next_signal(p);
}

bool
sig_autoreap(struct proc *p)
{
	p = proc_tg(p);
	return p->sig.act[SIGCHLD - 1][0] == SIG_IGN ||
	       (p->sig.act[SIGCHLD - 1][1] & SA_NOCLDWAIT);
}

/* The thread of process l to take sig: the one whose call is being
 * handled if it does not block sig, else the first that does not;
 * NULL if every one blocks it. */
static struct proc *
pick(struct proc *l, int sig)
{
	struct proc *c = proc_get((uint64_t)sig_current);
	if (c && c->tgid == l->pid && !(c->sig.mask & BIT(sig) & ~UNBLOCKABLE))
		return c;
	for (struct proc *t = proc_next_thread(l, NULL); t;
	     t = proc_next_thread(l, t))
		if (!(t->sig.mask & BIT(sig) & ~UNBLOCKABLE) ||
		    (t->sig.wait_set & BIT(sig)))
			return t;
	return NULL;
}

/* Tell p's parent that p stopped or continued: SIGCHLD and its wait. */
static void
notify_parent(struct proc *p, int code, int sig)
{
	struct proc *pp = proc_get((uint64_t)p->ppid);
	if (!pp)
		return;
	if (code == CLD_STOPPED)
		p->sig.stop_report = sig;
	else
		p->sig.cont_report = true;
	proc_wait_notify(pp);
	if (!(pp->sig.act[SIGCHLD - 1][1] & SA_NOCLDSTOP)) {
		struct sig_info si = {.code = code, .pid = p->pid,
				      .uid = (int32_t)p->uid, .status = sig};
		sig_send(pp, SIGCHLD, &si);
	}
}

uint64_t
sig_cancel_waits(struct proc *p)
{
	if (p->waiting) {
		ps_release(p->wait_reply);
		p->waiting = false;
	}
	if (p->sig.suspend_reply) {
		ps_release(p->sig.suspend_reply);
		p->sig.suspend_reply = 0;
	}
	if (p->sig.wait_set && p->sig.wait_reply)
		ps_release(p->sig.wait_reply); /* a timed one: time_cancel */
	p->sig.wait_set = p->sig.wait_reply = 0;
	/* pipe waits are known by process: only its only thread's go */
	if (proc_tg(p)->nthreads <= 1)
		pipe_cancel(p->tgid);
	futex_cancel(p);
	poll_cancel(p);
	return time_cancel(p);
}

static void
stop(struct proc *p, int sig)
{
	p = proc_tg(p);
	for (struct proc *t = proc_next_thread(p, NULL); t;
	     t = proc_next_thread(p, t)) {
		sig_cancel_waits(t); /* every call is made again on SIGCONT */
		ux_tcb_suspend(proc_tcb(t), NULL);
	}
	p->sig.stopped = true;
	p->sig.cont_report = false;
	notify_parent(p, CLD_STOPPED, sig);
	ptrace_group_stop(p, sig); /* ptrace.c: a tracer sees it too */
}

#define SIGRT 32 /* signals from here on queue */

/* Where signals wait: a thread's, or its process's (shared). */
struct pend {
	uint64_t *set;
	struct sig_info *info; /* standard signals' */
	struct sigq *q;        /* realtime signals' */
};

static struct pend
pend_of(struct proc *l, struct proc *t)
{
	return t ? (struct pend){&t->sig.pending, t->sig.info, &t->sig.q}
		 : (struct pend){&l->sig.shared, l->sig.shared_info,
				 &l->sig.shared_q};
}

/* Record sig with its siginfo; false if a realtime queue is full. */
static bool
enqueue(struct pend w, int sig, const struct sig_info *si)
{
	struct sig_info v = si ? *si : (struct sig_info){.code = SI_KERNEL};
	if (sig >= SIGRT) {
		if (w.q->n == SIGQ_MAX)
			return false;
		w.q->e[w.q->n].sig = (uint8_t)sig;
		w.q->e[w.q->n++].info = v;
	} else if (!(*w.set & BIT(sig))) {
		w.info[sig - 1] = v; /* standard ones do not queue */
	}
	*w.set |= BIT(sig);
	return true;
}

/* Take sig off w: its siginfo (a realtime one's oldest instance). */
static struct sig_info
dequeue(struct pend w, int sig)
{
	struct sig_info out = {.code = SI_KERNEL};
	bool found = false, more = false;
	unsigned j = 0;
	if (sig < SIGRT) {
		*w.set &= ~BIT(sig);
		return w.info[sig - 1];
	}
	for (unsigned i = 0; i < w.q->n; i++) {
		if (!found && w.q->e[i].sig == sig) {
			out = w.q->e[i].info;
			found = true;
			continue;
		}
		more |= w.q->e[i].sig == sig;
		w.q->e[j++] = w.q->e[i];
	}
	w.q->n = (uint8_t)j;
	if (!more)
		*w.set &= ~BIT(sig);
	return out;
}

/* Every instance of the signals in set off w. */
static void
drop_all(struct pend w, uint64_t set)
{
	for (int sig = 1; sig <= 64; sig++)
		while (*w.set & set & BIT(sig))
			dequeue(w, sig);
}

/* Take the signals in set off l's process, and off each thread. */
static void
unpend(struct proc *l, uint64_t set)
{
	drop_all(pend_of(l, NULL), set);
	for (struct proc *t = proc_next_thread(l, NULL); t;
	     t = proc_next_thread(l, t))
		drop_all(pend_of(l, t), set);
}

static void
cont(struct proc *p)
{
	unpend(p, STOPS);
	if (!p->sig.stopped)
		return;
	p->sig.stopped = false;
	p->sig.stop_report = 0;
	for (struct proc *t = proc_next_thread(p, NULL); t;
	     t = proc_next_thread(p, t))
		if (t->pid != sig_current && !ptrace_stopped(t)) /* ptrace.c's
								    stays */
			ux_tcb_resume(proc_tcb(t));
	notify_parent(p, CLD_CONTINUED, SIGCONT);
}

static bool sigwait_answer(struct proc *t, int sig);

/* Generate sig for thread t, or (t NULL) for process l; false if a
 * realtime signal's queue was full. */
static bool
post(struct proc *l, struct proc *t, int sig, const struct sig_info *si)
{
	if (sig == SIGCONT)
		cont(l);
	else if (BIT(sig) & STOPS)
		unpend(l, BIT(SIGCONT));
	/* An ignored signal is dropped, unless blocked (the handler may
	 * change before it is unblocked); so is a SIGCONT nobody catches,
	 * its work done. */
	struct proc *to = t ? t : pick(l, sig);
	enum action a = action(l, sig);
	bool drop = (a == A_IGN || a == A_CONT) && to &&
		    !(to->sig.mask & BIT(sig)) && !(to->sig.wait_set & BIT(sig)) &&
		    !ptrace_traced(to); /* a tracer sees ignored ones too */
	if (drop)
		return true;
	if (!enqueue(pend_of(l, t), sig, si))
		return false;
	if (to && sigwait_answer(to, sig))
		return true;
	if (to && to->pid != sig_current && sig_deliverable(to))
		sig_settle(to, NULL, 0, NULL);
	return true;
}

void
sig_send(struct proc *p, int sig, const struct sig_info *si)
{
	if (!p || p->native || sig < 1 || sig > 64)
		return;
	post(proc_tg(p), NULL, sig, si);
}

/* tkill, tgkill: a signal for thread t alone; false: its queue is full. */
bool
sig_send_thread(struct proc *t, int sig, const struct sig_info *si)
{
	if (!t || t->native || sig < 1 || sig > 64)
		return true;
	return post(proc_tg(t), t, sig, si);
}

/* Whether Linux makes the call in regs again after an SA_RESTART
 * handler. */
static bool
restartable(const uint64_t *regs)
{
	switch (regs[UX_REG_RAX]) {
	case 7: case 23: case 34: case 35: case 128: case 130: case 230:
	case 270: case 271: /* poll, select, pause, nanosleep, sigsuspend,
			     * sigtimedwait, ... */
		return false;
	case 202: /* futex: a wait with a timeout is not (Linux's restart
		   * block answers EINTR after a handler) */
		return !regs[UX_REG_R10];
	default:
		return true;
	}
}

/* p was taken out of system call regs[RAX]: make it again after the
 * handler, or answer EINTR (with what a sleep had left). */
static void
interrupted(struct proc *p, const uint64_t *act, uint64_t *regs,
	    uint64_t left)
{
	uint64_t nr = regs[UX_REG_RAX];
	if ((act[1] & SA_RESTART) && restartable(regs))
		return;
	regs[UX_REG_RIP] += 2;
	regs[UX_REG_RAX] = (uint64_t)-LX_EINTR;
	uint64_t rem = nr == 35    ? regs[UX_REG_RSI]
		       : nr == 230 ? (regs[UX_REG_RSI] & 1 ? 0 : regs[UX_REG_R10])
				   : 0;
	uint64_t ts[2] = {left / 1000000000ull, left % 1000000000ull};
	if (rem)
		proc_copy_out(p, rem, ts, sizeof ts);
}

static void
put64(uint8_t *f, unsigned off, uint64_t v)
{
	memcpy(f + off, &v, 8);
}

static bool
on_altstack(struct proc *p, uint64_t sp)
{
	return p->sig.alt_size && sp - p->sig.alt_sp <= p->sig.alt_size;
}

/* Linux's siginfo for sig at f (128 bytes, zeroed). */
static void
siginfo_fill(uint8_t *f, int sig, const struct sig_info *si)
{
	int32_t head[4] = {sig, 0, si->code, 0};
	memcpy(f, head, sizeof head);
	if (sig == SIGSEGV || sig == 7 || sig == 4 || sig == 8) {
		put64(f, 16, si->addr); /* SEGV, BUS, ILL, FPE */
	} else {
		int32_t w[2] = {si->pid, si->uid};
		memcpy(f + 16, w, sizeof w);
		if (sig == SIGCHLD)
			memcpy(f + 24, &si->status, 4);
		else
			put64(f, 24, si->value); /* sigqueue's value */
	}
}

void
sig_info_write(uint8_t f[128], int sig, const struct sig_info *si)
{
	siginfo_fill(f, sig, si);
}

/* Put a frame for sig's handler on p's stack and point regs at the
 * handler. False if the stack cannot take it. */
static bool
frame_push(struct proc *p, int sig, const struct sig_info *si, uint64_t *regs)
{
	static uint8_t f[FRAME_SIZE];
	uint64_t *a = proc_tg(p)->sig.act[sig - 1];
	uint64_t sp = regs[UX_REG_RSP];
	bool on = on_altstack(p, sp);

	if ((a[1] & SA_ONSTACK) && p->sig.alt_size && !on &&
	    !(p->sig.alt_flags & SS_DISABLE))
		sp = p->sig.alt_sp + p->sig.alt_size;
	else
		sp -= 128; /* the red zone */
	uint64_t fx[64], fx_va = 0;
	if (!ux_tcb_read_fpu(proc_tcb(p), fx)) {
		sp = fx_va = (sp - sizeof fx) & ~63ull;
		if (proc_copy_out(p, fx_va, fx, sizeof fx))
			return false;
		static const uint64_t clean[64] = {0x037f, 0, 0, 0x1f80};
		ux_tcb_write_fpu(proc_tcb(p), clean);
	}
	sp = ((sp - FRAME_SIZE) & ~15ull) - 8; /* as after a call */
	memset(f, 0, sizeof f);
	put64(f, UC_FPSTATE, fx_va);
	put64(f, 0, a[2]); /* the restorer: the handler's return address */
	put64(f, UC_STACK, p->sig.alt_sp);
	put64(f, UC_STACK + 8,
	      p->sig.alt_size ? (on ? SS_ONSTACK : 0) : SS_DISABLE);
	put64(f, UC_STACK + 16, p->sig.alt_size);
	for (unsigned i = 0; i < 18; i++)
		put64(f, UC_GREGS + 8 * i, regs[gregs_order[i]]);
	put64(f, UC_GREGS + 8 * 18, 0x002b000000000033ull); /* ss, cs */
	if (sig == SIGSEGV)
		put64(f, UC_GREGS + 8 * 22, si->addr); /* cr2 */
	put64(f, UC_MASK,
	      p->sig.restore_mask ? p->sig.saved_mask : p->sig.mask);
	siginfo_fill(f + INFO, sig, si);
	if (proc_copy_out(p, sp, f, sizeof f))
		return false;
	p->sig.mask |= a[3] | (a[1] & SA_NODEFER ? 0 : BIT(sig));
	p->sig.mask &= ~UNBLOCKABLE;
	p->sig.restore_mask = false;
	regs[UX_REG_RDI] = (uint64_t)sig;
	regs[UX_REG_RSI] = sp + INFO;
	regs[UX_REG_RDX] = sp + UC;
	regs[UX_REG_RAX] = 0;
	regs[UX_REG_RSP] = sp;
	regs[UX_REG_RIP] = a[0];
	regs[UX_REG_RFLAGS] &= ~0x10500ull; /* TF, DF, RF */
	if (a[1] & SA_RESETHAND)
		memset(a, 0, 4 * sizeof *a);
	return true;
}

/* Take the next signal off p's pending set: its number and action. */
static int
take(struct proc *p, enum action *act, struct sig_info *si)
{
	struct proc *l = proc_tg(p);
	int sig = next_signal(p);
	if (sig) {
		*si = dequeue(pend_of(l, p->sig.pending & BIT(sig) ? p : NULL),
			      sig);
		*act = action(p, sig);
	}
	return sig;
}

/* Deliver to p, not held by us, the signal it takes next. */
static void
deliver_away(struct proc *p, int sig, const struct sig_info *si)
{
	uint64_t tcb = proc_tcb(p), regs[UX_REG_COUNT];
	uint64_t left = sig_cancel_waits(p);
	bool again = false;
	if (ux_tcb_suspend(tcb, &again) || ux_tcb_read_regs(tcb, regs)) {
		proc_exit(p, sig);
		return;
	}
	again |= ptrace_again(p, &left); /* ptrace.c: a stop took it out */
	if (again)
		interrupted(p, proc_tg(p)->sig.act[sig - 1], regs, left);
	if (!frame_push(p, sig, si, regs)) {
		proc_exit(p, SIGSEGV);
		return;
	}
	ux_tcb_write_regs(tcb, 1, UX_REG_RFLAGS + 1, regs);
}

/* Send the answer p waits for now: n registers from regs, or reply as
 * it is (a file request's answer). */
static void
answer_now(uint64_t *regs, unsigned n, struct ux_msg *reply)
{
	if (regs) {
		reply->info = ux_msginfo(0, n, 0, 0);
		for (unsigned i = 0; i < n; i++) {
			if (i < UX_REG_MRS)
				reply->mr[i] = regs[i];
			else
				ux_ipcbuf()->mr[i] = regs[i];
		}
	}
	ux_reply(ps_reply, reply);
}

unsigned
sig_settle(struct proc *p, uint64_t *regs, unsigned n, struct ux_msg *reply)
{
	enum action act;
	struct sig_info si;
	int sig;
	bool answers = reply != NULL;

	while (sig_deliverable(p) && (sig = take(p, &act, &si))) {
		/* ptrace.c: a tracee stops first, and its tracer decides */
		if (ptrace_traced(p) && ptrace_signal(p, sig, &si, regs, reply))
			return 0;
		if (act == A_IGN || act == A_CONT)
			continue;
		if (act == A_CATCH && reply && regs) {
			/* the reply itself enters the handler */
			if (!frame_push(p, sig, &si, regs)) {
				proc_exit(p, SIGSEGV);
				return 0;
			}
			n = UX_REG_RFLAGS + 1;
			continue; /* the next signal nests on this frame */
		}
		if (reply) /* the rest happens after the answer */
			answer_now(regs, n, reply);
		reply = NULL;
		if (act == A_TERM) {
			proc_exit(p, sig);
			return 0;
		}
		if (act == A_STOP) {
			stop(p, sig);
			continue;
		}
		deliver_away(p, sig, &si);
		return 0;
	}
	/* A call answered without a handler's frame puts back the mask
	 * its wait had (rt_sigsuspend, ppoll, pselect6), which may let
	 * more through (Linux's restore_saved_sigmask). */
	if (answers && p && p->sig.restore_mask) {
		p->sig.mask = p->sig.saved_mask;
		p->sig.restore_mask = false;
		if (sig_deliverable(p))
			return sig_settle(p, regs, n, reply);
	}
	return reply ? (regs ? n : 1) : 0;
}

unsigned
sig_fault(struct proc *p, unsigned label, uint64_t w0, uint64_t w1,
	  uint64_t *regs)
{
	/* the signal a CPU exception means on Linux */
	int sig = label == UX_FAULT_PAGE ? SIGSEGV
		  : w0 == 0 || w0 == 16 || w0 == 19 ? 8   /* SIGFPE */
		  : w0 == 6			  ? 4   /* SIGILL */
		  : w0 == 3 || w0 == 1		  ? 5   /* SIGTRAP */
		  : w0 == 17			  ? 7   /* SIGBUS */
						  : SIGSEGV;
	struct sig_info si = {.code = label == UX_FAULT_PAGE
					      ? ((w1 & UX_PF_PRESENT) ? 2 : 1)
					      : SI_KERNEL,
			      .addr = label == UX_FAULT_PAGE ? w0
							     : regs[UX_REG_RIP]};
	if (sig == 8)
		si.code = 1; /* FPE_INTDIV */
	/* A Linux system call's bad buffer is EFAULT, as on Linux. */
	if (label == UX_FAULT_PAGE && (w1 & UX_PF_SYSCALL) &&
	    regs[UX_REG_RAX] < 512) {
		regs[UX_REG_RIP] += 2;
		regs[UX_REG_RAX] = (uint64_t)-LX_EFAULT;
		return UX_REG_RFLAGS + 1;
	}
	/* A fault's signal cannot be blocked or ignored: that ends it (a
	 * tracee's stops first: ptrace.c). */
	if (!ptrace_traced(p) &&
	    ((p->sig.mask & BIT(sig)) || action(p, sig) != A_CATCH)) {
		printf("procserv: pid %d (%s): %s %#lx at rip %#lx: killed by "
		       "signal %d\n",
		       p->pid, p->name,
		       label == UX_FAULT_PAGE ? "page fault at" : "exception",
		       (unsigned long)w0, (unsigned long)regs[UX_REG_RIP], sig);
		proc_exit(p, sig);
		return 0;
	}
	p->sig.pending |= BIT(sig);
	p->sig.info[sig - 1] = si;
	return UX_REG_RFLAGS + 1; /* sig_settle enters the handler */
}

void
sig_fork(struct proc *parent, struct proc *child)
{
	child->sig = proc_tg(parent)->sig;
	child->sig.mask = parent->sig.mask; /* the forking thread's */
	child->sig.alt_sp = parent->sig.alt_sp;
	child->sig.alt_size = parent->sig.alt_size;
	child->sig.alt_flags = parent->sig.alt_flags;
	child->sig.pending = child->sig.shared = 0;
	child->sig.q.n = child->sig.shared_q.n = 0;
	child->sig.wait_set = 0;
	child->sig.stopped = false;
	child->sig.stop_report = 0;
	child->sig.cont_report = false;
	child->sig.suspend_reply = 0;
	child->sig.restore_mask = false;
	child->sig.alarm_at = child->sig.alarm_every = 0; /* not inherited */
}

/* Handlers go back to the default; ignored signals stay ignored. */
void
sig_exec(struct proc *p)
{
	for (unsigned s = 0; s < 64; s++)
		if (p->sig.act[s][0] != SIG_IGN)
			memset(p->sig.act[s], 0, sizeof p->sig.act[s]);
	p->sig.alt_sp = p->sig.alt_size = 0;
	p->sig.alt_flags = 0;
}

bool
sig_may(struct proc *from, struct proc *to, int sig)
{
	from = proc_tg(from);
	to = proc_tg(to);
	if (from == to || (sig == SIGCONT && from->sid == to->sid))
		return true; /* itself; SIGCONT in its session, as Unix */
	char path[24];
	snprintf(path, sizeof path, "proc/%d", to->pid);
	struct sdesc d = {.mode = 0040555, .uid = to->uid, .gid = to->gid};
	return sec_check(from, path, PERM_CONTROL, &d) == 0;
}

long
sig_kill(struct proc *from, int64_t pid, int sig, int code)
{
	struct sig_info si = {.code = code, .pid = from->tgid,
			      .uid = (int32_t)from->uid};
	struct proc *t = pid > 0 ? proc_get((uint64_t)pid) : NULL;
	bool found = false, sent = false;
	if (sig < 0 || sig > 64)
		return -LX_EINVAL;
	if (pid == INT32_MIN)
		return -LX_ESRCH;
	from = proc_tg(from);
	for (struct proc *q = proc_next(NULL); q; q = proc_next(q)) {
		bool hit = pid > 0    ? t && proc_tg(t) == q /* a tid too */
			   : pid == 0  ? q->pgid == from->pgid
			   : pid == -1 ? q->pid != 1 && q != from
				       : q->pgid == -pid;
		if (!hit || q->native)
			continue;
		found = true;
		if (!sig_may(from, q, sig))
			continue;
		sent = true;
		if (sig)
			sig_send(q, sig, &si);
	}
	return sent ? 0 : found ? -LX_EPERM : -LX_ESRCH;
}

/* The console's notification: fetch the signals its keyboard made and
 * send them to the foreground group they name. */
void
sig_console(void)
{
	struct ux_msg m = {.info = ux_msginfo(UX_TTY_TAKE_SIGNALS, 0, 0, 0)};
	if (!ps_console_ep || ux_call(ps_console_ep, &m) ||
	    ux_mi_len(m.info) < 2)
		return;
	struct sig_info si = {.code = SI_KERNEL};
	for (int sig = 1; sig < 32; sig++) {
		if (!(m.mr[1] & BIT(sig)))
			continue;
		for (struct proc *q = proc_next(NULL); q; q = proc_next(q))
			if (q->pgid == (int)m.mr[0])
				sig_send(q, sig, &si);
	}
}

/* System calls. */


long
lx_rt_sigaction(struct proc *p, uint64_t *regs)
{
	uint64_t sig = ARG0, act[4];
	p = proc_tg(p);
	if (sig < 1 || sig > 64 || ARG3 != 8)
		return -LX_EINVAL;
	if (ARG1 && (sig == SIGKILL || sig == SIGSTOP))
		return -LX_EINVAL;
	if (ARG1 && proc_copy_in(p, act, ARG1, sizeof act))
		return -LX_EFAULT;
	if (ARG2 && proc_copy_out(p, ARG2, p->sig.act[sig - 1], 32))
		return -LX_EFAULT;
	if (ARG1) {
		act[3] &= ~UNBLOCKABLE;
		memcpy(p->sig.act[sig - 1], act, sizeof act);
		if (action(p, (int)sig) == A_IGN) /* pending ones are dropped */
			unpend(p, BIT(sig));
	}
	return 0;
}

long
lx_rt_sigprocmask(struct proc *p, uint64_t *regs)
{
	uint64_t set, old = p->sig.mask;
	if (ARG3 != 8)
		return -LX_EINVAL;
	if (ARG1) {
		if (proc_copy_in(p, &set, ARG1, 8))
			return -LX_EFAULT;
		if (ARG0 == 0)
			p->sig.mask |= set;
		else if (ARG0 == 1)
			p->sig.mask &= ~set;
		else if (ARG0 == 2)
			p->sig.mask = set;
		else
			return -LX_EINVAL;
		p->sig.mask &= ~UNBLOCKABLE;
	} else if (ARG0 > 2) {
		return -LX_EINVAL;
	}
	if (ARG2 && proc_copy_out(p, ARG2, &old, 8))
		return -LX_EFAULT;
	return 0;
}

long
lx_rt_sigpending(struct proc *p, uint64_t *regs)
{
	uint64_t set = (p->sig.pending | proc_tg(p)->sig.shared) & p->sig.mask;
	if (ARG1 != 8)
		return -LX_EINVAL;
	return proc_copy_out(p, ARG0, &set, 8) ? -LX_EFAULT : 0;
}

/* Wait for a signal: answered EINTR by the handler's delivery. */
static long
suspend(struct proc *p)
{
	if (sig_deliverable(p))
		return -LX_EINTR;
	if (!(p->sig.suspend_reply = ps_defer()))
		return -LX_ENOMEM;
	return LX_LATER;
}

long
lx_rt_sigsuspend(struct proc *p, uint64_t *regs)
{
	uint64_t set;
	if (ARG1 != 8)
		return -LX_EINVAL;
	if (proc_copy_in(p, &set, ARG0, 8))
		return -LX_EFAULT;
	if (!p->sig.restore_mask) /* else made again after a stop */
		p->sig.saved_mask = p->sig.mask;
	p->sig.restore_mask = true;
	p->sig.mask = set & ~UNBLOCKABLE;
	return suspend(p);
}

long
lx_pause(struct proc *p, uint64_t *regs)
{
	(void)regs;
	return suspend(p);
}

long
lx_rt_sigreturn(struct proc *p, uint64_t *regs)
{
	uint64_t g[18], mask, uc = regs[UX_REG_RSP];
	if (proc_copy_in(p, g, uc + UC_GREGS - UC, sizeof g) ||
	    proc_copy_in(p, &mask, uc + UC_MASK - UC, 8)) {
		proc_exit(p, SIGSEGV); /* as Linux: a bad frame kills */
		return LX_GONE;
	}
	if (g[16] >= UX_USER_TOP) {
		proc_exit(p, SIGSEGV);
		return LX_GONE;
	}
	for (unsigned i = 0; i < 17; i++)
		regs[gregs_order[i]] = g[i];
	regs[UX_REG_RFLAGS] =
		(regs[UX_REG_RFLAGS] & ~FIX_FLAGS) | (g[17] & FIX_FLAGS);
	p->sig.mask = mask & ~UNBLOCKABLE;
	uint64_t fx_va, fx[64];
	if (!proc_copy_in(p, &fx_va, uc + UC_FPSTATE - UC, 8) && fx_va) {
		if (proc_copy_in(p, fx, fx_va, sizeof fx)) {
			proc_exit(p, SIGSEGV);
			return LX_GONE;
		}
		fx[3] &= ~0xFFFF0000ull; /* MXCSR's reserved bits, as Linux */
		ux_tcb_write_fpu(proc_tcb(p), fx);
	}
	return LX_REGS;
}

long
lx_sigaltstack(struct proc *p, uint64_t *regs)
{
	uint64_t ss[3], old[3] = {p->sig.alt_sp,
				  p->sig.alt_size ? 0 : SS_DISABLE,
				  p->sig.alt_size};
	bool on = on_altstack(p, regs[UX_REG_RSP]);
	if (on)
		old[1] = SS_ONSTACK;
	if (ARG0) {
		if (proc_copy_in(p, ss, ARG0, sizeof ss))
			return -LX_EFAULT;
		if (on)
			return -LX_EPERM;
		uint32_t fl = (uint32_t)ss[1] & ~(1u << 31); /* SS_AUTODISARM */
		if (fl != 0 && fl != SS_DISABLE && fl != SS_ONSTACK)
			return -LX_EINVAL;
		if (fl == SS_DISABLE) {
			p->sig.alt_sp = p->sig.alt_size = 0;
		} else {
			if (ss[2] < 2048) /* MINSIGSTKSZ */
				return -LX_ENOMEM;
			p->sig.alt_sp = ss[0];
			p->sig.alt_size = ss[2];
		}
	}
	if (ARG1 && proc_copy_out(p, ARG1, old, sizeof old))
		return -LX_EFAULT;
	return 0;
}

long
lx_kill(struct proc *p, uint64_t *regs)
{
	return sig_kill(p, (int32_t)ARG0, (int)(int64_t)ARG1, SI_USER);
}

/* A signal for thread tid (of process tgid, if > 0). */
static long
thread_kill(struct proc *p, int64_t tgid, int64_t tid, int64_t sig)
{
	struct proc *t = proc_get((uint64_t)tid);
	if (tid <= 0 || tid > INT32_MAX || !tgid || tgid < -1 ||
	    tgid > INT32_MAX)
		return -LX_EINVAL;
	if (!t || t->native || (t->pid == t->tgid && t->thread_gone) ||
	    (tgid > 0 && t->tgid != tgid))
		return -LX_ESRCH;
	if (sig < 0 || sig > 64)
		return -LX_EINVAL;
	if (!sig_may(p, t, (int)sig))
		return -LX_EPERM;
	struct sig_info si = {.code = SI_TKILL, .pid = p->tgid,
			      .uid = (int32_t)p->uid};
	if (sig)
		sig_send_thread(t, (int)sig, &si);
	return 0;
}

long
lx_tkill(struct proc *p, uint64_t *regs)
{
	return thread_kill(p, -1, (int64_t)ARG0, (int32_t)ARG1);
}

long
lx_tgkill(struct proc *p, uint64_t *regs)
{
	return thread_kill(p, (int64_t)ARG0, (int64_t)ARG1, (int32_t)ARG2);
}

/* Alarms: ITIMER_REAL (alarm and setitimer), checked on time.c's tick. */

bool
sig_alarms(uint64_t now)
{
	bool any = false;
	struct sig_info si = {.code = SI_KERNEL};
	for (struct proc *q = proc_next(NULL); q; q = proc_next(q)) {
		if (!q->sig.alarm_at)
			continue;
		if (q->sig.alarm_at <= now) {
			q->sig.alarm_at = q->sig.alarm_every
						  ? now + q->sig.alarm_every
						  : 0;
			sig_send(q, 14, &si); /* SIGALRM */
		}
		any |= q->sig.alarm_at != 0;
	}
	return any;
}

/* The alarm's time left, as an itimerval's two timevals (usec). */
static void
itimer_get(struct proc *p, uint64_t tv[4])
{
	uint64_t now = time_mono_ns(), at = p->sig.alarm_at;
	uint64_t left = at > now ? (at - now + 999) / 1000 : at ? 1 : 0;
	uint64_t every = p->sig.alarm_every / 1000;
	tv[0] = every / 1000000, tv[1] = every % 1000000;
	tv[2] = left / 1000000, tv[3] = left % 1000000;
}

static long
itimer_set(struct proc *p, uint64_t every_ns, uint64_t value_ns)
{
	p->sig.alarm_every = value_ns ? every_ns : 0;
	p->sig.alarm_at = value_ns ? time_mono_ns() + value_ns : 0;
	return value_ns ? time_alarm_armed() : 0;
}

/* alarm(secs): the seconds the previous alarm had left (rounded as
 * Linux does), a new one-shot alarm (0: none). */
long
lx_alarm(struct proc *p, uint64_t *regs)
{
	uint64_t tv[4];
	itimer_get(p, tv);
	uint64_t secs = (uint32_t)ARG0;
	long e = itimer_set(p, 0, secs * 1000000000ull);
	if (e)
		return e;
	/* not 0 while one is pending; half a second or more rounds up */
	return (long)(tv[2] + ((!tv[2] && tv[3]) || tv[3] >= 500000));
}

long
lx_getitimer(struct proc *p, uint64_t *regs)
{
	uint64_t tv[4] = {0};
	if (ARG0 > 2)
		return -LX_EINVAL;
	if (ARG0 == 0)
		itimer_get(p, tv);
	return proc_copy_out(p, ARG1, tv, sizeof tv) ? -LX_EFAULT : 0;
}

/* ITIMER_REAL only: the CPU-time timers need CPU accounting, which does
 * not exist yet (EINVAL, and listed as missing). */
long
lx_setitimer(struct proc *p, uint64_t *regs)
{
	uint64_t nv[4], old[4];
	if (ARG0 != 0)
		return -LX_EINVAL;
	if (ARG1 && proc_copy_in(p, nv, ARG1, sizeof nv))
		return -LX_EFAULT;
	if (ARG1 && (nv[1] >= 1000000 || nv[3] >= 1000000 ||
		     (int64_t)nv[0] < 0 || (int64_t)nv[2] < 0))
		return -LX_EINVAL;
	itimer_get(p, old);
	if (ARG2 && proc_copy_out(p, ARG2, old, sizeof old))
		return -LX_EFAULT;
	if (!ARG1)
		return 0;
	uint64_t cap = 1ull << 33; /* seconds: keeps the sums in range */
	uint64_t every = (nv[0] < cap ? nv[0] : cap) * 1000000000ull + nv[1] * 1000;
	uint64_t value = (nv[2] < cap ? nv[2] : cap) * 1000000000ull + nv[3] * 1000;
	return itimer_set(p, every, value);
}

/* Realtime signals' calls: rt_sigtimedwait, rt_(tg)sigqueueinfo. */

/* Take sig off what p waits for; its siginfo to va (if not 0). */
static long
sigwait_take(struct proc *p, int sig, uint64_t va)
{
	struct proc *l = proc_tg(p);
	struct sig_info si =
		dequeue(pend_of(l, p->sig.pending & BIT(sig) ? p : NULL), sig);
	uint8_t f[128] = {0};
	siginfo_fill(f, sig, &si);
	return va && proc_copy_out(p, va, f, sizeof f) ? -LX_EFAULT : sig;
}

/* t waits in rt_sigtimedwait for sig, just sent: answer it. */
static bool
sigwait_answer(struct proc *t, int sig)
{
	if (!(t->sig.wait_set & BIT(sig)))
		return false;
	uint64_t reply = t->sig.wait_reply;
	t->sig.wait_set = t->sig.wait_reply = 0;
	long r = sigwait_take(t, sig, t->sig.wait_va);
	if (!reply) { /* a timed wait: time.c holds the reply */
		time_answer(t, r);
		return true;
	}
	struct ux_msg m = {.info = ux_msginfo(0, 1, 0, 0),
			   .mr = {(uint64_t)r}};
	ux_reply(reply, &m);
	ps_release(reply);
	return true;
}

static long
sigwait_timeout(struct proc *p, const uint64_t *arg)
{
	(void)arg;
	p->sig.wait_set = 0;
	return -LX_EAGAIN;
}

/* rt_sigtimedwait(set, info, timeout, sigsetsize): a pending signal of
 * set now, else wait for one (EAGAIN when the timeout passes). */
long
lx_rt_sigtimedwait(struct proc *p, uint64_t *regs)
{
	uint64_t set, ns = 0;
	long e;
	if (ARG3 != 8)
		return -LX_EINVAL;
	if (proc_copy_in(p, &set, ARG0, 8))
		return -LX_EFAULT;
	if (ARG2 && (e = lx_timespec_ns(p, ARG2, &ns)))
		return e;
	set &= ~UNBLOCKABLE;
	uint64_t have = (p->sig.pending | proc_tg(p)->sig.shared) & set;
	if (have)
		return sigwait_take(p, __builtin_ctzll(have) + 1, ARG1);
	if (ARG2 && !ns)
		return -LX_EAGAIN;
	p->sig.wait_set = set;
	p->sig.wait_va = ARG1;
	p->sig.wait_reply = 0;
	if (ARG2) {
		uint64_t now = time_mono_ns();
		e = time_sleep(p, ns > ~0ull - now ? ~0ull : now + ns,
			       sigwait_timeout, NULL);
		if (e != LX_LATER)
			p->sig.wait_set = 0;
		return e;
	}
	if (!(p->sig.wait_reply = ps_defer())) {
		p->sig.wait_set = 0;
		return -LX_ENOMEM;
	}
	return LX_LATER;
}

/* The siginfo a sigqueue caller gives (its first 32 bytes); one that
 * claims to come from the kernel or kill (si_code >= 0, or SI_TKILL) is
 * refused unless sent to the caller itself, as Linux refuses it. */
static long
queued_info(struct proc *p, uint64_t va, bool self, struct sig_info *si)
{
	int32_t h[8];
	if (proc_copy_in(p, h, va, sizeof h))
		return -LX_EFAULT;
	*si = (struct sig_info){.code = h[2], .pid = h[4], .uid = h[5]};
	memcpy(&si->value, &h[6], 8);
	if ((si->code >= 0 || si->code == SI_TKILL) && !self)
		return -LX_EPERM;
	return 0;
}

long
lx_rt_sigqueueinfo(struct proc *p, uint64_t *regs)
{
	struct sig_info si;
	int64_t pid = (int32_t)ARG0, sig = (int32_t)ARG1;
	long e = queued_info(p, ARG2, pid == p->pid, &si);
	struct proc *t = pid > 0 ? proc_get((uint64_t)pid) : NULL;
	if (e)
		return e;
	if (!t || t->native)
		return -LX_ESRCH;
	if (sig < 0 || sig > 64)
		return -LX_EINVAL;
	if (!sig_may(p, t, (int)sig))
		return -LX_EPERM;
	return !sig || post(proc_tg(t), NULL, (int)sig, &si) ? 0 : -LX_EAGAIN;
}

long
lx_rt_tgsigqueueinfo(struct proc *p, uint64_t *regs)
{
	struct sig_info si;
	int64_t tgid = (int32_t)ARG0, tid = (int32_t)ARG1;
	int64_t sig = (int32_t)ARG2;
	if (tgid <= 0 || tid <= 0)
		return -LX_EINVAL;
	long e = queued_info(p, ARG3, tid == p->pid, &si);
	struct proc *t = proc_get((uint64_t)tid);
	if (e)
		return e;
	if (!t || t->native || t->tgid != tgid ||
	    (t->pid == t->tgid && t->thread_gone))
		return -LX_ESRCH;
	if (sig < 0 || sig > 64)
		return -LX_EINVAL;
	if (!sig_may(p, t, (int)sig))
		return -LX_EPERM;
	return !sig || sig_send_thread(t, (int)sig, &si) ? 0 : -LX_EAGAIN;
}
