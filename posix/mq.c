// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc-posix: POSIX message queues on kipc queues.
 *
 * An mqd_t is the kipc queue's fd: poll/epoll/select work on it as on
 * Linux's, O_NONBLOCK is the open file's own (mq_setattr is fcntl), and
 * the queue's name is the POSIX name without its '/' (escaped, see
 * common.c) in kipc's registry.  What the kernel object does not do as
 * Linux does, the shim does around it:
 *
 * - mq_receive() with a buffer smaller than the queue's mq_msgsize is
 *   EMSGSIZE on Linux even for a small message; kipc only refuses a
 *   message that does not fit.  The queue's size and the fd's access are
 *   cached per fd (kp_mq_get()), so this costs no system call.
 * - Timeouts are absolute CLOCK_REALTIME times; kipc deadlines are
 *   CLOCK_MONOTONIC.  The shim converts, and when the kernel says
 *   ETIMEDOUT before the realtime deadline (the clock was set back) it
 *   waits again.  A clock set forward is noticed only then.
 * - mq_notify(): kipc signals the thread that registered.  Every
 *   registration is made by one helper thread of the shim, which blocks
 *   its signal (KIPC_POSIX_NOTIFY_SIGNAL, SIGRTMAX by default) and then
 *   does what the sigevent asks: nothing (SIGEV_NONE), queue the signal
 *   to the process with si_code SI_MESGQ and the sender's pid and uid, as
 *   Linux does (SIGEV_SIGNAL), or start a thread (SIGEV_THREAD).
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/* Linux's hard limits for a caller with CAP_SYS_RESOURCE. */
#define KP_HARD_MSGMAX		65536
#define KP_HARD_MSGSIZEMAX	(16 << 20)

/* ---- the per-fd cache ------------------------------------------------------ */

#define KP_FDS		4096
#define KP_MQ_VALID	(1ULL << 40)
#define KP_MQ_RD	(1ULL << 41)
#define KP_MQ_WR	(1ULL << 42)

static _Atomic uint64_t kp_mq_fds[KP_FDS];

/* A queue fd's message size and access, or a positive errno (EBADF). */
static int kp_mq_get(int fd, uint64_t *ent)
{
	struct kipc_object_info oi = { 0 };
	struct kipc_queue_info qi;
	uint64_t e;
	int err;

	if (fd >= 0 && fd < KP_FDS) {
		e = atomic_load_explicit(&kp_mq_fds[fd], memory_order_relaxed);
		if (e & KP_MQ_VALID) {
			*ent = e;
			return 0;
		}
	}
	if (fd < 0)
		return EBADF;
	err = kipc_object_info(fd, &oi);
	if (err || oi.type != KIPC_TYPE_QUEUE)
		return EBADF;
	err = kipc_queue_info(fd, &qi);
	if (err)
		return EBADF;
	e = KP_MQ_VALID | qi.max_msg_size;
	if (oi.access & KIPC_ACCESS_READ)
		e |= KP_MQ_RD;
	if (oi.access & KIPC_ACCESS_WRITE)
		e |= KP_MQ_WR;
	if (fd < KP_FDS)
		atomic_store_explicit(&kp_mq_fds[fd], e, memory_order_relaxed);
	*ent = e;
	return 0;
}

void kp_mq_forget(int fd)
{
	if (fd >= 0 && fd < KP_FDS)
		atomic_store_explicit(&kp_mq_fds[fd], 0, memory_order_relaxed);
}

/* ---- open, close, unlink ---------------------------------------------------- */

static long kp_proc_long(const char *path, long def)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return def;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return def;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

/* The queue's size as Linux's mq_open() would make it, or EINVAL. */
static int kp_mq_attr(const struct mq_attr *a, uint32_t *maxmsg,
		      uint32_t *msgsize)
{
	long msg_max = kp_proc_long("/proc/sys/fs/mqueue/msg_max", 10);
	long size_max = kp_proc_long("/proc/sys/fs/mqueue/msgsize_max", 8192);
	long msg_def, size_def;

	if (!a) {
		msg_def = kp_proc_long("/proc/sys/fs/mqueue/msg_default", 10);
		size_def = kp_proc_long("/proc/sys/fs/mqueue/msgsize_default",
					8192);
		*maxmsg = msg_def < msg_max ? msg_def : msg_max;
		*msgsize = size_def < size_max ? size_def : size_max;
		return 0;
	}
	if (a->mq_maxmsg <= 0 || a->mq_msgsize <= 0)
		return EINVAL;
	if (kp_cap_sys_resource()) {
		if (a->mq_maxmsg > KP_HARD_MSGMAX ||
		    a->mq_msgsize > KP_HARD_MSGSIZEMAX)
			return EINVAL;
	} else if (a->mq_maxmsg > msg_max || a->mq_msgsize > size_max) {
		return EINVAL;
	}
	*maxmsg = a->mq_maxmsg;
	*msgsize = a->mq_msgsize;
	return 0;
}

