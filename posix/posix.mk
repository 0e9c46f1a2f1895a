# SPDX-License-Identifier: GPL-2.0
#
# libkipc-posix (posix/): POSIX mq_*, sem_* and shm_* on kipc objects.
# `make posix` builds libkipc-posix.so (LD_PRELOAD it, or link it),
# libkipc-posix.a (link it before libc) and kipc-posix.pc; libkipc is
# compiled into both, so they need nothing else of this project.
# Included by the top-level Makefile.
#
# The conformance tests (selftests/kipc_posix_*.c) are built three ways,
# each an executable the VM runs: against glibc (the reference), linked
# with the archive before libc, and the glibc one again under LD_PRELOAD
# (a script that re-executes it with the build's libkipc-posix.so).

POSIX_VERSION	:= 0.1.0
POSIX_SONAME	:= libkipc-posix.so.0
POSIX_SRCS	:= $(sort $(wildcard posix/*.c))
POSIX_HDRS	:= posix/internal.h posix/rename.h libkipc/internal.h libkipc/include/libkipc.h \
		   uapi/linux/kipc.h
POSIX_OBJS	:= $(patsubst posix/%.c,$(O)/posix/%.o,$(POSIX_SRCS))
POSIX_PICS	:= $(patsubst posix/%.c,$(O)/posix/%.pic.o,$(POSIX_SRCS))
POSIX_SO	:= $(O)/libkipc-posix.so.$(POSIX_VERSION)
POSIX_A		:= $(O)/libkipc-posix.a

.PHONY: posix install-posix

posix: $(POSIX_A) $(POSIX_SO) $(O)/kipc-posix.pc

$(O)/posix/%.o: posix/%.c $(POSIX_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -fvisibility=hidden -c $< -o $@

$(O)/posix/%.pic.o: posix/%.c $(POSIX_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -DKIPC_POSIX_SHARED -include posix/rename.h -fPIC -fvisibility=hidden -c $< -o $@

$(POSIX_A): $(POSIX_OBJS) $(patsubst libkipc/%.c,$(O)/libkipc/%.o,$(LIB_SRCS))
	rm -f $@
	$(AR) rcs $@ $^

$(POSIX_SO): $(POSIX_PICS) $(patsubst libkipc/%.c,$(O)/libkipc/%.pic.o,$(LIB_SRCS)) posix/libkipc-posix.map
	$(CC) -shared -Wl,-soname,$(POSIX_SONAME) -Wl,-z,defs \
		-Wl,--version-script=posix/libkipc-posix.map -o $@ $(filter %.o,$^) -lpthread
	ln -sf libkipc-posix.so.$(POSIX_VERSION) $(O)/$(POSIX_SONAME)
	ln -sf $(POSIX_SONAME) $(O)/libkipc-posix.so

$(O)/kipc-posix.pc: posix/kipc-posix.pc.in FORCE
	@mkdir -p $(dir $@)
	$(PC_SED) -e 's|@POSIX_VERSION@|$(POSIX_VERSION)|' $< > $@

install-posix: posix
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 0644 $(POSIX_A) $(DESTDIR)$(LIBDIR)/
	install -m 0755 $(POSIX_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libkipc-posix.so.$(POSIX_VERSION) $(DESTDIR)$(LIBDIR)/$(POSIX_SONAME)
	ln -sf $(POSIX_SONAME) $(DESTDIR)$(LIBDIR)/libkipc-posix.so
	$(PC_SED) -e 's|@POSIX_VERSION@|$(POSIX_VERSION)|' posix/kipc-posix.pc.in \
		> $(DESTDIR)$(LIBDIR)/pkgconfig/kipc-posix.pc

# ---- the conformance and stress tests, three ways -----------------------------

POSIX_TESTS	:= $(patsubst selftests/kipc_posix_%.c,%,$(wildcard selftests/kipc_posix_*.c))
POSIX_ST	:= $(O)/selftests/kipc_posix_
POSIX_SELFTESTS	:= $(foreach t,$(POSIX_TESTS),$(POSIX_ST)$(t)_glibc_test \
		   $(POSIX_ST)$(t)_shim_test $(POSIX_ST)$(t)_preload_test)
POSIX_ST_DEPS	= selftests/kipc_posix_$*.c $(wildcard selftests/kipc_posix*.h) selftests/kipc_only.h

# Against glibc: only libc (no libkipc at all).
$(POSIX_ST)%_glibc_test: selftests/kipc_posix_%.c $(wildcard selftests/kipc_posix*.h) selftests/kipc_only.h
	@test -f $(KSFT_DIR)/kselftest_harness.h || { echo "kselftest_harness.h missing: run 'make setup'"; exit 1; }
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(KSFT_CFLAGS) $< -lpthread -o $@

# The archive before libc: the static way in.
$(POSIX_ST)%_shim_test: selftests/kipc_posix_%.c $(wildcard selftests/kipc_posix*.h) selftests/kipc_only.h $(POSIX_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(KSFT_CFLAGS) -DKP_TEST_SHIM $< $(POSIX_A) -lpthread -o $@

# The glibc build again, under LD_PRELOAD of this build's library.
$(POSIX_ST)%_preload_test: $(POSIX_ST)%_glibc_test $(POSIX_SO) posix/posix.mk
	@mkdir -p $(dir $@)
	printf '%s\n' '#!/bin/sh' \
		'# $(notdir $<) with LD_PRELOAD of libkipc-posix (posix/posix.mk).' \
		'd=$$(dirname "$$(readlink -f "$$0")")' \
		'exec env LD_PRELOAD="$$d/../$(POSIX_SONAME)" KP_TEST_SHIM=1 "$$d/$(notdir $<)" "$$@"' > $@
	chmod 0755 $@

.PHONY: posix-selftests
posix-selftests: $(POSIX_SELFTESTS)

# The benchmark: dynamically linked against libc only, so that the same
# binary runs against glibc and under LD_PRELOAD (--compare does both).
POSIX_BENCH	:= $(O)/tools/kipc-posixbench
posix: $(POSIX_BENCH)
$(POSIX_BENCH): tools/kipc-posixbench.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $< -lpthread -ldl -o $@

# ---- programs the project did not write -------------------------------------
#
# The example programs of the Linux man pages (manpages-dev), extracted
# and built once, plainly against glibc, with their own flags; the
# kipc_posix_manpages tests run them against glibc and under LD_PRELOAD.

MAN3		?= /usr/share/man/man3
POSIX_MAN	:= $(O)/posix/man
POSIX_MAN_PROGS	:= mq_getattr mq_notify sem_wait pshm_ucase_bounce pshm_ucase_send
POSIX_MAN_BINS	:= $(addprefix $(POSIX_MAN)/,$(POSIX_MAN_PROGS))

$(POSIX_MAN)/mq_getattr.c: $(MAN3)/mq_getattr.3.gz posix/manpage-example.sh
$(POSIX_MAN)/mq_notify.c: $(MAN3)/mq_notify.3.gz posix/manpage-example.sh
$(POSIX_MAN)/sem_wait.c: $(MAN3)/sem_wait.3.gz posix/manpage-example.sh
$(POSIX_MAN)/pshm_ucase.h $(POSIX_MAN)/pshm_ucase_bounce.c $(POSIX_MAN)/pshm_ucase_send.c: \
		$(MAN3)/shm_open.3.gz posix/manpage-example.sh
$(POSIX_MAN)/%.c $(POSIX_MAN)/%.h:
	@mkdir -p $(dir $@)
	@test -f $< || { echo "$<: missing; install manpages-dev"; exit 1; }
	posix/manpage-example.sh $< $(notdir $@) > $@

$(POSIX_MAN)/pshm_ucase_%: $(POSIX_MAN)/pshm_ucase_%.c $(POSIX_MAN)/pshm_ucase.h
	$(CC) -O2 -pthread $< -o $@
$(POSIX_MAN)/%: $(POSIX_MAN)/%.c
	$(CC) -O2 -pthread $< -o $@

$(POSIX_ST)manpages_glibc_test $(POSIX_ST)manpages_shim_test: $(POSIX_MAN_BINS)
