/*
 * stub arch/cpu.h - the kernel's per-CPU header as host tests see it.
 *
 * test_cdt compiles kernel/src/cspace.c on the host with -Itests/host/stub
 * ahead of the architecture's include directory, so this file is found
 * first. It includes the real header unchanged (struct cpu and all), except
 * that this_cpu() - a %gs load in the kernel, which would crash on the
 * host - becomes host_this_cpu(), a function the test defines. cspace.c
 * does not call this_cpu() today; the stub is there so that moving its
 * globals into struct cpu (as cpu.h's comment asks of all mutable state)
 * does not break the host test.
 */
#ifndef HOST_STUB_ARCH_CPU_H
#define HOST_STUB_ARCH_CPU_H

#define this_cpu kernel_this_cpu_unused_on_host
#include_next <arch/cpu.h>
#undef this_cpu

struct cpu *host_this_cpu(void);
#define this_cpu host_this_cpu

#endif
