// SPDX-License-Identifier: GPL-2.0
/*
 * kipc event selftests of blocked waiters: FIFO hand-off between
 * processes, wake-one and wake-all, signals interrupting and restarting a
 * wait, stopped and killed waiters, races of a signal with an interrupt or
 * a timeout, and threads.
 *
 * Waits in children always have a deadline or are watched by the parent,
 * so a broken module fails a test instead of hanging the suite.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_event_util.h"

KT_FIXTURE()

/*
 * Child @pid still waits on @fd (nothing reported on @rep[0] yet); a
 * signal of @v wakes it: it reports { 0, @v } and exits with 0.
 */
#define EXPECT_SIGNAL_WAKES(fd, rep, pid, v) do {			\
	struct kt_report r_;						\
									\
	EXPECT_EQ(0, kt_read_report((rep)[0], &r_, 0));		\
	ASSERT_EQ(0, kipc_event_signal(fd, v));				\
	KT_EXPECT_CHILD_REPORT((rep)[0], pid, 0, v);			\
} while (0)

/* ---- processes -------------------------------------------------------------------------- */

TEST_F(kipc, fork_child_waits_parent_signals)
{
	int fd = new_event(0), rep[2];
	pid_t pid;

	SPAWN_BLOCKED_WAITERS(fd, rep, &pid, 1);
	/* Still blocked: nothing reported yet. */
	EXPECT_SIGNAL_WAKES(fd, rep, pid, 42ULL);
}

TEST_F(kipc, named_event_across_processes)
{
	const char *name = kt_name("xproc");
	uint64_t v = 0;
	int fd, st;
	pid_t pid;

	fd = kipc_event_create(name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* A fresh fd of the child's own, by name. */
		int cfd = kipc_event_open(name, KIPC_FD_WRONLY);

		if (cfd < 0)
			_exit(1);
		if (kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS))
			_exit(2);
		_exit(kipc_event_signal(cfd, 314) ? 3 : 0);
	}
	EXPECT_EQ(0, kipc_event_wait(fd, CHILD_WAIT_NS, &v));
	EXPECT_EQ(314ULL, v);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

TEST_F(kipc, wake_one_auto)
{
	struct kipc_event_info in;
	struct kt_report r;
	pid_t pids[NWAITERS];
	bool seen[NWAITERS] = { false };
	int fd = new_event(0), rep[2], i;

	SPAWN_BLOCKED_WAITERS(fd, rep, pids, NWAITERS);

	ASSERT_EQ(0, kipc_event_signal(fd, 100));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ((unsigned int)NWAITERS - 1, in.waiters);
	EXPECT_EQ(1ULL, in.wakeups);
	EXPECT_EQ(0U, in.state);
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(100ULL, r.value);
	ASSERT_LE(0, r.idx);
	ASSERT_GT(NWAITERS, r.idx);
	seen[r.idx] = true;
	/* Exactly one: nobody else wakes up. */
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 200));

	for (i = 1; i < NWAITERS; i++)
		ASSERT_EQ(0, kipc_event_signal(fd, 100 + i));
	for (i = 1; i < NWAITERS; i++) {
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, r.ret);
		ASSERT_LE(0, r.idx);
		ASSERT_GT(NWAITERS, r.idx);
		EXPECT_FALSE(seen[r.idx]);
		seen[r.idx] = true;
	}
	for (i = 0; i < NWAITERS; i++)
		EXPECT_EQ(0, kt_reap(pids[i], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ((uint64_t)NWAITERS, in.wakeups);
	EXPECT_EQ(0U, in.state);
}

TEST_F(kipc, wake_all_manual)
{
	struct kipc_event_info in;
	struct kt_report r;
	pid_t pids[NWAITERS];
	bool seen[NWAITERS] = { false };
	int fd = new_event(KIPC_EVENT_MANUAL_RESET), rep[2], i;

	SPAWN_BLOCKED_WAITERS(fd, rep, pids, NWAITERS);
	ASSERT_EQ(0, kipc_event_signal(fd, 55));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0U, in.waiters);
	EXPECT_EQ((uint64_t)NWAITERS, in.wakeups);
	EXPECT_EQ(KIPC_EVENT_MANUAL_RESET | KIPC_EVENT_SET, in.state);
	for (i = 0; i < NWAITERS; i++) {
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, r.ret);
		EXPECT_EQ(55ULL, r.value);
		ASSERT_LE(0, r.idx);
		ASSERT_GT(NWAITERS, r.idx);
		EXPECT_FALSE(seen[r.idx]);
		seen[r.idx] = true;
	}
	for (i = 0; i < NWAITERS; i++)
		EXPECT_EQ(0, kt_reap(pids[i], KT_CHILD_TIMEOUT_MS));
}

