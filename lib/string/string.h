/*
 * string.h - prototypes of lib/string/string.c (freestanding code only).
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <stddef.h>

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
/* Copy s into d (at most n - 1 bytes, NUL-ended): strlen(s). */
size_t strlcpy(char *d, const char *s, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *h, const char *n);
char *strrchr(const char *s, int c);
char *strchr(const char *s, int c);

#endif
