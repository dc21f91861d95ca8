/*
 * fd.c - a Linux process's descriptor table. The table here says what each
 * descriptor is; the process's CSpace slot of the same number holds the
 * capability the kernel's file transport uses (the console server's
 * endpoint, another server's published port, or ours badged with an
 * open file).
 */
#include "procserv.h"

#define ROOT UX_BI_SLOT_CNODE

extern uint64_t ps_console_ep;

long
fd_install(struct proc *p, unsigned fd, unsigned kind, unsigned of,
	   bool cloexec)
{
	p = proc_tg(p);
	uint64_t ep = kind == FD_CONSOLE ? ps_console_ep : ps_ep;
	uint64_t badge = kind == FD_CONSOLE ? 1 : OF_BADGE_MAKE(p->pid, of);
	if (kind == FD_PORT)
		ep = ports_cap(of, &badge);
	if (fd >= MAX_FD || (!ep && kind != FD_PORT))
		return UX_E_RANGE;
	if (p->fds[fd].kind)
		fd_close(p, fd);
	/* a port whose server has gone: the descriptor stays, empty (its
	 * reads and writes reach us: EIO) */
	long e = !ep ? UX_OK
		     : ux_cnode_mint(PCAP(p->pid, PS_CSPACE), fd, LX_FD_RADIX,
				     ROOT, ep, 64, UX_R_WRITE, badge);
	if (e)
		return e;
	p->fds[fd] = (struct fdent){(uint8_t)kind, cloexec, (uint16_t)of};
	p->nfds++;
	if (kind == FD_FILE)
		of_ref(of);
	return UX_OK;
}

long
fd_close(struct proc *p, unsigned fd)
{
	p = proc_tg(p);
	if (fd >= MAX_FD || !p->fds[fd].kind)
		return -9; /* EBADF */
	ux_cnode_delete(PCAP(p->pid, PS_CSPACE), fd, LX_FD_RADIX);
	if (p->fds[fd].kind == FD_FILE)
		of_unref(p->fds[fd].of);
	p->fds[fd] = (struct fdent){0};
	p->nfds--;
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

long
fd_fork(struct proc *from, struct proc *to)
{
	memset(to->fds, 0, sizeof to->fds);
	to->nfds = 0;
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
		if (old[fd].kind == FD_FILE)
			of_unref(old[fd].of); /* the old table's reference */
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
		if (p->fds[fd].kind == FD_FILE)
			of_unref(p->fds[fd].of);
	memset(p->fds, 0, sizeof p->fds);
	p->nfds = 0;
}
