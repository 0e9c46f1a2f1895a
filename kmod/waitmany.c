// SPDX-License-Identifier: GPL-2.0
/*
 * KIPC_IOC_WAIT_MANY: wait for any one, or all, of several objects, taking
 * each as waiting on it alone would (see the uapi header for what that
 * means per type).
 *
 * A wait for many never queues on an object's own FIFO of waiters: those
 * are served first, and it takes what is left.  It registers on every
 * object's poll wait queue through vfs_poll() with poll(2)'s own poll
 * table, which also arms semaphores and mutexes so that the posts and
 * unlocks user space makes come to the kernel and wake it.  Then it
 * tries.  With an object's lock held, &kipc_wm_ops.prepare closes the
 * object's user-space fast path and says whether it can be taken, .take
 * takes it and .finish reopens the fast path.
 *
 * Any: the objects one at a time, in array order; the first that can be
 * taken is.  All: every object's lock at once, so that all are seen in
 * one state and taken together or not at all.  All-waits are serialized
 * by kipc_wm_all_lock and take the objects' locks in (type, id) order,
 * so lockdep sees each lock class nested once under that mutex.  Objects
 * without &kipc_type.wm (queues, channels, pipes) are ready while poll
 * says readable; nothing is taken from them.
 *
 * Nothing is held while the waiter sleeps.  Every wake-up polls and tries
 * again from the start, so a wake-up that finds nothing to take (another
 * task was faster) costs a retry, never a lost object.
 *
 * The entries on the poll wait queues are kipc's own (&struct
 * kipc_poll_sleeper, one or two per object in its item), not poll(2)'s:
 * they wake the task as pollwake() does, and they let the netlink family
 * list the task, from its first poll to its return, as a waiter of every
 * object it waits for (KIPC_WAITER_A_MANY).
 *
 * Locking: see docs/design.md, section 7.  An all-wait holds
 * kipc_wm_all_lock, then takes the objects' spinlocks in kipc_wm_cmp()
 * order (type, then id).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/kipc_netlink.h>
#include <kunit/visibility.h>

#include "kipc.h"

/* The largest struct kipc_wait_obj a caller may claim to know. */
#define KIPC_WAIT_OBJ_SIZE_MAX	4096

/* Returned by the tries when nothing could be taken: sleep. */
#define KIPC_WM_NONE		1

/* Readiness of an object the wait takes nothing from. */
#define KIPC_WM_READABLE	(EPOLLIN | EPOLLRDNORM | EPOLLHUP | EPOLLERR)

static DEFINE_MUTEX(kipc_wm_all_lock);

/* The most wait queues one object's poll registers on (a pipe's two). */
#define KIPC_WM_QUEUES		2

/**
 * struct kipc_wm_item - one object of a wait for many
 * @file: its file, referenced until the wait ends
 * @obj: its object
 * @uo: the caller's struct in, the results out
 * @mask: what its poll said last
 * @wake: its pollers must be woken once the locks are dropped
 * @nr_queued: the entries of @queued in use
 * @queued: the task's entries on the object's poll wait queues
 */
struct kipc_wm_item {
	struct file *file;
	struct kipc_object *obj;
	struct kipc_wait_obj uo;
	__poll_t mask;
	bool wake;
	u32 nr_queued;
	struct kipc_poll_sleeper queued[KIPC_WM_QUEUES];
};

/**
 * struct kipc_wm - a wait for many in progress
 * @items: the objects, in the caller's order
 * @order: the same objects in lock order: type, then id
 * @n: their number
 * @index: the index to report in struct kipc_wait_many
 * @recheck_ms: the shortest &kipc_wm_ops.recheck_ms among them, 0: none
 * @pt: the poll table of the first pass, whose queue function is
 *	kipc_wm_queue(); later passes only poll
 * @polling: the item being polled, for kipc_wm_queue()
 * @since: ktime_get_ns() when the wait began, reported per object
 * @triggered: set by a wake-up, cleared before each new look
 * @error: -ENOMEM if an object's poll had more queues than an item holds
 */
struct kipc_wm {
	struct kipc_wm_item *items;
	struct kipc_wm_item **order;
	u32 n;
	u32 index;
	unsigned int recheck_ms;
	poll_table pt;
	struct kipc_wm_item *polling;
	u64 since;
	int triggered;
	int error;
};

