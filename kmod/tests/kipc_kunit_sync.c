// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the wait-queue state machines of semaphores, mutexes and
 * condition variables: FIFO hand-off, deadlines, the words user space maps
 * (and garbage in them), semaphore undo, dead mutex owners, and how a cond
 * wait releases and takes back its mutex.
 *
 * Part of kipc_kunit.ko; kipc_kunit.c carries the module's license.
 * Concurrent waiters are kthreads.  Every wait they make has a deadline
 * and every kthread is stopped by a KUnit action, so a failed assertion
 * can neither hang a test nor leave a thread behind.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kipc_netlink.h>
#include <linux/kthread.h>
#include <linux/pid.h>
#include <linux/sched.h>

#include "kipc_kunit.h"

/* Above PID_MAX_LIMIT: never the thread id of a live thread. */
#define KIPC_TEST_DEAD_TID	0x3ffffff0U
/* A thread id that is not the owner's, where nothing else matters. */
#define KIPC_TEST_OTHER_TID	0x3ffffff1U

#define KIPC_TEST_THREADS	3
#define KIPC_TEST_SHORT_MS	500	/* a wait meant to time out */
#define KIPC_TEST_SETTLE_MS	50	/* a woken thread would have run */

/* ---- helpers ------------------------------------------------------------- */

static ktime_t kipc_test_past(void)
{
	return ktime_sub_ns(ktime_get(), 1);
}

static struct kipc_object *kipc_test_sem(struct kunit *test, u32 value,
					 u32 max)
{
	struct kipc_sem_attr attr = { .value = value, .max = max };

	return kipc_test_new(test, &kipc_sem_type, &attr);
}

static struct kipc_object *kipc_test_mutex(struct kunit *test, u32 flags)
{
	struct kipc_mutex_attr attr = { .flags = flags };

	return kipc_test_new(test, &kipc_mutex_type, &attr);
}

static struct kipc_object *kipc_test_cond(struct kunit *test)
{
	return kipc_test_new(test, &kipc_cond_type, NULL);
}

static u32 kipc_test_sem_waiters(struct kipc_object *s)
{
	return kipc_test_sem_info(s).waiters;
}

static u32 kipc_test_mutex_waiters(struct kipc_object *m)
{
	return kipc_test_mutex_info(m).waiters;
}

/* A semaphore word: @waiters in the high half, @value in the low. */
static u64 kipc_test_sem_word(u32 waiters, u32 value)
{
	return (u64)waiters << 32 | value;
}

static u64 kipc_test_sem_state(struct kipc_object *s)
{
	return atomic64_read(kipc_sem_test_state(s));
}

static int kipc_test_post(struct kipc_object *s, u32 n, u32 *value)
{
	return kipc_sem_test_post(s, n, false, value);
}

static int kipc_test_trywait(struct kipc_object *s, u32 *value)
{
	return kipc_sem_test_wait(s, true, KTIME_MAX, false, value);
}

static u32 kipc_test_word(struct kipc_object *m)
{
	return READ_ONCE(*kipc_mutex_test_word(m));
}

static int kipc_test_lock(struct kipc_object *m, u32 tid)
{
	return kipc_mutex_test_lock(m, tid, false,
				    kipc_test_deadline(KIPC_TEST_WAIT_MS));
}

static int kipc_test_trylock(struct kipc_object *m, u32 tid)
{
	return kipc_mutex_test_lock(m, tid, true, KTIME_MAX);
}

/* @tid holds @m, consistent, alone: its unlock leaves the word free. */
static void kipc_test_unlock_ok(struct kunit *test, struct kipc_object *m,
				u32 tid)
{
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).state,
			KIPC_MUTEX_STATE_OK);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), tid);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, tid), 0);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), 0U);
}

/*
 * What the close of a process's last fd of @s does.  The file is of no fd
 * table, so it matches no fd and the caller's undo record is applied now.
 */
static void kipc_test_sem_flush(struct kunit *test, struct kipc_object *s)
{
	struct file *none = kunit_kzalloc(test, sizeof(*none), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, none);
	kipc_sem_type.flush(none, s);
}

/* ---- waiting threads ----------------------------------------------------- */

struct kipc_test_group;

/**
 * struct kipc_test_thr - a kthread that waits on an object for a test
 * @g: its group
 * @task: the kthread; NULL once stopped
 * @acquire: what it does first (wait, lock, cond wait); returns the result
 * @tid: its thread id, the one it locks mutexes as
 * @ms: the deadline of its wait, counted from the start of the wait
 * @holds: @acquire left the group's mutex held by @tid
 * @consistent: make a mutex taken with EOWNERDEAD consistent before unlock
 * @ret: what @acquire returned
 * @order: 1 for the group's first thread to finish @acquire, 2 next...
 * @done: completed once @acquire has returned
 * @release: completed by the test to make it unlock the mutex it holds
 */
struct kipc_test_thr {
	struct kipc_test_group *g;
	struct task_struct *task;
	int (*acquire)(struct kipc_test_thr *t);
	u32 tid;
	unsigned int ms;
	bool holds;
	bool consistent;
	int ret;
	int order;
	struct completion done;
	struct completion release;
};

/**
 * struct kipc_test_group - the kthreads of a test and what they wait on
 * @test: the test
 * @obj: the semaphore or mutex
 * @cond: the cond, for cond waiters
 * @acquire: what kipc_test_queue()'s threads do
 * @count: how many threads are queued on @on
 * @on: the object whose queue kipc_test_queue() watches
 * @seq: threads that finished their @acquire
 * @thr: the threads
 */
struct kipc_test_group {
	struct kunit *test;
	struct kipc_object *obj;
	struct kipc_object *cond;
	int (*acquire)(struct kipc_test_thr *t);
	u32 (*count)(struct kipc_object *obj);
	struct kipc_object *on;
	atomic_t seq;
	struct kipc_test_thr thr[KIPC_TEST_THREADS];
};

static int kipc_test_sem_waiter(struct kipc_test_thr *t)
{
	u32 value;

	return kipc_sem_test_wait(t->g->obj, false, kipc_test_deadline(t->ms),
				  false, &value);
}

static int kipc_test_locker(struct kipc_test_thr *t)
{
	int ret;

	ret = kipc_mutex_test_lock(t->g->obj, t->tid, false,
				   kipc_test_deadline(t->ms));
	t->holds = !ret || ret == -EOWNERDEAD;
	return ret;
}

