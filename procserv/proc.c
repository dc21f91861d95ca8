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
struct proc procs[MAX_PROCS];
/* Untypeds (and CNode slots) of ended processes, for new ones. */
static struct { uint64_t ut, pcn; } spare[MAX_PROCS];
static unsigned nspare;

struct proc *
proc_slot(int pid)
{
	return pid > 0 && pid < MAX_PROCS && procs[pid].used ? &procs[pid]
							     : NULL;
}

uint64_t
proc_tcb(const struct proc *p)
{
	return PCAP(p->tgid, p->tcb_slot);
}

struct proc *
proc_next_thread(struct proc *l, struct proc *after)
{
	for (int i = after ? after->pid + 1 : 1; i < MAX_PROCS; i++) {
		struct proc *t = &procs[i];
		if (t->used && !t->zombie && t->tgid == l->pid &&
		    !(t == l && l->thread_gone))
			return t;
	}
	return NULL;
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
				   .tgid = pid, .nthreads = 1,
				   .tcb_slot = PS_TCB, .fault_slot = PS_FAULT,
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
			       p->pcn, 64, UX_R_ALL, PCN_GUARD)))
		return e;
	p->next_slot = PS_TCB;
	if ((e = proc_obj(p, UX_CAP_TCB, &c)) ||
	    (e = proc_obj(p, UX_CAP_PML4, &c)) ||
	    (e = proc_obj(p, UX_CAP_CNODE, &c)))
		return e;
	p->next_slot = PS_FIRST_FREE;
	p->nspare_tcb = 0;
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
	if (!native)
		quota_exec(p, path); /* init: a program rule applies too */
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

/* Configure task t's TCB in its process and run it with regs. */
static long
tcb_start(struct proc *t, const uint64_t regs[UX_REG_COUNT])
{
	struct proc *p = proc_tg(t);
	uint64_t tcb = proc_tcb(t);
	uint64_t ipc = p->native ? mem_cap(p, UX_BI_IPCBUF) : 0;
	long e;

	if ((e = ux_tcb_configure(tcb, PCAP(p->pid, t->fault_slot),
				  PCAP(p->pid, PS_CSPACE),
				  64 - p->cspace_radix, PCAP(p->pid, PS_PML4),
				  p->native ? UX_BI_IPCBUF : 0,
				  ipc)) ||
	    (e = ux_tcb_set_priority(tcb, UX_BI_SLOT_TCB,
				     p->native ? 200 : 100)) ||
	    (!p->native &&
	     (e = ux_tcb_set_flags(tcb, UX_TCB_F_LINUX_FILES))) ||
	    (e = ux_tcb_write_regs(tcb, 1, UX_REG_COUNT, regs)))
		printf("procserv: %s: cannot start: %s\n", p->name,
		       ux_strerror(e));
	return e;
}

long
proc_start_regs(struct proc *p, const uint64_t regs[UX_REG_COUNT])
{
	long e = tcb_start(p, regs);
	if (e)
		proc_exit(p, 127 << 8);
	return e;
}

/* A TCB and a fault endpoint badged with t's tid for thread t, in its
 * process l's CNode: the pair an ended thread left, or new ones. */
static long
thread_objects(struct proc *l, struct proc *t)
{
	uint64_t c;
	long e;
	if (l->nspare_tcb) {
		t->tcb_slot = l->spare_tcb[--l->nspare_tcb];
	} else {
		t->tcb_slot = l->next_slot;
		if (l->next_slot + 2 > (1u << PROC_RADIX))
			return UX_E_NOT_ENOUGH_MEMORY;
		if ((e = proc_obj(l, UX_CAP_TCB, &c)))
			return e;
		l->next_slot++;
	}
	t->fault_slot = t->tcb_slot + 1;
	ux_cnode_delete(l->pcn, t->fault_slot, PROC_RADIX);
	return ux_cnode_mint(l->pcn, t->fault_slot, PROC_RADIX, ROOT, ps_ep,
			     64, UX_R_WRITE | UX_R_GRANT_REPLY,
			     (uint64_t)t->pid);
}

