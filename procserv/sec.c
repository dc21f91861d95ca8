/*
 * sec.c - the access check every decision of the process server goes
 * through (docs/security.md): the process's permission list first
 * (perm.c), and where no entry names the operation, the Unix owner,
 * group and mode bits, with no exception for any user ID. Privileged
 * actions are paths too (under /priv, and /proc/PID for controlling a
 * process), checked by this same code; /priv has no mode bits, so only
 * an entry allows them.
 */
#include "procserv.h"
#include "lx_errno.h"

/* The path perm.c sees: absolute ("/" for the root). */
static void
abs_path(const char *norm, char *out, size_t size)
{
	snprintf(out, size, "%s%s", norm[0] == '@' ? "" : "/", norm);
}

/* The Unix rule for op on a file described by d. */
static bool
unix_allows(const struct proc *p, const struct sdesc *d, unsigned op)
{
	if (op == PERM_CONTROL)
		return d->uid == p->uid; /* the owner, as chmod/kill/... */
	bool group = d->gid == p->gid;
	for (unsigned i = 0; i < p->ngroups; i++)
		group |= d->gid == p->groups[i];
	unsigned shift = d->uid == p->uid ? 6 : group ? 3 : 0;
	unsigned bits = (d->mode >> shift) & 7;
	unsigned want = (op & PERM_READ ? 4 : 0) |
			(op & (PERM_WRITE | PERM_CREATE | PERM_DELETE) ? 2 : 0) |
			(op & PERM_EXEC ? 1 : 0);
	/* making or removing a name needs search on the directory too */
	if (op & (PERM_CREATE | PERM_DELETE))
		want |= 1;
	return (bits & want) == want;
}

long
sec_check(struct proc *p, const char *norm, unsigned op,
	  const struct sdesc *d)
{
	char path[300];
	p = proc_tg(p);
	if (p->perms.n) { /* most processes have none: the mode bits */
		abs_path(norm, path, sizeof path);
		int v = perm_decide(&p->perms, path, op);
		if (v)
			return v > 0 ? 0 : -LX_EACCES;
	}
	return d && unix_allows(p, d, op) ? 0 : -LX_EACCES;
}

long
sec_at(struct proc *p, int mnt, uint32_t id, const char *norm, unsigned op)
{
	struct sdesc d;
	if (ns_desc(mnt, id, &d))
		return -LX_ENOENT;
	return sec_check(p, norm, op, &d);
}

long
sec_unlink(struct proc *p, int dmnt, uint32_t did, const char *dir,
	   const char *name, uint32_t id)
{
	struct sdesc d, f;
	long e = sec_at(p, dmnt, did, dir, PERM_DELETE);
	if (e || ns_desc(dmnt, did, &d) || !(d.mode & 01000))
		return e;
	/* a sticky directory (/tmp): only the file's or the directory's
	 * owner, or an entry allowing control of the file */
	p = proc_tg(p);
	if (ns_desc(dmnt, id, &f) || f.uid == p->uid || d.uid == p->uid)
		return 0;
	char path[520];
	snprintf(path, sizeof path, "/%s%s%s", dir, dir[0] ? "/" : "", name);
	return perm_decide(&p->perms, path, PERM_CONTROL) > 0 ? 0 : -LX_EPERM;
}

long
sec_priv(struct proc *p, const char *what)
{
	char path[128];
	snprintf(path, sizeof path, "priv/%s", what);
	return sec_check(p, path, PERM_WRITE, NULL) ? -LX_EPERM : 0;
}
