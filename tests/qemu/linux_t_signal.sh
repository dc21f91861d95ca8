#!/bin/sh
# linux_t_signal.sh - tests/linux/t_signal.c (signals: handlers, masks,
# default actions, EINTR and SA_RESTART, stop and continue; the same
# binary passes on Linux) run on UX/RT. Its "t_signal: N passed, M
# failed" line is added to make check's totals.
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 120 \
	-append "init=/bin/t_signal" | tr -d "\r")
echo "$out" | grep -a "^t_signal"
echo "$out" | grep -aq "^t_signal: [0-9]* passed, 0 failed" || exit 1
