/*
 * vspace.c - user address spaces: the four x86-64 paging levels as kernel
 * objects, frame and table mapping, and the page walks that long-message
 * copy uses.
 *
 * A PML4 gets an ASID (an index in the per-CPU ASID table) when it is made;
 * frame and table capabilities record (ASID, vaddr) where they are mapped.
 * Deleting a PML4 clears its table entry, so a stale capability's unmap
 * finds nothing; every unmap also checks that the entry still points at the
 * object it is asked to remove. User mappings never reach the upper half.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/machine.h>
#include <invoke.h>
#include <uxrt/fault.h>
#include <uxrt/invocation.h>

#define PTE_P 1ull
#define PTE_W 2ull
#define PTE_U 4ull
#define PTE_PWT 8ull
#define PTE_PCD 16ull
#define PTE_PS 128ull
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000FFFFFFFFFF000ull

uint64_t *
vs_table(uint64_t pa)
{
	return phys_to_virt(pa);
}

static unsigned
idx(uint64_t va, int level)
{
	return (va >> (12 + 9 * (level - 1))) & 511;
}

/* The entry for va at level (1 = PT .. 4 = PML4), or NULL if a table
 * above is missing or a large page covers va. */
uint64_t *
vs_walk(uint64_t pml4_pa, uint64_t va, int level)
{
	uint64_t *t = vs_table(pml4_pa);
	for (int l = 4; l > level; l--) {
		uint64_t e = t[idx(va, l)];
		if (!(e & PTE_P) || (e & PTE_PS))
			return NULL;
		t = vs_table(e & PTE_ADDR);
	}
	return &t[idx(va, level)];
}

void
vs_set_leaf(uint64_t *pte, uint64_t pa, unsigned rights, bool large,
	    bool uncached)
{
	uint64_t e = pa | PTE_P | PTE_U;
	if (rights & UX_R_WRITE)
		e |= PTE_W;
	if (!(rights & UX_R_EXEC))
		e |= PTE_NX;
	if (large)
		e |= PTE_PS;
	if (uncached)
		e |= PTE_PCD | PTE_PWT;
	*pte = e;
}

void
vs_set_table(uint64_t *e, uint64_t pa)
{
	*e = pa | PTE_P | PTE_W | PTE_U;
}

static uint64_t
asid_pml4(unsigned asid)
{
	uint64_t *t = (uint64_t *)this_cpu()->asid_table[asid];
	return t ? virt_to_phys(t) : 0;
}

static void
flush(uint64_t pml4_pa, uint64_t va, bool whole)
{
	struct cpu *c = this_cpu();
	if (c->cr3 != pml4_pa)
		return; /* not loaded: a CR3 write flushes it anyway */
	if (whole)
		write_cr3(pml4_pa);
	else
		invlpg(va);
}

err_t
pml4_asids_available(unsigned count)
{
	struct cpu *c = this_cpu();
	for (unsigned i = 1; i < ASID_COUNT && count; i++)
		if (!c->asid_table[i])
			count--;
	return count ? UX_E_NOT_ENOUGH_MEMORY : UX_OK;
}

void
pml4_init(struct cap *c)
{
	struct cpu *cpu = this_cpu();
	uint64_t *t = vs_table(c->obj);
	memcpy(t + 256, kernel_pml4() + 256, 256 * sizeof *t);
	for (unsigned i = 1; i < ASID_COUNT; i++) {
		if (!cpu->asid_table[i]) {
			cpu->asid_table[i] = (struct pml4 *)t;
			c->asid = (uint16_t)i;
			return;
		}
	}
	panic("pml4_init: no ASID (checked before)");
}

void
pml4_destroy(struct cap *c)
{
	struct cpu *cpu = this_cpu();
	cpu->asid_table[c->asid] = NULL;
	cpu->vs_gen++;
	if (cpu->cr3 == c->obj) {
		cpu->cr3 = virt_to_phys(kernel_pml4());
		write_cr3(cpu->cr3);
	}
}

static bool
is_large(const struct cap *c)
{
	return c->type == UX_CAP_FRAME_2M;
}

static void
frame_unmap(struct cap *c)
{
	uint64_t pml4 = asid_pml4(c->asid);
	this_cpu()->vs_gen++;
	if ((c->flags & CAPF_MAPPED) && pml4) {
		uint64_t *pte = vs_walk(pml4, c->w1, is_large(c) ? 2 : 1);
		uint64_t want = c->obj | (is_large(c) ? PTE_PS : 0);
		if (pte && (*pte & PTE_P) &&
		    (*pte & (PTE_ADDR | PTE_PS)) == want) {
			*pte = 0;
			flush(pml4, c->w1, false);
		}
	}
	c->flags &= ~CAPF_MAPPED;
	c->asid = 0;
	c->w1 = 0;
}

