// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message queue selftests, the basics: creation and its accounting,
 * names, send and receive with priorities, message sizes, deadlines and
 * non-blocking calls, bad user pointers, the errors of every queue ioctl,
 * access and unknown commands.  The other queue tests are in
 * kipc_queue_notify_test.c, kipc_queue_wait_test.c and
 * kipc_queue_stress_test.c; their helpers in kipc_queue_util.h.
 */
#include "kipc_queue_util.h"

/* ---- creation ------------------------------------------------------------------ */

TEST_F(kipc, create_defaults)
{
	struct kipc_queue_info in;
	struct kipc_object_info oi;
	char link[64], path[64];
	ssize_t n;
	int fd, fd2;

	fd = new_queue(0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(10U, in.max_msgs);
	EXPECT_EQ(8192U, in.max_msg_size);
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(0ULL, in.bytes);
	EXPECT_EQ(0U, in.senders);
	EXPECT_EQ(0U, in.receivers);
	EXPECT_EQ(0U, in.notify_pid);
	EXPECT_EQ(0ULL, in.sent);
	EXPECT_EQ(0ULL, in.received);

	/* No attribute struct at all: the same defaults. */
	fd2 = kipc_create(KIPC_TYPE_QUEUE, NULL, 0600, NULL, 0, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, q_info(fd2, &in));
	EXPECT_EQ(10U, in.max_msgs);
	EXPECT_EQ(8192U, in.max_msg_size);

	ASSERT_EQ(0, kt_obj_info(fd, &oi, NULL, 0));
	EXPECT_EQ((uint32_t)KIPC_TYPE_QUEUE, oi.type);
	EXPECT_EQ((uint32_t)(KIPC_ACCESS_READ | KIPC_ACCESS_WRITE), oi.access);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	EXPECT_STREQ("anon_inode:[kipc-queue]", link);
}

TEST_F(kipc, create_explicit_sizes)
{
	struct kipc_queue_info in;
	int fd, one;

	fd = new_queue(3, 100);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(3U, in.max_msgs);
	EXPECT_EQ(100U, in.max_msg_size);

	one = new_queue(1, 1);
	ASSERT_LE(0, one);
	ASSERT_EQ(0, q_info(one, &in));
	EXPECT_EQ(1U, in.max_msgs);
	EXPECT_EQ(1U, in.max_msg_size);
	EXPECT_EQ(0, send_str(one, "x", 0));
	EXPECT_EQ(-EAGAIN, send_str(one, "y", 0));
	EXPECT_EQ(-EMSGSIZE, kipc_queue_send(one, "yz", 2, 0, 0));
	EXPECT_RECV_STR(one, "x", 0);
}

TEST_F(kipc, create_attr_invalid)
{
	struct kipc_queue_attr a;

	KT_CHECK_ATTR_ZERO_FIELDS(create_queue_attr, struct kipc_queue_attr, 1,
				  true);
	/* Valid attributes with invalid sizes and pointers. */
	memset(&a, 0, sizeof(a));
	a.max_msgs = 2;
	EXPECT_CREATE_FAILS(&a, KIPC_QUEUE_ATTR_SIZE_VER0 - 8, EINVAL);
	EXPECT_CREATE_FAILS(&a, 1, EINVAL);
	EXPECT_CREATE_FAILS(&a, 0, EINVAL);
	EXPECT_CREATE_FAILS(NULL, sizeof(a), EINVAL);
	EXPECT_CREATE_FAILS(kt_noaccess_page(), sizeof(a), EFAULT);
}

TEST_F(kipc, create_attr_struct_sizes)
{
	struct {
		struct kipc_queue_attr a;
		uint64_t tail[2];
	} big;
	struct kipc_queue_info in;
	int fd;

	memset(&big, 0, sizeof(big));
	big.a.max_msgs = 3;
	big.a.max_msg_size = 33;
	big.tail[1] = 1;
	EXPECT_CREATE_FAILS(&big, sizeof(big), E2BIG);
	big.tail[1] = 0;
	fd = create_queue_attr(&big, sizeof(big));
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(3U, in.max_msgs);
	EXPECT_EQ(33U, in.max_msg_size);
}

/*
 * With module parameter @param at @limit, a queue whose __u32 attribute
 * at @field (max_msgs or max_msg_size) is above it, by one or by far,
 * cannot be made.
 */
static void expect_over_param_fails(struct __test_metadata *_metadata,
				    const char *param, uint32_t limit,
				    size_t field)
{
	const uint32_t over[] = { limit + 1, UINT32_MAX };
	struct kipc_queue_attr a;
	unsigned int i;

	ASSERT_EQ(0, kt_param_set(param, limit));
	for (i = 0; i < ARRAY_SIZE(over); i++) {
		memset(&a, 0, sizeof(a));
		memcpy((char *)&a + field, &over[i], sizeof(over[i]));
		EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	}
}

TEST_F(kipc, create_over_max_queue_msgs)
{
	struct kipc_queue_info in;
	int fd;

	expect_over_param_fails(_metadata, "max_queue_msgs", 16,
				offsetof(struct kipc_queue_attr, max_msgs));
	fd = new_queue(16, 8);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(16U, in.max_msgs);
	ASSERT_EQ(0, close(fd));

	/* The default capacity (10) shrinks to a lower parameter. */
	ASSERT_EQ(0, kt_param_set("max_queue_msgs", 9));
	fd = new_queue(0, 8);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(9U, in.max_msgs);
	ASSERT_EQ(0, close(fd));
	fd = new_queue(9, 8);
	ASSERT_LE(0, fd);
}

TEST_F(kipc, create_over_max_queue_msg_size)
{
	struct kipc_queue_info in;
	int fd;

	expect_over_param_fails(_metadata, "max_queue_msg_size", 4096,
				offsetof(struct kipc_queue_attr, max_msg_size));
	/* The default message size (8192) shrinks to it. */
	fd = new_queue(1, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(4096U, in.max_msg_size);
	ASSERT_EQ(0, close(fd));
	fd = new_queue(1, 4096);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(4096U, in.max_msg_size);
}

/*
 * The size of the kernel's kmalloc() bucket for @n bytes (SLUB, 4 KiB
 * pages): 8 to 256 in the small caches, then powers of two (slab up to
 * 8 KiB, whole pages of a power-of-two order above).
 */
static uint64_t kmalloc_bucket(uint64_t n)
{
	static const uint64_t small[] = { 8, 16, 32, 64, 96, 128, 192, 256 };
	uint64_t b = 512;
	unsigned int i;

	for (i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		if (n <= small[i])
			return small[i];
	while (b < n)
		b <<= 1;
	return b;
}

/* A queue's charge per message: capacity charge / max_msgs, or -1. */
static int64_t msg_charge(uint32_t msgs, uint32_t size)
{
	uint64_t b0 = kt_stats_uid_bytes(), c;
	int fd = new_queue(msgs, size);

	if (fd < 0)
		return -1;
	c = kt_stats_uid_bytes() - b0;
	close(fd);
	return c % msgs ? -1 : (int64_t)(c / msgs);
}

/*
 * Messages larger than kmalloc() can give (4 MiB) up to the largest
 * max_queue_msg_size (16 MiB): sent, received intact, and charged for
 * what they take (pages, and the array that lists them).
 */
TEST_F(kipc, message_above_kmalloc_max)
{
	const uint32_t big = 16U << 20;
	uint8_t *out, *in;
	uint32_t prio = 0;
	int64_t c;
	uint32_t i;
	int fd;

	ASSERT_EQ(0, kt_param_set("max_queue_msg_size", big));
	c = msg_charge(1, big);
	EXPECT_LE((int64_t)big, c);
	EXPECT_GE((int64_t)big + 64 * 1024, c);
	out = malloc(big);
	in = malloc(big);
	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, in);
	for (i = 0; i < big; i++)
		out[i] = (uint8_t)(i * 7 + (i >> 13));
	fd = new_queue(1, big);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, kipc_queue_send(fd, out, big, 3, 0));
	EXPECT_EQ(-EAGAIN, kipc_queue_send(fd, out, 1, 3, 0));
	EXPECT_EQ((long)big, kipc_queue_recv(fd, in, big, &prio, 0));
	EXPECT_EQ(3U, prio);
	EXPECT_EQ(0, memcmp(in, out, big));
	/* Just above the 4 MiB of kmalloc(), where the header would spill. */
	EXPECT_EQ(0, kipc_queue_send(fd, out, (4U << 20) - 8, 1, 0));
	EXPECT_EQ((long)(4U << 20) - 8, kipc_queue_recv(fd, in, big, &prio, 0));
	EXPECT_EQ(0, memcmp(in, out, (4U << 20) - 8));
	EXPECT_EQ(0, kipc_queue_send(fd, out, (4U << 20) + 1, 1, 0));
	EXPECT_EQ((long)(4U << 20) + 1, kipc_queue_recv(fd, in, big, &prio, 0));
	EXPECT_EQ(0, memcmp(in, out, (4U << 20) + 1));
	close(fd);
	free(out);
	free(in);
}

TEST_F(kipc, create_charges_uid_bytes)
{
	uint64_t b0, b1, b2, b3;
	int q1, q2;

	b0 = kt_stats_uid_bytes();
	q1 = new_queue(4, 100);
	ASSERT_LE(0, q1);
	b1 = kt_stats_uid_bytes();
	ASSERT_LT(b0, b1);
	EXPECT_EQ(0ULL, (b1 - b0) % 4);

	q2 = new_queue(7, 1000);
	ASSERT_LE(0, q2);
	b2 = kt_stats_uid_bytes();
	EXPECT_EQ(0ULL, (b2 - b1) % 7);
	EXPECT_LT(7 * 1000ULL, b2 - b1);

	/* Messages cost nothing more: the capacity was charged up front. */
	ASSERT_EQ(0, kipc_queue_send(q2, "0123456789", 10, 0, 0));
	EXPECT_EQ(b2, kt_stats_uid_bytes());

	ASSERT_EQ(0, close(q1));
	b3 = kt_stats_uid_bytes();
	EXPECT_EQ(b2 - (b1 - b0), b3);
	/* A queue closed with a message in it returns its charge too. */
	ASSERT_EQ(0, close(q2));
	EXPECT_EQ(b0, kt_stats_uid_bytes());
}

/*
 * The charge per message covers what the kernel allocates for a message
 * of max_msg_size: at least the kmalloc() bucket of the payload and a
 * header (in one allocation, or the payload's own bucket and more), and
 * not much more than that.
 */
TEST_F(kipc, create_charge_covers_allocation)
{
	static const uint32_t sizes[] = { 1, 64, 100, 1000, 4096, 4097, 8192,
					  8193, 65536, 65537 };
	uint64_t lo, hi, s;
	unsigned int i;
	int64_t c;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		s = sizes[i];
		c = msg_charge(4, s);
		ASSERT_LT(0, c) TH_LOG("size %llu", (unsigned long long)s);
		lo = kmalloc_bucket(s + 8);
		if (kmalloc_bucket(s) + 8 < lo)
			lo = kmalloc_bucket(s) + 8;
		hi = kmalloc_bucket(s + 128) + 128;
		EXPECT_LE(lo, (uint64_t)c) TH_LOG("size %llu: charge %lld",
						  (unsigned long long)s,
						  (long long)c);
		EXPECT_GE(hi, (uint64_t)c) TH_LOG("size %llu: charge %lld",
						  (unsigned long long)s,
						  (long long)c);
	}
}

