// SPDX-License-Identifier: GPL-2.0
/*
 * kipc event selftests of the errors of every event ioctl: bad flags,
 * padding and reserved fields, struct sizes, bad pointers, access modes,
 * unknown commands, and bad deadlines; a refused call changes nothing.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_event_util.h"

KT_FIXTURE()

/* ---- KIPC_EVENT_IOC_INFO -------------------------------------------------------- */

TEST_F(kipc, info_state_and_value)
{
	struct kipc_event_info in;
	int fd = new_event(0), mfd = new_event(KIPC_EVENT_MANUAL_RESET);

	ASSERT_LE(0, fd);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0U, in.state);
	EXPECT_EQ(0ULL, in.value);
	ASSERT_EQ(0, kt_event_info(mfd, &in));
	EXPECT_EQ(KIPC_EVENT_MANUAL_RESET, in.state);
	ASSERT_EQ(0, kipc_event_signal(fd, 0x1234));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_SET, in.state);
	EXPECT_EQ(0x1234ULL, in.value);
	EXPECT_EQ(0U, in.waiters);
}

TEST_F(kipc, info_counters)
{
	struct kipc_event_info in;
	int fd = new_event(0), rep[2], st;
	struct kt_report r;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0ULL, in.signals);
	EXPECT_EQ(0ULL, in.wakeups);
	EXPECT_EQ(0U, in.waiters);

	ASSERT_EQ(0, kipc_event_signal(fd, 1));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(1ULL, in.signals);
	EXPECT_EQ(0ULL, in.wakeups);

	ASSERT_EQ(0, kipc_event_trywait(fd, NULL));
	ASSERT_EQ(-EAGAIN, kipc_event_trywait(fd, NULL));
	ASSERT_EQ(-ETIMEDOUT, kipc_event_wait(fd, 5 * MS, NULL));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(1ULL, in.signals);
	EXPECT_EQ(1ULL, in.wakeups);	/* failed waits are not wakeups */
	EXPECT_EQ(0U, in.waiters);

	pid = spawn_waiter(fd, rep[1], 0);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kipc_event_signal(fd, 2));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(2ULL, in.signals);
	EXPECT_EQ(2ULL, in.wakeups);
	EXPECT_EQ(0U, in.waiters);
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

TEST_F(kipc, info_invalid_input)
{
	struct kipc_event_info in;
	int fd = new_event(0), i;

	ASSERT_LE(0, fd);
	memset(&in, 0, sizeof(in));
	in.flags = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_EVENT_IOC_INFO, &in));
	memset(&in, 0, sizeof(in));
	in.__pad = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_EVENT_IOC_INFO, &in));
	for (i = 0; i < 4; i++) {
		memset(&in, 0, sizeof(in));
		in.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_EVENT_IOC_INFO, &in));
	}
	memset(&in, 0, sizeof(in));
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_INFO,
				KIPC_EVENT_INFO_SIZE_VER0 - 8), &in));
}

TEST_F(kipc, info_struct_sizes)
{
	struct {
		struct kipc_event_info in;
		uint64_t tail[2];
	} big;
	struct kipc_event_info in;
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_event_signal(fd, 3));
	memset(&big, 0, sizeof(big));
	ASSERT_EQ(0, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_INFO,
						sizeof(big)), &big));
	EXPECT_EQ(3ULL, big.in.value);
	EXPECT_EQ(0ULL, big.tail[0]);
	big.tail[1] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_INFO,
						     sizeof(big)), &big));
	/* The output fields are ignored on input: reuse works. */
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0, kt_ioctl(fd, KIPC_EVENT_IOC_INFO, &in));
	EXPECT_EQ(3ULL, in.value);
}

/* ---- KIPC_EVENT_IOC_SIGNAL errors --------------------------------------------- */

/* Flags, padding or reserved words in a signal: EINVAL, nothing signalled. */
KT_FIXTURE_NAMED(signal_args, (void)0)

FIXTURE_VARIANT(signal_args) {
	struct kipc_event_signal s;
};

FIXTURE_VARIANT_ADD(signal_args, flag_0) {
	.s.flags = 1,
};

FIXTURE_VARIANT_ADD(signal_args, flag_31) {
	.s.flags = 0x80000000U,
};

