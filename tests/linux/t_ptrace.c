/*
 * t_ptrace.c - ptrace(2): TRACEME and the stop after execve (a SIGTRAP,
 * or PTRACE_EVENT_EXEC), memory (PEEK/POKE DATA, a breakpoint written
 * into the text), registers (GETREGS/SETREGS, PEEKUSER/POKEUSER,
 * GETREGSET, GETFPREGS/SETFPREGS), system-call stops (the calls of a
 * child counted, arguments and results, a call changed and one
 * cancelled), signal-delivery stops (suppressed, replaced, passed on,
 * a group stop), single-stepping, ATTACH and DETACH of a running child,
 * SEIZE and INTERRUPT, the tracer's exit (detach, or EXITKILL), and the
 * error codes. A static musl program that runs on UX/RT and on Linux
 * alike (the expected results are Linux's; run as root there, as any
 * user here: the denials are t_sec's). Prints one line per failed check
 * and ends with "t_ptrace: N passed, M failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define T_NAME "t_ptrace"
#include "t.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif
#define UOFF(r) offsetof(struct user_regs_struct, r)

static volatile long word = 0x1122334455667788;
static volatile int flag;
static volatile sig_atomic_t usr1, usr2;

static void on_usr1(int s) { (void)s; usr1++; }
static void on_usr2(int s) { (void)s; usr2++; }

/* The child's first steps: traced by its parent, then stopped. */
static void
traceme_stop(void)
{
	if (ptrace(PTRACE_TRACEME, 0, 0, 0))
		_exit(90);
	kill(getpid(), SIGSTOP);
}

/* A child running fn (its exit status is fn's). */
static pid_t
spawn(int (*fn)(void))
{
	pid_t c = fork();
	if (c == 0)
		_exit(fn());
	return c;
}

static int
wait_for(pid_t c)
{
	int st = -1;
	if (waitpid(c, &st, 0) != c)
		return -1;
	return st;
}

static int
stopped_by(int st, int sig)
{
	return WIFSTOPPED(st) && WSTOPSIG(st) == sig && (st >> 16) == 0;
}

static int
exited(int st, int code)
{
	return WIFEXITED(st) && WEXITSTATUS(st) == code;
}

/* ---- TRACEME and execve -------------------------------------------- */

static int
exec_child(void)
{
	traceme_stop();
	char *argv[] = {"t_ptrace", "exit7", NULL};
	execv("/proc/self/exe", argv);
	return 91;
}

static void
test_exec(void)
{
	struct user_regs_struct r;
	pid_t c = spawn(exec_child);
	CHECK(stopped_by(wait_for(c), SIGSTOP));
	CHECK(ptrace(PTRACE_CONT, c, 0, 0) == 0);
	/* without TRACEEXEC: a plain SIGTRAP after execve */
	int st = wait_for(c);
	CHECK(stopped_by(st, SIGTRAP));
	CHECK(ptrace(PTRACE_GETREGS, c, 0, &r) == 0 && r.rax == 0);
	siginfo_t si;
	CHECK(ptrace(PTRACE_GETSIGINFO, c, 0, &si) == 0 &&
	      si.si_signo == SIGTRAP);
	CHECK(ptrace(PTRACE_CONT, c, 0, 0) == 0);
	CHECK(exited(wait_for(c), 7));

	/* with it: PTRACE_EVENT_EXEC, the old tid as its message */
	c = spawn(exec_child);
	CHECK(stopped_by(wait_for(c), SIGSTOP));
	CHECK(ptrace(PTRACE_SETOPTIONS, c, 0, PTRACE_O_TRACEEXEC) == 0);
	CHECK(ptrace(PTRACE_CONT, c, 0, 0) == 0);
	st = wait_for(c);
	CHECK(WIFSTOPPED(st) && st >> 8 == (SIGTRAP | PTRACE_EVENT_EXEC << 8));
	unsigned long msg = 0;
	CHECK(ptrace(PTRACE_GETEVENTMSG, c, 0, &msg) == 0 &&
	      msg == (unsigned long)c);
	CHECK(ptrace(PTRACE_CONT, c, 0, 0) == 0);
	CHECK(exited(wait_for(c), 7));
}

