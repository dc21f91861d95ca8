/*
 * elf64.h - checking and reading static ELF64 x86-64 executables.
 *
 * Pure functions over an in-memory image: every offset and size is checked
 * against the image size before use, so a hostile file yields an error,
 * never an out-of-bounds read. Used by the kernel (root server) and by the
 * process server (every program).
 */
#ifndef ELF64_H
#define ELF64_H

#include <stddef.h>
#include <stdint.h>

#define ELF_PT_LOAD 1
#define ELF_PF_X 1
#define ELF_PF_W 2
#define ELF_PF_R 4

enum elf_error {
	ELF_OK = 0,
	ELF_E_SHORT,     /* smaller than its headers say */
	ELF_E_MAGIC,     /* not an ELF file */
	ELF_E_CLASS,     /* not 64-bit little-endian x86-64 */
	ELF_E_TYPE,      /* not an executable */
	ELF_E_PHDR,      /* program headers out of the file or malformed */
	ELF_E_SEGMENT,   /* a loadable segment is malformed */
};

struct elf_segment {
	uint64_t vaddr, memsz;
	uint64_t offset, filesz;
	uint32_t flags; /* ELF_PF_* */
};

struct elf_info {
	uint64_t entry;
	uint64_t phoff;     /* program headers: file offset, */
	uint16_t phnum;     /* count */
	uint16_t phentsize;
	uint64_t lo, hi;    /* lowest and highest address loaded */
};

/* Check the image and fill *info; limit = highest user address allowed. */
enum elf_error elf64_check(const void *img, size_t size, uint64_t limit,
			   struct elf_info *info);
/* The i-th loadable segment (0-based among PT_LOAD ones); 0 = none. */
int elf64_load_segment(const void *img, const struct elf_info *info,
		       unsigned i, struct elf_segment *seg);
const char *elf64_strerror(enum elf_error e);

#endif
