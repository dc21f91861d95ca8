/*
 * test_elf.c - host unit test of lib/elf/elf64.c (elf64_check,
 * elf64_load_segment, elf64_strerror), the checks that stand between a
 * hostile executable and the kernel (root server) or the process server.
 *
 * Images are built in memory with the host's <elf.h> (an independent
 * definition of the format): a valid static x86-64 executable, then one
 * mutation at a time, each of which must give its own error. Every image is
 * copied into a heap block of exactly its size, so AddressSanitizer catches
 * a read of even one byte past the end. Last, a bounded random-mutation fuzz
 * loop (fixed seed, so reproducible) must never crash, and whenever it
 * accepts an image, what it reports must be inside the file and the limit.
 */
#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf64.h"
#include "htest.h"

#include <sys/mman.h>

#define LIMIT 0x10000000ull /* the root server's limit (UX_BI_VADDR) */
#define MAXPH 8

/* An image under construction: headers plus where they are placed. The
 * header fields may be mutated independently of the placement. */
struct image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[MAXPH];
	unsigned nph;	    /* program headers written */
	uint64_t ph_place;  /* file offset where they are written */
	uint64_t ph_stride; /* distance between them */
	size_t size;	    /* file size */
};

/* text: [0x400000, 0x400400) from offset 0 (headers included), R X;
 * data: [0x401400, 0x403400) from offset 0x400, 0x100 bytes in the file,
 * the rest bss, R W; and a PT_GNU_STACK header that must be ignored. */
static void
image_valid(struct image *im)
{
	memset(im, 0, sizeof *im);
	Elf64_Ehdr *e = &im->eh;
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = 0x400100;
	e->e_phoff = sizeof(Elf64_Ehdr);
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = 3;
	im->ph[0] = (Elf64_Phdr){.p_type = PT_LOAD,
				 .p_flags = PF_R | PF_X,
				 .p_offset = 0,
				 .p_vaddr = 0x400000,
				 .p_paddr = 0x400000,
				 .p_filesz = 0x400,
				 .p_memsz = 0x400,
				 .p_align = 0x1000};
	im->ph[1] = (Elf64_Phdr){.p_type = PT_LOAD,
				 .p_flags = PF_R | PF_W,
				 .p_offset = 0x400,
				 .p_vaddr = 0x401400,
				 .p_paddr = 0x401400,
				 .p_filesz = 0x100,
				 .p_memsz = 0x2000,
				 .p_align = 0x1000};
	im->ph[2] = (Elf64_Phdr){
	    .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W, .p_align = 16};
	im->nph = 3;
	im->ph_place = sizeof(Elf64_Ehdr);
	im->ph_stride = sizeof(Elf64_Phdr);
	im->size = 0x500;
}

/* The file bytes, in a block of exactly im->size bytes (caller frees). */
static uint8_t *
image_bytes(const struct image *im)
{
	uint8_t *b = malloc(im->size ? im->size : 1);
	for (size_t i = 0; i < im->size; i++)
		b[i] = (uint8_t)(0xC3 ^ i); /* "code" */
	if (im->size >= sizeof im->eh)
		memcpy(b, &im->eh, sizeof im->eh);
	else
		memcpy(b, &im->eh, im->size);
	for (unsigned i = 0; i < im->nph; i++) {
		uint64_t off = im->ph_place + i * im->ph_stride;
		if (off <= im->size && sizeof im->ph[i] <= im->size - off)
			memcpy(b + off, &im->ph[i], sizeof im->ph[i]);
	}
	return b;
}

static enum elf_error
check(const struct image *im, struct elf_info *info)
{
	struct elf_info dummy;
	uint8_t *b = image_bytes(im);
	enum elf_error e =
	    elf64_check(b, im->size, LIMIT, info ? info : &dummy);
	free(b);
	return e;
}

#define EXPECT(im, want)                                                       \
	({                                                                     \
		enum elf_error got_ = check(im, NULL);                         \
		CHECKF(got_ == (want), "expected %s (%d), got %s (%d)", #want, \
		       (int)(want), elf64_strerror(got_), (int)got_);          \
	})

