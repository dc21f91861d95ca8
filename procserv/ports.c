/*
 * ports.c - /ports, where native servers publish themselves (like Plan
 * 9's /srv), and the open files of ports.
 *
 * A native server the process server starts is given its endpoint (the
 * one it serves), a capability to our endpoint badged SRV_BADGE with its
 * pid in its slot SRV_PS_EP, and its open table (uxrt/ps.h) mapped read
 * only at SRV_OPENS_VA. Through SRV_PS_EP it asks to publish that
 * endpoint under a name, which its permission list must allow
 * (create, `c`, on /ports/NAME: docs/security.md); /ports then lists the
 * name as a character device.
 *
 * Every open of a port (open(2) of /ports/NAME, of /dev/console, ...) is
 * an open file of its own (struct popen): we mint, for it, a capability
 * to the server's endpoint whose badge is the port's tag, a serial
 * number never used twice for that server, and the open's entry in the
 * server's open table, where we write who opened it (pid, uid, gid, open
 * flags). Descriptors hold the open file (fdent.of is its index here):
 * fork and dup share it, and when the last one goes we clear the entry
 * and signal the server's notification (SRV_NTFN_CLOSED). We never send
 * the server a message about it: a server that does not receive must not
 * stop us (uxrt/ps.h says why a table). read and write on the
 * descriptor go straight to the server through the kernel's file
 * transport. The console's port is the console itself (FD_CONSOLE: its
 * terminal ioctls are forwarded), and /dev/console, /dev/tty and
 * /dev/ttyS0 open it (checked under /ports/console too: file.c).
 *
 * A server's ports go when it ends; so does its endpoint (made from its
 * own untyped), and with it every client's capability. Its open files
 * stay until their descriptors are closed (reads and writes answer EIO).
 *
 * A port's directory entry is its index + 1 in the port table, the
 * directory itself 0 (ports_ops, mounted on /ports). An open file names
 * its port by index and generation, so a port slot used again by a later
 * server is not mistaken for the old one.
 */
#include "procserv.h"
#include "lx_errno.h"
#include <uxrt/ps.h>

#define ROOT	    UX_BI_SLOT_CNODE
#define MAX_PORTS   32
#define MAX_SERVERS 8
#define MAX_POPENS  256
#define O_ACCMODE   3
#define O_SETFL	    (02000 | 04000) /* O_APPEND | O_NONBLOCK */

static struct port {
	bool used;
	uint8_t gen;	/* counts the slot's uses (open files' check) */
	int srv;	/* its server's entry in servers[] */
	uint16_t tag;	/* the high bits of its clients' badges */
	uint64_t mtime; /* when it was published (s) */
	char name[UX_PS_NAME_MAX + 1];
} ports[MAX_PORTS];

/* The native servers we started. */
static struct server {
	int pid;		  /* 0: a free entry */
	uint64_t ep;		  /* the endpoint it serves (our capability) */
	uint64_t ntfn;		  /* its notification, badged
				     SRV_NTFN_CLOSED (0: none) */
	int node;		  /* the tmpfs node of its open table */
	struct ux_ps_open *table; /* ... in our address space */
	uint64_t serial;	  /* the last serial number given */
} servers[MAX_SERVERS];

/* An open file of a port: what FD_PORT and FD_CONSOLE descriptors hold.
 * In use while its badge is not 0 (made before its first descriptor). */
static struct popen {
	uint16_t refs; /* descriptors holding it, in all processes */
	int8_t srv;    /* its server, -1 once the server has ended */
	uint8_t port;  /* its port's index and generation */
	uint8_t port_gen;
	uint8_t slot; /* its entry in the server's open table */
	bool console;
	uint32_t flags; /* open flags (O_ACCMODE, O_APPEND, O_NONBLOCK) */
	uint64_t badge;
} opens[MAX_POPENS];

long
ports_server(struct proc *p, uint64_t ep, uint64_t ntfn)
{
	p = proc_tg(p);
	for (int i = 0; i < MAX_SERVERS; i++) {
		struct server *s = &servers[i];
		if (s->pid)
			continue;
		int node = tmpfs_anon(4096);
		uint8_t *t = node >= 0 ? tmpfs_page(tmpfs_node(node), 0) : NULL;
		long e =
		    !t ? UX_E_NOT_ENOUGH_MEMORY
		       : ux_cnode_mint(PCAP(p->pid, PS_CSPACE), SRV_PS_EP,
				       SRV_RADIX, ROOT, ps_ep, 64, UX_R_WRITE,
				       SRV_BADGE | (uint64_t)p->pid);
		if (!e && mem_share(p, SRV_OPENS_VA, node, UX_R_READ))
			e = UX_E_NOT_ENOUGH_MEMORY;
		if (e) {
			if (node >= 0)
				tmpfs_ref(node, -1);
			return e;
		}
		*s = (struct server){.pid = p->pid,
				     .ep = ep,
				     .ntfn = ntfn,
				     .node = node,
				     .table = (void *)t};
		return UX_OK;
	}
	return UX_E_NOT_ENOUGH_MEMORY;
}

