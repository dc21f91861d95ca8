/*
 * ipc.c - synchronous IPC through endpoints, reply objects, capability
 * transfer and long (arbitrary-length) messages. This is the slow path;
 * fastpath.c short-cuts the common Call/ReplyRecv.
 *
 * A message is: a message-info word, up to 64 message registers (4 in CPU
 * registers, the rest in the IPC buffer), up to 3 capabilities, and
 * optionally a long message: the kernel copies send_buf/send_len of the
 * sender straight into recv_buf/recv_len of the receiver, page by page
 * through the physmap, walking both page tables. Both buffers are checked
 * when their owner makes the system call: a page that is not mapped raises
 * a page fault for that thread (then the call restarts), so demand paging
 * works. If a page disappears while its owner waits, the copy stops there
 * and long_xfer tells both sides how much arrived.
 */
#include <cspace.h>
#include <thread.h>
#include <uxrt/fault.h>
#include <uxrt/invocation.h>

void
tq_remove(struct tcb **head, struct tcb **tail, struct tcb *t)
{
	if (t->q_prev)
		t->q_prev->q_next = t->q_next;
	else
		*head = t->q_next;
	if (t->q_next)
		t->q_next->q_prev = t->q_prev;
	else
		*tail = t->q_prev;
	t->q_next = t->q_prev = NULL;
}

uint64_t
mr_get(struct tcb *t, struct ux_ipc_buffer *buf, unsigned i)
{
	switch (i) {
	case 0: return t->ctx.CTX_MR0;
	case 1: return t->ctx.CTX_MR1;
	case 2: return t->ctx.CTX_MR2;
	case 3: return t->ctx.CTX_MR3;
	default: return buf && i < UX_MSG_MAX_MRS ? buf->mr[i] : 0;
	}
}

void
mr_set(struct tcb *t, struct ux_ipc_buffer *buf, unsigned i, uint64_t v)
{
	switch (i) {
	case 0: t->ctx.CTX_MR0 = v; break;
	case 1: t->ctx.CTX_MR1 = v; break;
	case 2: t->ctx.CTX_MR2 = v; break;
	case 3: t->ctx.CTX_MR3 = v; break;
	default:
		if (buf && i < UX_MSG_MAX_MRS)
			buf->mr[i] = v;
	}
}

/* Move capabilities named in the sender's IPC buffer (seL4 rules): a
 * capability to the endpoint the message goes through, badged, arrives as
 * its badge ("unwrapped"); otherwise, with grant right, one capability is
 * copied into the receiver's receive slot. Stops at the first that cannot
 * be moved. Returns how many were moved; *unwrapped gets their mask. */
static unsigned
transfer_caps(struct tcb *s, struct ux_ipc_buffer *sb, struct tcb *r,
	      struct ux_ipc_buffer *rb, unsigned n, bool grant,
	      struct endpoint *ep, unsigned *unwrapped)
{
	struct cte *dest = NULL;
	unsigned i;

	*unwrapped = 0;
	if (rb->recv_depth)
		if (cspace_lookup_in(r, rb->recv_cnode, rb->recv_index,
				     (unsigned)rb->recv_depth, &dest) ||
		    !cap_is_null(&dest->cap))
			dest = NULL;
	for (i = 0; i < n; i++) {
		struct cte *src;
		if (cspace_lookup(s, sb->caps[i], &src) ||
		    cap_is_null(&src->cap))
			break;
		struct cap *c = &src->cap;
		if (ep && c->type == UX_CAP_ENDPOINT &&
		    c->obj == (uint64_t)ep && c->w1) {
			rb->caps[i] = c->w1;
			*unwrapped |= 1u << i;
			continue;
		}
		if (!grant || !dest || cte_copy_in(src, dest, UX_R_ALL))
			break;
		rb->caps[i] = 0;
		dest = NULL;
	}
	return i;
}

/* A thread's long-message buffer (send or receive side): that of its
 * Linux file call while one is in progress (lxfile.c), else the one named
 * in its IPC buffer. */
static bool
long_desc(struct tcb *t, struct ux_ipc_buffer *b, bool send, uint64_t *buf,
	  uint64_t *len)
{
	if (t->lx.active) {
		*buf = send ? t->lx.send_buf : t->lx.recv_buf;
		*len = send ? t->lx.send_len : t->lx.recv_len;
		return true;
	}
	if (!b)
		return false;
	*buf = send ? b->send_buf : b->recv_buf;
	*len = send ? b->send_len : b->recv_len;
	return true;
}

/* A writev sent whole (lxfile.c): s's iovecs, in order, into r's
 * buffer at rbuf; the bytes moved (short if an iovec cannot be read). */
