/*
 * main.c - the process server's start and its message loop.
 *
 * It makes its two-level CSpace (procserv.h), its endpoint (every
 * process's fault endpoint, badged with the pid), starts init (the
 * program named by "init=" on the kernel command line, default
 * /sbin/init) from the initial archive, and then serves fault messages:
 * Linux system calls go to linux.c; a page fault or CPU exception ends
 * the process (demand paging and signals come later). When init exits,
 * so does the machine (QEMU's isa-debug-exit with init's status).
 */
#include "procserv.h"

#define ROOT UX_BI_SLOT_CNODE

uint64_t ps_ep, ps_reply, ps_l1;
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

static uint64_t
mr(struct ux_msg *m, unsigned i)
{
	return i < UX_REG_MRS ? m->mr[i] : ux_ipcbuf()->mr[i];
}

/* Handle one fault message; fill m with the reply, return its length
 * (0: no reply). */
static unsigned
handle(struct ux_msg *m)
{
	struct proc *p = proc_get(m->badge);
	unsigned label = (unsigned)ux_mi_label(m->info);
	uint64_t regs[UX_REG_COUNT];

	if (!p || ux_mi_len(m->info) < UX_FAULT_REGS + UX_REG_COUNT)
		return 0;
	for (unsigned i = 0; i < UX_REG_COUNT; i++)
		regs[i] = mr(m, UX_FAULT_REGS + i);
	if (label == UX_FAULT_SYSCALL) {
		unsigned n = lx_syscall(p, regs);
		for (unsigned i = 0; i < n; i++) {
			if (i < UX_REG_MRS)
				m->mr[i] = regs[i];
			else
				ux_ipcbuf()->mr[i] = regs[i];
		}
		return n;
	}
	printf("procserv: pid %d (%s): %s %#lx at rip %#lx: killed\n",
	       p->pid, p->name,
	       label == UX_FAULT_PAGE ? "page fault at" : "exception",
	       (unsigned long)mr(m, 0), (unsigned long)regs[UX_REG_RIP]);
	proc_exit(p, label == UX_FAULT_PAGE ? 128 + 11 : 128 + 4);
	return 0;
}

int main(struct ux_bootinfo *bi);

int
main(struct ux_bootinfo *bi)
{
	long e;
	size_t size;

	alloc_init(bi);
	cspace_init();
	if ((e = alloc_obj(UX_CAP_ENDPOINT, 0, &ps_ep)) ||
	    (e = alloc_obj(UX_CAP_REPLY, 0, &ps_reply)))
		fatal("endpoint", e);
	exit_port = alloc_slot();
	if (ux_ioport_issue(UX_BI_SLOT_IOPORT_CONTROL, 0xF4, 0xF4, ROOT,
			    exit_port, 64))
		exit_port = 0;
	initrd_init(bi);
	time_init(bi);
	char *argv[16];
	const char *path = init_args(bi, argv, 16);
	const void *img = initrd_find(path, &size);
	if (!img) {
		printf("procserv: init program %s not in the initial archive\n",
		       path);
		ux_exit(2);
	}
	printf("procserv: starting %s\n", path);
	init_pid = proc_spawn(path, argv, img, size, 0);
	if (init_pid < 0)
		ux_exit(2);

	struct ux_msg m = {0};
	ux_recv(ps_ep, ps_reply, &m);
	for (;;) {
		unsigned n = handle(&m);
		if (!proc_get((uint64_t)init_pid)) {
			printf("procserv: init has exited\n");
			ux_exit(0);
		}
		if (n) {
			m.info = ux_msginfo(0, n, 0, 0);
			ux_reply_recv(ps_ep, ps_reply, &m);
		} else {
			m = (struct ux_msg){0};
			ux_recv(ps_ep, ps_reply, &m);
		}
	}
}
