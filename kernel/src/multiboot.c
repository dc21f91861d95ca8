/*
 * multiboot.c - reading the Multiboot (v1) information: memory map, boot
 * modules and command line. Everything the loader hands over is below
 * 1 GiB (checked), which the boot page tables map at KERNEL_VMA.
 */
#include <boot.h>

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_module {
	uint32_t start, end, string, reserved;
} __attribute__((packed));

struct mb_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

static const void *
low(uint64_t pa, uint64_t len)
{
	if (pa >= BIT(30) || len > BIT(30) - pa)
		panic("multiboot data at %#lx is above 1 GiB",
		      (unsigned long)pa);
	return (const void *)(pa + KERNEL_VMA);
}

static void
copy_str(char *dst, size_t n, uint32_t pa)
{
	const char *s = low(pa, 1);
	size_t i = 0;
	for (; i + 1 < n && s[i]; i++)
		dst[i] = s[i];
	dst[i] = '\0';
}

static void
add(struct mem_region *r, unsigned *n, uint64_t s, uint64_t e)
{
	if (*n < MAX_REGIONS && s < e)
		r[(*n)++] = (struct mem_region){s, e};
}

void
multiboot_parse(uint32_t magic, uint64_t mbi_pa, struct boot_mem *bm)
{
	if (magic != 0x2BADB002)
		panic("not started by a Multiboot loader (magic %#x)", magic);
	const struct mb_info *mb = low(mbi_pa, sizeof *mb);
	if (!(mb->flags & (1u << 6)))
		panic("loader gave no memory map");
	if (mb->flags & (1u << 2))
		copy_str(bm->cmdline, sizeof bm->cmdline, mb->cmdline);
	const char *p = low(mb->mmap_addr, mb->mmap_length);
	for (uint32_t off = 0; off < mb->mmap_length;) {
		const struct mb_mmap *m = (const void *)(p + off);
		if (m->type == 1)
			add(bm->ram, &bm->nram, ALIGN_UP(m->addr, 4096),
			    (m->addr + m->len) & ~MASK(12));
		else
			add(bm->rsvd, &bm->nrsvd, m->addr, m->addr + m->len);
		off += m->size + 4;
	}
	if (!(mb->flags & (1u << 3)) || mb->mods_count == 0)
		panic("no boot modules: the root server must be module 0");
	const struct mb_module *mods =
		low(mb->mods_addr, mb->mods_count * sizeof *mods);
	for (uint32_t i = 0; i < mb->mods_count && i < MAX_MODULES; i++) {
		bm->mod[i] = (struct mem_region){mods[i].start, mods[i].end};
		copy_str(bm->mod_name[i], sizeof bm->mod_name[i],
			 mods[i].string);
		low(mods[i].start, mods[i].end - mods[i].start);
		bm->nmod++;
	}
}
