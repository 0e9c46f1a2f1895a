// SPDX-License-Identifier: GPL-2.0
/*
 * The kipc object core: accounting, the name registry, and the file
 * descriptors through which every object is used.
 *
 * Lifetime: an object holds one reference per open file, one per mapping
 * (its map file), and one while its name is registered.  The last put
 * frees it and returns its charge.
 *
 * Locking: see docs/design.md, section 7.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <linux/kipc_netlink.h>
#include <kunit/visibility.h>

#include "kipc.h"

/* The largest attribute struct of any type, for an on-stack copy. */
#define KIPC_ATTR_MAX	64

static const struct kipc_type *const kipc_types[KIPC_TYPE_MAX + 1] = {
	[KIPC_TYPE_EVENT] = &kipc_event_type,
	[KIPC_TYPE_QUEUE] = &kipc_queue_type,
	[KIPC_TYPE_CHANNEL] = &kipc_channel_type,
	[KIPC_TYPE_PIPE] = &kipc_pipe_type,
	[KIPC_TYPE_REGION] = &kipc_region_type,
	[KIPC_TYPE_SEMAPHORE] = &kipc_sem_type,
	[KIPC_TYPE_MUTEX] = &kipc_mutex_type,
	[KIPC_TYPE_COND] = &kipc_cond_type,
};

/*
 * Per-uid accounting.  kipc_users_lock protects kipc_users, every
 * kipc_user's count, kipc_nr_objects, and every kipc_ns's @objects and
 * @bytes.  It takes no other lock; it is taken under a pipe's mutex (a
 * resize's recharge) and under kipc_registry_lock (a namespace's usage;
 * at unload, a destroy).
 */
struct kipc_user {
	struct hlist_node node;
	kuid_t uid;
	unsigned int objects;
	u64 bytes;
};

DEFINE_SPINLOCK(kipc_users_lock);
static DEFINE_HASHTABLE(kipc_users, 6);
static unsigned int kipc_nr_objects;
static unsigned int kipc_nr_users;

/*
 * Name registry: a resizable hash table of the named objects, keyed by
 * (IPC namespace, type, name bytes).  kipc_registry_lock serializes every
 * add, lookup and removal (lookups too: an object may be freed as soon as
 * its last reference goes, without waiting for an RCU grace period, so a
 * lookup must not race with the removal that precedes that last put), and
 * protects kipc_nr_named and the table of IPC namespaces (ipcns.c).  The
 * table grows and shrinks by itself, in its own worker, so every
 * operation stays O(1) at any number of names.
 */
DEFINE_MUTEX(kipc_registry_lock);
static struct rhashtable kipc_names;
static unsigned int kipc_nr_named;

/*
 * The id index: every live object, anonymous or named, by id, from the
 * end of kipc_object_new() to the start of kipc_object_release().  Its
 * own spinlock (xa_lock) is a leaf; objects found under it are alive
 * (not yet erased, so not yet freed) and are taken only with
 * kref_get_unless_zero(), which skips one whose last reference is gone.
 */
static DEFINE_XARRAY(kipc_ids);

static atomic64_t kipc_next_id = ATOMIC64_INIT(0);
static atomic64_t kipc_created = ATOMIC64_INIT(0);
static atomic64_t kipc_destroyed = ATOMIC64_INIT(0);
static atomic64_t kipc_refused_enospc = ATOMIC64_INIT(0);
static atomic64_t kipc_refused_edquot = ATOMIC64_INIT(0);

static const struct kipc_type *kipc_type_get(u32 type)
{
	if (type == 0 || type > KIPC_TYPE_MAX)
		return NULL;
	return kipc_types[type];
}

/* ---- accounting ---------------------------------------------------- */

static struct kipc_user *kipc_user_find(kuid_t uid)
{
	struct kipc_user *u;

