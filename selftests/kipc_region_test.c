// SPDX-License-Identifier: GPL-2.0
/*
 * kipc shared region selftests: anonymous and named regions, their size,
 * its rounding, its limit and its accounting, zero-filled memory, processes
 * (forked, or opening the region by name) seeing each other's writes at
 * once, mappings at an offset and past the end, read-only and write-only
 * fds, private copy-on-write mappings, permissions of other uids, a region
 * outliving its fds and its name while mapped, its memory freed with the
 * last mapping, and the errors of the region ioctl.  Memory management
 * (residency, reclaim, mremap...) is tested in kipc_region_mm_test.c,
 * multi-process stress in kipc_region_stress_test.c.
 *
 * Every test unmaps what it mapped: a mapping keeps its region alive, and
 * the fixture's teardown would report it as a leak.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_region_util.h"

KT_FIXTURE()

/* ---- helpers ---------------------------------------------------------------- */

/* The -errno of an mmap(2) expected to fail (0 if it did not). */
static int map_err(int fd, size_t len, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, len);
	return 0;
}

#define EXPECT_CREATE_FAILS(a, size, err) \
	KT_EXPECT_CREATE_FAILS(KIPC_TYPE_REGION, a, size, err)

/* The "Shmem:" line of /proc/meminfo in bytes, or -1. */
static long long meminfo_shmem(void)
{
	char buf[8192], *p;

	if (kt_read_file("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "\nShmem:");
	if (!p)
		return -1;
	return strtoll(p + 7, NULL, 10) * 1024;
}

/* ---- creation ------------------------------------------------------------------ */

TEST_F(kipc, version_lists_regions)
{
	struct kipc_version v;

	ASSERT_EQ(0, kipc_version(&v));
	EXPECT_NE(0ULL, v.types & (1ULL << KIPC_TYPE_REGION));
}

TEST_F(kipc, create_anonymous)
{
	struct kipc_region_info in;
	struct kipc_object_info oi;
	struct kipc_stats b, a;
	char link[64], path[64];
	ssize_t n;
	int fd;

	ASSERT_EQ(0, kt_stats(&b));
	fd = kipc_region_create(NULL, 0600, 3 * PS, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects + 1, a.objects);
	EXPECT_EQ(b.created + 1, a.created);
	EXPECT_EQ(b.uid_bytes + 3 * PS, a.uid_bytes);
	EXPECT_EQ(b.named, a.named);

	ASSERT_EQ(0, r_info(fd, &in));
	EXPECT_EQ(3 * PS, in.size);
	EXPECT_EQ(0U, in.mappings);
	EXPECT_EQ(0U, in.resident);
	EXPECT_EQ(0U, in.flags);

	ASSERT_EQ(0, kt_obj_info(fd, &oi, NULL, 0));
	EXPECT_EQ((uint32_t)KIPC_TYPE_REGION, oi.type);
	EXPECT_EQ(KIPC_ACCESS_READ | KIPC_ACCESS_WRITE, oi.access);
	EXPECT_EQ(0600U, oi.mode);
	EXPECT_EQ(0U, oi.name_len);

	/* Close-on-exec by default, and what the fd is. */
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	EXPECT_STREQ("anon_inode:[kipc-region]", link);

	/* Nothing to read or write, nothing to wait for. */
	EXPECT_EQ(-1, read(fd, link, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EINVAL, errno);

	close(fd);
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.uid_bytes, a.uid_bytes);
	EXPECT_EQ(b.destroyed + 1, a.destroyed);
}

TEST_F(kipc, create_named)
{
	const char *name = kt_name("named");
	struct kipc_object_info o1, o2;
	struct kipc_region_info in;
	int fd, fd2;

	fd = kipc_region_create(name, 0600, PS, KIPC_FD_NOCLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fcntl(fd, F_GETFD));
	EXPECT_EQ(-EEXIST, kipc_region_create(name, 0600, PS, 0));
	fd2 = kipc_region_open(name, KIPC_FD_RDONLY);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, kt_obj_info(fd, &o1, NULL, 0));
	ASSERT_EQ(0, kt_obj_info(fd2, &o2, NULL, 0));
	EXPECT_EQ(o1.id, o2.id);
	EXPECT_EQ(KIPC_ACCESS_READ, o2.access);
	EXPECT_EQ(KIPC_INFO_NAMED | KIPC_INFO_LINKED, o2.state);
	ASSERT_EQ(0, r_info(fd2, &in));
	EXPECT_EQ(PS, in.size);
	/* Names are per type. */
	EXPECT_EQ(-ENOENT, kipc_event_open(name, 0));
	EXPECT_EQ(0, kipc_unlink(KIPC_TYPE_REGION, name));
	EXPECT_EQ(-ENOENT, kipc_region_open(name, 0));
	/* The name is free again; the old region lives on with its fds. */
	close(fd2);
	fd2 = kipc_region_create(name, 0600, 2 * PS, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, r_info(fd, &in));
	EXPECT_EQ(PS, in.size);
	ASSERT_EQ(0, r_info(fd2, &in));
	EXPECT_EQ(2 * PS, in.size);
}

TEST_F(kipc, create_size_rounding)
{
	const uint64_t ps = PS;
	const uint64_t t[][2] = {
		{ 1, ps }, { ps - 1, ps }, { ps, ps }, { ps + 1, 2 * ps },
		{ 3 * ps - 1, 3 * ps }, { 1000 * ps + 7, 1001 * ps },
		{ DEF_MAX - 1, DEF_MAX }, { DEF_MAX, DEF_MAX },
	};
	struct kipc_region_info in;
	uint64_t b0 = kt_stats_uid_bytes();
	unsigned int i;
	int fd;

	/* Room for the biggest, whatever else this uid holds. */
	ASSERT_EQ(0, kt_param_set("max_bytes_per_uid", b0 + DEF_MAX));
	ASSERT_EQ((long long)DEF_MAX, kt_param_get("max_region_size"));
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		fd = kipc_region_create(NULL, 0600, t[i][0], 0);
		ASSERT_LE(0, fd) TH_LOG("size %llu", (unsigned long long)t[i][0]);
		ASSERT_EQ(0, r_info(fd, &in));
		EXPECT_EQ(t[i][1], in.size)
			TH_LOG("size %llu", (unsigned long long)t[i][0]);
		EXPECT_EQ(b0 + t[i][1], kt_stats_uid_bytes());
		close(fd);
		EXPECT_EQ(b0, kt_stats_uid_bytes());
	}
}

