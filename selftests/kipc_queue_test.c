// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message queue selftests: creation and its accounting, send and
 * receive with priorities (also against a reference model), message sizes,
 * deadlines and non-blocking calls, bad user pointers, blocked senders and
 * receivers served in arrival order with direct hand-off, info and fdinfo,
 * poll and epoll, mq_notify-style notification, read(2) and write(2) (also
 * from ordinary tools), signals interrupting and restarting blocked calls,
 * killed and exiting waiters, closing an fd under a blocked call, two
 * multi-process stress tests, and the errors of every queue ioctl.
 *
 * Blocking calls in children always have a deadline or are watched by the
 * parent, so a broken module fails a test instead of hanging the suite.
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
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_test_util.h"

#define MS		KT_NSEC_PER_MSEC
#define CHILD_WAIT_NS	(KT_CHILD_TIMEOUT_MS * KT_NSEC_PER_MSEC)
#define NWAITERS	4

#define POLL_RD		(POLLIN | POLLRDNORM)
#define POLL_WR		(POLLOUT | POLLWRNORM)

KT_FIXTURE()

/* ---- helpers ---------------------------------------------------------------- */

static int new_queue(uint32_t max_msgs, uint32_t max_msg_size)
{
	return kipc_queue_create(NULL, 0600, max_msgs, max_msg_size, 0);
}

static int q_info(int fd, struct kipc_queue_info *in)
{
	memset(in, 0, sizeof(*in));
	return kt_ioctl(fd, KIPC_QUEUE_IOC_INFO, in);
}

/* KIPC_QUEUE_IOC_SEND with the given flags and deadline. */
static int q_send_raw(int fd, uint32_t flags, const struct kipc_timespec *dl,
		      const void *msg, uint32_t len, uint32_t prio)
{
	struct kipc_queue_send s;

	memset(&s, 0, sizeof(s));
	s.flags = flags;
	if (dl)
		s.deadline = *dl;
	s.msg = (uintptr_t)msg;
	s.len = len;
	s.priority = prio;
	return kt_ioctl(fd, KIPC_QUEUE_IOC_SEND, &s);
}

/*
 * KIPC_QUEUE_IOC_RECV with the given flags and deadline.  *@len is the
 * message's length after success and after EMSGSIZE.
 */
static int q_recv_raw(int fd, uint32_t flags, const struct kipc_timespec *dl,
		      void *buf, uint32_t size, uint32_t *len, uint32_t *prio)
{
	struct kipc_queue_recv r;
	int err;

	memset(&r, 0, sizeof(r));
	r.flags = flags;
	if (dl)
		r.deadline = *dl;
	r.buf = (uintptr_t)buf;
	r.size = size;
	err = kt_ioctl(fd, KIPC_QUEUE_IOC_RECV, &r);
	if (len)
		*len = r.len;
	if (prio)
		*prio = r.priority;
	return err;
}

static int send_str(int fd, const char *s, uint32_t prio)
{
	return kipc_queue_send(fd, s, strlen(s), prio, 0);
}

static int send_u64(int fd, uint64_t v, uint32_t prio, int64_t timeout_ns)
{
	return kipc_queue_send(fd, &v, sizeof(v), prio, timeout_ns);
}

/* Receive a message now and compare it with @str and @prio. */
#define EXPECT_RECV_STR(fd, str, prio) do {				\
	char b_[512];							\
	uint32_t p_ = 0xdeadU;						\
	long n_;							\
									\
	memset(b_, 0, sizeof(b_));					\
	n_ = kipc_queue_recv(fd, b_, sizeof(b_) - 1, &p_, 0);		\
	EXPECT_EQ((long)strlen(str), n_);				\
	if (n_ >= 0)							\
		b_[n_] = '\0';						\
	EXPECT_STREQ(str, b_);						\
	EXPECT_EQ((uint32_t)(prio), p_);				\
} while (0)

/* Poll @fd for reading and writing now: revents, or -errno. */
static int poll_now(int fd)
{
	return kt_poll_now(fd, POLL_RD | POLL_WR);
}

/*
 * Wait until the queue has exactly @senders blocked senders and
 * @receivers blocked receivers.  Return: 0, or -ETIMEDOUT.
 */
static int wait_blocked(int fd, unsigned int senders, unsigned int receivers,
			int timeout_ms)
{
	return kt_wait_fdinfo(fd, timeout_ms,
			      "queue-senders:\t%u\nqueue-receivers:\t%u",
			      senders, receivers);
}

/* Wait until @n messages have been received from the queue in all. */
static int wait_received(int fd, uint64_t n, int timeout_ms)
{
	return kt_wait_fdinfo(fd, timeout_ms, "queue-received:\t%llu",
			      (unsigned long long)n);
}

/*
 * A child that receives once from @fd (buffer of @size bytes, at @buf if
 * not NULL) with a deadline of KT_CHILD_TIMEOUT_MS, and reports { @idx,
 * length or -errno, first 8 payload bytes (or the length for EMSGSIZE) }.
 */
static pid_t spawn_receiver(int fd, int rep, int idx, void *buf, uint32_t size)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		struct kipc_timespec dl = kt_ts_at(kt_now_ns() + CHILD_WAIT_NS);
		uint8_t own[256];
		uint64_t v = 0;
		uint32_t len = 0;
		int ret;

		if (!buf)
			buf = own;
		ret = q_recv_raw(fd, KIPC_WAIT_DEADLINE, &dl, buf,
				 buf == own && size > sizeof(own) ? sizeof(own) : size,
				 &len, NULL);
		if (ret == -EMSGSIZE)
			v = len;
		else if (!ret && len >= sizeof(v))
			memcpy(&v, buf, sizeof(v));
		kt_report(rep, idx, ret ? ret : (int)len, v);
		_exit(0);
	}
	return pid;
}

/* A child that sends @v at @prio with a deadline; exits with the errno. */
static pid_t spawn_sender(int fd, uint64_t v, uint32_t prio)
{
	pid_t pid = kt_fork();

	if (pid == 0)
		kt_child_exit_err(send_u64(fd, v, prio, CHILD_WAIT_NS));
	return pid;
}

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

/* Make an anonymous queue with @a as is (size @size). */
static int create_queue_attr(const void *a, uint32_t size)
{
	struct kipc_create c;

	memset(&c, 0, sizeof(c));
	c.type = KIPC_TYPE_QUEUE;
	c.mode = 0600;
	c.attr = (uintptr_t)a;
	c.attr_size = size;
	return kt_create_raw(&c);
}

#define EXPECT_CREATE_FAILS(a, size, err) do {				\
	struct kipc_stats b_, a_;					\
	int low_ = kt_lowest_free_fd();					\
									\
	ASSERT_EQ(0, kt_stats(&b_));					\
	EXPECT_EQ(-(err), create_queue_attr(a, size));			\
	ASSERT_EQ(0, kt_stats(&a_));					\
	EXPECT_EQ(b_.objects, a_.objects);				\
	EXPECT_EQ(b_.created, a_.created);				\
	EXPECT_EQ(b_.uid_bytes, a_.uid_bytes);				\
	EXPECT_EQ(low_, kt_lowest_free_fd());				\
} while (0)

