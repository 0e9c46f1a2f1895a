// SPDX-License-Identifier: GPL-2.0
/*
 * kipc pipe selftests: multi-process stress (atomic records from many
 * writers, long writes).
 */
#include "kipc_pipe_util.h"

/* ---- stress ------------------------------------------------------------------------------ */

struct rec_hdr {
	uint32_t magic;
	uint32_t writer;
	uint32_t seq;
	uint32_t len;	/* header included */
	uint32_t sum;	/* of the body */
	uint32_t pad;
};

#define REC_MAGIC	0x70697065U

/* Record @k of writer @w, @len bytes in all; returns @len. */
static uint32_t rec_fill(uint8_t *buf, uint32_t w, uint32_t k, uint32_t len)
{
	struct rec_hdr h = { .magic = REC_MAGIC, .writer = w, .seq = k,
			     .len = len };
	uint8_t *body = buf + sizeof(h);
	uint64_t x = kt_hash64((uint64_t)w << 32 | k) | 1;
	uint32_t i;

	for (i = 0; i < len - sizeof(h); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		body[i] = (uint8_t)x;
	}
	h.sum = kt_checksum(body, len - sizeof(h));
	memcpy(buf, &h, sizeof(h));
	return len;
}

/*
 * Check a whole record: 0 if it is record (*@w, *@k) of writer count @nw
 * and @n records each, intact; else a code.
 */
static int rec_check(const uint8_t *buf, uint32_t avail, uint32_t nw,
		     uint32_t n, uint32_t *w, uint32_t *k, uint32_t *len)
{
	static uint8_t want[PBUF];
	struct rec_hdr h;

	if (avail < sizeof(h))
		return 1;
	memcpy(&h, buf, sizeof(h));
	*w = h.writer;
	*k = h.seq;
	*len = h.len;
	if (h.magic != REC_MAGIC)
		return 2;
	if (h.writer >= nw || h.seq >= n)
		return 3;
	if (h.len < sizeof(h) || h.len > PBUF || h.len > avail)
		return 4;
	if (h.sum != kt_checksum(buf + sizeof(h), h.len - sizeof(h)))
		return 5;
	rec_fill(want, h.writer, h.seq, h.len);
	if (memcmp(want, buf, h.len))
		return 6;
	return 0;
}

/* Length of record @k of writer @w in the variable-size test. */
static uint32_t s_len(uint32_t w, uint32_t k)
{
	uint64_t h = kt_hash64(((uint64_t)w << 32 | k) ^ 0x5678);

	if (h % 8 == 0)
		return PBUF;	/* now and then exactly the atomic size */
	return sizeof(struct rec_hdr) + (h >> 8) % (PBUF - sizeof(struct rec_hdr));
}

/* A writer process: @n records of @fixed bytes (0: s_len()) each. */
static pid_t spawn_rec_writer(int fd, int close_fd, uint32_t w, uint32_t n,
			      uint32_t fixed)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		static uint8_t buf[PBUF];
		uint32_t k, len;
		ssize_t r;

		close(close_fd);
		for (k = 0; k < n; k++) {
			len = rec_fill(buf, w, k, fixed ? fixed : s_len(w, k));
			r = write(fd, buf, len);
			if (r != (ssize_t)len)
				_exit(r < 0 ? 10 + (errno & 0x3f) : 9);
		}
		_exit(0);
	}
	return pid;
}

#define AW	4	/* writers */
#define AN	400	/* records of KIPC_PIPE_BUF bytes per writer */
#define AR	2	/* readers */

struct atomic_shared {
	uint32_t n[AR];
	int32_t bad[AR];
	uint16_t w[AR][AW * AN];
	uint16_t k[AR][AW * AN];
};

/*
 * Four writer processes write records of exactly KIPC_PIPE_BUF bytes into
 * a small pipe; two reader processes read KIPC_PIPE_BUF bytes at a time.
 * Writes are atomic and reads take what is there, so every read gets
 * exactly one whole record: none torn, interleaved, lost or doubled, and
 * each reader sees each writer's records in order.
 */
