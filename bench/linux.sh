#!/bin/sh
# linux.sh - the Linux baseline of the UX/RT side-by-side benchmarks.
#
# Usage: bench/linux.sh OUTDIR
#
# Builds bench/progs/*.c as static musl programs, fetches Debian's Linux
# kernel (the package linux-image-amd64 depends on; cached in OUTDIR/linux),
# packs an initramfs whose /init runs the benchmarks, boots it in QEMU with
# instruction counting (-icount shift=0,sleep=off) and saves the serial log
# to OUTDIR/linux.log.  Everything it builds goes under OUTDIR.
# BENCH_KERNEL_ARGS adds to the kernel command line; its NAME=value words
# reach the benchmarks' environment (BENCH_RAW=1 prints every batch).
# BENCH_QEMU_ARGS adds QEMU options (tools/bench.sh: the insncount plugin).
set -eu

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
QEMU_TIMEOUT=${QEMU_TIMEOUT:-600}

die() {
	echo "linux.sh: $*" >&2
	exit 1
}

# Installs the Debian packages that provide missing commands (root only).
need_tools() {
	missing=
	for pair in musl-gcc:musl-tools qemu-system-x86_64:qemu-system-x86 \
		cpio:cpio dpkg-deb:dpkg apt-get:apt timeout:coreutils; do
		command -v "${pair%%:*}" >/dev/null 2>&1 ||
			missing="$missing ${pair#*:}"
	done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" = 0 ] || die "missing packages:$missing (apt-get install them)"
	echo "linux.sh: installing$missing" >&2
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $missing >&2 ||
		{ apt-get update >&2 &&
		  apt-get install -y --no-install-recommends $missing >&2; } ||
		die "could not install$missing"
}

# Prints the first existing path among its arguments (an expanded glob).
first_file() {
	for f in "$@"; do
		[ -e "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# Prints the real kernel package behind the linux-image-amd64 meta-package.
kernel_package() {
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
	if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
		apt-get update >&2 || true
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
	fi
	[ -n "$pkg" ] || die "apt-cache cannot resolve linux-image-amd64"
	echo "$pkg"
}

# Leaves OUTDIR/linux/vmlinuz; downloads only if no kernel .deb is cached.
fetch_kernel() {
	dir=$OUT/linux
	[ -s "$dir/vmlinuz" ] && return 0
	mkdir -p "$dir"
	deb=$(first_file "$dir"/linux-image-*.deb || true)
	if [ -z "$deb" ]; then
		pkg=$(kernel_package)
		echo "linux.sh: downloading $pkg" >&2
		(cd "$dir" && apt-get download "$pkg" >&2) ||
			die "apt-get download $pkg failed"
		deb=$(first_file "$dir"/linux-image-*.deb) ||
			die "no .deb after apt-get download"
	fi
	rm -rf "$dir/root"
	dpkg-deb -x "$deb" "$dir/root"
	vmlinuz=$(first_file "$dir"/root/boot/vmlinuz-*) ||
		die "no /boot/vmlinuz-* in $deb"
	cp "$vmlinuz" "$dir/vmlinuz.tmp"
	basename "$deb" >"$dir/kernel.txt"
	rm -rf "$dir/root"
	mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
}

build_progs() {
	mkdir -p "$OUT/progs"
	for prog in bench tiny init; do
		musl-gcc -std=c11 -static -O2 -Wall -Wextra -Werror \
			-o "$OUT/progs/$prog" "$BENCH_DIR/progs/$prog.c"
	done
}

# Packs OUTDIR/initramfs.cpio (newc): /init, /bin/bench, /bin/tiny.
build_initramfs() {
	root=$OUT/initramfs
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/tmp"
	cp "$OUT/progs/init" "$root/init"
	cp "$OUT/progs/bench" "$OUT/progs/tiny" "$root/bin/"
	(cd "$root" && find . | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$OUT/initramfs.cpio"
}

boot() {
	echo "linux.sh: booting $(cat "$OUT/linux/kernel.txt" 2>/dev/null)" \
		"under QEMU (about half a minute of wall time)" >&2
	status=0
	timeout "$QEMU_TIMEOUT" qemu-system-x86_64 -M q35 -cpu max -m 512M \
		-smp 1 -icount shift=0,sleep=off -nographic -no-reboot \
		-kernel "$OUT/linux/vmlinuz" -initrd "$OUT/initramfs.cpio" \
		-append "console=ttyS0 quiet ${BENCH_KERNEL_ARGS:-}" \
		${BENCH_QEMU_ARGS:-} </dev/null >"$OUT/linux.log" 2>"$OUT/qemu.err" || status=$?
	tr -d '\r' <"$OUT/linux.log" | grep '^BENCH' || true
	[ "$status" = 0 ] || die "qemu exited with $status (see $OUT/qemu.err)"
	grep -q '^BENCH-END' "$OUT/linux.log" ||
		die "no BENCH-END in $OUT/linux.log"
}

[ $# = 1 ] || die "usage: $0 OUTDIR"
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
need_tools
build_progs
fetch_kernel
build_initramfs
boot
echo "linux.sh: log in $OUT/linux.log; next: bench/report.sh UXRT_LOG $OUT/linux.log" >&2
