#!/bin/sh
# busybox_pipes.sh - pipes between processes: a short message, a
# directory listing counted, and 200000 bytes through a 64 KiB pipe (the
# writer waits for room, nothing is lost), then end of file.
set -u
out=$( (sleep 5; printf 'echo hello pipe | cat\r'; sleep 3;
	printf 'ls /bin | wc -l\r'; sleep 4;
	printf 'yes 0123456789 | head -c 200000 | wc -c\r'; sleep 25;
	printf 'exit 0\r'; sleep 2) |
	QEMU_STDIN=1 tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 120 \
		-append "init=/bin/busybox -- sh" | tr -d "\r")
echo "$out" | grep -av "not implemented\|procserv: pid" | tail -n 8
echo "$out" | grep -aq "^hello pipe$" || { echo "no pipe output"; exit 1; }
echo "$out" | grep -aqE "^[0-9]+$" || { echo "no count"; exit 1; }
echo "$out" | grep -aq "^200000$" || { echo "bulk data lost"; exit 1; }
