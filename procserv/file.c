/*
 * file.c - open files the process server serves itself: tmpfs files
 * (tmpfs.c), the device files of /dev, and pipe ends (pipe.c).
 *
 * /proc's files (procfs.c) are open files here too. open resolves its
 * path in the caller's namespace (ns.c); an open file remembers the
 * mount it was opened through (which that keeps busy) and its node
 * there. Opening a port of /ports (or /dev/console) gives a capability
 * to its server instead (ports.c).
 *
 * An open file is an entry in the open-file table; a process holds it as
 * our endpoint badged with its index and the pid (OF_BADGE_MAKE) in its
 * descriptor slot, so read, pread64 and lseek arrive here straight from
 * the kernel's file transport (uxrt/file.h), not as faults. open, stat,
 * getdents and close are system calls that reach us as faults (linux.c
 * calls in here).
 *
 * The device directory (mounted on /dev) is here too: devfs_ops.
 */
#include "procserv.h"
#include "lx_errno.h"

#define O_ACCMODE 3
#define O_DIRECTORY 0200000
#define O_CREAT 0100
#define O_TRUNC 01000
#define O_EXCL 0200
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_NOFOLLOW 0400000
#define O_CLOEXEC 02000000

/* Device files of /dev that we serve (the console is the console
 * server's port): name, Linux device number. Node id i + 1 of the
 * device directory is devfiles[i]; its root is 0. */
enum { DEV_NONE, DEV_NULL, DEV_ZERO, DEV_FULL, DEV_URANDOM };
static const struct devfile {
	const char *name;
	int dev;          /* DEV_*, or -1: the console */
	unsigned major, minor;
} devfiles[] = {
	{"null", DEV_NULL, 1, 3},       {"zero", DEV_ZERO, 1, 5},
	{"full", DEV_FULL, 1, 7},       {"random", DEV_URANDOM, 1, 8},
	{"urandom", DEV_URANDOM, 1, 9}, {"tty", -1, 5, 0},
	{"console", -1, 5, 1},   {"ttyS0", -1, 4, 64},
};
#define NDEV (sizeof devfiles / sizeof devfiles[0])

static struct ofile {
	unsigned refs;
	int dev;         /* DEV_*: a device file */
	int pipe;        /* a pipe end (pipe.c): pipe number, else -1 */
	bool pipe_write; /* ... its write end */
	bool vdir;       /* the device directory or /ports */
	int node;        /* a tmpfs node, else -1 */
	uint32_t pfs;    /* a /proc entry: its id + 1, else 0 */
	int mnt;         /* the mount it is in (not a pipe), else -1 */
	uint32_t id;     /* its node there */
	uint64_t flags;  /* open flags (access mode, O_APPEND) */
	uint64_t off;
} ofiles[MAX_OFILES];

bool
path_normalise(const char *cwd, const char *path, char *out, size_t size)
{
	char tmp[512];
	size_t n = 0;
	int len = snprintf(tmp, sizeof tmp, "%s/%s", path[0] == '/' ? "" : cwd,
			   path);
	if (len < 0 || (size_t)len >= sizeof tmp)
		return false;
	out[0] = '\0';
	for (char *c = tmp, *next; *c; c = next) {
		while (*c == '/')
			c++;
		next = c;
		while (*next && *next != '/')
			next++;
		size_t l = (size_t)(next - c);
		if (!l || (l == 1 && c[0] == '.'))
			continue;
		if (l == 2 && c[0] == '.' && c[1] == '.') {
			while (n && out[n - 1] != '/')
				n--;
			if (n)
				n--;
			out[n] = '\0';
			continue;
		}
		if (n + l + 2 > size)
			return false;
		if (n)
			out[n++] = '/';
		memcpy(out + n, c, l);
		n += l;
		out[n] = '\0';
	}
	return true;
}

void
of_ref(unsigned of)
{
	ofiles[of].refs++;
}

void
of_unref(unsigned of)
{
	struct ofile *f = &ofiles[of];
	if (!f->refs || --f->refs)
		return;
	if (f->pipe >= 0)
		pipe_end_closed(f->pipe, f->pipe_write);
	if (f->node >= 0)
		tmpfs_ref(f->node, -1);
	int mnt = f->mnt;
	f->mnt = -1;
	ns_file_closed(mnt);
}

