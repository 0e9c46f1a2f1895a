// SPDX-License-Identifier: GPL-2.0
/*
 * kipc selftests of signals on every object that can become ready:
 * O_ASYNC with F_SETOWN and F_SETSIG, KIPC_IOC_NOTIFY (kipc_notify()), and
 * KIPC_IOC_SIGNAL_HOLDERS (kipc_signal_holders()) across uids.
 *
 * The per-type tests run once per type (a fixture variant): an object is
 * made unready, the signal set up, then the object made ready, by this
 * process or a child.  The signals are blocked and taken with
 * sigtimedwait(), so each is seen exactly once with its siginfo.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "kipc_test_util.h"

#define SIG_NOTE	SIGUSR1
#define WAIT_MS		2000

/* ---- one object of each type that can become ready ------------------------- */

struct obj {
	uint32_t type;
	int fd;			/* the fd signals are asked on (readable) */
	int peer;		/* where it is made ready, or -1 */
	struct kipc_sem *sem;
	struct kipc_mutex *mx;
};

static int obj_make(struct obj *o, uint32_t type)
{
	int fds[2], ret;

	memset(o, 0, sizeof(*o));
	o->type = type;
	o->peer = -1;
	switch (type) {
	case KIPC_TYPE_EVENT:
		o->fd = kipc_event_create(NULL, 0600, 0, 0);
		return o->fd < 0 ? o->fd : 0;
	case KIPC_TYPE_QUEUE:
		o->fd = kipc_queue_create(NULL, 0600, 8, 16, 0);
		return o->fd < 0 ? o->fd : 0;
	case KIPC_TYPE_SEMAPHORE:
		o->fd = kipc_sem_create(NULL, 0600, 0, 100000, 0);
		if (o->fd < 0)
			return o->fd;
		return kipc_sem_attach(o->fd, &o->sem);
	case KIPC_TYPE_MUTEX:
		o->fd = kipc_mutex_create(NULL, 0600, 0, 0);
		if (o->fd < 0)
			return o->fd;
		ret = kipc_mutex_attach(o->fd, &o->mx);
		/* Held: unlocking makes it ready. */
		return ret ?: kipc_mutex_lock(o->mx, 0);
	case KIPC_TYPE_PIPE:
		ret = kipc_pipe(fds, 4096, 0);
		o->fd = fds[0];
		o->peer = fds[1];
		return ret;
	case KIPC_TYPE_CHANNEL:
		ret = kipc_channel_pair(fds, NULL, 0);
		o->fd = fds[0];
		o->peer = fds[1];
		return ret;
	}
	return -EINVAL;
}

/* Make @o ready once: 0 or -errno. */
static int obj_ready(struct obj *o)
{
	char c = 'x';

	switch (o->type) {
	case KIPC_TYPE_EVENT:
		return kipc_event_signal(o->fd, 1);
	case KIPC_TYPE_QUEUE:
		return kipc_queue_send(o->fd, &c, 1, 0, 0);
	case KIPC_TYPE_SEMAPHORE:
		return kipc_sem_post(o->sem, 1, 0);
	case KIPC_TYPE_MUTEX:
		return kipc_mutex_unlock(o->mx);
	case KIPC_TYPE_PIPE:
		return write(o->peer, &c, 1) == 1 ? 0 : -errno;
	case KIPC_TYPE_CHANNEL:
		return kipc_channel_send(o->peer, &c, 1, 0);
	}
	return -EINVAL;
}

/* Make @o unready again (take what obj_ready() gave): 0 or -errno. */
static int obj_unready(struct obj *o)
{
	uint64_t v;
	size_t len;
	char c;

	switch (o->type) {
	case KIPC_TYPE_EVENT:
		return kipc_event_trywait(o->fd, &v);
	case KIPC_TYPE_QUEUE:
		return kipc_queue_recv(o->fd, &c, 1, NULL, 0) == 1 ? 0 : -EIO;
	case KIPC_TYPE_SEMAPHORE:
		return kipc_sem_wait(o->sem, 0, 0);
	case KIPC_TYPE_MUTEX:
		return kipc_mutex_lock(o->mx, 0);
	case KIPC_TYPE_PIPE:
		return read(o->fd, &c, 1) == 1 ? 0 : -errno;
	case KIPC_TYPE_CHANNEL:
		return kipc_channel_recv(o->fd, &c, 1, &len, 0) == 1 ? 0 : -EIO;
	}
	return -EINVAL;
}

static void obj_free(struct obj *o)
{
	if (o->mx)
		kipc_mutex_detach(o->mx);
	if (o->sem)
		kipc_sem_detach(o->sem);
	o->mx = NULL;
	o->sem = NULL;
}

/* The si_code kipc_notify() sends for @type. */
static int notify_code(uint32_t type)
{
	return type == KIPC_TYPE_QUEUE ? SI_MESGQ : SI_QUEUE;
}

