/*
 * test_fmt.c - host unit test of lib/fmt/fmt.c (fmt_snprintf and
 * fmt_vformat, the formatter behind printk and the user library's printf).
 *
 * The reference is the host C library's snprintf: for every conversion
 * fmt.h promises (%d %i %u %x %X %o %p %c %s %%), every combination of the
 * flags - 0 # + space, of widths and precisions (literal and *), and of the
 * length modifiers hh h l ll z t, over boundary values, both must produce
 * the same bytes and the same return value. Combinations whose meaning C
 * leaves undefined (# with d/i/u, + or space with unsigned conversions in
 * the big grid) are left out of the comparison; the flags that C defines as
 * having no effect on unsigned conversions get their own group. Also:
 * truncation at every buffer size with no write past the end, size 0 with
 * a NULL buffer, NULL %s, and the reads a precision must bound.
 *
 * Format strings are built at run time, so they are passed as non-literal
 * formats; the argument types are chosen to match each one exactly.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "fmt/fmt.h"
#include "htest.h"

#define BUF  512
#define FILL 0x5a

typedef int (*snprintf_fn)(char *, size_t, const char *, ...);

/* Hide a value from the compiler, so that formats and arguments chosen to
 * probe edge cases are not diagnosed (or folded) at compile time. */
static const char *
opaque(const char *s)
{
	__asm__("" : "+r"(s));
	return s;
}

/* Call snprintf or fmt_snprintf into a pre-filled buffer. */
static int
both(char *ref, char *got, size_t size, int *rr, int *rg, const char *f, ...)
{
	va_list ap, aq;
	memset(ref, FILL, BUF);
	memset(got, FILL, BUF);
	va_start(ap, f);
	va_copy(aq, ap);
	*rr = vsnprintf(size ? ref : NULL, size, f, ap);
	*rg = fmt_vsnprintf(size ? got : NULL, size, f, aq);
	va_end(aq);
	va_end(ap);
	return *rr == *rg && memcmp(ref, got, BUF) == 0;
}

/* Compare one format with its arguments; report the first differences. */
#define SAME(f, ...)                                                           \
	({                                                                     \
		char r_[BUF], g_[BUF];                                         \
		int rr_, rg_;                                                  \
		int ok_ = both(r_, g_, BUF, &rr_, &rg_, f, __VA_ARGS__);       \
		CHECKF(ok_,                                                    \
		       "format \"%s\": libc \"%s\" (%d), fmt \"%s\" (%d)", f,  \
		       r_, rr_, g_, rg_);                                      \
	})

/* --- the grid: integer conversions ------------------------------------ */

enum kind {
	K_INT,
	K_UINT,
	K_LONG,
	K_ULONG,
	K_LLONG,
	K_ULLONG,
	K_SSIZE,
	K_SIZE,
	K_PTRDIFF
};

struct len {
	const char *mod;
	enum kind s, u; /* argument kind for signed / unsigned conversions */
	int64_t vals[10];
	unsigned nvals;
};

static const struct len lens[] = {
    {"hh",
     K_INT,
     K_UINT,
     {0, 1, -1, 42, 127, -128, 255, 300, -129, 0x1234},
     10},
    {"h",
     K_INT,
     K_UINT,
     {0, 1, -1, 42, 32767, -32768, 65535, 70000, -70000, 0x12345},
     10},
    {"",
     K_INT,
     K_UINT,
     {0, 1, -1, 42, INT_MAX, INT_MIN, 7, -7, 0x7fff, 1000000},
     10},
    {"l",
     K_LONG,
     K_ULONG,
     {0, 1, -1, 42, LONG_MAX, LONG_MIN, 1234567890123LL, -99, 8, 0},
     9},
    {"ll",
     K_LLONG,
     K_ULLONG,
     {0, 1, -1, 42, LLONG_MAX, LLONG_MIN, -1234567890123LL, 64, 9, 0},
     9},
    {"z", K_SSIZE, K_SIZE, {0, 1, -1, 42, 123456, -123456, 4096, 0, 0, 0}, 7},
    {"t", K_PTRDIFF, K_SIZE, {0, 1, -1, 42, 65536, -65536, 0, 0, 0, 0}, 6},
};

