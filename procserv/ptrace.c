/*
 * ptrace.c - ptrace(2) for Linux processes: a tracer stops a tracee,
 * reads and changes its registers and memory, and sees its signals and
 * system calls (docs/design-procserv.md, "Tracing").
 *
 * A tracee is a task (a thread), as on Linux. Every stop is the same
 * thing here: the tracee's TCB is suspended and we keep the registers it
 * will go on with (struct pt's regs, in Linux's view: rip after a system
 * call, rax its result, orig_rax its number; a call the stop took it out
 * of shows -ERESTARTSYS and is made again), which PTRACE_GETREGS and the
 * rest read and change; resuming writes them back. A tracee stops:
 * - before a signal is delivered (signal.c's sig_settle asks
 *   ptrace_signal): the tracer sees it and chooses what is delivered;
 * - at a system call's entry and end (PTRACE_SYSCALL): the kernel sends a
 *   traced thread's every call here first, file calls too, and its end
 *   back here (UX_TCB_F_LINUX_TRACE, docs/kernel-interface.md); a file
 *   call we send back to be carried to its server (UX_FAULT_REPLY_CARRY);
 * - after execve (PTRACE_EVENT_EXEC, or a SIGTRAP), at a group stop, and
 *   at PTRACE_INTERRUPT.
 * The tracer learns of stops through wait4 (proc.c asks ptrace_news) and
 * SIGCHLD. Attaching is a permission on /proc/PID (op k), as kill is.
 * State is kept by tid (pts[]), so struct proc does not change.
 */
#include "procserv.h"
#include "lx_errno.h"

#define PTRACE_TRACEME 0
#define PTRACE_PEEKTEXT 1
#define PTRACE_PEEKDATA 2
#define PTRACE_PEEKUSER 3
#define PTRACE_POKETEXT 4
#define PTRACE_POKEDATA 5
#define PTRACE_POKEUSER 6
#define PTRACE_CONT 7
#define PTRACE_KILL 8
#define PTRACE_SINGLESTEP 9
#define PTRACE_GETREGS 12
#define PTRACE_SETREGS 13
#define PTRACE_GETFPREGS 14
#define PTRACE_SETFPREGS 15
#define PTRACE_ATTACH 16
#define PTRACE_DETACH 17
#define PTRACE_SYSCALL 24
#define PTRACE_SETOPTIONS 0x4200
#define PTRACE_GETEVENTMSG 0x4201
#define PTRACE_GETSIGINFO 0x4202
#define PTRACE_GETREGSET 0x4204
#define PTRACE_SETREGSET 0x4205
#define PTRACE_SEIZE 0x4206
#define PTRACE_INTERRUPT 0x4207

/* The options we implement; the others Linux has (fork, clone, exit,
 * seccomp events) are EINVAL here (lx_syscalls.h). */
#define O_TRACESYSGOOD 1
#define O_TRACEEXEC 0x10
#define O_EXITKILL 0x100000
#define O_KNOWN (O_TRACESYSGOOD | O_TRACEEXEC | O_EXITKILL)
#define EVENT_EXEC 4
#define EVENT_STOP 128

#define SIGTRAP 5
#define ERESTARTSYS 512
#define TF 0x100ull
#define CLD_TRAPPED 4
#define SI_USER 0
#define TRAP_BRKPT 1
#define NT_PRSTATUS 1
#define NT_PRFPREG 2
#define USER_SIZE 928   /* the kernel's sizeof(struct user): 912 and two
			 * words, error_code and fault_address */
#define USER_DEBUGREG 848 /* offsetof(struct user, u_debugreg) */
#define NUREGS 27       /* words of struct user_regs_struct */
#define FLAG_MASK 0x50dd5ull /* the flags a tracer may set (Linux's) */

enum stop { PT_RUN, PT_SIGNAL, PT_GROUP, PT_ENTER, PT_EXIT, PT_EVENT };
enum mode { M_CONT, M_SYSCALL, M_STEP };
/* Where a traced thread (LINUX_TRACE) is in a system call. */
enum call {
	C_NONE,    /* not in one: the next call is a new one */
	C_ENTERED, /* past its entry (stop): the next arrival is the call */
	C_IN,      /* being answered: its end (UX_SYSCALL_END) will come */
	C_CARRIED  /* sent back to the kernel to carry to its server */
};
/* Stops still due when the tracer resumes the tracee (go_on), in this
 * order. */