FIXTURE_VARIANT_ADD(signal_args, pad) {
	.s.__pad = 1,
};

FIXTURE_VARIANT_ADD(signal_args, reserved_0) {
	.s.reserved[0] = 1,
};

FIXTURE_VARIANT_ADD(signal_args, reserved_1) {
	.s.reserved[1] = 1,
};

TEST_F(signal_args, signal_invalid_input)
{
	struct kipc_event_signal s = variant->s;
	struct kipc_event_info in;
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_EVENT_IOC_SIGNAL, &s));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0ULL, in.signals);
	EXPECT_EQ(0U, in.state);
}

TEST_F(kipc, signal_struct_sizes)
{
	struct {
		struct kipc_event_signal s;
		uint64_t tail[2];
	} big;
	struct kipc_event_info in;
	uint64_t v = 0;
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	memset(&big, 0, sizeof(big));
	big.s.value = 17;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_SIGNAL,
				KIPC_EVENT_SIGNAL_SIZE_VER0 - 8), &big));
	big.tail[0] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_SIGNAL,
						     sizeof(big)), &big));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0ULL, in.signals);
	big.tail[0] = 0;
	EXPECT_EQ(0, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_SIGNAL,
						sizeof(big)), &big));
	EXPECT_EQ(0, kipc_event_trywait(fd, &v));
	EXPECT_EQ(17ULL, v);
}

TEST_F(kipc, signal_bad_pointer)
{
	struct kipc_event_info in;
	void *bad = kt_noaccess_page();
	int fd = new_event(0);

	ASSERT_NE(NULL, bad);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_EVENT_IOC_SIGNAL, bad));
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_EVENT_IOC_SIGNAL, NULL));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0ULL, in.signals);
	EXPECT_EQ(0U, in.state);
}

/* ---- access --------------------------------------------------------------------- */

TEST_F(kipc, ebadf_rdonly_signal)
{
	struct kipc_event_info in;
	int fd = kipc_event_create(NULL, 0600, 0, KIPC_FD_RDONLY);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, kipc_event_signal(fd, 1));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0ULL, in.signals);
	EXPECT_EQ(0U, in.state);
}

TEST_F(kipc, ebadf_rdonly_reset)
{
	struct kipc_event_info in;
	int fd = kipc_event_create(NULL, 0600, KIPC_EVENT_SET, KIPC_FD_RDONLY);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, kipc_event_reset(fd));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_SET, in.state);
	/* Reading is allowed. */
	EXPECT_EQ(0, kipc_event_trywait(fd, NULL));
}

TEST_F(kipc, ebadf_wronly_wait)
{
	struct kipc_timespec dl = kt_ts_at(kt_now_ns() + 10 * MS);
	struct kipc_event_info in;
	int fd = kipc_event_create(NULL, 0600, KIPC_EVENT_SET, KIPC_FD_WRONLY);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, kt_wait_raw(fd, 0, NULL, NULL));
	EXPECT_EQ(-EBADF, kt_wait_raw(fd, KIPC_WAIT_NONBLOCK, NULL, NULL));
	EXPECT_EQ(-EBADF, kt_wait_raw(fd, KIPC_WAIT_DEADLINE, &dl, NULL));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_SET, in.state);
	EXPECT_EQ(0ULL, in.wakeups);
	/* Writing is allowed. */
	EXPECT_EQ(0, kipc_event_signal(fd, 1));
	EXPECT_EQ(0, kipc_event_reset(fd));
}

/* ---- unknown commands ------------------------------------------------------------ */

TEST_F(kipc, event_ioctls_on_dev_enotty)
{
	struct kipc_event_signal s;
	struct kipc_event_wait w;
	struct kipc_event_info in;
	int dev = kt_dev();

	ASSERT_LE(0, dev);
	memset(&s, 0, sizeof(s));
	memset(&w, 0, sizeof(w));
	memset(&in, 0, sizeof(in));
	w.flags = KIPC_WAIT_NONBLOCK;
	EXPECT_EQ(-ENOTTY, kt_ioctl(dev, KIPC_EVENT_IOC_SIGNAL, &s));
	EXPECT_EQ(-ENOTTY, kt_ioctl(dev, KIPC_EVENT_IOC_RESET, NULL));
	EXPECT_EQ(-ENOTTY, kt_ioctl(dev, KIPC_EVENT_IOC_WAIT, &w));
	EXPECT_EQ(-ENOTTY, kt_ioctl(dev, KIPC_EVENT_IOC_INFO, &in));
}

