/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the kipc semaphore selftests (kipc_sem_test.c,
 * kipc_sem_word_test.c, kipc_sem_stress_test.c).  Included after
 * kselftest_harness.h.
 */
#ifndef KIPC_SEM_UTIL_H
#define KIPC_SEM_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kipc_test_util.h"

#define MS		KT_NSEC_PER_MSEC
#define CHILD_WAIT_NS	(KT_CHILD_TIMEOUT_MS * KT_NSEC_PER_MSEC)
#define VMAX		KIPC_SEM_VALUE_MAX
#define POLL_RD		(POLLIN | POLLRDNORM)
#define W1		(1ULL << 32)	/* one waiter in the state word */

static inline int sem_new(uint32_t value, uint32_t max)
{
	return kipc_sem_create(NULL, 0600, value, max, 0);
}

static inline int s_info(int fd, struct kipc_sem_info *in)
{
	return kipc_sem_info(fd, in);
}

/* The value now, or a negative errno. */
static inline long s_value(int fd)
{
	struct kipc_sem_info in;
	int err = s_info(fd, &in);

	return err ? err : (long)in.value;
}

static inline int s_op(int fd, unsigned long cmd, uint32_t flags, uint32_t count,
		const struct kipc_timespec *dl, uint32_t *value)
{
	struct kipc_sem_op op;
	int err;

	memset(&op, 0, sizeof(op));
	op.flags = flags;
	op.count = count;
	if (dl)
		op.deadline = *dl;
	op.value = 0xdeadbeef;
	err = kt_ioctl(fd, cmd, &op);
	if (value)
		*value = op.value;
	return err;
}

static inline int s_post(int fd, uint32_t count, uint32_t flags)
{
	return s_op(fd, KIPC_SEM_IOC_POST, flags, count, NULL, NULL);
}

static inline int s_trywait(int fd, uint32_t flags)
{
	return s_op(fd, KIPC_SEM_IOC_WAIT, flags | KIPC_WAIT_NONBLOCK, 1, NULL,
		    NULL);
}

/* A kernel wait with a deadline @ns from now. */
static inline int s_wait_for(int fd, int64_t ns, uint32_t flags)
{
	struct kipc_timespec dl = kt_ts_at(kt_now_ns() + ns);

	return s_op(fd, KIPC_SEM_IOC_WAIT, flags | KIPC_WAIT_DEADLINE, 1, &dl,
		    NULL);
}

static inline volatile uint64_t *map_state(int fd, int prot)
{
	void *p = mmap(NULL, KIPC_SEM_MAP_SIZE, prot, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline void unmap_state(volatile uint64_t *p)
{
	munmap((void *)p, KIPC_SEM_MAP_SIZE);
}

static inline ssize_t s_write(int fd, uint64_t n)
{
	return write(fd, &n, sizeof(n)) < 0 ? -errno : (ssize_t)sizeof(n);
}

/* read(2) of 8 bytes: 8 with the value after in *@v, or -errno. */
static inline ssize_t s_read(int fd, uint64_t *v)
{
	return read(fd, v, sizeof(*v)) < 0 ? -errno : (ssize_t)sizeof(*v);
}

/* Fork a child that waits (kernel path, deadline) and reports @idx. */
static inline pid_t spawn_waiter(int fd, int rep, int idx, uint32_t flags)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		int ret = s_wait_for(fd, CHILD_WAIT_NS, flags);

		kt_report(rep, idx, ret, 0);
		if (flags & KIPC_SEM_UNDO) {
			kt_sleep_ms(KT_CHILD_TIMEOUT_MS);
		}
		_exit(0);
	}
	return pid;
}

#endif /* KIPC_SEM_UTIL_H */
