/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kipc - inter-process communication objects in the kernel.
 *
 * The one ABI header shared by the module, libkipc and the tests.
 *
 * Conventions (the README's "The ABI" has them in prose):
 *
 * - Every ioctl argument is a struct made of fixed-width fields, with user
 *   pointers carried as __u64, explicit padding, a @flags word and reserved
 *   space.  Unknown flags and non-zero padding or reserved fields are
 *   rejected with EINVAL before anything happens.
 *
 * - Structs are extensible.  The size the caller was compiled with travels
 *   in the ioctl number (_IOC_SIZE).  The module accepts any size from the
 *   first published one upwards: a smaller struct is zero-extended, a larger
 *   one is accepted only if the bytes the module does not know are zero
 *   (E2BIG otherwise), exactly as copy_struct_from_user() does.  Output is
 *   copied back up to the smaller of the two sizes.  The _IOC_SIZE must be
 *   at least the KIPC_*_SIZE_VER0 of that struct (EINVAL otherwise).
 *
 * - Objects are file descriptors.  KIPC_IOC_CREATE and KIPC_IOC_OPEN on
 *   /dev/kipc return a new fd, close-on-exec unless KIPC_FD_NOCLOEXEC is
 *   given.  An object lives while any fd, mapping or name refers to it.
 *
 * - Timeouts are absolute CLOCK_MONOTONIC deadlines (struct kipc_timespec),
 *   so an interrupted wait restarts (-ERESTARTSYS) without stretching its
 *   timeout.  libkipc offers relative timeouts on top.
 */
#ifndef _UAPI_LINUX_KIPC_H
#define _UAPI_LINUX_KIPC_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define KIPC_DEVICE_PATH	"/dev/kipc"

/* Bumped only for incompatible changes; additions are feature bits. */
#define KIPC_API_VERSION	1

#define KIPC_IOC_MAGIC		0xBD

/* Object types. */
#define KIPC_TYPE_EVENT		1
#define KIPC_TYPE_QUEUE		2
#define KIPC_TYPE_CHANNEL	3
#define KIPC_TYPE_PIPE		4
#define KIPC_TYPE_REGION	5
#define KIPC_TYPE_SEMAPHORE	6
#define KIPC_TYPE_MUTEX		7
#define KIPC_TYPE_COND		8
#define KIPC_TYPE_MAX		KIPC_TYPE_COND

/* Feature bits reported by KIPC_IOC_VERSION. */
#define KIPC_FEATURE_NAMED	_BITULL(0)	/* named objects, registry */
#define KIPC_FEATURE_STATS	_BITULL(1)	/* KIPC_IOC_STATS */
#define KIPC_FEATURE_OBJ_INFO	_BITULL(2)	/* KIPC_IOC_OBJ_INFO */
#define KIPC_FEATURE_REOPEN	_BITULL(3)	/* KIPC_IOC_REOPEN */
#define KIPC_FEATURE_WAIT_MANY	_BITULL(4)	/* KIPC_IOC_WAIT_MANY */
#define KIPC_FEATURE_SEM_RW	_BITULL(5)	/* read(2)/write(2) on semaphores */
#define KIPC_FEATURE_NETLINK	_BITULL(6)	/* genetlink family, kipc_netlink.h */
#define KIPC_FEATURE_NOTIFY	_BITULL(7)	/* O_ASYNC, NOTIFY, SIGNAL_HOLDERS */
#define KIPC_FEATURE_IPCNS	_BITULL(8)	/* names per IPC namespace */

/**
 * struct kipc_timespec - a point in time on CLOCK_MONOTONIC
 * @tv_sec: seconds, 0 or more
 * @tv_nsec: nanoseconds, 0 to 999999999 (EINVAL otherwise)
 */
struct kipc_timespec {
	__s64 tv_sec;
	__u64 tv_nsec;
};

/**
 * struct kipc_version - KIPC_IOC_VERSION, a side-effect-free query
 * @flags: in: must be 0
 * @api_version: out: KIPC_API_VERSION of the module
 * @features: out: KIPC_FEATURE_* bits
 * @types: out: bit (1 << KIPC_TYPE_*) for every supported object type
 * @max_name_len: out: the longest name accepted now (module parameter)
 * @__pad: must be 0
 * @reserved: must be 0
 */
struct kipc_version {
	__u32 flags;
	__u32 api_version;
	__u64 features;
	__u64 types;
	__u32 max_name_len;
	__u32 __pad;
	__u64 reserved[4];
};

#define KIPC_VERSION_SIZE_VER0	64

/* Flags of KIPC_IOC_CREATE and KIPC_IOC_OPEN. */
#define KIPC_FD_NOCLOEXEC	_BITUL(0)	/* fd survives execve() */
#define KIPC_FD_NONBLOCK	_BITUL(1)	/* O_NONBLOCK: waits try once */
#define KIPC_FD_RDONLY		_BITUL(2)	/* fd may only observe and wait */
#define KIPC_FD_WRONLY		_BITUL(3)	/* fd may only signal */
#define KIPC_FD_FLAGS		(KIPC_FD_NOCLOEXEC | KIPC_FD_NONBLOCK | \
				 KIPC_FD_RDONLY | KIPC_FD_WRONLY)

/**
 * struct kipc_create - KIPC_IOC_CREATE: make a new object
 * @type: KIPC_TYPE_*
 * @flags: KIPC_FD_* for the returned fd (RDONLY and WRONLY exclude each other)
 * @name: pointer to the name bytes (no NUL needed), or 0 for an anonymous
 *	object.  A name is 1 to max_name_len bytes, none of them a control
 *	character, space, '/' or DEL.  Names are per type.
 * @name_len: length of @name in bytes; 0 if and only if @name is 0
 * @mode: permission bits (0 to 0777) checked when others open the object
 * @attr: pointer to the type's attribute struct (struct kipc_event_attr), or
 *	0 for the type's defaults
 * @attr_size: size of *@attr; 0 if and only if @attr is 0; extended like
 *	any other struct (see top of file)
 * @fd: out: the new file descriptor
 * @reserved: must be 0
 *
 * A named object is created exclusively: EEXIST if the name is taken.
 * The owner and creator are the caller's effective uid and gid.
 */
struct kipc_create {
	__u32 type;
	__u32 flags;
	__u64 name;
	__u32 name_len;
	__u32 mode;
	__u64 attr;
	__u32 attr_size;
	__u32 fd;
	__u64 reserved[4];
};

#define KIPC_CREATE_SIZE_VER0	72

/**
 * struct kipc_open - KIPC_IOC_OPEN: open an existing named object
 * @type: KIPC_TYPE_*
 * @flags: KIPC_FD_*; the access asked for (read, write or both) is checked
 *	against the object's mode bits (EACCES)
 * @name: pointer to the name bytes
 * @name_len: length of @name, 1 to max_name_len
 * @fd: out: the new file descriptor
 * @reserved: must be 0
 */
struct kipc_open {
	__u32 type;
	__u32 flags;
	__u64 name;
	__u32 name_len;
	__u32 fd;
	__u64 reserved[4];
};

#define KIPC_OPEN_SIZE_VER0	56

/**
 * struct kipc_unlink - KIPC_IOC_UNLINK: remove a name
 * @type: KIPC_TYPE_*
 * @flags: must be 0
 * @name: pointer to the name bytes
 * @name_len: length of @name, 1 to max_name_len
 * @__pad: must be 0
 * @reserved: must be 0
 *
 * Only the owner, the creator or a caller with CAP_IPC_OWNER may unlink
 * (EACCES).  The object itself lives on while fds refer to it.
 */
struct kipc_unlink {
	__u32 type;
	__u32 flags;
	__u64 name;
	__u32 name_len;
	__u32 __pad;
	__u64 reserved[4];
};

#define KIPC_UNLINK_SIZE_VER0	56

