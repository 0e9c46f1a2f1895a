// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc: robust process-shared mutexes and condition variables.
 *
 * A handle maps the mutex's word.  Locking swaps it from 0 to the caller's
 * thread id, unlocking from the thread id back to 0; when a swap fails
 * (contended, recursive, owner died, not recoverable) the kernel decides.
 * The thread id is cached per thread and forgotten in a fork()ed child.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

struct kipc_mutex {
	int fd;
	uint32_t flags;
	uint32_t *word;
};

static __thread uint32_t kipc_cached_tid;

static void kipc_mutex_atfork_child(void)
{
	kipc_cached_tid = 0;
}

__attribute__((constructor)) static void kipc_mutex_init(void)
{
	pthread_atfork(NULL, NULL, kipc_mutex_atfork_child);
}

static uint32_t kipc_tid(void)
{
	if (!kipc_cached_tid)
		kipc_cached_tid = (uint32_t)syscall(SYS_gettid);
	return kipc_cached_tid;
}

KIPC_EXPORT int kipc_mutex_create(const char *name, uint32_t mode,
				  uint32_t flags, uint32_t fdflags)
{
	struct kipc_mutex_attr a = { .flags = flags };

	return kipc_create(KIPC_TYPE_MUTEX, name, mode, &a, sizeof(a),
			   fdflags);
}

KIPC_EXPORT int kipc_mutex_open(const char *name, uint32_t fdflags)
{
	return kipc_open(KIPC_TYPE_MUTEX, name, fdflags);
}

KIPC_EXPORT int kipc_mutex_info(int fd, struct kipc_mutex_info *info)
{
	memset(info, 0, sizeof(*info));
	return kipc_ioctl(fd, KIPC_MUTEX_IOC_INFO, info);
}

KIPC_EXPORT int kipc_mutex_attach(int fd, struct kipc_mutex **out)
{
	struct kipc_mutex_info in;
	struct kipc_mutex *m;
	void *p;
	int err;

	err = kipc_mutex_info(fd, &in);
	if (err)
		return err;
	m = malloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	p = mmap(NULL, KIPC_MUTEX_MAP_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		free(m);
		return err;
	}
	m->fd = fd;
	m->flags = in.flags;
	m->word = p;
	*out = m;
	return 0;
}

KIPC_EXPORT void kipc_mutex_detach(struct kipc_mutex *m)
{
	if (!m)
		return;
	munmap(m->word, KIPC_MUTEX_MAP_SIZE);
	free(m);
}

KIPC_EXPORT int kipc_mutex_lock(struct kipc_mutex *m, int64_t timeout_ns)
{
	struct kipc_mutex_lock l;
	uint32_t expected = 0;

	if (!(m->flags & KIPC_MUTEX_RECURSIVE) &&
	    __atomic_compare_exchange_n(m->word, &expected, kipc_tid(), false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return 0;
	memset(&l, 0, sizeof(l));
	l.flags = kipc_timeout(timeout_ns, &l.deadline);
	return kipc_ioctl(m->fd, KIPC_MUTEX_IOC_LOCK, &l);
}

KIPC_EXPORT int kipc_mutex_unlock(struct kipc_mutex *m)
{
	uint32_t expected = kipc_tid();

	if (__atomic_compare_exchange_n(m->word, &expected, 0, false,
					__ATOMIC_RELEASE, __ATOMIC_RELAXED))
		return 0;
	return kipc_ioctl(m->fd, KIPC_MUTEX_IOC_UNLOCK, NULL);
}

KIPC_EXPORT int kipc_mutex_consistent(struct kipc_mutex *m)
{
	return kipc_ioctl(m->fd, KIPC_MUTEX_IOC_CONSISTENT, NULL);
}

KIPC_EXPORT int kipc_cond_create(const char *name, uint32_t mode,
				 uint32_t fdflags)
{
	return kipc_create(KIPC_TYPE_COND, name, mode, NULL, 0, fdflags);
}

KIPC_EXPORT int kipc_cond_open(const char *name, uint32_t fdflags)
{
	return kipc_open(KIPC_TYPE_COND, name, fdflags);
}

KIPC_EXPORT int kipc_cond_wait(int cond, struct kipc_mutex *m,
			       int64_t timeout_ns)
{
	struct kipc_cond_wait w;

	memset(&w, 0, sizeof(w));
	w.mutex_fd = (uint32_t)m->fd;
	w.flags = kipc_timeout(timeout_ns, &w.deadline);
	if (w.flags & KIPC_WAIT_NONBLOCK) {
		/* 0: release, re-acquire and report ETIMEDOUT. */
		w.flags = KIPC_WAIT_DEADLINE;
		kipc_deadline_after(0, &w.deadline);
	}
	return kipc_ioctl(cond, KIPC_COND_IOC_WAIT, &w);
}

KIPC_EXPORT int kipc_cond_signal(int cond, int broadcast)
{
	struct kipc_cond_signal s;
	int err;

	memset(&s, 0, sizeof(s));
	s.flags = broadcast ? KIPC_COND_BROADCAST : 0;
	err = kipc_ioctl(cond, KIPC_COND_IOC_SIGNAL, &s);
	return err ? err : (int)s.woken;
}