static void
test_valid(void)
{
	struct image im;
	struct elf_info info;
	struct elf_segment s;

	htest_group("valid static x86-64 executable");
	image_valid(&im);
	uint8_t *b = image_bytes(&im);
	CHECK_EQ(elf64_check(b, im.size, LIMIT, &info), ELF_OK);
	CHECK_EQ(info.entry, 0x400100);
	CHECK_EQ(info.phoff, 64);
	CHECK_EQ(info.phnum, 3);
	CHECK_EQ(info.phentsize, 56);
	CHECK_EQ(info.lo, 0x400000);
	CHECK_EQ(info.hi, 0x403400);
	CHECK(elf64_load_segment(b, &info, 0, &s));
	CHECK_EQ(s.vaddr, 0x400000);
	CHECK_EQ(s.memsz, 0x400);
	CHECK_EQ(s.offset, 0);
	CHECK_EQ(s.filesz, 0x400);
	CHECK_EQ(s.flags, ELF_PF_R | ELF_PF_X);
	CHECK(elf64_load_segment(b, &info, 1, &s));
	CHECK_EQ(s.vaddr, 0x401400);
	CHECK_EQ(s.memsz, 0x2000);
	CHECK_EQ(s.offset, 0x400);
	CHECK_EQ(s.filesz, 0x100);
	CHECK_EQ(s.flags, ELF_PF_R | ELF_PF_W);
	CHECK(!elf64_load_segment(b, &info, 2, &s)); /* GNU_STACK skipped */
	CHECK(!elf64_load_segment(b, &info, 1000, &s));
	free(b);

	/* Variations that stay valid. */
	image_valid(&im);
	im.eh.e_entry = 0x400000; /* first byte */
	EXPECT(&im, ELF_OK);
	im.eh.e_entry = 0x403400 - 1; /* last byte of bss: not executable */
	EXPECT(&im, ELF_E_TYPE);
	image_valid(&im);
	im.ph[1].p_vaddr = LIMIT - 0x2000 + 0x400; /* ends exactly at limit */
	im.ph[1].p_memsz = 0x1c00;
	EXPECT(&im, ELF_OK);
	image_valid(&im);
	im.eh.e_phentsize = 64; /* larger entries are allowed */
	im.ph_stride = 64;
	EXPECT(&im, ELF_OK);
	image_valid(&im);
	im.ph[1].p_align = 0; /* 0 and 1: no alignment constraint */
	im.ph[1].p_vaddr = 0x401234;
	EXPECT(&im, ELF_OK);
	im.ph[1].p_align = 1;
	EXPECT(&im, ELF_OK);
	image_valid(&im);
	im.ph[2] = im.ph[0]; /* a PT_LOAD with memsz 0 is skipped */
	im.ph[2].p_memsz = im.ph[2].p_filesz = 0;
	im.ph[2].p_vaddr = 0x7000000000; /* even far beyond the limit */
	EXPECT(&im, ELF_OK);
	htest_group_end();
}

static void
test_header(void)
{
	struct image im;

	htest_group("ELF header: size, magic, class, machine, type");
	image_valid(&im);
	im.size = 0;
	EXPECT(&im, ELF_E_SHORT);
	im.size = sizeof(Elf64_Ehdr) - 1;
	EXPECT(&im, ELF_E_SHORT);
	im.size = sizeof(Elf64_Ehdr); /* header only: phdrs outside */
	EXPECT(&im, ELF_E_PHDR);
	for (int i = 0; i < SELFMAG; i++) {
		image_valid(&im);
		im.eh.e_ident[i] ^= 0x20;
		EXPECT(&im, ELF_E_MAGIC);
	}
	image_valid(&im);
	im.eh.e_ident[EI_CLASS] = ELFCLASS32;
	EXPECT(&im, ELF_E_CLASS);
	image_valid(&im);
	im.eh.e_ident[EI_CLASS] = ELFCLASSNONE;
	EXPECT(&im, ELF_E_CLASS);
	image_valid(&im);
	im.eh.e_ident[EI_DATA] = ELFDATA2MSB;
	EXPECT(&im, ELF_E_CLASS);
	image_valid(&im);
	im.eh.e_machine = EM_386;
	EXPECT(&im, ELF_E_CLASS);
	image_valid(&im);
	im.eh.e_machine = EM_AARCH64;
	EXPECT(&im, ELF_E_CLASS);
	static const uint16_t types[] = {ET_NONE, ET_REL, ET_DYN, ET_CORE,
					 0xfe00};
	for (unsigned i = 0; i < sizeof types / sizeof types[0]; i++) {
		image_valid(&im);
		im.eh.e_type = types[i];
		EXPECT(&im, ELF_E_TYPE);
	}
	htest_group_end();
}