static int
server_of(int pid)
{
	for (int i = 0; pid > 0 && i < MAX_SERVERS; i++)
		if (servers[i].pid == pid)
			return i;
	return -1;
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

static long pt_desc(uint32_t id, struct sdesc *d);

/* Publishing is making /ports/NAME: create on it (docs/security.md). */
static long
publish_allowed(int pid, const char *name)
{
	char path[8 + UX_PS_NAME_MAX];
	struct sdesc d;
	struct proc *p = proc_get((uint64_t)pid);
	snprintf(path, sizeof path, "ports/%s", name);
	pt_desc(0, &d);
	return p ? sec_check(p, path, PERM_CREATE, &d) : -LX_EPERM;
}

static long
publish(int pid, const char *name, uint64_t tag)
{
	int srv = server_of(pid);
	if (srv < 0)
		return -LX_EPERM;
	if (!tag || tag > UX_PS_TAG_MAX)
		return -LX_EINVAL;
	long e = publish_allowed(pid, name);
	if (e)
		return e;
	if (find(name) >= 0)
		return -LX_EEXIST;
	for (int i = 0; i < MAX_PORTS; i++) {
		struct port *t = &ports[i];
		if (t->used)
			continue;
		*t = (struct port){.used = true,
				   .gen = (uint8_t)(t->gen + 1),
				   .srv = srv,
				   .tag = (uint16_t)tag};
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
		int i = find(name), srv = server_of(pid);
		r = i < 0 || srv < 0 || ports[i].srv != srv ? -LX_ENOENT : 0;
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
	int srv = server_of(pid);
	for (int i = 0; srv >= 0 && i < MAX_PORTS; i++)
		if (ports[i].used && ports[i].srv == srv)
			return true;
	return false;
}

void
ports_exit(int pid)
{
	int srv = server_of(pid);
	if (srv < 0)
		return;
	struct server *s = &servers[srv];
	for (int i = 0; i < MAX_PORTS; i++)
		if (ports[i].used && ports[i].srv == srv)
			ports[i].used = false;
	for (int i = 0; i < MAX_POPENS; i++)
		if (opens[i].badge && opens[i].srv == srv)
			opens[i].srv = -1; /* its descriptors stay, empty */
	if (s->ep == ps_console_ep)
		ps_console_ep = 0;
	if (s->ntfn)
		ux_cnode_delete(ROOT, s->ntfn, 64);
	tmpfs_ref(s->node, -1);
	*s = (struct server){0};
}

/* --- open files ----------------------------------------------------- */

/* A free entry of server s's open table for user uid, or -1. One user
 * may hold at most OPENS_ONE_USER of them, so that others can still open
 * the server's ports (/dev/tty among them). */
#define OPENS_ONE_USER (UX_PS_OPENS_MAX * 3 / 4)
static int
table_slot(const struct server *s, uint32_t uid)
{
	int free = -1, mine = 0;
	for (int i = 0; i < UX_PS_OPENS_MAX; i++) {
		if (!s->table[i].badge && free < 0)
			free = i;
		else if (s->table[i].badge && s->table[i].uid == uid)
			mine++;
	}
	return mine < OPENS_ONE_USER ? free : -1;
}

/* A new open file of port i for p, its entry written (badge last: the
 * server reads the badge, the fields, then the badge again); its index,
 * with no reference yet, or -errno. */
static long
popen_new(struct proc *p, int i, uint64_t flags)
{
	struct server *s = &servers[ports[i].srv];
	int of = -1, slot = table_slot(s, p->uid);
	for (int k = 0; k < MAX_POPENS && of < 0; k++)
		if (!opens[k].badge)
			of = k;
	if (of < 0 || slot < 0)
		return -LX_ENFILE;
	struct ux_ps_open *e = &s->table[slot];
	uint64_t badge = UX_PS_BADGE(ports[i].tag, ++s->serial, slot);
	e->pid = p->pid;
	e->uid = p->uid;
	e->gid = p->gid;
	e->flags = (uint32_t)(flags & (O_ACCMODE | O_SETFL));
	__atomic_store_n(&e->badge, badge, __ATOMIC_RELEASE);
	opens[of] = (struct popen){.srv = (int8_t)ports[i].srv,
				   .port = (uint8_t)i,
				   .port_gen = ports[i].gen,
				   .slot = (uint8_t)slot,
				   .console = s->ep == ps_console_ep,
				   .flags = e->flags,
				   .badge = badge};
	return of;
}

/* Open file of, if it is one. */
static struct popen *
popen_get(unsigned of)
{
	return of < MAX_POPENS && opens[of].badge ? &opens[of] : NULL;
}

/* The last descriptor of open file o went: it is free again, its entry
 * is cleared and its server told (a signal: never a wait for the
 * server). */
static void
popen_closed(struct popen *o)
{
	struct server *s = o->srv >= 0 ? &servers[o->srv] : NULL;
	o->badge = 0;
	if (!s)
		return;
	__atomic_store_n(&s->table[o->slot].badge, 0, __ATOMIC_RELEASE);
	if (s->ntfn)
		ux_signal(s->ntfn);
}

void
ports_ref(unsigned of, int delta)
{
	struct popen *o = popen_get(of);
	if (o && delta > 0)
		o->refs++;
	else if (o && o->refs && !--o->refs)
		popen_closed(o);
}

/* Open port i for p as descriptor fd (-1: the lowest free), the open
 * file shared by fds (std_fds: 0, 1 and 2 of init); fd or -errno. */
static long
open_at(struct proc *p, int i, uint64_t flags, int fd)
{
	if (fd < 0 && (fd = fd_free(p, 0)) < 0)
		return -LX_EMFILE;
	long of = popen_new(p, i, flags);
	if (of < 0)
		return of;
	unsigned kind = opens[of].console ? FD_CONSOLE : FD_PORT;
	long e =
	    fd_install(p, (unsigned)fd, kind, (unsigned)of, flags & 02000000);
	if (e && !opens[of].refs)
		popen_closed(&opens[of]); /* never handed out */
	return e ? -LX_ENOMEM : fd;
}

long
ports_open(struct proc *p, uint32_t id, uint64_t flags)
{
	p = proc_tg(p);
	int i = (int)id - 1;
	if (i < 0 || i >= MAX_PORTS || !ports[i].used)
		return -LX_ENOENT;
	return open_at(p, i, flags, -1);
}

long
ports_std_fds(struct proc *p)
{
	p = proc_tg(p);
	int i = find("console");
	long e = i < 0 ? -LX_ENOENT : open_at(p, i, 2 /* O_RDWR */, 0);
	for (unsigned fd = 1; e >= 0 && fd < 3; fd++)
		e = fd_install(p, fd, p->fds[0].kind, p->fds[0].of, false);
	return e < 0 ? e : 0;
}

uint64_t
ports_cap(unsigned of, uint64_t *badge)
{
	struct popen *o = popen_get(of);
	*badge = o ? o->badge : 0;
	return o && o->srv >= 0 ? servers[o->srv].ep : 0;
}

/* The port open file of was opened from, if it is still published. */
static struct port *
popen_port(unsigned of)
{
	struct popen *o = popen_get(of);
	struct port *t = o ? &ports[o->port] : NULL;
	return t && t->used && t->gen == o->port_gen ? t : NULL;
}

const char *
ports_name(unsigned of)
{
	struct port *t = popen_port(of);
	return t ? t->name : NULL;
}

long
ports_ino(unsigned of)
{
	struct popen *o = popen_get(of);
	return o ? 4001 + o->port : 4000;
}

long
ports_getfl(unsigned of)
{
	struct popen *o = popen_get(of);
	return o ? (long)o->flags : -LX_EBADF;
}

/* F_SETFL: the open file's O_APPEND and O_NONBLOCK, which its server
 * reads from its open table. */
long
ports_setfl(unsigned of, uint64_t fl)
{
	struct popen *o = popen_get(of);
	if (!o)
		return -LX_EBADF;
	o->flags = (o->flags & ~(uint32_t)O_SETFL) | (uint32_t)(fl & O_SETFL);
	if (o->srv >= 0)
		__atomic_store_n(&servers[o->srv].table[o->slot].flags,
				 o->flags, __ATOMIC_RELEASE);
	return 0;
}

long
ports_path(uint32_t id, char *norm, size_t size, struct sdesc *d)
{
	if (!id || id > MAX_PORTS || !ports[id - 1].used)
		return -LX_ENOENT;
	snprintf(norm, size, "ports/%s", ports[id - 1].name);
	return pt_desc(id, d);
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

/* A port is its server's; the directory the system's (sys, 1), so
 * that only an entry lets a server publish. */
static long
pt_desc(uint32_t id, struct sdesc *d)
{
	struct port *t = id && id <= MAX_PORTS ? &ports[id - 1] : NULL;
	struct proc *q =
	    t && t->used ? proc_get((uint64_t)servers[t->srv].pid) : NULL;
	if (id && (!t || !t->used))
		return -LX_ENOENT;
	*d = t ? (struct sdesc){.mode = 0020666,
				.ino = 4001 + (id - 1),
				.uid = q ? q->uid : 0,
				.gid = q ? q->gid : 0,
				.mtime = t->mtime}
	       : (struct sdesc){.mode = 0040755,
				.nlink = 2,
				.ino = 4000,
				.uid = 1,
				.gid = 1};
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
