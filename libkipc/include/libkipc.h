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

#include <stddef.h>
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
 * Unlike kipc_channel_recv(), this returns the length itself, as
 * mq_receive(3) does: a queue has no end of stream, so a zero-length
 * message is the only thing a return of 0 can mean. A channel needs its
 * return value for "the peer closed" and gives the length in *len.
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
 * kipc_notify() - ask for a signal when an object becomes ready
 * @fd: fd, opened for reading, of an event, queue, channel end, pipe,
 *	semaphore or mutex
 * @signo: the signal (1 to SIGRTMAX), or 0 to cancel the caller's
 *	registration (then @value and @flags must be 0)
 * @value: the signal's si_value
 * @flags: 0 (once) or KIPC_NOTIFY_PERSIST (every time)
 *
 * The calling process is sent @signo when the object becomes ready: an
 * event is set, a semaphore is posted above 0, a mutex is unlocked or its
 * owner dies, a message arrives (on a queue: into an empty queue, as
 * kipc_queue_notify(), with which it shares the registration).  si_code is
 * SI_MESGQ for a queue, SI_QUEUE for the others; si_pid and si_uid are
 * those of the process that made the object ready.  One process per
 * object; it loses its registration when it closes an fd of the object
 * (or exits).  Since version 0.2 (KIPC_FEATURE_NOTIFY).
 *
 * Return: 0; -EBUSY (another process is registered); -ENOENT (cancel
 * without one); -EBADF (not readable, or not an fd); -EINVAL (bad flags or
 * signal, or an object that never becomes ready: a region, a condition
 * variable).
 */
int kipc_notify(int fd, int signo, uint64_t value, uint32_t flags);

/**
 * kipc_signal_holders() - signal every process that holds an object
 * @fd: fd of the object, opened for writing
 * @signo: the signal, 1 to SIGRTMAX
 * @value: the signal's si_value (si_code SI_QUEUE)
 * @refused: if not NULL, receives the number of processes the caller may
 *	not signal, by kill(2)'s rule
 *
 * Every process that opened or mapped the object and still holds it is
 * sent @signo, the caller included if it is one, each only if kill(2)
 * would let the caller signal it.  Since version 0.2
 * (KIPC_FEATURE_NOTIFY).
 *
 * Return: the number of processes signalled; -EPERM if every one refused
 * (*@refused is set all the same); -EBADF (not writable); -EINVAL.
 */
int kipc_signal_holders(int fd, int signo, uint64_t value, uint32_t *refused);

/**
 * kipc_reopen() - a new fd of the object behind @fd (KIPC_IOC_REOPEN)
 * @fd: any kipc object fd
 * @fdflags: KIPC_FD_* of the new fd; more access than @fd has must be
 *	granted by the object's mode bits
 *
 * On a channel it opens the other end (once).  Return: the new fd;
 * -EACCES; -EISCONN (channel end already open); -EINVAL; -EMFILE.
 */
int kipc_reopen(int fd, uint32_t fdflags);

/* ---- Pipes ---------------------------------------------------------------- */

/**
 * kipc_pipe() - an anonymous pipe, like pipe2(2)
 * @fds: out: fds[0] the read end, fds[1] the write end
 * @capacity: buffer bytes, 0 for KIPC_PIPE_DEFAULT_CAPACITY
 * @fdflags: KIPC_FD_NOCLOEXEC and/or KIPC_FD_NONBLOCK for both ends
 *
 * Return: 0; -EINVAL (bad flags or capacity above max_pipe_capacity);
 * -EDQUOT; -EMFILE; -ENOMEM.  On failure no fd is left open.
 */
int kipc_pipe(int fds[2], uint32_t capacity, uint32_t fdflags);

/**
 * kipc_pipe_create() - create a named pipe (a FIFO)
 * @name: NUL-terminated name
 * @mode: permission bits
 * @capacity: buffer bytes, 0 for the default
 * @fdflags: KIPC_FD_*; KIPC_FD_RDONLY for a reader, KIPC_FD_WRONLY for a
 *	writer, neither for both
 *
 * Return: the fd, or -errno as kipc_create().
 */
