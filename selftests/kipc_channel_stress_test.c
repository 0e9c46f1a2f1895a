// SPDX-License-Identifier: GPL-2.0
/*
 * kipc channel selftests, concurrency: multi-process stress, close and
 * exit races.
 */
#include "kipc_channel_util.h"

/* ---- stress ---------------------------------------------------------------------- */

#define SP		4	/* producers sharing end 0 */
#define SC		2	/* consumers sharing end 1 */
#define SN		3000	/* messages per producer */
#define S_MAX		1024	/* max_msg */

struct smsg_hdr {
	uint32_t producer;
	uint32_t seq;
	uint32_t len;
	uint32_t sum;
};

static uint32_t s_len(uint32_t p, uint32_t k)
{
	uint64_t h = kt_hash64((uint64_t)p << 32 | k);

	if (h % 16 == 0)
		return S_MAX;
	return sizeof(struct smsg_hdr) +
	       (h >> 8) % (S_MAX - sizeof(struct smsg_hdr) + 1);
}

static uint32_t s_fill(uint8_t *buf, uint32_t p, uint32_t k)
{
	struct smsg_hdr h = { .producer = p, .seq = k, .len = s_len(p, k) };
	uint8_t *body = buf + sizeof(h);

	fill(body, h.len - sizeof(h), p << 20 | k);
	h.sum = kt_checksum(body, h.len - sizeof(h));
	memcpy(buf, &h, sizeof(h));
	return h.len;
}

/* 0 if @buf is message (*@p, *@k), intact; nonzero otherwise. */
static int s_check(const uint8_t *buf, uint32_t len, uint32_t *p, uint32_t *k)
{
	struct smsg_hdr h;

	if (len < sizeof(h) || len > S_MAX)
		return 1;
	memcpy(&h, buf, sizeof(h));
	*p = h.producer;
	*k = h.seq;
	if (h.producer >= SP || h.seq >= SN)
		return 2;
	if (h.len != len || len != s_len(h.producer, h.seq))
		return 3;
	if (h.sum != kt_checksum(buf + sizeof(h), len - sizeof(h)))
		return 4;
	if (!check(buf + sizeof(h), len - sizeof(h), h.producer << 20 | h.seq))
		return 5;
	return 0;
}

struct srec {
	uint16_t producer;
	uint16_t bad;
	uint32_t seq;
};

struct stress_shared {
	uint32_t n[SC];
	struct srec rec[SC][SP * SN];
};

/* Raw mmap of @fd: 0 if it maps (then unmapped), else -errno. */
static int try_map(int fd, size_t len)
{
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (m == MAP_FAILED)
		return -errno;
	munmap(m, len);
	return 0;
}

static void s_consumer(int fds[2], struct stress_shared *sh, int c, int rep,
		       size_t map_size)
{
	static uint8_t bufs[16][S_MAX];
	struct kipc_chan_msg m[16];
	struct kipc_ring *h;
	uint32_t s = 777 + c, n, i, p, k;
	int ret;

	close(fds[0]);
	if (kipc_ring_attach(fds[1], &h))
		_exit(2);
	/* Consumer 0 maps end 1; consumer 1 gets EBUSY, so the kernel. */
	kt_report(rep, c, c ? try_map(fds[1], map_size) : 0, 0);
	for (;;) {
		n = 1 + lcg(&s) % 16;
		for (i = 0; i < n; i++)
			m[i] = (struct kipc_chan_msg){
				.buf = (uintptr_t)bufs[i], .len = S_MAX };
		if (n == 1 && (s & 0x100)) {
			size_t l = 0;

			ret = kipc_ring_recv(h, bufs[0], S_MAX, &l,
					     CHILD_WAIT_NS);
			m[0].len = l;
		} else {
			ret = kipc_ring_recvv(h, m, n, CHILD_WAIT_NS);
		}
		if (ret == 0)
			_exit(0);
		if (ret < 0)
			_exit(20 + (-ret & 0x3f));
		for (i = 0; i < (uint32_t)ret; i++) {
			struct srec *r;

			if (sh->n[c] >= SP * SN)
				_exit(18);
			r = &sh->rec[c][sh->n[c]];
			p = k = UINT32_MAX;
			r->bad = s_check(bufs[i], m[i].len, &p, &k);
			r->producer = p;
			r->seq = k;
			sh->n[c]++;
		}
	}
}

