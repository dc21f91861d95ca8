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
 * Not kept in the frame: the FPU/SSE registers (the kernel does not
 * expose them yet), so a handler that uses them can disturb the code it
 * interrupted.
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
	uint64_t h = p->sig.act[sig - 1][0];
	if (sig == SIGKILL || sig == SIGSTOP || h == SIG_DFL)
		return default_action(sig);
	return h == SIG_IGN ? A_IGN : A_CATCH;
}

/* The lowest pending signal p would take now, or 0. A stopped process
 * takes only SIGKILL. */
static int
next_signal(struct proc *p)
{
	uint64_t d = p->sig.pending & ~(p->sig.mask & ~UNBLOCKABLE);
	if (p->sig.stopped)
		d &= BIT(SIGKILL);
	return d ? __builtin_ctzll(d) + 1 : 0;
}

bool
sig_deliverable(struct proc *p)
{
	return p && !p->native && next_signal(p);
}

bool
sig_autoreap(struct proc *p)
{
	return p->sig.act[SIGCHLD - 1][0] == SIG_IGN ||
	       (p->sig.act[SIGCHLD - 1][1] & SA_NOCLDWAIT);
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
	pipe_cancel(p->pid);
	futex_cancel(p);
	poll_cancel(p);
	return time_cancel(p);
}

static void
stop(struct proc *p, int sig)
{
	sig_cancel_waits(p); /* every call is made again on SIGCONT */
	ux_tcb_suspend(PCAP(p->pid, PS_TCB), NULL);
	p->sig.stopped = true;
	p->sig.cont_report = false;
	notify_parent(p, CLD_STOPPED, sig);
}

static void
cont(struct proc *p)
{
	p->sig.pending &= ~STOPS;
	if (!p->sig.stopped)
		return;
	p->sig.stopped = false;
	p->sig.stop_report = 0;
	if (p->pid != sig_current)
		ux_tcb_resume(PCAP(p->pid, PS_TCB));
	notify_parent(p, CLD_CONTINUED, SIGCONT);
}

void
sig_send(struct proc *p, int sig, const struct sig_info *si)
{
	if (!p || p->native || sig < 1 || sig > 64)
		return;
	if (sig == SIGCONT)
		cont(p);
	else if (BIT(sig) & STOPS)
		p->sig.pending &= ~BIT(SIGCONT);
	/* An ignored signal is dropped, unless blocked (the handler may
	 * change before it is unblocked); so is a SIGCONT nobody catches,
	 * its work done. */
	enum action a = action(p, sig);
	bool drop = (a == A_IGN || a == A_CONT) && !(p->sig.mask & BIT(sig));
	if (!drop && !(p->sig.pending & BIT(sig)))
		p->sig.info[sig - 1] = si ? *si : (struct sig_info){.code = SI_KERNEL};
	if (!drop)
		p->sig.pending |= BIT(sig);
	if (p->pid != sig_current && sig_deliverable(p))
		sig_settle(p, NULL, 0, NULL);
}

/* Whether Linux makes the call in regs again after an SA_RESTART
 * handler. */
