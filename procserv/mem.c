/*
 * mem.c - processes' memory: regions, demand paging, copy-on-write fork,
 * and the Linux memory calls (brk, mmap, munmap, mprotect, madvise,
 * mremap, msync).
 *
 * Three layers:
 * - The frame pool. Every frame of user memory (and of tmpfs data) is the
 *   process server's: retyped from the boot untypeds into slot CNodes of
 *   our own (L1 slots SLOT_L1 on), and mapped once in our address space
 *   at POOL_VA + 4 KiB * its number, so we reach its data without mapping
 *   anything. Each has a reference count: one per page record of a
 *   process, one per tmpfs file page. At 0 it goes on a free list (it
 *   never returns to untyped memory). Frames live outside any process's
 *   untyped so that a process that exits first (one revoke of its
 *   untyped) cannot take a frame from under another that shares it.
 * - Page records: (process, page) -> frame, one hash table for all, and a
 *   list per process. A record may hold a mapping capability (a copy of
 *   the frame's capability, in our slot CNodes, mapped in the process's
 *   PML4 with `rights`) or not yet: fork gives the child records without
 *   mappings, mapped on its first touch. The page tables come from the
 *   process's own untyped (proc_obj).
 * - Regions (struct vma, sorted, per process): what may be mapped where.
 *   A page is made on first touch: by a page fault, or by our own copy
 *   in or out of the process (which honours the region's rights).
 *
 * Copy-on-write. Invariant: a page of a private region whose frame has
 * more than one reference is never mapped writable. A write then copies
 * the frame, or takes it over when this record holds the last reference.
 * Shared regions (VM_SHARED) map the tmpfs node's own pages: a file's, or
 * the unnamed node behind MAP_SHARED|MAP_ANONYMOUS, so both stay shared
 * across fork and a file's data is the mapping's.
 *
 * Past 1,000 lines by choice: the Linux calls at the end need the region
 * and record operations above, which no other file should see.
 */
#include "procserv.h"
#include "lx_errno.h"

#define VSPACE UX_BI_SLOT_VSPACE
#define ROOT UX_BI_SLOT_CNODE
#define PAGE 4096ull
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))
#define TASK_SIZE 0x7ffffffff000ull /* Linux's top of user memory */
#define MMAP_BASE 0x100000000000ull /* where mmap looks for room */
#define MMAP_MIN 0x10000ull         /* Linux's mmap_min_addr */

#define POOL_VA 0x8000000000ull /* our view of frame n */
#define MAX_FRAMES (1u << 17)   /* 512 MiB */
#define SLOT_L1 128             /* our slot CNodes: L1 slots 128 on */
#define SLOT_RADIX 14           /* as a process CNode's 14 bits: PCAP */
#define SLOT_MASK ((1u << SLOT_RADIX) - 1)
#define SLOT_CNODES 16
#define MAX_SLOTS (SLOT_CNODES << SLOT_RADIX)
#define MAX_RECS (1u << 17)
#define HASH_BITS 16

/* mmap flags and advice */
#define MAP_SHARED 1
#define MAP_PRIVATE 2
#define MAP_SHARED_VALIDATE 3
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_HUGETLB 0x40000
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_LEGACY 0xFC07F973ull /* what MAP_SHARED_VALIDATE accepts */
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MREMAP_DONTUNMAP 4

extern uint64_t ps_l1;

static uint64_t slot_cn[SLOT_CNODES]; /* root slots of our slot CNodes */
static uint32_t slot_next = 1, slot_nfree, slot_free[MAX_SLOTS];

static uint16_t fref[MAX_FRAMES];
static uint32_t fcap[MAX_FRAMES]; /* slot of the frame's own capability */
static uint32_t nframes = 1;      /* frame 0 means none */
static uint32_t ffree[MAX_FRAMES], nffree;
static uint64_t ram_pages; /* all of RAM: Linux's overcommit heuristic */

static struct rec {
	uint64_t key;               /* pid << 36 | page number */
	uint32_t fno, slot;         /* frame; mapping capability, or 0 */
	uint32_t hnext, next, prev; /* hash chain; the process's list */
	uint8_t rights;             /* of the mapping (0: not mapped) */
} recs[MAX_RECS];
static uint32_t hash[1u << HASH_BITS];
static uint32_t rec_new_next = 1, rec_free;

uint64_t
mem_total_pages(void)
{
	return ram_pages;
}

void
mem_init(const struct ux_bootinfo *bi)
{
	for (uint64_t i = 0; i < bi->untyped.last - bi->untyped.first; i++)
		if (!bi->untyped_list[i].is_device)
			ram_pages += (1ull << bi->untyped_list[i].size_bits) /
				     PAGE;
}

/* ---- capability slots of our own --------------------------------- */

static uint64_t
slot_addr(uint32_t s)
{
	return PCAP(SLOT_L1 + (s >> SLOT_RADIX), s & SLOT_MASK);
}

