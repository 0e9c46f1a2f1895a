// SPDX-License-Identifier: GPL-2.0
/*
 * kipc core selftests, the device's calls: KIPC_IOC_VERSION, unknown
 * commands, create/open/unlink and every one of their errors,
 * KIPC_IOC_STATS.  The other core tests are in kipc_core_access_test.c;
 * their helpers in kipc_core_util.h.
 */
#include "kipc_core_util.h"

/* ---- KIPC_IOC_VERSION ---------------------------------------------------- */

TEST_F(kipc, version_query)
{
	struct kipc_version v;
	uint64_t feat = KIPC_FEATURE_NAMED | KIPC_FEATURE_STATS |
			KIPC_FEATURE_OBJ_INFO;
	int i;

	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, kt_dev_ioctl(KIPC_IOC_VERSION, &v));
	EXPECT_EQ((uint32_t)KIPC_API_VERSION, v.api_version);
	EXPECT_EQ(feat, v.features & feat);
	EXPECT_EQ(1ULL << KIPC_TYPE_EVENT, v.types & (1ULL << KIPC_TYPE_EVENT));
	EXPECT_EQ(0ULL, v.types & 1ULL);	/* no type 0 */
	EXPECT_EQ(kt_param_get("max_name_len"), (long long)v.max_name_len);
	EXPECT_EQ(0U, v.flags);
	EXPECT_EQ(0U, v.__pad);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0ULL, v.reserved[i]);
}

TEST_F(kipc, version_twice_same_result)
{
	struct kipc_version a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ASSERT_EQ(0, kt_dev_ioctl(KIPC_IOC_VERSION, &a));
	ASSERT_EQ(0, kt_dev_ioctl(KIPC_IOC_VERSION, &b));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
}

/* Output fields are ignored on input: the same struct can be reused. */
TEST_F(kipc, version_struct_reused)
{
	struct kipc_version a, b;

	memset(&a, 0, sizeof(a));
	ASSERT_EQ(0, kt_dev_ioctl(KIPC_IOC_VERSION, &a));
	b = a;
	ASSERT_EQ(0, kt_dev_ioctl(KIPC_IOC_VERSION, &b));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
}

TEST_F(kipc, version_flags_nonzero)
{
	struct kipc_version v;

	memset(&v, 0, sizeof(v));
	v.flags = 1;
	EXPECT_EQ(-EINVAL, kt_dev_ioctl(KIPC_IOC_VERSION, &v));
	v.flags = 0x80000000U;
	EXPECT_EQ(-EINVAL, kt_dev_ioctl(KIPC_IOC_VERSION, &v));
}

TEST_F(kipc, version_pad_nonzero)
{
	struct kipc_version v;

	memset(&v, 0, sizeof(v));
	v.__pad = 1;
	EXPECT_EQ(-EINVAL, kt_dev_ioctl(KIPC_IOC_VERSION, &v));
}

TEST_F(kipc, version_reserved_nonzero)
{
	struct kipc_version v;
	int i;

	for (i = 0; i < 4; i++) {
		memset(&v, 0, sizeof(v));
		v.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_dev_ioctl(KIPC_IOC_VERSION, &v));
	}
}

TEST_F(kipc, version_bad_pointer)
{
	void *bad = kt_noaccess_page();

	ASSERT_NE(NULL, bad);
	EXPECT_EQ(-EFAULT, kt_dev_ioctl(KIPC_IOC_VERSION, bad));
	EXPECT_EQ(-EFAULT, kt_dev_ioctl(KIPC_IOC_VERSION, NULL));
}

TEST_F(kipc, version_size_below_ver0)
{
	struct kipc_version v;

	memset(&v, 0, sizeof(v));
	EXPECT_EQ(-EINVAL, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_VERSION,
				KIPC_VERSION_SIZE_VER0 - 8), &v));
	EXPECT_EQ(-EINVAL, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_VERSION, 0),
					&v));
	EXPECT_EQ(0U, v.api_version);
}

TEST_F(kipc, version_larger_struct_zero_tail)
{
	struct {
		struct kipc_version v;
		uint64_t tail[4];
	} big;
	int i;

	memset(&big, 0, sizeof(big));
	ASSERT_EQ(0, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_VERSION, sizeof(big)),
				  &big));
	EXPECT_EQ((uint32_t)KIPC_API_VERSION, big.v.api_version);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0ULL, big.tail[i]);
}

TEST_F(kipc, version_larger_struct_nonzero_tail)
{
	struct {
		struct kipc_version v;
		uint64_t tail[4];
	} big;

	memset(&big, 0, sizeof(big));
	big.tail[3] = 1;
	EXPECT_EQ(-E2BIG, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_VERSION,
						     sizeof(big)), &big));
	EXPECT_EQ(0U, big.v.api_version);
}

/* ---- unknown commands ---------------------------------------------------- */

