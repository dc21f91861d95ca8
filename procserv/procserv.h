/*
 * procserv.h - the process server (UX/RT's root server): processes, their
 * memory, and the Linux system-call personality.
 *
 * CSpace: a top-level CNode L1 (radix 8, guard 42 in our TCB) whose slot 0
 * holds the boot CNode (so boot slot numbers keep working as addresses) and
 * whose slot pid holds that process's CNode (radix 12, guard 2). A
 * process's capabilities are therefore addressed as PCAP(pid, slot). All of
 * a process's kernel objects are retyped from one untyped of its own, so
 * revoking that untyped at exit frees everything it had.
 */
#ifndef PROCSERV_H
#define PROCSERV_H

#include <uxrt.h>
#include <alloc.h>
#include <srvenv.h>
#include "perm.h"

#define MAX_PROCS 64 /* tasks: processes and their threads */
#define L1_RADIX 8
#define PROC_RADIX 10 /* its page tables, TCBs: a CNode made at fork
			* and exec and emptied at exit, so kept small */
#define PCN_GUARD (14 - PROC_RADIX) /* PCAP's 14 bits of slot */
/* A process's own kernel objects (CNode, TCB, PML4, page tables); its
 * memory's frames come from our pool (mem.c). */
#define PROC_UNTYPED_BITS 22
#define MAX_VMAS 128
#define PCAP(pid, j) ((uint64_t)(pid) << 14 | (j))
#define MAX_FD 64
#define MAX_GROUPS 16
/* The badge of an open file's capability in a process's descriptor slot:
 * the open file's index and the process's pid, so that a request says who
 * made it (for SIGPIPE, and for giving up its waits on a signal). */
#define OF_BADGE (1ull << 40)
#define OF_BADGE_MAKE(pid, of) (OF_BADGE | (uint64_t)(pid) << 16 | (of))
#define OF_BADGE_OF(b) ((unsigned)((b) & 0xFFFF))
#define OF_BADGE_PID(b) ((int)(((b) >> 16) & 0xFFFF))
/* A native server's capability to our endpoint (its SRV_PS_EP): this
 * and its pid (ports.c serves what it asks). */
#define SRV_BADGE (1ull << 41)

/* FD_PORT: an open file of a port of /ports (FD_CONSOLE: of the
 * console's), of = its index in ports.c's open files. */
enum fd_kind { FD_NONE, FD_CONSOLE, FD_FILE, FD_PORT };

enum proc_slot {
	PS_TCB,
	PS_PML4,
	PS_CSPACE,  /* the process's own (empty) CSpace */
	PS_FAULT,   /* our endpoint, badged with the pid */
	PS_FIRST_FREE
};

/* A region of a process's address space (mem.c). Pages of it are made
 * on first touch: zeroed (anonymous), read from the file (private file
 * mapping), or the tmpfs node's own page (shared: a file, or the
 * anonymous node behind MAP_SHARED|MAP_ANONYMOUS). */
struct vma {
	uint64_t start, end; /* page-aligned, [start, end) */
	uint64_t off;        /* offset in node of start */
	int node;            /* tmpfs node (holds a reference), or -1 */
	uint8_t prot;        /* UX_R_* the pages may be mapped with */
	uint8_t flags;       /* VM_* */
};
#define VM_SHARED 1   /* writes reach the node; no copy-on-write */
#define VM_MAYWRITE 2 /* mprotect may add UX_R_WRITE */

/* What a signal says about itself (the parts of Linux's siginfo we set). */
struct sig_info {
	int32_t code, pid, uid, status;
	uint64_t addr;
	uint64_t value; /* sigqueue's sigval */
};

/* Realtime signals (32..64) queue: each instance with its siginfo, in
 * the order sent; at most SIGQ_MAX waiting (then sigqueue is EAGAIN). */
#define SIGQ_MAX 32
struct sigq {
	uint8_t n;
	struct {
		uint8_t sig;
		struct sig_info info;
	} e[SIGQ_MAX];
};

/* A thread's signal state (signal.c), and in its process's leader the
 * process's: act, shared, stopped and the reports, the alarm. Standard
 * signals do not queue: one pending bit and one siginfo each, for the
 * thread (pending, info) and for the process (shared, shared_info). */
struct sigstate {
	uint64_t act[64][4]; /* Linux k_sigaction: handler, flags, restorer, mask */
	uint64_t mask, pending;
	uint64_t shared;     /* the process's pending set (leader) */
	uint64_t saved_mask; /* rt_sigsuspend: the mask a handler's frame restores */
	bool restore_mask;
	bool stopped;
	int stop_report;     /* stopped by this signal, not yet told to wait */
	bool cont_report;    /* continued, not yet told to wait */
	uint64_t suspend_reply; /* rt_sigsuspend/pause: held reply object */
	uint64_t alt_sp, alt_size;
	uint32_t alt_flags;
	uint64_t alarm_at, alarm_every; /* ITIMER_REAL, monotonic ns (0: off) */
	struct sig_info info[64];
	struct sig_info shared_info[64];
	struct sigq q, shared_q;   /* realtime ones: the thread's, process's */
	uint64_t wait_set;         /* rt_sigtimedwait: waiting for these */
	uint64_t wait_va, wait_reply; /* its siginfo; its reply (untimed) */
};

/* A task: a thread, as Linux's task. A process is the group of tasks
 * with one tgid; its first (the leader, pid == tgid) holds what they
 * share: memory, descriptors, cwd, identity, signal actions (proc_tg).
 * The others' kernel objects (TCB, badged fault endpoint) are in the
 * leader's CNode. Fields marked (thread) are each task's own. */
