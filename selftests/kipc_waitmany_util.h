/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the kipc wait-for-many selftests (kipc_waitmany_test.c,
 * kipc_waitmany_wake_test.c, kipc_waitmany_err_test.c,
 * kipc_waitmany_stress_test.c), and the agent: a child that does what it
 * is told, in order.  The mutex helpers (mk_mutex(), map_word()) are those
 * of kipc_mutex_util.h.  Included after kselftest_harness.h.
 */
#ifndef KIPC_WAITMANY_UTIL_H
#define KIPC_WAITMANY_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kipc_test_util.h"
#include "kipc_mutex_util.h"

#define MS		KT_NSEC_PER_MSEC
#define SEC		KT_NSEC_PER_SEC
#define LONG_WAIT	(10 * SEC)
#define OBJSZ		((uint32_t)sizeof(struct kipc_wait_obj))
#define POISON_READY	0xa5a5a5a5U
#define POISON_ERROR	0x5a5a5a5a
#define POISON_VALUE	0xdeadbeefcafef00dULL
#define POISON_INDEX	0xbadU

static inline void wo_set(struct kipc_wait_obj *o, int fd)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
}

/* Objects for @n fds (a list ending at -1 is not needed: @n says). */
static inline void wo_fill(struct kipc_wait_obj *o, const int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		wo_set(&o[i], fds[i]);
}

/*
 * kipc_wait_many() with every output field poisoned first, so that the
 * checks see what the call wrote (input values there must be ignored).
 */
static inline int wm(struct kipc_wait_obj *o, unsigned int n, uint32_t flags,
	      int64_t timeout_ns, unsigned int *index)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		o[i].ready = POISON_READY;
		o[i].error = POISON_ERROR;
		o[i].value = POISON_VALUE;
	}
	if (index)
		*index = POISON_INDEX;
	return kipc_wait_many(o, n, flags, timeout_ns, index);
}

/* Number of objects marked ready. */
static inline unsigned int n_ready(const struct kipc_wait_obj *o, unsigned int n)
{
	unsigned int i, r = 0;

	for (i = 0; i < n; i++)
		r += o[i].ready == 1;
	return r;
}

static inline int ev_new(uint32_t flags)
{
	return kipc_event_create(NULL, 0600, flags, 0);
}

static inline int ev_new_val(uint32_t flags, uint64_t value)
{
	struct kipc_event_attr a;

	memset(&a, 0, sizeof(a));
	a.flags = flags;
	a.value = value;
	return kipc_create(KIPC_TYPE_EVENT, NULL, 0600, &a, sizeof(a), 0);
}

/* 1 if the event is set, 0 if not, -errno. */
static inline int ev_is_set(int fd)
{
	struct kipc_event_info in;
	int err = kipc_event_info(fd, &in);

	return err ? err : !!(in.state & KIPC_EVENT_SET);
}

static inline int sem_new(uint32_t value)
{
	return kipc_sem_create(NULL, 0600, value, 0, 0);
}

/* The value now, or a negative errno. */
static inline long sem_val(int fd)
{
	struct kipc_sem_info in;
	int err = kipc_sem_info(fd, &in);

	return err ? err : (long)in.value;
}