TEST_F(kipc, dev_unknown_nr_enotty)
{
	struct kipc_version v;

	memset(&v, 0, sizeof(v));
	EXPECT_EQ(-ENOTTY, kt_dev_ioctl(_IOWR(KIPC_IOC_MAGIC, 0x0f,
					      struct kipc_version), &v));
	EXPECT_EQ(-ENOTTY, kt_dev_ioctl(_IOWR(KIPC_IOC_MAGIC, 0xff,
					      struct kipc_version), &v));
}

TEST_F(kipc, dev_wrong_magic_enotty)
{
	struct kipc_version v;

	memset(&v, 0, sizeof(v));
	EXPECT_EQ(-ENOTTY, kt_dev_ioctl(_IOWR(KIPC_IOC_MAGIC + 1, 0x00,
					      struct kipc_version), &v));
}

TEST_F(kipc, dev_wrong_direction_enotty)
{
	struct kipc_version v;

	memset(&v, 0, sizeof(v));
	EXPECT_EQ(-ENOTTY, kt_dev_ioctl(_IOR(KIPC_IOC_MAGIC, 0x00,
					     struct kipc_version), &v));
	EXPECT_EQ(-ENOTTY, kt_dev_ioctl(_IOW(KIPC_IOC_MAGIC, 0x00,
					     struct kipc_version), &v));
	EXPECT_EQ(-ENOTTY, kt_dev_ioctl(_IO(KIPC_IOC_MAGIC, 0x00), &v));
}

TEST_F(kipc, dev_obj_info_enotty)
{
	struct kipc_object_info in;

	memset(&in, 0, sizeof(in));
	EXPECT_EQ(-ENOTTY, kt_dev_ioctl(KIPC_IOC_OBJ_INFO, &in));
}

TEST_F(kipc, object_dev_ioctl_enotty)
{
	uint64_t buf[64];
	struct kipc_create c;
	struct kipc_event_attr a;
	int fd = kipc_event_create(NULL, 0600, 0, 0);

	ASSERT_LE(0, fd);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, KIPC_IOC_VERSION, buf));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, KIPC_IOC_STATS, buf));
	kt_create_init(&c, &a, NULL);
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, KIPC_IOC_CREATE, &c));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, _IOWR(KIPC_IOC_MAGIC, 0x1f,
					      struct kipc_object_info), buf));
}

/* ---- create, open, unlink: success ------------------------------------- */

TEST_F(kipc, create_anonymous)
{
	struct kipc_stats b, a;
	struct kipc_object_info in;
	int fd;

	ASSERT_EQ(0, kt_stats(&b));
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects + 1, a.objects);
	EXPECT_EQ(b.created + 1, a.created);
	EXPECT_EQ(b.uid_objects + 1, a.uid_objects);
	EXPECT_EQ(b.named, a.named);
	EXPECT_EQ(b.destroyed, a.destroyed);
	ASSERT_EQ(0, kt_obj_info(fd, &in, NULL, 0));
	EXPECT_EQ((uint32_t)KIPC_TYPE_EVENT, in.type);
	EXPECT_EQ(0U, in.state);
	EXPECT_EQ(0U, in.name_len);
}

TEST_F(kipc, create_named_then_open)
{
	const char *name = kt_name("n");
	struct kipc_stats b, a;
	int fd, fd2;

	ASSERT_EQ(0, kt_stats(&b));
	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.named + 1, a.named);
	EXPECT_EQ(b.objects + 1, a.objects);
	fd2 = kipc_event_open(name, 0);
	ASSERT_LE(0, fd2);
	EXPECT_NE(fd, fd2);
	EXPECT_EQ(obj_id(fd), obj_id(fd2));
	EXPECT_NE(0ULL, obj_id(fd));
	/* Opening makes no new object. */
	ASSERT_EQ(0, kt_stats(&b));
	EXPECT_EQ(a.objects, b.objects);
	EXPECT_EQ(a.created, b.created);
}

TEST_F(kipc, open_shares_state)
{
	const char *name = kt_name("n");
	uint64_t v = 0;
	int fd, fd2;

	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	fd2 = kipc_event_open(name, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, kipc_event_signal(fd, 1234));
	ASSERT_EQ(0, kipc_event_trywait(fd2, &v));
	EXPECT_EQ(1234ULL, v);
}

TEST_F(kipc, create_existing_name_eexist)
{
	const char *name = kt_name("n");
	struct kipc_stats b, a;
	uint64_t id;
	int fd, fd2;

	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	id = obj_id(fd);
	ASSERT_EQ(0, kt_stats(&b));
	EXPECT_EQ(-EEXIST, kipc_event_create(name, 0600, 0, 0));
	EXPECT_EQ(-EEXIST, kipc_event_create(name, 0644,
					     KIPC_EVENT_MANUAL_RESET, 0));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.named, a.named);
	EXPECT_EQ(b.uid_objects, a.uid_objects);
	/* The name still leads to the first object. */
	fd2 = kipc_event_open(name, 0);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(id, obj_id(fd2));
}