void
frame_cap_deleted(struct cap *c)
{
	frame_unmap(c);
}

static err_t
pml4_arg(struct inv *v, struct cap **out)
{
	struct cte *p;
	err_t e = inv_cap(v, 0, &p);
	if (e)
		return e;
	if (p->cap.type != UX_CAP_PML4)
		return UX_E_INVALID_CAPABILITY;
	if (!asid_pml4(p->cap.asid))
		return UX_E_INVALID_CAPABILITY;
	*out = &p->cap;
	return UX_OK;
}

static err_t
frame_map(struct inv *v, struct cap *c)
{
	struct cap *pml4;
	uint64_t va = inv_mr(v, 0), rights = inv_mr(v, 1), attr = inv_mr(v, 2);
	unsigned bits = c->size_bits;
	err_t e;

	if (v->len < 3 || v->ncaps < 1)
		return UX_E_TRUNCATED_MESSAGE;
	if ((e = pml4_arg(v, &pml4)))
		return e;
	if (!IS_ALIGNED(va, bits))
		return UX_E_ALIGNMENT;
	/* never the last page: code ending there would leave rip at
	 * UX_USER_TOP, not canonical, which no return to user can take */
	if (va >= UX_USER_TOP - 4096 || UX_USER_TOP - 4096 - va < BIT(bits))
		return UX_E_RANGE;
	if (rights & ~(uint64_t)(UX_R_READ | UX_R_WRITE | UX_R_EXEC) ||
	    !(rights & UX_R_READ) || attr > UX_MAP_UNCACHED)
		return UX_E_INVALID_ARGUMENT;
	if (rights & ~(uint64_t)c->rights)
		return UX_E_NO_RIGHTS;
	bool remap = c->flags & CAPF_MAPPED;
	if (remap && (c->asid != pml4->asid || c->w1 != va))
		return UX_E_ILLEGAL_OPERATION; /* mapped elsewhere: unmap first */
	uint64_t *pte = vs_walk(pml4->obj, va, bits == UX_PAGE_BITS ? 1 : 2);
	if (!pte)
		return UX_E_FAILED_LOOKUP; /* a page table is missing */
	if ((*pte & PTE_P) && !remap)
		return UX_E_DELETE_FIRST;
	vs_set_leaf(pte, c->obj, (unsigned)rights, is_large(c),
		    attr == UX_MAP_UNCACHED);
	if (remap)
		this_cpu()->vs_gen++; /* rights may be fewer */
	c->flags |= CAPF_MAPPED;
	c->asid = pml4->asid;
	c->w1 = va;
	if (remap)
		flush(pml4->obj, va, false);
	invoke_done(v, 0);
	return UX_OK;
}

err_t
frame_invoke(struct inv *v)
{
	struct cap *c = &v->slot->cap;

	switch (v->label) {
	case UX_FRAME_MAP:
		return frame_map(v, c);
	case UX_FRAME_UNMAP:
		frame_unmap(c);
		invoke_done(v, 0);
		return UX_OK;
	case UX_FRAME_GET_ADDRESS:
		mr_set(v->t, v->buf, 0, c->obj);
		mr_set(v->t, v->buf, 1, (c->flags & CAPF_MAPPED) ? c->w1 : 0);
		invoke_done(v, 2);
		return UX_OK;
	default:
		return UX_E_ILLEGAL_OPERATION;
	}
}

/* The level of the entry that points at a table of this type. */
static int
table_parent_level(unsigned type)
{
	return type == UX_CAP_PAGE_TABLE ? 2 : type == UX_CAP_PAGE_DIR ? 3 : 4;
}

/* Unmapping a table also empties it: the entries in it must not come
 * back when it is mapped again elsewhere, where the frame and table
 * capabilities that made them would not find them (deleting such a
 * frame would free memory still mapped). The table has this one
 * capability, so if it is marked mapped but no longer in place (its
 * parent went away) nothing else uses it either. */
static void
table_unmap(struct cap *c)
{
	uint64_t pml4 = asid_pml4(c->asid);
	if (!(c->flags & CAPF_MAPPED))
		return;
	this_cpu()->vs_gen++;
	if (pml4) {
		uint64_t *e = vs_walk(pml4, c->w1, table_parent_level(c->type));
		if (e && (*e & PTE_P) && !(*e & PTE_PS) &&
		    (*e & PTE_ADDR) == c->obj) {
			*e = 0;
			flush(pml4, c->w1, true);
		}
	}
	memset(vs_table(c->obj), 0, BIT(UX_TABLE_BITS));
	c->flags &= ~CAPF_MAPPED;
	c->asid = 0;
	c->w1 = 0;
}

