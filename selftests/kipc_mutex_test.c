// SPDX-License-Identifier: GPL-2.0
/*
 * kipc mutex selftests: locking through the user-space fast path and
 * through the kernel, try-locks and timed locks, ownership errors, recursive
 * mutexes, FIFO hand-off, robustness (owners killed, threads exiting,
 * EOWNERDEAD, consistent, ENOTRECOVERABLE), signals interrupting waits, and
 * garbage written to the mapped word.  Condition variables are in
 * kipc_mutex_cond_test.c, the multi-process stress tests in
 * kipc_mutex_stress_test.c.
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

/* ---- helpers ---------------------------------------------------------------- */

/* Wait until the mutex is owned by someone (a child locked it). */
static int wait_owned(int fd, int timeout_ms)
{
	int64_t end = kt_now_ns() + timeout_ms * KT_NSEC_PER_MSEC;
	struct kipc_mutex_info in;

	for (;;) {
		if (minfo(fd, &in))
			return -EIO;
		if (in.owner_tid)
			return (int)in.owner_tid;
		if (kt_now_ns() > end)
			return -ETIMEDOUT;
		kt_sleep_ms(1);
	}
}

static int noop_hits;

static void noop_handler(int sig)
{
	__atomic_add_fetch(&noop_hits, 1, __ATOMIC_SEQ_CST);
}

static void set_handler(int sig, int flags)
{
	kt_on_signal(sig, noop_handler, flags);
}

/* ---- creation, attributes, access ------------------------------------------ */

TEST_F(kipc, create_defaults)
{
	struct kipc_mutex_info in;
	int fd, fd2, cfd;

	fd = kipc_mutex_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ(0U, in.flags);
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_OK, in.state);
	EXPECT_EQ(0U, in.owner_tid);
	EXPECT_EQ(0U, in.owner_pid);
	EXPECT_EQ(0U, in.depth);
	EXPECT_EQ(0U, in.waiters);
	EXPECT_EQ(0, kt_fdinfo_val(fd, "mutex-recursive:"));
	EXPECT_EQ(0, kt_fdinfo_val(fd, "mutex-word:"));
	EXPECT_EQ(0, kt_fdinfo_val(fd, "mutex-waiters:"));

	/* No attributes at all: the defaults. */
	fd2 = kt_create_type(KIPC_TYPE_MUTEX, NULL, 0, NULL, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, minfo(fd2, &in));
	EXPECT_EQ(0U, in.flags);

	cfd = kipc_cond_create(NULL, 0600, 0);
	ASSERT_LE(0, cfd);
	EXPECT_EQ(0, kt_fdinfo_val(cfd, "cond-waiters:"));
	EXPECT_EQ(0, kipc_cond_signal(cfd, 0));
	EXPECT_EQ(0, kipc_cond_signal(cfd, 1));
	EXPECT_EQ(2, kt_fdinfo_val(cfd, "cond-signals:"));
}

TEST_F(kipc, create_recursive_attr)
{
	struct kipc_mutex_info in;
	int fd = kipc_mutex_create(NULL, 0600, KIPC_MUTEX_RECURSIVE, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ((uint32_t)KIPC_MUTEX_RECURSIVE, in.flags);
	EXPECT_EQ(1, kt_fdinfo_val(fd, "mutex-recursive:"));
}

TEST_F(kipc, create_bad_attr)
{
	struct kipc_mutex_attr a;

	EXPECT_EQ(-EINVAL, kipc_mutex_create(NULL, 0600, 2, 0));
	EXPECT_EQ(-EINVAL, kipc_mutex_create(NULL, 0600, 0x80000000U, 0));
	memset(&a, 0, sizeof(a));
	a.__pad = 1;
	EXPECT_EQ(-EINVAL, kipc_create(KIPC_TYPE_MUTEX, NULL, 0600, &a,
				       sizeof(a), 0));
	memset(&a, 0, sizeof(a));
	a.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, kipc_create(KIPC_TYPE_MUTEX, NULL, 0600, &a,
				       sizeof(a), 0));
	/* Too small an attribute struct. */
	memset(&a, 0, sizeof(a));
	EXPECT_EQ(-EINVAL, kipc_create(KIPC_TYPE_MUTEX, NULL, 0600, &a, 4, 0));
}

