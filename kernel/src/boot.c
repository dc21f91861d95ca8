/*
 * boot.c - building the root server and handing it all other memory.
 *
 * From the free RAM (the loader's map minus the kernel image, the boot
 * modules and the first MiB) a bump allocator makes the root server's
 * objects: its CNode, TCB, page tables, the frames of its ELF image
 * (module 0), stack, IPC buffer and boot-info page. The other modules are
 * mapped read-only for it. Every byte of free RAM left over becomes an
 * untyped capability (power-of-two blocks), and the holes below 4 GiB that
 * no map entry names become device untypeds. After this there is no kernel
 * allocator: all further objects come from retyping those untypeds.
 */
#include <arch/arch.h>
#include <boot.h>
#include <cspace.h>
#include <thread.h>
#include <invoke.h>
#include <uxrt/bootinfo.h>
#include <uxrt/invocation.h>
#include "../../lib/elf/elf64.h"

#define ROOT_RADIX 14
#define MAX_TABLES 256
#define MAX_FRAMES 12288

extern char __phys_start[], __kernel_end[];

static struct mem_region fr[MAX_REGIONS * 2];
static unsigned nfr;
static struct cap tables[MAX_TABLES], frames[MAX_FRAMES];
static unsigned ntables, nframes;
static struct cte *cn;
static uint64_t next_slot = UX_BI_SLOT_FIRST_FREE_FIXED;
static struct cap pml4;
static struct ux_bootinfo *bi;

static void
fr_remove(uint64_t s, uint64_t e)
{
	for (unsigned i = 0; i < nfr; i++) {
		struct mem_region r = fr[i];
		if (e <= r.start || s >= r.end)
			continue;
		if (s > r.start && e < r.end) {
			fr[i].end = s;
			if (nfr < ARRAY_SIZE(fr))
				fr[nfr++] = (struct mem_region){e, r.end};
		} else if (s <= r.start && e >= r.end) {
			fr[i--] = fr[--nfr];
		} else if (s <= r.start) {
			fr[i].start = e;
		} else {
			fr[i].end = s;
		}
	}
}

static uint64_t
balloc(unsigned bits)
{
	for (unsigned i = 0; i < nfr; i++) {
		uint64_t a = ALIGN_UP(fr[i].start, BIT(bits));
		if (a + BIT(bits) <= fr[i].end) {
			fr_remove(a, a + BIT(bits));
			memset(phys_to_virt(a), 0, BIT(bits));
			return a;
		}
	}
	panic("boot: out of memory for the root server (%u bits)", bits);
}

static void
free_ram_init(const struct boot_mem *bm)
{
	for (unsigned i = 0; i < bm->nram; i++) {
		uint64_t s = bm->ram[i].start, e = bm->ram[i].end;
		if (e > PHYSMAP_MAX)
			e = PHYSMAP_MAX;
		if (s < e)
			fr[nfr++] = (struct mem_region){s, e};
	}
	fr_remove(0, BIT(20));
	fr_remove((uint64_t)__phys_start, virt_to_phys(__kernel_end));
	for (unsigned i = 0; i < bm->nmod; i++)
		fr_remove(bm->mod[i].start & ~MASK(12),
			  ALIGN_UP(bm->mod[i].end, 4096));
}

static void
map_page(uint64_t va, uint64_t pa, unsigned rights, bool record)
{
	static const uint8_t type_at[] = {0, 0, UX_CAP_PAGE_TABLE,
					  UX_CAP_PAGE_DIR, UX_CAP_PDPT};
	for (int l = 4; l > 1; l--) {
		uint64_t *e = vs_walk(pml4.obj, va, l);
		if (*e & 1)
			continue;
		uint64_t t = balloc(12);
		vs_set_table(e, t);
		if (ntables == MAX_TABLES)
			panic("boot: too many page tables");
		tables[ntables++] = (struct cap){
			.type = type_at[l], .rights = UX_R_ALL,
			.flags = CAPF_MAPPED, .asid = pml4.asid, .obj = t,
			.w1 = va & ~MASK(12 + 9 * (l - 1))};
	}
	vs_set_leaf(vs_walk(pml4.obj, va, 1), pa, rights, false, false);
	if (!record)
		return;
	if (nframes == MAX_FRAMES)
		panic("boot: too many frames");
	frames[nframes++] = (struct cap){
		.type = UX_CAP_FRAME, .rights = UX_R_ALL, .size_bits = 12,
		.flags = CAPF_MAPPED, .asid = pml4.asid, .obj = pa, .w1 = va};
}