/* Lock the mutex, then wait on the cond with it. */
static int kipc_test_cond_waiter(struct kipc_test_thr *t)
{
	struct kipc_test_group *g = t->g;
	int ret;

	ret = kipc_test_locker(t);
	KUNIT_EXPECT_EQ(g->test, ret, 0);
	if (ret)
		return ret;
	ret = kipc_cond_test_wait(g->cond, g->obj, t->tid,
				  kipc_test_deadline(t->ms));
	t->holds = !ret || ret == -ETIMEDOUT || ret == -EOWNERDEAD;
	return ret;
}

/* Do nothing: a live thread, for its thread id. */
static int kipc_test_idle(struct kipc_test_thr *t)
{
	return 0;
}

static int kipc_test_thr_main(void *arg)
{
	struct kipc_test_thr *t = arg;
	struct kipc_test_group *g = t->g;

	t->ret = t->acquire(t);
	t->order = atomic_inc_return(&g->seq);
	complete_all(&t->done);
	if (t->holds)
		kipc_test_hand_back(g->test, g->obj, t->tid, t->ret,
				    t->consistent, &t->release);
	kipc_test_park();
	return 0;
}

/* Let @t unlock what it holds, then stop it; once is enough. */
static void kipc_test_join(struct kipc_test_thr *t)
{
	kipc_test_stop(&t->task, &t->release);
}

static void kipc_test_join_action(void *t)
{
	kipc_test_join(t);
}

static struct kipc_test_group *
kipc_test_group(struct kunit *test, int (*acquire)(struct kipc_test_thr *t),
		u32 (*count)(struct kipc_object *obj), struct kipc_object *on,
		struct kipc_object *obj)
{
	struct kipc_test_group *g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, g);
	g->test = test;
	g->obj = obj;
	g->acquire = acquire;
	g->count = count;
	g->on = on;
	return g;
}

static struct kipc_test_group *kipc_test_sem_group(struct kunit *test,
						   struct kipc_object *s)
{
	return kipc_test_group(test, kipc_test_sem_waiter,
			       kipc_test_sem_waiters, s, s);
}

static struct kipc_test_group *kipc_test_mutex_group(struct kunit *test,
						     struct kipc_object *m)
{
	return kipc_test_group(test, kipc_test_locker,
			       kipc_test_mutex_waiters, m, m);
}

static struct kipc_test_group *kipc_test_cond_group(struct kunit *test,
						    struct kipc_object *c,
						    struct kipc_object *m)
{
	struct kipc_test_group *g;

	g = kipc_test_group(test, kipc_test_cond_waiter,
			    kipc_cond_test_waiters, c, m);
	g->cond = c;
	return g;
}

/* Start thread @i of @g, doing @acquire with a deadline of @ms. */
static struct kipc_test_thr *
kipc_test_start(struct kipc_test_group *g, unsigned int i,
		int (*acquire)(struct kipc_test_thr *t), unsigned int ms)
{
	struct kipc_test_thr *t = &g->thr[i];
	struct kunit *test = g->test;
	struct task_struct *task;

	t->g = g;
	t->acquire = acquire;
	t->ms = ms;
	init_completion(&t->done);
	init_completion(&t->release);
	task = kthread_create(kipc_test_thr_main, t, "kipc-kunit/%u", i);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, task);
	t->task = task;
	t->tid = task_pid_vnr(task);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							kipc_test_join_action,
							t), 0);
	wake_up_process(task);
	return t;
}

/* Start thread @i of @g and return once it is queued behind the others. */
static struct kipc_test_thr *kipc_test_queue(struct kipc_test_group *g,
					     unsigned int i, unsigned int ms)
{
	u32 before = g->count(g->on);
	struct kipc_test_thr *t = kipc_test_start(g, i, g->acquire, ms);

	KUNIT_ASSERT_TRUE(g->test, kipc_test_until(g->count, g->on,
						   before + 1));
	return t;
}

/* Whether @t finishes its @acquire within @ms. */
static bool kipc_test_finished(struct kipc_test_thr *t, unsigned int ms)
{
	return wait_for_completion_timeout(&t->done, msecs_to_jiffies(ms));
}

/* @t finishes its wait with @ret, as the @order-th (0: any). */
static void kipc_test_expect_done(struct kipc_test_thr *t, int ret, int order)
{
	struct kunit *test = t->g->test;

	KUNIT_ASSERT_TRUE(test, kipc_test_finished(t, KIPC_TEST_WAIT_MS));
	KUNIT_EXPECT_EQ(test, t->ret, ret);
	if (order)
		KUNIT_EXPECT_EQ(test, t->order, order);
}

/* @t is still waiting a while later. */
static void kipc_test_expect_waiting(struct kipc_test_thr *t)
{
	KUNIT_EXPECT_FALSE(t->g->test,
			   kipc_test_finished(t, KIPC_TEST_SETTLE_MS));
}

/* ---- semaphores ---------------------------------------------------------- */

static void kipc_sem_post_wait(struct kunit *test)
{
	struct kipc_object *s = kipc_test_sem(test, 2, 0);
	struct kipc_sem_info in;
	u32 v = U32_MAX;

	KUNIT_EXPECT_EQ(test, kipc_test_trywait(s, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1U);
	KUNIT_EXPECT_EQ(test, kipc_sem_test_wait(s, false, KTIME_MAX, false,
						 &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0U);
	KUNIT_EXPECT_EQ(test, kipc_test_trywait(s, &v), -EAGAIN);
	KUNIT_EXPECT_EQ(test, kipc_test_post(s, 3, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 3U);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 3ULL);
	in = kipc_test_sem_info(s);
	KUNIT_EXPECT_EQ(test, in.value, 3U);
	KUNIT_EXPECT_EQ(test, in.max, KIPC_SEM_VALUE_MAX);
	KUNIT_EXPECT_EQ(test, in.waiters, 0U);
	KUNIT_EXPECT_EQ(test, in.posts, 3ULL);
	KUNIT_EXPECT_EQ(test, in.waits, 2ULL);
	KUNIT_EXPECT_EQ(test, in.undo_procs, 0U);
}

static void kipc_sem_bad_attr(struct kunit *test)
{
	struct kipc_sem_attr attr = { .value = 2, .max = 1 };
	struct kipc_object *obj;

	obj = kipc_object_new(&kipc_sem_type, &attr, NULL, 0, 0600);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(obj), -EINVAL);
	attr.value = 0;
	attr.max = KIPC_SEM_VALUE_MAX + 1;
	obj = kipc_object_new(&kipc_sem_type, &attr, NULL, 0, 0600);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(obj), -EINVAL);
	attr.max = 0;
	attr.flags = 1;
	obj = kipc_object_new(&kipc_sem_type, &attr, NULL, 0, 0600);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(obj), -EINVAL);
}

