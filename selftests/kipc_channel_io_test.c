// SPDX-License-Identifier: GPL-2.0
/*
 * kipc channel selftests, waiting: non-blocking calls and deadlines, the
 * peer closing, read(2) and write(2), poll and epoll (also woken by the
 * fast path, and edge-triggered), KIPC_CHAN_IOC_WAIT, signals.
 */
#include "kipc_channel_util.h"

/* ---- non-blocking calls and deadlines ---------------------------------------- */

TEST_F(kipc, nonblock_empty_and_full)
{
	struct ep e[2];
	char buf[8];
	size_t len;
	int fds[2], fast, k, fl;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	for (fast = 0; fast < 2; fast++) {
		for (k = 0; k < 2; k++)
			e[k] = (struct ep){ .fd = fds[k],
					    .h = fast ? attach(fds[k]) : NULL };
		EXPECT_EQ(-EAGAIN, ep_recv(&e[1], buf, sizeof(buf), &len, 0));
		EXPECT_EQ(-EAGAIN, ep_recv(&e[0], buf, sizeof(buf), &len, 0));
		EXPECT_EQ(4, fill_ring(fds[0], 1000));
		EXPECT_EQ(-EAGAIN, ep_send_pat(&e[0], 1000, 0, 0));
		/* A smaller message still fits. */
		EXPECT_EQ(0, ep_send_pat(&e[0], 56, 0, 0));
		EXPECT_EQ(4096U, ch_used(fds[0], 0));
		EXPECT_EQ(-EAGAIN, ep_send(&e[0], NULL, 0, 0));
		EXPECT_EQ(-EAGAIN, kipc_channel_sendv(fds[0],
			  &(struct kipc_chan_msg){ .len = 0 }, 1, 0));
		for (k = 0; k < 5; k++)
			EXPECT_EQ(-EMSGSIZE, ep_recv(&e[1], buf, sizeof(buf),
						     &len, 0));
		EXPECT_EQ(4096U, ch_used(fds[0], 0));
		EXPECT_EQ(-EMSGSIZE, kipc_channel_recv(fds[1], NULL, 0, &len,
						       0));
		EXPECT_EQ(1000U, len);
		while (kipc_channel_recvv(fds[1], &(struct kipc_chan_msg){
			.buf = (uintptr_t)bbuf[0], .len = 1000 }, 1, 0) == 1)
			;
		EXPECT_EQ(0U, ch_used(fds[0], 0));
		for (k = 0; k < 2; k++)
			if (e[k].h)
				detach(e[k].h);
	}

	/* O_NONBLOCK set later with fcntl(). */
	fl = fcntl(fds[1], F_GETFL);
	ASSERT_EQ(0, fcntl(fds[1], F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, kipc_channel_recv(fds[1], buf, sizeof(buf), &len,
					     KIPC_INFINITE));
	EXPECT_EQ(-1, read(fds[1], buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, fcntl(fds[1], F_SETFL, fl));
	EXPECT_EQ(-ETIMEDOUT, kipc_channel_recv(fds[1], buf, sizeof(buf), &len,
						1 * MS));
}

/* KIPC_FD_NONBLOCK: blocking calls without a timeout give EAGAIN. */
TEST_F(kipc, nonblock_fd_flag)
{
	struct ep e[2];
	char buf[8];
	size_t len;
	int fds[2], fast, k;

	ASSERT_EQ(0, pair_attr(fds, 4096, 4096, 1000, 1000, KIPC_FD_NONBLOCK));
	for (fast = 0; fast < 2; fast++) {
		for (k = 0; k < 2; k++)
			e[k] = (struct ep){ .fd = fds[k],
					    .h = fast ? attach(fds[k]) : NULL };
		EXPECT_EQ(-EAGAIN, ep_recv(&e[1], buf, sizeof(buf), &len,
					   KIPC_INFINITE));
		EXPECT_EQ(-EAGAIN, ep_recv(&e[1], buf, sizeof(buf), &len,
					   100 * MS));
		EXPECT_EQ(4, fill_ring(fds[0], 1000));
		EXPECT_EQ(-EAGAIN, ep_send_pat(&e[0], 1000, 0, KIPC_INFINITE));
		EXPECT_EQ(-EAGAIN, ep_send_pat(&e[0], 1000, 0, 100 * MS));
		EXPECT_EQ(-EAGAIN, chwait(fds[0], 0, NULL, KIPC_CHAN_WRITABLE |
					  KIPC_CHAN_READABLE, 0, 0, NULL));
		for (k = 0; k < 4; k++)
			EXPECT_EQ(1, ep_recv(&e[1], bbuf[0], 1000, &len,
					     KIPC_INFINITE));
		for (k = 0; k < 2; k++)
			if (e[k].h)
				detach(e[k].h);
	}
	/* read(2) and write(2) too. */
	EXPECT_EQ(-1, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(4, fill_ring(fds[0], 1000));
	EXPECT_EQ(-EAGAIN, write_pat(fds[0], 1000, 1));
}

TEST_F(kipc, deadlines_not_early)
{
	struct kipc_timespec dl;
	struct kipc_chan_msg m;
	struct kipc_ring *h0, *h1;
	char buf[8];
	size_t len;
	int fds[2];

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	EXPECT_TIMED(kipc_channel_recv(fds[1], buf, sizeof(buf), &len,
				       100 * MS), ETIMEDOUT, 100 * MS);
	EXPECT_EQ(4, fill_ring(fds[0], 1000));
	EXPECT_TIMED(kipc_channel_send(fds[0], bbuf[0], 1000, 100 * MS),
		     ETIMEDOUT, 100 * MS);
	/* Absolute deadlines as the ioctls take them. */
	dl = kt_ts_at(kt_now_ns() + 150 * MS);
	m = (struct kipc_chan_msg){ .buf = (uintptr_t)buf, .len = 8 };
	EXPECT_TIMED(xfer_raw(fds[0], KIPC_CHAN_IOC_RECVV, KIPC_WAIT_DEADLINE,
			      &dl, &m, 1), ETIMEDOUT, 140 * MS);
	dl = kt_ts_at(kt_now_ns() + 100 * MS);
	EXPECT_TIMED(chwait(fds[0], KIPC_WAIT_DEADLINE, &dl, KIPC_CHAN_READABLE |
			    KIPC_CHAN_WRITABLE, 0, 0, NULL), ETIMEDOUT,
		     90 * MS);

	h0 = attach(fds[0]);
	h1 = attach(fds[1]);
	ASSERT_NE(NULL, h0);
	ASSERT_NE(NULL, h1);
	EXPECT_TIMED(kipc_ring_recv(h0, buf, sizeof(buf), &len, 100 * MS),
		     ETIMEDOUT, 100 * MS);
	EXPECT_TIMED(kipc_ring_send(h0, bbuf[0], 1000, 100 * MS), ETIMEDOUT,
		     100 * MS);
	EXPECT_TIMED(kipc_ring_send(h0, bbuf[0], 1000, 1), ETIMEDOUT, 1);
	/* Room for a smaller one: no wait. */
	EXPECT_EQ(0, kipc_ring_send(h0, buf, 8, 100 * MS));
	EXPECT_EQ(1, kipc_ring_recv(h1, bbuf[0], 1000, &len, 100 * MS));
	detach(h0);
	detach(h1);
}

/*
 * Two processes share end 1.  One is blocked receiving; the other's
 * non-blocking receive must not wait for it, nor its deadline be
 * stretched by it.  The same for senders on a full ring.
 *
 * The blocked one waits far longer (HELD_UP_MS) than any of these calls
 * may take, so "held up by it" and "slow because the host is loaded" are
 * told apart by the blocked one, not by a bound on the clock: each call
 * must return while the blocked one still sleeps with nothing reported.
 * A timed call must not return early; it may be late on a loaded host.
 */
#define HELD_UP_MS	20000

/* @pid still (or again) asleep in its call, which has not returned. */
#define EXPECT_STILL_BLOCKED(pid, rep) do {				\
	struct kt_report r_;						\
									\
	EXPECT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));	\
	EXPECT_EQ(0, kt_read_report(rep, &r_, 0))			\
		TH_LOG("the blocked call returned first");		\
} while (0)