int kipc_pipe_create(const char *name, uint32_t mode, uint32_t capacity,
		     uint32_t fdflags);

/**
 * kipc_pipe_open() - open a named pipe for reading and/or writing
 * @name: NUL-terminated name
 * @fdflags: KIPC_FD_*, as for kipc_pipe_create()
 *
 * Never blocks (unlike open(2) of a FIFO).  Return: the fd, or -errno as
 * kipc_open().
 */
int kipc_pipe_open(const char *name, uint32_t fdflags);

/**
 * kipc_pipe_set_capacity() - resize a pipe's buffer
 * @fd: pipe fd opened for writing
 * @capacity: new size, rounded up to a power of two of at least
 *	KIPC_PIPE_BUF
 *
 * Return: the capacity now (> 0); -EBUSY (more is queued); -EDQUOT;
 * -EINVAL; -EBADF (not writable); -ENOMEM.
 */
long kipc_pipe_set_capacity(int fd, uint32_t capacity);

/**
 * kipc_pipe_info() - capacity, fill and counters of a pipe
 * @fd: pipe fd
 * @info: filled in
 *
 * Return: 0 or -errno.
 */
int kipc_pipe_info(int fd, struct kipc_pipe_info *info);

/* ---- Channels ------------------------------------------------------------- */

/**
 * kipc_channel_pair() - an anonymous channel, like socketpair(2)
 * @fds: out: end 0 and end 1
 * @attr: capacities and message sizes, or NULL for the defaults
 * @fdflags: KIPC_FD_NOCLOEXEC and/or KIPC_FD_NONBLOCK for both ends
 *
 * Return: 0; -EINVAL; -EDQUOT; -EMFILE; -ENOMEM.  On failure no fd is
 * left open.
 */
int kipc_channel_pair(int fds[2], const struct kipc_channel_attr *attr,
		      uint32_t fdflags);

/**
 * kipc_channel_create() - create a named channel; the fd is end 0
 * @name: NUL-terminated name
 * @mode: permission bits (connecting needs read and write)
 * @attr: or NULL
 * @fdflags: KIPC_FD_NOCLOEXEC, KIPC_FD_NONBLOCK
 *
 * Return: the fd, or -errno as kipc_create().
 */
int kipc_channel_create(const char *name, uint32_t mode,
			const struct kipc_channel_attr *attr, uint32_t fdflags);

/**
 * kipc_channel_connect() - open end 1 of a named channel
 * @name: NUL-terminated name
 * @fdflags: KIPC_FD_NOCLOEXEC, KIPC_FD_NONBLOCK
 *
 * Return: the fd; -EISCONN if end 1 was opened already; -ENOENT; -EACCES.
 */
int kipc_channel_connect(const char *name, uint32_t fdflags);

/**
 * kipc_channel_info() - sizes, fill and state of a channel, seen from @fd
 * @fd: channel fd
 * @info: filled in
 *
 * Return: 0 or -errno.
 */
int kipc_channel_info(int fd, struct kipc_channel_info *info);

/**
 * kipc_channel_send() - send one message through the kernel
 * @fd: channel fd
 * @msg: the message
 * @len: its length, up to the ring's max_msg
 * @timeout_ns: KIPC_INFINITE, 0 to try once, or nanoseconds
 *
 * Return: 0; -EPIPE (peer closed); -EMSGSIZE; -EAGAIN; -ETIMEDOUT;
 * -EINTR; -EIO (the ring was corrupted by an end).
 */
int kipc_channel_send(int fd, const void *msg, size_t len,
		      int64_t timeout_ns);

/**
 * kipc_channel_recv() - receive one message through the kernel
 * @fd: channel fd
 * @buf: buffer
 * @size: its size
 * @len: out: the message's length (also on -EMSGSIZE)
 * @timeout_ns: KIPC_INFINITE, 0 to try once, or nanoseconds
 *
 * Unlike kipc_queue_recv(), which returns the length as mq_receive(3)
 * does, this returns whether a message came, and its length in *@len: a
 * channel has an end (the peer closed, nothing left: 0), which a
 * zero-length message must not be mistaken for. kipc_ring_recv() and the
 * vectored calls use the same convention.
 *
 * Return: 1 (a message), 0 (end-of-channel: the peer closed and nothing
 * is left), -EMSGSIZE (it stays queued), -EAGAIN, -ETIMEDOUT, -EINTR, -EIO.
 */