TEST_F(kipc, create_attr_invalid)
{
	struct kipc_queue_attr a;
	int bit, i;

	for (bit = 0; bit < 32; bit++) {
		memset(&a, 0, sizeof(a));
		a.flags = 1U << bit;
		EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	}
	memset(&a, 0, sizeof(a));
	a.__pad = 1;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	for (i = 0; i < 2; i++) {
		memset(&a, 0, sizeof(a));
		a.reserved[i] = 1;
		EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	}
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

TEST_F(kipc, create_over_max_queue_msgs)
{
	struct kipc_queue_info in;
	int fd;

	ASSERT_EQ(0, kt_param_set("max_queue_msgs", 16));
	EXPECT_CREATE_FAILS(&((struct kipc_queue_attr){ .max_msgs = 17 }),
			    sizeof(struct kipc_queue_attr), EINVAL);
	EXPECT_CREATE_FAILS(&((struct kipc_queue_attr){ .max_msgs = UINT32_MAX }),
			    sizeof(struct kipc_queue_attr), EINVAL);
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

	ASSERT_EQ(0, kt_param_set("max_queue_msg_size", 4096));
	EXPECT_CREATE_FAILS(&((struct kipc_queue_attr){ .max_msg_size = 4097 }),
			    sizeof(struct kipc_queue_attr), EINVAL);
	EXPECT_CREATE_FAILS(&((struct kipc_queue_attr){ .max_msg_size = UINT32_MAX }),
			    sizeof(struct kipc_queue_attr), EINVAL);
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

/* ---- real memory, as the memory cgroup sees it ------------------------------------ */

#define CG_ROOT		"/tmp/kipc-cgroup"

static int cg_write(const char *dir, const char *file, const char *val)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : n < 0 ? -errno : -EIO;
}

/* Bytes the cgroup @dir is charged for (memory.current), or -errno. */
static long long cg_current(const char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/memory.current", dir);
	return kt_read_number(path);
}

/* Move this process into a new memory cgroup @dir: 0 or -errno. */
static int cg_enter(char *dir, size_t size)
{
	char pid[16];
	int err;

	mkdir(CG_ROOT, 0755);
	if (access(CG_ROOT "/cgroup.procs", F_OK) &&
	    mount("none", CG_ROOT, "cgroup2", 0, NULL))
		return -errno;
	err = cg_write(CG_ROOT, "cgroup.subtree_control", "+memory");
	if (err)
		return err;
	snprintf(dir, size, CG_ROOT "/q%d", getpid());
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	snprintf(pid, sizeof(pid), "%d", getpid());
	return cg_write(dir, "cgroup.procs", pid);
}

static void cg_leave(const char *dir)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", getpid());
	cg_write(CG_ROOT, "cgroup.procs", pid);
	rmdir(dir);
}

/*
 * Whether the kernel is built with KASAN (the debug kernel), whose slab
 * objects carry redzones and metadata that the memory cgroup counts.
 */
static bool kernel_has_kasan(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[256];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " kasan_report") != NULL;
	fclose(f);
	return found;
}

/*
 * Full queues pin no more kernel memory than their charge to the uid,
 * which max_bytes_per_uid bounds: the memory cgroup of the sender sees
 * (within slack for its own batching and bookkeeping) no more than the
 * charge, whatever the message size.  Nor is the charge far above it.
 * On a KASAN kernel slab objects carry redzones and metadata, up to as
 * much again, which the memory cgroup counts and the charge does not.
 */
TEST_F_TIMEOUT(kipc, full_queues_pin_no_more_than_charged, 120)
{
	static const struct {
		uint32_t size, msgs, queues;
	} t[] = {
		{ 64, 65536, 2 }, { 4097, 2048, 1 }, { 8192, 2048, 1 },
		{ 65536, 256, 1 },
	};
	static char msg[65536];
	long long m0, m1, real, charge, slack, over;
	bool kasan = kernel_has_kasan();
	char dir[128];
	uint64_t b0;
	unsigned int i, j, k;
	int fds[2], err;

	memset(msg, 'm', sizeof(msg));
	err = cg_enter(dir, sizeof(dir));
	if (err)
		SKIP(return, "no memory cgroup: %s", strerror(-err));
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		b0 = kt_stats_uid_bytes();
		m0 = cg_current(dir);
		ASSERT_LE(0, m0);
		for (j = 0; j < t[i].queues; j++) {
			fds[j] = new_queue(t[i].msgs, t[i].size);
			ASSERT_LE(0, fds[j]);
			for (k = 0; k < t[i].msgs; k++)
				ASSERT_EQ(0, kipc_queue_send(fds[j], msg,
							     t[i].size, 0, 0));
		}
		m1 = cg_current(dir);
		ASSERT_LE(0, m1);
		real = m1 - m0;
		charge = kt_stats_uid_bytes() - b0;
		slack = (1 << 20) + charge / 32;
		/* KASAN's redzones and metadata double slab objects. */
		over = kasan ? charge + charge / 8 : 0;
		TH_LOG("%u x %u-byte messages: charged %lld, cgroup saw %lld (%.3fx)%s",
		       t[i].queues * t[i].msgs, t[i].size, charge, real,
		       (double)real / (double)charge,
		       kasan ? " (KASAN kernel)" : "");
		EXPECT_GE(charge + over + slack, real);
		EXPECT_GE(real + real / 8 + (1 << 20), charge);
		for (j = 0; j < t[i].queues; j++)
			close(fds[j]);
	}
	cg_leave(dir);
}

TEST_F(kipc, create_named_charge_held_by_name)
{
	const char *name = kt_name("charge");
	uint64_t b0, b1;
	int fd;

	b0 = kt_stats_uid_bytes();
	fd = kipc_queue_create(name, 0600, 2, 50, 0);
	ASSERT_LE(0, fd);
	b1 = kt_stats_uid_bytes();
	ASSERT_LT(b0, b1);
	ASSERT_EQ(0, close(fd));
	/* The name keeps the queue, and so its charge. */
	EXPECT_EQ(b1, kt_stats_uid_bytes());
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_QUEUE, name));
	EXPECT_EQ(b0, kt_stats_uid_bytes());
}

TEST_F(kipc, create_edquot)
{
	struct kipc_stats s;
	uint64_t b0, charge;
	int fd, small;

	/* Learn the charge of a 4 x 100 queue. */
	b0 = kt_stats_uid_bytes();
	fd = new_queue(4, 100);
	ASSERT_LE(0, fd);
	charge = kt_stats_uid_bytes() - b0;
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(b0, kt_stats_uid_bytes());

	/* One byte short: EDQUOT, and nothing is created. */
	ASSERT_EQ(0, kt_param_set("max_bytes_per_uid", b0 + charge - 1));
	EXPECT_CREATE_FAILS(&((struct kipc_queue_attr){ .max_msgs = 4,
							.max_msg_size = 100 }),
			    sizeof(struct kipc_queue_attr), EDQUOT);
	EXPECT_EQ(-EDQUOT, new_queue(4, 100));

	/* Exactly enough. */
	ASSERT_EQ(0, kt_param_set("max_bytes_per_uid", b0 + charge));
	fd = new_queue(4, 100);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_stats(&s));
	EXPECT_EQ(b0 + charge, s.uid_bytes);
	/* Nothing left for even the smallest queue... */
	EXPECT_CREATE_FAILS(&((struct kipc_queue_attr){ .max_msgs = 1,
							.max_msg_size = 1 }),
			    sizeof(struct kipc_queue_attr), EDQUOT);
	/* ...but an event charges no bytes. */
	small = kipc_event_create(NULL, 0600, 0, 0);
	EXPECT_LE(0, small);
	if (small >= 0)
		close(small);
	/* Closing the queue gives the budget back. */
	ASSERT_EQ(0, close(fd));
	small = new_queue(1, 1);
	EXPECT_LE(0, small);
}

/* A capacity far above the default budget, without overflow. */
TEST_F(kipc, create_huge_capacity_edquot)
{
	ASSERT_LE(65536, kt_param_get("max_queue_msgs"));
	ASSERT_LE(1 << 20, kt_param_get("max_queue_msg_size"));
	ASSERT_GT(1LL << 36, kt_param_get("max_bytes_per_uid"));
	EXPECT_CREATE_FAILS(&((struct kipc_queue_attr){ .max_msgs = 65536,
							.max_msg_size = 1 << 20 }),
			    sizeof(struct kipc_queue_attr), EDQUOT);
}

/* A create that fails for want of an fd number returns the charge. */
TEST_F(kipc, create_emfile_returns_charge)
{
	struct kipc_stats b, a;
	struct rlimit old, lim;
	int low = kt_lowest_free_fd(), ret;

	ASSERT_LE(0, low);
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	ASSERT_EQ(0, kt_stats(&b));
	lim = old;
	lim.rlim_cur = low;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &lim));
	ret = new_queue(4, 100);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	EXPECT_EQ(-EMFILE, ret);
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.uid_objects, a.uid_objects);
	EXPECT_EQ(b.uid_bytes, a.uid_bytes);
	EXPECT_EQ(low, kt_lowest_free_fd());
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