void
table_destroy(struct cap *c)
{
	table_unmap(c);
}

static err_t
table_map(struct inv *v, struct cap *c)
{
	struct cap *pml4;
	int level = table_parent_level(c->type);
	uint64_t va = inv_mr(v, 0) & ~MASK(12 + 9 * (level - 1));
	err_t e;

	if (v->len < 1 || v->ncaps < 1)
		return UX_E_TRUNCATED_MESSAGE;
	if ((e = pml4_arg(v, &pml4)))
		return e;
	if (inv_mr(v, 0) >= UX_USER_TOP)
		return UX_E_RANGE;
	if (c->flags & CAPF_MAPPED)
		return UX_E_ILLEGAL_OPERATION;
	uint64_t *ent = vs_walk(pml4->obj, va, level);
	if (!ent)
		return UX_E_FAILED_LOOKUP;
	if (*ent & PTE_P)
		return UX_E_DELETE_FIRST;
	vs_set_table(ent, c->obj);
	c->flags |= CAPF_MAPPED;
	c->asid = pml4->asid;
	c->w1 = va;
	invoke_done(v, 0);
	return UX_OK;
}

err_t
table_invoke(struct inv *v)
{
	struct cap *c = &v->slot->cap;

	switch (v->label) {
	case UX_TABLE_MAP:
		return table_map(v, c);
	case UX_TABLE_UNMAP:
		table_unmap(c);
		invoke_done(v, 0);
		return UX_OK;
	default:
		return UX_E_ILLEGAL_OPERATION;
	}
}

enum xlate { XL_OK, XL_FAULT, XL_NOCOPY };

/* Physical address for a user access at va. XL_FAULT: the access would
 * fault (*code = the x86 page-fault error code it would raise; a fault
 * handler can map the page). XL_NOCOPY: mapped, but not RAM the kernel
 * copies through (device memory, an uncached mapping): no page fault
 * could change that. */
static enum xlate
translate(uint64_t pml4, uint64_t va, bool write, uint64_t *pa,
	  uint64_t *code)
{
	uint64_t *t = vs_table(pml4), e = 0;
	int l;

	*code = UX_PF_USER | (write ? UX_PF_WRITE : 0);
	if (va >= UX_USER_TOP)
		return XL_NOCOPY;
	for (l = 4; l >= 1; l--) {
		e = t[idx(va, l)];
		if (!(e & PTE_P))
			return XL_FAULT;
		if (!(e & PTE_U) || (write && !(e & PTE_W))) {
			*code |= UX_PF_PRESENT;
			return XL_FAULT;
		}
		if (l == 1 || (l == 2 && (e & PTE_PS)))
			break;
		t = vs_table(e & PTE_ADDR);
	}
	uint64_t page = l == 2 ? BIT(21) : BIT(12);
	uint64_t base = (e & PTE_ADDR) & ~(page - 1);
	if ((e & PTE_PCD) || !phys_is_ram(base))
		return XL_NOCOPY; /* device memory: not copied by the kernel */
	*pa = base + (va & (page - 1));
	return XL_OK;
}

/* The thread's PML4, or 0 if it has none (its slot was emptied). */
static uint64_t
thread_pml4(struct tcb *t)
{
	struct cap *c = &t->slot[TCB_SLOT_VSPACE].cap;
	return c->type == UX_CAP_PML4 ? c->obj : 0;
}

/* translate() for t's memory, through t's cache of the page last
 * translated for a read and the one for a write: each stays good while t
 * has the same address space and no mapping anywhere went away or lost
 * rights (cpu->vs_gen). A pipe's or a file's buffer is then walked once,
 * not on every request. */
static inline __attribute__((always_inline)) enum xlate
xlate(struct tcb *t, uint64_t pml4, uint64_t va, bool write, uint64_t *pa,
      uint64_t *code)
{
	uint64_t gen = this_cpu()->vs_gen, page = va & ~MASK(12);

	for (int w = write; w < 2; w++) { /* a writable page is readable */
		struct xlate_cache *k = &t->xc[w];
		if (k->page == page && k->pml4 == pml4 && k->gen == gen &&
		    pml4) {
			*pa = k->pa + (va & MASK(12));
			return XL_OK;
		}
	}
	enum xlate x = translate(pml4, va, write, pa, code);
	if (x == XL_OK)
		t->xc[write] = (struct xlate_cache){
			.page = page, .pa = *pa & ~MASK(12), .pml4 = pml4,
			.gen = gen};
	return x;
}