/**
 * struct kipc_stats - KIPC_IOC_STATS: module-wide counters
 * @flags: in: must be 0
 * @__pad: must be 0
 * @objects: out: objects alive now
 * @named: out: names in the registry now
 * @created: out: objects created since the module was loaded
 * @destroyed: out: objects freed since the module was loaded
 * @uid_objects: out: objects charged to the caller's effective uid
 * @uid_bytes: out: memory charged to the caller's effective uid (queue
 *	capacities, channel rings, pipe buffers, regions, semaphore and mutex
 *	state pages), checked against the max_bytes_per_uid parameter
 * @reserved: must be 0
 */
struct kipc_stats {
	__u32 flags;
	__u32 __pad;
	__u64 objects;
	__u64 named;
	__u64 created;
	__u64 destroyed;
	__u64 uid_objects;
	__u64 uid_bytes;
	__u64 reserved[3];
};

#define KIPC_STATS_SIZE_VER0	80

/* Bits of kipc_object_info.state. */
#define KIPC_INFO_NAMED		_BITUL(0)	/* created with a name */
#define KIPC_INFO_LINKED	_BITUL(1)	/* the name is still registered */

/* Bits of kipc_object_info.access. */
#define KIPC_ACCESS_READ	_BITUL(0)
#define KIPC_ACCESS_WRITE	_BITUL(1)

/**
 * struct kipc_object_info - KIPC_IOC_OBJ_INFO on any object fd
 * @flags: in: must be 0
 * @type: out: KIPC_TYPE_*
 * @id: out: unique id of the object for the module's lifetime
 * @uid: out: owner uid (in the caller's user namespace)
 * @gid: out: owner gid
 * @cuid: out: creator uid
 * @cgid: out: creator gid
 * @mode: out: permission bits
 * @access: out: KIPC_ACCESS_* granted to this fd
 * @state: out: KIPC_INFO_* bits
 * @name_len: out: length of the name, 0 if anonymous
 * @name: in: buffer for the name, or 0; at most @name_size bytes of the
 *	name are copied, without a NUL
 * @name_size: in: size of the buffer at @name
 * @creator_pid: out: thread-group id of the creator, in the caller's pid
 *	namespace (0 if not visible there)
 * @reserved: must be 0
 */
struct kipc_object_info {
	__u32 flags;
	__u32 type;
	__u64 id;
	__u32 uid;
	__u32 gid;
	__u32 cuid;
	__u32 cgid;
	__u32 mode;
	__u32 access;
	__u32 state;
	__u32 name_len;
	__u64 name;
	__u32 name_size;
	__u32 creator_pid;
	__u64 reserved[4];
};

#define KIPC_OBJECT_INFO_SIZE_VER0	96

/* ---- Events ---------------------------------------------------------- */

/* Bits of kipc_event_attr.flags and kipc_event_info.state. */
#define KIPC_EVENT_MANUAL_RESET	_BITUL(0)	/* stays set until reset */
#define KIPC_EVENT_SET		_BITUL(1)	/* signalled (initially, or now) */
#define KIPC_EVENT_ATTR_FLAGS	(KIPC_EVENT_MANUAL_RESET | KIPC_EVENT_SET)

/**
 * struct kipc_event_attr - attributes of a new event
 * @flags: KIPC_EVENT_MANUAL_RESET, KIPC_EVENT_SET (created signalled)
 * @__pad: must be 0
 * @value: value carried by the initial signal (with KIPC_EVENT_SET)
 * @reserved: must be 0
 *
 * An auto-reset event (the default) is consumed by exactly one waiter per
 * signal; a manual-reset event releases every waiter and stays set.
 */
struct kipc_event_attr {
	__u32 flags;
	__u32 __pad;
	__u64 value;
	__u64 reserved[2];
};

#define KIPC_EVENT_ATTR_SIZE_VER0	32

/**
 * struct kipc_event_signal - KIPC_EVENT_IOC_SIGNAL (needs a writable fd)
 * @flags: must be 0
 * @__pad: must be 0
 * @value: 64-bit value handed to the waiter(s) this signal releases
 * @reserved: must be 0
 */
struct kipc_event_signal {
	__u32 flags;
	__u32 __pad;
	__u64 value;
	__u64 reserved[2];
};

#define KIPC_EVENT_SIGNAL_SIZE_VER0	32

/* Flags of kipc_event_wait. */
#define KIPC_WAIT_DEADLINE	_BITUL(0)	/* @deadline is valid */
#define KIPC_WAIT_NONBLOCK	_BITUL(1)	/* try once: EAGAIN if not set */
#define KIPC_WAIT_FLAGS		(KIPC_WAIT_DEADLINE | KIPC_WAIT_NONBLOCK)

/**
 * struct kipc_event_wait - KIPC_EVENT_IOC_WAIT (needs a readable fd)
 * @flags: KIPC_WAIT_DEADLINE or KIPC_WAIT_NONBLOCK (not both)
 * @__pad: must be 0
 * @deadline: absolute CLOCK_MONOTONIC time at which to give up with
 *	ETIMEDOUT; must be zero without KIPC_WAIT_DEADLINE (wait forever)
 * @value: out: value of the signal that released this wait
 * @reserved: must be 0
 *
 * Without a deadline the wait lasts until the event is signalled or a
 * signal arrives (then -ERESTARTSYS: EINTR, or a transparent restart with
 * SA_RESTART).  A deadline already past tries once and gives ETIMEDOUT.
 * An fd opened with KIPC_FD_NONBLOCK behaves as KIPC_WAIT_NONBLOCK.
 */
struct kipc_event_wait {
	__u32 flags;
	__u32 __pad;
	struct kipc_timespec deadline;
	__u64 value;
	__u64 reserved[2];
};

#define KIPC_EVENT_WAIT_SIZE_VER0	48

/**
 * struct kipc_event_info - KIPC_EVENT_IOC_INFO
 * @flags: in: must be 0
 * @state: out: KIPC_EVENT_MANUAL_RESET and KIPC_EVENT_SET bits
 * @value: out: value of the pending signal (when set)
 * @signals: out: signals received
 * @wakeups: out: waits satisfied
 * @waiters: out: tasks blocked in KIPC_EVENT_IOC_WAIT now
 * @__pad: must be 0
 * @reserved: must be 0
 */
struct kipc_event_info {
	__u32 flags;
	__u32 state;
	__u64 value;
	__u64 signals;
	__u64 wakeups;
	__u32 waiters;
	__u32 __pad;
	__u64 reserved[4];
};

#define KIPC_EVENT_INFO_SIZE_VER0	72

/* ---- Message queues ------------------------------------------------------ */

/* Priorities run from 0 to KIPC_QUEUE_PRIO_MAX; higher is received first. */
#define KIPC_QUEUE_PRIO_MAX	32767

/**
 * struct kipc_queue_attr - attributes of a new message queue
 * @flags: must be 0
 * @max_msgs: capacity in messages, 1 to the max_queue_msgs parameter
 *	(0: the default, 10, or that parameter if smaller)
 * @max_msg_size: largest message in bytes, 1 to the max_queue_msg_size
 *	parameter (0: the default, 8192, or that parameter if smaller)
 * @__pad: must be 0
 * @reserved: must be 0
 *
 * @max_msgs and @max_msg_size bound the payload a queue holds.  What the
 * kernel really allocates for it is charged to the creator's uid at
 * creation (EDQUOT beyond the max_bytes_per_uid parameter): @max_msgs
 * times the memory a message of @max_msg_size takes, its header and
 * kmalloc()'s rounding included (up to twice the payload for sizes just
 * above a power of two, 4097 bytes taking 8 KiB).  So a full queue never
 * needs more, and the limit bounds the memory a uid's queues can pin.
 * KIPC_IOC_STATS shows the charge.  (A sender blocked on a full queue
 * holds its message outside it, in memory of its own memory cgroup, until
 * it fits.)
 */
struct kipc_queue_attr {
	__u32 flags;
	__u32 max_msgs;
	__u32 max_msg_size;
	__u32 __pad;
	__u64 reserved[2];
};

#define KIPC_QUEUE_ATTR_SIZE_VER0	32

