// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc channels: the fd functions go through the kernel's ioctls; a
 * struct kipc_ring maps the rings and sends and receives in user space,
 * following the protocol described in uapi/linux/kipc.h, and enters the
 * kernel only to sleep and to wake the peer.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define HDR	((uint32_t)sizeof(struct kipc_chan_msghdr))
#define DEFAULT_SPIN_NS	50000

/* ---- through the kernel ------------------------------------------------ */

KIPC_EXPORT int kipc_channel_create(const char *name, uint32_t mode,
				    const struct kipc_channel_attr *attr,
				    uint32_t fdflags)
{
	return kipc_create(KIPC_TYPE_CHANNEL, name, mode, attr,
			   attr ? sizeof(*attr) : 0, fdflags);
}

KIPC_EXPORT int kipc_channel_connect(const char *name, uint32_t fdflags)
{
	return kipc_open(KIPC_TYPE_CHANNEL, name, fdflags);
}

KIPC_EXPORT int kipc_channel_pair(int fds[2],
				  const struct kipc_channel_attr *attr,
				  uint32_t fdflags)
{
	int fd0, fd1;

	fd0 = kipc_channel_create(NULL, 0600, attr, fdflags);
	if (fd0 < 0)
		return fd0;
	fd1 = kipc_reopen(fd0, fdflags);
	if (fd1 < 0) {
		close(fd0);
		return fd1;
	}
	fds[0] = fd0;
	fds[1] = fd1;
	return 0;
}

KIPC_EXPORT int kipc_channel_info(int fd, struct kipc_channel_info *info)
{
	memset(info, 0, sizeof(*info));
	return kipc_ioctl(fd, KIPC_CHAN_IOC_INFO, info);
}

static int kipc_xfer(int fd, unsigned long cmd, const struct kipc_chan_msg *msgs,
		     unsigned int n, int64_t timeout_ns)
{
	struct kipc_chan_xfer x = {
		.count = n,
		.msgs = (uintptr_t)msgs,
	};
	int ret;

	x.flags = kipc_timeout(timeout_ns, &x.deadline);
	ret = ioctl(fd, cmd, &x);
	return ret < 0 ? -errno : ret;
}

KIPC_EXPORT int kipc_channel_sendv(int fd, const struct kipc_chan_msg *msgs,
				   unsigned int n, int64_t timeout_ns)
{
	return kipc_xfer(fd, KIPC_CHAN_IOC_SENDV, msgs, n, timeout_ns);
}

KIPC_EXPORT int kipc_channel_recvv(int fd, struct kipc_chan_msg *msgs,
				   unsigned int n, int64_t timeout_ns)
{
	return kipc_xfer(fd, KIPC_CHAN_IOC_RECVV, msgs, n, timeout_ns);
}

/*
 * One message, through the fd (@ch NULL) or the mapped ring: both paths
 * are their vectored call with n = 1.
 */
static int kipc_send_one(struct kipc_ring *ch, int fd, const void *msg,
			 size_t len, int64_t timeout_ns)
{
	struct kipc_chan_msg m = { .buf = (uintptr_t)msg, .len = len };
	int ret;

	if (len > UINT32_MAX)
		return -EMSGSIZE;
	ret = ch ? kipc_ring_sendv(ch, &m, 1, timeout_ns) :
		   kipc_channel_sendv(fd, &m, 1, timeout_ns);
	return ret < 0 ? ret : 0;
}

static int kipc_recv_one(struct kipc_ring *ch, int fd, void *buf,
			 size_t size, size_t *len, int64_t timeout_ns)
{
	struct kipc_chan_msg m = {
		.buf = (uintptr_t)buf,
		.len = size > UINT32_MAX ? UINT32_MAX : size,
	};
	int ret;

	ret = ch ? kipc_ring_recvv(ch, &m, 1, timeout_ns) :
		   kipc_channel_recvv(fd, &m, 1, timeout_ns);
	if (len && (ret > 0 || ret == -EMSGSIZE))
		*len = m.len;
	return ret;
}