/* Past the maximum: EOVERFLOW, and nothing is posted. */
static void kipc_sem_overflow(struct kunit *test)
{
	struct kipc_object *s = kipc_test_sem(test, 2, 3);
	u32 v = 0;

	KUNIT_EXPECT_EQ(test, kipc_test_post(s, 2, &v), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 2ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_post(s, 1, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 3U);
	KUNIT_EXPECT_EQ(test, kipc_test_post(s, 1, &v), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, kipc_test_post(s, KIPC_SEM_VALUE_MAX, &v),
			-EOVERFLOW);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 3ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).value, 3U);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).posts, 1ULL);
}

/* A wait that times out leaves neither the word nor the count behind. */
static void kipc_sem_deadline(struct kunit *test)
{
	struct kipc_object *s = kipc_test_sem(test, 0, 0);
	struct kipc_test_group *g = kipc_test_sem_group(test, s);
	ktime_t deadline;
	u32 v;

	KUNIT_EXPECT_EQ(test, kipc_sem_test_wait(s, false, kipc_test_past(),
						 false, &v), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 0ULL);
	deadline = kipc_test_deadline(20);
	KUNIT_EXPECT_EQ(test, kipc_sem_test_wait(s, false, deadline, false,
						 &v), -ETIMEDOUT);
	KUNIT_EXPECT_GE(test, ktime_compare(ktime_get(), deadline), 0);

	kipc_test_queue(g, 0, KIPC_TEST_SHORT_MS);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s),
			kipc_test_sem_word(1, 0));
	kipc_test_expect_done(&g->thr[0], -ETIMEDOUT, 1);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 0ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).waiters, 0U);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).waits, 0ULL);
}

/* One post, one waiter: the oldest, and the unit goes to it directly. */
static void kipc_sem_fifo_post(struct kunit *test, struct kipc_test_group *g,
			       unsigned int i)
{
	u32 left = KIPC_TEST_THREADS - i - 1, v = U32_MAX;
	struct kipc_object *s = g->obj;

	KUNIT_EXPECT_EQ(test, kipc_test_post(s, 1, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0U);
	/* Nothing for a waiter that comes after the queued ones. */
	KUNIT_EXPECT_EQ(test, kipc_test_trywait(s, &v), -EAGAIN);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s),
			kipc_test_sem_word(left, 0));
	kipc_test_expect_done(&g->thr[i], 0, i + 1);
	if (left)
		kipc_test_expect_waiting(&g->thr[i + 1]);
}

static void kipc_sem_fifo(struct kunit *test)
{
	struct kipc_object *s = kipc_test_sem(test, 0, 0);
	struct kipc_test_group *g = kipc_test_sem_group(test, s);
	unsigned int i;

	for (i = 0; i < KIPC_TEST_THREADS; i++) {
		kipc_test_queue(g, i, KIPC_TEST_WAIT_MS);
		/* The word's high half counts the queued waiters. */
		KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s),
				kipc_test_sem_word(i + 1, 0));
	}
	for (i = 0; i < KIPC_TEST_THREADS; i++)
		kipc_sem_fifo_post(test, g, i);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).waiters, 0U);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).waits,
			(u64)KIPC_TEST_THREADS);
}

/* N units, M < N waiters: M go to the waiters, N - M to the value. */
static void kipc_sem_post_many(struct kunit *test)
{
	struct kipc_object *s = kipc_test_sem(test, 0, 0);
	struct kipc_test_group *g = kipc_test_sem_group(test, s);
	struct kipc_sem_info in;
	u32 v = 0;

	kipc_test_queue(g, 0, KIPC_TEST_WAIT_MS);
	kipc_test_queue(g, 1, KIPC_TEST_WAIT_MS);
	KUNIT_EXPECT_EQ(test, kipc_test_post(s, 5, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 3U);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 3ULL);
	kipc_test_expect_done(&g->thr[0], 0, 0);
	kipc_test_expect_done(&g->thr[1], 0, 0);
	in = kipc_test_sem_info(s);
	KUNIT_EXPECT_EQ(test, in.value, 3U);
	KUNIT_EXPECT_EQ(test, in.waiters, 0U);
	KUNIT_EXPECT_EQ(test, in.posts, 5ULL);
	KUNIT_EXPECT_EQ(test, in.waits, 2ULL);
}

/* Garbage in the word, no waiter: repaired by the next kernel op. */
static void kipc_sem_garbage_value(struct kunit *test)
{
	struct kipc_object *s = kipc_test_sem(test, 0, 10);
	atomic64_t *state = kipc_sem_test_state(s);
	u32 v = 0;

	atomic64_set(state, 15);	/* above the maximum */
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).value, 10U);
	KUNIT_EXPECT_EQ(test, kipc_test_trywait(s, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 9U);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 9ULL);

	atomic64_set(state, kipc_test_sem_word(0xdead, 2));
	KUNIT_EXPECT_EQ(test, kipc_test_post(s, 1, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 3U);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 3ULL);

	atomic64_set(state, kipc_test_sem_word(U32_MAX, 0));
	KUNIT_EXPECT_EQ(test, kipc_test_trywait(s, &v), -EAGAIN);
	KUNIT_EXPECT_EQ(test, kipc_sem_test_wait(s, false, kipc_test_past(),
						 false, &v), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 0ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).waiters, 0U);
}

/* Garbage in the word while waiters are queued. */
static void kipc_sem_garbage_waiters(struct kunit *test)
{
	struct kipc_object *s = kipc_test_sem(test, 0, 0);
	struct kipc_test_group *g = kipc_test_sem_group(test, s);
	atomic64_t *state = kipc_sem_test_state(s);
	u32 v = 0;

	/* Units with a waiter queued: the waiter is served first. */
	kipc_test_queue(g, 0, KIPC_TEST_WAIT_MS);
	atomic64_set(state, kipc_test_sem_word(1, 3));
	KUNIT_EXPECT_EQ(test, kipc_test_trywait(s, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1U);
	kipc_test_expect_done(&g->thr[0], 0, 1);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_trywait(s, &v), 0);

	/* The waiter half wiped: a post still finds the waiter. */
	kipc_test_queue(g, 1, KIPC_TEST_WAIT_MS);
	atomic64_set(state, 0);
	KUNIT_EXPECT_EQ(test, kipc_test_post(s, 1, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0U);
	kipc_test_expect_done(&g->thr[1], 0, 2);

	/* Too many waiters claimed: the kernel's count wins, no underflow. */
	kipc_test_queue(g, 2, KIPC_TEST_SHORT_MS);
	atomic64_set(state, kipc_test_sem_word(5, 0));
	kipc_test_expect_done(&g->thr[2], -ETIMEDOUT, 3);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 0ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).waiters, 0U);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).waits, 4ULL);
}

