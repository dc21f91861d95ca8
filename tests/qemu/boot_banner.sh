#!/bin/sh
# boot_banner.sh - the kernel boots from Multiboot, calibrates its timer,
# builds the root server and hands it untyped memory; the root server
# starts and prints (checked on the real serial output).
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/ktest.elf" 120)
for want in "UX/RT kernel booting" "uxrt: timer" "uxrt: root server" \
	"untyped caps" "ktest: UX/RT kernel test suite"; do
	echo "$out" | grep -aq "$want" || { echo "missing: $want"; exit 1; }
done
echo "$out" | grep -aq "PANIC" && { echo "kernel panic"; exit 1; }
exit 0
