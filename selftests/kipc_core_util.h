/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kipc core selftests share: the fixture and helpers.
 *
 * Runs as root.  Permission tests fork children that drop to nobody.
 * Every error-path test submits otherwise valid data, so only the one error
 * path is hit, and checks that the failed call changed nothing.
 */
#ifndef KIPC_CORE_UTIL_H
#define KIPC_CORE_UTIL_H

/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_test_util.h"

#define NOBODY	65534

KT_FIXTURE()

/* The call must fail with -@err and change nothing. */
#define EXPECT_FAILS_NO_CHANGE(call, err) \
	KT_EXPECT_FAILS_NO_CHANGE(call, err, true)

/* A create that must fail with -@err, leaving @name unregistered. */
#define EXPECT_CREATE_FAILS(c, name, err) do {				\
	EXPECT_FAILS_NO_CHANGE(kt_create_raw(c), err);			\
	if (name)							\
		EXPECT_EQ(-ENOENT, kipc_event_open(name, 0));		\
} while (0)

static inline int make_named(const char *name, uint32_t mode)
{
	return kipc_event_create(name, mode, 0, 0);
}

/* The object id behind @fd, or 0. */
static inline uint64_t obj_id(int fd)
{
	struct kipc_object_info in;

	return kt_obj_info(fd, &in, NULL, 0) ? 0 : in.id;
}

#endif /* KIPC_CORE_UTIL_H */
