// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the wait-for-many state machine (KIPC_IOC_WAIT_MANY):
 * one try of any or all over events, semaphores and mutexes, through
 * kipc_wm_test_try(), which needs no files.  What is taken and what is
 * left alone, the results and the index, the precedence of the objects'
 * own FIFO waiters, the words user space maps after a try, the mutex
 * errors, and all-tries racing with posts and with each other.
 *
 * Part of kipc_kunit.ko; kipc_kunit.c carries the module's license.
 * Helper threads are kthreads; every wait they make has a deadline and
 * every kthread is stopped by a KUnit action, so a failed assertion can
 * neither hang a test nor leave a thread behind.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "kipc_kunit.h"

/* Above PID_MAX_LIMIT: never the thread id of a live thread. */
#define KIPC_WMT_DEAD_TID	0x3ffffff0U

#define KIPC_WMT_MAX		16	/* objects kipc_wm_test_try() takes */
#define KIPC_WMT_NONE		1	/* its "nothing taken" */
#define KIPC_WMT_SETTLE_MS	50	/* a woken thread would have run */
#define KIPC_WMT_STRESS_MS	60000	/* bounds a stress test's phases */
#define KIPC_WMT_POSTS		5000	/* units a stress test posts to each */

/* A semaphore word: @waiters in the high half, @value in the low. */
#define KIPC_WMT_SEM_WORD(waiters, value) \
	((u64)(waiters) << 32 | (u32)(value))

/*
 * An empty semaphore a try found at 0: armed, as poll leaves it, so that
 * the next post comes to the kernel and wakes the wait.
 */
#define KIPC_WMT_SEM_ARMED	KIPC_WMT_SEM_WORD(1, 0)

/* ---- helpers ------------------------------------------------------------- */

/* An event; set with @value if @flags has KIPC_EVENT_SET. */
static struct kipc_object *kipc_wmt_event(struct kunit *test, u32 flags,
					  u64 value)
{
	struct kipc_event_attr attr = { .flags = flags, .value = value };

	return kipc_test_new(test, &kipc_event_type, &attr);
}

static struct kipc_object *kipc_wmt_sem(struct kunit *test, u32 value)
{
	struct kipc_sem_attr attr = { .value = value };

	return kipc_test_new(test, &kipc_sem_type, &attr);
}

static struct kipc_object *kipc_wmt_mutex(struct kunit *test, u32 flags)
{
	struct kipc_mutex_attr attr = { .flags = flags };

	return kipc_test_new(test, &kipc_mutex_type, &attr);
}

static u32 kipc_wmt_sem_value(struct kipc_object *s)
{
	return kipc_test_sem_info(s).value;
}

static u32 kipc_wmt_event_waiters(struct kipc_object *e)
{
	return kipc_test_event_info(e).waiters;
}

static u32 kipc_wmt_sem_waiters(struct kipc_object *s)
{
	return kipc_test_sem_info(s).waiters;
}

static u32 kipc_wmt_mutex_waiters(struct kipc_object *m)
{
	return kipc_test_mutex_info(m).waiters;
}

static u64 kipc_wmt_sem_state(struct kipc_object *s)
{
	return atomic64_read(kipc_sem_test_state(s));
}

static u32 kipc_wmt_word(struct kipc_object *m)
{
	return READ_ONCE(*kipc_mutex_test_word(m));
}

static int kipc_wmt_post(struct kipc_object *s, u32 n)
{
	u32 value;

	return kipc_sem_test_post(s, n, false, &value);
}

static int kipc_wmt_lock(struct kipc_object *m, u32 tid)
{
	return kipc_mutex_test_lock(m, tid, false,
				    kipc_test_deadline(KIPC_TEST_WAIT_MS));
}

/* No waiter in @s's word: its value, armed or not if it is 0. */
static void kipc_wmt_expect_open(struct kunit *test, struct kipc_object *s)
{
	u64 word = kipc_wmt_sem_state(s);
	u32 value = kipc_wmt_sem_value(s);

	if (value)
		KUNIT_EXPECT_EQ(test, word, (u64)value);
	else
		KUNIT_EXPECT_LE(test, word, KIPC_WMT_SEM_ARMED);
}

/**
 * struct kipc_wmt_try - one try of a wait for many and what it gave
 * @ret: what kipc_wm_test_try() returned
 * @index: the index it reported
 * @res: the results, one per object
 */
struct kipc_wmt_try {
	int ret;
	u32 index;
	struct kipc_wait_obj res[KIPC_WMT_MAX];
};

/*
 * One try over @n objects into @r; the results start as garbage so that
 * the try must write every one of them.
 */
static int kipc_wmt_try(struct kipc_wmt_try *r, struct kipc_object **objs,
			u32 n, bool all)
{
	memset(r, 0xa5, sizeof(*r));
	r->ret = kipc_wm_test_try(objs, n, all, r->res, &r->index);
	return r->ret;
}

/* Room for the tries of a test (too big for its stack with KASAN). */
static struct kipc_wmt_try *kipc_wmt_r(struct kunit *test)
{
	struct kipc_wmt_try *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	return r;
}

/* Object @i of the last try: @ready, @error and @value. */
static void kipc_wmt_expect_res(struct kunit *test,
				const struct kipc_wmt_try *r, u32 i,
				u32 ready, int error, u64 value)
{
	const struct kipc_wait_obj *o = &r->res[i];

	KUNIT_EXPECT_EQ_MSG(test, o->ready, ready, "object %u", i);
	KUNIT_EXPECT_EQ_MSG(test, o->error, error, "object %u", i);
	KUNIT_EXPECT_EQ_MSG(test, o->value, value, "object %u", i);
}

/**
 * struct kipc_wmt_res - what a try should give for one object
 * @ready: taken (1) or not (0)
 * @error: its error
 * @value: its value
 */
struct kipc_wmt_res {
	u32 ready;
	int error;
	u64 value;
};

/* The results of the last try's first @n objects are @want, in order. */
static void kipc_wmt_expect_results(struct kunit *test,
				    const struct kipc_wmt_try *r,
				    const struct kipc_wmt_res *want, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		kipc_wmt_expect_res(test, r, i, want[i].ready, want[i].error,
				    want[i].value);
}

/* @tid unlocks mutex @m @depth times, which leaves its word free. */
static void kipc_wmt_unlock_all(struct kunit *test, struct kipc_object *m,
				u32 tid, u32 depth)
{
	while (depth--)
		KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, tid), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), 0U);
}

/* The last try took nothing from any of its @n objects. */
static void kipc_wmt_expect_none(struct kunit *test,
				 const struct kipc_wmt_try *r, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		kipc_wmt_expect_res(test, r, i, 0, 0, 0);
}

/**
 * struct kipc_wmt_snap - what can be seen of an object's state
 * @word: a semaphore's or a mutex's word
 * @ev: an event's info
 * @sem: a semaphore's info
 * @mtx: a mutex's info
 */
struct kipc_wmt_snap {
	u64 word;
	struct kipc_event_info ev;
	struct kipc_sem_info sem;
	struct kipc_mutex_info mtx;
};

static void kipc_wmt_snap(struct kipc_object *obj, struct kipc_wmt_snap *s)
{
	memset(s, 0, sizeof(*s));
	if (obj->type == &kipc_event_type) {
		kipc_event_get_info(obj, &s->ev);
	} else if (obj->type == &kipc_sem_type) {
		/*
		 * The value only: a try that finds it at 0 arms (one more in
		 * the high half); the tests check that word by itself.
		 */
		s->word = (u32)kipc_wmt_sem_state(obj);
		kipc_sem_test_info(obj, &s->sem);
	} else if (obj->type == &kipc_mutex_type) {
		s->word = kipc_wmt_word(obj);
		kipc_mutex_test_info(obj, &s->mtx);
	}
}

static struct kipc_wmt_snap *kipc_wmt_snaps(struct kunit *test, u32 n)
{
	struct kipc_wmt_snap *snaps = kunit_kcalloc(test, n, sizeof(*snaps),
						    GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, snaps);
	return snaps;
}

static void kipc_wmt_snap_all(struct kipc_object **objs, u32 n,
			      struct kipc_wmt_snap *snaps)
{
	u32 i;

	for (i = 0; i < n; i++)
		kipc_wmt_snap(objs[i], &snaps[i]);
}

