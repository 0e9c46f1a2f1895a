// SPDX-License-Identifier: GPL-2.0
/*
 * kipc channel selftests, the mapped rings (kipc_ring): mmap rules (one
 * process per end, fork), a process killed in the middle of the user-space
 * protocol, a corrupted ring.
 */
#include "kipc_channel_util.h"

/* ---- mmap --------------------------------------------------------------------- */

TEST_F(kipc, mmap_invalid)
{
	struct kipc_channel_info in;
	void *m;
	int fds[2], q;

	ASSERT_EQ(0, pair_attr(fds, 4096, 8192, 0, 0, 0));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	errno = 0;
	EXPECT_EQ(NULL, map_raw(fds[0], in.map_size - pg(),
				PROT_READ | PROT_WRITE, MAP_SHARED, 0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(NULL, map_raw(fds[0], in.map_size + pg(),
				PROT_READ | PROT_WRITE, MAP_SHARED, 0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(NULL, map_raw(fds[0], pg(), PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(NULL, map_raw(fds[0], in.map_size, PROT_READ | PROT_WRITE,
				MAP_SHARED, pg()));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(NULL, map_raw(fds[1], in.map_size - pg(), PROT_READ | PROT_WRITE,
				MAP_SHARED, pg()));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(NULL, map_raw(fds[0], in.map_size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE, 0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(NULL, map_raw(fds[0], in.map_size, PROT_READ, MAP_PRIVATE, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Nothing of that stuck: a proper mapping works, by either end. */
	m = map_raw(fds[1], in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, m);
	unmap(m);
	m = map_raw(fds[0], in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, m);
	unmap(m);

	q = kipc_queue_create(NULL, 0600, 1, 8, 0);
	ASSERT_LE(0, q);
	errno = 0;
	EXPECT_EQ(NULL, map_raw(q, pg(), PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(ENODEV, errno);
}

TEST_F(kipc, mmap_layout)
{
	struct kipc_channel_info in;
	struct kipc_chan_msghdr *hdr;
	struct kipc_chan_ring *r0, *r1;
	uint8_t *map, *d0, *d1;
	int fds[2];

	ASSERT_EQ(0, pair_attr(fds, 4096, 8192, 0, 0, 0));
	ASSERT_EQ(0, ch_info(fds[1], &in));
	map = map_raw(fds[1], in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, map);
	r0 = ring_at(map, 0);
	r1 = ring_at(map, 1);
	d0 = map + in.ring_offset[0];
	d1 = map + in.ring_offset[1];
	EXPECT_EQ(0U, r0->tail);
	EXPECT_EQ(0U, r0->head);
	EXPECT_EQ(0U, r0->closed);
	EXPECT_EQ(0U, r0->plock);

	ASSERT_EQ(0, kipc_channel_send(fds[0], "hello", 5, 0));
	EXPECT_EQ(16U, r0->tail);
	EXPECT_EQ(0U, r0->head);
	hdr = (void *)d0;
	EXPECT_EQ(5U, hdr->len);
	EXPECT_EQ(0U, hdr->flags);
	EXPECT_EQ(0, memcmp(hdr + 1, "hello", 5));
	/* Each ring's data is mapped twice in a row. */
	EXPECT_EQ(0, memcmp(d0, d0 + 4096, 16));
	((volatile uint8_t *)d0)[4096 + 100] = 0x42;
	EXPECT_EQ(0x42, ((volatile uint8_t *)d0)[100]);
	((volatile uint8_t *)d0)[100] = 0;
	EXPECT_EQ(0, ((volatile uint8_t *)d0)[4096 + 100]);
	ASSERT_EQ(0, kipc_channel_send(fds[1], "xy", 2, 0));
	EXPECT_EQ(16U, r1->tail);
	hdr = (void *)d1;
	EXPECT_EQ(2U, hdr->len);
	EXPECT_EQ(0, memcmp(d1, d1 + 8192, 16));
	EXPECT_EQ(0, memcmp(hdr + 1, "xy", 2));
	EXPECT_EQ(in.map_size, (uint64_t)(d1 + 2 * 8192 - map));

	ASSERT_EQ(1, kipc_channel_recv(fds[1], bbuf[0], 10, NULL, 0));
	EXPECT_EQ(16U, r0->head);
	EXPECT_EQ(0U, r0->plock);
	EXPECT_EQ(0U, r0->clock);
	/* The closed bits. */
	ASSERT_EQ(0, close(fds[0]));
	EXPECT_EQ((uint32_t)KIPC_CHAN_CLOSED_SENDER, r0->closed);
	EXPECT_EQ((uint32_t)KIPC_CHAN_CLOSED_RECEIVER, r1->closed);
	unmap(map);
}

/*
 * One process at a time maps an end: another gets EBUSY, and its
 * kipc_chan handle works through the kernel; the same process may map it
 * twice; once the first is gone, another can map it.
 */
TEST_F(kipc, mmap_one_process_per_end)
{
	struct kipc_channel_info in;
	struct kipc_ring *h0;
	struct kt_report r;
	int fds[2], rep[2], go[2];
	void *again;
	size_t len;
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(go));
	h0 = attach(fds[0]);
	ASSERT_NE(NULL, h0);
	again = map_raw(fds[0], in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	EXPECT_NE(NULL, again);
	ASSERT_EQ(0, kipc_channel_send(fds[1], "parent", 6, 0));

	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_ring *h;
		char c, buf[16];
		void *m;
		int ret;

		errno = 0;
		m = mmap(NULL, in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fds[0], 0);
		kt_report(rep[1], 0, m == MAP_FAILED ? -errno : 0, 0);
		/* The other end is free. */
		m = mmap(NULL, in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fds[1], 0);
		kt_report(rep[1], 1, m == MAP_FAILED ? -errno : 0, 0);
		if (m != MAP_FAILED)
			munmap(m, in.map_size);
		ret = kipc_ring_attach(fds[0], &h);
		if (ret)
			_exit(2);
		ret = kipc_ring_send(h, "child", 5, CHILD_WAIT_NS);
		kt_report(rep[1], 2, ret, 0);
		ret = kipc_ring_recv(h, buf, sizeof(buf), &len, CHILD_WAIT_NS);
		kt_report(rep[1], 3, ret, len);
		kipc_ring_detach(h);
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		/* The parent has let go of end 0. */
		m = mmap(NULL, in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fds[0], 0);
		kt_report(rep[1], 4, m == MAP_FAILED ? -errno : 0, 0);
		if (read(go[0], &c, 1) != 1)
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-EBUSY, r.ret);
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ(6U, r.value);
	len = 0;
	EXPECT_EQ(1, kipc_channel_recv(fds[1], bbuf[0], 100, &len, 0));
	EXPECT_EQ(5U, len);
	EXPECT_EQ(0, memcmp(bbuf[0], "child", 5));
	/* Still ours: the fast path works. */
	EXPECT_EQ(0, kipc_ring_send(h0, "fast", 4, 0));
	EXPECT_EQ(1, kipc_channel_recv(fds[1], bbuf[0], 100, &len, 0));
	/* Let go of both mappings. */
	detach(h0);
	unmap(again);
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(4, r.idx);
	EXPECT_EQ(0, r.ret) TH_LOG("mapping after the first let go: %d", r.ret);
	/* Now the child has it. */
	errno = 0;
	EXPECT_EQ(NULL, map_raw(fds[0], in.map_size, PROT_READ | PROT_WRITE,
				MAP_SHARED, 0));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	/* Its exit let go. */
	h0 = attach(fds[0]);
	ASSERT_NE(NULL, h0);
	again = map_raw(fds[0], in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	EXPECT_NE(NULL, again);
	unmap(again);
	detach(h0);
}

/* A child after fork() uses its parent's handle through the kernel. */
TEST_F(kipc, fork_child_uses_kernel_path)
{
	struct kipc_chan_msg m[3];
	struct kipc_ring *h0, *h1;
	struct kipc_channel_info in;
	char buf[32];
	size_t len;
	int fds[2], i, got, r;
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	h0 = attach(fds[0]);
	h1 = attach(fds[1]);
	ASSERT_NE(NULL, h0);
	ASSERT_NE(NULL, h1);
	ASSERT_EQ(0, kipc_ring_send(h1, "to-child", 8, 0));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		void *mm;

		/* The parent still maps end 0; the child has no mapping. */
		mm = mmap(NULL, in.map_size, PROT_READ | PROT_WRITE,
			  MAP_SHARED, fds[0], 0);
		if (mm != MAP_FAILED || errno != EBUSY)
			_exit(1);
		len = 0;
		if (kipc_ring_recv(h0, buf, sizeof(buf), &len,
				   CHILD_WAIT_NS) != 1 || len != 8 ||
		    memcmp(buf, "to-child", 8))
			_exit(2);
		if (kipc_ring_send(h0, "from-child", 10, CHILD_WAIT_NS))
			_exit(3);
		for (i = 0; i < 3; i++)
			m[i] = (struct kipc_chan_msg){ .buf = (uintptr_t)"b",
						       .len = 1 };
		/* Before the batch: the parent answers it at once. */
		if (kipc_ring_recv(h0, buf, sizeof(buf), &len, 0) != -EAGAIN)
			_exit(5);
		if (kipc_ring_sendv(h0, m, 3, CHILD_WAIT_NS) != 3)
			_exit(4);
		if (kipc_ring_recv(h0, buf, sizeof(buf), &len,
				   CHILD_WAIT_NS) != 1 || len != 4)
			_exit(6);
		kipc_ring_detach(h0);
		kipc_ring_detach(h1);
		_exit(0);
	}
	len = 0;
	EXPECT_EQ(1, kipc_ring_recv(h1, buf, sizeof(buf), &len, CHILD_WAIT_NS));
	EXPECT_EQ(10U, len);
	EXPECT_EQ(0, memcmp(buf, "from-child", 10));
	for (i = 0; i < 3; i++)
		m[i] = (struct kipc_chan_msg){ .buf = (uintptr_t)bbuf[i],
					       .len = 100 };
	/*
	 * The child's SENDV publishes each message as it goes: a receiver
	 * on the fast path may see the batch in more than one piece.
	 */
	for (got = 0; got < 3; got += r) {
		r = kipc_ring_recvv(h1, m + got, 3 - got, CHILD_WAIT_NS);
		ASSERT_LT(0, r) TH_LOG("after %d of the batch", got);
	}
	EXPECT_EQ(0, kipc_ring_send(h1, "more", 4, 0));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	/* The parent's handles are unharmed. */
	EXPECT_EQ(0, kipc_ring_send(h0, "still", 5, 0));
	EXPECT_EQ(1, kipc_ring_recv(h1, buf, sizeof(buf), &len, 0));
	EXPECT_EQ(5U, len);
	detach(h0);
	detach(h1);
}

/* ---- processes dying in the middle of the user-space protocol --------------- */

/*
 * A child maps an end, takes a lock word by hand (as libkipc's fast path
 * does) and is killed holding it: the kernel path of the other processes
 * sharing the end must not stay wedged.
 */
static void check_killed_holding_lock(struct __test_metadata *_metadata,
				      bool clock)
{
	struct kipc_channel_info in;
	struct kipc_ring *h0;
	struct kt_report r;
	struct thr t;
	pthread_t th;
	int fds[2], rep[2];
	uint8_t *map;
	int64_t t0;
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	ASSERT_EQ(0, pipe(rep));
	if (clock)
		ASSERT_EQ(0, ep_send_pat(&(struct ep){ .fd = fds[0] }, 1000, 9, 0));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* plock of ring 0 is end 0's; clock of ring 0 is end 1's. */
		int fd = clock ? fds[1] : fds[0];
		uint8_t *m = mmap(NULL, in.map_size, PROT_READ | PROT_WRITE,
				  MAP_SHARED, fd, 0);
		uint32_t zero = 0, *word;

		if (m == MAP_FAILED)
			_exit(1);
		word = clock ? &ring_at(m, 0)->clock : &ring_at(m, 0)->plock;
		if (!__atomic_compare_exchange_n(word, &zero,
						 KIPC_CHAN_LOCK_USER, 0,
						 __ATOMIC_ACQUIRE,
						 __ATOMIC_RELAXED))
			_exit(2);
		kt_report(rep[1], 0, 0, 0);
		for (;;)
			pause();
	}
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	memset(&t, 0, sizeof(t));
	t.e.fd = clock ? fds[1] : fds[0];
	t.sending = !clock;
	t.ret = 12345;
	t.timeout = CHILD_WAIT_NS;
	ASSERT_EQ(0, pthread_create(&th, NULL, thr_fn, &t));
	ASSERT_EQ(0, wait_thread_blocked(&t.tid));
	EXPECT_EQ(12345, t.ret);
	t0 = kt_now_ns();
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(256 + SIGKILL, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_GT(2000 * MS, kt_now_ns() - t0)
		TH_LOG("the waiter slept %lld ms after the holder died",
		       (long long)((kt_now_ns() - t0) / MS));
	if (clock) {
		EXPECT_EQ(1, t.ret);
		EXPECT_TRUE(check(bbuf[15], 1000, 9));
	} else {
		EXPECT_EQ(0, t.ret);
		EXPECT_EQ(1, ep_recv_pat(&(struct ep){ .fd = fds[1] }, 1000,
					 9, 0));
	}
	/* The lock is free and the end can be mapped again. */
	map = map_raw(fds[0], in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, map);
	EXPECT_EQ(0U, ring_at(map, 0)->plock);
	EXPECT_EQ(0U, ring_at(map, 0)->clock);
	unmap(map);
	h0 = attach(fds[0]);
	ASSERT_NE(NULL, h0);
	EXPECT_EQ(0, kipc_ring_send(h0, "after", 5, 0));
	EXPECT_EQ(0, kipc_channel_send(fds[0], "kernel", 6, 0));
	EXPECT_EQ(0, kipc_channel_send(fds[1], "other", 5, 0));
	EXPECT_EQ(1, kipc_ring_recv(h0, bbuf[0], 100, NULL, 0));
	EXPECT_EQ(1, kipc_channel_recv(fds[1], bbuf[0], 100, NULL, 0));
	EXPECT_EQ(1, kipc_channel_recv(fds[1], bbuf[0], 100, NULL, 0));
	detach(h0);
}

TEST_F(kipc, sigkill_holding_send_lock)
{
	check_killed_holding_lock(_metadata, false);
}

TEST_F(kipc, sigkill_holding_recv_lock)
{
	check_killed_holding_lock(_metadata, true);
}

/*
 * A new small pair in @fds.  A child maps end 0, runs @before, tells the
 * parent, waits for its word, runs @after (the user-space half of a
 * two-step operation, up to the KIPC_CHAN_IOC_WAIT that would wake the
 * kernel's waiters), tells the parent what @after returned, and is killed
 * there.  Meanwhile thread
 * @t blocks in the kernel on end @end, receiving or (@sending) sending.
 * Each step may _exit() with a code of its own.
 * Return in *@word what @after returned, in *@slept the time from the kill
 * to the thread's return.
 */
typedef uint64_t (*ring_step)(uint8_t *m, const struct kipc_channel_info *in);

static void kill_between_steps(struct __test_metadata *_metadata, int fds[2],
			       struct thr *t, int end, bool sending,
			       ring_step before, ring_step after,
			       uint64_t *word, int64_t *slept)
{
	struct kipc_channel_info in;
	struct kt_report r;
	int rep[2], go[2];
	pthread_t th;
	int64_t t0;
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(go));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint8_t *m = mmap(NULL, in.map_size, PROT_READ | PROT_WRITE,
				  MAP_SHARED, fds[0], 0);
		uint64_t v;
		char c;

		if (m == MAP_FAILED)
			_exit(1);
		before(m, &in);
		kt_report(rep[1], 0, 0, 0);
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		v = after(m, &in);
		kt_report(rep[1], 1, 0, v);
		for (;;)
			pause();
	}
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	memset(t, 0, sizeof(*t));
	t->e.fd = fds[end];
	t->sending = sending;
	t->ret = 12345;
	t->timeout = 3000 * MS;
	ASSERT_EQ(0, pthread_create(&th, NULL, thr_fn, t));
	ASSERT_EQ(0, wait_thread_blocked(&t->tid));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	*word = r.value;
	t0 = kt_now_ns();
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(256 + SIGKILL, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, pthread_join(th, NULL));
	*slept = kt_now_ns() - t0;
	close(rep[0]);
	close(rep[1]);
	close(go[0]);
	close(go[1]);
}

static uint64_t no_step(uint8_t *m, const struct kipc_channel_info *in)
{
	(void)m;
	(void)in;
	return 0;
}

/* Take the producers' lock of ring 0 as user space does, or _exit(2). */
static uint64_t take_plock(uint8_t *m, const struct kipc_channel_info *in)
{
	uint32_t zero = 0;

	(void)in;
	if (!__atomic_compare_exchange_n(&ring_at(m, 0)->plock, &zero,
					 KIPC_CHAN_LOCK_USER, 0,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		_exit(2);
	return 0;
}

/* The first half of an unlock: the word to 0, and what it was. */
static uint64_t release_plock(uint8_t *m, const struct kipc_channel_info *in)
{
	(void)in;
	return __atomic_exchange_n(&ring_at(m, 0)->plock, 0, __ATOMIC_RELEASE);
}

/*
 * The unlock is two steps: exchange the word to 0, then, if the waiters
 * bit was set, KIPC_CHAN_IOC_WAIT(WAKE_LOCKS).  A process killed between
 * them must not leave the kernel's waiter asleep on a free lock.
 */
TEST_F(kipc, sigkill_between_unlock_and_wake)
{
	struct thr t;
	uint64_t word;
	int64_t slept;
	int fds[2];

	kill_between_steps(_metadata, fds, &t, 0, true, take_plock,
			   release_plock, &word, &slept);
	/* The kernel's sender did mark the lock. */
	ASSERT_EQ(KIPC_CHAN_LOCK_USER | KIPC_CHAN_LOCK_WAITERS, word);
	EXPECT_EQ(0, t.ret);
	EXPECT_GT(1000 * MS, slept)
		TH_LOG("the sender slept %lld ms on a free lock",
		       (long long)(slept / MS));
}

/* A send up to the wake: publish a record, take the receivers' wait word. */
static uint64_t publish_no_wake(uint8_t *m, const struct kipc_channel_info *in)
{
	struct kipc_chan_ring *r0 = ring_at(m, 0);
	struct kipc_chan_msghdr *h;

	take_plock(m, in);
	h = (void *)(m + in->ring_offset[0] + r0->tail % 4096);
	fill(h + 1, 1000, 9);
	h->len = 1000;
	h->flags = 0;
	__atomic_store_n(&r0->tail, r0->tail + rec(1000), __ATOMIC_RELEASE);
	__atomic_exchange_n(&r0->plock, 0, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_exchange_n(&r0->rwait, 0, __ATOMIC_RELAXED);
}

/*
 * A sender publishes a record and takes the receivers' wait word, then is
 * killed before KIPC_CHAN_WAKE_READERS: the kernel's receiver must not
 * sleep on with a message in the ring.
 */
TEST_F(kipc, sigkill_between_publish_and_wake)
{
	struct thr t;
	uint64_t word;
	int64_t slept;
	int fds[2];

	kill_between_steps(_metadata, fds, &t, 1, false, no_step,
			   publish_no_wake, &word, &slept);
	/* The receiver was asleep and said so. */
	ASSERT_EQ(1U, word);
	EXPECT_EQ(1, t.ret);
	EXPECT_GT(1000 * MS, slept)
		TH_LOG("the receiver slept %lld ms with a message queued",
		       (long long)(slept / MS));
	EXPECT_EQ(rec(1000), ch_used(fds[0], 0) + (t.ret == 1 ? rec(1000) : 0));
}

/*
 * One process at a time maps an end, so that the kernel knows who may
 * hold its locks.  A mapping made inheritable with MADV_DOFORK must not
 * get around that: a child killed while holding a lock through its copy
 * must not wedge the ring for the others (or the madvise is refused, or
 * the child has no usable copy).
 */
TEST_F(kipc, madv_dofork_child_killed_holding_lock)
{
	struct kipc_channel_info in;
	struct kt_report r;
	struct thr t;
	pthread_t th;
	uint8_t *map;
	int fds[2], rep[2], st;
	int64_t t0;
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	ASSERT_EQ(0, pipe(rep));
	map = map_raw(fds[0], in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, map);
	if (madvise(map, in.map_size, MADV_DOFORK)) {
		/* ENOSYS: a kernel without madvise (the debug tinyconfig). */
		EXPECT_TRUE(errno == EINVAL || errno == ENOSYS)
			TH_LOG("madvise: %s", strerror(errno));
		unmap(map);
		return;
	}
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint32_t zero = 0;

		/* Faults here if the child got no working copy. */
		if (!__atomic_compare_exchange_n(&ring_at(map, 0)->plock, &zero,
						 KIPC_CHAN_LOCK_USER, 0,
						 __ATOMIC_ACQUIRE,
						 __ATOMIC_RELAXED))
			_exit(2);
		kt_report(rep[1], 0, 0, 0);
		for (;;)
			pause();
	}
	if (kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS) != 1) {
		st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
		EXPECT_TRUE(st == 256 + SIGSEGV || st == 256 + SIGBUS)
			TH_LOG("child: %d", st);
		unmap(map);
		return;
	}
	TH_LOG("the child shares the parent's mapping of end 0");
	memset(&t, 0, sizeof(t));
	t.e.fd = fds[0];
	t.sending = true;
	t.ret = 12345;
	t.timeout = 3000 * MS;
	ASSERT_EQ(0, pthread_create(&th, NULL, thr_fn, &t));
	ASSERT_EQ(0, wait_thread_blocked(&t.tid));
	t0 = kt_now_ns();
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(256 + SIGKILL, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, t.ret);
	EXPECT_GT(1000 * MS, kt_now_ns() - t0)
		TH_LOG("the sender waited %lld ms for a dead child's lock",
		       (long long)((kt_now_ns() - t0) / MS));
	unmap(map);
}

/* ---- a corrupted ring --------------------------------------------------------- */

/*
 * Either end can scribble over the shared indices and headers.  The
 * kernel then fails with EIO (not a crash, not a hang, nothing outside
 * the ring touched); libkipc's fast path too.
 */
TEST_F(kipc, corrupt_indices_eio)
{
	struct kipc_channel_info in;
	struct kipc_chan_ring *r0, *r1, save0, save1;
	struct kipc_chan_msghdr *hdr;
	struct kipc_chan_msg m;
	struct kipc_ring *h1;
	uint8_t *map, *d1, zero[8192];
	uint32_t bad[6][2], i, rev;
	char buf[128];
	size_t len;
	int fds[2];

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	map = map_raw(fds[0], in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, map);
	h1 = attach(fds[1]);
	ASSERT_NE(NULL, h1);
	r0 = ring_at(map, 0);
	r1 = ring_at(map, 1);
	d1 = map + in.ring_offset[1];
	ASSERT_EQ(0, kipc_channel_send(fds[0], "abc", 3, 0));
	ASSERT_EQ(16U, r0->tail);
	save0 = *r0;
	save1 = *r1;
	memset(zero, 0, sizeof(zero));

	/* { tail, head } */
	bad[0][0] = 0xdeadbeef;	bad[0][1] = 0;		/* unaligned */
	bad[1][0] = 4096 + 8;	bad[1][1] = 0;		/* beyond capacity */
	bad[2][0] = 0;		bad[2][1] = 8;		/* head past tail */
	bad[3][0] = 16;		bad[3][1] = 3;		/* unaligned head */
	bad[4][0] = 0x7ffffff8;	bad[4][1] = 0;		/* far away */
	bad[5][0] = 0x10;	bad[5][1] = 0xfffff000;	/* 4112 apart */
	for (i = 0; i < 6; i++) {
		__atomic_store_n(&r0->tail, bad[i][0], __ATOMIC_RELEASE);
		__atomic_store_n(&r0->head, bad[i][1], __ATOMIC_RELEASE);
		EXPECT_EQ(-EIO, kipc_channel_recv(fds[1], buf, sizeof(buf),
						  &len, 0)) TH_LOG("case %u", i);
		EXPECT_EQ(-EIO, kipc_channel_recv(fds[1], buf, sizeof(buf),
						  &len, 100 * MS));
		m = (struct kipc_chan_msg){ .buf = (uintptr_t)buf, .len = 128 };
		EXPECT_EQ(-EIO, kipc_channel_recvv(fds[1], &m, 1, KIPC_INFINITE));
		EXPECT_EQ(-1, read(fds[1], buf, sizeof(buf)));
		EXPECT_EQ(EIO, errno);
		EXPECT_EQ(-EIO, kipc_channel_send(fds[0], "def", 3, 0))
			TH_LOG("case %u", i);
		EXPECT_EQ(-EIO, kipc_channel_send(fds[0], "def", 3,
						  KIPC_INFINITE));
		EXPECT_EQ(-1, write(fds[0], "def", 3));
		EXPECT_EQ(EIO, errno);
		EXPECT_EQ(-EIO, kipc_ring_recv(h1, buf, sizeof(buf), &len,
					       KIPC_INFINITE));
		/* Readiness says "go and find out". */
		EXPECT_EQ(POLLIN, poll_now(fds[1]) & POLLIN);
		EXPECT_EQ(0, chwait(fds[1], KIPC_WAIT_NONBLOCK, NULL,
				    KIPC_CHAN_READABLE, 0, 0, &rev));
		EXPECT_EQ(0, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
				    KIPC_CHAN_WRITABLE, 0, 0, &rev));
		/* Nothing moved and nothing else was written. */
		EXPECT_EQ(bad[i][0], r0->tail);
		EXPECT_EQ(bad[i][1], r0->head);
		EXPECT_EQ(0U, r0->plock);
		EXPECT_EQ(0U, r0->clock);
		EXPECT_EQ(save1.tail, r1->tail);
		EXPECT_EQ(save1.head, r1->head);
		EXPECT_EQ(0U, r1->plock);
		EXPECT_EQ(0U, r1->clock);
		EXPECT_EQ(0U, r1->closed);
		EXPECT_EQ(0, memcmp(d1, zero, 8192));
	}
	__atomic_store_n(&r0->tail, save0.tail, __ATOMIC_RELEASE);
	__atomic_store_n(&r0->head, save0.head, __ATOMIC_RELEASE);

	/* A record's length. */
	hdr = (void *)(map + in.ring_offset[0]);
	ASSERT_EQ(3U, hdr->len);
	hdr->len = 0xfffffff0;
	EXPECT_EQ(-EIO, kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0));
	EXPECT_EQ(-EIO, kipc_ring_recv(h1, buf, sizeof(buf), &len, 0));
	hdr->len = 101;		/* over max_msg */
	EXPECT_EQ(-EIO, kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0));
	EXPECT_EQ(-EIO, kipc_ring_recv(h1, buf, sizeof(buf), &len, 0));
	hdr->len = 9;		/* a 24-byte record in 16 bytes */
	EXPECT_EQ(-EIO, kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0));
	EXPECT_EQ(-EIO, kipc_ring_recv(h1, buf, sizeof(buf), &len, 0));
	EXPECT_EQ(16U, r0->tail);
	EXPECT_EQ(0U, r0->head);
	/* Repaired, it works again. */
	hdr->len = 3;
	len = 0;
	EXPECT_EQ(1, kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0));
	EXPECT_EQ(3U, len);
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_EQ(0, kipc_channel_send(fds[0], "def", 3, 0));
	EXPECT_EQ(1, kipc_ring_recv(h1, buf, sizeof(buf), &len, 0));
	EXPECT_EQ(0, memcmp(buf, "def", 3));
	detach(h1);
	unmap(map);
}

/* A receiver blocked in the kernel or the fast path gets EIO, not a hang. */
TEST_F(kipc, corrupt_wakes_blocked_receiver_eio)
{
	struct kipc_channel_info in;
	struct kt_report r;
	uint8_t *map;
	int fds[2], rep[2], fast;
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	ASSERT_EQ(0, pipe(rep));
	map = map_raw(fds[0], in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, map);
	for (fast = 0; fast < 2; fast++) {
		pid = kt_fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			struct ep e = { .fd = fds[1] };
			int ret;

			if (fast)
				e.h = attach(fds[1]);
			if (fast && !e.h)
				_exit(1);
			ret = ep_recv(&e, bbuf[0], 100, NULL, CHILD_WAIT_NS);
			kt_report(rep[1], fast, ret, 0);
			_exit(0);
		}
		ASSERT_EQ(0, wait_blocked(pid));
		__atomic_store_n(&ring_at(map, 0)->tail, 0x13, __ATOMIC_RELEASE);
		EXPECT_EQ(0, chwait(fds[0], 0, NULL, 0, 0,
				    KIPC_CHAN_WAKE_READERS, NULL));
		ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000));
		EXPECT_EQ(-EIO, r.ret) TH_LOG("fast %d", fast);
		EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
		__atomic_store_n(&ring_at(map, 0)->tail, 0, __ATOMIC_RELEASE);
	}
	/* A blocked sender too. */
	ASSERT_LT(0, fill_ring(fds[1], 100));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = kipc_channel_send(fds[1], bbuf[0], 100, CHILD_WAIT_NS);

		kt_report(rep[1], 9, ret, 0);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	__atomic_store_n(&ring_at(map, 1)->head, 0x21, __ATOMIC_RELEASE);
	EXPECT_EQ(0, chwait(fds[0], 0, NULL, 0, 0, KIPC_CHAN_WAKE_WRITERS,
			    NULL));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000));
	EXPECT_EQ(-EIO, r.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	unmap(map);
}

/*
 * A record at the very end of the ring continues in the second mapping of
 * the data: what the kernel writes and reads there is the ring's start,
 * and nothing past the ring is touched.
 */
TEST_F(kipc, record_at_ring_end_wraps)
{
	struct kipc_channel_info in;
	struct kipc_chan_ring *r0, save1;
	struct kipc_chan_msghdr *hdr;
	uint8_t *map, *d0, *d1, zero[2 * 4096];
	static uint8_t buf[4096];
	size_t len;
	uint32_t head;
	int fds[2];

	ASSERT_EQ(0, pair_small(fds, 4096, 4088));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	map = map_raw(fds[1], in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, map);
	r0 = ring_at(map, 0);
	d0 = map + in.ring_offset[0];
	d1 = map + in.ring_offset[1];
	memset(zero, 0, sizeof(zero));
	save1 = *ring_at(map, 1);

	/* Move the indices to the ring's last 8 bytes. */
	ASSERT_EQ(0, kipc_channel_send(fds[0], buf, 4072, 0));
	ASSERT_EQ(1, kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0));
	ASSERT_EQ(0, kipc_channel_send(fds[0], NULL, 0, 0));
	ASSERT_EQ(1, kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0));
	ASSERT_EQ(4088U, r0->tail);
	/* The kernel writes a record there: header last, payload first. */
	ASSERT_EQ(0, ep_send_pat(&(struct ep){ .fd = fds[0] }, 100, 77, 0));
	hdr = (void *)(d0 + 4088);
	EXPECT_EQ(100U, hdr->len);
	EXPECT_TRUE(check(d0, 100, 77));
	EXPECT_TRUE(check(d0 + 4096, 100, 77));
	EXPECT_EQ(1, ep_recv_pat(&(struct ep){ .fd = fds[1] }, 100, 77, 0));

	/* A largest record written by hand across the end, read by the kernel. */
	head = 4096 * 5 + 4088;
	__atomic_store_n(&r0->head, head, __ATOMIC_RELAXED);
	__atomic_store_n(&r0->tail, head, __ATOMIC_RELEASE);
	hdr->len = 4088;
	hdr->flags = 0;
	fill(d0 + 4096, 4088, 78);
	__atomic_store_n(&r0->tail, head + 4096, __ATOMIC_RELEASE);
	EXPECT_EQ(4096U, ch_used(fds[0], 0));
	EXPECT_EQ(-EAGAIN, kipc_channel_send(fds[0], NULL, 0, 0));
	EXPECT_EQ(1, ep_recv_pat(&(struct ep){ .fd = fds[1] }, 4088, 78, 0));
	EXPECT_EQ(head + 4096, r0->head);
	/* And the kernel writes the largest one there. */
	__atomic_store_n(&r0->head, head, __ATOMIC_RELAXED);
	__atomic_store_n(&r0->tail, head, __ATOMIC_RELEASE);
	ASSERT_EQ(0, ep_send_pat(&(struct ep){ .fd = fds[0] }, 4088, 79, 0));
	EXPECT_TRUE(check(d0, 4088, 79));
	EXPECT_EQ(4088U, hdr->len);
	EXPECT_EQ(1, ep_recv_pat(&(struct ep){ .fd = fds[1] }, 4088, 79, 0));
	/* Ring 1 and its indices were never touched. */
	EXPECT_EQ(0, memcmp(d1, zero, sizeof(zero)));
	EXPECT_EQ(save1.tail, ring_at(map, 1)->tail);
	EXPECT_EQ(save1.head, ring_at(map, 1)->head);
	unmap(map);
}

TEST_HARNESS_MAIN