TEST_F(kipc, open_missing_enoent)
{
	const char *name = kt_name("missing");

	EXPECT_FAILS_NO_CHANGE(kipc_event_open(name, 0), ENOENT);
}

TEST_F(kipc, unlink_missing_enoent)
{
	const char *name = kt_name("missing");

	EXPECT_FAILS_NO_CHANGE(kipc_unlink(KIPC_TYPE_EVENT, name), ENOENT);
}

TEST_F(kipc, unlink_removes_name)
{
	const char *name = kt_name("n");
	struct kipc_stats b, a;
	int fd;

	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_stats(&b));
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.named - 1, a.named);
	EXPECT_EQ(-ENOENT, kipc_event_open(name, 0));
	EXPECT_EQ(-ENOENT, kipc_unlink(KIPC_TYPE_EVENT, name));
}

TEST_F(kipc, names_match_exactly)
{
	const char *name = kt_name("exact");
	char longer[128];
	struct kipc_open o;
	int fd;

	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	/* A prefix of the name. */
	kt_open_init(&o, name);
	o.name_len--;
	EXPECT_EQ(-ENOENT, kt_open_raw(&o));
	/* The name and one more byte. */
	snprintf(longer, sizeof(longer), "%sy", name);
	EXPECT_EQ(-ENOENT, kipc_event_open(longer, 0));
	/* Names are case sensitive. */
	snprintf(longer, sizeof(longer), "%s", name);
	longer[0] = 'K';
	EXPECT_EQ(-ENOENT, kipc_event_open(longer, 0));
	EXPECT_LE(0, kipc_event_open(name, 0));
}

TEST_F(kipc, name_high_bytes_ok)
{
	char buf[64];
	const char *name;
	char got[64];
	struct kipc_object_info in;
	int fd;

	snprintf(buf, sizeof(buf), "utf8.\xc3\xa9\xe2\x82\xac.\xff");
	name = kt_name(buf);
	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	memset(got, 0, sizeof(got));
	ASSERT_EQ(0, kt_obj_info(fd, &in, got, sizeof(got)));
	EXPECT_EQ(strlen(name), (size_t)in.name_len);
	EXPECT_EQ(0, memcmp(name, got, strlen(name)));
	EXPECT_LE(0, kipc_event_open(name, 0));
}

TEST_F(kipc, name_max_len_ok)
{
	long long max = kt_param_get("max_name_len");
	const char *name;
	int fd;

	ASSERT_LT(0, max);
	name = kt_name_len("max", max);
	ASSERT_EQ((size_t)max, strlen(name));
	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	EXPECT_LE(0, kipc_event_open(name, 0));
	EXPECT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));
}

TEST_F(kipc, create_no_attr_defaults)
{
	struct kipc_create c;
	struct kipc_event_attr a;
	struct kipc_event_info in;
	int fd;

	kt_create_init(&c, &a, NULL);
	c.attr = 0;
	c.attr_size = 0;
	fd = kt_create_raw(&c);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0U, in.state);	/* auto-reset, not set */
}

TEST_F(kipc, create_larger_struct_zero_tail)
{
	struct {
		struct kipc_create c;
		uint64_t tail[2];
	} big;
	struct kipc_event_attr a;
	const char *name = kt_name("n");

	memset(&big, 0, sizeof(big));
	kt_create_init(&big.c, &a, name);
	ASSERT_EQ(0, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_CREATE, sizeof(big)),
				  &big));
	EXPECT_EQ((uint32_t)KIPC_TYPE_EVENT, (uint32_t)big.c.type);
	EXPECT_NE(0ULL, obj_id(big.c.fd));
	EXPECT_EQ(0ULL, big.tail[0]);
	EXPECT_EQ(0ULL, big.tail[1]);
}

/* ---- create: errors ------------------------------------------------------ */

TEST_F(kipc, create_larger_struct_nonzero_tail)
{
	struct {
		struct kipc_create c;
		uint64_t tail[2];
	} big;
	struct kipc_event_attr a;
	const char *name = kt_name("n");

	memset(&big, 0, sizeof(big));
	kt_create_init(&big.c, &a, name);
	big.tail[1] = 1;
	EXPECT_FAILS_NO_CHANGE(kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_CREATE,
							  sizeof(big)), &big),
			       E2BIG);
	EXPECT_EQ(-ENOENT, kipc_event_open(name, 0));
}

TEST_F(kipc, create_size_below_ver0)
{
	struct kipc_create c;
	struct kipc_event_attr a;
	const char *name = kt_name("n");

	kt_create_init(&c, &a, name);
	EXPECT_FAILS_NO_CHANGE(kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_CREATE,
				KIPC_CREATE_SIZE_VER0 - 8), &c), EINVAL);
	EXPECT_EQ(-ENOENT, kipc_event_open(name, 0));
}