/* ---- memory -------------------------------------------------------- */

static int
mem_child(void)
{
	traceme_stop();
	return word == 0x0102030405060708 ? 0 : 1;
}

__attribute__((noinline)) static int
target(int x)
{
	__asm__ volatile("");
	return x * 3 + 1;
}

static int
bp_child(void)
{
	traceme_stop();
	return target(4); /* 13 */
}

static void
test_memory(void)
{
	pid_t c = spawn(mem_child);
	CHECK(stopped_by(wait_for(c), SIGSTOP));
	errno = 0;
	CHECK(ptrace(PTRACE_PEEKDATA, c, &word, 0) == 0x1122334455667788 &&
	      errno == 0);
	CHECK(ptrace(PTRACE_POKEDATA, c, &word, 0x0102030405060708) == 0);
	CHECK(ptrace(PTRACE_PEEKDATA, c, &word, 0) == 0x0102030405060708);
	CHECK(word == 0x1122334455667788); /* ours is not the child's */
	/* nothing mapped: EIO (not EFAULT), as on Linux */
	errno = 0;
	CHECK(ptrace(PTRACE_PEEKDATA, c, (void *)8, 0) == -1 && errno == EIO);
	ERR(ptrace(PTRACE_POKEDATA, c, (void *)8, 1), EIO);
	ERR(ptrace(PTRACE_PEEKTEXT, c, (void *)0x7ff000000000ul, 0), EIO);
	CHECK(ptrace(PTRACE_CONT, c, 0, 0) == 0);
	CHECK(exited(wait_for(c), 0));

	/* a breakpoint: int3 written into the (read-only) text */
	struct user_regs_struct r;
	c = spawn(bp_child);
	CHECK(stopped_by(wait_for(c), SIGSTOP));
	errno = 0;
	long orig = ptrace(PTRACE_PEEKTEXT, c, (void *)target, 0);
	CHECK(errno == 0);
	CHECK(ptrace(PTRACE_POKETEXT, c, (void *)target,
		     (orig & ~0xFFl) | 0xCC) == 0);
	CHECK(ptrace(PTRACE_CONT, c, 0, 0) == 0);
	CHECK(stopped_by(wait_for(c), SIGTRAP));
	CHECK(ptrace(PTRACE_GETREGS, c, 0, &r) == 0);
	CHECK(r.rip == (uintptr_t)target + 1 && r.rdi == 4);
	CHECK(ptrace(PTRACE_POKETEXT, c, (void *)target, orig) == 0);
	r.rip = (uintptr_t)target;
	CHECK(ptrace(PTRACE_SETREGS, c, 0, &r) == 0);
	CHECK(ptrace(PTRACE_CONT, c, 0, 0) == 0);
	CHECK(exited(wait_for(c), 13));
	CHECK(target(4) == 13); /* ours was never changed */
}

/* ---- registers ------------------------------------------------------ */

static int
regs_child(void)
{
	if (ptrace(PTRACE_TRACEME, 0, 0, 0))
		return 90;
	long r = syscall(SYS_tkill, syscall(SYS_gettid), SIGSTOP);
	return r == 42 ? 0 : 1; /* the tracer's rax */
}