struct proc {
	bool used;
	int pid, ppid;
	int tgid;             /* (thread) its process: the leader's pid */
	int nthreads;         /* leader: tasks alive, itself included */
	bool thread_gone;     /* leader: its own thread has ended */
	uint32_t tcb_slot;    /* (thread) its TCB in the leader's CNode */
	uint32_t fault_slot;  /* (thread) its fault endpoint there */
	uint64_t clear_tid;   /* (thread) zeroed and woken at its end */
	uint32_t spare_tcb[8]; /* leader: TCB slots ended threads left */
	uint8_t nspare_tcb;
	uint64_t ut, pcn;   /* boot slots: its untyped, its CNode (to invoke) */
	uint32_t next_slot;
	struct vma vmas[MAX_VMAS]; /* sorted by start, not overlapping */
	unsigned nvma;
	uint32_t pages;       /* mem.c: its first page record (0: none) */
	unsigned npages;      /* resident pages */
	uint64_t brk_start, brk;
	uint32_t uid, gid;    /* who it is: brings no rights of its own */
	struct permlist perms; /* what it may do beyond the mode bits */
	uint32_t groups[MAX_GROUPS]; /* supplementary groups */
	uint8_t ngroups;
	int pgid, sid;        /* process group and session */
	bool zombie;          /* exited, not yet waited for */
	int wstatus;          /* Linux wait status once a zombie */
	bool waiting;         /* in wait4: answered when a child exits */
	int64_t wait_pid;
	int wait_opts;
	uint64_t wait_reply, wait_status_va;
	bool native;          /* a native server, not a Linux process */
	struct fdent {        /* the descriptor table (mirrors the slots) */
		uint8_t kind;     /* enum fd_kind */
		uint8_t cloexec;
		uint16_t of;      /* FD_FILE: index in the open-file table */
	} fds[MAX_FD];
	uint8_t nfds;         /* descriptors in fds[] (fd.c keeps it) */
	unsigned cspace_radix;
	uint64_t entry, sp;
	uint64_t robust_list, robust_len;
	uint64_t rlim[16][2]; /* soft, hard */
	struct sigstate sig;
	uint32_t umask;
	uint64_t enosys_seen[8]; /* missing calls already reported (bit nr) */
	char cwd[256];
	char name[32];
	char exe[128];
	char cmdline[512];    /* argv, each NUL-ended (for /proc) */
	uint16_t cmdline_len;
	uint64_t start_ns;    /* monotonic time it was made (for /proc) */
	int ns;               /* ns.c: its mount namespace (fork shares it) */
	uint16_t q_acct, q_tree; /* quota.c (leader): its user's memory
				  * account, its process tree (0: none) */
};

/* time.c */
void time_init(const struct ux_bootinfo *bi);
/* Sleepers: answered (through their deferred reply object) when their
 * deadline passes, by fn(p, arg) when given, else with 0. */
typedef long (*wake_fn)(struct proc *p, const uint64_t *arg);
long time_sleep(struct proc *p, uint64_t deadline_ns, wake_fn fn,
		const uint64_t *arg);
bool time_is_tick(const struct ux_msg *m);
void time_tick(void);
bool time_sleeping(const struct proc *p);
/* An alarm was set: the tick must run (-ENOSYS: there is no timer). */
long time_alarm_armed(void);
/* Give up p's sleep (a signal came): the time it had left, in ns. */
uint64_t time_cancel(struct proc *p);
/* Answer p's sleep now with r (before its deadline: a futex wake). */
void time_answer(struct proc *p, long r);
/* Our notification object (bound to our TCB), for minting badged copies:
 * TICK_BADGE is the clock's, CONSOLE_SIG_BADGE and CONSOLE_READY_BADGE
 * the console's. */
extern uint64_t time_ntfn_obj;
#define CONSOLE_SIG_BADGE 0x200
#define CONSOLE_READY_BADGE 0x400 /* input a poll waits for (poll.c) */
uint64_t time_mono_ns(void);
uint64_t time_real_ns(void);
void time_set_real(uint64_t ns); /* the real-time clock reads ns now */
void random_bytes(void *buf, size_t n);

extern uint64_t ps_ep;
/* The reply object the current caller waits on. A handler that answers
 * later takes it with ps_defer (the server then receives on another one)
 * and hands it back with ps_release after ux_reply. */
extern uint64_t ps_reply;
uint64_t ps_defer(void); /* 0: none free */
void ps_release(uint64_t reply);
extern uint64_t ps_console_ep; /* the console server's endpoint, or 0 */

/* proc.c */
extern struct proc procs[MAX_PROCS]; /* proc.c's table (inline look-ups) */
/* The live task pid (a process's leader, or a thread), or NULL. */
static inline struct proc *
proc_get(uint64_t pid)
{
	return pid > 0 && pid < MAX_PROCS && procs[pid].used &&
			       !procs[pid].zombie
		       ? &procs[pid]
		       : NULL;
}
/* The leader of p's process (p itself for one thread). */
static inline struct proc *
proc_tg(struct proc *p)
{
	return &procs[p->tgid];
}
/* The address of p's TCB, for invocations. */
uint64_t proc_tcb(const struct proc *p);
/* Each thread of process (leader) l still running, after after. */
struct proc *proc_next_thread(struct proc *l, struct proc *after);
/* clone of a thread: a new task in p's process starting with regs;
 * -errno or its tid. */
