#!/bin/sh
# bench.sh BUILD - the side-by-side benchmarks (make bench).
#
# Boots UX/RT with the benchmark mode of the test image, then Debian's Linux
# kernel with the same static programs (bench/linux.sh), both under
# -icount shift=0,sleep=off in the same QEMU configuration, and prints the
# table (bench/report.sh). Not a test: nothing here asserts a timing.
set -eu
BUILD=$1
OUT=$BUILD/bench
mkdir -p "$OUT"
echo "bench: UX/RT (guest instructions per operation, -icount shift=0)"
tools/qemu.sh "$BUILD" "$BUILD/ktest.elf" 600 -icount shift=0,sleep=off \
	-append bench | tr -d '\r' >"$OUT/uxrt.log" || true
grep -a "^BENCH" "$OUT/uxrt.log" || { echo "bench: UX/RT run failed"; exit 1; }
echo "bench: Linux baseline (Debian's kernel, same QEMU configuration)"
bench/linux.sh "$OUT" >/dev/null || echo "bench: Linux run failed"
bench/report.sh "$OUT/uxrt.log" "$OUT/linux.log" "$OUT"
