/*
 * object.h - capability types, object types and sizes, rights.
 *
 * Kernel objects are made by retyping untyped memory (Untyped Retype with
 * one of the retypeable types below). The other capability types exist only
 * from boot (IRQ control, I/O port control) or are issued by them.
 */
#ifndef UXRT_OBJECT_H
#define UXRT_OBJECT_H

enum ux_cap_type {
	UX_CAP_NULL = 0,
	/* retypeable */
	UX_CAP_UNTYPED = 1,
	UX_CAP_CNODE = 2,
	UX_CAP_TCB = 3,
	UX_CAP_ENDPOINT = 4,
	UX_CAP_NOTIFICATION = 5,
	UX_CAP_REPLY = 6,
	UX_CAP_FRAME = 7,      /* 4 KiB */
	UX_CAP_FRAME_2M = 8,   /* 2 MiB */
	UX_CAP_PAGE_TABLE = 9, /* maps 2 MiB of 4 KiB pages */
	UX_CAP_PAGE_DIR = 10,  /* maps 1 GiB */
	UX_CAP_PDPT = 11,      /* maps 512 GiB */
	UX_CAP_PML4 = 12,      /* an address space (VSpace root) */
	/* not retypeable */
	UX_CAP_IRQ_CONTROL = 13,
	UX_CAP_IRQ_HANDLER = 14,
	UX_CAP_IOPORT_CONTROL = 15,
	UX_CAP_IOPORT = 16,
	UX_CAP_TYPE_COUNT
};

/* log2 of object sizes in bytes (CNode: slot size; size = slot << radix). */
#define UX_SLOT_BITS 6
#define UX_TCB_BITS 11
#define UX_ENDPOINT_BITS 5
#define UX_NOTIFICATION_BITS 6
#define UX_REPLY_BITS 5
#define UX_PAGE_BITS 12
#define UX_LARGE_PAGE_BITS 21
#define UX_TABLE_BITS 12
#define UX_UNTYPED_MIN_BITS 4
#define UX_UNTYPED_MAX_BITS 47
#define UX_CNODE_MAX_RADIX 20

/* Capability rights. */
#define UX_R_READ 1         /* endpoint: receive; frame: map readable */
#define UX_R_WRITE 2        /* endpoint: send; frame: map writable */
#define UX_R_GRANT 4        /* endpoint: send capabilities */
#define UX_R_GRANT_REPLY 8  /* endpoint: a reply to a Call through this
			       capability may carry capabilities */
#define UX_R_EXEC 16        /* frame: map executable */
#define UX_R_ALL 31

/* Frame Map attributes. */
#define UX_MAP_CACHED 0
#define UX_MAP_UNCACHED 1  /* (write-combining is not supported yet) */

/* Top of user space (exclusive): the canonical lower half. */
#define UX_USER_TOP 0x0000800000000000ull

#endif