/*
 * TEST_F(kipc, @test): a valid create of a named event, changed by the
 * statements that follow @n (on struct kipc_create c and its attribute
 * a), fails with -@err and changes nothing, for each case @i below @n.
 * Every case starts from a valid create; one whose statements "continue"
 * is left out.
 */
#define CREATE_FAILS_EACH_TEST(test, err, n, ...)			\
TEST_F(kipc, test)							\
{									\
	const char *name = kt_name("n");				\
	struct kipc_create c;						\
	struct kipc_event_attr a;					\
	unsigned int i;							\
									\
	for (i = 0; i < (n); i++) {					\
		kt_create_init(&c, &a, name);				\
		__VA_ARGS__;						\
		EXPECT_CREATE_FAILS(&c, name, err);			\
	}								\
}

#define CREATE_FAILS_TEST(test, err, ...)				\
	CREATE_FAILS_EACH_TEST(test, err, 1, __VA_ARGS__)

CREATE_FAILS_TEST(create_type_zero, EINVAL, c.type = 0)

/* Unknown types. */
KT_FIXTURE_NAMED(bad_type, (void)0)

FIXTURE_VARIANT(bad_type) {
	uint32_t type;
};

FIXTURE_VARIANT_ADD(bad_type, max_plus_1) { .type = KIPC_TYPE_MAX + 1 };
FIXTURE_VARIANT_ADD(bad_type, t0x100) { .type = 0x100 };
FIXTURE_VARIANT_ADD(bad_type, top_bit) { .type = 0x80000000U };
FIXTURE_VARIANT_ADD(bad_type, all_ones) { .type = 0xffffffffU };

TEST_F(bad_type, create_type_unknown)
{
	struct kipc_create c;
	struct kipc_event_attr a;
	const char *name = kt_name("n");

	kt_create_init(&c, &a, name);
	c.type = variant->type;
	EXPECT_CREATE_FAILS(&c, name, EINVAL);
}

CREATE_FAILS_EACH_TEST(create_unknown_fd_flags, EINVAL, 32,
		       if (KIPC_FD_FLAGS & (1U << i))
			       continue;
		       c.flags = 1U << i)
CREATE_FAILS_TEST(create_rdonly_and_wronly, EINVAL,
		  c.flags = KIPC_FD_RDONLY | KIPC_FD_WRONLY)

/* Modes with bits above 0777. */
KT_FIXTURE_NAMED(bad_mode, (void)0)

FIXTURE_VARIANT(bad_mode) {
	uint32_t mode;
};

FIXTURE_VARIANT_ADD(bad_mode, sticky) { .mode = 01000 };
FIXTURE_VARIANT_ADD(bad_mode, setgid) { .mode = 02000 };
FIXTURE_VARIANT_ADD(bad_mode, setuid) { .mode = 04000 };
FIXTURE_VARIANT_ADD(bad_mode, m1777) { .mode = 01777 };
FIXTURE_VARIANT_ADD(bad_mode, regular_file) { .mode = 0100644 };
FIXTURE_VARIANT_ADD(bad_mode, all_ones) { .mode = 0xffffffffU };

TEST_F(bad_mode, create_mode_above_0777)
{
	struct kipc_create c;
	struct kipc_event_attr a;
	const char *name = kt_name("n");

	kt_create_init(&c, &a, name);
	c.mode = variant->mode;
	EXPECT_CREATE_FAILS(&c, name, EINVAL);
}

CREATE_FAILS_EACH_TEST(create_reserved_nonzero, EINVAL, 4,
		       c.reserved[i] = 1ULL << 63)
CREATE_FAILS_EACH_TEST(create_attr_size_below_ver0, EINVAL, 2,
		       c.attr_size = i ? 1 : KIPC_EVENT_ATTR_SIZE_VER0 - 8)
CREATE_FAILS_TEST(create_attr_ptr_without_size, EINVAL, c.attr_size = 0)
CREATE_FAILS_TEST(create_attr_size_without_ptr, EINVAL, c.attr = 0)

TEST_F(kipc, create_attr_larger_zero_tail)
{
	struct {
		struct kipc_event_attr a;
		uint64_t tail[2];
	} big;
	struct kipc_create c;
	struct kipc_event_attr unused;
	struct kipc_event_info in;
	int fd;

	kt_create_init(&c, &unused, NULL);
	memset(&big, 0, sizeof(big));
	big.a.flags = KIPC_EVENT_MANUAL_RESET | KIPC_EVENT_SET;
	big.a.value = 99;
	c.attr = (uintptr_t)&big;
	c.attr_size = sizeof(big);
	fd = kt_create_raw(&c);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_MANUAL_RESET | KIPC_EVENT_SET, in.state);
	EXPECT_EQ(99ULL, in.value);
}