TEST_F(kipc, nonblock_not_held_up_by_blocked_receiver)
{
	struct kt_report r;
	char buf[16];
	size_t len;
	int fds[2], rep[2];
	int64_t t0, el;
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = kipc_channel_recv(fds[1], buf, sizeof(buf), &len,
					    HELD_UP_MS * MS);

		kt_report(rep[1], 0, ret, len);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	t0 = kt_now_ns();
	EXPECT_EQ(-EAGAIN, kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0));
	el = kt_now_ns() - t0;
	EXPECT_STILL_BLOCKED(pid, rep[0]);
	EXPECT_GT(500 * MS, el)
		TH_LOG("non-blocking receive waited %lld ms", (long long)(el / MS));
	t0 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, kipc_channel_recv(fds[1], buf, sizeof(buf), &len,
						100 * MS));
	el = kt_now_ns() - t0;
	EXPECT_STILL_BLOCKED(pid, rep[0]);
	EXPECT_LE(100 * MS, el) TH_LOG("returned early");
	EXPECT_GT(HELD_UP_MS / 4 * MS, el)
		TH_LOG("100 ms receive took %lld ms", (long long)(el / MS));
	ASSERT_EQ(0, kipc_channel_send(fds[0], "hello", 5, 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ(5U, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

TEST_F(kipc, nonblock_not_held_up_by_blocked_sender)
{
	struct kt_report r;
	char buf[1000];
	size_t len;
	int fds[2], rep[2];
	int64_t t0, el;
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(4, fill_ring(fds[0], 1000));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = kipc_channel_send(fds[0], buf, 1000,
					    HELD_UP_MS * MS);

		kt_report(rep[1], 0, ret, 0);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	t0 = kt_now_ns();
	EXPECT_EQ(-EAGAIN, kipc_channel_send(fds[0], buf, 1000, 0));
	el = kt_now_ns() - t0;
	EXPECT_STILL_BLOCKED(pid, rep[0]);
	EXPECT_GT(500 * MS, el)
		TH_LOG("non-blocking send waited %lld ms", (long long)(el / MS));
	ASSERT_EQ(1, kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* ---- the peer closing ------------------------------------------------------ */

TEST_F(kipc, peer_closed_send_epipe)
{
	struct kipc_ring *h;
	int fds[2], rv;

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	h = attach(fds[0]);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, close(fds[1]));
	EXPECT_EQ((uint32_t)(KIPC_CHAN_CONNECTED | KIPC_CHAN_PEER_CLOSED),
		  ch_state(fds[0]));
	EXPECT_EQ(-EPIPE, kipc_channel_send(fds[0], "x", 1, 0));
	EXPECT_EQ(-EPIPE, kipc_channel_send(fds[0], "x", 1, KIPC_INFINITE));
	EXPECT_EQ(-EPIPE, kipc_ring_send(h, "x", 1, 0));
	EXPECT_EQ(-EPIPE, kipc_ring_send(h, "x", 1, KIPC_INFINITE));
	EXPECT_EQ(-EPIPE, kipc_ring_sendv(h, &(struct kipc_chan_msg){ .len = 0 },
					  1, 0));
	signal(SIGPIPE, SIG_IGN);
	EXPECT_EQ(-1, write(fds[0], "x", 1));
	EXPECT_EQ(EPIPE, errno);
	/* EMSGSIZE is checked first. */
	EXPECT_EQ(-EMSGSIZE, kipc_channel_send(fds[0], bbuf[0], 101, 0));
	EXPECT_EQ(-EMSGSIZE, kipc_ring_send(h, bbuf[0], 101, 0));
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	/* Receiving: end of channel at once. */
	EXPECT_EQ(0, kipc_channel_recv(fds[0], NULL, 0, NULL, 0));
	EXPECT_EQ(0, kipc_ring_recv(h, NULL, 0, NULL, KIPC_INFINITE));
	rv = poll_now(fds[0]);
	EXPECT_EQ(POLLHUP | POLLIN, rv & (POLLHUP | POLLIN));
	detach(h);
}

static void check_drain_then_eof(struct __test_metadata *_metadata, int how)
{
	struct kipc_chan_msg m[8];
	struct kipc_ring *h = NULL;
	struct ep e1;
	char buf[16];
	int fds[2], i;

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, kipc_channel_send(fds[0], "abcdefgh", i * 3, 0));
	ASSERT_EQ(0, close(fds[0]));
	if (how == 1) {
		h = attach(fds[1]);
		ASSERT_NE(NULL, h);
	}
	e1 = (struct ep){ .fd = fds[1], .h = h };
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)bbuf[0], .len = 16 };
	EXPECT_EQ((uint32_t)(KIPC_CHAN_CONNECTED | KIPC_CHAN_PEER_CLOSED),
		  ch_state(fds[1]));
	EXPECT_EQ(POLLIN | POLLHUP, poll_now(fds[1]) & (POLLIN | POLLHUP));
	switch (how) {
	case 0:
	case 1:
		for (i = 0; i < 3; i++) {
			size_t len = 99;

			EXPECT_EQ(1, ep_recv(&e1, buf, sizeof(buf), &len, 0));
			EXPECT_EQ((size_t)i * 3, len);
		}
		for (i = 0; i < 3; i++) {
			EXPECT_EQ(0, ep_recv(&e1, buf, sizeof(buf), NULL, 0));
			EXPECT_EQ(0, ep_recv(&e1, buf, sizeof(buf), NULL,
					     KIPC_INFINITE));
			EXPECT_EQ(0, ep_recvv(&e1, m, 1, 100 * MS));
		}
		break;
	case 2:
		for (i = 0; i < 8; i++)
			m[i] = (struct kipc_chan_msg){
				.buf = (uintptr_t)bbuf[i], .len = 16 };
		EXPECT_EQ(3, kipc_channel_recvv(fds[1], m, 8, 0));
		EXPECT_EQ(6U, m[2].len);
		EXPECT_EQ(0, kipc_channel_recvv(fds[1], m, 8, KIPC_INFINITE));
		break;
	case 3:
		for (i = 0; i < 3; i++)
			EXPECT_EQ(i * 3, read(fds[1], buf, sizeof(buf)));
		EXPECT_EQ(0, read(fds[1], buf, sizeof(buf)));
		EXPECT_EQ(0, read(fds[1], buf, sizeof(buf)));
		break;
	}
	EXPECT_EQ(0U, ch_used(fds[1], 0));
	if (h)
		detach(h);
}

TEST_F(kipc, peer_closed_drain_then_eof_kernel)
{
	check_drain_then_eof(_metadata, 0);
}

TEST_F(kipc, peer_closed_drain_then_eof_fast)
{
	check_drain_then_eof(_metadata, 1);
}

TEST_F(kipc, peer_closed_drain_then_eof_recvv)
{
	check_drain_then_eof(_metadata, 2);
}

TEST_F(kipc, peer_closed_drain_then_eof_read)
{
	check_drain_then_eof(_metadata, 3);
}

/*
 * A receive (or send on a full ring) blocked in a child is ended by the
 * peer's close: end-of-channel (or EPIPE).  The child holds only its own
 * end.
 */
static void check_close_wakes_child(struct __test_metadata *_metadata,
				    bool sending, bool fast)
{
	struct kt_report r;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	ASSERT_EQ(0, pipe(rep));
	if (sending)
		ASSERT_EQ(4, fill_ring(fds[1], 1000));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ep e = { .fd = fds[1] };
		int ret;

		close(fds[0]);
		if (fast)
			e.h = attach(fds[1]);
		if (fast && !e.h)
			_exit(1);
		if (sending)
			ret = ep_send_pat(&e, 1000, 1, CHILD_WAIT_NS);
		else
			ret = ep_recv(&e, bbuf[0], 1000, NULL, CHILD_WAIT_NS);
		kt_report(rep[1], 0, ret, 0);
		_exit(0);
	}
	close(fds[1]);
	ASSERT_EQ(0, wait_blocked(pid));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	ASSERT_EQ(0, close(fds[0]));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000));
	EXPECT_EQ(sending ? -EPIPE : 0, r.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

TEST_F(kipc, peer_close_wakes_receiver_kernel)
{
	check_close_wakes_child(_metadata, false, false);
}

TEST_F(kipc, peer_close_wakes_receiver_fast)
{
	check_close_wakes_child(_metadata, false, true);
}

TEST_F(kipc, peer_close_wakes_sender_kernel)
{
	check_close_wakes_child(_metadata, true, false);
}

TEST_F(kipc, peer_close_wakes_sender_fast)
{
	check_close_wakes_child(_metadata, true, true);
}

/* The same with a thread of this process, and every path. */
TEST_F(kipc, peer_close_wakes_threads)
{
	struct thr t;
	pthread_t th;
	int fds[2], fast, sending;

	for (fast = 0; fast < 2; fast++)
		for (sending = 0; sending < 2; sending++) {
			ASSERT_EQ(0, pair_small(fds, 4096, 1000));
			if (sending)
				ASSERT_EQ(4, fill_ring(fds[1], 1000));
			memset(&t, 0, sizeof(t));
			t.e.fd = fds[1];
			t.e.h = fast ? attach(fds[1]) : NULL;
			t.sending = sending;
			t.ret = 12345;
			t.timeout = CHILD_WAIT_NS;
			ASSERT_EQ(0, pthread_create(&th, NULL, thr_fn, &t));
			ASSERT_EQ(0, wait_thread_blocked(&t.tid));
			EXPECT_EQ(12345, t.ret);
			ASSERT_EQ(0, close(fds[0]));
			ASSERT_EQ(0, pthread_join(th, NULL));
			EXPECT_EQ(sending ? -EPIPE : 0, t.ret)
				TH_LOG("fast %d sending %d", fast, sending);
			if (t.e.h)
				detach(t.e.h);
			close(fds[1]);
		}
}

/*
 * Closing the last fd of an end closes it even while the end is still
 * mapped (a kipc_chan handle not yet detached).
 */
TEST_F(kipc, close_fd_while_mapped_closes_end)
{
	struct kipc_ring *h;
	uint64_t objs = stats_objects();
	int fds[2];

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	h = attach(fds[0]);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, kipc_ring_send(h, "before", 6, 0));
	ASSERT_EQ(0, close(fds[0]));
	EXPECT_EQ((uint32_t)(KIPC_CHAN_CONNECTED | KIPC_CHAN_PEER_CLOSED),
		  ch_state(fds[1]));
	EXPECT_EQ(-EPIPE, kipc_channel_send(fds[1], "x", 1, 0));
	EXPECT_EQ(POLLHUP, poll_now(fds[1]) & POLLHUP);
	EXPECT_EQ(1, kipc_channel_recv(fds[1], bbuf[0], 100, NULL, 0));
	EXPECT_EQ(0, kipc_channel_recv(fds[1], bbuf[0], 100, NULL,
				       KIPC_INFINITE));
	/* The mapping keeps the channel, not the end. */
	ASSERT_EQ(0, close(fds[1]));
	EXPECT_EQ(objs + 1, stats_objects());
	detach(h);
	EXPECT_EQ(objs, stats_objects());
}

