#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print -DKIPC_HAVE_* flags for the kernel API features found in the
# headers of the kernel being built against (the WireGuard way: look for
# the feature, not at the version number).  Usage: kcompat.sh SRCTREE
# [OBJTREE]: exports are looked up in OBJTREE's Module.symvers (Debian's
# headers keep it in the -amd64 tree, the sources in -common).
src=$1
obj=${2:-$1}

have() {
	# have MACRO FILE EXTENDED-REGEX
	grep -Eqs "$3" "$src/$2" && printf ' -D%s' "$1"
}

# 6.13: MODULE_IMPORT_NS() takes a string literal.
have KIPC_HAVE_STRING_NS include/linux/module.h \
	'define MODULE_IMPORT_NS\(ns\)[[:space:]]+MODULE_INFO\(import_ns, ns\)'

# 6.3: vma->vm_flags is read-only; vm_flags_set() changes it.
have KIPC_HAVE_VM_FLAGS_SET include/linux/mm.h \
	'static inline void vm_flags_set\('

# 6.10: kunit_vm_mmap() gives a KUnit test a user address space.
have KIPC_HAVE_KUNIT_VM_MMAP include/kunit/test.h \
	'unsigned long kunit_vm_mmap\('

# 6.4: KUnit static stubs redirect a function for the test's own thread.
have KIPC_HAVE_KUNIT_STATIC_STUB include/kunit/static_stub.h \
	'define KUNIT_STATIC_STUB_REDIRECT'

# 6.6: a dump's parsed request is a struct genl_info, genl_info_dump(cb).
have KIPC_HAVE_GENL_INFO_DUMP include/net/genetlink.h \
	'genl_info_dump\(struct netlink_callback'

# Exported symbols: the export, not the version, decides (Debian's 6.12
# exports put_ipc_ns() for binderfs; 6.1 and vanilla kernels do not).
export_of() {
	# export_of MACRO SYMBOL
	grep -Eqs "^0x[0-9a-f]+[[:space:]]+$2[[:space:]]+vmlinux[[:space:]]" \
		"$obj/Module.symvers" && printf ' -D%s' "$1"
}

export_of KIPC_HAVE_PUT_IPC_NS_EXPORT put_ipc_ns

exit 0
