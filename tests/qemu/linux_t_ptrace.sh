#!/bin/sh
# linux_t_ptrace.sh - tests/linux/t_ptrace.c (ptrace: TRACEME and exec,
# memory and breakpoints, registers, system-call stops, signal-delivery
# stops, single steps, ATTACH/DETACH, SEIZE/INTERRUPT, the tracer's exit,
# the error codes; the same binary passes on Linux) run on UX/RT. Its
# "t_ptrace: N passed, M failed" line is added to make check's totals.
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 120 \
	-append "init=/bin/t_ptrace" | tr -d "\r")
echo "$out" | grep -a "^t_ptrace"
echo "$out" | grep -aq "^t_ptrace: [0-9]* passed, 0 failed" || exit 1