static void
test_registers(void)
{
	struct user_regs_struct r, r2;
	pid_t c = spawn(regs_child);
	CHECK(stopped_by(wait_for(c), SIGSTOP));
	CHECK(ptrace(PTRACE_GETREGS, c, 0, &r) == 0);
	CHECK(r.rax == 0 && r.orig_rax == SYS_tkill && r.rdi == (unsigned long)c);
	CHECK(r.cs == 0x33 && r.ss == 0x2b);
	errno = 0;
	CHECK(ptrace(PTRACE_PEEKUSER, c, UOFF(rip), 0) == (long)r.rip &&
	      errno == 0);
	CHECK(ptrace(PTRACE_PEEKUSER, c, UOFF(orig_rax), 0) == SYS_tkill);
	CHECK(ptrace(PTRACE_PEEKUSER, c, offsetof(struct user, u_debugreg[7]),
		     0) == 0 && errno == 0);
	r.rax = 41;
	CHECK(ptrace(PTRACE_SETREGS, c, 0, &r) == 0);
	CHECK(ptrace(PTRACE_GETREGS, c, 0, &r2) == 0 && r2.rax == 41 &&
	      r2.rip == r.rip && r2.rsp == r.rsp);
	CHECK(ptrace(PTRACE_POKEUSER, c, UOFF(rax), 42) == 0);
	CHECK(ptrace(PTRACE_PEEKUSER, c, UOFF(rax), 0) == 42);
	/* GETREGSET: the same registers through an iovec */
	struct iovec iov = {&r2, sizeof r2};
	CHECK(ptrace(PTRACE_GETREGSET, c, 1 /* NT_PRSTATUS */, &iov) == 0 &&
	      iov.iov_len == sizeof r2 && r2.rax == 42);
	struct user_fpregs_struct fp;
	CHECK(ptrace(PTRACE_GETFPREGS, c, 0, &fp) == 0);
	CHECK((fp.mxcsr & 0xFFFF0000) == 0 && fp.cwd == 0x37f);
	CHECK(ptrace(PTRACE_SETFPREGS, c, 0, &fp) == 0);
	/* errors: an offset out of struct user or not aligned, a register
	 * value no thread can have, a bad buffer */
	ERR(ptrace(PTRACE_PEEKUSER, c, 3, 0), EIO);
	ERR(ptrace(PTRACE_PEEKUSER, c, 928, 0), EIO); /* the kernel's
							 struct user's size */
	ERR(ptrace(PTRACE_POKEUSER, c, UOFF(cs), 0x1234), EIO);
	ERR(ptrace(PTRACE_POKEUSER, c, UOFF(fs_base), -4096l), EIO);
	ERR(ptrace(PTRACE_GETREGS, c, 0, (void *)8), EFAULT);
	CHECK(ptrace(PTRACE_PEEKUSER, c, UOFF(rax), 0) == 42);
	CHECK(ptrace(PTRACE_CONT, c, 0, 0) == 0);
	CHECK(exited(wait_for(c), 0));
}

/* ---- system-call stops ---------------------------------------------- */

static int
calls_child(void)
{
	struct timespec ts = {0, 1000000};
	int fd = open("/dev/null", O_WRONLY), p[2];
	char b[2];
	if (pipe(p) || write(p[1], "yz", 2) != 2)
		return 98;
	traceme_stop();
	syscall(SYS_getpid);
	syscall(SYS_read, p[0], b, 2);    /* a pipe (the process server's) */
	syscall(SYS_write, fd, "x", 1);
	syscall(SYS_write, 1, "", 0);     /* the console (a terminal) */
	syscall(SYS_nanosleep, &ts, NULL); /* answered later */
	syscall(SYS_exit_group, 3);
	return 99;
}

/* Follow c's system calls with PTRACE_SYSCALL to its end: the entries'
 * numbers in nr[], the ends' results in res[]; the count of entries, -1
 * if the stops were wrong. */
static int
follow(pid_t c, long nr[], long res[], int max)
{
	struct user_regs_struct r;
	int n = 0, st;
	for (int in = 0;; in = !in) {
		if (ptrace(PTRACE_SYSCALL, c, 0, 0))
			return -1;
		st = wait_for(c);
		if (WIFEXITED(st)) /* exit_group has no end */
			return nr[n - 1] == SYS_exit_group ? n : -1;
		if (!WIFSTOPPED(st) || WSTOPSIG(st) != (SIGTRAP | 0x80) ||
		    ptrace(PTRACE_GETREGS, c, 0, &r))
			return -1;
		if (in) {
			res[n - 1] = (long)r.rax;
		} else if (n < max) {
			if (r.rax != (unsigned long)-ENOSYS)
				return -1; /* Linux's rax at the entry */
			nr[n++] = (long)r.orig_rax;
		}
	}
}

