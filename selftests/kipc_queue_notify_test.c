// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message queue selftests, watching a queue: info and fdinfo, poll
 * and epoll, mq_notify-style notification, read(2) and write(2) (also
 * from ordinary tools).
 */
#include "kipc_queue_util.h"

/* ---- info and fdinfo ------------------------------------------------------------------ */

TEST_F(kipc, info_counters)
{
	struct kipc_queue_info in;
	char buf[64];
	int fd = new_queue(5, 64);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_queue_send(fd, "0123456789", 10, 2, 0));
	ASSERT_EQ(0, kipc_queue_send(fd, "01234567890123456789", 20, 1, 0));
	ASSERT_EQ(0, kipc_queue_send(fd, NULL, 0, 0, 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(5U, in.max_msgs);
	EXPECT_EQ(64U, in.max_msg_size);
	EXPECT_EQ(3U, in.msgs);
	EXPECT_EQ(30ULL, in.bytes);
	EXPECT_EQ(3ULL, in.sent);
	EXPECT_EQ(0ULL, in.received);
	EXPECT_EQ(0U, in.senders);
	EXPECT_EQ(0U, in.receivers);
	EXPECT_EQ(0U, in.notify_pid);
	EXPECT_EQ(0U, in.__pad);

	EXPECT_EQ(10, kipc_queue_recv(fd, buf, sizeof(buf), NULL, 0));
	/* Failed calls count nothing. */
	EXPECT_EQ(-EMSGSIZE, kipc_queue_recv(fd, buf, 1, NULL, 0));
	EXPECT_EQ(-EMSGSIZE, kipc_queue_send(fd, buf, 65, 0, 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(2U, in.msgs);
	EXPECT_EQ(20ULL, in.bytes);
	EXPECT_EQ(3ULL, in.sent);
	EXPECT_EQ(1ULL, in.received);

	ASSERT_EQ(0, kipc_queue_notify(fd, SIGUSR1, 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ((uint32_t)getpid(), in.notify_pid);
	ASSERT_EQ(0, kipc_queue_notify(fd, 0, 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.notify_pid);
}

TEST_F(kipc, info_invalid_input)
{
	struct kipc_queue_info in;
	int fd = new_queue(2, 16), bit, i;

	ASSERT_LE(0, fd);
	for (bit = 0; bit < 32; bit++) {
		memset(&in, 0, sizeof(in));
		in.flags = 1U << bit;
		EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_QUEUE_IOC_INFO, &in));
	}
	for (i = 0; i < 4; i++) {
		memset(&in, 0, sizeof(in));
		in.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_QUEUE_IOC_INFO, &in));
	}
	memset(&in, 0, sizeof(in));
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_QUEUE_IOC_INFO, NULL));
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_QUEUE_IOC_INFO, kt_noaccess_page()));
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_QUEUE_IOC_INFO,
				KIPC_QUEUE_INFO_SIZE_VER0 - 8), &in));
}

/* "@__pad: must be 0", as in every other struct (kipc_event_info too). */
TEST_F(kipc, info_pad_nonzero)
{
	struct kipc_queue_info in;
	int fd = new_queue(2, 16);

	ASSERT_LE(0, fd);
	memset(&in, 0, sizeof(in));
	in.__pad = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_QUEUE_IOC_INFO, &in));
}

TEST_F(kipc, info_struct_sizes)
{
	struct {
		struct kipc_queue_info in;
		uint64_t tail[2];
	} big;
	struct kipc_queue_info in;
	int fd = new_queue(3, 16);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "abc", 0));
	memset(&big, 0, sizeof(big));
	ASSERT_EQ(0, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_QUEUE_IOC_INFO,
						sizeof(big)), &big));
	EXPECT_EQ(3U, big.in.max_msgs);
	EXPECT_EQ(3ULL, big.in.bytes);
	EXPECT_EQ(0ULL, big.tail[0]);
	EXPECT_EQ(0ULL, big.tail[1]);
	big.tail[0] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_QUEUE_IOC_INFO,
						     sizeof(big)), &big));
	/* The output fields are ignored on input: reuse works. */
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0, kt_ioctl(fd, KIPC_QUEUE_IOC_INFO, &in));
	EXPECT_EQ(1U, in.msgs);
	EXPECT_EQ(16U, in.max_msg_size);
}

