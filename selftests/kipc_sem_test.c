// SPDX-License-Identifier: GPL-2.0
/*
 * kipc semaphore selftests: creation and its errors, named semaphores,
 * post and wait through the kernel and through the libkipc fast path,
 * try-waits and deadlines, the maximum (EOVERFLOW), access modes, the
 * errors of every semaphore ioctl, FIFO hand-off to blocked waiters,
 * poll/epoll readiness (also after posts made in user space), signals
 * interrupting and restarting waits, read(2) and write(2) and their
 * errors, undo at exit, at SIGKILL and at the last close, and fdinfo.
 * The shared state word is tested in kipc_sem_word_test.c, multi-process
 * stress in kipc_sem_stress_test.c.
 *
 * Blocking calls in children always have a deadline or are watched by the
 * parent, so a broken module fails a test instead of hanging the suite.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_sem_util.h"

KT_FIXTURE()

/* ---- helpers ---------------------------------------------------------------- */

/* A raw create of a semaphore with @a (NULL: no attributes). */
static int create_raw(struct kipc_sem_attr *a, const char *name)
{
	return kt_create_type(KIPC_TYPE_SEMAPHORE, a, a ? sizeof(*a) : 0, name,
			      0);
}

/* ---- creation ------------------------------------------------------------------ */

TEST_F(kipc, create_defaults)
{
	struct kipc_object_info oi;
	struct kipc_sem_info in;
	int fd = create_raw(NULL, NULL);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(0U, in.value);
	EXPECT_EQ(VMAX, in.max);
	EXPECT_EQ(0U, in.waiters);
	EXPECT_EQ(0ULL, in.posts);
	EXPECT_EQ(0ULL, in.waits);
	EXPECT_EQ(0U, in.undo_procs);
	ASSERT_EQ(0, kt_obj_info(fd, &oi, NULL, 0));
	EXPECT_EQ((uint32_t)KIPC_TYPE_SEMAPHORE, oi.type);
	close(fd);

	fd = sem_new(3, 7);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(3U, in.value);
	EXPECT_EQ(7U, in.max);
	fd = sem_new(VMAX, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ((long)VMAX, s_value(fd));
}

TEST_F(kipc, create_invalid)
{
	struct kipc_sem_attr a;
	int low = kt_lowest_free_fd();

	memset(&a, 0, sizeof(a));
	a.value = 2;
	a.max = 1;
	EXPECT_EQ(-EINVAL, create_raw(&a, NULL));
	a.value = 0;
	a.max = VMAX + 1;
	EXPECT_EQ(-EINVAL, create_raw(&a, NULL));
	a.max = 0;
	a.value = VMAX + 1;
	EXPECT_EQ(-EINVAL, create_raw(&a, NULL));
	a.value = 0;
	a.flags = 1;
	EXPECT_EQ(-EINVAL, create_raw(&a, NULL));
	a.flags = 0;
	a.__pad = 1;
	EXPECT_EQ(-EINVAL, create_raw(&a, NULL));
	a.__pad = 0;
	a.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, create_raw(&a, NULL));
	a.reserved[1] = 0;
	EXPECT_EQ(-EINVAL, kipc_sem_create(NULL, 0600, 5, 4, 0));
	EXPECT_EQ(low, kt_lowest_free_fd());
	/* The edge: value == max. */
	a.value = 9;
	a.max = 9;
	EXPECT_LE(0, create_raw(&a, NULL));
}

TEST_F(kipc, named_create_open)
{
	const char *name = kt_name("sem");
	int fd, fd2;
	pid_t pid;

	fd = kipc_sem_create(name, 0600, 0, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, kipc_sem_create(name, 0600, 0, 0, 0));
	fd2 = kipc_sem_open(name, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, s_post(fd2, 2, 0));
	EXPECT_EQ(2, s_value(fd));
	/* Another process opens it by name and takes a unit. */
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int f = kipc_sem_open(name, KIPC_FD_RDONLY);

		if (f < 0)
			_exit(1);
		_exit(s_trywait(f, 0) ? 2 : 0);
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, s_value(fd));
	EXPECT_EQ(-ENOENT, kipc_sem_open(kt_name("nope"), 0));
	EXPECT_EQ(0, kipc_unlink(KIPC_TYPE_SEMAPHORE, name));
	EXPECT_EQ(-ENOENT, kipc_sem_open(name, 0));
	/* An event of the same name is another namespace. */
	EXPECT_EQ(-ENOENT, kipc_open(KIPC_TYPE_EVENT, name, 0));
}

/* ---- post and wait ------------------------------------------------------------- */

