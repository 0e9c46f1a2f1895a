// SPDX-License-Identifier: GPL-2.0
/*
 * kipc wait-for-many selftests (KIPC_IOC_WAIT_MANY, kipc_wait_many()):
 * what a wait takes from each kind of object in any-mode and all-mode,
 * array order, all-or-nothing, wake-ups across processes (events,
 * semaphores posted and mutexes unlocked through the user-space fast
 * paths), the objects' own FIFO waiters served first, dead mutex owners
 * (killed processes and exited threads), every error with checks that
 * nothing changed, signals (EINTR and SA_RESTART), poll/epoll on mutex
 * fds, and multi-process stress in both modes that counts every unit.
 *
 * A child that acts "once the parent sleeps" waits until the parent is in
 * interruptible sleep ('S' in /proc), which it only reaches inside the
 * wait under test; if it acts earlier the test still holds, it only does
 * not exercise the wake-up.  Every blocking call has a deadline, and the
 * teardown kills the children, so a broken module fails a test instead of
 * hanging the suite.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

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

#include "kselftest_harness.h"
#include "kipc_test_util.h"

#define MS		KT_NSEC_PER_MSEC
#define SEC		KT_NSEC_PER_SEC
#define LONG_WAIT	(10 * SEC)
#define OBJSZ		((uint32_t)sizeof(struct kipc_wait_obj))
#define POISON_READY	0xa5a5a5a5U
#define POISON_ERROR	0x5a5a5a5a
#define POISON_VALUE	0xdeadbeefcafef00dULL
#define POISON_INDEX	0xbadU

KT_FIXTURE()

/* ---- helpers ---------------------------------------------------------------- */

static uint32_t my_tid(void)
{
	return (uint32_t)syscall(SYS_gettid);
}

static void wo_set(struct kipc_wait_obj *o, int fd)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
}

/* Objects for @n fds (a list ending at -1 is not needed: @n says). */
static void wo_fill(struct kipc_wait_obj *o, const int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		wo_set(&o[i], fds[i]);
}

/*
 * kipc_wait_many() with every output field poisoned first, so that the
 * checks see what the call wrote (input values there must be ignored).
 */