int kipc_channel_recv(int fd, void *buf, size_t size, size_t *len,
		      int64_t timeout_ns);

/**
 * kipc_channel_sendv() - send up to @n messages in one call
 * @fd: channel fd
 * @msgs: the messages
 * @n: their number, 1 to KIPC_CHAN_MAX_BATCH
 * @timeout_ns: how long to wait for room for the first
 *
 * Return: how many were sent (>= 1), or -errno as kipc_channel_send().
 */
int kipc_channel_sendv(int fd, const struct kipc_chan_msg *msgs,
		       unsigned int n, int64_t timeout_ns);

/**
 * kipc_channel_recvv() - receive up to @n messages in one call
 * @fd: channel fd
 * @msgs: buffers; each @len is the buffer size on entry and the message
 *	length on return
 * @n: their number, 1 to KIPC_CHAN_MAX_BATCH
 * @timeout_ns: how long to wait for the first
 *
 * Return: how many were received (0 at end-of-channel), or -errno.
 */
int kipc_channel_recvv(int fd, struct kipc_chan_msg *msgs, unsigned int n,
		       int64_t timeout_ns);

/*
 * The fast path: a struct kipc_ring maps the channel's rings into this
 * process and sends and receives in user space, entering the kernel only
 * to sleep and to wake the peer.  One process at a time may map an end
 * (others get the kernel path, transparently); a child after fork() uses
 * the kernel path with its parent's handle.  A handle is thread-safe.
 * It does not own the fd: detach it, then close the fd.
 */
struct kipc_ring;

/**
 * kipc_ring_attach() - make a fast-path handle for a channel fd
 * @fd: channel fd
 * @out: the handle
 *
 * Return: 0; -ENOMEM; -errno of KIPC_CHAN_IOC_INFO (-ENOTTY: not a
 * channel).  If the rings cannot be mapped the handle still works,
 * through the kernel.
 */
int kipc_ring_attach(int fd, struct kipc_ring **out);

/**
 * kipc_ring_detach() - unmap and free a handle (the fd stays open)
 * @ch: the handle, or NULL
 */
void kipc_ring_detach(struct kipc_ring *ch);

/**
 * kipc_ring_fd() - the fd behind a handle
 * @ch: the handle
 *
 * Return: the fd.
 */
int kipc_ring_fd(const struct kipc_ring *ch);

/**
 * kipc_ring_set_spin() - how long to poll the ring before sleeping
 * @ch: the handle
 * @ns: nanoseconds; 0 never spins.  The default is 0 on one CPU and
 *	50 microseconds on more.  Even then it spins only while the peer
 *	last ran on another CPU than this thread (struct kipc_chan_ring
 *	pcpu and ccpu): on a shared CPU the peer cannot answer meanwhile.
 */
void kipc_ring_set_spin(struct kipc_ring *ch, int64_t ns);

/**
 * kipc_ring_send() - kipc_channel_send() through the mapped ring
 * @ch: the handle
 * @msg: the message
 * @len: its length
 * @timeout_ns: as kipc_channel_send()
 *
 * Return: as kipc_channel_send().
 */
int kipc_ring_send(struct kipc_ring *ch, const void *msg, size_t len,
		   int64_t timeout_ns);

/**
 * kipc_ring_recv() - kipc_channel_recv() through the mapped ring
 * @ch: the handle
 * @buf: buffer
 * @size: its size
 * @len: out: the message's length
 * @timeout_ns: as kipc_channel_recv()
 *
 * Return: as kipc_channel_recv().
 */
int kipc_ring_recv(struct kipc_ring *ch, void *buf, size_t size, size_t *len,
		   int64_t timeout_ns);

/**
 * kipc_ring_sendv() - kipc_channel_sendv() through the mapped ring
 * @ch: the handle
 * @msgs: the messages
 * @n: their number (any)
 * @timeout_ns: how long to wait for room for the first
 *
 * Publishes the batch at once and wakes the peer at most once.
 * Return: as kipc_channel_sendv().
 */
