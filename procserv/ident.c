/*
 * ident.c - who a process is: the setuid and setgid families, the
 * supplementary groups, and the other privileged actions that are not
 * files: the clock and power (docs/security.md).
 *
 * A process has one user ID and one group ID (Linux's real, effective,
 * saved and file-system IDs are the same number here), plus up to 16
 * supplementary groups. IDs bring no rights: changing to an ID other
 * than the current one needs write on /priv/identity/uid/N (or gid/N),
 * and even then the process keeps exactly its permission list.
 */
#include "procserv.h"
#include "lx_errno.h"

#define KEEP 0xFFFFFFFFu /* -1: leave it */

/* May p take id as its user (uid) or group ID? */
static bool
may_become(struct proc *p, bool uid, uint32_t id)
{
	char what[40];
	if (id == (uid ? p->uid : p->gid))
		return true;
	snprintf(what, sizeof what, "identity/%s/%u", uid ? "uid" : "gid", id);
	return sec_priv(p, what) == 0;
}

/* setres[ug]id's three IDs (KEEP: unchanged); the one ID becomes the
 * effective one asked for, else the real one. */
static long
set_ids(struct proc *p, bool uid, uint32_t r, uint32_t e, uint32_t s)
{
	uint32_t ids[3] = {r, e, s};
	for (unsigned i = 0; i < 3; i++)
		if (ids[i] != KEEP && !may_become(p, uid, ids[i]))
			return -LX_EPERM;
	uint32_t to = e != KEEP ? e : r != KEEP ? r : s;
	if (to != KEEP)
		*(uid ? &p->uid : &p->gid) = to;
	return 0;
}

long lx_setuid(struct proc *p, uint64_t *regs) { return set_ids(p, true, (uint32_t)ARG0, (uint32_t)ARG0, (uint32_t)ARG0); }
long lx_setgid(struct proc *p, uint64_t *regs) { return set_ids(p, false, (uint32_t)ARG0, (uint32_t)ARG0, (uint32_t)ARG0); }
long lx_setreuid(struct proc *p, uint64_t *regs) { return set_ids(p, true, (uint32_t)ARG0, (uint32_t)ARG1, KEEP); }
long lx_setregid(struct proc *p, uint64_t *regs) { return set_ids(p, false, (uint32_t)ARG0, (uint32_t)ARG1, KEEP); }
long lx_setresuid(struct proc *p, uint64_t *regs) { return set_ids(p, true, (uint32_t)ARG0, (uint32_t)ARG1, (uint32_t)ARG2); }
long lx_setresgid(struct proc *p, uint64_t *regs) { return set_ids(p, false, (uint32_t)ARG0, (uint32_t)ARG1, (uint32_t)ARG2); }

static long
get_ids(struct proc *p, uint64_t *regs, uint32_t id)
{
	const uint64_t va[3] = {ARG0, ARG1, ARG2};
	for (unsigned i = 0; i < 3; i++)
		if (proc_copy_out(p, va[i], &id, 4))
			return -LX_EFAULT;
	return 0;
}

long lx_getresuid(struct proc *p, uint64_t *regs) { return get_ids(p, regs, p->uid); }
long lx_getresgid(struct proc *p, uint64_t *regs) { return get_ids(p, regs, p->gid); }

/* setfs[ug]id answer the previous ID; a refused change changes nothing
 * (Linux gives no error either). */
static long
set_fs(struct proc *p, bool uid, uint32_t id)
{
	uint32_t old = uid ? p->uid : p->gid;
	if (id != KEEP && may_become(p, uid, id))
		*(uid ? &p->uid : &p->gid) = id;
	return old;
}

long lx_setfsuid(struct proc *p, uint64_t *regs) { return set_fs(p, true, (uint32_t)ARG0); }
long lx_setfsgid(struct proc *p, uint64_t *regs) { return set_fs(p, false, (uint32_t)ARG0); }

long
lx_getgroups(struct proc *p, uint64_t *regs)
{
	int64_t size = (int32_t)ARG0;
	if (size < 0)
		return -LX_EINVAL;
	if (!size)
		return p->ngroups;
	if (size < p->ngroups)
		return -LX_EINVAL;
	return proc_copy_out(p, ARG1, p->groups, 4u * p->ngroups) ? -LX_EFAULT
								  : p->ngroups;
}

long
lx_setgroups(struct proc *p, uint64_t *regs)
{
	uint32_t g[MAX_GROUPS];
	int64_t n = (int32_t)ARG0;
	if (n < 0 || n > 65536)
		return -LX_EINVAL;
	if (n > MAX_GROUPS)
		return -LX_ENOMEM; /* more than we keep */
	if (n && proc_copy_in(p, g, ARG1, 4u * (size_t)n))
		return -LX_EFAULT;
	for (int64_t i = 0; i < n; i++) {
		bool had = g[i] == p->gid;
		for (unsigned k = 0; k < p->ngroups; k++)
			had |= p->groups[k] == g[i];
		if (!had && !may_become(p, false, g[i]))
			return -LX_EPERM;
	}
	memcpy(p->groups, g, 4u * (size_t)n);
	p->ngroups = (uint8_t)n;
	return 0;
}

/* settimeofday(tv, tz) and clock_settime(CLOCK_REALTIME, ts): the real
 * clock moves; the monotonic one never does. */
static long
set_clock(struct proc *p, uint64_t va, uint64_t div)
{
	uint64_t t[2];
	if (proc_copy_in(p, t, va, sizeof t))
		return -LX_EFAULT;
	if ((int64_t)t[0] < 0 || t[1] >= 1000000000ull / div)
		return -LX_EINVAL;
	if (sec_priv(p, "clock"))
		return -LX_EPERM;
	time_set_real(t[0] * 1000000000ull + t[1] * div);
	return 0;
}

long
lx_settimeofday(struct proc *p, uint64_t *regs)
{
	if (ARG1)
		return -LX_EINVAL; /* a time zone: not kept, so refused */
	return ARG0 ? set_clock(p, ARG0, 1000) : 0;
}

long
lx_clock_settime(struct proc *p, uint64_t *regs)
{
	if (ARG0 != 0) /* only CLOCK_REALTIME can be set */
		return -LX_EINVAL;
	return set_clock(p, ARG1, 1);
}

/* reboot(magic, magic2, cmd, arg): power off, halt or restart the
 * machine (QEMU: its exit). */
long
lx_reboot(struct proc *p, uint64_t *regs)
{
	uint32_t cmd = (uint32_t)ARG2;
	if ((uint32_t)ARG0 != 0xfee1dead ||
	    ((uint32_t)ARG1 != 672274793 && (uint32_t)ARG1 != 85072278 &&
	     (uint32_t)ARG1 != 369367448 && (uint32_t)ARG1 != 537993216))
		return -LX_EINVAL;
	if (sec_priv(p, "power"))
		return -LX_EPERM;
	switch (cmd) {
	case 0x4321FEDC: /* POWER_OFF */
	case 0xCDEF0123: /* HALT */
	case 0x01234567: /* RESTART */
		printf("procserv: pid %d (%s): reboot: the machine stops\n",
		       p->pid, p->name);
		ux_exit(0);
	case 0x89ABCDEF: case 0: /* CAD_ON, CAD_OFF: nothing to do */
		return 0;
	default:
		return -LX_EINVAL;
	}
}