static uint64_t
copy_gather(struct tcb *r, uint64_t rbuf, struct tcb *s, uint64_t n)
{
	uint64_t done = 0, iov[2];
	for (uint64_t i = 0; i < s->lx.niov && done < n; i++) {
		if (!vspace_read(s, s->lx.send_buf + 16 * i, iov, 16))
			break;
		uint64_t k = iov[1] < n - done ? iov[1] : n - done;
		uint64_t got = k ? vspace_copy(r, rbuf + done, s, iov[0], k) : 0;
		done += got;
		if (got < k)
			break;
	}
	return done;
}

/* Copy s's long message into r's receive buffer; the bytes moved. */
uint64_t
copy_long(struct tcb *s, struct ux_ipc_buffer *sb, struct tcb *r,
	  struct ux_ipc_buffer *rb)
{
	uint64_t sbuf, slen, rbuf, rlen, n, done = 0;

	if (!long_desc(s, sb, true, &sbuf, &slen))
		return 0;
	if (!long_desc(r, rb, false, &rbuf, &rlen))
		rlen = 0;
	if (slen > UX_MSG_LONG_MAX)
		slen = UX_MSG_LONG_MAX;
	if (rlen > UX_MSG_LONG_MAX)
		rlen = UX_MSG_LONG_MAX;
	n = slen < rlen ? slen : rlen;
	if (n && s->lx.active && s->lx.gather)
		done = copy_gather(r, rbuf, s, n);
	else if (n)
		done = vspace_copy(r, rbuf, s, sbuf, n);
	if (sb && !s->lx.active)
		sb->long_xfer = done;
	if (rb && !r->lx.active) {
		rb->long_xfer = done;
		rb->long_total = slen;
	}
	return done;
}

/* Deliver s's message (or s's fault) to r and set r's results. */
static void
transfer(struct tcb *s, struct tcb *r, uint64_t badge, uint64_t info,
	 uint8_t flags, struct endpoint *ep)
{
	struct ux_ipc_buffer *rb = thread_ipcbuf(r);
	uint64_t out;

	if (s->pending_fault) {
		unsigned len = fault_message(s, r, rb);
		out = ux_msginfo(s->pending_fault, len, 0, 0);
	} else if (s->lx.active) { /* a Linux file call (lxfile.c) */
		out = lx_message(s, r, rb, info);
	} else {
		struct ux_ipc_buffer *sb = thread_ipcbuf(s);
		unsigned len = ux_mi_len(info), caps = 0, unwrapped = 0;
		unsigned fl = 0;
		if (len > UX_REG_MRS && (!sb || !rb))
			len = UX_REG_MRS;
		for (unsigned i = 0; i < len; i++)
			mr_set(r, rb, i, mr_get(s, sb, i));
		if (ux_mi_caps(info) && sb && rb)
			caps = transfer_caps(s, sb, r, rb, ux_mi_caps(info),
					     flags & SEND_GRANT, ep,
					     &unwrapped);
		if ((info & UX_MI_LONG) && sb) {
			copy_long(s, sb, r, rb);
			fl = UX_MI_LONG;
		}
		out = ux_msginfo(ux_mi_label(info), len, caps, fl) |
		      (uint64_t)unwrapped << 9;
	}
	r->ctx.rax = UX_OK;
	r->ctx.rdi = badge;
	r->ctx.rsi = out;
}

/* A caller that will never get its reply: an error for a Call, a stop for
 * a faulting thread (its handler went away). */
static void
cancel_caller(struct tcb *c)
{
	c->reply = NULL;
	if (lx_cancel(c))
		return;
	if (c->pending_fault) {
		thread_report(c, "fault handler gone");
		c->pending_fault = 0;
		c->state = TS_INACTIVE;
		return;
	}
	thread_set_result(c, UX_E_CANCELLED, 0);
	sched_wake(c);
}

/* Bind caller c to reply object rep (or cancel it if there is none). */
static void
await_reply(struct tcb *c, struct reply *rep, uint8_t flags)
{
	if (!rep) {
		cancel_caller(c);
		return;
	}
	if (rep->caller)
		cancel_caller(rep->caller);
	rep->caller = c;
	c->reply = rep;
	c->send_flags = flags;
	c->state = TS_BLOCKED_REPLY;
}