TEST_F(kipc, create_attr_larger_nonzero_tail)
{
	struct {
		struct kipc_event_attr a;
		uint64_t tail[2];
	} big;
	struct kipc_create c;
	struct kipc_event_attr unused;
	const char *name = kt_name("n");

	kt_create_init(&c, &unused, name);
	memset(&big, 0, sizeof(big));
	big.tail[0] = 1;
	c.attr = (uintptr_t)&big;
	c.attr_size = sizeof(big);
	EXPECT_CREATE_FAILS(&c, name, E2BIG);
}

CREATE_FAILS_EACH_TEST(create_attr_unknown_flags, EINVAL, 32,
		       if (KIPC_EVENT_ATTR_FLAGS & (1U << i))
			       continue;
		       a.flags = 1U << i)
CREATE_FAILS_TEST(create_attr_pad_nonzero, EINVAL, a.__pad = 1)
CREATE_FAILS_EACH_TEST(create_attr_reserved_nonzero, EINVAL, 2,
		       a.reserved[i] = 1)
/* A value without SET, also with MANUAL_RESET. */
CREATE_FAILS_EACH_TEST(create_attr_value_without_set, EINVAL, 2,
		       a.value = 5;
		       if (i)
			       a.flags = KIPC_EVENT_MANUAL_RESET)
CREATE_FAILS_TEST(create_attr_bad_pointer, EFAULT,
		  void *bad = kt_noaccess_page();
		  ASSERT_NE(NULL, bad);
		  c.attr = (uintptr_t)bad)

TEST_F(kipc, create_name_too_long)
{
	long long max = kt_param_get("max_name_len");
	struct kipc_create c;
	struct kipc_event_attr a;
	const char *name;

	ASSERT_LT(0, max);
	name = kt_name_len("long", max + 1);
	kt_create_init(&c, &a, name);
	EXPECT_CREATE_FAILS(&c, NULL, ENAMETOOLONG);
}

/* Bytes a name may not hold, at its start, middle and end. */
KT_FIXTURE_NAMED(bad_byte, (void)0)

FIXTURE_VARIANT(bad_byte) {
	char byte;
};

FIXTURE_VARIANT_ADD(bad_byte, nul) { .byte = 0x00 };
FIXTURE_VARIANT_ADD(bad_byte, x01) { .byte = 0x01 };
FIXTURE_VARIANT_ADD(bad_byte, tab) { .byte = '\t' };
FIXTURE_VARIANT_ADD(bad_byte, newline) { .byte = '\n' };
FIXTURE_VARIANT_ADD(bad_byte, x1f) { .byte = 0x1f };
FIXTURE_VARIANT_ADD(bad_byte, space) { .byte = ' ' };
FIXTURE_VARIANT_ADD(bad_byte, slash) { .byte = '/' };
FIXTURE_VARIANT_ADD(bad_byte, del) { .byte = 0x7f };

TEST_F(bad_byte, create_name_bad_bytes)
{
	const char *name = kt_name("badbyte");
	size_t len = strlen(name), pos;
	struct kipc_create c;
	struct kipc_event_attr a;
	char buf[128];

	for (pos = 0; pos < len; pos += len / 2) {
		memcpy(buf, name, len);
		buf[pos] = variant->byte;
		kt_create_init(&c, &a, name);
		c.name = (uintptr_t)buf;
		EXPECT_CREATE_FAILS(&c, name, EINVAL);
	}
	memcpy(buf, name, len);
	buf[len - 1] = variant->byte;
	kt_create_init(&c, &a, name);
	c.name = (uintptr_t)buf;
	EXPECT_CREATE_FAILS(&c, name, EINVAL);
}

CREATE_FAILS_TEST(create_name_ptr_without_len, EINVAL, c.name_len = 0)
CREATE_FAILS_TEST(create_name_len_without_ptr, EINVAL, c.name = 0)
CREATE_FAILS_TEST(create_name_bad_pointer, EFAULT,
		  void *bad = kt_noaccess_page();
		  ASSERT_NE(NULL, bad);
		  c.name = (uintptr_t)bad)

TEST_F(kipc, create_arg_bad_pointer)
{
	void *bad = kt_noaccess_page();

	ASSERT_NE(NULL, bad);
	EXPECT_FAILS_NO_CHANGE(kt_dev_ioctl(KIPC_IOC_CREATE, bad), EFAULT);
	EXPECT_FAILS_NO_CHANGE(kt_dev_ioctl(KIPC_IOC_CREATE, NULL), EFAULT);
}

/*
 * The struct is readable but the fd cannot be written back: EFAULT, and no
 * trace of the object: no fd, no name, nothing alive or charged.
 */
