// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of kipc's internals: names, permissions, accounting, the
 * name registry and the event state machine.
 *
 * Built only for kernels with KUnit, as a module of its own (kipc_kunit.ko)
 * that is never part of kipc.ko nor of the DKMS build.  It uses the
 * internals kipc.ko exports with EXPORT_SYMBOL_IF_KUNIT().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kipc_kunit.h"

#define TEST_UID	4242
#define TEST_GID	4343
#define OTHER_UID	5252
#define OTHER_GID	5353

/* ---- helpers, also for the module's other files ------------------------- */

/**
 * kipc_test_deadline() - a deadline @ms from now
 * @ms: milliseconds
 *
 * Return: the absolute CLOCK_MONOTONIC time.
 */
ktime_t kipc_test_deadline(unsigned int ms)
{
	return ktime_add_ms(ktime_get(), ms);
}

/**
 * kipc_test_self() - the test's own thread id
 *
 * A live thread, as mutex owners must be; the id mutex operations use.
 *
 * Return: the id.
 */
u32 kipc_test_self(void)
{
	return (u32)task_pid_vnr(current) & KIPC_MUTEX_TID_MASK;
}

static void kipc_test_put_action(void *obj)
{
	kipc_object_put(obj);
}

/**
 * kipc_test_new() - an anonymous object, put when the test ends
 * @test: the test
 * @type: its type
 * @attr: its attributes, or NULL
 *
 * Return: the object; the test fails (and ends) if it cannot be made.
 */
struct kipc_object *kipc_test_new(struct kunit *test,
				  const struct kipc_type *type,
				  const void *attr)
{
	struct kipc_object *obj = kipc_object_new(type, attr, NULL, 0, 0600);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							kipc_test_put_action,
							obj), 0);
	return obj;
}

/* The event info of @obj, for an expectation to read a field of. */
struct kipc_event_info kipc_test_event_info(struct kipc_object *obj)
{
	struct kipc_event_info in = {};

	kipc_event_get_info(obj, &in);
	return in;
}

/* The sem info of @obj, for an expectation to read a field of. */
struct kipc_sem_info kipc_test_sem_info(struct kipc_object *obj)
{
	struct kipc_sem_info in = {};

	kipc_sem_test_info(obj, &in);
	return in;
}

/* The mutex info of @obj, for an expectation to read a field of. */
struct kipc_mutex_info kipc_test_mutex_info(struct kipc_object *obj)
{
	struct kipc_mutex_info in = {};

	kipc_mutex_test_info(obj, &in);
	return in;
}

/**
 * kipc_test_hand_back() - a test thread gives back the mutex it holds
 * @test: the test, for the expectations
 * @m: the mutex
 * @tid: the thread's thread id, the owner of @m
 * @ret: what the thread's lock returned
 * @consistent: make @m consistent first if @ret is -EOWNERDEAD
 * @release: what the test completes when the thread is to unlock
 *
 * Waits for @release (KIPC_TEST_WAIT_MS at most), then unlocks @m.
 */
void kipc_test_hand_back(struct kunit *test, struct kipc_object *m, u32 tid,
			 int ret, bool consistent, struct completion *release)
{
	wait_for_completion_timeout(release,
				    msecs_to_jiffies(KIPC_TEST_WAIT_MS));
	if (consistent && ret == -EOWNERDEAD)
		KUNIT_EXPECT_EQ(test, kipc_mutex_test_consistent(m, tid), 0);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, tid), 0);
}

/**
 * kipc_test_stop() - let a test thread unlock what it holds, then stop it
 * @task: the thread; NULL once stopped, so that once is enough
 * @release: what the thread waits for before it unlocks
 */
void kipc_test_stop(struct task_struct **task, struct completion *release)
{
	if (!*task)
		return;
	complete_all(release);
	kthread_stop(*task);
	*task = NULL;
}

/**
 * kipc_test_park() - a test kthread sleeps until kthread_stop()
 */
void kipc_test_park(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
}

/**
 * kipc_test_until() - wait, KIPC_TEST_WAIT_MS at most, for a count
 * @count: reads the count of @obj
 * @obj: the object
 * @n: the count to reach
 *
 * Return: true once @count(@obj) is @n, false if it never was.
 */
bool kipc_test_until(u32 (*count)(struct kipc_object *obj),
		     struct kipc_object *obj, u32 n)
{
	unsigned long end = jiffies + msecs_to_jiffies(KIPC_TEST_WAIT_MS);

	while (count(obj) != n) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(5000, 10000);
	}
	return true;
}

/* Run as @uid/@gid with no capability but, optionally, CAP_IPC_OWNER. */
static const struct cred *kipc_test_become(struct kunit *test, uid_t uid,
					   gid_t gid, bool ipc_owner)
{
	const struct cred *old;
	struct cred *new;

	new = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, new);
	new->euid = KUIDT_INIT(uid);
	new->fsuid = new->euid;
	new->egid = KGIDT_INIT(gid);
	new->fsgid = new->egid;
	cap_clear(new->cap_effective);
	if (ipc_owner)
		cap_raise(new->cap_effective, CAP_IPC_OWNER);
	old = override_creds(new);
	put_cred(new);
	return old;
}

static struct kipc_object *kipc_test_event(struct kunit *test, const char *name,
					   u32 flags)
{
	struct kipc_event_attr attr = { .flags = flags };
	struct kipc_object *obj;
	char *copy = NULL;

	if (name) {
		copy = kmemdup(name, strlen(name), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, copy);
	}
	obj = kipc_object_new(&kipc_event_type, &attr, copy,
			      name ? strlen(name) : 0, 0600);
	KUNIT_ASSERT_FALSE(test, IS_ERR(obj));
	return obj;
}

/* ---- names ------------------------------------------------------------- */

static void kipc_name_valid(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_check_name("a", 1), 0);
	KUNIT_EXPECT_EQ(test, kipc_check_name("queue.1-x_y", 11), 0);
	KUNIT_EXPECT_EQ(test, kipc_check_name("caf\xc3\xa9", 5), 0);
	KUNIT_EXPECT_EQ(test, kipc_check_name("~!@#", 4), 0);
}

