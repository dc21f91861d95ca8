/*
 * main.c - the process server's start and its message loop.
 *
 * It makes its two-level CSpace (procserv.h), its endpoint (every
 * process's fault endpoint, badged with the pid), starts init (the
 * program named by "init=" on the kernel command line, default
 * /sbin/init) from the initial archive, and then serves fault messages:
 * Linux system calls go to linux.c, page faults to mem.c (demand paging,
 * copy-on-write); a bad access or a CPU exception ends the process
 * (signals come later). When init exits, so does the machine (QEMU's
 * isa-debug-exit with init's status).
 */
#include "procserv.h"

#define ROOT UX_BI_SLOT_CNODE

uint64_t ps_ep, ps_reply, ps_l1;
#define NREPLY 32
static uint64_t replies[NREPLY];
/* The endpoint we receive on and the reply objects also sit in slots of
 * L1 itself (from L1_FAST on), where the kernel finds them in one step
 * instead of two on every message. ps_ep stays the boot slot (badged
 * copies are minted from it). */
#define L1_FAST 200
static uint64_t ep_recv;
static bool reply_busy[NREPLY];
uint64_t ps_console_ep; /* 0: no console server */
static uint64_t exit_port;
static int init_pid;

_Noreturn void
ux_exit(int code)
{
	if (exit_port)
		ux_ioport_out(exit_port, 1, 0xF4, (uint64_t)code);
	for (;;) {
		struct ux_msg m = {0};
		ux_recv(ps_ep, 0, &m); /* nothing left to do */
	}
}

static void
fatal(const char *what, long e)
{
	printf("procserv: %s: %s\n", what, ux_strerror(e));
	ux_exit(2);
}

/* Our CSpace becomes L1 -> {boot CNode, process CNodes}; boot slot
 * numbers stay valid addresses. */
static void
cspace_init(void)
{
	long e;
	if ((e = alloc_obj(UX_CAP_CNODE, L1_RADIX, &ps_l1)) ||
	    (e = ux_cnode_mint(ps_l1, 0, L1_RADIX, ROOT, ROOT, 64, UX_R_ALL,
			       0)) ||
	    (e = ux_tcb_configure(UX_BI_SLOT_TCB, 0, ps_l1,
				  64 - L1_RADIX - 14, UX_BI_SLOT_VSPACE,
				  UX_BI_IPCBUF, UX_BI_SLOT_IPCBUF_FRAME)))
		fatal("CSpace", e);
}

/* A copy of boot slot cap in L1 slot k; *addr is its address. */
static long
l1_copy(uint64_t cap, unsigned k, uint64_t *addr)
{
	*addr = PCAP(k, 0);
	return ux_cnode_copy(ps_l1, k, L1_RADIX, ROOT, cap, 64, UX_R_ALL);
}

/* "init=PATH" names init (default /sbin/init); the words after "--"
 * on the command line are its arguments (argv[0] is PATH's last part). */
static const char *
init_args(const struct ux_bootinfo *bi, char *argv[], unsigned max)
{
	static char buf[256], path[128];
	const char *s = strstr(bi->cmdline, "init=");
	size_t n = 0;
	unsigned argc = 0;

	snprintf(path, sizeof path, "/sbin/init");
	if (s) {
		s += 5;
		while (s[n] && s[n] != ' ' && n + 1 < sizeof path)
			n++;
		memcpy(path, s, n);
		path[n] = '\0';
	}
	const char *base = strrchr(path, '/');
	argv[argc++] = (char *)(base ? base + 1 : path);
	snprintf(buf, sizeof buf, "%s", bi->cmdline);
	char *a = strstr(buf, " -- ");
	for (char *w = a ? a + 4 : NULL; w && *w && argc + 1 < max;) {
		while (*w == ' ')
			*w++ = '\0';
		if (!*w)
			break;
		argv[argc++] = w;
		while (*w && *w != ' ')
			w++;
	}
	argv[argc] = NULL;
	return path;
}

/* "perm=allow,OPS,PATTERN[,inherit]" words on the command line (before
 * "--"): entries of init's permission list (docs/security.md), the
 * commas standing for spaces. */