#define NEXT_EXIT 1    /* the end of execve (PTRACE_SYSCALL) */
#define NEXT_STOP 2    /* a stop a call's end came before (next_kind) */
#define NEXT_SIGTRAP 4 /* the SIGTRAP after an attached tracee's exec */

struct pt {
	int tracer, tracer_tgid; /* the tracing task and its process; 0 */
	bool seized;
	bool restart;     /* the stop took it out of a call (made again) */
	bool forced_tf;   /* we set TF for PTRACE_SINGLESTEP */
	bool injecting;   /* go_on is delivering the tracer's signal */
	bool delivered;   /* ... and signal.c did (its frame) */
	bool again;       /* ... to a call it took out (EINTR or restart) */
	uint8_t stop, mode, call, next, next_kind;
	uint32_t options;
	int report;       /* wait status the tracer has not taken (0: none) */
	int next_status;
	int sig, inject;  /* the stop's signal; the one to deliver */
	int pass;         /* delivered without a stop: the tracer chose it */
	struct sig_info si, inject_si;
	uint64_t regs[UX_REG_COUNT];
	uint64_t orig_rax, left, eventmsg;
};
static struct pt pts[MAX_PROCS];
uint8_t ptrace_task[MAX_PROCS];

static struct pt *
pt_of(const struct proc *t)
{
	return &pts[t->pid];
}

bool
ptrace_stopped(const struct proc *t)
{
	return pts[t->pid].stop != PT_RUN;
}

/* ---- stopping and going on ---------------------------------------- */

/* Tell t's tracer that t stopped with wait status status. */
static void
stop_at(struct proc *t, enum stop kind, int status)
{
	struct pt *s = pt_of(t);
	s->stop = (uint8_t)kind;
	s->report = status;
	struct proc *tr = proc_get((uint64_t)s->tracer);
	if (!tr)
		return;
	proc_wait_notify(proc_tg(tr));
	struct sig_info si = {.code = CLD_TRAPPED, .pid = t->pid,
			      .uid = (int32_t)t->uid,
			      .status = (status >> 8) & 0xFF};
	sig_send(tr, SIGCHLD, &si);
}

static int
syscall_status(const struct pt *s)
{
	int code = SIGTRAP | (s->options & O_TRACESYSGOOD ? 0x80 : 0);
	return code << 8 | 0x7F;
}

/* Suspend t for a stop and keep its registers: regs, those of a call or
 * fault we are answering now, or (NULL) those the kernel holds, a call
 * it is taken out of shown as Linux shows it. False if t had to end. */
static bool
halt(struct proc *t, const uint64_t *regs)
{
	struct pt *s = pt_of(t);
	uint64_t tcb = proc_tcb(t);
	bool again = false;
	if (regs) {
		ux_tcb_suspend(tcb, NULL);
		memcpy(s->regs, regs, sizeof s->regs);
		s->restart = false;
		return true;
	}
	s->left = sig_cancel_waits(t);
	if (ux_tcb_suspend(tcb, &again) || ux_tcb_read_regs(tcb, s->regs)) {
		proc_exit(t, SIGKILL);
		return false;
	}
	s->restart = again;
	if (again) { /* rip on the syscall, rax its number */
		s->orig_rax = s->regs[UX_REG_RAX];
		s->regs[UX_REG_RIP] += 2;
		s->regs[UX_REG_RAX] = (uint64_t)-ERESTARTSYS;
	} else if (s->call == C_NONE) {
		s->orig_rax = (uint64_t)-1;
	}
	return true;
}

/* The TCB flags for t now: system calls come here while it is traced
 * for them (or single-stepped), or in the middle of one. */
static void
set_flags(struct proc *t)
{
	struct pt *s = pt_of(t);
	bool trace = s->tracer && (s->mode != M_CONT || s->call != C_NONE);
	ux_tcb_set_flags(proc_tcb(t), UX_TCB_F_LINUX_FILES |
					      (trace ? UX_TCB_F_LINUX_TRACE : 0));
}

/* Stopped t goes on: the stops still due first, else it runs with its
 * registers (the call a stop took it out of made again, unless the
 * tracer changed rax), taking the tracer's signal, if any. */
