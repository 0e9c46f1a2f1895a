// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc-posix: POSIX semaphores on kipc semaphores.
 *
 * Every sem_t is a kipc semaphore with the maximum SEM_VALUE_MAX: posts
 * and waits are a compare-and-swap on the word the semaphore's fd maps,
 * done here (struct kp_handle), and the kernel is entered, through
 * libkipc, only to sleep and to wake.
 *
 * - sem_open() gives a struct kp_sem of its own (malloc), one per name
 *   and process: a second sem_open() of the name returns the same
 *   pointer and counts it, as glibc does; sem_close() drops a count.  The
 *   kipc name is the POSIX one without its leading slashes.
 * - sem_init(s, 0, v): an anonymous kipc semaphore whose fd and handle
 *   are stored in *s.  A child of fork() shares it through the inherited
 *   fd and mapping.
 * - sem_init(s, 1, v): *s may be mapped by unrelated processes, where an
 *   fd number or a pointer means nothing.  So the semaphore gets a name,
 *   "%unnamed.TOKEN.SEQ" (no POSIX name makes that kipc name: a '%' of an
 *   escape is followed by two hex digits), and *s holds the creator's
 *   token (see kp_token) and sequence number and the object's kipc id.
 *   Another process opens the name on first use, checks the id, and
 *   keeps the handle in a per-process table.  sem_destroy() removes the name; a process that
 *   dies without calling it leaves the name behind, as a named
 *   semaphore that was never unlinked (kipcctl shows it).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#define KP_SEM_NAMED	0x6b70734eU	/* "Nspk" */
#define KP_SEM_PRIVATE	0x6b707350U	/* "Pspk" */
#define KP_SEM_SHARED	0x6b707353U	/* "Sspk" */

/*
 * A semaphore's handle in this address space: libkipc's (the kernel
 * paths) and the state word mapped again here, so that an uncontended
 * sem_post or sem_wait is one compare-and-swap in the shim itself, by the
 * protocol of uapi/linux/kipc.h: take (v, 0) -> (v - 1, 0) with
 * 0 < v <= max, post (v, 0) -> (v + 1, 0) with v + 1 <= max, anything
 * else through the kernel (libkipc), which also repairs a bad word.
 */
struct kp_handle {
	__u64 *state;		/* NULL: always through libkipc */
	uint32_t max;
	struct kipc_sem *k;
};

