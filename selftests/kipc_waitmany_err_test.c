// SPDX-License-Identifier: GPL-2.0
/*
 * kipc wait-for-many selftests of every error, each with checks that
 * nothing changed: counts, flags and reserved fields, struct sizes, bad
 * fds, an object twice, bad memory, EDEADLK, ENOTRECOVERABLE and
 * deadlines in the past.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_waitmany_util.h"

KT_FIXTURE()

/* ---- helpers ---------------------------------------------------------------- */

static void wmh_init(struct kipc_wait_many *h, const void *objs,
		     uint32_t count, uint32_t obj_size, uint32_t flags)
{
	memset(h, 0, sizeof(*h));
	h->flags = flags;
	h->count = count;
	h->objs = (uintptr_t)objs;
	h->obj_size = obj_size;
	h->index = POISON_INDEX;
}

static int wm_raw(struct kipc_wait_many *h)
{
	return kt_dev_ioctl(KIPC_IOC_WAIT_MANY, h);
}

/* ---- errors ------------------------------------------------------------------- */

TEST_F(kipc, err_count)
{
	struct kipc_wait_many h;
	struct kipc_wait_obj *o;
	long long max = kt_param_get("max_wait_objects");
	int s = sem_new(1), i, *fds;
	unsigned int idx;

	ASSERT_LT(0, max);
	ASSERT_LE(0, s);
	o = calloc(max + 1, sizeof(*o));
	fds = calloc(max + 1, sizeof(*fds));
	ASSERT_NE(NULL, o);
	ASSERT_NE(NULL, fds);
	fds[0] = s;
	for (i = 1; i <= max; i++) {
		fds[i] = ev_new(0);
		ASSERT_LE(0, fds[i]);
	}
	wo_fill(o, fds, max + 1);

	wmh_init(&h, o, 0, OBJSZ, 0);
	EXPECT_EQ(-EINVAL, wm_raw(&h));
	EXPECT_EQ(-EINVAL, kipc_wait_many(o, 0, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, kipc_wait_many(o, max + 1, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, kipc_wait_many(o, max + 1, KIPC_WAIT_ALL, 0, NULL));
	EXPECT_EQ(-EINVAL, kipc_wait_many(o, UINT32_MAX, 0, 0, NULL));
	EXPECT_EQ(1, sem_val(s));

	/* Exactly the maximum works; the last object is the one set. */
	ASSERT_EQ(0, kipc_event_signal(fds[max], 8));
	ASSERT_EQ(0, wm(&o[1], max, 0, 0, &idx));
	EXPECT_EQ((unsigned int)max - 1, idx);
	EXPECT_EQ(8ULL, o[max].value);
	EXPECT_EQ(1U, n_ready(&o[1], max));

	/* A smaller maximum, set at run time. */
	ASSERT_EQ(0, kt_param_set("max_wait_objects", 3));
	EXPECT_EQ(-EINVAL, kipc_wait_many(o, 4, 0, 0, NULL));
	EXPECT_EQ(1, sem_val(s));
	ASSERT_EQ(0, wm(o, 3, 0, 0, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(0, sem_val(s));
	/* The parameter's own bounds: 1 to 128. */
	EXPECT_NE(0, kt_param_write("max_wait_objects", "0"));
	EXPECT_NE(0, kt_param_write("max_wait_objects", "129"));
	EXPECT_EQ(3, kt_param_get("max_wait_objects"));
	free(o);
	free(fds);
}

/*
 * A bad header: EINVAL, and nothing taken.  With @sec_from_now, the
 * deadline's seconds count from now.
 */
KT_FIXTURE_NAMED(wm_header, (void)0)

FIXTURE_VARIANT(wm_header) {
	struct kipc_wait_many h;
	bool sec_from_now;
};

FIXTURE_VARIANT_ADD(wm_header, unknown_flag_3) {
	.h.flags = 1U << 3,
};

FIXTURE_VARIANT_ADD(wm_header, unknown_flag_31) {
	.h.flags = 1U << 31,
};

FIXTURE_VARIANT_ADD(wm_header, deadline_and_nonblock) {
	.h.flags = KIPC_WAIT_DEADLINE | KIPC_WAIT_NONBLOCK,
	.h.deadline.tv_sec = 1,
	.sec_from_now = true,
};

FIXTURE_VARIANT_ADD(wm_header, all_deadline_and_nonblock) {
	.h.flags = KIPC_WAIT_ALL | KIPC_WAIT_DEADLINE | KIPC_WAIT_NONBLOCK,
};

FIXTURE_VARIANT_ADD(wm_header, deadline_without_flag) {
	.h.flags = KIPC_WAIT_NONBLOCK,
	.h.deadline.tv_sec = 1,
};

FIXTURE_VARIANT_ADD(wm_header, nsec_1e9) {
	.h.flags = KIPC_WAIT_DEADLINE,
	.h.deadline.tv_nsec = 1000000000ULL,
};

FIXTURE_VARIANT_ADD(wm_header, negative_sec) {
	.h.flags = KIPC_WAIT_DEADLINE,
	.h.deadline.tv_sec = -1,
};

FIXTURE_VARIANT_ADD(wm_header, reserved_0) {
	.h.flags = KIPC_WAIT_NONBLOCK,
	.h.reserved[0] = 1,
};

FIXTURE_VARIANT_ADD(wm_header, reserved_1) {
	.h.flags = KIPC_WAIT_NONBLOCK,
	.h.reserved[1] = 1,
};

FIXTURE_VARIANT_ADD(wm_header, reserved_2) {
	.h.flags = KIPC_WAIT_NONBLOCK,
	.h.reserved[2] = 1,
};

FIXTURE_VARIANT_ADD(wm_header, reserved_3) {
	.h.flags = KIPC_WAIT_NONBLOCK,
	.h.reserved[3] = 1,
};

TEST_F(wm_header, header_rejected)
{
	struct kipc_wait_many h = variant->h;
	struct kipc_wait_obj o[2];
	int s = sem_new(1), s2 = sem_new(1);

	ASSERT_LE(0, s);
	ASSERT_LE(0, s2);
	wo_set(&o[0], s);
	wo_set(&o[1], s2);
	h.count = 2;
	h.objs = (uintptr_t)o;
	h.obj_size = OBJSZ;
	h.index = POISON_INDEX;
	if (variant->sec_from_now)
		h.deadline.tv_sec += kt_now_ns() / KT_NSEC_PER_SEC;
	EXPECT_EQ(-EINVAL, wm_raw(&h));
	EXPECT_EQ(1, sem_val(s));
	EXPECT_EQ(1, sem_val(s2));
}

TEST_F(kipc, err_flags_and_reserved)
{
	struct kipc_wait_obj o[2];
	int s = sem_new(1), s2 = sem_new(1), i;

	ASSERT_LE(0, s);
	ASSERT_LE(0, s2);
	wo_set(&o[0], s);
	wo_set(&o[1], s2);

	/* Unknown flags (the header's are in the wm_header table). */
	EXPECT_EQ(-EINVAL, kipc_wait_many(o, 2, 1U << 8, 0, NULL));
	/* An object's flags and reserved words, at either index. */
	for (i = 0; i < 2; i++) {
		wo_set(&o[0], s);
		wo_set(&o[1], s2);
		o[i].flags = 1;
		EXPECT_EQ(-EINVAL, kipc_wait_many(o, 2, 0, 0, NULL));
		o[i].flags = 0x80000000U;
		EXPECT_EQ(-EINVAL, kipc_wait_many(o, 2, 0, 0, NULL));
		o[i].flags = 0;
		o[i].reserved[0] = 1;
		EXPECT_EQ(-EINVAL, kipc_wait_many(o, 2, 0, 0, NULL));
		o[i].reserved[0] = 0;
		o[i].reserved[1] = 1ULL << 63;
		EXPECT_EQ(-EINVAL, kipc_wait_many(o, 2, KIPC_WAIT_ALL, 0,
						  NULL));
	}
	/* Nothing was taken by any of them. */
	EXPECT_EQ(1, sem_val(s));
	EXPECT_EQ(1, sem_val(s2));
	/* And the valid call takes. */
	wo_set(&o[0], s);
	wo_set(&o[1], s2);
	EXPECT_EQ(0, wm(o, 2, KIPC_WAIT_ALL, 0, NULL));
	EXPECT_EQ(0, sem_val(s));
	EXPECT_EQ(0, sem_val(s2));
}

TEST_F(kipc, err_header_size)
{
	char big[128];
	struct kipc_wait_many *h = (struct kipc_wait_many *)big;
	struct kipc_wait_obj o[1];
	int s = sem_new(2);

	ASSERT_LE(0, s);
	wo_set(&o[0], s);
	memset(big, 0, sizeof(big));
	wmh_init(h, o, 1, OBJSZ, KIPC_WAIT_NONBLOCK);
	EXPECT_EQ(-EINVAL, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_WAIT_MANY, 64),
					h));
	EXPECT_EQ(-EINVAL, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_WAIT_MANY, 8),
					h));
	big[100] = 1;
	EXPECT_EQ(-E2BIG, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_WAIT_MANY,
						     sizeof(big)), h));
	EXPECT_EQ(2, sem_val(s));
	big[100] = 0;
	EXPECT_EQ(0, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_WAIT_MANY,
						sizeof(big)), h));
	EXPECT_EQ(1, sem_val(s));
	EXPECT_EQ(0U, h->index);
	EXPECT_EQ(1U, o[0].ready);
	/* Nothing was written past the struct the module knows. */
	EXPECT_EQ(0, big[KIPC_WAIT_MANY_SIZE_VER0]);
	EXPECT_EQ(-EFAULT, kt_dev_ioctl(KIPC_IOC_WAIT_MANY, NULL));
	EXPECT_EQ(1, sem_val(s));
}

