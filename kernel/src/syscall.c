/*
 * syscall.c - the system-call dispatcher and invocation decoding.
 *
 * Native calls have negative numbers (uxrt/syscall.h); any other number is
 * a foreign system call and becomes a fault message. Call and ReplyRecv try
 * the fastpath first (syscall_entry goes there straight). Every path ends in kernel_exit, which picks the thread
 * to run; an operation that succeeds writes its own results, one that fails
 * gets its error in rax here.
 */
#include <invoke.h>
#include <uxrt/fault.h>
#include <uxrt/invocation.h>
#include <uxrt/syscall.h>


err_t
inv_cap(const struct inv *v, unsigned i, struct cte **out)
{
	if (i >= v->ncaps || !v->buf)
		return UX_E_TRUNCATED_MESSAGE;
	err_t e = cspace_lookup(v->t, v->buf->caps[i], out);
	if (e)
		return e;
	return UX_OK;
}

void
invoke_done(const struct inv *v, unsigned nresults)
{
	thread_set_result(v->t, UX_OK, ux_msginfo(0, nresults, 0, 0));
}

static err_t
invoke(struct tcb *t, struct cte *slot, uint64_t info)
{
	struct inv v = {
		.t = t,
		.buf = thread_ipcbuf(t),
		.slot = slot,
		.label = ux_mi_label(info),
		.len = ux_mi_len(info),
		.ncaps = ux_mi_caps(info),
	};

	if (v.len > UX_MSG_MAX_MRS)
		return UX_E_RANGE;
	if (v.len > UX_REG_MRS && !v.buf)
		v.len = UX_REG_MRS;
	switch (slot->cap.type) {
	case UX_CAP_UNTYPED: return untyped_invoke(&v);
	case UX_CAP_CNODE: return cnode_invoke(&v);
	case UX_CAP_TCB: return tcb_invoke(&v);
	case UX_CAP_FRAME:
	case UX_CAP_FRAME_2M: return frame_invoke(&v);
	case UX_CAP_PAGE_TABLE:
	case UX_CAP_PAGE_DIR:
	case UX_CAP_PDPT: return table_invoke(&v);
	case UX_CAP_IRQ_CONTROL: return irq_control_invoke(&v);
	case UX_CAP_IRQ_HANDLER: return irq_handler_invoke(&v);
	case UX_CAP_IOPORT_CONTROL: return ioport_control_invoke(&v);
	case UX_CAP_IOPORT: return ioport_invoke(&v);
	default: return UX_E_ILLEGAL_OPERATION;
	}
}

static err_t
lookup_type(struct tcb *t, uint64_t cptr, unsigned type, struct cap **out)
{
	struct cte *s;
	err_t e = cspace_lookup(t, cptr, &s);
	if (e)
		return e;
	if (s->cap.type != type)
		return UX_E_INVALID_CAPABILITY;
	*out = &s->cap;
	return UX_OK;
}

/* The reply object named by r12: 0 means none. */
static err_t
reply_arg(struct tcb *t, struct reply **out)
{
	struct cap *c;
	*out = NULL;
	if (!t->ctx.r12)
		return UX_OK;
	err_t e = lookup_type(t, t->ctx.r12, UX_CAP_REPLY, &c);
	if (!e)
		*out = (struct reply *)c->obj;
	return e;
}

static err_t
do_call(struct tcb *t, uint64_t cptr, uint64_t info, bool block, bool call)
{
	struct cte *s;
	err_t e = cspace_lookup(t, cptr, &s);
	if (e)
		return e;
	switch (s->cap.type) {
	case UX_CAP_ENDPOINT:
		if ((e = ipc_check_buffers(t, info, true, call)))
			return e;
		return ipc_send(t, &s->cap, info, block, call);
	case UX_CAP_NOTIFICATION:
		if (call)
			return UX_E_ILLEGAL_OPERATION;
		if (!(s->cap.rights & UX_R_WRITE))
			return UX_E_NO_RIGHTS;
		ntfn_signal((struct notification *)s->cap.obj, s->cap.w1);
		thread_set_result(t, UX_OK, 0);
		return UX_OK;
	case UX_CAP_NULL:
		return UX_E_INVALID_CAPABILITY;
	default:
		return call ? invoke(t, s, info) : UX_E_ILLEGAL_OPERATION;
	}
}

static err_t
do_recv(struct tcb *t, uint64_t cptr, struct reply *r, bool block)
{
	struct cte *s;
	err_t e = cspace_lookup(t, cptr, &s);
	if (e)
		return e;
	switch (s->cap.type) {
	case UX_CAP_ENDPOINT:
		if ((e = ipc_check_buffers(t, 0, false, true)))
			return e;
		return ipc_recv(t, &s->cap, r, block);
	case UX_CAP_NOTIFICATION:
		if (!(s->cap.rights & UX_R_READ))
			return UX_E_NO_RIGHTS;
		return ntfn_wait(t, (struct notification *)s->cap.obj, block);
	default:
		return UX_E_INVALID_CAPABILITY;
	}
}