long
proc_thread(struct proc *p, const uint64_t regs[UX_REG_COUNT],
	    uint64_t clear_tid)
{
	struct proc *l = proc_tg(p);
	long q = quota_task(p);
	if (q)
		return q;
	int tid = proc_alloc(l->ppid, l->exe);
	if (tid < 0)
		return -11; /* EAGAIN */
	struct proc *t = &procs[tid];
	/* its own parts; the shared ones are read from the leader, but
	 * these copies keep what prints a task's name or ids right */
	t->tgid = l->pid;
	t->nthreads = 0;
	t->pgid = l->pgid, t->sid = l->sid;
	t->uid = l->uid, t->gid = l->gid;
	t->start_ns = time_mono_ns();
	memcpy(t->name, l->name, sizeof t->name);
	t->clear_tid = clear_tid;
	t->sig.mask = p->sig.mask;
	long e = thread_objects(l, t);
	if (!e)
		e = tcb_start(t, regs);
	if (e) {
		t->used = false;
		return -11; /* EAGAIN, as Linux without resources */
	}
	l->nthreads++;
	return tid;
}

/* End task t alone: its waits, its TCB (kept for another thread), and
 * (clear) its clear-tid word zeroed and woken, as Linux does. */
static void
thread_end(struct proc *t, bool clear)
{
	struct proc *l = proc_tg(t);
	uint32_t zero = 0;
	ptrace_exit(t); /* ptrace.c: as a tracee and as a tracer */
	sig_cancel_waits(t);
	ux_tcb_suspend(proc_tcb(t), NULL);
	if (clear && t->clear_tid &&
	    !proc_copy_out(l, t->clear_tid, &zero, sizeof zero))
		futex_wake_word(l, t->clear_tid);
	l->nthreads--;
	if (t == l) {
		l->thread_gone = true;
		return;
	}
	if (l->nspare_tcb < sizeof l->spare_tcb / sizeof l->spare_tcb[0])
		l->spare_tcb[l->nspare_tcb++] = t->tcb_slot;
	t->used = false;
}

void
proc_thread_exit(struct proc *t, int wstatus)
{
	struct proc *l = proc_tg(t);
	if (l->nthreads <= 1)
		proc_exit(l, wstatus);
	else
		thread_end(t, true);
}

/* Every thread of l's process but keep ends (exit_group, execve). */
static void
end_others(struct proc *l, struct proc *keep)
{
	for (struct proc *t = proc_next_thread(l, NULL), *n; t; t = n) {
		n = proc_next_thread(l, t);
		if (t != keep)
			thread_end(t, false);
	}
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
		if (procs[i].used && !procs[i].zombie && procs[i].tgid == i)
			return &procs[i];
	return NULL;
}

/* What child c has to tell a wait with these options: a wait status
 * (taken: told once, unless WNOWAIT), or -1. */
static int
child_news(struct proc *c, int opts)
{
	bool take = !(opts & WAIT_NOWAIT);
	int s = -1;
	if (c->zombie) {
		s = opts & WAIT_EXITED ? c->wstatus : -1;
	} else if ((opts & WAIT_STOPPED) && c->sig.stop_report) {
		s = c->sig.stop_report << 8 | 0x7F;
		if (take)
			c->sig.stop_report = 0;
	} else if ((opts & WAIT_CONTINUED) && c->sig.cont_report) {
		s = 0xFFFF;
		if (take)
			c->sig.cont_report = false;
	}
	return s;
}

/* Hand a wait's result to p: wait4's status at va and the pid, or
 * (WAIT_INFO: waitid) a siginfo at va and 0; -EFAULT. */
static long
wait_put(struct proc *p, uint64_t va, long r, int st, int opts)
{
	if (!(opts & WAIT_INFO))
		return r > 0 && va && proc_copy_out(p, va, &st, 4) ? -14 : r;
	if (r < 0 || !va)
		return r < 0 ? r : 0;
	int32_t head[3] = {0}, body[3] = {0};
	if (r > 0) {
		struct proc *c = &procs[r];
		int code = (st & 0xFF) == 0x7F ? 5	    /* CLD_STOPPED */
			   : st == 0xFFFF     ? 6	    /* CLD_CONTINUED */
			   : st & 0x7F	      ? (st & 0x80 ? 3 : 2) /* DUMPED,
								 * KILLED */
					      : 1;	    /* CLD_EXITED */
		head[0] = SIGCHLD, head[2] = code;
		body[0] = (int32_t)r, body[1] = (int32_t)c->uid;
		body[2] = code == 1 ? (st >> 8) & 0xFF
			  : code == 5 ? (st >> 8) & 0xFF
			  : code == 6 ? SIGCONT
				      : st & 0x7F;
	}
	if (proc_copy_out(p, va, head, sizeof head) ||
	    proc_copy_out(p, va + 16, body, sizeof body))
		return -14; /* EFAULT */
	return 0;
}

