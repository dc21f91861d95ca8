#!/bin/sh
# busybox_procfs.sh - /proc as Debian's busybox reads it: ps (and ps -o),
# cat /proc/self/status, the descriptor links of the shell, ls /proc,
# top -b -n 1, pidof; and a #! script with an interpreter argument run by
# execve.
set -u
out=$( (sleep 5; printf 'ps\r'; sleep 4; printf 'cat /proc/self/status\r'; sleep 3;
	printf 'ls -l /proc/$$/fd; ls /proc; ls /proc/1/fd\r'; sleep 5;
	printf 'top -b -n 1 | head\r'; sleep 6;
	printf 'ps -o pid,ppid,stat,comm\r'; sleep 4;
	printf 'sleep 20 & sleep 1; pidof sleep; echo pidof rc $?\r'; sleep 5;
	printf 'printf "#!/bin/sh -x\\necho script \\$0 \\$1\\n" > /tmp/s; chmod +x /tmp/s; /tmp/s arg1\r'; sleep 5;
	printf 'exit 0\r'; sleep 2) |
	QEMU_STDIN=1 tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 120 \
		-append "init=/bin/busybox -- sh" | tr -d "\r")
echo "$out" | grep -av "not implemented\|procserv: pid" | tail -n 40
tab=$(printf '\t')
for want in "^PID +USER +(TIME +)?COMMAND$" "^ +2 user +busybox sh$" \
	"^Uid:${tab}1000${tab}1000${tab}1000${tab}1000$" "^State:${tab}R \(running\)$" \
	" 0 -> /dev/console$" "^1 +.*self" \
	"^Load average: 0.00 0.00 0.00 " "^ +PID +PPID USER +STAT +VSZ %VSZ %CPU COMMAND$" \
	"^PID +PPID +STAT +COMMAND$" "^ +2 +0 S +busybox$" "^[0-9]+$" "^pidof rc 0$" \
	"^\+ echo script /tmp/s arg1$" "^script /tmp/s arg1$"; do
	echo "$out" | grep -aqE "$want" || { echo "missing: $want"; exit 1; }
done
echo "$out" | grep -aq "uxrt: thread 1" && { echo "process server faulted"; exit 1; }
exit 0