/* ---- read(2) and write(2) ------------------------------------------------- */

TEST_F(kipc, read_write_messages)
{
	char buf[200];
	int fds[2];
	ssize_t n;

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	EXPECT_EQ(3, write(fds[0], "abc", 3));
	EXPECT_EQ(2, write(fds[0], "de", 2));
	EXPECT_EQ(0, write(fds[0], "", 0));
	EXPECT_EQ(100, write(fds[0], bbuf[0], 100));
	EXPECT_EQ(-1, write(fds[0], bbuf[0], 101));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(rec(3) + rec(2) + rec(0) + rec(100), ch_used(fds[0], 0));
	/* One message per call, whatever the buffer. */
	n = read(fds[1], buf, sizeof(buf));
	EXPECT_EQ(3, n);
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_EQ(-1, read(fds[1], buf, 1));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(-1, read(fds[1], buf, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(2, read(fds[1], buf, 2));
	EXPECT_EQ(0, memcmp(buf, "de", 2));
	/* The zero-length message. */
	EXPECT_EQ(0, read(fds[1], buf, 0));
	EXPECT_EQ(rec(100), ch_used(fds[0], 0));
	EXPECT_EQ(-1, read(fds[1], buf, 99));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(100, read(fds[1], buf, 100));
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	/* Bad buffers. */
	EXPECT_EQ(0, kipc_channel_send(fds[1], "z", 1, 0));
	EXPECT_EQ(-1, read(fds[0], kt_noaccess_page(), 10));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(1, read(fds[0], buf, 10));
	EXPECT_EQ(-1, write(fds[0], kt_noaccess_page(), 10));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	/* Interleaved with the ioctls. */
	EXPECT_EQ(0, kipc_channel_send(fds[1], "ioctl", 5, 0));
	EXPECT_EQ(5, write(fds[1], "write", 5));
	EXPECT_EQ(5, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "ioctl", 5));
	EXPECT_EQ(1, kipc_channel_recv(fds[0], buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(0, memcmp(buf, "write", 5));
	/* End of channel. */
	EXPECT_EQ(3, write(fds[1], "end", 3));
	ASSERT_EQ(0, close(fds[1]));
	EXPECT_EQ(3, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, read(fds[0], buf, sizeof(buf)));
	signal(SIGPIPE, SIG_IGN);
	EXPECT_EQ(-1, write(fds[0], "x", 1));
	EXPECT_EQ(EPIPE, errno);
}

TEST_F(kipc, read_write_with_fast_path_peer)
{
	struct kipc_ring *h;
	char buf[64];
	size_t len;
	int fds[2];

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	h = attach(fds[1]);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(0, kipc_ring_send(h, "fast", 4, 0));
	EXPECT_EQ(4, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "fast", 4));
	EXPECT_EQ(5, write(fds[0], "write", 5));
	EXPECT_EQ(1, kipc_ring_recv(h, buf, sizeof(buf), &len, 0));
	EXPECT_EQ(5U, len);
	detach(h);
}

/* A read blocked in a child returns with a message written later. */
TEST_F(kipc, read_blocks_until_write)
{
	struct kt_report r;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t v = 0;
		ssize_t n = read(fds[1], &v, sizeof(v));

		kt_report(rep[1], 0, n < 0 ? -errno : (int)n, v);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	EXPECT_EQ(8, write(fds[0], &(uint64_t){ 0x1122334455667788ULL }, 8));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(8, r.ret);
	EXPECT_EQ(0x1122334455667788ULL, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* ---- poll and epoll -------------------------------------------------------- */

TEST_F(kipc, poll_states)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT }, out;
	int fds[2], i, ep;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	EXPECT_EQ(POLL_WR, poll_now(fds[0]));
	EXPECT_EQ(POLL_WR, poll_now(fds[1]));
	ASSERT_EQ(0, kipc_channel_send(fds[1], "x", 1, 0));
	EXPECT_EQ(POLL_RD | POLL_WR, poll_now(fds[0]));
	EXPECT_EQ(POLL_WR, poll_now(fds[1]));

	/* Room for a message of max_msg (a 1008-byte record), or no POLLOUT. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, kipc_channel_send(fds[0], bbuf[0], 1000, 0));
	EXPECT_EQ(POLL_RD | POLL_WR, poll_now(fds[0]));
	ASSERT_EQ(0, kipc_channel_send(fds[0], bbuf[0], 1000, 0));
	EXPECT_EQ(POLL_RD, poll_now(fds[0]));
	/* A small message still fits, but POLLOUT promises a large one. */
	ASSERT_EQ(0, kipc_channel_send(fds[0], bbuf[0], 8, 0));
	EXPECT_EQ(POLL_RD, poll_now(fds[0]));
	EXPECT_EQ(POLL_RD | POLL_WR, poll_now(fds[1]));

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ((uint32_t)EPOLLIN, out.events);
	ASSERT_EQ(1, kipc_channel_recv(fds[1], bbuf[1], 1000, NULL, 0));
	EXPECT_EQ(POLL_RD | POLL_WR, poll_now(fds[0]));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ((uint32_t)(EPOLLIN | EPOLLOUT), out.events);
	ASSERT_EQ(1, kipc_channel_recv(fds[0], bbuf[1], 1000, NULL, 0));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ((uint32_t)EPOLLOUT, out.events);
	/* The peer closing. */
	ASSERT_EQ(0, close(fds[1]));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ((uint32_t)(EPOLLIN | EPOLLHUP),
		  out.events & (EPOLLIN | EPOLLHUP));
	ev.events = EPOLLIN | EPOLLRDHUP;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_MOD, fds[0], &ev));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ((uint32_t)(EPOLLIN | EPOLLHUP | EPOLLRDHUP), out.events);
	EXPECT_EQ(POLLIN | POLLHUP | POLLRDHUP,
		  poll_now(fds[0]) & (POLLIN | POLLHUP | POLLRDHUP));
	close(ep);
}

