/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc internal interfaces: the object model shared by every object type.
 */
#ifndef _KIPC_KIPC_H
#define _KIPC_KIPC_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/poll.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/kipc.h>

#include "compat.h"
#include "uaccess.h"

struct kipc_object;
struct kipc_user;

/**
 * struct kipc_wm_ops - how KIPC_IOC_WAIT_MANY takes an object
 * @lock: the object's spinlock, under which the others are called
 * @prepare: close the object's user-space fast path, if it has one, so
 *	that its state changes only under @lock, and say whether the caller
 *	could take it now: 1, 0, or a -errno that ends the wait
 * @take: take it, after @prepare said 1 under the same hold of @lock;
 *	returns 0 or a -errno that still means taken (-EOWNERDEAD), and
 *	*@value for struct kipc_wait_obj.value
 * @finish: reopen what @prepare closed; returns true if @wake must run
 *	once the locks are dropped
 * @wake: wake the object's pollers, or NULL
 * @recheck_ms: sleep at most this long before checking again (a mutex's
 *	owner may die unseen), or 0
 */
struct kipc_wm_ops {
	spinlock_t *(*lock)(struct kipc_object *obj);
	int (*prepare)(struct kipc_object *obj);
	int (*take)(struct kipc_object *obj, u64 *value);
	bool (*finish)(struct kipc_object *obj);
	void (*wake)(struct kipc_object *obj);
	unsigned int recheck_ms;
};

/**
 * struct kipc_type - what an object type provides to the core
 * @type: KIPC_TYPE_* number
 * @name: short name, used in fdinfo
 * @inode_name: name of the anon inode, as readlink() of the fd shows it
 * @attr_size: size of the type's attribute struct known to the module
 * @attr_min: smallest attribute size accepted (its _SIZE_VER0)
 * @create: validate @attr (already copied in, zero-extended) and allocate
 *	the object; returns the embedded &struct kipc_object or an ERR_PTR.
 *	Must not have side effects beyond the allocation.
 * @destroy: free an object built by @create; called once, on last put
 * @ioctls: the type's ioctl commands
 * @nr_ioctls: their number
 * @poll: readiness of the object
 * @show_fdinfo: type-specific lines of /proc/<pid>/fdinfo/<fd>
 * @read: read(2) on the object's fd, or NULL (EINVAL)
 * @write: write(2) on the object's fd, or NULL (EINVAL)
 * @flush: called on every close(2) of one of the object's fds, or NULL
 * @attach: called before a new file of the object is made, or NULL:
 *	@mode is its FMODE_READ/WRITE, @how a KIPC_ATTACH_*; *@tag comes in
 *	as the reopened file's tag (else 0) and goes out as the new file's
 *	(0 or 1, see kipc_file_tag()).  An error refuses the open.
 * @detach: undoes @attach when that file is released, or NULL
 * @mmap: mmap(2) on the object's fd, or NULL (ENODEV)
 * @wm: how a wait for many takes the object, or NULL: then, if @poll is
 *	set, the wait takes nothing and the object is ready while readable
 */
struct kipc_type {
	u32 type;
	const char *name;
	const char *inode_name;
	size_t attr_size;
	size_t attr_min;
	struct kipc_object *(*create)(const void *attr);
	void (*destroy)(struct kipc_object *obj);
	const struct kipc_ioc *ioctls;
	unsigned int nr_ioctls;
	__poll_t (*poll)(struct file *file, struct kipc_object *obj,
			 poll_table *wait);
	void (*show_fdinfo)(struct seq_file *m, struct kipc_object *obj);
	ssize_t (*read)(struct file *file, struct kipc_object *obj,
			char __user *buf, size_t count);
	ssize_t (*write)(struct file *file, struct kipc_object *obj,
			 const char __user *buf, size_t count);
	void (*flush)(struct file *file, struct kipc_object *obj);
	int (*attach)(struct kipc_object *obj, fmode_t mode, unsigned int how,
		      unsigned long *tag);
	void (*detach)(struct kipc_object *obj, fmode_t mode,
		       unsigned long tag);
	int (*mmap)(struct file *file, struct kipc_object *obj,
		    struct vm_area_struct *vma);
	const struct kipc_wm_ops *wm;
};

/* How a file comes to be, for &kipc_type.attach. */
#define KIPC_ATTACH_CREATE	0
#define KIPC_ATTACH_OPEN	1
#define KIPC_ATTACH_REOPEN	2

