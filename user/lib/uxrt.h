/*
 * uxrt.h - the native UX/RT user library: system calls, invocations on
 * kernel objects, and debug output. For the root server and native
 * programs that do not use a libc.
 *
 * Each thread's fs base points at its IPC buffer, whose user[0] word holds
 * that same address (the kernel sets this up for the root server's thread;
 * ux_thread_* in a program's own code do it for new threads).
 */
#ifndef UXRT_H
#define UXRT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uxrt/bootinfo.h>
#include <uxrt/error.h>
#include <uxrt/fault.h>
#include <uxrt/file.h>
#include <uxrt/invocation.h>
#include <uxrt/ipcbuf.h>
#include <uxrt/msginfo.h>
#include <uxrt/object.h>
#include <uxrt/syscall.h>
#include "string/string.h"

struct ux_msg {
	uint64_t info;  /* in: what to send; out: what arrived */
	uint64_t badge; /* out */
	uint64_t mr[UX_REG_MRS];
};

/* The time-stamp counter (under -icount shift=0: guest instructions). */
static inline uint64_t
ux_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline struct ux_ipc_buffer *
ux_ipcbuf(void)
{
	struct ux_ipc_buffer *b;
	__asm__("mov %%fs:%c1, %0"
		: "=r"(b)
		: "i"(offsetof(struct ux_ipc_buffer, user)));
	return b;
}

/* The raw system call: returns the error (rax). */
static inline long
ux_sys(long no, uint64_t cptr, uint64_t reply, struct ux_msg *m)
{
	register uint64_t r8 __asm__("r8") = m->mr[1];
	register uint64_t r9 __asm__("r9") = m->mr[2];
	register uint64_t r10 __asm__("r10") = m->mr[3];
	register uint64_t r12 __asm__("r12") = reply;
	uint64_t rax = (uint64_t)no, rdi = cptr, rsi = m->info, rdx = m->mr[0];
	__asm__ volatile("syscall"
			 : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx),
			   "+r"(r8), "+r"(r9), "+r"(r10)
			 : "r"(r12)
			 : "rcx", "r11", "memory");
	m->badge = rdi;
	m->info = rsi;
	m->mr[0] = rdx;
	m->mr[1] = r8;
	m->mr[2] = r9;
	m->mr[3] = r10;
	return (long)rax;
}

static inline long ux_call(uint64_t ep, struct ux_msg *m)
{ return ux_sys(UX_SYS_CALL, ep, 0, m); }
static inline long ux_send(uint64_t ep, struct ux_msg *m)
{ return ux_sys(UX_SYS_SEND, ep, 0, m); }
static inline long ux_nbsend(uint64_t ep, struct ux_msg *m)
{ return ux_sys(UX_SYS_NB_SEND, ep, 0, m); }
static inline long ux_recv(uint64_t ep, uint64_t reply, struct ux_msg *m)
{ return ux_sys(UX_SYS_RECV, ep, reply, m); }
static inline long ux_nbrecv(uint64_t ep, uint64_t reply, struct ux_msg *m)
{ return ux_sys(UX_SYS_NB_RECV, ep, reply, m); }
static inline long ux_reply(uint64_t reply, struct ux_msg *m)
{ return ux_sys(UX_SYS_REPLY, 0, reply, m); }
static inline long ux_reply_recv(uint64_t ep, uint64_t reply, struct ux_msg *m)
{ return ux_sys(UX_SYS_REPLY_RECV, ep, reply, m); }

long ux_yield(void);
long ux_signal(uint64_t ntfn);
long ux_wait(uint64_t ntfn, uint64_t *badge);
long ux_poll(uint64_t ntfn, uint64_t *badge);
void ux_debug_write(const char *s, size_t n);
_Noreturn void ux_exit(int code);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Invocations. A capability address is a slot index in the root CNode for
 * programs whose CSpace is one CNode with a guard (as the root server's). */
long ux_invoke(uint64_t cap, uint64_t label, unsigned nmr, const uint64_t *mr,
	       unsigned ncaps, const uint64_t *caps, uint64_t *out,
	       unsigned nout);

long ux_untyped_retype(uint64_t ut, unsigned type, unsigned bits,
		       uint64_t root, uint64_t index, unsigned depth,
		       uint64_t offset, uint64_t count);
long ux_cnode_copy(uint64_t root, uint64_t di, unsigned dd, uint64_t sroot,
		   uint64_t si, unsigned sd, unsigned rights);
long ux_cnode_mint(uint64_t root, uint64_t di, unsigned dd, uint64_t sroot,
		   uint64_t si, unsigned sd, unsigned rights, uint64_t badge);
long ux_cnode_move(uint64_t root, uint64_t di, unsigned dd, uint64_t sroot,
		   uint64_t si, unsigned sd);
long ux_cnode_mutate(uint64_t root, uint64_t di, unsigned dd, uint64_t sroot,
		     uint64_t si, unsigned sd, uint64_t badge);
long ux_cnode_delete(uint64_t root, uint64_t index, unsigned depth);
long ux_cnode_revoke(uint64_t root, uint64_t index, unsigned depth);

long ux_tcb_configure(uint64_t tcb, uint64_t fault_ep, uint64_t cspace,
		      uint64_t guard, uint64_t vspace, uint64_t ipcbuf_va,
		      uint64_t ipcbuf_frame);
long ux_tcb_set_priority(uint64_t tcb, uint64_t auth, unsigned prio);
long ux_tcb_set_mcp(uint64_t tcb, uint64_t auth, unsigned mcp);
long ux_tcb_read_regs(uint64_t tcb, uint64_t regs[UX_REG_COUNT]);
/* The fxsave image of tcb's FPU/SSE state (512 bytes). */
long ux_tcb_read_fpu(uint64_t tcb, uint64_t fx[64]);
long ux_tcb_write_fpu(uint64_t tcb, const uint64_t fx[64]);
long ux_tcb_write_regs(uint64_t tcb, int resume, unsigned n,
		       const uint64_t *regs);
long ux_tcb_resume(uint64_t tcb);
/* again: set if the thread was in a foreign system call, wound back to be
 * made again when it resumes (may be NULL). */
long ux_tcb_suspend(uint64_t tcb, bool *again);
long ux_tcb_bind(uint64_t tcb, uint64_t ntfn);
long ux_tcb_unbind(uint64_t tcb);
long ux_tcb_set_flags(uint64_t tcb, uint64_t flags);

long ux_frame_map(uint64_t frame, uint64_t pml4, uint64_t va,
		  unsigned rights, unsigned attr);
long ux_frame_unmap(uint64_t frame);
long ux_frame_address(uint64_t frame, uint64_t out[2]); /* pa, va */
long ux_table_map(uint64_t table, uint64_t pml4, uint64_t va);
long ux_table_unmap(uint64_t table);

long ux_irq_get(uint64_t ctl, unsigned irq, unsigned flags, uint64_t root,
		uint64_t index, unsigned depth);
long ux_irq_set_ntfn(uint64_t handler, uint64_t ntfn);
long ux_irq_ack(uint64_t handler);
long ux_irq_clear(uint64_t handler);

long ux_ioport_issue(uint64_t ctl, unsigned first, unsigned last,
		     uint64_t root, uint64_t index, unsigned depth);
long ux_ioport_in(uint64_t port_cap, unsigned width, unsigned port,
		  uint64_t *value);
long ux_ioport_out(uint64_t port_cap, unsigned width, unsigned port,
		   uint64_t value);

const char *ux_strerror(long e);

#endif
