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

#define MAX_PROCS 16
#define L1_RADIX 8
#define PROC_RADIX 12
#define PROC_UNTYPED_BITS 24 /* 16 MiB per process, for now */
#define MAX_PAGES 2048
#define PCAP(pid, j) ((uint64_t)(pid) << 14 | (j))

enum proc_slot {
	PS_TCB,
	PS_PML4,
	PS_CSPACE,  /* the process's own (empty) CSpace */
	PS_FAULT,   /* our endpoint, badged with the pid */
	PS_SCRATCH, /* temporary copy of a frame we map to reach its data */
	PS_FIRST_FREE
};

struct page {
	uint64_t va;
	uint32_t slot;   /* in the process's CNode */
	uint8_t rights;  /* UX_R_READ/WRITE/EXEC of its mapping */
};

struct proc {
	bool used;
	int pid, ppid;
	uint64_t ut, pcn;   /* boot slots: its untyped, its CNode (to invoke) */
	uint32_t next_slot;
	struct page pages[MAX_PAGES];
	unsigned npages;
	uint64_t brk_start, brk, mmap_next;
	uint32_t uid, gid;
	bool zombie;          /* exited, not yet waited for */
	int wstatus;          /* Linux wait status once a zombie */
	bool waiting;         /* in wait4: answered when a child exits */
	int64_t wait_pid;
	uint64_t wait_reply, wait_status_va;
	bool native;          /* a native server, not a Linux process */
	uint32_t fd_console;  /* bit fd: that descriptor is the console */
	unsigned cspace_radix;
	uint64_t entry, sp;
	uint64_t robust_list, robust_len;
	uint64_t rlim[16][2]; /* soft, hard */
	uint64_t sigact[64][4]; /* rt_sigaction records, by signal - 1 */
	uint64_t sigmask;
	char cwd[256];
	char name[32];
	char exe[128];
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
uint64_t time_mono_ns(void);
uint64_t time_real_ns(void);
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
struct proc *proc_get(uint64_t pid);
#define LX_FD_RADIX 10 /* a Linux process's CSpace: its descriptor table */

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
long proc_wait(struct proc *p, int64_t pid, uint64_t status_va, bool nohang);
#define LX_GONE (-1000002) /* a handler's result: no reply, caller gone */

/* main.c: a descriptor slot of p gets the console. */
long fd_console_set(struct proc *p, unsigned fd);
long proc_page_new(struct proc *p, uint64_t va, unsigned rights);
long proc_copy_in(struct proc *p, void *dst, uint64_t va, size_t len);
long proc_copy_out(struct proc *p, uint64_t va, const void *src, size_t len);
long proc_protect(struct proc *p, uint64_t va, unsigned rights);
void proc_unmap(struct proc *p, uint64_t va);

/* linux.c: handle one foreign system call; regs in enum ux_reg order.
 * Returns the number of registers the reply must set (0: no reply now:
 * the process is gone or the answer comes later). */
#define LX_LATER (-1000001) /* a handler's result: answered later */
unsigned lx_syscall(struct proc *p, uint64_t regs[UX_REG_COUNT]);

/* initrd.c */
const void *initrd_find(const char *path, size_t *size);
void initrd_init(const struct ux_bootinfo *bi);

#endif
