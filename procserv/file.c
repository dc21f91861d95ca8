/*
 * file.c - files the process server serves itself: for now the initial
 * archive as a read-only root filesystem (tmpfs, writable, comes next).
 *
 * An open file is an entry in the open-file table; a process holds it as
 * our endpoint badged OF_BADGE + index in its descriptor slot, so read,
 * pread64 and lseek arrive here straight from the kernel's file transport
 * (uxrt/file.h), not as faults. open, stat, getdents and close are
 * system calls that reach us as faults (linux.c calls in here).
 */
#include "procserv.h"
#include "lx_errno.h"

#define MAX_OFILES 256
#define O_ACCMODE 3
#define O_DIRECTORY 0200000
#define O_CREAT 0100
#define O_TRUNC 01000

/* Device files of /dev that we serve (the console is the console
 * server's): name, Linux device number. */
enum { DEV_NONE, DEV_NULL, DEV_ZERO, DEV_FULL, DEV_URANDOM };
static const struct devfile {
	const char *name;
	int dev;          /* DEV_*, or -1: the console */
	unsigned major, minor;
} devfiles[] = {
	{"null", DEV_NULL, 1, 3},       {"zero", DEV_ZERO, 1, 5},
	{"full", DEV_FULL, 1, 7},       {"random", DEV_URANDOM, 1, 8},
	{"urandom", DEV_URANDOM, 1, 9}, {"tty", -1, 5, 0},
	{"console", -1, 5, 1},
};

static const struct devfile *
devfile(const char *norm)
{
	if (strncmp(norm, "dev/", 4))
		return NULL;
	for (unsigned i = 0; i < sizeof devfiles / sizeof devfiles[0]; i++)
		if (!strcmp(norm + 4, devfiles[i].name))
			return &devfiles[i];
	return NULL;
}

static struct ofile {
	unsigned refs;
	int dev;         /* DEV_*: a device file */
	int pipe;        /* a pipe end (pipe.c): pipe number, else -1 */
	bool pipe_write; /* ... its write end */
	struct cpio_entry e;
	unsigned ino;
	uint64_t off;
	char path[256]; /* normalised */
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
	if (ofiles[of].refs && !--ofiles[of].refs && ofiles[of].pipe >= 0)
		pipe_end_closed(ofiles[of].pipe, ofiles[of].pipe_write);
}

/* A free open-file entry for one end of pipe number pipe; -1: none. */
int
of_new_pipe_end(int pipe, bool write)
{
	for (unsigned of = 0; of < MAX_OFILES; of++) {
		if (ofiles[of].refs)
			continue;
		ofiles[of] = (struct ofile){.pipe = pipe, .pipe_write = write};
		return (int)of;
	}
	return -1;
}

static bool
is_dir(const struct cpio_entry *e)
{
	return (e->mode & 0170000) == 0040000;
}

