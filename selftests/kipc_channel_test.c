// SPDX-License-Identifier: GPL-2.0
/*
 * kipc channel selftests: creation (anonymous pairs, named channels,
 * attributes, rounding, limits, accounting, access), channel info,
 * messages in both directions through the kernel (ioctls, read(2) and
 * write(2)) and through libkipc's mapped fast path, and mixed; message
 * boundaries, sizes and order; batches; non-blocking calls and deadlines;
 * the peer closing; poll and epoll (also woken by the fast path, and
 * edge-triggered); KIPC_CHAN_IOC_WAIT; mmap rules (one process per end,
 * fork, a process killed in the middle of the user-space protocol); a
 * corrupted ring; signals; multi-process stress; close and exit races.
 *
 * Blocking calls in children always have a deadline or are watched by the
 * parent, so a broken module fails a test instead of hanging the suite.
 * Fast-path handles and raw mappings are tracked and undone before the
 * leak-checking teardown, so a failed assertion reports only itself.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_test_util.h"

#define MS		KT_NSEC_PER_MSEC
#define CHILD_WAIT_NS	(KT_CHILD_TIMEOUT_MS * KT_NSEC_PER_MSEC)
#define HDR		8U

#define POLL_RD		(POLLIN | POLLRDNORM)
#define POLL_WR		(POLLOUT | POLLWRNORM)

/* ---- tracked fast-path handles and raw mappings ------------------------ */

#define CH_MAX_TRACK	16

static struct kipc_ring *ch_handles[CH_MAX_TRACK];
static struct {
	void *addr;
	size_t len;
} ch_maps[CH_MAX_TRACK];

/* A fast-path handle of @fd, undone by the teardown if the test does not. */
static struct kipc_ring *attach(int fd)
{
	struct kipc_ring *h = NULL;
	int i;

	if (kipc_ring_attach(fd, &h))
		return NULL;
	for (i = 0; i < CH_MAX_TRACK; i++)
		if (!ch_handles[i]) {
			ch_handles[i] = h;
			break;
		}
	return h;
}

static void detach(struct kipc_ring *h)
{
	int i;

	for (i = 0; i < CH_MAX_TRACK; i++)
		if (ch_handles[i] == h)
			ch_handles[i] = NULL;
	kipc_ring_detach(h);
}

/* mmap(2) of a channel fd as is: the address, or NULL with errno set. */
static void *map_raw(int fd, size_t len, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);
	int i;

	if (p == MAP_FAILED)
		return NULL;
	for (i = 0; i < CH_MAX_TRACK; i++)
		if (!ch_maps[i].addr) {
			ch_maps[i].addr = p;
			ch_maps[i].len = len;
			break;
		}
	return p;
}

static void unmap(void *p)
{
	int i;

	for (i = 0; i < CH_MAX_TRACK; i++)
		if (ch_maps[i].addr == p) {
			munmap(p, ch_maps[i].len);
			ch_maps[i].addr = NULL;
		}
}

static void ch_untrack_all(void)
{
	int i;

	for (i = 0; i < CH_MAX_TRACK; i++) {
		if (ch_handles[i])
			kipc_ring_detach(ch_handles[i]);
		ch_handles[i] = NULL;
		if (ch_maps[i].addr)
			munmap(ch_maps[i].addr, ch_maps[i].len);
		ch_maps[i].addr = NULL;
	}
}

/* KT_FIXTURE(), plus undoing the handles and mappings a test left. */
FIXTURE(kipc) {
	int unused;
};

FIXTURE_SETUP(kipc)
{
	memset(ch_handles, 0, sizeof(ch_handles));
	memset(ch_maps, 0, sizeof(ch_maps));
	ASSERT_EQ(0, kt_setup());
}

FIXTURE_TEARDOWN(kipc)
{
	char msg[512];
	int ret;

	kt_kill_kids();
	ch_untrack_all();
	ret = kt_teardown(msg, sizeof(msg));
	if (ret)
		TH_LOG("teardown: %s", msg);
	EXPECT_EQ(0, ret);
}

/* ---- helpers ------------------------------------------------------------ */

static uint32_t pg(void)
{
	return (uint32_t)kt_page_size();
}

/* Bytes of a record of a @len-byte message in a ring. */
static uint32_t rec(uint32_t len)
{
	return HDR + ((len + 7) & ~7U);
}

static int pair_attr(int fds[2], uint32_t cap0, uint32_t cap1, uint32_t max0,
		     uint32_t max1, uint32_t fdflags)
{
	struct kipc_channel_attr a;

	memset(&a, 0, sizeof(a));
	a.capacity[0] = cap0;
	a.capacity[1] = cap1;
	a.max_msg[0] = max0;
	a.max_msg[1] = max1;
	return kipc_channel_pair(fds, &a, fdflags);
}

/* Both rings of @cap bytes and @max-byte messages. */
static int pair_small(int fds[2], uint32_t cap, uint32_t max)
{
	return pair_attr(fds, cap, cap, max, max, 0);
}

static int ch_info(int fd, struct kipc_channel_info *in)
{
	return kipc_channel_info(fd, in);
}

static uint32_t ch_used(int fd, int ring)
{
	struct kipc_channel_info in;

	if (ch_info(fd, &in))
		return UINT32_MAX - 1;
	return in.used[ring];
}

static uint32_t ch_state(int fd)
{
	struct kipc_channel_info in;

	if (ch_info(fd, &in))
		return UINT32_MAX;
	return in.state;
}

static uint64_t stats_objects(void)
{
	struct kipc_stats s;

	return kt_stats(&s) ? UINT64_MAX : s.objects;
}

/* KIPC_CHAN_IOC_SENDV or RECVV as is: the count, or -errno. */
static int xfer_raw(int fd, unsigned long cmd, uint32_t flags,
		    const struct kipc_timespec *dl, const void *msgs,
		    uint32_t count)
{
	struct kipc_chan_xfer x;
	int r;

	memset(&x, 0, sizeof(x));
	x.flags = flags;
	if (dl)
		x.deadline = *dl;
	x.count = count;
	x.msgs = (uintptr_t)msgs;
	r = ioctl(fd, cmd, &x);
	return r < 0 ? -errno : r;
}

/* KIPC_CHAN_IOC_WAIT: 0 with *@revents, or -errno. */
static int chwait(int fd, uint32_t flags, const struct kipc_timespec *dl,
		  uint32_t events, uint32_t need, uint32_t wake,
		  uint32_t *revents)
{
	struct kipc_chan_wait w;
	int err;

	memset(&w, 0, sizeof(w));
	w.flags = flags;
	if (dl)
		w.deadline = *dl;
	w.events = events;
	w.need = need;
	w.wake = wake;
	w.revents = 0xdead;
	err = kt_ioctl(fd, KIPC_CHAN_IOC_WAIT, &w);
	if (revents)
		*revents = w.revents;
	return err;
}

/* Payload byte @i of message @seed. */
static uint8_t pat(uint32_t seed, uint32_t i)
{
	uint32_t x = seed * 2654435761U + i * 40503U;

	return (uint8_t)(x ^ (x >> 13) ^ (i >> 8));
}

static void fill(void *buf, uint32_t len, uint32_t seed)
{
	uint8_t *b = buf;
	uint32_t i;

	for (i = 0; i < len; i++)
		b[i] = pat(seed, i);
}

static bool check(const void *buf, uint32_t len, uint32_t seed)
{
	const uint8_t *b = buf;
	uint32_t i;

	for (i = 0; i < len; i++)
		if (b[i] != pat(seed, i))
			return false;
	return true;
}

/* Poll @fd for reading, writing and hang-ups now: revents, or -errno. */
static int poll_now(int fd)
{
	return kt_poll_now(fd, POLL_RD | POLL_WR | POLLRDHUP);
}

/*
 * One end as a test uses it: through the kernel by its fd (h == NULL), or
 * through a fast-path handle.
 */
struct ep {
	int fd;
	struct kipc_ring *h;
};

static int ep_send(struct ep *e, const void *b, size_t len, int64_t t)
{
	return e->h ? kipc_ring_send(e->h, b, len, t) :
		      kipc_channel_send(e->fd, b, len, t);
}

static int ep_recv(struct ep *e, void *b, size_t size, size_t *len, int64_t t)
{
	return e->h ? kipc_ring_recv(e->h, b, size, len, t) :
		      kipc_channel_recv(e->fd, b, size, len, t);
}

static int ep_sendv(struct ep *e, const struct kipc_chan_msg *m,
		    unsigned int n, int64_t t)
{
	return e->h ? kipc_ring_sendv(e->h, m, n, t) :
		      kipc_channel_sendv(e->fd, m, n, t);
}

static int ep_recvv(struct ep *e, struct kipc_chan_msg *m, unsigned int n,
		    int64_t t)
{
	return e->h ? kipc_ring_recvv(e->h, m, n, t) :
		      kipc_channel_recvv(e->fd, m, n, t);
}

/* Send @len bytes of pattern @seed: 0 or -errno. */
static int ep_send_pat(struct ep *e, uint32_t len, uint32_t seed, int64_t t)
{
	static uint8_t buf[1 << 17];

	if (len > sizeof(buf))
		return -E2BIG;
	fill(buf, len, seed);
	return ep_send(e, buf, len, t);
}

/*
 * Receive one message and check it is @len bytes of pattern @seed:
 * 1 if so, 0 at end-of-channel, -errno, or -EBADMSG if it differs.
 */
static int ep_recv_pat(struct ep *e, uint32_t len, uint32_t seed, int64_t t)
{
	static uint8_t buf[(1 << 17) + 16];
	size_t n = SIZE_MAX;
	int r;

	r = ep_recv(e, buf, sizeof(buf), &n, t);
	if (r != 1)
		return r;
	if (n != len || !check(buf, len, seed))
		return -EBADMSG;
	return 1;
}

/* Send @len bytes of pattern @seed now, write(2). */
static int write_pat(int fd, uint32_t len, uint32_t seed)
{
	uint8_t buf[4096];
	ssize_t n;

	if (len > sizeof(buf))
		return -E2BIG;
	fill(buf, len, seed);
	n = write(fd, buf, len);
	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EIO;
}

/* Wait until @pid sleeps, then a little longer (it may still spin). */
static int wait_blocked(pid_t pid)
{
	int err = kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS);

	kt_sleep_ms(30);
	return err;
}

static int wait_thread_blocked(volatile pid_t *tid)
{
	int err = kt_wait_thread_sleeping(tid, KT_CHILD_TIMEOUT_MS);

	kt_sleep_ms(30);
	return err;
}

/* Fill ring @fd -> peer with @len-byte messages until it is full. */
static int fill_ring(int fd, uint32_t len)
{
	uint8_t buf[4096];
	int n = 0, r;

	memset(buf, 0x5a, sizeof(buf));
	while ((r = kipc_channel_send(fd, buf, len, 0)) == 0)
		n++;
	return r == -EAGAIN ? n : r;
}

/* The control page's rings in a mapping. */
static struct kipc_chan_ring *ring_at(void *map, int n)
{
	return (struct kipc_chan_ring *)map + n;
}

#define EXPECT_TIMED(call, err, ns) do {				\
	int64_t t0_ = kt_now_ns(), el_;					\
	int r_ = (call);						\
									\
	el_ = kt_now_ns() - t0_;					\
	EXPECT_EQ(-(err), r_);						\
	EXPECT_LE((int64_t)(ns), el_) TH_LOG("returned early");		\
	EXPECT_GT((int64_t)(ns) + 3000 * MS, el_);			\
} while (0)

/* Create a channel with an attribute struct of @size bytes, as is. */
static int create_chan_raw(const void *a, uint32_t size, uint32_t flags)
{
	struct kipc_create c;

	memset(&c, 0, sizeof(c));
	c.type = KIPC_TYPE_CHANNEL;
	c.flags = flags;
	c.mode = 0600;
	c.attr = (uintptr_t)a;
	c.attr_size = size;
	return kt_create_raw(&c);
}

/* The call must fail with -@err and leave no object, charge or fd. */
#define EXPECT_FAILS_NO_CHANGE(call, err) do {				\
	struct kipc_stats b_, a_;					\
	int low_ = kt_lowest_free_fd();					\
									\
	ASSERT_EQ(0, kt_stats(&b_));					\
	EXPECT_EQ(-(err), (call));					\
	ASSERT_EQ(0, kt_stats(&a_));					\
	EXPECT_EQ(b_.objects, a_.objects);				\
	EXPECT_EQ(b_.named, a_.named);					\
	EXPECT_EQ(b_.uid_objects, a_.uid_objects);			\
	EXPECT_EQ(b_.uid_bytes, a_.uid_bytes);				\
	EXPECT_EQ(low_, kt_lowest_free_fd());				\
} while (0)

#define EXPECT_CREATE_FAILS(a, size, err)				\
	EXPECT_FAILS_NO_CHANGE(create_chan_raw(a, size, 0), err)

/* ---- creation ------------------------------------------------------------ */

TEST_F(kipc, pair_defaults)
{
	struct kipc_channel_info in[2];
	struct kipc_object_info oi[2];
	uint64_t b0 = kt_stats_uid_bytes();
	char path[64], link[64];
	int fds[2], e, d, fl;
	ssize_t n;

	ASSERT_EQ(0, kipc_channel_pair(fds, NULL, 0));
	/* Both rings and the control page are charged. */
	EXPECT_EQ((uint64_t)pg() + 2ULL * KIPC_CHAN_DEFAULT_CAPACITY,
		  kt_stats_uid_bytes() - b0);
	for (e = 0; e < 2; e++) {
		ASSERT_EQ(0, ch_info(fds[e], &in[e]));
		EXPECT_EQ((uint32_t)e, in[e].end);
		for (d = 0; d < 2; d++) {
			EXPECT_EQ(KIPC_CHAN_DEFAULT_CAPACITY, in[e].capacity[d]);
			EXPECT_EQ(KIPC_CHAN_DEFAULT_MAX_MSG, in[e].max_msg[d]);
			EXPECT_EQ(0U, in[e].used[d]);
		}
		EXPECT_EQ((uint32_t)KIPC_CHAN_CONNECTED, in[e].state);
		EXPECT_EQ((uint64_t)pg(), in[e].ring_offset[0]);
		EXPECT_EQ((uint64_t)pg() + 2ULL * KIPC_CHAN_DEFAULT_CAPACITY,
			  in[e].ring_offset[1]);
		EXPECT_EQ((uint64_t)pg() + 4ULL * KIPC_CHAN_DEFAULT_CAPACITY,
			  in[e].map_size);

		ASSERT_EQ(0, kt_obj_info(fds[e], &oi[e], NULL, 0));
		EXPECT_EQ((uint32_t)KIPC_TYPE_CHANNEL, oi[e].type);
		EXPECT_EQ((uint32_t)(KIPC_ACCESS_READ | KIPC_ACCESS_WRITE),
			  oi[e].access);
		EXPECT_EQ(0U, oi[e].state);
		EXPECT_EQ(0600U, oi[e].mode);

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[e]);
		n = readlink(path, link, sizeof(link) - 1);
		ASSERT_LT(0, n);
		link[n] = '\0';
		EXPECT_STREQ("anon_inode:[kipc-channel]", link);
		EXPECT_EQ(FD_CLOEXEC, fcntl(fds[e], F_GETFD) & FD_CLOEXEC);
		fl = fcntl(fds[e], F_GETFL);
		EXPECT_EQ(O_RDWR, fl & O_ACCMODE);
		EXPECT_EQ(0, fl & O_NONBLOCK);
	}
	/* Two files of one object. */
	EXPECT_EQ(oi[0].id, oi[1].id);
	EXPECT_NE(fds[0], fds[1]);
	ASSERT_EQ(0, close(fds[0]));
	ASSERT_EQ(0, close(fds[1]));
	EXPECT_EQ(b0, kt_stats_uid_bytes());
}