bool
of_busy(int mnt, bool writers)
{
	for (unsigned of = 0; of < MAX_OFILES; of++)
		if (ofiles[of].refs && ofiles[of].mnt == mnt &&
		    (!writers ||
		     ((ofiles[of].flags & O_ACCMODE) && !ofiles[of].dev)))
			return true;
	return false;
}

/* A free open-file entry, or -1. */
static int
of_alloc(void)
{
	for (unsigned of = 0; of < MAX_OFILES; of++)
		if (!ofiles[of].refs)
			return (int)of;
	return -1;
}

/* A free open-file entry for one end of pipe number pipe; -1: none. */
int
of_new_pipe_end(int pipe, bool write, uint64_t flags)
{
	int of = of_alloc();
	if (of >= 0)
		ofiles[of] = (struct ofile){.pipe = pipe, .pipe_write = write,
					    .node = -1, .mnt = -1,
					    .flags = (write ? 1 : 0) |
						     (flags & O_NONBLOCK)};
	return of;
}

/* F_GETFL: the access mode and the status flags kept (O_APPEND,
 * O_NONBLOCK) of what descriptor fd names. */
long
of_getfl(struct proc *p, uint64_t fd)
{
	p = proc_tg(p);
	if (fd_is(p, fd, FD_CONSOLE) || fd_is(p, fd, FD_PORT))
		return ports_getfl(p->fds[fd].of);
	if (!fd_is(p, fd, FD_FILE))
		return -LX_EBADF;
	return (long)(ofiles[p->fds[fd].of].flags &
		      (O_ACCMODE | O_APPEND | O_NONBLOCK));
}

/* F_SETFL: O_APPEND and O_NONBLOCK of an open file (every descriptor
 * of it sees them, as on Linux). A port's open file (the console's too)
 * keeps them in its server's open table, where the server reads them
 * (ports.c). The other flags Linux lets F_SETFL change (O_ASYNC,
 * O_DIRECT, O_NOATIME) are ignored, as Linux ignores the ones a file
 * does not support. */
long
of_setfl(struct proc *p, uint64_t fd, uint64_t fl)
{
	p = proc_tg(p);
	if (fd_is(p, fd, FD_CONSOLE) || fd_is(p, fd, FD_PORT))
		return ports_setfl(p->fds[fd].of, fl);
	if (!fd_is(p, fd, FD_FILE))
		return -LX_EBADF;
	struct ofile *f = &ofiles[p->fds[fd].of];
	f->flags = (f->flags & ~(uint64_t)(O_APPEND | O_NONBLOCK)) |
		   (fl & (O_APPEND | O_NONBLOCK));
	return 0;
}

static bool
is_dir(const struct tnode *t)
{
	return (t->mode & 0170000) == 0040000;
}

/* A new open file f (its references not yet taken) in p's lowest free
 * descriptor. */
static long
install(struct proc *p, struct ofile f, uint64_t flags)
{
	int fd = fd_free(p, 0), of = of_alloc();
	if (fd < 0)
		return -LX_EMFILE;
	if (of < 0)
		return -LX_ENFILE;
	f.refs = 0;
	f.flags = flags;
	ofiles[of] = f;
	if (f.node >= 0)
		tmpfs_ref(f.node, 1);
	if (fd_install(p, (unsigned)fd, FD_FILE, (unsigned)of,
		       flags & O_CLOEXEC)) {
		if (f.node >= 0)
			tmpfs_ref(f.node, -1);
		return -LX_ENOMEM;
	}
	return fd;
}

/* The permission an open of what normalised path norm names (described
 * by d) asks: read, write (also to truncate), each checked. */
static long
open_check(struct proc *p, const char *norm, const struct sdesc *d,
	   uint64_t flags)
{
	unsigned acc = flags & O_ACCMODE;
	long e = 0;
	if (acc != 1) /* not O_WRONLY */
		e = sec_check(p, norm, PERM_READ, d);
	if (!e && (acc != 0 || (flags & O_TRUNC))) /* not O_RDONLY */
		e = sec_check(p, norm, PERM_WRITE, d);
	return e;
}

