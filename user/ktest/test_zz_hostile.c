/*
 * test_zz_hostile.c - two hostile threads make thousands of random system
 * calls and invocations (seeded PRNG, bounded count) with random
 * capability addresses, message infos, message registers, IPC-buffer
 * fields (receive slots, long-message buffers, capability lists) and
 * foreign system calls. The kernel must survive and the suite go on.
 *
 * Containment: the threads have a private CSpace (one 64-slot CNode with
 * copies of a few capabilities: endpoint, notifications, reply object,
 * the CNode itself, a frame, an untyped, their PML4, an I/O port, an IRQ
 * handler) and their own address space (the test image shared, scratch
 * pages of their own). They never name the root server's slots. Whatever
 * runs our code must keep sane registers, since the image's data is
 * shared with the root: so they get no capability to their own or each
 * other's TCB (TCB invocations go to threads they make from their
 * untyped, which never run our code: a register write or a fault reply
 * always sets rip, to a ud2), and long-message receive buffers stay in
 * their scratch pages. Thread 1 is a Linux thread (UX_TCB_F_LINUX_FILES),
 * so its read/write/lseek calls on endpoint slots take the kernel's file
 * short cut.
 *
 * The root is their fault handler (badge 1 and 2): a foreign system call
 * is answered, any other fault restarts the thread at its loop (the
 * PRNG state and the count live in static memory, so it goes on where it
 * was). A helper at priority 50 runs only when neither hostile thread
 * can (both blocked, say in a Recv no one answers): it tells the root
 * (badge 3), which restarts both with fresh capabilities.
 * Named zz so that it runs last.
 */
#include "ktest.h"

#define OPS 5000          /* per thread */
#define MAGIC_DONE 0x7EED0000ull
#define HCN_RADIX 6
#define SCRATCH 0x600000000ull /* 3 pages mapped in their space only */
#define HPRIO 100

enum { S_EP = 1, S_NTFN, S_REPLY, S_SPARE, S_CNODE, S_FRAME, S_UNTYPED,
       S_PML4, S_EP_BADGED, S_IOPORT, S_IRQ, S_NTFN_RO, S_FIXED };

struct hstate {
	uint64_t rng, iter, restarts, faults, syscalls;
	uint64_t res[UX_E_COUNT + 1];
};

static struct hstate hs[2];
static uint8_t hstacks[2][8192] __attribute__((aligned(16)));
extern char hostile_ud2[];
__asm__(".text\n.global hostile_ud2\nhostile_ud2:\n ud2\n");

