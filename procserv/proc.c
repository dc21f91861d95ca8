/*
 * proc.c - processes: creation from an ELF image, fork, exec, exit and
 * wait. Their memory is mem.c's: the loader makes regions and writes the
 * segments' data and the initial stack; everything else is paged in on
 * first touch.
 *
 * A process's kernel objects (CNode, TCB, PML4, page tables) come from an
 * untyped of its own, so ending it is one revoke. That untyped (and the
 * slot of the CNode) is kept for the next process: a revoked untyped has
 * no children, so it is used again from its start.
 */
#include "procserv.h"
#include "elf/elf64.h"

#define ROOT UX_BI_SLOT_CNODE
#define STACK_TOP 0x7ffffff00000ull
#define STACK_SIZE (8ull << 20) /* Linux's default RLIMIT_STACK */
#define NATIVE_STACK (32 * 4096ull)
#define MAX_ARGS 64

extern uint64_t ps_l1;
static struct proc procs[MAX_PROCS];
/* Untypeds (and CNode slots) of ended processes, for new ones. */
static struct { uint64_t ut, pcn; } spare[MAX_PROCS];
static unsigned nspare;

struct proc *
proc_get(uint64_t pid)
{
	return pid > 0 && pid < MAX_PROCS && procs[pid].used &&
			       !procs[pid].zombie
		       ? &procs[pid]
		       : NULL;
}

/* A new object in the process's CNode; *cptr is its address. */
long
proc_obj(void *ctx, unsigned type, uint64_t *cptr)
{
	struct proc *p = ctx;
	if (p->next_slot >= (1u << PROC_RADIX))
		return UX_E_NOT_ENOUGH_MEMORY;
	uint32_t j = p->next_slot;
	long e = ux_untyped_retype(p->ut, type,
				   type == UX_CAP_CNODE ? p->cspace_radix : 0,
				   p->pcn, 0, 0, j, 1);
	if (!e) {
		p->next_slot++;
		*cptr = PCAP(p->pid, j);
	}
	return e;
}

static unsigned
seg_rights(uint32_t f)
{
	return UX_R_READ | (f & ELF_PF_W ? UX_R_WRITE : 0) |
	       (f & ELF_PF_X ? UX_R_EXEC : 0);
}

static long
load_segments(struct proc *p, const uint8_t *img, const struct elf_info *in)
{
	struct elf_segment s;
	for (unsigned i = 0; elf64_load_segment(img, in, i, &s); i++) {
		uint64_t end = (s.vaddr + s.memsz + 0xFFF) & ~0xFFFull;
		if (mem_region(p, s.vaddr & ~0xFFFull, end, seg_rights(s.flags)))
			return UX_E_NOT_ENOUGH_MEMORY;
		if (s.filesz && mem_load(p, s.vaddr, img + s.offset, s.filesz))
			return UX_E_NOT_ENOUGH_MEMORY;
		if (end > p->brk_start)
			p->brk_start = end;
	}
	return UX_OK;
}

/* The initial stack (System V x86-64 ABI): argc, argv, envp, auxv, and
 * the strings and random bytes they point at. Returns the new rsp. */
