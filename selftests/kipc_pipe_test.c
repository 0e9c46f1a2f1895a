// SPDX-License-Identifier: GPL-2.0
/*
 * kipc pipe selftests: anonymous and named pipes, their capacity and its
 * accounting, reads that return what is there, end-of-file, EPIPE and
 * SIGPIPE, atomic writes, O_NONBLOCK, resizing, info and fdinfo, poll and
 * epoll, access modes and permissions, signals interrupting and restarting
 * blocked reads and writes, exits and kills racing with blocked calls,
 * ordinary tools on either end, multi-process stress tests, and the
 * errors of every pipe ioctl.
 *
 * Blocking calls in children are watched by the parent (or the child is
 * killed by the teardown), so a broken module fails a test instead of
 * hanging the suite.  Data is a stream pattern whose every byte depends on
 * its position in the stream, so a lost, doubled or misplaced byte shows.
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
#include <sys/resource.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_test_util.h"

#define POLL_RD		(POLLIN | POLLRDNORM)
#define POLL_WR		(POLLOUT | POLLWRNORM)
#define PBUF		KIPC_PIPE_BUF
#define DEF_CAP		KIPC_PIPE_DEFAULT_CAPACITY
#define MAX_CAP		(1U << 20)	/* max_pipe_capacity's default */

KT_FIXTURE()

/* ---- helpers ---------------------------------------------------------------- */

/* Byte @i of the test stream: a function of its position. */
static uint8_t pat(uint64_t i)
{
	return (uint8_t)(i * 131 + (i >> 8) * 7 + (i >> 16) * 3 + 1);
}

static void fill_pat(uint8_t *b, uint64_t pos, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = pat(pos + i);
}

/* Offset of the first byte of @b that is not the stream at @pos, or -1. */
static long bad_pat(const uint8_t *b, uint64_t pos, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != pat(pos + i))
			return (long)i;
	return -1;
}

/* read(2) and write(2) returning -errno. */
static ssize_t xread(int fd, void *buf, size_t n)
{
	ssize_t r = read(fd, buf, n);

	return r < 0 ? -errno : r;
}

static ssize_t xwrite(int fd, const void *buf, size_t n)
{
	ssize_t r = write(fd, buf, n);

	return r < 0 ? -errno : r;
}

/* Write @n bytes of the stream from @pos in one write(2). */
static ssize_t write_pat(int fd, uint64_t pos, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	ssize_t r;

	if (!b)
		return -ENOMEM;
	fill_pat(b, pos, n);
	r = xwrite(fd, b, n);
	free(b);
	return r;
}

/*
 * Read exactly @n bytes (several reads of at most @chunk bytes) and check
 * them against the stream from @pos.  Return: 0; the read's -errno; -EIO
 * for a premature end-of-file; -EBADMSG for wrong data.
 */
static int read_pat(int fd, uint64_t pos, size_t n, size_t chunk)
{
	uint8_t *b = malloc(chunk);
	size_t done = 0;
	ssize_t r;
	int err = 0;

	if (!b)
		return -ENOMEM;
	while (done < n) {
		r = xread(fd, b, chunk < n - done ? chunk : n - done);
		if (r <= 0) {
			err = r ? (int)r : -EIO;
			break;
		}
		if (bad_pat(b, pos + done, r) >= 0) {
			err = -EBADMSG;
			break;
		}
		done += r;
	}
	free(b);
	return err;
}

static int p_info(int fd, struct kipc_pipe_info *in)
{
	return kipc_pipe_info(fd, in);
}

static uint32_t p_used(int fd)
{
	struct kipc_pipe_info in;

	return p_info(fd, &in) ? UINT32_MAX : in.used;
}

static uint32_t p_cap(int fd)
{
	struct kipc_pipe_info in;

	return p_info(fd, &in) ? 0 : in.capacity;
}

/* KIPC_PIPE_IOC_SET_CAPACITY with @c as is. */
static int set_cap_raw(int fd, struct kipc_pipe_capacity *c)
{
	return kt_ioctl(fd, KIPC_PIPE_IOC_SET_CAPACITY, c);
}

/* KIPC_IOC_CREATE of a pipe with @attr as is. */
static int create_pipe_raw(const void *attr, uint32_t size, const char *name,
			   uint32_t fdflags)
{
	struct kipc_create c;

	memset(&c, 0, sizeof(c));
	c.type = KIPC_TYPE_PIPE;
	c.flags = fdflags;
	c.name = (uintptr_t)name;
	c.name_len = name ? strlen(name) : 0;
	c.mode = 0600;
	c.attr = (uintptr_t)attr;
	c.attr_size = attr ? size : 0;
	return kt_create_raw(&c);
}

#define EXPECT_CREATE_FAILS(a, size, err) do {				\
	struct kipc_stats b_, a_;					\
	int low_ = kt_lowest_free_fd();					\
									\
	ASSERT_EQ(0, kt_stats(&b_));					\
	EXPECT_EQ(-(err), create_pipe_raw(a, size, NULL, 0));		\
	ASSERT_EQ(0, kt_stats(&a_));					\
	EXPECT_EQ(b_.objects, a_.objects);				\
	EXPECT_EQ(b_.created, a_.created);				\
	EXPECT_EQ(b_.uid_bytes, a_.uid_bytes);				\
	EXPECT_EQ(low_, kt_lowest_free_fd());				\
} while (0)

/* Poll @fd for reading and writing now: revents, or -errno. */
static int poll_now(int fd)
{
	return kt_poll_now(fd, POLL_RD | POLL_WR);
}

static int set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl) ? -errno : 0;
}

/*
 * Wait until the pipe shows @used bytes queued and @written written in
 * all.  Return: 0, or -ETIMEDOUT.
 */
static int wait_state(int fd, uint32_t used, uint64_t written, int timeout_ms)
{
	return kt_wait_fdinfo(fd, timeout_ms, "pipe-used:\t%u\npipe-written:\t%llu",
			      used, (unsigned long long)written);
}

static void ignore_sigpipe(void)
{
	signal(SIGPIPE, SIG_IGN);
}

/*
 * A child that closes @close_fd (if >= 0), reads once up to @len bytes
 * from @fd, and reports { 0, result or -errno, first 8 bytes }.
 */
static pid_t spawn_reader(int fd, int close_fd, int rep, size_t len)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		static uint8_t buf[65536];
		uint64_t v = 0;
		ssize_t n;

		if (close_fd >= 0)
			close(close_fd);
		n = xread(fd, buf, len > sizeof(buf) ? sizeof(buf) : len);
		if (n > 0)
			memcpy(&v, buf, n < 8 ? n : 8);
		kt_report(rep, 0, (int)n, v);
		_exit(0);
	}
	return pid;
}

/*
 * A child that closes @close_fd (if >= 0), ignores SIGPIPE, writes @len
 * bytes of the stream from @pos in one write(2), and reports { 0, result
 * or -errno, 0 }.
 */
static pid_t spawn_writer(int fd, int close_fd, int rep, uint64_t pos,
			  size_t len)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		if (close_fd >= 0)
			close(close_fd);
		ignore_sigpipe();
		kt_report(rep, 0, (int)write_pat(fd, pos, len), 0);
		_exit(0);
	}
	return pid;
}

/* ---- creation ------------------------------------------------------------------ */

TEST_F(kipc, create_defaults)
{
	struct kipc_object_info oi, o2;
	struct kipc_pipe_info in;
	struct kipc_stats b, a;
	char link[64], path[64];
	int fds[2], i;
	ssize_t n;

	ASSERT_EQ(0, kt_stats(&b));
	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects + 1, a.objects);
	EXPECT_EQ(b.uid_objects + 1, a.uid_objects);
	EXPECT_EQ(b.uid_bytes + DEF_CAP, a.uid_bytes);

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, p_info(fds[i], &in));
		EXPECT_EQ(DEF_CAP, in.capacity);
		EXPECT_EQ(0U, in.used);
		EXPECT_EQ(1U, in.readers);
		EXPECT_EQ(1U, in.writers);
		EXPECT_EQ((uint32_t)PBUF, in.atomic);
		EXPECT_EQ(0ULL, in.read);
		EXPECT_EQ(0ULL, in.written);

		ASSERT_EQ(0, kt_obj_info(fds[i], &oi, NULL, 0));
		EXPECT_EQ((uint32_t)KIPC_TYPE_PIPE, oi.type);
		EXPECT_EQ(i ? (uint32_t)KIPC_ACCESS_WRITE :
			      (uint32_t)KIPC_ACCESS_READ, oi.access);
		EXPECT_EQ(0U, oi.state);
		EXPECT_EQ(0600U, oi.mode);
		EXPECT_EQ(0U, oi.name_len);

		EXPECT_EQ(FD_CLOEXEC, fcntl(fds[i], F_GETFD) & FD_CLOEXEC);
		EXPECT_EQ(i ? O_WRONLY : O_RDONLY,
			  fcntl(fds[i], F_GETFL) & O_ACCMODE);
		EXPECT_EQ(0, fcntl(fds[i], F_GETFL) & O_NONBLOCK);

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[i]);
		n = readlink(path, link, sizeof(link) - 1);
		ASSERT_LT(0, n);
		link[n] = '\0';
		EXPECT_STREQ("anon_inode:[kipc-pipe]", link);
	}
	/* Both ends are the same object. */
	ASSERT_EQ(0, kt_obj_info(fds[0], &oi, NULL, 0));
	ASSERT_EQ(0, kt_obj_info(fds[1], &o2, NULL, 0));
	EXPECT_EQ(oi.id, o2.id);
	/* The RDWR fd that made them, just below them, is gone. */
	EXPECT_EQ(fds[0] - 1, kt_lowest_free_fd());
	EXPECT_EQ(fds[0] + 1, fds[1]);

	ASSERT_EQ(0, close(fds[0]));
	ASSERT_EQ(0, close(fds[1]));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.uid_bytes, a.uid_bytes);
}

TEST_F(kipc, pipe_fd_flags)
{
	uint32_t bad[] = { KIPC_FD_RDONLY, KIPC_FD_WRONLY, 1U << 4, 1U << 31 };
	int fds[2] = { -1, -1 }, i, low = kt_lowest_free_fd();

	ASSERT_EQ(0, kipc_pipe(fds, 0, KIPC_FD_NOCLOEXEC | KIPC_FD_NONBLOCK));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, fcntl(fds[i], F_GETFD) & FD_CLOEXEC);
		EXPECT_EQ(O_NONBLOCK, fcntl(fds[i], F_GETFL) & O_NONBLOCK);
	}
	close(fds[0]);
	close(fds[1]);
	ASSERT_EQ(0, kipc_pipe(fds, 0, KIPC_FD_NONBLOCK));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(FD_CLOEXEC, fcntl(fds[i], F_GETFD) & FD_CLOEXEC);
		EXPECT_EQ(O_NONBLOCK, fcntl(fds[i], F_GETFL) & O_NONBLOCK);
	}
	close(fds[0]);
	close(fds[1]);
	for (i = 0; i < (int)ARRAY_SIZE(bad); i++) {
		fds[0] = fds[1] = -7;
		EXPECT_EQ(-EINVAL, kipc_pipe(fds, 0, bad[i]));
		EXPECT_EQ(-7, fds[0]);
	}
	EXPECT_EQ(-EINVAL, kipc_pipe(fds, MAX_CAP + 1, 0));
	EXPECT_EQ(low, kt_lowest_free_fd());
}

/* kipc_pipe() fails at each of its three steps and leaves nothing behind. */
TEST_F(kipc, pipe_failure_leaves_nothing)
{
	struct rlimit old, lim;
	struct kipc_stats b, a;
	int low = kt_lowest_free_fd(), fds[2], extra, ret;

	ASSERT_LE(0, low);
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	ASSERT_EQ(0, kt_stats(&b));
	for (extra = 0; extra <= 3; extra++) {
		lim = old;
		lim.rlim_cur = low + extra;
		ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &lim));
		ret = kipc_pipe(fds, 0, 0);
		ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
		if (extra < 3) {
			EXPECT_EQ(-EMFILE, ret) TH_LOG("extra %d", extra);
		} else {
			ASSERT_EQ(0, ret);
			EXPECT_EQ(low + 1, fds[0]);
			EXPECT_EQ(low + 2, fds[1]);
			close(fds[0]);
			close(fds[1]);
		}
		EXPECT_EQ(low, kt_lowest_free_fd());
		ASSERT_EQ(0, kt_stats(&a));
		EXPECT_EQ(b.objects, a.objects);
		EXPECT_EQ(b.uid_bytes, a.uid_bytes);
	}
	/* Over the byte budget: nothing is even created. */
	ASSERT_EQ(0, kt_stats(&b));
	ASSERT_EQ(0, kt_param_set("max_bytes_per_uid", b.uid_bytes + PBUF - 1));
	EXPECT_EQ(-EDQUOT, kipc_pipe(fds, PBUF, 0));
	EXPECT_EQ(low, kt_lowest_free_fd());
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.created, a.created);
}

