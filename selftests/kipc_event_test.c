// SPDX-License-Identifier: GPL-2.0
/*
 * kipc event selftests: auto- and manual-reset semantics, values, deadlines
 * and timeouts, non-blocking waits, poll and epoll, FIFO hand-off between
 * processes, wake-one and wake-all, signals interrupting and restarting a
 * wait, killed waiters, a multi-process stress test, and the errors of
 * every event ioctl.
 *
 * Waits in children always have a deadline or are watched by the parent,
 * so a broken module fails a test instead of hanging the suite.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

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

#include "kselftest_harness.h"
#include "kipc_test_util.h"

#define MS		KT_NSEC_PER_MSEC
#define CHILD_WAIT_NS	(KT_CHILD_TIMEOUT_MS * KT_NSEC_PER_MSEC)
#define NWAITERS	4

KT_FIXTURE()

static int new_event(uint32_t evflags)
{
	return kipc_event_create(NULL, 0600, evflags, 0);
}

/* Whether @fd polls readable right now. */
static int poll_now(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r = poll(&p, 1, 0);

	if (r < 0)
		return -errno;
	return r == 1 && (p.revents & POLLIN) ? 1 : 0;
}

/*
 * A child that waits once on @fd (with a deadline of KT_CHILD_TIMEOUT_MS)
 * and reports { @idx, result, value } on @rep.
 */
static pid_t spawn_waiter(int fd, int rep, int idx)
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

/* ---- auto-reset ------------------------------------------------------------ */

TEST_F(kipc, auto_signal_then_trywait)
{
	uint64_t v = 0;
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EAGAIN, kipc_event_trywait(fd, &v));
	ASSERT_EQ(0, kipc_event_signal(fd, 5));
	EXPECT_EQ(0, kipc_event_trywait(fd, &v));
	EXPECT_EQ(5ULL, v);
	EXPECT_EQ(-EAGAIN, kipc_event_trywait(fd, &v));
}

TEST_F(kipc, auto_value_is_64bit)
{
	uint64_t v = 0;
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_event_signal(fd, 0xfedcba9876543210ULL));
	EXPECT_EQ(0, kipc_event_trywait(fd, &v));
	EXPECT_EQ(0xfedcba9876543210ULL, v);
	ASSERT_EQ(0, kipc_event_signal(fd, 0));
	v = 1;
	EXPECT_EQ(0, kipc_event_trywait(fd, &v));
	EXPECT_EQ(0ULL, v);
}

/* An event is set or not: signals nobody waits for do not pile up. */
TEST_F(kipc, auto_signals_do_not_accumulate)
{
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_event_signal(fd, 1));
	ASSERT_EQ(0, kipc_event_signal(fd, 2));
	EXPECT_EQ(0, kipc_event_trywait(fd, NULL));
	EXPECT_EQ(-EAGAIN, kipc_event_trywait(fd, NULL));
}

TEST_F(kipc, auto_blocking_wait_consumes_pending)
{
	uint64_t v = 0;
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_event_signal(fd, 21));
	EXPECT_EQ(0, kipc_event_wait(fd, KIPC_INFINITE, &v));
	EXPECT_EQ(21ULL, v);
	EXPECT_EQ(-EAGAIN, kipc_event_trywait(fd, NULL));
}

TEST_F(kipc, auto_initial_set)
{
	struct kipc_event_info in;
	struct kipc_event_attr a = { .flags = KIPC_EVENT_SET, .value = 7 };
	uint64_t v = 0;
	int fd;

	fd = kipc_create(KIPC_TYPE_EVENT, NULL, 0600, &a, sizeof(a), 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_SET, in.state);
	EXPECT_EQ(7ULL, in.value);
	EXPECT_EQ(0, kipc_event_trywait(fd, &v));
	EXPECT_EQ(7ULL, v);
	EXPECT_EQ(-EAGAIN, kipc_event_trywait(fd, NULL));
}

TEST_F(kipc, auto_reset_discards_signal)
{
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_event_signal(fd, 1));
	ASSERT_EQ(0, kipc_event_reset(fd));
	EXPECT_EQ(-EAGAIN, kipc_event_trywait(fd, NULL));
	/* Resetting a clear event is fine too. */
	EXPECT_EQ(0, kipc_event_reset(fd));
}

/* ---- manual-reset ------------------------------------------------------------ */

TEST_F(kipc, manual_stays_set)
{
	struct kipc_event_info in;
	uint64_t v;
	int fd = new_event(KIPC_EVENT_MANUAL_RESET), i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_event_signal(fd, 9));
	for (i = 0; i < 5; i++) {
		v = 0;
		EXPECT_EQ(0, kipc_event_trywait(fd, &v));
		EXPECT_EQ(9ULL, v);
	}
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_MANUAL_RESET | KIPC_EVENT_SET, in.state);
	EXPECT_EQ(5ULL, in.wakeups);
}

TEST_F(kipc, manual_reset_clears)
{
	struct kipc_event_info in;
	int fd = new_event(KIPC_EVENT_MANUAL_RESET);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_event_signal(fd, 9));
	ASSERT_EQ(0, kipc_event_reset(fd));
	EXPECT_EQ(-EAGAIN, kipc_event_trywait(fd, NULL));
	EXPECT_EQ(-ETIMEDOUT, kipc_event_wait(fd, 20 * MS, NULL));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_MANUAL_RESET, in.state);
}

TEST_F(kipc, manual_initial_set)
{
	uint64_t v = 0;
	int fd;

	fd = kipc_event_create(NULL, 0600, KIPC_EVENT_MANUAL_RESET |
			       KIPC_EVENT_SET, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, kipc_event_trywait(fd, &v));
	EXPECT_EQ(0, kipc_event_trywait(fd, &v));
	EXPECT_EQ(0ULL, v);
}

TEST_F(kipc, reset_nonzero_arg)
{
	struct kipc_event_info in;
	int fd = new_event(KIPC_EVENT_MANUAL_RESET | KIPC_EVENT_SET);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, KIPC_EVENT_IOC_RESET, 1UL));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_SET, in.state & KIPC_EVENT_SET);
}