/* A kipc error of create/open as mq_open() reports it. */
static int kp_mq_open_errno(int err)
{
	switch (err) {
	case -EDQUOT:
		return EMFILE;		/* as RLIMIT_MSGQUEUE */
	default:
		return -err;
	}
}

/* kp_open.create of mq_open(): the attributes count only here. */
static int kp_mq_make(const struct kp_open *op, uint32_t mode)
{
	uint32_t maxmsg, msgsize;
	int err;

	err = kp_mq_attr(op->arg, &maxmsg, &msgsize);
	if (err)
		return -err;
	return kipc_queue_create(op->kname, mode, maxmsg, msgsize,
				 op->fdflags);
}

KP_EXPORT mqd_t mq_open(const char *name, int oflag, ...)
{
	char kname[KP_NAME_SIZE];
	struct kp_open op = {
		.type = KIPC_TYPE_QUEUE,
		.kname = kname,
		.oflag = oflag,
		.create = kp_mq_make,
	};
	va_list ap;
	int err, fd;

	if (oflag & O_CREAT) {
		va_start(ap, oflag);
		op.mode = va_arg(ap, mode_t);
		op.arg = va_arg(ap, struct mq_attr *);
		va_end(ap);
	}
	err = kp_open_prep(KP_MQ, name, kname, oflag, &op.fdflags);
	if (err)
		return kp_fail(err, -1);
	fd = kp_open_or_create(&op, NULL);
	if (fd < 0)
		return kp_fail(kp_mq_open_errno(fd), -1);
	kp_mq_forget(fd);
	return fd;
}
KP_VERSIONS(mq_open, "GLIBC_2.3.4", "GLIBC_2.34");

static void kp_notify_drop(int fd);

KP_EXPORT int mq_close(mqd_t mqdes)
{
	kp_mq_forget(mqdes);
	kp_notify_drop(mqdes);
	return close(mqdes);
}
KP_VERSIONS(mq_close, "GLIBC_2.3.4", "GLIBC_2.34");

KP_EXPORT int mq_unlink(const char *name)
{
	return kp_unlink(KP_MQ, name);
}
KP_VERSIONS(mq_unlink, "GLIBC_2.3.4", "GLIBC_2.34");

/* ---- send and receive --------------------------------------------------------- */

/* A kipc error of an operation on an mqd_t as Linux reports it. */
static int kp_mq_errno(long err)
{
	return err == -ENOTTY ? EBADF : (int)-err;
}

/*
 * Whether a try that found the queue full (empty) after the deadline has
 * passed is EAGAIN (an O_NONBLOCK open) or ETIMEDOUT.
 */
static int kp_mq_expired(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && (fl & O_NONBLOCK) ? EAGAIN : ETIMEDOUT;
}

static int kp_do_send(mqd_t fd, const char *msg, size_t len,
		      unsigned int prio, const struct timespec *abs)
{
	int64_t ns;
	int err;

	if (abs && !kp_ts_valid(abs))
		return EINVAL;
	if (prio >= MQ_PRIO_MAX)
		return EINVAL;
	if (!abs)
		return kp_mq_errno(kipc_queue_send(fd, msg, len, prio,
						   KIPC_INFINITE));
	for (;;) {
		ns = kp_ns_until(CLOCK_REALTIME, abs);
		err = kipc_queue_send(fd, msg, len, prio, ns > 0 ? ns : 0);
		if (err == -EAGAIN && ns <= 0)
			return kp_mq_expired(fd);
		if (err != -ETIMEDOUT || kp_ns_until(CLOCK_REALTIME, abs) <= 0)
			return kp_mq_errno(err);
	}
}

KP_EXPORT int mq_timedsend(mqd_t mqdes, const char *msg_ptr, size_t msg_len,
			   unsigned int msg_prio,
			   const struct timespec *abs_timeout)
{
	int err = kp_do_send(mqdes, msg_ptr, msg_len, msg_prio, abs_timeout);

	return err ? kp_fail(err, -1) : 0;
}
KP_VERSIONS(mq_timedsend, "GLIBC_2.3.4", "GLIBC_2.34");

