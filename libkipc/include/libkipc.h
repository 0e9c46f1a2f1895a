/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkipc - a thin C API over the kipc kernel module (/dev/kipc).
 *
 * Error convention, used by every function: a negative errno value is
 * returned on failure (-EINVAL, -ETIMEDOUT, ...), as liburing does, and
 * errno is left alone.  Functions that make a file descriptor return it
 * (>= 0); the others return 0 on success.
 *
 * Objects are file descriptors: close() frees your handle, poll() and
 * epoll work on them, fork() and SCM_RIGHTS share them.  By default every
 * new fd is close-on-exec; pass KIPC_FD_NOCLOEXEC to keep it across exec.
 *
 * The library opens /dev/kipc once, lazily and thread-safely, and keeps it
 * open (close-on-exec) for the life of the process.
 */
#ifndef LIBKIPC_H
#define LIBKIPC_H

#include <stdint.h>
#include <linux/kipc.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Wait forever: pass as a relative timeout. */
#define KIPC_INFINITE	(-1LL)

/**
 * kipc_version() - query the module's API version and features
 * @v: filled in
 *
 * Side-effect free.  Return: 0 or -errno (-ENOENT if the module is not
 * loaded, so /dev/kipc does not exist).
 */
int kipc_version(struct kipc_version *v);

/**
 * kipc_stats() - module-wide object counters
 * @s: filled in
 *
 * Return: 0 or -errno.
 */
int kipc_stats(struct kipc_stats *s);

/**
 * kipc_create() - create an object of any type
 * @type: KIPC_TYPE_*
 * @name: NUL-terminated name, or NULL for an anonymous object
 * @mode: permission bits (0 to 0777) for others opening it by name
 * @attr: the type's attribute struct, or NULL for defaults
 * @attr_size: sizeof(*attr), or 0
 * @fdflags: KIPC_FD_* flags for the returned fd
 *
 * A named object is created exclusively.  Return: the new fd, or -EEXIST
 * if the name is taken, -EINVAL, -ENAMETOOLONG, -ENOSPC or -EDQUOT (object
 * limits), -EMFILE, -ENOMEM, -ENOENT (module not loaded).
 */
int kipc_create(uint32_t type, const char *name, uint32_t mode,
		const void *attr, uint32_t attr_size, uint32_t fdflags);

/**
 * kipc_open() - open an existing named object
 * @type: KIPC_TYPE_*
 * @name: NUL-terminated name
 * @fdflags: KIPC_FD_*; KIPC_FD_RDONLY or KIPC_FD_WRONLY ask for less access
 *
 * Return: the new fd, or -ENOENT if there is no such name, -EACCES if the
 * object's mode does not grant the access asked for, -EINVAL, ...
 */
int kipc_open(uint32_t type, const char *name, uint32_t fdflags);

/**
 * kipc_open_or_create() - open @name, creating it if it does not exist
 * @type: KIPC_TYPE_*
 * @name: NUL-terminated name
 * @mode: permission bits if created
 * @attr: attributes if created, or NULL
 * @attr_size: sizeof(*attr), or 0
 * @fdflags: KIPC_FD_*
 *
 * Race-free against concurrent creators and unlinkers.
 * Return: the fd, or -errno as kipc_create() and kipc_open().
 */
int kipc_open_or_create(uint32_t type, const char *name, uint32_t mode,
			const void *attr, uint32_t attr_size,
			uint32_t fdflags);

/**
 * kipc_unlink() - remove a name; the object lives while fds refer to it
 * @type: KIPC_TYPE_*
 * @name: NUL-terminated name
 *
 * Return: 0, -ENOENT, -EACCES (not owner or creator), -EINVAL.
 */
int kipc_unlink(uint32_t type, const char *name);

/**
 * kipc_object_info() - owner, mode, name state and id of any object fd
 * @fd: an object fd
 * @info: filled in; @info->name and @info->name_size may point to a buffer
 *	that receives the name (set them before the call, or leave them 0)
 *
 * Return: 0 or -errno (-ENOTTY if @fd is not a kipc object).
 */
int kipc_object_info(int fd, struct kipc_object_info *info);

/**
 * kipc_event_create() - create an event
 * @name: NUL-terminated name, or NULL for an anonymous event
 * @mode: permission bits
 * @evflags: KIPC_EVENT_MANUAL_RESET and/or KIPC_EVENT_SET
 * @fdflags: KIPC_FD_*
 *
 * Return: the event fd, or -errno as kipc_create().
 */
int kipc_event_create(const char *name, uint32_t mode, uint32_t evflags,
		      uint32_t fdflags);

/**
 * kipc_event_open() - open a named event
 * @name: NUL-terminated name
 * @fdflags: KIPC_FD_*
 *
 * Return: the event fd, or -errno as kipc_open().
 */
int kipc_event_open(const char *name, uint32_t fdflags);

/**
 * kipc_event_signal() - signal an event, handing @value to the waiter(s)
 * @fd: event fd opened for writing
 * @value: value for the released waiter(s)
 *
 * Return: 0, -EBADF (fd not writable), -ENOTTY (not an event).
 */
int kipc_event_signal(int fd, uint64_t value);

/**
 * kipc_event_reset() - clear a (manual-reset) event
 * @fd: event fd opened for writing
 *
 * Return: 0, -EBADF, -ENOTTY.
 */
