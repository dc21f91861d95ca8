/*
 * mmu.c - the kernel's own address space.
 *
 * Upper half only: the kernel image at KERNEL_VMA (the boot tables' 1 GiB
 * window, kept), a device window for the IOAPIC and local APIC just above
 * it, and the physmap: every RAM region (up to PHYSMAP_MAX) at
 * PHYSMAP_BASE + physical address, in 2 MiB pages, non-executable. Every
 * user PML4 shares these upper-half entries (copied at creation), and they
 * never change after boot. The boot identity map is dropped here.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/machine.h>
#include <boot.h>

#define PTE_P 1ull
#define PTE_W 2ull
#define PTE_PWT 8ull
#define PTE_PCD 16ull
#define PTE_PS 128ull
#define PTE_G 256ull
#define PTE_NX (1ull << 63)

extern uint64_t boot_pdpt_hi[512]; /* low (identity-mapped) address */

static uint64_t kpml4[512] __attribute__((aligned(4096)));
static uint64_t physmap_pdpt[512] __attribute__((aligned(4096)));
static uint64_t physmap_pd[PHYSMAP_MAX >> 30][512]
	__attribute__((aligned(4096)));
static uint64_t dev_pd[512] __attribute__((aligned(4096)));

/* Is pa in the physmap (RAM the kernel may copy to and from)? */
bool
phys_is_ram(uint64_t pa)
{
	return pa < PHYSMAP_MAX && (physmap_pd[pa >> 30][(pa >> 21) & 511] & PTE_P);
}

uint64_t *
kernel_pml4(void)
{
	return kpml4;
}

static void
map_region(uint64_t start, uint64_t end)
{
	start &= ~MASK(21);
	if (end > PHYSMAP_MAX)
		end = PHYSMAP_MAX;
	for (uint64_t pa = start; pa < end; pa += BIT(21)) {
		uint64_t *pd = physmap_pd[pa >> 30];
		pd[(pa >> 21) & 511] = pa | PTE_P | PTE_W | PTE_PS | PTE_G |
				       PTE_NX;
	}
}

void
mmu_init(const struct boot_mem *bm)
{
	uint64_t *pdpt_hi = (uint64_t *)((uint64_t)boot_pdpt_hi);

	for (unsigned i = 0; i < ARRAY_SIZE(physmap_pd); i++)
		physmap_pdpt[i] = virt_to_phys(physmap_pd[i]) | PTE_P | PTE_W;
	for (unsigned i = 0; i < bm->nram; i++)
		map_region(bm->ram[i].start, bm->ram[i].end);
	dev_pd[0] = IOAPIC_PA | PTE_P | PTE_W | PTE_PS | PTE_PCD | PTE_PWT |
		    PTE_NX;
	dev_pd[1] = LAPIC_PA | PTE_P | PTE_W | PTE_PS | PTE_PCD | PTE_PWT |
		    PTE_NX;
	/* boot_pdpt_hi is reached through the identity map until the switch */
	pdpt_hi[511] = virt_to_phys(dev_pd) | PTE_P | PTE_W;
	kpml4[PHYSMAP_BASE >> 39 & 511] = virt_to_phys(physmap_pdpt) | PTE_P |
					  PTE_W;
	kpml4[511] = (uint64_t)boot_pdpt_hi | PTE_P | PTE_W;
	this_cpu()->cr3 = virt_to_phys(kpml4);
	write_cr3(this_cpu()->cr3);
}