/* Objects 0 to @n - 1 are exactly as @snaps saw them. */
static void kipc_wmt_expect_same(struct kunit *test, struct kipc_object **objs,
				 u32 n, const struct kipc_wmt_snap *snaps)
{
	struct kipc_wmt_snap now;
	u32 i;

	for (i = 0; i < n; i++) {
		kipc_wmt_snap(objs[i], &now);
		KUNIT_EXPECT_MEMEQ_MSG(test, &now, &snaps[i], sizeof(now),
				       "object %u (%s) changed", i,
				       objs[i]->type->name);
	}
}

/* ---- helper threads ------------------------------------------------------ */

/**
 * struct kipc_wmt_stress - what the threads of a stress test share
 * @a: semaphore A
 * @b: semaphore B
 * @m: a mutex taken with them
 * @stop: the takers must stop
 * @all_taken: successful all-tries
 * @any_taken: successful any-tries, by index
 * @plain_sem: units of @a taken by plain semaphore waits
 * @plain_lock: plain locks of @m
 * @inside: threads that hold @m now
 * @bad: broken invariants the threads saw
 * @bad_ret: the last unexpected return value, for the report
 */
struct kipc_wmt_stress {
	struct kipc_object *a;
	struct kipc_object *b;
	struct kipc_object *m;
	bool stop;
	atomic_t all_taken;
	atomic_t any_taken[3];
	atomic_t plain_sem;
	atomic_t plain_lock;
	atomic_t inside;
	atomic_t bad;
	atomic_t bad_ret;
};

/**
 * struct kipc_wmt_thr - a kthread that acts on objects for a test
 * @test: the test
 * @task: the kthread; NULL once stopped
 * @fn: what it does; returns the result
 * @obj: the object it waits on or locks
 * @st: the stress test it takes part in, or NULL
 * @objs: the objects of its tries, in its order
 * @n: their number
 * @tid: its thread id, the one its mutex operations use
 * @holds: @fn left @obj, a mutex, held by @tid
 * @consistent: make a mutex taken with EOWNERDEAD consistent before unlock
 * @ret: what @fn returned
 * @value: the value its wait got
 * @done: completed once @fn has returned
 * @release: completed by the test to make it unlock the mutex it holds
 * @r: its last try
 */
struct kipc_wmt_thr {
	struct kunit *test;
	struct task_struct *task;
	int (*fn)(struct kipc_wmt_thr *t);
	struct kipc_object *obj;
	struct kipc_wmt_stress *st;
	struct kipc_object *objs[3];
	u32 n;
	u32 tid;
	bool holds;
	bool consistent;
	int ret;
	u64 value;
	struct completion done;
	struct completion release;
	struct kipc_wmt_try r;
};

/* Do nothing: a live thread, for its thread id. */
static int kipc_wmt_idle(struct kipc_wmt_thr *t)
{
	return 0;
}

/* Queue on the semaphore until a unit is handed over. */
static int kipc_wmt_sem_waiter(struct kipc_wmt_thr *t)
{
	u32 value;

	return kipc_sem_test_wait(t->obj, false,
				  kipc_test_deadline(KIPC_TEST_WAIT_MS), false,
				  &value);
}

/* Wait for the event until a signal is handed over. */
static int kipc_wmt_event_waiter(struct kipc_wmt_thr *t)
{
	return kipc_event_do_wait(t->obj, false,
			       kipc_test_deadline(KIPC_TEST_WAIT_MS), &t->value);
}

/* Lock the mutex, queueing if need be; hold it until released. */
static int kipc_wmt_locker(struct kipc_wmt_thr *t)
{
	int ret = kipc_wmt_lock(t->obj, t->tid);

	t->holds = !ret || ret == -EOWNERDEAD;
	return ret;
}

static int kipc_wmt_thr_main(void *arg)
{
	struct kipc_wmt_thr *t = arg;

	t->ret = t->fn(t);
	complete_all(&t->done);
	if (t->holds)
		kipc_test_hand_back(t->test, t->obj, t->tid, t->ret,
				    t->consistent, &t->release);
	kipc_test_park();
	return 0;
}

/* Let @t unlock what it holds, then stop it; once is enough. */
static void kipc_wmt_join(struct kipc_wmt_thr *t)
{
	kipc_test_stop(&t->task, &t->release);
}

static void kipc_wmt_join_action(void *t)
{
	kipc_wmt_join(t);
}

/* A new thread doing @fn on @obj; stopped when the test ends at the latest. */
static struct kipc_wmt_thr *kipc_wmt_start(struct kunit *test,
					   int (*fn)(struct kipc_wmt_thr *t),
					   struct kipc_object *obj)
{
	struct kipc_wmt_thr *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct task_struct *task;

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	t->fn = fn;
	t->obj = obj;
	init_completion(&t->done);
	init_completion(&t->release);
	task = kthread_create(kipc_wmt_thr_main, t, "kipc-kunit-wm");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, task);
	t->task = task;
	t->tid = (u32)task_pid_vnr(task) & KIPC_MUTEX_TID_MASK;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							kipc_wmt_join_action,
							t), 0);
	return t;
}

static void kipc_wmt_run(struct kipc_wmt_thr *t)
{
	wake_up_process(t->task);
}

/* Whether @t finishes its @fn within @ms. */
static bool kipc_wmt_finished(struct kipc_wmt_thr *t, unsigned int ms)
{
	return wait_for_completion_timeout(&t->done, msecs_to_jiffies(ms));
}

/* A live thread that does nothing: its tid owns mutexes for a test. */
static struct kipc_wmt_thr *kipc_wmt_live(struct kunit *test)
{
	struct kipc_wmt_thr *t = kipc_wmt_start(test, kipc_wmt_idle, NULL);

	kipc_wmt_run(t);
	KUNIT_ASSERT_TRUE(test, kipc_wmt_finished(t, KIPC_TEST_WAIT_MS));
	return t;
}

/*
 * A thread doing @fn on @obj, started once the @count(@obj) queued
 * before it are, and returned once it is queued behind them.
 */
static struct kipc_wmt_thr *
kipc_wmt_queue(struct kunit *test, int (*fn)(struct kipc_wmt_thr *t),
	       u32 (*count)(struct kipc_object *obj), struct kipc_object *obj)
{
	u32 before = count(obj);
	struct kipc_wmt_thr *t = kipc_wmt_start(test, fn, obj);

	kipc_wmt_run(t);
	KUNIT_ASSERT_TRUE(test, kipc_test_until(count, obj, before + 1));
	return t;
}

/* ---- any ----------------------------------------------------------------- */

/* The first ready object in array order is taken, and only it. */
static void kipc_wm_any_first_ready(struct kunit *test)
{
	struct kipc_object *e0 = kipc_wmt_event(test, 0, 0);
	struct kipc_object *s1 = kipc_wmt_sem(test, 2);
	struct kipc_object *m2 = kipc_wmt_mutex(test, 0);
	struct kipc_object *e3 = kipc_wmt_event(test, KIPC_EVENT_MANUAL_RESET |
						KIPC_EVENT_SET, 7);
	struct kipc_object *objs[] = { e0, s1, m2, e3 };
	struct kipc_object *later[] = { e0, s1, e3 };
	struct kipc_event_info ei;
	struct kipc_wmt_try *r = kipc_wmt_r(test);
	u32 me = kipc_test_self();

	/* The semaphore: one unit, its value after; the rest untouched. */
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 4, false), 0);
	KUNIT_EXPECT_EQ(test, r->index, 1U);
	kipc_wmt_expect_results(test, r, (const struct kipc_wmt_res[]) {
		{ 0, 0, 0 }, { 1, 0, 1 }, { 0, 0, 0 }, { 0, 0, 0 },
	}, 4);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s1), 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s1).waits, 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m2), 0U);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m2).owner_tid, 0U);
	ei = kipc_test_event_info(e3);
	KUNIT_EXPECT_EQ(test, ei.state,
			(u32)(KIPC_EVENT_MANUAL_RESET | KIPC_EVENT_SET));
	KUNIT_EXPECT_EQ(test, ei.value, 7ULL);
	KUNIT_EXPECT_EQ(test, ei.wakeups, 0ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_event_info(e0).wakeups, 0ULL);

	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 4, false), 0);
	KUNIT_EXPECT_EQ(test, r->index, 1U);
	kipc_wmt_expect_res(test, r, 1, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s1), 0ULL);

	/* The semaphore is empty: the mutex, locked for the caller. */
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 4, false), 0);
	KUNIT_EXPECT_EQ(test, r->index, 2U);
	kipc_wmt_expect_results(test, r, (const struct kipc_wmt_res[]) {
		{ 0, 0, 0 }, { 0, 0, 0 }, { 1, 0, 0 }, { 0, 0, 0 },
	}, 4);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m2), me);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m2).owner_tid, me);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m2).depth, 1U);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m2).state,
			KIPC_MUTEX_STATE_OK);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s1), KIPC_WMT_SEM_ARMED);
	KUNIT_EXPECT_EQ(test, kipc_test_event_info(e3).wakeups, 0ULL);

	/* Held by the caller: EDEADLK ends the try before the event. */
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 4, false), -EDEADLK);
	KUNIT_EXPECT_EQ(test, r->index, 2U);
	kipc_wmt_expect_none(test, r, 4);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m2), me);
	KUNIT_EXPECT_EQ(test, kipc_test_event_info(e3).wakeups, 0ULL);
	kipc_wmt_unlock_all(test, m2, me, 1);

	/* The manual-reset event: its value, and it stays set. */
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, later, 3, false), 0);
	KUNIT_EXPECT_EQ(test, r->index, 2U);
	kipc_wmt_expect_results(test, r, (const struct kipc_wmt_res[]) {
		{ 0, 0, 0 }, { 0, 0, 0 }, { 1, 0, 7 },
	}, 3);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, later, 3, false), 0);
	KUNIT_EXPECT_EQ(test, r->index, 2U);
	kipc_wmt_expect_res(test, r, 2, 1, 0, 7);
	ei = kipc_test_event_info(e3);
	KUNIT_EXPECT_TRUE(test, ei.state & KIPC_EVENT_SET);
	KUNIT_EXPECT_EQ(test, ei.value, 7ULL);
	KUNIT_EXPECT_EQ(test, ei.wakeups, 2ULL);
}