static int kp_attach(int fd, struct kp_handle **out)
{
	struct kipc_sem_info in;
	struct kp_handle *h;
	void *map;
	int err;

	err = kipc_sem_info(fd, &in);
	if (err)
		return err;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	err = kipc_sem_attach(fd, &h->k);
	if (err) {
		free(h);
		return err;
	}
	h->max = in.max;
	map = mmap(NULL, KIPC_SEM_MAP_SIZE, PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	if (map != MAP_FAILED)
		h->state = &((struct kipc_sem_shared *)map)->state;
	*out = h;
	return 0;
}

static void kp_detach(struct kp_handle *h)
{
	if (!h)
		return;
	if (h->state)
		munmap(h->state, KIPC_SEM_MAP_SIZE);
	kipc_sem_detach(h->k);
	free(h);
}

static inline int kp_post(struct kp_handle *h)
{
	__u64 old;
	uint32_t v;

	if (__builtin_expect(h->state != NULL, 1)) {
		old = __atomic_load_n(h->state, __ATOMIC_RELAXED);
		for (;;) {
			v = KIPC_SEM_STATE_VALUE(old);
			if (KIPC_SEM_STATE_WAITERS(old) || v >= h->max)
				break;
			if (__atomic_compare_exchange_n(h->state, &old,
							(__u64)(v + 1), 0,
							__ATOMIC_RELEASE,
							__ATOMIC_RELAXED))
				return 0;
		}
	}
	return kipc_sem_post(h->k, 1, 0);
}

static inline int kp_wait(struct kp_handle *h, int64_t timeout_ns)
{
	__u64 old;

	if (__builtin_expect(h->state != NULL, 1)) {
		old = __atomic_load_n(h->state, __ATOMIC_RELAXED);
		while (!KIPC_SEM_STATE_WAITERS(old) &&
		       KIPC_SEM_STATE_VALUE(old) &&
		       KIPC_SEM_STATE_VALUE(old) <= h->max) {
			if (__atomic_compare_exchange_n(h->state, &old,
							old - 1, 0,
							__ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED))
				return 0;
		}
	}
	return kipc_sem_wait(h->k, timeout_ns, 0);
}

/* What a sem_t holds; the first fields are those of struct kp_sem. */
struct kp_usem {
	uint32_t magic;
	uint32_t seq;		/* shared: the creator's number, in the name */
	struct kp_handle *h;	/* private, or shared where @token is ours */
	uint64_t id;		/* the kipc object's id */
	int64_t fd_token;	/* private: the fd; shared: the creator's token */
};

_Static_assert(sizeof(struct kp_usem) <= sizeof(sem_t), "sem_t too small");

/* A named semaphore of this process. */
struct kp_sem {
	uint32_t magic;
	uint32_t unused;
	struct kp_handle *h;
	uint64_t id;
	int64_t fd;
	unsigned int refs;
	struct kp_sem *next;
	char name[];
};

static pthread_mutex_t kp_sem_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kp_sem *kp_sems;		/* named, open in this process */

/*
 * Shared unnamed semaphores this process made or opened by name.  A
 * child of fork() inherits the list with the fds and mappings it names.
 */
struct kp_shared {
	uint64_t id;
	int fd;
	struct kp_handle *h;
	struct kp_shared *next;
};

static struct kp_shared *kp_shared_list;
static atomic_uint kp_seq;

/*
 * This address space's token: random, made at start, kept across fork()
 * (a child's copy of a handle is valid: same fds, same mappings) and new
 * after exec.  A shared sem_t whose token is ours was made here or by an
 * ancestor, and its handle pointer can be used; any other process goes
 * by the name, never by a pointer from another address space (a pid
 * could have been reused).
 */
static uint64_t kp_token;

__attribute__((constructor)) static void kp_sem_init_token(void)
{
	uint64_t t = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &t, sizeof(t)) != sizeof(t))
			t = 0;
		close(fd);
	}
	kp_token = t ^ ((uint64_t)getpid() << 32) ^
		   (uint64_t)kp_now_ns_raw();
	if (!kp_token)
		kp_token = 1;
}

static void kp_unnamed_name(char *buf, size_t size, uint64_t token,
			    uint32_t seq)
{
	snprintf(buf, size, "%%unnamed.%016llx.%u",
		 (unsigned long long)token, seq);
}

static int kp_sem_errno(int err)
{
	switch (err) {
	case -ENOTTY:
		return EINVAL;
	case -EDQUOT:
		return ENOSPC;
	default:
		return -err;
	}
}

/* The list entry of shared semaphore @id, or NULL; under kp_sem_lock. */
static struct kp_shared *kp_shared_find(uint64_t id)
{
	struct kp_shared *s;

