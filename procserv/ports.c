/*
 * ports.c - /ports, where native servers publish themselves (like Plan
 * 9's /srv).
 *
 * A native server the process server starts is given its endpoint (the
 * one it serves) and a capability to our endpoint badged SRV_BADGE with
 * its pid, in its slot SRV_PS_EP. Through it the server asks to publish
 * that endpoint under a name (uxrt/ps.h); /ports then lists the name as
 * a character device. Opening it (open(2) by a Linux process) gives a
 * descriptor whose slot holds the server's endpoint with the badge the
 * server chose: read and write on it go straight to the server through
 * the kernel's file transport, as for the console. The console's port is
 * the console itself (FD_CONSOLE: its terminal ioctls are forwarded),
 * and /dev/console, /dev/tty and /dev/ttyS0 open it. A server's ports go
 * when it ends; so does its endpoint (made from its own untyped), and
 * with it every client's capability.
 *
 * A port's directory entry is its index + 1 in the port table, the
 * directory itself 0 (ports_ops, mounted on /ports). Descriptors of other
 * ports name their port by index and a generation (ports_fd_id), so a
 * slot used again by a later server is not mistaken for the old one.
 *
 * Permission to publish or to open a port is the security model's
 * (issue 4): for now a server may publish any free name and anyone may
 * open a port.
 */
#include "procserv.h"
#include "lx_errno.h"
#include <uxrt/ps.h>

#define ROOT	    UX_BI_SLOT_CNODE
#define MAX_PORTS   32 /* a power of two: fd ids keep the index in 5 bits */
#define MAX_SERVERS 8

static struct port {
	bool used;
	uint8_t gen;	/* counts the slot's uses (descriptors' check) */
	int pid;	/* its server */
	uint64_t ep;	/* the server's endpoint (our capability) */
	uint64_t badge; /* clients' capabilities carry it */
	uint64_t mtime; /* when it was published (s) */
	char name[UX_PS_NAME_MAX + 1];
} ports[MAX_PORTS];

/* The endpoints we gave the native servers we started. */
static struct {
	int pid;
	uint64_t ep;
} servers[MAX_SERVERS];

long
ports_server(struct proc *p, uint64_t ep)
{
	p = proc_tg(p);
	for (unsigned i = 0; i < MAX_SERVERS; i++) {
		if (servers[i].pid)
			continue;
		long e = ux_cnode_mint(PCAP(p->pid, PS_CSPACE), SRV_PS_EP,
				       SRV_RADIX, ROOT, ps_ep, 64, UX_R_WRITE,
				       SRV_BADGE | (uint64_t)p->pid);
		if (!e)
			servers[i] = (typeof(servers[i])){p->pid, ep};
		return e;
	}
	return UX_E_NOT_ENOUGH_MEMORY;
}

static uint64_t
server_ep(int pid)
{
	for (unsigned i = 0; i < MAX_SERVERS; i++)
		if (servers[i].pid == pid)
			return servers[i].ep;
	return 0;
}

static int
find(const char *name)
{
	for (int i = 0; i < MAX_PORTS; i++)
		if (ports[i].used && !strcmp(ports[i].name, name))
			return i;
	return -1;
}

/* The name a request's long message carries, checked; -errno. */
static long
request_name(const struct ux_msg *m, char *name)
{
	uint64_t n = (m->info & UX_MI_LONG) ? ux_ipcbuf()->long_xfer : 0;
	if (n > UX_PS_NAME_MAX)
		return -LX_ENAMETOOLONG;
	memcpy(name, ps_msgbuf, n);
	name[n] = '\0';
	if (!n || strlen(name) != n || strchr(name, '/') ||
	    !strcmp(name, ".") || !strcmp(name, ".."))
		return -LX_EINVAL;
	return 0;
}

static long
publish(int pid, const char *name, uint64_t badge)
{
	uint64_t ep = server_ep(pid);
	if (!ep)
		return -LX_EPERM;
	if (!badge)
		return -LX_EINVAL;
	if (find(name) >= 0)
		return -LX_EEXIST;
	for (int i = 0; i < MAX_PORTS; i++) {
		struct port *t = &ports[i];
		if (t->used)
			continue;
		*t = (struct port){.used = true,
				   .gen = (uint8_t)(t->gen + 1),
				   .pid = pid,
				   .ep = ep,
				   .badge = badge};
		snprintf(t->name, sizeof t->name, "%s", name);
		t->mtime = time_real_ns() / 1000000000ull;
		return 0;
	}
	return -LX_ENOSPC;
}

