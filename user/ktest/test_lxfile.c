/*
 * test_lxfile.c - the kernel's Linux file short cut (kernel/src/lxfile.c):
 * a thread flagged UX_TCB_F_LINUX_FILES doing Linux read/write/pread64/
 * pwrite64/lseek on a descriptor slot holding an endpoint reaches that
 * endpoint's server directly, with its own buffer as the long message, and
 * sees only rax change; other calls, bad pointers and a vanished server go
 * to its fault handler; a missing buffer page faults and the call restarts.
 * With UX_TCB_F_LINUX_TRACE every call goes to the handler first, a file
 * call is carried only when the handler sends it back, and each call's
 * end comes back to the handler.
 */
#include "ktest.h"

static uint64_t fep, frep, fd_ep, srv_reply, done_ntfn, fd_empty;
static volatile uint64_t srv_label[8], srv_mr0[8], srv_mr1[8], srv_got[8];
static volatile unsigned srv_n;
static uint8_t srv_buf[UX_MSG_LONG_MAX], wbuf[6000], rbuf[6000];
static uint8_t bigbuf[100000];
static uint8_t *missing_page;
static volatile int64_t res[12];
static volatile uint64_t kept[12];

static inline int64_t
lx(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
   uint64_t *preserved)
{
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = 0x8888, r9 __asm__("r9") = 0x9999;
	uint64_t rax = nr, rdi = a0, rsi = a1, rdx = a2;
	__asm__ volatile("syscall"
			 : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx),
			   "+r"(r10), "+r"(r8), "+r"(r9)
			 :
			 : "rcx", "r11", "memory");
	*preserved = (rdi == a0 && rsi == a1 && rdx == a2 && r10 == a3 &&
		      r8 == 0x8888 && r9 == 0x9999);
	return (int64_t)rax;
}

static void
server(uint64_t unused)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct ux_msg m = {0};
	(void)unused;
	b->recv_buf = (uint64_t)srv_buf;
	b->recv_len = sizeof srv_buf;
	ux_recv(fd_ep, srv_reply, &m);
	for (;;) {
		unsigned i = srv_n++ % 8;
		uint64_t lab = ux_mi_label(m.info);
		srv_label[i] = lab;
		srv_mr0[i] = m.mr[0];
		srv_mr1[i] = m.mr[1];
		srv_got[i] = (m.info & UX_MI_LONG) ? b->long_xfer : 0;
		m.info = ux_msginfo(0, 1, 0, 0);
		m.mr[0] = lab == UX_FILE_SEEK ? srv_mr0[i] + 1 : srv_mr1[i];
		if (lab == UX_FILE_READ) {
			for (unsigned k = 0; k < sizeof srv_buf; k++)
				srv_buf[k] = (uint8_t)(k * 7);
			b->send_buf = (uint64_t)srv_buf;
			b->send_len = srv_mr1[i] > 100 ? 100 : srv_mr1[i];
			m.mr[0] = srv_mr1[i] + 1000; /* claims too much */
			m.info = ux_msginfo(0, 1, 0, UX_MI_LONG);
		}
		ux_reply_recv(fd_ep, srv_reply, &m);
	}
}

static void
client(uint64_t unused)
{
	uint64_t ok;
	(void)unused;
	for (unsigned k = 0; k < sizeof wbuf; k++)
		wbuf[k] = (uint8_t)k;
	res[0] = lx(1, fd_ep, (uint64_t)wbuf, 5000, 0, &ok);   /* write */
	kept[0] = ok;
	res[1] = lx(18, fd_ep, (uint64_t)wbuf, 10, 77, &ok);   /* pwrite64 */
	kept[1] = ok;
	res[2] = lx(0, fd_ep, (uint64_t)rbuf, 4000, 0, &ok);   /* read */
	kept[2] = ok;
	res[3] = lx(8, fd_ep, 41, 0, 0, &ok);                  /* lseek */
	kept[3] = ok;
	res[4] = lx(0, fd_empty, (uint64_t)rbuf, 10, 0, &ok);  /* empty slot */
	res[5] = lx(1, fd_ep, 0xFFFF800000000000ull, 8, 0, &ok); /* bad ptr */
	res[6] = lx(17, fd_ep, (uint64_t)missing_page, 50, 5, &ok); /* PF */
	kept[6] = ok;
	res[7] = lx(39, 0, 0, 0, 0, &ok);                      /* getpid */
	res[8] = lx(1, fd_ep, (uint64_t)bigbuf, 100000, 0, &ok); /* 2 pieces */
	kept[8] = ok;
	ux_signal(done_ntfn);
}

