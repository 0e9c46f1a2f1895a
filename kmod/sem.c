// SPDX-License-Identifier: GPL-2.0
/*
 * Semaphores: a counting semaphore whose state user space may change with
 * compare-and-swap, entering the kernel only to sleep, to wake and to undo.
 *
 * The state word (struct kipc_sem_shared.state, in a page every fd may
 * map) holds the value in its low 32 bits and, in its high 32, the
 * number of tasks queued in the kernel.  User space takes and gives units
 * only while the high half is 0; the kernel changes the word only under
 * the semaphore's lock, always with a compare-and-swap of the whole word,
 * so that it never loses a concurrent user-space update.
 *
 * The word is never trusted.  A writer of the mapping may store anything
 * in it, so every kernel update reads the value, clamps it to the maximum,
 * and writes the high half from the kernel's own count of queued waiters
 * (plus one while poll is armed, below).  The kernel's FIFO of waiters and
 * its counters live in kernel memory only: garbage in the word can make
 * user space's own fast path misbehave (a waiter not woken by a post that
 * stayed in user space), but it cannot corrupt a kernel list or make the
 * kernel's count underflow.  A value found above 0 while waiters are
 * queued (only garbage makes that) is handed to those waiters at the next
 * kernel operation.
 *
 * Every entry rewrites the word so, whatever its outcome: a post refused
 * with EOVERFLOW, a wait that finds nothing (EAGAIN) or times out, a call
 * refused for its arguments or the fd's access (kipc_sem_refuse()), an
 * info query, fdinfo and poll, as well as every wait and post that
 * succeeds.  A wait for many polls the semaphore first.  What never
 * reaches this file leaves the word alone: an ioctl struct below its first
 * version (refused by kipc_ioc_dispatch()), a read or write the VFS
 * refuses for the fd's mode, OBJ_INFO and REOPEN, mmap, and a close with
 * no undo to apply.
 *
 * poll/epoll: readable while the value is above 0.  A post made in user
 * space never enters the kernel, so a poller would miss it.  Hence, when
 * poll finds the value at 0, it "arms": it adds one to the high half of
 * the word, which sends every later post (and wait) through the kernel.
 * The next post through the kernel that leaves a value above 0 disarms
 * and wakes the pollers, who poll again (and arm again if the value is
 * back at 0).  An armed semaphore with nobody polling any more costs one
 * system call, on the next post.  Edge-triggered epoll sees posts that go
 * through the kernel; a value taken to 0 and raised again in user space
 * while it reads readable produces no new edge.
 *
 * Signals (O_ASYNC, KIPC_IOC_NOTIFY, signal.c) arm the same way, but stay
 * armed, whatever the value, while a registration or an O_ASYNC file
 * exists: then every post and wait comes through the kernel, and each
 * post that leaves the value above 0 signals.  The arming ends at the
 * first kernel call after the last registration went.
 *
 * KIPC_IOC_WAIT_MANY takes units through kipc_sem_wm_ops, with the fast
 * path closed (one more in the high half) while it holds the lock.  A try
 * that finds the value at 0 arms, as poll does: the unit its poll saw may
 * have been taken in user space since, and the post that brings one back
 * must wake it.
 *
 * Undo: KIPC_SEM_UNDO records, per process (thread group) and semaphore,
 * the net units the process took (to give back) or gave (to take back).
 * At most one record exists per process and semaphore, allocated before
 * the lock is taken and charged to the memory cgroup of the process that
 * makes it; a record whose net reaches 0 is freed.  The record is applied
 * when the process closes its last fd of the semaphore: .flush runs at
 * every close(2) of an fd (exit included) in the closing process, which
 * then looks in its fd table for another fd of the same semaphore.  At
 * exit the fd table is already detached from the task; then the first
 * close applies the record (the process can do nothing more).  A process
 * that shares its fd table with another process (clone(CLONE_FILES)
 * without CLONE_THREAD) and exits first keeps its record until the
 * semaphore is freed.  Likewise a record made by an operation that races
 * with the close of the process's last fd (another thread closes it
 * during the call) stays until the process closes another fd of the
 * semaphore, or until the semaphore is freed.  Records are bounded by
 * the processes that hold an fd: one each.
 *
 * Locking: see docs/design.md, section 7.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/kipc_netlink.h>
#include <net/netlink.h>
#include <kunit/visibility.h>

#include "kipc.h"

/**
 * struct kipc_sem_undo - pending undo of one process on one semaphore
 * @node: link in &kipc_sem.undos
 * @tgid: the process
 * @adj: units to give back (> 0: the process took them) or to take back
 *	(< 0: the process gave them), saturated
 */
struct kipc_sem_undo {
	struct list_head node;
	struct pid *tgid;
	s64 adj;
};