/* A child of p with news for wait(pid, opts): its pid (a zombie is
 * forgotten), 0 if there are children but none has news, -ECHILD. */
static long
wait_find(struct proc *t, int64_t pid, int opts, int *status)
{
	struct proc *p = proc_tg(t);
	bool any = false;
	for (int i = 1; i < MAX_PROCS; i++) {
		struct proc *c = &procs[i];
		bool group = pid < -1 || (opts & WAIT_GROUP);
		bool child = c->tgid == c->pid && c->ppid == p->pid;
		if (!c->used || !(child || ptrace_traces(p, c)) || /* ptrace.c */
		    (pid > 0 && c->pid != pid) ||
		    (pid == 0 && c->pgid != p->pgid) ||
		    (group && c->pgid != -pid))
			continue;
		any = true;
		if ((*status = ptrace_news(p, c, opts)) < 0 &&
		    (!child || (*status = child_news(c, opts)) < 0))
			continue;
		if (c->zombie && !(opts & WAIT_NOWAIT))
			c->used = false; /* its entry stays readable until reused */
		return c->pid;
	}
	return any ? 0 : -10; /* ECHILD */
}

/* Answer task p's wait4 if a child now has news for it. */
static void
wait_answer(struct proc *p)
{
	int st = 0;
	if (!p->waiting)
		return;
	long r = wait_find(p, p->wait_pid, p->wait_opts, &st);
	if (!r)
		return;
	struct ux_msg m = {.info = ux_msginfo(0, 1, 0, 0)};
	m.mr[0] = (uint64_t)wait_put(p, p->wait_status_va, r, st,
				     p->wait_opts);
	p->waiting = false;
	ux_reply(p->wait_reply, &m);
	ps_release(p->wait_reply);
}

void
proc_wait_notify(struct proc *p)
{
	for (struct proc *t = proc_next_thread(p, NULL); t;
	     t = proc_next_thread(p, t))
		wait_answer(t);
}

void
proc_exit(struct proc *p, int wstatus)
{
	p = proc_tg(p);
	ptrace_exit(p); /* ptrace.c: as a tracee and as a tracer */
	proc_report(p, wstatus);
	end_others(p, p);
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
	/* wait4: EFAULT before a child is taken; waitid (as Linux) after */
	if (status_va && !(opts & WAIT_INFO) &&
	    proc_copy_out(p, status_va, &st, 4))
		return -14;
	long r = wait_find(p, pid, opts, &st);
	if (r || (opts & WAIT_NOHANG))
		return wait_put(p, status_va, r, st, opts);
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
proc_fork(struct proc *t)
{
	struct proc *parent = proc_tg(t);
	long q = quota_task(t);
	if (q)
		return q;
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
	c->tgid = pid;
	c->nthreads = 1;
	c->thread_gone = false;
	c->tcb_slot = PS_TCB, c->fault_slot = PS_FAULT;
	c->clear_tid = 0;
	memset(c->fds, 0, sizeof c->fds); /* fd_fork's to fill */
	c->nfds = 0;
	perm_inherit(&parent->perms, &c->perms);
	sig_fork(t, c);
	long e = proc_objects(c);
	if (!e)
		e = mem_fork(parent, c) ? UX_E_NOT_ENOUGH_MEMORY : UX_OK;
	if (!e)
		e = fd_fork(parent, c);
	if (e) {
		fd_exit(c); /* the references fd_fork took */
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
	const void *img = ns_program(proc_tg(p), path, &size, &err, NULL);
	if (!img)
		return err;
	if (elf64_check(img, size, STACK_TOP - 0x10000000, &in))
		return -8; /* ENOEXEC */
	/* No way back from here: the old image goes, and the other
	 * threads; the caller goes on as the leader (Linux's de_thread). */
	struct proc *l = proc_tg(p);
	end_others(l, p);
	if (p != l) {
		l->sig.mask = p->sig.mask;
		l->sig.alt_sp = p->sig.alt_sp, l->sig.alt_size = p->sig.alt_size;
		l->sig.alt_flags = p->sig.alt_flags;
		thread_end(p, false);
		p = l;
	}
	l->thread_gone = false;
	l->nthreads = 1;
	l->clear_tid = 0;
	static struct fdent fds[MAX_FD];
	memcpy(fds, p->fds, sizeof fds);
	proc_free_objects(p);
	quota_exec(p, path);
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