	lockdep_assert_held(&kipc_users_lock);
	hash_for_each_possible(kipc_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

/**
 * kipc_charge() - charge one object and @bytes of its memory to @uid
 * @uid: the effective uid that creates it
 * @bytes: memory the object may come to hold (a queue's capacity)
 * @out: the account charged, to pass to kipc_uncharge()
 *
 * A refusal (-ENOSPC, -EDQUOT) is counted in the module's statistics;
 * kipc_object_new() notifies it.
 *
 * Return: 0; -ENOSPC at the module-wide limit (max_objects); -EDQUOT at
 * the uid's limits (max_objects_per_uid, max_bytes_per_uid); -ENOMEM.
 */
int kipc_charge(kuid_t uid, u64 bytes, struct kipc_user **out)
{
	struct kipc_user *new, *u;
	int err = 0;

	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;

	spin_lock(&kipc_users_lock);
	u = kipc_user_find(uid);
	if (kipc_nr_objects >= READ_ONCE(kipc_max_objects)) {
		err = -ENOSPC;
	} else if (u && u->objects >= READ_ONCE(kipc_max_objects_per_uid)) {
		err = -EDQUOT;
	} else if ((u ? u->bytes : 0) + bytes > READ_ONCE(kipc_max_bytes_per_uid)) {
		err = -EDQUOT;
	} else {
		if (!u) {
			u = new;
			new = NULL;
			u->uid = uid;
			hash_add(kipc_users, &u->node, __kuid_val(uid));
			kipc_nr_users++;
		}
		u->objects++;
		u->bytes += bytes;
		kipc_nr_objects++;
		*out = u;
	}
	spin_unlock(&kipc_users_lock);
	kfree(new);
	if (err == -ENOSPC)
		atomic64_inc(&kipc_refused_enospc);
	else if (err == -EDQUOT)
		atomic64_inc(&kipc_refused_edquot);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_charge);

/**
 * kipc_uncharge() - return the charge of one object
 * @u: the account kipc_charge() charged
 * @bytes: the bytes it charged with the object
 */
void kipc_uncharge(struct kipc_user *u, u64 bytes)
{
	bool last;

	spin_lock(&kipc_users_lock);
	kipc_nr_objects--;
	u->bytes -= bytes;
	last = --u->objects == 0;
	if (last) {
		hash_del(&u->node);
		kipc_nr_users--;
	}
	spin_unlock(&kipc_users_lock);
	if (last)
		kfree(u);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_uncharge);

/**
 * kipc_recharge() - change the bytes an object is charged for
 * @obj: the object; the caller serializes changes of its charge
 * @bytes: the new charge (a pipe's new capacity)
 *
 * A refused growth is counted and notified as a creation refused by a
 * quota is (KIPC_EV_REFUSED, with @obj's type).
 *
 * Return: 0; -EDQUOT if a growth does not fit in the uid's
 * max_bytes_per_uid, -ENOSPC if not in the IPC namespace's
 * max_bytes_per_ns (then nothing changes).  A shrink always succeeds.
 */
int kipc_recharge(struct kipc_object *obj, u64 bytes)
{
	struct kipc_user *u = obj->user;
	struct kipc_ns *kns = obj->ns;
	int err = 0;

	spin_lock(&kipc_users_lock);
	if (bytes > obj->charge &&
	    u->bytes - obj->charge + bytes > READ_ONCE(kipc_max_bytes_per_uid)) {
		err = -EDQUOT;
	} else if (bytes > obj->charge && kns && kns != &kipc_ns_init &&
		   kns->bytes - obj->charge + bytes >
		   READ_ONCE(kipc_max_bytes_per_ns)) {
		err = -ENOSPC;
	} else {
		u->bytes = u->bytes - obj->charge + bytes;
		if (kns)
			kns->bytes = kns->bytes - obj->charge + bytes;
		WRITE_ONCE(obj->charge, bytes);
	}
	spin_unlock(&kipc_users_lock);
	if (err) {
		atomic64_inc(err == -ENOSPC ? &kipc_refused_enospc :
				&kipc_refused_edquot);
		kipc_nl_notify_refused(obj->type->type, err);
	}
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_recharge);

/**
 * kipc_uid_objects() - objects charged to @uid now
 * @uid: an effective uid
 *
 * Return: the count.
 */
unsigned int kipc_uid_objects(kuid_t uid)
{
	struct kipc_user *u;
	unsigned int n;

	spin_lock(&kipc_users_lock);
	u = kipc_user_find(uid);
	n = u ? u->objects : 0;
	spin_unlock(&kipc_users_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_uid_objects);

/**
 * kipc_uid_bytes() - bytes charged to @uid now
 * @uid: an effective uid
 *
 * Return: the count.
 */
u64 kipc_uid_bytes(kuid_t uid)
{
	struct kipc_user *u;
	u64 n;

	spin_lock(&kipc_users_lock);
	u = kipc_user_find(uid);
	n = u ? u->bytes : 0;
	spin_unlock(&kipc_users_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_uid_bytes);

/**
 * kipc_objects_alive() - objects alive now, all users together
 *
 * Return: the count.
 */
unsigned int kipc_objects_alive(void)
{
	unsigned int n;

	spin_lock(&kipc_users_lock);
	n = kipc_nr_objects;
	spin_unlock(&kipc_users_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_objects_alive);

/**
 * kipc_user_nth() - the @n-th uid holding objects, for a dump of users
 * @n: 0 for the first
 * @u: out: its uid and usage
 *
 * The order is that of the users table, stable while no uid comes or
 * goes; a dump that resumes by index may skip or repeat a uid that came
 * or went meanwhile (it is a snapshot per call, under kipc_users_lock).
 *
 * Return: true with *@u set, false past the last.
 */
bool kipc_user_nth(unsigned int n, struct kipc_user_usage *u)
{
	struct kipc_user *i;
	bool found = false;
	int bkt;

	spin_lock(&kipc_users_lock);
	hash_for_each(kipc_users, bkt, i, node) {
		if (n-- == 0) {
			u->uid = i->uid;
			u->objects = i->objects;
			u->bytes = i->bytes;
			found = true;
			break;
		}
	}
	spin_unlock(&kipc_users_lock);
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_user_nth);

/**
 * kipc_module_stats() - module-wide numbers
 * @s: out: the numbers, each a snapshot (not one consistent whole)
 *
 * Outside the initial IPC namespace, @s->objects and @s->named are those
 * of the caller's namespace: a container does not see the host's.
 */
void kipc_module_stats(struct kipc_module_stats *s)
{
	u64 objects, named;

	spin_lock(&kipc_users_lock);
	s->objects = kipc_nr_objects;
	s->users = kipc_nr_users;
	spin_unlock(&kipc_users_lock);
	s->named = READ_ONCE(kipc_nr_named);
	if (kipc_ns_usage(&objects, &named)) {
		s->objects = objects;
		s->named = named;
	}
	s->created = atomic64_read(&kipc_created);
	s->destroyed = atomic64_read(&kipc_destroyed);
	s->refused_enospc = atomic64_read(&kipc_refused_enospc);
	s->refused_edquot = atomic64_read(&kipc_refused_edquot);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_module_stats);

/* ---- the id index ------------------------------------------------------ */

/**
 * kipc_object_next() - the live object with the smallest id >= *@id
 * @id: in: where to start; out: the id of the object returned
 *
 * For a dump that resumes: call with 0, then with the last id + 1.  No
 * lock is held between calls, and ids only grow (never reused while the
 * module is loaded), so a dump sees every object that lives through it
 * exactly once, and no object twice; an object created meanwhile shows
 * if its id is beyond the cursor, one destroyed meanwhile may show or
 * not.  An object whose last reference is already gone is skipped.
 *
 * Ids are the xarray's indices, unsigned long: 64-bit on a 64-bit kernel
 * (on a 32-bit one, creation fails once 2^32 ids are used).
 *
 * Return: the object with a reference (kipc_object_put() it), or NULL
 * when no object has an id >= *@id.
 */
struct kipc_object *kipc_object_next(unsigned long *id)
{
	struct kipc_object *obj;
	unsigned long index = *id;

	xa_lock(&kipc_ids);
	xa_for_each_start(&kipc_ids, index, obj, *id) {
		/* Found under xa_lock: not yet erased, so not yet freed. */
		if (kref_get_unless_zero(&obj->ref))
			break;
	}
	xa_unlock(&kipc_ids);
	if (obj)
		*id = index;
	return obj;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_object_next);

/**
 * kipc_object_by_id() - the live object with this id
 * @id: its id
 *
 * Return: the object with a reference (kipc_object_put() it), or NULL if
 * no live object has @id.
 */
struct kipc_object *kipc_object_by_id(u64 id)
{
	struct kipc_object *obj;

	if (id > ULONG_MAX)
		return NULL;
	xa_lock(&kipc_ids);
	obj = xa_load(&kipc_ids, (unsigned long)id);
	if (obj && !kref_get_unless_zero(&obj->ref))
		obj = NULL;
	xa_unlock(&kipc_ids);
	return obj;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_object_by_id);

/* ---- lifetime ---------------------------------------------------------- */

static void kipc_object_release(struct kref *ref)
{
	struct kipc_object *obj = container_of(ref, struct kipc_object, ref);
	struct kipc_user *user = obj->user;
	struct kipc_ns *kns = obj->ns;
	u64 charge = obj->charge;

	/* First: kipc_object_next() and _by_id() no longer find it. */
	xa_erase(&kipc_ids, (unsigned long)obj->id);
	kipc_nl_notify(KIPC_EV_DESTROYED, obj, NULL);
	WARN_ON_ONCE(!list_empty(&obj->holders));
	put_pid(obj->creator);
	kfree(obj->name);
	kipc_signal_release(obj);
	obj->type->destroy(obj);
	kipc_uncharge(user, charge);
	kipc_ns_uncharge(kns, charge);
	kipc_ns_put(kns);
	atomic64_inc(&kipc_destroyed);
}

/**
 * kipc_object_put() - drop a reference to an object
 * @obj: the object; freed when this was the last reference
 */
void kipc_object_put(struct kipc_object *obj)
{
	might_sleep();	/* destroy may sleep: never put under a spinlock */
	kref_put(&obj->ref, kipc_object_release);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_object_put);

/* ---- names and permissions -------------------------------------------- */

/**
 * kipc_check_name() - whether @name is an acceptable object name
 * @name: the bytes, not NUL-terminated
 * @len: their number
 *
 * Return: 0; -EINVAL if empty or if a byte is a control character, space,
 * '/' or DEL; -ENAMETOOLONG if longer than the max_name_len parameter.
 */
int kipc_check_name(const char *name, u32 len)
{
	u32 i;

	if (len == 0)
		return -EINVAL;
	if (len > READ_ONCE(kipc_max_name_len))
		return -ENAMETOOLONG;
	for (i = 0; i < len; i++) {
		unsigned char c = name[i];

		if (c <= ' ' || c == '/' || c == 0x7f)
			return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_check_name);

/*
 * Copy a name from user space.  @anon_ok allows the (0, 0) pair meaning
 * "no name", which leaves *@out NULL.
 */
static int kipc_copy_name(u64 uptr, u32 len, bool anon_ok, char **out)
{
	char *name;
	int err;

	*out = NULL;
	if (!uptr && !len)
		return anon_ok ? 0 : -EINVAL;
	if (!uptr || !len)
		return -EINVAL;
	if (len > READ_ONCE(kipc_max_name_len))
		return -ENAMETOOLONG;

	name = kmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!name)
		return -ENOMEM;
	if (copy_from_user(name, u64_to_user_ptr(uptr), len)) {
		kfree(name);
		return -EFAULT;
	}
	err = kipc_check_name(name, len);
	if (err) {
		kfree(name);
		return err;
	}
	*out = name;
	return 0;
}

/**
 * kipc_permission() - may the caller open @obj for @want?
 * @obj: the object
 * @want: FMODE_READ and/or FMODE_WRITE
 *
 * The owner or creator class uses the user bits, a member of the owner's
 * or creator's group the group bits, anyone else the other bits, as System
 * V IPC does; CAP_IPC_OWNER in the user namespace that owns the object's
 * IPC namespace overrides (as ipcperms() does), so the root of another
 * user namespace cannot override.
 *
 * Return: 0 or -EACCES.
 */
int kipc_permission(const struct kipc_object *obj, fmode_t want)
{
	kuid_t euid = current_euid();
	unsigned int granted = obj->mode;
	unsigned int need = 0;

	if (want & FMODE_READ)
		need |= 04;
	if (want & FMODE_WRITE)
		need |= 02;

	if (uid_eq(euid, obj->uid) || uid_eq(euid, obj->cuid))
		granted >>= 6;
	else if (in_group_p(obj->gid) || in_group_p(obj->cgid))
		granted >>= 3;

	if (!(need & ~granted & 07) ||
	    ns_capable(kipc_obj_user_ns(obj), CAP_IPC_OWNER))
		return 0;
	return -EACCES;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_permission);

static bool kipc_may_unlink(const struct kipc_object *obj)
{
	kuid_t euid = current_euid();

	return uid_eq(euid, obj->uid) || uid_eq(euid, obj->cuid) ||
	       ns_capable(kipc_obj_user_ns(obj), CAP_IPC_OWNER);
}

/* ---- registry ------------------------------------------------------------ */

/* What a registry lookup looks for. */
struct kipc_name_key {
	const struct kipc_ns *ns;
	u32 type;
	u32 len;
	const char *name;
};

static u32 kipc_name_hash(const struct kipc_ns *ns, u32 type,
			  const char *name, u32 len, u32 seed)
{
	return jhash(name, len, seed ^ type ^ hash_ptr(ns, 32));
}

static u32 kipc_name_key_hashfn(const void *data, u32 len, u32 seed)
{
	const struct kipc_name_key *key = data;

	return kipc_name_hash(key->ns, key->type, key->name, key->len, seed);
}

static u32 kipc_name_obj_hashfn(const void *data, u32 len, u32 seed)
{
	const struct kipc_object *obj = data;

	return kipc_name_hash(obj->ns, obj->type->type, obj->name,
			      obj->name_len, seed);
}

static int kipc_name_cmpfn(struct rhashtable_compare_arg *arg,
			   const void *data)
{
	const struct kipc_name_key *key = arg->key;
	const struct kipc_object *obj = data;

	return obj->ns != key->ns || obj->type->type != key->type ||
	       obj->name_len != key->len ||
	       memcmp(obj->name, key->name, key->len);
}

static const struct rhashtable_params kipc_names_params = {
	.head_offset		= offsetof(struct kipc_object, hash_node),
	.hashfn			= kipc_name_key_hashfn,
	.obj_hashfn		= kipc_name_obj_hashfn,
	.obj_cmpfn		= kipc_name_cmpfn,
	.automatic_shrinking	= true,
};

/* The caller's IPC namespace's object of that type and name, or NULL. */
static struct kipc_object *kipc_registry_find(u32 type, const char *name,
					      u32 len)
{
	struct kipc_name_key key = { .type = type, .len = len, .name = name };

	lockdep_assert_held(&kipc_registry_lock);
	key.ns = kipc_ns_lookup();
	if (!key.ns)	/* no object was ever made there */
		return NULL;
	return rhashtable_lookup_fast(&kipc_names, &key, kipc_names_params);
}

/**
 * kipc_registry_add() - register @obj under its name
 * @obj: a named object; the registry takes a reference
 *
 * The name goes in the IPC namespace @obj was made in.
 *
 * Return: 0; -EEXIST if an object of the same type has the name there;
 * -ENOENT if that namespace died meanwhile (its creator left it);
 * -ENOMEM if the table could not grow.
 */
int kipc_registry_add(struct kipc_object *obj)
{
	struct kipc_name_key key = {
		.ns = obj->ns,
		.type = obj->type->type,
		.len = obj->name_len,
		.name = obj->name,
	};
	int err;

	mutex_lock(&kipc_registry_lock);
	if (obj->ns->dead) {
		mutex_unlock(&kipc_registry_lock);
		return -ENOENT;
	}
	err = rhashtable_lookup_insert_key(&kipc_names, &key, &obj->hash_node,
					   kipc_names_params);
	if (!err) {
		kref_get(&obj->ref);
		WRITE_ONCE(obj->linked, true);	/* read by fdinfo, OBJ_INFO */
		WRITE_ONCE(kipc_nr_named, kipc_nr_named + 1);
		list_add_tail(&obj->ns_link, &obj->ns->names);
		obj->ns->named++;
	} else if (err != -EEXIST) {
		err = -ENOMEM;	/* -E2BIG, -EBUSY: the table could not grow */
	}
	mutex_unlock(&kipc_registry_lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_registry_add);

/**
 * kipc_registry_del() - remove a registered name
 * @obj: a linked object; the caller drops the registry's reference after
 *	releasing kipc_registry_lock, which it holds
 */
void kipc_registry_del(struct kipc_object *obj)
{
	lockdep_assert_held(&kipc_registry_lock);
	WARN_ON_ONCE(rhashtable_remove_fast(&kipc_names, &obj->hash_node,
					    kipc_names_params));
	WRITE_ONCE(obj->linked, false);
	WRITE_ONCE(kipc_nr_named, kipc_nr_named - 1);
	list_del_init(&obj->ns_link);
	obj->ns->named--;
}

/**
 * kipc_registry_lookup() - find a named object and take a reference
 * @type: KIPC_TYPE_*, in the caller's IPC namespace
 * @name: the name bytes
 * @len: their number
 *
 * Return: the object, to release with kipc_object_put(), or NULL.
 */
struct kipc_object *kipc_registry_lookup(u32 type, const char *name, u32 len)
{
	struct kipc_object *obj;

	mutex_lock(&kipc_registry_lock);
	obj = kipc_registry_find(type, name, len);
	if (obj)
		kref_get(&obj->ref);
	mutex_unlock(&kipc_registry_lock);
	return obj;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_registry_lookup);

/**
 * kipc_registry_unlink() - remove a name, if the caller may
 * @type: KIPC_TYPE_*, in the caller's IPC namespace
 * @name: the name bytes
 * @len: their number
 *
 * Return: 0; -ENOENT if no such name in the caller's IPC namespace;
 * -EACCES unless the caller owns or created the object or has
 * CAP_IPC_OWNER there.
 */
int kipc_registry_unlink(u32 type, const char *name, u32 len)
{
	struct kipc_object *obj;
	int err = 0;

	mutex_lock(&kipc_registry_lock);
	obj = kipc_registry_find(type, name, len);
	if (!obj)
		err = -ENOENT;
	else if (!kipc_may_unlink(obj))
		err = -EACCES;
	else
		kipc_registry_del(obj);
	mutex_unlock(&kipc_registry_lock);

	if (!err) {
		kipc_nl_notify(KIPC_EV_UNLINKED, obj, NULL);
		kipc_object_put(obj);
	}
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_registry_unlink);

/* ---- files ------------------------------------------------------------- */

static int kipc_object_file_release(struct inode *inode, struct file *file)
{
	struct kipc_object *obj = kipc_file_obj(file);

	if (!obj)	/* made by kipc_install(), never given its object */
		return 0;
	kipc_holder_del_file(obj, file);
	if (obj->type->detach)
		obj->type->detach(obj, file->f_mode, kipc_file_tag(file));
	kipc_object_put(obj);
	return 0;
}

static __poll_t kipc_object_poll(struct file *file, poll_table *wait)
{
	struct kipc_object *obj = kipc_file_obj(file);

	return obj->type->poll ? obj->type->poll(file, obj, wait) : 0;
}

static long kipc_ioc_obj_info(struct file *file, struct kipc_object *obj,
			      unsigned long arg, unsigned int usize);
static long kipc_ioc_reopen(struct file *file, struct kipc_object *obj,
			    unsigned long arg, unsigned int usize);

static const struct kipc_ioc kipc_object_ioctls[] = {
	{ KIPC_IOC_OBJ_INFO, KIPC_OBJECT_INFO_SIZE_VER0, kipc_ioc_obj_info },
	{ KIPC_IOC_REOPEN, KIPC_REOPEN_SIZE_VER0, kipc_ioc_reopen },
	{ KIPC_IOC_NOTIFY, KIPC_NOTIFY_SIZE_VER0, kipc_ioc_notify },
	{ KIPC_IOC_SIGNAL_HOLDERS, KIPC_SIGNAL_HOLDERS_SIZE_VER0,
	  kipc_ioc_signal_holders },
};

static long kipc_ioc_dispatch(const struct kipc_ioc *tbl, unsigned int n,
			      struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	unsigned int i;
	int usize;

	for (i = 0; i < n; i++) {
		usize = kipc_ioc_size(cmd, tbl[i].cmd, tbl[i].min_size);
		if (usize == -ENOTTY)
			continue;
		if (usize < 0)
			return usize;
		return tbl[i].fn(file, kipc_file_obj(file), arg, usize);
	}
	return -ENOTTY;
}

static long kipc_object_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct kipc_object *obj = kipc_file_obj(file);
	long ret;

	ret = kipc_ioc_dispatch(kipc_object_ioctls,
				ARRAY_SIZE(kipc_object_ioctls), file, cmd, arg);
	if (ret != -ENOTTY)
		return ret;
	return kipc_ioc_dispatch(obj->type->ioctls, obj->type->nr_ioctls,
				 file, cmd, arg);
}

static void kipc_object_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct kipc_object *obj = kipc_file_obj(file);
	struct user_namespace *ns = seq_user_ns(m);

	seq_printf(m, "kipc-type:\t%s\n", obj->type->name);
	seq_printf(m, "kipc-id:\t%llu\n", obj->id);
	if (obj->name)
		seq_printf(m, "kipc-name:\t%.*s\n", obj->name_len, obj->name);
	seq_printf(m, "kipc-linked:\t%d\n", READ_ONCE(obj->linked));
	seq_printf(m, "kipc-owner:\t%u %u\n", from_kuid_munged(ns, obj->uid),
		   from_kgid_munged(ns, obj->gid));
	seq_printf(m, "kipc-mode:\t%04o\n", obj->mode);
	seq_printf(m, "kipc-ipcns:\t%u\n", obj->ns->inum);
	kipc_signal_show_fdinfo(m, obj);
	if (obj->type->show_fdinfo)
		obj->type->show_fdinfo(m, obj);
}

static ssize_t kipc_object_read(struct file *file, char __user *buf,
				size_t count, loff_t *ppos)
{
	struct kipc_object *obj = kipc_file_obj(file);

	if (!obj->type->read)
		return -EINVAL;
	return obj->type->read(file, obj, buf, count);
}

static ssize_t kipc_object_write(struct file *file, const char __user *buf,
				 size_t count, loff_t *ppos)
{
	struct kipc_object *obj = kipc_file_obj(file);

	if (!obj->type->write)
		return -EINVAL;
	return obj->type->write(file, obj, buf, count);
}

static int kipc_object_flush(struct file *file, fl_owner_t id)
{
	struct kipc_object *obj = kipc_file_obj(file);

	if (obj->type->flush)
		obj->type->flush(file, obj);
	kipc_signal_flush(file, obj);
	return 0;
}

static int kipc_object_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kipc_object *obj = kipc_file_obj(file);

	if (!obj->type->mmap)
		return -ENODEV;
	return obj->type->mmap(file, obj, vma);
}

static const struct file_operations kipc_object_fops = {
	.owner		= THIS_MODULE,
	.mmap		= kipc_object_mmap,
	.read		= kipc_object_read,
	.write		= kipc_object_write,
	.flush		= kipc_object_flush,
	.release	= kipc_object_file_release,
	.poll		= kipc_object_poll,
	.fasync		= kipc_signal_fasync,
	.unlocked_ioctl	= kipc_object_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.show_fdinfo	= kipc_object_show_fdinfo,
};

/**
 * kipc_fget_obj() - the kipc object behind an fd
 * @fd: a file descriptor of the caller
 * @filep: out: the file, with a reference the caller drops with fput()
 *
 * Return: the object (valid while the file reference is held);
 * ERR_PTR(-EBADF) for a bad fd, ERR_PTR(-EINVAL) if it is not a kipc
 * object's fd.
 */
struct kipc_object *kipc_fget_obj(int fd, struct file **filep)
{
	struct file *file = fget(fd);

	if (!file)
		return ERR_PTR(-EBADF);
	if (file->f_op != &kipc_object_fops) {
		fput(file);
		return ERR_PTR(-EINVAL);
	}
	*filep = file;
	return kipc_file_obj(file);
}

static int kipc_fd_open_flags(u32 flags)
{
	int f = O_RDWR;

	if (flags & KIPC_FD_RDONLY)
		f = O_RDONLY;
	else if (flags & KIPC_FD_WRONLY)
		f = O_WRONLY;
	if (flags & KIPC_FD_NONBLOCK)
		f |= O_NONBLOCK;
	return f;
}

static fmode_t kipc_fd_fmode(u32 flags)
{
	if (flags & KIPC_FD_RDONLY)
		return FMODE_READ;
	if (flags & KIPC_FD_WRONLY)
		return FMODE_WRITE;
	return FMODE_READ | FMODE_WRITE;
}

static int kipc_check_fd_flags(u32 flags)
{
	if (flags & ~KIPC_FD_FLAGS)
		return -EINVAL;
	if ((flags & KIPC_FD_RDONLY) && (flags & KIPC_FD_WRONLY))
		return -EINVAL;
	return 0;
}

/*
 * Give the caller a new fd for @obj, consuming the reference the caller
 * holds.  The type's attach hook may refuse (a channel's second connect)
 * and chooses the file's tag from @tag (the tag of the file reopened).
 * The fd number is written to *@ufd, and with @link the name is
 * registered, before the fd is installed: nothing is visible in the fd
 * table unless everything succeeded.  The file's holder record (the
 * current process opened it) is allocated first and added with the
 * object.  A new object (KIPC_ATTACH_CREATE) is notified as created once
 * nothing can fail any more, right before its fd is installed: after
 * fd_install() another thread may already have closed it.
 */
static int kipc_install(struct kipc_object *obj, u32 flags, u32 __user *ufd,
			bool link, unsigned int how, unsigned long tag)
{
	fmode_t fmode = kipc_fd_fmode(flags);
	struct kipc_holder *holder;
	struct file *file;
	int fd, err;

	holder = kipc_holder_alloc();
	if (!holder) {
		err = -ENOMEM;
		goto put;
	}
	fd = get_unused_fd_flags(flags & KIPC_FD_NOCLOEXEC ? 0 : O_CLOEXEC);
	if (fd < 0) {
		err = fd;
		goto free;
	}
	/*
	 * Everything that can fail comes before attaching: a file that never
	 * was must not count as one (a pipe's reader, a channel's end), nor
	 * be seen to close.  So the file is made first, owning nothing (its
	 * release does nothing while private_data is NULL), and is given its
	 * object only once attached; nobody else can see it before that.
	 */
	if (put_user(fd, ufd)) {
		err = -EFAULT;
		goto unreserve;
	}
	file = anon_inode_getfile(obj->type->inode_name, &kipc_object_fops,
				  NULL, kipc_fd_open_flags(flags));
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
		goto unreserve;
	}
	if (obj->type->attach) {
		err = obj->type->attach(obj, fmode, how, &tag);
		if (err) {
			fput(file);
			goto unreserve;
		}
	}
	/*
	 * From here on the file owns the reference, the attachment and the
	 * holder record.
	 */
	kipc_holder_add(obj, holder, file);
	file->private_data = (void *)((unsigned long)obj | tag);
	if (link) {
		err = kipc_registry_add(obj);
		if (err) {
			put_unused_fd(fd);
			fput(file);
			return err;
		}
	}
	if (how == KIPC_ATTACH_CREATE)
		kipc_nl_notify(KIPC_EV_CREATED, obj, NULL);
	fd_install(fd, file);
	return 0;

unreserve:
	put_unused_fd(fd);
free:
	kipc_holder_free(holder);
put:
	kipc_object_put(obj);
	return err;
}

/* ---- /dev/kipc ioctls ---------------------------------------------------- */

static int kipc_copy_attr(const struct kipc_type *type, u64 uptr, u32 usize,
			  void *attr)
{
	memset(attr, 0, type->attr_size);
	if (!uptr && !usize)
		return 0;
	if (!uptr || !usize)
		return -EINVAL;
	return kipc_copy_in(attr, type->attr_size, type->attr_min,
			    u64_to_user_ptr(uptr), usize);
}

/**
 * kipc_object_new() - charge the caller and build an object
 * @type: its type
 * @attr: the type's attributes, already copied in
 * @name: the name, kmalloc()ed, or NULL; owned by the object on success
 * @name_len: its length
 * @mode: permission bits
 *
 * The object starts with one reference and no name registered; the
 * caller's effective uid and gid become owner and creator, and its IPC
 * namespace the object's (where its name goes, and where CAP_IPC_OWNER
 * counts).  Once built it
 * is in the id index (kipc_object_next(), kipc_object_by_id()): the
 * netlink dump may show it before its fd exists.  A refusal by a limit
 * (-ENOSPC, -EDQUOT) is notified (KIPC_EV_REFUSED).
 *
 * Return: the object, or an ERR_PTR: the type's errors (-EINVAL for bad
 * attributes, -ENOMEM), kipc_charge()'s, or kipc_ns_charge()'s
 * (-ENOSPC).  On error @name is freed.
 */
struct kipc_object *kipc_object_new(const struct kipc_type *type,
				    const void *attr, char *name,
				    u32 name_len, umode_t mode)
{
	struct kipc_object *obj;
	struct kipc_user *user;
	struct kipc_ns *kns;
	int err;

	kns = kipc_ns_get_current();
	if (IS_ERR(kns)) {
		err = PTR_ERR(kns);
		goto fail;
	}
	obj = type->create(attr);
	if (IS_ERR(obj)) {
		err = PTR_ERR(obj);
		goto put_ns;
	}
	err = kipc_charge(current_euid(), obj->charge, &user);
	if (!err) {
		err = kipc_ns_charge(kns, obj->charge);
		if (err) {
			kipc_uncharge(user, obj->charge);
			atomic64_inc(&kipc_refused_enospc);
		}
	}
	if (err) {
		type->destroy(obj);
		if (err == -ENOSPC || err == -EDQUOT)
			kipc_nl_notify_refused(type->type, err);
		goto put_ns;
	}

	kref_init(&obj->ref);
	obj->type = type;
	obj->id = atomic64_inc_return(&kipc_next_id);
	obj->uid = current_euid();
	obj->cuid = obj->uid;
	obj->gid = current_egid();
	obj->cgid = obj->gid;
	obj->mode = mode;
	obj->creator = get_pid(task_tgid(current));
	obj->user = user;
	obj->ns = kns;
	INIT_LIST_HEAD(&obj->ns_link);
	obj->name = name;
	obj->name_len = name_len;
	obj->ctime = ktime_get_real_ns();
	spin_lock_init(&obj->holders_lock);
	INIT_LIST_HEAD(&obj->holders);
	kipc_signal_init(obj);
	err = xa_insert(&kipc_ids, (unsigned long)obj->id, obj,
			GFP_KERNEL_ACCOUNT);
	if (err) {
		u64 charge = obj->charge;

		put_pid(obj->creator);
		type->destroy(obj);
		kipc_uncharge(user, charge);
		kipc_ns_uncharge(kns, charge);
		goto put_ns;
	}
	atomic64_inc(&kipc_created);
	return obj;

put_ns:
	kipc_ns_put(kns);
fail:
	kfree(name);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_object_new);

/**
 * kipc_ioc_create() - KIPC_IOC_CREATE: make an object and return its fd
 * @arg: user pointer to struct kipc_create
 * @usize: the caller's size of it
 *
 * Return: 0 with kipc_create.fd set; -EINVAL for bad flags, type, mode,
 * name or attributes; -ENAMETOOLONG; -EFAULT; -E2BIG; -EEXIST if the name
 * is taken in the caller's IPC namespace; -ENOSPC at the module-wide or
 * the namespace's limits, -EDQUOT at the per-uid ones;
 * -EMFILE; -ENOMEM; or an error of the type's attribute checks.
 */
long kipc_ioc_create(void __user *arg, unsigned int usize)
{
	struct kipc_create __user *uc = arg;
	const struct kipc_type *type;
	u8 attr[KIPC_ATTR_MAX] __aligned(8);
	struct kipc_object *obj;
	struct kipc_create c;
	char *name;
	int err;

	err = kipc_copy_in(&c, sizeof(c), KIPC_CREATE_SIZE_VER0, arg, usize);
	if (err)
		return err;
	err = kipc_check_fd_flags(c.flags);
	if (err)
		return err;
	if ((c.mode & ~0777) ||
	    !kipc_args_clean(0, 0, c.reserved, sizeof(c.reserved)))
		return -EINVAL;
	type = kipc_type_get(c.type);
	if (!type)
		return -EINVAL;
	err = kipc_copy_attr(type, c.attr, c.attr_size, attr);
	if (err)
		return err;
	err = kipc_copy_name(c.name, c.name_len, true, &name);
	if (err)
		return err;
	obj = kipc_object_new(type, attr, name, c.name_len, c.mode);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	/* kipc_install() consumes the reference, also on failure. */
	return kipc_install(obj, c.flags, &uc->fd, !!obj->name,
			    KIPC_ATTACH_CREATE, 0);
}

/**
 * kipc_ioc_open() - KIPC_IOC_OPEN: open a named object
 * @arg: user pointer to struct kipc_open
 * @usize: the caller's size of it
 *
 * Return: 0 with kipc_open.fd set; -EINVAL; -ENAMETOOLONG; -EFAULT;
 * -E2BIG; -ENOENT if no such name in the caller's IPC namespace; -EACCES
 * if the mode bits do not grant the access asked for; -EMFILE; -ENOMEM.
 */
long kipc_ioc_open(void __user *arg, unsigned int usize)
{
	struct kipc_open __user *uo = arg;
	struct kipc_object *obj;
	struct kipc_open o;
	char *name;
	int err;

	err = kipc_copy_in(&o, sizeof(o), KIPC_OPEN_SIZE_VER0, arg, usize);
	if (err)
		return err;
	err = kipc_check_fd_flags(o.flags);
	if (err)
		return err;
	if (!kipc_args_clean(0, 0, o.reserved, sizeof(o.reserved)) ||
	    !kipc_type_get(o.type))
		return -EINVAL;
	err = kipc_copy_name(o.name, o.name_len, false, &name);
	if (err)
		return err;

	obj = kipc_registry_lookup(o.type, name, o.name_len);
	kfree(name);
	if (!obj)
		return -ENOENT;

	err = kipc_permission(obj, kipc_fd_fmode(o.flags));
	if (err) {
		kipc_object_put(obj);
		return err;
	}
	return kipc_install(obj, o.flags, &uo->fd, false, KIPC_ATTACH_OPEN, 0);
}

/**
 * kipc_ioc_unlink() - KIPC_IOC_UNLINK: remove a name from the registry
 * @arg: user pointer to struct kipc_unlink
 * @usize: the caller's size of it
 *
 * Return: 0; -EINVAL; -ENAMETOOLONG; -EFAULT; -E2BIG; -ENOENT if no such
 * name in the caller's IPC namespace; -EACCES unless the caller owns or
 * created the object or has CAP_IPC_OWNER there.
 */
long kipc_ioc_unlink(void __user *arg, unsigned int usize)
{
	struct kipc_unlink u;
	char *name;
	int err;

	err = kipc_copy_in(&u, sizeof(u), KIPC_UNLINK_SIZE_VER0, arg, usize);
	if (err)
		return err;
	if (!kipc_args_clean(u.flags, u.__pad, u.reserved, sizeof(u.reserved)) ||
	    !kipc_type_get(u.type))
		return -EINVAL;
	err = kipc_copy_name(u.name, u.name_len, false, &name);
	if (err)
		return err;

	err = kipc_registry_unlink(u.type, name, u.name_len);
	kfree(name);
	return err;
}

/**
 * kipc_ioc_stats() - KIPC_IOC_STATS: module-wide counters
 * @arg: user pointer to struct kipc_stats
 * @usize: the caller's size of it
 *
 * Outside the initial IPC namespace, objects and named count the
 * caller's namespace only.
 *
 * Return: 0; -EINVAL; -EFAULT; -E2BIG.
 */
long kipc_ioc_stats(void __user *arg, unsigned int usize)
{
	struct kipc_stats s;
	int err;

	err = kipc_copy_in(&s, sizeof(s), KIPC_STATS_SIZE_VER0, arg, usize);
	if (err)
		return err;
	if (!kipc_args_clean(s.flags, s.__pad, s.reserved, sizeof(s.reserved)))
		return -EINVAL;

	if (!kipc_ns_usage(&s.objects, &s.named)) {
		s.objects = kipc_objects_alive();
		s.named = READ_ONCE(kipc_nr_named);
	}
	s.created = atomic64_read(&kipc_created);
	s.destroyed = atomic64_read(&kipc_destroyed);
	s.uid_objects = kipc_uid_objects(current_euid());
	s.uid_bytes = kipc_uid_bytes(current_euid());
	return kipc_copy_out(arg, usize, &s, sizeof(s));
}

static long kipc_ioc_obj_info(struct file *file, struct kipc_object *obj,
			      unsigned long uarg, unsigned int usize)
{
	struct user_namespace *ns = current_user_ns();
	void __user *arg = (void __user *)uarg;
	static const struct kipc_info_layout layout =
		KIPC_INFO_LAYOUT(struct kipc_object_info,
				 KIPC_OBJECT_INFO_SIZE_VER0, flags);
	struct kipc_object_info in;
	int err;

	err = kipc_info_in(&in, &layout, arg, usize);
	if (err)
		return err;
	if (!in.name != !in.name_size)
		return -EINVAL;

	if (in.name && obj->name &&
	    copy_to_user(u64_to_user_ptr(in.name), obj->name,
			 min(in.name_size, obj->name_len)))
		return -EFAULT;

	in.type = obj->type->type;
	in.id = obj->id;
	in.uid = from_kuid_munged(ns, obj->uid);
	in.gid = from_kgid_munged(ns, obj->gid);
	in.cuid = from_kuid_munged(ns, obj->cuid);
	in.cgid = from_kgid_munged(ns, obj->cgid);
	in.mode = obj->mode;
	in.access = (file->f_mode & FMODE_READ ? KIPC_ACCESS_READ : 0) |
		    (file->f_mode & FMODE_WRITE ? KIPC_ACCESS_WRITE : 0);
	in.state = (obj->name ? KIPC_INFO_NAMED : 0) |
		   (READ_ONCE(obj->linked) ? KIPC_INFO_LINKED : 0);
	in.name_len = obj->name_len;
	in.creator_pid = pid_vnr(obj->creator);
	return kipc_copy_out(arg, usize, &in, sizeof(in));
}

/**
 * kipc_ioc_reopen() - KIPC_IOC_REOPEN: a new open file of the same object
 * @file: the fd's file
 * @obj: its object
 * @uarg: user pointer to struct kipc_reopen
 * @usize: the caller's size of it
 *
 * Return: 0 with kipc_reopen.fd set; -EINVAL for bad flags or reserved
 * fields, or an access the type does not allow; -EACCES if the access is
 * neither part of @file's nor granted by the mode bits; -EISCONN for a
 * channel's end that is already open; -EFAULT; -E2BIG; -EMFILE; -ENOMEM.
 */
static long kipc_ioc_reopen(struct file *file, struct kipc_object *obj,
			    unsigned long uarg, unsigned int usize)
{
	struct kipc_reopen __user *ur = (void __user *)uarg;
	struct kipc_reopen r;
	fmode_t want;
	int err;

	err = kipc_copy_in(&r, sizeof(r), KIPC_REOPEN_SIZE_VER0, ur, usize);
	if (err)
		return err;
	err = kipc_check_fd_flags(r.flags);
	if (err)
		return err;
	if (!kipc_args_clean(0, 0, r.reserved, sizeof(r.reserved)))
		return -EINVAL;
	want = kipc_fd_fmode(r.flags);
	if (want & ~file->f_mode & (FMODE_READ | FMODE_WRITE)) {
		err = kipc_permission(obj, want);
		if (err)
			return err;
	}
	kref_get(&obj->ref);
	return kipc_install(obj, r.flags, &ur->fd, false, KIPC_ATTACH_REOPEN,
			    kipc_file_tag(file));
}

/**
 * kipc_objects_init() - check the type table, make the name table
 *
 * Return: 0; -EINVAL if a type's attribute struct does not fit; -ENOMEM.
 */
int kipc_objects_init(void)
{
	int i;

	for (i = 1; i <= KIPC_TYPE_MAX; i++)
		if (WARN_ON(!kipc_types[i] ||
			    kipc_types[i]->attr_size > KIPC_ATTR_MAX))
			return -EINVAL;
	return rhashtable_init(&kipc_names, &kipc_names_params);
}

/* At unload, for each name left: the table is being destroyed. */
static void kipc_registry_drop(void *ptr, void *arg)
{
	struct kipc_object *obj = ptr;

	lockdep_assert_held(&kipc_registry_lock);
	WRITE_ONCE(obj->linked, false);
	WRITE_ONCE(kipc_nr_named, kipc_nr_named - 1);
	kipc_object_put(obj);
}

/**
 * kipc_objects_exit() - drop every registered name at module unload
 *
 * kipc_ns_exit() already dropped the names of every namespace but the
 * initial one, whose kipc_ns is never freed (so a put here never takes
 * kipc_registry_lock again).  No file can be open (each holds a module
 * reference), so dropping the registry's references frees every
 * remaining object.  Every destroy then runs under kipc_registry_lock (a
 * mutex) and the table's own mutex, which rhashtable_free_and_destroy()
 * holds while it calls kipc_registry_drop(): vunmap(), fput(), the mutex
 * recheck lock and kipc_users_lock nest under them, only here.
 */
void kipc_objects_exit(void)
{
	struct kipc_object *obj;
	unsigned long id;

	mutex_lock(&kipc_registry_lock);
	rhashtable_free_and_destroy(&kipc_names, kipc_registry_drop, NULL);
	mutex_unlock(&kipc_registry_lock);
	if (!kipc_nr_objects && xa_empty(&kipc_ids))
		return;
	/* A leak: say whose, before the warning's trace. */
	pr_err("%u objects left at unload\n", kipc_nr_objects);
	xa_for_each(&kipc_ids, id, obj)
		pr_err("left: id %llu %s \"%.*s\" refs %u creator %d linked %d\n",
		       obj->id, obj->type->name, obj->name ? (int)obj->name_len : 0,
		       obj->name ?: "", kref_read(&obj->ref),
		       pid_nr(obj->creator), READ_ONCE(obj->linked));
	WARN_ON(1);
}
