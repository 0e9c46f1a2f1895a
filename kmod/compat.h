/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between the kernels kipc supports (6.1 to 6.12).
 *
 * Differences are found by looking for the feature in the kernel's headers
 * (Kbuild greps them and defines KIPC_HAVE_* macros), not by comparing
 * version numbers, so that distribution kernels with backports work too.
 *
 * Design: docs/design.md.
 */
#ifndef _KIPC_COMPAT_H
#define _KIPC_COMPAT_H

/*
 * Symbol namespaces became string literals in 6.13; before that the macros
 * stringify a bare token.  Only the KUnit test module imports one.
 */
#ifdef KIPC_HAVE_STRING_NS
#define KIPC_KUNIT_NS	"EXPORTED_FOR_KUNIT_TESTING"
#else
#define KIPC_KUNIT_NS	EXPORTED_FOR_KUNIT_TESTING
#endif

/*
 * KUnit static stubs (6.4) let a test replace a function for its own
 * thread, to open a race window on demand.  Without them (or without
 * CONFIG_KUNIT) the redirect is nothing.
 */
#ifdef KIPC_HAVE_KUNIT_STATIC_STUB
#include <kunit/static_stub.h>
#else
#define KUNIT_STATIC_STUB_REDIRECT(real_fn_name, args...) do { } while (0)
#endif

/* vm_flags_set() appeared in 6.3, when vma->vm_flags became read-only. */
#ifndef KIPC_HAVE_VM_FLAGS_SET
#include <linux/mm.h>

static inline void vm_flags_set(struct vm_area_struct *vma,
				unsigned long flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  unsigned long flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * The attributes of a dump's request, parsed by genetlink: in a struct
 * genl_info since 6.6 (genl_info_dump()), before in genl_dumpit_info's.
 */
#ifdef KIPC_HAVE_GENL_INFO_DUMP
#define kipc_genl_dump_attrs(cb)	(genl_info_dump(cb)->attrs)
#else
#define kipc_genl_dump_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#endif

/*
 * Where a dump's own refusals are decided.  From 6.6 on (the same
 * rework) the extended ack message of a dump's .start reaches the
 * caller; before, only its errno does.  There, the refusal is made by
 * the first part of the dump instead, whose errno and message travel in
 * NLMSG_DONE.
 */
#ifdef KIPC_HAVE_GENL_INFO_DUMP
#define KIPC_NL_CHECK_IN_START	1
#else
#define KIPC_NL_CHECK_IN_START	0
#endif

/*
 * Dropping a counted reference to an IPC namespace.  put_ipc_ns() is
 * exported by some kernels only (Debian's 6.12, for binderfs), which
 * Kbuild finds in Module.symvers.  Elsewhere (6.1, vanilla kernels) the
 * same function is reached through the namespace's proc_ns_operations,
 * whose .put (ipcns_put()) calls put_ipc_ns(): the path nsfs takes when
 * an open /proc/PID/ns/ipc is released.  Either way the kernel's own
 * teardown runs if this was the last reference.
 */
#include <linux/ipc_namespace.h>
#include <linux/proc_ns.h>
#include <linux/sched.h>

static inline void kipc_put_ipc_ns(struct ipc_namespace *ns)
{
#ifdef KIPC_HAVE_PUT_IPC_NS_EXPORT
	put_ipc_ns(ns);
#else
	if (WARN_ON_ONCE(ns->ns.ops->type != CLONE_NEWIPC))
		return;
	ns->ns.ops->put(&ns->ns);
#endif
}

#endif /* _KIPC_COMPAT_H */
