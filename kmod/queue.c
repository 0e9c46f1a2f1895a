// SPDX-License-Identifier: GPL-2.0
/*
 * Message queues: a superset of POSIX message queues.
 *
 * Capacity is fixed at creation and charged to the creator's uid then:
 * max_msgs times what the kernel really allocates for a message of
 * max_msg_size (kipc_msg_cost()), kmalloc()'s rounding included, so that
 * max_bytes_per_uid bounds the memory full queues pin.  A message takes
 * one allocation with its header, or two (the header, and the payload on
 * its own) when that is cheaper: a payload that fills a kmalloc() bucket
 * (4 KiB, 64 KiB) would otherwise double with the header.
 * Messages come out highest priority first, FIFO within a priority.
 * Blocked senders and receivers are served in arrival order by direct
 * hand-off: a message for a blocked receiver is given to it, a blocked
 * sender's message is put in the queue for it, both under the queue's
 * lock, so nobody can overtake them.
 *
 * A message a receiver has taken still counts against the capacity until
 * it has been copied out; if that fails it goes back to the head, so a
 * bad buffer never loses a message and the queue never exceeds its
 * capacity.
 *
 * Locking: see docs/design.md, section 7.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kipc_netlink.h>
#include <linux/overflow.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <net/netlink.h>

#include "kipc.h"

#define KIPC_QUEUE_DEF_MSGS	10U
#define KIPC_QUEUE_DEF_MSG_SIZE	8192U

/**
 * struct kipc_msg - one message
 * @pq: its place in the queue
 * @len: payload length
 * @apart: the payload has an allocation of its own, @ext
 * @ext: the payload, if @apart
 * @in: the payload, in the same allocation, if not @apart
 */
struct kipc_msg {
	struct kipc_pq_node pq;
	u32 len;
	bool apart;
	union {
		u8 *ext;
		DECLARE_FLEX_ARRAY(u8, in);
	};
};

/**
 * struct kipc_queue_reg - a notification registration
 * @tgid: the registered process
 * @tid: the thread that registered, which the signal goes to
 * @ns: its user namespace, for the signal's si_uid
 * @signo: signal number
 * @value: si_value of the signal
 * @persist: KIPC_NOTIFY_PERSIST: fires at every arrival into an empty
 *	queue, not once
 */
struct kipc_queue_reg {
	struct pid *tgid;
	struct pid *tid;
	struct user_namespace *ns;
	int signo;
	u64 value;
	bool persist;
};

/**
 * struct kipc_queue_obj - a message queue
 * @obj: the common part
 * @lock: protects every field below; only the scheduler's locks, to
 *	wake a waiter, are taken under it (docs/design.md, section 7).
 *	Signals and poll wake-ups are sent after it is dropped.
 * @msgs: queued messages
 * @senders: blocked senders, each offering its message as waiter.data
 * @receivers: blocked receivers; a grant hands over a message (as
 *	waiter.value), or with value 0 says the head message is larger than
 *	waiter.size, which then holds its length
 * @poll_wq: poll/epoll waiters
 * @max_msgs: capacity
 * @max_msg_size: largest message
 * @count: messages queued or being copied out: never above @max_msgs
 * @bytes: their payload bytes
 * @reg: notification registration; @reg.tgid is NULL when none
 *
 * @lock also protects @obj.counters: msgs_in and bytes_in (messages that
 * entered the queue, INFO's sent), msgs_out and bytes_out (delivered,
 * INFO's received), peak_depth (of @count), notifications, and the waits
 * and timeouts kipc_waitq_sleep() counts for @senders and @receivers.
 */
struct kipc_queue_obj {
	struct kipc_object obj;
	spinlock_t lock; /* protects all below */
	struct kipc_prioq msgs;
	struct kipc_waitq senders;
	struct kipc_waitq receivers;
	wait_queue_head_t poll_wq;
	u32 max_msgs;
	u32 max_msg_size;
	u32 count;
	u64 bytes;
	struct kipc_queue_reg reg;
};