/* One leaf entry as translate checks it (entry e maps a page at level l). */
static enum xlate
leaf_ok(uint64_t e, int l, bool write, uint64_t *code)
{
	*code = UX_PF_USER | (write ? UX_PF_WRITE : 0);
	if (!(e & PTE_P))
		return XL_FAULT;
	if (!(e & PTE_U) || (write && !(e & PTE_W))) {
		*code |= UX_PF_PRESENT;
		return XL_FAULT;
	}
	uint64_t base = (e & PTE_ADDR) & ~(l == 2 ? MASK(21) : MASK(12));
	return (e & PTE_PCD) || !phys_is_ram(base) ? XL_NOCOPY : XL_OK;
}

/* Is [va, va+len) mapped for this access? Walks the tables once per
 * 2 MiB and then steps through the page table's entries, so a long
 * buffer costs a few instructions a page. */
bool
vspace_check(struct tcb *t, uint64_t va, uint64_t len, bool write,
	     uint64_t *bad, uint64_t *code)
{
	uint64_t pml4 = thread_pml4(t), pa;

	if (!len)
		return true;
	if (!pml4 || va >= UX_USER_TOP || len > UX_USER_TOP - va) {
		*bad = UX_USER_TOP;
		return false;
	}
	uint64_t p = va & ~MASK(12), end = va + len;
	if (((end - 1) & ~MASK(12)) == p) { /* one page: perhaps known */
		enum xlate x = xlate(t, pml4, va, write, &pa, code);
		if (x != XL_OK)
			*bad = x == XL_NOCOPY ? UX_USER_TOP : va;
		return x == XL_OK;
	}
	while (p < end) {
		uint64_t a = p < va ? va : p;
		enum xlate x = translate(pml4, a, write, &pa, code);
		if (x != XL_OK) {
			*bad = x == XL_NOCOPY ? UX_USER_TOP : a;
			return false;
		}
		uint64_t *pde = vs_walk(pml4, p, 2);
		if (!pde || (*pde & PTE_PS)) { /* a 2 MiB page */
			p = (p | MASK(21)) + 1;
			continue;
		}
		/* the rest of this page table, entry by entry */
		uint64_t *pte = vs_walk(pml4, p, 1);
		for (p += BIT(12), pte++; p < end && (p & MASK(21)); p += BIT(12), pte++) {
			x = leaf_ok(*pte, 1, write, code);
			if (x != XL_OK) {
				*bad = x == XL_NOCOPY ? UX_USER_TOP : p;
				return false;
			}
		}
	}
	return true;
}

bool
vspace_read(struct tcb *t, uint64_t va, void *dst, uint64_t n)
{
	uint64_t pml4 = thread_pml4(t), pa, code;
	uint8_t *d = dst;

	if (!pml4 || va >= UX_USER_TOP || n > UX_USER_TOP - va)
		return false;
	while (n) {
		uint64_t chunk = BIT(12) - (va & MASK(12));
		if (chunk > n)
			chunk = n;
		if (translate(pml4, va, false, &pa, &code) != XL_OK)
			return false;
		memcpy(d, phys_to_virt(pa), chunk);
		d += chunk;
		va += chunk;
		n -= chunk;
	}
	return true;
}

uint64_t
vspace_copy(struct tcb *dst, uint64_t dva, struct tcb *src, uint64_t sva,
	    uint64_t n)
{
	uint64_t dp = thread_pml4(dst), sp = thread_pml4(src);
	uint64_t done = 0, dpa, spa, code;

	if (!dp || !sp || dva >= UX_USER_TOP || sva >= UX_USER_TOP)
		return 0;
	if (n > UX_USER_TOP - dva)
		n = UX_USER_TOP - dva;
	if (n > UX_USER_TOP - sva)
		n = UX_USER_TOP - sva;
	while (done < n) {
		if (xlate(dst, dp, dva + done, true, &dpa, &code) != XL_OK ||
		    xlate(src, sp, sva + done, false, &spa, &code) != XL_OK)
			break;
		uint64_t chunk = n - done;
		uint64_t dl = BIT(12) - ((dva + done) & MASK(12));
		uint64_t sl = BIT(12) - ((sva + done) & MASK(12));
		if (chunk > dl)
			chunk = dl;
		if (chunk > sl)
			chunk = sl;
		memcpy(phys_to_virt(dpa), phys_to_virt(spa), chunk);
		done += chunk;
	}
	return done;
}