TEST_F(kipc, fdinfo_lines)
{
	const char *name = kt_name("fdinfo");
	char buf[4096];
	pid_t pid;
	int fd;

	fd = kipc_queue_create(name, 0640, 4, 128, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_read_fdinfo(fd, buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "kipc-type:\tqueue");
	KT_EXPECT_LINE(buf, "kipc-name:\t%s", name);
	KT_EXPECT_LINE(buf, "kipc-mode:\t0640");
	KT_EXPECT_LINE(buf, "queue-max-msgs:\t4");
	KT_EXPECT_LINE(buf, "queue-max-msg-size:\t128");
	KT_EXPECT_LINE(buf, "queue-msgs:\t0");
	KT_EXPECT_LINE(buf, "queue-bytes:\t0");
	KT_EXPECT_LINE(buf, "queue-senders:\t0");
	KT_EXPECT_LINE(buf, "queue-receivers:\t0");
	KT_EXPECT_LINE(buf, "queue-sent:\t0");
	KT_EXPECT_LINE(buf, "queue-received:\t0");
	KT_EXPECT_LINE(buf, "queue-notify-pid:\t0");

	ASSERT_EQ(0, send_str(fd, "abc", 0));
	ASSERT_EQ(0, send_str(fd, "defgh", 1));
	ASSERT_EQ(0, send_str(fd, "ij", 1));
	EXPECT_RECV_STR(fd, "defgh", 1);
	ASSERT_EQ(0, kipc_queue_notify(fd, SIGUSR1, 5));
	ASSERT_EQ(0, kt_read_fdinfo(fd, buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "queue-msgs:\t2");
	KT_EXPECT_LINE(buf, "queue-bytes:\t5");
	KT_EXPECT_LINE(buf, "queue-sent:\t3");
	KT_EXPECT_LINE(buf, "queue-received:\t1");
	KT_EXPECT_LINE(buf, "queue-notify-pid:\t%d", (int)getpid());
	ASSERT_EQ(0, kipc_queue_notify(fd, 0, 0));

	/* Blocked senders and receivers show. */
	ASSERT_EQ(0, send_str(fd, "k", 0));
	ASSERT_EQ(0, send_str(fd, "l", 0));
	pid = spawn_sender(fd, 1, 0);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, wait_blocked(fd, 1, 0, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kt_read_fdinfo(fd, buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "queue-msgs:\t4");
	KT_EXPECT_LINE(buf, "queue-senders:\t1");
	KT_EXPECT_LINE(buf, "queue-receivers:\t0");
	KT_EXPECT_LINE(buf, "queue-notify-pid:\t0");
	EXPECT_EQ(2, kipc_queue_recv(fd, buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	while (kipc_queue_recv(fd, buf, sizeof(buf), NULL, 0) >= 0)
		;
	pid = spawn_receiver(fd, -1, 0, NULL, 16);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, wait_blocked(fd, 0, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kt_read_fdinfo(fd, buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "queue-msgs:\t0");
	KT_EXPECT_LINE(buf, "queue-senders:\t0");
	KT_EXPECT_LINE(buf, "queue-receivers:\t1");
	ASSERT_EQ(0, send_str(fd, "end", 0));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* ---- poll and epoll -------------------------------------------------------------------- */

TEST_F(kipc, poll_states)
{
	int fd = new_queue(2, 16);

	ASSERT_LE(0, fd);
	EXPECT_EQ(POLL_WR, poll_now(fd));
	ASSERT_EQ(0, send_str(fd, "1", 0));
	EXPECT_EQ(POLL_RD | POLL_WR, poll_now(fd));
	ASSERT_EQ(0, send_str(fd, "2", 0));
	EXPECT_EQ(POLL_RD, poll_now(fd));
	EXPECT_EQ(POLL_RD, poll_now(fd));	/* polling takes nothing */
	EXPECT_RECV_STR(fd, "1", 0);
	EXPECT_EQ(POLL_RD | POLL_WR, poll_now(fd));
	EXPECT_RECV_STR(fd, "2", 0);
	EXPECT_EQ(POLL_WR, poll_now(fd));
}

/* A receiver that is still served keeps the queue not readable. */
TEST_F(kipc, poll_after_handoff)
{
	struct kt_report r;
	pid_t pid;
	int fd = new_queue(1, 16), rep[2];

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	pid = spawn_receiver(fd, rep[1], 0, NULL, 16);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, wait_blocked(fd, 0, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, send_u64(fd, 5, 0, 0));
	EXPECT_EQ(0, poll_now(fd) & POLL_RD);
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(5ULL, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(POLL_WR, poll_now(fd));
}

TEST_F(kipc, poll_wakes_on_send)
{
	struct kt_report r;
	int fd = new_queue(2, 16), rep[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	pid = kt_spawn_poller(fd, rep[1], POLLIN);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	ASSERT_EQ(0, send_str(fd, "x", 0));
	KT_EXPECT_CHILD_REPORT(rep[0], pid, 1, (uint64_t)POLLIN);
}

TEST_F(kipc, poll_wakes_on_recv_for_pollout)
{
	struct kt_report r;
	int fd = new_queue(1, 16), rep[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, send_str(fd, "x", 0));
	pid = kt_spawn_poller(fd, rep[1], POLLOUT);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	EXPECT_RECV_STR(fd, "x", 0);
	KT_EXPECT_CHILD_REPORT(rep[0], pid, 1, (uint64_t)POLLOUT);
}

TEST_F(kipc, epoll_readiness)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT }, out;
	int fd = new_queue(1, 16), ep;

	ASSERT_LE(0, fd);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ev.data.u64 = 0x51;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ(0x51ULL, (unsigned long long)out.data.u64);
	EXPECT_EQ((uint32_t)EPOLLOUT, out.events);
	ASSERT_EQ(0, send_str(fd, "x", 0));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ((uint32_t)EPOLLIN, out.events);
	EXPECT_RECV_STR(fd, "x", 0);
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ((uint32_t)EPOLLOUT, out.events);

	/* Edge-triggered EPOLLIN: one report per arrival into an empty queue. */
	ev.events = EPOLLIN | EPOLLET;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(0, send_str(fd, "y", 0));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ((uint32_t)EPOLLIN, out.events);
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
}

TEST_F(kipc, epoll_wakes_blocked_waiter)
{
	int fd = new_queue(2, 16), rep[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	pid = kt_spawn_epoller(fd, rep[1], EPOLLIN);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, send_str(fd, "x", 3));
	KT_EXPECT_CHILD_REPORT(rep[0], pid, 1, (uint64_t)EPOLLIN);
	EXPECT_RECV_STR(fd, "x", 3);
}

/* ---- notification ---------------------------------------------------------------------- */

TEST_F(kipc, notify_signal_once)
{
	const uint64_t value = 0x1122334455667788ULL;
	struct kipc_queue_info in;
	siginfo_t si;
	int fd = new_queue(4, 16);

	ASSERT_LE(0, fd);
	kt_block_signal(SIGUSR1, true);
	ASSERT_EQ(0, kipc_queue_notify(fd, SIGUSR1, value));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ((uint32_t)getpid(), in.notify_pid);
	EXPECT_EQ(0, kt_sig_pending(SIGUSR1));

	ASSERT_EQ(0, send_str(fd, "a", 0));
	/* Sent before the send returned. */
	ASSERT_EQ(1, kt_take_signal(SIGUSR1, &si, 0));
	EXPECT_EQ(SIGUSR1, si.si_signo);
	EXPECT_EQ(SI_MESGQ, si.si_code);
	EXPECT_EQ(value, (uint64_t)(uintptr_t)si.si_value.sival_ptr);
	EXPECT_EQ(getpid(), si.si_pid);
	EXPECT_EQ(getuid(), si.si_uid);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.notify_pid);

	/* One-shot: not again, neither into a non-empty nor an empty queue. */
	ASSERT_EQ(0, send_str(fd, "b", 0));
	EXPECT_EQ(0, kt_take_signal(SIGUSR1, &si, 0));
	EXPECT_RECV_STR(fd, "a", 0);
	EXPECT_RECV_STR(fd, "b", 0);
	ASSERT_EQ(0, send_str(fd, "c", 0));
	EXPECT_EQ(0, kt_take_signal(SIGUSR1, &si, 0));
	/* Registering again works once more. */
	EXPECT_RECV_STR(fd, "c", 0);
	ASSERT_EQ(0, kipc_queue_notify(fd, SIGUSR1, 7));
	ASSERT_EQ(0, send_str(fd, "d", 0));
	ASSERT_EQ(1, kt_take_signal(SIGUSR1, &si, 0));
	EXPECT_EQ(7ULL, (uint64_t)(uintptr_t)si.si_value.sival_ptr);
}

TEST_F(kipc, notify_realtime_signal_from_other_sender)
{
	const int sig = SIGRTMIN + 2;
	struct kt_report r;
	siginfo_t si;
	int fd = new_queue(4, 16), rep[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	kt_block_signal(sig, true);
	ASSERT_EQ(0, kipc_queue_notify(fd, sig, 0xdeadbeefcafef00dULL));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Another user, through the fd it inherited. */
		if (kt_become(65534, 65534))
			_exit(1);
		kt_report(rep[1], 0, send_str(fd, "rt", 5), 0);
		_exit(0);
	}
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	ASSERT_EQ(1, kt_take_signal(sig, &si, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(SI_MESGQ, si.si_code);
	EXPECT_EQ(0xdeadbeefcafef00dULL, (uint64_t)(uintptr_t)si.si_value.sival_ptr);
	/* As mq_notify(): si_pid and si_uid are the sender's. */
	EXPECT_EQ(pid, si.si_pid);
	EXPECT_EQ(65534U, si.si_uid);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_RECV_STR(fd, "rt", 5);
}

/* Only a message into an empty queue notifies. */
TEST_F(kipc, notify_only_into_empty_queue)
{
	struct kipc_queue_info in;
	siginfo_t si;
	int fd = new_queue(4, 16);

	ASSERT_LE(0, fd);
	kt_block_signal(SIGUSR1, true);
	ASSERT_EQ(0, send_str(fd, "a", 0));
	ASSERT_EQ(0, kipc_queue_notify(fd, SIGUSR1, 1));
	ASSERT_EQ(0, send_str(fd, "b", 9));
	EXPECT_EQ(0, kt_take_signal(SIGUSR1, &si, 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ((uint32_t)getpid(), in.notify_pid);
	EXPECT_RECV_STR(fd, "b", 9);
	EXPECT_RECV_STR(fd, "a", 0);
	ASSERT_EQ(0, send_str(fd, "c", 0));
	ASSERT_EQ(1, kt_take_signal(SIGUSR1, &si, 0));
	EXPECT_EQ(1ULL, (uint64_t)(uintptr_t)si.si_value.sival_ptr);
}

TEST_F(kipc, notify_ebusy_and_cancel)
{
	struct kipc_queue_info in;
	siginfo_t si;
	int fd = new_queue(4, 16), st;
	pid_t pid;

	ASSERT_LE(0, fd);
	kt_block_signal(SIGUSR1, true);
	EXPECT_EQ(-ENOENT, kipc_queue_notify(fd, 0, 0));
	ASSERT_EQ(0, kipc_queue_notify(fd, SIGUSR1, 1));
	EXPECT_EQ(-EBUSY, kipc_queue_notify(fd, SIGUSR1, 1));
	EXPECT_EQ(-EBUSY, kipc_queue_notify(fd, SIGUSR2, 2));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (kipc_queue_notify(fd, SIGUSR1, 3) != -EBUSY)
			_exit(1);
		/* Not its registration to cancel. */
		if (kipc_queue_notify(fd, 0, 0) != -ENOENT)
			_exit(2);
		_exit(0);
	}
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ((uint32_t)getpid(), in.notify_pid);

	EXPECT_EQ(0, kipc_queue_notify(fd, 0, 0));
	EXPECT_EQ(-ENOENT, kipc_queue_notify(fd, 0, 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.notify_pid);
	/* Cancelled: no signal. */
	ASSERT_EQ(0, send_str(fd, "a", 0));
	EXPECT_EQ(0, kt_take_signal(SIGUSR1, &si, 0));
}

TEST_F(kipc, notify_invalid_input)
{
	static const uint32_t bad_signo[] = { 65, 100, 0x80000000U, UINT32_MAX };
	struct kipc_queue_notify n;
	struct kipc_queue_info in;
	size_t i;
	int fd = new_queue(2, 16), bit;

	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(bad_signo); i++) {
		memset(&n, 0, sizeof(n));
		n.signo = bad_signo[i];
		EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_QUEUE_IOC_NOTIFY, &n));
	}
	memset(&n, 0, sizeof(n));
	n.value = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_QUEUE_IOC_NOTIFY, &n));
	for (bit = 0; bit < 32; bit++) {
		memset(&n, 0, sizeof(n));
		n.signo = SIGUSR1;
		n.flags = 1U << bit;
		EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_QUEUE_IOC_NOTIFY, &n));
	}
	for (i = 0; i < 2; i++) {
		memset(&n, 0, sizeof(n));
		n.signo = SIGUSR1;
		n.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_QUEUE_IOC_NOTIFY, &n));
	}
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_QUEUE_IOC_NOTIFY, NULL));
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_QUEUE_IOC_NOTIFY,
				    kt_noaccess_page()));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.notify_pid);
	/* The highest signal number is fine. */
	EXPECT_EQ(0, kipc_queue_notify(fd, 64, 0));
	EXPECT_EQ(0, kipc_queue_notify(fd, 0, 0));
}