static void
go_on(struct proc *t)
{
	struct pt *s = pt_of(t);
	uint64_t *r = s->regs, tcb = proc_tcb(t);
	if (s->next & NEXT_EXIT) {
		s->next &= ~NEXT_EXIT;
		if (s->mode == M_SYSCALL) {
			stop_at(t, PT_EXIT, syscall_status(s));
			return;
		}
	}
	if (s->next & NEXT_STOP) {
		s->next &= ~NEXT_STOP;
		stop_at(t, s->next_kind, s->next_status);
		return;
	}
	if (s->next & NEXT_SIGTRAP) { /* as Linux after an attached exec */
		s->next &= ~NEXT_SIGTRAP;
		s->sig = SIGTRAP;
		s->si = (struct sig_info){.code = SI_USER};
		stop_at(t, PT_SIGNAL, SIGTRAP << 8 | 0x7F);
		return;
	}
	bool again = s->restart && r[UX_REG_RAX] == (uint64_t)-ERESTARTSYS;
	s->restart = false;
	if (again) {
		r[UX_REG_RIP] -= 2;
		r[UX_REG_RAX] = s->orig_rax;
	}
	if (s->mode == M_CONT)
		s->call = C_NONE;
	if (s->mode == M_STEP && !(r[UX_REG_RFLAGS] & TF)) {
		r[UX_REG_RFLAGS] |= TF;
		s->forced_tf = true;
	} else if (s->mode != M_STEP && s->forced_tf) {
		r[UX_REG_RFLAGS] &= ~TF;
		s->forced_tf = false;
	}
	set_flags(t);
	if (ux_tcb_write_regs(tcb, 0, UX_REG_COUNT, r)) {
		proc_exit(t, SIGKILL);
		return;
	}
	int sig = s->inject;
	s->inject = 0;
	if (sig) { /* signal.c delivers it (deliver_away asks ptrace_again) */
		s->pass = sig;
		s->injecting = true;
		s->delivered = false;
		s->again = again;
		sig_send_thread(t, sig, &s->inject_si);
		s->injecting = false;
		if (!proc_get((uint64_t)t->pid) || s->stop != PT_RUN ||
		    proc_tg(t)->sig.stopped || s->delivered)
			return; /* ended, stopped again, or in its handler */
	}
	ux_tcb_resume(tcb);
	if (sig_deliverable(t))
		sig_settle(t, NULL, 0, NULL);
}

/* A group stop ends for traced t (PTRACE_CONT from it): the process runs
 * again, its other threads too (those no stop of ours holds). */
static void
group_go(struct proc *t)
{
	struct proc *l = proc_tg(t);
	if (!l->sig.stopped)
		return;
	l->sig.stopped = false;
	l->sig.stop_report = 0;
	for (struct proc *u = proc_next_thread(l, NULL); u;
	     u = proc_next_thread(l, u))
		if (u != t && !ptrace_stopped(u))
			ux_tcb_resume(proc_tcb(u));
}

/* The tracer resumes stopped t in mode, delivering sig if the stop was a
 * signal's. */
static void
resume(struct proc *t, enum mode mode, int sig)
{
	struct pt *s = pt_of(t);
	enum stop kind = s->stop;
	s->stop = PT_RUN;
	s->report = 0;
	s->mode = (uint8_t)mode;
	if (kind == PT_ENTER) {
		s->restart = false;
		if ((int64_t)s->orig_rax < 0) { /* the tracer cancelled it */
			s->call = C_NONE;
			s->next |= NEXT_EXIT;
		} else { /* the call, as the tracer left its registers */
			s->regs[UX_REG_RIP] -= 2;
			s->regs[UX_REG_RAX] = s->orig_rax;
			s->call = C_ENTERED;
		}
	}
	if (kind == PT_GROUP)
		group_go(t);
	if (kind == PT_SIGNAL && sig) {
		s->inject = sig;
		s->inject_si = s->si;
		if (sig != s->sig) { /* another signal: from the tracer */
			struct proc *tr = proc_get((uint64_t)s->tracer);
			s->inject_si = (struct sig_info){
				.code = SI_USER, .pid = tr ? tr->tgid : 0,
				.uid = tr ? (int32_t)tr->uid : 0};
		}
	}
	go_on(t);
}

/* Stop t now (kind, wait status): held_regs are those it was being
 * answered with (NULL: it was elsewhere). A call the stop takes it out
 * of ends first (its syscall-exit stop), as on Linux. */
static void
stop_now(struct proc *t, enum stop kind, int status,
	 const uint64_t *held_regs)
{
	struct pt *s = pt_of(t);
	if (!halt(t, held_regs))
		return;
	if (s->call != C_NONE) {
		s->call = C_NONE;
		if (s->mode == M_SYSCALL) {
			s->next |= NEXT_STOP;
			s->next_kind = (uint8_t)kind;
			s->next_status = status;
			stop_at(t, PT_EXIT, syscall_status(s));
			return;
		}
	}
	stop_at(t, kind, status);
}

