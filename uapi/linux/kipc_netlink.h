/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kipc - the generic netlink family "kipc": every object, live.
 *
 * The family lets anyone see the module's objects without holding an fd of
 * them (kipcctl(8) is its user).  Conventions:
 *
 * - Version: KIPC_GENL_VERSION, in the generic netlink header.  It is
 *   bumped only for incompatible changes; attributes are only ever added,
 *   at the end of their enum, so an old tool ignores what it does not know
 *   and a new tool treats a missing attribute as "not reported".
 *
 * - Requests are validated strictly: an unknown attribute, a wrong length
 *   or type, or unknown bits are EINVAL, a value out of its range (an
 *   unknown KIPC_A_TYPE) ERANGE, each with an extended ack naming the
 *   attribute (NLMSGERR_ATTR_MSG / NLMSGERR_ATTR_OFFS, and for a range
 *   NLMSGERR_ATTR_POLICY with its bounds).
 *
 * - Every object is one KIPC_A_OBJ nest of KIPC_OBJ_A_* attributes; the
 *   type's own state is the nest KIPC_OBJ_A_STATE of that type's
 *   attributes (KIPC_QUEUE_A_*, KIPC_CHANNEL_A_*, ...), and its counters
 *   the nest KIPC_OBJ_A_COUNTERS of KIPC_CNT_A_*.  u64 values carry
 *   KIPC_A_PAD / KIPC_OBJ_A_PAD ... for alignment, as nla_put_u64_64bit()
 *   does.
 *
 * - Who sees what (as ipcs(1) and /proc/sysvipc): every user sees every
 *   object's metadata, state and counters, the module's statistics and
 *   limits, and each uid's usage.  The holders and waiters of an object
 *   (process ids) are shown only to its owner or creator or to a caller
 *   with CAP_IPC_OWNER; asking for them otherwise is EPERM.
 *
 * - Ids, uids and gids are those of the caller's namespaces (user
 *   namespace of the socket, pid namespace of the requester); those of
 *   a notification, multicast to every listener, are those of the
 *   initial namespaces.  The family exists in the initial network
 *   namespace only.
 */
#ifndef _UAPI_LINUX_KIPC_NETLINK_H
#define _UAPI_LINUX_KIPC_NETLINK_H

#include <linux/const.h>

#define KIPC_GENL_NAME		"kipc"
#define KIPC_GENL_VERSION	1
#define KIPC_GENL_MCGRP_EVENTS	"events"

/**
 * enum kipc_nl_cmd - commands of the family
 * @KIPC_CMD_UNSPEC: unused
 * @KIPC_CMD_OBJ_GET: one object by KIPC_A_OBJ_ID (doit), or with
 *	NLM_F_DUMP every object, filtered by KIPC_A_TYPE, KIPC_A_NAME_PREFIX
 *	and KIPC_A_UID (all optional, all must match).  KIPC_A_WANT asks for
 *	holders and waiters (doit only).  Replies: KIPC_CMD_OBJ_GET with one
 *	KIPC_A_OBJ each.  ENOENT for an id that does not exist.  A filter
 *	without NLM_F_DUMP, or KIPC_A_OBJ_ID or KIPC_A_WANT with it, is
 *	EINVAL.
 * @KIPC_CMD_STATS_GET: module-wide statistics: reply KIPC_A_STATS
 * @KIPC_CMD_LIMITS_GET: the module parameters with their current use,
 *	module-wide and for the uid KIPC_A_UID (default: the caller's
 *	effective uid): reply KIPC_A_UID and one KIPC_A_LIMIT per limit
 * @KIPC_CMD_USER_GET: one uid's usage against its quotas (doit, by
 *	KIPC_A_UID, default the caller's), or every uid that holds objects
 *	(dump, which takes no KIPC_A_UID): reply KIPC_A_USER
 * @KIPC_CMD_NOTIFY: a notification, multicast to the group "events" only:
 *	KIPC_A_NOTIFY
 * @KIPC_CMD_NS_GET: the IPC namespaces kipc knows, with their usage: the
 *	caller's (doit), or with NLM_F_DUMP every one (the initial first)
 *	for a caller in the initial IPC namespace with CAP_SYS_ADMIN, else
 *	the caller's only.  Takes no attribute.  Namespaces that died are
 *	reaped first, so none is listed.  Reply: KIPC_A_NS.
 * @__KIPC_CMD_MAX: internal, one past the last
 */
