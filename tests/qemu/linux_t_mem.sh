#!/bin/sh
# linux_t_mem.sh - tests/linux/t_mem.c (memory system calls: demand
# paging, copy-on-write fork, shared and file mappings, and their Linux
# error codes; the same binary passes on Linux) run on UX/RT. Its
# "t_mem: N passed, M failed" line is added to make check's totals.
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 180 \
	-append "init=/bin/t_mem" | tr -d "\r")
echo "$out" | grep -a "^t_mem"
echo "$out" | grep -aq "^t_mem: [0-9]* passed, 0 failed" || exit 1
