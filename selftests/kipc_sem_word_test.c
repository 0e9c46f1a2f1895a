// SPDX-License-Identifier: GPL-2.0
/*
 * kipc semaphore selftests of the state word shared with user space: the
 * mmap rules, the mapping across fork, garbage written into the word and
 * the calls that repair it, the fast path never taking more than the
 * maximum, and the page's accounting.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_sem_util.h"

KT_FIXTURE()

/* ---- the shared word ----------------------------------------------------------------- */

TEST_F(kipc, mmap_rules)
{
	struct kipc_stats s0, s1;
	volatile uint64_t *st;
	struct kipc_sem_shared *sh;
	int fd = sem_new(2, 9), rd, wr;
	void *p;

	ASSERT_LE(0, fd);
	rd = kipc_reopen(fd, KIPC_FD_RDONLY);
	ASSERT_LE(0, rd);
	wr = kipc_reopen(fd, KIPC_FD_WRONLY);
	ASSERT_LE(0, wr);
	errno = 0;
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * KIPC_SEM_MAP_SIZE, PROT_READ,
				   MAP_SHARED, fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, KIPC_SEM_MAP_SIZE, PROT_READ,
				   MAP_SHARED, fd, KIPC_SEM_MAP_SIZE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, KIPC_SEM_MAP_SIZE, PROT_READ,
				   MAP_PRIVATE, fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, KIPC_SEM_MAP_SIZE,
				   PROT_READ | PROT_WRITE, MAP_SHARED, rd, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, KIPC_SEM_MAP_SIZE, PROT_READ,
				   MAP_SHARED, wr, 0));
	EXPECT_EQ(EACCES, errno);
	/* Read-only: readable, and mprotect cannot add write. */
	p = mmap(NULL, KIPC_SEM_MAP_SIZE, PROT_READ, MAP_SHARED, rd, 0);
	ASSERT_NE(MAP_FAILED, p);
	sh = p;
	EXPECT_EQ(2ULL, sh->state);
	EXPECT_EQ(9U, sh->max);
	EXPECT_EQ(-1, mprotect(p, KIPC_SEM_MAP_SIZE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mremap(p, KIPC_SEM_MAP_SIZE,
				     2 * KIPC_SEM_MAP_SIZE, MREMAP_MAYMOVE));
	munmap(p, KIPC_SEM_MAP_SIZE);
	/* A mapping keeps the semaphore alive after its last fd. */
	st = map_state(fd, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_stats(&s0));
	close(fd);
	close(rd);
	close(wr);
	ASSERT_EQ(0, kt_stats(&s1));
	EXPECT_EQ(s0.objects, s1.objects);
	*st = 5;
	EXPECT_EQ(5ULL, *st);
	unmap_state(st);
	ASSERT_EQ(0, kt_stats(&s1));
	EXPECT_EQ(s0.objects - 1, s1.objects);
}

TEST_F(kipc, mapping_shared_across_fork)
{
	struct kipc_sem *h;
	int fd = sem_new(0, 0);
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_sem_attach(fd, &h));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The inherited handle: fast path in the child too. */
		if (kipc_sem_post(h, 4, 0))
			_exit(1);
		_exit(kipc_sem_wait(h, 0, 0) ? 2 : 0);
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(3, s_value(fd));
	EXPECT_EQ(0, kipc_sem_wait(h, 0, 0));
	EXPECT_EQ(2, s_value(fd));
	kipc_sem_detach(h);
}

