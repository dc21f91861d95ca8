#!/bin/sh
# linux_t_poll.sh - tests/linux/t_poll.c (poll, ppoll, select, pselect6 on
# pipes, files, /dev and /proc: readiness, wakeups by another process,
# timeouts, EINTR, signal masks, error codes; the same binary passes on
# Linux) run on UX/RT. Its "t_poll: N passed, M failed" line is added to
# make check's totals.
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 120 \
	-append "init=/bin/t_poll" | tr -d "\r")
echo "$out" | grep -a "^t_poll"
echo "$out" | grep -aq "^t_poll: [0-9]* passed, 0 failed" || exit 1
