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
	unsigned shift = d->uid == p->uid ? 6 : d->gid == p->gid ? 3 : 0;
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
	abs_path(norm, path, sizeof path);
	int v = perm_decide(&p->perms, path, op);
	if (v)
		return v > 0 ? 0 : -LX_EACCES;
	return d && unix_allows(p, d, op) ? 0 : -LX_EACCES;
}

long
sec_priv(struct proc *p, const char *what)
{
	char path[128];
	snprintf(path, sizeof path, "priv/%s", what);
	return sec_check(p, path, PERM_WRITE, NULL) ? -LX_EPERM : 0;
}