long proc_thread(struct proc *p, const uint64_t regs[UX_REG_COUNT],
		 uint64_t clear_tid);
/* The end of thread t (exit): the process ends with its last one. */
void proc_thread_exit(struct proc *t, int wstatus);
#define LX_FD_RADIX 6 /* a Linux process's CSpace: its descriptor table */
_Static_assert(MAX_FD <= 1 << LX_FD_RADIX, "a slot per descriptor");

/* Make a process from an ELF image, ready but not running (its CSpace is
 * PCAP(pid, PS_CSPACE), to be filled); proc_start runs it. */
int proc_create(const char *path, char *const argv[], const void *image,
		size_t size, int ppid, bool native);
long proc_start(struct proc *p);
/* Start p with these registers (a forked child). */
long proc_start_regs(struct proc *p, const uint64_t regs[UX_REG_COUNT]);
/* A copy of parent (memory, descriptors, state); -errno or its pid. */
long proc_fork(struct proc *parent);
/* Replace p's program; -errno (p unchanged) or LX_GONE (p runs anew). */
long proc_exec(struct proc *p, const char *path, char *const argv[],
	       char *const envp[]);
/* The end of p with a Linux wait status (code << 8, or a signal number). */
void proc_exit(struct proc *p, int wstatus);
/* wait4 and waitid: pid as wait4's (> 0, -1, 0 or -pgid); opts Linux's
 * WNOHANG, WUNTRACED/WSTOPPED, WEXITED, WCONTINUED, WNOWAIT, and
 * WAIT_INFO: status_va is waitid's siginfo (the answer 0, not the pid). */
#define WAIT_NOHANG 1
#define WAIT_STOPPED 2
#define WAIT_EXITED 4
#define WAIT_CONTINUED 8
#define WAIT_NOWAIT 0x01000000
#define WAIT_INFO 0x40000000
#define WAIT_GROUP 0x08000000 /* pid -1 is process group 1, not "any" */
long proc_wait(struct proc *p, int64_t pid, uint64_t status_va, int opts);
/* Answer p's wait4 if a child now has something to report. */
void proc_wait_notify(struct proc *p);
/* Each process (its leader) after after (NULL: from the first). */
struct proc *proc_next(struct proc *after);
#define LX_GONE (-1000002) /* a handler's result: no reply, caller gone */
#define LX_REGS (-1000003) /* a handler's result: regs rewritten, reply
			    * with them all but fs and gs (e.g. a call
			    * re-issued, rt_sigreturn) */

/* signal.c */
#define SIGKILL 9
#define SIGSEGV 11
#define SIGPIPE 13
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
/* The process whose request is being handled (0: none): signals for it
 * are delivered when its answer goes back (sig_settle). */
extern int sig_current;
/* Generate sig for p (si may be NULL: sent by the process server). */
void sig_send(struct proc *p, int sig, const struct sig_info *si);
/* The same for thread t alone (tkill); false: its realtime queue is full. */
bool sig_send_thread(struct proc *t, int sig, const struct sig_info *si);
/* Linux's 128-byte siginfo of sig at f. */
void sig_info_write(uint8_t f[128], int sig, const struct sig_info *si);
/* kill(2)'s targets: pid > 0, 0 (the sender's group), -1, -pgid; code
 * is the siginfo's (SI_USER, SI_TKILL). */
long sig_kill(struct proc *from, int64_t pid, int sig, int code);
/* Whether from may send sig to to: itself, SIGCONT in its session, else
 * control of /proc/PID (docs/security.md: the owner by default). */
bool sig_may(struct proc *from, struct proc *to, int sig);
bool sig_deliverable(struct proc *p);
/* After answering a message from p: deliver what p has pending. regs
 * (a system-call or fault message's registers, n of them to be set by
 * the reply) is given a handler's frame in place when it can be; returns
 * the register count for the reply (0: none; the process was dealt with
 * another way). */
unsigned sig_settle(struct proc *p, uint64_t *regs, unsigned n,
		    struct ux_msg *reply);
/* A fault (page fault or exception) nobody resolved: the signal it means. */
unsigned sig_fault(struct proc *p, unsigned label, uint64_t w0, uint64_t w1,
		   uint64_t *regs);
void sig_fork(struct proc *parent, struct proc *child);
/* Give up whatever p waits for in the process server (a signal came, or
 * it ended). Returns the time a sleep had left (nanosleep's remainder). */
uint64_t sig_cancel_waits(struct proc *p);
/* The tick: SIGALRM for alarms due by now; false if none is left. */
bool sig_alarms(uint64_t now);
void sig_exec(struct proc *p);
/* The default action of SIGCHLD for p's children: reap them at once. */
bool sig_autoreap(struct proc *p);
/* Linux system calls (linux.c's table). */
long lx_rt_sigaction(struct proc *p, uint64_t *regs);
long lx_rt_sigprocmask(struct proc *p, uint64_t *regs);
long lx_rt_sigreturn(struct proc *p, uint64_t *regs);
long lx_rt_sigsuspend(struct proc *p, uint64_t *regs);
long lx_rt_sigpending(struct proc *p, uint64_t *regs);
long lx_pause(struct proc *p, uint64_t *regs);
long lx_sigaltstack(struct proc *p, uint64_t *regs);
long lx_kill(struct proc *p, uint64_t *regs);
long lx_rt_sigtimedwait(struct proc *p, uint64_t *regs);
/* ptrace.c: ptrace(2) (docs/design-procserv.md, "Tracing"). The hooks:
 * main.c gives a traced task's faults to ptrace_fault (its system calls'
 * entry and end stops) and lets it hold signals while a call of one runs
 * (ptrace_holds_signals: its end delivers them); signal.c asks
 * ptrace_signal before delivering (a signal-delivery-stop: true, the
 * signal is the tracer's now), ptrace_stopped (takes only SIGKILL, SIGCONT
 * does not resume it), ptrace_again (deliver_away: a stop took it out of
 * a call) and tells ptrace_group_stop; proc.c's waits ask ptrace_traces
 * and ptrace_news (a stop's wait status), and its ends ptrace_exit;
 * exec.c tells ptrace_exec. ptrace_task[tid]: nonzero while tid is
 * traced. */
