// SPDX-License-Identifier: GPL-2.0
/*
 * kipc wait-for-many selftests (KIPC_IOC_WAIT_MANY, kipc_wait_many()):
 * what a wait takes from each kind of object in any-mode and all-mode,
 * array order, all-or-nothing, and poll/epoll on mutex fds.  Wake-ups,
 * FIFO order, dead owners and signals are in kipc_waitmany_wake_test.c,
 * the errors in kipc_waitmany_err_test.c, multi-process stress in
 * kipc_waitmany_stress_test.c.
 *
 * Every blocking call has a deadline, and the teardown kills the children,
 * so a broken module fails a test instead of hanging the suite.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_waitmany_util.h"

KT_FIXTURE()

/* ---- helpers ---------------------------------------------------------------- */

static int64_t cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * SEC + ts.tv_nsec;
}

/* ---- any: what is taken from each kind ------------------------------------- */

TEST_F(kipc, any_event_auto_reset_consumed)
{
	struct kipc_event_info in;
	struct kipc_wait_obj o[1];
	unsigned int idx;
	int fd = ev_new_val(KIPC_EVENT_SET, 0x1234);

	ASSERT_LE(0, fd);
	wo_set(&o[0], fd);
	ASSERT_EQ(0, wm(o, 1, 0, 0, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(1U, o[0].ready);
	EXPECT_EQ(0, o[0].error);
	EXPECT_EQ(0x1234ULL, o[0].value);
	EXPECT_EQ(0, ev_is_set(fd));
	/* Consumed: nothing more to take. */
	EXPECT_EQ(-EAGAIN, wm(o, 1, 0, 0, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(-ETIMEDOUT, wm(o, 1, 0, 20 * MS, &idx));
	/* A new signal, taken by a wait with a timeout (and by no other). */
	ASSERT_EQ(0, kipc_event_signal(fd, 99));
	ASSERT_EQ(0, wm(o, 1, 0, LONG_WAIT, &idx));
	EXPECT_EQ(99ULL, o[0].value);
	EXPECT_EQ(0, ev_is_set(fd));
	EXPECT_EQ(-EAGAIN, wm(o, 1, 0, 0, &idx));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(2ULL, in.wakeups);
	EXPECT_EQ(0U, in.waiters);
}

TEST_F(kipc, any_event_manual_reset_stays_set)
{
	struct kipc_wait_obj o[1];
	unsigned int idx;
	int fd = ev_new(KIPC_EVENT_MANUAL_RESET), i;

	ASSERT_LE(0, fd);
	wo_set(&o[0], fd);
	EXPECT_EQ(-EAGAIN, wm(o, 1, 0, 0, &idx));
	ASSERT_EQ(0, kipc_event_signal(fd, 42));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, wm(o, 1, 0, LONG_WAIT, &idx));
		EXPECT_EQ(0U, idx);
		EXPECT_EQ(1U, o[0].ready);
		EXPECT_EQ(42ULL, o[0].value);
		EXPECT_EQ(1, ev_is_set(fd));
	}
	ASSERT_EQ(0, kipc_event_reset(fd));
	EXPECT_EQ(-EAGAIN, wm(o, 1, 0, 0, &idx));
}

TEST_F(kipc, any_sem_takes_one_unit)
{
	struct kipc_sem_info in;
	struct kipc_wait_obj o[1];
	unsigned int idx;
	int fd = sem_new(3);
	uint32_t want;

	ASSERT_LE(0, fd);
	wo_set(&o[0], fd);
	for (want = 2; want != UINT32_MAX; want--) {
		ASSERT_EQ(0, wm(o, 1, 0, 0, &idx));
		EXPECT_EQ(0U, idx);
		EXPECT_EQ(1U, o[0].ready);
		EXPECT_EQ(0, o[0].error);
		EXPECT_EQ((uint64_t)want, o[0].value);
		EXPECT_EQ((long)want, sem_val(fd));
	}
	EXPECT_EQ(-EAGAIN, wm(o, 1, 0, 0, &idx));
	EXPECT_EQ(0, sem_val(fd));
	ASSERT_EQ(0, kipc_sem_info(fd, &in));
	EXPECT_EQ(3ULL, in.waits);
	EXPECT_EQ(0U, in.waiters);
}

/* The fast path works again after a wait for many left the word. */
TEST_F(kipc, any_sem_fast_path_after_wait)
{
	struct kipc_wait_obj o[1];
	struct kipc_sem *h;
	uint64_t *w;
	int fd = sem_new(2);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_sem_attach(fd, &h));
	w = map_sem(fd);
	ASSERT_NE(NULL, w);
	wo_set(&o[0], fd);
	ASSERT_EQ(0, wm(o, 1, 0, 0, NULL));
	EXPECT_EQ(1ULL, *w);	/* value 1, nobody queued or armed */
	EXPECT_EQ(0, kipc_sem_wait(h, 0, 0));
	EXPECT_EQ(0ULL, *w);
	/* A failed wait leaves the word armed for a kernel post... */
	EXPECT_EQ(-EAGAIN, wm(o, 1, 0, 0, NULL));
	EXPECT_EQ(0, kipc_sem_post(h, 2, 0));
	EXPECT_EQ(2, sem_val(fd));
	/* ...which disarms it. */
	EXPECT_EQ(2ULL, *w);
	kipc_sem_detach(h);
	munmap(w, KIPC_SEM_MAP_SIZE);
}

static void *trylock_thread(void *arg)
{
	return (void *)(intptr_t)kipc_mutex_lock(arg, 0);
}

TEST_F(kipc, any_mutex_taken_for_caller)
{
	struct kipc_mutex_info in;
	struct kipc_wait_obj o[1];
	struct kipc_mutex *h;
	unsigned int idx;
	pthread_t th;
	void *tret;
	uint32_t *w;
	int fd = mk_mutex(0, &h);

	ASSERT_LE(0, fd);
	w = map_word(fd);
	ASSERT_NE(NULL, w);
	wo_set(&o[0], fd);
	ASSERT_EQ(0, wm(o, 1, 0, LONG_WAIT, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(1U, o[0].ready);
	EXPECT_EQ(0, o[0].error);
	EXPECT_EQ(0ULL, o[0].value);
	ASSERT_EQ(0, mx_info(fd, &in));
	EXPECT_EQ((uint32_t)kt_gettid(), in.owner_tid);
	EXPECT_EQ((uint32_t)getpid(), in.owner_pid);
	EXPECT_EQ(1U, in.depth);
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_OK, in.state);
	/* The word names the caller, with no flag: fast unlock works. */
	EXPECT_EQ((uint32_t)kt_gettid(), *w);
	/* Another thread cannot have it. */
	ASSERT_EQ(0, pthread_create(&th, NULL, trylock_thread, h));
	ASSERT_EQ(0, pthread_join(th, &tret));
	EXPECT_EQ(-EBUSY, (int)(intptr_t)tret);
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	EXPECT_EQ(0U, *w);
	EXPECT_EQ(0U, mx_owner(fd));
	EXPECT_EQ(-EPERM, kipc_mutex_unlock(h));
	/* And it can be taken again, by the fast path or another wait. */
	EXPECT_EQ(0, kipc_mutex_lock(h, 0));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	ASSERT_EQ(0, wm(o, 1, 0, 0, &idx));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
	munmap(w, KIPC_MUTEX_MAP_SIZE);
}

TEST_F(kipc, any_mutex_recursive_depth)
{
	struct kipc_mutex_info in;
	struct kipc_wait_obj o[1];
	struct kipc_mutex *h;
	unsigned int idx;
	int fd = mk_mutex(KIPC_MUTEX_RECURSIVE, &h), i;

	ASSERT_LE(0, fd);
	wo_set(&o[0], fd);
	/* Unlocked: depth 1. */
	ASSERT_EQ(0, wm(o, 1, 0, 0, &idx));
	ASSERT_EQ(0, mx_info(fd, &in));
	EXPECT_EQ((uint32_t)kt_gettid(), in.owner_tid);
	EXPECT_EQ(1U, in.depth);
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	EXPECT_EQ(0U, mx_owner(fd));

	/* Held by the caller: depth + 1 each time. */
	ASSERT_EQ(0, kipc_mutex_lock(h, 0));
	for (i = 2; i <= 4; i++) {
		ASSERT_EQ(0, wm(o, 1, 0, LONG_WAIT, &idx));
		EXPECT_EQ(1U, o[0].ready);
		EXPECT_EQ(0, o[0].error);
		ASSERT_EQ(0, mx_info(fd, &in));
		EXPECT_EQ((uint32_t)i, in.depth);
		EXPECT_EQ((uint32_t)kt_gettid(), in.owner_tid);
	}
	for (i = 4; i >= 1; i--) {
		ASSERT_EQ(0, mx_info(fd, &in));
		EXPECT_EQ((uint32_t)i, in.depth);
		ASSERT_EQ(0, kipc_mutex_unlock(h));
	}
	EXPECT_EQ(0U, mx_owner(fd));
	EXPECT_EQ(-EPERM, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

TEST_F(kipc, any_queue_pipe_channel_readiness)
{
	struct kipc_queue_info qi;
	struct kipc_pipe_info pi;
	struct kipc_wait_obj o[3];
	int q, p[2], ch[2], fds[3];
	unsigned int idx;
	char buf[64];
	size_t len;

	q = kipc_queue_create(NULL, 0600, 4, 64, 0);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, kipc_pipe(p, 0, 0));
	ASSERT_EQ(0, kipc_channel_pair(ch, NULL, 0));

	/* Nothing to read anywhere. */
	fds[0] = q;
	fds[1] = p[0];
	fds[2] = ch[0];
	wo_fill(o, fds, 3);
	EXPECT_EQ(-EAGAIN, wm(o, 3, 0, 0, &idx));
	EXPECT_EQ(-ETIMEDOUT, wm(o, 3, 0, 20 * MS, &idx));

	/* A queue with a message: ready, the message stays. */
	ASSERT_EQ(0, kipc_queue_send(q, "hello", 5, 3, 0));
	ASSERT_EQ(0, wm(o, 1, 0, 0, &idx));
	EXPECT_EQ(1U, o[0].ready);
	EXPECT_EQ(0ULL, o[0].value);
	ASSERT_EQ(0, wm(o, 1, 0, 0, &idx));
	ASSERT_EQ(0, kipc_queue_info(q, &qi));
	EXPECT_EQ(1U, qi.msgs);
	EXPECT_EQ(0ULL, qi.received);

	/* A pipe with bytes. */
	ASSERT_EQ(3, write(p[1], "abc", 3));
	ASSERT_EQ(0, wm(&o[1], 1, 0, 0, &idx));
	EXPECT_EQ(1U, o[1].ready);
	ASSERT_EQ(0, kipc_pipe_info(p[0], &pi));
	EXPECT_EQ(3U, pi.used);

	/* A channel with a message from the other end. */
	ASSERT_EQ(0, kipc_channel_send(ch[1], "xy", 2, 0));
	ASSERT_EQ(0, wm(&o[2], 1, 0, 0, &idx));
	EXPECT_EQ(1U, o[2].ready);

	/* All three ready: the lowest index, and only it, is reported. */
	ASSERT_EQ(0, wm(o, 3, 0, 0, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(1U, o[0].ready);
	EXPECT_EQ(0U, o[1].ready);
	EXPECT_EQ(0U, o[2].ready);

	/* Everything is still there to read. */
	EXPECT_EQ(5, kipc_queue_recv(q, buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	ASSERT_EQ(0, wm(o, 3, 0, 0, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(3, read(p[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	ASSERT_EQ(0, wm(o, 3, 0, 0, &idx));
	EXPECT_EQ(2U, idx);
	EXPECT_EQ(1, kipc_channel_recv(ch[0], buf, sizeof(buf), &len, 0));
	EXPECT_EQ(2U, len);
	EXPECT_EQ(0, memcmp(buf, "xy", 2));
	EXPECT_EQ(-EAGAIN, wm(o, 3, 0, 0, &idx));
}

TEST_F(kipc, any_lowest_index_taken_only)
{
	struct kipc_wait_obj o[5];
	struct kipc_mutex *h;
	unsigned int idx, i;
	int fds[5];

	fds[0] = ev_new(0);			/* not set */
	fds[1] = sem_new(1);
	fds[2] = ev_new_val(KIPC_EVENT_SET, 5);
	fds[3] = mk_mutex(0, &h);
	fds[4] = sem_new(2);
	for (i = 0; i < 5; i++) {
		ASSERT_LE(0, fds[i]);
	}
	wo_fill(o, fds, 5);

	ASSERT_EQ(0, wm(o, 5, 0, 0, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(1U, n_ready(o, 5));
	EXPECT_EQ(1U, o[1].ready);
	EXPECT_EQ(0ULL, o[1].value);
	for (i = 0; i < 5; i++) {
		if (i == 1)
			continue;
		/* Not taken: cleared, not left as they came in. */
		EXPECT_EQ(0U, o[i].ready);
		EXPECT_EQ(0, o[i].error);
		EXPECT_EQ(0ULL, o[i].value);
	}
	EXPECT_EQ(0, sem_val(fds[1]));
	EXPECT_EQ(1, ev_is_set(fds[2]));
	EXPECT_EQ(0U, mx_owner(fds[3]));
	EXPECT_EQ(2, sem_val(fds[4]));

	ASSERT_EQ(0, wm(o, 5, 0, 0, &idx));
	EXPECT_EQ(2U, idx);
	EXPECT_EQ(1U, n_ready(o, 5));
	EXPECT_EQ(5ULL, o[2].value);
	EXPECT_EQ(0, ev_is_set(fds[2]));
	EXPECT_EQ(0U, mx_owner(fds[3]));
	EXPECT_EQ(2, sem_val(fds[4]));

	ASSERT_EQ(0, wm(o, 5, 0, 0, &idx));
	EXPECT_EQ(3U, idx);
	EXPECT_EQ(1U, n_ready(o, 5));
	EXPECT_EQ((uint32_t)kt_gettid(), mx_owner(fds[3]));
	EXPECT_EQ(2, sem_val(fds[4]));

	/* The mutex, held now, ends the wait before the semaphore. */
	EXPECT_EQ(-EDEADLK, wm(o, 5, 0, LONG_WAIT, &idx));
	EXPECT_EQ(3U, idx);
	EXPECT_EQ(2, sem_val(fds[4]));

	/* Without it, the semaphore is next. */
	ASSERT_EQ(0, wm(&o[4], 1, 0, 0, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(1ULL, o[4].value);
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

/* ---- all ---------------------------------------------------------------------- */

TEST_F(kipc, all_takes_every_object)
{
	struct kipc_mutex_info in;
	struct kipc_wait_obj o[5];
	struct kipc_mutex *h;
	unsigned int idx, i;
	int fds[5];

	fds[0] = ev_new_val(KIPC_EVENT_SET, 9);
	fds[1] = sem_new(2);
	fds[2] = mk_mutex(0, &h);
	fds[3] = ev_new_val(KIPC_EVENT_SET | KIPC_EVENT_MANUAL_RESET, 11);
	fds[4] = kipc_queue_create(NULL, 0600, 2, 16, 0);
	for (i = 0; i < 5; i++) {
		ASSERT_LE(0, fds[i]);
	}
	ASSERT_EQ(0, kipc_queue_send(fds[4], "m", 1, 0, 0));
	wo_fill(o, fds, 5);

	ASSERT_EQ(0, wm(o, 5, KIPC_WAIT_ALL, 0, &idx));
	EXPECT_EQ(0U, idx);
	for (i = 0; i < 5; i++) {
		EXPECT_EQ(1U, o[i].ready);
		EXPECT_EQ(0, o[i].error);
	}
	EXPECT_EQ(9ULL, o[0].value);
	EXPECT_EQ(1ULL, o[1].value);
	EXPECT_EQ(0ULL, o[2].value);
	EXPECT_EQ(11ULL, o[3].value);
	EXPECT_EQ(0ULL, o[4].value);
	EXPECT_EQ(0, ev_is_set(fds[0]));
	EXPECT_EQ(1, sem_val(fds[1]));
	ASSERT_EQ(0, mx_info(fds[2], &in));
	EXPECT_EQ((uint32_t)kt_gettid(), in.owner_tid);
	EXPECT_EQ(1U, in.depth);
	EXPECT_EQ(1, ev_is_set(fds[3]));
	/* The queue's message is still there. */
	EXPECT_EQ(1, kipc_queue_recv(fds[4], (char[4]){0}, 4, NULL, 0));
	EXPECT_EQ(0, kipc_mutex_unlock(h));

	/* Again: the event is spent now, so nothing at all is taken. */
	EXPECT_EQ(-EAGAIN, wm(o, 4, KIPC_WAIT_ALL, 0, &idx));
	EXPECT_EQ(1, sem_val(fds[1]));
	EXPECT_EQ(0U, mx_owner(fds[2]));
	kipc_mutex_detach(h);
}

TEST_F(kipc, all_nothing_taken_when_one_is_missing)
{
	struct kipc_queue_info qi;
	struct kipc_wait_obj o[5];
	struct kipc_mutex *h;
	struct agent a;
	unsigned int idx;
	int64_t t0;
	uint32_t *w;
	int fds[5], i, q;
	char b[4];

	g_sh = kt_shared_map(sizeof(*g_sh));
	ASSERT_NE(NULL, g_sh);
	fds[0] = ev_new(KIPC_EVENT_SET);
	fds[1] = sem_new(1);
	fds[2] = mk_mutex(0, &h);
	fds[3] = sem_new(0);	/* the missing one */
	q = kipc_queue_create(NULL, 0600, 2, 16, 0);
	ASSERT_LE(0, q);
	for (i = 0; i < 4; i++) {
		ASSERT_LE(0, fds[i]);
	}
	w = map_word(fds[2]);
	ASSERT_NE(NULL, w);
	wo_fill(o, fds, 4);

	EXPECT_EQ(-EAGAIN, wm(o, 4, KIPC_WAIT_ALL, 0, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(0U, n_ready(o, 4));
	EXPECT_UNTOUCHED(fds[0], fds[1], fds[2]);
	EXPECT_EQ(0U, *w);	/* the fast path is open again */
	EXPECT_EQ(0, sem_val(fds[3]));

	t0 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, wm(o, 4, KIPC_WAIT_ALL, 100 * MS, &idx));
	EXPECT_LE(100 * MS, kt_now_ns() - t0);
	EXPECT_EQ(0U, n_ready(o, 4));
	EXPECT_UNTOUCHED(fds[0], fds[1], fds[2]);

	/* The missing one is a mutex another process holds. */
	ASSERT_EQ(0, kipc_queue_send(q, "x", 1, 0, 0));
	wo_set(&o[3], q);	/* a queue with a message: ready */
	ASSERT_EQ(0, agent_start(&a));
	ASSERT_EQ(0, agent_lock(&a, h));
	EXPECT_EQ(-EAGAIN, wm(o, 4, KIPC_WAIT_ALL, 0, &idx));
	t0 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, wm(o, 4, KIPC_WAIT_ALL, 150 * MS, &idx));
	EXPECT_LE(150 * MS, kt_now_ns() - t0);
	EXPECT_EQ(0U, n_ready(o, 4));
	EXPECT_EQ(1, ev_is_set(fds[0]));
	EXPECT_EQ(1, sem_val(fds[1]));
	EXPECT_EQ((uint32_t)a.pid, mx_owner(fds[2]));
	ASSERT_EQ(0, kipc_queue_info(q, &qi));
	EXPECT_EQ(1U, qi.msgs);

	/* A queue with nothing to read is missing too. */
	EXPECT_EQ(1, kipc_queue_recv(q, b, sizeof(b), NULL, 0));
	wo_set(&o[2], q);
	EXPECT_EQ(-EAGAIN, wm(o, 3, KIPC_WAIT_ALL, 0, &idx));
	EXPECT_EQ(-ETIMEDOUT, wm(o, 3, KIPC_WAIT_ALL, 30 * MS, &idx));
	EXPECT_EQ(1, ev_is_set(fds[0]));
	EXPECT_EQ(1, sem_val(fds[1]));
	kipc_mutex_detach(h);
	munmap(w, KIPC_MUTEX_MAP_SIZE);
}

TEST_F(kipc, all_completes_when_a_child_posts)
{
	struct agent_cmd c;
	struct kipc_wait_obj o[3];
	struct kipc_mutex *h;
	struct kipc_sem *hs;
	struct agent a;
	unsigned int idx;
	int fds[3], i, mev;

	g_sh = kt_shared_map(sizeof(*g_sh));
	ASSERT_NE(NULL, g_sh);
	fds[0] = ev_new_val(KIPC_EVENT_SET, 3);
	fds[1] = mk_mutex(0, &h);
	fds[2] = sem_new(0);
	for (i = 0; i < 3; i++) {
		ASSERT_LE(0, fds[i]);
	}
	mev = ev_new(KIPC_EVENT_SET | KIPC_EVENT_MANUAL_RESET);
	ASSERT_LE(0, mev);
	ASSERT_EQ(0, kipc_sem_attach(fds[2], &hs));
	wo_fill(o, fds, 3);
	ASSERT_EQ(0, agent_start(&a));

	memset(&c, 0, sizeof(c));
	c.s = hs;
	ASSERT_EQ(0, agent_send(&a, AG_POST, 1, &c));
	ASSERT_EQ(0, wm(o, 3, KIPC_WAIT_ALL, LONG_WAIT, &idx));
	EXPECT_EQ(0, agent_result(&a));
	EXPECT_EQ(3U, n_ready(o, 3));
	EXPECT_EQ(3ULL, o[0].value);
	EXPECT_EQ(0ULL, o[2].value);
	EXPECT_EQ(0, ev_is_set(fds[0]));
	EXPECT_EQ((uint32_t)kt_gettid(), mx_owner(fds[1]));
	EXPECT_EQ(0, sem_val(fds[2]));
	EXPECT_EQ(0, kipc_mutex_unlock(h));

	/*
	 * Now the missing one is the mutex, unlocked by its holder through
	 * the fast path.  (With a set manual-reset event in place of the
	 * semaphore: all_wait_sleeps_while_incomplete is about a ready
	 * semaphore in an all-wait.)
	 */
	ASSERT_EQ(0, kipc_event_signal(fds[0], 4));
	ASSERT_EQ(0, agent_lock(&a, h));
	wo_set(&o[2], mev);
	memset(&c, 0, sizeof(c));
	c.m = h;
	ASSERT_EQ(0, agent_send(&a, AG_UNLOCK, 1, &c));
	ASSERT_EQ(0, wm(o, 3, KIPC_WAIT_ALL, LONG_WAIT, &idx));
	EXPECT_EQ(0, agent_result(&a));
	EXPECT_EQ(3U, n_ready(o, 3));
	EXPECT_EQ(4ULL, o[0].value);
	EXPECT_EQ(0, ev_is_set(fds[0]));
	EXPECT_EQ((uint32_t)kt_gettid(), mx_owner(fds[1]));
	EXPECT_EQ(1, ev_is_set(mev));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_sem_detach(hs);
	kipc_mutex_detach(h);
}

/*
 * An all-wait that cannot complete must sleep, whatever is ready among
 * its objects: here a semaphore with a unit.
 */
TEST_F(kipc, all_wait_sleeps_while_incomplete)
{
	struct kipc_wait_obj o[2];
	int64_t c0, t0, cpu, wall;
	int s = sem_new(1), e = ev_new(0);

	ASSERT_LE(0, s);
	ASSERT_LE(0, e);
	wo_set(&o[0], e);
	wo_set(&o[1], s);

	/* Any: nothing ready, the waiter sleeps (a reference). */
	c0 = cpu_now_ns();
	t0 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, wm(o, 1, 0, 300 * MS, NULL));
	cpu = cpu_now_ns() - c0;
	wall = kt_now_ns() - t0;
	EXPECT_GT(wall / 4, cpu)
		TH_LOG("any-wait used %lld ms of CPU in %lld ms",
		       (long long)(cpu / MS), (long long)(wall / MS));

	c0 = cpu_now_ns();
	t0 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, wm(o, 2, KIPC_WAIT_ALL, 300 * MS, NULL));
	cpu = cpu_now_ns() - c0;
	wall = kt_now_ns() - t0;
	EXPECT_GT(wall / 4, cpu)
		TH_LOG("all-wait used %lld ms of CPU in %lld ms: it spins",
		       (long long)(cpu / MS), (long long)(wall / MS));
	EXPECT_EQ(1, sem_val(s));
	EXPECT_EQ(0, ev_is_set(e));
}

/* ---- poll and epoll on a mutex fd ----------------------------------------------- */

TEST_F(kipc, mutex_poll_states)
{
	struct pollfd p;
	struct kipc_mutex *h;
	int fd = mk_mutex(0, &h);

	ASSERT_LE(0, fd);
	p.fd = fd;
	p.events = POLLIN;
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN, p.revents & (POLLIN | POLLERR));
	/* Held, even by the caller: not readable. */
	ASSERT_EQ(0, kipc_mutex_lock(h, 0));
	EXPECT_EQ(0, poll(&p, 1, 0));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN, p.revents & (POLLIN | POLLERR));
	/* Not recoverable: an error. */
	ASSERT_EQ(0, make_notrecoverable(fd, h));
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLERR, p.revents & (POLLIN | POLLERR));
	kipc_mutex_detach(h);
}

static int epoll_one(int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0)
		return -errno;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
		close(ep);
		return -errno;
	}
	return ep;
}

TEST_F(kipc, mutex_epoll_fast_path_unlock)
{
	struct epoll_event ev;
	struct pollfd p;
	struct kipc_mutex *h;
	struct agent_cmd c;
	struct agent a;
	uint32_t *w;
	int fd = mk_mutex(0, &h), ep;

	ASSERT_LE(0, fd);
	w = map_word(fd);
	ASSERT_NE(NULL, w);
	START_AGENT_HOLDING(&a, h);
	EXPECT_EQ((uint32_t)a.pid, *w);	/* locked in user space */

	p.fd = fd;
	p.events = POLLIN;
	EXPECT_EQ(0, poll(&p, 1, 0));
	ep = epoll_one(fd, EPOLLIN);
	ASSERT_LE(0, ep);
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));

	memset(&c, 0, sizeof(c));
	c.m = h;
	c.word = w;
	ASSERT_EQ(0, agent_send(&a, AG_UNLOCK, 1, &c));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, LONG_WAIT / MS));
	EXPECT_NE(0U, ev.events & EPOLLIN);
	EXPECT_EQ(0U, ev.events & EPOLLERR);
	EXPECT_EQ(0, agent_result(&a));
	/* The poll had armed the word, so the unlock came to the kernel. */
	EXPECT_EQ((uint32_t)a.pid | KIPC_MUTEX_WAITERS, g_sh->word);
	EXPECT_EQ(0U, *w);
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN, p.revents);

	/* Once more, locked and unlocked while nobody polls. */
	ASSERT_EQ(0, agent_lock(&a, h));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, agent_send(&a, AG_UNLOCK, 0, &c));
	EXPECT_EQ(0, agent_result(&a));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, LONG_WAIT / MS));
	EXPECT_NE(0U, ev.events & EPOLLIN);
	close(ep);
	kipc_mutex_detach(h);
	munmap(w, KIPC_MUTEX_MAP_SIZE);
}

TEST_F(kipc, mutex_epoll_owner_killed)
{
	struct epoll_event ev;
	struct kipc_mutex *h;
	struct agent a;
	int fd = mk_mutex(0, &h), ep;

	ASSERT_LE(0, fd);
	START_AGENT_HOLDING(&a, h);
	ep = epoll_one(fd, EPOLLIN);
	ASSERT_LE(0, ep);
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, agent_send(&a, AG_DIE, 1, NULL));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, LONG_WAIT / MS));
	EXPECT_NE(0U, ev.events & EPOLLIN);
	EXPECT_EQ(256 + SIGKILL, kt_reap(a.pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-EOWNERDEAD, kipc_mutex_lock(h, 0));
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	close(ep);
	kipc_mutex_detach(h);
}

TEST_F(kipc, mutex_epoll_err_notrecoverable)
{
	struct epoll_event ev;
	struct kipc_mutex *h;
	struct agent a;
	int fd = mk_mutex(0, &h), ep;

	ASSERT_LE(0, fd);
	START_AGENT_HOLDING(&a, h);
	ASSERT_EQ(0, kill(a.pid, SIGKILL));
	ASSERT_EQ(256 + SIGKILL, kt_reap(a.pid, KT_CHILD_TIMEOUT_MS));
	/* Taken from the dead owner: held, not readable. */
	ASSERT_EQ(-EOWNERDEAD, kipc_mutex_lock(h, 0));
	ep = epoll_one(fd, EPOLLIN);
	ASSERT_LE(0, ep);
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	/* Unlocked without consistent: not recoverable, an error. */
	ASSERT_EQ(0, kipc_mutex_unlock(h));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, LONG_WAIT / MS));
	EXPECT_NE(0U, ev.events & EPOLLERR);
	EXPECT_EQ(0U, ev.events & EPOLLIN);
	close(ep);
	kipc_mutex_detach(h);
}

TEST_HARNESS_MAIN
