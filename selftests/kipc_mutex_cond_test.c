// SPDX-License-Identifier: GPL-2.0
/*
 * kipc condition variable selftests: signal, broadcast, FIFO order, timed
 * waits, errors, producer/consumer across processes, and an owner dying
 * while a waiter re-locks.
 *
 * Blocking calls in children are watched by the parent (or the child is
 * killed by the teardown), so a broken module fails a test instead of
 * hanging the suite.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_mutex_util.h"

KT_FIXTURE()

/* ---- condition variables ------------------------------------------------------------ */

TEST_F(kipc, cond_timed_wait_holds_mutex)
{
	struct kipc_mutex_info in;
	struct kipc_mutex *h;
	int fd, cfd;
	int64_t t0;

	NEW_MUTEX_COND(fd, h, cfd);
	ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	t0 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, kipc_cond_wait(cfd, h, 60 * KT_NSEC_PER_MSEC));
	EXPECT_LE(60 * KT_NSEC_PER_MSEC, kt_now_ns() - t0);
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ((uint32_t)kt_gettid(), in.owner_tid);
	EXPECT_EQ(0, kt_fdinfo_val(cfd, "cond-waiters:"));
	EXPECT_EQ(-ETIMEDOUT, kipc_cond_wait(cfd, h, 0));
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ((uint32_t)kt_gettid(), in.owner_tid);
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

TEST_F(kipc, cond_errors)
{
	struct kipc_cond_wait w;
	struct kipc_cond_signal s;
	struct kipc_mutex *h, *rh;
	int fd, rfd, cfd, efd, ro, wo, p[2];
	struct holder t;

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	rfd = mk_mutex(KIPC_MUTEX_RECURSIVE, &rh);
	ASSERT_LE(0, rfd);
	cfd = kipc_cond_create(NULL, 0600, 0);
	ASSERT_LE(0, cfd);
	efd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, pipe(p));

	/* Not held: by nobody, by another thread. */
	EXPECT_EQ(-EPERM, kipc_cond_wait(cfd, h, KIPC_INFINITE));
	ASSERT_EQ(0, holder_start(&t, h, 0));
	EXPECT_EQ(-EPERM, kipc_cond_wait(cfd, h, KIPC_INFINITE));
	EXPECT_EQ(0, holder_stop(&t));

	ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	memset(&w, 0, sizeof(w));
	w.mutex_fd = efd;
	EXPECT_EQ(-EINVAL, kt_ioctl(cfd, KIPC_COND_IOC_WAIT, &w));
	w.mutex_fd = p[0];
	EXPECT_EQ(-EINVAL, kt_ioctl(cfd, KIPC_COND_IOC_WAIT, &w));
	w.mutex_fd = cfd;
	EXPECT_EQ(-EINVAL, kt_ioctl(cfd, KIPC_COND_IOC_WAIT, &w));
	w.mutex_fd = 999;
	EXPECT_EQ(-EBADF, kt_ioctl(cfd, KIPC_COND_IOC_WAIT, &w));
	w.mutex_fd = fd;
	w.flags = KIPC_WAIT_NONBLOCK;
	EXPECT_EQ(-EINVAL, kt_ioctl(cfd, KIPC_COND_IOC_WAIT, &w));
	w.flags = 0;
	w.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(cfd, KIPC_COND_IOC_WAIT, &w));
	w.reserved[1] = 0;
	w.deadline.tv_sec = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(cfd, KIPC_COND_IOC_WAIT, &w));
	w.flags = KIPC_WAIT_DEADLINE;
	w.deadline.tv_nsec = 1000000000ULL;
	EXPECT_EQ(-EINVAL, kt_ioctl(cfd, KIPC_COND_IOC_WAIT, &w));
	EXPECT_EQ(-EFAULT, kt_ioctl(cfd, KIPC_COND_IOC_WAIT, NULL));
	/* A wait on a mutex fd: not a cond. */
	w.deadline.tv_nsec = 0;
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, KIPC_COND_IOC_WAIT, &w));

	/* Access modes: waiting reads, signalling writes. */
	ro = kipc_reopen(cfd, KIPC_FD_RDONLY);
	ASSERT_LE(0, ro);
	wo = kipc_reopen(cfd, KIPC_FD_WRONLY);
	ASSERT_LE(0, wo);
	EXPECT_EQ(-EBADF, kipc_cond_wait(wo, h, KIPC_INFINITE));
	EXPECT_EQ(-EBADF, kipc_cond_signal(ro, 0));
	EXPECT_EQ(0, kipc_cond_signal(wo, 1));
	EXPECT_EQ(-ETIMEDOUT, kipc_cond_wait(ro, h, 1));
	memset(&s, 0, sizeof(s));
	s.flags = 2;
	EXPECT_EQ(-EINVAL, kt_ioctl(cfd, KIPC_COND_IOC_SIGNAL, &s));
	s.flags = 0;
	s.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(cfd, KIPC_COND_IOC_SIGNAL, &s));
	/* Still held after every failure. */
	EXPECT_EQ(-EDEADLK, kipc_mutex_lock(h, 0));
	EXPECT_EQ(0, kipc_mutex_unlock(h));

	/* A recursive mutex held twice cannot be released by a wait. */
	ASSERT_EQ(0, kipc_mutex_lock(rh, KIPC_INFINITE));
	EXPECT_EQ(-ETIMEDOUT, kipc_cond_wait(cfd, rh, 1));
	ASSERT_EQ(0, kipc_mutex_lock(rh, KIPC_INFINITE));
	EXPECT_EQ(-EPERM, kipc_cond_wait(cfd, rh, 1));
	EXPECT_EQ(0, kipc_mutex_unlock(rh));
	EXPECT_EQ(0, kipc_mutex_unlock(rh));
	EXPECT_EQ(-EPERM, kipc_mutex_unlock(rh));
	kipc_mutex_detach(h);
	kipc_mutex_detach(rh);
}

