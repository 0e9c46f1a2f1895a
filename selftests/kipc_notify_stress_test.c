// SPDX-License-Identifier: GPL-2.0
/*
 * kipc signal stress: many processes make objects ready at once while
 * one process counts the signals, so that none is lost and none is sent
 * twice.  Realtime signals queue (they are not merged), so a persistent
 * registration or an O_ASYNC file must produce exactly one signal per
 * readiness; a one-shot registration exactly one per registration.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "kipc_test_util.h"

#define KIDS		4
#define OPS		400
#define ROUNDS		300
#define DRAIN_MS	20000

KT_FIXTURE_NAMED(types, (void)0)

FIXTURE_VARIANT(types) {
	uint32_t type;
	bool async;	/* O_ASYNC with F_SETSIG, else KIPC_NOTIFY_PERSIST */
};

FIXTURE_VARIANT_ADD(types, event_notify) { .type = KIPC_TYPE_EVENT };
FIXTURE_VARIANT_ADD(types, sem_notify) { .type = KIPC_TYPE_SEMAPHORE };
FIXTURE_VARIANT_ADD(types, pipe_notify) { .type = KIPC_TYPE_PIPE };
FIXTURE_VARIANT_ADD(types, event_async) {
	.type = KIPC_TYPE_EVENT, .async = true,
};
FIXTURE_VARIANT_ADD(types, sem_async) {
	.type = KIPC_TYPE_SEMAPHORE, .async = true,
};
FIXTURE_VARIANT_ADD(types, pipe_async) {
	.type = KIPC_TYPE_PIPE, .async = true,
};

/* Queue many realtime signals: the count is the test. */
static int raise_sigpending(void)
{
	struct rlimit r = { .rlim_cur = 1 << 16, .rlim_max = 1 << 16 };

	return setrlimit(RLIMIT_SIGPENDING, &r) ? -errno : 0;
}

/* A child: make the object ready @n times, through its own sem handle. */
static void kid(uint32_t type, int fd, int peer, int n)
{
	struct kipc_sem *sem = NULL;
	char c = 'x';
	int i, ret = 0;

	if (type == KIPC_TYPE_SEMAPHORE && kipc_sem_attach(fd, &sem))
		_exit(10);
	for (i = 0; i < n && !ret; i++) {
		switch (type) {
		case KIPC_TYPE_EVENT:
			ret = kipc_event_signal(fd, i);
			break;
		case KIPC_TYPE_SEMAPHORE:
			ret = kipc_sem_post(sem, 1, 0);
			break;
		case KIPC_TYPE_PIPE:
			ret = write(peer, &c, 1) == 1 ? 0 : -errno;
			break;
		}
	}
	_exit(ret ? 11 : 0);
}

/* Every readiness, one signal: KIDS * OPS of them, no more. */
TEST_F(types, stress_one_signal_per_readiness)
{
	const int sig = SIGRTMIN + 6;
	const uint64_t value = 0xabcdef;
	pid_t kids[KIDS];
	int fd, peer = -1, fds[2], i, got = 0, bad = 0;
	struct kipc_sem_info si_sem;
	int64_t end;
	siginfo_t si;

	ASSERT_EQ(0, raise_sigpending());
	switch (variant->type) {
	case KIPC_TYPE_EVENT:
		fd = kipc_event_create(NULL, 0600, 0, 0);
		break;
	case KIPC_TYPE_SEMAPHORE:
		fd = kipc_sem_create(NULL, 0600, 0, KIDS * OPS, 0);
		break;
	default:
		ASSERT_EQ(0, kipc_pipe(fds, KIDS * OPS, 0));
		fd = fds[0];
		peer = fds[1];
		break;
	}
	ASSERT_LE(0, fd);
	kt_block_signal(sig, true);
	if (variant->async) {
		ASSERT_EQ(0, fcntl(fd, F_SETOWN, getpid()));
		ASSERT_EQ(0, fcntl(fd, F_SETSIG, sig));
		ASSERT_EQ(0, fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC));
	} else {
		ASSERT_EQ(0, kipc_notify(fd, sig, value, KIPC_NOTIFY_PERSIST));
	}
	for (i = 0; i < KIDS; i++) {
		kids[i] = kt_fork();
		ASSERT_LE(0, kids[i]);
		if (kids[i] == 0)
			kid(variant->type, fd, peer, OPS);
	}
	/* Count while they run: the pending queue stays short. */
	end = kt_now_ns() + DRAIN_MS * KT_NSEC_PER_MSEC;
	while (got < KIDS * OPS && kt_now_ns() < end) {
		if (kt_take_signal(sig, &si, 100) != 1)
			continue;
		got++;
		if (variant->async ?
		    (si.si_fd != fd || si.si_code != POLL_IN) :
		    ((uint64_t)(uintptr_t)si.si_value.sival_ptr != value ||
		     si.si_code != SI_QUEUE))
			bad++;
	}
	for (i = 0; i < KIDS; i++)
		EXPECT_EQ(0, kt_reap(kids[i], KT_CHILD_TIMEOUT_MS));
	kt_soak_count(KIDS + 1, (unsigned long long)KIDS * OPS + got);
	EXPECT_EQ(KIDS * OPS, got);
	EXPECT_EQ(0, bad);
	/* And not one more. */
	EXPECT_EQ(0, kt_take_signal(sig, &si, 200));
	if (variant->type == KIPC_TYPE_SEMAPHORE) {
		ASSERT_EQ(0, kipc_sem_info(fd, &si_sem));
		EXPECT_EQ((uint32_t)(KIDS * OPS), si_sem.value);
	}
}