static void kipc_name_invalid(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_check_name("", 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_check_name("a b", 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_check_name("a/b", 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_check_name("a\x01", 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_check_name("a\x7f", 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_check_name("a\0b", 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_check_name("a\n", 2), -EINVAL);
}

static void kipc_name_length(struct kunit *test)
{
	unsigned int saved = kipc_max_name_len;
	char buf[9];

	memset(buf, 'n', sizeof(buf));
	kipc_max_name_len = 8;
	KUNIT_EXPECT_EQ(test, kipc_check_name(buf, 8), 0);
	KUNIT_EXPECT_EQ(test, kipc_check_name(buf, 9), -ENAMETOOLONG);
	kipc_max_name_len = saved;
}

static struct kunit_case kipc_name_cases[] = {
	KUNIT_CASE(kipc_name_valid),
	KUNIT_CASE(kipc_name_invalid),
	KUNIT_CASE(kipc_name_length),
	{}
};

static struct kunit_suite kipc_name_suite = {
	.name = "kipc_name",
	.test_cases = kipc_name_cases,
};

/* ---- permissions ------------------------------------------------------- */

static struct kipc_object kipc_perm_obj(umode_t mode)
{
	struct kipc_object obj = {
		.uid = KUIDT_INIT(TEST_UID),
		.cuid = KUIDT_INIT(TEST_UID),
		.gid = KGIDT_INIT(TEST_GID),
		.cgid = KGIDT_INIT(TEST_GID),
		.mode = mode,
	};
	return obj;
}

static int kipc_perm_as(struct kunit *test, uid_t uid, gid_t gid,
			bool ipc_owner, umode_t mode, fmode_t want)
{
	struct kipc_object obj = kipc_perm_obj(mode);
	const struct cred *old;
	int ret;

	old = kipc_test_become(test, uid, gid, ipc_owner);
	ret = kipc_permission(&obj, want);
	revert_creds(old);
	return ret;
}

static void kipc_perm_owner(struct kunit *test)
{
	fmode_t rw = FMODE_READ | FMODE_WRITE;

	KUNIT_EXPECT_EQ(test, kipc_perm_as(test, TEST_UID, OTHER_GID, false, 0600, rw), 0);
	KUNIT_EXPECT_EQ(test, kipc_perm_as(test, TEST_UID, OTHER_GID, false, 0400, FMODE_READ), 0);
	KUNIT_EXPECT_EQ(test, kipc_perm_as(test, TEST_UID, OTHER_GID, false, 0400, FMODE_WRITE),
			-EACCES);
	/* The owner class is decided by uid: group bits do not help it. */
	KUNIT_EXPECT_EQ(test, kipc_perm_as(test, TEST_UID, TEST_GID, false, 0060, FMODE_READ),
			-EACCES);
}

static void kipc_perm_creator(struct kunit *test)
{
	struct kipc_object obj = kipc_perm_obj(0600);
	const struct cred *old;

	obj.uid = KUIDT_INIT(OTHER_UID + 1);
	old = kipc_test_become(test, TEST_UID, OTHER_GID, false);
	KUNIT_EXPECT_EQ(test, kipc_permission(&obj, FMODE_READ | FMODE_WRITE), 0);
	revert_creds(old);
}

static void kipc_perm_group(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_perm_as(test, OTHER_UID, TEST_GID, false, 0060,
					   FMODE_READ | FMODE_WRITE), 0);
	KUNIT_EXPECT_EQ(test, kipc_perm_as(test, OTHER_UID, TEST_GID, false, 0640, FMODE_WRITE),
			-EACCES);
	KUNIT_EXPECT_EQ(test, kipc_perm_as(test, OTHER_UID, TEST_GID, false, 0606, FMODE_READ),
			-EACCES);
}

static void kipc_perm_other(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_perm_as(test, OTHER_UID, OTHER_GID, false, 0004, FMODE_READ),
			0);
	KUNIT_EXPECT_EQ(test, kipc_perm_as(test, OTHER_UID, OTHER_GID, false, 0004, FMODE_WRITE),
			-EACCES);
	KUNIT_EXPECT_EQ(test, kipc_perm_as(test, OTHER_UID, OTHER_GID, false, 0660, FMODE_READ),
			-EACCES);
}

static void kipc_perm_cap_ipc_owner(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_perm_as(test, OTHER_UID, OTHER_GID, true, 0000,
					   FMODE_READ | FMODE_WRITE), 0);
}

static struct kunit_case kipc_perm_cases[] = {
	KUNIT_CASE(kipc_perm_owner),
	KUNIT_CASE(kipc_perm_creator),
	KUNIT_CASE(kipc_perm_group),
	KUNIT_CASE(kipc_perm_other),
	KUNIT_CASE(kipc_perm_cap_ipc_owner),
	{}
};

static struct kunit_suite kipc_perm_suite = {
	.name = "kipc_perm",
	.test_cases = kipc_perm_cases,
};

/* ---- accounting -------------------------------------------------------- */

static void kipc_account_counts(struct kunit *test)
{
	kuid_t uid = KUIDT_INIT(TEST_UID);
	unsigned int alive = kipc_objects_alive();
	struct kipc_user *a, *b;

	KUNIT_ASSERT_EQ(test, kipc_uid_objects(uid), 0U);
	KUNIT_ASSERT_EQ(test, kipc_charge(uid, 0, &a), 0);
	KUNIT_ASSERT_EQ(test, kipc_charge(uid, 0, &b), 0);
	KUNIT_EXPECT_PTR_EQ(test, a, b);
	KUNIT_EXPECT_EQ(test, kipc_uid_objects(uid), 2U);
	KUNIT_EXPECT_EQ(test, kipc_objects_alive(), alive + 2);
	kipc_uncharge(a, 0);
	kipc_uncharge(b, 0);
	KUNIT_EXPECT_EQ(test, kipc_uid_objects(uid), 0U);
	KUNIT_EXPECT_EQ(test, kipc_objects_alive(), alive);
}

static void kipc_account_uid_limit(struct kunit *test)
{
	unsigned int saved = kipc_max_objects_per_uid;
	kuid_t uid = KUIDT_INIT(TEST_UID);
	struct kipc_user *u[3];

	kipc_max_objects_per_uid = 2;
	KUNIT_ASSERT_EQ(test, kipc_charge(uid, 0, &u[0]), 0);
	KUNIT_ASSERT_EQ(test, kipc_charge(uid, 0, &u[1]), 0);
	KUNIT_EXPECT_EQ(test, kipc_charge(uid, 0, &u[2]), -EDQUOT);
	KUNIT_EXPECT_EQ(test, kipc_uid_objects(uid), 2U);
	/* Another uid has its own allowance. */
	KUNIT_EXPECT_EQ(test, kipc_charge(KUIDT_INIT(OTHER_UID), 0, &u[2]), 0);
	kipc_uncharge(u[2], 0);
	kipc_uncharge(u[1], 0);
	kipc_uncharge(u[0], 0);
	kipc_max_objects_per_uid = saved;
}

static void kipc_account_total_limit(struct kunit *test)
{
	unsigned int saved = kipc_max_objects;
	struct kipc_user *a, *b;

	kipc_max_objects = kipc_objects_alive() + 1;
	KUNIT_ASSERT_EQ(test, kipc_charge(KUIDT_INIT(TEST_UID), 0, &a), 0);
	KUNIT_EXPECT_EQ(test, kipc_charge(KUIDT_INIT(OTHER_UID), 0, &b), -ENOSPC);
	KUNIT_EXPECT_EQ(test, kipc_uid_objects(KUIDT_INIT(OTHER_UID)), 0U);
	kipc_uncharge(a, 0);
	kipc_max_objects = saved;
}

static void kipc_account_bytes(struct kunit *test)
{
	unsigned long saved = kipc_max_bytes_per_uid;
	kuid_t uid = KUIDT_INIT(TEST_UID);
	struct kipc_user *a, *b;

	kipc_max_bytes_per_uid = 1000;
	KUNIT_ASSERT_EQ(test, kipc_charge(uid, 600, &a), 0);
	KUNIT_EXPECT_EQ(test, kipc_uid_bytes(uid), 600ULL);
	KUNIT_EXPECT_EQ(test, kipc_charge(uid, 401, &b), -EDQUOT);
	KUNIT_EXPECT_EQ(test, kipc_uid_objects(uid), 1U);
	KUNIT_ASSERT_EQ(test, kipc_charge(uid, 400, &b), 0);
	KUNIT_EXPECT_EQ(test, kipc_uid_bytes(uid), 1000ULL);
	kipc_uncharge(b, 400);
	kipc_uncharge(a, 600);
	KUNIT_EXPECT_EQ(test, kipc_uid_bytes(uid), 0ULL);
	kipc_max_bytes_per_uid = saved;
}

static struct kunit_case kipc_account_cases[] = {
	KUNIT_CASE(kipc_account_counts),
	KUNIT_CASE(kipc_account_bytes),
	KUNIT_CASE(kipc_account_uid_limit),
	KUNIT_CASE(kipc_account_total_limit),
	{}
};

static struct kunit_suite kipc_account_suite = {
	.name = "kipc_account",
	.test_cases = kipc_account_cases,
};

/* ---- registry ------------------------------------------------------------ */

static void kipc_registry_basic(struct kunit *test)
{
	struct kipc_object *a = kipc_test_event(test, "kunit.reg", 0);
	struct kipc_object *b = kipc_test_event(test, "kunit.reg", 0);
	struct kipc_object *found;

	KUNIT_ASSERT_EQ(test, kipc_registry_add(a), 0);
	KUNIT_EXPECT_TRUE(test, a->linked);
	KUNIT_EXPECT_EQ(test, kipc_registry_add(b), -EEXIST);
	KUNIT_EXPECT_FALSE(test, b->linked);

	found = kipc_registry_lookup(KIPC_TYPE_EVENT, "kunit.reg", 9);
	KUNIT_EXPECT_PTR_EQ(test, found, a);
	if (found)
		kipc_object_put(found);
	KUNIT_EXPECT_NULL(test, kipc_registry_lookup(KIPC_TYPE_EVENT, "kunit.re", 8));
	KUNIT_EXPECT_NULL(test, kipc_registry_lookup(KIPC_TYPE_EVENT, "kunit.reg2", 10));
	KUNIT_EXPECT_NULL(test, kipc_registry_lookup(KIPC_TYPE_EVENT + 1, "kunit.reg", 9));

	KUNIT_EXPECT_EQ(test, kipc_registry_unlink(KIPC_TYPE_EVENT, "kunit.reg", 9), 0);
	KUNIT_EXPECT_FALSE(test, a->linked);
	KUNIT_EXPECT_EQ(test, kipc_registry_unlink(KIPC_TYPE_EVENT, "kunit.reg", 9), -ENOENT);
	KUNIT_EXPECT_NULL(test, kipc_registry_lookup(KIPC_TYPE_EVENT, "kunit.reg", 9));

	/* The name is free again. */
	KUNIT_EXPECT_EQ(test, kipc_registry_add(b), 0);
	KUNIT_EXPECT_EQ(test, kipc_registry_unlink(KIPC_TYPE_EVENT, "kunit.reg", 9), 0);
	kipc_object_put(a);
	kipc_object_put(b);
}

#define KIPC_TEST_MANY	600	/* more names than hash buckets: collisions */

static void kipc_registry_collisions(struct kunit *test)
{
	struct kipc_object **objs;
	char name[32];
	int i, len;

	objs = kunit_kcalloc(test, KIPC_TEST_MANY, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < KIPC_TEST_MANY; i++) {
		snprintf(name, sizeof(name), "kunit.many.%d", i);
		objs[i] = kipc_test_event(test, name, 0);
		KUNIT_ASSERT_EQ(test, kipc_registry_add(objs[i]), 0);
	}
	for (i = 0; i < KIPC_TEST_MANY; i++) {
		struct kipc_object *found;

		len = snprintf(name, sizeof(name), "kunit.many.%d", i);
		found = kipc_registry_lookup(KIPC_TYPE_EVENT, name, len);
		KUNIT_EXPECT_PTR_EQ(test, found, objs[i]);
		if (found)
			kipc_object_put(found);
	}
	for (i = 0; i < KIPC_TEST_MANY; i++) {
		len = snprintf(name, sizeof(name), "kunit.many.%d", i);
		KUNIT_EXPECT_EQ(test, kipc_registry_unlink(KIPC_TYPE_EVENT, name, len), 0);
		kipc_object_put(objs[i]);
	}
}

static void kipc_registry_unlink_perm(struct kunit *test)
{
	const struct cred *old;
	struct kipc_object *obj;

	old = kipc_test_become(test, TEST_UID, TEST_GID, false);
	obj = kipc_test_event(test, "kunit.perm", 0);
	KUNIT_EXPECT_TRUE(test, uid_eq(obj->uid, KUIDT_INIT(TEST_UID)));
	KUNIT_ASSERT_EQ(test, kipc_registry_add(obj), 0);
	revert_creds(old);

	old = kipc_test_become(test, OTHER_UID, TEST_GID, false);
	KUNIT_EXPECT_EQ(test, kipc_registry_unlink(KIPC_TYPE_EVENT, "kunit.perm", 10), -EACCES);
	revert_creds(old);
	KUNIT_EXPECT_TRUE(test, obj->linked);

	old = kipc_test_become(test, OTHER_UID, OTHER_GID, true);
	KUNIT_EXPECT_EQ(test, kipc_registry_unlink(KIPC_TYPE_EVENT, "kunit.perm", 10), 0);
	revert_creds(old);
	kipc_object_put(obj);
}

static void kipc_registry_object_counts(struct kunit *test)
{
	unsigned int alive = kipc_objects_alive();
	struct kipc_object *obj = kipc_test_event(test, "kunit.count", 0);

	KUNIT_EXPECT_EQ(test, kipc_objects_alive(), alive + 1);
	KUNIT_ASSERT_EQ(test, kipc_registry_add(obj), 0);
	/* The registry's reference keeps it after the creator lets go. */
	kipc_object_put(obj);
	KUNIT_EXPECT_EQ(test, kipc_objects_alive(), alive + 1);
	KUNIT_EXPECT_EQ(test, kipc_registry_unlink(KIPC_TYPE_EVENT, "kunit.count", 11), 0);
	KUNIT_EXPECT_EQ(test, kipc_objects_alive(), alive);
}

/* The id index: by id, in id order, never a dying object. */
static void kipc_registry_ids(struct kunit *test)
{
	struct kipc_object *a = kipc_test_event(test, NULL, 0);
	struct kipc_object *b = kipc_test_event(test, "kunit.ids", 0);
	struct kipc_object *c = kipc_test_event(test, NULL, 0);
	struct kipc_module_stats st;
	struct kipc_object *found;
	unsigned long id;
	u64 gone;

	KUNIT_EXPECT_LT(test, a->id, b->id);
	KUNIT_EXPECT_LT(test, b->id, c->id);
	found = kipc_object_by_id(b->id);
	KUNIT_EXPECT_PTR_EQ(test, found, b);
	if (found)
		kipc_object_put(found);

	id = a->id + 1;		/* resume after a: b, then c */
	found = kipc_object_next(&id);
	KUNIT_EXPECT_PTR_EQ(test, found, b);
	KUNIT_EXPECT_EQ(test, (u64)id, b->id);
	if (found)
		kipc_object_put(found);

	gone = b->id;
	kipc_object_put(b);
	KUNIT_EXPECT_NULL(test, kipc_object_by_id(gone));
	id = gone;
	found = kipc_object_next(&id);
	KUNIT_EXPECT_PTR_EQ(test, found, c);
	KUNIT_EXPECT_EQ(test, (u64)id, c->id);
	if (found)
		kipc_object_put(found);

	KUNIT_EXPECT_EQ(test, kipc_object_files(c), 0U);
	KUNIT_EXPECT_EQ(test, kipc_object_mappings(c), 0U);
	KUNIT_EXPECT_NE(test, c->ctime, 0ULL);
	kipc_module_stats(&st);
	KUNIT_EXPECT_GE(test, st.objects, 2ULL);
	KUNIT_EXPECT_GE(test, st.users, 1ULL);
	kipc_object_put(a);
	kipc_object_put(c);
}

static struct kunit_case kipc_registry_cases[] = {
	KUNIT_CASE(kipc_registry_basic),
	KUNIT_CASE(kipc_registry_collisions),
	KUNIT_CASE(kipc_registry_unlink_perm),
	KUNIT_CASE(kipc_registry_object_counts),
	KUNIT_CASE(kipc_registry_ids),
	{}
};

static struct kunit_suite kipc_registry_suite = {
	.name = "kipc_registry",
	.test_cases = kipc_registry_cases,
};

/* ---- events ------------------------------------------------------------- */

static void kipc_event_bad_attr(struct kunit *test)
{
	struct kipc_event_attr attr = { .flags = 1U << 7 };
	struct kipc_object *obj;

	obj = kipc_event_type.create(&attr);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(obj), -EINVAL);
	attr.flags = 0;
	attr.value = 1;		/* a value without KIPC_EVENT_SET */
	obj = kipc_event_type.create(&attr);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(obj), -EINVAL);
	attr.value = 0;
	attr.reserved[1] = 1;
	obj = kipc_event_type.create(&attr);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(obj), -EINVAL);
}