static long
open_allowed(struct proc *p, const struct nspath *r, uint64_t flags)
{
	struct sdesc d;
	if (ns_desc(r->mnt, r->id, &d))
		return -LX_ENOENT;
	return open_check(p, r->path, &d, flags);
}

/* Port id of /ports, reached through whatever path (another mount of
 * the ports file system, /dev/console): its own name /ports/NAME must
 * allow the open too, so that no alias gets round an entry on it. */
static long
open_port_id(struct proc *p, uint32_t id, uint64_t flags)
{
	char norm[64];
	struct sdesc d;
	long e = ports_path(id, norm, sizeof norm, &d);
	if (!e)
		e = open_check(p, norm, &d, flags);
	return e ? e : ports_open(p, id, flags);
}

/* The device directory or /ports: a directory to list, read only. */
static long
open_vdir(struct proc *p, const struct nspath *r, uint64_t flags)
{
	if (flags & O_ACCMODE)
		return -LX_EISDIR;
	return install(p, (struct ofile){.vdir = true, .pipe = -1, .node = -1,
					 .mnt = r->mnt, .id = r->id},
		       flags);
}

static long
open_dev(struct proc *p, const struct nspath *r, uint64_t flags)
{
	if (!r->id)
		return open_vdir(p, r, flags);
	const struct devfile *d = &devfiles[r->id - 1];
	if (flags & O_DIRECTORY)
		return -LX_ENOTDIR;
	if (ns_nodev(r->mnt))
		return -LX_EACCES;
	if (d->dev < 0) { /* the console: its server's port */
		long port = ports_ops.child(0, "console");
		return port < 0 ? -LX_ENXIO
				: open_port_id(p, (uint32_t)port, flags);
	}
	return install(p, (struct ofile){.dev = d->dev, .pipe = -1,
					 .node = -1, .mnt = r->mnt,
					 .id = r->id},
		       flags);
}

/* /ports, or a port in it (its server's endpoint: ports.c). */
static long
open_port(struct proc *p, const struct nspath *r, uint64_t flags)
{
	if (!r->id)
		return open_vdir(p, r, flags);
	if (flags & O_DIRECTORY)
		return -LX_ENOTDIR;
	return ns_nodev(r->mnt) ? -LX_EACCES : open_port_id(p, r->id, flags);
}

/* read, write and seek on a device file. */
static void
dev_request(struct ofile *f, struct ux_msg *m)
{
	static uint8_t bytes[UX_MSG_LONG_MAX];
	uint64_t op = ux_mi_label(m->info), cnt = m->mr[1];
	int64_t r = 0;
	unsigned fl = 0;
	if (op == UX_FILE_READ) {
		uint64_t n = f->dev == DEV_NULL ? 0 : cnt < sizeof bytes ? cnt : sizeof bytes;
		if (f->dev == DEV_URANDOM)
			random_bytes(bytes, n);
		else
			memset(bytes, 0, n);
		ux_ipcbuf()->send_buf = (uint64_t)bytes;
		ux_ipcbuf()->send_len = n;
		fl = n ? UX_MI_LONG : 0;
		r = (int64_t)n;
	} else if (op == UX_FILE_WRITE) {
		r = f->dev == DEV_FULL ? -LX_ENOSPC : (int64_t)cnt;
	}
	m->info = ux_msginfo(0, 1, 0, fl);
	m->mr[0] = (uint64_t)r;
}

/* Open /proc entry id: read only, like Linux's for anyone but root,
 * but for a process's own roles file (procfs_may_write). */
static long
open_proc(struct proc *p, const struct nspath *r, uint64_t flags)
{
	struct sdesc d;
	long e = procfs_desc(r->id, &d);
	if (e)
		return e;
	if ((d.mode & 0170000) == 0120000)
		return -LX_ELOOP; /* O_NOFOLLOW on a symbolic link */
	if ((flags & O_DIRECTORY) && (d.mode & 0170000) != 0040000)
		return -LX_ENOTDIR;
	if ((d.mode & 0170000) == 0040000 && (flags & O_ACCMODE))
		return -LX_EISDIR;
	if (((flags & O_ACCMODE) || (flags & O_TRUNC)) &&
	    (e = procfs_may_write(p, r->id)))
		return e;
	return install(p, (struct ofile){.pipe = -1, .node = -1,
					 .pfs = r->id + 1, .mnt = r->mnt,
					 .id = r->id},
		       flags);
}

