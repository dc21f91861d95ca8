#!/bin/sh
# linux_t_at.sh - tests/linux/t_at.c (readv/writev, the *at calls with
# directory descriptors, #! scripts, /proc/self; the same binary passes
# on Linux) run on UX/RT. Its "t_at: N passed, M failed" line is added to
# make check's totals.
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 120 \
	-append "init=/bin/t_at" | tr -d "\r")
echo "$out" | grep -a "^t_at"
echo "$out" | grep -aq "^t_at: [0-9]* passed, 0 failed" || exit 1