/* @n children wait on @cfd; each reports when woken, then unlocks. */
static int fork_cond_waiters(struct kipc_mutex *h, int cfd, int n, int pfd,
			     pid_t *pids)
{
	int i;

	for (i = 0; i < n; i++) {
		pids[i] = kt_fork();
		if (pids[i] < 0)
			return -1;
		if (pids[i] == 0) {
			int ret = kipc_mutex_lock(h, KIPC_INFINITE);

			if (!ret)
				ret = kipc_cond_wait(cfd, h, KIPC_INFINITE);
			kt_report(pfd, i, ret, 0);
			kipc_mutex_unlock(h);
			_exit(0);
		}
	}
	return 0;
}

TEST_F(kipc, cond_signal_wakes_one_broadcast_all)
{
	struct kipc_mutex *h;
	struct kt_report r;
	int fd, cfd, pfd[2], i;
	pid_t pid[3];

	NEW_MUTEX_COND(fd, h, cfd);
	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(0, fork_cond_waiters(h, cfd, 3, pfd[1], pid));
	ASSERT_EQ(0, kt_wait_waiters(cfd, 3, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, kipc_cond_signal(cfd, 0));
	ASSERT_EQ(1, kt_read_report(pfd[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0, kt_read_report(pfd[0], &r, 200));
	EXPECT_EQ(2, kt_fdinfo_val(cfd, "cond-waiters:"));
	EXPECT_EQ(2, kipc_cond_signal(cfd, 1));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(1, kt_read_report(pfd[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, r.ret);
	}
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, kt_reap(pid[i], KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kipc_cond_signal(cfd, 1));
	EXPECT_EQ(3, kt_fdinfo_val(cfd, "cond-wakeups:"));
	kipc_mutex_detach(h);
}

TEST_F(kipc, cond_signal_fifo)
{
	struct kipc_mutex *h;
	struct kt_report r;
	int fd, cfd, pfd[2], i;
	pid_t pid[3];

	NEW_MUTEX_COND(fd, h, cfd);
	ASSERT_EQ(0, pipe(pfd));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, fork_cond_waiters(h, cfd, 1, pfd[1], &pid[i]));
		ASSERT_EQ(0, kt_wait_waiters(cfd, i + 1, KT_CHILD_TIMEOUT_MS));
	}
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(1, kipc_cond_signal(cfd, 0));
		ASSERT_EQ(1, kt_read_report(pfd[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, r.ret);
		/* Each child reports index 0: tell them apart by order. */
		EXPECT_EQ(0, kt_reap(pid[i], KT_CHILD_TIMEOUT_MS));
	}
	kipc_mutex_detach(h);
}

TEST_F(kipc, cond_signal_before_wait_is_not_kept)
{
	struct kipc_mutex *h;
	int fd, cfd;

	NEW_MUTEX_COND(fd, h, cfd);
	EXPECT_EQ(0, kipc_cond_signal(cfd, 0));
	ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	EXPECT_EQ(-ETIMEDOUT, kipc_cond_wait(cfd, h, 20 * KT_NSEC_PER_MSEC));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

#define PC_SLOTS	8
#define PC_PRODUCERS	2
#define PC_CONSUMERS	2
#define PC_ITEMS	1000

struct pc_shared {
	uint32_t buf[PC_SLOTS];
	uint32_t head, tail, count;
	int done;
	int errors;
	uint8_t seen[PC_PRODUCERS * PC_ITEMS];
};

TEST_F(kipc, cond_producer_consumer_processes)
{
	struct kipc_mutex *h;
	struct pc_shared *sh;
	int fd, nf, ne, i, n;
	pid_t prod[PC_PRODUCERS], cons[PC_CONSUMERS];

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	nf = kipc_cond_create(NULL, 0600, 0);
	ne = kipc_cond_create(NULL, 0600, 0);
	ASSERT_LE(0, nf);
	ASSERT_LE(0, ne);
	sh = kt_shared_map(sizeof(*sh));
	ASSERT_NE(NULL, sh);

	for (i = 0; i < PC_CONSUMERS; i++) {
		cons[i] = kt_fork();
		ASSERT_LE(0, cons[i]);
		if (cons[i] == 0) {
			for (;;) {
				uint32_t item;

				if (kipc_mutex_lock(h, KIPC_INFINITE))
					_exit(2);
				while (!sh->count && !sh->done)
					if (kipc_cond_wait(ne, h, KIPC_INFINITE))
						_exit(3);
				if (!sh->count) {
					kipc_mutex_unlock(h);
					_exit(0);
				}
				item = sh->buf[sh->tail];
				sh->tail = (sh->tail + 1) % PC_SLOTS;
				sh->count--;
				if (item >= PC_PRODUCERS * PC_ITEMS)
					sh->errors++;
				else
					sh->seen[item]++;
				kipc_cond_signal(nf, 0);
				if (kipc_mutex_unlock(h))
					_exit(4);
			}
		}
	}
	for (i = 0; i < PC_PRODUCERS; i++) {
		prod[i] = kt_fork();
		ASSERT_LE(0, prod[i]);
		if (prod[i] == 0) {
			for (n = 0; n < PC_ITEMS; n++) {
				if (kipc_mutex_lock(h, KIPC_INFINITE))
					_exit(2);
				while (sh->count == PC_SLOTS)
					if (kipc_cond_wait(nf, h, KIPC_INFINITE))
						_exit(3);
				sh->buf[sh->head] = i * PC_ITEMS + n;
				sh->head = (sh->head + 1) % PC_SLOTS;
				sh->count++;
				kipc_cond_signal(ne, 0);
				if (kipc_mutex_unlock(h))
					_exit(4);
			}
			_exit(0);
		}
	}
	for (i = 0; i < PC_PRODUCERS; i++)
		EXPECT_EQ(0, kt_reap(prod[i], 120000));
	ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	sh->done = 1;
	kipc_cond_signal(ne, 1);
	ASSERT_EQ(0, kipc_mutex_unlock(h));
	for (i = 0; i < PC_CONSUMERS; i++)
		EXPECT_EQ(0, kt_reap(cons[i], 60000));
	EXPECT_EQ(0, sh->errors);
	EXPECT_EQ(0U, sh->count);
	n = 0;
	for (i = 0; i < PC_PRODUCERS * PC_ITEMS; i++)
		if (sh->seen[i] != 1)
			n++;
	EXPECT_EQ(0, n);
	/* Each item: a producer's lock and a consumer's. */
	kt_soak_count(PC_PRODUCERS + PC_CONSUMERS, 2ULL * PC_PRODUCERS * PC_ITEMS);
	munmap(sh, sizeof(*sh));
	kipc_mutex_detach(h);
}

TEST_F(kipc, cond_wait_owner_dies_during_relock)
{
	struct kipc_mutex_info in;
	struct kipc_mutex *h;
	int fd, cfd, pfd[2];
	pid_t pid, killer;

	NEW_MUTEX_COND(fd, h, cfd);
	ASSERT_EQ(0, pipe(pfd));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret;

		/* Wait until the parent is in its cond wait, then lock. */
		while (kt_fdinfo_val(cfd, "cond-waiters:") != 1)
			kt_sleep_ms(1);
		ret = kipc_mutex_lock(h, KIPC_INFINITE);
		if (!ret)
			ret = kipc_cond_signal(cfd, 0) == 1 ? 0 : -EIO;
		kt_report(pfd[1], 0, ret, 0);
		for (;;)
			pause();
	}
	ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	/* A second child kills the first once it holds the mutex. */
	killer = kt_fork();
	ASSERT_LE(0, killer);
	if (killer == 0) {
		struct kt_report rr;

		if (kt_read_report(pfd[0], &rr, KT_CHILD_TIMEOUT_MS) != 1)
			_exit(1);
		kt_sleep_ms(50);
		kill(pid, SIGKILL);
		_exit(rr.ret ? 2 : 0);
	}
	EXPECT_EQ(-EOWNERDEAD, kipc_cond_wait(cfd, h, KIPC_INFINITE));
	EXPECT_EQ(0, kt_reap(killer, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ((uint32_t)kt_gettid(), in.owner_tid);
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_OWNERDEAD, in.state);
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	EXPECT_EQ(256 + SIGKILL, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	kipc_mutex_detach(h);
}

TEST_F(kipc, cond_wait_keeps_ownerdead)
{
	struct kipc_mutex *h;
	uint32_t dead;
	int fd, cfd;

	NEW_MUTEX_COND(fd, h, cfd);
	ASSERT_EQ(0, kill_holder(_metadata, h, &dead));
	ASSERT_EQ(-EOWNERDEAD, kipc_mutex_lock(h, KIPC_INFINITE));
	/* A wait is not an unlock: the obligation comes back with it. */
	EXPECT_EQ(-EOWNERDEAD, kipc_cond_wait(cfd, h, 10 * KT_NSEC_PER_MSEC));
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(-ETIMEDOUT, kipc_cond_wait(cfd, h, 10 * KT_NSEC_PER_MSEC));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

TEST_HARNESS_MAIN
