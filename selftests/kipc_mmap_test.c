// SPDX-License-Identifier: GPL-2.0
/*
 * kipc mmap selftests: the rules every mappable type (channel, mutex,
 * region, semaphore) shares, one variant per type.  MAP_SHARED maps and
 * two mappings see each other's writes; MAP_PRIVATE is EINVAL, except on
 * a region, where it is a private copy-on-write view.  A read-only fd
 * (KIPC_FD_RDONLY) of a semaphore or a region maps shared without
 * PROT_WRITE and sees the writes of others, PROT_WRITE is EACCES and
 * mprotect() cannot add write later (EACCES); channels and mutexes have
 * no read-only fds at all (EINVAL), nor a read-only file reopened from
 * /proc.  A write-only fd maps nothing (EACCES).
 *
 * The kernel tells shared from private by VM_MAYSHARE: do_mmap() clears
 * VM_SHARED for MAP_SHARED of a file not open for writing, and the
 * read-only tests fail if a type tests VM_SHARED instead.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_test_util.h"

KT_FIXTURE()

/* ---- the types ------------------------------------------------------------ */

/*
 * @create returns a new object's read-write fd (and a channel's other end
 * in *@peer, else -1) and its map size in *@size.
 */
FIXTURE_VARIANT(kipc) {
	int (*create)(int *peer, size_t *size);
	bool private_ok;	/* MAP_PRIVATE is a copy-on-write view */
	bool rdonly_ok;		/* KIPC_FD_RDONLY fds exist and map */
};

static int mk_channel(int *peer, size_t *size)
{
	struct kipc_channel_info in;
	int fds[2], err;

	err = kipc_channel_pair(fds, NULL, 0);
	if (err)
		return err;
	err = kipc_channel_info(fds[0], &in);
	if (err) {
		close(fds[0]);
		close(fds[1]);
		return err;
	}
	*peer = fds[1];
	*size = in.map_size;
	return fds[0];
}

static int mk_mutex(int *peer, size_t *size)
{
	*peer = -1;
	*size = KIPC_MUTEX_MAP_SIZE;
	return kipc_mutex_create(NULL, 0600, 0, 0);
}

static int mk_region(int *peer, size_t *size)
{
	*peer = -1;
	*size = 2 * kt_page_size();
	return kipc_region_create(NULL, 0600, *size, 0);
}

static int mk_sem(int *peer, size_t *size)
{
	*peer = -1;
	*size = KIPC_SEM_MAP_SIZE;
	return kipc_sem_create(NULL, 0600, 1, 0, 0);
}

FIXTURE_VARIANT_ADD(kipc, channel) {
	.create = mk_channel,
};

FIXTURE_VARIANT_ADD(kipc, mutex) {
	.create = mk_mutex,
};

FIXTURE_VARIANT_ADD(kipc, region) {
	.create = mk_region,
	.private_ok = true,
	.rdonly_ok = true,
};

FIXTURE_VARIANT_ADD(kipc, semaphore) {
	.create = mk_sem,
	.rdonly_ok = true,
};

/* ---- helpers -------------------------------------------------------------- */

