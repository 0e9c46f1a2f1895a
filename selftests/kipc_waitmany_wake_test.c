// SPDX-License-Identifier: GPL-2.0
/*
 * kipc wait-for-many selftests of wake-ups: across processes (events,
 * semaphores posted and mutexes unlocked through the user-space fast
 * paths), the objects' own FIFO waiters served first, dead mutex owners
 * (killed processes and exited threads), and signals (EINTR and
 * SA_RESTART).
 *
 * A child that acts "once the parent sleeps" waits until the parent is in
 * interruptible sleep ('S' in /proc), which it only reaches inside the
 * wait under test; if it acts earlier the test still holds, it only does
 * not exercise the wake-up.  Every blocking call has a deadline, and the
 * teardown kills the children, so a broken module fails a test instead of
 * hanging the suite.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_waitmany_util.h"

KT_FIXTURE()

/* ---- helpers ---------------------------------------------------------------- */

/* Run on @cpu only, if there is such a CPU; best effort. */
static void pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu >= sysconf(_SC_NPROCESSORS_ONLN))
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* ---- wake-ups across processes ------------------------------------------------ */

enum { K_EVENT, K_SEM, K_MUTEX };

/*
 * The test waits (any) on [event, sem, mutex held by a child] or, without
 * the mutex (and so without its 100 ms owner recheck, which would hide a
 * lost wake-up), on [event, sem]; the child makes object @kind ready
 * once the test sleeps.  Returns the latency from the child's action to
 * the wait's return.
 */
static int64_t wake_case(struct __test_metadata *_metadata, int kind,
			 bool with_mutex)
{
	struct kipc_wait_obj o[3];
	struct kipc_mutex *hm = NULL;
	struct kipc_sem *hs = NULL;
	struct agent_cmd c;
	struct agent a;
	unsigned int idx, n = with_mutex ? 3 : 2;
	int fds[3], i, ret;
	uint64_t *sw = NULL;
	uint32_t *w = NULL;
	int64_t t1, lat = -1;

	g_sh = kt_shared_map(sizeof(*g_sh));
	if (!g_sh)
		return -1;
	fds[0] = ev_new(0);
	fds[1] = sem_new(0);
	fds[2] = mk_mutex(0, &hm);
	for (i = 0; i < 3; i++) {
		EXPECT_LE(0, fds[i]);
	}
	EXPECT_EQ(0, kipc_sem_attach(fds[1], &hs));
	sw = map_sem(fds[1]);
	w = map_word(fds[2]);
	EXPECT_NE(NULL, sw);
	EXPECT_NE(NULL, w);
	if (!sw || !w)
		goto out;
	wo_fill(o, fds, 3);
	EXPECT_EQ(0, agent_start(&a));
	EXPECT_EQ(0, agent_lock(&a, hm));

	memset(&c, 0, sizeof(c));
	c.fd = fds[0];
	c.value = 77;
	c.s = hs;
	c.m = hm;
	c.word = w;
	c.sword = sw;
	if (kind == K_MUTEX && !with_mutex)
		goto out;
	EXPECT_EQ(0, agent_send(&a, kind == K_EVENT ? AG_SIGNAL :
				kind == K_SEM ? AG_POST : AG_UNLOCK, 1, &c));
	ret = wm(o, n, 0, LONG_WAIT, &idx);
	t1 = kt_now_ns();
	EXPECT_EQ(0, agent_result(&a));
	EXPECT_EQ(0, ret);
	if (ret)
		goto out;
	lat = t1 - __atomic_load_n(&g_sh->t_act, __ATOMIC_SEQ_CST);
	EXPECT_EQ((unsigned int)kind, idx);
	EXPECT_EQ(1U, n_ready(o, n));
	EXPECT_EQ(1U, o[kind].ready);
	switch (kind) {
	case K_EVENT:
		EXPECT_EQ(77ULL, o[0].value);
		EXPECT_EQ(0, ev_is_set(fds[0]));
		EXPECT_EQ(0, sem_val(fds[1]));
		break;
	case K_SEM:
		/* The poll armed the word: the post came to the kernel. */
		EXPECT_LE(1ULL, g_sh->sword >> 32);
		EXPECT_EQ(0ULL, o[1].value);
		EXPECT_EQ(0, sem_val(fds[1]));
		EXPECT_EQ(0, ev_is_set(fds[0]));
		break;
	case K_MUTEX:
		/* The wait armed the word: the unlock came to the kernel. */
		EXPECT_EQ((uint32_t)a.pid | KIPC_MUTEX_WAITERS,
			  g_sh->word & ~KIPC_MUTEX_KSTATE);
		EXPECT_EQ((uint32_t)kt_gettid(), mx_owner(fds[2]));
		EXPECT_EQ(0, kipc_mutex_unlock(hm));
		break;
	}
	if (with_mutex && kind != K_MUTEX)
		EXPECT_EQ((uint32_t)a.pid, mx_owner(fds[2]));
out:
	kt_kill_kids();
	/* Mappings keep objects alive: drop them too. */
	kipc_sem_detach(hs);
	kipc_mutex_detach(hm);
	if (sw)
		munmap(sw, KIPC_SEM_MAP_SIZE);
	if (w)
		munmap(w, KIPC_MUTEX_MAP_SIZE);
	for (i = 0; i < 3; i++)
		close(fds[i]);
	munmap(g_sh, sizeof(*g_sh));
	return lat;
}

