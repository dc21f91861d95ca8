/*
 * tmpfs.c - the root filesystem: a tree of nodes in the process server's
 * memory, populated from the initial archive at start.
 *
 * A file's data is either the archive's bytes (read only, in place) or
 * pages of our own (a file is copied out of the archive when first
 * written). Pages are frames of the process server's pool (mem.c), so a
 * MAP_SHARED mapping maps the file's own pages. A node lives while it
 * has a name, an open file, a mapping or a mount on it. A file's data
 * pages are charged to its owner's memory quota (quota.c): a write past
 * it fails with EDQUOT; chown moves the charge.
 *
 * There may be many instances (mount -t tmpfs): each is a tree whose
 * root is its own parent, and every node knows its instance's root
 * (sb). Node numbers are unique across instances. Instance 0, the
 * initial archive's, is the root file system. The file-system
 * operations ns.c uses are tmpfs_ops.
 */
#include "procserv.h"
#include "lx_errno.h"

#define MAX_NODES 2048
#define MAX_FILE (512ull * 4096) /* one page of page pointers: 2 MiB */

static struct tnode nodes[MAX_NODES];

struct tnode *
tmpfs_node(int n)
{
	return n >= 0 && n < MAX_NODES && nodes[n].used ? &nodes[n] : NULL;
}

static int
node_new(int dir, const char *name, uint32_t mode)
{
	for (int i = 1; i < MAX_NODES; i++) {
		if (nodes[i].used)
			continue;
		size_t l = strlen(name);
		if (l >= sizeof nodes[i].name)
			return -LX_ENAMETOOLONG;
		nodes[i] = (struct tnode){.used = true, .mode = mode,
					  .parent = dir, .nlink = 1,
					  .sb = nodes[dir].sb,
					  .mtime = time_real_ns() / 1000000000ull};
		memcpy(nodes[i].name, name, l + 1);
		nodes[i].next = nodes[dir].child;
		nodes[dir].child = i;
		return i;
	}
	return -LX_ENOSPC;
}

int
tmpfs_child(int dir, const char *name)
{
	for (int c = nodes[dir].child; c; c = nodes[c].next)
		if (!strcmp(nodes[c].name, name))
			return c;
	return -1;
}

/* The node at a normalised path ("" is the root) of the initial
 * archive's instance, following symbolic links in the middle and, if
 * follow, at the end; -errno if none. (Processes' paths go through
 * their namespace: ns.c.) */
int
tmpfs_lookup(const char *path, bool follow)
{
	char buf[512], comp[64];
	int n = 0, hops = 0;
	snprintf(buf, sizeof buf, "%s", path);
	const char *s = buf;
	while (*s) {
		size_t l = 0;
		while (s[l] && s[l] != '/')
			l++;
		if (l >= sizeof comp)
			return -LX_ENAMETOOLONG;
		memcpy(comp, s, l);
		comp[l] = '\0';
		s += l;
		while (*s == '/')
			s++;
		if ((nodes[n].mode & 0170000) != 0040000)
			return -LX_ENOTDIR;
		int c = strcmp(comp, "..") ? tmpfs_child(n, comp) : nodes[n].parent;
		if (!strcmp(comp, "."))
			c = n;
		if (c < 0)
			return -LX_ENOENT;
		if ((nodes[c].mode & 0170000) == 0120000 && (*s || follow)) {
			char rest[512], t[256];
			if (++hops > 8)
				return -40; /* ELOOP */
			snprintf(rest, sizeof rest, "%s", s);
			long tl = tmpfs_read(&nodes[c], 0, (uint8_t *)t,
					     sizeof t - 1);
			t[tl > 0 ? tl : 0] = '\0';
			if (t[0] == '/') {
				snprintf(buf, sizeof buf, "%s/%s", t, rest);
				n = 0;
			} else {
				snprintf(buf, sizeof buf, "%s/%s", t, rest);
			}
			s = buf;
			while (*s == '/')
				s++;
			continue;
		}
		n = c;
	}
	return n;
}

