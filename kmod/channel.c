// SPDX-License-Identifier: GPL-2.0
/*
 * Channels: two ends, a ring of whole messages in each direction.
 *
 * The rings are shared memory that either end may map (see the uapi
 * header), so that libkipc can send and receive without entering the
 * kernel; the kernel is needed only to sleep, to wake the peer, and for
 * callers that do not map (the ioctls, read(2) and write(2)).  Both paths
 * follow the same protocol on the shared indices:
 *
 *  - Senders of a ring serialize with its plock word, receivers with its
 *    clock word; user space takes them with a compare-and-swap and falls
 *    back to the kernel when that fails, the kernel sleeps for them
 *    (setting KIPC_CHAN_LOCK_WAITERS).
 *  - A sleeper sets rwait or wwait, then (after a full barrier) checks the
 *    indices; whoever publishes or frees space does a full barrier and, if
 *    the word was set, clears it and wakes the sleepers.
 *
 * Every index and length the kernel reads from the shared page is checked
 * before it is used: the kernel only ever copies between user memory and
 * the ring's own pages, and a corrupted ring makes calls fail with EIO.
 *
 * Lifetime: every file of an end, and every mapping, holds a reference to
 * the object.  A mapping's file is a private one, so that closing the last
 * fd of an end closes the end even while the process still maps it.  One
 * process at a time may map an end (EBUSY for another): user-space lock
 * holders are then known, and when its last mapping of the end goes away
 * (munmap, exit) the locks it may hold are released.
 *
 * Locking: see docs/design.md, section 7.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/cache.h>
#include <linux/file.h>
#include <linux/kipc_netlink.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <kunit/visibility.h>
#include <net/netlink.h>

#include "kipc.h"

#define KIPC_CHAN_HDR	sizeof(struct kipc_chan_msghdr)

/**
 * struct kipc_chan_dir - one ring, messages from end @n to end 1 - @n
 * @ring: its indices, in the shared control page
 * @data: its data, mapped twice in a row in kernel space
 * @cap: capacity in bytes, a power of two
 * @max_msg: largest payload
 * @send_mutex: serializes the kernel's senders (taken before @ring->plock)
 * @msgs_in: messages the kernel's senders put in, under @send_mutex
 * @bytes_in: their payload bytes, under @send_mutex
 * @recv_mutex: serializes the kernel's receivers (before @ring->clock)
 * @msgs_out: messages the kernel's receivers took out, under @recv_mutex
 * @bytes_out: their payload bytes, under @recv_mutex
 *
 * The counters are the ring's share of the channel's &kipc_counters,
 * kept here because no one lock covers both rings' senders (or
 * receivers); kipc_chan_fold_counters() adds them up.  Messages sent and
 * received on the mapped ring in user space are not counted.  The
 * receivers' mutex and counters start a cache line of their own, so that
 * a ring's kernel sender and receiver write no line in common.
 */
struct kipc_chan_dir {
	struct kipc_chan_ring *ring;
	u8 *data;
	u32 cap;
	u32 max_msg;
	struct mutex send_mutex;	/* the kernel's senders */
	u64 msgs_in;
	u64 bytes_in;
	/* the kernel's receivers */
	struct mutex recv_mutex ____cacheline_aligned_in_smp;
	u64 msgs_out;
	u64 bytes_out;
};

/**
 * struct kipc_chan_obj - a channel
 * @obj: the common part
 * @dir: ring 0 (end 0 to end 1) and ring 1
 * @wq: waiters of each end: its receivers, its senders, poll, and the
 *	kernel waiting for the end's locks
 * @vaddr: kernel mapping of the control page and both rings (each twice)
 * @pages: the distinct pages
 * @nr_pages: their number
 * @map_size: bytes of a full mapping
 * @lock: protects @files, @attached, @closed, @map_mm, @nmaps and
 *	@obj.counters (kipc_chan_fold_counters(), kipc_chan_count_wait())
 * @files: open files of each end
 * @attached: the end has been opened (end 1: connected); written with
 *	WRITE_ONCE(), as INFO reads it without @lock
 * @closed: the end was open and its last file is gone
 * @map_mm: the address space that maps the end, if @nmaps
 * @nmaps: mappings (vmas) of the end
 *
 * @lock is a leaf: nothing sleeps and nothing else is locked under it; it
 * is taken under the mmap lock (mapping and unmapping).  A ring's
 * send_mutex (recv_mutex) is held across the wait for its plock (clock)
 * on @wq[end] and, with the word, across the copies from and to user
 * space; @lock is never taken under either, and every wake of @wq follows
 * the release (docs/design.md, section 7).
 */
struct kipc_chan_obj {
	struct kipc_object obj;
	struct kipc_chan_dir dir[2];
	wait_queue_head_t wq[2];
	void *vaddr;
	struct page **pages;
	unsigned int nr_pages;
	u64 map_size;
	spinlock_t lock;	/* the fields below */
	unsigned int files[2];
	bool attached[2];
	bool closed[2];
	struct mm_struct *map_mm[2];
	unsigned int nmaps[2];
};

static inline struct kipc_chan_obj *to_chan(struct kipc_object *obj)
{
	return container_of(obj, struct kipc_chan_obj, obj);
}

static inline u32 kipc_chan_rec(u32 len)
{
	return KIPC_CHAN_HDR + ALIGN(len, 8);
}

/*
 * Whether the other end is closed.  An acquire: the indices read after it
 * are at least those the peer published before it closed, so a receiver
 * that sees the close and an empty ring has missed nothing.
 */
static bool kipc_chan_peer_closed(struct kipc_chan_obj *ch, unsigned int end)
{
	/* Pairs with the release in kipc_chan_obj_detach(). */
	return smp_load_acquire(&ch->closed[1 - end]);
}

/* ---- the shared indices -------------------------------------------- */

/*
 * Bytes queued in @d, or a value above the capacity if the indices are
 * corrupt (not 8-byte aligned, or further apart than the capacity).  Each
 * index is read once; the values checked are the ones returned.
 *
 * @tail is read with an acquire (the receiver must see the records it
 * covers).  @head is a plain READ_ONCE(): the kernel sender's copy into
 * the space @head frees (kipc_chan_put()) is a store that depends, through
 * the room check, on the value read, and a store is never made before
 * the load its condition depends on (a control dependency, LKMM), so it
 * cannot overwrite bytes the receiver is still copying out: the receiver
 * releases @head only after its copy (kipc_chan_get()).  libkipc, without
 * that guarantee from C11, uses an acquire.
 */