/* ---- KIPC_EVENT_IOC_INFO -------------------------------------------------------- */

TEST_F(kipc, info_state_and_value)
{
	struct kipc_event_info in;
	int fd = new_event(0), mfd = new_event(KIPC_EVENT_MANUAL_RESET);

	ASSERT_LE(0, fd);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0U, in.state);
	EXPECT_EQ(0ULL, in.value);
	ASSERT_EQ(0, kt_event_info(mfd, &in));
	EXPECT_EQ(KIPC_EVENT_MANUAL_RESET, in.state);
	ASSERT_EQ(0, kipc_event_signal(fd, 0x1234));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_SET, in.state);
	EXPECT_EQ(0x1234ULL, in.value);
	EXPECT_EQ(0U, in.waiters);
}

TEST_F(kipc, info_counters)
{
	struct kipc_event_info in;
	int fd = new_event(0), rep[2], st;
	struct kt_report r;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0ULL, in.signals);
	EXPECT_EQ(0ULL, in.wakeups);
	EXPECT_EQ(0U, in.waiters);

	ASSERT_EQ(0, kipc_event_signal(fd, 1));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(1ULL, in.signals);
	EXPECT_EQ(0ULL, in.wakeups);

	ASSERT_EQ(0, kipc_event_trywait(fd, NULL));
	ASSERT_EQ(-EAGAIN, kipc_event_trywait(fd, NULL));
	ASSERT_EQ(-ETIMEDOUT, kipc_event_wait(fd, 5 * MS, NULL));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(1ULL, in.signals);
	EXPECT_EQ(1ULL, in.wakeups);	/* failed waits are not wakeups */
	EXPECT_EQ(0U, in.waiters);

	pid = spawn_waiter(fd, rep[1], 0);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kipc_event_signal(fd, 2));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(2ULL, in.signals);
	EXPECT_EQ(2ULL, in.wakeups);
	EXPECT_EQ(0U, in.waiters);
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

TEST_F(kipc, info_invalid_input)
{
	struct kipc_event_info in;
	int fd = new_event(0), i;

	ASSERT_LE(0, fd);
	memset(&in, 0, sizeof(in));
	in.flags = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_EVENT_IOC_INFO, &in));
	memset(&in, 0, sizeof(in));
	in.__pad = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_EVENT_IOC_INFO, &in));
	for (i = 0; i < 4; i++) {
		memset(&in, 0, sizeof(in));
		in.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_EVENT_IOC_INFO, &in));
	}
	memset(&in, 0, sizeof(in));
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_INFO,
				KIPC_EVENT_INFO_SIZE_VER0 - 8), &in));
}

TEST_F(kipc, info_struct_sizes)
{
	struct {
		struct kipc_event_info in;
		uint64_t tail[2];
	} big;
	struct kipc_event_info in;
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_event_signal(fd, 3));
	memset(&big, 0, sizeof(big));
	ASSERT_EQ(0, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_INFO,
						sizeof(big)), &big));
	EXPECT_EQ(3ULL, big.in.value);
	EXPECT_EQ(0ULL, big.tail[0]);
	big.tail[1] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_INFO,
						     sizeof(big)), &big));
	/* The output fields are ignored on input: reuse works. */
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0, kt_ioctl(fd, KIPC_EVENT_IOC_INFO, &in));
	EXPECT_EQ(3ULL, in.value);
}

/* ---- KIPC_EVENT_IOC_SIGNAL errors --------------------------------------------- */

TEST_F(kipc, signal_invalid_input)
{
	struct kipc_event_signal s;
	struct kipc_event_info in;
	int fd = new_event(0), i;

	ASSERT_LE(0, fd);
	memset(&s, 0, sizeof(s));
	s.flags = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_EVENT_IOC_SIGNAL, &s));
	memset(&s, 0, sizeof(s));
	s.flags = 0x80000000U;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_EVENT_IOC_SIGNAL, &s));
	memset(&s, 0, sizeof(s));
	s.__pad = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_EVENT_IOC_SIGNAL, &s));
	for (i = 0; i < 2; i++) {
		memset(&s, 0, sizeof(s));
		s.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_EVENT_IOC_SIGNAL, &s));
	}
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0ULL, in.signals);
	EXPECT_EQ(0U, in.state);
}

TEST_F(kipc, signal_struct_sizes)
{
	struct {
		struct kipc_event_signal s;
		uint64_t tail[2];
	} big;
	struct kipc_event_info in;
	uint64_t v = 0;
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	memset(&big, 0, sizeof(big));
	big.s.value = 17;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_SIGNAL,
				KIPC_EVENT_SIGNAL_SIZE_VER0 - 8), &big));
	big.tail[0] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_SIGNAL,
						     sizeof(big)), &big));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0ULL, in.signals);
	big.tail[0] = 0;
	EXPECT_EQ(0, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_SIGNAL,
						sizeof(big)), &big));
	EXPECT_EQ(0, kipc_event_trywait(fd, &v));
	EXPECT_EQ(17ULL, v);
}

TEST_F(kipc, signal_bad_pointer)
{
	struct kipc_event_info in;
	void *bad = kt_noaccess_page();
	int fd = new_event(0);

	ASSERT_NE(NULL, bad);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_EVENT_IOC_SIGNAL, bad));
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_EVENT_IOC_SIGNAL, NULL));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0ULL, in.signals);
	EXPECT_EQ(0U, in.state);
}

/* ---- access --------------------------------------------------------------------- */

TEST_F(kipc, ebadf_rdonly_signal)
{
	struct kipc_event_info in;
	int fd = kipc_event_create(NULL, 0600, 0, KIPC_FD_RDONLY);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, kipc_event_signal(fd, 1));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0ULL, in.signals);
	EXPECT_EQ(0U, in.state);
}

TEST_F(kipc, ebadf_rdonly_reset)
{
	struct kipc_event_info in;
	int fd = kipc_event_create(NULL, 0600, KIPC_EVENT_SET, KIPC_FD_RDONLY);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, kipc_event_reset(fd));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_SET, in.state);
	/* Reading is allowed. */
	EXPECT_EQ(0, kipc_event_trywait(fd, NULL));
}