static int set_async(int fd, int sig)
{
	if (fcntl(fd, F_SETOWN, getpid()) ||
	    fcntl(fd, F_SETSIG, sig) ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC))
		return -errno;
	return 0;
}

static int clear_async(int fd)
{
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_ASYNC) ? -errno : 0;
}

static int raw_notify(int fd, uint32_t flags, uint32_t signo, uint64_t value,
		      uint64_t r0, uint64_t r1)
{
	struct kipc_notify n = {
		.flags = flags, .signo = signo, .value = value,
		.reserved = { r0, r1 },
	};

	return kt_ioctl(fd, KIPC_IOC_NOTIFY, &n);
}

/* ---- per-type tests -------------------------------------------------------- */

KT_FIXTURE_NAMED(types, (void)0)

FIXTURE_VARIANT(types) {
	uint32_t type;
};

FIXTURE_VARIANT_ADD(types, event) { .type = KIPC_TYPE_EVENT };
FIXTURE_VARIANT_ADD(types, queue) { .type = KIPC_TYPE_QUEUE };
FIXTURE_VARIANT_ADD(types, semaphore) { .type = KIPC_TYPE_SEMAPHORE };
FIXTURE_VARIANT_ADD(types, mutex) { .type = KIPC_TYPE_MUTEX };
FIXTURE_VARIANT_ADD(types, pipe) { .type = KIPC_TYPE_PIPE };
FIXTURE_VARIANT_ADD(types, channel) { .type = KIPC_TYPE_CHANNEL };

/* Plain O_ASYNC: SIGIO, each time the object becomes ready. */
TEST_F(types, async_sigio)
{
	struct obj o;
	siginfo_t si;
	int i;

	ASSERT_EQ(0, obj_make(&o, variant->type));
	kt_block_signal(SIGIO, true);
	ASSERT_EQ(0, fcntl(o.fd, F_SETOWN, getpid()));
	ASSERT_EQ(0, fcntl(o.fd, F_SETFL, fcntl(o.fd, F_GETFL) | O_ASYNC));
	EXPECT_EQ(0, kt_take_signal(SIGIO, &si, 0));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, obj_ready(&o));
		/* Sent before the call that made it ready returned. */
		ASSERT_EQ(1, kt_take_signal(SIGIO, &si, 0));
		EXPECT_EQ(SIGIO, si.si_signo);
		ASSERT_EQ(0, obj_unready(&o));
		kt_take_signal(SIGIO, &si, 0);	/* a POLL_OUT, for some */
	}
	/* O_ASYNC off: no more. */
	ASSERT_EQ(0, clear_async(o.fd));
	ASSERT_EQ(0, obj_ready(&o));
	EXPECT_EQ(0, kt_take_signal(SIGIO, &si, 0));
	obj_free(&o);
}

/* F_SETSIG: the chosen signal with si_fd and si_band, as for a pipe. */
TEST_F(types, async_setsig_fd_band)
{
	const int sig = SIGRTMIN + 1;
	struct kt_report r;
	struct obj o;
	siginfo_t si;
	int rep[2];
	pid_t pid;

	ASSERT_EQ(0, obj_make(&o, variant->type));
	ASSERT_EQ(0, pipe(rep));
	kt_block_signal(sig, true);
	ASSERT_EQ(0, set_async(o.fd, sig));
	EXPECT_EQ(sig, fcntl(o.fd, F_GETSIG));

	/* Made ready by another process (the mutex: by its owner, here). */
	if (variant->type == KIPC_TYPE_MUTEX) {
		ASSERT_EQ(0, obj_ready(&o));
	} else {
		pid = kt_fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			kt_report(rep[1], 0, obj_ready(&o), 0);
			_exit(0);
		}
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, r.ret);
		EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	}
	ASSERT_EQ(1, kt_take_signal(sig, &si, WAIT_MS));
	EXPECT_EQ(sig, si.si_signo);
	EXPECT_EQ(POLL_IN, si.si_code);
	EXPECT_EQ(o.fd, si.si_fd);
	EXPECT_TRUE(si.si_band & POLLIN);
	EXPECT_EQ(0, kt_take_signal(sig, &si, 0));
	ASSERT_EQ(0, obj_unready(&o));
	obj_free(&o);
}