KIPC_EXPORT int kipc_channel_send(int fd, const void *msg, size_t len,
				  int64_t timeout_ns)
{
	return kipc_send_one(NULL, fd, msg, len, timeout_ns);
}

KIPC_EXPORT int kipc_channel_recv(int fd, void *buf, size_t size, size_t *len,
				  int64_t timeout_ns)
{
	return kipc_recv_one(NULL, fd, buf, size, len, timeout_ns);
}

/* ---- the fast path ---------------------------------------------------------- */

struct kipc_ring {
	int fd;
	unsigned int end;
	void *map;
	size_t map_size;
	unsigned long gen;
	int64_t spin_ns;
	struct kipc_chan_ring *tx, *rx;
	uint8_t *txdata, *rxdata;
	uint32_t txcap, rxcap, txmax, rxmax;
};

static inline void kipc_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
}

/* Bumped in a child after fork(): its parent's mappings are not there. */
static unsigned long kipc_fork_gen;
static pthread_once_t kipc_fork_once = PTHREAD_ONCE_INIT;

static void kipc_fork_child(void)
{
	__atomic_add_fetch(&kipc_fork_gen, 1, __ATOMIC_RELAXED);
}

/* Spin iterations per microsecond, measured once (no clock in the loop). */
static double kipc_spin_per_us = 1.0;

static void kipc_calibrate_spin(void)
{
	volatile uint32_t word = 0;
	struct timespec a, b;
	unsigned int i, n = 1U << 14;
	double us;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		(void)word;
		kipc_cpu_relax();
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	us = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
	if (us > 0)
		kipc_spin_per_us = n / us;
}

static void kipc_lib_init(void)
{
	pthread_atfork(NULL, NULL, kipc_fork_child);
	kipc_calibrate_spin();
}

static int64_t kipc_default_spin(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN) > 1 ? DEFAULT_SPIN_NS : 0;
}

/* 1 + this thread's CPU now (glibc reads it from rseq: no system call). */
static uint32_t kipc_cpu_word(void)
{
	int cpu = sched_getcpu();

	return cpu < 0 ? 0 : (uint32_t)cpu + 1;
}

static void kipc_note_cpu(uint32_t *word)
{
	uint32_t me = kipc_cpu_word();

	if (__atomic_load_n(word, __ATOMIC_RELAXED) != me)
		__atomic_store_n(word, me, __ATOMIC_RELAXED);
}

/*
 * Spinning helps only if the peer can run meanwhile: when the peer's
 * last CPU is known and is not ours.  Records ours in @mine.
 */
static int kipc_spin_worth(const struct kipc_ring *ch, uint32_t *mine,
			   const uint32_t *peer)
{
	uint32_t me = kipc_cpu_word(), other;

	if (!ch->spin_ns)
		return 0;
	kipc_note_cpu(mine);
	other = __atomic_load_n(peer, __ATOMIC_RELAXED);
	return me && other && other != me;
}

static int kipc_ring_mapped(const struct kipc_ring *ch)
{
	return ch->map &&
	       ch->gen == __atomic_load_n(&kipc_fork_gen, __ATOMIC_RELAXED);
}

KIPC_EXPORT int kipc_ring_attach(int fd, struct kipc_ring **out)
{
	struct kipc_channel_info in;
	struct kipc_ring *ch;
	unsigned int e;
	uint8_t *base;
	void *map;
	int err;

	err = kipc_channel_info(fd, &in);
	if (err)
		return err;
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return -ENOMEM;
	pthread_once(&kipc_fork_once, kipc_lib_init);
	e = in.end;
	ch->fd = fd;
	ch->end = e;
	ch->spin_ns = kipc_default_spin();
	ch->gen = __atomic_load_n(&kipc_fork_gen, __ATOMIC_RELAXED);
	map = mmap(NULL, in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		*out = ch;	/* another process maps this end: use the kernel */
		return 0;
	}
	base = map;
	ch->map = map;
	ch->map_size = in.map_size;
	ch->tx = (struct kipc_chan_ring *)base + e;
	ch->rx = (struct kipc_chan_ring *)base + (1 - e);
	ch->txdata = base + in.ring_offset[e];
	ch->rxdata = base + in.ring_offset[1 - e];
	ch->txcap = in.capacity[e];
	ch->rxcap = in.capacity[1 - e];
	ch->txmax = in.max_msg[e];
	ch->rxmax = in.max_msg[1 - e];
	*out = ch;
	return 0;
}