TEST_F(kipc, create_capacity_rounding)
{
	static const struct { uint32_t want, got; } t[] = {
		{ 0, DEF_CAP }, { 1, PBUF }, { PBUF - 1, PBUF }, { PBUF, PBUF },
		{ PBUF + 1, 2 * PBUF }, { 65536, 65536 }, { 65537, 131072 },
		{ 100000, 131072 }, { MAX_CAP - 1, MAX_CAP }, { MAX_CAP, MAX_CAP },
	};
	struct kipc_pipe_info in;
	uint64_t b0 = kt_stats_uid_bytes();
	unsigned int i;
	int fd;

	ASSERT_EQ(MAX_CAP, kt_param_get("max_pipe_capacity"));
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		fd = kipc_pipe_create(NULL, 0600, t[i].want, 0);
		ASSERT_LE(0, fd) TH_LOG("capacity %u", t[i].want);
		ASSERT_EQ(0, p_info(fd, &in));
		EXPECT_EQ(t[i].got, in.capacity) TH_LOG("capacity %u", t[i].want);
		/* The whole buffer is charged. */
		EXPECT_EQ(b0 + t[i].got, kt_stats_uid_bytes());
		close(fd);
		EXPECT_EQ(b0, kt_stats_uid_bytes());
	}
	EXPECT_EQ(-EINVAL, kipc_pipe_create(NULL, 0600, MAX_CAP + 1, 0));
	EXPECT_EQ(-EINVAL, kipc_pipe_create(NULL, 0600, 1U << 31, 0));
	EXPECT_EQ(-EINVAL, kipc_pipe_create(NULL, 0600, UINT32_MAX, 0));
}

/* The max_pipe_capacity parameter bounds the rounded capacity. */
TEST_F(kipc, create_over_max_pipe_capacity)
{
	struct kipc_pipe_info in;
	int fd;

	ASSERT_EQ(0, kt_param_set("max_pipe_capacity", 8192));
	fd = kipc_pipe_create(NULL, 0600, 8192, 0);
	ASSERT_LE(0, fd);
	close(fd);
	fd = kipc_pipe_create(NULL, 0600, 5000, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, p_info(fd, &in));
	EXPECT_EQ(8192U, in.capacity);
	close(fd);
	EXPECT_EQ(-EINVAL, kipc_pipe_create(NULL, 0600, 8193, 0));
	/* The default is not shrunk to fit. */
	EXPECT_EQ(-EINVAL, kipc_pipe_create(NULL, 0600, 0, 0));
	/* 12288 is allowed, but rounds up to 16384. */
	ASSERT_EQ(0, kt_param_set("max_pipe_capacity", 12288));
	EXPECT_EQ(-EINVAL, kipc_pipe_create(NULL, 0600, 12288, 0));
	EXPECT_EQ(-EINVAL, kipc_pipe_create(NULL, 0600, 9000, 0));
	fd = kipc_pipe_create(NULL, 0600, 8192, 0);
	EXPECT_LE(0, fd);
	/* The parameter itself: a page to 1 GiB. */
	EXPECT_EQ(-EINVAL, kt_param_set("max_pipe_capacity", 100));
	EXPECT_EQ(-EINVAL, kt_param_set("max_pipe_capacity", (1ULL << 30) + 1));
}

TEST_F(kipc, create_attr_invalid)
{
	struct kipc_pipe_attr a;
	int bit, i;

	for (bit = 0; bit < 32; bit++) {
		memset(&a, 0, sizeof(a));
		a.flags = 1U << bit;
		EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	}
	for (i = 0; i < 3; i++) {
		memset(&a, 0, sizeof(a));
		a.reserved[i] = 1ULL << 63;
		EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	}
	memset(&a, 0, sizeof(a));
	a.capacity = PBUF;
	EXPECT_CREATE_FAILS(&a, KIPC_PIPE_ATTR_SIZE_VER0 - 8, EINVAL);
	EXPECT_CREATE_FAILS(&a, 1, EINVAL);
	EXPECT_CREATE_FAILS(kt_noaccess_page(), sizeof(a), EFAULT);
	a.capacity = MAX_CAP + 1;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
}

TEST_F(kipc, create_attr_struct_sizes)
{
	struct {
		struct kipc_pipe_attr a;
		uint64_t tail[2];
	} big;
	struct kipc_pipe_info in;
	int fd;

	memset(&big, 0, sizeof(big));
	big.a.capacity = 5000;
	big.tail[1] = 1;
	EXPECT_CREATE_FAILS(&big, sizeof(big), E2BIG);
	big.tail[1] = 0;
	fd = create_pipe_raw(&big, sizeof(big), NULL, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, p_info(fd, &in));
	EXPECT_EQ(8192U, in.capacity);
	close(fd);
	/* No attributes: the default. */
	fd = create_pipe_raw(NULL, 0, NULL, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, p_info(fd, &in));
	EXPECT_EQ(DEF_CAP, in.capacity);
	/* The creator's fd is both a reader and a writer. */
	EXPECT_EQ(1U, in.readers);
	EXPECT_EQ(1U, in.writers);
}

TEST_F(kipc, create_edquot)
{
	uint64_t b0 = kt_stats_uid_bytes();
	int fd, ev;

	ASSERT_EQ(0, kt_param_set("max_bytes_per_uid", b0 + 8192 - 1));
	EXPECT_EQ(-EDQUOT, kipc_pipe_create(NULL, 0600, 8192, 0));
	EXPECT_EQ(-EDQUOT, kipc_pipe_create(NULL, 0600, 5000, 0));
	fd = kipc_pipe_create(NULL, 0600, PBUF, 0);
	ASSERT_LE(0, fd);
	/* Nothing left for another pipe, but an event charges no bytes. */
	EXPECT_EQ(-EDQUOT, kipc_pipe_create(NULL, 0600, 1, 0));
	ev = kipc_event_create(NULL, 0600, 0, 0);
	EXPECT_LE(0, ev);
	close(ev);
	close(fd);
	ASSERT_EQ(0, kt_param_set("max_bytes_per_uid", b0 + 8192));
	fd = kipc_pipe_create(NULL, 0600, 8192, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(b0 + 8192, kt_stats_uid_bytes());
}

/* ---- names ------------------------------------------------------------------------ */

TEST_F(kipc, named_create_open)
{
	const char *name = kt_name("named");
	struct kipc_object_info oi;
	struct kipc_pipe_info in;
	char buf[64];
	int rd, wr, nb, ev;

	rd = kipc_pipe_create(name, 0600, 0, KIPC_FD_RDONLY);
	ASSERT_LE(0, rd);
	EXPECT_EQ(-EEXIST, kipc_pipe_create(name, 0600, 0, 0));
	ASSERT_EQ(0, kt_obj_info(rd, &oi, NULL, 0));
	EXPECT_EQ((uint32_t)KIPC_TYPE_PIPE, oi.type);
	EXPECT_EQ((uint32_t)KIPC_ACCESS_READ, oi.access);
	EXPECT_EQ((uint32_t)(KIPC_INFO_NAMED | KIPC_INFO_LINKED), oi.state);
	ASSERT_EQ(0, p_info(rd, &in));
	EXPECT_EQ(1U, in.readers);
	EXPECT_EQ(0U, in.writers);

	/* No writer has been open yet: no end-of-file, nothing to poll. */
	EXPECT_EQ(0, poll_now(rd));
	nb = kipc_reopen(rd, KIPC_FD_RDONLY | KIPC_FD_NONBLOCK);
	ASSERT_LE(0, nb);
	EXPECT_EQ(-EAGAIN, xread(nb, buf, sizeof(buf)));
	close(nb);

	/* Opening never blocks, whatever is open. */
	wr = kipc_pipe_open(name, KIPC_FD_WRONLY);
	ASSERT_LE(0, wr);
	ASSERT_EQ(0, p_info(wr, &in));
	EXPECT_EQ(1U, in.readers);
	EXPECT_EQ(1U, in.writers);
	EXPECT_EQ(5, xwrite(wr, "hello", 5));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(5, xread(rd, buf, sizeof(buf)));
	EXPECT_STREQ("hello", buf);

	/* The last writer gone: end-of-file. */
	close(wr);
	EXPECT_EQ(POLLHUP, poll_now(rd));
	EXPECT_EQ(0, xread(rd, buf, sizeof(buf)));
	/* A new writer ends it. */
	wr = kipc_pipe_open(name, KIPC_FD_WRONLY);
	ASSERT_LE(0, wr);
	EXPECT_EQ(0, poll_now(rd));
	EXPECT_EQ(1, xwrite(wr, "x", 1));
	EXPECT_EQ(POLL_RD, poll_now(rd));
	EXPECT_EQ(1, xread(rd, buf, sizeof(buf)));

	/* Names are per type. */
	EXPECT_EQ(-ENOENT, kipc_event_open(name, 0));
	ev = kipc_event_create(name, 0600, 0, 0);
	EXPECT_LE(0, ev);
	EXPECT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));

	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_PIPE, name));
	EXPECT_EQ(-ENOENT, kipc_pipe_open(name, 0));
	/* The unlinked pipe lives on through its fds. */
	EXPECT_EQ(3, xwrite(wr, "abc", 3));
	EXPECT_EQ(3, xread(rd, buf, sizeof(buf)));
}

/* A named pipe holds its charge while only the name refers to it. */
TEST_F(kipc, named_charge_held_by_name)
{
	const char *name = kt_name("charge");
	uint64_t b0 = kt_stats_uid_bytes();
	char buf[8];
	int fd;

	fd = kipc_pipe_create(name, 0600, 8192, KIPC_FD_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(3, xwrite(fd, "abc", 3));
	close(fd);
	EXPECT_EQ(b0 + 8192, kt_stats_uid_bytes());
	/* The data waits in the pipe for a reader. */
	fd = kipc_pipe_open(name, KIPC_FD_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(3, xread(fd, buf, sizeof(buf)));
	/* The writer has been and gone: end-of-file. */
	EXPECT_EQ(0, xread(fd, buf, sizeof(buf)));
	close(fd);
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_PIPE, name));
	EXPECT_EQ(b0, kt_stats_uid_bytes());
}

/* Before any reader has been open, writes fill the buffer: no EPIPE. */
TEST_F(kipc, named_writer_before_reader)
{
	const char *name = kt_name("wfirst");
	struct kipc_pipe_info in;
	int wr, rd;

	ignore_sigpipe();
	wr = kipc_pipe_create(name, 0600, PBUF, KIPC_FD_WRONLY | KIPC_FD_NONBLOCK);
	ASSERT_LE(0, wr);
	EXPECT_EQ(POLL_WR, poll_now(wr));
	EXPECT_EQ(100, write_pat(wr, 0, 100));
	/* An atomic write needs all its room, a longer one does not. */
	EXPECT_EQ(-EAGAIN, write_pat(wr, 100, PBUF));
	EXPECT_EQ(PBUF - 100, write_pat(wr, 100, PBUF + 1));
	EXPECT_EQ(-EAGAIN, write_pat(wr, PBUF, 1));
	rd = kipc_pipe_open(name, KIPC_FD_RDONLY);
	ASSERT_LE(0, rd);
	EXPECT_EQ(0, read_pat(rd, 0, PBUF, 1000));
	ASSERT_EQ(0, p_info(rd, &in));
	EXPECT_EQ((uint64_t)PBUF, in.read);
	close(rd);
	/* Now a reader has been, and gone. */
	EXPECT_EQ(POLLERR | POLL_WR, poll_now(wr));
	EXPECT_EQ(-EPIPE, write_pat(wr, PBUF, 1));
}