/* ---- names ------------------------------------------------------------------------ */

TEST_F(kipc, named_create_open)
{
	const char *name = kt_name("named");
	struct kipc_object_info oi;
	struct kipc_queue_info in;
	int fd, rd, wr, ev;

	fd = kipc_queue_create(name, 0600, 3, 32, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, kipc_queue_create(name, 0600, 3, 32, 0));
	rd = kipc_queue_open(name, KIPC_FD_RDONLY);
	ASSERT_LE(0, rd);
	wr = kipc_queue_open(name, KIPC_FD_WRONLY);
	ASSERT_LE(0, wr);
	ASSERT_EQ(0, kt_obj_info(rd, &oi, NULL, 0));
	EXPECT_EQ((uint32_t)KIPC_TYPE_QUEUE, oi.type);
	EXPECT_EQ((uint32_t)KIPC_ACCESS_READ, oi.access);
	EXPECT_EQ((uint32_t)(KIPC_INFO_NAMED | KIPC_INFO_LINKED), oi.state);

	/* The same queue, whichever fd. */
	ASSERT_EQ(0, send_str(wr, "via wr", 4));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(1U, in.msgs);
	EXPECT_EQ(3U, in.max_msgs);
	EXPECT_EQ(32U, in.max_msg_size);
	EXPECT_RECV_STR(rd, "via wr", 4);

	/* Names are per type. */
	EXPECT_EQ(-ENOENT, kipc_event_open(name, 0));
	ev = kipc_event_create(name, 0600, 0, 0);
	EXPECT_LE(0, ev);
	EXPECT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));

	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_QUEUE, name));
	EXPECT_EQ(-ENOENT, kipc_queue_open(name, 0));
	EXPECT_EQ(-ENOENT, kipc_unlink(KIPC_TYPE_QUEUE, name));
	/* The unlinked queue lives on through its fds. */
	ASSERT_EQ(0, send_str(fd, "still", 0));
	EXPECT_RECV_STR(rd, "still", 0);
}

TEST_F(kipc, named_open_across_processes)
{
	const char *name = kt_name("xproc");
	char buf[64];
	uint32_t prio = 0;
	long n;
	int fd, st;
	pid_t pid;

	fd = kipc_queue_create(name, 0600, 2, 64, 0);
	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cfd = kipc_queue_open(name, KIPC_FD_WRONLY);

		if (cfd < 0)
			_exit(1);
		_exit(kipc_queue_send(cfd, "from child", 10, 77,
				      CHILD_WAIT_NS) ? 2 : 0);
	}
	n = kipc_queue_recv(fd, buf, sizeof(buf), &prio, CHILD_WAIT_NS);
	EXPECT_EQ(10, n);
	EXPECT_EQ(0, memcmp(buf, "from child", 10));
	EXPECT_EQ(77U, prio);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