TEST_F(kipc, notify_struct_sizes)
{
	struct {
		struct kipc_queue_notify n;
		uint64_t tail[2];
	} big;
	struct kipc_queue_info in;
	int fd = new_queue(2, 16);

	ASSERT_LE(0, fd);
	memset(&big, 0, sizeof(big));
	big.n.signo = SIGUSR1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_QUEUE_IOC_NOTIFY,
				KIPC_QUEUE_NOTIFY_SIZE_VER0 - 8), &big));
	big.tail[1] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_QUEUE_IOC_NOTIFY,
						     sizeof(big)), &big));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.notify_pid);
	big.tail[1] = 0;
	EXPECT_EQ(0, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_QUEUE_IOC_NOTIFY,
						sizeof(big)), &big));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ((uint32_t)getpid(), in.notify_pid);
}

/* A message handed to a blocked receiver does not notify. */
TEST_F(kipc, notify_not_when_receiver_blocked)
{
	struct kipc_queue_info in;
	siginfo_t si;
	int fd = new_queue(4, 16), rep[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	kt_block_signal(SIGUSR1, true);
	ASSERT_EQ(0, kipc_queue_notify(fd, SIGUSR1, 1));
	pid = spawn_receiver(fd, rep[1], 0, NULL, 16);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, wait_blocked(fd, 0, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, send_u64(fd, 77, 0, 0));
	EXPECT_EQ(0, kt_take_signal(SIGUSR1, &si, 0));
	KT_EXPECT_CHILD_REPORT(rep[0], pid, 8, 77ULL);
	/* The registration is still there for the next message. */
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ((uint32_t)getpid(), in.notify_pid);
	EXPECT_EQ(0, kt_take_signal(SIGUSR1, &si, 0));
	ASSERT_EQ(0, send_u64(fd, 78, 0, 0));
	ASSERT_EQ(1, kt_take_signal(SIGUSR1, &si, 0));
	EXPECT_EQ(SI_MESGQ, si.si_code);
}

/* A child that registers for SIGUSR1, then follows the parent's orders. */
static pid_t spawn_registrant(int fd, int rep, int go, bool close_first)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		char c;

		kt_report(rep, 0, kipc_queue_notify(fd, SIGUSR1, 9), 0);
		if (read(go, &c, 1) != 1)
			_exit(1);
		if (close_first) {
			kt_report(rep, 1, close(fd) ? -errno : 0, 0);
			/* Alive and unregistered: a notification would kill. */
			if (read(go, &c, 1) != 1)
				_exit(2);
		}
		_exit(0);
	}
	return pid;
}

