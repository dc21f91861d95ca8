/*
 * t_futex.c - futex(2) and sched_yield: waits that the word's value
 * refuses, wakes, a parent/child ping-pong on shared memory, timeouts
 * (relative and absolute), bitsets, a signal interrupting a wait (EINTR,
 * or made again with SA_RESTART as Linux does for an untimed wait), and
 * the error codes. A static musl program that runs on UX/RT and on Linux
 * alike (the expected results are Linux's). Prints one line per failed
 * check and ends with "t_futex: N passed, M failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define T_NAME "t_futex"
#include "t.h"

#define ROUNDS 3000

/* Linux's <linux/futex.h> (musl has no kernel headers) */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY 0xFFFFFFFFu

static volatile sig_atomic_t got;

static long
futex(void *addr, int op, uint32_t val, const struct timespec *ts,
      uint32_t val3)
{
	return syscall(SYS_futex, addr, op, val, ts, NULL, val3);
}

static uint64_t
now_ns(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void
on_sig(int sig)
{
	(void)sig;
	got++;
}

static void
catch_with(int sig, int flags)
{
	struct sigaction sa = {.sa_handler = on_sig, .sa_flags = flags};
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static uint32_t *
shared_word(void)
{
	void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	return m == MAP_FAILED ? NULL : m;
}

static void
test_simple(void)
{
	static uint32_t w = 5;
	struct timespec zero = {0, 0};
	ERR(futex(&w, FUTEX_WAIT_PRIVATE, 6, NULL, 0), EAGAIN);
	ERR(futex(&w, FUTEX_WAIT, 6, NULL, 0), EAGAIN);
	CHECK(futex(&w, FUTEX_WAKE_PRIVATE, 1, NULL, 0) == 0);
	CHECK(futex(&w, FUTEX_WAKE, 10, NULL, 0) == 0);
	ERR(futex(&w, FUTEX_WAIT_PRIVATE, 5, &zero, 0), ETIMEDOUT);
	CHECK(sched_yield() == 0);
	CHECK(syscall(SYS_sched_yield) == 0);
}

/* Parent and child take turns: each waits for the word to be its number
 * and hands it to the other. */
static void
turns(uint32_t *w, uint32_t me, int op, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		while (__atomic_load_n(w, __ATOMIC_ACQUIRE) != me)
			futex(w, op, 1 - me, NULL, 0);
		__atomic_store_n(w, 1 - me, __ATOMIC_RELEASE);
		futex(w, op == FUTEX_WAIT ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE, 1,
		      NULL, 0);
	}
}

static void
test_ping_pong(void)
{
	uint32_t *w = shared_word();
	int st = -1;
	if (!w)
		return;
	*w = 0;
	pid_t pid = fork();
	if (pid == 0) {
		turns(w, 1, FUTEX_WAIT, ROUNDS);
		_exit(0);
	}
	turns(w, 0, FUTEX_WAIT, ROUNDS);
	CHECK(waitpid(pid, &st, 0) == pid && st == 0);
	CHECK(*w == 0); /* the child hands back last */
	munmap(w, 4096);
}

/* A child waits on the shared word until the parent wakes it; the
 * child's exit status says what its wait answered. */
static pid_t
child_waits(uint32_t *w, int op, uint32_t bitset)
{
	pid_t pid = fork();
	if (pid == 0) {
		long r = futex(w, op, 0, NULL, bitset);
		_exit(r == 0 ? 0 : r == -1 && errno == EAGAIN ? 2 : 1);
	}
	return pid;
}

/* A wake of shared word w with op: how many were woken, retried until
 * the child has started waiting (or 2 s passed). */
static long
wake_child(uint32_t *w, int op, uint32_t bitset)
{
	for (int i = 0; i < 200; i++) {
		long n = futex(w, op, 1, NULL, bitset);
		if (n)
			return n;
		usleep(10000);
	}
	return 0;
}

static void
test_bitset(void)
{
	uint32_t *w = shared_word();
	int st = -1;
	if (!w)
		return;
	*w = 0;
	pid_t pid = child_waits(w, FUTEX_WAIT_BITSET, 0x1);
	usleep(50000);
	CHECK(futex(w, FUTEX_WAKE_BITSET, 1, NULL, 0x2) == 0); /* mismatch */
	CHECK(futex(w, FUTEX_WAKE_PRIVATE, 1, NULL, 0) == 0); /* private */
	CHECK(waitpid(pid, &st, WNOHANG) == 0);            /* still waits */
	CHECK(wake_child(w, FUTEX_WAKE_BITSET, 0x3) == 1);
	CHECK(waitpid(pid, &st, 0) == pid && st == 0);
	pid = child_waits(w, FUTEX_WAIT, 0); /* a plain wait: any bit */
	CHECK(wake_child(w, FUTEX_WAKE_BITSET, 0x80) == 1);
	CHECK(waitpid(pid, &st, 0) == pid && st == 0);
	munmap(w, 4096);
}

static void
test_timeouts(void)
{
	static uint32_t w;
	struct timespec rel = {0, 100000000}, abs;
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	ERR(futex(&w, FUTEX_WAIT_PRIVATE, 0, &rel, 0), ETIMEDOUT);
	uint64_t took = now_ns(CLOCK_MONOTONIC) - t0;
	CHECK(took >= 100000000 && took < 1000000000);
	t0 = now_ns(CLOCK_MONOTONIC);
	uint64_t at = t0 + 80000000;
	abs = (struct timespec){at / 1000000000, at % 1000000000};
	ERR(futex(&w, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, &abs,
		  FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
	CHECK(now_ns(CLOCK_MONOTONIC) >= at);
	CHECK(now_ns(CLOCK_MONOTONIC) - t0 < 1000000000);
	at = now_ns(CLOCK_REALTIME) + 50000000;
	abs = (struct timespec){at / 1000000000, at % 1000000000};
	ERR(futex(&w, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, &abs,
		  FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
	CHECK(now_ns(CLOCK_REALTIME) >= at);
	abs = (struct timespec){1, 0}; /* long past */
	ERR(futex(&w, FUTEX_WAIT_BITSET, 0, &abs, FUTEX_BITSET_MATCH_ANY),
	    ETIMEDOUT);
}

/* A child signals us while we wait on word w (it then sets w to 1 and
 * wakes us, for a wait made again). */
static pid_t
signal_soon(uint32_t *w)
{
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		usleep(100000);
		kill(parent, SIGUSR1);
		usleep(100000);
		__atomic_store_n(w, 1, __ATOMIC_RELEASE);
		futex(w, FUTEX_WAKE, 1, NULL, 0);
		_exit(0);
	}
	return pid;
}

static void
test_signal(void)
{
	uint32_t *w = shared_word();
	struct timespec long_ts = {5, 0};
	int st;
	if (!w)
		return;
	catch_with(SIGUSR1, 0);
	*w = 0, got = 0;
	pid_t pid = signal_soon(w);
	ERR(futex(w, FUTEX_WAIT, 0, NULL, 0), EINTR);
	CHECK(got == 1);
	CHECK(waitpid(pid, &st, 0) == pid);
	/* SA_RESTART: an untimed wait is made again, a timed one is not */
	catch_with(SIGUSR1, SA_RESTART);
	*w = 0, got = 0;
	pid = signal_soon(w);
	long r = futex(w, FUTEX_WAIT, 0, NULL, 0);
	CHECK(r == 0 || (r == -1 && errno == EAGAIN));
	CHECK(got == 1);
	CHECK(waitpid(pid, &st, 0) == pid);
	*w = 0, got = 0;
	pid = signal_soon(w);
	ERR(futex(w, FUTEX_WAIT, 0, &long_ts, 0), EINTR);
	CHECK(got == 1);
	CHECK(waitpid(pid, &st, 0) == pid);
	signal(SIGUSR1, SIG_DFL);
	munmap(w, 4096);
}

static void
test_errors(void)
{
	static uint32_t w[2];
	struct timespec bad = {0, 1000000000}, neg = {-1, 0};
	ERR(futex((void *)16, FUTEX_WAIT, 0, NULL, 0), EFAULT);
	ERR(futex((void *)16, FUTEX_WAIT_PRIVATE, 0, NULL, 0), EFAULT);
	ERR(futex((char *)w + 1, FUTEX_WAIT, 0, NULL, 0), EINVAL);
	ERR(futex((char *)w + 2, FUTEX_WAKE_PRIVATE, 1, NULL, 0), EINVAL);
	ERR(futex(w, FUTEX_WAIT, 0, &bad, 0), EINVAL);
	ERR(futex(w, FUTEX_WAIT, 0, &neg, 0), EINVAL);
	ERR(futex(w, FUTEX_WAIT, 0, (void *)16, 0), EFAULT);
	ERR(futex(w, FUTEX_WAIT_BITSET, 0, NULL, 0), EINVAL);
	ERR(futex(w, FUTEX_WAKE_BITSET, 1, NULL, 0), EINVAL);
	ERR(futex(w, 99, 0, NULL, 0), ENOSYS);
	ERR(futex(w, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, 0), ENOSYS);
}

int
main(void)
{
	test_simple();
	test_ping_pong();
	test_bitset();
	test_timeouts();
	test_signal();
	test_errors();
	printf("t_futex: %d passed, %d failed\n", pass, fail);
	return fail != 0;
}
