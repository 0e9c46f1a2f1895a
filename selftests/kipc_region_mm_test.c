// SPDX-License-Identifier: GPL-2.0
/*
 * kipc shared region selftests of memory management: mapping counts and
 * resident bytes, madvise, reclaim and compaction of mapped pages,
 * mincore and mlock, mremap, and region memory as a system call buffer.
 *
 * Every test unmaps what it mapped: a mapping keeps its region alive, and
 * the fixture's teardown would report it as a leak.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_region_util.h"

KT_FIXTURE()

/*
 * A new anonymous region of @len bytes in @fd, mapped read and write at
 * @p: the test fails if either cannot be made.
 */
#define NEW_MAPPED_REGION(fd, p, len) do {				\
	fd = kipc_region_create(NULL, 0600, len, 0);			\
	ASSERT_LE(0, fd);						\
	p = kipc_region_map(fd, PROT_READ | PROT_WRITE, NULL, NULL);	\
	ASSERT_NE(NULL, p);						\
} while (0)

/* ---- info -------------------------------------------------------------------- */

TEST_F(kipc, info_mappings_and_resident)
{
	const size_t len = 8 * PS;
	struct kipc_region_info in;
	uint8_t *p, *q;
	volatile uint8_t x;
	int fd, err, st;
	pid_t pid;

	fd = kipc_region_create(NULL, 0600, len, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, r_info(fd, &in));
	EXPECT_EQ(len, in.size);
	EXPECT_EQ(0U, in.mappings);
	EXPECT_EQ(0U, in.resident);
	p = rmap(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0, &err);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(1U, r_maps(fd));
	/* Mapping alone allocates nothing. */
	EXPECT_EQ(0U, r_resident(fd));
	p[0] = 1;
	p[3 * PS + 5] = 1;
	p[7 * PS + PS - 1] = 1;
	EXPECT_EQ(3 * PS, r_resident(fd));
	/* Writing a page again adds nothing. */
	p[1] = 2;
	EXPECT_EQ(3 * PS, r_resident(fd));
	/* A read of a page never touched brings in (zeroed) memory too. */
	x = p[5 * PS];
	(void)x;
	EXPECT_EQ(0, p[5 * PS]);
	EXPECT_EQ(4 * PS, r_resident(fd));

	q = rmap(fd, 2 * PS, PROT_READ, MAP_SHARED, 2 * PS, &err);
	ASSERT_NE(NULL, q);
	EXPECT_EQ(2U, r_maps(fd));
	/* Protecting a middle part splits a mapping in three vmas. */
	ASSERT_EQ(0, mprotect(p + 2 * PS, PS, PROT_READ));
	EXPECT_EQ(4U, r_maps(fd));
	/* Unmapping a middle part splits another in two. */
	ASSERT_EQ(0, munmap(p + 5 * PS, PS));
	EXPECT_EQ(5U, r_maps(fd));
	/* A fork duplicates every vma, the child's exit drops them. */
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	EXPECT_EQ(10U, r_maps(fd));
	kill(pid, SIGKILL);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(256 + SIGKILL, st);
	EXPECT_EQ(5U, r_maps(fd));
	ASSERT_EQ(0, munmap(q, 2 * PS));
	EXPECT_EQ(4U, r_maps(fd));
	ASSERT_EQ(0, munmap(p, len));
	EXPECT_EQ(0U, r_maps(fd));
	/* The memory stays with the region, mapped or not. */
	EXPECT_EQ(4 * PS, r_resident(fd));
	p = rmap(fd, len, PROT_READ, MAP_SHARED, 0, &err);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(1, p[3 * PS + 5]);
	EXPECT_EQ(2, p[1]);
	ASSERT_EQ(0, munmap(p, len));
	close(fd);
}

/* A region not mapped at all can still be used through another's mapping. */
TEST_F(kipc, madvise_keeps_data)
{
	const size_t len = 4 * PS;
	uint8_t *p;
	int fd;

	NEW_MAPPED_REGION(fd, p, len);
	fill_pat(p, 11, 0, len);
	if (madvise(p, len, MADV_DONTNEED) && errno == ENOSYS) {
		munmap(p, len);
		close(fd);
		SKIP(return, "no madvise(2) in this kernel");
	}
	/* Dropping the page tables of a shared mapping loses nothing. */
	EXPECT_EQ(-1, bad_pat(p, 11, 0, len));
	EXPECT_EQ(len, r_resident(fd));
	EXPECT_EQ(0, madvise(p, len, MADV_WILLNEED));
	/* Punching holes needs the file, which user space never has. */
	EXPECT_EQ(-1, madvise(p, PS, MADV_REMOVE));
	EXPECT_EQ(-1, bad_pat(p, 11, 0, len));
	ASSERT_EQ(0, munmap(p, len));
	close(fd);
}