static u32 kipc_chan_span(const struct kipc_chan_dir *d, u32 *head, u32 *tail)
{
	*head = READ_ONCE(d->ring->head);
	/* Pairs with the sender's release of tail: the records are there. */
	*tail = smp_load_acquire(&d->ring->tail);
	if ((*head | *tail) & 7)
		return U32_MAX;
	return *tail - *head;
}

static u32 kipc_chan_used(const struct kipc_chan_dir *d)
{
	u32 head, tail;

	return kipc_chan_span(d, &head, &tail);
}

/*
 * Wake the sleepers of @end if @word says there may be some, and signal
 * it ready with @band (POLL_IN for rwait, POLL_OUT for wwait).
 */
static void kipc_chan_wake(struct kipc_chan_obj *ch, u32 *word, unsigned int end,
			   int band)
{
	smp_mb();	/* order the index update before reading @word */
	if (READ_ONCE(*word) && xchg(word, 0)) {
		wake_up_all(&ch->wq[end]);
		kipc_signal_ready(&ch->obj, end, band);
		/* Signals wanted: the next publish must wake again. */
		if (kipc_signal_armed(&ch->obj, end))
			WRITE_ONCE(*word, 1);
	}
}

/*
 * Take a ring's plock or clock for the kernel; sleeps, interruptibly,
 * reported as waiting for @what (to send, to receive), and sets *@blocked
 * if it did.
 */
struct kipc_chan_lockarg {
	u32 *word;
};

static u32 kipc_chan_lock_free(void *arg)
{
	struct kipc_chan_lockarg *la = arg;

	return !READ_ONCE(*la->word);
}

static int kipc_chan_lock(struct kipc_chan_obj *ch, unsigned int end, u32 *word,
			  u32 what, bool nonblock, ktime_t deadline,
			  bool *blocked)
{
	struct kipc_chan_lockarg la = { .word = word };
	bool slept;
	u32 old, dummy;
	int err;

	for (;;) {
		old = cmpxchg(word, 0, KIPC_CHAN_LOCK_KERNEL);
		if (!old)
			return 0;
		if (!(old & KIPC_CHAN_LOCK_WAITERS) &&
		    cmpxchg(word, old, old | KIPC_CHAN_LOCK_WAITERS) != old)
			continue;
		err = kipc_wq_sleep(&ch->wq[end], what, kipc_chan_lock_free,
				    &la, nonblock, deadline, &dummy, &slept);
		*blocked |= slept;
		if (err)
			return err;
	}
}

static void kipc_chan_unlock(struct kipc_chan_obj *ch, unsigned int end,
			     u32 *word)
{
	if (xchg(word, 0) & KIPC_CHAN_LOCK_WAITERS)
		wake_up_all(&ch->wq[end]);
}

/* ---- waiting -------------------------------------------------------------- */

struct kipc_chan_waitarg {
	struct kipc_chan_obj *ch;
	unsigned int end;
	u32 events;
	u32 need;
};

/* What of @wa->events is true now; sets the wait words first. */
static u32 kipc_chan_ready(void *arg)
{
	struct kipc_chan_waitarg *wa = arg;
	struct kipc_chan_dir *tx = &wa->ch->dir[wa->end];
	struct kipc_chan_dir *rx = &wa->ch->dir[1 - wa->end];
	u32 rev = 0, used;

	if (wa->events & KIPC_CHAN_READABLE)
		WRITE_ONCE(rx->ring->rwait, 1);
	if (wa->events & KIPC_CHAN_WRITABLE)
		WRITE_ONCE(tx->ring->wwait, 1);
	smp_mb();	/* publish the wait words before reading indices */

	if ((wa->events & KIPC_CHAN_READABLE) && kipc_chan_used(rx))
		rev |= KIPC_CHAN_READABLE;
	if (wa->events & KIPC_CHAN_WRITABLE) {
		used = kipc_chan_used(tx);
		if (used > tx->cap || tx->cap - used >= wa->need)
			rev |= KIPC_CHAN_WRITABLE;
	}
	if (kipc_chan_peer_closed(wa->ch, wa->end))
		rev |= KIPC_CHAN_HUP;
	return rev;
}

/*
 * Wait for @events on @end, reported as waiting to send if only room is
 * waited for, else to receive; sets *@blocked if it had to wait.
 */
static int kipc_chan_wait_for(struct kipc_chan_obj *ch, unsigned int end,
			      u32 events, u32 need, bool nonblock,
			      ktime_t deadline, u32 *revents, bool *blocked)
{
	struct kipc_chan_waitarg wa = {
		.ch = ch, .end = end, .events = events, .need = need,
	};
	u32 what = events == KIPC_CHAN_WRITABLE ? KIPC_WAITFOR_SEND :
						  KIPC_WAITFOR_RECEIVE;
	bool slept;
	int err;

	err = kipc_wq_sleep(&ch->wq[end], what, kipc_chan_ready, &wa,
			    nonblock, deadline, revents, &slept);
	*blocked |= slept;
	return err;
}

/*
 * Count a call that had to wait (@blocked), and whether it ended by its
 * deadline (@err), under @ch->lock: taken only by calls that waited,
 * after the wait, with nothing else held.
 */
static void kipc_chan_count_wait(struct kipc_chan_obj *ch, bool blocked,
				 int err)
{
	if (!blocked)
		return;
	spin_lock(&ch->lock);
	kipc_count(&ch->obj.counters.waits, 1);
	if (err == -ETIMEDOUT)
		kipc_count(&ch->obj.counters.timeouts, 1);
	spin_unlock(&ch->lock);
}

/* ---- the kernel's sender and receiver ------------------------------------ */

/*
 * Put one message into @d, under its plock.  Return: 0; -EAGAIN if there
 * is no room; -EFAULT (nothing published); -EIO if the ring is corrupt.
 */