static void
test_syscalls(void)
{
	long nr[16] = {0}, res[16] = {0};
	pid_t c = spawn(calls_child);
	CHECK(stopped_by(wait_for(c), SIGSTOP));
	CHECK(ptrace(PTRACE_SETOPTIONS, c, 0, PTRACE_O_TRACESYSGOOD) == 0);
	int n = follow(c, nr, res, 16);
	CHECK(n == 6);
	CHECK(nr[0] == SYS_getpid && res[0] == c);
	CHECK(nr[1] == SYS_read && res[1] == 2);
	CHECK(nr[2] == SYS_write && res[2] == 1);
	CHECK(nr[3] == SYS_write && res[3] == 0);
	CHECK(nr[4] == SYS_nanosleep && res[4] == 0);
	CHECK(nr[5] == SYS_exit_group);
}

/* strace's way: a program followed from its execve to its end (its C
 * library's start, stdio's writev to the terminal): every entry has
 * its exit but exit_group's; the exec event comes inside execve's. */
static int
chatty_child(void)
{
	traceme_stop();
	char *argv[] = {"t_ptrace", "chatty", NULL};
	execv("/proc/self/exe", argv);
	return 91;
}

static void
test_strace(void)
{
	struct user_regs_struct r;
	int entries = 0, exits = 0, events = 0, in = 0, st, bad = 0;
	long wrote = -1, execd = -1, last = -1;
	pid_t c = spawn(chatty_child);
	CHECK(stopped_by(wait_for(c), SIGSTOP));
	CHECK(ptrace(PTRACE_SETOPTIONS, c, 0,
		     PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC) == 0);
	for (;;) {
		if (ptrace(PTRACE_SYSCALL, c, 0, 0))
			break;
		st = wait_for(c);
		if (!WIFSTOPPED(st))
			break;
		if (st >> 8 == (SIGTRAP | PTRACE_EVENT_EXEC << 8)) {
			events++;
			bad += !in || last != SYS_execve;
			continue;
		}
		if (WSTOPSIG(st) != (SIGTRAP | 0x80) ||
		    ptrace(PTRACE_GETREGS, c, 0, &r)) {
			bad++;
			continue;
		}
		if (!in) {
			entries++;
			last = (long)r.orig_rax;
		} else {
			exits++;
			bad += (long)r.orig_rax != last;
			if (last == SYS_execve)
				execd = (long)r.rax;
			if ((last == SYS_write || last == SYS_writev) &&
			    (long)r.rax == 7)
				wrote = 7;
		}
		in = !in;
	}
	CHECK(exited(st, 0));
	CHECK(bad == 0 && events == 1 && execd == 0 && wrote == 7);
	CHECK(entries == exits + 1 && last == SYS_exit_group && entries > 4);
}

static int
change_child(void)
{
	traceme_stop();
	pid_t me = getpid();
	if (syscall(SYS_getppid) != me)
		return 1; /* made getpid by the tracer */
	errno = 0;
	if (syscall(SYS_kill, me, SIGKILL) != -1 || errno != ENOSYS)
		return 2; /* cancelled by the tracer */
	return 0;
}

/* The next stop of c, which must be a system call's: its registers. */
static int
next_call(pid_t c, struct user_regs_struct *r)
{
	return ptrace(PTRACE_SYSCALL, c, 0, 0) == 0 &&
	       stopped_by(wait_for(c), SIGTRAP) &&
	       ptrace(PTRACE_GETREGS, c, 0, r) == 0;
}

