// SPDX-License-Identifier: GPL-2.0
/*
 * kipc channel selftests, the basics: creation (anonymous pairs, named
 * channels, attributes, rounding, limits, accounting, access), names,
 * connect and reopen, channel info, messages in both directions through
 * the kernel and through libkipc's mapped fast path, and mixed; message
 * boundaries, sizes and order; batches.  The other channel tests are in
 * kipc_channel_io_test.c, kipc_channel_ring_test.c and
 * kipc_channel_stress_test.c; their helpers in kipc_channel_util.h.
 */
#include "kipc_channel_util.h"

/* ---- creation ------------------------------------------------------------ */

TEST_F(kipc, pair_defaults)
{
	struct kipc_channel_info in[2];
	struct kipc_object_info oi[2];
	uint64_t b0 = kt_stats_uid_bytes();
	char path[64], link[64];
	int fds[2], e, d, fl;
	ssize_t n;

	ASSERT_EQ(0, kipc_channel_pair(fds, NULL, 0));
	/* Both rings and the control page are charged. */
	EXPECT_EQ((uint64_t)pg() + 2ULL * KIPC_CHAN_DEFAULT_CAPACITY,
		  kt_stats_uid_bytes() - b0);
	for (e = 0; e < 2; e++) {
		ASSERT_EQ(0, ch_info(fds[e], &in[e]));
		EXPECT_EQ((uint32_t)e, in[e].end);
		for (d = 0; d < 2; d++) {
			EXPECT_EQ(KIPC_CHAN_DEFAULT_CAPACITY, in[e].capacity[d]);
			EXPECT_EQ(KIPC_CHAN_DEFAULT_MAX_MSG, in[e].max_msg[d]);
			EXPECT_EQ(0U, in[e].used[d]);
		}
		EXPECT_EQ((uint32_t)KIPC_CHAN_CONNECTED, in[e].state);
		EXPECT_EQ((uint64_t)pg(), in[e].ring_offset[0]);
		EXPECT_EQ((uint64_t)pg() + 2ULL * KIPC_CHAN_DEFAULT_CAPACITY,
			  in[e].ring_offset[1]);
		EXPECT_EQ((uint64_t)pg() + 4ULL * KIPC_CHAN_DEFAULT_CAPACITY,
			  in[e].map_size);

		ASSERT_EQ(0, kt_obj_info(fds[e], &oi[e], NULL, 0));
		EXPECT_EQ((uint32_t)KIPC_TYPE_CHANNEL, oi[e].type);
		EXPECT_EQ((uint32_t)(KIPC_ACCESS_READ | KIPC_ACCESS_WRITE),
			  oi[e].access);
		EXPECT_EQ(0U, oi[e].state);
		EXPECT_EQ(0600U, oi[e].mode);

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[e]);
		n = readlink(path, link, sizeof(link) - 1);
		ASSERT_LT(0, n);
		link[n] = '\0';
		EXPECT_STREQ("anon_inode:[kipc-channel]", link);
		EXPECT_EQ(FD_CLOEXEC, fcntl(fds[e], F_GETFD) & FD_CLOEXEC);
		fl = fcntl(fds[e], F_GETFL);
		EXPECT_EQ(O_RDWR, fl & O_ACCMODE);
		EXPECT_EQ(0, fl & O_NONBLOCK);
	}
	/* Two files of one object. */
	EXPECT_EQ(oi[0].id, oi[1].id);
	EXPECT_NE(fds[0], fds[1]);
	ASSERT_EQ(0, close(fds[0]));
	ASSERT_EQ(0, close(fds[1]));
	EXPECT_EQ(b0, kt_stats_uid_bytes());
}

TEST_F(kipc, pair_fd_flags)
{
	int fds[2], e;

	ASSERT_EQ(0, kipc_channel_pair(fds, NULL,
				       KIPC_FD_NOCLOEXEC | KIPC_FD_NONBLOCK));
	for (e = 0; e < 2; e++) {
		EXPECT_EQ(0, fcntl(fds[e], F_GETFD) & FD_CLOEXEC);
		EXPECT_EQ(O_NONBLOCK, fcntl(fds[e], F_GETFL) & O_NONBLOCK);
	}
	/* A channel's ends are always opened for reading and writing. */
	EXPECT_FAILS_NO_CHANGE(kipc_channel_pair(fds, NULL, KIPC_FD_RDONLY),
			       EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_channel_pair(fds, NULL, KIPC_FD_WRONLY),
			       EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_channel_pair(fds, NULL, 1U << 20), EINVAL);
}

TEST_F(kipc, create_custom_sizes)
{
	struct kipc_channel_info in;
	uint64_t b0 = kt_stats_uid_bytes();
	struct ep e0, e1;
	int fds[2];

	ASSERT_EQ(0, pair_attr(fds, 4096, 16384, 100, 16376, 0));
	EXPECT_EQ((uint64_t)pg() + 4096 + 16384, kt_stats_uid_bytes() - b0);
	ASSERT_EQ(0, ch_info(fds[1], &in));
	EXPECT_EQ(4096U, in.capacity[0]);
	EXPECT_EQ(16384U, in.capacity[1]);
	EXPECT_EQ(100U, in.max_msg[0]);
	EXPECT_EQ(16376U, in.max_msg[1]);
	EXPECT_EQ((uint64_t)pg(), in.ring_offset[0]);
	EXPECT_EQ((uint64_t)pg() + 2 * 4096, in.ring_offset[1]);
	EXPECT_EQ((uint64_t)pg() + 2 * 4096 + 2 * 16384, in.map_size);

	/* Each direction has its own limit. */
	e0 = (struct ep){ .fd = fds[0] };
	e1 = (struct ep){ .fd = fds[1] };
	EXPECT_EQ(-EMSGSIZE, ep_send_pat(&e0, 101, 1, 0));
	EXPECT_EQ(0, ep_send_pat(&e0, 100, 1, 0));
	EXPECT_EQ(1, ep_recv_pat(&e1, 100, 1, 0));
	EXPECT_EQ(-EMSGSIZE, ep_send_pat(&e1, 16377, 2, 0));
	EXPECT_EQ(0, ep_send_pat(&e1, 16376, 2, 0));
	EXPECT_EQ(16384U, ch_used(fds[0], 1));
	EXPECT_EQ(1, ep_recv_pat(&e0, 16376, 2, 0));
}

/* A capacity asked for (both rings) and the one given: rounded up to a power of two. */
KT_FIXTURE_NAMED(capacity, ch_untrack_all())

FIXTURE_VARIANT(capacity) {
	uint32_t in, out;	/* out 0: a page */
};

#define CAPACITY_CASE(n, i, o) \
	FIXTURE_VARIANT_ADD(capacity, n) { .in = (i), .out = (o) }

CAPACITY_CASE(c1, 1, 0);
CAPACITY_CASE(c100, 100, 0);
CAPACITY_CASE(c4095, 4095, 4096);
CAPACITY_CASE(c4096, 4096, 4096);
CAPACITY_CASE(c4097, 4097, 8192);
CAPACITY_CASE(c5000, 5000, 8192);
CAPACITY_CASE(c65535, 65535, 65536);
CAPACITY_CASE(c65536, 65536, 65536);
CAPACITY_CASE(c65537, 65537, 131072);
CAPACITY_CASE(c3m, 3U << 20, 4U << 20);
CAPACITY_CASE(c4m, 4U << 20, 4U << 20);

TEST_F(capacity, create_capacity_rounding)
{
	struct kipc_channel_info in;
	uint32_t want;
	int fds[2];

	ASSERT_LE(4LL << 20, kt_param_get("max_channel_capacity"));
	want = variant->out < pg() ? pg() : variant->out;
	ASSERT_EQ(0, pair_attr(fds, variant->in, variant->in, 0, 0, 0));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	EXPECT_EQ(want, in.capacity[0]);
	EXPECT_EQ(want, in.capacity[1]);
	/* The default max_msg, or the capacity less 8 if smaller. */
	want = want - HDR < KIPC_CHAN_DEFAULT_MAX_MSG ?
	       want - HDR : KIPC_CHAN_DEFAULT_MAX_MSG;
	EXPECT_EQ(want, in.max_msg[0]);
	EXPECT_EQ(want, in.max_msg[1]);
	EXPECT_EQ((uint64_t)pg() + 4ULL * in.capacity[0], in.map_size);
}

