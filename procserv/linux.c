/*
 * linux.c - the Linux personality: system calls that a process made with
 * the syscall instruction and the kernel delivered to us as fault
 * messages. Arguments are in rdi, rsi, rdx, r10, r8, r9; the result goes
 * back in rax (a negative errno on failure).
 *
 * Output to fd 1 and 2 goes to the kernel's debug console until the
 * console server exists; there are no files yet.
 */
#include "procserv.h"
#include "lx_errno.h"

#define GONE (-1000000) /* the process no longer exists: no reply */

typedef long (*lx_fn)(struct proc *p, uint64_t *regs);

/* write(2) to the console: fds 1 and 2 only, for now. */
long
lx_console_write(struct proc *p, uint64_t buf, uint64_t len)
{
	static char tmp[4096];
	uint64_t done = 0;
	while (done < len) {
		uint64_t n = len - done < sizeof tmp ? len - done : sizeof tmp;
		if (proc_copy_in(p, tmp, buf + done, n))
			return done ? (long)done : -LX_EFAULT;
		ux_debug_write(tmp, n);
		done += n;
	}
	return (long)done;
}

/* A write reaches us only when the descriptor's slot holds no server
 * (the kernel sends the rest straight to the server): not open, or the
 * console with no console server (then the kernel's debug output). */
static long
lx_write(struct proc *p, uint64_t *regs)
{
	if (fd_is(p, ARG0, FD_PORT))
		return -LX_EIO; /* its server has gone */
	if (!fd_is(p, ARG0, FD_CONSOLE))
		return -LX_EBADF;
	return lx_console_write(p, ARG1, ARG2);
}

/* As write: here only for a descriptor that is not open, or a port
 * whose server has gone. */
static long
lx_read(struct proc *p, uint64_t *regs)
{
	return fd_is(p, ARG0, FD_PORT) ? -LX_EIO : -LX_EBADF;
}

static long lx_pread64(struct proc *p, uint64_t *regs) { return lx_read(p, regs); }
static long lx_pwrite64(struct proc *p, uint64_t *regs) { return lx_read(p, regs); }
static long lx_lseek(struct proc *p, uint64_t *regs) { return lx_read(p, regs); }

/* The size of the structure a terminal ioctl passes in or out. */
static int
ioctl_size(uint64_t req, bool *in)
{
	*in = false;
	switch (req) {
	case 0x5401: return 36;                                   /* TCGETS */
	case 0x5402: case 0x5403: case 0x5404: *in = true; return 36; /* TCSETS* */
	case 0x5413: return 8;                                    /* TIOCGWINSZ */
	case 0x5414: *in = true; return 8;                        /* TIOCSWINSZ */
	case 0x540F: return 4;                                    /* TIOCGPGRP */
	case 0x5410: *in = true; return 4;                        /* TIOCSPGRP */
	case 0x541B: return 4;                                    /* FIONREAD */
	default: return -1;
	}
}

/* Forwarded to the descriptor's server (only the console's, for now),
 * with the argument structure copied in or out by us. */
static long
lx_ioctl(struct proc *p, uint64_t *regs)
{
	static uint8_t buf[64];
	struct ux_ipc_buffer *b = ux_ipcbuf();
	bool in;
	int size = ioctl_size(ARG1, &in);

	if (fd_is(p, ARG0, FD_FILE) || fd_is(p, ARG0, FD_PORT))
		return -LX_ENOTTY;
	if (!fd_is(p, ARG0, FD_CONSOLE) || !ps_console_ep)
		return -LX_EBADF;
	if (size < 0)
		return -LX_ENOTTY;
	if (in && proc_copy_in(p, buf, ARG2, (size_t)size))
		return -LX_EFAULT;
	b->send_buf = (uint64_t)buf;
	b->send_len = in ? (uint64_t)size : 0;
	b->recv_buf = (uint64_t)buf;
	b->recv_len = in ? 0 : (uint64_t)size;
	struct ux_msg m = {
		.info = ux_msginfo(UX_FILE_IOCTL, 2, 0, in ? UX_MI_LONG : 0),
		.mr = {ARG1, ARG2}};
	long e = ux_call(ps_console_ep, &m);
	b->recv_len = 0;
	if (e)
		return -LX_EIO;
	long r = (long)m.mr[0];
	if (!r && !in && proc_copy_out(p, ARG2, buf, (size_t)size))
		return -LX_EFAULT;
	return r;
}

static long
lx_brk(struct proc *p, uint64_t *regs)
{
	return mem_brk(p, ARG0);
}

static long
lx_mmap(struct proc *p, uint64_t *regs)
{
	return mem_mmap(p, ARG0, ARG1, ARG2, ARG3, ARG4, ARG5);
}

static long
lx_munmap(struct proc *p, uint64_t *regs)
{
	return mem_munmap(p, ARG0, ARG1);
}

static long
lx_mprotect(struct proc *p, uint64_t *regs)
{
	return mem_mprotect(p, ARG0, ARG1, ARG2);
}

static long
lx_madvise(struct proc *p, uint64_t *regs)
{
	return mem_madvise(p, ARG0, ARG1, ARG2);
}

static long
lx_mremap(struct proc *p, uint64_t *regs)
{
	return mem_mremap(p, ARG0, ARG1, ARG2, ARG3, ARG4);
}

static long
lx_msync(struct proc *p, uint64_t *regs)
{
	return mem_msync(p, ARG0, ARG1, ARG2);
}

static long
lx_uname(struct proc *p, uint64_t *regs)
{
	char u[6][65];
	memset(u, 0, sizeof u);
	snprintf(u[0], 65, "UX/RT");
	snprintf(u[1], 65, "uxrt");
	snprintf(u[2], 65, "0.1");
	snprintf(u[3], 65, "UX/RT microkernel");
	snprintf(u[4], 65, "x86_64");
	snprintf(u[5], 65, "(none)");
	return proc_copy_out(p, ARG0, u, sizeof u) ? -LX_EFAULT : 0;
}