static void
init_perms(const struct ux_bootinfo *bi, struct proc *ip)
{
	const char *s = bi->cmdline, *end = strstr(s, " -- ");
	while ((s = strstr(s, "perm=")) && (!end || s < end)) {
		char line[128];
		size_t n = 0;
		const char *why = "the list is full";
		struct perm e;
		for (s += 5; *s && *s != ' ' && n + 1 < sizeof line; s++)
			line[n++] = *s == ',' ? ' ' : *s;
		line[n] = '\0';
		if (perm_parse(line, &e, &why) || perm_add(&ip->perms, &e))
			printf("procserv: perm=%s: %s\n", line, why);
	}
}

static uint64_t
mr(struct ux_msg *m, unsigned i)
{
	return i < UX_REG_MRS ? m->mr[i] : ux_ipcbuf()->mr[i];
}

/* A fault message's registers (mr[2..]) into regs: two from the message
 * registers, the rest straight from the IPC buffer. */
static void
fault_regs(const struct ux_msg *m, uint64_t regs[UX_REG_COUNT])
{
	const uint64_t *b = ux_ipcbuf()->mr + UX_REG_MRS;
	_Static_assert(UX_FAULT_REGS + 2 == UX_REG_MRS, "message layout");
	regs[0] = m->mr[UX_FAULT_REGS];
	regs[1] = m->mr[UX_FAULT_REGS + 1];
	/* 16 bytes a step, unrolled: a string copy is one count per
	 * iteration under icount, and slow to start on hardware */
#pragma GCC unroll 9
	for (unsigned i = 0; i < UX_REG_COUNT - 2; i += 2)
		__builtin_memcpy(regs + 2 + i, b + i, 16);
}

/* Whether sig_settle may have something to do for task p: a signal
 * pending (for the thread or its process) or a call's mask to put back.
 * The common case, no, is tested first. */
static bool
sig_unsettled(struct proc *p)
{
	return p && (p->sig.pending | proc_tg(p)->sig.shared |
		     p->sig.restore_mask);
}

/* A request on a file we serve, from process pid: answered now (true)
 * or later; the process's signals go with the answer. */
static bool
file_request(struct ux_msg *m)
{
	int pid = OF_BADGE_PID(m->badge);
	sig_current = pid;
	bool answer = of_request(m);
	sig_current = 0;
	struct proc *p = proc_get((uint64_t)pid);
	if (!sig_unsettled(p))
		return answer;
	return sig_settle(p, NULL, 0, answer ? m : NULL) != 0;
}

/* Handle one message (a fault, or a request on a file we serve); fill
 * m with the reply and say whether there is one. */
static bool
handle(struct ux_msg *m)
{
	unsigned label = (unsigned)ux_mi_label(m->info);
	uint64_t regs[UX_REG_COUNT];
	unsigned n;

	if (m->badge & SRV_BADGE)
		return ports_request(m);
	if (of_is_request(m))
		return file_request(m);
	struct proc *p = proc_get(m->badge);
	if (!p || ux_mi_len(m->info) < UX_FAULT_REGS + UX_REG_COUNT)
		return false;
	fault_regs(m, regs);
	if (label == UX_FAULT_PAGE && mem_fault(p, mr(m, 0), mr(m, 1))) {
		m->info = ux_msginfo(0, 0, 0, 0); /* retry the instruction */
		return proc_get(m->badge) != NULL; /* not if ended (OOM) */
	}
	sig_current = p->pid;
	if (ptrace_traced(p) || (label == UX_FAULT_SYSCALL &&
				 m->mr[1] == UX_SYSCALL_END)) /* ptrace.c */
		n = ptrace_fault(p, label, mr(m, 0), mr(m, 1), regs);
	else if (label == UX_FAULT_SYSCALL)
		n = lx_syscall(p, regs);
	else
		n = sig_fault(p, label, mr(m, 0), mr(m, 1), regs);
	sig_current = 0;
	p = proc_get(m->badge); /* NULL if the handler ended it */
	if (sig_unsettled(p) && !(ptrace_traced(p) && ptrace_holds_signals(p)))
		n = sig_settle(p, regs, n, n ? m : NULL);
	for (unsigned i = 0; i < n; i++) {
		if (i < UX_REG_MRS)
			m->mr[i] = regs[i];
		else
			ux_ipcbuf()->mr[i] = regs[i];
	}
	m->info = ux_msginfo(0, n, 0, 0);
	return n != 0;
}

