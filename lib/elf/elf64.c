/*
 * elf64.c - see elf64.h.
 */
#include "elf64.h"

struct ehdr {
	unsigned char ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static const struct phdr *
phdr_at(const void *img, const struct elf_info *info, unsigned i)
{
	return (const struct phdr *)((const char *)img + info->phoff +
				     (uint64_t)i * info->phentsize);
}

static enum elf_error
check_segment(const struct phdr *p, size_t size, uint64_t limit)
{
	if (p->filesz > p->memsz || p->offset > size ||
	    p->filesz > size - p->offset)
		return ELF_E_SEGMENT;
	if (p->vaddr >= limit || p->memsz > limit - p->vaddr)
		return ELF_E_SEGMENT;
	if (p->align > 1 && (p->vaddr - p->offset) % p->align)
		return ELF_E_SEGMENT;
	return ELF_OK;
}

enum elf_error
elf64_check(const void *img, size_t size, uint64_t limit,
	    struct elf_info *info)
{
	const struct ehdr *h = img;
	unsigned loads = 0;

	if (size < sizeof *h)
		return ELF_E_SHORT;
	if (h->ident[0] != 0x7f || h->ident[1] != 'E' || h->ident[2] != 'L' ||
	    h->ident[3] != 'F')
		return ELF_E_MAGIC;
	if (h->ident[4] != 2 || h->ident[5] != 1 || h->machine != 62)
		return ELF_E_CLASS;
	if (h->type != 2)
		return ELF_E_TYPE;
	if (h->phentsize < sizeof(struct phdr) || h->phentsize % 8 ||
	    h->phnum == 0 ||
	    h->phoff > size ||
	    (uint64_t)h->phnum * h->phentsize > size - h->phoff ||
	    h->phoff % 8)
		return ELF_E_PHDR;
	*info = (struct elf_info){
		.entry = h->entry,
		.phoff = h->phoff,
		.phnum = h->phnum,
		.phentsize = h->phentsize,
		.lo = UINT64_MAX,
	};
	for (unsigned i = 0; i < h->phnum; i++) {
		const struct phdr *p = phdr_at(img, info, i);
		if (p->type != ELF_PT_LOAD || p->memsz == 0)
			continue;
		if (check_segment(p, size, limit))
			return ELF_E_SEGMENT;
		if (p->vaddr < info->lo)
			info->lo = p->vaddr;
		if (p->vaddr + p->memsz > info->hi)
			info->hi = p->vaddr + p->memsz;
		loads++;
	}
	if (!loads)
		return ELF_E_SEGMENT;
	for (unsigned i = 0; i < h->phnum; i++) {
		const struct phdr *p = phdr_at(img, info, i);
		if (p->type == ELF_PT_LOAD && (p->flags & ELF_PF_X) &&
		    info->entry >= p->vaddr &&
		    info->entry - p->vaddr < p->memsz)
			return ELF_OK;
	}
	return ELF_E_TYPE; /* entry point not in an executable segment */
}

int
elf64_load_segment(const void *img, const struct elf_info *info, unsigned i,
		   struct elf_segment *seg)
{
	for (unsigned k = 0; k < info->phnum; k++) {
		const struct phdr *p = phdr_at(img, info, k);
		if (p->type != ELF_PT_LOAD || p->memsz == 0)
			continue;
		if (i-- == 0) {
			*seg = (struct elf_segment){p->vaddr, p->memsz,
						    p->offset, p->filesz,
						    p->flags};
			return 1;
		}
	}
	return 0;
}

const char *
elf64_strerror(enum elf_error e)
{
	static const char *const msg[] = {
		"no error",
		"file shorter than its headers",
		"not an ELF file",
		"not a 64-bit little-endian x86-64 ELF",
		"not an executable, or its entry point is not in an "
		"executable segment",
		"bad program headers",
		"bad loadable segment",
	};
	return (unsigned)e < sizeof msg / sizeof msg[0] ? msg[e] : "?";
}