static void kipc_event_auto_reset(struct kunit *test)
{
	struct kipc_object *ev = kipc_test_event(test, NULL, 0);
	struct kipc_event_info info = {};
	u64 value = 0;

	KUNIT_EXPECT_EQ(test, kipc_event_do_wait(ev, true, KTIME_MAX, &value), -EAGAIN);
	kipc_event_do_signal(ev, 7);
	kipc_event_get_info(ev, &info);
	KUNIT_EXPECT_EQ(test, info.state, KIPC_EVENT_SET);
	KUNIT_EXPECT_EQ(test, info.value, 7ULL);
	KUNIT_EXPECT_EQ(test, kipc_event_do_wait(ev, true, KTIME_MAX, &value), 0);
	KUNIT_EXPECT_EQ(test, value, 7ULL);
	KUNIT_EXPECT_EQ(test, kipc_event_do_wait(ev, true, KTIME_MAX, &value), -EAGAIN);
	/* Two signals with no waiter coalesce; the later value wins. */
	kipc_event_do_signal(ev, 1);
	kipc_event_do_signal(ev, 2);
	KUNIT_EXPECT_EQ(test, kipc_event_do_wait(ev, true, KTIME_MAX, &value), 0);
	KUNIT_EXPECT_EQ(test, value, 2ULL);
	KUNIT_EXPECT_EQ(test, kipc_event_do_wait(ev, true, KTIME_MAX, &value), -EAGAIN);
	kipc_event_get_info(ev, &info);
	KUNIT_EXPECT_EQ(test, info.signals, 3ULL);
	KUNIT_EXPECT_EQ(test, info.wakeups, 2ULL);
	kipc_object_put(ev);
}

