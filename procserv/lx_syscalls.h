/*
 * lx_syscalls.h - the Linux x86-64 system calls the process server
 * implements: the one list, used for dispatch and for docs/linux-syscalls.md
 * (every number not listed answers -ENOSYS).
 *
 * LX(number, name, status) where status is "full" or "partial" (what is
 * missing is said in the handler's comment and in the docs).
 */
LX(1, write, partial)
LX(12, brk, full)
LX(9, mmap, partial)
LX(11, munmap, partial)
LX(16, ioctl, partial)
LX(20, writev, partial)
LX(39, getpid, full)
LX(60, exit, partial)
LX(63, uname, full)
LX(102, getuid, full)
LX(104, getgid, full)
LX(107, geteuid, full)
LX(108, getegid, full)
LX(110, getppid, full)
LX(158, arch_prctl, partial)
LX(186, gettid, full)
LX(218, set_tid_address, partial)
LX(231, exit_group, full)
LX(10, mprotect, full)
LX(89, readlink, partial)
LX(228, clock_gettime, partial)
LX(96, gettimeofday, full)
LX(201, time, full)
LX(273, set_robust_list, full)
LX(302, prlimit64, partial)
LX(318, getrandom, full)
