/*
 * t_signal.c - signals: handlers and their frames, masks, default
 * actions, faults as signals, SIGPIPE, SIGCHLD, interrupted system calls
 * (EINTR and SA_RESTART), stop and continue, process groups, the
 * alternate stack, alarms and interval timers, and the error codes. A static musl program that runs
 * on UX/RT and on Linux alike (the expected results are Linux's). Prints
 * one line per failed check and ends with "t_signal: N passed, M failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define T_NAME "t_signal"
#include "t.h"

static volatile sig_atomic_t got, got_sig, got_code, got_pid, nested;
static volatile sig_atomic_t blocked_inside, got_status;
static volatile uintptr_t got_addr, handler_sp;

static void
on_sig(int sig)
{
	got++;
	got_sig = sig;
}

static void
on_info(int sig, siginfo_t *si, void *uc)
{
	sigset_t cur;
	(void)uc;
	got++;
	got_sig = sig;
	got_code = si->si_code;
	got_pid = si->si_pid;
	got_status = si->si_status;
	got_addr = (uintptr_t)si->si_addr;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	blocked_inside = sigismember(&cur, sig);
	handler_sp = (uintptr_t)&cur;
}

static void
on_nest(int sig)
{
	if (sig == SIGUSR1)
		raise(SIGUSR2); /* delivered on top of this frame */
	else
		nested = got + 1;
	got++;
}

static void
catch_with(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = {.sa_handler = fn, .sa_flags = flags};
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void
catch_info(int sig, int flags)
{
	struct sigaction sa = {.sa_sigaction = on_info,
			       .sa_flags = SA_SIGINFO | flags};
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* Run fn in a child and return its wait status. */
static int
child_status(void (*fn)(void))
{
	int st = -1;
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		_exit(0);
	}
	waitpid(pid, &st, 0);
	return st;
}

static int *volatile bad_ptr = (int *)8;

static void
segv(void)
{
	*bad_ptr = 1;
}

static void
segv_caught_exit(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	_exit(sig == SIGSEGV && (uintptr_t)si->si_addr == 8 ? 42 : 1);
}

static void
segv_handled(void)
{
	struct sigaction sa = {.sa_sigaction = segv_caught_exit,
			       .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	segv();
}

static volatile int zero, seven = 7;

static void
divide(void)
{
	printf("%d", seven / zero);
}

static void
term_self(void)
{
	raise(SIGTERM);
}

static void
term_ignored(void)
{
	signal(SIGTERM, SIG_IGN);
	raise(SIGTERM);
	_exit(5);
}

static void
write_pipe(void)
{
	int p[2];
	pipe(p);
	close(p[0]);
	write(p[1], "x", 1);
	_exit(3);
}

static void
test_handlers(void)
{
	struct sigaction old;
	sigset_t set, pend;

	catch_info(SIGUSR1, 0);
	got = 0;
	CHECK(raise(SIGUSR1) == 0);
	CHECK(got == 1 && got_sig == SIGUSR1);
	CHECK(got_code == SI_TKILL && got_pid == getpid());
	CHECK(blocked_inside); /* a signal is blocked in its own handler */
	sigprocmask(SIG_BLOCK, NULL, &set);
	CHECK(!sigismember(&set, SIGUSR1)); /* and not afterwards */
	CHECK(kill(getpid(), SIGUSR1) == 0 && got == 2 && got_code == SI_USER);
	/* SA_NODEFER */
	catch_info(SIGUSR1, SA_NODEFER);
	CHECK(raise(SIGUSR1) == 0 && got == 3 && !blocked_inside);
	/* SA_RESETHAND: once, then the default */
	catch_info(SIGUSR2, SA_RESETHAND);
	CHECK(raise(SIGUSR2) == 0 && got == 4);
	CHECK(sigaction(SIGUSR2, NULL, &old) == 0 &&
	      old.sa_handler == SIG_DFL);
	/* blocked: pending until unblocked, then delivered at once */
	catch_with(SIGUSR1, on_sig, 0);
	got = 0;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	raise(SIGUSR1);
	raise(SIGUSR1); /* standard signals do not queue */
	CHECK(got == 0);
	CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1));
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0 && got == 1);
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR1));
	/* ignoring a pending signal drops it */
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	signal(SIGUSR1, SIG_IGN);
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR1));
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	/* a handler that raises another: nested frames unwind in order */
	catch_with(SIGUSR1, on_nest, 0);
	catch_with(SIGUSR2, on_nest, 0);
	got = nested = 0;
	raise(SIGUSR1);
	CHECK(got == 2 && nested == 1);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