TEST_F(kipc, named_open_across_processes)
{
	const char *name = kt_name("xproc");
	char buf[64];
	int rd, st;
	pid_t pid;

	rd = kipc_pipe_create(name, 0600, 0, KIPC_FD_RDONLY);
	ASSERT_LE(0, rd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int wr = kipc_pipe_open(name, KIPC_FD_WRONLY);

		close(rd);
		if (wr < 0)
			_exit(1);
		_exit(xwrite(wr, "from child", 10) == 10 ? 0 : 2);
	}
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(10, xread(rd, buf, sizeof(buf)));
	EXPECT_STREQ("from child", buf);
	/* The child's exit closed the only writer. */
	EXPECT_EQ(0, xread(rd, buf, sizeof(buf)));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

/* Opening by name checks the mode bits against the access asked for. */
TEST_F(kipc, named_open_mode_checked)
{
	const char *name = kt_name("mode");
	int fd, st;
	pid_t pid;

	fd = kipc_pipe_create(name, 0644, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(5, xwrite(fd, "hello", 5));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_pipe_capacity c = { .capacity = 8192 };
		struct kipc_pipe_info in;
		char buf[8];
		int r, r2;

		close(fd);
		if (kt_become(65534, 65534))
			_exit(1);
		if (kipc_pipe_open(name, KIPC_FD_WRONLY) != -EACCES)
			_exit(2);
		if (kipc_pipe_open(name, 0) != -EACCES)
			_exit(3);
		r = kipc_pipe_open(name, KIPC_FD_RDONLY);
		if (r < 0)
			_exit(4);
		if (write(r, "x", 1) != -1 || errno != EBADF)
			_exit(5);
		if (set_cap_raw(r, &c) != -EBADF)
			_exit(6);
		if (read(r, buf, sizeof(buf)) != 5 || memcmp(buf, "hello", 5))
			_exit(7);
		/* More access through REOPEN: the mode bits again. */
		if (kipc_reopen(r, KIPC_FD_WRONLY) != -EACCES)
			_exit(8);
		if (kipc_reopen(r, 0) != -EACCES)
			_exit(9);
		r2 = kipc_reopen(r, KIPC_FD_RDONLY | KIPC_FD_NONBLOCK);
		if (r2 < 0)
			_exit(10);
		if (read(r2, buf, 1) != -1 || errno != EAGAIN)
			_exit(11);
		if (kipc_pipe_info(r2, &in) || in.readers != 3 || in.writers != 1)
			_exit(12);
		/* Nor may another uid unlink it. */
		if (kipc_unlink(KIPC_TYPE_PIPE, name) != -EACCES)
			_exit(13);
		_exit(0);
	}
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

/* Others' write bit lets another uid open the writing end only. */
TEST_F(kipc, named_open_write_only_mode)
{
	const char *name = kt_name("wmode");
	char buf[16];
	int fd, st;
	pid_t pid;

	fd = kipc_pipe_create(name, 0602, 0, KIPC_FD_RDONLY);
	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int w;

		close(fd);
		if (kt_become(65534, 65534))
			_exit(1);
		if (kipc_pipe_open(name, KIPC_FD_RDONLY) != -EACCES)
			_exit(2);
		w = kipc_pipe_open(name, KIPC_FD_WRONLY);
		if (w < 0)
			_exit(3);
		if (read(w, buf, 1) != -1 || errno != EBADF)
			_exit(4);
		_exit(write(w, "nobody", 6) == 6 ? 0 : 5);
	}
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(6, xread(fd, buf, sizeof(buf)));
	EXPECT_STREQ("nobody", buf);
	EXPECT_EQ(0, xread(fd, buf, sizeof(buf)));
}

/*
 * An inherited read end of an anonymous pipe (mode 0600) in a process of
 * another uid: a read-only REOPEN needs no permission, more access does.
 */
TEST_F(kipc, reopen_read_only_other_uid)
{
	int fds[2], st;
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ASSERT_EQ(7, xwrite(fds[1], "private", 7));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[16];
		int r;

		close(fds[1]);
		if (kt_become(65534, 65534))
			_exit(1);
		if (kipc_reopen(fds[0], KIPC_FD_WRONLY) != -EACCES)
			_exit(2);
		if (kipc_reopen(fds[0], 0) != -EACCES)
			_exit(3);
		r = kipc_reopen(fds[0], KIPC_FD_RDONLY);
		if (r < 0)
			_exit(4);
		close(fds[0]);
		if (read(r, buf, sizeof(buf)) != 7 || memcmp(buf, "private", 7))
			_exit(5);
		_exit(0);
	}
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	/* The owner may turn a read end into a write end: mode 0600. */
	st = kipc_reopen(fds[0], KIPC_FD_WRONLY);
	EXPECT_LE(0, st);
}

/* ---- reading and writing ------------------------------------------------------- */

TEST_F(kipc, write_read_basic)
{
	struct kipc_pipe_info in;
	char buf[64];
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	EXPECT_EQ(5, xwrite(fds[1], "hello", 5));
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(5U, in.used);
	EXPECT_EQ(5ULL, in.written);
	EXPECT_EQ(0ULL, in.read);
	EXPECT_EQ(POLL_RD, poll_now(fds[0]));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(5, xread(fds[0], buf, sizeof(buf)));
	EXPECT_STREQ("hello", buf);
	ASSERT_EQ(0, p_info(fds[1], &in));
	EXPECT_EQ(0U, in.used);
	EXPECT_EQ(5ULL, in.read);

	/* A byte stream: writes run together, reads split them. */
	EXPECT_EQ(2, xwrite(fds[1], "ab", 2));
	EXPECT_EQ(3, xwrite(fds[1], "cde", 3));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(4, xread(fds[0], buf, 4));
	EXPECT_STREQ("abcd", buf);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(1, xread(fds[0], buf, sizeof(buf)));
	EXPECT_STREQ("e", buf);
	ASSERT_EQ(0, p_info(fds[1], &in));
	EXPECT_EQ(10ULL, in.read);
	EXPECT_EQ(10ULL, in.written);
}

