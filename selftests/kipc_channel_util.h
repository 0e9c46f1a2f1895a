/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kipc channel selftests share: the fixture, which also undoes the
 * fast-path handles and raw mappings a test left, and the helpers.
 *
 * Blocking calls in children always have a deadline or are watched by the
 * parent, so a broken module fails a test instead of hanging the suite.
 * Fast-path handles and raw mappings are tracked and undone before the
 * leak-checking teardown, so a failed assertion reports only itself.
 */
#ifndef KIPC_CHANNEL_UTIL_H
#define KIPC_CHANNEL_UTIL_H

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
static inline struct kipc_ring *attach(int fd)
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

static inline void detach(struct kipc_ring *h)
{
	int i;

	for (i = 0; i < CH_MAX_TRACK; i++)
		if (ch_handles[i] == h)
			ch_handles[i] = NULL;
	kipc_ring_detach(h);
}

/* mmap(2) of a channel fd as is: the address, or NULL with errno set. */
static inline void *map_raw(int fd, size_t len, int prot, int flags, off_t off)
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

static inline void unmap(void *p)
{
	int i;

	for (i = 0; i < CH_MAX_TRACK; i++)
		if (ch_maps[i].addr == p) {
			munmap(p, ch_maps[i].len);
			ch_maps[i].addr = NULL;
		}
}

static inline void ch_untrack_all(void)
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
KT_FIXTURE_NAMED(kipc, ch_untrack_all())

/* ---- helpers ------------------------------------------------------------ */

static inline uint32_t pg(void)
{
	return (uint32_t)kt_page_size();
}

/* Bytes of a record of a @len-byte message in a ring. */
static inline uint32_t rec(uint32_t len)
{
	return HDR + ((len + 7) & ~7U);
}

static inline int pair_attr(int fds[2], uint32_t cap0, uint32_t cap1, uint32_t max0,
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
static inline int pair_small(int fds[2], uint32_t cap, uint32_t max)
{
	return pair_attr(fds, cap, cap, max, max, 0);
}

static inline int ch_info(int fd, struct kipc_channel_info *in)
{
	return kipc_channel_info(fd, in);
}

static inline uint32_t ch_used(int fd, int ring)
{
	struct kipc_channel_info in;

	if (ch_info(fd, &in))
		return UINT32_MAX - 1;
	return in.used[ring];
}

static inline uint32_t ch_state(int fd)
{
	struct kipc_channel_info in;

	if (ch_info(fd, &in))
		return UINT32_MAX;
	return in.state;
}

static inline uint64_t stats_objects(void)
{
	struct kipc_stats s;

	return kt_stats(&s) ? UINT64_MAX : s.objects;
}

/* KIPC_CHAN_IOC_SENDV or RECVV as is: the count, or -errno. */
static inline int xfer_raw(int fd, unsigned long cmd, uint32_t flags,
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
static inline int chwait(int fd, uint32_t flags, const struct kipc_timespec *dl,
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
static inline uint8_t pat(uint32_t seed, uint32_t i)
{
	uint32_t x = seed * 2654435761U + i * 40503U;

	return (uint8_t)(x ^ (x >> 13) ^ (i >> 8));
}

static inline void fill(void *buf, uint32_t len, uint32_t seed)
{
	uint8_t *b = buf;
	uint32_t i;

	for (i = 0; i < len; i++)
		b[i] = pat(seed, i);
}

static inline bool check(const void *buf, uint32_t len, uint32_t seed)
{
	const uint8_t *b = buf;
	uint32_t i;

	for (i = 0; i < len; i++)
		if (b[i] != pat(seed, i))
			return false;
	return true;
}

/* Poll @fd for reading, writing and hang-ups now: revents, or -errno. */
static inline int poll_now(int fd)
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

static inline int ep_send(struct ep *e, const void *b, size_t len, int64_t t)
{
	return e->h ? kipc_ring_send(e->h, b, len, t) :
		      kipc_channel_send(e->fd, b, len, t);
}

static inline int ep_recv(struct ep *e, void *b, size_t size, size_t *len, int64_t t)
{
	return e->h ? kipc_ring_recv(e->h, b, size, len, t) :
		      kipc_channel_recv(e->fd, b, size, len, t);
}

static inline int ep_sendv(struct ep *e, const struct kipc_chan_msg *m,
			   unsigned int n, int64_t t)
{
	return e->h ? kipc_ring_sendv(e->h, m, n, t) :
		      kipc_channel_sendv(e->fd, m, n, t);
}

static inline int ep_recvv(struct ep *e, struct kipc_chan_msg *m, unsigned int n,
			   int64_t t)
{
	return e->h ? kipc_ring_recvv(e->h, m, n, t) :
		      kipc_channel_recvv(e->fd, m, n, t);
}

/* Send @len bytes of pattern @seed: 0 or -errno. */
static inline int ep_send_pat(struct ep *e, uint32_t len, uint32_t seed, int64_t t)
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
static inline int ep_recv_pat(struct ep *e, uint32_t len, uint32_t seed, int64_t t)
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
static inline int write_pat(int fd, uint32_t len, uint32_t seed)
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
static inline int wait_blocked(pid_t pid)
{
	int err = kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS);

	kt_sleep_ms(30);
	return err;
}

static inline int wait_thread_blocked(volatile pid_t *tid)
{
	int err = kt_wait_thread_sleeping(tid, KT_CHILD_TIMEOUT_MS);

	kt_sleep_ms(30);
	return err;
}

/* Fill ring @fd -> peer with @len-byte messages until it is full. */
static inline int fill_ring(int fd, uint32_t len)
{
	uint8_t buf[4096];
	int n = 0, r;

	memset(buf, 0x5a, sizeof(buf));
	while ((r = kipc_channel_send(fd, buf, len, 0)) == 0)
		n++;
	return r == -EAGAIN ? n : r;
}

/* The control page's rings in a mapping. */
static inline struct kipc_chan_ring *ring_at(void *map, int n)
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

/*
 * The call must fail with -@err and leave no object, charge or fd (a pair
 * may create an object and destroy it again).
 */
#define EXPECT_FAILS_NO_CHANGE(call, err) \
	KT_EXPECT_FAILS_NO_CHANGE(call, err, false)

/* Create an anonymous channel with @a of @size bytes as is. */
static inline int create_chan_attr(const void *a, uint32_t size)
{
	return kt_create_type(KIPC_TYPE_CHANNEL, a, size, NULL, 0);
}

#define EXPECT_CREATE_FAILS(a, size, err) \
	KT_EXPECT_CREATE_FAILS(KIPC_TYPE_CHANNEL, a, size, err)

static inline uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245U + 12345U;
	return *s >> 8;
}

/* Length of message @seq in the order tests. */
static inline uint32_t seq_len(uint32_t seq, uint32_t max)
{
	uint32_t h = seq * 2654435761U;

	h ^= h >> 15;
	if (h % 23 == 0)
		return max;
	if (h % 7 == 0)
		return 0;
	return h % (max + 1);
}

static uint8_t bbuf[16][1100];

struct thr {
	struct ep e;
	bool sending;
	volatile pid_t tid;
	int ret;
	int64_t timeout;
};

static inline void *thr_fn(void *arg)
{
	struct thr *t = arg;

	t->tid = kt_gettid();
	if (t->sending)
		t->ret = ep_send_pat(&t->e, 1000, 9, t->timeout);
	else
		t->ret = ep_recv(&t->e, bbuf[15], 1000, NULL, t->timeout);
	return NULL;
}

#endif /* KIPC_CHANNEL_UTIL_H */
