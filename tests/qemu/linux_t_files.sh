#!/bin/sh
# linux_t_files.sh - tests/linux/t_files.c (file system calls and their
# Linux error codes; the same binary passes on Linux) run on UX/RT. Its
# "t_files: N passed, M failed" line is added to make check's totals.
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 120 \
	-append "init=/bin/t_files" | tr -d "\r")
echo "$out" | grep -a "^t_files"
echo "$out" | grep -aq "^t_files: [0-9]* passed, 0 failed" || exit 1