TEST_F(kipc, post_wait_basic)
{
	struct kipc_sem_info in;
	int fd = sem_new(0, 0);
	uint32_t v;

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, s_op(fd, KIPC_SEM_IOC_POST, 0, 3, NULL, &v));
	EXPECT_EQ(3U, v);
	EXPECT_EQ(0, s_op(fd, KIPC_SEM_IOC_WAIT, 0, 1, NULL, &v));
	EXPECT_EQ(2U, v);
	EXPECT_EQ(0, s_op(fd, KIPC_SEM_IOC_WAIT, KIPC_WAIT_NONBLOCK, 1, NULL,
			  &v));
	EXPECT_EQ(1U, v);
	EXPECT_EQ(0, s_wait_for(fd, 100 * MS, 0));
	EXPECT_EQ(-EAGAIN, s_trywait(fd, 0));
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(0U, in.value);
	EXPECT_EQ(3ULL, in.posts);
	EXPECT_EQ(3ULL, in.waits);
	/* A large post. */
	EXPECT_EQ(0, s_op(fd, KIPC_SEM_IOC_POST, 0, VMAX, NULL, &v));
	EXPECT_EQ(VMAX, v);
	EXPECT_EQ(-EOVERFLOW, s_post(fd, 1, 0));
}

TEST_F(kipc, trywait_and_nonblock_fd)
{
	int fd = kipc_sem_create(NULL, 0600, 0, 0, KIPC_FD_NONBLOCK);
	int64_t t0;

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EAGAIN, s_trywait(fd, 0));
	/* An O_NONBLOCK fd never sleeps, even without the flag or with a deadline. */
	t0 = kt_now_ns();
	EXPECT_EQ(-EAGAIN, s_op(fd, KIPC_SEM_IOC_WAIT, 0, 1, NULL, NULL));
	EXPECT_EQ(-EAGAIN, s_wait_for(fd, 5000 * MS, 0));
	EXPECT_GT(1000 * MS, kt_now_ns() - t0);
	ASSERT_EQ(0, s_post(fd, 1, 0));
	EXPECT_EQ(0, s_op(fd, KIPC_SEM_IOC_WAIT, 0, 1, NULL, NULL));
}

TEST_F(kipc, timed_wait_not_early)
{
	volatile uint64_t *st;
	struct kipc_sem_info in;
	struct kipc_timespec dl;
	int fd = sem_new(0, 0);
	int64_t t0, at;

	ASSERT_LE(0, fd);
	st = map_state(fd, PROT_READ);
	ASSERT_NE(NULL, st);
	t0 = kt_now_ns();
	at = t0 + 80 * MS;
	dl = kt_ts_at(at);
	EXPECT_EQ(-ETIMEDOUT, s_op(fd, KIPC_SEM_IOC_WAIT, KIPC_WAIT_DEADLINE, 1,
				   &dl, NULL));
	EXPECT_LE(at, kt_now_ns());
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(0U, in.waiters);
	EXPECT_EQ(0ULL, *st);	/* the waiter left the word too */
	/* A deadline in the past tries once. */
	dl = kt_ts_at(1);
	EXPECT_EQ(-ETIMEDOUT, s_op(fd, KIPC_SEM_IOC_WAIT, KIPC_WAIT_DEADLINE, 1,
				   &dl, NULL));
	ASSERT_EQ(0, s_post(fd, 1, 0));
	EXPECT_EQ(0, s_op(fd, KIPC_SEM_IOC_WAIT, KIPC_WAIT_DEADLINE, 1, &dl,
			  NULL));
	/* libkipc's relative timeout. */
	{
		struct kipc_sem *h;

		ASSERT_EQ(0, kipc_sem_attach(fd, &h));
		t0 = kt_now_ns();
		EXPECT_EQ(-ETIMEDOUT, kipc_sem_wait(h, 50 * MS, 0));
		EXPECT_LE(t0 + 50 * MS, kt_now_ns());
		EXPECT_EQ(-EAGAIN, kipc_sem_wait(h, 0, 0));
		kipc_sem_detach(h);
	}
	unmap_state(st);
}

TEST_F(kipc, binary_semaphore_eoverflow)
{
	struct kipc_sem *h;
	uint32_t v = 7;
	int fd = sem_new(0, 1);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, s_post(fd, 1, 0));
	EXPECT_EQ(-EOVERFLOW, s_op(fd, KIPC_SEM_IOC_POST, 0, 1, NULL, &v));
	EXPECT_EQ(1, s_value(fd));
	EXPECT_EQ(-EOVERFLOW, s_post(fd, 1, KIPC_SEM_UNDO));
	ASSERT_EQ(0, kipc_sem_attach(fd, &h));
	EXPECT_EQ(-EOVERFLOW, kipc_sem_post(h, 1, 0));
	EXPECT_EQ(0, kipc_sem_wait(h, 0, 0));
	EXPECT_EQ(-EOVERFLOW, kipc_sem_post(h, 2, 0));
	EXPECT_EQ(0, kipc_sem_post(h, 1, 0));
	EXPECT_EQ(1, s_value(fd));
	kipc_sem_detach(h);
	/* Counting: a post that does not fit changes nothing. */
	fd = sem_new(3, 5);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EOVERFLOW, s_post(fd, 3, 0));
	EXPECT_EQ(3, s_value(fd));
	EXPECT_EQ(0, s_post(fd, 2, 0));
	EXPECT_EQ(5, s_value(fd));
}