/* Effects decided under the lock, carried out after it is dropped. */
struct kipc_queue_after {
	struct kipc_queue_reg fire;	/* a notification to send */
	struct kipc_queue_reg drop;	/* a registration to release */
	bool wake;			/* readiness changed */
	bool in;			/* a message came in */
	bool out;			/* room was made */
};

static struct kipc_queue_obj *to_queue(struct kipc_object *obj)
{
	return container_of(obj, struct kipc_queue_obj, obj);
}

static struct kipc_msg *to_msg(struct kipc_pq_node *n)
{
	return n ? container_of(n, struct kipc_msg, pq) : NULL;
}

/* Bytes of a message with its payload in the same allocation. */
static size_t kipc_msg_in_size(u32 len)
{
	return max(offsetof(struct kipc_msg, in) + len, sizeof(struct kipc_msg));
}

/*
 * What a kmalloc() of @size bytes takes: its bucket, and for a slab
 * object the pointer to its memory cgroup that accounting adds.
 */
static size_t kipc_kmalloc_cost(size_t size)
{
	size_t n = kmalloc_size_roundup(size);

	return n <= KMALLOC_MAX_CACHE_SIZE ? n + sizeof(void *) : n;
}

/*
 * A payload kmalloc() cannot give (above KMALLOC_MAX_SIZE, 4 MiB on
 * x86-64; max_queue_msg_size may be 16 MiB) comes from vmalloc(): its
 * pages, and the array that lists them.
 */
static bool kipc_msg_vmalloc(u32 len)
{
	return len > KMALLOC_MAX_SIZE;
}

static size_t kipc_payload_cost(u32 len)
{
	if (!kipc_msg_vmalloc(len))
		return kipc_kmalloc_cost(len);
	return PAGE_ALIGN(len) +
	       kipc_kmalloc_cost(PFN_UP(len) * sizeof(struct page *));
}

/* In one allocation with the header; beyond kmalloc(), impossible. */
static size_t kipc_msg_cost_in(u32 len)
{
	size_t size = kipc_msg_in_size(len);

	return size > KMALLOC_MAX_SIZE ? SIZE_MAX : kipc_kmalloc_cost(size);
}

static size_t kipc_msg_cost_apart(u32 len)
{
	return kipc_kmalloc_cost(sizeof(struct kipc_msg)) +
	       kipc_payload_cost(len);
}

/* Whether a payload of @len goes in an allocation of its own. */
static bool kipc_msg_apart(u32 len)
{
	return len && kipc_msg_cost_apart(len) < kipc_msg_cost_in(len);
}

/*
 * The memory a message of @len bytes takes.  Never less for a longer
 * message (the smaller of two costs that grow with @len), so a queue's
 * capacity charge covers any mix of messages up to max_msg_size.
 */
static size_t kipc_msg_cost(u32 len)
{
	return kipc_msg_apart(len) ? kipc_msg_cost_apart(len) :
				     kipc_msg_cost_in(len);
}

static struct kipc_msg *kipc_msg_alloc(u32 len)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_NOWARN;
	struct kipc_msg *m;

	if (!kipc_msg_apart(len)) {
		m = kmalloc(kipc_msg_in_size(len), gfp);
		if (m)
			m->apart = false;
		return m;
	}
	m = kmalloc(sizeof(*m), gfp);
	if (!m)
		return NULL;
	m->ext = kipc_msg_vmalloc(len) ? __vmalloc(len, gfp) : kmalloc(len, gfp);
	if (!m->ext) {
		kfree(m);
		return NULL;
	}
	m->apart = true;
	return m;
}

static void kipc_msg_free(struct kipc_msg *m)
{
	if (m->apart)
		kvfree(m->ext);
	kfree(m);
}

static u8 *kipc_msg_data(struct kipc_msg *m)
{
	return m->apart ? m->ext : m->in;
}