enum kipc_nl_cmd {
	KIPC_CMD_UNSPEC,
	KIPC_CMD_OBJ_GET,
	KIPC_CMD_STATS_GET,
	KIPC_CMD_LIMITS_GET,
	KIPC_CMD_USER_GET,
	KIPC_CMD_NOTIFY,
	KIPC_CMD_NS_GET,

	__KIPC_CMD_MAX
};

#define KIPC_CMD_MAX	(__KIPC_CMD_MAX - 1)

/* Bits of KIPC_A_WANT. */
#define KIPC_WANT_HOLDERS	_BITUL(0)
#define KIPC_WANT_WAITERS	_BITUL(1)
#define KIPC_WANT_ALL		(KIPC_WANT_HOLDERS | KIPC_WANT_WAITERS)

/**
 * enum kipc_nl_attr - top-level attributes of requests and replies
 * @KIPC_A_UNSPEC: unused
 * @KIPC_A_PAD: padding for u64
 * @KIPC_A_OBJ_ID: u64, request: the object of a KIPC_CMD_OBJ_GET doit
 * @KIPC_A_TYPE: u32 KIPC_TYPE_*, dump filter (unknown types: ERANGE)
 * @KIPC_A_NAME_PREFIX: string, dump filter: names starting with it
 *	(anonymous objects never match)
 * @KIPC_A_UID: u32, dump filter (owner uid), or the uid of LIMITS/USER
 * @KIPC_A_WANT: u32 KIPC_WANT_* bits (unknown bits: EINVAL)
 * @KIPC_A_OBJ: nest of KIPC_OBJ_A_*, reply
 * @KIPC_A_STATS: nest of KIPC_STATS_A_*, reply
 * @KIPC_A_LIMIT: nest of KIPC_LIMIT_A_*, reply, one per limit
 * @KIPC_A_USER: nest of KIPC_USER_A_*, reply
 * @KIPC_A_NOTIFY: nest of KIPC_NOTIFY_A_*, notification
 * @KIPC_A_NS: nest of KIPC_NS_A_*, reply
 * @__KIPC_A_MAX: internal, one past the last
 */
enum kipc_nl_attr {
	KIPC_A_UNSPEC,
	KIPC_A_PAD,
	KIPC_A_OBJ_ID,
	KIPC_A_TYPE,
	KIPC_A_NAME_PREFIX,
	KIPC_A_UID,
	KIPC_A_WANT,
	KIPC_A_OBJ,
	KIPC_A_STATS,
	KIPC_A_LIMIT,
	KIPC_A_USER,
	KIPC_A_NOTIFY,
	KIPC_A_NS,

	__KIPC_A_MAX
};

#define KIPC_A_MAX	(__KIPC_A_MAX - 1)