TEST_F(kipc, ebadf_by_access_mode)
{
	struct kipc_sem_info in;
	struct kipc_sem *h;
	int fd = sem_new(1, 0), rd, wr;

	ASSERT_LE(0, fd);
	rd = kipc_reopen(fd, KIPC_FD_RDONLY);
	ASSERT_LE(0, rd);
	wr = kipc_reopen(fd, KIPC_FD_WRONLY);
	ASSERT_LE(0, wr);
	EXPECT_EQ(-EBADF, s_post(rd, 1, 0));
	EXPECT_EQ(-EBADF, s_trywait(wr, 0));
	EXPECT_EQ(-EBADF, s_wait_for(wr, MS, 0));
	EXPECT_EQ(0, s_info(rd, &in));
	EXPECT_EQ(0, s_info(wr, &in));
	/* Handles on them work through the kernel and keep the errors. */
	ASSERT_EQ(0, kipc_sem_attach(rd, &h));
	EXPECT_EQ(-EBADF, kipc_sem_post(h, 1, 0));
	EXPECT_EQ(0, kipc_sem_wait(h, 0, 0));
	kipc_sem_detach(h);
	ASSERT_EQ(0, kipc_sem_attach(wr, &h));
	EXPECT_EQ(-EBADF, kipc_sem_wait(h, 0, 0));
	EXPECT_EQ(0, kipc_sem_post(h, 1, 0));
	kipc_sem_detach(h);
	EXPECT_EQ(1, s_value(fd));
}

/*
 * A bad post or wait: EINVAL, and the value stays.  With @from_now, the
 * deadline is that far from now (one that would be valid).
 */
KT_FIXTURE_NAMED(sem_op, (void)0)

FIXTURE_VARIANT(sem_op) {
	unsigned long cmd;
	struct kipc_sem_op op;
	bool from_now;
};

FIXTURE_VARIANT_ADD(sem_op, post_count_0) {
	.cmd = KIPC_SEM_IOC_POST,
	.op.count = 0,
};

FIXTURE_VARIANT_ADD(sem_op, post_count_over_max) {
	.cmd = KIPC_SEM_IOC_POST,
	.op.count = VMAX + 1,
};

FIXTURE_VARIANT_ADD(sem_op, post_count_u32_max) {
	.cmd = KIPC_SEM_IOC_POST,
	.op.count = UINT32_MAX,
};

FIXTURE_VARIANT_ADD(sem_op, post_nonblock) {
	.cmd = KIPC_SEM_IOC_POST,
	.op.count = 1,
	.op.flags = KIPC_WAIT_NONBLOCK,
};

FIXTURE_VARIANT_ADD(sem_op, post_deadline) {
	.cmd = KIPC_SEM_IOC_POST,
	.op.count = 1,
	.op.flags = KIPC_WAIT_DEADLINE,
};

FIXTURE_VARIANT_ADD(sem_op, post_deadline_without_flag) {
	.cmd = KIPC_SEM_IOC_POST,
	.op.count = 1,
	.op.deadline.tv_nsec = MS,
	.from_now = true,
};

FIXTURE_VARIANT_ADD(sem_op, post_unknown_flag) {
	.cmd = KIPC_SEM_IOC_POST,
	.op.count = 1,
	.op.flags = 1U << 9,
};

FIXTURE_VARIANT_ADD(sem_op, post_pad) {
	.cmd = KIPC_SEM_IOC_POST,
	.op.count = 1,
	.op.__pad = 1,
};

FIXTURE_VARIANT_ADD(sem_op, post_reserved) {
	.cmd = KIPC_SEM_IOC_POST,
	.op.count = 1,
	.op.reserved[0] = 1,
};

FIXTURE_VARIANT_ADD(sem_op, wait_count_0) {
	.cmd = KIPC_SEM_IOC_WAIT,
	.op.count = 0,
};

FIXTURE_VARIANT_ADD(sem_op, wait_count_2) {
	.cmd = KIPC_SEM_IOC_WAIT,
	.op.count = 2,
};

FIXTURE_VARIANT_ADD(sem_op, wait_nonblock_and_deadline) {
	.cmd = KIPC_SEM_IOC_WAIT,
	.op.count = 1,
	.op.flags = KIPC_WAIT_NONBLOCK | KIPC_WAIT_DEADLINE,
	.op.deadline.tv_nsec = MS,
	.from_now = true,
};

FIXTURE_VARIANT_ADD(sem_op, wait_deadline_without_flag) {
	.cmd = KIPC_SEM_IOC_WAIT,
	.op.count = 1,
	.op.deadline.tv_nsec = MS,
	.from_now = true,
};

FIXTURE_VARIANT_ADD(sem_op, wait_nsec_1e9) {
	.cmd = KIPC_SEM_IOC_WAIT,
	.op.count = 1,
	.op.flags = KIPC_WAIT_DEADLINE,
	.op.deadline.tv_nsec = 1000000000ULL,
};

