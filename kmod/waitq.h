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
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

/**
 * struct kipc_waitq - FIFO of blocked tasks, protected by its object's lock
 * @head: the waiters, oldest first
 * @count: their number
 * @lock: the object's lock, which every operation below requires (lockdep
 *	checks it); only kipc_waitq_granted() is for a waiter without it
 */
struct kipc_waitq {
	struct list_head head;
	unsigned int count;
	spinlock_t *lock; /* the object's, not the queue's own */
};

/**
 * struct kipc_waiter - one blocked task, on its own stack
 * @node: link in &kipc_waitq.head
 * @task: the task
 * @granted: set by the waker: what the task waited for is now its own
 * @value: value handed over with the grant
 * @data: what the waiter offers the waker (a queue sender's message)
 * @size: what the waiter can take (a queue receiver's buffer size)
 */
struct kipc_waiter {
	struct list_head node;
	struct task_struct *task;
	bool granted;
	u64 value;
	void *data;
	u32 size;
};

/**
 * kipc_waitq_init() - an empty queue protected by @lock
 * @q: the queue
 * @lock: the object's lock
 */
static inline void kipc_waitq_init(struct kipc_waitq *q, spinlock_t *lock)
{
	INIT_LIST_HEAD(&q->head);
	q->count = 0;
	q->lock = lock;
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

/**
 * kipc_waitq_grant() - remove @w from @q, hand it @value and wake it
 * @q: the queue; its lock is held
 * @w: a waiter on @q
 * @value: value for the waiter
 */
static inline void kipc_waitq_grant(struct kipc_waitq *q,
				    struct kipc_waiter *w, u64 value)
{
	struct task_struct *task = w->task;

	lockdep_assert_held(q->lock);
	list_del_init(&w->node);
	q->count--;
	w->value = value;
	get_task_struct(task);
	/*
	 * Pairs with kipc_waitq_granted(): a waiter may see the grant
	 * without the lock and return, so this is the last access to @w.
	 */
	smp_store_release(&w->granted, true);
	wake_up_process(task);
	put_task_struct(task);
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
 * return without retaking the object's lock, as a futex waiter does.
 *
 * Return: true if granted; w->value then holds the value.
 */
static inline bool kipc_waitq_granted(struct kipc_waiter *w)
{
	/* Pairs with the release in kipc_waitq_grant(): w->value is set. */
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
void kipc_sleep(ktime_t deadline, unsigned int recheck_ms);
int kipc_waitq_sleep(struct kipc_waitq *q, struct kipc_waiter *w,
		     ktime_t deadline);
int kipc_wq_wait(wait_queue_head_t *wq, u32 (*ready)(void *arg), void *arg,
		 bool nonblock, ktime_t deadline, u32 *result);

/* Whether absolute CLOCK_MONOTONIC @deadline (KTIME_MAX: none) is past. */
static inline bool kipc_deadline_passed(ktime_t deadline)
{
	return deadline != KTIME_MAX &&
	       ktime_compare(ktime_get(), deadline) >= 0;
}

#endif /* _KIPC_WAITQ_H */