static void s_producer(int fds[2], int p, int rep, int go, size_t map_size)
{
	static uint8_t bufs[8][S_MAX];
	struct kipc_chan_msg m[8];
	struct kipc_ring *h;
	uint32_t s = 4242 + p, k = 0, n, i;
	char ch;
	int ret;

	close(fds[1]);
	if (kipc_ring_attach(fds[0], &h))
		_exit(2);
	kt_report(rep, 10 + p, p ? try_map(fds[0], map_size) : 0, 0);
	/* Producer 0 keeps its mapping until every producer has tried. */
	if (read(go, &ch, 1) != 1)
		_exit(3);
	while (k < SN) {
		n = 1 + lcg(&s) % 8;
		if (n > SN - k)
			n = SN - k;
		for (i = 0; i < n; i++) {
			m[i].len = s_fill(bufs[i], p, k + i);
			m[i].buf = (uintptr_t)bufs[i];
			m[i].flags = 0;
		}
		if (n == 1) {
			ret = p == 3 ? kipc_channel_send(fds[0], bufs[0],
							 m[0].len, CHILD_WAIT_NS) :
			      kipc_ring_send(h, bufs[0], m[0].len,
					     CHILD_WAIT_NS);
			if (!ret)
				ret = 1;
		} else {
			/* A partial batch is fine: the rest goes next. */
			ret = kipc_ring_sendv(h, m, n, CHILD_WAIT_NS);
		}
		if (ret <= 0)
			_exit(10 + (-ret & 0x3f));
		k += ret;
	}
	kipc_ring_detach(h);
	_exit(0);
}

/*
 * Four producer processes share end 0 (the first on the fast path, the
 * others through the kernel, since one process at a time maps an end),
 * two consumers share end 1 (one of each), messages of random length up
 * to max_msg carrying (producer, sequence, checksum).  Every message
 * arrives exactly once, intact, and each consumer sees each producer's
 * messages in order.
 */
TEST_F_TIMEOUT(kipc, stress_producers_consumers, 120)
{
	struct kipc_channel_info in;
	struct stress_shared *sh;
	static uint8_t seen[SP][SN];
	int64_t last[SP];
	pid_t prod[SP], cons[SC];
	struct kt_report r;
	uint32_t total = 0, c, i, j;
	int fds[2], rep[2], go[2];
	int64_t t0 = kt_now_ns();

	ASSERT_EQ(0, pair_small(fds, 16384, S_MAX));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	ASSERT_EQ(0, pipe(rep));
	sh = kt_shared_map(sizeof(*sh));
	ASSERT_NE(NULL, sh);

	for (c = 0; c < SC; c++) {
		cons[c] = kt_fork();
		ASSERT_LE(0, cons[c]);
		if (cons[c] == 0)
			s_consumer(fds, sh, c, rep[1], in.map_size);
		/* The first has mapped before the second tries. */
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ((int)c, r.idx);
		EXPECT_EQ(c ? -EBUSY : 0, r.ret);
	}
	for (i = 0; i < SP; i++) {
		prod[i] = kt_fork();
		ASSERT_LE(0, prod[i]);
		if (prod[i] == 0)
			s_producer(fds, i, rep[1], go[0], in.map_size);
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(10 + (int)i, r.idx);
		EXPECT_EQ(i ? -EBUSY : 0, r.ret);
	}
	ASSERT_EQ(SP, write(go[1], "gggggggg", SP));
	close(go[0]);
	close(go[1]);
	close(fds[1]);
	for (i = 0; i < SP; i++)
		EXPECT_EQ(0, kt_reap(prod[i], 90000)) TH_LOG("producer %u", i);
	/* The last holder of end 0 closes: consumers drain and see the end. */
	close(fds[0]);
	for (c = 0; c < SC; c++)
		EXPECT_EQ(0, kt_reap(cons[c], KT_CHILD_TIMEOUT_MS))
			TH_LOG("consumer %u", c);

	memset(seen, 0, sizeof(seen));
	for (c = 0; c < SC; c++) {
		for (i = 0; i < SP; i++)
			last[i] = -1;
		for (i = 0; i < sh->n[c]; i++) {
			struct srec *rr = &sh->rec[c][i];

			ASSERT_EQ(0, rr->bad)
				TH_LOG("consumer %u, message %u (producer %u seq %u) corrupt",
				       c, i, rr->producer, rr->seq);
			ASSERT_EQ(0, seen[rr->producer][rr->seq])
				TH_LOG("producer %u seq %u received twice",
				       rr->producer, rr->seq);
			seen[rr->producer][rr->seq] = 1;
			EXPECT_LT(last[rr->producer], (int64_t)rr->seq)
				TH_LOG("consumer %u: producer %u seq %u after %lld",
				       c, rr->producer, rr->seq,
				       (long long)last[rr->producer]);
			last[rr->producer] = rr->seq;
		}
		total += sh->n[c];
	}
	EXPECT_EQ((uint32_t)(SP * SN), total);
	for (i = 0; i < SP; i++)
		for (j = 0; j < SN; j++)
			ASSERT_EQ(1, seen[i][j])
				TH_LOG("producer %u seq %u lost", i, j);
	TH_LOG("consumers received %u and %u in %lld ms", sh->n[0], sh->n[1],
	       (long long)((kt_now_ns() - t0) / MS));
	kt_soak_count(SP + SC, total);
	munmap(sh, sizeof(*sh));
}