/*
 * The value in bytes of the smaps field @field ("Rss:", "Swap:") of the
 * vma that starts at @addr, or -1; its maps line goes to @head if not NULL.
 */
static long long smaps_field(const void *addr, const char *field,
			     char *head, size_t head_size)
{
	char line[256], want[32];
	long long val = -1;
	bool in = false;
	FILE *f;

	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, want, strlen(want))) {
			in = true;
			if (head)
				snprintf(head, head_size, "%s", line);
		} else if (in && !strncmp(line, field, strlen(field))) {
			val = strtoll(line + strlen(field), NULL, 10) * 1024;
			break;
		}
	}
	fclose(f);
	return val;
}

/* Rss in bytes of the vma that starts at @addr, or -1. */
static long long smaps_rss(const void *addr)
{
	return smaps_field(addr, "Rss:", NULL, 0);
}

/* Unmap @p (@len bytes), close @fd and skip if smaps says no RSS of @p. */
#define SKIP_WITHOUT_SMAPS(fd, p, len) do {				\
	if (smaps_rss(p) < 0) {						\
		munmap(p, len);						\
		close(fd);						\
		SKIP(return, "no /proc/self/smaps");			\
	}								\
} while (0)

/*
 * smaps treats a region's mapping as the shmem mapping it is: its file is
 * one on the shmem inode (its swap count reads that inode: on an anon
 * inode's file it read past it, which KASAN reports), and nothing is in
 * swap.
 */
TEST_F(kipc, smaps_sees_a_shmem_mapping)
{
	const size_t len = 16 * PS;
	char head[256] = "";
	uint8_t *p;
	int fd;

	NEW_MAPPED_REGION(fd, p, len);
	fill_pat(p, 3, 0, len);
	SKIP_WITHOUT_SMAPS(fd, p, len);
	EXPECT_EQ(0, smaps_field(p, "Swap:", head, sizeof(head)));
	EXPECT_NE(NULL, strstr(head, "/kipc-region-map")) TH_LOG("%s", head);
	EXPECT_EQ(NULL, strstr(head, "anon_inode")) TH_LOG("%s", head);
	EXPECT_EQ((long long)len, smaps_rss(p));
	ASSERT_EQ(0, munmap(p, len));
	close(fd);
}

/*
 * Reclaim finds region pages through the page cache's reverse map: it
 * unmaps them (they stay in memory without swap), and the next access, in
 * any process, faults them back in, unchanged.  (MADV_PAGEOUT leaves
 * pages mapped by several processes alone, so only one maps them here.)
 */
TEST_F(kipc, pageout_unmaps_and_refaults)
{
	const size_t len = 64 * PS;
	int fd, st, pfd[2];
	uint8_t *p;
	pid_t pid;
	char c;

	NEW_MAPPED_REGION(fd, p, len);
	fill_pat(p, 14, 0, len);
	SKIP_WITHOUT_SMAPS(fd, p, len);
	EXPECT_EQ((long long)len, smaps_rss(p));
	/* A child with the vma (fork copies no page table entries of it). */
	ASSERT_EQ(0, pipe(pfd));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(pfd[1]);
		if (read(pfd[0], &c, 1) != 1)
			_exit(2);
		if (bad_pat(p, 14, 0, len) >= 0)
			_exit(4);
		_exit(smaps_rss(p) == (long long)len ? 0 : 5);
	}
	close(pfd[0]);
	if (madvise(p, len, MADV_PAGEOUT)) {
		int e = errno;

		kill(pid, SIGKILL);
		kt_reap(pid, KT_CHILD_TIMEOUT_MS);
		close(pfd[1]);
		munmap(p, len);
		close(fd);
		if (e == ENOSYS || e == EINVAL)
			SKIP(return, "no MADV_PAGEOUT: %d", e);
		ASSERT_EQ(0, e);
	}
	EXPECT_GT((long long)len, smaps_rss(p));
	/* Still in memory: no swap. */
	EXPECT_EQ(len, r_resident(fd));
	ASSERT_EQ(1, write(pfd[1], "x", 1));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	close(pfd[1]);
	/* Nothing is lost: faulted in again from the region. */
	EXPECT_EQ(-1, bad_pat(p, 14, 0, len));
	EXPECT_EQ((long long)len, smaps_rss(p));
	ASSERT_EQ(0, munmap(p, len));
	close(fd);
}

