/*
 * t_at.c - readv/writev, the *at calls with directory descriptors, #!
 * scripts in execve, and /proc/self, with their Linux error codes. A
 * static musl program that runs on UX/RT and on Linux alike (the
 * expected results are Linux's for an ordinary user: run as root, it
 * first becomes nobody). Prints one line per failed check and ends with
 * "t_at: N passed, M failed".
 *
 * Run with first argument "-x y" it is the interpreter of its own test
 * scripts: it prints its arguments joined by '|' and exits.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define T_NAME "t_at"
#include "t.h"

static char self[256]; /* this program's path */

/* readv or writev as a raw system call; -999 if it changed a register
 * other than rax, rcx and r11 (Linux keeps them all). */
static long
raw_vec(long nr, int fd, struct iovec *iov, long cnt)
{
	long ret;
	register long r10 __asm__("r10") = 0x1234;
	uint64_t rsi = (uint64_t)iov, rdx = (uint64_t)cnt, rdi = (uint64_t)fd;
	uint64_t rsi0 = rsi, rdx0 = rdx, rdi0 = rdi;
	__asm__ volatile("syscall"
			 : "=a"(ret), "+S"(rsi), "+d"(rdx), "+D"(rdi), "+r"(r10)
			 : "a"(nr)
			 : "rcx", "r11", "memory");
	return rsi == rsi0 && rdx == rdx0 && rdi == rdi0 && r10 == 0x1234
		       ? ret
		       : -999;
}

