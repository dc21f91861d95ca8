/*
 * t_quota.c - limits: RLIMIT_NOFILE, RLIMIT_AS and RLIMIT_NPROC with
 * Linux's error codes (each in a child, as limits only go down); the
 * same binary passes on Linux (as root it first becomes uid 1000: root
 * is exempt from RLIMIT_NPROC there, and no one is on UX/RT).
 *
 * "t_quota tree" checks UX/RT's per-tree limits instead, with the
 * program rule of rootfs/etc/quotas (tasks 12, memory 24M, files 40):
 * forks until EAGAIN (exactly 11 children), opens until EMFILE, and a
 * child touching memory is killed (SIGKILL) near 24 MiB.
 * "t_quota hog" touches memory until it is killed, printing each MiB.
 * "t_quota other" starts a bystander of another user for the quota
 * scenario (it needs the identity entry: run through chpriv admin).
 * "t_quota files" (also through chpriv admin) checks that tmpfs data is
 * charged to its owner: as user 1002 (rootfs/etc/quotas: memory 8M).
 */
#define _GNU_SOURCE
#define T_NAME "t_quota"
#include "t.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run fn in a child; its passes, or its failures, come back as its
 * status. */
static void
in_child(void (*fn)(void))
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		pass = fail = 0;
		fn();
		fflush(stdout);
		_exit(fail ? 200 + (fail < 50 ? fail : 50) : pass);
	}
	int st = 0;
	CHECK(c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st));
	if (WIFEXITED(st) && WEXITSTATUS(st) < 200)
		pass += WEXITSTATUS(st);
	else if (WIFEXITED(st))
		fail += WEXITSTATUS(st) - 200;
}

/* A fork works (and its child is reaped). */
static int
fork_ok(void)
{
	int st;
	pid_t c = fork();
	if (c == 0)
		_exit(7);
	return c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) &&
	       WEXITSTATUS(st) == 7;
}

/* Children that wait (on the read end of p) until p's write end
 * closes, made until fork fails: how many. */
static int
sleepers(int p[2], pid_t *kids, int max)
{
	int n = 0;
	for (; n < max; n++) {
		pid_t c = fork();
		if (c < 0)
			break;
		if (c == 0) {
			char b;
			close(p[1]);
			while (read(p[0], &b, 1) > 0)
				;
			_exit(0);
		}
		kids[n] = c;
	}
	return n;
}

static void
end_sleepers(int p[2], pid_t *kids, int n)
{
	close(p[1]);
	close(p[0]);
	for (int i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
}

/* Touch memory a MiB at a time, forever (until killed); each MiB's
 * number goes to fd. */
static int
hog_to(int fd)
{
	size_t mb = 1 << 20;
	for (int n = 1;; n++) {
		char *m = mmap(NULL, mb, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return 2;
		for (size_t o = 0; o < mb; o += 4096)
			m[o] = 1;
		if (fd >= 0)
			write(fd, &n, sizeof n);
		else if (n % 16 == 0)
			printf("hog: %d MiB\n", n), fflush(stdout);
	}
}

static int
hog(void)
{
	return hog_to(-1);
}

static void
nofile(void)
{
	struct rlimit r = {8, 8};
	CHECK(setrlimit(RLIMIT_NOFILE, &r) == 0);
	int fd, n = 0, last = -1;
	while ((fd = open("/dev/null", O_RDONLY)) >= 0)
		last = fd, n++;
	CHECK(errno == EMFILE);
	CHECK(last == 7); /* 0..7 */
	ERR(dup(0), EMFILE);
	int p[2];
	ERR(pipe(p), EMFILE);
	ERR(dup2(0, 8), EBADF);
	ERR(dup3(0, 9, 0), EBADF);
	ERR(fcntl(0, F_DUPFD, 8), EINVAL);
	CHECK(dup2(0, 7) == 7); /* replacing one below the limit */
	CHECK(close(7) == 0);
	CHECK(open("/dev/null", O_RDONLY) == 7);
	r.rlim_cur = r.rlim_max = 16;
	ERR(setrlimit(RLIMIT_NOFILE, &r), EPERM); /* the hard limit went down */
}

static void
as(void)
{
	size_t mb = 1 << 20;
	struct rlimit r = {64 * mb, 64 * mb};
	CHECK(setrlimit(RLIMIT_AS, &r) == 0);
	void *m = mmap(NULL, 128 * mb, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m == MAP_FAILED && errno == ENOMEM);
	/* MAP_NORESERVE counts too: it is address space */
	m = mmap(NULL, 128 * mb, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_NORESERVE, -1, 0);
	CHECK(m == MAP_FAILED && errno == ENOMEM);
	int n = 0;
	while (n < 64 && mmap(NULL, 4 * mb, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED)
		n++;
	CHECK(errno == ENOMEM);
	CHECK(n >= 8 && n < 16); /* 64 MiB less what the program has */
	errno = 0;
	CHECK(sbrk(8 * mb) == (void *)-1 && errno == ENOMEM);
	CHECK(malloc(16 * mb) == NULL);
}

static void *
nothing(void *a)
{
	return a;
}

static void
nproc(void)
{
	if (getuid() == 0)
		CHECK(setgid(1000) == 0 && setuid(1000) == 0);
	else
		CHECK(1);
	struct rlimit r = {6, 6};
	CHECK(setrlimit(RLIMIT_NPROC, &r) == 0);
	int p[2];
	CHECK(pipe(p) == 0);
	pid_t kids[8];
	int n = sleepers(p, kids, 8);
	CHECK(n >= 1 && n < 6);
	CHECK(errno == EAGAIN);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, nothing, NULL) == EAGAIN); /* threads too */
	end_sleepers(p, kids, n);
	CHECK(fork_ok());
}

/* UX/RT's tree limits (rootfs/etc/quotas: tasks 12 memory 24M files 40). */
static void
tree(void)
{
	int p[2];
	pid_t kids[40];
	CHECK(pipe(p) == 0);
	int n = sleepers(p, kids, 40);
	CHECK(errno == EAGAIN);
	CHECK(n == 11); /* with this process, the tree's 12 */
	end_sleepers(p, kids, n);
	CHECK(fork_ok());

	int open_now = 0, k = 0;
	for (int fd = 0; fd < 64; fd++)
		open_now += fcntl(fd, F_GETFD) >= 0;
	int fds[64];
	while (k < 64 && (fds[k] = open("/dev/null", O_RDONLY)) >= 0)
		k++;
	CHECK(errno == EMFILE);
	CHECK(open_now + k == 40);
	ERR(dup(0), EMFILE);
	ERR(pipe(p), EMFILE);
	while (k)
		close(fds[--k]);

	CHECK(pipe(p) == 0);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		close(p[0]);
		_exit(hog_to(p[1]));
	}
	close(p[1]);
	int mib = 0, st = 0;
	while (read(p[0], &mib, sizeof mib) == sizeof mib)
		;
	close(p[0]);
	CHECK(c > 0 && waitpid(c, &st, 0) == c);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CHECK(mib >= 12 && mib < 24);
	printf("t_quota: the hog reached %d MiB\n", mib);
	CHECK(fork_ok());
}