TEST_F(kipc, mutex_fd_needs_read_write)
{
	const char *name = kt_name("mx");
	int fd;

	EXPECT_EQ(-EINVAL, kipc_mutex_create(NULL, 0600, 0, KIPC_FD_RDONLY));
	EXPECT_EQ(-EINVAL, kipc_mutex_create(NULL, 0600, 0, KIPC_FD_WRONLY));
	fd = kipc_mutex_create(name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, kipc_mutex_open(name, KIPC_FD_RDONLY));
	EXPECT_EQ(-EINVAL, kipc_mutex_open(name, KIPC_FD_WRONLY));
	EXPECT_LE(0, kipc_mutex_open(name, 0));
}

TEST_F(kipc, named_mutex_shared)
{
	const char *name = kt_name("mx");
	struct kipc_mutex *a, *b;
	struct kipc_mutex_info in;
	int fa, fb;

	fa = kipc_mutex_create(name, 0600, 0, 0);
	ASSERT_LE(0, fa);
	fb = kipc_mutex_open(name, 0);
	ASSERT_LE(0, fb);
	ASSERT_EQ(0, kipc_mutex_attach(fa, &a));
	ASSERT_EQ(0, kipc_mutex_attach(fb, &b));
	ASSERT_EQ(0, kipc_mutex_lock(a, KIPC_INFINITE));
	ASSERT_EQ(0, minfo(fb, &in));
	EXPECT_EQ((uint32_t)kt_gettid(), in.owner_tid);
	EXPECT_EQ(-EDEADLK, kipc_mutex_lock(b, 0));
	/* Unlock through the other handle: same word, same owner. */
	EXPECT_EQ(0, kipc_mutex_unlock(b));
	ASSERT_EQ(0, minfo(fa, &in));
	EXPECT_EQ(0U, in.owner_tid);
	kipc_mutex_detach(a);
	kipc_mutex_detach(b);
	kipc_mutex_detach(NULL);
}

TEST_F(kipc, attach_not_a_mutex)
{
	struct kipc_mutex *h = NULL;
	int efd = kipc_event_create(NULL, 0600, 0, 0);
	int cfd = kipc_cond_create(NULL, 0600, 0);

	ASSERT_LE(0, efd);
	ASSERT_LE(0, cfd);
	EXPECT_EQ(-ENOTTY, kipc_mutex_attach(efd, &h));
	EXPECT_EQ(-ENOTTY, kipc_mutex_attach(cfd, &h));
	EXPECT_EQ(NULL, h);
}

TEST_F(kipc, mmap_rules)
{
	struct kipc_stats s0, s1;
	uint32_t *w;
	void *p;
	int fd;

	ASSERT_EQ(0, kt_stats(&s0));
	fd = mk_mutex(0, NULL);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 2 * MAPSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, MAPSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, MAPSZ);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, MAPSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	/* A mapping keeps the mutex alive after its last fd. */
	w = map_word(fd);
	ASSERT_NE(NULL, w);
	EXPECT_EQ(0U, *w);
	close(fd);
	ASSERT_EQ(0, kt_stats(&s1));
	EXPECT_EQ(s0.objects + 1, s1.objects);
	*w = 12345;
	EXPECT_EQ(0, munmap(w, MAPSZ));
	ASSERT_EQ(0, kt_stats(&s1));
	EXPECT_EQ(s0.objects, s1.objects);
}

/* ---- lock and unlock ---------------------------------------------------------- */

TEST_F(kipc, lock_unlock_fast_path)
{
	struct kipc_mutex_info in;
	struct kipc_mutex *h;
	uint32_t *w;
	int fd, i;

	NEW_MAPPED_MUTEX(fd, &h, w);
	ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	EXPECT_EQ((uint32_t)kt_gettid(), *w);
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ((uint32_t)kt_gettid(), in.owner_tid);
	EXPECT_EQ((uint32_t)getpid(), in.owner_pid);
	EXPECT_EQ(1U, in.depth);
	EXPECT_EQ((long long)(uint32_t)kt_gettid(), kt_fdinfo_val(fd, "mutex-owner:"));
	ASSERT_EQ(0, kipc_mutex_unlock(h));
	EXPECT_EQ(0U, *w);
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, kipc_mutex_lock(h, 0));
		ASSERT_EQ(0, kipc_mutex_unlock(h));
	}
	kipc_mutex_detach(h);
	munmap(w, MAPSZ);
}

