/*
 * procfs.c - /proc: the processes and the system as files, in Linux's
 * formats (proc(5)), so that ps, top, pidof and their kin work unchanged.
 *
 * Nothing is stored (but /proc/PID/roles, written by the process itself
 * to take a role: roles.c). A path under /proc is parsed into an entry id (its
 * kind, a pid, a descriptor number), and a file's text is made anew from
 * the process table on every read. What the process server does not
 * measure (CPU time, load, idle time, page faults) reads 0, never an
 * invented figure. Everything is read only: directories are 0555 and
 * files 0444 (roles: 0644), and a change fails as it does for an ordinary user on
 * Linux (a new name: ENOENT; an existing one: EACCES or EPERM).
 * It is mounted like any file system (procfs_ops: ns.c resolves paths
 * and follows its links); /proc/PID/mounts shows that process's
 * namespace, and /proc/mounts is a link to self/mounts, as on Linux.
 * A process's state is S while it waits in wait4 and R otherwise (the
 * process server does not see whether a thread is runnable).
 */
#include "procserv.h"
#include "lx_errno.h"
#include "fmt/fmt.h"

#define ID(kind, pid, fd) \
	((uint32_t)(kind) | (uint32_t)(fd) << 8 | (uint32_t)(pid) << 16)
#define KIND(id) ((id) & 0xFF)
#define FDNUM(id) (((id) >> 8) & 0xFF)
#define PID(id) ((int)((id) >> 16))
#define HZ 100 /* clock ticks per second (AT_CLKTCK) */
#define NS_PER_TICK (1000000000ull / HZ)

enum kind {
	K_ROOT, K_SELF, K_MEMINFO, K_UPTIME, K_LOADAVG, K_STAT, K_MOUNTS,
	K_PID, K_CMDLINE, K_COMM, K_CWD, K_EXE, K_FDDIR, K_MAPS, K_PSTAT,
	K_STATUS, K_FD, K_PMOUNTS, K_MEM, K_QUOTA, K_ROLES
};

typedef void (*gen_fn)(struct proc *q);
/* The process of task pid (/proc/TID shows its process), or NULL. */
static struct proc *
pget(uint64_t pid)
{
	struct proc *q = proc_get(pid);
	return q ? proc_tg(q) : NULL;
}

static void gen_meminfo(struct proc *q);
static void gen_uptime(struct proc *q);
static void gen_loadavg(struct proc *q);
static void gen_stat(struct proc *q);
static void gen_cmdline(struct proc *q);
static void gen_comm(struct proc *q);
static void gen_maps(struct proc *q);
static void gen_mounts(struct proc *q);
static void gen_pstat(struct proc *q);
static void gen_status(struct proc *q);
static void gen_quota(struct proc *q);
static void gen_roles(struct proc *q);

static const struct entry {
	const char *name;
	uint8_t kind;
	uint32_t mode;
	gen_fn gen;
} root_entries[] = {
	{"self", K_SELF, 0120777, NULL},
	{"meminfo", K_MEMINFO, 0100444, gen_meminfo},
	{"uptime", K_UPTIME, 0100444, gen_uptime},
	{"loadavg", K_LOADAVG, 0100444, gen_loadavg},
	{"stat", K_STAT, 0100444, gen_stat},
	{"mounts", K_MOUNTS, 0120777, NULL},
}, pid_entries[] = {
	{"cmdline", K_CMDLINE, 0100444, gen_cmdline},
	{"comm", K_COMM, 0100444, gen_comm},
	{"cwd", K_CWD, 0120777, NULL},
	{"exe", K_EXE, 0120777, NULL},
	{"fd", K_FDDIR, 0040500, NULL},
	{"maps", K_MAPS, 0100444, gen_maps},
	{"mem", K_MEM, 0100600, NULL},
	{"mounts", K_PMOUNTS, 0100444, gen_mounts},
	{"quota", K_QUOTA, 0100444, gen_quota},
	{"roles", K_ROLES, 0100644, gen_roles}, /* written: roles.c */
	{"stat", K_PSTAT, 0100444, gen_pstat},
	{"status", K_STATUS, 0100444, gen_status},
};
#define NROOT (sizeof root_entries / sizeof root_entries[0])
#define NPID (sizeof pid_entries / sizeof pid_entries[0])

