// SPDX-License-Identifier: GPL-2.0
/*
 * Robust process-shared mutexes and condition variables.
 *
 * A mutex is one 32-bit word in a zeroed page of its own that user space
 * maps (see "Mutexes and condition variables" in the uapi header).  User
 * space locks by compare-and-swap from 0 to its thread id and unlocks from
 * its thread id to 0; the kernel is entered only when a swap fails: to
 * sleep, to hand the mutex over to the oldest waiter, to recover from a
 * dead owner and for recursive mutexes.
 *
 * Thread ids are those of the caller's pid namespace (task_pid_vnr()):
 * every user of a mutex must share one pid namespace, or a tid in the word
 * names another thread (or none) for the kernel.
 *
 * The word is never trusted.  Any writer of the mapping may store anything
 * in it at any time; the kernel reads it only to learn the owner (the low
 * 30 bits) and always writes it with atomic operations.  The kernel's own
 * state (waiter list, robust state, recursion depth) lives in the object,
 * never in the word; the flag bits it writes are recomputed from that
 * state, never read back.  So garbage can at worst break mutual exclusion
 * among those who wrote it, never the kernel.  How the kernel reads the
 * owner field:
 *   - 0: unlocked (whatever the flag bits say);
 *   - the caller's own tid: held by the caller;
 *   - a tid that names no live thread of the caller's pid namespace (none,
 *     an exiting thread, a zombie): the owner died; the next locker takes
 *     the mutex with EOWNERDEAD.
 *
 * Death of an owner is detected without any hook in the dying thread: a
 * locker checks whether the owner is alive before sleeping, and sleeping
 * waiters check again at least every KIPC_MUTEX_RECHECK_MS.  Every close
 * of a mutex fd (also at exit) and the unmapping of a mutex's page (also
 * at exit_mmap) checks at once, which hands a mutex whose owner was killed
 * to the oldest waiter without waiting for the next check.  A thread id
 * reused by a new thread before anyone noticed the death is taken for the
 * owner (thread ids are allocated cyclically, so that takes pid_max new
 * threads in between).
 *
 * A condition variable is a FIFO of waiters.  KIPC_COND_IOC_WAIT queues
 * the caller on the cond before it releases the mutex, so a signal after
 * the release finds it queued, and re-locks the mutex through the kernel
 * path after the wait.
 *
 * poll/epoll on a mutex fd: readable (EPOLLIN) while the mutex is unlocked
 * or its owner is dead, EPOLLERR once it is not recoverable.  A poll that
 * finds it held by a live thread "arms" it: KIPC_MUTEX_WAITERS is set in
 * the word so that the owner's unlock comes to the kernel, which wakes
 * the pollers.  A death is seen at the next close or unmapping of the
 * mutex (or the exit of its owner's process), not when a single thread
 * of a living process exits; KIPC_IOC_WAIT_MANY rechecks on its own.
 * A cond fd has no state to poll: poll reports nothing.
 *
 * KIPC_IOC_WAIT_MANY takes mutexes through kipc_mutex_wm_ops.
 *
 * Locking: see docs/design.md, section 7.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/file.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/kipc_netlink.h>
#include <net/netlink.h>
#include <kunit/visibility.h>

#include "kipc.h"

/* A sleeping locker checks whether the owner is alive this often. */
#define KIPC_MUTEX_RECHECK_MS	100

/*
 * The rechecks come from one delayed work for every mutex, not from a
 * timer armed and cancelled by each sleep: a mutex goes on
 * kipc_mutex_recheck_list when a locker is about to sleep on it and stays
 * there until the work finds it without waiters, so handing a contended
 * mutex over arms nothing.  The work wakes the mutex's sleeping lockers,
 * which look at the owner again.  kipc_mutex_recheck_lock is taken
 * before a mutex's lock (the work), never under one: a locker puts its
 * mutex on the list after dropping the mutex's lock.
 */
static DEFINE_SPINLOCK(kipc_mutex_recheck_lock);
static LIST_HEAD(kipc_mutex_recheck_list);
static void kipc_mutex_recheck_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(kipc_mutex_recheck_work, kipc_mutex_recheck_fn);

/**
 * struct kipc_mutex_obj - a robust process-shared mutex
 * @obj: the common part
 * @page: the page holding the word, mapped by user space
 * @word: the lock word in @page; written by user space at any time, so
 *	accessed only with READ_ONCE() and atomic operations
 * @lock: protects every field below and serializes the kernel's updates
 *	of @word.  Under it only RCU, the scheduler's locks (to wake a
 *	waiter) and, in an all-wait, other mutexes' locks are taken; it is
 *	taken under kipc_mutex_recheck_lock, an all-wait's locks and the
 *	mmap lock (unmapping).  It and a cond's lock are never held together
 *	(docs/design.md, section 7).
 * @waiters: threads blocked in the kernel, oldest first; a waiter's
 *	&kipc_waiter.size is its tid, &kipc_waiter.value the result handed
 *	to it with the mutex (0, -EOWNERDEAD or -ENOTRECOVERABLE)
 * @recursive: KIPC_MUTEX_RECURSIVE
 * @state: KIPC_MUTEX_STATE_*
 * @kowner: the tid the kernel last gave the mutex to (0: none since the
 *	last kernel unlock); @depth counts only while it is the word's owner
 * @depth: nested locks by @kowner
 * @armed: a poller (or a wait for many) waits for the owner's unlock, so
 *	KIPC_MUTEX_WAITERS stays set until the kernel sees it
 * @poll_wq: poll/epoll waiters; woken, outside @lock, when @armed is
 *	cleared
 * @on_recheck: on kipc_mutex_recheck_list, or about to be put there by a
 *	locker that has just dropped @lock to sleep
 * @recheck: the node in kipc_mutex_recheck_list, under
 *	kipc_mutex_recheck_lock
 * @died: the kernel took the mutex over from a dead owner and has not yet
 *	told the "events" group: kipc_mutex_unlock() does, once @lock is
 *	dropped
 * @dead: that owner's process, referenced, or NULL if it is gone
 * @ns: the creator's pid namespace, the one whose thread ids the word
 *	holds, to report the owner in a netlink reader's (kipc_mutex_nl_state())
 *
 * Its counters (&kipc_object.counters, under @lock), kernel paths only:
 * contended, the acquisitions made in the kernel (kipc_mutex_try() and
 * kipc_mutex_grant(); not a recursive re-lock); waits and timeouts, the
 * lock calls that queued and those that ended by their deadline
 * (kipc_mutex_do_lock()); owner_deaths, the takeovers from a dead owner
 * (kipc_mutex_owner_died()).
 */
struct kipc_mutex_obj {
	struct kipc_object obj;
	struct page *page;
	u32 *word;
	spinlock_t lock; /* protects all below */
	struct kipc_waitq waiters;
	bool recursive;
	u32 state;
	u32 kowner;
	u32 depth;
	bool armed;
	wait_queue_head_t poll_wq;
	bool on_recheck;
	struct list_head recheck;
	bool died;
	struct pid *dead;
	struct pid_namespace *ns;
};

/**
 * struct kipc_cond_obj - a condition variable
 * @obj: the common part
 * @lock: protects every field below; only the scheduler's locks are
 *	taken under it, and it is never held together with a mutex's lock
 * @waiters: threads blocked in KIPC_COND_IOC_WAIT, oldest first
 *
 * Its counters (&kipc_object.counters, under @lock): msgs_in, the signals
 * and broadcasts received; msgs_out, the waiters woken by them; waits and
 * timeouts, counted by kipc_waitq_sleep().
 */
struct kipc_cond_obj {
	struct kipc_object obj;
	spinlock_t lock; /* protects all below */
	struct kipc_waitq waiters;
};