FIXTURE_VARIANT_ADD(sem_op, wait_unknown_flag) {
	.cmd = KIPC_SEM_IOC_WAIT,
	.op.count = 1,
	.op.flags = 1U << 12,
};

FIXTURE_VARIANT_ADD(sem_op, wait_pad) {
	.cmd = KIPC_SEM_IOC_WAIT,
	.op.count = 1,
	.op.__pad = 1,
};

FIXTURE_VARIANT_ADD(sem_op, wait_reserved) {
	.cmd = KIPC_SEM_IOC_WAIT,
	.op.count = 1,
	.op.reserved[0] = 1,
};

TEST_F(sem_op, op_rejected)
{
	struct kipc_sem_op op = variant->op;
	int fd = sem_new(1, 0);

	ASSERT_LE(0, fd);
	if (variant->from_now)
		op.deadline = kt_ts_at(kt_now_ns() + op.deadline.tv_nsec);
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, variant->cmd, &op));
	EXPECT_EQ(1, s_value(fd));
}

TEST_F(kipc, op_invalid)
{
	struct kipc_sem_info in;
	struct kipc_sem_op op;
	int fd = sem_new(1, 0), ev;
	void *ro;

	ASSERT_LE(0, fd);
	memset(&op, 0, sizeof(op));
	op.count = 1;
	/* Struct sizes: too small, larger with a non-zero tail, bad pointer. */
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_SEM_IOC_POST, 40),
				    &op));
	{
		char big[64];

		memset(big, 0, sizeof(big));
		memcpy(big, &op, sizeof(op));
		big[60] = 1;
		EXPECT_EQ(-E2BIG, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_SEM_IOC_POST,
							     64), big));
		big[60] = 0;
		EXPECT_EQ(0, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_SEM_IOC_POST, 64),
				      big));
	}
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_SEM_IOC_POST, kt_noaccess_page()));
	/* A read-only struct: EFAULT before the unit is taken. */
	memset(&op, 0, sizeof(op));
	op.count = 1;
	ro = kt_readonly_copy(&op, sizeof(op));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_SEM_IOC_WAIT, ro));
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_SEM_IOC_POST, ro));
	EXPECT_EQ(2, s_value(fd));
	munmap(ro, kt_page_size());
	memset(&in, 0, sizeof(in));
	in.flags = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_SEM_IOC_INFO, &in));
	in.flags = 0;
	in.__pad = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_SEM_IOC_INFO, &in));
	in.__pad = 0;
	in.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_SEM_IOC_INFO, &in));
	/* Semaphore ioctls elsewhere, other types' ioctls here. */
	ev = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, ev);
	EXPECT_EQ(-ENOTTY, s_post(ev, 1, 0));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, KIPC_EVENT_IOC_RESET, NULL));
	EXPECT_EQ(2, s_value(fd));
}

/* ---- read(2) and write(2) ------------------------------------------------------ */

TEST_F(kipc, read_write_post_and_wait)
{
	struct kipc_version ver;
	struct kipc_sem_info in;
	uint64_t b[2] = { 7, 7 }, big[2] = { 2, 99 };
	int fd = sem_new(0, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_version(&ver));
	EXPECT_EQ(KIPC_FEATURE_SEM_RW, ver.features & KIPC_FEATURE_SEM_RW);
	EXPECT_EQ(8, s_write(fd, 3));
	EXPECT_EQ(3, s_value(fd));
	EXPECT_EQ(8, s_read(fd, b));
	EXPECT_EQ(2ULL, b[0]);
	/* Longer buffers: 8 bytes are used, the rest is left alone. */
	EXPECT_EQ(8, read(fd, b, sizeof(b)));
	EXPECT_EQ(1ULL, b[0]);
	EXPECT_EQ(7ULL, b[1]);
	EXPECT_EQ(8, write(fd, big, sizeof(big)));
	EXPECT_EQ(3, s_value(fd));
	EXPECT_EQ(8, s_write(fd, VMAX - 3));
	EXPECT_EQ(VMAX, s_value(fd));
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ((uint64_t)VMAX + 2, in.posts);
	EXPECT_EQ(2ULL, in.waits);
}

