#!/bin/sh
# linux_t_tty.sh - tests/linux/t_tty.c (the console's answers for what a
# terminal does not serve: ESPIPE for lseek/pread/pwrite, a 0-byte read
# that does not wait; the same binary passes on Linux in a pty) run on
# UX/RT. Its "t_tty: N passed, M failed" line is added to make check's
# totals.
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 60 \
	-append "init=/bin/t_tty" | tr -d "\r")
echo "$out" | grep -a "^t_tty"
echo "$out" | grep -aq "^t_tty: [0-9]* passed, 0 failed" || exit 1
