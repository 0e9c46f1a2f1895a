/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The object core: the part every kipc object shares (struct kipc_object),
 * what an object type provides (struct kipc_type, its ioctls and how a wait
 * for many takes it), and the functions of main.c and object.c.
 *
 * Locking: see docs/design.md, section 7.
 */
#ifndef _KIPC_OBJECT_H
#define _KIPC_OBJECT_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/rhashtable-types.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/kipc.h>

#include "compat.h"
#include "uaccess.h"

struct ipc_namespace;
struct kipc_object;
struct kipc_user;
struct kipc_sig_reg;
struct sk_buff;
struct user_namespace;

/**
 * struct kipc_ns - kipc's view of one IPC namespace (ipcns.c)
 * @ref: one per object made in the namespace, and short-lived ones (a
 *	reap, a netlink dump); the last put frees it, and unhashes it if
 *	still hashed
 * @ipc_ns: the namespace, with a counted reference; NULL once reaped
 *	(the initial namespace's entry holds none)
 * @inum: its inode number (/proc/PID/ns/ipc), kept for reports
 * @user_ns: the user namespace that owns it, counted: CAP_IPC_OWNER over
 *	the namespace's objects is checked there
 * @node: link in the table of namespaces, under kipc_registry_lock
 * @names: the registered objects (&kipc_object.ns_link), likewise
 * @reap_link: link in a reap's local list
 * @named: the number of @names, likewise
 * @objects: objects charged to the namespace, under kipc_users_lock
 * @bytes: bytes charged to it, likewise
 * @dead: reaped: unhashed, its names gone, under kipc_registry_lock
 */
struct kipc_ns {
	struct kref ref;
	struct ipc_namespace *ipc_ns;
	unsigned int inum;
	struct user_namespace *user_ns;
	struct hlist_node node;
	struct list_head names;
	struct list_head reap_link;
	unsigned int named;
	unsigned int objects;
	u64 bytes;
	bool dead;
};

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
 * @what: KIPC_WAITFOR_* a task waiting for many is reported waiting for
 *	(objects without @wm: KIPC_WAITFOR_RECEIVE)
 */
struct kipc_wm_ops {
	spinlock_t *(*lock)(struct kipc_object *obj);
	int (*prepare)(struct kipc_object *obj);
	int (*take)(struct kipc_object *obj, u64 *value);
	bool (*finish)(struct kipc_object *obj);
	void (*wake)(struct kipc_object *obj);
	unsigned int recheck_ms;
	u32 what;
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
 * @nl_state: put the type's KIPC_<TYPE>_A_* state attributes into @skb
 *	(inside the KIPC_OBJ_A_STATE nest netlink.c opened) and set
 *	*@nr_waiters to the tasks blocked on it; 0 or -EMSGSIZE.  May take
 *	the object's lock; must not sleep.  Called before the counters are
 *	read: a channel folds its per-ring counts into them here.
 * @nl_waiters: put one KIPC_OBJ_A_WAITER nest per blocked task (with
 *	kipc_nl_put_waiter()), under the object's lock, or NULL
 * @nl_counters: the KIPC_CNT_A_* the type keeps, as (1 << KIPC_CNT_A_*)
 * @signals: the object can become ready and so can signal (signal.c):
 *	O_ASYNC and KIPC_IOC_NOTIFY are refused (EINVAL) without it
 * @notify: KIPC_IOC_NOTIFY done by the type itself (a queue), or NULL for
 *	the core's registration; @signo 0 removes the caller's
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
	int (*nl_state)(struct sk_buff *skb, struct kipc_object *obj,
			u32 *nr_waiters);
	int (*nl_waiters)(struct sk_buff *skb, struct kipc_object *obj);
	u32 nl_counters;
	bool signals;
	int (*notify)(struct file *file, struct kipc_object *obj, int signo,
		      u64 value, u32 flags);
};

/**
 * struct kipc_counters - what passed through an object, for kipcctl
 * @msgs_in: messages (or posts, signals) put in
 * @bytes_in: bytes put in
 * @msgs_out: messages (or units, wakeups) taken out
 * @bytes_out: bytes taken out
 * @waits: calls that blocked
 * @timeouts: blocked calls that ended by their deadline
 * @contended: acquisitions that took the kernel's slow path
 * @owner_deaths: owners that died holding the object
 * @peak_depth: the most messages (bytes for a pipe) held at once
 * @notifications: notifications fired
 *
 * Each field is written only where the object's own lock is already held,
 * with kipc_count() or kipc_count_peak() (WRITE_ONCE), and read without
 * it with READ_ONCE(): the counters add no lock and no shared cache line
 * to any path.  See docs/design.md, section 12.
 */
struct kipc_counters {
	u64 msgs_in;
	u64 bytes_in;
	u64 msgs_out;
	u64 bytes_out;
	u64 waits;
	u64 timeouts;
	u64 contended;
	u64 owner_deaths;
	u64 peak_depth;
	u64 notifications;
};

