/*
 * fd.c - a Linux process's descriptor table. The table here says what each
 * descriptor is; the process's CSpace slot of the same number holds the
 * capability the kernel's file transport uses (a server's endpoint
 * badged for an open file of its port, ports.c, or ours badged with an
 * open file we serve, file.c). Each descriptor holds a reference to its
 * open file; the last one going closes it.
 */
#include "procserv.h"

#define ROOT UX_BI_SLOT_CNODE

/* A descriptor of kind holds a reference to its open file. */
static void
fd_ref(unsigned kind, unsigned of, int delta)
{
	if (kind == FD_FILE)
		delta > 0 ? of_ref(of) : of_unref(of);
	else if (kind == FD_CONSOLE || kind == FD_PORT)
		ports_ref(of, delta);
}

long
fd_install(struct proc *p, unsigned fd, unsigned kind, unsigned of,
	   bool cloexec)
{
	p = proc_tg(p);
	uint64_t badge = OF_BADGE_MAKE(p->pid, of), ep = ps_ep;
	if (kind == FD_CONSOLE || kind == FD_PORT)
		ep = ports_cap(of, &badge);
	if (fd >= MAX_FD)
		return UX_E_RANGE;
	if (p->fds[fd].kind)
		fd_close(p, fd);
	/* a port whose server has gone: the descriptor stays, empty (its
	 * reads and writes reach us: EIO, or the console's writes the
	 * kernel's output) */
	long e = !ep ? UX_OK
		     : ux_cnode_mint(PCAP(p->pid, PS_CSPACE), fd, LX_FD_RADIX,
				     ROOT, ep, 64, UX_R_WRITE, badge);
	if (e)
		return e;
	p->fds[fd] = (struct fdent){(uint8_t)kind, cloexec, (uint16_t)of};
	p->nfds++;
	fd_ref(kind, of, 1);
	return UX_OK;
}

long
fd_close(struct proc *p, unsigned fd)
{
	p = proc_tg(p);
	if (fd >= MAX_FD || !p->fds[fd].kind)
		return -9; /* EBADF */
	ux_cnode_delete(PCAP(p->pid, PS_CSPACE), fd, LX_FD_RADIX);
	struct fdent d = p->fds[fd];
	p->fds[fd] = (struct fdent){0};
	p->nfds--;
	fd_ref(d.kind, d.of, -1);
	return 0;
}

int
fd_free(struct proc *p, unsigned from)
{
	p = proc_tg(p);
	for (unsigned fd = from; fd < MAX_FD; fd++)
		if (!p->fds[fd].kind)
			return quota_fd(p, fd) ? -1 : (int)fd; /* EMFILE */
	return -1;
}

bool
fd_is(struct proc *p, uint64_t fd, unsigned kind)
{
	p = proc_tg(p);
	return fd < MAX_FD && p->fds[fd].kind == kind;
}

/* to's table is empty (proc_fork empties it before anything can fail,
 * so that fd_exit undoes exactly what this installed). */
long
fd_fork(struct proc *from, struct proc *to)
{
	for (unsigned fd = 0; fd < MAX_FD; fd++) {
		struct fdent *d = &from->fds[fd];
		long e = d->kind ? fd_install(to, fd, d->kind, d->of, d->cloexec)
				 : 0;
		if (e)
			return e;
	}
	return UX_OK;
}

/* After exec the CSpace is new: install the old table again, less the
 * close-on-exec descriptors (whose open files lose a reference). */
long
fd_exec(struct proc *p, const struct fdent *old)
{
	p = proc_tg(p);
	memset(p->fds, 0, sizeof p->fds);
	p->nfds = 0;
	for (unsigned fd = 0; fd < MAX_FD; fd++) {
		if (!old[fd].kind)
			continue;
		long e = old[fd].cloexec
				 ? 0
				 : fd_install(p, fd, old[fd].kind, old[fd].of, false);
		fd_ref(old[fd].kind, old[fd].of, -1); /* the old table's */
		if (e)
			return e;
	}
	return UX_OK;
}

/* The process is gone (its CSpace with it): drop the references. */
void
fd_exit(struct proc *p)
{
	p = proc_tg(p);
	for (unsigned fd = 0; fd < MAX_FD; fd++)
		fd_ref(p->fds[fd].kind, p->fds[fd].of, -1);
	memset(p->fds, 0, sizeof p->fds);
	p->nfds = 0;
}