/*
 * A wait for many found a unit; garbage zeroes the value before it takes
 * it (the fast path is closed, so only a write of the word can): nothing
 * is taken, EIO, and the word is repaired.
 */
static void kipc_sem_wm_take_zeroed(struct kunit *test)
{
	struct kipc_object *s = kipc_test_sem(test, 2, 0);
	const struct kipc_wm_ops *wm = kipc_sem_type.wm;
	atomic64_t *state = kipc_sem_test_state(s);
	spinlock_t *lock = wm->lock(s);
	u64 value = 1;

	spin_lock(lock);
	KUNIT_EXPECT_EQ(test, wm->prepare(s), 1);
	atomic64_set(state, atomic64_read(state) & ~0xffffffffULL);
	KUNIT_EXPECT_EQ(test, wm->take(s, &value), -EIO);
	KUNIT_EXPECT_EQ(test, value, 0ULL);
	wm->finish(s);
	spin_unlock(lock);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 0ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).waits, 0ULL);

	/* Untouched, the same steps take one unit. */
	atomic64_set(state, 2);
	spin_lock(lock);
	KUNIT_EXPECT_EQ(test, wm->prepare(s), 1);
	KUNIT_EXPECT_EQ(test, wm->take(s, &value), 0);
	KUNIT_EXPECT_EQ(test, value, 1ULL);
	wm->finish(s);
	spin_unlock(lock);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).waits, 1ULL);
}

/* A unit taken with undo comes back at the last close: to a waiter first. */
static void kipc_sem_undo_wait(struct kunit *test)
{
	struct kipc_object *s = kipc_test_sem(test, 1, 0);
	struct kipc_test_group *g = kipc_test_sem_group(test, s);
	u32 v = 1;

	KUNIT_EXPECT_EQ(test, kipc_sem_test_wait(s, true, KTIME_MAX, true, &v),
			0);
	KUNIT_EXPECT_EQ(test, v, 0U);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).undo_procs, 1U);
	kipc_test_sem_flush(test, s);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).undo_procs, 0U);

	KUNIT_EXPECT_EQ(test, kipc_sem_test_wait(s, true, KTIME_MAX, true, &v),
			0);
	kipc_test_queue(g, 0, KIPC_TEST_WAIT_MS);
	kipc_test_sem_flush(test, s);
	kipc_test_expect_done(&g->thr[0], 0, 1);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 0ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).undo_procs, 0U);
	kipc_test_sem_flush(test, s);	/* nothing left to undo */
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 0ULL);
}

/* Units given with undo are taken back, as far as the value allows. */
static void kipc_sem_undo_post(struct kunit *test)
{
	struct kipc_object *s = kipc_test_sem(test, 0, 0);
	u32 v = 0;

	KUNIT_EXPECT_EQ(test, kipc_sem_test_post(s, 2, true, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 2U);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).undo_procs, 1U);
	KUNIT_EXPECT_EQ(test, kipc_test_trywait(s, &v), 0);
	kipc_test_sem_flush(test, s);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 0ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).undo_procs, 0U);

	KUNIT_EXPECT_EQ(test, kipc_sem_test_post(s, 3, true, &v), 0);
	kipc_test_sem_flush(test, s);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 0ULL);
}

/* A process's undo operations net out in one record. */
static void kipc_sem_undo_net(struct kunit *test)
{
	struct kipc_object *s = kipc_test_sem(test, 0, 0);
	u32 v = 0;

	KUNIT_EXPECT_EQ(test, kipc_sem_test_post(s, 1, true, &v), 0);
	KUNIT_EXPECT_EQ(test, kipc_sem_test_wait(s, true, KTIME_MAX, true, &v),
			0);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).undo_procs, 0U);
	/* A failed wait records nothing. */
	KUNIT_EXPECT_EQ(test, kipc_sem_test_wait(s, false, kipc_test_past(),
						 true, &v), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).undo_procs, 0U);

	KUNIT_EXPECT_EQ(test, kipc_sem_test_post(s, 2, true, &v), 0);
	KUNIT_EXPECT_EQ(test, kipc_sem_test_wait(s, true, KTIME_MAX, true, &v),
			0);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).undo_procs, 1U);
	KUNIT_EXPECT_EQ(test, kipc_test_post(s, 4, &v), 0);
	kipc_test_sem_flush(test, s);	/* takes back the net one unit */
	KUNIT_EXPECT_EQ(test, kipc_test_sem_state(s), 4ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).undo_procs, 0U);
}

/*
 * The counters of the netlink family: kernel posts and takes, units handed
 * to a queued waiter (contended), blocked waits and timeouts.
 */
static void kipc_sem_counters(struct kunit *test)
{
	struct kipc_object *s = kipc_test_sem(test, 0, 0);
	struct kipc_test_group *g = kipc_test_sem_group(test, s);
	const struct kipc_counters *c = &s->counters;
	u32 v;

	KUNIT_EXPECT_EQ(test, kipc_test_trywait(s, &v), -EAGAIN);
	KUNIT_EXPECT_EQ(test, c->waits, 0ULL);
	KUNIT_EXPECT_EQ(test, kipc_sem_test_wait(s, false, kipc_test_past(),
						 false, &v), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, c->waits, 1ULL);
	KUNIT_EXPECT_EQ(test, c->timeouts, 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_post(s, 2, &v), 0);
	KUNIT_EXPECT_EQ(test, kipc_test_trywait(s, &v), 0);
	KUNIT_EXPECT_EQ(test, c->msgs_in, 2ULL);
	KUNIT_EXPECT_EQ(test, c->msgs_out, 1ULL);
	KUNIT_EXPECT_EQ(test, c->contended, 0ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_trywait(s, &v), 0);

	kipc_test_queue(g, 0, KIPC_TEST_WAIT_MS);
	KUNIT_EXPECT_EQ(test, kipc_test_post(s, 1, &v), 0);
	kipc_test_expect_done(&g->thr[0], 0, 1);
	KUNIT_EXPECT_EQ(test, c->msgs_in, 3ULL);
	KUNIT_EXPECT_EQ(test, c->msgs_out, 3ULL);
	KUNIT_EXPECT_EQ(test, c->contended, 1ULL);
	KUNIT_EXPECT_EQ(test, c->waits, 2ULL);
	KUNIT_EXPECT_EQ(test, c->timeouts, 1ULL);
	KUNIT_EXPECT_EQ(test, s->type->nl_counters,
			BIT(KIPC_CNT_A_MSGS_IN) | BIT(KIPC_CNT_A_MSGS_OUT) |
			BIT(KIPC_CNT_A_WAITS) | BIT(KIPC_CNT_A_TIMEOUTS) |
			BIT(KIPC_CNT_A_CONTENDED));
}