/* Only one ring given: the other gets the default. */
TEST_F(kipc, create_capacity_one_ring)
{
	struct kipc_channel_info in;
	int fds[2];

	ASSERT_EQ(0, pair_attr(fds, 0, 5000, 0, 0, 0));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	EXPECT_EQ(KIPC_CHAN_DEFAULT_CAPACITY, in.capacity[0]);
	EXPECT_EQ(8192U, in.capacity[1]);
	EXPECT_EQ(8184U, in.max_msg[1]);
}

TEST_F(kipc, create_attr_invalid)
{
	struct kipc_channel_attr a;

	KT_CHECK_ATTR_ZERO_FIELDS(create_chan_attr, struct kipc_channel_attr,
				  1ULL << 63, false);
	/* Sizes and pointers. */
	memset(&a, 0, sizeof(a));
	a.capacity[0] = 4096;
	EXPECT_CREATE_FAILS(&a, KIPC_CHANNEL_ATTR_SIZE_VER0 - 8, EINVAL);
	EXPECT_CREATE_FAILS(&a, 1, EINVAL);
	EXPECT_CREATE_FAILS(NULL, sizeof(a), EINVAL);
	EXPECT_CREATE_FAILS(kt_noaccess_page(), sizeof(a), EFAULT);
}

TEST_F(kipc, create_attr_struct_sizes)
{
	struct {
		struct kipc_channel_attr a;
		uint64_t tail[2];
	} big;
	struct kipc_channel_info in;
	int fd;

	memset(&big, 0, sizeof(big));
	big.a.capacity[0] = 8192;
	big.a.capacity[1] = 4096;
	big.a.max_msg[0] = 77;
	big.tail[1] = 1;
	EXPECT_CREATE_FAILS(&big, sizeof(big), E2BIG);
	big.tail[1] = 0;
	fd = create_chan_attr(&big, sizeof(big));
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ch_info(fd, &in));
	EXPECT_EQ(8192U, in.capacity[0]);
	EXPECT_EQ(4096U, in.capacity[1]);
	EXPECT_EQ(77U, in.max_msg[0]);
	EXPECT_EQ(4088U, in.max_msg[1]);
	/* Not connected yet. */
	EXPECT_EQ(0U, in.state);
	EXPECT_EQ(0U, in.end);
}

TEST_F(kipc, create_capacity_above_max)
{
	struct kipc_channel_attr a;
	int fds[2];

	memset(&a, 0, sizeof(a));
	a.capacity[0] = (uint32_t)kt_param_get("max_channel_capacity") + 1;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.capacity[0] = UINT32_MAX;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.capacity[0] = 1U << 31;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);

	ASSERT_EQ(0, kt_param_set("max_channel_capacity", 65536));
	a.capacity[0] = 65537;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.capacity[0] = 4096;
	a.capacity[1] = 65537;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	ASSERT_EQ(0, pair_attr(fds, 65536, 65536, 0, 0, 0));
	close(fds[0]);
	close(fds[1]);

	/* The limit applies after rounding up to a power of two. */
	ASSERT_EQ(0, kt_param_set("max_channel_capacity", 5000));
	a.capacity[0] = 4097;
	a.capacity[1] = 4096;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	ASSERT_EQ(0, pair_attr(fds, 4096, 4000, 0, 0, 0));
	close(fds[0]);
	close(fds[1]);

	/* The parameter itself: a page to 1 GiB. */
	EXPECT_EQ(-EINVAL, kt_param_set("max_channel_capacity", pg() - 1));
	EXPECT_EQ(-EINVAL, kt_param_set("max_channel_capacity",
					(1ULL << 30) + 1));
	EXPECT_EQ(5000, kt_param_get("max_channel_capacity"));
}

TEST_F(kipc, create_max_msg_limits)
{
	struct kipc_channel_attr a;
	struct kipc_channel_info in;
	int fds[2];

	memset(&a, 0, sizeof(a));
	a.capacity[0] = a.capacity[1] = 4096;
	a.max_msg[0] = 4089;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.max_msg[0] = UINT32_MAX;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.max_msg[0] = 0;
	a.max_msg[1] = 4089;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	/* The default capacity with a max_msg beyond it. */
	memset(&a, 0, sizeof(a));
	a.max_msg[1] = KIPC_CHAN_DEFAULT_CAPACITY - HDR + 1;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	/* Checked against the rounded capacity: 5000 -> 8192. */
	memset(&a, 0, sizeof(a));
	a.capacity[0] = 5000;
	a.max_msg[0] = 8185;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);

	ASSERT_EQ(0, pair_attr(fds, 5000, 4096, 8184, 4088, 0));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	EXPECT_EQ(8184U, in.max_msg[0]);
	EXPECT_EQ(4088U, in.max_msg[1]);
	close(fds[0]);
	close(fds[1]);
	/* max_msg 1, and max_msg larger than the default. */
	ASSERT_EQ(0, pair_attr(fds, 1U << 20, 4096, 1U << 19, 1, 0));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	EXPECT_EQ(1U << 19, in.max_msg[0]);
	EXPECT_EQ(1U, in.max_msg[1]);
	EXPECT_EQ(-EMSGSIZE, kipc_channel_send(fds[1], "ab", 2, 0));
	EXPECT_EQ(0, kipc_channel_send(fds[1], "a", 1, 0));
}