/* A signal-delivery-stop for sig. */
static void
signal_stop(struct proc *t, int sig, const struct sig_info *si,
	    const uint64_t *held_regs)
{
	struct pt *s = pt_of(t);
	s->sig = sig;
	s->si = *si;
	stop_now(t, PT_SIGNAL, sig << 8 | 0x7F, held_regs);
}

bool
ptrace_signal(struct proc *t, int sig, const struct sig_info *si,
	      uint64_t *regs, struct ux_msg *reply)
{
	struct pt *s = pt_of(t);
	if (!s->tracer || sig == SIGKILL)
		return false;
	if (s->pass == sig) {
		s->pass = 0;
		return false;
	}
	if (reply && !regs) { /* a file request: answered first */
		ux_reply(ps_reply, reply);
		reply = NULL;
	}
	signal_stop(t, sig, si, reply ? regs : NULL);
	return true;
}

bool
ptrace_again(struct proc *t, uint64_t *left)
{
	struct pt *s = pt_of(t);
	if (!s->injecting)
		return false;
	s->delivered = true;
	*left = s->left;
	return s->again;
}

void
ptrace_group_stop(struct proc *l, int sig)
{
	for (struct proc *u = proc_next_thread(l, NULL); u;
	     u = proc_next_thread(l, u)) {
		struct pt *s = pt_of(u);
		if (!s->tracer || s->stop != PT_RUN ||
		    ux_tcb_read_regs(proc_tcb(u), s->regs))
			continue;
		s->restart = false;
		s->call = C_NONE;
		s->orig_rax = (uint64_t)-1;
		if (s->tracer_tgid == l->ppid)
			l->sig.stop_report = 0; /* the tracer's report is it */
		stop_at(u, PT_GROUP,
			sig << 8 | 0x7F | (s->seized ? EVENT_STOP << 16 : 0));
	}
}

/* ---- system calls: their entry and end ---------------------------- */

static bool
file_call(uint64_t nr)
{
	return nr <= 1 || nr == 8 || (nr >= 17 && nr <= 20);
}

/* Send t's file call back to the kernel, to carry it to its server (its
 * end comes back as UX_SYSCALL_END). */
static void
carry(uint64_t *regs)
{
	unsigned n = UX_REG_RFLAGS + 1;
	struct ux_msg m = {.info = ux_msginfo(UX_FAULT_REPLY_CARRY, n, 0, 0)};
	regs[UX_REG_RIP] -= 2; /* made again */
	for (unsigned i = 0; i < n; i++) {
		if (i < UX_REG_MRS)
			m.mr[i] = regs[i];
		else
			ux_ipcbuf()->mr[i] = regs[i];
	}
	ux_reply(ps_reply, &m);
}

/* A system call of traced t arrives. */
static unsigned
call_start(struct proc *t, uint64_t *regs)
{
	struct pt *s = pt_of(t);
	uint64_t nr = regs[UX_REG_RAX];
	s->orig_rax = nr;
	if (s->mode == M_CONT && s->call == C_NONE)
		return lx_syscall(t, regs);
	if (s->forced_tf) /* the step trap is ours to give (call_end); a
			     child must not inherit the flag */
		regs[UX_REG_RFLAGS] &= ~TF;
	if (s->call == C_NONE) {
		s->call = C_ENTERED;
		if (s->mode == M_SYSCALL) { /* syscall-enter-stop */
			halt(t, regs);
			s->regs[UX_REG_RAX] = (uint64_t)-LX_ENOSYS;
			stop_at(t, PT_ENTER, syscall_status(s));
			return 0;
		}
	}
	if (s->call == C_ENTERED && file_call(nr) &&
	    !fd_is(t, regs[UX_REG_RDI], FD_NONE)) {
		s->call = C_CARRIED;
		carry(regs);
		return 0;
	}
	s->call = C_IN; /* (a carried call the kernel declined: ours) */
	return lx_syscall(t, regs);
}

/* The call of t ended (n registers of regs answer it). */
static unsigned
call_end(struct proc *t, uint64_t *regs, unsigned n)
{
	struct pt *s = pt_of(t);
	if (!s->tracer) /* detached meanwhile */
		return n;
	s->call = C_NONE;
	if (s->mode == M_SYSCALL) { /* syscall-exit-stop */
		halt(t, regs);
		stop_at(t, PT_EXIT, syscall_status(s));
		return 0;
	}
	if (s->mode == M_STEP) { /* the step trap after the call */
		struct sig_info si = {.code = TRAP_BRKPT,
				      .addr = regs[UX_REG_RIP]};
		sig_send_thread(t, SIGTRAP, &si);
	} else {
		set_flags(t); /* no more calls come here */
	}
	return n;
}