/* An auto-reset event's signal is consumed, a manual-reset one's is not. */
static void kipc_wm_any_events(struct kunit *test)
{
	struct kipc_object *ea = kipc_wmt_event(test, KIPC_EVENT_SET, 5);
	struct kipc_object *em = kipc_wmt_event(test, KIPC_EVENT_MANUAL_RESET |
						KIPC_EVENT_SET, 6);
	struct kipc_object *auto_first[] = { ea, em };
	struct kipc_object *manual_first[] = { em, ea };
	struct kipc_event_info ei;
	struct kipc_wmt_try *r = kipc_wmt_r(test);

	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, auto_first, 2, false), 0);
	KUNIT_EXPECT_EQ(test, r->index, 0U);
	kipc_wmt_expect_res(test, r, 0, 1, 0, 5);
	kipc_wmt_expect_res(test, r, 1, 0, 0, 0);
	ei = kipc_test_event_info(ea);
	KUNIT_EXPECT_EQ(test, ei.state, 0U);
	KUNIT_EXPECT_EQ(test, ei.wakeups, 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_event_info(em).wakeups, 0ULL);

	/* Consumed: the manual-reset one now, as often as asked. */
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, auto_first, 2, false), 0);
	KUNIT_EXPECT_EQ(test, r->index, 1U);
	kipc_wmt_expect_res(test, r, 0, 0, 0, 0);
	kipc_wmt_expect_res(test, r, 1, 1, 0, 6);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, auto_first, 2, false), 0);
	KUNIT_EXPECT_EQ(test, r->index, 1U);
	kipc_wmt_expect_res(test, r, 1, 1, 0, 6);
	ei = kipc_test_event_info(em);
	KUNIT_EXPECT_EQ(test, ei.state,
			(u32)(KIPC_EVENT_MANUAL_RESET | KIPC_EVENT_SET));
	KUNIT_EXPECT_EQ(test, ei.wakeups, 2ULL);

	/* Array order, not readiness order, picks among ready ones. */
	kipc_event_do_signal(ea, 9);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, manual_first, 2, false), 0);
	KUNIT_EXPECT_EQ(test, r->index, 0U);
	kipc_wmt_expect_res(test, r, 0, 1, 0, 6);
	kipc_wmt_expect_res(test, r, 1, 0, 0, 0);
	ei = kipc_test_event_info(ea);
	KUNIT_EXPECT_EQ(test, ei.state, (u32)KIPC_EVENT_SET);
	KUNIT_EXPECT_EQ(test, ei.value, 9ULL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, auto_first, 1, false), 0);
	kipc_wmt_expect_res(test, r, 0, 1, 0, 9);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, auto_first, 1, false),
			KIPC_WMT_NONE);
	kipc_wmt_expect_none(test, r, 1);

	/* Reset: nothing left to take from either. */
	kipc_event_do_reset(em);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, auto_first, 2, false),
			KIPC_WMT_NONE);
	KUNIT_EXPECT_EQ(test, r->index, 0U);
	kipc_wmt_expect_none(test, r, 2);
	KUNIT_EXPECT_EQ(test, kipc_test_event_info(ea).wakeups, 2ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_event_info(em).wakeups, 3ULL);
}

/*
 * Nothing ready: 1, index 0, and nothing changed, but for the mutex held
 * by a live thread, which the try arms (KIPC_MUTEX_WAITERS) so that its
 * owner's unlock comes to the kernel; that unlock disarms it.
 */
static void kipc_wm_any_none(struct kunit *test)
{
	struct kipc_wmt_thr *owner = kipc_wmt_live(test);
	struct kipc_object *e = kipc_wmt_event(test, 0, 0);
	struct kipc_object *s = kipc_wmt_sem(test, 0);
	struct kipc_object *m = kipc_wmt_mutex(test, 0);
	struct kipc_object *em = kipc_wmt_event(test, KIPC_EVENT_MANUAL_RESET,
						0);
	struct kipc_object *objs[] = { e, s, m, em };
	struct kipc_wmt_snap *snaps = kipc_wmt_snaps(test, 4);
	struct kipc_mutex_info mi;
	struct kipc_wmt_try *r = kipc_wmt_r(test);
	u32 me = kipc_test_self();
	bool all;

	KUNIT_ASSERT_EQ(test, kipc_wmt_lock(m, owner->tid), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), owner->tid);
	kipc_wmt_snap_all(objs, 4, snaps);
	for (all = false; ; all = true) {
		KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 4, all),
				KIPC_WMT_NONE);
		KUNIT_EXPECT_EQ(test, r->index, 0U);
		kipc_wmt_expect_none(test, r, 4);
		kipc_wmt_expect_same(test, objs, 2, snaps);
		kipc_wmt_expect_same(test, objs + 3, 1, snaps + 3);
		KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), KIPC_WMT_SEM_ARMED);
		KUNIT_EXPECT_EQ(test, kipc_wmt_word(m),
				owner->tid | KIPC_MUTEX_WAITERS);
		mi = kipc_test_mutex_info(m);
		KUNIT_EXPECT_EQ(test, mi.owner_tid, owner->tid);
		KUNIT_EXPECT_EQ(test, mi.depth, 1U);
		KUNIT_EXPECT_EQ(test, mi.waiters, 0U);
		KUNIT_EXPECT_EQ(test, mi.state, KIPC_MUTEX_STATE_OK);
		if (all)
			break;
	}

	/* The owner's unlock comes to the kernel, which disarms. */
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, owner->tid), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), 0U);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 4, false), 0);
	KUNIT_EXPECT_EQ(test, r->index, 2U);
	kipc_wmt_expect_res(test, r, 2, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), me);
	kipc_wmt_unlock_all(test, m, me, 1);
}