/* The directory and last component of a normalised path. */
static int
parent_path(const char *path, const char **name)
{
	static char dir[512];
	const char *slash = strrchr(path, '/');
	if (!*path)
		return -LX_EEXIST; /* the root */
	if (!slash) {
		*name = path;
		return 0;
	}
	size_t l = (size_t)(slash - path);
	memcpy(dir, path, l);
	dir[l] = '\0';
	*name = slash + 1;
	int d = tmpfs_lookup(dir, true);
	if (d >= 0 && (nodes[d].mode & 0170000) != 0040000)
		return -LX_ENOTDIR;
	return d;
}

int
tmpfs_create_at(int d, const char *name, uint32_t mode, uint32_t uid,
		uint32_t gid)
{
	if ((nodes[d].mode & 0170000) != 0040000)
		return -LX_ENOTDIR;
	if (tmpfs_child(d, name) >= 0)
		return -LX_EEXIST;
	int n = node_new(d, name, mode);
	if (n > 0) {
		nodes[n].uid = uid;
		nodes[n].gid = gid;
		if ((mode & 0170000) == 0040000)
			nodes[d].nlink++;
	}
	return n;
}

/* A data page for t, charged to its owner (an anonymous mapping's are
 * its mappers', mem.c); NULL with *err (ENOSPC, EDQUOT) if none. */
static uint8_t *
data_page(struct tnode *t, long *err)
{
	if (!t->anon && !quota_file_pages(t->uid, 1, false)) {
		*err = -LX_EDQUOT;
		return NULL;
	}
	uint8_t *pg = mem_page_alloc();
	if (!pg && !t->anon)
		quota_file_pages(t->uid, -1, true);
	*err = pg ? 0 : -LX_ENOSPC;
	t->npages += pg && !t->anon;
	return pg;
}

/* Give back data page i of t (if it has one). */
static void
data_free(struct tnode *t, uint64_t i)
{
	uint8_t **slot = &((uint8_t **)t->pages)[i];
	if (!*slot)
		return;
	mem_page_free(*slot);
	*slot = NULL;
	if (!t->anon) {
		quota_file_pages(t->uid, -1, true);
		t->npages--;
	}
}

void
tmpfs_chown(struct tnode *t, uint32_t uid)
{
	quota_file_pages(t->uid, -(int64_t)t->npages, true);
	quota_file_pages(uid, t->npages, true);
	t->uid = uid;
}

/* Give the file pages of its own (copying the archive's bytes). */
static long
own_data(struct tnode *t)
{
	long e;
	if (t->pages)
		return 0;
	if (!(t->pages = mem_page_alloc()))
		return -LX_ENOSPC;
	for (uint64_t o = 0; o < t->size; o += 4096) {
		uint8_t *pg = data_page(t, &e);
		if (!pg) { /* all or nothing: the archive's bytes stay */
			for (uint64_t i = 0; i < 512; i++)
				data_free(t, i);
			mem_page_free(t->pages);
			t->pages = NULL;
			return e;
		}
		size_t k = t->size - o < 4096 ? t->size - o : 4096;
		memcpy(pg, (const uint8_t *)t->ro + o, k);
		((uint8_t **)t->pages)[o / 4096] = pg;
	}
	t->ro = NULL;
	return 0;
}

long
tmpfs_read(struct tnode *t, uint64_t off, uint8_t *dst, uint64_t len)
{
	if (off >= t->size)
		return 0;
	if (len > t->size - off)
		len = t->size - off;
	if (t->ro) {
		memcpy(dst, (const uint8_t *)t->ro + off, len);
		return (long)len;
	}
	for (uint64_t done = 0; done < len;) {
		uint64_t o = off + done, k = 4096 - o % 4096;
		if (k > len - done)
			k = len - done;
		uint8_t *pg = ((uint8_t **)t->pages)[o / 4096];
		if (pg)
			memcpy(dst + done, pg + o % 4096, k);
		else
			memset(dst + done, 0, k);
		done += k;
	}
	return (long)len;
}