/* Waiters are served in the order they started waiting. */
TEST_F(kipc, fifo_order_auto)
{
	struct kipc_event_info in;
	struct kt_report r;
	pid_t pids[NWAITERS];
	int fd = new_event(0), rep[2], i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	for (i = 0; i < NWAITERS; i++) {
		pids[i] = spawn_waiter(fd, rep[1], i);
		ASSERT_LE(0, pids[i]);
		ASSERT_EQ(0, kt_wait_waiters(fd, i + 1, KT_CHILD_TIMEOUT_MS));
	}
	for (i = 0; i < NWAITERS; i++) {
		ASSERT_EQ(0, kipc_event_signal(fd, 1000 + i));
		ASSERT_EQ(0, kt_event_info(fd, &in));
		EXPECT_EQ((unsigned int)(NWAITERS - 1 - i), in.waiters);
	}
	for (i = 0; i < NWAITERS; i++) {
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, r.ret);
		EXPECT_EQ(1000ULL + r.idx, r.value)
			TH_LOG("waiter %d got the signal meant for waiter %d",
			       r.idx, (int)(r.value - 1000));
	}
	for (i = 0; i < NWAITERS; i++)
		EXPECT_EQ(0, kt_reap(pids[i], KT_CHILD_TIMEOUT_MS));
}

/* ---- signals and blocked waits ------------------------------------------------------- */

/*
 * A child that catches SIGUSR1 with kt_catch_signal() (@hfd, @flags), then
 * waits on @fd without a deadline and reports the result on @rep.
 */
static pid_t spawn_signal_waiter(int fd, int rep, int hfd, int flags)
{
	pid_t pid = kt_fork();
	uint64_t v = 0;
	int ret;

	if (pid == 0) {
		if (kt_catch_signal(SIGUSR1, hfd, flags))
			_exit(91);
		ret = kipc_event_wait(fd, KIPC_INFINITE, &v);
		kt_report(rep, 0, ret, v);
		_exit(0);
	}
	return pid;
}

TEST_F(kipc, signal_interrupts_wait_eintr)
{
	struct kipc_event_info in;
	struct kt_report r;
	int fd = new_event(0), rep[2], hp[2], st;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	pid = spawn_signal_waiter(fd, rep[1], hp[1], 0);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	EXPECT_EQ('h', kt_read_byte(hp[0], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-EINTR, r.ret);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0U, in.waiters);
	EXPECT_EQ(0ULL, in.wakeups);
	/* The interrupted waiter took nothing: a signal now stays pending. */
	ASSERT_EQ(0, kipc_event_signal(fd, 1));
	EXPECT_EQ(0, kipc_event_trywait(fd, NULL));
}

