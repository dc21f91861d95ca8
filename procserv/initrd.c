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

/* The entry at path (normalised, "" is the root), following symbolic
 * links (relative ones from the link's directory, at most 8) unless
 * nofollow. *idx gets its position (an inode number). */
bool
initrd_entry(const char *path, bool nofollow, struct cpio_entry *out,
	     unsigned *idx)
{
	static char buf[2][256];
	struct cpio_entry e;

	for (int hops = 0; hops <= 8; hops++) {
		while (*path == '/')
			path++;
		size_t off = 0;
		unsigned i = 0;
		bool found = false;
		const char *want = *path ? path : ".";
		while (archive &&
		       cpio_next(archive, archive_size, &off, &e) == CPIO_OK) {
			const char *n = e.name;
			i++;
			if (n[0] == '.' && n[1] == '/')
				n += 2;
			if (!strcmp(n, want)) {
				found = true;
				break;
			}
		}
		if (!found)
			return false;
		if ((e.mode & 0170000) != 0120000 || nofollow) {
			*out = e;
			*idx = i;
			return true;
		}
		if (e.size >= 200)
			return false;
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
	return false;
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

const void *
initrd_find(const char *path, size_t *size)
{
	struct cpio_entry e;
	unsigned idx;
	if (!initrd_entry(path, false, &e, &idx) ||
	    (e.mode & 0170000) != 0100000)
		return NULL;
	*size = e.size;
	return e.data;
}

/* The entries of directory dir ("" is the root) in archive order; *pos
 * is where to go on (0 at first). False at the end. */
bool
initrd_dirent(const char *dir, uint64_t *pos, struct cpio_entry *out,
	      const char **name)
{
	size_t off = 0, dl = strlen(dir);
	uint64_t i = 0;
	struct cpio_entry e;
	while (archive && cpio_next(archive, archive_size, &off, &e) == CPIO_OK) {
		const char *n = e.name;
		if (n[0] == '.' && n[1] == '/')
			n += 2;
		if (i++ < *pos || !strcmp(n, "."))
			continue;
		if (dl && (strncmp(n, dir, dl) || n[dl] != '/'))
			continue;
		const char *rest = dl ? n + dl + 1 : n;
		if (!*rest || strchr(rest, '/'))
			continue;
		*pos = i;
		*out = e;
		*name = rest;
		return true;
	}
	return false;
}