KIPC_EXPORT void kipc_ring_detach(struct kipc_ring *ch)
{
	if (!ch)
		return;
	if (kipc_ring_mapped(ch))
		munmap(ch->map, ch->map_size);
	free(ch);
}

KIPC_EXPORT int kipc_ring_fd(const struct kipc_ring *ch)
{
	return ch->fd;
}

KIPC_EXPORT void kipc_ring_set_spin(struct kipc_ring *ch, int64_t ns)
{
	ch->spin_ns = ns < 0 ? 0 : ns;
}

static inline uint32_t kipc_rec(uint32_t len)
{
	return HDR + ((len + 7) & ~7U);
}

static inline uint32_t kipc_load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static int kipc_try_lock(uint32_t *word)
{
	uint32_t zero = 0;

	return __atomic_compare_exchange_n(word, &zero, KIPC_CHAN_LOCK_USER, 0,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static int kipc_wait(struct kipc_ring *ch, uint32_t events, uint32_t need,
		     uint32_t wake, uint32_t flags,
		     const struct kipc_timespec *deadline)
{
	struct kipc_chan_wait w = {
		.flags = flags,
		.events = events,
		.need = need,
		.wake = wake,
	};

	if (flags & KIPC_WAIT_DEADLINE)
		w.deadline = *deadline;
	return kipc_ioctl(ch->fd, KIPC_CHAN_IOC_WAIT, &w);
}

static void kipc_unlock(struct kipc_ring *ch, uint32_t *word)
{
	if (__atomic_exchange_n(word, 0, __ATOMIC_RELEASE) &
	    KIPC_CHAN_LOCK_WAITERS)
		kipc_wait(ch, 0, 0, KIPC_CHAN_WAKE_LOCKS, 0, NULL);
}

/* After publishing or freeing: whether the peer sleeps and needs a wake. */
static int kipc_wake_needed(uint32_t *word)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(word, __ATOMIC_RELAXED) &&
	       __atomic_exchange_n(word, 0, __ATOMIC_RELAXED);
}

static void kipc_wake(struct kipc_ring *ch, uint32_t *word, uint32_t what)
{
	if (kipc_wake_needed(word))
		kipc_wait(ch, 0, 0, what, 0, NULL);
}

/* Free bytes in the send ring, or -1 if its indices are corrupt. */
static int64_t kipc_tx_free(const struct kipc_ring *ch)
{
	uint32_t tail = __atomic_load_n(&ch->tx->tail, __ATOMIC_RELAXED);
	uint32_t head = kipc_load(&ch->tx->head);

	if (((tail | head) & 7) || tail - head > ch->txcap)
		return -1;
	return ch->txcap - (tail - head);
}

/* Bytes queued in the receive ring, or -1 if corrupt. */
static int64_t kipc_rx_used(const struct kipc_ring *ch)
{
	uint32_t head = __atomic_load_n(&ch->rx->head, __ATOMIC_RELAXED);
	uint32_t tail = kipc_load(&ch->rx->tail);

	if (((tail | head) & 7) || tail - head > ch->rxcap)
		return -1;
	return tail - head;
}

static int kipc_peer_closed_tx(const struct kipc_ring *ch)
{
	return kipc_load(&ch->tx->closed) & KIPC_CHAN_CLOSED_RECEIVER;
}

static int kipc_peer_closed_rx(const struct kipc_ring *ch)
{
	return kipc_load(&ch->rx->closed) & KIPC_CHAN_CLOSED_SENDER;
}

/* Spin up to the handle's budget for room for @need bytes; 1 if there. */
static uint64_t kipc_spin_iters(const struct kipc_ring *ch)
{
	return (uint64_t)(ch->spin_ns / 1000.0 * kipc_spin_per_us);
}

static int kipc_spin_tx(const struct kipc_ring *ch, uint32_t need)
{
	uint64_t i, n = kipc_spin_iters(ch);

	if (!kipc_spin_worth(ch, &ch->tx->pcpu, &ch->tx->ccpu))
		return 0;
	for (i = 0; i < n; i++) {
		int64_t f = kipc_tx_free(ch);

		if (f < 0 || f >= need || kipc_peer_closed_tx(ch))
			return 1;
		kipc_cpu_relax();
	}
	return 0;
}

static int kipc_spin_rx(const struct kipc_ring *ch)
{
	uint64_t i, n = kipc_spin_iters(ch);

	if (!kipc_spin_worth(ch, &ch->rx->ccpu, &ch->rx->pcpu))
		return 0;
	for (i = 0; i < n; i++) {
		if (kipc_rx_used(ch) || kipc_peer_closed_rx(ch))
			return 1;
		kipc_cpu_relax();
	}
	return 0;
}

/*
 * Sleep until @events (for @need bytes of room) or the deadline; the
 * deadline is made from @timeout_ns on the first call.
 */
struct kipc_waitctx {
	int64_t timeout_ns;
	int have_deadline;
	uint32_t flags;
	struct kipc_timespec deadline;
};

static int kipc_block(struct kipc_ring *ch, struct kipc_waitctx *wc,
		      uint32_t events, uint32_t need, uint32_t wake)
{
	if (!wc->have_deadline) {
		wc->flags = kipc_timeout(wc->timeout_ns, &wc->deadline);
		wc->have_deadline = 1;
	}
	return kipc_wait(ch, events, need, wake, wc->flags, &wc->deadline);
}

/* Write messages into the send ring, under plock; returns how many fit. */
static unsigned int kipc_put_batch(struct kipc_ring *ch,
				   const struct kipc_chan_msg *msgs,
				   unsigned int n, uint32_t free)
{
	uint32_t tail = __atomic_load_n(&ch->tx->tail, __ATOMIC_RELAXED);
	uint32_t mask = ch->txcap - 1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint32_t len = msgs[i].len, rec = kipc_rec(len);
		struct kipc_chan_msghdr *h;

		if (len > ch->txmax || msgs[i].flags || rec > free)
			break;
		h = (struct kipc_chan_msghdr *)(ch->txdata + (tail & mask));
		memcpy(h + 1, (const void *)(uintptr_t)msgs[i].buf, len);
		h->len = len;
		h->flags = 0;
		tail += rec;
		free -= rec;
	}
	if (i)
		__atomic_store_n(&ch->tx->tail, tail, __ATOMIC_RELEASE);
	return i;
}