static unsigned
seg_rights(uint32_t f)
{
	return UX_R_READ | (f & ELF_PF_W ? UX_R_WRITE : 0) |
	       (f & ELF_PF_X ? UX_R_EXEC : 0);
}

/* Map one page of a segment, sharing the frame with an earlier segment
 * that touches the same page; return its physical address. */
static uint64_t
segment_page(uint64_t va, unsigned rights)
{
	uint64_t *pte = vs_walk(pml4.obj, va, 1);
	if (pte && (*pte & 1)) {
		uint64_t pa = *pte & 0x000FFFFFFFFFF000ull;
		unsigned old = UX_R_READ | ((*pte & 2) ? UX_R_WRITE : 0) |
			       ((*pte >> 63) ? 0 : UX_R_EXEC);
		vs_set_leaf(pte, pa, old | rights, false, false);
		return pa;
	}
	uint64_t pa = balloc(12);
	map_page(va, pa, rights, true);
	return pa;
}

static uint64_t
load_elf(const struct boot_mem *bm)
{
	const void *img = phys_to_virt(bm->mod[0].start);
	size_t size = bm->mod[0].end - bm->mod[0].start;
	struct elf_info info;
	struct elf_segment s;
	enum elf_error e = elf64_check(img, size, UX_BI_VADDR, &info);

	if (e)
		panic("root server '%s': %s", bm->mod_name[0],
		      elf64_strerror(e));
	for (unsigned i = 0; elf64_load_segment(img, &info, i, &s); i++) {
		for (uint64_t p = s.vaddr & ~MASK(12); p < s.vaddr + s.memsz;
		     p += 4096) {
			uint64_t pa = segment_page(p, seg_rights(s.flags));
			uint64_t lo = p > s.vaddr ? p : s.vaddr;
			uint64_t hi = p + 4096;
			if (hi > s.vaddr + s.filesz)
				hi = s.vaddr + s.filesz;
			if (lo < hi)
				memcpy((char *)phys_to_virt(pa) + (lo - p),
				       (const char *)img + s.offset +
					       (lo - s.vaddr),
				       hi - lo);
		}
	}
	return info.entry;
}

static void
map_modules(const struct boot_mem *bm)
{
	uint64_t va = UX_BI_MODULES;
	for (unsigned i = 1; i < bm->nmod && i <= UX_BI_MAX_MODULES; i++) {
		struct ux_bi_module *m = &bi->modules[bi->module_count++];
		uint64_t start = bm->mod[i].start & ~MASK(12);
		m->vaddr = va + (bm->mod[i].start & MASK(12));
		m->size = bm->mod[i].end - bm->mod[i].start;
		memcpy(m->name, bm->mod_name[i], sizeof m->name);
		m->name[sizeof m->name - 1] = '\0';
		for (uint64_t pa = start; pa < bm->mod[i].end; pa += 4096) {
			map_page(va, pa, UX_R_READ, true);
			va += 4096;
		}
	}
}

static uint64_t
put_root(const struct cap *c)
{
	if (next_slot >= BIT(ROOT_RADIX))
		panic("boot: root CNode full");
	cte_insert_root(&cn[next_slot], c);
	return next_slot++;
}