TEST_F(kipc, signal_sa_restart_resumes_wait)
{
	int fd = new_event(0), rep[2], hp[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	pid = spawn_signal_waiter(fd, rep[1], hp[1], SA_RESTART);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ('h', kt_read_byte(hp[0], KT_CHILD_TIMEOUT_MS));
	/* The handler ran; the wait restarted and blocks again. */
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	EXPECT_SIGNAL_WAKES(fd, rep, pid, 66ULL);
}

TEST_F(kipc, signal_sa_restart_keeps_deadline)
{
	struct kt_report r;
	int64_t end;
	int fd = new_event(0), rep[2], hp[2], st;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	end = kt_now_ns() + 300 * MS;
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_timespec dl = kt_ts_at(end);
		int ret;

		if (kt_catch_signal(SIGUSR1, hp[1], SA_RESTART))
			_exit(91);
		ret = kt_wait_raw(fd, KIPC_WAIT_DEADLINE, &dl, NULL);
		kt_report(rep[1], 0, ret, (uint64_t)kt_now_ns());
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ('h', kt_read_byte(hp[0], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-ETIMEDOUT, r.ret);
	EXPECT_LE(end, (int64_t)r.value);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

/* A stop and continue (no handler) restarts the wait invisibly. */
TEST_F(kipc, sigstop_sigcont_resumes_wait)
{
	int fd = new_event(0), rep[2], status;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t v = 0;
		int ret = kipc_event_wait(fd, KIPC_INFINITE, &v);

		kt_report(rep[1], 0, ret, v);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, kill(pid, SIGCONT));
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	EXPECT_SIGNAL_WAKES(fd, rep, pid, 71ULL);
}

TEST_F(kipc, sigkill_waiter_no_leak)
{
	struct kipc_event_info in;
	struct kipc_stats b, a;
	int fd, st;
	pid_t pid;

	ASSERT_EQ(0, kt_stats(&b));
	fd = new_event(0);
	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		kt_child_exit_err(kipc_event_wait(fd, KIPC_INFINITE, NULL));
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(256 + SIGKILL, st);
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0U, in.waiters);
	EXPECT_EQ(0ULL, in.wakeups);
	/* The event still works, and the dead waiter takes nothing. */
	ASSERT_EQ(0, kipc_event_signal(fd, 2));
	EXPECT_EQ(0, kipc_event_trywait(fd, NULL));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.uid_objects, a.uid_objects);
}

/* A killed waiter in the middle of the queue does not break FIFO order. */
TEST_F(kipc, sigkill_middle_waiter_keeps_order)
{
	kt_check_kill_middle_keeps_order(_metadata, new_event(0), spawn_waiter,
					 kt_wait_waiters, kipc_event_signal, 0);
}

/*
 * Judge one round of a race for a blocked waiter (@pid, reporting on @rep)
 * to which @v was signalled: either it got @v, or its wait failed with
 * -@err (@what, in the log) and @v stayed in the event.  Return: 1 if the
 * waiter got the value.
 */
