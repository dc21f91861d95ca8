/*
 * object.h - capabilities, slots and the kernel objects they name.
 *
 * A capability (struct cap, 32 bytes) sits in a slot (struct cte, 64 bytes)
 * of a CNode or a TCB. Slots are linked into the capability derivation tree,
 * kept as one list in preorder with a depth per entry: the descendants of an
 * entry are the entries after it with a greater depth, up to the first one
 * whose depth is not greater. Copying or retyping inserts a child right after
 * its parent; deleting an entry leaves its descendants as descendants of its
 * parent. All capabilities to one object therefore stand together in the
 * list, so "is this the last capability?" looks only at the two neighbours.
 */
#ifndef OBJECT_H
#define OBJECT_H

#include <kernel.h>
#include <arch/context.h>
#include <uxrt/object.h>

/* cap.flags */
#define CAPF_DEVICE 1 /* untyped/frame: device memory (not zeroed) */
#define CAPF_MAPPED 2 /* frame/table: mapped at (asid, vaddr) */

struct cap {
	uint8_t type;      /* enum ux_cap_type */
	uint8_t rights;    /* UX_R_* */
	uint8_t size_bits; /* untyped, frame; CNode: radix */
	uint8_t flags;
	uint16_t asid;     /* frame/table: where mapped; PML4: its own */
	uint16_t aux;      /* CNode: guard bits; I/O port: first port */
	uint64_t obj;      /* kernel pointer; untyped/frame: physical addr */
	uint64_t w1;       /* badge / guard / free index / vaddr / irq / last */
	uint64_t w2;
};
_Static_assert(sizeof(struct cap) == 32, "cap size");

struct cte {
	struct cap cap;
	struct cte *prev, *next; /* derivation list */
	uint32_t depth;
	uint32_t flags;
	uint64_t pad;
};
_Static_assert(sizeof(struct cte) == 1u << UX_SLOT_BITS, "slot size");

static inline bool cap_is_null(const struct cap *c) { return c->type == 0; }

/* Thread states. */
enum thread_state {
	TS_INACTIVE = 0,
	TS_RUNNING,          /* running or ready to run */
	TS_BLOCKED_SEND,     /* queued on an endpoint to send (or fault) */
	TS_BLOCKED_RECV,     /* queued on an endpoint to receive */
	TS_BLOCKED_REPLY,    /* sent a Call, waits for the reply */
	TS_BLOCKED_NTFN,     /* waits on a notification */
};

enum tcb_slot {
	TCB_SLOT_CSPACE,
	TCB_SLOT_VSPACE,
	TCB_SLOT_IPCBUF,
	TCB_SLOT_FAULT,
	TCB_SLOT_COUNT
};

struct endpoint;
struct notification;
struct reply;

struct tcb {
	struct arch_context ctx; /* first: rsp0 points into it */
	struct cte slot[TCB_SLOT_COUNT];
	uint8_t state;
	uint8_t prio, mcp;
	uint8_t pending_fault;   /* enum ux_fault, or 0 */
	uint8_t flags;           /* UX_TCB_F_* */
	uint8_t lx_carry;        /* LINUX_TRACE: the handler sent this file
				    call back to be carried (lxfile.c);
				    until it ends, is declined or stopped */
	uint32_t timeslice;
	uint64_t fault_w0, fault_w1;
	struct tcb *sched_next, *sched_prev;
	struct tcb *q_next, *q_prev; /* endpoint or notification queue */
	void *blocked_on;            /* endpoint/notification waited on */
	struct reply *reply;         /* receiver: its reply object;
					caller: the one it waits on */
	uint64_t send_badge;         /* blocked sender: badge of its cap */
	uint64_t send_info;          /* blocked sender: message info */
	uint8_t send_flags;          /* SEND_CALL | SEND_GRANT */
	struct notification *bound;  /* bound notification */
	uint64_t ipcbuf_vaddr;
	struct lx_call {         /* a Linux file call in progress (active) */
		uint8_t active;
		uint8_t to_handler; /* re-issued: send it to the handler */
		uint8_t nr;      /* the Linux call */
		uint8_t gather;  /* a writev in one piece: send_buf is the
				    iovec array, niov long (ipc.c) */
		uint16_t niov;
		uint64_t mr0, mr1;
		uint64_t send_buf, send_len, recv_buf, recv_len;
	} lx;
	struct lx_cont {         /* a file call longer than one long message,
				    or a readv/writev (one piece an iovec) */
		uint8_t on;
		uint64_t done;       /* bytes moved by the earlier pieces */
		uint64_t rsi, rdx, r10; /* the registers as the caller set them */
		uint64_t total;      /* readv/writev: bytes asked for */
		uint64_t voff;       /* readv/writev: bytes done of iovec vidx */
		uint32_t vidx;
	} lxc;
	struct buf_ok {          /* a long-message buffer last found mapped
				    (ipc.c), with what that depended on */
		uint64_t buf, len, pml4, gen;
	} send_ok, recv_ok;
	struct xlate_cache {     /* the last pages of its memory the kernel
				    translated for a read, for a write
				    (vspace.c), with what that depended on */
		uint64_t page, pa, pml4, gen;
	} xc[2];
	uint64_t id;                 /* for reports */
	uint8_t fpu[512] __attribute__((aligned(64))); /* fxsave area */
};
_Static_assert(sizeof(struct tcb) <= (1u << UX_TCB_BITS), "tcb size");

#define SEND_CALL 1
#define SEND_GRANT 2

enum ep_state { EP_IDLE, EP_SEND, EP_RECV };

struct endpoint {
	struct tcb *head, *tail;
	uint64_t state;
};

struct notification {
	uint64_t word;
	uint64_t active;
	struct tcb *head, *tail;
	struct tcb *bound;
};
_Static_assert(sizeof(struct notification) <= (1u << UX_NOTIFICATION_BITS),
	       "ntfn");

struct reply {
	struct tcb *caller;   /* who waits for this reply, or NULL */
	struct tcb *receiver; /* who waits in Recv holding this object */
};

/* Object sizes. */
unsigned obj_size_bits(unsigned type, unsigned user_bits);

#endif
