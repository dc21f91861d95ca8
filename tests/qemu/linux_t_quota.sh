#!/bin/sh
# linux_t_quota.sh - tests/linux/t_quota.c (RLIMIT_NOFILE, RLIMIT_AS and
# RLIMIT_NPROC enforced with Linux's error codes; the same binary passes
# on Linux) run on UX/RT. Its "t_quota: N passed, M failed" line is added
# to make check's totals.
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 120 \
	-append "init=/bin/t_quota" | tr -d "\r")
echo "$out" | grep -a "^t_quota"
echo "$out" | grep -aq "^t_quota: [0-9]* passed, 0 failed" || exit 1
