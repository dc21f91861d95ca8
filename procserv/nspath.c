/*
 * nspath.c - changes made through paths (mkdir, symlink, unlink, rmdir,
 * rename, the node chmod, chown and truncate change, readlink, exec's
 * program), resolved in the caller's namespace (ns.c), with Linux's
 * errors in Linux's order.
 *
 * Only tmpfs can be changed. Other file systems answer as Linux's do an
 * ordinary user (refuse): /proc a new name with ENOENT, the device
 * directory and /ports with EACCES, and an existing entry with what the
 * call gets on Linux (EEXIST, EPERM, EACCES). A read-only mount answers
 * EROFS; a mount point (in any namespace) cannot be removed or renamed
 * (EBUSY); a rename between mounts is EXDEV.
 */
#include "procserv.h"
#include "lx_errno.h"

/* What a file system other than tmpfs answers a change: as Linux's for
 * an ordinary user (exists: the entry is there). */
static long
refuse(int m, bool exists, long exists_err)
{
	if (ns_fs(m) == FS_TMPFS)
		return 0;
	if (exists)
		return exists_err;
	return ns_fs(m) == FS_PROC ? -LX_ENOENT : -LX_EACCES;
}

/* What taking an existing name away is refused with: /proc's entries
 * EPERM; the device directory and /ports, being root's directories,
 * EACCES. */
static long
unlink_refused(int m)
{
	return ns_fs(m) == FS_PROC ? -LX_EPERM : -LX_EACCES;
}

long
ns_create(struct proc *p, struct nspath *r, uint32_t mode)
{
	p = proc_tg(p);
	long e = refuse(r->dmnt, false, 0);
	if (e)
		return e;
	if (ns_readonly(r->dmnt))
		return -LX_EROFS;
	if ((e = sec_at(p, r->dmnt, r->did, r->path, PERM_CREATE)))
		return e;
	int n = tmpfs_create_at((int)r->did, r->name, mode, p->uid, p->gid);
	if (n < 0)
		return n;
	r->found = true;
	r->mnt = r->dmnt;
	r->id = (uint32_t)n;
	return 0;
}

/* The parent directory of path (NS_PARENT) and whether its last
 * component exists there (*c: its node, before any mount on it). */
static long
parent_of(struct proc *p, const char *path, struct nspath *r, long *c)
{
	long e = ns_lookup(p, path, NS_PARENT, r);
	if (e)
		return e;
	*c = r->last == NS_LAST_NORM ? ns_ops(r->dmnt)->child(r->did, r->name)
				     : -LX_ENOENT;
	return 0;
}

/* The last component of path, a name not yet in its directory (r);
 * -EEXIST if it is there (or is no name: "/", ".", ".."). */
static long
new_name(struct proc *p, const char *path, struct nspath *r)
{
	long c, e = parent_of(p, path, r, &c);
	if (e)
		return e;
	if (r->last != NS_LAST_NORM || c >= 0)
		return -LX_EEXIST;
	return c == -LX_ENOENT ? 0 : c;
}

long
ns_mkdir(struct proc *p, const char *path, uint32_t mode)
{
	p = proc_tg(p);
	struct nspath r;
	long e = new_name(p, path, &r);
	return e ? e : ns_create(p, &r, 0040000 | (mode & 07777 & ~p->umask));
}

long
ns_symlink(struct proc *p, const char *target, const char *path)
{
	p = proc_tg(p);
	struct nspath r;
	long e = new_name(p, path, &r);
	if (e)
		return e;
	if (r.slash)
		return -LX_ENOENT;
	if ((e = ns_create(p, &r, 0120777)))
		return e;
	struct tnode *t = tmpfs_node((int)r.id);
	size_t l = strlen(target);
	if (tmpfs_write(t, 0, (const uint8_t *)target, l + 1) < 0)
		return -LX_ENOSPC;
	t->size = l;
	return 0;
}

/* The error unlink (dir false) or rmdir gives a last component that is
 * no name: "/", "." or "..". */
static long
remove_dots(const struct nspath *r, bool dir)
{
	if (!dir)
		return -LX_EISDIR;
	return r->last == NS_LAST_DOT	   ? -LX_EINVAL
	       : r->last == NS_LAST_DOTDOT ? -LX_ENOTEMPTY
					   : -LX_EBUSY;
}