/* EDEADLK and ENOTRECOVERABLE end an any-try at their object. */
static void kipc_wm_any_errors(struct kunit *test)
{
	struct kipc_object *s = kipc_wmt_sem(test, 1);
	struct kipc_object *s0 = kipc_wmt_sem(test, 0);
	struct kipc_object *m = kipc_wmt_mutex(test, 0);
	struct kipc_object *nr = kipc_wmt_mutex(test, 0);
	struct kipc_object *empty_held[] = { s0, m, s };
	struct kipc_object *ready_held[] = { s, m };
	struct kipc_object *nr_first[] = { nr, s };
	struct kipc_object *nr_last[] = { s, nr };
	struct kipc_wmt_try *r = kipc_wmt_r(test);
	u32 me = kipc_test_self();

	KUNIT_ASSERT_EQ(test, kipc_wmt_lock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, empty_held, 3, false),
			-EDEADLK);
	KUNIT_EXPECT_EQ(test, r->index, 1U);
	kipc_wmt_expect_none(test, r, 3);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s0), KIPC_WMT_SEM_ARMED);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), me);
	/* A ready object before it: taken, the mutex never looked at. */
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, ready_held, 2, false), 0);
	KUNIT_EXPECT_EQ(test, r->index, 0U);
	kipc_wmt_expect_res(test, r, 0, 1, 0, 0);
	kipc_wmt_expect_res(test, r, 1, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);

	/* Taken from a dead owner, unlocked without consistent. */
	WRITE_ONCE(*kipc_mutex_test_word(nr), KIPC_WMT_DEAD_TID);
	KUNIT_ASSERT_EQ(test, kipc_wmt_lock(nr, me), -EOWNERDEAD);
	KUNIT_ASSERT_EQ(test, kipc_mutex_test_unlock(nr, me), 0);
	KUNIT_ASSERT_EQ(test, kipc_test_mutex_info(nr).state,
			KIPC_MUTEX_STATE_NOTRECOVERABLE);
	KUNIT_EXPECT_EQ(test, kipc_wmt_post(s, 1), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, nr_first, 2, false),
			-ENOTRECOVERABLE);
	KUNIT_EXPECT_EQ(test, r->index, 0U);
	kipc_wmt_expect_none(test, r, 2);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(nr), KIPC_MUTEX_KSTATE);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, nr_last, 2, false), 0);
	KUNIT_EXPECT_EQ(test, r->index, 0U);
	kipc_wmt_expect_res(test, r, 0, 1, 0, 0);
	kipc_wmt_expect_res(test, r, 1, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, nr_last, 2, false),
			-ENOTRECOVERABLE);
	KUNIT_EXPECT_EQ(test, r->index, 1U);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), KIPC_WMT_SEM_ARMED);
}

/* A dead owner's mutex: taken, EOWNERDEAD in its result and returned. */
static void kipc_wm_any_ownerdead(struct kunit *test)
{
	struct kipc_object *s0 = kipc_wmt_sem(test, 0);
	struct kipc_object *d = kipc_wmt_mutex(test, 0);
	struct kipc_object *objs[] = { s0, d };
	struct kipc_wmt_try *r = kipc_wmt_r(test);
	u32 me = kipc_test_self();

	KUNIT_ASSERT_EQ(test, kipc_wmt_lock(d, KIPC_WMT_DEAD_TID), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 2, false), -EOWNERDEAD);
	KUNIT_EXPECT_EQ(test, r->index, 1U);
	kipc_wmt_expect_res(test, r, 0, 0, 0, 0);
	kipc_wmt_expect_res(test, r, 1, 1, -EOWNERDEAD, 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(d), me | KIPC_MUTEX_KSTATE);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(d).state,
			KIPC_MUTEX_STATE_OWNERDEAD);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s0), KIPC_WMT_SEM_ARMED);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_consistent(d, me), 0);
	kipc_wmt_unlock_all(test, d, me, 1);
}

/* ---- all ----------------------------------------------------------------- */

/* Every object taken at once, each as a wait on it alone would. */
static void kipc_wm_all_take(struct kunit *test)
{
	struct kipc_object *ea = kipc_wmt_event(test, KIPC_EVENT_SET, 3);
	struct kipc_object *s1 = kipc_wmt_sem(test, 2);
	struct kipc_object *m = kipc_wmt_mutex(test, 0);
	struct kipc_object *s2 = kipc_wmt_sem(test, 1);
	struct kipc_object *em = kipc_wmt_event(test, KIPC_EVENT_MANUAL_RESET |
						KIPC_EVENT_SET, 4);
	struct kipc_object *rm = kipc_wmt_mutex(test, KIPC_MUTEX_RECURSIVE);
	struct kipc_object *objs[] = { ea, s1, m, s2, em, rm };
	struct kipc_wmt_snap *snaps = kipc_wmt_snaps(test, 6);
	struct kipc_mutex_info mi;
	struct kipc_wmt_try *r = kipc_wmt_r(test);
	u32 me = kipc_test_self();

	KUNIT_ASSERT_EQ(test, kipc_wmt_lock(rm, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 6, true), 0);
	KUNIT_EXPECT_EQ(test, r->index, 0U);
	kipc_wmt_expect_results(test, r, (const struct kipc_wmt_res[]) {
		{ 1, 0, 3 }, { 1, 0, 1 }, { 1, 0, 0 }, { 1, 0, 0 }, { 1, 0, 4 },
		{ 1, 0, 0 },
	}, 6);

	KUNIT_EXPECT_EQ(test, kipc_test_event_info(ea).state, 0U);
	KUNIT_EXPECT_EQ(test, kipc_test_event_info(ea).wakeups, 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s1), 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s1).waits, 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s2), 0ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s2).waits, 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), me);
	mi = kipc_test_mutex_info(m);
	KUNIT_EXPECT_EQ(test, mi.owner_tid, me);
	KUNIT_EXPECT_EQ(test, mi.depth, 1U);
	KUNIT_EXPECT_EQ(test, mi.state, KIPC_MUTEX_STATE_OK);
	KUNIT_EXPECT_EQ(test, kipc_test_event_info(em).state,
			(u32)(KIPC_EVENT_MANUAL_RESET | KIPC_EVENT_SET));
	KUNIT_EXPECT_EQ(test, kipc_test_event_info(em).value, 4ULL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(rm), me | KIPC_MUTEX_KSTATE);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(rm).depth, 2U);

	/*
	 * Again: the mutex the caller holds fails the try with EDEADLK,
	 * although the event and s2 are not ready either; nothing taken.
	 */
	kipc_wmt_snap_all(objs, 6, snaps);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 6, true), -EDEADLK);
	KUNIT_EXPECT_EQ(test, r->index, 2U);
	kipc_wmt_expect_none(test, r, 6);
	kipc_wmt_expect_same(test, objs, 6, snaps);

	kipc_wmt_unlock_all(test, m, me, 1);
	kipc_wmt_unlock_all(test, rm, me, 2);
}

/*
 * One object not ready: 1 and nothing changed in any object, whichever
 * object that is; a mutex held by a live thread is only armed.  Once it
 * is ready, the same set is taken whole, the dead owner's mutex with
 * EOWNERDEAD.
 */
static void kipc_wm_all_none(struct kunit *test)
{
	struct kipc_wmt_thr *owner = kipc_wmt_live(test);
	struct kipc_object *ea = kipc_wmt_event(test, KIPC_EVENT_SET, 3);
	struct kipc_object *s = kipc_wmt_sem(test, 2);
	struct kipc_object *m = kipc_wmt_mutex(test, 0);
	struct kipc_object *md = kipc_wmt_mutex(test, 0);
	struct kipc_object *rm = kipc_wmt_mutex(test, KIPC_MUTEX_RECURSIVE);
	struct kipc_object *blocker[3] = {
		kipc_wmt_sem(test, 0),
		kipc_wmt_event(test, 0, 0),
		kipc_wmt_mutex(test, 0),
	};
	struct kipc_object *objs[] = { ea, s, m, md, rm, NULL };
	struct kipc_wmt_snap *snaps = kipc_wmt_snaps(test, 6);
	struct kipc_mutex_info mi;
	struct kipc_wmt_try *r = kipc_wmt_r(test);
	u32 me = kipc_test_self();
	unsigned int i;

	KUNIT_ASSERT_EQ(test, kipc_wmt_lock(md, KIPC_WMT_DEAD_TID), 0);
	KUNIT_ASSERT_EQ(test, kipc_wmt_lock(rm, me), 0);
	KUNIT_ASSERT_EQ(test, kipc_wmt_lock(blocker[2], owner->tid), 0);

	for (i = 0; i < ARRAY_SIZE(blocker); i++) {
		objs[5] = blocker[i];
		kipc_wmt_snap_all(objs, 6, snaps);
		KUNIT_EXPECT_EQ_MSG(test, kipc_wmt_try(r, objs, 6, true),
				    KIPC_WMT_NONE, "blocker %u", i);
		KUNIT_EXPECT_EQ(test, r->index, 0U);
		kipc_wmt_expect_none(test, r, 6);
		kipc_wmt_expect_same(test, objs, 5, snaps);
		if (i < 2)
			kipc_wmt_expect_same(test, objs + 5, 1, snaps + 5);
	}
	/* The exact words: every fast path open again. */
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), 2ULL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(blocker[0]),
			KIPC_WMT_SEM_ARMED);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), 0U);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(md), KIPC_WMT_DEAD_TID);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(md).state,
			KIPC_MUTEX_STATE_OK);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(rm), me | KIPC_MUTEX_KSTATE);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(rm).depth, 1U);
	/* Armed, on purpose: its owner's unlock must come to the kernel. */
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(blocker[2]),
			owner->tid | KIPC_MUTEX_WAITERS);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(blocker[2], owner->tid),
			0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(blocker[2]), 0U);

	/* Ready now: all of it, EOWNERDEAD at the dead owner's mutex. */
	KUNIT_EXPECT_EQ(test, kipc_wmt_post(blocker[0], 1), 0);
	objs[5] = blocker[0];
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 6, true), -EOWNERDEAD);
	KUNIT_EXPECT_EQ(test, r->index, 3U);
	kipc_wmt_expect_results(test, r, (const struct kipc_wmt_res[]) {
		{ 1, 0, 3 }, { 1, 0, 1 }, { 1, 0, 0 }, { 1, -EOWNERDEAD, 0 },
		{ 1, 0, 0 }, { 1, 0, 0 },
	}, 6);
	KUNIT_EXPECT_EQ(test, kipc_test_event_info(ea).state, 0U);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(blocker[0]), 0ULL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), me);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(md), me | KIPC_MUTEX_KSTATE);
	mi = kipc_test_mutex_info(md);
	KUNIT_EXPECT_EQ(test, mi.owner_tid, me);
	KUNIT_EXPECT_EQ(test, mi.state, KIPC_MUTEX_STATE_OWNERDEAD);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(rm).depth, 2U);

	kipc_wmt_unlock_all(test, m, me, 1);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_consistent(md, me), 0);
	kipc_wmt_unlock_all(test, md, me, 1);
	kipc_wmt_unlock_all(test, rm, me, 2);
}