TEST_F(kipc, create_size_invalid)
{
	struct kipc_region_attr a;
	uint64_t b0 = kt_stats_uid_bytes();
	int fd;

	memset(&a, 0, sizeof(a));
	/* No default: no attributes, or a size of 0. */
	EXPECT_CREATE_FAILS(NULL, 0, EINVAL);
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	EXPECT_EQ(-EINVAL, kipc_region_create(NULL, 0600, 0, 0));
	/* Above the default limit, before or after rounding. */
	ASSERT_EQ(0, kt_param_set("max_bytes_per_uid", b0 + 2 * DEF_MAX));
	a.size = DEF_MAX + 1;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.size = UINT64_MAX;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.size = UINT64_MAX - PS + 2;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.size = 1ULL << 63;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);

	/* A limit that is not a multiple of the page size. */
	ASSERT_EQ(0, kt_param_set("max_region_size", 4 * PS + 1));
	a.size = 4 * PS + 1;	/* within the limit, but 5 pages rounded */
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.size = 4 * PS + 2;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.size = 4 * PS;
	fd = kt_create_type(KIPC_TYPE_REGION, &a, sizeof(a), NULL, 0);
	EXPECT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, kt_param_set("max_region_size", 2 * PS));
	EXPECT_EQ(-EINVAL, kipc_region_create(NULL, 0600, 2 * PS + 1, 0));
	EXPECT_EQ(-EINVAL, kipc_region_create(NULL, 0600, 3 * PS, 0));
	fd = kipc_region_create(NULL, 0600, 2 * PS - 1, 0);
	EXPECT_LE(0, fd);
	close(fd);
	/* The parameter takes no 0. */
	EXPECT_EQ(-EINVAL, kt_param_write("max_region_size", "0"));
	/* A huge limit: sizes past what a file can hold still fail. */
	ASSERT_EQ(0, kt_param_set("max_region_size", UINT64_MAX));
	a.size = UINT64_MAX;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
}