err_t
ipc_send(struct tcb *t, struct cap *cap, uint64_t info, bool blocking,
	 bool call)
{
	struct endpoint *ep = (struct endpoint *)cap->obj;
	uint8_t flags = (call ? SEND_CALL : 0) |
			((cap->rights & UX_R_GRANT) ? SEND_GRANT : 0) |
			((cap->rights & UX_R_GRANT_REPLY) ? SEND_GRANT_REPLY
							  : 0);

	if (!(cap->rights & UX_R_WRITE))
		return UX_E_NO_RIGHTS;
	if (ep->state == EP_RECV) {
		struct tcb *r = ep->head;
		struct reply *rep = r->reply;
		tq_remove(&ep->head, &ep->tail, r);
		if (!ep->head)
			ep->state = EP_IDLE;
		r->reply = NULL;
		if (rep)
			rep->receiver = NULL;
		transfer(t, r, cap->w1, info, flags, ep);
		if (call && rep && t == this_cpu()->cur)
			sched_wake_instead(r); /* t waits for the answer */
		else
			sched_wake(r);
		if (call) {
			await_reply(t, rep, flags);
			return ERR_BLOCKED;
		}
		thread_set_result(t, UX_OK, 0);
		return UX_OK;
	}
	if (!blocking)
		return UX_E_WOULD_BLOCK;
	t->state = TS_BLOCKED_SEND;
	t->blocked_on = ep;
	t->send_badge = cap->w1;
	t->send_info = info;
	t->send_flags = flags;
	tq_append(&ep->head, &ep->tail, t);
	ep->state = EP_SEND;
	return ERR_BLOCKED;
}

/* Will ipc_recv(t, ep, ..., true) block? (Exactly its conditions.) */
bool
ipc_recv_blocks(struct tcb *t, const struct cap *cap)
{
	const struct endpoint *ep = (const struct endpoint *)cap->obj;
	return (cap->rights & UX_R_READ) && !(t->bound && t->bound->active) &&
	       ep->state != EP_SEND;
}

err_t
ipc_recv(struct tcb *t, struct cap *cap, struct reply *reply, bool blocking)
{
	struct endpoint *ep = (struct endpoint *)cap->obj;

	if (!(cap->rights & UX_R_READ))
		return UX_E_NO_RIGHTS;
	if (ntfn_take_bound(t))
		return UX_OK;
	if (ep->state == EP_SEND) {
		struct tcb *s = ep->head;
		tq_remove(&ep->head, &ep->tail, s);
		if (!ep->head)
			ep->state = EP_IDLE;
		s->blocked_on = NULL;
		transfer(s, t, s->send_badge, s->send_info, s->send_flags, ep);
		if (s->send_flags & SEND_CALL) {
			await_reply(s, reply, s->send_flags);
		} else {
			thread_set_result(s, UX_OK, 0);
			sched_wake(s);
		}
		return UX_OK;
	}
	if (!blocking)
		return UX_E_WOULD_BLOCK;
	if (reply) {
		if (reply->caller)
			cancel_caller(reply->caller);
		reply->caller = NULL;
		if (reply->receiver)
			reply->receiver->reply = NULL;
		reply->receiver = t;
	}
	t->reply = reply;
	t->state = TS_BLOCKED_RECV;
	t->blocked_on = ep;
	tq_append(&ep->head, &ep->tail, t);
	ep->state = EP_RECV;
	return ERR_BLOCKED;
}

/* Does the handler's answer (label) to c's fault end a system call of a
 * traced thread (UX_TCB_F_LINUX_TRACE), to be reported? A carry sends
 * the call on instead (lxfile.c). */
static bool
traced_call_ends(struct tcb *c, uint64_t info)
{
	if (c->pending_fault != UX_FAULT_SYSCALL ||
	    !(c->flags & UX_TCB_F_LINUX_TRACE) ||
	    c->fault_w1 == UX_SYSCALL_END)
		return false;
	if (ux_mi_label(info) != UX_FAULT_REPLY_CARRY)
		return true;
	c->lx_carry = 1;
	return false;
}

err_t
ipc_reply(struct tcb *t, struct reply *r, uint64_t info, bool blocks)
{
	struct tcb *c = r->caller;
	bool ended = false;

	if (!c)
		return UX_E_ILLEGAL_OPERATION;
	r->caller = NULL;
	c->reply = NULL;
	if (c->pending_fault) {
		unsigned len = ux_mi_len(info);
		ended = traced_call_ends(c, info);
		fault_reply(c, t, thread_ipcbuf(t), len);
	} else if (c->lx.active) {
		ended = lx_complete(t, c, info);
	} else {
		uint8_t fl = (c->send_flags & SEND_GRANT_REPLY) ? SEND_GRANT
								 : 0;
		transfer(t, c, 0, info, fl, NULL);
	}
	if (ended) { /* c goes back to its handler, not on */
		fault_raise(c, UX_FAULT_SYSCALL, c->ctx.rax, UX_SYSCALL_END);
		thread_set_result(t, UX_OK, 0);
		return UX_OK;
	}
	if (blocks && t == this_cpu()->cur)
		sched_wake_instead(c);
	else
		sched_wake(c);
	thread_set_result(t, UX_OK, 0);
	return UX_OK;
}