TEST_F(kipc, pair_fd_flags)
{
	int fds[2], e;

	ASSERT_EQ(0, kipc_channel_pair(fds, NULL,
				       KIPC_FD_NOCLOEXEC | KIPC_FD_NONBLOCK));
	for (e = 0; e < 2; e++) {
		EXPECT_EQ(0, fcntl(fds[e], F_GETFD) & FD_CLOEXEC);
		EXPECT_EQ(O_NONBLOCK, fcntl(fds[e], F_GETFL) & O_NONBLOCK);
	}
	/* A channel's ends are always opened for reading and writing. */
	EXPECT_FAILS_NO_CHANGE(kipc_channel_pair(fds, NULL, KIPC_FD_RDONLY),
			       EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_channel_pair(fds, NULL, KIPC_FD_WRONLY),
			       EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_channel_pair(fds, NULL, 1U << 20), EINVAL);
}

TEST_F(kipc, create_custom_sizes)
{
	struct kipc_channel_info in;
	uint64_t b0 = kt_stats_uid_bytes();
	struct ep e0, e1;
	int fds[2];

	ASSERT_EQ(0, pair_attr(fds, 4096, 16384, 100, 16376, 0));
	EXPECT_EQ((uint64_t)pg() + 4096 + 16384, kt_stats_uid_bytes() - b0);
	ASSERT_EQ(0, ch_info(fds[1], &in));
	EXPECT_EQ(4096U, in.capacity[0]);
	EXPECT_EQ(16384U, in.capacity[1]);
	EXPECT_EQ(100U, in.max_msg[0]);
	EXPECT_EQ(16376U, in.max_msg[1]);
	EXPECT_EQ((uint64_t)pg(), in.ring_offset[0]);
	EXPECT_EQ((uint64_t)pg() + 2 * 4096, in.ring_offset[1]);
	EXPECT_EQ((uint64_t)pg() + 2 * 4096 + 2 * 16384, in.map_size);

	/* Each direction has its own limit. */
	e0 = (struct ep){ .fd = fds[0] };
	e1 = (struct ep){ .fd = fds[1] };
	EXPECT_EQ(-EMSGSIZE, ep_send_pat(&e0, 101, 1, 0));
	EXPECT_EQ(0, ep_send_pat(&e0, 100, 1, 0));
	EXPECT_EQ(1, ep_recv_pat(&e1, 100, 1, 0));
	EXPECT_EQ(-EMSGSIZE, ep_send_pat(&e1, 16377, 2, 0));
	EXPECT_EQ(0, ep_send_pat(&e1, 16376, 2, 0));
	EXPECT_EQ(16384U, ch_used(fds[0], 1));
	EXPECT_EQ(1, ep_recv_pat(&e0, 16376, 2, 0));
}

TEST_F(kipc, create_capacity_rounding)
{
	static const struct { uint32_t in, out; } t[] = {
		{ 1, 0 }, { 100, 0 }, { 4095, 4096 }, { 4096, 4096 },
		{ 4097, 8192 }, { 5000, 8192 }, { 65535, 65536 },
		{ 65536, 65536 }, { 65537, 131072 }, { 3U << 20, 4U << 20 },
		{ 4U << 20, 4U << 20 },
	};
	struct kipc_channel_info in;
	unsigned int i;
	uint32_t want;
	int fds[2];

	ASSERT_LE(4LL << 20, kt_param_get("max_channel_capacity"));
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		want = t[i].out < pg() ? pg() : t[i].out;
		ASSERT_EQ(0, pair_attr(fds, t[i].in, t[i].in, 0, 0, 0))
			TH_LOG("capacity %u", t[i].in);
		ASSERT_EQ(0, ch_info(fds[0], &in));
		EXPECT_EQ(want, in.capacity[0]) TH_LOG("capacity %u", t[i].in);
		EXPECT_EQ(want, in.capacity[1]);
		/* The default max_msg, or the capacity less 8 if smaller. */
		want = want - HDR < KIPC_CHAN_DEFAULT_MAX_MSG ?
		       want - HDR : KIPC_CHAN_DEFAULT_MAX_MSG;
		EXPECT_EQ(want, in.max_msg[0]) TH_LOG("capacity %u", t[i].in);
		EXPECT_EQ(want, in.max_msg[1]);
		EXPECT_EQ((uint64_t)pg() + 4ULL * in.capacity[0], in.map_size);
		close(fds[0]);
		close(fds[1]);
	}
	/* Only one ring given: the other gets the default. */
	ASSERT_EQ(0, pair_attr(fds, 0, 5000, 0, 0, 0));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	EXPECT_EQ(KIPC_CHAN_DEFAULT_CAPACITY, in.capacity[0]);
	EXPECT_EQ(8192U, in.capacity[1]);
	EXPECT_EQ(8184U, in.max_msg[1]);
}

TEST_F(kipc, create_attr_invalid)
{
	struct kipc_channel_attr a;
	int bit, i;

	for (bit = 0; bit < 32; bit++) {
		memset(&a, 0, sizeof(a));
		a.flags = 1U << bit;
		EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	}
	memset(&a, 0, sizeof(a));
	a.__pad = 1;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	for (i = 0; i < 4; i++) {
		memset(&a, 0, sizeof(a));
		a.reserved[i] = 1ULL << 63;
		EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	}
	/* Sizes and pointers. */
	memset(&a, 0, sizeof(a));
	a.capacity[0] = 4096;
	EXPECT_CREATE_FAILS(&a, KIPC_CHANNEL_ATTR_SIZE_VER0 - 8, EINVAL);
	EXPECT_CREATE_FAILS(&a, 1, EINVAL);
	EXPECT_CREATE_FAILS(NULL, sizeof(a), EINVAL);
	EXPECT_CREATE_FAILS(kt_noaccess_page(), sizeof(a), EFAULT);
}

TEST_F(kipc, create_attr_struct_sizes)
{
	struct {
		struct kipc_channel_attr a;
		uint64_t tail[2];
	} big;
	struct kipc_channel_info in;
	int fd;

	memset(&big, 0, sizeof(big));
	big.a.capacity[0] = 8192;
	big.a.capacity[1] = 4096;
	big.a.max_msg[0] = 77;
	big.tail[1] = 1;
	EXPECT_CREATE_FAILS(&big, sizeof(big), E2BIG);
	big.tail[1] = 0;
	fd = create_chan_raw(&big, sizeof(big), 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ch_info(fd, &in));
	EXPECT_EQ(8192U, in.capacity[0]);
	EXPECT_EQ(4096U, in.capacity[1]);
	EXPECT_EQ(77U, in.max_msg[0]);
	EXPECT_EQ(4088U, in.max_msg[1]);
	/* Not connected yet. */
	EXPECT_EQ(0U, in.state);
	EXPECT_EQ(0U, in.end);
}

TEST_F(kipc, create_capacity_above_max)
{
	struct kipc_channel_attr a;
	int fds[2];

	memset(&a, 0, sizeof(a));
	a.capacity[0] = (uint32_t)kt_param_get("max_channel_capacity") + 1;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.capacity[0] = UINT32_MAX;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.capacity[0] = 1U << 31;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);

	ASSERT_EQ(0, kt_param_set("max_channel_capacity", 65536));
	a.capacity[0] = 65537;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.capacity[0] = 4096;
	a.capacity[1] = 65537;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	ASSERT_EQ(0, pair_attr(fds, 65536, 65536, 0, 0, 0));
	close(fds[0]);
	close(fds[1]);

	/* The limit applies after rounding up to a power of two. */
	ASSERT_EQ(0, kt_param_set("max_channel_capacity", 5000));
	a.capacity[0] = 4097;
	a.capacity[1] = 4096;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	ASSERT_EQ(0, pair_attr(fds, 4096, 4000, 0, 0, 0));
	close(fds[0]);
	close(fds[1]);

	/* The parameter itself: a page to 1 GiB. */
	EXPECT_EQ(-EINVAL, kt_param_set("max_channel_capacity", pg() - 1));
	EXPECT_EQ(-EINVAL, kt_param_set("max_channel_capacity",
					(1ULL << 30) + 1));
	EXPECT_EQ(5000, kt_param_get("max_channel_capacity"));
}

TEST_F(kipc, create_max_msg_limits)
{
	struct kipc_channel_attr a;
	struct kipc_channel_info in;
	int fds[2];

	memset(&a, 0, sizeof(a));
	a.capacity[0] = a.capacity[1] = 4096;
	a.max_msg[0] = 4089;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.max_msg[0] = UINT32_MAX;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.max_msg[0] = 0;
	a.max_msg[1] = 4089;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	/* The default capacity with a max_msg beyond it. */
	memset(&a, 0, sizeof(a));
	a.max_msg[1] = KIPC_CHAN_DEFAULT_CAPACITY - HDR + 1;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	/* Checked against the rounded capacity: 5000 -> 8192. */
	memset(&a, 0, sizeof(a));
	a.capacity[0] = 5000;
	a.max_msg[0] = 8185;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);

	ASSERT_EQ(0, pair_attr(fds, 5000, 4096, 8184, 4088, 0));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	EXPECT_EQ(8184U, in.max_msg[0]);
	EXPECT_EQ(4088U, in.max_msg[1]);
	close(fds[0]);
	close(fds[1]);
	/* max_msg 1, and max_msg larger than the default. */
	ASSERT_EQ(0, pair_attr(fds, 1U << 20, 4096, 1U << 19, 1, 0));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	EXPECT_EQ(1U << 19, in.max_msg[0]);
	EXPECT_EQ(1U, in.max_msg[1]);
	EXPECT_EQ(-EMSGSIZE, kipc_channel_send(fds[1], "ab", 2, 0));
	EXPECT_EQ(0, kipc_channel_send(fds[1], "a", 1, 0));
}

TEST_F(kipc, create_access_flags_einval)
{
	const char *name = kt_name("acc");
	int fd, fd1, fd2;

	EXPECT_FAILS_NO_CHANGE(kipc_channel_create(NULL, 0600, NULL,
						   KIPC_FD_RDONLY), EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_channel_create(NULL, 0600, NULL,
						   KIPC_FD_WRONLY), EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_channel_create(name, 0600, NULL,
						   KIPC_FD_RDONLY), EINVAL);
	EXPECT_EQ(-ENOENT, kipc_channel_connect(name, 0));

	/* A refused connect or reopen does not use up end 1. */
	fd = kipc_channel_create(name, 0600, NULL, 0);
	ASSERT_LE(0, fd);
	EXPECT_FAILS_NO_CHANGE(kipc_channel_connect(name, KIPC_FD_RDONLY),
			       EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_channel_connect(name, KIPC_FD_WRONLY),
			       EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_reopen(fd, KIPC_FD_RDONLY), EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_reopen(fd, KIPC_FD_WRONLY), EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_reopen(fd, KIPC_FD_RDONLY |
					   KIPC_FD_WRONLY), EINVAL);
	EXPECT_FAILS_NO_CHANGE(kipc_reopen(fd, 1U << 9), EINVAL);
	EXPECT_EQ(0U, ch_state(fd));
	fd1 = kipc_channel_connect(name, KIPC_FD_NONBLOCK);
	ASSERT_LE(0, fd1);
	EXPECT_EQ(O_NONBLOCK, fcntl(fd1, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ((uint32_t)KIPC_CHAN_CONNECTED, ch_state(fd));
	fd2 = kipc_channel_connect(name, 0);
	EXPECT_EQ(-EISCONN, fd2);
}

TEST_F(kipc, create_edquot)
{
	struct kipc_channel_attr a;
	uint64_t b0, charge;
	int fds[2], more[2];
	const char *name = kt_name("quota");

	b0 = kt_stats_uid_bytes();
	ASSERT_EQ(0, pair_attr(fds, 4096, 8192, 0, 0, 0));
	charge = kt_stats_uid_bytes() - b0;
	EXPECT_EQ((uint64_t)pg() + 4096 + 8192, charge);
	close(fds[0]);
	close(fds[1]);
	ASSERT_EQ(b0, kt_stats_uid_bytes());

	memset(&a, 0, sizeof(a));
	a.capacity[0] = 4096;
	a.capacity[1] = 8192;
	/* One byte short: EDQUOT, and nothing is created or named. */
	ASSERT_EQ(0, kt_param_set("max_bytes_per_uid", b0 + charge - 1));
	EXPECT_CREATE_FAILS(&a, sizeof(a), EDQUOT);
	EXPECT_FAILS_NO_CHANGE(pair_attr(fds, 4096, 8192, 0, 0, 0), EDQUOT);
	EXPECT_FAILS_NO_CHANGE(kipc_channel_create(name, 0600, &a, 0), EDQUOT);
	EXPECT_EQ(-ENOENT, kipc_channel_connect(name, 0));

	/* Exactly enough. */
	ASSERT_EQ(0, kt_param_set("max_bytes_per_uid", b0 + charge));
	ASSERT_EQ(0, pair_attr(fds, 4096, 8192, 0, 0, 0));
	EXPECT_EQ(b0 + charge, kt_stats_uid_bytes());
	EXPECT_FAILS_NO_CHANGE(pair_attr(more, 1, 1, 0, 0, 0), EDQUOT);
	/* Closing one end keeps the charge; closing both returns it. */
	close(fds[0]);
	EXPECT_EQ(b0 + charge, kt_stats_uid_bytes());
	close(fds[1]);
	ASSERT_EQ(0, pair_attr(more, 1, 1, 0, 0, 0));
}

/* ---- names, connect, reopen ---------------------------------------------- */

TEST_F(kipc, named_create_connect)
{
	const char *name = kt_name("named");
	struct kipc_object_info oi;
	struct kipc_channel_info in;
	struct kipc_channel_attr a;
	char nbuf[64];
	struct ep e0, e1;
	int fd0, fd1, ev;

	memset(&a, 0, sizeof(a));
	a.capacity[0] = 8192;
	a.max_msg[1] = 333;
	fd0 = kipc_channel_create(name, 0600, &a, 0);
	ASSERT_LE(0, fd0);
	EXPECT_EQ(0U, ch_state(fd0));
	EXPECT_EQ(-EEXIST, kipc_channel_create(name, 0600, NULL, 0));
	/* Names are per type. */
	EXPECT_EQ(-ENOENT, kipc_event_open(name, 0));
	ev = kipc_event_create(name, 0600, 0, 0);
	EXPECT_LE(0, ev);
	EXPECT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));

	fd1 = kipc_channel_connect(name, 0);
	ASSERT_LE(0, fd1);
	ASSERT_EQ(0, ch_info(fd1, &in));
	EXPECT_EQ(1U, in.end);
	EXPECT_EQ(8192U, in.capacity[0]);
	EXPECT_EQ(KIPC_CHAN_DEFAULT_CAPACITY, in.capacity[1]);
	EXPECT_EQ(333U, in.max_msg[1]);
	EXPECT_EQ((uint32_t)KIPC_CHAN_CONNECTED, in.state);
	EXPECT_EQ((uint32_t)KIPC_CHAN_CONNECTED, ch_state(fd0));
	ASSERT_EQ(0, kt_obj_info(fd1, &oi, nbuf, sizeof(nbuf)));
	EXPECT_EQ((uint32_t)KIPC_TYPE_CHANNEL, oi.type);
	EXPECT_EQ((uint32_t)(KIPC_INFO_NAMED | KIPC_INFO_LINKED), oi.state);
	EXPECT_EQ(strlen(name), oi.name_len);
	EXPECT_EQ(0, memcmp(nbuf, name, strlen(name)));

	/* End 1 exactly once, whichever way. */
	EXPECT_FAILS_NO_CHANGE(kipc_channel_connect(name, 0), EISCONN);
	EXPECT_FAILS_NO_CHANGE(kipc_reopen(fd0, 0), EISCONN);
	EXPECT_FAILS_NO_CHANGE(kipc_reopen(fd1, 0), EISCONN);

	e0 = (struct ep){ .fd = fd0 };
	e1 = (struct ep){ .fd = fd1 };
	EXPECT_EQ(0, ep_send_pat(&e0, 50, 7, 0));
	EXPECT_EQ(0, ep_send_pat(&e1, 333, 8, 0));
	EXPECT_EQ(1, ep_recv_pat(&e1, 50, 7, 0));
	EXPECT_EQ(1, ep_recv_pat(&e0, 333, 8, 0));

	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_CHANNEL, name));
	EXPECT_EQ(-ENOENT, kipc_channel_connect(name, 0));
	EXPECT_EQ(-ENOENT, kipc_unlink(KIPC_TYPE_CHANNEL, name));
}

