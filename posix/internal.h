/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkipc-posix internals: POSIX mq_*, sem_* and shm_* on kipc objects.
 * Not installed.  See posix/README.md for the design and what cannot be
 * exact.
 */
#ifndef KIPC_POSIX_INTERNAL_H
#define KIPC_POSIX_INTERNAL_H

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <time.h>

#include "libkipc.h"

#define KP_EXPORT __attribute__((visibility("default")))

/*
 * The shared library also answers the glibc versions that programs bind
 * to (mq_open@GLIBC_2.34, ...): a versioned reference is only satisfied
 * by a definition of that very version, so without these LD_PRELOAD
 * would not interpose anything.  The default version is KIPC_POSIX_0.1,
 * for programs linked against libkipc-posix.so itself.  These are
 * x86_64's glibc version names; the archive has plain symbols only.
 * In the shared build, posix/rename.h has made NAME kp_NAME.
 */
#define KP_STR(x)	#x
#define KP_XSTR(x)	KP_STR(x)
#ifdef KIPC_POSIX_SHARED
#define KP_VERSIONS(fn, v1, v2)						\
	extern __typeof__(fn) kp_v1_##fn				\
		__attribute__((alias(KP_XSTR(fn)), copy(fn),		\
			       visibility("default")));			\
	extern __typeof__(fn) kp_v2_##fn				\
		__attribute__((alias(KP_XSTR(fn)), copy(fn),		\
			       visibility("default")));			\
	__asm__(".symver kp_v1_" #fn ", " #fn "@" v1);			\
	__asm__(".symver kp_v2_" #fn ", " #fn "@" v2);			\
	__asm__(".symver " KP_XSTR(fn) ", " #fn "@@KIPC_POSIX_0.1")
#define KP_VERSION(fn, v1)						\
	extern __typeof__(fn) kp_v1_##fn				\
		__attribute__((alias(KP_XSTR(fn)), copy(fn),		\
			       visibility("default")));			\
	__asm__(".symver kp_v1_" #fn ", " #fn "@" v1);			\
	__asm__(".symver " KP_XSTR(fn) ", " #fn "@@KIPC_POSIX_0.1")
#else
#define KP_VERSIONS(fn, v1, v2)	_Static_assert(1, #fn)
#define KP_VERSION(fn, v1)	_Static_assert(1, #fn)
#endif

/* Bytes of a kipc name made from a POSIX one (escapes triple a byte). */
#define KP_NAME_SIZE	(3 * NAME_MAX + 1)

enum kp_kind { KP_MQ, KP_SEM, KP_SHM };

/*
 * Translate a POSIX name into a kipc name, as glibc checks it for @kind.
 * Return: 0 or a positive errno (EINVAL, ENAMETOOLONG, ...).
 */
int kp_name(enum kp_kind kind, const char *name, char *out);

/* /dev/kipc is usable; else a positive errno, said once on stderr. */
int kp_dev_ok(void);

/*
 * What every *_open() checks first, in Linux's order: the name (made
 * into @kname, KP_NAME_SIZE bytes), the device, then, if @fdflags is not
 * NULL (mq_open, shm_open; sem_open ignores it), the access mode of
 * @oflag, which with O_NONBLOCK gives *@fdflags (KIPC_FD_*).
 * Return: 0 or a positive errno.
 */
int kp_open_prep(enum kp_kind kind, const char *name, char *kname,
		 int oflag, uint32_t *fdflags);

/*
 * What kp_open_or_create() opens or makes.  @create makes @kname
 * exclusively with @mode (the umask applied) and returns the fd, or a
 * negative errno: kipc's, or that of a check made only when creating
 * (mq_open's attributes, sem_open's value), which ends the call.
 */
struct kp_open {
	uint32_t type;			/* KIPC_TYPE_* */
	const char *kname;		/* kp_name() made it */
	int oflag;			/* O_CREAT and O_EXCL matter */
	unsigned int mode;		/* as given, before the umask */
	uint32_t fdflags;		/* KIPC_FD_* */
	int (*create)(const struct kp_open *op, uint32_t mode);
	void *arg;			/* for @create */
};

/*
 * Open op->kname, or create it as glibc does: O_CREAT without O_EXCL
 * opens an existing object (open, else create exclusively, else open
 * again: race-free), O_EXCL only creates, no O_CREAT only opens.
 * *@made (if not NULL) says whether this call created the object.
 * Return: the fd, or a negative errno for the caller to map.
 */
int kp_open_or_create(const struct kp_open *op, int *made);

/*
 * mq_unlink(), sem_unlink() or shm_unlink() of @name as glibc and Linux
 * report them.  Return: 0, or -1 with errno set.
 */
int kp_unlink(enum kp_kind kind, const char *name);

/* The process's umask, read without changing it. */
unsigned int kp_umask(void);

/* The calling thread has CAP_SYS_RESOURCE in its effective set. */
int kp_cap_sys_resource(void);

/* Set errno to @err (positive) and return @ret. */
static inline long kp_fail(int err, long ret)
{
	errno = err;
	return ret;
}

/* tv_nsec in range, tv_sec not negative (the kernel's timespec64_valid). */
static inline int kp_ts_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 &&
	       ts->tv_nsec < 1000000000L;
}

/*
 * Nanoseconds from now on @clock until @abs: 0 or less if it has passed,
 * capped at INT64_MAX / 2.
 */
int64_t kp_ns_until(clockid_t clock, const struct timespec *abs);

/* CLOCK_MONOTONIC now, in nanoseconds. */
static inline int64_t kp_now_ns_raw(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Forget the fd-table entries of @fd (mq_close, close of a shm fd). */
void kp_mq_forget(int fd);

#endif /* KIPC_POSIX_INTERNAL_H */