static void
test_change_calls(void)
{
	struct user_regs_struct r;
	pid_t c = spawn(change_child);
	CHECK(stopped_by(wait_for(c), SIGSTOP));
	CHECK(next_call(c, &r) && r.orig_rax == SYS_getpid); /* me */
	CHECK(next_call(c, &r) && r.rax == (unsigned long)c);
	/* getppid becomes getpid */
	CHECK(next_call(c, &r) && r.orig_rax == SYS_getppid);
	r.orig_rax = SYS_getpid;
	CHECK(ptrace(PTRACE_SETREGS, c, 0, &r) == 0);
	CHECK(next_call(c, &r) && r.orig_rax == SYS_getpid &&
	      r.rax == (unsigned long)c);
	/* kill(self, SIGKILL): cancelled (orig_rax -1), -ENOSYS */
	CHECK(next_call(c, &r) && r.orig_rax == SYS_kill && r.rsi == SIGKILL);
	CHECK(ptrace(PTRACE_POKEUSER, c, UOFF(orig_rax), -1l) == 0);
	CHECK(next_call(c, &r) && r.rax == (unsigned long)-ENOSYS);
	CHECK(ptrace(PTRACE_CONT, c, 0, 0) == 0);
	CHECK(exited(wait_for(c), 0));
}

/* A signal for a tracee waiting in a call (a read of an empty pipe):
 * the call's exit stop (-ERESTARTSYS), the signal's stop, then (the
 * signal suppressed) the call made again: a new entry stop. */
static int rp[2];

static int
reader_child(void)
{
	char b[4];
	traceme_stop();
	return syscall(SYS_read, rp[0], b, 4) == 2 && b[0] == 'a' ? 0 : 1;
}

static void
test_interrupted_call(void)
{
	struct user_regs_struct r;
	struct timespec ts = {0, 20000000};
	CHECK(pipe(rp) == 0);
	pid_t c = spawn(reader_child);
	CHECK(stopped_by(wait_for(c), SIGSTOP));
	CHECK(ptrace(PTRACE_SETOPTIONS, c, 0, PTRACE_O_TRACESYSGOOD) == 0);
	CHECK(ptrace(PTRACE_SYSCALL, c, 0, 0) == 0);
	CHECK(stopped_by(wait_for(c), SIGTRAP | 0x80)); /* read's entry */
	CHECK(ptrace(PTRACE_SYSCALL, c, 0, 0) == 0);
	nanosleep(&ts, NULL); /* it waits in the read */
	CHECK(kill(c, SIGUSR1) == 0);
	CHECK(stopped_by(wait_for(c), SIGTRAP | 0x80)); /* read's exit */
	CHECK(ptrace(PTRACE_GETREGS, c, 0, &r) == 0 && r.orig_rax == SYS_read &&
	      (long)r.rax == -512 /* ERESTARTSYS */);
	CHECK(ptrace(PTRACE_SYSCALL, c, 0, 0) == 0);
	CHECK(stopped_by(wait_for(c), SIGUSR1));
	CHECK(ptrace(PTRACE_SYSCALL, c, 0, 0) == 0); /* suppressed */
	CHECK(stopped_by(wait_for(c), SIGTRAP | 0x80)); /* read again */
	CHECK(ptrace(PTRACE_GETREGS, c, 0, &r) == 0 && r.orig_rax == SYS_read &&
	      r.rax == (unsigned long)-ENOSYS);
	CHECK(write(rp[1], "ab", 2) == 2);
	CHECK(ptrace(PTRACE_SYSCALL, c, 0, 0) == 0);
	CHECK(stopped_by(wait_for(c), SIGTRAP | 0x80));
	CHECK(ptrace(PTRACE_GETREGS, c, 0, &r) == 0 && r.rax == 2);
	CHECK(ptrace(PTRACE_CONT, c, 0, 0) == 0);
	CHECK(exited(wait_for(c), 0));
	close(rp[0]);
	close(rp[1]);
}

