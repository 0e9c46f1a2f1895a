// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc: one function per kipc operation, each a thin ioctl wrapper.
 * Every function returns a negative errno on failure (see libkipc.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* The uapi struct sizes, the same list the module asserts. */
#define KIPC_ASSERT_SIZE(type, size) \
	_Static_assert(sizeof(type) == (size), #type " size")
#include "../kmod/kipc_abi.h"

static atomic_int kipc_dev_fd = -1;

/* The process-wide /dev/kipc fd, opened on first use. */
int kipc_dev(void)
{
	int fd = atomic_load_explicit(&kipc_dev_fd, memory_order_acquire);
	int expected = -1;

	if (fd >= 0)
		return fd;
	fd = open(KIPC_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!atomic_compare_exchange_strong(&kipc_dev_fd, &expected, fd)) {
		close(fd);	/* another thread won */
		fd = expected;
	}
	return fd;
}

int kipc_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

int kipc_dev_ioctl(unsigned long cmd, void *arg)
{
	int dev = kipc_dev();

	return dev < 0 ? dev : kipc_ioctl(dev, cmd, arg);
}

KIPC_EXPORT int kipc_version(struct kipc_version *v)
{
	memset(v, 0, sizeof(*v));
	return kipc_dev_ioctl(KIPC_IOC_VERSION, v);
}

KIPC_EXPORT int kipc_stats(struct kipc_stats *s)
{
	memset(s, 0, sizeof(*s));
	return kipc_dev_ioctl(KIPC_IOC_STATS, s);
}

KIPC_EXPORT int kipc_create(uint32_t type, const char *name, uint32_t mode,
			    const void *attr, uint32_t attr_size,
			    uint32_t fdflags)
{
	struct kipc_create c = {
		.type = type,
		.flags = fdflags,
		.name = (uintptr_t)name,
		.name_len = name ? strlen(name) : 0,
		.mode = mode,
		.attr = (uintptr_t)attr,
		.attr_size = attr ? attr_size : 0,
	};
	int err;

	if (name && !*name)
		return -EINVAL;
	err = kipc_dev_ioctl(KIPC_IOC_CREATE, &c);
	return err ? err : (int)c.fd;
}

KIPC_EXPORT int kipc_open(uint32_t type, const char *name, uint32_t fdflags)
{
	struct kipc_open o = {
		.type = type,
		.flags = fdflags,
		.name = (uintptr_t)name,
		.name_len = name ? strlen(name) : 0,
	};
	int err;

	err = kipc_dev_ioctl(KIPC_IOC_OPEN, &o);
	return err ? err : (int)o.fd;
}

KIPC_EXPORT int kipc_open_or_create(uint32_t type, const char *name,
				    uint32_t mode, const void *attr,
				    uint32_t attr_size, uint32_t fdflags)
{
	int fd;

	for (;;) {
		fd = kipc_open(type, name, fdflags);
		if (fd != -ENOENT)
			return fd;
		fd = kipc_create(type, name, mode, attr, attr_size, fdflags);
		if (fd != -EEXIST)
			return fd;
		/* Created by someone else meanwhile: open it. */
	}
}

KIPC_EXPORT int kipc_unlink(uint32_t type, const char *name)
{
	struct kipc_unlink u = {
		.type = type,
		.name = (uintptr_t)name,
		.name_len = name ? strlen(name) : 0,
	};

	return kipc_dev_ioctl(KIPC_IOC_UNLINK, &u);
}

KIPC_EXPORT int kipc_object_info(int fd, struct kipc_object_info *info)
{
	uint64_t name = info->name;
	uint32_t name_size = info->name_size;

	memset(info, 0, sizeof(*info));
	info->name = name;
	info->name_size = name ? name_size : 0;
	return kipc_ioctl(fd, KIPC_IOC_OBJ_INFO, info);
}

KIPC_EXPORT int kipc_reopen(int fd, uint32_t fdflags)
{
	struct kipc_reopen r = { .flags = fdflags };
	int err;

	err = kipc_ioctl(fd, KIPC_IOC_REOPEN, &r);
	return err ? err : (int)r.fd;
}

KIPC_EXPORT int kipc_event_create(const char *name, uint32_t mode,
				  uint32_t evflags, uint32_t fdflags)
{
	struct kipc_event_attr a = { .flags = evflags };

	return kipc_create(KIPC_TYPE_EVENT, name, mode, &a, sizeof(a),
			   fdflags);
}

KIPC_EXPORT int kipc_event_open(const char *name, uint32_t fdflags)
{
	return kipc_open(KIPC_TYPE_EVENT, name, fdflags);
}

KIPC_EXPORT int kipc_event_signal(int fd, uint64_t value)
{
	struct kipc_event_signal s = { .value = value };

	return kipc_ioctl(fd, KIPC_EVENT_IOC_SIGNAL, &s);
}

KIPC_EXPORT int kipc_event_reset(int fd)
{
	return ioctl(fd, KIPC_EVENT_IOC_RESET, 0) < 0 ? -errno : 0;
}

KIPC_EXPORT void kipc_deadline_after(int64_t ns, struct kipc_timespec *ts)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (ns < 0)
		ns = 0;
	ts->tv_sec = now.tv_sec + ns / 1000000000LL;
	ts->tv_nsec = now.tv_nsec + ns % 1000000000LL;
	if (ts->tv_nsec >= 1000000000ULL) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000ULL;
	}
}