/* Write n bytes to a new file path (mode 0644): what was written (short
 * at an error, errno kept). */
static long
fill(const char *path, long n)
{
	static char block[65536];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long done = 0, w = 0;
	if (fd < 0)
		return -1;
	memset(block, 'q', sizeof block);
	while (done < n && (w = write(fd, block, sizeof block)) > 0)
		done += w;
	int e = errno;
	close(fd);
	errno = e;
	return done;
}

/* tmpfs pages are their owner's: user 1002 fills /tmp up to its 8 MiB
 * (less what the process itself holds) and gets EDQUOT; removing files
 * gives the memory back; chown moves a file's charge both ways. */
static void
files_1002(void)
{
	char path[32];
	long total = 0, w = 0;
	int n = 0;
	CHECK(setresgid(1002, 1002, 1002) == 0);
	CHECK(setresuid(1002, 1002, 1002) == 0);
	errno = 0;
	while (n < 16) {
		snprintf(path, sizeof path, "/tmp/q.%d", n++);
		w = fill(path, 1 << 20);
		total += w;
		if (w < 1 << 20)
			break;
	}
	CHECK(w >= 0 && errno == EDQUOT);
	CHECK(total >= 4 << 20 && total < 8 << 20);
	ERR(write(open("/tmp/q.more", O_WRONLY | O_CREAT, 0644), "x", 1),
	    EDQUOT);
	/* at the limit this process may not grow either: make room first */
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "/tmp/q.%d", i);
		CHECK(unlink(path) == 0);
	}
	printf("t_quota: user 1002 wrote %ld KiB of tmpfs\n", total >> 10);
	CHECK(fill("/tmp/q.back", 2 << 20) == 2 << 20); /* given back */
	CHECK(chown("/tmp/q.back", 1000, 1000) == 0);
	/* 1 MiB was left: 2 more fit only if the chown took q.back's away */
	CHECK(fill("/tmp/q.moved", 2 << 20) == 2 << 20);
	CHECK(chown("/tmp/q.back", 1002, 1002) == 0); /* over, by 1 MiB */
	ERR(write(open("/tmp/q.more", O_WRONLY), "x", 1), EDQUOT);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof path, "/tmp/q.%d", i);
		unlink(path);
	}
	unlink("/tmp/q.back");
	unlink("/tmp/q.moved");
	unlink("/tmp/q.more");
}

/* A process of user 1001 that, every second for five minutes, forks and
 * reaps a child, saying so when it cannot: another user's work that a
 * fork bomb must not stop. Its pid goes to /tmp/other.pid. */
static int
other(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return perror("t_quota: fork"), 1;
	if (pid) {
		FILE *f = fopen("/tmp/other.pid", "w");
		if (!f || fprintf(f, "%d\n", pid) < 0 || fclose(f))
			return perror("t_quota: /tmp/other.pid"), 1;
		return 0;
	}
	if (setresgid(1001, 1001, 1001) || setresuid(1001, 1001, 1001)) {
		perror("t_quota: other: becoming user 1001");
		_exit(1);
	}
	for (int i = 0; i < 300; i++) {
		sleep(1);
		pid_t c = fork();
		if (!c)
			_exit(0);
		if (c < 0)
			printf("t_quota: other: fork failed: %s\n",
			       strerror(errno)), fflush(stdout);
		else
			waitpid(c, NULL, 0);
	}
	_exit(0);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "hog"))
		return hog();
	if (argc > 1 && !strcmp(argv[1], "other"))
		return other();
	if (argc > 1 && !strcmp(argv[1], "files")) {
		in_child(files_1002);
		printf("t_quota: %d passed, %d failed\n", pass, fail);
		return fail != 0;
	}
	if (argc > 1 && !strcmp(argv[1], "tree")) {
		tree();
	} else {
		in_child(nofile);
		in_child(as);
		in_child(nproc);
	}
	printf("t_quota: %d passed, %d failed\n", pass, fail);
	return fail != 0;
}