static void kipc_event_manual_reset(struct kunit *test)
{
	struct kipc_object *ev = kipc_test_event(test, NULL, KIPC_EVENT_MANUAL_RESET);
	u64 value = 0;
	int i;

	kipc_event_do_signal(ev, 5);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, kipc_event_do_wait(ev, true, KTIME_MAX, &value), 0);
		KUNIT_EXPECT_EQ(test, value, 5ULL);
	}
	kipc_event_do_reset(ev);
	KUNIT_EXPECT_EQ(test, kipc_event_do_wait(ev, true, KTIME_MAX, &value), -EAGAIN);
	kipc_object_put(ev);
}

static void kipc_event_initially_set(struct kunit *test)
{
	struct kipc_event_attr attr = { .flags = KIPC_EVENT_SET, .value = 9 };
	struct kipc_object *ev = kipc_event_type.create(&attr);
	u64 value = 0;

	KUNIT_ASSERT_FALSE(test, IS_ERR(ev));
	KUNIT_EXPECT_EQ(test, kipc_event_do_wait(ev, true, KTIME_MAX, &value), 0);
	KUNIT_EXPECT_EQ(test, value, 9ULL);
	kipc_event_type.destroy(ev);
}

static void kipc_event_deadline(struct kunit *test)
{
	struct kipc_object *ev = kipc_test_event(test, NULL, 0);
	ktime_t deadline;
	u64 value;

	KUNIT_EXPECT_EQ(test, kipc_event_do_wait(ev, false, ktime_sub_ns(ktime_get(), 1),
						 &value), -ETIMEDOUT);
	deadline = ktime_add_ms(ktime_get(), 20);
	KUNIT_EXPECT_EQ(test, kipc_event_do_wait(ev, false, deadline, &value), -ETIMEDOUT);
	KUNIT_EXPECT_GE(test, ktime_compare(ktime_get(), deadline), 0);
	kipc_object_put(ev);
}