static bool
restartable(const uint64_t *regs)
{
	switch (regs[UX_REG_RAX]) {
	case 7: case 23: case 34: case 35: case 130: case 230: case 270:
	case 271: /* poll, select, pause, nanosleep, sigsuspend, ... */
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

/* Fill the frame's siginfo. */
static void
frame_info(uint8_t *f, int sig, const struct sig_info *si)
{
	int32_t head[4] = {sig, 0, si->code, 0};
	memcpy(f + INFO, head, sizeof head);
	if (sig == SIGSEGV || sig == 7 || sig == 4 || sig == 8) {
		put64(f, INFO + 16, si->addr); /* SEGV, BUS, ILL, FPE */
	} else {
		int32_t w[3] = {si->pid, si->uid, si->status};
		memcpy(f + INFO + 16, w, sizeof w);
	}
}

/* Put a frame for sig's handler on p's stack and point regs at the
 * handler. False if the stack cannot take it. */
static bool
frame_push(struct proc *p, int sig, const struct sig_info *si, uint64_t *regs)
{
	static uint8_t f[FRAME_SIZE];
	uint64_t *a = p->sig.act[sig - 1];
	uint64_t sp = regs[UX_REG_RSP];
	bool on = on_altstack(p, sp);

	if ((a[1] & SA_ONSTACK) && p->sig.alt_size && !on &&
	    !(p->sig.alt_flags & SS_DISABLE))
		sp = p->sig.alt_sp + p->sig.alt_size;
	else
		sp -= 128; /* the red zone */
	sp = ((sp - FRAME_SIZE) & ~15ull) - 8; /* as after a call */
	memset(f, 0, sizeof f);
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
	frame_info(f, sig, si);
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
	int sig = next_signal(p);
	if (sig) {
		p->sig.pending &= ~BIT(sig);
		*si = p->sig.info[sig - 1];
		*act = action(p, sig);
	}
	return sig;
}

/* Deliver to p, not held by us, the signal it takes next. */
static void
deliver_away(struct proc *p, int sig, const struct sig_info *si)
{
	uint64_t tcb = PCAP(p->pid, PS_TCB), regs[UX_REG_COUNT];
	uint64_t left = sig_cancel_waits(p);
	bool again = false;
	if (ux_tcb_suspend(tcb, &again) || ux_tcb_read_regs(tcb, regs)) {
		proc_exit(p, sig);
		return;
	}
	if (again)
		interrupted(p, p->sig.act[sig - 1], regs, left);
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
	if (answers && p->sig.restore_mask) {
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
	/* A fault's signal cannot be blocked or ignored: that ends it. */
	if ((p->sig.mask & BIT(sig)) || action(p, sig) != A_CATCH) {
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
	child->sig = parent->sig;
	child->sig.pending = 0;
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

long
sig_kill(struct proc *from, int64_t pid, int sig, int code)
{
	struct sig_info si = {.code = code, .pid = from->pid,
			      .uid = (int32_t)from->uid};
	bool found = false;
	if (sig < 0 || sig > 64)
		return -LX_EINVAL;
	if (pid == INT32_MIN)
		return -LX_ESRCH;
	for (struct proc *q = proc_next(NULL); q; q = proc_next(q)) {
		bool hit = pid > 0    ? q->pid == pid
			   : pid == 0  ? q->pgid == from->pgid
			   : pid == -1 ? q->pid != 1 && q != from
				       : q->pgid == -pid;
		if (!hit || q->native)
			continue;
		found = true;
		if (sig)
			sig_send(q, sig, &si);
	}
	return found ? 0 : -LX_ESRCH;
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

#define ARG0 regs[UX_REG_RDI]
#define ARG1 regs[UX_REG_RSI]
#define ARG2 regs[UX_REG_RDX]
#define ARG3 regs[UX_REG_R10]

long
lx_rt_sigaction(struct proc *p, uint64_t *regs)
{
	uint64_t sig = ARG0, act[4];
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
			p->sig.pending &= ~BIT(sig);
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
	uint64_t set = p->sig.pending & p->sig.mask;
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

/* One thread per process: a thread id is its process's id. */
long
lx_tkill(struct proc *p, uint64_t *regs)
{
	if ((int64_t)ARG0 <= 0)
		return -LX_EINVAL;
	return sig_kill(p, (int32_t)ARG0, (int)(int64_t)ARG1, SI_TKILL);
}

long
lx_tgkill(struct proc *p, uint64_t *regs)
{
	if ((int64_t)ARG0 <= 0 || (int64_t)ARG1 <= 0)
		return -LX_EINVAL;
	if (ARG0 != ARG1)
		return -LX_ESRCH;
	return sig_kill(p, (int32_t)ARG1, (int)(int64_t)ARG2, SI_TKILL);
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