TEST_F(kipc, notify_dropped_when_registrant_closes)
{
	struct kipc_queue_info in;
	struct kt_report r;
	siginfo_t si;
	int fd = new_queue(4, 16), rep[2], go[2], st;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(go));
	kt_block_signal(SIGUSR1, true);
	pid = spawn_registrant(fd, rep[1], go[0], true);
	ASSERT_LE(0, pid);
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, r.ret);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ((uint32_t)pid, in.notify_pid);
	EXPECT_EQ(-EBUSY, kipc_queue_notify(fd, SIGUSR1, 1));

	ASSERT_EQ(1, write(go[1], "c", 1));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, r.idx);
	EXPECT_EQ(0, r.ret);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.notify_pid);
	/* Nobody is told; the child must survive this. */
	ASSERT_EQ(0, send_str(fd, "a", 0));
	EXPECT_RECV_STR(fd, "a", 0);
	ASSERT_EQ(1, write(go[1], "e", 1));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);

	/* Another process may register now. */
	ASSERT_EQ(0, kipc_queue_notify(fd, SIGUSR1, 10));
	ASSERT_EQ(0, send_str(fd, "b", 0));
	ASSERT_EQ(1, kt_take_signal(SIGUSR1, &si, 0));
	EXPECT_EQ(10ULL, (uint64_t)(uintptr_t)si.si_value.sival_ptr);
}