long
ns_remove(struct proc *p, const char *path, bool dir)
{
	p = proc_tg(p);
	struct nspath r;
	long c, e = parent_of(p, path, &r, &c);
	if (e)
		return e;
	if (r.last != NS_LAST_NORM)
		return remove_dots(&r, dir);
	if (ns_readonly(r.dmnt))
		return -LX_EROFS; /* Linux asks before the lookup */
	if (c < 0)
		return c;
	bool isdir = ns_mode(r.dmnt, (uint32_t)c) == 0040000;
	if (isdir != dir)
		return isdir ? -LX_EISDIR : -LX_ENOTDIR;
	if (r.slash && !isdir)
		return -LX_ENOTDIR;
	if (ns_is_mount_point(r.dmnt, (uint32_t)c))
		return -LX_EBUSY;
	if ((e = refuse(r.dmnt, true, unlink_refused(r.dmnt))) ||
	    (e = sec_unlink(p, r.dmnt, r.did, r.path, r.name, (uint32_t)c)))
		return e;
	return tmpfs_remove_at((int)r.did, r.name, dir);
}

long
ns_rename(struct proc *p, const char *from, const char *to)
{
	p = proc_tg(p);
	struct nspath a, b;
	long ca, cb, e = parent_of(p, from, &a, &ca);
	if (!e)
		e = parent_of(p, to, &b, &cb);
	if (e)
		return e;
	if (a.dmnt != b.dmnt)
		return -LX_EXDEV;
	if (a.last != NS_LAST_NORM || b.last != NS_LAST_NORM)
		return -LX_EBUSY;
	if (ns_readonly(a.dmnt))
		return -LX_EROFS;
	if (ca < 0)
		return ca;
	if (ns_is_mount_point(a.dmnt, (uint32_t)ca) ||
	    (cb >= 0 && ns_is_mount_point(b.dmnt, (uint32_t)cb)))
		return -LX_EBUSY;
	if ((e = refuse(a.dmnt, true, unlink_refused(a.dmnt))) ||
	    (e = sec_unlink(p, a.dmnt, a.did, a.path, a.name, (uint32_t)ca)) ||
	    (cb >= 0 &&
	     (e = sec_unlink(p, b.dmnt, b.did, b.path, b.name, (uint32_t)cb))) ||
	    (e = sec_at(p, b.dmnt, b.did, b.path, PERM_CREATE)))
		return e;
	return tmpfs_rename_at((int)a.did, a.name, (int)b.did, b.name);
}

long
ns_readlink(struct proc *p, const char *path, char *out, size_t size)
{
	p = proc_tg(p);
	struct nspath r;
	long e = ns_lookup(p, path, 0, &r);
	if (e)
		return e;
	if (ns_mode(r.mnt, r.id) != 0120000 || !ns_ops(r.mnt)->readlink)
		return -LX_EINVAL;
	if ((e = ns_ops(r.mnt)->readlink(p, r.id, out, size)))
		return e;
	return (long)strlen(out);
}

long
ns_node(struct proc *p, const char *path, bool follow, long refused)
{
	p = proc_tg(p);
	struct nspath r;
	long e = ns_lookup(p, path, follow ? NS_FOLLOW : 0, &r);
	if (e)
		return e;
	if (ns_readonly(r.mnt))
		return -LX_EROFS;
	if ((e = refuse(r.mnt, true, refused)))
		return e;
	return r.id;
}

const void *
ns_program(struct proc *p, const char *path, size_t *size, long *err,
	   char *canon)
{
	p = proc_tg(p);
	struct nspath r;
	*err = ns_lookup(p, path, NS_FOLLOW, &r);
	if (*err)
		return NULL;
	if (ns_fs(r.mnt) != FS_TMPFS || ns_noexec(r.mnt)) {
		*err = -LX_EACCES;
		return NULL;
	}
	if ((*err = sec_at(p, r.mnt, r.id, r.path, PERM_EXEC)))
		return NULL;
	if (canon)
		snprintf(canon, 256, "/%s", r.path);
	return tmpfs_node_program((int)r.id, size, err);
}