static inline struct kipc_mutex_obj *to_mutex(struct kipc_object *obj)
{
	return container_of(obj, struct kipc_mutex_obj, obj);
}

static inline struct kipc_cond_obj *to_cond(struct kipc_object *obj)
{
	return container_of(obj, struct kipc_cond_obj, obj);
}

/*
 * The caller's thread id in its own pid namespace: task_pid_vnr(current),
 * which is the number of its pid at the pid's deepest level, read inline
 * (task_pid_vnr() is three calls deep and every lock and unlock that
 * enters the kernel asks).  A running task's pid does not change under it.
 */
static inline u32 kipc_mutex_tid(void)
{
	struct pid *pid = task_pid(current);

	return (u32)pid->numbers[pid->level].nr & KIPC_MUTEX_TID_MASK;
}

/*
 * The word holds thread ids of @m->ns, the creator's pid namespace, and
 * user space writes gettid() of its own: a task of another pid namespace
 * (reached by fd passing) can neither lock, unlock nor map it.
 */
static int kipc_mutex_same_pidns(const struct kipc_mutex_obj *m)
{
	return task_active_pid_ns(current) == m->ns ? 0 : -EXDEV;
}

/**
 * kipc_tid_alive() - whether a mutex owner is alive
 * @ns: the mutex's pid namespace, where @tid is a thread id
 * @tid: a thread id of @ns (the caller may be of another: a close of a
 *	passed fd checks the owner too)
 * @tgid: out: its process id, if alive (may be NULL)
 *
 * Alive: the thread exists, is not exiting and is not a zombie.  The
 * verdict may be stale as soon as it is made (the owner may unlock in
 * user space and then exit): a caller acts on "dead" only through a swap
 * of the word from the value that named @tid.  KUnit tests redirect it
 * (a static stub) to open that window at will.
 *
 * Return: true if alive.
 */
VISIBLE_IF_KUNIT
bool kipc_tid_alive(struct pid_namespace *ns, u32 tid, pid_t *tgid)
{
	struct task_struct *t;
	bool alive = false;

	KUNIT_STATIC_STUB_REDIRECT(kipc_tid_alive, ns, tid, tgid);
	rcu_read_lock();
	t = pid_task(find_pid_ns(tid, ns), PIDTYPE_PID);
	if (t && !(READ_ONCE(t->flags) & PF_EXITING) &&
	    !READ_ONCE(t->exit_state)) {
		alive = true;
		if (tgid)
			*tgid = task_tgid_vnr(t);
	}
	rcu_read_unlock();
	return alive;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_tid_alive);

/*
 * KIPC_MUTEX_KSTATE when the kernel must see the next unlock of @m once it
 * is in @state.
 */
static u32 kipc_mutex_kstate(struct kipc_mutex_obj *m, u32 state)
{
	return m->recursive || state != KIPC_MUTEX_STATE_OK ?
	       KIPC_MUTEX_KSTATE : 0;
}

/*
 * KIPC_MUTEX_WAITERS if the next unlock must come to the kernel: more than
 * @skip threads are queued (the one about to get the mutex is skipped),
 * or pollers wait.
 */
static u32 kipc_mutex_waiters_bit(struct kipc_mutex_obj *m, unsigned int skip)
{
	lockdep_assert_held(&m->lock);
	return m->waiters.count > skip || m->armed ||
	       kipc_signal_armed(&m->obj, 0) ? KIPC_MUTEX_WAITERS : 0;
}

/* Set or clear @bits in the word, against user space's swaps; @m->lock held. */
static void kipc_mutex_word_update(struct kipc_mutex_obj *m, u32 set, u32 clear)
{
	u32 old = READ_ONCE(*m->word), new;

	lockdep_assert_held(&m->lock);
	for (;;) {
		new = (old | set) & ~clear;
		if (new == old)
			return;
		new = cmpxchg(m->word, old, new);
		if (new == old)
			return;
		old = new;
	}
}

/* The result a locker gets with a mutex in @state: 0 or -EOWNERDEAD. */
static int kipc_mutex_result(u32 state)
{
	return state == KIPC_MUTEX_STATE_OK ? 0 : -EOWNERDEAD;
}

/*
 * The state the mutex is in once taken from a word whose owner field is
 * @owner: an owner is left in the word only by a death (the caller has
 * found it dead), so taking it over makes the mutex inconsistent.
 */
static u32 kipc_mutex_next_state(struct kipc_mutex_obj *m, u32 owner)
{
	lockdep_assert_held(&m->lock);
	return owner ? KIPC_MUTEX_STATE_OWNERDEAD : m->state;
}

/*
 * The kernel took @m over from @owner, found dead: count it, and keep the
 * dead owner's process for the notification kipc_mutex_unlock() sends.
 * Its thread is looked up as kipc_tid_alive() did (in the mutex's pid
 * namespace); a thread already reaped leaves no process to name (NULL).
 * A second death before the first is sent is counted, not sent.
 */
static void kipc_mutex_owner_died(struct kipc_mutex_obj *m, u32 owner)
{
	struct task_struct *t;

	lockdep_assert_held(&m->lock);
	kipc_count(&m->obj.counters.owner_deaths, 1);
	if (m->died)
		return;
	m->died = true;
	rcu_read_lock();
	t = pid_task(find_pid_ns(owner, m->ns), PIDTYPE_PID);
	m->dead = t ? get_pid(task_tgid(t)) : NULL;
	rcu_read_unlock();
}

/*
 * Drop @m->lock; then tell the "events" group of a death the kernel found
 * under it (KIPC_EV_OWNER_DIED), if any.  Every path that can find a dead
 * owner unlocks with this.
 */
static void kipc_mutex_unlock(struct kipc_mutex_obj *m)
	__releases(&m->lock)
{
	struct pid *dead = m->dead;
	bool died = m->died;

	lockdep_assert_held(&m->lock);
	m->died = false;
	m->dead = NULL;
	spin_unlock(&m->lock);
	if (unlikely(died)) {
		kipc_nl_notify(KIPC_EV_OWNER_DIED, &m->obj, dead);
		put_pid(dead);
	}
}

/*
 * Give the mutex to the oldest waiter, taking it from the word @old (free,
 * or held by the caller or by a dead owner) and putting it in @state.
 * Caller holds @m->lock and there is a waiter.
 *
 * Nothing is decided before the swap: the verdict that led here is about
 * @old, and only a compare-and-swap from @old proves it still holds (user
 * space swaps the word at any time: an owner judged dead may have
 * unlocked just before it began to exit, and a new locker may have taken
 * a word seen free).  Return: true if granted, false if the word changed;
 * then nothing was changed and the caller decides again.
 */
static bool kipc_mutex_grant(struct kipc_mutex_obj *m, u32 old, u32 state)
{
	struct kipc_waiter *w = kipc_waitq_first(&m->waiters);
	u32 tid = w->size;

	lockdep_assert_held(&m->lock);
	if (cmpxchg(m->word, old, tid | kipc_mutex_kstate(m, state) |
		    kipc_mutex_waiters_bit(m, 1)) != old)
		return false;
	m->state = state;
	m->kowner = tid;
	m->depth = 1;
	kipc_count(&m->obj.counters.contended, 1);
	kipc_waitq_grant(&m->waiters, w,
			 (u64)(s64)kipc_mutex_result(state));
	return true;
}

/*
 * Hand the mutex over if its owner is gone: unlocked (by a write of the
 * word that bypassed the kernel) or dead.  Otherwise make sure the word
 * sends the owner's unlock to the kernel.  Caller holds @m->lock.
 */
