#!/bin/sh
# busybox_poll.sh - waiting for the console's input: t_poll's console mode
# polls standard input with a timeout nobody types in (0), then with poll,
# select and ppoll that the typing (seconds later) must wake well before
# their 30 s timeouts; busybox ash's `read -t` (which polls) times out
# with no input, and is woken by a line typed while it waits; and
# `read -t` on a pipe, woken by a write, or timing out.
set -u
out=$( (sleep 5; printf 't_poll console\r'; sleep 4; printf 'abc\r'; sleep 2
	printf 'def\r'; sleep 2; printf 'ghi\r'; sleep 2
	printf 'read -t 1 x; echo rc $?\r'; sleep 3
	printf 'read -t 30 x; echo got $x\r'; sleep 3; printf 'hello\r'; sleep 2
	printf '(sleep 1; echo piped) | { read -t 20 v; echo pipe $v; }\r'
	sleep 4
	printf 'sleep 5 | { read -t 1 v; echo rc2 $?; }\r'; sleep 7
	printf 'exit 3\r'; sleep 2) |
	QEMU_STDIN=1 tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 90 \
		-append "init=/bin/busybox -- sh" | tr -d '\r')
echo "$out" | grep -a "^console:\|^rc\|^got\|^pipe"
fail() { echo "$1"; exit 1; }
echo "$out" | grep -aq "^console: out 1 revents 0x4$" || fail "console not writable"
echo "$out" | grep -aq "^console: timeout 0$" || fail "poll did not time out"
echo "$out" | grep -aq "^console: poll 1 revents 0x1 in time read abc$" ||
	fail "poll not woken by input"
echo "$out" | grep -aq "^console: select 1 set read def$" ||
	fail "select not woken by input"
echo "$out" | grep -aq "^console: ppoll 1 read ghi$" ||
	fail "ppoll not woken by input"
echo "$out" | grep -aq "^rc 1$" || fail "read -t did not time out"
echo "$out" | grep -aq "^got hello$" || fail "read -t not woken by input"
echo "$out" | grep -aq "^pipe piped$" || fail "read -t not woken by a pipe"
echo "$out" | grep -aq "^rc2 1$" || fail "read -t on a pipe did not time out"
echo "$out" | grep -aq "pid 2 (busybox) exited with status 3" ||
	fail "the shell did not exit 3"