TEST_F(kipc, notify_dropped_when_registrant_exits)
{
	struct kipc_queue_info in;
	struct kt_report r;
	int fd = new_queue(4, 16), rep[2], go[2], st;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(go));

	pid = spawn_registrant(fd, rep[1], go[0], false);
	ASSERT_LE(0, pid);
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, r.ret);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ((uint32_t)pid, in.notify_pid);
	ASSERT_EQ(1, write(go[1], "x", 1));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.notify_pid);

	/* Killed, too. */
	pid = spawn_registrant(fd, rep[1], go[0], false);
	ASSERT_LE(0, pid);
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, r.ret);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ((uint32_t)pid, in.notify_pid);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(256 + SIGKILL, st);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.notify_pid);
	EXPECT_EQ(0, kipc_queue_notify(fd, SIGUSR1, 1));
	EXPECT_EQ(0, kipc_queue_notify(fd, 0, 0));
	/* A message with nobody registered is just a message. */
	EXPECT_EQ(0, send_str(fd, "plain", 0));
	EXPECT_RECV_STR(fd, "plain", 0);
}

/*
 * Another process closing its fd leaves the registration; the registrant
 * closing any fd of the queue ends it.
 */
TEST_F(kipc, notify_close_by_whom)
{
	struct kipc_queue_info in;
	int fd = new_queue(4, 16), dup_fd, st;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_queue_notify(fd, SIGUSR1, 1));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(close(fd) ? 1 : 0);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ((uint32_t)getpid(), in.notify_pid);

	dup_fd = dup(fd);
	ASSERT_LE(0, dup_fd);
	ASSERT_EQ(0, close(dup_fd));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.notify_pid);
	EXPECT_EQ(-ENOENT, kipc_queue_notify(fd, 0, 0));
}