uint8_t ps_msgbuf[UX_MSG_LONG_MAX];

/* Every Recv takes a write's data into ps_msgbuf. */
void
ps_recv_buffer(void)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	b->recv_buf = (uint64_t)ps_msgbuf;
	b->recv_len = sizeof ps_msgbuf;
}

/* The reply objects are L1 slots L1_FAST + 1 + i: index i of one. */
static unsigned
reply_index(uint64_t reply)
{
	return (unsigned)(reply >> 14) - (L1_FAST + 1);
}

uint64_t
ps_defer(void)
{
	uint64_t held = ps_reply;
	unsigned cur = reply_index(held);
	for (unsigned n = 1; n < NREPLY; n++) {
		unsigned i = (cur + n) % NREPLY;
		if (!reply_busy[i]) {
			reply_busy[cur] = true;
			ps_reply = replies[i];
			return held;
		}
	}
	return 0;
}

void
ps_release(uint64_t reply)
{
	unsigned i = reply_index(reply);
	if (reply && i < NREPLY && replies[i] == reply)
		reply_busy[i] = false;
}

/* What every native server we start gets: its endpoint (receive right),
 * reply objects, a notification (badged 1, for its interrupts) and its
 * own TCB (to bind that notification). *ntfn is our capability to that
 * notification, badged SRV_NTFN_CLOSED, to tell it of its closed open
 * files (ports.c). ports_server adds a capability to our endpoint to
 * publish itself with, and its open table. */
static long
server_caps(struct proc *p, uint64_t ep, uint64_t *ntfn)
{
	uint64_t cn = PCAP(p->pid, PS_CSPACE);
	long e;
	if ((e = ux_cnode_copy(cn, SRV_ENDPOINT, SRV_RADIX, ROOT, ep, 64,
			       UX_R_READ)))
		return e;
	for (unsigned i = 0; i < SRV_NREPLY; i++)
		if ((e = ux_untyped_retype(p->ut, UX_CAP_REPLY, 0, cn, 0, 0,
					   SRV_REPLY + i, 1)))
			return e;
	if (!(*ntfn = alloc_slot()))
		return UX_E_NOT_ENOUGH_MEMORY;
	if ((e = ux_untyped_retype(p->ut, UX_CAP_NOTIFICATION, 0, cn, 0, 0,
				   SRV_FIRST_FREE, 1)) ||
	    (e = ux_cnode_mint(ROOT, *ntfn, 64, cn, SRV_FIRST_FREE, SRV_RADIX,
			       UX_R_WRITE, SRV_NTFN_CLOSED)) ||
	    (e = ux_cnode_mutate(cn, SRV_NTFN, SRV_RADIX, cn, SRV_FIRST_FREE,
				 SRV_RADIX, 1)))
		return e;
	return ux_cnode_copy(cn, SRV_TCB, SRV_RADIX, p->pcn, PS_TCB,
			     PROC_RADIX, UX_R_ALL);
}

/* The console's devices and signals besides: COM1's ports and IRQ 4,
 * and the right to signal our notification (for the signals its keys
 * make, and for input a poll waits for: two badges). */
static long
console_devs(struct proc *p)
{
	uint64_t cn = PCAP(p->pid, PS_CSPACE);
	long e;
	if ((e = ux_ioport_issue(UX_BI_SLOT_IOPORT_CONTROL, 0x3F8, 0x3FF, cn,
				 SRV_DEV0, SRV_RADIX)))
		return e;
	if (time_ntfn_obj &&
	    ((e = ux_cnode_mint(cn, SRV_PS_NTFN, SRV_RADIX, ROOT, time_ntfn_obj,
				64, UX_R_WRITE, CONSOLE_SIG_BADGE)) ||
	     (e = ux_cnode_mint(cn, SRV_PS_READY, SRV_RADIX, ROOT,
				time_ntfn_obj, 64, UX_R_WRITE,
				CONSOLE_READY_BADGE))))
		return e;
	return ux_irq_get(UX_BI_SLOT_IRQ_CONTROL, 4, 0, cn, SRV_DEV1,
			  SRV_RADIX);
}

