// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message queue selftests, memory and load: the real memory full
 * queues pin (as the memory cgroup sees it), a reference model of
 * priorities and order, multi-process stress.
 */
#include "kipc_queue_util.h"

/* ---- real memory, as the memory cgroup sees it ------------------------------------ */

#define CG_ROOT		"/tmp/kipc-cgroup"

static int cg_write(const char *dir, const char *file, const char *val)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : n < 0 ? -errno : -EIO;
}

/* Bytes the cgroup @dir is charged for (memory.current), or -errno. */
static long long cg_current(const char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/memory.current", dir);
	return kt_read_number(path);
}

/* Move this process into a new memory cgroup @dir: 0 or -errno. */
static int cg_enter(char *dir, size_t size)
{
	char pid[16];
	int err;

	mkdir(CG_ROOT, 0755);
	if (access(CG_ROOT "/cgroup.procs", F_OK) &&
	    mount("none", CG_ROOT, "cgroup2", 0, NULL))
		return -errno;
	err = cg_write(CG_ROOT, "cgroup.subtree_control", "+memory");
	if (err)
		return err;
	snprintf(dir, size, CG_ROOT "/q%d", getpid());
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	snprintf(pid, sizeof(pid), "%d", getpid());
	return cg_write(dir, "cgroup.procs", pid);
}

static void cg_leave(const char *dir)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", getpid());
	cg_write(CG_ROOT, "cgroup.procs", pid);
	rmdir(dir);
}

/*
 * Whether the kernel is built with KASAN (the debug kernel), whose slab
 * objects carry redzones and metadata that the memory cgroup counts.
 */
static bool kernel_has_kasan(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[256];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " kasan_report") != NULL;
	fclose(f);
	return found;
}

/*
 * Full queues pin no more kernel memory than their charge to the uid,
 * which max_bytes_per_uid bounds: the memory cgroup of the sender sees
 * (within slack for its own batching and bookkeeping) no more than the
 * charge, whatever the message size.  Nor is the charge far above it.
 * On a KASAN kernel slab objects carry redzones and metadata, up to as
 * much again, which the memory cgroup counts and the charge does not.
 */
TEST_F_TIMEOUT(kipc, full_queues_pin_no_more_than_charged, 120)
{
	static const struct {
		uint32_t size, msgs, queues;
	} t[] = {
		{ 64, 65536, 2 }, { 4097, 2048, 1 }, { 8192, 2048, 1 },
		{ 65536, 256, 1 },
	};
	static char msg[65536];
	long long m0, m1, real, charge, slack, over;
	bool kasan = kernel_has_kasan();
	char dir[128];
	uint64_t b0;
	unsigned int i, j, k;
	int fds[2], err;

	memset(msg, 'm', sizeof(msg));
	err = cg_enter(dir, sizeof(dir));
	if (err)
		SKIP(return, "no memory cgroup: %s", strerror(-err));
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		b0 = kt_stats_uid_bytes();
		m0 = cg_current(dir);
		ASSERT_LE(0, m0);
		for (j = 0; j < t[i].queues; j++) {
			fds[j] = new_queue(t[i].msgs, t[i].size);
			ASSERT_LE(0, fds[j]);
			for (k = 0; k < t[i].msgs; k++)
				ASSERT_EQ(0, kipc_queue_send(fds[j], msg,
							     t[i].size, 0, 0));
		}
		m1 = cg_current(dir);
		ASSERT_LE(0, m1);
		real = m1 - m0;
		charge = kt_stats_uid_bytes() - b0;
		slack = (1 << 20) + charge / 32;
		/* KASAN's redzones and metadata double slab objects. */
		over = kasan ? charge + charge / 8 : 0;
		TH_LOG("%u x %u-byte messages: charged %lld, cgroup saw %lld (%.3fx)%s",
		       t[i].queues * t[i].msgs, t[i].size, charge, real,
		       (double)real / (double)charge,
		       kasan ? " (KASAN kernel)" : "");
		EXPECT_GE(charge + over + slack, real);
		EXPECT_GE(real + real / 8 + (1 << 20), charge);
		for (j = 0; j < t[i].queues; j++)
			close(fds[j]);
	}
	cg_leave(dir);
}

