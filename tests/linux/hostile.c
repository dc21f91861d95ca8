/*
 * hostile.c - a Linux program that attacks the process server: children
 * make thousands of random system calls with hostile arguments (bad and
 * kernel pointers, huge lengths, random descriptors), then a fork bomb.
 * The process server must survive both, stop the bomb at its limit and
 * keep answering. Calls that would just wait forever (reads of the
 * console, sleeps, waits) and exits are left out of the random mix.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static uint64_t seed = 88172645463325252ull;
static char buf[8192];

static uint64_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static uint64_t
arg(void)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 64, 4096, 0x7fffffff, 0xffffffff, ~0ull,
		0xffff800000000000ull, 0xffffffff80100000ull, 0x400000,
		1ull << 47, (1ull << 47) - 1, 0x1000, 100, 1023, 1024};
	switch (rnd() % 4) {
	case 0: return (uint64_t)buf + rnd() % sizeof buf;
	case 1: return rnd();
	default: return v[rnd() % (sizeof v / sizeof v[0])];
	}
}

static int
excluded(long nr)
{
	static const long no[] = {
		SYS_read, SYS_readv, SYS_pread64, SYS_preadv, SYS_poll,
		SYS_select, SYS_pselect6, SYS_ppoll, SYS_pause, SYS_nanosleep,
		SYS_clock_nanosleep, SYS_wait4, SYS_waitid, SYS_exit,
		SYS_exit_group, SYS_fork, SYS_vfork, SYS_clone, SYS_write,
		SYS_writev, SYS_pwrite64, SYS_kill, SYS_tkill, SYS_tgkill,
		SYS_rt_sigsuspend, SYS_execve, SYS_execveat};
	for (unsigned i = 0; i < sizeof no / sizeof no[0]; i++)
		if (no[i] == nr)
			return 1;
	return 0;
}

static void
attack(unsigned calls)
{
	for (unsigned i = 0; i < calls; i++) {
		long nr = (long)(rnd() % 335);
		if (excluded(nr))
			continue;
		syscall(nr, arg(), arg(), arg(), arg(), arg(), arg());
	}
	_exit(0);
}

int
main(void)
{
	struct termios saved;
	struct utsname u;
	int st, n = 0;

	tcgetattr(0, &saved);
	for (int round = 0; round < 8; round++) {
		pid_t c = fork();
		if (c == 0) {
			seed += (uint64_t)round * 7919;
			attack(3000);
		}
		if (c < 0 || waitpid(c, &st, 0) != c) {
			printf("hostile: round %d: fork/wait failed: %s\n", round,
			       strerror(errno));
			return 1;
		}
		printf("hostile: round %d: child %s %d\n", round,
		       WIFEXITED(st) ? "exited with" : "killed by signal",
		       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	}
	tcsetattr(0, TCSANOW, &saved);
	for (;;) { /* a fork bomb: children exit at once, nobody reaps yet */
		pid_t c = fork();
		if (c < 0)
			break;
		if (c == 0)
			_exit(0);
		n++;
	}
	printf("hostile: fork bomb stopped at %d children: %s\n", n,
	       strerror(errno));
	while (waitpid(-1, &st, 0) > 0)
		n--;
	if (n || uname(&u) || getpid() <= 0) {
		printf("hostile: after the attacks the system misbehaves\n");
		return 1;
	}
	printf("hostile: survived; %s still answers\n", u.sysname);
	return 0;
}
