/*
 * ns.c - mount namespaces: what a process's paths name.
 *
 * A namespace is a tree of mounts, as on Linux. A mount puts a node of
 * a file system (its root: the root of a tmpfs instance or of /proc, or
 * any directory or file for a bind mount) over a node of its parent
 * mount (its mount point). A process's namespace is shared with its
 * children across fork, like Linux's mount namespace; unshare(CLONE_NEWNS)
 * and clone(CLONE_NEWNS) give the caller (or the child) a copy of its
 * own, and from then on neither side sees the other's mounts and
 * unmounts (every mount is private: nothing propagates).
 *
 * A place is a (mount, node) pair. ns_lookup resolves a path component
 * by component: "." stays; ".." goes to the parent, first leaving each
 * mount whose root it is for that mount's mount point (so a walk leaves
 * mounts upwards); a name is looked up in the directory's file system
 * and, if something is mounted there, the walk goes on at the root of
 * the topmost mount; a symbolic link is replaced by its target, relative
 * to the directory that holds it (40 links in one lookup at most, then
 * ELOOP, as Linux). File systems are tables of the same operations
 * (struct fs_ops): tmpfs (any number of instances), /proc, the device
 * directory and /ports.
 *
 * The working directory is kept as a normalised path (struct proc's
 * cwd) and resolved again when used. An open file names the mount it
 * was opened through (file.c), which keeps that mount busy: umount
 * answers EBUSY, and a lazy umount (MNT_DETACH) takes the mount out of
 * the tree at once but keeps it until its last file is closed. A tmpfs
 * instance goes when no mount shows it any more.
 *
 * Permission to mount, unmount and unshare belongs to the security model
 * (issue 4): for now anyone may, and there are no uid checks.
 */
#include "procserv.h"
#include "lx_errno.h"

#define MAX_MOUNTS 128
#define MAX_NS	   MAX_PROCS
#define MAX_LINKS  40

/* mount(2)'s flags */
#define MS_RDONLY      1
#define MS_NOSUID      2
#define MS_NODEV       4
#define MS_NOEXEC      8
#define MS_REMOUNT     32
#define MS_NOSYMFOLLOW 256
#define MS_BIND	       4096
#define MS_MOVE	       8192
#define MS_REC	       16384
#define MS_SILENT      32768
#define MS_UNBINDABLE  (1u << 17)
#define MS_PRIVATE     (1u << 18)
#define MS_SLAVE       (1u << 19)
#define MS_SHARED      (1u << 20)
#define MS_PROPAGATION (MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED)
#define MS_PER_MOUNT                                                           \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOSYMFOLLOW)
#define MS_MGC_MSK 0xFFFF0000ull
#define MS_MGC_VAL 0xC0ED0000ull
/* umount2's (linux.c refuses others) */
#define MNT_FORCE	1
#define MNT_DETACH	2
#define MNT_EXPIRE	4
#define UMOUNT_NOFOLLOW 8
/* unshare's and clone's */
#define CLONE_VM       0x100
#define CLONE_FS       0x200
#define CLONE_FILES    0x400
#define CLONE_SIGHAND  0x800
#define CLONE_THREAD   0x10000
#define CLONE_NEWNS    0x20000
#define CLONE_SYSVSEM  0x40000
#define CLONE_OTHER_NS 0x7E000080ull /* UTS IPC USER PID NET CGROUP TIME */

#define DETACHED (-1) /* a mount's ns: out of every tree */
#define BUILDING (-2) /* ... being made (MS_REC) */

static struct mount {
	bool used;
	bool expired;	/* MNT_EXPIRE marked it, unused since */
	int8_t ns;	/* its namespace, DETACHED or BUILDING */
	uint8_t fs;	/* enum fs_type */
	int16_t parent; /* the mount it is on; -1: a tree's root */
	uint32_t at;	/* its mount point: a node of parent's */
	uint32_t root;	/* its root: a node of its own file system */
	uint32_t flags; /* MS_PER_MOUNT */
	uint32_t seq;	/* when it was made (stacking, /proc/mounts) */
	char source[48];
} mounts[MAX_MOUNTS];
static uint32_t seq;
static int ns_root[MAX_NS]; /* a namespace's root mount; -1: free */

