// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc semaphores.  A struct kipc_sem maps the semaphore's state word
 * and posts and takes units with compare-and-swap while no task is queued
 * in the kernel (the word's high half is 0), as uapi/linux/kipc.h
 * describes; it enters the kernel only to sleep, to wake waiters, for
 * undo, and when the swap cannot be done or the word is impossible (a
 * value above the maximum: garbage, which the kernel repairs).  Posts
 * without flags and waits without flags or timeout enter it with write(2)
 * and read(2), where the module takes them (KIPC_FEATURE_SEM_RW): one
 * plain call, no struct to copy in and out, the cheapest way into the
 * kernel.
 *
 * The mapping is MAP_SHARED and the word is safe to share, so a handle
 * stays valid in a child after fork(): no fork handler is needed.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

struct kipc_sem {
	int fd;
	uint32_t max;
	bool rw;		/* read(2)/write(2) work on the fd */
	__u64 *state;		/* NULL: everything through the kernel */
};

/* Whether the module takes read(2)/write(2) on semaphores; asked once. */
static bool kipc_sem_rw(void)
{
	static atomic_int known = -1;
	int rw = atomic_load_explicit(&known, memory_order_relaxed);
	struct kipc_version v;

	if (rw < 0) {
		rw = !kipc_version(&v) && (v.features & KIPC_FEATURE_SEM_RW);
		atomic_store_explicit(&known, rw, memory_order_relaxed);
	}
	return rw;
}

KIPC_EXPORT int kipc_sem_create(const char *name, uint32_t mode,
				uint32_t value, uint32_t max, uint32_t fdflags)
{
	struct kipc_sem_attr a = {
		.value = value,
		.max = max,
	};

	return kipc_create(KIPC_TYPE_SEMAPHORE, name, mode, &a, sizeof(a),
			   fdflags);
}

KIPC_EXPORT int kipc_sem_open(const char *name, uint32_t fdflags)
{
	return kipc_open(KIPC_TYPE_SEMAPHORE, name, fdflags);
}

KIPC_EXPORT int kipc_sem_info(int fd, struct kipc_sem_info *info)
{
	memset(info, 0, sizeof(*info));
	return kipc_ioctl(fd, KIPC_SEM_IOC_INFO, info);
}

KIPC_EXPORT int kipc_sem_attach(int fd, struct kipc_sem **out)
{
	struct kipc_sem_info in;
	struct kipc_sem *sem;
	void *map;
	int err;

	err = kipc_sem_info(fd, &in);
	if (err)
		return err;
	sem = calloc(1, sizeof(*sem));
	if (!sem)
		return -ENOMEM;
	sem->fd = fd;
	sem->max = in.max;
	sem->rw = kipc_sem_rw();
	/* Read-only or write-only fds cannot map writable: kernel path. */
	map = mmap(NULL, KIPC_SEM_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	if (map != MAP_FAILED)
		sem->state = &((struct kipc_sem_shared *)map)->state;
	*out = sem;
	return 0;
}

KIPC_EXPORT void kipc_sem_detach(struct kipc_sem *sem)
{
	if (!sem)
		return;
	if (sem->state)
		munmap(sem->state, KIPC_SEM_MAP_SIZE);
	free(sem);
}

static int kipc_sem_op(int fd, unsigned long cmd, uint32_t flags,
		       uint32_t count, const struct kipc_timespec *dl)
{
	struct kipc_sem_op op;

	memset(&op, 0, sizeof(op));
	op.flags = flags;
	op.count = count;
	if (dl)
		op.deadline = *dl;
	return kipc_ioctl(fd, cmd, &op);
}

KIPC_EXPORT int kipc_sem_post(struct kipc_sem *sem, uint32_t count,
			      uint32_t flags)
{
	__u64 old;
	uint32_t v;

	if (sem->state && !flags && count && count <= KIPC_SEM_VALUE_MAX) {
		old = __atomic_load_n(sem->state, __ATOMIC_RELAXED);
		for (;;) {
			v = KIPC_SEM_STATE_VALUE(old);
			/* Waiters, overflow or garbage: the kernel says. */
			if (KIPC_SEM_STATE_WAITERS(old) || v > sem->max ||
			    count > sem->max - v)
				break;
			if (__atomic_compare_exchange_n(sem->state, &old,
							(__u64)(v + count),
							0, __ATOMIC_RELEASE,
							__ATOMIC_RELAXED))
				return 0;
		}
	}
	if (sem->rw && !flags) {
		uint64_t n = count;

		return write(sem->fd, &n, sizeof(n)) < 0 ? -errno : 0;
	}
	return kipc_sem_op(sem->fd, KIPC_SEM_IOC_POST, flags, count, NULL);
}

KIPC_EXPORT int kipc_sem_wait(struct kipc_sem *sem, int64_t timeout_ns,
			      uint32_t flags)
{
	struct kipc_timespec dl;
	__u64 old;
	uint32_t wflags;

	if (sem->state && !flags) {
		old = __atomic_load_n(sem->state, __ATOMIC_RELAXED);
		/* Above max is garbage: the kernel repairs it, not us. */
		while (!KIPC_SEM_STATE_WAITERS(old) &&
		       KIPC_SEM_STATE_VALUE(old) &&
		       KIPC_SEM_STATE_VALUE(old) <= sem->max) {
			if (__atomic_compare_exchange_n(sem->state, &old,
							old - 1, 0,
							__ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED))
				return 0;
		}
	}
	if (sem->rw && !flags && timeout_ns < 0) {
		uint64_t v;

		return read(sem->fd, &v, sizeof(v)) < 0 ? -errno : 0;
	}
	wflags = kipc_timeout(timeout_ns, &dl);
	return kipc_sem_op(sem->fd, KIPC_SEM_IOC_WAIT, wflags | flags, 1, &dl);
}
