// SPDX-License-Identifier: GPL-2.0
/*
 * Teardown races: module unload attempts while objects are open, unlink
 * and close while others are blocked, processes that exit holding
 * objects, and threads racing to create, open and unlink one name.
 * On the debug kernel all of this runs under lockdep and KASAN.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_test_util.h"

#define WAIT_NS		(KT_CHILD_TIMEOUT_MS * KT_NSEC_PER_MSEC)

KT_FIXTURE()

static int try_unload(void)
{
	return syscall(SYS_delete_module, "kipc", O_NONBLOCK) ? -errno : 0;
}

/* A child that waits on @fd and exits with the wait's errno (0: woken). */
static pid_t spawn_event_waiter(int fd)
{
	pid_t pid = kt_fork();

	if (pid == 0)
		kt_child_exit_err(kipc_event_wait(fd, WAIT_NS, NULL));
	return pid;
}

TEST_F(kipc, unload_refused_while_object_open)
{
	int fd = kipc_event_create(NULL, 0600, 0, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EWOULDBLOCK, try_unload());
	/* Still fully working. */
	EXPECT_EQ(0, kipc_event_signal(fd, 1));
	EXPECT_EQ(0, kipc_event_trywait(fd, NULL));
}

TEST_F(kipc, unload_refused_while_waiter_blocked)
{
	int fd = kipc_event_create(NULL, 0600, 0, 0);
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = spawn_event_waiter(fd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	/* Only the child holds the object now. */
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(-EWOULDBLOCK, try_unload());
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(256 + SIGKILL, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

TEST_F(kipc, unload_refused_while_named_object_open)
{
	const char *name = kt_name("unl");
	int fd = kipc_event_create(name, 0600, 0, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EWOULDBLOCK, try_unload());
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));
}

TEST_F(kipc, unlink_while_waiters_blocked)
{
	const char *name = kt_name("ublk");
	struct kipc_event_info in;
	pid_t pids[3];
	int fd, i;

	fd = kipc_event_create(name, 0600, KIPC_EVENT_MANUAL_RESET, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < 3; i++) {
		int cfd;

		pids[i] = kt_fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			cfd = kipc_event_open(name, 0);
			if (cfd < 0)
				kt_child_exit_err(cfd);
			kt_child_exit_err(kipc_event_wait(cfd, WAIT_NS, NULL));
		}
		ASSERT_EQ(0, kt_wait_waiters(fd, i + 1, KT_CHILD_TIMEOUT_MS));
	}
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));
	EXPECT_EQ(-ENOENT, kipc_event_open(name, 0));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(3U, in.waiters);
	/* The name is gone, the object and its waiters are not. */
	ASSERT_EQ(0, kipc_event_signal(fd, 9));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, kt_reap(pids[i], KT_CHILD_TIMEOUT_MS));
}

struct blocked {
	int fd;
	int is_queue;
	int ret;
};

static void *block_thread(void *arg)
{
	struct blocked *b = arg;
	char buf[16];

	if (b->is_queue)
		b->ret = (int)kipc_queue_recv(b->fd, buf, sizeof(buf), NULL,
					      WAIT_NS);
	else
		b->ret = kipc_event_wait(b->fd, WAIT_NS, NULL);
	return NULL;
}

static int queue_receivers(int fd)
{
	struct kipc_queue_info in;

	return kipc_queue_info(fd, &in) ? -1 : (int)in.receivers;
}

TEST_F(kipc, close_while_threads_blocked)
{
	int ev = kipc_event_create(NULL, 0600, 0, 0);
	int q = kipc_queue_create(NULL, 0600, 4, 16, 0);
	struct blocked b[2] = { { .fd = ev }, { .fd = q, .is_queue = 1 } };
	struct kipc_stats before, after;
	int ev2, q2, i;
	pthread_t t[2];

	ASSERT_LE(0, ev);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, kt_stats(&before));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, block_thread, &b[i]));
	ASSERT_EQ(0, kt_wait_waiters(ev, 1, KT_CHILD_TIMEOUT_MS));
	for (i = 0; i < 1000 && queue_receivers(q) != 1; i++)
		kt_sleep_ms(1);
	ASSERT_EQ(1, queue_receivers(q));

	/* Keep other handles, close the ones the threads are blocked on. */
	ev2 = dup(ev);
	q2 = dup(q);
	ASSERT_LE(0, ev2);
	ASSERT_LE(0, q2);
	ASSERT_EQ(0, close(ev));
	ASSERT_EQ(0, close(q));
	kt_sleep_ms(20);
	ASSERT_EQ(0, kipc_event_signal(ev2, 1));
	ASSERT_EQ(0, kipc_queue_send(q2, "x", 1, 0, 0));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	EXPECT_EQ(0, b[0].ret);
	EXPECT_EQ(1, b[1].ret);

	ASSERT_EQ(0, close(ev2));
	ASSERT_EQ(0, close(q2));
	ASSERT_EQ(0, kt_stats(&after));
	EXPECT_EQ(before.objects - 2, after.objects);
}