/* A name keeps its channel, and so the charge, after both ends closed. */
TEST_F(kipc, named_charge_held_by_name)
{
	const char *name = kt_name("charge");
	uint64_t b0 = kt_stats_uid_bytes();
	struct kipc_channel_attr a;
	int fd0, fd1;

	memset(&a, 0, sizeof(a));
	a.capacity[0] = a.capacity[1] = 4096;
	fd0 = kipc_channel_create(name, 0600, &a, 0);
	ASSERT_LE(0, fd0);
	EXPECT_EQ((uint64_t)pg() + 8192, kt_stats_uid_bytes() - b0);
	fd1 = kipc_channel_connect(name, 0);
	ASSERT_LE(0, fd1);
	ASSERT_EQ(0, kipc_channel_send(fd1, "kept", 4, 0));
	ASSERT_EQ(0, close(fd0));
	ASSERT_EQ(0, close(fd1));
	EXPECT_EQ((uint64_t)pg() + 8192, kt_stats_uid_bytes() - b0);
	/* Both ends have been opened and closed: nothing more to connect. */
	EXPECT_EQ(-EISCONN, kipc_channel_connect(name, 0));
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_CHANNEL, name));
	EXPECT_EQ(b0, kt_stats_uid_bytes());
}

TEST_F(kipc, connect_missing_enoent)
{
	const char *name = kt_name("missing");
	int q;

	EXPECT_FAILS_NO_CHANGE(kipc_channel_connect(name, 0), ENOENT);
	/* A queue of that name is not a channel. */
	q = kipc_queue_create(name, 0600, 1, 8, 0);
	ASSERT_LE(0, q);
	EXPECT_FAILS_NO_CHANGE(kipc_channel_connect(name, 0), ENOENT);
	EXPECT_EQ(0, kipc_unlink(KIPC_TYPE_QUEUE, name));
}

TEST_F(kipc, anon_create_then_reopen)
{
	struct kipc_channel_info in;
	struct ep e0, e1;
	int fd0, fd1;

	fd0 = kipc_channel_create(NULL, 0600, NULL, 0);
	ASSERT_LE(0, fd0);
	ASSERT_EQ(0, ch_info(fd0, &in));
	EXPECT_EQ(0U, in.end);
	EXPECT_EQ(0U, in.state);
	/* Messages wait in the ring for end 1 to be opened. */
	e0 = (struct ep){ .fd = fd0 };
	EXPECT_EQ(0, ep_send_pat(&e0, 10, 1, 0));
	EXPECT_EQ(0, ep_send_pat(&e0, 0, 2, 0));
	EXPECT_EQ(-EAGAIN, ep_recv_pat(&e0, 0, 0, 0));
	EXPECT_EQ(0, poll_now(fd0) & (POLLHUP | POLLIN));
	fd1 = kipc_reopen(fd0, KIPC_FD_NONBLOCK);
	ASSERT_LE(0, fd1);
	EXPECT_EQ(O_NONBLOCK, fcntl(fd1, F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(0, ch_info(fd1, &in));
	EXPECT_EQ(1U, in.end);
	EXPECT_EQ((uint32_t)KIPC_CHAN_CONNECTED, in.state);
	EXPECT_EQ(rec(10) + rec(0), in.used[0]);
	e1 = (struct ep){ .fd = fd1 };
	EXPECT_EQ(1, ep_recv_pat(&e1, 10, 1, 0));
	EXPECT_EQ(1, ep_recv_pat(&e1, 0, 2, 0));
	EXPECT_EQ(-EISCONN, kipc_reopen(fd0, 0));
	EXPECT_EQ(-EISCONN, kipc_reopen(fd1, 0));
}

/* A closed end 0 of a named channel can still be connected to and drained. */
TEST_F(kipc, connect_after_creator_closed)
{
	const char *name = kt_name("late");
	struct ep e1;
	size_t len = 99;
	char buf[8];
	int fd0, fd1;

	fd0 = kipc_channel_create(name, 0600, NULL, 0);
	ASSERT_LE(0, fd0);
	ASSERT_EQ(0, kipc_channel_send(fd0, "one", 3, 0));
	ASSERT_EQ(0, kipc_channel_send(fd0, "", 0, 0));
	ASSERT_EQ(0, close(fd0));
	fd1 = kipc_channel_connect(name, 0);
	ASSERT_LE(0, fd1);
	EXPECT_EQ((uint32_t)(KIPC_CHAN_CONNECTED | KIPC_CHAN_PEER_CLOSED),
		  ch_state(fd1));
	EXPECT_EQ(-EPIPE, kipc_channel_send(fd1, "x", 1, 0));
	e1 = (struct ep){ .fd = fd1 };
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_CHANNEL, name));
	EXPECT_EQ(1, kipc_channel_recv(fd1, buf, sizeof(buf), &len, 0));
	EXPECT_EQ(3U, len);
	EXPECT_EQ(0, memcmp(buf, "one", 3));
	EXPECT_EQ(1, kipc_channel_recv(fd1, buf, sizeof(buf), &len, 0));
	EXPECT_EQ(0U, len);
	EXPECT_EQ(0, kipc_channel_recv(fd1, buf, sizeof(buf), &len,
				       KIPC_INFINITE));
	EXPECT_EQ(0, ep_recv_pat(&e1, 0, 0, 0));
}

TEST_F(kipc, connect_mode_checked_eacces)
{
	const char *n600 = kt_name("m600"), *n644 = kt_name("m644");
	const char *n666 = kt_name("m666"), *n606 = kt_name("m606");
	int f600, f644, f666, f606, late, st;
	char buf[16];
	size_t len = 0;
	pid_t pid;

	f600 = kipc_channel_create(n600, 0600, NULL, 0);
	f644 = kipc_channel_create(n644, 0644, NULL, 0);
	f666 = kipc_channel_create(n666, 0666, NULL, 0);
	f606 = kipc_channel_create(n606, 0606, NULL, 0);
	ASSERT_LE(0, f600);
	ASSERT_LE(0, f644);
	ASSERT_LE(0, f666);
	ASSERT_LE(0, f606);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		if (kt_become(65534, 65534))
			_exit(1);
		if (kipc_channel_connect(n600, 0) != -EACCES)
			_exit(2);
		if (kipc_channel_connect(n644, 0) != -EACCES)
			_exit(3);
		/* Asking for less access is no way around it. */
		fd = kipc_channel_connect(n644, KIPC_FD_RDONLY);
		if (fd != -EINVAL && fd != -EACCES)
			_exit(4);
		fd = kipc_channel_connect(n666, 0);
		if (fd < 0)
			_exit(5);
		if (kipc_channel_send(fd, "nobody", 6, 0))
			_exit(6);
		fd = kipc_channel_connect(n606, 0);
		if (fd < 0)
			_exit(7);
		_exit(0);
	}
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	/* The refused connects did not use end 1 up. */
	late = kipc_channel_connect(n600, 0);
	EXPECT_LE(0, late);
	late = kipc_channel_connect(n644, 0);
	EXPECT_LE(0, late);
	EXPECT_EQ(-EISCONN, kipc_channel_connect(n666, 0));
	EXPECT_EQ(1, kipc_channel_recv(f666, buf, sizeof(buf), &len, 0));
	EXPECT_EQ(6U, len);
	/* The child exited: its end is closed. */
	EXPECT_EQ(0, kipc_channel_recv(f666, buf, sizeof(buf), &len, 0));
	EXPECT_EQ((uint32_t)(KIPC_CHAN_CONNECTED | KIPC_CHAN_PEER_CLOSED),
		  ch_state(f606));
}

/*
 * A connect or reopen that fails because its fd cannot be written back
 * (the struct is read-only) must change nothing: end 1 stays free, and
 * end 0 does not see a peer that connected and closed.
 */
TEST_F(kipc, connect_readonly_struct_changes_nothing)
{
	const char *name = kt_name("rostruct");
	struct kipc_open o;
	void *ro;
	int fd0, fd1, low;

	fd0 = kipc_channel_create(name, 0600, NULL, 0);
	ASSERT_LE(0, fd0);
	memset(&o, 0, sizeof(o));
	o.type = KIPC_TYPE_CHANNEL;
	o.name = (uintptr_t)name;
	o.name_len = strlen(name);
	ro = kt_readonly_copy(&o, sizeof(o));
	ASSERT_NE(NULL, ro);
	low = kt_lowest_free_fd();
	EXPECT_EQ(-EFAULT, kt_dev_ioctl(KIPC_IOC_OPEN, ro));
	EXPECT_EQ(low, kt_lowest_free_fd());
	EXPECT_EQ(0U, ch_state(fd0))
		TH_LOG("the failed connect left end 1 connected/closed");
	EXPECT_EQ(0, kipc_channel_send(fd0, "x", 1, 0));
	fd1 = kipc_channel_connect(name, 0);
	EXPECT_LE(0, fd1) TH_LOG("connect after the failed one: %d", fd1);
	munmap(ro, kt_page_size());
}

TEST_F(kipc, reopen_readonly_struct_changes_nothing)
{
	struct kipc_reopen r;
	void *ro;
	int fd0, fd1, low;

	fd0 = kipc_channel_create(NULL, 0600, NULL, 0);
	ASSERT_LE(0, fd0);
	memset(&r, 0, sizeof(r));
	ro = kt_readonly_copy(&r, sizeof(r));
	ASSERT_NE(NULL, ro);
	low = kt_lowest_free_fd();
	EXPECT_EQ(-EFAULT, kt_ioctl(fd0, KIPC_IOC_REOPEN, ro));
	EXPECT_EQ(low, kt_lowest_free_fd());
	EXPECT_EQ(0U, ch_state(fd0))
		TH_LOG("the failed reopen left end 1 connected/closed");
	EXPECT_EQ(0, kipc_channel_send(fd0, "x", 1, 0));
	fd1 = kipc_reopen(fd0, 0);
	EXPECT_LE(0, fd1) TH_LOG("reopen after the failed one: %d", fd1);
	munmap(ro, kt_page_size());
}

TEST_F(kipc, reopen_invalid_args)
{
	struct kipc_reopen r;
	int fd0;

	fd0 = kipc_channel_create(NULL, 0600, NULL, 0);
	ASSERT_LE(0, fd0);
	memset(&r, 0, sizeof(r));
	r.reserved[1] = 1;
	EXPECT_FAILS_NO_CHANGE(kt_ioctl(fd0, KIPC_IOC_REOPEN, &r), EINVAL);
	EXPECT_FAILS_NO_CHANGE(kt_ioctl(fd0, KIPC_IOC_REOPEN,
					kt_noaccess_page()), EFAULT);
	EXPECT_EQ(0U, ch_state(fd0));
	EXPECT_LE(0, kipc_reopen(fd0, 0));
}

TEST_F(kipc, unlink_while_connected)
{
	const char *name = kt_name("unl");
	struct kipc_object_info oi;
	struct ep e0, e1;
	int fd0, fd1, again, again1;

	fd0 = kipc_channel_create(name, 0600, NULL, 0);
	ASSERT_LE(0, fd0);
	fd1 = kipc_channel_connect(name, 0);
	ASSERT_LE(0, fd1);
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_CHANNEL, name));
	ASSERT_EQ(0, kt_obj_info(fd0, &oi, NULL, 0));
	EXPECT_EQ((uint32_t)KIPC_INFO_NAMED, oi.state);
	EXPECT_EQ(-ENOENT, kipc_channel_connect(name, 0));
	e0 = (struct ep){ .fd = fd0 };
	e1 = (struct ep){ .fd = fd1 };
	EXPECT_EQ(0, ep_send_pat(&e0, 40, 1, 0));
	EXPECT_EQ(1, ep_recv_pat(&e1, 40, 1, 0));
	EXPECT_EQ(0, ep_send_pat(&e1, 41, 2, 0));
	EXPECT_EQ(1, ep_recv_pat(&e0, 41, 2, 0));
	/* The name is free for a new channel, which is another one. */
	again = kipc_channel_create(name, 0600, NULL, 0);
	ASSERT_LE(0, again);
	again1 = kipc_channel_connect(name, 0);
	ASSERT_LE(0, again1);
	EXPECT_EQ(-EAGAIN, ep_recv_pat(&e1, 0, 0, 0));
	EXPECT_EQ(0, kipc_channel_send(again, "n", 1, 0));
	EXPECT_EQ(-EAGAIN, ep_recv_pat(&e1, 0, 0, 0));
	close(fd0);
	EXPECT_EQ(0, ep_recv_pat(&e1, 0, 0, 0));
	EXPECT_EQ((uint32_t)KIPC_CHAN_CONNECTED, ch_state(again1));
	EXPECT_EQ(0, kipc_unlink(KIPC_TYPE_CHANNEL, name));
}

/* ---- info ---------------------------------------------------------------- */

TEST_F(kipc, info_used_and_state)
{
	struct kipc_channel_info in;
	int fds[2];

	ASSERT_EQ(0, pair_attr(fds, 4096, 8192, 0, 0, 0));
	ASSERT_EQ(0, kipc_channel_send(fds[0], "abc", 3, 0));
	ASSERT_EQ(0, kipc_channel_send(fds[0], "", 0, 0));
	ASSERT_EQ(0, kipc_channel_send(fds[1], "12345678", 8, 0));
	ASSERT_EQ(0, kipc_channel_send(fds[1], "123456789", 9, 0));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	EXPECT_EQ(rec(3) + rec(0), in.used[0]);
	EXPECT_EQ(16U + 24U, in.used[1]);
	ASSERT_EQ(0, ch_info(fds[1], &in));
	EXPECT_EQ(16U + 8U, in.used[0]);
	EXPECT_EQ(40U, in.used[1]);
	EXPECT_EQ((uint32_t)KIPC_CHAN_CONNECTED, in.state);
	ASSERT_EQ(0, close(fds[0]));
	ASSERT_EQ(0, ch_info(fds[1], &in));
	EXPECT_EQ((uint32_t)(KIPC_CHAN_CONNECTED | KIPC_CHAN_PEER_CLOSED),
		  in.state);
	/* What was queued stays counted. */
	EXPECT_EQ(24U, in.used[0]);
	EXPECT_EQ(40U, in.used[1]);
	EXPECT_EQ(1U, in.end);
}