static void
test_defaults(void)
{
	int st = child_status(term_self);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	st = child_status(term_ignored);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5);
	st = child_status(segv);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	st = child_status(segv_handled);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42);
	st = child_status(divide);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGFPE);
	st = child_status(write_pipe);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
	/* SIGPIPE ignored: EPIPE */
	int p[2];
	signal(SIGPIPE, SIG_IGN);
	CHECK(pipe(p) == 0 && close(p[0]) == 0);
	ERR(write(p[1], "x", 1), EPIPE);
	close(p[1]);
	signal(SIGPIPE, SIG_DFL);
}

static void
test_sigchld(void)
{
	int st;
	catch_info(SIGCHLD, 0);
	got = 0;
	pid_t pid = fork();
	if (pid == 0)
		_exit(9);
	sigset_t none;
	sigemptyset(&none);
	while (!got)
		sigsuspend(&none);
	CHECK(got_sig == SIGCHLD && got_pid == pid);
	CHECK(got_code == CLD_EXITED && got_status == 9);
	CHECK(waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 9);
	/* ignored SIGCHLD: children are not kept for wait */
	signal(SIGCHLD, SIG_IGN);
	pid = fork();
	if (pid == 0)
		_exit(0);
	ERR(waitpid(pid, &st, 0), ECHILD);
	signal(SIGCHLD, SIG_DFL);
}

/* A child that signals its parent after a while (then writes a byte to
 * fd if fd >= 0). */
static pid_t
poke_later(int sig, int fd)
{
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		struct timespec ts = {0, 200000000};
		nanosleep(&ts, NULL);
		kill(parent, sig);
		nanosleep(&ts, NULL);
		if (fd >= 0)
			write(fd, "z", 1);
		_exit(0);
	}
	return pid;
}

static void
test_interrupted(void)
{
	int p[2], st;
	char c;
	struct timespec ts = {5, 0}, rem = {0, 0};

	catch_with(SIGUSR1, on_sig, 0);
	got = 0;
	pipe(p);
	pid_t pid = poke_later(SIGUSR1, p[1]);
	ERR(read(p[0], &c, 1), EINTR);
	CHECK(got == 1);
	waitpid(pid, &st, 0);
	CHECK(read(p[0], &c, 1) == 1 && c == 'z'); /* nothing was lost */
	/* SA_RESTART: the read carries on and gets the byte */
	catch_with(SIGUSR1, on_sig, SA_RESTART);
	got = 0;
	pid = poke_later(SIGUSR1, p[1]);
	CHECK(read(p[0], &c, 1) == 1 && c == 'z' && got == 1);
	waitpid(pid, &st, 0);
	/* nanosleep: EINTR and the time left, whatever SA_RESTART says */
	got = 0;
	pid = poke_later(SIGUSR1, -1);
	ERR(nanosleep(&ts, &rem), EINTR);
	CHECK(got == 1 && rem.tv_sec >= 3 && rem.tv_sec <= 5);
	waitpid(pid, &st, 0);
	/* pause and wait4 */
	got = 0;
	pid = poke_later(SIGUSR1, -1);
	ERR(pause(), EINTR);
	CHECK(got == 1);
	waitpid(pid, &st, 0);
	catch_with(SIGUSR1, on_sig, 0);
	pid_t sleeper = fork();
	if (sleeper == 0) {
		pause();
		_exit(0);
	}
	pid = poke_later(SIGUSR1, -1);
	ERR(waitpid(sleeper, &st, 0), EINTR);
	kill(sleeper, SIGKILL);
	CHECK(waitpid(sleeper, &st, 0) == sleeper && WTERMSIG(st) == SIGKILL);
	waitpid(pid, &st, 0);
	close(p[0]);
	close(p[1]);
	signal(SIGUSR1, SIG_DFL);
}

static void
test_stop(void)
{
	int st;
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK(kill(pid, SIGSTOP) == 0);
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) &&
	      WSTOPSIG(st) == SIGSTOP);
	CHECK(waitpid(pid, &st, WNOHANG | WUNTRACED) == 0); /* told once */
	CHECK(kill(pid, SIGCONT) == 0);
	CHECK(waitpid(pid, &st, WCONTINUED) == pid && WIFCONTINUED(st));
	CHECK(kill(pid, SIGKILL) == 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
	      WTERMSIG(st) == SIGKILL);
}