extern uint8_t ptrace_task[MAX_PROCS];
static inline bool
ptrace_traced(const struct proc *t)
{
	return ptrace_task[t->pid] != 0;
}
long lx_ptrace(struct proc *p, uint64_t *regs);
unsigned ptrace_fault(struct proc *t, unsigned label, uint64_t w0,
		      uint64_t w1, uint64_t *regs);
bool ptrace_holds_signals(const struct proc *t);
bool ptrace_signal(struct proc *t, int sig, const struct sig_info *si,
		   uint64_t *regs, struct ux_msg *reply);
bool ptrace_stopped(const struct proc *t);
bool ptrace_again(struct proc *t, uint64_t *left);
void ptrace_group_stop(struct proc *l, int sig);
bool ptrace_traces(const struct proc *w, const struct proc *t);
int ptrace_news(const struct proc *w, struct proc *t, int opts);
void ptrace_exec(struct proc *l, int old_tid);
void ptrace_exit(struct proc *t);
/* ident.c: identity, the clock, power. */
long lx_setuid(struct proc *p, uint64_t *regs);
long lx_setgid(struct proc *p, uint64_t *regs);
long lx_setreuid(struct proc *p, uint64_t *regs);
long lx_setregid(struct proc *p, uint64_t *regs);
long lx_setresuid(struct proc *p, uint64_t *regs);
long lx_setresgid(struct proc *p, uint64_t *regs);
long lx_getresuid(struct proc *p, uint64_t *regs);
long lx_getresgid(struct proc *p, uint64_t *regs);
long lx_setfsuid(struct proc *p, uint64_t *regs);
long lx_setfsgid(struct proc *p, uint64_t *regs);
long lx_getgroups(struct proc *p, uint64_t *regs);
long lx_setgroups(struct proc *p, uint64_t *regs);
long lx_settimeofday(struct proc *p, uint64_t *regs);
long lx_clock_settime(struct proc *p, uint64_t *regs);
long lx_reboot(struct proc *p, uint64_t *regs);
long lx_rt_sigqueueinfo(struct proc *p, uint64_t *regs);
long lx_rt_tgsigqueueinfo(struct proc *p, uint64_t *regs);
long lx_tkill(struct proc *p, uint64_t *regs);
long lx_tgkill(struct proc *p, uint64_t *regs);
long lx_alarm(struct proc *p, uint64_t *regs);
long lx_setitimer(struct proc *p, uint64_t *regs);
long lx_getitimer(struct proc *p, uint64_t *regs);
/* The console's ^C, ^Z, ^\: its notification woke us. */
void sig_console(void);

/* fd.c: descriptors. Installing one puts the capability in the process's
 * slot fd (the kernel's file transport reads it from there). */
long fd_install(struct proc *p, unsigned fd, unsigned kind, unsigned of,
		bool cloexec);
long fd_close(struct proc *p, unsigned fd);
int fd_free(struct proc *p, unsigned from); /* lowest free fd, or -1 */
bool fd_is(struct proc *p, uint64_t fd, unsigned kind);
long fd_fork(struct proc *from, struct proc *to); /* into an empty table */
long fd_exec(struct proc *p, const struct fdent *old); /* re-install */
void fd_exit(struct proc *p);

/* file.c: files the process server serves (the initial archive, read
 * only for now), reached through badged capabilities to ps_ep. */
void of_ref(unsigned of);
void of_unref(unsigned of);
#define MAX_OFILES 256 /* the open files we serve (file.c) */
/* Whether m is a request on an open file we serve (its badge's). */
static inline bool
of_is_request(const struct ux_msg *m)
{
	return (m->badge & ~0xFFFFFFFFull) == OF_BADGE &&
	       OF_BADGE_OF(m->badge) < MAX_OFILES;
}
bool of_request(struct ux_msg *m); /* answer in m; false: answered later */
int of_new_pipe_end(int pipe, bool write, uint64_t flags);
long of_getfl(struct proc *p, uint64_t fd);
long of_setfl(struct proc *p, uint64_t fd, uint64_t fl);

/* pipe.c */
bool pipe_request(int pipe, bool write_end, int pid, bool nonblock,
		  struct ux_msg *m);
/* Give up pid's waits on pipes (a signal came): a write that moved data
 * is answered with its count, the others are dropped (the kernel winds
 * the call back). */
void pipe_cancel(int pid);
void pipe_end_closed(int pipe, bool write_end);
long pipe_create(struct proc *p, uint64_t fds_va, uint64_t flags);
/* Where a request's long message (a write's data) arrives. */
extern uint8_t ps_msgbuf[UX_MSG_LONG_MAX];
void ps_recv_buffer(void);
long of_open(struct proc *p, const char *path, uint64_t flags,
	     uint32_t mode);