static int kipc_chan_put(struct kipc_chan_dir *d, const void __user *buf,
			 u32 len)
{
	u32 rec = kipc_chan_rec(len), used, head, tail;
	struct kipc_chan_msghdr *hdr;

	used = kipc_chan_span(d, &head, &tail);
	if (used > d->cap)
		return -EIO;
	if (d->cap - used < rec)
		return -EAGAIN;
	hdr = (void *)(d->data + (tail & (d->cap - 1)));
	if (copy_from_user(hdr + 1, buf, len))
		return -EFAULT;
	hdr->len = len;
	hdr->flags = 0;
	/* The record is written before tail shows it (pairs with acquire). */
	smp_store_release(&d->ring->tail, tail + rec);
	return 0;
}

/*
 * Where a call's messages are: a user array of struct kipc_chan_msg
 * (SENDV, RECVV), or one message described in kernel memory (read(2),
 * write(2)).
 */
struct kipc_chan_io {
	struct kipc_chan_msg __user *umsgs;
	struct kipc_chan_msg kmsg;
};

static int kipc_chan_io_msg(struct kipc_chan_io *io, unsigned int i,
			    struct kipc_chan_msg *m)
{
	if (!io->umsgs) {
		*m = io->kmsg;
		return 0;
	}
	if (copy_from_user(m, &io->umsgs[i], sizeof(*m)))
		return -EFAULT;
	return m->flags ? -EINVAL : 0;
}

static int kipc_chan_io_len(struct kipc_chan_io *io, unsigned int i, u32 len)
{
	if (!io->umsgs) {
		io->kmsg.len = len;
		return 0;
	}
	return put_user(len, &io->umsgs[i].len);
}

/*
 * Take message @i of @io from @d, under its clock, its length reported
 * first and, once taken, set in *@taken.  Return: 0; -EAGAIN if empty; -EMSGSIZE if larger than the
 * buffer (the message stays); -EFAULT (it stays); -EIO if the ring is
 * corrupt.
 */
static int kipc_chan_get(struct kipc_chan_dir *d, struct kipc_chan_io *io,
			 unsigned int i, const struct kipc_chan_msg *m,
			 u32 *taken)
{
	u32 used, head, tail, n, size = m->len;
	struct kipc_chan_msghdr *hdr;

	used = kipc_chan_span(d, &head, &tail);
	if (!used)
		return -EAGAIN;
	if (used > d->cap)
		return -EIO;
	hdr = (void *)(d->data + (head & (d->cap - 1)));
	n = READ_ONCE(hdr->len);
	if (n > d->max_msg || kipc_chan_rec(n) > used)
		return -EIO;
	if (kipc_chan_io_len(io, i, n))
		return -EFAULT;
	if (n > size)
		return -EMSGSIZE;
	if (copy_to_user(u64_to_user_ptr(m->buf), hdr + 1, n))
		return -EFAULT;
	/* Copied out before the sender may reuse the space. */
	smp_store_release(&d->ring->head, head + kipc_chan_rec(n));
	*taken = n;
	return 0;
}

/**
 * struct kipc_chan_op - one send or receive call
 * @ch: the channel
 * @end: the caller's end
 * @nonblock: never sleep (EAGAIN)
 * @deadline: absolute CLOCK_MONOTONIC, or KTIME_MAX
 * @io: the messages
 * @n: their number
 * @blocked: the call has had to wait (for room, data, or a ring's lock)
 */
struct kipc_chan_op {
	struct kipc_chan_obj *ch;
	unsigned int end;
	bool nonblock;
	ktime_t deadline;
	struct kipc_chan_io io;
	unsigned int n;
	bool blocked;
};

/* Check message @m for sending on @d. */
static int kipc_chan_check_send(struct kipc_chan_op *op,
				struct kipc_chan_dir *d,
				const struct kipc_chan_msg *m)
{
	if (m->len > d->max_msg)
		return -EMSGSIZE;
	if (kipc_chan_peer_closed(op->ch, op->end))
		return -EPIPE;
	return 0;
}

/*
 * Serialize with the ring's other senders (or receivers): the kernel's
 * with @mutex, user space's with the shared lock @word.  Without
 * @op->nonblock a lock held in user space is waited for (it is held only
 * for a copy, and released if its process dies).
 */
static int kipc_chan_enter(struct kipc_chan_op *op, struct mutex *mutex,
			   u32 *word, u32 what)
{
	int err;

	if (op->nonblock) {
		if (!mutex_trylock(mutex))
			return -EAGAIN;
	} else if (mutex_lock_interruptible(mutex)) {
		return -ERESTARTSYS;
	}
	err = kipc_chan_lock(op->ch, op->end, word, what, op->nonblock,
			     op->deadline, &op->blocked);
	if (err)
		mutex_unlock(mutex);
	return err;
}

static void kipc_chan_leave(struct kipc_chan_op *op, struct mutex *mutex,
			    u32 *word)
{
	kipc_chan_unlock(op->ch, op->end, word);
	mutex_unlock(mutex);
}

/* Put messages of @op from number *@done on, while they fit. */
static int kipc_chan_put_some(struct kipc_chan_op *op, struct kipc_chan_dir *d,
			      unsigned int *done, u32 *need)
{
	struct kipc_chan_msg m = {};
	int err = 0;

	lockdep_assert_held(&d->send_mutex);
	while (!err && *done < op->n) {
		err = kipc_chan_io_msg(&op->io, *done, &m);
		if (!err)
			err = kipc_chan_check_send(op, d, &m);
		if (!err)
			err = kipc_chan_put(d, u64_to_user_ptr(m.buf), m.len);
		if (!err) {
			(*done)++;
			kipc_count(&d->msgs_in, 1);
			kipc_count(&d->bytes_in, m.len);
		}
		*need = kipc_chan_rec(m.len);
	}
	return err;
}

/* Send the messages of @op on ring @op->end; see struct kipc_chan_xfer. */
static long kipc_chan_do_send(struct kipc_chan_op *op)
{
	struct kipc_chan_dir *d = &op->ch->dir[op->end];
	unsigned int done = 0;
	u32 need = 0, rev;
	int err;

	for (;;) {
		err = kipc_chan_enter(op, &d->send_mutex, &d->ring->plock,
				      KIPC_WAITFOR_SEND);
		if (err)
			break;
		err = kipc_chan_put_some(op, d, &done, &need);
		kipc_chan_leave(op, &d->send_mutex, &d->ring->plock);
		if (err != -EAGAIN || done)
			break;
		/* Nothing sent yet: wait for room, holding nothing. */
		err = kipc_chan_wait_for(op->ch, op->end, KIPC_CHAN_WRITABLE,
					 need, op->nonblock, op->deadline, &rev,
					 &op->blocked);
		if (err)
			break;
	}
	kipc_chan_count_wait(op->ch, op->blocked, done ? 0 : err);
	if (done) {
		kipc_chan_wake(op->ch, &d->ring->rwait, 1 - op->end, POLL_IN);
		return done;
	}
	return err;
}