static void kipc_mutex_recover(struct kipc_mutex_obj *m)
{
	u32 old, owner;

	lockdep_assert_held(&m->lock);
	while (m->waiters.count) {
		if (m->state == KIPC_MUTEX_STATE_NOTRECOVERABLE) {
			kipc_waitq_wake_all(&m->waiters,
					    (u64)(s64)-ENOTRECOVERABLE);
			return;
		}
		old = READ_ONCE(*m->word);
		owner = old & KIPC_MUTEX_TID_MASK;
		if (owner && kipc_tid_alive(m->ns, owner, NULL)) {
			if ((old & KIPC_MUTEX_WAITERS) ||
			    cmpxchg(m->word, old, old | KIPC_MUTEX_WAITERS) == old)
				return;
			continue;
		}
		if (kipc_mutex_grant(m, old, kipc_mutex_next_state(m, owner))) {
			if (owner)
				kipc_mutex_owner_died(m, owner);
			return;
		}
	}
}

/*
 * One attempt to lock for @tid; caller holds @m->lock.  If the owner is
 * alive and @queue, KIPC_MUTEX_WAITERS is set in the word so that its
 * unlock comes to the kernel.
 *
 * Return: 0 or -EOWNERDEAD when taken; -EBUSY when a live thread holds
 * it; -ENOTRECOVERABLE; -EDEADLK; -EAGAIN (recursion depth overflow).
 */
static int kipc_mutex_try(struct kipc_mutex_obj *m, u32 tid, bool queue)
{
	u32 old, owner, new, state, depth;

	lockdep_assert_held(&m->lock);
	for (;;) {
		if (m->state == KIPC_MUTEX_STATE_NOTRECOVERABLE)
			return -ENOTRECOVERABLE;
		old = READ_ONCE(*m->word);
		owner = old & KIPC_MUTEX_TID_MASK;
		if (owner == tid) {
			if (!m->recursive)
				return -EDEADLK;
			/* Locked in user space: the kernel has not counted it. */
			depth = m->kowner == tid ? m->depth : 1;
			if (depth == U32_MAX)
				return -EAGAIN;
			new = old | KIPC_MUTEX_KSTATE;
			if (new != old && cmpxchg(m->word, old, new) != old)
				continue;
			m->kowner = tid;
			m->depth = depth + 1;
			return 0;
		}
		if (owner && kipc_tid_alive(m->ns, owner, NULL)) {
			if (!queue)
				return -EBUSY;
			new = old | KIPC_MUTEX_WAITERS;
			if (new != old && cmpxchg(m->word, old, new) != old)
				continue;
			return -EBUSY;
		}
		/*
		 * Unlocked, or its owner died: take it.  The swap from @old
		 * proves the verdict (see kipc_mutex_grant()); the state
		 * changes only once it succeeded.
		 */
		state = kipc_mutex_next_state(m, owner);
		new = tid | kipc_mutex_kstate(m, state) |
		      kipc_mutex_waiters_bit(m, 0);
		if (cmpxchg(m->word, old, new) != old)
			continue;
		m->state = state;
		m->kowner = tid;
		m->depth = 1;
		kipc_count(&m->obj.counters.contended, 1);
		if (owner)
			kipc_mutex_owner_died(m, owner);
		return kipc_mutex_result(state);
	}
}

/*
 * The mutex is free (or lost) for the pollers: stop sending unlocks to the
 * kernel on their behalf.  Returns whether they must be woken, which the
 * caller does after dropping @m->lock.
 */
static bool kipc_mutex_disarm(struct kipc_mutex_obj *m)
{
	lockdep_assert_held(&m->lock);
	if (!m->armed && !kipc_signal_armed(&m->obj, 0))
		return false;
	m->armed = false;
	return true;
}

/* Put @m on the recheck list (its locker set @m->on_recheck). */
static void kipc_mutex_recheck_add(struct kipc_mutex_obj *m)
{
	lockdep_assert_not_held(&m->lock);
	spin_lock(&kipc_mutex_recheck_lock);
	list_add_tail(&m->recheck, &kipc_mutex_recheck_list);
	spin_unlock(&kipc_mutex_recheck_lock);
	queue_delayed_work(system_wq, &kipc_mutex_recheck_work,
			   msecs_to_jiffies(KIPC_MUTEX_RECHECK_MS));
}

/* Wake every sleeping locker; drop the mutexes nobody waits on. */
static void kipc_mutex_recheck_fn(struct work_struct *work)
{
	struct kipc_mutex_obj *m, *tmp;
	bool again;

	spin_lock(&kipc_mutex_recheck_lock);
	list_for_each_entry_safe(m, tmp, &kipc_mutex_recheck_list, recheck) {
		spin_lock(&m->lock);
		if (m->waiters.count) {
			kipc_waitq_poke_all(&m->waiters);
		} else {
			m->on_recheck = false;
			list_del_init(&m->recheck);
		}
		spin_unlock(&m->lock);
	}
	again = !list_empty(&kipc_mutex_recheck_list);
	spin_unlock(&kipc_mutex_recheck_lock);
	if (again)
		queue_delayed_work(system_wq, &kipc_mutex_recheck_work,
				   msecs_to_jiffies(KIPC_MUTEX_RECHECK_MS));
}

/**
 * kipc_mutex_exit() - stop the rechecks, at module unload
 *
 * Every mutex is gone by then, so the list is empty.
 */
void kipc_mutex_exit(void)
{
	cancel_delayed_work_sync(&kipc_mutex_recheck_work);
	WARN_ON(!list_empty(&kipc_mutex_recheck_list));
}

/*
 * Lock @m for @tid, sleeping in FIFO order until it is handed over, the
 * owner is found dead, @deadline passes or a signal arrives (with
 * @killable, only a fatal signal ends the wait).
 *
 * The wait is the hand-off of waitq.h, steps W1 to W5 marked below, with
 * the lock-free return (W4): a waiter granted the mutex goes back to user
 * space without retaking @m->lock.  That is safe because
 * kipc_mutex_grant() swaps the word to the new owner's tid and sets
 * @kowner and @depth before kipc_waitq_grant()'s release (G5): the owner
 * then finds its tid in the word (a user-space unlock's swap succeeds),
 * and it touches nothing of @m without the lock.  Swapped after G5, the
 * owner's first unlock could fail with EPERM.
 *
 * Return: 0 or -EOWNERDEAD with the mutex held; -ENOTRECOVERABLE;
 * -EDEADLK; -EBUSY (@nonblock); -ETIMEDOUT; -ERESTARTSYS; -EAGAIN.
 */
static int kipc_mutex_do_lock(struct kipc_mutex_obj *m, u32 tid, bool nonblock,
			      ktime_t deadline, bool killable)
{
	struct kipc_waiter w;
	bool add;
	int ret;

	spin_lock(&m->lock);
	/* A mutex its owner left goes to the oldest waiter, not to us. */
	kipc_mutex_recover(m);
	ret = kipc_mutex_try(m, tid, !nonblock);
	if (ret != -EBUSY || nonblock)
		goto out;

	kipc_waitq_add(&m->waiters, &w);
	w.size = tid;
	kipc_count(&m->obj.counters.waits, 1);
	for (;;) {
		if (w.granted) {			/* W1 */
			ret = (int)(s64)w.value;
			goto out;
		}
		ret = kipc_wait_interrupted(deadline, killable);	/* W2 */
		if (ret)
			break;
		kipc_mutex_recover(m);
		if (w.granted)
			continue;
		if (unlikely(m->died)) {	/* tell it, then look again */
			kipc_mutex_unlock(m);
			spin_lock(&m->lock);
			continue;
		}
		add = !m->on_recheck;
		m->on_recheck = true;
		/* W3: before the unlock, so that a grant wakes us. */
		set_current_state(killable ? TASK_KILLABLE : TASK_INTERRUPTIBLE);
		spin_unlock(&m->lock);
		if (add)
			kipc_mutex_recheck_add(m);
		kipc_sleep(deadline, 0);
		__set_current_state(TASK_RUNNING);
		if (kipc_waitq_granted(&w))	/* W4: owner now, lock-free */
			return (int)(s64)w.value;
		spin_lock(&m->lock);
	}
	kipc_waitq_remove(&m->waiters, &w);	/* W5 */
	if (ret == -ETIMEDOUT)
		kipc_count(&m->obj.counters.timeouts, 1);
	if (!kipc_mutex_waiters_bit(m, 0))
		kipc_mutex_word_update(m, 0, KIPC_MUTEX_WAITERS);
out:
	kipc_mutex_unlock(m);
	return ret;
}