/* The tmpfs node an open file descriptor names, or -1. */
int of_node(struct proc *p, uint64_t fd);
long of_stat(struct proc *p, unsigned fd, const char *path, uint64_t va);
/* What a file is, for stat (and access, chdir, /proc). */
struct sdesc {
	uint32_t mode, uid, gid, nlink;
	uint64_t size, mtime, rdev, ino, dev;
};
/* sec.c: may p do op (PERM_*) to what normalised path norm names (its
 * description d, or NULL if nothing is there to fall back on)? 0 or
 * -EACCES. sec_priv: a privileged action, the path /priv/what: 0 or
 * -EPERM. */
long sec_check(struct proc *p, const char *norm, unsigned op,
	       const struct sdesc *d);
long sec_priv(struct proc *p, const char *what);
/* sec_check on what descriptor fd names (-EBADF: not a file). */
long of_sec(struct proc *p, uint64_t fd, unsigned op);
/* The absolute path of what descriptor fd names in its mount's tree. */
long of_path(struct proc *p, uint64_t fd, char *out, size_t size);
/* sec_check on node id of mount mnt (normalised path norm). */
long sec_at(struct proc *p, int mnt, uint32_t id, const char *norm,
	    unsigned op);
/* Removing (or renaming away) name, node id, from directory did of
 * mount dmnt (path dir): delete on the directory, and in a sticky one
 * (/tmp) only the owner of the file or of the directory: 0, -EACCES,
 * -EPERM. */
long sec_unlink(struct proc *p, int dmnt, uint32_t did, const char *dir,
		const char *name, uint32_t id);
/* Whether a file open in mount mnt keeps it busy (writers: only one
 * open for writing counts). */
bool of_busy(int mnt, bool writers);
/* A path relative to directory descriptor dirfd made absolute in place
 * (path has size bytes); -EBADF, -ENOTDIR, -ENAMETOOLONG. */
long of_at(struct proc *p, int64_t dirfd, char *path, size_t size);
/* The normalised path of the directory open as fd, or -errno. */
long of_dir_path(struct proc *p, uint64_t fd, char *out, size_t size);
/* What descriptor fd refers to, as /proc/PID/fd/N shows it; its access
 * mode (0 read, 1 write, 2 both) or -EBADF. */
long of_fd_target(struct proc *p, unsigned fd, char *out, size_t size);
/* Whether a read of descriptor fd may wait (the console, a pipe). */
bool of_may_wait(struct proc *p, uint64_t fd);
long of_getdents(struct proc *p, unsigned fd, uint64_t va, uint64_t len);
/* The mmap view of descriptor fd: its access mode (0 read, 1 write, 2
 * both) or -EBADF; *node is its tmpfs node if it is a regular file, -1
 * for /dev/zero, -2 for anything that cannot be mapped. */
long of_mmap(struct proc *p, uint64_t fd, int *node);

/* mem.c: processes' memory. Regions (struct vma) say what may be where;
 * pages are made on first touch (a page fault, or our own copy in or
 * out) from a pool of frames the process server owns, shared
 * copy-on-write after fork. Errors are -errno (Linux's). */
void mem_init(const struct ux_bootinfo *bi);
/* A page fault at addr with x86 error code code: true if resolved (the
 * instruction is retried) or if p was ended for want of memory (then
 * p is gone); false for a genuine bad access. */
bool mem_fault(struct proc *p, uint64_t addr, uint64_t code);
/* Copies between our memory and p's: pages are made as a touch by p
 * would (read, or write honouring copy-on-write); -1 where p could not
 * access the memory. */
long proc_copy_in(struct proc *p, void *dst, uint64_t va, size_t len);
long proc_copy_out(struct proc *p, uint64_t va, const void *src, size_t len);
/* ptrace's PEEK and POKE: past the region's rights, as Linux's
 * FOLL_FORCE (a private page written becomes p's own copy); -1 where no
 * region (or a shared one p may not write) is. */
long mem_peek(struct proc *p, void *dst, uint64_t va, size_t len);
long mem_poke(struct proc *p, uint64_t va, const void *src, size_t len);
/* For the loader: a private anonymous region [start, end) with rights
 * (a first page already in a region gets both rights), and data
 * written into it whatever its rights. */
long mem_region(struct proc *p, uint64_t start, uint64_t end,
		unsigned rights);
long mem_load(struct proc *p, uint64_t va, const void *src, size_t len);
/* The capability of the frame mapped at va (made and mapped now), for a
 * native thread's IPC buffer; 0 if none can be. */
uint64_t mem_cap(struct proc *p, uint64_t va);
/* Make and map every page of p's regions now: a native server's page
 * fault could reach us while we wait for it. */
long mem_wire(struct proc *p);
long mem_fork(struct proc *parent, struct proc *child);
/* A view of tmpfs node at va in p with rights, shared, mapped now (a
 * native server's open table, ports.c). */
long mem_share(struct proc *p, uint64_t va, int node, unsigned rights);
void mem_free(struct proc *p); /* every page and region of p */
long mem_brk(struct proc *p, uint64_t want);
long mem_mmap(struct proc *p, uint64_t addr, uint64_t len, uint64_t prot,
	      uint64_t flags, uint64_t fd, uint64_t off);
long mem_munmap(struct proc *p, uint64_t addr, uint64_t len);
long mem_mprotect(struct proc *p, uint64_t addr, uint64_t len,
		  uint64_t prot);
