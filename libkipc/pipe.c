// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc: pipes.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* The fd flags kipc_pipe() passes on to both ends. */
#define KIPC_PIPE_END_FLAGS	(KIPC_FD_NOCLOEXEC | KIPC_FD_NONBLOCK)

KIPC_EXPORT int kipc_pipe(int fds[2], uint32_t capacity, uint32_t fdflags)
{
	int fd, rd, wr;

	if (fdflags & ~KIPC_PIPE_END_FLAGS)
		return -EINVAL;
	/* A close-on-exec fd for both, never seen by another thread's exec. */
	fd = kipc_pipe_create(NULL, 0600, capacity, 0);
	if (fd < 0)
		return fd;
	rd = kipc_reopen(fd, fdflags | KIPC_FD_RDONLY);
	if (rd < 0) {
		close(fd);
		return rd;
	}
	wr = kipc_reopen(fd, fdflags | KIPC_FD_WRONLY);
	close(fd);
	if (wr < 0) {
		close(rd);
		return wr;
	}
	fds[0] = rd;
	fds[1] = wr;
	return 0;
}

KIPC_EXPORT int kipc_pipe_create(const char *name, uint32_t mode,
				 uint32_t capacity, uint32_t fdflags)
{
	struct kipc_pipe_attr a = { .capacity = capacity };

	return kipc_create(KIPC_TYPE_PIPE, name, mode, &a, sizeof(a), fdflags);
}

KIPC_EXPORT int kipc_pipe_open(const char *name, uint32_t fdflags)
{
	return kipc_open(KIPC_TYPE_PIPE, name, fdflags);
}

KIPC_EXPORT long kipc_pipe_set_capacity(int fd, uint32_t capacity)
{
	struct kipc_pipe_capacity c = { .capacity = capacity };
	int err;

	err = kipc_ioctl(fd, KIPC_PIPE_IOC_SET_CAPACITY, &c);
	return err ? err : (long)c.capacity;
}

KIPC_EXPORT int kipc_pipe_info(int fd, struct kipc_pipe_info *info)
{
	memset(info, 0, sizeof(*info));
	return kipc_ioctl(fd, KIPC_PIPE_IOC_INFO, info);
}
