#!/bin/sh
# fetch-busybox.sh DIR - Debian's busybox-static, downloaded with apt-get
# and unpacked into DIR (once: kept as a cache). Never committed.
set -eu
dir=$1
[ -x "$dir/bin/busybox" ] && exit 0
mkdir -p "$dir"
cd "$dir"
if ! apt-get download busybox-static >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		apt-get update >/dev/null
		apt-get download busybox-static >/dev/null 2>&1
	else
		echo "fetch-busybox: apt-get download busybox-static failed;" \
		     "run: sudo apt-get update" >&2
		exit 1
	fi
fi
dpkg-deb -x busybox-static_*.deb .
rm -f busybox-static_*.deb
test -x bin/busybox