/* Is t's buffer [buf, buf+len) mapped for this access (vspace_check)?
 * A buffer found good is remembered in k, and stays good while t has
 * the same address space and no mapping anywhere went away or lost
 * rights (cpu->vs_gen): a server receiving into the same buffer every
 * time has it walked once. (A page that goes away later is still safe:
 * the copy walks the tables again and stops there.) */
static bool
buffer_ok(struct tcb *t, struct buf_ok *k, uint64_t buf, uint64_t len,
	  bool write, uint64_t *bad, uint64_t *code)
{
	struct cpu *c = this_cpu();

	if (ipc_buffer_known(c, t, k, buf, len))
		return true;
	if (!vspace_check(t, buf, len, write, bad, code))
		return false;
	/* vspace_check found t's address space, so this is its PML4 */
	*k = (struct buf_ok){.buf = buf, .len = len, .gen = c->vs_gen,
			     .pml4 = t->slot[TCB_SLOT_VSPACE].cap.obj};
	return true;
}

/* Check the caller's own long-message buffers (see the file comment). */
err_t
ipc_check_buffers(struct tcb *t, uint64_t info, bool send, bool recv)
{
	struct ux_ipc_buffer *b = thread_ipcbuf(t);
	uint64_t bad, code;

	if (ux_mi_len(info) > UX_MSG_MAX_MRS)
		return UX_E_RANGE;
	if (send && (info & UX_MI_LONG)) {
		if (!b)
			return UX_E_INVALID_ARGUMENT;
		if (b->send_len > UX_MSG_LONG_MAX)
			return UX_E_RANGE;
		if (!buffer_ok(t, &t->send_ok, b->send_buf, b->send_len, false,
			       &bad, &code))
			goto fault;
	}
	if (recv && b && b->recv_len) {
		if (b->recv_len > UX_MSG_LONG_MAX)
			return UX_E_RANGE;
		if (!buffer_ok(t, &t->recv_ok, b->recv_buf, b->recv_len, true,
			       &bad, &code))
			goto fault;
	}
	return UX_OK;
fault:
	if (bad >= UX_USER_TOP)
		return UX_E_FAULT;
	t->ctx.rip -= 2; /* re-issue the system call after the fault */
	fault_raise(t, UX_FAULT_PAGE, bad, code | UX_PF_SYSCALL);
	return ERR_FAULT_RAISED;
}

/* Take t out of whatever it waits on (it keeps its state field). */
void
ipc_cancel(struct tcb *t)
{
	switch (t->state) {
	case TS_BLOCKED_SEND:
	case TS_BLOCKED_RECV: {
		struct endpoint *ep = t->blocked_on;
		tq_remove(&ep->head, &ep->tail, t);
		if (!ep->head)
			ep->state = EP_IDLE;
		if (t->reply)
			t->reply->receiver = NULL;
		t->reply = NULL;
		break;
	}
	case TS_BLOCKED_REPLY:
		if (t->reply)
			t->reply->caller = NULL;
		t->reply = NULL;
		break;
	case TS_BLOCKED_NTFN: {
		struct notification *n = t->blocked_on;
		tq_remove(&n->head, &n->tail, t);
		break;
	}
	default:
		break;
	}
	t->blocked_on = NULL;
	if (t->pending_fault == UX_FAULT_SYSCALL &&
	    t->fault_w1 != UX_SYSCALL_END)
		t->ctx.rip -= 2; /* re-issue it if resumed */
	t->pending_fault = 0;
}

void
ep_destroy(struct endpoint *ep)
{
	while (ep->head) {
		struct tcb *w = ep->head;
		bool faulted = w->pending_fault != 0;
		ipc_cancel(w);
		if (lx_cancel(w))
			continue;
		if (faulted) {
			thread_report(w, "fault endpoint deleted");
			w->state = TS_INACTIVE;
		} else {
			thread_set_result(w, UX_E_CANCELLED, 0);
			sched_wake(w);
		}
	}
	ep->state = EP_IDLE;
}

void
reply_destroy(struct reply *r)
{
	if (r->caller)
		cancel_caller(r->caller);
	r->caller = NULL;
	if (r->receiver)
		r->receiver->reply = NULL;
	r->receiver = NULL;
}