/* mmap() of @fd at offset 0, or NULL with errno set. */
static void *map(int fd, size_t size, int prot, int flags)
{
	void *p = mmap(NULL, size, prot, flags, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* -errno of a mapping expected to fail, 0 (and unmapped) if it worked. */
static int map_err(int fd, size_t size, int prot, int flags)
{
	void *p;

	errno = 0;
	p = map(fd, size, prot, flags);
	if (!p)
		return -errno;
	munmap(p, size);
	return 0;
}

/*
 * A byte no type gives a meaning to: the last of the mapping (a
 * semaphore's and a mutex's word are at the start of their page, a
 * channel's control page is its first).
 */
static volatile uint8_t *last_byte(void *p, size_t size)
{
	return (volatile uint8_t *)p + size - 1;
}

static void close_obj(int fd, int peer)
{
	close(fd);
	if (peer >= 0)
		close(peer);
}

/* ---- tests ---------------------------------------------------------------- */

/* Two shared mappings of one fd see each other's writes at once. */
TEST_F(kipc, map_shared)
{
	int fd, peer;
	size_t size;
	void *a, *b;

	fd = variant->create(&peer, &size);
	ASSERT_LE(0, fd);
	a = map(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, a);
	b = map(fd, size, PROT_READ, MAP_SHARED);
	ASSERT_NE(NULL, b);
	*last_byte(a, size) = 0x5a;
	EXPECT_EQ(0x5a, *last_byte(b, size));
	*last_byte(a, size) = 0;
	EXPECT_EQ(0, mprotect(b, size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(0, munmap(b, size));
	EXPECT_EQ(0, munmap(a, size));
	close_obj(fd, peer);
}

/* MAP_PRIVATE: EINVAL, or a region's copy-on-write view. */
TEST_F(kipc, map_private)
{
	volatile uint8_t *ps, *pp;
	void *s = NULL, *p;
	int fd, peer;
	size_t size;

	fd = variant->create(&peer, &size);
	ASSERT_LE(0, fd);
	if (!variant->private_ok) {
		EXPECT_EQ(-EINVAL, map_err(fd, size, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE));
		EXPECT_EQ(-EINVAL, map_err(fd, size, PROT_READ, MAP_PRIVATE));
		/* Nothing of that stuck: a shared mapping works. */
		EXPECT_EQ(0, map_err(fd, size, PROT_READ | PROT_WRITE,
				     MAP_SHARED));
		close_obj(fd, peer);
		return;
	}
	s = map(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, s);
	p = map(fd, size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(NULL, p);
	ps = last_byte(s, size);
	pp = last_byte(p, size);
	*ps = 1;
	EXPECT_EQ(1, *pp);	/* not copied yet: the shared page */
	*pp = 2;		/* now a private copy */
	EXPECT_EQ(1, *ps);
	*ps = 3;
	EXPECT_EQ(2, *pp);
	EXPECT_EQ(0, munmap(p, size));
	EXPECT_EQ(0, munmap(s, size));
	close_obj(fd, peer);
}

/*
 * A read-only fd maps shared for reading only, for good; or, for a type
 * whose fds are all read-write, there is no such fd.
 */
TEST_F(kipc, map_rdonly_fd)
{
	char path[64];
	int fd, peer, ro;
	size_t size;
	void *w, *r;

	fd = variant->create(&peer, &size);
	ASSERT_LE(0, fd);
	if (!variant->rdonly_ok) {
		EXPECT_EQ(-EINVAL, kipc_reopen(fd, KIPC_FD_RDONLY));
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		ro = open(path, O_RDONLY | O_CLOEXEC);
		EXPECT_GT(0, ro);
		if (ro >= 0)
			close(ro);
		close_obj(fd, peer);
		return;
	}
	ro = kipc_reopen(fd, KIPC_FD_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EACCES, map_err(ro, size, PROT_READ | PROT_WRITE,
				   MAP_SHARED));
	EXPECT_EQ(-EACCES, map_err(ro, size, PROT_WRITE, MAP_SHARED));

	w = map(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, w);
	r = map(ro, size, PROT_READ, MAP_SHARED);
	ASSERT_NE(NULL, r);
	*last_byte(w, size) = 0xa5;
	EXPECT_EQ(0xa5, *last_byte(r, size));
	*last_byte(w, size) = 0;
	errno = 0;
	EXPECT_EQ(-1, mprotect(r, size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	errno = 0;
	EXPECT_EQ(-1, mprotect(r, size, PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(0, mprotect(r, size, PROT_NONE));
	EXPECT_EQ(0, mprotect(r, size, PROT_READ));
	EXPECT_EQ(0, munmap(r, size));
	EXPECT_EQ(0, munmap(w, size));
	close(ro);
	close_obj(fd, peer);
}

/* A write-only fd maps nothing, or does not exist. */
TEST_F(kipc, map_wronly_fd)
{
	int fd, peer, wr;
	size_t size;

	fd = variant->create(&peer, &size);
	ASSERT_LE(0, fd);
	wr = kipc_reopen(fd, KIPC_FD_WRONLY);
	if (!variant->rdonly_ok) {
		EXPECT_EQ(-EINVAL, wr);
	} else {
		ASSERT_LE(0, wr);
		EXPECT_EQ(-EACCES, map_err(wr, size, PROT_READ | PROT_WRITE,
					   MAP_SHARED));
		EXPECT_EQ(-EACCES, map_err(wr, size, PROT_READ, MAP_SHARED));
		EXPECT_EQ(-EACCES, map_err(wr, size, PROT_READ, MAP_PRIVATE));
		close(wr);
	}
	close_obj(fd, peer);
}

TEST_HARNESS_MAIN