TEST_F(kipc, named_open_mode_checked)
{
	const char *name = kt_name("mode");
	int fd, st;
	pid_t pid;

	fd = kipc_queue_create(name, 0644, 2, 16, 0);
	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int r;

		if (kt_become(65534, 65534))
			_exit(1);
		if (kipc_queue_open(name, KIPC_FD_WRONLY) != -EACCES)
			_exit(2);
		if (kipc_queue_open(name, 0) != -EACCES)
			_exit(3);
		r = kipc_queue_open(name, KIPC_FD_RDONLY);
		if (r < 0)
			_exit(4);
		if (kipc_queue_send(r, "x", 1, 0, 0) != -EBADF)
			_exit(5);
		_exit(0);
	}
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

/* ---- send and receive ----------------------------------------------------------- */

TEST_F(kipc, send_recv_basic)
{
	struct kipc_queue_info in;
	int fd = new_queue(4, 64);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "hello", 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(1U, in.msgs);
	EXPECT_EQ(5ULL, in.bytes);
	EXPECT_EQ(1ULL, in.sent);
	EXPECT_EQ(0ULL, in.received);
	EXPECT_RECV_STR(fd, "hello", 0);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(0ULL, in.bytes);
	EXPECT_EQ(1ULL, in.sent);
	EXPECT_EQ(1ULL, in.received);
	EXPECT_EQ(-EAGAIN, kipc_queue_recv(fd, NULL, 0, NULL, 0));
}

TEST_F(kipc, priority_order)
{
	int fd = new_queue(8, 64);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "p1", 1));
	ASSERT_EQ(0, send_str(fd, "p5a", 5));
	ASSERT_EQ(0, send_str(fd, "p3", 3));
	ASSERT_EQ(0, send_str(fd, "p5b", 5));
	ASSERT_EQ(0, send_str(fd, "p0", 0));
	ASSERT_EQ(0, send_str(fd, "pmax", KIPC_QUEUE_PRIO_MAX));
	ASSERT_EQ(0, send_str(fd, "p5c", 5));
	EXPECT_RECV_STR(fd, "pmax", KIPC_QUEUE_PRIO_MAX);
	EXPECT_RECV_STR(fd, "p5a", 5);
	EXPECT_RECV_STR(fd, "p5b", 5);
	EXPECT_RECV_STR(fd, "p5c", 5);
	EXPECT_RECV_STR(fd, "p3", 3);
	EXPECT_RECV_STR(fd, "p1", 1);
	EXPECT_RECV_STR(fd, "p0", 0);
}

TEST_F(kipc, fifo_within_priority)
{
	char s[16];
	int fd = new_queue(10, 16), i;

	ASSERT_LE(0, fd);
	for (i = 0; i < 10; i++) {
		snprintf(s, sizeof(s), "m%d", i);
		ASSERT_EQ(0, send_str(fd, s, 7));
	}
	for (i = 0; i < 10; i++) {
		snprintf(s, sizeof(s), "m%d", i);
		EXPECT_RECV_STR(fd, s, 7);
	}
	/* Interleaved: a later message of the same priority stays behind. */
	ASSERT_EQ(0, send_str(fd, "a", 2));
	ASSERT_EQ(0, send_str(fd, "b", 2));
	EXPECT_RECV_STR(fd, "a", 2);
	ASSERT_EQ(0, send_str(fd, "c", 2));
	EXPECT_RECV_STR(fd, "b", 2);
	EXPECT_RECV_STR(fd, "c", 2);
}

/* Priorities above KIPC_QUEUE_PRIO_MAX: refused, nothing queued. */
KT_FIXTURE_NAMED(bad_prio, (void)0)

FIXTURE_VARIANT(bad_prio) {
	uint32_t prio;
};

FIXTURE_VARIANT_ADD(bad_prio, max_plus_1) { .prio = KIPC_QUEUE_PRIO_MAX + 1 };
FIXTURE_VARIANT_ADD(bad_prio, p65535) { .prio = 65535 };
FIXTURE_VARIANT_ADD(bad_prio, p65536) { .prio = 65536 };
FIXTURE_VARIANT_ADD(bad_prio, top_bit) { .prio = 0x80000000U };
FIXTURE_VARIANT_ADD(bad_prio, all_ones) { .prio = UINT32_MAX };

TEST_F(bad_prio, priority_too_large)
{
	struct kipc_queue_info in;
	int fd = new_queue(4, 16);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, send_str(fd, "x", variant->prio));
	EXPECT_EQ(-EINVAL, q_send_raw(fd, KIPC_WAIT_NONBLOCK, NULL,
				      "x", 1, variant->prio));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(0ULL, in.sent);
	EXPECT_EQ(0, send_str(fd, "max", KIPC_QUEUE_PRIO_MAX));
	EXPECT_RECV_STR(fd, "max", KIPC_QUEUE_PRIO_MAX);
}

