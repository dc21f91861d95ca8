/*
 * context.c - reading and writing a thread's saved registers, with the
 * checks that keep user-supplied values from hurting the kernel: rip and
 * the segment bases must be canonical user addresses (or the return to
 * user mode would fault in the kernel), rflags may only hold flags a user
 * could set itself.
 */
#include <arch/context.h>
#include <uxrt/fault.h>
#include <uxrt/object.h>

#define USER_FLAGS 0x240DD5ull /* CF PF AF ZF SF TF DF OF AC ID */

uint64_t *
ctx_reg(struct arch_context *c, unsigned reg)
{
	switch (reg) {
	case UX_REG_RAX: return &c->rax;
	case UX_REG_RBX: return &c->rbx;
	case UX_REG_RCX: return &c->rcx;
	case UX_REG_RDX: return &c->rdx;
	case UX_REG_RSI: return &c->rsi;
	case UX_REG_RDI: return &c->rdi;
	case UX_REG_RBP: return &c->rbp;
	case UX_REG_RSP: return &c->rsp;
	case UX_REG_R8: return &c->r8;
	case UX_REG_R9: return &c->r9;
	case UX_REG_R10: return &c->r10;
	case UX_REG_R11: return &c->r11;
	case UX_REG_R12: return &c->r12;
	case UX_REG_R13: return &c->r13;
	case UX_REG_R14: return &c->r14;
	case UX_REG_R15: return &c->r15;
	case UX_REG_RIP: return &c->rip;
	case UX_REG_RFLAGS: return &c->rflags;
	case UX_REG_FS_BASE: return &c->fs_base;
	default: return &c->gs_base;
	}
}

/* Set one register; nonzero (and nothing changed) if the value is bad. */
int
ctx_set_reg(struct arch_context *c, unsigned reg, uint64_t v)
{
	switch (reg) {
	case UX_REG_RIP:
	case UX_REG_FS_BASE:
	case UX_REG_GS_BASE:
		if (v >= UX_USER_TOP)
			return -1;
		break;
	case UX_REG_RFLAGS:
		v = (v & USER_FLAGS) | 0x202; /* IF and the fixed bit 1 */
		break;
	default:
		if (reg >= UX_REG_COUNT)
			return -1;
	}
	*ctx_reg(c, reg) = v;
	return 0;
}

void
ctx_init_user(struct arch_context *c)
{
	c->cs = USER_CS;
	c->ss = USER_SS;
	c->rflags = 0x202;
}