struct notify_thread {
	int fd;
	int reg_fd;	/* written once registered */
	int go_fd;	/* read before taking the signal */
	int reg;
	int got;
	siginfo_t si;
};

static void *notify_thread_fn(void *arg)
{
	struct notify_thread *t = arg;
	char c;

	t->reg = kipc_queue_notify(t->fd, SIGUSR1, 0x5eed);
	if (write(t->reg_fd, "r", 1) != 1 || read(t->go_fd, &c, 1) != 1)
		return NULL;
	t->got = kt_take_signal(SIGUSR1, &t->si, KT_CHILD_TIMEOUT_MS);
	return NULL;
}

/* The signal goes to the thread that registered. */
TEST_F(kipc, notify_goes_to_registering_thread)
{
	struct notify_thread t = { .reg = 1, .got = -1 };
	struct kipc_queue_info in;
	struct pollfd p;
	pthread_t th;
	int sync[2], go[2];

	t.fd = new_queue(4, 16);
	ASSERT_LE(0, t.fd);
	ASSERT_EQ(0, pipe(sync));
	ASSERT_EQ(0, pipe(go));
	t.reg_fd = sync[1];
	t.go_fd = go[0];
	kt_block_signal(SIGUSR1, true);	/* inherited by the thread */
	ASSERT_EQ(0, pthread_create(&th, NULL, notify_thread_fn, &t));
	p.fd = sync[0];
	p.events = POLLIN;
	ASSERT_EQ(1, poll(&p, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, q_info(t.fd, &in));
	EXPECT_EQ((uint32_t)getpid(), in.notify_pid);
	ASSERT_EQ(0, send_str(t.fd, "t", 0));
	/* Not pending for this thread, nor for the process. */
	EXPECT_EQ(0, kt_sig_pending(SIGUSR1));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, t.reg);
	EXPECT_EQ(1, t.got);
	EXPECT_EQ(SI_MESGQ, t.si.si_code);
	EXPECT_EQ(0x5eedULL, (uint64_t)(uintptr_t)t.si.si_value.sival_ptr);
}