long
tmpfs_write(struct tnode *t, uint64_t off, const uint8_t *src, uint64_t len)
{
	long e = own_data(t);
	if (e)
		return e;
	if (off > MAX_FILE || len > MAX_FILE - off)
		return -27; /* EFBIG: 2 MiB per file for now */
	for (uint64_t done = 0; done < len;) {
		uint64_t o = off + done, k = 4096 - o % 4096;
		if (k > len - done)
			k = len - done;
		uint8_t **slot = &((uint8_t **)t->pages)[o / 4096];
		if (!*slot && !(*slot = data_page(t, &e)))
			return done ? (long)done : e;
		memcpy(*slot + o % 4096, src + done, k);
		done += k;
	}
	if (off + len > t->size)
		t->size = off + len;
	t->mtime = time_real_ns() / 1000000000ull;
	return (long)len;
}

long
tmpfs_truncate(struct tnode *t, uint64_t size)
{
	long e = own_data(t);
	if (e)
		return e;
	if (size > MAX_FILE)
		return -27;
	for (uint64_t p = (size + 4095) / 4096; p < (t->size + 4095) / 4096; p++)
		data_free(t, p);
	if (size % 4096 && ((uint8_t **)t->pages)[size / 4096])
		memset(((uint8_t **)t->pages)[size / 4096] + size % 4096, 0,
		       4096 - size % 4096);
	t->size = size;
	return 0;
}

static void
node_release(int n)
{
	struct tnode *t = &nodes[n];
	if (t->nlink || t->refs)
		return;
	if (t->pages) {
		for (uint64_t p = 0; p < 512; p++)
			data_free(t, p);
		mem_page_free(t->pages);
	}
	t->used = false;
}

static void
unlink_child(int d, int n)
{
	int *pp = &nodes[d].child;
	while (*pp != n)
		pp = &nodes[*pp].next;
	*pp = nodes[n].next;
}

int
tmpfs_remove_at(int d, const char *name, bool dir)
{
	int n;
	if ((n = tmpfs_child(d, name)) < 0)
		return -LX_ENOENT;
	bool isdir = (nodes[n].mode & 0170000) == 0040000;
	if (dir && !isdir)
		return -LX_ENOTDIR;
	if (!dir && isdir)
		return -LX_EISDIR;
	if (isdir && nodes[n].child)
		return -39; /* ENOTEMPTY */
	unlink_child(d, n);
	if (isdir)
		nodes[d].nlink--;
	nodes[n].nlink = 0;
	node_release(n);
	return 0;
}

int
tmpfs_rename_at(int fd, const char *fname, int td, const char *tname)
{
	int n, old;
	if ((n = tmpfs_child(fd, fname)) < 0)
		return -LX_ENOENT;
	char tn[64];
	if (strlen(tname) >= sizeof nodes[n].name)
		return -LX_ENAMETOOLONG;
	snprintf(tn, sizeof tn, "%s", tname);
	for (int a = td;; a = nodes[a].parent) { /* not into itself */
		if (a == n)
			return -LX_EINVAL;
		if (nodes[a].parent == a)
			break;
	}
	if ((old = tmpfs_child(td, tn)) >= 0) {
		if (old == n)
			return 0;
		bool od = (nodes[old].mode & 0170000) == 0040000;
		bool nd = (nodes[n].mode & 0170000) == 0040000;
		if (od != nd)
			return od ? -LX_EISDIR : -LX_ENOTDIR;
		if (od && nodes[old].child)
			return -39;
		unlink_child(td, old);
		nodes[old].nlink = 0;
		node_release(old);
	}
	unlink_child(fd, n);
	nodes[n].parent = td;
	nodes[n].next = nodes[td].child;
	nodes[td].child = n;
	memcpy(nodes[n].name, tn, strlen(tn) + 1);
	return 0;
}