/* ARCH_SET_FS and ARCH_GET_FS; the GS forms are not supported yet. */
static long
lx_arch_prctl(struct proc *p, uint64_t *regs)
{
	if (ARG0 == 0x1002) {
		if (ARG1 >= UX_USER_TOP)
			return -LX_EPERM;
		regs[UX_REG_FS_BASE] = ARG1;
		return 0;
	}
	if (ARG0 == 0x1003)
		return proc_copy_out(p, ARG1, &regs[UX_REG_FS_BASE], 8)
			       ? -LX_EFAULT
			       : 0;
	return -LX_EINVAL;
}

static long lx_getpid(struct proc *p, uint64_t *regs) { (void)regs; return p->tgid; }
static long lx_gettid(struct proc *p, uint64_t *regs) { (void)regs; return p->pid; }
static long lx_getppid(struct proc *p, uint64_t *regs) { (void)regs; return p->ppid; }
static long lx_getuid(struct proc *p, uint64_t *regs) { (void)regs; return p->uid; }
static long lx_geteuid(struct proc *p, uint64_t *regs) { (void)regs; return p->uid; }
static long lx_getgid(struct proc *p, uint64_t *regs) { (void)regs; return p->gid; }
static long lx_getegid(struct proc *p, uint64_t *regs) { (void)regs; return p->gid; }

/* The word zeroed and woken when this thread ends. */
static long
lx_set_tid_address(struct proc *p, uint64_t *regs)
{
	p->clear_tid = ARG0;
	return p->pid;
}

static long
lx_exit_group(struct proc *p, uint64_t *regs)
{
	proc_exit(p, (int)(ARG0 & 0xFF) << 8);
	return GONE;
}

/* The end of the calling thread; of the process with its last one. */
static long
lx_exit(struct proc *p, uint64_t *regs)
{
	proc_thread_exit(p, (int)(ARG0 & 0xFF) << 8);
	return GONE;
}

/* Start a forked child where the parent's system call returns, with 0. */
static long
start_child(struct proc *c, const uint64_t *regs)
{
	uint64_t cregs[UX_REG_COUNT];
	memcpy(cregs, regs, sizeof cregs);
	cregs[UX_REG_RAX] = 0;
	c->start_ns = time_mono_ns();
	return proc_start_regs(c, cregs) ? -LX_ENOMEM : c->pid;
}

static long
lx_fork(struct proc *p, uint64_t *regs)
{
	long pid = proc_fork(p);
	return pid < 0 ? pid : start_child(proc_get((uint64_t)pid), regs);
}

/* Like fork: a vfork child may run alongside its parent. */
static long
lx_vfork(struct proc *p, uint64_t *regs)
{
	return lx_fork(p, regs);
}

#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_VFORK 0x4000
#define CLONE_THREAD 0x10000
#define CLONE_SYSVSEM 0x40000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_DETACHED 0x400000
#define CLONE_CHILD_SETTID 0x1000000
#define CLONE_NEWNS 0x20000
/* What a thread shares: everything (Linux allows less; we do not). */
#define CLONE_SHARE (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
		     CLONE_THREAD)
#define CLONE_IDS (CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | \
		   CLONE_CHILD_SETTID)

/* A new thread of p's process: on stack sp, with tls as its fs base. */
static long
clone_thread(struct proc *p, uint64_t *regs, uint64_t flags)
{
	uint64_t cregs[UX_REG_COUNT];
	memcpy(cregs, regs, sizeof cregs);
	cregs[UX_REG_RAX] = 0;
	if (ARG1)
		cregs[UX_REG_RSP] = ARG1;
	if (flags & CLONE_SETTLS) {
		if (ARG4 >= UX_USER_TOP)
			return -LX_EPERM;
		cregs[UX_REG_FS_BASE] = ARG4;
	}
	long tid = proc_thread(p, cregs,
			       flags & CLONE_CHILD_CLEARTID ? ARG3 : 0);
	if (tid < 0)
		return tid;
	uint32_t v = (uint32_t)tid;
	/* the same memory: written before either runs on */
	if ((flags & CLONE_PARENT_SETTID) && proc_copy_out(p, ARG2, &v, 4))
		return tid; /* Linux ignores a bad address here too */
	if (flags & CLONE_CHILD_SETTID)
		proc_copy_out(p, ARG3, &v, 4);
	return tid;
}

/* clone(flags, stack, parent_tid, child_tid, tls): a thread (every one
 * of CLONE_SHARE), or a process: fork with, optionally, a new stack and
 * the tid words. CLONE_VM without CLONE_THREAD (vfork-style spawning)
 * makes a copy-on-write child instead of one sharing memory, which
 * those callers cannot tell apart as long as the child only execs or
 * exits. CLONE_NEWNS gives a process its own copy of the namespace. */
static long
lx_clone(struct proc *p, uint64_t *regs)
{
	uint64_t flags = ARG0, ctid = ARG3;
	uint64_t known = CLONE_SHARE | CLONE_VFORK | CLONE_SYSVSEM |
			 CLONE_SETTLS | CLONE_IDS | CLONE_DETACHED | CLONE_NEWNS |
			 0xFF;
	if (flags & ~known)
		return -LX_EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -LX_EINVAL; /* as Linux */
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -LX_EINVAL;
	if ((flags & CLONE_NEWNS) && (flags & CLONE_FS))
		return -LX_EINVAL; /* as Linux: one cwd, two namespaces */
	if (flags & CLONE_THREAD)
		return (flags & CLONE_SHARE) == CLONE_SHARE
			       ? clone_thread(p, regs, flags)
			       : -LX_EINVAL; /* sharing less: not supported */
	if ((flags & (CLONE_SIGHAND | CLONE_FS | CLONE_FILES)) ||
	    (flags & 0xFF) != 17)
		return -LX_EINVAL; /* not supported for processes */
	long pid = proc_fork(p);
	if (pid < 0)
		return pid;
	struct proc *c = proc_get((uint64_t)pid);
	uint32_t v = (uint32_t)pid;
	if ((flags & CLONE_NEWNS) && ns_unshare_mounts(c)) {
		proc_exit(c, 9);
		return -LX_ENOMEM;
	}
	if ((flags & CLONE_CHILD_SETTID) && proc_copy_out(c, ctid, &v, 4)) {
		proc_exit(c, 11);
		return -LX_EFAULT;
	}
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_tid = ctid;
	if (flags & CLONE_PARENT_SETTID)
		proc_copy_out(p, ARG2, &v, 4);
	/* the child's stack and fs base, then the caller's back */
	uint64_t sp = regs[UX_REG_RSP], fs = regs[UX_REG_FS_BASE];
	if (ARG1)
		regs[UX_REG_RSP] = ARG1;
	if (flags & CLONE_SETTLS)
		regs[UX_REG_FS_BASE] = ARG4;
	long r = start_child(c, regs);
	regs[UX_REG_RSP] = sp;
	regs[UX_REG_FS_BASE] = fs;
	return r;
}