/*
 * Two dead owners: both taken, each result says EOWNERDEAD, and the index
 * is the first in array order (not in lock order: the later one in the
 * array was created first).
 */
static void kipc_wm_all_ownerdead(struct kunit *test)
{
	struct kipc_object *d_old = kipc_wmt_mutex(test, 0);
	struct kipc_object *s = kipc_wmt_sem(test, 1);
	struct kipc_object *m = kipc_wmt_mutex(test, 0);
	struct kipc_object *d_new = kipc_wmt_mutex(test, 0);
	struct kipc_object *objs[] = { s, m, d_new, d_old };
	struct kipc_wmt_try *r = kipc_wmt_r(test);
	u32 me = kipc_test_self();

	KUNIT_ASSERT_EQ(test, kipc_wmt_lock(d_old, KIPC_WMT_DEAD_TID), 0);
	/* Locked in user space by a thread that died. */
	WRITE_ONCE(*kipc_mutex_test_word(d_new), KIPC_WMT_DEAD_TID);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 4, true), -EOWNERDEAD);
	KUNIT_EXPECT_EQ(test, r->index, 2U);
	kipc_wmt_expect_results(test, r, (const struct kipc_wmt_res[]) {
		{ 1, 0, 0 }, { 1, 0, 0 }, { 1, -EOWNERDEAD, 0 },
		{ 1, -EOWNERDEAD, 0 },
	}, 4);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), 0ULL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), me);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(d_new), me | KIPC_MUTEX_KSTATE);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(d_old), me | KIPC_MUTEX_KSTATE);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(d_new).state,
			KIPC_MUTEX_STATE_OWNERDEAD);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(d_old).state,
			KIPC_MUTEX_STATE_OWNERDEAD);

	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_consistent(d_new, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(d_new, me), 0);
	/* Unlocked without consistent: not recoverable. */
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(d_old, me), 0);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(d_old).state,
			KIPC_MUTEX_STATE_NOTRECOVERABLE);
}

/* EDEADLK and ENOTRECOVERABLE: nothing taken, the index names the mutex. */
static void kipc_wm_all_errors(struct kunit *test)
{
	struct kipc_object *s = kipc_wmt_sem(test, 1);
	struct kipc_object *e = kipc_wmt_event(test, KIPC_EVENT_SET, 1);
	struct kipc_object *m = kipc_wmt_mutex(test, 0);
	struct kipc_object *nr = kipc_wmt_mutex(test, 0);
	struct kipc_object *held[] = { s, e, m };
	struct kipc_object *lost[] = { s, nr, e };
	struct kipc_object *both[] = { s, nr, m, e };
	struct kipc_wmt_snap *snaps = kipc_wmt_snaps(test, 4);
	struct kipc_wmt_try *r = kipc_wmt_r(test);
	u32 me = kipc_test_self();

	KUNIT_ASSERT_EQ(test, kipc_wmt_lock(m, me), 0);
	kipc_wmt_snap_all(held, 3, snaps);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, held, 3, true), -EDEADLK);
	KUNIT_EXPECT_EQ(test, r->index, 2U);
	kipc_wmt_expect_none(test, r, 3);
	kipc_wmt_expect_same(test, held, 3, snaps);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), me);

	WRITE_ONCE(*kipc_mutex_test_word(nr), KIPC_WMT_DEAD_TID);
	KUNIT_ASSERT_EQ(test, kipc_wmt_lock(nr, me), -EOWNERDEAD);
	KUNIT_ASSERT_EQ(test, kipc_mutex_test_unlock(nr, me), 0);
	kipc_wmt_snap_all(lost, 3, snaps);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, lost, 3, true),
			-ENOTRECOVERABLE);
	KUNIT_EXPECT_EQ(test, r->index, 1U);
	kipc_wmt_expect_none(test, r, 3);
	kipc_wmt_expect_same(test, lost, 3, snaps);

	/* Two errors: the first in array order is reported. */
	kipc_wmt_snap_all(both, 4, snaps);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, both, 4, true),
			-ENOTRECOVERABLE);
	KUNIT_EXPECT_EQ(test, r->index, 1U);
	kipc_wmt_expect_same(test, both, 4, snaps);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
}

/* A recursive mutex the caller holds: one level deeper per take. */
static void kipc_wm_recursive(struct kunit *test)
{
	struct kipc_object *rm = kipc_wmt_mutex(test, KIPC_MUTEX_RECURSIVE);
	struct kipc_object *ru = kipc_wmt_mutex(test, KIPC_MUTEX_RECURSIVE);
	struct kipc_object *s = kipc_wmt_sem(test, 1);
	struct kipc_object *s0 = kipc_wmt_sem(test, 0);
	struct kipc_object *one[] = { rm };
	struct kipc_object *with_sem[] = { rm, s };
	struct kipc_object *with_empty[] = { s0, rm };
	struct kipc_object *user[] = { ru };
	struct kipc_wmt_try *r = kipc_wmt_r(test);
	u32 me = kipc_test_self();
	u32 i;

	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, one, 1, false), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(rm), me | KIPC_MUTEX_KSTATE);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(rm).depth, 1U);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, one, 1, false), 0);
	kipc_wmt_expect_res(test, r, 0, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(rm).depth, 2U);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, with_sem, 2, true), 0);
	kipc_wmt_expect_res(test, r, 0, 1, 0, 0);
	kipc_wmt_expect_res(test, r, 1, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(rm).depth, 3U);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), 0ULL);
	/* Not all ready: not one level more. */
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, with_empty, 2, true),
			KIPC_WMT_NONE);
	kipc_wmt_expect_none(test, r, 2);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(rm).depth, 3U);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(rm), me | KIPC_MUTEX_KSTATE);
	for (i = 3; i >= 1; i--) {
		KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(rm).depth, i);
		KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(rm, me), 0);
	}
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(rm), 0U);

	/* Locked once in user space: the wait makes it two. */
	WRITE_ONCE(*kipc_mutex_test_word(ru), me);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, user, 1, true), 0);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(ru).depth, 2U);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(ru), me | KIPC_MUTEX_KSTATE);
	kipc_wmt_unlock_all(test, ru, me, 2);
}

/* ---- the words user space maps -------------------------------------------- */

/*
 * A semaphore's word after a try, taken or not: the kernel's own count
 * in the high half, so the fast path is open again; a poll's arming is
 * kept until a post disarms it.
 */