static void
test_groups(void)
{
	int st;
	pid_t a = fork();
	if (a == 0) {
		setpgid(0, 0);
		pause();
		_exit(0);
	}
	setpgid(a, a);
	CHECK(kill(-a, SIGTERM) == 0);
	CHECK(waitpid(a, &st, 0) == a && WTERMSIG(st) == SIGTERM);
	ERR(kill(-a, SIGTERM), ESRCH);
	/* kill(0): the caller's own group, the caller included */
	catch_with(SIGUSR2, on_sig, 0);
	got = 0;
	CHECK(kill(0, SIGUSR2) == 0 && got == 1);
	signal(SIGUSR2, SIG_DFL);
}

static void
test_altstack(void)
{
	static char alt[65536];
	stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt}, old;
	CHECK(sigaltstack(&ss, &old) == 0 && (old.ss_flags & SS_DISABLE));
	catch_info(SIGUSR1, SA_ONSTACK);
	handler_sp = 0;
	raise(SIGUSR1);
	CHECK(handler_sp >= (uintptr_t)alt &&
	      handler_sp < (uintptr_t)alt + sizeof alt);
	catch_info(SIGUSR1, 0);
	raise(SIGUSR1);
	CHECK(handler_sp && (handler_sp < (uintptr_t)alt ||
			     handler_sp >= (uintptr_t)alt + sizeof alt));
	ss.ss_size = 100;
	ERR(sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_flags = 12345;
	ss.ss_size = sizeof alt;
	ERR(sigaltstack(&ss, NULL), EINVAL);
	ss.ss_flags = SS_DISABLE;
	CHECK(sigaltstack(&ss, NULL) == 0);
	signal(SIGUSR1, SIG_DFL);
}

static void
test_alarm(void)
{
	struct itimerval it = {{0, 0}, {0, 0}}, old;
	sigset_t none;
	sigemptyset(&none);
	catch_with(SIGALRM, on_sig, 0);
	got = 0;
	CHECK(alarm(5) == 0);
	CHECK(alarm(1) >= 4); /* what the first had left */
	ERR(pause(), EINTR);
	CHECK(got == 1 && got_sig == SIGALRM);
	CHECK(alarm(0) == 0);
	/* an interval timer fires again and again */
	it.it_interval.tv_usec = it.it_value.tv_usec = 50000;
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	got = 0;
	while (got < 3)
		sigsuspend(&none);
	CHECK(getitimer(ITIMER_REAL, &old) == 0 &&
	      old.it_interval.tv_usec == 50000 && old.it_value.tv_sec == 0);
	memset(&it, 0, sizeof it);
	CHECK(setitimer(ITIMER_REAL, &it, &old) == 0 &&
	      old.it_interval.tv_usec == 50000);
	CHECK(getitimer(ITIMER_REAL, &old) == 0 && !old.it_value.tv_sec &&
	      !old.it_value.tv_usec);
	it.it_value.tv_usec = 1000000;
	ERR(setitimer(ITIMER_REAL, &it, NULL), EINVAL);
	ERR(setitimer(99, &it, NULL), EINVAL);
	ERR(getitimer(ITIMER_REAL, (struct itimerval *)16), EFAULT);
	/* an alarm's default action ends the process */
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGALRM, SIG_DFL);
		alarm(1);
		for (;;)
			pause();
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
	      WTERMSIG(st) == SIGALRM);
	signal(SIGALRM, SIG_DFL);
}

/* waitid: exit, kill, stop and continue reported as siginfo; WNOWAIT
 * leaves the child; WNOHANG; the errors. */