static uint32_t
slot_new(void)
{
	if (slot_nfree)
		return slot_free[--slot_nfree];
	if (slot_next >= MAX_SLOTS)
		return 0;
	unsigned k = slot_next >> SLOT_RADIX;
	if (!slot_cn[k]) {
		uint64_t cn;
		if (alloc_obj(UX_CAP_CNODE, SLOT_RADIX, &cn) ||
		    ux_cnode_mint(ps_l1, SLOT_L1 + k, L1_RADIX, ROOT, cn, 64,
				  UX_R_ALL, 0))
			return 0;
		slot_cn[k] = cn;
	}
	return slot_next++;
}

/* Delete what slot s holds (a mapping goes with it) and free it. */
static void
slot_delete(uint32_t s)
{
	ux_cnode_delete(slot_cn[s >> SLOT_RADIX], s & SLOT_MASK, SLOT_RADIX);
	slot_free[slot_nfree++] = s;
}

/* ---- frames ------------------------------------------------------ */

static uint8_t *
fva(uint32_t f)
{
	return (uint8_t *)(POOL_VA + f * PAGE);
}

/* A frame with one reference, zeroed if zero; 0 when memory ran out. */
static uint32_t
frame_new(bool zero)
{
	uint32_t f, s;
	if (nffree) {
		f = ffree[--nffree];
		if (zero)
			memset(fva(f), 0, PAGE);
	} else {
		if (nframes == MAX_FRAMES || !(s = slot_new()))
			return 0;
		f = nframes;
		if (alloc_obj_in(UX_CAP_FRAME, 0, slot_cn[s >> SLOT_RADIX],
				 s & SLOT_MASK) ||
		    alloc_map(VSPACE, slot_addr(s), (uint64_t)fva(f),
			      UX_R_READ | UX_R_WRITE)) {
			slot_delete(s);
			return 0;
		}
		nframes++;
		fcap[f] = s; /* new objects are zeroed */
	}
	fref[f] = 1;
	return f;
}

static void
frame_put(uint32_t f)
{
	if (f && !--fref[f])
		ffree[nffree++] = f;
}

void *
mem_page_alloc(void)
{
	uint32_t f = frame_new(true);
	return f ? fva(f) : NULL;
}

void
mem_page_free(void *page)
{
	if (page)
		frame_put((uint32_t)(((uint64_t)page - POOL_VA) / PAGE));
}

/* ---- page records ------------------------------------------------ */

static uint64_t
rkey(const struct proc *p, uint64_t va)
{
	return (uint64_t)p->pid << 36 | va >> 12;
}

static uint64_t
rec_va(uint32_t i)
{
	return (recs[i].key & ((1ull << 36) - 1)) << 12;
}

static uint32_t *
bucket(uint64_t key)
{
	return &hash[(key * 0x9E3779B97F4A7C15ull) >> (64 - HASH_BITS)];
}

static uint32_t
rec_find(const struct proc *p, uint64_t va)
{
	uint64_t k = rkey(p, va);
	for (uint32_t i = *bucket(k); i; i = recs[i].hnext)
		if (recs[i].key == k)
			return i;
	return 0;
}

static void
hash_add(uint32_t i)
{
	uint32_t *b = bucket(recs[i].key);
	recs[i].hnext = *b;
	*b = i;
}

static void
hash_del(uint32_t i)
{
	uint32_t *pp = bucket(recs[i].key);
	while (*pp != i)
		pp = &recs[*pp].hnext;
	*pp = recs[i].hnext;
}

/* A record of p's page va with frame f (it takes over one reference). */
static uint32_t
rec_add(struct proc *p, uint64_t va, uint32_t f)
{
	uint32_t i = rec_free;
	if (!rec_free && rec_new_next == MAX_RECS)
		return 0;
	if (!quota_page(p, 1))
		return 0; /* over its user's or tree's memory limit */
	if (i)
		rec_free = recs[i].next;
	else
		i = rec_new_next++;
	recs[i] = (struct rec){.key = rkey(p, va), .fno = f, .next = p->pages};
	if (p->pages)
		recs[p->pages].prev = i;
	p->pages = i;
	p->npages++;
	hash_add(i);
	return i;
}

/* Take record i's mapping away (its capability is deleted). */
static void
rec_unmap(uint32_t i)
{
	if (recs[i].slot)
		slot_delete(recs[i].slot);
	recs[i].slot = 0;
	recs[i].rights = 0;
}

static void
rec_drop(struct proc *p, uint32_t i)
{
	struct rec *r = &recs[i];
	rec_unmap(i);
	frame_put(r->fno);
	hash_del(i);
	if (r->prev)
		recs[r->prev].next = r->next;
	else
		p->pages = r->next;
	if (r->next)
		recs[r->next].prev = r->prev;
	quota_page(p, -1);
	p->npages--;
	r->next = rec_free;
	rec_free = i;
}

