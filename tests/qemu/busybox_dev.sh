#!/bin/sh
# busybox_dev.sh - /dev: null swallows, zero and urandom give bytes, full
# answers ENOSPC, tty is the console, and ls -l shows device numbers.
set -u
out=$( (sleep 5; printf 'ls /dev\r'; sleep 3;
	printf 'echo gone > /dev/null; echo rc $?\r'; sleep 3;
	printf 'head -c 1000 /dev/zero | wc -c\r'; sleep 3;
	printf 'head -c 16 /dev/urandom | wc -c; ls -l /dev/null\r'; sleep 4;
	printf 'echo x > /dev/full\r'; sleep 3;
	printf 'echo to tty > /dev/tty\r'; sleep 3; printf 'exit 0\r'; sleep 2) |
	QEMU_STDIN=1 tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 90 \
		-append "init=/bin/busybox -- sh" | tr -d "\r")
echo "$out" | grep -av "not implemented\|procserv: pid" | tail -n 12
for want in "^console *full *null *random *tty *ttyS0 *urandom *zero" "^rc 0" \
	"^1000$" "^16$" "^crw-rw-rw- .* 1, *3 .*/dev/null" \
	"No space left on device" "^to tty$"; do
	echo "$out" | grep -aqE "$want" || { echo "missing: $want"; exit 1; }
done