/**
 * enum kipc_obj_attr - one object (KIPC_A_OBJ)
 * @KIPC_OBJ_A_UNSPEC: unused
 * @KIPC_OBJ_A_PAD: padding for u64
 * @KIPC_OBJ_A_ID: u64, unique while the module is loaded
 * @KIPC_OBJ_A_TYPE: u32 KIPC_TYPE_*
 * @KIPC_OBJ_A_NAME: string, absent for an anonymous object
 * @KIPC_OBJ_A_LINKED: flag: the name is registered (not unlinked)
 * @KIPC_OBJ_A_UID: u32 owner uid
 * @KIPC_OBJ_A_GID: u32 owner gid
 * @KIPC_OBJ_A_CUID: u32 creator uid
 * @KIPC_OBJ_A_CGID: u32 creator gid
 * @KIPC_OBJ_A_MODE: u32 permission bits
 * @KIPC_OBJ_A_CREATOR_PID: u32 creator's process id (0 if not visible in
 *	the caller's pid namespace)
 * @KIPC_OBJ_A_CTIME: u64 creation time, ns since the epoch (CLOCK_REALTIME)
 * @KIPC_OBJ_A_FILES: u32 open file descriptions of the object
 * @KIPC_OBJ_A_MAPPINGS: u32 live mappings of the object
 * @KIPC_OBJ_A_CHARGE: u64 bytes charged to the owner besides the object
 * @KIPC_OBJ_A_STATE: nest of the type's KIPC_<TYPE>_A_*
 * @KIPC_OBJ_A_COUNTERS: nest of KIPC_CNT_A_*
 * @KIPC_OBJ_A_HOLDERS: nest of KIPC_OBJ_A_HOLDER, on KIPC_WANT_HOLDERS
 * @KIPC_OBJ_A_HOLDER: nest of KIPC_HOLDER_A_*, inside KIPC_OBJ_A_HOLDERS
 * @KIPC_OBJ_A_WAITERS: nest of KIPC_OBJ_A_WAITER, on KIPC_WANT_WAITERS
 * @KIPC_OBJ_A_WAITER: nest of KIPC_WAITER_A_*, inside KIPC_OBJ_A_WAITERS
 * @KIPC_OBJ_A_NR_WAITERS: u32 tasks blocked in the kernel on the object,
 *	those in KIPC_IOC_WAIT_MANY included (not poll(2), select(2) or epoll)
 * @__KIPC_OBJ_A_MAX: internal, one past the last
 */
enum kipc_obj_attr {
	KIPC_OBJ_A_UNSPEC,
	KIPC_OBJ_A_PAD,
	KIPC_OBJ_A_ID,
	KIPC_OBJ_A_TYPE,
	KIPC_OBJ_A_NAME,
	KIPC_OBJ_A_LINKED,
	KIPC_OBJ_A_UID,
	KIPC_OBJ_A_GID,
	KIPC_OBJ_A_CUID,
	KIPC_OBJ_A_CGID,
	KIPC_OBJ_A_MODE,
	KIPC_OBJ_A_CREATOR_PID,
	KIPC_OBJ_A_CTIME,
	KIPC_OBJ_A_FILES,
	KIPC_OBJ_A_MAPPINGS,
	KIPC_OBJ_A_CHARGE,
	KIPC_OBJ_A_STATE,
	KIPC_OBJ_A_COUNTERS,
	KIPC_OBJ_A_HOLDERS,
	KIPC_OBJ_A_HOLDER,
	KIPC_OBJ_A_WAITERS,
	KIPC_OBJ_A_WAITER,
	KIPC_OBJ_A_NR_WAITERS,

	__KIPC_OBJ_A_MAX
};

#define KIPC_OBJ_A_MAX	(__KIPC_OBJ_A_MAX - 1)

/**
 * enum kipc_cnt_attr - per-object counters (KIPC_OBJ_A_COUNTERS), all u64
 *
 * The kernel counts what passes through it.  Operations that complete in
 * user space on a shared mapping (a channel's ring, a semaphore's or
 * mutex's uncontended fast path) never enter the kernel and are not
 * counted; the counters of those types count the kernel paths only.
 * A counter a type does not have is absent.
 *
 * @KIPC_CNT_A_UNSPEC: unused
 * @KIPC_CNT_A_PAD: padding
 * @KIPC_CNT_A_MSGS_IN: messages (or posts, signals) put in
 * @KIPC_CNT_A_BYTES_IN: bytes put in
 * @KIPC_CNT_A_MSGS_OUT: messages (or units, wakeups) taken out
 * @KIPC_CNT_A_BYTES_OUT: bytes taken out
 * @KIPC_CNT_A_WAITS: calls that blocked
 * @KIPC_CNT_A_TIMEOUTS: blocked calls that ended by their deadline
 * @KIPC_CNT_A_CONTENDED: acquisitions that took the kernel's slow path
 * @KIPC_CNT_A_OWNER_DEATHS: owners that died holding the object
 * @KIPC_CNT_A_PEAK_DEPTH: the most messages (or bytes for a pipe) held
 * @KIPC_CNT_A_NOTIFICATIONS: notifications fired
 * @__KIPC_CNT_A_MAX: internal, one past the last
 */