static long
open_dev(struct proc *p, const struct devfile *d, uint64_t flags)
{
	int fd = fd_free(p, 0);
	unsigned of;
	if (flags & O_DIRECTORY)
		return -LX_ENOTDIR;
	if (fd < 0)
		return -LX_EMFILE;
	if (d->dev < 0) /* the console */
		return fd_install(p, (unsigned)fd, FD_CONSOLE, 0,
				  flags & 02000000)
			       ? -LX_ENXIO
			       : fd;
	for (of = 0; of < MAX_OFILES && ofiles[of].refs; of++)
		;
	if (of == MAX_OFILES)
		return -LX_ENFILE;
	ofiles[of] = (struct ofile){.dev = d->dev, .pipe = -1,
				    .ino = 3000 + d->minor};
	ofiles[of].e.mode = 0020666;
	ofiles[of].e.mtime = d->major << 8 | d->minor; /* rdev, for stat */
	return fd_install(p, (unsigned)fd, FD_FILE, of, flags & 02000000)
		       ? -LX_ENOMEM
		       : fd;
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

long
of_open(struct proc *p, const char *path, uint64_t flags)
{
	char norm[256];
	struct cpio_entry e;
	unsigned ino, of;

	if (!path_normalise(p->cwd, path, norm, sizeof norm))
		return -LX_ENAMETOOLONG;
	const struct devfile *d = devfile(norm);
	if (d)
		return open_dev(p, d, flags);
	if (!initrd_entry(norm, false, &e, &ino))
		return (flags & O_CREAT) ? -LX_EROFS : -LX_ENOENT;
	if ((flags & O_ACCMODE) != 0 || (flags & O_TRUNC))
		return is_dir(&e) ? -LX_EISDIR : -LX_EROFS;
	if ((flags & O_DIRECTORY) && !is_dir(&e))
		return -LX_ENOTDIR;
	for (of = 0; of < MAX_OFILES && ofiles[of].refs; of++)
		;
	int fd = fd_free(p, 0);
	if (of == MAX_OFILES)
		return -LX_ENFILE;
	if (fd < 0)
		return -LX_EMFILE;
	ofiles[of] = (struct ofile){.e = e, .ino = ino, .pipe = -1};
	snprintf(ofiles[of].path, sizeof ofiles[of].path, "%s", norm);
	long r = fd_install(p, (unsigned)fd, FD_FILE, of, flags & 02000000);
	return r ? -LX_ENOMEM : fd;
}

bool
of_is_request(const struct ux_msg *m)
{
	return m->badge >= OF_BADGE && m->badge < OF_BADGE + MAX_OFILES;
}

/* read, pread64, lseek and (refused) write on an open file; pipes go
 * to pipe.c. False if the answer comes later. */
bool
of_request(struct ux_msg *m)
{
	struct ofile *f = &ofiles[m->badge - OF_BADGE];
	struct ux_ipc_buffer *b = ux_ipcbuf();
	uint64_t op = ux_mi_label(m->info), a = m->mr[0], cnt = m->mr[1];
	int64_t r;
	unsigned fl = 0;

	if (f->refs && f->pipe >= 0)
		return pipe_request(f->pipe, f->pipe_write, m);
	if (f->refs && f->dev) {
		dev_request(f, m);
		return true;
	}
	if (!f->refs) {
		r = -LX_EBADF;
	} else if (op == UX_FILE_READ) {
		uint64_t off = a == UX_FILE_OFFSET_NONE ? f->off : a;
		if (is_dir(&f->e)) {
			r = -LX_EISDIR;
		} else {
			uint64_t n = off < f->e.size ? f->e.size - off : 0;
			if (n > cnt)
				n = cnt;
			b->send_buf = (uint64_t)f->e.data + off;
			b->send_len = n;
			fl = UX_MI_LONG;
			if (a == UX_FILE_OFFSET_NONE)
				f->off += n;
			r = (int64_t)n;
		}
	} else if (op == UX_FILE_SEEK) {
		int64_t base = cnt == 0 ? 0 : cnt == 1 ? (int64_t)f->off
				      : cnt == 2 ? (int64_t)f->e.size : -1;
		int64_t to = base + (int64_t)a;
		r = base < 0 ? -LX_EINVAL : to < 0 ? -LX_EINVAL : to;
		if (r >= 0)
			f->off = (uint64_t)to;
	} else if (op == UX_FILE_WRITE) {
		r = -LX_EBADF; /* opened read-only */
	} else {
		r = -LX_ENOTTY;
	}
	m->info = ux_msginfo(0, 1, 0, fl);
	m->mr[0] = (uint64_t)r;
	return true;
}

/* Linux's struct stat for an archive entry, or for the console. */
static long
put_stat(struct proc *p, uint64_t va, const struct cpio_entry *e,
	 unsigned ino)
{
	uint64_t st[18] = {0};
	st[0] = 1;   /* st_dev */
	st[1] = ino; /* st_ino */
	st[2] = 1;   /* st_nlink */
	if (e && (e->mode & 0170000) == 0020000) { /* our device files */
		st[3] = e->mode;
		st[5] = e->mtime; /* we keep rdev there */
	} else if (e) {
		st[3] = e->mode | (uint64_t)e->uid << 32;
		st[4] = e->gid;
		st[6] = e->size;
		st[8] = (e->size + 511) / 512;
		st[9] = st[11] = st[13] = e->mtime;
	} else {
		st[3] = 0020620 | (uint64_t)p->uid << 32; /* char device */
		st[4] = 5;                                /* group tty */
		st[5] = 4 << 8 | 64;                      /* ttyS0 */
	}
	st[7] = 4096; /* st_blksize */
	return proc_copy_out(p, va, st, 144) ? -LX_EFAULT : 0;
}

/* fstat (path NULL) or stat/lstat (fd < 0 for lstat: no following). */
long
of_stat(struct proc *p, unsigned fd, const char *path, uint64_t va)
{
	char norm[256];
	struct cpio_entry e;
	unsigned ino;
	if (!path) {
		if (fd_is(p, fd, FD_CONSOLE))
			return put_stat(p, va, NULL, 1000 + fd);
		if (!fd_is(p, fd, FD_FILE))
			return -LX_EBADF;
		struct ofile *f = &ofiles[p->fds[fd].of];
		if (f->pipe >= 0) {
			struct cpio_entry fifo = {.mode = 0010600};
			return put_stat(p, va, &fifo, 2000 + (unsigned)f->pipe);
		}
		return put_stat(p, va, &f->e, f->ino);
	}
	if (!*path)
		return -LX_ENOENT;
	if (!path_normalise(p->cwd, path, norm, sizeof norm))
		return -LX_ENAMETOOLONG;
	const struct devfile *d = devfile(norm);
	if (d) {
		struct cpio_entry de = {.mode = 0020666,
					.mtime = d->major << 8 | d->minor};
		return put_stat(p, va, &de, 3000 + d->minor);
	}
	if (!initrd_entry(norm, fd == 1, &e, &ino))
		return -LX_ENOENT;
	return put_stat(p, va, &e, ino);
}

long
of_getdents(struct proc *p, unsigned fd, uint64_t va, uint64_t len)
{
	static uint8_t buf[4096];
	struct cpio_entry e;
	const char *name;
	size_t used = 0;

	if (!fd_is(p, fd, FD_FILE))
		return -LX_EBADF;
	struct ofile *f = &ofiles[p->fds[fd].of];
	if (f->pipe >= 0 || !is_dir(&f->e))
		return -LX_ENOTDIR;
	if (len > sizeof buf)
		len = sizeof buf;
	bool dev = !strcmp(f->path, "dev");
	for (;;) {
		uint64_t pos = f->off;
		if (dev) {
			if (pos >= sizeof devfiles / sizeof devfiles[0])
				break;
			name = devfiles[pos].name;
			e = (struct cpio_entry){.mode = 0020666};
			pos++;
		} else if (!initrd_dirent(f->path, &pos, &e, &name)) {
			break;
		}
		size_t nl = strlen(name), rec = (19 + nl + 1 + 7) & ~7ul;
		if (used + rec > len) {
			if (!used)
				return -LX_EINVAL;
			break;
		}
		uint8_t *d = buf + used;
		uint64_t ino = pos, next = pos;
		uint16_t reclen = (uint16_t)rec;
		unsigned t = (e.mode >> 12) & 15; /* DT_* = S_IFMT >> 12 */
		memset(d, 0, rec);
		memcpy(d, &ino, 8);
		memcpy(d + 8, &next, 8);
		memcpy(d + 16, &reclen, 2);
		d[18] = (uint8_t)t;
		memcpy(d + 19, name, nl);
		used += rec;
		f->off = pos;
	}
	return proc_copy_out(p, va, buf, used) ? -LX_EFAULT : (long)used;
}
