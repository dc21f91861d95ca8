/*
 * invoke.c - wrappers for every kernel object invocation (see
 * uxrt/invocation.h for the argument layout each one encodes).
 */
#include "uxrt.h"

long
ux_invoke(uint64_t cap, uint64_t label, unsigned nmr, const uint64_t *mr,
	  unsigned ncaps, const uint64_t *caps, uint64_t *out, unsigned nout)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct ux_msg m = {.info = ux_msginfo(label, nmr, ncaps, 0)};

	for (unsigned i = 0; i < nmr; i++) {
		if (i < UX_REG_MRS)
			m.mr[i] = mr[i];
		else
			b->mr[i] = mr[i];
	}
	for (unsigned i = 0; i < ncaps; i++)
		b->caps[i] = caps[i];
	long e = ux_call(cap, &m);
	for (unsigned i = 0; i < nout && i < ux_mi_len(m.info); i++)
		out[i] = i < UX_REG_MRS ? m.mr[i] : b->mr[i];
	return e;
}

#define INV(cap, label, caps, ...)                                            \
	({                                                                    \
		const uint64_t mr_[] = {__VA_ARGS__};                         \
		ux_invoke(cap, label, sizeof mr_ / 8, mr_,                    \
			  sizeof(caps) / 8, caps, NULL, 0);                   \
	})

long
ux_untyped_retype(uint64_t ut, unsigned type, unsigned bits, uint64_t root,
		  uint64_t index, unsigned depth, uint64_t offset,
		  uint64_t count)
{
	uint64_t c[] = {root};
	return INV(ut, UX_UNTYPED_RETYPE, c, type, bits, index, depth, offset,
		   count);
}

long
ux_cnode_copy(uint64_t root, uint64_t di, unsigned dd, uint64_t sroot,
	      uint64_t si, unsigned sd, unsigned rights)
{
	uint64_t c[] = {sroot};
	return INV(root, UX_CNODE_COPY, c, di, dd, si, sd, rights);
}

long
ux_cnode_mint(uint64_t root, uint64_t di, unsigned dd, uint64_t sroot,
	      uint64_t si, unsigned sd, unsigned rights, uint64_t badge)
{
	uint64_t c[] = {sroot};
	return INV(root, UX_CNODE_MINT, c, di, dd, si, sd, rights, badge);
}

long
ux_cnode_move(uint64_t root, uint64_t di, unsigned dd, uint64_t sroot,
	      uint64_t si, unsigned sd)
{
	uint64_t c[] = {sroot};
	return INV(root, UX_CNODE_MOVE, c, di, dd, si, sd);
}

long
ux_cnode_mutate(uint64_t root, uint64_t di, unsigned dd, uint64_t sroot,
		uint64_t si, unsigned sd, uint64_t badge)
{
	uint64_t c[] = {sroot};
	return INV(root, UX_CNODE_MUTATE, c, di, dd, si, sd, badge);
}

long
ux_cnode_delete(uint64_t root, uint64_t index, unsigned depth)
{
	uint64_t mr[] = {index, depth};
	return ux_invoke(root, UX_CNODE_DELETE, 2, mr, 0, NULL, NULL, 0);
}

long
ux_cnode_revoke(uint64_t root, uint64_t index, unsigned depth)
{
	uint64_t mr[] = {index, depth};
	return ux_invoke(root, UX_CNODE_REVOKE, 2, mr, 0, NULL, NULL, 0);
}

long
ux_tcb_configure(uint64_t tcb, uint64_t fault_ep, uint64_t cspace,
		 uint64_t guard, uint64_t vspace, uint64_t ipcbuf_va,
		 uint64_t ipcbuf_frame)
{
	uint64_t c[] = {cspace, vspace, ipcbuf_frame};
	return INV(tcb, UX_TCB_CONFIGURE, c, fault_ep, guard, ipcbuf_va);
}

long
ux_tcb_set_priority(uint64_t tcb, uint64_t auth, unsigned prio)
{
	uint64_t c[] = {auth};
	return INV(tcb, UX_TCB_SET_PRIORITY, c, prio);
}

long
ux_tcb_set_mcp(uint64_t tcb, uint64_t auth, unsigned mcp)
{
	uint64_t c[] = {auth};
	return INV(tcb, UX_TCB_SET_MCP, c, mcp);
}

long
ux_tcb_read_regs(uint64_t tcb, uint64_t regs[UX_REG_COUNT])
{
	return ux_invoke(tcb, UX_TCB_READ_REGISTERS, 0, NULL, 0, NULL, regs,
			 UX_REG_COUNT);
}

