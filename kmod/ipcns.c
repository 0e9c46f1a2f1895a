// SPDX-License-Identifier: GPL-2.0
/*
 * Names per IPC namespace.
 *
 * kipc keeps one struct kipc_ns for each IPC namespace whose tasks made
 * objects, and keys every name by it: create, open and unlink see only the
 * caller's namespace, as POSIX message queues and System V IPC do.
 *
 * A kipc_ns holds one counted reference to its IPC namespace, taken from
 * the creating task's nsproxy.  While it is held the namespace cannot be
 * freed, so its address identifies it (no reuse, no ABA).  The kernel has
 * no IPC-namespace death notifier for modules, so death is noticed by
 * looking: a namespace is dead when kipc's reference is the only one left
 * (every task in it, every open /proc/PID/ns/ipc and every bind mount of
 * one hold another).  A delayed work checks every ns_reap_ms while a
 * namespace other than the initial one is known, and the check also runs
 * synchronously at unload.  A dead namespace loses its names (their
 * objects live on while an fd, passed elsewhere, holds them), and kipc's
 * reference is dropped with kipc_put_ipc_ns() (compat.h), which runs the
 * kernel's own teardown.  A kipc_ns whose last object goes is freed even
 * if its namespace lives: kipc pins only namespaces that use it.
 *
 * Locking: the table and every kipc_ns's @node, @names, @named and @dead
 * are under kipc_registry_lock (object.c); @objects and @bytes under
 * kipc_users_lock.  See docs/design.md, section 7.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/ipc_namespace.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/proc_ns.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>
#include <linux/kipc_netlink.h>

#include "kipc.h"

/* The IPC namespaces kipc knows, but the initial one, by address. */
static DEFINE_HASHTABLE(kipc_nss, 6);
static unsigned int kipc_nr_nss;
static bool kipc_ns_exiting;	/* the reaper is never armed again */

static void kipc_ns_reap_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(kipc_ns_reaper, kipc_ns_reap_work);

/*
 * The initial IPC namespace: never reaped, never freed, and not counted
 * (init_ipc_ns is not exported on every kernel, nor needed: it is static).
 */
struct kipc_ns kipc_ns_init = {
	.ref = KREF_INIT(1),
	.inum = PROC_IPC_INIT_INO,
	.user_ns = &init_user_ns,
	.names = LIST_HEAD_INIT(kipc_ns_init.names),
};

static struct kipc_ns *kipc_ns_find(struct ipc_namespace *ipc_ns)
{
	struct kipc_ns *kns;

	lockdep_assert_held(&kipc_registry_lock);
	if (ipc_ns->ns.inum == PROC_IPC_INIT_INO)
		return &kipc_ns_init;
	hash_for_each_possible(kipc_nss, kns, node, hash_ptr(ipc_ns, 32))
		if (kns->ipc_ns == ipc_ns)
			return kns;
	return NULL;
}

/* The calling task's IPC namespace; NULL only while it exits. */
static struct ipc_namespace *kipc_current_ipc_ns(void)
{
	struct nsproxy *nsp = current->nsproxy;

	return nsp ? nsp->ipc_ns : NULL;
}

/**
 * kipc_ns_lookup() - the caller's kipc_ns, if kipc knows its namespace
 *
 * kipc_registry_lock is held: the result is valid until it is dropped
 * (a kipc_ns is freed, and unhashed, only under that lock).
 *
 * Return: the entry, without a reference, or NULL.
 */
struct kipc_ns *kipc_ns_lookup(void)
{
	struct ipc_namespace *ipc_ns = kipc_current_ipc_ns();

	lockdep_assert_held(&kipc_registry_lock);
	return ipc_ns ? kipc_ns_find(ipc_ns) : NULL;
}

/**
 * kipc_ns_get_current() - the caller's kipc_ns, made on first use
 *
 * Return: the entry with a reference (kipc_ns_put() it), or
 * ERR_PTR(-ENOMEM), or ERR_PTR(-ESRCH) for a task that has no namespaces
 * any more (it exits).
 */
