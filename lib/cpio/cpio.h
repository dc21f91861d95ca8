/*
 * cpio.h - reading "newc" cpio archives (the initial archive the process
 * server populates its root filesystem from).
 *
 * Pure and bounds-checked: a truncated or hostile archive gives an error,
 * never a read outside the buffer. Works in place: names and data point
 * into the archive.
 */
#ifndef CPIO_H
#define CPIO_H

#include <stddef.h>
#include <stdint.h>

struct cpio_entry {
	const char *name;   /* NUL-terminated, inside the archive */
	size_t namelen;     /* without the NUL */
	const void *data;
	size_t size;
	uint32_t mode;      /* file type and permission bits */
	uint32_t uid, gid;
	uint32_t mtime;
};

enum cpio_error {
	CPIO_OK = 0,
	CPIO_END,       /* the TRAILER!!! entry: no more entries */
	CPIO_E_SHORT,   /* truncated header, name or data */
	CPIO_E_MAGIC,   /* not a newc header ("070701"/"070702") */
	CPIO_E_FIELD,   /* a header field is not hexadecimal */
	CPIO_E_NAME,    /* name size 0 or name not NUL-terminated */
};

/* Read the entry at *off and advance *off past it. */
enum cpio_error cpio_next(const void *archive, size_t size, size_t *off,
			  struct cpio_entry *e);
const char *cpio_strerror(enum cpio_error e);

#endif