static void kipc_queue_reg_put(struct kipc_queue_reg *r)
{
	put_pid(r->tgid);
	put_pid(r->tid);
	if (r->ns)
		put_user_ns(r->ns);
	memset(r, 0, sizeof(*r));
}

/* ---- the locked state machine ----------------------------------------- */

/* Put @m in the queue; a message into an empty queue may notify. */
static void kipc_queue_enqueue(struct kipc_queue_obj *q, struct kipc_msg *m,
			       struct kipc_queue_after *after)
{
	struct kipc_counters *c = &q->obj.counters;

	lockdep_assert_held(&q->lock);
	if (!q->msgs.count && !q->receivers.count && q->reg.tgid) {
		after->fire = q->reg;
		if (q->reg.persist) {
			get_pid(q->reg.tgid);
			get_pid(q->reg.tid);
			get_user_ns(q->reg.ns);
		} else {	/* one-shot: the reference moves */
			memset(&q->reg, 0, sizeof(q->reg));
		}
		kipc_count(&c->notifications, 1);
	}
	kipc_prioq_push(&q->msgs, &m->pq);
	q->count++;
	q->bytes += m->len;
	kipc_count(&c->msgs_in, 1);
	kipc_count(&c->bytes_in, m->len);
	kipc_count_peak(&c->peak_depth, q->count);
	after->wake = true;
	after->in = true;
}

/*
 * Match queued messages with blocked receivers, then free capacity with
 * blocked senders, until neither can move.
 */
static void kipc_queue_dispatch(struct kipc_queue_obj *q,
				struct kipc_queue_after *after)
{
	struct kipc_waiter *w;
	struct kipc_msg *m;

	lockdep_assert_held(&q->lock);
	for (;;) {
		m = to_msg(kipc_prioq_peek(&q->msgs));
		w = kipc_waitq_first(&q->receivers);
		if (m && w) {
			if (m->len > w->size) {
				w->size = m->len;
				kipc_waitq_grant(&q->receivers, w, 0);
			} else {
				kipc_prioq_pop(&q->msgs);
				kipc_waitq_grant(&q->receivers, w, (uintptr_t)m);
			}
			continue;
		}
		w = kipc_waitq_first(&q->senders);
		if (w && q->count < q->max_msgs) {
			kipc_queue_enqueue(q, w->data, after);
			kipc_waitq_grant(&q->senders, w, 0);
			continue;
		}
		return;
	}
}

static void kipc_queue_finish(struct kipc_queue_obj *q,
			      struct kipc_queue_after *after);

/*
 * Send @m (allocated, filled).  On success the queue owns it; on failure
 * the caller still does.
 */
static int kipc_queue_put(struct kipc_queue_obj *q, struct kipc_msg *m,
			  bool nonblock, ktime_t deadline)
{
	struct kipc_queue_after after = {};
	struct kipc_waiter w;
	int ret = 0;

	spin_lock(&q->lock);
	if (q->count < q->max_msgs && !q->senders.count) {
		kipc_queue_enqueue(q, m, &after);
		kipc_queue_dispatch(q, &after);
	} else if (nonblock) {
		ret = -EAGAIN;
	} else {
		w.data = m;
		kipc_waitq_add(&q->senders, &w);
		ret = kipc_waitq_sleep(&q->senders, &w, deadline);
	}
	spin_unlock(&q->lock);
	kipc_queue_finish(q, &after);
	return ret;
}

/*
 * Take the next message for a buffer of @size bytes.  -EMSGSIZE sets
 * *@need to the message's length and leaves it queued.
 */