TEST_F(kipc, create_access_flags_einval)
{
	const char *name = kt_name("acc");
	int fd, fd1, fd2;

	EXPECT_FAILS_NO_CHANGE(kipc_channel_create(NULL, 0600, NULL,
						   KIPC_FD_RDONLY), EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_channel_create(NULL, 0600, NULL,
						   KIPC_FD_WRONLY), EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_channel_create(name, 0600, NULL,
						   KIPC_FD_RDONLY), EINVAL);
	EXPECT_EQ(-ENOENT, kipc_channel_connect(name, 0));

	/* A refused connect or reopen does not use up end 1. */
	fd = kipc_channel_create(name, 0600, NULL, 0);
	ASSERT_LE(0, fd);
	EXPECT_FAILS_NO_CHANGE(kipc_channel_connect(name, KIPC_FD_RDONLY),
			       EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_channel_connect(name, KIPC_FD_WRONLY),
			       EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_reopen(fd, KIPC_FD_RDONLY), EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_reopen(fd, KIPC_FD_WRONLY), EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_reopen(fd, KIPC_FD_RDONLY |
					   KIPC_FD_WRONLY), EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_reopen(fd, 1U << 9), EINVAL);
	EXPECT_EQ(0U, ch_state(fd));
	fd1 = kipc_channel_connect(name, KIPC_FD_NONBLOCK);
	ASSERT_LE(0, fd1);
	EXPECT_EQ(O_NONBLOCK, fcntl(fd1, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ((uint32_t)KIPC_CHAN_CONNECTED, ch_state(fd));
	fd2 = kipc_channel_connect(name, 0);
	EXPECT_EQ(-EISCONN, fd2);
}

TEST_F(kipc, create_edquot)
{
	struct kipc_channel_attr a;
	uint64_t b0, charge;
	int fds[2], more[2];
	const char *name = kt_name("quota");

	b0 = kt_stats_uid_bytes();
	ASSERT_EQ(0, pair_attr(fds, 4096, 8192, 0, 0, 0));
	charge = kt_stats_uid_bytes() - b0;
	EXPECT_EQ((uint64_t)pg() + 4096 + 8192, charge);
	close(fds[0]);
	close(fds[1]);
	ASSERT_EQ(b0, kt_stats_uid_bytes());

	memset(&a, 0, sizeof(a));
	a.capacity[0] = 4096;
	a.capacity[1] = 8192;
	/* One byte short: EDQUOT, and nothing is created or named. */
	ASSERT_EQ(0, kt_param_set("max_bytes_per_uid", b0 + charge - 1));
	EXPECT_CREATE_FAILS(&a, sizeof(a), EDQUOT);
	EXPECT_FAILS_NO_CHANGE(pair_attr(fds, 4096, 8192, 0, 0, 0), EDQUOT);
	EXPECT_FAILS_NO_CHANGE(kipc_channel_create(name, 0600, &a, 0), EDQUOT);
	EXPECT_EQ(-ENOENT, kipc_channel_connect(name, 0));

	/* Exactly enough. */
	ASSERT_EQ(0, kt_param_set("max_bytes_per_uid", b0 + charge));
	ASSERT_EQ(0, pair_attr(fds, 4096, 8192, 0, 0, 0));
	EXPECT_EQ(b0 + charge, kt_stats_uid_bytes());
	EXPECT_FAILS_NO_CHANGE(pair_attr(more, 1, 1, 0, 0, 0), EDQUOT);
	/* Closing one end keeps the charge; closing both returns it. */
	close(fds[0]);
	EXPECT_EQ(b0 + charge, kt_stats_uid_bytes());
	close(fds[1]);
	ASSERT_EQ(0, pair_attr(more, 1, 1, 0, 0, 0));
}

/* ---- names, connect, reopen ---------------------------------------------- */

TEST_F(kipc, named_create_connect)
{
	const char *name = kt_name("named");
	struct kipc_object_info oi;
	struct kipc_channel_info in;
	struct kipc_channel_attr a;
	char nbuf[64];
	struct ep e0, e1;
	int fd0, fd1, ev;

	memset(&a, 0, sizeof(a));
	a.capacity[0] = 8192;
	a.max_msg[1] = 333;
	fd0 = kipc_channel_create(name, 0600, &a, 0);
	ASSERT_LE(0, fd0);
	EXPECT_EQ(0U, ch_state(fd0));
	EXPECT_EQ(-EEXIST, kipc_channel_create(name, 0600, NULL, 0));
	/* Names are per type. */
	EXPECT_EQ(-ENOENT, kipc_event_open(name, 0));
	ev = kipc_event_create(name, 0600, 0, 0);
	EXPECT_LE(0, ev);
	EXPECT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));

	fd1 = kipc_channel_connect(name, 0);
	ASSERT_LE(0, fd1);
	ASSERT_EQ(0, ch_info(fd1, &in));
	EXPECT_EQ(1U, in.end);
	EXPECT_EQ(8192U, in.capacity[0]);
	EXPECT_EQ(KIPC_CHAN_DEFAULT_CAPACITY, in.capacity[1]);
	EXPECT_EQ(333U, in.max_msg[1]);
	EXPECT_EQ((uint32_t)KIPC_CHAN_CONNECTED, in.state);
	EXPECT_EQ((uint32_t)KIPC_CHAN_CONNECTED, ch_state(fd0));
	ASSERT_EQ(0, kt_obj_info(fd1, &oi, nbuf, sizeof(nbuf)));
	EXPECT_EQ((uint32_t)KIPC_TYPE_CHANNEL, oi.type);
	EXPECT_EQ((uint32_t)(KIPC_INFO_NAMED | KIPC_INFO_LINKED), oi.state);
	EXPECT_EQ(strlen(name), oi.name_len);
	EXPECT_EQ(0, memcmp(nbuf, name, strlen(name)));

	/* End 1 exactly once, whichever way. */
	EXPECT_FAILS_NO_CHANGE(kipc_channel_connect(name, 0), EISCONN);
	EXPECT_FAILS_NO_CHANGE(kipc_reopen(fd0, 0), EISCONN);
	EXPECT_FAILS_NO_CHANGE(kipc_reopen(fd1, 0), EISCONN);

	e0 = (struct ep){ .fd = fd0 };
	e1 = (struct ep){ .fd = fd1 };
	EXPECT_EQ(0, ep_send_pat(&e0, 50, 7, 0));
	EXPECT_EQ(0, ep_send_pat(&e1, 333, 8, 0));
	EXPECT_EQ(1, ep_recv_pat(&e1, 50, 7, 0));
	EXPECT_EQ(1, ep_recv_pat(&e0, 333, 8, 0));

	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_CHANNEL, name));
	EXPECT_EQ(-ENOENT, kipc_channel_connect(name, 0));
	EXPECT_EQ(-ENOENT, kipc_unlink(KIPC_TYPE_CHANNEL, name));
}

/* A name keeps its channel, and so the charge, after both ends closed. */
TEST_F(kipc, named_charge_held_by_name)
{
	const char *name = kt_name("charge");
	uint64_t b0 = kt_stats_uid_bytes();
	struct kipc_channel_attr a;
	int fd0, fd1;

	memset(&a, 0, sizeof(a));
	a.capacity[0] = a.capacity[1] = 4096;
	fd0 = kipc_channel_create(name, 0600, &a, 0);
	ASSERT_LE(0, fd0);
	EXPECT_EQ((uint64_t)pg() + 8192, kt_stats_uid_bytes() - b0);
	fd1 = kipc_channel_connect(name, 0);
	ASSERT_LE(0, fd1);
	ASSERT_EQ(0, kipc_channel_send(fd1, "kept", 4, 0));
	ASSERT_EQ(0, close(fd0));
	ASSERT_EQ(0, close(fd1));
	EXPECT_EQ((uint64_t)pg() + 8192, kt_stats_uid_bytes() - b0);
	/* Both ends have been opened and closed: nothing more to connect. */
	EXPECT_EQ(-EISCONN, kipc_channel_connect(name, 0));
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_CHANNEL, name));
	EXPECT_EQ(b0, kt_stats_uid_bytes());
}

TEST_F(kipc, connect_missing_enoent)
{
	const char *name = kt_name("missing");
	int q;

	EXPECT_FAILS_NO_CHANGE(kipc_channel_connect(name, 0), ENOENT);
	/* A queue of that name is not a channel. */
	q = kipc_queue_create(name, 0600, 1, 8, 0);
	ASSERT_LE(0, q);
	EXPECT_FAILS_NO_CHANGE(kipc_channel_connect(name, 0), ENOENT);
	EXPECT_EQ(0, kipc_unlink(KIPC_TYPE_QUEUE, name));
}