/**
 * struct kipc_sem_obj - a semaphore object
 * @obj: the common part
 * @lock: protects every field below and every kernel update of the state
 *	word.  Under it only the scheduler's locks (to wake a waiter) and,
 *	in an all-wait, other objects' locks are taken; the fd table lock
 *	of .flush and the poll wait queue's lock are taken without it
 *	(docs/design.md, section 7).
 * @waiters: tasks blocked in KIPC_SEM_IOC_WAIT, oldest first
 * @poll_wq: poll/epoll waiters; woken, outside @lock, by kernel posts
 * @page: the page user space maps (struct kipc_sem_shared)
 * @state: the state word in @page
 * @max: the maximum value
 * @armed: poll found the value at 0 and added one to the word's high half
 * @undos: the pending undo records
 * @nundo: their number
 *
 * Its counters (&kipc_object.counters, under @lock) see only the kernel:
 * msgs_in, the units posted through it (KIPC_SEM_INFO's posts); msgs_out,
 * the units taken in it (KIPC_SEM_INFO's waits); contended, those of them
 * handed to a queued waiter; waits and timeouts, counted by
 * kipc_waitq_sleep().  Units given and taken in user space on the mapped
 * word are not seen.
 */
struct kipc_sem_obj {
	struct kipc_object obj;
	spinlock_t lock; /* protects all below */
	struct kipc_waitq waiters;
	wait_queue_head_t poll_wq;
	struct page *page;
	atomic64_t *state;
	u32 max;
	bool armed;
	struct list_head undos;
	unsigned int nundo;
};

static struct kipc_sem_obj *to_sem(struct kipc_object *obj)
{
	return container_of(obj, struct kipc_sem_obj, obj);
}

/* The value a word holds, as the kernel understands it: at most the max. */
static u32 kipc_sem_value(const struct kipc_sem_obj *s, u64 word)
{
	return min_t(u32, (u32)word, s->max);
}

/* The word for @value with the kernel's own waiters half; lock held. */
static u64 kipc_sem_word(const struct kipc_sem_obj *s, u32 value)
{
	lockdep_assert_held(&s->lock);
	return (u64)(s->waiters.count + s->armed) << 32 | value;
}

/*
 * Give @n units, to the queued waiters first and the rest to the value;
 * lock held.  A value already in the word while waiters are queued goes
 * to them too.  With @strict, -EOVERFLOW if the rest does not fit under
 * the maximum (nothing changes); otherwise the excess is dropped.
 * *@value gets the value after; *@wake is set if pollers must be woken.
 * With @n = 0 this rewrites the word from the kernel's state.
 */
static int kipc_sem_give(struct kipc_sem_obj *s, u32 n, bool strict, u32 *value,
			 bool *wake)
{
	u64 old, new, cur = atomic64_read(s->state);
	bool sticky = kipc_signal_armed(&s->obj, 0);
	u32 grants, armed;
	u64 total;

	lockdep_assert_held(&s->lock);
	do {
		old = cur;
		total = (u64)kipc_sem_value(s, old) + n;
		grants = min_t(u64, total, s->waiters.count);
		total -= grants;
		if (total > s->max) {
			if (strict)
				return -EOVERFLOW;
			total = s->max;
		}
		armed = s->armed && (!total || sticky);
		new = (u64)(s->waiters.count - grants + armed) << 32 | total;
		cur = atomic64_cmpxchg(s->state, old, new);
	} while (cur != old);

	/*
	 * Pollers are woken by a post, and by a rewrite (@n 0) that disarms;
	 * a rewrite that leaves units where they were has no news for them.
	 */
	if (total && (n || (s->armed && !sticky)))
		*wake = true;
	if (total && !sticky)
		s->armed = false;
	kipc_count(&s->obj.counters.msgs_out, grants);
	kipc_count(&s->obj.counters.contended, grants);
	while (grants--)
		kipc_waitq_wake_one(&s->waiters, 0);
	*value = total;
	return 0;
}

/*
 * Wake poll/epoll and wait-many waiters after a post; called after
 * dropping @s->lock.  A post with nobody polling skips the wait queue's
 * lock: a poller queues itself before it reads the value under @s->lock
 * (kipc_sem_poll()), so either it saw this post's units or this sees it.
 */
static void kipc_sem_wake_pollers(struct kipc_sem_obj *s)
{
	lockdep_assert_not_held(&s->lock);
	if (wq_has_sleeper(&s->poll_wq))
		wake_up_interruptible_poll(&s->poll_wq, EPOLLIN | EPOLLRDNORM);
	kipc_signal_ready(&s->obj, 0, POLL_IN);
}

/* Rewrite the word from the kernel's state; lock held. */
static u32 kipc_sem_repair_locked(struct kipc_sem_obj *s, bool *wake)
{
	u32 v;

	lockdep_assert_held(&s->lock);
	kipc_sem_give(s, 0, false, &v, wake);
	return v;
}

/*
 * The end of every call that took @s->lock: drop it, then wake the
 * pollers if the call asked to and free the spare undo record @spare if
 * the call did not use it (no call at all without one).
 */
static void kipc_sem_unlock(struct kipc_sem_obj *s, bool wake,
			    struct kipc_sem_undo *spare)
	__releases(&s->lock)
{
	lockdep_assert_held(&s->lock);
	spin_unlock(&s->lock);
	if (wake)
		kipc_sem_wake_pollers(s);
	if (unlikely(spare))	/* no call on the common path */
		kfree(spare);
}