/*
 * With a mutex among the objects, the wait rechecks 100 ms after it went
 * to sleep, so a lost wake-up still returns, about 100 ms minus the few
 * ms the child takes to see the test asleep.  Real wake-ups take well
 * under a millisecond on KVM, a few ms (rarely tens) in emulation or on
 * the debug kernel.
 */
#define PROMPT_NS	(60 * MS)

static void wake_rounds(struct __test_metadata *_metadata, int kind)
{
	int64_t lat[5];
	int i, slow = 0;

	if (kind != K_MUTEX) {
		/* No recheck: a lost wake-up would run into the deadline. */
		lat[0] = wake_case(_metadata, kind, false);
		EXPECT_LE(0, lat[0]);
		EXPECT_GT(5 * SEC, lat[0]);
	}
	/* With the mutex (and its recheck): most rounds must be quick. */
	for (i = 0; i < 5; i++) {
		lat[i] = wake_case(_metadata, kind, true);
		EXPECT_LE(0, lat[i]);
		slow += lat[i] >= PROMPT_NS;
	}
	TH_LOG("latencies (us): %lld %lld %lld %lld %lld",
	       (long long)lat[0] / 1000, (long long)lat[1] / 1000,
	       (long long)lat[2] / 1000, (long long)lat[3] / 1000,
	       (long long)lat[4] / 1000);
	EXPECT_GE(1, slow) TH_LOG("a wake-up seems to wait for the recheck");
}

TEST_F(kipc, wake_by_event_signal)
{
	wake_rounds(_metadata, K_EVENT);
}

TEST_F(kipc, wake_by_sem_fast_path_post)
{
	wake_rounds(_metadata, K_SEM);
}

TEST_F(kipc, wake_by_mutex_fast_path_unlock)
{
	wake_rounds(_metadata, K_MUTEX);
}

/*
 * A unit the wait saw in its poll and then found gone (another process
 * took it through the fast path in between) must leave the wait armed:
 * the next post made through the fast path must still wake it.  The
 * racer steals at a random delay after the wait starts: some steals
 * come before the wait's poll (it saw 0 and armed), some come after it
 * took the unit ("too late"), and some in between, the case that
 * matters.  The range of delays shrinks after a late one and grows after
 * a steal, so that about a fifth of the rounds steal.  The wait has 127
 * other objects, polled between its poll of the semaphore and its try,
 * to widen the window.  A kernel that gets it right passes whatever the
 * timing; a wrong one fails once a steal lands in between.  With two
 * CPUs the racer has one of its own, so that it runs during the wait.
 */
struct race_sh {
	int start;	/* the waiter is about to wait */
	int ready;	/* the racer is spinning, watching @start */
};