KP_EXPORT int mq_send(mqd_t mqdes, const char *msg_ptr, size_t msg_len,
		      unsigned int msg_prio)
{
	int err = kp_do_send(mqdes, msg_ptr, msg_len, msg_prio, NULL);

	return err ? kp_fail(err, -1) : 0;
}
KP_VERSIONS(mq_send, "GLIBC_2.3.4", "GLIBC_2.34");

static ssize_t kp_do_recv(mqd_t fd, char *buf, size_t len, unsigned int *prio,
			  const struct timespec *abs)
{
	uint64_t ent;
	int64_t ns;
	long ret;
	int err;

	if (abs && !kp_ts_valid(abs))
		return kp_fail(EINVAL, -1);
	err = kp_mq_get(fd, &ent);
	if (err || !(ent & KP_MQ_RD))
		return kp_fail(EBADF, -1);
	if (len < (uint32_t)ent)
		return kp_fail(EMSGSIZE, -1);
	if (!abs) {
		ret = kipc_queue_recv(fd, buf, len, prio, KIPC_INFINITE);
		return ret < 0 ? kp_fail(kp_mq_errno(ret), -1) : ret;
	}
	for (;;) {
		ns = kp_ns_until(CLOCK_REALTIME, abs);
		ret = kipc_queue_recv(fd, buf, len, prio, ns > 0 ? ns : 0);
		if (ret >= 0)
			return ret;
		if (ret == -EAGAIN && ns <= 0)
			return kp_fail(kp_mq_expired(fd), -1);
		if (ret != -ETIMEDOUT || kp_ns_until(CLOCK_REALTIME, abs) <= 0)
			return kp_fail(kp_mq_errno(ret), -1);
	}
}

KP_EXPORT ssize_t mq_timedreceive(mqd_t mqdes, char *msg_ptr, size_t msg_len,
				  unsigned int *msg_prio,
				  const struct timespec *abs_timeout)
{
	return kp_do_recv(mqdes, msg_ptr, msg_len, msg_prio, abs_timeout);
}
KP_VERSIONS(mq_timedreceive, "GLIBC_2.3.4", "GLIBC_2.34");

KP_EXPORT ssize_t mq_receive(mqd_t mqdes, char *msg_ptr, size_t msg_len,
			     unsigned int *msg_prio)
{
	return kp_do_recv(mqdes, msg_ptr, msg_len, msg_prio, NULL);
}
KP_VERSIONS(mq_receive, "GLIBC_2.3.4", "GLIBC_2.34");

/* ---- attributes ------------------------------------------------------------ */

KP_EXPORT int mq_getattr(mqd_t mqdes, struct mq_attr *attr)
{
	struct kipc_queue_info qi;
	int err, fl;

	err = kipc_queue_info(mqdes, &qi);
	if (err)
		return kp_fail(kp_mq_errno(err), -1);
	fl = fcntl(mqdes, F_GETFL);
	if (fl < 0)
		return -1;
	memset(attr, 0, sizeof(*attr));
	attr->mq_flags = fl & O_NONBLOCK;
	attr->mq_maxmsg = qi.max_msgs;
	attr->mq_msgsize = qi.max_msg_size;
	attr->mq_curmsgs = qi.msgs;
	return 0;
}
KP_VERSIONS(mq_getattr, "GLIBC_2.3.4", "GLIBC_2.34");

KP_EXPORT int mq_setattr(mqd_t mqdes, const struct mq_attr *newattr,
			 struct mq_attr *oldattr)
{
	struct mq_attr old;
	int fl;

	/* Linux ignores everything but mq_flags, and of it all but O_NONBLOCK. */
	if (mq_getattr(mqdes, &old))
		return -1;
	fl = fcntl(mqdes, F_GETFL);
	if (fl < 0)
		return -1;
	fl = (fl & ~O_NONBLOCK) | (newattr->mq_flags & O_NONBLOCK);
	if (fcntl(mqdes, F_SETFL, fl))
		return -1;
	if (oldattr)
		*oldattr = old;
	return 0;
}
KP_VERSIONS(mq_setattr, "GLIBC_2.3.4", "GLIBC_2.34");

/* ---- notification ---------------------------------------------------------- */

/*
 * One registration per queue fd of this process, named in the kernel's
 * si_value by (generation << 32 | fd), so a notification that fires while
 * its registration is cancelled is recognised as stale, never used.
 */