TEST_F_TIMEOUT(kipc, stress_atomic_records_two_readers, 180)
{
	struct atomic_shared *sh;
	static uint8_t seen[AW][AN];
	uint32_t c, i, total = 0;
	int64_t last[AW];
	struct kipc_pipe_info in;
	pid_t wr[AW], rd[AR];
	int fds[2], info;

	ASSERT_EQ(0, kipc_pipe(fds, 4 * PBUF, 0));
	info = kipc_reopen(fds[0], KIPC_FD_RDONLY);
	ASSERT_LE(0, info);
	sh = kt_shared_map(sizeof(*sh));
	ASSERT_NE(NULL, sh);

	for (c = 0; c < AR; c++) {
		rd[c] = kt_fork();
		ASSERT_LE(0, rd[c]);
		if (rd[c] == 0) {
			static uint8_t buf[PBUF];
			uint32_t w, k, len;
			ssize_t r;

			close(fds[1]);
			close(info);
			for (;;) {
				r = read(fds[0], buf, sizeof(buf));
				if (r == 0)
					_exit(0);
				if (r < 0)
					_exit(10 + (errno & 0x3f));
				if (r != PBUF) {
					sh->bad[c] = 100 + (int)r % 100;
					_exit(8);
				}
				sh->bad[c] = rec_check(buf, r, AW, AN, &w, &k,
						       &len);
				if (sh->bad[c] || len != PBUF)
					_exit(7);
				if (sh->n[c] >= AW * AN)
					_exit(6);
				sh->w[c][sh->n[c]] = w;
				sh->k[c][sh->n[c]] = k;
				sh->n[c]++;
			}
		}
	}
	for (i = 0; i < AW; i++) {
		wr[i] = spawn_rec_writer(fds[1], fds[0], i, AN, PBUF);
		ASSERT_LE(0, wr[i]);
	}
	close(fds[0]);
	close(fds[1]);
	for (i = 0; i < AW; i++) {
		EXPECT_EQ(0, kt_reap(wr[i], 150000));
	}
	for (c = 0; c < AR; c++) {
		EXPECT_EQ(0, kt_reap(rd[c], KT_CHILD_TIMEOUT_MS))
			TH_LOG("reader %u: bad %d", c, sh->bad[c]);
	}

	memset(seen, 0, sizeof(seen));
	for (c = 0; c < AR; c++) {
		for (i = 0; i < AW; i++)
			last[i] = -1;
		for (i = 0; i < sh->n[c]; i++) {
			uint32_t w = sh->w[c][i], k = sh->k[c][i];

			ASSERT_EQ(0, seen[w][k])
				TH_LOG("writer %u record %u read twice", w, k);
			seen[w][k] = 1;
			ASSERT_LT(last[w], (int64_t)k)
				TH_LOG("reader %u: writer %u record %u after %lld",
				       c, w, k, (long long)last[w]);
			last[w] = k;
		}
		total += sh->n[c];
	}
	EXPECT_EQ((uint32_t)(AW * AN), total);
	ASSERT_EQ(0, p_info(info, &in));
	EXPECT_EQ(0U, in.used);
	EXPECT_EQ((uint64_t)AW * AN * PBUF, in.written);
	EXPECT_EQ((uint64_t)AW * AN * PBUF, in.read);
	TH_LOG("readers got %u and %u records", sh->n[0], sh->n[1]);
	kt_soak_count(AW + AR, total);
	munmap(sh, sizeof(*sh));
}

#define VW	4	/* writers */
#define VN	1000	/* records of 24..4096 bytes per writer */

/*
 * Four writer processes write records of mixed sizes up to KIPC_PIPE_BUF
 * (atomic); this process reads the stream with reads of random sizes and
 * parses it: every record whole, each writer's in order, none lost.
 */
TEST_F_TIMEOUT(kipc, stress_variable_records_one_reader, 180)
{
	static uint8_t stream[2 * PBUF + 16384];
	uint32_t next[VW], have = 0, w, k, len, i, seed = 1, count = 0;
	struct kipc_pipe_info in;
	pid_t wr[VW];
	int fds[2], ret;
	ssize_t r;

	ASSERT_EQ(0, kipc_pipe(fds, 2 * PBUF, 0));
	for (i = 0; i < VW; i++) {
		next[i] = 0;
		wr[i] = spawn_rec_writer(fds[1], fds[0], i, VN, 0);
		ASSERT_LE(0, wr[i]);
	}
	close(fds[1]);
	for (;;) {
		size_t want;

		seed = seed * 1103515245 + 12345;
		want = 1 + (seed >> 8) % 16384;
		if (want > sizeof(stream) - have)
			want = sizeof(stream) - have;
		r = xread(fds[0], stream + have, want);
		ASSERT_LE(0, r);
		if (!r)
			break;
		have += r;
		/* Take every whole record at the front. */
		for (;;) {
			struct rec_hdr h;

			if (have < sizeof(h))
				break;
			memcpy(&h, stream, sizeof(h));
			if (h.len >= sizeof(h) && h.len <= PBUF && h.len > have)
				break;
			ret = rec_check(stream, have, VW, VN, &w, &k, &len);
			ASSERT_EQ(0, ret)
				TH_LOG("record %u: writer %u seq %u len %u",
				       count, w, k, len);
			ASSERT_EQ(s_len(w, k), len);
			ASSERT_EQ(next[w], k)
				TH_LOG("writer %u: record %u, expected %u",
				       w, k, next[w]);
			next[w]++;
			count++;
			memmove(stream, stream + len, have - len);
			have -= len;
		}
	}
	EXPECT_EQ(0U, have);
	for (i = 0; i < VW; i++) {
		EXPECT_EQ((uint32_t)VN, next[i]);
		EXPECT_EQ(0, kt_reap(wr[i], KT_CHILD_TIMEOUT_MS));
	}
	ASSERT_EQ(0, p_info(fds[0], &in));
	EXPECT_EQ(in.written, in.read);
	EXPECT_EQ(0U, in.used);
	EXPECT_EQ((uint32_t)(VW * VN), count);
	kt_soak_count(VW + 1, count);
}