/* A NUL-terminated string from the process, at most n bytes. */
static long
copy_str(struct proc *p, char *dst, uint64_t va, size_t n)
{
	/* a page at a time: the rest of a page the string starts in is
	 * there to read, and no byte past the page is asked for */
	for (size_t i = 0; i < n;) {
		size_t k = 4096 - ((va + i) & 4095);
		if (k > n - i)
			k = n - i;
		if (proc_copy_in(p, dst + i, va + i, k))
			return -LX_EFAULT;
		const char *z = memchr(dst + i, 0, k);
		if (z)
			return (long)(z - dst);
		i += k;
	}
	return -LX_E2BIG;
}

/* A NULL-terminated array of strings into buf; ptrs point into buf. */
static long
copy_strv(struct proc *p, uint64_t va, char **ptrs, unsigned max, char *buf,
	  size_t size)
{
	unsigned i = 0;
	size_t used = 0;
	for (; va; i++) {
		uint64_t s;
		if (i == max)
			return -LX_E2BIG;
		if (proc_copy_in(p, &s, va + i * 8, 8))
			return -LX_EFAULT;
		if (!s)
			break;
		long n = copy_str(p, buf + used, s, size - used);
		if (n < 0)
			return n;
		ptrs[i] = buf + used;
		used += (size_t)n + 1;
	}
	ptrs[i] = NULL;
	return 0;
}

/* An ELF program or a #! script (exec.c), from tmpfs. */
static long
lx_execve(struct proc *p, uint64_t *regs)
{
	static char path[256], abuf[3072], ebuf[3072];
	static char *argv[65], *envp[65];
	long e;
	if ((e = copy_str(p, path, ARG0, sizeof path)) < 0 ||
	    (e = copy_strv(p, ARG1, argv, 64, abuf, sizeof abuf)) ||
	    (e = copy_strv(p, ARG2, envp, 64, ebuf, sizeof ebuf)))
		return e == -LX_E2BIG && !path[0] ? -LX_ENAMETOOLONG : e;
	if (!path[0])
		return -LX_ENOENT;
	return exec_file(p, path, argv, envp);
}

#define WAIT_THREADS (0x20000000 | 0x40000000 | 0x80000000ull) /* __W* */

/* rusage: zeroed (no CPU accounting yet). */
static long
zero_rusage(struct proc *p, uint64_t va)
{
	static const uint8_t zero[144];
	return va && proc_copy_out(p, va, zero, sizeof zero) ? -LX_EFAULT : 0;
}

/* wait4: WNOHANG, WUNTRACED, WCONTINUED (__WALL and the like are
 * accepted: a thread's children are its process's). */
static long
lx_wait4(struct proc *p, uint64_t *regs)
{
	if (ARG2 & ~(1ull | 2 | 8 | WAIT_THREADS))
		return -LX_EINVAL;
	if ((int32_t)ARG0 == INT32_MIN)
		return -LX_ESRCH;
	if (zero_rusage(p, ARG3))
		return -LX_EFAULT;
	return proc_wait(p, (int32_t)ARG0, ARG1,
			 (int)(ARG2 & 0xB) | WAIT_EXITED);
}

/* waitid(idtype, id, infop, options, rusage): P_ALL, P_PID, P_PGID
 * (P_PIDFD: there are no pidfds, EINVAL). */
static long
lx_waitid(struct proc *p, uint64_t *regs)
{
	uint64_t opts = ARG3, which = WAIT_EXITED | WAIT_STOPPED | WAIT_CONTINUED;
	int64_t id = (int32_t)ARG1, pid;
	if ((opts & ~(WAIT_NOHANG | which | WAIT_NOWAIT | WAIT_THREADS)) ||
	    !(opts & which))
		return -LX_EINVAL;
	switch (ARG0) {
	case 0: pid = -1; break;                     /* P_ALL */
	case 1: if (id <= 0) return -LX_EINVAL;      /* P_PID */
		pid = id; break;
	case 2: if (id < 0) return -LX_EINVAL;       /* P_PGID */
		pid = id ? -id : 0; break;
	default: return -LX_EINVAL;
	}
	if (zero_rusage(p, ARG4))
		return -LX_EFAULT;
	return proc_wait(p, pid, ARG2,
			 (int)(opts & ~WAIT_THREADS) | WAIT_INFO |
				 (pid == -1 && ARG0 == 2 ? WAIT_GROUP : 0));
}


static long
put_time(struct proc *p, uint64_t va, uint64_t ns, uint64_t div)
{
	uint64_t t[2] = {ns / 1000000000ull, ns % 1000000000ull / div};
	return proc_copy_out(p, va, t, sizeof t) ? -LX_EFAULT : 0;
}

/* CLOCK_REALTIME and the monotonic/boot-time clocks; the CPU-time clocks
 * are not measured yet (EINVAL). */