/*
 * One attempt of kipc_mutex_do_unlock(), under @m->lock.  Every write of
 * the word is a swap from the value the decision was made on.
 *
 * Return: 0; 1 when the pollers must be woken (after @m->lock is
 * dropped); -EPERM; -EAGAIN when the word changed before the swap (nothing
 * was changed: decide again).
 */
static int kipc_mutex_unlock_locked(struct kipc_mutex_obj *m, u32 tid, bool keep)
{
	u32 old = READ_ONCE(*m->word), new;

	lockdep_assert_held(&m->lock);
	if ((old & KIPC_MUTEX_TID_MASK) != tid ||
	    m->state == KIPC_MUTEX_STATE_NOTRECOVERABLE)
		return -EPERM;
	if (m->recursive && m->kowner == tid && m->depth > 1) {
		m->depth--;
		return 0;
	}
	if (m->waiters.count &&
	    (m->state != KIPC_MUTEX_STATE_OWNERDEAD || keep))
		return kipc_mutex_grant(m, old, m->state) ? 0 : -EAGAIN;

	new = m->state == KIPC_MUTEX_STATE_OK ? 0 : KIPC_MUTEX_KSTATE;
	/* Signals wanted (signal.c): the next unlock must come here too. */
	if (kipc_signal_armed(&m->obj, 0))
		new |= KIPC_MUTEX_WAITERS;
	if (cmpxchg(m->word, old, new) != old)
		return -EAGAIN;
	m->kowner = 0;
	m->depth = 0;
	if (m->state == KIPC_MUTEX_STATE_OWNERDEAD && !keep) {
		m->state = KIPC_MUTEX_STATE_NOTRECOVERABLE;
		kipc_waitq_wake_all(&m->waiters, (u64)(s64)-ENOTRECOVERABLE);
	}
	return kipc_mutex_disarm(m);
}

/*
 * Unlock @m held by @tid.  An unlock that ends an inconsistent ownership
 * makes the mutex not recoverable, unless @keep (a cond wait's release:
 * the next owner inherits EOWNERDEAD).
 *
 * Return: 0; -EPERM if @tid does not hold @m.
 */
static int kipc_mutex_do_unlock(struct kipc_mutex_obj *m, u32 tid, bool keep)
{
	spin_lock(&m->lock);
	for (;;) {
		int ret = kipc_mutex_unlock_locked(m, tid, keep);

		if (ret == -EAGAIN)	/* the word changed under us */
			continue;
		spin_unlock(&m->lock);
		if (ret == 1) {
			wake_up_interruptible_poll(&m->poll_wq,
						   EPOLLIN | EPOLLRDNORM);
			kipc_signal_ready(&m->obj, 0, POLL_IN);
		}
		return ret < 0 ? ret : 0;
	}
}

/* Mark @m, held by @tid with EOWNERDEAD, consistent again. */
static int kipc_mutex_do_consistent(struct kipc_mutex_obj *m, u32 tid)
{
	int ret = 0;

	spin_lock(&m->lock);
	if ((READ_ONCE(*m->word) & KIPC_MUTEX_TID_MASK) != tid ||
	    m->state == KIPC_MUTEX_STATE_NOTRECOVERABLE) {
		ret = -EPERM;
	} else if (m->state != KIPC_MUTEX_STATE_OWNERDEAD) {
		ret = -EINVAL;
	} else {
		m->state = KIPC_MUTEX_STATE_OK;
		if (!m->recursive)
			kipc_mutex_word_update(m, 0, KIPC_MUTEX_KSTATE);
	}
	spin_unlock(&m->lock);
	return ret;
}

/*
 * A close, or the unmapping of the word, may be the death of its owner:
 * hand the mutex to a waiter now rather than at its next check.
 */
static void kipc_mutex_check_owner(struct kipc_mutex_obj *m)
{
	bool wake = false;
	u32 owner;

	spin_lock(&m->lock);
	kipc_mutex_recover(m);
	owner = READ_ONCE(*m->word) & KIPC_MUTEX_TID_MASK;
	/*
	 * Pollers wait for a free or lost mutex; signals (signal.c) only for
	 * a lost one, as they were sent when it was freed.
	 */
	if (!m->waiters.count &&
	    (m->armed ? !owner || !kipc_tid_alive(m->ns, owner, NULL) :
	     kipc_signal_armed(&m->obj, 0) && owner &&
	     !kipc_tid_alive(m->ns, owner, NULL))) {
		wake = kipc_mutex_disarm(m);
		if (!kipc_mutex_waiters_bit(m, 0))
			kipc_mutex_word_update(m, 0, KIPC_MUTEX_WAITERS);
	}
	kipc_mutex_unlock(m);
	if (wake) {
		wake_up_interruptible_poll(&m->poll_wq, EPOLLIN | EPOLLRDNORM);
		kipc_signal_ready(&m->obj, 0, POLL_IN);
	}
}

/* ---- mutex object ------------------------------------------------------- */

static struct kipc_object *kipc_mutex_obj_create(const void *attr)
{
	const struct kipc_mutex_attr *a = attr;
	struct kipc_mutex_obj *m;

	if (!kipc_args_clean(a->flags & ~KIPC_MUTEX_RECURSIVE, a->__pad,
			     a->reserved, sizeof(a->reserved)))
		return ERR_PTR(-EINVAL);

	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return ERR_PTR(-ENOMEM);
	m->page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN);
	if (!m->page) {
		kfree(m);
		return ERR_PTR(-ENOMEM);
	}
	m->word = page_address(m->page);
	spin_lock_init(&m->lock);
	kipc_waitq_init(&m->waiters, &m->lock);
	init_waitqueue_head(&m->poll_wq);
	INIT_LIST_HEAD(&m->recheck);
	m->recursive = a->flags & KIPC_MUTEX_RECURSIVE;
	m->state = KIPC_MUTEX_STATE_OK;
	kipc_waitq_set_what(&m->waiters, KIPC_WAITFOR_LOCK, NULL);
	m->ns = get_pid_ns(task_active_pid_ns(current));
	m->obj.charge = PAGE_SIZE;
	return &m->obj;
}

static void kipc_mutex_obj_destroy(struct kipc_object *obj)
{
	struct kipc_mutex_obj *m = to_mutex(obj);

	WARN_ON(m->waiters.count);
	spin_lock(&kipc_mutex_recheck_lock);
	list_del(&m->recheck);
	spin_unlock(&kipc_mutex_recheck_lock);
	put_pid(m->dead);
	put_pid_ns(m->ns);
	__free_page(m->page);
	kfree(m);
}

/*
 * Every fd of a mutex can lock it and map it: read and write; and only
 * in the mutex's pid namespace (-EXDEV).
 */