TEST_F(kipc, lock_unlock_kernel_path)
{
	struct kipc_mutex_info in;
	uint32_t *w;
	int fd;

	NEW_MAPPED_MUTEX(fd, NULL, w);
	ASSERT_EQ(0, raw_lock(fd, 0, 0));
	EXPECT_EQ((uint32_t)kt_gettid(), *w);
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ((uint32_t)kt_gettid(), in.owner_tid);
	EXPECT_EQ(-EDEADLK, raw_lock(fd, 0, 0));
	EXPECT_EQ(-EDEADLK, raw_lock(fd, KIPC_WAIT_NONBLOCK, 0));
	EXPECT_EQ(0, raw_unlock(fd));
	EXPECT_EQ(0U, *w);
	EXPECT_EQ(-EPERM, raw_unlock(fd));
	/* Locked in user space, unlocked by the kernel and back. */
	*w = (uint32_t)kt_gettid();
	EXPECT_EQ(0, raw_unlock(fd));
	EXPECT_EQ(0U, *w);
	ASSERT_EQ(0, raw_lock(fd, KIPC_WAIT_NONBLOCK, 0));
	EXPECT_EQ((uint32_t)kt_gettid(), *w);
	*w = 0;
	munmap(w, MAPSZ);
}

TEST_F(kipc, relock_edeadlk)
{
	struct kipc_mutex *h;
	int fd = mk_mutex(0, &h);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	EXPECT_EQ(-EDEADLK, kipc_mutex_lock(h, KIPC_INFINITE));
	EXPECT_EQ(-EDEADLK, kipc_mutex_lock(h, 0));
	EXPECT_EQ(-EDEADLK, kipc_mutex_lock(h, 10 * KT_NSEC_PER_MSEC));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	EXPECT_EQ(-EPERM, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

TEST_F(kipc, trylock_busy)
{
	struct kipc_mutex *h;
	struct holder t;
	int fd, nb;

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, holder_start(&t, h, 0));
	EXPECT_EQ(-EBUSY, kipc_mutex_lock(h, 0));
	EXPECT_EQ(-EBUSY, raw_lock(fd, KIPC_WAIT_NONBLOCK, 0));
	/* An O_NONBLOCK fd tries once. */
	nb = kipc_reopen(fd, KIPC_FD_NONBLOCK);
	ASSERT_LE(0, nb);
	EXPECT_EQ(-EBUSY, raw_lock(nb, 0, 0));
	EXPECT_EQ(0, holder_stop(&t));
	EXPECT_EQ(0, raw_lock(nb, 0, 0));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

TEST_F(kipc, timed_lock_etimedout)
{
	struct kipc_mutex *h;
	struct holder t;
	int64_t t0, el;
	int fd;

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, holder_start(&t, h, 0));
	t0 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, kipc_mutex_lock(h, 50 * KT_NSEC_PER_MSEC));
	el = kt_now_ns() - t0;
	EXPECT_LE(50 * KT_NSEC_PER_MSEC, el);
	/* Longer than the owner-liveness recheck. */
	t0 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, raw_lock(fd, KIPC_WAIT_DEADLINE,
				       t0 + 250 * KT_NSEC_PER_MSEC));
	EXPECT_LE(250 * KT_NSEC_PER_MSEC, kt_now_ns() - t0);
	/* A deadline in the past tries once. */
	EXPECT_EQ(-ETIMEDOUT, raw_lock(fd, KIPC_WAIT_DEADLINE, 0));
	EXPECT_EQ(0, holder_stop(&t));
	/* Free: a timed lock takes it at once. */
	EXPECT_EQ(0, raw_lock(fd, KIPC_WAIT_DEADLINE, 0));
	EXPECT_EQ(0, raw_unlock(fd));
	kipc_mutex_detach(h);
}

/* A bad lock argument: EINVAL, and the mutex stays free. */
KT_FIXTURE_NAMED(lock_args, (void)0)

FIXTURE_VARIANT(lock_args) {
	struct kipc_mutex_lock l;
};

FIXTURE_VARIANT_ADD(lock_args, deadline_and_nonblock) {
	.l.flags = KIPC_WAIT_DEADLINE | KIPC_WAIT_NONBLOCK,
};

FIXTURE_VARIANT_ADD(lock_args, unknown_flag) {
	.l.flags = 4,
};

FIXTURE_VARIANT_ADD(lock_args, pad) {
	.l.__pad = 1,
};

FIXTURE_VARIANT_ADD(lock_args, reserved) {
	.l.reserved[0] = 1,
};

FIXTURE_VARIANT_ADD(lock_args, deadline_without_flag) {
	.l.deadline.tv_sec = 1,
};

FIXTURE_VARIANT_ADD(lock_args, nsec_too_big) {
	.l.flags = KIPC_WAIT_DEADLINE,
	.l.deadline.tv_nsec = 1000000000ULL,
};

FIXTURE_VARIANT_ADD(lock_args, negative_sec) {
	.l.flags = KIPC_WAIT_DEADLINE,
	.l.deadline.tv_sec = -1,
};

