/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kipc message queue selftests share: the fixture and helpers.
 *
 * Blocking calls in children always have a deadline or are watched by the
 * parent, so a broken module fails a test instead of hanging the suite.
 */
#ifndef KIPC_QUEUE_UTIL_H
#define KIPC_QUEUE_UTIL_H

/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_test_util.h"

#define MS		KT_NSEC_PER_MSEC
#define CHILD_WAIT_NS	(KT_CHILD_TIMEOUT_MS * KT_NSEC_PER_MSEC)
#define NWAITERS	4

#define POLL_RD		(POLLIN | POLLRDNORM)
#define POLL_WR		(POLLOUT | POLLWRNORM)

KT_FIXTURE()

/* ---- helpers ---------------------------------------------------------------- */

static inline int new_queue(uint32_t max_msgs, uint32_t max_msg_size)
{
	return kipc_queue_create(NULL, 0600, max_msgs, max_msg_size, 0);
}

static inline int q_info(int fd, struct kipc_queue_info *in)
{
	memset(in, 0, sizeof(*in));
	return kt_ioctl(fd, KIPC_QUEUE_IOC_INFO, in);
}

/* KIPC_QUEUE_IOC_SEND with the given flags and deadline. */
static inline int q_send_raw(int fd, uint32_t flags, const struct kipc_timespec *dl,
			     const void *msg, uint32_t len, uint32_t prio)
{
	struct kipc_queue_send s;

	memset(&s, 0, sizeof(s));
	s.flags = flags;
	if (dl)
		s.deadline = *dl;
	s.msg = (uintptr_t)msg;
	s.len = len;
	s.priority = prio;
	return kt_ioctl(fd, KIPC_QUEUE_IOC_SEND, &s);
}

/*
 * KIPC_QUEUE_IOC_RECV with the given flags and deadline.  *@len is the
 * message's length after success and after EMSGSIZE.
 */
static inline int q_recv_raw(int fd, uint32_t flags, const struct kipc_timespec *dl,
			     void *buf, uint32_t size, uint32_t *len, uint32_t *prio)
{
	struct kipc_queue_recv r;
	int err;

	memset(&r, 0, sizeof(r));
	r.flags = flags;
	if (dl)
		r.deadline = *dl;
	r.buf = (uintptr_t)buf;
	r.size = size;
	err = kt_ioctl(fd, KIPC_QUEUE_IOC_RECV, &r);
	if (len)
		*len = r.len;
	if (prio)
		*prio = r.priority;
	return err;
}

static inline int send_str(int fd, const char *s, uint32_t prio)
{
	return kipc_queue_send(fd, s, strlen(s), prio, 0);
}

static inline int send_u64(int fd, uint64_t v, uint32_t prio, int64_t timeout_ns)
{
	return kipc_queue_send(fd, &v, sizeof(v), prio, timeout_ns);
}

/* read() up to @len bytes now and compare what came with @str. */
#define EXPECT_READ_STR(fd, len, str) do {				\
	char b_[512];							\
									\
	memset(b_, 0, sizeof(b_));					\
	EXPECT_EQ((ssize_t)strlen(str), read(fd, b_, len));		\
	EXPECT_STREQ(str, b_);						\
} while (0)

/* Receive a message now and compare it with @str and @prio. */
#define EXPECT_RECV_STR(fd, str, prio) do {				\
	char b_[512];							\
	uint32_t p_ = 0xdeadU;						\
	long n_;							\
									\
	memset(b_, 0, sizeof(b_));					\
	n_ = kipc_queue_recv(fd, b_, sizeof(b_) - 1, &p_, 0);		\
	EXPECT_EQ((long)strlen(str), n_);				\
	if (n_ >= 0)							\
		b_[n_] = '\0';						\
	EXPECT_STREQ(str, b_);						\
	EXPECT_EQ((uint32_t)(prio), p_);				\
} while (0)

/* Poll @fd for reading and writing now: revents, or -errno. */
static inline int poll_now(int fd)
{
	return kt_poll_now(fd, POLL_RD | POLL_WR);
}

/*
 * Wait until the queue has exactly @senders blocked senders and
 * @receivers blocked receivers.  Return: 0, or -ETIMEDOUT.
 */
static inline int wait_blocked(int fd, unsigned int senders, unsigned int receivers,
			       int timeout_ms)
{
	return kt_wait_fdinfo(fd, timeout_ms,
			      "queue-senders:\t%u\nqueue-receivers:\t%u",
			      senders, receivers);
}

/* Wait until @n messages have been received from the queue in all. */
static inline int wait_received(int fd, uint64_t n, int timeout_ms)
{
	return kt_wait_fdinfo(fd, timeout_ms, "queue-received:\t%llu",
			      (unsigned long long)n);
}

/*
 * A child that receives once from @fd (buffer of @size bytes, at @buf if
 * not NULL) with a deadline of KT_CHILD_TIMEOUT_MS, and reports { @idx,
 * length or -errno, first 8 payload bytes (or the length for EMSGSIZE) }.
 */
static inline pid_t spawn_receiver(int fd, int rep, int idx, void *buf, uint32_t size)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		struct kipc_timespec dl = kt_ts_at(kt_now_ns() + CHILD_WAIT_NS);
		uint8_t own[256];
		uint64_t v = 0;
		uint32_t len = 0;
		int ret;

		if (!buf)
			buf = own;
		ret = q_recv_raw(fd, KIPC_WAIT_DEADLINE, &dl, buf,
				 buf == own && size > sizeof(own) ? sizeof(own) : size,
				 &len, NULL);
		if (ret == -EMSGSIZE)
			v = len;
		else if (!ret && len >= sizeof(v))
			memcpy(&v, buf, sizeof(v));
		kt_report(rep, idx, ret ? ret : (int)len, v);
		_exit(0);
	}
	return pid;
}

/* A child that sends @v at @prio with a deadline; exits with the errno. */
static inline pid_t spawn_sender(int fd, uint64_t v, uint32_t prio)
{
	pid_t pid = kt_fork();

	if (pid == 0)
		kt_child_exit_err(send_u64(fd, v, prio, CHILD_WAIT_NS));
	return pid;
}

/* Make an anonymous queue with @a as is (size @size). */
static inline int create_queue_attr(const void *a, uint32_t size)
{
	return kt_create_type(KIPC_TYPE_QUEUE, a, size, NULL, 0);
}

/* A raw create of a queue that must fail with -@err and change nothing. */
#define EXPECT_CREATE_FAILS(a, size, err) \
	KT_EXPECT_CREATE_FAILS(KIPC_TYPE_QUEUE, a, size, err)

#endif /* KIPC_QUEUE_UTIL_H */