/*
 * A process blocked in epoll_wait (edge-triggered, draining until
 * EAGAIN) or poll is woken when the peer sends through the fast path,
 * round after round.
 */
TEST_F(kipc, epoll_woken_by_fast_path_send)
{
	struct kipc_chan_msg m[2] = { 0 };
	uint64_t vals[2] = { 0, 9 };
	struct kipc_ring *h0;
	struct kt_report r;
	int fds[2], rep[2], round;
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out;
		struct pollfd p = { .fd = fds[1], .events = POLLIN };
		int ep = epoll_create1(EPOLL_CLOEXEC), n, k, got;
		uint64_t v;

		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fds[1], &ev))
			_exit(1);
		for (k = 0; k < 6; k++) {
			out.events = 0;
			if (k < 4)
				n = epoll_wait(ep, &out, 1, KT_CHILD_TIMEOUT_MS);
			else
				n = poll(&p, 1, KT_CHILD_TIMEOUT_MS);
			if (k >= 4)
				out.events = p.revents;
			got = 0;
			while (kipc_channel_recv(fds[1], &v, sizeof(v), NULL,
						 0) == 1)
				got++;
			kt_report(rep[1], k, n, (uint64_t)got << 32 | out.events);
		}
		_exit(0);
	}
	h0 = attach(fds[0]);
	ASSERT_NE(NULL, h0);
	for (round = 0; round < 6; round++) {
		ASSERT_EQ(0, wait_blocked(pid)) TH_LOG("round %d", round);
		EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
		/*
		 * Odd rounds: two messages published at once (one SENDV), so
		 * that the waiter drains both; two sends could make a second
		 * edge after its drain and wake its next wait early.
		 */
		m[0].buf = (uintptr_t)&vals[0];
		m[1].buf = (uintptr_t)&vals[1];
		m[0].len = m[1].len = 8;
		vals[0] = round;
		ASSERT_EQ(1 + (round & 1),
			  kipc_ring_sendv(h0, m, 1 + (round & 1), 0));
		ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000))
			TH_LOG("round %d: the waiter was not woken", round);
		EXPECT_EQ(round, r.idx);
		EXPECT_EQ(1, r.ret);
		EXPECT_EQ((uint32_t)POLLIN, (uint32_t)r.value & POLLIN);
		EXPECT_EQ(1U + (round & 1), (uint32_t)(r.value >> 32));
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	detach(h0);
}