long mem_madvise(struct proc *p, uint64_t addr, uint64_t len,
		 uint64_t advice);
long mem_mremap(struct proc *p, uint64_t addr, uint64_t old_len,
		uint64_t new_len, uint64_t flags, uint64_t new_addr);
long mem_msync(struct proc *p, uint64_t addr, uint64_t len, uint64_t flags);
/* What a shared futex word at va is keyed by: 1 with *phys its frame's
 * number * 4096 + offset if p's page there is a shared mapping's; 0 if
 * the page is p's own (keyed by process and address, as Linux keys a
 * private anonymous page); -errno (-EFAULT) if p cannot read it. */
long mem_futex_phys(struct proc *p, uint64_t va, uint64_t *phys);
/* Pool pages for our own data (tmpfs): zeroed, mapped in our space. */
void *mem_page_alloc(void);
void mem_page_free(void *page);
/* A new object in p's CNode, from its untyped (page tables). */
long proc_obj(void *ctx, unsigned type, uint64_t *cptr);

/* lx_vec.c: readv, writev, preadv, pwritev (table entries). */
long lx_readv(struct proc *p, uint64_t *regs);
long lx_writev(struct proc *p, uint64_t *regs);
long lx_preadv(struct proc *p, uint64_t *regs);
long lx_pwritev(struct proc *p, uint64_t *regs);
long lx_console_write(struct proc *p, uint64_t buf, uint64_t len);

/* exec.c: execve's file: an ELF program, or a #! script run by its
 * interpreter (argv rebuilt as Linux does). */
long exec_file(struct proc *p, const char *path, char *const argv[],
	       char *const envp[]);
void exec_cmdline(struct proc *p, char *const argv[]); /* for /proc */

/* procfs.c: /proc. An entry is named by an id (>= 0; the root's is 0);
 * its file-system operations are procfs_ops (ns.c). */
void procfs_init(const struct ux_bootinfo *bi);
long procfs_desc(uint32_t id, struct sdesc *d);
long procfs_read(uint32_t id, uint64_t off, uint8_t *dst,
		 uint64_t len);

/* The timespec at p's va in ns: -EFAULT, -EINVAL (negative or bad ns). */
long lx_timespec_ns(struct proc *p, uint64_t va, uint64_t *ns);

/* poll.c: poll, ppoll, select, pselect6 (table entries). What a
 * descriptor is ready for is a Linux poll mask (LX_POLL*). Pipes and the
 * console say when it may have changed (poll_wake_*: the waiters are
 * only marked); poll_run scans the marked ones again between messages
 * (main.c: when poll_pending), when no answer is being built. */
#define LX_POLLIN 0x001
#define LX_POLLPRI 0x002
#define LX_POLLOUT 0x004
#define LX_POLLERR 0x008
#define LX_POLLHUP 0x010
#define LX_POLLNVAL 0x020
#define LX_POLLRDNORM 0x040
#define LX_POLLRDBAND 0x080
#define LX_POLLWRNORM 0x100
#define LX_POLLWRBAND 0x200
long lx_poll(struct proc *p, uint64_t *regs);
long lx_ppoll(struct proc *p, uint64_t *regs);
long lx_select(struct proc *p, uint64_t *regs);
long lx_pselect6(struct proc *p, uint64_t *regs);
void poll_wake_pipe(int pipe);
void poll_wake_console(void);
extern bool poll_pend;
static inline bool
poll_pending(void)
{
	return poll_pend;
}
void poll_run(void);
bool poll_waiting(const struct proc *p);
/* Give up p's wait (a signal came, a stop, or p ended). */
void poll_cancel(struct proc *p);
/* file.c: the poll mask of FD_FILE descriptor fd now; *pipe is its
 * pipe's number (to watch), else -1. */
unsigned of_poll(struct proc *p, uint64_t fd, int *pipe);
/* pipe.c: the poll mask of an end of pipe number pipe. */
unsigned pipe_poll(int pipe, bool write_end);

/* futex.c: futex(2) (a table entry), and giving up p's futex wait (a
 * signal came, or p ended). */
long lx_futex(struct proc *p, uint64_t *regs);
void futex_cancel(struct proc *p);
/* A thread's end: wake one waiter on its clear-tid word at va. */
void futex_wake_word(struct proc *p, uint64_t va);

/* A system call's arguments in a handler's regs (Linux's order). */
#define ARG0 regs[UX_REG_RDI]
#define ARG1 regs[UX_REG_RSI]
#define ARG2 regs[UX_REG_RDX]
#define ARG3 regs[UX_REG_R10]
#define ARG4 regs[UX_REG_R8]
#define ARG5 regs[UX_REG_R9]

/* linux.c: handle one foreign system call; regs in enum ux_reg order.
 * Returns the number of registers the reply must set (0: no reply now:
 * the process is gone or the answer comes later). */
#define LX_LATER (-1000001) /* a handler's result: answered later */
unsigned lx_syscall(struct proc *p, uint64_t regs[UX_REG_COUNT]);

