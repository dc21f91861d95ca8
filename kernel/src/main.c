/*
 * main.c - kernel start-up: console, CPU, memory, interrupts, timer, then
 * the root server. There is no return: the first kernel exit enters it.
 */
#include <arch/arch.h>
#include <boot.h>

static struct boot_mem bm;

noreturn void
kernel_main(uint32_t magic, uint64_t mbi)
{
	serial_init();
	printk("\nUX/RT kernel booting\n");
	multiboot_parse(magic, mbi, &bm);
	arch_cpu_init();
	mmu_init(&bm);
	irq_init();
	timer_init();
	boot_root_server(&bm);
}
