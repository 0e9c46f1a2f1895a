/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kipc - inter-process communication objects in the kernel.
 *
 * The one ABI header shared by the module, libkipc and the tests.
 *
 * Conventions (see docs/uapi.md for the long form):
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
#define KIPC_TYPE_MAX		KIPC_TYPE_QUEUE

/* Feature bits reported by KIPC_IOC_VERSION. */
#define KIPC_FEATURE_NAMED	_BITULL(0)	/* named objects, registry */
#define KIPC_FEATURE_STATS	_BITULL(1)	/* KIPC_IOC_STATS */
#define KIPC_FEATURE_OBJ_INFO	_BITULL(2)	/* KIPC_IOC_OBJ_INFO */

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
 *	capacities), checked against the max_bytes_per_uid parameter
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
 * The whole capacity, @max_msgs * (@max_msg_size + a small header), is
 * charged to the creator's uid at creation (EDQUOT beyond the
 * max_queue_bytes_per_uid parameter), so a full queue never needs more.
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
 * thread.
 */
struct kipc_queue_notify {
	__u32 flags;
	__u32 signo;
	__u64 value;
	__u64 reserved[2];
};

#define KIPC_QUEUE_NOTIFY_SIZE_VER0	32

/* ---- ioctl numbers ------------------------------------------------------ */

/* On /dev/kipc. */
#define KIPC_IOC_VERSION	_IOWR(KIPC_IOC_MAGIC, 0x00, struct kipc_version)
#define KIPC_IOC_CREATE		_IOWR(KIPC_IOC_MAGIC, 0x01, struct kipc_create)
#define KIPC_IOC_OPEN		_IOWR(KIPC_IOC_MAGIC, 0x02, struct kipc_open)
#define KIPC_IOC_UNLINK		_IOW(KIPC_IOC_MAGIC, 0x03, struct kipc_unlink)
#define KIPC_IOC_STATS		_IOWR(KIPC_IOC_MAGIC, 0x04, struct kipc_stats)

/* On any object fd. */
#define KIPC_IOC_OBJ_INFO	_IOWR(KIPC_IOC_MAGIC, 0x10, struct kipc_object_info)

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

#endif /* _UAPI_LINUX_KIPC_H */