static struct kunit_case kipc_sem_cases[] = {
	KUNIT_CASE(kipc_sem_post_wait),
	KUNIT_CASE(kipc_sem_bad_attr),
	KUNIT_CASE(kipc_sem_overflow),
	KUNIT_CASE(kipc_sem_deadline),
	KUNIT_CASE(kipc_sem_fifo),
	KUNIT_CASE(kipc_sem_post_many),
	KUNIT_CASE(kipc_sem_garbage_value),
	KUNIT_CASE(kipc_sem_garbage_waiters),
	KUNIT_CASE(kipc_sem_wm_take_zeroed),
	KUNIT_CASE(kipc_sem_undo_wait),
	KUNIT_CASE(kipc_sem_undo_post),
	KUNIT_CASE(kipc_sem_undo_net),
	KUNIT_CASE(kipc_sem_counters),
	{}
};

static struct kunit_suite kipc_sem_suite = {
	.name = "kipc_sem",
	.test_cases = kipc_sem_cases,
};

/* ---- mutexes ------------------------------------------------------------- */

static void kipc_mutex_lock_unlock(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, 0);
	struct kipc_mutex_info in;
	u32 me = kipc_test_self();

	KUNIT_EXPECT_EQ(test, kipc_test_lock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), me);
	in = kipc_test_mutex_info(m);
	KUNIT_EXPECT_EQ(test, in.owner_tid, me);
	KUNIT_EXPECT_EQ(test, in.owner_pid, (u32)task_tgid_vnr(current));
	KUNIT_EXPECT_EQ(test, in.depth, 1U);
	KUNIT_EXPECT_EQ(test, in.state, KIPC_MUTEX_STATE_OK);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), 0U);
	in = kipc_test_mutex_info(m);
	KUNIT_EXPECT_EQ(test, in.owner_tid, 0U);
	KUNIT_EXPECT_EQ(test, in.depth, 0U);

	/* Locked in user space: the kernel sees the owner in the word. */
	WRITE_ONCE(*kipc_mutex_test_word(m), me);
	KUNIT_EXPECT_EQ(test, kipc_test_trylock(m, KIPC_TEST_OTHER_TID),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), 0U);
}

static void kipc_mutex_errors(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, 0);
	u32 me = kipc_test_self(), other = KIPC_TEST_OTHER_TID;

	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), -EPERM);
	KUNIT_EXPECT_EQ(test, kipc_test_lock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_test_lock(m, me), -EDEADLK);
	KUNIT_EXPECT_EQ(test, kipc_test_trylock(m, me), -EDEADLK);
	KUNIT_EXPECT_EQ(test, kipc_test_trylock(m, other), -EBUSY);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, other), -EPERM);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_consistent(m, other), -EPERM);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_consistent(m, me), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), me);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).waiters, 0U);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), -EPERM);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), 0U);
}

static void kipc_mutex_recursive(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, KIPC_MUTEX_RECURSIVE);
	u32 me = kipc_test_self(), i;

	for (i = 1; i <= 3; i++) {
		KUNIT_EXPECT_EQ(test, kipc_test_lock(m, me), 0);
		KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).depth, i);
	}
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), me | KIPC_MUTEX_KSTATE);
	KUNIT_EXPECT_EQ(test, kipc_test_trylock(m, KIPC_TEST_OTHER_TID),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, KIPC_TEST_OTHER_TID),
			-EPERM);
	for (i = 3; i >= 1; i--) {
		KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).depth, i);
		KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
	}
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), 0U);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).depth, 0U);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), -EPERM);

	/* Locked once in user space, then nested in the kernel. */
	WRITE_ONCE(*kipc_mutex_test_word(m), me);
	KUNIT_EXPECT_EQ(test, kipc_test_lock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).depth, 2U);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), 0U);
}

/* Taken from a dead owner: EOWNERDEAD, then consistent, then normal. */
static void kipc_mutex_owner_dead(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, 0);
	u32 me = kipc_test_self(), other = KIPC_TEST_OTHER_TID;

	/* A thread locked it in user space and died. */
	WRITE_ONCE(*kipc_mutex_test_word(m), KIPC_TEST_DEAD_TID);
	KUNIT_EXPECT_EQ(test, kipc_test_lock(m, me), -EOWNERDEAD);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), me | KIPC_MUTEX_KSTATE);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).owner_tid, me);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).state,
			KIPC_MUTEX_STATE_OWNERDEAD);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_consistent(m, other), -EPERM);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_consistent(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_consistent(m, me), -EINVAL);
	kipc_test_unlock_ok(test, m, me);

	/* A thread locked it through the kernel and died. */
	KUNIT_EXPECT_EQ(test, kipc_test_lock(m, KIPC_TEST_DEAD_TID), 0);
	KUNIT_EXPECT_EQ(test, kipc_test_trylock(m, me), -EOWNERDEAD);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_consistent(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_test_lock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
}

/* Unlocked after a death without consistent: not recoverable, for all. */
static void kipc_mutex_unrecoverable(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, 0);
	struct kipc_test_group *g = kipc_test_mutex_group(test, m);
	u32 me = kipc_test_self();

	WRITE_ONCE(*kipc_mutex_test_word(m), KIPC_TEST_DEAD_TID);
	KUNIT_EXPECT_EQ(test, kipc_test_lock(m, me), -EOWNERDEAD);
	kipc_test_queue(g, 0, KIPC_TEST_WAIT_MS);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m),
			me | KIPC_MUTEX_KSTATE | KIPC_MUTEX_WAITERS);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
	kipc_test_expect_done(&g->thr[0], -ENOTRECOVERABLE, 1);

	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).state,
			KIPC_MUTEX_STATE_NOTRECOVERABLE);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).waiters, 0U);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), KIPC_MUTEX_KSTATE);
	KUNIT_EXPECT_EQ(test, kipc_test_lock(m, me), -ENOTRECOVERABLE);
	KUNIT_EXPECT_EQ(test, kipc_test_trylock(m, me), -ENOTRECOVERABLE);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), -EPERM);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_consistent(m, me), -EPERM);
}