/* As cat does: full-buffer reads of a longer write, then a short one. */
TEST_F(kipc, read_partial_cat_like)
{
	uint8_t buf[PBUF];
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ASSERT_EQ(10000, write_pat(fds[1], 0, 10000));
	EXPECT_EQ(PBUF, xread(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(-1, bad_pat(buf, 0, PBUF));
	EXPECT_EQ(PBUF, xread(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(-1, bad_pat(buf, PBUF, PBUF));
	EXPECT_EQ(10000 - 2 * PBUF, xread(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(-1, bad_pat(buf, 2 * PBUF, 10000 - 2 * PBUF));
	ASSERT_EQ(0, set_nonblock(fds[0], true));
	EXPECT_EQ(-EAGAIN, xread(fds[0], buf, sizeof(buf)));
	ASSERT_EQ(0, set_nonblock(fds[0], false));

	/* Small reads take what they ask for, the rest stays. */
	ASSERT_EQ(150, write_pat(fds[1], 10000, 150));
	EXPECT_EQ(100, xread(fds[0], buf, 100));
	EXPECT_EQ(50U, p_used(fds[0]));
	EXPECT_EQ(50, xread(fds[0], buf + 100, 100));
	EXPECT_EQ(-1, bad_pat(buf, 10000, 150));
}

/* A blocked read returns the first data that comes, without waiting for more. */
TEST_F(kipc, read_returns_what_is_there)
{
	struct kt_report r;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ASSERT_EQ(0, pipe(rep));
	pid = spawn_reader(fds[0], fds[1], rep[1], 1000);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 50));
	ASSERT_EQ(3, xwrite(fds[1], "xyz", 3));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(3, r.ret);
	EXPECT_EQ(0, memcmp(&r.value, "xyz", 3));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

TEST_F(kipc, zero_length_read_write)
{
	siginfo_t si;
	char buf[4];
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	/* Empty pipe, a writer open: a read of 0 bytes does not block. */
	EXPECT_EQ(0, xread(fds[0], buf, 0));
	EXPECT_EQ(0, xwrite(fds[1], buf, 0));
	EXPECT_EQ(0, poll_now(fds[0]));
	/* Not even a broken pipe fails a write of 0 bytes. */
	kt_block_signal(SIGPIPE, true);
	close(fds[0]);
	EXPECT_EQ(0, xwrite(fds[1], buf, 0));
	EXPECT_FALSE(kt_sig_pending(SIGPIPE));
	EXPECT_EQ(-EPIPE, xwrite(fds[1], buf, 1));
	EXPECT_EQ(1, kt_take_signal(SIGPIPE, &si, 0));
}

TEST_F(kipc, ebadf_by_access_mode)
{
	struct kipc_pipe_capacity c = { .capacity = 8192 };
	const char *name = kt_name("rdwr");
	struct kipc_pipe_info in;
	char buf[8] = "abc";
	int fds[2], fd;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	EXPECT_EQ(-EBADF, xread(fds[1], buf, sizeof(buf)));
	EXPECT_EQ(-EBADF, xwrite(fds[0], buf, 3));
	EXPECT_EQ(-EBADF, set_cap_raw(fds[0], &c));
	EXPECT_EQ(-EBADF, kipc_pipe_set_capacity(fds[0], 8192));
	EXPECT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(0, p_info(fds[1], &in));
	EXPECT_EQ(0ULL, in.written);
	EXPECT_EQ(DEF_CAP, in.capacity);
	/* Argument errors come before the access check. */
	c.flags = 1;
	EXPECT_EQ(-EINVAL, set_cap_raw(fds[0], &c));

	/* An fd open for both does both. */
	fd = kipc_pipe_create(name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(3, xwrite(fd, "abc", 3));
	EXPECT_EQ(3, xread(fd, buf, sizeof(buf)));
	EXPECT_EQ(8192, kipc_pipe_set_capacity(fd, 8192));
}

/* ---- end-of-file ------------------------------------------------------------------------ */

TEST_F(kipc, eof_after_last_writer)
{
	char buf[16];
	int fds[2], w2;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	w2 = kipc_reopen(fds[1], KIPC_FD_WRONLY);
	ASSERT_LE(0, w2);
	ASSERT_EQ(2, xwrite(fds[1], "ab", 2));
	close(fds[1]);
	/* Another writer is open: no end-of-file. */
	EXPECT_EQ(2, xread(fds[0], buf, sizeof(buf)));
	ASSERT_EQ(0, set_nonblock(fds[0], true));
	EXPECT_EQ(-EAGAIN, xread(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, poll_now(fds[0]));
	/* The last one writes and goes: the data, then end-of-file. */
	ASSERT_EQ(3, xwrite(w2, "xyz", 3));
	close(w2);
	EXPECT_EQ(POLL_RD | POLLHUP, poll_now(fds[0]));
	EXPECT_EQ(2, xread(fds[0], buf, 2));
	EXPECT_EQ(1, xread(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(POLLHUP, poll_now(fds[0]));
	EXPECT_EQ(0, xread(fds[0], buf, sizeof(buf)));
	ASSERT_EQ(0, set_nonblock(fds[0], false));
	EXPECT_EQ(0, xread(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, xread(fds[0], buf, sizeof(buf)));
}

/* dup(2) and fork(2) share a file: only its last close counts. */
TEST_F(kipc, eof_counts_files_not_fds)
{
	struct kipc_pipe_info in;
	char buf[4];
	int fds[2], d;

	ASSERT_EQ(0, kipc_pipe(fds, 0, KIPC_FD_NONBLOCK));
	d = dup(fds[1]);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(1U, in.writers);
	close(fds[1]);
	EXPECT_EQ(-EAGAIN, xread(fds[0], buf, sizeof(buf)));
	close(d);
	EXPECT_EQ(0, xread(fds[0], buf, sizeof(buf)));
}

struct thread_io {
	int fd;
	size_t len;
	uint64_t pos;
	ssize_t ret;
	pid_t tid;
	bool sigpipe;
	uint8_t buf[256];
};

static void *thread_read(void *arg)
{
	struct thread_io *t = arg;

	t->tid = kt_gettid();
	t->ret = xread(t->fd, t->buf, t->len < sizeof(t->buf) ? t->len :
						 sizeof(t->buf));
	return NULL;
}

/* Writes with SIGPIPE blocked, and says if SIGPIPE came. */
static void *thread_write(void *arg)
{
	struct thread_io *t = arg;
	siginfo_t si;

	t->tid = kt_gettid();
	t->ret = write_pat(t->fd, t->pos, t->len);
	t->sigpipe = kt_take_signal(SIGPIPE, &si, 0) == 1;
	return NULL;
}

/* Wait until thread @t has started and is blocked. */
static int wait_thread_blocked(struct thread_io *t)
{
	return kt_wait_thread_sleeping(&t->tid, KT_CHILD_TIMEOUT_MS);
}

/* A reader blocked on an empty pipe sees end-of-file when the writer closes. */
TEST_F(kipc, eof_wakes_blocked_reader)
{
	struct thread_io t = { .len = 16, .ret = 99 };
	pthread_t th;
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	t.fd = fds[0];
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_read, &t));
	ASSERT_EQ(0, wait_thread_blocked(&t));
	EXPECT_EQ(99, t.ret);
	close(fds[1]);
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, t.ret);
}

/*
 * Writer processes, each with a write file of its own, write a byte and
 * exit one after the other: end-of-file comes only after the last.
 */
TEST_F(kipc, eof_when_last_writer_exits)
{
	enum { NW = 4 };
	char buf[16], got[NW + 1];
	int fds[2], i, go[NW][2], ready[2];
	struct kipc_pipe_info in;
	pid_t pid[NW];

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ASSERT_EQ(0, pipe(ready));
	for (i = 0; i < NW; i++) {
		ASSERT_EQ(0, pipe(go[i]));
		pid[i] = kt_fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			char c = 'a' + i, g;
			int w = kipc_reopen(fds[1], KIPC_FD_WRONLY);

			close(fds[0]);
			close(fds[1]);
			if (w < 0 || write(ready[1], "r", 1) != 1)
				_exit(1);
			if (read(go[i][0], &g, 1) != 1)
				_exit(2);
			_exit(write(w, &c, 1) == 1 ? 0 : 3);
		}
	}
	close(fds[1]);
	for (i = 0; i < NW; i++)
		ASSERT_EQ('r', kt_read_byte(ready[0], KT_CHILD_TIMEOUT_MS));
	memset(got, 0, sizeof(got));
	for (i = 0; i < NW; i++) {
		ASSERT_EQ(0, p_info(fds[0], &in));
		EXPECT_EQ((uint32_t)(NW - i), in.writers);
		ASSERT_EQ(1, xwrite(go[i][1], "g", 1));
		EXPECT_EQ(0, kt_reap(pid[i], KT_CHILD_TIMEOUT_MS));
		/* Not the end while others are alive. */
		ASSERT_EQ(1, xread(fds[0], buf, sizeof(buf))) TH_LOG("writer %d", i);
		got[i] = buf[0];
	}
	got[NW] = '\0';
	EXPECT_STREQ("abcd", got);
	EXPECT_EQ(0, xread(fds[0], buf, sizeof(buf)));
}

/* A reader blocked in one process, the last writer exits in another. */
TEST_F(kipc, eof_blocked_reader_writer_exits)
{
	struct thread_io t = { .len = 64, .ret = 99 };
	pthread_t th;
	int fds[2], go[2];
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ASSERT_EQ(0, pipe(go));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char g;

		close(fds[0]);
		if (read(go[0], &g, 1) != 1)
			_exit(1);
		_exit(0);	/* closes the writer without writing */
	}
	close(fds[1]);
	t.fd = fds[0];
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_read, &t));
	ASSERT_EQ(0, wait_thread_blocked(&t));
	ASSERT_EQ(1, xwrite(go[1], "g", 1));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, t.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* A writer killed while blocked: its data so far stays, then end-of-file. */
TEST_F(kipc, eof_blocked_writer_killed)
{
	struct kt_report r;
	int fds[2], rep[2], st;
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, PBUF, 0));
	ASSERT_EQ(0, pipe(rep));
	pid = spawn_writer(fds[1], fds[0], rep[1], 0, 3 * PBUF);
	ASSERT_LE(0, pid);
	close(fds[1]);
	ASSERT_EQ(0, wait_state(fds[0], PBUF, PBUF, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(256 + SIGKILL, st);
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	EXPECT_EQ(0, read_pat(fds[0], 0, PBUF, 1000));
	EXPECT_EQ(0, xread(fds[0], &r, sizeof(r)));
}

/* Close and exit races: the reader always gets everything, then EOF. */
TEST_F_TIMEOUT(kipc, eof_exit_races, 90)
{
	uint8_t buf[3000];
	uint64_t total;
	int fds[2], i, st;
	ssize_t r;
	pid_t pid;

	/* kt_fork() allows 32 children a test. */
	for (i = 0; i < 30; i++) {
		size_t len = 1 + (i * 2713) % 20000;

		ASSERT_EQ(0, kipc_pipe(fds, 8192, 0));
		pid = kt_fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			close(fds[0]);
			_exit(write_pat(fds[1], 0, len) == (ssize_t)len ? 0 : 1);
		}
		close(fds[1]);
		total = 0;
		for (;;) {
			r = xread(fds[0], buf, (i % 3) ? sizeof(buf) : (size_t)(1 + i));
			ASSERT_LE(0, r) TH_LOG("round %d", i);
			if (!r)
				break;
			ASSERT_EQ(-1, bad_pat(buf, total, r)) TH_LOG("round %d", i);
			total += r;
		}
		EXPECT_EQ(len, total) TH_LOG("round %d", i);
		st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
		EXPECT_EQ(0, st);
		close(fds[0]);
	}
}

/* ---- EPIPE and SIGPIPE ---------------------------------------------------------------- */

/* The default action of SIGPIPE kills a writer whose readers are gone. */
TEST_F(kipc, epipe_sigpipe_kills)
{
	int fds[2], st;
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	close(fds[0]);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		kt_block_signal(SIGPIPE, false);
		if (write(fds[1], "x", 1) != -1)
			_exit(1);
		_exit(errno == EPIPE ? 2 : 3);
	}
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(256 + SIGPIPE, st);
}

TEST_F(kipc, epipe_sigpipe_delivered)
{
	struct kipc_pipe_info in;
	siginfo_t si;
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	kt_block_signal(SIGPIPE, true);
	ASSERT_EQ(3, xwrite(fds[1], "abc", 3));
	EXPECT_FALSE(kt_sig_pending(SIGPIPE));
	close(fds[0]);
	EXPECT_EQ(-EPIPE, xwrite(fds[1], "d", 1));
	memset(&si, 0, sizeof(si));
	ASSERT_EQ(1, kt_take_signal(SIGPIPE, &si, 0));
	EXPECT_EQ(SIGPIPE, si.si_signo);
	EXPECT_EQ(SI_USER, si.si_code);
	EXPECT_EQ(getpid(), si.si_pid);
	/* Every failed write raises it again. */
	EXPECT_EQ(-EPIPE, write_pat(fds[1], 0, 3 * PBUF));
	EXPECT_EQ(1, kt_take_signal(SIGPIPE, &si, 0));
	ASSERT_EQ(0, p_info(fds[1], &in));
	EXPECT_EQ(3ULL, in.written);
	EXPECT_EQ(0U, in.readers);
	EXPECT_EQ(POLLERR | POLL_WR, poll_now(fds[1]));
}

TEST_F(kipc, epipe_sigpipe_ignored)
{
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	/* (A blocked signal is never ignored: it stays pending.) */
	kt_block_signal(SIGPIPE, false);
	signal(SIGPIPE, SIG_IGN);
	close(fds[0]);
	EXPECT_EQ(-EPIPE, xwrite(fds[1], "x", 1));
	EXPECT_EQ(-EPIPE, write_pat(fds[1], 0, 3 * PBUF));
	EXPECT_FALSE(kt_sig_pending(SIGPIPE));
}

/* A writer blocked on a full pipe fails with EPIPE when the readers go. */
TEST_F(kipc, epipe_wakes_blocked_writer)
{
	struct thread_io t = { .len = 10, .ret = 99 };
	pthread_t th;
	int fds[2];

	kt_block_signal(SIGPIPE, true);
	ASSERT_EQ(0, kipc_pipe(fds, PBUF, 0));
	ASSERT_EQ(PBUF, write_pat(fds[1], 0, PBUF));
	EXPECT_EQ(0, poll_now(fds[1]));
	t.fd = fds[1];
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_write, &t));
	ASSERT_EQ(0, wait_thread_blocked(&t));
	EXPECT_EQ(99, t.ret);
	close(fds[0]);
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EPIPE, t.ret);
	EXPECT_TRUE(t.sigpipe);
	EXPECT_EQ(POLLERR, poll_now(fds[1]));
}

/* A long write cut short by the readers' end returns what it wrote. */
TEST_F(kipc, epipe_long_write_partial)
{
	struct thread_io t = { .len = 10000, .ret = 99 };
	pthread_t th;
	int fds[2];

	kt_block_signal(SIGPIPE, true);
	ASSERT_EQ(0, kipc_pipe(fds, PBUF, 0));
	t.fd = fds[1];
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_write, &t));
	ASSERT_EQ(0, wait_state(fds[0], PBUF, PBUF, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, wait_thread_blocked(&t));
	EXPECT_EQ(0, read_pat(fds[0], 0, PBUF, PBUF));
	ASSERT_EQ(0, wait_state(fds[0], PBUF, 2 * PBUF, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kt_wait_sleeping(t.tid, KT_CHILD_TIMEOUT_MS));
	close(fds[0]);
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(2 * PBUF, t.ret);
	EXPECT_TRUE(t.sigpipe);
}

/* A reader process killed while a writer waits for room: EPIPE. */
TEST_F(kipc, epipe_when_last_reader_exits)
{
	struct kt_report r;
	int fds[2], rep[2], go[2];
	pid_t rd, wr;

	ASSERT_EQ(0, kipc_pipe(fds, PBUF, 0));
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(go));
	rd = kt_fork();
	ASSERT_LE(0, rd);
	if (rd == 0) {
		char g;

		close(fds[1]);
		if (read(go[0], &g, 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(fds[0]);
	wr = spawn_writer(fds[1], -1, rep[1], 0, 2 * PBUF);
	ASSERT_LE(0, wr);
	ASSERT_EQ(0, wait_state(fds[1], PBUF, PBUF, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kt_wait_sleeping(wr, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(1, xwrite(go[1], "g", 1));
	EXPECT_EQ(0, kt_reap(rd, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(PBUF, r.ret);
	EXPECT_EQ(0, kt_reap(wr, KT_CHILD_TIMEOUT_MS));
}

/* ---- O_NONBLOCK ---------------------------------------------------------------------- */

TEST_F(kipc, nonblock_read_eagain)
{
	char buf[8];
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, 0, KIPC_FD_NONBLOCK));
	EXPECT_EQ(-EAGAIN, xread(fds[0], buf, sizeof(buf)));
	ASSERT_EQ(1, xwrite(fds[1], "1", 1));
	EXPECT_EQ(1, xread(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(-EAGAIN, xread(fds[0], buf, sizeof(buf)));
	/* End-of-file, not EAGAIN, once the writers are gone. */
	close(fds[1]);
	EXPECT_EQ(0, xread(fds[0], buf, sizeof(buf)));
}

TEST_F(kipc, nonblock_write_eagain)
{
	struct kipc_pipe_info in;
	uint8_t buf[200];
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, PBUF, KIPC_FD_NONBLOCK));
	EXPECT_EQ(PBUF, write_pat(fds[1], 0, PBUF));
	EXPECT_EQ(-EAGAIN, write_pat(fds[1], PBUF, 1));
	EXPECT_EQ(-EAGAIN, write_pat(fds[1], PBUF, 2 * PBUF));
	EXPECT_EQ(1, xread(fds[0], buf, 1));
	/* One byte free: enough for one byte. */
	EXPECT_EQ(1, write_pat(fds[1], PBUF, 1));
	EXPECT_EQ(-EAGAIN, write_pat(fds[1], PBUF + 1, 1));
	EXPECT_EQ(100, xread(fds[0], buf, 100));
	/* 100 free: an atomic write needs all its room... */
	EXPECT_EQ(-EAGAIN, write_pat(fds[1], PBUF + 1, 101));
	EXPECT_EQ(-EAGAIN, write_pat(fds[1], PBUF + 1, PBUF));
	/* ...a longer one takes what there is. */
	EXPECT_EQ(100, write_pat(fds[1], PBUF + 1, PBUF + 1));
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ((uint32_t)PBUF, in.used);
	EXPECT_EQ((uint64_t)PBUF + 101, in.written);
	EXPECT_EQ(0, read_pat(fds[0], 101, PBUF, 777));
}

/* O_NONBLOCK set and cleared later with fcntl(2). */
TEST_F(kipc, nonblock_by_fcntl)
{
	char buf[8];
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, PBUF, 0));
	ASSERT_EQ(0, set_nonblock(fds[0], true));
	ASSERT_EQ(0, set_nonblock(fds[1], true));
	EXPECT_EQ(-EAGAIN, xread(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(PBUF, write_pat(fds[1], 0, PBUF));
	EXPECT_EQ(-EAGAIN, xwrite(fds[1], "x", 1));
	ASSERT_EQ(0, set_nonblock(fds[0], false));
	EXPECT_EQ(8, xread(fds[0], buf, sizeof(buf)));
}

/* ---- atomic and long writes ---------------------------------------------------------- */

/* A write of KIPC_PIPE_BUF bytes waits until all of them fit. */
TEST_F(kipc, atomic_write_waits_for_room)
{
	struct kt_report r;
	uint8_t buf[128];
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, PBUF, 0));
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(100, write_pat(fds[1], 0, 100));
	pid = spawn_writer(fds[1], fds[0], rep[1], 100, PBUF);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, poll_now(fds[1]));
	/* 50 bytes free, then 99: not enough, nothing of it is written. */
	EXPECT_EQ(50, xread(fds[0], buf, 50));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 20));
	EXPECT_EQ(49, xread(fds[0], buf + 50, 49));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 20));
	EXPECT_EQ(0, wait_state(fds[0], 1, 100, 0));
	/* The last byte: now it fits, as a whole. */
	EXPECT_EQ(1, xread(fds[0], buf + 99, 1));
	EXPECT_EQ(-1, bad_pat(buf, 0, 100));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(PBUF, r.ret);
	EXPECT_EQ(0, wait_state(fds[0], PBUF, 100 + PBUF, 0));
	EXPECT_EQ(0, read_pat(fds[0], 100, PBUF, PBUF));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* A write longer than the pipe goes in as room comes, and completes. */