/**
 * struct kipc_object - the part every kipc object shares
 * @ref: references: one per open file, one while the name is registered,
 *	and short-lived ones taken by lookups
 * @type: the object's type
 * @id: unique id, never reused while the module is loaded
 * @uid: owner uid
 * @gid: owner gid
 * @cuid: creator uid
 * @cgid: creator gid
 * @mode: permission bits
 * @creator: thread-group id of the creator
 * @user: the per-uid account charged for this object
 * @charge: bytes charged to @user besides the object itself (set by the
 *	type's @create from the attributes: a queue's whole capacity)
 * @name: the name (not NUL-terminated), NULL for anonymous objects
 * @name_len: length of @name
 * @hash_node: link in the name registry, under kipc_registry_lock
 * @linked: the name is in the registry, under kipc_registry_lock
 *
 * Lock order (outermost first): kipc_registry_lock (mutex, name registry)
 * -> a type's own object lock -> kipc_users_lock (spinlock, accounting,
 * a leaf: kipc_recharge() takes it under a pipe's mutex).  Everything but
 * @hash_node, @linked and @charge is immutable after creation; @charge
 * changes only through kipc_recharge(), serialized by the type.
 */
struct kipc_object {
	struct kref ref;
	const struct kipc_type *type;
	u64 id;
	kuid_t uid;
	kgid_t gid;
	kuid_t cuid;
	kgid_t cgid;
	umode_t mode;
	struct pid *creator;
	struct kipc_user *user;
	u64 charge;
	char *name;
	u32 name_len;
	struct hlist_node hash_node;
	bool linked;
};

/*
 * A file's private_data is its object's address with a one-bit tag in the
 * low bit (objects are at least 8-byte aligned): which end of a channel.
 */
static inline struct kipc_object *kipc_file_obj(const struct file *file)
{
	return (struct kipc_object *)((unsigned long)file->private_data & ~1UL);
}

static inline unsigned long kipc_file_tag(const struct file *file)
{
	return (unsigned long)file->private_data & 1UL;
}

/**
 * struct kipc_waitq - FIFO of blocked tasks, protected by its object's lock
 * @head: the waiters, oldest first
 * @count: their number
 * @lock: the object's lock, which every operation below requires (lockdep
 *	checks it); only kipc_waitq_granted() is for a waiter without it
 */
struct kipc_waitq {
	struct list_head head;
	unsigned int count;
	spinlock_t *lock; /* the object's, not the queue's own */
};

/**
 * struct kipc_waiter - one blocked task, on its own stack
 * @node: link in &kipc_waitq.head
 * @task: the task
 * @granted: set by the waker: what the task waited for is now its own
 * @value: value handed over with the grant
 * @data: what the waiter offers the waker (a queue sender's message)
 * @size: what the waiter can take (a queue receiver's buffer size)
 */
struct kipc_waiter {
	struct list_head node;
	struct task_struct *task;
	bool granted;
	u64 value;
	void *data;
	u32 size;
};

/**
 * kipc_waitq_init() - an empty queue protected by @lock
 * @q: the queue
 * @lock: the object's lock
 */
static inline void kipc_waitq_init(struct kipc_waitq *q, spinlock_t *lock)
{
	INIT_LIST_HEAD(&q->head);
	q->count = 0;
	q->lock = lock;
}

/**
 * kipc_waitq_add() - queue @w at the tail of @q; caller holds the lock
 * @q: the queue
 * @w: a waiter for the current task
 */
static inline void kipc_waitq_add(struct kipc_waitq *q, struct kipc_waiter *w)
{
	lockdep_assert_held(q->lock);
	w->task = current;
	w->granted = false;
	w->value = 0;
	list_add_tail(&w->node, &q->head);
	q->count++;
}

/**
 * kipc_waitq_first() - the oldest waiter, not removed
 * @q: the queue; its lock is held
 *
 * Return: the waiter, or NULL if @q is empty.
 */
static inline struct kipc_waiter *kipc_waitq_first(struct kipc_waitq *q)
{
	lockdep_assert_held(q->lock);
	return list_first_entry_or_null(&q->head, struct kipc_waiter, node);
}

/**
 * kipc_waitq_grant() - remove @w from @q, hand it @value and wake it
 * @q: the queue; its lock is held
 * @w: a waiter on @q
 * @value: value for the waiter
 */
static inline void kipc_waitq_grant(struct kipc_waitq *q,
				    struct kipc_waiter *w, u64 value)
{
	struct task_struct *task = w->task;