/**
 * struct kipc_queue_send - KIPC_QUEUE_IOC_SEND (needs a writable fd)
 * @flags: KIPC_WAIT_DEADLINE or KIPC_WAIT_NONBLOCK (not both), as for
 *	events: a full queue blocks the sender until the deadline (ETIMEDOUT)
 *	or, with KIPC_WAIT_NONBLOCK or a KIPC_FD_NONBLOCK fd, fails at once
 *	(EAGAIN)
 * @priority: 0 to KIPC_QUEUE_PRIO_MAX (EINVAL above)
 * @msg: pointer to the message
 * @len: its length, 0 to the queue's max_msg_size (EMSGSIZE above)
 * @__pad: must be 0
 * @deadline: absolute CLOCK_MONOTONIC deadline with KIPC_WAIT_DEADLINE,
 *	else zero
 * @reserved: must be 0
 *
 * Blocked senders are served in arrival order.
 */
struct kipc_queue_send {
	__u32 flags;
	__u32 priority;
	__u64 msg;
	__u32 len;
	__u32 __pad;
	struct kipc_timespec deadline;
	__u64 reserved[2];
};

#define KIPC_QUEUE_SEND_SIZE_VER0	56

/**
 * struct kipc_queue_recv - KIPC_QUEUE_IOC_RECV (needs a readable fd)
 * @flags: KIPC_WAIT_DEADLINE or KIPC_WAIT_NONBLOCK (not both)
 * @priority: out: the message's priority
 * @buf: pointer to the receive buffer
 * @size: size of the buffer.  If the oldest message of the highest
 *	priority is larger, the call fails with EMSGSIZE, sets @len to its
 *	length and leaves it queued.
 * @len: out: the message's length
 * @deadline: as for kipc_queue_send
 * @reserved: must be 0
 *
 * Receives the oldest message of the highest priority.  Blocked receivers
 * are served in arrival order.
 */
struct kipc_queue_recv {
	__u32 flags;
	__u32 priority;
	__u64 buf;
	__u32 size;
	__u32 len;
	struct kipc_timespec deadline;
	__u64 reserved[2];
};

#define KIPC_QUEUE_RECV_SIZE_VER0	56

/**
 * struct kipc_queue_info - KIPC_QUEUE_IOC_INFO
 * @flags: in: must be 0
 * @max_msgs: out: capacity in messages
 * @max_msg_size: out: largest message
 * @msgs: out: messages queued now
 * @bytes: out: bytes of payload queued now
 * @senders: out: tasks blocked sending
 * @receivers: out: tasks blocked receiving
 * @notify_pid: out: process registered for notification (0: none), in the
 *	caller's pid namespace
 * @__pad: must be 0
 * @sent: out: messages sent in all
 * @received: out: messages received in all
 * @reserved: must be 0
 */
struct kipc_queue_info {
	__u32 flags;
	__u32 max_msgs;
	__u32 max_msg_size;
	__u32 msgs;
	__u64 bytes;
	__u32 senders;
	__u32 receivers;
	__u32 notify_pid;
	__u32 __pad;
	__u64 sent;
	__u64 received;
	__u64 reserved[4];
};

#define KIPC_QUEUE_INFO_SIZE_VER0	88

/**
 * struct kipc_queue_notify - KIPC_QUEUE_IOC_NOTIFY (needs a readable fd)
 * @flags: must be 0
 * @signo: signal to send, 1 to SIGRTMAX; 0 removes the caller's
 *	registration
 * @value: sent as the signal's si_value (si_code SI_MESGQ)
 * @reserved: must be 0
 *
 * As mq_notify(): the calling process is told, once, when a message
 * arrives in an empty queue while no receiver is blocked.  One process
 * may be registered per queue (EBUSY for another).  The registration ends
 * when it fires, when it is removed, or when the process closes its fd of
 * the queue (and so when it exits).  The signal goes to the registering
 * thread.  KIPC_IOC_NOTIFY on a queue is the same registration, with
 * KIPC_NOTIFY_PERSIST allowed.
 */
struct kipc_queue_notify {
	__u32 flags;
	__u32 signo;
	__u64 value;
	__u64 reserved[2];
};

#define KIPC_QUEUE_NOTIFY_SIZE_VER0	32

/* ---- Generic: signals ------------------------------------------------------ */

/*
 * Events, queues, channels, pipes, semaphores and mutexes can signal
 * (KIPC_FEATURE_NOTIFY); regions and condition variables cannot (EINVAL).
 * Three interfaces:
 *
 *  - O_ASYNC with F_SETOWN (and F_SETSIG), as on a pipe or a socket:
 *    SIGIO (or the F_SETSIG signal, then with si_fd and si_band) when the
 *    object becomes readable (POLL_IN) or writable (POLL_OUT).  A channel
 *    end is signalled for its own readiness; a pipe's readers and writers
 *    share one list, each band saying which way it became ready.
 *  - KIPC_IOC_NOTIFY: one registered process is sent a signal when the
 *    object becomes ready.
 *  - KIPC_IOC_SIGNAL_HOLDERS: signal every process holding the object.
 */

/* struct kipc_notify flags. */
#define KIPC_NOTIFY_PERSIST	_BITUL(0)	/* fire at every readiness, not once */
#define KIPC_NOTIFY_FLAGS	KIPC_NOTIFY_PERSIST

/**
 * struct kipc_notify - KIPC_IOC_NOTIFY (needs a readable fd, EBADF)
 * @flags: KIPC_NOTIFY_*
 * @signo: signal to send, 1 to SIGRTMAX; 0 removes the caller's
 *	registration (ENOENT if it has none; then @flags and @value must be 0)
 * @value: sent as the signal's si_value
 * @reserved: must be 0
 *
 * The calling process is sent @signo when the object becomes ready: an
 * event is set, a semaphore is posted above 0, a mutex is unlocked or its
 * owner dies, a message arrives (a queue, as KIPC_QUEUE_IOC_NOTIFY: into
 * an empty queue with no receiver blocked; a channel end; a pipe with
 * data).  An object already ready fires at its next change only.  The
 * signal goes to the registering thread (to the process once that thread
 * has exited), with si_code SI_MESGQ for a queue and SI_QUEUE for the
 * others, si_pid and si_uid those of the process that made the object
 * ready.  One process may be registered per object (EBUSY for another,
 * including a KIPC_QUEUE_IOC_NOTIFY registration); the same process
 * registering again replaces its registration.  Without
 * KIPC_NOTIFY_PERSIST the registration ends when it fires.  It ends when
 * removed, when the process closes an fd of the object (and so when it
 * exits).
 */
struct kipc_notify {
	__u32 flags;
	__u32 signo;
	__u64 value;
	__u64 reserved[2];
};

#define KIPC_NOTIFY_SIZE_VER0	32

/**
 * struct kipc_signal_holders - KIPC_IOC_SIGNAL_HOLDERS (needs a writable fd)
 * @flags: must be 0
 * @signo: signal to send, 1 to SIGRTMAX
 * @value: sent as the signal's si_value (si_code SI_QUEUE)
 * @signalled: out: processes sent the signal (also the return value)
 * @refused: out: processes the caller may not signal, by kill(2)'s rule
 * @gone: out: holders whose process has exited while its fd lives on
 * @__pad: must be 0
 * @reserved: must be 0
 *
 * Signals every process that opened or mapped the object and still
 * holds it (the holders of KIPC_OBJ_A_HOLDERS: an fd inherited over
 * fork() counts for the process that opened it), the caller included if
 * it is one.  Each target is checked as kill(2) checks it; refused ones
 * are counted.  The call fails with EPERM, the counts still written, if
 * every target refused.
 */
struct kipc_signal_holders {
	__u32 flags;
	__u32 signo;
	__u64 value;
	__u32 signalled;
	__u32 refused;
	__u32 gone;
	__u32 __pad;
	__u64 reserved[2];
};

#define KIPC_SIGNAL_HOLDERS_SIZE_VER0	48

/* ---- Generic: a second open of the same object ------------------------- */