/*
 * Take messages of @op from number *@done on, while there are some.
 * Return: 0 when all were taken; 1 at end-of-channel; -EAGAIN when empty;
 * or an error of kipc_chan_get().
 */
static int kipc_chan_get_some(struct kipc_chan_op *op, struct kipc_chan_dir *d,
			      unsigned int *done)
{
	struct kipc_chan_msg m;
	int err = 0;
	u32 n;

	lockdep_assert_held(&d->recv_mutex);
	while (!err && *done < op->n) {
		err = kipc_chan_io_msg(&op->io, *done, &m);
		if (!err)
			err = kipc_chan_get(d, &op->io, *done, &m, &n);
		if (!err) {
			(*done)++;
			kipc_count(&d->msgs_out, 1);
			kipc_count(&d->bytes_out, n);
		}
	}
	/* Closed, then drained: anything sent before closing is visible. */
	if (err == -EAGAIN && !*done && kipc_chan_peer_closed(op->ch, op->end))
		return kipc_chan_used(d) ? 0 : 1;
	return err;
}

/*
 * Receive up to @op->n messages from ring 1 - @op->end.  Returns 0 at
 * end-of-channel: the peer closed and the ring is empty.
 */
static long kipc_chan_do_recv(struct kipc_chan_op *op)
{
	struct kipc_chan_dir *d = &op->ch->dir[1 - op->end];
	unsigned int done = 0;
	u32 rev;
	int err;

	for (;;) {
		err = kipc_chan_enter(op, &d->recv_mutex, &d->ring->clock,
				      KIPC_WAITFOR_RECEIVE);
		if (err)
			break;
		err = kipc_chan_get_some(op, d, &done);
		kipc_chan_leave(op, &d->recv_mutex, &d->ring->clock);
		if (err == 1) {
			kipc_chan_count_wait(op->ch, op->blocked, 0);
			return 0;
		}
		if ((err && err != -EAGAIN) || done)
			break;
		if (!err)
			continue;	/* a message came with the close */
		err = kipc_chan_wait_for(op->ch, op->end, KIPC_CHAN_READABLE, 0,
					 op->nonblock, op->deadline, &rev,
					 &op->blocked);
		if (err)
			break;
	}
	kipc_chan_count_wait(op->ch, op->blocked, done ? 0 : err);
	if (done) {
		kipc_chan_wake(op->ch, &d->ring->wwait, 1 - op->end, POLL_OUT);
		return done;
	}
	return err;
}

#if IS_ENABLED(CONFIG_KUNIT)
/* For kipc_kunit.ko: one ring of a channel, its data and its capacity. */
struct kipc_chan_ring *kipc_chan_test_ring(struct kipc_object *obj,
					   unsigned int d, u8 **data, u32 *cap)
{
	struct kipc_chan_dir *dir = &to_chan(obj)->dir[d];

	*data = dir->data;
	*cap = dir->cap;
	return dir->ring;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_chan_test_ring);

int kipc_chan_test_put(struct kipc_object *obj, unsigned int d,
		       const void __user *buf, u32 len)
{
	return kipc_chan_put(&to_chan(obj)->dir[d], buf, len);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_chan_test_put);

int kipc_chan_test_get(struct kipc_object *obj, unsigned int d,
		       void __user *buf, u32 size, u32 *len)
{
	struct kipc_chan_io io = {
		.kmsg = { .buf = (unsigned long)buf, .len = size },
	};
	int err;
	u32 n;

	err = kipc_chan_get(&to_chan(obj)->dir[d], &io, 0, &io.kmsg, &n);
	*len = io.kmsg.len;
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_chan_test_get);
#endif

static int kipc_chan_op_init(struct kipc_chan_op *op, struct file *file,
			     struct kipc_object *obj, u32 flags,
			     const struct kipc_timespec *ts)
{
	int err;

	err = kipc_check_wait(flags, ts, &op->deadline);
	if (err)
		return err;
	op->ch = to_chan(obj);
	op->end = kipc_file_tag(file);
	op->nonblock = (flags & KIPC_WAIT_NONBLOCK) ||
		       (file->f_flags & O_NONBLOCK);
	return 0;
}

/* ---- creation -------------------------------------------------------- */

static int kipc_chan_check_attr(struct kipc_channel_attr *a)
{
	u32 max_cap = READ_ONCE(kipc_max_channel_capacity);
	int d;

	if (!kipc_args_clean(a->flags, a->__pad, a->reserved,
			     sizeof(a->reserved)))
		return -EINVAL;
	for (d = 0; d < 2; d++) {
		if (!a->capacity[d])
			a->capacity[d] = KIPC_CHAN_DEFAULT_CAPACITY;
		if (a->capacity[d] > max_cap)
			return -EINVAL;
		a->capacity[d] = max_t(u32, roundup_pow_of_two(a->capacity[d]),
				       PAGE_SIZE);
		if (a->capacity[d] > max_cap)
			return -EINVAL;
		if (!a->max_msg[d])
			a->max_msg[d] = min_t(u32, KIPC_CHAN_DEFAULT_MAX_MSG,
					      a->capacity[d] - KIPC_CHAN_HDR);
		if (a->max_msg[d] > a->capacity[d] - KIPC_CHAN_HDR)
			return -EINVAL;
	}
	return 0;
}

static void kipc_chan_free_pages(struct kipc_chan_obj *ch)
{
	unsigned int i;

	if (ch->vaddr)
		vunmap(ch->vaddr);
	for (i = 0; ch->pages && i < ch->nr_pages; i++)
		if (ch->pages[i])
			__free_page(ch->pages[i]);
	kvfree(ch->pages);
}

/*
 * Allocate the control page and the rings' pages, and map them as the
 * user sees them: control page, ring 0 twice, ring 1 twice.
 */