TEST_F(kipc, read_write_errors_change_nothing)
{
	volatile uint64_t *st;
	uint64_t v = 0;
	int fd = sem_new(1, 2), nb, rd, wr;
	void *ro;

	ASSERT_LE(0, fd);
	st = map_state(fd, PROT_READ);
	ASSERT_NE(NULL, st);
	/* Fewer than 8 bytes. */
	EXPECT_EQ(-1, read(fd, &v, 7));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(fd, &v, 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(fd, &v, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Counts: 0, above the largest value (not truncated), past max. */
	EXPECT_EQ(-EINVAL, s_write(fd, 0));
	EXPECT_EQ(-EINVAL, s_write(fd, (uint64_t)VMAX + 1));
	EXPECT_EQ(-EINVAL, s_write(fd, (1ULL << 32) + 1));
	EXPECT_EQ(-EOVERFLOW, s_write(fd, 2));
	EXPECT_EQ(1ULL, *st);
	/* Bad buffers: EFAULT, and read takes nothing. */
	EXPECT_EQ(-1, write(fd, kt_noaccess_page(), 8));
	EXPECT_EQ(EFAULT, errno);
	ro = kt_readonly_copy(&v, sizeof(v));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-1, read(fd, ro, 8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, read(fd, kt_noaccess_page(), 8));
	EXPECT_EQ(EFAULT, errno);
	munmap(ro, kt_page_size());
	EXPECT_EQ(1ULL, *st);
	/* Access modes: the VFS says EBADF. */
	rd = kipc_reopen(fd, KIPC_FD_RDONLY);
	ASSERT_LE(0, rd);
	wr = kipc_reopen(fd, KIPC_FD_WRONLY);
	ASSERT_LE(0, wr);
	EXPECT_EQ(-EBADF, s_write(rd, 1));
	EXPECT_EQ(-EBADF, s_read(wr, &v));
	EXPECT_EQ(1ULL, *st);
	/* O_NONBLOCK, from creation or from fcntl: EAGAIN, no queueing. */
	EXPECT_EQ(8, s_read(rd, &v));
	EXPECT_EQ(0ULL, v);
	nb = kipc_reopen(fd, KIPC_FD_NONBLOCK);
	ASSERT_LE(0, nb);
	EXPECT_EQ(-EAGAIN, s_read(nb, &v));
	ASSERT_EQ(0, fcntl(rd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, s_read(rd, &v));
	EXPECT_EQ(0ULL, *st);
	EXPECT_EQ(8, s_write(wr, 2));
	EXPECT_EQ(2ULL, *st);
	unmap_state(st);
	/* Other types without read(2) and write(2) keep EINVAL. */
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, s_read(fd, &v));
	EXPECT_EQ(-EINVAL, s_write(fd, 1));
}

/* A child blocked in read(2) is served in order with ioctl waiters. */
TEST_F(kipc, read_blocks_in_fifo_with_ioctl_waiters)
{
	struct kt_report r;
	int fd = sem_new(0, 0), rep[2], i;
	pid_t pids[3];

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	for (i = 0; i < 3; i++) {
		pids[i] = kt_fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			uint64_t v = 99;
			int ret = i == 1 ? s_wait_for(fd, CHILD_WAIT_NS, 0) :
					   (int)s_read(fd, &v);

			kt_report(rep[1], i, ret, v);
			_exit(0);
		}
		ASSERT_EQ(0, kt_wait_waiters(fd, i + 1, KT_CHILD_TIMEOUT_MS));
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(8, s_write(fd, 1));
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(i, r.idx);
		EXPECT_EQ(i == 1 ? 0 : 8, r.ret);
		if (i != 1)
			EXPECT_EQ(0ULL, r.value);
		EXPECT_EQ(0, kt_reap(pids[i], KT_CHILD_TIMEOUT_MS));
	}
	EXPECT_EQ(0, s_value(fd));
}

/* ---- blocked waiters --------------------------------------------------------------- */

TEST_F(kipc, fifo_order)
{
	enum { N = 5 };
	struct kipc_sem_info in;
	struct kt_report r;
	pid_t pids[N];
	int fd = sem_new(0, 0), rep[2], i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	for (i = 0; i < N; i++) {
		pids[i] = spawn_waiter(fd, rep[1], i, 0);
		ASSERT_LE(0, pids[i]);
		ASSERT_EQ(0, kt_wait_waiters(fd, i + 1, KT_CHILD_TIMEOUT_MS));
	}
	/* Nobody overtakes the queue, not even a try-wait. */
	EXPECT_EQ(-EAGAIN, s_trywait(fd, 0));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, s_post(fd, 1, 0));
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(i, r.idx);
		EXPECT_EQ(0, r.ret);
		EXPECT_EQ(0, s_value(fd));	/* handed over, never counted */
	}
	for (i = 0; i < N; i++)
		EXPECT_EQ(0, kt_reap(pids[i], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(0U, in.waiters);
	EXPECT_EQ((uint64_t)N, in.waits);
}

TEST_F(kipc, post_many_serves_waiters_first)
{
	enum { N = 3 };
	volatile uint64_t *st;
	struct kt_report r;
	pid_t pids[N];
	int fd = sem_new(0, 4), rep[2], i;
	uint32_t v;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	st = map_state(fd, PROT_READ);
	ASSERT_NE(NULL, st);
	for (i = 0; i < N; i++) {
		pids[i] = spawn_waiter(fd, rep[1], i, 0);
		ASSERT_LE(0, pids[i]);
		ASSERT_EQ(0, kt_wait_waiters(fd, i + 1, KT_CHILD_TIMEOUT_MS));
	}
	EXPECT_EQ(3 * W1, *st);
	/* 3 go to the waiters, so 6 fit under a maximum of 4... */
	EXPECT_EQ(-EOVERFLOW, s_post(fd, 8, 0));
	EXPECT_EQ(3 * W1, *st);
	EXPECT_EQ(0, s_op(fd, KIPC_SEM_IOC_POST, 0, 5, NULL, &v));
	EXPECT_EQ(2U, v);
	EXPECT_EQ(2ULL, *st);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, r.ret);
		EXPECT_EQ(0, kt_reap(pids[i], KT_CHILD_TIMEOUT_MS));
	}
	unmap_state(st);
}