TEST_F(kipc, priority_too_large)
{
	static const uint32_t bad[] = { KIPC_QUEUE_PRIO_MAX + 1, 65535, 65536,
					0x80000000U, UINT32_MAX };
	struct kipc_queue_info in;
	int fd = new_queue(4, 16);
	size_t i;

	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, send_str(fd, "x", bad[i]));
		EXPECT_EQ(-EINVAL, q_send_raw(fd, KIPC_WAIT_NONBLOCK, NULL,
					      "x", 1, bad[i]));
	}
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

/* ---- a reference model ------------------------------------------------------------ */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/* The payload of message number @seq: its bytes derive from @seq. */
static void model_payload(uint8_t *buf, uint32_t seq, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seq * 131 + i * 7 + (seq >> 8));
	if (len >= sizeof(seq))
		memcpy(buf, &seq, sizeof(seq));
}

struct model_msg {
	uint32_t prio;
	uint32_t seq;
	uint32_t len;
};

/* Index of the oldest message of the highest priority. */
static int model_head(const struct model_msg *m, int n)
{
	int i, best = 0;

	for (i = 1; i < n; i++)
		if (m[i].prio > m[best].prio ||
		    (m[i].prio == m[best].prio && m[i].seq < m[best].seq))
			best = i;
	return best;
}

#define M_CAP	16
#define M_SIZE	64
#define M_OPS	4000

/*
 * Random sends and receives (fixed seed) against a model of "highest
 * priority first, FIFO within a priority", with receives that fail with
 * EMSGSIZE or EFAULT (the message must stay first) thrown in.
 */
TEST_F(kipc, priority_reference_model)
{
	static const uint32_t prios[] = { 0, 1, 2, 3, 1000, KIPC_QUEUE_PRIO_MAX };
	struct model_msg m[M_CAP];
	struct kipc_queue_info in;
	uint8_t out[M_SIZE], want[M_SIZE];
	uint64_t sent = 0, received = 0, bytes = 0;
	uint32_t seq = 0, len, prio, r;
	void *bad = kt_noaccess_page();
	int fd = new_queue(M_CAP, M_SIZE), n = 0, op, h, ret;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, bad);
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (op = 0; op < M_OPS || n; op++) {
		r = rnd() % 100;
		/* Phases that fill the queue, then drain it, then drain all. */
		if (op >= M_OPS)
			r = 50;
		else if ((op / 400) % 2 == 0)
			r = r < 60 ? 0 : r;
		else
			r = r < 35 ? 0 : r;

		if (r == 0) {
			prio = prios[rnd() % ARRAY_SIZE(prios)];
			len = rnd() % (M_SIZE + 1);
			model_payload(want, seq, len);
			ret = kipc_queue_send(fd, want, len, prio, 0);
			if (n == M_CAP) {
				ASSERT_EQ(-EAGAIN, ret) TH_LOG("op %d", op);
				continue;
			}
			ASSERT_EQ(0, ret) TH_LOG("op %d", op);
			m[n].prio = prio;
			m[n].seq = seq++;
			m[n].len = len;
			n++;
			sent++;
			bytes += len;
			continue;
		}
		h = n ? model_head(m, n) : -1;
		if (r < 90 || (h >= 0 && m[h].len == 0) || n == 0) {
			ret = q_recv_raw(fd, KIPC_WAIT_NONBLOCK, NULL, out,
					 sizeof(out), &len, &prio);
			if (!n) {
				ASSERT_EQ(-EAGAIN, ret) TH_LOG("op %d", op);
				continue;
			}
			ASSERT_EQ(0, ret) TH_LOG("op %d", op);
			ASSERT_EQ(m[h].prio, prio)
				TH_LOG("op %d: priority %u for message %u of priority %u",
				       op, prio, m[h].seq, m[h].prio);
			ASSERT_EQ(m[h].len, len) TH_LOG("op %d", op);
			model_payload(want, m[h].seq, m[h].len);
			ASSERT_EQ(0, memcmp(want, out, len))
				TH_LOG("op %d: not message %u", op, m[h].seq);
			bytes -= m[h].len;
			m[h] = m[--n];
			received++;
		} else if (r < 95) {
			ret = q_recv_raw(fd, KIPC_WAIT_NONBLOCK, NULL, out,
					 rnd() % m[h].len, &len, NULL);
			ASSERT_EQ(-EMSGSIZE, ret) TH_LOG("op %d", op);
			ASSERT_EQ(m[h].len, len) TH_LOG("op %d", op);
		} else {
			ret = q_recv_raw(fd, KIPC_WAIT_NONBLOCK, NULL, bad,
					 M_SIZE, NULL, NULL);
			ASSERT_EQ(-EFAULT, ret) TH_LOG("op %d", op);
		}
		if (op % 64 == 0) {
			ASSERT_EQ(0, q_info(fd, &in));
			ASSERT_EQ((uint32_t)n, in.msgs) TH_LOG("op %d", op);
			ASSERT_EQ(bytes, in.bytes) TH_LOG("op %d", op);
			ASSERT_EQ(sent, in.sent) TH_LOG("op %d", op);
			ASSERT_EQ(received, in.received) TH_LOG("op %d", op);
		}
	}
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(0ULL, in.bytes);
	EXPECT_EQ(sent, in.sent);
	EXPECT_EQ(sent, in.received);
	EXPECT_LT(1000ULL, sent);
	EXPECT_EQ(-EAGAIN, kipc_queue_recv(fd, out, sizeof(out), NULL, 0));
}

/* ---- blocked senders and receivers --------------------------------------------- */