/* tmpfs.c: the root filesystem. */
struct tnode {
	bool used;
	uint32_t mode, uid, gid, nlink;
	unsigned refs;       /* open files */
	uint64_t size, mtime;
	const void *ro;      /* data in the archive (or a symlink's target) */
	void *pages;         /* else: a page of pointers to data pages */
	uint32_t npages;     /* data pages, charged to uid (quota.c) */
	bool anon;           /* a shared anonymous mapping's: its mappers' */
	int parent, child, next; /* an instance's root is its own parent */
	uint16_t sb;         /* the root node of its instance */
	char name[60];
};
void tmpfs_init(void);
struct tnode *tmpfs_node(int n);
void tmpfs_chown(struct tnode *t, uint32_t uid); /* moves its charge */
int tmpfs_lookup(const char *path, bool follow); /* in the archive's */
int tmpfs_child(int dir, const char *name);
/* Changes in directory dir: -errno or (create) the new node. */
int tmpfs_create_at(int dir, const char *name, uint32_t mode, uint32_t uid,
		    uint32_t gid);
int tmpfs_remove_at(int dir, const char *name, bool isdir);
int tmpfs_rename_at(int fdir, const char *fname, int tdir, const char *tname);
/* A new, empty instance (mount -t tmpfs): its root node, or -errno; and
 * the end of one no mount shows any more (its files go as they close). */
int tmpfs_instance(uint32_t mode, uint32_t uid, uint32_t gid);
void tmpfs_destroy(int root);
/* The normalised path of node n from the root of its instance ("" for
 * the root); -ENOENT if removed. */
long tmpfs_path(int n, char *out, size_t size);
long tmpfs_read(struct tnode *t, uint64_t off, uint8_t *dst, uint64_t len);
long tmpfs_write(struct tnode *t, uint64_t off, const uint8_t *src,
		 uint64_t len);
long tmpfs_truncate(struct tnode *t, uint64_t size);
/* The pool page holding offset off of node t (made if a hole), for a
 * shared mapping; NULL beyond the end or without memory. */
void *tmpfs_page(struct tnode *t, uint64_t off);
/* An unnamed node of size bytes (MAP_SHARED|MAP_ANONYMOUS), one
 * reference held; -errno. */
int tmpfs_anon(uint64_t size);
void tmpfs_ref(int n, int delta);
const void *tmpfs_image(struct tnode *t, uint8_t *buf, size_t size);
const void *tmpfs_program(const char *cwd, const char *path, size_t *size,
			  long *err);
/* Node n's contents for exec (a regular file with an execute bit). */
const void *tmpfs_node_program(int n, size_t *size, long *err);

/* A file system, as mounts see it (ns.c): ids name its nodes. */
struct fs_ops {
	const char *type; /* mount -t TYPE, and /proc/mounts */
	/* The entry name of directory dir: its id, or -ENOENT. */
	long (*child)(uint32_t dir, const char *name);
	uint32_t (*parent)(uint32_t id); /* a root's is itself */
	long (*name)(uint32_t id, char *out, size_t size); /* -ENOENT: removed */
	long (*desc)(uint32_t id, struct sdesc *d);
	long (*readlink)(struct proc *p, uint32_t id, char *out, size_t size);
	bool (*dirent)(uint32_t dir, uint64_t i, const char **name,
		       uint32_t *mode, uint64_t *ino); /* the i-th entry */
};
enum fs_type { FS_TMPFS, FS_PROC, FS_DEV, FS_PORTS };
uint32_t ns_flat_parent(uint32_t id); /* one directory, root 0 */
extern const struct fs_ops tmpfs_ops, procfs_ops, devfs_ops, ports_ops;

/* ns.c: mount namespaces. A place is a mount and a node of its file
 * system. ns_lookup resolves path (relative to p's cwd) in p's
 * namespace: */
#define NS_FOLLOW 1      /* follow a symbolic link at the end */
#define NS_CREATE 2      /* a missing last component: found false */
#define NS_PARENT 4      /* stop at the last component's directory */
#define NS_KEEP_EXPIRY 8 /* (umount2) leave MNT_EXPIRE's mark */
#define NS_NOCHECK 16    /* the process server's own walk: no search
			    permission asked */
enum { NS_LAST_NORM, NS_LAST_DOT, NS_LAST_DOTDOT, NS_LAST_ROOT };
struct nspath {
	bool found, slash;  /* it exists; the path ended in '/' */
	uint8_t last;       /* NS_PARENT: what the last component is */
	int mnt, dmnt;      /* where it is (found), and its directory */
	uint32_t id, did;
	char name[256];     /* its last component (NS_CREATE, NS_PARENT) */
	char path[256];     /* normalised path of what it names (found) or
			       of its directory */
};
void ns_init(void);
long ns_lookup(struct proc *p, const char *path, unsigned flags,
	       struct nspath *r);
long ns_desc(int mnt, uint32_t id, struct sdesc *d);
uint32_t ns_mode(int mnt, uint32_t id); /* its S_IFMT bits; 0: gone */
int ns_fs(int mnt);
bool ns_readonly(int mnt);
bool ns_nodev(int mnt);
bool ns_noexec(int mnt);
const struct fs_ops *ns_ops(int mnt);
/* Whether a node of mnt's file system is a mount point (any namespace). */
bool ns_is_mount_point(int mnt, uint32_t id);
/* The normalised path of (mnt, id) in its tree ("" for the root). */
long ns_path_of(int mnt, uint32_t id, char *out, size_t size);
bool ns_dirent(int mnt, uint32_t id, uint64_t i, const char **name,
	       uint32_t *mode, uint64_t *ino);
/* What path names (canon: its normalised path, if not NULL). */
long ns_stat(struct proc *p, const char *path, bool follow, struct sdesc *d,
	     char *canon);
/* nspath.c: changes through paths. ns_create makes a missing last
 * component (NS_CREATE) a tmpfs node of mode. */