static long
lx_clock_gettime(struct proc *p, uint64_t *regs)
{
	switch (ARG0) {
	case 0: case 5: /* REALTIME, REALTIME_COARSE */
		return put_time(p, ARG1, time_real_ns(), 1);
	case 1: case 4: case 6: case 7: /* MONOTONIC(_RAW, _COARSE), BOOTTIME */
		return put_time(p, ARG1, time_mono_ns(), 1);
	default:
		return -LX_EINVAL;
	}
}

static long
lx_gettimeofday(struct proc *p, uint64_t *regs)
{
	if (ARG0)
		return put_time(p, ARG0, time_real_ns(), 1000);
	return 0;
}

static long
lx_time(struct proc *p, uint64_t *regs)
{
	uint64_t t = time_real_ns() / 1000000000ull;
	if (ARG0 && proc_copy_out(p, ARG0, &t, 8))
		return -LX_EFAULT;
	return (long)t;
}

/* Recorded for the day threads exist (it is read at thread exit). */
static long
lx_set_robust_list(struct proc *p, uint64_t *regs)
{
	if (ARG1 != 24)
		return -LX_EINVAL;
	p->robust_list = ARG0;
	p->robust_len = ARG1;
	return 0;
}

/* Limits of the process itself (pid 0 or its own) only, for now.
 * RLIMIT_NPROC, RLIMIT_NOFILE and RLIMIT_AS are enforced (quota.c), the
 * others kept and reported. */
static long
lx_prlimit64(struct proc *p, uint64_t *regs)
{
	uint64_t nl[2];
	if (ARG0 && ARG0 != (uint64_t)p->pid)
		return -LX_ESRCH;
	if (ARG1 >= 16)
		return -LX_EINVAL;
	if (ARG3 && proc_copy_out(p, ARG3, p->rlim[ARG1], 16))
		return -LX_EFAULT;
	if (ARG2) {
		if (proc_copy_in(p, nl, ARG2, 16))
			return -LX_EFAULT;
		if (nl[0] > nl[1])
			return -LX_EINVAL;
		if (nl[1] > p->rlim[ARG1][1])
			return -LX_EPERM;
		p->rlim[ARG1][0] = nl[0];
		p->rlim[ARG1][1] = nl[1];
	}
	return 0;
}

static long
lx_getrandom(struct proc *p, uint64_t *regs)
{
	uint8_t b[256];
	uint64_t done = 0;
	if (ARG2 & ~7ull)
		return -LX_EINVAL;
	while (done < ARG1) {
		uint64_t n = ARG1 - done < sizeof b ? ARG1 - done : sizeof b;
		random_bytes(b, n);
		if (proc_copy_out(p, ARG0 + done, b, n))
			return done ? (long)done : -LX_EFAULT;
		done += n;
	}
	return (long)done;
}

static long
lx_getcwd(struct proc *p, uint64_t *regs)
{
	size_t n = strlen(p->cwd) + 1;
	if (ARG1 < n)
		return -LX_ERANGE;
	return proc_copy_out(p, ARG0, p->cwd, n) ? -LX_EFAULT : (long)n;
}

long
lx_timespec_ns(struct proc *p, uint64_t va, uint64_t *ns)
{
	uint64_t ts[2];
	if (proc_copy_in(p, ts, va, sizeof ts))
		return -LX_EFAULT;
	if ((int64_t)ts[0] < 0 || ts[1] >= 1000000000ull)
		return -LX_EINVAL;
	*ns = ts[0] > (1ull << 33) ? ~0ull >> 1 : ts[0] * 1000000000ull + ts[1];
	return 0;
}

static long
sleep_for(struct proc *p, uint64_t ns)
{
	uint64_t now = time_mono_ns();
	return time_sleep(p, ns > ~0ull - now ? ~0ull : now + ns, NULL, NULL);
}

/* A signal's handler ends the sleep with EINTR and the time left
 * (signal.c). */
static long
lx_sched_yield(struct proc *p, uint64_t *regs)
{
	(void)p, (void)regs;
	return 0; /* the reply queues the caller behind its equals */
}

static long
lx_nanosleep(struct proc *p, uint64_t *regs)
{
	uint64_t ns;
	long e = lx_timespec_ns(p, ARG0, &ns);
	return e ? e : sleep_for(p, ns);
}

static long
lx_clock_nanosleep(struct proc *p, uint64_t *regs)
{
	uint64_t ns;
	long e;
	if (ARG0 != 0 && ARG0 != 1 && ARG0 != 7)
		return -LX_EINVAL;
	if ((e = lx_timespec_ns(p, ARG2, &ns)))
		return e;
	if (!(ARG1 & 1)) /* relative */
		return sleep_for(p, ns);
	uint64_t now = ARG0 == 0 ? time_real_ns() : time_mono_ns();
	return sleep_for(p, ns > now ? ns - now : 0);
}

static long
lx_getpgrp(struct proc *p, uint64_t *regs)
{
	(void)regs;
	return p->pgid;
}

static long
lx_getpgid(struct proc *p, uint64_t *regs)
{
	struct proc *q = ARG0 ? proc_get(ARG0) : p;
	return q ? q->pgid : -LX_ESRCH;
}

static long
lx_getsid(struct proc *p, uint64_t *regs)
{
	struct proc *q = ARG0 ? proc_get(ARG0) : p;
	return q ? q->sid : -LX_ESRCH;
}

static long
lx_setsid(struct proc *p, uint64_t *regs)
{
	(void)regs;
	if (p->pgid == p->pid)
		return -LX_EPERM; /* already a group leader */
	p->sid = p->pgid = p->pid;
	return p->sid;
}

/* Self or a child, in the caller's session, into an existing group of
 * that session or a new one named after the process. */
