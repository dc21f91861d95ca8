/*
 * t_ns.c - mount namespaces: mount (tmpfs, proc, bind, remount, move),
 * umount2 and unshare(CLONE_NEWNS), with Linux's error codes; path
 * resolution through mount points in both directions, with "..", and
 * symbolic links that cross them; a namespace shared across fork and
 * copied by unshare and clone(CLONE_NEWNS); /proc/mounts and
 * /proc/PID/mounts showing each process's own namespace.
 *
 * A static musl program that runs on UX/RT and on Linux alike. On Linux
 * mount needs root: as anyone else it says so and fails (nothing is
 * skipped). It first moves into a private namespace of its own
 * (unshare(CLONE_NEWNS), then MS_REC|MS_PRIVATE on /, as Linux needs
 * so that nothing propagates to the host), mounts a fresh tmpfs on /tmp
 * there, and works under /tmp/t_ns.
 * Prints one line per failed check and ends with
 * "t_ns: N passed, M failed".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define T_NAME "t_ns"
#include "t.h"

#define D "/tmp/t_ns"
#define BADPTR ((void *)1)

/* Whether paths a and b are the same file (device and inode). */
static int
same(const char *a, const char *b)
{
	struct stat sa, sb;
	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static int
exists(const char *path)
{
	struct stat st;
	return !lstat(path, &st);
}

/* A mount-table field with \ooo escapes undone. */
static void
unescape(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* The last line of mount table file table (e.g. /proc/self/mounts)
 * whose mount point is dir: its source, type and options in src, type
 * and opts (any may be NULL); 0 if there is none. */
static int
find_mount(const char *table, const char *dir, char *src, char *type,
	   char *opts)
{
	char line[512], f[4][256];
	int found = 0;
	FILE *fp = fopen(table, "r");
	if (!fp)
		return 0;
	while (fgets(line, sizeof line, fp)) {
		if (sscanf(line, "%255s %255s %255s %255s", f[0], f[1], f[2],
			   f[3]) != 4)
			continue;
		unescape(f[1]);
		if (strcmp(f[1], dir))
			continue;
		found = 1;
		if (src)
			strcpy(src, f[0]);
		if (type)
			strcpy(type, f[2]);
		if (opts)
			strcpy(opts, f[3]);
	}
	fclose(fp);
	return found;
}

static int
mounted(const char *dir)
{
	return find_mount("/proc/self/mounts", dir, NULL, NULL, NULL);
}

static int
put_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The file's first line (at most 63 bytes), or "" */
static const char *
get_file(const char *path)
{
	static char buf[64];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int
tmpfs(const char *dir)
{
	return mount("none", dir, "tmpfs", 0, NULL);
}

/* The calls' own errors, in Linux's order. */
static void
errors(void)
{
	CHECK(mkdir(D "/a", 0755) == 0 && put_file(D "/file", "f") == 0);
	ERR(mount("none", D "/nonexistent", "tmpfs", 0, NULL), ENOENT);
	ERR(mount("none", D "/file/x", "tmpfs", 0, NULL), ENOTDIR);
	ERR(mount("none", D "/file", "tmpfs", 0, NULL), ENOTDIR);
	ERR(mount("none", D "/a", "nosuchfs", 0, NULL), ENODEV);
	ERR(mount("none", D "/a", NULL, 0, NULL), EINVAL);
	ERR(mount("none", BADPTR, "tmpfs", 0, NULL), EFAULT);
	ERR(mount("none", D "/a", BADPTR, 0, NULL), EFAULT);
	ERR(mount(BADPTR, D "/a", "tmpfs", 0, NULL), EFAULT);
	ERR(mount("none", D "/a", "tmpfs", 0, BADPTR), EFAULT);
	ERR(mount("none", D "/a", "tmpfs", 0, "bogus=1"), EINVAL);
	ERR(mount(NULL, D "/a", NULL, MS_REMOUNT | MS_RDONLY, NULL), EINVAL);
	ERR(mount(NULL, D "/a", NULL, MS_PRIVATE, NULL), EINVAL);
	ERR(mount(D "/nonexistent", D "/a", NULL, MS_BIND, NULL), ENOENT);
	ERR(mount(D "/a", D "/file", NULL, MS_BIND, NULL), ENOTDIR);
	ERR(mount(D "/file", D "/a", NULL, MS_BIND, NULL), ENOTDIR);
	ERR(mount(D "/a", D "/file", NULL, MS_MOVE, NULL), EINVAL);
	ERR(umount2(D "/a", 0), EINVAL);
	ERR(umount2(D "/nonexistent", 0), ENOENT);
	ERR(umount2(D "/file/x", 0), ENOTDIR);
	ERR(umount2(BADPTR, 0), EFAULT);
	ERR(umount2(D "/a", 0x100), EINVAL);
	ERR(umount2(D "/a", MNT_EXPIRE | MNT_DETACH), EINVAL);
	ERR(unshare(CLONE_VFORK), EINVAL);
	CHECK(unlink(D "/file") == 0);
}

/* A fresh tmpfs hides what was below; umount shows it again. */
static void
tmpfs_basics(void)
{
	struct stat st, sd;
	CHECK(put_file(D "/a/under", "u") == 0);
	CHECK(tmpfs(D "/a") == 0);
	CHECK(!exists(D "/a/under"));
	CHECK(stat(D "/a", &st) == 0 && (st.st_mode & 07777) == 01777);
	CHECK(stat(D, &sd) == 0 && sd.st_dev != st.st_dev);
	CHECK(put_file(D "/a/f", "in tmpfs") == 0);
	CHECK(!strcmp(get_file(D "/a/f"), "in tmpfs"));
	CHECK(mounted(D "/a"));
	char src[256], type[256], opts[256];
	CHECK(find_mount("/proc/mounts", D "/a", src, type, opts) &&
	      !strcmp(src, "none") && !strcmp(type, "tmpfs") &&
	      !strncmp(opts, "rw", 2));
	CHECK(umount2(D "/a", 0) == 0);
	CHECK(!mounted(D "/a"));
	CHECK(!exists(D "/a/f") && !strcmp(get_file(D "/a/under"), "u"));
	CHECK(unlink(D "/a/under") == 0);
	/* options */
	CHECK(mount("none", D "/a", "tmpfs", 0, "mode=0750") == 0);
	CHECK(stat(D "/a", &st) == 0 && (st.st_mode & 07777) == 0750);
	CHECK(umount(D "/a") == 0);
	/* stacked: the top one first */
	CHECK(tmpfs(D "/a") == 0 && put_file(D "/a/lower", "1") == 0);
	CHECK(tmpfs(D "/a") == 0 && put_file(D "/a/upper", "2") == 0);
	CHECK(exists(D "/a/upper") && !exists(D "/a/lower"));
	CHECK(umount(D "/a") == 0);
	CHECK(!exists(D "/a/upper") && exists(D "/a/lower"));
	CHECK(umount(D "/a") == 0 && !exists(D "/a/lower"));
	/* a mount point whose name has a space: escaped in the table */
	CHECK(mkdir(D "/sp ace", 0755) == 0 && tmpfs(D "/sp ace") == 0);
	CHECK(mounted(D "/sp ace"));
	CHECK(umount(D "/sp ace") == 0 && rmdir(D "/sp ace") == 0);
}

/* What keeps a mount busy, and what a mount point refuses. */
static void
busy(void)
{
	CHECK(tmpfs(D "/a") == 0 && put_file(D "/a/f", "x") == 0);
	int fd = open(D "/a/f", O_RDONLY);
	CHECK(fd >= 0);
	ERR(umount(D "/a"), EBUSY);
	close(fd);
	CHECK(chdir(D "/a") == 0);
	ERR(umount(D "/a"), EBUSY);
	CHECK(chdir("/") == 0);
	CHECK(mkdir(D "/a/s", 0755) == 0 && tmpfs(D "/a/s") == 0);
	ERR(umount(D "/a"), EBUSY);
	ERR(rmdir(D "/a/s"), EBUSY);
	ERR(rename(D "/a/s", D "/a/t"), EBUSY);
	CHECK(mkdir(D "/a/t", 0755) == 0);
	ERR(rename(D "/a/t", D "/a/s"), EBUSY);
	ERR(rename(D "/a/f", D "/moved"), EXDEV);
	CHECK(umount(D "/a/s") == 0 && umount(D "/a") == 0);
	/* read-only */
	CHECK(tmpfs(D "/a") == 0 && put_file(D "/a/f", "x") == 0);
	fd = open(D "/a/f", O_WRONLY);
	ERR(mount(NULL, D "/a", NULL, MS_REMOUNT | MS_RDONLY, NULL), EBUSY);
	close(fd);
	CHECK(mount(NULL, D "/a", NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0);
	ERR(open(D "/a/g", O_WRONLY | O_CREAT, 0644), EROFS);
	ERR(open(D "/a/f", O_WRONLY), EROFS);
	ERR(mkdir(D "/a/d", 0755), EROFS);
	ERR(mkdir(D "/a", 0755), EEXIST);
	ERR(unlink(D "/a/f"), EROFS);
	ERR(unlink(D "/a/nonexistent"), EROFS); /* before the lookup */
	ERR(open(D "/a/nonexistent/x", O_RDONLY), ENOENT);
	ERR(symlink("x", D "/a/l"), EROFS);
	ERR(chmod(D "/a/f", 0600), EROFS);
	ERR(truncate(D "/a/f", 0), EROFS);
	CHECK(!strcmp(get_file(D "/a/f"), "x"));
	char opts[256];
	CHECK(find_mount("/proc/self/mounts", D "/a", NULL, NULL, opts) &&
	      !strncmp(opts, "ro", 2));
	CHECK(mount(NULL, D "/a", NULL, MS_REMOUNT, NULL) == 0);
	CHECK(put_file(D "/a/g", "y") == 0);
	CHECK(umount(D "/a") == 0);
}

/* "..", symbolic links and directory descriptors across mount points. */
static void
crossing(void)
{
	char cwd[256];
	CHECK(tmpfs(D "/a") == 0 && mkdir(D "/a/x", 0755) == 0);
	CHECK(same(D "/a/x/../..", D) && same(D "/a/..", D));
	CHECK(same(D "/a/x/..", D "/a") && !same(D "/a", D));
	CHECK(same(D "/a/../a/x", D "/a/x"));
	CHECK(chdir(D "/a/x") == 0 && chdir("../..") == 0 &&
	      getcwd(cwd, sizeof cwd) && !strcmp(cwd, D));
	CHECK(chdir(D "/a/x") == 0 && getcwd(cwd, sizeof cwd) &&
	      !strcmp(cwd, D "/a/x"));
	CHECK(same("..", D "/a") && same("../..", D));
	CHECK(chdir("/") == 0);
	int fd = open(D "/a", O_RDONLY | O_DIRECTORY);
	int up = openat(fd, "..", O_RDONLY | O_DIRECTORY);
	struct stat s1, s2;
	CHECK(up >= 0 && fstat(up, &s1) == 0 && stat(D, &s2) == 0 &&
	      s1.st_ino == s2.st_ino && s1.st_dev == s2.st_dev);
	CHECK(fchdir(fd) == 0 && getcwd(cwd, sizeof cwd) &&
	      !strcmp(cwd, D "/a"));
	CHECK(chdir("/") == 0);
	close(up);
	close(fd);
	/* links out of the mount, into it, and ".." after a link */
	CHECK(symlink("..", D "/a/up") == 0 && same(D "/a/up", D));
	CHECK(symlink(D "/a/x", D "/in") == 0 && same(D "/in", D "/a/x"));
	CHECK(same(D "/in/..", D "/a")); /* the link's target's parent */
	CHECK(symlink("a/x", D "/rel") == 0 && same(D "/rel/..", D "/a"));
	CHECK(put_file(D "/in/f", "via link") == 0 &&
	      !strcmp(get_file(D "/a/x/f"), "via link"));
	/* a mount through a link lands on its target */
	CHECK(symlink("a", D "/toa") == 0 && tmpfs(D "/toa") == 0);
	CHECK(mounted(D "/a") && !exists(D "/a/x"));
	ERR(umount2(D "/toa", UMOUNT_NOFOLLOW), EINVAL);
	CHECK(umount(D "/toa") == 0 && exists(D "/a/x"));
	CHECK(unlink(D "/in") == 0 && unlink(D "/rel") == 0 &&
	      unlink(D "/toa") == 0);
	CHECK(umount(D "/a") == 0);
}

/* Bind mounts of a directory and of a file; MS_MOVE. */
static void
binds(void)
{
	CHECK(mkdir(D "/s1", 0755) == 0 && mkdir(D "/s1/src", 0755) == 0 &&
	      put_file(D "/s1/src/f", "hello") == 0);
	CHECK(mkdir(D "/dst", 0755) == 0);
	CHECK(mount(D "/s1/src", D "/dst", NULL, MS_BIND, NULL) == 0);
	CHECK(!strcmp(get_file(D "/dst/f"), "hello"));
	CHECK(put_file(D "/dst/g", "back") == 0 &&
	      !strcmp(get_file(D "/s1/src/g"), "back"));
	CHECK(same(D "/dst", D "/s1/src") && same(D "/dst/..", D));
	CHECK(mounted(D "/dst"));
	/* read-only per mount: the source stays writable */
	CHECK(mount(NULL, D "/dst", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY,
		    NULL) == 0);
	ERR(open(D "/dst/h", O_WRONLY | O_CREAT, 0644), EROFS);
	CHECK(put_file(D "/s1/src/h", "rw") == 0 &&
	      !strcmp(get_file(D "/dst/h"), "rw"));
	CHECK(umount(D "/dst") == 0 && !exists(D "/dst/f"));
	/* a file over a file */
	CHECK(put_file(D "/other", "other") == 0);
	CHECK(mount(D "/s1/src/f", D "/other", NULL, MS_BIND, NULL) == 0);
	CHECK(!strcmp(get_file(D "/other"), "hello"));
	ERR(unlink(D "/other"), EBUSY);
	CHECK(umount(D "/other") == 0 &&
	      !strcmp(get_file(D "/other"), "other"));
	CHECK(unlink(D "/other") == 0);
	/* move a mount */
	CHECK(tmpfs(D "/dst") == 0 && put_file(D "/dst/m", "moved") == 0);
	CHECK(mkdir(D "/s1/src/to", 0755) == 0);
	ERR(mount(D "/dst", D "/dst/sub", NULL, MS_MOVE, NULL), ENOENT);
	CHECK(mount(D "/dst", D "/s1/src/to", NULL, MS_MOVE, NULL) == 0);
	CHECK(!mounted(D "/dst") && mounted(D "/s1/src/to"));
	CHECK(!strcmp(get_file(D "/s1/src/to/m"), "moved"));
	CHECK(umount(D "/s1/src/to") == 0);
	/* a recursive bind takes the mounts below along */
	CHECK(tmpfs(D "/s1/src/to") == 0 && put_file(D "/s1/src/to/r", "r") == 0);
	CHECK(mount(D "/s1", D "/dst", NULL, MS_BIND, NULL) == 0);
	CHECK(!exists(D "/dst/src/to/r"));
	CHECK(umount(D "/dst") == 0);
	CHECK(mount(D "/s1", D "/dst", NULL, MS_BIND | MS_REC, NULL) == 0);
	CHECK(!strcmp(get_file(D "/dst/src/to/r"), "r"));
	CHECK(mounted(D "/dst/src/to"));
	ERR(umount(D "/dst"), EBUSY);
	CHECK(umount(D "/dst/src/to") == 0 && umount(D "/dst") == 0);
	CHECK(umount(D "/s1/src/to") == 0);
}

/* MNT_DETACH: gone from the tree at once; open files keep working. */
static void
detach(void)
{
	char buf[8] = {0};
	CHECK(tmpfs(D "/a") == 0 && mkdir(D "/a/s", 0755) == 0 &&
	      tmpfs(D "/a/s") == 0);
	int fd = open(D "/a/f", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	CHECK(umount2(D "/a", MNT_DETACH) == 0);
	CHECK(!mounted(D "/a") && !mounted(D "/a/s") && !exists(D "/a/f"));
	CHECK(write(fd, "kept", 4) == 4 && pread(fd, buf, 4, 0) == 4 &&
	      !strcmp(buf, "kept"));
	close(fd);
	/* MNT_EXPIRE: marked the first time, gone the second */
	CHECK(tmpfs(D "/a") == 0);
	ERR(umount2(D "/a", MNT_EXPIRE), EAGAIN);
	CHECK(umount2(D "/a", MNT_EXPIRE) == 0 && !mounted(D "/a"));
	CHECK(tmpfs(D "/a") == 0 && put_file(D "/a/f", "x") == 0);
	fd = open(D "/a/f", O_RDONLY);
	ERR(umount2(D "/a", MNT_EXPIRE), EBUSY);
	close(fd);
	CHECK(umount(D "/a") == 0);
}

/* proc mounted a second time. */
static void
proc_again(void)
{
	char link[32], want[32];
	CHECK(mkdir(D "/p", 0755) == 0);
	CHECK(mount("proc", D "/p", "proc", 0, NULL) == 0);
	ssize_t n = readlink(D "/p/self", link, sizeof link - 1);
	link[n > 0 ? n : 0] = '\0';
	snprintf(want, sizeof want, "%d", getpid());
	CHECK(!strcmp(link, want));
	char src[256], type[256];
	CHECK(find_mount("/proc/self/mounts", D "/p", src, type, NULL) &&
	      !strcmp(src, "proc") && !strcmp(type, "proc"));
	CHECK(umount(D "/p") == 0 && rmdir(D "/p") == 0);
	n = readlink("/proc/mounts", link, sizeof link - 1);
	link[n > 0 ? n : 0] = '\0';
	CHECK(!strcmp(link, "self/mounts"));
}

/* The namespace is shared across fork: the child's mount is the
 * parent's too. */
static void
fork_shares(void)
{
	int st;
	CHECK(tmpfs(D "/a") == 0 && put_file(D "/a/f", "parent") == 0);
	pid_t pid = fork();
	if (pid == 0) {
		int ok = !strcmp(get_file(D "/a/f"), "parent") &&
			 mkdir(D "/b", 0755) == 0 && tmpfs(D "/b") == 0 &&
			 put_file(D "/b/f", "child") == 0;
		_exit(ok ? 0 : 1);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0);
	CHECK(mounted(D "/b") && !strcmp(get_file(D "/b/f"), "child"));
	CHECK(umount(D "/b") == 0 && rmdir(D "/b") == 0);
}

/* A child in a namespace of its own: it mounts D/c and unmounts D/a
 * there, says so on tell, waits for the parent to look (a byte on
 * wait), then checks its own view again. */
static int
private_child(int tell, int wait)
{
	char c;
	int ok = mkdir(D "/c", 0755) == 0 && tmpfs(D "/c") == 0 &&
		 put_file(D "/c/f", "mine") == 0 && umount(D "/a") == 0 &&
		 mounted(D "/c") && !mounted(D "/a");
	c = ok ? 'y' : 'n';
	if (write(tell, &c, 1) != 1 || read(wait, &c, 1) != 1)
		return 1;
	return ok && exists(D "/c/f") ? 0 : 1;
}

/* The parent's view while private_child pid waits: none of its
 * changes, which /proc/PID/mounts shows. */
static void
parent_view(pid_t pid, int from, int to)
{
	char c = 0, table[64];
	int st;
	CHECK(pid > 0 && read(from, &c, 1) == 1 && c == 'y');
	snprintf(table, sizeof table, "/proc/%d/mounts", pid);
	CHECK(find_mount(table, D "/c", NULL, NULL, NULL));
	CHECK(!find_mount(table, D "/a", NULL, NULL, NULL));
	CHECK(!mounted(D "/c") && mounted(D "/a"));
	CHECK(!exists(D "/c/f") && !strcmp(get_file(D "/a/f"), "parent"));
	CHECK(write(to, "k", 1) == 1);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0);
	CHECK(rmdir(D "/c") == 0);
}

/* unshare(CLONE_NEWNS) and clone(CLONE_NEWNS): the child's changes stay
 * its own; /proc/PID/mounts shows each process's namespace. */
static void
unshare_isolates(void)
{
	int up[2], down[2];
	CHECK(pipe(up) == 0 && pipe(down) == 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(unshare(CLONE_NEWNS) ? 2 : private_child(up[1], down[0]));
	parent_view(pid, up[0], down[1]);
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(private_child(up[1], down[0]));
	parent_view(pid, up[0], down[1]);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	CHECK(umount(D "/a") == 0);
}

int
main(void)
{
	struct utsname u;
	uname(&u);
	if (!strcmp(u.sysname, "Linux") && geteuid() != 0) {
		printf(T_NAME ": mount needs root on Linux: run as root\n");
		return 1;
	}
	/* a private namespace, so that nothing reaches the host's */
	CHECK(unshare(CLONE_NEWNS) == 0);
	CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
	CHECK(tmpfs("/tmp") == 0 && mkdir(D, 0755) == 0);
	errors();
	tmpfs_basics();
	busy();
	crossing();
	binds();
	detach();
	proc_again();
	fork_shares();
	unshare_isolates();
	printf(T_NAME ": %d passed, %d failed\n", pass, fail);
	return fail != 0;
}
