#!/bin/sh
# busybox_tmpfs.sh - the writable root filesystem (tmpfs, populated from
# the initial archive): create, append, cat, mkdir -p, cp, mv, rm -r,
# symbolic links (and a dangling one), chmod with setuid shown by ls -l,
# and a program written by cp and executed from tmpfs.
set -u
out=$( (sleep 5; printf 'cd /tmp; echo hello file > a.txt; cat a.txt\r'; sleep 4;
	printf 'mkdir -p d1/d2; cp a.txt d1/d2/b; cat d1/d2/b\r'; sleep 5;
	printf 'mv d1/d2/b c; rm -r d1; ls; echo more >> a.txt; wc -l a.txt\r'; sleep 6;
	printf 'ln -s a.txt l; cat l; ln -s nowhere dl; cat dl; echo rc $?\r'; sleep 5;
	printf 'chmod 4755 c; ls -l c\r'; sleep 3;
	printf 'cp /bin/hello h; ./h; echo hello rc $?\r'; sleep 8;
	printf 'exit 0\r'; sleep 2) |
	QEMU_STDIN=1 tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 120 \
		-append "init=/bin/busybox -- sh" | tr -d "\r")
echo "$out" | grep -av "not implemented\|procserv: pid" | tail -n 16
for want in "^hello file$" "^a.txt +c$" "^2 a.txt$" "can't open 'dl': No such file" \
	"^rc 1$" "^-rwsr-xr-x .* c$" "^hello from a static musl binary" "^hello rc 7$"; do
	echo "$out" | grep -aqE "$want" || { echo "missing: $want"; exit 1; }
done
echo "$out" | grep -aq "uxrt: thread 1" && { echo "process server faulted"; exit 1; }
[ "$(echo "$out" | grep -ac '^hello file$')" -ge 3 ] || { echo "copies wrong"; exit 1; }