TEST_F(kipc, create_named_charge_held_by_name)
{
	const char *name = kt_name("charge");
	uint64_t b0, b1;
	int fd;

	b0 = kt_stats_uid_bytes();
	fd = kipc_queue_create(name, 0600, 2, 50, 0);
	ASSERT_LE(0, fd);
	b1 = kt_stats_uid_bytes();
	ASSERT_LT(b0, b1);
	ASSERT_EQ(0, close(fd));
	/* The name keeps the queue, and so its charge. */
	EXPECT_EQ(b1, kt_stats_uid_bytes());
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_QUEUE, name));
	EXPECT_EQ(b0, kt_stats_uid_bytes());
}

TEST_F(kipc, create_edquot)
{
	struct kipc_stats s;
	uint64_t b0, charge;
	int fd, small;

	/* Learn the charge of a 4 x 100 queue. */
	b0 = kt_stats_uid_bytes();
	fd = new_queue(4, 100);
	ASSERT_LE(0, fd);
	charge = kt_stats_uid_bytes() - b0;
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(b0, kt_stats_uid_bytes());

	/* One byte short: EDQUOT, and nothing is created. */
	ASSERT_EQ(0, kt_param_set("max_bytes_per_uid", b0 + charge - 1));
	EXPECT_CREATE_FAILS(&((struct kipc_queue_attr){ .max_msgs = 4,
							.max_msg_size = 100 }),
			    sizeof(struct kipc_queue_attr), EDQUOT);
	EXPECT_EQ(-EDQUOT, new_queue(4, 100));

	/* Exactly enough. */
	ASSERT_EQ(0, kt_param_set("max_bytes_per_uid", b0 + charge));
	fd = new_queue(4, 100);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_stats(&s));
	EXPECT_EQ(b0 + charge, s.uid_bytes);
	/* Nothing left for even the smallest queue... */
	EXPECT_CREATE_FAILS(&((struct kipc_queue_attr){ .max_msgs = 1,
							.max_msg_size = 1 }),
			    sizeof(struct kipc_queue_attr), EDQUOT);
	/* ...but an event charges no bytes. */
	small = kipc_event_create(NULL, 0600, 0, 0);
	EXPECT_LE(0, small);
	if (small >= 0)
		close(small);
	/* Closing the queue gives the budget back. */
	ASSERT_EQ(0, close(fd));
	small = new_queue(1, 1);
	EXPECT_LE(0, small);
}

/* A capacity far above the default budget, without overflow. */
TEST_F(kipc, create_huge_capacity_edquot)
{
	ASSERT_LE(65536, kt_param_get("max_queue_msgs"));
	ASSERT_LE(1 << 20, kt_param_get("max_queue_msg_size"));
	ASSERT_GT(1LL << 36, kt_param_get("max_bytes_per_uid"));
	EXPECT_CREATE_FAILS(&((struct kipc_queue_attr){ .max_msgs = 65536,
							.max_msg_size = 1 << 20 }),
			    sizeof(struct kipc_queue_attr), EDQUOT);
}

/* A create that fails for want of an fd number returns the charge. */
TEST_F(kipc, create_emfile_returns_charge)
{
	struct kipc_stats b, a;
	struct rlimit old, lim;
	int low = kt_lowest_free_fd(), ret;

	ASSERT_LE(0, low);
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	ASSERT_EQ(0, kt_stats(&b));
	lim = old;
	lim.rlim_cur = low;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &lim));
	ret = new_queue(4, 100);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	EXPECT_EQ(-EMFILE, ret);
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.uid_objects, a.uid_objects);
	EXPECT_EQ(b.uid_bytes, a.uid_bytes);
	EXPECT_EQ(low, kt_lowest_free_fd());
}

/* ---- a reference model ------------------------------------------------------------ */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/* The payload of message number @seq: its bytes derive from @seq. */
static void model_payload(uint8_t *buf, uint32_t seq, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seq * 131 + i * 7 + (seq >> 8));
	if (len >= sizeof(seq))
		memcpy(buf, &seq, sizeof(seq));
}

struct model_msg {
	uint32_t prio;
	uint32_t seq;
	uint32_t len;
};