/*
 * Send through the ring.  With @defer, a wake the peer needs is not done
 * but reported in *@defer, for the caller to fold into its next wait.
 */
static int kipc_sendv(struct kipc_ring *ch, const struct kipc_chan_msg *msgs,
		      unsigned int n, int64_t timeout_ns, int *defer)
{
	struct kipc_waitctx wc = { .timeout_ns = timeout_ns };
	unsigned int done;
	int64_t free;
	int err;

	if (!kipc_ring_mapped(ch))
		return kipc_channel_sendv(ch->fd, msgs,
					  n > KIPC_CHAN_MAX_BATCH ?
					  KIPC_CHAN_MAX_BATCH : n, timeout_ns);
	if (!n || msgs[0].flags)
		return -EINVAL;
	if (msgs[0].len > ch->txmax)
		return -EMSGSIZE;
	for (;;) {
		if (kipc_peer_closed_tx(ch))
			return -EPIPE;
		if (!kipc_try_lock(&ch->tx->plock))
			return kipc_channel_sendv(ch->fd, msgs,
						  n > KIPC_CHAN_MAX_BATCH ?
						  KIPC_CHAN_MAX_BATCH : n,
						  timeout_ns);
		free = kipc_tx_free(ch);
		done = free < 0 ? 0 : kipc_put_batch(ch, msgs, n, free);
		if (ch->spin_ns)
			kipc_note_cpu(&ch->tx->pcpu);
		kipc_unlock(ch, &ch->tx->plock);
		if (free < 0)
			return -EIO;
		if (done) {
			if (defer)
				*defer = kipc_wake_needed(&ch->tx->rwait);
			else
				kipc_wake(ch, &ch->tx->rwait,
					  KIPC_CHAN_WAKE_READERS);
			return done;
		}
		if (!timeout_ns) {
			__atomic_store_n(&ch->tx->wwait, 1, __ATOMIC_SEQ_CST);
			return -EAGAIN;
		}
		if (kipc_spin_tx(ch, kipc_rec(msgs[0].len)))
			continue;
		err = kipc_block(ch, &wc, KIPC_CHAN_WRITABLE,
				 kipc_rec(msgs[0].len), 0);
		if (err)
			return err;
	}
}

