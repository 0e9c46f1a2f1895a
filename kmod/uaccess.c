// SPDX-License-Identifier: GPL-2.0
/*
 * Copying extensible ioctl structs and deadlines from and to user space.
 *
 * Design: docs/design.md, section 1 (the life of an fd, extensible structs).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ioctl.h>
#include <linux/ktime.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kipc.h"

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
 * kipc_copy_in_slow() - kipc_copy_in() of a struct of another size
 * @dst: kernel copy, @ksize bytes
 * @ksize: size of the struct this module knows
 * @src: user pointer
 * @usize: size the caller passed, at least the smallest accepted
 *
 * Return: 0, -E2BIG if the caller's struct is larger and the extra bytes
 * are not zero, -EFAULT.
 */
int kipc_copy_in_slow(void *dst, size_t ksize, const void __user *src,
		      size_t usize)
{
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
 * kipc_info_in() - copy in an INFO struct and check its input fields
 * @in: kernel copy, @layout->size bytes
 * @layout: where its fields lie
 * @uarg: user pointer
 * @usize: size the caller passed
 *
 * Return: 0; -EINVAL for a size below the first version's or non-zero
 * flags, padding or reserved fields; -E2BIG; -EFAULT.
 */
int kipc_info_in(void *in, const struct kipc_info_layout *layout,
		 const void __user *uarg, unsigned int usize)
{
	const u32 *flags = in, *pad = in + layout->pad;
	int err;

	err = kipc_copy_in(in, layout->size, layout->min_size, uarg, usize);
	if (err)
		return err;
	if (!kipc_args_clean(*flags, *pad, in + layout->reserved,
			     layout->size - layout->reserved))
		return -EINVAL;
	return 0;
}