/* One-shot: one signal with si_value, then none until registered again. */
TEST_F(types, notify_once)
{
	const uint64_t value = 0x1122334455667788ULL;
	struct obj o;
	siginfo_t si;

	ASSERT_EQ(0, obj_make(&o, variant->type));
	kt_block_signal(SIG_NOTE, true);
	ASSERT_EQ(0, kipc_notify(o.fd, SIG_NOTE, value, 0));
	EXPECT_EQ(0, kt_take_signal(SIG_NOTE, &si, 0));
	ASSERT_EQ(0, obj_ready(&o));
	ASSERT_EQ(1, kt_take_signal(SIG_NOTE, &si, 0));
	EXPECT_EQ(SIG_NOTE, si.si_signo);
	EXPECT_EQ(notify_code(variant->type), si.si_code);
	EXPECT_EQ(value, (uint64_t)(uintptr_t)si.si_value.sival_ptr);
	EXPECT_EQ(getpid(), si.si_pid);
	EXPECT_EQ(getuid(), si.si_uid);

	ASSERT_EQ(0, obj_unready(&o));
	ASSERT_EQ(0, obj_ready(&o));
	EXPECT_EQ(0, kt_take_signal(SIG_NOTE, &si, 0));
	/* It fired, so nothing is left to remove. */
	EXPECT_EQ(-ENOENT, kipc_notify(o.fd, 0, 0, 0));
	ASSERT_EQ(0, obj_unready(&o));
	ASSERT_EQ(0, kipc_notify(o.fd, SIG_NOTE, 7, 0));
	ASSERT_EQ(0, obj_ready(&o));
	ASSERT_EQ(1, kt_take_signal(SIG_NOTE, &si, 0));
	EXPECT_EQ(7ULL, (uint64_t)(uintptr_t)si.si_value.sival_ptr);
	obj_free(&o);
}

/* Persistent: a signal at every readiness, until removed. */
TEST_F(types, notify_persist)
{
	const int sig = SIGRTMIN + 3;
	struct obj o;
	siginfo_t si;
	int i;

	ASSERT_EQ(0, obj_make(&o, variant->type));
	kt_block_signal(sig, true);
	ASSERT_EQ(0, kipc_notify(o.fd, sig, 42, KIPC_NOTIFY_PERSIST));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, obj_ready(&o));
		ASSERT_EQ(1, kt_take_signal(sig, &si, 0));
		EXPECT_EQ(42ULL, (uint64_t)(uintptr_t)si.si_value.sival_ptr);
		EXPECT_EQ(0, kt_take_signal(sig, &si, 0));
		ASSERT_EQ(0, obj_unready(&o));
	}
	EXPECT_EQ(0, kipc_notify(o.fd, 0, 0, 0));
	EXPECT_EQ(-ENOENT, kipc_notify(o.fd, 0, 0, 0));
	ASSERT_EQ(0, obj_ready(&o));
	EXPECT_EQ(0, kt_take_signal(sig, &si, 0));
	obj_free(&o);
}

/* fdinfo shows the registration, and nothing once it is gone. */
TEST_F(types, notify_fdinfo)
{
	const int sig = SIGRTMIN + 2;
	struct obj o;
	char buf[4096];
	bool queue = variant->type == KIPC_TYPE_QUEUE;

	ASSERT_EQ(0, obj_make(&o, variant->type));
	ASSERT_EQ(0, kt_read_fdinfo(o.fd, buf, sizeof(buf)));
	EXPECT_EQ(NULL, kt_find_key(buf, "kipc-notify-pid"));
	ASSERT_EQ(0, kipc_notify(o.fd, sig, 1, queue ? 0 : KIPC_NOTIFY_PERSIST));
	ASSERT_EQ(0, kt_read_fdinfo(o.fd, buf, sizeof(buf)));
	if (queue) {
		/* A queue keeps its own line, as it always had. */
		KT_EXPECT_LINE(buf, "queue-notify-pid:\t%d", getpid());
		EXPECT_EQ(NULL, kt_find_key(buf, "kipc-notify-pid"));
	} else {
		KT_EXPECT_LINE(buf, "kipc-notify-pid:\t%d", getpid());
		KT_EXPECT_LINE(buf, "kipc-notify-signal:\t%d", sig);
		KT_EXPECT_LINE(buf, "kipc-notify-persist:\t1");
		ASSERT_EQ(0, kipc_notify(o.fd, SIG_NOTE, 1, 0));
		ASSERT_EQ(0, kt_read_fdinfo(o.fd, buf, sizeof(buf)));
		KT_EXPECT_LINE(buf, "kipc-notify-signal:\t%d", SIG_NOTE);
		KT_EXPECT_LINE(buf, "kipc-notify-persist:\t0");
	}
	ASSERT_EQ(0, kipc_notify(o.fd, 0, 0, 0));
	ASSERT_EQ(0, kt_read_fdinfo(o.fd, buf, sizeof(buf)));
	EXPECT_EQ(NULL, kt_find_key(buf, "kipc-notify-pid"));
	if (queue)
		KT_EXPECT_LINE(buf, "queue-notify-pid:\t0");
	obj_free(&o);
}

