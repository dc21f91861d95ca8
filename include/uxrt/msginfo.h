/*
 * msginfo.h - the message-info word that describes every message.
 *
 * bits 0..6   length: number of message registers (0..UX_MSG_MAX_MRS)
 * bits 7..8   extra capabilities sent (0..3) / received
 * bits 9..11  received: which extra capabilities were unwrapped to badges
 * bit  12     a long message accompanies this one (see ipcbuf.h)
 * bits 16..63 label: free for the sender (invocation number, fault type)
 */
#ifndef UXRT_MSGINFO_H
#define UXRT_MSGINFO_H

#include <stdint.h>

#define UX_MSG_MAX_MRS 64
#define UX_MSG_MAX_CAPS 3
#define UX_MSG_LONG_MAX (64u * 1024u) /* largest long message, bytes */

#define UX_MI_LONG (1u << 12)

static inline uint64_t
ux_msginfo(uint64_t label, unsigned len, unsigned caps, unsigned flags)
{
	return label << 16 | (uint64_t)flags | (uint64_t)(caps & 3) << 7 |
	       (len & 0x7f);
}

static inline unsigned ux_mi_len(uint64_t mi) { return mi & 0x7f; }
static inline unsigned ux_mi_caps(uint64_t mi) { return (mi >> 7) & 3; }
static inline unsigned ux_mi_unwrapped(uint64_t mi) { return (mi >> 9) & 7; }
static inline uint64_t ux_mi_label(uint64_t mi) { return mi >> 16; }

#endif