struct kipc_ns *kipc_ns_get_current(void)
{
	struct ipc_namespace *ipc_ns = kipc_current_ipc_ns();
	struct kipc_ns *kns, *new;

	if (!ipc_ns)
		return ERR_PTR(-ESRCH);
	/* Known already: the common case, with no allocation. */
	mutex_lock(&kipc_registry_lock);
	kns = kipc_ns_find(ipc_ns);
	if (kns)
		kref_get(&kns->ref);
	mutex_unlock(&kipc_registry_lock);
	if (kns)
		return kns;

	/* First use: allocate before the lock, and look again under it. */
	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&kipc_registry_lock);
	kns = kipc_ns_find(ipc_ns);
	if (kns) {
		/* Hashed entries have references: release unhashes first. */
		kref_get(&kns->ref);
	} else {
		kns = new;
		new = NULL;
		kref_init(&kns->ref);
		/*
		 * Safe: our own nsproxy holds a reference, and only we can
		 * change our nsproxy.
		 */
		kns->ipc_ns = get_ipc_ns(ipc_ns);
		kns->inum = ipc_ns->ns.inum;
		kns->user_ns = get_user_ns(ipc_ns->user_ns);
		INIT_LIST_HEAD(&kns->names);
		hash_add(kipc_nss, &kns->node, hash_ptr(ipc_ns, 32));
		kipc_nr_nss++;
		schedule_delayed_work(&kipc_ns_reaper,
				      msecs_to_jiffies(READ_ONCE(kipc_ns_reap_ms)));
	}
	mutex_unlock(&kipc_registry_lock);
	kfree(new);
	return kns;
}

static void kipc_ns_release(struct kref *ref)
	__releases(&kipc_registry_lock)
{
	struct kipc_ns *kns = container_of(ref, struct kipc_ns, ref);
	struct ipc_namespace *ipc_ns = kns->ipc_ns;

	lockdep_assert_held(&kipc_registry_lock);
	if (WARN_ON_ONCE(kns == &kipc_ns_init)) {
		mutex_unlock(&kipc_registry_lock);
		return;
	}
	WARN_ON_ONCE(!list_empty(&kns->names));
	if (!kns->dead) {
		hash_del(&kns->node);
		kipc_nr_nss--;
	}
	mutex_unlock(&kipc_registry_lock);
	/* No kipc lock held: the last put takes the kernel's mq_lock. */
	if (ipc_ns)
		kipc_put_ipc_ns(ipc_ns);
	put_user_ns(kns->user_ns);
	kfree(kns);
}

/**
 * kipc_ns_put() - drop a reference to a kipc_ns
 * @kns: the entry; freed, with kipc's namespace reference, on the last put
 *
 * Takes kipc_registry_lock on the last put: never call it under that lock.
 */
void kipc_ns_put(struct kipc_ns *kns)
{
	might_sleep();
	kref_put_mutex(&kns->ref, kipc_ns_release, &kipc_registry_lock);
}

/* Only kipc's reference is left: no task, nsfs file or mount holds it. */
static bool kipc_ns_dead(const struct kipc_ns *kns)
{
	return refcount_read(&kns->ipc_ns->ns.count) == 1;
}

/**
 * kipc_ns_reap() - forget the IPC namespaces that died, and their names
 * @all: forget every namespace but the initial one, dead or not (unload)
 *
 * Under kipc_registry_lock, each dead namespace is unhashed and its names
 * unregistered; then, with no lock held, each object loses the registry's
 * reference (an fd passed elsewhere keeps its object alive, unlinked) and
 * kipc's namespace reference is dropped.
 *
 * Return: the namespaces other than the initial one still known.
 */
