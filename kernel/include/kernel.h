/*
 * kernel.h - basic definitions used by every kernel file: types, printing,
 * assertions, physical-memory access.
 *
 * The kernel reaches physical RAM only through the physmap window (all RAM
 * mapped at PHYSMAP_BASE); it never dereferences a user pointer.
 */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uxrt/error.h>

#define PHYSMAP_BASE 0xFFFF800000000000ull
#define PHYSMAP_MAX (64ull << 30) /* RAM above 64 GiB is not used */
#define KERNEL_VMA 0xFFFFFFFF80000000ull

#define noreturn _Noreturn
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n) (1ull << (n))
#define MASK(n) ((n) >= 64 ? ~0ull : BIT(n) - 1)
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define IS_ALIGNED(x, bits) (((x) & MASK(bits)) == 0)

typedef enum ux_error err_t;

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(pa + PHYSMAP_BASE);
}
static inline uint64_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)va;
	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - PHYSMAP_BASE;
}

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#define assert(c)                                                             \
	do {                                                                  \
		if (unlikely(!(c)))                                           \
			panic("assertion '%s' failed at %s:%d", #c, __FILE__, \
			      __LINE__);                                      \
	} while (0)

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* Console output (arch). */
void serial_init(void);
void serial_putc(char c);

#endif
