/*
 * t_files.c - file system calls and their Linux error codes, as a static
 * musl program that runs on UX/RT and on Linux alike (the expected
 * results are Linux's). Prints one line per failed check and ends with
 * "t_files: N passed, M failed".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define T_NAME "t_files"
#include "t.h"

/* O_NONBLOCK on a pipe: EAGAIN instead of waiting, F_GETFL/F_SETFL. */
static void
nonblocking_pipe(void)
{
	int p[2];
	char buf[4096] = {0};
	long total = 0, n;
	CHECK(pipe2(p, O_NONBLOCK) == 0);
	CHECK((fcntl(p[0], F_GETFL) & (O_NONBLOCK | O_ACCMODE)) ==
	      (O_NONBLOCK | O_RDONLY));
	CHECK((fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY);
	ERR(read(p[0], buf, 1), EAGAIN);
	while ((n = write(p[1], buf, sizeof buf)) > 0)
		total += n;
	CHECK(n == -1 && errno == EAGAIN && total >= 4096);
	ERR(write(p[1], buf, 1), EAGAIN);
	CHECK(read(p[0], buf, sizeof buf) == sizeof buf);
	CHECK(fcntl(p[0], F_SETFL, 0) == 0);
	CHECK(!(fcntl(p[0], F_GETFL) & O_NONBLOCK));
	CHECK(fcntl(p[1], F_SETFL, O_NONBLOCK | O_APPEND) == 0);
	CHECK((fcntl(p[1], F_GETFL) & (O_NONBLOCK | O_APPEND)) ==
	      (O_NONBLOCK | O_APPEND));
	close(p[0]);
	close(p[1]);
	ERR(fcntl(p[0], F_GETFL), EBADF);
}

int
main(void)
{
	const char *d = "/tmp/t_files";
	nonblocking_pipe();
	char buf[256];
	struct stat st;
	size_t big = 1 << 20;
	char *b = malloc(big), *r = malloc(big);

	mkdir(d, 0755);
	CHECK(chdir(d) == 0);
	/* create, write, read back, append */
	int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, "hello", 5) == 5);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(read(fd, buf, sizeof buf) == 5 && !memcmp(buf, "hello", 5));
	CHECK(read(fd, buf, sizeof buf) == 0); /* end of file */
	CHECK(close(fd) == 0);
	fd = open("f", O_WRONLY | O_APPEND);
	CHECK(write(fd, " world", 6) == 6);
	close(fd);
	CHECK(stat("f", &st) == 0 && st.st_size == 11 && S_ISREG(st.st_mode));
	/* one big pwrite and pread at an offset (longer than a message) */
	for (size_t i = 0; i < big; i++)
		b[i] = (char)(i * 7 + 3);
	fd = open("big", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(pwrite(fd, b, big, 4096) == (ssize_t)big);
	CHECK(pread(fd, r, big, 4096) == (ssize_t)big && !memcmp(b, r, big));
	CHECK(fstat(fd, &st) == 0 && st.st_size == (off_t)(big + 4096));
	CHECK(ftruncate(fd, 10) == 0 && fstat(fd, &st) == 0 && st.st_size == 10);
	close(fd);
	/* directories */
	CHECK(mkdir("sub", 0700) == 0);
	ERR(mkdir("sub", 0700), EEXIST);
	ERR(rmdir("f"), ENOTDIR);
	ERR(unlink("sub"), EISDIR);
	fd = open("sub/x", O_CREAT | O_WRONLY, 0600);
	close(fd);
	ERR(rmdir("sub"), ENOTEMPTY);
	CHECK(rename("sub/x", "y") == 0);
	CHECK(rmdir("sub") == 0);
	DIR *dir = opendir(".");
	int seen = 0;
	for (struct dirent *e; dir && (e = readdir(dir));)
		seen += !strcmp(e->d_name, "f") + !strcmp(e->d_name, "y");
	closedir(dir);
	CHECK(seen == 2);
	/* links */
	CHECK(symlink("f", "l") == 0);
	CHECK(readlink("l", buf, sizeof buf) == 1 && buf[0] == 'f');
	CHECK(lstat("l", &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(stat("l", &st) == 0 && S_ISREG(st.st_mode));
	/* errors */
	ERR(open("nonexistent", O_RDONLY), ENOENT);
	ERR(open("f", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
	ERR(open("f/x", O_RDONLY), ENOTDIR);
	ERR(open(".", O_WRONLY), EISDIR);
	ERR(close(999), EBADF);
	ERR(read(999, buf, 1), EBADF);
	ERR(open((char *)16, O_RDONLY), EFAULT);
	ERR(stat("", &st), ENOENT);
	fd = open("f", O_RDONLY);
	ERR(write(fd, "x", 1), EBADF);
	/* dup2 and fcntl */
	CHECK(dup2(fd, 20) == 20);
	CHECK(read(20, buf, 5) == 5);
	CHECK(fcntl(20, F_SETFD, FD_CLOEXEC) == 0 && fcntl(20, F_GETFD) == 1);
	close(20);
	close(fd);
	/* chmod keeps the setuid bit and shows it */
	CHECK(chmod("f", 04755) == 0 && stat("f", &st) == 0 &&
	      (st.st_mode & 07777) == 04755);
	unlink("f");
	unlink("l");
	unlink("y");
	unlink("big");
	CHECK(chdir("/") == 0 && rmdir(d) == 0);
	printf("t_files: %d passed, %d failed\n", pass, fail);
	return fail != 0;
}
