/*
 * lxfile.c - the kernel's short cut for Linux file I/O (see
 * docs/design-transport.md): for a thread flagged UX_TCB_F_LINUX_FILES,
 * read, write, pread64, pwrite64 and lseek on a descriptor whose CSpace
 * slot holds an endpoint capability become a Call to that endpoint
 * (uxrt/file.h), with the thread's own buffer as the long message. The
 * reply's MR0 becomes the system call's result in rax; no other register
 * changes, as Linux promises. Anything else goes to the fault handler (the
 * process server) as before, and so does a call whose server goes away.
 *
 * A read or write longer than a long message goes in pieces: when a piece
 * comes back complete and more is wanted, the thread's buffer registers
 * are advanced and it issues the next piece itself (so each piece is
 * checked for missing pages like any call); the last piece puts the
 * registers back and rax gets the total. A short answer (end of file, a
 * console line) ends the call at once, as on Linux.
 *
 * A traced thread (UX_TCB_F_LINUX_TRACE) has its file call carried only
 * when its handler sends it back to be (t->lx_carry), and the call's end
 * goes to the handler as a fault (UX_SYSCALL_END) instead of resuming it.
 */
#include <cspace.h>
#include <thread.h>
#include <uxrt/file.h>

#define LX_LSEEK 8
#define LX_PREAD 17
#define LX_PWRITE 18
#define LX_READV 19
#define LX_WRITEV 20
_Static_assert(LX_WRITEV == LX_FILE_NR_MAX, "the highest file call");
#define IOV_MAX 1024
#define SSIZE_MAX (~0ull >> 1)

/* t's call ended here, with no server's reply (t runs): a carried one is
 * reported to the handler. True, for lx_file_call's answer. */
static bool
ended(struct tcb *t)
{
	if (t->lx_carry) {
		t->lx_carry = 0;
		fault_raise(t, UX_FAULT_SYSCALL, t->ctx.rax, UX_SYSCALL_END);
	}
	return true;
}

/* Send one piece of t's call to the file's server: n bytes at buf. A
 * missing page of the buffer is a page fault for t (the call is made
 * again once it is there); an address no fault can map goes to the
 * handler (EFAULT), unless earlier pieces moved data. */
static bool
issue(struct tcb *t, struct cap *cap, uint64_t label, bool in,
      uint64_t buf, uint64_t n, uint64_t mr0, uint64_t mr1)
{
	uint64_t bad, code;
	if (n && !vspace_check(t, buf, n, in, &bad, &code)) {
		if (bad < UX_USER_TOP) {
			t->ctx.rip -= 2; /* made again once the page is there */
			fault_raise(t, UX_FAULT_PAGE, bad, code | UX_PF_SYSCALL);
			return true;
		}
		if (!t->lxc.on || !t->lxc.done) {
			t->lxc.on = 0;
			return false; /* the process server answers EFAULT */
		}
		t->ctx.rax = t->lxc.done; /* what earlier pieces moved */
		t->lxc = (struct lx_cont){0};
		return ended(t);
	}
	t->lx = lx_piece(t->ctx.rax, in, buf, n, mr0, mr1);
	ipc_send(t, cap, ux_msginfo(label, 2, 0, in ? 0 : UX_MI_LONG), true,
		 true);
	return true;
}

/* readv/writev's first piece: the iovec array is readable (else a page
 * fault, or the handler for EFAULT), its count and lengths are valid
 * (else the handler: EINVAL), and something is asked for (else the
 * handler answers 0). */
static bool
vec_start(struct tcb *t, bool *handled)
{
	struct arch_context *x = &t->ctx;
	uint64_t total = 0, iov[2], bad, code;
	*handled = false;
	if (!x->rdx || x->rdx > IOV_MAX)
		return false;
	if (!vspace_check(t, x->rsi, x->rdx * 16, false, &bad, &code)) {
		if (bad >= UX_USER_TOP)
			return false;
		x->rip -= 2;
		fault_raise(t, UX_FAULT_PAGE, bad, code | UX_PF_SYSCALL);
		*handled = true;
		return false;
	}
	for (uint64_t i = 0; i < x->rdx; i++) {
		if (!vspace_read(t, x->rsi + 16 * i, iov, 16) ||
		    iov[1] > SSIZE_MAX - total)
			return false;
		total += iov[1];
	}
	if (!total)
		return false;
	t->lxc = (struct lx_cont){.on = 1, .rsi = x->rsi, .rdx = x->rdx,
				  .r10 = x->r10, .total = total};
	return true;
}

/* The next piece of a readv/writev: the rest of the first iovec not yet
 * done. False if there is none (or it cannot be read any more). */