static uint64_t
build_stack(struct proc *p, const char *path, char *const argv[],
	    char *const envp[], const struct elf_info *in, uint64_t phdr_va)
{
	static uint8_t page[4096];
	uint64_t top = STACK_TOP, sp, argv_va[MAX_ARGS], envp_va[MAX_ARGS];
	size_t plen = strlen(path) + 1;
	unsigned argc = 0, envc = 0;
	uint64_t *v;

	memset(page, 0, sizeof page);
	/* strings at the top of the page: path, arguments, random bytes */
	uint64_t str = top - 64 - plen;
	uint64_t path_va = str;
	memcpy(page + (str - (top - 4096)), path, plen);
	for (; argv[argc] && argc < MAX_ARGS; argc++) {
		size_t n = strlen(argv[argc]) + 1;
		if (n > str - (top - 3072))
			return 0; /* keep a quarter of the page for pointers */
		str -= n;
		memcpy(page + (str - (top - 4096)), argv[argc], n);
		argv_va[argc] = str;
	}
	for (; envp && envp[envc] && envc < MAX_ARGS; envc++) {
		size_t n = strlen(envp[envc]) + 1;
		if (n > str - (top - 3072))
			return 0;
		str -= n;
		memcpy(page + (str - (top - 4096)), envp[envc], n);
		envp_va[envc] = str;
	}
	uint64_t rand_va = top - 32;
	uint64_t seed = 0x9E3779B97F4A7C15ull ^ (uint64_t)p->pid;
	for (int i = 0; i < 16; i++) {
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		page[rand_va - (top - 4096) + i] = (uint8_t)seed;
	}
	uint64_t aux[][2] = {
		{3, phdr_va}, {4, 56}, {5, in->phnum}, {6, 4096},
		{9, in->entry}, {11, p->uid}, {12, p->uid}, {13, p->gid},
		{14, p->gid}, {16, 0}, {17, 100}, {23, 0}, {25, rand_va},
		{31, path_va}, {0, 0}};
	unsigned words = 1 + argc + 1 + envc + 1 +
			 2 * (sizeof aux / sizeof aux[0]);
	sp = (str - words * 8) & ~15ull;
	v = (uint64_t *)(page + (sp - (top - 4096)));
	*v++ = argc;
	for (unsigned i = 0; i < argc; i++)
		*v++ = argv_va[i];
	*v++ = 0;
	for (unsigned i = 0; i < envc; i++)
		*v++ = envp_va[i];
	*v++ = 0;
	memcpy(v, aux, sizeof aux);
	if (proc_copy_out(p, top - 4096, page, sizeof page))
		return 0;
	return sp;
}

static int
proc_alloc(int ppid, const char *path)
{
	for (int pid = 1; pid < MAX_PROCS; pid++) {
		struct proc *p = &procs[pid];
		if (p->used)
			continue;
		memset(p, 0, sizeof *p);
		*p = (struct proc){.used = true, .pid = pid, .ppid = ppid,
				   .pgid = pid, .sid = pid,
				   .next_slot = PS_FIRST_FREE, .uid = 1000,
				   .gid = 1000};
		const char *b = path;
		for (const char *s = path; *s; s++)
			if (*s == '/')
				b = s + 1;
		snprintf(p->name, sizeof p->name, "%s", b);
		snprintf(p->exe, sizeof p->exe, "%s", path);
		snprintf(p->cwd, sizeof p->cwd, "/");
		p->umask = 022;
		for (unsigned r = 0; r < 16; r++)
			p->rlim[r][0] = p->rlim[r][1] = ~0ull;
		p->rlim[3][0] = 8ull << 20;  /* RLIMIT_STACK */
		p->rlim[7][0] = 1024;        /* RLIMIT_NOFILE */
		p->rlim[7][1] = 4096;
		return pid;
	}
	return -1;
}

/* Kernel objects of a new process: untyped, CNode (in L1 at pid),
 * TCB, PML4, its empty CSpace, its fault endpoint (ours, badged). */
static long
proc_objects(struct proc *p)
{
	uint64_t c;
	long e;
	if (nspare) {
		nspare--;
		p->ut = spare[nspare].ut;
		p->pcn = spare[nspare].pcn;
	} else if ((e = alloc_obj(UX_CAP_UNTYPED, PROC_UNTYPED_BITS,
				  &p->ut))) {
		return e;
	} else if (!(p->pcn = alloc_slot())) {
		return UX_E_NOT_ENOUGH_MEMORY;
	}
	if ((e = ux_untyped_retype(p->ut, UX_CAP_CNODE, PROC_RADIX, ROOT, 0,
				   0, p->pcn, 1)) ||
	    (e = ux_cnode_mint(ps_l1, (uint64_t)p->pid, L1_RADIX, ROOT,
			       p->pcn, 64, UX_R_ALL, 2)))
		return e;
	p->next_slot = PS_TCB;
	if ((e = proc_obj(p, UX_CAP_TCB, &c)) ||
	    (e = proc_obj(p, UX_CAP_PML4, &c)) ||
	    (e = proc_obj(p, UX_CAP_CNODE, &c)))
		return e;
	p->next_slot = PS_FIRST_FREE;
	return ux_cnode_mint(p->pcn, PS_FAULT, PROC_RADIX, ROOT, ps_ep, 64,
			     UX_R_WRITE | UX_R_GRANT_REPLY, (uint64_t)p->pid);
}

