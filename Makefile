# UX/RT build. `make` builds the kernel and the boot images; `make run`
# boots the system; `make check` runs every test and ends with
# "N passed, N failed"; `make bench` runs the benchmarks; `make gdb` boots
# with QEMU's gdb stub waiting for a debugger.

BUILD   ?= build
CC      := gcc
OBJCOPY := objcopy
QEMU    := qemu-system-x86_64
TIMEOUT ?= 120
Q       := $(if $(V),,@)

ARCH_INC := -Iinclude -Ikernel/include -Ikernel/arch/x86_64/include -Ilib
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-unused-parameter
KCFLAGS  := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -nostdlib \
            -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
            -fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
            -fno-asynchronous-unwind-tables -fcf-protection=none \
            $(WARN) $(ARCH_INC)
UCFLAGS  := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -nostdlib \
            -fno-pic -fno-pie -fno-stack-protector -mno-red-zone \
            -fno-asynchronous-unwind-tables -fcf-protection=none \
            $(WARN) -Iinclude -Iuser/lib -Ilib
HCFLAGS  := -std=gnu11 -O1 -g -fsanitize=address,undefined \
            -fno-sanitize-recover=all -Wall -Wextra -Werror -Iinclude -Ilib

KERNEL_SRC := $(wildcard kernel/src/*.c kernel/arch/x86_64/*.c \
                kernel/arch/x86_64/*.S) lib/fmt/fmt.c lib/string/string.c \
                lib/elf/elf64.c
KERNEL_OBJ := $(patsubst %,$(BUILD)/k/%.o,$(KERNEL_SRC))
ULIB_SRC   := $(wildcard user/lib/*.c user/lib/*.S) lib/fmt/fmt.c \
              lib/string/string.c
ULIB_OBJ   := $(patsubst %,$(BUILD)/u/%.o,$(ULIB_SRC))
KTEST_SRC  := $(wildcard user/ktest/*.c)
KTEST_OBJ  := $(patsubst %,$(BUILD)/u/%.o,$(KTEST_SRC))
PS_SRC     := $(wildcard procserv/*.c) lib/cpio/cpio.c lib/elf/elf64.c
# Native servers (one directory each under servers/), installed in the
# initial archive as /sbin/NAME.
SERVERS    := $(patsubst servers/%/,%,$(wildcard servers/*/))
SERVER_BINS := $(patsubst %,$(BUILD)/initrd/sbin/%,$(SERVERS))
PS_OBJ     := $(patsubst %,$(BUILD)/u/%.o,$(PS_SRC))
# Unmodified Linux programs for the initial archive, built with Debian's
# musl-gcc; add your own static binaries with PROGS="path ..." (they go
# to /bin).
LINUX_PROGS := $(patsubst tests/linux/%.c,$(BUILD)/initrd/bin/%,$(wildcard tests/linux/*.c))
# Native commands (one directory each under cmds/, static musl programs)
# for /bin.
CMD_BINS   := $(patsubst cmds/%/,$(BUILD)/initrd/bin/%,$(wildcard cmds/*/))
PROGS      ?=
INIT       ?= /bin/busybox
INIT_ARGS  ?= sh

QEMU_FLAGS := -M q35 -cpu max -m 512M -smp 1 -nographic -no-reboot \
              -device isa-debug-exit,iobase=0xf4,iosize=0x04

.PHONY: all run ktest-run check gdb bench deps clean host-test ktest FORCE
all: $(BUILD)/kernel32.elf $(BUILD)/ktest.elf $(BUILD)/procserv.elf \
     $(BUILD)/initrd.cpio

deps:
	@tools/deps.sh

$(BUILD)/k/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) -MMD -c $< -o $@
$(BUILD)/k/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) -MMD -c $< -o $@
$(BUILD)/u/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(UCFLAGS) -MMD -c $< -o $@
$(BUILD)/u/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(UCFLAGS) -MMD -c $< -o $@