static int judge_event_race(struct __test_metadata *_metadata, int fd,
			    pid_t pid, int rep, uint64_t v, int err,
			    const char *what, int round)
{
	struct kipc_event_info in;
	struct kt_report r;
	uint64_t got;

	ASSERT_EQ(1, kt_read_report(rep, &r, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	if (r.ret == 0) {
		EXPECT_EQ(v, r.value);
		EXPECT_EQ(0U, in.state);
	} else {
		EXPECT_EQ(-err, r.ret);
		EXPECT_EQ(KIPC_EVENT_SET, in.state)
			TH_LOG("round %d: %s and the signal is lost",
			       round, what);
		got = 0;
		EXPECT_EQ(0, kipc_event_trywait(fd, &got));
		EXPECT_EQ(v, got);
	}
	EXPECT_EQ(-EAGAIN, kipc_event_trywait(fd, NULL));
	EXPECT_EQ(0U, in.waiters);
	return r.ret == 0;
}

/*
 * A signal handler and an event signal racing for a blocked waiter: either
 * the waiter gets the value, or it returns EINTR and the value stays in
 * the event.  Never both, never neither.
 */
TEST_F(kipc, race_interrupt_vs_signal_nothing_lost)
{
	int fd = new_event(0), rep[2], hp[2], i, got = 0, intr = 0;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	for (i = 0; i < 30; i++) {
		pid = spawn_signal_waiter(fd, rep[1], hp[1], 0);
		ASSERT_LE(0, pid);
		ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
		if (i % 3 == 0) {
			ASSERT_EQ(0, kipc_event_signal(fd, 1000 + i));
			ASSERT_EQ(0, kill(pid, SIGUSR1));
		} else {
			/* Give the interruption a varying head start. */
			ASSERT_EQ(0, kill(pid, SIGUSR1));
			if (i % 3 == 2)
				usleep(100 * (i % 7));
			ASSERT_EQ(0, kipc_event_signal(fd, 1000 + i));
		}
		if (judge_event_race(_metadata, fd, pid, rep[0], 1000 + i,
				     EINTR, "EINTR", i))
			got++;
		else
			intr++;
	}
	TH_LOG("%d rounds woken by the event, %d interrupted", got, intr);
}

/*
 * A deadline and a signal racing: either the waiter gets the value, or it
 * times out and the value stays in the event.
 */
TEST_F(kipc, race_timeout_vs_signal_nothing_lost)
{
	int fd = new_event(0), rep[2], i, got = 0, late = 0;
	uint64_t v;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	for (i = 0; i < 30; i++) {
		pid = kt_fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			int ret;

			v = 0;
			ret = kipc_event_wait(fd, (2 + i % 4) * MS, &v);
			kt_report(rep[1], 0, ret, v);
			_exit(0);
		}
		kt_sleep_ms(2 + i % 4);
		ASSERT_EQ(0, kipc_event_signal(fd, 2000 + i));
		if (judge_event_race(_metadata, fd, pid, rep[0], 2000 + i,
				     ETIMEDOUT, "timed out", i))
			got++;
		else
			late++;
	}
	TH_LOG("%d rounds got the value, %d timed out first", got, late);
}

/* ---- threads -------------------------------------------------------------------------- */

struct thread_wait {
	int fd;
	int ret;
};

static void *thread_waiter(void *arg)
{
	struct thread_wait *t = arg;

	t->ret = kipc_event_wait(t->fd, KIPC_INFINITE, NULL);
	return NULL;
}

/* Closing the fd under a blocked wait: the object lives until it returns. */
TEST_F(kipc, close_while_waiting)
{
	struct thread_wait t = { .ret = 1 };
	struct kipc_stats b, a;
	pthread_t th;

	ASSERT_EQ(0, kt_on_signal(SIGUSR2, kt_signal_noop, 0));
	ASSERT_EQ(0, kt_stats(&b));
	t.fd = new_event(0);
	ASSERT_LE(0, t.fd);
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_waiter, &t));
	ASSERT_EQ(0, kt_wait_waiters(t.fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, close(t.fd));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects + 1, a.objects);
	ASSERT_EQ(0, pthread_kill(th, SIGUSR2));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EINTR, t.ret);
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.destroyed + 1, a.destroyed);
}

/* Threads of one process are served in FIFO order like processes. */
TEST_F(kipc, threads_wake_one_each)
{
	struct thread_wait t[3];
	struct kipc_event_info in;
	pthread_t th[3];
	int fd = new_event(0), i;

	ASSERT_LE(0, fd);
	for (i = 0; i < 3; i++) {
		t[i].fd = fd;
		t[i].ret = 1;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, thread_waiter, &t[i]));
	}
	ASSERT_EQ(0, kt_wait_waiters(fd, 3, KT_CHILD_TIMEOUT_MS));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, kipc_event_signal(fd, i));
		ASSERT_EQ(0, kt_event_info(fd, &in));
		EXPECT_EQ((unsigned int)(2 - i), in.waiters);
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0, t[i].ret);
	}
}

TEST_HARNESS_MAIN
