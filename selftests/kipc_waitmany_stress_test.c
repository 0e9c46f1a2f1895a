// SPDX-License-Identifier: GPL-2.0
/*
 * kipc wait-for-many stress selftests: processes waiting in any-mode and
 * in all-mode on shared objects, every unit counted.  `make soak` runs
 * them repeatedly (their names say stress_).
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_waitmany_util.h"

KT_FIXTURE()

/* ---- stress ------------------------------------------------------------------------ */

struct stress_any_sh {
	int taken[4];		/* by the waits for many: s1, s2, e1, e2 */
	int plain;		/* s1 units taken by kipc_sem_wait() */
	int total;
	uint64_t evsum[2];	/* values of the signals taken */
	uint64_t evsent[2];	/* values of the signals sent */
	int errors;
	int first_err;
	int first_where;
};

static void stress_err(struct stress_any_sh *sh, int err, int where)
{
	if (__atomic_add_fetch(&sh->errors, 1, __ATOMIC_SEQ_CST) == 1) {
		sh->first_err = err;
		sh->first_where = where;
	}
}

/*
 * K producers post two semaphores and signal two auto-reset events (one
 * signal at a time per event: a credit semaphore of maximum 1 says when
 * the last one was taken, so no signal can be merged with another); M
 * consumers wait for any of them and a plain consumer takes from the
 * first semaphore, fast path included.  Every unit and every signal is
 * taken exactly once.
 */