TEST_F(kipc, long_write_split)
{
	const size_t len = 100000;
	struct kt_report r;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, PBUF, 0));
	ASSERT_EQ(0, pipe(rep));
	pid = spawn_writer(fds[1], fds[0], rep[1], 0, len);
	ASSERT_LE(0, pid);
	/* It fills the pipe and waits. */
	ASSERT_EQ(0, wait_state(fds[0], PBUF, PBUF, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 20));
	EXPECT_EQ(0, read_pat(fds[0], 0, len, 3000));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ((int)len, r.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0U, p_used(fds[0]));
}

/* ---- bad buffers ------------------------------------------------------------------------ */

TEST_F(kipc, write_bad_buffer)
{
	char *bad = kt_noaccess_page(), *edge = kt_guard_boundary();
	struct kipc_pipe_info in;
	ssize_t n;
	int fds[2];

	ASSERT_NE(NULL, bad);
	ASSERT_NE(NULL, edge);
	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	EXPECT_EQ(-EFAULT, xwrite(fds[1], bad, 10));
	EXPECT_EQ(-EFAULT, xwrite(fds[1], bad, 3 * PBUF));
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(0U, in.used);
	EXPECT_EQ(0ULL, in.written);
	/* A buffer running into a hole: what comes before it is written. */
	fill_pat((uint8_t *)edge - 100, 0, 100);
	n = xwrite(fds[1], edge - 100, 200);
	EXPECT_LT(0, n);
	EXPECT_GE(100, n);
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ((uint64_t)n, in.written);
	EXPECT_EQ(0, read_pat(fds[0], 0, n, 1000));
	EXPECT_EQ(0U, p_used(fds[0]));
}

TEST_F(kipc, read_bad_buffer_keeps_data)
{
	char *bad = kt_noaccess_page(), *edge = kt_guard_boundary();
	struct kipc_pipe_info in;
	ssize_t n;
	int fds[2];

	ASSERT_NE(NULL, bad);
	ASSERT_NE(NULL, edge);
	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ASSERT_EQ(200, write_pat(fds[1], 0, 200));
	EXPECT_EQ(-EFAULT, xread(fds[0], bad, 10));
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(200U, in.used);
	EXPECT_EQ(0ULL, in.read);
	/* A buffer running into a hole gets what fits before it. */
	n = xread(fds[0], edge - 50, 200);
	EXPECT_LT(0, n);
	EXPECT_GE(50, n);
	EXPECT_EQ(-1, bad_pat((uint8_t *)edge - 50, 0, n));
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(200U - n, in.used);
	EXPECT_EQ(0, read_pat(fds[0], n, 200 - n, 1000));
}

/* ---- capacity ------------------------------------------------------------------------- */

TEST_F(kipc, set_capacity_keeps_data)
{
	uint64_t b0 = kt_stats_uid_bytes(), wpos = 0, rpos = 0;
	struct kipc_pipe_info in;
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, PBUF, 0));
	EXPECT_EQ(b0 + PBUF, kt_stats_uid_bytes());
	/* Make the data wrap around the end of the ring. */
	ASSERT_EQ(3000, write_pat(fds[1], wpos, 3000));
	wpos += 3000;
	ASSERT_EQ(0, read_pat(fds[0], rpos, 2000, 2000));
	rpos += 2000;
	ASSERT_EQ(3000, write_pat(fds[1], wpos, 3000));
	wpos += 3000;

	/* Grow: rounded up, charged, data kept in order. */
	EXPECT_EQ(131072, kipc_pipe_set_capacity(fds[1], 100000));
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(131072U, in.capacity);
	EXPECT_EQ(4000U, in.used);
	EXPECT_EQ(b0 + 131072, kt_stats_uid_bytes());
	ASSERT_EQ(100000, write_pat(fds[1], wpos, 100000));
	wpos += 100000;
	ASSERT_EQ(0, read_pat(fds[0], rpos, 101000, 7000));
	rpos += 101000;
	/* Queue 5000 bytes that wrap in the big ring (at 131072)... */
	ASSERT_EQ(30000, write_pat(fds[1], wpos, 30000));
	wpos += 30000;
	ASSERT_EQ(0, read_pat(fds[0], rpos, 28000, 6000));
	rpos += 28000;
	ASSERT_EQ(131000ULL, rpos);
	ASSERT_EQ(136000ULL, wpos);

	/* ...and shrink, so that they wrap in the small one too. */
	EXPECT_EQ(8192, kipc_pipe_set_capacity(fds[1], 8192));
	EXPECT_EQ(b0 + 8192, kt_stats_uid_bytes());
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(8192U, in.capacity);
	EXPECT_EQ(5000U, in.used);
	ASSERT_EQ(3192, write_pat(fds[1], wpos, 3192));
	wpos += 3192;
	EXPECT_EQ(POLL_RD, poll_now(fds[0]));
	EXPECT_EQ(0, poll_now(fds[1]));
	ASSERT_EQ(0, read_pat(fds[0], rpos, 8192, 3333));
	rpos += 8192;

	/* The same size, and the default. */
	EXPECT_EQ(8192, kipc_pipe_set_capacity(fds[1], 5000));
	EXPECT_EQ(b0 + 8192, kt_stats_uid_bytes());
	EXPECT_EQ(DEF_CAP, kipc_pipe_set_capacity(fds[1], 0));
	EXPECT_EQ(b0 + DEF_CAP, kt_stats_uid_bytes());
	EXPECT_EQ(PBUF, kipc_pipe_set_capacity(fds[1], 1));
	EXPECT_EQ(b0 + PBUF, kt_stats_uid_bytes());
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(wpos, in.written);
	EXPECT_EQ(rpos, in.read);
}

TEST_F(kipc, set_capacity_ebusy)
{
	uint64_t b0 = kt_stats_uid_bytes();
	struct kipc_pipe_info in;
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, 16384, 0));
	ASSERT_EQ(8193, write_pat(fds[1], 0, 8193));
	EXPECT_EQ(-EBUSY, kipc_pipe_set_capacity(fds[1], 8192));
	EXPECT_EQ(-EBUSY, kipc_pipe_set_capacity(fds[1], PBUF));
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(16384U, in.capacity);
	EXPECT_EQ(8193U, in.used);
	EXPECT_EQ(b0 + 16384, kt_stats_uid_bytes());
	ASSERT_EQ(0, read_pat(fds[0], 0, 1, 1));
	/* Exactly full is fine. */
	EXPECT_EQ(8192, kipc_pipe_set_capacity(fds[1], 8192));
	EXPECT_EQ(0, poll_now(fds[1]));
	ASSERT_EQ(0, read_pat(fds[0], 1, 8192, 8192));
}

TEST_F(kipc, set_capacity_limits)
{
	struct kipc_pipe_info in;
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	EXPECT_EQ((long)MAX_CAP, kipc_pipe_set_capacity(fds[1], MAX_CAP));
	EXPECT_EQ(-EINVAL, kipc_pipe_set_capacity(fds[1], MAX_CAP + 1));
	EXPECT_EQ(-EINVAL, kipc_pipe_set_capacity(fds[1], UINT32_MAX));
	ASSERT_EQ(0, kt_param_set("max_pipe_capacity", 16384));
	/* Lowering the limit leaves existing pipes alone... */
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(MAX_CAP, in.capacity);
	/* ...but bounds their resizes. */
	EXPECT_EQ(-EINVAL, kipc_pipe_set_capacity(fds[1], 16385));
	EXPECT_EQ(-EINVAL, kipc_pipe_set_capacity(fds[1], 0));
	EXPECT_EQ(16384, kipc_pipe_set_capacity(fds[1], 16384));
}

TEST_F(kipc, set_capacity_invalid_args)
{
	struct {
		struct kipc_pipe_capacity c;
		uint64_t tail[2];
	} big;
	struct kipc_pipe_capacity c, *ro;
	struct kipc_pipe_info in;
	int fds[2], i;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	for (i = 0; i < 32; i++) {
		memset(&c, 0, sizeof(c));
		c.capacity = 8192;
		c.flags = 1U << i;
		EXPECT_EQ(-EINVAL, set_cap_raw(fds[1], &c));
	}
	for (i = 0; i < 2; i++) {
		memset(&c, 0, sizeof(c));
		c.capacity = 8192;
		c.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, set_cap_raw(fds[1], &c));
	}
	/* Sizes in the ioctl number. */
	memset(&big, 0, sizeof(big));
	big.c.capacity = 8192;
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[1], KT_IOC_RESIZE(KIPC_PIPE_IOC_SET_CAPACITY,
				   KIPC_PIPE_CAPACITY_SIZE_VER0 - 8), &big));
	big.tail[0] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(fds[1], KT_IOC_RESIZE(KIPC_PIPE_IOC_SET_CAPACITY,
				  sizeof(big)), &big));
	big.tail[0] = 0;
	big.c.capacity = 5000;
	EXPECT_EQ(0, kt_ioctl(fds[1], KT_IOC_RESIZE(KIPC_PIPE_IOC_SET_CAPACITY,
			      sizeof(big)), &big));
	EXPECT_EQ(8192U, big.c.capacity);
	EXPECT_EQ(0ULL, big.tail[0]);
	/* The wrong direction is another command. */
	EXPECT_EQ(-ENOTTY, kt_ioctl(fds[1], _IOW(KIPC_IOC_MAGIC, 0x50,
					 struct kipc_pipe_capacity), &c));
	/* Bad pointers, and a struct that cannot take the answer. */
	EXPECT_EQ(-EFAULT, set_cap_raw(fds[1], kt_noaccess_page()));
	EXPECT_EQ(-EFAULT, set_cap_raw(fds[1], NULL));
	memset(&c, 0, sizeof(c));
	c.capacity = 65536;
	ro = kt_readonly_copy(&c, sizeof(c));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, set_cap_raw(fds[1], ro));
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(8192U, in.capacity);
}

TEST_F(kipc, set_capacity_edquot)
{
	uint64_t b0;
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, PBUF, 0));
	b0 = kt_stats_uid_bytes();
	ASSERT_EQ(0, kt_param_set("max_bytes_per_uid", b0 + PBUF));
	EXPECT_EQ(8192, kipc_pipe_set_capacity(fds[1], 8192));
	EXPECT_EQ(b0 + PBUF, kt_stats_uid_bytes());
	EXPECT_EQ(-EDQUOT, kipc_pipe_set_capacity(fds[1], 16384));
	EXPECT_EQ(b0 + PBUF, kt_stats_uid_bytes());
	EXPECT_EQ(8192U, p_cap(fds[0]));
	/* Shrinking always works, and frees budget. */
	EXPECT_EQ(PBUF, kipc_pipe_set_capacity(fds[1], PBUF));
	EXPECT_EQ(b0, kt_stats_uid_bytes());
	EXPECT_EQ(-EDQUOT, kipc_pipe_set_capacity(fds[1], 16384));
	EXPECT_EQ(8192, kipc_pipe_set_capacity(fds[1], 8192));
}