static err_t
do_reply_recv(struct tcb *t, uint64_t cptr, uint64_t info)
{
	struct reply *r;
	struct cte *s;
	err_t e;

	if ((e = reply_arg(t, &r)) || (e = cspace_lookup(t, cptr, &s)))
		return e;
	if (s->cap.type != UX_CAP_ENDPOINT)
		return UX_E_INVALID_CAPABILITY;
	if ((e = ipc_check_buffers(t, info, r && r->caller, true)))
		return e;
	if (r && r->caller)
		ipc_reply(t, r, info, ipc_recv_blocks(t, &s->cap));
	return ipc_recv(t, &s->cap, r, true);
}

static err_t
do_ntfn(struct tcb *t, uint64_t cptr, int64_t sysno)
{
	struct cap *c;
	err_t e = lookup_type(t, cptr, UX_CAP_NOTIFICATION, &c);
	if (e)
		return e;
	struct notification *n = (struct notification *)c->obj;
	if (sysno == UX_SYS_SIGNAL) {
		if (!(c->rights & UX_R_WRITE))
			return UX_E_NO_RIGHTS;
		ntfn_signal(n, c->w1);
		thread_set_result(t, UX_OK, 0);
		return UX_OK;
	}
	if (!(c->rights & UX_R_READ))
		return UX_E_NO_RIGHTS;
	return ntfn_wait(t, n, sysno == UX_SYS_WAIT);
}

/* Debug output: `info` bytes (at most 512) from the IPC buffer's words. */
static err_t
debug_puts(struct tcb *t, uint64_t len)
{
	struct ux_ipc_buffer *b = thread_ipcbuf(t);
	if (!b)
		return UX_E_INVALID_ARGUMENT;
	if (len > sizeof b->mr)
		return UX_E_RANGE;
	const char *s = (const char *)b->mr;
	for (uint64_t i = 0; i < len; i++)
		serial_putc(s[i]);
	thread_set_result(t, UX_OK, 0);
	return UX_OK;
}

static err_t
dispatch(struct tcb *t, int64_t sysno, uint64_t cptr, uint64_t info)
{
	struct reply *r;
	err_t e;

	switch (sysno) {
	case UX_SYS_CALL:
		return do_call(t, cptr, info, true, true);
	case UX_SYS_SEND:
		return do_call(t, cptr, info, true, false);
	case UX_SYS_NB_SEND:
		return do_call(t, cptr, info, false, false);
	case UX_SYS_RECV:
	case UX_SYS_NB_RECV:
		if ((e = reply_arg(t, &r)))
			return e;
		return do_recv(t, cptr, r, sysno == UX_SYS_RECV);
	case UX_SYS_REPLY:
		if ((e = reply_arg(t, &r)))
			return e;
		if (!r)
			return UX_E_INVALID_CAPABILITY;
		if ((e = ipc_check_buffers(t, info, true, false)))
			return e;
		return ipc_reply(t, r, info, false);
	case UX_SYS_REPLY_RECV:
		return do_reply_recv(t, cptr, info);
	case UX_SYS_YIELD:
		this_cpu()->round_robin = this_cpu()->resched = true;
		thread_set_result(t, UX_OK, 0);
		return UX_OK;
	case UX_SYS_SIGNAL:
	case UX_SYS_WAIT:
	case UX_SYS_POLL:
		return do_ntfn(t, cptr, sysno);
	case UX_SYS_DEBUG_PUTS:
		return debug_puts(t, info);
	default:
		return UX_E_INVALID_ARGUMENT;
	}
}

/* From syscall_entry for every native call but Call and ReplyRecv, which
 * go to the fastpath first (entry.S compares with these numbers), and
 * for foreign ones (syscall_foreign). */
_Static_assert(SYSNO_CALL == UX_SYS_CALL &&
		       SYSNO_REPLY_RECV == UX_SYS_REPLY_RECV,
	       "entry.S system call numbers");

noreturn void
syscall_c(uint64_t cptr, uint64_t info, int64_t sysno)
{
	syscall_slow(this_cpu()->cur, cptr, info, sysno);
}

/* A foreign (Linux) system call: a Linux thread's file call goes to the
 * file's server (lxfile.c), anything else to the fault handler. A traced
 * thread's (LINUX_TRACE) file call goes to the handler first, and to the
 * server only when the handler sends it back (lx_carry). */
static noreturn void
foreign(struct tcb *t, uint64_t nr)
{
	bool files = (t->flags & UX_TCB_F_LINUX_FILES) &&
		     (!(t->flags & UX_TCB_F_LINUX_TRACE) || t->lx_carry ||
		      t->lx.to_handler);
	if (!files || (nr > LX_FILE_NR_MAX && !t->lx.to_handler) || /* the
								      common case */
	    !lx_file_call(t, nr)) {
		t->lx_carry = 0; /* declined: the handler answers it */
		fault_raise(t, UX_FAULT_SYSCALL, nr, 0);
	}
	kernel_exit();
}

noreturn void
syscall_foreign(uint64_t nr)
{
	foreign(this_cpu()->cur, nr);
}

noreturn void
syscall_slow(struct tcb *t, uint64_t cptr, uint64_t info, int64_t sysno)
{
	if (sysno >= 0)
		foreign(t, (uint64_t)sysno);
	err_t e = dispatch(t, sysno, cptr, info);
	if (e != UX_OK && e < UX_E_COUNT)
		thread_set_result(t, e, 0);
	kernel_exit();
}