enum kipc_cnt_attr {
	KIPC_CNT_A_UNSPEC,
	KIPC_CNT_A_PAD,
	KIPC_CNT_A_MSGS_IN,
	KIPC_CNT_A_BYTES_IN,
	KIPC_CNT_A_MSGS_OUT,
	KIPC_CNT_A_BYTES_OUT,
	KIPC_CNT_A_WAITS,
	KIPC_CNT_A_TIMEOUTS,
	KIPC_CNT_A_CONTENDED,
	KIPC_CNT_A_OWNER_DEATHS,
	KIPC_CNT_A_PEAK_DEPTH,
	KIPC_CNT_A_NOTIFICATIONS,

	__KIPC_CNT_A_MAX
};

#define KIPC_CNT_A_MAX	(__KIPC_CNT_A_MAX - 1)

/**
 * enum kipc_holder_attr - a process holding the object (KIPC_OBJ_A_HOLDER)
 * @KIPC_HOLDER_A_UNSPEC: unused
 * @KIPC_HOLDER_A_PID: u32 process id
 * @KIPC_HOLDER_A_COMM: string, its command name
 * @KIPC_HOLDER_A_FILES: u32 file descriptions it opened
 * @KIPC_HOLDER_A_MAPPINGS: u32 mappings it made
 * @__KIPC_HOLDER_A_MAX: internal, one past the last
 */
enum kipc_holder_attr {
	KIPC_HOLDER_A_UNSPEC,
	KIPC_HOLDER_A_PID,
	KIPC_HOLDER_A_COMM,
	KIPC_HOLDER_A_FILES,
	KIPC_HOLDER_A_MAPPINGS,

	__KIPC_HOLDER_A_MAX
};

#define KIPC_HOLDER_A_MAX	(__KIPC_HOLDER_A_MAX - 1)

/* What a waiter waits for (KIPC_WAITER_A_WAIT). */
#define KIPC_WAITFOR_SIGNAL	1	/* an event to be set */
#define KIPC_WAITFOR_SEND		2	/* room in a queue, pipe or ring */
#define KIPC_WAITFOR_RECEIVE	3	/* a message or data */
#define KIPC_WAITFOR_UNIT		4	/* a semaphore unit */
#define KIPC_WAITFOR_LOCK		5	/* a mutex */
#define KIPC_WAITFOR_COND		6	/* a condition variable's signal */

/**
 * enum kipc_waiter_attr - a task blocked on the object (KIPC_OBJ_A_WAITER)
 * @KIPC_WAITER_A_UNSPEC: unused
 * @KIPC_WAITER_A_PAD: padding
 * @KIPC_WAITER_A_PID: u32 process id
 * @KIPC_WAITER_A_TID: u32 thread id
 * @KIPC_WAITER_A_COMM: string, the thread's command name
 * @KIPC_WAITER_A_WAIT: u32 KIPC_WAITFOR_*
 * @KIPC_WAITER_A_SINCE_NS: u64 how long it has waited, in ns
 * @KIPC_WAITER_A_MANY: flag: it waits in KIPC_IOC_WAIT_MANY, for this
 *	object among others (since the wait for many began)
 * @__KIPC_WAITER_A_MAX: internal, one past the last
 */
enum kipc_waiter_attr {
	KIPC_WAITER_A_UNSPEC,
	KIPC_WAITER_A_PAD,
	KIPC_WAITER_A_PID,
	KIPC_WAITER_A_TID,
	KIPC_WAITER_A_COMM,
	KIPC_WAITER_A_WAIT,
	KIPC_WAITER_A_SINCE_NS,
	KIPC_WAITER_A_MANY,

	__KIPC_WAITER_A_MAX
};

#define KIPC_WAITER_A_MAX	(__KIPC_WAITER_A_MAX - 1)

/* ---- The state of each type (KIPC_OBJ_A_STATE) ------------------------ */

/**
 * enum kipc_event_state_attr - an event's state
 * @KIPC_EVENT_A_UNSPEC: unused
 * @KIPC_EVENT_A_PAD: padding
 * @KIPC_EVENT_A_SET: u8, 1 if signalled
 * @KIPC_EVENT_A_MANUAL_RESET: u8, 1 for manual reset, 0 for auto reset
 * @KIPC_EVENT_A_VALUE: u64 the value of the pending signal, 0 when not set
 *	(as kipc_event_info.value)
 * @__KIPC_EVENT_A_MAX: internal, one past the last
 */