/* A process waiting for EPOLLOUT is woken by a fast-path receive. */
TEST_F(kipc, epoll_out_woken_by_fast_path_recv)
{
	struct kipc_ring *h1;
	struct kt_report r;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(4, fill_ring(fds[0], 1000));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct epoll_event ev = { .events = EPOLLOUT }, out = { 0 };
		int ep = epoll_create1(EPOLL_CLOEXEC), n;

		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev))
			_exit(1);
		n = epoll_wait(ep, &out, 1, KT_CHILD_TIMEOUT_MS);
		kt_report(rep[1], 0, n, out.events);
		_exit(0);
	}
	h1 = attach(fds[1]);
	ASSERT_NE(NULL, h1);
	ASSERT_EQ(0, wait_blocked(pid));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	ASSERT_EQ(1, kipc_ring_recv(h1, bbuf[0], 1000, NULL, 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000))
		TH_LOG("the EPOLLOUT waiter was not woken");
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ((uint64_t)EPOLLOUT, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	detach(h1);
}

TEST_F(kipc, epoll_edge_triggered)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out;
	struct kipc_ring *h0, *h1;
	struct ep s, r;
	int fds[2], ep, round, k, n;
	uint64_t v;

	ASSERT_EQ(0, pair_small(fds, 8192, 100));
	h0 = attach(fds[0]);
	h1 = attach(fds[1]);
	ASSERT_NE(NULL, h0);
	ASSERT_NE(NULL, h1);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fds[1], &ev));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	for (round = 0; round < 12; round++) {
		s = (struct ep){ .fd = fds[0], .h = round & 1 ? h0 : NULL };
		r = (struct ep){ .fd = fds[1], .h = round & 2 ? h1 : NULL };
		n = 1 + round % 3;
		for (k = 0; k < n; k++)
			ASSERT_EQ(0, ep_send(&s, &(uint64_t){ k }, 8, 0));
		ASSERT_EQ(1, epoll_wait(ep, &out, 1, 1000))
			TH_LOG("round %d: no edge", round);
		EXPECT_EQ((uint32_t)EPOLLIN, out.events);
		/* One edge only. */
		EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
		if (round % 4 == 3) {
			/* Partly drained: a new message is a new edge. */
			ASSERT_EQ(1, ep_recv(&r, &v, 8, NULL, 0));
			EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
			ASSERT_EQ(0, ep_send(&s, &(uint64_t){ 7 }, 8, 0));
			ASSERT_EQ(1, epoll_wait(ep, &out, 1, 1000))
				TH_LOG("round %d: no edge", round);
		}
		for (k = 0; ; k++) {
			int ret = ep_recv(&r, &v, 8, NULL, 0);

			if (ret == -EAGAIN)
				break;
			ASSERT_EQ(1, ret);
		}
		EXPECT_EQ(n, k) TH_LOG("round %d", round);
		EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	}
	close(ep);
	detach(h0);
	detach(h1);
}

