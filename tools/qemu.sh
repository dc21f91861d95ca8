#!/bin/sh
# qemu.sh BUILD ROOTSERVER [TIMEOUT [EXTRA QEMU ARGS...]] - boot the kernel
# with ROOTSERVER as module 0, serial console on stdout, bounded by
# TIMEOUT seconds. Exit status is QEMU's: (code << 1) | 1 for a root server
# that wrote code to isa-debug-exit; 124 on timeout.
BUILD=$1
ROOT=$2
T=${3:-60}
shift 3 2>/dev/null || shift $#
exec timeout "$T" qemu-system-x86_64 -M q35 -cpu max -m 512M -smp 1 \
	-nographic -no-reboot -monitor none -serial stdio \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$BUILD/kernel32.elf" -initrd "$ROOT" "$@" </dev/null