/**
 * struct kipc_reopen - KIPC_IOC_REOPEN: a new fd of the object behind an fd
 * @flags: KIPC_FD_* for the new fd.  The access asked for must be part of
 *	the access of the fd the call is made on, or be granted by the
 *	object's mode bits (EACCES otherwise).
 * @fd: out: the new file descriptor
 * @reserved: must be 0
 *
 * Unlike dup(2) this makes a new open file: its own access mode, its own
 * O_NONBLOCK.  It is how the two ends of an anonymous pipe are made (one
 * read-only, one write-only).  On a channel it opens the other end, once.
 */
struct kipc_reopen {
	__u32 flags;
	__u32 fd;
	__u64 reserved[2];
};

#define KIPC_REOPEN_SIZE_VER0	24

/* ---- Channels ------------------------------------------------------------- */

/*
 * A channel joins exactly two ends, each an fd opened for reading and
 * writing; each direction has its own ring buffer of whole messages.  End
 * 0 is the fd KIPC_IOC_CREATE returns; end 1 is got once, by KIPC_IOC_OPEN
 * of the channel's name or by KIPC_IOC_REOPEN of end 0 (EISCONN after
 * that).  Ring 0 carries messages from end 0 to end 1, ring 1 back.
 *
 * The rings live in memory both ends may map (mmap of length map_size at
 * offset 0 of either end's fd, shared, read and write): a control page
 * holding two struct kipc_chan_ring, then each ring's data mapped twice in
 * a row so that a message never wraps.  Records are a struct
 * kipc_chan_msghdr and the payload, padded to 8 bytes.  libkipc sends and
 * receives in user space and enters the kernel only to sleep and to wake
 * (KIPC_CHAN_IOC_WAIT); the ioctls and read(2)/write(2) do the same in the
 * kernel for callers that do not map.  The two ends trust each other with
 * the ring: either can corrupt it.  The kernel trusts neither: it checks
 * every index and length it reads there and fails with EIO when they make
 * no sense; corruption never reaches past the channel.
 *
 * Closing the last fd of an end (mappings do not count) closes it: the
 * peer's sends fail with EPIPE, its receives drain what is queued and then
 * report end-of-channel (0 messages), and poll reports EPOLLHUP.
 */

/* Default and limits of a ring's capacity (bytes, a power of two). */
#define KIPC_CHAN_DEFAULT_CAPACITY	(256U << 10)
#define KIPC_CHAN_DEFAULT_MAX_MSG	(64U << 10)
#define KIPC_CHAN_MAX_BATCH		1024	/* messages per SENDV/RECVV */

/**
 * struct kipc_channel_attr - attributes of KIPC_TYPE_CHANNEL
 * @flags: must be 0
 * @__pad: must be 0
 * @capacity: bytes of ring 0 and ring 1; 0 for the default; rounded up to a
 *	power of two of at least the page size; at most the module's
 *	max_channel_capacity (EINVAL above)
 * @max_msg: largest message of each ring; 0 for the default (or the
 *	capacity less 8 if that is smaller); must leave room for its 8-byte
 *	header in the ring (EINVAL)
 * @reserved: must be 0
 *
 * Both rings' memory and the page of indices are charged to the creator's
 * uid at creation (max_bytes_per_uid, EDQUOT): whole pages, exactly
 * what is allocated (bookkeeping of well under 1% aside).
 */
struct kipc_channel_attr {
	__u32 flags;
	__u32 __pad;
	__u32 capacity[2];
	__u32 max_msg[2];
	__u64 reserved[4];
};

#define KIPC_CHANNEL_ATTR_SIZE_VER0	56

/* struct kipc_chan_ring.plock and .clock values. */
#define KIPC_CHAN_LOCK_USER	1U		/* held by user space */
#define KIPC_CHAN_LOCK_KERNEL	2U		/* held by the kernel */
#define KIPC_CHAN_LOCK_WAITERS	0x80000000U	/* wake the kernel on unlock */

/* struct kipc_chan_ring.closed bits, set by the kernel. */
#define KIPC_CHAN_CLOSED_SENDER		_BITUL(0)	/* the sending end */
#define KIPC_CHAN_CLOSED_RECEIVER	_BITUL(1)	/* the receiving end */

/**
 * struct kipc_chan_ring - one direction's indices, in the shared control page
 * @tail: bytes ever published by the sending end (free-running)
 * @plock: senders' lock: taken with compare-and-swap 0 -> LOCK_USER around
 *	writing a record and @tail; when the swap fails, send through the
 *	kernel.  Release with an exchange to 0, and if LOCK_WAITERS was set,
 *	KIPC_CHAN_IOC_WAIT with KIPC_CHAN_WAKE_LOCKS.
 * @pcpu: advisory, written by senders in user space: 1 + the CPU the
 *	last sender ran on (0: unknown).  libkipc spins before sleeping only
 *	while the peer is on another CPU.  The kernel never reads it.
 * @__pad0: padding to a cache line
 * @head: bytes ever consumed by the receiving end (free-running)
 * @clock: receivers' lock, as @plock, around reading records and @head
 * @ccpu: as @pcpu, for the receivers
 * @__pad1: padding to a cache line
 * @rwait: set (non-zero) by a receiver that is about to sleep; whoever
 *	publishes and exchanges it from non-zero to 0 must wake receivers
 * @wwait: likewise for senders waiting for space; who frees space wakes
 * @closed: KIPC_CHAN_CLOSED_* bits (written only by the kernel)
 * @__pad2: padding to a cache line
 *
 * A ring holds records from @head to @tail; @tail - @head never exceeds
 * the capacity.  The record at @head starts at byte (@head % capacity) of
 * the ring's data.
 */
struct kipc_chan_ring {
	__u32 tail;
	__u32 plock;
	__u32 pcpu;
	__u32 __pad0[13];
	__u32 head;
	__u32 clock;
	__u32 ccpu;
	__u32 __pad1[13];
	__u32 rwait;
	__u32 wwait;
	__u32 closed;
	__u32 __pad2[13];
};

#define KIPC_CHAN_RING_SIZE	192

/**
 * struct kipc_chan_msghdr - header of a record in a ring
 * @len: payload bytes that follow
 * @flags: 0
 */
struct kipc_chan_msghdr {
	__u32 len;
	__u32 flags;
};

/**
 * struct kipc_chan_msg - one message of KIPC_CHAN_IOC_SENDV/RECVV
 * @buf: pointer to the payload (send) or the buffer (receive)
 * @len: send: payload length; receive: in, the buffer size, out, the
 *	message length
 * @flags: must be 0
 */
struct kipc_chan_msg {
	__u64 buf;
	__u32 len;
	__u32 flags;
};

/**
 * struct kipc_chan_xfer - KIPC_CHAN_IOC_SENDV and KIPC_CHAN_IOC_RECVV
 * @flags: KIPC_WAIT_DEADLINE or KIPC_WAIT_NONBLOCK (not both)
 * @count: number of entries at @msgs, 1 to KIPC_CHAN_MAX_BATCH
 * @msgs: pointer to an array of struct kipc_chan_msg
 * @deadline: absolute CLOCK_MONOTONIC deadline with KIPC_WAIT_DEADLINE
 * @reserved: must be 0
 *
 * The call waits (as the deadline and flags say) until the first message
 * can be sent or received, then does as many of @count as it can without
 * waiting again, each message whole and in order, and returns how many it
 * did.  SENDV fails with EMSGSIZE for a message over the ring's max_msg
 * (if it is the first; a later one ends the batch), EPIPE when the peer is
 * closed, EFAULT for a bad buffer (nothing of that message is sent).
 * RECVV returns 0 at end-of-channel (peer closed, ring empty); a message
 * larger than its buffer stays queued, its length goes to that entry's
 * @len, and it fails with EMSGSIZE if it is the first.
 */
struct kipc_chan_xfer {
	__u32 flags;
	__u32 count;
	__u64 msgs;
	struct kipc_timespec deadline;
	__u64 reserved[2];
};

#define KIPC_CHAN_XFER_SIZE_VER0	48