struct kp_reg {
	uint32_t gen;
	int active;
	int rfd1;		/* 1 + a read-only fd made to register, or 0 */
	struct sigevent ev;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pid_t pid;		/* the process the helper belongs to */
	pid_t tid;		/* the helper thread, 0: none yet */
	int signo;
	/* the request in flight, made by the helper */
	int req_fd;
	uint64_t req_value;
	int req_pending;
	int req_ret;
	struct kp_reg regs[KP_FDS];
} kn = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

/*
 * End the registration of @fd in this process's table; under kn.lock.
 * Closing the read-only fd made for it ends it in the kernel too.
 */
static void kp_reg_release(int fd)
{
	struct kp_reg *r = &kn.regs[fd];

	r->active = 0;
	if (r->rfd1) {
		close(r->rfd1 - 1);
		r->rfd1 = 0;
	}
}

/*
 * Register @fd for the helper's signal; by the helper, under kn.lock.
 * Linux takes any mqd_t, kipc a readable fd only: a write-only one
 * registers through a read-only reopen of the queue, kept until the
 * registration ends.
 */
static int kp_reg_make(int fd, uint64_t value)
{
	int err, rfd;

	err = kipc_queue_notify(fd, kn.signo, value);
	if (err != -EBADF)
		return err;
	rfd = kipc_reopen(fd, KIPC_FD_RDONLY);
	if (rfd < 0)
		return -EBADF;
	err = kipc_queue_notify(rfd, kn.signo, value);
	if (err)
		close(rfd);
	else
		kn.regs[fd].rfd1 = rfd + 1;
	return err;
}

struct kp_thread_call {
	void (*fn)(union sigval);
	union sigval val;
};

static void *kp_notify_thread(void *arg)
{
	struct kp_thread_call c = *(struct kp_thread_call *)arg;

	free(arg);
	c.fn(c.val);
	return NULL;
}

static void kp_notify_fire(const siginfo_t *si)
{
	uint64_t v = (uintptr_t)si->si_value.sival_ptr;
	int fd = (int)(uint32_t)v;
	struct kp_thread_call *c;
	struct sigevent ev;
	siginfo_t info;
	pthread_t t;

	if (fd < 0 || fd >= KP_FDS)
		return;
	pthread_mutex_lock(&kn.lock);
	if (!kn.regs[fd].active || kn.regs[fd].gen != (uint32_t)(v >> 32)) {
		pthread_mutex_unlock(&kn.lock);
		return;
	}
	ev = kn.regs[fd].ev;
	kp_reg_release(fd);
	pthread_mutex_unlock(&kn.lock);

	switch (ev.sigev_notify) {
	case SIGEV_SIGNAL:
		if (!ev.sigev_signo)
			break;	/* Linux takes signal 0 and sends nothing */
		memset(&info, 0, sizeof(info));
		info.si_signo = ev.sigev_signo;
		info.si_code = SI_MESGQ;
		info.si_pid = si->si_pid;
		info.si_uid = si->si_uid;
		info.si_value = ev.sigev_value;
		syscall(SYS_rt_sigqueueinfo, getpid(), ev.sigev_signo, &info);
		break;
	case SIGEV_THREAD:
		c = malloc(sizeof(*c));
		if (!c)
			break;
		c->fn = ev.sigev_notify_function;
		c->val = ev.sigev_value;
		if (pthread_create(&t, ev.sigev_notify_attributes,
				   kp_notify_thread, c)) {
			free(c);
			break;
		}
		pthread_detach(t);
		break;
	default:
		break;
	}
}

static void *kp_notify_helper(void *arg)
{
	sigset_t set;
	siginfo_t si;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, kn.signo);
	pthread_mutex_lock(&kn.lock);
	kn.tid = (pid_t)syscall(SYS_gettid);
	pthread_cond_broadcast(&kn.cond);
	pthread_mutex_unlock(&kn.lock);
	for (;;) {
		if (sigwaitinfo(&set, &si) < 0)
			continue;
		if (si.si_code == SI_MESGQ) {
			kp_notify_fire(&si);
			continue;
		}
		pthread_mutex_lock(&kn.lock);
		if (kn.req_pending) {
			kn.req_ret = kp_reg_make(kn.req_fd, kn.req_value);
			kn.req_pending = 0;
			pthread_cond_broadcast(&kn.cond);
		}
		pthread_mutex_unlock(&kn.lock);
	}
	return NULL;
}

