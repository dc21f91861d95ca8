#!/bin/sh
# qemu.sh BUILD MODULES [TIMEOUT [EXTRA QEMU ARGS...]] - boot the kernel
# with MODULES (the root server, then any others, comma-separated) as
# Multiboot modules, serial console on stdout, bounded by TIMEOUT seconds.
# Input comes from /dev/null unless QEMU_STDIN=1 (then from our stdin).
# Exit status is QEMU's: (code << 1) | 1 for a root server that wrote code
# to isa-debug-exit; 124 on timeout.
BUILD=$1
ROOT=$2
T=${3:-60}
shift 3 2>/dev/null || shift $#
set -- -M q35 -cpu max -m 512M -smp 1 -nographic -no-reboot -monitor none \
	-serial stdio -serial null \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$BUILD/kernel32.elf" -initrd "$ROOT" "$@"
if [ -n "${QEMU_STDIN:-}" ]; then
	exec timeout "$T" qemu-system-x86_64 "$@"
fi
exec timeout "$T" qemu-system-x86_64 "$@" </dev/null
