#!/bin/sh
# linux_t_ns.sh - tests/linux/t_ns.c (mount, umount2, unshare and path
# resolution through mount points, with Linux's error codes; the same
# binary passes on Linux as root) run on UX/RT. Its "t_ns: N passed, M
# failed" line is added to make check's totals.
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 120 \
	-append "init=/bin/t_ns perm=allow,all,/**,inherit" | tr -d "\r")
echo "$out" | grep -a "^t_ns\|procserv\|uxrt"
echo "$out" | grep -aq "^t_ns: [0-9]* passed, 0 failed" || exit 1