#define PP_ROUNDS	5000

/* Thousands of round trips, both processes on the fast path. */
TEST_F_TIMEOUT(kipc, stress_fast_path_ping_pong, 90)
{
	struct kipc_ring *h0;
	uint8_t buf[256];
	size_t len;
	int fds[2], ret;
	int64_t t0;
	uint32_t i, v;
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 256));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_ring *h;

		close(fds[0]);
		if (kipc_ring_attach(fds[1], &h))
			_exit(1);
		for (i = 0; i < PP_ROUNDS; i++) {
			len = 0;
			if (kipc_ring_recv(h, buf, sizeof(buf), &len,
					   CHILD_WAIT_NS) != 1)
				_exit(2);
			memcpy(&v, buf, 4);
			if (v != 2 * i || len != 4 + i % 200 ||
			    !check(buf + 4, len - 4, v))
				_exit(3);
			v = 2 * i + 1;
			memcpy(buf, &v, 4);
			if (kipc_ring_send(h, buf, 4 + (i * 7) % 250,
					   CHILD_WAIT_NS))
				_exit(4);
		}
		if (kipc_ring_recv(h, buf, sizeof(buf), &len, CHILD_WAIT_NS))
			_exit(5);
		kipc_ring_detach(h);
		_exit(0);
	}
	close(fds[1]);
	h0 = attach(fds[0]);
	ASSERT_NE(NULL, h0);
	t0 = kt_now_ns();
	for (i = 0; i < PP_ROUNDS; i++) {
		v = 2 * i;
		memcpy(buf, &v, 4);
		fill(buf + 4, i % 200, v);
		ret = kipc_ring_send(h0, buf, 4 + i % 200, CHILD_WAIT_NS);
		ASSERT_EQ(0, ret) TH_LOG("round %u", i);
		len = 0;
		ret = kipc_ring_recv(h0, buf, sizeof(buf), &len, CHILD_WAIT_NS);
		ASSERT_EQ(1, ret) TH_LOG("round %u", i);
		memcpy(&v, buf, 4);
		ASSERT_EQ(2 * i + 1, v);
		ASSERT_EQ(4 + (i * 7) % 250, len);
	}
	TH_LOG("%d round trips in %lld ms", PP_ROUNDS,
	       (long long)((kt_now_ns() - t0) / MS));
	detach(h0);
	close(fds[0]);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	kt_soak_count(2, 2ULL * PP_ROUNDS);
}

#define ST_TOTAL	16000
#define ST_MAX		2000

