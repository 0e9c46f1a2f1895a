// SPDX-License-Identifier: GPL-2.0
/*
 * Copying extensible ioctl structs and deadlines from and to user space.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ioctl.h>
#include <linux/ktime.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kipc.h"

/**
 * kipc_ioc_size() - check an ioctl number and return the caller's size
 * @cmd: the command as the caller passed it
 * @want_cmd: the command as this module defines it
 * @min: the smallest size accepted (the struct's _SIZE_VER0)
 *
 * Type, number and direction must match; the size may differ, since the
 * size is how structs grow.
 *
 * Return: the caller's struct size, or -ENOTTY if @cmd is another command,
 * or -EINVAL if the size is below @min.
 */
int kipc_ioc_size(unsigned int cmd, unsigned int want_cmd, size_t min)
{
	if (_IOC_TYPE(cmd) != _IOC_TYPE(want_cmd) ||
	    _IOC_NR(cmd) != _IOC_NR(want_cmd) ||
	    _IOC_DIR(cmd) != _IOC_DIR(want_cmd))
		return -ENOTTY;
	if (_IOC_SIZE(cmd) < min)
		return -EINVAL;
	return _IOC_SIZE(cmd);
}

/*
 * The ioctl structs (a few 64-bit words each, the size the caller passed
 * equal to the module's) are copied word by word in one user-access
 * window: copy_from_user() and copy_to_user() use a string move (rep
 * movsb) from 64 bytes up, whose start-up cost exceeds such a copy, and
 * which an emulated CPU runs a byte at a time (about 30 ns a byte under
 * QEMU's TCG: 5 us for KIPC_SEM_IOC_INFO's 72 bytes in and out).
 */
#define KIPC_WORDS_MAX	256

static bool kipc_words(const void __user *uptr, size_t n)
{
	return n <= KIPC_WORDS_MAX && IS_ALIGNED(n, sizeof(u64)) &&
	       IS_ALIGNED((unsigned long)uptr, sizeof(u64));
}

static int kipc_words_in(void *dst, const void __user *src, size_t n)
{
	const u64 __user *s = src;
	size_t i;
	u64 w;

	if (!user_access_begin(src, n))
		return -EFAULT;
	for (i = 0; i < n / sizeof(u64); i++) {
		unsafe_get_user(w, &s[i], efault);
		memcpy(dst + i * sizeof(u64), &w, sizeof(w));
	}
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

static int kipc_words_out(void __user *dst, const void *src, size_t n)
{
	u64 __user *d = dst;
	size_t i;
	u64 w;

	if (!user_access_begin(dst, n))
		return -EFAULT;
	for (i = 0; i < n / sizeof(u64); i++) {
		memcpy(&w, src + i * sizeof(u64), sizeof(w));
		unsafe_put_user(w, &d[i], efault);
	}
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/**
 * kipc_copy_in() - copy an extensible struct from user space
 * @dst: kernel copy, @ksize bytes
 * @ksize: size of the struct this module knows
 * @minsize: smallest size accepted
 * @src: user pointer
 * @usize: size the caller passed
 *
 * Return: 0, -EINVAL for a size below @minsize, -E2BIG if the caller's
 * struct is larger and the extra bytes are not zero, -EFAULT.
 */
int kipc_copy_in(void *dst, size_t ksize, size_t minsize,
		 const void __user *src, size_t usize)
{
	if (usize < minsize)
		return -EINVAL;
	if (usize == ksize && kipc_words(src, ksize))
		return kipc_words_in(dst, src, ksize);
	return copy_struct_from_user(dst, ksize, src, usize);
}

/**
 * kipc_copy_out() - copy a struct back, no more than the caller has room for
 * @dst: user pointer
 * @usize: size the caller passed
 * @src: kernel copy
 * @ksize: size of the kernel copy
 *
 * Return: 0 or -EFAULT.
 */
int kipc_copy_out(void __user *dst, size_t usize, const void *src,
		  size_t ksize)
{
	size_t n = min(usize, ksize);

	if (kipc_words(dst, n))
		return kipc_words_out(dst, src, n);
	if (copy_to_user(dst, src, n))
		return -EFAULT;
	return 0;
}

/**
 * kipc_mem_is_zero() - whether @len bytes at @p are all zero
 * @p: memory to check
 * @len: its length
 *
 * Return: true if every byte is zero.
 */
bool kipc_mem_is_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/**
 * kipc_deadline() - check a user deadline and convert it to ktime
 * @ts: absolute CLOCK_MONOTONIC time
 * @out: the same as ktime_t
 *
 * Return: 0, or -EINVAL if @ts is negative or not normalized.
 */
int kipc_deadline(const struct kipc_timespec *ts, ktime_t *out)
{
	if (ts->tv_sec < 0 || ts->tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if (ts->tv_sec >= KTIME_SEC_MAX)
		*out = KTIME_MAX;
	else
		*out = ktime_set(ts->tv_sec, ts->tv_nsec);
	return 0;
}

/**
 * kipc_check_wait() - check the KIPC_WAIT_* flags and deadline of a call
 * @flags: KIPC_WAIT_DEADLINE or KIPC_WAIT_NONBLOCK, not both
 * @ts: the deadline; all zero unless KIPC_WAIT_DEADLINE
 * @deadline: the deadline as ktime, KTIME_MAX for none
 *
 * Return: 0 or -EINVAL.
 */
int kipc_check_wait(u32 flags, const struct kipc_timespec *ts,
		    ktime_t *deadline)
{
	if (flags & ~KIPC_WAIT_FLAGS)
		return -EINVAL;
	if ((flags & KIPC_WAIT_DEADLINE) && (flags & KIPC_WAIT_NONBLOCK))
		return -EINVAL;
	if (!(flags & KIPC_WAIT_DEADLINE)) {
		*deadline = KTIME_MAX;
		return kipc_mem_is_zero(ts, sizeof(*ts)) ? 0 : -EINVAL;
	}
	return kipc_deadline(ts, deadline);
}
