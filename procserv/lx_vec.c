/*
 * lx_vec.c - readv, writev, preadv and pwritev: the vector forms of read
 * and write. The kernel's file transport carries readv and writev on an
 * open file to its server itself (one request per buffer), so those
 * reach us only to be refused (a bad count, a bad iovec array: EINVAL,
 * EFAULT, EBADF), when they ask for nothing, or when the file's server
 * went away during the call; preadv and pwritev always come here.
 *
 * For the files the process server serves itself (tmpfs, /dev, /proc,
 * pipes) each piece is a request to of_request, the code the transport
 * reaches for read and write. A write gathers up to a long message's
 * worth (64 KiB) of the buffers into one request. The console's writes
 * take write's path (lx_console_write). A read that would have to wait
 * (a pipe, the console) cannot wait here: it is EIO (its server went
 * away, or the process server would have to wait for it).
 */
#include "procserv.h"
#include "lx_errno.h"

#define IOV_MAX 1024 /* Linux's UIO_MAXIOV */

static uint64_t iov[2 * IOV_MAX]; /* base, length; base, length; ... */
static uint64_t niov;

/* The caller's iovec array into iov[]; its total length, or -errno. */
static long
load_iov(struct proc *p, uint64_t va, uint64_t cnt)
{
	uint64_t total = 0;
	if (cnt > IOV_MAX)
		return -LX_EINVAL;
	if (cnt && proc_copy_in(p, iov, va, cnt * 16))
		return -LX_EFAULT;
	for (uint64_t i = 0; i < cnt; i++) {
		uint64_t len = iov[2 * i + 1];
		if ((int64_t)len < 0 || len > (uint64_t)INT64_MAX - total)
			return -LX_EINVAL; /* the sum overflows ssize_t */
		total += len;
	}
	niov = cnt;
	return (long)total;
}

/* One request to our own open file, as the file transport makes it:
 * FILE_READ or FILE_WRITE of n bytes at off (a write's data in
 * ps_msgbuf). The result, or LX_LATER if it is answered later. */
static long
request(struct proc *p, uint64_t fd, unsigned op, uint64_t off, uint64_t n)
{
	struct ux_msg m = {.info = ux_msginfo(op, 2, 0,
					      op == UX_FILE_WRITE ? UX_MI_LONG
								  : 0),
			   .badge = OF_BADGE_MAKE(p->pid, p->fds[fd].of),
			   .mr = {off, n}};
	ux_ipcbuf()->long_xfer = n;
	if (!of_request(&m))
		return LX_LATER;
	return (long)m.mr[0];
}

/* Read into the buffers in turn from our file fd at off (or its own
 * offset), until one comes back short. */
static long
file_readv(struct proc *p, uint64_t fd, uint64_t off)
{
	long done = 0;
	for (uint64_t i = 0; i < niov; i++) {
		for (uint64_t at = 0; at < iov[2 * i + 1];) {
			uint64_t n = iov[2 * i + 1] - at;
			n = n < UX_MSG_LONG_MAX ? n : UX_MSG_LONG_MAX;
			long r = request(p, fd, UX_FILE_READ, off, n);
			if (r > 0 && proc_copy_out(p, iov[2 * i] + at,
						   (void *)ux_ipcbuf()->send_buf,
						   (size_t)r))
				r = -LX_EFAULT;
			if (r < 0)
				return done ? done : r;
			done += r;
			at += (uint64_t)r;
			if (off != UX_FILE_OFFSET_NONE)
				off += (uint64_t)r;
			if ((uint64_t)r < n)
				return done;
		}
	}
	return done;
}

/* Gather the buffers from (*i, *at) on into ps_msgbuf, at most a long
 * message; the bytes gathered, or -EFAULT if none could be. */
static long
gather(struct proc *p, uint64_t *i, uint64_t *at)
{
	uint64_t n = 0;
	for (; *i < niov && n < UX_MSG_LONG_MAX; (*i)++, *at = 0) {
		uint64_t k = iov[2 * *i + 1] - *at;
		k = k < UX_MSG_LONG_MAX - n ? k : UX_MSG_LONG_MAX - n;
		if (proc_copy_in(p, ps_msgbuf + n, iov[2 * *i] + *at, k))
			return n ? (long)n : -LX_EFAULT;
		n += k;
		*at += k;
		if (*at < iov[2 * *i + 1])
			break;
	}
	return (long)n;
}

/* Write the buffers to our file fd at off (or its own offset), a long
 * message at a time; a pipe takes one (it may answer later). */
static long
file_writev(struct proc *p, uint64_t fd, uint64_t off, bool once)
{
	uint64_t i = 0, at = 0;
	long done = 0;
	for (;;) {
		long n = gather(p, &i, &at);
		if (n <= 0)
			return done ? done : n;
		long r = request(p, fd, UX_FILE_WRITE, off, (uint64_t)n);
		if (r == LX_LATER || r < 0)
			return done ? done : r;
		done += r;
		if (off != UX_FILE_OFFSET_NONE)
			off += (uint64_t)r;
		if (r < n || once)
			return done;
	}
}

static long
console_writev(struct proc *p)
{
	long done = 0;
	for (uint64_t i = 0; i < niov; i++) {
		long r = lx_console_write(p, iov[2 * i], iov[2 * i + 1]);
		if (r < 0)
			return done ? done : r;
		done += r;
	}
	return done;
}

/* The common part; at: the offset is an argument (preadv, pwritev). */
static long
vec(struct proc *p, uint64_t *regs, bool write, bool at)
{
	uint64_t fd = regs[UX_REG_RDI];
	uint64_t off = at ? regs[UX_REG_R10] : UX_FILE_OFFSET_NONE;
	if (!fd_is(p, fd, FD_FILE) && !fd_is(p, fd, FD_CONSOLE))
		return -LX_EBADF;
	long total = load_iov(p, regs[UX_REG_RSI], regs[UX_REG_RDX]);
	if (total < 0)
		return total;
	if (at && (int64_t)off < 0)
		return -LX_EINVAL;
	if (at && (fd_is(p, fd, FD_CONSOLE) || of_may_wait(p, fd)))
		return -LX_ESPIPE; /* a pipe or a terminal */
	if (!total)
		return 0;
	if (fd_is(p, fd, FD_CONSOLE))
		return write ? console_writev(p) : -LX_EIO;
	if (!write)
		return of_may_wait(p, fd) ? -LX_EIO : file_readv(p, fd, off);
	return file_writev(p, fd, off, of_may_wait(p, fd));
}

long
lx_readv(struct proc *p, uint64_t *regs)
{
	return vec(p, regs, false, false);
}

long
lx_writev(struct proc *p, uint64_t *regs)
{
	return vec(p, regs, true, false);
}

/* The offset is one 64-bit register (pos_l; pos_h is unused on
 * x86-64). */
long
lx_preadv(struct proc *p, uint64_t *regs)
{
	return vec(p, regs, false, true);
}

long
lx_pwritev(struct proc *p, uint64_t *regs)
{
	return vec(p, regs, true, true);
}