static const struct fs_ops *const fss[] = {
    [FS_TMPFS] = &tmpfs_ops,
    [FS_PROC] = &procfs_ops,
    [FS_DEV] = &devfs_ops,
    [FS_PORTS] = &ports_ops,
};

struct loc {
	int mnt;
	uint32_t id;
};

long
ns_desc(int m, uint32_t id, struct sdesc *d)
{
	*d = (struct sdesc){0};
	long e = ns_ops(m)->desc(id, d);
	if (!d->dev)
		d->dev = 0x10 + mounts[m].fs;
	return e;
}

uint32_t
ns_mode(int m, uint32_t id)
{
	struct sdesc d;
	return ns_desc(m, id, &d) ? 0 : d.mode & 0170000;
}

int
ns_fs(int m)
{
	return mounts[m].fs;
}

bool
ns_readonly(int m)
{
	return mounts[m].flags & MS_RDONLY;
}

bool
ns_nodev(int m)
{
	return mounts[m].flags & MS_NODEV;
}

bool
ns_noexec(int m)
{
	return mounts[m].flags & MS_NOEXEC;
}

const struct fs_ops *
ns_ops(int m)
{
	return fss[mounts[m].fs];
}

uint32_t
ns_flat_parent(uint32_t id)
{
	(void)id;
	return 0;
}

/* The topmost mount on (l) in namespace ns, if any: l becomes its root
 * (a mount may sit on the root of another). */
static void
cross_down(int ns, struct loc *l)
{
	for (;;) {
		int top = -1;
		for (int m = 0; m < MAX_MOUNTS; m++)
			if (mounts[m].used && mounts[m].ns == ns &&
			    mounts[m].parent == l->mnt &&
			    mounts[m].at == l->id &&
			    (top < 0 || mounts[m].seq > mounts[top].seq))
				top = m;
		if (top < 0)
			return;
		*l = (struct loc){top, mounts[top].root};
	}
}

/* ".." from l: out of the mounts whose root it is, then up (the root of
 * a tree stays where it is). */
static void
go_up(struct loc *l)
{
	while (l->id == mounts[l->mnt].root && mounts[l->mnt].parent >= 0)
		*l = (struct loc){mounts[l->mnt].parent, mounts[l->mnt].at};
	if (l->id != mounts[l->mnt].root)
		l->id = ns_ops(l->mnt)->parent(l->id);
}

/* Drop the last component of normalised path cp. */
static void
path_pop(char *cp)
{
	char *s = strrchr(cp, '/');
	*(s ? s : cp) = '\0';
}

static long
path_push(char *cp, const char *comp)
{
	size_t n = strlen(cp), l = strlen(comp);
	if (n + l + 2 > 256)
		return -LX_ENAMETOOLONG;
	if (n)
		cp[n++] = '/';
	memcpy(cp + n, comp, l + 1);
	return 0;
}

/* Replace the walk's remaining path (rest, inside buf) with a link's
 * target followed by rest. */
static long
splice_link(char *buf, size_t size, const char *target, const char *rest)
{
	char tmp[512];
	int n = snprintf(tmp, sizeof tmp, "%s/%s", target, rest);
	if (n < 0 || (size_t)n >= size)
		return -LX_ENAMETOOLONG;
	memcpy(buf, tmp, (size_t)n + 1);
	return 0;
}

/* One component of s into comp (at most NAME_MAX bytes); s moves past
 * it and the slashes after it. */
static long
next_comp(const char **s, char *comp)
{
	size_t l = 0;
	while ((*s)[l] && (*s)[l] != '/')
		l++;
	if (l > 255)
		return -LX_ENAMETOOLONG;
	memcpy(comp, *s, l);
	comp[l] = '\0';
	*s += l;
	while (**s == '/')
		(*s)++;
	return 0;
}

/* Follow the link at l (found in directory cur of the walk): the rest
 * of the walk becomes its target, then rest. */
