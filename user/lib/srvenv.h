/*
 * srvenv.h - the initial environment of a native server started by the
 * process server: its CSpace (one CNode of 2^SRV_RADIX slots, addresses
 * are slot numbers) and address-space layout (as the root server's: image
 * at its link address, IPC buffer at UX_BI_IPCBUF with fs base pointing at
 * it, stack below UX_BI_STACK_TOP).
 */
#ifndef UXRT_SRVENV_H
#define UXRT_SRVENV_H

#define SRV_RADIX 6

enum srv_slot {
	SRV_NULL = 0,
	SRV_ENDPOINT = 1,  /* the endpoint it serves (receive right) */
	SRV_REPLY = 2,     /* SRV_REPLY .. + SRV_NREPLY-1: reply objects */
	SRV_NTFN = 10,     /* a notification (interrupts; the process
			      server's SRV_NTFN_CLOSED) */
	SRV_TCB = 11,      /* its own TCB (to bind the notification) */
	SRV_DEV0 = 12,     /* device capabilities, per server (see below) */
	SRV_DEV1 = 13,
	SRV_PS_NTFN = 14,  /* the process server's notification (signal
			      only): a terminal's ^C, ^Z, ^\ (uxrt/file.h) */
	SRV_PS_READY = 16, /* the same, another badge: a file became
			      ready (UX_FILE_POLL, uxrt/file.h) */
	SRV_PS_EP = 15,    /* the process server's endpoint, for requests
			      (uxrt/ps.h) */
	SRV_FIRST_FREE = 17
};
#define SRV_NREPLY 8

/* The server's open table (uxrt/ps.h), mapped read only: who opened
 * each of its open files. */
#define SRV_OPENS_VA 0x10002000ull
/* The bit the process server signals on SRV_NTFN when an open file of
 * the server's ports is closed (its open-table entry went). */
#define SRV_NTFN_CLOSED (1ull << 62)

/* The console server: SRV_DEV0 = I/O ports 0x3F8-0x3FF, SRV_DEV1 = the
 * IRQ 4 handler. */

#include <stdint.h>

/* Publish the endpoint we serve as /ports/NAME, its clients' badges
 * carrying tag (1..UX_PS_TAG_MAX) in their high bits (publish.c,
 * uxrt/ps.h): 0, -errno, or a kernel error. */
long srv_publish(const char *name, uint64_t tag);
long srv_unpublish(const char *name);

struct srv;
struct srv_ops;
/* Serve our endpoint with ops (srvloop.h: srv_init with the slots
 * above, srv_opens with our open table, srv_run); returns never: a
 * receive the kernel refuses is printed under name, then we idle. */
_Noreturn void srv_main(struct srv *s, const struct srv_ops *ops,
			const char *name);
_Noreturn void srv_idle(void); /* wait on SRV_NTFN for ever */

#endif