TEST_F(kipc, ebadf_wronly_wait)
{
	struct kipc_timespec dl = kt_ts_at(kt_now_ns() + 10 * MS);
	struct kipc_event_info in;
	int fd = kipc_event_create(NULL, 0600, KIPC_EVENT_SET, KIPC_FD_WRONLY);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, kt_wait_raw(fd, 0, NULL, NULL));
	EXPECT_EQ(-EBADF, kt_wait_raw(fd, KIPC_WAIT_NONBLOCK, NULL, NULL));
	EXPECT_EQ(-EBADF, kt_wait_raw(fd, KIPC_WAIT_DEADLINE, &dl, NULL));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_SET, in.state);
	EXPECT_EQ(0ULL, in.wakeups);
	/* Writing is allowed. */
	EXPECT_EQ(0, kipc_event_signal(fd, 1));
	EXPECT_EQ(0, kipc_event_reset(fd));
}

/* ---- unknown commands ------------------------------------------------------------ */

TEST_F(kipc, event_ioctls_on_dev_enotty)
{
	struct kipc_event_signal s;
	struct kipc_event_wait w;
	struct kipc_event_info in;
	int dev = kt_dev();

	ASSERT_LE(0, dev);
	memset(&s, 0, sizeof(s));
	memset(&w, 0, sizeof(w));
	memset(&in, 0, sizeof(in));
	w.flags = KIPC_WAIT_NONBLOCK;
	EXPECT_EQ(-ENOTTY, kt_ioctl(dev, KIPC_EVENT_IOC_SIGNAL, &s));
	EXPECT_EQ(-ENOTTY, kt_ioctl(dev, KIPC_EVENT_IOC_RESET, NULL));
	EXPECT_EQ(-ENOTTY, kt_ioctl(dev, KIPC_EVENT_IOC_WAIT, &w));
	EXPECT_EQ(-ENOTTY, kt_ioctl(dev, KIPC_EVENT_IOC_INFO, &in));
}

TEST_F(kipc, event_unknown_nr_enotty)
{
	uint64_t buf[16];
	int fd = new_event(KIPC_EVENT_SET);

	ASSERT_LE(0, fd);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOWR(KIPC_IOC_MAGIC, 0x24,
					      struct kipc_event_info), buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOWR(KIPC_IOC_MAGIC, 0x2f,
					      struct kipc_event_info), buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IO(KIPC_IOC_MAGIC, 0x1f), NULL));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOWR(KIPC_IOC_MAGIC + 1, 0x22,
					      struct kipc_event_wait), buf));
	/* Nothing was consumed. */
	EXPECT_EQ(0, kipc_event_trywait(fd, NULL));
}

TEST_F(kipc, event_wrong_direction_enotty)
{
	uint64_t buf[16];
	int fd = new_event(KIPC_EVENT_SET);

	ASSERT_LE(0, fd);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOWR(KIPC_IOC_MAGIC, 0x20,
					      struct kipc_event_signal), buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOW(KIPC_IOC_MAGIC, 0x21, uint64_t),
				    buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOW(KIPC_IOC_MAGIC, 0x22,
					     struct kipc_event_wait), buf));
	EXPECT_EQ(0, kipc_event_trywait(fd, NULL));
}

/* ---- wait: argument errors ---------------------------------------------------------- */

/*
 * Each bad wait is tried on a set event: it must fail without consuming the
 * signal.
 */
#define EXPECT_WAIT_FAILS(fd, w, err) do {				\
	struct kipc_event_info i_;					\
									\
	EXPECT_EQ(-(err), kt_ioctl(fd, KIPC_EVENT_IOC_WAIT, w));	\
	ASSERT_EQ(0, kt_event_info(fd, &i_));				\
	EXPECT_EQ(KIPC_EVENT_SET, i_.state & KIPC_EVENT_SET);		\
	EXPECT_EQ(0ULL, i_.wakeups);					\
} while (0)

TEST_F(kipc, wait_bad_nsec)
{
	static const uint64_t nsecs[] = {
		1000000000ULL, 1000000001ULL, 0x8000000000000000ULL, UINT64_MAX,
	};
	struct kipc_event_wait w;
	int fd = new_event(KIPC_EVENT_SET);
	size_t i;

	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(nsecs); i++) {
		memset(&w, 0, sizeof(w));
		w.flags = KIPC_WAIT_DEADLINE;
		w.deadline.tv_sec = kt_now_ns() / KT_NSEC_PER_SEC + 10;
		w.deadline.tv_nsec = nsecs[i];
		EXPECT_WAIT_FAILS(fd, &w, EINVAL);
	}
}

TEST_F(kipc, wait_negative_sec)
{
	static const int64_t secs[] = { -1, -1000, INT64_MIN };
	struct kipc_event_wait w;
	int fd = new_event(KIPC_EVENT_SET);
	size_t i;

	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(secs); i++) {
		memset(&w, 0, sizeof(w));
		w.flags = KIPC_WAIT_DEADLINE;
		w.deadline.tv_sec = secs[i];
		EXPECT_WAIT_FAILS(fd, &w, EINVAL);
	}
}

TEST_F(kipc, wait_deadline_without_flag)
{
	struct kipc_event_wait w;
	int fd = new_event(KIPC_EVENT_SET);

	ASSERT_LE(0, fd);
	memset(&w, 0, sizeof(w));
	w.deadline = kt_ts_at(kt_now_ns() + 1000 * MS);
	EXPECT_WAIT_FAILS(fd, &w, EINVAL);
	memset(&w, 0, sizeof(w));
	w.deadline.tv_nsec = 1;
	EXPECT_WAIT_FAILS(fd, &w, EINVAL);
	memset(&w, 0, sizeof(w));
	w.flags = KIPC_WAIT_NONBLOCK;
	w.deadline.tv_sec = 1;
	EXPECT_WAIT_FAILS(fd, &w, EINVAL);
}