static long
take_link(struct proc *p, struct loc l, struct loc *cur, char *cp, char *buf,
	  const char **s, unsigned *links)
{
	char t[256];
	if ((mounts[l.mnt].flags & MS_NOSYMFOLLOW) || ++*links > MAX_LINKS)
		return -LX_ELOOP;
	long e = ns_ops(l.mnt)->readlink
		     ? ns_ops(l.mnt)->readlink(p, l.id, t, sizeof t)
		     : -LX_EINVAL;
	if (e)
		return e;
	if (!t[0])
		return -LX_ENOENT;
	if (t[0] == '/') {
		*cur =
		    (struct loc){ns_root[p->ns], mounts[ns_root[p->ns]].root};
		cp[0] = '\0';
	}
	e = splice_link(buf, 512, t, *s);
	*s = buf;
	while (**s == '/')
		(*s)++;
	return e;
}

/* The last component: what the walk stops at (NS_PARENT), or a name
 * that is missing (NS_CREATE). */
static void
set_dir(struct nspath *r, struct loc cur, const char *comp, const char *cp)
{
	r->dmnt = cur.mnt;
	r->did = cur.id;
	strlcpy(r->name, comp, sizeof r->name);
	strlcpy(r->path, cp, sizeof r->path);
	r->last = !strcmp(comp, ".")	? NS_LAST_DOT
		  : !strcmp(comp, "..") ? NS_LAST_DOTDOT
		  : !comp[0]		? NS_LAST_ROOT
					: NS_LAST_NORM;
}

long
ns_lookup(struct proc *p, const char *path, unsigned flags, struct nspath *r)
{
	p = proc_tg(p);
	static char buf[512];
	char comp[256], cp[256] = "";
	unsigned links = 0;
	size_t pl = strlen(path);
	bool abs = path[0] == '/';
	if (!pl)
		return -LX_ENOENT;
	size_t n = abs ? 0 : strlcpy(buf, p->cwd, sizeof buf);
	if (n + 1 + pl >= sizeof buf)
		return -LX_ENAMETOOLONG;
	buf[n] = '/'; /* "CWD/PATH" or "/PATH" */
	memcpy(buf + n + 1, path, pl + 1);
	*r = (struct nspath){.slash = path[pl - 1] == '/'};
	struct loc cur = {ns_root[p->ns], mounts[ns_root[p->ns]].root}, next;
	const char *s = buf;
	while (*s == '/')
		s++;
	while (*s) {
		long e = next_comp(&s, comp);
		bool last = !*s;
		if (e)
			return e;
		if (ns_mode(cur.mnt, cur.id) != 0040000)
			return -LX_ENOTDIR;
		if (last && (flags & NS_PARENT)) {
			set_dir(r, cur, comp, cp);
			return 0;
		}
		if (!(flags & NS_NOCHECK) &&
		    (e = sec_at(p, cur.mnt, cur.id, cp, PERM_EXEC)))
			return e; /* no search permission on the directory */
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			go_up(&cur);
			path_pop(cp);
			continue;
		}
		long c = ns_ops(cur.mnt)->child(cur.id, comp);
		if (c == -LX_ENOENT && last && (flags & NS_CREATE)) {
			set_dir(r, cur, comp, cp);
			return 0;
		}
		if (c < 0)
			return c;
		next = (struct loc){cur.mnt, (uint32_t)c};
		cross_down(p->ns, &next);
		if (ns_mode(next.mnt, next.id) == 0120000 &&
		    (!last || (flags & NS_FOLLOW) || r->slash)) {
			if ((e = take_link(p, next, &cur, cp, buf, &s, &links)))
				return e;
			continue;
		}
		if ((e = path_push(cp, comp)))
			return e;
		cur = next;
	}
	if (flags & NS_PARENT) {
		set_dir(r, cur, "",
			cp); /* the path was the root (or ended in ..) */
		return 0;
	}
	if (r->slash && ns_mode(cur.mnt, cur.id) != 0040000)
		return -LX_ENOTDIR;
	r->found = true;
	r->mnt = cur.mnt;
	r->id = cur.id;
	strlcpy(r->path, cp, sizeof r->path);
	if (!(flags & NS_KEEP_EXPIRY))
		mounts[cur.mnt].expired = false;
	return 0;
}

