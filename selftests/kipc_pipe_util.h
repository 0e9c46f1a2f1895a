/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kipc pipe selftests share: the fixture and helpers.
 *
 * Blocking calls in children are watched by the parent (or the child is
 * killed by the teardown), so a broken module fails a test instead of
 * hanging the suite.  Data is a stream pattern whose every byte depends on
 * its position in the stream, so a lost, doubled or misplaced byte shows.
 */
#ifndef KIPC_PIPE_UTIL_H
#define KIPC_PIPE_UTIL_H

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
#include <sys/resource.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_test_util.h"

#define POLL_RD		(POLLIN | POLLRDNORM)
#define POLL_WR		(POLLOUT | POLLWRNORM)
#define PBUF		KIPC_PIPE_BUF
#define DEF_CAP		KIPC_PIPE_DEFAULT_CAPACITY
#define MAX_CAP		(1U << 20)	/* max_pipe_capacity's default */

KT_FIXTURE()

/* ---- helpers ---------------------------------------------------------------- */

/* Byte @i of the test stream: a function of its position. */
static inline uint8_t pat(uint64_t i)
{
	return (uint8_t)(i * 131 + (i >> 8) * 7 + (i >> 16) * 3 + 1);
}

static inline void fill_pat(uint8_t *b, uint64_t pos, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = pat(pos + i);
}

/* Offset of the first byte of @b that is not the stream at @pos, or -1. */
static inline long bad_pat(const uint8_t *b, uint64_t pos, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != pat(pos + i))
			return (long)i;
	return -1;
}

/* read(2) and write(2) returning -errno. */
static inline ssize_t xread(int fd, void *buf, size_t n)
{
	ssize_t r = read(fd, buf, n);

	return r < 0 ? -errno : r;
}

static inline ssize_t xwrite(int fd, const void *buf, size_t n)
{
	ssize_t r = write(fd, buf, n);

	return r < 0 ? -errno : r;
}

/* Write @n bytes of the stream from @pos in one write(2). */
static inline ssize_t write_pat(int fd, uint64_t pos, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	ssize_t r;

	if (!b)
		return -ENOMEM;
	fill_pat(b, pos, n);
	r = xwrite(fd, b, n);
	free(b);
	return r;
}

/*
 * Read exactly @n bytes (several reads of at most @chunk bytes) and check
 * them against the stream from @pos.  Return: 0; the read's -errno; -EIO
 * for a premature end-of-file; -EBADMSG for wrong data.
 */
static inline int read_pat(int fd, uint64_t pos, size_t n, size_t chunk)
{
	uint8_t *b = malloc(chunk);
	size_t done = 0;
	ssize_t r;
	int err = 0;

	if (!b)
		return -ENOMEM;
	while (done < n) {
		r = xread(fd, b, chunk < n - done ? chunk : n - done);
		if (r <= 0) {
			err = r ? (int)r : -EIO;
			break;
		}
		if (bad_pat(b, pos + done, r) >= 0) {
			err = -EBADMSG;
			break;
		}
		done += r;
	}
	free(b);
	return err;
}

static inline int p_info(int fd, struct kipc_pipe_info *in)
{
	return kipc_pipe_info(fd, in);
}

static inline uint32_t p_used(int fd)
{
	struct kipc_pipe_info in;

	return p_info(fd, &in) ? UINT32_MAX : in.used;
}

static inline uint32_t p_cap(int fd)
{
	struct kipc_pipe_info in;

	return p_info(fd, &in) ? 0 : in.capacity;
}

/* KIPC_PIPE_IOC_SET_CAPACITY with @c as is. */
static inline int set_cap_raw(int fd, struct kipc_pipe_capacity *c)
{
	return kt_ioctl(fd, KIPC_PIPE_IOC_SET_CAPACITY, c);
}

/* A raw create of a pipe that must fail with -@err and change nothing. */
#define EXPECT_CREATE_FAILS(a, size, err) \
	KT_EXPECT_CREATE_FAILS(KIPC_TYPE_PIPE, a, size, err)

/* Poll @fd for reading and writing now: revents, or -errno. */
static inline int poll_now(int fd)
{
	return kt_poll_now(fd, POLL_RD | POLL_WR);
}

static inline int set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl) ? -errno : 0;
}

/*
 * Wait until the pipe shows @used bytes queued and @written written in
 * all.  Return: 0, or -ETIMEDOUT.
 */
static inline int wait_state(int fd, uint32_t used, uint64_t written, int timeout_ms)
{
	return kt_wait_fdinfo(fd, timeout_ms, "pipe-used:\t%u\npipe-written:\t%llu",
			      used, (unsigned long long)written);
}

static inline void ignore_sigpipe(void)
{
	signal(SIGPIPE, SIG_IGN);
}

/*
 * A child that closes @close_fd (if >= 0), reads once up to @len bytes
 * from @fd, and reports { 0, result or -errno, first 8 bytes }.
 */
static inline pid_t spawn_reader(int fd, int close_fd, int rep, size_t len)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		static uint8_t buf[65536];
		uint64_t v = 0;
		ssize_t n;

		if (close_fd >= 0)
			close(close_fd);
		n = xread(fd, buf, len > sizeof(buf) ? sizeof(buf) : len);
		if (n > 0)
			memcpy(&v, buf, n < 8 ? n : 8);
		kt_report(rep, 0, (int)n, v);
		_exit(0);
	}
	return pid;
}

/*
 * A child that closes @close_fd (if >= 0), ignores SIGPIPE, writes @len
 * bytes of the stream from @pos in one write(2), and reports { 0, result
 * or -errno, 0 }.
 */
static inline pid_t spawn_writer(int fd, int close_fd, int rep, uint64_t pos,
				 size_t len)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		if (close_fd >= 0)
			close(close_fd);
		ignore_sigpipe();
		kt_report(rep, 0, (int)write_pat(fd, pos, len), 0);
		_exit(0);
	}
	return pid;
}

struct thread_io {
	int fd;
	size_t len;
	uint64_t pos;
	ssize_t ret;
	pid_t tid;
	bool sigpipe;
	uint8_t buf[256];
};

static inline void *thread_read(void *arg)
{
	struct thread_io *t = arg;

	t->tid = kt_gettid();
	t->ret = xread(t->fd, t->buf, t->len < sizeof(t->buf) ? t->len :
						 sizeof(t->buf));
	return NULL;
}

/* Wait until thread @t has started and is blocked. */
static inline int wait_thread_blocked(struct thread_io *t)
{
	return kt_wait_thread_sleeping(&t->tid, KT_CHILD_TIMEOUT_MS);
}

#endif /* KIPC_PIPE_UTIL_H */