/* A resize by another uid is charged to the account charged at creation. */
TEST_F(kipc, set_capacity_charges_creator)
{
	const char *name = kt_name("cap");
	uint64_t b0 = kt_stats_uid_bytes();
	int fd, st;
	pid_t pid;

	fd = kipc_pipe_create(name, 0666, PBUF, KIPC_FD_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(b0 + PBUF, kt_stats_uid_bytes());
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_stats s;
		int w;

		close(fd);
		if (kt_become(65534, 65534))
			_exit(1);
		w = kipc_pipe_open(name, KIPC_FD_WRONLY);
		if (w < 0)
			_exit(2);
		if (kipc_pipe_set_capacity(w, 65536) != 65536)
			_exit(3);
		if (kipc_stats(&s) || s.uid_bytes || s.uid_objects)
			_exit(4);
		_exit(0);
	}
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	EXPECT_EQ(b0 + 65536, kt_stats_uid_bytes());
	close(fd);
	EXPECT_EQ(0, kipc_unlink(KIPC_TYPE_PIPE, name));
	EXPECT_EQ(b0, kt_stats_uid_bytes());
}

/* Growing a full pipe releases a writer waiting for room. */
TEST_F(kipc, set_capacity_wakes_writer)
{
	struct kt_report r;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, PBUF, 0));
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(PBUF, write_pat(fds[1], 0, PBUF));
	pid = spawn_writer(fds[1], fds[0], rep[1], PBUF, 100);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 20));
	EXPECT_EQ(8192, kipc_pipe_set_capacity(fds[1], 8192));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(100, r.ret);
	EXPECT_EQ(0, read_pat(fds[0], 0, PBUF + 100, 5000));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* ---- info and fdinfo ---------------------------------------------------------------------- */

TEST_F(kipc, info_counts_files)
{
	struct kipc_pipe_info in;
	int fds[2], r2, rw, d, st;
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	r2 = kipc_reopen(fds[0], KIPC_FD_RDONLY);
	ASSERT_LE(0, r2);
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(2U, in.readers);
	EXPECT_EQ(1U, in.writers);
	/* Read and write: both. */
	rw = kipc_reopen(fds[1], 0);
	ASSERT_LE(0, rw);
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(3U, in.readers);
	EXPECT_EQ(2U, in.writers);
	/* dup(2) and fork(2) make no new file. */
	d = dup(rw);
	ASSERT_LE(0, d);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (kipc_pipe_info(d, &in) || in.readers != 3 || in.writers != 2)
			_exit(1);
		_exit(0);
	}
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	close(rw);
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(3U, in.readers);
	close(d);
	close(r2);
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(1U, in.readers);
	EXPECT_EQ(1U, in.writers);
	close(fds[0]);
	ASSERT_EQ(0, p_info(fds[1], &in));
	EXPECT_EQ(0U, in.readers);
	EXPECT_EQ(1U, in.writers);
}

TEST_F(kipc, info_invalid_args)
{
	struct {
		struct kipc_pipe_info in;
		uint64_t tail[2];
	} big;
	struct kipc_pipe_info in;
	int fds[2], i;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ASSERT_EQ(5, xwrite(fds[1], "hello", 5));
	for (i = 0; i < 32; i++) {
		memset(&in, 0, sizeof(in));
		in.flags = 1U << i;
		EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_PIPE_IOC_INFO, &in));
	}
	for (i = 0; i < 4; i++) {
		memset(&in, 0, sizeof(in));
		in.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_PIPE_IOC_INFO, &in));
	}
	EXPECT_EQ(-EFAULT, kt_ioctl(fds[0], KIPC_PIPE_IOC_INFO,
				    kt_noaccess_page()));
	/* Outputs are ignored on input. */
	memset(&in, 0xff, sizeof(in));
	in.flags = 0;
	memset(in.reserved, 0, sizeof(in.reserved));
	ASSERT_EQ(0, kt_ioctl(fds[0], KIPC_PIPE_IOC_INFO, &in));
	EXPECT_EQ(5U, in.used);
	/* Sizes. */
	memset(&big, 0, sizeof(big));
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KT_IOC_RESIZE(KIPC_PIPE_IOC_INFO,
				    KIPC_PIPE_INFO_SIZE_VER0 - 8), &big));
	big.tail[1] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(fds[0], KT_IOC_RESIZE(KIPC_PIPE_IOC_INFO,
				   sizeof(big)), &big));
	big.tail[1] = 0;
	ASSERT_EQ(0, kt_ioctl(fds[0], KT_IOC_RESIZE(KIPC_PIPE_IOC_INFO,
			      sizeof(big)), &big));
	EXPECT_EQ(5U, big.in.used);
	EXPECT_EQ(DEF_CAP, big.in.capacity);
	EXPECT_EQ(0ULL, big.tail[0]);
}

/* Pipe ioctls on other objects, and others' on a pipe: ENOTTY. */
TEST_F(kipc, ioctls_enotty_elsewhere)
{
	struct kipc_pipe_capacity c = { .capacity = 8192 };
	struct kipc_queue_info qi;
	struct kipc_event_info ei;
	struct kipc_pipe_info in;
	int fds[2], ev, q;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ev = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, ev);
	q = kipc_queue_create(NULL, 0600, 1, 8, 0);
	ASSERT_LE(0, q);
	memset(&in, 0, sizeof(in));
	EXPECT_EQ(-ENOTTY, kt_ioctl(ev, KIPC_PIPE_IOC_INFO, &in));
	EXPECT_EQ(-ENOTTY, kt_ioctl(q, KIPC_PIPE_IOC_SET_CAPACITY, &c));
	EXPECT_EQ(-ENOTTY, kt_ioctl(kt_dev(), KIPC_PIPE_IOC_INFO, &in));
	memset(&ei, 0, sizeof(ei));
	memset(&qi, 0, sizeof(qi));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fds[0], KIPC_EVENT_IOC_INFO, &ei));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fds[0], KIPC_QUEUE_IOC_INFO, &qi));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fds[0], _IOWR(KIPC_IOC_MAGIC, 0x5f,
					    struct kipc_pipe_info), &in));
	/* Pipes cannot be mapped. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, fds[0], 0));
	EXPECT_EQ(ENODEV, errno);
}

TEST_F(kipc, fdinfo_lines)
{
	const char *name = kt_name("fdinfo");
	char buf[4096];
	int fd, wr;

	fd = kipc_pipe_create(name, 0640, 10000, KIPC_FD_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_read_fdinfo(fd, buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "kipc-type:\tpipe");
	KT_EXPECT_LINE(buf, "kipc-name:\t%s", name);
	KT_EXPECT_LINE(buf, "kipc-mode:\t0640");
	KT_EXPECT_LINE(buf, "pipe-capacity:\t16384");
	KT_EXPECT_LINE(buf, "pipe-used:\t0");
	KT_EXPECT_LINE(buf, "pipe-readers:\t1");
	KT_EXPECT_LINE(buf, "pipe-writers:\t0");
	KT_EXPECT_LINE(buf, "pipe-read:\t0");
	KT_EXPECT_LINE(buf, "pipe-written:\t0");

	wr = kipc_pipe_open(name, KIPC_FD_WRONLY);
	ASSERT_LE(0, wr);
	ASSERT_EQ(1000, write_pat(wr, 0, 1000));
	ASSERT_EQ(0, read_pat(fd, 0, 300, 300));
	ASSERT_EQ(0, kt_read_fdinfo(wr, buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "pipe-used:\t700");
	KT_EXPECT_LINE(buf, "pipe-readers:\t1");
	KT_EXPECT_LINE(buf, "pipe-writers:\t1");
	KT_EXPECT_LINE(buf, "pipe-read:\t300");
	KT_EXPECT_LINE(buf, "pipe-written:\t1000");
}

/* ---- poll and epoll ------------------------------------------------------------------------- */

TEST_F(kipc, poll_read_end)
{
	char buf[8];
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	EXPECT_EQ(0, poll_now(fds[0]));
	ASSERT_EQ(1, xwrite(fds[1], "x", 1));
	EXPECT_EQ(POLL_RD, poll_now(fds[0]));
	EXPECT_EQ(POLL_RD, poll_now(fds[0]));	/* polling takes nothing */
	ASSERT_EQ(1, xread(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, poll_now(fds[0]));
	ASSERT_EQ(1, xwrite(fds[1], "y", 1));
	close(fds[1]);
	EXPECT_EQ(POLL_RD | POLLHUP, poll_now(fds[0]));
	ASSERT_EQ(1, xread(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(POLLHUP, poll_now(fds[0]));
}

TEST_F(kipc, poll_write_end)
{
	char buf[8];
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, PBUF, 0));
	EXPECT_EQ(POLL_WR, poll_now(fds[1]));
	/* Writable means room for an atomic write. */
	ASSERT_EQ(1, xwrite(fds[1], "x", 1));
	EXPECT_EQ(0, poll_now(fds[1]));
	ASSERT_EQ(1, xread(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(POLL_WR, poll_now(fds[1]));
	EXPECT_EQ(8192, kipc_pipe_set_capacity(fds[1], 8192));
	ASSERT_EQ(PBUF, write_pat(fds[1], 0, PBUF));
	EXPECT_EQ(POLL_WR, poll_now(fds[1]));
	ASSERT_EQ(1, xwrite(fds[1], "x", 1));
	EXPECT_EQ(0, poll_now(fds[1]));
	/* The readers' end is an error. */
	close(fds[0]);
	EXPECT_EQ(POLLERR, poll_now(fds[1]));
	EXPECT_EQ(16384, kipc_pipe_set_capacity(fds[1], 16384));
	EXPECT_EQ(POLLERR | POLL_WR, poll_now(fds[1]));
}

/* A file open for both reports both sides; it never hangs up on itself. */
TEST_F(kipc, poll_read_write_fd)
{
	const char *name = kt_name("pollrw");
	int fd, rd;

	fd = kipc_pipe_create(name, 0600, PBUF, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(POLL_WR, poll_now(fd));
	ASSERT_EQ(10, write_pat(fd, 0, 10));
	EXPECT_EQ(POLL_RD, poll_now(fd));
	ASSERT_EQ(0, read_pat(fd, 0, 10, 10));
	EXPECT_EQ(POLL_WR, poll_now(fd));
	/* A reader that comes and goes is no error: this fd reads too. */
	rd = kipc_pipe_open(name, KIPC_FD_RDONLY);
	ASSERT_LE(0, rd);
	close(rd);
	EXPECT_EQ(POLL_WR, poll_now(fd));
}

/* No POLLHUP for a reader before any writer has been open. */
TEST_F(kipc, poll_no_hup_before_writer)
{
	const char *name = kt_name("nohup");
	int rd, wr;

	rd = kipc_pipe_create(name, 0600, 0, KIPC_FD_RDONLY);
	ASSERT_LE(0, rd);
	EXPECT_EQ(0, poll_now(rd));
	wr = kipc_pipe_open(name, KIPC_FD_WRONLY);
	ASSERT_LE(0, wr);
	EXPECT_EQ(0, poll_now(rd));
	close(wr);
	EXPECT_EQ(POLLHUP, poll_now(rd));
}

/*
 * A child that closes @close_fd, polls @fd for @events, and reports
 * { 0, poll(), revents }.
 */
static pid_t spawn_poller(int fd, int close_fd, int rep, short events)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		struct pollfd p = { .fd = fd, .events = events };
		int ret;

		if (close_fd >= 0)
			close(close_fd);
		ret = poll(&p, 1, KT_CHILD_TIMEOUT_MS);
		kt_report(rep, 0, ret, (uint64_t)p.revents);
		_exit(0);
	}
	return pid;
}

enum poll_case { PC_DATA, PC_ROOM, PC_HUP, PC_ERR, PC_GROW };

static void check_poll_wakes(struct __test_metadata *_metadata,
			     enum poll_case pc)
{
	bool reader = pc == PC_DATA || pc == PC_HUP;
	uint64_t want[] = { POLLIN, POLLOUT, POLLHUP, POLLERR, POLLOUT };
	struct kt_report r;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, PBUF, 0));
	ASSERT_EQ(0, pipe(rep));
	if (!reader)
		ASSERT_EQ(PBUF, write_pat(fds[1], 0, PBUF));
	pid = spawn_poller(fds[!reader], fds[reader], rep[1],
			   reader ? POLLIN : POLLOUT);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 20));
	switch (pc) {
	case PC_DATA:
		ASSERT_EQ(1, xwrite(fds[1], "x", 1));
		break;
	case PC_ROOM:
		ASSERT_EQ(0, read_pat(fds[0], 0, PBUF, PBUF));
		break;
	case PC_HUP:
		close(fds[1]);
		break;
	case PC_ERR:
		close(fds[0]);
		break;
	case PC_GROW:
		ASSERT_EQ(8192, kipc_pipe_set_capacity(fds[1], 8192));
		break;
	}
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ(want[pc], r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

TEST_F(kipc, poll_wakes_on_data)
{
	check_poll_wakes(_metadata, PC_DATA);
}

TEST_F(kipc, poll_wakes_on_room)
{
	check_poll_wakes(_metadata, PC_ROOM);
}

TEST_F(kipc, poll_wakes_on_hangup)
{
	check_poll_wakes(_metadata, PC_HUP);
}

TEST_F(kipc, poll_wakes_on_readers_gone)
{
	check_poll_wakes(_metadata, PC_ERR);
}

TEST_F(kipc, poll_wakes_on_growth)
{
	check_poll_wakes(_metadata, PC_GROW);
}

TEST_F(kipc, epoll_readiness)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int fds[2], ep;
	char buf[8];

	ASSERT_EQ(0, kipc_pipe(fds, PBUF, 0));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ev.data.u64 = 0;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev));
	ev.events = EPOLLOUT;
	ev.data.u64 = 1;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fds[1], &ev));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ(1ULL, (unsigned long long)out.data.u64);
	EXPECT_EQ((uint32_t)EPOLLOUT, out.events);
	ASSERT_EQ(PBUF, write_pat(fds[1], 0, PBUF));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ(0ULL, (unsigned long long)out.data.u64);
	EXPECT_EQ((uint32_t)EPOLLIN, out.events);
	ASSERT_EQ(0, read_pat(fds[0], 0, PBUF, PBUF));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ(1ULL, (unsigned long long)out.data.u64);

	/* Edge-triggered EPOLLIN: one report per write. */
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 0;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_MOD, fds[0], &ev));
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_DEL, fds[1], NULL));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(1, xwrite(fds[1], "y", 1));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ((uint32_t)EPOLLIN, out.events);
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(1, xwrite(fds[1], "z", 1));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ(2, xread(fds[0], buf, sizeof(buf)));
	/* Hang-up is reported without being asked for. */
	close(fds[1]);
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ((uint32_t)EPOLLHUP, out.events);
}