TEST_F(lock_args, lock_rejected)
{
	struct kipc_mutex_lock l = variant->l;
	struct kipc_mutex_info in;
	int fd = mk_mutex(0, NULL);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_MUTEX_IOC_LOCK, &l));
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ(0U, in.owner_tid);
}

TEST_F(kipc, lock_bad_args)
{
	struct kipc_mutex_lock l;
	struct kipc_mutex_info in;
	char big[64];
	int fd = mk_mutex(0, NULL);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_MUTEX_IOC_LOCK, NULL));
	/* Too small, too big with garbage. */
	memset(&l, 0, sizeof(l));
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_MUTEX_IOC_LOCK, 8), &l));
	memset(big, 0, sizeof(big));
	big[60] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_MUTEX_IOC_LOCK,
						     sizeof(big)), big));
	big[60] = 0;
	EXPECT_EQ(0, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_MUTEX_IOC_LOCK,
						sizeof(big)), big));
	EXPECT_EQ(0, raw_unlock(fd));
	/* Nothing was taken by the failures. */
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ(0U, in.owner_tid);
	/* _IO commands take no argument. */
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_MUTEX_IOC_UNLOCK, (void *)1));
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_MUTEX_IOC_CONSISTENT, (void *)1));
	/* Info: flags and reserved in must be 0. */
	memset(&in, 0, sizeof(in));
	in.flags = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_MUTEX_IOC_INFO, &in));
	memset(&in, 0, sizeof(in));
	in.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_MUTEX_IOC_INFO, &in));
	/* Other types' commands. */
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, KIPC_COND_IOC_SIGNAL, &in));
}

TEST_F(kipc, unlock_by_other_thread_eperm)
{
	struct kipc_mutex *h;
	struct holder t;
	int fd;

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, holder_start(&t, h, 0));
	EXPECT_EQ(-EPERM, kipc_mutex_unlock(h));
	EXPECT_EQ(-EPERM, raw_unlock(fd));
	EXPECT_EQ(-EPERM, kipc_mutex_consistent(h));
	EXPECT_EQ(0, holder_stop(&t));
	kipc_mutex_detach(h);
}