static void *register_and_exit(void *arg)
{
	struct notify_thread *t = arg;

	t->reg = kipc_queue_notify(t->fd, SIGUSR1, 0xe817);
	return NULL;
}

/* With the registering thread gone, the signal goes to the process. */
TEST_F(kipc, notify_registering_thread_exited)
{
	struct notify_thread t = { .reg = 1 };
	struct kipc_queue_info in;
	siginfo_t si;
	pthread_t th;

	t.fd = new_queue(4, 16);
	ASSERT_LE(0, t.fd);
	kt_block_signal(SIGUSR1, true);
	ASSERT_EQ(0, pthread_create(&th, NULL, register_and_exit, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, t.reg);
	ASSERT_EQ(0, q_info(t.fd, &in));
	EXPECT_EQ((uint32_t)getpid(), in.notify_pid);
	ASSERT_EQ(0, send_str(t.fd, "t", 0));
	ASSERT_EQ(1, kt_take_signal(SIGUSR1, &si, 0));
	EXPECT_EQ(SI_MESGQ, si.si_code);
	EXPECT_EQ(0xe817ULL, (uint64_t)(uintptr_t)si.si_value.sival_ptr);
}

/* ---- read(2) and write(2) ------------------------------------------------------------- */

TEST_F(kipc, write_sends_at_priority_0)
{
	struct kipc_queue_info in;
	int fd = new_queue(4, 16);

	ASSERT_LE(0, fd);
	EXPECT_EQ(5, write(fd, "hello", 5));
	ASSERT_EQ(0, send_str(fd, "urgent", 1));
	EXPECT_EQ(3, write(fd, "bye", 3));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(3U, in.msgs);
	EXPECT_EQ(14ULL, in.bytes);
	EXPECT_RECV_STR(fd, "urgent", 1);
	EXPECT_RECV_STR(fd, "hello", 0);
	EXPECT_RECV_STR(fd, "bye", 0);
}

TEST_F(kipc, read_receives_one_message)
{
	struct kipc_queue_info in;
	char buf[64];
	int fd = new_queue(4, 16);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "low", 0));
	ASSERT_EQ(0, send_str(fd, "high", 7));
	ASSERT_EQ(0, send_str(fd, "mid", 3));
	/* One message per read, however large the buffer. */
	EXPECT_READ_STR(fd, sizeof(buf), "high");
	EXPECT_READ_STR(fd, sizeof(buf), "mid");
	EXPECT_READ_STR(fd, 3, "low");
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(3ULL, in.received);
}

TEST_F(kipc, read_small_buffer_emsgsize)
{
	struct kipc_queue_info in;
	char buf[16];
	int fd = new_queue(4, 16);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "twelve bytes", 0));
	EXPECT_EQ(-1, read(fd, buf, 11));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(-1, read(fd, buf, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(1U, in.msgs);
	EXPECT_EQ(0ULL, in.received);
	EXPECT_EQ(12, read(fd, buf, 12));
	EXPECT_EQ(0, memcmp(buf, "twelve bytes", 12));
}

/* An empty message reads as 0 bytes (and a 0-byte write sends one). */
TEST_F(kipc, read_write_empty_message)
{
	struct kipc_queue_info in;
	char buf[8];
	uint32_t prio = 1;
	int fd = new_queue(4, 16);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_queue_send(fd, NULL, 0, 0, 0));
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(1ULL, in.received);
	EXPECT_EQ(0, write(fd, buf, 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(1U, in.msgs);
	EXPECT_EQ(0, kipc_queue_recv(fd, buf, sizeof(buf), &prio, 0));
	EXPECT_EQ(0U, prio);
}

TEST_F(kipc, read_write_nonblock_and_errors)
{
	struct kipc_queue_info in;
	char buf[32];
	int fd = kipc_queue_create(NULL, 0600, 1, 16, KIPC_FD_NONBLOCK);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	memset(buf, 'w', sizeof(buf));
	EXPECT_EQ(-1, write(fd, buf, 17));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(-1, write(fd, kt_noaccess_page(), 4));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(0ULL, in.sent);
	EXPECT_EQ(16, write(fd, buf, 16));
	EXPECT_EQ(-1, write(fd, buf, 1));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, read(fd, kt_noaccess_page(), 16));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(1U, in.msgs);
	EXPECT_EQ(16, read(fd, buf, sizeof(buf)));
}

TEST_F(kipc, read_blocks_until_write)
{
	char buf[32];
	int fd = new_queue(2, 32), st;
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (wait_blocked(fd, 0, 1, KT_CHILD_TIMEOUT_MS))
			_exit(1);
		_exit(write(fd, "written", 7) == 7 ? 0 : 2);
	}
	EXPECT_READ_STR(fd, sizeof(buf), "written");
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

TEST_F(kipc, write_blocks_until_read)
{
	char buf[32];
	int fd = new_queue(1, 32), st;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(5, write(fd, "first", 5));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(write(fd, "second", 6) == 6 ? 0 : 1);
	ASSERT_EQ(0, wait_blocked(fd, 1, 0, KT_CHILD_TIMEOUT_MS));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(5, read(fd, buf, sizeof(buf)));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	EXPECT_READ_STR(fd, sizeof(buf), "second");
}

/* Run /bin/busybox with @argv in a child; its stdout goes to @out if >= 0. */
static pid_t spawn_busybox(char *const argv[], int out)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		if (out >= 0 && dup2(out, 1) < 0)
			_exit(120);
		execv("/bin/busybox", argv);
		_exit(121);
	}
	return pid;
}