/* Index of the oldest message of the highest priority. */
static int model_head(const struct model_msg *m, int n)
{
	int i, best = 0;

	for (i = 1; i < n; i++)
		if (m[i].prio > m[best].prio ||
		    (m[i].prio == m[best].prio && m[i].seq < m[best].seq))
			best = i;
	return best;
}

#define M_CAP	16
#define M_SIZE	64
#define M_OPS	4000

/*
 * Random sends and receives (fixed seed) against a model of "highest
 * priority first, FIFO within a priority", with receives that fail with
 * EMSGSIZE or EFAULT (the message must stay first) thrown in.
 */
TEST_F(kipc, priority_reference_model)
{
	static const uint32_t prios[] = { 0, 1, 2, 3, 1000, KIPC_QUEUE_PRIO_MAX };
	struct model_msg m[M_CAP];
	struct kipc_queue_info in;
	uint8_t out[M_SIZE], want[M_SIZE];
	uint64_t sent = 0, received = 0, bytes = 0;
	uint32_t seq = 0, len, prio, r;
	void *bad = kt_noaccess_page();
	int fd = new_queue(M_CAP, M_SIZE), n = 0, op, h, ret;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, bad);
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (op = 0; op < M_OPS || n; op++) {
		r = rnd() % 100;
		/* Phases that fill the queue, then drain it, then drain all. */
		if (op >= M_OPS)
			r = 50;
		else if ((op / 400) % 2 == 0)
			r = r < 60 ? 0 : r;
		else
			r = r < 35 ? 0 : r;

		if (r == 0) {
			prio = prios[rnd() % ARRAY_SIZE(prios)];
			len = rnd() % (M_SIZE + 1);
			model_payload(want, seq, len);
			ret = kipc_queue_send(fd, want, len, prio, 0);
			if (n == M_CAP) {
				ASSERT_EQ(-EAGAIN, ret) TH_LOG("op %d", op);
				continue;
			}
			ASSERT_EQ(0, ret) TH_LOG("op %d", op);
			m[n].prio = prio;
			m[n].seq = seq++;
			m[n].len = len;
			n++;
			sent++;
			bytes += len;
			continue;
		}
		h = n ? model_head(m, n) : -1;
		if (r < 90 || (h >= 0 && m[h].len == 0) || n == 0) {
			ret = q_recv_raw(fd, KIPC_WAIT_NONBLOCK, NULL, out,
					 sizeof(out), &len, &prio);
			if (!n) {
				ASSERT_EQ(-EAGAIN, ret) TH_LOG("op %d", op);
				continue;
			}
			ASSERT_EQ(0, ret) TH_LOG("op %d", op);
			ASSERT_EQ(m[h].prio, prio)
				TH_LOG("op %d: priority %u for message %u of priority %u",
				       op, prio, m[h].seq, m[h].prio);
			ASSERT_EQ(m[h].len, len) TH_LOG("op %d", op);
			model_payload(want, m[h].seq, m[h].len);
			ASSERT_EQ(0, memcmp(want, out, len))
				TH_LOG("op %d: not message %u", op, m[h].seq);
			bytes -= m[h].len;
			m[h] = m[--n];
			received++;
		} else if (r < 95) {
			ret = q_recv_raw(fd, KIPC_WAIT_NONBLOCK, NULL, out,
					 rnd() % m[h].len, &len, NULL);
			ASSERT_EQ(-EMSGSIZE, ret) TH_LOG("op %d", op);
			ASSERT_EQ(m[h].len, len) TH_LOG("op %d", op);
		} else {
			ret = q_recv_raw(fd, KIPC_WAIT_NONBLOCK, NULL, bad,
					 M_SIZE, NULL, NULL);
			ASSERT_EQ(-EFAULT, ret) TH_LOG("op %d", op);
		}
		if (op % 64 == 0) {
			ASSERT_EQ(0, q_info(fd, &in));
			ASSERT_EQ((uint32_t)n, in.msgs) TH_LOG("op %d", op);
			ASSERT_EQ(bytes, in.bytes) TH_LOG("op %d", op);
			ASSERT_EQ(sent, in.sent) TH_LOG("op %d", op);
			ASSERT_EQ(received, in.received) TH_LOG("op %d", op);
		}
	}
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(0ULL, in.bytes);
	EXPECT_EQ(sent, in.sent);
	EXPECT_EQ(sent, in.received);
	EXPECT_LT(1000ULL, sent);
	EXPECT_EQ(-EAGAIN, kipc_queue_recv(fd, out, sizeof(out), NULL, 0));
}