enum kipc_event_state_attr {
	KIPC_EVENT_A_UNSPEC,
	KIPC_EVENT_A_PAD,
	KIPC_EVENT_A_SET,
	KIPC_EVENT_A_MANUAL_RESET,
	KIPC_EVENT_A_VALUE,

	__KIPC_EVENT_A_MAX
};

#define KIPC_EVENT_A_MAX	(__KIPC_EVENT_A_MAX - 1)

/**
 * enum kipc_queue_state_attr - a message queue's state
 * @KIPC_QUEUE_A_UNSPEC: unused
 * @KIPC_QUEUE_A_PAD: padding
 * @KIPC_QUEUE_A_MSGS: u32 messages queued
 * @KIPC_QUEUE_A_MAX_MSGS: u32 capacity in messages
 * @KIPC_QUEUE_A_BYTES: u64 bytes queued
 * @KIPC_QUEUE_A_MAX_MSG_SIZE: u32 largest message
 * @KIPC_QUEUE_A_NOTIFY_PID: u32 process registered for notification, or 0
 * @__KIPC_QUEUE_A_MAX: internal, one past the last
 */
enum kipc_queue_state_attr {
	KIPC_QUEUE_A_UNSPEC,
	KIPC_QUEUE_A_PAD,
	KIPC_QUEUE_A_MSGS,
	KIPC_QUEUE_A_MAX_MSGS,
	KIPC_QUEUE_A_BYTES,
	KIPC_QUEUE_A_MAX_MSG_SIZE,
	KIPC_QUEUE_A_NOTIFY_PID,

	__KIPC_QUEUE_A_MAX
};

#define KIPC_QUEUE_A_MAX	(__KIPC_QUEUE_A_MAX - 1)

/**
 * enum kipc_channel_state_attr - a channel's state
 *
 * A channel has two directions; each is one KIPC_CHANNEL_A_DIR nest
 * (KIPC_CHANNEL_DIR_A_*), direction 0 first: the ring end 0 writes.
 *
 * @KIPC_CHANNEL_A_UNSPEC: unused
 * @KIPC_CHANNEL_A_DIR: nest of KIPC_CHANNEL_DIR_A_*
 * @__KIPC_CHANNEL_A_MAX: internal, one past the last
 */
enum kipc_channel_state_attr {
	KIPC_CHANNEL_A_UNSPEC,
	KIPC_CHANNEL_A_DIR,

	__KIPC_CHANNEL_A_MAX
};

#define KIPC_CHANNEL_A_MAX	(__KIPC_CHANNEL_A_MAX - 1)

/**
 * enum kipc_channel_dir_attr - one direction of a channel
 * @KIPC_CHANNEL_DIR_A_UNSPEC: unused
 * @KIPC_CHANNEL_DIR_A_INDEX: u32 0 or 1
 * @KIPC_CHANNEL_DIR_A_CAPACITY: u32 ring bytes
 * @KIPC_CHANNEL_DIR_A_USED: u32 bytes in the ring now
 * @KIPC_CHANNEL_DIR_A_MAX_MSG: u32 largest message
 * @KIPC_CHANNEL_DIR_A_END_OPEN: u8 1 while the writing end has a file
 * @__KIPC_CHANNEL_DIR_A_MAX: internal, one past the last
 */
enum kipc_channel_dir_attr {
	KIPC_CHANNEL_DIR_A_UNSPEC,
	KIPC_CHANNEL_DIR_A_INDEX,
	KIPC_CHANNEL_DIR_A_CAPACITY,
	KIPC_CHANNEL_DIR_A_USED,
	KIPC_CHANNEL_DIR_A_MAX_MSG,
	KIPC_CHANNEL_DIR_A_END_OPEN,

	__KIPC_CHANNEL_DIR_A_MAX
};

#define KIPC_CHANNEL_DIR_A_MAX	(__KIPC_CHANNEL_DIR_A_MAX - 1)