long
ns_path_of(int m, uint32_t id, char *out, size_t size)
{
	char tmp[256], name[256];
	size_t at = sizeof tmp - 1;
	tmp[at] = '\0';
	for (unsigned guard = 0; guard < 128; guard++) {
		while (id == mounts[m].root && mounts[m].parent >= 0) {
			id = mounts[m].at;
			m = mounts[m].parent;
		}
		uint32_t up = ns_ops(m)->parent(id);
		if (id == mounts[m].root || up == id)
			break;
		long e = ns_ops(m)->name(id, name, sizeof name);
		size_t l = strlen(name);
		if (e)
			return e;
		if (l + 1 > at)
			return -LX_ENAMETOOLONG;
		at -= l;
		memcpy(tmp + at, name, l);
		tmp[--at] = '/';
		id = up;
	}
	if (tmp[at] == '/')
		at++;
	if (sizeof tmp - at > size)
		return -LX_ENAMETOOLONG;
	memcpy(out, tmp + at, sizeof tmp - at);
	return 0;
}

long
ns_stat(struct proc *p, const char *path, bool follow, struct sdesc *d,
	char *canon)
{
	p = proc_tg(p);
	struct nspath r;
	long e = ns_lookup(p, path, follow ? NS_FOLLOW : 0, &r);
	if (e)
		return e;
	if (canon)
		snprintf(canon, 256, "%s", r.path);
	return ns_desc(r.mnt, r.id, d);
}

bool
ns_dirent(int m, uint32_t id, uint64_t i, const char **name, uint32_t *mode,
	  uint64_t *ino)
{
	return ns_ops(m)->dirent(id, i, name, mode, ino);
}

/* Whether node id of mount m's file system has a mount on it in any
 * namespace (then it cannot be removed or renamed: EBUSY). Node ids
 * are unique across a file system's instances. */
bool
ns_is_mount_point(int m, uint32_t id)
{
	for (int k = 0; k < MAX_MOUNTS; k++)
		if (mounts[k].used && mounts[k].parent >= 0 &&
		    mounts[mounts[k].parent].fs == mounts[m].fs &&
		    mounts[k].at == id)
			return true;
	return false;
}

/* --- the mount table ------------------------------------------------- */

static int
mount_new(int ns, int parent, uint32_t at, unsigned type, uint32_t root,
	  uint32_t flags, const char *source)
{
	for (int m = 0; m < MAX_MOUNTS; m++) {
		if (mounts[m].used)
			continue;
		mounts[m] = (struct mount){.used = true,
					   .ns = (int8_t)ns,
					   .fs = (uint8_t)type,
					   .parent = (int16_t)parent,
					   .at = at,
					   .root = root,
					   .seq = ++seq,
					   .flags = flags & MS_PER_MOUNT};
		snprintf(mounts[m].source, sizeof mounts[m].source, "%s",
			 source && *source ? source : "none");
		if (type == FS_TMPFS)
			tmpfs_ref((int)root, 1);
		return m;
	}
	return -LX_ENOSPC;
}

/* Whether any mount still shows tmpfs instance sb. */
static bool
sb_shown(unsigned sb)
{
	for (int m = 0; m < MAX_MOUNTS; m++)
		if (mounts[m].used && mounts[m].fs == FS_TMPFS &&
		    tmpfs_node((int)mounts[m].root)->sb == sb)
			return true;
	return false;
}

static void
mount_free(int m)
{
	struct mount *mt = &mounts[m];
	mt->used = false;
	if (mt->fs != FS_TMPFS)
		return;
	unsigned sb = tmpfs_node((int)mt->root)->sb;
	tmpfs_ref((int)mt->root, -1);
	if (sb && !sb_shown(sb))
		tmpfs_destroy((int)sb);
}

/* Take mount m and the mounts below it out of their tree; each goes now
 * or, if a file is open in it, when the last one is closed. */
