/*
 * ps.h - what a native server may ask the process server, through the
 * capability in its slot SRV_PS_EP (user/lib/srvenv.h; the badge tells
 * the process server who asks), and the open table through which the
 * process server tells it who opened its files.
 *
 * UX_PS_PUBLISH puts the server's endpoint (the one it serves, given at
 * its start) under /ports as a port named by the request's long message
 * (1 to UX_PS_NAME_MAX bytes, no '/', not "." or ".."); MR0 is the port's
 * tag (1..UX_PS_TAG_MAX), the high bits of the badge of every capability
 * opening the port gives a client (below). Publishing is creating
 * /ports/NAME: the server's permission list must allow `c` there
 * (docs/security.md). Reply: MR0 = 0 or -errno (Linux's: EINVAL for a
 * bad name or tag, ENAMETOOLONG, EACCES, EEXIST, ENOSPC, EPERM for a
 * process that serves no endpoint). UX_PS_UNPUBLISH takes the name away
 * again (ENOENT if it is not the caller's). A server's ports go when it
 * ends.
 *
 * The process server is one thread and may itself be calling the server
 * (a terminal's ioctl): a server makes these requests only before it
 * serves anything. A server the process server starts at boot publishes
 * once, first; the boot waits for that (or for the server's end).
 *
 * Per-open badges. Every open(2) of a port is an open file of its own:
 * the process server mints, for that open, a capability to the server's
 * endpoint with a badge of its own,
 *
 *     bits 63..48  the port's tag (the server's choice at publish)
 *     bits 47..7   a serial number, counted per server from 1: never
 *                  used twice while the server lives
 *     bits  6..0   the open's entry in the server's open table
 *
 * and puts it in the opener's descriptor slot. fork and dup share the
 * open file (the same capability, the same badge), as on Unix. A client
 * holds only its own capabilities: it can neither choose nor learn
 * another's badge. The server learns who opened a badge from its open
 * table: a page the process server writes and the server may only read,
 * mapped at SRV_OPENS_VA. Entry UX_PS_BADGE_SLOT(b) describes badge b
 * while its badge field equals b. When the last descriptor of the open
 * file goes (close, exit, exec of a close-on-exec descriptor), the
 * process server sets the entry's badge to 0 and signals the server's
 * notification (SRV_NTFN) with the bit SRV_NTFN_CLOSED: the server then
 * finds the badges it knew that its table no longer shows (the server
 * library does this and calls the server's close operation).
 *
 * Why a table and a notification rather than messages: the process
 * server must never wait for a server (a server that does not receive
 * would stop every process), so it cannot send UX_FILE_CLOSE with a
 * Call or a blocking Send, and a non-blocking Send is lost when the
 * server is busy. And a server must not call the process server while
 * serving (the process server may be calling it: a deadlock), so it
 * cannot ask "who is badge B?" by a message either. A memory read needs
 * neither side to wait; the notification is one word the kernel keeps
 * until the server receives, so no close is lost, and since serial
 * numbers are never reused a late or merged notice cannot be mistaken
 * for another open's. An entry is written badge last on open (and only
 * while its badge is 0), so a reader that reads the badge, the fields,
 * then the badge again and finds it unchanged has a consistent entry.
 */
#ifndef UXRT_PS_H
#define UXRT_PS_H

#include <stdint.h>

enum ux_ps_op {
	UX_PS_PUBLISH = 32,
	UX_PS_UNPUBLISH = 33,
};

#define UX_PS_NAME_MAX 31
#define UX_PS_TAG_MAX 0xFFFFu

/* One open file of a server's port, as its open table shows it. */
struct ux_ps_open {
	uint64_t badge; /* its badge; 0: the entry is free */
	int32_t pid;    /* the process that opened it (it may have ended
			   since; fork's children share the open file) */
	uint32_t uid, gid; /* that process's IDs at the open */
	uint32_t flags; /* open flags, Linux's values: the access mode
			   (O_RDONLY 0, O_WRONLY 1, O_RDWR 2), O_APPEND
			   (02000) and O_NONBLOCK (04000); F_SETFL
			   changes the last two in place */
	uint64_t spare;
};

#define UX_PS_OPENS_MAX 128 /* entries: one page */
#define UX_PS_BADGE_TAG(b) ((unsigned)((b) >> 48))
#define UX_PS_BADGE_SLOT(b) ((unsigned)((b) & (UX_PS_OPENS_MAX - 1)))
#define UX_PS_BADGE_SERIAL(b) (((b) >> 7) & ((1ull << 41) - 1))
#define UX_PS_BADGE(tag, serial, slot)                                        \
	((uint64_t)(tag) << 48 | ((uint64_t)(serial) << 7) | (uint64_t)(slot))
/* Whether b is a per-open badge: a tag and a serial number (a server's
 * other badges, e.g. 0 for the process server's own capability, have
 * no tag). */
#define UX_PS_IS_OPEN_BADGE(b)                                                \
	(UX_PS_BADGE_TAG(b) != 0 && UX_PS_BADGE_SERIAL(b) != 0)

#endif