TEST_F(kipc, err_obj_size)
{
	struct kipc_wait_many h;
	struct kipc_wait_obj *o;
	struct kipc_sem_op op;
	uint8_t *buf;
	int s1 = sem_new(1), s2 = sem_new(1);
	uint32_t sz;

	memset(&op, 0, sizeof(op));
	ASSERT_LE(0, s1);
	ASSERT_LE(0, s2);
	buf = calloc(2, 4096 + 8);
	ASSERT_NE(NULL, buf);

	for (sz = 0; sz < 40; sz += 13) {
		wmh_init(&h, buf, 1, sz, KIPC_WAIT_NONBLOCK);
		EXPECT_EQ(-EINVAL, wm_raw(&h)) TH_LOG("obj_size %u", sz);
	}
	wmh_init(&h, buf, 1, 39, KIPC_WAIT_NONBLOCK);
	EXPECT_EQ(-EINVAL, wm_raw(&h));
	wmh_init(&h, buf, 1, 4097, KIPC_WAIT_NONBLOCK);
	EXPECT_EQ(-EINVAL, wm_raw(&h));
	wmh_init(&h, buf, 1, UINT32_MAX, KIPC_WAIT_NONBLOCK);
	EXPECT_EQ(-EINVAL, wm_raw(&h));

	/* Larger than the module's struct: the extra bytes must be zero. */
	for (sz = 41; sz <= 4096; sz = sz < 64 ? sz + 7 : sz * 2) {
		memset(buf, 0, 2 * (4096 + 8));
		o = (struct kipc_wait_obj *)buf;
		o->fd = s1;
		o = (struct kipc_wait_obj *)(buf + sz);
		o->fd = s2;
		buf[sz + sz - 1] = 0x11;	/* object 1's last byte */
		wmh_init(&h, buf, 2, sz, KIPC_WAIT_NONBLOCK | KIPC_WAIT_ALL);
		EXPECT_EQ(-E2BIG, wm_raw(&h)) TH_LOG("obj_size %u", sz);
		EXPECT_EQ(1, sem_val(s1));
		EXPECT_EQ(1, sem_val(s2));
		buf[sz + sz - 1] = 0;
		buf[sz - 1] = 0x22;		/* object 0's last byte */
		EXPECT_EQ(-E2BIG, wm_raw(&h)) TH_LOG("obj_size %u", sz);
		buf[sz - 1] = 0;
		/* Zero: it works, at a stride of @sz. */
		ASSERT_EQ(0, wm_raw(&h)) TH_LOG("obj_size %u", sz);
		EXPECT_EQ(0, sem_val(s1));
		EXPECT_EQ(0, sem_val(s2));
		o = (struct kipc_wait_obj *)buf;
		EXPECT_EQ(1U, o->ready);
		o = (struct kipc_wait_obj *)(buf + sz);
		EXPECT_EQ(1U, o->ready);
		/* The bytes beyond were left alone. */
		EXPECT_EQ(0, buf[sz - 1]);
		EXPECT_EQ(0, buf[2 * sz - 1]);
		op.count = 1;
		ASSERT_EQ(0, kt_ioctl(s1, KIPC_SEM_IOC_POST, &op));
		ASSERT_EQ(0, kt_ioctl(s2, KIPC_SEM_IOC_POST, &op));
	}
	free(buf);
}