static int kipc_chan_alloc_pages(struct kipc_chan_obj *ch, const u32 cap[2])
{
	unsigned int n0 = cap[0] >> PAGE_SHIFT, n1 = cap[1] >> PAGE_SHIFT;
	unsigned int i, total = 1 + 2 * n0 + 2 * n1;
	struct page **map;
	int err = -ENOMEM;

	ch->nr_pages = 1 + n0 + n1;
	ch->pages = kvcalloc(ch->nr_pages, sizeof(*ch->pages),
			     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	map = kvcalloc(total, sizeof(*map), GFP_KERNEL | __GFP_NOWARN);
	if (!ch->pages || !map)
		goto out;
	for (i = 0; i < ch->nr_pages; i++) {
		ch->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO |
					   __GFP_NOWARN);
		if (!ch->pages[i])
			goto out;
	}
	map[0] = ch->pages[0];
	for (i = 0; i < n0; i++) {
		map[1 + i] = ch->pages[1 + i];
		map[1 + n0 + i] = ch->pages[1 + i];
	}
	for (i = 0; i < n1; i++) {
		map[1 + 2 * n0 + i] = ch->pages[1 + n0 + i];
		map[1 + 2 * n0 + n1 + i] = ch->pages[1 + n0 + i];
	}
	ch->vaddr = vmap(map, total, VM_MAP | VM_USERMAP, PAGE_KERNEL);
	if (!ch->vaddr)
		goto out;
	ch->map_size = (u64)total << PAGE_SHIFT;
	ch->dir[0].data = ch->vaddr + PAGE_SIZE;
	ch->dir[1].data = ch->vaddr + PAGE_SIZE + 2 * (size_t)cap[0];
	err = 0;
out:
	kvfree(map);
	return err;
}

static struct kipc_object *kipc_chan_obj_create(const void *attr)
{
	struct kipc_channel_attr a = *(const struct kipc_channel_attr *)attr;
	struct kipc_chan_ring *rings;
	struct kipc_chan_obj *ch;
	int err, d;

	err = kipc_chan_check_attr(&a);
	if (err)
		return ERR_PTR(err);
	ch = kzalloc(sizeof(*ch), GFP_KERNEL_ACCOUNT);
	if (!ch)
		return ERR_PTR(-ENOMEM);
	err = kipc_chan_alloc_pages(ch, a.capacity);
	if (err) {
		kipc_chan_free_pages(ch);
		kfree(ch);
		return ERR_PTR(err);
	}
	rings = ch->vaddr;
	for (d = 0; d < 2; d++) {
		ch->dir[d].ring = &rings[d];
		ch->dir[d].cap = a.capacity[d];
		ch->dir[d].max_msg = a.max_msg[d];
		mutex_init(&ch->dir[d].send_mutex);
		mutex_init(&ch->dir[d].recv_mutex);
		init_waitqueue_head(&ch->wq[d]);
	}
	spin_lock_init(&ch->lock);
	ch->obj.charge = PAGE_SIZE + (u64)a.capacity[0] + a.capacity[1];
	return &ch->obj;
}

static void kipc_chan_obj_destroy(struct kipc_object *obj)
{
	struct kipc_chan_obj *ch = to_chan(obj);

	kipc_chan_free_pages(ch);
	kfree(ch);
}

/* ---- ends ------------------------------------------------------------ */

static int kipc_chan_obj_attach(struct kipc_object *obj, fmode_t mode,
				unsigned int how, unsigned long *tag)
{
	struct kipc_chan_obj *ch = to_chan(obj);
	unsigned int end;
	int err = 0;

	if ((mode & (FMODE_READ | FMODE_WRITE)) != (FMODE_READ | FMODE_WRITE))
		return -EINVAL;
	if (how == KIPC_ATTACH_CREATE)
		end = 0;
	else if (how == KIPC_ATTACH_OPEN)
		end = 1;
	else
		end = 1 - *tag;

	spin_lock(&ch->lock);
	if (ch->attached[end]) {
		err = -EISCONN;
	} else {
		WRITE_ONCE(ch->attached[end], true);	/* read by INFO */
		ch->files[end]++;
		*tag = end;
	}
	spin_unlock(&ch->lock);
	return err;
}

static void kipc_chan_obj_detach(struct kipc_object *obj, fmode_t mode,
				 unsigned long tag)
{
	struct kipc_chan_obj *ch = to_chan(obj);
	unsigned int end = tag;
	bool last;

	spin_lock(&ch->lock);
	last = !--ch->files[end];
	if (last)	/* pairs with kipc_chan_peer_closed() */
		smp_store_release(&ch->closed[end], true);
	spin_unlock(&ch->lock);
	if (!last)
		return;
	/* Tell user space too, then wake everyone on both sides. */
	atomic_or(KIPC_CHAN_CLOSED_SENDER,
		  (atomic_t *)&ch->dir[end].ring->closed);
	atomic_or(KIPC_CHAN_CLOSED_RECEIVER,
		  (atomic_t *)&ch->dir[1 - end].ring->closed);
	smp_mb__after_atomic();	/* closed before the wakers look at wq */
	wake_up_all(&ch->wq[0]);
	wake_up_all(&ch->wq[1]);
	kipc_signal_ready(&ch->obj, 1 - end, POLL_HUP);
}

/* ---- read(2) and write(2) ------------------------------------------------ */

static ssize_t kipc_chan_read(struct file *file, struct kipc_object *obj,
			      char __user *buf, size_t count)
{
	struct kipc_chan_op op = {};
	long ret;

	kipc_chan_op_init(&op, file, obj, 0, &(struct kipc_timespec){});
	op.io.kmsg.buf = (unsigned long)buf;
	op.io.kmsg.len = min_t(size_t, count, U32_MAX);
	op.n = 1;
	ret = kipc_chan_do_recv(&op);
	return ret == 1 ? op.io.kmsg.len : ret;
}

static ssize_t kipc_chan_write(struct file *file, struct kipc_object *obj,
			       const char __user *buf, size_t count)
{
	struct kipc_chan_op op = {};
	long ret;

	if (count > U32_MAX)
		return -EMSGSIZE;
	kipc_chan_op_init(&op, file, obj, 0, &(struct kipc_timespec){});
	op.io.kmsg.buf = (unsigned long)buf;
	op.io.kmsg.len = count;
	op.n = 1;
	ret = kipc_chan_do_send(&op);
	return ret == 1 ? count : ret;
}

/* ---- ioctls ----------------------------------------------------------------- */