/* One process per object; the same one may register again. */
TEST_F(types, notify_ebusy)
{
	struct obj o;
	pid_t pid;

	ASSERT_EQ(0, obj_make(&o, variant->type));
	ASSERT_EQ(0, kipc_notify(o.fd, SIG_NOTE, 1, 0));
	/* A queue keeps mq_notify()'s rule: EBUSY for the same one too. */
	if (variant->type == KIPC_TYPE_QUEUE) {
		EXPECT_EQ(-EBUSY, kipc_notify(o.fd, SIG_NOTE, 2, 0));
	} else {
		EXPECT_EQ(0, kipc_notify(o.fd, SIG_NOTE, 2, KIPC_NOTIFY_PERSIST));
	}
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (kipc_notify(o.fd, SIG_NOTE, 3, 0) != -EBUSY)
			_exit(1);
		if (kipc_notify(o.fd, 0, 0, 0) != -ENOENT)
			_exit(2);
		_exit(0);
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kipc_notify(o.fd, 0, 0, 0));
	obj_free(&o);
}

/* Closing any fd of the object ends the process's registration. */
TEST_F(types, notify_dropped_on_close)
{
	struct obj o;
	siginfo_t si;
	int dupfd;

	ASSERT_EQ(0, obj_make(&o, variant->type));
	kt_block_signal(SIG_NOTE, true);
	ASSERT_EQ(0, kipc_notify(o.fd, SIG_NOTE, 1, KIPC_NOTIFY_PERSIST));
	dupfd = dup(o.fd);
	ASSERT_LE(0, dupfd);
	ASSERT_EQ(0, close(dupfd));
	EXPECT_EQ(-ENOENT, kipc_notify(o.fd, 0, 0, 0));
	ASSERT_EQ(0, obj_ready(&o));
	EXPECT_EQ(0, kt_take_signal(SIG_NOTE, &si, 0));
	obj_free(&o);
}

/* A registration dies with its process: another may register then. */
TEST_F(types, notify_dropped_on_exit)
{
	struct kt_report r;
	struct obj o;
	siginfo_t si;
	int rep[2];
	pid_t pid;

	ASSERT_EQ(0, obj_make(&o, variant->type));
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		kt_report(rep[1], 0, kipc_notify(o.fd, SIG_NOTE, 1, 0), 0);
		_exit(0);
	}
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	kt_block_signal(SIG_NOTE, true);
	ASSERT_EQ(0, kipc_notify(o.fd, SIG_NOTE, 9, 0));
	ASSERT_EQ(0, obj_ready(&o));
	ASSERT_EQ(1, kt_take_signal(SIG_NOTE, &si, 0));
	EXPECT_EQ(9ULL, (uint64_t)(uintptr_t)si.si_value.sival_ptr);
	obj_free(&o);
}

/* Every bad argument is EINVAL, and changes nothing. */
TEST_F(types, notify_invalid)
{
	struct obj o;
	int bit;

	ASSERT_EQ(0, obj_make(&o, variant->type));
	for (bit = 1; bit < 32; bit++)
		EXPECT_EQ(-EINVAL, raw_notify(o.fd, 1U << bit, SIG_NOTE, 0, 0, 0));
	EXPECT_EQ(-EINVAL, raw_notify(o.fd, 0, SIG_NOTE, 0, 1, 0));
	EXPECT_EQ(-EINVAL, raw_notify(o.fd, 0, SIG_NOTE, 0, 0, 1ULL << 63));
	EXPECT_EQ(-EINVAL, raw_notify(o.fd, 0, 65, 0, 0, 0));
	EXPECT_EQ(-EINVAL, raw_notify(o.fd, 0, UINT32_MAX, 0, 0, 0));
	EXPECT_EQ(-EINVAL, raw_notify(o.fd, 0, 0, 1, 0, 0));
	EXPECT_EQ(-EINVAL, raw_notify(o.fd, KIPC_NOTIFY_PERSIST, 0, 0, 0, 0));
	EXPECT_EQ(-EFAULT, kt_ioctl(o.fd, KIPC_IOC_NOTIFY, NULL));
	EXPECT_EQ(-EINVAL, kt_ioctl(o.fd, KT_IOC_RESIZE(KIPC_IOC_NOTIFY,
				KIPC_NOTIFY_SIZE_VER0 - 8), NULL));
	/* Nothing was registered by any of them. */
	EXPECT_EQ(-ENOENT, kipc_notify(o.fd, 0, 0, 0));
	/* SIGRTMAX is the largest. */
	EXPECT_EQ(0, kipc_notify(o.fd, 64, 0, 0));
	EXPECT_EQ(0, kipc_notify(o.fd, 0, 0, 0));
	obj_free(&o);
}

/* ---- the rest ------------------------------------------------------------------ */

KT_FIXTURE()

TEST_F(kipc, feature_bit)
{
	struct kipc_version v;

	ASSERT_EQ(0, kipc_version(&v));
	EXPECT_EQ(KIPC_FEATURE_NOTIFY, v.features & KIPC_FEATURE_NOTIFY);
}

