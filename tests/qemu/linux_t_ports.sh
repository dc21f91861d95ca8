#!/bin/sh
# linux_t_ports.sh - tests/linux/t_ports.c (per-open badges: each open of
# a port an open file of its own, who opened it told to the server, fork
# and dup sharing it, its last close told to the server; a server may
# publish only what its permission list allows) through the whoami
# server, started at boot with server=whoami. UX/RT only. Its "t_ports:
# N passed, M failed" line is added to make check's totals.
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 120 \
	-append "server=whoami init=/bin/t_ports" | tr -d "\r")
echo "$out" | grep -a "^t_ports\|whoami\|procserv: "
echo "$out" | grep -aq "^t_ports: [0-9]* passed, 0 failed" || exit 1