TEST_F(kipc, wait_deadline_and_nonblock)
{
	struct kipc_event_wait w;
	int fd = new_event(KIPC_EVENT_SET);

	ASSERT_LE(0, fd);
	memset(&w, 0, sizeof(w));
	w.flags = KIPC_WAIT_DEADLINE | KIPC_WAIT_NONBLOCK;
	w.deadline = kt_ts_at(kt_now_ns() + 1000 * MS);
	EXPECT_WAIT_FAILS(fd, &w, EINVAL);
}

TEST_F(kipc, wait_unknown_flags)
{
	struct kipc_event_wait w;
	int fd = new_event(KIPC_EVENT_SET), bit;

	ASSERT_LE(0, fd);
	for (bit = 0; bit < 32; bit++) {
		if (KIPC_WAIT_FLAGS & (1U << bit))
			continue;
		memset(&w, 0, sizeof(w));
		w.flags = 1U << bit;
		EXPECT_WAIT_FAILS(fd, &w, EINVAL);
	}
}

TEST_F(kipc, wait_pad_reserved_nonzero)
{
	struct kipc_event_wait w;
	int fd = new_event(KIPC_EVENT_SET), i;

	ASSERT_LE(0, fd);
	memset(&w, 0, sizeof(w));
	w.__pad = 1;
	EXPECT_WAIT_FAILS(fd, &w, EINVAL);
	for (i = 0; i < 2; i++) {
		memset(&w, 0, sizeof(w));
		w.reserved[i] = 1;
		EXPECT_WAIT_FAILS(fd, &w, EINVAL);
	}
}

TEST_F(kipc, wait_struct_sizes)
{
	struct {
		struct kipc_event_wait w;
		uint64_t tail[2];
	} big;
	struct kipc_event_info in;
	int fd;

	fd = kipc_create(KIPC_TYPE_EVENT, NULL, 0600,
			 &(struct kipc_event_attr){ .flags = KIPC_EVENT_SET,
						    .value = 61 },
			 sizeof(struct kipc_event_attr), 0);
	ASSERT_LE(0, fd);
	memset(&big, 0, sizeof(big));
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_WAIT,
				KIPC_EVENT_WAIT_SIZE_VER0 - 8), &big));
	big.tail[1] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_WAIT,
						     sizeof(big)), &big));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_SET, in.state);
	EXPECT_EQ(0ULL, in.wakeups);
	big.tail[1] = 0;
	EXPECT_EQ(0, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_WAIT,
						sizeof(big)), &big));
	EXPECT_EQ(61ULL, big.w.value);
	EXPECT_EQ(0ULL, big.tail[0]);
	EXPECT_EQ(0ULL, big.tail[1]);
}

/* A wait whose result cannot be written back must not eat the signal. */
TEST_F(kipc, wait_readonly_struct_keeps_signal)
{
	struct kipc_event_wait w, *ro;
	struct kipc_event_info in;
	uint64_t v = 0;
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_event_signal(fd, 88));
	memset(&w, 0, sizeof(w));
	ro = kt_readonly_copy(&w, sizeof(w));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_EVENT_IOC_WAIT, ro));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_SET, in.state);
	EXPECT_EQ(0ULL, in.wakeups);
	EXPECT_EQ(0, kipc_event_trywait(fd, &v));
	EXPECT_EQ(88ULL, v);
}

TEST_F(kipc, wait_bad_pointer_keeps_signal)
{
	struct kipc_event_info in;
	void *bad = kt_noaccess_page();
	int fd = new_event(KIPC_EVENT_SET);

	ASSERT_NE(NULL, bad);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_EVENT_IOC_WAIT, bad));
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_EVENT_IOC_WAIT, NULL));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_SET, in.state);
}

/* ---- deadlines and timeouts ------------------------------------------------------------ */

TEST_F(kipc, wait_deadline_not_early)
{
	struct kipc_timespec dl;
	int64_t t0, t1, end;
	int fd = new_event(0), ret;

	ASSERT_LE(0, fd);
	t0 = kt_now_ns();
	end = t0 + 100 * MS;
	dl = kt_ts_at(end);
	ret = kt_wait_raw(fd, KIPC_WAIT_DEADLINE, &dl, NULL);
	t1 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ret);
	EXPECT_LE(end, t1)
		TH_LOG("returned %lld ns before the deadline",
		       (long long)(end - t1));
	EXPECT_GT(t0 + 5000 * MS, t1);
}

TEST_F(kipc, wait_relative_timeout_not_early)
{
	int64_t t0, t1;
	int fd = new_event(0), ret;

	ASSERT_LE(0, fd);
	t0 = kt_now_ns();
	ret = kipc_event_wait(fd, 100 * MS, NULL);
	t1 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ret);
	EXPECT_LE(100 * MS, t1 - t0);
	EXPECT_GT(5000 * MS, t1 - t0);
}

TEST_F(kipc, wait_deadline_whole_second)
{
	struct kipc_timespec dl;
	int64_t t1, end;
	int fd = new_event(0), ret;

	ASSERT_LE(0, fd);
	/* A deadline with tv_nsec == 0, 50 ms to 1.05 s away. */
	end = (kt_now_ns() / KT_NSEC_PER_SEC + 1) * KT_NSEC_PER_SEC;
	if (end - kt_now_ns() < 50 * MS)
		end += KT_NSEC_PER_SEC;
	dl = kt_ts_at(end);
	ASSERT_EQ(0ULL, dl.tv_nsec);
	ret = kt_wait_raw(fd, KIPC_WAIT_DEADLINE, &dl, NULL);
	t1 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ret);
	EXPECT_LE(end, t1);
}

TEST_F(kipc, wait_past_deadline_etimedout)
{
	struct kipc_timespec dl;
	int64_t t0, t1;
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	t0 = kt_now_ns();
	dl = kt_ts_at(t0 - 1000 * MS);
	EXPECT_EQ(-ETIMEDOUT, kt_wait_raw(fd, KIPC_WAIT_DEADLINE, &dl, NULL));
	memset(&dl, 0, sizeof(dl));
	EXPECT_EQ(-ETIMEDOUT, kt_wait_raw(fd, KIPC_WAIT_DEADLINE, &dl, NULL));
	t1 = kt_now_ns();
	EXPECT_GT(t0 + 1000 * MS, t1);
}