static int kipc_queue_take(struct kipc_queue_obj *q, u32 size, bool nonblock,
			   ktime_t deadline, struct kipc_msg **out, u32 *need)
{
	struct kipc_waiter w;
	struct kipc_msg *m;
	int ret = 0;

	spin_lock(&q->lock);
	m = to_msg(kipc_prioq_peek(&q->msgs));
	if (m && m->len > size) {
		*need = m->len;
		ret = -EMSGSIZE;
	} else if (m) {
		*out = to_msg(kipc_prioq_pop(&q->msgs));
	} else if (nonblock) {
		ret = -EAGAIN;
	} else {
		w.size = size;
		kipc_waitq_add(&q->receivers, &w);
		ret = kipc_waitq_sleep(&q->receivers, &w, deadline);
		if (!ret && !w.value) {
			*need = w.size;
			ret = -EMSGSIZE;
		} else if (!ret) {
			*out = (struct kipc_msg *)(uintptr_t)w.value;
		}
	}
	spin_unlock(&q->lock);
	return ret;
}

/* A taken message was delivered (@ok) or must go back to the head. */
static void kipc_queue_done(struct kipc_queue_obj *q, struct kipc_msg *m, bool ok)
{
	struct kipc_queue_after after = { .wake = true, .out = ok };

	spin_lock(&q->lock);
	if (ok) {
		q->count--;
		q->bytes -= m->len;
		kipc_count(&q->obj.counters.msgs_out, 1);
		kipc_count(&q->obj.counters.bytes_out, m->len);
	} else {
		kipc_prioq_push_front(&q->msgs, &m->pq);
	}
	kipc_queue_dispatch(q, &after);
	spin_unlock(&q->lock);
	kipc_queue_finish(q, &after);
	if (ok)
		kipc_msg_free(m);
}

/* ---- notification -------------------------------------------------------- */

static void kipc_queue_signal(struct kipc_queue_reg *r)
{
	struct kernel_siginfo info;
	struct task_struct *t;

	clear_siginfo(&info);
	info.si_signo = r->signo;
	info.si_code = SI_MESGQ;
	info.si_value.sival_ptr = (void __user *)(uintptr_t)r->value;
	rcu_read_lock();
	info.si_pid = task_tgid_nr_ns(current, ns_of_pid(r->tgid));
	rcu_read_unlock();
	info.si_uid = from_kuid_munged(r->ns, current_uid());

	t = get_pid_task(r->tid, PIDTYPE_PID);
	if (t && (READ_ONCE(t->flags) & PF_EXITING)) {
		/* A thread-directed signal would die with the thread. */
		put_task_struct(t);
		t = NULL;
	}
	if (!t)
		t = get_pid_task(r->tgid, PIDTYPE_TGID);
	if (t) {
		send_sig_info(r->signo, &info, t);
		put_task_struct(t);
	}
}

static void kipc_queue_finish(struct kipc_queue_obj *q,
			      struct kipc_queue_after *after)
{
	lockdep_assert_not_held(&q->lock);
	if (after->fire.tgid) {
		kipc_queue_signal(&after->fire);
		kipc_queue_reg_put(&after->fire);
		kipc_nl_notify(KIPC_EV_NOTIFIED, &q->obj, NULL);
	}
	if (after->drop.tgid)
		kipc_queue_reg_put(&after->drop);
	if (after->wake && wq_has_sleeper(&q->poll_wq))
		wake_up_interruptible_poll(&q->poll_wq,
					   EPOLLIN | EPOLLRDNORM |
					   EPOLLOUT | EPOLLWRNORM);
	if (after->in)
		kipc_signal_ready(&q->obj, 0, POLL_IN);
	if (after->out)
		kipc_signal_ready(&q->obj, 0, POLL_OUT);
}

/* Drop the caller's registration; -ENOENT if it has none. */
static int kipc_queue_unregister(struct kipc_queue_obj *q)
{
	struct kipc_queue_after after = {};
	int ret = -ENOENT;

	spin_lock(&q->lock);
	if (q->reg.tgid == task_tgid(current)) {
		after.drop = q->reg;
		memset(&q->reg, 0, sizeof(q->reg));
		ret = 0;
	}
	spin_unlock(&q->lock);
	kipc_queue_finish(q, &after);
	return ret;
}