static long
lx_setpgid(struct proc *p, uint64_t *regs)
{
	struct proc *q = ARG0 ? proc_get(ARG0) : p;
	int64_t pg = (int64_t)(int32_t)ARG1;
	if (pg < 0)
		return -LX_EINVAL;
	if (!q || (q != p && q->ppid != p->pid))
		return -LX_ESRCH;
	if (q->sid != p->sid || q->pid == q->sid)
		return -LX_EPERM;
	if (!pg)
		pg = q->pid;
	if (pg != q->pid) {
		bool found = false;
		for (uint64_t i = 1; i < MAX_PROCS; i++) {
			struct proc *r = proc_get(i);
			found |= r && r->pgid == pg && r->sid == p->sid;
		}
		if (!found)
			return -LX_EPERM;
	}
	q->pgid = (int)pg;
	return 0;
}

static long
lx_pipe(struct proc *p, uint64_t *regs)
{
	return pipe_create(p, ARG0, 0);
}

static long
lx_pipe2(struct proc *p, uint64_t *regs)
{
	return pipe_create(p, ARG0, ARG1);
}

#define AT_FDCWD (-100)

/* A path argument (ENOENT if empty), made absolute if it is relative
 * to a directory descriptor. */
static long
path_arg(struct proc *p, int64_t dirfd, uint64_t va, char *out, size_t n)
{
	long e = copy_str(p, out, va, n);
	if (e < 0)
		return e == -LX_E2BIG ? -LX_ENAMETOOLONG : e;
	if (!out[0])
		return -LX_ENOENT;
	if (out[0] == '/' || dirfd == AT_FDCWD)
		return 0;
	return of_at(p, dirfd, out, n);
}

static long
lx_openat(struct proc *p, uint64_t *regs)
{
	char path[256];
	long e = path_arg(p, (int32_t)ARG0, ARG1, path, sizeof path);
	return e ? e : of_open(p, path, ARG2, (uint32_t)ARG3);
}

static long
lx_open(struct proc *p, uint64_t *regs)
{
	char path[256];
	long e = path_arg(p, AT_FDCWD, ARG0, path, sizeof path);
	return e ? e : of_open(p, path, ARG1, (uint32_t)ARG2);
}

static long
lx_close(struct proc *p, uint64_t *regs)
{
	return fd_close(p, (unsigned)(ARG0 < MAX_FD ? ARG0 : MAX_FD));
}

static long
lx_fstat(struct proc *p, uint64_t *regs)
{
	return ARG0 < MAX_FD ? of_stat(p, (unsigned)ARG0, NULL, ARG1)
			     : -LX_EBADF;
}

static long
lx_stat(struct proc *p, uint64_t *regs)
{
	char path[256];
	long e = path_arg(p, AT_FDCWD, ARG0, path, sizeof path);
	return e ? e : of_stat(p, 0, path, ARG1);
}

static long
lx_lstat(struct proc *p, uint64_t *regs)
{
	char path[256];
	long e = path_arg(p, AT_FDCWD, ARG0, path, sizeof path);
	return e ? e : of_stat(p, 1, path, ARG1);
}

/* AT_SYMLINK_NOFOLLOW (0x100) and AT_EMPTY_PATH (0x1000) */
static long
lx_newfstatat(struct proc *p, uint64_t *regs)
{
	char path[256];
	if (ARG3 & ~0x1100ull)
		return -LX_EINVAL;
	long e = copy_str(p, path, ARG1, sizeof path);
	if (e < 0)
		return e;
	if (!path[0] && (ARG3 & 0x1000) && (int32_t)ARG0 == AT_FDCWD)
		return of_stat(p, 0, ".", ARG2);
	if (!path[0] && (ARG3 & 0x1000))
		return (int32_t)ARG0 >= 0 && ARG0 < MAX_FD
			       ? of_stat(p, (unsigned)ARG0, NULL, ARG2)
			       : -LX_EBADF;
	if ((e = path_arg(p, (int32_t)ARG0, ARG1, path, sizeof path)))
		return e;
	return of_stat(p, ARG3 & 0x100 ? 1 : 0, path, ARG2);
}

static long
lx_getdents64(struct proc *p, uint64_t *regs)
{
	return ARG0 < MAX_FD ? of_getdents(p, (unsigned)ARG0, ARG1, ARG2)
			     : -LX_EBADF;
}

static long
dup_to(struct proc *p, uint64_t old, int newfd, bool cloexec)
{
	if (old >= MAX_FD || !p->fds[old].kind)
		return -LX_EBADF;
	if (newfd < 0 || newfd >= MAX_FD ||
	    (uint64_t)newfd >= p->rlim[7][0]) /* RLIMIT_NOFILE */
		return newfd < 0 ? -LX_EMFILE : -LX_EBADF;
	if ((uint64_t)newfd == old)
		return newfd;
	long q = quota_fd(p, (unsigned)newfd);
	if (q)
		return q;
	struct fdent d = p->fds[old];
	long e = fd_install(p, (unsigned)newfd, d.kind, d.of, cloexec);
	return e ? -LX_ENOMEM : newfd;
}

static long
lx_dup(struct proc *p, uint64_t *regs)
{
	return dup_to(p, ARG0, fd_free(p, 0), false);
}

static long
lx_dup2(struct proc *p, uint64_t *regs)
{
	if (ARG0 < MAX_FD && ARG0 == ARG1 && p->fds[ARG0].kind)
		return (long)ARG1;
	return dup_to(p, ARG0, (int)(ARG1 < MAX_FD ? ARG1 : MAX_FD), false);
}

static long
lx_dup3(struct proc *p, uint64_t *regs)
{
	if (ARG0 == ARG1 || (ARG2 & ~02000000ull))
		return -LX_EINVAL;
	return dup_to(p, ARG0, (int)(ARG1 < MAX_FD ? ARG1 : MAX_FD),
		      ARG2 != 0);
}

/* F_DUPFD(_CLOEXEC), F_GETFD, F_SETFD, F_GETFL, F_SETFL (O_APPEND and
 * O_NONBLOCK, file.c). */
