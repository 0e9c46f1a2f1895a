// SPDX-License-Identifier: GPL-2.0
/*
 * Pipes: byte streams with the semantics of pipe(2) and of FIFOs.
 *
 * The data is a ring buffer whose capacity is a power of two, indexed by
 * two free-running counters (so a resize keeps every byte at its index).
 * The buffer is charged to the creator's uid at creation, and again, for
 * the difference, when it is resized.
 *
 * One mutex serializes readers, writers, resizes and the counting of open
 * files, and is held across the copies from and to user space (never a
 * spinlock).  Blocked readers and writers, and poll, sleep on one wait
 * queue per direction; they test their condition without the mutex, from
 * fields written with WRITE_ONCE(), and whoever changes one of those
 * fields wakes the queue after dropping the mutex, so no wake-up is lost.
 *
 * Readers and writers are counted per open file (attach and detach): a
 * file opened for both is both.  End-of-file and EPIPE need the other side
 * to have been open once, so that opening a named pipe never blocks and a
 * lone reader or writer waits, as with a FIFO, until the other comes.
 *
 * Locking: see docs/design.md, section 7.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kipc_netlink.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <net/netlink.h>

#include "kipc.h"

/**
 * struct kipc_pipe_obj - a pipe
 * @obj: the common part
 * @lock: protects every field below and @obj.charge; held while copying
 *	data from and to user space
 * @rd_wq: readers waiting for data or for the last writer to go, and poll
 *	of files open for reading
 * @wr_wq: writers waiting for room or for the last reader to go, and poll
 *	of files open for writing
 * @buf: the ring, @cap bytes
 * @cap: capacity, a power of two from KIPC_PIPE_BUF to max_pipe_capacity
 * @head: bytes ever read, modulo 2^32; the next byte to read is at
 *	@buf[@head % @cap]
 * @tail: bytes ever written, modulo 2^32; @tail - @head bytes are queued
 * @readers: open files with FMODE_READ
 * @writers: open files with FMODE_WRITE
 * @had_reader: a reader has been open (EPIPE once @readers is 0)
 * @had_writer: a writer has been open (end-of-file once @writers is 0)
 *
 * @lock also protects @obj.counters: bytes_in and bytes_out (INFO's
 * written and read), msgs_in and msgs_out (write and read calls that
 * moved data), waits (calls that found no data or no room and went to
 * wait) and peak_depth (bytes queued).
 *
 * @cap, @head, @tail, @readers, @writers and the @had_* flags are also
 * read without @lock (poll, the conditions of sleepers, netlink), so they
 * are changed with WRITE_ONCE().
 *
 * @lock is held across copies from and to user space, so page faults
 * (the mmap lock) nest under it, and across a resize's recharge
 * (kipc_users_lock).  The wait queues' locks are never taken under @lock:
 * wake-ups are done after it is dropped (docs/design.md, section 7).
 */
struct kipc_pipe_obj {
	struct kipc_object obj;
	struct mutex lock; /* protects all below */
	wait_queue_head_t rd_wq;
	wait_queue_head_t wr_wq;
	u8 *buf;
	u32 cap;
	u32 head;
	u32 tail;
	unsigned int readers;
	unsigned int writers;
	bool had_reader;
	bool had_writer;
};

/* The condition of a writer waiting for room. */
struct kipc_pipe_room {
	struct kipc_pipe_obj *p;
	u32 need;
};

#define KIPC_PIPE_RD_EVENTS	(EPOLLIN | EPOLLRDNORM)
#define KIPC_PIPE_WR_EVENTS	(EPOLLOUT | EPOLLWRNORM)

static struct kipc_pipe_obj *to_pipe(struct kipc_object *obj)
{
	return container_of(obj, struct kipc_pipe_obj, obj);
}

static u32 kipc_pipe_used(const struct kipc_pipe_obj *p)
{
	return READ_ONCE(p->tail) - READ_ONCE(p->head);
}

/* Every writer has gone, after one was open: end-of-file once empty. */
static bool kipc_pipe_hungup(const struct kipc_pipe_obj *p)
{
	return !READ_ONCE(p->writers) && READ_ONCE(p->had_writer);
}

/* Every reader has gone, after one was open: writes fail with EPIPE. */
static bool kipc_pipe_broken(const struct kipc_pipe_obj *p)
{
	return !READ_ONCE(p->readers) && READ_ONCE(p->had_reader);
}