TEST_F(kipc, create_edquot)
{
	uint64_t b0 = kt_stats_uid_bytes();
	int fd, fd2;
	void *p;
	int err;

	ASSERT_EQ(0, kt_param_set("max_bytes_per_uid", b0 + 4 * PS - 1));
	EXPECT_EQ(-EDQUOT, kipc_region_create(NULL, 0600, 4 * PS, 0));
	EXPECT_EQ(-EDQUOT, kipc_region_create(NULL, 0600, 3 * PS + 1, 0));
	EXPECT_EQ(b0, kt_stats_uid_bytes());
	fd = kipc_region_create(NULL, 0600, 3 * PS, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(b0 + 3 * PS, kt_stats_uid_bytes());
	EXPECT_EQ(-EDQUOT, kipc_region_create(NULL, 0600, 1, 0));

	/* A mapping keeps the charge after the last fd is closed. */
	p = rmap(fd, 3 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, 0, &err);
	ASSERT_NE(NULL, p) TH_LOG("mmap: %d", err);
	close(fd);
	EXPECT_EQ(b0 + 3 * PS, kt_stats_uid_bytes());
	EXPECT_EQ(-EDQUOT, kipc_region_create(NULL, 0600, 1, 0));
	ASSERT_EQ(0, munmap(p, 3 * PS));
	EXPECT_EQ(b0, kt_stats_uid_bytes());
	fd2 = kipc_region_create(NULL, 0600, 1, 0);
	EXPECT_LE(0, fd2);
	close(fd2);
}

/* Flags, padding or reserved bits in the attributes: EINVAL, nothing made. */
KT_FIXTURE_NAMED(region_attr, (void)0)

FIXTURE_VARIANT(region_attr) {
	struct kipc_region_attr a;
};

FIXTURE_VARIANT_ADD(region_attr, flag_0) {
	.a.flags = 1,
};

FIXTURE_VARIANT_ADD(region_attr, flag_31) {
	.a.flags = 0x80000000u,
};

FIXTURE_VARIANT_ADD(region_attr, pad) {
	.a.__pad = 1,
};

FIXTURE_VARIANT_ADD(region_attr, reserved_0) {
	.a.reserved[0] = 1,
};

FIXTURE_VARIANT_ADD(region_attr, reserved_1) {
	.a.reserved[1] = 1ULL << 63,
};

TEST_F(region_attr, create_bad_attr_field)
{
	struct kipc_region_attr a = variant->a;

	a.size = PS;
	EXPECT_CREATE_FAILS(&a, sizeof(a), EINVAL);
}

TEST_F(kipc, create_bad_attr)
{
	struct {
		struct kipc_region_attr a;
		uint64_t more[2];
	} big;
	struct kipc_region_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.size = PS;
	/* Sizes: below the first version, and larger ones. */
	EXPECT_CREATE_FAILS(&a, KIPC_REGION_ATTR_SIZE_VER0 - 8, EINVAL);
	EXPECT_CREATE_FAILS(&a, 1, EINVAL);
	memset(&big, 0, sizeof(big));
	big.a.size = PS;
	big.more[1] = 1;
	EXPECT_CREATE_FAILS(&big, sizeof(big), E2BIG);
	big.more[1] = 0;
	fd = kt_create_type(KIPC_TYPE_REGION, &big, sizeof(big), NULL, 0);
	EXPECT_LE(0, fd);
	close(fd);
	/* A bad attribute pointer. */
	EXPECT_CREATE_FAILS(kt_noaccess_page(), sizeof(a), EFAULT);
	fd = kt_create_type(KIPC_TYPE_REGION, &a, sizeof(a), NULL, 0);
	EXPECT_LE(0, fd);
	close(fd);
}

/* ---- the region ioctl ------------------------------------------------------- */

TEST_F(kipc, info_errors)
{
	struct {
		struct kipc_region_info in;
		uint64_t more;
	} big;
	struct kipc_region_info in;
	int fd;

	fd = kipc_region_create(NULL, 0600, 2 * PS, 0);
	ASSERT_LE(0, fd);
	memset(&in, 0, sizeof(in));
	in.flags = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_REGION_IOC_INFO, &in));
	memset(&in, 0, sizeof(in));
	in.__pad = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_REGION_IOC_INFO, &in));
	memset(&in, 0, sizeof(in));
	in.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_REGION_IOC_INFO, &in));
	/* Out fields are ignored on the way in. */
	memset(&in, 0, sizeof(in));
	in.size = 12345;
	in.mappings = 7;
	in.resident = 9;
	EXPECT_EQ(0, kt_ioctl(fd, KIPC_REGION_IOC_INFO, &in));
	EXPECT_EQ(2 * PS, in.size);
	EXPECT_EQ(0U, in.mappings);
	EXPECT_EQ(0U, in.resident);
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_REGION_IOC_INFO,
				    kt_noaccess_page()));
	/* A read-only struct: EFAULT on the way out. */
	memset(&in, 0, sizeof(in));
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_REGION_IOC_INFO,
				    kt_readonly_copy(&in, sizeof(in))));
	/* Struct sizes in the command number. */
	memset(&big, 0, sizeof(big));
	EXPECT_EQ(-EINVAL,
		  kt_ioctl(fd, KT_IOC_RESIZE(KIPC_REGION_IOC_INFO,
					     KIPC_REGION_INFO_SIZE_VER0 - 8),
			   &big));
	big.more = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_REGION_IOC_INFO,
						     sizeof(big)), &big));
	big.more = 0;
	EXPECT_EQ(0, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_REGION_IOC_INFO,
						sizeof(big)), &big));
	EXPECT_EQ(2 * PS, big.in.size);
	EXPECT_EQ(0U, big.more);
	/* Other types' commands are not a region's. */
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, KIPC_PIPE_IOC_INFO, &big));
	close(fd);
}