KT_FIXTURE()

/*
 * One-shot under fire: while KIDS processes set an event as fast as they
 * can, each of ROUNDS registrations fires exactly once.
 */
TEST_F(kipc, stress_one_shot_exactly_once)
{
	int fd, i, lost = 0, dup = 0;
	pid_t kids[KIDS];
	siginfo_t si;
	uint64_t v;

	fd = kipc_event_create(NULL, 0600, KIPC_EVENT_MANUAL_RESET, 0);
	ASSERT_LE(0, fd);
	kt_block_signal(SIGUSR1, true);
	for (i = 0; i < KIDS; i++) {
		kids[i] = kt_fork();
		ASSERT_LE(0, kids[i]);
		if (kids[i] == 0) {
			for (;;)
				if (kipc_event_signal(fd, 1))
					_exit(1);
		}
	}
	for (i = 0; i < ROUNDS; i++) {
		ASSERT_EQ(0, kipc_notify(fd, SIGUSR1, i, 0));
		if (kt_take_signal(SIGUSR1, &si, 5000) != 1) {
			lost++;
			kipc_notify(fd, 0, 0, 0);
			continue;
		}
		if ((uint64_t)(uintptr_t)si.si_value.sival_ptr != (uint64_t)i)
			dup++;
		/* Fired, so gone: nothing to remove, nothing more to come. */
		if (kipc_notify(fd, 0, 0, 0) != -ENOENT)
			dup++;
		if (kt_take_signal(SIGUSR1, &si, 0) != 0)
			dup++;
		kipc_event_trywait(fd, &v);
	}
	kt_kill_kids();
	kt_soak_count(KIDS + 1, ROUNDS);
	EXPECT_EQ(0, lost);
	EXPECT_EQ(0, dup);
}

/*
 * Registrations racing with closes and exits in other processes: every
 * child registers, closes, registers again and exits, all at once, while
 * the parent sets the event; at the end nothing is left registered.
 */
TEST_F(kipc, stress_register_close_exit)
{
	int fd, i, j;
	pid_t kids[KIDS];

	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < KIDS; i++) {
		kids[i] = kt_fork();
		ASSERT_LE(0, kids[i]);
		if (kids[i] == 0) {
			signal(SIGUSR2, SIG_IGN);
			for (j = 0; j < OPS; j++) {
				int d = dup(fd), r;

				r = kipc_notify(d, SIGUSR2, j, j & 1 ?
						KIPC_NOTIFY_PERSIST : 0);
				if (r && r != -EBUSY)
					_exit(1);
				close(d);
			}
			kipc_notify(fd, SIGUSR2, 0, KIPC_NOTIFY_PERSIST);
			_exit(0);
		}
	}
	for (j = 0; j < OPS; j++)
		ASSERT_EQ(0, kipc_event_signal(fd, j));
	for (i = 0; i < KIDS; i++)
		EXPECT_EQ(0, kt_reap(kids[i], KT_CHILD_TIMEOUT_MS));
	kt_soak_count(KIDS + 1, (unsigned long long)(KIDS + 1) * OPS);
	/* Every child's registration went with it. */
	EXPECT_EQ(0, kipc_notify(fd, SIGUSR2, 0, 0));
	EXPECT_EQ(0, kipc_notify(fd, 0, 0, 0));
}

TEST_HARNESS_MAIN