/* struct kipc_chan_wait events and revents. */
#define KIPC_CHAN_READABLE	_BITUL(0)	/* my receive ring has a record */
#define KIPC_CHAN_WRITABLE	_BITUL(1)	/* my send ring has @need free */
#define KIPC_CHAN_HUP		_BITUL(2)	/* revents only: peer closed */
#define KIPC_CHAN_EVENTS	(KIPC_CHAN_READABLE | KIPC_CHAN_WRITABLE)

/* struct kipc_chan_wait wake bits, done before waiting. */
#define KIPC_CHAN_WAKE_READERS	_BITUL(0)	/* the peer's receivers */
#define KIPC_CHAN_WAKE_WRITERS	_BITUL(1)	/* the peer's senders */
#define KIPC_CHAN_WAKE_LOCKS	_BITUL(2)	/* kernel waiting on my locks */
#define KIPC_CHAN_WAKES		(KIPC_CHAN_WAKE_READERS | \
				 KIPC_CHAN_WAKE_WRITERS | KIPC_CHAN_WAKE_LOCKS)

/**
 * struct kipc_chan_wait - KIPC_CHAN_IOC_WAIT: wake the peer, then sleep
 * @flags: KIPC_WAIT_DEADLINE or KIPC_WAIT_NONBLOCK (not both)
 * @events: KIPC_CHAN_READABLE and/or KIPC_CHAN_WRITABLE to wait for, or 0
 *	to only wake
 * @need: with KIPC_CHAN_WRITABLE, free bytes wanted in the send ring
 *	(a whole record: 8 + the payload rounded up to 8); 0 means room for
 *	a message of max_msg; more than the capacity is EINVAL
 * @wake: KIPC_CHAN_WAKE_* bits
 * @deadline: absolute CLOCK_MONOTONIC deadline with KIPC_WAIT_DEADLINE
 * @revents: out: the events that are true, and KIPC_CHAN_HUP
 * @__pad: must be 0
 * @reserved: must be 0
 *
 * The sleeping half of the user-space fast path: the kernel sets the
 * ring's @rwait or @wwait, checks the indices and sleeps until they show
 * what was asked, the peer closes (KIPC_CHAN_HUP), the deadline passes
 * (ETIMEDOUT) or a signal comes (restartable).  Returns 0 with @revents
 * set when something asked for is true (at once if it already is), or
 * with only KIPC_CHAN_HUP.  KIPC_WAIT_NONBLOCK with nothing true: EAGAIN.
 */
struct kipc_chan_wait {
	__u32 flags;
	__u32 events;
	__u32 need;
	__u32 wake;
	struct kipc_timespec deadline;
	__u32 revents;
	__u32 __pad;
	__u64 reserved[2];
};

#define KIPC_CHAN_WAIT_SIZE_VER0	56

/* struct kipc_channel_info state bits. */
#define KIPC_CHAN_CONNECTED	_BITUL(0)	/* end 1 has been opened */
#define KIPC_CHAN_PEER_CLOSED	_BITUL(1)	/* the other end is closed */

/**
 * struct kipc_channel_info - KIPC_CHAN_IOC_INFO
 * @flags: in: must be 0
 * @end: out: which end this fd is, 0 or 1; it sends on ring @end
 * @capacity: out: bytes of each ring
 * @max_msg: out: largest message of each ring
 * @used: out: bytes queued in each ring now (headers included)
 * @state: out: KIPC_CHAN_CONNECTED, KIPC_CHAN_PEER_CLOSED
 * @__pad: must be 0
 * @ring_offset: out: offset in the mapping of each ring's data (followed
 *	at once by a second mapping of the same data)
 * @map_size: out: length to map at offset 0
 * @reserved: must be 0
 */
struct kipc_channel_info {
	__u32 flags;
	__u32 end;
	__u32 capacity[2];
	__u32 max_msg[2];
	__u32 used[2];
	__u32 state;
	__u32 __pad;
	__u64 ring_offset[2];
	__u64 map_size;
	__u64 reserved[4];
};

#define KIPC_CHANNEL_INFO_SIZE_VER0	96

/* ---- Pipes ---------------------------------------------------------------- */

/*
 * A byte stream.  An fd opened for reading is a reader, for writing a
 * writer (both for KIPC_FD_* without RDONLY/WRONLY).  read(2) returns what
 * is there (up to the count) and waits only while the pipe is empty; it
 * returns 0 (end-of-file) when the pipe is empty and every writer has
 * closed, once one has been open.  write(2) of at most KIPC_PIPE_BUF bytes
 * is atomic; a longer one may be interleaved with other writers'.  Writing
 * when every reader has closed, once one has been open, fails with EPIPE
 * and raises SIGPIPE.  O_NONBLOCK (KIPC_FD_NONBLOCK) gives EAGAIN.
 * An anonymous pipe's ends come from KIPC_IOC_REOPEN.
 */
#define KIPC_PIPE_BUF			4096
#define KIPC_PIPE_DEFAULT_CAPACITY	(64U << 10)

/**
 * struct kipc_pipe_attr - attributes of KIPC_TYPE_PIPE
 * @flags: must be 0
 * @capacity: buffer bytes; 0 for the default; rounded up to a power of two
 *	of at least KIPC_PIPE_BUF; at most the module's max_pipe_capacity
 *	(EINVAL above).  Charged to the creator's uid (EDQUOT).
 * @reserved: must be 0
 */
struct kipc_pipe_attr {
	__u32 flags;
	__u32 capacity;
	__u64 reserved[3];
};

#define KIPC_PIPE_ATTR_SIZE_VER0	32

/**
 * struct kipc_pipe_capacity - KIPC_PIPE_IOC_SET_CAPACITY (writable fd)
 * @flags: must be 0
 * @capacity: in: new capacity, rounded as at creation; out: the capacity
 *	now.  EBUSY if more bytes are queued than it would hold; EDQUOT if
 *	the owner's account cannot take a growth; the difference is charged
 *	or refunded to the account charged at creation.
 * @reserved: must be 0
 */
struct kipc_pipe_capacity {
	__u32 flags;
	__u32 capacity;
	__u64 reserved[2];
};

#define KIPC_PIPE_CAPACITY_SIZE_VER0	24

/**
 * struct kipc_pipe_info - KIPC_PIPE_IOC_INFO
 * @flags: in: must be 0
 * @capacity: out: buffer bytes
 * @used: out: bytes queued now
 * @readers: out: files open for reading now
 * @writers: out: files open for writing now
 * @atomic: out: KIPC_PIPE_BUF
 * @read: out: bytes read in all
 * @written: out: bytes written in all
 * @reserved: must be 0
 */
struct kipc_pipe_info {
	__u32 flags;
	__u32 capacity;
	__u32 used;
	__u32 readers;
	__u32 writers;
	__u32 atomic;
	__u64 read;
	__u64 written;
	__u64 reserved[4];
};

#define KIPC_PIPE_INFO_SIZE_VER0	72

/* ---- Shared regions ------------------------------------------------------- */

/*
 * A region is memory that any number of processes map with mmap(2) of its
 * fd, MAP_SHARED, and see each other's writes at once.  Its size is fixed
 * at creation, a multiple of the page size; it is zero-filled, pageable
 * (swappable, not pinned) kernel memory, charged to the creator's uid at
 * creation (max_bytes_per_uid: EDQUOT) and to its memory cgroup as used.
 * A mapping may start at any page offset and cover any part of the
 * region; reaching past its end is EINVAL.  An fd opened read-only
 * (KIPC_FD_RDONLY) maps only without PROT_WRITE (EACCES for a shared
 * writable mapping, and mprotect() cannot add write later); MAP_PRIVATE
 * gives a private copy-on-write view, as for files.  The region lives
 * while an fd, a name or a mapping refers to it.
 */

/**
 * struct kipc_region_attr - attributes of KIPC_TYPE_REGION
 * @flags: must be 0
 * @__pad: must be 0
 * @size: bytes, 1 to the module's max_region_size (EINVAL otherwise;
 *	there is no default), rounded up to a multiple of the page size
 * @reserved: must be 0
 */
struct kipc_region_attr {
	__u32 flags;
	__u32 __pad;
	__u64 size;
	__u64 reserved[2];
};