unsigned
ptrace_fault(struct proc *t, unsigned label, uint64_t w0, uint64_t w1,
	     uint64_t *regs)
{
	struct pt *s = pt_of(t);
	if (label == UX_FAULT_SYSCALL)
		return w1 == UX_SYSCALL_END ? call_end(t, regs, 1)
					    : call_start(t, regs);
	if (label == UX_FAULT_EXCEPTION && w0 == 1 && s->forced_tf) {
		regs[UX_REG_RFLAGS] &= ~TF; /* our step's trap */
		s->forced_tf = false;
	}
	uint64_t before = t->sig.pending;
	s->orig_rax = (uint64_t)-1;
	unsigned n = sig_fault(t, label, w0, w1, regs);
	if (!proc_get((uint64_t)t->pid) || !s->tracer)
		return n;
	if (label == UX_FAULT_PAGE && (w1 & UX_PF_SYSCALL) && n &&
	    s->call != C_NONE) {
		/* a carried call's bad buffer: it ends here (EFAULT); the
		 * stop (the suspend) also ends the kernel's carry */
		if (!halt(t, regs))
			return 0;
		s->call = C_NONE;
		if (s->mode == M_SYSCALL)
			stop_at(t, PT_EXIT, syscall_status(s));
		else
			go_on(t);
		return 0;
	}
	/* a blocked fault signal: Linux forces it; it stops first */
	uint64_t added = t->sig.pending & ~before & t->sig.mask;
	if (n && added) {
		int sig = __builtin_ctzll(added) + 1;
		struct sig_info si = t->sig.info[sig - 1];
		t->sig.pending &= ~added;
		signal_stop(t, sig, &si, regs);
		return 0;
	}
	return n;
}

bool
ptrace_holds_signals(const struct proc *t)
{
	const struct pt *s = pt_of(t);
	return s->tracer && (s->call == C_IN || s->call == C_CARRIED);
}

/* ---- exec and the end of tasks ------------------------------------ */

void
ptrace_exec(struct proc *l, int old_tid)
{
	struct pt *s = pt_of(l);
	if (!s->tracer)
		return;
	bool in_call = s->call != C_NONE;
	s->call = C_NONE;
	if (!halt(l, NULL)) /* the new program, not yet run */
		return;
	s->orig_rax = 59;
	s->regs[UX_REG_RAX] = 0;
	if (in_call)
		s->next |= NEXT_EXIT;
	if (!s->seized && !(s->options & O_TRACEEXEC))
		s->next |= NEXT_SIGTRAP;
	if (s->options & O_TRACEEXEC) {
		s->eventmsg = (uint64_t)old_tid;
		stop_at(l, PT_EVENT, (SIGTRAP | EVENT_EXEC << 8) << 8 | 0x7F);
		return;
	}
	go_on(l);
}

/* t is no longer traced (the flags follow at its next resume, or now). */
static void
untrace(struct proc *t)
{
	struct pt *s = pt_of(t);
	struct proc *tr = proc_get((uint64_t)s->tracer);
	memset(s, 0, sizeof *s);
	ptrace_task[t->pid] = 0;
	if (tr)
		proc_wait_notify(proc_tg(tr)); /* its wait may end (ECHILD) */
}

/* Detach t: it goes on as if continued (with sig, at a signal's stop). */
static void
detach(struct proc *t, int sig)
{
	struct pt *s = pt_of(t);
	bool stopped = s->stop != PT_RUN;
	if (!stopped && s->forced_tf && !halt(t, NULL)) /* TF to clear */
		return;
	stopped |= s->forced_tf;
	s->tracer = 0; /* signals go straight to it from now on */
	if ((s->next & NEXT_STOP) && s->next_kind == PT_SIGNAL) {
		s->inject = s->sig; /* taken for a stop still due: its own */
		s->inject_si = s->si;
	}
	s->next = 0;
	if (stopped)
		resume(t, M_CONT, sig);
	if (proc_get((uint64_t)t->pid)) {
		untrace(t);
		if (!stopped)
			set_flags(t);
	}
}

void
ptrace_exit(struct proc *t)
{
	if (pts[t->pid].tracer)
		untrace(t);
	for (int i = 1; i < MAX_PROCS; i++) {
		struct proc *u = proc_get((uint64_t)i);
		if (!u || pts[i].tracer != t->pid)
			continue;
		if (pts[i].options & O_EXITKILL) {
			untrace(u);
			sig_send(u, SIGKILL, NULL);
		} else {
			detach(u, 0);
		}
	}
}