static long kipc_chan_ioc_xfer(struct file *file, struct kipc_object *obj,
			       unsigned long arg, unsigned int usize,
			       bool send)
{
	struct kipc_chan_op op = {};
	struct kipc_chan_xfer x;
	int err;

	err = kipc_copy_in(&x, sizeof(x), KIPC_CHAN_XFER_SIZE_VER0,
			   (void __user *)arg, usize);
	if (err)
		return err;
	if (!x.count || x.count > KIPC_CHAN_MAX_BATCH || !x.msgs ||
	    !kipc_args_clean(0, 0, x.reserved, sizeof(x.reserved)))
		return -EINVAL;
	err = kipc_chan_op_init(&op, file, obj, x.flags, &x.deadline);
	if (err)
		return err;
	op.io.umsgs = u64_to_user_ptr(x.msgs);
	op.n = x.count;
	return send ? kipc_chan_do_send(&op) : kipc_chan_do_recv(&op);
}

/**
 * kipc_chan_ioc_sendv() - KIPC_CHAN_IOC_SENDV
 * @file: the end's file
 * @obj: the channel
 * @arg: user pointer to struct kipc_chan_xfer
 * @usize: its size
 *
 * Return: messages sent (>= 1); -EINVAL; -EMSGSIZE; -EPIPE; -EAGAIN;
 * -ETIMEDOUT; -ERESTARTSYS; -EFAULT; -EIO; -E2BIG.
 */
static long kipc_chan_ioc_sendv(struct file *file, struct kipc_object *obj,
				unsigned long arg, unsigned int usize)
{
	return kipc_chan_ioc_xfer(file, obj, arg, usize, true);
}

/**
 * kipc_chan_ioc_recvv() - KIPC_CHAN_IOC_RECVV
 * @file: the end's file
 * @obj: the channel
 * @arg: user pointer to struct kipc_chan_xfer
 * @usize: its size
 *
 * Return: messages received, 0 at end-of-channel; -EINVAL; -EMSGSIZE;
 * -EAGAIN; -ETIMEDOUT; -ERESTARTSYS; -EFAULT; -EIO; -E2BIG.
 */
static long kipc_chan_ioc_recvv(struct file *file, struct kipc_object *obj,
				unsigned long arg, unsigned int usize)
{
	return kipc_chan_ioc_xfer(file, obj, arg, usize, false);
}

/*
 * Signal the peer of @end ready with @band after a wake asked from user
 * space, which cleared @word to ask: as kipc_chan_wake(), the next
 * publish must come to the kernel again while signals are wanted.
 */
static void kipc_chan_signal_peer(struct kipc_chan_obj *ch, unsigned int end,
				  u32 *word, int band)
{
	kipc_signal_ready(&ch->obj, 1 - end, band);
	if (kipc_signal_armed(&ch->obj, 1 - end))
		WRITE_ONCE(*word, 1);
}

static void kipc_chan_do_wakes(struct kipc_chan_obj *ch, unsigned int end,
			       u32 wake)
{
	if (wake & (KIPC_CHAN_WAKE_READERS | KIPC_CHAN_WAKE_WRITERS))
		wake_up_all(&ch->wq[1 - end]);
	/* The peer reads what @end sends, and writes what @end receives. */
	if (wake & KIPC_CHAN_WAKE_READERS)
		kipc_chan_signal_peer(ch, end, &ch->dir[end].ring->rwait,
				      POLL_IN);
	if (wake & KIPC_CHAN_WAKE_WRITERS)
		kipc_chan_signal_peer(ch, end, &ch->dir[1 - end].ring->wwait,
				      POLL_OUT);
	if (wake & KIPC_CHAN_WAKE_LOCKS)
		wake_up_all(&ch->wq[end]);
}

/**
 * kipc_chan_ioc_wait() - KIPC_CHAN_IOC_WAIT: wake the peer, then sleep
 * @file: the end's file
 * @obj: the channel
 * @arg: user pointer to struct kipc_chan_wait
 * @usize: its size
 *
 * Return: 0 with revents set; -EINVAL; -EAGAIN; -ETIMEDOUT; -ERESTARTSYS;
 * -EFAULT; -E2BIG.
 */
static long kipc_chan_ioc_wait(struct file *file, struct kipc_object *obj,
			       unsigned long arg, unsigned int usize)
{
	struct kipc_chan_obj *ch = to_chan(obj);
	unsigned int end = kipc_file_tag(file);
	void __user *uarg = (void __user *)arg;
	struct kipc_chan_wait w;
	bool nonblock, blocked = false;
	ktime_t deadline;
	int err;

	err = kipc_copy_in(&w, sizeof(w), KIPC_CHAN_WAIT_SIZE_VER0, uarg,
			   usize);
	if (err)
		return err;
	if ((w.events & ~KIPC_CHAN_EVENTS) || (w.wake & ~KIPC_CHAN_WAKES) ||
	    w.need > ch->dir[end].cap ||
	    !kipc_args_clean(0, w.__pad, w.reserved, sizeof(w.reserved)))
		return -EINVAL;
	err = kipc_check_wait(w.flags, &w.deadline, &deadline);
	if (err)
		return err;

	kipc_chan_do_wakes(ch, end, w.wake);
	w.revents = 0;
	if (w.events) {
		if (!w.need)
			w.need = kipc_chan_rec(ch->dir[end].max_msg);
		nonblock = (w.flags & KIPC_WAIT_NONBLOCK) ||
			   (file->f_flags & O_NONBLOCK);
		err = kipc_chan_wait_for(ch, end, w.events, w.need, nonblock,
					 deadline, &w.revents, &blocked);
		kipc_chan_count_wait(ch, blocked, err);
		if (err)
			return err;
	}
	return put_user(w.revents, &((struct kipc_chan_wait __user *)uarg)->revents);
}

static void kipc_chan_get_info(struct kipc_chan_obj *ch, unsigned int end,
			       struct kipc_channel_info *in)
{
	int d;

	in->end = end;
	for (d = 0; d < 2; d++) {
		in->capacity[d] = ch->dir[d].cap;
		in->max_msg[d] = ch->dir[d].max_msg;
		in->used[d] = kipc_chan_used(&ch->dir[d]);
	}
	in->ring_offset[0] = PAGE_SIZE;
	in->ring_offset[1] = PAGE_SIZE + 2 * (u64)ch->dir[0].cap;
	in->map_size = ch->map_size;
	in->state = (READ_ONCE(ch->attached[1]) ? KIPC_CHAN_CONNECTED : 0) |
		    (kipc_chan_peer_closed(ch, end) ? KIPC_CHAN_PEER_CLOSED : 0);
}

