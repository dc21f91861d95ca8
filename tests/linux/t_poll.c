/*
 * t_poll.c - poll, ppoll, select and pselect6: readiness of pipes (data,
 * room, POLLHUP when the writers are gone, POLLERR when the readers are),
 * files, /dev and /proc; waits woken by another process's write, read,
 * close or exit; timeouts and the time left that select, pselect6 and
 * ppoll write back; EINTR by an alarm (never restarted); ppoll's and
 * pselect6's signal mask; a wait stopped and continued, or killed; the
 * error codes; a pipe's waiting writer and its reader. A static musl
 * program that runs on UX/RT and on Linux alike (the expected results
 * are Linux's). Prints one line per failed check and ends with
 * "t_poll: N passed, M failed".
 *
 * "t_poll console" instead polls its standard input (the console) for a
 * QEMU scenario that types after a delay (tests/qemu/busybox_poll.sh).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define T_NAME "t_poll"
#include "t.h"

#define PIPE_SIZE 65536 /* Linux's default pipe capacity, and ours */

static volatile sig_atomic_t got, blocked_inside;

static long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void
on_sig(int sig)
{
	sigset_t cur;
	got++;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	blocked_inside = sigismember(&cur, sig);
}

static void
catch_with(int sig, int flags)
{
	struct sigaction sa = {.sa_handler = on_sig, .sa_flags = flags};
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* A child that sleeps ms, then does what does (1 write, 2 read 4096,
 * 3 close and exit, 4 kill its parent with SIGUSR1) on fd. */
enum { DO_WRITE = 1, DO_READ, DO_EXIT, DO_SIGNAL };

static pid_t
later(long ms, int what, int fd)
{
	pid_t pid = fork();
	static char buf[4096];
	if (pid)
		return pid;
	nap_ms(ms);
	if (what == DO_WRITE)
		_exit(write(fd, "x", 1) == 1 ? 0 : 1);
	if (what == DO_READ)
		_exit(read(fd, buf, sizeof buf) == sizeof buf ? 0 : 1);
	if (what == DO_SIGNAL)
		kill(getppid(), SIGUSR1);
	_exit(0);
}

static int
reap(pid_t pid)
{
	int st = -1;
	waitpid(pid, &st, 0);
	return st;
}

/* Fill the pipe whose write end is fd (one write of its capacity). */
static void
fill(int fd)
{
	static char buf[PIPE_SIZE];
	CHECK(write(fd, buf, sizeof buf) == sizeof buf);
}

static short
revents1(int fd, short events)
{
	struct pollfd f = {fd, events, 0x7fff};
	int r = poll(&f, 1, 0);
	return r < 0 ? -1 : f.revents;
}

/* Readiness of each kind of descriptor, without waiting. */
static void
t_ready(void)
{
	int p[2];
	char c;
	CHECK(pipe(p) == 0);
	struct pollfd f[4] = {{p[0], POLLIN, 1},
			      {p[1], POLLOUT, 1},
			      {-1, POLLIN, 1},
			      {60, POLLIN, 1}};
	CHECK(poll(f, 4, 0) == 2);
	CHECK(f[0].revents == 0 && f[1].revents == POLLOUT);
	CHECK(f[2].revents == 0);	 /* a negative fd is skipped */
	CHECK(f[3].revents == POLLNVAL); /* not open */
	CHECK(poll(&f[3], 1, -1) == 1);	 /* POLLNVAL does not wait */
	CHECK(revents1(p[0], POLLOUT) == 0);
	CHECK(revents1(p[1], POLLIN) == 0);
	CHECK(write(p[1], "ab", 2) == 2);
	CHECK(revents1(p[0], POLLIN | POLLRDNORM) == (POLLIN | POLLRDNORM));
	CHECK(revents1(p[0], 0) == 0); /* only what was asked */
	struct pollfd twice[2] = {{p[0], POLLIN, 0}, {p[0], POLLIN, 0}};
	CHECK(poll(twice, 2, 0) == 2);
	static struct pollfd many[200]; /* more than one piece */
	for (unsigned i = 0; i < 200; i++)
		many[i] = (struct pollfd){i == 150 ? p[0] : -1, POLLIN, 1};
	CHECK(poll(many, 200, 0) == 1 && many[150].revents == POLLIN);
	CHECK(many[0].revents == 0 && many[199].revents == 0);
	CHECK(read(p[0], &c, 1) == 1 && revents1(p[0], POLLIN) == POLLIN);
	CHECK(read(p[0], &c, 1) == 1 && revents1(p[0], POLLIN) == 0);
	close(p[0]);
	close(p[1]);

	int fd = open("/tmp/t_poll.file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK(revents1(fd, POLLIN | POLLOUT) == (POLLIN | POLLOUT));
	close(fd);
	fd = open("/tmp/t_poll.file", O_RDONLY); /* files: both, always */
	CHECK(revents1(fd, POLLIN | POLLOUT) == (POLLIN | POLLOUT));
	close(fd);
	unlink("/tmp/t_poll.file");
	const char *dev[] = {"/dev/null", "/dev/zero", "/dev/urandom"};
	for (unsigned i = 0; i < 3; i++) {
		fd = open(dev[i], O_RDWR);
		CHECK(revents1(fd, POLLIN | POLLOUT) == (POLLIN | POLLOUT));
		close(fd);
	}
	fd = open("/proc/self/stat", O_RDONLY);
	CHECK(revents1(fd, POLLIN) == POLLIN);
	close(fd);
}

/* POLLHUP, POLLERR and POLLOUT as Linux's pipes give them. */
static void
t_hup_err(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "z", 1) == 1);
	close(p[1]);
	CHECK(revents1(p[0], POLLIN) == (POLLIN | POLLHUP));
	CHECK(revents1(p[0], 0) == POLLHUP); /* even when not asked */
	char c;
	CHECK(read(p[0], &c, 1) == 1 && revents1(p[0], POLLIN) == POLLHUP);
	close(p[0]);

	CHECK(pipe(p) == 0);
	close(p[0]);
	CHECK(revents1(p[1], POLLOUT) == (POLLOUT | POLLERR));
	CHECK(revents1(p[1], 0) == POLLERR);
	close(p[1]);

	static char buf[4096];
	CHECK(pipe(p) == 0);
	fill(p[1]);
	CHECK(revents1(p[1], POLLOUT) == 0); /* full */
	CHECK(read(p[0], buf, 100) == 100);
	CHECK(revents1(p[1], POLLOUT) == 0); /* room < PIPE_BUF */
	CHECK(read(p[0], buf, 3996) == 3996);
	CHECK(revents1(p[1], POLLOUT) == POLLOUT); /* a page free */
	close(p[0]);
	CHECK(revents1(p[1], POLLOUT) == (POLLOUT | POLLERR));
	close(p[1]);

	CHECK(pipe(p) == 0);
	fill(p[1]);
	close(p[0]);
	CHECK(revents1(p[1], POLLOUT) == POLLERR); /* full and no reader */
	close(p[1]);
}

