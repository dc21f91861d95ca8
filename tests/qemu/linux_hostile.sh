#!/bin/sh
# linux_hostile.sh - random system calls with hostile arguments from
# unmodified Linux processes, then a fork bomb: the process server and
# the kernel survive, the bomb stops at the process limit, and the system
# still answers afterwards.
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 300 \
	-append "init=/bin/hostile" | tr -d "\r")
echo "$out" | grep -a "hostile:\|PANIC\|(hostile) exited"
echo "$out" | grep -aq "PANIC" && { echo "kernel panic"; exit 1; }
[ "$(echo "$out" | grep -ac "hostile: round")" -eq 8 ] || { echo "rounds missing"; exit 1; }
echo "$out" | grep -aq "hostile: fork bomb stopped at" || { echo "bomb not stopped"; exit 1; }
echo "$out" | grep -aq "hostile: survived" || { echo "did not survive"; exit 1; }
echo "$out" | grep -aq "(hostile) exited with status 0" || { echo "bad exit"; exit 1; }