static void
test_phdrs(void)
{
	struct image im;

	htest_group("program headers: placement, count, entry size");
	image_valid(&im);
	im.eh.e_phoff = im.size; /* just past the end */
	EXPECT(&im, ELF_E_PHDR);
	image_valid(&im);
	im.eh.e_phoff = im.size - 8; /* starts inside, ends outside */
	EXPECT(&im, ELF_E_PHDR);
	image_valid(&im);
	im.eh.e_phoff = UINT64_MAX - 7; /* offset + length wraps */
	EXPECT(&im, ELF_E_PHDR);
	image_valid(&im);
	im.eh.e_phoff = 0x8000000000000000ull;
	EXPECT(&im, ELF_E_PHDR);
	image_valid(&im);
	im.size = 64 + 2 * 56 + 8; /* the third header is cut */
	im.ph[0].p_filesz = im.ph[0].p_memsz = 0x80;
	im.ph[1].p_offset = 0;
	im.ph[1].p_filesz = 0;
	EXPECT(&im, ELF_E_PHDR);
	image_valid(&im);
	im.eh.e_phoff = 65; /* misaligned */
	im.ph_place = 65;
	EXPECT(&im, ELF_E_PHDR);
	image_valid(&im);
	im.eh.e_phnum = 0;
	EXPECT(&im, ELF_E_PHDR);
	image_valid(&im);
	im.eh.e_phnum = 0xffff;
	EXPECT(&im, ELF_E_PHDR);
	static const uint16_t small[] = {0, 1, 32, 55};
	for (unsigned i = 0; i < 4; i++) {
		image_valid(&im);
		im.eh.e_phentsize = small[i];
		EXPECT(&im, ELF_E_PHDR);
	}
	htest_group_end();
}

/* A program-header size that is not a multiple of 8 makes the second
 * header misaligned: it must be rejected, or read without undefined
 * behaviour. The failure is a UBSan abort, so it runs in a child. */
static void
odd_phentsize_child(void *arg)
{
	(void)arg;
	struct image im;
	image_valid(&im);
	im.eh.e_phentsize = 57;
	im.ph_stride = 57;
	im.size += 8;
	(void)check(&im, NULL);
	_exit(0);
}

static void
test_phentsize_alignment(void)
{
	htest_group("program-header size not a multiple of 8");
	int st = htest_isolated(odd_phentsize_child, NULL);
	CHECKF(st == 0,
	       "e_phentsize 57: child ended with %d (UBSan: "
	       "struct phdr read at a misaligned address)",
	       st);
	htest_group_end();
}

static void
test_segments(void)
{
	struct image im;

	htest_group("loadable segments: sizes, file bounds, address limit");
	image_valid(&im);
	im.ph[1].p_filesz = im.ph[1].p_memsz + 1; /* filesz > memsz */
	im.size = 0x400 + im.ph[1].p_filesz;
	EXPECT(&im, ELF_E_SEGMENT);
	image_valid(&im);
	im.ph[1].p_filesz = 0x101; /* one byte beyond the file */
	EXPECT(&im, ELF_E_SEGMENT);
	image_valid(&im);
	im.ph[1].p_offset = 0x1400; /* starts beyond the file */
	im.ph[1].p_vaddr = 0x402400;
	im.ph[1].p_filesz = 0;
	EXPECT(&im, ELF_E_SEGMENT);
	image_valid(&im);
	im.ph[1].p_offset = UINT64_MAX - 0x7f; /* offset + filesz wraps */
	im.ph[1].p_vaddr = 0x401000 - 0x80;
	EXPECT(&im, ELF_E_SEGMENT);
	image_valid(&im);
	im.ph[1].p_vaddr = LIMIT + 0x400; /* at or above the limit */
	EXPECT(&im, ELF_E_SEGMENT);
	image_valid(&im);
	im.ph[1].p_vaddr = LIMIT - 0x1000 + 0x400; /* crosses the limit */
	EXPECT(&im, ELF_E_SEGMENT);
	image_valid(&im);
	im.ph[1].p_vaddr = 0xfffffffffffff400ull; /* vaddr + memsz wraps */
	EXPECT(&im, ELF_E_SEGMENT);
	image_valid(&im);
	im.ph[1].p_memsz = UINT64_MAX - 0x1000; /* wraps from a low vaddr */
	EXPECT(&im, ELF_E_SEGMENT);
	image_valid(&im);
	im.ph[1].p_vaddr = 0x401408; /* vaddr - offset not aligned */
	EXPECT(&im, ELF_E_SEGMENT);
	image_valid(&im);
	im.ph[0].p_vaddr = 0; /* the address 0 itself is allowed */
	im.eh.e_entry = 0x100;
	EXPECT(&im, ELF_OK);
	htest_group_end();
}