TEST_F_TIMEOUT(kipc, sem_wait_rearmed_after_unit_stolen, 90)
{
	enum { NFILL = 127, ROUNDS = 400 };
	struct kipc_wait_obj *o;
	struct race_sh *rs;
	struct kipc_sem *hs;
	struct kt_report r;
	int wpipe[2], wrep[2], rpipe[2], rrep[2];
	int s, i, max, n, rounds = 0, early = 0, late = 0, window = 0;
	int64_t span = 500 * 1000, d, end, t, t0;
	pid_t wpid, rpid;
	uint64_t *sw, word;

	ASSERT_EQ(0, kt_param_set("max_wait_objects", NFILL + 1));
	max = (int)kt_param_get("max_wait_objects");
	ASSERT_EQ(NFILL + 1, max);
	n = max;
	o = calloc(n, sizeof(*o));
	ASSERT_NE(NULL, o);
	rs = kt_shared_map(sizeof(*rs));
	ASSERT_NE(NULL, rs);
	s = sem_new(0);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, kipc_sem_attach(s, &hs));
	sw = map_sem(s);
	ASSERT_NE(NULL, sw);
	wo_set(&o[0], s);
	for (i = 1; i < n; i++) {
		int e = ev_new(0);

		ASSERT_LE(0, e);
		wo_set(&o[i], e);
	}
	ASSERT_EQ(0, pipe(wpipe));
	ASSERT_EQ(0, pipe(wrep));
	ASSERT_EQ(0, pipe(rpipe));
	ASSERT_EQ(0, pipe(rrep));
	srandom(kt_seed());
	pin_cpu(0);	/* the test and the waiter; the racer on CPU 1 */

	/* The waiter: one wait per byte it reads. */
	wpid = kt_fork();
	ASSERT_LE(0, wpid);
	if (wpid == 0) {
		unsigned int idx;
		char ch;
		int ret;

		while (read(wpipe[0], &ch, 1) == 1) {
			__atomic_store_n(&rs->start, 1, __ATOMIC_SEQ_CST);
			ret = kipc_wait_many(o, n, 0, 3 * SEC, &idx);
			kt_report(wrep[1], (int)idx, ret, o[0].ready);
		}
		_exit(0);
	}
	/* The racer: a fast-path take at the delay it reads. */
	rpid = kt_fork();
	ASSERT_LE(0, rpid);
	if (rpid == 0) {
		int64_t delay, t;
		uint64_t one;
		int stolen;

		pin_cpu(1);
		while (read(rpipe[0], &delay, sizeof(delay)) == sizeof(delay)) {
			__atomic_store_n(&rs->ready, 1, __ATOMIC_SEQ_CST);
			while (!__atomic_load_n(&rs->start, __ATOMIC_SEQ_CST))
				;
			t = kt_now_ns() + delay;
			while (kt_now_ns() < t)
				;
			one = 1;	/* value 1, nobody queued or armed */
			stolen = __atomic_compare_exchange_n(sw, &one, 0, false,
							     __ATOMIC_SEQ_CST,
							     __ATOMIC_SEQ_CST);
			kt_report(rrep[1], 0, stolen, one);
		}
		_exit(0);
	}

	t0 = kt_now_ns();
	end = t0 + 10 * SEC;
	for (rounds = 0; rounds < ROUNDS && kt_now_ns() < end; rounds++) {
		ASSERT_EQ(0, sem_val(s));
		ASSERT_EQ(0, kipc_sem_post(hs, 1, 0));
		ASSERT_EQ(1ULL, __atomic_load_n(sw, __ATOMIC_SEQ_CST));
		__atomic_store_n(&rs->start, 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&rs->ready, 0, __ATOMIC_SEQ_CST);
		d = (int64_t)(random() % span);
		ASSERT_EQ((ssize_t)sizeof(d), write(rpipe[1], &d, sizeof(d)));
		/* The racer must be watching before the waiter starts. */
		t = kt_now_ns() + KT_CHILD_TIMEOUT_MS * MS;
		while (!__atomic_load_n(&rs->ready, __ATOMIC_SEQ_CST))
			ASSERT_GT(t, kt_now_ns());
		ASSERT_EQ(1, write(wpipe[1], "g", 1));
		ASSERT_EQ(1, kt_read_report(rrep[0], &r, KT_CHILD_TIMEOUT_MS));
		if (!r.ret) {
			/* Too late: the wait took the unit. */
			ASSERT_EQ(1, kt_read_report(wrep[0], &r,
						    KT_CHILD_TIMEOUT_MS));
			ASSERT_EQ(0, r.ret);
			ASSERT_EQ(0, r.idx);
			late++;
			span -= span / 32;
			if (span < 5000)
				span = 5000;
		} else {
			span += span / 10;
			if (span > 5 * MS)
				span = 5 * MS;
			ASSERT_EQ(0, kt_wait_sleeping(wpid, KT_CHILD_TIMEOUT_MS));
			word = __atomic_load_n(sw, __ATOMIC_SEQ_CST);
			if (word >> 32) {
				early++;	/* armed: its poll saw 0, or fixed */
			} else {
				window++;	/* sleeping, not armed */
			}
			/* Through the fast path if the word allows it. */
			ASSERT_EQ(0, kipc_sem_post(hs, 1, 0));
			ASSERT_EQ(1, kt_read_report(wrep[0], &r, 2000))
				TH_LOG("round %d (delay %lld ns): a post did not wake a wait that had seen the unit stolen; word before the post %#llx",
				       rounds, (long long)d,
				       (unsigned long long)word);
			ASSERT_EQ(0, r.ret)
				TH_LOG("round %d: wait returned %d (word before the post %#llx)",
				       rounds, r.ret, (unsigned long long)word);
			ASSERT_EQ(0, r.idx);
		}
	}
	TH_LOG("%d rounds in %lld ms: %d stolen and armed, %d too late, %d stolen unarmed (span %lld us)",
	       rounds, (long long)((kt_now_ns() - t0) / MS), early, late,
	       window, (long long)(span / 1000));
	EXPECT_EQ(0, sem_val(s));
	kipc_sem_detach(hs);
	munmap(sw, KIPC_SEM_MAP_SIZE);
	free(o);
}