TEST_F(kipc, epoll_wakes_blocked_waiter)
{
	struct kt_report r;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct epoll_event ev = { .events = EPOLLIN }, out = { 0 };
		int ep = epoll_create1(EPOLL_CLOEXEC), ret;

		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev))
			_exit(1);
		ret = epoll_wait(ep, &out, 1, KT_CHILD_TIMEOUT_MS);
		kt_report(rep[1], 0, ret, out.events);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(3, xwrite(fds[1], "abc", 3));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ((uint64_t)EPOLLIN, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* ---- signals and blocked calls -------------------------------------------------------------- */

/*
 * A child that installs on_usr1 for SIGUSR1 (with @flags), closes
 * @close_fd, then reads up to @len bytes from @fd (@writing false) or
 * writes @len bytes of the stream from @pos to it, and reports { 0,
 * result or -errno, first 8 bytes read }.
 */
static pid_t spawn_blocked(int fd, int close_fd, bool writing, size_t len,
			   uint64_t pos, int rep, int hfd, int flags)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		uint8_t buf[64];
		uint64_t v = 0;
		ssize_t ret;

		if (kt_catch_signal(SIGUSR1, hfd, flags))
			_exit(91);
		ignore_sigpipe();
		close(close_fd);
		if (writing) {
			ret = write_pat(fd, pos, len);
		} else {
			ret = xread(fd, buf, len < sizeof(buf) ? len : sizeof(buf));
			if (ret > 0)
				memcpy(&v, buf, ret < 8 ? ret : 8);
		}
		kt_report(rep, 0, (int)ret, v);
		_exit(0);
	}
	return pid;
}

/*
 * Block a read (@writing false) or a write of @len bytes (into a full
 * pipe, or a longer one into an empty pipe) in a child, and send it
 * SIGUSR1 with a handler installed with @flags.
 */
static void check_signal(struct __test_metadata *_metadata, bool writing,
			 size_t len, int flags)
{
	bool restart = flags & SA_RESTART, full = writing && len <= PBUF;
	struct kipc_pipe_info in;
	struct kt_report r;
	int fds[2], rep[2], hp[2];
	uint64_t pos = full ? PBUF : 0;
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, PBUF, 0));
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	if (full)
		ASSERT_EQ(PBUF, write_pat(fds[1], 0, PBUF));
	pid = spawn_blocked(fds[writing], fds[!writing], writing, len, pos,
			    rep[1], hp[1], flags);
	ASSERT_LE(0, pid);
	if (writing && !full)	/* a long write, blocked after a pipeful */
		ASSERT_EQ(0, wait_state(fds[0], PBUF, PBUF, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ('h', kt_read_byte(hp[0], KT_CHILD_TIMEOUT_MS));

	if (writing && !full) {
		/* Some was written: the write returns that, restart or not. */
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(PBUF, r.ret);
		EXPECT_EQ(0, read_pat(fds[0], 0, PBUF, 1000));
	} else if (!restart) {
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(-EINTR, r.ret);
		ASSERT_EQ(0, p_info(fds[0], &in));
		/* Nothing was taken, nothing was written. */
		EXPECT_EQ(full ? (uint64_t)PBUF : 0, in.written);
		EXPECT_EQ(0ULL, in.read);
	} else {
		/* The call went on: it blocks again. */
		ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, kt_read_report(rep[0], &r, 50));
		if (writing) {
			ASSERT_EQ(0, read_pat(fds[0], 0, PBUF, PBUF));
			ASSERT_EQ(1, kt_read_report(rep[0], &r,
						    KT_CHILD_TIMEOUT_MS));
			EXPECT_EQ((int)len, r.ret);
			EXPECT_EQ(0, read_pat(fds[0], PBUF, len, len));
		} else {
			ASSERT_EQ(4, xwrite(fds[1], "more", 4));
			ASSERT_EQ(1, kt_read_report(rep[0], &r,
						    KT_CHILD_TIMEOUT_MS));
			EXPECT_EQ(4, r.ret);
			EXPECT_EQ(0, memcmp(&r.value, "more", 4));
		}
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

TEST_F(kipc, signal_interrupts_read_eintr)
{
	check_signal(_metadata, false, 16, 0);
}

TEST_F(kipc, signal_sa_restart_resumes_read)
{
	check_signal(_metadata, false, 16, SA_RESTART);
}

TEST_F(kipc, signal_interrupts_write_eintr)
{
	check_signal(_metadata, true, 100, 0);
}

TEST_F(kipc, signal_sa_restart_resumes_write)
{
	check_signal(_metadata, true, 100, SA_RESTART);
}

TEST_F(kipc, signal_interrupts_long_write_partial)
{
	check_signal(_metadata, true, 3 * PBUF, 0);
}

TEST_F(kipc, signal_sa_restart_long_write_partial)
{
	check_signal(_metadata, true, 3 * PBUF, SA_RESTART);
}

/* SIGSTOP and SIGCONT do not disturb a blocked read. */
TEST_F(kipc, sigstop_sigcont_resumes_read)
{
	struct kt_report r;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ASSERT_EQ(0, pipe(rep));
	pid = spawn_reader(fds[0], fds[1], rep[1], 64);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	kt_sleep_ms(20);
	ASSERT_EQ(0, kill(pid, SIGCONT));
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 20));
	ASSERT_EQ(2, xwrite(fds[1], "go", 2));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(2, r.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* Killed while blocked, a reader takes nothing and leaves nothing. */
TEST_F(kipc, sigkill_blocked_reader)
{
	struct kipc_pipe_info in;
	int fds[2], st;
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	pid = spawn_reader(fds[0], fds[1], -1, 64);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(256 + SIGKILL, st);
	ASSERT_EQ(3, xwrite(fds[1], "abc", 3));
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(3U, in.used);
	EXPECT_EQ(1U, in.readers);
	EXPECT_EQ(1U, in.writers);
}

/*
 * Closing the fd under a blocked read: the read holds the file, so the
 * reader is still counted, and it still gets the data.
 */
TEST_F(kipc, close_under_blocked_read)
{
	struct thread_io t = { .len = 64, .ret = 99 };
	struct kipc_pipe_info in;
	pthread_t th;
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	t.fd = fds[0];
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_read, &t));
	ASSERT_EQ(0, wait_thread_blocked(&t));
	ASSERT_EQ(0, close(fds[0]));
	ASSERT_EQ(0, p_info(fds[1], &in));
	EXPECT_EQ(1U, in.readers);
	ASSERT_EQ(4, xwrite(fds[1], "late", 4));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(4, t.ret);
	EXPECT_EQ(0, memcmp(t.buf, "late", 4));
	/* Now the file is released: no reader left. */
	ASSERT_EQ(0, p_info(fds[1], &in));
	EXPECT_EQ(0U, in.readers);
}

/* ---- ordinary tools ------------------------------------------------------------------------ */

/* Run /bin/busybox @argv in a child with @in and @out as stdin and stdout. */
static pid_t spawn_tool(char *const argv[], int in, int out)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		if (in >= 0 && dup2(in, 0) < 0)
			_exit(120);
		if (out >= 0 && dup2(out, 1) < 0)
			_exit(120);
		signal(SIGPIPE, SIG_DFL);
		kt_block_signal(SIGPIPE, false);
		execv("/bin/busybox", argv);
		_exit(121);
	}
	return pid;
}

/* A shell writes to an inherited write end, as fd 3: `echo hello >&3`. */
TEST_F(kipc, tool_shell_redirect_to_fd3)
{
	char buf[64];
	int fds[2], st;
	ssize_t n;
	pid_t pid;

	ASSERT_EQ(0, access("/bin/sh", X_OK));
	ASSERT_EQ(0, kipc_pipe(fds, 0, KIPC_FD_NOCLOEXEC));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(fds[0]);
		if (fds[1] != 3) {
			if (dup2(fds[1], 3) < 0)
				_exit(120);
			close(fds[1]);
		}
		execl("/bin/sh", "sh", "-c", "echo hello >&3; echo world >&3",
		      (char *)NULL);
		_exit(121);
	}
	close(fds[1]);
	memset(buf, 0, sizeof(buf));
	n = 0;
	for (;;) {
		ssize_t r = xread(fds[0], buf + n, sizeof(buf) - 1 - n);

		ASSERT_LE(0, r);
		if (!r)
			break;
		n += r;
	}
	EXPECT_EQ(12, n);
	EXPECT_STREQ("hello\nworld\n", buf);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

/* A close-on-exec end is not inherited by the shell. */
TEST_F(kipc, tool_cloexec_not_inherited)
{
	char cmd[128];
	int fds[2], st;
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ASSERT_GT(10, fds[1]);
	snprintf(cmd, sizeof(cmd), "exec 2>/dev/null; echo hello >&%d", fds[1]);
	pid = spawn_tool((char *[]){ "sh", "-c", cmd, NULL }, -1, -1);
	ASSERT_LE(0, pid);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_LT(0, st);
	EXPECT_GT(256, st);
	EXPECT_EQ(0U, p_used(fds[0]));
}