#define KIPC_REGION_ATTR_SIZE_VER0	32

/**
 * struct kipc_region_info - KIPC_REGION_IOC_INFO
 * @flags: in: must be 0
 * @__pad: must be 0
 * @size: out: bytes
 * @mappings: out: mappings (vmas) of the region in all processes now
 * @resident: out: bytes of it in memory now (the rest was never touched,
 *	or is swapped out)
 * @reserved: must be 0
 */
struct kipc_region_info {
	__u32 flags;
	__u32 __pad;
	__u64 size;
	__u64 mappings;
	__u64 resident;
	__u64 reserved[4];
};

#define KIPC_REGION_INFO_SIZE_VER0	64

/* ---- Semaphores ------------------------------------------------------------- */

/*
 * A counting semaphore with an optional maximum (a binary semaphore has
 * maximum 1).  Waiting takes a unit (needs a readable fd), posting gives
 * units (needs a writable fd); posting past the maximum is EOVERFLOW and
 * changes nothing.  Waiters are served in arrival order: a post with
 * waiters hands its units to the longest waiting, and a wait never takes a
 * unit while others are queued.  poll/epoll: readable while the value is
 * above 0.
 *
 * The state is one 64-bit word in a page the fd maps (mmap of
 * KIPC_SEM_MAP_SIZE at offset 0; shared; writable only through a writable
 * fd that is also readable; the page is charged to the creator's uid at
 * creation, max_bytes_per_uid: EDQUOT): the value in the low 32 bits,
 * the number of tasks queued in the kernel in the high 32.  User space
 * may take a unit by compare-and-swap from (v, 0) to (v - 1, 0) with
 * 0 < v <= max, and post by (v, 0) to (v + n, 0) with v + n <= max;
 * otherwise (waiters queued, nothing to take, or the swap failing) it
 * goes through the ioctls, so the kernel is entered only to sleep and to
 * wake.  The kernel keeps the word exact while it queues or serves
 * waiters; the high half counts the queued tasks plus one while a poller
 * waits for the value to rise (so that the next post comes through the
 * kernel and wakes it).  A value
 * above max is impossible: user space must not take or post from such a
 * word but go through the kernel (libkipc does).
 *
 * Garbage written into the word is repaired at the next kernel operation
 * on the semaphore, whatever its outcome: every KIPC_SEM_IOC_* call that
 * reaches the semaphore (also one refused for its arguments or the fd's
 * access), read(2), write(2) (also EOVERFLOW, EAGAIN, ETIMEDOUT), poll,
 * reading its fdinfo, a wait for many that polls it, and a close that
 * applies an undo record.  The repair clamps the value to max and rewrites
 * the high half from the kernel's count; a value found above 0 while
 * tasks are queued is handed to them.  What never reaches the semaphore
 * leaves the word as it is: an ioctl whose struct is smaller than its
 * first version (refused by the common dispatch), a read or write the
 * VFS refuses for the fd's access mode, the calls every type shares
 * (KIPC_IOC_OBJ_INFO, KIPC_IOC_REOPEN), mmap and a close without undo.
 *
 * What a writer of the word can do to others: only a holder of an fd
 * open for reading and writing can map it writable, and such a holder may
 * already take and give units.  By writing the word it can, besides, set
 * the value anywhere from 0 to max at once (bypassing FIFO order, undo
 * and EOVERFLOW), and, by clearing the high half, let user-space waits
 * and posts go past tasks queued in the kernel and delay their wake-up to
 * the next kernel operation.  It cannot make a value above max count
 * anywhere (the kernel clamps it, libkipc leaves it to the kernel), make
 * the kernel wake a queued task without a unit, corrupt the kernel's
 * queue of waiters, its counters or its memory, or reach other objects.
 * A wait for many that found a unit and then, at the moment of taking
 * it, finds the value zeroed by such a write takes nothing and reports
 * EIO for the semaphore (never a unit that does not exist).
 *
 * KIPC_SEM_UNDO on a wait or post records the change for the calling
 * process; it is reverted (units taken are given back, units given are
 * taken back as far as the value allows) when the process closes its last
 * fd of the semaphore, which an exit does however it happens.  Undo
 * operations always go through the kernel; their records (one per
 * process and semaphore) are charged to the memory cgroup of the process
 * that makes them.
 *
 * read(2) and write(2) on the fd are the two common cases in one plain
 * call each, as on an eventfd in semaphore mode, and the cheapest way into
 * the kernel (KIPC_FEATURE_SEM_RW).  read(2) with a buffer of at least 8
 * bytes waits like KIPC_SEM_IOC_WAIT without flags (no deadline, no undo;
 * EAGAIN on an O_NONBLOCK fd) and stores the value after as a __u64; a
 * buffer it cannot write is EFAULT before anything is taken.  write(2) of
 * a __u64 n, 1 to KIPC_SEM_VALUE_MAX, posts n units like KIPC_SEM_IOC_POST
 * without flags (EOVERFLOW past the maximum).  Both return 8 and give
 * EINVAL for a buffer of fewer than 8 bytes.
 */
#define KIPC_SEM_VALUE_MAX	0x7fffffffU
#define KIPC_SEM_MAP_SIZE	4096

/**
 * struct kipc_sem_attr - attributes of KIPC_TYPE_SEMAPHORE
 * @flags: must be 0
 * @value: initial value, at most @max
 * @max: largest value, 1 to KIPC_SEM_VALUE_MAX; 0 means
 *	KIPC_SEM_VALUE_MAX
 * @__pad: must be 0
 * @reserved: must be 0
 */
struct kipc_sem_attr {
	__u32 flags;
	__u32 value;
	__u32 max;
	__u32 __pad;
	__u64 reserved[2];
};

#define KIPC_SEM_ATTR_SIZE_VER0	32

/**
 * struct kipc_sem_shared - the page a semaphore fd maps
 * @state: value (low 32 bits) and waiters queued in the kernel (high 32)
 * @max: the maximum (read-only in effect: the kernel never reads it back)
 * @__pad: reserved, 0
 */
struct kipc_sem_shared {
	__u64 state;
	__u32 max;
	__u32 __pad[13];
};

#define KIPC_SEM_STATE_VALUE(s)		((__u32)(s))
#define KIPC_SEM_STATE_WAITERS(s)	((__u32)((s) >> 32))

/* Flags of struct kipc_sem_op, besides KIPC_WAIT_*. */
#define KIPC_SEM_UNDO		_BITUL(8)	/* revert at last close/exit */

/**
 * struct kipc_sem_op - KIPC_SEM_IOC_POST and KIPC_SEM_IOC_WAIT
 * @flags: KIPC_WAIT_DEADLINE or KIPC_WAIT_NONBLOCK (WAIT only, not both),
 *	KIPC_SEM_UNDO
 * @count: POST: units to give, 1 to KIPC_SEM_VALUE_MAX; WAIT: must be 1
 * @deadline: WAIT: absolute CLOCK_MONOTONIC deadline with
 *	KIPC_WAIT_DEADLINE (ETIMEDOUT), else zero
 * @value: out: the value after the operation
 * @__pad: must be 0
 * @reserved: must be 0
 */
struct kipc_sem_op {
	__u32 flags;
	__u32 count;
	struct kipc_timespec deadline;
	__u32 value;
	__u32 __pad;
	__u64 reserved[2];
};

#define KIPC_SEM_OP_SIZE_VER0	48

/**
 * struct kipc_sem_info - KIPC_SEM_IOC_INFO
 * @flags: in: must be 0
 * @value: out: the value now
 * @max: out: the maximum
 * @waiters: out: tasks waiting now
 * @posts: out: units posted through the kernel (user-space posts on the
 *	mapped word are not seen)
 * @waits: out: waits satisfied through the kernel
 * @undo_procs: out: processes with a pending undo now
 * @__pad: must be 0
 * @reserved: must be 0
 */
struct kipc_sem_info {
	__u32 flags;
	__u32 value;
	__u32 max;
	__u32 waiters;
	__u64 posts;
	__u64 waits;
	__u32 undo_procs;
	__u32 __pad;
	__u64 reserved[4];
};

