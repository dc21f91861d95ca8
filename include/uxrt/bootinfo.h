/*
 * bootinfo.h - what the kernel tells the root server at start.
 *
 * The root server starts with rdi = address of this page (UX_BI_VADDR), its
 * IPC buffer at UX_BI_IPCBUF, a stack below UX_BI_STACK_TOP, its ELF image
 * at the addresses it was linked for, and boot modules (after the root
 * server itself) mapped read-only from UX_BI_MODULES. Its CNode has
 * 2^cnode_radix slots and a guard that makes a capability address simply
 * the slot index. Fixed slots are listed in enum ux_bi_slot. Its fs base
 * points at its IPC buffer, whose user[0] word holds that address (the
 * native library's convention for finding a thread's IPC buffer).
 */
#ifndef UXRT_BOOTINFO_H
#define UXRT_BOOTINFO_H

#include <stdint.h>

#define UX_BI_MAGIC 0x5558525442494e46ull /* "UXRTBINF" */
#define UX_BI_VADDR 0x10000000ull
#define UX_BI_IPCBUF 0x10001000ull
#define UX_BI_STACK_TOP 0x10100000ull
#define UX_BI_STACK_SIZE 0x40000ull
#define UX_BI_MODULES 0x20000000ull
#define UX_BI_MAX_UNTYPED 192
#define UX_BI_MAX_MODULES 8

enum ux_bi_slot {
	UX_BI_SLOT_NULL = 0,
	UX_BI_SLOT_TCB = 1,            /* the root server's TCB */
	UX_BI_SLOT_CNODE = 2,          /* its CSpace root */
	UX_BI_SLOT_VSPACE = 3,         /* its PML4 */
	UX_BI_SLOT_IRQ_CONTROL = 4,
	UX_BI_SLOT_IOPORT_CONTROL = 5,
	UX_BI_SLOT_BOOTINFO_FRAME = 6,
	UX_BI_SLOT_IPCBUF_FRAME = 7,
	UX_BI_SLOT_FIRST_FREE_FIXED = 8
};

struct ux_bi_range {
	uint64_t first, last; /* slots [first, last) */
};

struct ux_bi_untyped {
	uint64_t paddr;
	uint8_t size_bits;
	uint8_t is_device; /* device memory: only frames and untyped */
	uint8_t pad[6];
};

struct ux_bi_module {
	uint64_t vaddr; /* where it is mapped in the root server */
	uint64_t size;
	char name[48];  /* from the Multiboot module string */
};

struct ux_bootinfo {
	uint64_t magic;
	uint64_t node_id;     /* kernel instance (CPU) number */
	uint64_t cnode_radix;
	uint64_t tsc_khz;
	struct ux_bi_range empty;     /* free slots */
	struct ux_bi_range paging;    /* the root server's page tables */
	struct ux_bi_range frames;    /* its image, stack and module frames */
	struct ux_bi_range untyped;   /* untyped caps, in untyped[] order */
	struct ux_bi_untyped untyped_list[UX_BI_MAX_UNTYPED];
	uint64_t module_count;
	struct ux_bi_module modules[UX_BI_MAX_MODULES];
	char cmdline[256];
};

#endif
