/*
 * ipcbuf.h - the per-thread IPC buffer.
 *
 * One 4 KiB frame per thread, named to the kernel by TCB Configure. It holds
 * message registers beyond the ones in CPU registers, capability addresses
 * for transfer, and the descriptors of long messages. The kernel reads and
 * writes it through its own mapping of physical memory.
 */
#ifndef UXRT_IPCBUF_H
#define UXRT_IPCBUF_H

#include <stdint.h>
#include <uxrt/msginfo.h>

struct ux_ipc_buffer {
	uint64_t mr[UX_MSG_MAX_MRS]; /* mr[0..3] travel in registers */
	uint64_t caps[UX_MSG_MAX_CAPS]; /* send: cap addresses; recv: badges */
	uint64_t recv_cnode;  /* receive slot: CNode address (depth 64) */
	uint64_t recv_index;  /* ... index within it */
	uint64_t recv_depth;  /* ... depth of that index (0 = none) */
	uint64_t send_buf;    /* long message to send: user address */
	uint64_t send_len;    /* ... length in bytes */
	uint64_t recv_buf;    /* buffer for a long message received */
	uint64_t recv_len;    /* ... its size in bytes */
	uint64_t long_xfer;   /* out: bytes of the last long message moved */
	uint64_t long_total;  /* out (receiver): the sender's full length */
	uint64_t user[4];     /* free for the user library */
};

_Static_assert(sizeof(struct ux_ipc_buffer) <= 4096, "IPC buffer > page");

#endif
