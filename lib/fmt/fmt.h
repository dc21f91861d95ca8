/*
 * fmt.h - a small printf-style formatter for freestanding code (kernel,
 * root server, native programs without libc). One implementation, host
 * unit-tested against the C library's snprintf.
 */
#ifndef FMT_H
#define FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_out_fn)(char c, void *arg);

/* Supports %% %c %s %d %i %u %x %X %o %p, flags - 0 # (and + and space
 * for %d and %i), width, precision (also *; both capped at 4096), length
 * modifiers hh h l ll z t. Returns the number of characters produced. */
int fmt_vformat(fmt_out_fn out, void *arg, const char *fmt, va_list ap);
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