TEST_F(kipc, fdinfo_lines)
{
	char buf[4096];
	uint8_t *p;
	int fd, err;

	fd = kipc_region_create(NULL, 0600, 4 * PS, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_read_fdinfo(fd, buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "kipc-type:\tregion");
	KT_EXPECT_LINE(buf, "region-size:\t%llu", (unsigned long long)4 * PS);
	KT_EXPECT_LINE(buf, "region-mappings:\t0");
	KT_EXPECT_LINE(buf, "region-resident:\t0");
	p = rmap(fd, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, 0, &err);
	ASSERT_NE(NULL, p);
	p[0] = 1;
	p[2 * PS] = 1;
	ASSERT_EQ(0, kt_read_fdinfo(fd, buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "region-mappings:\t1");
	KT_EXPECT_LINE(buf, "region-resident:\t%llu", (unsigned long long)2 * PS);
	ASSERT_EQ(0, munmap(p, 4 * PS));
	close(fd);
}

/* ---- mapping ---------------------------------------------------------------------- */

TEST_F(kipc, zero_filled)
{
	const size_t len = 64 * PS;
	uint8_t *p;
	uint64_t sz = 0;
	int fd, err;

	fd = kipc_region_create(NULL, 0600, len, 0);
	ASSERT_LE(0, fd);
	p = kipc_region_map(fd, PROT_READ | PROT_WRITE, &sz, &err);
	ASSERT_NE(NULL, p) TH_LOG("map: %d", err);
	EXPECT_EQ(0, err);
	EXPECT_EQ(len, sz);
	EXPECT_EQ(-1, nonzero_at(p, len));
	/* Mapped twice: the same memory. */
	fill_pat(p, 1, 0, len);
	{
		uint8_t *q = kipc_region_map(fd, PROT_READ, NULL, NULL);

		ASSERT_NE(NULL, q);
		EXPECT_EQ(-1, bad_pat(q, 1, 0, len));
		ASSERT_EQ(0, munmap(q, len));
	}
	ASSERT_EQ(0, munmap(p, len));
	close(fd);
	/* A new region never shows an old one's bytes. */
	fd = kipc_region_create(NULL, 0600, len, 0);
	ASSERT_LE(0, fd);
	p = kipc_region_map(fd, PROT_READ, NULL, NULL);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(-1, nonzero_at(p, len));
	ASSERT_EQ(0, munmap(p, len));
	close(fd);
}

TEST_F(kipc, regions_are_distinct)
{
	uint8_t *p, *q;
	int a, b;

	a = kipc_region_create(NULL, 0600, PS, 0);
	b = kipc_region_create(NULL, 0600, PS, 0);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	p = kipc_region_map(a, PROT_READ | PROT_WRITE, NULL, NULL);
	q = kipc_region_map(b, PROT_READ | PROT_WRITE, NULL, NULL);
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, q);
	memset(p, 0xaa, PS);
	EXPECT_EQ(-1, nonzero_at(q, PS));
	memset(q, 0x55, PS);
	EXPECT_EQ(0xaa, p[PS - 1]);
	ASSERT_EQ(0, munmap(p, PS));
	ASSERT_EQ(0, munmap(q, PS));
}

TEST_F(kipc, map_helper_errors)
{
	uint64_t sz = 7;
	int fd, ro, err = 0, pfd[2];

	fd = kipc_region_create(NULL, 0600, PS, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(NULL, kipc_region_map(fd, PROT_WRITE, &sz, &err));
	EXPECT_EQ(-EINVAL, err);
	EXPECT_EQ(NULL, kipc_region_map(fd, PROT_NONE, &sz, &err));
	EXPECT_EQ(-EINVAL, err);
	EXPECT_EQ(7U, sz);
	ro = kipc_reopen(fd, KIPC_FD_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(NULL, kipc_region_map(ro, PROT_READ | PROT_WRITE, &sz,
					&err));
	EXPECT_EQ(-EACCES, err);
	EXPECT_EQ(NULL, kipc_region_map(-1, PROT_READ, NULL, &err));
	EXPECT_EQ(-EBADF, err);
	/* Not a region. */
	ASSERT_EQ(0, pipe(pfd));
	EXPECT_EQ(NULL, kipc_region_map(pfd[0], PROT_READ, NULL, &err));
	EXPECT_EQ(-ENOTTY, err);
	close(pfd[0]);
	close(pfd[1]);
	close(ro);
	close(fd);
}

TEST_F(kipc, fork_shares_mapping)
{
	const size_t len = 8 * PS;
	uint64_t *w;
	uint8_t *p;
	int fd, st;
	pid_t pid;

	fd = kipc_region_create(NULL, 0600, len, 0);
	ASSERT_LE(0, fd);
	p = kipc_region_map(fd, PROT_READ | PROT_WRITE, NULL, NULL);
	ASSERT_NE(NULL, p);
	w = (uint64_t *)p;
	fill_pat(p + 4 * PS, 2, 0, PS);
	EXPECT_EQ(1U, r_maps(fd));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The child's inherited mapping is the same memory. */
		if (bad_pat(p + 4 * PS, 2, 0, PS) >= 0)
			_exit(1);
		fill_pat(p + 5 * PS, 3, 0, PS);
		__atomic_store_n(&w[1], 0xc0ffee, __ATOMIC_RELEASE);
		if (wait_word(&w[0], 0xbeef, KT_CHILD_TIMEOUT_MS))
			_exit(2);
		if (bad_pat(p + 6 * PS, 4, 0, PS) >= 0)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(0, wait_word(&w[1], 0xc0ffee, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(2U, r_maps(fd));
	EXPECT_EQ(-1, bad_pat(p + 5 * PS, 3, 0, PS));
	fill_pat(p + 6 * PS, 4, 0, PS);
	__atomic_store_n(&w[0], 0xbeef, __ATOMIC_RELEASE);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	EXPECT_EQ(1U, r_maps(fd));
	ASSERT_EQ(0, munmap(p, len));
	EXPECT_EQ(0U, r_maps(fd));
	close(fd);
}

/* Two processes, each with a mapping of its own, the second by name. */
TEST_F(kipc, open_by_name_shares_memory)
{
	const char *name = kt_name("share");
	const size_t len = 16 * PS;
	uint64_t *w;
	uint8_t *p;
	int fd, st;
	pid_t pid;

	fd = kipc_region_create(name, 0600, len, 0);
	ASSERT_LE(0, fd);
	p = kipc_region_map(fd, PROT_READ | PROT_WRITE, NULL, NULL);
	ASSERT_NE(NULL, p);
	w = (uint64_t *)p;
	fill_pat(p + PS, 5, 0, 7 * PS);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t *cw;
		uint8_t *q;
		int cfd;

		/* Nothing inherited: a new fd and mapping from the name. */
		munmap(p, len);
		close(fd);
		cfd = kipc_region_open(name, 0);
		if (cfd < 0)
			_exit(1);
		q = kipc_region_map(cfd, PROT_READ | PROT_WRITE, NULL, NULL);
		if (!q)
			_exit(2);
		close(cfd);
		cw = (uint64_t *)q;
		if (bad_pat(q + PS, 5, 0, 7 * PS) >= 0)
			_exit(3);
		fill_pat(q + 8 * PS, 6, 0, 8 * PS);
		__atomic_store_n(&cw[1], 1, __ATOMIC_RELEASE);
		/* Ping-pong: each side sees the other's store at once. */
		for (uint64_t i = 0; i < 500; i++) {
			if (wait_word(&cw[2], 2 * i + 1, KT_CHILD_TIMEOUT_MS))
				_exit(4);
			__atomic_store_n(&cw[2], 2 * i + 2, __ATOMIC_RELEASE);
		}
		if (wait_word(&cw[0], 0xdead, KT_CHILD_TIMEOUT_MS))
			_exit(5);
		_exit(0);
	}
	ASSERT_EQ(0, wait_word(&w[1], 1, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(2U, r_maps(fd));
	EXPECT_EQ(-1, bad_pat(p + 8 * PS, 6, 0, 8 * PS));
	for (uint64_t i = 0; i < 500; i++) {
		__atomic_store_n(&w[2], 2 * i + 1, __ATOMIC_RELEASE);
		ASSERT_EQ(0, wait_word(&w[2], 2 * i + 2, KT_CHILD_TIMEOUT_MS))
			TH_LOG("round %llu", (unsigned long long)i);
	}
	__atomic_store_n(&w[0], 0xdead, __ATOMIC_RELEASE);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	EXPECT_EQ(1U, r_maps(fd));
	ASSERT_EQ(0, munmap(p, len));
	close(fd);
}

TEST_F(kipc, map_at_offset)
{
	const size_t len = 8 * PS;
	uint8_t *p, *q;
	int fd, err;

	fd = kipc_region_create(NULL, 0600, len, 0);
	ASSERT_LE(0, fd);
	p = rmap(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0, &err);
	ASSERT_NE(NULL, p);
	fill_pat(p, 7, 0, len);
	/* Pages 3 to 5. */
	q = rmap(fd, 3 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, 3 * PS, &err);
	ASSERT_NE(NULL, q) TH_LOG("mmap: %d", err);
	EXPECT_EQ(-1, bad_pat(q, 7, 3 * PS, 3 * PS));
	memset(q + PS, 0x5a, PS);
	EXPECT_EQ(0x5a, p[4 * PS]);
	EXPECT_EQ(0x5a, p[5 * PS - 1]);
	EXPECT_EQ(-1, bad_pat(p + 5 * PS, 7, 5 * PS, PS));
	EXPECT_EQ(2U, r_maps(fd));
	ASSERT_EQ(0, munmap(q, 3 * PS));
	/* The last page alone, and the whole region at the last offset. */
	q = rmap(fd, PS, PROT_READ, MAP_SHARED, len - PS, &err);
	ASSERT_NE(NULL, q) TH_LOG("mmap: %d", err);
	EXPECT_EQ(-1, bad_pat(q, 7, len - PS, PS));
	ASSERT_EQ(0, munmap(q, PS));
	/* A length that is not a page multiple covers its last page. */
	q = rmap(fd, PS + 1, PROT_READ, MAP_SHARED, 6 * PS, &err);
	ASSERT_NE(NULL, q) TH_LOG("mmap: %d", err);
	EXPECT_EQ(-1, bad_pat(q, 7, 6 * PS, 2 * PS));
	ASSERT_EQ(0, munmap(q, 2 * PS));
	ASSERT_EQ(0, munmap(p, len));
	EXPECT_EQ(0U, r_maps(fd));
	close(fd);
}

TEST_F(kipc, map_beyond_end)
{
	const size_t len = 4 * PS;
	const int rw = PROT_READ | PROT_WRITE;
	struct kipc_stats b, a;
	int fd;

	fd = kipc_region_create(NULL, 0600, len, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_stats(&b));
	EXPECT_EQ(-EINVAL, map_err(fd, len + PS, rw, MAP_SHARED, 0));
	EXPECT_EQ(-EINVAL, map_err(fd, len + 1, rw, MAP_SHARED, 0));
	EXPECT_EQ(-EINVAL, map_err(fd, PS, rw, MAP_SHARED, len));
	EXPECT_EQ(-EINVAL, map_err(fd, 2 * PS, rw, MAP_SHARED, len - PS));
	EXPECT_EQ(-EINVAL, map_err(fd, len, rw, MAP_SHARED, PS));
	EXPECT_EQ(-EINVAL, map_err(fd, PS, PROT_READ, MAP_SHARED, 1000 * PS));
	EXPECT_EQ(-EINVAL, map_err(fd, PS, PROT_READ, MAP_PRIVATE, len));
	EXPECT_EQ(-EINVAL, map_err(fd, 2 * PS, PROT_READ, MAP_PRIVATE,
				   3 * PS));
	/* Huge offsets; one whose end wraps fails in mmap itself. */
	EXPECT_EQ(-EINVAL, map_err(fd, PS, PROT_READ, MAP_SHARED,
				   (off_t)1 << 62));
	EXPECT_EQ(-EINVAL, map_err(fd, PS, PROT_READ, MAP_SHARED,
				   INT64_MAX & ~(off_t)(PS - 1)));
	/* Not a page-aligned offset (mmap's own check). */
	EXPECT_EQ(-EINVAL, map_err(fd, PS, PROT_READ, MAP_SHARED, 1));
	EXPECT_EQ(0U, r_maps(fd));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	/* The largest valid ones work. */
	EXPECT_EQ(0, map_err(fd, len, rw, MAP_SHARED, 0));
	EXPECT_EQ(0, map_err(fd, PS, rw, MAP_SHARED, len - PS));
	EXPECT_EQ(0U, r_maps(fd));
	close(fd);
}

TEST_F(kipc, read_only_fd)
{
	const char *name = kt_name("ro");
	const size_t len = 4 * PS;
	uint8_t *p, *r, *v;
	int fd, ro, err;

	fd = kipc_region_create(name, 0600, len, 0);
	ASSERT_LE(0, fd);
	ro = kipc_region_open(name, KIPC_FD_RDONLY);
	ASSERT_LE(0, ro);
	p = rmap(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0, &err);
	ASSERT_NE(NULL, p);

	/* No shared writable mapping, now or later. */
	EXPECT_EQ(-EACCES, map_err(ro, len, PROT_READ | PROT_WRITE,
				   MAP_SHARED, 0));
	EXPECT_EQ(-EACCES, map_err(ro, PS, PROT_WRITE, MAP_SHARED, PS));
	EXPECT_EQ(-EACCES, map_err(ro, len, PROT_READ | PROT_WRITE,
				   MAP_SHARED_VALIDATE, 0));
	r = rmap(ro, len, PROT_READ, MAP_SHARED, 0, &err);
	ASSERT_NE(NULL, r) TH_LOG("mmap: %d", err);
	EXPECT_EQ(2U, r_maps(fd));
	fill_pat(p, 8, 0, len);
	EXPECT_EQ(-1, bad_pat(r, 8, 0, len));
	p[3] = 0x77;
	EXPECT_EQ(0x77, r[3]);
	EXPECT_EQ(-1, mprotect(r, len, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(r + PS, PS, PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(0, mprotect(r, len, PROT_NONE));
	EXPECT_EQ(0, mprotect(r, len, PROT_READ));
	EXPECT_EQ(0x77, r[3]);

	/* A private copy-on-write view: writable, its writes its own. */
	v = rmap(ro, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0, &err);
	ASSERT_NE(NULL, v) TH_LOG("mmap: %d", err);
	EXPECT_EQ(3U, r_maps(fd));
	EXPECT_EQ(0x77, v[3]);
	v[3] = 0x11;
	v[PS] = 0x22;
	EXPECT_EQ(0x77, p[3]);
	EXPECT_EQ(0x77, r[3]);
	EXPECT_EQ(pat(8, PS), p[PS]);
	/* Pages it did not write still show the region. */
	p[2 * PS] = 0x33;
	EXPECT_EQ(0x33, v[2 * PS]);
	/* Pages it wrote no longer do. */
	p[3] = 0x44;
	EXPECT_EQ(0x11, v[3]);
	ASSERT_EQ(0, munmap(v, len));
	/* A private read-only view may become writable, still privately. */
	v = rmap(ro, len, PROT_READ, MAP_PRIVATE, 0, &err);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(0, mprotect(v, len, PROT_READ | PROT_WRITE));
	v[0] = 0x99;
	EXPECT_NE(0x99, p[0]);
	ASSERT_EQ(0, munmap(v, len));

	/* A read-write fd's private view does not write through either. */
	v = rmap(fd, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0, &err);
	ASSERT_NE(NULL, v);
	v[5] = 0x66;
	EXPECT_EQ(pat(8, 5), p[5]);
	ASSERT_EQ(0, munmap(v, len));

	/* A read-only fd from create and from REOPEN behaves the same. */
	close(ro);
	ro = kipc_reopen(fd, KIPC_FD_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EACCES, map_err(ro, len, PROT_READ | PROT_WRITE,
				   MAP_SHARED, 0));
	EXPECT_EQ(0, map_err(ro, len, PROT_READ, MAP_SHARED, 0));
	close(ro);
	ro = kipc_region_create(NULL, 0600, PS, KIPC_FD_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EACCES, map_err(ro, PS, PROT_READ | PROT_WRITE,
				   MAP_SHARED, 0));
	EXPECT_EQ(0, map_err(ro, PS, PROT_READ, MAP_SHARED, 0));
	close(ro);

	ASSERT_EQ(0, munmap(r, len));
	ASSERT_EQ(0, munmap(p, len));
	EXPECT_EQ(0U, r_maps(fd));
	close(fd);
}

/* Mapping needs read access: a write-only fd maps nothing. */
TEST_F(kipc, write_only_fd)
{
	struct kipc_region_info in;
	int fd, wr;

	fd = kipc_region_create(NULL, 0600, PS, 0);
	ASSERT_LE(0, fd);
	wr = kipc_reopen(fd, KIPC_FD_WRONLY);
	ASSERT_LE(0, wr);
	EXPECT_EQ(-EACCES, map_err(wr, PS, PROT_READ | PROT_WRITE,
				   MAP_SHARED, 0));
	EXPECT_EQ(-EACCES, map_err(wr, PS, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(-EACCES, map_err(wr, PS, PROT_READ, MAP_PRIVATE, 0));
	/* INFO works on any fd. */
	EXPECT_EQ(0, r_info(wr, &in));
	EXPECT_EQ(PS, in.size);
	close(wr);
	close(fd);
}

TEST_F(kipc, other_uid_permissions)
{
	const char *priv = kt_name("priv");
	const char *pub = kt_name("pub");
	uint8_t *p;
	int fd, fd2, st;
	pid_t pid;

	fd = kipc_region_create(priv, 0600, PS, 0);
	ASSERT_LE(0, fd);
	fd2 = kipc_region_create(pub, 0644, 2 * PS, 0);
	ASSERT_LE(0, fd2);
	p = kipc_region_map(fd2, PROT_READ | PROT_WRITE, NULL, NULL);
	ASSERT_NE(NULL, p);
	memcpy(p + PS, "owner", 6);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint8_t *q;
		int r;

		munmap(p, 2 * PS);
		close(fd);
		close(fd2);
		if (kt_become(65534, 65534))
			_exit(1);
		if (kipc_region_open(priv, KIPC_FD_RDONLY) != -EACCES)
			_exit(2);
		if (kipc_region_open(priv, 0) != -EACCES)
			_exit(3);
		if (kipc_region_open(pub, 0) != -EACCES)
			_exit(4);
		if (kipc_region_open(pub, KIPC_FD_WRONLY) != -EACCES)
			_exit(5);
		r = kipc_region_open(pub, KIPC_FD_RDONLY);
		if (r < 0)
			_exit(6);
		if (map_err(r, 2 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, 0) !=
		    -EACCES)
			_exit(7);
		q = mmap(NULL, 2 * PS, PROT_READ, MAP_SHARED, r, 0);
		if (q == MAP_FAILED)
			_exit(8);
		if (memcmp(q + PS, "owner", 6))
			_exit(9);
		if (!mprotect(q, 2 * PS, PROT_READ | PROT_WRITE) ||
		    errno != EACCES)
			_exit(10);
		/* More access through REOPEN: the mode bits again. */
		if (kipc_reopen(r, 0) != -EACCES)
			_exit(11);
		if (kipc_unlink(KIPC_TYPE_REGION, pub) != -EACCES)
			_exit(12);
		munmap(q, 2 * PS);
		_exit(0);
	}
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	ASSERT_EQ(0, munmap(p, 2 * PS));
}

/* ---- lifetime -------------------------------------------------------------------- */

TEST_F(kipc, survives_unlink_and_close_while_mapped)
{
	const char *name = kt_name("live");
	const size_t len = 8 * PS;
	struct kipc_stats b, a;
	uint8_t *p;
	int fd, st;
	pid_t pid;

	ASSERT_EQ(0, kt_stats(&b));
	fd = kipc_region_create(name, 0600, len, 0);
	ASSERT_LE(0, fd);
	p = kipc_region_map(fd, PROT_READ | PROT_WRITE, NULL, NULL);
	ASSERT_NE(NULL, p);
	fill_pat(p, 9, 0, len);
	close(fd);
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_REGION, name));
	EXPECT_EQ(-ENOENT, kipc_region_open(name, 0));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects + 1, a.objects);
	EXPECT_EQ(b.named, a.named);
	EXPECT_EQ(b.uid_bytes + len, a.uid_bytes);

	/* A child's mapping (inherited) still is the region. */
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (bad_pat(p, 9, 0, len) >= 0)
			_exit(1);
		fill_pat(p + PS, 10, 0, PS);
		_exit(0);
	}
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	EXPECT_EQ(-1, bad_pat(p + PS, 10, 0, PS));

	/* Gone only with the last mapping. */
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects + 1, a.objects);
	ASSERT_EQ(0, munmap(p, len));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.uid_bytes, a.uid_bytes);
	EXPECT_EQ(b.destroyed + 1, a.destroyed);
}

/* The child's mapping outlives the parent's last fd and mapping. */
TEST_F(kipc, child_mapping_keeps_region)
{
	const size_t len = 4 * PS;
	int fd, pfd[2], st;
	struct kipc_stats b, a;
	uint64_t *w;
	uint8_t *p;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(0, kt_stats(&b));
	fd = kipc_region_create(NULL, 0600, len, 0);
	ASSERT_LE(0, fd);
	p = kipc_region_map(fd, PROT_READ | PROT_WRITE, NULL, NULL);
	ASSERT_NE(NULL, p);
	w = (uint64_t *)p;
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(pfd[1]);
		close(fd);
		/* Until the parent has closed and unmapped everything. */
		if (read(pfd[0], &c, 1) != 1)
			_exit(1);
		if (w[7] != 0x1234)
			_exit(2);
		w[8] = 0x5678;
		_exit(w[8] == 0x5678 ? 0 : 3);
	}
	close(pfd[0]);
	w[7] = 0x1234;
	close(fd);
	ASSERT_EQ(0, munmap(p, len));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects + 1, a.objects);
	EXPECT_EQ(b.uid_bytes + len, a.uid_bytes);
	ASSERT_EQ(1, write(pfd[1], "x", 1));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.uid_bytes, a.uid_bytes);
	close(pfd[1]);
}

/* The memory itself goes when the last fd and mapping do. */
TEST_F(kipc, memory_freed_at_last_unmap)
{
	const size_t len = 8 << 20;
	long long m0, m1, m2;
	uint8_t *p;
	size_t i;
	int fd;

	m0 = meminfo_shmem();
	if (m0 < 0)
		SKIP(return, "no Shmem in /proc/meminfo");
	fd = kipc_region_create(NULL, 0600, len, 0);
	ASSERT_LE(0, fd);
	p = kipc_region_map(fd, PROT_READ | PROT_WRITE, NULL, NULL);
	ASSERT_NE(NULL, p);
	for (i = 0; i < len; i += PS)
		p[i] = 1;
	EXPECT_EQ(len, r_resident(fd));
	m1 = meminfo_shmem();
	/* Per-CPU counter drift: allow a quarter. */
	EXPECT_LE(m0 + (long long)len * 3 / 4, m1)
		TH_LOG("Shmem %lld -> %lld", m0, m1);
	close(fd);
	/* Still mapped: still there. */
	EXPECT_EQ(1, p[len - PS]);
	ASSERT_EQ(0, munmap(p, len));
	m2 = meminfo_shmem();
	EXPECT_GE(m1 - (long long)len * 3 / 4, m2)
		TH_LOG("Shmem %lld -> %lld -> %lld", m0, m1, m2);
}

TEST_HARNESS_MAIN