/* A waiting poll is woken by what another process does. */
static void
t_wakeups(void)
{
	int p[2], q[2];
	long t0;
	pid_t c;

	CHECK(pipe(p) == 0 && pipe(q) == 0);
	struct pollfd f[2] = {{q[0], POLLIN, 0}, {p[0], POLLIN, 0}};
	t0 = now_ms();
	c = later(200, DO_WRITE, p[1]);
	CHECK(poll(f, 2, -1) == 1);
	CHECK(f[0].revents == 0 && f[1].revents == POLLIN);
	CHECK(now_ms() - t0 >= 150);
	CHECK(reap(c) == 0);
	static char buf[4096];
	CHECK(read(p[0], buf, 8) == 1);

	t0 = now_ms(); /* a timeout does not keep it from waking early */
	c = later(200, DO_WRITE, p[1]);
	CHECK(poll(&f[1], 1, 10000) == 1 && f[1].revents == POLLIN);
	CHECK(now_ms() - t0 < 8000);
	CHECK(reap(c) == 0);
	CHECK(read(p[0], buf, 8) == 1);

	t0 = now_ms(); /* another request on the pipe is not readiness */
	c = later(100, DO_READ, p[1]); /* (a read of the write end) */
	CHECK(poll(&f[1], 1, 600) == 0 && f[1].revents == 0);
	CHECK(now_ms() - t0 >= 550);
	reap(c);

	/* the last writer's exit: POLLHUP */
	c = later(200, DO_EXIT, p[1]);
	close(p[1]);
	CHECK(poll(&f[1], 1, 10000) == 1 && f[1].revents == POLLHUP);
	CHECK(reap(c) == 0);
	close(p[0]);

	/* room made by a reader: POLLOUT */
	CHECK(pipe(p) == 0);
	fill(p[1]);
	struct pollfd w = {p[1], POLLOUT, 0};
	t0 = now_ms();
	c = later(200, DO_READ, p[0]);
	CHECK(poll(&w, 1, 10000) == 1 && w.revents == POLLOUT);
	CHECK(now_ms() - t0 >= 150);
	CHECK(reap(c) == 0);

	/* the last reader's exit: POLLERR (the pipe is still full) */
	CHECK(write(p[1], buf, 4096) == 4096);
	c = later(200, DO_EXIT, p[0]);
	close(p[0]);
	CHECK(poll(&w, 1, 10000) == 1 && w.revents == POLLERR);
	CHECK(reap(c) == 0);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

/* A writer waiting with the rest of a long write: the reader's data
 * still arrives whole when its read lets the writer finish. */
static void
t_waiting_writer(void)
{
	enum { N = PIPE_SIZE + 5000 };
	static unsigned char buf[N];
	int p[2];
	size_t got_n = 0;
	bool same = true;
	CHECK(pipe(p) == 0);
	pid_t c = fork();
	if (!c) {
		for (size_t i = 0; i < N; i++)
			buf[i] = (unsigned char)(i % 251);
		_exit(write(p[1], buf, N) == N ? 0 : 1);
	}
	close(p[1]);
	nap_ms(300); /* the writer waits with 5000 bytes */
	for (;;) {
		ssize_t n = read(p[0], buf, 4096);
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			same &= buf[i] == (got_n + (size_t)i) % 251;
		got_n += (size_t)n;
	}
	CHECK(got_n == N && same);
	CHECK(reap(c) == 0);
	close(p[0]);
}

static long
sys_select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	return syscall(SYS_select, n, r, w, e, tv);
}