TEST_F(kipc, wait_past_deadline_set_succeeds)
{
	struct kipc_timespec dl;
	uint64_t v = 0;
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_event_signal(fd, 14));
	memset(&dl, 0, sizeof(dl));
	EXPECT_EQ(0, kt_wait_raw(fd, KIPC_WAIT_DEADLINE, &dl, &v));
	EXPECT_EQ(14ULL, v);
}

TEST_F(kipc, wait_huge_deadline_valid)
{
	struct kipc_timespec dl = {
		.tv_sec = INT64_MAX, .tv_nsec = 999999999,
	};
	uint64_t v = 0;
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_event_signal(fd, 15));
	EXPECT_EQ(0, kt_wait_raw(fd, KIPC_WAIT_DEADLINE, &dl, &v));
	EXPECT_EQ(15ULL, v);
}

TEST_F(kipc, wait_timeout_leaves_no_trace)
{
	struct kipc_event_info in;
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(-ETIMEDOUT, kipc_event_wait(fd, 20 * MS, NULL));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0U, in.waiters);
	EXPECT_EQ(0ULL, in.wakeups);
	/* A later signal is not handed to the waiter that gave up. */
	ASSERT_EQ(0, kipc_event_signal(fd, 3));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_SET, in.state);
	EXPECT_EQ(0, kipc_event_trywait(fd, NULL));
}

/* A waiter with a deadline is released early by a signal. */
TEST_F(kipc, wait_deadline_released_by_signal)
{
	uint64_t v = 0;
	int64_t t0, t1;
	int fd = new_event(0), st, ret;
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS))
			_exit(1);
		_exit(kipc_event_signal(fd, 0xabc) ? 2 : 0);
	}
	t0 = kt_now_ns();
	ret = kipc_event_wait(fd, CHILD_WAIT_NS, &v);
	t1 = kt_now_ns();
	EXPECT_EQ(0, ret);
	EXPECT_EQ(0xabcULL, v);
	EXPECT_GT(t0 + CHILD_WAIT_NS, t1);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

/* ---- non-blocking ---------------------------------------------------------------------- */

TEST_F(kipc, nonblock_fd_eagain)
{
	struct kipc_event_info in;
	int64_t t0, t1;
	int fd = kipc_event_create(NULL, 0600, 0, KIPC_FD_NONBLOCK);

	ASSERT_LE(0, fd);
	t0 = kt_now_ns();
	EXPECT_EQ(-EAGAIN, kt_wait_raw(fd, 0, NULL, NULL));
	EXPECT_EQ(-EAGAIN, kipc_event_wait(fd, KIPC_INFINITE, NULL));
	t1 = kt_now_ns();
	EXPECT_GT(t0 + 1000 * MS, t1);
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0U, in.waiters);
}

TEST_F(kipc, nonblock_fd_set_succeeds)
{
	uint64_t v = 0;
	int fd = kipc_event_create(NULL, 0600, 0, KIPC_FD_NONBLOCK);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_event_signal(fd, 40));
	EXPECT_EQ(0, kt_wait_raw(fd, 0, NULL, &v));
	EXPECT_EQ(40ULL, v);
	EXPECT_EQ(-EAGAIN, kt_wait_raw(fd, 0, NULL, NULL));
}

TEST_F(kipc, nonblock_opened_fd)
{
	const char *name = kt_name("nb");
	int fd, nb;

	fd = kipc_event_create(name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	nb = kipc_event_open(name, KIPC_FD_NONBLOCK);
	ASSERT_LE(0, nb);
	EXPECT_EQ(-EAGAIN, kipc_event_wait(nb, KIPC_INFINITE, NULL));
	/* The other fd of the same object still blocks. */
	EXPECT_EQ(-ETIMEDOUT, kipc_event_wait(fd, 10 * MS, NULL));
}

TEST_F(kipc, nonblock_set_with_fcntl)
{
	int fd = new_event(0), fl;

	ASSERT_LE(0, fd);
	fl = fcntl(fd, F_GETFL);
	ASSERT_LE(0, fl);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, kipc_event_wait(fd, KIPC_INFINITE, NULL));
	ASSERT_EQ(0, fcntl(fd, F_SETFL, fl & ~O_NONBLOCK));
	EXPECT_EQ(-ETIMEDOUT, kipc_event_wait(fd, 10 * MS, NULL));
}

TEST_F(kipc, trywait_flag_eagain)
{
	struct kipc_event_info in;
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EAGAIN, kt_wait_raw(fd, KIPC_WAIT_NONBLOCK, NULL, NULL));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0ULL, in.wakeups);
	EXPECT_EQ(0U, in.waiters);
}

/* ---- poll and epoll ------------------------------------------------------------------- */

TEST_F(kipc, poll_auto)
{
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, poll_now(fd));
	ASSERT_EQ(0, kipc_event_signal(fd, 1));
	EXPECT_EQ(1, poll_now(fd));
	EXPECT_EQ(1, poll_now(fd));	/* polling consumes nothing */
	ASSERT_EQ(0, kipc_event_trywait(fd, NULL));
	EXPECT_EQ(0, poll_now(fd));
}

TEST_F(kipc, poll_manual)
{
	int fd = new_event(KIPC_EVENT_MANUAL_RESET);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, poll_now(fd));
	ASSERT_EQ(0, kipc_event_signal(fd, 1));
	EXPECT_EQ(1, poll_now(fd));
	ASSERT_EQ(0, kipc_event_trywait(fd, NULL));
	EXPECT_EQ(1, poll_now(fd));
	ASSERT_EQ(0, kipc_event_reset(fd));
	EXPECT_EQ(0, poll_now(fd));
}

TEST_F(kipc, poll_initial_set)
{
	int fd = new_event(KIPC_EVENT_SET);

	ASSERT_LE(0, fd);
	EXPECT_EQ(1, poll_now(fd));
}