TEST_F_TIMEOUT(kipc, stress_any_exact_counts, 180)
{
	enum { K = 2, PER = 250, M = 2, TOTAL = K * PER * 4 };
	struct stress_any_sh *sh;
	struct kipc_sem *hs1, *hc[2];
	int s1, s2, e[2], c[2], stop, i, ret;
	pid_t prod[K], cons[M + 1];
	int64_t t0 = kt_now_ns();

	sh = kt_shared_map(sizeof(*sh));
	ASSERT_NE(NULL, sh);
	s1 = sem_new(0);
	s2 = sem_new(0);
	ASSERT_LE(0, s1);
	ASSERT_LE(0, s2);
	for (i = 0; i < 2; i++) {
		e[i] = ev_new(0);
		c[i] = kipc_sem_create(NULL, 0600, 1, 1, 0);
		ASSERT_LE(0, e[i]);
		ASSERT_LE(0, c[i]);
		ASSERT_EQ(0, kipc_sem_attach(c[i], &hc[i]));
	}
	stop = ev_new(KIPC_EVENT_MANUAL_RESET);
	ASSERT_LE(0, stop);
	ASSERT_EQ(0, kipc_sem_attach(s1, &hs1));

	for (i = 0; i < M; i++) {
		cons[i] = kt_fork();
		ASSERT_LE(0, cons[i]);
		if (cons[i] == 0) {
			struct kipc_wait_obj o[5];
			int fds[5] = { s1, s2, e[0], e[1], stop };
			unsigned int idx;

			wo_fill(o, fds, 5);
			for (;;) {
				ret = kipc_wait_many(o, 5, 0, 10 * SEC, &idx);
				if (ret) {
					stress_err(sh, ret, 1);
					break;
				}
				if (idx > 4 || n_ready(o, 5) != 1 ||
				    o[idx].ready != 1 || o[idx].error) {
					stress_err(sh, -EPROTO, 2);
					break;
				}
				if (idx == 4)
					break;
				__atomic_add_fetch(&sh->taken[idx], 1,
						   __ATOMIC_SEQ_CST);
				if (idx >= 2) {
					__atomic_add_fetch(&sh->evsum[idx - 2],
							   o[idx].value,
							   __ATOMIC_SEQ_CST);
					/* Max 1: a second take overflows. */
					ret = kipc_sem_post(hc[idx - 2], 1, 0);
					if (ret)
						stress_err(sh, ret, 3);
				}
				if (__atomic_add_fetch(&sh->total, 1,
						       __ATOMIC_SEQ_CST) == TOTAL)
					kipc_event_signal(stop, 1);
			}
			_exit(0);
		}
	}
	/* The plain consumer of s1. */
	cons[M] = kt_fork();
	ASSERT_LE(0, cons[M]);
	if (cons[M] == 0) {
		int64_t end = kt_now_ns() + 120 * SEC;

		while (ev_is_set(stop) == 0 && kt_now_ns() < end) {
			ret = kipc_sem_wait(hs1, 20 * MS, 0);
			if (ret == -ETIMEDOUT)
				continue;
			if (ret) {
				stress_err(sh, ret, 4);
				break;
			}
			__atomic_add_fetch(&sh->plain, 1, __ATOMIC_SEQ_CST);
			if (__atomic_add_fetch(&sh->total, 1,
					       __ATOMIC_SEQ_CST) == TOTAL)
				kipc_event_signal(stop, 1);
		}
		_exit(0);
	}
	for (i = 0; i < K; i++) {
		prod[i] = kt_fork();
		ASSERT_LE(0, prod[i]);
		if (prod[i] == 0) {
			struct kipc_sem *h1, *h2;
			uint64_t v;
			int j, k;

			/* Own handles: the fast path, as a producer has. */
			if (kipc_sem_attach(s1, &h1) || kipc_sem_attach(s2, &h2))
				_exit(1);
			for (j = 0; j < PER; j++) {
				if (kipc_sem_post(h1, 1, 0) ||
				    kipc_sem_post(h2, 1, 0))
					_exit(2);
				for (k = 0; k < 2; k++) {
					v = ((uint64_t)(i + 1) << 32) | (j + 1);
					if (kipc_sem_wait(hc[k], 20 * SEC, 0))
						_exit(3);
					__atomic_add_fetch(&sh->evsent[k], v,
							   __ATOMIC_SEQ_CST);
					if (kipc_event_signal(e[k], v))
						_exit(4);
				}
			}
			_exit(0);
		}
	}
	for (i = 0; i < K; i++) {
		EXPECT_EQ(0, kt_reap(prod[i], 120 * 1000)) TH_LOG("producer %d", i);
	}
	EXPECT_EQ(0, kipc_event_wait(stop, 60 * SEC, NULL))
		TH_LOG("total %d of %d", sh->total, TOTAL);
	for (i = 0; i <= M; i++) {
		EXPECT_EQ(0, kt_reap(cons[i], 30 * 1000)) TH_LOG("consumer %d", i);
	}

	EXPECT_EQ(0, sh->errors)
		TH_LOG("first error %d at %d", sh->first_err, sh->first_where);
	EXPECT_EQ(TOTAL, sh->total);
	EXPECT_EQ(K * PER, sh->taken[0] + sh->plain);
	EXPECT_EQ(K * PER, sh->taken[1]);
	EXPECT_EQ(K * PER, sh->taken[2]);
	EXPECT_EQ(K * PER, sh->taken[3]);
	EXPECT_EQ(sh->evsent[0], sh->evsum[0]);
	EXPECT_EQ(sh->evsent[1], sh->evsum[1]);
	EXPECT_EQ(0, sem_val(s1));
	EXPECT_EQ(0, sem_val(s2));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, ev_is_set(e[i]));
		EXPECT_EQ(1, sem_val(c[i]));
	}
	TH_LOG("%lld ms; s1: %d by waits for many, %d by kipc_sem_wait",
	       (long long)((kt_now_ns() - t0) / MS), sh->taken[0], sh->plain);
	kt_soak_count(K + M + 1, 2ULL * sh->total);
	kipc_sem_detach(hs1);
	kipc_sem_detach(hc[0]);
	kipc_sem_detach(hc[1]);
}

struct stress_all_sh {
	int taken;
	int errors;
	int first_err;
	int done;
};

/*
 * M consumers wait for all of {A, B} (in either array order); A is
 * posted first with B at 0, which must leave A alone, then A and B are
 * posted concurrently.  Every take is of one unit of each.
 */
