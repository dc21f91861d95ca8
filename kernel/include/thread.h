/*
 * thread.h - threads: scheduling, IPC, notifications, faults.
 */
#ifndef THREAD_H
#define THREAD_H

#include <object.h>
#include <uxrt/ipcbuf.h>
#include <uxrt/syscall.h>
#include <uxrt/fault.h>
#include <arch/cpu.h>

/* sched.c */
void sched_enqueue(struct cpu *c, struct tcb *t, bool head);
void sched_dequeue(struct cpu *c, struct tcb *t);
void sched_wake(struct tcb *t);
void sched_wake_instead(struct tcb *t); /* the current thread blocks */
void sched_timer_tick(void);
noreturn void kernel_exit(void);
/* Make t inactive, out of any queue; true if it was in a system call
 * that is wound back to be made again when it resumes. */
bool thread_stop(struct tcb *t);
void thread_report(struct tcb *t, const char *why);

/* The highest priority with a ready thread, or -1. */
static inline int
sched_highest(struct cpu *c)
{
	if (!c->rq_l1)
		return -1;
	int w = 63 - __builtin_clzll(c->rq_l1);
	return w * 64 + 63 - __builtin_clzll(c->rq_bitmap[w]);
}

/* Results written into a thread's frame. */
static inline void
thread_set_result(struct tcb *t, err_t e, uint64_t info)
{
	t->ctx.rax = (uint64_t)e;
	t->ctx.rsi = info;
}

/* Message registers of a thread: 0..3 in its frame, the rest in its IPC
 * buffer (buf may be NULL: those words are then unavailable). */
static inline struct ux_ipc_buffer *
thread_ipcbuf(struct tcb *t)
{
	struct cap *c = &t->slot[TCB_SLOT_IPCBUF].cap;
	return c->type == UX_CAP_FRAME ? phys_to_virt(c->obj) : NULL;
}
uint64_t mr_get(struct tcb *t, struct ux_ipc_buffer *buf, unsigned i);
void mr_set(struct tcb *t, struct ux_ipc_buffer *buf, unsigned i,
	    uint64_t v);

/* ipc.c */
err_t ipc_send(struct tcb *t, struct cap *ep, uint64_t info, bool blocking,
	       bool call);
err_t ipc_recv(struct tcb *t, struct cap *ep, struct reply *reply,
	       bool blocking);
/* blocks: t (current) waits next (ipc_recv_blocks), so the caller may
 * run in its place at once. */
err_t ipc_reply(struct tcb *t, struct reply *r, uint64_t info, bool blocks);
bool ipc_recv_blocks(struct tcb *t, const struct cap *ep);
err_t ipc_check_buffers(struct tcb *t, uint64_t info, bool send, bool recv);

/* Was t's buffer [buf, buf+len) found mapped (in k) with t's present
 * address space, and has no mapping anywhere gone away or lost rights
 * since (cpu->vs_gen)? Then it needs no new check. */
static inline bool
ipc_buffer_known(struct cpu *c, struct tcb *t, const struct buf_ok *k,
		 uint64_t buf, uint64_t len)
{
	const struct cap *vs = &t->slot[TCB_SLOT_VSPACE].cap;
	return k->buf == buf && k->len == len && k->gen == c->vs_gen &&
	       vs->type == UX_CAP_PML4 && k->pml4 == vs->obj;
}
void ipc_cancel(struct tcb *t);

uint64_t copy_long(struct tcb *s, struct ux_ipc_buffer *sb, struct tcb *r,
		   struct ux_ipc_buffer *rb);

/* The message of s's Linux file call (lxfile.c, s->lx) into r: its two
 * words (registers) and, with UX_MI_LONG in info, the bytes of a write;
 * the message info r receives. (Inline: the fastpath's too.) */
static inline uint64_t
lx_message(struct tcb *s, struct tcb *r, struct ux_ipc_buffer *rb,
	   uint64_t info)
{
	r->ctx.CTX_MR0 = s->lx.mr0;
	r->ctx.CTX_MR1 = s->lx.mr1;
	if (!(info & UX_MI_LONG))
		return ux_msginfo(ux_mi_label(info), 2, 0, 0);
	copy_long(s, NULL, r, rb);
	return ux_msginfo(ux_mi_label(info), 2, 0, UX_MI_LONG);
}