/* Thread @i of @g holds the mutex, handed over; @left still wait. */
static void kipc_mutex_expect_owner(struct kipc_test_group *g,
				    unsigned int i, u32 left)
{
	struct kunit *test = g->test;
	struct kipc_test_thr *t = &g->thr[i];

	kipc_test_expect_done(t, 0, i + 1);
	KUNIT_EXPECT_EQ(test, kipc_test_word(g->obj),
			t->tid | (left ? KIPC_MUTEX_WAITERS : 0));
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(g->obj).waiters, left);
	if (left)
		kipc_test_expect_waiting(&g->thr[i + 1]);
}

/* Waiters get the mutex in arrival order, each from the one before. */
static void kipc_mutex_fifo(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, 0);
	struct kipc_test_group *g = kipc_test_mutex_group(test, m);
	u32 me = kipc_test_self();
	unsigned int i;

	KUNIT_EXPECT_EQ(test, kipc_test_lock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), me);
	for (i = 0; i < KIPC_TEST_THREADS; i++) {
		kipc_test_queue(g, i, KIPC_TEST_WAIT_MS);
		KUNIT_EXPECT_EQ(test, kipc_test_word(m),
				me | KIPC_MUTEX_WAITERS);
	}
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
	for (i = 0; i < KIPC_TEST_THREADS; i++) {
		kipc_mutex_expect_owner(g, i, KIPC_TEST_THREADS - i - 1);
		kipc_test_join(&g->thr[i]);	/* unlocks: the next one */
	}
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), 0U);
}

/* A lock that times out leaves no waiter, nor the WAITERS bit, behind. */
static void kipc_mutex_timeout(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, 0);
	struct kipc_test_group *g = kipc_test_mutex_group(test, m);
	u32 me = kipc_test_self(), other = KIPC_TEST_OTHER_TID;
	ktime_t deadline = kipc_test_deadline(20);

	KUNIT_EXPECT_EQ(test, kipc_test_lock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_lock(m, other, false,
						   kipc_test_past()),
			-ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_lock(m, other, false, deadline),
			-ETIMEDOUT);
	KUNIT_EXPECT_GE(test, ktime_compare(ktime_get(), deadline), 0);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), me);

	kipc_test_queue(g, 0, KIPC_TEST_SHORT_MS);
	kipc_test_queue(g, 1, KIPC_TEST_WAIT_MS);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), me | KIPC_MUTEX_WAITERS);
	kipc_test_expect_done(&g->thr[0], -ETIMEDOUT, 1);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), me | KIPC_MUTEX_WAITERS);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).waiters, 1U);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
	kipc_test_expect_done(&g->thr[1], 0, 2);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), g->thr[1].tid);
	kipc_test_join(&g->thr[1]);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), 0U);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).waiters, 0U);
}

/*
 * Thread 0 of @g is a live thread that owns @m and thread 1 (and 2 if
 * @two) waits for it; then thread 0 exits.
 */
static void kipc_mutex_owner_dies(struct kipc_test_group *g, bool two)
{
	struct kunit *test = g->test;
	struct kipc_test_thr *owner;

	owner = kipc_test_start(g, 0, kipc_test_idle, 0);
	KUNIT_ASSERT_TRUE(test, kipc_test_finished(owner, KIPC_TEST_WAIT_MS));
	KUNIT_ASSERT_EQ(test, kipc_test_lock(g->obj, owner->tid), 0);
	kipc_test_queue(g, 1, KIPC_TEST_WAIT_MS);
	if (two)
		kipc_test_queue(g, 2, KIPC_TEST_WAIT_MS);
	kipc_test_join(owner);
}

/* A close's check hands a dead owner's mutex to the oldest waiter. */
static void kipc_mutex_check_owner(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, 0);
	struct kipc_test_group *g = kipc_test_mutex_group(test, m);
	struct kipc_mutex_info in;

	g->thr[1].consistent = true;
	kipc_mutex_owner_dies(g, true);
	kipc_mutex_test_check_owner(m);
	in = kipc_test_mutex_info(m);
	KUNIT_EXPECT_EQ(test, in.owner_tid, g->thr[1].tid);
	KUNIT_EXPECT_EQ(test, in.state, KIPC_MUTEX_STATE_OWNERDEAD);
	KUNIT_EXPECT_EQ(test, in.waiters, 1U);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), g->thr[1].tid |
			KIPC_MUTEX_KSTATE | KIPC_MUTEX_WAITERS);
	/* Thread 0, the owner, finished first (doing nothing). */
	kipc_test_expect_done(&g->thr[1], -EOWNERDEAD, 2);
	kipc_test_expect_waiting(&g->thr[2]);

	/* Made consistent, then unlocked: a normal hand-off. */
	kipc_test_join(&g->thr[1]);
	kipc_test_expect_done(&g->thr[2], 0, 3);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), g->thr[2].tid);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).state,
			KIPC_MUTEX_STATE_OK);
	kipc_test_join(&g->thr[2]);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), 0U);
}

/* A sleeping waiter notices its owner's death by itself. */
static void kipc_mutex_dead_owner_sleeper(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, 0);
	struct kipc_test_group *g = kipc_test_mutex_group(test, m);

	kipc_mutex_owner_dies(g, false);
	kipc_test_expect_done(&g->thr[1], -EOWNERDEAD, 2);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).owner_tid,
			g->thr[1].tid);
	/* Unlocked without consistent: not recoverable. */
	kipc_test_join(&g->thr[1]);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).state,
			KIPC_MUTEX_STATE_NOTRECOVERABLE);
	KUNIT_EXPECT_EQ(test, kipc_test_lock(m, kipc_test_self()),
			-ENOTRECOVERABLE);
}