long
ux_tcb_write_regs(uint64_t tcb, int resume, unsigned n, const uint64_t *regs)
{
	uint64_t mr[1 + UX_REG_COUNT] = {(uint64_t)resume};
	if (n > UX_REG_COUNT)
		n = UX_REG_COUNT;
	memcpy(mr + 1, regs, n * 8);
	return ux_invoke(tcb, UX_TCB_WRITE_REGISTERS, n + 1, mr, 0, NULL, NULL,
			 0);
}

long
ux_tcb_read_fpu(uint64_t tcb, uint64_t fx[64])
{
	return ux_invoke(tcb, UX_TCB_READ_FPU, 0, NULL, 0, NULL, fx, 64);
}

long
ux_tcb_write_fpu(uint64_t tcb, const uint64_t fx[64])
{
	return ux_invoke(tcb, UX_TCB_WRITE_FPU, 64, fx, 0, NULL, NULL, 0);
}

static long
noarg(uint64_t cap, uint64_t label)
{
	return ux_invoke(cap, label, 0, NULL, 0, NULL, NULL, 0);
}

long ux_tcb_resume(uint64_t tcb) { return noarg(tcb, UX_TCB_RESUME); }
long
ux_tcb_suspend(uint64_t tcb, bool *again)
{
	uint64_t out[1] = {0};
	long e = ux_invoke(tcb, UX_TCB_SUSPEND, 0, NULL, 0, NULL, out, 1);
	if (again)
		*again = out[0] != 0;
	return e;
}
long ux_tcb_unbind(uint64_t tcb)
{ return noarg(tcb, UX_TCB_UNBIND_NOTIFICATION); }

long
ux_tcb_bind(uint64_t tcb, uint64_t ntfn)
{
	uint64_t c[] = {ntfn};
	return ux_invoke(tcb, UX_TCB_BIND_NOTIFICATION, 0, NULL, 1, c, NULL, 0);
}

long
ux_frame_map(uint64_t frame, uint64_t pml4, uint64_t va, unsigned rights,
	     unsigned attr)
{
	uint64_t c[] = {pml4};
	return INV(frame, UX_FRAME_MAP, c, va, rights, attr);
}

long ux_frame_unmap(uint64_t frame) { return noarg(frame, UX_FRAME_UNMAP); }

long
ux_frame_address(uint64_t frame, uint64_t out[2])
{
	return ux_invoke(frame, UX_FRAME_GET_ADDRESS, 0, NULL, 0, NULL, out, 2);
}

long
ux_table_map(uint64_t table, uint64_t pml4, uint64_t va)
{
	uint64_t c[] = {pml4};
	return INV(table, UX_TABLE_MAP, c, va);
}

long ux_table_unmap(uint64_t table) { return noarg(table, UX_TABLE_UNMAP); }

long
ux_irq_get(uint64_t ctl, unsigned irq, unsigned flags, uint64_t root,
	   uint64_t index, unsigned depth)
{
	uint64_t c[] = {root};
	return INV(ctl, UX_IRQ_CONTROL_GET, c, irq, flags, index, depth);
}

long
ux_irq_set_ntfn(uint64_t handler, uint64_t ntfn)
{
	uint64_t c[] = {ntfn};
	return ux_invoke(handler, UX_IRQ_SET_NOTIFICATION, 0, NULL, 1, c, NULL,
			 0);
}

long ux_irq_ack(uint64_t h) { return noarg(h, UX_IRQ_ACK); }
long ux_irq_clear(uint64_t h) { return noarg(h, UX_IRQ_CLEAR); }

long
ux_ioport_issue(uint64_t ctl, unsigned first, unsigned last, uint64_t root,
		uint64_t index, unsigned depth)
{
	uint64_t c[] = {root};
	return INV(ctl, UX_IOPORT_ISSUE, c, first, last, index, depth);
}

static uint64_t
port_label(unsigned width, int out)
{
	uint64_t base = out ? UX_IOPORT_OUT8 : UX_IOPORT_IN8;
	return base + (width == 4 ? 2 : width == 2 ? 1 : 0);
}

long
ux_ioport_in(uint64_t cap, unsigned width, unsigned port, uint64_t *value)
{
	uint64_t mr[] = {port};
	return ux_invoke(cap, port_label(width, 0), 1, mr, 0, NULL, value, 1);
}

long
ux_ioport_out(uint64_t cap, unsigned width, unsigned port, uint64_t value)
{
	uint64_t mr[] = {port, value};
	return ux_invoke(cap, port_label(width, 1), 2, mr, 0, NULL, NULL, 0);
}

long
ux_tcb_set_flags(uint64_t tcb, uint64_t flags)
{
	uint64_t mr[] = {flags};
	return ux_invoke(tcb, UX_TCB_SET_FLAGS, 1, mr, 0, NULL, NULL, 0);
}