/* Streaming both ways of the fast path with batches of random sizes. */
TEST_F_TIMEOUT(kipc, stress_fast_path_stream_batches, 90)
{
	static uint8_t sbufs[64][ST_MAX];
	struct kipc_chan_msg m[64];
	struct kipc_ring *h0;
	uint32_t s = 99, sent = 0, n, i;
	int fds[2], ret;
	int64_t t0;
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 16384, ST_MAX));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static uint8_t rbufs[64][ST_MAX];
		uint32_t got = 0, rs = 5;
		struct kipc_ring *h;

		close(fds[0]);
		if (kipc_ring_attach(fds[1], &h))
			_exit(1);
		for (;;) {
			n = 1 + lcg(&rs) % 64;
			for (i = 0; i < n; i++)
				m[i] = (struct kipc_chan_msg){
					.buf = (uintptr_t)rbufs[i],
					.len = ST_MAX };
			ret = kipc_ring_recvv(h, m, n, CHILD_WAIT_NS);
			if (ret == 0)
				break;
			if (ret < 0)
				_exit(2);
			for (i = 0; i < (uint32_t)ret; i++, got++)
				if (m[i].len != seq_len(got, ST_MAX) ||
				    !check(rbufs[i], m[i].len, got))
					_exit(3);
		}
		kipc_ring_detach(h);
		_exit(got == ST_TOTAL ? 0 : 4);
	}
	close(fds[1]);
	h0 = attach(fds[0]);
	ASSERT_NE(NULL, h0);
	t0 = kt_now_ns();
	while (sent < ST_TOTAL) {
		n = 1 + lcg(&s) % 64;
		if (n > ST_TOTAL - sent)
			n = ST_TOTAL - sent;
		for (i = 0; i < n; i++) {
			m[i].len = seq_len(sent + i, ST_MAX);
			fill(sbufs[i], m[i].len, sent + i);
			m[i].buf = (uintptr_t)sbufs[i];
			m[i].flags = 0;
		}
		ret = kipc_ring_sendv(h0, m, n, CHILD_WAIT_NS);
		ASSERT_LT(0, ret) TH_LOG("message %u", sent);
		ASSERT_GE((int)n, ret);
		sent += ret;
	}
	TH_LOG("%u messages in %lld ms", sent,
	       (long long)((kt_now_ns() - t0) / MS));
	detach(h0);
	close(fds[0]);
	EXPECT_EQ(0, kt_reap(pid, 30000));
	kt_soak_count(2, sent);
}

struct tsend {
	struct kipc_ring *h;
	uint32_t id;
	int ret;
};

static void *tsend_fn(void *arg)
{
	struct tsend *t = arg;
	uint32_t k, v[2];

	for (k = 0; k < 2000; k++) {
		v[0] = t->id;
		v[1] = k;
		t->ret = kipc_ring_send(t->h, v, sizeof(v), CHILD_WAIT_NS);
		if (t->ret)
			break;
	}
	return NULL;
}

/* One fast-path handle used by two threads at once. */
TEST_F_TIMEOUT(kipc, handle_shared_by_threads, 60)
{
	struct tsend t[2];
	pthread_t th[2];
	struct kipc_ring *h0, *h1;
	uint32_t next[2] = { 0, 0 }, v[2], k;
	size_t len;
	int fds[2], i;

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	h0 = attach(fds[0]);
	h1 = attach(fds[1]);
	ASSERT_NE(NULL, h0);
	ASSERT_NE(NULL, h1);
	for (i = 0; i < 2; i++) {
		t[i] = (struct tsend){ .h = h0, .id = i };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, tsend_fn, &t[i]));
	}
	for (k = 0; k < 4000; k++) {
		ASSERT_EQ(1, kipc_ring_recv(h1, v, sizeof(v),
					    &len, CHILD_WAIT_NS));
		ASSERT_EQ(sizeof(v), len);
		ASSERT_GT(2U, v[0]);
		ASSERT_EQ(next[v[0]], v[1]);
		next[v[0]]++;
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0, t[i].ret);
	}
	EXPECT_EQ(-EAGAIN, kipc_ring_recv(h1, v, sizeof(v), &len, 0));
	detach(h0);
	detach(h1);
}

/* ---- close and exit races ---------------------------------------------------------- */

/*
 * A process exits (exit_group) while one of its threads is blocked on
 * the end it alone holds: the end closes, the peer sees it, nothing leaks.
 */