static int kipc_mutex_obj_attach(struct kipc_object *obj, fmode_t mode,
				 unsigned int how, unsigned long *tag)
{
	if ((mode & (FMODE_READ | FMODE_WRITE)) != (FMODE_READ | FMODE_WRITE))
		return -EINVAL;
	if (kipc_mutex_same_pidns(to_mutex(obj)))
		return -EXDEV;
	*tag = 0;
	return 0;
}

static void kipc_mutex_flush(struct file *file, struct kipc_object *obj)
{
	kipc_mutex_check_owner(to_mutex(obj));
}

/* ---- mutex ioctls ------------------------------------------------------- */

/**
 * kipc_mutex_ioc_lock() - KIPC_MUTEX_IOC_LOCK: lock, maybe waiting
 * @file: the mutex fd's file
 * @obj: the mutex
 * @arg: user pointer to struct kipc_mutex_lock
 * @usize: its size as the caller knows it
 *
 * An fd opened with KIPC_FD_NONBLOCK behaves as KIPC_WAIT_NONBLOCK.
 *
 * Return: 0 or -EOWNERDEAD with the mutex held; -ENOTRECOVERABLE;
 * -EDEADLK; -EBUSY; -ETIMEDOUT; -ERESTARTSYS; -EINVAL; -EFAULT; -E2BIG;
 * -EXDEV from another pid namespace than the mutex's.
 */
static long kipc_mutex_ioc_lock(struct file *file, struct kipc_object *obj,
				unsigned long arg, unsigned int usize)
{
	struct kipc_mutex_lock l;
	ktime_t deadline;
	int err;

	err = kipc_copy_in(&l, sizeof(l), KIPC_MUTEX_LOCK_SIZE_VER0,
			   (void __user *)arg, usize);
	if (err)
		return err;
	if (!kipc_args_clean(0, l.__pad, l.reserved, sizeof(l.reserved)))
		return -EINVAL;
	err = kipc_check_wait(l.flags, &l.deadline, &deadline);
	if (err)
		return err;
	err = kipc_mutex_same_pidns(to_mutex(obj));
	if (err)
		return err;
	return kipc_mutex_do_lock(to_mutex(obj), kipc_mutex_tid(),
				  (l.flags & KIPC_WAIT_NONBLOCK) ||
				  (file->f_flags & O_NONBLOCK),
				  deadline, false);
}

/**
 * kipc_mutex_ioc_unlock() - KIPC_MUTEX_IOC_UNLOCK: unlock
 * @file: the mutex fd's file
 * @obj: the mutex
 * @arg: must be 0
 * @usize: 0
 *
 * Hands the mutex to the oldest waiter if there is one.  Unlocking a
 * mutex taken with EOWNERDEAD that was not made consistent makes it not
 * recoverable and fails every waiter with ENOTRECOVERABLE.
 *
 * Return: 0; -EPERM (not the owner); -EINVAL; -EXDEV from another pid
 * namespace than the mutex's.
 */
static long kipc_mutex_ioc_unlock(struct file *file, struct kipc_object *obj,
				  unsigned long arg, unsigned int usize)
{
	if (arg)
		return -EINVAL;
	if (kipc_mutex_same_pidns(to_mutex(obj)))
		return -EXDEV;
	return kipc_mutex_do_unlock(to_mutex(obj), kipc_mutex_tid(), false);
}

/**
 * kipc_mutex_ioc_consistent() - KIPC_MUTEX_IOC_CONSISTENT
 * @file: the mutex fd's file
 * @obj: the mutex
 * @arg: must be 0
 * @usize: 0
 *
 * Marks a mutex taken with EOWNERDEAD consistent again.
 *
 * Return: 0; -EPERM (not the owner); -EINVAL (not in that state);
 * -EXDEV from another pid namespace than the mutex's.
 */
static long kipc_mutex_ioc_consistent(struct file *file,
				      struct kipc_object *obj,
				      unsigned long arg, unsigned int usize)
{
	if (arg)
		return -EINVAL;
	if (kipc_mutex_same_pidns(to_mutex(obj)))
		return -EXDEV;
	return kipc_mutex_do_consistent(to_mutex(obj), kipc_mutex_tid());
}

/* How many times @owner, the word's owner field, holds @m; lock held. */
static u32 kipc_mutex_depth(struct kipc_mutex_obj *m, u32 owner)
{
	lockdep_assert_held(&m->lock);
	if (!owner)
		return 0;
	if (m->recursive && m->kowner == owner)
		return m->depth;
	return 1;
}

static void kipc_mutex_get_info(struct kipc_mutex_obj *m,
				struct kipc_mutex_info *in)
{
	pid_t tgid = 0;
	u32 owner;

	spin_lock(&m->lock);
	owner = READ_ONCE(*m->word) & KIPC_MUTEX_TID_MASK;
	in->flags = m->recursive ? KIPC_MUTEX_RECURSIVE : 0;
	in->state = m->state;
	in->owner_tid = owner;
	in->owner_pid = 0;
	if (owner && kipc_tid_alive(m->ns, owner, &tgid))
		in->owner_pid = tgid;
	in->depth = kipc_mutex_depth(m, owner);
	in->waiters = m->waiters.count;
	spin_unlock(&m->lock);
}

/*
 * KIPC_MUTEX_IOC_INFO: the state of a mutex.  in->depth is the number of
 * times the owner holds it: 0 when unlocked, 1 for a normal mutex that is
 * locked.
 */
static void kipc_mutex_fill_info(struct file *file, struct kipc_object *obj,
				 struct kipc_mutex_info *in)
{
	kipc_mutex_get_info(to_mutex(obj), in);
}

KIPC_DEFINE_IOC_INFO(kipc_mutex, struct kipc_mutex_info,
		     KIPC_MUTEX_INFO_SIZE_VER0, flags);

/* ---- poll, fdinfo -------------------------------------------------------- */

/*
 * Whether @tid could take @m now (1, or 0 with the word armed so that the
 * owner's unlock comes to the kernel), or why it never can (-errno).
 * Either way KIPC_MUTEX_WAITERS is set in the word, so that user space
 * cannot change the owner until the kernel recomputes the bit.  Caller
 * holds @m->lock.  With @tid 0 (poll), a mutex held by anyone alive is
 * not ready and nothing is an error but ENOTRECOVERABLE.
 */
static int kipc_mutex_ready(struct kipc_mutex_obj *m, u32 tid)
{
	u32 old, owner;
	int ready;

	lockdep_assert_held(&m->lock);
	/* Queued waiters come first: one of them gets a mutex left free. */
	kipc_mutex_recover(m);
	for (;;) {
		if (m->state == KIPC_MUTEX_STATE_NOTRECOVERABLE)
			return -ENOTRECOVERABLE;
		old = READ_ONCE(*m->word);
		owner = old & KIPC_MUTEX_TID_MASK;
		if (tid && owner == tid) {
			if (!m->recursive)
				return -EDEADLK;
			if (m->kowner == tid && m->depth == U32_MAX)
				return -EAGAIN;
			ready = 1;
		} else {
			ready = !owner || !kipc_tid_alive(m->ns, owner, NULL);
		}
		if ((old & KIPC_MUTEX_WAITERS) ||
		    cmpxchg(m->word, old, old | KIPC_MUTEX_WAITERS) == old)
			break;
	}
	if (!ready)
		m->armed = true;
	return ready;
}

/* Clear KIPC_MUTEX_WAITERS unless someone needs it; @m->lock held. */
static void kipc_mutex_reopen(struct kipc_mutex_obj *m)
{
	lockdep_assert_held(&m->lock);
	if (!kipc_mutex_waiters_bit(m, 0))
		kipc_mutex_word_update(m, 0, KIPC_MUTEX_WAITERS);
}