struct kipc_test_waiter {
	struct kipc_object *ev;
	struct completion done;
	int ret;
	u64 value;
};

static int kipc_test_wait_thread(void *arg)
{
	struct kipc_test_waiter *w = arg;

	w->ret = kipc_event_do_wait(w->ev, false, ktime_add_ms(ktime_get(), 5000),
				    &w->value);
	/* For good: the test may wait for it more than once. */
	complete_all(&w->done);
	return 0;
}

static u32 kipc_test_waiters(struct kipc_object *ev)
{
	struct kipc_event_info info = {};

	kipc_event_get_info(ev, &info);
	return info.waiters;
}

/* Start a waiting thread and return once it is queued on @ev. */
static void kipc_test_start_waiter(struct kunit *test, struct kipc_test_waiter *w,
				   struct kipc_object *ev)
{
	u32 before = kipc_test_waiters(ev);
	struct task_struct *t;
	int i;

	w->ev = ev;
	init_completion(&w->done);
	t = kthread_run(kipc_test_wait_thread, w, "kipc-kunit");
	if (IS_ERR(t)) {
		/* Nothing runs: make the waiter look finished and failed. */
		w->ret = PTR_ERR(t);
		complete_all(&w->done);
		KUNIT_FAIL(test, "kthread_run: %ld", PTR_ERR(t));
		return;
	}
	for (i = 0; i < 250 && kipc_test_waiters(ev) == before; i++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, kipc_test_waiters(ev), before + 1);
}

static bool kipc_test_finished(struct kipc_test_waiter *w, unsigned long ms)
{
	return wait_for_completion_timeout(&w->done, msecs_to_jiffies(ms));
}

/*
 * The waiters live on the test's stack: never leave a test with a thread
 * still using one.  Their own deadline (5 s) bounds this wait.
 */
static void kipc_test_reap(struct kipc_test_waiter *w, int n)
{
	int i;

	for (i = 0; i < n; i++)
		wait_for_completion(&w[i].done);
}

static void kipc_event_handoff_fifo(struct kunit *test)
{
	struct kipc_object *ev = kipc_test_event(test, NULL, 0);
	struct kipc_event_info info = {};
	struct kipc_test_waiter w[2];

	kipc_test_start_waiter(test, &w[0], ev);
	kipc_test_start_waiter(test, &w[1], ev);

	kipc_event_do_signal(ev, 1);
	KUNIT_EXPECT_TRUE(test, kipc_test_finished(&w[0], 3000));
	KUNIT_EXPECT_EQ(test, w[0].ret, 0);
	KUNIT_EXPECT_EQ(test, w[0].value, 1ULL);
	KUNIT_EXPECT_FALSE(test, kipc_test_finished(&w[1], 50));
	/* Handed straight to the waiter: the event never became set. */
	kipc_event_get_info(ev, &info);
	KUNIT_EXPECT_EQ(test, info.state, 0U);
	KUNIT_EXPECT_EQ(test, info.waiters, 1U);

	kipc_event_do_signal(ev, 2);
	KUNIT_EXPECT_TRUE(test, kipc_test_finished(&w[1], 3000));
	KUNIT_EXPECT_EQ(test, w[1].ret, 0);
	KUNIT_EXPECT_EQ(test, w[1].value, 2ULL);
	kipc_test_reap(w, 2);
	KUNIT_EXPECT_EQ(test, kipc_test_waiters(ev), 0U);
	kipc_object_put(ev);
}