TEST_F(kipc, exit_while_blocked)
{
	struct kipc_stats b, a;
	int fds[2], fast, sending, st, k;

	ASSERT_EQ(0, kt_stats(&b));
	for (fast = 0; fast < 2; fast++)
		for (sending = 0; sending < 2; sending++) {
			pid_t pid;

			ASSERT_EQ(0, pair_small(fds, 4096, 1000));
			if (sending)
				ASSERT_EQ(4, fill_ring(fds[1], 1000));
			pid = kt_fork();
			ASSERT_LE(0, pid);
			if (pid == 0) {
				struct thr t;
				pthread_t th;

				close(fds[0]);
				memset(&t, 0, sizeof(t));
				t.e.fd = fds[1];
				if (fast)
					t.e.h = attach(fds[1]);
				if (fast && !t.e.h)
					_exit(1);
				t.sending = sending;
				t.timeout = CHILD_WAIT_NS;
				if (pthread_create(&th, NULL, thr_fn, &t))
					_exit(2);
				if (wait_thread_blocked(&t.tid))
					_exit(3);
				_exit(0);
			}
			close(fds[1]);
			st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
			EXPECT_EQ(0, st);
			EXPECT_EQ((uint32_t)(KIPC_CHAN_CONNECTED |
					     KIPC_CHAN_PEER_CLOSED),
				  ch_state(fds[0]));
			EXPECT_EQ(-EPIPE, kipc_channel_send(fds[0], "x", 1, 0));
			for (k = 0; k < (sending ? 4 : 0); k++)
				EXPECT_EQ(1, kipc_channel_recv(fds[0], bbuf[0],
							       1000, NULL, 0));
			EXPECT_EQ(0, kipc_channel_recv(fds[0], bbuf[0], 1000,
						       NULL, KIPC_INFINITE));
			close(fds[0]);
			ASSERT_EQ(0, kt_stats(&a));
			EXPECT_EQ(b.objects, a.objects)
				TH_LOG("fast %d sending %d", fast, sending);
		}
}

/* Both ends' holders killed at once, each blocked on its end. */
TEST_F(kipc, both_ends_killed_concurrently)
{
	struct kipc_stats b, a;
	int fds[2], i, e;
	pid_t pid[2];

	ASSERT_EQ(0, kt_stats(&b));
	for (i = 0; i < KT_MAX_KIDS / 2; i++) {
		ASSERT_EQ(0, pair_small(fds, 4096, 100));
		for (e = 0; e < 2; e++) {
			pid[e] = kt_fork();
			ASSERT_LE(0, pid[e]);
			if (pid[e] == 0) {
				struct ep ep = { .fd = fds[e] };

				close(fds[1 - e]);
				if (i & 1)
					ep.h = attach(fds[e]);
				if ((i & 1) && !ep.h)
					_exit(1);
				ep_send(&ep, "m", 1, 0);
				ep_recv(&ep, bbuf[0], 100, NULL, CHILD_WAIT_NS);
				ep_recv(&ep, bbuf[0], 100, NULL, CHILD_WAIT_NS);
				_exit(0);
			}
		}
		close(fds[0]);
		close(fds[1]);
		if (i % 3)
			kt_sleep_ms(i % 5);
		kill(pid[0], SIGKILL);
		kill(pid[1], SIGKILL);
		for (e = 0; e < 2; e++) {
			int st = kt_reap(pid[e], KT_CHILD_TIMEOUT_MS);

			EXPECT_TRUE(st == 0 || st == 256 + SIGKILL)
				TH_LOG("round %d end %d: %d", i, e, st);
		}
	}
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.uid_bytes, a.uid_bytes);
	/* Killed at any point: the rounds are what can be counted. */
	kt_soak_count(KT_MAX_KIDS, KT_MAX_KIDS / 2);
}

struct closer {
	int fd;
	pthread_barrier_t *bar;
};

static void *closer_fn(void *arg)
{
	struct closer *c = arg;

	pthread_barrier_wait(c->bar);
	close(c->fd);
	return NULL;
}

/*
 * Both ends closed at the same moment by two threads while a third is
 * blocked receiving on end 1 (which it keeps open until it returns): the
 * receiver sees the end of the channel, nothing leaks.
 */
