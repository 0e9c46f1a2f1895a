// SPDX-License-Identifier: GPL-2.0
/*
 * kipc pipe selftests, the basics: anonymous and named pipes, reads that
 * return what is there, end-of-file, EPIPE and SIGPIPE, O_NONBLOCK,
 * atomic and long writes, bad buffers.  The other pipe tests are in
 * kipc_pipe_io_test.c and kipc_pipe_stress_test.c; their helpers in
 * kipc_pipe_util.h.
 */
#include "kipc_pipe_util.h"

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

/* A capacity asked for and the one given: rounded up to a power of two. */
KT_FIXTURE_NAMED(capacity, (void)0)

FIXTURE_VARIANT(capacity) {
	uint32_t want, got;
};

#define CAPACITY_CASE(n, w, g) \
	FIXTURE_VARIANT_ADD(capacity, n) { .want = (w), .got = (g) }

CAPACITY_CASE(c0_default, 0, DEF_CAP);
CAPACITY_CASE(c1, 1, PBUF);
CAPACITY_CASE(pipe_buf_less_1, PBUF - 1, PBUF);
CAPACITY_CASE(pipe_buf, PBUF, PBUF);
CAPACITY_CASE(pipe_buf_plus_1, PBUF + 1, 2 * PBUF);
CAPACITY_CASE(c65536, 65536, 65536);
CAPACITY_CASE(c65537, 65537, 131072);
CAPACITY_CASE(c100000, 100000, 131072);
CAPACITY_CASE(max_less_1, MAX_CAP - 1, MAX_CAP);
CAPACITY_CASE(max, MAX_CAP, MAX_CAP);

TEST_F(capacity, create_capacity_rounding)
{
	struct kipc_pipe_info in;
	uint64_t b0 = kt_stats_uid_bytes();
	int fd;

	ASSERT_EQ(MAX_CAP, kt_param_get("max_pipe_capacity"));
	fd = kipc_pipe_create(NULL, 0600, variant->want, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, p_info(fd, &in));
	EXPECT_EQ(variant->got, in.capacity);
	/* The whole buffer is charged. */
	EXPECT_EQ(b0 + variant->got, kt_stats_uid_bytes());
	close(fd);
	EXPECT_EQ(b0, kt_stats_uid_bytes());
}

TEST_F(kipc, create_capacity_above_max_einval)
{
	ASSERT_EQ(MAX_CAP, kt_param_get("max_pipe_capacity"));
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
	fd = kt_create_type(KIPC_TYPE_PIPE, &big, sizeof(big), NULL, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, p_info(fd, &in));
	EXPECT_EQ(8192U, in.capacity);
	close(fd);
	/* No attributes: the default. */
	fd = kt_create_type(KIPC_TYPE_PIPE, NULL, 0, NULL, 0);
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

/*
 * A new pipe in @fds, a page that may not be touched in *@bad and in
 * *@edge the boundary before a hole.
 */
static void bad_buffers_setup(struct __test_metadata *_metadata, int fds[2],
			      char **bad, char **edge)
{
	*bad = kt_noaccess_page();
	*edge = kt_guard_boundary();
	ASSERT_NE(NULL, *bad);
	ASSERT_NE(NULL, *edge);
	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
}

TEST_F(kipc, write_bad_buffer)
{
	struct kipc_pipe_info in;
	char *bad, *edge;
	ssize_t n;
	int fds[2];

	bad_buffers_setup(_metadata, fds, &bad, &edge);
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
	struct kipc_pipe_info in;
	char *bad, *edge;
	ssize_t n;
	int fds[2];

	bad_buffers_setup(_metadata, fds, &bad, &edge);
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

TEST_HARNESS_MAIN