TEST_F(kipc, garbage_in_state_word)
{
	volatile uint64_t *st;
	struct kipc_sem_info in;
	struct kipc_sem *h;
	struct kt_report r;
	int fd = sem_new(0, 5), rep[2];
	unsigned int i, seed = 1;
	pid_t pid;
	uint32_t v;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	st = map_state(fd, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kipc_sem_attach(fd, &h));

	/* A value above the maximum reads as the maximum and is clamped. */
	*st = 0xffffffffULL;
	EXPECT_EQ(5, s_value(fd));
	EXPECT_EQ(0, s_op(fd, KIPC_SEM_IOC_WAIT, KIPC_WAIT_NONBLOCK, 1, NULL,
			  &v));
	EXPECT_EQ(4U, v);
	EXPECT_EQ(4ULL, *st);
	EXPECT_EQ(-EOVERFLOW, s_post(fd, 2, 0));

	/* A bogus waiters half: user space goes to the kernel, which fixes it. */
	*st = 0x12345678ULL << 32 | 3;
	EXPECT_EQ(0, kipc_sem_wait(h, 0, 0));
	EXPECT_EQ(2ULL, *st);
	*st = 0xffffffffULL << 32;
	EXPECT_EQ(0, kipc_sem_post(h, 1, 0));
	EXPECT_EQ(1ULL, *st);
	ASSERT_EQ(0, s_info(fd, &in));
	EXPECT_EQ(0U, in.waiters);

	/* A waiter hidden from user space by garbage is served later. */
	ASSERT_EQ(0, kipc_sem_wait(h, 0, 0));
	pid = spawn_waiter(fd, rep[1], 0, 0);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(W1, *st);
	*st = 0;		/* hide the waiter */
	EXPECT_EQ(0, kipc_sem_post(h, 1, 0));	/* stays in user space */
	EXPECT_EQ(1ULL, *st);
	EXPECT_EQ(0, kt_read_report(rep[0], &r, 50));
	/* The next kernel operation hands the value to the queued waiter. */
	EXPECT_EQ(-EAGAIN, s_trywait(fd, 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0ULL, *st);

	/* Units and waiters at once: the waiters are served first. */
	pid = spawn_waiter(fd, rep[1], 1, 0);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	*st = W1 | 3;
	EXPECT_EQ(0, s_post(fd, 1, 0));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(3ULL, *st);

	/* Random garbage: every kernel call still works and stays sane. */
	for (i = 0; i < 2000; i++) {
		seed = seed * 1103515245 + 12345;
		*st = (uint64_t)seed << 32 ^ (uint64_t)seed * 2654435761U;
		if (i & 1)
			s_post(fd, 1 + (seed >> 8) % 3, 0);
		else
			s_trywait(fd, 0);
		ASSERT_EQ(0, s_info(fd, &in));
		EXPECT_GE(5U, in.value);
		EXPECT_EQ(0U, in.waiters);
		kt_poll_now(fd, POLL_RD | POLLOUT);
	}
	/* The next kernel post leaves a clean word. */
	*st = 0;
	EXPECT_EQ(0, s_post(fd, 1, 0));
	EXPECT_EQ(1ULL, *st);
	kipc_sem_detach(h);
	unmap_state(st);
}

/* Garbage in the word, then the call: the word the kernel leaves behind. */
static uint64_t after_garbage(volatile uint64_t *st, uint64_t garbage,
			      int (*call)(int fd), int fd, int *ret)
{
	*st = garbage;
	*ret = call(fd);
	return *st;
}

static int c_write_1(int fd)
{
	return (int)s_write(fd, 1);
}

static int c_write_0(int fd)
{
	return (int)s_write(fd, 0);
}

static int c_post_1(int fd)
{
	return s_post(fd, 1, 0);
}

static int c_post_0(int fd)
{
	return s_post(fd, 0, 0);
}

static int c_trywait(int fd)
{
	return s_trywait(fd, 0);
}

static int c_timedwait(int fd)
{
	return s_wait_for(fd, 1 * MS, 0);
}

static int c_info(int fd)
{
	return (int)s_value(fd);
}

static int c_poll(int fd)
{
	return kt_poll_now(fd, POLL_RD | POLLOUT);
}

static int c_read(int fd)
{
	uint64_t v;

	return (int)s_read(fd, &v);
}

static int c_read_short(int fd)
{
	uint32_t v;

	return read(fd, &v, sizeof(v)) < 0 ? -errno : 0;
}

static int c_fdinfo(int fd)
{
	char buf[2048];
	int err = kt_read_fdinfo(fd, buf, sizeof(buf));

	if (err)
		return err;
	return kt_has_line(buf, "sem-value:\t10") ? 10 : -EIO;
}

static int c_wait_many(int fd)
{
	struct kipc_wait_obj o;

	memset(&o, 0, sizeof(o));
	o.fd = fd;
	return kipc_wait_many(&o, 1, 0, 0, NULL);
}

/*
 * Every call on the semaphore repairs garbage in the word, the calls the
 * kernel refuses too: the value clamped to the maximum, the waiters half
 * the kernel's own count (here none, or one while poll is armed).
 */
TEST_F(kipc, refused_calls_repair_garbage)
{
	const uint64_t ones = ~0ULL, big = 0xffffffffULL, b11 = 11;
	const uint64_t w7 = 7ULL << 32;
	volatile uint64_t *st;
	int fd = sem_new(0, 10), rd, nb, ret;

	ASSERT_LE(0, fd);
	rd = kipc_reopen(fd, KIPC_FD_RDONLY);
	ASSERT_LE(0, rd);
	nb = kipc_reopen(fd, KIPC_FD_NONBLOCK);
	ASSERT_LE(0, nb);
	st = map_state(fd, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, st);

	/* Posts refused past the maximum. */
	EXPECT_EQ(10ULL, after_garbage(st, ones, c_write_1, fd, &ret));
	EXPECT_EQ(-EOVERFLOW, ret);
	EXPECT_EQ(10ULL, after_garbage(st, big, c_write_1, fd, &ret));
	EXPECT_EQ(-EOVERFLOW, ret);
	EXPECT_EQ(10ULL, after_garbage(st, b11, c_write_1, fd, &ret));
	EXPECT_EQ(-EOVERFLOW, ret);
	EXPECT_EQ(10ULL, after_garbage(st, w7 | b11, c_post_1, fd, &ret));
	EXPECT_EQ(-EOVERFLOW, ret);

	/* Waits refused for want of a unit: no phantom waiters stay. */
	EXPECT_EQ(0ULL, after_garbage(st, w7, c_trywait, fd, &ret));
	EXPECT_EQ(-EAGAIN, ret);
	EXPECT_EQ(0ULL, after_garbage(st, w7, c_read, nb, &ret));
	EXPECT_EQ(-EAGAIN, ret);
	EXPECT_EQ(0ULL, after_garbage(st, w7, c_timedwait, fd, &ret));
	EXPECT_EQ(-ETIMEDOUT, ret);

	/* Calls refused for their arguments or the fd's access. */
	EXPECT_EQ(10ULL, after_garbage(st, w7 | b11, c_post_0, fd, &ret));
	EXPECT_EQ(-EINVAL, ret);
	EXPECT_EQ(10ULL, after_garbage(st, w7 | b11, c_write_0, fd, &ret));
	EXPECT_EQ(-EINVAL, ret);
	EXPECT_EQ(3ULL, after_garbage(st, w7 | 3, c_read_short, fd, &ret));
	EXPECT_EQ(-EINVAL, ret);
	EXPECT_EQ(3ULL, after_garbage(st, w7 | 3, c_post_1, rd, &ret));
	EXPECT_EQ(-EBADF, ret);

	/* Calls that only look. */
	EXPECT_EQ(10ULL, after_garbage(st, w7 | b11, c_info, fd, &ret));
	EXPECT_EQ(10, ret);
	EXPECT_EQ(10ULL, after_garbage(st, w7 | b11, c_fdinfo, fd, &ret));
	EXPECT_EQ(10, ret);
	EXPECT_EQ(5ULL, after_garbage(st, w7 | 5, c_poll, fd, &ret));
	EXPECT_EQ(POLL_RD, ret);
	/* Poll at 0 arms: one in the waiters half, and no more. */
	EXPECT_EQ(1ULL << 32, after_garbage(st, w7, c_poll, fd, &ret));
	EXPECT_EQ(0, ret);
	EXPECT_EQ(0, s_post(fd, 1, 0));		/* disarms */
	EXPECT_EQ(1ULL, *st);

	/* A wait for many, taking a unit and finding none. */
	EXPECT_EQ(1ULL, after_garbage(st, w7 | 2, c_wait_many, fd, &ret));
	EXPECT_EQ(0, ret);
	EXPECT_EQ(1ULL << 32, after_garbage(st, w7, c_wait_many, fd, &ret));
	EXPECT_EQ(-EAGAIN, ret);
	EXPECT_EQ(0, s_post(fd, 1, 0));
	EXPECT_EQ(1ULL, *st);
	unmap_state(st);
}

/*
 * libkipc's fast path does not act on a word it knows to be impossible (a
 * value above the maximum): it goes to the kernel, which repairs the word.
 * However much garbage says, no more than the maximum is taken.
 */
TEST_F(kipc, fast_path_takes_at_most_max)
{
	const uint64_t garbage[] = { 11, 20, 0x7fffffff, 0x80000000,
				     0xffffffff };
	volatile uint64_t *st;
	struct kipc_sem *h;
	unsigned int i;
	int fd, n;

	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		fd = sem_new(0, 10);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, kipc_sem_attach(fd, &h));
		st = map_state(fd, PROT_READ | PROT_WRITE);
		ASSERT_NE(NULL, st);
		*st = garbage[i];
		for (n = 0; n < 100 && !kipc_sem_wait(h, 0, 0); n++)
			;
		EXPECT_EQ(10, n) TH_LOG("garbage %#llx",
					(unsigned long long)garbage[i]);
		EXPECT_EQ(0ULL, *st);
		/* A post does not add to an impossible value either. */
		*st = garbage[i];
		EXPECT_EQ(-EOVERFLOW, kipc_sem_post(h, 1, 0));
		EXPECT_EQ(10ULL, *st);
		unmap_state(st);
		kipc_sem_detach(h);
		close(fd);
	}
}

/* The page that holds the state is charged to the creator's uid. */
TEST_F(kipc, state_page_charged)
{
	struct kipc_stats s;
	uint64_t b0, pg = kt_page_size();
	int fd, n, err = 0;

	ASSERT_EQ(0, kt_stats(&s));
	b0 = s.uid_bytes;
	fd = sem_new(0, 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_stats(&s));
	EXPECT_EQ(b0 + pg, s.uid_bytes);
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kt_stats(&s));
	EXPECT_EQ(b0, s.uid_bytes);

	/* Room for three pages and a bit: three semaphores, then EDQUOT. */
	ASSERT_EQ(0, kt_param_set("max_bytes_per_uid", b0 + 4 * pg - 1));
	for (n = 0; n < 64; n++) {
		err = sem_new(0, 1);
		if (err < 0)
			break;
	}
	EXPECT_EQ(3, n);
	EXPECT_EQ(-EDQUOT, err);
}

TEST_HARNESS_MAIN