unsigned int kipc_ns_reap(bool all)
{
	struct kipc_object *obj, *otmp;
	struct kipc_ns *kns, *ktmp;
	struct hlist_node *tmp;
	LIST_HEAD(objs);
	LIST_HEAD(dead);
	unsigned int left;
	int bkt;

	mutex_lock(&kipc_registry_lock);
	hash_for_each_safe(kipc_nss, bkt, tmp, kns, node) {
		if (!all && !kipc_ns_dead(kns))
			continue;
		hash_del(&kns->node);
		kipc_nr_nss--;
		kns->dead = true;
		list_for_each_entry_safe(obj, otmp, &kns->names, ns_link) {
			kipc_registry_del(obj);
			list_add_tail(&obj->ns_link, &objs);
		}
		kref_get(&kns->ref);
		list_add_tail(&kns->reap_link, &dead);
	}
	left = kipc_nr_nss;
	mutex_unlock(&kipc_registry_lock);

	list_for_each_entry_safe(obj, otmp, &objs, ns_link) {
		list_del_init(&obj->ns_link);
		kipc_nl_notify(KIPC_EV_UNLINKED, obj, NULL);
		kipc_object_put(obj);
	}
	list_for_each_entry_safe(kns, ktmp, &dead, reap_link) {
		struct ipc_namespace *ipc_ns = kns->ipc_ns;

		/* Unhashed, so nobody else reads @ipc_ns any more. */
		kns->ipc_ns = NULL;
		kipc_put_ipc_ns(ipc_ns);
		kipc_ns_put(kns);
	}
	return left;
}

static void kipc_ns_reap_work(struct work_struct *work)
{
	if (kipc_ns_reap(false))
		schedule_delayed_work(&kipc_ns_reaper,
				      msecs_to_jiffies(READ_ONCE(kipc_ns_reap_ms)));
}

/**
 * kipc_ns_reap_ms_changed() - ns_reap_ms was written
 *
 * A check already armed moves to the new period at once, so that a
 * shorter period never waits for the end of a longer one (even with no
 * namespace left to check).  Nothing is armed that was not (at load, for
 * instance), nor once unloading has begun.
 */
void kipc_ns_reap_ms_changed(void)
{
	mutex_lock(&kipc_registry_lock);
	if (!kipc_ns_exiting && delayed_work_pending(&kipc_ns_reaper))
		mod_delayed_work(system_wq, &kipc_ns_reaper,
				 msecs_to_jiffies(READ_ONCE(kipc_ns_reap_ms)));
	mutex_unlock(&kipc_registry_lock);
}

/**
 * kipc_ns_exit() - stop the reaper and forget every namespace (unload)
 *
 * No file is open and no request runs: every name of a namespace other
 * than the initial one is dropped here, before kipc_objects_exit().
 */
void kipc_ns_exit(void)
{
	mutex_lock(&kipc_registry_lock);
	kipc_ns_exiting = true;
	mutex_unlock(&kipc_registry_lock);
	cancel_delayed_work_sync(&kipc_ns_reaper);
	kipc_ns_reap(true);
}

/**
 * kipc_ns_charge() - charge one object and @bytes to a namespace
 * @kns: the creator's namespace
 * @bytes: the bytes charged to the creator's uid with it
 *
 * The initial namespace has no limit of its own (max_objects applies).
 *
 * Return: 0, or -ENOSPC at max_objects_per_ns or max_bytes_per_ns.
 */
int kipc_ns_charge(struct kipc_ns *kns, u64 bytes)
{
	int err = 0;

	spin_lock(&kipc_users_lock);
	if (kns != &kipc_ns_init &&
	    (kns->objects >= READ_ONCE(kipc_max_objects_per_ns) ||
	     kns->bytes + bytes > READ_ONCE(kipc_max_bytes_per_ns))) {
		err = -ENOSPC;
	} else {
		kns->objects++;
		kns->bytes += bytes;
	}
	spin_unlock(&kipc_users_lock);
	return err;
}

/**
 * kipc_ns_uncharge() - return what kipc_ns_charge() charged
 * @kns: the namespace charged
 * @bytes: the bytes charged with the object (its charge when freed)
 */
void kipc_ns_uncharge(struct kipc_ns *kns, u64 bytes)
{
	spin_lock(&kipc_users_lock);
	kns->objects--;
	kns->bytes -= bytes;
	spin_unlock(&kipc_users_lock);
}