int kipc_event_reset(int fd);

/**
 * kipc_event_wait() - wait for an event with a relative timeout
 * @fd: event fd opened for reading
 * @timeout_ns: nanoseconds to wait at most, KIPC_INFINITE, or 0 to try once
 * @value: if not NULL, receives the value of the signal
 *
 * The timeout is turned into an absolute CLOCK_MONOTONIC deadline, so a
 * wait restarted after a signal handler (SA_RESTART) keeps its deadline.
 * Return: 0; -ETIMEDOUT; -EAGAIN (timeout 0 or KIPC_FD_NONBLOCK, and not
 * set); -EINTR (a handler without SA_RESTART ran); -EBADF.
 */
int kipc_event_wait(int fd, int64_t timeout_ns, uint64_t *value);

/**
 * kipc_event_wait_until() - wait for an event until an absolute deadline
 * @fd: event fd opened for reading
 * @deadline: CLOCK_MONOTONIC time, or NULL for no deadline
 * @value: if not NULL, receives the value of the signal
 *
 * Return: as kipc_event_wait().
 */
int kipc_event_wait_until(int fd, const struct kipc_timespec *deadline,
			  uint64_t *value);

/**
 * kipc_event_trywait() - consume the event if it is set, never block
 * @fd: event fd opened for reading
 * @value: if not NULL, receives the value of the signal
 *
 * Return: 0 or -EAGAIN if not set, -EBADF, -ENOTTY.
 */
int kipc_event_trywait(int fd, uint64_t *value);

/**
 * kipc_event_info() - state and counters of an event
 * @fd: event fd
 * @info: filled in
 *
 * Return: 0 or -errno.
 */
int kipc_event_info(int fd, struct kipc_event_info *info);

/**
 * kipc_queue_create() - create a message queue
 * @name: NUL-terminated name, or NULL for an anonymous queue
 * @mode: permission bits
 * @max_msgs: capacity in messages (0: 10)
 * @max_msg_size: largest message in bytes (0: 8192)
 * @fdflags: KIPC_FD_*
 *
 * Return: the queue fd, or -errno as kipc_create(); -EINVAL if a size is
 * above the module's max_queue_msgs or max_queue_msg_size, -EDQUOT if the
 * capacity does not fit in the uid's max_bytes_per_uid.
 */
int kipc_queue_create(const char *name, uint32_t mode, uint32_t max_msgs,
		      uint32_t max_msg_size, uint32_t fdflags);

/**
 * kipc_queue_open() - open a named message queue
 * @name: NUL-terminated name
 * @fdflags: KIPC_FD_*
 *
 * Return: the queue fd, or -errno as kipc_open().
 */
int kipc_queue_open(const char *name, uint32_t fdflags);

/**
 * kipc_queue_send() - send a message
 * @fd: queue fd opened for writing
 * @msg: the message
 * @len: its length (up to the queue's max_msg_size)
 * @prio: 0 to KIPC_QUEUE_PRIO_MAX; higher is received first
 * @timeout_ns: how long to wait for room: KIPC_INFINITE, 0 to try once,
 *	or nanoseconds
 *
 * Return: 0; -EAGAIN (full, timeout 0 or KIPC_FD_NONBLOCK); -ETIMEDOUT;
 * -EMSGSIZE (@len too large); -EINTR; -EBADF; -EINVAL (@prio too large).
 */
int kipc_queue_send(int fd, const void *msg, size_t len, uint32_t prio,
		    int64_t timeout_ns);

/**
 * kipc_queue_recv() - receive the oldest message of the highest priority
 * @fd: queue fd opened for reading
 * @buf: buffer
 * @size: its size
 * @prio: if not NULL, receives the message's priority
 * @timeout_ns: how long to wait for a message: KIPC_INFINITE, 0 to try
 *	once, or nanoseconds
 *
 * Return: the message's length; -EMSGSIZE if it is larger than @size (it
 * stays queued: KIPC_QUEUE_IOC_RECV also reports its length); -EAGAIN;
 * -ETIMEDOUT; -EINTR; -EBADF.
 */
long kipc_queue_recv(int fd, void *buf, size_t size, uint32_t *prio,
		     int64_t timeout_ns);

/**
 * kipc_queue_info() - capacity, depth and counters of a queue
 * @fd: queue fd
 * @info: filled in
 *
 * Return: 0 or -errno.
 */
int kipc_queue_info(int fd, struct kipc_queue_info *info);

/**
 * kipc_queue_notify() - ask for a signal when an empty queue gets a message
 * @fd: queue fd opened for reading
 * @signo: the signal, or 0 to cancel the caller's registration
 * @value: the signal's si_value
 *
 * One-shot, one process per queue, as mq_notify().
 * Return: 0; -EBUSY (another registration); -ENOENT (cancel without one);
 * -EINVAL.
 */
int kipc_queue_notify(int fd, int signo, uint64_t value);

/**
 * kipc_deadline_after() - CLOCK_MONOTONIC now plus @ns
 * @ns: nanoseconds from now (0 or more)
 * @ts: filled in
 */
void kipc_deadline_after(int64_t ns, struct kipc_timespec *ts);

/**
 * kipc_strerror() - a short text for a libkipc return value
 * @err: a negative errno as returned by libkipc
 *
 * Return: a static string.
 */
const char *kipc_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* LIBKIPC_H */
