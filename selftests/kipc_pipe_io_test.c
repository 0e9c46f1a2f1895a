// SPDX-License-Identifier: GPL-2.0
/*
 * kipc pipe selftests: capacity, resizing and its accounting, info and
 * fdinfo, poll and epoll, signals interrupting and restarting blocked
 * reads and writes, ordinary tools on either end.
 */
#include "kipc_pipe_util.h"

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
	KT_EXPECT_CHILD_REPORT(rep[0], pid, 1, want[pc]);
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
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ASSERT_EQ(0, pipe(rep));
	pid = kt_spawn_epoller(fds[0], rep[1], EPOLLIN);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(3, xwrite(fds[1], "abc", 3));
	KT_EXPECT_CHILD_REPORT(rep[0], pid, 1, (uint64_t)EPOLLIN);
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

TEST_HARNESS_MAIN
