#!/bin/sh
# busybox_files.sh - the root filesystem (tmpfs populated from the initial
# archive, served by the process server): ls, cd, cat of a file (its read
# goes to the process server through the kernel's file transport), wc,
# and the error for a missing file.
set -u
out=$( (sleep 5; printf 'ls /\r'; sleep 3; printf 'cat /etc/motd\r'; sleep 3;
	printf 'cd /etc; wc -c hostname; pwd\r'; sleep 4;
	printf 'cat /nonexistent; echo rc $?\r'; sleep 3; printf 'exit 0\r';
	sleep 2) |
	QEMU_STDIN=1 tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 90 \
		-append "init=/bin/busybox -- sh" | tr -d "\r")
echo "$out" | grep -av "not implemented" | tail -n 12
echo "$out" | grep -aqE "^bin +dev +etc +home +mnt +ports +proc +sbin +tmp$" || { echo "ls / wrong"; exit 1; }
echo "$out" | grep -aq "^Welcome to UX/RT." || { echo "cat failed"; exit 1; }
echo "$out" | grep -aq "^5 hostname" || { echo "wc failed"; exit 1; }
echo "$out" | grep -aq "^/etc$" || { echo "cd/pwd failed"; exit 1; }
echo "$out" | grep -aq "can't open '/nonexistent': No such file or directory" ||
	{ echo "no error message"; exit 1; }
echo "$out" | grep -aq "^rc 1" || { echo "wrong status"; exit 1; }