/* Vectors on a pipe, waiting included, and bigger than a message. */
static void
vectors_pipe(void)
{
	static char big[3][40000], back[120000];
	struct iovec w[3], r[2];
	char x[2], y[8];
	int p[2], st;

	CHECK(pipe(p) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(100000);
		write(p[1], "hello", 5);
		_exit(0);
	}
	r[0] = (struct iovec){x, sizeof x};
	r[1] = (struct iovec){y, sizeof y};
	CHECK(raw_vec(SYS_readv, p[0], r, 2) == 5 && !memcmp(x, "he", 2) &&
	      !memcmp(y, "llo", 3)); /* waited, then both buffers */
	waitpid(pid, &st, 0);
	for (int i = 0; i < 3; i++) {
		memset(big[i], 'a' + i, sizeof big[i]);
		w[i] = (struct iovec){big[i], sizeof big[i]};
	}
	pid = fork();
	if (pid == 0) /* 120000 bytes: more than the pipe holds */
		_exit(raw_vec(SYS_writev, p[1], w, 3) == 120000 ? 0 : 1);
	size_t got = 0;
	while (got < sizeof back) {
		ssize_t n = read(p[0], back + got, sizeof back - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	CHECK(got == sizeof back && back[0] == 'a' && back[40000] == 'b' &&
	      back[119999] == 'c');
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0);
	close(p[0]);
	close(p[1]);
}

/* Two processes writev 300-byte records of three iovecs into one pipe
 * at once: each record arrives whole (a write up to PIPE_BUF is atomic,
 * a vector one too). */
static void
atomic_vectors(void)
{
	int p[2], st, bad = 0;
	static char rec[2][3][100], stream[2 * 200 * 300];
	CHECK(pipe(p) == 0);
	for (int w = 0; w < 2; w++) {
		memset(rec[w], 'A' + w, sizeof rec[w]);
		if (fork() == 0) {
			struct iovec v[3];
			for (int i = 0; i < 3; i++)
				v[i] = (struct iovec){rec[w][i], 100};
			for (int n = 0; n < 200; n++)
				if (writev(p[1], v, 3) != 300)
					_exit(1);
			_exit(0);
		}
	}
	close(p[1]);
	size_t got = 0;
	for (ssize_t n; got < sizeof stream &&
			(n = read(p[0], stream + got, sizeof stream - got)) > 0;)
		got += (size_t)n;
	for (size_t r = 0; r + 300 <= got; r += 300)
		for (size_t i = 1; i < 300; i++)
			bad += stream[r + i] != stream[r];
	CHECK(got == sizeof stream);
	CHECK(bad == 0);
	for (int w = 0; w < 2; w++)
		CHECK(wait(&st) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(p[0]);
}

static void
vectors(void)
{
	char a[4], b[8], big[100];
	struct iovec w[2] = {{"abc", 3}, {"defghij", 7}};
	struct iovec r[2] = {{a, sizeof a}, {b, sizeof b}};
	int p[2], fd = open("v", O_RDWR | O_CREAT | O_TRUNC, 0644);

	CHECK(writev(fd, w, 2) == 10);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(readv(fd, r, 2) == 10 && !memcmp(a, "abcd", 4) &&
	      !memcmp(b, "efghij", 6));
	CHECK(pwritev(fd, w, 1, 20) == 3);
	memset(a, 0, sizeof a);
	CHECK(preadv(fd, r, 1, 19) == 4 && !memcmp(a, "\0abc", 4));
	CHECK(readv(fd, r, 0) == 0);
	ERR(readv(fd, r, -1), EINVAL);
	ERR(writev(fd, w, 1025), EINVAL);
	ERR(writev(fd, (struct iovec *)16, 1), EFAULT);
	struct iovec huge[1] = {{a, (size_t)-1}};
	ERR(readv(fd, huge, 1), EINVAL);
	ERR(preadv(fd, r, 1, -1), EINVAL);
	ERR(readv(99, r, 1), EBADF);
	close(fd);
	/* pipes: a vector write is one atomic write */
	CHECK(pipe(p) == 0);
	CHECK(writev(p[1], w, 2) == 10);
	CHECK(read(p[0], big, sizeof big) == 10 && !memcmp(big, "abcdefghij", 10));
	CHECK(writev(p[1], w, 2) == 10);
	CHECK(readv(p[0], r, 2) > 0 && !memcmp(a, "abcd", 4));
	ERR(preadv(p[0], r, 1, 0), ESPIPE);
	close(p[0]);
	close(p[1]);
	/* musl's stdio writes with writev and reads with readv */
	FILE *f = fopen("s", "w");
	CHECK(f && fprintf(f, "n=%d\n", 42) == 5 && fclose(f) == 0);
	f = fopen("s", "r");
	CHECK(f && fgets(big, sizeof big, f) && !strcmp(big, "n=42\n"));
	if (f)
		fclose(f);
	unlink("v");
	unlink("s");
	vectors_pipe();
}

static void
at_calls(void)
{
	char buf[64];
	struct stat st;
	int d = open("dir", O_RDONLY | O_DIRECTORY);
	int f = open("plain", O_RDWR | O_CREAT, 0644);

	CHECK(d >= 0 && f >= 0);
	int x = openat(d, "x", O_RDWR | O_CREAT, 0600);
	CHECK(x >= 0 && write(x, "hi", 2) == 2);
	close(x);
	CHECK(stat("dir/x", &st) == 0 && st.st_size == 2);
	CHECK(fstatat(d, "x", &st, 0) == 0 && st.st_size == 2);
	CHECK(fstatat(d, "", &st, AT_EMPTY_PATH) == 0 && S_ISDIR(st.st_mode));
	ERR(fstatat(d, "", &st, 0), ENOENT);
	CHECK(mkdirat(d, "sub", 0755) == 0 && stat("dir/sub", &st) == 0);
	CHECK(symlinkat("x", d, "l") == 0);
	CHECK(readlinkat(d, "l", buf, sizeof buf) == 1 && buf[0] == 'x');
	CHECK(renameat(d, "x", d, "sub/y") == 0 && stat("dir/sub/y", &st) == 0);
	CHECK(fchmodat(d, "sub/y", 0640, 0) == 0 && stat("dir/sub/y", &st) == 0 &&
	      (st.st_mode & 0777) == 0640);
	CHECK(faccessat(d, "sub/y", R_OK | W_OK, 0) == 0);
	ERR(faccessat(d, "sub/y", X_OK, 0), EACCES);
	CHECK(fchownat(d, "sub/y", (uid_t)-1, (gid_t)-1, 0) == 0);
	ERR(unlinkat(d, "sub", 0), EISDIR);
	CHECK(unlinkat(d, "sub/y", 0) == 0 && unlinkat(d, "l", 0) == 0);
	CHECK(unlinkat(d, "sub", AT_REMOVEDIR) == 0);
	/* errors: not a directory, not open; absolute paths ignore dirfd */
	ERR(openat(f, "x", O_RDONLY), ENOTDIR);
	ERR(mkdirat(f, "x", 0700), ENOTDIR);
	ERR(openat(77, "x", O_RDONLY), EBADF);
	ERR(unlinkat(77, "x", 0), EBADF);
	ERR(fstatat(-5, "x", &st, 0), EBADF);
	ERR(openat(1000, "", O_RDONLY), ENOENT);
	CHECK(fstatat(77, "/tmp", &st, 0) == 0);
	/* fchdir */
	CHECK(fchdir(d) == 0 && getcwd(buf, sizeof buf) &&
	      !strcmp(buf, "/tmp/t_at/dir"));
	ERR(fchdir(f), ENOTDIR);
	ERR(fchdir(77), EBADF);
	CHECK(chdir("..") == 0);
	close(d);
	close(f);
	unlink("plain");
}

/* Run script path with argument "a1" (stdout into a pipe); what the
 * interpreter printed, or "exec errno N". */
static const char *
run(const char *path, char *out, size_t size)
{
	int p[2];
	if (pipe(p))
		return "pipe";
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {(char *)path, "a1", NULL};
		dup2(p[1], 1);
		execve(path, argv, NULL);
		printf("exec errno %d", errno);
		exit(1);
	}
	close(p[1]);
	ssize_t n = read(p[0], out, size - 1);
	out[n > 0 ? n : 0] = '\0';
	close(p[0]);
	waitpid(pid, NULL, 0);
	return out;
}

static void
put_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

static void
scripts(void)
{
	char line[300], out[512], want[512];
	char *argv[] = {"x", NULL};

	snprintf(line, sizeof line, "#!%s -x y\necho not me\n", self);
	put_file("s0", line, 0755);
	snprintf(want, sizeof want, "%s|-x y|s0|a1", self);
	CHECK(!strcmp(run("s0", out, sizeof out), want));
	/* a script as interpreter, 5 deep (Linux's limit) then ELOOP */
	for (int i = 1; i <= 5; i++) {
		char name[8], prev[8];
		snprintf(name, sizeof name, "s%d", i);
		snprintf(prev, sizeof prev, "s%d", i - 1);
		snprintf(line, sizeof line, "#!%s/%s\n", "/tmp/t_at", prev);
		put_file(name, line, 0755);
	}
	snprintf(want, sizeof want, "%s|-x y|/tmp/t_at/s0|/tmp/t_at/s1|s2|a1",
		 self);
	CHECK(!strcmp(run("s2", out, sizeof out), want));
	CHECK(strncmp(run("s4", out, sizeof out), "exec", 4) != 0);
	CHECK(!strcmp(run("s5", out, sizeof out), "exec errno 40"));
	ERR(execve("s5", argv, NULL), ELOOP);
	put_file("junk", "hello\n", 0755);
	ERR(execve("junk", argv, NULL), ENOEXEC);
	put_file("noint", "#!\n", 0755);
	ERR(execve("noint", argv, NULL), ENOEXEC);
	put_file("missing", "#!/nonexistent/sh\n", 0755);
	ERR(execve("missing", argv, NULL), ENOENT);
	put_file("noexec", "#!/bin/sh\n", 0644);
	ERR(execve("noexec", argv, NULL), EACCES);
	for (int i = 0; i <= 5; i++) {
		snprintf(line, sizeof line, "s%d", i);
		unlink(line);
	}
	unlink("junk");
	unlink("noint");
	unlink("missing");
	unlink("noexec");
}

static void
proc_self(char **argv)
{
	char buf[4096], want[64];
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(want, sizeof want, "%d", getpid());
	n = readlink("/proc/self", buf, sizeof buf);
	CHECK(n == (ssize_t)strlen(want) && !memcmp(buf, want, (size_t)n));
	fd = open("/proc/self/status", O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	snprintf(want, sizeof want, "\nPid:\t%d\n", getpid());
	CHECK(n > 0 && !strncmp(buf, "Name:\tt_at\n", 11) && strstr(buf, want));
	close(fd);
	fd = open("/proc/self/stat", O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	snprintf(want, sizeof want, "%d (t_at) R %d ", getpid(), getppid());
	CHECK(n > 0 && !strncmp(buf, want, strlen(want)));
	close(fd);
	fd = open("/proc/self/cmdline", O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof buf);
	CHECK(n == (ssize_t)strlen(argv[0]) + 1 && !strcmp(buf, argv[0]));
	close(fd);
	fd = open("/tmp/t_at/dir", O_RDONLY);
	snprintf(want, sizeof want, "/proc/self/fd/%d", fd);
	n = readlink(want, buf, sizeof buf);
	CHECK(n == 13 && !memcmp(buf, "/tmp/t_at/dir", 13));
	close(fd);
	CHECK(stat("/proc/self/cwd", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(stat("/proc/self", &st) == 0 && st.st_uid == getuid());
	/* /proc lists the live processes */
	DIR *d = opendir("/proc");
	int seen = 0;
	snprintf(want, sizeof want, "%d", getpid());
	for (struct dirent *e; d && (e = readdir(d));)
		seen += !strcmp(e->d_name, want) && e->d_type == DT_DIR;
	if (d)
		closedir(d);
	CHECK(seen == 1);
	/* read only, as for an ordinary user on Linux */
	ERR(open("/proc/self/status", O_WRONLY), EACCES);
	ERR(open("/proc/self/status", O_RDONLY | O_TRUNC), EACCES);
	ERR(open("/proc/self/new", O_WRONLY | O_CREAT, 0600), ENOENT);
	ERR(mkdir("/proc/x", 0700), ENOENT);
	ERR(mkdir("/proc/self", 0700), EEXIST);
	ERR(unlink("/proc/self/status"), EPERM);
	ERR(chmod("/proc/self/status", 0600), EPERM);
	ERR(rename("/tmp/t_at/dir", "/proc/x"), EXDEV);
	ERR(open("/proc/nonexistent", O_RDONLY), ENOENT);
	ERR(readlink("/proc/self/status", buf, sizeof buf), EINVAL);
	/* /proc/self/exe is the program itself */
	CHECK(access("/proc/self/exe", X_OK) == 0);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "-x y")) {
		for (int i = 0; i < argc; i++)
			printf("%s%s", i ? "|" : "", argv[i]);
		return 0;
	}
	if (getuid() == 0 && setuid(65534)) /* Linux, as root: be nobody */
		return 1;
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = '\0';
	CHECK(n > 0 && self[0] == '/');
	mkdir("/tmp/t_at", 0755);
	CHECK(chdir("/tmp/t_at") == 0);
	mkdir("dir", 0755);
	vectors();
	atomic_vectors();
	at_calls();
	scripts();
	proc_self(argv);
	CHECK(rmdir("dir") == 0 && chdir("/") == 0 && rmdir("/tmp/t_at") == 0);
	printf("t_at: %d passed, %d failed\n", pass, fail);
	return fail != 0;
}