static void
t_select(void)
{
	int p[2], fd = open("/dev/null", O_RDWR);
	fd_set r, w, e;
	struct timeval tv = {0, 0};
	CHECK(pipe(p) == 0);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&e);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	FD_SET(p[0], &e);
	CHECK(select(p[1] + 1, &r, &w, &e, &tv) == 1);
	CHECK(!FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w) && !FD_ISSET(p[0], &e));
	CHECK(write(p[1], "q", 1) == 1);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(fd, &r);
	FD_SET(fd, &w);
	CHECK(select(p[1] + 1, &r, &w, NULL, &tv) == 3); /* bits, not fds */
	CHECK(FD_ISSET(p[0], &r) && FD_ISSET(fd, &r) && FD_ISSET(fd, &w));
	close(p[1]);
	char c;
	CHECK(read(p[0], &c, 1) == 1);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	CHECK(select(p[0] + 1, &r, NULL, NULL, &tv) == 1); /* hung up */
	close(p[0]);

	CHECK(pipe(p) == 0);
	close(p[0]);
	FD_ZERO(&w);
	FD_ZERO(&e);
	FD_SET(p[1], &w);
	FD_SET(p[1], &e);
	CHECK(select(p[1] + 1, NULL, &w, &e, &tv) == 1); /* no reader */
	CHECK(FD_ISSET(p[1], &w) && !FD_ISSET(p[1], &e));
	close(p[1]);

	/* bits at n and beyond are not looked at (nor kept) */
	FD_ZERO(&r);
	FD_SET(40, &r);
	CHECK(select(10, &r, NULL, NULL, &tv) == 0 && !FD_ISSET(40, &r));
	/* woken by a write */
	CHECK(pipe(p) == 0);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	long t0 = now_ms();
	pid_t ch = later(200, DO_WRITE, p[1]);
	CHECK(select(p[0] + 1, &r, NULL, NULL, NULL) == 1 &&
	      FD_ISSET(p[0], &r));
	CHECK(now_ms() - t0 >= 150);
	CHECK(reap(ch) == 0);
	CHECK(read(p[0], &c, 1) == 1);
	/* the time left is written back (the raw call: C libraries copy) */
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){5, 0};
	ch = later(200, DO_WRITE, p[1]);
	CHECK(sys_select(p[0] + 1, &r, NULL, NULL, &tv) == 1);
	CHECK(tv.tv_sec <= 4 && tv.tv_sec >= 1 && tv.tv_usec < 1000000);
	CHECK(reap(ch) == 0);
	CHECK(read(p[0], &c, 1) == 1);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){0, 100000};
	t0 = now_ms();
	CHECK(sys_select(p[0] + 1, &r, NULL, NULL, &tv) == 0);
	CHECK(tv.tv_sec == 0 && tv.tv_usec == 0 && !FD_ISSET(p[0], &r));
	CHECK(now_ms() - t0 >= 90);
	t0 = now_ms(); /* as a sleep */
	tv = (struct timeval){0, 100000};
	CHECK(select(0, NULL, NULL, NULL, &tv) == 0);
	CHECK(now_ms() - t0 >= 90 && now_ms() - t0 < 5000);
	close(p[0]);
	close(p[1]);
	close(fd);
}

