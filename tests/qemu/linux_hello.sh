#!/bin/sh
# linux_hello.sh - an unmodified static musl binary (tests/linux/hello.c)
# runs as init under the process server: it calls uname, getpid, getuid,
# malloc and printf, and its exit status reaches the process server.
set -u
out=$(tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 60 \
	-append "init=/bin/hello")
st=$?
echo "$out" | grep -a "procserv\|hello"
echo "$out" | grep -aq "hello from a static musl binary on UX/RT, pid [0-9]*, uid 1000" ||
	{ echo "missing hello line"; exit 1; }
echo "$out" | grep -aq "(hello) exited with status 7" ||
	{ echo "missing exit status"; exit 1; }
[ "$st" -eq 1 ] || { echo "QEMU exit status $st"; exit 1; }
