/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copying extensible ioctl structs and deadlines from and to user space.
 *
 * The helpers every blocking call runs are inline: a call that follows a
 * context switch finds the CPU's caches and TLB cold, and each function
 * call and return then costs a lookup of its own (under an emulator such
 * as QEMU's TCG, which flushes its translation caches at every address
 * space switch, about 0.1 us each), so that a semaphore wait through five
 * small out-of-line helpers cost 0.8 us more than the same wait through
 * read(2).  The rarely taken paths stay out of line in uaccess.c.
 *
 * Design: docs/design.md, section 1 (the life of an fd, extensible structs).
 */
#ifndef _KIPC_UACCESS_H
#define _KIPC_UACCESS_H

#include <linux/ioctl.h>
#include <linux/ktime.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <linux/kipc.h>

struct kipc_object;

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
static inline int kipc_ioc_size(unsigned int cmd, unsigned int want_cmd,
				size_t min)
{
	if ((cmd ^ want_cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))
		return -ENOTTY;
	if (_IOC_SIZE(cmd) < min)
		return -EINVAL;
	return _IOC_SIZE(cmd);
}

/**
 * kipc_mem_is_zero() - whether @len bytes at @p are all zero
 * @p: memory to check
 * @len: its length
 *
 * Return: true if every byte is zero.
 */
static inline bool kipc_mem_is_zero(const void *p, size_t len)
{
	const u64 *w = p;
	u64 acc = 0;
	size_t i;

	if (!IS_ALIGNED(len, sizeof(u64)) ||
	    !IS_ALIGNED((unsigned long)p, sizeof(u64)))
		return !memchr_inv(p, 0, len);
	for (i = 0; i < len / sizeof(u64); i++)
		acc |= w[i];
	return !acc;
}

/**
 * kipc_args_clean() - whether an ioctl struct's flags, padding and reserved
 *	fields are zero
 * @flags: the flags the call does not know (flags & ~known), or 0 when the
 *	caller checks its flags otherwise
 * @pad: the struct's __pad field, or 0 if it has none
 * @reserved: the struct's reserved field
 * @size: sizeof() it
 *
 * Every struct of the ABI grows into its padding and reserved fields, so
 * they must be zero today (EINVAL otherwise) for a later version to give
 * them a meaning.
 *
 * Return: true if @flags, @pad and the @size bytes at @reserved are zero.
 */
static inline bool kipc_args_clean(u32 flags, u32 pad, const void *reserved,
				   size_t size)
{
	return !flags && !pad && kipc_mem_is_zero(reserved, size);
}

int kipc_deadline(const struct kipc_timespec *ts, ktime_t *out);

/**
 * kipc_check_wait() - check the KIPC_WAIT_* flags and deadline of a call
 * @flags: KIPC_WAIT_DEADLINE or KIPC_WAIT_NONBLOCK, not both
 * @ts: the deadline; all zero unless KIPC_WAIT_DEADLINE
 * @deadline: the deadline as ktime, KTIME_MAX for none
 *
 * Return: 0 or -EINVAL.
 */