/* ---- the objects' own waiters come first ------------------------------------- */

TEST_F(kipc, fifo_event_waiter_served_first)
{
	struct kipc_wait_obj o[1];
	int fd = ev_new(0), pfd[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(pfd));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t v = 0;
		int ret = kipc_event_wait(fd, KT_CHILD_TIMEOUT_MS * MS, &v);

		kt_report(pfd[1], 0, ret, v);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kipc_event_signal(fd, 5));
	wo_set(&o[0], fd);
	EXPECT_EQ(-EAGAIN, wm(o, 1, 0, 0, NULL));
	KT_EXPECT_CHILD_REPORT(pfd[0], pid, 0, 5ULL);
}

TEST_F(kipc, fifo_sem_waiter_served_first)
{
	struct kipc_wait_obj o[1];
	struct kipc_sem *h;
	struct kt_report r;
	int fd = sem_new(0), pfd[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_sem_attach(fd, &h));
	ASSERT_EQ(0, pipe(pfd));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = kipc_sem_wait(h, KT_CHILD_TIMEOUT_MS * MS, 0);

		kt_report(pfd[1], 0, ret, 0);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kipc_sem_post(h, 1, 0));
	wo_set(&o[0], fd);
	EXPECT_EQ(-EAGAIN, wm(o, 1, 0, 0, NULL));
	ASSERT_EQ(1, kt_read_report(pfd[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0, sem_val(fd));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	kipc_sem_detach(h);
}

/*
 * A holder unlocks while a thread is queued in KIPC_MUTEX_IOC_LOCK and
 * the test waits for many: the queued thread gets it first.
 */
TEST_F(kipc, fifo_mutex_waiter_served_first)
{
	struct kipc_wait_obj o[1];
	struct kipc_mutex *h;
	struct agent_cmd c;
	struct agent a;
	int fd = mk_mutex(0, &h), *locked;
	pid_t pid;

	ASSERT_LE(0, fd);
	g_sh = kt_shared_map(4096);
	ASSERT_NE(NULL, g_sh);
	locked = (int *)((char *)g_sh + 2048);
	ASSERT_EQ(0, agent_start(&a));
	ASSERT_EQ(0, agent_lock(&a, h));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = kipc_mutex_lock(h, KT_CHILD_TIMEOUT_MS * MS);

		if (ret)
			_exit(1);
		__atomic_store_n(locked, 1, __ATOMIC_SEQ_CST);
		kt_sleep_ms(20);
		_exit(kipc_mutex_unlock(h) ? 2 : 0);
	}
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));

	memset(&c, 0, sizeof(c));
	c.m = h;
	ASSERT_EQ(0, agent_send(&a, AG_UNLOCK, 1, &c));
	wo_set(&o[0], fd);
	ASSERT_EQ(0, wm(o, 1, 0, LONG_WAIT, NULL));
	EXPECT_EQ(1, __atomic_load_n(locked, __ATOMIC_SEQ_CST))
		TH_LOG("the wait for many took the mutex before its queued waiter");
	EXPECT_EQ(0, agent_result(&a));
	EXPECT_EQ((uint32_t)kt_gettid(), mx_owner(fd));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