static void
test_waitid(void)
{
	siginfo_t si;
	signal(SIGCHLD, SIG_DFL);
	pid_t c = fork();
	if (c == 0)
		_exit(3);
	memset(&si, 0x55, sizeof si);
	CHECK(waitid(P_PID, c, &si, WEXITED | WNOWAIT) == 0);
	CHECK(si.si_pid == c && si.si_signo == SIGCHLD &&
	      si.si_code == CLD_EXITED && si.si_status == 3 &&
	      si.si_uid == getuid());
	memset(&si, 0, sizeof si);
	CHECK(waitid(P_ALL, 0, &si, WEXITED) == 0 && si.si_pid == c);
	ERR(waitid(P_PID, c, &si, WEXITED), ECHILD);

	c = fork();
	if (c == 0)
		for (;;)
			pause();
	memset(&si, 0x55, sizeof si);
	CHECK(waitid(P_PID, c, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0);
	kill(c, SIGSTOP);
	CHECK(waitid(P_PGID, 0, &si, WSTOPPED) == 0 && si.si_pid == c &&
	      si.si_code == CLD_STOPPED && si.si_status == SIGSTOP);
	kill(c, SIGCONT);
	CHECK(waitid(P_PID, c, &si, WCONTINUED) == 0 &&
	      si.si_code == CLD_CONTINUED && si.si_status == SIGCONT);
	kill(c, SIGKILL);
	CHECK(waitid(P_PID, c, &si, WEXITED) == 0 &&
	      si.si_code == CLD_KILLED && si.si_status == SIGKILL);

	ERR(waitid(P_ALL, 0, &si, 0), EINVAL);
	ERR(waitid(7, 0, &si, WEXITED), EINVAL);
	ERR(waitid(P_PID, 0, &si, WEXITED), EINVAL);
	ERR(waitid(P_ALL, 0, &si, WEXITED | 0x100), EINVAL);
	ERR(waitid(P_ALL, 0, &si, WEXITED), ECHILD);
	c = fork();
	if (c == 0)
		_exit(0);
	ERR(waitid(P_PID, c, (siginfo_t *)8, WEXITED), EFAULT);
	ERR(waitid(P_PID, c, &si, WEXITED), ECHILD); /* taken all the same */
}

static volatile int rt_seen[8], rt_n;
static volatile int rt_code[8];

static void
on_rt(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (rt_n < 8) {
		rt_code[rt_n] = si->si_code;
		rt_seen[rt_n++] = (sig - SIGRTMIN) * 100 + si->si_value.sival_int;
	}
}

/* Realtime signals queue, in order, lowest number first, with their
 * values; standard ones do not queue. */
static void
test_rt(void)
{
	sigset_t s, old;
	struct sigaction sa = {.sa_sigaction = on_rt, .sa_flags = SA_SIGINFO};
	sigaction(SIGRTMIN + 1, &sa, NULL);
	sigaction(SIGRTMIN + 2, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN + 1);
	sigaddset(&s, SIGRTMIN + 2);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, &old);
	CHECK(sigqueue(getpid(), SIGRTMIN + 2, (union sigval){7}) == 0);
	for (int v = 1; v <= 3; v++)
		CHECK(sigqueue(getpid(), SIGRTMIN + 1, (union sigval){v}) == 0);
	kill(getpid(), SIGRTMIN + 1);
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);
	sigset_t pend;
	sigpending(&pend);
	CHECK(sigismember(&pend, SIGRTMIN + 1) && sigismember(&pend, SIGUSR1));
	rt_n = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* Taken lowest first, each frame on the last: SIGUSR1's, then
	 * RTMIN+1's (which blocks the other RTMIN+1s), then RTMIN+2's. So
	 * RTMIN+2 runs first, then RTMIN+1's queue in order, SIGUSR1 (once)
	 * last, as on Linux. */
	CHECK(rt_n == 6);
	CHECK(rt_seen[0] == 207 && rt_code[0] == SI_QUEUE);
	CHECK(rt_seen[1] == 101 && rt_seen[2] == 102 && rt_seen[3] == 103);
	CHECK(rt_seen[4] == 100 && rt_code[4] == SI_USER);
	CHECK(rt_seen[5] == (SIGUSR1 - SIGRTMIN) * 100);
	signal(SIGUSR1, SIG_DFL);
	ERR(sigqueue(getpid(), 65, (union sigval){0}), EINVAL);
	ERR(sigqueue(99999, SIGRTMIN, (union sigval){0}), ESRCH);
	siginfo_t fake = {.si_code = 0};
	pid_t c = fork();
	if (c == 0)
		for (;;)
			pause();
	ERR(syscall(SYS_rt_sigqueueinfo, c, SIGRTMIN, &fake), EPERM);
	ERR(syscall(SYS_rt_sigqueueinfo, c, SIGRTMIN, (void *)8), EFAULT);
	ERR(syscall(SYS_rt_tgsigqueueinfo, c, 0, SIGRTMIN, &fake), EINVAL);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
}

static void
on_alarm_nop(int sig)
{
	(void)sig;
}

/* sigtimedwait and sigwaitinfo: a pending signal at once, one sent
 * later by another process, the timeout, EINTR, the errors. */
