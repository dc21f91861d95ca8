/*
 * bench.c - side-by-side micro-benchmarks for UX/RT and Linux.
 *
 * A static program that uses only the Linux system-call ABI (through musl),
 * so that the same binary can run on Linux and on UX/RT.  Each operation is
 * timed with rdtsc, which under QEMU "-icount shift=0,sleep=off" counts guest
 * instructions exactly.  For every operation it prints one line:
 *
 *     BENCH <name> <median> <min> <max> <ops_per_batch>
 *
 * where the values are guest instructions per operation over BATCHES timed
 * batches (after one untimed warm-up batch), or
 *
 *     BENCH <name> unsupported <reason>
 *
 * when a system call the operation needs fails.
 *
 * Usage: bench [name...]      (no name: run every operation in order)
 * Environment: BENCH_TINY (default /bin/tiny) is the program exec'd by
 * fork_exec_wait; BENCH_TMP (default /tmp) is a directory on tmpfs; with
 * BENCH_RAW set it also prints "BENCH-RAW <name> <per-batch values, sorted>".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mark.h"

#define BATCHES 31
#define MIB (1024u * 1024u)
#define SMALL_FILE_SIZE 100

/* From <linux/futex.h>, which musl-gcc does not provide. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1

/* State shared by one operation's setup, timed batches and teardown. */
struct ctx {
	int fd_out;          /* parent's end towards the child / file written */
	int fd_in;           /* parent's end from the child */
	pid_t child;         /* helper process, or 0 */
	int *shared;         /* MAP_SHARED page: futex word, yield counters */
	char *buf;           /* data buffer */
	size_t len;          /* bytes per message / file size */
	char path[256];      /* file used by the operation */
	char err[320];       /* why the operation is unsupported */
};

/* One benchmarked operation. Exactly one of op and batch is set. */
struct bench {
	const char *name;
	unsigned n;                                  /* operations per batch */
	int (*setup)(struct ctx *c);                 /* may be NULL */
	int (*op)(struct ctx *c);                    /* one operation */
	int (*batch)(struct ctx *c, unsigned n,      /* custom timed batch */
		     uint64_t *instr, uint64_t *ops);
	void (*teardown)(struct ctx *c);             /* may be NULL */
};

/* ---- helpers ---------------------------------------------------------- */

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Records "what: strerror(errno)" as the reason and returns -1. */
static int fail(struct ctx *c, const char *what)
{
	int e = errno;

	snprintf(c->err, sizeof c->err, "%s: %s", what, strerror(e));
	return -1;
}