int kipc_ring_sendv(struct kipc_ring *ch, const struct kipc_chan_msg *msgs,
		    unsigned int n, int64_t timeout_ns);

/**
 * kipc_ring_recvv() - kipc_channel_recvv() through the mapped ring
 * @ch: the handle
 * @msgs: buffers, as kipc_channel_recvv()
 * @n: their number (any)
 * @timeout_ns: how long to wait for the first
 *
 * Return: as kipc_channel_recvv().
 */
int kipc_ring_recvv(struct kipc_ring *ch, struct kipc_chan_msg *msgs,
		    unsigned int n, int64_t timeout_ns);

/**
 * kipc_ring_call() - send a message, then receive one, in one kernel entry
 * @ch: the handle
 * @msg: the message to send
 * @len: its length
 * @buf: buffer for the message received
 * @size: its size
 * @rlen: out: the received message's length; SIZE_MAX after an error of
 *	the send (the message did not go out), 0 after any other error but
 *	-EMSGSIZE
 * @timeout_ns: how long the whole call may wait (for room to send, then
 *	for the reply, in one budget): KIPC_INFINITE, or 0 to try once
 *
 * The request-reply pattern of a client, and the reply-and-wait-for-the-
 * next-request of a server: when the peer must be woken and this side
 * must sleep, one KIPC_CHAN_IOC_WAIT does both, where separate send and
 * receive calls would enter the kernel twice.
 *
 * A caller that retries after -EINTR, -EAGAIN or -ETIMEDOUT tells by
 * *@rlen whether to send again (SIZE_MAX) or only to receive: a request
 * is never sent twice.
 *
 * Return: as kipc_ring_recv() once sent; an error of kipc_ring_send()
 * if the message could not be sent (then nothing was received).
 */
int kipc_ring_call(struct kipc_ring *ch, const void *msg, size_t len,
		   void *buf, size_t size, size_t *rlen, int64_t timeout_ns);

/* ---- Shared regions ------------------------------------------------------- */

/**
 * kipc_region_create() - create a shared region
 * @name: NUL-terminated name, or NULL for an anonymous region
 * @mode: permission bits (read: map read-only; read and write: map
 *	writable)
 * @size: bytes (rounded up to pages), up to max_region_size
 * @fdflags: KIPC_FD_*
 *
 * Return: the fd, or -errno as kipc_create(); -EINVAL for a size of 0 or
 * above max_region_size; -EDQUOT.
 */
int kipc_region_create(const char *name, uint32_t mode, uint64_t size,
		       uint32_t fdflags);

/**
 * kipc_region_open() - open a named region
 * @name: NUL-terminated name
 * @fdflags: KIPC_FD_*; KIPC_FD_RDONLY for a read-only mapping only
 *
 * Return: the fd, or -errno as kipc_open().
 */
int kipc_region_open(const char *name, uint32_t fdflags);

/**
 * kipc_region_map() - map a whole region
 * @fd: region fd
 * @prot: PROT_READ, or PROT_READ | PROT_WRITE
 * @size: out: its size, if not NULL
 * @err: out: the -errno of a failure, if not NULL
 *
 * Return: the address, or NULL with the -errno in *@err if @err is not
 * NULL (-EACCES: writable mapping of a read-only fd).
 */
void *kipc_region_map(int fd, int prot, uint64_t *size, int *err);

/**
 * kipc_region_info() - size and use of a region
 * @fd: region fd
 * @info: filled in
 *
 * Return: 0 or -errno.
 */
int kipc_region_info(int fd, struct kipc_region_info *info);

/* ---- Semaphores ------------------------------------------------------------- */

/**
 * kipc_sem_create() - create a counting semaphore
 * @name: NUL-terminated name, or NULL for an anonymous one
 * @mode: permission bits (read: wait; write: post)
 * @value: initial value
 * @max: maximum value (1: a binary semaphore), 0 for KIPC_SEM_VALUE_MAX
 * @fdflags: KIPC_FD_*
 *
 * Return: the fd, or -errno as kipc_create(); -EINVAL if @value > @max.
 */
int kipc_sem_create(const char *name, uint32_t mode, uint32_t value,
		    uint32_t max, uint32_t fdflags);