TEST_F(kipc, info_invalid_input)
{
	struct kipc_channel_info in;
	struct {
		struct kipc_channel_info in;
		uint64_t tail[2];
	} big;
	struct kipc_ring *h = NULL;
	int fds[2], i, q;

	ASSERT_EQ(0, kipc_channel_pair(fds, NULL, 0));
	memset(&in, 0, sizeof(in));
	in.flags = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_CHAN_IOC_INFO, &in));
	memset(&in, 0, sizeof(in));
	in.__pad = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_CHAN_IOC_INFO, &in));
	for (i = 0; i < 4; i++) {
		memset(&in, 0, sizeof(in));
		in.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_CHAN_IOC_INFO, &in));
	}
	EXPECT_EQ(-EFAULT, kt_ioctl(fds[0], KIPC_CHAN_IOC_INFO,
				    kt_noaccess_page()));
	memset(&in, 0, sizeof(in));
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KT_IOC_RESIZE(KIPC_CHAN_IOC_INFO,
				    KIPC_CHANNEL_INFO_SIZE_VER0 - 8), &in));
	memset(&big, 0, sizeof(big));
	big.tail[0] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(fds[1], KT_IOC_RESIZE(KIPC_CHAN_IOC_INFO,
				   sizeof(big)), &big));
	big.tail[0] = 0;
	EXPECT_EQ(0, kt_ioctl(fds[1], KT_IOC_RESIZE(KIPC_CHAN_IOC_INFO,
			      sizeof(big)), &big));
	EXPECT_EQ(1U, big.in.end);
	EXPECT_EQ(KIPC_CHAN_DEFAULT_CAPACITY, big.in.capacity[1]);

	/* Channel ioctls are for channels. */
	q = kipc_queue_create(NULL, 0600, 1, 8, 0);
	ASSERT_LE(0, q);
	memset(&in, 0, sizeof(in));
	EXPECT_EQ(-ENOTTY, kt_ioctl(q, KIPC_CHAN_IOC_INFO, &in));
	EXPECT_EQ(-ENOTTY, xfer_raw(q, KIPC_CHAN_IOC_SENDV, 0, NULL, &in, 1));
	EXPECT_EQ(-ENOTTY, chwait(q, 0, NULL, 0, 0, 0, NULL));
	EXPECT_EQ(-ENOTTY, kipc_queue_send(fds[0], "x", 1, 0, 0));
	EXPECT_EQ(-ENOTTY, kipc_ring_attach(q, &h));
}

TEST_F(kipc, fdinfo_lines)
{
	struct kipc_ring *h;
	char buf[2048];
	int fds[2];

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	ASSERT_EQ(0, kipc_channel_send(fds[0], "abc", 3, 0));
	h = attach(fds[1]);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, kt_read_fdinfo(fds[1], buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "kipc-type:\tchannel");
	KT_EXPECT_LINE(buf, "channel-ring0:\tcapacity 4096 max-msg 100 used 16");
	KT_EXPECT_LINE(buf, "channel-end0:\topen files 1 mapped 0");
	KT_EXPECT_LINE(buf, "channel-end1:\topen files 1 mapped 1");
	detach(h);
}

/* ---- messages -------------------------------------------------------------- */

/*
 * Both directions between @fast0 and @fast1 ends (fast path or kernel):
 * boundaries, zero-length and max_msg-size messages, order, EMSGSIZE on
 * both sides, EAGAIN when empty.
 */
static void check_basic(struct __test_metadata *_metadata, bool fast0,
			bool fast1)
{
	static const uint32_t sizes[] = { 5, 0, 1, 7, 8, 9, 1000, 0, 333, 16 };
	const unsigned int ns = sizeof(sizes) / sizeof(sizes[0]);
	struct ep e[2];
	uint8_t buf[1100];
	uint32_t used, i;
	size_t len;
	int fds[2], dir;

	ASSERT_EQ(0, pair_small(fds, 8192, 1000));
	for (dir = 0; dir < 2; dir++) {
		e[dir].fd = fds[dir];
		e[dir].h = NULL;
		if (dir ? fast1 : fast0) {
			e[dir].h = attach(fds[dir]);
			ASSERT_NE(NULL, e[dir].h);
			EXPECT_EQ(fds[dir], kipc_ring_fd(e[dir].h));
		}
	}
	for (dir = 0; dir < 2; dir++) {
		struct ep *s = &e[dir], *r = &e[1 - dir];

		EXPECT_EQ(-EAGAIN, ep_recv(r, buf, sizeof(buf), &len, 0));
		used = 0;
		for (i = 0; i < ns; i++) {
			ASSERT_EQ(0, ep_send_pat(s, sizes[i], dir * 100 + i, 0));
			used += rec(sizes[i]);
		}
		EXPECT_EQ(used, ch_used(fds[0], dir));
		EXPECT_EQ(0U, ch_used(fds[0], 1 - dir));
		for (i = 0; i < ns; i++)
			EXPECT_EQ(1, ep_recv_pat(r, sizes[i], dir * 100 + i, 0))
				TH_LOG("dir %d message %u", dir, i);
		EXPECT_EQ(0U, ch_used(fds[1], dir));
		EXPECT_EQ(-EAGAIN, ep_recv(r, buf, sizeof(buf), &len, 0));

		/* Too large to send. */
		EXPECT_EQ(-EMSGSIZE, ep_send_pat(s, 1001, 1, 0));
		EXPECT_EQ(-EMSGSIZE, ep_send_pat(s, 1001, 1, KIPC_INFINITE));
		EXPECT_EQ(0U, ch_used(fds[0], dir));

		/* Too large to receive: reported, kept, received later. */
		ASSERT_EQ(0, ep_send_pat(s, 100, 55, 0));
		ASSERT_EQ(0, ep_send_pat(s, 3, 56, 0));
		len = 0;
		EXPECT_EQ(-EMSGSIZE, ep_recv(r, buf, 99, &len, 0));
		EXPECT_EQ(100U, len);
		len = 0;
		EXPECT_EQ(-EMSGSIZE, ep_recv(r, buf, 0, &len, KIPC_INFINITE));
		EXPECT_EQ(100U, len);
		EXPECT_EQ(rec(100) + rec(3), ch_used(fds[0], dir));
		len = 0;
		EXPECT_EQ(1, ep_recv(r, buf, 100, &len, 0));
		EXPECT_EQ(100U, len);
		EXPECT_TRUE(check(buf, 100, 55));
		EXPECT_EQ(1, ep_recv_pat(r, 3, 56, 0));

		/* A zero-length message fits a zero-size buffer. */
		ASSERT_EQ(0, ep_send(s, NULL, 0, 0));
		len = 99;
		EXPECT_EQ(1, ep_recv(r, NULL, 0, &len, 0));
		EXPECT_EQ(0U, len);
	}
	for (dir = 0; dir < 2; dir++)
		if (e[dir].h)
			detach(e[dir].h);
}

TEST_F(kipc, messages_kernel_to_kernel)
{
	check_basic(_metadata, false, false);
}

TEST_F(kipc, messages_fast_to_fast)
{
	check_basic(_metadata, true, true);
}

TEST_F(kipc, messages_fast_and_kernel)
{
	check_basic(_metadata, true, false);
}

TEST_F(kipc, messages_kernel_and_fast)
{
	check_basic(_metadata, false, true);
}

/* A max_msg of capacity - 8 fills the ring with one message. */
TEST_F(kipc, max_msg_fills_ring)
{
	struct ep e[2];
	int fds[2], fast, k;

	ASSERT_EQ(0, pair_small(fds, 4096, 4088));
	for (fast = 0; fast < 4; fast++) {
		for (k = 0; k < 2; k++) {
			e[k].fd = fds[k];
			e[k].h = (fast >> k) & 1 ? attach(fds[k]) : NULL;
		}
		ASSERT_EQ(0, ep_send_pat(&e[0], 4088, fast, 0));
		EXPECT_EQ(4096U, ch_used(fds[1], 0));
		EXPECT_EQ(-EAGAIN, ep_send(&e[0], NULL, 0, 0));
		EXPECT_EQ(0, poll_now(fds[0]) & POLLOUT);
		EXPECT_EQ(POLLIN, poll_now(fds[1]) & POLLIN);
		EXPECT_EQ(1, ep_recv_pat(&e[1], 4088, fast, 0));
		EXPECT_EQ(0U, ch_used(fds[1], 0));
		/* And again, now starting in the middle of the ring. */
		ASSERT_EQ(0, ep_send_pat(&e[0], 100, fast + 10, 0));
		ASSERT_EQ(0, ep_send_pat(&e[0], 100, fast + 10, 0));
		EXPECT_EQ(1, ep_recv_pat(&e[1], 100, fast + 10, 0));
		EXPECT_EQ(1, ep_recv_pat(&e[1], 100, fast + 10, 0));
		ASSERT_EQ(0, ep_send_pat(&e[0], 4088, fast + 20, 0));
		EXPECT_EQ(-EAGAIN, ep_send(&e[0], NULL, 0, 0));
		EXPECT_EQ(1, ep_recv_pat(&e[1], 4088, fast + 20, 0));
		for (k = 0; k < 2; k++)
			if (e[k].h)
				detach(e[k].h);
	}
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245U + 12345U;
	return *s >> 8;
}

/* Length of message @seq in the order tests. */
static uint32_t seq_len(uint32_t seq, uint32_t max)
{
	uint32_t h = seq * 2654435761U;

	h ^= h >> 15;
	if (h % 23 == 0)
		return max;
	if (h % 7 == 0)
		return 0;
	return h % (max + 1);
}

/*
 * Thousands of messages through a small ring, the indices wrapping around
 * it many times, each operation through the kernel or the fast path at
 * random, on each end.
 */
TEST_F(kipc, order_wraparound_mixed_paths)
{
	struct kipc_ring *h[2];
	struct ep k[2], f[2];
	uint32_t sent = 0, got = 0, s = 12345, n, i;
	const uint32_t total = 3000, max = 1500;
	int fds[2], r;

	ASSERT_EQ(0, pair_small(fds, 4096, max));
	h[0] = attach(fds[0]);
	h[1] = attach(fds[1]);
	ASSERT_NE(NULL, h[0]);
	ASSERT_NE(NULL, h[1]);
	for (i = 0; i < 2; i++) {
		k[i] = (struct ep){ .fd = fds[i] };
		f[i] = (struct ep){ .fd = fds[i], .h = h[i] };
	}
	while (got < total) {
		n = 1 + lcg(&s) % 4;
		while (n-- && sent < total) {
			r = ep_send_pat(lcg(&s) & 1 ? &f[0] : &k[0],
					seq_len(sent, max), sent, 0);
			if (r == -EAGAIN)
				break;
			ASSERT_EQ(0, r) TH_LOG("send %u", sent);
			sent++;
		}
		n = 1 + lcg(&s) % 4;
		while (n-- && got < sent) {
			r = ep_recv_pat(lcg(&s) & 1 ? &f[1] : &k[1],
					seq_len(got, max), got, 0);
			ASSERT_EQ(1, r) TH_LOG("receive %u", got);
			got++;
		}
	}
	EXPECT_EQ(-EAGAIN, ep_recv_pat(&f[1], 0, 0, 0));
	EXPECT_EQ(-EAGAIN, ep_recv_pat(&k[1], 0, 0, 0));
	detach(h[0]);
	detach(h[1]);
}

/* ---- batches ----------------------------------------------------------------- */

static uint8_t bbuf[16][1100];

static void msgs_init(struct kipc_chan_msg *m, unsigned int n, uint32_t len,
		      uint32_t seed)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		fill(bbuf[i % 16], len, seed + i);
		m[i].buf = (uintptr_t)bbuf[i % 16];
		m[i].len = len;
		m[i].flags = 0;
	}
}

static void check_batches(struct __test_metadata *_metadata, bool fast)
{
	static uint8_t rbuf[16][1100];
	struct kipc_chan_msg m[16];
	struct ep s, r;
	int fds[2], i;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	s = (struct ep){ .fd = fds[0], .h = fast ? attach(fds[0]) : NULL };
	r = (struct ep){ .fd = fds[1], .h = fast ? attach(fds[1]) : NULL };

	/* 4 of 10 records of 1008 bytes fit 4096. */
	msgs_init(m, 10, 1000, 100);
	EXPECT_EQ(4, ep_sendv(&s, m, 10, 0));
	EXPECT_EQ(4U * 1008U, ch_used(fds[0], 0));
	EXPECT_EQ(-EAGAIN, ep_sendv(&s, m + 4, 6, 0));
	for (i = 0; i < 10; i++) {
		m[i].buf = (uintptr_t)rbuf[i];
		m[i].len = 1100;
	}
	/* Fewer than asked. */
	EXPECT_EQ(4, ep_recvv(&r, m, 10, 0));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(1000U, m[i].len);
		EXPECT_TRUE(check(rbuf[i], 1000, 100 + i));
	}
	EXPECT_EQ(1100U, m[4].len);
	EXPECT_EQ(-EAGAIN, ep_recvv(&r, m, 10, 0));

	/* EMSGSIZE of a later message ends the batch; of the first fails. */
	msgs_init(m, 3, 10, 200);
	m[1].len = 1001;
	EXPECT_EQ(1, ep_sendv(&s, m, 3, 0));
	EXPECT_EQ(-EMSGSIZE, ep_sendv(&s, m + 1, 2, 0));
	EXPECT_EQ(1, ep_sendv(&s, m + 2, 1, 0));
	for (i = 0; i < 3; i++) {
		m[i].buf = (uintptr_t)rbuf[i];
		m[i].len = 1000;
	}
	EXPECT_EQ(2, ep_recvv(&r, m, 3, 0));
	EXPECT_TRUE(check(rbuf[0], 10, 200));
	EXPECT_TRUE(check(rbuf[1], 10, 202));

	/* A buffer too small: the batch ends there, its length reported. */
	msgs_init(m, 3, 500, 300);
	m[0].len = 10;
	m[2].len = 20;
	EXPECT_EQ(3, ep_sendv(&s, m, 3, 0));
	for (i = 0; i < 3; i++) {
		m[i].buf = (uintptr_t)rbuf[i];
		m[i].len = 100;
	}
	EXPECT_EQ(1, ep_recvv(&r, m, 3, 0));
	EXPECT_EQ(10U, m[0].len);
	EXPECT_EQ(500U, m[1].len);
	EXPECT_EQ(100U, m[2].len);
	m[0].len = 499;
	EXPECT_EQ(-EMSGSIZE, ep_recvv(&r, m, 3, 0));
	EXPECT_EQ(500U, m[0].len);
	m[0].len = 500;
	m[1].len = 100;
	EXPECT_EQ(2, ep_recvv(&r, m, 3, KIPC_INFINITE));
	EXPECT_EQ(500U, m[0].len);
	EXPECT_EQ(20U, m[1].len);
	EXPECT_TRUE(check(rbuf[0], 500, 301));
	EXPECT_TRUE(check(rbuf[1], 20, 302));
	EXPECT_EQ(0U, ch_used(fds[0], 0));

	/* Zero messages. */
	EXPECT_EQ(-EINVAL, ep_sendv(&s, m, 0, 0));
	EXPECT_EQ(-EINVAL, ep_recvv(&r, m, 0, 0));
	if (s.h)
		detach(s.h);
	if (r.h)
		detach(r.h);
}

TEST_F(kipc, batches_kernel)
{
	check_batches(_metadata, false);
}

TEST_F(kipc, batches_fast)
{
	check_batches(_metadata, true);
}