/**
 * kipc_ns_usage() - the caller's namespace's objects and names
 * @objects: out: objects made in it and still alive
 * @named: out: names registered in it
 *
 * Return: false in the initial namespace (the caller shows module-wide
 * numbers there), true with the counts elsewhere (0 if kipc has none).
 */
bool kipc_ns_usage(u64 *objects, u64 *named)
{
	struct kipc_ns_info in;

	kipc_ns_current_info(&in);	/* all 0 for a task that left */
	*objects = in.objects;
	*named = in.named;
	return !in.initial;
}

/* @kns's usage into @in; kipc_registry_lock is held. */
static void kipc_ns_fill(const struct kipc_ns *kns, struct kipc_ns_info *in)
{
	lockdep_assert_held(&kipc_registry_lock);
	in->inum = kns->inum;
	in->userns_inum = kns->user_ns->ns.inum;
	in->initial = kns == &kipc_ns_init;
	in->named = kns->named;
	spin_lock(&kipc_users_lock);
	in->objects = kns->objects;
	in->bytes = kns->bytes;
	spin_unlock(&kipc_users_lock);
}

/**
 * kipc_ns_nth() - the @n-th namespace kipc knows, for a dump
 * @n: 0 for the initial namespace, then the others in table order
 * @in: out: its usage
 *
 * A dump resumed across a namespace's arrival or reaping may skip or
 * repeat one, as other netlink dumps of hashed tables do.  O(@n) each.
 *
 * Return: false past the last.
 */
bool kipc_ns_nth(unsigned int n, struct kipc_ns_info *in)
{
	struct kipc_ns *kns, *found = n ? NULL : &kipc_ns_init;
	int bkt;

	mutex_lock(&kipc_registry_lock);
	if (!found) {
		hash_for_each(kipc_nss, bkt, kns, node) {
			if (--n == 0) {
				found = kns;
				break;
			}
		}
	}
	if (found)
		kipc_ns_fill(found, in);
	mutex_unlock(&kipc_registry_lock);
	return found;
}

/**
 * kipc_ns_current_info() - the caller's namespace's usage
 * @in: out: its usage; all 0 if kipc has no object in it
 *
 * Return: 0, or -ESRCH for a task that has left its namespaces.
 */
int kipc_ns_current_info(struct kipc_ns_info *in)
{
	struct ipc_namespace *ipc_ns = kipc_current_ipc_ns();
	struct kipc_ns *kns;

	memset(in, 0, sizeof(*in));
	if (!ipc_ns)
		return -ESRCH;
	mutex_lock(&kipc_registry_lock);
	kns = kipc_ns_find(ipc_ns);
	if (kns) {
		kipc_ns_fill(kns, in);
	} else {
		/* Our nsproxy holds the namespace and its owner. */
		in->inum = ipc_ns->ns.inum;
		in->userns_inum = ipc_ns->user_ns->ns.inum;
	}
	mutex_unlock(&kipc_registry_lock);
	return 0;
}

/**
 * kipc_ns_current_is() - whether @kns is the caller's IPC namespace
 * @kns: an entry the caller holds (an object's)
 *
 * Return: true if the caller's namespace is @kns's (a reaped @kns is
 * nobody's).
 */
bool kipc_ns_current_is(const struct kipc_ns *kns)
{
	bool ret;

	mutex_lock(&kipc_registry_lock);
	ret = kipc_ns_lookup() == kns;
	mutex_unlock(&kipc_registry_lock);
	return ret;
}

/**
 * kipc_ns_current_is_init() - whether the caller is in the initial IPC
 * namespace
 *
 * Return: true if so (a task that has left its namespaces is not).
 */
bool kipc_ns_current_is_init(void)
{
	struct ipc_namespace *ipc_ns = kipc_current_ipc_ns();

	return ipc_ns && ipc_ns->ns.inum == PROC_IPC_INIT_INO;
}