/* Compaction may migrate region pages while they are mapped. */
TEST_F(kipc, compaction_keeps_data)
{
	const size_t len = 4 << 20;
	uint8_t *p;
	int fd, c;

	c = open("/proc/sys/vm/compact_memory", O_WRONLY | O_CLOEXEC);
	if (c < 0)
		SKIP(return, "no /proc/sys/vm/compact_memory");
	NEW_MAPPED_REGION(fd, p, len);
	fill_pat(p, 15, 0, len);
	EXPECT_EQ(1, write(c, "1", 1));
	EXPECT_EQ(-1, bad_pat(p, 15, 0, len));
	fill_pat(p, 16, 0, len);
	EXPECT_EQ(1, write(c, "1", 1));
	EXPECT_EQ(-1, bad_pat(p, 16, 0, len));
	close(c);
	ASSERT_EQ(0, munmap(p, len));
	close(fd);
}

TEST_F(kipc, mincore_and_mlock)
{
	const size_t len = 4 * PS;
	unsigned char vec[4];
	uint8_t *p;
	int fd;

	NEW_MAPPED_REGION(fd, p, len);
	p[PS] = 1;
	if (mincore(p, len, vec) == 0) {
		EXPECT_EQ(0, vec[0] & 1);
		EXPECT_EQ(1, vec[1] & 1);
		EXPECT_EQ(0, vec[2] & 1);
	} else {
		EXPECT_EQ(ENOSYS, errno);
	}
	if (mlock(p, len) == 0) {
		EXPECT_EQ(len, r_resident(fd));
		EXPECT_EQ(0, munlock(p, len));
	} else {
		EXPECT_EQ(ENOSYS, errno);
	}
	ASSERT_EQ(0, munmap(p, len));
	close(fd);
}

/* ---- mremap ----------------------------------------------------------------- */

TEST_F(kipc, mremap)
{
	const size_t len = 8 * PS;
	uint8_t *p, *q, *r;
	int fd, err;

	fd = kipc_region_create(NULL, 0600, len, 0);
	ASSERT_LE(0, fd);
	p = rmap(fd, 2 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, 0, &err);
	ASSERT_NE(NULL, p);
	fill_pat(p, 12, 0, 2 * PS);
	/* No growing, in place or moving, even within the region. */
	EXPECT_EQ(MAP_FAILED, mremap(p, 2 * PS, 4 * PS, 0));
	EXPECT_EQ(MAP_FAILED, mremap(p, 2 * PS, 4 * PS, MREMAP_MAYMOVE));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(MAP_FAILED, mremap(p, 2 * PS, 16 * PS, MREMAP_MAYMOVE));
	/* Moving and shrinking are fine. */
	r = mmap(NULL, 4 * PS, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	q = mremap(p, 2 * PS, 2 * PS, MREMAP_MAYMOVE | MREMAP_FIXED,
		   r + PS);
	ASSERT_EQ(r + PS, q);
	EXPECT_EQ(-1, bad_pat(q, 12, 0, 2 * PS));
	EXPECT_EQ(1U, r_maps(fd));
	p = mremap(q, 2 * PS, PS, 0);
	ASSERT_EQ(q, p);
	EXPECT_EQ(1U, r_maps(fd));
	EXPECT_EQ(-1, bad_pat(p, 12, 0, PS));
	ASSERT_EQ(0, munmap(r, 4 * PS));
	EXPECT_EQ(0U, r_maps(fd));
	close(fd);
}

/* ---- region memory as a system call buffer ------------------------------------- */

TEST_F(kipc, syscall_buffers)
{
	const size_t len = 4 * PS;
	uint8_t *p, *ro;
	int fd, rofd, pfd[2];

	NEW_MAPPED_REGION(fd, p, len);
	rofd = kipc_reopen(fd, KIPC_FD_RDONLY);
	ASSERT_LE(0, rofd);
	ro = kipc_region_map(rofd, PROT_READ, NULL, NULL);
	ASSERT_NE(NULL, ro);
	ASSERT_EQ(0, pipe(pfd));
	fill_pat(p, 13, 0, 2 * PS);
	/* The kernel reads from and writes to region pages. */
	ASSERT_EQ((ssize_t)(2 * PS), write(pfd[1], p, 2 * PS));
	ASSERT_EQ((ssize_t)(2 * PS), read(pfd[0], p + 2 * PS, 2 * PS));
	EXPECT_EQ(-1, bad_pat(p + 2 * PS, 13, 0, 2 * PS));
	EXPECT_EQ(-1, bad_pat(ro + 2 * PS, 13, 0, 2 * PS));
	/* But not to a read-only mapping. */
	ASSERT_EQ(1, write(pfd[1], "z", 1));
	EXPECT_EQ(-1, read(pfd[0], ro, 1));
	EXPECT_EQ(EFAULT, errno);
	close(pfd[0]);
	close(pfd[1]);
	ASSERT_EQ(0, munmap(ro, len));
	ASSERT_EQ(0, munmap(p, len));
	close(rofd);
	close(fd);
}

TEST_HARNESS_MAIN