TEST_F(kipc, event_unknown_nr_enotty)
{
	uint64_t buf[16];
	int fd = new_event(KIPC_EVENT_SET);

	ASSERT_LE(0, fd);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOWR(KIPC_IOC_MAGIC, 0x24,
					      struct kipc_event_info), buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOWR(KIPC_IOC_MAGIC, 0x2f,
					      struct kipc_event_info), buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IO(KIPC_IOC_MAGIC, 0x1f), NULL));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOWR(KIPC_IOC_MAGIC + 1, 0x22,
					      struct kipc_event_wait), buf));
	/* Nothing was consumed. */
	EXPECT_EQ(0, kipc_event_trywait(fd, NULL));
}

TEST_F(kipc, event_wrong_direction_enotty)
{
	uint64_t buf[16];
	int fd = new_event(KIPC_EVENT_SET);

	ASSERT_LE(0, fd);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOWR(KIPC_IOC_MAGIC, 0x20,
					      struct kipc_event_signal), buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOW(KIPC_IOC_MAGIC, 0x21, uint64_t),
				    buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOW(KIPC_IOC_MAGIC, 0x22,
					     struct kipc_event_wait), buf));
	EXPECT_EQ(0, kipc_event_trywait(fd, NULL));
}

/* ---- wait: argument errors ---------------------------------------------------------- */

/*
 * Each bad wait is tried on a set event: it must fail without consuming the
 * signal.
 */
#define EXPECT_WAIT_FAILS(fd, w, err) do {				\
	struct kipc_event_info i_;					\
									\
	EXPECT_EQ(-(err), kt_ioctl(fd, KIPC_EVENT_IOC_WAIT, w));	\
	ASSERT_EQ(0, kt_event_info(fd, &i_));				\
	EXPECT_EQ(KIPC_EVENT_SET, i_.state & KIPC_EVENT_SET);		\
	EXPECT_EQ(0ULL, i_.wakeups);					\
} while (0)

/*
 * A bad wait: EINVAL, and the signal stays.  With @sec_from_now, the
 * deadline's seconds count from now (a deadline that would be valid).
 */
KT_FIXTURE_NAMED(wait_args, (void)0)

FIXTURE_VARIANT(wait_args) {
	struct kipc_event_wait w;
	bool sec_from_now;
};

FIXTURE_VARIANT_ADD(wait_args, nsec_1e9) {
	.w.flags = KIPC_WAIT_DEADLINE,
	.w.deadline = { .tv_sec = 10, .tv_nsec = 1000000000ULL },
	.sec_from_now = true,
};

FIXTURE_VARIANT_ADD(wait_args, nsec_1e9_plus_1) {
	.w.flags = KIPC_WAIT_DEADLINE,
	.w.deadline = { .tv_sec = 10, .tv_nsec = 1000000001ULL },
	.sec_from_now = true,
};

FIXTURE_VARIANT_ADD(wait_args, nsec_top_bit) {
	.w.flags = KIPC_WAIT_DEADLINE,
	.w.deadline = { .tv_sec = 10, .tv_nsec = 0x8000000000000000ULL },
	.sec_from_now = true,
};

FIXTURE_VARIANT_ADD(wait_args, nsec_max) {
	.w.flags = KIPC_WAIT_DEADLINE,
	.w.deadline = { .tv_sec = 10, .tv_nsec = UINT64_MAX },
	.sec_from_now = true,
};

FIXTURE_VARIANT_ADD(wait_args, sec_minus_1) {
	.w.flags = KIPC_WAIT_DEADLINE,
	.w.deadline.tv_sec = -1,
};

FIXTURE_VARIANT_ADD(wait_args, sec_minus_1000) {
	.w.flags = KIPC_WAIT_DEADLINE,
	.w.deadline.tv_sec = -1000,
};

FIXTURE_VARIANT_ADD(wait_args, sec_min) {
	.w.flags = KIPC_WAIT_DEADLINE,
	.w.deadline.tv_sec = INT64_MIN,
};