/* A poll blocked in another process is woken by the peer's close. */
TEST_F(kipc, poll_woken_by_peer_close)
{
	struct kt_report r;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct pollfd p = { .fd = fds[1], .events = POLLIN };
		int n;

		close(fds[0]);
		n = poll(&p, 1, KT_CHILD_TIMEOUT_MS);
		kt_report(rep[1], 0, n, p.revents);
		_exit(0);
	}
	close(fds[1]);
	ASSERT_EQ(0, wait_blocked(pid));
	ASSERT_EQ(0, close(fds[0]));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000));
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ((uint64_t)(POLLIN | POLLHUP), r.value & (POLLIN | POLLHUP));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* ---- KIPC_CHAN_IOC_WAIT ------------------------------------------------------ */

TEST_F(kipc, wait_invalid_args)
{
	struct {
		struct kipc_chan_wait w;
		uint64_t tail[2];
	} big;
	struct kipc_timespec dl = kt_ts_at(kt_now_ns() + 1000 * MS);
	struct kipc_chan_wait w;
	uint32_t rev;
	int fds[2], i;

	ASSERT_EQ(0, pair_attr(fds, 4096, 8192, 0, 0, 0));
	for (i = 2; i < 32; i++) {
		EXPECT_EQ(-EINVAL, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
					  1U << i, 0, 0, NULL));
		if (i >= 3)
			EXPECT_EQ(-EINVAL, chwait(fds[0], KIPC_WAIT_NONBLOCK,
						  NULL, KIPC_CHAN_WRITABLE, 0,
						  1U << i, NULL));
	}
	/* Need: at most the capacity of this end's send ring. */
	EXPECT_EQ(-EINVAL, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
				  KIPC_CHAN_WRITABLE, 4097, 0, NULL));
	EXPECT_EQ(0, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
			    KIPC_CHAN_WRITABLE, 4096, 0, &rev));
	EXPECT_EQ((uint32_t)KIPC_CHAN_WRITABLE, rev);
	EXPECT_EQ(-EINVAL, chwait(fds[1], KIPC_WAIT_NONBLOCK, NULL,
				  KIPC_CHAN_WRITABLE, 8193, 0, NULL));
	EXPECT_EQ(0, chwait(fds[1], KIPC_WAIT_NONBLOCK, NULL,
			    KIPC_CHAN_WRITABLE, 8192, 0, &rev));
	EXPECT_EQ(-EINVAL, chwait(fds[1], KIPC_WAIT_NONBLOCK, NULL,
				  KIPC_CHAN_WRITABLE, UINT32_MAX, 0, NULL));
	/* Flags and deadline. */
	EXPECT_EQ(-EINVAL, chwait(fds[0], 4, NULL, KIPC_CHAN_WRITABLE, 0, 0,
				  NULL));
	EXPECT_EQ(-EINVAL, chwait(fds[0], KIPC_WAIT_NONBLOCK |
				  KIPC_WAIT_DEADLINE, &dl, KIPC_CHAN_WRITABLE,
				  0, 0, NULL));
	EXPECT_EQ(-EINVAL, chwait(fds[0], 0, &dl, KIPC_CHAN_WRITABLE, 0, 0,
				  NULL));
	EXPECT_EQ(-EINVAL, chwait(fds[0], KIPC_WAIT_DEADLINE,
				  &(struct kipc_timespec){ 1, 1000000000 },
				  KIPC_CHAN_WRITABLE, 0, 0, NULL));
	/* Padding, reserved, sizes, pointer. */
	memset(&w, 0, sizeof(w));
	w.events = KIPC_CHAN_WRITABLE;
	w.flags = KIPC_WAIT_NONBLOCK;
	w.__pad = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_CHAN_IOC_WAIT, &w));
	w.__pad = 0;
	for (i = 0; i < 2; i++) {
		w.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_CHAN_IOC_WAIT, &w));
		w.reserved[i] = 0;
	}
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KT_IOC_RESIZE(KIPC_CHAN_IOC_WAIT,
				    KIPC_CHAN_WAIT_SIZE_VER0 - 8), &w));
	EXPECT_EQ(-EFAULT, kt_ioctl(fds[0], KIPC_CHAN_IOC_WAIT,
				    kt_noaccess_page()));
	memset(&big, 0, sizeof(big));
	big.w = w;
	big.tail[0] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(fds[0], KT_IOC_RESIZE(KIPC_CHAN_IOC_WAIT,
				   sizeof(big)), &big));
	big.tail[0] = 0;
	EXPECT_EQ(0, kt_ioctl(fds[0], KT_IOC_RESIZE(KIPC_CHAN_IOC_WAIT,
			      sizeof(big)), &big));
	EXPECT_EQ((uint32_t)KIPC_CHAN_WRITABLE, big.w.revents);
	/* Events given back in a read-only struct: EFAULT. */
	w.revents = 0;
	EXPECT_EQ(-EFAULT, kt_ioctl(fds[0], KIPC_CHAN_IOC_WAIT,
				    kt_readonly_copy(&w, sizeof(w))));
}