bool
ports_request(struct ux_msg *m)
{
	char name[UX_PS_NAME_MAX + 1];
	int pid = (int)(m->badge & 0xFFFF);
	uint64_t op = ux_mi_label(m->info);
	long r = request_name(m, name);
	if (op != UX_PS_PUBLISH && op != UX_PS_UNPUBLISH) {
		r = -LX_ENOSYS;
	} else if (!r && op == UX_PS_PUBLISH) {
		r = publish(pid, name, m->mr[0]);
	} else if (!r) {
		int i = find(name);
		r = i < 0 || ports[i].pid != pid ? -LX_ENOENT : 0;
		if (!r)
			ports[i].used = false;
	}
	m->info = ux_msginfo(0, 1, 0, 0);
	m->mr[0] = (uint64_t)r;
	return true;
}

bool
ports_published(int pid)
{
	for (int i = 0; i < MAX_PORTS; i++)
		if (ports[i].used && ports[i].pid == pid)
			return true;
	return false;
}

void
ports_exit(int pid)
{
	for (int i = 0; i < MAX_PORTS; i++)
		if (ports[i].used && ports[i].pid == pid)
			ports[i].used = false;
	for (unsigned i = 0; i < MAX_SERVERS; i++) {
		if (servers[i].pid != pid)
			continue;
		if (servers[i].ep == ps_console_ep)
			ps_console_ep = 0;
		servers[i].pid = 0;
	}
}

/* What a descriptor of port i holds: index and generation. */
static unsigned
fd_id(int i)
{
	return (unsigned)ports[i].gen << 5 | (unsigned)i;
}

static struct port *
by_fd_id(unsigned of)
{
	struct port *t = &ports[of % MAX_PORTS];
	return t->used && t->gen == (uint8_t)(of >> 5) ? t : NULL;
}

uint64_t
ports_cap(unsigned of, uint64_t *badge)
{
	struct port *t = by_fd_id(of);
	*badge = t ? t->badge : 0;
	return t ? t->ep : 0;
}

const char *
ports_name(unsigned of)
{
	struct port *t = by_fd_id(of);
	return t ? t->name : NULL;
}

long
ports_open(struct proc *p, uint32_t id, uint64_t flags)
{
	p = proc_tg(p);
	int i = (int)id - 1, fd = fd_free(p, 0);
	if (i < 0 || i >= MAX_PORTS || !ports[i].used)
		return -LX_ENOENT;
	if (fd < 0)
		return -LX_EMFILE;
	bool console = ports[i].ep == ps_console_ep;
	long e = fd_install(p, (unsigned)fd, console ? FD_CONSOLE : FD_PORT,
			    console ? 0 : fd_id(i), flags & 02000000);
	return e ? -LX_ENOMEM : fd;
}

/* --- the file-system operations (ns.c mounts them on /ports) ---------- */

static long
pt_child(uint32_t dir, const char *name)
{
	int i = dir ? -1 : find(name);
	return dir ? -LX_ENOTDIR : i < 0 ? -LX_ENOENT : i + 1;
}

static long
pt_name(uint32_t id, char *out, size_t size)
{
	if (id && (id > MAX_PORTS || !ports[id - 1].used))
		return -LX_ENOENT;
	snprintf(out, size, "%s", id ? ports[id - 1].name : "");
	return 0;
}

static long
pt_desc(uint32_t id, struct sdesc *d)
{
	struct port *t = id && id <= MAX_PORTS ? &ports[id - 1] : NULL;
	struct proc *q = t ? proc_get((uint64_t)t->pid) : NULL;
	if (id && (!t || !t->used))
		return -LX_ENOENT;
	*d = t ? (struct sdesc){.mode = 0020666,
				.ino = 4001 + (id - 1),
				.uid = q ? q->uid : 0,
				.gid = q ? q->gid : 0,
				.mtime = t->mtime}
	       : (struct sdesc){.mode = 0040755, .nlink = 2, .ino = 4000};
	return 0;
}

static bool
pt_dirent(uint32_t dir, uint64_t i, const char **name, uint32_t *mode,
	  uint64_t *ino)
{
	if (dir)
		return false;
	*mode = 0040000;
	*ino = 4000;
	*name = i ? ".." : ".";
	if (i < 2)
		return true;
	i -= 2;
	for (int k = 0; k < MAX_PORTS; k++) {
		if (!ports[k].used || i--)
			continue;
		*name = ports[k].name;
		*mode = 0020000;
		*ino = 4001 + (uint64_t)k;
		return true;
	}
	return false;
}

const struct fs_ops ports_ops = {"ports", pt_child, ns_flat_parent, pt_name,
				 pt_desc, NULL,	    pt_dirent};