/* A dead owner's mutex goes to the queued waiter, not to a newcomer. */
static void kipc_mutex_dead_owner_fifo(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, 0);
	struct kipc_test_group *g = kipc_test_mutex_group(test, m);

	kipc_mutex_owner_dies(g, false);
	KUNIT_EXPECT_EQ(test, kipc_test_trylock(m, kipc_test_self()), -EBUSY);
	kipc_test_expect_done(&g->thr[1], -EOWNERDEAD, 2);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).owner_tid,
			g->thr[1].tid);
}

#ifdef KIPC_HAVE_KUNIT_STATIC_STUB
/*
 * The race of an owner that unlocks in user space and then exits, made
 * certain: kipc_tid_alive() is replaced, for the test's thread only, by
 * one that first unlocks the word as that owner's fast path would
 * (keeping nothing of it: the word is 0) and then finds the owner gone.
 * The verdict "dead" is then about an owner no longer in the word, and
 * must not be acted on.
 */
static u32 *kipc_test_race_word;
static u32 kipc_test_race_tid;

static bool kipc_test_unlock_then_exit(struct pid_namespace *ns, u32 tid,
				       pid_t *tgid)
{
	if (tid != kipc_test_race_tid)
		return true;
	WRITE_ONCE(*kipc_test_race_word, 0);
	return false;
}

static void kipc_test_race(struct kunit *test, struct kipc_object *m,
			   u32 owner)
{
	kipc_test_race_word = kipc_mutex_test_word(m);
	kipc_test_race_tid = owner;
	kunit_activate_static_stub(test, kipc_tid_alive,
				   kipc_test_unlock_then_exit);
}

/* A locker that sees an owner who unlocked and exited: no EOWNERDEAD. */
static void kipc_mutex_unlocked_then_exited(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, 0);
	u32 me = kipc_test_self();

	WRITE_ONCE(*kipc_mutex_test_word(m), KIPC_TEST_OTHER_TID);
	kipc_test_race(test, m, KIPC_TEST_OTHER_TID);
	KUNIT_EXPECT_EQ(test, kipc_test_trylock(m, me), 0);
	kipc_test_unlock_ok(test, m, me);
	KUNIT_EXPECT_EQ(test, kipc_test_lock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
}

/*
 * The same seen by a close's check with a waiter queued: the waiter gets
 * the mutex with 0, and it stays consistent.
 */
static void kipc_mutex_unlocked_then_exited_waiter(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, 0);
	struct kipc_test_group *g = kipc_test_mutex_group(test, m);
	struct kipc_test_thr *owner;

	owner = kipc_test_start(g, 0, kipc_test_idle, 0);
	KUNIT_ASSERT_TRUE(test, kipc_test_finished(owner, KIPC_TEST_WAIT_MS));
	KUNIT_ASSERT_EQ(test, kipc_test_lock(m, owner->tid), 0);
	kipc_test_queue(g, 1, KIPC_TEST_WAIT_MS);
	kipc_test_race(test, m, owner->tid);
	kipc_mutex_test_check_owner(m);
	kipc_test_expect_done(&g->thr[1], 0, 2);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).state,
			KIPC_MUTEX_STATE_OK);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), g->thr[1].tid);
	kipc_test_join(&g->thr[1]);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), 0U);
	kipc_test_join(owner);
}
#endif

/*
 * The counters of the netlink family: acquisitions in the kernel
 * (contended), blocked locks and timeouts, takeovers from a dead owner.
 */
static void kipc_mutex_counters(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, KIPC_MUTEX_RECURSIVE);
	u32 me = kipc_test_self(), other = KIPC_TEST_OTHER_TID;
	const struct kipc_counters *c = &m->counters;

	KUNIT_EXPECT_EQ(test, kipc_test_lock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_test_lock(m, me), 0);	/* recursion */
	KUNIT_EXPECT_EQ(test, c->contended, 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_trylock(m, other), -EBUSY);
	KUNIT_EXPECT_EQ(test, c->waits, 0ULL);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_lock(m, other, false,
						   kipc_test_past()),
			-ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, c->waits, 1ULL);
	KUNIT_EXPECT_EQ(test, c->timeouts, 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
	KUNIT_EXPECT_EQ(test, c->owner_deaths, 0ULL);

	/* A thread locked it in user space and died. */
	WRITE_ONCE(*kipc_mutex_test_word(m), KIPC_TEST_DEAD_TID);
	KUNIT_EXPECT_EQ(test, kipc_test_lock(m, me), -EOWNERDEAD);
	KUNIT_EXPECT_EQ(test, c->owner_deaths, 1ULL);
	KUNIT_EXPECT_EQ(test, c->contended, 2ULL);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_consistent(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
	KUNIT_EXPECT_EQ(test, c->msgs_in + c->msgs_out, 0ULL);
}

static struct kunit_case kipc_mutex_cases[] = {
	KUNIT_CASE(kipc_mutex_lock_unlock),
	KUNIT_CASE(kipc_mutex_errors),
	KUNIT_CASE(kipc_mutex_recursive),
	KUNIT_CASE(kipc_mutex_owner_dead),
	KUNIT_CASE(kipc_mutex_unrecoverable),
	KUNIT_CASE(kipc_mutex_fifo),
	KUNIT_CASE(kipc_mutex_timeout),
	KUNIT_CASE(kipc_mutex_check_owner),
	KUNIT_CASE(kipc_mutex_dead_owner_sleeper),
	KUNIT_CASE(kipc_mutex_dead_owner_fifo),
#ifdef KIPC_HAVE_KUNIT_STATIC_STUB
	KUNIT_CASE(kipc_mutex_unlocked_then_exited),
	KUNIT_CASE(kipc_mutex_unlocked_then_exited_waiter),
	KUNIT_CASE(kipc_mutex_counters),
#endif
	{}
};

static struct kunit_suite kipc_mutex_suite = {
	.name = "kipc_mutex",
	.test_cases = kipc_mutex_cases,
};

/* ---- condition variables ------------------------------------------------- */

/* Signals with nobody waiting are lost; a timed wait keeps the mutex. */
static void kipc_cond_timeout(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, 0);
	struct kipc_object *c = kipc_test_cond(test);
	u32 me = kipc_test_self();
	ktime_t deadline;

	KUNIT_EXPECT_EQ(test, kipc_cond_test_signal(c, false), 0U);
	KUNIT_EXPECT_EQ(test, kipc_cond_test_signal(c, true), 0U);
	KUNIT_ASSERT_EQ(test, kipc_test_lock(m, me), 0);
	deadline = kipc_test_deadline(20);
	KUNIT_EXPECT_EQ(test, kipc_cond_test_wait(c, m, me, deadline),
			-ETIMEDOUT);
	KUNIT_EXPECT_GE(test, ktime_compare(ktime_get(), deadline), 0);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), me);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).depth, 1U);
	KUNIT_EXPECT_EQ(test, kipc_cond_test_wait(c, m, me, kipc_test_past()),
			-ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), me);
	KUNIT_EXPECT_EQ(test, kipc_cond_test_waiters(c), 0U);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
}