static void
detach_tree(int m)
{
	int ns = mounts[m].ns;
	mounts[m].ns = DETACHED;
	for (bool more = true; more;) {
		more = false;
		for (int k = 0; k < MAX_MOUNTS; k++) {
			int up = mounts[k].parent;
			if (mounts[k].used && mounts[k].ns == ns && up >= 0 &&
			    mounts[up].ns == DETACHED) {
				mounts[k].ns = DETACHED;
				more = true;
			}
		}
	}
	for (int k = 0; k < MAX_MOUNTS; k++) {
		if (!mounts[k].used || mounts[k].ns != DETACHED)
			continue;
		if (!of_busy(k, false))
			mount_free(k);
		else
			mounts[k].parent = -1;
	}
}

void
ns_file_closed(int m)
{
	if (m >= 0 && mounts[m].used && mounts[m].ns == DETACHED &&
	    !of_busy(m, false))
		mount_free(m);
}

/* Whether node id (of mount m's file system) is below dir or is dir. */
static bool
is_below(int m, uint32_t id, uint32_t dir)
{
	for (unsigned guard = 0; guard < 256; guard++) {
		if (id == dir)
			return true;
		uint32_t up = ns_ops(m)->parent(id);
		if (up == id)
			return false;
		id = up;
	}
	return false;
}

/* Copies (BUILDING) of the mounts on what mount from shows below node
 * dir, onto copy to, and of theirs in turn (MS_REC; unshare, which
 * keeps their order: same_seq); -errno if the table is full. */
static long
copy_below(int ns, int from, uint32_t dir, int to, bool same_seq)
{
	for (int k = 0; k < MAX_MOUNTS; k++) {
		struct mount *c = &mounts[k];
		if (!c->used || c->ns != ns || c->parent != from ||
		    !is_below(from, c->at, dir))
			continue;
		int n = mount_new(BUILDING, to, c->at, c->fs, c->root, c->flags,
				  c->source);
		if (n < 0)
			return n;
		if (same_seq)
			mounts[n].seq = c->seq;
		long e = copy_below(ns, k, c->root, n, same_seq);
		if (e)
			return e;
	}
	return 0;
}

/* Free the mounts left BUILDING (a copy that failed), or give them
 * namespace ns. */
static void
finish_building(int ns, bool ok)
{
	for (int m = 0; m < MAX_MOUNTS; m++) {
		if (!mounts[m].used || mounts[m].ns != BUILDING)
			continue;
		if (ok)
			mounts[m].ns = (int8_t)ns;
		else
			mount_free(m);
	}
}

static bool
ns_in_use(int ns, const struct proc *except)
{
	for (struct proc *q = proc_next(NULL); q; q = proc_next(q))
		if (q != except && q->ns == ns)
			return true;
	return false;
}

static void
ns_release(int ns)
{
	for (int m = 0; m < MAX_MOUNTS; m++) {
		if (!mounts[m].used || mounts[m].ns != ns)
			continue;
		mounts[m].ns = DETACHED;
		mounts[m].parent = -1;
		if (!of_busy(m, false))
			mount_free(m);
	}
	ns_root[ns] = -1;
}

long
ns_unshare_mounts(struct proc *p)
{
	p = proc_tg(p);
	int ns = 0;
	while (ns < MAX_NS && ns_root[ns] >= 0)
		ns++;
	if (ns == MAX_NS)
		return -LX_ENOMEM;
	struct mount *old = &mounts[ns_root[p->ns]];
	int root = mount_new(BUILDING, -1, 0, old->fs, old->root, old->flags,
			     old->source);
	long e = root < 0
		     ? root
		     : copy_below(p->ns, ns_root[p->ns], old->root, root, true);
	finish_building(ns, !e);
	if (e)
		return -LX_ENOMEM;
	mounts[root].seq = old->seq;
	ns_root[ns] = root;
	int was = p->ns;
	p->ns = ns;
	if (!ns_in_use(was, NULL))
		ns_release(was);
	return 0;
}

void
ns_exit(struct proc *p)
{
	p = proc_tg(p);
	ports_exit(p->pid);
	if (ns_root[p->ns] >= 0 && !ns_in_use(p->ns, p))
		ns_release(p->ns);
}

/* --- mount(2), umount2(2), unshare(2) -------------------------------- */