/* ---- stress ------------------------------------------------------------------------------ */

#define SP		3	/* producers */
#define SC		3	/* consumers */
#define SN		500	/* messages per producer */
#define S1N		400	/* per producer, single-consumer test */
#define S_CAP		8
#define S_SIZE		256
#define S_PRIOS		3

struct smsg_hdr {
	uint32_t producer;
	uint32_t seq;
	uint32_t len;
	uint32_t sum;
};

/* Everything about message @k of producer @p derives from (@p, @k). */
static uint32_t s_prio(uint32_t p, uint32_t k)
{
	return kt_hash64(((uint64_t)p << 32 | k) ^ 0x1234) % S_PRIOS;
}

static uint32_t s_len(uint32_t p, uint32_t k)
{
	uint64_t h = kt_hash64(((uint64_t)p << 32 | k) ^ 0x5678);

	/* Now and then exactly the largest size. */
	if (h % 16 == 0)
		return S_SIZE;
	return sizeof(struct smsg_hdr) +
	       (h >> 8) % (S_SIZE - sizeof(struct smsg_hdr) + 1);
}

static void s_content(uint8_t *b, uint32_t p, uint32_t k, uint32_t n)
{
	uint64_t x = kt_hash64((uint64_t)p << 32 | k) | 1;
	uint32_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		b[i] = (uint8_t)x;
	}
}

static uint32_t s_fill(uint8_t *buf, uint32_t p, uint32_t k)
{
	struct smsg_hdr h = { .producer = p, .seq = k, .len = s_len(p, k) };
	uint8_t *body = buf + sizeof(h);

	s_content(body, p, k, h.len - sizeof(h));
	h.sum = kt_checksum(body, h.len - sizeof(h));
	memcpy(buf, &h, sizeof(h));
	return h.len;
}

/*
 * Check a received message completely: 0 if it is message (*@p, *@k),
 * intact, of the expected length and priority; nonzero otherwise.
 */
static int s_check(const uint8_t *buf, long len, uint32_t prio, uint32_t n,
		   uint32_t *p, uint32_t *k)
{
	uint8_t want[S_SIZE];
	struct smsg_hdr h;

	if (len < (long)sizeof(h) || len > S_SIZE)
		return 1;
	memcpy(&h, buf, sizeof(h));
	*p = h.producer;
	*k = h.seq;
	if (h.producer >= SP || h.seq >= n)
		return 2;
	if (h.len != len || (uint32_t)len != s_len(h.producer, h.seq))
		return 3;
	if (prio != s_prio(h.producer, h.seq))
		return 4;
	if (h.sum != kt_checksum(buf + sizeof(h), len - sizeof(h)))
		return 5;
	s_content(want, h.producer, h.seq, len - sizeof(h));
	if (memcmp(want, buf + sizeof(h), len - sizeof(h)))
		return 6;
	return 0;
}

static pid_t spawn_producer(int fd, uint32_t p, uint32_t n)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		uint8_t buf[S_SIZE];
		uint32_t k, len;
		int ret;

		for (k = 0; k < n; k++) {
			len = s_fill(buf, p, k);
			ret = kipc_queue_send(fd, buf, len, s_prio(p, k),
					      CHILD_WAIT_NS);
			if (ret)
				_exit(10 + (-ret & 0x3f));
		}
		_exit(0);
	}
	return pid;
}

/*
 * The ordering a receiver can rely on.  A producer sends one message after
 * another, so when its message j is the head of the queue, each earlier
 * message i of a priority at least j's is ahead of it or already taken.
 * So whoever receives both i < j with prio(i) >= prio(j) receives i first,
 * whatever the other receivers do (no receive fails here, so no message
 * is ever put back).  @maxseq[p][v] is the highest sequence number of
 * producer p's priority-v messages this receiver has had so far.
 */
