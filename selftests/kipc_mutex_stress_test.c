// SPDX-License-Identifier: GPL-2.0
/*
 * kipc mutex stress selftests: processes counting under the mutex, and
 * owners dying by the thousand without a spurious EOWNERDEAD.  `make soak`
 * runs them repeatedly (their names say stress_ or spurious).
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_mutex_util.h"

KT_FIXTURE()

/* ---- stress ------------------------------------------------------------------------ */

#define ST_PROCS	4
#define ST_ITERS	2000

struct st_shared {
	volatile uint64_t counter;
	int holders;
	int max_holders;
	int errors;
};

TEST_F(kipc, stress_counter_processes)
{
	struct st_shared *sh;
	struct kipc_mutex *h;
	pid_t pid[ST_PROCS];
	int fd, i;

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	sh = kt_shared_map(sizeof(*sh));
	ASSERT_NE(NULL, sh);
	for (i = 0; i < ST_PROCS; i++) {
		pid[i] = kt_fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			struct kipc_mutex *mine = h;
			int n, ret, hold;

			/* Odd children attach anew, the others inherit. */
			if ((i & 1) && kipc_mutex_attach(fd, &mine))
				_exit(2);
			for (n = 0; n < ST_ITERS; n++) {
				bool raw = (i & 2) && (n & 1);

				ret = raw ? raw_lock(fd, 0, 0) :
					    kipc_mutex_lock(mine, KIPC_INFINITE);
				if (ret) {
					__atomic_add_fetch(&sh->errors, 1,
							   __ATOMIC_SEQ_CST);
					continue;
				}
				hold = __atomic_add_fetch(&sh->holders, 1,
							  __ATOMIC_SEQ_CST);
				if (hold > sh->max_holders)
					sh->max_holders = hold;
				sh->counter = sh->counter + 1;
				if (!(n % 256))
					sched_yield();
				__atomic_sub_fetch(&sh->holders, 1,
						   __ATOMIC_SEQ_CST);
				ret = raw ? raw_unlock(fd) :
					    kipc_mutex_unlock(mine);
				if (ret)
					__atomic_add_fetch(&sh->errors, 1,
							   __ATOMIC_SEQ_CST);
			}
			_exit(0);
		}
	}
	for (i = 0; i < ST_PROCS; i++)
		EXPECT_EQ(0, kt_reap(pid[i], 120000));
	EXPECT_EQ(0, sh->errors);
	EXPECT_EQ(1, sh->max_holders);
	EXPECT_EQ((uint64_t)ST_PROCS * ST_ITERS, sh->counter);
	kt_soak_count(ST_PROCS, sh->counter);
	EXPECT_EQ(0, kipc_mutex_lock(h, 0));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	munmap(sh, sizeof(*sh));
	kipc_mutex_detach(h);
}

/*
 * EOWNERDEAD only for an owner that died holding the mutex.  Short-lived
 * children lock (the fast path, or the kernel when contended), count, unlock
 * in user space and exit at once, one after another, while long-lived
 * processes contend through the kernel: two try-lock in a loop, which reads
 * the word and judges its owner without closing the fast path, one locks
 * and unlocks.  A kernel that judged an owner dead after it had unlocked
 * and begun to exit (and acted on that verdict) hands out EOWNERDEAD here;
 * nobody ever dies holding the mutex, so no result may say so.
 */
#define RC_CHILDREN	3000
#define RC_MIN_CHILDREN	300	/* the old kernel failed within 218 */
#define RC_BUDGET_S	120	/* a KASAN/lockdep kernel is ten times slower */
#define RC_CONTENDERS	3

struct rc_shared {
	volatile uint64_t counter;
	uint64_t taken;		/* successful locks, children and contenders */
	int holders;
	int max_holders;
	int ownerdead;		/* EOWNERDEAD results: all spurious */
	int errors;		/* any other unexpected result */
	int stop;
};

static void rc_count(struct rc_shared *sh, int ret)
{
	if (ret == -EOWNERDEAD)
		__atomic_add_fetch(&sh->ownerdead, 1, __ATOMIC_SEQ_CST);
	else if (ret)
		__atomic_add_fetch(&sh->errors, 1, __ATOMIC_SEQ_CST);
}