TEST_F(kipc, anon_create_then_reopen)
{
	struct kipc_channel_info in;
	struct ep e0, e1;
	int fd0, fd1;

	fd0 = kipc_channel_create(NULL, 0600, NULL, 0);
	ASSERT_LE(0, fd0);
	ASSERT_EQ(0, ch_info(fd0, &in));
	EXPECT_EQ(0U, in.end);
	EXPECT_EQ(0U, in.state);
	/* Messages wait in the ring for end 1 to be opened. */
	e0 = (struct ep){ .fd = fd0 };
	EXPECT_EQ(0, ep_send_pat(&e0, 10, 1, 0));
	EXPECT_EQ(0, ep_send_pat(&e0, 0, 2, 0));
	EXPECT_EQ(-EAGAIN, ep_recv_pat(&e0, 0, 0, 0));
	EXPECT_EQ(0, poll_now(fd0) & (POLLHUP | POLLIN));
	fd1 = kipc_reopen(fd0, KIPC_FD_NONBLOCK);
	ASSERT_LE(0, fd1);
	EXPECT_EQ(O_NONBLOCK, fcntl(fd1, F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(0, ch_info(fd1, &in));
	EXPECT_EQ(1U, in.end);
	EXPECT_EQ((uint32_t)KIPC_CHAN_CONNECTED, in.state);
	EXPECT_EQ(rec(10) + rec(0), in.used[0]);
	e1 = (struct ep){ .fd = fd1 };
	EXPECT_EQ(1, ep_recv_pat(&e1, 10, 1, 0));
	EXPECT_EQ(1, ep_recv_pat(&e1, 0, 2, 0));
	EXPECT_EQ(-EISCONN, kipc_reopen(fd0, 0));
	EXPECT_EQ(-EISCONN, kipc_reopen(fd1, 0));
}

/* A closed end 0 of a named channel can still be connected to and drained. */
TEST_F(kipc, connect_after_creator_closed)
{
	const char *name = kt_name("late");
	struct ep e1;
	size_t len = 99;
	char buf[8];
	int fd0, fd1;

	fd0 = kipc_channel_create(name, 0600, NULL, 0);
	ASSERT_LE(0, fd0);
	ASSERT_EQ(0, kipc_channel_send(fd0, "one", 3, 0));
	ASSERT_EQ(0, kipc_channel_send(fd0, "", 0, 0));
	ASSERT_EQ(0, close(fd0));
	fd1 = kipc_channel_connect(name, 0);
	ASSERT_LE(0, fd1);
	EXPECT_EQ((uint32_t)(KIPC_CHAN_CONNECTED | KIPC_CHAN_PEER_CLOSED),
		  ch_state(fd1));
	EXPECT_EQ(-EPIPE, kipc_channel_send(fd1, "x", 1, 0));
	e1 = (struct ep){ .fd = fd1 };
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_CHANNEL, name));
	EXPECT_EQ(1, kipc_channel_recv(fd1, buf, sizeof(buf), &len, 0));
	EXPECT_EQ(3U, len);
	EXPECT_EQ(0, memcmp(buf, "one", 3));
	EXPECT_EQ(1, kipc_channel_recv(fd1, buf, sizeof(buf), &len, 0));
	EXPECT_EQ(0U, len);
	EXPECT_EQ(0, kipc_channel_recv(fd1, buf, sizeof(buf), &len,
				       KIPC_INFINITE));
	EXPECT_EQ(0, ep_recv_pat(&e1, 0, 0, 0));
}

TEST_F(kipc, connect_mode_checked_eacces)
{
	const char *n600 = kt_name("m600"), *n644 = kt_name("m644");
	const char *n666 = kt_name("m666"), *n606 = kt_name("m606");
	int f600, f644, f666, f606, late, st;
	char buf[16];
	size_t len = 0;
	pid_t pid;

	f600 = kipc_channel_create(n600, 0600, NULL, 0);
	f644 = kipc_channel_create(n644, 0644, NULL, 0);
	f666 = kipc_channel_create(n666, 0666, NULL, 0);
	f606 = kipc_channel_create(n606, 0606, NULL, 0);
	ASSERT_LE(0, f600);
	ASSERT_LE(0, f644);
	ASSERT_LE(0, f666);
	ASSERT_LE(0, f606);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		if (kt_become(65534, 65534))
			_exit(1);
		if (kipc_channel_connect(n600, 0) != -EACCES)
			_exit(2);
		if (kipc_channel_connect(n644, 0) != -EACCES)
			_exit(3);
		/* Asking for less access is no way around it. */
		fd = kipc_channel_connect(n644, KIPC_FD_RDONLY);
		if (fd != -EINVAL && fd != -EACCES)
			_exit(4);
		fd = kipc_channel_connect(n666, 0);
		if (fd < 0)
			_exit(5);
		if (kipc_channel_send(fd, "nobody", 6, 0))
			_exit(6);
		fd = kipc_channel_connect(n606, 0);
		if (fd < 0)
			_exit(7);
		_exit(0);
	}
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	/* The refused connects did not use end 1 up. */
	late = kipc_channel_connect(n600, 0);
	EXPECT_LE(0, late);
	late = kipc_channel_connect(n644, 0);
	EXPECT_LE(0, late);
	EXPECT_EQ(-EISCONN, kipc_channel_connect(n666, 0));
	EXPECT_EQ(1, kipc_channel_recv(f666, buf, sizeof(buf), &len, 0));
	EXPECT_EQ(6U, len);
	/* The child exited: its end is closed. */
	EXPECT_EQ(0, kipc_channel_recv(f666, buf, sizeof(buf), &len, 0));
	EXPECT_EQ((uint32_t)(KIPC_CHAN_CONNECTED | KIPC_CHAN_PEER_CLOSED),
		  ch_state(f606));
}

/*
 * A connect or reopen that fails because its fd cannot be written back
 * (the struct is read-only) must change nothing: end 1 stays free, and
 * end 0 does not see a peer that connected and closed.
 */
TEST_F(kipc, connect_readonly_struct_changes_nothing)
{
	const char *name = kt_name("rostruct");
	struct kipc_open o;
	void *ro;
	int fd0, fd1, low;

	fd0 = kipc_channel_create(name, 0600, NULL, 0);
	ASSERT_LE(0, fd0);
	memset(&o, 0, sizeof(o));
	o.type = KIPC_TYPE_CHANNEL;
	o.name = (uintptr_t)name;
	o.name_len = strlen(name);
	ro = kt_readonly_copy(&o, sizeof(o));
	ASSERT_NE(NULL, ro);
	low = kt_lowest_free_fd();
	EXPECT_EQ(-EFAULT, kt_dev_ioctl(KIPC_IOC_OPEN, ro));
	EXPECT_EQ(low, kt_lowest_free_fd());
	EXPECT_EQ(0U, ch_state(fd0))
		TH_LOG("the failed connect left end 1 connected/closed");
	EXPECT_EQ(0, kipc_channel_send(fd0, "x", 1, 0));
	fd1 = kipc_channel_connect(name, 0);
	EXPECT_LE(0, fd1) TH_LOG("connect after the failed one: %d", fd1);
	munmap(ro, kt_page_size());
}

TEST_F(kipc, reopen_readonly_struct_changes_nothing)
{
	struct kipc_reopen r;
	void *ro;
	int fd0, fd1, low;

	fd0 = kipc_channel_create(NULL, 0600, NULL, 0);
	ASSERT_LE(0, fd0);
	memset(&r, 0, sizeof(r));
	ro = kt_readonly_copy(&r, sizeof(r));
	ASSERT_NE(NULL, ro);
	low = kt_lowest_free_fd();
	EXPECT_EQ(-EFAULT, kt_ioctl(fd0, KIPC_IOC_REOPEN, ro));
	EXPECT_EQ(low, kt_lowest_free_fd());
	EXPECT_EQ(0U, ch_state(fd0))
		TH_LOG("the failed reopen left end 1 connected/closed");
	EXPECT_EQ(0, kipc_channel_send(fd0, "x", 1, 0));
	fd1 = kipc_reopen(fd0, 0);
	EXPECT_LE(0, fd1) TH_LOG("reopen after the failed one: %d", fd1);
	munmap(ro, kt_page_size());
}

TEST_F(kipc, reopen_invalid_args)
{
	struct kipc_reopen r;
	int fd0;

	fd0 = kipc_channel_create(NULL, 0600, NULL, 0);
	ASSERT_LE(0, fd0);
	memset(&r, 0, sizeof(r));
	r.reserved[1] = 1;
	EXPECT_FAILS_NO_CHANGE(kt_ioctl(fd0, KIPC_IOC_REOPEN, &r), EINVAL);
	EXPECT_FAILS_NO_CHANGE(kt_ioctl(fd0, KIPC_IOC_REOPEN,
					kt_noaccess_page()), EFAULT);
	EXPECT_EQ(0U, ch_state(fd0));
	EXPECT_LE(0, kipc_reopen(fd0, 0));
}

