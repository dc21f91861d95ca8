#!/bin/sh
# bench.sh BUILD - the side-by-side benchmarks (make bench).
#
# 1. Linux: Debian's kernel with the static benchmark programs
#    (bench/linux.sh, which also builds them).
# 2. UX/RT native: the kernel's own IPC (the test image in bench mode).
# 3. UX/RT Linux ABI: the very same static benchmark binary as init under
#    the process server; operations it cannot run yet say "unsupported".
# All under -icount shift=0,sleep=off in the same QEMU configuration; then
# one table (bench/report.sh). Not a test: nothing here asserts a timing.
set -eu
BUILD=$1
OUT=$BUILD/bench
ICOUNT="-icount shift=0,sleep=off"
mkdir -p "$OUT"

echo "bench: Linux baseline (Debian's kernel, same QEMU configuration)"
bench/linux.sh "$OUT" >/dev/null || echo "bench: Linux run failed"

echo "bench: UX/RT native IPC"
# shellcheck disable=SC2086
tools/qemu.sh "$BUILD" "$BUILD/ktest.elf" 600 $ICOUNT -append bench |
	tr -d '\r' >"$OUT/uxrt-native.log" || true
grep -a "^BENCH" "$OUT/uxrt-native.log" ||
	{ echo "bench: UX/RT native run failed"; exit 1; }

echo "bench: UX/RT, the same static binary as on Linux"
rm -rf "$OUT/uxrt-root"
mkdir -p "$OUT/uxrt-root/bin" "$OUT/uxrt-root/sbin" "$OUT/uxrt-root/tmp"
cp "$BUILD/initrd/sbin/console" "$OUT/uxrt-root/sbin/"
if [ -x "$OUT/progs/bench" ]; then
	cp "$OUT/progs/bench" "$OUT/progs/tiny" "$OUT/uxrt-root/bin/"
	(cd "$OUT/uxrt-root" && find . | LC_ALL=C sort |
		cpio -o -H newc --quiet) >"$OUT/uxrt-initrd.cpio"
	# shellcheck disable=SC2086
	tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$OUT/uxrt-initrd.cpio" 600 \
		$ICOUNT -append "init=/bin/bench" | tr -d '\r' \
		>"$OUT/uxrt-linuxabi.log" || true
	grep -a "^BENCH" "$OUT/uxrt-linuxabi.log" || true
fi
cat "$OUT/uxrt-native.log" "$OUT/uxrt-linuxabi.log" 2>/dev/null \
	>"$OUT/uxrt.log"
bench/report.sh "$OUT/uxrt.log" "$OUT/linux.log" "$OUT"