/* lxfile.c: Linux read/write/pread64/pwrite64/lseek as file requests. */
bool lx_file_call(struct tcb *t, uint64_t nr);
#define LX_FILE_NR_MAX 20 /* writev: no file call has a higher number */
#define LX_READ 0
#define LX_WRITE 1

/* One piece of Linux call nr: n bytes into (in) or out of buf, the
 * message words mr0 (offset) and mr1 (count). */
static inline struct lx_call
lx_piece(uint64_t nr, bool in, uint64_t buf, uint64_t n, uint64_t mr0,
	 uint64_t mr1)
{
	return (struct lx_call){.active = 1, .nr = (uint8_t)nr, .mr0 = mr0,
				.mr1 = mr1, .send_buf = in ? 0 : buf,
				.send_len = in ? 0 : n,
				.recv_buf = in ? buf : 0,
				.recv_len = in ? n : 0};
}
bool lx_complete(struct tcb *replier, struct tcb *c, uint64_t info);
bool lx_cancel(struct tcb *t);
bool lx_stop(struct tcb *t);

/* notification.c */
void ntfn_signal(struct notification *n, uint64_t badge);
err_t ntfn_wait(struct tcb *t, struct notification *n, bool blocking);
bool ntfn_take_bound(struct tcb *t);
void ntfn_unbind(struct notification *n);

/* fault.c */
void fault_raise(struct tcb *t, unsigned type, uint64_t w0, uint64_t w1);
unsigned fault_message(struct tcb *t, struct tcb *to,
		       struct ux_ipc_buffer *tobuf);
void fault_reply(struct tcb *t, struct tcb *from,
		 struct ux_ipc_buffer *frombuf, unsigned len);

/* fastpath.c, for the current thread (syscall_entry calls them): when
 * the fastpath does not apply they go on to the slow path (syscall_slow,
 * syscall.c). */
noreturn void fastpath_call(uint64_t cptr, uint64_t info);
noreturn void fastpath_reply_recv(uint64_t cptr, uint64_t info);
noreturn void fastpath_foreign(uint64_t nr);
noreturn void syscall_c(uint64_t cptr, uint64_t info, int64_t sysno);
noreturn void syscall_foreign(uint64_t nr); /* a number >= 0 */
noreturn void syscall_slow(struct tcb *t, uint64_t cptr, uint64_t info,
			   int64_t sysno);

/* tcb.c */
void tcb_init(struct tcb *t);
/* Has t a CSpace and an address space to run with? */
static inline bool
tcb_runnable_config(struct tcb *t)
{
	return t->slot[TCB_SLOT_CSPACE].cap.type == UX_CAP_CNODE &&
	       t->slot[TCB_SLOT_VSPACE].cap.type == UX_CAP_PML4;
}

/* Internal outcomes beyond enum ux_error (never seen by user space). */
#define ERR_BLOCKED ((err_t)100)      /* thread blocked; result comes later */
#define ERR_FAULT_RAISED ((err_t)101) /* thread now waits on a page fault */

#define SEND_GRANT_REPLY 4

/* Thread queues (endpoint and notification waiters). */
static inline void
tq_append(struct tcb **head, struct tcb **tail, struct tcb *t)
{
	t->q_next = NULL;
	t->q_prev = *tail;
	if (*tail)
		(*tail)->q_next = t;
	else
		*head = t;
	*tail = t;
}
void tq_remove(struct tcb **head, struct tcb **tail, struct tcb *t);

/* vspace (arch): copy between address spaces; bytes copied. */
uint64_t vspace_copy(struct tcb *dst, uint64_t dva, struct tcb *src,
		     uint64_t sva, uint64_t n);
/* Copy n bytes of t's memory at va to dst; false if not all mapped. */
bool vspace_read(struct tcb *t, uint64_t va, void *dst, uint64_t n);
/* Is [va, va+len) mapped for a user access? *bad = first failing page. */
bool vspace_check(struct tcb *t, uint64_t va, uint64_t len, bool write,
		  uint64_t *bad, uint64_t *errcode);

#endif