/* A signal handed straight to a blocked waiter leaves the event clear. */
TEST_F(kipc, poll_not_readable_after_handoff)
{
	struct kipc_event_info in;
	struct kt_report r;
	int fd = new_event(0), rep[2], st;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	pid = spawn_waiter(fd, rep[1], 0);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kipc_event_signal(fd, 5));
	EXPECT_EQ(0, poll_now(fd));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0U, in.state);
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(5ULL, r.value);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

TEST_F(kipc, poll_wakes_blocked_poller)
{
	struct kt_report r;
	int fd = new_event(0), rep[2], st;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int ret = poll(&p, 1, KT_CHILD_TIMEOUT_MS);

		kt_report(rep[1], 0, ret, (uint64_t)p.revents);
		_exit(0);
	}
	/* Signal only once the child sleeps in poll(). */
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kipc_event_signal(fd, 1));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ((uint64_t)POLLIN, r.value & POLLIN);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

TEST_F(kipc, epoll_readiness)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int fd = new_event(0), ep;

	ASSERT_LE(0, fd);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ev.data.u64 = 0x77;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(0, kipc_event_signal(fd, 1));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ(0x77ULL, (unsigned long long)out.data.u64);
	EXPECT_EQ((uint32_t)EPOLLIN, out.events & EPOLLIN);
	ASSERT_EQ(0, kipc_event_trywait(fd, NULL));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
}

TEST_F(kipc, epoll_manual_stays_ready)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int fd = new_event(KIPC_EVENT_MANUAL_RESET), ep;

	ASSERT_LE(0, fd);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	ASSERT_EQ(0, kipc_event_signal(fd, 1));
	ASSERT_EQ(0, kipc_event_trywait(fd, NULL));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(0, kipc_event_reset(fd));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
}

TEST_F(kipc, epoll_wakes_blocked_waiter)
{
	struct kt_report r;
	int fd = new_event(0), rep[2], st;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct epoll_event ev = { .events = EPOLLIN }, out = { 0 };
		int ep = epoll_create1(EPOLL_CLOEXEC), ret;

		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
			_exit(1);
		ret = epoll_wait(ep, &out, 1, KT_CHILD_TIMEOUT_MS);
		kt_report(rep[1], 0, ret, out.events);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kipc_event_signal(fd, 1));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ((uint64_t)EPOLLIN, r.value & EPOLLIN);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

/* ---- processes -------------------------------------------------------------------------- */

TEST_F(kipc, fork_child_waits_parent_signals)
{
	struct kt_report r;
	int fd = new_event(0), rep[2], st;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	pid = spawn_waiter(fd, rep[1], 0);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	/* Still blocked: nothing reported yet. */
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	ASSERT_EQ(0, kipc_event_signal(fd, 42));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(42ULL, r.value);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

TEST_F(kipc, named_event_across_processes)
{
	const char *name = kt_name("xproc");
	uint64_t v = 0;
	int fd, st;
	pid_t pid;

	fd = kipc_event_create(name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* A fresh fd of the child's own, by name. */
		int cfd = kipc_event_open(name, KIPC_FD_WRONLY);

		if (cfd < 0)
			_exit(1);
		if (kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS))
			_exit(2);
		_exit(kipc_event_signal(cfd, 314) ? 3 : 0);
	}
	EXPECT_EQ(0, kipc_event_wait(fd, CHILD_WAIT_NS, &v));
	EXPECT_EQ(314ULL, v);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

TEST_F(kipc, wake_one_auto)
{
	struct kipc_event_info in;
	struct kt_report r;
	pid_t pids[NWAITERS];
	bool seen[NWAITERS] = { false };
	int fd = new_event(0), rep[2], i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	for (i = 0; i < NWAITERS; i++) {
		pids[i] = spawn_waiter(fd, rep[1], i);
		ASSERT_LE(0, pids[i]);
	}
	ASSERT_EQ(0, kt_wait_waiters(fd, NWAITERS, KT_CHILD_TIMEOUT_MS));

	ASSERT_EQ(0, kipc_event_signal(fd, 100));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ((unsigned int)NWAITERS - 1, in.waiters);
	EXPECT_EQ(1ULL, in.wakeups);
	EXPECT_EQ(0U, in.state);
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(100ULL, r.value);
	ASSERT_LE(0, r.idx);
	ASSERT_GT(NWAITERS, r.idx);
	seen[r.idx] = true;
	/* Exactly one: nobody else wakes up. */
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 200));

	for (i = 1; i < NWAITERS; i++)
		ASSERT_EQ(0, kipc_event_signal(fd, 100 + i));
	for (i = 1; i < NWAITERS; i++) {
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, r.ret);
		ASSERT_LE(0, r.idx);
		ASSERT_GT(NWAITERS, r.idx);
		EXPECT_FALSE(seen[r.idx]);
		seen[r.idx] = true;
	}
	for (i = 0; i < NWAITERS; i++)
		EXPECT_EQ(0, kt_reap(pids[i], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ((uint64_t)NWAITERS, in.wakeups);
	EXPECT_EQ(0U, in.state);
}

TEST_F(kipc, wake_all_manual)
{
	struct kipc_event_info in;
	struct kt_report r;
	pid_t pids[NWAITERS];
	bool seen[NWAITERS] = { false };
	int fd = new_event(KIPC_EVENT_MANUAL_RESET), rep[2], i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	for (i = 0; i < NWAITERS; i++) {
		pids[i] = spawn_waiter(fd, rep[1], i);
		ASSERT_LE(0, pids[i]);
	}
	ASSERT_EQ(0, kt_wait_waiters(fd, NWAITERS, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kipc_event_signal(fd, 55));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0U, in.waiters);
	EXPECT_EQ((uint64_t)NWAITERS, in.wakeups);
	EXPECT_EQ(KIPC_EVENT_MANUAL_RESET | KIPC_EVENT_SET, in.state);
	for (i = 0; i < NWAITERS; i++) {
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, r.ret);
		EXPECT_EQ(55ULL, r.value);
		ASSERT_LE(0, r.idx);
		ASSERT_GT(NWAITERS, r.idx);
		EXPECT_FALSE(seen[r.idx]);
		seen[r.idx] = true;
	}
	for (i = 0; i < NWAITERS; i++)
		EXPECT_EQ(0, kt_reap(pids[i], KT_CHILD_TIMEOUT_MS));
}