TEST_F_TIMEOUT(kipc, stress_all_pairs, 180)
{
	enum { N = 2000, M = 2 };
	struct stress_all_sh *sh;
	struct kipc_sem *ha, *hb;
	int A = sem_new(0), B = sem_new(0), i;
	pid_t cons[M], pa, pb;
	int64_t end, t0 = kt_now_ns();

	ASSERT_LE(0, A);
	ASSERT_LE(0, B);
	ASSERT_EQ(0, kipc_sem_attach(A, &ha));
	ASSERT_EQ(0, kipc_sem_attach(B, &hb));
	sh = kt_shared_map(sizeof(*sh));
	ASSERT_NE(NULL, sh);

	for (i = 0; i < M; i++) {
		cons[i] = kt_fork();
		ASSERT_LE(0, cons[i]);
		if (cons[i] == 0) {
			struct kipc_wait_obj o[2];
			int64_t stop = kt_now_ns() + 150 * SEC;
			int ret, a = i & 1;

			wo_set(&o[a], A);
			wo_set(&o[!a], B);
			while (kt_now_ns() < stop) {
				ret = kipc_wait_many(o, 2, KIPC_WAIT_ALL,
						     50 * MS, NULL);
				if (ret == -ETIMEDOUT) {
					if (__atomic_load_n(&sh->done,
							    __ATOMIC_SEQ_CST))
						break;
					continue;
				}
				if (ret || o[0].ready != 1 || o[1].ready != 1) {
					if (__atomic_add_fetch(&sh->errors, 1,
							       __ATOMIC_SEQ_CST) == 1)
						sh->first_err = ret ? ret : -EPROTO;
					break;
				}
				if (__atomic_add_fetch(&sh->taken, 1,
						       __ATOMIC_SEQ_CST) == N)
					__atomic_store_n(&sh->done, 1,
							 __ATOMIC_SEQ_CST);
			}
			_exit(0);
		}
	}

	/* Phase 1: A alone; nothing may be taken. */
	pa = kt_fork();
	ASSERT_LE(0, pa);
	if (pa == 0) {
		for (i = 0; i < N / 2; i++)
			if (kipc_sem_post(ha, 1, 0))
				_exit(1);
		_exit(0);
	}
	ASSERT_EQ(0, kt_reap(pa, 60 * 1000));
	EXPECT_EQ(N / 2, sem_val(A));
	EXPECT_EQ(0, sh->taken);

	/* Phase 2: the rest of A and all of B, concurrently. */
	pa = kt_fork();
	ASSERT_LE(0, pa);
	if (pa == 0) {
		for (i = 0; i < N / 2; i++)
			if (kipc_sem_post(ha, 1, 0))
				_exit(1);
		_exit(0);
	}
	pb = kt_fork();
	ASSERT_LE(0, pb);
	if (pb == 0) {
		for (i = 0; i < N; i++)
			if (kipc_sem_post(hb, 1, 0))
				_exit(1);
		_exit(0);
	}
	EXPECT_EQ(0, kt_reap(pa, 60 * 1000));
	EXPECT_EQ(0, kt_reap(pb, 60 * 1000));
	end = kt_now_ns() + 60 * SEC;
	while (!__atomic_load_n(&sh->done, __ATOMIC_SEQ_CST) &&
	       !__atomic_load_n(&sh->errors, __ATOMIC_SEQ_CST) &&
	       kt_now_ns() < end)
		kt_sleep_ms(5);
	for (i = 0; i < M; i++) {
		EXPECT_EQ(0, kt_reap(cons[i], 30 * 1000));
	}
	EXPECT_EQ(0, sh->errors) TH_LOG("first error %d", sh->first_err);
	TH_LOG("%lld ms", (long long)((kt_now_ns() - t0) / MS));
	EXPECT_EQ(N, sh->taken);
	EXPECT_EQ(0, sem_val(A));
	EXPECT_EQ(0, sem_val(B));
	/* Posts of A and B, and the waits for both. */
	kt_soak_count(M + 2, 3ULL * sh->taken);
	kipc_sem_detach(ha);
	kipc_sem_detach(hb);
}

TEST_HARNESS_MAIN