/* ---- signals -------------------------------------------------------- */

static int
sig_child(void)
{
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, on_usr2);
	traceme_stop();
	kill(getpid(), SIGUSR1); /* suppressed */
	kill(getpid(), SIGUSR1); /* replaced by SIGUSR2 */
	kill(getpid(), SIGUSR1); /* passed on */
	kill(getpid(), SIGTERM); /* suppressed: it would have ended us */
	kill(getpid(), SIGUSR2); /* made SIGSTOP: a group stop */
	return usr1 * 10 + usr2;
}

static void
test_signals(void)
{
	siginfo_t si;
	pid_t c = spawn(sig_child);
	CHECK(stopped_by(wait_for(c), SIGSTOP));
	CHECK(ptrace(PTRACE_CONT, c, 0, 0) == 0);
	CHECK(stopped_by(wait_for(c), SIGUSR1));
	CHECK(ptrace(PTRACE_GETSIGINFO, c, 0, &si) == 0 &&
	      si.si_signo == SIGUSR1 && si.si_code == SI_USER &&
	      si.si_pid == c);
	CHECK(ptrace(PTRACE_CONT, c, 0, 0) == 0);
	CHECK(stopped_by(wait_for(c), SIGUSR1));
	CHECK(ptrace(PTRACE_CONT, c, 0, SIGUSR2) == 0);
	CHECK(stopped_by(wait_for(c), SIGUSR1));
	CHECK(ptrace(PTRACE_CONT, c, 0, SIGUSR1) == 0);
	CHECK(stopped_by(wait_for(c), SIGTERM));
	CHECK(ptrace(PTRACE_CONT, c, 0, 0) == 0);
	CHECK(stopped_by(wait_for(c), SIGUSR2));
	CHECK(ptrace(PTRACE_CONT, c, 0, SIGSTOP) == 0);
	CHECK(stopped_by(wait_for(c), SIGSTOP)); /* the group stop */
	ERR(ptrace(PTRACE_GETSIGINFO, c, 0, &si), EINVAL);
	CHECK(ptrace(PTRACE_CONT, c, 0, 0) == 0);
	CHECK(exited(wait_for(c), 11)); /* one SIGUSR1, one SIGUSR2 */
}

/* ---- single steps --------------------------------------------------- */

static int
step_child(void)
{
	traceme_stop();
	__asm__ volatile("nop\n\tnop\n\tnop\n\tnop" ::: "memory");
	return (int)syscall(SYS_getpid) == getpid() ? 0 : 1;
}

static void
test_step(void)
{
	struct user_regs_struct r;
	unsigned long rip, prev;
	pid_t c = spawn(step_child);
	CHECK(stopped_by(wait_for(c), SIGSTOP));
	CHECK(ptrace(PTRACE_GETREGS, c, 0, &r) == 0);
	prev = r.rip;
	int moved = 0, steps = 0;
	for (; steps < 40; steps++) {
		if (ptrace(PTRACE_SINGLESTEP, c, 0, 0) ||
		    !stopped_by(wait_for(c), SIGTRAP))
			break;
		rip = (unsigned long)ptrace(PTRACE_PEEKUSER, c, UOFF(rip), 0);
		moved += rip != prev;
		prev = rip;
	}
	CHECK(steps == 40 && moved == 40); /* each step a stop, rip moving */
	CHECK(ptrace(PTRACE_GETREGS, c, 0, &r) == 0 && !(r.eflags & 0x100));
	/* on to the end, step by step: over getpid and exit_group too */
	int st = 0;
	for (steps = 0; steps < 200000; steps++)
		if (ptrace(PTRACE_SINGLESTEP, c, 0, 0) ||
		    !stopped_by(st = wait_for(c), SIGTRAP))
			break;
	CHECK(exited(st, 0));
}

/* ---- attaching ------------------------------------------------------ */

static int
sleeper(void)
{
	struct timespec ts = {0, 5000000};
	while (!flag)
		nanosleep(&ts, NULL);
	return 5;
}