static long
lx_fcntl(struct proc *p, uint64_t *regs)
{
	if (ARG0 >= MAX_FD || !p->fds[ARG0].kind)
		return -LX_EBADF;
	switch (ARG1) {
	case 0: case 1030:
		if (ARG2 >= p->rlim[7][0]) /* RLIMIT_NOFILE */
			return -LX_EINVAL;
		return dup_to(p, ARG0, fd_free(p, (unsigned)(ARG2 < MAX_FD ? ARG2 : MAX_FD)),
			      ARG1 == 1030);
	case 1:
		return p->fds[ARG0].cloexec;
	case 2:
		p->fds[ARG0].cloexec = ARG2 & 1;
		return 0;
	case 3:
		return of_getfl(p, ARG0);
	case 4:
		return of_setfl(p, ARG0, ARG2);
	default:
		return -LX_EINVAL;
	}
}

static long
lx_chdir(struct proc *p, uint64_t *regs)
{
	char path[256], norm[256];
	struct sdesc d;
	long e = path_arg(p, AT_FDCWD, ARG0, path, sizeof path);
	if (!e)
		e = ns_stat(p, path, true, &d, norm);
	if (e)
		return e;
	if ((d.mode & 0170000) != 0040000)
		return -LX_ENOTDIR;
	snprintf(p->cwd, sizeof p->cwd, "/%s", norm);
	return 0;
}

static long
lx_fchdir(struct proc *p, uint64_t *regs)
{
	char dir[256];
	long e = of_dir_path(p, ARG0, dir, sizeof dir);
	if (!e)
		snprintf(p->cwd, sizeof p->cwd, "/%s", dir);
	return e;
}

/* Existence, and each of read, write, execute as an open or exec would
 * find it (docs/security.md: the permission list, then the mode bits). */
static long
access_at(struct proc *p, int64_t dirfd, uint64_t va, uint64_t how)
{
	char path[256];
	struct nspath r;
	static const unsigned ops[3] = {PERM_EXEC, PERM_WRITE, PERM_READ};
	long e = path_arg(p, dirfd, va, path, sizeof path);
	if (!e)
		e = ns_lookup(p, path, NS_FOLLOW, &r);
	if (e)
		return e;
	if (how & ~7ull)
		return -LX_EINVAL;
	for (unsigned i = 0; i < 3 && !e; i++)
		if (how & (1u << i))
			e = sec_at(p, r.mnt, r.id, r.path, ops[i]);
	return e;
}

static long
lx_access(struct proc *p, uint64_t *regs)
{
	return access_at(p, AT_FDCWD, ARG0, ARG1);
}

static long
lx_faccessat(struct proc *p, uint64_t *regs)
{
	return access_at(p, (int32_t)ARG0, ARG1, ARG2);
}

static long
mkdir_at(struct proc *p, int64_t dirfd, uint64_t va, uint64_t mode)
{
	char path[256];
	long e = path_arg(p, dirfd, va, path, sizeof path);
	return e ? e : ns_mkdir(p, path, (uint32_t)mode);
}

static long lx_mkdir(struct proc *p, uint64_t *regs) { return mkdir_at(p, AT_FDCWD, ARG0, ARG1); }
static long lx_mkdirat(struct proc *p, uint64_t *regs) { return mkdir_at(p, (int32_t)ARG0, ARG1, ARG2); }

static long
remove_at(struct proc *p, int64_t dirfd, uint64_t va, bool dir)
{
	char path[256];
	long e = path_arg(p, dirfd, va, path, sizeof path);
	return e ? e : ns_remove(p, path, dir);
}

static long lx_rmdir(struct proc *p, uint64_t *regs) { return remove_at(p, AT_FDCWD, ARG0, true); }
static long lx_unlink(struct proc *p, uint64_t *regs) { return remove_at(p, AT_FDCWD, ARG0, false); }

static long
lx_unlinkat(struct proc *p, uint64_t *regs)
{
	if (ARG2 & ~0x200ull)
		return -LX_EINVAL;
	return remove_at(p, (int32_t)ARG0, ARG1, ARG2 & 0x200);
}

static long
rename_at(struct proc *p, int64_t fd1, uint64_t a, int64_t fd2, uint64_t b)
{
	char from[256], to[256];
	long e = path_arg(p, fd1, a, from, sizeof from);
	if (!e)
		e = path_arg(p, fd2, b, to, sizeof to);
	return e ? e : ns_rename(p, from, to);
}

static long lx_rename(struct proc *p, uint64_t *regs) { return rename_at(p, AT_FDCWD, ARG0, AT_FDCWD, ARG1); }
static long lx_renameat(struct proc *p, uint64_t *regs) { return rename_at(p, (int32_t)ARG0, ARG1, (int32_t)ARG2, ARG3); }

static long
lx_renameat2(struct proc *p, uint64_t *regs)
{
	if (ARG4)
		return -LX_EINVAL; /* RENAME_NOREPLACE etc.: not yet */
	return rename_at(p, (int32_t)ARG0, ARG1, (int32_t)ARG2, ARG3);
}

static long
symlink_at(struct proc *p, uint64_t target_va, int64_t dirfd, uint64_t va)
{
	char target[256], path[256];
	long e = copy_str(p, target, target_va, sizeof target);
	if (e < 0)
		return e == -LX_E2BIG ? -LX_ENAMETOOLONG : e;
	if (!target[0])
		return -LX_ENOENT;
	e = path_arg(p, dirfd, va, path, sizeof path);
	return e ? e : ns_symlink(p, target, path);
}

static long lx_symlink(struct proc *p, uint64_t *regs) { return symlink_at(p, ARG0, AT_FDCWD, ARG1); }
static long lx_symlinkat(struct proc *p, uint64_t *regs) { return symlink_at(p, ARG0, (int32_t)ARG1, ARG2); }

static long
readlink_at(struct proc *p, int64_t dirfd, uint64_t va, uint64_t buf,
	    uint64_t size)
{
	char path[256], target[256];
	if ((int32_t)size <= 0)
		return -LX_EINVAL;
	long len = path_arg(p, dirfd, va, path, sizeof path);
	if (!len)
		len = ns_readlink(p, path, target, sizeof target);
	if (len < 0)
		return len;
	if ((uint64_t)len > size)
		len = (long)size;
	return proc_copy_out(p, buf, target, (size_t)len) ? -LX_EFAULT : len;
}

