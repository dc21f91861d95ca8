#!/bin/sh
# busybox_vi.sh - a full-screen program on the console: busybox vi takes
# the terminal raw (termios through the console server), inserts text,
# and :wq writes the file, which cat then shows; ps lists the processes
# from /proc with their owner's name from /etc/passwd.
set -u
out=$( (sleep 5; printf 'vi /tmp/v.txt\r'; sleep 3; printf 'ihello from vi\033'
	sleep 1; printf ':wq\r'; sleep 2; printf 'cat /tmp/v.txt\r'; sleep 1
	printf 'ps\r'; sleep 2; printf 'exit 3\r'; sleep 2) |
	QEMU_STDIN=1 tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 60 \
		-append "init=/bin/busybox -- sh" | tr -d '\r')
echo "$out" | grep -a "hello from vi\|user"
fail() { echo "$1"; exit 1; }
echo "$out" | grep -aq '\[?1049h' || fail "vi did not take the screen"
echo "$out" | grep -aq "^hello from vi$" || fail "the file vi wrote is not there"
echo "$out" | grep -aq "^ *2 user .*busybox sh" || fail "ps did not list the shell"
echo "$out" | grep -aq "pid 2 (busybox) exited with status 3" ||
	fail "the shell did not exit 3"