/* Inside the mutex, held after @ret (0 or EOWNERDEAD): count and leave. */
static void rc_hold(struct rc_shared *sh, int fd, int ret)
{
	int hold = __atomic_add_fetch(&sh->holders, 1, __ATOMIC_SEQ_CST);

	if (hold > sh->max_holders)
		sh->max_holders = hold;
	sh->counter = sh->counter + 1;
	__atomic_add_fetch(&sh->taken, 1, __ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&sh->holders, 1, __ATOMIC_SEQ_CST);
	/* Keep going after a (wrong) EOWNERDEAD, to count them all. */
	if (ret == -EOWNERDEAD)
		kt_ioctl(fd, KIPC_MUTEX_IOC_CONSISTENT, NULL);
}

static void rc_contender(struct rc_shared *sh, int fd, bool trylock)
{
	int ret;

	while (!__atomic_load_n(&sh->stop, __ATOMIC_SEQ_CST)) {
		ret = raw_lock(fd, trylock ? KIPC_WAIT_NONBLOCK : 0, 0);
		if (ret == -EBUSY && trylock)
			continue;
		rc_count(sh, ret);
		if (ret && ret != -EOWNERDEAD)
			continue;
		rc_hold(sh, fd, ret);
		rc_count(sh, raw_unlock(fd));
	}
	_exit(0);
}

static void rc_child(struct rc_shared *sh, struct kipc_mutex *h, int fd)
{
	int ret = kipc_mutex_lock(h, KIPC_INFINITE);

	rc_count(sh, ret);
	if (!ret || ret == -EOWNERDEAD) {
		rc_hold(sh, fd, ret);
		rc_count(sh, kipc_mutex_unlock(h));
	}
	_exit(0);
}

TEST_F_TIMEOUT(kipc, robust_no_spurious_ownerdead, 300)
{
	pid_t con[RC_CONTENDERS], pid;
	struct rc_shared *sh;
	struct kipc_mutex *h;
	int64_t end = kt_now_ns() + RC_BUDGET_S * KT_NSEC_PER_SEC;
	int fd, i, n, bad = 0;

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	sh = kt_shared_map(sizeof(*sh));
	ASSERT_NE(NULL, sh);
	for (i = 0; i < RC_CONTENDERS; i++) {
		con[i] = kt_fork();
		ASSERT_LE(0, con[i]);
		if (con[i] == 0)
			rc_contender(sh, fd, i < RC_CONTENDERS - 1);
	}
	/*
	 * Stop at the first wrong result (what follows it says nothing), or
	 * when the time budget is spent on a slow (debug) kernel.
	 */
	for (n = 0; n < RC_CHILDREN && !bad && kt_now_ns() < end; n++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			rc_child(sh, h, fd);
		bad = kt_reap(pid, KT_CHILD_TIMEOUT_MS) != 0;
		bad |= __atomic_load_n(&sh->ownerdead, __ATOMIC_SEQ_CST) ||
		       __atomic_load_n(&sh->errors, __ATOMIC_SEQ_CST);
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < RC_CONTENDERS; i++)
		EXPECT_EQ(0, kt_reap(con[i], KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, bad);
	EXPECT_LE(RC_MIN_CHILDREN, n);
	EXPECT_EQ(0, sh->ownerdead);
	EXPECT_EQ(0, sh->errors);
	EXPECT_EQ(1, sh->max_holders);
	EXPECT_EQ(sh->taken, sh->counter);
	EXPECT_LE((uint64_t)n, sh->counter);
	EXPECT_EQ(0, kipc_mutex_lock(h, 0));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	TH_LOG("%d children, %llu locks in all, %d EOWNERDEAD, %d errors", n,
	       (unsigned long long)sh->counter, sh->ownerdead, sh->errors);
	kt_soak_count(n + RC_CONTENDERS, sh->counter);
	munmap(sh, sizeof(*sh));
	kipc_mutex_detach(h);
}

TEST_HARNESS_MAIN