TEST_F(kipc, unlink_while_connected)
{
	const char *name = kt_name("unl");
	struct kipc_object_info oi;
	struct ep e0, e1;
	int fd0, fd1, again, again1;

	fd0 = kipc_channel_create(name, 0600, NULL, 0);
	ASSERT_LE(0, fd0);
	fd1 = kipc_channel_connect(name, 0);
	ASSERT_LE(0, fd1);
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_CHANNEL, name));
	ASSERT_EQ(0, kt_obj_info(fd0, &oi, NULL, 0));
	EXPECT_EQ((uint32_t)KIPC_INFO_NAMED, oi.state);
	EXPECT_EQ(-ENOENT, kipc_channel_connect(name, 0));
	e0 = (struct ep){ .fd = fd0 };
	e1 = (struct ep){ .fd = fd1 };
	EXPECT_EQ(0, ep_send_pat(&e0, 40, 1, 0));
	EXPECT_EQ(1, ep_recv_pat(&e1, 40, 1, 0));
	EXPECT_EQ(0, ep_send_pat(&e1, 41, 2, 0));
	EXPECT_EQ(1, ep_recv_pat(&e0, 41, 2, 0));
	/* The name is free for a new channel, which is another one. */
	again = kipc_channel_create(name, 0600, NULL, 0);
	ASSERT_LE(0, again);
	again1 = kipc_channel_connect(name, 0);
	ASSERT_LE(0, again1);
	EXPECT_EQ(-EAGAIN, ep_recv_pat(&e1, 0, 0, 0));
	EXPECT_EQ(0, kipc_channel_send(again, "n", 1, 0));
	EXPECT_EQ(-EAGAIN, ep_recv_pat(&e1, 0, 0, 0));
	close(fd0);
	EXPECT_EQ(0, ep_recv_pat(&e1, 0, 0, 0));
	EXPECT_EQ((uint32_t)KIPC_CHAN_CONNECTED, ch_state(again1));
	EXPECT_EQ(0, kipc_unlink(KIPC_TYPE_CHANNEL, name));
}

/* ---- info ---------------------------------------------------------------- */

TEST_F(kipc, info_used_and_state)
{
	struct kipc_channel_info in;
	int fds[2];

	ASSERT_EQ(0, pair_attr(fds, 4096, 8192, 0, 0, 0));
	ASSERT_EQ(0, kipc_channel_send(fds[0], "abc", 3, 0));
	ASSERT_EQ(0, kipc_channel_send(fds[0], "", 0, 0));
	ASSERT_EQ(0, kipc_channel_send(fds[1], "12345678", 8, 0));
	ASSERT_EQ(0, kipc_channel_send(fds[1], "123456789", 9, 0));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	EXPECT_EQ(rec(3) + rec(0), in.used[0]);
	EXPECT_EQ(16U + 24U, in.used[1]);
	ASSERT_EQ(0, ch_info(fds[1], &in));
	EXPECT_EQ(16U + 8U, in.used[0]);
	EXPECT_EQ(40U, in.used[1]);
	EXPECT_EQ((uint32_t)KIPC_CHAN_CONNECTED, in.state);
	ASSERT_EQ(0, close(fds[0]));
	ASSERT_EQ(0, ch_info(fds[1], &in));
	EXPECT_EQ((uint32_t)(KIPC_CHAN_CONNECTED | KIPC_CHAN_PEER_CLOSED),
		  in.state);
	/* What was queued stays counted. */
	EXPECT_EQ(24U, in.used[0]);
	EXPECT_EQ(40U, in.used[1]);
	EXPECT_EQ(1U, in.end);
}

TEST_F(kipc, info_invalid_input)
{
	struct kipc_channel_info in;
	struct {
		struct kipc_channel_info in;
		uint64_t tail[2];
	} big;
	struct kipc_ring *h = NULL;
	int fds[2], i, q;

	ASSERT_EQ(0, kipc_channel_pair(fds, NULL, 0));
	memset(&in, 0, sizeof(in));
	in.flags = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_CHAN_IOC_INFO, &in));
	memset(&in, 0, sizeof(in));
	in.__pad = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_CHAN_IOC_INFO, &in));
	for (i = 0; i < 4; i++) {
		memset(&in, 0, sizeof(in));
		in.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_CHAN_IOC_INFO, &in));
	}
	EXPECT_EQ(-EFAULT, kt_ioctl(fds[0], KIPC_CHAN_IOC_INFO,
				    kt_noaccess_page()));
	memset(&in, 0, sizeof(in));
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KT_IOC_RESIZE(KIPC_CHAN_IOC_INFO,
				    KIPC_CHANNEL_INFO_SIZE_VER0 - 8), &in));
	memset(&big, 0, sizeof(big));
	big.tail[0] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(fds[1], KT_IOC_RESIZE(KIPC_CHAN_IOC_INFO,
				   sizeof(big)), &big));
	big.tail[0] = 0;
	EXPECT_EQ(0, kt_ioctl(fds[1], KT_IOC_RESIZE(KIPC_CHAN_IOC_INFO,
			      sizeof(big)), &big));
	EXPECT_EQ(1U, big.in.end);
	EXPECT_EQ(KIPC_CHAN_DEFAULT_CAPACITY, big.in.capacity[1]);

	/* Channel ioctls are for channels. */
	q = kipc_queue_create(NULL, 0600, 1, 8, 0);
	ASSERT_LE(0, q);
	memset(&in, 0, sizeof(in));
	EXPECT_EQ(-ENOTTY, kt_ioctl(q, KIPC_CHAN_IOC_INFO, &in));
	EXPECT_EQ(-ENOTTY, xfer_raw(q, KIPC_CHAN_IOC_SENDV, 0, NULL, &in, 1));
	EXPECT_EQ(-ENOTTY, chwait(q, 0, NULL, 0, 0, 0, NULL));
	EXPECT_EQ(-ENOTTY, kipc_queue_send(fds[0], "x", 1, 0, 0));
	EXPECT_EQ(-ENOTTY, kipc_ring_attach(q, &h));
}

TEST_F(kipc, fdinfo_lines)
{
	struct kipc_ring *h;
	char buf[2048];
	int fds[2];

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	ASSERT_EQ(0, kipc_channel_send(fds[0], "abc", 3, 0));
	h = attach(fds[1]);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, kt_read_fdinfo(fds[1], buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "kipc-type:\tchannel");
	KT_EXPECT_LINE(buf, "channel-ring0:\tcapacity 4096 max-msg 100 used 16");
	KT_EXPECT_LINE(buf, "channel-end0:\topen files 1 mapped 0");
	KT_EXPECT_LINE(buf, "channel-end1:\topen files 1 mapped 1");
	detach(h);
}

/* ---- messages -------------------------------------------------------------- */

/*
 * Both directions between @fast0 and @fast1 ends (fast path or kernel):
 * boundaries, zero-length and max_msg-size messages, order, EMSGSIZE on
 * both sides, EAGAIN when empty.
 */