static uint64_t
rnd(struct hstate *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static uint64_t
below(struct hstate *s, uint64_t n)
{
	return rnd(s) % n;
}

/* A value of the kind that finds bugs: boundaries, small numbers, slot
 * numbers, powers of two, addresses near the edges, plain noise. */
static uint64_t
word(struct hstate *s)
{
	switch (below(s, 12)) {
	case 0: return 0;
	case 1: return below(s, 4);
	case 2: return below(s, 64);
	case 3: return 1ull << below(s, 64);
	case 4: return ~0ull - below(s, 4);
	case 5: return below(s, 300);
	case 6: return SCRATCH + below(s, 3 * 4096);
	case 7: return UX_USER_TOP - below(s, 3) * 4096 - below(s, 16);
	case 8: return 64 - below(s, 3);
	case 9: return (1ull << below(s, 64)) - 1;
	default: return rnd(s);
	}
}

static uint64_t
cptr(struct hstate *s)
{
	unsigned k = (unsigned)below(s, 20);
	if (k < 14)
		return below(s, S_FIXED + 2);
	if (k < 17)
		return below(s, 1u << HCN_RADIX);
	return word(s);
}

static uint64_t
length(struct hstate *s)
{
	switch (below(s, 8)) {
	case 0: return 0;
	case 1: return 1 + below(s, 100);
	case 2: return 4096 - below(s, 3);
	case 3: return UX_MSG_LONG_MAX;
	case 4: return UX_MSG_LONG_MAX + 1;
	case 5: return word(s);
	default: return below(s, 9000);
	}
}

/* Receive buffers may only be written where nothing else lives. */
static uint64_t
recv_buffer(struct hstate *s)
{
	switch (below(s, 5)) {
	case 0: return 0;
	case 1: return 0x700000000ull + below(s, 1u << 20);  /* unmapped */
	case 2: return UX_USER_TOP + below(s, 100);
	case 3: return UX_USER_TOP - below(s, 2) * 4096;      /* unmapped */
	default: return SCRATCH + below(s, 3 * 4096);
	}
}

static const uint64_t labels[] = {
	UX_UNTYPED_RETYPE, UX_CNODE_COPY, UX_CNODE_MINT, UX_CNODE_MOVE,
	UX_CNODE_MUTATE, UX_CNODE_DELETE, UX_CNODE_REVOKE, UX_TCB_CONFIGURE,
	UX_TCB_SET_PRIORITY, UX_TCB_SET_MCP, UX_TCB_READ_REGISTERS,
	UX_TCB_WRITE_REGISTERS, UX_TCB_RESUME, UX_TCB_SUSPEND,
	UX_TCB_BIND_NOTIFICATION, UX_TCB_UNBIND_NOTIFICATION, UX_FRAME_MAP,
	UX_FRAME_UNMAP, UX_FRAME_GET_ADDRESS, UX_TABLE_MAP, UX_TABLE_UNMAP,
	UX_IRQ_CONTROL_GET, UX_IRQ_SET_NOTIFICATION, UX_IRQ_ACK, UX_IRQ_CLEAR,
	UX_IOPORT_ISSUE, UX_IOPORT_IN8, UX_IOPORT_IN16, UX_IOPORT_IN32,
	UX_IOPORT_OUT8, UX_IOPORT_OUT16, UX_IOPORT_OUT32, UX_TCB_SET_FLAGS,
	0, 2, 99, 1u << 20};

/* A slot where they may have made or moved something. */
static uint64_t
own_slot(struct hstate *s)
{
	return S_FIXED + below(s, (1u << HCN_RADIX) - S_FIXED);
}

/* An invocation that gets past the first checks more often than noise
 * would: the right kind of object, arguments in or near their ranges.
 * Returns the capability to invoke; sets the label, MRs and XCs. */
static uint64_t
plausible(struct hstate *s, uint64_t *label, struct ux_msg *m,
	  struct ux_ipc_buffer *b, unsigned *len, unsigned *ncaps)
{
	uint64_t *mr = m->mr, mine = below(s, 3) == 0;
	static const unsigned tcb_ops[] = {
		UX_TCB_CONFIGURE, UX_TCB_SET_PRIORITY, UX_TCB_SET_MCP,
		UX_TCB_READ_REGISTERS, UX_TCB_WRITE_REGISTERS, UX_TCB_RESUME,
		UX_TCB_SUSPEND, UX_TCB_BIND_NOTIFICATION,
		UX_TCB_UNBIND_NOTIFICATION, UX_TCB_SET_FLAGS, UX_TCB_SET_FLAGS};

	*ncaps = 1;
	b->caps[0] = S_CNODE;
	switch (below(s, 7)) {
	case 0: /* Retype into our CNode */
		*label = UX_UNTYPED_RETYPE;
		mr[0] = 1 + below(s, 12);
		mr[1] = mr[0] == UX_CAP_UNTYPED ? 4 + below(s, 13)
			: mr[0] == UX_CAP_CNODE ? 1 + below(s, 6)
						: below(s, 3);
		mr[2] = 0;
		mr[3] = 0;
		b->mr[4] = own_slot(s);
		b->mr[5] = 1 + below(s, 3);
		*len = 6;
		return mine ? own_slot(s) : S_UNTYPED;
	case 1: /* CNode operations inside our CNode */
		*label = UX_CNODE_COPY + below(s, 6);
		mr[0] = below(s, 2) ? own_slot(s) : below(s, 64);
		mr[1] = below(s, 8) ? HCN_RADIX : word(s);
		mr[2] = below(s, 64);
		mr[3] = HCN_RADIX;
		b->mr[4] = below(s, 32);
		b->mr[5] = below(s, 2) ? 0 : word(s);
		*len = (unsigned)(2 + below(s, 5));
		return below(s, 5) ? S_CNODE : own_slot(s);
	case 2: /* TCBs: theirs or ones they made */
		*label = tcb_ops[below(s, ARRAY_LEN(tcb_ops))];
		mr[0] = below(s, 3) ? below(s, 3) : word(s);
		mr[1] = below(s, 2) ? 64 - HCN_RADIX : word(s);
		mr[2] = below(s, 2) ? SCRATCH : word(s);
		mr[3] = word(s);
		b->caps[0] = below(s, 2) ? S_CNODE : cptr(s);
		b->caps[1] = below(s, 2) ? S_PML4 : own_slot(s);
		b->caps[2] = below(s, 2) ? S_FRAME : own_slot(s);
		if (*label == UX_TCB_SET_PRIORITY || *label == UX_TCB_SET_MCP)
			b->caps[0] = own_slot(s);
		if (*label == UX_TCB_BIND_NOTIFICATION)
			b->caps[0] = below(s, 2) ? S_NTFN : S_NTFN_RO;
		*len = (unsigned)below(s, 21);
		*ncaps = (unsigned)below(s, 4);
		return own_slot(s);
	case 3: /* frames, mapped near the scratch pages */
		*label = UX_FRAME_MAP + below(s, 3);
		mr[0] = SCRATCH + (3 + below(s, 500)) * 4096ull;
		mr[1] = below(s, 32);
		mr[2] = below(s, 3);
		b->caps[0] = below(s, 4) ? S_PML4 : own_slot(s);
		*len = 3;
		return mine ? own_slot(s) : S_FRAME;
	case 4: /* tables */
		*label = UX_TABLE_MAP + below(s, 2);
		mr[0] = below(s, 2) ? 0x700000000ull + below(s, 1ull << 32)
				    : word(s);
		b->caps[0] = below(s, 4) ? S_PML4 : own_slot(s);
		*len = 1;
		return own_slot(s);
	case 5: /* the IRQ handler */
		*label = UX_IRQ_SET_NOTIFICATION + below(s, 3);
		b->caps[0] = below(s, 2) ? S_NTFN : S_NTFN_RO;
		*len = 0;
		return S_IRQ;
	default: /* the I/O port */
		*label = UX_IOPORT_IN8 + below(s, 6);
		mr[0] = 0x7F + below(s, 3);
		mr[1] = word(s);
		*len = (unsigned)below(s, 3);
		*ncaps = 0;
		return S_IOPORT;
	}
}

static void
one_op(struct hstate *s)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct ux_msg m = {0};
	unsigned len = (unsigned)(below(s, 4) ? below(s, 9) : below(s, 128));
	unsigned ncaps = (unsigned)below(s, 4);
	uint64_t label = below(s, 3) ? labels[below(s, ARRAY_LEN(labels))]
				     : word(s);
	uint64_t flags = below(s, 6) ? 0 : UX_MI_LONG;
	long no;

	/* the IPC buffer: message registers, capabilities, receive slot,
	 * long-message buffers */
	for (unsigned i = 0; i < UX_REG_MRS; i++)
		m.mr[i] = below(s, 3) ? below(s, 70) : word(s);
	if (label == UX_UNTYPED_RETYPE && below(s, 2))
		m.mr[0] = 1 + below(s, 12); /* a real type, often */
	for (unsigned i = UX_REG_MRS; i < 12; i++)
		b->mr[i] = below(s, 2) ? below(s, 70) : word(s);
	for (unsigned i = 0; i < UX_MSG_MAX_CAPS; i++)
		b->caps[i] = cptr(s);
	b->recv_cnode = below(s, 2) ? S_CNODE : cptr(s);
	b->recv_index = below(s, 2) ? S_FIXED + below(s, 64 - S_FIXED) : word(s);
	b->recv_depth = below(s, 3) ? HCN_RADIX : word(s);
	b->send_buf = below(s, 2) ? SCRATCH + below(s, 8192) : word(s);
	b->send_len = length(s);
	b->recv_buf = recv_buffer(s);
	b->recv_len = below(s, 2) ? 0 : length(s);

	switch (below(s, 20)) {
	case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
		no = UX_SYS_CALL; /* mostly invocations */
		break;
	case 8: no = UX_SYS_NB_SEND; break;
	case 9: no = UX_SYS_NB_RECV; break;
	case 10: no = UX_SYS_SIGNAL; break;
	case 11: no = UX_SYS_POLL; break;
	case 12: no = UX_SYS_REPLY; break;
	case 13: no = UX_SYS_YIELD; break;
	case 14: no = UX_SYS_MIN - 1; break; /* just past the last */
	case 15: no = (long)below(s, 500); break; /* foreign */
	case 16: no = -(long)below(s, 20) - 14; break; /* not a call */
	case 17: no = UX_SYS_DEBUG_PUTS; break;
	default: /* blocking ones, now and then */
		no = -(long)(1 + below(s, 10));
	}
	if (no == UX_SYS_DEBUG_PUTS)
		len = 600, label = 0; /* over the limit: refused, no output */
	uint64_t target = cptr(s);
	if (no >= 0 && below(s, 2)) {
		/* a Linux file call (read, write, lseek, pread64, pwrite64):
		 * with UX_TCB_F_LINUX_FILES set it may go to an endpoint in
		 * the descriptor slot; the buffer is written to for a read */
		static const long nr[] = {0, 1, 8, 17, 18};
		no = nr[below(s, ARRAY_LEN(nr))];
		target = below(s, 2) ? S_EP + below(s, 2) * (S_EP_BADGED - S_EP)
				     : cptr(s);
		m.info = recv_buffer(s);
		m.mr[0] = length(s);
		m.mr[3] = word(s);
	} else if (below(s, 2)) { /* a plausible invocation instead */
		no = UX_SYS_CALL;
		flags = 0;
		target = plausible(s, &label, &m, b, &len, &ncaps);
	}
	/* Registers written into a thread (WriteRegisters, a reply to a
	 * fault) always include rip, pointed at a ud2: the thread faults at
	 * once instead of running our code with random registers (which
	 * could write anywhere in the image shared with the root). */
	b->mr[UX_REG_RIP + 1] = (uint64_t)hostile_ud2; /* WriteRegisters */
	b->mr[UX_REG_RIP] = (uint64_t)hostile_ud2;     /* fault replies */
	if (no == UX_SYS_CALL && label == UX_TCB_WRITE_REGISTERS && len > 1 &&
	    len < UX_REG_RIP + 2)
		len = UX_REG_RIP + 2;
	if ((no == UX_SYS_REPLY || no == UX_SYS_REPLY_RECV) && len &&
	    len < UX_REG_RIP + 1)
		len = UX_REG_RIP + 1;
	if (no < 0)
		m.info = label << 16 | flags | (uint64_t)ncaps << 7 |
			 (len & 0x7f);
	if (no == UX_SYS_DEBUG_PUTS)
		m.info = len;
	long e = ux_sys(no, target, below(s, 2) ? S_REPLY : cptr(s), &m);
	s->syscalls++;
	s->res[e >= 0 && e < UX_E_COUNT ? e : UX_E_COUNT]++;
}