/* KIPC_CHAN_IOC_INFO: the channel as the end of @file sees it. */
static void kipc_chan_fill_info(struct file *file, struct kipc_object *obj,
				struct kipc_channel_info *in)
{
	memset(in, 0, sizeof(*in));
	kipc_chan_get_info(to_chan(obj), kipc_file_tag(file), in);
}

KIPC_DEFINE_IOC_INFO(kipc_chan, struct kipc_channel_info,
		     KIPC_CHANNEL_INFO_SIZE_VER0, __pad);

/* ---- poll, fdinfo -------------------------------------------------------- */

static __poll_t kipc_chan_poll(struct file *file, struct kipc_object *obj,
			       poll_table *wait)
{
	struct kipc_chan_obj *ch = to_chan(obj);
	struct kipc_chan_waitarg wa = {
		.ch = ch, .end = kipc_file_tag(file),
		.events = KIPC_CHAN_EVENTS,
	};
	__poll_t mask = 0;
	u32 rev;

	poll_wait(file, &ch->wq[wa.end], wait);
	wa.need = kipc_chan_rec(ch->dir[wa.end].max_msg);
	rev = kipc_chan_ready(&wa);
	if (rev & KIPC_CHAN_READABLE)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (rev & KIPC_CHAN_WRITABLE)
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (rev & KIPC_CHAN_HUP)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP | EPOLLHUP |
			EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static void kipc_chan_show_fdinfo(struct seq_file *m, struct kipc_object *obj)
{
	struct kipc_chan_obj *ch = to_chan(obj);
	struct kipc_channel_info in = {};
	int d;

	/* fdinfo has no file here; show both ends' view from end 0. */
	kipc_chan_get_info(ch, 0, &in);
	for (d = 0; d < 2; d++)
		seq_printf(m, "channel-ring%d:\tcapacity %u max-msg %u used %u\n",
			   d, in.capacity[d], in.max_msg[d], in.used[d]);
	spin_lock(&ch->lock);
	for (d = 0; d < 2; d++)
		seq_printf(m, "channel-end%d:\t%s files %u mapped %u\n", d,
			   ch->closed[d] ? "closed" :
			   ch->attached[d] ? "open" : "unopened",
			   ch->files[d], ch->nmaps[d]);
	spin_unlock(&ch->lock);
}

/* ---- netlink ------------------------------------------------------------ */

/*
 * The channel's counters are the sums of its rings' (struct kipc_chan_dir),
 * each written under a ring's mutex; fold them into @ch->obj.counters for
 * the netlink family, which reads them after nl_state.
 */
static void kipc_chan_fold_counters(struct kipc_chan_obj *ch)
{
	struct kipc_counters *c = &ch->obj.counters;
	const struct kipc_chan_dir *d = ch->dir;

	lockdep_assert_held(&ch->lock);
	WRITE_ONCE(c->msgs_in, READ_ONCE(d[0].msgs_in) + READ_ONCE(d[1].msgs_in));
	WRITE_ONCE(c->bytes_in, READ_ONCE(d[0].bytes_in) + READ_ONCE(d[1].bytes_in));
	WRITE_ONCE(c->msgs_out, READ_ONCE(d[0].msgs_out) + READ_ONCE(d[1].msgs_out));
	WRITE_ONCE(c->bytes_out,
		   READ_ONCE(d[0].bytes_out) + READ_ONCE(d[1].bytes_out));
}

/* One KIPC_CHANNEL_A_DIR nest: ring @d, as INFO reports it. */
static int kipc_chan_nl_dir(struct sk_buff *skb, struct kipc_chan_obj *ch,
			    unsigned int d)
{
	const struct kipc_chan_dir *dir = &ch->dir[d];
	struct nlattr *nest;

	lockdep_assert_held(&ch->lock);
	nest = nla_nest_start(skb, KIPC_CHANNEL_A_DIR);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KIPC_CHANNEL_DIR_A_INDEX, d) ||
	    nla_put_u32(skb, KIPC_CHANNEL_DIR_A_CAPACITY, dir->cap) ||
	    nla_put_u32(skb, KIPC_CHANNEL_DIR_A_USED, kipc_chan_used(dir)) ||
	    nla_put_u32(skb, KIPC_CHANNEL_DIR_A_MAX_MSG, dir->max_msg) ||
	    nla_put_u8(skb, KIPC_CHANNEL_DIR_A_END_OPEN, ch->files[d] != 0)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * &kipc_type.nl_state: both rings, direction 0 first (the bytes used are
 * read from the shared indices, as INFO reads them), and the counters
 * folded, in one hold of @ch->lock.
 */
static int kipc_chan_nl_state(struct sk_buff *skb, struct kipc_object *obj,
			      u32 *nr_waiters)
{
	struct kipc_chan_obj *ch = to_chan(obj);
	int err;

	spin_lock(&ch->lock);
	kipc_chan_fold_counters(ch);
	err = kipc_chan_nl_dir(skb, ch, 0) ?: kipc_chan_nl_dir(skb, ch, 1);
	spin_unlock(&ch->lock);
	/* Under the wait queues' own locks, never nested in @ch->lock. */
	*nr_waiters = kipc_wq_nr_waiters(&ch->wq[0]) +
		      kipc_wq_nr_waiters(&ch->wq[1]);
	return err;
}

/*
 * &kipc_type.nl_waiters: the tasks asleep in the kernel for end 0 (to
 * send on ring 0, to receive from ring 1, or for a ring's lock), then for
 * end 1; poll entries are not listed.
 */
static int kipc_chan_nl_waiters(struct sk_buff *skb, struct kipc_object *obj)
{
	struct kipc_chan_obj *ch = to_chan(obj);

	return kipc_wq_put_waiters(skb, &ch->wq[0]) ?:
	       kipc_wq_put_waiters(skb, &ch->wq[1]);
}

/* ---- mmap ---------------------------------------------------------------- */

/*
 * Release a lock word if user space holds it, for a process whose last
 * mapping of the end is gone.  Caller holds @ch->lock, so no other process
 * can have mapped the end meanwhile: a USER in the word is the closing
 * process's.  A waiter may set KIPC_CHAN_LOCK_WAITERS at any time, so the
 * swap is retried until it succeeds or the word is no longer USER's.
 */
static void kipc_chan_unlock_user(struct kipc_chan_obj *ch, u32 *word)
{
	u32 old;

	lockdep_assert_held(&ch->lock);
	do {
		old = READ_ONCE(*word);
		if ((old & ~KIPC_CHAN_LOCK_WAITERS) != KIPC_CHAN_LOCK_USER)
			return;
	} while (cmpxchg(word, old, 0) != old);
}

static void kipc_chan_vm_open(struct vm_area_struct *vma)
{
	struct kipc_object *obj = (void *)((unsigned long)vma->vm_private_data &
					   ~1UL);
	struct kipc_chan_obj *ch = to_chan(obj);
	unsigned int end = (unsigned long)vma->vm_private_data & 1UL;

	spin_lock(&ch->lock);
	ch->nmaps[end]++;
	spin_unlock(&ch->lock);
}

/*
 * The last mapping of an end by its process is gone: whatever lock that
 * process held in user space is released, so that a process killed in the
 * middle of a send or receive cannot wedge the ring.
 */
static void kipc_chan_vm_close(struct vm_area_struct *vma)
{
	struct kipc_object *obj = (void *)((unsigned long)vma->vm_private_data &
					   ~1UL);
	struct kipc_chan_obj *ch = to_chan(obj);
	unsigned int end = (unsigned long)vma->vm_private_data & 1UL;
	bool last;

	spin_lock(&ch->lock);
	last = !--ch->nmaps[end];
	if (last) {
		/* Before another process can map the end and lock. */
		kipc_chan_unlock_user(ch, &ch->dir[end].ring->plock);
		kipc_chan_unlock_user(ch, &ch->dir[1 - end].ring->clock);
		ch->map_mm[end] = NULL;
	}
	spin_unlock(&ch->lock);
	if (!last)
		return;
	/*
	 * The process may have died between a release or a publish and the
	 * wake it owed, or held a lock just released: wake everyone, they
	 * re-check.
	 */
	wake_up_all(&ch->wq[0]);
	wake_up_all(&ch->wq[1]);
}

static const struct vm_operations_struct kipc_chan_vm_ops = {
	.open	= kipc_chan_vm_open,
	.close	= kipc_chan_vm_close,
};

/* Claim end @end's mappings for the current process. */
static int kipc_chan_claim_map(struct kipc_chan_obj *ch, unsigned int end)
{
	int err = 0;

	spin_lock(&ch->lock);
	if (ch->nmaps[end] && ch->map_mm[end] != current->mm) {
		err = -EBUSY;
	} else {
		ch->map_mm[end] = current->mm;
		ch->nmaps[end]++;
	}
	spin_unlock(&ch->lock);
	return err;
}

static int kipc_chan_mmap(struct file *file, struct kipc_object *obj,
			  struct vm_area_struct *vma)
{
	struct kipc_chan_obj *ch = to_chan(obj);
	unsigned long tag = kipc_file_tag(file);
	void *priv = file->private_data;	/* @obj, tagged with the end */
	struct file *mfile;
	int err;

	err = kipc_map_check(file, vma, ch->map_size, 0);
	if (err)
		return err;
	/*
	 * The map file holds the channel, not the end, so that the end
	 * closes with its last fd; its private_data is tagged as the end's.
	 */
	mfile = kipc_map_file(file, "[kipc-channel-map]", NULL);
	if (IS_ERR(mfile))
		return PTR_ERR(mfile);

	err = kipc_chan_claim_map(ch, tag);
	if (err)
		goto out;
	err = remap_vmalloc_range(vma, ch->vaddr, 0);
	if (err) {
		vma->vm_private_data = priv;
		kipc_chan_vm_close(vma);
		goto out;
	}
	/* VM_IO: madvise(MADV_DOFORK) cannot undo VM_DONTCOPY. */
	vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP | VM_IO);
	vma->vm_private_data = priv;
	vma->vm_ops = &kipc_chan_vm_ops;
	vma_set_file(vma, mfile);
out:
	fput(mfile);
	return err;
}