TEST_F(kipc, notify_bad_fds)
{
	int p[2], fds[2], reg, cond;

	ASSERT_EQ(0, pipe(p));
	EXPECT_EQ(-ENOTTY, kipc_notify(p[0], SIG_NOTE, 0, 0));
	EXPECT_EQ(-EBADF, kipc_notify(-1, SIG_NOTE, 0, 0));
	EXPECT_EQ(-EBADF, kipc_notify(p[1] + 100, SIG_NOTE, 0, 0));
	/* A write-only fd: EBADF, as read(2) would be. */
	ASSERT_EQ(0, kipc_pipe(fds, 4096, 0));
	EXPECT_EQ(-EBADF, kipc_notify(fds[1], SIG_NOTE, 0, 0));
	/* Objects that never become ready. */
	reg = kipc_region_create(NULL, 0600, 4096, 0);
	ASSERT_LE(0, reg);
	cond = kipc_cond_create(NULL, 0600, 0);
	ASSERT_LE(0, cond);
	EXPECT_EQ(-EINVAL, kipc_notify(reg, SIG_NOTE, 0, 0));
	EXPECT_EQ(-EINVAL, kipc_notify(cond, SIG_NOTE, 0, 0));
	EXPECT_EQ(-1, fcntl(reg, F_SETFL, O_ASYNC));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, fcntl(cond, F_SETFL, O_ASYNC));
	EXPECT_EQ(EINVAL, errno);
}

/* A pipe's writer with O_ASYNC hears POLL_OUT when room is made. */
TEST_F(kipc, async_pipe_pollout)
{
	const int sig = SIGRTMIN + 4;
	char buf[64];
	siginfo_t si;
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, 4096, 0));
	kt_block_signal(sig, true);
	ASSERT_EQ(0, set_async(fds[1], sig));
	ASSERT_EQ(5, write(fds[1], "hello", 5));
	kt_take_signal(sig, &si, 0);	/* its own POLL_IN: one list */
	ASSERT_EQ(5, read(fds[0], buf, sizeof(buf)));
	ASSERT_EQ(1, kt_take_signal(sig, &si, 0));
	EXPECT_EQ(POLL_OUT, si.si_code);
	EXPECT_EQ(fds[1], si.si_fd);
	EXPECT_TRUE(si.si_band & POLLOUT);
}

/*
 * A channel's mapped rings bypass the kernel; a registration and an
 * O_ASYNC file must bring every message through it all the same, each
 * time, for as long as they last.
 */
TEST_F(kipc, notify_ring_fast_path)
{
	const int sig = SIGRTMIN + 5, aio = SIGRTMIN + 6, out = SIGRTMIN + 7;
	struct kipc_ring *rx, *tx;
	char buf[16];
	siginfo_t si;
	size_t len;
	int fds[2], i;

	ASSERT_EQ(0, kipc_channel_pair(fds, NULL, 0));
	ASSERT_EQ(0, kipc_ring_attach(fds[0], &rx));
	ASSERT_EQ(0, kipc_ring_attach(fds[1], &tx));
	kipc_ring_set_spin(rx, 0);
	kipc_ring_set_spin(tx, 0);
	kt_block_signal(sig, true);
	kt_block_signal(aio, true);
	kt_block_signal(out, true);
	ASSERT_EQ(0, kipc_notify(fds[0], sig, 9, KIPC_NOTIFY_PERSIST));
	ASSERT_EQ(0, set_async(fds[0], aio));
	ASSERT_EQ(0, set_async(fds[1], out));	/* room made for the sender */
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, kipc_ring_send(tx, "m", 1, 0));
		ASSERT_EQ(1, kt_take_signal(sig, &si, 0)) TH_LOG("message %d", i);
		EXPECT_EQ(9ULL, (uint64_t)(uintptr_t)si.si_value.sival_ptr);
		ASSERT_EQ(1, kt_take_signal(aio, &si, 0)) TH_LOG("message %d", i);
		EXPECT_EQ(POLL_IN, si.si_code);
		EXPECT_EQ(fds[0], si.si_fd);
		EXPECT_EQ(0, kt_take_signal(out, &si, 0));
		ASSERT_EQ(1, kipc_ring_recv(rx, buf, sizeof(buf), &len, 0));
		ASSERT_EQ(1, kt_take_signal(out, &si, 0)) TH_LOG("message %d", i);
		EXPECT_EQ(POLL_OUT, si.si_code);
		EXPECT_EQ(fds[1], si.si_fd);
	}
	/* Gone: nothing more, and the ring still carries messages. */
	ASSERT_EQ(0, kipc_notify(fds[0], 0, 0, 0));
	ASSERT_EQ(0, clear_async(fds[0]));
	ASSERT_EQ(0, clear_async(fds[1]));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, kipc_ring_send(tx, "m", 1, 0));
		ASSERT_EQ(1, kipc_ring_recv(rx, buf, sizeof(buf), &len, 0));
	}
	EXPECT_EQ(0, kt_take_signal(sig, &si, 0));
	EXPECT_EQ(0, kt_take_signal(aio, &si, 0));
	EXPECT_EQ(0, kt_take_signal(out, &si, 0));
	kipc_ring_detach(rx);
	kipc_ring_detach(tx);
	close(fds[0]);
	close(fds[1]);
}