/**
 * kipc_count() - add to one of an object's counters
 * @counter: &obj->counters.<field>; the object's lock is held
 * @n: the amount
 */
static inline void kipc_count(u64 *counter, u64 n)
{
	WRITE_ONCE(*counter, *counter + n);
}

/**
 * kipc_count_peak() - raise an object's peak depth
 * @peak: &obj->counters.peak_depth; the object's lock is held
 * @depth: the depth now
 */
static inline void kipc_count_peak(u64 *peak, u64 depth)
{
	if (depth > *peak)
		WRITE_ONCE(*peak, depth);
}

/* How a file comes to be, for &kipc_type.attach. */
#define KIPC_ATTACH_CREATE	0
#define KIPC_ATTACH_OPEN	1
#define KIPC_ATTACH_REOPEN	2

/**
 * struct kipc_object - the part every kipc object shares
 * @ref: references: one per open file, one per mapping (its map file),
 *	one while the name is registered, and short-lived ones taken by
 *	lookups
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
 * @ns: the IPC namespace the object was made in, counted; its name, if
 *	any, is registered there
 * @ns_link: link in @ns's &kipc_ns.names while @linked, likewise
 * @linked: the name is in the registry, under kipc_registry_lock; written
 *	with WRITE_ONCE(), as fdinfo and OBJ_INFO read it without the lock
 * @ctime: creation time, ns since the epoch (CLOCK_REALTIME)
 * @counters: what passed through, see &struct kipc_counters
 * @holders_lock: protects @holders, @nr_files and @nr_maps (a leaf)
 * @holders: one &struct kipc_holder per open file and per mapping,
 *	those of one process next to each other (holders.c)
 * @nr_files: open files of the object; written under @holders_lock,
 *	read with READ_ONCE()
 * @nr_maps: live map files (one per mmap() call) of the object, likewise
 * @sig_lock: protects @notify (a leaf, see signal.c)
 * @notify: the KIPC_IOC_NOTIFY registration, or NULL
 * @fasync: O_ASYNC files, one list per channel end (others use [0])
 *
 * Everything but @ref, @hash_node, @linked, @charge and the holders is
 * immutable after creation; @charge changes only through kipc_recharge(),
 * serialized by the type.  Locking: see docs/design.md, section 7.
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
	struct rhash_head hash_node;
	struct kipc_ns *ns;
	struct list_head ns_link;
	bool linked;
	u64 ctime;
	struct kipc_counters counters;
	spinlock_t holders_lock;	/* @holders, @nr_files, @nr_maps */
	struct list_head holders;
	unsigned int nr_files;
	unsigned int nr_maps;
	spinlock_t sig_lock;	/* @notify */
	struct kipc_sig_reg *notify;
	struct fasync_struct *fasync[2];
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
extern unsigned int kipc_ns_reap_ms;
extern unsigned int kipc_max_objects_per_ns;
extern unsigned long kipc_max_bytes_per_ns;

/* Locks of the object core (object.c), also used by ipcns.c. */
extern struct mutex kipc_registry_lock;
extern spinlock_t kipc_users_lock;
void kipc_registry_del(struct kipc_object *obj);

/* IPC namespaces (ipcns.c). */
extern struct kipc_ns kipc_ns_init;
struct kipc_ns *kipc_ns_lookup(void);
struct kipc_ns *kipc_ns_get_current(void);
void kipc_ns_put(struct kipc_ns *kns);
unsigned int kipc_ns_reap(bool all);
void kipc_ns_reap_ms_changed(void);
void kipc_ns_exit(void);
int kipc_ns_charge(struct kipc_ns *kns, u64 bytes);
void kipc_ns_uncharge(struct kipc_ns *kns, u64 bytes);
bool kipc_ns_usage(u64 *objects, u64 *named);

/**
 * struct kipc_ns_info - one IPC namespace's usage (KIPC_CMD_NS_GET)
 * @inum: its inode number
 * @userns_inum: that of the user namespace owning it
 * @initial: the initial IPC namespace
 * @objects: objects made in it and alive
 * @named: names registered in it
 * @bytes: bytes charged with its objects
 */
struct kipc_ns_info {
	unsigned int inum;
	unsigned int userns_inum;
	bool initial;
	u64 objects;
	u64 named;
	u64 bytes;
};

bool kipc_ns_nth(unsigned int n, struct kipc_ns_info *in);
int kipc_ns_current_info(struct kipc_ns_info *in);
bool kipc_ns_current_is(const struct kipc_ns *kns);
bool kipc_ns_current_is_init(void);

/**
 * kipc_obj_user_ns() - the user namespace that owns @obj's IPC namespace
 * @obj: the object
 *
 * Return: where CAP_IPC_OWNER over @obj counts (the initial user
 * namespace for an object not made by kipc_object_new(): a KUnit test's).
 */
static inline struct user_namespace *kipc_obj_user_ns(const struct kipc_object *obj)
{
	return obj->ns ? obj->ns->user_ns : kipc_ns_init.user_ns;
}