/* A tmpfs node. */
static long
open_node(struct proc *p, const struct nspath *r, uint64_t flags)
{
	struct tnode *t = tmpfs_node((int)r->id);
	if ((t->mode & 0170000) == 0120000)
		return -LX_ELOOP; /* O_NOFOLLOW on a symbolic link */
	if ((flags & O_DIRECTORY) && !is_dir(t))
		return -LX_ENOTDIR;
	if (is_dir(t) && (flags & O_ACCMODE))
		return -LX_EISDIR;
	if (!is_dir(t) && ns_readonly(r->mnt) &&
	    ((flags & O_ACCMODE) || (flags & O_TRUNC)))
		return -LX_EROFS;
	if ((flags & O_TRUNC) && (flags & O_ACCMODE)) {
		long e = tmpfs_truncate(t, 0);
		if (e)
			return e;
	}
	return install(p, (struct ofile){.node = (int)r->id, .pipe = -1,
					 .mnt = r->mnt, .id = r->id},
		       flags);
}

long
of_open(struct proc *p, const char *path, uint64_t flags, uint32_t mode)
{
	p = proc_tg(p);
	struct nspath r;
	bool creat = flags & O_CREAT, excl = creat && (flags & O_EXCL);
	unsigned how = ((flags & O_NOFOLLOW) || excl ? 0 : NS_FOLLOW) |
		       (creat ? NS_CREATE : 0);
	long e = ns_lookup(p, path, how, &r);
	if (e)
		return e;
	if (r.found && excl)
		return -LX_EEXIST;
	if (!r.found && r.slash)
		return -LX_EISDIR;
	mode = 0100000 | (mode & 07777 & ~p->umask);
	bool made = !r.found; /* its maker may open it whatever its mode */
	if (made && (e = ns_create(p, &r, mode)))
		return e;
	if (!made && (e = open_allowed(p, &r, flags)))
		return e;
	switch (ns_fs(r.mnt)) {
	case FS_PROC:
		return open_proc(p, &r, flags);
	case FS_DEV:
		return open_dev(p, &r, flags);
	case FS_PORTS:
		return open_port(p, &r, flags);
	default:
		return open_node(p, &r, flags);
	}
}

long
of_sec(struct proc *p, uint64_t fd, unsigned op)
{
	p = proc_tg(p);
	char path[256];
	if (!fd_is(p, fd, FD_FILE))
		return -LX_EBADF;
	struct ofile *f = &ofiles[p->fds[fd].of];
	if (f->mnt < 0 || ns_path_of(f->mnt, f->id, path, sizeof path))
		return sec_check(p, "@anonymous", op, NULL) ? -LX_EPERM : 0;
	return sec_at(p, f->mnt, f->id, path, op);
}

long
of_path(struct proc *p, uint64_t fd, char *out, size_t size)
{
	p = proc_tg(p);
	if (!fd_is(p, fd, FD_FILE))
		return -LX_EBADF;
	struct ofile *f = &ofiles[p->fds[fd].of];
	if (f->mnt < 0 || size < 2 || ns_path_of(f->mnt, f->id, out + 1, size - 1))
		return -LX_ENOENT;
	out[0] = '/';
	return 0;
}

int
of_node(struct proc *p, uint64_t fd)
{
	p = proc_tg(p);
	if (!fd_is(p, fd, FD_FILE))
		return -1;
	return ofiles[p->fds[fd].of].node;
}

long
of_mmap(struct proc *p, uint64_t fd, int *node)
{
	p = proc_tg(p);
	if (fd_is(p, fd, FD_CONSOLE) || fd_is(p, fd, FD_PORT)) {
		*node = -2;
		return 2;
	}
	if (!fd_is(p, fd, FD_FILE))
		return -LX_EBADF;
	struct ofile *f = &ofiles[p->fds[fd].of];
	struct tnode *t = tmpfs_node(f->node);
	*node = f->dev == DEV_ZERO		       ? -1
		: t && (t->mode & 0170000) == 0100000 ? f->node
						       : -2;
	return f->dev ? 2 : (long)(f->flags & O_ACCMODE);
}