/* A child waiting with a deadline, or in read(2) (@rw) watched by us. */
static pid_t spawn_signalled_waiter(int fd, int rep, int hp, int saflags,
				    bool rw)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		int ret;

		if (kt_catch_signal(SIGUSR1, hp, saflags))
			_exit(91);
		if (rw) {
			uint64_t v;

			ret = s_read(fd, &v);
			ret = ret == 8 ? 0 : ret;
		} else {
			ret = s_wait_for(fd, CHILD_WAIT_NS, 0);
		}
		kt_report(rep, 0, ret, 0);
		_exit(0);
	}
	return pid;
}

static void signal_interrupts(struct __test_metadata *_metadata, bool rw)
{
	struct kipc_sem_info in;
	struct kt_report r;
	int fd = sem_new(0, 0), rep[2], hp[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	pid = spawn_signalled_waiter(fd, rep[1], hp[1], 0, rw);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	EXPECT_EQ('h', kt_read_byte(hp[0], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-EINTR, r.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(0U, in.waiters);
	/* The interrupted waiter takes nothing later. */
	ASSERT_EQ(0, s_post(fd, 1, 0));
	EXPECT_EQ(1, s_value(fd));
}

TEST_F(kipc, signal_interrupts_wait_eintr)
{
	signal_interrupts(_metadata, false);
}

TEST_F(kipc, signal_interrupts_read_eintr)
{
	signal_interrupts(_metadata, true);
}

static void signal_restarts(struct __test_metadata *_metadata, bool rw)
{
	struct kt_report r;
	int fd = sem_new(0, 0), rep[2], hp[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	pid = spawn_signalled_waiter(fd, rep[1], hp[1], SA_RESTART, rw);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ('h', kt_read_byte(hp[0], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	ASSERT_EQ(0, s_post(fd, 1, 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, s_value(fd));
}

TEST_F(kipc, signal_restarts_wait_sa_restart)
{
	signal_restarts(_metadata, false);
}

TEST_F(kipc, signal_restarts_read_sa_restart)
{
	signal_restarts(_metadata, true);
}

TEST_F(kipc, killed_waiter_leaves_queue)
{
	volatile uint64_t *st;
	struct kt_report r;
	int fd = sem_new(0, 0), rep[2];
	pid_t a, b;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	st = map_state(fd, PROT_READ);
	ASSERT_NE(NULL, st);
	a = spawn_waiter(fd, rep[1], 0, 0);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	b = spawn_waiter(fd, rep[1], 1, 0);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, kt_wait_waiters(fd, 2, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(2 * W1, *st);
	kill(a, SIGKILL);
	EXPECT_EQ(256 + SIGKILL, kt_reap(a, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(W1, *st);
	ASSERT_EQ(0, s_post(fd, 1, 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, r.idx);
	EXPECT_EQ(0ULL, *st);
	EXPECT_EQ(0, kt_reap(b, KT_CHILD_TIMEOUT_MS));
	unmap_state(st);
}

/* ---- poll and epoll --------------------------------------------------------------- */

TEST_F(kipc, poll_states)
{
	int fd = sem_new(0, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, kt_poll_now(fd, POLL_RD | POLLOUT));
	ASSERT_EQ(0, s_post(fd, 1, 0));
	EXPECT_EQ(POLL_RD, kt_poll_now(fd, POLL_RD | POLLOUT));
	ASSERT_EQ(0, s_trywait(fd, 0));
	EXPECT_EQ(0, kt_poll_now(fd, POLL_RD | POLLOUT));
}

TEST_F(kipc, poll_sees_fast_path_post)
{
	volatile uint64_t *st;
	struct kipc_sem_info in;
	struct kipc_sem *h;
	struct pollfd p;
	int fd = sem_new(0, 0);
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_sem_attach(fd, &h));
	st = map_state(fd, PROT_READ);
	ASSERT_NE(NULL, st);
	/* Without pollers a post stays in user space. */
	EXPECT_EQ(0, kipc_sem_post(h, 1, 0));
	EXPECT_EQ(1ULL, *st);
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(0ULL, in.posts);
	EXPECT_EQ(0, kipc_sem_wait(h, 0, 0));
	EXPECT_EQ(0ULL, *st);
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(0ULL, in.waits);
	/* A poll of an empty semaphore arms it: the word shows a waiter. */
	EXPECT_EQ(0, kt_poll_now(fd, POLL_RD | POLLOUT));
	EXPECT_EQ(W1, *st);
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(0U, in.waiters);	/* no task is queued though */
	/* A child blocks in poll; the parent posts through its handle. */
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		p.fd = fd;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, KT_CHILD_TIMEOUT_MS) != 1)
			_exit(1);
		_exit(p.revents == POLLIN ? 0 : 2);
	}
	ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kipc_sem_post(h, 1, 0));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	/* It went through the kernel, which disarmed. */
	EXPECT_EQ(1ULL, *st);
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(1ULL, in.posts);
	/* Waits work while armed, through the kernel. */
	EXPECT_EQ(0, kipc_sem_wait(h, 0, 0));
	EXPECT_EQ(0, kt_poll_now(fd, POLL_RD | POLLOUT));
	EXPECT_EQ(W1, *st);
	EXPECT_EQ(-EAGAIN, kipc_sem_wait(h, 0, 0));
	EXPECT_EQ(0, kipc_sem_post(h, 2, 0));
	EXPECT_EQ(2ULL, *st);
	EXPECT_EQ(POLL_RD, kt_poll_now(fd, POLL_RD | POLLOUT));
	kipc_sem_detach(h);
	unmap_state(st);
}

TEST_F(kipc, epoll_sees_fast_path_post)
{
	struct epoll_event ev = { .events = EPOLLIN }, out[2];
	struct kipc_sem *h;
	int fd = sem_new(0, 0), ep, i;
	pid_t pid;

	ASSERT_LE(0, fd);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ev.data.u32 = 7;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, out, 2, 0));
	for (i = 0; i < 3; i++) {
		/* Another process posts through its own fast-path handle. */
		pid = kt_fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			struct kipc_sem *ch;

			kt_sleep_ms(20);
			if (kipc_sem_attach(fd, &ch))
				_exit(1);
			_exit(kipc_sem_post(ch, 1, 0) ? 2 : 0);
		}
		ASSERT_EQ(1, epoll_wait(ep, out, 2, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(7U, out[0].data.u32);
		EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
		/* Level-triggered: still ready until taken. */
		EXPECT_EQ(1, epoll_wait(ep, out, 2, 0));
		ASSERT_EQ(0, kipc_sem_attach(fd, &h));
		EXPECT_EQ(0, kipc_sem_wait(h, 0, 0));
		kipc_sem_detach(h);
		EXPECT_EQ(0, epoll_wait(ep, out, 2, 0));
	}
	close(ep);
}

/* ---- undo ------------------------------------------------------------------------- */

TEST_F(kipc, undo_wait_reverted_on_sigkill)
{
	struct kipc_sem_info in;
	struct kt_report r;
	int fd = sem_new(3, 0), rep[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_sem *h;
		int ret;

		ret = s_trywait(fd, KIPC_SEM_UNDO);
		if (!ret)
			ret = s_wait_for(fd, CHILD_WAIT_NS, KIPC_SEM_UNDO);
		if (!ret && !kipc_sem_attach(fd, &h))
			ret = kipc_sem_wait(h, 0, 0);	/* no undo */
		kt_report(rep[1], 0, ret, 0);
		kt_sleep_ms(KT_CHILD_TIMEOUT_MS);
		_exit(0);
	}
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, r.ret);
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(0U, in.value);
	EXPECT_EQ(1U, in.undo_procs);	/* one record per process */
	kill(pid, SIGKILL);
	EXPECT_EQ(256 + SIGKILL, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(2U, in.value);	/* the two undo units came back */
	EXPECT_EQ(0U, in.undo_procs);
}

TEST_F(kipc, undo_post_taken_back_at_exit)
{
	struct kipc_sem_info in;
	int fd = sem_new(0, 0);
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(s_post(fd, 3, KIPC_SEM_UNDO) ? 1 : 0);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, s_value(fd));

	/* Taken back only as far as the value allows. */
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (s_post(fd, 3, KIPC_SEM_UNDO))
			_exit(1);
		kt_sleep_ms(KT_CHILD_TIMEOUT_MS);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_fdinfo(fd, KT_CHILD_TIMEOUT_MS, "sem-value:\t%d", 3));
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(1U, in.undo_procs);
	ASSERT_EQ(0, s_trywait(fd, 0));
	ASSERT_EQ(0, s_trywait(fd, 0));
	ASSERT_EQ(0, s_post(fd, 5, 0));	/* value 6 */
	ASSERT_EQ(0, s_op(fd, KIPC_SEM_IOC_WAIT, KIPC_WAIT_NONBLOCK, 1, NULL,
			  NULL));
	kill(pid, SIGKILL);
	EXPECT_EQ(256 + SIGKILL, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(2, s_value(fd));	/* 5 - 3 */

	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (s_post(fd, 4, KIPC_SEM_UNDO))
			_exit(1);
		kt_sleep_ms(KT_CHILD_TIMEOUT_MS);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_fdinfo(fd, KT_CHILD_TIMEOUT_MS, "sem-value:\t%d", 6));
	ASSERT_EQ(0, s_trywait(fd, 0));
	ASSERT_EQ(0, s_trywait(fd, 0));
	ASSERT_EQ(0, s_trywait(fd, 0));
	ASSERT_EQ(0, s_trywait(fd, 0));
	ASSERT_EQ(0, s_trywait(fd, 0));	/* value 1 */
	kill(pid, SIGKILL);
	EXPECT_EQ(256 + SIGKILL, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, s_value(fd));	/* only 1 of 4 could come back */
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(0U, in.undo_procs);
}

TEST_F(kipc, undo_balanced_frees_record)
{
	struct kipc_sem_info in;
	int fd = sem_new(1, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, s_trywait(fd, KIPC_SEM_UNDO));
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(1U, in.undo_procs);
	ASSERT_EQ(0, s_post(fd, 1, KIPC_SEM_UNDO));
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(0U, in.undo_procs);
	EXPECT_EQ(1U, in.value);
	/* A failed operation records nothing. */
	ASSERT_EQ(0, s_trywait(fd, 0));
	EXPECT_EQ(-EAGAIN, s_trywait(fd, KIPC_SEM_UNDO));
	EXPECT_EQ(-ETIMEDOUT, s_wait_for(fd, MS, KIPC_SEM_UNDO));
	ASSERT_EQ(0, s_post(fd, VMAX, 0));
	EXPECT_EQ(-EOVERFLOW, s_post(fd, 1, KIPC_SEM_UNDO));
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(0U, in.undo_procs);
}

TEST_F(kipc, undo_on_last_close)
{
	struct kt_report r;
	int fd = sem_new(1, 0), rep[2], go[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(go));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int dupfd = dup(fd), ret;
		char c;

		ret = dupfd < 0 ? -errno : s_trywait(dupfd, KIPC_SEM_UNDO);
		close(dupfd);		/* not the last fd: nothing happens */
		kt_report(rep[1], 0, ret, 0);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		close(fd);		/* the last one: undone */
		kt_report(rep[1], 1, 0, 0);
		kt_sleep_ms(KT_CHILD_TIMEOUT_MS);
		_exit(0);
	}
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, r.ret);
	EXPECT_EQ(0, s_value(fd));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, r.idx);
	EXPECT_EQ(1, s_value(fd));
	kill(pid, SIGKILL);
	EXPECT_EQ(256 + SIGKILL, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, s_value(fd));
}

