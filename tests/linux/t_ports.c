/*
 * t_ports.c - open files of a server's port (docs/writing-a-server.md,
 * uxrt/ps.h), seen from a Linux program through the whoami server
 * (servers/whoami), which answers each open file with who opened it:
 * every open has a badge of its own, the server learns the opener's
 * pid, IDs and flags (F_SETFL's too), fork and dup share the open file,
 * its last close (close, exit, exec of a close-on-exec descriptor) is
 * told to the server, and the server could not publish a name its
 * permission list does not allow (nor could the console: its list is
 * the one entry it needs).
 *
 * UX/RT only (Linux has no /ports): its scenario
 * (tests/qemu/linux_t_ports.sh) starts the server with server=whoami and
 * this program as init. Run as "t_ports exec FD BADGE CLOEXEC-FD
 * CLOEXEC-BADGE" it is the program a child execs, and reports through
 * its exit status.
 */
#define _GNU_SOURCE
#define T_NAME "t_ports"
#include "t.h"
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PORT "/ports/whoami"

/* One line of the server's, parsed. */
struct who {
	unsigned long badge, last;
	int pid;
	unsigned uid, gid, flags, opens, closes;
	long refused;
	char note[16];
};

static int
who(int fd, struct who *w)
{
	char b[256];
	ssize_t n = pread(fd, b, sizeof b - 1, 0);
	if (n <= 0)
		return -1;
	b[n] = '\0';
	return sscanf(b,
		      "badge %lx pid %d uid %u gid %u flags %o note %15s opens "
		      "%u closes %u last %lx refused %ld",
		      &w->badge, &w->pid, &w->uid, &w->gid, &w->flags, w->note,
		      &w->opens, &w->closes, &w->last, &w->refused) == 10
		   ? 0
		   : -1;
}

/* The server hears of a close through a notification: it may take a
 * moment. Whether badge was closed last, seen through fd. */
static int
closed_last(int fd, unsigned long badge)
{
	struct who w;
	for (int i = 0; i < 200; i++) {
		if (!who(fd, &w) && w.last == badge)
			return 1;
		sched_yield();
	}
	return 0;
}

/* Run as the exec'd program: fd (badge) survived the exec, cfd (its
 * badge cbadge) was close-on-exec and the server saw it closed. */
static int
exec_side(char **argv)
{
	int fd = atoi(argv[2]), cfd = atoi(argv[4]);
	unsigned long badge = strtoul(argv[3], NULL, 0);
	unsigned long cbadge = strtoul(argv[5], NULL, 0);
	struct who w;
	if (who(fd, &w) || w.badge != badge)
		return 1;
	if (fcntl(cfd, F_GETFD) != -1 || errno != EBADF)
		return 2;
	return closed_last(fd, cbadge) ? 0 : 3;
}