TEST_F(kipc, unlock_by_other_process_eperm)
{
	struct kipc_mutex *h;
	pid_t pid;
	int fd;

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The inherited handle, and the raw ioctl. */
		if (kipc_mutex_unlock(h) != -EPERM)
			_exit(1);
		if (raw_unlock(fd) != -EPERM)
			_exit(2);
		if (kipc_mutex_lock(h, 0) != -EBUSY)
			_exit(3);
		_exit(0);
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

TEST_F(kipc, fork_child_locks_with_inherited_handle)
{
	struct kipc_mutex *h;
	uint32_t *w;
	int fd, pfd[2];
	struct kt_report r;
	pid_t pid;

	NEW_MAPPED_MUTEX(fd, &h, w);
	ASSERT_EQ(0, pipe(pfd));
	/* Cache the parent's tid in the library first. */
	ASSERT_EQ(0, kipc_mutex_lock(h, 0));
	ASSERT_EQ(0, kipc_mutex_unlock(h));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = kipc_mutex_lock(h, KIPC_INFINITE);

		kt_report(pfd[1], 0, ret, *w);
		ret = kipc_mutex_unlock(h);
		kt_report(pfd[1], 1, ret, *w);
		_exit(0);
	}
	ASSERT_EQ(1, kt_read_report(pfd[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ((uint64_t)pid, r.value);	/* the child's own tid */
	KT_EXPECT_CHILD_REPORT(pfd[0], pid, 0, 0U);
	kipc_mutex_detach(h);
	munmap(w, MAPSZ);
}

TEST_F(kipc, recursive_depth)
{
	struct kipc_mutex_info in;
	struct kipc_mutex *h;
	uint32_t *w;
	int fd, i;

	fd = mk_mutex(KIPC_MUTEX_RECURSIVE, &h);
	ASSERT_LE(0, fd);
	w = map_word(fd);
	ASSERT_NE(NULL, w);
	for (i = 1; i <= 3; i++) {
		ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
		ASSERT_EQ(0, minfo(fd, &in));
		EXPECT_EQ((uint32_t)i, in.depth);
		EXPECT_EQ((uint32_t)kt_gettid(), in.owner_tid);
	}
	EXPECT_EQ((uint32_t)kt_gettid() | KIPC_MUTEX_KSTATE, *w);
	EXPECT_EQ(0, kipc_mutex_lock(h, 0));	/* depth 4 */
	for (i = 4; i >= 1; i--) {
		ASSERT_EQ(0, minfo(fd, &in));
		EXPECT_EQ((uint32_t)i, in.depth);
		ASSERT_EQ(0, kipc_mutex_unlock(h));
	}
	EXPECT_EQ(0U, *w);
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ(0U, in.depth);
	EXPECT_EQ(0U, in.owner_tid);
	EXPECT_EQ(-EPERM, kipc_mutex_unlock(h));

	/* Locked in user space by a raw swap: the kernel counts from 1. */
	*w = (uint32_t)kt_gettid();
	EXPECT_EQ(0, raw_lock(fd, 0, 0));
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ(2U, in.depth);
	EXPECT_EQ(0, raw_unlock(fd));
	EXPECT_EQ(0, raw_unlock(fd));
	EXPECT_EQ(0U, *w);
	kipc_mutex_detach(h);
	munmap(w, MAPSZ);
}

static void *try_from_thread(void *arg)
{
	struct kipc_mutex *h = arg;

	return (void *)(intptr_t)kipc_mutex_lock(h, 0);
}

TEST_F(kipc, recursive_other_thread_busy)
{
	struct kipc_mutex *h;
	pthread_t th;
	void *res;
	int fd;

	fd = mk_mutex(KIPC_MUTEX_RECURSIVE, &h);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	ASSERT_EQ(0, pthread_create(&th, NULL, try_from_thread, h));
	pthread_join(th, &res);
	EXPECT_EQ(-EBUSY, (int)(intptr_t)res);
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	ASSERT_EQ(0, pthread_create(&th, NULL, try_from_thread, h));
	pthread_join(th, &res);
	EXPECT_EQ(-EBUSY, (int)(intptr_t)res);
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	ASSERT_EQ(0, pthread_create(&th, NULL, try_from_thread, h));
	pthread_join(th, &res);
	/* The thread took it and exited holding it. */
	EXPECT_EQ(0, (int)(intptr_t)res);
	EXPECT_EQ(-EOWNERDEAD, kipc_mutex_lock(h, KIPC_INFINITE));
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

TEST_F(kipc, handoff_fifo_order)
{
	struct kipc_mutex *h;
	struct kt_report r;
	int fd, pfd[2], i;
	pid_t pid[3];

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	for (i = 0; i < 3; i++) {
		pid[i] = kt_fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			int ret = kipc_mutex_lock(h, KIPC_INFINITE);

			kt_report(pfd[1], i, ret, 0);
			kt_sleep_ms(20);
			kipc_mutex_unlock(h);
			_exit(0);
		}
		ASSERT_EQ(0, kt_wait_waiters(fd, i + 1, KT_CHILD_TIMEOUT_MS));
	}
	EXPECT_EQ(1, kt_fdinfo_val(fd, "mutex-waiters:") == 3);
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, kt_read_report(pfd[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(i, r.idx);
		EXPECT_EQ(0, r.ret);
	}
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, kt_reap(pid[i], KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_wait_waiters(fd, 0, 100));
	kipc_mutex_detach(h);
}

/* ---- robustness ------------------------------------------------------------------ */

TEST_F(kipc, robust_killed_owner_consistent)
{
	struct kipc_mutex_info in;
	struct kipc_mutex *h;
	uint32_t dead, *w;
	int fd;

	NEW_MAPPED_MUTEX(fd, &h, w);
	EXPECT_EQ(-EPERM, kipc_mutex_consistent(h));
	ASSERT_EQ(0, kill_holder(_metadata, h, &dead));
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ(dead, in.owner_tid);
	EXPECT_EQ(0U, in.owner_pid);	/* not alive */

	EXPECT_EQ(-EOWNERDEAD, kipc_mutex_lock(h, KIPC_INFINITE));
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_OWNERDEAD, in.state);
	EXPECT_EQ((uint32_t)kt_gettid(), in.owner_tid);
	EXPECT_EQ((uint32_t)getpid(), in.owner_pid);
	EXPECT_EQ((uint32_t)kt_gettid() | KIPC_MUTEX_KSTATE, *w);
	EXPECT_EQ(-EDEADLK, kipc_mutex_lock(h, 0));
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(-EINVAL, kipc_mutex_consistent(h));
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_OK, in.state);
	EXPECT_EQ((uint32_t)kt_gettid(), *w);
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	EXPECT_EQ(0U, *w);
	/* Later locks are ordinary. */
	EXPECT_EQ(0, kipc_mutex_lock(h, 0));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	EXPECT_EQ(0, raw_lock(fd, 0, 0));
	EXPECT_EQ(0, raw_unlock(fd));
	kipc_mutex_detach(h);
	munmap(w, MAPSZ);
}

TEST_F(kipc, robust_consistent_errors)
{
	struct kipc_mutex *h;
	int fd;

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EPERM, kipc_mutex_consistent(h));	/* not owned */
	ASSERT_EQ(0, kipc_mutex_lock(h, 0));
	EXPECT_EQ(-EINVAL, kipc_mutex_consistent(h));	/* state ok */
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

TEST_F(kipc, robust_unlock_without_consistent_notrecoverable)
{
	struct kipc_mutex_info in;
	struct kipc_mutex *h;
	uint32_t dead;
	pid_t pid;
	int fd;

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kill_holder(_metadata, h, &dead));
	EXPECT_EQ(-EOWNERDEAD, raw_lock(fd, 0, 0));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_NOTRECOVERABLE, in.state);
	EXPECT_EQ(0U, in.owner_tid);
	EXPECT_EQ(-ENOTRECOVERABLE, kipc_mutex_lock(h, KIPC_INFINITE));
	EXPECT_EQ(-ENOTRECOVERABLE, kipc_mutex_lock(h, 0));
	EXPECT_EQ(-ENOTRECOVERABLE, raw_lock(fd, KIPC_WAIT_NONBLOCK, 0));
	EXPECT_EQ(-EPERM, kipc_mutex_unlock(h));
	EXPECT_EQ(-EPERM, kipc_mutex_consistent(h));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(kipc_mutex_lock(h, KIPC_INFINITE) == -ENOTRECOVERABLE ?
		      0 : 1);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	kipc_mutex_detach(h);
}

