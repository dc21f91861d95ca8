/*
 * initrd.c - the initial archive (boot module 1, newc cpio), read in place
 * to populate the root filesystem (tmpfs.c), whose read-only file data
 * stays in it.
 */
#include "procserv.h"
#include "cpio/cpio.h"

static const void *archive;
static size_t archive_size;

void
initrd_init(const struct ux_bootinfo *bi)
{
	if (bi->module_count) {
		archive = (const void *)bi->modules[0].vaddr;
		archive_size = bi->modules[0].size;
	}
}

/* The archive's entries one by one (*pos starts at 0). */
bool
initrd_each(uint64_t *pos, struct cpio_entry *e)
{
	size_t off = *pos;
	if (!archive || cpio_next(archive, archive_size, &off, e) != CPIO_OK)
		return false;
	*pos = off;
	return true;
}