/* Run one format with n star arguments (s1, s2) before a value of kind k. */
static int
call(snprintf_fn fn, char *buf, const char *f, int n, int s1, int s2,
     enum kind k, int64_t v)
{
#define CALL3(val)                                                             \
	(n == 0	  ? fn(buf, BUF, f, val)                                       \
	 : n == 1 ? fn(buf, BUF, f, s1, val)                                   \
		  : fn(buf, BUF, f, s1, s2, val))
	switch (k) {
	case K_INT:
		return CALL3((int)v);
	case K_UINT:
		return CALL3((unsigned)v);
	case K_LONG:
		return CALL3((long)v);
	case K_ULONG:
		return CALL3((unsigned long)v);
	case K_LLONG:
		return CALL3((long long)v);
	case K_ULLONG:
		return CALL3((unsigned long long)v);
	case K_SSIZE:
		return CALL3((ssize_t)v);
	case K_SIZE:
		return CALL3((size_t)v);
	case K_PTRDIFF:
		return CALL3((ptrdiff_t)v);
	}
#undef CALL3
	return -1;
}

static const char *const widths[] = {"", "1", "5", "21", "*", "*"};
static const int width_star[] = {0, 0, 0, 0, 7, -7};
static const char *const precs[] = {"", ".", ".0", ".1", ".5", ".*", ".*"};
static const int prec_star[] = {0, 0, 0, 0, 0, 3, -1};

static int
snprintf_ref(char *b, size_t n, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int r = vsnprintf(b, n, f, ap);
	va_end(ap);
	return r;
}

/* One conversion with one length modifier over the whole grid; returns the
 * number of combinations that differ (the first few are printed). */
static unsigned
grid(char conv, const struct len *l, unsigned *tried)
{
	bool is_signed = conv == 'd' || conv == 'i';
	unsigned bad = 0;

	for (unsigned flags = 0; flags < 32; flags++) {
		if (is_signed || conv == 'u') {
			if (flags & 4) /* '#': undefined for d, i, u */
				continue;
		}
		if (!is_signed && (flags & (8 | 16)))
			continue; /* '+', ' ': see the unsigned_flags group */
		char fl[8];
		int nf = 0;
		if (flags & 1)
			fl[nf++] = '-';
		if (flags & 2)
			fl[nf++] = '0';
		if (flags & 4)
			fl[nf++] = '#';
		if (flags & 8)
			fl[nf++] = '+';
		if (flags & 16)
			fl[nf++] = ' ';
		fl[nf] = '\0';
		for (unsigned w = 0; w < 6; w++) {
			for (unsigned p = 0; p < 7; p++) {
				char f[64];
				snprintf(f, sizeof f, "[%%%s%s%s%s%c]", fl,
					 widths[w], precs[p], l->mod, conv);
				int n = 0, s1 = 0, s2 = 0;
				if (width_star[w])
					s1 = width_star[w], n++;
				if (prec_star[p]) {
					if (n)
						s2 = prec_star[p];
					else
						s1 = prec_star[p];
					n++;
				}
				for (unsigned i = 0; i < l->nvals; i++) {
					char r[BUF], g[BUF];
					enum kind k = is_signed ? l->s : l->u;
					memset(r, FILL, BUF);
					memset(g, FILL, BUF);
					int rr = call(snprintf_ref, r, f, n, s1,
						      s2, k, l->vals[i]);
					int rg = call(fmt_snprintf, g, f, n, s1,
						      s2, k, l->vals[i]);
					(*tried)++;
					if (rr == rg && !memcmp(r, g, BUF))
						continue;
					if (bad++ < 4)
						printf("    \"%s\" (%d, %d, "
						       "%lld): libc \"%s\" %d,"
						       " fmt \"%s\" %d\n",
						       f, s1, s2,
						       (long long)l->vals[i], r,
						       rr, g, rg);
				}
			}
		}
	}
	return bad;
}

static void
test_grid(void)
{
	static const char convs[] = "diuxXo";
	htest_group("integer conversions x flags x width x precision x length");
	unsigned total = 0;
	for (const char *c = convs; *c; c++) {
		for (unsigned i = 0; i < sizeof lens / sizeof lens[0]; i++) {
			unsigned tried = 0;
			unsigned bad = grid(*c, &lens[i], &tried);
			total += tried;
			CHECKF(bad == 0 && tried > 0,
			       "%%%s%c: %u of %u combinations differ",
			       lens[i].mod, *c, bad, tried);
		}
	}
	printf("    (%u combinations compared)\n", total);
	htest_group_end();
}

/* --- smaller groups ----------------------------------------------------- */

static void
test_plain(void)
{
	htest_group("plain text, %%, empty format");
	SAME("%s", "");
	SAME("hello, world%s", "");
	SAME("100%% sure%s", "");
	SAME("%%%%%s%%", "x");
	char b[8];
	CHECK_EQ(fmt_snprintf(b, sizeof b, "%s", ""), 0);
	CHECK_STR(b, "");
	htest_group_end();
}