KIPC_EXPORT int kipc_ring_sendv(struct kipc_ring *ch,
				const struct kipc_chan_msg *msgs,
				unsigned int n, int64_t timeout_ns)
{
	return kipc_sendv(ch, msgs, n, timeout_ns, NULL);
}

KIPC_EXPORT int kipc_ring_send(struct kipc_ring *ch, const void *msg,
			       size_t len, int64_t timeout_ns)
{
	return kipc_send_one(ch, -1, msg, len, timeout_ns);
}

/*
 * Read messages from the receive ring, under clock.  Returns how many
 * were taken, or -EMSGSIZE / -EIO for the first.
 */
static int kipc_get_batch(struct kipc_ring *ch, struct kipc_chan_msg *msgs,
			  unsigned int n, uint32_t used)
{
	uint32_t head = __atomic_load_n(&ch->rx->head, __ATOMIC_RELAXED);
	uint32_t mask = ch->rxcap - 1;
	unsigned int i;
	int err = 0;

	for (i = 0; i < n && used; i++) {
		const struct kipc_chan_msghdr *h;
		uint32_t len;

		if (msgs[i].flags) {
			err = -EINVAL;
			break;
		}
		h = (const void *)(ch->rxdata + (head & mask));
		len = __atomic_load_n(&h->len, __ATOMIC_RELAXED);
		if (len > ch->rxmax || kipc_rec(len) > used) {
			err = -EIO;
			break;
		}
		if (len > msgs[i].len) {
			msgs[i].len = len;
			err = -EMSGSIZE;
			break;
		}
		memcpy((void *)(uintptr_t)msgs[i].buf, h + 1, len);
		msgs[i].len = len;
		head += kipc_rec(len);
		used -= kipc_rec(len);
	}
	if (i)
		__atomic_store_n(&ch->rx->head, head, __ATOMIC_RELEASE);
	return i ? (int)i : err;
}

static int kipc_recvv_loop(struct kipc_ring *ch, struct kipc_chan_msg *msgs,
			   unsigned int n, struct kipc_waitctx *wc,
			   uint32_t *wake)
{
	int64_t used;
	int ret;

	if (!n)
		return -EINVAL;
	for (;;) {
		if (!kipc_try_lock(&ch->rx->clock)) {
			if (*wake)
				kipc_wait(ch, 0, 0, *wake, 0, NULL);
			*wake = 0;
			return kipc_channel_recvv(ch->fd, msgs,
						  n > KIPC_CHAN_MAX_BATCH ?
						  KIPC_CHAN_MAX_BATCH : n,
						  wc->timeout_ns);
		}
		used = kipc_rx_used(ch);
		ret = used < 0 ? -EIO : used ? kipc_get_batch(ch, msgs, n, used) : 0;
		if (ch->spin_ns)
			kipc_note_cpu(&ch->rx->ccpu);
		kipc_unlock(ch, &ch->rx->clock);
		if (ret > 0)
			kipc_wake(ch, &ch->rx->wwait, KIPC_CHAN_WAKE_WRITERS);
		if (ret)
			return ret;
		if (kipc_peer_closed_rx(ch)) {
			/* Whatever the peer sent before closing is visible. */
			if (!kipc_rx_used(ch))
				return 0;
			continue;
		}
		if (!wc->timeout_ns) {
			__atomic_store_n(&ch->rx->rwait, 1, __ATOMIC_SEQ_CST);
			return -EAGAIN;
		}
		if (ch->spin_ns && *wake) {
			/* The peer must run to answer: wake it before spinning. */
			kipc_wait(ch, 0, 0, *wake, 0, NULL);
			*wake = 0;
		}
		if (kipc_spin_rx(ch))
			continue;
		ret = kipc_block(ch, wc, KIPC_CHAN_READABLE, 0, *wake);
		*wake = 0;
		if (ret)
			return ret;
	}
}

