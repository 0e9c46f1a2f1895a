// SPDX-License-Identifier: GPL-2.0
/*
 * Events: auto-reset and manual-reset, each signal carrying a 64-bit value.
 *
 * An auto-reset event hands each signal to exactly one waiter: the oldest
 * blocked one, or else the next to wait.  A manual-reset event releases
 * every waiter and stays set until reset.  An event fd is readable in
 * poll/epoll while the event is set.
 *
 * Locking: see docs/design.md, section 7.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/kipc_netlink.h>
#include <net/netlink.h>
#include <kunit/visibility.h>

#include "kipc.h"

/**
 * struct kipc_event_obj - an event object
 * @obj: the common part
 * @lock: protects every field below; an all-wait nests it with other
 *	objects' locks, else only the scheduler's locks are taken under it
 *	(docs/design.md, section 7)
 * @waiters: tasks blocked in KIPC_EVENT_IOC_WAIT, oldest first
 * @poll_wq: poll/epoll waiters; woken, outside @lock, when @set turns true
 * @manual: manual-reset event
 * @set: signalled; written with WRITE_ONCE(), as poll reads it without @lock
 * @value: value of the pending signal
 *
 * Its counters (&kipc_object.counters, under @lock): msgs_in, the signals
 * received; msgs_out, the waits satisfied (wakeups); waits and timeouts,
 * counted by kipc_waitq_sleep().
 */
struct kipc_event_obj {
	struct kipc_object obj;
	spinlock_t lock; /* protects all below */
	struct kipc_waitq waiters;
	wait_queue_head_t poll_wq;
	bool manual;
	bool set;
	u64 value;
};

static struct kipc_event_obj *to_event(struct kipc_object *obj)
{
	return container_of(obj, struct kipc_event_obj, obj);
}

static struct kipc_object *kipc_event_obj_create(const void *attr)
{
	const struct kipc_event_attr *a = attr;
	struct kipc_event_obj *ev;

	if (!kipc_args_clean(a->flags & ~KIPC_EVENT_ATTR_FLAGS, a->__pad,
			     a->reserved, sizeof(a->reserved)) ||
	    (a->value && !(a->flags & KIPC_EVENT_SET)))
		return ERR_PTR(-EINVAL);

	ev = kzalloc(sizeof(*ev), GFP_KERNEL_ACCOUNT);
	if (!ev)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&ev->lock);
	kipc_waitq_init(&ev->waiters, &ev->lock);
	kipc_waitq_set_what(&ev->waiters, KIPC_WAITFOR_SIGNAL, &ev->obj.counters);
	init_waitqueue_head(&ev->poll_wq);
	ev->manual = a->flags & KIPC_EVENT_MANUAL_RESET;
	ev->set = a->flags & KIPC_EVENT_SET;
	ev->value = a->value;
	return &ev->obj;
}

static void kipc_event_obj_destroy(struct kipc_object *obj)
{
	struct kipc_event_obj *ev = to_event(obj);

	WARN_ON(ev->waiters.count);
	kfree(ev);
}

/**
 * kipc_event_do_signal() - signal an event
 * @obj: the event
 * @value: value handed to the waiter(s) released
 *
 * Auto-reset: the oldest waiter gets the signal, or, with none, the event
 * stays set for the next wait.  Manual-reset: every waiter is released and
 * the event stays set.
 */
void kipc_event_do_signal(struct kipc_object *obj, u64 value)
{
	struct kipc_event_obj *ev = to_event(obj);
	struct kipc_counters *c = &ev->obj.counters;
	bool set;

	spin_lock(&ev->lock);
	kipc_count(&c->msgs_in, 1);
	if (ev->manual) {
		kipc_count(&c->msgs_out, kipc_waitq_wake_all(&ev->waiters, value));
		WRITE_ONCE(ev->set, true);
		ev->value = value;
	} else if (kipc_waitq_wake_one(&ev->waiters, value)) {
		kipc_count(&c->msgs_out, 1);
	} else {
		WRITE_ONCE(ev->set, true);
		ev->value = value;
	}
	set = ev->set;
	spin_unlock(&ev->lock);

	if (set) {
		wake_up_interruptible_poll(&ev->poll_wq, EPOLLIN | EPOLLRDNORM);
		kipc_signal_ready(obj, 0, POLL_IN);
	}
}
EXPORT_SYMBOL_IF_KUNIT(kipc_event_do_signal);

/**
 * kipc_event_do_wait() - wait for an event to be signalled
 * @obj: the event
 * @nonblock: do not sleep: -EAGAIN if not set
 * @deadline: absolute CLOCK_MONOTONIC deadline, KTIME_MAX for none
 * @value: receives the value of the signal
 *
 * Return: 0; -EAGAIN; -ETIMEDOUT; -ERESTARTSYS if a signal arrived.
 */
