/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the kipc event selftests (kipc_event_test.c,
 * kipc_event_args_test.c, kipc_event_waiters_test.c,
 * kipc_event_stress_test.c).  Included after kselftest_harness.h.
 */
#ifndef KIPC_EVENT_UTIL_H
#define KIPC_EVENT_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
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
#define NWAITERS	4

static inline int new_event(uint32_t evflags)
{
	return kipc_event_create(NULL, 0600, evflags, 0);
}

/*
 * A child that waits once on @fd (with a deadline of KT_CHILD_TIMEOUT_MS)
 * and reports { @idx, result, value } on @rep.
 */
static inline pid_t spawn_waiter(int fd, int rep, int idx)
{
	pid_t pid = kt_fork();
	uint64_t v = 0;
	int ret;

	if (pid == 0) {
		ret = kipc_event_wait(fd, CHILD_WAIT_NS, &v);
		kt_report(rep, idx, ret, v);
		_exit(0);
	}
	return pid;
}

/*
 * Check event @fd, make the pipe @rep and @n children @pids[] (spawn_waiter()
 * with indexes 0 to @n - 1, reporting on rep[1]) and wait until all @n
 * block on @fd: the test fails if any of it cannot be done.
 */
#define SPAWN_BLOCKED_WAITERS(fd, rep, pids, n) do {			\
	int i_;								\
									\
	ASSERT_LE(0, fd);						\
	ASSERT_EQ(0, pipe(rep));					\
	for (i_ = 0; i_ < (n); i_++) {					\
		(pids)[i_] = spawn_waiter(fd, (rep)[1], i_);		\
		ASSERT_LE(0, (pids)[i_]);				\
	}								\
	ASSERT_EQ(0, kt_wait_waiters(fd, n, KT_CHILD_TIMEOUT_MS));	\
} while (0)

#endif /* KIPC_EVENT_UTIL_H */