/* A native server's endpoint, made from its own untyped (so that its
 * end takes the endpoint, and every client's capability, with it), and
 * our copy of it in a slot of ours (*ep). */
static long
server_endpoint(struct proc *p, uint64_t *ep)
{
	uint64_t own;
	long e = proc_obj(p, UX_CAP_ENDPOINT, &own);
	if (e)
		return e;
	if (!(*ep = alloc_slot()))
		return UX_E_NOT_ENOUGH_MEMORY;
	return ux_cnode_copy(ROOT, *ep, 64, p->pcn, own & 0x3FFF, PROC_RADIX,
			     UX_R_ALL);
}

/* Serve native server pid until it has published a port or has ended:
 * a server started at boot is ready then (uxrt/ps.h). Nothing else runs
 * yet, so its messages are all there is. */
static void
await_server(int pid)
{
	struct ux_msg m;
	while (proc_get((uint64_t)pid) && !ports_published(pid)) {
		m = (struct ux_msg){0};
		ps_recv_buffer();
		ux_recv(ps_ep, ps_reply, &m);
		if (m.info && handle(&m))
			ux_reply(ps_reply, &m);
	}
}

/* The one entry a server we start needs: publishing its port. */
static long
server_perms(struct proc *p, const char *name)
{
	char line[64];
	struct perm e;
	const char *why;
	snprintf(line, sizeof line, "allow c /ports/%s", name);
	return perm_parse(line, &e, &why) || perm_add(&p->perms, &e)
		       ? UX_E_INVALID_ARGUMENT
		       : UX_OK;
}

/* Start native server /sbin/NAME with its capabilities (server_caps,
 * then devs' if any) and the entry allowing it to publish /ports/NAME
 * (and nothing else); *ep gets our capability to its endpoint. A server
 * started at boot is ready once it has published (or has ended). */
static void
start_server(const char *name, long (*devs)(struct proc *p), uint64_t *ep)
{
	char path[64];
	char *argv[] = {(char *)name, NULL};
	size_t size;
	uint64_t ntfn = 0;
	long err;
	snprintf(path, sizeof path, "/sbin/%s", name);
	const void *img = tmpfs_program("/", path, &size, &err);
	if (!img) {
		printf("procserv: no %s%s\n", path,
		       devs ? ": output stays on the kernel console" : "");
		return;
	}
	int pid = proc_create(path, argv, img, size, 0, true);
	struct proc *p = proc_get((uint64_t)pid);
	long e = p ? server_endpoint(p, ep) : UX_E_INVALID_ARGUMENT;
	if (!e)
		e = server_caps(p, *ep, &ntfn);
	if (!e && devs)
		e = devs(p);
	if (!e)
		e = server_perms(p, name);
	if (!e)
		e = ports_server(p, *ep, ntfn);
	if (!e)
		e = proc_start(p);
	if (e) {
		printf("procserv: %s server: %s\n", name, ux_strerror(e));
		*ep = 0;
		if (p)
			proc_exit(p, 127 << 8);
		return;
	}
	await_server(pid);
}

/* The console, then each "server=NAME" word of the command line (before
 * "--"): /sbin/NAME as a native server (the tests start theirs so). */
static void
start_servers(const struct ux_bootinfo *bi)
{
	const char *s = bi->cmdline, *end = strstr(s, " -- ");
	start_server("console", console_devs, &ps_console_ep);
	for (; (s = strstr(s, "server=")) && (!end || s < end); s += 7) {
		char name[32];
		size_t n = 0;
		uint64_t ep;
		if (s != bi->cmdline && s[-1] != ' ')
			continue; /* inside another word */
		while (s[7 + n] && s[7 + n] != ' ' && s[7 + n] != '/' &&
		       n + 1 < sizeof name) {
			name[n] = s[7 + n];
			n++;
		}
		name[n] = '\0';
		if (n)
			start_server(name, NULL, &ep);
	}
}