	for (s = kp_shared_list; s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

static int kp_shared_add(uint64_t id, int fd, struct kp_handle *h)
{
	struct kp_shared *s = malloc(sizeof(*s));

	if (!s)
		return ENOMEM;
	s->id = id;
	s->fd = fd;
	s->h = h;
	pthread_mutex_lock(&kp_sem_lock);
	s->next = kp_shared_list;
	kp_shared_list = s;
	pthread_mutex_unlock(&kp_sem_lock);
	return 0;
}

/*
 * kp_sem_handle() for what is not a named or private sem_t: a shared one,
 * found by its token or in this process's table (opened on first use),
 * or none of ours.  Out of line, so that the fast path below keeps a
 * small frame (no name buffer, no object info).
 */
static __attribute__((noinline)) struct kp_handle *
kp_sem_handle_slow(sem_t *sem)
{
	struct kp_usem *u = (struct kp_usem *)sem;
	struct kipc_object_info oi = { 0 };
	struct kp_shared *s;
	struct kp_handle *h;
	char name[64];
	int fd;

	if (!u) {
		errno = EINVAL;
		return NULL;
	}
	switch (u->magic) {
	case KP_SEM_NAMED:
	case KP_SEM_PRIVATE:
		return u->h;
	case KP_SEM_SHARED:
		break;
	default:
		errno = EINVAL;
		return NULL;
	}
	if ((uint64_t)u->fd_token == kp_token)
		return u->h;
	pthread_mutex_lock(&kp_sem_lock);
	s = kp_shared_find(u->id);
	h = s ? s->h : NULL;
	pthread_mutex_unlock(&kp_sem_lock);
	if (h)
		return h;
	kp_unnamed_name(name, sizeof(name), u->fd_token, u->seq);
	fd = kipc_sem_open(name, 0);
	if (fd < 0) {
		errno = EINVAL;
		return NULL;
	}
	if (kipc_object_info(fd, &oi) || oi.id != u->id ||
	    kp_attach(fd, &h)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	if (kp_shared_add(u->id, fd, h)) {
		kp_detach(h);
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	return h;
}

/* The handle of any sem_t of ours, or NULL with errno EINVAL. */
static inline struct kp_handle *kp_sem_handle(sem_t *sem)
{
	struct kp_usem *u = (struct kp_usem *)sem;

	if (__builtin_expect(u && (u->magic == KP_SEM_NAMED ||
				   u->magic == KP_SEM_PRIVATE), 1))
		return u->h;
	return kp_sem_handle_slow(sem);
}

/* The fd of a sem_t kp_sem_handle() accepted, or -1. */
static int kp_sem_fd(sem_t *sem)
{
	struct kp_usem *u = (struct kp_usem *)sem;
	struct kp_shared *s;
	int fd;

	if (u->magic != KP_SEM_SHARED)
		return (int)u->fd_token;
	pthread_mutex_lock(&kp_sem_lock);
	s = kp_shared_find(u->id);
	fd = s ? s->fd : -1;
	pthread_mutex_unlock(&kp_sem_lock);
	return fd;
}

/* ---- named ------------------------------------------------------------------- */

/* kp_open.create of sem_open(): the value counts only here. */
static int kp_sem_make(const struct kp_open *op, uint32_t mode)
{
	unsigned int value = *(const unsigned int *)op->arg;

	if (value > SEM_VALUE_MAX)
		return -EINVAL;
	return kipc_sem_create(op->kname, mode, value, SEM_VALUE_MAX, 0);
}

KP_EXPORT sem_t *sem_open(const char *name, int oflag, ...)
{
	char kname[KP_NAME_SIZE];
	struct kipc_object_info oi = { 0 };
	unsigned int value = 0;
	struct kp_open op = {
		.type = KIPC_TYPE_SEMAPHORE,
		.kname = kname,
		.oflag = oflag,
		.create = kp_sem_make,
		.arg = &value,
	};
	struct kp_sem *s;
	struct kp_handle *h;
	va_list ap;
	int err, fd;

	if (oflag & O_CREAT) {
		va_start(ap, oflag);
		op.mode = va_arg(ap, mode_t);
		value = va_arg(ap, unsigned int);
		va_end(ap);
	}
	err = kp_open_prep(KP_SEM, name, kname, oflag, NULL);
	if (err)
		return kp_fail(err, 0), SEM_FAILED;
	fd = kp_open_or_create(&op, NULL);
	if (fd < 0)
		return kp_fail(kp_sem_errno(fd), 0), SEM_FAILED;
	err = kipc_object_info(fd, &oi);
	if (err) {
		close(fd);
		return kp_fail(-err, 0), SEM_FAILED;
	}
	/* The same object open already: the same sem_t *, as glibc. */
	pthread_mutex_lock(&kp_sem_lock);
	for (s = kp_sems; s; s = s->next) {
		if (s->id == oi.id) {
			s->refs++;
			pthread_mutex_unlock(&kp_sem_lock);
			close(fd);
			return (sem_t *)s;
		}
	}
	pthread_mutex_unlock(&kp_sem_lock);
	s = calloc(1, sizeof(*s) + strlen(kname) + 1);
	if (!s) {
		close(fd);
		return kp_fail(ENOMEM, 0), SEM_FAILED;
	}
	err = kp_attach(fd, &h);
	if (err) {
		free(s);
		close(fd);
		return kp_fail(kp_sem_errno(err), 0), SEM_FAILED;
	}
	s->magic = KP_SEM_NAMED;
	s->fd = fd;
	s->h = h;
	s->id = oi.id;
	s->refs = 1;
	strcpy(s->name, kname);
	pthread_mutex_lock(&kp_sem_lock);
	s->next = kp_sems;
	kp_sems = s;
	pthread_mutex_unlock(&kp_sem_lock);
	return (sem_t *)s;
}
KP_VERSIONS(sem_open, "GLIBC_2.2.5", "GLIBC_2.34");

KP_EXPORT int sem_close(sem_t *sem)
{
	struct kp_sem *s = (struct kp_sem *)sem, **p;

	pthread_mutex_lock(&kp_sem_lock);
	for (p = &kp_sems; *p; p = &(*p)->next)
		if (*p == s)
			break;
	if (!*p) {
		pthread_mutex_unlock(&kp_sem_lock);
		return kp_fail(EINVAL, -1);
	}
	if (--s->refs) {
		pthread_mutex_unlock(&kp_sem_lock);
		return 0;
	}
	*p = s->next;
	pthread_mutex_unlock(&kp_sem_lock);
	kp_detach(s->h);
	close(s->fd);
	s->magic = 0;
	free(s);
	return 0;
}
KP_VERSIONS(sem_close, "GLIBC_2.2.5", "GLIBC_2.34");

KP_EXPORT int sem_unlink(const char *name)
{
	return kp_unlink(KP_SEM, name);
}
KP_VERSIONS(sem_unlink, "GLIBC_2.2.5", "GLIBC_2.34");

/* ---- unnamed ------------------------------------------------------------------ */

KP_EXPORT int sem_init(sem_t *sem, int pshared, unsigned int value)
{
	struct kp_usem *u = (struct kp_usem *)sem, n = { 0 };
	struct kipc_object_info oi = { 0 };
	char name[64];
	int err, fd;

	if (value > SEM_VALUE_MAX)
		return kp_fail(EINVAL, -1);
	err = kp_dev_ok();
	if (err)
		return kp_fail(err, -1);
	if (pshared) {
		n.magic = KP_SEM_SHARED;
		n.seq = atomic_fetch_add(&kp_seq, 1);
		n.fd_token = (int64_t)kp_token;
		kp_unnamed_name(name, sizeof(name), kp_token, n.seq);
		fd = kipc_sem_create(name, 0600, value, SEM_VALUE_MAX, 0);
	} else {
		n.magic = KP_SEM_PRIVATE;
		fd = kipc_sem_create(NULL, 0600, value, SEM_VALUE_MAX, 0);
	}
	if (fd < 0)
		return kp_fail(kp_sem_errno(fd), -1);
	err = kipc_object_info(fd, &oi);
	if (!err)
		err = kp_attach(fd, &n.h);
	n.id = oi.id;
	if (!err && pshared) {
		err = -kp_shared_add(n.id, fd, n.h);
		if (err)
			kp_detach(n.h);
	}
	if (err) {
		if (pshared)
			kipc_unlink(KIPC_TYPE_SEMAPHORE, name);
		close(fd);
		return kp_fail(kp_sem_errno(err), -1);
	}
	if (!pshared)
		n.fd_token = fd;
	*u = n;
	return 0;
}
KP_VERSIONS(sem_init, "GLIBC_2.2.5", "GLIBC_2.34");

KP_EXPORT int sem_destroy(sem_t *sem)
{
	struct kp_usem *u = (struct kp_usem *)sem;
	struct kp_shared *s = NULL, **p;
	char name[64];

	if (u->magic == KP_SEM_PRIVATE) {
		kp_detach(u->h);
		close((int)u->fd_token);
		u->magic = 0;
		return 0;
	}
	if (u->magic != KP_SEM_SHARED)
		return kp_fail(EINVAL, -1);
	kp_unnamed_name(name, sizeof(name), u->fd_token, u->seq);
	kipc_unlink(KIPC_TYPE_SEMAPHORE, name);
	pthread_mutex_lock(&kp_sem_lock);
	for (p = &kp_shared_list; *p; p = &(*p)->next) {
		if ((*p)->id == u->id) {
			s = *p;
			*p = s->next;
			break;
		}
	}
	pthread_mutex_unlock(&kp_sem_lock);
	if (s) {
		kp_detach(s->h);
		close(s->fd);
		free(s);
	}
	u->magic = 0;
	return 0;
}
KP_VERSIONS(sem_destroy, "GLIBC_2.2.5", "GLIBC_2.34");

/* ---- operations -------------------------------------------------------------- */

KP_EXPORT int sem_post(sem_t *sem)
{
	struct kp_handle *h = kp_sem_handle(sem);
	int err;

	if (!h)
		return -1;
	err = kp_post(h);
	return err ? kp_fail(kp_sem_errno(err), -1) : 0;
}
KP_VERSIONS(sem_post, "GLIBC_2.2.5", "GLIBC_2.34");

KP_EXPORT int sem_wait(sem_t *sem)
{
	struct kp_handle *h = kp_sem_handle(sem);
	int err;

	if (!h)
		return -1;
	err = kp_wait(h, KIPC_INFINITE);
	return err ? kp_fail(kp_sem_errno(err), -1) : 0;
}
KP_VERSIONS(sem_wait, "GLIBC_2.2.5", "GLIBC_2.34");

KP_EXPORT int sem_trywait(sem_t *sem)
{
	struct kp_handle *h = kp_sem_handle(sem);
	int err;

	if (!h)
		return -1;
	err = kp_wait(h, 0);
	return err ? kp_fail(kp_sem_errno(err), -1) : 0;
}
KP_VERSIONS(sem_trywait, "GLIBC_2.2.5", "GLIBC_2.34");

static int kp_do_timedwait(sem_t *sem, clockid_t clock,
			const struct timespec *abs)
{
	struct kp_handle *h;
	int64_t ns;
	int err;

	/* glibc checks the time first, whether it would block or not. */
	if (abs->tv_nsec < 0 || abs->tv_nsec >= 1000000000L)
		return kp_fail(EINVAL, -1);
	h = kp_sem_handle(sem);
	if (!h)
		return -1;
	err = kp_wait(h, 0);
	while (err == -EAGAIN) {
		ns = kp_ns_until(clock, abs);
		if (ns <= 0)
			return kp_fail(ETIMEDOUT, -1);
		err = kp_wait(h, ns);
		if (err == -ETIMEDOUT)
			err = -EAGAIN;	/* early for @clock?  Again. */
	}
	return err ? kp_fail(kp_sem_errno(err), -1) : 0;
}

KP_EXPORT int sem_timedwait(sem_t *sem, const struct timespec *abs_timeout)
{
	return kp_do_timedwait(sem, CLOCK_REALTIME, abs_timeout);
}
KP_VERSIONS(sem_timedwait, "GLIBC_2.2.5", "GLIBC_2.34");

KP_EXPORT int sem_clockwait(sem_t *sem, clockid_t clockid,
			    const struct timespec *abs_timeout)
{
	if (clockid != CLOCK_REALTIME && clockid != CLOCK_MONOTONIC)
		return kp_fail(EINVAL, -1);
	return kp_do_timedwait(sem, clockid, abs_timeout);
}
KP_VERSIONS(sem_clockwait, "GLIBC_2.30", "GLIBC_2.34");

KP_EXPORT int sem_getvalue(sem_t *sem, int *sval)
{
	struct kipc_sem_info in;
	int err;

	if (!kp_sem_handle(sem))
		return -1;
	err = kipc_sem_info(kp_sem_fd(sem), &in);
	if (err)
		return kp_fail(kp_sem_errno(err), -1);
	*sval = (int)in.value;
	return 0;
}
KP_VERSIONS(sem_getvalue, "GLIBC_2.2.5", "GLIBC_2.34");