static int kipc_queue_register(struct kipc_queue_obj *q, int signo, u64 value,
			       bool persist)
{
	struct kipc_queue_reg r = {
		.tgid = get_pid(task_tgid(current)),
		.tid = get_pid(task_pid(current)),
		.ns = get_user_ns(current_user_ns()),
		.signo = signo,
		.value = value,
		.persist = persist,
	};
	int ret = -EBUSY;

	spin_lock(&q->lock);
	if (!q->reg.tgid) {
		q->reg = r;
		memset(&r, 0, sizeof(r));
		ret = 0;
	}
	spin_unlock(&q->lock);
	if (r.tgid)
		kipc_queue_reg_put(&r);
	return ret;
}

static struct kipc_msg *kipc_queue_msg_from_user(struct kipc_queue_obj *q,
						 const void __user *buf,
						 size_t len, u32 prio)
{
	struct kipc_msg *m;

	if (len > q->max_msg_size)
		return ERR_PTR(-EMSGSIZE);
	m = kipc_msg_alloc(len);
	if (!m)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(kipc_msg_data(m), buf, len)) {
		kipc_msg_free(m);
		return ERR_PTR(-EFAULT);
	}
	m->len = len;
	m->pq.prio = prio;
	return m;
}

static int kipc_queue_do_send(struct file *file, struct kipc_queue_obj *q,
			      const void __user *buf, size_t len, u32 prio,
			   bool nonblock, ktime_t deadline)
{
	struct kipc_msg *m;
	int ret;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	m = kipc_queue_msg_from_user(q, buf, len, prio);
	if (IS_ERR(m))
		return PTR_ERR(m);
	ret = kipc_queue_put(q, m, nonblock || (file->f_flags & O_NONBLOCK),
			     deadline);
	if (ret)
		kipc_msg_free(m);
	return ret;
}

/* Receive into @buf; returns the message, which the caller completes. */
static int kipc_queue_do_recv(struct file *file, struct kipc_queue_obj *q,
			      void __user *buf, u32 size, bool nonblock,
			   ktime_t deadline, u32 *len, u32 *prio)
{
	struct kipc_msg *m;
	int ret;

	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	ret = kipc_queue_take(q, size, nonblock || (file->f_flags & O_NONBLOCK),
			      deadline, &m, len);
	if (ret)
		return ret;
	if (copy_to_user(buf, kipc_msg_data(m), m->len)) {
		kipc_queue_done(q, m, false);
		return -EFAULT;
	}
	*len = m->len;
	*prio = m->pq.prio;
	kipc_queue_done(q, m, true);
	return 0;
}

/* ---- creation ---------------------------------------------------------- */

static int kipc_queue_check_attr(const struct kipc_queue_attr *a,
				 u32 *msgs, u32 *size)
{
	u32 max_msgs, max_size;

	if (!kipc_args_clean(a->flags, a->__pad, a->reserved,
			     sizeof(a->reserved)))
		return -EINVAL;
	max_msgs = READ_ONCE(kipc_max_queue_msgs);
	max_size = READ_ONCE(kipc_max_queue_msg_size);
	/* The defaults shrink with the limits; explicit sizes do not. */
	*msgs = a->max_msgs ?: min(KIPC_QUEUE_DEF_MSGS, max_msgs);
	*size = a->max_msg_size ?: min(KIPC_QUEUE_DEF_MSG_SIZE, max_size);
	if (*msgs > max_msgs || *size > max_size)
		return -EINVAL;
	return 0;
}

static struct kipc_object *kipc_queue_obj_create(const void *attr)
{
	struct kipc_queue_obj *q;
	u32 msgs, size;
	int err;

	err = kipc_queue_check_attr(attr, &msgs, &size);
	if (err)
		return ERR_PTR(err);
	q = kzalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);
	if (!q)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&q->lock);
	kipc_prioq_init(&q->msgs);
	kipc_waitq_init(&q->senders, &q->lock);
	kipc_waitq_set_what(&q->senders, KIPC_WAITFOR_SEND, &q->obj.counters);
	kipc_waitq_init(&q->receivers, &q->lock);
	kipc_waitq_set_what(&q->receivers, KIPC_WAITFOR_RECEIVE,
			    &q->obj.counters);
	init_waitqueue_head(&q->poll_wq);
	q->max_msgs = msgs;
	q->max_msg_size = size;
	q->obj.charge = (u64)msgs * kipc_msg_cost(size);
	return &q->obj;
}