TEST_F_TIMEOUT(kipc, both_ends_close_concurrently, 60)
{
	pthread_barrier_t bar;
	struct closer c[2];
	struct kipc_stats b, a;
	pthread_t th[2], rt;
	struct thr t;
	int fds[2], i, k;

	ASSERT_EQ(0, kt_stats(&b));
	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, 2));
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, pair_small(fds, 4096, 1000));
		if (i & 2)
			ASSERT_EQ(0, kipc_channel_send(fds[0], "q", 1, 0));
		memset(&t, 0, sizeof(t));
		t.e.fd = fds[1];
		t.e.h = i & 1 ? attach(fds[1]) : NULL;
		t.ret = 12345;
		t.timeout = CHILD_WAIT_NS;
		if (!(i & 2)) {
			ASSERT_EQ(0, pthread_create(&rt, NULL, thr_fn, &t));
			ASSERT_EQ(0, wait_thread_blocked(&t.tid));
		}
		for (k = 0; k < 2; k++) {
			c[k] = (struct closer){ .fd = fds[k], .bar = &bar };
			ASSERT_EQ(0, pthread_create(&th[k], NULL, closer_fn,
						    &c[k]));
		}
		for (k = 0; k < 2; k++)
			ASSERT_EQ(0, pthread_join(th[k], NULL));
		if (!(i & 2)) {
			ASSERT_EQ(0, pthread_join(rt, NULL));
			EXPECT_EQ(0, t.ret) TH_LOG("round %d", i);
		}
		if (t.e.h)
			detach(t.e.h);
		ASSERT_EQ(0, kt_stats(&a));
		EXPECT_EQ(b.objects, a.objects) TH_LOG("round %d", i);
	}
	pthread_barrier_destroy(&bar);
	/* One process, its threads racing: the rounds. */
	kt_soak_count(1, 100);
}

struct unlinker {
	const char *name;
	pthread_barrier_t *bar;
	int ret;
};

static void *unlink_fn(void *arg)
{
	struct unlinker *u = arg;

	pthread_barrier_wait(u->bar);
	u->ret = kipc_unlink(KIPC_TYPE_CHANNEL, u->name);
	return NULL;
}

/* Unlinking and connecting race: either connect works or ENOENT. */
TEST_F(kipc, unlink_connect_race)
{
	struct unlinker u = { .name = kt_name("race") };
	pthread_barrier_t bar;
	struct kipc_stats b, a;
	int i, fd0, fd1, ok = 0;
	pthread_t th;

	ASSERT_EQ(0, kt_stats(&b));
	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, 2));
	u.bar = &bar;
	for (i = 0; i < 100; i++) {
		fd0 = kipc_channel_create(u.name, 0600, NULL, 0);
		ASSERT_LE(0, fd0);
		ASSERT_EQ(0, pthread_create(&th, NULL, unlink_fn, &u));
		pthread_barrier_wait(&bar);
		fd1 = kipc_channel_connect(u.name, 0);
		ASSERT_EQ(0, pthread_join(th, NULL));
		EXPECT_EQ(0, u.ret);
		EXPECT_TRUE(fd1 >= 0 || fd1 == -ENOENT) TH_LOG("%d", fd1);
		if (fd1 >= 0) {
			ok++;
			EXPECT_EQ(0, kipc_channel_send(fd1, "u", 1, 0));
			EXPECT_EQ(1, kipc_channel_recv(fd0, bbuf[0], 8, NULL, 0));
			close(fd1);
		}
		close(fd0);
	}
	pthread_barrier_destroy(&bar);
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.named, a.named);
	TH_LOG("%d of 100 connects won", ok);
}

/* A process exiting with mapped handles and open ends leaves nothing. */
TEST_F(kipc, exit_with_handles_leaves_nothing)
{
	struct kipc_stats b, a;
	int st, k;
	pid_t pid;

	ASSERT_EQ(0, kt_stats(&b));
	for (k = 0; k < 2; k++) {
		pid = kt_fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			struct kipc_ring *h0, *h1;
			int fds[2];

			if (kipc_channel_pair(fds, NULL, 0))
				_exit(1);
			if (kipc_ring_attach(fds[0], &h0) ||
			    kipc_ring_attach(fds[1], &h1))
				_exit(2);
			if (kipc_ring_send(h0, "a", 1, 0) ||
			    kipc_ring_send(h1, "b", 1, 0))
				_exit(3);
			if (!k)
				_exit(0);
			/* Close both fds, keep the mappings, get killed. */
			close(fds[0]);
			close(fds[1]);
			for (;;)
				pause();
		}
		if (k) {
			ASSERT_EQ(0, wait_blocked(pid));
			kill(pid, SIGKILL);
		}
		st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
		EXPECT_EQ(k ? 256 + SIGKILL : 0, st);
	}
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.uid_bytes, a.uid_bytes);
}

TEST_HARNESS_MAIN