/* Built from the end of out, walking up the parents. */
long
tmpfs_path(int n, char *out, size_t size)
{
	size_t at = size - 1;
	if (!tmpfs_node(n))
		return -LX_ENOENT;
	out[at] = '\0';
	for (; nodes[n].parent != n; n = nodes[n].parent) {
		size_t l = strlen(nodes[n].name);
		if (!nodes[n].nlink)
			return -LX_ENOENT; /* removed */
		if (l + 1 > at)
			return -LX_ENAMETOOLONG;
		at -= l;
		memcpy(out + at, nodes[n].name, l);
		out[--at] = '/';
	}
	if (out[at] == '/')
		at++;
	memmove(out, out + at, size - at);
	return 0;
}

void *
tmpfs_page(struct tnode *t, uint64_t off)
{
	if (off >= t->size || off >= MAX_FILE || own_data(t))
		return NULL;
	uint8_t **slot = &((uint8_t **)t->pages)[off / 4096];
	long e;
	if (!*slot)
		*slot = data_page(t, &e);
	return *slot;
}

int
tmpfs_anon(uint64_t size)
{
	if (size > MAX_FILE)
		return -LX_ENOMEM;
	for (int i = 1; i < MAX_NODES; i++) {
		if (nodes[i].used)
			continue;
		void *pages = mem_page_alloc(); /* holes until touched */
		if (!pages)
			return -LX_ENOMEM;
		nodes[i] = (struct tnode){.used = true, .mode = 0100600,
					  .refs = 1, .size = size,
					  .pages = pages, .anon = true};
		return i;
	}
	return -LX_ENOMEM;
}

void
tmpfs_ref(int n, int delta)
{
	nodes[n].refs = (unsigned)((int)nodes[n].refs + delta);
	if (!nodes[n].refs)
		node_release(n);
}

/* The whole file in one piece (for exec): the archive's bytes, or a copy
 * in buf. */
const void *
tmpfs_image(struct tnode *t, uint8_t *buf, size_t size)
{
	if (t->ro)
		return t->ro;
	if (t->size > size)
		return NULL;
	tmpfs_read(t, 0, buf, t->size);
	return buf;
}

const void *
tmpfs_node_program(int n, size_t *size, long *err)
{
	static uint8_t image_buf[2 << 20];
	struct tnode *t = n >= 0 ? tmpfs_node(n) : NULL;
	*err = n < 0 ? n : -LX_EACCES;
	if (!t || (t->mode & 0170000) != 0100000 || !(t->mode & 0111))
		return NULL;
	*size = t->size;
	const void *img = tmpfs_image(t, image_buf, sizeof image_buf);
	*err = img ? 0 : -LX_ENOMEM;
	return img;
}

/* An executable file's contents in one piece, for exec at start: path
 * relative to cwd, in the initial archive's instance; -errno in *err
 * when there is none. */
const void *
tmpfs_program(const char *cwd, const char *path, size_t *size, long *err)
{
	char norm[256];
	if (!path_normalise(cwd, path, norm, sizeof norm)) {
		*err = -LX_ENAMETOOLONG;
		return NULL;
	}
	return tmpfs_node_program(tmpfs_lookup(norm, true), size, err);
}

int
tmpfs_instance(uint32_t mode, uint32_t uid, uint32_t gid)
{
	for (int i = 1; i < MAX_NODES; i++) {
		if (nodes[i].used)
			continue;
		nodes[i] = (struct tnode){.used = true, .mode = mode, .uid = uid,
					  .gid = gid, .nlink = 2, .parent = i,
					  .sb = (uint16_t)i,
					  .mtime = time_real_ns() / 1000000000ull};
		return i;
	}
	return -LX_ENOSPC;
}

