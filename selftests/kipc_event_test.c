// SPDX-License-Identifier: GPL-2.0
/*
 * kipc event selftests: auto- and manual-reset semantics, values,
 * deadlines and timeouts, non-blocking waits, poll and epoll.  The errors
 * of every event ioctl are in kipc_event_args_test.c, blocked waiters
 * (processes, signals, threads) in kipc_event_waiters_test.c, the
 * multi-process stress test in kipc_event_stress_test.c.
 *
 * Waits in children always have a deadline or are watched by the parent,
 * so a broken module fails a test instead of hanging the suite.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_event_util.h"

KT_FIXTURE()

/* Whether @fd polls readable right now. */
static int poll_now(int fd)
{
	int r = kt_poll_now(fd, POLLIN);

	return r < 0 ? r : !!(r & POLLIN);
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
	int fd = new_event(0), rep[2];
	pid_t pid;

	SPAWN_BLOCKED_WAITERS(fd, rep, &pid, 1);
	ASSERT_EQ(0, kipc_event_signal(fd, 5));
	EXPECT_EQ(0, poll_now(fd));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0U, in.state);
	KT_EXPECT_CHILD_REPORT(rep[0], pid, 0, 5ULL);
}

/*
 * A child sleeping in poll() (@epoll false) or epoll_wait() (@epoll) for
 * input on an event wakes up when the event is signalled: it reports one
 * ready fd, with POLLIN (EPOLLIN) set, and exits with 0.
 */
static void check_signal_wakes_poller(struct __test_metadata *_metadata,
				      bool epoll)
{
	const uint64_t in = epoll ? (uint64_t)EPOLLIN : (uint64_t)POLLIN;
	struct kt_report r;
	int fd = new_event(0), rep[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	pid = epoll ? kt_spawn_epoller(fd, rep[1], EPOLLIN) :
		      kt_spawn_poller(fd, rep[1], POLLIN);
	ASSERT_LE(0, pid);
	/* Signal only once the child sleeps in poll() or epoll_wait(). */
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kipc_event_signal(fd, 1));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ(in, r.value & in);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

TEST_F(kipc, poll_wakes_blocked_poller)
{
	check_signal_wakes_poller(_metadata, false);
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
	check_signal_wakes_poller(_metadata, true);
}

TEST_HARNESS_MAIN
