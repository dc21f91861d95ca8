/*
 * htest.h - the few macros every host unit test uses.
 *
 * A test is a sequence of check groups. Each group prints one line
 * ("ok" or "FAIL" with its counts); each failing check also prints where it
 * failed and why. htest_finish prints the one line tools/check.sh reads,
 * "host test_NAME: N passed, M failed", and gives the exit status (non-zero
 * if anything failed). Header only: every test program is one C file plus
 * the code it tests.
 */
#ifndef HTEST_H
#define HTEST_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

struct htest {
	const char *group;	 /* current group, or NULL */
	unsigned g_pass, g_fail; /* checks in the current group */
	unsigned pass, fail;	 /* checks in the whole program */
	unsigned reported;	 /* failure lines printed in this group */
};

static struct htest htest_state;

#define HTEST_MAX_REPORTS 12 /* failure lines per group, then silence */

static inline void
htest_group(const char *name)
{
	htest_state.group = name;
	htest_state.g_pass = htest_state.g_fail = 0;
	htest_state.reported = 0;
}

static inline void
htest_group_end(void)
{
	struct htest *h = &htest_state;
	if (!h->group)
		return;
	if (h->g_fail)
		printf("  FAIL %s: %u passed, %u failed\n", h->group, h->g_pass,
		       h->g_fail);
	else
		printf("  ok   %s: %u checks\n", h->group, h->g_pass);
	fflush(stdout);
	h->group = NULL;
}

/* Record one check; on failure print file:line and a printf message. */
static inline int htest_check(int ok, const char *file, int line,
			      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static inline int
htest_check(int ok, const char *file, int line, const char *fmt, ...)
{
	struct htest *h = &htest_state;
	if (ok) {
		h->g_pass++;
		h->pass++;
		return 1;
	}
	h->g_fail++;
	h->fail++;
	if (h->reported++ < HTEST_MAX_REPORTS) {
		va_list ap;
		printf("    check failed at %s:%d: ", file, line);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
		fflush(stdout);
	}
	return 0;
}

/* CHECK(cond) / CHECKF(cond, fmt, ...): one check. Both evaluate to cond. */
#define CHECK(c)       htest_check(!!(c), __FILE__, __LINE__, "%s", #c)
#define CHECKF(c, ...) htest_check(!!(c), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_EQ(a, b)                                                         \
	({                                                                     \
		unsigned long long a_ = (unsigned long long)(a);               \
		unsigned long long b_ = (unsigned long long)(b);               \
		htest_check(a_ == b_, __FILE__, __LINE__,                      \
			    "%s == %s (%llu != %llu, %#llx != %#llx)", #a, #b, \
			    a_, b_, a_, b_);                                   \
	})
#define CHECK_STR(a, b)                                                        \
	({                                                                     \
		const char *a_ = (a), *b_ = (b);                               \
		htest_check(strcmp(a_, b_) == 0, __FILE__, __LINE__,           \
			    "%s == %s (\"%s\" != \"%s\")", #a, #b, a_, b_);    \
	})

/*
 * Run fn(arg) in a child process and report how it ended: 0 if it
 * returned, else the signal or exit status. For checks whose failure mode
 * is a sanitizer abort (an out-of-bounds read, undefined behaviour): the
 * test goes on and reports the crash as one failed check.
 */
static inline int
htest_isolated(void (*fn)(void *), void *arg)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* The sanitizer report goes to stderr; keep the log short. */
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

/* The last line of every host test; returns main's exit status. */
static inline int
htest_finish(const char *name)
{
	htest_group_end();
	printf("host %s: %u passed, %u failed\n", name, htest_state.pass,
	       htest_state.fail);
	fflush(stdout);
	return htest_state.fail ? 1 : 0;
}

#endif