static __poll_t kipc_mutex_poll(struct file *file, struct kipc_object *obj,
				poll_table *wait)
{
	struct kipc_mutex_obj *m = to_mutex(obj);
	int ready;

	poll_wait(file, &m->poll_wq, wait);
	spin_lock(&m->lock);
	ready = kipc_mutex_ready(m, 0);
	kipc_mutex_reopen(m);
	kipc_mutex_unlock(m);
	if (ready < 0)
		return EPOLLERR;
	return ready ? EPOLLIN | EPOLLRDNORM : 0;
}

static void kipc_mutex_show_fdinfo(struct seq_file *m, struct kipc_object *obj)
{
	static const char * const states[] = {
		"ok", "ownerdead", "notrecoverable",
	};
	struct kipc_mutex_obj *mx = to_mutex(obj);
	struct kipc_mutex_info in;

	kipc_mutex_get_info(mx, &in);
	seq_printf(m, "mutex-recursive:\t%d\n",
		   !!(in.flags & KIPC_MUTEX_RECURSIVE));
	seq_printf(m, "mutex-state:\t%s\n",
		   in.state < ARRAY_SIZE(states) ? states[in.state] : "?");
	seq_printf(m, "mutex-word:\t0x%08x\n", READ_ONCE(*mx->word));
	seq_printf(m, "mutex-owner:\t%u %u\n", in.owner_tid, in.owner_pid);
	seq_printf(m, "mutex-depth:\t%u\n", in.depth);
	seq_printf(m, "mutex-waiters:\t%u\n", in.waiters);
}

/* ---- netlink ------------------------------------------------------------ */

/*
 * The thread and process ids, in the caller's pid namespace, of the thread
 * @owner of @m's namespace (the word's), or 0 and 0: no such thread (gone
 * or never was) or not visible to the caller.  An owner that died and is
 * not yet reaped is still found.
 */
static void kipc_mutex_owner_ids(struct kipc_mutex_obj *m, u32 owner,
				 u32 *tid, u32 *pid)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct task_struct *t;

	*tid = 0;
	*pid = 0;
	if (!owner)
		return;
	rcu_read_lock();
	t = pid_task(find_pid_ns(owner, m->ns), PIDTYPE_PID);
	if (t) {
		*tid = task_pid_nr_ns(t, ns);
		*pid = *tid ? task_tgid_nr_ns(t, ns) : 0;
	}
	rcu_read_unlock();
}

/*
 * KIPC_OBJ_A_STATE of a mutex: the word and the kernel's state read in one
 * hold of the lock, the owner then named in the reader's pid namespace.
 * Read only: no owner check, no recovery, no arming.
 */
static int kipc_mutex_nl_state(struct sk_buff *skb, struct kipc_object *obj,
			       u32 *nr_waiters)
{
	struct kipc_mutex_obj *m = to_mutex(obj);
	u32 owner, state, depth, tid, pid;

	spin_lock(&m->lock);
	owner = READ_ONCE(*m->word) & KIPC_MUTEX_TID_MASK;
	state = m->state;
	depth = kipc_mutex_depth(m, owner);
	*nr_waiters = m->waiters.count;
	spin_unlock(&m->lock);
	*nr_waiters += kipc_wq_nr_waiters(&m->poll_wq);
	kipc_mutex_owner_ids(m, owner, &tid, &pid);
	if (nla_put_u8(skb, KIPC_MUTEX_A_LOCKED, !!owner) ||
	    nla_put_u32(skb, KIPC_MUTEX_A_STATE, state) ||
	    nla_put_u32(skb, KIPC_MUTEX_A_OWNER_TID, tid) ||
	    nla_put_u32(skb, KIPC_MUTEX_A_OWNER_PID, pid) ||
	    nla_put_u32(skb, KIPC_MUTEX_A_DEPTH, depth) ||
	    nla_put_u8(skb, KIPC_MUTEX_A_RECURSIVE, m->recursive))
		return -EMSGSIZE;
	return 0;
}

static int kipc_mutex_nl_waiters(struct sk_buff *skb, struct kipc_object *obj)
{
	struct kipc_mutex_obj *m = to_mutex(obj);

	return kipc_waitq_report(skb, &m->waiters) ?:
	       kipc_wq_put_waiters(skb, &m->poll_wq);
}

/* A cond has no state but its waiters: an empty KIPC_OBJ_A_STATE. */
static int kipc_cond_nl_state(struct sk_buff *skb, struct kipc_object *obj,
			      u32 *nr_waiters)
{
	struct kipc_cond_obj *c = to_cond(obj);

	spin_lock(&c->lock);
	*nr_waiters = c->waiters.count;
	spin_unlock(&c->lock);
	return 0;
}

static int kipc_cond_nl_waiters(struct sk_buff *skb, struct kipc_object *obj)
{
	return kipc_waitq_report(skb, &to_cond(obj)->waiters);
}

/* ---- mutex mmap --------------------------------------------------------- */

/* At munmap and exit_mmap: the owner may have died with its mapping. */
static void kipc_mutex_vm_close(struct vm_area_struct *vma)
{
	kipc_mutex_check_owner(to_mutex(vma->vm_private_data));
}

static const struct vm_operations_struct kipc_mutex_vm_ops = {
	.close	= kipc_mutex_vm_close,
};

/*
 * The page of the word: offset 0, KIPC_MUTEX_MAP_SIZE bytes, MAP_SHARED.
 * The mapping is inherited by fork() (the child shares the word).
 */
static int kipc_mutex_mmap(struct file *file, struct kipc_object *obj,
			   struct vm_area_struct *vma)
{
	struct kipc_mutex_obj *m = to_mutex(obj);
	struct file *mfile;
	int err;

	BUILD_BUG_ON(KIPC_MUTEX_MAP_SIZE > PAGE_SIZE);
	err = kipc_mutex_same_pidns(m);
	if (err)
		return err;
	err = kipc_map_check(file, vma, PAGE_SIZE, 0);
	if (err)
		return err;
	mfile = kipc_map_file(file, "[kipc-mutex-map]", NULL);
	if (IS_ERR(mfile))
		return PTR_ERR(mfile);

	err = vm_insert_page(vma, vma->vm_start, m->page);
	if (err)
		goto out;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_private_data = obj;
	vma->vm_ops = &kipc_mutex_vm_ops;
	vma_set_file(vma, mfile);
out:
	fput(mfile);
	return err;
}

/* ---- wait for many ------------------------------------------------------- */

static spinlock_t *kipc_mutex_wm_lock(struct kipc_object *obj)
{
	return &to_mutex(obj)->lock;
}

static int kipc_mutex_wm_prepare(struct kipc_object *obj)
{
	int err = kipc_mutex_same_pidns(to_mutex(obj));

	if (err)
		return err;
	return kipc_mutex_ready(to_mutex(obj), kipc_mutex_tid());
}

static int kipc_mutex_wm_take(struct kipc_object *obj, u64 *value)
{
	int ret = kipc_mutex_try(to_mutex(obj), kipc_mutex_tid(), false);

	*value = 0;
	/* Ready under the lock with the word closed: it cannot be busy. */
	WARN_ON_ONCE(ret && ret != -EOWNERDEAD);
	return ret;
}

/* Reopen the word; a death found under the lock is told by .wake. */
static bool kipc_mutex_wm_finish(struct kipc_object *obj)
{
	struct kipc_mutex_obj *m = to_mutex(obj);

	kipc_mutex_reopen(m);
	return m->died;
}

/* Tell the death .finish saw, once the wait for many dropped the locks. */
static void kipc_mutex_wm_wake(struct kipc_object *obj)
{
	struct kipc_mutex_obj *m = to_mutex(obj);

	spin_lock(&m->lock);
	kipc_mutex_unlock(m);
}