/*
 * A call about to wait for data or room, once per call (@waited): the
 * lock is held, as it is not after kipc_wq_sleep(), so the call is
 * counted as it goes to wait (whether or not room or data then comes
 * before it sleeps); a non-blocking call does not wait.
 */
static void kipc_pipe_count_wait(struct kipc_pipe_obj *p, struct file *file,
				 bool *waited)
{
	lockdep_assert_held(&p->lock);
	if (*waited || (file->f_flags & O_NONBLOCK))
		return;
	kipc_count(&p->obj.counters.waits, 1);
	*waited = true;
}

/* ---- creation -------------------------------------------------------- */

/*
 * The capacity asked for (0: the default), rounded up to a power of two of
 * at least KIPC_PIPE_BUF.  -EINVAL if it, or the rounded size, is above
 * the max_pipe_capacity parameter.
 */
static int kipc_pipe_round_capacity(u32 want, u32 *cap)
{
	u32 max_cap = READ_ONCE(kipc_max_pipe_capacity);

	if (!want)
		want = KIPC_PIPE_DEFAULT_CAPACITY;
	if (want > max_cap)
		return -EINVAL;
	want = roundup_pow_of_two(max_t(u32, want, KIPC_PIPE_BUF));
	if (want > max_cap)
		return -EINVAL;
	*cap = want;
	return 0;
}

static struct kipc_object *kipc_pipe_obj_create(const void *attr)
{
	const struct kipc_pipe_attr *a = attr;
	struct kipc_pipe_obj *p;
	u32 cap;
	int err;

	if (!kipc_args_clean(a->flags, 0, a->reserved, sizeof(a->reserved)))
		return ERR_PTR(-EINVAL);
	err = kipc_pipe_round_capacity(a->capacity, &cap);
	if (err)
		return ERR_PTR(err);

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->buf = kvmalloc(cap, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!p->buf) {
		kfree(p);
		return ERR_PTR(-ENOMEM);
	}
	mutex_init(&p->lock);
	init_waitqueue_head(&p->rd_wq);
	init_waitqueue_head(&p->wr_wq);
	p->cap = cap;
	p->obj.charge = cap;
	return &p->obj;
}

static void kipc_pipe_obj_destroy(struct kipc_object *obj)
{
	struct kipc_pipe_obj *p = to_pipe(obj);

	WARN_ON(p->readers || p->writers);
	kvfree(p->buf);
	mutex_destroy(&p->lock);
	kfree(p);
}

/* ---- readers and writers ------------------------------------------------ */

static int kipc_pipe_obj_attach(struct kipc_object *obj, fmode_t mode,
				unsigned int how, unsigned long *tag)
{
	struct kipc_pipe_obj *p = to_pipe(obj);

	mutex_lock(&p->lock);
	if (mode & FMODE_READ) {
		WRITE_ONCE(p->readers, p->readers + 1);
		WRITE_ONCE(p->had_reader, true);
	}
	if (mode & FMODE_WRITE) {
		WRITE_ONCE(p->writers, p->writers + 1);
		WRITE_ONCE(p->had_writer, true);
	}
	mutex_unlock(&p->lock);
	*tag = 0;
	return 0;
}

static void kipc_pipe_obj_detach(struct kipc_object *obj, fmode_t mode,
				 unsigned long tag)
{
	struct kipc_pipe_obj *p = to_pipe(obj);
	bool no_readers = false, no_writers = false;

	mutex_lock(&p->lock);
	if (mode & FMODE_READ) {
		WRITE_ONCE(p->readers, p->readers - 1);
		no_readers = !p->readers;
	}
	if (mode & FMODE_WRITE) {
		WRITE_ONCE(p->writers, p->writers - 1);
		no_writers = !p->writers;
	}
	mutex_unlock(&p->lock);

	/* Blocked writers fail with EPIPE, blocked readers see end-of-file. */
	if (no_readers) {
		wake_up_interruptible_poll(&p->wr_wq,
					   KIPC_PIPE_WR_EVENTS | EPOLLERR);
		kipc_signal_ready(&p->obj, 0, POLL_OUT);
	}
	if (no_writers) {
		wake_up_interruptible_poll(&p->rd_wq,
					   KIPC_PIPE_RD_EVENTS | EPOLLHUP);
		kipc_signal_ready(&p->obj, 0, POLL_IN);
	}
}

/* ---- the ring ------------------------------------------------------------ */

