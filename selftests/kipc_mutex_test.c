// SPDX-License-Identifier: GPL-2.0
/*
 * kipc mutex and condition variable selftests: locking through the
 * user-space fast path and through the kernel, try-locks and timed locks,
 * ownership errors, recursive mutexes, FIFO hand-off, robustness (owners
 * killed, threads exiting, EOWNERDEAD, consistent, ENOTRECOVERABLE),
 * multi-process stress, condition variables (signal, broadcast, timed
 * waits, errors, producer/consumer across processes, an owner dying while
 * a waiter re-locks), signals interrupting waits, and garbage written to
 * the mapped word.
 *
 * Blocking calls in children are watched by the parent (or the child is
 * killed by the teardown), so a broken module fails a test instead of
 * hanging the suite.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_test_util.h"

#define MAPSZ		KIPC_MUTEX_MAP_SIZE
#define TID_MASK	KIPC_MUTEX_TID_MASK

KT_FIXTURE()

/* ---- helpers ---------------------------------------------------------------- */

static uint32_t my_tid(void)
{
	return (uint32_t)syscall(SYS_gettid);
}

/* A new anonymous mutex and a handle for it. */
static int mk_mutex(uint32_t flags, struct kipc_mutex **h)
{
	int fd = kipc_mutex_create(NULL, 0600, flags, 0);

	if (fd < 0)
		return fd;
	if (h && kipc_mutex_attach(fd, h)) {
		close(fd);
		return -EIO;
	}
	return fd;
}

static int raw_lock(int fd, uint32_t flags, int64_t deadline_ns)
{
	struct kipc_mutex_lock l;

	memset(&l, 0, sizeof(l));
	l.flags = flags;
	if (flags & KIPC_WAIT_DEADLINE)
		l.deadline = kt_ts_at(deadline_ns);
	return kt_ioctl(fd, KIPC_MUTEX_IOC_LOCK, &l);
}

static int raw_unlock(int fd)
{
	return kt_ioctl(fd, KIPC_MUTEX_IOC_UNLOCK, NULL);
}

static int minfo(int fd, struct kipc_mutex_info *in)
{
	memset(in, 0, sizeof(*in));
	return kt_ioctl(fd, KIPC_MUTEX_IOC_INFO, in);
}

static uint32_t *map_word(int fd)
{
	void *p = mmap(NULL, MAPSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* A value from /proc/self/fdinfo/@fd, or -1. */
static long long fdinfo_val(int fd, const char *key)
{
	char path[64], buf[2048], *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, key);
	if (!p)
		return -1;
	return strtoll(p + strlen(key), NULL, 0);
}

static int wait_mutex_waiters(int fd, unsigned int n, int timeout_ms)
{
	int64_t end = kt_now_ns() + timeout_ms * KT_NSEC_PER_MSEC;
	struct kipc_mutex_info in;

	for (;;) {
		if (minfo(fd, &in))
			return -EIO;
		if (in.waiters == n)
			return 0;
		if (kt_now_ns() > end)
			return -ETIMEDOUT;
		kt_sleep_ms(1);
	}
}

static int wait_cond_waiters(int fd, long long n, int timeout_ms)
{
	int64_t end = kt_now_ns() + timeout_ms * KT_NSEC_PER_MSEC;

	for (;;) {
		if (fdinfo_val(fd, "cond-waiters:") == n)
			return 0;
		if (kt_now_ns() > end)
			return -ETIMEDOUT;
		kt_sleep_ms(1);
	}
}

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

/* A thread that locks, holds until told, and unlocks (or exits holding). */
struct holder {
	pthread_t th;
	struct kipc_mutex *h;
	int ret;
	uint32_t tid;
	int locked;
	int release;
	int exit_holding;
};

static void *holder_fn(void *arg)
{
	struct holder *t = arg;

	t->tid = my_tid();
	t->ret = kipc_mutex_lock(t->h, KIPC_INFINITE);
	__atomic_store_n(&t->locked, 1, __ATOMIC_SEQ_CST);
	if (t->exit_holding)
		return NULL;
	while (!__atomic_load_n(&t->release, __ATOMIC_SEQ_CST))
		kt_sleep_ms(1);
	if (!t->ret)
		t->ret = kipc_mutex_unlock(t->h);
	return NULL;
}

static int holder_start(struct holder *t, struct kipc_mutex *h, int exit_holding)
{
	memset(t, 0, sizeof(*t));
	t->h = h;
	t->exit_holding = exit_holding;
	if (pthread_create(&t->th, NULL, holder_fn, t))
		return -1;
	while (!__atomic_load_n(&t->locked, __ATOMIC_SEQ_CST))
		kt_sleep_ms(1);
	return t->ret;
}

static int holder_stop(struct holder *t)
{
	__atomic_store_n(&t->release, 1, __ATOMIC_SEQ_CST);
	pthread_join(t->th, NULL);
	return t->ret;
}

/* A child that locks @h, tells @pfd, and sleeps holding it until killed. */
static pid_t fork_holder(struct kipc_mutex *h, int pfd[2])
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		int ret = kipc_mutex_lock(h, KIPC_INFINITE);

		kt_report(pfd[1], 0, ret, my_tid());
		for (;;)
			pause();
	}
	return pid;
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
	struct kipc_create c;
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
	EXPECT_EQ(0, fdinfo_val(fd, "mutex-recursive:"));
	EXPECT_EQ(0, fdinfo_val(fd, "mutex-word:"));
	EXPECT_EQ(0, fdinfo_val(fd, "mutex-waiters:"));

	/* No attributes at all: the defaults. */
	memset(&c, 0, sizeof(c));
	c.type = KIPC_TYPE_MUTEX;
	c.mode = 0600;
	fd2 = kt_create_raw(&c);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, minfo(fd2, &in));
	EXPECT_EQ(0U, in.flags);

	cfd = kipc_cond_create(NULL, 0600, 0);
	ASSERT_LE(0, cfd);
	EXPECT_EQ(0, fdinfo_val(cfd, "cond-waiters:"));
	EXPECT_EQ(0, kipc_cond_signal(cfd, 0));
	EXPECT_EQ(0, kipc_cond_signal(cfd, 1));
	EXPECT_EQ(2, fdinfo_val(cfd, "cond-signals:"));
}