$(BUILD)/kernel.elf: $(KERNEL_OBJ) kernel/arch/x86_64/linker.ld
	$(CC) $(KCFLAGS) -static -no-pie -Wl,--no-warn-rwx-segments \
	    -Wl,-z,max-page-size=0x1000 -T kernel/arch/x86_64/linker.ld \
	    -o $@ $(KERNEL_OBJ)
# QEMU's Multiboot loader takes 32-bit ELF only.
$(BUILD)/kernel32.elf: $(BUILD)/kernel.elf
	$(OBJCOPY) -O elf32-i386 $< $@

$(BUILD)/ktest.elf: $(KTEST_OBJ) $(ULIB_OBJ) user/lib/user.ld
	$(CC) $(UCFLAGS) -static -no-pie -Wl,-z,max-page-size=0x1000 \
	    -T user/lib/user.ld -o $@ $(KTEST_OBJ) $(ULIB_OBJ)

$(BUILD)/procserv.elf: $(PS_OBJ) $(ULIB_OBJ) user/lib/user.ld
	$(CC) $(UCFLAGS) -static -no-pie -Wl,-z,max-page-size=0x1000 \
	    -T user/lib/user.ld -o $@ $(PS_OBJ) $(ULIB_OBJ)

.SECONDEXPANSION:
$(BUILD)/initrd/sbin/%: $$(addprefix $(BUILD)/u/,$$(addsuffix .o,$$(wildcard servers/$$*/*.c))) $(ULIB_OBJ) user/lib/user.ld
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -static -no-pie -Wl,-z,max-page-size=0x1000 \
	    -T user/lib/user.ld -o $@ $(filter %.o,$^)

$(BUILD)/initrd/bin/%: tests/linux/%.c tests/linux/t.h
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -Werror -o $@ $<

$(CMD_BINS): $(BUILD)/initrd/bin/%: $$(wildcard cmds/$$*/*.c)
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -Werror -o $@ $(filter %.c,$^)

BUSYBOX := $(BUILD)/pkg/busybox/bin/busybox
$(BUSYBOX):
	tools/fetch-busybox.sh $(BUILD)/pkg/busybox

# rootfs/ holds the files the initial archive carries besides programs.
$(BUILD)/initrd.cpio: $(LINUX_PROGS) $(CMD_BINS) $(SERVER_BINS) $(PROGS) $(BUSYBOX) FORCE
	@mkdir -p $(BUILD)/initrd/bin
	@cp -R rootfs/. $(BUILD)/initrd/
	@chmod 600 $(BUILD)/initrd/etc/shadow
	@mkdir -p $(BUILD)/initrd/dev $(BUILD)/initrd/proc $(BUILD)/initrd/tmp \
	    $(BUILD)/initrd/home/user $(BUILD)/initrd/ports $(BUILD)/initrd/mnt
	@cp $(BUSYBOX) $(BUILD)/initrd/bin/busybox
	@for a in $$($(BUSYBOX) --list); do \
	    [ -e $(BUILD)/initrd/bin/$$a ] || ln -s busybox $(BUILD)/initrd/bin/$$a; \
	done
	@for p in $(PROGS); do cp "$$p" $(BUILD)/initrd/bin/; done
	@# owners (fakeroot: no root needed): the system's files belong to
	@# "sys" (1), which no session is, so that no account, root (0)
	@# included, owns them (docs/security.md); a sticky /tmp; the
	@# user's home; t_suid, a setuid-root copy of t_sec, for its test
	@cp $(BUILD)/initrd/bin/t_sec $(BUILD)/initrd/bin/t_suid
	@(cd $(BUILD)/initrd && fakeroot sh -c 'chown -R 1:1 . && \
	    chmod 1777 tmp && chown -R 1000:1000 home/user && \
	    chown 0:0 bin/t_suid && chmod 4755 bin/t_suid && \
	    find . | LC_ALL=C sort | cpio -o -H newc --quiet') > $@.tmp && \
	    mv $@.tmp $@
FORCE:

# Boot UX/RT: the process server starts the console server and runs
# $(INIT) $(INIT_ARGS) from the initial archive (default: busybox sh).
run: deps all
	$(QEMU) $(QEMU_FLAGS) -kernel $(BUILD)/kernel32.elf \
	    -initrd "$(BUILD)/procserv.elf,$(BUILD)/initrd.cpio" \
	    -append "init=$(INIT) -- $(INIT_ARGS)"

# Boot the in-system kernel test suite as the root server.
ktest-run: deps all
	$(QEMU) $(QEMU_FLAGS) -serial mon:stdio -serial null \
	    -kernel $(BUILD)/kernel32.elf -initrd $(BUILD)/ktest.elf

gdb: deps all
	@echo "gdb: target remote :1234; symbols: $(BUILD)/kernel.elf"
	$(QEMU) $(QEMU_FLAGS) -s -S -kernel $(BUILD)/kernel32.elf \
	    -initrd $(BUILD)/ktest.elf

# --- tests ---------------------------------------------------------------
HOST_TESTS := $(patsubst tests/host/%.c,$(BUILD)/host/%,$(wildcard tests/host/test_*.c))

HOST_DEPS := tests/host/htest.h $(wildcard tests/host/stub/*/*.h)
$(BUILD)/host/test_fmt: tests/host/test_fmt.c lib/fmt/fmt.c $(HOST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(HCFLAGS) -o $@ $(filter %.c,$^)
# lib/string under other names, beside the host C library's
LIB_STRING_NAMES := memset memcpy memmove memcmp memchr strlcpy strlen \
	strcmp strncmp strstr strrchr strchr
$(BUILD)/host/test_string: tests/host/test_string.c lib/string/string.c \
			   $(HOST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(HCFLAGS) -fno-builtin -c -o $@-lib.o lib/string/string.c \
		$(foreach f,$(LIB_STRING_NAMES),-D$(f)=lib_$(f))
	$(CC) $(HCFLAGS) -o $@ tests/host/test_string.c $@-lib.o
$(BUILD)/host/test_elf: tests/host/test_elf.c lib/elf/elf64.c $(HOST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(HCFLAGS) -o $@ $(filter %.c,$^)
$(BUILD)/host/test_cpio: tests/host/test_cpio.c lib/cpio/cpio.c $(HOST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(HCFLAGS) -o $@ $(filter %.c,$^)
$(BUILD)/host/test_srvloop: tests/host/test_srvloop.c user/lib/srvloop.c \
    user/lib/srvloop.h $(HOST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(HCFLAGS) -DHOST_TEST -Iuser/lib -o $@ $(filter %.c,$^)
$(BUILD)/host/test_perm: tests/host/test_perm.c procserv/perm.c \
    procserv/perm.h $(HOST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(HCFLAGS) -o $@ $(filter %.c,$^)
$(BUILD)/host/test_crypt: tests/host/test_crypt.c procserv/crypt.c \
    procserv/crypt.h $(HOST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(HCFLAGS) -o $@ $(filter %.c,$^)
$(BUILD)/host/test_rolesdb: tests/host/test_rolesdb.c procserv/rolesdb.c \
    procserv/rolesdb.h procserv/perm.c procserv/perm.h $(HOST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(HCFLAGS) -o $@ $(filter %.c,$^)
$(BUILD)/host/test_cdt: tests/host/test_cdt.c kernel/src/cspace.c $(HOST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(HCFLAGS) -DHOST_TEST -Ikernel/include \
	    -Itests/host/stub -Ikernel/arch/x86_64/include -o $@ \
	    $(filter %.c,$^)

host-test: $(HOST_TESTS)
ktest: $(BUILD)/kernel32.elf $(BUILD)/ktest.elf

check: deps
	@$(MAKE) --no-print-directory all $(HOST_TESTS)
	@tools/check.sh $(BUILD) $(HOST_TESTS)

bench: deps all
	@tools/bench.sh $(BUILD)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/k $(BUILD)/u -name '*.d' -type f 2>/dev/null)
# The IPC fastpath never returns (it leaves the kernel): nothing it would
# save for a caller is ever restored, so it may use every register freely.
$(BUILD)/k/kernel/src/fastpath.c.o: KCFLAGS += -fomit-frame-pointer \
    -fcall-used-rbx -fcall-used-r12 -fcall-used-r13 -fcall-used-r14 \
    -fcall-used-r15