static void
hostile_main(uint64_t id)
{
	struct hstate *s = &hs[id];
	while (s->iter < OPS) {
		s->iter++;
		one_op(s);
	}
	/* done: a foreign system call with a magic number */
	struct ux_msg m = {0};
	ux_sys((long)(MAGIC_DONE + id), 0, 0, &m);
	for (;;)
		__asm__ volatile("ud2");
}

/* The helper: runs only when both hostile threads cannot. */
static uint64_t helper_cap;

static void
helper_main(uint64_t arg)
{
	for (;;) {
		struct ux_msg m = {0};
		ux_call(helper_cap, &m);
	}
}

struct hostile {
	uint64_t tcb[2], ipc_frame[2], ipcva[2], fep[2];
	uint64_t cn, vs, ep, ntfn, ntfn_ro, reply, frame, pu, ioport, irq;
	int done[2];
};

/* (Re)fill the private CNode's fixed slots from the originals. */
static void
refill(struct hostile *h)
{
	static const struct {
		unsigned slot;
		size_t off;
		unsigned rights;
	} copies[] = {
		{S_EP, offsetof(struct hostile, ep), UX_R_ALL},
		{S_NTFN, offsetof(struct hostile, ntfn), UX_R_ALL},
		{S_REPLY, offsetof(struct hostile, reply), UX_R_ALL},
		{S_CNODE, offsetof(struct hostile, cn), UX_R_ALL},
		{S_FRAME, offsetof(struct hostile, frame), UX_R_ALL},
		{S_PML4, offsetof(struct hostile, vs), UX_R_ALL},
		{S_IOPORT, offsetof(struct hostile, ioport), UX_R_ALL},
		{S_IRQ, offsetof(struct hostile, irq), UX_R_ALL},
		{S_NTFN_RO, offsetof(struct hostile, ntfn_ro), UX_R_READ},
	};
	for (unsigned i = 1; i < S_FIXED; i++)
		ux_cnode_delete(h->cn, i, HCN_RADIX);
	for (unsigned i = 0; i < ARRAY_LEN(copies); i++) {
		uint64_t src = *(uint64_t *)((char *)h + copies[i].off);
		ux_cnode_copy(h->cn, copies[i].slot, HCN_RADIX, ROOT, src, D,
			      copies[i].rights);
	}
	ux_cnode_mint(h->cn, S_EP_BADGED, HCN_RADIX, ROOT, h->ep, D, UX_R_ALL,
		      0x5A);
	/* a fresh untyped: everything they made from the old one goes */
	ux_cnode_revoke(ROOT, h->pu, D);
	ux_untyped_retype(h->pu, UX_CAP_UNTYPED, 16, h->cn, 0, 0, S_UNTYPED, 1);
}