/* Waiters are served in the order they started waiting. */
TEST_F(kipc, fifo_order_auto)
{
	struct kipc_event_info in;
	struct kt_report r;
	pid_t pids[NWAITERS];
	int fd = new_event(0), rep[2], i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	for (i = 0; i < NWAITERS; i++) {
		pids[i] = spawn_waiter(fd, rep[1], i);
		ASSERT_LE(0, pids[i]);
		ASSERT_EQ(0, kt_wait_waiters(fd, i + 1, KT_CHILD_TIMEOUT_MS));
	}
	for (i = 0; i < NWAITERS; i++) {
		ASSERT_EQ(0, kipc_event_signal(fd, 1000 + i));
		ASSERT_EQ(0, kt_event_info(fd, &in));
		EXPECT_EQ((unsigned int)(NWAITERS - 1 - i), in.waiters);
	}
	for (i = 0; i < NWAITERS; i++) {
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, r.ret);
		EXPECT_EQ(1000ULL + r.idx, r.value)
			TH_LOG("waiter %d got the signal meant for waiter %d",
			       r.idx, (int)(r.value - 1000));
	}
	for (i = 0; i < NWAITERS; i++)
		EXPECT_EQ(0, kt_reap(pids[i], KT_CHILD_TIMEOUT_MS));
}

/* ---- signals and blocked waits ------------------------------------------------------- */

static int handler_fd = -1;

static void on_usr1(int sig)
{
	char c = 'h';

	if (write(handler_fd, &c, 1) != 1)
		_exit(90);
}

/*
 * A child that installs on_usr1 for SIGUSR1 (with @flags), then waits on
 * @fd without a deadline and reports the result on @rep.
 */
static pid_t spawn_signal_waiter(int fd, int rep, int hfd, int flags)
{
	pid_t pid = kt_fork();
	uint64_t v = 0;
	int ret;

	if (pid == 0) {
		handler_fd = hfd;
		if (kt_on_signal(SIGUSR1, on_usr1, flags))
			_exit(91);
		ret = kipc_event_wait(fd, KIPC_INFINITE, &v);
		kt_report(rep, 0, ret, v);
		_exit(0);
	}
	return pid;
}

static int read_byte(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&p, 1, timeout_ms) != 1)
		return -ETIMEDOUT;
	return read(fd, &c, 1) == 1 ? c : -EIO;
}

TEST_F(kipc, signal_interrupts_wait_eintr)
{
	struct kipc_event_info in;
	struct kt_report r;
	int fd = new_event(0), rep[2], hp[2], st;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	pid = spawn_signal_waiter(fd, rep[1], hp[1], 0);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	EXPECT_EQ('h', read_byte(hp[0], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-EINTR, r.ret);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0U, in.waiters);
	EXPECT_EQ(0ULL, in.wakeups);
	/* The interrupted waiter took nothing: a signal now stays pending. */
	ASSERT_EQ(0, kipc_event_signal(fd, 1));
	EXPECT_EQ(0, kipc_event_trywait(fd, NULL));
}