static void kipc_queue_obj_destroy(struct kipc_object *obj)
{
	struct kipc_queue_obj *q = to_queue(obj);
	struct kipc_pq_node *n;

	WARN_ON(q->senders.count || q->receivers.count);
	while ((n = kipc_prioq_pop(&q->msgs)))
		kipc_msg_free(to_msg(n));
	kipc_queue_reg_put(&q->reg);
	kfree(q);
}

/* ---- ioctls, read and write --------------------------------------------- */

static ssize_t kipc_queue_read(struct file *file, struct kipc_object *obj,
			       char __user *buf, size_t count)
{
	u32 len, prio;
	int err;

	err = kipc_queue_do_recv(file, to_queue(obj), buf,
				 min_t(size_t, count, U32_MAX), false, KTIME_MAX,
			      &len, &prio);
	return err ? err : (ssize_t)len;
}

static ssize_t kipc_queue_write(struct file *file, struct kipc_object *obj,
				const char __user *buf, size_t count)
{
	int err;

	err = kipc_queue_do_send(file, to_queue(obj), buf, count, 0, false,
				 KTIME_MAX);
	return err ? err : (ssize_t)count;
}

static void kipc_queue_flush(struct file *file, struct kipc_object *obj)
{
	kipc_queue_unregister(to_queue(obj));
}

static long kipc_queue_ioc_send(struct file *file, struct kipc_object *obj,
				unsigned long arg, unsigned int usize)
{
	struct kipc_queue_send s;
	ktime_t deadline;
	int err;

	err = kipc_copy_in(&s, sizeof(s), KIPC_QUEUE_SEND_SIZE_VER0,
			   (void __user *)arg, usize);
	if (err)
		return err;
	if (!kipc_args_clean(0, s.__pad, s.reserved, sizeof(s.reserved)) ||
	    s.priority > KIPC_QUEUE_PRIO_MAX)
		return -EINVAL;
	err = kipc_check_wait(s.flags, &s.deadline, &deadline);
	if (err)
		return err;
	return kipc_queue_do_send(file, to_queue(obj), u64_to_user_ptr(s.msg),
			       s.len, s.priority, s.flags & KIPC_WAIT_NONBLOCK,
			       deadline);
}

static long kipc_queue_ioc_recv(struct file *file, struct kipc_object *obj,
				unsigned long arg, unsigned int usize)
{
	void __user *uarg = (void __user *)arg;
	struct kipc_queue_recv r;
	ktime_t deadline;
	int err;

	err = kipc_copy_in(&r, sizeof(r), KIPC_QUEUE_RECV_SIZE_VER0, uarg,
			   usize);
	if (err)
		return err;
	if (!kipc_args_clean(0, 0, r.reserved, sizeof(r.reserved)))
		return -EINVAL;
	err = kipc_check_wait(r.flags, &r.deadline, &deadline);
	if (err)
		return err;
	/* Fail on a read-only struct before a message is taken. */
	err = kipc_copy_out(uarg, usize, &r, sizeof(r));
	if (err)
		return err;

	err = kipc_queue_do_recv(file, to_queue(obj), u64_to_user_ptr(r.buf),
				 r.size, r.flags & KIPC_WAIT_NONBLOCK, deadline,
			      &r.len, &r.priority);
	if (err && err != -EMSGSIZE)
		return err;
	if (kipc_copy_out(uarg, usize, &r, sizeof(r)))
		return -EFAULT;
	return err;
}

/**
 * kipc_queue_get_info() - a consistent snapshot of a queue's state
 * @obj: the queue
 * @in: everything but @in->flags and the reserved fields is filled in
 */
