// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX IPC under load, many processes at once: message queue producers
 * and consumers (nothing lost, nothing duplicated, priorities in order per
 * producer), a process-shared semaphore as a lock, and a counting
 * semaphore handing units between processes, all while signals with
 * SA_RESTART hit the waiters.  Run against glibc and through the shim
 * (see kipc_posix_util.h).
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_posix_util.h"

#define KP_PROCS	4
#define KP_MSGS		1500

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
	KT_SKIP_UNSELECTED();
}

FIXTURE_TEARDOWN(stress)
{
	kp_cleanup();
}

struct kp_msg {
	int producer;
	int seq;
};

struct kp_board {
	int seen[KP_PROCS][KP_MSGS];
	int out_of_order;
	long counter;
	int consumed;
};

static void *kp_shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Send SIGUSR1 to every pid in @pids, @rounds times, 2 ms apart. */
static void kp_pester(const pid_t *pids, int n, int rounds)
{
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < n; i++)
			kill(pids[i], SIGUSR1);
		usleep(2000);
	}
}

TEST_F(stress, stress_mq_producers_consumers)
{
	const char *n = kp_tname("mqstress");
	struct mq_attr a = { .mq_maxmsg = 8, .mq_msgsize = sizeof(struct kp_msg) };
	struct kp_board *b = kp_shared(sizeof(*b));
	pid_t prod[KP_PROCS], cons[KP_PROCS];
	struct kp_msg m;
	mqd_t q;
	int i, p;

	ASSERT_NE(NULL, b);
	q = mq_open(n, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
	ASSERT_LE(0, q);
	kp_handle(SIGUSR1, true);
	for (i = 0; i < KP_PROCS; i++) {
		cons[i] = fork();
		if (cons[i] == 0) {
			int last[KP_PROCS];

			memset(last, -1, sizeof(last));
			for (;;) {
				unsigned int prio;

				if (mq_receive(q, (char *)&m, sizeof(m),
					       &prio) != sizeof(m))
					_exit(1);
				if (m.producer < 0)
					_exit(0);
				__atomic_add_fetch(&b->seen[m.producer][m.seq],
						   1, __ATOMIC_RELAXED);
				/* One producer's messages of one priority are FIFO. */
				if (prio == 1 && m.seq < last[m.producer])
					__atomic_add_fetch(&b->out_of_order, 1,
							   __ATOMIC_RELAXED);
				if (prio == 1)
					last[m.producer] = m.seq;
			}
		}
	}
	for (p = 0; p < KP_PROCS; p++) {
		prod[p] = fork();
		if (prod[p] == 0) {
			mqd_t w = mq_open(n, O_WRONLY);	/* its own open */

			if (w < 0)
				_exit(2);
			for (i = 0; i < KP_MSGS; i++) {
				m.producer = p;
				m.seq = i;
				if (mq_send(w, (char *)&m, sizeof(m),
					    i % 3 ? 1 : 2))
					_exit(3);
			}
			_exit(0);
		}
	}
	kp_pester(cons, KP_PROCS, 50);
	for (p = 0; p < KP_PROCS; p++)
		EXPECT_EQ(0, kp_wait(prod[p]));
	m.producer = -1;
	m.seq = 0;
	for (i = 0; i < KP_PROCS; i++)
		ASSERT_EQ(0, mq_send(q, (char *)&m, sizeof(m), 0));
	for (i = 0; i < KP_PROCS; i++)
		EXPECT_EQ(0, kp_wait(cons[i]));
	for (p = 0; p < KP_PROCS; p++)
		for (i = 0; i < KP_MSGS; i++)
			if (b->seen[p][i] != 1)
				EXPECT_EQ(1, b->seen[p][i])
					TH_LOG("producer %d message %d", p, i);
	EXPECT_EQ(0, b->out_of_order);
	kp_soak_count(2 * KP_PROCS, (unsigned long long)KP_PROCS * KP_MSGS);
	mq_close(q);
	munmap(b, sizeof(*b));
}

struct kp_semboard {
	sem_t lock;
	sem_t items;
	long counter;
	int produced;
	int consumed;
	int dup;
};

TEST_F(stress, stress_sem_lock_and_handoff)
{
	struct kp_semboard *b = kp_shared(sizeof(*b));
	pid_t kids[2 * KP_PROCS];
	int i, k;

	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, sem_init(&b->lock, 1, 1));
	ASSERT_EQ(0, sem_init(&b->items, 1, 0));
	kp_handle(SIGUSR1, true);
	/* Half lock and count; the other half produce or consume units. */
	for (k = 0; k < 2 * KP_PROCS; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			for (i = 0; i < KP_MSGS; i++) {
				if (sem_wait(&b->lock))
					_exit(1);
				b->counter++;
				if (sem_post(&b->lock))
					_exit(2);
				if (k % 2 == 0) {
					if (sem_post(&b->items))
						_exit(3);
					__atomic_add_fetch(&b->produced, 1,
							   __ATOMIC_RELAXED);
				} else {
					if (sem_wait(&b->items))
						_exit(4);
					__atomic_add_fetch(&b->consumed, 1,
							   __ATOMIC_RELAXED);
				}
			}
			_exit(0);
		}
	}
	kp_pester(kids, 2 * KP_PROCS, 50);
	for (k = 0; k < 2 * KP_PROCS; k++)
		EXPECT_EQ(0, kp_wait(kids[k]));
	EXPECT_EQ(2L * KP_PROCS * KP_MSGS, b->counter);
	EXPECT_EQ(KP_PROCS * KP_MSGS, b->produced);
	EXPECT_EQ(KP_PROCS * KP_MSGS, b->consumed);
	EXPECT_FAILS(sem_trywait(&b->items), EAGAIN);
	kp_soak_count(2 * KP_PROCS, b->counter + b->produced + b->consumed);
	EXPECT_EQ(0, sem_destroy(&b->lock));
	EXPECT_EQ(0, sem_destroy(&b->items));
	munmap(b, sizeof(*b));
}

TEST_F(stress, named_sem_processes)
{
	const char *n = kp_tname("namedstress");
	long *counter = kp_shared(sizeof(long));
	pid_t kids[KP_PROCS];
	sem_t *s;
	int k;

	ASSERT_NE(NULL, counter);
	s = sem_open(n, O_CREAT | O_EXCL, 0600, 1);
	ASSERT_NE(SEM_FAILED, s);
	for (k = 0; k < KP_PROCS; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			/* Its own open: a separate sem_t * and fd. */
			sem_t *t = sem_open(n, 0);

			if (t == SEM_FAILED)
				_exit(1);
			for (int i = 0; i < KP_MSGS; i++) {
				if (sem_wait(t))
					_exit(2);
				(*counter)++;
				if (sem_post(t))
					_exit(3);
			}
			_exit(sem_close(t) ? 4 : 0);
		}
	}
	for (k = 0; k < KP_PROCS; k++)
		EXPECT_EQ(0, kp_wait(kids[k]));
	EXPECT_EQ((long)KP_PROCS * KP_MSGS, *counter);
	kp_soak_count(KP_PROCS, *counter);
	sem_close(s);
	munmap(counter, sizeof(long));
}

TEST_HARNESS_MAIN
