#!/bin/sh
# busybox_echo.sh - Debian's unmodified busybox-static (glibc) runs an
# applet as init: its libc start-up and echo's system calls are served.
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 60 \
	-append "init=/bin/busybox -- echo hello from busybox")
echo "$out" | grep -a "procserv\|hello"
echo "$out" | grep -aq "^hello from busybox" || { echo "no echo output"; exit 1; }
echo "$out" | grep -aq "(busybox) exited with status 0" ||
	{ echo "bad exit"; exit 1; }