static inline int kipc_check_wait(u32 flags, const struct kipc_timespec *ts,
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

/*
 * The ioctl structs (a few 64-bit words each, the size the caller passed
 * equal to the module's) are copied word by word in one user-access
 * window: copy_from_user() and copy_to_user() use a string move (rep
 * movsb) from 64 bytes up, whose start-up cost exceeds such a copy, and
 * which an emulated CPU runs a byte at a time (about 30 ns a byte under
 * QEMU's TCG: 5 us for KIPC_SEM_IOC_INFO's 72 bytes in and out).
 */
#define KIPC_WORDS_MAX	256

static inline bool kipc_words(const void __user *uptr, size_t n)
{
	return n <= KIPC_WORDS_MAX && IS_ALIGNED(n, sizeof(u64)) &&
	       IS_ALIGNED((unsigned long)uptr, sizeof(u64));
}

static inline int kipc_words_in(void *dst, const void __user *src, size_t n)
{
	const u64 __user *s = src;
	size_t i;
	u64 w;

	if (!user_access_begin(src, n))
		return -EFAULT;
	for (i = 0; i < n / sizeof(u64); i++) {
		unsafe_get_user(w, &s[i], efault);
		/*
		 * A plain store, not memcpy(), whose fortify check must not
		 * run in the window; @dst is an ioctl struct, so it holds
		 * __u64 fields and is aligned for them.
		 */
		*((u64 *)dst + i) = w;
	}
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/**
 * kipc_put_user() - put_user() of a __u32 or __u64, inline
 * @v: the value
 * @p: user pointer
 * @size: sizeof(*@p), 4 or 8
 *
 * put_user() calls an out-of-line helper; the hot paths write their one
 * word with this instead (and read one with kipc_words_in()).
 *
 * Return: 0 or -EFAULT.
 */
static __always_inline int kipc_put_user(u64 v, void __user *p, size_t size)
{
	if (!user_access_begin(p, size))
		return -EFAULT;
	if (size == sizeof(u32))
		unsafe_put_user((u32)v, (u32 __user *)p, efault);
	else
		unsafe_put_user(v, (u64 __user *)p, efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

int kipc_copy_in_slow(void *dst, size_t ksize, const void __user *src,
		      size_t usize);

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
static inline int kipc_copy_in(void *dst, size_t ksize, size_t minsize,
			       const void __user *src, size_t usize)
{
	if (usize < minsize)
		return -EINVAL;
	if (usize == ksize && kipc_words(src, ksize))
		return kipc_words_in(dst, src, ksize);
	return kipc_copy_in_slow(dst, ksize, src, usize);
}

int kipc_copy_out(void __user *dst, size_t usize, const void *src,
		  size_t ksize);

/**
 * struct kipc_info_layout - where the input fields of an INFO struct lie
 * @size: sizeof() the struct
 * @min_size: its _SIZE_VER0, the smallest size accepted
 * @pad: offset of its __pad field, or 0 (that of flags) if it has none
 * @reserved: offset of its reserved field, which ends the struct
 *
 * Every KIPC_*_IOC_INFO struct starts with a __u32 flags and ends with
 * reserved words; flags, __pad and reserved are what the caller passes in
 * (all zero), every other field is filled in.
 */
struct kipc_info_layout {
	u16 size;
	u16 min_size;
	u16 pad;
	u16 reserved;
};

/**
 * KIPC_INFO_LAYOUT() - the &struct kipc_info_layout of an INFO struct
 * @info_t: the struct, e.g. struct kipc_event_info
 * @min: its _SIZE_VER0
 * @pad_field: its padding field (__pad), or flags if it has none
 */
#define KIPC_INFO_LAYOUT(info_t, min, pad_field) {			\
	.size		= sizeof(info_t),				\
	.min_size	= (min),					\
	.pad		= offsetof(info_t, pad_field),			\
	.reserved	= offsetof(info_t, reserved) +			\
		BUILD_BUG_ON_ZERO(offsetof(info_t, flags) ||		\
				  offsetofend(info_t, reserved) !=	\
				  sizeof(info_t)),			\
}

int kipc_info_in(void *in, const struct kipc_info_layout *layout,
		 const void __user *uarg, unsigned int usize);

/* What KIPC_DEFINE_IOC_INFO()'s handler returns for a refused call. */
static inline int kipc_info_refused(struct kipc_object *obj, int err)
{
	return err;
}

/**
 * KIPC_DEFINE_IOC_INFO_REFUSE() - define a type's INFO ioctl handler
 * @prefix: the type's prefix: defines @prefix_ioc_info(), for the type's
 *	&struct kipc_ioc table, around the type's @prefix_fill_info(), a
 *	void (struct file *, struct kipc_object *, @info_t *) that fills in
 *	the answer once the input fields were found zero
 * @info_t: the INFO struct, e.g. struct kipc_event_info
 * @min: its _SIZE_VER0
 * @pad_field: its padding field (__pad), or flags if it has none
 * @refuse: int @refuse(struct kipc_object *, int err), run for a refused
 *	call (EINVAL, E2BIG, EFAULT on the way in); returns the error
 *
 * The handler copies the caller's struct in (at least @min bytes, the
 * bytes beyond sizeof(@info_t) zero: E2BIG), checks that flags, padding
 * and reserved fields are zero (EINVAL), has @prefix_fill_info() answer,
 * and copies as much of the answer out as the caller has room for
 * (EFAULT).
 */
#define KIPC_DEFINE_IOC_INFO_REFUSE(prefix, info_t, min, pad_field, refuse) \
static long prefix##_ioc_info(struct file *file, struct kipc_object *obj, \
			      unsigned long arg, unsigned int usize)	\
{									\
	info_t in;							\
	static const struct kipc_info_layout layout =			\
		KIPC_INFO_LAYOUT(typeof(in), min, pad_field);		\
	int err;							\
									\
	err = kipc_info_in(&in, &layout, (void __user *)arg, usize);	\
	if (err)							\
		return refuse(obj, err);				\
	prefix##_fill_info(file, obj, &in);				\
	return kipc_copy_out((void __user *)arg, usize, &in, sizeof(in)); \
}

/**
 * KIPC_DEFINE_IOC_INFO() - define a type's INFO ioctl handler
 * @prefix: the type's prefix, see KIPC_DEFINE_IOC_INFO_REFUSE()
 * @info_t: the INFO struct
 * @min: its _SIZE_VER0
 * @pad_field: its padding field (__pad), or flags if it has none
 *
 * KIPC_DEFINE_IOC_INFO_REFUSE() for a type with nothing to do when a call
 * is refused.
 */
#define KIPC_DEFINE_IOC_INFO(prefix, info_t, min, pad_field)		\
	KIPC_DEFINE_IOC_INFO_REFUSE(prefix, info_t, min, pad_field,	\
				    kipc_info_refused)

/* Mappings of an object (map.c). */
struct vm_area_struct;

#define KIPC_MAP_WINDOW		BIT(0)	/* any pages of the size, not all */
#define KIPC_MAP_PRIVATE	BIT(1)	/* MAP_PRIVATE: a copy-on-write view */

int kipc_map_check(struct file *file, struct vm_area_struct *vma,
		   unsigned long size, unsigned int how);
struct file *kipc_map_file(struct file *file, const char *name,
			   struct file *backing);

#endif /* _KIPC_UACCESS_H */