TEST_F(kipc, create_readonly_struct_changes_nothing)
{
	const char *name = kt_name("ro");
	struct kipc_create c, *ro;
	struct kipc_event_attr a;
	struct kipc_stats b, s;
	int lowfd;

	kt_create_init(&c, &a, name);
	ro = kt_readonly_copy(&c, sizeof(c));
	ASSERT_NE(NULL, ro);
	lowfd = kt_lowest_free_fd();
	ASSERT_EQ(0, kt_stats(&b));
	EXPECT_EQ(-EFAULT, kt_dev_ioctl(KIPC_IOC_CREATE, ro));
	ASSERT_EQ(0, kt_stats(&s));
	EXPECT_EQ(b.objects, s.objects);
	EXPECT_EQ(b.named, s.named);
	EXPECT_EQ(b.uid_objects, s.uid_objects);
	EXPECT_EQ(b.created - b.destroyed, s.created - s.destroyed);
	EXPECT_EQ(lowfd, kt_lowest_free_fd());
	EXPECT_EQ(-ENOENT, kipc_event_open(name, 0));
	/* The name is free. */
	EXPECT_LE(0, make_named(name, 0600));
}

/* Set the fd limit so that @nfree more fds can be opened; 0 or -errno. */
static int limit_fds(int nfree, struct rlimit *old)
{
	struct rlimit rl;
	int low = kt_lowest_free_fd();

	if (low < 0 || getrlimit(RLIMIT_NOFILE, old))
		return -errno;
	rl.rlim_cur = low + nfree;
	rl.rlim_max = old->rlim_max;
	return setrlimit(RLIMIT_NOFILE, &rl) ? -errno : 0;
}

/* No fd to put it in: EMFILE, and the object is gone again. */
TEST_F(kipc, create_emfile_changes_nothing)
{
	const char *name = kt_name("emfile");
	struct kipc_stats b, a;
	struct rlimit old;

	ASSERT_EQ(0, kt_stats(&b));
	ASSERT_EQ(0, limit_fds(0, &old));
	EXPECT_EQ(-EMFILE, kipc_event_create(name, 0600, 0, 0));
	EXPECT_EQ(-EMFILE, kipc_event_create(NULL, 0600, 0, 0));
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.named, a.named);
	EXPECT_EQ(b.uid_objects, a.uid_objects);
	EXPECT_EQ(b.created - b.destroyed, a.created - a.destroyed);
	EXPECT_EQ(-ENOENT, kipc_event_open(name, 0));
}

TEST_F(kipc, open_emfile_leaks_nothing)
{
	const char *name = kt_name("emfile");
	struct kipc_stats b, a;
	struct rlimit old;
	int fd;

	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kt_stats(&b));
	ASSERT_EQ(0, limit_fds(0, &old));
	EXPECT_EQ(-EMFILE, kipc_event_open(name, 0));
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	/* Unlinking frees the object: the failed open kept no reference. */
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects - 1, a.objects);
	EXPECT_EQ(b.destroyed + 1, a.destroyed);
}

/* ---- open: errors --------------------------------------------------------- */

/* Make the named object @name and a valid open of it in @o. */
static int open_setup(struct kipc_open *o, const char *name)
{
	int fd = make_named(name, 0600);

	kt_open_init(o, name);
	return fd;
}

/*
 * TEST_F(kipc, @test): a valid open of a named event, changed by the
 * statements that follow @err (on struct kipc_open o), fails with -@err
 * and changes nothing.
 */
#define OPEN_FAILS_TEST(test, err, ...)					\
TEST_F(kipc, test)							\
{									\
	const char *name = kt_name("n");				\
	struct kipc_open o;						\
									\
	ASSERT_LE(0, open_setup(&o, name));				\
	__VA_ARGS__;							\
	EXPECT_FAILS_NO_CHANGE(kt_open_raw(&o), err);			\
}

/*
 * The same for each case @i below @n: every one starts from a valid open,
 * and a case whose statements "continue" is left out.
 */
#define OPEN_FAILS_EACH_TEST(test, err, n, ...)				\
TEST_F(kipc, test)							\
{									\
	const char *name = kt_name("n");				\
	struct kipc_open o;						\
	unsigned int i;							\
									\
	ASSERT_LE(0, open_setup(&o, name));				\
	for (i = 0; i < (n); i++) {					\
		kt_open_init(&o, name);					\
		__VA_ARGS__;						\
		EXPECT_FAILS_NO_CHANGE(kt_open_raw(&o), err);		\
	}								\
}

/* Types a create, open or unlink must refuse. */
static const uint32_t bad_types[] = { 0, KIPC_TYPE_MAX + 1, 0xffffffffU };

OPEN_FAILS_EACH_TEST(open_unknown_fd_flags, EINVAL, 32,
		     if (KIPC_FD_FLAGS & (1U << i))
			     continue;
		     o.flags = 1U << i)
OPEN_FAILS_TEST(open_rdonly_and_wronly, EINVAL,
		o.flags = KIPC_FD_RDONLY | KIPC_FD_WRONLY)
OPEN_FAILS_EACH_TEST(open_reserved_nonzero, EINVAL, 4, o.reserved[i] = 1)
OPEN_FAILS_EACH_TEST(open_type_invalid, EINVAL, ARRAY_SIZE(bad_types),
		     o.type = bad_types[i])
