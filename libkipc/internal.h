/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkipc internals shared by its source files; not installed.
 */
#ifndef LIBKIPC_INTERNAL_H
#define LIBKIPC_INTERNAL_H

#include <stdint.h>

#include "libkipc.h"

#define KIPC_EXPORT __attribute__((visibility("default")))

/* The process-wide /dev/kipc fd, opened on first use, or -errno. */
int kipc_dev(void);

/* ioctl(2) returning 0 or -errno. */
int kipc_ioctl(int fd, unsigned long cmd, void *arg);

/* ioctl(2) on /dev/kipc. */
int kipc_dev_ioctl(unsigned long cmd, void *arg);

/*
 * A relative timeout (KIPC_INFINITE, 0 = try once, or nanoseconds) as
 * KIPC_WAIT_* flags and an absolute deadline.
 */
uint32_t kipc_timeout(int64_t timeout_ns, struct kipc_timespec *dl);

#endif /* LIBKIPC_INTERNAL_H */