static void kipc_wm_sem_word(struct kunit *test)
{
	struct kipc_object *s = kipc_wmt_sem(test, 3);
	struct kipc_object *objs[] = { s };
	struct kipc_wmt_try *r = kipc_wmt_r(test);
	bool all;

	for (all = false; ; all = true) {
		KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, all), 0);
		KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s),
				KIPC_WMT_SEM_WORD(0, r->res[0].value));
		if (all)
			break;
	}
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, true), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), 0ULL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, false), KIPC_WMT_NONE);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), KIPC_WMT_SEM_ARMED);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, true), KIPC_WMT_NONE);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), KIPC_WMT_SEM_ARMED);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).waits, 3ULL);

	/* Armed by a poll: the try leaves it so. */
	KUNIT_EXPECT_EQ(test, kipc_sem_type.poll(NULL, s, NULL), 0U);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), KIPC_WMT_SEM_WORD(1, 0));
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, false), KIPC_WMT_NONE);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), KIPC_WMT_SEM_WORD(1, 0));
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, true), KIPC_WMT_NONE);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), KIPC_WMT_SEM_WORD(1, 0));
	KUNIT_EXPECT_EQ(test, kipc_wmt_post(s, 2), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), 2ULL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, false), 0);
	kipc_wmt_expect_res(test, r, 0, 1, 0, 1);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), 1ULL);
}

/*
 * A mutex's word after a try: KIPC_MUTEX_WAITERS clear when the try found
 * it free (taken or not), set when it found it held by a live thread; a
 * kernel unlock by that thread clears it, and a later try finds it free.
 */
static void kipc_wm_mutex_word(struct kunit *test)
{
	struct kipc_wmt_thr *owner = kipc_wmt_live(test);
	struct kipc_object *m = kipc_wmt_mutex(test, 0);
	struct kipc_object *s0 = kipc_wmt_sem(test, 0);
	struct kipc_object *both[] = { m, s0 };
	struct kipc_object *one[] = { m };
	struct kipc_wmt_try *r = kipc_wmt_r(test);
	u32 me = kipc_test_self();

	/* Free, not taken (the semaphore is empty). */
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, both, 2, true), KIPC_WMT_NONE);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), 0U);
	/* Free, taken: only the owner in the word. */
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, one, 1, true), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), me);
	kipc_wmt_unlock_all(test, m, me, 1);

	/* Held by a live thread: armed, by either kind of try. */
	KUNIT_ASSERT_EQ(test, kipc_wmt_lock(m, owner->tid), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), owner->tid);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, one, 1, false), KIPC_WMT_NONE);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m),
			owner->tid | KIPC_MUTEX_WAITERS);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, both, 2, true), KIPC_WMT_NONE);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m),
			owner->tid | KIPC_MUTEX_WAITERS);
	/* A user-space unlock (tid -> 0) cannot succeed: the word differs. */
	KUNIT_EXPECT_EQ(test, cmpxchg(kipc_mutex_test_word(m), owner->tid, 0U),
			owner->tid | KIPC_MUTEX_WAITERS);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, owner->tid), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), 0U);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, one, 1, false), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), me);
	kipc_wmt_unlock_all(test, m, me, 1);
}

/* ---- the objects' own FIFO waiters come first ------------------------------ */

/*
 * Semaphore: with waiters queued, a unit goes to the oldest of them and a
 * try finds nothing; even a value found in the word (garbage: no fast
 * path is open while they wait) goes to them, not to the try.
 */
static void kipc_wm_sem_fifo(struct kunit *test)
{
	struct kipc_object *s = kipc_wmt_sem(test, 0);
	struct kipc_object *objs[] = { s };
	struct kipc_wmt_thr *w0, *w1;
	struct kipc_wmt_try *r = kipc_wmt_r(test);
	bool all;

	w0 = kipc_wmt_queue(test, kipc_wmt_sem_waiter, kipc_wmt_sem_waiters,
			    s);
	w1 = kipc_wmt_queue(test, kipc_wmt_sem_waiter, kipc_wmt_sem_waiters,
			    s);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), KIPC_WMT_SEM_WORD(2, 0));
	for (all = false; ; all = true) {
		KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, all),
				KIPC_WMT_NONE);
		kipc_wmt_expect_none(test, r, 1);
		KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s),
				KIPC_WMT_SEM_WORD(3, 0));
		if (all)
			break;
	}

	KUNIT_EXPECT_EQ(test, kipc_wmt_post(s, 1), 0);
	KUNIT_ASSERT_TRUE(test, kipc_wmt_finished(w0, KIPC_TEST_WAIT_MS));
	KUNIT_EXPECT_EQ(test, w0->ret, 0);
	KUNIT_EXPECT_FALSE(test, kipc_wmt_finished(w1, KIPC_WMT_SETTLE_MS));
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), KIPC_WMT_SEM_WORD(2, 0));
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, false), KIPC_WMT_NONE);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), KIPC_WMT_SEM_WORD(2, 0));

	/* A unit in the word while w1 waits: w1's, handed over by the try. */
	atomic64_set(kipc_sem_test_state(s), KIPC_WMT_SEM_WORD(1, 1));
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, true), KIPC_WMT_NONE);
	kipc_wmt_expect_none(test, r, 1);
	KUNIT_ASSERT_TRUE(test, kipc_wmt_finished(w1, KIPC_TEST_WAIT_MS));
	KUNIT_EXPECT_EQ(test, w1->ret, 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), KIPC_WMT_SEM_ARMED);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).waiters, 0U);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).waits, 2ULL);

	/* Nobody queued any more: the try's turn. */
	KUNIT_EXPECT_EQ(test, kipc_wmt_post(s, 1), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, false), 0);
	kipc_wmt_expect_res(test, r, 0, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), 0ULL);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(s).waits, 3ULL);
}

/* Auto-reset event: a signal goes to the thread waiting on it alone. */
static void kipc_wm_event_fifo(struct kunit *test)
{
	struct kipc_object *e = kipc_wmt_event(test, 0, 0);
	struct kipc_object *objs[] = { e };
	struct kipc_wmt_try *r = kipc_wmt_r(test);
	struct kipc_event_info ei;
	struct kipc_wmt_thr *w;

	w = kipc_wmt_queue(test, kipc_wmt_event_waiter,
			   kipc_wmt_event_waiters, e);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, false), KIPC_WMT_NONE);
	kipc_event_do_signal(e, 42);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, false), KIPC_WMT_NONE);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, true), KIPC_WMT_NONE);
	kipc_wmt_expect_none(test, r, 1);
	KUNIT_ASSERT_TRUE(test, kipc_wmt_finished(w, KIPC_TEST_WAIT_MS));
	KUNIT_EXPECT_EQ(test, w->ret, 0);
	KUNIT_EXPECT_EQ(test, w->value, 42ULL);
	ei = kipc_test_event_info(e);
	KUNIT_EXPECT_EQ(test, ei.state, 0U);
	KUNIT_EXPECT_EQ(test, ei.wakeups, 1ULL);
	KUNIT_EXPECT_EQ(test, ei.waiters, 0U);
}

/*
 * Mutex: a thread queued behind an owner that dies, or whose lock was
 * dropped behind the kernel's back, gets the mutex; a try finds nothing.
 */
static void kipc_wm_mutex_fifo(struct kunit *test)
{
	struct kipc_object *m = kipc_wmt_mutex(test, 0);
	struct kipc_object *objs[] = { m };
	struct kipc_wmt_thr *owner = kipc_wmt_live(test);
	struct kipc_wmt_thr *w;
	struct kipc_mutex_info mi;
	struct kipc_wmt_try *r = kipc_wmt_r(test);
	u32 me = kipc_test_self();

	KUNIT_ASSERT_EQ(test, kipc_wmt_lock(m, owner->tid), 0);
	w = kipc_wmt_start(test, kipc_wmt_locker, m);
	w->consistent = true;
	kipc_wmt_run(w);
	KUNIT_ASSERT_TRUE(test, kipc_test_until(kipc_wmt_mutex_waiters, m, 1));
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, false), KIPC_WMT_NONE);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m),
			owner->tid | KIPC_MUTEX_WAITERS);

	/* The owner dies: the waiter's, not the try's. */
	kipc_wmt_join(owner);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, false), KIPC_WMT_NONE);
	kipc_wmt_expect_none(test, r, 1);
	KUNIT_ASSERT_TRUE(test, kipc_wmt_finished(w, KIPC_TEST_WAIT_MS));
	KUNIT_EXPECT_EQ(test, w->ret, -EOWNERDEAD);
	mi = kipc_test_mutex_info(m);
	KUNIT_EXPECT_EQ(test, mi.owner_tid, w->tid);
	KUNIT_EXPECT_EQ(test, mi.state, KIPC_MUTEX_STATE_OWNERDEAD);
	KUNIT_EXPECT_EQ(test, mi.waiters, 0U);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, true), KIPC_WMT_NONE);
	/* Still armed: the new owner's unlock comes to the kernel. */
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), w->tid | KIPC_MUTEX_KSTATE |
			KIPC_MUTEX_WAITERS);
	kipc_wmt_join(w);	/* consistent, then unlocked */
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), 0U);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).state,
			KIPC_MUTEX_STATE_OK);

	/* The word cleared by a write that bypassed the kernel. */
	owner = kipc_wmt_live(test);
	KUNIT_ASSERT_EQ(test, kipc_wmt_lock(m, owner->tid), 0);
	w = kipc_wmt_queue(test, kipc_wmt_locker, kipc_wmt_mutex_waiters, m);
	WRITE_ONCE(*kipc_mutex_test_word(m), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, true), KIPC_WMT_NONE);
	KUNIT_ASSERT_TRUE(test, kipc_wmt_finished(w, KIPC_TEST_WAIT_MS));
	KUNIT_EXPECT_EQ(test, w->ret, 0);
	KUNIT_EXPECT_EQ(test, kipc_test_mutex_info(m).owner_tid, w->tid);
	kipc_wmt_join(w);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), 0U);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, 1, false), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(m), me);
	KUNIT_EXPECT_EQ(test, kipc_mutex_test_unlock(m, me), 0);
}

