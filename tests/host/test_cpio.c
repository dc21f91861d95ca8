/*
 * test_cpio.c - the newc cpio reader (lib/cpio): archives made by the
 * real cpio tool, hand-made edge cases, and every error on truncated or
 * malformed input (each read checked by ASan on an exactly-sized buffer).
 */
#include "htest.h"
#include "cpio/cpio.h"

#include <stdlib.h>

static size_t
hdr(char *b, const char *name, size_t size, unsigned mode)
{
	size_t ns = strlen(name) + 1, n;
	n = (size_t)sprintf(b, "070701%08x%08x%08x%08x%08x%08x%08zx%08x%08x"
			    "%08x%08x%08zx%08x",
			    1u, mode, 0u, 0u, 1u, 0u, size, 0u, 0u, 0u, 0u, ns,
			    0u);
	memcpy(b + n, name, ns);
	n += ns;
	while (n % 4)
		b[n++] = 0;
	return n;
}

/* Build an archive: "a" (3 bytes), dir "d", "d/b" (0 bytes), trailer. */
static size_t
build(char *b)
{
	size_t n = hdr(b, "a", 3, 0100644);
	memcpy(b + n, "xyz", 3);
	n += 4;
	n += hdr(b + n, "d", 0, 040755);
	n += hdr(b + n, "d/b", 0, 0100600);
	n += hdr(b + n, "TRAILER!!!", 0, 0);
	return n;
}

static void
test_walk(void)
{
	char tmp[1024];
	size_t n = build(tmp), off = 0;
	char *a = malloc(n);
	struct cpio_entry e;

	htest_group("walk a hand-made archive");
	memcpy(a, tmp, n);
	CHECK_EQ(cpio_next(a, n, &off, &e), CPIO_OK);
	CHECK_STR(e.name, "a");
	CHECK_EQ(e.size, 3);
	CHECK(!memcmp(e.data, "xyz", 3));
	CHECK_EQ(e.mode, 0100644);
	CHECK_EQ(cpio_next(a, n, &off, &e), CPIO_OK);
	CHECK_STR(e.name, "d");
	CHECK_EQ(cpio_next(a, n, &off, &e), CPIO_OK);
	CHECK_STR(e.name, "d/b");
	CHECK_EQ(e.size, 0);
	CHECK_EQ(cpio_next(a, n, &off, &e), CPIO_END);
	CHECK_EQ(off, n);
	free(a);
	htest_group_end();
}

static void
test_truncations(void)
{
	char tmp[1024];
	size_t n = build(tmp);

	htest_group("every truncation is an error, never an overread");
	for (size_t len = 0; len < n; len++) {
		char *a = malloc(len ? len : 1);
		size_t off = 0;
		struct cpio_entry e;
		enum cpio_error r = CPIO_OK;
		memcpy(a, tmp, len);
		while (r == CPIO_OK)
			r = cpio_next(a, len, &off, &e);
		CHECKF(r != CPIO_END || off <= len, "len %zu", len);
		free(a);
	}
	htest_group_end();
}

static void
test_malformed(void)
{
	char tmp[1024];
	size_t n = build(tmp), off;
	struct cpio_entry e;

	htest_group("malformed headers");
	tmp[0] = 'x';
	off = 0;
	CHECK_EQ(cpio_next(tmp, n, &off, &e), CPIO_E_MAGIC);
	n = build(tmp);
	tmp[6] = 'g'; /* inode field */
	off = 0;
	CHECK_EQ(cpio_next(tmp, n, &off, &e), CPIO_E_FIELD);
	n = build(tmp);
	memcpy(tmp + 94, "00000000", 8); /* namesize 0 */
	off = 0;
	CHECK_EQ(cpio_next(tmp, n, &off, &e), CPIO_E_NAME);
	n = build(tmp);
	tmp[110 + 1] = 'q'; /* name's NUL replaced */
	off = 0;
	CHECK_EQ(cpio_next(tmp, n, &off, &e), CPIO_E_NAME);
	n = build(tmp);
	memcpy(tmp + 54, "7fffffff", 8); /* file size beyond the archive */
	off = 0;
	CHECK_EQ(cpio_next(tmp, n, &off, &e), CPIO_E_SHORT);
	off = n + 1;
	CHECK_EQ(cpio_next(tmp, n, &off, &e), CPIO_E_SHORT);
	htest_group_end();
}

static void
test_real_cpio(void)
{
	htest_group("an archive written by cpio -H newc");
	FILE *f = popen("d=$(mktemp -d) && cd $d && printf hello > f1 && "
			"mkdir sub && printf 1234567 > sub/f2 && "
			"find . | LC_ALL=C sort | cpio -o -H newc --quiet; "
			"rm -rf $d",
			"r");
	static char a[65536];
	size_t n = f ? fread(a, 1, sizeof a, f) : 0;
	if (f)
		pclose(f);
	if (!n) {
		printf("  (cpio not installed: skipped)\n");
		htest_group_end();
		return;
	}
	size_t off = 0;
	struct cpio_entry e;
	int seen = 0;
	while (cpio_next(a, n, &off, &e) == CPIO_OK) {
		if (!strncmp(e.name, "./", 2))
			e.name += 2; /* GNU cpio writes f1, others ./f1 */
		if (!strcmp(e.name, "f1"))
			seen += CHECK(e.size == 5 && !memcmp(e.data, "hello", 5));
		if (!strcmp(e.name, "sub/f2"))
			seen += CHECK(e.size == 7 &&
				      !memcmp(e.data, "1234567", 7));
	}
	CHECK_EQ(seen, 2);
	htest_group_end();
}

int
main(void)
{
	test_walk();
	test_truncations();
	test_malformed();
	test_real_cpio();
	return htest_finish("test_cpio");
}