	lockdep_assert_held(q->lock);
	list_del_init(&w->node);
	q->count--;
	w->value = value;
	get_task_struct(task);
	/*
	 * Pairs with kipc_waitq_granted(): a waiter may see the grant
	 * without the lock and return, so this is the last access to @w.
	 */
	smp_store_release(&w->granted, true);
	wake_up_process(task);
	put_task_struct(task);
}

/**
 * kipc_waitq_remove() - take @w, not granted, off @q: its task gives up
 * @q: the queue; its lock is held
 * @w: the caller's waiter, still queued
 */
static inline void kipc_waitq_remove(struct kipc_waitq *q,
				     struct kipc_waiter *w)
{
	lockdep_assert_held(q->lock);
	list_del_init(&w->node);
	q->count--;
}

/**
 * kipc_waitq_granted() - whether @w was granted, without the lock
 * @w: the caller's waiter, woken from its sleep
 *
 * A granted waiter is off the queue and its value is set, so it may
 * return without retaking the object's lock, as a futex waiter does.
 *
 * Return: true if granted; w->value then holds the value.
 */
static inline bool kipc_waitq_granted(struct kipc_waiter *w)
{
	/* Pairs with the release in kipc_waitq_grant(): w->value is set. */
	return smp_load_acquire(&w->granted);
}

/**
 * kipc_waitq_wake_one() - hand @value to the oldest waiter
 * @q: the queue; its lock is held
 * @value: value for the waiter
 *
 * Return: true if a waiter was granted, false if @q was empty.
 */
static inline bool kipc_waitq_wake_one(struct kipc_waitq *q, u64 value)
{
	lockdep_assert_held(q->lock);
	if (list_empty(&q->head))
		return false;
	kipc_waitq_grant(q, list_first_entry(&q->head, struct kipc_waiter,
					     node), value);
	return true;
}

unsigned int kipc_waitq_wake_all(struct kipc_waitq *q, u64 value);
void kipc_sleep(ktime_t deadline, unsigned int recheck_ms);
int kipc_waitq_sleep(struct kipc_waitq *q, struct kipc_waiter *w,
		     ktime_t deadline);
int kipc_wq_wait(wait_queue_head_t *wq, u32 (*ready)(void *arg), void *arg,
		 bool nonblock, ktime_t deadline, u32 *result);

/* Whether absolute CLOCK_MONOTONIC @deadline (KTIME_MAX: none) is past. */
static inline bool kipc_deadline_passed(ktime_t deadline)
{
	return deadline != KTIME_MAX &&
	       ktime_compare(ktime_get(), deadline) >= 0;
}

/**
 * struct kipc_pq_node - an entry of a &struct kipc_prioq
 * @rb: in the tree when this is the oldest node of its priority
 * @list: the followers of its priority (when in the tree), or the link
 *	among them
 * @prio: the priority; higher comes out first
 */
struct kipc_pq_node {
	struct rb_node rb;
	struct list_head list;
	u32 prio;
};

/**
 * struct kipc_prioq - priority queue, FIFO within a priority
 * @root: one node per priority present, highest leftmost
 * @count: nodes queued
 */
struct kipc_prioq {
	struct rb_root_cached root;
	unsigned int count;
};

static inline void kipc_prioq_init(struct kipc_prioq *q)
{
	q->root = RB_ROOT_CACHED;
	q->count = 0;
}

void kipc_prioq_push(struct kipc_prioq *q, struct kipc_pq_node *n);
void kipc_prioq_push_front(struct kipc_prioq *q, struct kipc_pq_node *n);
struct kipc_pq_node *kipc_prioq_peek(struct kipc_prioq *q);
struct kipc_pq_node *kipc_prioq_pop(struct kipc_prioq *q);

/**
 * struct kipc_ioc - one ioctl command of an object type
 * @cmd: the command as defined in the uapi header
 * @min_size: smallest argument size accepted (_SIZE_VER0, 0 for _IO)
 * @fn: the handler; @usize is the caller's argument size
 */
struct kipc_ioc {
	unsigned int cmd;
	unsigned int min_size;
	long (*fn)(struct file *file, struct kipc_object *obj,
		   unsigned long arg, unsigned int usize);
};

/* Module parameters (main.c). */
extern unsigned int kipc_max_objects;
extern unsigned int kipc_max_objects_per_uid;
extern unsigned int kipc_max_name_len;
extern unsigned long kipc_max_bytes_per_uid;
extern unsigned int kipc_max_queue_msgs;
extern unsigned int kipc_max_queue_msg_size;
extern unsigned int kipc_max_channel_capacity;
extern unsigned int kipc_max_pipe_capacity;
extern unsigned long kipc_max_region_size;
extern unsigned int kipc_max_wait_objects;

