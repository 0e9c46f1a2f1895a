// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message queue selftests, blocked calls: blocked senders and
 * receivers served in arrival order with direct hand-off, signals
 * interrupting and restarting blocked calls, killed and exiting waiters,
 * closing an fd under a blocked call.
 */
#include "kipc_queue_util.h"

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
	KT_EXPECT_CHILD_REPORT(rep[0], p0, -EMSGSIZE, 20ULL);
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

static int restart_recv(int64_t end, void *arg)
{
	struct kipc_timespec dl = kt_ts_at(end);
	char buf[8];

	return q_recv_raw(*(int *)arg, KIPC_WAIT_DEADLINE, &dl, buf,
			  sizeof(buf), NULL, NULL);
}

static int restart_recv_asleep(pid_t pid, void *arg, int timeout_ms)
{
	(void)pid;
	return wait_blocked(*(int *)arg, 0, 1, timeout_ms);
}

/* SA_RESTART keeps the absolute deadline: the wait ends on time. */
TEST_F(kipc, signal_sa_restart_keeps_deadline)
{
	int fd = new_queue(1, 8);

	ASSERT_LE(0, fd);
	kt_check_restart_keeps_deadline(_metadata, 300, 5000, restart_recv,
					restart_recv_asleep, &fd);
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
	KT_EXPECT_CHILD_REPORT(rep[0], pid, 8, 71ULL);
}

/*
 * The end of one round of a race between message @v and what ends a
 * blocked receive (child @pid, reporting to @rep) with -@err: either it
 * got the message and the queue is empty, or it failed with -@err and
 * the message is still queued.  Never both, never neither.
 * Return: 1 if it got the message, 0 if not.
 */
static int judge_recv_race(struct __test_metadata *_metadata, int fd,
			   pid_t pid, int rep, uint64_t v, int err,
			   const char *what, int round)
{
	struct kipc_queue_info in;
	struct kt_report r;
	uint64_t got = 0;

	ASSERT_EQ(1, kt_read_report(rep, &r, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.receivers);
	if (r.ret == 8) {
		EXPECT_EQ(v, r.value);
		EXPECT_EQ(0U, in.msgs);
	} else {
		EXPECT_EQ(-err, r.ret);
		EXPECT_EQ(1U, in.msgs)
			TH_LOG("round %d: %s and the message is lost",
			       round, what);
		EXPECT_EQ(8, kipc_queue_recv(fd, &got, 8, NULL, 0));
		EXPECT_EQ(v, got);
	}
	EXPECT_EQ(-EAGAIN, kipc_queue_recv(fd, &got, 8, NULL, 0));
	return r.ret == 8;
}

/*
 * A signal handler and a message racing for a blocked receiver: either
 * the receiver gets the message, or it returns EINTR and the message
 * stays queued.  Never both, never neither.
 */
TEST_F(kipc, race_interrupt_vs_send_nothing_lost)
{
	int fd = new_queue(1, 8), rep[2], hp[2], i, got = 0, intr = 0;
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
		if (judge_recv_race(_metadata, fd, pid, rep[0], 1000 + i,
				    EINTR, "EINTR", i))
			got++;
		else
			intr++;
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
		if (judge_recv_race(_metadata, fd, pid, rep[0], 4000 + i,
				    ETIMEDOUT, "timed out", i))
			got++;
		else
			late++;
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

static pid_t spawn_receiver16(int fd, int rep, int idx)
{
	return spawn_receiver(fd, rep, idx, NULL, 16);
}

static int receivers_blocked(int fd, unsigned int n, int timeout_ms)
{
	return wait_blocked(fd, 0, n, timeout_ms);
}

static int send_now(int fd, uint64_t v)
{
	return send_u64(fd, v, 0, 0);
}

/* A killed receiver in the middle of the line does not break FIFO order. */
TEST_F(kipc, sigkill_middle_receiver_keeps_order)
{
	kt_check_kill_middle_keeps_order(_metadata, new_queue(4, 16),
					 spawn_receiver16, receivers_blocked,
					 send_now, 8);
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

TEST_HARNESS_MAIN