/* The tmpfs options: mode=, uid=, gid= (octal, decimal, decimal). */
static long
tmpfs_options(const char *data, uint32_t *mode, uint32_t *uid, uint32_t *gid)
{
	char opt[64];
	const char *s = data ? data : "";
	while (*s) {
		size_t l = 0;
		while (s[l] && s[l] != ',')
			l++;
		if (l >= sizeof opt)
			return -LX_EINVAL;
		memcpy(opt, s, l);
		opt[l] = '\0';
		s += l + (s[l] == ',');
		char *v = strchr(opt, '=');
		if (!l)
			continue;
		if (!v || !v[1])
			return -LX_EINVAL;
		*v++ = '\0';
		unsigned base = !strcmp(opt, "mode") ? 8 : 10;
		uint64_t n = 0;
		for (const char *d = v; *d; d++) {
			if (*d < '0' || *d >= '0' + (int)base)
				return -LX_EINVAL;
			n = n * base + (uint64_t)(*d - '0');
			if (n > 0xFFFFFFFFull)
				return -LX_EINVAL;
		}
		if (!strcmp(opt, "mode") && n <= 07777)
			*mode = (uint32_t)n;
		else if (!strcmp(opt, "uid"))
			*uid = (uint32_t)n;
		else if (!strcmp(opt, "gid"))
			*gid = (uint32_t)n;
		else
			return -LX_EINVAL;
	}
	return 0;
}

/* A new file system of type over t. */
static long
mount_fresh(struct proc *p, const char *src, const struct nspath *t,
	    const char *type, uint64_t flags, const char *data)
{
	unsigned k = 0;
	uint32_t root = 0, mode = 01777, uid = 0, gid = 0;
	if (!type)
		return -LX_EINVAL;
	while (k < sizeof fss / sizeof fss[0] && strcmp(fss[k]->type, type))
		k++;
	if (k == sizeof fss / sizeof fss[0])
		return -LX_ENODEV;
	if (ns_mode(t->mnt, t->id) != 0040000)
		return -LX_ENOTDIR;
	if (k != FS_TMPFS && data && *data)
		return -LX_EINVAL;
	if (k == FS_TMPFS) {
		long e = tmpfs_options(data, &mode, &uid, &gid);
		int n = e ? (int)e : tmpfs_instance(0040000 | mode, uid, gid);
		if (n < 0)
			return e ? e : -LX_ENOMEM;
		root = (uint32_t)n;
	}
	int m = mount_new(p->ns, t->mnt, t->id, k, root, (uint32_t)flags, src);
	if (m < 0 && k == FS_TMPFS)
		tmpfs_destroy((int)root);
	return m < 0 ? m : 0;
}

/* MS_BIND: what src names, shown at t too (MS_REC: with the mounts
 * below it). */
static long
mount_bind(struct proc *p, const char *src, const struct nspath *t,
	   uint64_t flags)
{
	struct nspath s;
	if (!src || !*src)
		return -LX_EINVAL;
	long e = ns_lookup(p, src, NS_FOLLOW, &s);
	if (e)
		return e;
	if ((ns_mode(s.mnt, s.id) == 0040000) !=
	    (ns_mode(t->mnt, t->id) == 0040000))
		return -LX_ENOTDIR;
	struct mount *o = &mounts[s.mnt];
	int m = mount_new(BUILDING, t->mnt, t->id, o->fs, s.id, o->flags,
			  o->source);
	e = m < 0	       ? m
	    : (flags & MS_REC) ? copy_below(p->ns, s.mnt, s.id, m, false)
			       : 0;
	finish_building(p->ns, !e);
	return e;
}

/* MS_REMOUNT: new per-mount flags (MS_RDONLY refused while a file is
 * open for writing in it). */
static long
mount_again(const struct nspath *t, uint64_t flags)
{
	struct mount *m = &mounts[t->mnt];
	if (t->id != m->root)
		return -LX_EINVAL;
	if ((flags & MS_RDONLY) && !(m->flags & MS_RDONLY) &&
	    of_busy(t->mnt, true))
		return -LX_EBUSY;
	m->flags = (uint32_t)flags & MS_PER_MOUNT;
	return 0;
}