static long lx_readlinkat(struct proc *p, uint64_t *regs) { return readlink_at(p, (int32_t)ARG0, ARG1, ARG2, ARG3); }
static long lx_readlink(struct proc *p, uint64_t *regs) { return readlink_at(p, AT_FDCWD, ARG0, ARG1, ARG2); }

/* The absolute path of the node node_at or node_fd last found. */
static char last_path[258];

/* The node a path names, to change it (refused under /proc with
 * error refuse) if p may do op to it (else -EPERM for control, as Linux
 * answers chmod and chown, -EACCES otherwise); -errno. */
static int
node_at(struct proc *p, int64_t dirfd, uint64_t va, bool follow, long refuse,
	unsigned op)
{
	static struct nspath r;
	char path[256];
	long e = path_arg(p, dirfd, va, path, sizeof path);
	if (!e)
		e = ns_node(p, path, follow, refuse);
	if (e >= 0 && !ns_lookup(p, path, follow ? NS_FOLLOW : 0, &r)) {
		if (sec_at(p, r.mnt, r.id, r.path, op))
			return op == PERM_CONTROL ? -LX_EPERM : -LX_EACCES;
		snprintf(last_path, sizeof last_path, "/%s", r.path);
	}
	return (int)e;
}

/* The node of descriptor fd if p may do op to it, as node_at. */
static int
node_fd(struct proc *p, uint64_t fd, unsigned op)
{
	int n = of_node(p, fd);
	if (n < 0)
		return -LX_EBADF;
	if (of_sec(p, fd, op))
		return op == PERM_CONTROL ? -LX_EPERM : -LX_EACCES;
	if (of_path(p, fd, last_path, sizeof last_path))
		last_path[0] = '\0';
	return n;
}

/* Control of the file (its owner, or an entry) changes the mode. The
 * setuid and setgid bits are kept and shown, and never give anything
 * (docs/security.md). */
static long
chmod_node(struct proc *p, int n, uint64_t mode)
{
	if (n < 0)
		return n;
	struct tnode *t = tmpfs_node(n);
	t->mode = (t->mode & 0170000) | ((uint32_t)mode & 07777);
	return 0;
}

static long lx_chmod(struct proc *p, uint64_t *regs) { return chmod_node(p, node_at(p, AT_FDCWD, ARG0, true, -LX_EPERM, PERM_CONTROL), ARG1); }
static long lx_fchmodat(struct proc *p, uint64_t *regs) { return chmod_node(p, node_at(p, (int32_t)ARG0, ARG1, true, -LX_EPERM, PERM_CONTROL), ARG2); }
static long lx_fchmod(struct proc *p, uint64_t *regs) { return chmod_node(p, node_fd(p, ARG0, PERM_CONTROL), ARG1); }

/* Control of the file (node_at's check) lets its group change to the
 * caller's; giving it to another owner or another group needs an
 * entry that allows control of it (the owner's fallback does not). */
static long
chown_node(struct proc *p, int n, uint64_t uid, uint64_t gid)
{
	if (n < 0)
		return n;
	struct tnode *t = tmpfs_node(n);
	bool entry = last_path[0] &&
		     perm_decide(&proc_tg(p)->perms, last_path, PERM_CONTROL) > 0;
	bool new_uid = (uint32_t)uid != (uint32_t)-1 && (uint32_t)uid != t->uid;
	bool new_gid = (uint32_t)gid != (uint32_t)-1 && (uint32_t)gid != t->gid &&
		       (uint32_t)gid != proc_tg(p)->gid;
	if ((new_uid || new_gid) && !entry)
		return -LX_EPERM;
	if ((uint32_t)uid != (uint32_t)-1)
		tmpfs_chown(t, (uint32_t)uid);
	if ((uint32_t)gid != (uint32_t)-1)
		t->gid = (uint32_t)gid;
	return 0;
}

static long lx_chown(struct proc *p, uint64_t *regs) { return chown_node(p, node_at(p, AT_FDCWD, ARG0, true, -LX_EPERM, PERM_CONTROL), ARG1, ARG2); }
static long lx_lchown(struct proc *p, uint64_t *regs) { return chown_node(p, node_at(p, AT_FDCWD, ARG0, false, -LX_EPERM, PERM_CONTROL), ARG1, ARG2); }

/* AT_SYMLINK_NOFOLLOW, and AT_EMPTY_PATH: the file open as dirfd. */
static long
lx_fchownat(struct proc *p, uint64_t *regs)
{
	char c;
	if (ARG4 & ~0x1100ull)
		return -LX_EINVAL;
	if ((ARG4 & 0x1000) && !proc_copy_in(p, &c, ARG1, 1) && !c) {
		return chown_node(p, node_fd(p, ARG0, PERM_CONTROL), ARG2, ARG3);
	}
	return chown_node(p, node_at(p, (int32_t)ARG0, ARG1, !(ARG4 & 0x100),
				     -LX_EPERM, PERM_CONTROL),
			  ARG2, ARG3);
}

static long
lx_fchown(struct proc *p, uint64_t *regs)
{
	return chown_node(p, node_fd(p, ARG0, PERM_CONTROL), ARG1, ARG2);
}

static long
truncate_node(struct proc *p, int n, uint64_t size)
{
	if (n < 0)
		return n;
	struct tnode *t = tmpfs_node(n);
	if ((t->mode & 0170000) == 0040000)
		return -LX_EISDIR;
	if ((int64_t)size < 0)
		return -LX_EINVAL;
	return tmpfs_truncate(t, size);
}

static long lx_truncate(struct proc *p, uint64_t *regs) { return truncate_node(p, node_at(p, AT_FDCWD, ARG0, true, -LX_EACCES, PERM_WRITE), ARG1); }