/*
 * One writer of long and short writes, this process reading with random
 * sizes, and a third process resizing the pipe all the while (EBUSY when
 * too much is queued): the stream arrives intact, and after the writer
 * and the resizer are gone, end-of-file.
 */
TEST_F_TIMEOUT(kipc, stress_stream_with_resizes, 180)
{
	const uint64_t total = 4 << 20;
	static uint8_t buf[40000];
	uint64_t rpos = 0, reads = 0;
	uint32_t seed = 7;
	int fds[2], resizer_fd, st;
	pid_t wr, rs;
	ssize_t r;

	ASSERT_EQ(0, kipc_pipe(fds, 8192, 0));
	resizer_fd = kipc_reopen(fds[1], KIPC_FD_WRONLY);
	ASSERT_LE(0, resizer_fd);
	wr = kt_fork();
	ASSERT_LE(0, wr);
	if (wr == 0) {
		static uint8_t wbuf[40000];
		uint64_t pos = 0;
		uint32_t s = 3;
		size_t n;

		close(fds[0]);
		close(resizer_fd);
		while (pos < total) {
			s = s * 1103515245 + 12345;
			n = (s >> 8) % 4 ? 1 + (s >> 12) % PBUF :
					   1 + (s >> 12) % sizeof(wbuf);
			if (n > total - pos)
				n = total - pos;
			fill_pat(wbuf, pos, n);
			r = write(fds[1], wbuf, n);
			if (r != (ssize_t)n)
				_exit(1);
			pos += n;
		}
		_exit(0);
	}
	rs = kt_fork();
	ASSERT_LE(0, rs);
	if (rs == 0) {
		static const uint32_t caps[] = { 4096, 65536, 8192, 16384,
						 131072, 4096, 32768 };
		unsigned int i = 0;
		long ret;

		close(fds[0]);
		close(fds[1]);
		for (;;) {
			ret = kipc_pipe_set_capacity(resizer_fd, caps[i++ % 7]);
			if (ret < 0 && ret != -EBUSY)
				_exit(1);
			nanosleep(&(struct timespec){ 0, 200000 }, NULL);
		}
	}
	close(fds[1]);
	close(resizer_fd);
	while (rpos < total) {
		seed = seed * 1103515245 + 12345;
		r = xread(fds[0], buf, 1 + (seed >> 8) % sizeof(buf));
		ASSERT_LT(0, r) TH_LOG("at %llu", (unsigned long long)rpos);
		ASSERT_EQ(-1, bad_pat(buf, rpos, r))
			TH_LOG("at %llu", (unsigned long long)rpos);
		rpos += r;
		reads++;
	}
	EXPECT_EQ(total, rpos);
	EXPECT_EQ(0, kt_reap(wr, KT_CHILD_TIMEOUT_MS));
	/* The resizer still holds a write end: no end-of-file yet. */
	ASSERT_EQ(0, set_nonblock(fds[0], true));
	EXPECT_EQ(-EAGAIN, xread(fds[0], buf, 1));
	ASSERT_EQ(0, kill(rs, SIGKILL));
	st = kt_reap(rs, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(256 + SIGKILL, st);
	EXPECT_EQ(0, xread(fds[0], buf, 1));
	/* The writer, the resizer and this reader; the reads counted. */
	kt_soak_count(3, reads);
}

TEST_HARNESS_MAIN