/* Timeouts of each call, and ppoll's and pselect6's time left. */
static void
t_timeouts(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	struct pollfd f = {p[0], POLLIN, 0};
	long t0 = now_ms();
	CHECK(poll(&f, 1, 100) == 0 && f.revents == 0);
	CHECK(now_ms() - t0 >= 90 && now_ms() - t0 < 5000);
	struct timespec ts = {0, 100000000};
	t0 = now_ms();
	CHECK(ppoll(&f, 1, &ts, NULL) == 0);
	CHECK(now_ms() - t0 >= 90 && now_ms() - t0 < 5000);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	t0 = now_ms();
	CHECK(pselect(p[0] + 1, &r, NULL, NULL, &ts, NULL) == 0);
	CHECK(now_ms() - t0 >= 90 && !FD_ISSET(p[0], &r));
	ts = (struct timespec){0, 0};
	t0 = now_ms();
	CHECK(ppoll(&f, 1, &ts, NULL) == 0 && now_ms() - t0 < 1000);

	ts = (struct timespec){5, 0};
	pid_t c = later(200, DO_WRITE, p[1]);
	CHECK(syscall(SYS_ppoll, &f, 1, &ts, NULL, 8) == 1);
	CHECK(ts.tv_sec <= 4 && ts.tv_sec >= 1);
	CHECK(reap(c) == 0);
	char ch;
	CHECK(read(p[0], &ch, 1) == 1);
	ts = (struct timespec){0, 50000000};
	CHECK(syscall(SYS_ppoll, &f, 1, &ts, NULL, 8) == 0);
	CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0);
	ts = (struct timespec){3, 0}; /* ready at once: most of it left */
	CHECK(write(p[1], "y", 1) == 1);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	CHECK(syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &ts, NULL) == 1);
	CHECK((ts.tv_sec == 2 || ts.tv_sec == 1) && ts.tv_nsec < 1000000000);
	close(p[0]);
	close(p[1]);
}