/* ---- the type ------------------------------------------------------------- */

static const struct kipc_ioc kipc_chan_ioctls[] = {
	{ KIPC_CHAN_IOC_SENDV, KIPC_CHAN_XFER_SIZE_VER0, kipc_chan_ioc_sendv },
	{ KIPC_CHAN_IOC_RECVV, KIPC_CHAN_XFER_SIZE_VER0, kipc_chan_ioc_recvv },
	{ KIPC_CHAN_IOC_WAIT, KIPC_CHAN_WAIT_SIZE_VER0, kipc_chan_ioc_wait },
	{ KIPC_CHAN_IOC_INFO, KIPC_CHANNEL_INFO_SIZE_VER0, kipc_chan_ioc_info },
};

const struct kipc_type kipc_channel_type = {
	.type		= KIPC_TYPE_CHANNEL,
	.name		= "channel",
	.inode_name	= "[kipc-channel]",
	.signals	= true,
	.attr_size	= sizeof(struct kipc_channel_attr),
	.attr_min	= KIPC_CHANNEL_ATTR_SIZE_VER0,
	.create		= kipc_chan_obj_create,
	.destroy	= kipc_chan_obj_destroy,
	.ioctls		= kipc_chan_ioctls,
	.nr_ioctls	= ARRAY_SIZE(kipc_chan_ioctls),
	.poll		= kipc_chan_poll,
	.show_fdinfo	= kipc_chan_show_fdinfo,
	.read		= kipc_chan_read,
	.write		= kipc_chan_write,
	.attach		= kipc_chan_obj_attach,
	.detach		= kipc_chan_obj_detach,
	.mmap		= kipc_chan_mmap,
	.nl_state	= kipc_chan_nl_state,
	.nl_waiters	= kipc_chan_nl_waiters,
	.nl_counters	= BIT(KIPC_CNT_A_MSGS_IN) | BIT(KIPC_CNT_A_BYTES_IN) |
			  BIT(KIPC_CNT_A_MSGS_OUT) | BIT(KIPC_CNT_A_BYTES_OUT) |
			  BIT(KIPC_CNT_A_WAITS) | BIT(KIPC_CNT_A_TIMEOUTS),
};
EXPORT_SYMBOL_IF_KUNIT(kipc_channel_type);