/* ---- waiting ------------------------------------------------------ */

bool
ptrace_traces(const struct proc *w, const struct proc *t)
{
	const struct pt *s = pt_of(t);
	return s->tracer && s->tracer_tgid == w->pid && !t->zombie;
}

int
ptrace_news(const struct proc *w, struct proc *t, int opts)
{
	struct pt *s = pt_of(t);
	if (!ptrace_traces(w, t) || !s->report)
		return -1;
	int st = s->report;
	if (!(opts & WAIT_NOWAIT))
		s->report = 0;
	return st;
}

/* ---- the requests ------------------------------------------------- */

/* struct user_regs_struct's words as ux_reg indices (negative: ours). */
#define U_ORIG (-1)
#define U_CS (-2)
#define U_SS (-3)
#define U_SEG (-4)
static const int8_t uregs[NUREGS] = {
	UX_REG_R15, UX_REG_R14, UX_REG_R13, UX_REG_R12, UX_REG_RBP,
	UX_REG_RBX, UX_REG_R11, UX_REG_R10, UX_REG_R9,	UX_REG_R8,
	UX_REG_RAX, UX_REG_RCX, UX_REG_RDX, UX_REG_RSI, UX_REG_RDI,
	U_ORIG,	    UX_REG_RIP, U_CS,	    UX_REG_RFLAGS, UX_REG_RSP,
	U_SS,	    UX_REG_FS_BASE, UX_REG_GS_BASE, U_SEG, U_SEG,
	U_SEG,	    U_SEG};

static uint64_t
ureg_get(const struct pt *s, unsigned i)
{
	switch (uregs[i]) {
	case U_ORIG: return s->orig_rax;
	case U_CS: return 0x33;
	case U_SS: return 0x2b;
	case U_SEG: return 0;
	default: return s->regs[uregs[i]];
	}
}

/* Word i of the registers becomes v: 0, or -EIO for a value the thread
 * cannot have (a segment other than its own, an address beyond user
 * memory: Linux's checks, and ours for rip). */
static long
ureg_set(struct pt *s, unsigned i, uint64_t v)
{
	int r = uregs[i];
	switch (r) {
	case U_ORIG: s->orig_rax = v; return 0;
	case U_CS: return v == 0x33 ? 0 : -LX_EIO;
	case U_SS: return v == 0x2b ? 0 : -LX_EIO;
	case U_SEG: return v == 0 ? 0 : -LX_EIO;
	case UX_REG_RIP: case UX_REG_FS_BASE: case UX_REG_GS_BASE:
		if (v >= UX_USER_TOP)
			return -LX_EIO;
		break;
	case UX_REG_RFLAGS:
		v = (s->regs[r] & ~FLAG_MASK) | (v & FLAG_MASK);
		break;
	default:
		break;
	}
	s->regs[r] = v;
	return 0;
}

static long
get_regs(struct proc *p, struct pt *s, uint64_t va, size_t len)
{
	uint64_t u[NUREGS];
	for (unsigned i = 0; i < NUREGS; i++)
		u[i] = ureg_get(s, i);
	return proc_copy_out(p, va, u, len) ? -LX_EFAULT : 0;
}

/* The first len bytes of the registers from va; nothing changes unless
 * all are good. */
static long
set_regs(struct proc *p, struct pt *s, uint64_t va, size_t len)
{
	uint64_t u[NUREGS];
	struct pt copy = *s;
	if (proc_copy_in(p, u, va, len))
		return -LX_EFAULT;
	for (unsigned i = 0; i < len / 8; i++)
		if (ureg_set(&copy, i, u[i]))
			return -LX_EIO;
	memcpy(s->regs, copy.regs, sizeof s->regs);
	s->orig_rax = copy.orig_rax;
	return 0;
}

static long
get_fpregs(struct proc *p, struct proc *t, uint64_t va, size_t len)
{
	uint64_t fx[64];
	if (ux_tcb_read_fpu(proc_tcb(t), fx))
		return -LX_EIO;
	return proc_copy_out(p, va, fx, len) ? -LX_EFAULT : 0;
}