TEST_F(kipc, wait_revents)
{
	struct kipc_timespec dl;
	struct kt_report r;
	uint32_t rev;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	EXPECT_EQ(-EAGAIN, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
				  KIPC_CHAN_READABLE, 0, 0, NULL));
	EXPECT_EQ(0, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
			    KIPC_CHAN_WRITABLE, 0, 0, &rev));
	EXPECT_EQ((uint32_t)KIPC_CHAN_WRITABLE, rev);
	EXPECT_EQ(0, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
			    KIPC_CHAN_READABLE | KIPC_CHAN_WRITABLE, 0, 0,
			    &rev));
	EXPECT_EQ((uint32_t)KIPC_CHAN_WRITABLE, rev);
	/* Nothing to wait for: only wakes, never blocks. */
	EXPECT_EQ(0, chwait(fds[0], 0, NULL, 0, 0, 0, &rev));
	EXPECT_EQ(0U, rev);
	EXPECT_EQ(0, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL, 0, 0,
			    KIPC_CHAN_WAKES, &rev));
	EXPECT_EQ(0U, rev);

	ASSERT_EQ(0, kipc_channel_send(fds[1], "r", 1, 0));
	EXPECT_EQ(0, chwait(fds[0], 0, NULL, KIPC_CHAN_READABLE |
			    KIPC_CHAN_WRITABLE, 0, 0, &rev));
	EXPECT_EQ((uint32_t)(KIPC_CHAN_READABLE | KIPC_CHAN_WRITABLE), rev);
	/* Room: a max_msg record by default, else @need bytes. */
	ASSERT_EQ(4, fill_ring(fds[0], 1000));
	EXPECT_EQ(-EAGAIN, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
				  KIPC_CHAN_WRITABLE, 0, 0, NULL));
	EXPECT_EQ(0, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
			    KIPC_CHAN_WRITABLE, 64, 0, &rev));
	EXPECT_EQ((uint32_t)KIPC_CHAN_WRITABLE, rev);
	EXPECT_EQ(-EAGAIN, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
				  KIPC_CHAN_WRITABLE, 72, 0, NULL));
	dl = kt_ts_at(kt_now_ns() + 50 * MS);
	EXPECT_EQ(-ETIMEDOUT, chwait(fds[0], KIPC_WAIT_DEADLINE, &dl,
				     KIPC_CHAN_WRITABLE, 72, 0, NULL));

	/* A blocked WAIT is woken by a kernel receive making room. */
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_timespec d = kt_ts_at(kt_now_ns() + CHILD_WAIT_NS);
		uint32_t rv = 0;
		int ret = chwait(fds[0], KIPC_WAIT_DEADLINE, &d,
				 KIPC_CHAN_WRITABLE, 0, 0, &rv);

		kt_report(rep[1], 0, ret, rv);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	ASSERT_EQ(1, kipc_channel_recv(fds[1], bbuf[0], 1000, NULL, 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ((uint64_t)KIPC_CHAN_WRITABLE, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));

	/* The peer closed: HUP, with READABLE while something is queued. */
	ASSERT_EQ(0, close(fds[1]));
	EXPECT_EQ(0, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
			    KIPC_CHAN_READABLE, 0, 0, &rev));
	EXPECT_EQ((uint32_t)(KIPC_CHAN_READABLE | KIPC_CHAN_HUP), rev);
	ASSERT_EQ(1, kipc_channel_recv(fds[0], bbuf[0], 1000, NULL, 0));
	EXPECT_EQ(0, chwait(fds[0], 0, NULL, KIPC_CHAN_READABLE, 0, 0, &rev));
	EXPECT_EQ((uint32_t)KIPC_CHAN_HUP, rev);
}

/*
 * The wake bits: a record published by hand (through a mapping) wakes
 * nobody until someone asks KIPC_CHAN_WAKE_READERS; space freed by hand
 * needs KIPC_CHAN_WAKE_WRITERS; a lock released by hand with the waiters
 * bit set needs KIPC_CHAN_WAKE_LOCKS.
 */
