#!/bin/sh
# busybox_sleep.sh - nanosleep: busybox's sleep applet waits (the process
# server's timer: the CMOS clock's periodic interrupt) and exits 0; a
# second applet's output follows it.
set -u
start=$(date +%s)
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 60 \
	-append "init=/bin/busybox -- sleep 2")
end=$(date +%s)
echo "$out" | grep -a "exited"
echo "$out" | grep -aq "(busybox) exited with status 0" || { echo "bad exit"; exit 1; }
[ $((end - start)) -ge 2 ] || { echo "returned after $((end - start)) s"; exit 1; }