/*
 * A call refused before it took the lock (bad arguments, the fd's access,
 * a fault, no memory) still repairs the word.  Returns @err.
 */
static int kipc_sem_refuse(struct kipc_sem_obj *s, int err)
{
	bool wake = false;

	spin_lock(&s->lock);
	kipc_sem_repair_locked(s, &wake);
	kipc_sem_unlock(s, wake, NULL);
	return err;
}

/* Take back up to @n units, never below 0; lock held.  Returns the value. */
static u32 kipc_sem_take_back(struct kipc_sem_obj *s, u64 n)
{
	u64 old, cur = atomic64_read(s->state);
	u32 v, take;

	lockdep_assert_held(&s->lock);
	do {
		old = cur;
		v = kipc_sem_value(s, old);
		take = min_t(u64, v, n);
		cur = atomic64_cmpxchg(s->state, old, kipc_sem_word(s, v - take));
	} while (cur != old);
	return v - take;
}

/* ---- undo -------------------------------------------------------------- */

static struct kipc_sem_undo *kipc_sem_undo_find(struct kipc_sem_obj *s,
						struct pid *tgid)
{
	struct kipc_sem_undo *u;

	lockdep_assert_held(&s->lock);
	list_for_each_entry(u, &s->undos, node)
		if (u->tgid == tgid)
			return u;
	return NULL;
}

static void kipc_sem_undo_free(struct kipc_sem_undo *u)
{
	put_pid(u->tgid);
	kfree(u);
}

/*
 * Record @delta for the current process; lock held.  *@spare is a record
 * allocated beforehand, taken (set to NULL) if the process has none yet.
 */
static void kipc_sem_undo_add(struct kipc_sem_obj *s, struct kipc_sem_undo **spare,
			      s64 delta)
{
	struct pid *tgid = task_tgid(current);
	struct kipc_sem_undo *u = kipc_sem_undo_find(s, tgid);
	s64 adj;

	lockdep_assert_held(&s->lock);
	if (!u) {
		u = *spare;
		*spare = NULL;
		u->tgid = get_pid(tgid);
		u->adj = 0;
		list_add_tail(&u->node, &s->undos);
		WRITE_ONCE(s->nundo, s->nundo + 1);
	}
	if (check_add_overflow(u->adj, delta, &adj))
		adj = delta > 0 ? S64_MAX : S64_MIN;
	u->adj = adj;
	if (!adj) {
		list_del(&u->node);
		WRITE_ONCE(s->nundo, s->nundo - 1);
		kipc_sem_undo_free(u);
	}
}

/* Revert what @u records; lock held. */
static void kipc_sem_undo_apply(struct kipc_sem_obj *s, struct kipc_sem_undo *u,
				bool *wake)
{
	u32 v;

	lockdep_assert_held(&s->lock);
	if (u->adj > 0)
		kipc_sem_give(s, min_t(s64, u->adj, U32_MAX), false, &v, wake);
	else if (u->adj < 0)
		kipc_sem_take_back(s, u->adj < -(s64)U32_MAX ? U32_MAX :
				   -u->adj);
}

static int kipc_sem_match(const void *p, struct file *f, unsigned int fd)
{
	const struct file *file = p;

	return f->f_op == file->f_op && kipc_file_obj(f) == kipc_file_obj(file);
}

/* ---- post and wait --------------------------------------------------------- */

/*
 * The undo record a post or wait with KIPC_SEM_UNDO may need, allocated
 * before the lock is taken: NULL without @undo, ERR_PTR(-ENOMEM) (the word
 * repaired) if there is no memory.
 */
static struct kipc_sem_undo *kipc_sem_undo_spare(struct kipc_sem_obj *s,
						 bool undo)
{
	struct kipc_sem_undo *u;

	if (!undo)
		return NULL;
	u = kzalloc(sizeof(*u), GFP_KERNEL_ACCOUNT);
	return u ? u : ERR_PTR(kipc_sem_refuse(s, -ENOMEM));
}

/*
 * Give @count units; -EOVERFLOW past the maximum, which posts nothing and
 * repairs the word as any post does.
 */
static int kipc_sem_do_post(struct kipc_sem_obj *s, u32 count, bool undo, u32 *value)
{
	struct kipc_sem_undo *u;
	bool wake = false;
	int err;

	u = kipc_sem_undo_spare(s, undo);
	if (IS_ERR(u))
		return PTR_ERR(u);
	spin_lock(&s->lock);
	err = kipc_sem_give(s, count, true, value, &wake);
	if (!err) {
		kipc_count(&s->obj.counters.msgs_in, count);
		if (undo)
			kipc_sem_undo_add(s, &u, -(s64)count);
	} else {
		*value = kipc_sem_repair_locked(s, &wake);
	}
	kipc_sem_unlock(s, wake, u);
	return err;
}