static void
test_attach(void)
{
	struct timespec ts = {0, 20000000};
	pid_t c = spawn(sleeper);
	nanosleep(&ts, NULL);
	ERR(ptrace(PTRACE_PEEKDATA, c, &flag, 0), ESRCH); /* not traced */
	CHECK(ptrace(PTRACE_ATTACH, c, 0, 0) == 0);
	ERR(ptrace(PTRACE_ATTACH, c, 0, 0), EPERM); /* traced already */
	CHECK(stopped_by(wait_for(c), SIGSTOP));
	CHECK(ptrace(PTRACE_POKEDATA, c, &flag, 1) == 0);
	CHECK(ptrace(PTRACE_DETACH, c, 0, 0) == 0);
	ERR(ptrace(PTRACE_PEEKDATA, c, &flag, 0), ESRCH); /* detached */
	CHECK(exited(wait_for(c), 5));

	/* SEIZE: no stop; a running tracee is ESRCH; INTERRUPT stops it */
	c = spawn(sleeper);
	CHECK(ptrace(PTRACE_SEIZE, c, 0, 0) == 0);
	nanosleep(&ts, NULL);
	ERR(ptrace(PTRACE_PEEKDATA, c, &flag, 0), ESRCH);
	ERR(ptrace(PTRACE_CONT, c, 0, 0), ESRCH);
	CHECK(ptrace(PTRACE_INTERRUPT, c, 0, 0) == 0);
	int st = wait_for(c);
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP &&
	      st >> 16 == PTRACE_EVENT_STOP);
	CHECK(ptrace(PTRACE_POKEDATA, c, &flag, 1) == 0);
	CHECK(ptrace(PTRACE_CONT, c, 0, 0) == 0);
	CHECK(exited(wait_for(c), 5));
}

/* Threads are traced one by one: a thread of a child attached by its
 * tid (its stop is its own, the process runs on), then detached; a
 * thread of our own process cannot be. */
static volatile int tflag;
static int tpipe[2];

static void *
spinner(void *arg)
{
	struct timespec ts = {0, 2000000};
	pid_t tid = (pid_t)syscall(SYS_gettid);
	(void)arg;
	if (write(tpipe[1], &tid, sizeof tid) != sizeof tid)
		return NULL;
	while (!tflag)
		nanosleep(&ts, NULL);
	return (void *)7;
}

static int
threads_child(void)
{
	pthread_t th;
	void *r = NULL;
	if (pthread_create(&th, NULL, spinner, NULL) || pthread_join(th, &r))
		return 1;
	return (int)(intptr_t)r;
}

static void
test_threads(void)
{
	pid_t tid = 0;
	CHECK(pipe(tpipe) == 0);
	pid_t c = spawn(threads_child);
	CHECK(read(tpipe[0], &tid, sizeof tid) == sizeof tid && tid != c);
	CHECK(ptrace(PTRACE_ATTACH, tid, 0, 0) == 0);
	CHECK(stopped_by(wait_for(tid), SIGSTOP));
	ERR(ptrace(PTRACE_PEEKDATA, c, &tflag, 0), ESRCH); /* not traced */
	CHECK(ptrace(PTRACE_POKEDATA, tid, &tflag, 1) == 0);
	CHECK(ptrace(PTRACE_DETACH, tid, 0, 0) == 0);
	CHECK(exited(wait_for(c), 7));
	/* one of our own threads */
	pthread_t th;
	tflag = 0;
	CHECK(pthread_create(&th, NULL, spinner, NULL) == 0);
	CHECK(read(tpipe[0], &tid, sizeof tid) == sizeof tid);
	ERR(ptrace(PTRACE_ATTACH, tid, 0, 0), EPERM);
	tflag = 1;
	pthread_join(th, NULL);
	close(tpipe[0]);
	close(tpipe[1]);
}