/* Read up to len bytes at off of tmpfs file or /proc file f into dst. */
static long
file_read(struct ofile *f, uint64_t off, uint8_t *dst, uint64_t len)
{
	if (f->pfs)
		return procfs_read(f->pfs - 1, off, dst, len);
	return tmpfs_read(tmpfs_node(f->node), off, dst, len);
}

/* Whether open file f is a directory. */
static bool
file_is_dir(struct ofile *f)
{
	struct sdesc d = {0};
	return f->mnt >= 0 && !ns_desc(f->mnt, f->id, &d) &&
	       (d.mode & 0170000) == 0040000;
}

/* read, pread64, lseek and write on an open file; pipes go to pipe.c,
 * device files to dev_request. False if the answer comes later. */
bool
of_request(struct ux_msg *m)
{
	struct ofile *f = &ofiles[OF_BADGE_OF(m->badge)];
	struct ux_ipc_buffer *b = ux_ipcbuf();
	uint64_t op = ux_mi_label(m->info), a = m->mr[0], cnt = m->mr[1];
	int64_t r;
	unsigned fl = 0;

	if (f->refs && f->pipe >= 0)
		return pipe_request(f->pipe, f->pipe_write,
				    OF_BADGE_PID(m->badge),
				    f->flags & O_NONBLOCK, m);
	if (f->refs && f->dev) {
		dev_request(f, m);
		return true;
	}
	struct tnode *t = f->refs && !f->pfs ? tmpfs_node(f->node) : NULL;
	if (!f->refs || (!t && !f->pfs && !f->vdir)) {
		r = -LX_EBADF;
	} else if (op == UX_FILE_READ) {
		uint64_t off = a == UX_FILE_OFFSET_NONE ? f->off : a;
		if (file_is_dir(f)) {
			r = -LX_EISDIR;
		} else if ((f->flags & O_ACCMODE) == 1) {
			r = -LX_EBADF; /* write only */
		} else {
			r = file_read(f, off, ps_msgbuf,
				      cnt < UX_MSG_LONG_MAX ? cnt
							    : UX_MSG_LONG_MAX);
			b->send_buf = (uint64_t)ps_msgbuf;
			b->send_len = r > 0 ? (uint64_t)r : 0;
			fl = r > 0 ? UX_MI_LONG : 0;
			if (r > 0 && a == UX_FILE_OFFSET_NONE)
				f->off += (uint64_t)r;
		}
	} else if (op == UX_FILE_WRITE && f->pfs) {
		uint64_t got = (m->info & UX_MI_LONG) ? b->long_xfer : 0;
		r = !(f->flags & O_ACCMODE)
			    ? -LX_EBADF
			    : procfs_write(f->pfs - 1, OF_BADGE_PID(m->badge),
					   ps_msgbuf, got < cnt ? got : cnt);
		if (r == LX_LATER)
			return false; /* a wrong password: answered later */
	} else if (op == UX_FILE_WRITE) {
		uint64_t got = (m->info & UX_MI_LONG) ? b->long_xfer : 0;
		uint64_t off = a != UX_FILE_OFFSET_NONE ? a
			       : (f->flags & O_APPEND) ? t->size
						       : f->off;
		if (!(f->flags & O_ACCMODE)) {
			r = -LX_EBADF; /* read only (every /proc file) */
		} else {
			r = tmpfs_write(t, off, ps_msgbuf, got < cnt ? got : cnt);
			if (r > 0 && a == UX_FILE_OFFSET_NONE)
				f->off = off + (uint64_t)r;
		}
	} else if (op == UX_FILE_SEEK) {
		/* SEEK_END in /proc: EINVAL, as Linux's generated files */
		int64_t base = cnt == 0 ? 0 : cnt == 1 ? (int64_t)f->off
				      : cnt == 2 && t ? (int64_t)t->size : -1;
		int64_t to = base + (int64_t)a;
		r = base < 0 ? -LX_EINVAL : to < 0 ? -LX_EINVAL : to;
		if (r >= 0)
			f->off = (uint64_t)to;
	} else {
		r = -LX_ENOTTY;
	}
	m->info = ux_msginfo(0, 1, 0, fl);
	m->mr[0] = (uint64_t)r;
	return true;
}