TEST_F(kipc, send_too_long_emsgsize)
{
	struct kipc_queue_info in;
	char buf[64];
	int fd = new_queue(4, 16);

	ASSERT_LE(0, fd);
	memset(buf, 'z', sizeof(buf));
	EXPECT_EQ(-EMSGSIZE, kipc_queue_send(fd, buf, 17, 0, 0));
	EXPECT_EQ(-EMSGSIZE, kipc_queue_send(fd, buf, 64, 0, 0));
	EXPECT_EQ(-EMSGSIZE, q_send_raw(fd, 0, NULL, buf, UINT32_MAX, 0));
	/* Too long is reported whatever the pointer. */
	EXPECT_EQ(-EMSGSIZE, q_send_raw(fd, 0, NULL, NULL, 17, 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(0ULL, in.sent);
	EXPECT_EQ(0, kipc_queue_send(fd, buf, 16, 0, 0));
	EXPECT_EQ(16, kipc_queue_recv(fd, buf, sizeof(buf), NULL, 0));
}

TEST_F(kipc, zero_length_messages)
{
	struct kipc_queue_info in;
	uint32_t prio = 0, len = 99;
	char buf[8];
	int fd = new_queue(4, 8);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_queue_send(fd, NULL, 0, 3, 0));
	ASSERT_EQ(0, kipc_queue_send(fd, buf, 0, 3, 0));
	/* No byte is read, so even a bad pointer makes an empty message. */
	ASSERT_EQ(0, kipc_queue_send(fd, kt_noaccess_page(), 0, 1, 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(3U, in.msgs);
	EXPECT_EQ(0ULL, in.bytes);
	EXPECT_EQ(0, kipc_queue_recv(fd, NULL, 0, &prio, 0));
	EXPECT_EQ(3U, prio);
	EXPECT_EQ(0, q_recv_raw(fd, KIPC_WAIT_NONBLOCK, NULL, buf, sizeof(buf),
				&len, &prio));
	EXPECT_EQ(0U, len);
	EXPECT_EQ(3U, prio);
	EXPECT_EQ(0, kipc_queue_recv(fd, kt_noaccess_page(), 8, &prio, 0));
	EXPECT_EQ(1U, prio);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(3ULL, in.received);
}

TEST_F(kipc, recv_buffer_too_small)
{
	struct kipc_queue_info in;
	uint32_t len = 0, prio = 0;
	char msg[100], buf[128];
	int fd = new_queue(4, 128);

	ASSERT_LE(0, fd);
	memset(msg, 'm', sizeof(msg));
	msg[99] = 'e';
	ASSERT_EQ(0, kipc_queue_send(fd, msg, 100, 9, 0));

	EXPECT_EQ(-EMSGSIZE, q_recv_raw(fd, 0, NULL, buf, 99, &len, NULL));
	EXPECT_EQ(100U, len);
	len = 0;
	EXPECT_EQ(-EMSGSIZE, q_recv_raw(fd, KIPC_WAIT_NONBLOCK, NULL, NULL, 0,
					&len, NULL));
	EXPECT_EQ(100U, len);
	EXPECT_EQ(-EMSGSIZE, kipc_queue_recv(fd, buf, 1, NULL, 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(1U, in.msgs);
	EXPECT_EQ(100ULL, in.bytes);
	EXPECT_EQ(0ULL, in.received);
	EXPECT_EQ(POLL_RD | POLL_WR, poll_now(fd));

	/* Received whole with a big enough buffer. */
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(0, q_recv_raw(fd, 0, NULL, buf, 100, &len, &prio));
	EXPECT_EQ(100U, len);
	EXPECT_EQ(9U, prio);
	EXPECT_EQ(0, memcmp(buf, msg, 100));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(1ULL, in.received);
}

/* EMSGSIZE concerns the next message: a smaller one behind it waits. */
TEST_F(kipc, recv_too_small_head_of_line)
{
	uint32_t len = 0;
	char buf[64];
	int fd = new_queue(4, 64);

	ASSERT_LE(0, fd);
	memset(buf, 'b', sizeof(buf));
	ASSERT_EQ(0, kipc_queue_send(fd, buf, 40, 5, 0));
	ASSERT_EQ(0, send_str(fd, "tiny", 1));
	EXPECT_EQ(-EMSGSIZE, q_recv_raw(fd, 0, NULL, buf, 10, &len, NULL));
	EXPECT_EQ(40U, len);
	EXPECT_EQ(40, kipc_queue_recv(fd, buf, sizeof(buf), NULL, 0));
	EXPECT_RECV_STR(fd, "tiny", 1);
}

TEST_F(kipc, full_queue_nonblock)
{
	struct kipc_timespec past = { 0, 0 };
	struct kipc_queue_info in;
	int fd = new_queue(2, 16);

	ASSERT_LE(0, fd);
	EXPECT_EQ(POLL_WR, poll_now(fd));
	ASSERT_EQ(0, send_str(fd, "1", 0));
	ASSERT_EQ(0, send_str(fd, "2", 0));
	EXPECT_EQ(-EAGAIN, send_str(fd, "3", 0));
	EXPECT_EQ(-EAGAIN, q_send_raw(fd, KIPC_WAIT_NONBLOCK, NULL, "3", 1, 0));
	/* Nor does a higher priority make room. */
	EXPECT_EQ(-EAGAIN, send_str(fd, "3", KIPC_QUEUE_PRIO_MAX));
	/* A deadline already past tries once. */
	EXPECT_EQ(-ETIMEDOUT, q_send_raw(fd, KIPC_WAIT_DEADLINE, &past, "3", 1, 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(2U, in.msgs);
	EXPECT_EQ(2ULL, in.sent);
	EXPECT_EQ(0U, in.senders);
	EXPECT_RECV_STR(fd, "1", 0);
	EXPECT_EQ(0, q_send_raw(fd, KIPC_WAIT_DEADLINE, &past, "3", 1, 0));
	EXPECT_RECV_STR(fd, "2", 0);
	EXPECT_RECV_STR(fd, "3", 0);
}

TEST_F(kipc, empty_queue_nonblock)
{
	struct kipc_timespec past = kt_ts_at(kt_now_ns() - 1000 * MS);
	struct kipc_timespec zero = { 0, 0 };
	struct kipc_queue_info in;
	char buf[16];
	int fd = new_queue(2, 16);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EAGAIN, kipc_queue_recv(fd, buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(-EAGAIN, q_recv_raw(fd, KIPC_WAIT_NONBLOCK, NULL, buf,
				      sizeof(buf), NULL, NULL));
	EXPECT_EQ(-ETIMEDOUT, q_recv_raw(fd, KIPC_WAIT_DEADLINE, &past, buf,
					 sizeof(buf), NULL, NULL));
	EXPECT_EQ(-ETIMEDOUT, q_recv_raw(fd, KIPC_WAIT_DEADLINE, &zero, buf,
					 sizeof(buf), NULL, NULL));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.receivers);
	EXPECT_EQ(0ULL, in.received);
	/* A past deadline with a message there succeeds. */
	ASSERT_EQ(0, send_str(fd, "now", 2));
	EXPECT_EQ(0, q_recv_raw(fd, KIPC_WAIT_DEADLINE, &past, buf,
				sizeof(buf), NULL, NULL));
}

TEST_F(kipc, nonblock_fd)
{
	struct kipc_timespec dl = kt_ts_at(kt_now_ns() + 2000 * MS);
	int64_t t0, t1;
	char buf[16];
	int fd = kipc_queue_create(NULL, 0600, 1, 16, KIPC_FD_NONBLOCK);

	ASSERT_LE(0, fd);
	t0 = kt_now_ns();
	EXPECT_EQ(-EAGAIN, q_recv_raw(fd, 0, NULL, buf, sizeof(buf), NULL, NULL));
	EXPECT_EQ(-EAGAIN, kipc_queue_recv(fd, buf, sizeof(buf), NULL,
					   KIPC_INFINITE));
	/* The fd's O_NONBLOCK wins over a deadline: at once, EAGAIN. */
	EXPECT_EQ(-EAGAIN, q_recv_raw(fd, KIPC_WAIT_DEADLINE, &dl, buf,
				      sizeof(buf), NULL, NULL));
	ASSERT_EQ(0, q_send_raw(fd, 0, NULL, "a", 1, 0));
	EXPECT_EQ(-EAGAIN, q_send_raw(fd, 0, NULL, "b", 1, 0));
	EXPECT_EQ(-EAGAIN, kipc_queue_send(fd, "b", 1, 0, KIPC_INFINITE));
	EXPECT_EQ(-EAGAIN, q_send_raw(fd, KIPC_WAIT_DEADLINE, &dl, "b", 1, 0));
	t1 = kt_now_ns();
	EXPECT_GT(t0 + 1000 * MS, t1);
	EXPECT_RECV_STR(fd, "a", 0);
}

TEST_F(kipc, nonblock_opened_fd_and_fcntl)
{
	const char *name = kt_name("nb");
	int fd, nb, fl;

	fd = kipc_queue_create(name, 0600, 1, 16, 0);
	ASSERT_LE(0, fd);
	nb = kipc_queue_open(name, KIPC_FD_NONBLOCK);
	ASSERT_LE(0, nb);
	EXPECT_EQ(-EAGAIN, kipc_queue_recv(nb, NULL, 0, NULL, KIPC_INFINITE));
	/* The other fd of the same queue still blocks. */
	EXPECT_EQ(-ETIMEDOUT, kipc_queue_recv(fd, NULL, 0, NULL, 10 * MS));
	ASSERT_EQ(0, send_str(fd, "x", 0));
	EXPECT_EQ(-EAGAIN, kipc_queue_send(nb, "y", 1, 0, KIPC_INFINITE));
	EXPECT_EQ(-ETIMEDOUT, kipc_queue_send(fd, "y", 1, 0, 10 * MS));

	fl = fcntl(fd, F_GETFL);
	ASSERT_LE(0, fl);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, kipc_queue_send(fd, "y", 1, 0, KIPC_INFINITE));
	EXPECT_RECV_STR(fd, "x", 0);
	EXPECT_EQ(-EAGAIN, kipc_queue_recv(fd, NULL, 0, NULL, KIPC_INFINITE));
	ASSERT_EQ(0, fcntl(fd, F_SETFL, fl & ~O_NONBLOCK));
	EXPECT_EQ(-ETIMEDOUT, kipc_queue_recv(fd, NULL, 0, NULL, 10 * MS));
}

/* ---- deadlines ------------------------------------------------------------------ */

TEST_F(kipc, send_deadline_not_early)
{
	struct kipc_timespec dl;
	struct kipc_queue_info in;
	int64_t t0, t1, end;
	int fd = new_queue(1, 8), ret;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "full", 0));
	t0 = kt_now_ns();
	end = t0 + 100 * MS;
	dl = kt_ts_at(end);
	ret = q_send_raw(fd, KIPC_WAIT_DEADLINE, &dl, "late", 4, 0);
	t1 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ret);
	EXPECT_LE(end, t1)
		TH_LOG("returned %lld ns before the deadline",
		       (long long)(end - t1));
	EXPECT_GT(t0 + 5000 * MS, t1);

	t0 = kt_now_ns();
	ret = kipc_queue_send(fd, "late", 4, 0, 50 * MS);
	t1 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ret);
	EXPECT_LE(50 * MS, t1 - t0);

	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(1U, in.msgs);
	EXPECT_EQ(0U, in.senders);
	EXPECT_EQ(1ULL, in.sent);
	EXPECT_RECV_STR(fd, "full", 0);
	EXPECT_EQ(-EAGAIN, kipc_queue_recv(fd, NULL, 0, NULL, 0));
}

TEST_F(kipc, recv_deadline_not_early)
{
	struct kipc_timespec dl;
	struct kipc_queue_info in;
	int64_t t0, t1, end;
	char buf[8];
	int fd = new_queue(1, 8), ret;
	long n;

	ASSERT_LE(0, fd);
	t0 = kt_now_ns();
	end = t0 + 100 * MS;
	dl = kt_ts_at(end);
	ret = q_recv_raw(fd, KIPC_WAIT_DEADLINE, &dl, buf, sizeof(buf),
			 NULL, NULL);
	t1 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ret);
	EXPECT_LE(end, t1)
		TH_LOG("returned %lld ns before the deadline",
		       (long long)(end - t1));
	EXPECT_GT(t0 + 5000 * MS, t1);

	t0 = kt_now_ns();
	n = kipc_queue_recv(fd, buf, sizeof(buf), NULL, 50 * MS);
	t1 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, n);
	EXPECT_LE(50 * MS, t1 - t0);

	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.receivers);
	/* A later message is not handed to the receiver that gave up. */
	ASSERT_EQ(0, send_str(fd, "x", 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(1U, in.msgs);
	EXPECT_EQ(0ULL, in.received);
	EXPECT_RECV_STR(fd, "x", 0);
}

TEST_F(kipc, deadline_huge_is_valid)
{
	struct kipc_timespec dl = { .tv_sec = INT64_MAX, .tv_nsec = 999999999 };
	char buf[8];
	int fd = new_queue(1, 8);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, q_send_raw(fd, KIPC_WAIT_DEADLINE, &dl, "h", 1, 0));
	EXPECT_EQ(0, q_recv_raw(fd, KIPC_WAIT_DEADLINE, &dl, buf, sizeof(buf),
				NULL, NULL));
}