/* Object core (object.c). */
int kipc_objects_init(void);
void kipc_objects_exit(void);
long kipc_ioc_create(void __user *arg, unsigned int usize);
long kipc_ioc_open(void __user *arg, unsigned int usize);
long kipc_ioc_unlink(void __user *arg, unsigned int usize);
long kipc_ioc_stats(void __user *arg, unsigned int usize);
struct kipc_object *kipc_object_new(const struct kipc_type *type,
				    const void *attr, char *name,
				    u32 name_len, umode_t mode);
void kipc_object_put(struct kipc_object *obj);

/**
 * kipc_object_get() - take another reference to an object
 * @obj: the object; the caller already holds a reference (its file's)
 *
 * For a mapping's map file, which holds one until its release.
 */
static inline void kipc_object_get(struct kipc_object *obj)
{
	kref_get(&obj->ref);
}

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

int kipc_registry_unlink(u32 type, const char *name, u32 len);

/*
 * What the netlink family reads of the core (object.c); see their
 * kernel-doc there.
 */
struct kipc_object *kipc_object_next(unsigned long *id);
struct kipc_object *kipc_object_by_id(u64 id);

/**
 * struct kipc_module_stats - module-wide numbers, for KIPC_CMD_STATS_GET
 * @objects: objects alive
 * @named: names registered
 * @created: objects created since load
 * @destroyed: objects destroyed since load
 * @refused_enospc: creations refused by max_objects
 * @refused_edquot: creations or growths refused by a per-uid quota
 * @users: uids holding objects
 */
struct kipc_module_stats {
	u64 objects;
	u64 named;
	u64 created;
	u64 destroyed;
	u64 refused_enospc;
	u64 refused_edquot;
	u64 users;
};

void kipc_module_stats(struct kipc_module_stats *s);

/**
 * struct kipc_user_usage - one uid's usage, for KIPC_CMD_USER_GET
 * @uid: the uid
 * @objects: objects charged to it
 * @bytes: bytes charged to it
 */
struct kipc_user_usage {
	kuid_t uid;
	unsigned int objects;
	u64 bytes;
};

bool kipc_user_nth(unsigned int n, struct kipc_user_usage *u);
unsigned int kipc_object_files(const struct kipc_object *obj);
unsigned int kipc_object_mappings(const struct kipc_object *obj);
int kipc_object_put_holders(struct sk_buff *skb, struct kipc_object *obj);

/* Holders (holders.c): who opened or mapped an object. */
struct kipc_holder;
struct kipc_holder *kipc_holder_alloc(void);
void kipc_holder_free(struct kipc_holder *h);
void kipc_holder_add(struct kipc_object *obj, struct kipc_holder *h,
		     const struct file *file);
void kipc_holder_del(struct kipc_holder *h);
void kipc_holder_del_file(struct kipc_object *obj, const struct file *file);
struct kipc_object *kipc_holder_obj(const struct kipc_holder *h);

/* Signals (signal.c). */
void kipc_signal_init(struct kipc_object *obj);
void kipc_signal_release(struct kipc_object *obj);
int kipc_signal_fasync(int fd, struct file *file, int on);
void kipc_signal_flush(struct file *file, struct kipc_object *obj);
void kipc_signal_ready(struct kipc_object *obj, unsigned int end, int band);
bool kipc_signal_armed(struct kipc_object *obj, unsigned int end);
void kipc_signal_show_fdinfo(struct seq_file *m, struct kipc_object *obj);
long kipc_ioc_notify(struct file *file, struct kipc_object *obj,
		     unsigned long arg, unsigned int usize);
long kipc_ioc_signal_holders(struct file *file, struct kipc_object *obj,
			     unsigned long arg, unsigned int usize);
struct pid **kipc_holder_pids(struct kipc_object *obj, unsigned int *nr);

/* The generic netlink family (netlink.c). */
int kipc_netlink_init(void);
void kipc_netlink_exit(void);
void kipc_nl_notify(u32 kind, const struct kipc_object *obj,
		    struct pid *pid);
void kipc_nl_notify_refused(u32 type, int err);
int kipc_nl_put_waiter(struct sk_buff *skb, struct task_struct *task,
		       u32 what, u64 since_ns, bool many);

/* Wait for many (waitmany.c). */
long kipc_ioc_wait_many(void __user *arg, unsigned int usize);

/* Object types. */
extern const struct kipc_type kipc_event_type;
extern const struct kipc_type kipc_queue_type;
extern const struct kipc_type kipc_channel_type;
extern const struct kipc_type kipc_pipe_type;
extern const struct kipc_type kipc_region_type;
extern const struct kipc_type kipc_sem_type;
extern const struct kipc_type kipc_mutex_type;
extern const struct kipc_type kipc_cond_type;
void kipc_mutex_exit(void);
void kipc_queue_get_info(struct kipc_object *obj, struct kipc_queue_info *in);

#endif /* _KIPC_OBJECT_H */