static int kipc_sem_do_wait(struct kipc_sem_obj *s, bool nonblock, ktime_t deadline,
			    bool undo, u32 *value)
{
	struct kipc_sem_undo *u;
	struct kipc_waiter w;
	u64 old, new, cur;
	bool wake = false;
	int ret = 0;
	u32 v;

	u = kipc_sem_undo_spare(s, undo);
	if (IS_ERR(u))
		return PTR_ERR(u);
	spin_lock(&s->lock);
	cur = atomic64_read(s->state);
	for (;;) {
		old = cur;
		v = kipc_sem_value(s, old);
		if (v && s->waiters.count) {
			/* Garbage: units and queued waiters; serve them. */
			kipc_sem_give(s, 0, false, &v, &wake);
			cur = atomic64_read(s->state);
			continue;
		}
		if (v)
			new = kipc_sem_word(s, v - 1);
		else if (nonblock)
			goto out_again;
		else	/* queue: one more waiter in the word */
			new = kipc_sem_word(s, 0) + (1ULL << 32);
		cur = atomic64_cmpxchg(s->state, old, new);
		if (cur == old)
			break;
	}

	if (v) {
		kipc_count(&s->obj.counters.msgs_out, 1);
		*value = v - 1;
	} else {
		kipc_waitq_add(&s->waiters, &w);
		ret = kipc_waitq_sleep(&s->waiters, &w, deadline);
		if (ret) {
			/* Dequeued: drop it from the word too. */
			kipc_sem_give(s, 0, false, &v, &wake);
			goto out;
		}
		*value = kipc_sem_value(s, atomic64_read(s->state));
	}
	if (undo)
		kipc_sem_undo_add(s, &u, 1);
	goto out;

out_again:
	/* Nothing taken: the word may still hold garbage waiters. */
	kipc_sem_repair_locked(s, &wake);
	ret = -EAGAIN;
out:
	kipc_sem_unlock(s, wake, u);
	return ret;
}

/* ---- create and destroy ------------------------------------------------- */

static struct kipc_object *kipc_sem_obj_create(const void *attr)
{
	const struct kipc_sem_attr *a = attr;
	struct kipc_sem_shared *shared;
	struct kipc_sem_obj *s;
	u32 max;

	max = a->max ? a->max : KIPC_SEM_VALUE_MAX;
	if (!kipc_args_clean(a->flags, a->__pad, a->reserved,
			     sizeof(a->reserved)) ||
	    max > KIPC_SEM_VALUE_MAX || a->value > max)
		return ERR_PTR(-EINVAL);

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN);
	if (!s->page) {
		kfree(s);
		return ERR_PTR(-ENOMEM);
	}
	shared = page_address(s->page);
	shared->max = max;
	s->state = (atomic64_t *)&shared->state;
	atomic64_set(s->state, a->value);
	spin_lock_init(&s->lock);
	kipc_waitq_init(&s->waiters, &s->lock);
	kipc_waitq_set_what(&s->waiters, KIPC_WAITFOR_UNIT, &s->obj.counters);
	init_waitqueue_head(&s->poll_wq);
	INIT_LIST_HEAD(&s->undos);
	s->max = max;
	/* The state page is the semaphore's memory: max_bytes_per_uid. */
	s->obj.charge = PAGE_SIZE;
	return &s->obj;
}

static void kipc_sem_obj_destroy(struct kipc_object *obj)
{
	struct kipc_sem_obj *s = to_sem(obj);
	struct kipc_sem_undo *u, *tmp;

	WARN_ON(s->waiters.count);
	list_for_each_entry_safe(u, tmp, &s->undos, node)
		kipc_sem_undo_free(u);
	__free_page(s->page);
	kfree(s);
}

/*
 * Called at every close(2) of an fd of the semaphore, in the closing
 * process: if it was the process's last one, revert its undo record.
 */
static void kipc_sem_flush(struct file *file, struct kipc_object *obj)
{
	struct kipc_sem_obj *s = to_sem(obj);
	struct kipc_sem_undo *u;
	bool wake = false;

	if (!READ_ONCE(s->nundo))
		return;
	/* current->files is NULL while an exiting task closes its fds. */
	if (current->files &&
	    iterate_fd(current->files, 0, kipc_sem_match, file))
		return;

	spin_lock(&s->lock);
	u = kipc_sem_undo_find(s, task_tgid(current));
	if (u) {
		list_del(&u->node);
		WRITE_ONCE(s->nundo, s->nundo - 1);
		kipc_sem_undo_apply(s, u, &wake);
	}
	spin_unlock(&s->lock);

	if (wake)
		kipc_sem_wake_pollers(s);
	if (u)
		kipc_sem_undo_free(u);
}

/**
 * kipc_sem_read() - read(2) on a semaphore fd: take one unit
 * @file: the semaphore fd (readable, which the VFS checks: EBADF)
 * @obj: the semaphore
 * @buf: user buffer for the value after, a __u64
 * @count: its size, at least 8
 *
 * KIPC_SEM_IOC_WAIT without flags in one plain call: queues like it, with
 * no deadline, unless the fd is O_NONBLOCK.  The buffer is checked before
 * anything is taken.  The state word is repaired whatever the outcome.
 *
 * Return: 8; -EINVAL if @count is below 8; -EAGAIN; -ERESTARTSYS;
 * -EFAULT (nothing taken).
 */