struct lock_exit {
	struct kipc_mutex *h;
	int ret;
	int locked;
	int go;
};

/* Lock, and exit holding the mutex when told. */
static void *lock_and_exit_fn(void *arg)
{
	struct lock_exit *x = arg;

	x->ret = kipc_mutex_lock(x->h, 0);
	__atomic_store_n(&x->locked, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&x->go, __ATOMIC_SEQ_CST))
		kt_sleep_ms(1);
	return NULL;
}

/*
 * The owner, a thread, exits while another process is queued in
 * KIPC_MUTEX_IOC_LOCK (asleep until the next owner check, at most 100 ms
 * away).  A wait for many that comes now finds the owner dead, but the
 * queued waiter comes first: the wait must not take the mutex from under
 * it.  If the check came first, the waiter has had the mutex (its report
 * is written before its unlock) and the wait takes it free.
 */
TEST_F(kipc, fifo_dead_owner_mutex_goes_to_queued_waiter)
{
	struct kipc_wait_obj o[1];
	struct kipc_mutex *h;
	struct lock_exit x;
	struct kt_report r;
	int fd = mk_mutex(0, &h), pfd[2], ret;
	pthread_t th;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(pfd));
	memset(&x, 0, sizeof(x));
	x.h = h;
	ASSERT_EQ(0, pthread_create(&th, NULL, lock_and_exit_fn, &x));
	while (!__atomic_load_n(&x.locked, __ATOMIC_SEQ_CST))
		kt_sleep_ms(1);
	ASSERT_EQ(0, x.ret);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ret = kipc_mutex_lock(h, KT_CHILD_TIMEOUT_MS * MS);
		kt_report(pfd[1], 0, ret, 0);
		if (ret == -EOWNERDEAD)
			kipc_mutex_consistent(h);
		if (ret == 0 || ret == -EOWNERDEAD)
			kipc_mutex_unlock(h);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	/* The owner exits; the waiter sees it at its next check. */
	__atomic_store_n(&x.go, 1, __ATOMIC_SEQ_CST);
	ASSERT_EQ(0, pthread_join(th, NULL));
	wo_set(&o[0], fd);
	ret = wm(o, 1, 0, 0, NULL);
	if (ret == 0) {
		/* The waiter's check came first: it is done with the mutex. */
		ASSERT_EQ(1, kt_read_report(pfd[0], &r, 0));
		EXPECT_EQ(0, kipc_mutex_unlock(h));
	} else {
		EXPECT_EQ(-EAGAIN, ret)
			TH_LOG("the wait for many took a dead owner's mutex ahead of the waiter queued on it (%d)",
			       ret);
		if (ret == -EOWNERDEAD) {
			EXPECT_EQ(0, kipc_mutex_consistent(h));
			EXPECT_EQ(0, kipc_mutex_unlock(h));
		}
		ASSERT_EQ(1, kt_read_report(pfd[0], &r,
					    KT_CHILD_TIMEOUT_MS));
	}
	EXPECT_EQ(-EOWNERDEAD, r.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0U, mx_owner(fd));
	kipc_mutex_detach(h);
}

/* ---- dead owners ------------------------------------------------------------- */