TEST_F(kipc, blocked_receivers_fifo_handoff)
{
	struct kipc_queue_info in;
	struct kt_report r;
	pid_t pids[NWAITERS];
	int fd = new_queue(4, 16), rep[2], i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	for (i = 0; i < NWAITERS; i++) {
		pids[i] = spawn_receiver(fd, rep[1], i, NULL, 16);
		ASSERT_LE(0, pids[i]);
		ASSERT_EQ(0, wait_blocked(fd, 0, i + 1, KT_CHILD_TIMEOUT_MS));
	}
	EXPECT_EQ(POLL_WR, poll_now(fd));
	for (i = 0; i < NWAITERS; i++) {
		/* Priorities do not matter to who is served first. */
		ASSERT_EQ(0, send_u64(fd, 1000 + i, i % 2 ? 100 : 1, 0));
		ASSERT_EQ(0, q_info(fd, &in));
		EXPECT_EQ((unsigned int)(NWAITERS - 1 - i), in.receivers);
		/* Handed over: nobody else can have it. */
		EXPECT_EQ(0, poll_now(fd) & POLL_RD);
		EXPECT_EQ(-EAGAIN, kipc_queue_recv(fd, &r.value, 8, NULL, 0));
	}
	for (i = 0; i < NWAITERS; i++) {
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(8, r.ret);
		EXPECT_EQ(1000ULL + r.idx, r.value)
			TH_LOG("receiver %d got the message meant for receiver %d",
			       r.idx, (int)(r.value - 1000));
	}
	for (i = 0; i < NWAITERS; i++)
		EXPECT_EQ(0, kt_reap(pids[i], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ((uint64_t)NWAITERS, in.sent);
	EXPECT_EQ((uint64_t)NWAITERS, in.received);
}

TEST_F(kipc, blocked_senders_fifo)
{
	struct kipc_queue_info in;
	pid_t pids[NWAITERS];
	uint32_t prio;
	uint64_t v;
	int fd = new_queue(1, 8), i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_u64(fd, 999, 0, 0));
	for (i = 0; i < NWAITERS; i++) {
		/* Later senders have higher priorities: no matter. */
		pids[i] = spawn_sender(fd, 1000 + i, 10 * i);
		ASSERT_LE(0, pids[i]);
		ASSERT_EQ(0, wait_blocked(fd, i + 1, 0, KT_CHILD_TIMEOUT_MS));
	}
	EXPECT_EQ(POLL_RD, poll_now(fd));
	ASSERT_EQ(8, kipc_queue_recv(fd, &v, 8, &prio, 0));
	EXPECT_EQ(999ULL, v);
	for (i = 0; i < NWAITERS; i++) {
		/* The oldest sender's message took the freed place at once. */
		ASSERT_EQ(0, q_info(fd, &in));
		EXPECT_EQ((unsigned int)(NWAITERS - 1 - i), in.senders);
		EXPECT_EQ(1U, in.msgs);
		v = 0;
		ASSERT_EQ(8, kipc_queue_recv(fd, &v, 8, &prio, 0));
		EXPECT_EQ(1000ULL + i, v)
			TH_LOG("sender %d overtaken by sender %d", i,
			       (int)(v - 1000));
		EXPECT_EQ((uint32_t)(10 * i), prio);
	}
	for (i = 0; i < NWAITERS; i++)
		EXPECT_EQ(0, kt_reap(pids[i], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(0U, in.senders);
	EXPECT_EQ((uint64_t)NWAITERS + 1, in.sent);
}

/* A new sender does not overtake blocked ones, even with a free place. */
TEST_F(kipc, blocked_sender_not_overtaken)
{
	struct kipc_queue_info in;
	uint64_t v;
	pid_t pid;
	int fd = new_queue(1, 8);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_u64(fd, 1, 0, 0));
	pid = spawn_sender(fd, 2, 0);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, wait_blocked(fd, 1, 0, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-EAGAIN, send_u64(fd, 3, KIPC_QUEUE_PRIO_MAX, 0));
	ASSERT_EQ(8, kipc_queue_recv(fd, &v, 8, NULL, 0));
	EXPECT_EQ(1ULL, v);
	EXPECT_EQ(-EAGAIN, send_u64(fd, 3, KIPC_QUEUE_PRIO_MAX, 0));
	ASSERT_EQ(8, kipc_queue_recv(fd, &v, 8, NULL, 0));
	EXPECT_EQ(2ULL, v);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(2ULL, in.sent);
}

/*
 * A blocked receiver whose buffer is too small for the message that
 * arrives gets EMSGSIZE with its length; the message stays for others.
 */
TEST_F(kipc, blocked_receiver_too_small)
{
	struct kipc_queue_info in;
	struct kt_report r;
	char big[20];
	pid_t p0, p1;
	int fd = new_queue(2, 64), rep[2];

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	memset(big, 'q', sizeof(big));

	p0 = spawn_receiver(fd, rep[1], 0, NULL, 10);
	ASSERT_LE(0, p0);
	ASSERT_EQ(0, wait_blocked(fd, 0, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kipc_queue_send(fd, big, 20, 3, 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-EMSGSIZE, r.ret);
	EXPECT_EQ(20ULL, r.value);
	EXPECT_EQ(0, kt_reap(p0, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(1U, in.msgs);
	EXPECT_EQ(0U, in.receivers);
	EXPECT_EQ(0ULL, in.received);
	EXPECT_EQ(20, kipc_queue_recv(fd, big, sizeof(big), NULL, 0));

	/* Two in line: the small one is told, the next one gets it. */
	p0 = spawn_receiver(fd, rep[1], 0, NULL, 10);
	ASSERT_LE(0, p0);
	ASSERT_EQ(0, wait_blocked(fd, 0, 1, KT_CHILD_TIMEOUT_MS));
	p1 = spawn_receiver(fd, rep[1], 1, NULL, 64);
	ASSERT_LE(0, p1);
	ASSERT_EQ(0, wait_blocked(fd, 0, 2, KT_CHILD_TIMEOUT_MS));
	memcpy(big, "\x2a\0\0\0\0\0\0\0", 8);
	ASSERT_EQ(0, kipc_queue_send(fd, big, 20, 3, 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.receivers);
	EXPECT_EQ(0, poll_now(fd) & POLL_RD);
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	if (r.idx == 0) {
		EXPECT_EQ(-EMSGSIZE, r.ret);
		EXPECT_EQ(20ULL, r.value);
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	}
	EXPECT_EQ(1, r.idx);
	EXPECT_EQ(20, r.ret);
	EXPECT_EQ(42ULL, r.value);
	EXPECT_EQ(0, kt_reap(p0, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_reap(p1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, wait_received(fd, 2, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
}

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

/* A child that polls @fd for @events and reports { poll(), revents }. */
static pid_t spawn_poller(int fd, int rep, short events)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		struct pollfd p = { .fd = fd, .events = events };
		int ret = poll(&p, 1, KT_CHILD_TIMEOUT_MS);

		kt_report(rep, 0, ret, (uint64_t)p.revents);
		_exit(0);
	}
	return pid;
}

TEST_F(kipc, poll_wakes_on_send)
{
	struct kt_report r;
	int fd = new_queue(2, 16), rep[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	pid = spawn_poller(fd, rep[1], POLLIN);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	ASSERT_EQ(0, send_str(fd, "x", 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ((uint64_t)POLLIN, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

TEST_F(kipc, poll_wakes_on_recv_for_pollout)
{
	struct kt_report r;
	int fd = new_queue(1, 16), rep[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, send_str(fd, "x", 0));
	pid = spawn_poller(fd, rep[1], POLLOUT);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	EXPECT_RECV_STR(fd, "x", 0);
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ((uint64_t)POLLOUT, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
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
	struct kt_report r;
	int fd = new_queue(2, 16), rep[2];
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
	ASSERT_EQ(0, send_str(fd, "x", 3));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ((uint64_t)EPOLLIN, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
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
	struct kt_report r;
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
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(8, r.ret);
	EXPECT_EQ(77ULL, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
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
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(4, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("high", buf);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(3, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("mid", buf);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(3, read(fd, buf, 3));
	EXPECT_STREQ("low", buf);
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
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(7, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("written", buf);
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
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(6, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("second", buf);
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
	char cmd[128], buf[64];
	struct kipc_queue_info in;
	uint32_t prio = 1;
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
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(6, kipc_queue_recv(fd, buf, sizeof(buf), &prio, 0));
	EXPECT_STREQ("hello\n", buf);
	EXPECT_EQ(0U, prio);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(6, kipc_queue_recv(fd, buf, sizeof(buf), &prio, 0));
	EXPECT_STREQ("world\n", buf);
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

/* ---- signals and blocked calls ----------------------------------------------------- */

enum blocked_op { OP_RECV, OP_SEND, OP_READ, OP_WRITE };

/*
 * A child that installs on_usr1 for SIGUSR1 (with @flags) if @hfd >= 0,
 * then does @op without a deadline and reports { 0, result, payload } on
 * @rep: the length received or 0 sent, or -errno.
 */
static pid_t spawn_blocked(int fd, enum blocked_op op, int rep, int hfd,
			   int flags, uint64_t v)
{
	pid_t pid = kt_fork();
	long ret = 0;

	if (pid == 0) {
		if (hfd >= 0) {
			if (kt_catch_signal(SIGUSR1, hfd, flags))
				_exit(91);
		}
		switch (op) {
		case OP_RECV:
			ret = kipc_queue_recv(fd, &v, sizeof(v), NULL,
					      KIPC_INFINITE);
			break;
		case OP_SEND:
			ret = send_u64(fd, v, 0, KIPC_INFINITE);
			break;
		case OP_READ:
			ret = read(fd, &v, sizeof(v));
			if (ret < 0)
				ret = -errno;
			break;
		case OP_WRITE:
			ret = write(fd, &v, sizeof(v));
			if (ret < 0)
				ret = -errno;
			else
				ret = 0;
			break;
		}
		kt_report(rep, 0, (int)ret, v);
		_exit(0);
	}
	return pid;
}

/* Block @op in a child, interrupt it with SIGUSR1 without SA_RESTART. */
static void check_eintr(struct __test_metadata *_metadata, enum blocked_op op)
{
	bool sending = op == OP_SEND || op == OP_WRITE;
	struct kipc_queue_info in;
	struct kt_report r;
	int fd = new_queue(1, 8), rep[2], hp[2];
	uint64_t v;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	if (sending)
		ASSERT_EQ(0, send_u64(fd, 1, 0, 0));
	pid = spawn_blocked(fd, op, rep[1], hp[1], 0, 2);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, wait_blocked(fd, sending, !sending, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	EXPECT_EQ('h', kt_read_byte(hp[0], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-EINTR, r.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.senders);
	EXPECT_EQ(0U, in.receivers);
	if (sending) {
		/* The interrupted message was not sent. */
		EXPECT_EQ(1ULL, in.sent);
		ASSERT_EQ(8, kipc_queue_recv(fd, &v, 8, NULL, 0));
		EXPECT_EQ(1ULL, v);
		EXPECT_EQ(-EAGAIN, kipc_queue_recv(fd, &v, 8, NULL, 0));
	} else {
		/* The interrupted receiver takes nothing later. */
		ASSERT_EQ(0, send_u64(fd, 3, 0, 0));
		ASSERT_EQ(0, q_info(fd, &in));
		EXPECT_EQ(1U, in.msgs);
		EXPECT_EQ(0ULL, in.received);
	}
}

/* Block @op in a child, signal it with SA_RESTART: it goes on and completes. */
static void check_restart(struct __test_metadata *_metadata, enum blocked_op op)
{
	bool sending = op == OP_SEND || op == OP_WRITE;
	struct kt_report r;
	int fd = new_queue(1, 8), rep[2], hp[2];
	uint64_t v;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	if (sending)
		ASSERT_EQ(0, send_u64(fd, 1, 0, 0));
	pid = spawn_blocked(fd, op, rep[1], hp[1], SA_RESTART, 2);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, wait_blocked(fd, sending, !sending, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ('h', kt_read_byte(hp[0], KT_CHILD_TIMEOUT_MS));
	/* The handler ran; the call restarted and blocks again. */
	ASSERT_EQ(0, wait_blocked(fd, sending, !sending, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	if (sending) {
		ASSERT_EQ(8, kipc_queue_recv(fd, &v, 8, NULL, 0));
		EXPECT_EQ(1ULL, v);
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, r.ret);
		ASSERT_EQ(8, kipc_queue_recv(fd, &v, 8, NULL, 0));
		EXPECT_EQ(2ULL, v);
	} else {
		ASSERT_EQ(0, send_u64(fd, 66, 0, 0));
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(8, r.ret);
		EXPECT_EQ(66ULL, r.value);
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

TEST_F(kipc, signal_interrupts_recv_eintr)
{
	check_eintr(_metadata, OP_RECV);
}

TEST_F(kipc, signal_interrupts_send_eintr)
{
	check_eintr(_metadata, OP_SEND);
}

TEST_F(kipc, signal_interrupts_read_eintr)
{
	check_eintr(_metadata, OP_READ);
}

TEST_F(kipc, signal_interrupts_write_eintr)
{
	check_eintr(_metadata, OP_WRITE);
}

TEST_F(kipc, signal_sa_restart_resumes_recv)
{
	check_restart(_metadata, OP_RECV);
}

TEST_F(kipc, signal_sa_restart_resumes_send)
{
	check_restart(_metadata, OP_SEND);
}

TEST_F(kipc, signal_sa_restart_resumes_read)
{
	check_restart(_metadata, OP_READ);
}

TEST_F(kipc, signal_sa_restart_resumes_write)
{
	check_restart(_metadata, OP_WRITE);
}

TEST_F(kipc, signal_sa_restart_keeps_deadline)
{
	struct kt_report r;
	int64_t end;
	int fd = new_queue(1, 8), rep[2], hp[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	end = kt_now_ns() + 300 * MS;
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_timespec dl = kt_ts_at(end);
		char buf[8];
		int ret;

		if (kt_catch_signal(SIGUSR1, hp[1], SA_RESTART))
			_exit(91);
		ret = q_recv_raw(fd, KIPC_WAIT_DEADLINE, &dl, buf, sizeof(buf),
				 NULL, NULL);
		kt_report(rep[1], 0, ret, (uint64_t)kt_now_ns());
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(fd, 0, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ('h', kt_read_byte(hp[0], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-ETIMEDOUT, r.ret);
	EXPECT_LE(end, (int64_t)r.value);
	EXPECT_GT(end + 5000 * MS, (int64_t)r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* A stop and continue (no handler) restarts a blocked receive invisibly. */
TEST_F(kipc, sigstop_sigcont_resumes_recv)
{
	struct kt_report r;
	int fd = new_queue(1, 8), rep[2], status;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	pid = spawn_blocked(fd, OP_RECV, rep[1], -1, 0, 0);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, wait_blocked(fd, 0, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, kill(pid, SIGCONT));
	ASSERT_EQ(0, wait_blocked(fd, 0, 1, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	ASSERT_EQ(0, send_u64(fd, 71, 0, 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(8, r.ret);
	EXPECT_EQ(71ULL, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/*
 * A signal handler and a message racing for a blocked receiver: either
 * the receiver gets the message, or it returns EINTR and the message
 * stays queued.  Never both, never neither.
 */
TEST_F(kipc, race_interrupt_vs_send_nothing_lost)
{
	struct kipc_queue_info in;
	struct kt_report r;
	int fd = new_queue(1, 8), rep[2], hp[2], i, got = 0, intr = 0;
	uint64_t v;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	for (i = 0; i < 20; i++) {
		pid = spawn_blocked(fd, OP_RECV, rep[1], hp[1], 0, 0);
		ASSERT_LE(0, pid);
		ASSERT_EQ(0, wait_blocked(fd, 0, 1, KT_CHILD_TIMEOUT_MS));
		if (i % 3 == 0) {
			ASSERT_EQ(0, send_u64(fd, 1000 + i, 0, 0));
			ASSERT_EQ(0, kill(pid, SIGUSR1));
		} else {
			ASSERT_EQ(0, kill(pid, SIGUSR1));
			if (i % 3 == 2)
				usleep(100 * (i % 7));
			ASSERT_EQ(0, send_u64(fd, 1000 + i, 0, 0));
		}
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		ASSERT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
		ASSERT_EQ(0, q_info(fd, &in));
		EXPECT_EQ(0U, in.receivers);
		if (r.ret == 8) {
			got++;
			EXPECT_EQ(1000ULL + i, r.value);
			EXPECT_EQ(0U, in.msgs);
		} else {
			intr++;
			EXPECT_EQ(-EINTR, r.ret);
			EXPECT_EQ(1U, in.msgs)
				TH_LOG("round %d: EINTR and the message is lost", i);
			v = 0;
			EXPECT_EQ(8, kipc_queue_recv(fd, &v, 8, NULL, 0));
			EXPECT_EQ(1000ULL + i, v);
		}
		EXPECT_EQ(-EAGAIN, kipc_queue_recv(fd, &v, 8, NULL, 0));
	}
	TH_LOG("%d rounds received, %d interrupted", got, intr);
}

/*
 * A signal handler and a receive racing for a blocked sender: either its
 * message got in, or it returns EINTR and the message is not there.
 */
TEST_F(kipc, race_interrupt_vs_recv_nothing_doubled)
{
	struct kt_report r;
	int fd = new_queue(1, 8), rep[2], hp[2], i, in_q = 0, intr = 0;
	uint64_t v;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, send_u64(fd, 2000 + i, 0, 0));
		pid = spawn_blocked(fd, OP_SEND, rep[1], hp[1], 0, 3000 + i);
		ASSERT_LE(0, pid);
		ASSERT_EQ(0, wait_blocked(fd, 1, 0, KT_CHILD_TIMEOUT_MS));
		if (i % 2) {
			ASSERT_EQ(0, kill(pid, SIGUSR1));
			usleep(50 * (i % 5));
		}
		ASSERT_EQ(8, kipc_queue_recv(fd, &v, 8, NULL, 0));
		EXPECT_EQ(2000ULL + i, v);
		if (!(i % 2))
			ASSERT_EQ(0, kill(pid, SIGUSR1));
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		ASSERT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, wait_blocked(fd, 0, 0, 0));
		if (r.ret == 0) {
			in_q++;
			EXPECT_EQ(8, kipc_queue_recv(fd, &v, 8, NULL, 0));
			EXPECT_EQ(3000ULL + i, v);
		} else {
			intr++;
			EXPECT_EQ(-EINTR, r.ret);
		}
		EXPECT_EQ(-EAGAIN, kipc_queue_recv(fd, &v, 8, NULL, 0))
			TH_LOG("round %d: an interrupted message arrived", i);
	}
	TH_LOG("%d rounds sent, %d interrupted", in_q, intr);
}

/*
 * A deadline and a message racing for a blocked receiver: either it gets
 * the message, or it times out and the message stays queued.
 */
TEST_F(kipc, race_timeout_vs_send_nothing_lost)
{
	struct kipc_queue_info in;
	struct kt_report r;
	int fd = new_queue(1, 8), rep[2], i, got = 0, late = 0;
	uint64_t v;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	for (i = 0; i < 20; i++) {
		pid = kt_fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			long n;

			v = 0;
			n = kipc_queue_recv(fd, &v, sizeof(v), NULL,
					    (2 + i % 4) * MS);
			kt_report(rep[1], 0, (int)n, v);
			_exit(0);
		}
		kt_sleep_ms(2 + i % 4);
		ASSERT_EQ(0, send_u64(fd, 4000 + i, 0, 0));
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		ASSERT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
		ASSERT_EQ(0, q_info(fd, &in));
		EXPECT_EQ(0U, in.receivers);
		if (r.ret == 8) {
			got++;
			EXPECT_EQ(4000ULL + i, r.value);
			EXPECT_EQ(0U, in.msgs);
		} else {
			late++;
			EXPECT_EQ(-ETIMEDOUT, r.ret);
			EXPECT_EQ(1U, in.msgs)
				TH_LOG("round %d: timed out and the message is lost",
				       i);
			v = 0;
			EXPECT_EQ(8, kipc_queue_recv(fd, &v, 8, NULL, 0));
			EXPECT_EQ(4000ULL + i, v);
		}
		EXPECT_EQ(-EAGAIN, kipc_queue_recv(fd, &v, 8, NULL, 0));
	}
	TH_LOG("%d rounds received, %d timed out first", got, late);
}

/* ---- killed and exiting waiters --------------------------------------------------- */

TEST_F(kipc, sigkill_blocked_receiver_no_leak)
{
	struct kipc_queue_info in;
	struct kipc_stats b, a;
	int fd, st;
	pid_t pid;

	ASSERT_EQ(0, kt_stats(&b));
	fd = new_queue(2, 8);
	ASSERT_LE(0, fd);
	pid = spawn_blocked(fd, OP_RECV, -1, -1, 0, 0);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, wait_blocked(fd, 0, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(256 + SIGKILL, st);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.receivers);
	/* The dead receiver takes nothing. */
	ASSERT_EQ(0, send_str(fd, "kept", 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(1U, in.msgs);
	EXPECT_EQ(0ULL, in.received);
	EXPECT_RECV_STR(fd, "kept", 0);
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.uid_objects, a.uid_objects);
	EXPECT_EQ(b.uid_bytes, a.uid_bytes);
}

TEST_F(kipc, sigkill_blocked_sender_no_leak)
{
	struct kipc_queue_info in;
	struct kipc_stats b, a;
	int fd, st;
	pid_t pid;

	ASSERT_EQ(0, kt_stats(&b));
	fd = new_queue(1, 8);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "full", 0));
	pid = spawn_blocked(fd, OP_SEND, -1, -1, 0, 5);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, wait_blocked(fd, 1, 0, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(256 + SIGKILL, st);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.senders);
	EXPECT_EQ(1U, in.msgs);
	EXPECT_EQ(1ULL, in.sent);
	/* The dead sender's message never arrives. */
	EXPECT_RECV_STR(fd, "full", 0);
	EXPECT_EQ(-EAGAIN, kipc_queue_recv(fd, NULL, 0, NULL, 0));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.uid_bytes, a.uid_bytes);
}

/* A killed receiver in the middle of the line does not break FIFO order. */
TEST_F(kipc, sigkill_middle_receiver_keeps_order)
{
	struct kt_report r;
	pid_t pids[3];
	int fd = new_queue(4, 16), rep[2], i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	for (i = 0; i < 3; i++) {
		pids[i] = spawn_receiver(fd, rep[1], i, NULL, 16);
		ASSERT_LE(0, pids[i]);
		ASSERT_EQ(0, wait_blocked(fd, 0, i + 1, KT_CHILD_TIMEOUT_MS));
	}
	ASSERT_EQ(0, kill(pids[1], SIGKILL));
	EXPECT_EQ(256 + SIGKILL, kt_reap(pids[1], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, wait_blocked(fd, 0, 2, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, send_u64(fd, 500, 0, 0));
	ASSERT_EQ(0, send_u64(fd, 502, 0, 0));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(8, r.ret);
		EXPECT_EQ(500ULL + r.idx, r.value);
	}
	EXPECT_EQ(0, kt_reap(pids[0], KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_reap(pids[2], KT_CHILD_TIMEOUT_MS));
}

/* A killed sender in the middle of the line does not break FIFO order. */
TEST_F(kipc, sigkill_middle_sender_keeps_order)
{
	struct kipc_queue_info in;
	pid_t pids[3];
	uint64_t v;
	int fd = new_queue(1, 8), i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_u64(fd, 99, 0, 0));
	for (i = 0; i < 3; i++) {
		pids[i] = spawn_sender(fd, 100 + i, 0);
		ASSERT_LE(0, pids[i]);
		ASSERT_EQ(0, wait_blocked(fd, i + 1, 0, KT_CHILD_TIMEOUT_MS));
	}
	ASSERT_EQ(0, kill(pids[1], SIGKILL));
	EXPECT_EQ(256 + SIGKILL, kt_reap(pids[1], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, wait_blocked(fd, 2, 0, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(8, kipc_queue_recv(fd, &v, 8, NULL, 0));
	EXPECT_EQ(99ULL, v);
	ASSERT_EQ(8, kipc_queue_recv(fd, &v, 8, NULL, 0));
	EXPECT_EQ(100ULL, v);
	ASSERT_EQ(8, kipc_queue_recv(fd, &v, 8, NULL, 0));
	EXPECT_EQ(102ULL, v);
	EXPECT_EQ(0, kt_reap(pids[0], KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_reap(pids[2], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(3ULL, in.sent);
}

struct thread_op {
	int fd;
	enum blocked_op op;
	long ret;
	uint64_t v;
};

static void *thread_op_fn(void *arg)
{
	struct thread_op *t = arg;

	if (t->op == OP_SEND)
		t->ret = send_u64(t->fd, t->v, 0, KIPC_INFINITE);
	else
		t->ret = kipc_queue_recv(t->fd, &t->v, sizeof(t->v), NULL,
					 KIPC_INFINITE);
	return NULL;
}

/*
 * A process exits (exit_group) while one of its threads is blocked in the
 * queue: the wait ends with it and leaves nothing behind.
 */
static void check_exit_while_blocked(struct __test_metadata *_metadata,
				     enum blocked_op op)
{
	bool sending = op == OP_SEND;
	struct kipc_queue_info in;
	uint64_t v;
	int fd = new_queue(1, 8), st;
	pid_t pid;

	ASSERT_LE(0, fd);
	if (sending)
		ASSERT_EQ(0, send_u64(fd, 1, 0, 0));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct thread_op t = { .fd = fd, .op = op, .v = 2 };
		pthread_t th;

		if (pthread_create(&th, NULL, thread_op_fn, &t))
			_exit(1);
		if (wait_blocked(fd, sending, !sending, KT_CHILD_TIMEOUT_MS))
			_exit(2);
		_exit(0);
	}
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.senders);
	EXPECT_EQ(0U, in.receivers);
	if (sending) {
		EXPECT_EQ(1U, in.msgs);
		EXPECT_EQ(1ULL, in.sent);
		ASSERT_EQ(8, kipc_queue_recv(fd, &v, 8, NULL, 0));
		EXPECT_EQ(1ULL, v);
	} else {
		ASSERT_EQ(0, send_u64(fd, 3, 0, 0));
		ASSERT_EQ(0, q_info(fd, &in));
		EXPECT_EQ(1U, in.msgs);
		ASSERT_EQ(8, kipc_queue_recv(fd, &v, 8, NULL, 0));
		EXPECT_EQ(3ULL, v);
	}
	EXPECT_EQ(-EAGAIN, kipc_queue_recv(fd, &v, 8, NULL, 0));
}

TEST_F(kipc, exit_while_blocked_in_recv)
{
	check_exit_while_blocked(_metadata, OP_RECV);
}

TEST_F(kipc, exit_while_blocked_in_send)
{
	check_exit_while_blocked(_metadata, OP_SEND);
}

/*
 * Closing the only fd under a blocked receive: the call keeps the queue
 * alive and goes on waiting until a signal interrupts it.
 */
TEST_F(kipc, close_while_blocked_then_interrupt)
{
	struct thread_op t = { .op = OP_RECV, .ret = 1 };
	struct kipc_stats b, a;
	pthread_t th;

	ASSERT_EQ(0, kt_on_signal(SIGUSR2, kt_signal_noop, 0));
	ASSERT_EQ(0, kt_stats(&b));
	t.fd = new_queue(2, 8);
	ASSERT_LE(0, t.fd);
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_op_fn, &t));
	ASSERT_EQ(0, wait_blocked(t.fd, 0, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, close(t.fd));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects + 1, a.objects);
	EXPECT_LT(b.uid_bytes, a.uid_bytes);
	/* Still blocked. */
	kt_sleep_ms(20);
	EXPECT_EQ(1, t.ret);
	ASSERT_EQ(0, pthread_kill(th, SIGUSR2));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EINTR, t.ret);
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.destroyed + 1, a.destroyed);
	EXPECT_EQ(b.uid_bytes, a.uid_bytes);
}

/*
 * Closing the fd under a blocked call does not break it: a message sent
 * through another fd of the queue still reaches the blocked receiver, and
 * a blocked sender still gets its message in.
 */
TEST_F(kipc, close_while_blocked_call_completes)
{
	const char *name = kt_name("closewait");
	struct thread_op t = { .op = OP_RECV, .ret = 1 };
	struct kipc_queue_info in;
	pthread_t th;
	uint64_t v;
	int other;

	t.fd = kipc_queue_create(name, 0600, 1, 8, 0);
	ASSERT_LE(0, t.fd);
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_op_fn, &t));
	ASSERT_EQ(0, wait_blocked(t.fd, 0, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, close(t.fd));
	other = kipc_queue_open(name, 0);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, wait_blocked(other, 0, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, send_u64(other, 0xc105e, 0, 0));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(8, t.ret);
	EXPECT_EQ(0xc105eULL, t.v);

	/* The same for a blocked sender. */
	t.fd = kipc_queue_open(name, 0);
	ASSERT_LE(0, t.fd);
	t.op = OP_SEND;
	t.v = 0x5e9d;
	t.ret = 1;
	ASSERT_EQ(0, send_u64(other, 1, 0, 0));
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_op_fn, &t));
	ASSERT_EQ(0, wait_blocked(other, 1, 0, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, close(t.fd));
	ASSERT_EQ(8, kipc_queue_recv(other, &v, 8, NULL, 0));
	EXPECT_EQ(1ULL, v);
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, t.ret);
	ASSERT_EQ(8, kipc_queue_recv(other, &v, 8, NULL, 0));
	EXPECT_EQ(0x5e9dULL, v);
	ASSERT_EQ(0, q_info(other, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(0U, in.senders);
	EXPECT_EQ(0U, in.receivers);
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_QUEUE, name));
}

/* ---- stress ------------------------------------------------------------------------------ */

#define SP		3	/* producers */
#define SC		3	/* consumers */
#define SN		500	/* messages per producer */
#define S1N		400	/* per producer, single-consumer test */
#define S_CAP		8
#define S_SIZE		256
#define S_PRIOS		3

struct smsg_hdr {
	uint32_t producer;
	uint32_t seq;
	uint32_t len;
	uint32_t sum;
};

static uint64_t s_hash(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Everything about message @k of producer @p derives from (@p, @k). */
static uint32_t s_prio(uint32_t p, uint32_t k)
{
	return s_hash(((uint64_t)p << 32 | k) ^ 0x1234) % S_PRIOS;
}

static uint32_t s_len(uint32_t p, uint32_t k)
{
	uint64_t h = s_hash(((uint64_t)p << 32 | k) ^ 0x5678);

	/* Now and then exactly the largest size. */
	if (h % 16 == 0)
		return S_SIZE;
	return sizeof(struct smsg_hdr) +
	       (h >> 8) % (S_SIZE - sizeof(struct smsg_hdr) + 1);
}

static uint32_t s_checksum(const uint8_t *b, uint32_t n)
{
	uint32_t a = 1, c = 0, i;

	for (i = 0; i < n; i++) {
		a = (a + b[i]) % 65521;
		c = (c + a) % 65521;
	}
	return c << 16 | a;
}

static void s_content(uint8_t *b, uint32_t p, uint32_t k, uint32_t n)
{
	uint64_t x = s_hash((uint64_t)p << 32 | k) | 1;
	uint32_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		b[i] = (uint8_t)x;
	}
}

static uint32_t s_fill(uint8_t *buf, uint32_t p, uint32_t k)
{
	struct smsg_hdr h = { .producer = p, .seq = k, .len = s_len(p, k) };
	uint8_t *body = buf + sizeof(h);

	s_content(body, p, k, h.len - sizeof(h));
	h.sum = s_checksum(body, h.len - sizeof(h));
	memcpy(buf, &h, sizeof(h));
	return h.len;
}

/*
 * Check a received message completely: 0 if it is message (*@p, *@k),
 * intact, of the expected length and priority; nonzero otherwise.
 */
static int s_check(const uint8_t *buf, long len, uint32_t prio, uint32_t n,
		   uint32_t *p, uint32_t *k)
{
	uint8_t want[S_SIZE];
	struct smsg_hdr h;

	if (len < (long)sizeof(h) || len > S_SIZE)
		return 1;
	memcpy(&h, buf, sizeof(h));
	*p = h.producer;
	*k = h.seq;
	if (h.producer >= SP || h.seq >= n)
		return 2;
	if (h.len != len || (uint32_t)len != s_len(h.producer, h.seq))
		return 3;
	if (prio != s_prio(h.producer, h.seq))
		return 4;
	if (h.sum != s_checksum(buf + sizeof(h), len - sizeof(h)))
		return 5;
	s_content(want, h.producer, h.seq, len - sizeof(h));
	if (memcmp(want, buf + sizeof(h), len - sizeof(h)))
		return 6;
	return 0;
}

static pid_t spawn_producer(int fd, uint32_t p, uint32_t n)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		uint8_t buf[S_SIZE];
		uint32_t k, len;
		int ret;

		for (k = 0; k < n; k++) {
			len = s_fill(buf, p, k);
			ret = kipc_queue_send(fd, buf, len, s_prio(p, k),
					      CHILD_WAIT_NS);
			if (ret)
				_exit(10 + (-ret & 0x3f));
		}
		_exit(0);
	}
	return pid;
}

/*
 * The ordering a receiver can rely on.  A producer sends one message after
 * another, so when its message j is the head of the queue, each earlier
 * message i of a priority at least j's is ahead of it or already taken.
 * So whoever receives both i < j with prio(i) >= prio(j) receives i first,
 * whatever the other receivers do (no receive fails here, so no message
 * is ever put back).  @maxseq[p][v] is the highest sequence number of
 * producer p's priority-v messages this receiver has had so far.
 */
static bool s_order_ok(int64_t maxseq[SP][S_PRIOS], uint32_t p, uint32_t k,
		       uint32_t prio)
{
	uint32_t v;
	bool ok = true;

	for (v = 0; v <= prio; v++)
		if (maxseq[p][v] > (int64_t)k)
			ok = false;
	if (maxseq[p][prio] < (int64_t)k)
		maxseq[p][prio] = k;
	return ok;
}

struct srec {
	uint16_t producer;
	uint16_t prio;
	uint32_t seq;
	int32_t bad;
};

struct stress_shared {
	uint32_t n[SC];
	struct srec rec[SC][SP * SN];
};

/*
 * Producers and consumers on a queue of 8 messages with mixed priorities
 * and sizes.  Checked exactly: every message arrives exactly once,
 * intact, with its priority; and each consumer sees each producer's
 * messages in the order they can be guaranteed to come out (s_order_ok).
 */
TEST_F_TIMEOUT(kipc, stress_producers_consumers, 120)
{
	struct kipc_queue_info in;
	struct stress_shared *sh;
	static uint8_t seen[SP][SN];
	int64_t maxseq[SP][S_PRIOS];
	pid_t prod[SP], cons[SC];
	uint32_t total = 0, c, i, j;
	int fd = new_queue(S_CAP, S_SIZE);

	ASSERT_LE(0, fd);
	sh = kt_shared_map(sizeof(*sh));
	ASSERT_NE(NULL, sh);

	for (c = 0; c < SC; c++) {
		cons[c] = kt_fork();
		ASSERT_LE(0, cons[c]);
		if (cons[c] == 0) {
			uint8_t buf[S_SIZE];
			uint32_t prio, p, k;
			struct srec *r;
			long len;

			for (;;) {
				len = kipc_queue_recv(fd, buf, sizeof(buf),
						      &prio, CHILD_WAIT_NS);
				if (len < 0)
					_exit(20 + (-len & 0x3f));
				if (len == 0)	/* stop */
					_exit(prio == 0 ? 0 : 19);
				if (sh->n[c] >= SP * SN)
					_exit(18);
				r = &sh->rec[c][sh->n[c]];
				p = UINT32_MAX;
				k = UINT32_MAX;
				r->bad = s_check(buf, len, prio, SN, &p, &k);
				r->producer = p;
				r->seq = k;
				r->prio = prio;
				sh->n[c]++;
			}
		}
	}
	for (i = 0; i < SP; i++) {
		prod[i] = spawn_producer(fd, i, SN);
		ASSERT_LE(0, prod[i]);
	}
	for (i = 0; i < SP; i++)
		EXPECT_EQ(0, kt_reap(prod[i], 90000));
	/* Stops come after every message: lowest priority, sent last. */
	for (c = 0; c < SC; c++)
		ASSERT_EQ(0, kipc_queue_send(fd, NULL, 0, 0, CHILD_WAIT_NS));
	for (c = 0; c < SC; c++)
		EXPECT_EQ(0, kt_reap(cons[c], KT_CHILD_TIMEOUT_MS));

	memset(seen, 0, sizeof(seen));
	for (c = 0; c < SC; c++) {
		for (i = 0; i < SP; i++)
			for (j = 0; j < S_PRIOS; j++)
				maxseq[i][j] = -1;
		for (i = 0; i < sh->n[c]; i++) {
			struct srec *r = &sh->rec[c][i];

			ASSERT_EQ(0, r->bad)
				TH_LOG("consumer %u, message %u (producer %u seq %u) corrupt",
				       c, i, r->producer, r->seq);
			ASSERT_EQ(0, seen[r->producer][r->seq])
				TH_LOG("producer %u seq %u received twice",
				       r->producer, r->seq);
			seen[r->producer][r->seq] = 1;
			EXPECT_TRUE(s_order_ok(maxseq, r->producer, r->seq,
					       r->prio))
				TH_LOG("consumer %u: producer %u seq %u (prio %u) late",
				       c, r->producer, r->seq, r->prio);
		}
		total += sh->n[c];
	}
	EXPECT_EQ((uint32_t)(SP * SN), total);
	for (i = 0; i < SP; i++)
		for (j = 0; j < SN; j++)
			ASSERT_EQ(1, seen[i][j])
				TH_LOG("producer %u seq %u lost", i, j);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(0ULL, in.bytes);
	EXPECT_EQ(0U, in.senders);
	EXPECT_EQ(0U, in.receivers);
	EXPECT_EQ((uint64_t)(SP * SN + SC), in.sent);
	EXPECT_EQ((uint64_t)(SP * SN + SC), in.received);
	TH_LOG("consumers received %u, %u, %u", sh->n[0], sh->n[1], sh->n[2]);
	munmap(sh, sizeof(*sh));
}

/*
 * One consumer (this process), three producers: with a single consumer
 * the ordering rule holds for all messages of a producer, so per producer
 * and priority the sequence numbers come in order, without gaps.  The
 * consumer throws in receives that fail with EMSGSIZE and EFAULT, which
 * put the message back and must not change that.
 */
TEST_F_TIMEOUT(kipc, stress_single_consumer_order, 120)
{
	int64_t maxseq[SP][S_PRIOS];
	uint32_t next[SP][S_PRIOS];
	struct kipc_queue_info in;
	struct kipc_timespec dl;
	uint8_t buf[S_SIZE];
	uint32_t prio, p, k, i, j, len;
	void *bad = kt_noaccess_page();
	pid_t prod[SP];
	int fd = new_queue(S_CAP, S_SIZE), ret, bad_ret;
	long n;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, bad);
	for (i = 0; i < SP; i++)
		for (j = 0; j < S_PRIOS; j++) {
			maxseq[i][j] = -1;
			next[i][j] = 0;
		}
	for (i = 0; i < SP; i++) {
		prod[i] = spawn_producer(fd, i, S1N);
		ASSERT_LE(0, prod[i]);
	}
	for (i = 0; i < SP * S1N; i++) {
		if (i % 7 == 3) {
			dl = kt_ts_at(kt_now_ns() + CHILD_WAIT_NS);
			ret = q_recv_raw(fd, KIPC_WAIT_DEADLINE, &dl, buf,
					 sizeof(struct smsg_hdr) - 1, &len,
					 NULL);
			ASSERT_EQ(-EMSGSIZE, ret) TH_LOG("message %u", i);
			EXPECT_LE((uint32_t)sizeof(struct smsg_hdr), len);
			EXPECT_GE((uint32_t)S_SIZE, len);
		}
		if (i % 11 == 5) {
			bad_ret = kipc_queue_recv(fd, bad, S_SIZE, NULL,
						  CHILD_WAIT_NS);
			ASSERT_EQ(-EFAULT, bad_ret) TH_LOG("message %u", i);
		}
		n = kipc_queue_recv(fd, buf, sizeof(buf), &prio, CHILD_WAIT_NS);
		ASSERT_LT(0, n) TH_LOG("message %u: %ld", i, n);
		p = UINT32_MAX;
		k = UINT32_MAX;
		ret = s_check(buf, n, prio, S1N, &p, &k);
		ASSERT_EQ(0, ret) TH_LOG("message %u (producer %u seq %u) corrupt",
					 i, p, k);
		ASSERT_TRUE(s_order_ok(maxseq, p, k, prio))
			TH_LOG("producer %u seq %u (prio %u) after a later one",
			       p, k, prio);
		/* Within one priority: the next one, no gap, no repeat. */
		while (next[p][prio] < S1N && s_prio(p, next[p][prio]) != prio)
			next[p][prio]++;
		ASSERT_EQ(next[p][prio], k)
			TH_LOG("producer %u prio %u: seq %u, expected %u",
			       p, prio, k, next[p][prio]);
		next[p][prio]++;
	}
	for (i = 0; i < SP; i++)
		EXPECT_EQ(0, kt_reap(prod[i], KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-EAGAIN, kipc_queue_recv(fd, buf, sizeof(buf), NULL, 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ((uint64_t)(SP * S1N), in.sent);
	EXPECT_EQ((uint64_t)(SP * S1N), in.received);
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(0ULL, in.bytes);
}

TEST_HARNESS_MAIN