/* An alarm's handler ends every call with EINTR, SA_RESTART or not. */
static void
t_eintr(void)
{
	int p[2];
	struct itimerval it = {{0, 0}, {0, 100000}};
	CHECK(pipe(p) == 0);
	catch_with(SIGALRM, SA_RESTART);
	struct pollfd f = {p[0], POLLIN, 0x7fff};
	got = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	ERR(poll(&f, 1, -1), EINTR);
	CHECK(got == 1 && f.revents == 0);
	setitimer(ITIMER_REAL, &it, NULL);
	ERR(poll(&f, 1, 10000), EINTR);
	CHECK(got == 2);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	struct timeval tv = {5, 0};
	setitimer(ITIMER_REAL, &it, NULL);
	ERR(sys_select(p[0] + 1, &r, NULL, NULL, &tv), EINTR);
	CHECK(got == 3 && FD_ISSET(p[0], &r));	 /* sets left alone */
	CHECK(tv.tv_sec >= 3 && tv.tv_sec <= 4); /* the time left */
	setitimer(ITIMER_REAL, &it, NULL);
	ERR(select(p[0] + 1, &r, NULL, NULL, NULL), EINTR);
	struct timespec ts = {5, 0};
	setitimer(ITIMER_REAL, &it, NULL);
	ERR(ppoll(&f, 1, NULL, NULL), EINTR);
	setitimer(ITIMER_REAL, &it, NULL);
	ERR(pselect(p[0] + 1, &r, NULL, NULL, &ts, NULL), EINTR);
	CHECK(got == 6);
	signal(SIGALRM, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

/* ppoll's and pselect6's mask holds for the call only. */
static void
t_masks(void)
{
	int p[2];
	sigset_t usr1, none, cur;
	struct timespec ts = {2, 0}, zero = {0, 0};
	CHECK(pipe(p) == 0);
	sigemptyset(&none);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	catch_with(SIGUSR1, 0);
	struct pollfd f = {p[0], POLLIN, 0};

	/* pending and blocked; the call's mask lets it in: EINTR at once,
	 * the handler runs with it blocked, the old mask comes back */
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	got = 0;
	raise(SIGUSR1);
	long t0 = now_ms();
	ERR(ppoll(&f, 1, &ts, &none), EINTR);
	CHECK(got == 1 && blocked_inside && now_ms() - t0 < 1000);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(sigismember(&cur, SIGUSR1));
	raise(SIGUSR1); /* even with no time to wait */
	ERR(ppoll(&f, 1, &zero, &none), EINTR);
	CHECK(got == 2);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	raise(SIGUSR1);
	ERR(pselect(p[0] + 1, &r, NULL, NULL, &ts, &none), EINTR);
	CHECK(got == 3);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(sigismember(&cur, SIGUSR1));

	/* something ready wins: the mask is put back, the signal waits */
	CHECK(write(p[1], "r", 1) == 1);
	raise(SIGUSR1);
	CHECK(ppoll(&f, 1, &ts, &none) == 1 && got == 3);
	sigpending(&cur);
	CHECK(sigismember(&cur, SIGUSR1));
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	CHECK(got == 4);
	char c;
	CHECK(read(p[0], &c, 1) == 1);

	/* the call's mask blocks a signal that comes while it waits: it
	 * is answered by the write, and the handler runs after */
	pid_t s = later(50, DO_SIGNAL, -1);
	pid_t w = later(600, DO_WRITE, p[1]);
	CHECK(ppoll(&f, 1, NULL, &usr1) == 1 && f.revents == POLLIN);
	CHECK(got == 5);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(!sigismember(&cur, SIGUSR1));
	CHECK(reap(s) == 0 && reap(w) == 0);
	CHECK(read(p[0], &c, 1) == 1);
	/* ... the same with a timeout (answered by the deadline) */
	s = later(50, DO_SIGNAL, -1);
	ts = (struct timespec){0, 700000000};
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	CHECK(pselect(p[0] + 1, &r, NULL, NULL, &ts, &usr1) == 0);
	CHECK(got == 6);
	CHECK(reap(s) == 0);
	signal(SIGUSR1, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

/* A wait stopped and continued is made again (the call's mask kept
 * right); one killed leaves nothing behind. */
static void
t_stop(void)
{
	int p[2], st;
	CHECK(pipe(p) == 0);
	pid_t c = fork();
	if (!c) {
		sigset_t usr2, cur;
		struct pollfd f = {p[0], POLLIN, 0};
		sigemptyset(&usr2);
		sigaddset(&usr2, SIGUSR2);
		int r = ppoll(&f, 1, NULL, &usr2);
		sigprocmask(SIG_BLOCK, NULL, &cur);
		_exit(r == 1 && f.revents == POLLIN &&
			      !sigismember(&cur, SIGUSR2)
			  ? 0
			  : 1);
	}
	nap_ms(100);
	CHECK(kill(c, SIGSTOP) == 0);
	CHECK(waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st));
	CHECK(kill(c, SIGCONT) == 0);
	nap_ms(100);
	CHECK(write(p[1], "s", 1) == 1);
	CHECK(reap(c) == 0);
	char ch;
	CHECK(read(p[0], &ch, 1) == 1);

	c = fork();
	if (!c) {
		struct pollfd f = {p[0], POLLIN, 0};
		poll(&f, 1, -1);
		_exit(1);
	}
	nap_ms(100);
	CHECK(kill(c, SIGKILL) == 0);
	st = reap(c);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	close(p[0]);
	close(p[1]);
}

static void
t_errors(void)
{
	int p[2];
	struct rlimit rl, low;
	struct pollfd f[17];
	struct timespec ts;
	fd_set r;
	uint64_t mask = 0;
	CHECK(pipe(p) == 0);
	for (unsigned i = 0; i < 17; i++)
		f[i] = (struct pollfd){-1, POLLIN, 0};
	ERR(poll(NULL, 1, 0), EFAULT);
	ERR(poll((void *)1, 1, 0), EFAULT);
	CHECK(poll(NULL, 0, 0) == 0);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	low = rl;
	low.rlim_cur = 16;
	CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
	ERR(poll(f, 17, 0), EINVAL); /* more than RLIMIT_NOFILE */
	CHECK(poll(f, 16, 0) == 0);
	ERR(ppoll(f, 17, NULL, NULL), EINVAL);
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);

	/* an array it cannot write back: after the scan */
	struct pollfd *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*ro = (struct pollfd){p[1], POLLOUT, 0};
	mprotect(ro, 4096, PROT_READ);
	ERR(poll(ro, 1, 0), EFAULT);
	munmap(ro, 4096);

	ts = (struct timespec){0, 1000000000};
	ERR(ppoll(f, 1, &ts, NULL), EINVAL);
	ts = (struct timespec){-1, 0};
	ERR(ppoll(f, 1, &ts, NULL), EINVAL);
	ERR(syscall(SYS_ppoll, f, 1, (void *)1, NULL, 8), EFAULT);
	ERR(syscall(SYS_ppoll, f, 1, NULL, &mask, 4), EINVAL);
	ERR(syscall(SYS_ppoll, f, 1, NULL, (void *)1, 8), EFAULT);

	FD_ZERO(&r);
	FD_SET(p[0], &r);
	struct timeval tv = {0, -1};
	ERR(sys_select(p[0] + 1, &r, NULL, NULL, &tv), EINVAL);
	tv = (struct timeval){-1, 0};
	ERR(sys_select(p[0] + 1, &r, NULL, NULL, &tv), EINVAL);
	tv = (struct timeval){0, 1500000}; /* carried: valid */
	FD_ZERO(&r);
	FD_SET(p[1], &r);
	CHECK(sys_select(p[1] + 1, NULL, &r, NULL, &tv) == 1);
	tv = (struct timeval){0, 0};
	ERR(sys_select(-1, NULL, NULL, NULL, &tv), EINVAL);
	ERR(sys_select(p[0] + 1, (void *)1, NULL, NULL, &tv), EFAULT);
	ERR(sys_select(p[0] + 1, &r, NULL, NULL, (void *)1), EFAULT);
	FD_ZERO(&r);
	FD_SET(40, &r); /* not open */
	ERR(sys_select(41, &r, NULL, NULL, &tv), EBADF);
	ERR(sys_select(41, NULL, NULL, &r, NULL), EBADF); /* no wait */
	ERR(syscall(SYS_pselect6, 41, &r, NULL, NULL, NULL, NULL), EBADF);
	ERR(syscall(SYS_pselect6, 1, NULL, NULL, NULL, NULL, (void *)1),
	    EFAULT);
	uint64_t pack[2] = {(uint64_t)(uintptr_t)&mask, 4};
	ERR(syscall(SYS_pselect6, 1, NULL, NULL, NULL, NULL, pack), EINVAL);
	ts = (struct timespec){0, -1};
	ERR(syscall(SYS_pselect6, 1, NULL, NULL, NULL, &ts, NULL), EINVAL);
	close(p[0]);
	close(p[1]);
}

/* The console scenario: poll, select and ppoll on standard input while
 * the scenario types (after a delay) "abc", "def", "ghi". */
static int
console(void)
{
	char buf[64];
	struct pollfd f = {0, POLLIN | POLLOUT, 0};
	setvbuf(stdout, NULL, _IONBF, 0);
	int r = poll(&f, 1, 0);
	printf("console: out %d revents %#x\n", r, f.revents);
	f.events = POLLIN;
	printf("console: timeout %d\n", poll(&f, 1, 500));
	printf("console: waiting\n");
	long t0 = now_ms();
	r = poll(&f, 1, 30000);
	ssize_t n = read(0, buf, sizeof buf);
	printf("console: poll %d revents %#x in %s read %.*s", r, f.revents,
	       now_ms() - t0 < 20000 ? "time" : "TOO LONG", (int)n, buf);
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(0, &rs);
	struct timeval tv = {30, 0};
	r = select(1, &rs, NULL, NULL, &tv);
	n = read(0, buf, sizeof buf);
	printf("console: select %d %s read %.*s", r,
	       FD_ISSET(0, &rs) ? "set" : "unset", (int)n, buf);
	r = ppoll(&f, 1, NULL, NULL);
	n = read(0, buf, sizeof buf);
	printf("console: ppoll %d read %.*s", r, (int)n, buf);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "console"))
		return console();
	setvbuf(stdout, NULL, _IONBF, 0);
	t_ready();
	t_hup_err();
	t_wakeups();
	t_waiting_writer();
	t_select();
	t_timeouts();
	t_eintr();
	t_masks();
	t_stop();
	t_errors();
	printf(T_NAME ": %d passed, %d failed\n", pass, fail);
	return fail != 0;
}