/* Serve the client's faults: page faults map a page, system calls answer
 * 1000 + their number. The client makes one page fault and three calls
 * that are not file calls. */
static int
lx_serve_faults(uint64_t *pf_addr, uint64_t *sys_seen)
{
	unsigned nsys = 0, npf = 0;
	while (nsys < 3 || npf < 1) {
		struct ux_msg m = {0};
		if (ux_recv(fep, frep, &m) || nsys > 3 || npf > 1)
			return 1;
		unsigned lab = (unsigned)ux_mi_label(m.info);
		if (lab == UX_FAULT_PAGE) {
			*pf_addr = m.mr[0];
			npf++;
			uint64_t f = obj_new(UX_CAP_FRAME, 0);
			map_frame(VSPACE, f, m.mr[0] & ~0xFFFull,
				  UX_R_READ | UX_R_WRITE);
			m.info = 0;
		} else if (lab == UX_FAULT_SYSCALL) {
			sys_seen[nsys++] = m.mr[0];
			m.mr[0] = 1000 + m.mr[0];
			m.info = ux_msginfo(0, 1, 0, 0);
		} else {
			return 1;
		}
		ux_reply(frep, &m);
	}
	return 0;
}

/* The fault endpoint, the file's endpoint and its server's reply, the
 * done signal and an empty descriptor slot. */
static void
lx_objects(void)
{
	fep = obj_new(UX_CAP_ENDPOINT, 0);
	frep = obj_new(UX_CAP_REPLY, 0);
	fd_ep = obj_new(UX_CAP_ENDPOINT, 0);
	srv_reply = obj_new(UX_CAP_REPLY, 0);
	done_ntfn = obj_new(UX_CAP_NOTIFICATION, 0);
	fd_empty = slot_alloc();
}

KTEST(lxfile_transport)
{
	struct kthread srv, cli;
	uint64_t pf = 0, sys[4] = {0}, badge;

	lx_objects();
	missing_page = (uint8_t *)va_alloc(4096);
	srv_n = 0;
	thread_start(&srv, server, 0, 254, VSPACE, 0);
	thread_start(&cli, client, 0, 253, VSPACE, fep);
	CHECK_EQ(ux_tcb_set_flags(cli.tcb, UX_TCB_F_LINUX_FILES), UX_OK);
	CHECK_EQ(ux_tcb_set_flags(cli.tcb, 4), UX_E_INVALID_ARGUMENT);
	CHECK_EQ(lx_serve_faults(&pf, sys), 0);
	ux_wait(done_ntfn, &badge);

	/* write: the server got 5000 bytes as FILE_WRITE, offset none */
	CHECK_EQ(res[0], 5000);
	CHECK(kept[0]);
	CHECK_EQ(srv_label[0], UX_FILE_WRITE);
	CHECK_EQ(srv_mr0[0], UX_FILE_OFFSET_NONE);
	CHECK_EQ(srv_mr1[0], 5000);
	CHECK_EQ(srv_got[0], 5000);
	/* pwrite64 carries its offset */
	CHECK_EQ(res[1], 10);
	CHECK_EQ(srv_mr0[1], 77);
	/* read: the server sent 100 bytes but claimed 5000: rax is 100 */
	CHECK_EQ(res[2], 100);
	CHECK(kept[2]);
	CHECK_EQ(srv_label[2], UX_FILE_READ);
	CHECK_EQ(rbuf[99], (uint8_t)(99 * 7));
	/* lseek */
	CHECK_EQ(res[3], 42);
	CHECK_EQ(srv_label[3], UX_FILE_SEEK);
	/* empty slot and bad pointer went to the fault handler */
	CHECK_EQ(res[4], 1000 + 0);
	CHECK_EQ(res[5], 1000 + 1);
	/* missing page: page fault, then pread64 completed */
	CHECK_EQ(pf, (uint64_t)missing_page);
	CHECK_EQ(res[6], 50);
	CHECK(kept[6]);
	CHECK_EQ(srv_mr0[4], 5);
	CHECK_EQ(res[7], 1000 + 39);
	CHECK_EQ(sys[0], 0);
	CHECK_EQ(sys[1], 1);
	CHECK_EQ(sys[2], 39);
	/* a write longer than a long message: two pieces, one result, the
	 * registers as the caller set them */
	CHECK_EQ(res[8], 100000);
	CHECK(kept[8]);
	CHECK_EQ(srv_mr1[5], UX_MSG_LONG_MAX);
	CHECK_EQ(srv_got[5], UX_MSG_LONG_MAX);
	CHECK_EQ(srv_mr1[6], 100000 - UX_MSG_LONG_MAX);
	CHECK_EQ(srv_n, 7);
	thread_kill(&cli);
	thread_kill(&srv);
	return 0;
}