/* ---- arguments ------------------------------------------------------------- */

/* 1 to 16 objects, each of a type a wait takes something from. */
static void kipc_wm_args(struct kunit *test)
{
	struct kipc_channel_attr ca = {};
	struct kipc_object *objs[KIPC_WMT_MAX + 1];
	struct kipc_object *s = kipc_wmt_sem(test, 1);
	struct kipc_object *ch = kipc_test_new(test, &kipc_channel_type, &ca);
	struct kipc_object *cv = kipc_test_new(test, &kipc_cond_type, NULL);
	struct kipc_object *with_chan[] = { s, ch };
	struct kipc_object *with_cond[] = { cv, s };
	struct kipc_wmt_try *r = kipc_wmt_r(test);
	struct kipc_wait_obj *res = r->res;	/* never written: EINVAL */
	u32 index, i;

	for (i = 0; i < ARRAY_SIZE(objs); i++)
		objs[i] = kipc_wmt_sem(test, 1);
	KUNIT_EXPECT_EQ(test, kipc_wm_test_try(objs, 0, false, res, &index),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_wm_test_try(objs, 0, true, res, &index),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_wm_test_try(objs, KIPC_WMT_MAX + 1, false,
					       res, &index), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_wm_test_try(objs, KIPC_WMT_MAX + 1, true,
					       res, &index), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(objs[i]), 1ULL);

	/* No wm ops (a channel, a cond): EINVAL, nothing taken. */
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, with_chan, 2, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, with_chan, 2, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, with_cond, 2, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, with_cond, 2, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(s), 1ULL);

	/* Sixteen: the most, all taken at once. */
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, KIPC_WMT_MAX, true), 0);
	for (i = 0; i < KIPC_WMT_MAX; i++) {
		kipc_wmt_expect_res(test, r, i, 1, 0, 0);
		KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(objs[i]), 0ULL);
	}
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_state(objs[KIPC_WMT_MAX]), 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, KIPC_WMT_MAX, false),
			KIPC_WMT_NONE);
	KUNIT_EXPECT_EQ(test, kipc_wmt_post(objs[KIPC_WMT_MAX - 1], 1), 0);
	KUNIT_EXPECT_EQ(test, kipc_wmt_try(r, objs, KIPC_WMT_MAX, false), 0);
	KUNIT_EXPECT_EQ(test, r->index, KIPC_WMT_MAX - 1U);
}

/* ---- concurrency ------------------------------------------------------------ */

/* Note a broken invariant, and the value that showed it. */
static int kipc_wmt_bad(struct kipc_wmt_stress *st, int ret)
{
	atomic_inc(&st->bad);
	atomic_set(&st->bad_ret, ret);
	return ret;
}

/* Hold the stress test's mutex, taken by @tid, alone; then unlock it. */
static void kipc_wmt_hold(struct kipc_wmt_stress *st, u32 tid)
{
	int err;

	if (atomic_inc_return(&st->inside) != 1)
		kipc_wmt_bad(st, -EBUSY);
	if ((kipc_wmt_word(st->m) & KIPC_MUTEX_TID_MASK) != tid)
		kipc_wmt_bad(st, -EPERM);
	cond_resched();
	atomic_dec(&st->inside);
	err = kipc_mutex_test_unlock(st->m, tid);
	if (err)
		kipc_wmt_bad(st, err);
}

/*
 * One try of @t over its objects into @t->r; how many results say ready
 * (for @all: ready, and without an error).
 */
static u32 kipc_wmt_stress_try(struct kipc_wmt_thr *t, bool all)
{
	const struct kipc_wait_obj *res = t->r.res;
	u32 i, ready = 0;

	kipc_wmt_try(&t->r, t->objs, t->n, all);
	for (i = 0; i < t->n; i++)
		ready += all ? res[i].ready == 1 && !res[i].error :
			       res[i].ready;
	return ready;
}

/* Take everything, or nothing, from @t->objs until told to stop. */
static int kipc_wmt_all_taker(struct kipc_wmt_thr *t)
{
	struct kipc_wmt_stress *st = t->st;
	struct kipc_wmt_try *r = &t->r;
	u32 ready;

	while (!READ_ONCE(st->stop)) {
		ready = kipc_wmt_stress_try(t, true);
		if (!r->ret && ready == t->n) {
			atomic_inc(&st->all_taken);
			kipc_wmt_hold(st, t->tid);
			cond_resched();
		} else if (r->ret == KIPC_WMT_NONE && !ready) {
			usleep_range(20, 60);
		} else {
			/* Partial, or an error. */
			return kipc_wmt_bad(st, r->ret);
		}
	}
	return 0;
}

/* Take any one of @t->objs now and then until told to stop. */
static int kipc_wmt_any_taker(struct kipc_wmt_thr *t)
{
	struct kipc_wmt_stress *st = t->st;
	struct kipc_wmt_try *r = &t->r;
	u32 ready;

	while (!READ_ONCE(st->stop)) {
		ready = kipc_wmt_stress_try(t, false);
		if (!r->ret && ready == 1 && r->index < t->n &&
		    r->res[r->index].ready == 1) {
			atomic_inc(&st->any_taken[r->index]);
			if (t->objs[r->index] == st->m)
				kipc_wmt_hold(st, t->tid);
		} else if (r->ret != KIPC_WMT_NONE || ready) {
			return kipc_wmt_bad(st, r->ret);
		}
		usleep_range(100, 300);
	}
	return 0;
}

/* Plain waits: a unit of A without queueing, the mutex with queueing. */
static int kipc_wmt_plain(struct kipc_wmt_thr *t)
{
	struct kipc_wmt_stress *st = t->st;
	u32 value;
	int err;

	while (!READ_ONCE(st->stop)) {
		err = kipc_sem_test_wait(st->a, true, KTIME_MAX, false, &value);
		if (!err)
			atomic_inc(&st->plain_sem);
		else if (err != -EAGAIN)
			kipc_wmt_bad(st, err);
		err = kipc_wmt_lock(st->m, t->tid);
		if (err)
			return kipc_wmt_bad(st, err);
		atomic_inc(&st->plain_lock);
		kipc_wmt_hold(st, t->tid);
		usleep_range(100, 300);
	}
	return 0;
}

/* Post KIPC_WMT_POSTS units to A and as many to B, one at a time. */
static int kipc_wmt_poster(struct kipc_wmt_thr *t)
{
	struct kipc_wmt_stress *st = t->st;
	int err;
	u32 i;

	for (i = 0; i < KIPC_WMT_POSTS; i++) {
		err = kipc_wmt_post(st->a, 1);
		if (!err)
			err = kipc_wmt_post(st->b, 1);
		if (err)
			return kipc_wmt_bad(st, err);
		if (i % 16 == 15)
			usleep_range(50, 150);
		else
			cond_resched();
	}
	return 0;
}

static struct kipc_wmt_stress *kipc_wmt_stress(struct kunit *test)
{
	struct kipc_wmt_stress *st = kunit_kzalloc(test, sizeof(*st),
						   GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, st);
	st->a = kipc_wmt_sem(test, 0);
	st->b = kipc_wmt_sem(test, 0);
	st->m = kipc_wmt_mutex(test, 0);
	return st;
}