TEST_F(kipc, signal_sa_restart_resumes_wait)
{
	struct kt_report r;
	int fd = new_event(0), rep[2], hp[2], st;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	pid = spawn_signal_waiter(fd, rep[1], hp[1], SA_RESTART);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ('h', read_byte(hp[0], KT_CHILD_TIMEOUT_MS));
	/* The handler ran; the wait restarted and blocks again. */
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	ASSERT_EQ(0, kipc_event_signal(fd, 66));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(66ULL, r.value);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

TEST_F(kipc, signal_sa_restart_keeps_deadline)
{
	struct kt_report r;
	struct sigaction sa;
	int64_t end;
	int fd = new_event(0), rep[2], hp[2], st;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	end = kt_now_ns() + 300 * MS;
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_timespec dl = kt_ts_at(end);
		int ret;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_usr1;
		sa.sa_flags = SA_RESTART;
		handler_fd = hp[1];
		if (sigaction(SIGUSR1, &sa, NULL))
			_exit(91);
		ret = kt_wait_raw(fd, KIPC_WAIT_DEADLINE, &dl, NULL);
		kt_report(rep[1], 0, ret, (uint64_t)kt_now_ns());
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ('h', read_byte(hp[0], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-ETIMEDOUT, r.ret);
	EXPECT_LE(end, (int64_t)r.value);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

/* A stop and continue (no handler) restarts the wait invisibly. */
TEST_F(kipc, sigstop_sigcont_resumes_wait)
{
	struct kt_report r;
	int fd = new_event(0), rep[2], status, st;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t v = 0;
		int ret = kipc_event_wait(fd, KIPC_INFINITE, &v);

		kt_report(rep[1], 0, ret, v);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, kill(pid, SIGCONT));
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	ASSERT_EQ(0, kipc_event_signal(fd, 71));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(71ULL, r.value);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

TEST_F(kipc, sigkill_waiter_no_leak)
{
	struct kipc_event_info in;
	struct kipc_stats b, a;
	int fd, st;
	pid_t pid;

	ASSERT_EQ(0, kt_stats(&b));
	fd = new_event(0);
	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		kt_child_exit_err(kipc_event_wait(fd, KIPC_INFINITE, NULL));
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(256 + SIGKILL, st);
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0U, in.waiters);
	EXPECT_EQ(0ULL, in.wakeups);
	/* The event still works, and the dead waiter takes nothing. */
	ASSERT_EQ(0, kipc_event_signal(fd, 2));
	EXPECT_EQ(0, kipc_event_trywait(fd, NULL));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.uid_objects, a.uid_objects);
}

/* A killed waiter in the middle of the queue does not break FIFO order. */
TEST_F(kipc, sigkill_middle_waiter_keeps_order)
{
	struct kt_report r;
	pid_t pids[3];
	int fd = new_event(0), rep[2], i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	for (i = 0; i < 3; i++) {
		pids[i] = spawn_waiter(fd, rep[1], i);
		ASSERT_LE(0, pids[i]);
		ASSERT_EQ(0, kt_wait_waiters(fd, i + 1, KT_CHILD_TIMEOUT_MS));
	}
	ASSERT_EQ(0, kill(pids[1], SIGKILL));
	EXPECT_EQ(256 + SIGKILL, kt_reap(pids[1], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kt_wait_waiters(fd, 2, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kipc_event_signal(fd, 500));
	ASSERT_EQ(0, kipc_event_signal(fd, 502));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, r.ret);
		EXPECT_EQ(500ULL + r.idx, r.value);
	}
	EXPECT_EQ(0, kt_reap(pids[0], KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_reap(pids[2], KT_CHILD_TIMEOUT_MS));
}

/*
 * A signal handler and an event signal racing for a blocked waiter: either
 * the waiter gets the value, or it returns EINTR and the value stays in
 * the event.  Never both, never neither.
 */
TEST_F(kipc, race_interrupt_vs_signal_nothing_lost)
{
	struct kipc_event_info in;
	struct kt_report r;
	int fd = new_event(0), rep[2], hp[2], i, got = 0, intr = 0;
	uint64_t v;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	for (i = 0; i < 30; i++) {
		pid = spawn_signal_waiter(fd, rep[1], hp[1], 0);
		ASSERT_LE(0, pid);
		ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
		if (i % 3 == 0) {
			ASSERT_EQ(0, kipc_event_signal(fd, 1000 + i));
			ASSERT_EQ(0, kill(pid, SIGUSR1));
		} else {
			/* Give the interruption a varying head start. */
			ASSERT_EQ(0, kill(pid, SIGUSR1));
			if (i % 3 == 2)
				usleep(100 * (i % 7));
			ASSERT_EQ(0, kipc_event_signal(fd, 1000 + i));
		}
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		ASSERT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
		ASSERT_EQ(0, kt_event_info(fd, &in));
		if (r.ret == 0) {
			got++;
			EXPECT_EQ(1000ULL + i, r.value);
			EXPECT_EQ(0U, in.state);
		} else {
			intr++;
			EXPECT_EQ(-EINTR, r.ret);
			EXPECT_EQ(KIPC_EVENT_SET, in.state)
				TH_LOG("round %d: EINTR and the signal is lost", i);
			v = 0;
			EXPECT_EQ(0, kipc_event_trywait(fd, &v));
			EXPECT_EQ(1000ULL + i, v);
		}
		EXPECT_EQ(-EAGAIN, kipc_event_trywait(fd, NULL));
		EXPECT_EQ(0U, in.waiters);
	}
	TH_LOG("%d rounds woken by the event, %d interrupted", got, intr);
}

/*
 * A deadline and a signal racing: either the waiter gets the value, or it
 * times out and the value stays in the event.
 */
TEST_F(kipc, race_timeout_vs_signal_nothing_lost)
{
	struct kipc_event_info in;
	struct kt_report r;
	int fd = new_event(0), rep[2], i, got = 0, late = 0;
	uint64_t v;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	for (i = 0; i < 30; i++) {
		pid = kt_fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			int ret;

			v = 0;
			ret = kipc_event_wait(fd, (2 + i % 4) * MS, &v);
			kt_report(rep[1], 0, ret, v);
			_exit(0);
		}
		kt_sleep_ms(2 + i % 4);
		ASSERT_EQ(0, kipc_event_signal(fd, 2000 + i));
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		ASSERT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
		ASSERT_EQ(0, kt_event_info(fd, &in));
		if (r.ret == 0) {
			got++;
			EXPECT_EQ(2000ULL + i, r.value);
			EXPECT_EQ(0U, in.state);
		} else {
			late++;
			EXPECT_EQ(-ETIMEDOUT, r.ret);
			EXPECT_EQ(KIPC_EVENT_SET, in.state)
				TH_LOG("round %d: timed out and the signal is lost",
				       i);
			v = 0;
			EXPECT_EQ(0, kipc_event_trywait(fd, &v));
			EXPECT_EQ(2000ULL + i, v);
		}
		EXPECT_EQ(-EAGAIN, kipc_event_trywait(fd, NULL));
		EXPECT_EQ(0U, in.waiters);
	}
	TH_LOG("%d rounds got the value, %d timed out first", got, late);
}

/* ---- threads -------------------------------------------------------------------------- */

struct thread_wait {
	int fd;
	int ret;
};

static void *thread_waiter(void *arg)
{
	struct thread_wait *t = arg;

	t->ret = kipc_event_wait(t->fd, KIPC_INFINITE, NULL);
	return NULL;
}

static void on_sig_noop(int sig)
{
}

/* Closing the fd under a blocked wait: the object lives until it returns. */
TEST_F(kipc, close_while_waiting)
{
	struct sigaction sa = { .sa_handler = on_sig_noop };
	struct thread_wait t = { .ret = 1 };
	struct kipc_stats b, a;
	pthread_t th;

	ASSERT_EQ(0, sigaction(SIGUSR2, &sa, NULL));
	ASSERT_EQ(0, kt_stats(&b));
	t.fd = new_event(0);
	ASSERT_LE(0, t.fd);
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_waiter, &t));
	ASSERT_EQ(0, kt_wait_waiters(t.fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, close(t.fd));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects + 1, a.objects);
	ASSERT_EQ(0, pthread_kill(th, SIGUSR2));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EINTR, t.ret);
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.destroyed + 1, a.destroyed);
}

/* Threads of one process are served in FIFO order like processes. */
TEST_F(kipc, threads_wake_one_each)
{
	struct thread_wait t[3];
	struct kipc_event_info in;
	pthread_t th[3];
	int fd = new_event(0), i;

	ASSERT_LE(0, fd);
	for (i = 0; i < 3; i++) {
		t[i].fd = fd;
		t[i].ret = 1;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, thread_waiter, &t[i]));
	}
	ASSERT_EQ(0, kt_wait_waiters(fd, 3, KT_CHILD_TIMEOUT_MS));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, kipc_event_signal(fd, i));
		ASSERT_EQ(0, kt_event_info(fd, &in));
		EXPECT_EQ((unsigned int)(2 - i), in.waiters);
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0, t[i].ret);
	}
}

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

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
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