static int kipc_event_wait_flags(int fd, uint32_t flags,
				 const struct kipc_timespec *deadline,
				 uint64_t *value)
{
	struct kipc_event_wait w = { .flags = flags };
	int err;

	if (deadline)
		w.deadline = *deadline;
	err = kipc_ioctl(fd, KIPC_EVENT_IOC_WAIT, &w);
	if (!err && value)
		*value = w.value;
	return err;
}

KIPC_EXPORT int kipc_event_wait_until(int fd,
				      const struct kipc_timespec *deadline,
				      uint64_t *value)
{
	return kipc_event_wait_flags(fd, deadline ? KIPC_WAIT_DEADLINE : 0,
				     deadline, value);
}

KIPC_EXPORT int kipc_event_trywait(int fd, uint64_t *value)
{
	return kipc_event_wait_flags(fd, KIPC_WAIT_NONBLOCK, NULL, value);
}

uint32_t kipc_timeout(int64_t timeout_ns, struct kipc_timespec *dl)
{
	memset(dl, 0, sizeof(*dl));
	if (timeout_ns == 0)
		return KIPC_WAIT_NONBLOCK;
	if (timeout_ns < 0)
		return 0;
	kipc_deadline_after(timeout_ns, dl);
	return KIPC_WAIT_DEADLINE;
}

KIPC_EXPORT int kipc_event_wait(int fd, int64_t timeout_ns, uint64_t *value)
{
	struct kipc_timespec dl;
	uint32_t flags = kipc_timeout(timeout_ns, &dl);

	return kipc_event_wait_flags(fd, flags, &dl, value);
}

KIPC_EXPORT int kipc_queue_create(const char *name, uint32_t mode,
				  uint32_t max_msgs, uint32_t max_msg_size,
				  uint32_t fdflags)
{
	struct kipc_queue_attr a = {
		.max_msgs = max_msgs,
		.max_msg_size = max_msg_size,
	};

	return kipc_create(KIPC_TYPE_QUEUE, name, mode, &a, sizeof(a),
			   fdflags);
}

KIPC_EXPORT int kipc_queue_open(const char *name, uint32_t fdflags)
{
	return kipc_open(KIPC_TYPE_QUEUE, name, fdflags);
}

KIPC_EXPORT int kipc_queue_send(int fd, const void *msg, size_t len,
				uint32_t prio, int64_t timeout_ns)
{
	struct kipc_queue_send s = {
		.priority = prio,
		.msg = (uintptr_t)msg,
		.len = len > UINT32_MAX ? UINT32_MAX : len,
	};

	s.flags = kipc_timeout(timeout_ns, &s.deadline);
	return kipc_ioctl(fd, KIPC_QUEUE_IOC_SEND, &s);
}

KIPC_EXPORT long kipc_queue_recv(int fd, void *buf, size_t size,
				 uint32_t *prio, int64_t timeout_ns)
{
	struct kipc_queue_recv r = {
		.buf = (uintptr_t)buf,
		.size = size > UINT32_MAX ? UINT32_MAX : size,
	};
	int err;

	r.flags = kipc_timeout(timeout_ns, &r.deadline);
	err = kipc_ioctl(fd, KIPC_QUEUE_IOC_RECV, &r);
	if (err)
		return err;
	if (prio)
		*prio = r.priority;
	return r.len;
}

KIPC_EXPORT int kipc_queue_info(int fd, struct kipc_queue_info *info)
{
	memset(info, 0, sizeof(*info));
	return kipc_ioctl(fd, KIPC_QUEUE_IOC_INFO, info);
}

KIPC_EXPORT int kipc_queue_notify(int fd, int signo, uint64_t value)
{
	struct kipc_queue_notify n = { .signo = signo, .value = value };

	return kipc_ioctl(fd, KIPC_QUEUE_IOC_NOTIFY, &n);
}

KIPC_EXPORT int kipc_notify(int fd, int signo, uint64_t value, uint32_t flags)
{
	struct kipc_notify n = {
		.flags = flags, .signo = signo, .value = value,
	};

	return kipc_ioctl(fd, KIPC_IOC_NOTIFY, &n);
}

KIPC_EXPORT int kipc_signal_holders(int fd, int signo, uint64_t value,
				    uint32_t *refused)
{
	struct kipc_signal_holders s = { .signo = signo, .value = value };
	int ret = kipc_ioctl(fd, KIPC_IOC_SIGNAL_HOLDERS, &s);

	if (refused)
		*refused = s.refused;
	return ret < 0 ? ret : (int)s.signalled;
}

KIPC_EXPORT int kipc_event_info(int fd, struct kipc_event_info *info)
{
	memset(info, 0, sizeof(*info));
	return kipc_ioctl(fd, KIPC_EVENT_IOC_INFO, info);
}

KIPC_EXPORT const char *kipc_strerror(int err)
{
	return strerror(err < 0 ? -err : err);
}

KIPC_EXPORT int kipc_wait_many(struct kipc_wait_obj *objs, unsigned int n,
			       uint32_t flags, int64_t timeout_ns,
			       unsigned int *index)
{
	struct kipc_wait_many w = {
		.count = n,
		.objs = (uintptr_t)objs,
		.obj_size = sizeof(*objs),
	};
	int err;

	w.flags = flags | kipc_timeout(timeout_ns, &w.deadline);
	err = kipc_dev_ioctl(KIPC_IOC_WAIT_MANY, &w);
	if (index)
		*index = w.index;
	return err;
}
