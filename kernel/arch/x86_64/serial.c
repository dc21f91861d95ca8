/*
 * serial.c - the kernel's console output on COM1 (polled, 115200 8N1).
 */
#include <kernel.h>
#include <arch/machine.h>

#define COM1 0x3F8

void
serial_init(void)
{
	outb(COM1 + 1, 0x00); /* no interrupts */
	outb(COM1 + 3, 0x80); /* DLAB */
	outb(COM1 + 0, 0x01); /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 2, 0xC7); /* FIFO on, cleared */
	outb(COM1 + 4, 0x03); /* DTR, RTS */
}

static void
raw_putc(char c)
{
	for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		cpu_relax();
	outb(COM1, (uint8_t)c);
}

void
serial_putc(char c)
{
	if (c == '\n')
		raw_putc('\r');
	raw_putc(c);
}