static ssize_t kipc_sem_read(struct file *file, struct kipc_object *obj,
			     char __user *buf, size_t count)
{
	u64 __user *ubuf = (u64 __user *)buf;
	struct kipc_sem_obj *s = to_sem(obj);
	u32 value;
	int err;

	if (count < sizeof(u64))
		return kipc_sem_refuse(s, -EINVAL);
	if (kipc_put_user(0, ubuf, sizeof(*ubuf)))
		return kipc_sem_refuse(s, -EFAULT);
	err = kipc_sem_do_wait(s, file->f_flags & O_NONBLOCK, KTIME_MAX, false,
			       &value);
	if (err)
		return err;
	if (kipc_put_user(value, ubuf, sizeof(*ubuf)))
		return -EFAULT;
	return sizeof(u64);
}

/**
 * kipc_sem_write() - write(2) on a semaphore fd: post units
 * @file: the semaphore fd (writable, which the VFS checks: EBADF)
 * @obj: the semaphore
 * @buf: user pointer to a __u64, the units to post
 * @count: its size, at least 8
 *
 * KIPC_SEM_IOC_POST without flags in one plain call.  The state word is
 * repaired whatever the outcome.
 *
 * Return: 8; -EINVAL if @count is below 8 or the units are 0 or above
 * KIPC_SEM_VALUE_MAX; -EOVERFLOW past the maximum (nothing posted);
 * -EFAULT.
 */
static ssize_t kipc_sem_write(struct file *file, struct kipc_object *obj,
			      const char __user *buf, size_t count)
{
	struct kipc_sem_obj *s = to_sem(obj);
	u32 value;
	u64 n;
	int err;

	if (count < sizeof(u64))
		return kipc_sem_refuse(s, -EINVAL);
	if (kipc_words_in(&n, buf, sizeof(n)))
		return kipc_sem_refuse(s, -EFAULT);
	if (!n || n > KIPC_SEM_VALUE_MAX)
		return kipc_sem_refuse(s, -EINVAL);
	err = kipc_sem_do_post(s, n, false, &value);
	return err ? err : sizeof(u64);
}

/* ---- ioctls ------------------------------------------------------------------ */

/* A post's own arguments: no deadline, 1 to KIPC_SEM_VALUE_MAX units. */
static int kipc_sem_check_post(const struct kipc_sem_op *op)
{
	if ((op->flags & ~KIPC_SEM_UNDO) ||
	    !kipc_mem_is_zero(&op->deadline, sizeof(op->deadline)) ||
	    !op->count || op->count > KIPC_SEM_VALUE_MAX)
		return -EINVAL;
	return 0;
}

/* A wait's own arguments: the KIPC_WAIT_* flags and deadline, one unit. */
static int kipc_sem_check_wait(const struct kipc_sem_op *op, ktime_t *deadline)
{
	int err;

	err = kipc_check_wait(op->flags & ~KIPC_SEM_UNDO, &op->deadline,
			      deadline);
	if (err)
		return err;
	return op->count == 1 ? 0 : -EINVAL;
}

/*
 * Copy in and check a post's (@deadline NULL) or a wait's arguments, and
 * that the fd has the access the call needs.  The errors come in this
 * order: the struct's size, its fields (EINVAL), the fd's access (EBADF),
 * a read-only struct (EFAULT).
 */
static int kipc_sem_check_args(struct file *file,
			       struct kipc_sem_op __user *uop,
			       unsigned int usize, struct kipc_sem_op *op,
			       ktime_t *deadline)
{
	fmode_t need = deadline ? FMODE_READ : FMODE_WRITE;
	int err;

	err = kipc_copy_in(op, sizeof(*op), KIPC_SEM_OP_SIZE_VER0, uop, usize);
	if (err)
		return err;
	if (!kipc_args_clean(0, op->__pad, op->reserved, sizeof(op->reserved)))
		return -EINVAL;
	err = deadline ? kipc_sem_check_wait(op, deadline) :
			 kipc_sem_check_post(op);
	if (err)
		return err;
	if (!(file->f_mode & need))
		return -EBADF;
	/* Fail on a read-only struct before anything is posted or taken. */
	if (kipc_put_user(op->value, &uop->value, sizeof(uop->value)))
		return -EFAULT;
	return 0;
}

/*
 * kipc_sem_check_args() of a call on @file's semaphore: on an error
 * nothing is posted or taken, and the word is repaired.
 */
static int kipc_sem_op_args(struct file *file, struct kipc_sem_op __user *uop,
			    unsigned int usize, struct kipc_sem_op *op,
			    ktime_t *deadline)
{
	int err = kipc_sem_check_args(file, uop, usize, op, deadline);

	return err ? kipc_sem_refuse(to_sem(kipc_file_obj(file)), err) : 0;
}