static bool s_order_ok(int64_t maxseq[SP][S_PRIOS], uint32_t p, uint32_t k,
		       uint32_t prio)
{
	uint32_t v;
	bool ok = true;

	for (v = 0; v <= prio; v++)
		if (maxseq[p][v] > (int64_t)k)
			ok = false;
	if (maxseq[p][prio] < (int64_t)k)
		maxseq[p][prio] = k;
	return ok;
}

struct srec {
	uint16_t producer;
	uint16_t prio;
	uint32_t seq;
	int32_t bad;
};

struct stress_shared {
	uint32_t n[SC];
	struct srec rec[SC][SP * SN];
};

/*
 * Producers and consumers on a queue of 8 messages with mixed priorities
 * and sizes.  Checked exactly: every message arrives exactly once,
 * intact, with its priority; and each consumer sees each producer's
 * messages in the order they can be guaranteed to come out (s_order_ok).
 */
TEST_F_TIMEOUT(kipc, stress_producers_consumers, 120)
{
	struct kipc_queue_info in;
	struct stress_shared *sh;
	static uint8_t seen[SP][SN];
	int64_t maxseq[SP][S_PRIOS];
	pid_t prod[SP], cons[SC];
	uint32_t total = 0, c, i, j;
	int fd = new_queue(S_CAP, S_SIZE);

	ASSERT_LE(0, fd);
	sh = kt_shared_map(sizeof(*sh));
	ASSERT_NE(NULL, sh);

	for (c = 0; c < SC; c++) {
		cons[c] = kt_fork();
		ASSERT_LE(0, cons[c]);
		if (cons[c] == 0) {
			uint8_t buf[S_SIZE];
			uint32_t prio, p, k;
			struct srec *r;
			long len;

			for (;;) {
				len = kipc_queue_recv(fd, buf, sizeof(buf),
						      &prio, CHILD_WAIT_NS);
				if (len < 0)
					_exit(20 + (-len & 0x3f));
				if (len == 0)	/* stop */
					_exit(prio == 0 ? 0 : 19);
				if (sh->n[c] >= SP * SN)
					_exit(18);
				r = &sh->rec[c][sh->n[c]];
				p = UINT32_MAX;
				k = UINT32_MAX;
				r->bad = s_check(buf, len, prio, SN, &p, &k);
				r->producer = p;
				r->seq = k;
				r->prio = prio;
				sh->n[c]++;
			}
		}
	}
	for (i = 0; i < SP; i++) {
		prod[i] = spawn_producer(fd, i, SN);
		ASSERT_LE(0, prod[i]);
	}
	for (i = 0; i < SP; i++)
		EXPECT_EQ(0, kt_reap(prod[i], 90000));
	/* Stops come after every message: lowest priority, sent last. */
	for (c = 0; c < SC; c++)
		ASSERT_EQ(0, kipc_queue_send(fd, NULL, 0, 0, CHILD_WAIT_NS));
	for (c = 0; c < SC; c++)
		EXPECT_EQ(0, kt_reap(cons[c], KT_CHILD_TIMEOUT_MS));

	memset(seen, 0, sizeof(seen));
	for (c = 0; c < SC; c++) {
		for (i = 0; i < SP; i++)
			for (j = 0; j < S_PRIOS; j++)
				maxseq[i][j] = -1;
		for (i = 0; i < sh->n[c]; i++) {
			struct srec *r = &sh->rec[c][i];

			ASSERT_EQ(0, r->bad)
				TH_LOG("consumer %u, message %u (producer %u seq %u) corrupt",
				       c, i, r->producer, r->seq);
			ASSERT_EQ(0, seen[r->producer][r->seq])
				TH_LOG("producer %u seq %u received twice",
				       r->producer, r->seq);
			seen[r->producer][r->seq] = 1;
			EXPECT_TRUE(s_order_ok(maxseq, r->producer, r->seq,
					       r->prio))
				TH_LOG("consumer %u: producer %u seq %u (prio %u) late",
				       c, r->producer, r->seq, r->prio);
		}
		total += sh->n[c];
	}
	EXPECT_EQ((uint32_t)(SP * SN), total);
	for (i = 0; i < SP; i++)
		for (j = 0; j < SN; j++)
			ASSERT_EQ(1, seen[i][j])
				TH_LOG("producer %u seq %u lost", i, j);
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(0ULL, in.bytes);
	EXPECT_EQ(0U, in.senders);
	EXPECT_EQ(0U, in.receivers);
	EXPECT_EQ((uint64_t)(SP * SN + SC), in.sent);
	EXPECT_EQ((uint64_t)(SP * SN + SC), in.received);
	TH_LOG("consumers received %u, %u, %u", sh->n[0], sh->n[1], sh->n[2]);
	kt_soak_count(SP + SC, total);
	munmap(sh, sizeof(*sh));
}