#define KIPC_SEM_INFO_SIZE_VER0	72

/* ---- Mutexes and condition variables ---------------------------------------- */

/*
 * A process-shared mutex whose owner is a thread.  Its state is one
 * 32-bit word in a page a read-write fd maps (mmap of KIPC_MUTEX_MAP_SIZE
 * at offset 0, MAP_SHARED): 0 when unlocked, else the owner's thread id
 * (as gettid() returns it, in the pid namespace all users of the mutex
 * share) with KIPC_MUTEX_WAITERS when threads wait in the kernel and
 * KIPC_MUTEX_KSTATE while the kernel must see the unlock (owner died,
 * not recoverable, recursive).  User space locks by compare-and-swap from
 * 0 to its tid and unlocks from its tid to 0; when a swap fails it goes
 * through KIPC_MUTEX_IOC_LOCK and _UNLOCK, so the kernel is entered only
 * to sleep, to hand over, and to recover.
 *
 * Robust: when the owner dies holding it (its thread exits or its process
 * is killed), the next locker gets the lock and EOWNERDEAD.  It may call
 * KIPC_MUTEX_IOC_CONSISTENT before unlocking; if it unlocks without, the
 * mutex becomes not recoverable: every later lock fails with
 * ENOTRECOVERABLE, as POSIX robust mutexes do.  Waiters are served in
 * arrival order, by hand-off.  Unlock by another thread: EPERM.  A
 * recursive mutex (KIPC_MUTEX_RECURSIVE) counts the owner's nested locks;
 * a normal one fails a relock by its owner with EDEADLK.
 */
#define KIPC_MUTEX_MAP_SIZE	4096
#define KIPC_MUTEX_WAITERS	0x80000000U	/* in the word */
#define KIPC_MUTEX_KSTATE	0x40000000U	/* in the word */
#define KIPC_MUTEX_TID_MASK	0x3fffffffU

/* struct kipc_mutex_attr flags */
#define KIPC_MUTEX_RECURSIVE	_BITUL(0)

/**
 * struct kipc_mutex_attr - attributes of KIPC_TYPE_MUTEX
 * @flags: KIPC_MUTEX_RECURSIVE or 0
 * @__pad: must be 0
 * @reserved: must be 0
 */
struct kipc_mutex_attr {
	__u32 flags;
	__u32 __pad;
	__u64 reserved[2];
};

#define KIPC_MUTEX_ATTR_SIZE_VER0	24

/**
 * struct kipc_mutex_lock - KIPC_MUTEX_IOC_LOCK
 * @flags: KIPC_WAIT_DEADLINE or KIPC_WAIT_NONBLOCK (try-lock: EBUSY)
 * @__pad: must be 0
 * @deadline: as for the other waits (ETIMEDOUT)
 * @reserved: must be 0
 *
 * Returns 0, or -EOWNERDEAD with the lock taken, -ENOTRECOVERABLE,
 * -EDEADLK, -EBUSY, -ETIMEDOUT, -ERESTARTSYS.
 */
struct kipc_mutex_lock {
	__u32 flags;
	__u32 __pad;
	struct kipc_timespec deadline;
	__u64 reserved[2];
};

#define KIPC_MUTEX_LOCK_SIZE_VER0	40

/* struct kipc_mutex_info state */
#define KIPC_MUTEX_STATE_OK		0
#define KIPC_MUTEX_STATE_OWNERDEAD	1	/* taken after a death */
#define KIPC_MUTEX_STATE_NOTRECOVERABLE	2

/**
 * struct kipc_mutex_info - KIPC_MUTEX_IOC_INFO
 * @flags: in: must be 0; out: the attribute flags
 * @state: out: KIPC_MUTEX_STATE_*
 * @owner_tid: out: the owner's thread id (0: unlocked)
 * @owner_pid: out: the owner's process id, if the owner is alive (0 else)
 * @depth: out: nested locks of a recursive mutex
 * @waiters: out: threads waiting in the kernel
 * @reserved: must be 0
 */
struct kipc_mutex_info {
	__u32 flags;
	__u32 state;
	__u32 owner_tid;
	__u32 owner_pid;
	__u32 depth;
	__u32 waiters;
	__u64 reserved[4];
};

#define KIPC_MUTEX_INFO_SIZE_VER0	56

/*
 * A condition variable.  KIPC_COND_IOC_WAIT releases the mutex given by
 * fd (which the caller must own: EPERM) and sleeps, atomically: a signal
 * or broadcast after the release is never missed.  It re-acquires the
 * mutex before returning, also on timeout (ETIMEDOUT) and on EOWNERDEAD.
 * A signal wakes the longest waiting, a broadcast every waiter.  A cond
 * has no state of its own beyond its waiters; any mutex may be used with
 * it.  Waiting needs a readable cond fd, signalling a writable one.
 */

/**
 * struct kipc_cond_wait - KIPC_COND_IOC_WAIT
 * @flags: KIPC_WAIT_DEADLINE or 0
 * @mutex_fd: an fd of the kipc mutex the caller holds
 * @deadline: as for the other waits
 * @reserved: must be 0
 *
 * Returns 0, -ETIMEDOUT, -EOWNERDEAD (the mutex's owner died while this
 * thread waited for it: taken, as KIPC_MUTEX_IOC_LOCK), -ENOTRECOVERABLE,
 * -EPERM (mutex not held), -EINVAL (not a kipc mutex).  A signal
 * interrupts with -EINTR after re-acquiring the mutex (no restart: the
 * wakeup may have been consumed).
 */
struct kipc_cond_wait {
	__u32 flags;
	__u32 mutex_fd;
	struct kipc_timespec deadline;
	__u64 reserved[2];
};

#define KIPC_COND_WAIT_SIZE_VER0	40

/**
 * struct kipc_cond_signal - KIPC_COND_IOC_SIGNAL
 * @flags: KIPC_COND_BROADCAST or 0
 * @woken: out: waiters woken
 * @reserved: must be 0
 */
struct kipc_cond_signal {
	__u32 flags;
	__u32 woken;
	__u64 reserved[2];
};

#define KIPC_COND_SIGNAL_SIZE_VER0	24
#define KIPC_COND_BROADCAST	_BITUL(0)

/*
 * Waiting for many objects: KIPC_IOC_WAIT_MANY on /dev/kipc waits until
 * any one (default) or all (KIPC_WAIT_ALL) of up to max_wait_objects
 * (module parameter, 64 by default) objects are ready, as Windows'
 * WaitForMultipleObjects does.  What "ready" means, and what the wait
 * takes, depends on the object (its fd must be readable: EBADF):
 *
 *   event:     set; the wait consumes an auto-reset event's signal (as
 *              KIPC_EVENT_IOC_WAIT does) and leaves a manual-reset one set
 *   semaphore: value above 0; the wait takes one unit
 *   mutex:     unlocked, or its owner died (then taken with EOWNERDEAD
 *              in that object's @error), or held by the caller and
 *              recursive (depth + 1); the wait locks it for the caller
 *   queue, channel, pipe:
 *              something to read (EPOLLIN); the wait takes nothing
 *
 * Any: the objects are tried in array order and the first ready one is
 * taken; @index says which.  All: the wait takes every object at once,
 * under every object's lock, or none; nothing is held while it sleeps.
 * In either mode the objects' own FIFO waiters are served first: a wait
 * for many takes what is left to take.  A queue, channel or pipe in an
 * all-wait counts as ready if the poll made at the start of the try (just
 * before the others' locks are taken) found it readable; nothing is
 * taken from it, so it may have been emptied by the time the wait
 * returns.
 *
 * Errors change nothing.  Besides the usual ones: EINVAL for a count of
 * 0 or above max_wait_objects, an fd that is not a kipc object or is a
 * region or cond, or the same object twice; EDEADLK (a non-recursive
 * mutex the caller holds) and ENOTRECOVERABLE end the wait at once with
 * @index naming the object; EAGAIN with KIPC_WAIT_NONBLOCK.  On success
 * the return value is 0, or -EOWNERDEAD when a mutex was taken from a
 * dead owner (still taken; @index is the first such object).
 */