TEST_F(kipc, batch_count_limits)
{
	static struct kipc_chan_msg m[2048];
	struct kipc_ring *h0, *h1;
	int fds[2], i;

	ASSERT_EQ(0, pair_small(fds, 32768, 100));
	for (i = 0; i < 2048; i++)
		m[i] = (struct kipc_chan_msg){ .buf = 0, .len = 0 };
	EXPECT_EQ(-EINVAL, xfer_raw(fds[0], KIPC_CHAN_IOC_SENDV, 0, NULL, m, 0));
	EXPECT_EQ(-EINVAL, xfer_raw(fds[0], KIPC_CHAN_IOC_SENDV, 0, NULL, m,
				    KIPC_CHAN_MAX_BATCH + 1));
	EXPECT_EQ(-EINVAL, xfer_raw(fds[0], KIPC_CHAN_IOC_SENDV, 0, NULL, m,
				    UINT32_MAX));
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	EXPECT_EQ(KIPC_CHAN_MAX_BATCH,
		  xfer_raw(fds[0], KIPC_CHAN_IOC_SENDV, 0, NULL, m,
			   KIPC_CHAN_MAX_BATCH));
	EXPECT_EQ(KIPC_CHAN_MAX_BATCH * HDR, ch_used(fds[0], 0));
	EXPECT_EQ(-EINVAL, xfer_raw(fds[1], KIPC_CHAN_IOC_RECVV, 0, NULL, m, 0));
	EXPECT_EQ(-EINVAL, xfer_raw(fds[1], KIPC_CHAN_IOC_RECVV, 0, NULL, m,
				    KIPC_CHAN_MAX_BATCH + 1));
	EXPECT_EQ(KIPC_CHAN_MAX_BATCH,
		  xfer_raw(fds[1], KIPC_CHAN_IOC_RECVV, 0, NULL, m,
			   KIPC_CHAN_MAX_BATCH));
	EXPECT_EQ(0U, ch_used(fds[0], 0));

	/* libkipc's fd functions pass the count on. */
	EXPECT_EQ(-EINVAL, kipc_channel_sendv(fds[0], m, 0, 0));
	EXPECT_EQ(-EINVAL, kipc_channel_sendv(fds[0], m, 1025, 0));
	EXPECT_EQ(-EINVAL, kipc_channel_recvv(fds[1], m, 1025, 0));

	/* The fast path takes any number. */
	h0 = attach(fds[0]);
	h1 = attach(fds[1]);
	ASSERT_NE(NULL, h0);
	ASSERT_NE(NULL, h1);
	EXPECT_EQ(2000, kipc_ring_sendv(h0, m, 2000, 0));
	EXPECT_EQ(2000U * HDR, ch_used(fds[0], 0));
	EXPECT_EQ(2000, kipc_ring_recvv(h1, m, 2048, 0));
	EXPECT_EQ(-EINVAL, kipc_ring_sendv(h0, m, 0, 0));
	EXPECT_EQ(-EINVAL, kipc_ring_recvv(h1, m, 0, 0));
	detach(h0);
	detach(h1);
}

TEST_F(kipc, batch_bad_pointers)
{
	struct kipc_chan_msg m[3], *ro;
	char *bad = kt_guard_boundary();
	char buf[64];
	size_t len;
	int fds[2], r;

	ASSERT_NE(NULL, bad);
	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	/* The array itself. */
	EXPECT_EQ(-EFAULT, xfer_raw(fds[0], KIPC_CHAN_IOC_SENDV, 0, NULL, bad, 1));
	/* A readable first entry, an unreadable second: the batch ends. */
	memset(bad - 16, 0, 16);
	EXPECT_EQ(1, xfer_raw(fds[0], KIPC_CHAN_IOC_SENDV, 0, NULL,
			      bad - 16, 2));
	EXPECT_EQ(rec(0), ch_used(fds[0], 0));
	EXPECT_EQ(1, kipc_channel_recv(fds[1], NULL, 0, NULL, 0));
	r = xfer_raw(fds[0], KIPC_CHAN_IOC_SENDV, 0, NULL, NULL, 1);
	EXPECT_TRUE(r == -EFAULT || r == -EINVAL) TH_LOG("NULL msgs: %d", r);
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	/* A payload: nothing of that message is sent. */
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)bad, .len = 10 };
	EXPECT_EQ(-EFAULT, kipc_channel_sendv(fds[0], m, 1, 0));
	EXPECT_EQ(-EFAULT, kipc_channel_send(fds[0], bad - 4, 8, 0));
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)"ok", .len = 2 };
	m[1] = (struct kipc_chan_msg){ .buf = (uintptr_t)bad, .len = 1 };
	m[2] = (struct kipc_chan_msg){ .buf = (uintptr_t)"no", .len = 2 };
	EXPECT_EQ(1, kipc_channel_sendv(fds[0], m, 3, 0));
	EXPECT_EQ(rec(2), ch_used(fds[0], 0));

	/* Receiving into a bad buffer or array keeps the message. */
	EXPECT_EQ(-EFAULT, kipc_channel_recv(fds[1], bad, 64, &len, 0));
	EXPECT_EQ(-EFAULT, xfer_raw(fds[1], KIPC_CHAN_IOC_RECVV, 0, NULL, bad, 1));
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)buf, .len = 64 };
	ro = kt_readonly_copy(m, sizeof(m[0]));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, xfer_raw(fds[1], KIPC_CHAN_IOC_RECVV, 0, NULL, ro, 1));
	EXPECT_EQ(rec(2), ch_used(fds[0], 0));
	len = 0;
	EXPECT_EQ(1, kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0));
	EXPECT_EQ(2U, len);
	EXPECT_EQ(0, memcmp(buf, "ok", 2));
	/* A bad buffer after a good one ends the batch. */
	ASSERT_EQ(0, kipc_channel_send(fds[0], "a", 1, 0));
	ASSERT_EQ(0, kipc_channel_send(fds[0], "b", 1, 0));
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)buf, .len = 64 };
	m[1] = (struct kipc_chan_msg){ .buf = (uintptr_t)bad, .len = 64 };
	EXPECT_EQ(1, kipc_channel_recvv(fds[1], m, 2, 0));
	EXPECT_EQ(1, kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0));
	EXPECT_EQ('b', buf[0]);
	munmap(ro, kt_page_size());
}

TEST_F(kipc, batch_msg_flags_einval)
{
	struct kipc_chan_msg m[2];
	char buf[16];
	int fds[2];

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)"x", .len = 1,
				       .flags = 1 };
	EXPECT_EQ(-EINVAL, kipc_channel_sendv(fds[0], m, 1, 0));
	m[0].flags = 1U << 31;
	EXPECT_EQ(-EINVAL, kipc_channel_sendv(fds[0], m, 1, 0));
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	m[0].flags = 0;
	m[1] = (struct kipc_chan_msg){ .buf = (uintptr_t)"y", .len = 1,
				       .flags = 2 };
	EXPECT_EQ(1, kipc_channel_sendv(fds[0], m, 2, 0));
	EXPECT_EQ(rec(1), ch_used(fds[0], 0));
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)buf, .len = 16,
				       .flags = 4 };
	EXPECT_EQ(-EINVAL, kipc_channel_recvv(fds[1], m, 1, 0));
	EXPECT_EQ(rec(1), ch_used(fds[0], 0));
	m[0].flags = 0;
	EXPECT_EQ(1, kipc_channel_recvv(fds[1], m, 1, 0));
	EXPECT_EQ(1U, m[0].len);
}

/* The fast path checks kipc_chan_msg.flags as the kernel does. */
TEST_F(kipc, fast_path_msg_flags_einval)
{
	struct kipc_chan_msg m[2];
	struct kipc_ring *h0, *h1;
	char buf[16];
	int fds[2];

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	h0 = attach(fds[0]);
	h1 = attach(fds[1]);
	ASSERT_NE(NULL, h0);
	ASSERT_NE(NULL, h1);
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)"x", .len = 1,
				       .flags = 1 };
	EXPECT_EQ(-EINVAL, kipc_ring_sendv(h0, m, 1, 0));
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	ASSERT_EQ(0, kipc_channel_send(fds[0], "y", 1, 0));
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)buf, .len = 16,
				       .flags = 1 };
	EXPECT_EQ(-EINVAL, kipc_ring_recvv(h1, m, 1, 0));
	EXPECT_EQ(rec(1), ch_used(fds[0], 0));
	detach(h0);
	detach(h1);
}

TEST_F(kipc, xfer_invalid_args)
{
	struct {
		struct kipc_chan_xfer x;
		uint64_t tail[2];
	} big;
	struct kipc_chan_msg m = { .buf = (uintptr_t)"z", .len = 1 };
	struct kipc_timespec dl = kt_ts_at(kt_now_ns() + 1000 * MS);
	struct kipc_chan_xfer x;
	unsigned long cmds[2] = { KIPC_CHAN_IOC_SENDV, KIPC_CHAN_IOC_RECVV };
	int fds[2], c, i;
	char b[4];

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	ASSERT_EQ(0, kipc_channel_send(fds[1], "q", 1, 0));
	for (c = 0; c < 2; c++) {
		unsigned long cmd = cmds[c];

		EXPECT_EQ(-EINVAL, xfer_raw(fds[0], cmd, 4, NULL, &m, 1));
		EXPECT_EQ(-EINVAL, xfer_raw(fds[0], cmd, 1U << 31, NULL, &m, 1));
		EXPECT_EQ(-EINVAL, xfer_raw(fds[0], cmd, KIPC_WAIT_DEADLINE |
					    KIPC_WAIT_NONBLOCK, &dl, &m, 1));
		/* A deadline without the flag, or not normalized. */
		EXPECT_EQ(-EINVAL, xfer_raw(fds[0], cmd, 0, &dl, &m, 1));
		EXPECT_EQ(-EINVAL, xfer_raw(fds[0], cmd, KIPC_WAIT_NONBLOCK,
					    &dl, &m, 1));
		EXPECT_EQ(-EINVAL, xfer_raw(fds[0], cmd, KIPC_WAIT_DEADLINE,
			  &(struct kipc_timespec){ .tv_nsec = 1000000000 },
			  &m, 1));
		EXPECT_EQ(-EINVAL, xfer_raw(fds[0], cmd, KIPC_WAIT_DEADLINE,
			  &(struct kipc_timespec){ .tv_sec = -1 }, &m, 1));
		for (i = 0; i < 2; i++) {
			memset(&x, 0, sizeof(x));
			x.count = 1;
			x.msgs = (uintptr_t)&m;
			x.reserved[i] = 1;
			EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], cmd, &x));
		}
		memset(&x, 0, sizeof(x));
		x.count = 1;
		x.msgs = (uintptr_t)&m;
		EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KT_IOC_RESIZE(cmd,
					    KIPC_CHAN_XFER_SIZE_VER0 - 8), &x));
		EXPECT_EQ(-EFAULT, kt_ioctl(fds[0], cmd, kt_noaccess_page()));
		memset(&big, 0, sizeof(big));
		big.x.count = 1;
		big.x.msgs = (uintptr_t)&m;
		big.x.flags = KIPC_WAIT_NONBLOCK;
		big.tail[1] = 1;
		EXPECT_EQ(-E2BIG, kt_ioctl(fds[0], KT_IOC_RESIZE(cmd,
					   sizeof(big)), &big));
	}
	/* Nothing happened. */
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	EXPECT_EQ(rec(1), ch_used(fds[0], 1));
	/* A larger struct with a zero tail works, both ways. */
	big.tail[1] = 0;
	EXPECT_EQ(1, ioctl(fds[0], KT_IOC_RESIZE(KIPC_CHAN_IOC_SENDV,
						 sizeof(big)), &big));
	EXPECT_EQ(rec(1), ch_used(fds[0], 0));
	m = (struct kipc_chan_msg){ .buf = (uintptr_t)b, .len = 4 };
	EXPECT_EQ(1, ioctl(fds[0], KT_IOC_RESIZE(KIPC_CHAN_IOC_RECVV,
						 sizeof(big)), &big));
	EXPECT_EQ(1U, m.len);
	EXPECT_EQ('q', b[0]);
	/* Past deadline: one try. */
	dl = kt_ts_at(kt_now_ns() - 1000 * MS);
	EXPECT_EQ(-ETIMEDOUT, xfer_raw(fds[0], KIPC_CHAN_IOC_RECVV,
				       KIPC_WAIT_DEADLINE, &dl, &m, 1));
	EXPECT_EQ(-ETIMEDOUT, xfer_raw(fds[0], KIPC_CHAN_IOC_RECVV,
				       KIPC_WAIT_DEADLINE,
				       &(struct kipc_timespec){ 0, 0 }, &m, 1));
	ASSERT_EQ(0, kipc_channel_send(fds[1], "r", 1, 0));
	EXPECT_EQ(1, xfer_raw(fds[0], KIPC_CHAN_IOC_RECVV, KIPC_WAIT_DEADLINE,
			      &dl, &m, 1));
}

/* ---- non-blocking calls and deadlines ---------------------------------------- */