/* Native servers: IPC buffer at UX_BI_IPCBUF (fs base points at it, and
 * its user[0] holds its address), stack below UX_BI_STACK_TOP. */
static long
native_layout(struct proc *p)
{
	uint64_t self = UX_BI_IPCBUF;
	p->sp = UX_BI_STACK_TOP;
	if (mem_region(p, UX_BI_IPCBUF, UX_BI_IPCBUF + 4096,
		       UX_R_READ | UX_R_WRITE) ||
	    mem_region(p, UX_BI_STACK_TOP - NATIVE_STACK, UX_BI_STACK_TOP,
		       UX_R_READ | UX_R_WRITE))
		return UX_E_NOT_ENOUGH_MEMORY;
	if (proc_copy_out(p, UX_BI_IPCBUF + offsetof(struct ux_ipc_buffer, user),
			  &self, 8) ||
	    mem_wire(p))
		return UX_E_NOT_ENOUGH_MEMORY;
	return UX_OK;
}

static long
linux_layout(struct proc *p, const char *path, char *const argv[],
	     char *const envp[], const uint8_t *image,
	     const struct elf_info *in)
{
	struct elf_segment s0;
	if (mem_region(p, STACK_TOP - STACK_SIZE, STACK_TOP,
		       UX_R_READ | UX_R_WRITE))
		return UX_E_NOT_ENOUGH_MEMORY;
	elf64_load_segment(image, in, 0, &s0);
	p->sp = build_stack(p, path, argv, envp, in,
			    s0.vaddr - s0.offset + in->phoff);
	return p->sp ? UX_OK : UX_E_FAULT;
}

int
proc_create(const char *path, char *const argv[], const void *image,
	    size_t size, int ppid, bool native)
{
	struct elf_info in;
	enum elf_error ee = elf64_check(image, size, STACK_TOP - 0x10000000,
					&in);
	if (ee) {
		printf("procserv: %s: %s\n", path, elf64_strerror(ee));
		return -1;
	}
	int pid = proc_alloc(ppid, path);
	if (pid < 0)
		return -1;
	struct proc *p = proc_get((uint64_t)pid);
	p->native = native;
	p->cspace_radix = native ? SRV_RADIX : LX_FD_RADIX;
	p->entry = in.entry;
	long e = proc_objects(p);
	if (!e)
		e = load_segments(p, image, &in);
	if (!e) {
		p->brk = p->brk_start;
		e = native ? native_layout(p)
			   : linux_layout(p, path, argv, NULL, image, &in);
	}
	if (e) {
		printf("procserv: %s: cannot create process: %s\n", path,
		       ux_strerror(e));
		proc_exit(p, 127 << 8);
		return -1;
	}
	return pid;
}

long
proc_start(struct proc *p)
{
	uint64_t regs[UX_REG_COUNT] = {0};
	regs[UX_REG_RIP] = p->entry;
	regs[UX_REG_RSP] = p->sp;
	regs[UX_REG_RFLAGS] = 0x202;
	if (p->native)
		regs[UX_REG_FS_BASE] = UX_BI_IPCBUF;
	return proc_start_regs(p, regs);
}