OPEN_FAILS_TEST(open_no_name, EINVAL, o.name = 0; o.name_len = 0)
OPEN_FAILS_TEST(open_name_ptr_without_len, EINVAL, o.name_len = 0)
OPEN_FAILS_TEST(open_name_len_without_ptr, EINVAL, o.name = 0)

TEST_F(kipc, open_name_bad_bytes)
{
	const char *name = kt_name("n");
	struct kipc_open o;
	char buf[128];

	ASSERT_LE(0, open_setup(&o, name));
	snprintf(buf, sizeof(buf), "%s", name);
	buf[1] = '/';
	o.name = (uintptr_t)buf;
	EXPECT_FAILS_NO_CHANGE(kt_open_raw(&o), EINVAL);
	buf[1] = ' ';
	EXPECT_FAILS_NO_CHANGE(kt_open_raw(&o), EINVAL);
}

TEST_F(kipc, open_name_too_long)
{
	long long max = kt_param_get("max_name_len");
	const char *name;
	struct kipc_open o;

	ASSERT_LT(0, max);
	name = kt_name_len("long", max + 1);
	kt_open_init(&o, name);
	EXPECT_FAILS_NO_CHANGE(kt_open_raw(&o), ENAMETOOLONG);
}

OPEN_FAILS_TEST(open_name_bad_pointer, EFAULT,
		void *bad = kt_noaccess_page();
		ASSERT_NE(NULL, bad);
		o.name = (uintptr_t)bad)

TEST_F(kipc, open_size_below_ver0)
{
	const char *name = kt_name("n");
	struct kipc_open o;

	ASSERT_LE(0, open_setup(&o, name));
	EXPECT_FAILS_NO_CHANGE(kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_OPEN,
				KIPC_OPEN_SIZE_VER0 - 8), &o), EINVAL);
}

TEST_F(kipc, open_larger_struct)
{
	const char *name = kt_name("n");
	struct {
		struct kipc_open o;
		uint64_t tail[2];
	} big;
	int fd;

	fd = open_setup(&big.o, name);
	ASSERT_LE(0, fd);
	big.tail[0] = 0;
	big.tail[1] = 1;
	EXPECT_FAILS_NO_CHANGE(kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_OPEN,
							  sizeof(big)), &big),
			       E2BIG);
	big.tail[1] = 0;
	ASSERT_EQ(0, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_OPEN, sizeof(big)),
				  &big));
	EXPECT_EQ(obj_id(fd), obj_id(big.o.fd));
}

TEST_F(kipc, open_arg_bad_pointer)
{
	void *bad = kt_noaccess_page();

	ASSERT_NE(NULL, bad);
	EXPECT_FAILS_NO_CHANGE(kt_dev_ioctl(KIPC_IOC_OPEN, bad), EFAULT);
}

TEST_F(kipc, open_readonly_struct_leaks_nothing)
{
	const char *name = kt_name("n");
	struct kipc_open o, *ro;
	struct kipc_stats b, a;
	int fd, lowfd;

	fd = open_setup(&o, name);
	ASSERT_LE(0, fd);
	ro = kt_readonly_copy(&o, sizeof(o));
	ASSERT_NE(NULL, ro);
	lowfd = kt_lowest_free_fd();
	ASSERT_EQ(0, kt_stats(&b));
	EXPECT_EQ(-EFAULT, kt_dev_ioctl(KIPC_IOC_OPEN, ro));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(lowfd, kt_lowest_free_fd());
	EXPECT_EQ(b.objects, a.objects);
	/* No reference was leaked: unlink and close free the object. */
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects - 1, a.objects);
	EXPECT_EQ(b.destroyed + 1, a.destroyed);
}

/* ---- unlink: errors ------------------------------------------------------- */

static int unlink_setup(struct kipc_unlink *u, const char *name)
{
	int fd = make_named(name, 0600);

	kt_unlink_init(u, name);
	return fd;
}

/*
 * TEST_F(kipc, @test): a valid unlink of a named event, changed by the
 * statements that follow @err (on struct kipc_unlink u), fails with -@err
 * for each case @i below @n, and the name stays.
 */
#define UNLINK_FAILS_EACH_TEST(test, err, n, ...)			\
TEST_F(kipc, test)							\
{									\
	const char *name = kt_name("n");				\
	struct kipc_unlink u;						\
	unsigned int i;							\
									\
	ASSERT_LE(0, unlink_setup(&u, name));				\
	for (i = 0; i < (n); i++) {					\
		kt_unlink_init(&u, name);				\
		__VA_ARGS__;						\
		EXPECT_EQ(-(err), kt_unlink_raw(&u)) TH_LOG("case %u", i); \
	}								\
	EXPECT_LE(0, kipc_event_open(name, 0));				\
}

#define UNLINK_FAILS_TEST(test, err, ...)				\
	UNLINK_FAILS_EACH_TEST(test, err, 1, __VA_ARGS__)