static long
set_fpregs(struct proc *p, struct proc *t, uint64_t va, size_t len)
{
	uint64_t fx[64];
	if (ux_tcb_read_fpu(proc_tcb(t), fx))
		return -LX_EIO;
	if (proc_copy_in(p, fx, va, len))
		return -LX_EFAULT;
	fx[3] &= ~0xFFFF0000ull; /* MXCSR's reserved bits, as Linux */
	return ux_tcb_write_fpu(proc_tcb(t), fx) ? -LX_EIO : 0;
}

/* PTRACE_GETREGSET/SETREGSET: NT_PRSTATUS, NT_PRFPREG through an
 * iovec, whose length becomes what was moved. */
static long
regset(struct proc *p, struct proc *t, uint64_t type, uint64_t iov_va,
       bool set)
{
	uint64_t iov[2];
	size_t size = type == NT_PRSTATUS ? NUREGS * 8 : 512;
	if (type != NT_PRSTATUS && type != NT_PRFPREG)
		return -LX_EINVAL;
	if (proc_copy_in(p, iov, iov_va, sizeof iov))
		return -LX_EFAULT;
	if (iov[1] % 8)
		return -LX_EINVAL;
	if (iov[1] > size)
		iov[1] = size;
	long e = type == NT_PRSTATUS
			 ? (set ? set_regs : get_regs)(p, pt_of(t), iov[0], iov[1])
			 : (set ? set_fpregs : get_fpregs)(p, t, iov[0], iov[1]);
	if (!e && proc_copy_out(p, iov_va + 8, &iov[1], 8))
		return -LX_EFAULT;
	return e;
}

static long
peek_user(struct proc *p, const struct pt *s, uint64_t off, uint64_t va)
{
	uint64_t v = 0; /* the rest of struct user reads 0, as on Linux
			 * (no debug register is ever set) */
	if ((off & 7) || off >= USER_SIZE)
		return -LX_EIO;
	if (off < NUREGS * 8)
		v = ureg_get(s, (unsigned)(off / 8));
	return proc_copy_out(p, va, &v, 8) ? -LX_EFAULT : 0;
}

/* The registers only: debug registers (hardware breakpoints) are not
 * supported, and the rest of struct user is not writable on Linux. */
static long
poke_user(struct pt *s, uint64_t off, uint64_t v)
{
	if ((off & 7) || off >= NUREGS * 8)
		return -LX_EIO;
	return ureg_set(s, (unsigned)(off / 8), v);
}

static long
siginfo(struct proc *p, struct proc *t, uint64_t va)
{
	struct pt *s = pt_of(t);
	uint8_t f[128] = {0};
	if (s->stop == PT_GROUP)
		return -LX_EINVAL; /* as Linux: a group stop has none */
	if (s->stop == PT_SIGNAL) {
		sig_info_write(f, s->sig, &s->si);
	} else { /* a trap of ours: si_code is the stop's code */
		struct sig_info si = {.code = (s->report >> 8) & 0xFFFF,
				      .pid = t->tgid, .uid = (int32_t)t->uid};
		if (!si.code)
			si.code = s->stop == PT_EVENT ? SIGTRAP | EVENT_EXEC << 8
						      : SIGTRAP;
		sig_info_write(f, SIGTRAP, &si);
	}
	return proc_copy_out(p, va, f, sizeof f) ? -LX_EFAULT : 0;
}

/* Whether from may trace to: control of /proc/PID, as for kill
 * (docs/security.md), and no power of to's that from lacks (its tracer
 * could act through it: a role it gained, a jail from is in). */
static bool
may_trace(struct proc *from, struct proc *to)
{
	return sig_may(from, to, 0) &&
	       perm_covers(&proc_tg(from)->perms, &proc_tg(to)->perms);
}

/* ATTACH and SEIZE: p's thread traces task pid. */
static long
attach(struct proc *p, int64_t pid, bool seize, uint64_t addr,
       uint64_t opts)
{
	struct proc *t = pid > 0 && pid <= INT32_MAX ? proc_get((uint64_t)pid)
						      : NULL;
	if (seize && (addr || (opts & ~(uint64_t)O_KNOWN)))
		return addr ? -LX_EIO : -LX_EINVAL;
	if (!t)
		return -LX_ESRCH;
	if (t->native || t->tgid == p->tgid || pts[t->pid].tracer ||
	    (t->pid == t->tgid && t->thread_gone) || !may_trace(p, t))
		return -LX_EPERM;
	struct pt *s = pt_of(t);
	*s = (struct pt){.tracer = p->pid, .tracer_tgid = p->tgid,
			 .seized = seize, .options = (uint32_t)opts};
	ptrace_task[t->pid] = 1;
	if (proc_tg(t)->sig.stopped) /* already stopped: the tracer sees it */
		ptrace_group_stop(proc_tg(t), SIGSTOP);
	else if (!seize)
		sig_send_thread(t, SIGSTOP, NULL);
	return 0;
}