/**
 * enum kipc_pipe_state_attr - a pipe's state
 * @KIPC_PIPE_A_UNSPEC: unused
 * @KIPC_PIPE_A_CAPACITY: u32 buffer bytes
 * @KIPC_PIPE_A_USED: u32 bytes buffered
 * @KIPC_PIPE_A_READERS: u32 files open for reading
 * @KIPC_PIPE_A_WRITERS: u32 files open for writing
 * @__KIPC_PIPE_A_MAX: internal, one past the last
 */
enum kipc_pipe_state_attr {
	KIPC_PIPE_A_UNSPEC,
	KIPC_PIPE_A_CAPACITY,
	KIPC_PIPE_A_USED,
	KIPC_PIPE_A_READERS,
	KIPC_PIPE_A_WRITERS,

	__KIPC_PIPE_A_MAX
};

#define KIPC_PIPE_A_MAX	(__KIPC_PIPE_A_MAX - 1)

/**
 * enum kipc_region_state_attr - a shared region's state
 * @KIPC_REGION_A_UNSPEC: unused
 * @KIPC_REGION_A_PAD: padding
 * @KIPC_REGION_A_SIZE: u64 bytes
 * @KIPC_REGION_A_RESIDENT: u64 bytes in memory
 * @__KIPC_REGION_A_MAX: internal, one past the last
 */
enum kipc_region_state_attr {
	KIPC_REGION_A_UNSPEC,
	KIPC_REGION_A_PAD,
	KIPC_REGION_A_SIZE,
	KIPC_REGION_A_RESIDENT,

	__KIPC_REGION_A_MAX
};

#define KIPC_REGION_A_MAX	(__KIPC_REGION_A_MAX - 1)

/**
 * enum kipc_sem_state_attr - a semaphore's state
 * @KIPC_SEM_A_UNSPEC: unused
 * @KIPC_SEM_A_VALUE: u32 units available
 * @KIPC_SEM_A_VALUE_MAX: u32 largest value
 * @KIPC_SEM_A_UNDO_PROCS: u32 processes with undo records
 * @__KIPC_SEM_A_MAX: internal, one past the last
 */
enum kipc_sem_state_attr {
	KIPC_SEM_A_UNSPEC,
	KIPC_SEM_A_VALUE,
	KIPC_SEM_A_VALUE_MAX,
	KIPC_SEM_A_UNDO_PROCS,

	__KIPC_SEM_A_MAX
};

#define KIPC_SEM_A_MAX	(__KIPC_SEM_A_MAX - 1)

/**
 * enum kipc_mutex_state_attr - a robust mutex's state
 * @KIPC_MUTEX_A_UNSPEC: unused
 * @KIPC_MUTEX_A_LOCKED: u8 1 if held
 * @KIPC_MUTEX_A_STATE: u32 KIPC_MUTEX_STATE_*
 * @KIPC_MUTEX_A_OWNER_TID: u32 owner thread id, 0 if none or not visible
 * @KIPC_MUTEX_A_OWNER_PID: u32 owner process id, 0 if none or not visible
 * @KIPC_MUTEX_A_DEPTH: u32 recursion depth
 * @KIPC_MUTEX_A_RECURSIVE: u8 1 for a recursive mutex
 * @__KIPC_MUTEX_A_MAX: internal, one past the last
 */
enum kipc_mutex_state_attr {
	KIPC_MUTEX_A_UNSPEC,
	KIPC_MUTEX_A_LOCKED,
	KIPC_MUTEX_A_STATE,
	KIPC_MUTEX_A_OWNER_TID,
	KIPC_MUTEX_A_OWNER_PID,
	KIPC_MUTEX_A_DEPTH,
	KIPC_MUTEX_A_RECURSIVE,

	__KIPC_MUTEX_A_MAX
};

#define KIPC_MUTEX_A_MAX	(__KIPC_MUTEX_A_MAX - 1)

/*
 * A condition variable has no state beyond its waiters and counters:
 * its KIPC_OBJ_A_STATE nest is empty.
 */

/* ---- Module-wide ------------------------------------------------------ */