/* Copy @n bytes from ring index @pos out; returns the bytes not copied. */
static size_t kipc_pipe_copy_out(struct kipc_pipe_obj *p, char __user *dst,
				 u32 pos, size_t n)
{
	u32 off = pos & (p->cap - 1);
	size_t first = min_t(size_t, n, p->cap - off);
	size_t left;

	lockdep_assert_held(&p->lock);
	left = copy_to_user(dst, p->buf + off, first);
	if (left)
		return left + n - first;
	return copy_to_user(dst + first, p->buf, n - first);
}

/* Copy @n bytes in at ring index @pos; returns the bytes not copied. */
static size_t kipc_pipe_copy_in(struct kipc_pipe_obj *p, u32 pos,
				const char __user *src, size_t n)
{
	u32 off = pos & (p->cap - 1);
	size_t first = min_t(size_t, n, p->cap - off);
	size_t left;

	lockdep_assert_held(&p->lock);
	left = copy_from_user(p->buf + off, src, first);
	if (left)
		return left + n - first;
	return copy_from_user(p->buf, src + first, n - first);
}

/* Wait condition of readers: data, or end-of-file. */
static u32 kipc_pipe_readable(void *arg)
{
	struct kipc_pipe_obj *p = arg;

	return kipc_pipe_used(p) || kipc_pipe_hungup(p);
}

/* Wait condition of writers: the room they need, or no reader left. */
static u32 kipc_pipe_writable(void *arg)
{
	struct kipc_pipe_room *r = arg;
	struct kipc_pipe_obj *p = r->p;
	u32 used = kipc_pipe_used(p), cap = READ_ONCE(p->cap);

	/* A torn read of the indices may exceed @cap: try, under the lock. */
	return used > cap || cap - used >= r->need || kipc_pipe_broken(p);
}

/**
 * kipc_pipe_read() - read(2) on a pipe
 * @file: the file; must be open for reading
 * @obj: its pipe
 * @buf: user buffer
 * @count: its size
 *
 * Returns what is queued, up to @count bytes, waiting only while the pipe
 * is empty, and never for more.  An empty pipe whose writers have all gone
 * (once one was open) is at end-of-file.
 *
 * Return: the bytes read; 0 at end-of-file or for a @count of 0; -EBADF if
 * @file is not open for reading; -EAGAIN (O_NONBLOCK and empty);
 * -ERESTARTSYS if a signal came first; -EFAULT if nothing could be copied
 * (it stays queued).
 */
static ssize_t kipc_pipe_read(struct file *file, struct kipc_object *obj,
			      char __user *buf, size_t count)
{
	struct kipc_pipe_obj *p = to_pipe(obj);
	bool waited = false;
	size_t n;
	u32 used, ready;
	int err;

	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	if (!count)
		return 0;
	for (;;) {
		mutex_lock(&p->lock);
		used = p->tail - p->head;
		if (used)
			break;
		if (kipc_pipe_hungup(p)) {
			mutex_unlock(&p->lock);
			return 0;
		}
		kipc_pipe_count_wait(p, file, &waited);
		mutex_unlock(&p->lock);
		err = kipc_wq_sleep(&p->rd_wq, KIPC_WAITFOR_RECEIVE,
				    kipc_pipe_readable, p,
				    file->f_flags & O_NONBLOCK, KTIME_MAX,
				    &ready, NULL);
		if (err)
			return err;
	}
	n = min_t(size_t, count, used);
	n -= kipc_pipe_copy_out(p, buf, p->head, n);
	WRITE_ONCE(p->head, p->head + n);
	kipc_count(&p->obj.counters.msgs_out, !!n);
	kipc_count(&p->obj.counters.bytes_out, n);
	mutex_unlock(&p->lock);

	if (!n)
		return -EFAULT;
	wake_up_interruptible_poll(&p->wr_wq, KIPC_PIPE_WR_EVENTS);
	kipc_signal_ready(&p->obj, 0, POLL_OUT);
	return n;
}

/* @n bytes were written, after @done by the same call; the lock is held. */
static void kipc_pipe_count_in(struct kipc_pipe_obj *p, size_t done, size_t n)
{
	struct kipc_counters *c = &p->obj.counters;

	lockdep_assert_held(&p->lock);
	if (!n)
		return;
	kipc_count(&c->msgs_in, !done);
	kipc_count(&c->bytes_in, n);
	kipc_count_peak(&c->peak_depth, p->tail - p->head);
}

