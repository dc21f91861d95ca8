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

/* The archive entry named path (no leading slash), or false. */
static bool
lookup(const char *path, struct cpio_entry *out)
{
	size_t off = 0;
	while (archive && cpio_next(archive, archive_size, &off, out) == CPIO_OK) {
		const char *n = out->name;
		if (n[0] == '.' && n[1] == '/')
			n += 2;
		if (!strcmp(n, path))
			return true;
	}
	return false;
}

/* A regular file's contents, following symbolic links (relative ones
 * from the link's directory), at most 8 of them. */
const void *
initrd_find(const char *path, size_t *size)
{
	static char buf[2][256];
	struct cpio_entry e;

	for (int hops = 0; hops <= 8; hops++) {
		while (*path == '/')
			path++;
		if (!lookup(path, &e))
			return NULL;
		if ((e.mode & 0170000) == 0100000) {
			*size = e.size;
			return e.data;
		}
		if ((e.mode & 0170000) != 0120000 || e.size >= 200)
			return NULL;
		char *next = buf[hops & 1];
		size_t dir = 0;
		if (((const char *)e.data)[0] != '/') {
			const char *slash = strrchr(path, '/');
			dir = slash ? (size_t)(slash - path) + 1 : 0;
		}
		if (dir + e.size >= sizeof buf[0])
			return NULL;
		memmove(next, path, dir);
		memcpy(next + dir, e.data, e.size);
		next[dir + e.size] = '\0';
		path = next;
	}
	return NULL;
}
