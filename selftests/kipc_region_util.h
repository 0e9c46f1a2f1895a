/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the kipc shared region selftests (kipc_region_test.c,
 * kipc_region_mm_test.c, kipc_region_stress_test.c).  Included after
 * kselftest_harness.h.
 */
#ifndef KIPC_REGION_UTIL_H
#define KIPC_REGION_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kipc_test_util.h"

#define PS		kt_page_size()
#define DEF_MAX		(64ULL << 20)	/* max_region_size's default */

/* Byte @i of region @seed's test pattern. */
static inline uint8_t pat(unsigned int seed, uint64_t i)
{
	return (uint8_t)(i * 131 + (i >> 8) * 7 + (i >> 16) * 3 + seed * 29 + 1);
}

static inline void fill_pat(uint8_t *b, unsigned int seed, uint64_t pos, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = pat(seed, pos + i);
}

/* Offset of the first byte of @b that is not the pattern at @pos, or -1. */
static inline long bad_pat(const uint8_t *b, unsigned int seed, uint64_t pos,
		    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != pat(seed, pos + i))
			return (long)i;
	return -1;
}

/* Offset of the first non-zero byte of @b, or -1. */
static inline long nonzero_at(const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return (long)i;
	return -1;
}

/* mmap(2) of a region fd: the address, or NULL with *@err = -errno. */
static inline void *rmap(int fd, size_t len, int prot, int flags, off_t off,
		  int *err)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED) {
		*err = -errno;
		return NULL;
	}
	*err = 0;
	return p;
}

static inline int r_info(int fd, struct kipc_region_info *in)
{
	return kipc_region_info(fd, in);
}

static inline uint64_t r_maps(int fd)
{
	struct kipc_region_info in;

	return r_info(fd, &in) ? UINT64_MAX : in.mappings;
}

static inline uint64_t r_resident(int fd)
{
	struct kipc_region_info in;

	return r_info(fd, &in) ? UINT64_MAX : in.resident;
}

/* Wait until the 64-bit word at @p is @v: 0, or -ETIMEDOUT. */
static inline int wait_word(const uint64_t *p, uint64_t v, int timeout_ms)
{
	int64_t end = kt_now_ns() + timeout_ms * KT_NSEC_PER_MSEC;
	unsigned int spins = 0;

	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != v) {
		if (++spins < 1024)
			continue;
		if (kt_now_ns() > end)
			return -ETIMEDOUT;
		sched_yield();
	}
	return 0;
}

#endif /* KIPC_REGION_UTIL_H */