static void kipc_event_manual_wakes_all(struct kunit *test)
{
	struct kipc_object *ev = kipc_test_event(test, NULL, KIPC_EVENT_MANUAL_RESET);
	struct kipc_event_info info = {};
	struct kipc_test_waiter w[2];
	int i;

	kipc_test_start_waiter(test, &w[0], ev);
	kipc_test_start_waiter(test, &w[1], ev);
	kipc_event_do_signal(ev, 3);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_TRUE(test, kipc_test_finished(&w[i], 3000));
		KUNIT_EXPECT_EQ(test, w[i].ret, 0);
		KUNIT_EXPECT_EQ(test, w[i].value, 3ULL);
	}
	kipc_test_reap(w, 2);
	kipc_event_get_info(ev, &info);
	KUNIT_EXPECT_EQ(test, info.state, KIPC_EVENT_MANUAL_RESET | KIPC_EVENT_SET);
	KUNIT_EXPECT_EQ(test, info.wakeups, 2ULL);
	kipc_object_put(ev);
}

static struct kunit_case kipc_event_cases[] = {
	KUNIT_CASE(kipc_event_bad_attr),
	KUNIT_CASE(kipc_event_auto_reset),
	KUNIT_CASE(kipc_event_manual_reset),
	KUNIT_CASE(kipc_event_initially_set),
	KUNIT_CASE(kipc_event_deadline),
	KUNIT_CASE(kipc_event_handoff_fifo),
	KUNIT_CASE(kipc_event_manual_wakes_all),
	{}
};

static struct kunit_suite kipc_event_suite = {
	.name = "kipc_event",
	.test_cases = kipc_event_cases,
};

/* ---- priority queue -------------------------------------------------- */

struct kipc_test_item {
	struct kipc_pq_node pq;
	int id;
};

static int kipc_test_pop_id(struct kipc_prioq *q)
{
	struct kipc_pq_node *n = kipc_prioq_pop(q);

	return n ? container_of(n, struct kipc_test_item, pq)->id : -1;
}

static void kipc_prioq_empty(struct kunit *test)
{
	struct kipc_prioq q;

	kipc_prioq_init(&q);
	KUNIT_EXPECT_NULL(test, kipc_prioq_peek(&q));
	KUNIT_EXPECT_NULL(test, kipc_prioq_pop(&q));
	KUNIT_EXPECT_EQ(test, q.count, 0U);
}

static void kipc_prioq_order(struct kunit *test)
{
	static const u32 prios[] = { 3, 1, 3, 2, 1, 0, KIPC_QUEUE_PRIO_MAX, 3 };
	static const int expect[] = { 6, 0, 2, 7, 3, 1, 4, 5 };
	struct kipc_test_item items[ARRAY_SIZE(prios)];
	struct kipc_prioq q;
	int i;

	kipc_prioq_init(&q);
	for (i = 0; i < ARRAY_SIZE(prios); i++) {
		items[i].id = i;
		items[i].pq.prio = prios[i];
		kipc_prioq_push(&q, &items[i].pq);
	}
	KUNIT_EXPECT_EQ(test, q.count, (unsigned int)ARRAY_SIZE(prios));
	for (i = 0; i < ARRAY_SIZE(expect); i++)
		KUNIT_EXPECT_EQ(test, kipc_test_pop_id(&q), expect[i]);
	KUNIT_EXPECT_EQ(test, kipc_test_pop_id(&q), -1);
}

static void kipc_prioq_push_front_restores(struct kunit *test)
{
	struct kipc_test_item items[4] = {
		{ .pq.prio = 5, .id = 0 }, { .pq.prio = 5, .id = 1 },
		{ .pq.prio = 5, .id = 2 }, { .pq.prio = 7, .id = 3 },
	};
	struct kipc_pq_node *n;
	struct kipc_prioq q;
	int i;

	kipc_prioq_init(&q);
	for (i = 0; i < 4; i++)
		kipc_prioq_push(&q, &items[i].pq);
	/* Take the only 7 and put it back: still first. */
	n = kipc_prioq_pop(&q);
	kipc_prioq_push_front(&q, n);
	KUNIT_EXPECT_EQ(test, kipc_test_pop_id(&q), 3);
	/* Take the oldest 5 and put it back ahead of its followers. */
	n = kipc_prioq_pop(&q);
	KUNIT_EXPECT_EQ(test, container_of(n, struct kipc_test_item, pq)->id, 0);
	kipc_prioq_push_front(&q, n);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, kipc_test_pop_id(&q), i);
	KUNIT_EXPECT_EQ(test, q.count, 0U);
}

#define KIPC_TEST_MODEL	2000

/* Random pushes, front-pushes and pops against a plain array model. */
static void kipc_prioq_model(struct kunit *test)
{
	struct kipc_test_item *items;
	int *model, n = 0, next = 0, i, j, best;
	struct kipc_prioq q;
	u32 seed = 12345;

	items = kunit_kcalloc(test, KIPC_TEST_MODEL, sizeof(*items), GFP_KERNEL);
	model = kunit_kcalloc(test, KIPC_TEST_MODEL, sizeof(*model), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, items);
	KUNIT_ASSERT_NOT_NULL(test, model);
	kipc_prioq_init(&q);

	for (i = 0; i < 3 * KIPC_TEST_MODEL; i++) {
		seed = seed * 1103515245 + 12345;
		if (next < KIPC_TEST_MODEL && (seed >> 16) % 3) {
			/* Few priorities, so that FIFO within one matters. */
			items[next].id = next;
			items[next].pq.prio = (seed >> 8) % 8 * 4096;
			kipc_prioq_push(&q, &items[next].pq);
			model[n++] = next++;
			continue;
		}
		if (!n)
			continue;
		/* The model: highest priority, then lowest index in it. */
		best = 0;
		for (j = 1; j < n; j++)
			if (items[model[j]].pq.prio > items[model[best]].pq.prio)
				best = j;
		KUNIT_ASSERT_EQ(test, kipc_test_pop_id(&q), model[best]);
		if ((seed >> 4) % 5 == 0) {	/* undeliverable: put it back */
			kipc_prioq_push_front(&q, &items[model[best]].pq);
			continue;
		}
		memmove(&model[best], &model[best + 1], (n - best - 1) * sizeof(*model));
		n--;
	}
	KUNIT_EXPECT_EQ(test, q.count, (unsigned int)n);
	while (kipc_prioq_pop(&q))
		;
}

