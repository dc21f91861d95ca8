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
# Each run also loads tools/insncount (a QEMU plugin, built here), which
# counts the expensive instructions of the benchmarks' timed batches; its
# counts are appended to the logs for report.sh.
set -eu
BUILD=$1
OUT=$BUILD/bench
ICOUNT="-icount shift=0,sleep=off"
mkdir -p "$OUT"
rm -f "$OUT"/*-insn.txt

# plugin NAME: the QEMU options that load the counter, writing
# $OUT/NAME-insn.txt (none if it cannot be built).
PLUGIN=$OUT/insncount.so
gcc -shared -fPIC -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
	-fvisibility=hidden -o "$PLUGIN" tools/insncount/insncount.c ||
	{ echo "bench: no insncount plugin: no expensive-instruction counts"; PLUGIN=; }
plugin() {
	[ -n "$PLUGIN" ] && echo "-plugin $(pwd)/$PLUGIN,out=$(pwd)/$OUT/$1-insn.txt"
	return 0
}

echo "bench: Linux baseline (Debian's kernel, same QEMU configuration)"
BENCH_QEMU_ARGS=$(plugin linux) bench/linux.sh "$OUT" >/dev/null ||
	echo "bench: Linux run failed"
cat "$OUT/linux-insn.txt" >>"$OUT/linux.log" 2>/dev/null || true

echo "bench: UX/RT native IPC"
# shellcheck disable=SC2086
tools/qemu.sh "$BUILD" "$BUILD/ktest.elf" 600 $ICOUNT $(plugin uxrt-native) \
	-append bench |
	tr -d '\r' >"$OUT/uxrt-native.log" || true
grep -a "^BENCH" "$OUT/uxrt-native.log" ||
	{ echo "bench: UX/RT native run failed"; exit 1; }

echo "bench: UX/RT, the same static binary as on Linux"
rm -rf "$OUT/uxrt-root"
mkdir -p "$OUT/uxrt-root/bin" "$OUT/uxrt-root/sbin" "$OUT/uxrt-root/tmp"
chmod 1777 "$OUT/uxrt-root/tmp" # the benchmark runs as an ordinary user
cp "$BUILD/initrd/sbin/console" "$OUT/uxrt-root/sbin/"
if [ -x "$OUT/progs/bench" ]; then
	cp "$OUT/progs/bench" "$OUT/progs/tiny" "$OUT/uxrt-root/bin/"
	(cd "$OUT/uxrt-root" && find . | LC_ALL=C sort |
		cpio -o -H newc --quiet) >"$OUT/uxrt-initrd.cpio"
	# shellcheck disable=SC2086
	tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$OUT/uxrt-initrd.cpio" 600 \
		$ICOUNT $(plugin uxrt-linuxabi) -append "init=/bin/bench" |
		tr -d '\r' \
		>"$OUT/uxrt-linuxabi.log" || true
	grep -a "^BENCH" "$OUT/uxrt-linuxabi.log" || true
fi
cat "$OUT/uxrt-native.log" "$OUT/uxrt-linuxabi.log" \
	"$OUT/uxrt-native-insn.txt" "$OUT/uxrt-linuxabi-insn.txt" 2>/dev/null \
	>"$OUT/uxrt.log" || true
bench/report.sh "$OUT/uxrt.log" "$OUT/linux.log" "$OUT"
