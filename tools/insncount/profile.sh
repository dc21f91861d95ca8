#!/bin/sh
# profile.sh OPERATION [N] - where the guest instructions of one benchmark
# operation go on UX/RT: boots the benchmark binary (make bench builds it
# into build/bench/progs) as init under the process server with the
# insncount plugin's per-instruction profile (prof=all), then prints the
# N (default 40) functions that executed most, per operation, with K for
# the kernel, P the process server, C the console, B the benchmark
# (symbolize.py). Needs a `make bench` run first (the plugin, the
# programs); a development aid, not part of any test.
set -eu
op=$1
n=${2:-40}
OUT=build/bench
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/tmp"
chmod 1777 "$root/tmp"
cp build/initrd/sbin/console "$root/sbin/"
cp "$OUT/progs/bench" "$OUT/progs/tiny" "$root/bin/"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$root.cpio"
raw=$OUT/prof-$op.raw
timeout 600 tools/qemu.sh build "build/procserv.elf,$root.cpio" 600 \
	-icount shift=0,sleep=off \
	-plugin "$(pwd)/$OUT/insncount.so,out=$(pwd)/$raw,prof=all" \
	-append "init=/bin/bench -- $op" | tr -d '\r' | grep -a "^BENCH" | tee "$root.log"
rm -f "$root.cpio"
ops=$(sed -n 's/^BENCH-OPS .* ops \([0-9]*\)$/\1/p' "$root.log")
rm -f "$root.log"
python3 tools/insncount/symbolize.py "$raw" "${ops:-1}" "$n"
