/*
 * test_string.c - host unit test of lib/string/string.c, the freestanding
 * string functions of the kernel and the user library, against the host
 * C library: every function over every length and alignment of short
 * buffers, overlapping memmove both ways, and strlcpy's truncation (no
 * byte written past the size, the source's length returned).
 *
 * The library's names are the C library's, so it is compiled here under
 * other names (lib_memcpy, ...: see the Makefile rule).
 */
#include <stdio.h>
#include <string.h>

#include "htest.h"

void *lib_memset(void *d, int c, size_t n);
void *lib_memcpy(void *d, const void *s, size_t n);
void *lib_memmove(void *d, const void *s, size_t n);
int lib_memcmp(const void *a, const void *b, size_t n);
void *lib_memchr(const void *s, int c, size_t n);
size_t lib_strlcpy(char *d, const char *s, size_t n);
size_t lib_strlen(const char *s);
int lib_strcmp(const char *a, const char *b);
int lib_strncmp(const char *a, const char *b, size_t n);
char *lib_strstr(const char *h, const char *n);
char *lib_strrchr(const char *s, int c);
char *lib_strchr(const char *s, int c);

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

static void
memory(void)
{
	unsigned char a[80], b[80], c[80];
	htest_group("memset, memcpy, memmove, memcmp, memchr");
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n < 40; n++) {
			for (size_t i = 0; i < sizeof a; i++)
				a[i] = b[i] = (unsigned char)(i * 7 + 1);
			CHECK(lib_memset(a + off, 0xAB, n) == a + off);
			memset(b + off, 0xAB, n);
			CHECK(!memcmp(a, b, sizeof a));
			for (size_t i = 0; i < sizeof c; i++)
				c[i] = (unsigned char)(200 - i);
			CHECK(lib_memcpy(a + off, c + 3, n) == a + off);
			memcpy(b + off, c + 3, n);
			CHECK(!memcmp(a, b, sizeof a));
			CHECK(lib_memmove(a + off + 5, a + off, n) == a + off + 5);
			memmove(b + off + 5, b + off, n);
			CHECK(!memcmp(a, b, sizeof a));
			lib_memmove(a + off, a + off + 3, n);
			memmove(b + off, b + off + 3, n);
			CHECK(!memcmp(a, b, sizeof a));
			CHECK(sign(lib_memcmp(a, c, n)) == sign(memcmp(a, c, n)));
			CHECK(lib_memcmp(a, b, n) == 0);
			int k = n ? a[off + n / 2] : 0;
			CHECK(lib_memchr(a + off, k, n) == memchr(a + off, k, n));
			CHECK(lib_memchr(a + off, 0x1FF, n) ==
			      memchr(a + off, 0x1FF, n)); /* as unsigned char */
		}
	htest_group_end();
}

static void
strings(void)
{
	static const char *s[] = {"", "a", "ab", "abc", "abd", "b", "ba",
				  "hello/world", "/tmp/x", "aaab"};
	unsigned n = sizeof s / sizeof s[0];
	htest_group("strlen, strcmp, strncmp, strstr, strchr, strrchr");
	for (unsigned i = 0; i < n; i++) {
		CHECK_EQ(lib_strlen(s[i]), strlen(s[i]));
		CHECK(lib_strchr(s[i], 'b') == strchr(s[i], 'b'));
		CHECK(lib_strchr(s[i], 0) == strchr(s[i], 0));
		CHECK(lib_strrchr(s[i], 'a') == strrchr(s[i], 'a'));
		for (unsigned j = 0; j < n; j++) {
			CHECK(sign(lib_strcmp(s[i], s[j])) ==
			      sign(strcmp(s[i], s[j])));
			for (size_t k = 0; k < 5; k++)
				CHECK(sign(lib_strncmp(s[i], s[j], k)) ==
				      sign(strncmp(s[i], s[j], k)));
			CHECK(lib_strstr(s[i], s[j]) == strstr(s[i], s[j]));
		}
	}
	htest_group_end();

	htest_group("strlcpy: truncation, the length, nothing past the size");
	for (unsigned i = 0; i < n; i++)
		for (size_t size = 0; size < 16; size++) {
			char d[20];
			memset(d, 'Z', sizeof d);
			size_t l = strlen(s[i]);
			CHECK_EQ(lib_strlcpy(d, s[i], size), l);
			size_t k = size ? (l < size - 1 ? l : size - 1) : 0;
			CHECK(!size || (!memcmp(d, s[i], k) && d[k] == '\0'));
			for (size_t j = size; j < sizeof d; j++)
				CHECK(d[j] == 'Z');
		}
	htest_group_end();
}

int
main(void)
{
	memory();
	strings();
	return htest_finish("test_string");
}