/**
 * kipc_pipe_write() - write(2) on a pipe
 * @file: the file; must be open for writing
 * @obj: its pipe
 * @buf: user buffer
 * @count: bytes to write
 *
 * Up to KIPC_PIPE_BUF bytes are written at once, as a whole, when there
 * is room for all of them; more are written as room comes, and may be
 * interleaved with other writers' data.  With every reader gone (once one
 * was open) the caller gets SIGPIPE and the write fails with EPIPE.
 *
 * Return: the bytes written, which is less than @count only when a signal,
 * O_NONBLOCK, EPIPE or a fault ends a write of more than KIPC_PIPE_BUF
 * bytes (or a fault a shorter one) after some were written; else 0 for a
 * @count of 0; -EBADF if @file is not open for writing; -EPIPE; -EAGAIN;
 * -ERESTARTSYS; -EFAULT.
 */
static ssize_t kipc_pipe_write(struct file *file, struct kipc_object *obj,
			       const char __user *buf, size_t count)
{
	struct kipc_pipe_obj *p = to_pipe(obj);
	struct kipc_pipe_room room = {
		.p = p,
		.need = count <= KIPC_PIPE_BUF ? count : 1,
	};
	size_t done = 0, n, left;
	bool waited = false;
	u32 space, ready;
	int err = 0;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!count)
		return 0;
	for (;;) {
		mutex_lock(&p->lock);
		if (kipc_pipe_broken(p)) {
			mutex_unlock(&p->lock);
			send_sig(SIGPIPE, current, 0);
			err = -EPIPE;
			break;
		}
		space = p->cap - (p->tail - p->head);
		if (space < room.need) {
			kipc_pipe_count_wait(p, file, &waited);
			mutex_unlock(&p->lock);
			err = kipc_wq_sleep(&p->wr_wq, KIPC_WAITFOR_SEND,
					    kipc_pipe_writable, &room,
					    file->f_flags & O_NONBLOCK,
					    KTIME_MAX, &ready, NULL);
			if (err)
				break;
			continue;
		}
		n = min_t(size_t, count - done, space);
		left = kipc_pipe_copy_in(p, p->tail, buf + done, n);
		n -= left;
		WRITE_ONCE(p->tail, p->tail + n);
		kipc_pipe_count_in(p, done, n);
		mutex_unlock(&p->lock);

		if (n) {
			wake_up_interruptible_poll(&p->rd_wq,
						   KIPC_PIPE_RD_EVENTS);
			kipc_signal_ready(&p->obj, 0, POLL_IN);
		}
		done += n;
		if (left) {
			err = -EFAULT;
			break;
		}
		if (done == count)
			break;
	}
	return done ? done : err;
}

/* ---- capacity ----------------------------------------------------------- */

/* Charge the account charged at creation for @bytes instead. */
static int kipc_pipe_recharge(struct kipc_pipe_obj *p, u64 bytes)
{
	lockdep_assert_held(&p->lock);
	return kipc_recharge(&p->obj, bytes);
}

/* Move the queued bytes to @buf of @cap bytes, each to its own index. */
static void kipc_pipe_move(struct kipc_pipe_obj *p, u8 *buf, u32 cap)
{
	u32 pos, from, to, n;

	lockdep_assert_held(&p->lock);
	for (pos = p->head; pos != p->tail; pos += n) {
		from = pos & (p->cap - 1);
		to = pos & (cap - 1);
		n = min3(p->tail - pos, p->cap - from, cap - to);
		memcpy(buf + to, p->buf + from, n);
	}
}

/*
 * Replace the buffer with one of @cap bytes.  Return: 0; -EBUSY if more
 * than @cap bytes are queued; -EDQUOT; -ENOMEM.
 */
static int kipc_pipe_resize(struct kipc_pipe_obj *p, u32 cap)
{
	bool grown = false;
	u8 *buf;
	int err;

	buf = kvmalloc(cap, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!buf)
		return -ENOMEM;
	mutex_lock(&p->lock);
	if (p->tail - p->head > cap) {
		err = -EBUSY;
		goto out;
	}
	err = kipc_pipe_recharge(p, cap);
	if (err || cap == p->cap)
		goto out;
	kipc_pipe_move(p, buf, cap);
	swap(p->buf, buf);
	grown = cap > p->cap;
	WRITE_ONCE(p->cap, cap);
out:
	mutex_unlock(&p->lock);
	kvfree(buf);
	if (grown) {
		wake_up_interruptible_poll(&p->wr_wq, KIPC_PIPE_WR_EVENTS);
		kipc_signal_ready(&p->obj, 0, POLL_OUT);
	}
	return err;
}