TEST_F(kipc, close_last_fd_while_thread_blocked_then_interrupt)
{
	int ev = kipc_event_create(NULL, 0600, 0, 0);
	struct blocked b = { .fd = ev };
	struct kipc_stats before, after;
	pthread_t t;

	ASSERT_LE(0, ev);
	/* No SA_RESTART. */
	ASSERT_EQ(0, kt_on_signal(SIGUSR2, kt_signal_noop, 0));
	ASSERT_EQ(0, kt_stats(&before));
	ASSERT_EQ(0, pthread_create(&t, NULL, block_thread, &b));
	ASSERT_EQ(0, kt_wait_waiters(ev, 1, KT_CHILD_TIMEOUT_MS));
	/* The blocked ioctl holds the file: the object outlives close(). */
	ASSERT_EQ(0, close(ev));
	kt_sleep_ms(20);
	ASSERT_EQ(0, kt_stats(&after));
	EXPECT_EQ(before.objects, after.objects);
	/* Nobody can signal it now; a signal handler ends the wait. */
	ASSERT_EQ(0, pthread_kill(t, SIGUSR2));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(-EINTR, b.ret);
	ASSERT_EQ(0, kt_stats(&after));
	EXPECT_EQ(before.objects - 1, after.objects);
}

TEST_F(kipc, exit_with_objects_open)
{
	const char *name = kt_name("exit");
	struct kipc_stats before, after;
	struct kipc_queue_info qi;
	int rep[2], q, fd;
	pid_t pid;
	char c;

	q = kipc_queue_create(NULL, 0600, 4, 16, KIPC_FD_NOCLOEXEC);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, kt_stats(&before));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Anonymous and named objects, and a notification. */
		if (kipc_event_create(NULL, 0600, 0, 0) < 0 ||
		    kipc_queue_create(NULL, 0600, 4, 16, 0) < 0 ||
		    kipc_event_create(name, 0600, 0, 0) < 0 ||
		    kipc_queue_notify(q, SIGUSR1, 5))
			_exit(1);
		if (write(rep[1], "r", 1) != 1)
			_exit(2);
		pause();
		_exit(3);
	}
	ASSERT_EQ(1, read(rep[0], &c, 1));
	ASSERT_EQ(0, kipc_queue_info(q, &qi));
	EXPECT_EQ((uint32_t)pid, qi.notify_pid);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(256 + SIGKILL, kt_reap(pid, KT_CHILD_TIMEOUT_MS));

	/* The anonymous ones died with it, the named one lives on. */
	ASSERT_EQ(0, kt_stats(&after));
	EXPECT_EQ(before.objects + 1, after.objects);
	EXPECT_EQ(before.named + 1, after.named);
	ASSERT_EQ(0, kipc_queue_info(q, &qi));
	EXPECT_EQ(0U, qi.notify_pid);
	fd = kipc_event_open(name, 0);
	EXPECT_LE(0, fd);
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));
}

#define RACERS		4
#define RACE_ITERS	400

struct racer {
	const char *name;
	int id;
	long created, opened, unlinked;
	int bad;
};

static void *race_thread(void *arg)
{
	struct racer *r = arg;
	uint32_t seed = r->id * 7919 + 1;
	int i, fd, ret;

	for (i = 0; i < RACE_ITERS; i++) {
		seed = seed * 1103515245 + 12345;
		switch ((seed >> 16) % 3) {
		case 0:
			fd = kipc_event_create(r->name, 0600, 0, 0);
			if (fd >= 0) {
				r->created++;
				close(fd);
			} else if (fd != -EEXIST) {
				r->bad = fd;
			}
			break;
		case 1:
			fd = kipc_event_open(r->name, 0);
			if (fd >= 0) {
				r->opened++;
				if (kipc_event_signal(fd, i))
					r->bad = -EIO;
				close(fd);
			} else if (fd != -ENOENT) {
				r->bad = fd;
			}
			break;
		default:
			ret = kipc_unlink(KIPC_TYPE_EVENT, r->name);
			if (!ret)
				r->unlinked++;
			else if (ret != -ENOENT)
				r->bad = ret;
		}
	}
	return NULL;
}

TEST_F(kipc, threads_race_create_open_unlink)
{
	struct racer r[RACERS];
	const char *name = kt_name("race");
	long created = 0, unlinked = 0;
	struct kipc_stats before, after;
	pthread_t t[RACERS];
	int i;

	ASSERT_EQ(0, kt_stats(&before));
	for (i = 0; i < RACERS; i++) {
		r[i] = (struct racer){ .name = name, .id = i };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, race_thread, &r[i]));
	}
	for (i = 0; i < RACERS; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		EXPECT_EQ(0, r[i].bad);
		created += r[i].created;
		unlinked += r[i].unlinked;
	}
	/* Every creation was unlinked once, or its name is still there. */
	ASSERT_EQ(0, kt_stats(&after));
	EXPECT_EQ(created - unlinked, (long)(after.named - before.named));
	EXPECT_LE(0, created - unlinked);
	EXPECT_GE(1, created - unlinked);
	EXPECT_LT(0, created);
	TH_LOG("%ld created, %ld unlinked", created, unlinked);
}

TEST_HARNESS_MAIN
