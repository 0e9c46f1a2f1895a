// SPDX-License-Identifier: GPL-2.0
/*
 * kipc semaphore stress selftests: processes mixing the kernel path and
 * the user-space fast path, as a mutex and as a counting semaphore.
 * `make soak` runs them repeatedly (their names say stress_).
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_sem_util.h"

KT_FIXTURE()

/* ---- stress ---------------------------------------------------------------------------- */

struct stress_shared {
	volatile uint64_t counter;
	int holders;
	int max_holders;
	int errors;
};

/* Almost every operation enters the kernel here: slow under KASAN. */
TEST_F_TIMEOUT(kipc, stress_mutex_mixed_paths, 180)
{
	enum { N = 6, M = 1500 };
	struct stress_shared *sh;
	struct kipc_sem_info in;
	int fd = sem_new(1, 1), i;
	pid_t pids[N];

	ASSERT_LE(0, fd);
	sh = kt_shared_map(sizeof(*sh));
	ASSERT_NE(NULL, sh);
	for (i = 0; i < N; i++) {
		pids[i] = kt_fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			struct kipc_sem *h = NULL;
			bool fast = i & 1;
			int j, ret, held;
			uint64_t c;

			if (fast && kipc_sem_attach(fd, &h))
				_exit(1);
			for (j = 0; j < M; j++) {
				ret = fast ? kipc_sem_wait(h, CHILD_WAIT_NS, 0) :
					     s_wait_for(fd, CHILD_WAIT_NS, 0);
				if (ret)
					_exit(2);
				held = __atomic_add_fetch(&sh->holders, 1,
							  __ATOMIC_SEQ_CST);
				if (held > 1)
					__atomic_store_n(&sh->max_holders, held,
							 __ATOMIC_SEQ_CST);
				c = sh->counter;
				if (!(j % 64))
					sched_yield();
				sh->counter = c + 1;
				__atomic_sub_fetch(&sh->holders, 1,
						   __ATOMIC_SEQ_CST);
				ret = fast ? kipc_sem_post(h, 1, 0) :
					     s_post(fd, 1, 0);
				if (ret)
					_exit(3);
			}
			_exit(0);
		}
	}
	for (i = 0; i < N; i++)
		EXPECT_EQ(0, kt_reap(pids[i], 120000));
	EXPECT_EQ((uint64_t)N * M, sh->counter);
	EXPECT_EQ(0, sh->max_holders);
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(1U, in.value);
	EXPECT_EQ(0U, in.waiters);
	TH_LOG("kernel posts %llu, kernel waits %llu of %d",
	       (unsigned long long)in.posts, (unsigned long long)in.waits,
	       N * M);
	kt_soak_count(N, 2 * sh->counter);	/* a wait and a post each */
	munmap(sh, sizeof(*sh));
}

/*
 * One post or wait on path @path: 0 the ioctls (waits with a deadline),
 * 1 libkipc's handle (its kernel calls are read(2) and write(2)), 2 plain
 * read(2) and write(2) on the fd.
 */
static int stress_op(int fd, struct kipc_sem *h, int path, bool post)
{
	uint64_t v = 1;
	ssize_t n;

	switch (path) {
	case 0:
		return post ? s_post(fd, 1, 0) : s_wait_for(fd, CHILD_WAIT_NS, 0);
	case 1:
		return post ? kipc_sem_post(h, 1, 0) :
			      kipc_sem_wait(h, KIPC_INFINITE, 0);
	default:
		n = post ? s_write(fd, v) : s_read(fd, &v);
		return n == 8 ? 0 : (int)n;
	}
}

/* Producers and consumers on all three paths: every unit arrives once. */
TEST_F(kipc, stress_counting_mixed_paths)
{
	enum { N = 6, M = 4000 };
	struct kipc_sem_info in;
	int fd = sem_new(0, 64), i;
	pid_t pids[2 * N];

	ASSERT_LE(0, fd);
	for (i = 0; i < 2 * N; i++) {
		pids[i] = kt_fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			struct kipc_sem *h = NULL;
			bool producer = i < N;
			int j, ret, path = i % 3;

			if (path == 1 && kipc_sem_attach(fd, &h))
				_exit(1);
			for (j = 0; j < M; j++) {
				do {
					ret = stress_op(fd, h, path, producer);
					if (ret == -EOVERFLOW)
						sched_yield();
				} while (ret == -EOVERFLOW);
				if (ret)
					_exit(2);
			}
			_exit(0);
		}
	}
	for (i = 0; i < 2 * N; i++)
		EXPECT_EQ(0, kt_reap(pids[i], 120000));
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(0U, in.value);
	EXPECT_EQ(0U, in.waiters);
	EXPECT_GT((uint64_t)N * M, in.posts);	/* some posts stayed in user space */
	TH_LOG("kernel posts %llu, kernel waits %llu of %d",
	       (unsigned long long)in.posts, (unsigned long long)in.waits,
	       N * M);
	kt_soak_count(2 * N, 2ULL * N * M);	/* N * M posts, as many waits */
}

TEST_HARNESS_MAIN