/**
 * kipc_sem_ioc_post() - KIPC_SEM_IOC_POST: give units
 * @file: the semaphore fd, which must be writable (EBADF)
 * @obj: the semaphore
 * @arg: user pointer to a struct kipc_sem_op
 * @usize: its size
 *
 * Hands @count units to the queued waiters, oldest first, and adds the
 * rest to the value.  KIPC_SEM_UNDO records the post for the caller.
 * The state word is repaired whatever the outcome.
 *
 * Return: 0 with the value after in kipc_sem_op.value; -EINVAL for bad
 * flags, a deadline, a count of 0 or above KIPC_SEM_VALUE_MAX; -EBADF;
 * -EOVERFLOW past the maximum (nothing posted); -EFAULT; -ENOMEM.
 */
static long kipc_sem_ioc_post(struct file *file, struct kipc_object *obj,
			      unsigned long arg, unsigned int usize)
{
	struct kipc_sem_op __user *uop = (void __user *)arg;
	struct kipc_sem_op op;
	int err;

	err = kipc_sem_op_args(file, uop, usize, &op, NULL);
	if (err)
		return err;
	err = kipc_sem_do_post(to_sem(obj), op.count, op.flags & KIPC_SEM_UNDO, &op.value);
	if (err)
		return err;
	return kipc_put_user(op.value, &uop->value, sizeof(uop->value));
}

/**
 * kipc_sem_ioc_wait() - KIPC_SEM_IOC_WAIT: take one unit
 * @file: the semaphore fd, which must be readable (EBADF)
 * @obj: the semaphore
 * @arg: user pointer to a struct kipc_sem_op
 * @usize: its size
 *
 * Takes a unit at once if one is free and nobody is queued, else queues
 * behind the other waiters until a post hands it one, the deadline passes
 * or a signal arrives.  KIPC_WAIT_NONBLOCK or an O_NONBLOCK fd never
 * queues.  KIPC_SEM_UNDO records the unit taken for the caller.  The
 * state word is repaired whatever the outcome.
 *
 * Return: 0 with the value after in kipc_sem_op.value; -EINVAL for bad
 * flags or deadline or a count other than 1; -EBADF; -EAGAIN;
 * -ETIMEDOUT; -ERESTARTSYS; -EFAULT; -ENOMEM.
 */
static long kipc_sem_ioc_wait(struct file *file, struct kipc_object *obj,
			      unsigned long arg, unsigned int usize)
{
	struct kipc_sem_op __user *uop = (void __user *)arg;
	struct kipc_sem_op op;
	ktime_t deadline;
	bool nonblock;
	int err;

	err = kipc_sem_op_args(file, uop, usize, &op, &deadline);
	if (err)
		return err;
	nonblock = (op.flags & KIPC_WAIT_NONBLOCK) ||
		   (file->f_flags & O_NONBLOCK);
	err = kipc_sem_do_wait(to_sem(obj), nonblock, deadline, op.flags & KIPC_SEM_UNDO,
			       &op.value);
	if (err)
		return err;
	return kipc_put_user(op.value, &uop->value, sizeof(uop->value));
}

/* A snapshot of the semaphore, with the word repaired as it is read. */
static void kipc_sem_get_info(struct kipc_sem_obj *s, struct kipc_sem_info *in)
{
	bool wake = false;

	spin_lock(&s->lock);
	in->value = kipc_sem_repair_locked(s, &wake);
	in->max = s->max;
	in->waiters = s->waiters.count;
	in->posts = s->obj.counters.msgs_in;
	in->waits = s->obj.counters.msgs_out;
	in->undo_procs = s->nundo;
	spin_unlock(&s->lock);
	if (wake)
		kipc_sem_wake_pollers(s);
}

/*
 * KIPC_SEM_IOC_INFO (any access): value, maximum and counters.  Reading
 * the state repairs the word, as every call does, also a refused one.
 */
static void kipc_sem_fill_info(struct file *file, struct kipc_object *obj,
			       struct kipc_sem_info *in)
{
	kipc_sem_get_info(to_sem(obj), in);
}

static int kipc_sem_info_refused(struct kipc_object *obj, int err)
{
	return kipc_sem_refuse(to_sem(obj), err);
}

KIPC_DEFINE_IOC_INFO_REFUSE(kipc_sem, struct kipc_sem_info,
			    KIPC_SEM_INFO_SIZE_VER0, __pad,
			    kipc_sem_info_refused);

/* ---- poll, fdinfo ------------------------------------------------------------ */

static __poll_t kipc_sem_poll(struct file *file, struct kipc_object *obj,
			      poll_table *wait)
{
	struct kipc_sem_obj *s = to_sem(obj);
	bool wake = false;
	u64 old, cur;
	u32 v;

	poll_wait(file, &s->poll_wq, wait);
	spin_lock(&s->lock);
	kipc_sem_repair_locked(s, &wake);
	cur = atomic64_read(s->state);
	for (;;) {
		old = cur;
		v = kipc_sem_value(s, old);
		if ((v && !kipc_signal_armed(obj, 0)) || s->armed)
			break;
		/*
		 * Arm: the next post must come through the kernel (with
		 * signals wanted, every one, whatever the value).
		 */
		cur = atomic64_cmpxchg(s->state, old,
				       kipc_sem_word(s, v) + (1ULL << 32));
		if (cur == old) {
			s->armed = true;
			break;
		}
	}
	spin_unlock(&s->lock);
	if (wake)
		kipc_sem_wake_pollers(s);
	return v ? EPOLLIN | EPOLLRDNORM : 0;
}