static long
put_stat(struct proc *p, uint64_t va, const struct sdesc *d)
{
	uint64_t st[18] = {0};
	st[0] = d->dev ? d->dev : 1;
	st[1] = d->ino;
	st[2] = d->nlink ? d->nlink : 1;
	st[3] = d->mode | (uint64_t)d->uid << 32;
	st[4] = d->gid;
	st[5] = d->rdev;
	st[6] = d->size;
	st[7] = 4096;
	st[8] = (d->size + 511) / 512;
	st[9] = st[11] = st[13] = d->mtime;
	return proc_copy_out(p, va, st, 144) ? -LX_EFAULT : 0;
}

/* What descriptor fd is, for fstat. */
static long
fd_desc(struct proc *p, unsigned fd, struct sdesc *d)
{
	if (fd_is(p, fd, FD_CONSOLE)) {
		*d = (struct sdesc){.mode = 0020620, .uid = p->uid, .gid = 5,
				    .rdev = 4 << 8 | 64, .ino = 1000 + fd};
		return 0;
	}
	if (fd_is(p, fd, FD_PORT)) {
		*d = (struct sdesc){.mode = 0020666, .uid = p->uid,
				    .ino = (uint64_t)ports_ino(p->fds[fd].of)};
		return 0;
	}
	if (!fd_is(p, fd, FD_FILE))
		return -LX_EBADF;
	struct ofile *f = &ofiles[p->fds[fd].of];
	if (f->pipe >= 0) {
		*d = (struct sdesc){.mode = 0010600, .uid = p->uid,
				    .ino = 2000 + (unsigned)f->pipe};
		return 0;
	}
	return ns_desc(f->mnt, f->id, d);
}

/* fstat (path NULL), stat (fd 0) or lstat (fd 1). */
long
of_stat(struct proc *p, unsigned fd, const char *path, uint64_t va)
{
	p = proc_tg(p);
	struct sdesc d = {0};
	long e = path ? ns_stat(p, path, fd != 1, &d, NULL) : fd_desc(p, fd, &d);
	return e ? e : put_stat(p, va, &d);
}

long
of_dir_path(struct proc *p, uint64_t fd, char *out, size_t size)
{
	p = proc_tg(p);
	if (!fd_is(p, fd, FD_FILE))
		return fd_is(p, fd, FD_CONSOLE) ? -LX_ENOTDIR : -LX_EBADF;
	struct ofile *f = &ofiles[p->fds[fd].of];
	if (!file_is_dir(f))
		return -LX_ENOTDIR;
	return ns_path_of(f->mnt, f->id, out, size);
}

long
of_at(struct proc *p, int64_t dirfd, char *path, size_t size)
{
	p = proc_tg(p);
	char dir[256], tmp[512];
	long e = dirfd < 0 ? -LX_EBADF
			   : of_dir_path(p, (uint64_t)dirfd, dir, sizeof dir);
	if (e)
		return e;
	int n = snprintf(tmp, sizeof tmp, "/%s/%s", dir, path);
	if (n < 0 || (size_t)n >= size)
		return -LX_ENAMETOOLONG;
	memcpy(path, tmp, (size_t)n + 1);
	return 0;
}

long
of_fd_target(struct proc *p, unsigned fd, char *out, size_t size)
{
	p = proc_tg(p);
	char path[256];
	if (fd_is(p, fd, FD_CONSOLE)) {
		snprintf(out, size, "/dev/console");
		return 2;
	}
	if (fd_is(p, fd, FD_PORT)) {
		const char *name = ports_name(p->fds[fd].of);
		snprintf(out, size, "/ports/%s", name ? name : "(gone)");
		return 2;
	}
	if (!fd_is(p, fd, FD_FILE))
		return -LX_EBADF;
	struct ofile *f = &ofiles[p->fds[fd].of];
	if (f->pipe >= 0) {
		snprintf(out, size, "pipe:[%u]", 2000 + (unsigned)f->pipe);
		return f->pipe_write ? 1 : 0;
	}
	if (ns_path_of(f->mnt, f->id, path, sizeof path))
		snprintf(path, sizeof path, "%s (deleted)",
			 f->node >= 0 ? tmpfs_node(f->node)->name : "");
	snprintf(out, size, "/%s", path);
	return f->dev ? 2 : (long)(f->flags & O_ACCMODE);
}

