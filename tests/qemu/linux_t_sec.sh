#!/bin/sh
# linux_t_sec.sh - tests/linux/t_sec.c (the security model: mode bits as
# the fallback for every user ID, the privileged surface denied without
# an entry, entries not inherited, inert setuid bits, unforgeable
# descriptors) run on UX/RT as init with one non-inheritable entry that
# lets it take other user IDs. UX/RT only. Its "t_sec: N passed, M
# failed" line is added to make check's totals.
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 120 \
	-append "init=/bin/t_sec perm=allow,w,/priv/identity/**" | tr -d "\r")
echo "$out" | grep -a "^t_sec\|procserv: perm"
echo "$out" | grep -aq "^t_sec: [0-9]* passed, 0 failed" || exit 1