/* The console's foreground process group (as a login does on Linux). */
static void
console_foreground(int pgid)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct ux_msg m = {.info = ux_msginfo(UX_FILE_IOCTL, 2, 0, UX_MI_LONG),
			   .mr = {0x5410, 0}};
	int32_t v = pgid;
	if (!ps_console_ep)
		return;
	b->send_buf = (uint64_t)&v;
	b->send_len = 4;
	ux_call(ps_console_ep, &m);
}

/* A Linux process's descriptors 0, 1 and 2: the console. */
static long
std_fds(struct proc *p)
{
	return ps_console_ep ? ports_std_fds(p) : UX_OK;
}

int main(struct ux_bootinfo *bi);

/* Serve forever: every message, then the answer and the next message
 * in one step where there is an answer. Not in main, which the compiler
 * takes for code run once (it would not inline what this calls). */
static __attribute__((noreturn, noinline, hot)) void
serve(void)
{
	struct ux_msg m = {0};
	ps_recv_buffer();
	ux_recv(ep_recv, ps_reply, &m);
	for (;;) {
		bool reply = false;
		if (m.info == 0 && !(m.badge & (OF_BADGE | SRV_BADGE))) { /* ntfn */
			if (time_is_tick(&m))
				time_tick();
			if (m.badge & CONSOLE_SIG_BADGE)
				sig_console();
			if (m.badge & CONSOLE_READY_BADGE)
				poll_wake_console();
		} else {
			reply = handle(&m);
		}
		if (poll_pending()) { /* scanned with no answer half built */
			if (reply)
				ux_reply(ps_reply, &m);
			reply = false;
			poll_run();
		}
		if (!proc_get((uint64_t)init_pid)) {
			printf("procserv: init has exited\n");
			ux_exit(0);
		}
		ps_recv_buffer();
		if (reply) {
			ux_reply_recv(ep_recv, ps_reply, &m);
		} else {
			m = (struct ux_msg){0};
			ux_recv(ep_recv, ps_reply, &m);
		}
	}
}

int
main(struct ux_bootinfo *bi)
{
	long e;
	size_t size;

	alloc_init(bi);
	mem_init(bi);
	cspace_init();
	if ((e = alloc_obj(UX_CAP_ENDPOINT, 0, &ps_ep)) ||
	    (e = l1_copy(ps_ep, L1_FAST, &ep_recv)))
		fatal("endpoint", e);
	for (unsigned i = 0; i < NREPLY; i++) {
		uint64_t r;
		if ((e = alloc_obj(UX_CAP_REPLY, 0, &r)) ||
		    (e = l1_copy(r, L1_FAST + 1 + i, &replies[i])))
			fatal("reply objects", e);
	}
	ps_reply = replies[0];
	exit_port = alloc_slot();
	if (ux_ioport_issue(UX_BI_SLOT_IOPORT_CONTROL, 0xF4, 0xF4, ROOT,
			    exit_port, 64))
		exit_port = 0;
	initrd_init(bi);
	time_init(bi); /* before tmpfs, which stamps times */
	tmpfs_init();
	ns_init();
	quota_init(); /* after tmpfs: it reads /etc/quotas */
	procfs_init(bi);
	start_servers(bi);
	char *argv[16];
	const char *path = init_args(bi, argv, 16);
	long err;
	const void *img = tmpfs_program("/", path, &size, &err);
	if (!img) {
		printf("procserv: init program %s not in the initial archive\n",
		       path);
		ux_exit(2);
	}
	printf("procserv: starting %s\n", path);
	init_pid = proc_create(path, argv, img, size, 0, false);
	struct proc *ip = proc_get((uint64_t)init_pid);
	if (ip) {
		roles_login(ip); /* its user (/etc/session), the login session */
		init_perms(bi, ip);
	}
	if (!ip || std_fds(ip) || proc_start(ip))
		ux_exit(2);
	exec_cmdline(ip, argv);
	console_foreground(ip->pgid);

	serve();
}