long
proc_start_regs(struct proc *p, const uint64_t regs[UX_REG_COUNT])
{
	uint64_t tcb = PCAP(p->pid, PS_TCB);
	uint64_t ipc = p->native ? mem_cap(p, UX_BI_IPCBUF) : 0;
	long e;

	if ((e = ux_tcb_configure(tcb, PCAP(p->pid, PS_FAULT),
				  PCAP(p->pid, PS_CSPACE),
				  64 - p->cspace_radix, PCAP(p->pid, PS_PML4),
				  p->native ? UX_BI_IPCBUF : 0,
				  ipc)) ||
	    (e = ux_tcb_set_priority(tcb, UX_BI_SLOT_TCB,
				     p->native ? 200 : 100)) ||
	    (!p->native &&
	     (e = ux_tcb_set_flags(tcb, UX_TCB_F_LINUX_FILES))) ||
	    (e = ux_tcb_write_regs(tcb, 1, UX_REG_COUNT, regs))) {
		printf("procserv: %s: cannot start: %s\n", p->name,
		       ux_strerror(e));
		proc_exit(p, 127 << 8);
	}
	return e;
}

/* Free p's memory and kernel objects (everything came from its
 * untyped, kept for another process). */
static void
proc_free_objects(struct proc *p)
{
	mem_free(p);
	if (p->ut) {
		ux_cnode_revoke(ROOT, p->ut, 64);
		if (nspare < MAX_PROCS) {
			spare[nspare].ut = p->ut;
			spare[nspare++].pcn = p->pcn;
		} else {
			ux_cnode_delete(ROOT, p->ut, 64);
		}
	}
	p->ut = 0;
}

static void
proc_report(struct proc *p, int wstatus)
{
	if (wstatus & 0x7F)
		printf("procserv: pid %d (%s) killed by signal %d\n", p->pid,
		       p->name, wstatus & 0x7F);
	else
		printf("procserv: pid %d (%s) exited with status %d\n", p->pid,
		       p->name, (wstatus >> 8) & 0xFF);
}

struct proc *
proc_next(struct proc *after)
{
	for (int i = after ? after->pid + 1 : 1; i < MAX_PROCS; i++)
		if (procs[i].used && !procs[i].zombie)
			return &procs[i];
	return NULL;
}

#define WNOHANG 1
#define WUNTRACED 2
#define WCONTINUED 8

/* What child c has to tell a wait with these options: a wait status
 * (taken: told once), or -1. */
static int
child_news(struct proc *c, int opts)
{
	int s = -1;
	if (c->zombie) {
		s = c->wstatus;
	} else if ((opts & WUNTRACED) && c->sig.stop_report) {
		s = c->sig.stop_report << 8 | 0x7F;
		c->sig.stop_report = 0;
	} else if ((opts & WCONTINUED) && c->sig.cont_report) {
		s = 0xFFFF;
		c->sig.cont_report = false;
	}
	return s;
}

/* A child of p with news for wait(pid, opts): its pid (a zombie is
 * forgotten), 0 if there are children but none has news, -ECHILD. */
static long
wait_find(struct proc *p, int64_t pid, int opts, int *status)
{
	bool any = false;
	for (int i = 1; i < MAX_PROCS; i++) {
		struct proc *c = &procs[i];
		if (!c->used || c->ppid != p->pid ||
		    (pid > 0 && c->pid != pid) ||
		    (pid == 0 && c->pgid != p->pgid) ||
		    (pid < -1 && c->pgid != -pid))
			continue;
		any = true;
		if ((*status = child_news(c, opts)) < 0)
			continue;
		if (c->zombie)
			c->used = false;
		return c->pid;
	}
	return any ? 0 : -10; /* ECHILD */
}

void
proc_wait_notify(struct proc *p)
{
	int st = 0;
	if (!p->waiting)
		return;
	long r = wait_find(p, p->wait_pid, p->wait_opts, &st);
	if (!r)
		return;
	struct ux_msg m = {.info = ux_msginfo(0, 1, 0, 0)};
	m.mr[0] = (uint64_t)r;
	if (r > 0 && p->wait_status_va &&
	    proc_copy_out(p, p->wait_status_va, &st, 4))
		m.mr[0] = (uint64_t)-14; /* EFAULT */
	p->waiting = false;
	ux_reply(p->wait_reply, &m);
	ps_release(p->wait_reply);
}