static uint64_t mem_total;
static char text[16384]; /* the file being made */
static size_t text_len;

void
procfs_init(const struct ux_bootinfo *bi)
{
	for (uint64_t i = 0; i < bi->untyped.last - bi->untyped.first; i++)
		if (!bi->untyped_list[i].is_device)
			mem_total += 1ull << bi->untyped_list[i].size_bits;
}

static const struct entry *
entry_of(uint32_t kind)
{
	for (unsigned i = 0; i < NROOT; i++)
		if (root_entries[i].kind == kind)
			return &root_entries[i];
	for (unsigned i = 0; i < NPID; i++)
		if (pid_entries[i].kind == kind)
			return &pid_entries[i];
	return NULL;
}

/* The number component s (l bytes) spells, or -1. */
static long
number(const char *s, size_t l)
{
	long v = 0;
	if (!l || l > 6 || (s[0] == '0' && l > 1))
		return -1;
	for (size_t i = 0; i < l; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static long
find(const struct entry *t, unsigned n, const char *s, size_t l, int pid)
{
	for (unsigned i = 0; i < n; i++)
		if (strlen(t[i].name) == l && !strncmp(t[i].name, s, l))
			return ID(t[i].kind, pid, 0);
	return -LX_ENOENT;
}

/* The entry component s (l bytes) names in directory dir. */
static long
child(uint32_t dir, const char *s, size_t l)
{
	long v = number(s, l);
	struct proc *q = pget(PID(dir));
	switch (KIND(dir)) {
	case K_ROOT:
		if (v > 0)
			return proc_get((uint64_t)v) ? (long)ID(K_PID, v, 0)
						      : -LX_ENOENT;
		return find(root_entries, NROOT, s, l, 0);
	case K_PID:
		return q ? find(pid_entries, NPID, s, l, PID(dir)) : -LX_ENOENT;
	case K_FDDIR:
		return q && v >= 0 && v < MAX_FD && q->fds[v].kind
			       ? (long)ID(K_FD, PID(dir), v)
			       : -LX_ENOENT;
	default:
		return -LX_ENOTDIR;
	}
}

static bool
is_link(uint32_t id)
{
	uint32_t k = KIND(id);
	return k == K_SELF || k == K_CWD || k == K_EXE || k == K_FD ||
	       k == K_MOUNTS;
}

/* A symbolic link's target; -EINVAL if id is not one. */
static long
procfs_readlink(struct proc *p, uint32_t id, char *out, size_t size)
{
	p = proc_tg(p);
	struct proc *q = pget(PID(id));
	if (!is_link(id))
		return -LX_EINVAL;
	if (KIND(id) == K_SELF) {
		snprintf(out, size, "%d", p->pid);
		return 0;
	}
	if (KIND(id) == K_MOUNTS) {
		snprintf(out, size, "self/mounts");
		return 0;
	}
	if (!q)
		return -LX_ENOENT;
	if (KIND(id) == K_FD)
		return of_fd_target(q, FDNUM(id), out, size) < 0 ? -LX_ENOENT
								  : 0;
	snprintf(out, size, "%s", KIND(id) == K_CWD ? q->cwd : q->exe);
	return 0;
}

long
procfs_desc(uint32_t id, struct sdesc *d)
{
	const struct entry *e = entry_of(KIND(id));
	struct proc *q = pget(PID(id));
	char t[8];
	*d = (struct sdesc){.mode = 0040555, .nlink = 2,
			    .ino = 0x10000 + (uint64_t)id,
			    .mtime = (time_real_ns() - time_mono_ns()) /
				     1000000000ull};
	if (KIND(id) == K_ROOT)
		return 0;
	if (PID(id) && !q)
		return -LX_ENOENT;
	if (q) {
		d->uid = q->uid;
		d->gid = q->gid;
		d->mtime += q->start_ns / 1000000000ull;
	}
	if (KIND(id) == K_FD) {
		long m = of_fd_target(q, FDNUM(id), t, sizeof t);
		d->mode = 0120000 | (m != 1 ? 0500 : 0) | (m ? 0200 : 0);
	} else {
		d->mode = KIND(id) == K_PID ? 0040555 : e->mode;
	}
	d->nlink = (d->mode & 0170000) == 0040000 ? 2 : 1;
	return 0;
}

/* /proc/PID/mem: the process's memory at address off, as far as it is
 * there (EIO if none is). Opening it is checked like any file: its
 * owner's by default (docs/security.md); a server's is not readable. */
static long
mem_read(struct proc *q, uint64_t off, uint8_t *dst, uint64_t len)
{
	uint64_t done = 0;
	if (!q)
		return -LX_ESRCH;
	if (q->native)
		return -LX_EACCES;
	while (done < len) {
		uint64_t n = 4096 - ((off + done) & 4095);
		if (n > len - done)
			n = len - done;
		if (off + done < off || proc_copy_in(q, dst + done, off + done, n))
			break;
		done += n;
	}
	return done ? (long)done : -LX_EIO;
}

/* The k-th live process, or NULL. */
static struct proc *
nth_proc(uint64_t k)
{
	struct proc *q = proc_next(NULL);
	for (; q && k; k--)
		q = proc_next(q);
	return q;
}

static bool
procfs_dirent(uint32_t id, uint64_t i, const char **name, uint32_t *mode,
	      uint64_t *ino)
{
	static char num[16];
	struct proc *q = pget(PID(id)), *c = NULL;
	uint32_t eid;
	*name = i ? ".." : ".";
	*mode = 0040000;
	*ino = 0x10000 + (uint64_t)(i ? ID(K_ROOT, 0, 0) : id);
	if (i < 2)
		return true;
	i -= 2;
	if (KIND(id) == K_ROOT && i < NROOT) {
		eid = ID(root_entries[i].kind, 0, 0);
		*name = root_entries[i].name;
	} else if (KIND(id) == K_ROOT && (c = nth_proc(i - NROOT))) {
		eid = ID(K_PID, c->pid, 0);
		snprintf(num, sizeof num, "%d", c->pid);
		*name = num;
	} else if (KIND(id) == K_PID && q && i < NPID) {
		eid = ID(pid_entries[i].kind, q->pid, 0);
		*name = pid_entries[i].name;
	} else if (KIND(id) == K_FDDIR && q) {
		unsigned fd = 0;
		for (; fd < MAX_FD; fd++)
			if (q->fds[fd].kind && !i--)
				break;
		if (fd == MAX_FD)
			return false;
		eid = ID(K_FD, q->pid, fd);
		snprintf(num, sizeof num, "%u", fd);
		*name = num;
	} else {
		return false;
	}
	struct sdesc d;
	procfs_desc(eid, &d);
	*mode = d.mode;
	*ino = d.ino;
	return true;
}

static long
procfs_child(uint32_t dir, const char *name)
{
	return child(dir, name, strlen(name));
}

static uint32_t
procfs_parent(uint32_t id)
{
	if (KIND(id) == K_FD)
		return ID(K_FDDIR, PID(id), 0);
	if (KIND(id) == K_PID || !PID(id))
		return ID(K_ROOT, 0, 0);
	return ID(K_PID, PID(id), 0);
}

static long
procfs_name(uint32_t id, char *out, size_t size)
{
	const struct entry *e = entry_of(KIND(id));
	if (KIND(id) == K_PID)
		snprintf(out, size, "%d", PID(id));
	else if (KIND(id) == K_FD)
		snprintf(out, size, "%u", FDNUM(id));
	else
		snprintf(out, size, "%s", KIND(id) == K_ROOT ? "" : e->name);
	return 0;
}

const struct fs_ops procfs_ops = {"proc", procfs_child, procfs_parent,
				  procfs_name, procfs_desc, procfs_readlink,
				  procfs_dirent};

long
procfs_read(uint32_t id, uint64_t off, uint8_t *dst, uint64_t len)
{
	const struct entry *e = entry_of(KIND(id));
	struct proc *q = pget(PID(id));
	if (KIND(id) == K_MEM)
		return mem_read(q, off, dst, len);
	if (!e || !e->gen)
		return -LX_EINVAL;
	if (PID(id) && !q)
		return -LX_ESRCH; /* the process has gone */
	text_len = 0;
	e->gen(q);
	if (off >= text_len)
		return 0;
	if (len > text_len - off)
		len = text_len - off;
	memcpy(dst, text + off, len);
	return (long)len;
}

/* Only /proc/PID/roles is written, and only by process PID itself. */
long
procfs_may_write(struct proc *p, uint32_t id)
{
	return KIND(id) == K_ROLES && pget(PID(id)) == proc_tg(p)
		       ? 0
		       : -LX_EACCES;
}

long
procfs_write(uint32_t id, int writer, const uint8_t *src, uint64_t len)
{
	struct proc *q = pget(PID(id)), *w = pget((uint64_t)writer);
	if (KIND(id) != K_ROLES)
		return -LX_EBADF;
	if (!q)
		return -LX_ESRCH;
	if (w != q)
		return -LX_EACCES; /* a descriptor passed on to another */
	if (ptrace_traced(q))
		return -LX_EPERM; /* its tracer would act through it */
	return roles_take(q, src, len);
}

static void
gen_roles(struct proc *q)
{
	text_len = roles_text(q, text, sizeof text);
}

/* Append to the file being made. */
static void __attribute__((format(printf, 1, 2)))
put(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(text + text_len, sizeof text - text_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		text_len += (size_t)n < sizeof text - text_len
				    ? (size_t)n
				    : sizeof text - text_len - 1;
}

/* The memory a process has mapped, in bytes. */
static uint64_t
mem_bytes(const struct proc *q)
{
	return (uint64_t)q->npages * 4096;
}

/* T stopped; S waiting for the process server (wait4, pause, a sleep,
 * poll); otherwise R (a process blocked in another server counts as
 * running: the process server cannot see it). */
static char
state(const struct proc *q)
{
	if (q->sig.stopped)
		return 'T';
	bool waits = q->waiting || q->sig.suspend_reply ||
		     time_sleeping(q) || poll_waiting(q);
	return waits ? 'S' : 'R';
}

static unsigned
nprocs(void)
{
	unsigned n = 0;
	while (nth_proc(n))
		n++;
	return n;
}

/* Memory nobody holds: the total less each process's untyped (the
 * process server's own use, tmpfs data and pipes, is not counted). */
static void
gen_meminfo(struct proc *q)
{
	uint64_t held = (uint64_t)nprocs() << PROC_UNTYPED_BITS;
	uint64_t free = mem_total > held ? mem_total - held : 0;
	(void)q;
	put("%-16s%8lu kB\n", "MemTotal:", (unsigned long)(mem_total >> 10));
	put("%-16s%8lu kB\n", "MemFree:", (unsigned long)(free >> 10));
	put("%-16s%8lu kB\n", "MemAvailable:", (unsigned long)(free >> 10));
	put("%-16s%8lu kB\n", "Buffers:", 0ul);
	put("%-16s%8lu kB\n", "SwapTotal:", 0ul);
	put("%-16s%8lu kB\n", "SwapFree:", 0ul);
}

static void
gen_uptime(struct proc *q)
{
	uint64_t cs = time_mono_ns() / 10000000ull; /* hundredths */
	(void)q;
	put("%lu.%02lu 0.00\n", (unsigned long)(cs / 100),
	    (unsigned long)(cs % 100));
}

static void
gen_loadavg(struct proc *q)
{
	unsigned running = 0, last = 0;
	(void)q;
	for (unsigned k = 0; nth_proc(k); k++) {
		running += state(nth_proc(k)) == 'R';
		last = (unsigned)nth_proc(k)->pid;
	}
	put("0.00 0.00 0.00 %u/%u %u\n", running, nprocs(), last);
}

/* CPU time is not measured yet: every counter reads 0. */
static void
gen_stat(struct proc *q)
{
	unsigned running = 0;
	(void)q;
	for (unsigned k = 0; nth_proc(k); k++)
		running += state(nth_proc(k)) == 'R';
	put("cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\n"
	    "intr 0\nctxt 0\nbtime %lu\nprocs_running %u\nprocs_blocked 0\n"
	    "softirq 0 0 0 0 0 0 0 0 0 0 0\n",
	    (unsigned long)((time_real_ns() - time_mono_ns()) / 1000000000ull),
	    running);
}

/* The mounts of q's namespace (ns.c). */
static void
gen_mounts(struct proc *q)
{
	text_len += ns_mounts_text(q->ns, text + text_len,
				   sizeof text - text_len);
}

/* Its limits and what it uses of them (quota.c). */
static void
gen_quota(struct proc *q)
{
	text_len += quota_text(q, text + text_len, sizeof text - text_len);
}

static void
gen_cmdline(struct proc *q)
{
	memcpy(text, q->cmdline, q->cmdline_len);
	text_len = q->cmdline_len;
}

static void
gen_comm(struct proc *q)
{
	put("%.15s\n", q->name);
}

/* Sort n words in place (Shell's sort: the page list is not ordered). */
/* One line of maps: a region, with the file it maps (by its path) or
 * what it is ([heap], [stack]). */
static void
map_line(const struct proc *q, const struct vma *v)
{
	static char path[256];
	size_t start = text_len;
	const char *name = v->start <= q->sp && q->sp <= v->end ? "[stack]"
			   : v->start == q->brk_start && v->start < q->brk
				   ? "[heap]"
				   : NULL;
	bool file = v->node >= 0 && !(tmpfs_node(v->node)->nlink == 0);
	if (file && !tmpfs_path(v->node, path, sizeof path))
		name = path[0] ? path : "/";
	put("%08lx-%08lx %c%c%c%c %08lx 00:00 %d ", (unsigned long)v->start,
	    (unsigned long)v->end, v->prot & UX_R_READ ? 'r' : '-',
	    v->prot & UX_R_WRITE ? 'w' : '-', v->prot & UX_R_EXEC ? 'x' : '-',
	    v->flags & VM_SHARED ? 's' : 'p', (unsigned long)v->off,
	    file ? v->node : 0);
	if (name)
		put("%*s%s", (int)(73 - (text_len - start)), "", name);
	put("\n");
}

/* The regions, in address order. */
static void
gen_maps(struct proc *q)
{
	for (unsigned i = 0; i < q->nvma; i++)
		map_line(q, &q->vmas[i]);
}

/* Signals ignored (SIG_IGN) or caught (a handler), as masks. */
static uint64_t
sig_mask(const struct proc *q, bool caught)
{
	uint64_t m = 0;
	for (unsigned s = 0; s < 64; s++)
		if (caught ? q->sig.act[s][0] > 1 : q->sig.act[s][0] == 1)
			m |= 1ull << s;
	return m;
}

static void
gen_pstat(struct proc *q)
{
	put("%d (%.15s) %c %d %d %d 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %lu "
	    "%lu %lu %lu 0 0 0 0 0 0 %lu %lu %lu 0 0 0 17 0 0 0 0 0 0 0 0 "
	    "%lu 0 0 0 0 0\n",
	    q->pid, q->name, state(q), q->ppid, q->pgid, q->sid,
	    (unsigned long)(q->start_ns / NS_PER_TICK),
	    (unsigned long)mem_bytes(q), (unsigned long)(mem_bytes(q) / 4096),
	    (unsigned long)q->rlim[5][0], (unsigned long)q->sig.mask,
	    (unsigned long)sig_mask(q, false), (unsigned long)sig_mask(q, true),
	    (unsigned long)q->brk_start);
}

static void
gen_status(struct proc *q)
{
	unsigned long kb = (unsigned long)(mem_bytes(q) >> 10);
	put("Name:\t%.15s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\n"
	    "Pid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
	    q->name, q->umask,
	    state(q) == 'R'   ? "R (running)"
	    : state(q) == 'T' ? "T (stopped)"
			      : "S (sleeping)",
	    q->pid, q->pid,
	    q->ppid);
	put("Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\n"
	    "Groups:\t\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
	    q->uid, q->uid, q->uid, q->uid, q->gid, q->gid, q->gid, q->gid,
	    MAX_FD, q->pid, q->pid, q->pgid, q->sid);
	put("VmSize:\t%8lu kB\nVmRSS:\t%8lu kB\nThreads:\t%d\n", kb, kb,
	    q->nthreads);
	put("SigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\n"
	    "SigIgn:\t%016lx\nSigCgt:\t%016lx\n",
	    (unsigned long)q->sig.pending, (unsigned long)q->sig.shared,
	    (unsigned long)q->sig.mask,
	    (unsigned long)sig_mask(q, false), (unsigned long)sig_mask(q, true));
}