/* A blocked receiver with a deadline is released early by a message. */
TEST_F(kipc, recv_deadline_released_by_send)
{
	int64_t t0, t1;
	char buf[16];
	int fd = new_queue(2, 16), st;
	pid_t pid;
	long n;

	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (wait_blocked(fd, 0, 1, KT_CHILD_TIMEOUT_MS))
			_exit(1);
		_exit(send_str(fd, "wake", 6) ? 2 : 0);
	}
	t0 = kt_now_ns();
	n = kipc_queue_recv(fd, buf, sizeof(buf), NULL, CHILD_WAIT_NS);
	t1 = kt_now_ns();
	EXPECT_EQ(4, n);
	EXPECT_EQ(0, memcmp(buf, "wake", 4));
	EXPECT_GT(t0 + CHILD_WAIT_NS, t1);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

/* ---- argument errors -------------------------------------------------------------- */

/* A bad send must fail with @err and queue nothing. */
#define EXPECT_SEND_FAILS_CMD(fd, cmd, s, err) do {			\
	struct kipc_queue_info i_;					\
									\
	EXPECT_EQ(-(err), kt_ioctl(fd, cmd, s));			\
	ASSERT_EQ(0, q_info(fd, &i_));					\
	EXPECT_EQ(0U, i_.msgs);						\
	EXPECT_EQ(0ULL, i_.sent);					\
} while (0)

/* A bad receive must fail with @err on a queue of one message, taking none. */
#define EXPECT_RECV_FAILS_CMD(fd, cmd, r, err) do {			\
	struct kipc_queue_info i_;					\
									\
	EXPECT_EQ(-(err), kt_ioctl(fd, cmd, r));			\
	ASSERT_EQ(0, q_info(fd, &i_));					\
	EXPECT_EQ(1U, i_.msgs);						\
	EXPECT_EQ(0ULL, i_.received);					\
} while (0)

#define EXPECT_SEND_FAILS(fd, s, err) \
	EXPECT_SEND_FAILS_CMD(fd, KIPC_QUEUE_IOC_SEND, s, err)
#define EXPECT_RECV_FAILS(fd, r, err) \
	EXPECT_RECV_FAILS_CMD(fd, KIPC_QUEUE_IOC_RECV, r, err)

