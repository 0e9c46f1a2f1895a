// SPDX-License-Identifier: GPL-2.0
/*
 * FIFO wait queues with direct hand-off, shared by the blocking object
 * types.  A waker picks the first waiter, removes it from the queue, marks
 * it granted and wakes it, all under the object's lock: the waiter owns
 * what it was handed even if a signal or its deadline arrives at the same
 * time, so nothing is lost and waiters are served in arrival order.  The
 * steps and their order are explained in waitq.h.
 *
 * Locking: see docs/design.md, sections 4 and 7.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>

#include "kipc.h"

/**
 * kipc_waitq_wake_all() - hand @value to every waiter
 * @q: the queue; its lock is held
 * @value: value for the waiters
 *
 * Return: the number of waiters granted.
 */
unsigned int kipc_waitq_wake_all(struct kipc_waitq *q, u64 value)
{
	unsigned int n = 0;

	while (kipc_waitq_wake_one(q, value))
		n++;
	return n;
}

/**
 * kipc_waitq_poke_all() - wake every waiter without granting anything
 * @q: the queue; its lock is held
 *
 * Each waiter stays queued and looks at its condition again (the mutex's
 * recheck of dead owners).  A queued waiter's task cannot be gone: it
 * leaves only after it is unlinked, under the lock (G2, W5 in waitq.h).
 */
void kipc_waitq_poke_all(struct kipc_waitq *q)
{
	struct kipc_waiter *w;

	lockdep_assert_held(q->lock);
	list_for_each_entry(w, &q->head, node)
		wake_up_process(w->task);
}

/**
 * kipc_sleep() - sleep, in the task state already set, until woken,
 *	@deadline, or about @recheck_ms from now
 * @deadline: absolute CLOCK_MONOTONIC time, or KTIME_MAX for none
 * @recheck_ms: wake up after about this long to look again, or 0
 *
 * A deadline is kept exactly, with an hrtimer.  A recheck only needs to
 * come eventually, so it uses the timer wheel, which is much cheaper to
 * arm and cancel than an hrtimer (no clock event reprogramming).  Only a
 * wait for many passes a recheck (a mutex's); mutex lockers pass 0 and
 * are woken by the mutex's shared recheck work instead.
 */
void kipc_sleep(ktime_t deadline, unsigned int recheck_ms)
{
	ktime_t expires;

	if (recheck_ms &&
	    !ktime_before(deadline, ktime_add_ms(ktime_get(), recheck_ms))) {
		schedule_timeout(msecs_to_jiffies(recheck_ms));
		return;
	}
	if (deadline == KTIME_MAX) {
		schedule();
		return;
	}
	expires = deadline;
	schedule_hrtimeout_range(&expires, current->timer_slack_ns,
				 HRTIMER_MODE_ABS);
}

/**
 * kipc_waitq_sleep() - sleep until @w is granted, a signal, or @deadline
 * @q: the queue @w was added to; its lock (the object's) is held on entry
 *	and on return, and dropped to sleep
 * @w: the waiter
 * @deadline: absolute CLOCK_MONOTONIC time, or KTIME_MAX for none
 *
 * The deadline is checked against the clock, never against how long the
 * sleep took, so a wait never ends before it.  Steps W1, W2, W3 and W5 of
 * the hand-off (waitq.h) are marked below: their order is what makes a
 * grant racing with a signal or the deadline neither lost nor doubled.
 *
 * Every call is a blocked call for &kipc_waitq.counters (waits), and one
 * that ends with -ETIMEDOUT a timeout, counted under the lock.
 *
 * Return: 0 if granted (w->value holds the value); -ERESTARTSYS on a
 * signal or -ETIMEDOUT, with @w removed from @q.
 */
int kipc_waitq_sleep(struct kipc_waitq *q, struct kipc_waiter *w,
		     ktime_t deadline)
	__must_hold(q->lock)
{
	spinlock_t *lock = q->lock;
	int ret;

	lockdep_assert_held(lock);
	if (q->counters)
		kipc_count(&q->counters->waits, 1);
	for (;;) {
		if (w->granted)			/* W1 */
			return 0;
		ret = kipc_wait_interrupted(deadline, false);	/* W2 */
		if (ret)
			break;
		set_current_state(TASK_INTERRUPTIBLE);	/* W3 */
		spin_unlock(lock);
		kipc_sleep(deadline, 0);
		__set_current_state(TASK_RUNNING);
		spin_lock(lock);
	}
	kipc_waitq_remove(q, w);		/* W5 */
	if (ret == -ETIMEDOUT && q->counters)
		kipc_count(&q->counters->timeouts, 1);
	return ret;
}

/**
 * kipc_waitq_put_waiters() - one KIPC_OBJ_A_WAITER nest per waiter of @q
 * @skb: the message, inside the KIPC_OBJ_A_WAITERS nest
 * @q: the queue; its lock (the object's) is held
 *
 * Each waiter is reported with &kipc_waitq.what and the time it was
 * queued (&kipc_waiter.since), oldest first.
 *
 * Return: 0, or -EMSGSIZE when @skb is full.
 */