/* TRACEME: p's parent traces it, if the parent may control it. */
static long
traceme(struct proc *p)
{
	struct proc *pp = proc_get((uint64_t)proc_tg(p)->ppid);
	if (pts[p->pid].tracer || !pp || pp->native || !may_trace(pp, p))
		return -LX_EPERM;
	pts[p->pid] = (struct pt){.tracer = pp->pid, .tracer_tgid = pp->pid};
	ptrace_task[p->pid] = 1;
	return 0;
}

/* PTRACE_INTERRUPT: a seized tracee that runs stops (PTRACE_EVENT_STOP). */
static long
interrupt(struct proc *t)
{
	struct pt *s = pt_of(t);
	if (!s->seized)
		return -LX_EIO;
	if (s->stop == PT_RUN)
		stop_now(t, PT_EVENT, (SIGTRAP | EVENT_STOP << 8) << 8 | 0x7F,
			 NULL);
	return 0;
}

/* What the tracer asks of a stopped tracee t. */
static long
stopped_request(struct proc *p, struct proc *t, uint64_t req, uint64_t addr,
		uint64_t data)
{
	struct pt *s = pt_of(t);
	uint64_t w;
	if (data > 64 && (req == PTRACE_CONT || req == PTRACE_SYSCALL ||
			  req == PTRACE_SINGLESTEP || req == PTRACE_DETACH))
		return -LX_EIO;
	switch (req) {
	case PTRACE_PEEKTEXT: case PTRACE_PEEKDATA:
		if (mem_peek(t, &w, addr, 8))
			return -LX_EIO;
		return proc_copy_out(p, data, &w, 8) ? -LX_EFAULT : 0;
	case PTRACE_POKETEXT: case PTRACE_POKEDATA:
		return mem_poke(t, addr, &data, 8) ? -LX_EIO : 0;
	case PTRACE_PEEKUSER: return peek_user(p, s, addr, data);
	case PTRACE_POKEUSER: return poke_user(s, addr, data);
	case PTRACE_GETREGS: return get_regs(p, s, data, NUREGS * 8);
	case PTRACE_SETREGS: return set_regs(p, s, data, NUREGS * 8);
	case PTRACE_GETFPREGS: return get_fpregs(p, t, data, 512);
	case PTRACE_SETFPREGS: return set_fpregs(p, t, data, 512);
	case PTRACE_GETREGSET: return regset(p, t, addr, data, false);
	case PTRACE_SETREGSET: return regset(p, t, addr, data, true);
	case PTRACE_GETSIGINFO: return siginfo(p, t, data);
	case PTRACE_GETEVENTMSG:
		return proc_copy_out(p, data, &s->eventmsg, 8) ? -LX_EFAULT : 0;
	case PTRACE_SETOPTIONS:
		if (data & ~(uint64_t)O_KNOWN)
			return -LX_EINVAL;
		s->options = (uint32_t)data;
		return 0;
	case PTRACE_CONT: resume(t, M_CONT, (int)data); return 0;
	case PTRACE_SYSCALL: resume(t, M_SYSCALL, (int)data); return 0;
	case PTRACE_SINGLESTEP: resume(t, M_STEP, (int)data); return 0;
	case PTRACE_DETACH: detach(t, (int)data); return 0;
	default: return -LX_EIO;
	}
}

/* ptrace(request, pid, addr, data), made by thread p. */
long
lx_ptrace(struct proc *p, uint64_t *regs)
{
	uint64_t req = ARG0, addr = ARG2, data = ARG3;
	int64_t pid = (int32_t)ARG1;
	if (req == PTRACE_TRACEME)
		return traceme(p);
	if (req == PTRACE_ATTACH || req == PTRACE_SEIZE)
		return attach(p, pid, req == PTRACE_SEIZE, addr,
			      req == PTRACE_SEIZE ? data : 0);
	struct proc *t = pid > 0 ? proc_get((uint64_t)pid) : NULL;
	if (!t || pts[t->pid].tracer != p->pid)
		return -LX_ESRCH;
	if (req == PTRACE_KILL) {
		sig_send(t, SIGKILL, NULL);
		return 0;
	}
	if (req == PTRACE_INTERRUPT)
		return interrupt(t);
	if (pts[t->pid].stop == PT_RUN)
		return -LX_ESRCH;
	return stopped_request(p, t, req, addr, data);
}
