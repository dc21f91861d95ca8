#!/bin/sh
# busybox_ns.sh - mounts and /ports from Debian's busybox: mount -t tmpfs
# on /mnt (and umount), /proc/mounts, a bind mount, unshare -m (the
# child's mount stays its own), ls /ports, and the console written
# through its port.
set -u
out=$( (sleep 5; printf 'mount -t tmpfs none /mnt; echo rc $?; echo x > /mnt/f; ls /mnt\r'; sleep 4;
	printf 'cat /proc/mounts\r'; sleep 3;
	printf 'umount /mnt; echo rc $?; ls /mnt | wc -l\r'; sleep 4;
	printf 'mount --bind /etc /mnt && ls /mnt/passwd; umount /mnt\r'; sleep 4;
	printf 'unshare -m sh -c "mount -t tmpfs none /mnt && grep -c /mnt /proc/self/mounts"; grep -c /mnt /proc/mounts\r'; sleep 5;
	printf 'ls /ports; ls -l /ports/console\r'; sleep 3;
	printf 'echo hi through the port > /ports/console\r'; sleep 3;
	printf 'exit 0\r'; sleep 2) |
	QEMU_STDIN=1 tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 120 \
		-append "init=/bin/busybox perm=allow,all,/**,inherit -- sh" | tr -d "\r")
echo "$out" | grep -av "not implemented\|procserv: pid" | tail -n 30
for want in "^rc 0$" "^f$" "^none /mnt tmpfs rw 0 0$" \
	"^tmpfs / tmpfs rw 0 0$" "^proc /proc proc rw,nosuid,nodev,noexec 0 0$" \
	"^ports /ports ports rw,nosuid,noexec 0 0$" "^0$" "^/mnt/passwd$" \
	"^1$" "^console$" "^crw-rw-rw- .* /ports/console$" \
	"^hi through the port$"; do
	echo "$out" | grep -aqE "$want" || { echo "missing: $want"; exit 1; }
done
echo "$out" | grep -aq "uxrt: thread 1" && { echo "process server faulted"; exit 1; }
exit 0