/* ---- gathering the objects ------------------------------------------------ */

static int kipc_wm_cmp(const void *a, const void *b)
{
	const struct kipc_object *x = (*(struct kipc_wm_item * const *)a)->obj;
	const struct kipc_object *y = (*(struct kipc_wm_item * const *)b)->obj;

	if (x->type->type != y->type->type)
		return x->type->type < y->type->type ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

/* Copy in, check and reference object @i. */
static int kipc_wm_get_one(struct kipc_wm *wm, u32 i, const u8 __user *uobjs,
			   u32 size)
{
	struct kipc_wm_item *it = &wm->items[i];
	const struct kipc_wm_ops *ops;
	struct kipc_object *obj;
	int err;

	err = kipc_copy_in(&it->uo, sizeof(it->uo), KIPC_WAIT_OBJ_SIZE_VER0,
			   uobjs + (size_t)i * size, size);
	if (err)
		return err;
	if (!kipc_args_clean(it->uo.flags, 0, it->uo.reserved,
			     sizeof(it->uo.reserved)))
		return -EINVAL;
	obj = kipc_fget_obj(it->uo.fd, &it->file);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	it->obj = obj;
	ops = obj->type->wm;
	if (!ops && !obj->type->poll)
		return -EINVAL;		/* region, cond: nothing to wait for */
	if (!(it->file->f_mode & FMODE_READ))
		return -EBADF;
	if (ops && ops->recheck_ms &&
	    (!wm->recheck_ms || ops->recheck_ms < wm->recheck_ms))
		wm->recheck_ms = ops->recheck_ms;
	it->uo.ready = 0;
	it->uo.error = 0;
	it->uo.value = 0;
	wm->order[i] = it;
	return 0;
}

/*
 * Copy in the caller's objects and take a reference to each file; sort
 * them into lock order and refuse the same object twice.
 */
static int kipc_wm_get(struct kipc_wm *wm, const u8 __user *uobjs, u32 size)
{
	u32 i;
	int err;

	for (i = 0; i < wm->n; i++) {
		err = kipc_wm_get_one(wm, i, uobjs, size);
		if (err)
			return err;
	}
	sort(wm->order, wm->n, sizeof(*wm->order), kipc_wm_cmp, NULL);
	for (i = 1; i < wm->n; i++)
		if (wm->order[i]->obj == wm->order[i - 1]->obj)
			return -EINVAL;
	return 0;
}

static void kipc_wm_put(struct kipc_wm *wm)
{
	u32 i;

	for (i = 0; i < wm->n; i++)
		if (wm->items[i].file)
			fput(wm->items[i].file);
}

/* Write each object's results back; the caller checked it can. */
static int kipc_wm_copy_out(struct kipc_wm *wm, u8 __user *uobjs, u32 size)
{
	u32 i;
	int err;

	for (i = 0; i < wm->n; i++) {
		err = kipc_copy_out(uobjs + (size_t)i * size, size,
				    &wm->items[i].uo, sizeof(wm->items[i].uo));
		if (err)
			return err;
	}
	return 0;
}

/* ---- trying ---------------------------------------------------------------- */

static spinlock_t *kipc_wm_lock_of(struct kipc_wm_item *it)
{
	return it->obj->type->wm->lock(it->obj);
}

/*
 * Whether @it can be taken now: 1, 0 or a -errno.  Its lock is held if it
 * has one; objects without one are ready while their last poll said so.
 */
static int kipc_wm_prepare(struct kipc_wm_item *it)
{
	const struct kipc_wm_ops *ops = it->obj->type->wm;

	if (!ops)
		return !!(it->mask & KIPC_WM_READABLE);
	lockdep_assert_held(ops->lock(it->obj));
	return ops->prepare(it->obj);
}

/* Take @it, which kipc_wm_prepare() found ready; returns its error. */
static int kipc_wm_take(struct kipc_wm_item *it)
{
	const struct kipc_wm_ops *ops = it->obj->type->wm;

	it->uo.ready = 1;
	if (ops) {
		lockdep_assert_held(ops->lock(it->obj));
		it->uo.error = ops->take(it->obj, &it->uo.value);
	}
	return it->uo.error;
}

static void kipc_wm_finish(struct kipc_wm_item *it)
{
	const struct kipc_wm_ops *ops = it->obj->type->wm;

	if (ops)
		lockdep_assert_held(ops->lock(it->obj));
	it->wake = ops && ops->finish(it->obj) && ops->wake;
}

/* Wake what kipc_wm_finish() asked for, once the object's lock is dropped. */
static void kipc_wm_wake(struct kipc_wm_item *it)
{
	if (!it->wake)
		return;
	lockdep_assert_not_held(kipc_wm_lock_of(it));
	it->obj->type->wm->wake(it->obj);
	it->wake = false;
}

/*
 * Any: try the objects in the caller's order, one lock at a time.
 *
 * Return: 0 or -EOWNERDEAD when one was taken; KIPC_WM_NONE; a -errno
 * that ends the wait (@wm->index names the object in all three cases).
 */
static int kipc_wm_try_any(struct kipc_wm *wm)
{
	struct kipc_wm_item *it;
	spinlock_t *lock;	/* the object's, if it has one */
	int ret;
	u32 i;

	for (i = 0; i < wm->n; i++) {
		it = &wm->items[i];
		lock = it->obj->type->wm ? kipc_wm_lock_of(it) : NULL;
		if (lock)
			spin_lock(lock);
		ret = kipc_wm_prepare(it);
		if (ret > 0)
			ret = kipc_wm_take(it);
		else if (!ret)
			ret = KIPC_WM_NONE;
		kipc_wm_finish(it);
		if (lock)
			spin_unlock(lock);
		kipc_wm_wake(it);
		if (ret != KIPC_WM_NONE) {
			wm->index = i;
			return ret;
		}
	}
	return KIPC_WM_NONE;
}

static void kipc_wm_lock_all(struct kipc_wm *wm)
{
	u32 i;

	lockdep_assert_held(&kipc_wm_all_lock);
	for (i = 0; i < wm->n; i++)
		if (wm->order[i]->obj->type->wm)
			spin_lock_nest_lock(kipc_wm_lock_of(wm->order[i]),
					    &kipc_wm_all_lock);
}

static void kipc_wm_unlock_all(struct kipc_wm *wm)
{
	u32 i = wm->n;

	while (i--)
		if (wm->order[i]->obj->type->wm)
			spin_unlock(kipc_wm_lock_of(wm->order[i]));
}

/* All: every lock held; take every object if each is ready. */
static int kipc_wm_take_all_locked(struct kipc_wm *wm)
{
	int ret = 0, r, err = 0;
	bool none = false;
	u32 i;

	lockdep_assert_held(&kipc_wm_all_lock);
	for (i = 0; i < wm->n; i++) {
		r = kipc_wm_prepare(&wm->items[i]);
		if (r < 0 && !err) {
			err = r;
			wm->index = i;
		}
		none |= !r;
	}
	if (err)
		return err;
	if (none)
		return KIPC_WM_NONE;
	for (i = 0; i < wm->n; i++) {
		r = kipc_wm_take(&wm->items[i]);
		if (r && !ret) {
			ret = r;
			wm->index = i;
		}
	}
	return ret;
}

/*
 * All: see every object in one state, under all their locks, and take
 * them all or none.
 *
 * Return: 0 or -EOWNERDEAD when all were taken; KIPC_WM_NONE; a -errno
 * that ends the wait.
 */
static int kipc_wm_try_all(struct kipc_wm *wm)
{
	int ret;
	u32 i;

	mutex_lock(&kipc_wm_all_lock);
	kipc_wm_lock_all(wm);
	ret = kipc_wm_take_all_locked(wm);
	for (i = 0; i < wm->n; i++)
		kipc_wm_finish(&wm->items[i]);
	kipc_wm_unlock_all(wm);
	mutex_unlock(&kipc_wm_all_lock);
	for (i = 0; i < wm->n; i++)
		kipc_wm_wake(&wm->items[i]);
	return ret;
}

/* ---- waiting ---------------------------------------------------------------- */

/* What a task waiting for @it is reported waiting for. */
static u32 kipc_wm_what(struct kipc_wm_item *it)
{
	const struct kipc_wm_ops *ops = it->obj->type->wm;

	return ops ? ops->what : KIPC_WAITFOR_RECEIVE;
}

/*
 * The poll table's queue function, on the first pass: put one of the
 * item's entries on @head.  The object is reported once, with its first
 * queue.
 */
static void kipc_wm_queue(struct file *file, wait_queue_head_t *head,
			  poll_table *pt)
{
	struct kipc_wm *wm = container_of(pt, struct kipc_wm, pt);
	struct kipc_wm_item *it = wm->polling;
	u32 what = it->nr_queued ? 0 : kipc_wm_what(it);

	if (WARN_ON_ONCE(it->nr_queued == KIPC_WM_QUEUES)) {
		wm->error = -ENOMEM;
		return;
	}
	kipc_poll_sleeper_add(&it->queued[it->nr_queued++], head, pt->_key,
			      what, wm->since, &wm->triggered);
}

/* Take every entry kipc_wm_queue() put on a wait queue off it. */
static void kipc_wm_unqueue(struct kipc_wm *wm)
{
	struct kipc_wm_item *it;
	u32 i;

	for (i = 0; i < wm->n; i++) {
		it = &wm->items[i];
		while (it->nr_queued)
			kipc_poll_sleeper_del(&it->queued[--it->nr_queued]);
	}
}

static void kipc_wm_poll(struct kipc_wm *wm, poll_table *pt)
{
	u32 i;

	for (i = 0; i < wm->n; i++) {
		wm->polling = &wm->items[i];
		wm->items[i].mask = vfs_poll(wm->items[i].file, pt);
	}
}

/* Sleep until a poll wake-up, @deadline or the next recheck. */
static void kipc_wm_sleep(struct kipc_wm *wm, ktime_t deadline)
{
	set_current_state(TASK_INTERRUPTIBLE);
	if (!READ_ONCE(wm->triggered))
		kipc_sleep(deadline, wm->recheck_ms);
	__set_current_state(TASK_RUNNING);
	/* As poll(2): a wake-up after this point is seen at the next check. */
	smp_store_mb(wm->triggered, 0);
}

/*
 * Poll every object (the first pass queues the task's entries on their
 * wait queues and every pass arms them), try, and sleep until woken;
 * again until taken.
 */
static int kipc_wm_wait(struct kipc_wm *wm, bool all, bool nonblock,
			ktime_t deadline)
{
	int ret;

	wm->since = ktime_get_ns();
	init_poll_funcptr(&wm->pt, kipc_wm_queue);
	for (;;) {
		kipc_wm_poll(wm, &wm->pt);
		wm->pt._qproc = NULL;
		ret = all ? kipc_wm_try_all(wm) : kipc_wm_try_any(wm);
		if (ret != KIPC_WM_NONE)
			break;
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		if (wm->error) {
			ret = wm->error;
			break;
		}
		ret = kipc_wait_interrupted(deadline, false);
		if (ret)
			break;
		kipc_wm_sleep(wm, deadline);
	}
	kipc_wm_unqueue(wm);
	return ret;
}

/* Results are written back for these outcomes, and only for these. */
static bool kipc_wm_reports(int ret)
{
	return !ret || ret == -EOWNERDEAD || ret == -EDEADLK ||
	       ret == -ENOTRECOVERABLE;
}

static int kipc_wm_check(const struct kipc_wait_many *h, ktime_t *deadline)
{
	if (!kipc_args_clean(h->flags & ~(KIPC_WAIT_FLAGS | KIPC_WAIT_ALL), 0,
			     h->reserved, sizeof(h->reserved)))
		return -EINVAL;
	if (!h->count || h->count > READ_ONCE(kipc_max_wait_objects))
		return -EINVAL;
	if (h->obj_size < KIPC_WAIT_OBJ_SIZE_VER0 ||
	    h->obj_size > KIPC_WAIT_OBJ_SIZE_MAX)
		return -EINVAL;
	return kipc_check_wait(h->flags & KIPC_WAIT_FLAGS, &h->deadline,
			       deadline);
}

/* Gather, check that the results can be written, and wait. */
static int kipc_wm_run(struct kipc_wm *wm, struct kipc_wait_many *h,
		       ktime_t deadline)
{
	u8 __user *uobjs = u64_to_user_ptr(h->objs);
	int err;

	err = kipc_wm_get(wm, uobjs, h->obj_size);
	if (err)
		return err;
	/* Fail on read-only memory before anything is taken. */
	err = kipc_wm_copy_out(wm, uobjs, h->obj_size);
	if (err)
		return err;
	err = kipc_wm_wait(wm, h->flags & KIPC_WAIT_ALL,
			   h->flags & KIPC_WAIT_NONBLOCK, deadline);
	h->index = wm->index;
	if (kipc_wm_reports(err) && kipc_wm_copy_out(wm, uobjs, h->obj_size))
		return -EFAULT;
	return err;
}

/**
 * kipc_ioc_wait_many() - KIPC_IOC_WAIT_MANY on /dev/kipc
 * @arg: user pointer to a struct kipc_wait_many
 * @usize: its size as the caller knows it
 *
 * Waits for any one or all of the objects and takes them (see the uapi
 * header).  Each object's fd must be readable.  Nothing is taken unless
 * the call returns 0 or -EOWNERDEAD (or -EFAULT if the results could not
 * be written back after the objects were taken: the caller's memory
 * changed under it).
 *
 * Return: 0; -EOWNERDEAD (taken; a mutex's owner had died); -EINVAL for
 * bad flags, reserved bits, count, object size, an fd that is no kipc
 * object or one that cannot be waited for (region, cond), or the same
 * object twice; -EBADF (bad or write-only fd); -E2BIG; -EFAULT; -ENOMEM;
 * -EDEADLK or -ENOTRECOVERABLE (a mutex; index says which); -EAGAIN
 * (KIPC_WAIT_NONBLOCK, or a recursive mutex's depth at its maximum);
 * -ETIMEDOUT; -ERESTARTSYS.
 */
long kipc_ioc_wait_many(void __user *arg, unsigned int usize)
{
	struct kipc_wait_many h;
	struct kipc_wm wm = {};
	ktime_t deadline;
	int err, ret;

	err = kipc_copy_in(&h, sizeof(h), KIPC_WAIT_MANY_SIZE_VER0, arg, usize);
	if (err)
		return err;
	err = kipc_wm_check(&h, &deadline);
	if (err)
		return err;
	h.index = 0;
	err = kipc_copy_out(arg, usize, &h, sizeof(h));
	if (err)
		return err;

	wm.n = h.count;
	wm.items = kvcalloc(wm.n, sizeof(*wm.items) + sizeof(*wm.order),
			    GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!wm.items)
		return -ENOMEM;
	wm.order = (struct kipc_wm_item **)(wm.items + wm.n);

	ret = kipc_wm_run(&wm, &h, deadline);
	kipc_wm_put(&wm);
	kvfree(wm.items);
	if (kipc_wm_reports(ret) && kipc_copy_out(arg, usize, &h, sizeof(h)))
		return -EFAULT;
	return ret;
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * kipc_wm_test_try() - one try of a wait for many, without files, for
 *	KUnit
 * @objs: objects of types that a wait for many takes (events,
 *	semaphores, mutexes); no object twice
 * @n: their number, 1 to 16
 * @all: all of them, else any one
 * @res: out: @n results (ready, error, value), as the ioctl gives them
 * @index: out: the index the ioctl would report
 *
 * Return: 0 or -EOWNERDEAD when taken; KIPC_WM_NONE (1) when nothing
 * was; -EINVAL for bad arguments; another -errno that ends a wait.
 */
int kipc_wm_test_try(struct kipc_object **objs, u32 n, bool all,
		     struct kipc_wait_obj *res, u32 *index)
{
	struct kipc_wm_item *order[16];
	struct kipc_wm_item *items;
	struct kipc_wm wm = { .order = order, .n = n };
	int ret = 0;
	u32 i;

	if (!n || n > ARRAY_SIZE(order))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!objs[i]->type->wm)
			return -EINVAL;
	/* Too big for the stack with their poll entries. */
	items = kcalloc(n, sizeof(*items), GFP_KERNEL);
	if (!items)
		return -ENOMEM;
	wm.items = items;
	for (i = 0; i < n; i++) {
		items[i].obj = objs[i];
		order[i] = &items[i];
	}
	sort(order, n, sizeof(*order), kipc_wm_cmp, NULL);
	ret = all ? kipc_wm_try_all(&wm) : kipc_wm_try_any(&wm);
	for (i = 0; i < n; i++)
		res[i] = items[i].uo;
	*index = wm.index;
	kfree(items);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_wm_test_try);
#endif