FIXTURE_VARIANT_ADD(wait_args, deadline_without_flag) {
	.w.deadline.tv_sec = 1,
	.sec_from_now = true,
};

FIXTURE_VARIANT_ADD(wait_args, nsec_without_flag) {
	.w.deadline.tv_nsec = 1,
};

FIXTURE_VARIANT_ADD(wait_args, deadline_with_nonblock_flag) {
	.w.flags = KIPC_WAIT_NONBLOCK,
	.w.deadline.tv_sec = 1,
};

FIXTURE_VARIANT_ADD(wait_args, deadline_and_nonblock) {
	.w.flags = KIPC_WAIT_DEADLINE | KIPC_WAIT_NONBLOCK,
	.w.deadline.tv_sec = 1,
	.sec_from_now = true,
};

FIXTURE_VARIANT_ADD(wait_args, pad) {
	.w.__pad = 1,
};

FIXTURE_VARIANT_ADD(wait_args, reserved_0) {
	.w.reserved[0] = 1,
};

FIXTURE_VARIANT_ADD(wait_args, reserved_1) {
	.w.reserved[1] = 1,
};

TEST_F(wait_args, wait_rejected)
{
	struct kipc_event_wait w = variant->w;
	int fd = new_event(KIPC_EVENT_SET);

	ASSERT_LE(0, fd);
	if (variant->sec_from_now)
		w.deadline.tv_sec += kt_now_ns() / KT_NSEC_PER_SEC;
	EXPECT_WAIT_FAILS(fd, &w, EINVAL);
}

TEST_F(kipc, wait_unknown_flags)
{
	struct kipc_event_wait w;
	int fd = new_event(KIPC_EVENT_SET), bit;

	ASSERT_LE(0, fd);
	for (bit = 0; bit < 32; bit++) {
		if (KIPC_WAIT_FLAGS & (1U << bit))
			continue;
		memset(&w, 0, sizeof(w));
		w.flags = 1U << bit;
		EXPECT_WAIT_FAILS(fd, &w, EINVAL);
	}
}

TEST_F(kipc, wait_struct_sizes)
{
	struct {
		struct kipc_event_wait w;
		uint64_t tail[2];
	} big;
	struct kipc_event_info in;
	int fd;

	fd = kipc_create(KIPC_TYPE_EVENT, NULL, 0600,
			 &(struct kipc_event_attr){ .flags = KIPC_EVENT_SET,
						    .value = 61 },
			 sizeof(struct kipc_event_attr), 0);
	ASSERT_LE(0, fd);
	memset(&big, 0, sizeof(big));
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_WAIT,
				KIPC_EVENT_WAIT_SIZE_VER0 - 8), &big));
	big.tail[1] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_WAIT,
						     sizeof(big)), &big));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_SET, in.state);
	EXPECT_EQ(0ULL, in.wakeups);
	big.tail[1] = 0;
	EXPECT_EQ(0, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_EVENT_IOC_WAIT,
						sizeof(big)), &big));
	EXPECT_EQ(61ULL, big.w.value);
	EXPECT_EQ(0ULL, big.tail[0]);
	EXPECT_EQ(0ULL, big.tail[1]);
}

/* A wait whose result cannot be written back must not eat the signal. */
TEST_F(kipc, wait_readonly_struct_keeps_signal)
{
	struct kipc_event_wait w, *ro;
	struct kipc_event_info in;
	uint64_t v = 0;
	int fd = new_event(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_event_signal(fd, 88));
	memset(&w, 0, sizeof(w));
	ro = kt_readonly_copy(&w, sizeof(w));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_EVENT_IOC_WAIT, ro));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_SET, in.state);
	EXPECT_EQ(0ULL, in.wakeups);
	EXPECT_EQ(0, kipc_event_trywait(fd, &v));
	EXPECT_EQ(88ULL, v);
}

TEST_F(kipc, wait_bad_pointer_keeps_signal)
{
	struct kipc_event_info in;
	void *bad = kt_noaccess_page();
	int fd = new_event(KIPC_EVENT_SET);

	ASSERT_NE(NULL, bad);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_EVENT_IOC_WAIT, bad));
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_EVENT_IOC_WAIT, NULL));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_SET, in.state);
}

TEST_HARNESS_MAIN