int kipc_waitq_put_waiters(struct sk_buff *skb, struct kipc_waitq *q)
{
	struct kipc_waiter *w;
	int err;

	lockdep_assert_held(q->lock);
	list_for_each_entry(w, &q->head, node) {
		err = kipc_nl_put_waiter(skb, w->task, q->what, w->since,
					 false);
		if (err)
			return err;
	}
	return 0;
}

/**
 * kipc_waitq_report() - kipc_waitq_put_waiters() under @q's lock
 * @skb: the message, inside the KIPC_OBJ_A_WAITERS nest
 * @q: the queue; its lock (the object's) is not held
 *
 * The &kipc_type.nl_waiters of a type whose waiters are all on @q.
 *
 * Return: 0, or -EMSGSIZE when @skb is full.
 */
int kipc_waitq_report(struct sk_buff *skb, struct kipc_waitq *q)
{
	int err;

	spin_lock(q->lock);
	err = kipc_waitq_put_waiters(skb, q);
	spin_unlock(q->lock);
	return err;
}

/**
 * kipc_sleeper_wake() - the wake function of a &struct kipc_sleeper
 * @wq_entry: the sleeper's entry
 * @mode: as for autoremove_wake_function()
 * @sync: as for autoremove_wake_function()
 * @key: as for autoremove_wake_function()
 *
 * autoremove_wake_function(), under a name of kipc's own: an entry with
 * this function is a &struct kipc_sleeper.
 *
 * Return: as autoremove_wake_function().
 */
static int kipc_sleeper_wake(struct wait_queue_entry *wq_entry,
			     unsigned int mode, int sync, void *key)
{
	return autoremove_wake_function(wq_entry, mode, sync, key);
}

/**
 * kipc_wq_sleep() - sleep on a wait queue until a condition holds,
 *	reported as a waiter
 * @wq: the wait queue whoever changes the condition wakes
 * @what: KIPC_WAITFOR_*, what kipc_wq_put_waiters() reports the caller
 *	waiting for while it sleeps; 0: not reported
 * @ready: the condition; called in TASK_INTERRUPTIBLE state, so it must
 *	not sleep; returns non-zero when the wait is over
 * @arg: its argument
 * @nonblock: do not sleep: -EAGAIN if not ready
 * @deadline: absolute CLOCK_MONOTONIC time, or KTIME_MAX for none
 * @result: out: what @ready returned, when it returned non-zero
 * @blocked: out, or NULL: set to true if the call found @ready false and
 *	went on to wait (the sleep was due; with a deadline already past it
 *	returns -ETIMEDOUT without sleeping), to false otherwise.  With the
 *	return value, what the caller counts (waits, timeouts) under its
 *	own lock, which is not held here.
 *
 * The condition is checked after the task is on @wq, so a wake-up between
 * the check and the sleep is never lost.  A deadline already past checks
 * once.  While it sleeps, the caller's entry on @wq is a &struct
 * kipc_sleeper with @what and the time of the call.
 *
 * Return: 0 when ready; -EAGAIN; -ETIMEDOUT; -ERESTARTSYS on a signal.
 */
int kipc_wq_sleep(wait_queue_head_t *wq, u32 what, u32 (*ready)(void *arg),
		  void *arg, bool nonblock, ktime_t deadline, u32 *result,
		  bool *blocked)
{
	struct kipc_sleeper s = {
		.wait = {
			.private = current,
			.func = kipc_sleeper_wake,
			.entry = LIST_HEAD_INIT(s.wait.entry),
		},
		.since = ktime_get_ns(),
		.what = what,
	};
	bool waited = false;
	int ret = 0;
	u32 r;

	for (;;) {
		prepare_to_wait(wq, &s.wait, TASK_INTERRUPTIBLE);
		r = ready(arg);
		if (r) {
			*result = r;
			break;
		}
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		waited = true;
		ret = kipc_wait_interrupted(deadline, false);
		if (ret)
			break;
		kipc_sleep(deadline, 0);
	}
	finish_wait(wq, &s.wait);
	if (blocked)
		*blocked = waited;
	return ret;
}

/**
 * kipc_wq_wait() - sleep on a wait queue until a condition holds
 * @wq: the wait queue whoever changes the condition wakes
 * @ready: the condition, as for kipc_wq_sleep()
 * @arg: its argument
 * @nonblock: do not sleep: -EAGAIN if not ready
 * @deadline: absolute CLOCK_MONOTONIC time, or KTIME_MAX for none
 * @result: out: what @ready returned, when it returned non-zero
 *
 * kipc_wq_sleep() of a caller that is not reported as a waiter.
 *
 * Return: 0 when ready; -EAGAIN; -ETIMEDOUT; -ERESTARTSYS on a signal.
 */
int kipc_wq_wait(wait_queue_head_t *wq, u32 (*ready)(void *arg), void *arg,
		 bool nonblock, ktime_t deadline, u32 *result)
{
	return kipc_wq_sleep(wq, 0, ready, arg, nonblock, deadline, result,
			     NULL);
}