static struct kunit_case kipc_prioq_cases[] = {
	KUNIT_CASE(kipc_prioq_empty),
	KUNIT_CASE(kipc_prioq_order),
	KUNIT_CASE(kipc_prioq_push_front_restores),
	KUNIT_CASE(kipc_prioq_model),
	{}
};

static struct kunit_suite kipc_prioq_suite = {
	.name = "kipc_prioq",
	.test_cases = kipc_prioq_cases,
};

/* ---- channel rings ------------------------------------------------------ */

#ifdef KIPC_HAVE_KUNIT_VM_MMAP
#include <linux/mman.h>

/*
 * The ring code copies from and to user memory, so the tests get a user
 * address space of their own (kunit_vm_mmap) with two buffers in it.
 */
struct kipc_test_chan {
	struct kipc_object *obj;
	struct kipc_chan_ring *ring;
	u8 *data;
	u32 cap;
	u8 __user *ubuf;	/* what is sent */
	u8 __user *uout;	/* what is received */
	u8 *kbuf;
};

#define KIPC_TEST_UBUF	(2 * PAGE_SIZE)

static void kipc_test_chan_init(struct kunit *test, struct kipc_test_chan *t,
				u32 cap, u32 max_msg)
{
	struct kipc_channel_attr a = {
		.capacity = { cap, cap }, .max_msg = { max_msg, max_msg },
	};
	unsigned long addr;

	t->obj = kipc_object_new(&kipc_channel_type, &a, NULL, 0, 0600);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->obj));
	t->ring = kipc_chan_test_ring(t->obj, 0, &t->data, &t->cap);
	addr = kunit_vm_mmap(test, NULL, 0, 2 * KIPC_TEST_UBUF,
			     PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, addr, 0UL, "no user memory");
	t->ubuf = (u8 __user *)addr;
	t->uout = t->ubuf + KIPC_TEST_UBUF;
	t->kbuf = kunit_kzalloc(test, KIPC_TEST_UBUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->kbuf);
}

static void kipc_test_chan_fini(struct kipc_test_chan *t)
{
	kipc_object_put(t->obj);
}

/* Send @len bytes of pattern @seed; 0 or the ring's error. */
static int kipc_test_put(struct kunit *test, struct kipc_test_chan *t,
			 u32 len, u8 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		t->kbuf[i] = seed + i * 7;
	KUNIT_ASSERT_EQ(test, copy_to_user(t->ubuf, t->kbuf, len), 0UL);
	return kipc_chan_test_put(t->obj, 0, t->ubuf, len);
}

/* Receive one message and check it is @len bytes of pattern @seed. */
static void kipc_test_get_check(struct kunit *test, struct kipc_test_chan *t,
				u32 len, u8 seed)
{
	u32 got = 0, i;

	KUNIT_ASSERT_EQ(test, kipc_chan_test_get(t->obj, 0, t->uout,
						 KIPC_TEST_UBUF, &got), 0);
	KUNIT_ASSERT_EQ(test, got, len);
	KUNIT_ASSERT_EQ(test, copy_from_user(t->kbuf, t->uout, len), 0UL);
	for (i = 0; i < len; i++)
		if (t->kbuf[i] != (u8)(seed + i * 7))
			KUNIT_FAIL(test, "byte %u of a %u-byte message", i, len);
}

/* Messages of many sizes, wrapping around a one-page ring many times. */
static void kipc_chan_ring_wraps(struct kunit *test)
{
	struct kipc_test_chan t;
	u32 i, len;

	kipc_test_chan_init(test, &t, PAGE_SIZE, 2000);
	KUNIT_EXPECT_EQ(test, t.cap, (u32)PAGE_SIZE);
	for (i = 0; i < 300; i++) {
		len = (i * 337) % 2001;
		KUNIT_ASSERT_EQ(test, kipc_test_put(test, &t, len, i), 0);
		kipc_test_get_check(test, &t, len, i);
	}
	KUNIT_EXPECT_EQ(test, t.ring->head, t.ring->tail);
	kipc_test_chan_fini(&t);
}

/* The data is mapped twice in a row: a record never wraps. */
static void kipc_chan_ring_double_mapped(struct kunit *test)
{
	struct kipc_test_chan t;
	u32 i;

	kipc_test_chan_init(test, &t, 2 * PAGE_SIZE, 0);
	for (i = 0; i < t.cap; i += 64)
		t.data[i] = i / 64;
	for (i = 0; i < t.cap; i += 64)
		KUNIT_EXPECT_EQ(test, t.data[t.cap + i], (u8)(i / 64));
	kipc_test_chan_fini(&t);
}

/* Fill until EAGAIN, drain in order until EAGAIN. */
static void kipc_chan_ring_full_empty(struct kunit *test)
{
	struct kipc_test_chan t;
	u32 n = 0, i, got;
	int err;

	kipc_test_chan_init(test, &t, PAGE_SIZE, 0);
	while (!(err = kipc_test_put(test, &t, 100, n)))
		n++;
	KUNIT_EXPECT_EQ(test, err, -EAGAIN);
	/* 100 bytes take 8 + 104: the ring holds 36 of them. */
	KUNIT_EXPECT_EQ(test, n, (u32)(PAGE_SIZE / 112));
	KUNIT_EXPECT_LE(test, t.ring->tail - t.ring->head, t.cap);
	for (i = 0; i < n; i++)
		kipc_test_get_check(test, &t, 100, i);
	KUNIT_EXPECT_EQ(test, kipc_chan_test_get(t.obj, 0, t.uout, 100, &got),
			-EAGAIN);
	kipc_test_chan_fini(&t);
}

/* Too small a buffer: EMSGSIZE, the length, and the message stays. */
static void kipc_chan_ring_emsgsize(struct kunit *test)
{
	struct kipc_test_chan t;
	u32 got = 0, head;

	kipc_test_chan_init(test, &t, PAGE_SIZE, 0);
	KUNIT_ASSERT_EQ(test, kipc_test_put(test, &t, 100, 9), 0);
	head = t.ring->head;
	KUNIT_EXPECT_EQ(test, kipc_chan_test_get(t.obj, 0, t.uout, 99, &got),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, got, 100U);
	KUNIT_EXPECT_EQ(test, t.ring->head, head);
	kipc_test_get_check(test, &t, 100, 9);
	kipc_test_chan_fini(&t);
}