static bool
vec_piece(struct tcb *t, uint64_t *buf, uint64_t *n)
{
	struct lx_cont *k = &t->lxc;
	uint64_t iov[2];
	for (; k->vidx < k->rdx; k->vidx++, k->voff = 0) {
		if (!vspace_read(t, k->rsi + 16 * k->vidx, iov, 16))
			return false;
		if (iov[1] > k->voff) {
			*buf = iov[0] + k->voff;
			*n = iov[1] - k->voff;
			if (*n > UX_MSG_LONG_MAX)
				*n = UX_MSG_LONG_MAX;
			return true;
		}
	}
	return false;
}

/* A writev of several iovecs that fit in one long message goes whole,
 * gathered by the kernel's copy (ipc.c), so a pipe sees one write
 * (atomic up to PIPE_BUF, as POSIX asks). Each buffer is checked first
 * as issue() checks one. */
static bool
issue_gather(struct tcb *t, struct cap *cap)
{
	struct lx_cont *k = &t->lxc;
	uint64_t iov[2], bad, code;
	for (uint64_t i = 0; i < k->rdx; i++) {
		bool readable = vspace_read(t, k->rsi + 16 * i, iov, 16);
		if (!readable || (iov[1] && !vspace_check(t, iov[0], iov[1],
							  false, &bad, &code))) {
			if (!readable || bad >= UX_USER_TOP) {
				*k = (struct lx_cont){0};
				return false; /* the process server: EFAULT */
			}
			t->ctx.rip -= 2;
			fault_raise(t, UX_FAULT_PAGE, bad, code | UX_PF_SYSCALL);
			return true;
		}
	}
	t->lx = (struct lx_call){
		.active = 1, .nr = (uint8_t)t->ctx.rax, .gather = 1,
		.niov = (uint16_t)k->rdx, .mr0 = UX_FILE_OFFSET_NONE,
		.mr1 = k->total, .send_buf = k->rsi, .send_len = k->total};
	ipc_send(t, cap, ux_msginfo(UX_FILE_WRITE, 2, 0, UX_MI_LONG), true,
		 true);
	return true;
}

/* readv and writev: one piece per iovec (or per long message of it),
 * or a small writev whole; the registers never change, the progress is
 * in t->lxc. */
static bool
lx_vec_call(struct tcb *t, struct cap *cap, bool in)
{
	uint64_t buf, n;
	bool handled;
	if (!t->lxc.on && !vec_start(t, &handled))
		return handled;
	if (!in && !t->lxc.done && t->lxc.rdx > 1 &&
	    t->lxc.total <= UX_MSG_LONG_MAX)
		return issue_gather(t, cap);
	if (!vec_piece(t, &buf, &n)) {
		if (!t->lxc.done) {
			t->lxc = (struct lx_cont){0};
			return false;
		}
		t->ctx.rax = t->lxc.done;
		t->lxc = (struct lx_cont){0};
		return ended(t);
	}
	return issue(t, cap, in ? UX_FILE_READ : UX_FILE_WRITE, in, buf, n,
		     UX_FILE_OFFSET_NONE, n);
}

bool
lx_file_call(struct tcb *t, uint64_t nr)
{
	struct arch_context *x = &t->ctx;
	uint64_t label, mr0 = UX_FILE_OFFSET_NONE, mr1, buf = x->rsi;
	uint64_t n = x->rdx;
	bool in = false;
	struct cte *s;

	if (t->lx.to_handler) { /* a cancelled call, re-issued (lx_cancel) */
		t->lx.to_handler = 0;
		return false;
	}
	if (nr > LX_WRITEV || (nr > LX_LSEEK && nr < LX_PREAD))
		return false; /* not a file call (the common case: first) */
	if (cspace_lookup(t, x->rdi, &s) || s->cap.type != UX_CAP_ENDPOINT ||
	    !(s->cap.rights & UX_R_WRITE))
		return false;
	switch (nr) {
	case LX_READ: label = UX_FILE_READ; in = true; break;
	case LX_WRITE: label = UX_FILE_WRITE; break;
	case LX_PREAD: label = UX_FILE_READ; in = true; mr0 = x->r10; break;
	case LX_PWRITE: label = UX_FILE_WRITE; mr0 = x->r10; break;
	case LX_LSEEK: label = UX_FILE_SEEK; mr0 = x->rsi; n = 0; break;
	case LX_READV: return lx_vec_call(t, &s->cap, true);
	case LX_WRITEV: return lx_vec_call(t, &s->cap, false);
	default: return false;
	}
	if (nr == LX_LSEEK) {
		mr1 = x->rdx;
	} else {
		if (n > UX_MSG_LONG_MAX)
			n = UX_MSG_LONG_MAX; /* a short count, as Linux allows */
		mr1 = n;
	}
	return issue(t, &s->cap, label, in, buf, n, mr0, mr1);
}

