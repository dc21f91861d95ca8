#!/bin/sh
# check.sh BUILD HOST_TEST... - run every test and print the total.
#
# 1. Host unit tests (ASan/UBSan binaries): each ends with
#    "host test_X: N passed, M failed".
# 2. QEMU scenarios: tests/qemu/*.sh, each boots the real image and checks
#    what it prints (one pass or fail each).
# 3. The in-system kernel test suite: boots build/ktest.elf as the root
#    server; it prints "ktest: N passed, M failed" and exits QEMU through
#    isa-debug-exit (status 1 = all passed).
# The last line is "N passed, N failed"; the exit status is 0 only if
# nothing failed.
set -u
BUILD=$1
shift
pass=0
fail=0
log=$BUILD/check
mkdir -p "$log"

count() { # count LOG PREFIX: add the "N passed, M failed" line to totals
	line=$(grep -a "^$2.*[0-9][0-9]* passed, [0-9][0-9]* failed" "$1" | tail -n 1)
	if [ -z "$line" ]; then
		echo "check: $2: no result line (see $1)"
		fail=$((fail + 1))
		return
	fi
	p=$(echo "$line" | sed 's/.* \([0-9][0-9]*\) passed.*/\1/')
	f=$(echo "$line" | sed 's/.* \([0-9][0-9]*\) failed.*/\1/')
	pass=$((pass + p))
	fail=$((fail + f))
	echo "check: $line"
}

for t in "$@"; do
	name=$(basename "$t")
	"$t" >"$log/$name.log" 2>&1
	st=$?
	count "$log/$name.log" "host $name"
	[ $st -ne 0 ] && grep -q " 0 failed" "$log/$name.log" && {
		echo "check: $name exited $st"
		fail=$((fail + 1))
	}
done

for s in tests/qemu/*.sh; do
	[ -e "$s" ] || continue
	name=$(basename "$s" .sh)
	if BUILD=$BUILD sh "$s" >"$log/qemu-$name.log" 2>&1; then
		pass=$((pass + 1))
		echo "check: PASS qemu scenario $name"
		# programs that count their own checks (tests/linux/t_*.c)
		if grep -aq "^t_[a-z_]*: [0-9]* passed" "$log/qemu-$name.log"; then
			count "$log/qemu-$name.log" "t_"
		fi
	else
		fail=$((fail + 1))
		echo "check: FAIL qemu scenario $name (see $log/qemu-$name.log)"
		tail -n 5 "$log/qemu-$name.log" | sed 's/^/check:   /'
	fi
done

tools/qemu.sh "$BUILD" "$BUILD/ktest.elf" 300 >"$log/ktest.log" 2>&1
st=$?
grep -a "ktest: FAIL\|check failed\|PANIC" "$log/ktest.log" | sed 's/^/check:   /'
count "$log/ktest.log" "ktest:"
if [ $st -ne 1 ]; then
	echo "check: kernel test suite: QEMU exit status $st (1 means all passed)"
	grep -q "ktest: .* 0 failed" "$log/ktest.log" && fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