TEST_F(kipc, undo_gives_to_waiters_first)
{
	struct kt_report r;
	int fd = sem_new(1, 0), rep[2];
	pid_t holder, waiter;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	/* The holder takes the unit with undo and sleeps. */
	holder = spawn_waiter(fd, rep[1], 0, KIPC_SEM_UNDO);
	ASSERT_LE(0, holder);
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, r.ret);
	/* A waiter queues, also with undo; it is granted by the undo. */
	waiter = spawn_waiter(fd, rep[1], 1, KIPC_SEM_UNDO);
	ASSERT_LE(0, waiter);
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	kill(holder, SIGKILL);
	EXPECT_EQ(256 + SIGKILL, kt_reap(holder, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, r.idx);
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0, s_value(fd));
	/* The waiter's grant was recorded after its sleep: undone too. */
	kill(waiter, SIGKILL);
	EXPECT_EQ(256 + SIGKILL, kt_reap(waiter, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, s_value(fd));
}

TEST_F(kipc, undo_through_handle_and_exec_close)
{
	struct kipc_sem *h;
	int fd = sem_new(2, 0);
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_sem_attach(fd, &h));
	/* Undo operations of a mapped handle go through the kernel. */
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (kipc_sem_wait(h, 0, KIPC_SEM_UNDO) ||
		    kipc_sem_wait(h, 0, 0))
			_exit(1);
		_exit(0);
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, s_value(fd));
	/* A close-on-exec fd is the last one at exec. */
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (kipc_sem_wait(h, 0, KIPC_SEM_UNDO))
			_exit(1);
		execl("/bin/sleep", "sleep", "10", (char *)NULL);
		execl("/bin/busybox", "sleep", "10", (char *)NULL);
		_exit(2);
	}
	ASSERT_EQ(0, kt_wait_fdinfo(fd, KT_CHILD_TIMEOUT_MS, "sem-value:\t%d", 1));
	kill(pid, SIGKILL);
	EXPECT_EQ(256 + SIGKILL, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, s_value(fd));
	kipc_sem_detach(h);
}

/* ---- fdinfo --------------------------------------------------------------------------- */

TEST_F(kipc, fdinfo_lines)
{
	char buf[2048];
	int fd = sem_new(2, 7);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, s_post(fd, 1, 0));
	ASSERT_EQ(0, s_trywait(fd, KIPC_SEM_UNDO));
	ASSERT_EQ(0, kt_read_fdinfo(fd, buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "kipc-type:\tsemaphore");
	KT_EXPECT_LINE(buf, "sem-value:\t2");
	KT_EXPECT_LINE(buf, "sem-max:\t7");
	KT_EXPECT_LINE(buf, "sem-waiters:\t0");
	KT_EXPECT_LINE(buf, "sem-posts:\t1");
	KT_EXPECT_LINE(buf, "sem-waits:\t1");
	KT_EXPECT_LINE(buf, "sem-undo-procs:\t1");
}

TEST_HARNESS_MAIN