static void
test_open(void)
{
	struct who a, b, d;
	struct stat st;
	char link[64] = {0};
	int fa = open(PORT, O_RDWR), fb = open(PORT, O_RDONLY | O_NONBLOCK);
	CHECK(fa >= 0 && fb >= 0);
	CHECK(who(fa, &a) == 0 && who(fb, &b) == 0);
	/* who opened it, as the server sees it */
	CHECK(a.pid == getpid() && a.uid == getuid() && a.gid == getgid());
	CHECK(a.flags == O_RDWR && b.flags == (O_RDONLY | O_NONBLOCK));
	CHECK(a.badge >> 48 == 7); /* the tag the server published with */
	CHECK(a.badge != b.badge); /* an open file each */
	CHECK(!strcmp(a.note, "-"));
	CHECK(a.refused == -EACCES); /* whoami2: not on its list */
	ERR(open("/ports/whoami2", O_RDONLY), ENOENT);
	CHECK((fcntl(fb, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) ==
	      (O_RDONLY | O_NONBLOCK));
	CHECK(fstat(fa, &st) == 0 && S_ISCHR(st.st_mode));
	snprintf(link, sizeof link, "/proc/self/fd/%d", fa);
	char target[64] = {0};
	CHECK(readlink(link, target, sizeof target - 1) > 0 &&
	      !strcmp(target, PORT));
	/* state of its own per open file */
	CHECK(write(fa, "alpha", 5) == 5);
	CHECK(who(fa, &a) == 0 && !strcmp(a.note, "alpha"));
	CHECK(who(fb, &b) == 0 && !strcmp(b.note, "-"));
	/* dup shares the open file: the badge, the status flags */
	int fd = dup(fa);
	CHECK(who(fd, &d) == 0 && d.badge == a.badge &&
	      !strcmp(d.note, "alpha"));
	CHECK(fcntl(fd, F_SETFL, O_NONBLOCK) == 0);
	CHECK(who(fa, &a) == 0 && a.flags == (O_RDWR | O_NONBLOCK));
	CHECK(fcntl(fa, F_GETFL) & O_NONBLOCK);
	CHECK(fcntl(fa, F_SETFL, 0) == 0 && who(fd, &d) == 0 &&
	      d.flags == O_RDWR);
	/* the last descriptor's close, not the first, closes it */
	unsigned long ba = a.badge;
	close(fa);
	for (int i = 0; i < 20; i++)
		sched_yield();
	CHECK(who(fb, &b) == 0 && b.last != ba);
	CHECK(who(fd, &d) == 0 && d.badge == ba);
	close(fd);
	CHECK(closed_last(fb, ba));
	close(fb);
}

/* fork shares the open file; a child's own open is its; its exit
 * closes what it alone held. */
static void
test_fork(void)
{
	struct who a, c;
	int p[2], st = -1;
	int fa = open(PORT, O_RDWR);
	CHECK(fa >= 0 && who(fa, &a) == 0 && pipe(p) == 0);
	pid_t k = fork();
	if (k == 0) {
		struct who x, y;
		int fc = open(PORT, O_WRONLY);
		if (who(fa, &x) || x.badge != a.badge || x.pid != a.pid)
			_exit(1);
		if (fc < 0 || who(fc, &y) || y.pid != getpid() ||
		    y.badge == a.badge || y.flags != O_WRONLY)
			_exit(2);
		if (write(p[1], &y.badge, sizeof y.badge) != sizeof y.badge)
			_exit(3);
		_exit(0); /* fc goes with it; fa stays the parent's */
	}
	unsigned long bc = 0;
	CHECK(read(p[0], &bc, sizeof bc) == sizeof bc);
	CHECK(waitpid(k, &st, 0) == k && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(closed_last(fa, bc));
	CHECK(who(fa, &c) == 0 && c.badge == a.badge);
	close(p[0]);
	close(p[1]);
	close(fa);
}

/* exec keeps a descriptor, closes a close-on-exec one: the open file
 * goes (and the server hears) when that was its last descriptor, not
 * when the parent shares it. */
static void
test_exec(void)
{
	struct who a, p, p2;
	int st = -1;
	int fa = open(PORT, O_RDWR), fp = open(PORT, O_RDWR | O_CLOEXEC);
	CHECK(who(fa, &a) == 0 && who(fp, &p) == 0);
	pid_t k = fork();
	if (k == 0) {
		char s1[16], s2[24], s3[16], s4[24];
		struct who c;
		int fc = open(PORT, O_RDWR | O_CLOEXEC);
		if (fc < 0 || who(fc, &c))
			_exit(8);
		snprintf(s1, sizeof s1, "%d", fa);
		snprintf(s2, sizeof s2, "%#lx", a.badge);
		snprintf(s3, sizeof s3, "%d", fc);
		snprintf(s4, sizeof s4, "%#lx", c.badge);
		execl("/bin/t_ports", "t_ports", "exec", s1, s2, s3, s4,
		      (char *)NULL);
		_exit(9);
	}
	CHECK(waitpid(k, &st, 0) == k && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* the child's copy of fp went at its exec; the open file stays */
	CHECK(who(fp, &p2) == 0 && p2.badge == p.badge && p2.last != p.badge);
	close(fa);
	close(fp);
}

/* Open files come and go: each its own badge, each closed once. */
static void
test_many(void)
{
	int fds[12];
	unsigned long badges[12];
	struct who w, first;
	int ok = 1;
	for (int i = 0; i < 12; i++) {
		fds[i] = open(PORT, O_RDONLY);
		ok &= fds[i] >= 0 && who(fds[i], &w) == 0;
		badges[i] = w.badge;
		for (int j = 0; j < i; j++)
			ok &= badges[j] != badges[i];
	}
	CHECK(ok);
	CHECK(who(fds[0], &first) == 0);
	for (int i = 1; i < 12; i++)
		close(fds[i]);
	CHECK(closed_last(fds[0], badges[11]));
	CHECK(who(fds[0], &w) == 0 && w.closes == first.closes + 11);
	close(fds[0]);
}

/* One user holds at most 96 of a server's 128 open files (ENFILE), so
 * that others can still open its ports. */
static void
test_reserve(void)
{
	int fds[48], n = 0, st = -1;
	for (int i = 0; i < 48; i++)
		n += (fds[i] = open(PORT, O_RDONLY)) >= 0;
	CHECK(n == 48);
	pid_t k = fork();
	if (k == 0) { /* a process of the same user: 48 more, then no */
		int got = 0;
		for (int i = 0; i < 48; i++)
			close(fds[i]); /* the open files stay: ours */
		while (got < 60 && open(PORT, O_RDONLY) >= 0)
			got++;
		_exit(got == 48 && errno == ENFILE ? 0 : 1);
	}
	CHECK(waitpid(k, &st, 0) == k && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (int i = 0; i < 48; i++)
		close(fds[i]);
	int fd = open(PORT, O_RDONLY); /* the child's went with it */
	CHECK(fd >= 0);
	close(fd);
}

/* The servers' permission lists: the one entry each needs. */
static void
test_lists(void)
{
	char path[64], comm[32], text[256];
	int found = 0;
	for (int pid = 1; pid < 8; pid++) {
		snprintf(path, sizeof path, "/proc/%d/comm", pid);
		int fd = open(path, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, comm, sizeof comm - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n <= 0)
			continue;
		comm[n] = '\0';
		const char *want = !strcmp(comm, "console\n")
				       ? "roles:\nallow c /ports/console\n"
				   : !strcmp(comm, "whoami\n")
				       ? "roles:\nallow c /ports/whoami\n"
				       : NULL;
		if (!want)
			continue;
		snprintf(path, sizeof path, "/proc/%d/roles", pid);
		fd = open(path, O_RDONLY);
		n = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
		if (fd >= 0)
			close(fd);
		text[n > 0 ? n : 0] = '\0';
		CHECK(!strcmp(text, want));
		found++;
	}
	CHECK(found == 2);
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 6 && !strcmp(argv[1], "exec"))
		return exec_side(argv);
	test_open();
	test_fork();
	test_exec();
	test_many();
	test_reserve();
	test_lists();
	printf(T_NAME ": %d passed, %d failed\n", pass, fail);
	return fail != 0;
}
