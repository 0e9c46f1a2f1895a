// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc: shared regions.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

KIPC_EXPORT int kipc_region_create(const char *name, uint32_t mode,
				   uint64_t size, uint32_t fdflags)
{
	struct kipc_region_attr a = { .size = size };

	return kipc_create(KIPC_TYPE_REGION, name, mode, &a, sizeof(a),
			   fdflags);
}

KIPC_EXPORT int kipc_region_open(const char *name, uint32_t fdflags)
{
	return kipc_open(KIPC_TYPE_REGION, name, fdflags);
}

KIPC_EXPORT int kipc_region_info(int fd, struct kipc_region_info *info)
{
	memset(info, 0, sizeof(*info));
	return kipc_ioctl(fd, KIPC_REGION_IOC_INFO, info);
}

KIPC_EXPORT void *kipc_region_map(int fd, int prot, uint64_t *size, int *err)
{
	struct kipc_region_info in;
	void *p;
	int ret;

	if (prot != PROT_READ && prot != (PROT_READ | PROT_WRITE)) {
		ret = -EINVAL;
		goto fail;
	}
	ret = kipc_region_info(fd, &in);
	if (ret)
		goto fail;
	if (in.size > SIZE_MAX) {
		ret = -ENOMEM;
		goto fail;
	}
	p = mmap(NULL, (size_t)in.size, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto fail;
	}
	if (size)
		*size = in.size;
	if (err)
		*err = 0;
	return p;

fail:
	if (err)
		*err = ret;
	return NULL;
}