/**
 * kipc_pipe_ioc_set_capacity() - KIPC_PIPE_IOC_SET_CAPACITY
 * @file: a file of the pipe, open for writing
 * @obj: the pipe
 * @arg: user pointer to struct kipc_pipe_capacity
 * @usize: the caller's size of it
 *
 * Resizes the buffer, keeping what is queued, and charges the growth to
 * (or refunds the shrinkage from) the account charged at creation.
 *
 * Return: 0 with the capacity now in kipc_pipe_capacity.capacity; -EINVAL
 * for flags, reserved fields or a capacity above max_pipe_capacity;
 * -EBADF if @file is not open for writing; -EBUSY if more is queued than
 * the new capacity; -EDQUOT; -ENOMEM; -EFAULT; -E2BIG.
 */
static long kipc_pipe_ioc_set_capacity(struct file *file,
				       struct kipc_object *obj,
				       unsigned long arg, unsigned int usize)
{
	void __user *uarg = (void __user *)arg;
	struct kipc_pipe_capacity c;
	u32 cap;
	int err;

	err = kipc_copy_in(&c, sizeof(c), KIPC_PIPE_CAPACITY_SIZE_VER0, uarg,
			   usize);
	if (err)
		return err;
	if (!kipc_args_clean(c.flags, 0, c.reserved, sizeof(c.reserved)))
		return -EINVAL;
	err = kipc_pipe_round_capacity(c.capacity, &cap);
	if (err)
		return err;
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	/* Fail on a read-only struct before anything changes. */
	err = kipc_copy_out(uarg, usize, &c, sizeof(c));
	if (err)
		return err;

	err = kipc_pipe_resize(to_pipe(obj), cap);
	if (err)
		return err;
	c.capacity = cap;
	return kipc_copy_out(uarg, usize, &c, sizeof(c));
}

/* ---- info, poll, fdinfo ------------------------------------------------- */

/* A consistent snapshot: everything but @in->flags and reserved fields. */
static void kipc_pipe_get_info(struct kipc_pipe_obj *p, struct kipc_pipe_info *in)
{
	mutex_lock(&p->lock);
	in->capacity = p->cap;
	in->used = p->tail - p->head;
	in->readers = p->readers;
	in->writers = p->writers;
	in->read = p->obj.counters.bytes_out;
	in->written = p->obj.counters.bytes_in;
	mutex_unlock(&p->lock);
	in->atomic = KIPC_PIPE_BUF;
}

/*
 * KIPC_PIPE_IOC_INFO: the capacity, the bytes queued, the open readers and
 * writers and the byte counters.
 */
static void kipc_pipe_fill_info(struct file *file, struct kipc_object *obj,
				struct kipc_pipe_info *in)
{
	kipc_pipe_get_info(to_pipe(obj), in);
}

KIPC_DEFINE_IOC_INFO(kipc_pipe, struct kipc_pipe_info,
		     KIPC_PIPE_INFO_SIZE_VER0, flags);

/*
 * A reader is told of data (EPOLLIN) and of end-of-file (EPOLLHUP), a
 * writer of room for an atomic write (EPOLLOUT) and of the readers' end
 * (EPOLLERR); a file open for both, of everything.
 */
static __poll_t kipc_pipe_poll(struct file *file, struct kipc_object *obj,
			       poll_table *wait)
{
	struct kipc_pipe_obj *p = to_pipe(obj);
	__poll_t mask = 0;
	u32 used, cap;

	if (file->f_mode & FMODE_READ)
		poll_wait(file, &p->rd_wq, wait);
	if (file->f_mode & FMODE_WRITE)
		poll_wait(file, &p->wr_wq, wait);

	used = kipc_pipe_used(p);
	cap = READ_ONCE(p->cap);
	if (file->f_mode & FMODE_READ) {
		if (used)
			mask |= KIPC_PIPE_RD_EVENTS;
		if (kipc_pipe_hungup(p))
			mask |= EPOLLHUP;
	}
	if (file->f_mode & FMODE_WRITE) {
		/* @cap is at least KIPC_PIPE_BUF. */
		if (used <= cap && cap - used >= KIPC_PIPE_BUF)
			mask |= KIPC_PIPE_WR_EVENTS;
		if (kipc_pipe_broken(p))
			mask |= EPOLLERR;
	}
	return mask;
}