TEST_F(kipc, dead_owner_any)
{
	struct kipc_mutex_info in;
	struct kipc_wait_obj o[2];
	struct kipc_mutex *h;
	struct agent a;
	unsigned int idx;
	int e = ev_new(0), fd = mk_mutex(0, &h);

	ASSERT_LE(0, e);
	ASSERT_LE(0, fd);
	START_AGENT_HOLDING(&a, h);
	ASSERT_EQ(0, kill(a.pid, SIGKILL));
	ASSERT_EQ(256 + SIGKILL, kt_reap(a.pid, KT_CHILD_TIMEOUT_MS));

	wo_set(&o[0], e);
	wo_set(&o[1], fd);
	ASSERT_EQ(-EOWNERDEAD, wm(o, 2, 0, 0, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(0U, o[0].ready);
	EXPECT_EQ(0, o[0].error);
	EXPECT_EQ(1U, o[1].ready);
	EXPECT_EQ(-EOWNERDEAD, o[1].error);
	ASSERT_EQ(0, mx_info(fd, &in));
	EXPECT_EQ((uint32_t)kt_gettid(), in.owner_tid);
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_OWNERDEAD, in.state);
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	ASSERT_EQ(0, mx_info(fd, &in));
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_OK, in.state);
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	EXPECT_EQ(0U, mx_owner(fd));
	/* Recovered: an ordinary take. */
	ASSERT_EQ(0, wm(o, 2, 0, 0, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(0, o[1].error);
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

TEST_F(kipc, dead_owner_any_lower_index_first)
{
	struct kipc_wait_obj o[2];
	struct kipc_mutex *h;
	struct agent a;
	unsigned int idx;
	int e = ev_new(KIPC_EVENT_SET), fd = mk_mutex(0, &h);

	ASSERT_LE(0, e);
	ASSERT_LE(0, fd);
	START_AGENT_HOLDING(&a, h);
	ASSERT_EQ(0, kill(a.pid, SIGKILL));
	ASSERT_EQ(256 + SIGKILL, kt_reap(a.pid, KT_CHILD_TIMEOUT_MS));
	wo_set(&o[0], e);
	wo_set(&o[1], fd);
	ASSERT_EQ(0, wm(o, 2, 0, 0, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(0U, o[1].ready);
	EXPECT_EQ(0, o[1].error);
	/* The mutex still names its dead owner. */
	EXPECT_EQ((uint32_t)a.pid, mx_owner(fd));
	ASSERT_EQ(-EOWNERDEAD, wm(o, 2, 0, 0, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

TEST_F(kipc, dead_owner_all)
{
	struct kipc_mutex_info in;
	struct kipc_wait_obj o[3];
	struct kipc_mutex *h1, *h2;
	struct agent a;
	unsigned int idx;
	int s = sem_new(1), m1 = mk_mutex(0, &h1), m2 = mk_mutex(0, &h2);

	ASSERT_LE(0, s);
	ASSERT_LE(0, m1);
	ASSERT_LE(0, m2);
	START_AGENT_HOLDING(&a, h1);
	ASSERT_EQ(0, agent_lock(&a, h2));
	ASSERT_EQ(0, kill(a.pid, SIGKILL));
	ASSERT_EQ(256 + SIGKILL, kt_reap(a.pid, KT_CHILD_TIMEOUT_MS));

	wo_set(&o[0], s);
	wo_set(&o[1], m1);
	wo_set(&o[2], m2);
	ASSERT_EQ(-EOWNERDEAD, wm(o, 3, KIPC_WAIT_ALL, LONG_WAIT, &idx));
	EXPECT_EQ(1U, idx);	/* the first taken from a dead owner */
	EXPECT_EQ(3U, n_ready(o, 3));
	EXPECT_EQ(0, o[0].error);
	EXPECT_EQ(-EOWNERDEAD, o[1].error);
	EXPECT_EQ(-EOWNERDEAD, o[2].error);
	EXPECT_EQ(0, sem_val(s));
	ASSERT_EQ(0, mx_info(m1, &in));
	EXPECT_EQ((uint32_t)kt_gettid(), in.owner_tid);
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_OWNERDEAD, in.state);
	ASSERT_EQ(0, mx_info(m2, &in));
	EXPECT_EQ((uint32_t)kt_gettid(), in.owner_tid);
	EXPECT_EQ(0, kipc_mutex_consistent(h1));
	EXPECT_EQ(0, kipc_mutex_consistent(h2));
	EXPECT_EQ(0, kipc_mutex_unlock(h1));
	EXPECT_EQ(0, kipc_mutex_unlock(h2));
	kipc_mutex_detach(h1);
	kipc_mutex_detach(h2);
}

/* The owner is killed while the test waits. */
TEST_F(kipc, dead_owner_while_waiting)
{
	struct kipc_wait_obj o[2];
	struct kipc_mutex *h;
	struct agent a;
	unsigned int idx;
	int e = ev_new(0), fd = mk_mutex(0, &h);
	int64_t t0;

	ASSERT_LE(0, e);
	ASSERT_LE(0, fd);
	START_AGENT_HOLDING(&a, h);
	ASSERT_EQ(0, agent_send(&a, AG_DIE, 1, NULL));
	wo_set(&o[0], e);
	wo_set(&o[1], fd);
	t0 = kt_now_ns();
	ASSERT_EQ(-EOWNERDEAD, wm(o, 2, 0, LONG_WAIT, &idx));
	EXPECT_GT(2 * SEC, kt_now_ns() - t0);
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(-EOWNERDEAD, o[1].error);
	EXPECT_EQ(256 + SIGKILL, kt_reap(a.pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));

	/* All-mode, the same. */
	ASSERT_EQ(0, kipc_event_signal(e, 1));
	ASSERT_EQ(0, agent_start(&a));
	ASSERT_EQ(0, agent_lock(&a, h));
	ASSERT_EQ(0, agent_send(&a, AG_DIE, 1, NULL));
	t0 = kt_now_ns();
	ASSERT_EQ(-EOWNERDEAD, wm(o, 2, KIPC_WAIT_ALL, LONG_WAIT, &idx));
	EXPECT_GT(2 * SEC, kt_now_ns() - t0);
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(2U, n_ready(o, 2));
	EXPECT_EQ(0, ev_is_set(e));
	EXPECT_EQ(256 + SIGKILL, kt_reap(a.pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

struct exiter {
	struct kipc_mutex *h;
	int ret;
	int locked;
};

/* Lock, then exit holding the mutex once the main thread sleeps. */
static void *exit_holding_fn(void *arg)
{
	struct exiter *x = arg;

	x->ret = kipc_mutex_lock(x->h, 0);
	__atomic_store_n(&x->locked, 1, __ATOMIC_SEQ_CST);
	kt_wait_sleeping(getpid(), KT_CHILD_TIMEOUT_MS);
	__atomic_store_n(&g_sh->t_exit, kt_now_ns(), __ATOMIC_SEQ_CST);
	return NULL;
}

static int start_exiter(struct exiter *x, pthread_t *th, struct kipc_mutex *h)
{
	memset(x, 0, sizeof(*x));
	x->h = h;
	if (pthread_create(th, NULL, exit_holding_fn, x))
		return -1;
	while (!__atomic_load_n(&x->locked, __ATOMIC_SEQ_CST))
		kt_sleep_ms(1);
	return x->ret;
}

/*
 * A thread exits holding the mutex while its process lives on: nothing
 * wakes the wait, which must find the death by its own recheck.
 */
TEST_F(kipc, dead_thread_owner_found_by_recheck)
{
	struct kipc_wait_obj o[2];
	struct kipc_mutex *h;
	struct exiter x;
	unsigned int idx;
	pthread_t th;
	int fd = mk_mutex(0, &h), e = ev_new(KIPC_EVENT_SET);
	int64_t t1;

	ASSERT_LE(0, fd);
	ASSERT_LE(0, e);
	g_sh = kt_shared_map(sizeof(*g_sh));
	ASSERT_NE(NULL, g_sh);

	ASSERT_EQ(0, start_exiter(&x, &th, h));
	EXPECT_NE((uint32_t)kt_gettid(), mx_owner(fd));
	wo_set(&o[0], fd);
	ASSERT_EQ(-EOWNERDEAD, wm(o, 1, 0, 5 * SEC, &idx));
	t1 = kt_now_ns();
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(-EOWNERDEAD, o[0].error);
	EXPECT_GT(1 * SEC, t1 - g_sh->t_exit);
	EXPECT_EQ((uint32_t)kt_gettid(), mx_owner(fd));
	pthread_join(th, NULL);
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));

	/* All-mode with a set event. */
	ASSERT_EQ(0, start_exiter(&x, &th, h));
	wo_set(&o[0], e);
	wo_set(&o[1], fd);
	ASSERT_EQ(-EOWNERDEAD, wm(o, 2, KIPC_WAIT_ALL, 5 * SEC, &idx));
	t1 = kt_now_ns();
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(2U, n_ready(o, 2));
	EXPECT_EQ(0, ev_is_set(e));
	EXPECT_GT(1 * SEC, t1 - g_sh->t_exit);
	pthread_join(th, NULL);
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

/* ---- signals -------------------------------------------------------------------- */

static void hit_handler(int sig)
{
	__atomic_add_fetch(&g_sh->hits, 1, __ATOMIC_SEQ_CST);
}

static void set_handler(int sig, int flags)
{
	kt_on_signal(sig, hit_handler, flags);
}

/*
 * Have agent @a send SIGUSR1 to this process once it sleeps, then (if
 * @hits) wait until the handler has run @hits times in all.
 */
static int agent_signal_me(struct agent *a, int hits)
{
	struct agent_cmd c;
	int err;

	memset(&c, 0, sizeof(c));
	c.value = SIGUSR1;
	err = agent_send(a, AG_KILL_PARENT, 1, &c);
	if (err || !hits)
		return err;
	c.value = hits;
	return agent_send(a, AG_WAIT_HITS, 0, &c);
}

/* The agent's next @n results are 0 and the handler ran @nhits times. */
#define EXPECT_AGENT_DONE(a, n, nhits) do {				\
	int i_;								\
									\
	for (i_ = 0; i_ < (n); i_++)					\
		EXPECT_EQ(0, agent_result(a));				\
	EXPECT_EQ(nhits, g_sh->hits);					\
} while (0)

/*
 * All-mode waits here have a set event and a semaphore at 0: something
 * ready that a wrong interruption could take.
 */
TEST_F(kipc, signal_interrupts_with_eintr)
{
	struct kipc_wait_obj o[2];
	struct agent a;
	unsigned int idx;
	int e = ev_new_val(KIPC_EVENT_SET, 3), s = sem_new(0);

	ASSERT_LE(0, e);
	ASSERT_LE(0, s);
	g_sh = kt_shared_map(sizeof(*g_sh));
	ASSERT_NE(NULL, g_sh);
	set_handler(SIGUSR1, 0);
	ASSERT_EQ(0, agent_start(&a));
	wo_set(&o[0], e);
	wo_set(&o[1], s);

	/* All-mode with a deadline: nothing may be taken. */
	ASSERT_EQ(0, agent_signal_me(&a, 0));
	EXPECT_EQ(-EINTR, wm(o, 2, KIPC_WAIT_ALL, LONG_WAIT, &idx));
	EXPECT_AGENT_DONE(&a, 1, 1);
	EXPECT_EQ(1, ev_is_set(e));
	EXPECT_EQ(0, sem_val(s));

	/* Any-mode, no deadline. */
	ASSERT_EQ(0, agent_signal_me(&a, 0));
	EXPECT_EQ(-EINTR, wm(&o[1], 1, 0, KIPC_INFINITE, &idx));
	EXPECT_AGENT_DONE(&a, 1, 2);
	EXPECT_EQ(1, ev_is_set(e));
	signal(SIGUSR1, SIG_DFL);
}

TEST_F(kipc, signal_restarts_with_sa_restart)
{
	struct kipc_wait_obj o[2];
	struct kipc_sem *hs;
	struct agent_cmd c;
	struct agent a;
	unsigned int idx;
	int e = ev_new_val(KIPC_EVENT_SET, 3), s = sem_new(0);
	int e2 = ev_new(0);

	ASSERT_LE(0, e);
	ASSERT_LE(0, s);
	ASSERT_LE(0, e2);
	ASSERT_EQ(0, kipc_sem_attach(s, &hs));
	g_sh = kt_shared_map(sizeof(*g_sh));
	ASSERT_NE(NULL, g_sh);
	set_handler(SIGUSR1, SA_RESTART);
	ASSERT_EQ(0, agent_start(&a));
	wo_set(&o[0], e);
	wo_set(&o[1], s);

	/*
	 * All-mode: signal, wait for the handler to run, then post the
	 * semaphore (fast path) once the restarted wait sleeps again.
	 */
	ASSERT_EQ(0, agent_signal_me(&a, 1));
	memset(&c, 0, sizeof(c));
	c.s = hs;
	ASSERT_EQ(0, agent_send(&a, AG_POST, 1, &c));
	ASSERT_EQ(0, wm(o, 2, KIPC_WAIT_ALL, LONG_WAIT, &idx));
	EXPECT_AGENT_DONE(&a, 3, 1);
	EXPECT_EQ(2U, n_ready(o, 2));
	EXPECT_EQ(3ULL, o[0].value);
	EXPECT_EQ(0, ev_is_set(e));
	EXPECT_EQ(0, sem_val(s));

	/* Any-mode, no deadline: completed by an event. */
	wo_set(&o[0], s);
	wo_set(&o[1], e2);
	ASSERT_EQ(0, agent_signal_me(&a, 2));
	memset(&c, 0, sizeof(c));
	c.fd = e2;
	c.value = 32;
	ASSERT_EQ(0, agent_send(&a, AG_SIGNAL, 1, &c));
	ASSERT_EQ(0, wm(o, 2, 0, KIPC_INFINITE, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(32ULL, o[1].value);
	EXPECT_AGENT_DONE(&a, 3, 2);
	signal(SIGUSR1, SIG_DFL);
	kipc_sem_detach(hs);
}

TEST_HARNESS_MAIN