/* MS_PRIVATE (and MS_REC): every mount is private already. Shared,
 * slave and unbindable mounts do not exist here. */
static long
mount_propagation(const struct nspath *t, uint64_t flags)
{
	if (t->id != mounts[t->mnt].root)
		return -LX_EINVAL;
	if ((flags & ~(MS_PROPAGATION | MS_REC | MS_SILENT)) ||
	    (flags & MS_PROPAGATION) != MS_PRIVATE)
		return -LX_EINVAL;
	return 0;
}

/* MS_MOVE: the mount at src (its root) moves over t. */
static long
mount_move(struct proc *p, const char *src, const struct nspath *t)
{
	struct nspath s;
	long e = src && *src ? ns_lookup(p, src, NS_FOLLOW, &s) : -LX_EINVAL;
	if (e)
		return e;
	struct mount *m = &mounts[s.mnt];
	if (s.id != m->root || m->parent < 0)
		return -LX_EINVAL;
	if ((ns_mode(s.mnt, s.id) == 0040000) !=
	    (ns_mode(t->mnt, t->id) == 0040000))
		return -LX_ENOTDIR;
	for (int up = t->mnt; up >= 0; up = mounts[up].parent)
		if (up == s.mnt)
			return -LX_ELOOP; /* into itself */
	m->parent = (int16_t)t->mnt;
	m->at = t->id;
	m->seq = ++seq;
	return 0;
}

long
ns_mount(struct proc *p, const char *src, const char *dir, const char *type,
	 uint64_t flags, const char *data)
{
	p = proc_tg(p);
	struct nspath t;
	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MSK;
	long e = ns_lookup(p, dir, NS_FOLLOW, &t);
	if (e)
		return e;
	if (sec_at(p, t.mnt, t.id, t.path, PERM_CONTROL))
		return -LX_EPERM; /* control of the mount point */
	if (flags & MS_REMOUNT)
		return mount_again(&t, flags);
	if (flags & MS_BIND)
		return mount_bind(p, src, &t, flags);
	if (flags & MS_PROPAGATION)
		return mount_propagation(&t, flags);
	if (flags & MS_MOVE)
		return mount_move(p, src, &t);
	return mount_fresh(p, src, &t, type, flags, data);
}

/* Whether a process of namespace ns works in mount m. */
static bool
cwd_in(int ns, int m)
{
	struct nspath r;
	for (struct proc *q = proc_next(NULL); q; q = proc_next(q))
		if (q->ns == ns &&
		    !ns_lookup(q, q->cwd, NS_FOLLOW | NS_KEEP_EXPIRY | NS_NOCHECK,
			       &r) &&
		    r.mnt == m)
			return true;
	return false;
}

static bool
has_children(int m)
{
	for (int k = 0; k < MAX_MOUNTS; k++)
		if (mounts[k].used && mounts[k].parent == m &&
		    mounts[k].ns == mounts[m].ns)
			return true;
	return false;
}

long
ns_umount(struct proc *p, const char *dir, uint64_t flags)
{
	p = proc_tg(p);
	struct nspath t;
	unsigned how =
	    NS_KEEP_EXPIRY | (flags & UMOUNT_NOFOLLOW ? 0 : NS_FOLLOW);
	long e = ns_lookup(p, dir, how, &t);
	if (e)
		return e;
	int m = t.mnt;
	if (sec_at(p, t.mnt, t.id, t.path, PERM_CONTROL))
		return -LX_EPERM; /* control of the mount point */
	if (t.id != mounts[m].root || mounts[m].parent < 0)
		return -LX_EINVAL;
	if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
		return -LX_EINVAL;
	if (flags & MNT_DETACH) {
		detach_tree(m);
		return 0;
	}
	if (has_children(m) || of_busy(m, false) || cwd_in(p->ns, m))
		return -LX_EBUSY;
	if ((flags & MNT_EXPIRE) && !mounts[m].expired) {
		mounts[m].expired = true;
		return -LX_EAGAIN;
	}
	mount_free(m);
	return 0;
}