static void
test_sigwait(void)
{
	sigset_t s, old;
	siginfo_t si;
	struct timespec zero = {0, 0}, t50 = {0, 50000000}, bad = {0, -1};
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigaddset(&s, SIGRTMIN + 3);
	sigprocmask(SIG_BLOCK, &s, &old);
	raise(SIGUSR2);
	CHECK(sigtimedwait(&s, &si, &zero) == SIGUSR2 && si.si_code == SI_TKILL &&
	      si.si_pid == getpid());
	ERR(sigtimedwait(&s, &si, &zero), EAGAIN);
	ERR(sigtimedwait(&s, &si, &t50), EAGAIN);
	pid_t parent = getpid(), c = fork();
	if (c == 0) {
		nanosleep(&t50, NULL);
		sigqueue(parent, SIGRTMIN + 3, (union sigval){42});
		_exit(0);
	}
	CHECK(sigwaitinfo(&s, &si) == SIGRTMIN + 3 && si.si_value.sival_int == 42 &&
	      si.si_pid == c && si.si_code == SI_QUEUE);
	waitpid(c, NULL, 0);
	signal(SIGALRM, on_alarm_nop);
	struct itimerval it = {{0, 0}, {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
	/* (musl's sigwaitinfo makes the call again after EINTR) */
	ERR(syscall(SYS_rt_sigtimedwait, &s, &si, NULL, 8), EINTR);
	ERR(syscall(SYS_rt_sigtimedwait, &s, &si, NULL, 4), EINVAL);
	ERR(syscall(SYS_rt_sigtimedwait, (void *)8, &si, NULL, 8), EFAULT);
	ERR(sigtimedwait(&s, &si, &bad), EINVAL);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static volatile unsigned fpu_entry_mxcsr;

/* A handler that changes xmm7 and the rounding mode. */
static void
on_fpu(int sig)
{
	unsigned m, mine = 0x1f80 | 3u << 13;
	(void)sig;
	__asm__ volatile("stmxcsr %0" : "=m"(m));
	fpu_entry_mxcsr = m;
	__asm__ volatile("ldmxcsr %0\n\tmovq %1, %%xmm7" ::"m"(mine),
			 "r"(0x5555ull)
			 : "xmm7");
}

/* The interrupted code's FPU/SSE registers survive a handler that
 * changes them, and the handler starts with a clean MXCSR. */
static void
test_fpu(void)
{
	unsigned long long got;
	unsigned m = 0x1f80 | 1u << 13, after;
	long nr = 62; /* kill */
	catch_with(SIGUSR1, on_fpu, 0);
	__asm__ volatile("ldmxcsr %4\n\t"
			 "movq %3, %%xmm7\n\t"
			 "syscall\n\t"
			 "movq %%xmm7, %0\n\t"
			 "stmxcsr %1"
			 : "=&r"(got), "=m"(after), "+a"(nr)
			 : "r"(0x1234567887654321ull), "m"(m),
			   "D"((long)getpid()), "S"((long)SIGUSR1)
			 : "rcx", "r11", "rdx", "xmm7", "memory");
	CHECK(nr == 0);
	unsigned def = 0x1f80;
	__asm__ volatile("ldmxcsr %0" ::"m"(def));
	CHECK(got == 0x1234567887654321ull);
	CHECK(after == (0x1f80 | 1u << 13));
	CHECK(fpu_entry_mxcsr == 0x1f80);
}

static void
test_errors(void)
{
	struct sigaction sa = {.sa_handler = on_sig};
	sigset_t set;
	sigemptyset(&set);
	ERR(kill(getpid(), 65), EINVAL);
	ERR(kill(getpid(), -1), EINVAL);
	ERR(kill(99999, 0), ESRCH);
	CHECK(kill(getpid(), 0) == 0);
	ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
	ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
	ERR(sigaction(0, &sa, NULL), EINVAL);
	ERR(sigaction(65, &sa, NULL), EINVAL);
	ERR(sigprocmask(99, &set, NULL), EINVAL);
	/* SIGKILL and SIGSTOP cannot be blocked */
	sigfillset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	sigprocmask(SIG_SETMASK, NULL, &set);
	CHECK(!sigismember(&set, SIGKILL) && !sigismember(&set, SIGSTOP));
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
}

int
main(void)
{
	setpgid(0, 0); /* a group of our own for kill(0) */
	test_handlers();
	test_defaults();
	test_sigchld();
	test_interrupted();
	test_stop();
	test_groups();
	test_altstack();
	test_alarm();
	test_errors();
	test_fpu();
	test_waitid();
	test_rt();
	test_sigwait();
	printf("t_signal: %d passed, %d failed\n", pass, fail);
	return fail != 0;
}