static const struct kipc_wm_ops kipc_mutex_wm_ops = {
	.lock		= kipc_mutex_wm_lock,
	.prepare	= kipc_mutex_wm_prepare,
	.take		= kipc_mutex_wm_take,
	.finish		= kipc_mutex_wm_finish,
	.wake		= kipc_mutex_wm_wake,
	.recheck_ms	= KIPC_MUTEX_RECHECK_MS,
	.what		= KIPC_WAITFOR_LOCK,
};

static const struct kipc_ioc kipc_mutex_ioctls[] = {
	{ KIPC_MUTEX_IOC_LOCK, KIPC_MUTEX_LOCK_SIZE_VER0, kipc_mutex_ioc_lock },
	{ KIPC_MUTEX_IOC_UNLOCK, 0, kipc_mutex_ioc_unlock },
	{ KIPC_MUTEX_IOC_CONSISTENT, 0, kipc_mutex_ioc_consistent },
	{ KIPC_MUTEX_IOC_INFO, KIPC_MUTEX_INFO_SIZE_VER0, kipc_mutex_ioc_info },
};

const struct kipc_type kipc_mutex_type = {
	.type		= KIPC_TYPE_MUTEX,
	.name		= "mutex",
	.inode_name	= "[kipc-mutex]",
	.signals	= true,
	.attr_size	= sizeof(struct kipc_mutex_attr),
	.attr_min	= KIPC_MUTEX_ATTR_SIZE_VER0,
	.create		= kipc_mutex_obj_create,
	.destroy	= kipc_mutex_obj_destroy,
	.ioctls		= kipc_mutex_ioctls,
	.nr_ioctls	= ARRAY_SIZE(kipc_mutex_ioctls),
	.poll		= kipc_mutex_poll,
	.wm		= &kipc_mutex_wm_ops,
	.show_fdinfo	= kipc_mutex_show_fdinfo,
	.flush		= kipc_mutex_flush,
	.attach		= kipc_mutex_obj_attach,
	.mmap		= kipc_mutex_mmap,
	.nl_state	= kipc_mutex_nl_state,
	.nl_waiters	= kipc_mutex_nl_waiters,
	.nl_counters	= BIT(KIPC_CNT_A_WAITS) | BIT(KIPC_CNT_A_TIMEOUTS) |
			  BIT(KIPC_CNT_A_CONTENDED) |
			  BIT(KIPC_CNT_A_OWNER_DEATHS),
};
EXPORT_SYMBOL_IF_KUNIT(kipc_mutex_type);

/* ---- condition variables ------------------------------------------------ */

static struct kipc_object *kipc_cond_obj_create(const void *attr)
{
	struct kipc_cond_obj *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&c->lock);
	kipc_waitq_init(&c->waiters, &c->lock);
	kipc_waitq_set_what(&c->waiters, KIPC_WAITFOR_COND, &c->obj.counters);
	return &c->obj;
}

static void kipc_cond_obj_destroy(struct kipc_object *obj)
{
	struct kipc_cond_obj *c = to_cond(obj);

	WARN_ON(c->waiters.count);
	kfree(c);
}

/*
 * Release @m held by @tid and sleep on @c until signalled, @deadline or a
 * signal; then re-lock @m.  The caller is queued on @c before @m is
 * released, so no signal sent after the release is missed.
 */
static int kipc_cond_do_wait(struct kipc_cond_obj *c, struct kipc_mutex_obj *m,
			     u32 tid, ktime_t deadline)
{
	struct kipc_waiter w;
	u32 owner;
	int ret, lret;

	/* Only the owner can change who owns it, so this stays true. */
	spin_lock(&m->lock);
	owner = READ_ONCE(*m->word) & KIPC_MUTEX_TID_MASK;
	ret = 0;
	if (owner != tid || m->state == KIPC_MUTEX_STATE_NOTRECOVERABLE)
		ret = -EPERM;
	else if (m->recursive && m->kowner == tid && m->depth > 1)
		ret = -EPERM;	/* would have to release every level */
	spin_unlock(&m->lock);
	if (ret)
		return ret;

	spin_lock(&c->lock);
	kipc_waitq_add(&c->waiters, &w);
	spin_unlock(&c->lock);

	ret = kipc_mutex_do_unlock(m, tid, true);
	if (ret) {
		/* The word was overwritten meanwhile. */
		spin_lock(&c->lock);
		if (w.granted)
			kipc_waitq_wake_one(&c->waiters, 0);	/* pass it on */
		else
			kipc_waitq_remove(&c->waiters, &w);
		spin_unlock(&c->lock);
		return ret;
	}

	spin_lock(&c->lock);
	ret = kipc_waitq_sleep(&c->waiters, &w, deadline);
	spin_unlock(&c->lock);
	if (ret == -ERESTARTSYS)
		ret = -EINTR;	/* the wake-up may have been consumed */

	/* Re-lock: no deadline, and only a fatal signal interrupts. */
	lret = kipc_mutex_do_lock(m, tid, false, KTIME_MAX, true);
	if (lret == -ERESTARTSYS)
		lret = -EINTR;	/* dying: the mutex is not held */
	return lret ? lret : ret;
}

/**
 * kipc_cond_ioc_wait() - KIPC_COND_IOC_WAIT: release a mutex and wait
 * @file: the cond fd's file, readable (EBADF)
 * @obj: the cond
 * @arg: user pointer to struct kipc_cond_wait
 * @usize: its size as the caller knows it
 *
 * The mutex must be held by the caller (EPERM), once for a recursive
 * mutex (EPERM if nested).  A mutex held with EOWNERDEAD and not yet
 * consistent stays so: whoever takes it in the meantime, and the caller
 * when it gets it back, gets EOWNERDEAD.
 *
 * Return: 0, -ETIMEDOUT or -EINTR with the mutex held again; -EOWNERDEAD
 * (held again, its owner died meanwhile); -ENOTRECOVERABLE; -EPERM;
 * -EINVAL (not a kipc mutex, bad flags); -EBADF; -EFAULT; -E2BIG; -EXDEV
 * if the mutex is of another pid namespace than the caller.
 */
static long kipc_cond_ioc_wait(struct file *file, struct kipc_object *obj,
			       unsigned long arg, unsigned int usize)
{
	struct kipc_cond_wait w;
	struct kipc_object *mobj;
	struct file *mf;
	ktime_t deadline;
	int err;

	err = kipc_copy_in(&w, sizeof(w), KIPC_COND_WAIT_SIZE_VER0,
			   (void __user *)arg, usize);
	if (err)
		return err;
	if (!kipc_args_clean(w.flags & ~KIPC_WAIT_DEADLINE, 0, w.reserved,
			     sizeof(w.reserved)))
		return -EINVAL;
	err = kipc_check_wait(w.flags, &w.deadline, &deadline);
	if (err)
		return err;
	if (!(file->f_mode & FMODE_READ))
		return -EBADF;

	mf = fget(w.mutex_fd);
	if (!mf)
		return -EBADF;
	/* Same file_operations: a kipc object's file, so its private_data. */
	mobj = mf->f_op == file->f_op ? kipc_file_obj(mf) : NULL;
	if (!mobj || mobj->type != &kipc_mutex_type)
		err = -EINVAL;
	else if (kipc_mutex_same_pidns(to_mutex(mobj)))
		err = -EXDEV;
	else
		err = kipc_cond_do_wait(to_cond(obj), to_mutex(mobj),
					kipc_mutex_tid(), deadline);
	fput(mf);
	return err;
}