TEST_F(kipc, robust_notrecoverable_wakes_waiters)
{
	struct kipc_mutex *h;
	struct kt_report r;
	int fd, pfd[2], i;
	uint32_t dead;
	pid_t pid[2];

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(0, kill_holder(_metadata, h, &dead));
	EXPECT_EQ(-EOWNERDEAD, kipc_mutex_lock(h, KIPC_INFINITE));
	for (i = 0; i < 2; i++) {
		pid[i] = kt_fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			kt_report(pfd[1], i, kipc_mutex_lock(h, KIPC_INFINITE), 0);
			_exit(0);
		}
	}
	ASSERT_EQ(0, kt_wait_waiters(fd, 2, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(1, kt_read_report(pfd[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(-ENOTRECOVERABLE, r.ret);
	}
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, kt_reap(pid[i], KT_CHILD_TIMEOUT_MS));
	kipc_mutex_detach(h);
}

TEST_F(kipc, robust_blocked_waiter_gets_ownerdead_promptly)
{
	struct kipc_mutex *h;
	struct kt_report r;
	int fd, pfd[2], wfd[2];
	pid_t holder, waiter;
	int64_t t0;

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(0, pipe(wfd));
	holder = fork_holder(h, pfd);
	ASSERT_LE(0, holder);
	ASSERT_EQ(1, kt_read_report(pfd[0], &r, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, r.ret);
	waiter = kt_fork();
	ASSERT_LE(0, waiter);
	if (waiter == 0) {
		int ret = kipc_mutex_lock(h, KIPC_INFINITE);

		kt_report(wfd[1], 0, ret, (uint64_t)kt_now_ns());
		if (ret == -EOWNERDEAD) {
			kipc_mutex_consistent(h);
			kipc_mutex_unlock(h);
		}
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	t0 = kt_now_ns();
	kill(holder, SIGKILL);
	ASSERT_EQ(1, kt_read_report(wfd[0], &r, 2000));
	EXPECT_EQ(-EOWNERDEAD, r.ret);
	EXPECT_GT(KT_NSEC_PER_SEC, (int64_t)r.value - t0);
	EXPECT_EQ(256 + SIGKILL, kt_reap(holder, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_reap(waiter, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kipc_mutex_lock(h, 0));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

TEST_F(kipc, robust_thread_exit_holding)
{
	struct kipc_mutex_info in;
	struct kipc_mutex *h;
	struct holder t;
	int fd;

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, holder_start(&t, h, 1));
	pthread_join(t.th, NULL);
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ(t.tid, in.owner_tid);
	EXPECT_EQ(0U, in.owner_pid);
	EXPECT_EQ(-EOWNERDEAD, kipc_mutex_lock(h, 0));
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

static void *exit_later(void *arg)
{
	struct kipc_mutex *h = arg;

	if (kipc_mutex_lock(h, KIPC_INFINITE))
		return NULL;
	kt_sleep_ms(100);
	return NULL;	/* exits holding it */
}

TEST_F(kipc, robust_waiter_sees_thread_exit)
{
	struct kipc_mutex *h;
	pthread_t th;
	int64_t t0;
	int fd;

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pthread_create(&th, NULL, exit_later, h));
	ASSERT_LT(0, wait_owned(fd, KT_CHILD_TIMEOUT_MS));
	t0 = kt_now_ns();
	EXPECT_EQ(-EOWNERDEAD, kipc_mutex_lock(h, 5 * KT_NSEC_PER_SEC));
	EXPECT_GT(KT_NSEC_PER_SEC, kt_now_ns() - t0);
	pthread_join(th, NULL);
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

TEST_F(kipc, robust_owner_dies_twice)
{
	struct kipc_mutex_info in;
	struct kipc_mutex *h;
	uint32_t dead;
	pid_t pid;
	int fd;

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kill_holder(_metadata, h, &dead));
	/* A second owner takes it with EOWNERDEAD and dies too. */
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(kipc_mutex_lock(h, KIPC_INFINITE) == -EOWNERDEAD ? 0 : 1);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-EOWNERDEAD, kipc_mutex_lock(h, 0));
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_OWNERDEAD, in.state);
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

/* ---- signals ----------------------------------------------------------------------- */

/* A child blocks in a lock (or cond wait) and gets SIGUSR1. */
static void check_signal(struct __test_metadata *_metadata, bool cond,
			 int sa_flags)
{
	struct kipc_mutex *h;
	struct kt_report r;
	int fd, cfd, pfd[2];
	pid_t pid;

	NEW_MUTEX_COND(fd, h, cfd);
	ASSERT_EQ(0, pipe(pfd));
	if (!cond) {
		ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	}
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_mutex_info in;
		int ret;

		set_handler(SIGUSR1, sa_flags);
		if (cond) {
			if (kipc_mutex_lock(h, KIPC_INFINITE))
				_exit(1);
			ret = kipc_cond_wait(cfd, h, KIPC_INFINITE);
		} else {
			ret = kipc_mutex_lock(h, KIPC_INFINITE);
		}
		minfo(fd, &in);
		kt_report(pfd[1], noop_hits, ret, in.owner_tid == (uint32_t)kt_gettid());
		if (in.owner_tid == (uint32_t)kt_gettid())
			kipc_mutex_unlock(h);
		_exit(0);
	}
	if (cond) {
		ASSERT_EQ(0, kt_wait_waiters(cfd, 1, KT_CHILD_TIMEOUT_MS));
	} else {
		ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	}
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	kill(pid, SIGUSR1);
	if (!cond && (sa_flags & SA_RESTART)) {
		/* Restarted: still waiting; the unlock hands it over. */
		EXPECT_EQ(0, kt_read_report(pfd[0], &r, 300));
		ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, kipc_mutex_unlock(h));
		ASSERT_EQ(1, kt_read_report(pfd[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, r.ret);
		EXPECT_EQ(1, r.idx);
		EXPECT_EQ(1U, r.value);
	} else {
		ASSERT_EQ(1, kt_read_report(pfd[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(-EINTR, r.ret);
		EXPECT_EQ(1, r.idx);
		/* A lock fails without the mutex; a cond wait holds it. */
		EXPECT_EQ(cond ? 1U : 0U, r.value);
		if (!cond) {
			EXPECT_EQ(0, kipc_mutex_unlock(h));
		}
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_wait_waiters(fd, 0, 100));
	kipc_mutex_detach(h);
}

TEST_F(kipc, signal_interrupts_lock_eintr)
{
	check_signal(_metadata, false, 0);
}

TEST_F(kipc, signal_sa_restart_resumes_lock)
{
	check_signal(_metadata, false, SA_RESTART);
}

TEST_F(kipc, signal_interrupts_cond_wait_eintr)
{
	check_signal(_metadata, true, 0);
}

TEST_F(kipc, signal_sa_restart_cond_wait_still_eintr)
{
	check_signal(_metadata, true, SA_RESTART);
}

TEST_F(kipc, kill_blocked_waiters)
{
	struct kipc_mutex *h;
	pid_t a, b;
	int fd, cfd;

	NEW_MUTEX_COND(fd, h, cfd);
	ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	a = kt_fork();
	ASSERT_LE(0, a);
	if (a == 0)
		_exit(kipc_mutex_lock(h, KIPC_INFINITE) ? 1 : 0);
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	kill(a, SIGKILL);
	EXPECT_EQ(256 + SIGKILL, kt_reap(a, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_wait_waiters(fd, 0, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kipc_mutex_unlock(h));

	/* Killed in the re-lock of a cond wait. */
	b = kt_fork();
	ASSERT_LE(0, b);
	if (b == 0) {
		if (kipc_mutex_lock(h, KIPC_INFINITE))
			_exit(1);
		kipc_cond_wait(cfd, h, KIPC_INFINITE);
		_exit(2);
	}
	ASSERT_EQ(0, kt_wait_waiters(cfd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	EXPECT_EQ(1, kipc_cond_signal(cfd, 0));
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	kill(b, SIGKILL);
	EXPECT_EQ(256 + SIGKILL, kt_reap(b, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_wait_waiters(fd, 0, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	EXPECT_EQ(0, kipc_mutex_lock(h, 0));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

/* ---- garbage in the word ----------------------------------------------------------- */

TEST_F(kipc, garbage_word_interpretation)
{
	struct kipc_mutex_info in;
	uint32_t *w;
	int fd;

	NEW_MAPPED_MUTEX(fd, NULL, w);

	/* Flag bits without an owner: unlocked. */
	*w = KIPC_MUTEX_WAITERS | KIPC_MUTEX_KSTATE;
	EXPECT_EQ(0, raw_lock(fd, 0, 0));
	EXPECT_EQ((uint32_t)kt_gettid(), *w);
	EXPECT_EQ(0, raw_unlock(fd));
	EXPECT_EQ(0U, *w);

	/* A tid naming no thread: a dead owner. */
	*w = TID_MASK;
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ(TID_MASK, in.owner_tid);
	EXPECT_EQ(0U, in.owner_pid);
	EXPECT_EQ(-EPERM, raw_unlock(fd));
	EXPECT_EQ(-EOWNERDEAD, raw_lock(fd, KIPC_WAIT_NONBLOCK, 0));
	EXPECT_EQ(0, kt_ioctl(fd, KIPC_MUTEX_IOC_CONSISTENT, NULL));
	EXPECT_EQ(0, raw_unlock(fd));

	/* Our own tid with stray flags: ours. */
	*w = (uint32_t)kt_gettid() | KIPC_MUTEX_WAITERS;
	EXPECT_EQ(-EDEADLK, raw_lock(fd, 0, 0));
	EXPECT_EQ(0, raw_unlock(fd));
	EXPECT_EQ(0U, *w);

	/* All ones. */
	*w = 0xffffffffU;
	EXPECT_EQ(-EOWNERDEAD, raw_lock(fd, 0, 0));
	EXPECT_EQ(0, raw_unlock(fd));
	EXPECT_EQ(-ENOTRECOVERABLE, raw_lock(fd, 0, 0));
	munmap(w, MAPSZ);
}

TEST_F(kipc, garbage_word_under_load)
{
	struct kipc_mutex *h;
	uint32_t *w, x = 12345;
	pid_t pid[3];
	int64_t end;
	int fd, i;

	NEW_MAPPED_MUTEX(fd, &h, w);
	for (i = 0; i < 3; i++) {
		pid[i] = kt_fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			for (;;) {
				int ret = i ? kipc_mutex_lock(h, 5 * KT_NSEC_PER_MSEC) :
					      raw_lock(fd, KIPC_WAIT_DEADLINE,
						       kt_now_ns() + 5 * KT_NSEC_PER_MSEC);

				if (ret == 0 || ret == -EOWNERDEAD) {
					kipc_mutex_consistent(h);
					kipc_mutex_unlock(h);
				}
			}
		}
	}
	end = kt_now_ns() + 500 * KT_NSEC_PER_MSEC;
	while (kt_now_ns() < end) {
		x = x * 1103515245 + 12345;
		switch (x >> 29) {
		case 0:
			*w = 0;
			break;
		case 1:
			*w = (uint32_t)pid[x % 3];
			break;
		case 2:
			*w = KIPC_MUTEX_KSTATE;
			break;
		default:
			*w = x;
			break;
		}
		if (!(x & 7))
			kt_sleep_ms(1);
	}
	for (i = 0; i < 3; i++) {
		kill(pid[i], SIGKILL);
		EXPECT_EQ(256 + SIGKILL, kt_reap(pid[i], KT_CHILD_TIMEOUT_MS));
	}
	EXPECT_EQ(0, kt_wait_waiters(fd, 0, KT_CHILD_TIMEOUT_MS));
	munmap(w, MAPSZ);
	kipc_mutex_detach(h);
}

TEST_HARNESS_MAIN
