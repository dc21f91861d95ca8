#!/bin/sh
# busybox_sh.sh - busybox's interactive shell on the serial line: it sees
# a terminal (termios ioctls forwarded to the console server), prints its
# prompt, edits lines in raw mode (poll with timeouts, clock_nanosleep)
# and runs what is typed; the console server (an unprivileged process)
# takes input from COM1 by interrupt, and the shell's output goes straight
# to it through the kernel's file transport.
set -u
out=$( (sleep 5; printf 'echo one two\r'; sleep 1; printf 'echo $((6*7))\r';
	sleep 1; printf 'exit 3\r'; sleep 2) |
	QEMU_STDIN=1 tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 60 \
		-append "init=/bin/busybox -- sh")
echo "$out" | grep -a "procserv\|one\|42"
echo "$out" | grep -aq "built-in shell (ash)" || { echo "no banner"; exit 1; }
echo "$out" | grep -aq "^~ \$ " || { echo "no prompt (~, the home of the session)"; exit 1; }
echo "$out" | grep -aq "^one two" || { echo "no echo output"; exit 1; }
echo "$out" | grep -aq "^42" || { echo "no arithmetic"; exit 1; }
echo "$out" | grep -aq "pid 2 (busybox) exited with status 3" ||
	{ echo "exit status not seen"; exit 1; }