TEST_F(kipc, nonblock_empty_and_full)
{
	struct ep e[2];
	char buf[8];
	size_t len;
	int fds[2], fast, k, fl;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	for (fast = 0; fast < 2; fast++) {
		for (k = 0; k < 2; k++)
			e[k] = (struct ep){ .fd = fds[k],
					    .h = fast ? attach(fds[k]) : NULL };
		EXPECT_EQ(-EAGAIN, ep_recv(&e[1], buf, sizeof(buf), &len, 0));
		EXPECT_EQ(-EAGAIN, ep_recv(&e[0], buf, sizeof(buf), &len, 0));
		EXPECT_EQ(4, fill_ring(fds[0], 1000));
		EXPECT_EQ(-EAGAIN, ep_send_pat(&e[0], 1000, 0, 0));
		/* A smaller message still fits. */
		EXPECT_EQ(0, ep_send_pat(&e[0], 56, 0, 0));
		EXPECT_EQ(4096U, ch_used(fds[0], 0));
		EXPECT_EQ(-EAGAIN, ep_send(&e[0], NULL, 0, 0));
		EXPECT_EQ(-EAGAIN, kipc_channel_sendv(fds[0],
			  &(struct kipc_chan_msg){ .len = 0 }, 1, 0));
		for (k = 0; k < 5; k++)
			EXPECT_EQ(-EMSGSIZE, ep_recv(&e[1], buf, sizeof(buf),
						     &len, 0));
		EXPECT_EQ(4096U, ch_used(fds[0], 0));
		EXPECT_EQ(-EMSGSIZE, kipc_channel_recv(fds[1], NULL, 0, &len,
						       0));
		EXPECT_EQ(1000U, len);
		while (kipc_channel_recvv(fds[1], &(struct kipc_chan_msg){
			.buf = (uintptr_t)bbuf[0], .len = 1000 }, 1, 0) == 1)
			;
		EXPECT_EQ(0U, ch_used(fds[0], 0));
		for (k = 0; k < 2; k++)
			if (e[k].h)
				detach(e[k].h);
	}

	/* O_NONBLOCK set later with fcntl(). */
	fl = fcntl(fds[1], F_GETFL);
	ASSERT_EQ(0, fcntl(fds[1], F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, kipc_channel_recv(fds[1], buf, sizeof(buf), &len,
					     KIPC_INFINITE));
	EXPECT_EQ(-1, read(fds[1], buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, fcntl(fds[1], F_SETFL, fl));
	EXPECT_EQ(-ETIMEDOUT, kipc_channel_recv(fds[1], buf, sizeof(buf), &len,
						1 * MS));
}

/* KIPC_FD_NONBLOCK: blocking calls without a timeout give EAGAIN. */
TEST_F(kipc, nonblock_fd_flag)
{
	struct ep e[2];
	char buf[8];
	size_t len;
	int fds[2], fast, k;

	ASSERT_EQ(0, pair_attr(fds, 4096, 4096, 1000, 1000, KIPC_FD_NONBLOCK));
	for (fast = 0; fast < 2; fast++) {
		for (k = 0; k < 2; k++)
			e[k] = (struct ep){ .fd = fds[k],
					    .h = fast ? attach(fds[k]) : NULL };
		EXPECT_EQ(-EAGAIN, ep_recv(&e[1], buf, sizeof(buf), &len,
					   KIPC_INFINITE));
		EXPECT_EQ(-EAGAIN, ep_recv(&e[1], buf, sizeof(buf), &len,
					   100 * MS));
		EXPECT_EQ(4, fill_ring(fds[0], 1000));
		EXPECT_EQ(-EAGAIN, ep_send_pat(&e[0], 1000, 0, KIPC_INFINITE));
		EXPECT_EQ(-EAGAIN, ep_send_pat(&e[0], 1000, 0, 100 * MS));
		EXPECT_EQ(-EAGAIN, chwait(fds[0], 0, NULL, KIPC_CHAN_WRITABLE |
					  KIPC_CHAN_READABLE, 0, 0, NULL));
		for (k = 0; k < 4; k++)
			EXPECT_EQ(1, ep_recv(&e[1], bbuf[0], 1000, &len,
					     KIPC_INFINITE));
		for (k = 0; k < 2; k++)
			if (e[k].h)
				detach(e[k].h);
	}
	/* read(2) and write(2) too. */
	EXPECT_EQ(-1, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(4, fill_ring(fds[0], 1000));
	EXPECT_EQ(-EAGAIN, write_pat(fds[0], 1000, 1));
}

TEST_F(kipc, deadlines_not_early)
{
	struct kipc_timespec dl;
	struct kipc_chan_msg m;
	struct kipc_ring *h0, *h1;
	char buf[8];
	size_t len;
	int fds[2];

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	EXPECT_TIMED(kipc_channel_recv(fds[1], buf, sizeof(buf), &len,
				       100 * MS), ETIMEDOUT, 100 * MS);
	EXPECT_EQ(4, fill_ring(fds[0], 1000));
	EXPECT_TIMED(kipc_channel_send(fds[0], bbuf[0], 1000, 100 * MS),
		     ETIMEDOUT, 100 * MS);
	/* Absolute deadlines as the ioctls take them. */
	dl = kt_ts_at(kt_now_ns() + 150 * MS);
	m = (struct kipc_chan_msg){ .buf = (uintptr_t)buf, .len = 8 };
	EXPECT_TIMED(xfer_raw(fds[0], KIPC_CHAN_IOC_RECVV, KIPC_WAIT_DEADLINE,
			      &dl, &m, 1), ETIMEDOUT, 140 * MS);
	dl = kt_ts_at(kt_now_ns() + 100 * MS);
	EXPECT_TIMED(chwait(fds[0], KIPC_WAIT_DEADLINE, &dl, KIPC_CHAN_READABLE |
			    KIPC_CHAN_WRITABLE, 0, 0, NULL), ETIMEDOUT,
		     90 * MS);

	h0 = attach(fds[0]);
	h1 = attach(fds[1]);
	ASSERT_NE(NULL, h0);
	ASSERT_NE(NULL, h1);
	EXPECT_TIMED(kipc_ring_recv(h0, buf, sizeof(buf), &len, 100 * MS),
		     ETIMEDOUT, 100 * MS);
	EXPECT_TIMED(kipc_ring_send(h0, bbuf[0], 1000, 100 * MS), ETIMEDOUT,
		     100 * MS);
	EXPECT_TIMED(kipc_ring_send(h0, bbuf[0], 1000, 1), ETIMEDOUT, 1);
	/* Room for a smaller one: no wait. */
	EXPECT_EQ(0, kipc_ring_send(h0, buf, 8, 100 * MS));
	EXPECT_EQ(1, kipc_ring_recv(h1, bbuf[0], 1000, &len, 100 * MS));
	detach(h0);
	detach(h1);
}

/*
 * Two processes share end 1.  One is blocked receiving; the other's
 * non-blocking receive must not wait for it, nor its deadline be
 * stretched by it.  The same for senders on a full ring.
 */
TEST_F(kipc, nonblock_not_held_up_by_blocked_receiver)
{
	struct kt_report r;
	char buf[16];
	size_t len;
	int fds[2], rep[2];
	int64_t t0;
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = kipc_channel_recv(fds[1], buf, sizeof(buf), &len,
					    2000 * MS);

		kt_report(rep[1], 0, ret, len);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	t0 = kt_now_ns();
	EXPECT_EQ(-EAGAIN, kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0));
	EXPECT_GT(500 * MS, kt_now_ns() - t0)
		TH_LOG("non-blocking receive waited %lld ms",
		       (long long)((kt_now_ns() - t0) / MS));
	t0 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, kipc_channel_recv(fds[1], buf, sizeof(buf), &len,
						100 * MS));
	EXPECT_GT(600 * MS, kt_now_ns() - t0)
		TH_LOG("100 ms receive took %lld ms",
		       (long long)((kt_now_ns() - t0) / MS));
	ASSERT_EQ(0, kipc_channel_send(fds[0], "hello", 5, 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ(5U, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

TEST_F(kipc, nonblock_not_held_up_by_blocked_sender)
{
	struct kt_report r;
	char buf[1000];
	size_t len;
	int fds[2], rep[2];
	int64_t t0;
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(4, fill_ring(fds[0], 1000));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = kipc_channel_send(fds[0], buf, 1000, 2000 * MS);

		kt_report(rep[1], 0, ret, 0);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	t0 = kt_now_ns();
	EXPECT_EQ(-EAGAIN, kipc_channel_send(fds[0], buf, 1000, 0));
	EXPECT_GT(500 * MS, kt_now_ns() - t0)
		TH_LOG("non-blocking send waited %lld ms",
		       (long long)((kt_now_ns() - t0) / MS));
	ASSERT_EQ(1, kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* ---- the peer closing ------------------------------------------------------ */

TEST_F(kipc, peer_closed_send_epipe)
{
	struct kipc_ring *h;
	int fds[2], rv;

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	h = attach(fds[0]);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, close(fds[1]));
	EXPECT_EQ((uint32_t)(KIPC_CHAN_CONNECTED | KIPC_CHAN_PEER_CLOSED),
		  ch_state(fds[0]));
	EXPECT_EQ(-EPIPE, kipc_channel_send(fds[0], "x", 1, 0));
	EXPECT_EQ(-EPIPE, kipc_channel_send(fds[0], "x", 1, KIPC_INFINITE));
	EXPECT_EQ(-EPIPE, kipc_ring_send(h, "x", 1, 0));
	EXPECT_EQ(-EPIPE, kipc_ring_send(h, "x", 1, KIPC_INFINITE));
	EXPECT_EQ(-EPIPE, kipc_ring_sendv(h, &(struct kipc_chan_msg){ .len = 0 },
					  1, 0));
	signal(SIGPIPE, SIG_IGN);
	EXPECT_EQ(-1, write(fds[0], "x", 1));
	EXPECT_EQ(EPIPE, errno);
	/* EMSGSIZE is checked first. */
	EXPECT_EQ(-EMSGSIZE, kipc_channel_send(fds[0], bbuf[0], 101, 0));
	EXPECT_EQ(-EMSGSIZE, kipc_ring_send(h, bbuf[0], 101, 0));
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	/* Receiving: end of channel at once. */
	EXPECT_EQ(0, kipc_channel_recv(fds[0], NULL, 0, NULL, 0));
	EXPECT_EQ(0, kipc_ring_recv(h, NULL, 0, NULL, KIPC_INFINITE));
	rv = poll_now(fds[0]);
	EXPECT_EQ(POLLHUP | POLLIN, rv & (POLLHUP | POLLIN));
	detach(h);
}

static void check_drain_then_eof(struct __test_metadata *_metadata, int how)
{
	struct kipc_chan_msg m[8];
	struct kipc_ring *h = NULL;
	struct ep e1;
	char buf[16];
	int fds[2], i;

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, kipc_channel_send(fds[0], "abcdefgh", i * 3, 0));
	ASSERT_EQ(0, close(fds[0]));
	if (how == 1) {
		h = attach(fds[1]);
		ASSERT_NE(NULL, h);
	}
	e1 = (struct ep){ .fd = fds[1], .h = h };
	m[0] = (struct kipc_chan_msg){ .buf = (uintptr_t)bbuf[0], .len = 16 };
	EXPECT_EQ((uint32_t)(KIPC_CHAN_CONNECTED | KIPC_CHAN_PEER_CLOSED),
		  ch_state(fds[1]));
	EXPECT_EQ(POLLIN | POLLHUP, poll_now(fds[1]) & (POLLIN | POLLHUP));
	switch (how) {
	case 0:
	case 1:
		for (i = 0; i < 3; i++) {
			size_t len = 99;

			EXPECT_EQ(1, ep_recv(&e1, buf, sizeof(buf), &len, 0));
			EXPECT_EQ((size_t)i * 3, len);
		}
		for (i = 0; i < 3; i++) {
			EXPECT_EQ(0, ep_recv(&e1, buf, sizeof(buf), NULL, 0));
			EXPECT_EQ(0, ep_recv(&e1, buf, sizeof(buf), NULL,
					     KIPC_INFINITE));
			EXPECT_EQ(0, ep_recvv(&e1, m, 1, 100 * MS));
		}
		break;
	case 2:
		for (i = 0; i < 8; i++)
			m[i] = (struct kipc_chan_msg){
				.buf = (uintptr_t)bbuf[i], .len = 16 };
		EXPECT_EQ(3, kipc_channel_recvv(fds[1], m, 8, 0));
		EXPECT_EQ(6U, m[2].len);
		EXPECT_EQ(0, kipc_channel_recvv(fds[1], m, 8, KIPC_INFINITE));
		break;
	case 3:
		for (i = 0; i < 3; i++)
			EXPECT_EQ(i * 3, read(fds[1], buf, sizeof(buf)));
		EXPECT_EQ(0, read(fds[1], buf, sizeof(buf)));
		EXPECT_EQ(0, read(fds[1], buf, sizeof(buf)));
		break;
	}
	EXPECT_EQ(0U, ch_used(fds[1], 0));
	if (h)
		detach(h);
}

TEST_F(kipc, peer_closed_drain_then_eof_kernel)
{
	check_drain_then_eof(_metadata, 0);
}

TEST_F(kipc, peer_closed_drain_then_eof_fast)
{
	check_drain_then_eof(_metadata, 1);
}

TEST_F(kipc, peer_closed_drain_then_eof_recvv)
{
	check_drain_then_eof(_metadata, 2);
}

TEST_F(kipc, peer_closed_drain_then_eof_read)
{
	check_drain_then_eof(_metadata, 3);
}

/*
 * A receive (or send on a full ring) blocked in a child is ended by the
 * peer's close: end-of-channel (or EPIPE).  The child holds only its own
 * end.
 */
static void check_close_wakes_child(struct __test_metadata *_metadata,
				    bool sending, bool fast)
{
	struct kt_report r;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	ASSERT_EQ(0, pipe(rep));
	if (sending)
		ASSERT_EQ(4, fill_ring(fds[1], 1000));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ep e = { .fd = fds[1] };
		int ret;

		close(fds[0]);
		if (fast)
			e.h = attach(fds[1]);
		if (fast && !e.h)
			_exit(1);
		if (sending)
			ret = ep_send_pat(&e, 1000, 1, CHILD_WAIT_NS);
		else
			ret = ep_recv(&e, bbuf[0], 1000, NULL, CHILD_WAIT_NS);
		kt_report(rep[1], 0, ret, 0);
		_exit(0);
	}
	close(fds[1]);
	ASSERT_EQ(0, wait_blocked(pid));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	ASSERT_EQ(0, close(fds[0]));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000));
	EXPECT_EQ(sending ? -EPIPE : 0, r.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

TEST_F(kipc, peer_close_wakes_receiver_kernel)
{
	check_close_wakes_child(_metadata, false, false);
}

TEST_F(kipc, peer_close_wakes_receiver_fast)
{
	check_close_wakes_child(_metadata, false, true);
}

TEST_F(kipc, peer_close_wakes_sender_kernel)
{
	check_close_wakes_child(_metadata, true, false);
}

TEST_F(kipc, peer_close_wakes_sender_fast)
{
	check_close_wakes_child(_metadata, true, true);
}

struct thr {
	struct ep e;
	bool sending;
	volatile pid_t tid;
	int ret;
	int64_t timeout;
};

static void *thr_fn(void *arg)
{
	struct thr *t = arg;

	t->tid = kt_gettid();
	if (t->sending)
		t->ret = ep_send_pat(&t->e, 1000, 9, t->timeout);
	else
		t->ret = ep_recv(&t->e, bbuf[15], 1000, NULL, t->timeout);
	return NULL;
}

/* The same with a thread of this process, and every path. */
TEST_F(kipc, peer_close_wakes_threads)
{
	struct thr t;
	pthread_t th;
	int fds[2], fast, sending;

	for (fast = 0; fast < 2; fast++)
		for (sending = 0; sending < 2; sending++) {
			ASSERT_EQ(0, pair_small(fds, 4096, 1000));
			if (sending)
				ASSERT_EQ(4, fill_ring(fds[1], 1000));
			memset(&t, 0, sizeof(t));
			t.e.fd = fds[1];
			t.e.h = fast ? attach(fds[1]) : NULL;
			t.sending = sending;
			t.ret = 12345;
			t.timeout = CHILD_WAIT_NS;
			ASSERT_EQ(0, pthread_create(&th, NULL, thr_fn, &t));
			ASSERT_EQ(0, wait_thread_blocked(&t.tid));
			EXPECT_EQ(12345, t.ret);
			ASSERT_EQ(0, close(fds[0]));
			ASSERT_EQ(0, pthread_join(th, NULL));
			EXPECT_EQ(sending ? -EPIPE : 0, t.ret)
				TH_LOG("fast %d sending %d", fast, sending);
			if (t.e.h)
				detach(t.e.h);
			close(fds[1]);
		}
}

/*
 * Closing the last fd of an end closes it even while the end is still
 * mapped (a kipc_chan handle not yet detached).
 */
TEST_F(kipc, close_fd_while_mapped_closes_end)
{
	struct kipc_ring *h;
	uint64_t objs = stats_objects();
	int fds[2];

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	h = attach(fds[0]);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, kipc_ring_send(h, "before", 6, 0));
	ASSERT_EQ(0, close(fds[0]));
	EXPECT_EQ((uint32_t)(KIPC_CHAN_CONNECTED | KIPC_CHAN_PEER_CLOSED),
		  ch_state(fds[1]));
	EXPECT_EQ(-EPIPE, kipc_channel_send(fds[1], "x", 1, 0));
	EXPECT_EQ(POLLHUP, poll_now(fds[1]) & POLLHUP);
	EXPECT_EQ(1, kipc_channel_recv(fds[1], bbuf[0], 100, NULL, 0));
	EXPECT_EQ(0, kipc_channel_recv(fds[1], bbuf[0], 100, NULL,
				       KIPC_INFINITE));
	/* The mapping keeps the channel, not the end. */
	ASSERT_EQ(0, close(fds[1]));
	EXPECT_EQ(objs + 1, stats_objects());
	detach(h);
	EXPECT_EQ(objs, stats_objects());
}

/* ---- read(2) and write(2) ------------------------------------------------- */

TEST_F(kipc, read_write_messages)
{
	char buf[200];
	int fds[2];
	ssize_t n;

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	EXPECT_EQ(3, write(fds[0], "abc", 3));
	EXPECT_EQ(2, write(fds[0], "de", 2));
	EXPECT_EQ(0, write(fds[0], "", 0));
	EXPECT_EQ(100, write(fds[0], bbuf[0], 100));
	EXPECT_EQ(-1, write(fds[0], bbuf[0], 101));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(rec(3) + rec(2) + rec(0) + rec(100), ch_used(fds[0], 0));
	/* One message per call, whatever the buffer. */
	n = read(fds[1], buf, sizeof(buf));
	EXPECT_EQ(3, n);
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_EQ(-1, read(fds[1], buf, 1));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(-1, read(fds[1], buf, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(2, read(fds[1], buf, 2));
	EXPECT_EQ(0, memcmp(buf, "de", 2));
	/* The zero-length message. */
	EXPECT_EQ(0, read(fds[1], buf, 0));
	EXPECT_EQ(rec(100), ch_used(fds[0], 0));
	EXPECT_EQ(-1, read(fds[1], buf, 99));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(100, read(fds[1], buf, 100));
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	/* Bad buffers. */
	EXPECT_EQ(0, kipc_channel_send(fds[1], "z", 1, 0));
	EXPECT_EQ(-1, read(fds[0], kt_noaccess_page(), 10));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(1, read(fds[0], buf, 10));
	EXPECT_EQ(-1, write(fds[0], kt_noaccess_page(), 10));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0U, ch_used(fds[0], 0));
	/* Interleaved with the ioctls. */
	EXPECT_EQ(0, kipc_channel_send(fds[1], "ioctl", 5, 0));
	EXPECT_EQ(5, write(fds[1], "write", 5));
	EXPECT_EQ(5, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "ioctl", 5));
	EXPECT_EQ(1, kipc_channel_recv(fds[0], buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(0, memcmp(buf, "write", 5));
	/* End of channel. */
	EXPECT_EQ(3, write(fds[1], "end", 3));
	ASSERT_EQ(0, close(fds[1]));
	EXPECT_EQ(3, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, read(fds[0], buf, sizeof(buf)));
	signal(SIGPIPE, SIG_IGN);
	EXPECT_EQ(-1, write(fds[0], "x", 1));
	EXPECT_EQ(EPIPE, errno);
}

TEST_F(kipc, read_write_with_fast_path_peer)
{
	struct kipc_ring *h;
	char buf[64];
	size_t len;
	int fds[2];

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	h = attach(fds[1]);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(0, kipc_ring_send(h, "fast", 4, 0));
	EXPECT_EQ(4, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "fast", 4));
	EXPECT_EQ(5, write(fds[0], "write", 5));
	EXPECT_EQ(1, kipc_ring_recv(h, buf, sizeof(buf), &len, 0));
	EXPECT_EQ(5U, len);
	detach(h);
}

/* A read blocked in a child returns with a message written later. */
TEST_F(kipc, read_blocks_until_write)
{
	struct kt_report r;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t v = 0;
		ssize_t n = read(fds[1], &v, sizeof(v));

		kt_report(rep[1], 0, n < 0 ? -errno : (int)n, v);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	EXPECT_EQ(8, write(fds[0], &(uint64_t){ 0x1122334455667788ULL }, 8));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(8, r.ret);
	EXPECT_EQ(0x1122334455667788ULL, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* ---- poll and epoll -------------------------------------------------------- */

TEST_F(kipc, poll_states)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT }, out;
	int fds[2], i, ep;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	EXPECT_EQ(POLL_WR, poll_now(fds[0]));
	EXPECT_EQ(POLL_WR, poll_now(fds[1]));
	ASSERT_EQ(0, kipc_channel_send(fds[1], "x", 1, 0));
	EXPECT_EQ(POLL_RD | POLL_WR, poll_now(fds[0]));
	EXPECT_EQ(POLL_WR, poll_now(fds[1]));

	/* Room for a message of max_msg (a 1008-byte record), or no POLLOUT. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, kipc_channel_send(fds[0], bbuf[0], 1000, 0));
	EXPECT_EQ(POLL_RD | POLL_WR, poll_now(fds[0]));
	ASSERT_EQ(0, kipc_channel_send(fds[0], bbuf[0], 1000, 0));
	EXPECT_EQ(POLL_RD, poll_now(fds[0]));
	/* A small message still fits, but POLLOUT promises a large one. */
	ASSERT_EQ(0, kipc_channel_send(fds[0], bbuf[0], 8, 0));
	EXPECT_EQ(POLL_RD, poll_now(fds[0]));
	EXPECT_EQ(POLL_RD | POLL_WR, poll_now(fds[1]));

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ((uint32_t)EPOLLIN, out.events);
	ASSERT_EQ(1, kipc_channel_recv(fds[1], bbuf[1], 1000, NULL, 0));
	EXPECT_EQ(POLL_RD | POLL_WR, poll_now(fds[0]));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ((uint32_t)(EPOLLIN | EPOLLOUT), out.events);
	ASSERT_EQ(1, kipc_channel_recv(fds[0], bbuf[1], 1000, NULL, 0));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ((uint32_t)EPOLLOUT, out.events);
	/* The peer closing. */
	ASSERT_EQ(0, close(fds[1]));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ((uint32_t)(EPOLLIN | EPOLLHUP),
		  out.events & (EPOLLIN | EPOLLHUP));
	ev.events = EPOLLIN | EPOLLRDHUP;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_MOD, fds[0], &ev));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ((uint32_t)(EPOLLIN | EPOLLHUP | EPOLLRDHUP), out.events);
	EXPECT_EQ(POLLIN | POLLHUP | POLLRDHUP,
		  poll_now(fds[0]) & (POLLIN | POLLHUP | POLLRDHUP));
	close(ep);
}

/*
 * A process blocked in epoll_wait (edge-triggered, draining until
 * EAGAIN) or poll is woken when the peer sends through the fast path,
 * round after round.
 */
TEST_F(kipc, epoll_woken_by_fast_path_send)
{
	struct kipc_chan_msg m[2] = { 0 };
	uint64_t vals[2] = { 0, 9 };
	struct kipc_ring *h0;
	struct kt_report r;
	int fds[2], rep[2], round;
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out;
		struct pollfd p = { .fd = fds[1], .events = POLLIN };
		int ep = epoll_create1(EPOLL_CLOEXEC), n, k, got;
		uint64_t v;

		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fds[1], &ev))
			_exit(1);
		for (k = 0; k < 6; k++) {
			out.events = 0;
			if (k < 4)
				n = epoll_wait(ep, &out, 1, KT_CHILD_TIMEOUT_MS);
			else
				n = poll(&p, 1, KT_CHILD_TIMEOUT_MS);
			if (k >= 4)
				out.events = p.revents;
			got = 0;
			while (kipc_channel_recv(fds[1], &v, sizeof(v), NULL,
						 0) == 1)
				got++;
			kt_report(rep[1], k, n, (uint64_t)got << 32 | out.events);
		}
		_exit(0);
	}
	h0 = attach(fds[0]);
	ASSERT_NE(NULL, h0);
	for (round = 0; round < 6; round++) {
		ASSERT_EQ(0, wait_blocked(pid)) TH_LOG("round %d", round);
		EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
		/*
		 * Odd rounds: two messages published at once (one SENDV), so
		 * that the waiter drains both; two sends could make a second
		 * edge after its drain and wake its next wait early.
		 */
		m[0].buf = (uintptr_t)&vals[0];
		m[1].buf = (uintptr_t)&vals[1];
		m[0].len = m[1].len = 8;
		vals[0] = round;
		ASSERT_EQ(1 + (round & 1),
			  kipc_ring_sendv(h0, m, 1 + (round & 1), 0));
		ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000))
			TH_LOG("round %d: the waiter was not woken", round);
		EXPECT_EQ(round, r.idx);
		EXPECT_EQ(1, r.ret);
		EXPECT_EQ((uint32_t)POLLIN, (uint32_t)r.value & POLLIN);
		EXPECT_EQ(1U + (round & 1), (uint32_t)(r.value >> 32));
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	detach(h0);
}