/**
 * enum kipc_stats_attr - module statistics (KIPC_A_STATS), all u64
 * @KIPC_STATS_A_UNSPEC: unused
 * @KIPC_STATS_A_PAD: padding
 * @KIPC_STATS_A_OBJECTS: objects alive
 * @KIPC_STATS_A_NAMED: names registered
 * @KIPC_STATS_A_CREATED: objects created since load
 * @KIPC_STATS_A_DESTROYED: objects destroyed since load
 * @KIPC_STATS_A_REFUSED_ENOSPC: creations refused by max_objects
 * @KIPC_STATS_A_REFUSED_EDQUOT: creations (or pipe growths) refused by a
 *	per-uid quota
 * @KIPC_STATS_A_USERS: uids holding objects
 * @__KIPC_STATS_A_MAX: internal, one past the last
 */
enum kipc_stats_attr {
	KIPC_STATS_A_UNSPEC,
	KIPC_STATS_A_PAD,
	KIPC_STATS_A_OBJECTS,
	KIPC_STATS_A_NAMED,
	KIPC_STATS_A_CREATED,
	KIPC_STATS_A_DESTROYED,
	KIPC_STATS_A_REFUSED_ENOSPC,
	KIPC_STATS_A_REFUSED_EDQUOT,
	KIPC_STATS_A_USERS,

	__KIPC_STATS_A_MAX
};

#define KIPC_STATS_A_MAX	(__KIPC_STATS_A_MAX - 1)

/**
 * enum kipc_limit_attr - one limit (KIPC_A_LIMIT)
 * @KIPC_LIMIT_A_UNSPEC: unused
 * @KIPC_LIMIT_A_PAD: padding
 * @KIPC_LIMIT_A_NAME: string, the module parameter's name
 * @KIPC_LIMIT_A_VALUE: u64 its value
 * @KIPC_LIMIT_A_USED: u64 current use, module-wide (limits on a total)
 * @KIPC_LIMIT_A_UID_USED: u64 current use by the uid KIPC_A_UID (per-uid
 *	limits only)
 * @KIPC_LIMIT_A_ERRNO: u32 the errno an operation beyond it gets
 * @__KIPC_LIMIT_A_MAX: internal, one past the last
 */
enum kipc_limit_attr {
	KIPC_LIMIT_A_UNSPEC,
	KIPC_LIMIT_A_PAD,
	KIPC_LIMIT_A_NAME,
	KIPC_LIMIT_A_VALUE,
	KIPC_LIMIT_A_USED,
	KIPC_LIMIT_A_UID_USED,
	KIPC_LIMIT_A_ERRNO,

	__KIPC_LIMIT_A_MAX
};

#define KIPC_LIMIT_A_MAX	(__KIPC_LIMIT_A_MAX - 1)

/**
 * enum kipc_user_attr - one uid's usage (KIPC_A_USER)
 * @KIPC_USER_A_UNSPEC: unused
 * @KIPC_USER_A_PAD: padding
 * @KIPC_USER_A_UID: u32
 * @KIPC_USER_A_OBJECTS: u32 objects charged to it
 * @KIPC_USER_A_MAX_OBJECTS: u32 its quota (max_objects_per_uid)
 * @KIPC_USER_A_BYTES: u64 bytes charged to it
 * @KIPC_USER_A_MAX_BYTES: u64 its quota (max_bytes_per_uid)
 * @__KIPC_USER_A_MAX: internal, one past the last
 */
enum kipc_user_attr {
	KIPC_USER_A_UNSPEC,
	KIPC_USER_A_PAD,
	KIPC_USER_A_UID,
	KIPC_USER_A_OBJECTS,
	KIPC_USER_A_MAX_OBJECTS,
	KIPC_USER_A_BYTES,
	KIPC_USER_A_MAX_BYTES,

	__KIPC_USER_A_MAX
};

#define KIPC_USER_A_MAX	(__KIPC_USER_A_MAX - 1)

