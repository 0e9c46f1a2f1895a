/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the kipc mutex selftests (kipc_mutex_test.c,
 * kipc_mutex_cond_test.c, kipc_mutex_stress_test.c; the wait-for-many
 * tests use them too).  Included after kselftest_harness.h.
 */
#ifndef KIPC_MUTEX_UTIL_H
#define KIPC_MUTEX_UTIL_H

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

#include "kipc_test_util.h"

#define MAPSZ		KIPC_MUTEX_MAP_SIZE
#define TID_MASK	KIPC_MUTEX_TID_MASK

/* A new anonymous mutex and a handle for it. */
static inline int mk_mutex(uint32_t flags, struct kipc_mutex **h)
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

static inline uint32_t *map_word(int fd)
{
	void *p = mmap(NULL, MAPSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline int raw_lock(int fd, uint32_t flags, int64_t deadline_ns)
{
	struct kipc_mutex_lock l;

	memset(&l, 0, sizeof(l));
	l.flags = flags;
	if (flags & KIPC_WAIT_DEADLINE)
		l.deadline = kt_ts_at(deadline_ns);
	return kt_ioctl(fd, KIPC_MUTEX_IOC_LOCK, &l);
}

static inline int raw_unlock(int fd)
{
	return kt_ioctl(fd, KIPC_MUTEX_IOC_UNLOCK, NULL);
}

static inline int minfo(int fd, struct kipc_mutex_info *in)
{
	memset(in, 0, sizeof(*in));
	return kt_ioctl(fd, KIPC_MUTEX_IOC_INFO, in);
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

static inline void *holder_fn(void *arg)
{
	struct holder *t = arg;

	t->tid = (uint32_t)kt_gettid();
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

static inline int holder_start(struct holder *t, struct kipc_mutex *h, int exit_holding)
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

static inline int holder_stop(struct holder *t)
{
	__atomic_store_n(&t->release, 1, __ATOMIC_SEQ_CST);
	pthread_join(t->th, NULL);
	return t->ret;
}

/* A child that locks @h, tells @pfd, and sleeps holding it until killed. */
static inline pid_t fork_holder(struct kipc_mutex *h, int pfd[2])
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		int ret = kipc_mutex_lock(h, KIPC_INFINITE);

		kt_report(pfd[1], 0, ret, (uint32_t)kt_gettid());
		for (;;)
			pause();
	}
	return pid;
}

/* A child takes the mutex and is killed holding it. */
static inline int kill_holder(struct __test_metadata *_metadata,
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

/*
 * A new mutex (@fd, attached at @h) and a new condition variable @cfd:
 * the test fails if either cannot be made.
 */
#define NEW_MUTEX_COND(fd, h, cfd) do {				\
	fd = mk_mutex(0, &(h));						\
	ASSERT_LE(0, fd);						\
	cfd = kipc_cond_create(NULL, 0600, 0);				\
	ASSERT_LE(0, cfd);						\
} while (0)

/*
 * A new mutex @fd (attached at *@hp unless NULL) with its word mapped
 * at @w: the test fails if either cannot be made.
 */
#define NEW_MAPPED_MUTEX(fd, hp, w) do {				\
	fd = mk_mutex(0, hp);						\
	ASSERT_LE(0, fd);						\
	w = map_word(fd);						\
	ASSERT_NE(NULL, w);						\
} while (0)

#endif /* KIPC_MUTEX_UTIL_H */