/*
 * The wake function of a &struct kipc_poll_sleeper: poll(2)'s pollwake(),
 * but the entry's private is the task itself.  A wake-up whose key has
 * none of the events the entry polls for is ignored.
 */
static int kipc_poll_sleeper_wake(struct wait_queue_entry *e,
				  unsigned int mode, int sync, void *key)
{
	struct kipc_poll_sleeper *ps;

	ps = container_of(e, struct kipc_poll_sleeper, s.wait);
	if (key && !(key_to_poll(key) & ps->key))
		return 0;
	/* As pollwake(): the flag is visible before the task runs. */
	smp_wmb();
	WRITE_ONCE(*ps->triggered, 1);
	return default_wake_function(e, mode, sync, key);
}

/**
 * kipc_poll_sleeper_add() - queue a wait for many's entry on @head
 * @ps: the entry, alive until kipc_poll_sleeper_del()
 * @head: an object's poll wait queue, as its poll handed it to poll_wait()
 * @key: the poll events that wake the entry (the poll table's key)
 * @what: KIPC_WAITFOR_* to report the current task waiting for, or 0 (not
 *	reported: an object's second queue, so that it is listed once)
 * @since: ktime_get_ns() when the wait for many began
 * @triggered: set to 1 by every wake-up that passes @key
 */
void kipc_poll_sleeper_add(struct kipc_poll_sleeper *ps,
			   wait_queue_head_t *head, __poll_t key, u32 what,
			   u64 since, int *triggered)
{
	init_waitqueue_func_entry(&ps->s.wait, kipc_poll_sleeper_wake);
	ps->s.wait.private = current;
	ps->s.since = since;
	ps->s.what = what;
	ps->head = head;
	ps->key = key;
	ps->triggered = triggered;
	add_wait_queue(head, &ps->s.wait);
}

/**
 * kipc_poll_sleeper_del() - take the entry of kipc_poll_sleeper_add() off
 * @ps: the entry
 *
 * After this no wake-up can reach it, and it is no longer reported.
 */
void kipc_poll_sleeper_del(struct kipc_poll_sleeper *ps)
{
	remove_wait_queue(ps->head, &ps->s.wait);
}

/* The kipc sleeper @e is, if it is one reported as a waiter, else NULL. */
static struct kipc_sleeper *kipc_sleeper_of(struct wait_queue_entry *e)
{
	struct kipc_sleeper *s;

	if (e->func != kipc_sleeper_wake && e->func != kipc_poll_sleeper_wake)
		return NULL;
	s = container_of(e, struct kipc_sleeper, wait);
	return s->what ? s : NULL;
}

/**
 * kipc_wq_nr_waiters() - the tasks blocked on @wq in kipc
 * @wq: the wait queue
 *
 * Counts the sleepers of kipc_wq_sleep() and the waits for many
 * (&struct kipc_poll_sleeper) with a KIPC_WAITFOR_*, not the entries of
 * poll(2) or epoll, under @wq's own lock.  A sleeper of kipc_wq_sleep()
 * woken and not yet asleep again is not there; a wait for many is, from
 * its first poll to its return.
 *
 * Return: their number.
 */
unsigned int kipc_wq_nr_waiters(wait_queue_head_t *wq)
{
	struct wait_queue_entry *e;
	unsigned int n = 0;
	unsigned long flags;

	spin_lock_irqsave(&wq->lock, flags);
	list_for_each_entry(e, &wq->head, entry)
		n += !!kipc_sleeper_of(e);
	spin_unlock_irqrestore(&wq->lock, flags);
	return n;
}

/**
 * kipc_wq_put_waiters() - one KIPC_OBJ_A_WAITER nest per sleeper on @wq
 * @skb: the message, inside the KIPC_OBJ_A_WAITERS nest
 * @wq: the wait queue
 *
 * The sleepers of kipc_wq_sleep() and the waits for many with a
 * KIPC_WAITFOR_*, as kipc_wq_nr_waiters() counts them, under @wq's own
 * lock (interrupts off: kipc_nl_put_waiter() must not sleep).  A
 * sleeper's task cannot go while its entry is on @wq: it leaves
 * kipc_wq_sleep() only after finish_wait() took it off, and
 * KIPC_IOC_WAIT_MANY only after kipc_poll_sleeper_del(), under that lock.
 *
 * Return: 0, or -EMSGSIZE when @skb is full.
 */
int kipc_wq_put_waiters(struct sk_buff *skb, wait_queue_head_t *wq)
{
	struct wait_queue_entry *e;
	struct kipc_sleeper *s;
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&wq->lock, flags);
	list_for_each_entry(e, &wq->head, entry) {
		s = kipc_sleeper_of(e);
		if (!s)
			continue;
		err = kipc_nl_put_waiter(skb, e->private, s->what, s->since,
					 e->func == kipc_poll_sleeper_wake);
		if (err)
			break;
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	return err;
}