/**
 * enum kipc_ns_attr - one IPC namespace (KIPC_A_NS)
 * @KIPC_NS_A_UNSPEC: unused
 * @KIPC_NS_A_PAD: padding
 * @KIPC_NS_A_INUM: u32 its inode number, as /proc/PID/ns/ipc and fdinfo's
 *	kipc-ipcns show it
 * @KIPC_NS_A_INITIAL: flag, the initial IPC namespace
 * @KIPC_NS_A_USERNS_INUM: u32 the inode number of the user namespace that
 *	owns it (where CAP_IPC_OWNER counts for its objects)
 * @KIPC_NS_A_OBJECTS: u64 objects made in it and still alive
 * @KIPC_NS_A_NAMED: u64 names registered in it
 * @KIPC_NS_A_BYTES: u64 bytes charged with its objects
 * @KIPC_NS_A_MAX_OBJECTS: u64 max_objects_per_ns (absent for the initial
 *	namespace, which only max_objects caps)
 * @KIPC_NS_A_MAX_BYTES: u64 max_bytes_per_ns (likewise)
 * @__KIPC_NS_A_MAX: internal, one past the last
 */
enum kipc_ns_attr {
	KIPC_NS_A_UNSPEC,
	KIPC_NS_A_PAD,
	KIPC_NS_A_INUM,
	KIPC_NS_A_INITIAL,
	KIPC_NS_A_USERNS_INUM,
	KIPC_NS_A_OBJECTS,
	KIPC_NS_A_NAMED,
	KIPC_NS_A_BYTES,
	KIPC_NS_A_MAX_OBJECTS,
	KIPC_NS_A_MAX_BYTES,

	__KIPC_NS_A_MAX
};

#define KIPC_NS_A_MAX	(__KIPC_NS_A_MAX - 1)

/* ---- Notifications ------------------------------------------------------ */

/* What happened (KIPC_NOTIFY_A_KIND). */
#define KIPC_EV_CREATED		1	/* an object was created */
#define KIPC_EV_UNLINKED	2	/* its name was removed */
#define KIPC_EV_DESTROYED	3	/* its last reference went */
#define KIPC_EV_OWNER_DIED	4	/* a mutex's owner died holding it */
#define KIPC_EV_REFUSED		5	/* a creation hit a quota: ERRNO says */
#define KIPC_EV_NOTIFIED	6	/* a queue's notification fired */

/**
 * enum kipc_notify_attr - one notification (KIPC_A_NOTIFY)
 *
 * Sent only while someone listens to the group.
 *
 * @KIPC_NOTIFY_A_UNSPEC: unused
 * @KIPC_NOTIFY_A_PAD: padding
 * @KIPC_NOTIFY_A_KIND: u32 KIPC_EV_*
 * @KIPC_NOTIFY_A_OBJ_ID: u64 the object (absent for KIPC_EV_REFUSED)
 * @KIPC_NOTIFY_A_TYPE: u32 KIPC_TYPE_*
 * @KIPC_NOTIFY_A_NAME: string, the object's name, if any
 * @KIPC_NOTIFY_A_UID: u32 the object's owner (REFUSED: the caller's euid),
 *	in the initial user namespace
 * @KIPC_NOTIFY_A_PID: u32 the process that caused it (OWNER_DIED: the
 *	dead owner's), in the initial pid namespace; 0 if unknown (a kernel
 *	thread, such as a deferred release)
 * @KIPC_NOTIFY_A_ERRNO: u32 positive errno of a REFUSED
 * @KIPC_NOTIFY_A_TIME: u64 ns since the epoch (CLOCK_REALTIME)
 * @__KIPC_NOTIFY_A_MAX: internal, one past the last
 */
enum kipc_notify_attr {
	KIPC_NOTIFY_A_UNSPEC,
	KIPC_NOTIFY_A_PAD,
	KIPC_NOTIFY_A_KIND,
	KIPC_NOTIFY_A_OBJ_ID,
	KIPC_NOTIFY_A_TYPE,
	KIPC_NOTIFY_A_NAME,
	KIPC_NOTIFY_A_UID,
	KIPC_NOTIFY_A_PID,
	KIPC_NOTIFY_A_ERRNO,
	KIPC_NOTIFY_A_TIME,

	__KIPC_NOTIFY_A_MAX
};

#define KIPC_NOTIFY_A_MAX	(__KIPC_NOTIFY_A_MAX - 1)

#endif /* _UAPI_LINUX_KIPC_NETLINK_H */