static void check_basic(struct __test_metadata *_metadata, bool fast0,
			bool fast1)
{
	static const uint32_t sizes[] = { 5, 0, 1, 7, 8, 9, 1000, 0, 333, 16 };
	const unsigned int ns = sizeof(sizes) / sizeof(sizes[0]);
	struct ep e[2];
	uint8_t buf[1100];
	uint32_t used, i;
	size_t len;
	int fds[2], dir;

	ASSERT_EQ(0, pair_small(fds, 8192, 1000));
	for (dir = 0; dir < 2; dir++) {
		e[dir].fd = fds[dir];
		e[dir].h = NULL;
		if (dir ? fast1 : fast0) {
			e[dir].h = attach(fds[dir]);
			ASSERT_NE(NULL, e[dir].h);
			EXPECT_EQ(fds[dir], kipc_ring_fd(e[dir].h));
		}
	}
	for (dir = 0; dir < 2; dir++) {
		struct ep *s = &e[dir], *r = &e[1 - dir];

		EXPECT_EQ(-EAGAIN, ep_recv(r, buf, sizeof(buf), &len, 0));
		used = 0;
		for (i = 0; i < ns; i++) {
			ASSERT_EQ(0, ep_send_pat(s, sizes[i], dir * 100 + i, 0));
			used += rec(sizes[i]);
		}
		EXPECT_EQ(used, ch_used(fds[0], dir));
		EXPECT_EQ(0U, ch_used(fds[0], 1 - dir));
		for (i = 0; i < ns; i++)
			EXPECT_EQ(1, ep_recv_pat(r, sizes[i], dir * 100 + i, 0))
				TH_LOG("dir %d message %u", dir, i);
		EXPECT_EQ(0U, ch_used(fds[1], dir));
		EXPECT_EQ(-EAGAIN, ep_recv(r, buf, sizeof(buf), &len, 0));

		/* Too large to send. */
		EXPECT_EQ(-EMSGSIZE, ep_send_pat(s, 1001, 1, 0));
		EXPECT_EQ(-EMSGSIZE, ep_send_pat(s, 1001, 1, KIPC_INFINITE));
		EXPECT_EQ(0U, ch_used(fds[0], dir));

		/* Too large to receive: reported, kept, received later. */
		ASSERT_EQ(0, ep_send_pat(s, 100, 55, 0));
		ASSERT_EQ(0, ep_send_pat(s, 3, 56, 0));
		len = 0;
		EXPECT_EQ(-EMSGSIZE, ep_recv(r, buf, 99, &len, 0));
		EXPECT_EQ(100U, len);
		len = 0;
		EXPECT_EQ(-EMSGSIZE, ep_recv(r, buf, 0, &len, KIPC_INFINITE));
		EXPECT_EQ(100U, len);
		EXPECT_EQ(rec(100) + rec(3), ch_used(fds[0], dir));
		len = 0;
		EXPECT_EQ(1, ep_recv(r, buf, 100, &len, 0));
		EXPECT_EQ(100U, len);
		EXPECT_TRUE(check(buf, 100, 55));
		EXPECT_EQ(1, ep_recv_pat(r, 3, 56, 0));

		/* A zero-length message fits a zero-size buffer. */
		ASSERT_EQ(0, ep_send(s, NULL, 0, 0));
		len = 99;
		EXPECT_EQ(1, ep_recv(r, NULL, 0, &len, 0));
		EXPECT_EQ(0U, len);
	}
	for (dir = 0; dir < 2; dir++)
		if (e[dir].h)
			detach(e[dir].h);
}

TEST_F(kipc, messages_kernel_to_kernel)
{
	check_basic(_metadata, false, false);
}

TEST_F(kipc, messages_fast_to_fast)
{
	check_basic(_metadata, true, true);
}

TEST_F(kipc, messages_fast_and_kernel)
{
	check_basic(_metadata, true, false);
}

TEST_F(kipc, messages_kernel_and_fast)
{
	check_basic(_metadata, false, true);
}

/* A max_msg of capacity - 8 fills the ring with one message. */
TEST_F(kipc, max_msg_fills_ring)
{
	struct ep e[2];
	int fds[2], fast, k;

	ASSERT_EQ(0, pair_small(fds, 4096, 4088));
	for (fast = 0; fast < 4; fast++) {
		for (k = 0; k < 2; k++) {
			e[k].fd = fds[k];
			e[k].h = (fast >> k) & 1 ? attach(fds[k]) : NULL;
		}
		ASSERT_EQ(0, ep_send_pat(&e[0], 4088, fast, 0));
		EXPECT_EQ(4096U, ch_used(fds[1], 0));
		EXPECT_EQ(-EAGAIN, ep_send(&e[0], NULL, 0, 0));
		EXPECT_EQ(0, poll_now(fds[0]) & POLLOUT);
		EXPECT_EQ(POLLIN, poll_now(fds[1]) & POLLIN);
		EXPECT_EQ(1, ep_recv_pat(&e[1], 4088, fast, 0));
		EXPECT_EQ(0U, ch_used(fds[1], 0));
		/* And again, now starting in the middle of the ring. */
		ASSERT_EQ(0, ep_send_pat(&e[0], 100, fast + 10, 0));
		ASSERT_EQ(0, ep_send_pat(&e[0], 100, fast + 10, 0));
		EXPECT_EQ(1, ep_recv_pat(&e[1], 100, fast + 10, 0));
		EXPECT_EQ(1, ep_recv_pat(&e[1], 100, fast + 10, 0));
		ASSERT_EQ(0, ep_send_pat(&e[0], 4088, fast + 20, 0));
		EXPECT_EQ(-EAGAIN, ep_send(&e[0], NULL, 0, 0));
		EXPECT_EQ(1, ep_recv_pat(&e[1], 4088, fast + 20, 0));
		for (k = 0; k < 2; k++)
			if (e[k].h)
				detach(e[k].h);
	}
}

/*
 * Thousands of messages through a small ring, the indices wrapping around
 * it many times, each operation through the kernel or the fast path at
 * random, on each end.
 */
TEST_F(kipc, order_wraparound_mixed_paths)
{
	struct kipc_ring *h[2];
	struct ep k[2], f[2];
	uint32_t sent = 0, got = 0, s = 12345, n, i;
	const uint32_t total = 3000, max = 1500;
	int fds[2], r;

	ASSERT_EQ(0, pair_small(fds, 4096, max));
	h[0] = attach(fds[0]);
	h[1] = attach(fds[1]);
	ASSERT_NE(NULL, h[0]);
	ASSERT_NE(NULL, h[1]);
	for (i = 0; i < 2; i++) {
		k[i] = (struct ep){ .fd = fds[i] };
		f[i] = (struct ep){ .fd = fds[i], .h = h[i] };
	}
	while (got < total) {
		n = 1 + lcg(&s) % 4;
		while (n-- && sent < total) {
			r = ep_send_pat(lcg(&s) & 1 ? &f[0] : &k[0],
					seq_len(sent, max), sent, 0);
			if (r == -EAGAIN)
				break;
			ASSERT_EQ(0, r) TH_LOG("send %u", sent);
			sent++;
		}
		n = 1 + lcg(&s) % 4;
		while (n-- && got < sent) {
			r = ep_recv_pat(lcg(&s) & 1 ? &f[1] : &k[1],
					seq_len(got, max), got, 0);
			ASSERT_EQ(1, r) TH_LOG("receive %u", got);
			got++;
		}
	}
	EXPECT_EQ(-EAGAIN, ep_recv_pat(&f[1], 0, 0, 0));
	EXPECT_EQ(-EAGAIN, ep_recv_pat(&k[1], 0, 0, 0));
	detach(h[0]);
	detach(h[1]);
}

/* ---- batches ----------------------------------------------------------------- */

static void msgs_init(struct kipc_chan_msg *m, unsigned int n, uint32_t len,
		      uint32_t seed)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		fill(bbuf[i % 16], len, seed + i);
		m[i].buf = (uintptr_t)bbuf[i % 16];
		m[i].len = len;
		m[i].flags = 0;
	}
}