TEST_F(kipc, err_bad_fds)
{
	struct kipc_wait_obj o[2];
	struct kipc_mutex *hm;
	int s = sem_new(1), e = ev_new(KIPC_EVENT_SET), p[2];
	int nul, reg, cond, ewo, swo, closed, mfd, sro;

	ASSERT_LE(0, s);
	ASSERT_LE(0, e);
	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, nul);
	reg = kipc_region_create(NULL, 0600, 4096, 0);
	ASSERT_LE(0, reg);
	cond = kipc_cond_create(NULL, 0600, 0);
	ASSERT_LE(0, cond);
	ewo = kipc_reopen(e, KIPC_FD_WRONLY);
	ASSERT_LE(0, ewo);
	swo = kipc_reopen(s, KIPC_FD_WRONLY);
	ASSERT_LE(0, swo);
	ASSERT_EQ(0, kipc_pipe(p, 0, 0));
	ASSERT_EQ(1, write(p[1], "z", 1));
	mfd = mk_mutex(0, &hm);
	ASSERT_LE(0, mfd);
	closed = dup(nul);
	ASSERT_LE(0, closed);
	close(closed);

#define BAD(fd, err)							\
	do {								\
		wo_set(&o[0], s);					\
		wo_set(&o[1], (fd));					\
		EXPECT_EQ(err, kipc_wait_many(o, 2, 0, 0, NULL))	\
			TH_LOG("fd %s", #fd);				\
		EXPECT_EQ(err, kipc_wait_many(o, 2, KIPC_WAIT_ALL,	\
					      LONG_WAIT, NULL))		\
			TH_LOG("fd %s (all)", #fd);			\
		wo_set(&o[0], (fd));					\
		wo_set(&o[1], e);					\
		EXPECT_EQ(err, kipc_wait_many(o, 2, 0, LONG_WAIT, NULL))	\
			TH_LOG("fd %s first", #fd);			\
		EXPECT_EQ(1, sem_val(s));				\
		EXPECT_EQ(1, ev_is_set(e));				\
	} while (0)

	BAD(-1, -EBADF);
	BAD(closed, -EBADF);
	BAD(100000, -EBADF);
	BAD(nul, -EINVAL);
	BAD(kt_dev(), -EINVAL);		/* /dev/kipc itself */
	BAD(reg, -EINVAL);
	BAD(cond, -EINVAL);
	BAD(ewo, -EBADF);
	BAD(swo, -EBADF);
	BAD(p[1], -EBADF);		/* a pipe's write end */
#undef BAD
	/* The pipe's read end is fine (and ready). */
	wo_set(&o[0], p[0]);
	EXPECT_EQ(0, kipc_wait_many(o, 1, 0, 0, NULL));
	/* A read-only fd may wait, and take. */
	sro = kipc_reopen(s, KIPC_FD_RDONLY);
	ASSERT_LE(0, sro);
	wo_set(&o[0], sro);
	EXPECT_EQ(0, kipc_wait_many(o, 1, 0, 0, NULL));
	EXPECT_EQ(0, sem_val(s));
	EXPECT_EQ(0U, mx_owner(mfd));
	kipc_mutex_detach(hm);
}

TEST_F(kipc, err_same_object_twice)
{
	const char *name = kt_name("ev");
	struct kipc_wait_obj o[3];
	struct kipc_mutex *hm;
	int s = sem_new(1), e, e2, s2, sd, m, m2, x = sem_new(1);

	ASSERT_LE(0, s);
	ASSERT_LE(0, x);
	e = kipc_event_create(name, 0600, KIPC_EVENT_SET, 0);
	ASSERT_LE(0, e);
	e2 = kipc_event_open(name, 0);
	ASSERT_LE(0, e2);
	s2 = kipc_reopen(s, KIPC_FD_RDONLY);
	ASSERT_LE(0, s2);
	sd = dup(s);
	ASSERT_LE(0, sd);
	m = mk_mutex(0, &hm);
	ASSERT_LE(0, m);
	m2 = kipc_reopen(m, 0);
	ASSERT_LE(0, m2);

#define TWICE(a, b)							\
	do {								\
		wo_set(&o[0], x);					\
		wo_set(&o[1], (a));					\
		wo_set(&o[2], (b));					\
		EXPECT_EQ(-EINVAL, kipc_wait_many(o, 3, 0, 0, NULL))	\
			TH_LOG("%s, %s", #a, #b);			\
		EXPECT_EQ(-EINVAL, kipc_wait_many(o, 3, KIPC_WAIT_ALL,	\
						  0, NULL))		\
			TH_LOG("%s, %s (all)", #a, #b);			\
		EXPECT_EQ(1, sem_val(x));				\
	} while (0)

	TWICE(s, s);
	TWICE(s, s2);
	TWICE(s2, s);
	TWICE(s, sd);
	TWICE(e, e2);
	TWICE(m, m2);
	TWICE(x, s);	/* x at index 0 and 1 */
#undef TWICE
	EXPECT_EQ(1, sem_val(s));
	EXPECT_EQ(1, ev_is_set(e));
	EXPECT_EQ(0U, mx_owner(m));
	/* Different objects of one type are fine. */
	wo_set(&o[0], x);
	wo_set(&o[1], s);
	EXPECT_EQ(0, kipc_wait_many(o, 2, KIPC_WAIT_ALL, 0, NULL));
	kipc_mutex_detach(hm);
}

TEST_F(kipc, err_efault)
{
	struct kipc_wait_many h;
	struct kipc_wait_obj *o;
	size_t pg = kt_page_size();
	uint8_t *two;
	int s = sem_new(1), s2 = sem_new(1);
	void *bad = kt_noaccess_page();

	ASSERT_LE(0, s);
	ASSERT_LE(0, s2);
	ASSERT_NE(NULL, bad);
	EXPECT_EQ(-EFAULT, kipc_wait_many(NULL, 1, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, kipc_wait_many(bad, 1, 0, 0, NULL));
	wmh_init(&h, (void *)(uintptr_t)0x10, 1, OBJSZ, 0);
	EXPECT_EQ(-EFAULT, wm_raw(&h));
	wmh_init(&h, (void *)~(uintptr_t)0xfff, 1, OBJSZ, 0);
	EXPECT_EQ(-EFAULT, wm_raw(&h));

	/* The second object runs into a page that may not be touched. */
	two = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, mprotect(two + pg, pg, PROT_NONE));
	o = (struct kipc_wait_obj *)(two + pg - OBJSZ - 16);
	wo_set(&o[0], s);
	memset((uint8_t *)&o[1], 0, 16);
	((struct kipc_wait_obj *)((uint8_t *)o + OBJSZ))->fd = s2;
	EXPECT_EQ(-EFAULT, kipc_wait_many(o, 2, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, kipc_wait_many(o, 2, KIPC_WAIT_ALL, 0, NULL));
	EXPECT_EQ(1, sem_val(s));
	EXPECT_EQ(1, sem_val(s2));
	munmap(two, 2 * pg);
	munmap(bad, pg);
}

/* Results that cannot be written back: fail before anything is taken. */
TEST_F(kipc, err_readonly_memory)
{
	struct kipc_wait_obj o[3], *ro;
	struct kipc_wait_many h, *rh;
	struct kipc_mutex *hm;
	int e = ev_new(KIPC_EVENT_SET), s = sem_new(1), m = mk_mutex(0, &hm);

	ASSERT_LE(0, e);
	ASSERT_LE(0, s);
	ASSERT_LE(0, m);
	wo_set(&o[0], e);
	wo_set(&o[1], s);
	wo_set(&o[2], m);
	ro = kt_readonly_copy(o, sizeof(o));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, kipc_wait_many(ro, 3, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, kipc_wait_many(ro, 3, 0, LONG_WAIT, NULL));
	EXPECT_EQ(-EFAULT, kipc_wait_many(ro, 3, KIPC_WAIT_ALL, 0, NULL));
	EXPECT_EQ(-EFAULT, kipc_wait_many(&ro[1], 1, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, kipc_wait_many(&ro[2], 1, 0, 0, NULL));
	EXPECT_UNTOUCHED(e, s, m);

	/* A read-only header. */
	wmh_init(&h, o, 3, OBJSZ, KIPC_WAIT_ALL);
	rh = kt_readonly_copy(&h, sizeof(h));
	ASSERT_NE(NULL, rh);
	EXPECT_EQ(-EFAULT, wm_raw(rh));
	EXPECT_UNTOUCHED(e, s, m);

	/* Writable: taken. */
	EXPECT_EQ(0, wm(o, 3, KIPC_WAIT_ALL, 0, NULL));
	EXPECT_EQ(0, ev_is_set(e));
	EXPECT_EQ(0, sem_val(s));
	EXPECT_EQ((uint32_t)kt_gettid(), mx_owner(m));
	EXPECT_EQ(0, kipc_mutex_unlock(hm));
	munmap(ro, kt_page_size());
	munmap(rh, kt_page_size());
	kipc_mutex_detach(hm);
}

/*
 * An any-mode wait with LONG_WAIT on the three objects @o fails at once
 * with -@err at @o[1] and takes nothing.
 */
#define EXPECT_ANY3_FAILS_AT_ONCE(o, err) do {				\
	unsigned int i_;						\
	int64_t t_ = kt_now_ns();					\
									\
	EXPECT_EQ(-(err), wm(o, 3, 0, LONG_WAIT, &i_));			\
	EXPECT_GT(2 * SEC, kt_now_ns() - t_);				\
	EXPECT_EQ(1U, i_);						\
	EXPECT_EQ(0U, n_ready(o, 3));					\
} while (0)

TEST_F(kipc, err_edeadlk)
{
	struct kipc_wait_obj o[3];
	struct kipc_mutex *hm;
	unsigned int idx;
	int e = ev_new(0), s = sem_new(1), m = mk_mutex(0, &hm);

	ASSERT_LE(0, e);
	ASSERT_LE(0, s);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, kipc_mutex_lock(hm, 0));
	wo_set(&o[0], e);
	wo_set(&o[1], m);
	wo_set(&o[2], s);

	/* Any: the mutex is reached before the semaphore; at once. */
	EXPECT_ANY3_FAILS_AT_ONCE(o, EDEADLK);
	EXPECT_EQ(0, o[1].error);
	EXPECT_EQ(1, sem_val(s));
	EXPECT_EQ(-EDEADLK, wm(o, 3, 0, 0, &idx));
	EXPECT_EQ(1U, idx);

	/* All: nothing taken either. */
	ASSERT_EQ(0, kipc_event_signal(e, 1));
	EXPECT_EQ(-EDEADLK, wm(o, 3, KIPC_WAIT_ALL, LONG_WAIT, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(0U, n_ready(o, 3));
	EXPECT_EQ(1, sem_val(s));
	EXPECT_EQ(1, ev_is_set(e));

	/* Still held once, by the caller. */
	EXPECT_EQ((uint32_t)kt_gettid(), mx_owner(m));
	EXPECT_EQ(0, kipc_mutex_unlock(hm));
	EXPECT_EQ(0U, mx_owner(m));
	kipc_mutex_detach(hm);
}

TEST_F(kipc, err_notrecoverable)
{
	struct kipc_wait_obj o[3];
	struct kipc_mutex_info in;
	struct kipc_mutex *hm;
	unsigned int idx;
	int e = ev_new(0), s = sem_new(1), m = mk_mutex(0, &hm);

	ASSERT_LE(0, e);
	ASSERT_LE(0, s);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, make_notrecoverable(m, hm));
	wo_set(&o[0], e);
	wo_set(&o[1], m);
	wo_set(&o[2], s);

	EXPECT_ANY3_FAILS_AT_ONCE(o, ENOTRECOVERABLE);
	EXPECT_EQ(1, sem_val(s));

	ASSERT_EQ(0, kipc_event_signal(e, 1));
	EXPECT_EQ(-ENOTRECOVERABLE, wm(o, 3, KIPC_WAIT_ALL, 0, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(0U, n_ready(o, 3));
	EXPECT_EQ(1, sem_val(s));
	EXPECT_EQ(1, ev_is_set(e));
	ASSERT_EQ(0, mx_info(m, &in));
	EXPECT_EQ((uint32_t)KIPC_MUTEX_STATE_NOTRECOVERABLE, in.state);
	EXPECT_EQ(0U, in.owner_tid);
	kipc_mutex_detach(hm);
}

TEST_F(kipc, deadline_in_the_past)
{
	struct kipc_wait_many h;
	struct kipc_wait_obj o[2];
	int e = ev_new(0), s = sem_new(0);
	int64_t t0;

	ASSERT_LE(0, e);
	ASSERT_LE(0, s);
	wo_set(&o[0], e);
	wo_set(&o[1], s);
	/* At 0, a second after boot, and a moment ago. */
	wmh_init(&h, o, 2, OBJSZ, KIPC_WAIT_DEADLINE);
	t0 = kt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, wm_raw(&h));
	wmh_init(&h, o, 2, OBJSZ, KIPC_WAIT_DEADLINE | KIPC_WAIT_ALL);
	h.deadline.tv_sec = 1;
	EXPECT_EQ(-ETIMEDOUT, wm_raw(&h));
	wmh_init(&h, o, 2, OBJSZ, KIPC_WAIT_DEADLINE);
	h.deadline = kt_ts_at(kt_now_ns() - MS);
	EXPECT_EQ(-ETIMEDOUT, wm_raw(&h));
	EXPECT_GT(SEC, kt_now_ns() - t0);
	EXPECT_EQ(0U, h.index);

	/* Ready: taken, past deadline or not. */
	ASSERT_EQ(0, kipc_event_signal(e, 6));
	ASSERT_EQ(0, kt_ioctl(s, KIPC_SEM_IOC_POST,
			      &(struct kipc_sem_op){ .count = 1 }));
	wmh_init(&h, o, 2, OBJSZ, KIPC_WAIT_DEADLINE | KIPC_WAIT_ALL);
	EXPECT_EQ(0, wm_raw(&h));
	EXPECT_EQ(6ULL, o[0].value);
	EXPECT_EQ(0, ev_is_set(e));
	EXPECT_EQ(0, sem_val(s));
	ASSERT_EQ(0, kipc_event_signal(e, 7));
	wmh_init(&h, o, 2, OBJSZ, KIPC_WAIT_DEADLINE);
	EXPECT_EQ(0, wm_raw(&h));
	EXPECT_EQ(7ULL, o[0].value);
}

TEST_HARNESS_MAIN
