/*
 * ps.h - what a native server may ask the process server, through the
 * capability in its slot SRV_PS_EP (user/lib/srvenv.h; the badge tells
 * the process server who asks).
 *
 * UX_PS_PUBLISH puts the server's endpoint (the one it serves, given at
 * its start) under /ports as a port named by the request's long message
 * (1 to UX_PS_NAME_MAX bytes, no '/', not "." or ".."); MR0 is the badge
 * (non-zero) of the capabilities opening the port gives clients. Reply:
 * MR0 = 0 or -errno (Linux's: EINVAL, ENAMETOOLONG, EEXIST, ENOSPC, EPERM
 * for a process that serves no endpoint). UX_PS_UNPUBLISH takes the
 * name away again (ENOENT if it is not the caller's). A server's ports
 * go when it ends.
 *
 * The process server is one thread and may itself be calling the server
 * (a terminal's ioctl): a server makes these requests only before it
 * serves anything. A server the process server starts at boot publishes
 * once, first; the boot waits for that (or for the server's end).
 */
#ifndef UXRT_PS_H
#define UXRT_PS_H

enum ux_ps_op {
	UX_PS_PUBLISH = 32,
	UX_PS_UNPUBLISH = 33,
};

#define UX_PS_NAME_MAX 31

#endif