/* A process waiting for EPOLLOUT is woken by a fast-path receive. */
TEST_F(kipc, epoll_out_woken_by_fast_path_recv)
{
	struct kipc_ring *h1;
	struct kt_report r;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(4, fill_ring(fds[0], 1000));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct epoll_event ev = { .events = EPOLLOUT }, out = { 0 };
		int ep = epoll_create1(EPOLL_CLOEXEC), n;

		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev))
			_exit(1);
		n = epoll_wait(ep, &out, 1, KT_CHILD_TIMEOUT_MS);
		kt_report(rep[1], 0, n, out.events);
		_exit(0);
	}
	h1 = attach(fds[1]);
	ASSERT_NE(NULL, h1);
	ASSERT_EQ(0, wait_blocked(pid));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	ASSERT_EQ(1, kipc_ring_recv(h1, bbuf[0], 1000, NULL, 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000))
		TH_LOG("the EPOLLOUT waiter was not woken");
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ((uint64_t)EPOLLOUT, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	detach(h1);
}

TEST_F(kipc, epoll_edge_triggered)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out;
	struct kipc_ring *h0, *h1;
	struct ep s, r;
	int fds[2], ep, round, k, n;
	uint64_t v;

	ASSERT_EQ(0, pair_small(fds, 8192, 100));
	h0 = attach(fds[0]);
	h1 = attach(fds[1]);
	ASSERT_NE(NULL, h0);
	ASSERT_NE(NULL, h1);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fds[1], &ev));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	for (round = 0; round < 12; round++) {
		s = (struct ep){ .fd = fds[0], .h = round & 1 ? h0 : NULL };
		r = (struct ep){ .fd = fds[1], .h = round & 2 ? h1 : NULL };
		n = 1 + round % 3;
		for (k = 0; k < n; k++)
			ASSERT_EQ(0, ep_send(&s, &(uint64_t){ k }, 8, 0));
		ASSERT_EQ(1, epoll_wait(ep, &out, 1, 1000))
			TH_LOG("round %d: no edge", round);
		EXPECT_EQ((uint32_t)EPOLLIN, out.events);
		/* One edge only. */
		EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
		if (round % 4 == 3) {
			/* Partly drained: a new message is a new edge. */
			ASSERT_EQ(1, ep_recv(&r, &v, 8, NULL, 0));
			EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
			ASSERT_EQ(0, ep_send(&s, &(uint64_t){ 7 }, 8, 0));
			ASSERT_EQ(1, epoll_wait(ep, &out, 1, 1000))
				TH_LOG("round %d: no edge", round);
		}
		for (k = 0; ; k++) {
			int ret = ep_recv(&r, &v, 8, NULL, 0);

			if (ret == -EAGAIN)
				break;
			ASSERT_EQ(1, ret);
		}
		EXPECT_EQ(n, k) TH_LOG("round %d", round);
		EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	}
	close(ep);
	detach(h0);
	detach(h1);
}

/* A poll blocked in another process is woken by the peer's close. */
TEST_F(kipc, poll_woken_by_peer_close)
{
	struct kt_report r;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct pollfd p = { .fd = fds[1], .events = POLLIN };
		int n;

		close(fds[0]);
		n = poll(&p, 1, KT_CHILD_TIMEOUT_MS);
		kt_report(rep[1], 0, n, p.revents);
		_exit(0);
	}
	close(fds[1]);
	ASSERT_EQ(0, wait_blocked(pid));
	ASSERT_EQ(0, close(fds[0]));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000));
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ((uint64_t)(POLLIN | POLLHUP), r.value & (POLLIN | POLLHUP));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* ---- KIPC_CHAN_IOC_WAIT ------------------------------------------------------ */

TEST_F(kipc, wait_invalid_args)
{
	struct {
		struct kipc_chan_wait w;
		uint64_t tail[2];
	} big;
	struct kipc_timespec dl = kt_ts_at(kt_now_ns() + 1000 * MS);
	struct kipc_chan_wait w;
	uint32_t rev;
	int fds[2], i;

	ASSERT_EQ(0, pair_attr(fds, 4096, 8192, 0, 0, 0));
	for (i = 2; i < 32; i++) {
		EXPECT_EQ(-EINVAL, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
					  1U << i, 0, 0, NULL));
		if (i >= 3)
			EXPECT_EQ(-EINVAL, chwait(fds[0], KIPC_WAIT_NONBLOCK,
						  NULL, KIPC_CHAN_WRITABLE, 0,
						  1U << i, NULL));
	}
	/* Need: at most the capacity of this end's send ring. */
	EXPECT_EQ(-EINVAL, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
				  KIPC_CHAN_WRITABLE, 4097, 0, NULL));
	EXPECT_EQ(0, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
			    KIPC_CHAN_WRITABLE, 4096, 0, &rev));
	EXPECT_EQ((uint32_t)KIPC_CHAN_WRITABLE, rev);
	EXPECT_EQ(-EINVAL, chwait(fds[1], KIPC_WAIT_NONBLOCK, NULL,
				  KIPC_CHAN_WRITABLE, 8193, 0, NULL));
	EXPECT_EQ(0, chwait(fds[1], KIPC_WAIT_NONBLOCK, NULL,
			    KIPC_CHAN_WRITABLE, 8192, 0, &rev));
	EXPECT_EQ(-EINVAL, chwait(fds[1], KIPC_WAIT_NONBLOCK, NULL,
				  KIPC_CHAN_WRITABLE, UINT32_MAX, 0, NULL));
	/* Flags and deadline. */
	EXPECT_EQ(-EINVAL, chwait(fds[0], 4, NULL, KIPC_CHAN_WRITABLE, 0, 0,
				  NULL));
	EXPECT_EQ(-EINVAL, chwait(fds[0], KIPC_WAIT_NONBLOCK |
				  KIPC_WAIT_DEADLINE, &dl, KIPC_CHAN_WRITABLE,
				  0, 0, NULL));
	EXPECT_EQ(-EINVAL, chwait(fds[0], 0, &dl, KIPC_CHAN_WRITABLE, 0, 0,
				  NULL));
	EXPECT_EQ(-EINVAL, chwait(fds[0], KIPC_WAIT_DEADLINE,
				  &(struct kipc_timespec){ 1, 1000000000 },
				  KIPC_CHAN_WRITABLE, 0, 0, NULL));
	/* Padding, reserved, sizes, pointer. */
	memset(&w, 0, sizeof(w));
	w.events = KIPC_CHAN_WRITABLE;
	w.flags = KIPC_WAIT_NONBLOCK;
	w.__pad = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_CHAN_IOC_WAIT, &w));
	w.__pad = 0;
	for (i = 0; i < 2; i++) {
		w.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_CHAN_IOC_WAIT, &w));
		w.reserved[i] = 0;
	}
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KT_IOC_RESIZE(KIPC_CHAN_IOC_WAIT,
				    KIPC_CHAN_WAIT_SIZE_VER0 - 8), &w));
	EXPECT_EQ(-EFAULT, kt_ioctl(fds[0], KIPC_CHAN_IOC_WAIT,
				    kt_noaccess_page()));
	memset(&big, 0, sizeof(big));
	big.w = w;
	big.tail[0] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(fds[0], KT_IOC_RESIZE(KIPC_CHAN_IOC_WAIT,
				   sizeof(big)), &big));
	big.tail[0] = 0;
	EXPECT_EQ(0, kt_ioctl(fds[0], KT_IOC_RESIZE(KIPC_CHAN_IOC_WAIT,
			      sizeof(big)), &big));
	EXPECT_EQ((uint32_t)KIPC_CHAN_WRITABLE, big.w.revents);
	/* Events given back in a read-only struct: EFAULT. */
	w.revents = 0;
	EXPECT_EQ(-EFAULT, kt_ioctl(fds[0], KIPC_CHAN_IOC_WAIT,
				    kt_readonly_copy(&w, sizeof(w))));
}