static void
test_entry(void)
{
	struct image im;

	htest_group("entry point inside a loaded segment");
	image_valid(&im);
	im.eh.e_entry = 0x3fffff; /* just below */
	EXPECT(&im, ELF_E_TYPE);
	im.eh.e_entry = 0x403400; /* just past the end of bss */
	EXPECT(&im, ELF_E_TYPE);
	im.eh.e_entry = 0;
	EXPECT(&im, ELF_E_TYPE);
	im.eh.e_entry = UINT64_MAX;
	EXPECT(&im, ELF_E_TYPE);
	/* Between two segments: above the lowest, below the highest, in no
	 * segment at all. */
	image_valid(&im);
	im.ph[1].p_vaddr = 0x500400;
	im.eh.e_entry = 0x480000;
	EXPECT(&im, ELF_E_TYPE);
	htest_group_end();
}

static void
test_no_load(void)
{
	struct image im;

	htest_group("no loadable segment");
	image_valid(&im);
	im.ph[0].p_type = PT_NOTE;
	im.ph[1].p_type = PT_DYNAMIC;
	EXPECT(&im, ELF_E_SEGMENT);
	image_valid(&im);
	im.ph[0].p_memsz = im.ph[0].p_filesz = 0;
	im.ph[1].p_memsz = im.ph[1].p_filesz = 0;
	EXPECT(&im, ELF_E_SEGMENT);
	image_valid(&im);
	im.eh.e_phnum = 1; /* only GNU_STACK left */
	im.ph[0] = im.ph[2];
	EXPECT(&im, ELF_E_SEGMENT);
	htest_group_end();
}

static void
test_strerror(void)
{
	htest_group("elf64_strerror");
	for (int e = ELF_OK; e <= ELF_E_SEGMENT; e++) {
		const char *m = elf64_strerror((enum elf_error)e);
		CHECKF(m && strcmp(m, "?") != 0, "error %d has no message", e);
		for (int f = ELF_OK; f < e; f++)
			CHECK(strcmp(m, elf64_strerror((enum elf_error)f)) !=
			      0);
	}
	CHECK_STR(elf64_strerror((enum elf_error)(ELF_E_SEGMENT + 1)), "?");
	CHECK_STR(elf64_strerror((enum elf_error) - 1), "?");
	htest_group_end();
}

/* --- fuzz -------------------------------------------------------------- */

#define FUZZ_SEED  0x5558525446555aull
#define FUZZ_ITERS 200000

static uint64_t rng = FUZZ_SEED;

/* Shared with the parent, so that it learns how far a crashed child got. */
struct fuzz_progress {
	unsigned long iter; /* the iteration being run */
	unsigned long bad;  /* accepted images that were not safe */
	unsigned long ok;   /* accepted images */
};

static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1Dull;
}

/* Header fields worth hitting with boundary values: (offset, width). */
static const struct {
	unsigned off, width;
} fields[] = {
    {offsetof(Elf64_Ehdr, e_type), 2},
    {offsetof(Elf64_Ehdr, e_machine), 2},
    {offsetof(Elf64_Ehdr, e_entry), 8},
    {offsetof(Elf64_Ehdr, e_phoff), 8},
    {offsetof(Elf64_Ehdr, e_phentsize), 2},
    {offsetof(Elf64_Ehdr, e_phnum), 2},
    {64 + offsetof(Elf64_Phdr, p_type), 4},
    {64 + offsetof(Elf64_Phdr, p_offset), 8},
    {64 + offsetof(Elf64_Phdr, p_vaddr), 8},
    {64 + offsetof(Elf64_Phdr, p_filesz), 8},
    {64 + offsetof(Elf64_Phdr, p_memsz), 8},
    {64 + offsetof(Elf64_Phdr, p_align), 8},
    {120 + offsetof(Elf64_Phdr, p_type), 4},
    {120 + offsetof(Elf64_Phdr, p_offset), 8},
    {120 + offsetof(Elf64_Phdr, p_vaddr), 8},
    {120 + offsetof(Elf64_Phdr, p_filesz), 8},
    {120 + offsetof(Elf64_Phdr, p_memsz), 8},
    {120 + offsetof(Elf64_Phdr, p_align), 8},
};