static void
put_untyped(uint64_t s, uint64_t e, bool device)
{
	while (s + 4096 <= e) {
		unsigned bits = s ? (unsigned)__builtin_ctzll(s) : 63;
		while (BIT(bits) > e - s)
			bits--;
		if (bits > UX_UNTYPED_MAX_BITS)
			bits = UX_UNTYPED_MAX_BITS;
		uint64_t n = bi->untyped.last - bi->untyped.first;
		if (n == UX_BI_MAX_UNTYPED) {
			printk("uxrt: boot-info full: memory at %#lx unused\n",
			       (unsigned long)s);
			return;
		}
		struct cap c = {.type = UX_CAP_UNTYPED, .rights = UX_R_ALL,
				.size_bits = (uint8_t)bits, .obj = s,
				.flags = device ? CAPF_DEVICE : 0};
		put_root(&c);
		bi->untyped_list[n] = (struct ux_bi_untyped){
			.paddr = s, .size_bits = (uint8_t)bits,
			.is_device = device};
		bi->untyped.last++;
		s += BIT(bits);
	}
}

/* Holes below 4 GiB named by no map entry: device memory (PCI BARs). */
static void
device_untypeds(const struct boot_mem *bm)
{
	static struct mem_region dev[MAX_REGIONS * 2];
	uint64_t top = 0;
	for (unsigned i = 0; i < bm->nram; i++)
		if (bm->ram[i].end <= BIT(32) && bm->ram[i].end > top)
			top = bm->ram[i].end;
	struct mem_region *save = fr;
	(void)save;
	/* Reuse fr_remove on a scratch list. */
	struct mem_region keep[ARRAY_SIZE(fr)];
	unsigned keepn = nfr;
	memcpy(keep, fr, sizeof fr);
	nfr = 0;
	fr[nfr++] = (struct mem_region){ALIGN_UP(top, BIT(20)), BIT(32)};
	for (unsigned i = 0; i < bm->nrsvd; i++)
		fr_remove(bm->rsvd[i].start, bm->rsvd[i].end);
	for (unsigned i = 0; i < bm->nram; i++)
		fr_remove(bm->ram[i].start, bm->ram[i].end);
	fr_remove(IOAPIC_PA, DEV_END_PA);
	unsigned n = nfr;
	memcpy(dev, fr, sizeof dev[0] * n);
	memcpy(fr, keep, sizeof fr);
	nfr = keepn;
	for (unsigned i = 0; i < n; i++)
		put_untyped(ALIGN_UP(dev[i].start, 4096),
			    dev[i].end & ~MASK(12), true);
}

static struct tcb *
make_root_tcb(uint64_t entry)
{
	struct tcb *t = phys_to_virt(balloc(UX_TCB_BITS));
	tcb_init(t);
	t->prio = t->mcp = UX_PRIO_MAX;
	t->ctx.rip = entry;
	t->ctx.rsp = UX_BI_STACK_TOP;
	t->ctx.rdi = UX_BI_VADDR;
	t->ipcbuf_vaddr = UX_BI_IPCBUF;
	t->ctx.fs_base = UX_BI_IPCBUF; /* see bootinfo.h */
	return t;
}