/* Only the owner may wait, and only holding the mutex once. */
static void kipc_cond_eperm(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, 0);
	struct kipc_object *r = kipc_test_mutex(test, KIPC_MUTEX_RECURSIVE);
	struct kipc_object *c = kipc_test_cond(test);
	u32 me = kipc_test_self();

	KUNIT_EXPECT_EQ(test, kipc_cond_test_wait(c, m, me, kipc_test_past()),
			-EPERM);
	KUNIT_ASSERT_EQ(test, kipc_test_lock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_cond_test_wait(c, m, KIPC_TEST_OTHER_TID,
						  kipc_test_past()), -EPERM);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), me);

	KUNIT_ASSERT_EQ(test, kipc_test_lock(r, me), 0);
	KUNIT_ASSERT_EQ(test, kipc_test_lock(r, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_cond_test_wait(c, r, me, kipc_test_past()),
			-EPERM);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(r).depth, 2U);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(r, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_cond_test_wait(c, r, me, kipc_test_past()),
			-ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(r).owner_tid, me);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(r).depth, 1U);
	KUNIT_EXPECT_EQ(test, kipc_cond_test_waiters(c), 0U);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(r, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
}

/* A wait on a mutex taken with EOWNERDEAD gets it back the same way. */
static void kipc_cond_ownerdead(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, 0);
	struct kipc_object *c = kipc_test_cond(test);
	u32 me = kipc_test_self();

	WRITE_ONCE(*kipc_mutex_test_word(m), KIPC_TEST_DEAD_TID);
	KUNIT_ASSERT_EQ(test, kipc_test_lock(m, me), -EOWNERDEAD);
	KUNIT_EXPECT_EQ(test, kipc_cond_test_wait(c, m, me, kipc_test_past()),
			-EOWNERDEAD);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).owner_tid, me);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).state,
			KIPC_MUTEX_STATE_OWNERDEAD);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_consistent(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
}

/* The wait releases the mutex, and takes it back before returning. */
static void kipc_cond_releases_mutex(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, 0);
	struct kipc_object *c = kipc_test_cond(test);
	struct kipc_test_group *g = kipc_test_cond_group(test, c, m);
	struct kipc_test_thr *w;
	u32 me = kipc_test_self();

	w = kipc_test_queue(g, 0, KIPC_TEST_WAIT_MS);
	KUNIT_ASSERT_EQ(test, kipc_test_lock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_cond_test_signal(c, false), 1U);
	/* Woken, it waits for the mutex before it returns. */
	KUNIT_ASSERT_TRUE(test, kipc_test_until(kipc_test_mutex_waiters, m, 1));
	kipc_test_expect_waiting(w);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), me | KIPC_MUTEX_WAITERS);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
	kipc_test_expect_done(w, 0, 1);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), w->tid);
	kipc_test_join(w);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), 0U);
}

/* A signal wakes the oldest waiter, a broadcast all the others. */
static void kipc_cond_signal_fifo(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, 0);
	struct kipc_object *c = kipc_test_cond(test);
	struct kipc_test_group *g = kipc_test_cond_group(test, c, m);
	unsigned int i;

	for (i = 0; i < KIPC_TEST_THREADS; i++) {
		kipc_test_queue(g, i, KIPC_TEST_WAIT_MS);
		complete_all(&g->thr[i].release);	/* unlock at once */
	}
	KUNIT_EXPECT_EQ(test, kipc_cond_test_signal(c, false), 1U);
	kipc_test_expect_done(&g->thr[0], 0, 1);
	for (i = 1; i < KIPC_TEST_THREADS; i++)
		kipc_test_expect_waiting(&g->thr[i]);
	KUNIT_EXPECT_EQ(test, kipc_cond_test_waiters(c),
			KIPC_TEST_THREADS - 1U);

	KUNIT_EXPECT_EQ(test, kipc_cond_test_signal(c, true),
			KIPC_TEST_THREADS - 1U);
	for (i = 1; i < KIPC_TEST_THREADS; i++)
		kipc_test_expect_done(&g->thr[i], 0, 0);
	KUNIT_EXPECT_EQ(test, kipc_cond_test_waiters(c), 0U);
	for (i = 0; i < KIPC_TEST_THREADS; i++)
		kipc_test_join(&g->thr[i]);
	KUNIT_EXPECT_EQ(test, kipc_test_word(m), 0U);
}

/* The counters: signals in, waiters woken out, blocked waits, timeouts. */
static void kipc_cond_counters(struct kunit *test)
{
	struct kipc_object *m = kipc_test_mutex(test, 0);
	struct kipc_object *c = kipc_test_cond(test);
	const struct kipc_counters *n = &c->counters;
	u32 me = kipc_test_self();

	KUNIT_EXPECT_EQ(test, kipc_cond_test_signal(c, false), 0U);
	KUNIT_EXPECT_EQ(test, kipc_cond_test_signal(c, true), 0U);
	KUNIT_EXPECT_EQ(test, n->msgs_in, 2ULL);
	KUNIT_EXPECT_EQ(test, n->msgs_out, 0ULL);
	KUNIT_ASSERT_EQ(test, kipc_test_lock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_cond_test_wait(c, m, me, kipc_test_past()),
			-ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, n->waits, 1ULL);
	KUNIT_EXPECT_EQ(test, n->timeouts, 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
}

static struct kunit_case kipc_cond_cases[] = {
	KUNIT_CASE(kipc_cond_timeout),
	KUNIT_CASE(kipc_cond_eperm),
	KUNIT_CASE(kipc_cond_ownerdead),
	KUNIT_CASE(kipc_cond_releases_mutex),
	KUNIT_CASE(kipc_cond_signal_fifo),
	KUNIT_CASE(kipc_cond_counters),
	{}
};

static struct kunit_suite kipc_cond_suite = {
	.name = "kipc_cond",
	.test_cases = kipc_cond_cases,
};

kunit_test_suites(&kipc_sem_suite, &kipc_mutex_suite, &kipc_cond_suite);
