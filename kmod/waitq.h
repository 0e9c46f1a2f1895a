/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FIFO wait queues with direct hand-off (wait.c and the inline operations
 * below), and the sleeps every blocking call uses.
 *
 * Locking: see docs/design.md, sections 4 and 7.
 */
#ifndef _KIPC_WAITQ_H
#define _KIPC_WAITQ_H

#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

struct kipc_counters;
struct sk_buff;

/**
 * struct kipc_waitq - FIFO of blocked tasks, protected by its object's lock
 * @head: the waiters, oldest first
 * @count: their number
 * @lock: the object's lock, which every operation below requires (lockdep
 *	checks it); only kipc_waitq_granted() is for a waiter without it
 * @what: what its waiters wait for, a KIPC_WAITFOR_* of
 *	uapi/linux/kipc_netlink.h (0 until kipc_waitq_set_what())
 * @counters: the object's counters, where kipc_waitq_sleep() counts
 *	blocked calls and timeouts, or NULL
 *
 * @head and @count are changed only by the operations below and wait.c;
 * an object type may read @count under @lock.  @what and @counters are
 * set once, before the object is published.
 */
struct kipc_waitq {
	struct list_head head;
	unsigned int count;
	spinlock_t *lock; /* the object's, not the queue's own */
	u32 what;
	struct kipc_counters *counters;
};

/**
 * struct kipc_waiter - one blocked task, on its own stack
 * @node: link in &kipc_waitq.head
 * @task: the task
 * @granted: set by the waker: what the task waited for is now its own
 * @value: value handed over with the grant
 * @data: what the waiter offers the waker (a queue sender's message)
 * @size: what the waiter can take (a queue receiver's buffer size)
 * @since: ktime_get_ns() when it was queued, for KIPC_WAITER_A_SINCE_NS
 *
 * @node, @task, @granted and @since belong to the queue's operations; the
 * waiter reads @granted and @value under the lock, or with
 * kipc_waitq_granted().  @data and @size are for the object type, under
 * the lock.
 */
struct kipc_waiter {
	struct list_head node;
	struct task_struct *task;
	bool granted;
	u64 value;
	void *data;
	u32 size;
	u64 since;
};

/**
 * kipc_waitq_init() - an empty queue protected by @lock
 * @q: the queue
 * @lock: the object's lock
 *
 * Its waiters are reported as waiting for nothing in particular (0) and
 * nothing is counted until kipc_waitq_set_what().
 */
static inline void kipc_waitq_init(struct kipc_waitq *q, spinlock_t *lock)
{
	INIT_LIST_HEAD(&q->head);
	q->count = 0;
	q->lock = lock;
	q->what = 0;
	q->counters = NULL;
}

/**
 * kipc_waitq_set_what() - say what @q's waiters wait for, and where to count
 * @q: a queue set up by kipc_waitq_init(), not yet in use
 * @what: KIPC_WAITFOR_* (uapi/linux/kipc_netlink.h), reported per waiter by
 *	kipc_waitq_put_waiters()
 * @counters: &obj->counters of the object whose lock protects @q, or NULL:
 *	kipc_waitq_sleep() then adds 1 to @counters->waits for every call
 *	(a call that queued to block, even with its deadline already past)
 *	and 1 to @counters->timeouts for every one that ends by its
 *	deadline, under the object's lock
 */
static inline void kipc_waitq_set_what(struct kipc_waitq *q, u32 what,
				       struct kipc_counters *counters)
{
	q->what = what;
	q->counters = counters;
}

/**
 * kipc_waitq_add() - queue @w at the tail of @q; caller holds the lock
 * @q: the queue
 * @w: a waiter for the current task
 */
static inline void kipc_waitq_add(struct kipc_waitq *q, struct kipc_waiter *w)
{
	lockdep_assert_held(q->lock);
	w->task = current;
	w->granted = false;
	w->value = 0;
	w->since = ktime_get_ns();
	list_add_tail(&w->node, &q->head);
	q->count++;
}

/**
 * kipc_waitq_first() - the oldest waiter, not removed
 * @q: the queue; its lock is held
 *
 * Return: the waiter, or NULL if @q is empty.
 */
static inline struct kipc_waiter *kipc_waitq_first(struct kipc_waitq *q)
{
	lockdep_assert_held(q->lock);
	return list_first_entry_or_null(&q->head, struct kipc_waiter, node);
}

