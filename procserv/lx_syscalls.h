/*
 * lx_syscalls.h - the Linux x86-64 system calls the process server
 * implements: the one list, used for dispatch (linux.c) and for
 * docs/linux-syscalls.md (tools/gen-syscall-doc.sh). Every number not
 * listed answers -ENOSYS.
 *
 * LX(number, name, status, "what is missing") with status full or partial.
 */
LX(1, write, partial, "file descriptors 1 and 2 only: the kernel debug console until the console server exists")
LX(9, mmap, partial, "anonymous private mappings only; no MAP_FIXED, no files")
LX(10, mprotect, full, "")
LX(11, munmap, partial, "whole pages; mapping records are not split")
LX(12, brk, full, "")
LX(16, ioctl, partial, "the console's TCGETS, TCSETS(W/F), TIOCGWINSZ, TIOCSWINSZ, TIOCGPGRP, TIOCSPGRP; ENOTTY for other requests")
LX(20, writev, partial, "as write")
LX(39, getpid, full, "")
LX(60, exit, partial, "ends the whole process (no threads yet)")
LX(63, uname, full, "")
LX(89, readlink, partial, "/proc/self/exe and /proc/PID/exe only (no filesystem yet)")
LX(96, gettimeofday, full, "")
LX(102, getuid, full, "")
LX(104, getgid, full, "")
LX(107, geteuid, full, "")
LX(108, getegid, full, "")
LX(110, getppid, full, "")
LX(158, arch_prctl, partial, "ARCH_SET_FS and ARCH_GET_FS only")
LX(186, gettid, full, "")
LX(201, time, full, "")
LX(218, set_tid_address, partial, "the address is not used yet (no threads)")
LX(228, clock_gettime, partial, "real-time, monotonic and boot-time clocks; no CPU-time clocks")
LX(231, exit_group, full, "")
LX(273, set_robust_list, full, "")
LX(302, prlimit64, partial, "the calling process only; limits are kept, not enforced")
LX(318, getrandom, full, "")
LX(79, getcwd, partial, "the directory is always / until chdir and files exist")
LX(7, poll, partial, "console descriptors only; a timed wait is not woken early by input; an untimed wait counts the console as readable and the read waits instead")
LX(35, nanosleep, partial, "never interrupted, so the remaining time is never reported")
LX(230, clock_nanosleep, partial, "real-time, monotonic and boot-time clocks; never interrupted")
LX(13, rt_sigaction, partial, "dispositions are recorded and reported; signals are not delivered yet")
LX(14, rt_sigprocmask, partial, "the mask is kept; signals are not delivered yet")
