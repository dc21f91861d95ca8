#!/bin/sh
# security_quota.sh - quotas (docs/security.md): as user 1000 at the
# console, a fork bomb (busybox ash has no function named ":", so
# f(){ f & f; }) runs into the user's task quota (rootfs/etc/quotas)
# while a command still answers, a bystander process keeps running and
# another user's process (1001, made through chpriv admin) keeps forking; a
# memory hog is killed (SIGKILL) at the user's memory quota; then
# `t_quota tree` checks a program's tree limits (tasks, files, memory)
# with their exact error codes, and `t_quota files` that tmpfs data is
# charged to its owner (EDQUOT; chown moves it). The sum of their
# "t_quota: N passed" lines counts.
set -u
out=$( (sleep 5; printf 'sleep 300 & s=$!\r'; sleep 1
	printf 'chpriv admin t_quota other; o=$(cat /tmp/other.pid)\r'; sleep 2
	printf 'uxrt\r'; sleep 4
	printf "sh -c 'f(){ f & f; }; f' & b=\$!\r"; sleep 12
	printf 'echo alive during the bomb\r'; sleep 3
	printf 'kill -9 -$b; sleep 3; echo bomb ended\r'; sleep 8
	printf 'kill -0 $s && echo bystander running\r'; sleep 2
	printf 'grep -q "Uid:.1001" /proc/$o/status && echo other user running\r'; sleep 2
	printf 'ls /bin/t_quota && echo fork works again\r'; sleep 3
	printf 'cp /bin/t_quota /tmp/hog; /tmp/hog hog; echo hog status $?\r'
	sleep 25
	printf 'echo alive after the hog\r'; sleep 2
	printf 't_quota tree\r'; sleep 20
	printf 'chpriv admin t_quota files\r'; sleep 2
	printf 'uxrt\r'; sleep 15
	printf 'exit 0\r'; sleep 2) |
	QEMU_STDIN=1 tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 170 \
		-append "init=/bin/busybox -- sh" | tr -d '\r')
echo "$out" | grep -a "alive\|bomb\|bystander\|other\|fork works\|hog\|out of memory\|^t_quota"
fail() { echo "$1"; exit 1; }
n=$(echo "$out" | grep -ac "exited\|killed by")
[ "$n" -ge 20 ] || fail "the bomb did not run ($n processes ended)"
echo "$out" | grep -aq "can't fork: Resource temporarily unavailable" ||
	fail "the bomb's forks never failed with EAGAIN"
echo "$out" | grep -aq "^alive during the bomb" || fail "no answer during the bomb"
echo "$out" | grep -aq "^bomb ended" || fail "the bomb was not ended"
echo "$out" | grep -aq "^bystander running" || fail "the bystander did not survive"
echo "$out" | grep -aq "^other user running" || fail "the other user's process did not survive"
echo "$out" | grep -aq "other: fork failed\|becoming user" && fail "the other user could not fork during the bomb"
echo "$out" | grep -aq "^fork works again" || fail "no fork after the bomb"
echo "$out" | grep -aq "out of memory" || fail "the hog was not stopped"
echo "$out" | grep -aq "^hog status 137" || fail "the hog was not killed (SIGKILL)"
echo "$out" | grep -aq "^alive after the hog" || fail "no answer after the hog"
[ "$(echo "$out" | grep -ac "^t_quota: [0-9]* passed, 0 failed")" = 2 ] ||
	fail "t_quota tree or files failed"
echo "$out" | grep -aq "FAIL" && fail "a check failed"
# the sum of both runs' checks, counted by tools/check.sh (its last line)
echo "$out" | grep -a "^t_quota: [0-9]* passed" |
	awk '{p += $2; f += $4} END {printf "t_quota: %d passed, %d failed\n", p, f}'