void kipc_queue_get_info(struct kipc_object *obj, struct kipc_queue_info *in)
{
	struct kipc_queue_obj *q = to_queue(obj);

	spin_lock(&q->lock);
	in->max_msgs = q->max_msgs;
	in->max_msg_size = q->max_msg_size;
	in->msgs = q->count;
	in->bytes = q->bytes;
	in->senders = q->senders.count;
	in->receivers = q->receivers.count;
	in->sent = q->obj.counters.msgs_in;
	in->received = q->obj.counters.msgs_out;
	in->notify_pid = q->reg.tgid ? pid_vnr(q->reg.tgid) : 0;
	spin_unlock(&q->lock);
}

static void kipc_queue_fill_info(struct file *file, struct kipc_object *obj,
				 struct kipc_queue_info *in)
{
	kipc_queue_get_info(obj, in);
}

KIPC_DEFINE_IOC_INFO(kipc_queue, struct kipc_queue_info,
		     KIPC_QUEUE_INFO_SIZE_VER0, __pad);

static long kipc_queue_ioc_notify(struct file *file, struct kipc_object *obj,
				  unsigned long arg, unsigned int usize)
{
	struct kipc_queue_notify n;
	int err;

	err = kipc_copy_in(&n, sizeof(n), KIPC_QUEUE_NOTIFY_SIZE_VER0,
			   (void __user *)arg, usize);
	if (err)
		return err;
	if (!kipc_args_clean(n.flags, 0, n.reserved, sizeof(n.reserved)) ||
	    !valid_signal(n.signo) || (!n.signo && n.value))
		return -EINVAL;
	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	if (!n.signo)
		return kipc_queue_unregister(to_queue(obj));
	return kipc_queue_register(to_queue(obj), n.signo, n.value, false);
}

/*
 * &kipc_type.notify: KIPC_IOC_NOTIFY on a queue is KIPC_QUEUE_IOC_NOTIFY
 * with the persistence flag; one registration serves both.
 */
static int kipc_queue_notify(struct file *file, struct kipc_object *obj,
			     int signo, u64 value, u32 flags)
{
	if (!signo)
		return kipc_queue_unregister(to_queue(obj));
	return kipc_queue_register(to_queue(obj), signo, value,
				   flags & KIPC_NOTIFY_PERSIST);
}

static __poll_t kipc_queue_poll(struct file *file, struct kipc_object *obj,
				poll_table *wait)
{
	struct kipc_queue_obj *q = to_queue(obj);
	__poll_t mask = 0;

	poll_wait(file, &q->poll_wq, wait);
	spin_lock(&q->lock);
	if (q->msgs.count)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (q->count < q->max_msgs)
		mask |= EPOLLOUT | EPOLLWRNORM;
	spin_unlock(&q->lock);
	return mask;
}

static void kipc_queue_show_fdinfo(struct seq_file *m, struct kipc_object *obj)
{
	struct kipc_queue_info in;

	kipc_queue_get_info(obj, &in);
	seq_printf(m, "queue-max-msgs:\t%u\n", in.max_msgs);
	seq_printf(m, "queue-max-msg-size:\t%u\n", in.max_msg_size);
	seq_printf(m, "queue-msgs:\t%u\n", in.msgs);
	seq_printf(m, "queue-bytes:\t%llu\n", in.bytes);
	seq_printf(m, "queue-senders:\t%u\n", in.senders);
	seq_printf(m, "queue-receivers:\t%u\n", in.receivers);
	seq_printf(m, "queue-sent:\t%llu\n", in.sent);
	seq_printf(m, "queue-received:\t%llu\n", in.received);
	seq_printf(m, "queue-notify-pid:\t%u\n", in.notify_pid);
}

/* ---- netlink ------------------------------------------------------------ */

/*
 * &kipc_type.nl_state: what INFO reports, read in one hold of the lock;
 * the notified process in the caller's pid namespace.
 */