static int read_full(int fd, char *p, size_t len)
{
	while (len > 0) {
		ssize_t r = read(fd, p, len);

		if (r <= 0) {
			if (r == 0)
				errno = EPIPE;
			return -1;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static int write_full(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t r = write(fd, p, len);

		if (r < 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static long futex(int *uaddr, int op, int val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static int load(int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static void store(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

static int map_shared_page(struct ctx *c)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return fail(c, "mmap MAP_SHARED");
	c->shared = p;
	return 0;
}

static int alloc_buf(struct ctx *c, size_t len)
{
	c->buf = malloc(len);
	if (c->buf == NULL)
		return fail(c, "malloc");
	memset(c->buf, 'x', len);
	c->len = len;
	return 0;
}

static void reap_child(struct ctx *c)
{
	if (c->child > 0)
		waitpid(c->child, NULL, 0);
	c->child = 0;
}

static void close_fds(struct ctx *c)
{
	if (c->fd_out >= 0)
		close(c->fd_out);
	if (c->fd_in >= 0 && c->fd_in != c->fd_out)
		close(c->fd_in);
	c->fd_out = c->fd_in = -1;
}

/* Child side of the ping-pong benchmarks: echo len-byte messages. */
static _Noreturn void echo_loop(int in, int out, size_t len)
{
	char *buf = malloc(len);

	while (buf != NULL && read_full(in, buf, len) == 0 &&
	       write_full(out, buf, len) == 0)
		;
	_exit(0);
}

/* ---- getppid ---------------------------------------------------------- */

static int op_getppid(struct ctx *c)
{
	(void)c;
	return getppid() < 0 ? -1 : 0;
}

/* ---- pipe and UNIX-socket round trips ---------------------------------- */

static int setup_pipe(struct ctx *c, size_t len)
{
	int down[2], up[2];

	if (alloc_buf(c, len) < 0)
		return -1;
	if (pipe(down) < 0 || pipe(up) < 0)
		return fail(c, "pipe");
	c->child = fork();
	if (c->child < 0)
		return fail(c, "fork");
	if (c->child == 0) {
		close(down[1]);
		close(up[0]);
		echo_loop(down[0], up[1], len);
	}
	close(down[0]);
	close(up[1]);
	c->fd_out = down[1];
	c->fd_in = up[0];
	return 0;
}

static int setup_pipe_1(struct ctx *c)
{
	return setup_pipe(c, 1);
}

static int setup_pipe_4k(struct ctx *c)
{
	return setup_pipe(c, 4096);
}

static int setup_unix(struct ctx *c)
{
	int sv[2];

	if (alloc_buf(c, 1) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return fail(c, "socketpair");
	c->child = fork();
	if (c->child < 0)
		return fail(c, "fork");
	if (c->child == 0) {
		close(sv[0]);
		echo_loop(sv[1], sv[1], 1);
	}
	close(sv[1]);
	c->fd_out = c->fd_in = sv[0];
	return 0;
}

static int op_round_trip(struct ctx *c)
{
	if (write_full(c->fd_out, c->buf, c->len) < 0)
		return fail(c, "write");
	if (read_full(c->fd_in, c->buf, c->len) < 0)
		return fail(c, "read");
	return 0;
}

static void teardown_echo(struct ctx *c)
{
	close_fds(c);
	reap_child(c);
}

/* ---- futex round trip between two processes --------------------------- */

enum { FX_IDLE = 0, FX_REQUEST = 1, FX_STOP = 2 };

static _Noreturn void futex_child(int *w)
{
	for (;;) {
		int v = load(w);

		if (v == FX_STOP)
			_exit(0);
		if (v == FX_REQUEST) {
			store(w, FX_IDLE);
			futex(w, FUTEX_WAKE, 1);
			continue;
		}
		futex(w, FUTEX_WAIT, v);
	}
}

static int setup_futex(struct ctx *c)
{
	if (map_shared_page(c) < 0)
		return -1;
	store(&c->shared[0], FX_IDLE);
	c->child = fork();
	if (c->child < 0)
		return fail(c, "fork");
	if (c->child == 0)
		futex_child(&c->shared[0]);
	return 0;
}

static int op_futex(struct ctx *c)
{
	int *w = &c->shared[0];

	store(w, FX_REQUEST);
	if (futex(w, FUTEX_WAKE, 1) < 0)
		return fail(c, "futex wake");
	while (load(w) == FX_REQUEST)
		if (futex(w, FUTEX_WAIT, FX_REQUEST) < 0 && errno != EAGAIN &&
		    errno != EINTR)
			return fail(c, "futex wait");
	return 0;
}

static void teardown_futex(struct ctx *c)
{
	if (c->child > 0) {
		store(&c->shared[0], FX_STOP);
		futex(&c->shared[0], FUTEX_WAKE, 1);
	}
	reap_child(c);
}

/* ---- sched_yield ping-pong --------------------------------------------- */

/* shared[0]: stop flag; shared[1]: number of yields done by the child. */

/*
 * Yields until the child has yielded a few times.  Linux's CFS starts a
 * forked child one time slice ahead of its parent, and until the parent has
 * caught up its sched_yield() calls return without switching; measuring
 * then would time the yield system call alone, not the ping-pong.
 */
static int wait_alternation(struct ctx *c)
{
	for (long i = 0; i < 10000000 && load(&c->shared[1]) < 10; i++)
		if (sched_yield() < 0)
			return fail(c, "sched_yield");
	if (load(&c->shared[1]) < 10) {
		snprintf(c->err, sizeof c->err, "child never ran after yield");
		return -1;
	}
	return 0;
}

static int setup_yield(struct ctx *c)
{
	if (map_shared_page(c) < 0)
		return -1;
	c->child = fork();
	if (c->child < 0)
		return fail(c, "fork");
	if (c->child == 0) {
		while (!load(&c->shared[0])) {
			sched_yield();
			store(&c->shared[1], load(&c->shared[1]) + 1);
		}
		_exit(0);
	}
	return wait_alternation(c);
}

/* Per yield: the parent's n yields plus those the child did meanwhile. */
static int batch_yield(struct ctx *c, unsigned n, uint64_t *instr,
		       uint64_t *ops)
{
	int before = load(&c->shared[1]);
	mark_start();
	uint64_t t0 = rdtsc();

	for (unsigned i = 0; i < n; i++)
		if (sched_yield() < 0)
			return fail(c, "sched_yield");
	*instr = rdtsc() - t0;
	mark_stop();
	*ops = n + (uint64_t)(load(&c->shared[1]) - before);
	return 0;
}

static void teardown_yield(struct ctx *c)
{
	if (c->shared == NULL)
		return;
	store(&c->shared[0], 1);
	reap_child(c);
}

/* ---- fork+_exit+wait and fork+execve+wait ------------------------------ */

static int wait_ok(struct ctx *c, pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return fail(c, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(c->err, sizeof c->err,
			 "child failed (status %#x)", (unsigned)status);
		return -1;
	}
	return 0;
}

static int op_fork_exit(struct ctx *c)
{
	pid_t pid = fork();

	if (pid < 0)
		return fail(c, "fork");
	if (pid == 0)
		_exit(0);
	return wait_ok(c, pid);
}

static int setup_exec(struct ctx *c)
{
	const char *tiny = getenv("BENCH_TINY");

	snprintf(c->path, sizeof c->path, "%s", tiny ? tiny : "/bin/tiny");
	if (access(c->path, X_OK) < 0)
		return fail(c, c->path);
	return 0;
}

static int op_fork_exec(struct ctx *c)
{
	char *argv[] = { c->path, NULL };
	char *envp[] = { NULL };
	pid_t pid = fork();

	if (pid < 0)
		return fail(c, "fork");
	if (pid == 0) {
		execve(c->path, argv, envp);
		_exit(127);
	}
	return wait_ok(c, pid);
}

/* ---- tmpfs files -------------------------------------------------------- */

static void tmp_path(struct ctx *c, const char *file)
{
	const char *dir = getenv("BENCH_TMP");

	snprintf(c->path, sizeof c->path, "%s/%s", dir ? dir : "/tmp", file);
}

static int create_file(struct ctx *c, size_t len)
{
	if (alloc_buf(c, len) < 0)
		return -1;
	c->fd_out = open(c->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (c->fd_out < 0)
		return fail(c, "open O_CREAT");
	if (write_full(c->fd_out, c->buf, len) < 0)
		return fail(c, "write");
	return 0;
}

static int setup_small_file(struct ctx *c)
{
	tmp_path(c, "bench-small");
	if (create_file(c, SMALL_FILE_SIZE) < 0)
		return -1;
	close_fds(c);
	return 0;
}

static int op_open_read_close(struct ctx *c)
{
	int fd = open(c->path, O_RDONLY);

	if (fd < 0)
		return fail(c, "open");
	if (read(fd, c->buf, c->len) != (ssize_t)c->len)
		return fail(c, "read");
	if (close(fd) < 0)
		return fail(c, "close");
	return 0;
}

static int setup_big_file(struct ctx *c)
{
	tmp_path(c, "bench-1m");
	return create_file(c, MIB);
}

/* Overwrites the 1 MiB file in one pwrite, then reads it in one pread. */
static int op_rw_1m(struct ctx *c)
{
	if (pwrite(c->fd_out, c->buf, c->len, 0) != (ssize_t)c->len)
		return fail(c, "pwrite");
	if (pread(c->fd_out, c->buf, c->len, 0) != (ssize_t)c->len)
		return fail(c, "pread");
	return 0;
}

static void teardown_file(struct ctx *c)
{
	close_fds(c);
	unlink(c->path);
}

/* ---- page faults on fresh anonymous memory ----------------------------- */

/* Times only the first write to each of n fresh pages, not mmap/munmap. */
static int batch_fault(struct ctx *c, unsigned n, uint64_t *instr,
		       uint64_t *ops)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	volatile char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t t0;

	if (p == MAP_FAILED)
		return fail(c, "mmap");
	mark_start();
	t0 = rdtsc();
	for (unsigned i = 0; i < n; i++)
		p[i * page] = 1;
	*instr = rdtsc() - t0;
	mark_stop();
	*ops = n;
	if (munmap((void *)p, n * page) < 0)
		return fail(c, "munmap");
	return 0;
}

/* ---- driver ------------------------------------------------------------ */

static const struct bench benches[] = {
	{ "getppid", 1000, NULL, op_getppid, NULL, NULL },
	{ "pipe_rt_1b", 100, setup_pipe_1, op_round_trip, NULL, teardown_echo },
	{ "pipe_rt_4k", 100, setup_pipe_4k, op_round_trip, NULL,
	  teardown_echo },
	{ "futex_rt", 100, setup_futex, op_futex, NULL, teardown_futex },
	{ "sched_yield", 200, setup_yield, NULL, batch_yield, teardown_yield },
	{ "fork_exit_wait", 10, NULL, op_fork_exit, NULL, NULL },
	{ "fork_exec_wait", 5, setup_exec, op_fork_exec, NULL, NULL },
	{ "open_read_close", 100, setup_small_file, op_open_read_close, NULL,
	  teardown_file },
	{ "tmpfs_rw_1m", 2, setup_big_file, op_rw_1m, NULL, teardown_file },
	{ "page_fault", 256, NULL, NULL, batch_fault, NULL },
	{ "unix_rt", 100, setup_unix, op_round_trip, NULL, teardown_echo },
};

/* Runs one batch of n operations; stores instructions and ops done. */
static int run_batch(const struct bench *b, struct ctx *c, uint64_t *instr,
		     uint64_t *ops)
{
	uint64_t t0;

	if (b->batch != NULL)
		return b->batch(c, b->n, instr, ops);
	mark_start();
	t0 = rdtsc();
	for (unsigned i = 0; i < b->n; i++)
		if (b->op(c) < 0)
			return -1;
	*instr = rdtsc() - t0;
	mark_stop();
	*ops = b->n;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Warm-up batch, then BATCHES timed ones; per_op gets sorted results,
 * *all_ops the operations of every batch, the warm-up's too (what
 * tools/insncount's counts cover: the batches are its region id). */
static int measure(const struct bench *b, struct ctx *c, uint64_t *per_op,
		   uint64_t *all_ops)
{
	uint64_t instr, ops;

	mark_region((unsigned)(b - benches));
	if (run_batch(b, c, &instr, &ops) < 0)
		return -1;
	*all_ops = ops;
	for (int i = 0; i < BATCHES; i++) {
		if (run_batch(b, c, &instr, &ops) < 0)
			return -1;
		*all_ops += ops;
		per_op[i] = ops ? (instr + ops / 2) / ops : 0;
	}
	qsort(per_op, BATCHES, sizeof per_op[0], cmp_u64);
	return 0;
}

/* With BENCH_RAW set: every batch's instructions per operation, sorted. */
static void print_raw(const char *name, const uint64_t *per_op)
{
	printf("BENCH-RAW %s", name);
	for (int i = 0; i < BATCHES; i++)
		printf(" %llu", (unsigned long long)per_op[i]);
	printf("\n");
}

static void run_bench(const struct bench *b)
{
	struct ctx c = { .fd_out = -1, .fd_in = -1 };
	uint64_t per_op[BATCHES], all_ops = 0;
	int ok = (b->setup == NULL || b->setup(&c) == 0) &&
		 measure(b, &c, per_op, &all_ops) == 0;

	if (b->teardown != NULL)
		b->teardown(&c);
	if (ok && per_op[0] == 0) {
		snprintf(c.err, sizeof c.err, "zero instructions measured");
		ok = 0;
	}
	if (ok && getenv("BENCH_RAW") != NULL)
		print_raw(b->name, per_op);
	if (ok)
		printf("BENCH %s %llu %llu %llu %u\n", b->name,
		       (unsigned long long)per_op[BATCHES / 2],
		       (unsigned long long)per_op[0],
		       (unsigned long long)per_op[BATCHES - 1], b->n);
	if (ok)
		printf("BENCH-OPS %s region %u ops %llu\n", b->name,
		       (unsigned)(b - benches), (unsigned long long)all_ops);
	else
		printf("BENCH %s unsupported %s\n", b->name, c.err);
	fflush(stdout);
	free(c.buf);
}

static const struct bench *find_bench(const char *name)
{
	for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++)
		if (strcmp(benches[i].name, name) == 0)
			return &benches[i];
	return NULL;
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2) {
		for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++)
			run_bench(&benches[i]);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		const struct bench *b = find_bench(argv[i]);

		if (b != NULL) {
			run_bench(b);
		} else {
			fprintf(stderr, "bench: unknown operation %s\n", argv[i]);
			status = 2;
		}
	}
	return status;
}