/*
 * The hand-off.  A waker hands what a waiter waits for (a signal, a
 * message, a unit, the mutex) directly to it, under the object's lock, so
 * that nothing taken can be lost and nobody overtakes the queue.  The
 * waiter (kipc_waitq_sleep(), kipc_mutex_do_lock()) does, under the lock:
 *
 *	kipc_waitq_add(q, &w);
 *	for (;;) {
 *		if (w.granted)                          W1
 *			return 0;
 *		if (signal or deadline)                 W2
 *			break;
 *		set_current_state(TASK_INTERRUPTIBLE);  W3
 *		unlock; kipc_sleep();
 *		if (kipc_waitq_granted(&w))             W4 (mutex only)
 *			return w.value;
 *		lock;
 *	}
 *	kipc_waitq_remove(q, &w);                       W5
 *	unlock;
 *
 * and the waker, kipc_waitq_grant(), under the same lock:
 *
 *	task = w->task;                                 G1
 *	list_del_init(&w->node); q->count--;            G2
 *	w->value = value;                               G3
 *	get_task_struct(task);                          G4
 *	smp_store_release(&w->granted, true);           G5
 *	wake_up_process(task);                          G6
 *	put_task_struct(task);                          G7
 *
 * Once G5 is visible, a waiter at W4 may return without the lock, and its
 * stack frame, which holds @w, may be reused, its thread may even exit.
 * So G5 is the last access to @w, and every step has its place:
 *
 * G1: @w->task is read into a local before G5; read after it, it may be
 *     garbage from a reused frame.
 * G2: the unlink comes before G5.  After it, @w cannot be reached by a
 *     later grant, a kipc_waitq_poke_all() or a removal; unlinked after
 *     G5, the list would hold a frame already reused: list corruption
 *     and a wake-up of whatever task pointer lies there.
 * G3: the value comes before G5 and is read after W4's acquire.  Stored
 *     after G5, or with G5 a plain store (the CPU may then reorder them),
 *     a lock-free waiter returns a stale value: 0 (success) for a mutex
 *     taken with EOWNERDEAD, a NULL message for a queue receiver.
 * G4: the task is pinned before G5.  Pinned after it, the waiter may
 *     already have returned and exited, and the task_struct be freed.
 * G5: release, paired with W4's acquire (kipc_waitq_granted()): all that
 *     G2, G3 and the waker's earlier stores to the object (for the mutex,
 *     the word's swap to the new owner in kipc_mutex_grant()) did is
 *     visible to a waiter that sees the grant without the lock.
 * G6: the wake comes after G5.  Before it, the woken waiter would find
 *     no grant at W4 and wait for the lock the waker holds, then see it
 *     at W1: correct, but the lock-free return would never happen.  A
 *     wake-up can reach the task after it returned (in a later sleep);
 *     every sleep loop, in kipc as in the rest of the kernel, re-checks
 *     its condition, so that is only a spurious wake-up.
 * G7: the pin is dropped after G6, the only use of @task after G5.
 *
 * On the waiter's side:
 *
 * W1 before W2: a grant that raced with a signal or the deadline wins.
 *     The other way round, a waiter granted a message, a unit or the
 *     mutex would return an error and what it was given would be lost
 *     (the waker counted it as delivered).
 * W3 before the unlock: a waker takes the lock after it, so it sees the
 *     task's sleeping state and G6 wakes it.  Set after the unlock, a
 *     grant in between would find the task running, G6 would do nothing,
 *     and the task would then sleep with its grant until its deadline.
 * W4: only a re-check, never a decision to leave: a waiter that does not
 *     see the grant retakes the lock and looks at W1, where @granted is
 *     exact.  A waiter that sees it must not touch @q or the object's
 *     locked state afterwards (the lock is not held); the mutex returns
 *     at once.  Dropped, the hand-off costs the waiter the lock.
 * W5: the removal of a waiter that gives up is done under the lock, in
 *     the same hold as the W1 that found no grant.  Done after the
 *     unlock, a waker could grant @w in between: the grant would go to a
 *     task that returned an error, and the list would keep a dead frame.
 */

/**
 * kipc_waitq_grant() - remove @w from @q, hand it @value and wake it
 * @q: the queue; its lock is held
 * @w: a waiter on @q
 * @value: value for the waiter
 *
 * The steps and their order are explained above (G1 to G7).
 */
static inline void kipc_waitq_grant(struct kipc_waitq *q,
				    struct kipc_waiter *w, u64 value)
{
	struct task_struct *task = w->task;		/* G1 */

	lockdep_assert_held(q->lock);
	list_del_init(&w->node);			/* G2 */
	q->count--;
	w->value = value;				/* G3 */
	get_task_struct(task);				/* G4 */
	smp_store_release(&w->granted, true);		/* G5: last use of @w */
	wake_up_process(task);				/* G6 */
	put_task_struct(task);				/* G7 */
}

/**
 * kipc_waitq_remove() - take @w, not granted, off @q: its task gives up
 * @q: the queue; its lock is held
 * @w: the caller's waiter, still queued
 */
static inline void kipc_waitq_remove(struct kipc_waitq *q,
				     struct kipc_waiter *w)
{
	lockdep_assert_held(q->lock);
	list_del_init(&w->node);
	q->count--;
}

/**
 * kipc_waitq_granted() - whether @w was granted, without the lock
 * @w: the caller's waiter, woken from its sleep
 *
 * A granted waiter is off the queue and its value is set, so it may
 * return without retaking the object's lock, as a futex waiter does (W4
 * above).  False is no answer: the caller retakes the lock and looks
 * again.
 *
 * Return: true if granted; w->value then holds the value.
 */