static void kipc_sem_show_fdinfo(struct seq_file *m, struct kipc_object *obj)
{
	struct kipc_sem_info in;

	kipc_sem_get_info(to_sem(obj), &in);
	seq_printf(m, "sem-value:\t%u\n", in.value);
	seq_printf(m, "sem-max:\t%u\n", in.max);
	seq_printf(m, "sem-waiters:\t%u\n", in.waiters);
	seq_printf(m, "sem-posts:\t%llu\n", in.posts);
	seq_printf(m, "sem-waits:\t%llu\n", in.waits);
	seq_printf(m, "sem-undo-procs:\t%u\n", in.undo_procs);
}

/* ---- mmap ------------------------------------------------------------------- */

/*
 * The state page, shared: MAP_SHARED (MAP_PRIVATE is EINVAL), one page at
 * offset 0.  Writable only through an fd open for reading and writing;
 * mprotect() cannot make a read-only mapping writable later.  A mapping
 * survives fork (the word is safe to share) and keeps the semaphore alive.
 */
static int kipc_sem_mmap(struct file *file, struct kipc_object *obj,
			 struct vm_area_struct *vma)
{
	struct kipc_sem_obj *s = to_sem(obj);
	struct file *mfile;
	int err;

	/* A length in whole pages: other than KIPC_SEM_MAP_SIZE if pages are. */
	err = kipc_map_check(file, vma, KIPC_SEM_MAP_SIZE, 0);
	if (err)
		return err;
	mfile = kipc_map_file(file, "[kipc-semaphore-map]", NULL);
	if (IS_ERR(mfile))
		return PTR_ERR(mfile);

	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	err = vm_insert_page(vma, vma->vm_start, s->page);
	if (!err)
		vma_set_file(vma, mfile);
	fput(mfile);
	return err;
}

/* ---- wait for many ---------------------------------------------------------- */

static spinlock_t *kipc_sem_wm_lock(struct kipc_object *obj)
{
	return &to_sem(obj)->lock;
}

/*
 * Close the user-space fast path (one more in the word's waiters half:
 * posts and waits come to the kernel, which is held off by the lock) and
 * say whether a unit is free for a wait for many: only if no waiter of
 * the semaphore's own is queued (they are served first).  At 0 it arms,
 * as poll does: the poll before this try may have seen a unit that user
 * space took since, and the post that gives it back must come to the
 * kernel and wake the waiter.
 */
static int kipc_sem_wm_prepare(struct kipc_object *obj)
{
	struct kipc_sem_obj *s = to_sem(obj);
	u64 old, cur = atomic64_read(s->state);
	bool arm;
	u32 v;

	lockdep_assert_held(&s->lock);
	do {
		old = cur;
		v = kipc_sem_value(s, old);
		arm = s->armed || !v;
		cur = atomic64_cmpxchg(s->state, old,
				       (u64)(s->waiters.count + arm + 1) << 32 | v);
	} while (cur != old);
	s->armed = arm;
	return v && !s->waiters.count;
}

/*
 * Take the unit kipc_sem_wm_prepare() found.  The swap from the value
 * read proves it is still there; a value of 0 can only come from a write
 * of the word since (the fast path is closed): then nothing is taken, the
 * wait's result for the semaphore is EIO, and .finish repairs the word.
 */
static int kipc_sem_wm_take(struct kipc_object *obj, u64 *value)
{
	struct kipc_sem_obj *s = to_sem(obj);
	u64 old, cur = atomic64_read(s->state);
	u32 v;

	lockdep_assert_held(&s->lock);
	do {
		old = cur;
		v = kipc_sem_value(s, old);
		if (!v) {
			*value = 0;
			return -EIO;
		}
		cur = atomic64_cmpxchg(s->state, old,
				       kipc_sem_word(s, v - 1) + (1ULL << 32));
	} while (cur != old);
	kipc_count(&s->obj.counters.msgs_out, 1);
	*value = v - 1;
	return 0;
}

/* Reopen the fast path: the word from the kernel's state again. */
static bool kipc_sem_wm_finish(struct kipc_object *obj)
{
	bool wake = false;
	u32 v;

	kipc_sem_give(to_sem(obj), 0, false, &v, &wake);
	return wake;
}

static void kipc_sem_wm_wake(struct kipc_object *obj)
{
	kipc_sem_wake_pollers(to_sem(obj));
}

static const struct kipc_wm_ops kipc_sem_wm_ops = {
	.lock		= kipc_sem_wm_lock,
	.prepare	= kipc_sem_wm_prepare,
	.take		= kipc_sem_wm_take,
	.finish		= kipc_sem_wm_finish,
	.wake		= kipc_sem_wm_wake,
	.what		= KIPC_WAITFOR_UNIT,
};

/* ---- netlink ---------------------------------------------------------------- */

/*
 * KIPC_OBJ_A_STATE of a semaphore.  Read only: unlike KIPC_SEM_IOC_INFO,
 * an observer does not repair the word; the value is the word's, as the
 * kernel understands it (at most the maximum).
 */