int kipc_event_do_wait(struct kipc_object *obj, bool nonblock, ktime_t deadline,
		       u64 *value)
{
	struct kipc_event_obj *ev = to_event(obj);
	struct kipc_waiter w;
	int ret = 0;

	spin_lock(&ev->lock);
	if (ev->set) {
		*value = ev->value;
		kipc_count(&ev->obj.counters.msgs_out, 1);
		if (!ev->manual)
			WRITE_ONCE(ev->set, false);
	} else if (nonblock) {
		ret = -EAGAIN;
	} else {
		kipc_waitq_add(&ev->waiters, &w);
		ret = kipc_waitq_sleep(&ev->waiters, &w, deadline);
		if (!ret)
			*value = w.value;
	}
	spin_unlock(&ev->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_event_do_wait);

static long kipc_event_ioc_signal(struct file *file, struct kipc_object *obj,
				  unsigned long arg, unsigned int usize)
{
	struct kipc_event_signal s;
	int err;

	err = kipc_copy_in(&s, sizeof(s), KIPC_EVENT_SIGNAL_SIZE_VER0,
			   (void __user *)arg, usize);
	if (err)
		return err;
	if (!kipc_args_clean(s.flags, s.__pad, s.reserved, sizeof(s.reserved)))
		return -EINVAL;
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	kipc_event_do_signal(obj, s.value);
	return 0;
}

/**
 * kipc_event_do_reset() - clear an event
 * @obj: the event
 */
void kipc_event_do_reset(struct kipc_object *obj)
{
	struct kipc_event_obj *ev = to_event(obj);

	spin_lock(&ev->lock);
	WRITE_ONCE(ev->set, false);
	spin_unlock(&ev->lock);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_event_do_reset);

/**
 * kipc_event_get_info() - a consistent snapshot of an event's state
 * @obj: the event
 * @in: its state, value and counters are filled in; nothing else
 */
void kipc_event_get_info(struct kipc_object *obj, struct kipc_event_info *in)
{
	struct kipc_event_obj *ev = to_event(obj);

	spin_lock(&ev->lock);
	in->state = (ev->manual ? KIPC_EVENT_MANUAL_RESET : 0) |
		    (ev->set ? KIPC_EVENT_SET : 0);
	in->value = ev->set ? ev->value : 0;
	in->signals = ev->obj.counters.msgs_in;
	in->wakeups = ev->obj.counters.msgs_out;
	in->waiters = ev->waiters.count;
	spin_unlock(&ev->lock);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_event_get_info);

static long kipc_event_ioc_reset(struct file *file, struct kipc_object *obj,
				 unsigned long arg, unsigned int usize)
{
	if (arg)
		return -EINVAL;
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	kipc_event_do_reset(obj);
	return 0;
}

static int kipc_event_check_wait(const struct kipc_event_wait *w,
				 ktime_t *deadline)
{
	if (!kipc_args_clean(0, w->__pad, w->reserved, sizeof(w->reserved)))
		return -EINVAL;
	return kipc_check_wait(w->flags, &w->deadline, deadline);
}

static long kipc_event_ioc_wait(struct file *file, struct kipc_object *obj,
				unsigned long arg, unsigned int usize)
{
	void __user *uarg = (void __user *)arg;
	struct kipc_event_wait w;
	ktime_t deadline;
	bool nonblock;
	int err;

	err = kipc_copy_in(&w, sizeof(w), KIPC_EVENT_WAIT_SIZE_VER0, uarg,
			   usize);
	if (err)
		return err;
	err = kipc_event_check_wait(&w, &deadline);
	if (err)
		return err;
	if (!(file->f_mode & FMODE_READ))
		return -EBADF;

	/* Fail on a read-only struct before a signal is consumed. */
	err = kipc_copy_out(uarg, usize, &w, sizeof(w));
	if (err)
		return err;

	nonblock = (w.flags & KIPC_WAIT_NONBLOCK) ||
		   (file->f_flags & O_NONBLOCK);
	err = kipc_event_do_wait(obj, nonblock, deadline, &w.value);
	if (err)
		return err;
	return kipc_copy_out(uarg, usize, &w, sizeof(w));
}

static void kipc_event_fill_info(struct file *file, struct kipc_object *obj,
				 struct kipc_event_info *in)
{
	kipc_event_get_info(obj, in);
}

KIPC_DEFINE_IOC_INFO(kipc_event, struct kipc_event_info,
		     KIPC_EVENT_INFO_SIZE_VER0, __pad);

static __poll_t kipc_event_poll(struct file *file, struct kipc_object *obj,
				poll_table *wait)
{
	struct kipc_event_obj *ev = to_event(obj);

	poll_wait(file, &ev->poll_wq, wait);
	return READ_ONCE(ev->set) ? EPOLLIN | EPOLLRDNORM : 0;
}

static void kipc_event_show_fdinfo(struct seq_file *m, struct kipc_object *obj)
{
	struct kipc_event_info in;

	kipc_event_get_info(obj, &in);
	seq_printf(m, "event-reset:\t%s\n",
		   in.state & KIPC_EVENT_MANUAL_RESET ? "manual" : "auto");
	seq_printf(m, "event-set:\t%d\n", !!(in.state & KIPC_EVENT_SET));
	seq_printf(m, "event-value:\t%llu\n", in.value);
	seq_printf(m, "event-signals:\t%llu\n", in.signals);
	seq_printf(m, "event-wakeups:\t%llu\n", in.wakeups);
	seq_printf(m, "event-waiters:\t%u\n", in.waiters);
}

static spinlock_t *kipc_event_wm_lock(struct kipc_object *obj)
{
	return &to_event(obj)->lock;
}

/* Set: what KIPC_EVENT_IOC_WAIT would take at once.  Lock held. */
static int kipc_event_wm_prepare(struct kipc_object *obj)
{
	lockdep_assert_held(&to_event(obj)->lock);
	return to_event(obj)->set;
}

static int kipc_event_wm_take(struct kipc_object *obj, u64 *value)
{
	struct kipc_event_obj *ev = to_event(obj);

	lockdep_assert_held(&ev->lock);
	*value = ev->value;
	kipc_count(&ev->obj.counters.msgs_out, 1);
	if (!ev->manual)
		WRITE_ONCE(ev->set, false);
	return 0;
}

static bool kipc_event_wm_finish(struct kipc_object *obj)
{
	return false;
}

static const struct kipc_wm_ops kipc_event_wm_ops = {
	.lock		= kipc_event_wm_lock,
	.prepare	= kipc_event_wm_prepare,
	.take		= kipc_event_wm_take,
	.finish		= kipc_event_wm_finish,
	.what		= KIPC_WAITFOR_SIGNAL,
};

/*
 * KIPC_OBJ_A_STATE of an event: what KIPC_EVENT_IOC_INFO reports, in one
 * hold of the lock.
 */
static int kipc_event_nl_state(struct sk_buff *skb, struct kipc_object *obj,
			       u32 *nr_waiters)
{
	struct kipc_event_info in;

	kipc_event_get_info(obj, &in);
	*nr_waiters = in.waiters + kipc_wq_nr_waiters(&to_event(obj)->poll_wq);
	if (nla_put_u8(skb, KIPC_EVENT_A_SET, !!(in.state & KIPC_EVENT_SET)) ||
	    nla_put_u8(skb, KIPC_EVENT_A_MANUAL_RESET,
		       !!(in.state & KIPC_EVENT_MANUAL_RESET)) ||
	    nla_put_u64_64bit(skb, KIPC_EVENT_A_VALUE, in.value,
			      KIPC_EVENT_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int kipc_event_nl_waiters(struct sk_buff *skb, struct kipc_object *obj)
{
	struct kipc_event_obj *ev = to_event(obj);

	return kipc_waitq_report(skb, &ev->waiters) ?:
	       kipc_wq_put_waiters(skb, &ev->poll_wq);
}

static const struct kipc_ioc kipc_event_ioctls[] = {
	{ KIPC_EVENT_IOC_SIGNAL, KIPC_EVENT_SIGNAL_SIZE_VER0, kipc_event_ioc_signal },
	{ KIPC_EVENT_IOC_RESET, 0, kipc_event_ioc_reset },
	{ KIPC_EVENT_IOC_WAIT, KIPC_EVENT_WAIT_SIZE_VER0, kipc_event_ioc_wait },
	{ KIPC_EVENT_IOC_INFO, KIPC_EVENT_INFO_SIZE_VER0, kipc_event_ioc_info },
};

const struct kipc_type kipc_event_type = {
	.type		= KIPC_TYPE_EVENT,
	.name		= "event",
	.inode_name	= "[kipc-event]",
	.signals	= true,
	.attr_size	= sizeof(struct kipc_event_attr),
	.attr_min	= KIPC_EVENT_ATTR_SIZE_VER0,
	.create		= kipc_event_obj_create,
	.destroy	= kipc_event_obj_destroy,
	.ioctls		= kipc_event_ioctls,
	.nr_ioctls	= ARRAY_SIZE(kipc_event_ioctls),
	.poll		= kipc_event_poll,
	.wm		= &kipc_event_wm_ops,
	.show_fdinfo	= kipc_event_show_fdinfo,
	.nl_state	= kipc_event_nl_state,
	.nl_waiters	= kipc_event_nl_waiters,
	.nl_counters	= BIT(KIPC_CNT_A_MSGS_IN) | BIT(KIPC_CNT_A_MSGS_OUT) |
			  BIT(KIPC_CNT_A_WAITS) | BIT(KIPC_CNT_A_TIMEOUTS),
};
EXPORT_SYMBOL_IF_KUNIT(kipc_event_type);
