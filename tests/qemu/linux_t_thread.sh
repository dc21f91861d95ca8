#!/bin/sh
# linux_t_thread.sh - tests/linux/t_thread.c (threads: clone, TLS, locks, signals,
# fork, exec and exit from threads; the same
# binary passes on Linux) run on UX/RT. Its "t_thread: N passed, M
# failed" line is added to make check's totals.
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 120 \
	-append "init=/bin/t_thread" | tr -d "\r")
echo "$out" | grep -a "^t_thread"
echo "$out" | grep -aq "^t_thread: [0-9]* passed, 0 failed" || exit 1