static int kipc_sem_nl_state(struct sk_buff *skb, struct kipc_object *obj,
			     u32 *nr_waiters)
{
	struct kipc_sem_obj *s = to_sem(obj);
	u32 value, nundo;

	spin_lock(&s->lock);
	value = kipc_sem_value(s, atomic64_read(s->state));
	*nr_waiters = s->waiters.count;
	nundo = s->nundo;
	spin_unlock(&s->lock);
	*nr_waiters += kipc_wq_nr_waiters(&s->poll_wq);
	if (nla_put_u32(skb, KIPC_SEM_A_VALUE, value) ||
	    nla_put_u32(skb, KIPC_SEM_A_VALUE_MAX, s->max) ||
	    nla_put_u32(skb, KIPC_SEM_A_UNDO_PROCS, nundo))
		return -EMSGSIZE;
	return 0;
}

static int kipc_sem_nl_waiters(struct sk_buff *skb, struct kipc_object *obj)
{
	struct kipc_sem_obj *s = to_sem(obj);

	return kipc_waitq_report(skb, &s->waiters) ?:
	       kipc_wq_put_waiters(skb, &s->poll_wq);
}

/* ---- KUnit hooks -------------------------------------------------------------- */

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * kipc_sem_test_post() - KIPC_SEM_IOC_POST without the ioctl, for KUnit
 * @obj: a semaphore
 * @count: units to give
 * @undo: record the post for the current process
 * @value: out: the value after
 *
 * Return: as kipc_sem_do_post().
 */
int kipc_sem_test_post(struct kipc_object *obj, u32 count, bool undo,
		       u32 *value)
{
	return kipc_sem_do_post(to_sem(obj), count, undo, value);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_sem_test_post);

/**
 * kipc_sem_test_wait() - KIPC_SEM_IOC_WAIT without the ioctl, for KUnit
 * @obj: a semaphore
 * @nonblock: never queue
 * @deadline: absolute CLOCK_MONOTONIC deadline, KTIME_MAX for none
 * @undo: record the unit taken for the current process
 * @value: out: the value after
 *
 * Return: as kipc_sem_do_wait().
 */
int kipc_sem_test_wait(struct kipc_object *obj, bool nonblock,
		       ktime_t deadline, bool undo, u32 *value)
{
	return kipc_sem_do_wait(to_sem(obj), nonblock, deadline, undo, value);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_sem_test_wait);

/**
 * kipc_sem_test_state() - the state word user space maps, for KUnit
 * @obj: a semaphore
 *
 * Return: the word, to act as user space does (or as garbage would).
 */
atomic64_t *kipc_sem_test_state(struct kipc_object *obj)
{
	return to_sem(obj)->state;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_sem_test_state);

/**
 * kipc_sem_test_info() - KIPC_SEM_IOC_INFO without the ioctl, for KUnit
 * @obj: a semaphore
 * @in: out: its value, maximum and counters
 */
void kipc_sem_test_info(struct kipc_object *obj, struct kipc_sem_info *in)
{
	kipc_sem_get_info(to_sem(obj), in);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_sem_test_info);
#endif

/* ---- the type --------------------------------------------------------------- */

static const struct kipc_ioc kipc_sem_ioctls[] = {
	{ KIPC_SEM_IOC_POST, KIPC_SEM_OP_SIZE_VER0, kipc_sem_ioc_post },
	{ KIPC_SEM_IOC_WAIT, KIPC_SEM_OP_SIZE_VER0, kipc_sem_ioc_wait },
	{ KIPC_SEM_IOC_INFO, KIPC_SEM_INFO_SIZE_VER0, kipc_sem_ioc_info },
};

const struct kipc_type kipc_sem_type = {
	.type		= KIPC_TYPE_SEMAPHORE,
	.name		= "semaphore",
	.inode_name	= "[kipc-semaphore]",
	.signals	= true,
	.attr_size	= sizeof(struct kipc_sem_attr),
	.attr_min	= KIPC_SEM_ATTR_SIZE_VER0,
	.create		= kipc_sem_obj_create,
	.destroy	= kipc_sem_obj_destroy,
	.ioctls		= kipc_sem_ioctls,
	.nr_ioctls	= ARRAY_SIZE(kipc_sem_ioctls),
	.poll		= kipc_sem_poll,
	.read		= kipc_sem_read,
	.write		= kipc_sem_write,
	.wm		= &kipc_sem_wm_ops,
	.show_fdinfo	= kipc_sem_show_fdinfo,
	.flush		= kipc_sem_flush,
	.mmap		= kipc_sem_mmap,
	.nl_state	= kipc_sem_nl_state,
	.nl_waiters	= kipc_sem_nl_waiters,
	.nl_counters	= BIT(KIPC_CNT_A_MSGS_IN) | BIT(KIPC_CNT_A_MSGS_OUT) |
			  BIT(KIPC_CNT_A_WAITS) | BIT(KIPC_CNT_A_TIMEOUTS) |
			  BIT(KIPC_CNT_A_CONTENDED),
};
EXPORT_SYMBOL_IF_KUNIT(kipc_sem_type);