/* A queue's O_ASYNC also tells of room made (POLL_OUT). */
TEST_F(kipc, async_queue_pollout)
{
	const int sig = SIGRTMIN + 4;
	char buf[16];
	siginfo_t si;
	int fd = kipc_queue_create(NULL, 0600, 1, 16, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_queue_send(fd, "a", 1, 0, 0));
	kt_block_signal(sig, true);
	ASSERT_EQ(0, set_async(fd, sig));
	ASSERT_EQ(1, kipc_queue_recv(fd, buf, sizeof(buf), NULL, 0));
	ASSERT_EQ(1, kt_take_signal(sig, &si, 0));
	EXPECT_EQ(POLL_OUT, si.si_code);
	EXPECT_TRUE(si.si_band & POLLOUT);
}

/* A channel end is told of its own readiness only. */
TEST_F(kipc, async_channel_ends)
{
	const int sig = SIGRTMIN + 5;
	char buf[16];
	siginfo_t si;
	size_t len;
	int fds[2];

	ASSERT_EQ(0, kipc_channel_pair(fds, NULL, 0));
	kt_block_signal(sig, true);
	ASSERT_EQ(0, set_async(fds[1], sig));
	/* End 1 sends: end 0 becomes readable, end 1 hears nothing. */
	ASSERT_EQ(0, kipc_channel_send(fds[1], "a", 1, 0));
	EXPECT_EQ(0, kt_take_signal(sig, &si, 0));
	ASSERT_EQ(0, kipc_channel_send(fds[0], "b", 1, 0));
	ASSERT_EQ(1, kt_take_signal(sig, &si, 0));
	EXPECT_EQ(fds[1], si.si_fd);
	EXPECT_EQ(POLL_IN, si.si_code);
	ASSERT_EQ(1, kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0));
	ASSERT_EQ(1, kipc_channel_recv(fds[0], buf, sizeof(buf), &len, 0));
	/* The peer's close is news too (end of channel). */
	ASSERT_EQ(0, close(fds[0]));
	ASSERT_EQ(1, kt_take_signal(sig, &si, 0));
	EXPECT_EQ(fds[1], si.si_fd);
}

/* A mutex whose owner dies is ready: its registration fires. */
TEST_F(kipc, notify_mutex_owner_died)
{
	struct kipc_mutex *m;
	siginfo_t si;
	int fd, rep[2];
	struct kt_report r;
	pid_t pid;

	fd = kipc_mutex_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_mutex *cm;

		if (kipc_mutex_attach(fd, &cm))
			_exit(1);
		kt_report(rep[1], 0, kipc_mutex_lock(cm, 0), 0);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, r.ret);
	kt_block_signal(SIG_NOTE, true);
	ASSERT_EQ(0, kipc_notify(fd, SIG_NOTE, 5, 0));
	kill(pid, SIGKILL);
	EXPECT_EQ(256 + SIGKILL, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(1, kt_take_signal(SIG_NOTE, &si, WAIT_MS));
	EXPECT_EQ(5ULL, (uint64_t)(uintptr_t)si.si_value.sival_ptr);
	ASSERT_EQ(0, kipc_mutex_attach(fd, &m));
	EXPECT_EQ(-EOWNERDEAD, kipc_mutex_lock(m, 0));
	EXPECT_EQ(0, kipc_mutex_consistent(m));
	EXPECT_EQ(0, kipc_mutex_unlock(m));
	kipc_mutex_detach(m);
}

/* A free mutex is not news: a close of one of its fds sends nothing. */
TEST_F(kipc, notify_mutex_free_close_quiet)
{
	siginfo_t si;
	pid_t pid;
	int fd;

	fd = kipc_mutex_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	kt_block_signal(SIG_NOTE, true);
	ASSERT_EQ(0, kipc_notify(fd, SIG_NOTE, 1, KIPC_NOTIFY_PERSIST));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(close(dup(fd)) ? 1 : 0);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_take_signal(SIG_NOTE, &si, 100));
	EXPECT_EQ(0, kipc_notify(fd, 0, 0, 0));
}

/*
 * A child that opens @name itself (a holder), becomes @uid unless it is
 * 0, blocks SIG_NOTE, reports, then reports the signal it gets (ret 1,
 * value si_value; ret 0 if none within @wait_ms) and exits.
 */
static pid_t holder_child(const char *name, uid_t uid, int rep, int wait_ms)
{
	siginfo_t si;
	pid_t pid;
	int fd, got;

	pid = kt_fork();
	if (pid)
		return pid;
	kt_block_signal(SIG_NOTE, true);
	if (uid && kt_become(uid, uid))
		_exit(1);
	fd = kipc_event_open(name, 0);
	kt_report(rep, 0, fd < 0 ? fd : 0, 0);
	if (fd < 0)
		_exit(2);
	got = kt_take_signal(SIG_NOTE, &si, wait_ms);
	kt_report(rep, 1, got, got == 1 ?
		  (uint64_t)(uintptr_t)si.si_value.sival_ptr ^ si.si_code : 0);
	_exit(0);
}