/* Object core (object.c). */
int kipc_objects_init(void);
void kipc_objects_exit(void);
void kipc_mutex_exit(void);
long kipc_ioc_create(void __user *arg, unsigned int usize);
long kipc_ioc_open(void __user *arg, unsigned int usize);
long kipc_ioc_unlink(void __user *arg, unsigned int usize);
long kipc_ioc_stats(void __user *arg, unsigned int usize);
struct kipc_object *kipc_object_new(const struct kipc_type *type,
				    const void *attr, char *name,
				    u32 name_len, umode_t mode);
void kipc_object_put(struct kipc_object *obj);
int kipc_check_name(const char *name, u32 len);
int kipc_permission(const struct kipc_object *obj, fmode_t want);
int kipc_charge(kuid_t uid, u64 bytes, struct kipc_user **out);
void kipc_uncharge(struct kipc_user *u, u64 bytes);
int kipc_recharge(struct kipc_object *obj, u64 bytes);
unsigned int kipc_uid_objects(kuid_t uid);
u64 kipc_uid_bytes(kuid_t uid);
unsigned int kipc_objects_alive(void);
int kipc_registry_add(struct kipc_object *obj);
struct kipc_object *kipc_registry_lookup(u32 type, const char *name, u32 len);
struct kipc_object *kipc_fget_obj(int fd, struct file **filep);

/* Wait for many (waitmany.c). */
long kipc_ioc_wait_many(void __user *arg, unsigned int usize);
int kipc_registry_unlink(u32 type, const char *name, u32 len);

/* Object types. */
extern const struct kipc_type kipc_event_type;
extern const struct kipc_type kipc_queue_type;
extern const struct kipc_type kipc_channel_type;
extern const struct kipc_type kipc_pipe_type;
extern const struct kipc_type kipc_region_type;
extern const struct kipc_type kipc_sem_type;
extern const struct kipc_type kipc_mutex_type;
extern const struct kipc_type kipc_cond_type;
void kipc_event_do_signal(struct kipc_object *obj, u64 value);
int kipc_event_do_wait(struct kipc_object *obj, bool nonblock, ktime_t deadline,
		       u64 *value);
void kipc_event_do_reset(struct kipc_object *obj);
void kipc_event_get_info(struct kipc_object *obj, struct kipc_event_info *in);
void kipc_queue_get_info(struct kipc_object *obj, struct kipc_queue_info *in);

#if IS_ENABLED(CONFIG_KUNIT)
/* Channel internals for kipc_kunit.ko (channel.c). */
struct kipc_chan_ring *kipc_chan_test_ring(struct kipc_object *obj,
					   unsigned int d, u8 **data, u32 *cap);
int kipc_chan_test_put(struct kipc_object *obj, unsigned int d,
		       const void __user *buf, u32 len);
int kipc_chan_test_get(struct kipc_object *obj, unsigned int d,
		       void __user *buf, u32 size, u32 *len);

/* Semaphore, mutex and cond internals for kipc_kunit.ko (sem.c, mutex.c). */
int kipc_sem_test_post(struct kipc_object *obj, u32 count, bool undo,
		       u32 *value);
int kipc_sem_test_wait(struct kipc_object *obj, bool nonblock,
		       ktime_t deadline, bool undo, u32 *value);
atomic64_t *kipc_sem_test_state(struct kipc_object *obj);
void kipc_sem_test_info(struct kipc_object *obj, struct kipc_sem_info *in);
int kipc_mutex_test_lock(struct kipc_object *obj, u32 tid, bool nonblock,
			 ktime_t deadline);
int kipc_mutex_test_unlock(struct kipc_object *obj, u32 tid);
int kipc_mutex_test_consistent(struct kipc_object *obj, u32 tid);
u32 *kipc_mutex_test_word(struct kipc_object *obj);
void kipc_mutex_test_info(struct kipc_object *obj, struct kipc_mutex_info *in);
void kipc_mutex_test_check_owner(struct kipc_object *obj);
bool kipc_tid_alive(u32 tid, pid_t *tgid);
int kipc_cond_test_wait(struct kipc_object *cobj, struct kipc_object *mobj,
			u32 tid, ktime_t deadline);
unsigned int kipc_cond_test_signal(struct kipc_object *cobj, bool all);
unsigned int kipc_cond_test_waiters(struct kipc_object *cobj);
int kipc_wm_test_try(struct kipc_object **objs, u32 n, bool all,
		     struct kipc_wait_obj *res, u32 *index);
#endif

#endif /* _KIPC_KIPC_H */