/**
 * kipc_sem_open() - open a named semaphore
 * @name: NUL-terminated name
 * @fdflags: KIPC_FD_*
 *
 * Return: the fd, or -errno as kipc_open().
 */
int kipc_sem_open(const char *name, uint32_t fdflags);

/*
 * The fast path: a struct kipc_sem maps the semaphore's state word and
 * posts and takes units with compare-and-swap, entering the kernel only
 * to sleep, to wake a waiter, or for undo.  A handle does not own the fd.
 */
struct kipc_sem;

/**
 * kipc_sem_attach() - make a fast-path handle for a semaphore fd
 * @fd: semaphore fd
 * @out: the handle
 *
 * Return: 0 or -errno (-ENOTTY: not a semaphore).  If the state cannot be
 * mapped writable (a read-only or write-only fd) the handle still works,
 * through the kernel.
 */
int kipc_sem_attach(int fd, struct kipc_sem **out);

/**
 * kipc_sem_detach() - unmap and free a handle (the fd stays open)
 * @sem: the handle, or NULL
 */
void kipc_sem_detach(struct kipc_sem *sem);

/**
 * kipc_sem_post() - give @count units
 * @sem: the handle
 * @count: units, 1 or more
 * @flags: 0 or KIPC_SEM_UNDO
 *
 * Return: 0; -EOVERFLOW (past the maximum: nothing given); -EBADF (fd not
 * writable); -EINVAL.
 */
int kipc_sem_post(struct kipc_sem *sem, uint32_t count, uint32_t flags);

/**
 * kipc_sem_wait() - take one unit
 * @sem: the handle
 * @timeout_ns: KIPC_INFINITE, 0 to try once, or nanoseconds
 * @flags: 0 or KIPC_SEM_UNDO
 *
 * Return: 0; -EAGAIN (timeout 0 and none free); -ETIMEDOUT; -EINTR;
 * -EBADF (fd not readable).
 */
int kipc_sem_wait(struct kipc_sem *sem, int64_t timeout_ns, uint32_t flags);

/**
 * kipc_sem_info() - value, maximum, waiters and counters
 * @fd: semaphore fd
 * @info: filled in
 *
 * Return: 0 or -errno.
 */
int kipc_sem_info(int fd, struct kipc_sem_info *info);

/* ---- Mutexes and condition variables ---------------------------------------- */

/**
 * kipc_mutex_create() - create a robust process-shared mutex
 * @name: NUL-terminated name, or NULL for an anonymous one
 * @mode: permission bits (using it needs read and write)
 * @flags: KIPC_MUTEX_RECURSIVE or 0
 * @fdflags: KIPC_FD_NOCLOEXEC, KIPC_FD_NONBLOCK
 *
 * Return: the fd, or -errno as kipc_create().
 */
int kipc_mutex_create(const char *name, uint32_t mode, uint32_t flags,
		      uint32_t fdflags);

/**
 * kipc_mutex_open() - open a named mutex
 * @name: NUL-terminated name
 * @fdflags: KIPC_FD_NOCLOEXEC, KIPC_FD_NONBLOCK
 *
 * Return: the fd, or -errno as kipc_open().
 */
int kipc_mutex_open(const char *name, uint32_t fdflags);

/*
 * The fast path: a struct kipc_mutex maps the mutex's word and locks and
 * unlocks with compare-and-swap; the kernel is entered only to sleep, to
 * hand over to a waiter and to recover from a dead owner.  Thread-safe;
 * does not own the fd.
 */
struct kipc_mutex;

/**
 * kipc_mutex_attach() - make a handle for a mutex fd
 * @fd: mutex fd
 * @out: the handle
 *
 * Return: 0 or -errno (-ENOTTY: not a mutex).
 */
int kipc_mutex_attach(int fd, struct kipc_mutex **out);

/**
 * kipc_mutex_detach() - unmap and free a handle (the fd stays open)
 * @m: the handle, or NULL
 */
void kipc_mutex_detach(struct kipc_mutex *m);