/* A thread of @st doing @fn over @n objects in the order given. */
static struct kipc_wmt_thr *
kipc_wmt_stress_thr(struct kunit *test, struct kipc_wmt_stress *st,
		    int (*fn)(struct kipc_wmt_thr *t), u32 n,
		    struct kipc_object *o0, struct kipc_object *o1,
		    struct kipc_object *o2)
{
	struct kipc_wmt_thr *t = kipc_wmt_start(test, fn, NULL);

	t->st = st;
	t->n = n;
	t->objs[0] = o0;
	t->objs[1] = o1;
	t->objs[2] = o2;
	return t;
}

static u32 kipc_wmt_sem_values(struct kipc_wmt_stress *st)
{
	return kipc_wmt_sem_value(st->a) + kipc_wmt_sem_value(st->b);
}

/* Stop the takers of @st, and check what they saw and left behind. */
static void kipc_wmt_stress_end(struct kunit *test, struct kipc_wmt_stress *st,
				struct kipc_wmt_thr **thr, unsigned int nthr)
{
	struct kipc_mutex_info mi;
	unsigned int i;

	WRITE_ONCE(st->stop, true);
	for (i = 0; i < nthr; i++) {
		KUNIT_EXPECT_TRUE(test, kipc_wmt_finished(thr[i],
							  KIPC_TEST_WAIT_MS));
		kipc_wmt_join(thr[i]);
		KUNIT_EXPECT_EQ_MSG(test, thr[i]->ret, 0, "thread %u", i);
	}
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&st->bad), 0,
			    "last unexpected result %d",
			    atomic_read(&st->bad_ret));
	KUNIT_EXPECT_EQ(test, atomic_read(&st->inside), 0);
	/*
	 * Every fast path open (a semaphore a try left at 0 may stay armed,
	 * which only sends the next post to the kernel), the mutex free and
	 * in a sane state.
	 */
	kipc_wmt_expect_open(test, st->a);
	kipc_wmt_expect_open(test, st->b);
	KUNIT_EXPECT_EQ(test, kipc_wmt_word(st->m), 0U);
	mi = kipc_test_mutex_info(st->m);
	KUNIT_EXPECT_EQ(test, mi.waiters, 0U);
	KUNIT_EXPECT_EQ(test, mi.state, KIPC_MUTEX_STATE_OK);
}

/*
 * Two threads take {A, M, B} whole, in opposite array orders, while a
 * third posts to A and B: never a partial take, never the mutex twice,
 * no deadlock, and every unit posted taken exactly once.
 */
static void kipc_wm_stress_all(struct kunit *test)
{
	struct kipc_wmt_stress *st = kipc_wmt_stress(test);
	unsigned long end;
	struct kipc_wmt_thr *thr[2], *poster;
	unsigned int i;

	thr[0] = kipc_wmt_stress_thr(test, st, kipc_wmt_all_taker, 3,
				     st->a, st->m, st->b);
	thr[1] = kipc_wmt_stress_thr(test, st, kipc_wmt_all_taker, 3,
				     st->b, st->m, st->a);
	poster = kipc_wmt_stress_thr(test, st, kipc_wmt_poster, 0,
				     NULL, NULL, NULL);
	for (i = 0; i < ARRAY_SIZE(thr); i++)
		kipc_wmt_run(thr[i]);
	kipc_wmt_run(poster);

	KUNIT_EXPECT_TRUE(test, kipc_wmt_finished(poster,
						  KIPC_WMT_STRESS_MS));
	KUNIT_EXPECT_EQ(test, poster->ret, 0);
	/* The takers drain what is left, pair by pair. */
	end = jiffies + msecs_to_jiffies(KIPC_WMT_STRESS_MS);
	while (kipc_wmt_sem_values(st) && !atomic_read(&st->bad) &&
	       time_before(jiffies, end))
		msleep(20);
	kipc_wmt_stress_end(test, st, thr, ARRAY_SIZE(thr));

	KUNIT_EXPECT_EQ(test, atomic_read(&st->all_taken), KIPC_WMT_POSTS);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_value(st->a), 0U);
	KUNIT_EXPECT_EQ(test, kipc_wmt_sem_value(st->b), 0U);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(st->a).waits,
			(u64)KIPC_WMT_POSTS);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(st->b).waits,
			(u64)KIPC_WMT_POSTS);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(st->a).posts,
			(u64)KIPC_WMT_POSTS);
}

/*
 * The same with any-tries over {A, B, M} and plain waits (A without
 * queueing, M queueing) in the mix: what was posted is what was taken
 * plus what remains, for A and for B.
 */
static void kipc_wm_stress_mixed(struct kunit *test)
{
	struct kipc_wmt_stress *st = kipc_wmt_stress(test);
	struct kipc_wmt_thr *thr[4], *poster;
	u32 all, any_a, any_b, plain;
	unsigned int i;

	thr[0] = kipc_wmt_stress_thr(test, st, kipc_wmt_all_taker, 3,
				     st->a, st->m, st->b);
	thr[1] = kipc_wmt_stress_thr(test, st, kipc_wmt_all_taker, 3,
				     st->b, st->m, st->a);
	thr[2] = kipc_wmt_stress_thr(test, st, kipc_wmt_any_taker, 3,
				     st->a, st->b, st->m);
	thr[3] = kipc_wmt_stress_thr(test, st, kipc_wmt_plain, 0,
				     NULL, NULL, NULL);
	poster = kipc_wmt_stress_thr(test, st, kipc_wmt_poster, 0,
				     NULL, NULL, NULL);
	for (i = 0; i < ARRAY_SIZE(thr); i++)
		kipc_wmt_run(thr[i]);
	kipc_wmt_run(poster);

	KUNIT_EXPECT_TRUE(test, kipc_wmt_finished(poster,
						  KIPC_WMT_STRESS_MS));
	KUNIT_EXPECT_EQ(test, poster->ret, 0);
	msleep(100);
	kipc_wmt_stress_end(test, st, thr, ARRAY_SIZE(thr));

	all = atomic_read(&st->all_taken);
	any_a = atomic_read(&st->any_taken[0]);
	any_b = atomic_read(&st->any_taken[1]);
	plain = atomic_read(&st->plain_sem);
	kunit_info(test, "all %u, any A %u B %u M %u, plain A %u M %u\n",
		   all, any_a, any_b, atomic_read(&st->any_taken[2]), plain,
		   atomic_read(&st->plain_lock));
	KUNIT_EXPECT_EQ(test, all + any_a + plain + kipc_wmt_sem_value(st->a),
			KIPC_WMT_POSTS);
	KUNIT_EXPECT_EQ(test, all + any_b + kipc_wmt_sem_value(st->b),
			KIPC_WMT_POSTS);
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(st->a).waits,
			(u64)(all + any_a + plain));
	KUNIT_EXPECT_EQ(test, kipc_test_sem_info(st->b).waits,
			(u64)(all + any_b));
}

static struct kunit_case kipc_wm_cases[] = {
	KUNIT_CASE(kipc_wm_any_first_ready),
	KUNIT_CASE(kipc_wm_any_events),
	KUNIT_CASE(kipc_wm_any_none),
	KUNIT_CASE(kipc_wm_any_errors),
	KUNIT_CASE(kipc_wm_any_ownerdead),
	KUNIT_CASE(kipc_wm_all_take),
	KUNIT_CASE(kipc_wm_all_none),
	KUNIT_CASE(kipc_wm_all_ownerdead),
	KUNIT_CASE(kipc_wm_all_errors),
	KUNIT_CASE(kipc_wm_recursive),
	KUNIT_CASE(kipc_wm_sem_word),
	KUNIT_CASE(kipc_wm_mutex_word),
	KUNIT_CASE(kipc_wm_sem_fifo),
	KUNIT_CASE(kipc_wm_event_fifo),
	KUNIT_CASE(kipc_wm_mutex_fifo),
	KUNIT_CASE(kipc_wm_args),
	KUNIT_CASE_SLOW(kipc_wm_stress_all),
	KUNIT_CASE_SLOW(kipc_wm_stress_mixed),
	{}
};

static struct kunit_suite kipc_wm_suite = {
	.name = "kipc_waitmany",
	.test_cases = kipc_wm_cases,
};

kunit_test_suites(&kipc_wm_suite);