/* The ioctl itself: the number signalled, or -errno. */
static int sig_holders_raw(int fd, struct kipc_signal_holders *s)
{
	int ret = ioctl(fd, KIPC_IOC_SIGNAL_HOLDERS, s);

	return ret < 0 ? -errno : ret;
}

TEST_F(kipc, holders_all_signalled)
{
	const char *name = kt_name("holders");
	struct kipc_signal_holders s;
	struct kt_report r;
	uint32_t refused = 99;
	pid_t kids[2];
	siginfo_t si;
	int fd, rep[2], i;

	fd = kipc_event_create(name, 0666, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	for (i = 0; i < 2; i++) {
		kids[i] = holder_child(name, 0, rep[1], WAIT_MS * 2);
		ASSERT_LE(0, kids[i]);
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		ASSERT_EQ(0, r.ret);
	}
	kt_block_signal(SIG_NOTE, true);
	/* The caller holds it too. */
	EXPECT_EQ(3, kipc_signal_holders(fd, SIG_NOTE, 77, &refused));
	EXPECT_EQ(0U, refused);
	ASSERT_EQ(1, kt_take_signal(SIG_NOTE, &si, 0));
	EXPECT_EQ(SI_QUEUE, si.si_code);
	EXPECT_EQ(77ULL, (uint64_t)(uintptr_t)si.si_value.sival_ptr);
	EXPECT_EQ(getpid(), si.si_pid);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(1, r.ret);
		EXPECT_EQ(77ULL ^ SI_QUEUE, r.value);
	}
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, kt_reap(kids[i], KT_CHILD_TIMEOUT_MS));

	/* The counts come back in the struct as well. */
	memset(&s, 0, sizeof(s));
	s.signo = SIG_NOTE;
	EXPECT_EQ(1, sig_holders_raw(fd, &s));
	EXPECT_EQ(1U, s.signalled);
	EXPECT_EQ(0U, s.refused);
	EXPECT_EQ(0U, s.gone);
	EXPECT_EQ(1, kt_take_signal(SIG_NOTE, &si, 0));
}

/*
 * kill(2)'s rule per target: a caller of uid 65533 signals itself and
 * not the processes of root and of uid 65534, which are counted.
 */
