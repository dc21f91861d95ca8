/*
 * t_sec.c - UX/RT's security model (docs/security.md), seen from a Linux
 * program: the mode bits as the fallback with no exception for any user
 * ID (0 included), the privileged surface (/priv: identity, clock,
 * power; mount; signalling another user's process) denied without an
 * entry, entries not inherited unless marked, inert setuid bits,
 * descriptors that cannot be forged, /proc/PID/mem readable by its
 * owner only, and ptrace: another user's process not traceable, a
 * traced process gaining no role.
 *
 * UX/RT only (on Linux, root and setuid behave the Unix way): its
 * scenario (tests/qemu/linux_t_sec.sh) starts it as init with the one
 * entry allowing it to take other user IDs (not inheritable), so that it can
 * make processes of other users and check what they may do. Run as
 * "t_sec" it is the test; run as "t_suid" (a setuid-root copy in the
 * image) it reports what it can do through its exit status.
 */
#define _GNU_SOURCE
#define T_NAME "t_sec"
#include "t.h"
#include <fcntl.h>
#include <stdint.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Run fn in a child as user uid: we take that ID (our entry allows it),
 * fork, and take ours back; the child has no entry. Its status. */
static int
as_user(uid_t uid, int (*fn)(void))
{
	int st = -1;
	uid_t me = getuid();
	if (setuid(uid))
		return 99;
	pid_t c = fork();
	if (c == 0)
		_exit(fn());
	if (setuid(me))
		return 98;
	waitpid(c, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

/* What no plain process may do: an exit status naming the first that
 * succeeded (0: all were denied as they should). */
static int
denied_everything(void)
{
	struct timeval tv = {1000, 0};
	struct timespec ts = {1000, 0};
	if (open("/etc/passwd", O_WRONLY) >= 0 || errno != EACCES)
		return 1;
	if (creat("/etc/x", 0644) >= 0 || errno != EACCES)
		return 2;
	if (unlink("/bin/busybox") == 0 || errno != EACCES)
		return 3;
	if (chmod("/etc/passwd", 0666) == 0 || errno != EPERM)
		return 4;
	if (setuid(getuid() ? 0 : 1000) == 0 || errno != EPERM)
		return 5; /* another ID */
	if (settimeofday(&tv, NULL) == 0 || errno != EPERM)
		return 6;
	if (clock_settime(CLOCK_REALTIME, &ts) == 0 || errno != EPERM)
		return 7;
	if (reboot(RB_POWER_OFF) == 0 || errno != EPERM)
		return 8;
	if (mount("none", "/mnt", "tmpfs", 0, NULL) == 0 || errno != EPERM)
		return 9;
	if (rename("/etc/passwd", "/tmp/passwd") == 0 || errno != EACCES)
		return 10;
	if (mkdir("/bin/d", 0755) == 0 || errno != EACCES)
		return 11;
	if (creat("/x", 0644) >= 0 || errno != EACCES)
		return 12; /* the root directory is the system's too */
	return 0;
}

static pid_t victim; /* a process of user 1000 */

static int
kill_victim(void)
{
	if (kill(victim, SIGTERM) == 0)
		return 1;
	if (errno != EPERM)
		return 2;
	if (syscall(SYS_tgkill, victim, victim, SIGTERM) == 0 || errno != EPERM)
		return 3;
	if (ptrace(PTRACE_ATTACH, victim, 0, 0) == 0 || errno != EPERM ||
	    ptrace(PTRACE_SEIZE, victim, 0, 0) == 0 || errno != EPERM)
		return 5; /* tracing is control too */
	return kill(victim, 0) == 0 || errno != EPERM ? 4 : 0;
}

static void
test_files(void)
{
	char buf[8];
	int fd = open("/etc/passwd", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, 4) == 4);
	close(fd);
	ERR(open("/etc/passwd", O_RDWR), EACCES);
	ERR(open("/etc/passwd", O_RDONLY | O_TRUNC), EACCES);
	CHECK(access("/etc/passwd", R_OK) == 0);
	ERR(access("/etc/passwd", W_OK), EACCES);
	CHECK(access("/bin/busybox", X_OK) == 0);
	ERR(creat("/x", 0644), EACCES);
	ERR(symlink("/a", "/etc/l"), EACCES);
	ERR(truncate("/etc/passwd", 0), EACCES);
	fd = open("/dev/tty", O_RDWR); /* no entry: its mode bits (0666) */
	CHECK(fd >= 0);
	close(fd);
	/* the owner is no exception to mode 000 */
	fd = open("/tmp/t_sec.0", O_WRONLY | O_CREAT | O_TRUNC, 0000);
	CHECK(fd >= 0); /* its maker may use what it made */
	close(fd);
	ERR(open("/tmp/t_sec.0", O_RDONLY), EACCES);
	CHECK(chmod("/tmp/t_sec.0", 0600) == 0); /* but controls it */
	fd = open("/tmp/t_sec.0", O_RDONLY);
	CHECK(fd >= 0);
	ERR(ftruncate(fd, 0), EINVAL); /* not open for writing */
	close(fd);
	/* not executable: no run, whatever the content */
	fd = open("/tmp/t_sec.sh", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(write(fd, "#!/bin/sh\nexit 0\n", 17) == 17);
	close(fd);
	char *argv[] = {"t_sec.sh", NULL};
	ERR(execv("/tmp/t_sec.sh", argv), EACCES);
	/* search permission on a directory */
	CHECK(mkdir("/tmp/t_sec.d", 0700) == 0);
	CHECK(close(open("/tmp/t_sec.d/f", O_CREAT | O_WRONLY, 0644)) == 0);
	CHECK(chmod("/tmp/t_sec.d", 0600) == 0);
	ERR(open("/tmp/t_sec.d/f", O_RDONLY), EACCES);
	CHECK(chmod("/tmp/t_sec.d", 0700) == 0);
	/* giving a file away needs an entry, not ownership */
	ERR(chown("/tmp/t_sec.0", 1001, -1), EPERM);
	CHECK(chown("/tmp/t_sec.0", getuid(), getgid()) == 0);
	unlink("/tmp/t_sec.d/f");
	rmdir("/tmp/t_sec.d");
	unlink("/tmp/t_sec.sh");
}

static int
sticky(void)
{
	/* /tmp is sticky: another user's file there is not ours to remove */
	if (unlink("/tmp/t_sec.0") == 0)
		return 1;
	return errno == EPERM ? 0 : 2;
}

static void
test_users(void)
{
	struct stat st;
	/* our entry lets us take other IDs; it is not inherited */
	CHECK(as_user(1001, denied_everything) == 0);
	CHECK(as_user(0, denied_everything) == 0); /* ID 0: no exception */
	CHECK(as_user(1001, sticky) == 0);
	victim = fork();
	if (victim == 0)
		for (;;)
			pause();
	CHECK(as_user(1001, kill_victim) == 0);
	CHECK(as_user(0, kill_victim) == 0);
	CHECK(kill(victim, SIGKILL) == 0); /* ours: same user */
	waitpid(victim, NULL, 0);
	/* the setuid-root copy: its bits are shown and do nothing */
	CHECK(stat("/bin/t_suid", &st) == 0 && (st.st_mode & 07777) == 04755 &&
	      st.st_uid == 0);
	int s = -1;
	pid_t c = fork();
	if (c == 0) {
		char *argv[] = {"t_suid", NULL};
		execv("/bin/t_suid", argv);
		_exit(98);
	}
	waitpid(c, &s, 0);
	CHECK(WIFEXITED(s) && WEXITSTATUS(s) == 0);
}

/* A descriptor is only ever what was opened: any other number is EBADF,
 * whether or not its slot number is in range. */
static void
test_forging(void)
{
	char b;
	int bad = 0;
	for (int fd = 3; fd < 1100; fd++)
		if (write(fd, "x", 1) != -1 || errno != EBADF ||
		    read(fd, &b, 1) != -1 || errno != EBADF)
			bad++;
	CHECK(bad == 0);
}

static const uint64_t secret = 0x5ec2e7c0ffee1234ull;

/* Another user's memory through /proc/PID/mem: refused at open. */
static int
peek_victim(void)
{
	char path[32];
	snprintf(path, sizeof path, "/proc/%d/mem", (int)victim);
	if (open(path, O_RDONLY) >= 0)
		return 1;
	return errno == EACCES ? 0 : 2;
}

static void
test_mem(void)
{
	uint64_t v = 0;
	int fd = open("/proc/self/mem", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(pread(fd, &v, 8, (off_t)(uintptr_t)&secret) == 8 && v == secret);
	ERR(pread(fd, &v, 8, 4096), EIO); /* nothing there */
	close(fd);
	ERR(open("/proc/self/mem", O_RDWR), EACCES); /* read only */
	victim = fork();
	if (victim == 0)
		for (;;)
			pause();
	CHECK(as_user(1001, peek_victim) == 0);
	kill(victim, SIGKILL);
	waitpid(victim, NULL, 0);
}

/* ptrace: a traced process gains no role, neither at execve (the
 * database's program rule for cat) nor through /proc/self/roles: its
 * tracer would act through it. */
static int
take_demo(void)
{
	int fd = open("/proc/self/roles", O_WRONLY);
	if (fd >= 0 && write(fd, "demo\n", 5) == 5)
		return 0;
	return errno == EPERM ? 1 : 2;
}

static int
cat_roles(void)
{
	int fd = open("/tmp/t_sec.roles", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || dup2(fd, 1) < 0)
		return 80;
	execl("/bin/cat", "cat", "/proc/self/roles", (char *)NULL);
	return 81;
}

static int
showed_probe(void)
{
	char b[256] = {0};
	int fd = open("/tmp/t_sec.roles", O_RDONLY);
	if (fd < 0 || read(fd, b, sizeof b - 1) < 0)
		return -1;
	close(fd);
	return strstr(b, "roles: probe") != NULL;
}

/* fn in a child, traced by us (every stop continued) if trace; its
 * exit status. */
static int
run_child(int trace, int (*fn)(void))
{
	int st = 0;
	pid_t c = fork();
	if (c == 0) {
		if (trace && (ptrace(PTRACE_TRACEME, 0, 0, 0) ||
			      kill(getpid(), SIGSTOP)))
			_exit(90);
		_exit(fn());
	}
	while (waitpid(c, &st, 0) == c && WIFSTOPPED(st))
		ptrace(PTRACE_CONT, c, 0, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
}

static void
test_ptrace(void)
{
	CHECK(run_child(0, take_demo) == 0);
	CHECK(run_child(1, take_demo) == 1); /* traced: EPERM */
	CHECK(run_child(0, cat_roles) == 0 && showed_probe() == 1);
	CHECK(run_child(1, cat_roles) == 0 && showed_probe() == 0);
	unlink("/tmp/t_sec.roles");
}

/* What the entries of linux_t_sec_granted.sh allow (the clock, power
 * is left alone, mounts on /mnt, control of any process, all of /etc
 * for us alone): an exit status naming the first that failed (0: all
 * worked); with only the inheritable ones, the /etc writes must fail. */
static int
granted(int inherited)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	if (settimeofday(&tv, NULL))
		return 1;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (clock_settime(CLOCK_REALTIME, &ts))
		return 2;
	if (mount("none", "/mnt", "tmpfs", 0, NULL) || umount("/mnt"))
		return 3;
	int fd = open("/etc/hostname", O_WRONLY | O_APPEND);
	if (inherited ? fd >= 0 || errno != EACCES : fd < 0)
		return 4;
	close(fd);
	if (inherited ? chmod("/etc/hostname", 0644) == 0 || errno != EPERM
		      : chmod("/etc/hostname", 0644) != 0)
		return 5;
	if (setuid(getuid()))
		return 6;
	/* the more specific deny beats the allow of all of /priv */
	if (reboot(RB_POWER_OFF) == 0 || errno != EPERM)
		return 7;
	return 0;
}

static int granted_child(void) { return granted(1); }

static int
kill_victim_granted(void)
{
	if (ptrace(PTRACE_SEIZE, victim, 0, 0))
		return 2; /* tracing another user's: allowed too */
	return kill(victim, SIGKILL) ? 1 : 0; /* another user's: allowed */
}

/* linux_t_sec_granted.sh: the same operations succeed with entries
 * that allow them, and only the inheritable entries reach a child. */
static void
test_granted(void)
{
	CHECK(granted(0) == 0);
	CHECK(as_user(1001, granted_child) == 0);
	victim = fork();
	if (victim == 0)
		for (;;)
			pause();
	CHECK(as_user(1001, kill_victim_granted) == 0);
	int st = 0;
	CHECK(waitpid(victim, &st, 0) == victim && WIFSIGNALED(st) &&
	      WTERMSIG(st) == SIGKILL);
	/* a server's port the entries deny: its endpoint is not handed out
	 * (our own descriptors 0-2, opened before, stay) */
	ERR(open("/ports/console", O_RDWR), EACCES);
	CHECK(write(1, "", 0) == 0);
	/* its other names open the same port: the entry holds there too */
	ERR(open("/dev/console", O_RDWR), EACCES);
	ERR(open("/dev/tty", O_WRONLY), EACCES);
	ERR(open("/dev/ttyS0", O_RDONLY), EACCES);
	/* and through another mount of the ports file system */
	CHECK(mount("none", "/mnt", "ports", 0, NULL) == 0);
	ERR(open("/mnt/console", O_RDWR), EACCES);
	CHECK(umount("/mnt") == 0);
	ERR(ptrace(PTRACE_SEIZE, 1, 0, 0), EPERM); /* a server: never traced */
	int fd = open("/proc/1/mem", O_RDONLY); /* a server's: never */
	char b;
	CHECK(fd < 0 || (read(fd, &b, 1) == -1 && errno == EACCES));
	if (fd >= 0)
		close(fd);
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(argv[0], "t_suid")) /* run as the setuid-root copy */
		return geteuid() != 0 && getuid() != 0 ? denied_everything() : 50;
	if (argc > 1 && !strcmp(argv[1], "granted")) {
		test_granted();
		printf(T_NAME ": %d passed, %d failed\n", pass, fail);
		return fail != 0;
	}
	CHECK(getuid() == 1000 && geteuid() == 1000);
	test_files();
	test_users();
	test_forging();
	test_mem();
	test_ptrace();
	CHECK(unshare(CLONE_NEWNS) == 0); /* harmless: mounts still checked */
	/* pipes: one user gets at most 24 of the 32, the rest are kept */
	int p[2], made = 0, last[2] = {-1, -1};
	while (made < 40 && pipe(p) == 0)
		made++, last[0] = p[0], last[1] = p[1];
	CHECK(made == 24 && errno == ENFILE);
	for (int fd = 3; fd <= last[1]; fd++)
		close(fd);
	unlink("/tmp/t_sec.0");
	printf(T_NAME ": %d passed, %d failed\n", pass, fail);
	return fail != 0;
}