static void check_batches(struct __test_metadata *_metadata, bool fast)
{
	static uint8_t rbuf[16][1100];
	struct kipc_chan_msg m[16];
	struct ep s, r;
	int fds[2], i;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	s = (struct ep){ .fd = fds[0], .h = fast ? attach(fds[0]) : NULL };
	r = (struct ep){ .fd = fds[1], .h = fast ? attach(fds[1]) : NULL };

	/* 4 of 10 records of 1008 bytes fit 4096. */
	msgs_init(m, 10, 1000, 100);
	EXPECT_EQ(4, ep_sendv(&s, m, 10, 0));
	EXPECT_EQ(4U * 1008U, ch_used(fds[0], 0));
	EXPECT_EQ(-EAGAIN, ep_sendv(&s, m + 4, 6, 0));
	for (i = 0; i < 10; i++) {
		m[i].buf = (uintptr_t)rbuf[i];
		m[i].len = 1100;
	}
	/* Fewer than asked. */
	EXPECT_EQ(4, ep_recvv(&r, m, 10, 0));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(1000U, m[i].len);
		EXPECT_TRUE(check(rbuf[i], 1000, 100 + i));
	}
	EXPECT_EQ(1100U, m[4].len);
	EXPECT_EQ(-EAGAIN, ep_recvv(&r, m, 10, 0));

	/* EMSGSIZE of a later message ends the batch; of the first fails. */
	msgs_init(m, 3, 10, 200);
	m[1].len = 1001;
	EXPECT_EQ(1, ep_sendv(&s, m, 3, 0));
	EXPECT_EQ(-EMSGSIZE, ep_sendv(&s, m + 1, 2, 0));
	EXPECT_EQ(1, ep_sendv(&s, m + 2, 1, 0));
	for (i = 0; i < 3; i++) {
		m[i].buf = (uintptr_t)rbuf[i];
		m[i].len = 1000;
	}
	EXPECT_EQ(2, ep_recvv(&r, m, 3, 0));
	EXPECT_TRUE(check(rbuf[0], 10, 200));
	EXPECT_TRUE(check(rbuf[1], 10, 202));

	/* A buffer too small: the batch ends there, its length reported. */
	msgs_init(m, 3, 500, 300);
	m[0].len = 10;
	m[2].len = 20;
	EXPECT_EQ(3, ep_sendv(&s, m, 3, 0));
	for (i = 0; i < 3; i++) {
		m[i].buf = (uintptr_t)rbuf[i];
		m[i].len = 100;
	}
	EXPECT_EQ(1, ep_recvv(&r, m, 3, 0));
	EXPECT_EQ(10U, m[0].len);
	EXPECT_EQ(500U, m[1].len);
	EXPECT_EQ(100U, m[2].len);
	m[0].len = 499;
	EXPECT_EQ(-EMSGSIZE, ep_recvv(&r, m, 3, 0));
	EXPECT_EQ(500U, m[0].len);
	m[0].len = 500;
	m[1].len = 100;
	EXPECT_EQ(2, ep_recvv(&r, m, 3, KIPC_INFINITE));
	EXPECT_EQ(500U, m[0].len);
	EXPECT_EQ(20U, m[1].len);
	EXPECT_TRUE(check(rbuf[0], 500, 301));
	EXPECT_TRUE(check(rbuf[1], 20, 302));
	EXPECT_EQ(0U, ch_used(fds[0], 0));

	/* Zero messages. */
	EXPECT_EQ(-EINVAL, ep_sendv(&s, m, 0, 0));
	EXPECT_EQ(-EINVAL, ep_recvv(&r, m, 0, 0));
	if (s.h)
		detach(s.h);
	if (r.h)
		detach(r.h);
}

TEST_F(kipc, batches_kernel)
{
	check_batches(_metadata, false);
}

TEST_F(kipc, batches_fast)
{
	check_batches(_metadata, true);
}

TEST_F(kipc, batch_count_limits)
{
	static struct kipc_chan_msg m[2048];
	struct kipc_ring *h0, *h1;
	int fds[2], i;

	ASSERT_EQ(0, pair_small(fds, 32768, 100));
	for (i = 0; i < 2048; i++)
		m[i] = (struct kipc_chan_msg){ .buf = 0, .len = 0 };
	EXPECT_EQ(-EINVAL, xfer_raw(fds[0], KIPC_CHAN_IOC_SENDV, 0, NULL, m, 0));
	EXPECT_EQ(-EINVAL, xfer_raw(fds[0], KIPC_CHAN_IOC_SENDV, 0, NULL, m,
				    KIPC_CHAN_MAX_BATCH + 1));
	EXPECT_EQ(-EINVAL, xfer_raw(fds[0], KIPC_CHAN_IOC_SENDV, 0, NULL, m,
				    UINT32_MAX));
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	EXPECT_EQ(KIPC_CHAN_MAX_BATCH,
		  xfer_raw(fds[0], KIPC_CHAN_IOC_SENDV, 0, NULL, m,
			   KIPC_CHAN_MAX_BATCH));
	EXPECT_EQ(KIPC_CHAN_MAX_BATCH * HDR, ch_used(fds[0], 0));
	EXPECT_EQ(-EINVAL, xfer_raw(fds[1], KIPC_CHAN_IOC_RECVV, 0, NULL, m, 0));
	EXPECT_EQ(-EINVAL, xfer_raw(fds[1], KIPC_CHAN_IOC_RECVV, 0, NULL, m,
				    KIPC_CHAN_MAX_BATCH + 1));
	EXPECT_EQ(KIPC_CHAN_MAX_BATCH,
		  xfer_raw(fds[1], KIPC_CHAN_IOC_RECVV, 0, NULL, m,
			   KIPC_CHAN_MAX_BATCH));
	EXPECT_EQ(0U, ch_used(fds[0], 0));

	/* libkipc's fd functions pass the count on. */
	EXPECT_EQ(-EINVAL, kipc_channel_sendv(fds[0], m, 0, 0));
	EXPECT_EQ(-EINVAL, kipc_channel_sendv(fds[0], m, 1025, 0));
	EXPECT_EQ(-EINVAL, kipc_channel_recvv(fds[1], m, 1025, 0));

	/* The fast path takes any number. */
	h0 = attach(fds[0]);
	h1 = attach(fds[1]);
	ASSERT_NE(NULL, h0);
	ASSERT_NE(NULL, h1);
	EXPECT_EQ(2000, kipc_ring_sendv(h0, m, 2000, 0));
	EXPECT_EQ(2000U * HDR, ch_used(fds[0], 0));
	EXPECT_EQ(2000, kipc_ring_recvv(h1, m, 2048, 0));
	EXPECT_EQ(-EINVAL, kipc_ring_sendv(h0, m, 0, 0));
	EXPECT_EQ(-EINVAL, kipc_ring_recvv(h1, m, 0, 0));
	detach(h0);
	detach(h1);
}

TEST_F(kipc, batch_bad_pointers)
{
	struct kipc_chan_msg m[3], *ro;
	char *bad = kt_guard_boundary();
	char buf[64];
	size_t len;
	int fds[2], r;

	ASSERT_NE(NULL, bad);
	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	/* The array itself. */
	EXPECT_EQ(-EFAULT, xfer_raw(fds[0], KIPC_CHAN_IOC_SENDV, 0, NULL, bad, 1));
	/* A readable first entry, an unreadable second: the batch ends. */
	memset(bad - 16, 0, 16);
	EXPECT_EQ(1, xfer_raw(fds[0], KIPC_CHAN_IOC_SENDV, 0, NULL,
			      bad - 16, 2));
	EXPECT_EQ(rec(0), ch_used(fds[0], 0));
	EXPECT_EQ(1, kipc_channel_recv(fds[1], NULL, 0, NULL, 0));
	r = xfer_raw(fds[0], KIPC_CHAN_IOC_SENDV, 0, NULL, NULL, 1);
	EXPECT_TRUE(r == -EFAULT || r == -EINVAL) TH_LOG("NULL msgs: %d", r);
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	/* A payload: nothing of that message is sent. */
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)bad, .len = 10 };
	EXPECT_EQ(-EFAULT, kipc_channel_sendv(fds[0], m, 1, 0));
	EXPECT_EQ(-EFAULT, kipc_channel_send(fds[0], bad - 4, 8, 0));
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)"ok", .len = 2 };
	m[1] = (struct kipc_chan_msg){ .buf = (uintptr_t)bad, .len = 1 };
	m[2] = (struct kipc_chan_msg){ .buf = (uintptr_t)"no", .len = 2 };
	EXPECT_EQ(1, kipc_channel_sendv(fds[0], m, 3, 0));
	EXPECT_EQ(rec(2), ch_used(fds[0], 0));

	/* Receiving into a bad buffer or array keeps the message. */
	EXPECT_EQ(-EFAULT, kipc_channel_recv(fds[1], bad, 64, &len, 0));
	EXPECT_EQ(-EFAULT, xfer_raw(fds[1], KIPC_CHAN_IOC_RECVV, 0, NULL, bad, 1));
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)buf, .len = 64 };
	ro = kt_readonly_copy(m, sizeof(m[0]));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, xfer_raw(fds[1], KIPC_CHAN_IOC_RECVV, 0, NULL, ro, 1));
	EXPECT_EQ(rec(2), ch_used(fds[0], 0));
	len = 0;
	EXPECT_EQ(1, kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0));
	EXPECT_EQ(2U, len);
	EXPECT_EQ(0, memcmp(buf, "ok", 2));
	/* A bad buffer after a good one ends the batch. */
	ASSERT_EQ(0, kipc_channel_send(fds[0], "a", 1, 0));
	ASSERT_EQ(0, kipc_channel_send(fds[0], "b", 1, 0));
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)buf, .len = 64 };
	m[1] = (struct kipc_chan_msg){ .buf = (uintptr_t)bad, .len = 64 };
	EXPECT_EQ(1, kipc_channel_recvv(fds[1], m, 2, 0));
	EXPECT_EQ(1, kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0));
	EXPECT_EQ('b', buf[0]);
	munmap(ro, kt_page_size());
}