long
ns_unshare(struct proc *p, uint64_t flags)
{
	p = proc_tg(p);
	const uint64_t known = CLONE_VM | CLONE_FS | CLONE_FILES |
			       CLONE_SIGHAND | CLONE_THREAD | CLONE_NEWNS |
			       CLONE_SYSVSEM | CLONE_OTHER_NS;
	if ((flags & ~known) || (flags & CLONE_OTHER_NS))
		return -LX_EINVAL;
	/* One thread per process and no System V semaphores: there is no
	 * shared memory, file table, working directory or undo list to
	 * unshare for the other flags. */
	return flags & CLONE_NEWNS ? ns_unshare_mounts(p) : 0;
}

/* --- /proc/PID/mounts ------------------------------------------------ */

/* s with space, tab, newline and backslash as \ooo, as Linux's. */
static size_t
escape(char *out, size_t size, const char *s)
{
	size_t n = 0;
	for (; *s && n + 5 < size; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			n += (size_t)snprintf(out + n, size - n, "\\%03o",
					      (unsigned)(uint8_t)*s);
		else
			out[n++] = *s;
	}
	out[n] = '\0';
	return n;
}

/* One line: source, mount point, type, options. */
static int
mount_line(int m, char *out, size_t size)
{
	char at[256] = "", src[200], dir[400];
	struct mount *mt = &mounts[m];
	if (mt->parent >= 0 && ns_path_of(mt->parent, mt->at, at, sizeof at))
		return 0;
	escape(src, sizeof src, mt->source);
	char full[258];
	snprintf(full, sizeof full, "/%s", at);
	escape(dir, sizeof dir, full);
	return snprintf(out, size, "%s %s %s %s%s%s%s%s 0 0\n", src, dir,
			ns_ops(m)->type, mt->flags & MS_RDONLY ? "ro" : "rw",
			mt->flags & MS_NOSUID ? ",nosuid" : "",
			mt->flags & MS_NODEV ? ",nodev" : "",
			mt->flags & MS_NOEXEC ? ",noexec" : "",
			mt->flags & MS_NOSYMFOLLOW ? ",nosymfollow" : "");
}

size_t
ns_mounts_text(int ns, char *out, size_t size)
{
	size_t n = 0;
	uint32_t after = 0;
	for (;;) { /* in the order they were made */
		int next = -1;
		for (int m = 0; m < MAX_MOUNTS; m++)
			if (mounts[m].used && mounts[m].ns == ns &&
			    mounts[m].seq > after &&
			    (next < 0 || mounts[m].seq < mounts[next].seq))
				next = m;
		if (next < 0 || n + 1 >= size)
			return n;
		after = mounts[next].seq;
		int l = mount_line(next, out + n, size - n);
		if (l > 0)
			n += (size_t)l < size - n ? (size_t)l : size - n - 1;
	}
}

/* --- start ----------------------------------------------------------- */

/* The initial namespace: the initial archive's tmpfs at /, then the
 * device directory, /proc and /ports (their directories made if the
 * archive lacks them). */
void
ns_init(void)
{
	static const struct {
		const char *dir;
		unsigned fs;
		const char *src;
		uint32_t flags;
	} boot[] = {
	    {"dev", FS_DEV, "devtmpfs", MS_NOSUID},
	    {"proc", FS_PROC, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC},
	    {"ports", FS_PORTS, "ports", MS_NOSUID | MS_NOEXEC},
	};
	for (int ns = 0; ns < MAX_NS; ns++)
		ns_root[ns] = -1;
	ns_root[0] = mount_new(0, -1, 0, FS_TMPFS, 0, 0, "tmpfs");
	for (unsigned i = 0; i < sizeof boot / sizeof boot[0]; i++) {
		int d = tmpfs_child(0, boot[i].dir);
		if (d < 0)
			d = tmpfs_create_at(0, boot[i].dir, 0040555, 0, 0);
		if (d < 0 || mount_new(0, ns_root[0], (uint32_t)d, boot[i].fs,
				       0, boot[i].flags, boot[i].src) < 0)
			printf("procserv: cannot mount /%s\n", boot[i].dir);
	}
}
