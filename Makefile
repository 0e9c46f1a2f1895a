# SPDX-License-Identifier: GPL-2.0
#
# kipc - top-level Makefile.  The module itself is built by Kbuild (see the
# Kbuild file); this file drives it, builds user space, and runs the VM
# tests.  `make help` lists the targets.

KIPC_CACHE	?= $(HOME)/.cache/kipc
export KIPC_CACHE

# Kernel to build the module against: KDIR wins, then KERNELRELEASE (an
# installed kernel's /lib/modules/<release>/build), then the pinned Debian
# kernel of series KERNEL that the VM boots (fetched by `make setup`).
KERNEL		?= 6.1
KERNELS		?= 6.1 6.12
ifneq ($(KDIR),)
else ifneq ($(KERNELRELEASE),)
KDIR		:= /lib/modules/$(KERNELRELEASE)/build
else
KABI		:= $(shell cat $(KIPC_CACHE)/kernels/$(KERNEL).abi 2>/dev/null)
KDIR		:= $(KIPC_CACHE)/kernels/$(KABI)/usr/src/linux-headers-$(KABI)-amd64
endif
MODDIR		?= build/module

O		:= build/user
KSFT_DIR	:= $(KIPC_CACHE)/ksrc/tools/testing/selftests
# The 6.1 harness header has unused parameters of its own.
KSFT_CFLAGS	:= -I$(KSFT_DIR) -Wno-unused-parameter

CC		?= cc
CFLAGS_COMMON	:= -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
		   -Iuapi -Ilibkipc/include
LIB_VERSION	:= 0.1.0
LIB_SONAME	:= libkipc.so.0

PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
LIBDIR		?= $(PREFIX)/lib
INCLUDEDIR	?= $(PREFIX)/include
MANDIR		?= $(PREFIX)/share/man

# libnl for kipcctl and the netlink selftests.  The tools run in the VM's
# initramfs and are linked statically; the selftests run from this build
# folder in the host's root filesystem (over 9p) and are dynamic, as a
# user's programs are.
NL_CFLAGS	:= $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS		:= $(shell pkg-config --static --libs libnl-genl-3.0 2>/dev/null)
NL_DYN_LIBS	:= $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)