static inline bool kipc_waitq_granted(struct kipc_waiter *w)
{
	/* W4: pairs with G5 in kipc_waitq_grant(): w->value is set. */
	return smp_load_acquire(&w->granted);
}

/**
 * kipc_waitq_wake_one() - hand @value to the oldest waiter
 * @q: the queue; its lock is held
 * @value: value for the waiter
 *
 * Return: true if a waiter was granted, false if @q was empty.
 */
static inline bool kipc_waitq_wake_one(struct kipc_waitq *q, u64 value)
{
	lockdep_assert_held(q->lock);
	if (list_empty(&q->head))
		return false;
	kipc_waitq_grant(q, list_first_entry(&q->head, struct kipc_waiter,
					     node), value);
	return true;
}

unsigned int kipc_waitq_wake_all(struct kipc_waitq *q, u64 value);
void kipc_waitq_poke_all(struct kipc_waitq *q);
void kipc_sleep(ktime_t deadline, unsigned int recheck_ms);
int kipc_waitq_sleep(struct kipc_waitq *q, struct kipc_waiter *w,
		     ktime_t deadline);
int kipc_waitq_put_waiters(struct sk_buff *skb, struct kipc_waitq *q);
int kipc_waitq_report(struct sk_buff *skb, struct kipc_waitq *q);

/**
 * struct kipc_sleeper - a task asleep in kipc_wq_sleep(), on its stack
 * @wait: its entry in the wait queue (@wait.private is the task)
 * @since: ktime_get_ns() when the call began
 * @what: KIPC_WAITFOR_*, or 0: not reported
 *
 * The wait queue is the list of sleepers: kipc_wq_sleep() queues the
 * entry as any sleep does (prepare_to_wait()), with its own wake function,
 * kipc_sleeper_wake(), by which kipc_wq_put_waiters() tells kipc's
 * sleepers from the poll/epoll entries on the same queue.  Nothing is
 * added to the sleep: no other list, lock or count.
 */
struct kipc_sleeper {
	struct wait_queue_entry wait;
	u64 since;
	u32 what;
};

/**
 * struct kipc_poll_sleeper - a wait for many's entry on an object's queue
 * @s: the sleeper; @s.wait.private is the waiting task
 * @head: the wait queue it is on
 * @key: the poll events that wake it
 * @triggered: the wait's flag, set by every wake-up that passes @key
 *
 * KIPC_IOC_WAIT_MANY registers on each object's poll wait queue as
 * poll(2) does, but with this entry instead of poll's own, so that
 * kipc_wq_nr_waiters() and kipc_wq_put_waiters() find it and report the
 * task as a waiter of that object, flagged KIPC_WAITER_A_MANY.  Entries
 * of poll(2), select(2) and epoll stay unreported.
 */
struct kipc_poll_sleeper {
	struct kipc_sleeper s;
	wait_queue_head_t *head;
	__poll_t key;
	int *triggered;
};

void kipc_poll_sleeper_add(struct kipc_poll_sleeper *ps,
			   wait_queue_head_t *head, __poll_t key, u32 what,
			   u64 since, int *triggered);
void kipc_poll_sleeper_del(struct kipc_poll_sleeper *ps);

int kipc_wq_sleep(wait_queue_head_t *wq, u32 what, u32 (*ready)(void *arg),
		  void *arg, bool nonblock, ktime_t deadline, u32 *result,
		  bool *slept);
int kipc_wq_wait(wait_queue_head_t *wq, u32 (*ready)(void *arg), void *arg,
		 bool nonblock, ktime_t deadline, u32 *result);
unsigned int kipc_wq_nr_waiters(wait_queue_head_t *wq);
int kipc_wq_put_waiters(struct sk_buff *skb, wait_queue_head_t *wq);

/* Whether absolute CLOCK_MONOTONIC @deadline (KTIME_MAX: none) is past. */
static inline bool kipc_deadline_passed(ktime_t deadline)
{
	return deadline != KTIME_MAX &&
	       ktime_compare(ktime_get(), deadline) >= 0;
}

/**
 * kipc_wait_interrupted() - whether a wait loop must stop, and with what
 * @deadline: absolute CLOCK_MONOTONIC time, or KTIME_MAX for none
 * @killable: only a fatal signal ends the wait (TASK_KILLABLE sleeps)
 *
 * The exit every wait loop checks after its condition: a pending signal
 * (a fatal one if @killable) first, then the deadline.  The signal wins
 * when both hold, so an interrupted call is restarted rather than timed
 * out.
 *
 * Return: 0 to go on waiting; -ERESTARTSYS if a signal is pending;
 * -ETIMEDOUT if @deadline has passed.
 */
static inline int kipc_wait_interrupted(ktime_t deadline, bool killable)
{
	if (killable ? fatal_signal_pending(current) : signal_pending(current))
		return -ERESTARTSYS;
	if (kipc_deadline_passed(deadline))
		return -ETIMEDOUT;
	return 0;
}

#endif /* _KIPC_WAITQ_H */
