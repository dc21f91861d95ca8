/*
 * error.h - the kernel's one error type.
 *
 * Every system call and invocation answers one of these in rax (0 = success).
 * Shared by the kernel and user space; the only definition.
 */
#ifndef UXRT_ERROR_H
#define UXRT_ERROR_H

enum ux_error {
	UX_OK = 0,
	UX_E_INVALID_ARGUMENT = 1,   /* an argument is out of its domain */
	UX_E_INVALID_CAPABILITY = 2, /* a capability is empty or the wrong type */
	UX_E_ILLEGAL_OPERATION = 3,  /* the object cannot do that (now) */
	UX_E_RANGE = 4,              /* a number is outside the allowed range */
	UX_E_ALIGNMENT = 5,          /* an address or size is misaligned */
	UX_E_FAILED_LOOKUP = 6,      /* a capability address does not resolve */
	UX_E_TRUNCATED_MESSAGE = 7,  /* too few message words for the call */
	UX_E_DELETE_FIRST = 8,       /* the destination slot is not empty */
	UX_E_REVOKE_FIRST = 9,       /* the object still has derived objects */
	UX_E_NOT_ENOUGH_MEMORY = 10, /* untyped (or table) space exhausted */
	UX_E_CANCELLED = 11,         /* the object was deleted while waiting */
	UX_E_FAULT = 12,             /* a user buffer is not mapped as needed */
	UX_E_WOULD_BLOCK = 13,       /* non-blocking operation found no partner */
	UX_E_NO_RIGHTS = 14,         /* the capability lacks a needed right */
	UX_E_COUNT
};

#endif