/* Unlink everything below directory d (children first). */
static void
remove_tree(int d)
{
	while (nodes[d].child) {
		int c = nodes[d].child;
		if ((nodes[c].mode & 0170000) == 0040000)
			remove_tree(c);
		nodes[d].child = nodes[c].next;
		nodes[c].nlink = 0;
		node_release(c);
	}
}

void
tmpfs_destroy(int root)
{
	remove_tree(root);
	nodes[root].nlink = 0;
	node_release(root);
}

/* --- the file-system operations (ns.c) --------------------------------- */

static long
t_child(uint32_t dir, const char *name)
{
	int c = tmpfs_child((int)dir, name);
	return c < 0 ? -LX_ENOENT : c;
}

static uint32_t
t_parent(uint32_t id)
{
	return (uint32_t)nodes[id].parent;
}

static long
t_name(uint32_t id, char *out, size_t size)
{
	if (!nodes[id].nlink)
		return -LX_ENOENT;
	snprintf(out, size, "%s", nodes[id].name);
	return 0;
}

static long
t_desc(uint32_t id, struct sdesc *d)
{
	struct tnode *t = &nodes[id];
	*d = (struct sdesc){.mode = t->mode, .uid = t->uid, .gid = t->gid,
			    .nlink = t->nlink, .size = t->size,
			    .mtime = t->mtime, .ino = (uint64_t)id + 1,
			    .dev = 0x100 + (uint64_t)t->sb};
	return 0;
}

static long
t_readlink(struct proc *p, uint32_t id, char *out, size_t size)
{
	struct tnode *t = &nodes[id];
	(void)p;
	if ((t->mode & 0170000) != 0120000)
		return -LX_EINVAL;
	long n = tmpfs_read(t, 0, (uint8_t *)out, size - 1);
	out[n > 0 ? n : 0] = '\0';
	return 0;
}

/* ".", "..", then the children. */
static bool
t_dirent(uint32_t dir, uint64_t i, const char **name, uint32_t *mode,
	 uint64_t *ino)
{
	struct tnode *t = &nodes[dir];
	if (i < 2) {
		*name = i ? ".." : ".";
		*mode = 0040000;
		*ino = (uint64_t)(i ? (uint32_t)t->parent : dir) + 1;
		return true;
	}
	i -= 2;
	int c = t->child;
	while (c && i--)
		c = nodes[c].next;
	if (!c)
		return false;
	*name = nodes[c].name;
	*mode = nodes[c].mode;
	*ino = (uint64_t)c + 1;
	return true;
}

const struct fs_ops tmpfs_ops = {"tmpfs", t_child, t_parent, t_name, t_desc,
				 t_readlink, t_dirent};

/* Build the tree from the archive (paths are created as they come). */
void
tmpfs_init(void)
{
	struct cpio_entry e;
	uint64_t pos = 0;
	nodes[0] = (struct tnode){.used = true, .mode = 0040755, .nlink = 2};
	while (initrd_each(&pos, &e)) {
		const char *n = e.name;
		if (n[0] == '.' && n[1] == '/')
			n += 2;
		if (!strcmp(n, ".") || !*n) { /* the root: its owner and mode */
			nodes[0].mode = 0040000 | (e.mode & 07777);
			nodes[0].uid = e.uid;
			nodes[0].gid = e.gid;
			continue;
		}
		const char *name;
		int d = parent_path(n, &name);
		int id = d < 0 ? d : tmpfs_create_at(d, name, e.mode, e.uid, e.gid);
		if (id <= 0)
			continue;
		nodes[id].mtime = e.mtime;
		nodes[id].size = (e.mode & 0170000) == 0040000 ? 0 : e.size;
		if ((e.mode & 0170000) == 0120000) { /* keep a NUL-ended copy */
			char *t = mem_page_alloc();
			if (t && e.size < 4096) {
				memcpy(t, e.data, e.size);
				nodes[id].ro = t;
			}
		} else {
			nodes[id].ro = e.data;
		}
	}
}