/* Wake the oldest waiter of @c, or all of them; returns how many. */
static unsigned int kipc_cond_do_signal(struct kipc_cond_obj *c, bool all)
{
	unsigned int woken;

	spin_lock(&c->lock);
	if (all)
		woken = kipc_waitq_wake_all(&c->waiters, 0);
	else
		woken = kipc_waitq_wake_one(&c->waiters, 0);
	kipc_count(&c->obj.counters.msgs_in, 1);
	kipc_count(&c->obj.counters.msgs_out, woken);
	spin_unlock(&c->lock);
	return woken;
}

/**
 * kipc_cond_ioc_signal() - KIPC_COND_IOC_SIGNAL: wake one or all waiters
 * @file: the cond fd's file, writable (EBADF)
 * @obj: the cond
 * @arg: user pointer to struct kipc_cond_signal
 * @usize: its size as the caller knows it
 *
 * Return: 0 with @woken set; -EINVAL; -EBADF; -EFAULT; -E2BIG.
 */
static long kipc_cond_ioc_signal(struct file *file, struct kipc_object *obj,
				 unsigned long arg, unsigned int usize)
{
	void __user *uarg = (void __user *)arg;
	struct kipc_cond_obj *c = to_cond(obj);
	struct kipc_cond_signal s;
	int err;

	err = kipc_copy_in(&s, sizeof(s), KIPC_COND_SIGNAL_SIZE_VER0, uarg,
			   usize);
	if (err)
		return err;
	if (!kipc_args_clean(s.flags & ~KIPC_COND_BROADCAST, 0, s.reserved,
			     sizeof(s.reserved)))
		return -EINVAL;
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;

	s.woken = kipc_cond_do_signal(c, s.flags & KIPC_COND_BROADCAST);
	return kipc_copy_out(uarg, usize, &s, sizeof(s));
}

static void kipc_cond_show_fdinfo(struct seq_file *m, struct kipc_object *obj)
{
	struct kipc_cond_obj *c = to_cond(obj);
	unsigned int waiters;
	u64 signals, wakeups;

	spin_lock(&c->lock);
	waiters = c->waiters.count;
	signals = c->obj.counters.msgs_in;
	wakeups = c->obj.counters.msgs_out;
	spin_unlock(&c->lock);
	seq_printf(m, "cond-waiters:\t%u\n", waiters);
	seq_printf(m, "cond-signals:\t%llu\n", signals);
	seq_printf(m, "cond-wakeups:\t%llu\n", wakeups);
}

/* ---- KUnit hooks -------------------------------------------------------- */

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * kipc_mutex_test_lock() - lock as thread @tid, for KUnit
 * @obj: a mutex
 * @tid: the locker's thread id (any number: a dead one simulates a death)
 * @nonblock: try once (EBUSY)
 * @deadline: absolute CLOCK_MONOTONIC deadline, KTIME_MAX for none
 *
 * Return: as KIPC_MUTEX_IOC_LOCK.
 */
int kipc_mutex_test_lock(struct kipc_object *obj, u32 tid, bool nonblock,
			 ktime_t deadline)
{
	return kipc_mutex_do_lock(to_mutex(obj), tid, nonblock, deadline,
				  false);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mutex_test_lock);

/**
 * kipc_mutex_test_unlock() - unlock as thread @tid, for KUnit
 * @obj: a mutex
 * @tid: the unlocker's thread id
 *
 * Return: as KIPC_MUTEX_IOC_UNLOCK.
 */
int kipc_mutex_test_unlock(struct kipc_object *obj, u32 tid)
{
	return kipc_mutex_do_unlock(to_mutex(obj), tid, false);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mutex_test_unlock);

/**
 * kipc_mutex_test_consistent() - KIPC_MUTEX_IOC_CONSISTENT as @tid
 * @obj: a mutex
 * @tid: the caller's thread id
 *
 * Return: as KIPC_MUTEX_IOC_CONSISTENT.
 */
int kipc_mutex_test_consistent(struct kipc_object *obj, u32 tid)
{
	return kipc_mutex_do_consistent(to_mutex(obj), tid);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mutex_test_consistent);

/**
 * kipc_mutex_test_word() - the lock word user space maps, for KUnit
 * @obj: a mutex
 *
 * Return: the word, to act as user space does (or as garbage would).
 */
u32 *kipc_mutex_test_word(struct kipc_object *obj)
{
	return to_mutex(obj)->word;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mutex_test_word);

/**
 * kipc_mutex_test_info() - KIPC_MUTEX_IOC_INFO without the ioctl
 * @obj: a mutex
 * @in: out: its state
 */
void kipc_mutex_test_info(struct kipc_object *obj, struct kipc_mutex_info *in)
{
	kipc_mutex_get_info(to_mutex(obj), in);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mutex_test_info);

/**
 * kipc_mutex_test_check_owner() - what a close or munmap does: hand a
 * mutex whose owner is gone to its oldest waiter
 * @obj: a mutex
 */
void kipc_mutex_test_check_owner(struct kipc_object *obj)
{
	kipc_mutex_check_owner(to_mutex(obj));
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mutex_test_check_owner);

/**
 * kipc_cond_test_wait() - KIPC_COND_IOC_WAIT as thread @tid, for KUnit
 * @cobj: a cond
 * @mobj: a mutex @tid holds
 * @tid: the caller's thread id
 * @deadline: absolute CLOCK_MONOTONIC deadline, KTIME_MAX for none
 *
 * Return: as KIPC_COND_IOC_WAIT.
 */
int kipc_cond_test_wait(struct kipc_object *cobj, struct kipc_object *mobj,
			u32 tid, ktime_t deadline)
{
	return kipc_cond_do_wait(to_cond(cobj), to_mutex(mobj), tid, deadline);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_cond_test_wait);

/**
 * kipc_cond_test_signal() - KIPC_COND_IOC_SIGNAL, for KUnit
 * @cobj: a cond
 * @all: broadcast
 *
 * Return: the number of waiters woken.
 */
unsigned int kipc_cond_test_signal(struct kipc_object *cobj, bool all)
{
	return kipc_cond_do_signal(to_cond(cobj), all);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_cond_test_signal);

/**
 * kipc_cond_test_waiters() - waiters queued on a cond, for KUnit
 * @cobj: a cond
 *
 * Return: their number.
 */
unsigned int kipc_cond_test_waiters(struct kipc_object *cobj)
{
	return READ_ONCE(to_cond(cobj)->waiters.count);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_cond_test_waiters);
#endif

static const struct kipc_ioc kipc_cond_ioctls[] = {
	{ KIPC_COND_IOC_WAIT, KIPC_COND_WAIT_SIZE_VER0, kipc_cond_ioc_wait },
	{ KIPC_COND_IOC_SIGNAL, KIPC_COND_SIGNAL_SIZE_VER0, kipc_cond_ioc_signal },
};

const struct kipc_type kipc_cond_type = {
	.type		= KIPC_TYPE_COND,
	.name		= "cond",
	.inode_name	= "[kipc-cond]",
	.create		= kipc_cond_obj_create,
	.destroy	= kipc_cond_obj_destroy,
	.ioctls		= kipc_cond_ioctls,
	.nr_ioctls	= ARRAY_SIZE(kipc_cond_ioctls),
	.show_fdinfo	= kipc_cond_show_fdinfo,
	.nl_state	= kipc_cond_nl_state,
	.nl_waiters	= kipc_cond_nl_waiters,
	.nl_counters	= BIT(KIPC_CNT_A_MSGS_IN) | BIT(KIPC_CNT_A_MSGS_OUT) |
			  BIT(KIPC_CNT_A_WAITS) | BIT(KIPC_CNT_A_TIMEOUTS),
};
EXPORT_SYMBOL_IF_KUNIT(kipc_cond_type);
