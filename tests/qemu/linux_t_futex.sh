#!/bin/sh
# linux_t_futex.sh - tests/linux/t_futex.c (futexes: waits, wakes, timeouts,
# bitsets, EINTR, shared memory between processes; the same
# binary passes on Linux) run on UX/RT. Its "t_futex: N passed, M
# failed" line is added to make check's totals.
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 120 \
	-append "init=/bin/t_futex" | tr -d "\r")
echo "$out" | grep -a "^t_futex"
echo "$out" | grep -aq "^t_futex: [0-9]* passed, 0 failed" || exit 1