TEST_F(kipc, create_recursive_attr)
{
	struct kipc_mutex_info in;
	int fd = kipc_mutex_create(NULL, 0600, KIPC_MUTEX_RECURSIVE, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ((uint32_t)KIPC_MUTEX_RECURSIVE, in.flags);
	EXPECT_EQ(1, fdinfo_val(fd, "mutex-recursive:"));
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
	EXPECT_EQ(my_tid(), in.owner_tid);
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

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	w = map_word(fd);
	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	EXPECT_EQ(my_tid(), *w);
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ(my_tid(), in.owner_tid);
	EXPECT_EQ((uint32_t)getpid(), in.owner_pid);
	EXPECT_EQ(1U, in.depth);
	EXPECT_EQ((long long)my_tid(), fdinfo_val(fd, "mutex-owner:"));
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

	fd = mk_mutex(0, NULL);
	ASSERT_LE(0, fd);
	w = map_word(fd);
	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, raw_lock(fd, 0, 0));
	EXPECT_EQ(my_tid(), *w);
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ(my_tid(), in.owner_tid);
	EXPECT_EQ(-EDEADLK, raw_lock(fd, 0, 0));
	EXPECT_EQ(-EDEADLK, raw_lock(fd, KIPC_WAIT_NONBLOCK, 0));
	EXPECT_EQ(0, raw_unlock(fd));
	EXPECT_EQ(0U, *w);
	EXPECT_EQ(-EPERM, raw_unlock(fd));
	/* Locked in user space, unlocked by the kernel and back. */
	*w = my_tid();
	EXPECT_EQ(0, raw_unlock(fd));
	EXPECT_EQ(0U, *w);
	ASSERT_EQ(0, raw_lock(fd, KIPC_WAIT_NONBLOCK, 0));
	EXPECT_EQ(my_tid(), *w);
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

TEST_F(kipc, lock_bad_args)
{
	struct kipc_mutex_lock l;
	struct kipc_mutex_info in;
	char big[64];
	int fd = mk_mutex(0, NULL);

	ASSERT_LE(0, fd);
	memset(&l, 0, sizeof(l));
	l.flags = KIPC_WAIT_DEADLINE | KIPC_WAIT_NONBLOCK;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_MUTEX_IOC_LOCK, &l));
	memset(&l, 0, sizeof(l));
	l.flags = 4;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_MUTEX_IOC_LOCK, &l));
	memset(&l, 0, sizeof(l));
	l.__pad = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_MUTEX_IOC_LOCK, &l));
	memset(&l, 0, sizeof(l));
	l.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_MUTEX_IOC_LOCK, &l));
	memset(&l, 0, sizeof(l));
	l.deadline.tv_sec = 1;	/* without KIPC_WAIT_DEADLINE */
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_MUTEX_IOC_LOCK, &l));
	memset(&l, 0, sizeof(l));
	l.flags = KIPC_WAIT_DEADLINE;
	l.deadline.tv_nsec = 1000000000ULL;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_MUTEX_IOC_LOCK, &l));
	l.deadline.tv_nsec = 0;
	l.deadline.tv_sec = -1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_MUTEX_IOC_LOCK, &l));
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

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	w = map_word(fd);
	ASSERT_NE(NULL, w);
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
	ASSERT_EQ(1, kt_read_report(pfd[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0U, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
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
		EXPECT_EQ(my_tid(), in.owner_tid);
	}
	EXPECT_EQ(my_tid() | KIPC_MUTEX_KSTATE, *w);
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
	*w = my_tid();
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
		ASSERT_EQ(0, wait_mutex_waiters(fd, i + 1, KT_CHILD_TIMEOUT_MS));
	}
	EXPECT_EQ(1, fdinfo_val(fd, "mutex-waiters:") == 3);
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, kt_read_report(pfd[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(i, r.idx);
		EXPECT_EQ(0, r.ret);
	}
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, kt_reap(pid[i], KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, wait_mutex_waiters(fd, 0, 100));
	kipc_mutex_detach(h);
}

/* ---- robustness ------------------------------------------------------------------ */

/* A child takes the mutex and is killed holding it. */
static int kill_holder(struct __test_metadata *_metadata,
		       struct kipc_mutex *h, uint32_t *tid)
{
	struct kt_report r;
	int pfd[2];
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork_holder(h, pfd);
	if (pid < 0)
		return -1;
	if (kt_read_report(pfd[0], &r, KT_CHILD_TIMEOUT_MS) != 1 || r.ret)
		return -1;
	*tid = (uint32_t)r.value;
	kill(pid, SIGKILL);
	close(pfd[0]);
	close(pfd[1]);
	return kt_reap(pid, KT_CHILD_TIMEOUT_MS) == 256 + SIGKILL ? 0 : -1;
}

TEST_F(kipc, robust_killed_owner_consistent)
{
	struct kipc_mutex_info in;
	struct kipc_mutex *h;
	uint32_t dead, *w;
	int fd;

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	w = map_word(fd);
	ASSERT_NE(NULL, w);
	EXPECT_EQ(-EPERM, kipc_mutex_consistent(h));
	ASSERT_EQ(0, kill_holder(_metadata, h, &dead));
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ(dead, in.owner_tid);
	EXPECT_EQ(0U, in.owner_pid);	/* not alive */

	EXPECT_EQ(-EOWNERDEAD, kipc_mutex_lock(h, KIPC_INFINITE));
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_OWNERDEAD, in.state);
	EXPECT_EQ(my_tid(), in.owner_tid);
	EXPECT_EQ((uint32_t)getpid(), in.owner_pid);
	EXPECT_EQ(my_tid() | KIPC_MUTEX_KSTATE, *w);
	EXPECT_EQ(-EDEADLK, kipc_mutex_lock(h, 0));
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(-EINVAL, kipc_mutex_consistent(h));
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_OK, in.state);
	EXPECT_EQ(my_tid(), *w);
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
	ASSERT_EQ(0, wait_mutex_waiters(fd, 2, KT_CHILD_TIMEOUT_MS));
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
	ASSERT_EQ(0, wait_mutex_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
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
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
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
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
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

/* ---- condition variables ------------------------------------------------------------ */

TEST_F(kipc, cond_timed_wait_holds_mutex)
{
	struct kipc_mutex_info in;
	struct kipc_mutex *h;
	int fd, cfd;
	int64_t t0;

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	cfd = kipc_cond_create(NULL, 0600, 0);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	t0 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, kipc_cond_wait(cfd, h, 60 * KT_NSEC_PER_MSEC));
	EXPECT_LE(60 * KT_NSEC_PER_MSEC, kt_now_ns() - t0);
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ(my_tid(), in.owner_tid);
	EXPECT_EQ(0, fdinfo_val(cfd, "cond-waiters:"));
	EXPECT_EQ(-ETIMEDOUT, kipc_cond_wait(cfd, h, 0));
	ASSERT_EQ(0, minfo(fd, &in));
	EXPECT_EQ(my_tid(), in.owner_tid);
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

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	cfd = kipc_cond_create(NULL, 0600, 0);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(0, fork_cond_waiters(h, cfd, 3, pfd[1], pid));
	ASSERT_EQ(0, wait_cond_waiters(cfd, 3, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, kipc_cond_signal(cfd, 0));
	ASSERT_EQ(1, kt_read_report(pfd[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0, kt_read_report(pfd[0], &r, 200));
	EXPECT_EQ(2, fdinfo_val(cfd, "cond-waiters:"));
	EXPECT_EQ(2, kipc_cond_signal(cfd, 1));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(1, kt_read_report(pfd[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, r.ret);
	}
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, kt_reap(pid[i], KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kipc_cond_signal(cfd, 1));
	EXPECT_EQ(3, fdinfo_val(cfd, "cond-wakeups:"));
	kipc_mutex_detach(h);
}

TEST_F(kipc, cond_signal_fifo)
{
	struct kipc_mutex *h;
	struct kt_report r;
	int fd, cfd, pfd[2], i;
	pid_t pid[3];

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	cfd = kipc_cond_create(NULL, 0600, 0);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, pipe(pfd));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, fork_cond_waiters(h, cfd, 1, pfd[1], &pid[i]));
		ASSERT_EQ(0, wait_cond_waiters(cfd, i + 1, KT_CHILD_TIMEOUT_MS));
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

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	cfd = kipc_cond_create(NULL, 0600, 0);
	ASSERT_LE(0, cfd);
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
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));

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

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	cfd = kipc_cond_create(NULL, 0600, 0);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, pipe(pfd));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret;

		/* Wait until the parent is in its cond wait, then lock. */
		while (fdinfo_val(cfd, "cond-waiters:") != 1)
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
	EXPECT_EQ(my_tid(), in.owner_tid);
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

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	cfd = kipc_cond_create(NULL, 0600, 0);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, kill_holder(_metadata, h, &dead));
	ASSERT_EQ(-EOWNERDEAD, kipc_mutex_lock(h, KIPC_INFINITE));
	/* A wait is not an unlock: the obligation comes back with it. */
	EXPECT_EQ(-EOWNERDEAD, kipc_cond_wait(cfd, h, 10 * KT_NSEC_PER_MSEC));
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(-ETIMEDOUT, kipc_cond_wait(cfd, h, 10 * KT_NSEC_PER_MSEC));
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

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	cfd = kipc_cond_create(NULL, 0600, 0);
	ASSERT_LE(0, cfd);
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
		kt_report(pfd[1], noop_hits, ret, in.owner_tid == my_tid());
		if (in.owner_tid == my_tid())
			kipc_mutex_unlock(h);
		_exit(0);
	}
	if (cond) {
		ASSERT_EQ(0, wait_cond_waiters(cfd, 1, KT_CHILD_TIMEOUT_MS));
	} else {
		ASSERT_EQ(0, wait_mutex_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	}
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	kill(pid, SIGUSR1);
	if (!cond && (sa_flags & SA_RESTART)) {
		/* Restarted: still waiting; the unlock hands it over. */
		EXPECT_EQ(0, kt_read_report(pfd[0], &r, 300));
		ASSERT_EQ(0, wait_mutex_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
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
	EXPECT_EQ(0, wait_mutex_waiters(fd, 0, 100));
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

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	cfd = kipc_cond_create(NULL, 0600, 0);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	a = kt_fork();
	ASSERT_LE(0, a);
	if (a == 0)
		_exit(kipc_mutex_lock(h, KIPC_INFINITE) ? 1 : 0);
	ASSERT_EQ(0, wait_mutex_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	kill(a, SIGKILL);
	EXPECT_EQ(256 + SIGKILL, kt_reap(a, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, wait_mutex_waiters(fd, 0, KT_CHILD_TIMEOUT_MS));
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
	ASSERT_EQ(0, wait_cond_waiters(cfd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kipc_mutex_lock(h, KIPC_INFINITE));
	EXPECT_EQ(1, kipc_cond_signal(cfd, 0));
	ASSERT_EQ(0, wait_mutex_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	kill(b, SIGKILL);
	EXPECT_EQ(256 + SIGKILL, kt_reap(b, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, wait_mutex_waiters(fd, 0, KT_CHILD_TIMEOUT_MS));
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

	fd = mk_mutex(0, NULL);
	ASSERT_LE(0, fd);
	w = map_word(fd);
	ASSERT_NE(NULL, w);

	/* Flag bits without an owner: unlocked. */
	*w = KIPC_MUTEX_WAITERS | KIPC_MUTEX_KSTATE;
	EXPECT_EQ(0, raw_lock(fd, 0, 0));
	EXPECT_EQ(my_tid(), *w);
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
	*w = my_tid() | KIPC_MUTEX_WAITERS;
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

	fd = mk_mutex(0, &h);
	ASSERT_LE(0, fd);
	w = map_word(fd);
	ASSERT_NE(NULL, w);
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
	EXPECT_EQ(0, wait_mutex_waiters(fd, 0, KT_CHILD_TIMEOUT_MS));
	munmap(w, MAPSZ);
	kipc_mutex_detach(h);
}

TEST_HARNESS_MAIN
