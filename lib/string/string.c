/*
 * string.c - the few <string.h> functions freestanding code needs (the
 * kernel and native programs without libc). Built with -fno-builtin so the
 * compiler does not turn these loops into calls to themselves. memset and
 * memcpy use x86-64 string instructions (the only architecture so far):
 * a quadword at a time, which is also what instruction counting charges.
 */
#include "string.h"

#include <stdint.h>

void *
memset(void *d, int c, size_t n)
{
	void *r = d;
	uint64_t v = 0x0101010101010101ull * (unsigned char)c;
	size_t q = n >> 3, b = n & 7;
	__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(b) : "a"(v) : "memory");
	return r;
}

void *
memcpy(void *d, const void *s, size_t n)
{
	void *r = d;
	size_t q = n >> 3, b = n & 7;
	__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q)::"memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(b)::"memory");
	return r;
}

void *
memmove(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	if (p < q)
		return memcpy(d, s, n);
	while (n--)
		p[n] = q[n];
	return d;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	for (; n--; p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

void *
memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	for (; n--; p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t
strlcpy(char *d, const char *s, size_t n)
{
	size_t l = strlen(s);
	if (n) {
		size_t k = l < n - 1 ? l : n - 1;
		memcpy(d, s, k);
		d[k] = '\0';
	}
	return l;
}

size_t
strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int
strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int
strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *
strstr(const char *h, const char *n)
{
	size_t k = strlen(n);
	for (; *h; h++)
		if (!strncmp(h, n, k))
			return (char *)h;
	return k ? NULL : (char *)h;
}

char *
strrchr(const char *s, int c)
{
	const char *r = NULL;
	for (;; s++) {
		if (*s == (char)c)
			r = s;
		if (!*s)
			return (char *)r;
	}
}

char *
strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}
