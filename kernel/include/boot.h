/*
 * boot.h - what the boot code learns from the loader and passes around.
 */
#ifndef BOOT_H
#define BOOT_H

#include <kernel.h>

#define MAX_REGIONS 64
#define MAX_MODULES 8

struct mem_region {
	uint64_t start, end; /* [start, end) */
};

struct boot_mem {
	struct mem_region ram[MAX_REGIONS]; /* usable RAM, from the map */
	unsigned nram;
	struct mem_region rsvd[MAX_REGIONS]; /* everything else the map names */
	unsigned nrsvd;
	struct mem_region mod[MAX_MODULES];  /* boot modules */
	char mod_name[MAX_MODULES][48];
	unsigned nmod;
	char cmdline[256];
};

void multiboot_parse(uint32_t magic, uint64_t mbi_pa, struct boot_mem *bm);
noreturn void boot_root_server(struct boot_mem *bm);
noreturn void kernel_main(uint32_t magic, uint64_t mbi);

#endif
