/*
 * insncount.c - a QEMU TCG plugin that counts, between markers the guest
 * executes, the instructions that are expensive on real hardware (CR3
 * writes, wrmsr, iret, sysret, swapgs, and for reference CR0 writes/clts,
 * FPU state saves and restores, syscall entries and wrfsbase/wrgsbase,
 * which Linux uses instead of wrmsr where the CPU has them), and optionally
 * profiles every instruction address executed there.
 *
 * icount weighs every instruction alike; these counts let a benchmark's
 * instruction ratio be read with care (bench/README.md). The same static
 * benchmark binary runs on Linux and on UX/RT, so the markers are in user
 * code and the counts cover everything between them: the program, the
 * kernel and (on UX/RT) the servers.
 *
 * Marker: the 7-byte no-op `nopl 0x5552KKII(%rax)` (0f 1f 80 II KK 52 55):
 * KK 1 starts counting for region II, KK 2 stops it, KK 3 only names the
 * region the following start/stop pairs count for (II), so that a marker
 * table (bench/progs/mark.h) can select it at run time.
 *
 * Arguments: out=FILE (default: QEMU's log); prof=all (or prof=ID: in
 * region ID only) to also write "PROF <vaddr> <count> <bytes>" for every
 * instruction executed inside the regions, with its bytes (at most 8),
 * which tell apart programs linked at the same address.
 *
 * Output, per region that counted: "INSNCOUNT <id> starts=N insns=N
 * cr3=N wrmsr=N iret=N sysret=N swapgs=N cr0=N fpu=N syscall=N
 * wrfsbase=N".
 *
 * Built against QEMU's plugin API version 1 (QEMU 7.2); the few
 * declarations it needs are below, so no QEMU headers are required.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the QEMU plugin API (version 1) we use --------------------------- */
#define EXPORT __attribute__((visibility("default")))
typedef uint64_t qemu_plugin_id_t;
typedef struct {
	const char *target_name;
	struct {
		int min, cur;
	} version;
	bool system_emulation;
} qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum { CB_NO_REGS = 0 };
typedef void (*vcpu_udata_cb)(unsigned vcpu, void *udata);
typedef void (*tb_trans_cb)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*udata_cb)(qemu_plugin_id_t id, void *udata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, tb_trans_cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *,
					  vcpu_udata_cb, int, void *);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *,
					    vcpu_udata_cb, int, void *);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *,
						 size_t);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, udata_cb, void *);
void qemu_plugin_outs(const char *);
EXPORT int qemu_plugin_version = 1;
EXPORT int qemu_plugin_install(qemu_plugin_id_t, const qemu_info_t *, int,
			       char **);

/* --- counting ---------------------------------------------------------- */
enum kind { K_CR3, K_WRMSR, K_IRET, K_SYSRET, K_SWAPGS, K_CR0, K_FPU,
	    K_SYSCALL, K_WRFSBASE, K_COUNT, K_NONE = K_COUNT };
static const char *const kind_name[K_COUNT] = {
	"cr3", "wrmsr", "iret", "sysret", "swapgs", "cr0", "fpu", "syscall",
	"wrfsbase"};

#define REGIONS 256
struct region {
	uint64_t starts, insns, n[K_COUNT];
};
static struct region reg[REGIONS];
static int active = -1; /* region counting now, or -1 */
static int named;       /* region the next start counts for */
static bool prof;
static int prof_region = -1; /* profile only this region (-1: all) */
static const char *out_path;

/* A translated block: its size, and (profiling) its instructions. */
struct tb {
	struct tb *next;
	unsigned n;
	uint64_t hits;
	uint64_t *vaddr;
	uint8_t (*bytes)[9]; /* length (at most 8), then the bytes */
};
static struct tb *tbs;

static bool
is_prefix(uint8_t b)
{
	return b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 || b == 0xf0 ||
	       b == 0x2e || b == 0x3e || b == 0x26 || b == 0x36 || b == 0x64 ||
	       b == 0x65;
}

/* The expensive kind of an x86-64 instruction, from its bytes. */
static enum kind
classify(const uint8_t *p, size_t n)
{
	size_t i = 0;
	bool rep = false;
	while (i < n && is_prefix(p[i]))
		rep |= p[i++] == 0xf3;
	if (i < n && (p[i] & 0xf0) == 0x40)
		i++; /* REX */
	if (i >= n)
		return K_NONE;
	if (p[i] == 0xcf)
		return K_IRET;
	if (p[i] != 0x0f || i + 1 >= n)
		return K_NONE;
	uint8_t op = p[i + 1], modrm = i + 2 < n ? p[i + 2] : 0;
	unsigned r = (modrm >> 3) & 7;
	bool mem = (modrm >> 6) != 3;
	switch (op) {
	case 0x05: return K_SYSCALL;
	case 0x06: return K_CR0; /* clts */
	case 0x07: return K_SYSRET;
	case 0x30: return K_WRMSR;
	case 0x22: return r == 3 ? K_CR3 : r == 0 ? K_CR0 : K_NONE;
	case 0x01: return modrm == 0xf8 ? K_SWAPGS : K_NONE;
	case 0xae: /* fxsave fxrstor xsave xrstor xsaveopt (not fences);
		    * with F3 and a register: wrfsbase, wrgsbase */
		if (!mem)
			return rep && (r == 2 || r == 3) ? K_WRFSBASE : K_NONE;
		return r <= 1 || (r >= 4 && r <= 6) ? K_FPU : K_NONE;
	case 0xc7: /* xrstors, xsavec, xsaves */
		return mem && (r == 3 || r == 4 || r == 5) ? K_FPU : K_NONE;
	}
	return K_NONE;
}

