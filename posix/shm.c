// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc-posix: POSIX shared memory on kipc regions.
 *
 * shm_open() returns a kipc region's fd: mmap() of it works as of a file
 * in /dev/shm.  A kipc region has a size fixed at creation (1 page at
 * least), while a POSIX program makes its object empty and sizes it with
 * ftruncate().  So the shim creates a region of one page, which takes
 * the name at once (O_EXCL is exact, kipcctl shows it), and interposes
 * ftruncate(): on a region this process made or opened with O_TRUNC and
 * that no one maps, a change of size makes a new region of that size
 * under the same name and puts its fd in place of the old one (dup3).
 * What cannot be exact, and fails with EINVAL rather than pretend:
 * resizing a region that is mapped or that another process made, and
 * shrinking below what is mapped.  A process that opened the name
 * between the creator's shm_open() and its ftruncate() keeps the old,
 * one-page region.  fstat() is interposed too, so st_size is the
 * region's size (whole pages) and st_mode a regular file's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#define KP_SHM_FDS	4096
/* The fd's region may be replaced by ftruncate(): this process made it. */
static atomic_uchar kp_shm_resizable[KP_SHM_FDS];

static int kp_is_region(int fd, struct kipc_region_info *ri)
{
	struct stat st;

	/* kipc object fds are anon inodes: no file type in st_mode. */
	if (syscall(SYS_fstat, fd, &st) || (st.st_mode & S_IFMT))
		return 0;
	return !kipc_region_info(fd, ri);
}

/* kp_open.create of shm_open(): one page until ftruncate() sizes it. */
static int kp_shm_make(const struct kp_open *op, uint32_t mode)
{
	return kipc_region_create(op->kname, mode, 1, op->fdflags);
}

KP_EXPORT int shm_open(const char *name, int oflag, mode_t mode)
{
	char kname[KP_NAME_SIZE];
	struct kp_open op = {
		.type = KIPC_TYPE_REGION,
		.kname = kname,
		.oflag = oflag,
		.mode = mode,
		.create = kp_shm_make,
	};
	int err, fd, made;

	err = kp_open_prep(KP_SHM, name, kname, oflag, &op.fdflags);
	if (err)
		return kp_fail(err, -1);
	fd = kp_open_or_create(&op, &made);
	if (fd < 0)
		return kp_fail(fd == -EDQUOT ? ENOSPC : -fd, -1);
	if (fd < KP_SHM_FDS)
		atomic_store(&kp_shm_resizable[fd],
			     made || ((oflag & O_TRUNC) &&
				      (oflag & O_ACCMODE) == O_RDWR));
	return fd;
}
KP_VERSIONS(shm_open, "GLIBC_2.2.5", "GLIBC_2.34");

KP_EXPORT int shm_unlink(const char *name)
{
	return kp_unlink(KP_SHM, name);
}
KP_VERSIONS(shm_unlink, "GLIBC_2.2.5", "GLIBC_2.34");

/* Make @fd a new region of @len bytes under the same name.  0 or errno. */
static int kp_region_replace(int fd, off_t len)
{
	char name[NAME_MAX * 3 + 1];
	struct kipc_object_info oi = {
		.name = (uintptr_t)name,
		.name_size = sizeof(name) - 1,
	};
	uint32_t fdflags = 0;
	int nfd, fl, err;

	err = kipc_object_info(fd, &oi);
	if (err || !(oi.state & KIPC_INFO_LINKED) ||
	    oi.name_len >= sizeof(name))
		return EINVAL;
	name[oi.name_len] = 0;
	if (!(oi.access & KIPC_ACCESS_WRITE))
		return EINVAL;
	if (!(oi.access & KIPC_ACCESS_READ))
		fdflags |= KIPC_FD_WRONLY;
	fl = fcntl(fd, F_GETFD);
	if (fl >= 0 && !(fl & FD_CLOEXEC))
		fdflags |= KIPC_FD_NOCLOEXEC;
	err = kipc_unlink(KIPC_TYPE_REGION, name);
	if (err)
		return -err;
	nfd = kipc_region_create(name, oi.mode, len, fdflags);
	if (nfd < 0)
		return nfd == -EEXIST ? EBUSY :
		       nfd == -EDQUOT ? EFBIG : -nfd;
	if (dup3(nfd, fd, (fdflags & KIPC_FD_NOCLOEXEC) ? 0 : O_CLOEXEC) < 0) {
		err = errno;
		close(nfd);
		return err;
	}
	close(nfd);
	return 0;
}

KP_EXPORT int ftruncate(int fd, off_t length)
{
	struct kipc_region_info ri;
	long page = sysconf(_SC_PAGESIZE);
	uint64_t want;
	int err;

	if (!syscall(SYS_ftruncate, fd, length))
		return 0;
	if (errno != EINVAL || length < 0 || !kp_is_region(fd, &ri))
		return -1;
	want = ((uint64_t)length + page - 1) & ~((uint64_t)page - 1);
	/* A new region is one page: ftruncate(fd, 0) leaves it so. */
	if (want == ri.size || (!want && ri.size == (uint64_t)page))
		return 0;
	if (fd >= KP_SHM_FDS || !atomic_load(&kp_shm_resizable[fd]) ||
	    ri.mappings)
		return kp_fail(EINVAL, -1);
	err = kp_region_replace(fd, length);
	return err ? kp_fail(err, -1) : 0;
}
KP_VERSION(ftruncate, "GLIBC_2.2.5");

KP_EXPORT int ftruncate64(int fd, off64_t length)
{
	return ftruncate(fd, length);
}
KP_VERSION(ftruncate64, "GLIBC_2.2.5");

KP_EXPORT int fstat(int fd, struct stat *st)
{
	struct kipc_object_info oi = { 0 };
	struct kipc_region_info ri;

	if (syscall(SYS_fstat, fd, st))
		return -1;
	if ((st->st_mode & S_IFMT) || kipc_region_info(fd, &ri) ||
	    kipc_object_info(fd, &oi))
		return 0;
	st->st_mode = S_IFREG | oi.mode;
	st->st_size = ri.size;
	st->st_uid = oi.uid;
	st->st_gid = oi.gid;
	st->st_blocks = ri.resident / 512;
	return 0;
}
KP_VERSION(fstat, "GLIBC_2.33");

KP_EXPORT int fstat64(int fd, struct stat64 *st)
{
	_Static_assert(sizeof(struct stat64) == sizeof(struct stat),
		       "stat64 is stat");
	return fstat(fd, (struct stat *)st);
}
KP_VERSION(fstat64, "GLIBC_2.33");