/* The tracer (our child) seizes its own child and ends: the grandchild
 * is detached and goes on, or is killed with PTRACE_O_EXITKILL. It
 * tells through a pipe (w): 'd' when detached, nothing (EOF) if killed. */
static int pw;
static pid_t gparent; /* the tracer: set before the fork (the tracer
			 may stop the grandchild before its first step) */
static int
grandchild(void)
{
	struct timespec ts = {0, 5000000};
	while (getppid() == gparent)
		nanosleep(&ts, NULL);
	return write(pw, "d", 1) == 1 ? 0 : 1;
}

static int exitkill;
static int
tracer_child(void)
{
	gparent = getpid();
	pid_t g = spawn(grandchild);
	if (ptrace(PTRACE_SEIZE, g, 0, exitkill ? PTRACE_O_EXITKILL : 0) ||
	    ptrace(PTRACE_INTERRUPT, g, 0, 0))
		return 1;
	int st = wait_for(g);
	return WIFSTOPPED(st) ? 0 : 2; /* and end with it stopped */
}

/* What the grandchild said: 'd', 0 at EOF, -1 if it did not (5 s). */
static int
outcome(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	char b = 0;
	if (poll(&p, 1, 5000) != 1)
		return -1;
	return read(fd, &b, 1) == 1 ? b : 0;
}

static void
test_tracer_exit(void)
{
	for (exitkill = 0; exitkill < 2; exitkill++) {
		int p[2];
		CHECK(pipe(p) == 0);
		pw = p[1];
		pid_t c = spawn(tracer_child);
		close(p[1]);
		CHECK(exited(wait_for(c), 0));
		CHECK(outcome(p[0]) == (exitkill ? 0 : 'd'));
		close(p[0]);
	}
}

/* ---- errors --------------------------------------------------------- */

static int
stopped_child(void)
{
	traceme_stop();
	return 0;
}

static void
test_errors(void)
{
	ERR(ptrace(PTRACE_ATTACH, getpid(), 0, 0), EPERM); /* ourselves */
	ERR(ptrace(PTRACE_ATTACH, 0x3FFFFFF, 0, 0), ESRCH);
	ERR(ptrace(PTRACE_PEEKDATA, getpid(), &word, 0), ESRCH);
	ERR(ptrace(PTRACE_CONT, 0x3FFFFFF, 0, 0), ESRCH);
	pid_t c = spawn(stopped_child);
	CHECK(stopped_by(wait_for(c), SIGSTOP));
	ERR(ptrace(PTRACE_SETOPTIONS, c, 0, 0x80000000), EINVAL);
	ERR(ptrace(PTRACE_CONT, c, 0, 65), EIO); /* no such signal */
	ERR(ptrace(0x7777, c, 0, 0), EIO);       /* no such request */
	ERR(ptrace(PTRACE_SEIZE, c, 0, 0), EPERM); /* traced already */
	CHECK(ptrace(PTRACE_KILL, c, 0, 0) == 0);
	int st = wait_for(c);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	/* TRACEME twice; SEIZE with an address */
	c = fork();
	if (c == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0))
			_exit(1);
		_exit(ptrace(PTRACE_TRACEME, 0, 0, 0) == -1 && errno == EPERM
			      ? 0 : 2);
	}
	CHECK(exited(wait_for(c), 0));
	c = spawn(sleeper);
	ERR(ptrace(PTRACE_SEIZE, c, 8, 0), EIO);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exit7"))
		return 7;
	if (argc > 1 && !strcmp(argv[1], "chatty")) {
		printf("chatty\n"); /* one writev (line or fully buffered) */
		return 0;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	test_exec();
	test_memory();
	test_registers();
	test_syscalls();
	test_strace();
	test_change_calls();
	test_interrupted_call();
	test_signals();
	test_step();
	test_attach();
	test_threads();
	test_tracer_exit();
	test_errors();
	printf(T_NAME ": %d passed, %d failed\n", pass, fail);
	return fail != 0;
}