/* A traced thread (LINUX_TRACE): getpid, a write its handler sends on to
 * the file's server, a read of an empty slot the kernel declines. */
static void
traced_client(uint64_t unused)
{
	uint64_t ok;
	(void)unused;
	res[0] = lx(39, 0, 0, 0, 0, &ok);
	res[1] = lx(1, fd_ep, (uint64_t)wbuf, 5, 0, &ok);
	kept[1] = ok;
	res[2] = lx(0, fd_empty, (uint64_t)rbuf, 10, 0, &ok);
	ux_signal(done_ntfn);
}

/* The next fault: its label, words and registers. */
static unsigned
next_fault(struct ux_msg *m, uint64_t regs[UX_REG_COUNT])
{
	*m = (struct ux_msg){0};
	if (ux_recv(fep, frep, m))
		return 0;
	for (unsigned i = 0; i < UX_REG_COUNT; i++)
		regs[i] = i + UX_FAULT_REGS < UX_REG_MRS
				  ? m->mr[i + UX_FAULT_REGS]
				  : ux_ipcbuf()->mr[i + UX_FAULT_REGS];
	return (unsigned)ux_mi_label(m->info);
}

/* Answer with label, registers 0..n-1 from regs. */
static void
answer_regs(struct ux_msg *m, unsigned label, const uint64_t *regs,
	    unsigned n)
{
	m->info = ux_msginfo(label, n, 0, 0);
	for (unsigned i = 0; i < n; i++) {
		if (i < UX_REG_MRS)
			m->mr[i] = regs[i];
		else
			ux_ipcbuf()->mr[i] = regs[i];
	}
	ux_reply(frep, m);
}

/* One call's fault (number nr, not an end) answered with label, rip back
 * over the syscall for a carry; false if it was not that. */
static bool
call_fault(uint64_t nr, unsigned label, uint64_t rax)
{
	struct ux_msg m;
	uint64_t r[UX_REG_COUNT];
	if (next_fault(&m, r) != UX_FAULT_SYSCALL || m.mr[0] != nr ||
	    m.mr[1] != 0)
		return false;
	if (label == UX_FAULT_REPLY_CARRY)
		r[UX_REG_RIP] -= 2;
	else
		r[UX_REG_RAX] = rax;
	answer_regs(&m, label, r, UX_REG_RFLAGS + 1);
	return true;
}

/* A call's end: its result; resumed with nothing changed. */
static bool
end_fault(uint64_t result)
{
	struct ux_msg m;
	uint64_t r[UX_REG_COUNT];
	if (next_fault(&m, r) != UX_FAULT_SYSCALL || m.mr[1] != UX_SYSCALL_END ||
	    m.mr[0] != result || r[UX_REG_RAX] != result)
		return false;
	answer_regs(&m, 0, r, 0);
	return true;
}

KTEST(lxfile_trace)
{
	struct kthread srv, cli;
	uint64_t badge;

	lx_objects();
	srv_n = 0;
	thread_start(&srv, server, 0, 254, VSPACE, 0);
	thread_start(&cli, traced_client, 0, 253, VSPACE, fep);
	CHECK_EQ(ux_tcb_set_flags(cli.tcb, UX_TCB_F_LINUX_FILES |
						   UX_TCB_F_LINUX_TRACE),
		 UX_OK);
	CHECK(call_fault(39, 0, 1039)); /* answered: its end comes back */
	CHECK(end_fault(1039));
	CHECK(call_fault(1, UX_FAULT_REPLY_CARRY, 0)); /* not carried yet */
	CHECK(end_fault(5));                  /* carried to the server */
	CHECK(call_fault(0, UX_FAULT_REPLY_CARRY, 0)); /* declined: */
	CHECK(call_fault(0, 0, 1000));                 /* ours again */
	CHECK(end_fault(1000));
	ux_wait(done_ntfn, &badge);
	CHECK_EQ(res[0], 1039);
	CHECK_EQ(res[1], 5);
	CHECK(kept[1]);
	CHECK_EQ(srv_n, 1);
	CHECK_EQ(srv_label[0], UX_FILE_WRITE);
	CHECK_EQ(srv_got[0], 5);
	CHECK_EQ(res[2], 1000);
	thread_kill(&cli);
	thread_kill(&srv);
	return 0;
}