static void kipc_pipe_show_fdinfo(struct seq_file *m, struct kipc_object *obj)
{
	struct kipc_pipe_info in;

	kipc_pipe_get_info(to_pipe(obj), &in);
	seq_printf(m, "pipe-capacity:\t%u\n", in.capacity);
	seq_printf(m, "pipe-used:\t%u\n", in.used);
	seq_printf(m, "pipe-readers:\t%u\n", in.readers);
	seq_printf(m, "pipe-writers:\t%u\n", in.writers);
	seq_printf(m, "pipe-read:\t%llu\n", in.read);
	seq_printf(m, "pipe-written:\t%llu\n", in.written);
}

/* ---- netlink ------------------------------------------------------------ */

/*
 * &kipc_type.nl_state: what INFO reports, without @lock (a mutex, and
 * nl_state must not sleep): each field is read once, as poll reads them;
 * the indices may be torn, so the bytes used are clamped to the capacity.
 */
static int kipc_pipe_nl_state(struct sk_buff *skb, struct kipc_object *obj,
			      u32 *nr_waiters)
{
	struct kipc_pipe_obj *p = to_pipe(obj);
	u32 cap = READ_ONCE(p->cap);

	*nr_waiters = kipc_wq_nr_waiters(&p->rd_wq) +
		      kipc_wq_nr_waiters(&p->wr_wq);
	if (nla_put_u32(skb, KIPC_PIPE_A_CAPACITY, cap) ||
	    nla_put_u32(skb, KIPC_PIPE_A_USED, min(kipc_pipe_used(p), cap)) ||
	    nla_put_u32(skb, KIPC_PIPE_A_READERS, READ_ONCE(p->readers)) ||
	    nla_put_u32(skb, KIPC_PIPE_A_WRITERS, READ_ONCE(p->writers)))
		return -EMSGSIZE;
	return 0;
}

/*
 * &kipc_type.nl_waiters: readers waiting for data, then writers waiting
 * for room, each queue under its own lock (poll entries are not listed).
 */
static int kipc_pipe_nl_waiters(struct sk_buff *skb, struct kipc_object *obj)
{
	struct kipc_pipe_obj *p = to_pipe(obj);

	return kipc_wq_put_waiters(skb, &p->rd_wq) ?:
	       kipc_wq_put_waiters(skb, &p->wr_wq);
}

static const struct kipc_ioc kipc_pipe_ioctls[] = {
	{ KIPC_PIPE_IOC_SET_CAPACITY, KIPC_PIPE_CAPACITY_SIZE_VER0,
	  kipc_pipe_ioc_set_capacity },
	{ KIPC_PIPE_IOC_INFO, KIPC_PIPE_INFO_SIZE_VER0, kipc_pipe_ioc_info },
};

const struct kipc_type kipc_pipe_type = {
	.type		= KIPC_TYPE_PIPE,
	.name		= "pipe",
	.inode_name	= "[kipc-pipe]",
	.signals	= true,
	.attr_size	= sizeof(struct kipc_pipe_attr),
	.attr_min	= KIPC_PIPE_ATTR_SIZE_VER0,
	.create		= kipc_pipe_obj_create,
	.destroy	= kipc_pipe_obj_destroy,
	.ioctls		= kipc_pipe_ioctls,
	.nr_ioctls	= ARRAY_SIZE(kipc_pipe_ioctls),
	.poll		= kipc_pipe_poll,
	.show_fdinfo	= kipc_pipe_show_fdinfo,
	.read		= kipc_pipe_read,
	.write		= kipc_pipe_write,
	.attach		= kipc_pipe_obj_attach,
	.detach		= kipc_pipe_obj_detach,
	.nl_state	= kipc_pipe_nl_state,
	.nl_waiters	= kipc_pipe_nl_waiters,
	.nl_counters	= BIT(KIPC_CNT_A_MSGS_IN) | BIT(KIPC_CNT_A_BYTES_IN) |
			  BIT(KIPC_CNT_A_MSGS_OUT) | BIT(KIPC_CNT_A_BYTES_OUT) |
			  BIT(KIPC_CNT_A_WAITS) | BIT(KIPC_CNT_A_PEAK_DEPTH),
};