TEST_F(kipc, holders_permission_per_target)
{
	const char *name = kt_name("holdperm");
	struct kt_report r;
	pid_t other, caller;
	siginfo_t si;
	int fd, rep[2], crep[2];

	if (geteuid())
		SKIP(return, "needs root");
	fd = kipc_event_create(name, 0666, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(crep));
	other = holder_child(name, 65534, rep[1], 500);
	ASSERT_LE(0, other);
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, r.ret);

	kt_block_signal(SIG_NOTE, true);
	caller = kt_fork();
	ASSERT_LE(0, caller);
	if (caller == 0) {
		uint32_t refused = 0;
		int cfd, n;

		if (kt_become(65533, 65533))
			_exit(1);
		cfd = kipc_event_open(name, 0);
		if (cfd < 0)
			_exit(2);
		n = kipc_signal_holders(cfd, SIG_NOTE, 3, &refused);
		kt_report(crep[1], 0, n, refused);
		kt_report(crep[1], 1, kt_take_signal(SIG_NOTE, &si, 0), 0);
		_exit(0);
	}
	ASSERT_EQ(1, kt_read_report(crep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, r.ret);		/* itself */
	EXPECT_EQ(2ULL, r.value);	/* root and 65534 refused */
	ASSERT_EQ(1, kt_read_report(crep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ(0, kt_reap(caller, KT_CHILD_TIMEOUT_MS));
	/* Neither root nor 65534 got it. */
	EXPECT_EQ(0, kt_take_signal(SIG_NOTE, &si, 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0, kt_reap(other, KT_CHILD_TIMEOUT_MS));
}

/*
 * Every target refused: EPERM, the counts still written.  The caller got
 * its fd by fork() (the holder is the process that opened it), so it is
 * not a target itself.
 */
TEST_F(kipc, holders_all_refused_eperm)
{
	pid_t pid;
	int fd, rep[2];

	if (geteuid())
		SKIP(return, "needs root");
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_signal_holders s = { .signo = SIG_NOTE };
		int ret;

		if (kt_become(65534, 65534))
			_exit(1);
		ret = sig_holders_raw(fd, &s);
		kt_report(rep[1], 0, ret,
			  (uint64_t)s.signalled << 32 | s.refused);
		_exit(0);
	}
	KT_EXPECT_CHILD_REPORT(rep[0], pid, -EPERM, 1);
}

/*
 * A holder whose process has exited while its file lives on (inherited
 * by a child) is counted as gone, not as refused.
 */
TEST_F(kipc, holders_gone)
{
	const char *name = kt_name("gone");
	struct kipc_signal_holders s;
	struct kt_report r;
	pid_t opener, keeper;
	int rep[2], fd;

	ASSERT_EQ(0, pipe(rep));
	opener = kt_fork();
	ASSERT_LE(0, opener);
	if (opener == 0) {
		fd = kipc_event_create(name, 0600, 0, KIPC_FD_NOCLOEXEC);

		if (fd < 0)
			_exit(1);
		keeper = fork();
		if (keeper == 0) {
			/* Keeps the file open after the opener's exit. */
			prctl(PR_SET_PDEATHSIG, 0);
			kt_report(rep[1], 0, 0, 0);
			pause();
			_exit(0);
		}
		kt_report(rep[1], 1, keeper, 0);
		_exit(0);
	}
	/* The keeper's "ready" and the opener's keeper pid, in any order. */
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	keeper = r.idx == 1 ? r.ret : 0;
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	if (r.idx == 1)
		keeper = r.ret;
	ASSERT_LT(0, keeper);
	EXPECT_EQ(0, kt_reap(opener, KT_CHILD_TIMEOUT_MS));
	fd = kipc_event_open(name, 0);
	ASSERT_LE(0, fd);
	kt_block_signal(SIG_NOTE, true);
	memset(&s, 0, sizeof(s));
	s.signo = SIG_NOTE;
	EXPECT_EQ(1, sig_holders_raw(fd, &s));
	EXPECT_EQ(1U, s.signalled);
	EXPECT_EQ(0U, s.refused);
	EXPECT_EQ(1U, s.gone);
	kill(keeper, SIGKILL);
	kt_sleep_ms(50);
}

TEST_F(kipc, holders_invalid)
{
	struct kipc_signal_holders s;
	int fd, ro, bit;

	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	for (bit = 0; bit < 32; bit++) {
		memset(&s, 0, sizeof(s));
		s.signo = SIG_NOTE;
		s.flags = 1U << bit;
		EXPECT_EQ(-EINVAL, sig_holders_raw(fd, &s));
	}
	memset(&s, 0, sizeof(s));
	EXPECT_EQ(-EINVAL, sig_holders_raw(fd, &s));	/* signo 0 */
	s.signo = 65;
	EXPECT_EQ(-EINVAL, sig_holders_raw(fd, &s));
	memset(&s, 0, sizeof(s));
	s.signo = SIG_NOTE;
	s.__pad = 1;
	EXPECT_EQ(-EINVAL, sig_holders_raw(fd, &s));
	s.__pad = 0;
	s.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, sig_holders_raw(fd, &s));
	s.reserved[1] = 0;
	s.refused = 1;
	EXPECT_EQ(-EINVAL, sig_holders_raw(fd, &s));
	s.refused = 0;
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_IOC_SIGNAL_HOLDERS, NULL));
	EXPECT_EQ(-EBADF, kipc_signal_holders(-1, SIG_NOTE, 0, NULL));
	/* A read-only fd may not signal. */
	ro = kipc_reopen(fd, KIPC_FD_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EBADF, kipc_signal_holders(ro, SIG_NOTE, 0, NULL));
}

/*
 * EINTR: a holder blocked in a wait with a handler (no SA_RESTART) is
 * interrupted by kipc_signal_holders(); with SA_RESTART it keeps waiting.
 */
static void eintr_child(const char *name, int rep, bool restart)
{
	uint64_t v;
	int fd;

	kt_on_signal(SIG_NOTE, kt_signal_noop, restart ? SA_RESTART : 0);
	fd = kipc_event_open(name, 0);
	kt_report(rep, 0, fd < 0 ? fd : 0, 0);
	kt_report(rep, 1, kipc_event_wait(fd, restart ? 500 * KT_NSEC_PER_MSEC :
					  KIPC_INFINITE, &v), 0);
	_exit(0);
}

TEST_F(kipc, holders_eintr)
{
	const char *name = kt_name("eintr");
	struct kt_report r;
	int fd, rep[2], i;
	pid_t pid;

	fd = kipc_event_create(name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	kt_on_signal(SIG_NOTE, kt_signal_noop, 0);
	for (i = 0; i < 2; i++) {
		pid = kt_fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			eintr_child(name, rep[1], i);
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		ASSERT_EQ(0, r.ret);
		ASSERT_EQ(0, kt_wait_sleeping(pid, KT_CHILD_TIMEOUT_MS));
		/* The child and this process. */
		EXPECT_EQ(2, kipc_signal_holders(fd, SIG_NOTE, 0, NULL));
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(i ? -ETIMEDOUT : -EINTR, r.ret);
		EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	}
}

TEST_HARNESS_MAIN
