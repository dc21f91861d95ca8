#!/bin/sh
# busybox_fork_exec.sh - processes: the shell forks, the child execs an
# applet through its /bin symlink in the initial archive, and the parent
# waits and sees the exit status (sh -c "exit 5" gives 5).
set -u
out=$( (sleep 5; printf '/bin/echo external echo\r'; sleep 3;
	printf 'sh -c "exit 5"; echo child said $?\r'; sleep 3;
	printf 'exit 0\r'; sleep 2) |
	QEMU_STDIN=1 tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 90 \
		-append "init=/bin/busybox -- sh")
echo "$out" | grep -a "procserv: pid\|external\|child said"
echo "$out" | grep -aq "^external echo" || { echo "exec'd echo did not print"; exit 1; }
echo "$out" | grep -aq "(echo) exited with status 0" || { echo "no child exit"; exit 1; }
echo "$out" | grep -aq "^child said 5" || { echo "wait status lost"; exit 1; }