static int kipc_queue_nl_state(struct sk_buff *skb, struct kipc_object *obj,
			       u32 *nr_waiters)
{
	struct kipc_queue_obj *q = to_queue(obj);
	int err = 0;

	spin_lock(&q->lock);
	*nr_waiters = q->senders.count + q->receivers.count;
	if (nla_put_u32(skb, KIPC_QUEUE_A_MSGS, q->count) ||
	    nla_put_u32(skb, KIPC_QUEUE_A_MAX_MSGS, q->max_msgs) ||
	    nla_put_u64_64bit(skb, KIPC_QUEUE_A_BYTES, q->bytes,
			      KIPC_QUEUE_A_PAD) ||
	    nla_put_u32(skb, KIPC_QUEUE_A_MAX_MSG_SIZE, q->max_msg_size) ||
	    nla_put_u32(skb, KIPC_QUEUE_A_NOTIFY_PID,
			q->reg.tgid ? pid_vnr(q->reg.tgid) : 0))
		err = -EMSGSIZE;
	spin_unlock(&q->lock);
	*nr_waiters += kipc_wq_nr_waiters(&q->poll_wq);
	return err;
}

/*
 * &kipc_type.nl_waiters: blocked senders, then receivers, oldest first,
 * then the waits for many.
 */
static int kipc_queue_nl_waiters(struct sk_buff *skb, struct kipc_object *obj)
{
	struct kipc_queue_obj *q = to_queue(obj);
	int err;

	spin_lock(&q->lock);
	err = kipc_waitq_put_waiters(skb, &q->senders);
	if (!err)
		err = kipc_waitq_put_waiters(skb, &q->receivers);
	spin_unlock(&q->lock);
	return err ?: kipc_wq_put_waiters(skb, &q->poll_wq);
}

static const struct kipc_ioc kipc_queue_ioctls[] = {
	{ KIPC_QUEUE_IOC_SEND, KIPC_QUEUE_SEND_SIZE_VER0, kipc_queue_ioc_send },
	{ KIPC_QUEUE_IOC_RECV, KIPC_QUEUE_RECV_SIZE_VER0, kipc_queue_ioc_recv },
	{ KIPC_QUEUE_IOC_INFO, KIPC_QUEUE_INFO_SIZE_VER0, kipc_queue_ioc_info },
	{ KIPC_QUEUE_IOC_NOTIFY, KIPC_QUEUE_NOTIFY_SIZE_VER0, kipc_queue_ioc_notify },
};

const struct kipc_type kipc_queue_type = {
	.type		= KIPC_TYPE_QUEUE,
	.name		= "queue",
	.inode_name	= "[kipc-queue]",
	.signals	= true,
	.attr_size	= sizeof(struct kipc_queue_attr),
	.attr_min	= KIPC_QUEUE_ATTR_SIZE_VER0,
	.create		= kipc_queue_obj_create,
	.destroy	= kipc_queue_obj_destroy,
	.ioctls		= kipc_queue_ioctls,
	.nr_ioctls	= ARRAY_SIZE(kipc_queue_ioctls),
	.poll		= kipc_queue_poll,
	.show_fdinfo	= kipc_queue_show_fdinfo,
	.read		= kipc_queue_read,
	.write		= kipc_queue_write,
	.flush		= kipc_queue_flush,
	.notify		= kipc_queue_notify,
	.nl_state	= kipc_queue_nl_state,
	.nl_waiters	= kipc_queue_nl_waiters,
	.nl_counters	= BIT(KIPC_CNT_A_MSGS_IN) | BIT(KIPC_CNT_A_BYTES_IN) |
			  BIT(KIPC_CNT_A_MSGS_OUT) | BIT(KIPC_CNT_A_BYTES_OUT) |
			  BIT(KIPC_CNT_A_WAITS) | BIT(KIPC_CNT_A_TIMEOUTS) |
			  BIT(KIPC_CNT_A_PEAK_DEPTH) |
			  BIT(KIPC_CNT_A_NOTIFICATIONS),
};