/* An ordinary shell writes to an inherited queue fd: one message per write. */
TEST_F(kipc, tool_shell_echo_writes_message)
{
	const char *name = kt_name("echo");
	char cmd[128];
	struct kipc_queue_info in;
	int fd, wr, st;
	pid_t pid;

	fd = kipc_queue_create(name, 0600, 4, 64, 0);
	ASSERT_LE(0, fd);
	wr = kipc_queue_open(name, KIPC_FD_WRONLY | KIPC_FD_NOCLOEXEC);
	ASSERT_LE(0, wr);
	ASSERT_GT(10, wr);
	ASSERT_EQ(0, access("/bin/busybox", X_OK));
	snprintf(cmd, sizeof(cmd), "echo hello >&%d && echo world >&%d",
		 wr, wr);
	pid = spawn_busybox((char *[]){ "sh", "-c", cmd, NULL }, -1);
	ASSERT_LE(0, pid);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	ASSERT_EQ(0, st);
	EXPECT_RECV_STR(fd, "hello\n", 0);
	EXPECT_RECV_STR(fd, "world\n", 0);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(2ULL, in.sent);
}

/* A queue fd is close-on-exec unless opened with KIPC_FD_NOCLOEXEC. */
TEST_F(kipc, tool_cloexec_fd_not_inherited)
{
	char cmd[128];
	struct kipc_queue_info in;
	int fd, st;
	pid_t pid;

	fd = new_queue(4, 64);
	ASSERT_LE(0, fd);
	ASSERT_GT(10, fd);
	ASSERT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	snprintf(cmd, sizeof(cmd), "exec 2>/dev/null; echo hello >&%d", fd);
	pid = spawn_busybox((char *[]){ "sh", "-c", cmd, NULL }, -1);
	ASSERT_LE(0, pid);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_LT(0, st);
	EXPECT_GT(256, st);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(0ULL, in.sent);
}

/* An ordinary tool reads from a queue on its stdin: one message per read. */
TEST_F(kipc, tool_head_reads_message)
{
	struct kipc_queue_info in;
	char buf[64];
	int fd = new_queue(4, 64), out[2], st;
	ssize_t n;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(out));
	ASSERT_EQ(0, send_str(fd, "first line\n", 0));
	ASSERT_EQ(0, send_str(fd, "second line\n", 0));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (dup2(fd, 0) < 0 || dup2(out[1], 1) < 0)
			_exit(120);
		execl("/bin/busybox", "head", "-n", "1", (char *)NULL);
		_exit(121);
	}
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	ASSERT_EQ(0, st);
	close(out[1]);
	memset(buf, 0, sizeof(buf));
	n = read(out[0], buf, sizeof(buf) - 1);
	EXPECT_EQ(11, n);
	EXPECT_STREQ("first line\n", buf);
	/* It read one message, and the other is still there. */
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(1U, in.msgs);
	EXPECT_RECV_STR(fd, "second line\n", 0);
}

TEST_HARNESS_MAIN