bool
of_may_wait(struct proc *p, uint64_t fd)
{
	p = proc_tg(p);
	return fd_is(p, fd, FD_CONSOLE) || fd_is(p, fd, FD_PORT) ||
	       (fd_is(p, fd, FD_FILE) && ofiles[p->fds[fd].of].pipe >= 0);
}

/* Files, /dev and /proc never make a reader or writer wait (Linux's
 * DEFAULT_POLLMASK); a pipe end asks its pipe. */
unsigned
of_poll(struct proc *p, uint64_t fd, int *pipe)
{
	p = proc_tg(p);
	struct ofile *f = &ofiles[p->fds[fd].of];
	*pipe = f->pipe;
	if (f->pipe >= 0)
		return pipe_poll(f->pipe, f->pipe_write);
	return LX_POLLIN | LX_POLLRDNORM | LX_POLLOUT | LX_POLLWRNORM;
}

long
of_getdents(struct proc *p, unsigned fd, uint64_t va, uint64_t len)
{
	p = proc_tg(p);
	static uint8_t buf[4096];
	const char *name;
	uint32_t mode;
	uint64_t ino;
	size_t used = 0;

	if (!fd_is(p, fd, FD_FILE))
		return -LX_EBADF;
	struct ofile *f = &ofiles[p->fds[fd].of];
	if (!file_is_dir(f))
		return -LX_ENOTDIR;
	if (len > sizeof buf)
		len = sizeof buf;
	while (ns_dirent(f->mnt, f->id, f->off, &name, &mode, &ino)) {
		size_t nl = strlen(name), rec = (19 + nl + 1 + 7) & ~7ul;
		if (used + rec > len) {
			if (!used)
				return -LX_EINVAL;
			break;
		}
		uint8_t *d = buf + used;
		uint64_t next = f->off + 1;
		uint16_t reclen = (uint16_t)rec;
		memset(d, 0, rec);
		memcpy(d, &ino, 8);
		memcpy(d + 8, &next, 8);
		memcpy(d + 16, &reclen, 2);
		d[18] = (uint8_t)((mode >> 12) & 15); /* DT_* */
		memcpy(d + 19, name, nl);
		used += rec;
		f->off++;
	}
	return proc_copy_out(p, va, buf, used) ? -LX_EFAULT : (long)used;
}

/* --- the device directory (ns.c mounts it on /dev) ------------------- */

static long
dv_child(uint32_t dir, const char *name)
{
	if (dir)
		return -LX_ENOTDIR;
	for (unsigned i = 0; i < NDEV; i++)
		if (!strcmp(name, devfiles[i].name))
			return (long)i + 1;
	return -LX_ENOENT;
}

static long
dv_name(uint32_t id, char *out, size_t size)
{
	snprintf(out, size, "%s", id ? devfiles[id - 1].name : "");
	return 0;
}

static long
dv_desc(uint32_t id, struct sdesc *d)
{
	const struct devfile *f = id ? &devfiles[id - 1] : NULL;
	*d = f ? (struct sdesc){.mode = 0020666,
				.rdev = f->major << 8 | f->minor,
				.ino = 3000 + id}
	       : (struct sdesc){.mode = 0040755, .nlink = 2, .ino = 3000};
	return 0;
}

static bool
dv_dirent(uint32_t dir, uint64_t i, const char **name, uint32_t *mode,
	  uint64_t *ino)
{
	if (dir || i >= NDEV + 2)
		return false;
	*name = i == 0 ? "." : i == 1 ? ".." : devfiles[i - 2].name;
	*mode = i < 2 ? 0040000 : 0020000;
	*ino = i < 2 ? 3000 : 3000 + i - 1;
	return true;
}

const struct fs_ops devfs_ops = {"devtmpfs", dv_child, ns_flat_parent,
				 dv_name,    dv_desc,  NULL,
				 dv_dirent};