UNLINK_FAILS_EACH_TEST(unlink_flags_nonzero, EINVAL, 32, u.flags = 1U << i)
UNLINK_FAILS_TEST(unlink_pad_nonzero, EINVAL, u.__pad = 1)
UNLINK_FAILS_EACH_TEST(unlink_reserved_nonzero, EINVAL, 4, u.reserved[i] = 1)
UNLINK_FAILS_EACH_TEST(unlink_type_invalid, EINVAL, ARRAY_SIZE(bad_types),
		       u.type = bad_types[i])
/* No name, a pointer without a length, a length without a pointer. */
UNLINK_FAILS_EACH_TEST(unlink_no_name, EINVAL, 3,
		       if (i != 1)
			       u.name = 0;
		       if (i != 2)
			       u.name_len = 0)
UNLINK_FAILS_TEST(unlink_name_bad_bytes, EINVAL,
		  char buf[128];
		  snprintf(buf, sizeof(buf), "%s", name);
		  buf[2] = 0x7f;
		  u.name = (uintptr_t)buf)

TEST_F(kipc, unlink_name_too_long)
{
	long long max = kt_param_get("max_name_len");
	struct kipc_unlink u;
	const char *name;

	ASSERT_LT(0, max);
	name = kt_name_len("long", max + 1);
	kt_unlink_init(&u, name);
	EXPECT_EQ(-ENAMETOOLONG, kt_unlink_raw(&u));
}

UNLINK_FAILS_TEST(unlink_name_bad_pointer, EFAULT,
		  void *bad = kt_noaccess_page();
		  ASSERT_NE(NULL, bad);
		  u.name = (uintptr_t)bad)

TEST_F(kipc, unlink_arg_bad_pointer)
{
	void *bad = kt_noaccess_page();

	ASSERT_NE(NULL, bad);
	EXPECT_EQ(-EFAULT, kt_dev_ioctl(KIPC_IOC_UNLINK, bad));
}

TEST_F(kipc, unlink_struct_sizes)
{
	const char *name = kt_name("n");
	struct {
		struct kipc_unlink u;
		uint64_t tail[2];
	} big;

	ASSERT_LE(0, unlink_setup(&big.u, name));
	EXPECT_EQ(-EINVAL, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_UNLINK,
				KIPC_UNLINK_SIZE_VER0 - 8), &big.u));
	big.tail[0] = 7;
	big.tail[1] = 0;
	EXPECT_EQ(-E2BIG, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_UNLINK,
						     sizeof(big)), &big));
	EXPECT_LE(0, kipc_event_open(name, 0));
	big.tail[0] = 0;
	EXPECT_EQ(0, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_UNLINK, sizeof(big)),
				  &big));
	EXPECT_EQ(-ENOENT, kipc_event_open(name, 0));
}

/* ---- KIPC_IOC_STATS ------------------------------------------------------- */

TEST_F(kipc, stats_invalid_input)
{
	struct kipc_stats s;
	int i;

	memset(&s, 0, sizeof(s));
	s.flags = 1;
	EXPECT_EQ(-EINVAL, kt_dev_ioctl(KIPC_IOC_STATS, &s));
	memset(&s, 0, sizeof(s));
	s.__pad = 1;
	EXPECT_EQ(-EINVAL, kt_dev_ioctl(KIPC_IOC_STATS, &s));
	for (i = 0; i < (int)(sizeof(s.reserved) / sizeof(s.reserved[0])); i++) {
		memset(&s, 0, sizeof(s));
		s.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_dev_ioctl(KIPC_IOC_STATS, &s));
	}
	memset(&s, 0, sizeof(s));
	EXPECT_EQ(-EINVAL, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_STATS,
				KIPC_STATS_SIZE_VER0 - 8), &s));
}

TEST_F(kipc, stats_struct_reused)
{
	struct kipc_stats s;
	uint64_t objects;
	int fd;

	ASSERT_EQ(0, kt_stats(&s));
	objects = s.objects;
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_dev_ioctl(KIPC_IOC_STATS, &s));
	EXPECT_EQ(objects + 1, s.objects);
}

TEST_F(kipc, stats_larger_struct)
{
	struct {
		struct kipc_stats s;
		uint64_t tail[2];
	} big;

	memset(&big, 0, sizeof(big));
	ASSERT_EQ(0, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_STATS, sizeof(big)),
				  &big));
	EXPECT_LE(kt.base.created, big.s.created);
	big.tail[1] = 1;
	EXPECT_EQ(-E2BIG, kt_dev_ioctl(KT_IOC_RESIZE(KIPC_IOC_STATS,
						     sizeof(big)), &big));
}

TEST_F(kipc, stats_bad_pointer)
{
	void *bad = kt_noaccess_page();

	ASSERT_NE(NULL, bad);
	EXPECT_EQ(-EFAULT, kt_dev_ioctl(KIPC_IOC_STATS, bad));
}

TEST_HARNESS_MAIN