TEST_F(kipc, batch_msg_flags_einval)
{
	struct kipc_chan_msg m[2];
	char buf[16];
	int fds[2];

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)"x", .len = 1,
				       .flags = 1 };
	EXPECT_EQ(-EINVAL, kipc_channel_sendv(fds[0], m, 1, 0));
	m[0].flags = 1U << 31;
	EXPECT_EQ(-EINVAL, kipc_channel_sendv(fds[0], m, 1, 0));
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	m[0].flags = 0;
	m[1] = (struct kipc_chan_msg){ .buf = (uintptr_t)"y", .len = 1,
				       .flags = 2 };
	EXPECT_EQ(1, kipc_channel_sendv(fds[0], m, 2, 0));
	EXPECT_EQ(rec(1), ch_used(fds[0], 0));
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)buf, .len = 16,
				       .flags = 4 };
	EXPECT_EQ(-EINVAL, kipc_channel_recvv(fds[1], m, 1, 0));
	EXPECT_EQ(rec(1), ch_used(fds[0], 0));
	m[0].flags = 0;
	EXPECT_EQ(1, kipc_channel_recvv(fds[1], m, 1, 0));
	EXPECT_EQ(1U, m[0].len);
}

/* The fast path checks kipc_chan_msg.flags as the kernel does. */
TEST_F(kipc, fast_path_msg_flags_einval)
{
	struct kipc_chan_msg m[2];
	struct kipc_ring *h0, *h1;
	char buf[16];
	int fds[2];

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	h0 = attach(fds[0]);
	h1 = attach(fds[1]);
	ASSERT_NE(NULL, h0);
	ASSERT_NE(NULL, h1);
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)"x", .len = 1,
				       .flags = 1 };
	EXPECT_EQ(-EINVAL, kipc_ring_sendv(h0, m, 1, 0));
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	ASSERT_EQ(0, kipc_channel_send(fds[0], "y", 1, 0));
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)buf, .len = 16,
				       .flags = 1 };
	EXPECT_EQ(-EINVAL, kipc_ring_recvv(h1, m, 1, 0));
	EXPECT_EQ(rec(1), ch_used(fds[0], 0));
	detach(h0);
	detach(h1);
}

TEST_F(kipc, xfer_invalid_args)
{
	struct {
		struct kipc_chan_xfer x;
		uint64_t tail[2];
	} big;
	struct kipc_chan_msg m = { .buf = (uintptr_t)"z", .len = 1 };
	struct kipc_timespec dl = kt_ts_at(kt_now_ns() + 1000 * MS);
	struct kipc_chan_xfer x;
	unsigned long cmds[2] = { KIPC_CHAN_IOC_SENDV, KIPC_CHAN_IOC_RECVV };
	int fds[2], c, i;
	char b[4];

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	ASSERT_EQ(0, kipc_channel_send(fds[1], "q", 1, 0));
	for (c = 0; c < 2; c++) {
		unsigned long cmd = cmds[c];

		EXPECT_EQ(-EINVAL, xfer_raw(fds[0], cmd, 4, NULL, &m, 1));
		EXPECT_EQ(-EINVAL, xfer_raw(fds[0], cmd, 1U << 31, NULL, &m, 1));
		EXPECT_EQ(-EINVAL, xfer_raw(fds[0], cmd, KIPC_WAIT_DEADLINE |
					    KIPC_WAIT_NONBLOCK, &dl, &m, 1));
		/* A deadline without the flag, or not normalized. */
		EXPECT_EQ(-EINVAL, xfer_raw(fds[0], cmd, 0, &dl, &m, 1));
		EXPECT_EQ(-EINVAL, xfer_raw(fds[0], cmd, KIPC_WAIT_NONBLOCK,
					    &dl, &m, 1));
		EXPECT_EQ(-EINVAL, xfer_raw(fds[0], cmd, KIPC_WAIT_DEADLINE,
			  &(struct kipc_timespec){ .tv_nsec = 1000000000 },
			  &m, 1));
		EXPECT_EQ(-EINVAL, xfer_raw(fds[0], cmd, KIPC_WAIT_DEADLINE,
			  &(struct kipc_timespec){ .tv_sec = -1 }, &m, 1));
		for (i = 0; i < 2; i++) {
			memset(&x, 0, sizeof(x));
			x.count = 1;
			x.msgs = (uintptr_t)&m;
			x.reserved[i] = 1;
			EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], cmd, &x));
		}
		memset(&x, 0, sizeof(x));
		x.count = 1;
		x.msgs = (uintptr_t)&m;
		EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KT_IOC_RESIZE(cmd,
					    KIPC_CHAN_XFER_SIZE_VER0 - 8), &x));
		EXPECT_EQ(-EFAULT, kt_ioctl(fds[0], cmd, kt_noaccess_page()));
		memset(&big, 0, sizeof(big));
		big.x.count = 1;
		big.x.msgs = (uintptr_t)&m;
		big.x.flags = KIPC_WAIT_NONBLOCK;
		big.tail[1] = 1;
		EXPECT_EQ(-E2BIG, kt_ioctl(fds[0], KT_IOC_RESIZE(cmd,
					   sizeof(big)), &big));
	}
	/* Nothing happened. */
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	EXPECT_EQ(rec(1), ch_used(fds[0], 1));
	/* A larger struct with a zero tail works, both ways. */
	big.tail[1] = 0;
	EXPECT_EQ(1, ioctl(fds[0], KT_IOC_RESIZE(KIPC_CHAN_IOC_SENDV,
						 sizeof(big)), &big));
	EXPECT_EQ(rec(1), ch_used(fds[0], 0));
	m = (struct kipc_chan_msg){ .buf = (uintptr_t)b, .len = 4 };
	EXPECT_EQ(1, ioctl(fds[0], KT_IOC_RESIZE(KIPC_CHAN_IOC_RECVV,
						 sizeof(big)), &big));
	EXPECT_EQ(1U, m.len);
	EXPECT_EQ('q', b[0]);
	/* Past deadline: one try. */
	dl = kt_ts_at(kt_now_ns() - 1000 * MS);
	EXPECT_EQ(-ETIMEDOUT, xfer_raw(fds[0], KIPC_CHAN_IOC_RECVV,
				       KIPC_WAIT_DEADLINE, &dl, &m, 1));
	EXPECT_EQ(-ETIMEDOUT, xfer_raw(fds[0], KIPC_CHAN_IOC_RECVV,
				       KIPC_WAIT_DEADLINE,
				       &(struct kipc_timespec){ 0, 0 }, &m, 1));
	ASSERT_EQ(0, kipc_channel_send(fds[1], "r", 1, 0));
	EXPECT_EQ(1, xfer_raw(fds[0], KIPC_CHAN_IOC_RECVV, KIPC_WAIT_DEADLINE,
			      &dl, &m, 1));
}

TEST_HARNESS_MAIN