TEST_F(kipc, wait_wake_bits)
{
	struct kipc_channel_info in;
	struct kipc_chan_ring *r0, *r1;
	struct kipc_chan_msghdr *hdr;
	struct kt_report r;
	uint8_t *map, *data0;
	uint32_t old;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	map = map_raw(fds[0], in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, map);
	r0 = ring_at(map, 0);
	r1 = ring_at(map, 1);
	data0 = map + in.ring_offset[0];
	ASSERT_EQ(0, pipe(rep));

	/* Readers. */
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_timespec d = kt_ts_at(kt_now_ns() + CHILD_WAIT_NS);
		uint32_t rv = 0;
		int ret = chwait(fds[1], KIPC_WAIT_DEADLINE, &d,
				 KIPC_CHAN_READABLE, 0, 0, &rv);

		kt_report(rep[1], 0, ret, rv);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	EXPECT_EQ(1U, __atomic_load_n(&r0->rwait, __ATOMIC_SEQ_CST));
	hdr = (void *)data0;
	hdr->len = 3;
	hdr->flags = 0;
	memcpy(hdr + 1, "abc", 3);
	__atomic_store_n(&r0->tail, 16, __ATOMIC_RELEASE);
	kt_sleep_ms(100);
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0))
		TH_LOG("woken without a wake");
	EXPECT_EQ(0, chwait(fds[0], 0, NULL, 0, 0, KIPC_CHAN_WAKE_READERS,
			    NULL));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ((uint64_t)KIPC_CHAN_READABLE, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, kipc_channel_recv(fds[1], bbuf[0], 10, NULL, 0));
	EXPECT_EQ(0, memcmp(bbuf[0], "abc", 3));

	/* Writers. */
	ASSERT_EQ(4, fill_ring(fds[1], 1000));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_timespec d = kt_ts_at(kt_now_ns() + CHILD_WAIT_NS);
		uint32_t rv = 0;
		int ret = chwait(fds[1], KIPC_WAIT_DEADLINE, &d,
				 KIPC_CHAN_WRITABLE, 0, 0, &rv);

		kt_report(rep[1], 1, ret, rv);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	EXPECT_EQ(1U, __atomic_load_n(&r1->wwait, __ATOMIC_SEQ_CST));
	/* Consume everything by hand. */
	__atomic_store_n(&r1->head, __atomic_load_n(&r1->tail, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
	kt_sleep_ms(100);
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0))
		TH_LOG("woken without a wake");
	EXPECT_EQ(0, chwait(fds[0], 0, NULL, 0, 0, KIPC_CHAN_WAKE_WRITERS,
			    NULL));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ((uint64_t)KIPC_CHAN_WRITABLE, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0U, ch_used(fds[0], 1));

	/* Locks: a kernel sender waits for a lock held by hand. */
	ASSERT_EQ(0U, __atomic_exchange_n(&r0->plock, KIPC_CHAN_LOCK_USER,
					  __ATOMIC_ACQUIRE));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = kipc_channel_send(fds[0], "locked", 6, CHILD_WAIT_NS);

		kt_report(rep[1], 2, ret, 0);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	old = __atomic_exchange_n(&r0->plock, 0, __ATOMIC_RELEASE);
	EXPECT_EQ(KIPC_CHAN_LOCK_USER | KIPC_CHAN_LOCK_WAITERS, old);
	kt_sleep_ms(100);
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0))
		TH_LOG("woken without a wake");
	EXPECT_EQ(0, chwait(fds[0], 0, NULL, 0, 0, KIPC_CHAN_WAKE_LOCKS, NULL));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0U, __atomic_load_n(&r0->plock, __ATOMIC_ACQUIRE));
	EXPECT_EQ(1, kipc_channel_recv(fds[1], bbuf[0], 10, NULL, 0));
	EXPECT_EQ(0, memcmp(bbuf[0], "locked", 6));
	unmap(map);
}

/* ---- signals ------------------------------------------------------------------- */

/*
 * A child blocked receiving (or sending on a full ring) without a
 * deadline gets SIGUSR1: without SA_RESTART the call fails with EINTR;
 * with it, the call goes on and completes when the peer acts.
 */
static void check_signal(struct __test_metadata *_metadata, bool fast,
			 bool sending, bool restart)
{
	struct kt_report r;
	int fds[2], rep[2], hp[2];
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	if (sending)
		ASSERT_EQ(4, fill_ring(fds[1], 1000));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ep e = { .fd = fds[1] };
		size_t len = 0;
		int ret;

		if (kt_catch_signal(SIGUSR1, hp[1], restart ? SA_RESTART : 0))
			_exit(91);
		if (fast)
			e.h = attach(fds[1]);
		if (fast && !e.h)
			_exit(92);
		if (sending)
			ret = ep_send_pat(&e, 1000, 5, KIPC_INFINITE);
		else
			ret = ep_recv(&e, bbuf[0], 1000, &len, KIPC_INFINITE);
		kt_report(rep[1], 0, ret, len);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ('h', kt_read_byte(hp[0], KT_CHILD_TIMEOUT_MS));
	if (!restart) {
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(-EINTR, r.ret);
		EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
		/* Nothing was taken or sent. */
		EXPECT_EQ(sending ? 4 * rec(1000) : 0U, ch_used(fds[0], 1));
		return;
	}
	/* The handler ran; the call restarted and blocks again. */
	ASSERT_EQ(0, wait_blocked(pid));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	if (sending) {
		ASSERT_EQ(1, kipc_channel_recv(fds[0], bbuf[1], 1000, NULL, 0));
	} else {
		ASSERT_EQ(0, kipc_channel_send(fds[0], "late", 4, 0));
	}
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(sending ? 0 : 1, r.ret);
	if (!sending)
		EXPECT_EQ(4U, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	if (sending)
		EXPECT_EQ(4 * rec(1000), ch_used(fds[0], 1));
}

/* TEST_F(kipc, @test): check_signal() with those arguments. */
#define SIGNAL_TEST(test, fast, sending, restart)			\
TEST_F(kipc, test)							\
{									\
	check_signal(_metadata, fast, sending, restart);		\
}

SIGNAL_TEST(signal_eintr_recv_kernel, false, false, false)
SIGNAL_TEST(signal_eintr_recv_fast, true, false, false)
SIGNAL_TEST(signal_eintr_send_kernel, false, true, false)
SIGNAL_TEST(signal_eintr_send_fast, true, true, false)
SIGNAL_TEST(signal_restart_recv_kernel, false, false, true)
SIGNAL_TEST(signal_restart_recv_fast, true, false, true)
SIGNAL_TEST(signal_restart_send_kernel, false, true, true)
SIGNAL_TEST(signal_restart_send_fast, true, true, true)

static int restart_recv(int64_t end, void *arg)
{
	struct kipc_timespec dl = kt_ts_at(end);
	struct kipc_chan_msg m = { .buf = (uintptr_t)bbuf[0], .len = 8 };

	return xfer_raw(*(int *)arg, KIPC_CHAN_IOC_RECVV, KIPC_WAIT_DEADLINE,
			&dl, &m, 1);
}

static int restart_recv_asleep(pid_t pid, void *arg, int timeout_ms)
{
	(void)arg;
	return kt_wait_sleeping(pid, timeout_ms);
}

/* SA_RESTART keeps the absolute deadline: the wait ends on time. */
TEST_F(kipc, signal_restart_keeps_deadline)
{
	int fds[2];

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	kt_check_restart_keeps_deadline(_metadata, 400, 3000, restart_recv,
					restart_recv_asleep, &fds[1]);
}

TEST_HARNESS_MAIN