/* Map record i's frame in p with rights (0: unmap, keep the frame). */
static long
rec_map(struct proc *p, uint32_t i, unsigned rights)
{
	struct rec *r = &recs[i];
	if (!rights) {
		if (r->rights)
			ux_frame_unmap(slot_addr(r->slot));
		r->rights = 0;
		return 0;
	}
	if (!r->slot) {
		uint32_t s = slot_new(), m = fcap[r->fno];
		if (!s)
			return -LX_ENOMEM;
		r->slot = s;
		if (ux_cnode_copy(slot_cn[s >> SLOT_RADIX], s & SLOT_MASK,
				  SLOT_RADIX, slot_cn[m >> SLOT_RADIX],
				  m & SLOT_MASK, SLOT_RADIX, UX_R_ALL)) {
			rec_unmap(i);
			return -LX_ENOMEM;
		}
	}
	if (alloc_map_with(PCAP(p->pid, PS_PML4), slot_addr(r->slot),
			   rec_va(i), rights, proc_obj, p)) {
		rec_unmap(i); /* page tables ran out */
		return -LX_ENOMEM;
	}
	r->rights = (uint8_t)rights;
	return 0;
}

/* fn(p, i, ctx) for each record of p in [s, e): by address, or down
 * p's list when that is shorter. fn may drop record i, or move it out
 * of [s, e). */
typedef void (*rec_fn)(struct proc *p, uint32_t i, void *ctx);
static void
rec_each(struct proc *p, uint64_t s, uint64_t e, rec_fn fn, void *ctx)
{
	if ((e - s) / PAGE <= p->npages) {
		for (uint64_t va = s; va < e; va += PAGE) {
			uint32_t i = rec_find(p, va);
			if (i)
				fn(p, i, ctx);
		}
		return;
	}
	for (uint32_t i = p->pages, n; i; i = n) {
		n = recs[i].next;
		if (rec_va(i) >= s && rec_va(i) < e)
			fn(p, i, ctx);
	}
}

static void
drop_fn(struct proc *p, uint32_t i, void *ctx)
{
	(void)ctx;
	rec_drop(p, i);
}

/* ---- regions ----------------------------------------------------- */

