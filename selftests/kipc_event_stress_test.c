// SPDX-License-Identifier: GPL-2.0
/*
 * kipc event stress selftest: producers and consumers in several
 * processes, every signal accounted for.  `make soak` runs it repeatedly
 * (its name says stress_).
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_event_util.h"

KT_FIXTURE()

/* ---- stress ------------------------------------------------------------------------------ */

#define SP		3	/* producers */
#define SC		3	/* consumers */
#define SK		150	/* signals per producer */
#define STOP		UINT64_MAX

struct stress_shared {
	uint64_t n;
	uint64_t vals[SP * SK + SC];
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Producers and consumers hand values over an auto-reset event @data under
 * a token protocol on a second auto-reset event @tok: a producer signals
 * @data only after taking the one token, and a consumer returns the token
 * after taking a value.  So @data is never signalled while set, no signal
 * can coalesce, and the outcome is exact: every value is consumed exactly
 * once, whatever the scheduling.
 */
TEST_F_TIMEOUT(kipc, stress_producers_consumers, 90)
{
	struct kipc_event_info in;
	struct stress_shared *sh;
	pid_t prod[SP], cons[SC];
	int data, tok, i, k;
	uint64_t n;

	sh = kt_shared_map(sizeof(*sh));
	ASSERT_NE(NULL, sh);
	data = new_event(0);
	ASSERT_LE(0, data);
	tok = new_event(KIPC_EVENT_SET);	/* the one token */
	ASSERT_LE(0, tok);

	for (i = 0; i < SC; i++) {
		cons[i] = kt_fork();
		ASSERT_LE(0, cons[i]);
		if (cons[i] == 0) {
			uint64_t v, idx;

			for (;;) {
				if (kipc_event_wait(data, CHILD_WAIT_NS, &v))
					_exit(20);
				if (v != STOP) {
					idx = __atomic_fetch_add(&sh->n, 1,
							__ATOMIC_SEQ_CST);
					if (idx < SP * SK)
						sh->vals[idx] = v;
				}
				if (kipc_event_signal(tok, 0))
					_exit(21);
				if (v == STOP)
					_exit(0);
			}
		}
	}
	for (i = 0; i < SP; i++) {
		prod[i] = kt_fork();
		ASSERT_LE(0, prod[i]);
		if (prod[i] == 0) {
			for (k = 0; k < SK; k++) {
				if (kipc_event_wait(tok, CHILD_WAIT_NS, NULL))
					_exit(10);
				if (kipc_event_signal(data,
						((uint64_t)(i + 1) << 32) | k))
					_exit(11);
			}
			_exit(0);
		}
	}
	for (i = 0; i < SP; i++)
		EXPECT_EQ(0, kt_reap(prod[i], 60000));
	/* Stop the consumers, one token at a time. */
	for (i = 0; i < SC; i++) {
		ASSERT_EQ(0, kipc_event_wait(tok, CHILD_WAIT_NS, NULL));
		ASSERT_EQ(0, kipc_event_signal(data, STOP));
	}
	for (i = 0; i < SC; i++)
		EXPECT_EQ(0, kt_reap(cons[i], KT_CHILD_TIMEOUT_MS));
	/* The last consumer gave the token back. */
	EXPECT_EQ(0, kipc_event_trywait(tok, NULL));

	n = __atomic_load_n(&sh->n, __ATOMIC_SEQ_CST);
	ASSERT_EQ((uint64_t)SP * SK, n);
	qsort(sh->vals, n, sizeof(sh->vals[0]), cmp_u64);
	for (i = 0; i < SP; i++)
		for (k = 0; k < SK; k++)
			ASSERT_EQ(((uint64_t)(i + 1) << 32) | k,
				  sh->vals[i * SK + k]);
	ASSERT_EQ(0, kt_event_info(data, &in));
	EXPECT_EQ((uint64_t)SP * SK + SC, in.signals);
	EXPECT_EQ((uint64_t)SP * SK + SC, in.wakeups);
	EXPECT_EQ(0U, in.state);
	EXPECT_EQ(0U, in.waiters);
	/* Signals and waits on both events. */
	kt_soak_count(SP + SC, 4ULL * (SP * SK + SC));
	munmap(sh, sizeof(*sh));
}

TEST_HARNESS_MAIN
