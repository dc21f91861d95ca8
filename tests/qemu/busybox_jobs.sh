#!/bin/sh
# busybox_jobs.sh - job control on the console as a user does it: ^C
# (typed at the console server, which has the process server signal the
# foreground group) interrupts a running sleep and a cat; ^Z stops one,
# `jobs` lists it, `fg` continues it; `sleep 1 & wait`, kill of a
# background job, a trap handler, and SIGPIPE ending `yes | head`.
set -u
# (The kill is in `sh -c`: an interactive shell ignores SIGTERM, and its
# background child does too until it resets it, so there the kill races.)
out=$( (sleep 5; printf 'sleep 20\r'; sleep 2; printf '\003'; sleep 1
	printf 'echo status $?\r'; sleep 1; printf 'sleep 20\r'; sleep 2
	printf '\032'; sleep 1; printf 'jobs\r'; sleep 1; printf 'fg\r'
	sleep 1; printf '\003'; sleep 1; printf 'cat\r'; sleep 1
	printf 'abc\r'; sleep 1; printf '\003'; sleep 1
	printf 'sleep 1 & wait; echo waited $?\r'; sleep 3
	printf "sh -c 'sleep 30 & kill \$!; wait \$!; echo killed \$?'\r"; sleep 2
	printf "trap 'echo trapped' USR1; kill -USR1 \$\$\r"; sleep 1
	printf 'yes | head -n 2; echo piped\r'; sleep 2
	printf 'exit 3\r'; sleep 2) |
	QEMU_STDIN=1 tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 90 \
		-append "init=/bin/busybox -- sh" | tr -d '\r')
echo "$out" | grep -a "killed\|status\|Stopped\|waited\|trapped\|piped"
fail() { echo "$1"; exit 1; }
# (busybox runs its applets through /proc/self/exe, so like Linux's comm
# their names read "exe")
n=$(echo "$out" | grep -ac "killed by signal 2")
[ "$n" -ge 1 ] || fail "^C did not end sleep"
echo "$out" | grep -aq "^status 130" || fail "no status 130 after ^C"
echo "$out" | grep -aq "Stopped.*sleep 20" || fail "^Z did not stop sleep"
[ "$n" -ge 2 ] || fail "fg then ^C did not end the continued sleep"
[ "$n" -ge 3 ] || fail "^C did not end cat"
echo "$out" | grep -aq "^waited 0" || fail "sleep & wait"
echo "$out" | grep -aq "^killed 143" || fail "kill of a background job"
echo "$out" | grep -aq "^trapped" || fail "trap handler"
echo "$out" | grep -aq "^piped" || fail "yes | head"
echo "$out" | grep -aq "pid 2 (busybox) exited with status 3" ||
	fail "the shell did not exit 3"