static void
test_chars(void)
{
	htest_group("%c: width, left, NUL");
	static const char *const f[] = {"%c",	"%1c", "%5c",
					"%-5c", "%*c", "[%c|%c]"};
	for (unsigned i = 0; i < 4; i++) {
		SAME(f[i], 'x');
		SAME(f[i], 0xe9); /* a byte >= 0x80 */
	}
	SAME(f[4], 4, 'q');
	SAME(f[4], -4, 'q');
	SAME(f[5], 'a', 'b');
	SAME("%c", 0); /* a NUL byte is output and counted */
	SAME("a%cb", 0);
	htest_group_end();
}

static void
test_strings(void)
{
	htest_group("%s: width, precision, left, *");
	static const char *const strs[] = {"", "a", "hello", "exactly-ten",
					   "0123456789012345678901234567890"};
	static const char *const f[] = {"%s",	  "%1s",  "%8s",   "%-8s",
					"%.0s",	  "%.3s", "%.20s", "%8.3s",
					"%-8.3s", "%40s", "%-40s|"};
	for (unsigned s = 0; s < 5; s++) {
		for (unsigned i = 0; i < sizeof f / sizeof f[0]; i++)
			SAME(f[i], strs[s]);
		SAME("%*s", 6, strs[s]);
		SAME("%*s", -6, strs[s]);
		SAME("%.*s", 2, strs[s]);
		SAME("%.*s", -2, strs[s]); /* negative: as if omitted */
		SAME("%*.*s", 9, 4, strs[s]);
	}
	char big[300];
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	SAME("<%s>", big);
	SAME("<%.255s>", big);
	htest_group_end();
}

static void
test_null_string(void)
{
	/* C leaves NULL %s undefined; fmt promises "(null)" (as glibc). */
	htest_group("NULL %s");
	const char *nul = opaque(NULL);
	const char *fs = opaque("%s"), *fw = opaque("%8s");
	const char *fl = opaque("%-8s|"), *fp = opaque("%.6s");
	char b[32];
	CHECK_EQ(fmt_snprintf(b, sizeof b, fs, nul), 6);
	CHECK_STR(b, "(null)");
	CHECK_EQ(fmt_snprintf(b, sizeof b, fw, nul), 8);
	CHECK_STR(b, "  (null)");
	CHECK_EQ(fmt_snprintf(b, sizeof b, fl, nul), 9);
	CHECK_STR(b, "(null)  |");
	CHECK_EQ(fmt_snprintf(b, sizeof b, fp, nul), 6);
	CHECK_STR(b, "(null)");
	SAME(fs, nul);
	SAME(fw, nul);
	htest_group_end();
}

static void
test_pointers(void)
{
	htest_group("%p: non-NULL like libc; NULL");
	int x;
	void *ps[] = {&x, (void *)1, (void *)0xdeadbeef,
		      (void *)0x7fffffffffffull, (void *)UINTPTR_MAX};
	static const char *const f[] = {"%p", "%20p", "%-20p|", "%1p", "[%p]"};
	for (unsigned i = 0; i < 5; i++)
		for (unsigned j = 0; j < 5; j++)
			SAME(f[j], ps[i]);
	/* NULL is implementation-defined: glibc prints "(nil)", fmt "0". */
	char b[16];
	CHECK_EQ(fmt_snprintf(b, sizeof b, "%p", NULL), 1);
	CHECK_STR(b, "0");
	htest_group_end();
}

/* C: '+' and ' ' concern signed conversions only; glibc ignores them for
 * u, o, x, X. */
static void
test_unsigned_flags(void)
{
	htest_group("'+' and ' ' have no effect on u o x X");
	static const char *const f[] = {"%+u", "% u", "%+o", "% o",  "%+x",
					"% x", "%+X", "% X", "%+5u", "% #x"};
	for (unsigned i = 0; i < sizeof f / sizeof f[0]; i++)
		SAME(f[i], 42u);
	htest_group_end();
}

static void
test_mixed(void)
{
	htest_group("several conversions in one format");
	SAME("%d %s %x %c %lu%%", -5, "str", 255u, 'c', 99ul);
	SAME("%-6d|%06d|%+d|% d", 12, -12, 12, 12);
	SAME("%#x %#o %#X %#.3x", 0x1fu, 8u, 0xabu, 1u);
	SAME("%lld %llu %hhd %hu %zu %td", LLONG_MIN, ULLONG_MAX, 200, 70000,
	     (size_t)SIZE_MAX, (ptrdiff_t)-3);
	SAME("%*d|%-*d|%.*d", 5, 1, 5, 2, 3, 4);
	htest_group_end();
}