TEST_F(kipc, wait_revents)
{
	struct kipc_timespec dl;
	struct kt_report r;
	uint32_t rev;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	EXPECT_EQ(-EAGAIN, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
				  KIPC_CHAN_READABLE, 0, 0, NULL));
	EXPECT_EQ(0, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
			    KIPC_CHAN_WRITABLE, 0, 0, &rev));
	EXPECT_EQ((uint32_t)KIPC_CHAN_WRITABLE, rev);
	EXPECT_EQ(0, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
			    KIPC_CHAN_READABLE | KIPC_CHAN_WRITABLE, 0, 0,
			    &rev));
	EXPECT_EQ((uint32_t)KIPC_CHAN_WRITABLE, rev);
	/* Nothing to wait for: only wakes, never blocks. */
	EXPECT_EQ(0, chwait(fds[0], 0, NULL, 0, 0, 0, &rev));
	EXPECT_EQ(0U, rev);
	EXPECT_EQ(0, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL, 0, 0,
			    KIPC_CHAN_WAKES, &rev));
	EXPECT_EQ(0U, rev);

	ASSERT_EQ(0, kipc_channel_send(fds[1], "r", 1, 0));
	EXPECT_EQ(0, chwait(fds[0], 0, NULL, KIPC_CHAN_READABLE |
			    KIPC_CHAN_WRITABLE, 0, 0, &rev));
	EXPECT_EQ((uint32_t)(KIPC_CHAN_READABLE | KIPC_CHAN_WRITABLE), rev);
	/* Room: a max_msg record by default, else @need bytes. */
	ASSERT_EQ(4, fill_ring(fds[0], 1000));
	EXPECT_EQ(-EAGAIN, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
				  KIPC_CHAN_WRITABLE, 0, 0, NULL));
	EXPECT_EQ(0, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
			    KIPC_CHAN_WRITABLE, 64, 0, &rev));
	EXPECT_EQ((uint32_t)KIPC_CHAN_WRITABLE, rev);
	EXPECT_EQ(-EAGAIN, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
				  KIPC_CHAN_WRITABLE, 72, 0, NULL));
	dl = kt_ts_at(kt_now_ns() + 50 * MS);
	EXPECT_EQ(-ETIMEDOUT, chwait(fds[0], KIPC_WAIT_DEADLINE, &dl,
				     KIPC_CHAN_WRITABLE, 72, 0, NULL));

	/* A blocked WAIT is woken by a kernel receive making room. */
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_timespec d = kt_ts_at(kt_now_ns() + CHILD_WAIT_NS);
		uint32_t rv = 0;
		int ret = chwait(fds[0], KIPC_WAIT_DEADLINE, &d,
				 KIPC_CHAN_WRITABLE, 0, 0, &rv);

		kt_report(rep[1], 0, ret, rv);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	ASSERT_EQ(1, kipc_channel_recv(fds[1], bbuf[0], 1000, NULL, 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ((uint64_t)KIPC_CHAN_WRITABLE, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));

	/* The peer closed: HUP, with READABLE while something is queued. */
	ASSERT_EQ(0, close(fds[1]));
	EXPECT_EQ(0, chwait(fds[0], KIPC_WAIT_NONBLOCK, NULL,
			    KIPC_CHAN_READABLE, 0, 0, &rev));
	EXPECT_EQ((uint32_t)(KIPC_CHAN_READABLE | KIPC_CHAN_HUP), rev);
	ASSERT_EQ(1, kipc_channel_recv(fds[0], bbuf[0], 1000, NULL, 0));
	EXPECT_EQ(0, chwait(fds[0], 0, NULL, KIPC_CHAN_READABLE, 0, 0, &rev));
	EXPECT_EQ((uint32_t)KIPC_CHAN_HUP, rev);
}

/*
 * The wake bits: a record published by hand (through a mapping) wakes
 * nobody until someone asks KIPC_CHAN_WAKE_READERS; space freed by hand
 * needs KIPC_CHAN_WAKE_WRITERS; a lock released by hand with the waiters
 * bit set needs KIPC_CHAN_WAKE_LOCKS.
 */
TEST_F(kipc, wait_wake_bits)
{
	struct kipc_channel_info in;
	struct kipc_chan_ring *r0, *r1;
	struct kipc_chan_msghdr *hdr;
	struct kt_report r;
	uint8_t *map, *data0;
	uint32_t old;
	int fds[2], rep[2];
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	ASSERT_EQ(0, ch_info(fds[0], &in));
	map = map_raw(fds[0], in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, map);
	r0 = ring_at(map, 0);
	r1 = ring_at(map, 1);
	data0 = map + in.ring_offset[0];
	ASSERT_EQ(0, pipe(rep));

	/* Readers. */
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_timespec d = kt_ts_at(kt_now_ns() + CHILD_WAIT_NS);
		uint32_t rv = 0;
		int ret = chwait(fds[1], KIPC_WAIT_DEADLINE, &d,
				 KIPC_CHAN_READABLE, 0, 0, &rv);

		kt_report(rep[1], 0, ret, rv);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	EXPECT_EQ(1U, __atomic_load_n(&r0->rwait, __ATOMIC_SEQ_CST));
	hdr = (void *)data0;
	hdr->len = 3;
	hdr->flags = 0;
	memcpy(hdr + 1, "abc", 3);
	__atomic_store_n(&r0->tail, 16, __ATOMIC_RELEASE);
	kt_sleep_ms(100);
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0))
		TH_LOG("woken without a wake");
	EXPECT_EQ(0, chwait(fds[0], 0, NULL, 0, 0, KIPC_CHAN_WAKE_READERS,
			    NULL));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ((uint64_t)KIPC_CHAN_READABLE, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, kipc_channel_recv(fds[1], bbuf[0], 10, NULL, 0));
	EXPECT_EQ(0, memcmp(bbuf[0], "abc", 3));

	/* Writers. */
	ASSERT_EQ(4, fill_ring(fds[1], 1000));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_timespec d = kt_ts_at(kt_now_ns() + CHILD_WAIT_NS);
		uint32_t rv = 0;
		int ret = chwait(fds[1], KIPC_WAIT_DEADLINE, &d,
				 KIPC_CHAN_WRITABLE, 0, 0, &rv);

		kt_report(rep[1], 1, ret, rv);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	EXPECT_EQ(1U, __atomic_load_n(&r1->wwait, __ATOMIC_SEQ_CST));
	/* Consume everything by hand. */
	__atomic_store_n(&r1->head, __atomic_load_n(&r1->tail, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
	kt_sleep_ms(100);
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0))
		TH_LOG("woken without a wake");
	EXPECT_EQ(0, chwait(fds[0], 0, NULL, 0, 0, KIPC_CHAN_WAKE_WRITERS,
			    NULL));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ((uint64_t)KIPC_CHAN_WRITABLE, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0U, ch_used(fds[0], 1));

	/* Locks: a kernel sender waits for a lock held by hand. */
	ASSERT_EQ(0U, __atomic_exchange_n(&r0->plock, KIPC_CHAN_LOCK_USER,
					  __ATOMIC_ACQUIRE));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = kipc_channel_send(fds[0], "locked", 6, CHILD_WAIT_NS);

		kt_report(rep[1], 2, ret, 0);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	old = __atomic_exchange_n(&r0->plock, 0, __ATOMIC_RELEASE);
	EXPECT_EQ(KIPC_CHAN_LOCK_USER | KIPC_CHAN_LOCK_WAITERS, old);
	kt_sleep_ms(100);
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0))
		TH_LOG("woken without a wake");
	EXPECT_EQ(0, chwait(fds[0], 0, NULL, 0, 0, KIPC_CHAN_WAKE_LOCKS, NULL));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, 3000));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0U, __atomic_load_n(&r0->plock, __ATOMIC_ACQUIRE));
	EXPECT_EQ(1, kipc_channel_recv(fds[1], bbuf[0], 10, NULL, 0));
	EXPECT_EQ(0, memcmp(bbuf[0], "locked", 6));
	unmap(map);
}

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
 * The unlock is two steps: exchange the word to 0, then, if the waiters
 * bit was set, KIPC_CHAN_IOC_WAIT(WAKE_LOCKS).  A process killed between
 * them must not leave the kernel's waiter asleep on a free lock.
 */
TEST_F(kipc, sigkill_between_unlock_and_wake)
{
	struct kipc_channel_info in;
	struct kt_report r;
	struct thr t;
	pthread_t th;
	int fds[2], rep[2], go[2];
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
		uint32_t zero = 0, old;
		char c;

		if (m == MAP_FAILED)
			_exit(1);
		if (!__atomic_compare_exchange_n(&ring_at(m, 0)->plock, &zero,
						 KIPC_CHAN_LOCK_USER, 0,
						 __ATOMIC_ACQUIRE,
						 __ATOMIC_RELAXED))
			_exit(2);
		kt_report(rep[1], 0, 0, 0);
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		old = __atomic_exchange_n(&ring_at(m, 0)->plock, 0,
					  __ATOMIC_RELEASE);
		/* ... and killed before KIPC_CHAN_WAKE_LOCKS. */
		kt_report(rep[1], 1, 0, old);
		for (;;)
			pause();
	}
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	memset(&t, 0, sizeof(t));
	t.e.fd = fds[0];
	t.sending = true;
	t.ret = 12345;
	t.timeout = 3000 * MS;
	ASSERT_EQ(0, pthread_create(&th, NULL, thr_fn, &t));
	ASSERT_EQ(0, wait_thread_blocked(&t.tid));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	/* The kernel's sender did mark the lock. */
	ASSERT_EQ(KIPC_CHAN_LOCK_USER | KIPC_CHAN_LOCK_WAITERS, r.value);
	t0 = kt_now_ns();
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(256 + SIGKILL, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, t.ret);
	EXPECT_GT(1000 * MS, kt_now_ns() - t0)
		TH_LOG("the sender slept %lld ms on a free lock",
		       (long long)((kt_now_ns() - t0) / MS));
}

/*
 * A sender publishes a record and takes the receivers' wait word, then is
 * killed before KIPC_CHAN_WAKE_READERS: the kernel's receiver must not
 * sleep on with a message in the ring.
 */
TEST_F(kipc, sigkill_between_publish_and_wake)
{
	struct kipc_channel_info in;
	struct kt_report r;
	struct thr t;
	pthread_t th;
	int fds[2], rep[2], go[2];
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
		struct kipc_chan_ring *r0;
		struct kipc_chan_msghdr *h;
		uint32_t zero = 0, old;
		char c;

		if (m == MAP_FAILED)
			_exit(1);
		kt_report(rep[1], 0, 0, 0);
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		r0 = ring_at(m, 0);
		if (!__atomic_compare_exchange_n(&r0->plock, &zero,
						 KIPC_CHAN_LOCK_USER, 0,
						 __ATOMIC_ACQUIRE,
						 __ATOMIC_RELAXED))
			_exit(2);
		h = (void *)(m + in.ring_offset[0] + r0->tail % 4096);
		fill(h + 1, 1000, 9);
		h->len = 1000;
		h->flags = 0;
		__atomic_store_n(&r0->tail, r0->tail + rec(1000),
				 __ATOMIC_RELEASE);
		__atomic_exchange_n(&r0->plock, 0, __ATOMIC_RELEASE);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		old = __atomic_exchange_n(&r0->rwait, 0, __ATOMIC_RELAXED);
		/* ... and killed before KIPC_CHAN_WAKE_READERS. */
		kt_report(rep[1], 1, 0, old);
		for (;;)
			pause();
	}
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	memset(&t, 0, sizeof(t));
	t.e.fd = fds[1];
	t.ret = 12345;
	t.timeout = 3000 * MS;
	ASSERT_EQ(0, pthread_create(&th, NULL, thr_fn, &t));
	ASSERT_EQ(0, wait_thread_blocked(&t.tid));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	/* The receiver was asleep and said so. */
	ASSERT_EQ(1U, r.value);
	t0 = kt_now_ns();
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(256 + SIGKILL, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(1, t.ret);
	EXPECT_GT(1000 * MS, kt_now_ns() - t0)
		TH_LOG("the receiver slept %lld ms with a message queued",
		       (long long)((kt_now_ns() - t0) / MS));
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

/* ---- signals ------------------------------------------------------------------- */

/*
 * A child blocked receiving (or sending on a full ring) without a
 * deadline gets SIGUSR1: without SA_RESTART the call fails with EINTR;
 * with it, the call goes on and completes when the peer acts.
 */
static void check_signal(struct __test_metadata *_metadata, bool fast,
			 bool sending, bool restart)
{
	struct kt_report r;
	int fds[2], rep[2], hp[2];
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 1000));
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	if (sending)
		ASSERT_EQ(4, fill_ring(fds[1], 1000));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ep e = { .fd = fds[1] };
		size_t len = 0;
		int ret;

		if (kt_catch_signal(SIGUSR1, hp[1], restart ? SA_RESTART : 0))
			_exit(91);
		if (fast)
			e.h = attach(fds[1]);
		if (fast && !e.h)
			_exit(92);
		if (sending)
			ret = ep_send_pat(&e, 1000, 5, KIPC_INFINITE);
		else
			ret = ep_recv(&e, bbuf[0], 1000, &len, KIPC_INFINITE);
		kt_report(rep[1], 0, ret, len);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ('h', kt_read_byte(hp[0], KT_CHILD_TIMEOUT_MS));
	if (!restart) {
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(-EINTR, r.ret);
		EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
		/* Nothing was taken or sent. */
		EXPECT_EQ(sending ? 4 * rec(1000) : 0U, ch_used(fds[0], 1));
		return;
	}
	/* The handler ran; the call restarted and blocks again. */
	ASSERT_EQ(0, wait_blocked(pid));
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 0));
	if (sending) {
		ASSERT_EQ(1, kipc_channel_recv(fds[0], bbuf[1], 1000, NULL, 0));
	} else {
		ASSERT_EQ(0, kipc_channel_send(fds[0], "late", 4, 0));
	}
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(sending ? 0 : 1, r.ret);
	if (!sending)
		EXPECT_EQ(4U, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	if (sending)
		EXPECT_EQ(4 * rec(1000), ch_used(fds[0], 1));
}

TEST_F(kipc, signal_eintr_recv_kernel)
{
	check_signal(_metadata, false, false, false);
}

TEST_F(kipc, signal_eintr_recv_fast)
{
	check_signal(_metadata, true, false, false);
}

TEST_F(kipc, signal_eintr_send_kernel)
{
	check_signal(_metadata, false, true, false);
}

TEST_F(kipc, signal_eintr_send_fast)
{
	check_signal(_metadata, true, true, false);
}

TEST_F(kipc, signal_restart_recv_kernel)
{
	check_signal(_metadata, false, false, true);
}

TEST_F(kipc, signal_restart_recv_fast)
{
	check_signal(_metadata, true, false, true);
}

TEST_F(kipc, signal_restart_send_kernel)
{
	check_signal(_metadata, false, true, true);
}

TEST_F(kipc, signal_restart_send_fast)
{
	check_signal(_metadata, true, true, true);
}

/* SA_RESTART keeps the absolute deadline: the wait ends on time. */
TEST_F(kipc, signal_restart_keeps_deadline)
{
	struct kt_report r;
	int fds[2], rep[2], hp[2];
	int64_t end;
	pid_t pid;

	ASSERT_EQ(0, pair_small(fds, 4096, 100));
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(hp));
	end = kt_now_ns() + 400 * MS;
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_timespec dl = kt_ts_at(end);
		struct kipc_chan_msg m = { .buf = (uintptr_t)bbuf[0], .len = 8 };
		int ret;

		if (kt_catch_signal(SIGUSR1, hp[1], SA_RESTART))
			_exit(91);
		ret = xfer_raw(fds[1], KIPC_CHAN_IOC_RECVV, KIPC_WAIT_DEADLINE,
			       &dl, &m, 1);
		kt_report(rep[1], 0, ret, (uint64_t)kt_now_ns());
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ('h', kt_read_byte(hp[0], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-ETIMEDOUT, r.ret);
	EXPECT_LE(end, (int64_t)r.value);
	EXPECT_GT(end + 3000 * MS, (int64_t)r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

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

static uint64_t s_hash(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint32_t s_len(uint32_t p, uint32_t k)
{
	uint64_t h = s_hash((uint64_t)p << 32 | k);

	if (h % 16 == 0)
		return S_MAX;
	return sizeof(struct smsg_hdr) +
	       (h >> 8) % (S_MAX - sizeof(struct smsg_hdr) + 1);
}

static uint32_t s_checksum(const uint8_t *b, uint32_t n)
{
	uint32_t a = 1, c = 0, i;

	for (i = 0; i < n; i++) {
		a = (a + b[i]) % 65521;
		c = (c + a) % 65521;
	}
	return c << 16 | a;
}

static uint32_t s_fill(uint8_t *buf, uint32_t p, uint32_t k)
{
	struct smsg_hdr h = { .producer = p, .seq = k, .len = s_len(p, k) };
	uint8_t *body = buf + sizeof(h);

	fill(body, h.len - sizeof(h), p << 20 | k);
	h.sum = s_checksum(body, h.len - sizeof(h));
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
	if (h.sum != s_checksum(buf + sizeof(h), len - sizeof(h)))
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