#define KIPC_WAIT_ALL		_BITUL(2)	/* wait for all, not any */

/**
 * struct kipc_wait_obj - one object of a KIPC_IOC_WAIT_MANY
 * @fd: in: an fd of the object
 * @flags: in: must be 0
 * @ready: out: 1 if the wait took (or found ready) this object, else 0
 * @error: out: 0, or -EOWNERDEAD for a mutex taken from a dead owner
 * @value: out: an event's signal value, a semaphore's value after the
 *	wait took its unit, 0 for the others
 * @reserved: must be 0
 */
struct kipc_wait_obj {
	__s32 fd;
	__u32 flags;
	__u32 ready;
	__s32 error;
	__u64 value;
	__u64 reserved[2];
};

#define KIPC_WAIT_OBJ_SIZE_VER0	40

/**
 * struct kipc_wait_many - KIPC_IOC_WAIT_MANY
 * @flags: KIPC_WAIT_ALL, and KIPC_WAIT_DEADLINE or KIPC_WAIT_NONBLOCK
 *	(not both)
 * @count: in: number of objects, 1 to max_wait_objects
 * @objs: in: user pointer to @count objects, @obj_size bytes apart
 * @obj_size: in: the size of struct kipc_wait_obj the caller knows, at
 *	least KIPC_WAIT_OBJ_SIZE_VER0 and at most 4096 (EINVAL); bytes
 *	beyond the module's struct must be zero (E2BIG)
 * @index: out: the object taken (any), or the first taken from a dead
 *	owner (all, -EOWNERDEAD), or the object of an EDEADLK or
 *	ENOTRECOVERABLE; 0 otherwise
 * @deadline: as for the other waits (ETIMEDOUT)
 * @reserved: must be 0
 *
 * Every object's fields are written back (up to @obj_size) on success,
 * and on -EOWNERDEAD, -EDEADLK and -ENOTRECOVERABLE.
 */
struct kipc_wait_many {
	__u32 flags;
	__u32 count;
	__u64 objs;
	__u32 obj_size;
	__u32 index;
	struct kipc_timespec deadline;
	__u64 reserved[4];
};

#define KIPC_WAIT_MANY_SIZE_VER0	72

/* ---- ioctl numbers ------------------------------------------------------ */

/* On /dev/kipc. */
#define KIPC_IOC_VERSION	_IOWR(KIPC_IOC_MAGIC, 0x00, struct kipc_version)
#define KIPC_IOC_CREATE		_IOWR(KIPC_IOC_MAGIC, 0x01, struct kipc_create)
#define KIPC_IOC_OPEN		_IOWR(KIPC_IOC_MAGIC, 0x02, struct kipc_open)
#define KIPC_IOC_UNLINK		_IOW(KIPC_IOC_MAGIC, 0x03, struct kipc_unlink)
#define KIPC_IOC_STATS		_IOWR(KIPC_IOC_MAGIC, 0x04, struct kipc_stats)
#define KIPC_IOC_WAIT_MANY	_IOWR(KIPC_IOC_MAGIC, 0x05, struct kipc_wait_many)

/* On any object fd. */
#define KIPC_IOC_OBJ_INFO	_IOWR(KIPC_IOC_MAGIC, 0x10, struct kipc_object_info)
#define KIPC_IOC_REOPEN		_IOWR(KIPC_IOC_MAGIC, 0x11, struct kipc_reopen)
#define KIPC_IOC_NOTIFY		_IOW(KIPC_IOC_MAGIC, 0x12, struct kipc_notify)
#define KIPC_IOC_SIGNAL_HOLDERS	_IOWR(KIPC_IOC_MAGIC, 0x13, struct kipc_signal_holders)

/* On an event fd.  KIPC_EVENT_IOC_RESET takes no argument (must be 0). */
#define KIPC_EVENT_IOC_SIGNAL	_IOW(KIPC_IOC_MAGIC, 0x20, struct kipc_event_signal)
#define KIPC_EVENT_IOC_RESET	_IO(KIPC_IOC_MAGIC, 0x21)
#define KIPC_EVENT_IOC_WAIT	_IOWR(KIPC_IOC_MAGIC, 0x22, struct kipc_event_wait)
#define KIPC_EVENT_IOC_INFO	_IOWR(KIPC_IOC_MAGIC, 0x23, struct kipc_event_info)

/*
 * On a queue fd.  read(2) and write(2) also receive and send one message
 * (priority 0 for write), honouring O_NONBLOCK; read's buffer too small
 * gives EMSGSIZE and leaves the message queued.
 */
#define KIPC_QUEUE_IOC_SEND	_IOW(KIPC_IOC_MAGIC, 0x30, struct kipc_queue_send)
#define KIPC_QUEUE_IOC_RECV	_IOWR(KIPC_IOC_MAGIC, 0x31, struct kipc_queue_recv)
#define KIPC_QUEUE_IOC_INFO	_IOWR(KIPC_IOC_MAGIC, 0x32, struct kipc_queue_info)
#define KIPC_QUEUE_IOC_NOTIFY	_IOW(KIPC_IOC_MAGIC, 0x33, struct kipc_queue_notify)

/*
 * On a channel fd, besides mmap (see above).  read(2) receives one message
 * (EMSGSIZE if the buffer is too small, 0 at end-of-channel) and write(2)
 * sends one, honouring O_NONBLOCK.
 */
#define KIPC_CHAN_IOC_SENDV	_IOW(KIPC_IOC_MAGIC, 0x40, struct kipc_chan_xfer)
#define KIPC_CHAN_IOC_RECVV	_IOW(KIPC_IOC_MAGIC, 0x41, struct kipc_chan_xfer)
#define KIPC_CHAN_IOC_WAIT	_IOWR(KIPC_IOC_MAGIC, 0x42, struct kipc_chan_wait)
#define KIPC_CHAN_IOC_INFO	_IOWR(KIPC_IOC_MAGIC, 0x43, struct kipc_channel_info)

/* On a pipe fd, besides read(2) and write(2). */
#define KIPC_PIPE_IOC_SET_CAPACITY _IOWR(KIPC_IOC_MAGIC, 0x50, struct kipc_pipe_capacity)
#define KIPC_PIPE_IOC_INFO	_IOWR(KIPC_IOC_MAGIC, 0x51, struct kipc_pipe_info)

/* On a region fd, besides mmap (see above). */
#define KIPC_REGION_IOC_INFO	_IOWR(KIPC_IOC_MAGIC, 0x60, struct kipc_region_info)

/* On a semaphore fd, besides mmap, read(2) and write(2) (see above). */
#define KIPC_SEM_IOC_POST	_IOWR(KIPC_IOC_MAGIC, 0x70, struct kipc_sem_op)
#define KIPC_SEM_IOC_WAIT	_IOWR(KIPC_IOC_MAGIC, 0x71, struct kipc_sem_op)
#define KIPC_SEM_IOC_INFO	_IOWR(KIPC_IOC_MAGIC, 0x72, struct kipc_sem_info)

/* On a mutex fd, besides mmap (see above). */
#define KIPC_MUTEX_IOC_LOCK	_IOW(KIPC_IOC_MAGIC, 0x80, struct kipc_mutex_lock)
#define KIPC_MUTEX_IOC_UNLOCK	_IO(KIPC_IOC_MAGIC, 0x81)
#define KIPC_MUTEX_IOC_CONSISTENT _IO(KIPC_IOC_MAGIC, 0x82)
#define KIPC_MUTEX_IOC_INFO	_IOWR(KIPC_IOC_MAGIC, 0x83, struct kipc_mutex_info)

/* On a condition variable fd. */
#define KIPC_COND_IOC_WAIT	_IOW(KIPC_IOC_MAGIC, 0x90, struct kipc_cond_wait)
#define KIPC_COND_IOC_SIGNAL	_IOWR(KIPC_IOC_MAGIC, 0x91, struct kipc_cond_signal)

#endif /* _UAPI_LINUX_KIPC_H */