# *_test programs run in every VM; the others only where their mode asks.
# kipc_posix_*.c are built three ways by posix/posix.mk (posix-selftests).
SELFTESTS	:= $(patsubst selftests/%.c,$(O)/selftests/%,$(filter-out selftests/kipc_posix_%,$(wildcard selftests/*.c)))
KIPCCTL_SRCS	:= $(sort $(wildcard tools/kipcctl/*.c))
TOOLS		:= $(O)/tools/kipc-demo $(O)/tools/kipc-bench $(O)/tools/kipc-pathbench \
		   $(O)/tools/kipc-scene \
		   $(O)/tools/kipc-dumpbench \
		   $(if $(KIPCCTL_SRCS),$(O)/tools/kipcctl)

.PHONY: all help setup module lib man selftests tools python check check-debug check-harness demo soak lint install \
	bench bench-ab install-lib install-man install-module install-kipcctl clean

all: module lib posix tools selftests python

help:
	@echo 'make setup      install what this machine lacks (Debian packages, VM kernels)'
	@echo 'make demo       build, boot a VM, and show two processes talking via kipc'
	@echo 'make bench      boot a VM and compare kipc messaging with Linux IPC (KERNEL=6.1|6.12; BENCH=python: from Python; BENCH=posix: glibc against libkipc-posix)'
	@echo 'make bench-ab BASE=REV   kernel-path cost of this tree against REV, one VM boot'
	@echo 'make check      lint, DKMS build, then every selftest in a VM on each of: $(KERNELS)'
	@echo 'make check-debug   selftests, KUnit, fault injection, kmemleak on a debug kernel'
	@echo 'make soak N=20  the stress tests of every type N times per kernel, host loaded'
	@echo 'make module     build kipc.ko (KDIR=, KERNELRELEASE= or KERNEL=6.1|6.12)'
	@echo 'make lib        build libkipc.so, libkipc.a and kipc.pc'
	@echo 'make install    install libkipc, its headers, kipcctl, the man pages and the Python package under PREFIX=$(PREFIX)'
	@echo 'make install-module   install kipc.ko for KERNELRELEASE (run as root)'

setup:
	@scripts/setup.sh

module:
	@test -f $(KDIR)/Makefile || { echo "no kernel headers at '$(KDIR)': run 'make setup' or set KDIR=/KERNELRELEASE="; exit 1; }
	@mkdir -p $(MODDIR)
	@cp -pR Kbuild kmod uapi scripts $(MODDIR)/
	$(MAKE) -C $(KDIR) M=$(abspath $(MODDIR)) W=1 modules

# ---- user space -------------------------------------------------------------

LIB_HDRS	:= libkipc/include/libkipc.h libkipc/internal.h uapi/linux/kipc.h \
		   kmod/kipc_abi.h

$(O)/libkipc/%.o: libkipc/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -fvisibility=hidden -c $< -o $@

$(O)/libkipc/%.pic.o: libkipc/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -fPIC -fvisibility=hidden -c $< -o $@

LIB_SRCS	:= $(wildcard libkipc/*.c)
$(O)/libkipc.a: $(patsubst libkipc/%.c,$(O)/libkipc/%.o,$(LIB_SRCS))
	rm -f $@
	$(AR) rcs $@ $^

# Only what libkipc.h documents is exported, versioned by libkipc.map.
$(O)/libkipc.so.$(LIB_VERSION): $(patsubst libkipc/%.c,$(O)/libkipc/%.pic.o,$(LIB_SRCS)) libkipc/libkipc.map
	$(CC) -shared -Wl,-soname,$(LIB_SONAME) -Wl,-z,defs \
		-Wl,--version-script=libkipc/libkipc.map -o $@ $(filter %.o,$^)
	ln -sf libkipc.so.$(LIB_VERSION) $(O)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(O)/libkipc.so

# The .pc names the prefix it is installed under: made anew by every
# install (and for the build tree with the current PREFIX).
PC_SED		= sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		      -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LIB_VERSION)|'
$(O)/kipc.pc: libkipc/kipc.pc.in FORCE
	@mkdir -p $(dir $@)
	$(PC_SED) $< > $@

.PHONY: FORCE
FORCE:

lib: $(O)/libkipc.a $(O)/libkipc.so.$(LIB_VERSION) $(O)/kipc.pc

# Section 3 pages for libkipc's functions and kipc(4) for the device,
# from the kernel-doc comments in the headers.
man: setup
	@scripts/mkman.sh $(O)/man

$(O)/selftests/%: selftests/%.c $(wildcard selftests/*.h) $(O)/libkipc.a uapi/linux/kipc.h libkipc/include/libkipc.h
	@test -f $(KSFT_DIR)/kselftest_harness.h || { echo "kselftest_harness.h missing: run 'make setup'"; exit 1; }
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(KSFT_CFLAGS) $(NL_CFLAGS) $< $(O)/libkipc.a $(ST_LIBS) -lpthread -o $@

# The selftests of the netlink family talk to it through libnl.
$(O)/selftests/kipc_netlink%: ST_LIBS = $(NL_DYN_LIBS)

selftests: $(SELFTESTS) posix-selftests

$(O)/tools/%: tools/%.c $(O)/libkipc.a uapi/linux/kipc.h uapi/linux/kipc_netlink.h libkipc/include/libkipc.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(NL_CFLAGS) -static $< $(O)/libkipc.a $(TOOL_LIBS) -lpthread -o $@

# kipc-dumpbench times the netlink family's dumps, through libnl.
$(O)/tools/kipc-dumpbench: TOOL_LIBS = $(NL_LIBS)

# kipc-bench: the harness, the messaging part and the synchronization part.
BENCH_SRCS	:= $(sort $(wildcard tools/bench/*.c))
$(O)/tools/kipc-bench: $(BENCH_SRCS) $(wildcard tools/bench/*.h) $(O)/libkipc.a uapi/linux/kipc.h libkipc/include/libkipc.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -static $(BENCH_SRCS) $(O)/libkipc.a -lpthread -o $@

# kipcctl: the netlink family's user, over libnl.
$(O)/tools/kipcctl: $(KIPCCTL_SRCS) $(wildcard tools/kipcctl/*.h) uapi/linux/kipc.h uapi/linux/kipc_netlink.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(NL_CFLAGS) -static $(KIPCCTL_SRCS) $(NL_LIBS) -o $@

tools: $(TOOLS)

include python/python.mk
include posix/posix.mk

# ---- tests --------------------------------------------------------------------

lint: setup
	@$(MAKE) --no-print-directory $(O)/libkipc.so.$(LIB_VERSION) $(POSIX_SO)
	@scripts/lint.sh

check: setup
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory check-harness
	@scripts/dkms-check.sh $(KERNELS)
	@$(MAKE) --no-print-directory lib tools selftests python-pyc
	@scripts/check.sh check $(KERNELS)

# Tests of the tooling, in seconds and without a VM: the VM harness's
# accelerator choice and fallback (with a fake QEMU), and `make install`
# as a user builds against it (pkg-config, exports, man pages).
check-harness:
	@mkdir -p build
	@for t in selftests/harness/*_test.sh; do \
		log=build/$$(basename $$t .sh).tap; \
		$$t > $$log 2>&1 || { cat $$log; exit 1; }; \
		echo "$$(basename $$t .sh): $$(tail -n1 $$log)"; \
	done

# The same selftests plus KUnit, fault injection and kmemleak on a debug
# kernel built from Debian's linux-source-6.12 (cached; ~10 min cold).
check-debug: setup
	@$(MAKE) --no-print-directory lib tools selftests python-pyc
	@scripts/check.sh debug

# The multi-process stress tests of every type, N times per kernel, on a
# loaded host (scripts/soak.sh).
N		?= 20
soak: setup
	@$(MAKE) --no-print-directory lib tools selftests
	@scripts/soak.sh $(N) $(KERNELS)

demo: setup
	@$(MAKE) --no-print-directory lib tools
	@scripts/check.sh demo $(KERNEL)

# tools/kipc-bench and kipc-dumpbench in a VM; BENCH=dump runs the dumps
# only, BENCH=ARGS kipc-bench with ARGS, ':' for spaces (BENCH=registry),
# BENCH=python[:ARGS] the Python package's tools/kipc-pybench.py,
# BENCH=posix[:ARGS] kipc-posixbench (glibc's mq_*/sem_* against the shim).
# The report is kept in build/bench-<kernel>.txt.
BENCH		?=
bench: setup
	@$(MAKE) --no-print-directory lib tools $(if $(filter python%,$(BENCH)),python-pyc) $(if $(filter posix%,$(BENCH)),posix)
	@KIPC_VM_APPEND="$(if $(BENCH),kipcbench=$(BENCH))" scripts/check.sh bench $(KERNEL)

# A change's cost on the kernel paths: the module of BASE (a git revision)
# against the working tree's, in turn in one VM boot (scripts/bench-ab.sh).
ROUNDS		?= 6
bench-ab: setup
	@test -n "$(BASE)" || { echo "usage: make bench-ab BASE=<git revision> [KERNEL=6.12] [ROUNDS=6]"; exit 2; }
	@scripts/bench-ab.sh $(BASE) $(KERNEL) $(ROUNDS)

# ---- install ------------------------------------------------------------------

install: install-lib install-posix install-kipcctl install-man install-python

install-lib: lib
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/linux
	install -m 0644 $(O)/libkipc.a $(DESTDIR)$(LIBDIR)/
	install -m 0755 $(O)/libkipc.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libkipc.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libkipc.so
	install -m 0644 libkipc/include/libkipc.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 0644 uapi/linux/kipc.h $(DESTDIR)$(INCLUDEDIR)/linux/
	$(PC_SED) libkipc/kipc.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/kipc.pc

# kipcctl is an administrator's tool: sbin, as iproute2's ip(8).
install-kipcctl: $(O)/tools/kipcctl
	install -d $(DESTDIR)$(SBINDIR)
	install -m 0755 $(O)/tools/kipcctl $(DESTDIR)$(SBINDIR)/

install-man: man
	install -d $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man4 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(O)/man/man3/*.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 0644 $(O)/man/man4/kipc.4 $(DESTDIR)$(MANDIR)/man4/
	install -m 0644 docs/man/kipcctl.8 $(DESTDIR)$(MANDIR)/man8/

install-module: module
	$(MAKE) -C $(KDIR) M=$(abspath $(MODDIR)) modules_install

clean:
	rm -rf build