static long
lx_ftruncate(struct proc *p, uint64_t *regs)
{
	int n = of_node(p, ARG0), node;
	if (n >= 0 && of_mmap(p, ARG0, &node) == 0)
		return -LX_EINVAL; /* not open for writing, as Linux */
	return truncate_node(p, n < 0 ? -LX_EBADF : n, ARG1);
}

static long
lx_umask(struct proc *p, uint64_t *regs)
{
	uint32_t old = p->umask;
	p->umask = (uint32_t)ARG0 & 0777;
	return old;
}

/* Data is in memory: nothing to flush. */
static long
lx_fsync(struct proc *p, uint64_t *regs)
{
	return p->fds[ARG0 < MAX_FD ? ARG0 : 0].kind && ARG0 < MAX_FD
		       ? 0
		       : -LX_EBADF;
}

static long lx_fdatasync(struct proc *p, uint64_t *regs) { return lx_fsync(p, regs); }

/* mount(2): the strings are taken in Linux's order (type, source,
 * options, then the target's path); ns.c does the rest. */
static long
lx_mount(struct proc *p, uint64_t *regs)
{
	static char src[256], dir[256], type[64], data[256];
	long e = 0;
	if (ARG2 && (e = copy_str(p, type, ARG2, sizeof type)) < 0)
		return e == -LX_E2BIG ? -LX_ENODEV : e;
	if (ARG0 && (e = copy_str(p, src, ARG0, sizeof src)) < 0)
		return e == -LX_E2BIG ? -LX_ENAMETOOLONG : e;
	if (ARG4 && (e = copy_str(p, data, ARG4, sizeof data)) < 0)
		return e == -LX_E2BIG ? -LX_EINVAL : e;
	if ((e = path_arg(p, AT_FDCWD, ARG1, dir, sizeof dir)))
		return e;
	return ns_mount(p, ARG0 ? src : NULL, dir, ARG2 ? type : NULL, ARG3,
			ARG4 ? data : NULL);
}

/* umount2(2): flags other than MNT_FORCE, MNT_DETACH, MNT_EXPIRE and
 * UMOUNT_NOFOLLOW are refused before the path is looked at. */
static long
lx_umount2(struct proc *p, uint64_t *regs)
{
	char dir[256];
	if (ARG1 & ~0xFull)
		return -LX_EINVAL;
	long e = path_arg(p, AT_FDCWD, ARG0, dir, sizeof dir);
	return e ? e : ns_umount(p, dir, ARG1);
}

static long
lx_unshare(struct proc *p, uint64_t *regs)
{
	return ns_unshare(p, ARG0);
}

static const struct {
	unsigned nr;
	const char *name;
	lx_fn fn;
} table[] = {
#define LX(nr, name, status, note) {nr, #name, lx_##name},
#include "lx_syscalls.h"
#undef LX
};

/* Calls whose handler is given the calling thread; the others are
 * given the process (its leader), which holds what threads share. */
static bool
per_thread(uint64_t nr)
{
	switch (nr) {
	case 7: case 23: case 270: case 271: /* poll, select, pselect6, ppoll */
	case 13: case 14: case 15: case 127: case 128: case 130: case 131:
	case 129: case 297: /* signals */
	case 34: case 200: case 234: /* pause, tkill, tgkill */
	case 35: case 230: case 202: case 24: /* sleeps, futex, sched_yield */
	case 56: case 57: case 58: case 59: case 60: case 231: /* clone .. */
	case 61: case 247: /* wait4, waitid */
	case 158: case 186: case 218: case 273: case 274: /* arch_prctl, tid */
	case 101: /* ptrace: the tracer is a thread */
		return true;
	default:
		return false;
	}
}

/* The table entry for call nr, or the table's size: an index by number,
 * made on first use (a search through the table cost more than most
 * calls' own work). */
#define LX_NR_LIMIT 512
static unsigned
lx_find(uint64_t nr)
{
	static uint8_t index[LX_NR_LIMIT]; /* entry + 1, 0: none */
	static bool made;
	_Static_assert(sizeof table / sizeof table[0] < 255, "index width");
	if (!made) {
		for (unsigned i = 0; i < sizeof table / sizeof table[0]; i++)
			if (table[i].nr < LX_NR_LIMIT)
				index[table[i].nr] = (uint8_t)(i + 1);
		made = true;
	}
	if (nr < LX_NR_LIMIT && index[nr])
		return index[nr] - 1u;
	for (unsigned i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].nr == nr) /* a number beyond the index */
			return i;
	return sizeof table / sizeof table[0];
}

unsigned
lx_syscall(struct proc *p, uint64_t regs[UX_REG_COUNT])
{
	uint64_t nr = regs[UX_REG_RAX];
	long r = -LX_ENOSYS;
	unsigned i = lx_find(nr);

	if (i < sizeof table / sizeof table[0]) {
		uint64_t fs = regs[UX_REG_FS_BASE];
		/* a leader is its own process: no need to ask (hot path) */
		struct proc *h = p->tgid == p->pid || per_thread(nr)
					 ? p
					 : proc_tg(p);
		r = table[i].fn(h, regs);
		if (r == GONE || r == LX_LATER || r == LX_GONE)
			return 0;
		if (r == LX_REGS) /* all of them but fs and gs */
			return UX_REG_RFLAGS + 1;
		regs[UX_REG_RAX] = (uint64_t)r;
		return fs != regs[UX_REG_FS_BASE] ? UX_REG_COUNT : 1;
	}
	/* say it once per process and call, not on every retry */
	if (nr >= 512 || !(p->enosys_seen[nr / 64] & (1ull << (nr % 64))))
		printf("procserv: pid %d (%s): system call %lu not "
		       "implemented (ENOSYS)\n",
		       p->pid, p->name, (unsigned long)nr);
	if (nr < 512)
		p->enosys_seen[nr / 64] |= 1ull << (nr % 64);
	regs[UX_REG_RAX] = (uint64_t)r;
	return 1;
}