static int wm(struct kipc_wait_obj *o, unsigned int n, uint32_t flags,
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

static void wmh_init(struct kipc_wait_many *h, const void *objs,
		     uint32_t count, uint32_t obj_size, uint32_t flags)
{
	memset(h, 0, sizeof(*h));
	h->flags = flags;
	h->count = count;
	h->objs = (uintptr_t)objs;
	h->obj_size = obj_size;
	h->index = POISON_INDEX;
}

static int wm_raw(struct kipc_wait_many *h)
{
	return kt_dev_ioctl(KIPC_IOC_WAIT_MANY, h);
}

/* Number of objects marked ready. */
static unsigned int n_ready(const struct kipc_wait_obj *o, unsigned int n)
{
	unsigned int i, r = 0;

	for (i = 0; i < n; i++)
		r += o[i].ready == 1;
	return r;
}

static int ev_new(uint32_t flags)
{
	return kipc_event_create(NULL, 0600, flags, 0);
}

static int ev_new_val(uint32_t flags, uint64_t value)
{
	struct kipc_event_attr a;

	memset(&a, 0, sizeof(a));
	a.flags = flags;
	a.value = value;
	return kipc_create(KIPC_TYPE_EVENT, NULL, 0600, &a, sizeof(a), 0);
}

/* 1 if the event is set, 0 if not, -errno. */
static int ev_is_set(int fd)
{
	struct kipc_event_info in;
	int err = kipc_event_info(fd, &in);

	return err ? err : !!(in.state & KIPC_EVENT_SET);
}

static int sem_new(uint32_t value)
{
	return kipc_sem_create(NULL, 0600, value, 0, 0);
}

/* The value now, or a negative errno. */
static long sem_val(int fd)
{
	struct kipc_sem_info in;
	int err = kipc_sem_info(fd, &in);

	return err ? err : (long)in.value;
}

static uint64_t *map_sem(int fd)
{
	void *p = mmap(NULL, KIPC_SEM_MAP_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int mx_new(uint32_t flags, struct kipc_mutex **h)
{
	int fd = kipc_mutex_create(NULL, 0600, flags, 0);

	if (fd < 0)
		return fd;
	if (h && kipc_mutex_attach(fd, h)) {
		close(fd);
		return -EIO;
	}
	return fd;
}

static int mx_info(int fd, struct kipc_mutex_info *in)
{
	return kipc_mutex_info(fd, in);
}

/* The owner's tid (0: unlocked), or UINT32_MAX on error. */
static uint32_t mx_owner(int fd)
{
	struct kipc_mutex_info in;

	return mx_info(fd, &in) ? UINT32_MAX : in.owner_tid;
}

static uint32_t *map_word(int fd)
{
	void *p = mmap(NULL, KIPC_MUTEX_MAP_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Run on @cpu only, if there is such a CPU; best effort. */
static void pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu >= sysconf(_SC_NPROCESSORS_ONLN))
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *shm_new(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0, size);
	return p;
}

static int64_t cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * SEC + ts.tv_nsec;
}

/*
 * A mutex that is not recoverable: a child locks it and is killed, the
 * test takes it with EOWNERDEAD and unlocks without making it consistent.
 */
static int make_notrecoverable(int fd, struct kipc_mutex *h)
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

/* ---- the agent: a child that does what it is told, in order --------------- */

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

static void agent_loop(struct agent *a, pid_t parent)
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

static int agent_start(struct agent *a)
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

static int agent_send(struct agent *a, int op, int after_sleep,
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
static int agent_result(struct agent *a)
{
	struct kt_report r;

	if (kt_read_report(a->rep[0], &r, KT_CHILD_TIMEOUT_MS) != 1)
		return -ETIME;
	return r.ret;
}

static int agent_lock(struct agent *a, struct kipc_mutex *m)
{
	struct agent_cmd c = { .m = m };
	int err = agent_send(a, AG_LOCK, 0, &c);

	return err ? err : agent_result(a);
}

/* ---- any: what is taken from each kind ------------------------------------- */

TEST_F(kipc, any_event_auto_reset_consumed)
{
	struct kipc_event_info in;
	struct kipc_wait_obj o[1];
	unsigned int idx;
	int fd = ev_new_val(KIPC_EVENT_SET, 0x1234);

	ASSERT_LE(0, fd);
	wo_set(&o[0], fd);
	ASSERT_EQ(0, wm(o, 1, 0, 0, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(1U, o[0].ready);
	EXPECT_EQ(0, o[0].error);
	EXPECT_EQ(0x1234ULL, o[0].value);
	EXPECT_EQ(0, ev_is_set(fd));
	/* Consumed: nothing more to take. */
	EXPECT_EQ(-EAGAIN, wm(o, 1, 0, 0, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(-ETIMEDOUT, wm(o, 1, 0, 20 * MS, &idx));
	/* A new signal, taken by a wait with a timeout (and by no other). */
	ASSERT_EQ(0, kipc_event_signal(fd, 99));
	ASSERT_EQ(0, wm(o, 1, 0, LONG_WAIT, &idx));
	EXPECT_EQ(99ULL, o[0].value);
	EXPECT_EQ(0, ev_is_set(fd));
	EXPECT_EQ(-EAGAIN, wm(o, 1, 0, 0, &idx));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(2ULL, in.wakeups);
	EXPECT_EQ(0U, in.waiters);
}

TEST_F(kipc, any_event_manual_reset_stays_set)
{
	struct kipc_wait_obj o[1];
	unsigned int idx;
	int fd = ev_new(KIPC_EVENT_MANUAL_RESET), i;

	ASSERT_LE(0, fd);
	wo_set(&o[0], fd);
	EXPECT_EQ(-EAGAIN, wm(o, 1, 0, 0, &idx));
	ASSERT_EQ(0, kipc_event_signal(fd, 42));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, wm(o, 1, 0, LONG_WAIT, &idx));
		EXPECT_EQ(0U, idx);
		EXPECT_EQ(1U, o[0].ready);
		EXPECT_EQ(42ULL, o[0].value);
		EXPECT_EQ(1, ev_is_set(fd));
	}
	ASSERT_EQ(0, kipc_event_reset(fd));
	EXPECT_EQ(-EAGAIN, wm(o, 1, 0, 0, &idx));
}

TEST_F(kipc, any_sem_takes_one_unit)
{
	struct kipc_sem_info in;
	struct kipc_wait_obj o[1];
	unsigned int idx;
	int fd = sem_new(3);
	uint32_t want;

	ASSERT_LE(0, fd);
	wo_set(&o[0], fd);
	for (want = 2; want != UINT32_MAX; want--) {
		ASSERT_EQ(0, wm(o, 1, 0, 0, &idx));
		EXPECT_EQ(0U, idx);
		EXPECT_EQ(1U, o[0].ready);
		EXPECT_EQ(0, o[0].error);
		EXPECT_EQ((uint64_t)want, o[0].value);
		EXPECT_EQ((long)want, sem_val(fd));
	}
	EXPECT_EQ(-EAGAIN, wm(o, 1, 0, 0, &idx));
	EXPECT_EQ(0, sem_val(fd));
	ASSERT_EQ(0, kipc_sem_info(fd, &in));
	EXPECT_EQ(3ULL, in.waits);
	EXPECT_EQ(0U, in.waiters);
}

/* The fast path works again after a wait for many left the word. */
TEST_F(kipc, any_sem_fast_path_after_wait)
{
	struct kipc_wait_obj o[1];
	struct kipc_sem *h;
	uint64_t *w;
	int fd = sem_new(2);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_sem_attach(fd, &h));
	w = map_sem(fd);
	ASSERT_NE(NULL, w);
	wo_set(&o[0], fd);
	ASSERT_EQ(0, wm(o, 1, 0, 0, NULL));
	EXPECT_EQ(1ULL, *w);	/* value 1, nobody queued or armed */
	EXPECT_EQ(0, kipc_sem_wait(h, 0, 0));
	EXPECT_EQ(0ULL, *w);
	/* A failed wait leaves the word armed for a kernel post... */
	EXPECT_EQ(-EAGAIN, wm(o, 1, 0, 0, NULL));
	EXPECT_EQ(0, kipc_sem_post(h, 2, 0));
	EXPECT_EQ(2, sem_val(fd));
	/* ...which disarms it. */
	EXPECT_EQ(2ULL, *w);
	kipc_sem_detach(h);
	munmap(w, KIPC_SEM_MAP_SIZE);
}

static void *trylock_thread(void *arg)
{
	return (void *)(intptr_t)kipc_mutex_lock(arg, 0);
}

TEST_F(kipc, any_mutex_taken_for_caller)
{
	struct kipc_mutex_info in;
	struct kipc_wait_obj o[1];
	struct kipc_mutex *h;
	unsigned int idx;
	pthread_t th;
	void *tret;
	uint32_t *w;
	int fd = mx_new(0, &h);

	ASSERT_LE(0, fd);
	w = map_word(fd);
	ASSERT_NE(NULL, w);
	wo_set(&o[0], fd);
	ASSERT_EQ(0, wm(o, 1, 0, LONG_WAIT, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(1U, o[0].ready);
	EXPECT_EQ(0, o[0].error);
	EXPECT_EQ(0ULL, o[0].value);
	ASSERT_EQ(0, mx_info(fd, &in));
	EXPECT_EQ(my_tid(), in.owner_tid);
	EXPECT_EQ((uint32_t)getpid(), in.owner_pid);
	EXPECT_EQ(1U, in.depth);
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_OK, in.state);
	/* The word names the caller, with no flag: fast unlock works. */
	EXPECT_EQ(my_tid(), *w);
	/* Another thread cannot have it. */
	ASSERT_EQ(0, pthread_create(&th, NULL, trylock_thread, h));
	ASSERT_EQ(0, pthread_join(th, &tret));
	EXPECT_EQ(-EBUSY, (int)(intptr_t)tret);
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	EXPECT_EQ(0U, *w);
	EXPECT_EQ(0U, mx_owner(fd));
	EXPECT_EQ(-EPERM, kipc_mutex_unlock(h));
	/* And it can be taken again, by the fast path or another wait. */
	EXPECT_EQ(0, kipc_mutex_lock(h, 0));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	ASSERT_EQ(0, wm(o, 1, 0, 0, &idx));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
	munmap(w, KIPC_MUTEX_MAP_SIZE);
}

TEST_F(kipc, any_mutex_recursive_depth)
{
	struct kipc_mutex_info in;
	struct kipc_wait_obj o[1];
	struct kipc_mutex *h;
	unsigned int idx;
	int fd = mx_new(KIPC_MUTEX_RECURSIVE, &h), i;

	ASSERT_LE(0, fd);
	wo_set(&o[0], fd);
	/* Unlocked: depth 1. */
	ASSERT_EQ(0, wm(o, 1, 0, 0, &idx));
	ASSERT_EQ(0, mx_info(fd, &in));
	EXPECT_EQ(my_tid(), in.owner_tid);
	EXPECT_EQ(1U, in.depth);
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	EXPECT_EQ(0U, mx_owner(fd));

	/* Held by the caller: depth + 1 each time. */
	ASSERT_EQ(0, kipc_mutex_lock(h, 0));
	for (i = 2; i <= 4; i++) {
		ASSERT_EQ(0, wm(o, 1, 0, LONG_WAIT, &idx));
		EXPECT_EQ(1U, o[0].ready);
		EXPECT_EQ(0, o[0].error);
		ASSERT_EQ(0, mx_info(fd, &in));
		EXPECT_EQ((uint32_t)i, in.depth);
		EXPECT_EQ(my_tid(), in.owner_tid);
	}
	for (i = 4; i >= 1; i--) {
		ASSERT_EQ(0, mx_info(fd, &in));
		EXPECT_EQ((uint32_t)i, in.depth);
		ASSERT_EQ(0, kipc_mutex_unlock(h));
	}
	EXPECT_EQ(0U, mx_owner(fd));
	EXPECT_EQ(-EPERM, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

TEST_F(kipc, any_queue_pipe_channel_readiness)
{
	struct kipc_queue_info qi;
	struct kipc_pipe_info pi;
	struct kipc_wait_obj o[3];
	int q, p[2], ch[2], fds[3];
	unsigned int idx;
	char buf[64];
	size_t len;

	q = kipc_queue_create(NULL, 0600, 4, 64, 0);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, kipc_pipe(p, 0, 0));
	ASSERT_EQ(0, kipc_channel_pair(ch, NULL, 0));

	/* Nothing to read anywhere. */
	fds[0] = q;
	fds[1] = p[0];
	fds[2] = ch[0];
	wo_fill(o, fds, 3);
	EXPECT_EQ(-EAGAIN, wm(o, 3, 0, 0, &idx));
	EXPECT_EQ(-ETIMEDOUT, wm(o, 3, 0, 20 * MS, &idx));

	/* A queue with a message: ready, the message stays. */
	ASSERT_EQ(0, kipc_queue_send(q, "hello", 5, 3, 0));
	ASSERT_EQ(0, wm(o, 1, 0, 0, &idx));
	EXPECT_EQ(1U, o[0].ready);
	EXPECT_EQ(0ULL, o[0].value);
	ASSERT_EQ(0, wm(o, 1, 0, 0, &idx));
	ASSERT_EQ(0, kipc_queue_info(q, &qi));
	EXPECT_EQ(1U, qi.msgs);
	EXPECT_EQ(0ULL, qi.received);

	/* A pipe with bytes. */
	ASSERT_EQ(3, write(p[1], "abc", 3));
	ASSERT_EQ(0, wm(&o[1], 1, 0, 0, &idx));
	EXPECT_EQ(1U, o[1].ready);
	ASSERT_EQ(0, kipc_pipe_info(p[0], &pi));
	EXPECT_EQ(3U, pi.used);

	/* A channel with a message from the other end. */
	ASSERT_EQ(0, kipc_channel_send(ch[1], "xy", 2, 0));
	ASSERT_EQ(0, wm(&o[2], 1, 0, 0, &idx));
	EXPECT_EQ(1U, o[2].ready);

	/* All three ready: the lowest index, and only it, is reported. */
	ASSERT_EQ(0, wm(o, 3, 0, 0, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(1U, o[0].ready);
	EXPECT_EQ(0U, o[1].ready);
	EXPECT_EQ(0U, o[2].ready);

	/* Everything is still there to read. */
	EXPECT_EQ(5, kipc_queue_recv(q, buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	ASSERT_EQ(0, wm(o, 3, 0, 0, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(3, read(p[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	ASSERT_EQ(0, wm(o, 3, 0, 0, &idx));
	EXPECT_EQ(2U, idx);
	EXPECT_EQ(1, kipc_channel_recv(ch[0], buf, sizeof(buf), &len, 0));
	EXPECT_EQ(2U, len);
	EXPECT_EQ(0, memcmp(buf, "xy", 2));
	EXPECT_EQ(-EAGAIN, wm(o, 3, 0, 0, &idx));
}

TEST_F(kipc, any_lowest_index_taken_only)
{
	struct kipc_wait_obj o[5];
	struct kipc_mutex *h;
	unsigned int idx, i;
	int fds[5];

	fds[0] = ev_new(0);			/* not set */
	fds[1] = sem_new(1);
	fds[2] = ev_new_val(KIPC_EVENT_SET, 5);
	fds[3] = mx_new(0, &h);
	fds[4] = sem_new(2);
	for (i = 0; i < 5; i++) {
		ASSERT_LE(0, fds[i]);
	}
	wo_fill(o, fds, 5);

	ASSERT_EQ(0, wm(o, 5, 0, 0, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(1U, n_ready(o, 5));
	EXPECT_EQ(1U, o[1].ready);
	EXPECT_EQ(0ULL, o[1].value);
	for (i = 0; i < 5; i++) {
		if (i == 1)
			continue;
		/* Not taken: cleared, not left as they came in. */
		EXPECT_EQ(0U, o[i].ready);
		EXPECT_EQ(0, o[i].error);
		EXPECT_EQ(0ULL, o[i].value);
	}
	EXPECT_EQ(0, sem_val(fds[1]));
	EXPECT_EQ(1, ev_is_set(fds[2]));
	EXPECT_EQ(0U, mx_owner(fds[3]));
	EXPECT_EQ(2, sem_val(fds[4]));

	ASSERT_EQ(0, wm(o, 5, 0, 0, &idx));
	EXPECT_EQ(2U, idx);
	EXPECT_EQ(1U, n_ready(o, 5));
	EXPECT_EQ(5ULL, o[2].value);
	EXPECT_EQ(0, ev_is_set(fds[2]));
	EXPECT_EQ(0U, mx_owner(fds[3]));
	EXPECT_EQ(2, sem_val(fds[4]));

	ASSERT_EQ(0, wm(o, 5, 0, 0, &idx));
	EXPECT_EQ(3U, idx);
	EXPECT_EQ(1U, n_ready(o, 5));
	EXPECT_EQ(my_tid(), mx_owner(fds[3]));
	EXPECT_EQ(2, sem_val(fds[4]));

	/* The mutex, held now, ends the wait before the semaphore. */
	EXPECT_EQ(-EDEADLK, wm(o, 5, 0, LONG_WAIT, &idx));
	EXPECT_EQ(3U, idx);
	EXPECT_EQ(2, sem_val(fds[4]));

	/* Without it, the semaphore is next. */
	ASSERT_EQ(0, wm(&o[4], 1, 0, 0, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(1ULL, o[4].value);
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

/* ---- all ---------------------------------------------------------------------- */

TEST_F(kipc, all_takes_every_object)
{
	struct kipc_mutex_info in;
	struct kipc_wait_obj o[5];
	struct kipc_mutex *h;
	unsigned int idx, i;
	int fds[5];

	fds[0] = ev_new_val(KIPC_EVENT_SET, 9);
	fds[1] = sem_new(2);
	fds[2] = mx_new(0, &h);
	fds[3] = ev_new_val(KIPC_EVENT_SET | KIPC_EVENT_MANUAL_RESET, 11);
	fds[4] = kipc_queue_create(NULL, 0600, 2, 16, 0);
	for (i = 0; i < 5; i++) {
		ASSERT_LE(0, fds[i]);
	}
	ASSERT_EQ(0, kipc_queue_send(fds[4], "m", 1, 0, 0));
	wo_fill(o, fds, 5);

	ASSERT_EQ(0, wm(o, 5, KIPC_WAIT_ALL, 0, &idx));
	EXPECT_EQ(0U, idx);
	for (i = 0; i < 5; i++) {
		EXPECT_EQ(1U, o[i].ready);
		EXPECT_EQ(0, o[i].error);
	}
	EXPECT_EQ(9ULL, o[0].value);
	EXPECT_EQ(1ULL, o[1].value);
	EXPECT_EQ(0ULL, o[2].value);
	EXPECT_EQ(11ULL, o[3].value);
	EXPECT_EQ(0ULL, o[4].value);
	EXPECT_EQ(0, ev_is_set(fds[0]));
	EXPECT_EQ(1, sem_val(fds[1]));
	ASSERT_EQ(0, mx_info(fds[2], &in));
	EXPECT_EQ(my_tid(), in.owner_tid);
	EXPECT_EQ(1U, in.depth);
	EXPECT_EQ(1, ev_is_set(fds[3]));
	/* The queue's message is still there. */
	EXPECT_EQ(1, kipc_queue_recv(fds[4], (char[4]){0}, 4, NULL, 0));
	EXPECT_EQ(0, kipc_mutex_unlock(h));

	/* Again: the event is spent now, so nothing at all is taken. */
	EXPECT_EQ(-EAGAIN, wm(o, 4, KIPC_WAIT_ALL, 0, &idx));
	EXPECT_EQ(1, sem_val(fds[1]));
	EXPECT_EQ(0U, mx_owner(fds[2]));
	kipc_mutex_detach(h);
}

/* Check nothing was taken from {set event, sem 1, unlocked mutex}. */
#define EXPECT_UNTOUCHED(ev, s, mfd)				\
	do {							\
		EXPECT_EQ(1, ev_is_set(ev));			\
		EXPECT_EQ(1, sem_val(s));			\
		EXPECT_EQ(0U, mx_owner(mfd));			\
	} while (0)

TEST_F(kipc, all_nothing_taken_when_one_is_missing)
{
	struct kipc_queue_info qi;
	struct kipc_wait_obj o[5];
	struct kipc_mutex *h;
	struct agent a;
	unsigned int idx;
	int64_t t0;
	uint32_t *w;
	int fds[5], i, q;
	char b[4];

	g_sh = shm_new(sizeof(*g_sh));
	ASSERT_NE(NULL, g_sh);
	fds[0] = ev_new(KIPC_EVENT_SET);
	fds[1] = sem_new(1);
	fds[2] = mx_new(0, &h);
	fds[3] = sem_new(0);	/* the missing one */
	q = kipc_queue_create(NULL, 0600, 2, 16, 0);
	ASSERT_LE(0, q);
	for (i = 0; i < 4; i++) {
		ASSERT_LE(0, fds[i]);
	}
	w = map_word(fds[2]);
	ASSERT_NE(NULL, w);
	wo_fill(o, fds, 4);

	EXPECT_EQ(-EAGAIN, wm(o, 4, KIPC_WAIT_ALL, 0, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(0U, n_ready(o, 4));
	EXPECT_UNTOUCHED(fds[0], fds[1], fds[2]);
	EXPECT_EQ(0U, *w);	/* the fast path is open again */
	EXPECT_EQ(0, sem_val(fds[3]));

	t0 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, wm(o, 4, KIPC_WAIT_ALL, 100 * MS, &idx));
	EXPECT_LE(100 * MS, kt_now_ns() - t0);
	EXPECT_EQ(0U, n_ready(o, 4));
	EXPECT_UNTOUCHED(fds[0], fds[1], fds[2]);

	/* The missing one is a mutex another process holds. */
	ASSERT_EQ(0, kipc_queue_send(q, "x", 1, 0, 0));
	wo_set(&o[3], q);	/* a queue with a message: ready */
	ASSERT_EQ(0, agent_start(&a));
	ASSERT_EQ(0, agent_lock(&a, h));
	EXPECT_EQ(-EAGAIN, wm(o, 4, KIPC_WAIT_ALL, 0, &idx));
	t0 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, wm(o, 4, KIPC_WAIT_ALL, 150 * MS, &idx));
	EXPECT_LE(150 * MS, kt_now_ns() - t0);
	EXPECT_EQ(0U, n_ready(o, 4));
	EXPECT_EQ(1, ev_is_set(fds[0]));
	EXPECT_EQ(1, sem_val(fds[1]));
	EXPECT_EQ((uint32_t)a.pid, mx_owner(fds[2]));
	ASSERT_EQ(0, kipc_queue_info(q, &qi));
	EXPECT_EQ(1U, qi.msgs);

	/* A queue with nothing to read is missing too. */
	EXPECT_EQ(1, kipc_queue_recv(q, b, sizeof(b), NULL, 0));
	wo_set(&o[2], q);
	EXPECT_EQ(-EAGAIN, wm(o, 3, KIPC_WAIT_ALL, 0, &idx));
	EXPECT_EQ(-ETIMEDOUT, wm(o, 3, KIPC_WAIT_ALL, 30 * MS, &idx));
	EXPECT_EQ(1, ev_is_set(fds[0]));
	EXPECT_EQ(1, sem_val(fds[1]));
	kipc_mutex_detach(h);
	munmap(w, KIPC_MUTEX_MAP_SIZE);
}

TEST_F(kipc, all_completes_when_a_child_posts)
{
	struct agent_cmd c;
	struct kipc_wait_obj o[3];
	struct kipc_mutex *h;
	struct kipc_sem *hs;
	struct agent a;
	unsigned int idx;
	int fds[3], i, mev;

	g_sh = shm_new(sizeof(*g_sh));
	ASSERT_NE(NULL, g_sh);
	fds[0] = ev_new_val(KIPC_EVENT_SET, 3);
	fds[1] = mx_new(0, &h);
	fds[2] = sem_new(0);
	for (i = 0; i < 3; i++) {
		ASSERT_LE(0, fds[i]);
	}
	mev = ev_new(KIPC_EVENT_SET | KIPC_EVENT_MANUAL_RESET);
	ASSERT_LE(0, mev);
	ASSERT_EQ(0, kipc_sem_attach(fds[2], &hs));
	wo_fill(o, fds, 3);
	ASSERT_EQ(0, agent_start(&a));

	memset(&c, 0, sizeof(c));
	c.s = hs;
	ASSERT_EQ(0, agent_send(&a, AG_POST, 1, &c));
	ASSERT_EQ(0, wm(o, 3, KIPC_WAIT_ALL, LONG_WAIT, &idx));
	EXPECT_EQ(0, agent_result(&a));
	EXPECT_EQ(3U, n_ready(o, 3));
	EXPECT_EQ(3ULL, o[0].value);
	EXPECT_EQ(0ULL, o[2].value);
	EXPECT_EQ(0, ev_is_set(fds[0]));
	EXPECT_EQ(my_tid(), mx_owner(fds[1]));
	EXPECT_EQ(0, sem_val(fds[2]));
	EXPECT_EQ(0, kipc_mutex_unlock(h));

	/*
	 * Now the missing one is the mutex, unlocked by its holder through
	 * the fast path.  (With a set manual-reset event in place of the
	 * semaphore: all_wait_sleeps_while_incomplete is about a ready
	 * semaphore in an all-wait.)
	 */
	ASSERT_EQ(0, kipc_event_signal(fds[0], 4));
	ASSERT_EQ(0, agent_lock(&a, h));
	wo_set(&o[2], mev);
	memset(&c, 0, sizeof(c));
	c.m = h;
	ASSERT_EQ(0, agent_send(&a, AG_UNLOCK, 1, &c));
	ASSERT_EQ(0, wm(o, 3, KIPC_WAIT_ALL, LONG_WAIT, &idx));
	EXPECT_EQ(0, agent_result(&a));
	EXPECT_EQ(3U, n_ready(o, 3));
	EXPECT_EQ(4ULL, o[0].value);
	EXPECT_EQ(0, ev_is_set(fds[0]));
	EXPECT_EQ(my_tid(), mx_owner(fds[1]));
	EXPECT_EQ(1, ev_is_set(mev));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_sem_detach(hs);
	kipc_mutex_detach(h);
}

/*
 * An all-wait that cannot complete must sleep, whatever is ready among
 * its objects: here a semaphore with a unit.
 */
TEST_F(kipc, all_wait_sleeps_while_incomplete)
{
	struct kipc_wait_obj o[2];
	int64_t c0, t0, cpu, wall;
	int s = sem_new(1), e = ev_new(0);

	ASSERT_LE(0, s);
	ASSERT_LE(0, e);
	wo_set(&o[0], e);
	wo_set(&o[1], s);

	/* Any: nothing ready, the waiter sleeps (a reference). */
	c0 = cpu_now_ns();
	t0 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, wm(o, 1, 0, 300 * MS, NULL));
	cpu = cpu_now_ns() - c0;
	wall = kt_now_ns() - t0;
	EXPECT_GT(wall / 4, cpu)
		TH_LOG("any-wait used %lld ms of CPU in %lld ms",
		       (long long)(cpu / MS), (long long)(wall / MS));

	c0 = cpu_now_ns();
	t0 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, wm(o, 2, KIPC_WAIT_ALL, 300 * MS, NULL));
	cpu = cpu_now_ns() - c0;
	wall = kt_now_ns() - t0;
	EXPECT_GT(wall / 4, cpu)
		TH_LOG("all-wait used %lld ms of CPU in %lld ms: it spins",
		       (long long)(cpu / MS), (long long)(wall / MS));
	EXPECT_EQ(1, sem_val(s));
	EXPECT_EQ(0, ev_is_set(e));
}

/* ---- wake-ups across processes ------------------------------------------------ */

enum { K_EVENT, K_SEM, K_MUTEX };

/*
 * The test waits (any) on [event, sem, mutex held by a child] or, without
 * the mutex (and so without its 100 ms owner recheck, which would hide a
 * lost wake-up), on [event, sem]; the child makes object @kind ready
 * once the test sleeps.  Returns the latency from the child's action to
 * the wait's return.
 */
static int64_t wake_case(struct __test_metadata *_metadata, int kind,
			 bool with_mutex)
{
	struct kipc_wait_obj o[3];
	struct kipc_mutex *hm = NULL;
	struct kipc_sem *hs = NULL;
	struct agent_cmd c;
	struct agent a;
	unsigned int idx, n = with_mutex ? 3 : 2;
	int fds[3], i, ret;
	uint64_t *sw = NULL;
	uint32_t *w = NULL;
	int64_t t1, lat = -1;

	g_sh = shm_new(sizeof(*g_sh));
	if (!g_sh)
		return -1;
	fds[0] = ev_new(0);
	fds[1] = sem_new(0);
	fds[2] = mx_new(0, &hm);
	for (i = 0; i < 3; i++) {
		EXPECT_LE(0, fds[i]);
	}
	EXPECT_EQ(0, kipc_sem_attach(fds[1], &hs));
	sw = map_sem(fds[1]);
	w = map_word(fds[2]);
	EXPECT_NE(NULL, sw);
	EXPECT_NE(NULL, w);
	if (!sw || !w)
		goto out;
	wo_fill(o, fds, 3);
	EXPECT_EQ(0, agent_start(&a));
	EXPECT_EQ(0, agent_lock(&a, hm));

	memset(&c, 0, sizeof(c));
	c.fd = fds[0];
	c.value = 77;
	c.s = hs;
	c.m = hm;
	c.word = w;
	c.sword = sw;
	if (kind == K_MUTEX && !with_mutex)
		goto out;
	EXPECT_EQ(0, agent_send(&a, kind == K_EVENT ? AG_SIGNAL :
				kind == K_SEM ? AG_POST : AG_UNLOCK, 1, &c));
	ret = wm(o, n, 0, LONG_WAIT, &idx);
	t1 = kt_now_ns();
	EXPECT_EQ(0, agent_result(&a));
	EXPECT_EQ(0, ret);
	if (ret)
		goto out;
	lat = t1 - __atomic_load_n(&g_sh->t_act, __ATOMIC_SEQ_CST);
	EXPECT_EQ((unsigned int)kind, idx);
	EXPECT_EQ(1U, n_ready(o, n));
	EXPECT_EQ(1U, o[kind].ready);
	switch (kind) {
	case K_EVENT:
		EXPECT_EQ(77ULL, o[0].value);
		EXPECT_EQ(0, ev_is_set(fds[0]));
		EXPECT_EQ(0, sem_val(fds[1]));
		break;
	case K_SEM:
		/* The poll armed the word: the post came to the kernel. */
		EXPECT_LE(1ULL, g_sh->sword >> 32);
		EXPECT_EQ(0ULL, o[1].value);
		EXPECT_EQ(0, sem_val(fds[1]));
		EXPECT_EQ(0, ev_is_set(fds[0]));
		break;
	case K_MUTEX:
		/* The wait armed the word: the unlock came to the kernel. */
		EXPECT_EQ((uint32_t)a.pid | KIPC_MUTEX_WAITERS,
			  g_sh->word & ~KIPC_MUTEX_KSTATE);
		EXPECT_EQ(my_tid(), mx_owner(fds[2]));
		EXPECT_EQ(0, kipc_mutex_unlock(hm));
		break;
	}
	if (with_mutex && kind != K_MUTEX)
		EXPECT_EQ((uint32_t)a.pid, mx_owner(fds[2]));
out:
	kt_kill_kids();
	/* Mappings keep objects alive: drop them too. */
	kipc_sem_detach(hs);
	kipc_mutex_detach(hm);
	if (sw)
		munmap(sw, KIPC_SEM_MAP_SIZE);
	if (w)
		munmap(w, KIPC_MUTEX_MAP_SIZE);
	for (i = 0; i < 3; i++)
		close(fds[i]);
	munmap(g_sh, sizeof(*g_sh));
	return lat;
}

/*
 * With a mutex among the objects, the wait rechecks 100 ms after it went
 * to sleep, so a lost wake-up still returns, about 100 ms minus the few
 * ms the child takes to see the test asleep.  Real wake-ups take well
 * under a millisecond on KVM, a few ms (rarely tens) in emulation or on
 * the debug kernel.
 */
#define PROMPT_NS	(60 * MS)

static void wake_rounds(struct __test_metadata *_metadata, int kind)
{
	int64_t lat[5];
	int i, slow = 0;

	if (kind != K_MUTEX) {
		/* No recheck: a lost wake-up would run into the deadline. */
		lat[0] = wake_case(_metadata, kind, false);
		EXPECT_LE(0, lat[0]);
		EXPECT_GT(5 * SEC, lat[0]);
	}
	/* With the mutex (and its recheck): most rounds must be quick. */
	for (i = 0; i < 5; i++) {
		lat[i] = wake_case(_metadata, kind, true);
		EXPECT_LE(0, lat[i]);
		slow += lat[i] >= PROMPT_NS;
	}
	TH_LOG("latencies (us): %lld %lld %lld %lld %lld",
	       (long long)lat[0] / 1000, (long long)lat[1] / 1000,
	       (long long)lat[2] / 1000, (long long)lat[3] / 1000,
	       (long long)lat[4] / 1000);
	EXPECT_GE(1, slow) TH_LOG("a wake-up seems to wait for the recheck");
}

TEST_F(kipc, wake_by_event_signal)
{
	wake_rounds(_metadata, K_EVENT);
}

TEST_F(kipc, wake_by_sem_fast_path_post)
{
	wake_rounds(_metadata, K_SEM);
}

TEST_F(kipc, wake_by_mutex_fast_path_unlock)
{
	wake_rounds(_metadata, K_MUTEX);
}

/*
 * A unit the wait saw in its poll and then found gone (another process
 * took it through the fast path in between) must leave the wait armed:
 * the next post made through the fast path must still wake it.  The
 * racer steals at a random delay after the wait starts: some steals
 * come before the wait's poll (it saw 0 and armed), some come after it
 * took the unit ("too late"), and some in between, the case that
 * matters.  The range of delays shrinks after a late one and grows after
 * a steal, so that about a fifth of the rounds steal.  The wait has 127
 * other objects, polled between its poll of the semaphore and its try,
 * to widen the window.  A kernel that gets it right passes whatever the
 * timing; a wrong one fails once a steal lands in between.  With two
 * CPUs the racer has one of its own, so that it runs during the wait.
 */
struct race_sh {
	int start;	/* the waiter is about to wait */
	int ready;	/* the racer is spinning, watching @start */
};

TEST_F_TIMEOUT(kipc, sem_wait_rearmed_after_unit_stolen, 90)
{
	enum { NFILL = 127, ROUNDS = 400 };
	struct kipc_wait_obj *o;
	struct race_sh *rs;
	struct kipc_sem *hs;
	struct kt_report r;
	int wpipe[2], wrep[2], rpipe[2], rrep[2];
	int s, i, max, n, rounds = 0, early = 0, late = 0, window = 0;
	int64_t span = 500 * 1000, d, end, t, t0;
	pid_t wpid, rpid;
	uint64_t *sw, word;

	ASSERT_EQ(0, kt_param_set("max_wait_objects", NFILL + 1));
	max = (int)kt_param_get("max_wait_objects");
	ASSERT_EQ(NFILL + 1, max);
	n = max;
	o = calloc(n, sizeof(*o));
	ASSERT_NE(NULL, o);
	rs = shm_new(sizeof(*rs));
	ASSERT_NE(NULL, rs);
	s = sem_new(0);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, kipc_sem_attach(s, &hs));
	sw = map_sem(s);
	ASSERT_NE(NULL, sw);
	wo_set(&o[0], s);
	for (i = 1; i < n; i++) {
		int e = ev_new(0);

		ASSERT_LE(0, e);
		wo_set(&o[i], e);
	}
	ASSERT_EQ(0, pipe(wpipe));
	ASSERT_EQ(0, pipe(wrep));
	ASSERT_EQ(0, pipe(rpipe));
	ASSERT_EQ(0, pipe(rrep));
	srandom(kt_seed());
	pin_cpu(0);	/* the test and the waiter; the racer on CPU 1 */

	/* The waiter: one wait per byte it reads. */
	wpid = kt_fork();
	ASSERT_LE(0, wpid);
	if (wpid == 0) {
		unsigned int idx;
		char ch;
		int ret;

		while (read(wpipe[0], &ch, 1) == 1) {
			__atomic_store_n(&rs->start, 1, __ATOMIC_SEQ_CST);
			ret = kipc_wait_many(o, n, 0, 3 * SEC, &idx);
			kt_report(wrep[1], (int)idx, ret, o[0].ready);
		}
		_exit(0);
	}
	/* The racer: a fast-path take at the delay it reads. */
	rpid = kt_fork();
	ASSERT_LE(0, rpid);
	if (rpid == 0) {
		int64_t delay, t;
		uint64_t one;
		int stolen;

		pin_cpu(1);
		while (read(rpipe[0], &delay, sizeof(delay)) == sizeof(delay)) {
			__atomic_store_n(&rs->ready, 1, __ATOMIC_SEQ_CST);
			while (!__atomic_load_n(&rs->start, __ATOMIC_SEQ_CST))
				;
			t = kt_now_ns() + delay;
			while (kt_now_ns() < t)
				;
			one = 1;	/* value 1, nobody queued or armed */
			stolen = __atomic_compare_exchange_n(sw, &one, 0, false,
							     __ATOMIC_SEQ_CST,
							     __ATOMIC_SEQ_CST);
			kt_report(rrep[1], 0, stolen, one);
		}
		_exit(0);
	}

	t0 = kt_now_ns();
	end = t0 + 10 * SEC;
	for (rounds = 0; rounds < ROUNDS && kt_now_ns() < end; rounds++) {
		ASSERT_EQ(0, sem_val(s));
		ASSERT_EQ(0, kipc_sem_post(hs, 1, 0));
		ASSERT_EQ(1ULL, __atomic_load_n(sw, __ATOMIC_SEQ_CST));
		__atomic_store_n(&rs->start, 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&rs->ready, 0, __ATOMIC_SEQ_CST);
		d = (int64_t)(random() % span);
		ASSERT_EQ((ssize_t)sizeof(d), write(rpipe[1], &d, sizeof(d)));
		/* The racer must be watching before the waiter starts. */
		t = kt_now_ns() + KT_CHILD_TIMEOUT_MS * MS;
		while (!__atomic_load_n(&rs->ready, __ATOMIC_SEQ_CST))
			ASSERT_GT(t, kt_now_ns());
		ASSERT_EQ(1, write(wpipe[1], "g", 1));
		ASSERT_EQ(1, kt_read_report(rrep[0], &r, KT_CHILD_TIMEOUT_MS));
		if (!r.ret) {
			/* Too late: the wait took the unit. */
			ASSERT_EQ(1, kt_read_report(wrep[0], &r,
						    KT_CHILD_TIMEOUT_MS));
			ASSERT_EQ(0, r.ret);
			ASSERT_EQ(0, r.idx);
			late++;
			span -= span / 32;
			if (span < 5000)
				span = 5000;
		} else {
			span += span / 10;
			if (span > 5 * MS)
				span = 5 * MS;
			ASSERT_EQ(0, kt_wait_sleeping(wpid, KT_CHILD_TIMEOUT_MS));
			word = __atomic_load_n(sw, __ATOMIC_SEQ_CST);
			if (word >> 32) {
				early++;	/* armed: its poll saw 0, or fixed */
			} else {
				window++;	/* sleeping, not armed */
			}
			/* Through the fast path if the word allows it. */
			ASSERT_EQ(0, kipc_sem_post(hs, 1, 0));
			ASSERT_EQ(1, kt_read_report(wrep[0], &r, 2000))
				TH_LOG("round %d (delay %lld ns): a post did not wake a wait that had seen the unit stolen; word before the post %#llx",
				       rounds, (long long)d,
				       (unsigned long long)word);
			ASSERT_EQ(0, r.ret)
				TH_LOG("round %d: wait returned %d (word before the post %#llx)",
				       rounds, r.ret, (unsigned long long)word);
			ASSERT_EQ(0, r.idx);
		}
	}
	TH_LOG("%d rounds in %lld ms: %d stolen and armed, %d too late, %d stolen unarmed (span %lld us)",
	       rounds, (long long)((kt_now_ns() - t0) / MS), early, late,
	       window, (long long)(span / 1000));
	EXPECT_EQ(0, sem_val(s));
	kipc_sem_detach(hs);
	munmap(sw, KIPC_SEM_MAP_SIZE);
	free(o);
}

/* ---- the objects' own waiters come first ------------------------------------- */

TEST_F(kipc, fifo_event_waiter_served_first)
{
	struct kipc_wait_obj o[1];
	struct kt_report r;
	int fd = ev_new(0), pfd[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(pfd));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t v = 0;
		int ret = kipc_event_wait(fd, KT_CHILD_TIMEOUT_MS * MS, &v);

		kt_report(pfd[1], 0, ret, v);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kipc_event_signal(fd, 5));
	wo_set(&o[0], fd);
	EXPECT_EQ(-EAGAIN, wm(o, 1, 0, 0, NULL));
	ASSERT_EQ(1, kt_read_report(pfd[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(5ULL, r.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

TEST_F(kipc, fifo_sem_waiter_served_first)
{
	struct kipc_sem_info in;
	struct kipc_wait_obj o[1];
	struct kipc_sem *h;
	struct kt_report r;
	int fd = sem_new(0), pfd[2];
	int64_t end;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_sem_attach(fd, &h));
	ASSERT_EQ(0, pipe(pfd));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = kipc_sem_wait(h, KT_CHILD_TIMEOUT_MS * MS, 0);

		kt_report(pfd[1], 0, ret, 0);
		_exit(0);
	}
	end = kt_now_ns() + KT_CHILD_TIMEOUT_MS * MS;
	do {
		ASSERT_EQ(0, kipc_sem_info(fd, &in));
		if (in.waiters == 1)
			break;
		kt_sleep_ms(1);
	} while (kt_now_ns() < end);
	ASSERT_EQ(1U, in.waiters);
	ASSERT_EQ(0, kipc_sem_post(h, 1, 0));
	wo_set(&o[0], fd);
	EXPECT_EQ(-EAGAIN, wm(o, 1, 0, 0, NULL));
	ASSERT_EQ(1, kt_read_report(pfd[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0, sem_val(fd));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	kipc_sem_detach(h);
}

/*
 * A holder unlocks while a thread is queued in KIPC_MUTEX_IOC_LOCK and
 * the test waits for many: the queued thread gets it first.
 */
TEST_F(kipc, fifo_mutex_waiter_served_first)
{
	struct kipc_wait_obj o[1];
	struct kipc_mutex_info in;
	struct kipc_mutex *h;
	struct agent_cmd c;
	struct agent a;
	int fd = mx_new(0, &h), *locked;
	int64_t end;
	pid_t pid;

	ASSERT_LE(0, fd);
	g_sh = shm_new(4096);
	ASSERT_NE(NULL, g_sh);
	locked = (int *)((char *)g_sh + 2048);
	ASSERT_EQ(0, agent_start(&a));
	ASSERT_EQ(0, agent_lock(&a, h));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = kipc_mutex_lock(h, KT_CHILD_TIMEOUT_MS * MS);

		if (ret)
			_exit(1);
		__atomic_store_n(locked, 1, __ATOMIC_SEQ_CST);
		kt_sleep_ms(20);
		_exit(kipc_mutex_unlock(h) ? 2 : 0);
	}
	end = kt_now_ns() + KT_CHILD_TIMEOUT_MS * MS;
	do {
		ASSERT_EQ(0, mx_info(fd, &in));
		if (in.waiters == 1)
			break;
		kt_sleep_ms(1);
	} while (kt_now_ns() < end);
	ASSERT_EQ(1U, in.waiters);

	memset(&c, 0, sizeof(c));
	c.m = h;
	ASSERT_EQ(0, agent_send(&a, AG_UNLOCK, 1, &c));
	wo_set(&o[0], fd);
	ASSERT_EQ(0, wm(o, 1, 0, LONG_WAIT, NULL));
	EXPECT_EQ(1, __atomic_load_n(locked, __ATOMIC_SEQ_CST))
		TH_LOG("the wait for many took the mutex before its queued waiter");
	EXPECT_EQ(0, agent_result(&a));
	EXPECT_EQ(my_tid(), mx_owner(fd));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

struct lock_exit {
	struct kipc_mutex *h;
	int ret;
	int locked;
	int go;
};

/* Lock, and exit holding the mutex when told. */
static void *lock_and_exit_fn(void *arg)
{
	struct lock_exit *x = arg;

	x->ret = kipc_mutex_lock(x->h, 0);
	__atomic_store_n(&x->locked, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&x->go, __ATOMIC_SEQ_CST))
		kt_sleep_ms(1);
	return NULL;
}

/*
 * The owner, a thread, exits while another process is queued in
 * KIPC_MUTEX_IOC_LOCK (asleep until the next owner check, at most 100 ms
 * away).  A wait for many that comes now finds the owner dead, but the
 * queued waiter comes first: the wait must not take the mutex from under
 * it.  If the check came first, the waiter has had the mutex (its report
 * is written before its unlock) and the wait takes it free.
 */
TEST_F(kipc, fifo_dead_owner_mutex_goes_to_queued_waiter)
{
	struct kipc_wait_obj o[1];
	struct kipc_mutex_info in;
	struct kipc_mutex *h;
	struct lock_exit x;
	struct kt_report r;
	int fd = mx_new(0, &h), pfd[2], ret;
	int64_t end;
	pthread_t th;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(pfd));
	memset(&x, 0, sizeof(x));
	x.h = h;
	ASSERT_EQ(0, pthread_create(&th, NULL, lock_and_exit_fn, &x));
	while (!__atomic_load_n(&x.locked, __ATOMIC_SEQ_CST))
		kt_sleep_ms(1);
	ASSERT_EQ(0, x.ret);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ret = kipc_mutex_lock(h, KT_CHILD_TIMEOUT_MS * MS);
		kt_report(pfd[1], 0, ret, 0);
		if (ret == -EOWNERDEAD)
			kipc_mutex_consistent(h);
		if (ret == 0 || ret == -EOWNERDEAD)
			kipc_mutex_unlock(h);
		_exit(0);
	}
	end = kt_now_ns() + KT_CHILD_TIMEOUT_MS * MS;
	do {
		ASSERT_EQ(0, mx_info(fd, &in));
		if (in.waiters == 1)
			break;
		kt_sleep_ms(1);
	} while (kt_now_ns() < end);
	ASSERT_EQ(1U, in.waiters);
	/* The owner exits; the waiter sees it at its next check. */
	__atomic_store_n(&x.go, 1, __ATOMIC_SEQ_CST);
	ASSERT_EQ(0, pthread_join(th, NULL));
	wo_set(&o[0], fd);
	ret = wm(o, 1, 0, 0, NULL);
	if (ret == 0) {
		/* The waiter's check came first: it is done with the mutex. */
		ASSERT_EQ(1, kt_read_report(pfd[0], &r, 0));
		EXPECT_EQ(0, kipc_mutex_unlock(h));
	} else {
		EXPECT_EQ(-EAGAIN, ret)
			TH_LOG("the wait for many took a dead owner's mutex ahead of the waiter queued on it (%d)",
			       ret);
		if (ret == -EOWNERDEAD) {
			EXPECT_EQ(0, kipc_mutex_consistent(h));
			EXPECT_EQ(0, kipc_mutex_unlock(h));
		}
		ASSERT_EQ(1, kt_read_report(pfd[0], &r,
					    KT_CHILD_TIMEOUT_MS));
	}
	EXPECT_EQ(-EOWNERDEAD, r.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0U, mx_owner(fd));
	kipc_mutex_detach(h);
}

/* ---- dead owners ------------------------------------------------------------- */

TEST_F(kipc, dead_owner_any)
{
	struct kipc_mutex_info in;
	struct kipc_wait_obj o[2];
	struct kipc_mutex *h;
	struct agent a;
	unsigned int idx;
	int e = ev_new(0), fd = mx_new(0, &h);

	ASSERT_LE(0, e);
	ASSERT_LE(0, fd);
	g_sh = shm_new(sizeof(*g_sh));
	ASSERT_NE(NULL, g_sh);
	ASSERT_EQ(0, agent_start(&a));
	ASSERT_EQ(0, agent_lock(&a, h));
	ASSERT_EQ(0, kill(a.pid, SIGKILL));
	ASSERT_EQ(256 + SIGKILL, kt_reap(a.pid, KT_CHILD_TIMEOUT_MS));

	wo_set(&o[0], e);
	wo_set(&o[1], fd);
	ASSERT_EQ(-EOWNERDEAD, wm(o, 2, 0, 0, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(0U, o[0].ready);
	EXPECT_EQ(0, o[0].error);
	EXPECT_EQ(1U, o[1].ready);
	EXPECT_EQ(-EOWNERDEAD, o[1].error);
	ASSERT_EQ(0, mx_info(fd, &in));
	EXPECT_EQ(my_tid(), in.owner_tid);
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_OWNERDEAD, in.state);
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	ASSERT_EQ(0, mx_info(fd, &in));
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_OK, in.state);
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	EXPECT_EQ(0U, mx_owner(fd));
	/* Recovered: an ordinary take. */
	ASSERT_EQ(0, wm(o, 2, 0, 0, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(0, o[1].error);
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

TEST_F(kipc, dead_owner_any_lower_index_first)
{
	struct kipc_wait_obj o[2];
	struct kipc_mutex *h;
	struct agent a;
	unsigned int idx;
	int e = ev_new(KIPC_EVENT_SET), fd = mx_new(0, &h);

	ASSERT_LE(0, e);
	ASSERT_LE(0, fd);
	g_sh = shm_new(sizeof(*g_sh));
	ASSERT_NE(NULL, g_sh);
	ASSERT_EQ(0, agent_start(&a));
	ASSERT_EQ(0, agent_lock(&a, h));
	ASSERT_EQ(0, kill(a.pid, SIGKILL));
	ASSERT_EQ(256 + SIGKILL, kt_reap(a.pid, KT_CHILD_TIMEOUT_MS));
	wo_set(&o[0], e);
	wo_set(&o[1], fd);
	ASSERT_EQ(0, wm(o, 2, 0, 0, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(0U, o[1].ready);
	EXPECT_EQ(0, o[1].error);
	/* The mutex still names its dead owner. */
	EXPECT_EQ((uint32_t)a.pid, mx_owner(fd));
	ASSERT_EQ(-EOWNERDEAD, wm(o, 2, 0, 0, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

TEST_F(kipc, dead_owner_all)
{
	struct kipc_mutex_info in;
	struct kipc_wait_obj o[3];
	struct kipc_mutex *h1, *h2;
	struct agent a;
	unsigned int idx;
	int s = sem_new(1), m1 = mx_new(0, &h1), m2 = mx_new(0, &h2);

	ASSERT_LE(0, s);
	ASSERT_LE(0, m1);
	ASSERT_LE(0, m2);
	g_sh = shm_new(sizeof(*g_sh));
	ASSERT_NE(NULL, g_sh);
	ASSERT_EQ(0, agent_start(&a));
	ASSERT_EQ(0, agent_lock(&a, h1));
	ASSERT_EQ(0, agent_lock(&a, h2));
	ASSERT_EQ(0, kill(a.pid, SIGKILL));
	ASSERT_EQ(256 + SIGKILL, kt_reap(a.pid, KT_CHILD_TIMEOUT_MS));

	wo_set(&o[0], s);
	wo_set(&o[1], m1);
	wo_set(&o[2], m2);
	ASSERT_EQ(-EOWNERDEAD, wm(o, 3, KIPC_WAIT_ALL, LONG_WAIT, &idx));
	EXPECT_EQ(1U, idx);	/* the first taken from a dead owner */
	EXPECT_EQ(3U, n_ready(o, 3));
	EXPECT_EQ(0, o[0].error);
	EXPECT_EQ(-EOWNERDEAD, o[1].error);
	EXPECT_EQ(-EOWNERDEAD, o[2].error);
	EXPECT_EQ(0, sem_val(s));
	ASSERT_EQ(0, mx_info(m1, &in));
	EXPECT_EQ(my_tid(), in.owner_tid);
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_OWNERDEAD, in.state);
	ASSERT_EQ(0, mx_info(m2, &in));
	EXPECT_EQ(my_tid(), in.owner_tid);
	EXPECT_EQ(0, kipc_mutex_consistent(h1));
	EXPECT_EQ(0, kipc_mutex_consistent(h2));
	EXPECT_EQ(0, kipc_mutex_unlock(h1));
	EXPECT_EQ(0, kipc_mutex_unlock(h2));
	kipc_mutex_detach(h1);
	kipc_mutex_detach(h2);
}

/* The owner is killed while the test waits. */
TEST_F(kipc, dead_owner_while_waiting)
{
	struct kipc_wait_obj o[2];
	struct kipc_mutex *h;
	struct agent a;
	unsigned int idx;
	int e = ev_new(0), fd = mx_new(0, &h);
	int64_t t0;

	ASSERT_LE(0, e);
	ASSERT_LE(0, fd);
	g_sh = shm_new(sizeof(*g_sh));
	ASSERT_NE(NULL, g_sh);
	ASSERT_EQ(0, agent_start(&a));
	ASSERT_EQ(0, agent_lock(&a, h));
	ASSERT_EQ(0, agent_send(&a, AG_DIE, 1, NULL));
	wo_set(&o[0], e);
	wo_set(&o[1], fd);
	t0 = kt_now_ns();
	ASSERT_EQ(-EOWNERDEAD, wm(o, 2, 0, LONG_WAIT, &idx));
	EXPECT_GT(2 * SEC, kt_now_ns() - t0);
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(-EOWNERDEAD, o[1].error);
	EXPECT_EQ(256 + SIGKILL, kt_reap(a.pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));

	/* All-mode, the same. */
	ASSERT_EQ(0, kipc_event_signal(e, 1));
	ASSERT_EQ(0, agent_start(&a));
	ASSERT_EQ(0, agent_lock(&a, h));
	ASSERT_EQ(0, agent_send(&a, AG_DIE, 1, NULL));
	t0 = kt_now_ns();
	ASSERT_EQ(-EOWNERDEAD, wm(o, 2, KIPC_WAIT_ALL, LONG_WAIT, &idx));
	EXPECT_GT(2 * SEC, kt_now_ns() - t0);
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(2U, n_ready(o, 2));
	EXPECT_EQ(0, ev_is_set(e));
	EXPECT_EQ(256 + SIGKILL, kt_reap(a.pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

struct exiter {
	struct kipc_mutex *h;
	int ret;
	int locked;
};

/* Lock, then exit holding the mutex once the main thread sleeps. */
static void *exit_holding_fn(void *arg)
{
	struct exiter *x = arg;

	x->ret = kipc_mutex_lock(x->h, 0);
	__atomic_store_n(&x->locked, 1, __ATOMIC_SEQ_CST);
	kt_wait_sleeping(getpid(), KT_CHILD_TIMEOUT_MS);
	__atomic_store_n(&g_sh->t_exit, kt_now_ns(), __ATOMIC_SEQ_CST);
	return NULL;
}

static int start_exiter(struct exiter *x, pthread_t *th, struct kipc_mutex *h)
{
	memset(x, 0, sizeof(*x));
	x->h = h;
	if (pthread_create(th, NULL, exit_holding_fn, x))
		return -1;
	while (!__atomic_load_n(&x->locked, __ATOMIC_SEQ_CST))
		kt_sleep_ms(1);
	return x->ret;
}

/*
 * A thread exits holding the mutex while its process lives on: nothing
 * wakes the wait, which must find the death by its own recheck.
 */
TEST_F(kipc, dead_thread_owner_found_by_recheck)
{
	struct kipc_wait_obj o[2];
	struct kipc_mutex *h;
	struct exiter x;
	unsigned int idx;
	pthread_t th;
	int fd = mx_new(0, &h), e = ev_new(KIPC_EVENT_SET);
	int64_t t1;

	ASSERT_LE(0, fd);
	ASSERT_LE(0, e);
	g_sh = shm_new(sizeof(*g_sh));
	ASSERT_NE(NULL, g_sh);

	ASSERT_EQ(0, start_exiter(&x, &th, h));
	EXPECT_NE(my_tid(), mx_owner(fd));
	wo_set(&o[0], fd);
	ASSERT_EQ(-EOWNERDEAD, wm(o, 1, 0, 5 * SEC, &idx));
	t1 = kt_now_ns();
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(-EOWNERDEAD, o[0].error);
	EXPECT_GT(1 * SEC, t1 - g_sh->t_exit);
	EXPECT_EQ(my_tid(), mx_owner(fd));
	pthread_join(th, NULL);
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));

	/* All-mode with a set event. */
	ASSERT_EQ(0, start_exiter(&x, &th, h));
	wo_set(&o[0], e);
	wo_set(&o[1], fd);
	ASSERT_EQ(-EOWNERDEAD, wm(o, 2, KIPC_WAIT_ALL, 5 * SEC, &idx));
	t1 = kt_now_ns();
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(2U, n_ready(o, 2));
	EXPECT_EQ(0, ev_is_set(e));
	EXPECT_GT(1 * SEC, t1 - g_sh->t_exit);
	pthread_join(th, NULL);
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

/* ---- errors ------------------------------------------------------------------- */

TEST_F(kipc, err_count)
{
	struct kipc_wait_many h;
	struct kipc_wait_obj *o;
	long long max = kt_param_get("max_wait_objects");
	int s = sem_new(1), i, *fds;
	unsigned int idx;

	ASSERT_LT(0, max);
	ASSERT_LE(0, s);
	o = calloc(max + 1, sizeof(*o));
	fds = calloc(max + 1, sizeof(*fds));
	ASSERT_NE(NULL, o);
	ASSERT_NE(NULL, fds);
	fds[0] = s;
	for (i = 1; i <= max; i++) {
		fds[i] = ev_new(0);
		ASSERT_LE(0, fds[i]);
	}
	wo_fill(o, fds, max + 1);

	wmh_init(&h, o, 0, OBJSZ, 0);
	EXPECT_EQ(-EINVAL, wm_raw(&h));
	EXPECT_EQ(-EINVAL, kipc_wait_many(o, 0, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, kipc_wait_many(o, max + 1, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, kipc_wait_many(o, max + 1, KIPC_WAIT_ALL, 0, NULL));
	EXPECT_EQ(-EINVAL, kipc_wait_many(o, UINT32_MAX, 0, 0, NULL));
	EXPECT_EQ(1, sem_val(s));

	/* Exactly the maximum works; the last object is the one set. */
	ASSERT_EQ(0, kipc_event_signal(fds[max], 8));
	ASSERT_EQ(0, wm(&o[1], max, 0, 0, &idx));
	EXPECT_EQ((unsigned int)max - 1, idx);
	EXPECT_EQ(8ULL, o[max].value);
	EXPECT_EQ(1U, n_ready(&o[1], max));

	/* A smaller maximum, set at run time. */
	ASSERT_EQ(0, kt_param_set("max_wait_objects", 3));
	EXPECT_EQ(-EINVAL, kipc_wait_many(o, 4, 0, 0, NULL));
	EXPECT_EQ(1, sem_val(s));
	ASSERT_EQ(0, wm(o, 3, 0, 0, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(0, sem_val(s));
	/* The parameter's own bounds: 1 to 128. */
	EXPECT_NE(0, kt_param_write("max_wait_objects", "0"));
	EXPECT_NE(0, kt_param_write("max_wait_objects", "129"));
	EXPECT_EQ(3, kt_param_get("max_wait_objects"));
	free(o);
	free(fds);
}

TEST_F(kipc, err_flags_and_reserved)
{
	struct kipc_wait_many h;
	struct kipc_wait_obj o[2];
	int s = sem_new(1), s2 = sem_new(1), i;

	ASSERT_LE(0, s);
	ASSERT_LE(0, s2);
	wo_set(&o[0], s);
	wo_set(&o[1], s2);

	/* Unknown flags. */
	wmh_init(&h, o, 2, OBJSZ, 1U << 3);
	EXPECT_EQ(-EINVAL, wm_raw(&h));
	wmh_init(&h, o, 2, OBJSZ, 1U << 31);
	EXPECT_EQ(-EINVAL, wm_raw(&h));
	EXPECT_EQ(-EINVAL, kipc_wait_many(o, 2, 1U << 8, 0, NULL));
	/* DEADLINE and NONBLOCK together. */
	wmh_init(&h, o, 2, OBJSZ, KIPC_WAIT_DEADLINE | KIPC_WAIT_NONBLOCK);
	h.deadline = kt_ts_at(kt_now_ns() + SEC);
	EXPECT_EQ(-EINVAL, wm_raw(&h));
	wmh_init(&h, o, 2, OBJSZ, KIPC_WAIT_ALL | KIPC_WAIT_DEADLINE |
		 KIPC_WAIT_NONBLOCK);
	EXPECT_EQ(-EINVAL, wm_raw(&h));
	/* A deadline without KIPC_WAIT_DEADLINE, or not normalized. */
	wmh_init(&h, o, 2, OBJSZ, KIPC_WAIT_NONBLOCK);
	h.deadline.tv_sec = 1;
	EXPECT_EQ(-EINVAL, wm_raw(&h));
	wmh_init(&h, o, 2, OBJSZ, KIPC_WAIT_DEADLINE);
	h.deadline.tv_nsec = 1000000000ULL;
	EXPECT_EQ(-EINVAL, wm_raw(&h));
	wmh_init(&h, o, 2, OBJSZ, KIPC_WAIT_DEADLINE);
	h.deadline.tv_sec = -1;
	EXPECT_EQ(-EINVAL, wm_raw(&h));
	/* Reserved words of the header. */
	for (i = 0; i < 4; i++) {
		wmh_init(&h, o, 2, OBJSZ, KIPC_WAIT_NONBLOCK);
		h.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, wm_raw(&h));
	}
	/* An object's flags and reserved words, at either index. */
	for (i = 0; i < 2; i++) {
		wo_set(&o[0], s);
		wo_set(&o[1], s2);
		o[i].flags = 1;
		EXPECT_EQ(-EINVAL, kipc_wait_many(o, 2, 0, 0, NULL));
		o[i].flags = 0x80000000U;
		EXPECT_EQ(-EINVAL, kipc_wait_many(o, 2, 0, 0, NULL));
		o[i].flags = 0;
		o[i].reserved[0] = 1;
		EXPECT_EQ(-EINVAL, kipc_wait_many(o, 2, 0, 0, NULL));
		o[i].reserved[0] = 0;
		o[i].reserved[1] = 1ULL << 63;
		EXPECT_EQ(-EINVAL, kipc_wait_many(o, 2, KIPC_WAIT_ALL, 0,
						  NULL));
	}
	/* Nothing was taken by any of them. */
	EXPECT_EQ(1, sem_val(s));
	EXPECT_EQ(1, sem_val(s2));
	/* And the valid call takes. */
	wo_set(&o[0], s);
	wo_set(&o[1], s2);
	EXPECT_EQ(0, wm(o, 2, KIPC_WAIT_ALL, 0, NULL));
	EXPECT_EQ(0, sem_val(s));
	EXPECT_EQ(0, sem_val(s2));
}

TEST_F(kipc, err_header_size)
{
	char big[128];
	struct kipc_wait_many *h = (struct kipc_wait_many *)big;
	struct kipc_wait_obj o[1];
	int s = sem_new(2);

	ASSERT_LE(0, s);
	wo_set(&o[0], s);
	memset(big, 0, sizeof(big));
	wmh_init(h, o, 1, OBJSZ, KIPC_WAIT_NONBLOCK);
	EXPECT_EQ(-EINVAL, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_WAIT_MANY, 64),
					h));
	EXPECT_EQ(-EINVAL, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_WAIT_MANY, 8),
					h));
	big[100] = 1;
	EXPECT_EQ(-E2BIG, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_WAIT_MANY,
						     sizeof(big)), h));
	EXPECT_EQ(2, sem_val(s));
	big[100] = 0;
	EXPECT_EQ(0, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_WAIT_MANY,
						sizeof(big)), h));
	EXPECT_EQ(1, sem_val(s));
	EXPECT_EQ(0U, h->index);
	EXPECT_EQ(1U, o[0].ready);
	/* Nothing was written past the struct the module knows. */
	EXPECT_EQ(0, big[KIPC_WAIT_MANY_SIZE_VER0]);
	EXPECT_EQ(-EFAULT, kt_dev_ioctl(KIPC_IOC_WAIT_MANY, NULL));
	EXPECT_EQ(1, sem_val(s));
}

TEST_F(kipc, err_obj_size)
{
	struct kipc_wait_many h;
	struct kipc_wait_obj *o;
	struct kipc_sem_op op;
	uint8_t *buf;
	int s1 = sem_new(1), s2 = sem_new(1);
	uint32_t sz;

	memset(&op, 0, sizeof(op));
	ASSERT_LE(0, s1);
	ASSERT_LE(0, s2);
	buf = calloc(2, 4096 + 8);
	ASSERT_NE(NULL, buf);

	for (sz = 0; sz < 40; sz += 13) {
		wmh_init(&h, buf, 1, sz, KIPC_WAIT_NONBLOCK);
		EXPECT_EQ(-EINVAL, wm_raw(&h)) TH_LOG("obj_size %u", sz);
	}
	wmh_init(&h, buf, 1, 39, KIPC_WAIT_NONBLOCK);
	EXPECT_EQ(-EINVAL, wm_raw(&h));
	wmh_init(&h, buf, 1, 4097, KIPC_WAIT_NONBLOCK);
	EXPECT_EQ(-EINVAL, wm_raw(&h));
	wmh_init(&h, buf, 1, UINT32_MAX, KIPC_WAIT_NONBLOCK);
	EXPECT_EQ(-EINVAL, wm_raw(&h));

	/* Larger than the module's struct: the extra bytes must be zero. */
	for (sz = 41; sz <= 4096; sz = sz < 64 ? sz + 7 : sz * 2) {
		memset(buf, 0, 2 * (4096 + 8));
		o = (struct kipc_wait_obj *)buf;
		o->fd = s1;
		o = (struct kipc_wait_obj *)(buf + sz);
		o->fd = s2;
		buf[sz + sz - 1] = 0x11;	/* object 1's last byte */
		wmh_init(&h, buf, 2, sz, KIPC_WAIT_NONBLOCK | KIPC_WAIT_ALL);
		EXPECT_EQ(-E2BIG, wm_raw(&h)) TH_LOG("obj_size %u", sz);
		EXPECT_EQ(1, sem_val(s1));
		EXPECT_EQ(1, sem_val(s2));
		buf[sz + sz - 1] = 0;
		buf[sz - 1] = 0x22;		/* object 0's last byte */
		EXPECT_EQ(-E2BIG, wm_raw(&h)) TH_LOG("obj_size %u", sz);
		buf[sz - 1] = 0;
		/* Zero: it works, at a stride of @sz. */
		ASSERT_EQ(0, wm_raw(&h)) TH_LOG("obj_size %u", sz);
		EXPECT_EQ(0, sem_val(s1));
		EXPECT_EQ(0, sem_val(s2));
		o = (struct kipc_wait_obj *)buf;
		EXPECT_EQ(1U, o->ready);
		o = (struct kipc_wait_obj *)(buf + sz);
		EXPECT_EQ(1U, o->ready);
		/* The bytes beyond were left alone. */
		EXPECT_EQ(0, buf[sz - 1]);
		EXPECT_EQ(0, buf[2 * sz - 1]);
		op.count = 1;
		ASSERT_EQ(0, kt_ioctl(s1, KIPC_SEM_IOC_POST, &op));
		ASSERT_EQ(0, kt_ioctl(s2, KIPC_SEM_IOC_POST, &op));
	}
	free(buf);
}

TEST_F(kipc, err_bad_fds)
{
	struct kipc_wait_obj o[2];
	struct kipc_mutex *hm;
	int s = sem_new(1), e = ev_new(KIPC_EVENT_SET), p[2];
	int nul, reg, cond, ewo, swo, closed, mfd, sro;

	ASSERT_LE(0, s);
	ASSERT_LE(0, e);
	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, nul);
	reg = kipc_region_create(NULL, 0600, 4096, 0);
	ASSERT_LE(0, reg);
	cond = kipc_cond_create(NULL, 0600, 0);
	ASSERT_LE(0, cond);
	ewo = kipc_reopen(e, KIPC_FD_WRONLY);
	ASSERT_LE(0, ewo);
	swo = kipc_reopen(s, KIPC_FD_WRONLY);
	ASSERT_LE(0, swo);
	ASSERT_EQ(0, kipc_pipe(p, 0, 0));
	ASSERT_EQ(1, write(p[1], "z", 1));
	mfd = mx_new(0, &hm);
	ASSERT_LE(0, mfd);
	closed = dup(nul);
	ASSERT_LE(0, closed);
	close(closed);

#define BAD(fd, err)							\
	do {								\
		wo_set(&o[0], s);					\
		wo_set(&o[1], (fd));					\
		EXPECT_EQ(err, kipc_wait_many(o, 2, 0, 0, NULL))	\
			TH_LOG("fd %s", #fd);				\
		EXPECT_EQ(err, kipc_wait_many(o, 2, KIPC_WAIT_ALL,	\
					      LONG_WAIT, NULL))		\
			TH_LOG("fd %s (all)", #fd);			\
		wo_set(&o[0], (fd));					\
		wo_set(&o[1], e);					\
		EXPECT_EQ(err, kipc_wait_many(o, 2, 0, LONG_WAIT, NULL))	\
			TH_LOG("fd %s first", #fd);			\
		EXPECT_EQ(1, sem_val(s));				\
		EXPECT_EQ(1, ev_is_set(e));				\
	} while (0)

	BAD(-1, -EBADF);
	BAD(closed, -EBADF);
	BAD(100000, -EBADF);
	BAD(nul, -EINVAL);
	BAD(kt_dev(), -EINVAL);		/* /dev/kipc itself */
	BAD(reg, -EINVAL);
	BAD(cond, -EINVAL);
	BAD(ewo, -EBADF);
	BAD(swo, -EBADF);
	BAD(p[1], -EBADF);		/* a pipe's write end */
#undef BAD
	/* The pipe's read end is fine (and ready). */
	wo_set(&o[0], p[0]);
	EXPECT_EQ(0, kipc_wait_many(o, 1, 0, 0, NULL));
	/* A read-only fd may wait, and take. */
	sro = kipc_reopen(s, KIPC_FD_RDONLY);
	ASSERT_LE(0, sro);
	wo_set(&o[0], sro);
	EXPECT_EQ(0, kipc_wait_many(o, 1, 0, 0, NULL));
	EXPECT_EQ(0, sem_val(s));
	EXPECT_EQ(0U, mx_owner(mfd));
	kipc_mutex_detach(hm);
}

TEST_F(kipc, err_same_object_twice)
{
	const char *name = kt_name("ev");
	struct kipc_wait_obj o[3];
	struct kipc_mutex *hm;
	int s = sem_new(1), e, e2, s2, sd, m, m2, x = sem_new(1);

	ASSERT_LE(0, s);
	ASSERT_LE(0, x);
	e = kipc_event_create(name, 0600, KIPC_EVENT_SET, 0);
	ASSERT_LE(0, e);
	e2 = kipc_event_open(name, 0);
	ASSERT_LE(0, e2);
	s2 = kipc_reopen(s, KIPC_FD_RDONLY);
	ASSERT_LE(0, s2);
	sd = dup(s);
	ASSERT_LE(0, sd);
	m = mx_new(0, &hm);
	ASSERT_LE(0, m);
	m2 = kipc_reopen(m, 0);
	ASSERT_LE(0, m2);

#define TWICE(a, b)							\
	do {								\
		wo_set(&o[0], x);					\
		wo_set(&o[1], (a));					\
		wo_set(&o[2], (b));					\
		EXPECT_EQ(-EINVAL, kipc_wait_many(o, 3, 0, 0, NULL))	\
			TH_LOG("%s, %s", #a, #b);			\
		EXPECT_EQ(-EINVAL, kipc_wait_many(o, 3, KIPC_WAIT_ALL,	\
						  0, NULL))		\
			TH_LOG("%s, %s (all)", #a, #b);			\
		EXPECT_EQ(1, sem_val(x));				\
	} while (0)

	TWICE(s, s);
	TWICE(s, s2);
	TWICE(s2, s);
	TWICE(s, sd);
	TWICE(e, e2);
	TWICE(m, m2);
	TWICE(x, s);	/* x at index 0 and 1 */
#undef TWICE
	EXPECT_EQ(1, sem_val(s));
	EXPECT_EQ(1, ev_is_set(e));
	EXPECT_EQ(0U, mx_owner(m));
	/* Different objects of one type are fine. */
	wo_set(&o[0], x);
	wo_set(&o[1], s);
	EXPECT_EQ(0, kipc_wait_many(o, 2, KIPC_WAIT_ALL, 0, NULL));
	kipc_mutex_detach(hm);
}

TEST_F(kipc, err_efault)
{
	struct kipc_wait_many h;
	struct kipc_wait_obj *o;
	size_t pg = kt_page_size();
	uint8_t *two;
	int s = sem_new(1), s2 = sem_new(1);
	void *bad = kt_noaccess_page();

	ASSERT_LE(0, s);
	ASSERT_LE(0, s2);
	ASSERT_NE(NULL, bad);
	EXPECT_EQ(-EFAULT, kipc_wait_many(NULL, 1, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, kipc_wait_many(bad, 1, 0, 0, NULL));
	wmh_init(&h, (void *)(uintptr_t)0x10, 1, OBJSZ, 0);
	EXPECT_EQ(-EFAULT, wm_raw(&h));
	wmh_init(&h, (void *)~(uintptr_t)0xfff, 1, OBJSZ, 0);
	EXPECT_EQ(-EFAULT, wm_raw(&h));

	/* The second object runs into a page that may not be touched. */
	two = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, mprotect(two + pg, pg, PROT_NONE));
	o = (struct kipc_wait_obj *)(two + pg - OBJSZ - 16);
	wo_set(&o[0], s);
	memset((uint8_t *)&o[1], 0, 16);
	((struct kipc_wait_obj *)((uint8_t *)o + OBJSZ))->fd = s2;
	EXPECT_EQ(-EFAULT, kipc_wait_many(o, 2, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, kipc_wait_many(o, 2, KIPC_WAIT_ALL, 0, NULL));
	EXPECT_EQ(1, sem_val(s));
	EXPECT_EQ(1, sem_val(s2));
	munmap(two, 2 * pg);
	munmap(bad, pg);
}

/* Results that cannot be written back: fail before anything is taken. */
TEST_F(kipc, err_readonly_memory)
{
	struct kipc_wait_obj o[3], *ro;
	struct kipc_wait_many h, *rh;
	struct kipc_mutex *hm;
	int e = ev_new(KIPC_EVENT_SET), s = sem_new(1), m = mx_new(0, &hm);

	ASSERT_LE(0, e);
	ASSERT_LE(0, s);
	ASSERT_LE(0, m);
	wo_set(&o[0], e);
	wo_set(&o[1], s);
	wo_set(&o[2], m);
	ro = kt_readonly_copy(o, sizeof(o));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, kipc_wait_many(ro, 3, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, kipc_wait_many(ro, 3, 0, LONG_WAIT, NULL));
	EXPECT_EQ(-EFAULT, kipc_wait_many(ro, 3, KIPC_WAIT_ALL, 0, NULL));
	EXPECT_EQ(-EFAULT, kipc_wait_many(&ro[1], 1, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, kipc_wait_many(&ro[2], 1, 0, 0, NULL));
	EXPECT_UNTOUCHED(e, s, m);

	/* A read-only header. */
	wmh_init(&h, o, 3, OBJSZ, KIPC_WAIT_ALL);
	rh = kt_readonly_copy(&h, sizeof(h));
	ASSERT_NE(NULL, rh);
	EXPECT_EQ(-EFAULT, wm_raw(rh));
	EXPECT_UNTOUCHED(e, s, m);

	/* Writable: taken. */
	EXPECT_EQ(0, wm(o, 3, KIPC_WAIT_ALL, 0, NULL));
	EXPECT_EQ(0, ev_is_set(e));
	EXPECT_EQ(0, sem_val(s));
	EXPECT_EQ(my_tid(), mx_owner(m));
	EXPECT_EQ(0, kipc_mutex_unlock(hm));
	munmap(ro, kt_page_size());
	munmap(rh, kt_page_size());
	kipc_mutex_detach(hm);
}

TEST_F(kipc, err_edeadlk)
{
	struct kipc_wait_obj o[3];
	struct kipc_mutex *hm;
	unsigned int idx;
	int e = ev_new(0), s = sem_new(1), m = mx_new(0, &hm);
	int64_t t0;

	ASSERT_LE(0, e);
	ASSERT_LE(0, s);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, kipc_mutex_lock(hm, 0));
	wo_set(&o[0], e);
	wo_set(&o[1], m);
	wo_set(&o[2], s);

	/* Any: the mutex is reached before the semaphore; at once. */
	t0 = kt_now_ns();
	EXPECT_EQ(-EDEADLK, wm(o, 3, 0, LONG_WAIT, &idx));
	EXPECT_GT(2 * SEC, kt_now_ns() - t0);
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(0U, n_ready(o, 3));
	EXPECT_EQ(0, o[1].error);
	EXPECT_EQ(1, sem_val(s));
	EXPECT_EQ(-EDEADLK, wm(o, 3, 0, 0, &idx));
	EXPECT_EQ(1U, idx);

	/* All: nothing taken either. */
	ASSERT_EQ(0, kipc_event_signal(e, 1));
	EXPECT_EQ(-EDEADLK, wm(o, 3, KIPC_WAIT_ALL, LONG_WAIT, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(0U, n_ready(o, 3));
	EXPECT_EQ(1, sem_val(s));
	EXPECT_EQ(1, ev_is_set(e));

	/* Still held once, by the caller. */
	EXPECT_EQ(my_tid(), mx_owner(m));
	EXPECT_EQ(0, kipc_mutex_unlock(hm));
	EXPECT_EQ(0U, mx_owner(m));
	kipc_mutex_detach(hm);
}

TEST_F(kipc, err_notrecoverable)
{
	struct kipc_wait_obj o[3];
	struct kipc_mutex_info in;
	struct kipc_mutex *hm;
	unsigned int idx;
	int e = ev_new(0), s = sem_new(1), m = mx_new(0, &hm);
	int64_t t0;

	ASSERT_LE(0, e);
	ASSERT_LE(0, s);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, make_notrecoverable(m, hm));
	wo_set(&o[0], e);
	wo_set(&o[1], m);
	wo_set(&o[2], s);

	t0 = kt_now_ns();
	EXPECT_EQ(-ENOTRECOVERABLE, wm(o, 3, 0, LONG_WAIT, &idx));
	EXPECT_GT(2 * SEC, kt_now_ns() - t0);
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(0U, n_ready(o, 3));
	EXPECT_EQ(1, sem_val(s));

	ASSERT_EQ(0, kipc_event_signal(e, 1));
	EXPECT_EQ(-ENOTRECOVERABLE, wm(o, 3, KIPC_WAIT_ALL, 0, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(0U, n_ready(o, 3));
	EXPECT_EQ(1, sem_val(s));
	EXPECT_EQ(1, ev_is_set(e));
	ASSERT_EQ(0, mx_info(m, &in));
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_NOTRECOVERABLE, in.state);
	EXPECT_EQ(0U, in.owner_tid);
	kipc_mutex_detach(hm);
}

TEST_F(kipc, deadline_in_the_past)
{
	struct kipc_wait_many h;
	struct kipc_wait_obj o[2];
	int e = ev_new(0), s = sem_new(0);
	int64_t t0;

	ASSERT_LE(0, e);
	ASSERT_LE(0, s);
	wo_set(&o[0], e);
	wo_set(&o[1], s);
	/* At 0, a second after boot, and a moment ago. */
	wmh_init(&h, o, 2, OBJSZ, KIPC_WAIT_DEADLINE);
	t0 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, wm_raw(&h));
	wmh_init(&h, o, 2, OBJSZ, KIPC_WAIT_DEADLINE | KIPC_WAIT_ALL);
	h.deadline.tv_sec = 1;
	EXPECT_EQ(-ETIMEDOUT, wm_raw(&h));
	wmh_init(&h, o, 2, OBJSZ, KIPC_WAIT_DEADLINE);
	h.deadline = kt_ts_at(kt_now_ns() - MS);
	EXPECT_EQ(-ETIMEDOUT, wm_raw(&h));
	EXPECT_GT(SEC, kt_now_ns() - t0);
	EXPECT_EQ(0U, h.index);

	/* Ready: taken, past deadline or not. */
	ASSERT_EQ(0, kipc_event_signal(e, 6));
	ASSERT_EQ(0, kt_ioctl(s, KIPC_SEM_IOC_POST,
			      &(struct kipc_sem_op){ .count = 1 }));
	wmh_init(&h, o, 2, OBJSZ, KIPC_WAIT_DEADLINE | KIPC_WAIT_ALL);
	EXPECT_EQ(0, wm_raw(&h));
	EXPECT_EQ(6ULL, o[0].value);
	EXPECT_EQ(0, ev_is_set(e));
	EXPECT_EQ(0, sem_val(s));
	ASSERT_EQ(0, kipc_event_signal(e, 7));
	wmh_init(&h, o, 2, OBJSZ, KIPC_WAIT_DEADLINE);
	EXPECT_EQ(0, wm_raw(&h));
	EXPECT_EQ(7ULL, o[0].value);
}

/* ---- signals -------------------------------------------------------------------- */

static void hit_handler(int sig)
{
	__atomic_add_fetch(&g_sh->hits, 1, __ATOMIC_SEQ_CST);
}

static void set_handler(int sig, int flags)
{
	kt_on_signal(sig, hit_handler, flags);
}

/*
 * All-mode waits here have a set event and a semaphore at 0: something
 * ready that a wrong interruption could take.
 */
TEST_F(kipc, signal_interrupts_with_eintr)
{
	struct kipc_wait_obj o[2];
	struct agent_cmd c;
	struct agent a;
	unsigned int idx;
	int e = ev_new_val(KIPC_EVENT_SET, 3), s = sem_new(0);

	ASSERT_LE(0, e);
	ASSERT_LE(0, s);
	g_sh = shm_new(sizeof(*g_sh));
	ASSERT_NE(NULL, g_sh);
	set_handler(SIGUSR1, 0);
	ASSERT_EQ(0, agent_start(&a));
	wo_set(&o[0], e);
	wo_set(&o[1], s);

	/* All-mode with a deadline: nothing may be taken. */
	memset(&c, 0, sizeof(c));
	c.value = SIGUSR1;
	ASSERT_EQ(0, agent_send(&a, AG_KILL_PARENT, 1, &c));
	EXPECT_EQ(-EINTR, wm(o, 2, KIPC_WAIT_ALL, LONG_WAIT, &idx));
	EXPECT_EQ(0, agent_result(&a));
	EXPECT_EQ(1, g_sh->hits);
	EXPECT_EQ(1, ev_is_set(e));
	EXPECT_EQ(0, sem_val(s));

	/* Any-mode, no deadline. */
	ASSERT_EQ(0, agent_send(&a, AG_KILL_PARENT, 1, &c));
	EXPECT_EQ(-EINTR, wm(&o[1], 1, 0, KIPC_INFINITE, &idx));
	EXPECT_EQ(0, agent_result(&a));
	EXPECT_EQ(2, g_sh->hits);
	EXPECT_EQ(1, ev_is_set(e));
	signal(SIGUSR1, SIG_DFL);
}

TEST_F(kipc, signal_restarts_with_sa_restart)
{
	struct kipc_wait_obj o[2];
	struct kipc_sem *hs;
	struct agent_cmd c;
	struct agent a;
	unsigned int idx;
	int e = ev_new_val(KIPC_EVENT_SET, 3), s = sem_new(0);
	int e2 = ev_new(0);

	ASSERT_LE(0, e);
	ASSERT_LE(0, s);
	ASSERT_LE(0, e2);
	ASSERT_EQ(0, kipc_sem_attach(s, &hs));
	g_sh = shm_new(sizeof(*g_sh));
	ASSERT_NE(NULL, g_sh);
	set_handler(SIGUSR1, SA_RESTART);
	ASSERT_EQ(0, agent_start(&a));
	wo_set(&o[0], e);
	wo_set(&o[1], s);

	/*
	 * All-mode: signal, wait for the handler to run, then post the
	 * semaphore (fast path) once the restarted wait sleeps again.
	 */
	memset(&c, 0, sizeof(c));
	c.value = SIGUSR1;
	ASSERT_EQ(0, agent_send(&a, AG_KILL_PARENT, 1, &c));
	c.value = 1;
	ASSERT_EQ(0, agent_send(&a, AG_WAIT_HITS, 0, &c));
	memset(&c, 0, sizeof(c));
	c.s = hs;
	ASSERT_EQ(0, agent_send(&a, AG_POST, 1, &c));
	ASSERT_EQ(0, wm(o, 2, KIPC_WAIT_ALL, LONG_WAIT, &idx));
	EXPECT_EQ(0, agent_result(&a));
	EXPECT_EQ(0, agent_result(&a));
	EXPECT_EQ(0, agent_result(&a));
	EXPECT_EQ(1, g_sh->hits);
	EXPECT_EQ(2U, n_ready(o, 2));
	EXPECT_EQ(3ULL, o[0].value);
	EXPECT_EQ(0, ev_is_set(e));
	EXPECT_EQ(0, sem_val(s));

	/* Any-mode, no deadline: completed by an event. */
	wo_set(&o[0], s);
	wo_set(&o[1], e2);
	memset(&c, 0, sizeof(c));
	c.value = SIGUSR1;
	ASSERT_EQ(0, agent_send(&a, AG_KILL_PARENT, 1, &c));
	c.value = 2;
	ASSERT_EQ(0, agent_send(&a, AG_WAIT_HITS, 0, &c));
	c.fd = e2;
	c.value = 32;
	ASSERT_EQ(0, agent_send(&a, AG_SIGNAL, 1, &c));
	ASSERT_EQ(0, wm(o, 2, 0, KIPC_INFINITE, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(32ULL, o[1].value);
	EXPECT_EQ(0, agent_result(&a));
	EXPECT_EQ(0, agent_result(&a));
	EXPECT_EQ(0, agent_result(&a));
	EXPECT_EQ(2, g_sh->hits);
	signal(SIGUSR1, SIG_DFL);
	kipc_sem_detach(hs);
}

/* ---- poll and epoll on a mutex fd ----------------------------------------------- */

TEST_F(kipc, mutex_poll_states)
{
	struct pollfd p;
	struct kipc_mutex *h;
	int fd = mx_new(0, &h);

	ASSERT_LE(0, fd);
	p.fd = fd;
	p.events = POLLIN;
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN, p.revents & (POLLIN | POLLERR));
	/* Held, even by the caller: not readable. */
	ASSERT_EQ(0, kipc_mutex_lock(h, 0));
	EXPECT_EQ(0, poll(&p, 1, 0));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN, p.revents & (POLLIN | POLLERR));
	/* Not recoverable: an error. */
	ASSERT_EQ(0, make_notrecoverable(fd, h));
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLERR, p.revents & (POLLIN | POLLERR));
	kipc_mutex_detach(h);
}

static int epoll_one(int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0)
		return -errno;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
		close(ep);
		return -errno;
	}
	return ep;
}

TEST_F(kipc, mutex_epoll_fast_path_unlock)
{
	struct epoll_event ev;
	struct pollfd p;
	struct kipc_mutex *h;
	struct agent_cmd c;
	struct agent a;
	uint32_t *w;
	int fd = mx_new(0, &h), ep;

	ASSERT_LE(0, fd);
	w = map_word(fd);
	ASSERT_NE(NULL, w);
	g_sh = shm_new(sizeof(*g_sh));
	ASSERT_NE(NULL, g_sh);
	ASSERT_EQ(0, agent_start(&a));
	ASSERT_EQ(0, agent_lock(&a, h));
	EXPECT_EQ((uint32_t)a.pid, *w);	/* locked in user space */

	p.fd = fd;
	p.events = POLLIN;
	EXPECT_EQ(0, poll(&p, 1, 0));
	ep = epoll_one(fd, EPOLLIN);
	ASSERT_LE(0, ep);
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));

	memset(&c, 0, sizeof(c));
	c.m = h;
	c.word = w;
	ASSERT_EQ(0, agent_send(&a, AG_UNLOCK, 1, &c));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, LONG_WAIT / MS));
	EXPECT_NE(0U, ev.events & EPOLLIN);
	EXPECT_EQ(0U, ev.events & EPOLLERR);
	EXPECT_EQ(0, agent_result(&a));
	/* The poll had armed the word, so the unlock came to the kernel. */
	EXPECT_EQ((uint32_t)a.pid | KIPC_MUTEX_WAITERS, g_sh->word);
	EXPECT_EQ(0U, *w);
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN, p.revents);

	/* Once more, locked and unlocked while nobody polls. */
	ASSERT_EQ(0, agent_lock(&a, h));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, agent_send(&a, AG_UNLOCK, 0, &c));
	EXPECT_EQ(0, agent_result(&a));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, LONG_WAIT / MS));
	EXPECT_NE(0U, ev.events & EPOLLIN);
	close(ep);
	kipc_mutex_detach(h);
	munmap(w, KIPC_MUTEX_MAP_SIZE);
}

TEST_F(kipc, mutex_epoll_owner_killed)
{
	struct epoll_event ev;
	struct kipc_mutex *h;
	struct agent a;
	int fd = mx_new(0, &h), ep;

	ASSERT_LE(0, fd);
	g_sh = shm_new(sizeof(*g_sh));
	ASSERT_NE(NULL, g_sh);
	ASSERT_EQ(0, agent_start(&a));
	ASSERT_EQ(0, agent_lock(&a, h));
	ep = epoll_one(fd, EPOLLIN);
	ASSERT_LE(0, ep);
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, agent_send(&a, AG_DIE, 1, NULL));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, LONG_WAIT / MS));
	EXPECT_NE(0U, ev.events & EPOLLIN);
	EXPECT_EQ(256 + SIGKILL, kt_reap(a.pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-EOWNERDEAD, kipc_mutex_lock(h, 0));
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	close(ep);
	kipc_mutex_detach(h);
}

TEST_F(kipc, mutex_epoll_err_notrecoverable)
{
	struct epoll_event ev;
	struct kipc_mutex *h;
	struct agent a;
	int fd = mx_new(0, &h), ep;

	ASSERT_LE(0, fd);
	g_sh = shm_new(sizeof(*g_sh));
	ASSERT_NE(NULL, g_sh);
	ASSERT_EQ(0, agent_start(&a));
	ASSERT_EQ(0, agent_lock(&a, h));
	ASSERT_EQ(0, kill(a.pid, SIGKILL));
	ASSERT_EQ(256 + SIGKILL, kt_reap(a.pid, KT_CHILD_TIMEOUT_MS));
	/* Taken from the dead owner: held, not readable. */
	ASSERT_EQ(-EOWNERDEAD, kipc_mutex_lock(h, 0));
	ep = epoll_one(fd, EPOLLIN);
	ASSERT_LE(0, ep);
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	/* Unlocked without consistent: not recoverable, an error. */
	ASSERT_EQ(0, kipc_mutex_unlock(h));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, LONG_WAIT / MS));
	EXPECT_NE(0U, ev.events & EPOLLERR);
	EXPECT_EQ(0U, ev.events & EPOLLIN);
	close(ep);
	kipc_mutex_detach(h);
}

/* ---- stress ------------------------------------------------------------------------ */

struct stress_any_sh {
	int taken[4];		/* by the waits for many: s1, s2, e1, e2 */
	int plain;		/* s1 units taken by kipc_sem_wait() */
	int total;
	uint64_t evsum[2];	/* values of the signals taken */
	uint64_t evsent[2];	/* values of the signals sent */
	int errors;
	int first_err;
	int first_where;
};

static void stress_err(struct stress_any_sh *sh, int err, int where)
{
	if (__atomic_add_fetch(&sh->errors, 1, __ATOMIC_SEQ_CST) == 1) {
		sh->first_err = err;
		sh->first_where = where;
	}
}

/*
 * K producers post two semaphores and signal two auto-reset events (one
 * signal at a time per event: a credit semaphore of maximum 1 says when
 * the last one was taken, so no signal can be merged with another); M
 * consumers wait for any of them and a plain consumer takes from the
 * first semaphore, fast path included.  Every unit and every signal is
 * taken exactly once.
 */
TEST_F_TIMEOUT(kipc, stress_any_exact_counts, 180)
{
	enum { K = 2, PER = 250, M = 2, TOTAL = K * PER * 4 };
	struct stress_any_sh *sh;
	struct kipc_sem *hs1, *hc[2];
	int s1, s2, e[2], c[2], stop, i, ret;
	pid_t prod[K], cons[M + 1];
	int64_t t0 = kt_now_ns();

	sh = shm_new(sizeof(*sh));
	ASSERT_NE(NULL, sh);
	s1 = sem_new(0);
	s2 = sem_new(0);
	ASSERT_LE(0, s1);
	ASSERT_LE(0, s2);
	for (i = 0; i < 2; i++) {
		e[i] = ev_new(0);
		c[i] = kipc_sem_create(NULL, 0600, 1, 1, 0);
		ASSERT_LE(0, e[i]);
		ASSERT_LE(0, c[i]);
		ASSERT_EQ(0, kipc_sem_attach(c[i], &hc[i]));
	}
	stop = ev_new(KIPC_EVENT_MANUAL_RESET);
	ASSERT_LE(0, stop);
	ASSERT_EQ(0, kipc_sem_attach(s1, &hs1));

	for (i = 0; i < M; i++) {
		cons[i] = kt_fork();
		ASSERT_LE(0, cons[i]);
		if (cons[i] == 0) {
			struct kipc_wait_obj o[5];
			int fds[5] = { s1, s2, e[0], e[1], stop };
			unsigned int idx;

			wo_fill(o, fds, 5);
			for (;;) {
				ret = kipc_wait_many(o, 5, 0, 10 * SEC, &idx);
				if (ret) {
					stress_err(sh, ret, 1);
					break;
				}
				if (idx > 4 || n_ready(o, 5) != 1 ||
				    o[idx].ready != 1 || o[idx].error) {
					stress_err(sh, -EPROTO, 2);
					break;
				}
				if (idx == 4)
					break;
				__atomic_add_fetch(&sh->taken[idx], 1,
						   __ATOMIC_SEQ_CST);
				if (idx >= 2) {
					__atomic_add_fetch(&sh->evsum[idx - 2],
							   o[idx].value,
							   __ATOMIC_SEQ_CST);
					/* Max 1: a second take overflows. */
					ret = kipc_sem_post(hc[idx - 2], 1, 0);
					if (ret)
						stress_err(sh, ret, 3);
				}
				if (__atomic_add_fetch(&sh->total, 1,
						       __ATOMIC_SEQ_CST) == TOTAL)
					kipc_event_signal(stop, 1);
			}
			_exit(0);
		}
	}
	/* The plain consumer of s1. */
	cons[M] = kt_fork();
	ASSERT_LE(0, cons[M]);
	if (cons[M] == 0) {
		int64_t end = kt_now_ns() + 120 * SEC;

		while (ev_is_set(stop) == 0 && kt_now_ns() < end) {
			ret = kipc_sem_wait(hs1, 20 * MS, 0);
			if (ret == -ETIMEDOUT)
				continue;
			if (ret) {
				stress_err(sh, ret, 4);
				break;
			}
			__atomic_add_fetch(&sh->plain, 1, __ATOMIC_SEQ_CST);
			if (__atomic_add_fetch(&sh->total, 1,
					       __ATOMIC_SEQ_CST) == TOTAL)
				kipc_event_signal(stop, 1);
		}
		_exit(0);
	}
	for (i = 0; i < K; i++) {
		prod[i] = kt_fork();
		ASSERT_LE(0, prod[i]);
		if (prod[i] == 0) {
			struct kipc_sem *h1, *h2;
			uint64_t v;
			int j, k;

			/* Own handles: the fast path, as a producer has. */
			if (kipc_sem_attach(s1, &h1) || kipc_sem_attach(s2, &h2))
				_exit(1);
			for (j = 0; j < PER; j++) {
				if (kipc_sem_post(h1, 1, 0) ||
				    kipc_sem_post(h2, 1, 0))
					_exit(2);
				for (k = 0; k < 2; k++) {
					v = ((uint64_t)(i + 1) << 32) | (j + 1);
					if (kipc_sem_wait(hc[k], 20 * SEC, 0))
						_exit(3);
					__atomic_add_fetch(&sh->evsent[k], v,
							   __ATOMIC_SEQ_CST);
					if (kipc_event_signal(e[k], v))
						_exit(4);
				}
			}
			_exit(0);
		}
	}
	for (i = 0; i < K; i++) {
		EXPECT_EQ(0, kt_reap(prod[i], 120 * 1000)) TH_LOG("producer %d", i);
	}
	EXPECT_EQ(0, kipc_event_wait(stop, 60 * SEC, NULL))
		TH_LOG("total %d of %d", sh->total, TOTAL);
	for (i = 0; i <= M; i++) {
		EXPECT_EQ(0, kt_reap(cons[i], 30 * 1000)) TH_LOG("consumer %d", i);
	}

	EXPECT_EQ(0, sh->errors)
		TH_LOG("first error %d at %d", sh->first_err, sh->first_where);
	EXPECT_EQ(TOTAL, sh->total);
	EXPECT_EQ(K * PER, sh->taken[0] + sh->plain);
	EXPECT_EQ(K * PER, sh->taken[1]);
	EXPECT_EQ(K * PER, sh->taken[2]);
	EXPECT_EQ(K * PER, sh->taken[3]);
	EXPECT_EQ(sh->evsent[0], sh->evsum[0]);
	EXPECT_EQ(sh->evsent[1], sh->evsum[1]);
	EXPECT_EQ(0, sem_val(s1));
	EXPECT_EQ(0, sem_val(s2));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, ev_is_set(e[i]));
		EXPECT_EQ(1, sem_val(c[i]));
	}
	TH_LOG("%lld ms; s1: %d by waits for many, %d by kipc_sem_wait",
	       (long long)((kt_now_ns() - t0) / MS), sh->taken[0], sh->plain);
	kt_soak_count(K + M + 1, 2ULL * sh->total);
	kipc_sem_detach(hs1);
	kipc_sem_detach(hc[0]);
	kipc_sem_detach(hc[1]);
}

struct stress_all_sh {
	int taken;
	int errors;
	int first_err;
	int done;
};

/*
 * M consumers wait for all of {A, B} (in either array order); A is
 * posted first with B at 0, which must leave A alone, then A and B are
 * posted concurrently.  Every take is of one unit of each.
 */
TEST_F_TIMEOUT(kipc, stress_all_pairs, 180)
{
	enum { N = 2000, M = 2 };
	struct stress_all_sh *sh;
	struct kipc_sem *ha, *hb;
	int A = sem_new(0), B = sem_new(0), i;
	pid_t cons[M], pa, pb;
	int64_t end, t0 = kt_now_ns();

	ASSERT_LE(0, A);
	ASSERT_LE(0, B);
	ASSERT_EQ(0, kipc_sem_attach(A, &ha));
	ASSERT_EQ(0, kipc_sem_attach(B, &hb));
	sh = shm_new(sizeof(*sh));
	ASSERT_NE(NULL, sh);

	for (i = 0; i < M; i++) {
		cons[i] = kt_fork();
		ASSERT_LE(0, cons[i]);
		if (cons[i] == 0) {
			struct kipc_wait_obj o[2];
			int64_t stop = kt_now_ns() + 150 * SEC;
			int ret, a = i & 1;

			wo_set(&o[a], A);
			wo_set(&o[!a], B);
			while (kt_now_ns() < stop) {
				ret = kipc_wait_many(o, 2, KIPC_WAIT_ALL,
						     50 * MS, NULL);
				if (ret == -ETIMEDOUT) {
					if (__atomic_load_n(&sh->done,
							    __ATOMIC_SEQ_CST))
						break;
					continue;
				}
				if (ret || o[0].ready != 1 || o[1].ready != 1) {
					if (__atomic_add_fetch(&sh->errors, 1,
							       __ATOMIC_SEQ_CST) == 1)
						sh->first_err = ret ? ret : -EPROTO;
					break;
				}
				if (__atomic_add_fetch(&sh->taken, 1,
						       __ATOMIC_SEQ_CST) == N)
					__atomic_store_n(&sh->done, 1,
							 __ATOMIC_SEQ_CST);
			}
			_exit(0);
		}
	}

	/* Phase 1: A alone; nothing may be taken. */
	pa = kt_fork();
	ASSERT_LE(0, pa);
	if (pa == 0) {
		for (i = 0; i < N / 2; i++)
			if (kipc_sem_post(ha, 1, 0))
				_exit(1);
		_exit(0);
	}
	ASSERT_EQ(0, kt_reap(pa, 60 * 1000));
	EXPECT_EQ(N / 2, sem_val(A));
	EXPECT_EQ(0, sh->taken);

	/* Phase 2: the rest of A and all of B, concurrently. */
	pa = kt_fork();
	ASSERT_LE(0, pa);
	if (pa == 0) {
		for (i = 0; i < N / 2; i++)
			if (kipc_sem_post(ha, 1, 0))
				_exit(1);
		_exit(0);
	}
	pb = kt_fork();
	ASSERT_LE(0, pb);
	if (pb == 0) {
		for (i = 0; i < N; i++)
			if (kipc_sem_post(hb, 1, 0))
				_exit(1);
		_exit(0);
	}
	EXPECT_EQ(0, kt_reap(pa, 60 * 1000));
	EXPECT_EQ(0, kt_reap(pb, 60 * 1000));
	end = kt_now_ns() + 60 * SEC;
	while (!__atomic_load_n(&sh->done, __ATOMIC_SEQ_CST) &&
	       !__atomic_load_n(&sh->errors, __ATOMIC_SEQ_CST) &&
	       kt_now_ns() < end)
		kt_sleep_ms(5);
	for (i = 0; i < M; i++) {
		EXPECT_EQ(0, kt_reap(cons[i], 30 * 1000));
	}
	EXPECT_EQ(0, sh->errors) TH_LOG("first error %d", sh->first_err);
	TH_LOG("%lld ms", (long long)((kt_now_ns() - t0) / MS));
	EXPECT_EQ(N, sh->taken);
	EXPECT_EQ(0, sem_val(A));
	EXPECT_EQ(0, sem_val(B));
	/* Posts of A and B, and the waits for both. */
	kt_soak_count(M + 2, 3ULL * sh->taken);
	kipc_sem_detach(ha);
	kipc_sem_detach(hb);
}

TEST_HARNESS_MAIN
