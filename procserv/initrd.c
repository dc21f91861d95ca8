/*
 * initrd.c - the initial archive (boot module 1, newc cpio), read in place.
 * For now programs are loaded from it directly; the tmpfs root filesystem
 * populated from it comes next.
 */
#include "procserv.h"
#include "cpio/cpio.h"

static const void *archive;
static size_t archive_size;

void
initrd_init(const struct ux_bootinfo *bi)
{
	for (uint64_t i = 0; i < bi->module_count; i++) {
		archive = (const void *)bi->modules[i].vaddr;
		archive_size = bi->modules[i].size;
		return;
	}
}

const void *
initrd_find(const char *path, size_t *size)
{
	struct cpio_entry e;
	size_t off = 0;

	while (*path == '/')
		path++;
	while (archive && cpio_next(archive, archive_size, &off, &e) == CPIO_OK) {
		const char *n = e.name;
		if (n[0] == '.' && n[1] == '/')
			n += 2;
		if (!strcmp(n, path) && (e.mode & 0170000) == 0100000) {
			*size = e.size;
			return e.data;
		}
	}
	return NULL;
}
