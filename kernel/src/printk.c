/*
 * printk.c - kernel console output and panic.
 */
#include <kernel.h>
#include <arch/machine.h>
#include "../../lib/fmt/fmt.h"

static void
out(char c, void *arg)
{
	(void)arg;
	serial_putc(c);
}

void
printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fmt_vformat(out, NULL, fmt, ap);
	va_end(ap);
}

noreturn void
panic(const char *fmt, ...)
{
	va_list ap;
	printk("\nuxrt: PANIC: ");
	va_start(ap, fmt);
	fmt_vformat(out, NULL, fmt, ap);
	va_end(ap);
	printk("\n");
	outb(0xF4, 0x7F); /* isa-debug-exit, if present: exit code 255 */
	halt_forever();
}