/* Truncation: every buffer size from 0 to past the length. */
static void
test_truncation(void)
{
	htest_group("truncation, return value, no write past size");
	static const char *const f = "abc %d %s %08x %c end";
	int len = snprintf(NULL, 0, f, -123, "string", 0xbeefu, 'Z');
	for (int size = 0; size <= len + 3; size++) {
		char r[BUF], g[BUF];
		int rr, rg;
		int ok = both(r, g, (size_t)size, &rr, &rg, f, -123, "string",
			      0xbeefu, 'Z');
		CHECKF(ok && rg == len,
		       "size %d: libc %d \"%.*s\", fmt %d "
		       "\"%.*s\"",
		       size, rr, size, r, rg, size, g);
		/* Nothing beyond size was touched. */
		bool clean = true;
		for (int i = size; i < BUF; i++)
			clean &= (unsigned char)g[i] == FILL;
		CHECKF(clean, "size %d: fmt wrote past the buffer", size);
	}
	CHECK_EQ(fmt_snprintf(NULL, 0, "%d", 123456), 6);
	CHECK_EQ(fmt_snprintf(NULL, 0, "%s", "0123456789"), 10);
	char one[1] = {'x'};
	CHECK_EQ(fmt_snprintf(one, 1, "%s", "abc"), 3);
	CHECK_EQ(one[0], '\0');
	htest_group_end();
}

static void
count_out(char c, void *arg)
{
	(void)c;
	(*(unsigned *)arg)++;
}

static int
vformat_count(unsigned *n, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int r = fmt_vformat(count_out, n, f, ap);
	va_end(ap);
	return r;
}

static void
test_vformat(void)
{
	htest_group("fmt_vformat: sink sees every character");
	unsigned n = 0;
	int r = vformat_count(&n, "%s=%5d%c", "key", 42, 0);
	CHECK_EQ(r, 10);
	CHECK_EQ(n, 10);
	htest_group_end();
}

/* What fmt does with what it does not support: no crash, no argument
 * consumed, no write through %n. */
static void
test_unsupported(void)
{
	htest_group("unsupported conversions are printed, not obeyed");
	char b[32];
	const char *fq = opaque("%q"), *fn = opaque("a%nb");
	const char *fend = opaque("abc%");
	CHECK_EQ(fmt_snprintf(b, sizeof b, fq), 2);
	CHECK_STR(b, "%q");
	CHECK_EQ(fmt_snprintf(b, sizeof b, fn), 4);
	CHECK_STR(b, "a%nb");
	CHECK_EQ(fmt_snprintf(b, sizeof b, fend), 3);
	CHECK_STR(b, "abc");
	htest_group_end();
}

/* A precision bounds how much of the array %s may read (C11 7.21.6.1p8:
 * the array need not be NUL-terminated if the precision is smaller than
 * its size). Runs in a child: the failure is an ASan abort. */
static void
prec_read_child(void *arg)
{
	(void)arg;
	char *p = malloc(3); /* exactly "abc", no NUL after it */
	memcpy(p, "abc", 3);
	char b[8];
	const char *f = opaque("%.3s");
	int r = fmt_snprintf(b, sizeof b, f, p);
	free(p);
	_exit(r == 3 && strcmp(b, "abc") == 0 ? 0 : 1);
}

static void
width_min_child(void *arg)
{
	(void)arg;
	char b[8];
	const char *f = opaque("%*d");
	fmt_snprintf(b, sizeof b, f, INT_MIN, 1);
	_exit(0);
}

static void
width_digits_child(void *arg)
{
	(void)arg;
	char b[8];
	const char *f = opaque("%4294967297d|%.4294967297d");
	fmt_snprintf(b, sizeof b, f, 1, 2);
	_exit(0);
}

static void
test_bounds(void)
{
	htest_group("%.Ns reads at most N bytes; extreme widths");
	int st = htest_isolated(prec_read_child, NULL);
	CHECKF(st == 0,
	       "%%.3s of a 3-byte array without NUL: child ended "
	       "with %d (ASan: read past the array)",
	       st);
	st = htest_isolated(width_min_child, NULL);
	CHECKF(st == 0,
	       "%%*d with width INT_MIN: child ended with %d "
	       "(UBSan: -INT_MIN overflows in parse_spec)",
	       st);
	st = htest_isolated(width_digits_child, NULL);
	CHECKF(st == 0,
	       "width/precision of 10 digits: child ended with %d "
	       "(UBSan: int overflow accumulating digits in parse_spec)",
	       st);
	htest_group_end();
}

int
main(void)
{
	test_plain();
	test_chars();
	test_strings();
	test_null_string();
	test_pointers();
	test_mixed();
	test_grid();
	test_unsigned_flags();
	test_truncation();
	test_vformat();
	test_unsupported();
	test_bounds();
	return htest_finish("test_fmt");
}
