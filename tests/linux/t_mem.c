/*
 * t_mem.c - memory system calls and their Linux behaviour, as a static
 * musl program that runs on UX/RT and on Linux alike (the expected
 * results are Linux's): lazily allocated memory, copy-on-write after
 * fork, shared anonymous and file mappings, munmap/mprotect splitting
 * regions (children killed by SIGSEGV), mremap, madvise, brk, and error
 * codes. Prints one line per failed check and ends with
 * "t_mem: N passed, M failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define T_NAME "t_mem"
#include "t.h"

static const size_t pg = 4096;
#define MERR(call, e) CHECK((call) == MAP_FAILED && errno == (e))

static char *
anon(size_t len, int prot, int flags)
{
	return mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);
}

/* Run fn in a child; its wait status. */
static int
in_child(int (*fn)(void *), void *arg)
{
	int st = -1;
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static int
killed_by_segv(int st)
{
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV;
}

static int
touch_byte(void *a)
{
	*(volatile char *)a = 1;
	return 0;
}

static int
read_byte(void *a)
{
	return *(volatile char *)a == 0x5a ? 0 : 1;
}

/* 128 MiB, touched a page at a time, then read back. */
static void
t_lazy(void)
{
	size_t len = 128u << 20;
	char *m = anon(len, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	CHECK(m != MAP_FAILED);
	if (m == MAP_FAILED)
		return;
	int ok = 1;
	for (size_t o = 0; o < len; o += pg)
		ok &= m[o] == 0;
	CHECK(ok); /* untouched memory reads zero */
	for (size_t o = 0; o < len; o += pg)
		m[o] = (char)(o / pg * 7);
	ok = 1;
	for (size_t o = 0; o < len; o += pg)
		ok &= m[o] == (char)(o / pg * 7);
	CHECK(ok);
	CHECK(munmap(m, len) == 0);
	/* a huge reservation costs nothing until touched */
	m = mmap(NULL, 1ull << 40, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(m != MAP_FAILED);
	if (m != MAP_FAILED) {
		m[(1ull << 39) + 5] = 3;
		CHECK(m[(1ull << 39) + 5] == 3);
		CHECK(munmap(m, 1ull << 40) == 0);
	}
}

static char cow_global[3 * 4096] = {1};

static int
cow_child(void *arg)
{
	char *heap = arg;
	int bad = 0;
	bad |= cow_global[100] != 'p' || heap[4096 * 10] != 'h';
	cow_global[100] = 'c';
	for (size_t o = 0; o < (1u << 20); o += pg)
		heap[o] = 'c';
	bad |= cow_global[100] != 'c' || heap[0] != 'c';
	return bad;
}

/* Writes in the child do not reach the parent, and the reverse. */
static void
t_cow(void)
{
	char *heap = malloc(1u << 20);
	memset(heap, 'h', 1u << 20);
	cow_global[100] = 'p';
	int st = in_child(cow_child, heap);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(cow_global[100] == 'p' && heap[0] == 'h' &&
	      heap[(1u << 20) - 1] == 'h');
	/* the parent writes after the fork: the child keeps the old data */
	int fds[2];
	CHECK(pipe(fds) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(2);
		_exit(cow_global[100] == 'p' && heap[5] == 'h' ? 0 : 1);
	}
	close(fds[0]);
	cow_global[100] = 'q';
	heap[5] = 'q';
	CHECK(write(fds[1], "x", 1) == 1);
	close(fds[1]);
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(cow_global[100] == 'q' && heap[5] == 'q');
	free(heap);
}

static int
shared_child(void *arg)
{
	char *s = arg;
	if (s[0] != 'P')
		return 1;
	s[1] = 'C';           /* touched before the fork */
	s[3 * 4096] = 'D';   /* touched first by the child */
	return 0;
}

/* MAP_SHARED|MAP_ANONYMOUS stays shared across fork. */
static void
t_shared_anon(void)
{
	char *s = anon(4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	CHECK(s != MAP_FAILED);
	if (s == MAP_FAILED)
		return;
	s[0] = 'P';
	int st = in_child(shared_child, s);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(s[1] == 'C' && s[3 * pg] == 'D');
	/* MADV_DONTNEED keeps shared data */
	CHECK(madvise(s, 4 * pg, MADV_DONTNEED) == 0);
	CHECK(s[0] == 'P' && s[3 * pg] == 'D');
	CHECK(munmap(s, 4 * pg) == 0);
}

/* File mappings: private (a copy) and shared (the file's own pages). */
static void
t_file(void)
{
	const char *path = "/tmp/t_mem.dat";
	char buf[64];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	for (int i = 0; i < 3; i++) {
		memset(buf, 'a' + i, sizeof buf);
		CHECK(pwrite(fd, buf, sizeof buf, (off_t)(i * pg)) == 64);
	}
	char *m = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED);
	if (m != MAP_FAILED) {
		CHECK(m[0] == 'a' && m[pg + 63] == 'b' && m[2 * pg] == 'c' &&
		      m[64] == 0);
		m[0] = 'X'; /* private: the file keeps its data */
		CHECK(pread(fd, buf, 1, 0) == 1 && buf[0] == 'a');
		CHECK(munmap(m, 3 * pg) == 0);
	}
	m = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, (off_t)pg);
	CHECK(m != MAP_FAILED && m[0] == 'b');
	munmap(m, pg);
	m = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	if (m != MAP_FAILED) {
		m[pg] = 'S'; /* shared: the file sees it, and the reverse */
		CHECK(pread(fd, buf, 1, (off_t)pg) == 1 && buf[0] == 'S');
		CHECK(pwrite(fd, "W", 1, 2 * pg + 1) == 1 && m[2 * pg + 1] == 'W');
		CHECK(msync(m, 3 * pg, MS_SYNC) == 0);
		CHECK(munmap(m, 3 * pg) == 0);
	}
	/* read(2) into memory not touched yet */
	m = anon(pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	CHECK(pread(fd, m, 64, 0) == 64 && m[0] == 'a' && m[63] == 'a');
	CHECK(pwrite(fd, m + 2048, 16, 0) == 16); /* zeros */
	CHECK(pread(fd, buf, 1, 0) == 1 && buf[0] == 0);
	munmap(m, pg);
	close(fd);
	/* access modes and what cannot be mapped */
	fd = open(path, O_RDONLY);
	MERR(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
	m = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	ERR(mprotect(m, pg, PROT_READ | PROT_WRITE), EACCES);
	munmap(m, pg);
	m = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED); /* private: writes are the process's own */
	munmap(m, pg);
	close(fd);
	fd = open(path, O_WRONLY);
	MERR(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0), EACCES);
	close(fd);
	MERR(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, 999, 0), EBADF);
	int fds[2];
	CHECK(pipe(fds) == 0);
	MERR(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fds[0], 0), ENODEV);
	close(fds[0]);
	close(fds[1]);
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	MERR(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0), ENODEV);
	close(fd);
	fd = open("/dev/zero", O_RDWR);
	m = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED && m[5] == 0);
	munmap(m, pg);
	close(fd);
	unlink(path);
}