static void send_init(struct kipc_queue_send *s, const char *msg)
{
	memset(s, 0, sizeof(*s));
	s->msg = (uintptr_t)msg;
	s->len = strlen(msg);
}

static void recv_init(struct kipc_queue_recv *r, void *buf, uint32_t size)
{
	memset(r, 0, sizeof(*r));
	r->buf = (uintptr_t)buf;
	r->size = size;
}

TEST_F(kipc, send_bad_wait_args)
{
	static const uint64_t nsecs[] = {
		1000000000ULL, 1000000001ULL, 0x8000000000000000ULL, UINT64_MAX,
	};
	static const int64_t secs[] = { -1, -1000, INT64_MIN };
	struct kipc_queue_send s;
	int fd = new_queue(2, 16), bit;
	size_t i;

	ASSERT_LE(0, fd);
	send_init(&s, "x");
	s.flags = KIPC_WAIT_DEADLINE | KIPC_WAIT_NONBLOCK;
	s.deadline = kt_ts_at(kt_now_ns() + 1000 * MS);
	EXPECT_SEND_FAILS(fd, &s, EINVAL);
	for (bit = 0; bit < 32; bit++) {
		if (KIPC_WAIT_FLAGS & (1U << bit))
			continue;
		send_init(&s, "x");
		s.flags = 1U << bit;
		EXPECT_SEND_FAILS(fd, &s, EINVAL);
	}
	for (i = 0; i < ARRAY_SIZE(nsecs); i++) {
		send_init(&s, "x");
		s.flags = KIPC_WAIT_DEADLINE;
		s.deadline.tv_sec = kt_now_ns() / KT_NSEC_PER_SEC + 10;
		s.deadline.tv_nsec = nsecs[i];
		EXPECT_SEND_FAILS(fd, &s, EINVAL);
	}
	for (i = 0; i < ARRAY_SIZE(secs); i++) {
		send_init(&s, "x");
		s.flags = KIPC_WAIT_DEADLINE;
		s.deadline.tv_sec = secs[i];
		EXPECT_SEND_FAILS(fd, &s, EINVAL);
	}
	/* A deadline without KIPC_WAIT_DEADLINE. */
	send_init(&s, "x");
	s.deadline.tv_nsec = 1;
	EXPECT_SEND_FAILS(fd, &s, EINVAL);
	send_init(&s, "x");
	s.flags = KIPC_WAIT_NONBLOCK;
	s.deadline.tv_sec = 1;
	EXPECT_SEND_FAILS(fd, &s, EINVAL);
	/* And a valid one goes through. */
	send_init(&s, "x");
	s.flags = KIPC_WAIT_DEADLINE;
	s.deadline = kt_ts_at(kt_now_ns() + 1000 * MS);
	EXPECT_EQ(0, kt_ioctl(fd, KIPC_QUEUE_IOC_SEND, &s));
}

TEST_F(kipc, send_pad_reserved_nonzero)
{
	struct kipc_queue_send s;
	int fd = new_queue(2, 16), i;

	ASSERT_LE(0, fd);
	send_init(&s, "x");
	s.__pad = 1;
	EXPECT_SEND_FAILS(fd, &s, EINVAL);
	for (i = 0; i < 2; i++) {
		send_init(&s, "x");
		s.reserved[i] = 1;
		EXPECT_SEND_FAILS(fd, &s, EINVAL);
	}
}

TEST_F(kipc, send_struct_sizes)
{
	struct {
		struct kipc_queue_send s;
		uint64_t tail[2];
	} big;
	int fd = new_queue(2, 16);

	ASSERT_LE(0, fd);
	memset(&big, 0, sizeof(big));
	send_init(&big.s, "big");
	big.s.priority = 4;
	EXPECT_SEND_FAILS_CMD(fd, KT_IOC_RESIZE(KIPC_QUEUE_IOC_SEND,
				KIPC_QUEUE_SEND_SIZE_VER0 - 8), &big, EINVAL);
	big.tail[1] = 1;
	EXPECT_SEND_FAILS_CMD(fd, KT_IOC_RESIZE(KIPC_QUEUE_IOC_SEND,
						sizeof(big)), &big, E2BIG);
	big.tail[1] = 0;
	EXPECT_EQ(0, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_QUEUE_IOC_SEND,
						sizeof(big)), &big));
	EXPECT_RECV_STR(fd, "big", 4);
}

TEST_F(kipc, send_bad_struct_pointer)
{
	int fd = new_queue(2, 16);

	ASSERT_LE(0, fd);
	EXPECT_SEND_FAILS(fd, kt_noaccess_page(), EFAULT);
	EXPECT_SEND_FAILS(fd, NULL, EFAULT);
}

TEST_F(kipc, recv_bad_wait_args)
{
	static const uint64_t nsecs[] = {
		1000000000ULL, 1000000001ULL, 0x8000000000000000ULL, UINT64_MAX,
	};
	static const int64_t secs[] = { -1, -1000, INT64_MIN };
	struct kipc_queue_recv r;
	char buf[16];
	int fd = new_queue(2, 16), bit;
	size_t i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "keep", 0));
	recv_init(&r, buf, sizeof(buf));
	r.flags = KIPC_WAIT_DEADLINE | KIPC_WAIT_NONBLOCK;
	r.deadline = kt_ts_at(kt_now_ns() + 1000 * MS);
	EXPECT_RECV_FAILS(fd, &r, EINVAL);
	for (bit = 0; bit < 32; bit++) {
		if (KIPC_WAIT_FLAGS & (1U << bit))
			continue;
		recv_init(&r, buf, sizeof(buf));
		r.flags = 1U << bit;
		EXPECT_RECV_FAILS(fd, &r, EINVAL);
	}
	for (i = 0; i < ARRAY_SIZE(nsecs); i++) {
		recv_init(&r, buf, sizeof(buf));
		r.flags = KIPC_WAIT_DEADLINE;
		r.deadline.tv_sec = kt_now_ns() / KT_NSEC_PER_SEC + 10;
		r.deadline.tv_nsec = nsecs[i];
		EXPECT_RECV_FAILS(fd, &r, EINVAL);
	}
	for (i = 0; i < ARRAY_SIZE(secs); i++) {
		recv_init(&r, buf, sizeof(buf));
		r.flags = KIPC_WAIT_DEADLINE;
		r.deadline.tv_sec = secs[i];
		EXPECT_RECV_FAILS(fd, &r, EINVAL);
	}
	recv_init(&r, buf, sizeof(buf));
	r.deadline.tv_sec = 1;
	EXPECT_RECV_FAILS(fd, &r, EINVAL);
	recv_init(&r, buf, sizeof(buf));
	r.flags = KIPC_WAIT_NONBLOCK;
	r.deadline.tv_nsec = 1;
	EXPECT_RECV_FAILS(fd, &r, EINVAL);
	EXPECT_RECV_STR(fd, "keep", 0);
}