static void
restart(struct hostile *h, unsigned id)
{
	uint64_t regs[UX_REG_COUNT] = {0};
	uint64_t t = h->tcb[id];

	ux_tcb_suspend(t, NULL);
	ux_tcb_unbind(t);
	ux_tcb_configure(t, h->fep[id], h->cn, 64 - HCN_RADIX, h->vs,
			 h->ipcva[id], h->ipc_frame[id]);
	ux_tcb_set_mcp(t, SELF_TCB, 0);
	ux_tcb_set_flags(t, id == 1 ? UX_TCB_F_LINUX_FILES : 0);
	ux_tcb_set_priority(t, SELF_TCB, HPRIO);
	regs[UX_REG_RIP] = (uint64_t)hostile_main;
	regs[UX_REG_RSP] = (uint64_t)hstacks[id] + sizeof hstacks[id] - 8;
	regs[UX_REG_RDI] = id;
	regs[UX_REG_RFLAGS] = 0x202;
	regs[UX_REG_FS_BASE] = h->ipcva[id];
	ux_tcb_write_regs(t, 1, UX_REG_COUNT, regs);
}

KTEST(hostile_random_syscalls)
{
	static struct hostile h;
	struct kthread helper;
	uint64_t rp = obj_new(UX_CAP_REPLY, 0), fep = obj_new(UX_CAP_ENDPOINT, 0);
	uint64_t hcap = slot_alloc(), frames[3];
	unsigned helper_calls = 0, lx = 0;

	memset(&h, 0, sizeof h);
	hs[0] = (struct hstate){.rng = 0x5EED0001C0FFEEull};
	hs[1] = (struct hstate){.rng = 0x5EED0002DECAFull};
	h.cn = obj_new(UX_CAP_CNODE, HCN_RADIX);
	h.vs = vspace_new();
	h.ep = obj_new(UX_CAP_ENDPOINT, 0);
	h.ntfn = obj_new(UX_CAP_NOTIFICATION, 0);
	h.ntfn_ro = h.ntfn;
	h.reply = obj_new(UX_CAP_REPLY, 0);
	h.frame = obj_new(UX_CAP_FRAME, 0);
	h.pu = untyped_new(17);
	h.ioport = slot_alloc();
	CHECK_EQ(ux_ioport_issue(UX_BI_SLOT_IOPORT_CONTROL, 0x80, 0x80, ROOT,
				 h.ioport, D),
		 UX_OK);
	h.irq = slot_alloc();
	CHECK_EQ(ux_irq_get(UX_BI_SLOT_IRQ_CONTROL, 10, 0, ROOT, h.irq, D),
		 UX_OK);
	/* scratch pages in their space only */
	pages_new(3, frames);
	for (unsigned i = 0; i < 3; i++) {
		uint64_t c = slot_alloc();
		CHECK_EQ(ux_cnode_copy(ROOT, c, D, ROOT, frames[i], D, UX_R_ALL),
			 UX_OK);
		CHECK_EQ(map_frame(h.vs, c, SCRATCH + i * 4096ull,
				   UX_R_READ | UX_R_WRITE),
			 UX_OK);
	}
	for (unsigned id = 0; id < 2; id++) {
		h.tcb[id] = obj_new(UX_CAP_TCB, 0);
		struct ux_ipc_buffer *ipc = page_new(&h.ipc_frame[id]);
		ipc->user[0] = (uint64_t)ipc;
		h.ipcva[id] = (uint64_t)ipc;
		share_pages(h.vs, ipc, 1, &h.ipc_frame[id]);
		h.fep[id] = slot_alloc();
		CHECK_EQ(ux_cnode_mint(ROOT, h.fep[id], D, ROOT, fep, D,
				       UX_R_WRITE, id + 1),
			 UX_OK);
	}
	CHECK_EQ(ux_cnode_mint(ROOT, hcap, D, ROOT, fep, D, UX_R_WRITE, 3),
		 UX_OK);
	helper_cap = hcap;
	thread_start(&helper, helper_main, 0, 50, VSPACE, 0);
	refill(&h);
	restart(&h, 0);
	restart(&h, 1);

	while (!(h.done[0] && h.done[1])) {
		struct fault_msg f;
		CHECK_EQ(fault_recv(fep, rp, &f, 1), UX_OK);
		if (f.badge == 3) { /* both stuck: start again */
			CHECK(++helper_calls < 5000);
			refill(&h);
			for (unsigned id = 0; id < 2; id++) {
				if (!h.done[id]) {
					hs[id].restarts++;
					restart(&h, id);
				}
			}
			struct ux_msg m = {0};
			ux_reply(rp, &m);
			continue;
		}
		CHECK(f.badge == 1 || f.badge == 2);
		unsigned id = (unsigned)f.badge - 1;
		if (f.type == UX_FAULT_SYSCALL && f.w0 == MAGIC_DONE + id) {
			h.done[id] = 1;
			ux_tcb_suspend(h.tcb[id], NULL);
			continue;
		}
		if (f.type == UX_FAULT_SYSCALL) {
			uint64_t rax = (uint64_t)-38; /* ENOSYS */
			lx++;
			fault_reply(rp, &rax, 1);
			continue;
		}
		/* any other fault: back to the loop */
		hs[id].faults++;
		uint64_t regs[UX_REG_COUNT] = {0};
		regs[UX_REG_RIP] = (uint64_t)hostile_main;
		regs[UX_REG_RSP] =
			(uint64_t)hstacks[id] + sizeof hstacks[id] - 8;
		regs[UX_REG_RDI] = id;
		regs[UX_REG_RFLAGS] = 0x202;
		regs[UX_REG_FS_BASE] = h.ipcva[id];
		fault_reply(rp, regs, UX_REG_COUNT);
	}
	thread_kill(&helper);
	for (unsigned id = 0; id < 2; id++)
		ux_cnode_delete(ROOT, h.tcb[id], D);
	CHECK_EQ(ux_cnode_revoke(ROOT, h.pu, D), UX_OK);
	CHECK_EQ(ux_cnode_revoke(ROOT, h.cn, D), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, h.cn, D), UX_OK); /* and its slots */
	CHECK_EQ(ux_cnode_revoke(ROOT, h.irq, D), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, h.irq, D), UX_OK);

	unsigned long total[UX_E_COUNT + 1] = {0};
	for (unsigned id = 0; id < 2; id++) {
		if (hs[id].iter != OPS)
			printf("ktest:   thread %u: %lu ops, done %d\n", id,
			       (unsigned long)hs[id].iter, h.done[id]);
		CHECK_EQ(hs[id].iter, OPS);
		for (unsigned e = 0; e <= UX_E_COUNT; e++)
			total[e] += hs[id].res[e];
	}
	printf("ktest:   %lu calls, %lu+%lu restarts, %lu+%lu faults, %u "
	       "foreign, %u helper calls; results:",
	       (unsigned long)(hs[0].syscalls + hs[1].syscalls),
	       (unsigned long)hs[0].restarts, (unsigned long)hs[1].restarts,
	       (unsigned long)hs[0].faults, (unsigned long)hs[1].faults, lx,
	       helper_calls);
	for (unsigned e = 0; e <= UX_E_COUNT; e++)
		printf(" %lu", total[e]);
	printf("\n");
	/* the root server's own capabilities are untouched */
	CHECK_EQ(cap_type_of(ROOT), UX_CAP_CNODE);
	CHECK_EQ(cap_type_of(VSPACE), UX_CAP_PML4);
	CHECK_EQ(ux_tcb_set_priority(SELF_TCB, SELF_TCB, UX_PRIO_MAX), UX_OK);
	CHECK_EQ(cap_type_of(UX_BI_SLOT_IPCBUF_FRAME), UX_CAP_FRAME);
	uint64_t s = slot_alloc();
	CHECK_EQ(ux_irq_get(UX_BI_SLOT_IRQ_CONTROL, 10, 0, ROOT, s, D), UX_OK);
	CHECK_EQ(ux_cnode_delete(ROOT, s, D), UX_OK);
	return 0;
}

/* After the storm: the basics still work. */
KTEST(hostile_aftermath)
{
	uint64_t ep = obj_new(UX_CAP_ENDPOINT, 0), n = obj_new(UX_CAP_NOTIFICATION, 0);
	struct op r = {.kind = OP_RECV, .cap = ep};
	struct kthread t;
	struct ux_msg m = {.info = ux_msginfo(1, 2, 0, 0), .mr = {5, 6}};
	uint64_t w;

	thread_start(&t, op_thread, (uint64_t)&r, 100, VSPACE, 0);
	settle();
	CHECK_EQ(ux_send(ep, &m), UX_OK);
	settle();
	CHECK(r.done);
	CHECK_EQ(r.m.mr[1], 6);
	CHECK_EQ(ux_signal(n), UX_OK);
	CHECK_EQ(ux_poll(n, &w), UX_OK);
	uint64_t u = untyped_new(16), f = slot_alloc();
	CHECK_EQ(ux_untyped_retype(u, UX_CAP_FRAME, 0, ROOT, 0, 0, f, 1), UX_OK);
	CHECK_EQ(ux_cnode_revoke(ROOT, u, D), UX_OK);
	thread_kill(&t);
	return 0;
}