long ns_create(struct proc *p, struct nspath *r, uint32_t mode);
long ns_mkdir(struct proc *p, const char *path, uint32_t mode);
long ns_symlink(struct proc *p, const char *target, const char *path);
long ns_remove(struct proc *p, const char *path, bool dir);
long ns_rename(struct proc *p, const char *from, const char *to);
long ns_readlink(struct proc *p, const char *path, char *out, size_t size);
/* The tmpfs node path names, to change it: -EROFS, refused (on a file
 * system that is not tmpfs) or -errno. */
long ns_node(struct proc *p, const char *path, bool follow, long refused);
/* An executable file's contents (exec): canon gets its full path. */
const void *ns_program(struct proc *p, const char *path, size_t *size,
		       long *err, char *canon);
long ns_mount(struct proc *p, const char *src, const char *dir,
	      const char *type, uint64_t flags, const char *data);
long ns_umount(struct proc *p, const char *dir, uint64_t flags);
long ns_unshare(struct proc *p, uint64_t flags);
long ns_unshare_mounts(struct proc *p); /* CLONE_NEWNS */
void ns_exit(struct proc *p);            /* p has ended */
void ns_file_closed(int mnt);            /* an open file in mnt went */
size_t ns_mounts_text(int ns, char *out, size_t size); /* /proc/PID/mounts */

/* ports.c: /ports, where native servers publish their endpoints, and
 * the open files of ports (descriptors of kind FD_PORT and FD_CONSOLE
 * hold one: fdent.of). ports_server: p serves ep; ntfn is our capability
 * to its notification, badged SRV_NTFN_CLOSED (0: none). */
long ports_server(struct proc *p, uint64_t ep, uint64_t ntfn);
bool ports_request(struct ux_msg *m);          /* a server's request */
bool ports_published(int pid);
void ports_exit(int pid);
/* Open port id of /ports as a new open file in a descriptor of p (the
 * permission checked by the caller): the descriptor or -errno. */
long ports_open(struct proc *p, uint32_t id, uint64_t flags);
/* Descriptors 0, 1 and 2 of p: one open file of the console, O_RDWR. */
long ports_std_fds(struct proc *p);
/* A descriptor's reference to open file of (delta 1 or -1): the last
 * one going tells the server. */
void ports_ref(unsigned of, int delta);
/* The capability and badge a descriptor of open file of holds (0: its
 * server is gone). */
uint64_t ports_cap(unsigned of, uint64_t *badge);
const char *ports_name(unsigned of); /* NULL: its port is gone */
long ports_ino(unsigned of);
long ports_getfl(unsigned of); /* open flags, or -EBADF */
long ports_setfl(unsigned of, uint64_t fl); /* F_SETFL */
/* The path permission is checked on for port id ("ports/NAME", whatever
 * path opened it) and what it is: 0 or -ENOENT. */
long ports_path(uint32_t id, char *norm, size_t size, struct sdesc *d);

/* quota.c: per-user and per-tree limits (/etc/quotas) and RLIMIT_NPROC,
 * RLIMIT_NOFILE, RLIMIT_AS. quota_task: may p make a task (fork, clone):
 * 0 or -EAGAIN. quota_exec: p now runs path (a program rule makes it a
 * tree's root). quota_page: charge (delta 1) or give back (-1) a page of
 * leader l: false if over its limits. quota_as: may p's regions grow by
 * grow bytes: 0 or -ENOMEM. quota_fd: may p make descriptor fd: 0 or
 * -EMFILE. quota_text: /proc/PID/quota. quota_file_pages: charge
 * (delta > 0) or give back tmpfs data pages to uid's account: false if
 * over uid's limit (force: never refused). */
void quota_init(void);
long quota_task(struct proc *p);
void quota_exec(struct proc *p, const char *path);
bool quota_page(struct proc *l, int delta);
long quota_as(struct proc *p, uint64_t grow);
long quota_fd(struct proc *p, unsigned fd);
bool quota_file_pages(uint32_t uid, int64_t delta, bool force);
size_t quota_text(struct proc *p, char *out, size_t size);
/* proc.c: the task in slot pid, zombies too (NULL: none). */
struct proc *proc_slot(int pid);
/* mem.c: all of RAM, in pages. */
uint64_t mem_total_pages(void);
/* roles.c: roles (docs/security.md). roles_take: a write to q's
 * /proc/PID/roles ("ROLE [session]\n[PASSWORD\n]"): its length or
 * -errno; roles_text: what reading it shows; roles_exec: the program
 * rules after p's execve of path; roles_login: p is the console's login
 * session (its user from /etc/session). */
long roles_take(struct proc *q, const uint8_t *req, size_t len);
size_t roles_text(struct proc *q, char *out, size_t size);
void roles_exec(struct proc *p, const char *path, char *const argv[]);
void roles_login(struct proc *p);
/* procfs.c: whether p may open /proc entry id for writing (0 or
 * -EACCES), and a write to it by process writer. */
long procfs_may_write(struct proc *p, uint32_t id);
long procfs_write(uint32_t id, int writer, const uint8_t *src,
		  uint64_t len);

/* initrd.c */
#include "cpio/cpio.h"
bool initrd_each(uint64_t *pos, struct cpio_entry *e);
#include "cpio/cpio.h"
/* Join cwd and path, resolving . and ..; "" is the root. False if too
 * long. */
bool path_normalise(const char *cwd, const char *path, char *out,
		    size_t size);
void initrd_init(const struct ux_bootinfo *bi);

#endif
