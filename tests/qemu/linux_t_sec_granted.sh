#!/bin/sh
# linux_t_sec_granted.sh - tests/linux/t_sec.c's other half: with
# entries that allow them (the /priv actions and control of processes
# inheritable, mounts on /mnt, all of /etc not inheritable), the
# operations t_sec finds denied succeed, and a child gets only the
# inheritable entries. UX/RT only; counted as "t_sec: N passed, M failed".
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 120 \
	-append "init=/bin/t_sec perm=allow,w,/priv/**,inherit perm=allow,k,/mnt,inherit perm=allow,k,/proc/**,inherit perm=allow,all,/etc/** perm=deny,w,/priv/power,inherit perm=deny,rw,/ports/** -- granted" |
	tr -d "\r")
echo "$out" | grep -a "^t_sec\|procserv: perm"
echo "$out" | grep -aq "^t_sec: [0-9]* passed, 0 failed" || exit 1