/* The first region of p that ends above va (nvma if none). */
static unsigned
vma_after(const struct proc *p, uint64_t va)
{
	unsigned lo = 0, hi = p->nvma;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (p->vmas[mid].end <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct vma *
vma_at(struct proc *p, uint64_t va)
{
	unsigned i = vma_after(p, va);
	return i < p->nvma && p->vmas[i].start <= va ? &p->vmas[i] : NULL;
}

static bool
range_free(const struct proc *p, uint64_t s, uint64_t e)
{
	unsigned i = vma_after(p, s);
	return i == p->nvma || p->vmas[i].start >= e;
}

/* Whether regions cover [s, e) without a hole. */
static bool
range_covered(const struct proc *p, uint64_t s, uint64_t e)
{
	for (unsigned i = vma_after(p, s); s < e; i++) {
		if (i == p->nvma || p->vmas[i].start > s)
			return false;
		s = p->vmas[i].end;
	}
	return true;
}

static void
vma_remove(struct proc *p, unsigned i)
{
	if (p->vmas[i].node >= 0)
		tmpfs_ref(p->vmas[i].node, -1);
	memmove(&p->vmas[i], &p->vmas[i + 1],
		(p->nvma - i - 1) * sizeof p->vmas[0]);
	p->nvma--;
}

static bool
vma_joins(const struct vma *a, const struct vma *b)
{
	return a->end == b->start && a->prot == b->prot &&
	       a->flags == b->flags && a->node == b->node &&
	       (a->node < 0 || a->off + (a->end - a->start) == b->off);
}

/* Join region i and the next one if they continue each other. */
static void
vma_merge(struct proc *p, unsigned i)
{
	if (i + 1 < p->nvma && vma_joins(&p->vmas[i], &p->vmas[i + 1])) {
		p->vmas[i].end = p->vmas[i + 1].end;
		vma_remove(p, i + 1);
	}
}

/* Make va a boundary between regions (splitting the one around it). */
static long
vma_split(struct proc *p, uint64_t va)
{
	struct vma *v = vma_at(p, va);
	if (!v || v->start == va)
		return 0;
	if (p->nvma == MAX_VMAS)
		return -LX_ENOMEM;
	unsigned i = (unsigned)(v - p->vmas);
	memmove(v + 1, v, (p->nvma - i) * sizeof *v);
	p->nvma++;
	v[0].end = va;
	v[1].off += va - v[1].start;
	v[1].start = va;
	if (v->node >= 0)
		tmpfs_ref(v->node, 1);
	return 0;
}

/* Add region v where nothing is; it takes over v's node reference
 * (dropped on failure). */
static long
vma_insert(struct proc *p, struct vma v)
{
	unsigned i = vma_after(p, v.start);
	if (i > 0 && vma_joins(&p->vmas[i - 1], &v)) {
		if (v.node >= 0)
			tmpfs_ref(v.node, -1);
		p->vmas[i - 1].end = v.end;
		vma_merge(p, i - 1);
		return 0;
	}
	if (p->nvma == MAX_VMAS) {
		if (v.node >= 0)
			tmpfs_ref(v.node, -1);
		return -LX_ENOMEM;
	}
	memmove(&p->vmas[i + 1], &p->vmas[i], (p->nvma - i) * sizeof v);
	p->vmas[i] = v;
	p->nvma++;
	vma_merge(p, i);
	return 0;
}

/* Split at s and e, then remove the regions between (and, if pages,
 * their pages). */
static long
vma_cut(struct proc *p, uint64_t s, uint64_t e, bool pages)
{
	long r;
	if ((r = vma_split(p, s)) || (r = vma_split(p, e)))
		return r;
	if (pages)
		rec_each(p, s, e, drop_fn, NULL);
	for (unsigned i = vma_after(p, s); i < p->nvma && p->vmas[i].start < e;)
		vma_remove(p, i);
	return 0;
}

/* A free range of size bytes: at hint if it is free, else the first
 * gap from MMAP_BASE up; 0 if none. */
static uint64_t
find_gap(struct proc *p, uint64_t hint, uint64_t size)
{
	hint = PAGE_UP(hint);
	if (hint >= MMAP_MIN && hint <= TASK_SIZE - size &&
	    range_free(p, hint, hint + size))
		return hint;
	uint64_t at = MMAP_BASE;
	for (unsigned i = vma_after(p, at); i < p->nvma; i++) {
		if (p->vmas[i].start >= at + size)
			break;
		at = p->vmas[i].end;
	}
	return at <= TASK_SIZE - size ? at : 0;
}

/* ---- pages: demand paging and copy-on-write ---------------------- */

/* The rights to map frame f with in region v. */
static unsigned
page_rights(const struct vma *v, uint32_t f)
{
	if (!(v->flags & VM_SHARED) && fref[f] > 1)
		return v->prot & ~UX_R_WRITE;
	return v->prot;
}

/* The frame for the untouched page va of region v, with a reference for
 * its record; 0 with *err if none (no memory, or beyond a file's end). */
static uint32_t
new_frame(const struct vma *v, uint64_t va, long *err)
{
	uint64_t off = v->off + (va - v->start);
	struct tnode *t = v->node >= 0 ? tmpfs_node(v->node) : NULL;
	uint32_t f = 0;
	*err = -LX_ENOMEM;
	if (t && (v->flags & VM_SHARED)) {
		uint8_t *pg = off < t->size ? tmpfs_page(t, off) : NULL;
		if (off >= t->size)
			*err = -LX_EFAULT; /* Linux: SIGBUS */
		if (pg) {
			f = (uint32_t)(((uint64_t)pg - POOL_VA) / PAGE);
			fref[f]++;
		}
	} else if (t && off >= PAGE_UP(t->size)) {
		*err = -LX_EFAULT; /* Linux: SIGBUS */
	} else if ((f = frame_new(true)) && t) {
		tmpfs_read(t, off, fva(f), PAGE);
	}
	return f;
}

/* Give record i a frame of its own: a copy of the shared one. */
static long
cow(uint32_t i)
{
	uint32_t f = frame_new(false);
	if (!f)
		return -LX_ENOMEM;
	memcpy(fva(f), fva(recs[i].fno), PAGE);
	rec_unmap(i); /* the capability is the old frame's */
	frame_put(recs[i].fno);
	recs[i].fno = f;
	return 0;
}

/* p's record for page va, made as an access needing `need` (UX_R_*)
 * would make it: a write to a copy-on-write page gets a frame of p's
 * own. force (the loader) ignores the region's rights. 0 with *err. */
static uint32_t
touch(struct proc *p, uint64_t va, unsigned need, bool force, long *err)
{
	const struct vma *v = va < TASK_SIZE ? vma_at(p, va) : NULL;
	va &= ~(PAGE - 1);
	*err = -LX_EFAULT;
	if (!v || (!force && (!v->prot || (v->prot & need) != need)))
		return 0;
	uint32_t i = rec_find(p, va);
	if (!i) {
		uint32_t f = new_frame(v, va, err);
		if (!f)
			return 0;
		if (!(i = rec_add(p, va, f))) {
			frame_put(f);
			*err = -LX_ENOMEM;
			return 0;
		}
	}
	if ((need & UX_R_WRITE) && !(v->flags & VM_SHARED) &&
	    fref[recs[i].fno] > 1 && (*err = cow(i)))
		return 0;
	return i;
}

bool
mem_fault(struct proc *p, uint64_t addr, uint64_t code)
{
	p = proc_tg(p);
	unsigned need = code & UX_PF_WRITE   ? UX_R_WRITE
			: code & UX_PF_FETCH ? UX_R_EXEC
					     : UX_R_READ;
	long err;
	uint32_t i = touch(p, addr, need, false, &err);
	if (i)
		err = rec_map(p, i, page_rights(vma_at(p, addr), recs[i].fno));
	if (err != -LX_ENOMEM)
		return !err;
	printf("procserv: pid %d (%s): out of memory at %#lx\n", p->pid,
	       p->name, (unsigned long)addr);
	proc_exit(p, 9); /* as Linux's OOM killer: SIGKILL */
	return true;
}

/* Make p's page at va and map it as a read would; its record or 0. */
static uint32_t
wire(struct proc *p, uint64_t va)
{
	long err;
	uint32_t i = touch(p, va, UX_R_READ, false, &err);
	if (!i || rec_map(p, i, page_rights(vma_at(p, va), recs[i].fno)))
		return 0;
	return i;
}

uint64_t
mem_cap(struct proc *p, uint64_t va)
{
	p = proc_tg(p);
	uint32_t i = wire(p, va);
	return i ? slot_addr(recs[i].slot) : 0;
}

long
mem_wire(struct proc *p)
{
	p = proc_tg(p);
	for (unsigned k = 0; k < p->nvma; k++)
		for (uint64_t va = p->vmas[k].start; va < p->vmas[k].end;
		     va += PAGE)
			if (!wire(p, va))
				return -LX_ENOMEM;
	return 0;
}

static long
copy(struct proc *p, uint64_t va, uint8_t *buf, size_t len, bool out,
     bool force)
{
	while (len) {
		size_t n = PAGE - (va & (PAGE - 1));
		long err;
		if (n > len)
			n = len;
		uint32_t i = touch(p, va, out ? UX_R_WRITE : UX_R_READ, force,
				   &err);
		if (!i)
			return -1;
		uint8_t *f = fva(recs[i].fno) + (va & (PAGE - 1));
		if (out)
			memcpy(f, buf, n);
		else
			memcpy(buf, f, n);
		va += n;
		buf += n;
		len -= n;
	}
	return 0;
}

long
proc_copy_in(struct proc *p, void *dst, uint64_t va, size_t len)
{
	p = proc_tg(p);
	return copy(p, va, dst, len, false, false);
}

long
proc_copy_out(struct proc *p, uint64_t va, const void *src, size_t len)
{
	p = proc_tg(p);
	return copy(p, va, (uint8_t *)src, len, true, false);
}

/* A debugger's access (ptrace's PEEK and POKE): whatever the region's
 * rights, as Linux's FOLL_FORCE (a write to a private page the process
 * cannot write makes it a copy of its own: a breakpoint in the text);
 * never a write to a shared mapping the process cannot write, nor
 * outside every region. -1: not all of it. */
long
mem_peek(struct proc *p, void *dst, uint64_t va, size_t len)
{
	p = proc_tg(p);
	return copy(p, va, dst, len, false, true);
}

long
mem_poke(struct proc *p, uint64_t va, const void *src, size_t len)
{
	p = proc_tg(p);
	for (uint64_t a = va & ~(PAGE - 1); a < va + len; a += PAGE) {
		const struct vma *v = a < TASK_SIZE ? vma_at(p, a) : NULL;
		if (!v || ((v->flags & VM_SHARED) && !(v->prot & UX_R_WRITE)))
			return -1;
	}
	return copy(p, va, (uint8_t *)src, len, true, true);
}

long
mem_futex_phys(struct proc *p, uint64_t va, uint64_t *phys)
{
	p = proc_tg(p);
	long err;
	uint32_t i = touch(p, va, UX_R_READ, false, &err);
	if (!i)
		return err;
	if (!(vma_at(p, va)->flags & VM_SHARED))
		return 0;
	*phys = (uint64_t)recs[i].fno * PAGE + (va & (PAGE - 1));
	return 1;
}

long
mem_load(struct proc *p, uint64_t va, const void *src, size_t len)
{
	p = proc_tg(p);
	return copy(p, va, (uint8_t *)src, len, true, true);
}

/* A mapping that allows more than its region now loses the excess. */
static void
reprotect_fn(struct proc *p, uint32_t i, void *ctx)
{
	(void)ctx;
	unsigned r = page_rights(vma_at(p, rec_va(i)), recs[i].fno);
	if (recs[i].rights & ~r)
		rec_map(p, i, r);
}

/* Set the rights of the regions in [s, e) (covered by regions). */
static long
protect(struct proc *p, uint64_t s, uint64_t e, unsigned prot)
{
	long r;
	if ((r = vma_split(p, s)) || (r = vma_split(p, e)))
		return r;
	for (unsigned i = vma_after(p, s); i < p->nvma && p->vmas[i].start < e;
	     i++)
		p->vmas[i].prot = (uint8_t)prot;
	rec_each(p, s, e, reprotect_fn, NULL);
	for (unsigned i = p->nvma; i-- > 0;)
		vma_merge(p, i);
	return 0;
}

long
mem_region(struct proc *p, uint64_t start, uint64_t end, unsigned rights)
{
	p = proc_tg(p);
	struct vma *v = vma_at(p, start);
	long e;
	if (v) { /* a page shared with the segment before */
		if ((e = protect(p, start, start + PAGE, v->prot | rights)))
			return e;
		start += PAGE;
	}
	if (start >= end)
		return 0;
	if (!range_free(p, start, end))
		return -LX_EINVAL;
	return vma_insert(p, (struct vma){.start = start, .end = end,
					  .node = -1, .prot = (uint8_t)rights,
					  .flags = VM_MAYWRITE});
}

/* A view of tmpfs node (from its start, all its pages) at va in p with
 * rights, shared with whoever else maps it, made and mapped now. */
long
mem_share(struct proc *p, uint64_t va, int node, unsigned rights)
{
	p = proc_tg(p);
	uint64_t end = va + PAGE_UP(tmpfs_node(node)->size);
	if (!range_free(p, va, end))
		return -LX_EINVAL;
	tmpfs_ref(node, 1); /* the region's (vma_insert drops it on failure) */
	long e = vma_insert(p, (struct vma){.start = va, .end = end,
					  .node = node, .prot = (uint8_t)rights,
					  .flags = VM_SHARED});
	for (; !e && va < end; va += PAGE)
		if (!wire(p, va))
			e = -LX_ENOMEM;
	return e;
}

/* ---- fork and exit ----------------------------------------------- */

long
mem_fork(struct proc *parent, struct proc *c)
{
	c->pages = 0;
	c->npages = 0;
	memcpy(c->vmas, parent->vmas, sizeof c->vmas);
	c->nvma = parent->nvma;
	for (unsigned k = 0; k < c->nvma; k++)
		if (c->vmas[k].node >= 0)
			tmpfs_ref(c->vmas[k].node, 1);
	for (uint32_t i = parent->pages; i; i = recs[i].next) {
		if (!rec_add(c, rec_va(i), recs[i].fno))
			return -LX_ENOMEM;
		fref[recs[i].fno]++;
		if (recs[i].rights & UX_R_WRITE)
			reprotect_fn(parent, i, NULL); /* copy-on-write now */
	}
	return 0;
}

void
mem_free(struct proc *p)
{
	p = proc_tg(p);
	while (p->pages)
		rec_drop(p, p->pages);
	while (p->nvma)
		vma_remove(p, p->nvma - 1);
}

/* ---- the Linux calls --------------------------------------------- */

static unsigned
prot_rights(uint64_t prot)
{
	unsigned r = (prot & 1 ? UX_R_READ : 0) | (prot & 2 ? UX_R_WRITE : 0) |
		     (prot & 4 ? UX_R_EXEC : 0);
	return r ? r | UX_R_READ : 0; /* x86 cannot map write- or exec-only */
}

/* Linux's heuristic overcommit: refuse what exceeds all of RAM. */
static bool
too_big(uint64_t size)
{
	return size / PAGE > ram_pages;
}

long
mem_brk(struct proc *p, uint64_t want)
{
	p = proc_tg(p);
	uint64_t cur = PAGE_UP(p->brk), end = PAGE_UP(want);
	if (want < p->brk_start || end < want || end > TASK_SIZE)
		return (long)p->brk;
	if (end > cur &&
	    (!range_free(p, cur, end) || too_big(end - p->brk_start) ||
	     quota_as(p, end - cur) ||
	     vma_insert(p, (struct vma){.start = cur, .end = end, .node = -1,
					.prot = UX_R_READ | UX_R_WRITE,
					.flags = VM_MAYWRITE})))
		return (long)p->brk;
	if (end < cur && vma_cut(p, end, cur, true))
		return (long)p->brk;
	p->brk = want;
	return (long)want;
}

/* Linux's checks of a file mapping (descriptor access mode acc, tmpfs
 * node or -1 for /dev/zero or -2 for what cannot be mapped), in its
 * order; sets the region's flags. */
static long
file_checks(long acc, int node, uint64_t prot, uint64_t flags, struct vma *v)
{
	unsigned type = flags & 3;
	if (type == MAP_SHARED_VALIDATE && (flags & ~MAP_LEGACY))
		return -LX_EOPNOTSUPP;
	if (type == MAP_SHARED || type == MAP_SHARED_VALIDATE) {
		if ((prot & 2) && acc != 2)
			return -LX_EACCES;
		v->flags = VM_SHARED | (acc == 2 ? VM_MAYWRITE : 0);
	} else if (type != MAP_PRIVATE) {
		return -LX_EINVAL;
	}
	if (acc == 1)
		return -LX_EACCES; /* opened write-only */
	return node == -2 ? -LX_ENODEV : 0;
}

/* The node behind a new mapping: the file's (referenced), or for a
 * shared anonymous one (or /dev/zero's) a new unnamed node. */
static long
map_node(int node, uint64_t size, struct vma *v)
{
	if (node >= 0) {
		tmpfs_ref(node, 1);
		v->node = node;
		return 0;
	}
	v->off = 0;
	if (!(v->flags & VM_SHARED))
		return 0;
	if ((node = tmpfs_anon(size)) < 0)
		return node;
	v->node = node;
	v->flags = VM_SHARED | VM_MAYWRITE;
	return 0;
}

static void
populate(struct proc *p, uint64_t s, uint64_t e, unsigned need)
{
	long err;
	for (; s < e; s += PAGE)
		if (!touch(p, s, need, false, &err))
			return;
}

long
mem_mmap(struct proc *p, uint64_t addr, uint64_t len, uint64_t prot,
	 uint64_t flags, uint64_t fd, uint64_t off)
{
	p = proc_tg(p);
	struct vma v = {.node = -1, .off = off, .prot = (uint8_t)prot_rights(prot),
			.flags = VM_MAYWRITE};
	uint64_t size = PAGE_UP(len);
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	bool anon = flags & MAP_ANONYMOUS;
	int node = -1;
	long acc = 2, e;

	if (off & (PAGE - 1))
		return -LX_EINVAL;
	if (!anon && (acc = of_mmap(p, fd, &node)) < 0)
		return acc;
	if (!len)
		return -LX_EINVAL;
	if (!size || size > TASK_SIZE)
		return -LX_ENOMEM;
	if (off + size < off)
		return -LX_EOVERFLOW;
	if (flags & MAP_HUGETLB)
		return -LX_ENOMEM; /* as a Linux with no huge pages reserved */
	if (fixed && (addr & (PAGE - 1)))
		return -LX_EINVAL;
	if (fixed ? addr > TASK_SIZE - size : !(addr = find_gap(p, addr, size)))
		return -LX_ENOMEM;
	if (addr < MMAP_MIN)
		return -LX_EPERM; /* below Linux's mmap_min_addr */
	if ((flags & MAP_FIXED_NOREPLACE) && !range_free(p, addr, addr + size))
		return -LX_EEXIST;
	if (!anon && (e = file_checks(acc, node, prot, flags, &v)))
		return e;
	if (anon && !(flags & 3))
		return -LX_EINVAL;
	if (anon && (flags & 3) != MAP_PRIVATE)
		v.flags = VM_SHARED | VM_MAYWRITE;
	/* what Linux accounts: private writable, and shared anonymous */
	if (!(flags & MAP_NORESERVE) && too_big(size) &&
	    ((v.flags & VM_SHARED) ? node < 0 : (v.prot & UX_R_WRITE)))
		return -LX_ENOMEM;
	if ((e = quota_as(p, size))) /* RLIMIT_AS (a replaced range too) */
		return e;
	if ((e = map_node(node, size, &v)))
		return e;
	v.start = addr;
	v.end = addr + size;
	if ((flags & MAP_FIXED) && (e = vma_cut(p, v.start, v.end, true))) {
		if (v.node >= 0)
			tmpfs_ref(v.node, -1);
		return e;
	}
	if ((e = vma_insert(p, v)))
		return e;
	if (flags & MAP_POPULATE)
		populate(p, v.start, v.end, UX_R_READ);
	return (long)addr;
}

long
mem_munmap(struct proc *p, uint64_t addr, uint64_t len)
{
	p = proc_tg(p);
	uint64_t size = PAGE_UP(len);
	if ((addr & (PAGE - 1)) || addr > TASK_SIZE || len > TASK_SIZE - addr ||
	    !size)
		return -LX_EINVAL;
	return vma_cut(p, addr, addr + size, true);
}

long
mem_mprotect(struct proc *p, uint64_t addr, uint64_t len, uint64_t prot)
{
	p = proc_tg(p);
	uint64_t size = PAGE_UP(len), end = addr + size;
	if ((prot & 0x03000000) == 0x03000000 || (addr & (PAGE - 1)))
		return -LX_EINVAL;
	if (!len)
		return 0;
	if (end <= addr)
		return -LX_ENOMEM;
	if (prot & ~(uint64_t)(0x03000000 | 0xF))
		return -LX_EINVAL;
	if (!range_covered(p, addr, end))
		return -LX_ENOMEM;
	for (unsigned i = vma_after(p, addr);
	     i < p->nvma && p->vmas[i].start < end; i++)
		if ((prot & 2) && !(p->vmas[i].flags & VM_MAYWRITE))
			return -LX_EACCES;
	return protect(p, addr, end, prot_rights(prot));
}

/* Whether Linux 6.1 knows this advice (it answers EINVAL to others). */
static bool
advice_known(uint64_t a)
{
	return a <= 4 || (a >= 8 && a <= 25) || a == 100 || a == 101;
}

long
mem_madvise(struct proc *p, uint64_t addr, uint64_t len, uint64_t advice)
{
	p = proc_tg(p);
	uint64_t size = PAGE_UP(len), end = addr + size;
	if (!advice_known(advice) || (addr & (PAGE - 1)) || (len && !size) ||
	    end < addr)
		return -LX_EINVAL;
	if (end == addr)
		return 0;
	bool holes = !range_covered(p, addr, end);
	switch (advice) {
	case 0: case 1: case 2: case 3: /* hints: nothing to do */
	case 12: case 13: case 14: case 15: case 16: case 17: case 20:
	case 21: case 25:
		break;
	case 4: /* MADV_DONTNEED: private pages read back zero (or from
		 * the file), shared ones from the node */
	case 8: /* MADV_FREE: the same, at once */
	case 24: /* MADV_DONTNEED_LOCKED: nothing is locked */
		rec_each(p, addr, end, drop_fn, NULL);
		break;
	case 22: /* MADV_POPULATE_READ, _WRITE */
	case 23:
		populate(p, addr, end, advice == 23 ? UX_R_WRITE : UX_R_READ);
		break;
	case 9:
		return -LX_EOPNOTSUPP; /* MADV_REMOVE: no hole punching */
	case 100: /* hardware poisoning: for the privileged */
	case 101:
		return -LX_EPERM;
	default: /* DONTFORK, DOFORK, WIPEONFORK, KEEPONFORK: not yet */
		return -LX_EINVAL;
	}
	return holes ? -LX_ENOMEM : 0;
}

static void
move_fn(struct proc *p, uint32_t i, void *ctx)
{
	uint64_t to = rec_va(i) + *(uint64_t *)ctx;
	rec_unmap(i);
	hash_del(i);
	recs[i].key = rkey(p, to);
	hash_add(i);
}

/* Move [addr, addr + len) of region v (len <= new_len) to `to`, which
 * is free, as a region of new_len bytes. */
static long
move(struct proc *p, const struct vma *v, uint64_t addr, uint64_t len,
     uint64_t to, uint64_t new_len)
{
	struct vma n = *v;
	uint64_t delta = to - addr;
	long e;
	if (p->nvma + 3 > MAX_VMAS)
		return -LX_ENOMEM;
	n.off += addr - n.start;
	n.start = to;
	n.end = to + new_len;
	if (n.node >= 0)
		tmpfs_ref(n.node, 1);
	if ((e = vma_insert(p, n)))
		return e;
	rec_each(p, addr, addr + len, move_fn, &delta);
	vma_cut(p, addr, addr + len, false);
	return (long)to;
}

long
mem_mremap(struct proc *p, uint64_t addr, uint64_t old_len, uint64_t new_len,
	   uint64_t flags, uint64_t new_addr)
{
	p = proc_tg(p);
	uint64_t olen = PAGE_UP(old_len), nlen = PAGE_UP(new_len);
	long e;
	if ((flags & ~(uint64_t)7) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) ||
	    (flags & MREMAP_DONTUNMAP) || (addr & (PAGE - 1)) || !nlen ||
	    olen < old_len)
		return -LX_EINVAL; /* MREMAP_DONTUNMAP is not supported */
	if (flags & MREMAP_FIXED) {
		if ((new_addr & (PAGE - 1)) || nlen > TASK_SIZE ||
		    new_addr > TASK_SIZE - nlen ||
		    (new_addr < addr + olen && addr < new_addr + nlen))
			return -LX_EINVAL;
	} else if (olen >= nlen) {
		return (e = vma_cut(p, addr + nlen, addr + olen, true)) ? e
									: (long)addr;
	} else if (nlen > TASK_SIZE) {
		return -LX_ENOMEM;
	}
	const struct vma *v = vma_at(p, addr);
	if (!v || olen > v->end - addr)
		return -LX_EFAULT;
	if (!olen)
		return -LX_EINVAL; /* duplicating a mapping is not supported */
	if (nlen > olen && (e = quota_as(p, nlen - olen)))
		return e; /* RLIMIT_AS */
	if (flags & MREMAP_FIXED) {
		struct vma keep = *v;
		if ((e = vma_cut(p, new_addr, new_addr + nlen, true)))
			return e;
		if (olen > nlen && (e = vma_cut(p, addr + nlen, addr + olen, true)))
			return e;
		return move(p, &keep, addr, olen < nlen ? olen : nlen,
			    new_addr, nlen);
	}
	if (v->end == addr + olen && addr + nlen <= TASK_SIZE &&
	    range_free(p, addr + olen, addr + nlen)) {
		struct vma n = *v;
		n.off += addr + olen - n.start;
		n.start = addr + olen;
		n.end = addr + nlen;
		if (n.node >= 0)
			tmpfs_ref(n.node, 1);
		return (e = vma_insert(p, n)) ? e : (long)addr;
	}
	uint64_t to;
	if (!(flags & MREMAP_MAYMOVE) || !(to = find_gap(p, 0, nlen)))
		return -LX_ENOMEM;
	struct vma keep = *v;
	return move(p, &keep, addr, olen, to, nlen);
}

long
mem_msync(struct proc *p, uint64_t addr, uint64_t len, uint64_t flags)
{
	p = proc_tg(p);
	uint64_t end = addr + PAGE_UP(len);
	if ((flags & ~(uint64_t)7) || (addr & (PAGE - 1)) ||
	    ((flags & 1) && (flags & 4)))
		return -LX_EINVAL;
	if (end < addr)
		return -LX_ENOMEM;
	/* shared mappings are the file's own pages: nothing to write */
	return range_covered(p, addr, end) ? 0 : -LX_ENOMEM;
}
