/*
 * context.h - the user register frame saved in every TCB.
 *
 * Its layout is the push order of entry.S: general registers (pushed by the
 * entry stub), vector and error code, then the hardware interrupt frame.
 * The TSS's rsp0 and the syscall entry point the stack just past `ss` of
 * the current thread, so the CPU and the stub save the user state straight
 * into the TCB (as seL4 does) and no copy is needed.
 */
#ifndef ARCH_CONTEXT_H
#define ARCH_CONTEXT_H

#include <stdint.h>
#include <uxrt/fault.h>

struct arch_context {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
	uint64_t fs_base, gs_base; /* not pushed; switched by the kernel */
};

#define CTX_FRAME_END 176 /* offset just past ss: where rsp0 points */
_Static_assert(__builtin_offsetof(struct arch_context, fs_base) ==
		       CTX_FRAME_END, "frame layout");
/* exit_sysret (entry.S) loads these at fixed offsets. */
_Static_assert(__builtin_offsetof(struct arch_context, rax) == 0x70 &&
		       __builtin_offsetof(struct arch_context, rip) == 0x88 &&
		       __builtin_offsetof(struct arch_context, rflags) == 0x98 &&
		       __builtin_offsetof(struct arch_context, rsp) == 0xa0,
	       "frame layout");

#define USER_CS 0x23
#define USER_SS 0x1b
#define KERNEL_CS 0x08
#define KERNEL_SS 0x10

/* Message registers 0..3 as they sit in the frame. */
#define CTX_MR0 rdx
#define CTX_MR1 r8
#define CTX_MR2 r9
#define CTX_MR3 r10

uint64_t *ctx_reg(struct arch_context *c, unsigned reg);

/* Registers from..UX_REG_COUNT-1 (from: a constant), in enum ux_reg
 * order, into out[0..]: straight stores (a fault message carries them). */
static inline __attribute__((always_inline)) void
ctx_regs_out(const struct arch_context *c, unsigned from, uint64_t *out)
{
#define R(reg, field)                                \
	case UX_REG_##reg:                           \
		out[UX_REG_##reg - from] = c->field; \
		__attribute__((fallthrough));
	switch (from) {
	R(RAX, rax) R(RBX, rbx) R(RCX, rcx) R(RDX, rdx) R(RSI, rsi)
	R(RDI, rdi) R(RBP, rbp) R(RSP, rsp) R(R8, r8) R(R9, r9)
	R(R10, r10) R(R11, r11) R(R12, r12) R(R13, r13) R(R14, r14)
	R(R15, r15) R(RIP, rip) R(RFLAGS, rflags) R(FS_BASE, fs_base)
	R(GS_BASE, gs_base)
	default:
		break;
	}
#undef R
}

int ctx_set_reg(struct arch_context *c, unsigned reg, uint64_t v);
void ctx_init_user(struct arch_context *c);

#endif