static inline uint64_t *map_sem(int fd)
{
	void *p = mmap(NULL, KIPC_SEM_MAP_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline int mx_info(int fd, struct kipc_mutex_info *in)
{
	return kipc_mutex_info(fd, in);
}

/* The owner's tid (0: unlocked), or UINT32_MAX on error. */
static inline uint32_t mx_owner(int fd)
{
	struct kipc_mutex_info in;

	return mx_info(fd, &in) ? UINT32_MAX : in.owner_tid;
}

/*
 * A mutex that is not recoverable: a child locks it and is killed, the
 * test takes it with EOWNERDEAD and unlocks without making it consistent.
 */
static inline int make_notrecoverable(int fd, struct kipc_mutex *h)
{
	pid_t pid = kt_fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (kipc_mutex_lock(h, 0))
			_exit(1);
		for (;;)
			pause();
	}
	while (mx_owner(fd) == 0)
		kt_sleep_ms(1);
	kill(pid, SIGKILL);
	if (kt_reap(pid, KT_CHILD_TIMEOUT_MS) != 256 + SIGKILL)
		return -ECHILD;
	if (kipc_mutex_lock(h, 0) != -EOWNERDEAD)
		return -EIO;
	if (kipc_mutex_unlock(h))
		return -EIO;
	return kipc_mutex_lock(h, 0) == -ENOTRECOVERABLE ? 0 : -EIO;
}

enum {
	AG_LOCK = 1,		/* kipc_mutex_lock(m), the fast path */
	AG_UNLOCK,		/* kipc_mutex_unlock(m), the fast path */
	AG_SIGNAL,		/* kipc_event_signal(fd, value) */
	AG_POST,		/* kipc_sem_post(s, 1), the fast path */
	AG_KILL_PARENT,		/* kill(parent, value) */
	AG_WAIT_HITS,		/* until shared hits >= value */
	AG_DIE,			/* SIGKILL itself */
};

struct agent_cmd {
	int op;
	int after_sleep;	/* act only once the parent sleeps */
	int fd;
	int pad;
	struct kipc_mutex *m;
	struct kipc_sem *s;
	uint32_t *word;		/* a mutex word to record before acting */
	uint64_t *sword;	/* a semaphore word to record before acting */
	uint64_t value;
};

/* Shared between the test and its children. */
struct shared {
	int64_t t_act;		/* when the agent acted last */
	uint32_t word;		/* the mutex word it saw before */
	uint32_t pad;
	uint64_t sword;		/* the semaphore word it saw before */
	int hits;		/* signal handler runs in the test */
	int pad2;
	int64_t t_exit;		/* when a thread exited holding a mutex */
};

struct agent {
	pid_t pid;
	int cmd[2];
	int rep[2];
};

static struct shared *g_sh;

static inline void agent_loop(struct agent *a, pid_t parent)
{
	struct agent_cmd c;
	int ret;

	for (;;) {
		if (read(a->cmd[0], &c, sizeof(c)) != sizeof(c))
			_exit(0);
		if (c.after_sleep &&
		    kt_wait_sleeping(parent, KT_CHILD_TIMEOUT_MS)) {
			kt_report(a->rep[1], c.op, -ETIMEDOUT, 0);
			continue;
		}
		if (c.word)
			g_sh->word = __atomic_load_n(c.word, __ATOMIC_SEQ_CST);
		if (c.sword)
			g_sh->sword = __atomic_load_n(c.sword, __ATOMIC_SEQ_CST);
		__atomic_store_n(&g_sh->t_act, kt_now_ns(), __ATOMIC_SEQ_CST);
		switch (c.op) {
		case AG_LOCK:
			ret = kipc_mutex_lock(c.m, KT_CHILD_TIMEOUT_MS * MS);
			break;
		case AG_UNLOCK:
			ret = kipc_mutex_unlock(c.m);
			break;
		case AG_SIGNAL:
			ret = kipc_event_signal(c.fd, c.value);
			break;
		case AG_POST:
			ret = kipc_sem_post(c.s, 1, 0);
			break;
		case AG_KILL_PARENT:
			ret = kill(parent, (int)c.value) ? -errno : 0;
			break;
		case AG_WAIT_HITS: {
			int64_t end = kt_now_ns() + KT_CHILD_TIMEOUT_MS * MS;

			ret = 0;
			while (__atomic_load_n(&g_sh->hits, __ATOMIC_SEQ_CST) <
			       (int)c.value) {
				if (kt_now_ns() > end) {
					ret = -ETIMEDOUT;
					break;
				}
				kt_sleep_ms(1);
			}
			break;
		}
		case AG_DIE:
			kill(getpid(), SIGKILL);
			for (;;)
				pause();
		default:
			ret = -EINVAL;
		}
		kt_report(a->rep[1], c.op, ret, 0);
	}
}

static inline int agent_start(struct agent *a)
{
	pid_t parent = getpid();

	if (pipe(a->cmd) || pipe(a->rep))
		return -errno;
	a->pid = kt_fork();
	if (a->pid < 0)
		return -errno;
	if (a->pid == 0)
		agent_loop(a, parent);
	return 0;
}

static inline int agent_send(struct agent *a, int op, int after_sleep,
		      const struct agent_cmd *args)
{
	struct agent_cmd c;

	if (args)
		c = *args;
	else
		memset(&c, 0, sizeof(c));
	c.op = op;
	c.after_sleep = after_sleep;
	return write(a->cmd[1], &c, sizeof(c)) == sizeof(c) ? 0 : -EIO;
}

/* The agent's result for its next command, or -ETIME if none came. */
static inline int agent_result(struct agent *a)
{
	struct kt_report r;

	if (kt_read_report(a->rep[0], &r, KT_CHILD_TIMEOUT_MS) != 1)
		return -ETIME;
	return r.ret;
}

static inline int agent_lock(struct agent *a, struct kipc_mutex *m)
{
	struct agent_cmd c = { .m = m };
	int err = agent_send(a, AG_LOCK, 0, &c);

	return err ? err : agent_result(a);
}

/*
 * Map the state shared with the agent (g_sh), start agent @a and have it
 * lock mutex @h: the test fails if any of it cannot be done.
 */
#define START_AGENT_HOLDING(a, h) do {					\
	g_sh = kt_shared_map(sizeof(*g_sh));				\
	ASSERT_NE(NULL, g_sh);						\
	ASSERT_EQ(0, agent_start(a));					\
	ASSERT_EQ(0, agent_lock(a, h));					\
} while (0)

/* Check nothing was taken from {set event, sem 1, unlocked mutex}. */
#define EXPECT_UNTOUCHED(ev, s, mfd)				\
	do {							\
		EXPECT_EQ(1, ev_is_set(ev));			\
		EXPECT_EQ(1, sem_val(s));			\
		EXPECT_EQ(0U, mx_owner(mfd));			\
	} while (0)

#endif /* KIPC_WAITMANY_UTIL_H */