/* cat copies a pipe to its stdout until end-of-file. */
TEST_F(kipc, tool_cat_until_eof)
{
	const size_t len = 48 * 1024;
	int fds[2], out[2], st;
	pid_t pid;
	char c;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ASSERT_EQ(0, pipe(out));
	pid = spawn_tool((char *[]){ "cat", NULL }, fds[0], out[1]);
	ASSERT_LE(0, pid);
	close(fds[0]);
	close(out[1]);
	ASSERT_EQ((ssize_t)len, write_pat(fds[1], 0, len));
	close(fds[1]);
	EXPECT_EQ(0, read_pat(out[0], 0, len, 5000));
	EXPECT_EQ(0, xread(out[0], &c, 1));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

/* yes dies of SIGPIPE once its reader is gone. */
TEST_F(kipc, tool_yes_killed_by_sigpipe)
{
	char buf[1000];
	int fds[2], st, i;
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	pid = spawn_tool((char *[]){ "yes", NULL }, -1, fds[1]);
	ASSERT_LE(0, pid);
	close(fds[1]);
	for (i = 0; i < 10; i++) {
		ssize_t n = xread(fds[0], buf, sizeof(buf)), j;

		ASSERT_LT(0, n);
		for (j = 0; j < n; j++) {
			ASSERT_TRUE(buf[j] == 'y' || buf[j] == '\n');
		}
	}
	close(fds[0]);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(256 + SIGPIPE, st);
}

/* ---- stress ------------------------------------------------------------------------------ */

static uint64_t s_hash(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
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

struct rec_hdr {
	uint32_t magic;
	uint32_t writer;
	uint32_t seq;
	uint32_t len;	/* header included */
	uint32_t sum;	/* of the body */
	uint32_t pad;
};

#define REC_MAGIC	0x70697065U

/* Record @k of writer @w, @len bytes in all; returns @len. */
static uint32_t rec_fill(uint8_t *buf, uint32_t w, uint32_t k, uint32_t len)
{
	struct rec_hdr h = { .magic = REC_MAGIC, .writer = w, .seq = k,
			     .len = len };
	uint8_t *body = buf + sizeof(h);
	uint64_t x = s_hash((uint64_t)w << 32 | k) | 1;
	uint32_t i;

	for (i = 0; i < len - sizeof(h); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		body[i] = (uint8_t)x;
	}
	h.sum = s_checksum(body, len - sizeof(h));
	memcpy(buf, &h, sizeof(h));
	return len;
}

/*
 * Check a whole record: 0 if it is record (*@w, *@k) of writer count @nw
 * and @n records each, intact; else a code.
 */
static int rec_check(const uint8_t *buf, uint32_t avail, uint32_t nw,
		     uint32_t n, uint32_t *w, uint32_t *k, uint32_t *len)
{
	static uint8_t want[PBUF];
	struct rec_hdr h;

	if (avail < sizeof(h))
		return 1;
	memcpy(&h, buf, sizeof(h));
	*w = h.writer;
	*k = h.seq;
	*len = h.len;
	if (h.magic != REC_MAGIC)
		return 2;
	if (h.writer >= nw || h.seq >= n)
		return 3;
	if (h.len < sizeof(h) || h.len > PBUF || h.len > avail)
		return 4;
	if (h.sum != s_checksum(buf + sizeof(h), h.len - sizeof(h)))
		return 5;
	rec_fill(want, h.writer, h.seq, h.len);
	if (memcmp(want, buf, h.len))
		return 6;
	return 0;
}

/* Length of record @k of writer @w in the variable-size test. */
static uint32_t s_len(uint32_t w, uint32_t k)
{
	uint64_t h = s_hash(((uint64_t)w << 32 | k) ^ 0x5678);

	if (h % 8 == 0)
		return PBUF;	/* now and then exactly the atomic size */
	return sizeof(struct rec_hdr) + (h >> 8) % (PBUF - sizeof(struct rec_hdr));
}

/* A writer process: @n records of @fixed bytes (0: s_len()) each. */
static pid_t spawn_rec_writer(int fd, int close_fd, uint32_t w, uint32_t n,
			      uint32_t fixed)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		static uint8_t buf[PBUF];
		uint32_t k, len;
		ssize_t r;

		close(close_fd);
		for (k = 0; k < n; k++) {
			len = rec_fill(buf, w, k, fixed ? fixed : s_len(w, k));
			r = write(fd, buf, len);
			if (r != (ssize_t)len)
				_exit(r < 0 ? 10 + (errno & 0x3f) : 9);
		}
		_exit(0);
	}
	return pid;
}

#define AW	4	/* writers */
#define AN	400	/* records of KIPC_PIPE_BUF bytes per writer */
#define AR	2	/* readers */

struct atomic_shared {
	uint32_t n[AR];
	int32_t bad[AR];
	uint16_t w[AR][AW * AN];
	uint16_t k[AR][AW * AN];
};

/*
 * Four writer processes write records of exactly KIPC_PIPE_BUF bytes into
 * a small pipe; two reader processes read KIPC_PIPE_BUF bytes at a time.
 * Writes are atomic and reads take what is there, so every read gets
 * exactly one whole record: none torn, interleaved, lost or doubled, and
 * each reader sees each writer's records in order.
 */
TEST_F_TIMEOUT(kipc, stress_atomic_records_two_readers, 180)
{
	struct atomic_shared *sh;
	static uint8_t seen[AW][AN];
	uint32_t c, i, total = 0;
	int64_t last[AW];
	struct kipc_pipe_info in;
	pid_t wr[AW], rd[AR];
	int fds[2], info;

	ASSERT_EQ(0, kipc_pipe(fds, 4 * PBUF, 0));
	info = kipc_reopen(fds[0], KIPC_FD_RDONLY);
	ASSERT_LE(0, info);
	sh = kt_shared_map(sizeof(*sh));
	ASSERT_NE(NULL, sh);

	for (c = 0; c < AR; c++) {
		rd[c] = kt_fork();
		ASSERT_LE(0, rd[c]);
		if (rd[c] == 0) {
			static uint8_t buf[PBUF];
			uint32_t w, k, len;
			ssize_t r;

			close(fds[1]);
			close(info);
			for (;;) {
				r = read(fds[0], buf, sizeof(buf));
				if (r == 0)
					_exit(0);
				if (r < 0)
					_exit(10 + (errno & 0x3f));
				if (r != PBUF) {
					sh->bad[c] = 100 + (int)r % 100;
					_exit(8);
				}
				sh->bad[c] = rec_check(buf, r, AW, AN, &w, &k,
						       &len);
				if (sh->bad[c] || len != PBUF)
					_exit(7);
				if (sh->n[c] >= AW * AN)
					_exit(6);
				sh->w[c][sh->n[c]] = w;
				sh->k[c][sh->n[c]] = k;
				sh->n[c]++;
			}
		}
	}
	for (i = 0; i < AW; i++) {
		wr[i] = spawn_rec_writer(fds[1], fds[0], i, AN, PBUF);
		ASSERT_LE(0, wr[i]);
	}
	close(fds[0]);
	close(fds[1]);
	for (i = 0; i < AW; i++) {
		EXPECT_EQ(0, kt_reap(wr[i], 150000));
	}
	for (c = 0; c < AR; c++) {
		EXPECT_EQ(0, kt_reap(rd[c], KT_CHILD_TIMEOUT_MS))
			TH_LOG("reader %u: bad %d", c, sh->bad[c]);
	}

	memset(seen, 0, sizeof(seen));
	for (c = 0; c < AR; c++) {
		for (i = 0; i < AW; i++)
			last[i] = -1;
		for (i = 0; i < sh->n[c]; i++) {
			uint32_t w = sh->w[c][i], k = sh->k[c][i];

			ASSERT_EQ(0, seen[w][k])
				TH_LOG("writer %u record %u read twice", w, k);
			seen[w][k] = 1;
			ASSERT_LT(last[w], (int64_t)k)
				TH_LOG("reader %u: writer %u record %u after %lld",
				       c, w, k, (long long)last[w]);
			last[w] = k;
		}
		total += sh->n[c];
	}
	EXPECT_EQ((uint32_t)(AW * AN), total);
	ASSERT_EQ(0, p_info(info, &in));
	EXPECT_EQ(0U, in.used);
	EXPECT_EQ((uint64_t)AW * AN * PBUF, in.written);
	EXPECT_EQ((uint64_t)AW * AN * PBUF, in.read);
	TH_LOG("readers got %u and %u records", sh->n[0], sh->n[1]);
	munmap(sh, sizeof(*sh));
}

#define VW	4	/* writers */
#define VN	1000	/* records of 24..4096 bytes per writer */

/*
 * Four writer processes write records of mixed sizes up to KIPC_PIPE_BUF
 * (atomic); this process reads the stream with reads of random sizes and
 * parses it: every record whole, each writer's in order, none lost.
 */
TEST_F_TIMEOUT(kipc, stress_variable_records_one_reader, 180)
{
	static uint8_t stream[2 * PBUF + 16384];
	uint32_t next[VW], have = 0, w, k, len, i, seed = 1, count = 0;
	struct kipc_pipe_info in;
	pid_t wr[VW];
	int fds[2], ret;
	ssize_t r;

	ASSERT_EQ(0, kipc_pipe(fds, 2 * PBUF, 0));
	for (i = 0; i < VW; i++) {
		next[i] = 0;
		wr[i] = spawn_rec_writer(fds[1], fds[0], i, VN, 0);
		ASSERT_LE(0, wr[i]);
	}
	close(fds[1]);
	for (;;) {
		size_t want;

		seed = seed * 1103515245 + 12345;
		want = 1 + (seed >> 8) % 16384;
		if (want > sizeof(stream) - have)
			want = sizeof(stream) - have;
		r = xread(fds[0], stream + have, want);
		ASSERT_LE(0, r);
		if (!r)
			break;
		have += r;
		/* Take every whole record at the front. */
		for (;;) {
			struct rec_hdr h;

			if (have < sizeof(h))
				break;
			memcpy(&h, stream, sizeof(h));
			if (h.len >= sizeof(h) && h.len <= PBUF && h.len > have)
				break;
			ret = rec_check(stream, have, VW, VN, &w, &k, &len);
			ASSERT_EQ(0, ret)
				TH_LOG("record %u: writer %u seq %u len %u",
				       count, w, k, len);
			ASSERT_EQ(s_len(w, k), len);
			ASSERT_EQ(next[w], k)
				TH_LOG("writer %u: record %u, expected %u",
				       w, k, next[w]);
			next[w]++;
			count++;
			memmove(stream, stream + len, have - len);
			have -= len;
		}
	}
	EXPECT_EQ(0U, have);
	for (i = 0; i < VW; i++) {
		EXPECT_EQ((uint32_t)VN, next[i]);
		EXPECT_EQ(0, kt_reap(wr[i], KT_CHILD_TIMEOUT_MS));
	}
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(in.written, in.read);
	EXPECT_EQ(0U, in.used);
	EXPECT_EQ((uint32_t)(VW * VN), count);
}

/*
 * One writer of long and short writes, this process reading with random
 * sizes, and a third process resizing the pipe all the while (EBUSY when
 * too much is queued): the stream arrives intact, and after the writer
 * and the resizer are gone, end-of-file.
 */
TEST_F_TIMEOUT(kipc, stress_stream_with_resizes, 180)
{
	const uint64_t total = 4 << 20;
	static uint8_t buf[40000];
	uint64_t rpos = 0;
	uint32_t seed = 7;
	int fds[2], resizer_fd, st;
	pid_t wr, rs;
	ssize_t r;

	ASSERT_EQ(0, kipc_pipe(fds, 8192, 0));
	resizer_fd = kipc_reopen(fds[1], KIPC_FD_WRONLY);
	ASSERT_LE(0, resizer_fd);
	wr = kt_fork();
	ASSERT_LE(0, wr);
	if (wr == 0) {
		static uint8_t wbuf[40000];
		uint64_t pos = 0;
		uint32_t s = 3;
		size_t n;

		close(fds[0]);
		close(resizer_fd);
		while (pos < total) {
			s = s * 1103515245 + 12345;
			n = (s >> 8) % 4 ? 1 + (s >> 12) % PBUF :
					   1 + (s >> 12) % sizeof(wbuf);
			if (n > total - pos)
				n = total - pos;
			fill_pat(wbuf, pos, n);
			r = write(fds[1], wbuf, n);
			if (r != (ssize_t)n)
				_exit(1);
			pos += n;
		}
		_exit(0);
	}
	rs = kt_fork();
	ASSERT_LE(0, rs);
	if (rs == 0) {
		static const uint32_t caps[] = { 4096, 65536, 8192, 16384,
						 131072, 4096, 32768 };
		unsigned int i = 0;
		long ret;

		close(fds[0]);
		close(fds[1]);
		for (;;) {
			ret = kipc_pipe_set_capacity(resizer_fd, caps[i++ % 7]);
			if (ret < 0 && ret != -EBUSY)
				_exit(1);
			nanosleep(&(struct timespec){ 0, 200000 }, NULL);
		}
	}
	close(fds[1]);
	close(resizer_fd);
	while (rpos < total) {
		seed = seed * 1103515245 + 12345;
		r = xread(fds[0], buf, 1 + (seed >> 8) % sizeof(buf));
		ASSERT_LT(0, r) TH_LOG("at %llu", (unsigned long long)rpos);
		ASSERT_EQ(-1, bad_pat(buf, rpos, r))
			TH_LOG("at %llu", (unsigned long long)rpos);
		rpos += r;
	}
	EXPECT_EQ(total, rpos);
	EXPECT_EQ(0, kt_reap(wr, KT_CHILD_TIMEOUT_MS));
	/* The resizer still holds a write end: no end-of-file yet. */
	ASSERT_EQ(0, set_nonblock(fds[0], true));
	EXPECT_EQ(-EAGAIN, xread(fds[0], buf, 1));
	ASSERT_EQ(0, kill(rs, SIGKILL));
	st = kt_reap(rs, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(256 + SIGKILL, st);
	EXPECT_EQ(0, xread(fds[0], buf, 1));
}

TEST_HARNESS_MAIN
