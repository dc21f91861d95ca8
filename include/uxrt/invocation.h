/*
 * invocation.h - invocation labels: operations on kernel objects.
 *
 * An invocation is a Call on a capability to a kernel object (anything but
 * an endpoint). The label of the message info selects the operation;
 * arguments travel in message registers (MR) and extra capabilities (XC);
 * results come back in message registers. See docs/kernel-interface.md.
 */
#ifndef UXRT_INVOCATION_H
#define UXRT_INVOCATION_H

enum ux_invocation {
	/* Untyped: MR0 type, MR1 size bits, MR2 node index, MR3 node depth,
	 * MR4 node offset, MR5 count; XC0 destination CSpace root. */
	UX_UNTYPED_RETYPE = 1,

	/* CNode (the invoked CNode is the destination root):
	 * MR0 dest index, MR1 dest depth, XC0 source root, MR2 source index,
	 * MR3 source depth, MR4 rights mask, MR5 badge or guard (Mint). */
	UX_CNODE_COPY = 10,
	UX_CNODE_MINT = 11,
	UX_CNODE_MOVE = 12,
	UX_CNODE_MUTATE = 13, /* move, MR4 badge or guard */
	UX_CNODE_DELETE = 14, /* MR0 index, MR1 depth */
	UX_CNODE_REVOKE = 15, /* MR0 index, MR1 depth */

	/* TCB. Configure: MR0 fault endpoint address (0 = none), MR1 CSpace
	 * guard data (guard bits | guard << 8), MR2 IPC buffer address;
	 * XC0 CSpace root, XC1 VSpace root, XC2 IPC buffer frame (address 0:
	 * none). All capabilities, the fault endpoint too, are looked up in
	 * the caller's CSpace and copied into the TCB when Configure runs. */
	UX_TCB_CONFIGURE = 20,
	UX_TCB_SET_PRIORITY = 21,   /* MR0 priority; XC0 authority TCB */
	UX_TCB_SET_MCP = 22,        /* MR0 max controlled priority; XC0 auth */
	UX_TCB_READ_REGISTERS = 23, /* out: MR0.. registers (enum ux_reg) */
	UX_TCB_WRITE_REGISTERS = 24, /* MR0 resume?, MR1.. registers */
	UX_TCB_RESUME = 25,
	UX_TCB_SUSPEND = 26, /* out: MR0 1 if a system call was wound back */
	UX_TCB_BIND_NOTIFICATION = 27, /* XC0 notification */
	UX_TCB_UNBIND_NOTIFICATION = 28,
	UX_TCB_SET_FLAGS = 29, /* MR0 flags (UX_TCB_F_*) */
	/* The FPU/SSE state as an fxsave image (512 bytes, 64 MRs): read
	 * (out MR0..63; needs an IPC buffer) and write (MR0..63; MXCSR's
	 * reserved bits must be clear). Not on the caller itself. */
	UX_TCB_READ_FPU = 70,
	UX_TCB_WRITE_FPU = 71,

	/* Frames (4 KiB and 2 MiB): Map MR0 vaddr, MR1 rights, MR2 attrs,
	 * XC0 PML4. GetAddress: out MR0 physical address, MR1 the virtual
	 * address this capability maps it at (0: not mapped). */
	UX_FRAME_MAP = 30,
	UX_FRAME_UNMAP = 31,
	UX_FRAME_GET_ADDRESS = 32,

	/* Page tables, directories, PDPTs: Map MR0 vaddr, XC0 PML4. */
	UX_TABLE_MAP = 40,
	UX_TABLE_UNMAP = 41,

	/* IRQ control: MR0 IRQ (GSI), MR1 flags (bit0 level, bit1 low),
	 * MR2 dest index, MR3 dest depth; XC0 dest root. */
	UX_IRQ_CONTROL_GET = 50,
	UX_IRQ_SET_NOTIFICATION = 51, /* XC0 notification */
	UX_IRQ_ACK = 52,
	UX_IRQ_CLEAR = 53,

	/* I/O ports. Issue: MR0 first, MR1 last, MR2 dest index, MR3 dest
	 * depth; XC0 dest root. In: MR0 port -> MR0 value. Out: MR0 port,
	 * MR1 value. */
	UX_IOPORT_ISSUE = 60,
	UX_IOPORT_IN8 = 61,
	UX_IOPORT_IN16 = 62,
	UX_IOPORT_IN32 = 63,
	UX_IOPORT_OUT8 = 64,
	UX_IOPORT_OUT16 = 65,
	UX_IOPORT_OUT32 = 66,
};

#define UX_PRIO_MAX 255

/* TCB flags. LINUX_FILES: the thread's Linux read, write, pread64,
 * pwrite64 and lseek on a file descriptor whose slot holds an endpoint
 * capability go to that endpoint as file requests (uxrt/file.h) instead of
 * to the fault handler. */
#define UX_TCB_F_LINUX_FILES 1
/* LINUX_TRACE (for a debugger's system-call stops; docs/design-kernel.md):
 * every Linux system call of the thread goes to the fault handler first,
 * file calls too; a file call the handler answers with the label
 * UX_FAULT_REPLY_CARRY (rip back on the syscall instruction) is made again
 * and carried to the file's server as LINUX_FILES would. The end of every
 * call (the handler's reply to its UX_FAULT_SYSCALL fault, or a carried
 * call's end) does not resume the thread: it comes back to the handler as
 * a UX_FAULT_SYSCALL fault with mr1 UX_SYSCALL_END, rax the result and rip
 * after the call; the reply to that one resumes it. */
#define UX_TCB_F_LINUX_TRACE 2

#endif