void
proc_exit(struct proc *p, int wstatus)
{
	proc_report(p, wstatus);
	fd_exit(p);
	proc_free_objects(p);
	sig_cancel_waits(p);
	p->zombie = true;
	p->wstatus = wstatus;
	ns_exit(p); /* its namespace (if it was the last in it), its ports */
	for (int i = 1; i < MAX_PROCS; i++) { /* orphans: nobody waits */
		struct proc *c = &procs[i];
		if (c->used && c->ppid == p->pid) {
			c->ppid = 0;
			if (c->zombie)
				c->used = false;
		}
	}
	struct proc *parent = proc_get((uint64_t)p->ppid);
	if (!parent || sig_autoreap(parent))
		p->used = false; /* nobody will wait for it */
	if (!parent)
		return;
	proc_wait_notify(parent);
	struct sig_info si = {.code = wstatus & 0x7F ? 2 : 1, /* CLD_* */
			      .pid = p->pid, .uid = (int32_t)p->uid,
			      .status = wstatus & 0x7F ? wstatus & 0x7F
						       : (wstatus >> 8) & 0xFF};
	sig_send(parent, SIGCHLD, &si);
}

long
proc_wait(struct proc *p, int64_t pid, uint64_t status_va, int opts)
{
	int st = 0;
	if (status_va && proc_copy_out(p, status_va, &st, 4))
		return -14; /* EFAULT, before a child is taken */
	long r = wait_find(p, pid, opts, &st);
	if (r > 0 && status_va)
		proc_copy_out(p, status_va, &st, 4);
	if (r || (opts & WNOHANG))
		return r;
	uint64_t reply = ps_defer();
	if (!reply)
		return -12; /* ENOMEM */
	p->waiting = true;
	p->wait_pid = pid;
	p->wait_opts = opts;
	p->wait_status_va = status_va;
	p->wait_reply = reply;
	return LX_LATER;
}

long
proc_fork(struct proc *parent)
{
	int pid = proc_alloc(parent->pid, parent->exe);
	if (pid < 0)
		return -11; /* EAGAIN: no process slot */
	struct proc *c = &procs[pid];
	int keep_pid = c->pid;
	memcpy(c, parent, sizeof *c); /* state, then the fresh parts */
	c->pid = keep_pid;
	c->ppid = parent->pid;
	c->ut = c->pcn = 0;
	c->nvma = 0;
	c->pages = 0;
	c->npages = 0;
	c->waiting = false;
	c->zombie = false;
	sig_fork(parent, c);
	long e = proc_objects(c);
	if (!e)
		e = mem_fork(parent, c) ? UX_E_NOT_ENOUGH_MEMORY : UX_OK;
	if (!e)
		e = fd_fork(parent, c);
	if (e) {
		proc_free_objects(c);
		c->used = false;
		return -12; /* ENOMEM */
	}
	return pid;
}

long
proc_exec(struct proc *p, const char *path, char *const argv[],
	  char *const envp[])
{
	struct elf_info in;
	size_t size;
	long err;
	const void *img = ns_program(p, path, &size, &err, NULL);
	if (!img)
		return err;
	if (elf64_check(img, size, STACK_TOP - 0x10000000, &in))
		return -8; /* ENOEXEC */
	/* No way back from here: the old image goes. */
	static struct fdent fds[MAX_FD];
	memcpy(fds, p->fds, sizeof fds);
	proc_free_objects(p);
	p->brk_start = p->brk = 0;
	sig_exec(p);
	memset(p->enosys_seen, 0, sizeof p->enosys_seen);
	snprintf(p->exe, sizeof p->exe, "%s", path);
	const char *b = strrchr(path, '/');
	snprintf(p->name, sizeof p->name, "%s", b ? b + 1 : path);
	long e = proc_objects(p);
	if (!e)
		e = load_segments(p, img, &in);
	if (!e) {
		p->brk = p->brk_start;
		p->entry = in.entry;
		e = linux_layout(p, path, argv, envp, img, &in);
	}
	if (!e)
		e = fd_exec(p, fds);
	if (!e)
		e = proc_start(p);
	if (e) {
		printf("procserv: exec %s failed: %s\n", path, ux_strerror(e));
		proc_exit(p, 127 << 8);
	}
	return LX_GONE;
}