/**
 * kipc_mutex_lock() - lock, waiting as long as @timeout_ns says
 * @m: the handle
 * @timeout_ns: KIPC_INFINITE, 0 for a try-lock, or nanoseconds
 *
 * Return: 0; -EOWNERDEAD (locked: the previous owner died; call
 * kipc_mutex_consistent() before unlocking or the mutex becomes not
 * recoverable); -ENOTRECOVERABLE; -EBUSY (try-lock); -ETIMEDOUT;
 * -EDEADLK (already the owner of a normal mutex); -EINTR.
 */
int kipc_mutex_lock(struct kipc_mutex *m, int64_t timeout_ns);

/**
 * kipc_mutex_unlock() - unlock
 * @m: the handle
 *
 * Return: 0; -EPERM (not the owner).
 */
int kipc_mutex_unlock(struct kipc_mutex *m);

/**
 * kipc_mutex_consistent() - mark a mutex taken with EOWNERDEAD consistent
 * @m: the handle
 *
 * Return: 0; -EINVAL (not in that state); -EPERM (not the owner).
 */
int kipc_mutex_consistent(struct kipc_mutex *m);

/**
 * kipc_mutex_info() - state, owner and waiters of a mutex
 * @fd: mutex fd
 * @info: filled in
 *
 * Return: 0 or -errno.
 */
int kipc_mutex_info(int fd, struct kipc_mutex_info *info);

/**
 * kipc_cond_create() - create a condition variable
 * @name: NUL-terminated name, or NULL
 * @mode: permission bits (read: wait; write: signal)
 * @fdflags: KIPC_FD_*
 *
 * Return: the fd, or -errno as kipc_create().
 */
int kipc_cond_create(const char *name, uint32_t mode, uint32_t fdflags);

/**
 * kipc_cond_open() - open a named condition variable
 * @name: NUL-terminated name
 * @fdflags: KIPC_FD_*
 *
 * Return: the fd, or -errno as kipc_open().
 */
int kipc_cond_open(const char *name, uint32_t fdflags);

/**
 * kipc_cond_wait() - release @m, wait for a signal, re-acquire @m
 * @cond: condition variable fd
 * @m: the mutex handle, locked by the caller
 * @timeout_ns: KIPC_INFINITE or nanoseconds
 *
 * Return: as KIPC_COND_IOC_WAIT; the mutex is held again on return except
 * for -EPERM, -EINVAL and -ENOTRECOVERABLE.
 */
int kipc_cond_wait(int cond, struct kipc_mutex *m, int64_t timeout_ns);

/**
 * kipc_cond_signal() - wake one waiter, or all
 * @cond: condition variable fd
 * @broadcast: wake every waiter
 *
 * Return: the number woken, or -errno.
 */
int kipc_cond_signal(int cond, int broadcast);

/**
 * kipc_wait_many() - wait for any one, or all, of several objects
 * @objs: the objects: @fd (readable) in, @ready, @error and @value out
 *	(struct kipc_wait_obj; set @flags and @reserved to 0)
 * @n: their number, 1 to the module's max_wait_objects (64 by default)
 * @flags: KIPC_WAIT_ALL to wait for all of them, else any one
 * @timeout_ns: nanoseconds to wait at most, KIPC_INFINITE, or 0 to try once
 * @index: if not NULL, receives the index of the object taken (any), of
 *	the first mutex taken from a dead owner, or of the object of an
 *	-EDEADLK or -ENOTRECOVERABLE
 *
 * Takes what waiting on each object alone would take: an auto-reset
 * event's signal, a semaphore unit, a mutex; a queue, channel or pipe is
 * only found readable.  With KIPC_WAIT_ALL every object is taken at once,
 * or none.  Events, semaphores and mutexes can be mixed freely; a mutex
 * taken this way is released with kipc_mutex_unlock() as usual.
 *
 * Return: 0; -EOWNERDEAD (taken; a mutex's owner had died: make it
 * consistent); -ETIMEDOUT; -EAGAIN (timeout 0 and nothing to take);
 * -EINTR; -EDEADLK; -ENOTRECOVERABLE; -EINVAL; -EBADF; -ENOMEM.
 */
int kipc_wait_many(struct kipc_wait_obj *objs, unsigned int n, uint32_t flags,
		   int64_t timeout_ns, unsigned int *index);

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
