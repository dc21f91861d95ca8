/*
 * t_thread.c - threads: clone with CLONE_THREAD (through musl's
 * pthreads and raw), thread ids, TLS, mutexes and condition variables
 * (futex wait, wake, requeue), the clear-tid word pthread_join waits on,
 * thread-directed and process-directed signals with per-thread masks,
 * threads blocked at once, fork/exec/exit/exit_group from a thread, and
 * clone's error codes. Runs on Linux too: the expected results are
 * Linux's.
 */
#define _GNU_SOURCE
#define T_NAME "t_thread"
#include "t.h"
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t
tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static __thread int tls_value = 7;

static void *
ids(void *arg)
{
	pid_t *out = arg;
	out[0] = tid();
	out[1] = getpid();
	out[2] = tls_value;
	tls_value = 99; /* the main thread's stays 7 */
	return (void *)(long)(out[0] + 1);
}

static void
test_ids(void)
{
	pthread_t t;
	pid_t got[3];
	void *ret;
	CHECK(tid() == getpid());
	CHECK(syscall(SYS_set_tid_address, NULL) == getpid());
	CHECK(pthread_create(&t, NULL, ids, got) == 0);
	CHECK(pthread_join(t, &ret) == 0);
	CHECK(got[0] != getpid() && got[0] > 0);
	CHECK(got[1] == getpid());
	CHECK(got[2] == 7);
	CHECK(tls_value == 7);
	CHECK((long)ret == got[0] + 1);
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *
add(void *arg)
{
	for (int i = 0; i < 2000; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		if (i % 100 == 0)
			sched_yield();
		pthread_mutex_unlock(&lock);
	}
	return arg;
}

static void
test_mutex(void)
{
	pthread_t t[6];
	int ok = 1;
	for (int i = 0; i < 6; i++)
		ok &= pthread_create(&t[i], NULL, add, NULL) == 0;
	for (int i = 0; i < 6; i++)
		ok &= pthread_join(t[i], NULL) == 0;
	CHECK(ok);
	CHECK(counter == 12000);
}

static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int ready, woken;

static void *
waiter(void *arg)
{
	pthread_mutex_lock(&lock);
	while (!ready)
		pthread_cond_wait(&cond, &lock);
	woken++;
	pthread_mutex_unlock(&lock);
	return arg;
}

/* Four threads wait on a condition variable; a broadcast wakes all. */
static void
test_cond(void)
{
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, waiter, NULL);
	struct timespec ts = {0, 50 * 1000000};
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&lock);
	ready = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK(woken == 4);
}

/* Create and join many threads one after another (their kernel
 * objects are used again). */
static void *
nothing(void *arg)
{
	return arg;
}

static void
test_many(void)
{
	int ok = 0;
	for (int i = 0; i < 100; i++) {
		pthread_t t;
		void *r;
		if (pthread_create(&t, NULL, nothing, (void *)(long)i) == 0 &&
		    pthread_join(t, &r) == 0 && (long)r == i)
			ok++;
	}
	CHECK(ok == 100);
}

/* The Threads: line of /proc/self/status. */
static int
threads(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	char *s = strstr(buf, "Threads:");
	return s ? atoi(s + 8) : -1;
}

static volatile pid_t handled_by;
static volatile int handled_sig;

static void
on_sig(int sig)
{
	handled_by = tid();
	handled_sig = sig;
}

static volatile int stop_spin;
static volatile pid_t spinner_tid;

static void *
spin(void *arg)
{
	spinner_tid = tid();
	while (!stop_spin)
		sched_yield();
	return arg;
}

/* pthread_kill reaches that thread; kill reaches the one thread that
 * does not block the signal. */
static void
test_signals(void)
{
	pthread_t t;
	sigset_t s, old;
	struct sigaction sa = {.sa_handler = on_sig};
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	CHECK(pthread_create(&t, NULL, spin, NULL) == 0);
	while (!spinner_tid)
		sched_yield();
	CHECK(threads() == 2);
	CHECK(pthread_kill(t, SIGUSR1) == 0);
	for (int i = 0; i < 1000 && !handled_sig; i++)
		sched_yield();
	CHECK(handled_sig == SIGUSR1 && handled_by == spinner_tid);

	handled_sig = 0;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, &old);
	CHECK(kill(getpid(), SIGUSR2) == 0);
	for (int i = 0; i < 1000 && !handled_sig; i++)
		sched_yield();
	CHECK(handled_sig == SIGUSR2 && handled_by == spinner_tid);

	/* blocked everywhere: pending for the process */
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	stop_spin = 1;
	pthread_join(t, NULL);
	handled_sig = 0;
	kill(getpid(), SIGUSR2);
	sigset_t pend;
	sigpending(&pend);
	CHECK(sigismember(&pend, SIGUSR2) && !handled_sig);
	pthread_sigmask(SIG_SETMASK, &old, NULL); /* delivered here now */
	CHECK(handled_sig == SIGUSR2 && handled_by == getpid());

	ERR(syscall(SYS_tgkill, getpid(), 999999, SIGUSR1), ESRCH);
	ERR(syscall(SYS_tgkill, 1, getpid(), SIGUSR1), ESRCH);
	ERR(syscall(SYS_tkill, -1, SIGUSR1), EINVAL);
	ERR(syscall(SYS_tgkill, getpid(), tid(), 65), EINVAL);
	CHECK(syscall(SYS_tgkill, getpid(), tid(), 0) == 0);
}