/*
 * Receive through the ring.  @wake is a wake owed to the peer: it is done
 * by the first kernel entry, at the latest before returning.
 */
static int kipc_recvv(struct kipc_ring *ch, struct kipc_chan_msg *msgs,
		      unsigned int n, int64_t timeout_ns, uint32_t wake)
{
	struct kipc_waitctx wc = { .timeout_ns = timeout_ns };
	int ret = kipc_recvv_loop(ch, msgs, n, &wc, &wake);

	if (wake)
		kipc_wait(ch, 0, 0, wake, 0, NULL);
	return ret;
}

KIPC_EXPORT int kipc_ring_recvv(struct kipc_ring *ch,
				struct kipc_chan_msg *msgs, unsigned int n,
				int64_t timeout_ns)
{
	if (!kipc_ring_mapped(ch))
		return kipc_channel_recvv(ch->fd, msgs,
					  n > KIPC_CHAN_MAX_BATCH ?
					  KIPC_CHAN_MAX_BATCH : n, timeout_ns);
	return kipc_recvv(ch, msgs, n, timeout_ns, 0);
}

KIPC_EXPORT int kipc_ring_recv(struct kipc_ring *ch, void *buf, size_t size,
			       size_t *len, int64_t timeout_ns)
{
	return kipc_recv_one(ch, -1, buf, size, len, timeout_ns);
}

static int64_t kipc_mono_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec * 1000000000LL + now.tv_nsec;
}

/* What is left of @timeout_ns begun at @start: the receive gets the rest. */
static int64_t kipc_time_left(int64_t timeout_ns, int64_t start)
{
	int64_t left;

	if (timeout_ns <= 0)
		return timeout_ns;
	left = timeout_ns - (kipc_mono_ns() - start);
	return left > 0 ? left : 0;
}

KIPC_EXPORT int kipc_ring_call(struct kipc_ring *ch, const void *msg,
			       size_t len, void *buf, size_t size,
			       size_t *rlen, int64_t timeout_ns)
{
	struct kipc_chan_msg m = { .buf = (uintptr_t)msg, .len = len };
	int64_t start = timeout_ns > 0 ? kipc_mono_ns() : 0;
	int ret, defer = 0;

	if (rlen)
		*rlen = SIZE_MAX;	/* not sent, until it is */
	if (len > UINT32_MAX)
		return -EMSGSIZE;
	if (!kipc_ring_mapped(ch))
		ret = kipc_channel_send(ch->fd, msg, len, timeout_ns);
	else
		ret = kipc_sendv(ch, &m, 1, timeout_ns, &defer);
	if (ret < 0)
		return ret;
	if (rlen)
		*rlen = 0;
	timeout_ns = kipc_time_left(timeout_ns, start);
	if (!kipc_ring_mapped(ch))
		return kipc_channel_recv(ch->fd, buf, size, rlen, timeout_ns);
	m.buf = (uintptr_t)buf;
	m.len = size > UINT32_MAX ? UINT32_MAX : size;
	ret = kipc_recvv(ch, &m, 1, timeout_ns,
			 defer ? KIPC_CHAN_WAKE_READERS : 0);
	if (rlen && (ret > 0 || ret == -EMSGSIZE))
		*rlen = m.len;
	return ret;
}