TEST_F(kipc, recv_reserved_nonzero)
{
	struct kipc_queue_recv r;
	char buf[16];
	int fd = new_queue(2, 16), i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "keep", 0));
	for (i = 0; i < 2; i++) {
		recv_init(&r, buf, sizeof(buf));
		r.reserved[i] = 1;
		EXPECT_RECV_FAILS(fd, &r, EINVAL);
	}
	EXPECT_RECV_STR(fd, "keep", 0);
}

/* The output fields are ignored on input: a struct can be reused. */
TEST_F(kipc, recv_struct_reused)
{
	struct kipc_queue_recv r;
	char buf[16];
	int fd = new_queue(2, 16);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "one", 3));
	ASSERT_EQ(0, send_str(fd, "second", 2));
	recv_init(&r, buf, sizeof(buf));
	r.priority = 12345;
	r.len = 999;
	ASSERT_EQ(0, kt_ioctl(fd, KIPC_QUEUE_IOC_RECV, &r));
	EXPECT_EQ(3U, r.len);
	EXPECT_EQ(3U, r.priority);
	ASSERT_EQ(0, kt_ioctl(fd, KIPC_QUEUE_IOC_RECV, &r));
	EXPECT_EQ(6U, r.len);
	EXPECT_EQ(2U, r.priority);
	EXPECT_EQ(0, memcmp(buf, "second", 6));
}

TEST_F(kipc, recv_struct_sizes)
{
	struct {
		struct kipc_queue_recv r;
		uint64_t tail[2];
	} big;
	char buf[16];
	int fd = new_queue(2, 16);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "sized", 6));
	memset(&big, 0, sizeof(big));
	recv_init(&big.r, buf, sizeof(buf));
	EXPECT_RECV_FAILS_CMD(fd, KT_IOC_RESIZE(KIPC_QUEUE_IOC_RECV,
				KIPC_QUEUE_RECV_SIZE_VER0 - 8), &big, EINVAL);
	big.tail[1] = 1;
	EXPECT_RECV_FAILS_CMD(fd, KT_IOC_RESIZE(KIPC_QUEUE_IOC_RECV,
						sizeof(big)), &big, E2BIG);
	big.tail[1] = 0;
	ASSERT_EQ(0, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_QUEUE_IOC_RECV,
						sizeof(big)), &big));
	EXPECT_EQ(5U, big.r.len);
	EXPECT_EQ(6U, big.r.priority);
	EXPECT_EQ(0, memcmp(buf, "sized", 5));
	EXPECT_EQ(0ULL, big.tail[0]);
	EXPECT_EQ(0ULL, big.tail[1]);
}

TEST_F(kipc, recv_bad_struct_pointer)
{
	int fd = new_queue(2, 16);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "keep", 0));
	EXPECT_RECV_FAILS(fd, kt_noaccess_page(), EFAULT);
	EXPECT_RECV_FAILS(fd, NULL, EFAULT);
	EXPECT_RECV_STR(fd, "keep", 0);
}

/* A receive whose result cannot be written back must take nothing. */
TEST_F(kipc, recv_readonly_struct_keeps_message)
{
	struct kipc_queue_recv r, *ro;
	char buf[16];
	int fd = new_queue(2, 16);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "keep", 5));
	recv_init(&r, buf, sizeof(buf));
	ro = kt_readonly_copy(&r, sizeof(r));
	ASSERT_NE(NULL, ro);
	EXPECT_RECV_FAILS(fd, ro, EFAULT);
	/* Also when it would block: nothing is queued as a receiver. */
	EXPECT_RECV_STR(fd, "keep", 5);
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_QUEUE_IOC_RECV, ro));
	EXPECT_EQ(0, wait_blocked(fd, 0, 0, 0));
}