static int pfd[2];

static void *
reader(void *arg __attribute__((unused)))
{
	char c = 0;
	long n = read(pfd[0], &c, 1);
	return (void *)(n == 1 ? (long)c : -1L);
}

static void *
sleeper(void *arg __attribute__((unused)))
{
	struct timespec ts = {0, 100 * 1000000};
	return (void *)(long)nanosleep(&ts, NULL);
}

/* Two threads wait at once (a pipe read, a sleep) while a third runs. */
static void
test_blocking(void)
{
	pthread_t r, s;
	void *rv, *sv;
	CHECK(pipe(pfd) == 0);
	pthread_create(&r, NULL, reader, NULL);
	pthread_create(&s, NULL, sleeper, NULL);
	struct timespec ts = {0, 30 * 1000000};
	nanosleep(&ts, NULL);
	CHECK(write(pfd[1], "x", 1) == 1);
	pthread_join(r, &rv);
	pthread_join(s, &sv);
	CHECK((long)rv == 'x');
	CHECK((long)sv == 0);
	close(pfd[0]);
	close(pfd[1]);
}

static void *
forker(void *arg __attribute__((unused)))
{
	int st = 0;
	pid_t c = fork();
	if (c == 0)
		_exit(getpid() == tid() ? 7 : 8);
	if (c < 0 || waitpid(c, &st, 0) != c)
		return (void *)-1L;
	return (void *)(long)st;
}

static void *
exiter(void *arg __attribute__((unused)))
{
	_exit(5); /* exit_group: the whole process */
}

static void *
late_exit(void *arg __attribute__((unused)))
{
	struct timespec ts = {0, 50 * 1000000};
	nanosleep(&ts, NULL);
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	exit(strstr(buf, "Threads:") ? 9 : 10); /* Linux: 2, the leader a zombie */
}

static void *
execer(void *arg __attribute__((unused)))
{
	char *argv[] = {"sh", "-c", "exit 4", NULL};
	execv("/bin/sh", argv);
	return NULL;
}

/* The status of a child that runs fn in a thread (main waits in pause,
 * or ends itself with pthread_exit if main_exits). */
static int
in_child(void *(*fn)(void *), int main_exits)
{
	int st = -1;
	pid_t c = fork();
	if (c == 0) {
		pthread_t t;
		if (pthread_create(&t, NULL, fn, NULL))
			_exit(100);
		if (main_exits)
			pthread_exit(NULL);
		for (;;)
			pause();
	}
	waitpid(c, &st, 0);
	return st;
}

static void
test_process_calls(void)
{
	pthread_t t;
	void *r;
	pthread_create(&t, NULL, forker, NULL);
	pthread_join(t, &r);
	CHECK(WIFEXITED((int)(long)r) && WEXITSTATUS((int)(long)r) == 7);
	int st = in_child(exiter, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5);
	st = in_child(late_exit, 1);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 9);
	st = in_child(execer, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 4);
}

static volatile int raw_ran;
static volatile pid_t raw_ctid, raw_ptid;
static char raw_stack[65536] __attribute__((aligned(16)));

/* A raw CLONE_THREAD child: no libc set up for it, so it only stores
 * and ends with a bare exit system call. */
static void
test_raw_clone(void)
{
	long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		     CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID |
		     CLONE_CHILD_CLEARTID;
	ERR(syscall(SYS_clone, CLONE_THREAD, 0, 0, 0, 0), EINVAL);
	ERR(syscall(SYS_clone, CLONE_SIGHAND, 0, 0, 0, 0), EINVAL);
	raw_ctid = -1;
	long r;
	register long r10 __asm__("r10") = (long)&raw_ctid;
	register long r8 __asm__("r8") = 0;
	__asm__ volatile("syscall\n"
			 "test %%rax, %%rax\n"
			 "jnz 1f\n"
			 "movl $1, raw_ran(%%rip)\n"
			 "mov $60, %%eax\n"
			 "xor %%edi, %%edi\n"
			 "syscall\n"
			 "1:\n"
			 : "=a"(r)
			 : "0"(SYS_clone), "D"(flags),
			   "S"(raw_stack + sizeof raw_stack), "d"(&raw_ptid),
			   "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	CHECK(r > 0);
	CHECK(raw_ptid == r);
	/* the kernel clears raw_ctid (it held -1) and wakes it at the end */
	while (raw_ctid == -1)
		syscall(SYS_futex, &raw_ctid, 0 /* FUTEX_WAIT */, -1, NULL);
	while (raw_ctid != 0)
		syscall(SYS_futex, &raw_ctid, 0, raw_ctid, NULL);
	CHECK(raw_ran == 1);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_ids();
	test_mutex();
	test_cond();
	test_many();
	test_signals();
	test_blocking();
	test_process_calls();
	test_raw_clone();
	printf(T_NAME ": %d passed, %d failed\n", pass, fail);
	return fail != 0;
}