static uint64_t
interesting(size_t size)
{
	static const uint64_t v[] = {0,
				     1,
				     7,
				     8,
				     55,
				     56,
				     57,
				     64,
				     0x400,
				     0x1000,
				     0xffff,
				     0x7fffffff,
				     0xffffffff,
				     LIMIT - 1,
				     LIMIT,
				     0x7fffffffffffffffull,
				     0x8000000000000000ull,
				     UINT64_MAX};
	unsigned n = sizeof v / sizeof v[0];
	uint64_t r = rnd() % (n + 4);
	if (r < n)
		return v[r];
	if (r == n)
		return size;
	if (r == n + 1)
		return size - 1;
	if (r == n + 2)
		return size + 1;
	return rnd();
}

/* Whatever elf64_check accepts must be safe to load. */
static bool
accepted_is_sane(const uint8_t *b, size_t size, const struct elf_info *in)
{
	struct elf_segment s;
	unsigned n = 0;

	if (in->phoff > size ||
	    (uint64_t)in->phnum * in->phentsize > size - in->phoff)
		return false;
	while (elf64_load_segment(b, in, n, &s)) {
		if (s.offset > size || s.filesz > size - s.offset ||
		    s.filesz > s.memsz || s.vaddr >= LIMIT ||
		    s.memsz > LIMIT - s.vaddr || s.vaddr < in->lo ||
		    s.vaddr + s.memsz > in->hi)
			return false;
		n++;
	}
	return n > 0 && in->entry >= in->lo && in->entry < in->hi;
}

static void
fuzz_child(void *arg)
{
	struct fuzz_progress *pr = arg;
	struct image im;
	image_valid(&im);
	uint8_t *base = image_bytes(&im);
	size_t base_size = im.size;

	for (pr->iter = 0; pr->iter < FUZZ_ITERS; pr->iter++) {
		size_t size = base_size;
		uint8_t work[0x800];
		memcpy(work, base, base_size);
		memset(work + base_size, 0, sizeof work - base_size);
		unsigned muts = 1 + rnd() % 6;
		for (unsigned m = 0; m < muts; m++) {
			switch (rnd() % 4) {
			case 0: /* flip a byte of the headers */
				work[rnd() % 232] ^= (uint8_t)(1 + rnd() % 255);
				break;
			case 1: { /* set a field to a boundary value */
				unsigned f =
				    rnd() % (sizeof fields / sizeof fields[0]);
				uint64_t v = interesting(size);
				memcpy(work + fields[f].off, &v,
				       fields[f].width);
				break;
			}
			case 2: /* truncate */
				size = rnd() % (size + 1);
				break;
			default: /* grow with random bytes */
				while (size < sizeof work && rnd() % 4)
					work[size++] = (uint8_t)rnd();
			}
		}
		uint8_t *b = malloc(size ? size : 1);
		memcpy(b, work, size);
		struct elf_info info;
		if (elf64_check(b, size, LIMIT, &info) == ELF_OK && ++pr->ok &&
		    !accepted_is_sane(b, size, &info)) {
			if (pr->bad++ < 3)
				printf("    fuzz: iteration %lu accepted an "
				       "unsafe image\n",
				       pr->iter);
		}
		free(b);
	}
	free(base);
	_exit(pr->bad ? 2 : 0);
}

static void
test_fuzz(void)
{
	htest_group("random mutations (fixed seed) never crash");
	struct fuzz_progress *pr =
	    mmap(NULL, sizeof *pr, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!CHECK(pr != MAP_FAILED)) {
		htest_group_end();
		return;
	}
	memset(pr, 0, sizeof *pr);
	int st = htest_isolated(fuzz_child, pr);
	CHECKF(st == 0,
	       "seed %#llx: child ended with status %d at "
	       "iteration %lu of %d (2: %lu unsafe images accepted; "
	       "otherwise a sanitizer abort, see stderr)",
	       (unsigned long long)FUZZ_SEED, st, pr->iter, FUZZ_ITERS,
	       pr->bad);
	if (st == 0)
		printf("    (%d iterations, %lu images accepted)\n", FUZZ_ITERS,
		       pr->ok);
	munmap(pr, sizeof *pr);
	htest_group_end();
}

int
main(void)
{
	test_valid();
	test_header();
	test_phdrs();
	test_phentsize_alignment();
	test_segments();
	test_entry();
	test_no_load();
	test_strerror();
	test_fuzz();
	return htest_finish("test_elf");
}