/* munmap and mprotect split regions; a child touching what is gone or
 * read-only dies of SIGSEGV. */
static void
t_split(void)
{
	char *m = anon(3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	memset(m, 0x5a, 3 * pg);
	CHECK(munmap(m + pg, pg) == 0);
	CHECK(m[0] == 0x5a && m[2 * pg] == 0x5a);
	CHECK(killed_by_segv(in_child(touch_byte, m + pg)));
	CHECK(killed_by_segv(in_child(read_byte, m + pg)));
	int st = in_child(read_byte, m + 2 * pg);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(mprotect(m + 2 * pg, pg, PROT_READ) == 0);
	CHECK(killed_by_segv(in_child(touch_byte, m + 2 * pg)));
	st = in_child(read_byte, m + 2 * pg);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(mprotect(m, pg, PROT_NONE) == 0);
	CHECK(killed_by_segv(in_child(read_byte, m)));
	CHECK(mprotect(m, pg, PROT_READ | PROT_WRITE) == 0);
	CHECK(m[0] == 0x5a);
	m[1] = 7;
	CHECK(m[1] == 7);
	ERR(mprotect(m, 3 * pg, PROT_READ), ENOMEM); /* the hole */
	CHECK(munmap(m, 3 * pg) == 0);
	CHECK(munmap(m, 3 * pg) == 0); /* nothing there: fine */
	/* MAP_FIXED replaces; MAP_FIXED_NOREPLACE refuses */
	m = anon(2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	memset(m, 1, 2 * pg);
	char *f = mmap(m + pg, pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(f == m + pg && f[0] == 0 && m[0] == 1);
	MERR(mmap(m, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		  MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	munmap(m, 2 * pg);
	f = mmap(m, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(f == m);
	munmap(f, pg);
}

/* A free range of n pages (reserved, then released). */
static char *
hole(size_t n)
{
	char *h = anon(n * pg, PROT_NONE, MAP_PRIVATE);
	munmap(h, n * pg);
	return h;
}

static char *
fixed(char *at, size_t len, int prot)
{
	return mmap(at, len, prot,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
}

static void
t_mremap(void)
{
	char *h = hole(16);
	char *m = fixed(h, 2 * pg, PROT_READ | PROT_WRITE);
	char *g = fixed(h + 2 * pg, pg, PROT_READ); /* blocks growth */
	CHECK(m == h && g == h + 2 * pg);
	m[0] = 'a';
	m[pg] = 'b';
	MERR(mremap(m, 2 * pg, 8 * pg, 0), ENOMEM);
	char *n = mremap(m, 2 * pg, 8 * pg, MREMAP_MAYMOVE);
	CHECK(n != MAP_FAILED && n != m);
	if (n != MAP_FAILED) {
		CHECK(n[0] == 'a' && n[pg] == 'b' && n[7 * pg] == 0);
		n[7 * pg] = 'z';
		CHECK(killed_by_segv(in_child(read_byte, m)));
		n = mremap(n, 8 * pg, pg, 0); /* shrink in place */
		CHECK(n != MAP_FAILED && n[0] == 'a');
		CHECK(killed_by_segv(in_child(read_byte, n + pg)));
		munmap(n, pg);
	}
	munmap(g, pg);
	MERR(mremap(m, pg, 2 * pg, MREMAP_MAYMOVE), EFAULT); /* unmapped */
	MERR(mremap(m + 1, pg, 2 * pg, MREMAP_MAYMOVE), EINVAL);
	MERR(mremap(m, pg, 0, MREMAP_MAYMOVE), EINVAL);
	MERR(mremap(m, pg, pg, MREMAP_FIXED), EINVAL);
	/* growth in place, and a move to a place of our choice */
	m = fixed(h, pg, PROT_READ | PROT_WRITE);
	m[0] = 'i';
	n = mremap(m, pg, 4 * pg, 0);
	CHECK(n == m && n[0] == 'i' && n[3 * pg] == 0);
	n = mremap(m, 4 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, h + 8 * pg);
	CHECK(n == h + 8 * pg && n[0] == 'i');
	CHECK(killed_by_segv(in_child(read_byte, m)));
	munmap(n, 2 * pg);
}

static void
t_madvise(void)
{
	char *m = anon(4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	memset(m, 9, 4 * pg);
	CHECK(madvise(m + pg, 2 * pg, MADV_DONTNEED) == 0);
	CHECK(m[0] == 9 && m[pg] == 0 && m[3 * pg - 1] == 0 && m[3 * pg] == 9);
	CHECK(madvise(m, 4 * pg, MADV_WILLNEED) == 0);
	ERR(madvise(m + 1, pg, MADV_DONTNEED), EINVAL);
	ERR(madvise(m, pg, 12345), EINVAL);
	munmap(m + pg, pg);
	ERR(madvise(m, 4 * pg, MADV_DONTNEED), ENOMEM);
	CHECK(m[0] == 0); /* applied where mapped all the same */
	munmap(m, 4 * pg);
}

/* brk through the system call (musl's sbrk only reads it). */
static void
t_brk(void)
{
	char *b = (char *)syscall(SYS_brk, 0);
	CHECK(syscall(SYS_brk, b + (1 << 20)) == (long)(b + (1 << 20)));
	memset(b, 3, 1 << 20);
	CHECK(b[(1 << 20) - 1] == 3);
	CHECK(syscall(SYS_brk, b) == (long)b);
	CHECK(killed_by_segv(in_child(read_byte, b + 4096)));
	CHECK(syscall(SYS_brk, b + 4096) == (long)(b + 4096));
	CHECK(b[0] == 0); /* fresh memory */
	CHECK(syscall(SYS_brk, (char *)4096) == (long)(b + 4096)); /* refused */
	CHECK(syscall(SYS_brk, b) == (long)b);
}

static void
t_errors(void)
{
	int P = PROT_READ | PROT_WRITE, A = MAP_PRIVATE | MAP_ANONYMOUS;
	MERR(mmap(NULL, 0, P, A, -1, 0), EINVAL);
	MERR(mmap(NULL, pg, P, A, -1, 100), EINVAL);
	MERR(mmap(NULL, pg, P, MAP_ANONYMOUS, -1, 0), EINVAL);
	MERR(mmap((void *)0x10001, pg, P, A | MAP_FIXED, -1, 0), EINVAL);
	MERR(mmap(NULL, 1ull << 40, P, A, -1, 0), ENOMEM); /* > all RAM */
	MERR(mmap(NULL, ~0ull - 100, P, A, -1, 0), ENOMEM);
	MERR(mmap((void *)0x7ffffffff000ull, 2 * pg, P, A | MAP_FIXED, -1, 0),
	     ENOMEM);
	char *m = anon(pg, P, MAP_PRIVATE);
	ERR(munmap(m + 1, pg), EINVAL);
	ERR(munmap(m, 0), EINVAL);
	ERR(munmap((void *)0xffff800000000000ull, pg), EINVAL);
	ERR(syscall(SYS_mprotect, m + 1, pg, PROT_READ), EINVAL); /* musl rounds */
	ERR(mprotect(m, pg, 0x100), EINVAL);
	CHECK(mprotect(m, 0, PROT_READ) == 0);
	munmap(m, pg);
	ERR(mprotect(m, pg, PROT_READ), ENOMEM);
	ERR(msync(m, pg, MS_SYNC), ENOMEM);
	ERR(msync(m, pg, MS_SYNC | MS_ASYNC), EINVAL);
}

int
main(void)
{
	t_lazy();
	t_cow();
	t_shared_anon();
	t_file();
	t_split();
	t_mremap();
	t_madvise();
	t_brk();
	t_errors();
	printf("t_mem: %d passed, %d failed\n", pass, fail);
	return fail != 0;
}