/* The free-running indices cross 2^32 without a hitch. */
static void kipc_chan_ring_index_overflow(struct kunit *test)
{
	struct kipc_test_chan t;
	u32 i;

	kipc_test_chan_init(test, &t, PAGE_SIZE, 0);
	t.ring->head = 0xfffff000U;
	t.ring->tail = 0xfffff000U;
	for (i = 0; i < 100; i++) {
		KUNIT_ASSERT_EQ(test, kipc_test_put(test, &t, 200, i), 0);
		KUNIT_ASSERT_EQ(test, kipc_test_put(test, &t, 13, i + 1), 0);
		kipc_test_get_check(test, &t, 200, i);
		kipc_test_get_check(test, &t, 13, i + 1);
	}
	KUNIT_EXPECT_LT(test, t.ring->tail, 0x10000U);
	kipc_test_chan_fini(&t);
}

/* Indices or lengths that make no sense: EIO, and nothing is touched. */
static void kipc_chan_ring_corrupt(struct kunit *test)
{
	struct kipc_chan_msghdr *hdr;
	struct kipc_test_chan t;
	u32 got;

	kipc_test_chan_init(test, &t, PAGE_SIZE, 1000);
	t.ring->tail = 4;				/* misaligned */
	KUNIT_EXPECT_EQ(test, kipc_test_put(test, &t, 8, 0), -EIO);
	KUNIT_EXPECT_EQ(test, kipc_chan_test_get(t.obj, 0, t.uout, 8, &got),
			-EIO);
	t.ring->tail = t.cap + 8;			/* more than the capacity */
	KUNIT_EXPECT_EQ(test, kipc_test_put(test, &t, 8, 0), -EIO);
	KUNIT_EXPECT_EQ(test, kipc_chan_test_get(t.obj, 0, t.uout, 8, &got),
			-EIO);
	t.ring->tail = 0;
	KUNIT_ASSERT_EQ(test, kipc_test_put(test, &t, 16, 0), 0);
	hdr = (void *)t.data;
	hdr->len = 1001;				/* above max_msg */
	KUNIT_EXPECT_EQ(test, kipc_chan_test_get(t.obj, 0, t.uout,
						 KIPC_TEST_UBUF, &got), -EIO);
	hdr->len = 100;					/* past the tail */
	KUNIT_EXPECT_EQ(test, kipc_chan_test_get(t.obj, 0, t.uout,
						 KIPC_TEST_UBUF, &got), -EIO);
	KUNIT_EXPECT_EQ(test, t.ring->head, 0U);
	hdr->len = 16;
	kipc_test_get_check(test, &t, 16, 0);
	kipc_test_chan_fini(&t);
}

/* A bad user buffer: EFAULT and nothing published or consumed. */
static void kipc_chan_ring_efault(struct kunit *test)
{
	struct kipc_test_chan t;
	u32 got;

	kipc_test_chan_init(test, &t, PAGE_SIZE, 0);
	KUNIT_EXPECT_EQ(test, kipc_chan_test_put(t.obj, 0, NULL, 10), -EFAULT);
	KUNIT_EXPECT_EQ(test, t.ring->tail, 0U);
	KUNIT_ASSERT_EQ(test, kipc_test_put(test, &t, 10, 3), 0);
	KUNIT_EXPECT_EQ(test, kipc_chan_test_get(t.obj, 0, NULL, 10, &got),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, t.ring->head, 0U);
	kipc_test_get_check(test, &t, 10, 3);
	kipc_test_chan_fini(&t);
}

/* Attributes: rounding, defaults, limits. */
static void kipc_chan_attrs(struct kunit *test)
{
	struct kipc_channel_attr a = { .capacity = { 5000, 0 } };
	struct kipc_object *obj;
	u32 cap;
	u8 *data;

	obj = kipc_object_new(&kipc_channel_type, &a, NULL, 0, 0600);
	KUNIT_ASSERT_FALSE(test, IS_ERR(obj));
	kipc_chan_test_ring(obj, 0, &data, &cap);
	KUNIT_EXPECT_EQ(test, cap, 8192U);
	kipc_chan_test_ring(obj, 1, &data, &cap);
	KUNIT_EXPECT_EQ(test, cap, KIPC_CHAN_DEFAULT_CAPACITY);
	KUNIT_EXPECT_EQ(test, obj->charge,
			(u64)PAGE_SIZE + 8192 + KIPC_CHAN_DEFAULT_CAPACITY);
	kipc_object_put(obj);

	a.capacity[0] = 4096;
	a.max_msg[0] = 4096 - 7;
	obj = kipc_object_new(&kipc_channel_type, &a, NULL, 0, 0600);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(obj), -EINVAL);
	a.max_msg[0] = 0;
	a.capacity[1] = kipc_max_channel_capacity + 1;
	obj = kipc_object_new(&kipc_channel_type, &a, NULL, 0, 0600);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(obj), -EINVAL);
}

static struct kunit_case kipc_chan_cases[] = {
	KUNIT_CASE(kipc_chan_ring_wraps),
	KUNIT_CASE(kipc_chan_ring_double_mapped),
	KUNIT_CASE(kipc_chan_ring_full_empty),
	KUNIT_CASE(kipc_chan_ring_emsgsize),
	KUNIT_CASE(kipc_chan_ring_index_overflow),
	KUNIT_CASE(kipc_chan_ring_corrupt),
	KUNIT_CASE(kipc_chan_ring_efault),
	KUNIT_CASE(kipc_chan_attrs),
	{}
};

static struct kunit_suite kipc_chan_suite = {
	.name = "kipc_channel",
	.test_cases = kipc_chan_cases,
};

kunit_test_suites(&kipc_name_suite, &kipc_perm_suite, &kipc_account_suite,
		  &kipc_registry_suite, &kipc_event_suite, &kipc_prioq_suite,
		  &kipc_chan_suite);
#else
kunit_test_suites(&kipc_name_suite, &kipc_perm_suite, &kipc_account_suite,
		  &kipc_registry_suite, &kipc_event_suite, &kipc_prioq_suite);
#endif

MODULE_IMPORT_NS(KIPC_KUNIT_NS);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of kipc's internals");