/* A marker's 16-bit code (KK << 8 | II), or -1. */
static int
marker(const uint8_t *p, size_t n)
{
	if (n != 7 || p[0] != 0x0f || p[1] != 0x1f || p[2] != 0x80 ||
	    p[5] != 0x52 || p[6] != 0x55)
		return -1;
	return p[4] << 8 | p[3];
}

static void
on_marker(unsigned vcpu, void *udata)
{
	unsigned code = (unsigned)(uintptr_t)udata, id = code & 0xff;
	switch (code >> 8) {
	case 1:
		active = (int)named;
		reg[named].starts++;
		break;
	case 2:
		active = -1;
		break;
	case 3:
		named = (int)id;
		break;
	}
}

static void
on_kind(unsigned vcpu, void *udata)
{
	if (active >= 0)
		reg[active].n[(uintptr_t)udata]++;
}

static void
on_tb(unsigned vcpu, void *udata)
{
	struct tb *t = udata;
	if (active < 0)
		return;
	reg[active].insns += t->n;
	if (prof_region < 0 || active == prof_region)
		t->hits++;
}

static void
on_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *qtb)
{
	size_t n = qemu_plugin_tb_n_insns(qtb);
	struct tb *t = calloc(1, sizeof *t);
	if (!t)
		abort();
	t->n = (unsigned)n;
	if (prof) {
		t->vaddr = calloc(n, sizeof *t->vaddr);
		t->bytes = calloc(n, sizeof *t->bytes);
		if (!t->vaddr || !t->bytes)
			abort();
	}
	t->next = tbs;
	tbs = t;
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *in = qemu_plugin_tb_get_insn(qtb, i);
		const uint8_t *p = qemu_plugin_insn_data(in);
		size_t len = qemu_plugin_insn_size(in);
		int m = marker(p, len);
		enum kind k = classify(p, len);
		if (m >= 0)
			qemu_plugin_register_vcpu_insn_exec_cb(
				in, on_marker, CB_NO_REGS, (void *)(uintptr_t)m);
		else if (k != K_NONE)
			qemu_plugin_register_vcpu_insn_exec_cb(
				in, on_kind, CB_NO_REGS, (void *)(uintptr_t)k);
		if (prof) {
			t->vaddr[i] = qemu_plugin_insn_vaddr(in);
			t->bytes[i][0] = (uint8_t)(len < 8 ? len : 8);
			memcpy(t->bytes[i] + 1, p, t->bytes[i][0]);
		}
	}
	qemu_plugin_register_vcpu_tb_exec_cb(qtb, on_tb, CB_NO_REGS, t);
}

static void
write_prof(FILE *f)
{
	for (struct tb *t = tbs; t; t = t->next) {
		if (!t->hits)
			continue;
		for (unsigned i = 0; i < t->n; i++) {
			fprintf(f, "PROF %" PRIx64 " %" PRIu64 " ", t->vaddr[i],
				t->hits);
			for (unsigned b = 1; b <= t->bytes[i][0]; b++)
				fprintf(f, "%02x", t->bytes[i][b]);
			fputc('\n', f);
		}
	}
}

static void
at_exit(qemu_plugin_id_t id, void *udata)
{
	FILE *f = out_path ? fopen(out_path, "w") : tmpfile();
	if (!f)
		return;
	for (int r = 0; r < REGIONS; r++) {
		if (!reg[r].starts)
			continue;
		fprintf(f, "INSNCOUNT %d starts=%" PRIu64 " insns=%" PRIu64, r,
			reg[r].starts, reg[r].insns);
		for (int k = 0; k < K_COUNT; k++)
			fprintf(f, " %s=%" PRIu64, kind_name[k], reg[r].n[k]);
		fputc('\n', f);
	}
	if (prof)
		write_prof(f);
	if (!out_path) { /* to QEMU's log */
		char line[256];
		rewind(f);
		while (fgets(line, sizeof line, f))
			qemu_plugin_outs(line);
	}
	fclose(f);
}

EXPORT int
qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
		    char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4))
			out_path = argv[i] + 4;
		else if (!strcmp(argv[i], "prof=all"))
			prof = true;
		else if (!strncmp(argv[i], "prof=", 5)) {
			prof = true;
			prof_region = atoi(argv[i] + 5);
		}
		else {
			fprintf(stderr, "insncount: unknown argument %s\n",
				argv[i]);
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