/* The server replied to c's file call: data into c's buffer, MR0 into
 * rax (or on to the next piece). A read's result is never more than the
 * bytes that arrived. True if a carried call ended: the caller reports
 * it (UX_SYSCALL_END) instead of resuming c. */
bool
lx_complete(struct tcb *replier, struct tcb *c, uint64_t info)
{
	struct ux_ipc_buffer *b = thread_ipcbuf(replier);
	struct arch_context *x = &c->ctx;
	struct lx_cont *k = &c->lxc;
	uint64_t done = 0;
	int64_t r = ux_mi_len(info) ? (int64_t)mr_get(replier, b, 0) : 0;
	uint64_t piece = c->lx.recv_len ? c->lx.recv_len : c->lx.send_len;
	bool io = c->lx.nr != LX_LSEEK;
	bool vec = c->lx.nr == LX_READV || c->lx.nr == LX_WRITEV;

	if ((info & UX_MI_LONG) && c->lx.recv_len)
		done = copy_long(replier, b, c, NULL);
	if (c->lx.recv_len && r > (int64_t)done)
		r = (int64_t)done;
	c->lx.active = 0;
	uint64_t total = vec ? k->total : k->on ? k->rdx : x->rdx;
	uint64_t before = k->on ? k->done : 0;
	if (io && r > 0 && (uint64_t)r == piece &&
	    before + (uint64_t)r < total) {
		if (!k->on)
			*k = (struct lx_cont){1, 0, x->rsi, x->rdx, x->r10, 0, 0, 0};
		k->done += (uint64_t)r;
		if (vec) {
			k->voff += (uint64_t)r;
		} else {
			x->rsi += (uint64_t)r;
			x->rdx -= (uint64_t)r;
			if (c->lx.nr == LX_PREAD || c->lx.nr == LX_PWRITE)
				x->r10 += (uint64_t)r;
		}
		x->rip -= 2; /* the next piece */
		return false;
	}
	if (k->on) {
		r = r < 0 ? (k->done ? (int64_t)k->done : r)
			  : (int64_t)k->done + r;
		x->rsi = k->rsi;
		x->rdx = k->rdx;
		x->r10 = k->r10;
		*k = (struct lx_cont){0};
	}
	x->rax = (uint64_t)r;
	bool carried = c->lx_carry;
	c->lx_carry = 0;
	return carried;
}

/* A call that went in pieces ends with the bytes the earlier pieces
 * moved (Linux's answer for an interrupted transfer): registers as the
 * caller set them, rax the count, rip after the system call. */
static void
lx_finish_partial(struct tcb *t, bool rewound)
{
	t->ctx.rsi = t->lxc.rsi;
	t->ctx.rdx = t->lxc.rdx;
	t->ctx.r10 = t->lxc.r10;
	t->ctx.rax = t->lxc.done;
	if (rewound)
		t->ctx.rip += 2;
	t->lxc = (struct lx_cont){0};
}

/* t is being stopped (TCB suspend): a file call it is in, blocked or
 * between two pieces, either ends with what earlier pieces moved or is
 * wound back to be made again when t resumes. True: wound back. */
bool
lx_stop(struct tcb *t)
{
	bool active = t->lx.active;
	t->lx.active = 0;
	if (t->lxc.on && t->lxc.done) {
		lx_finish_partial(t, !active);
		return false;
	}
	t->lxc = (struct lx_cont){0}; /* a readv/writev that moved nothing */
	if (active)
		t->ctx.rip -= 2;
	return active;
}

/* t's file call will get no reply (its server or reply object went
 * away): t is made ready at once and the call, re-issued, goes to the
 * process server as an ordinary system call (fault) - or, if earlier
 * pieces moved data, ends with that count. Not raising the fault here
 * keeps IPC out of the code that called this, which is tearing down a
 * reply object or endpoint (t could be bound to the dying object again).
 * False if t was not in a file call. */
bool
lx_cancel(struct tcb *t)
{
	if (!t->lx.active)
		return false;
	t->lx.active = 0;
	if (t->lxc.on && t->lxc.done) {
		lx_finish_partial(t, false);
	} else {
		t->lxc = (struct lx_cont){0};
		t->ctx.rip -= 2;
		t->lx.to_handler = 1;
	}
	t->reply = NULL;
	sched_wake(t);
	return true;
}