/* Start the helper of this process; under kn.lock.  0 or an errno. */
static int kp_notify_start(void)
{
	sigset_t all, old;
	pthread_attr_t a;
	const char *s;
	pthread_t t;
	int err;

	if (kn.tid && kn.pid == getpid())
		return 0;
	kn.tid = 0;	/* a child of fork() has no helper */
	kn.pid = getpid();
	s = getenv("KIPC_POSIX_NOTIFY_SIGNAL");
	kn.signo = s ? atoi(s) : SIGRTMAX;
	if (kn.signo < 1 || kn.signo > SIGRTMAX)
		kn.signo = SIGRTMAX;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&a, 64 << 10);
	err = pthread_create(&t, &a, kp_notify_helper, NULL);
	pthread_attr_destroy(&a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return EAGAIN;
	while (!kn.tid)
		pthread_cond_wait(&kn.cond, &kn.lock);
	return 0;
}

static void kp_notify_drop(int fd)
{
	if (fd < 0 || fd >= KP_FDS)
		return;
	pthread_mutex_lock(&kn.lock);
	kp_reg_release(fd);
	pthread_mutex_unlock(&kn.lock);
}

static void kp_notify_atfork_child(void)
{
	pthread_mutex_init(&kn.lock, NULL);
	pthread_cond_init(&kn.cond, NULL);
	kn.tid = 0;
	kn.req_pending = 0;
	/* The registrations are the parent's: drop our copies of its fds. */
	for (int fd = 0; fd < KP_FDS; fd++)
		if (kn.regs[fd].rfd1)
			close(kn.regs[fd].rfd1 - 1);
	memset(kn.regs, 0, sizeof(kn.regs));
}

static void kp_notify_atfork_prepare(void)
{
	pthread_mutex_lock(&kn.lock);
}

static void kp_notify_atfork_parent(void)
{
	pthread_mutex_unlock(&kn.lock);
}

__attribute__((constructor)) static void kp_mq_init(void)
{
	pthread_atfork(kp_notify_atfork_prepare, kp_notify_atfork_parent,
		       kp_notify_atfork_child);
}

KP_EXPORT int mq_notify(mqd_t mqdes, const struct sigevent *sevp)
{
	uint64_t ent;
	int err;

	if (sevp) {
		switch (sevp->sigev_notify) {
		case SIGEV_NONE:
		case SIGEV_THREAD:
			break;
		case SIGEV_SIGNAL:
			if (sevp->sigev_signo < 0 ||
			    sevp->sigev_signo > SIGRTMAX)
				return kp_fail(EINVAL, -1);
			break;
		default:
			return kp_fail(EINVAL, -1);
		}
	}
	err = kp_mq_get(mqdes, &ent);
	if (err)
		return kp_fail(EBADF, -1);
	if (!sevp) {
		if (mqdes < KP_FDS) {
			pthread_mutex_lock(&kn.lock);
			if (kn.regs[mqdes].rfd1)
				kipc_queue_notify(kn.regs[mqdes].rfd1 - 1, 0, 0);
			kp_reg_release(mqdes);
			pthread_mutex_unlock(&kn.lock);
		}
		err = kipc_queue_notify(mqdes, 0, 0);
		/* Linux: removing no registration of ours is no error. */
		if (err && err != -ENOENT && err != -EBADF)
			return kp_fail(kp_mq_errno(err), -1);
		return 0;
	}
	if (mqdes >= KP_FDS)
		return kp_fail(ENOMEM, -1);
	pthread_mutex_lock(&kn.lock);
	err = kp_notify_start();
	if (err) {
		pthread_mutex_unlock(&kn.lock);
		return kp_fail(err, -1);
	}
	while (kn.req_pending)
		pthread_cond_wait(&kn.cond, &kn.lock);
	if (kn.regs[mqdes].active) {
		/* Is ours still registered in the kernel?  Then EBUSY. */
		struct kipc_queue_info qi;

		if (!kipc_queue_info(mqdes, &qi) && qi.notify_pid) {
			pthread_mutex_unlock(&kn.lock);
			return kp_fail(EBUSY, -1);
		}
	}
	kn.regs[mqdes].gen++;
	kn.regs[mqdes].ev = *sevp;
	kn.regs[mqdes].active = 1;
	kn.req_fd = mqdes;
	kn.req_value = (uint64_t)kn.regs[mqdes].gen << 32 | (uint32_t)mqdes;
	kn.req_pending = 1;
	syscall(SYS_tgkill, kn.pid, kn.tid, kn.signo);
	while (kn.req_pending)
		pthread_cond_wait(&kn.cond, &kn.lock);
	err = kn.req_ret;
	if (err)
		kp_reg_release(mqdes);
	pthread_mutex_unlock(&kn.lock);
	return err ? kp_fail(kp_mq_errno(err), -1) : 0;
}
KP_VERSIONS(mq_notify, "GLIBC_2.3.4", "GLIBC_2.34");