TEST_F(kipc, send_bad_message_pointer)
{
	struct kipc_queue_info in;
	char *edge = kt_guard_boundary();
	int fd = new_queue(4, 64);

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, edge);
	memcpy(edge - 4, "abcd", 4);
	EXPECT_EQ(-EFAULT, kipc_queue_send(fd, kt_noaccess_page(), 10, 0, 0));
	EXPECT_EQ(-EFAULT, kipc_queue_send(fd, NULL, 10, 0, 0));
	/* Readable for 4 bytes, then not. */
	EXPECT_EQ(-EFAULT, kipc_queue_send(fd, edge - 4, 5, 0, 0));
	EXPECT_EQ(-EFAULT, kipc_queue_send(fd, edge - 4, 64, 0, 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(0ULL, in.bytes);
	EXPECT_EQ(0ULL, in.sent);
	EXPECT_EQ(POLL_WR, poll_now(fd));
	EXPECT_EQ(0, kipc_queue_send(fd, edge - 4, 4, 0, 0));
	EXPECT_RECV_STR(fd, "abcd", 0);
}

/* A message that cannot be copied out stays queued, still first. */
TEST_F(kipc, recv_bad_buffer_keeps_message)
{
	struct kipc_queue_info in;
	char *edge = kt_guard_boundary();
	void *bad = kt_noaccess_page();
	int fd = new_queue(4, 64);

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, edge);
	ASSERT_NE(NULL, bad);
	ASSERT_EQ(0, send_str(fd, "A1", 3));
	ASSERT_EQ(0, send_str(fd, "A2", 3));
	ASSERT_EQ(0, send_str(fd, "BBBB", 1));

	/* The head is followed by one of its priority... */
	EXPECT_EQ(-EFAULT, kipc_queue_recv(fd, bad, 64, NULL, 0));
	EXPECT_EQ(-EFAULT, kipc_queue_recv(fd, NULL, 64, NULL, 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(3U, in.msgs);
	EXPECT_EQ(8ULL, in.bytes);
	EXPECT_EQ(0ULL, in.received);
	EXPECT_RECV_STR(fd, "A1", 3);
	/* ...or alone in its priority... */
	EXPECT_EQ(-EFAULT, kipc_queue_recv(fd, bad, 64, NULL, 0));
	EXPECT_RECV_STR(fd, "A2", 3);
	/* ...or copied out in part. */
	EXPECT_EQ(-EFAULT, kipc_queue_recv(fd, edge - 2, 64, NULL, 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(1U, in.msgs);
	EXPECT_EQ(2ULL, in.received);
	EXPECT_RECV_STR(fd, "BBBB", 1);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(3ULL, in.received);
	EXPECT_EQ(3ULL, in.sent);
}

/*
 * A blocked receiver with a bad buffer gets EFAULT; the message it was
 * handed goes to the next blocked receiver, or stays queued.
 */
TEST_F(kipc, recv_bad_buffer_blocked_receivers)
{
	struct kipc_queue_info in;
	struct kt_report r;
	void *bad = kt_noaccess_page();
	pid_t p0, p1;
	int fd = new_queue(2, 16), rep[2];

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, bad);
	ASSERT_EQ(0, pipe(rep));

	/* Alone: the message goes back to the queue. */
	p0 = spawn_receiver(fd, rep[1], 0, bad, 16);
	ASSERT_LE(0, p0);
	ASSERT_EQ(0, wait_blocked(fd, 0, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, send_u64(fd, 11, 0, 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-EFAULT, r.ret);
	EXPECT_EQ(0, kt_reap(p0, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(1U, in.msgs);
	EXPECT_EQ(0ULL, in.received);
	EXPECT_EQ(POLL_RD | POLL_WR, poll_now(fd));

	/* A receiver that finds it queued, with a bad buffer: the same. */
	p0 = spawn_receiver(fd, rep[1], 0, bad, 16);
	ASSERT_LE(0, p0);
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-EFAULT, r.ret);
	EXPECT_EQ(0, kt_reap(p0, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));

	ASSERT_EQ(8, kipc_queue_recv(fd, &r.value, 8, NULL, 0));
	EXPECT_EQ(11ULL, r.value);

	/* Two in line, bad buffer first: the second one gets it. */
	p0 = spawn_receiver(fd, rep[1], 0, bad, 16);
	ASSERT_LE(0, p0);
	ASSERT_EQ(0, wait_blocked(fd, 0, 1, KT_CHILD_TIMEOUT_MS));
	p1 = spawn_receiver(fd, rep[1], 1, NULL, 16);
	ASSERT_LE(0, p1);
	ASSERT_EQ(0, wait_blocked(fd, 0, 2, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, send_u64(fd, 22, 0, 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	if (r.idx == 1) {
		EXPECT_EQ(8, r.ret);
		EXPECT_EQ(22ULL, r.value);
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, r.idx);
		EXPECT_EQ(-EFAULT, r.ret);
	} else {
		EXPECT_EQ(-EFAULT, r.ret);
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(1, r.idx);
		EXPECT_EQ(8, r.ret);
		EXPECT_EQ(22ULL, r.value);
	}
	EXPECT_EQ(0, kt_reap(p0, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_reap(p1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(2ULL, in.received);
	EXPECT_EQ(0U, in.receivers);
}

/* ---- access and unknown commands ---------------------------------------------- */

TEST_F(kipc, ebadf_by_access_mode)
{
	struct kipc_queue_info in;
	char buf[16];
	int rd = kipc_queue_create(NULL, 0600, 2, 16, KIPC_FD_RDONLY);
	int wr = kipc_queue_create(NULL, 0600, 2, 16, KIPC_FD_WRONLY);

	ASSERT_LE(0, rd);
	ASSERT_LE(0, wr);
	EXPECT_EQ(-EBADF, send_str(rd, "x", 0));
	EXPECT_EQ(-EBADF, q_send_raw(rd, KIPC_WAIT_NONBLOCK, NULL, "x", 1, 0));
	EXPECT_EQ(-1, write(rd, "x", 1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, send_str(wr, "y", 0));
	EXPECT_EQ(-EBADF, kipc_queue_recv(wr, buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(-EBADF, kipc_queue_recv(wr, buf, sizeof(buf), NULL,
					  KIPC_INFINITE));
	EXPECT_EQ(-1, read(wr, buf, sizeof(buf)));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-EBADF, kipc_queue_notify(wr, SIGUSR1, 0));
	EXPECT_EQ(-EBADF, kipc_queue_notify(wr, 0, 0));
	/* Either may look. */
	ASSERT_EQ(0, q_info(wr, &in));
	EXPECT_EQ(1U, in.msgs);
	EXPECT_EQ(0ULL, in.received);
	ASSERT_EQ(0, q_info(rd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(-EAGAIN, kipc_queue_recv(rd, buf, sizeof(buf), NULL, 0));
}

TEST_F(kipc, queue_ioctls_enotty_elsewhere)
{
	struct kipc_queue_send s;
	struct kipc_queue_recv r;
	struct kipc_queue_info in;
	struct kipc_queue_notify n;
	struct kipc_event_info ei;
	int dev = kt_dev(), ev = kipc_event_create(NULL, 0600, KIPC_EVENT_SET, 0);
	int fds[2] = { dev, ev }, i;

	ASSERT_LE(0, dev);
	ASSERT_LE(0, ev);
	for (i = 0; i < 2; i++) {
		send_init(&s, "x");
		recv_init(&r, NULL, 0);
		r.flags = KIPC_WAIT_NONBLOCK;
		memset(&in, 0, sizeof(in));
		memset(&n, 0, sizeof(n));
		n.signo = SIGUSR1;
		EXPECT_EQ(-ENOTTY, kt_ioctl(fds[i], KIPC_QUEUE_IOC_SEND, &s));
		EXPECT_EQ(-ENOTTY, kt_ioctl(fds[i], KIPC_QUEUE_IOC_RECV, &r));
		EXPECT_EQ(-ENOTTY, kt_ioctl(fds[i], KIPC_QUEUE_IOC_INFO, &in));
		EXPECT_EQ(-ENOTTY, kt_ioctl(fds[i], KIPC_QUEUE_IOC_NOTIFY, &n));
	}
	/* The event is untouched. */
	ASSERT_EQ(0, kt_event_info(ev, &ei));
	EXPECT_EQ(KIPC_EVENT_SET, ei.state);
	EXPECT_EQ(0ULL, ei.wakeups);
}

TEST_F(kipc, event_ioctls_enotty_on_queue)
{
	struct kipc_event_signal s;
	struct kipc_event_wait w;
	struct kipc_event_info ei;
	struct kipc_queue_info in;
	int fd = new_queue(2, 16);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "keep", 0));
	memset(&s, 0, sizeof(s));
	memset(&w, 0, sizeof(w));
	memset(&ei, 0, sizeof(ei));
	w.flags = KIPC_WAIT_NONBLOCK;
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, KIPC_EVENT_IOC_SIGNAL, &s));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, KIPC_EVENT_IOC_RESET, NULL));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, KIPC_EVENT_IOC_WAIT, &w));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, KIPC_EVENT_IOC_INFO, &ei));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(1U, in.msgs);
	EXPECT_EQ(1ULL, in.sent);
}

TEST_F(kipc, queue_unknown_and_wrong_direction_enotty)
{
	uint64_t buf[16];
	struct kipc_queue_info in;
	int fd = new_queue(2, 16);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "keep", 0));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOWR(KIPC_IOC_MAGIC, 0x34,
					      struct kipc_queue_info), buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOWR(KIPC_IOC_MAGIC, 0x3f,
					      struct kipc_queue_info), buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOWR(KIPC_IOC_MAGIC, 0x30,
					      struct kipc_queue_send), buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOW(KIPC_IOC_MAGIC, 0x31,
					     struct kipc_queue_recv), buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOR(KIPC_IOC_MAGIC, 0x32,
					     struct kipc_queue_info), buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOWR(KIPC_IOC_MAGIC, 0x33,
					      struct kipc_queue_notify), buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOWR(KIPC_IOC_MAGIC + 1, 0x31,
					      struct kipc_queue_recv), buf));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(1U, in.msgs);
	EXPECT_EQ(0U, in.notify_pid);
}

TEST_HARNESS_MAIN
