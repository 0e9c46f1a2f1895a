// SPDX-License-Identifier: GPL-2.0
/*
 * kipc shared region stress selftests: processes updating counters with
 * atomics in one region, and mappings made and unmade while others use
 * them.  `make soak` runs them repeatedly (their names say stress_).
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_region_util.h"

KT_FIXTURE()

/* ---- stress ------------------------------------------------------------------ */

#define ST_PROCS	8
#define ST_ITERS	20000

/*
 * The layout of the stress region: a page of shared counters, then one
 * page per process for its own counter and a block it checksums.
 */
struct st_shared {
	uint64_t ready;
	uint64_t go;
	uint64_t total;
	uint64_t sum;
	uint64_t done;
};

struct st_own {
	uint64_t count;
	uint64_t xsum;
	uint8_t block[256];
};

static int st_child(uint8_t *base, int idx)
{
	struct st_shared *s = (struct st_shared *)base;
	struct st_own *o = (struct st_own *)(base + (1 + idx) * PS);
	uint64_t i;

	__atomic_fetch_add(&s->ready, 1, __ATOMIC_RELEASE);
	if (wait_word(&s->go, 1, KT_CHILD_TIMEOUT_MS))
		return 1;
	for (i = 0; i < ST_ITERS; i++) {
		o->count++;
		o->block[i % sizeof(o->block)] += (uint8_t)(idx + 1);
		o->xsum += (uint8_t)(idx + 1);
		__atomic_fetch_add(&s->total, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&s->sum, (uint64_t)idx * ST_ITERS + i,
				   __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&s->done, 1, __ATOMIC_RELEASE);
	return 0;
}

TEST_F_TIMEOUT(kipc, stress_atomic_counters, 120)
{
	const char *name = kt_name("stress");
	const size_t len = (1 + ST_PROCS) * PS;
	pid_t pids[ST_PROCS];
	struct st_shared *s;
	uint64_t want = 0, bsum;
	uint8_t *p;
	int fd, i, j;

	fd = kipc_region_create(name, 0600, len, 0);
	ASSERT_LE(0, fd);
	p = kipc_region_map(fd, PROT_READ | PROT_WRITE, NULL, NULL);
	ASSERT_NE(NULL, p);
	s = (struct st_shared *)p;
	for (i = 0; i < ST_PROCS; i++) {
		pids[i] = kt_fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i])
			continue;
		if (i % 2) {
			/* Odd ones: a mapping of their own, by name. */
			int cfd;
			uint8_t *q;

			munmap(p, len);
			cfd = kipc_region_open(name, 0);
			if (cfd < 0)
				_exit(10);
			q = kipc_region_map(cfd, PROT_READ | PROT_WRITE, NULL,
					    NULL);
			if (!q)
				_exit(11);
			close(cfd);
			_exit(st_child(q, i));
		}
		_exit(st_child(p, i));
	}
	ASSERT_EQ(0, wait_word(&s->ready, ST_PROCS, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1U + ST_PROCS, r_maps(fd));
	__atomic_store_n(&s->go, 1, __ATOMIC_RELEASE);
	for (i = 0; i < ST_PROCS; i++)
		EXPECT_EQ(0, kt_reap(pids[i], 100000)) TH_LOG("child %d", i);
	EXPECT_EQ((uint64_t)ST_PROCS, __atomic_load_n(&s->done, __ATOMIC_ACQUIRE));
	EXPECT_EQ((uint64_t)ST_PROCS * ST_ITERS, s->total);
	for (i = 0; i < ST_PROCS; i++)
		for (j = 0; j < ST_ITERS; j++)
			want += (uint64_t)i * ST_ITERS + j;
	EXPECT_EQ(want, s->sum);
	for (i = 0; i < ST_PROCS; i++) {
		struct st_own *o = (struct st_own *)(p + (1 + i) * PS);

		EXPECT_EQ((uint64_t)ST_ITERS, o->count) TH_LOG("child %d", i);
		EXPECT_EQ((uint64_t)ST_ITERS * (i + 1), o->xsum);
		bsum = 0;
		for (j = 0; j < (int)sizeof(o->block); j++)
			bsum += o->block[j];
		/* Each of the 256 bytes got ITERS/256 additions, mod 256. */
		EXPECT_EQ((uint64_t)(uint8_t)((ST_ITERS / 256 + 1) * (i + 1)) *
			  (ST_ITERS % 256) +
			  (uint64_t)(uint8_t)((ST_ITERS / 256) * (i + 1)) *
			  (256 - ST_ITERS % 256), bsum);
		/* Nothing beyond the struct was touched. */
		EXPECT_EQ(-1, nonzero_at((uint8_t *)(o + 1),
					 PS - sizeof(*o)));
	}
	EXPECT_EQ(1U, r_maps(fd));
	kt_soak_count(ST_PROCS, s->total);
	ASSERT_EQ(0, munmap(p, len));
	close(fd);
}

/* Many short-lived processes mapping, writing and exiting. */
TEST_F_TIMEOUT(kipc, stress_map_churn, 120)
{
	const char *name = kt_name("churn");
	const size_t len = 16 * PS;
	uint64_t *w;
	uint8_t *p;
	int fd, i, round;
	pid_t pids[4];

	fd = kipc_region_create(name, 0600, len, 0);
	ASSERT_LE(0, fd);
	p = kipc_region_map(fd, PROT_READ | PROT_WRITE, NULL, NULL);
	ASSERT_NE(NULL, p);
	w = (uint64_t *)p;
	for (round = 0; round < 5; round++) {
		for (i = 0; i < 4; i++) {
			pids[i] = kt_fork();
			ASSERT_LE(0, pids[i]);
			if (pids[i])
				continue;
			for (int k = 0; k < 20; k++) {
				int cfd = kipc_region_open(name, 0);
				uint8_t *q;
				size_t off = (size_t)((i + k) % 16) * PS;

				if (cfd < 0)
					_exit(1);
				q = mmap(NULL, PS, PROT_READ | PROT_WRITE,
					 MAP_SHARED, cfd, off);
				close(cfd);
				if (q == MAP_FAILED)
					_exit(2);
				__atomic_fetch_add((uint64_t *)(q + 8), 1,
						   __ATOMIC_RELAXED);
				if (k % 2)
					munmap(q, PS);	/* else exit unmaps */
			}
			_exit(0);
		}
		for (i = 0; i < 4; i++)
			EXPECT_EQ(0, kt_reap(pids[i], 100000));
		EXPECT_EQ(1U, r_maps(fd));
	}
	{
		uint64_t total = 0;

		for (i = 0; i < 16; i++)
			total += w[i * PS / 8 + 1];
		EXPECT_EQ(5U * 4 * 20, total);
		/* Each: an open, a map and a write. */
		kt_soak_count(5 * 4, 3 * total);
	}
	ASSERT_EQ(0, munmap(p, len));
	close(fd);
}

TEST_HARNESS_MAIN