/*
 * One consumer (this process), three producers: with a single consumer
 * the ordering rule holds for all messages of a producer, so per producer
 * and priority the sequence numbers come in order, without gaps.  The
 * consumer throws in receives that fail with EMSGSIZE and EFAULT, which
 * put the message back and must not change that.
 */
TEST_F_TIMEOUT(kipc, stress_single_consumer_order, 120)
{
	int64_t maxseq[SP][S_PRIOS];
	uint32_t next[SP][S_PRIOS];
	struct kipc_queue_info in;
	struct kipc_timespec dl;
	uint8_t buf[S_SIZE];
	uint32_t prio, p, k, i, j, len;
	void *bad = kt_noaccess_page();
	pid_t prod[SP];
	int fd = new_queue(S_CAP, S_SIZE), ret, bad_ret;
	long n;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, bad);
	for (i = 0; i < SP; i++)
		for (j = 0; j < S_PRIOS; j++) {
			maxseq[i][j] = -1;
			next[i][j] = 0;
		}
	for (i = 0; i < SP; i++) {
		prod[i] = spawn_producer(fd, i, S1N);
		ASSERT_LE(0, prod[i]);
	}
	for (i = 0; i < SP * S1N; i++) {
		if (i % 7 == 3) {
			dl = kt_ts_at(kt_now_ns() + CHILD_WAIT_NS);
			ret = q_recv_raw(fd, KIPC_WAIT_DEADLINE, &dl, buf,
					 sizeof(struct smsg_hdr) - 1, &len,
					 NULL);
			ASSERT_EQ(-EMSGSIZE, ret) TH_LOG("message %u", i);
			EXPECT_LE((uint32_t)sizeof(struct smsg_hdr), len);
			EXPECT_GE((uint32_t)S_SIZE, len);
		}
		if (i % 11 == 5) {
			bad_ret = kipc_queue_recv(fd, bad, S_SIZE, NULL,
						  CHILD_WAIT_NS);
			ASSERT_EQ(-EFAULT, bad_ret) TH_LOG("message %u", i);
		}
		n = kipc_queue_recv(fd, buf, sizeof(buf), &prio, CHILD_WAIT_NS);
		ASSERT_LT(0, n) TH_LOG("message %u: %ld", i, n);
		p = UINT32_MAX;
		k = UINT32_MAX;
		ret = s_check(buf, n, prio, S1N, &p, &k);
		ASSERT_EQ(0, ret) TH_LOG("message %u (producer %u seq %u) corrupt",
					 i, p, k);
		ASSERT_TRUE(s_order_ok(maxseq, p, k, prio))
			TH_LOG("producer %u seq %u (prio %u) after a later one",
			       p, k, prio);
		/* Within one priority: the next one, no gap, no repeat. */
		while (next[p][prio] < S1N && s_prio(p, next[p][prio]) != prio)
			next[p][prio]++;
		ASSERT_EQ(next[p][prio], k)
			TH_LOG("producer %u prio %u: seq %u, expected %u",
			       p, prio, k, next[p][prio]);
		next[p][prio]++;
	}
	for (i = 0; i < SP; i++)
		EXPECT_EQ(0, kt_reap(prod[i], KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-EAGAIN, kipc_queue_recv(fd, buf, sizeof(buf), NULL, 0));
	ASSERT_EQ(0, q_info(fd, &in));
	EXPECT_EQ((uint64_t)(SP * S1N), in.sent);
	EXPECT_EQ((uint64_t)(SP * S1N), in.received);
	EXPECT_EQ(0U, in.msgs);
	EXPECT_EQ(0ULL, in.bytes);
	kt_soak_count(SP + 1, in.received);
}

TEST_HARNESS_MAIN