noreturn void
boot_root_server(struct boot_mem *bm)
{
	free_ram_init(bm);
	cn = phys_to_virt(balloc(ROOT_RADIX + UX_SLOT_BITS));
	pml4 = (struct cap){.type = UX_CAP_PML4, .rights = UX_R_ALL,
			    .obj = balloc(12)};
	pml4_init(&pml4);
	uint64_t bi_pa = balloc(12), ipc_pa = balloc(12);
	bi = phys_to_virt(bi_pa);
	((struct ux_ipc_buffer *)phys_to_virt(ipc_pa))->user[0] = UX_BI_IPCBUF;

	uint64_t entry = load_elf(bm);
	map_page(UX_BI_VADDR, bi_pa, UX_R_READ, false);
	map_page(UX_BI_IPCBUF, ipc_pa, UX_R_READ | UX_R_WRITE, false);
	for (uint64_t va = UX_BI_STACK_TOP - UX_BI_STACK_SIZE;
	     va < UX_BI_STACK_TOP; va += 4096)
		map_page(va, balloc(12), UX_R_READ | UX_R_WRITE, true);
	map_modules(bm);

	struct tcb *t = make_root_tcb(entry);
	struct cap c;
	c = (struct cap){.type = UX_CAP_TCB, .rights = UX_R_ALL,
			 .obj = (uint64_t)t};
	cte_insert_root(&cn[UX_BI_SLOT_TCB], &c);
	c = (struct cap){.type = UX_CAP_CNODE, .rights = UX_R_ALL,
			 .size_bits = ROOT_RADIX, .aux = 64 - ROOT_RADIX,
			 .obj = (uint64_t)cn};
	cte_insert_root(&cn[UX_BI_SLOT_CNODE], &c);
	cte_insert_root(&cn[UX_BI_SLOT_VSPACE], &pml4);
	c = (struct cap){.type = UX_CAP_IRQ_CONTROL, .rights = UX_R_ALL};
	cte_insert_root(&cn[UX_BI_SLOT_IRQ_CONTROL], &c);
	c = (struct cap){.type = UX_CAP_IOPORT_CONTROL, .rights = UX_R_ALL};
	cte_insert_root(&cn[UX_BI_SLOT_IOPORT_CONTROL], &c);
	c = (struct cap){.type = UX_CAP_FRAME, .rights = UX_R_ALL,
			 .size_bits = 12, .flags = CAPF_MAPPED,
			 .asid = pml4.asid, .obj = bi_pa, .w1 = UX_BI_VADDR};
	cte_insert_root(&cn[UX_BI_SLOT_BOOTINFO_FRAME], &c);
	c.obj = ipc_pa;
	c.w1 = UX_BI_IPCBUF;
	cte_insert_root(&cn[UX_BI_SLOT_IPCBUF_FRAME], &c);

	cte_copy_in(&cn[UX_BI_SLOT_CNODE], &t->slot[TCB_SLOT_CSPACE], UX_R_ALL);
	cte_copy_in(&cn[UX_BI_SLOT_VSPACE], &t->slot[TCB_SLOT_VSPACE],
		    UX_R_ALL);
	cte_copy_in(&cn[UX_BI_SLOT_IPCBUF_FRAME], &t->slot[TCB_SLOT_IPCBUF],
		    UX_R_ALL);

	bi->magic = UX_BI_MAGIC;
	bi->cnode_radix = ROOT_RADIX;
	bi->tsc_khz = this_cpu()->tsc_khz;
	memcpy(bi->cmdline, bm->cmdline, sizeof bi->cmdline);
	bi->paging.first = next_slot;
	for (unsigned i = 0; i < ntables; i++)
		put_root(&tables[i]);
	bi->paging.last = bi->frames.first = next_slot;
	for (unsigned i = 0; i < nframes; i++)
		put_root(&frames[i]);
	bi->frames.last = bi->untyped.first = bi->untyped.last = next_slot;
	uint64_t ram = 0;
	for (unsigned i = 0; i < nfr; i++) {
		put_untyped(ALIGN_UP(fr[i].start, 4096), fr[i].end & ~MASK(12),
			    false);
		ram += fr[i].end - fr[i].start;
	}
	device_untypeds(bm);
	next_slot = bi->untyped.last;
	bi->empty.first = next_slot;
	bi->empty.last = BIT(ROOT_RADIX);

	printk("uxrt: root server '%s' at %#lx; %lu untyped caps, %lu MiB "
	       "free\n",
	       bm->mod_name[0], (unsigned long)entry,
	       (unsigned long)(bi->untyped.last - bi->untyped.first),
	       (unsigned long)(ram >> 20));
	sched_wake(t);
	kernel_exit();
}
