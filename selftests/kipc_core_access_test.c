// SPDX-License-Identifier: GPL-2.0
/*
 * kipc core selftests, objects and who may use them: permissions, fd
 * flags and access, object lifetime, KIPC_IOC_OBJ_INFO, fdinfo, the
 * module parameters that limit objects and names, and passing an object
 * fd over a UNIX socket.
 */
#include "kipc_core_util.h"

/* ---- permissions ---------------------------------------------------------- */

/* Run @fn(@arg) in a child as @uid/@gid; its errno, 0 on success. */
static int run_as(uid_t uid, gid_t gid, int (*fn)(const void *),
		  const void *arg)
{
	pid_t pid = kt_fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (kt_become(uid, gid))
			_exit(200);
		kt_child_exit_err(fn(arg));
	}
	return kt_reap(pid, KT_CHILD_TIMEOUT_MS);
}

static int open_rdwr(const void *name)
{
	return kipc_event_open(name, 0);
}

static int open_wronly(const void *name)
{
	return kipc_event_open(name, KIPC_FD_WRONLY);
}

/* Open read-only; the fd must allow reading and nothing else. */
static int open_rdonly(const void *name)
{
	struct kipc_object_info in;
	int fd = kipc_event_open(name, KIPC_FD_RDONLY);

	if (fd < 0)
		return fd;
	if (kt_obj_info(fd, &in, NULL, 0) || in.access != KIPC_ACCESS_READ)
		return -EPROTO;
	return 0;
}

static int unlink_name(const void *name)
{
	return kipc_unlink(KIPC_TYPE_EVENT, name);
}

struct mkobj {
	const char *name;
	uint32_t mode;
};

static int create_obj(const void *arg)
{
	const struct mkobj *m = arg;

	return kipc_event_create(m->name, m->mode, 0, 0);
}

/*
 * TEST_F(kipc, @test): uid nobody, in group @gid, opens (with @opener) an
 * event root made with @mode: the opener's result is @result (0 or errno).
 */
#define PERM_TEST(test, mode, gid, opener, result)			\
TEST_F(kipc, test)							\
{									\
	const char *name = kt_name("p");				\
									\
	ASSERT_LE(0, make_named(name, mode));				\
	EXPECT_EQ(result, run_as(NOBODY, gid, opener, name));		\
}

PERM_TEST(perm_other_rdwr_0600_denied, 0600, NOBODY, open_rdwr, EACCES)
PERM_TEST(perm_other_rdonly_0600_denied, 0600, NOBODY, open_rdonly, EACCES)
PERM_TEST(perm_other_rdonly_0644_ok, 0644, NOBODY, open_rdonly, 0)
PERM_TEST(perm_other_wronly_0644_denied, 0644, NOBODY, open_wronly, EACCES)
PERM_TEST(perm_other_rdwr_0644_denied, 0644, NOBODY, open_rdwr, EACCES)
PERM_TEST(perm_other_wronly_0602_ok, 0602, NOBODY, open_wronly, 0)
PERM_TEST(perm_other_rdwr_0606_ok, 0606, NOBODY, open_rdwr, 0)

/* A member of the owner's group gets the group bits, not the other bits. */
PERM_TEST(perm_group_read_0640_ok, 0640, getegid(), open_rdonly, 0)
PERM_TEST(perm_group_write_0640_denied, 0640, getegid(), open_wronly, EACCES)

TEST_F(kipc, perm_group_bits_not_other_bits)
{
	const char *name = kt_name("p");

	/* Others may read, the group may not: a group member is refused. */
	ASSERT_LE(0, make_named(name, 0604));
	EXPECT_EQ(EACCES, run_as(NOBODY, getegid(), open_rdonly, name));
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, open_rdonly, name));
}

/* The owner gets the user bits, even when others would get more. */
static int owner_opens_wronly(const void *arg)
{
	const struct mkobj *m = arg;
	int fd = kipc_event_create(m->name, m->mode, 0, 0);

	if (fd < 0)
		return -ENOTRECOVERABLE;
	return kipc_event_open(m->name, KIPC_FD_WRONLY);
}

TEST_F(kipc, perm_owner_uses_user_bits)
{
	struct mkobj m = { .name = kt_name("p"), .mode = 0466 };

	EXPECT_EQ(EACCES, run_as(NOBODY, NOBODY, owner_opens_wronly, &m));
}

TEST_F(kipc, perm_cap_ipc_owner_overrides)
{
	struct mkobj m = { .name = kt_name("p"), .mode = 0 };
	int fd;

	ASSERT_EQ(0, run_as(NOBODY, NOBODY, create_obj, &m));
	/* root has CAP_IPC_OWNER: mode 0 does not stop it. */
	fd = kipc_event_open(m.name, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, kipc_event_signal(fd, 1));
}

TEST_F(kipc, perm_unlink_by_other_denied)
{
	const char *name = kt_name("p");
	uint64_t id;
	int fd;

	fd = make_named(name, 0666);
	ASSERT_LE(0, fd);
	id = obj_id(fd);
	EXPECT_EQ(EACCES, run_as(NOBODY, NOBODY, unlink_name, name));
	/* Still registered, still the same object. */
	fd = kipc_event_open(name, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(id, obj_id(fd));
}

TEST_F(kipc, perm_unlink_by_other_group_member_denied)
{
	const char *name = kt_name("p");

	ASSERT_LE(0, make_named(name, 0666));
	EXPECT_EQ(EACCES, run_as(NOBODY, getegid(), unlink_name, name));
	EXPECT_LE(0, kipc_event_open(name, 0));
}

static int create_then_unlink(const void *arg)
{
	const struct mkobj *m = arg;
	int fd = kipc_event_create(m->name, m->mode, 0, 0);

	if (fd < 0)
		return -ENOTRECOVERABLE;
	return kipc_unlink(KIPC_TYPE_EVENT, m->name);
}

TEST_F(kipc, perm_unlink_by_owner_ok)
{
	struct mkobj m = { .name = kt_name("p"), .mode = 0 };

	EXPECT_EQ(0, run_as(NOBODY, NOBODY, create_then_unlink, &m));
	EXPECT_EQ(-ENOENT, kipc_event_open(m.name, 0));
}

TEST_F(kipc, perm_unlink_cap_ipc_owner)
{
	struct mkobj m = { .name = kt_name("p"), .mode = 0600 };

	ASSERT_EQ(0, run_as(NOBODY, NOBODY, create_obj, &m));
	EXPECT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, m.name));
	EXPECT_EQ(-ENOENT, kipc_event_open(m.name, 0));
}

/* An object made by another uid is owned by and charged to that uid. */
TEST_F(kipc, perm_owner_is_creator_euid)
{
	struct mkobj m = { .name = kt_name("p"), .mode = 0640 };
	struct kipc_object_info in;
	struct kipc_stats b, a;
	int fd;

	ASSERT_EQ(0, kt_stats(&b));
	ASSERT_EQ(0, run_as(NOBODY, NOBODY, create_obj, &m));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects + 1, a.objects);
	EXPECT_EQ(b.uid_objects, a.uid_objects);	/* not charged to root */
	fd = kipc_event_open(m.name, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_obj_info(fd, &in, NULL, 0));
	EXPECT_EQ((uint32_t)NOBODY, in.uid);
	EXPECT_EQ((uint32_t)NOBODY, in.gid);
	EXPECT_EQ((uint32_t)NOBODY, in.cuid);
	EXPECT_EQ((uint32_t)NOBODY, in.cgid);
	EXPECT_EQ(0640U, in.mode);
}

/* ---- fd flags and access ---------------------------------------------------- */

TEST_F(kipc, fd_cloexec_by_default)
{
	const char *name = kt_name("f");
	int fd, fd2;

	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	fd2 = kipc_event_open(name, 0);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd2, F_GETFD) & FD_CLOEXEC);
}

TEST_F(kipc, fd_nocloexec)
{
	const char *name = kt_name("f");
	int fd, fd2;

	fd = kipc_event_create(name, 0600, 0, KIPC_FD_NOCLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	fd2 = kipc_event_open(name, KIPC_FD_NOCLOEXEC);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, fcntl(fd2, F_GETFD) & FD_CLOEXEC);
}

TEST_F(kipc, fd_nonblock)
{
	const char *name = kt_name("f");
	int fd, fd2;

	fd = kipc_event_create(name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fcntl(fd, F_GETFL) & O_NONBLOCK);
	fd2 = kipc_event_open(name, KIPC_FD_NONBLOCK);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(O_NONBLOCK, fcntl(fd2, F_GETFL) & O_NONBLOCK);
	fd2 = kipc_event_create(NULL, 0600, 0, KIPC_FD_NONBLOCK);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(O_NONBLOCK, fcntl(fd2, F_GETFL) & O_NONBLOCK);
}

TEST_F(kipc, fd_access_mode_create)
{
	struct kipc_object_info in;
	int fd;

	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	ASSERT_EQ(0, kt_obj_info(fd, &in, NULL, 0));
	EXPECT_EQ(KIPC_ACCESS_READ | KIPC_ACCESS_WRITE, in.access);

	fd = kipc_event_create(NULL, 0600, 0, KIPC_FD_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(O_RDONLY, fcntl(fd, F_GETFL) & O_ACCMODE);
	ASSERT_EQ(0, kt_obj_info(fd, &in, NULL, 0));
	EXPECT_EQ(KIPC_ACCESS_READ, in.access);

	fd = kipc_event_create(NULL, 0600, 0, KIPC_FD_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(O_WRONLY, fcntl(fd, F_GETFL) & O_ACCMODE);
	ASSERT_EQ(0, kt_obj_info(fd, &in, NULL, 0));
	EXPECT_EQ(KIPC_ACCESS_WRITE, in.access);
}

TEST_F(kipc, fd_access_mode_open)
{
	const char *name = kt_name("f");
	struct kipc_object_info in;
	int fd;

	ASSERT_LE(0, make_named(name, 0600));
	fd = kipc_event_open(name, KIPC_FD_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(O_RDONLY, fcntl(fd, F_GETFL) & O_ACCMODE);
	ASSERT_EQ(0, kt_obj_info(fd, &in, NULL, 0));
	EXPECT_EQ(KIPC_ACCESS_READ, in.access);

	fd = kipc_event_open(name, KIPC_FD_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(O_WRONLY, fcntl(fd, F_GETFL) & O_ACCMODE);
	ASSERT_EQ(0, kt_obj_info(fd, &in, NULL, 0));
	EXPECT_EQ(KIPC_ACCESS_WRITE, in.access);
}

TEST_F(kipc, access_rdonly_fd_cannot_signal)
{
	const char *name = kt_name("a");
	struct kipc_event_info in;
	int fd, ro;

	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	ro = kipc_event_open(name, KIPC_FD_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EBADF, kipc_event_signal(ro, 1));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(0ULL, in.signals);
	EXPECT_EQ(0U, in.state & KIPC_EVENT_SET);
}

TEST_F(kipc, access_rdonly_fd_cannot_reset)
{
	const char *name = kt_name("a");
	struct kipc_event_info in;
	int fd, ro;

	fd = kipc_event_create(name, 0600, KIPC_EVENT_MANUAL_RESET |
			       KIPC_EVENT_SET, 0);
	ASSERT_LE(0, fd);
	ro = kipc_event_open(name, KIPC_FD_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EBADF, kipc_event_reset(ro));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_SET, in.state & KIPC_EVENT_SET);
}

TEST_F(kipc, access_wronly_fd_cannot_wait)
{
	const char *name = kt_name("a");
	struct kipc_event_info in;
	int fd, wo;

	fd = kipc_event_create(name, 0600, KIPC_EVENT_SET, 0);
	ASSERT_LE(0, fd);
	wo = kipc_event_open(name, KIPC_FD_WRONLY);
	ASSERT_LE(0, wo);
	EXPECT_EQ(-EBADF, kipc_event_trywait(wo, NULL));
	EXPECT_EQ(-EBADF, kipc_event_wait(wo, 10 * KT_NSEC_PER_MSEC, NULL));
	ASSERT_EQ(0, kt_event_info(fd, &in));
	EXPECT_EQ(KIPC_EVENT_SET, in.state & KIPC_EVENT_SET);
	EXPECT_EQ(0ULL, in.wakeups);
}

TEST_F(kipc, access_split_fds_work)
{
	const char *name = kt_name("a");
	uint64_t v = 0;
	int fd, ro, wo;

	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	ro = kipc_event_open(name, KIPC_FD_RDONLY);
	ASSERT_LE(0, ro);
	wo = kipc_event_open(name, KIPC_FD_WRONLY);
	ASSERT_LE(0, wo);
	ASSERT_EQ(0, kipc_event_signal(wo, 31));
	ASSERT_EQ(0, kipc_event_trywait(ro, &v));
	EXPECT_EQ(31ULL, v);
	EXPECT_EQ(0, kipc_event_reset(wo));
}

TEST_F(kipc, access_info_on_any_fd)
{
	struct kipc_object_info oi;
	struct kipc_event_info ei;
	int ro, wo;

	ro = kipc_event_create(NULL, 0600, 0, KIPC_FD_RDONLY);
	ASSERT_LE(0, ro);
	wo = kipc_event_create(NULL, 0600, 0, KIPC_FD_WRONLY);
	ASSERT_LE(0, wo);
	EXPECT_EQ(0, kt_obj_info(ro, &oi, NULL, 0));
	EXPECT_EQ(0, kt_obj_info(wo, &oi, NULL, 0));
	EXPECT_EQ(0, kt_event_info(ro, &ei));
	EXPECT_EQ(0, kt_event_info(wo, &ei));
}

/* An fd cannot be reopened through /proc for more (or any) access. */
TEST_F(kipc, access_no_reopen_through_proc)
{
	char path[64];
	int fd, fd2;

	fd = kipc_event_create(NULL, 0600, 0, KIPC_FD_RDONLY);
	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fd2 = open(path, O_RDWR | O_CLOEXEC);
	EXPECT_GT(0, fd2)
		TH_LOG("reopened a read-only kipc fd read-write");
	fd2 = open(path, O_WRONLY | O_CLOEXEC);
	EXPECT_GT(0, fd2);
	EXPECT_EQ(-EBADF, kipc_event_signal(fd, 1));
}

static int count_own_objects(const void *arg)
{
	struct kipc_stats s;
	int i, fd;

	for (i = 0; i < 2; i++) {
		fd = kipc_event_create(NULL, 0600, 0, 0);
		if (fd < 0)
			return fd;
	}
	if (kt_stats(&s))
		return -EIO;
	return s.uid_objects == 2 ? 0 : -EPROTO;
}

/* uid_objects counts the objects of the caller's effective uid. */
TEST_F(kipc, stats_uid_objects_per_caller)
{
	struct kipc_stats b, a;

	ASSERT_EQ(0, kt_stats(&b));
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, count_own_objects, NULL));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.uid_objects, a.uid_objects);
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.created + 2, a.created);
}

/* ---- lifetime ------------------------------------------------------------- */

TEST_F(kipc, life_anonymous_freed_on_last_close)
{
	struct kipc_stats b, a;
	int fd;

	ASSERT_EQ(0, kt_stats(&b));
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.uid_objects, a.uid_objects);
	EXPECT_EQ(b.created + 1, a.created);
	EXPECT_EQ(b.destroyed + 1, a.destroyed);
}

TEST_F(kipc, life_dup_keeps_alive)
{
	struct kipc_stats b, a;
	uint64_t v = 0;
	int fd, fd2;

	ASSERT_EQ(0, kt_stats(&b));
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	fd2 = dup(fd);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects + 1, a.objects);
	EXPECT_EQ(b.destroyed, a.destroyed);
	EXPECT_EQ(0, kipc_event_signal(fd2, 8));
	EXPECT_EQ(0, kipc_event_trywait(fd2, &v));
	EXPECT_EQ(8ULL, v);
	ASSERT_EQ(0, close(fd2));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.destroyed + 1, a.destroyed);
}

TEST_F(kipc, life_inherited_fd_keeps_alive)
{
	struct kipc_stats b, a;
	int fd, go[2], st;
	pid_t pid;
	char c;

	ASSERT_EQ(0, kt_stats(&b));
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(go));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(kipc_event_signal(fd, 1) ? 2 : 0);
	}
	close(go[0]);
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects + 1, a.objects);	/* the child's fd */
	ASSERT_EQ(1, write(go[1], "x", 1));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.destroyed + 1, a.destroyed);
}

TEST_F(kipc, life_named_survives_unlink_while_open)
{
	const char *name = kt_name("l");
	struct kipc_object_info in;
	struct kipc_stats b, a;
	uint64_t v = 0;
	int fd;

	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_obj_info(fd, &in, NULL, 0));
	EXPECT_EQ(KIPC_INFO_NAMED | KIPC_INFO_LINKED, in.state);
	ASSERT_EQ(0, kt_stats(&b));
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.named - 1, a.named);
	EXPECT_EQ(b.destroyed, a.destroyed);
	ASSERT_EQ(0, kt_obj_info(fd, &in, NULL, 0));
	EXPECT_EQ(KIPC_INFO_NAMED, in.state);
	EXPECT_EQ(0, kipc_event_signal(fd, 77));
	EXPECT_EQ(0, kipc_event_trywait(fd, &v));
	EXPECT_EQ(77ULL, v);
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects - 1, a.objects);
	EXPECT_EQ(b.destroyed + 1, a.destroyed);
}

TEST_F(kipc, life_unlinked_name_reusable)
{
	const char *name = kt_name("l");
	uint64_t id1, id2;
	int fd1, fd2, fd3;

	fd1 = make_named(name, 0600);
	ASSERT_LE(0, fd1);
	id1 = obj_id(fd1);
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));
	fd2 = make_named(name, 0600);
	ASSERT_LE(0, fd2);
	id2 = obj_id(fd2);
	EXPECT_NE(id1, id2);
	EXPECT_EQ(id1, obj_id(fd1));
	fd3 = kipc_event_open(name, 0);
	ASSERT_LE(0, fd3);
	EXPECT_EQ(id2, obj_id(fd3));
	/* The two objects are independent. */
	ASSERT_EQ(0, kipc_event_signal(fd1, 1));
	EXPECT_EQ(-EAGAIN, kipc_event_trywait(fd3, NULL));
	EXPECT_EQ(0, kipc_event_trywait(fd1, NULL));
}

TEST_F(kipc, life_named_persists_after_close)
{
	const char *name = kt_name("l");
	struct kipc_stats b, a;
	uint64_t id, v = 0;
	int fd;

	ASSERT_EQ(0, kt_stats(&b));
	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	id = obj_id(fd);
	ASSERT_EQ(0, kipc_event_signal(fd, 55));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects + 1, a.objects);
	EXPECT_EQ(b.named + 1, a.named);
	EXPECT_EQ(b.destroyed, a.destroyed);
	/* Same object, state kept. */
	fd = kipc_event_open(name, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(id, obj_id(fd));
	EXPECT_EQ(0, kipc_event_trywait(fd, &v));
	EXPECT_EQ(55ULL, v);
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.named, a.named);
	EXPECT_EQ(b.destroyed + 1, a.destroyed);
}

TEST_F(kipc, life_unlink_frees_unopened)
{
	const char *name = kt_name("l");
	struct kipc_stats b, a;
	int fd;

	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kt_stats(&b));
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects - 1, a.objects);
	EXPECT_EQ(b.uid_objects - 1, a.uid_objects);
	EXPECT_EQ(b.destroyed + 1, a.destroyed);
}

/* ---- KIPC_IOC_OBJ_INFO ------------------------------------------------------- */

TEST_F(kipc, info_fields)
{
	const char *name = kt_name("info");
	struct kipc_object_info in;
	char buf[128];
	int fd;

	fd = make_named(name, 0640);
	ASSERT_LE(0, fd);
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, kt_obj_info(fd, &in, buf, sizeof(buf)));
	EXPECT_EQ(0U, in.flags);
	EXPECT_EQ((uint32_t)KIPC_TYPE_EVENT, in.type);
	EXPECT_NE(0ULL, in.id);
	EXPECT_EQ((uint32_t)geteuid(), in.uid);
	EXPECT_EQ((uint32_t)getegid(), in.gid);
	EXPECT_EQ((uint32_t)geteuid(), in.cuid);
	EXPECT_EQ((uint32_t)getegid(), in.cgid);
	EXPECT_EQ(0640U, in.mode);
	EXPECT_EQ(KIPC_ACCESS_READ | KIPC_ACCESS_WRITE, in.access);
	EXPECT_EQ(KIPC_INFO_NAMED | KIPC_INFO_LINKED, in.state);
	EXPECT_EQ(strlen(name), (size_t)in.name_len);
	EXPECT_STREQ(name, buf);
	EXPECT_EQ((uint32_t)getpid(), in.creator_pid);
	EXPECT_EQ((uint64_t)(uintptr_t)buf, in.name);
	EXPECT_EQ((uint32_t)sizeof(buf), in.name_size);
}

TEST_F(kipc, info_anonymous)
{
	struct kipc_object_info in;
	char buf[16];
	int fd;

	fd = kipc_event_create(NULL, 0604, 0, 0);
	ASSERT_LE(0, fd);
	memset(buf, '#', sizeof(buf));
	ASSERT_EQ(0, kt_obj_info(fd, &in, buf, sizeof(buf)));
	EXPECT_EQ(0U, in.state);
	EXPECT_EQ(0U, in.name_len);
	EXPECT_EQ(0604U, in.mode);
	EXPECT_EQ('#', buf[0]);
	EXPECT_EQ((uint32_t)getpid(), in.creator_pid);
}

TEST_F(kipc, info_ids_unique)
{
	uint64_t ids[8];
	int i, j, fd;

	for (i = 0; i < 8; i++) {
		fd = kipc_event_create(NULL, 0600, 0, 0);
		ASSERT_LE(0, fd);
		ids[i] = obj_id(fd);
		ASSERT_NE(0ULL, ids[i]);
		/* Freed objects' ids are not reused either. */
		if (i & 1)
			close(fd);
	}
	for (i = 0; i < 8; i++)
		for (j = i + 1; j < 8; j++)
			EXPECT_NE(ids[i], ids[j]);
}

TEST_F(kipc, info_name_truncated)
{
	const char *name = kt_name("truncated");
	struct kipc_object_info in;
	char buf[8];
	int fd;

	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	memset(buf, '#', sizeof(buf));
	ASSERT_EQ(0, kt_obj_info(fd, &in, buf, 3));
	EXPECT_EQ(strlen(name), (size_t)in.name_len);
	EXPECT_EQ(0, memcmp(buf, name, 3));
	EXPECT_EQ('#', buf[3]);
}

TEST_F(kipc, info_name_no_nul)
{
	const char *name = kt_name("nonul");
	struct kipc_object_info in;
	char buf[128];
	size_t len = strlen(name);
	int fd;

	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	memset(buf, '#', sizeof(buf));
	ASSERT_EQ(0, kt_obj_info(fd, &in, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, name, len));
	EXPECT_EQ('#', buf[len]);
}

TEST_F(kipc, info_name_ptr_size_mismatch)
{
	struct kipc_object_info in;
	char buf[16];
	int fd;

	fd = make_named(kt_name("i"), 0600);
	ASSERT_LE(0, fd);
	memset(&in, 0, sizeof(in));
	in.name = (uintptr_t)buf;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_IOC_OBJ_INFO, &in));
	memset(&in, 0, sizeof(in));
	in.name_size = sizeof(buf);
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_IOC_OBJ_INFO, &in));
}

TEST_F(kipc, info_invalid_input)
{
	struct kipc_object_info in;
	int fd, i;

	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	memset(&in, 0, sizeof(in));
	in.flags = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_IOC_OBJ_INFO, &in));
	for (i = 0; i < 4; i++) {
		memset(&in, 0, sizeof(in));
		in.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(fd, KIPC_IOC_OBJ_INFO, &in));
	}
	memset(&in, 0, sizeof(in));
	EXPECT_EQ(-EINVAL, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_IOC_OBJ_INFO,
				KIPC_OBJECT_INFO_SIZE_VER0 - 8), &in));
}

TEST_F(kipc, info_name_bad_pointer)
{
	struct kipc_object_info in;
	void *bad = kt_noaccess_page();
	int fd;

	ASSERT_NE(NULL, bad);
	fd = make_named(kt_name("i"), 0600);
	ASSERT_LE(0, fd);
	memset(&in, 0, sizeof(in));
	in.name = (uintptr_t)bad;
	in.name_size = 16;
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_IOC_OBJ_INFO, &in));
}

TEST_F(kipc, info_arg_bad_pointer)
{
	void *bad = kt_noaccess_page();
	int fd;

	ASSERT_NE(NULL, bad);
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EFAULT, kt_ioctl(fd, KIPC_IOC_OBJ_INFO, bad));
}

TEST_F(kipc, info_larger_struct)
{
	struct {
		struct kipc_object_info in;
		uint64_t tail[2];
	} big;
	int fd;

	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	memset(&big, 0, sizeof(big));
	ASSERT_EQ(0, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_IOC_OBJ_INFO, sizeof(big)),
			      &big));
	EXPECT_EQ(obj_id(fd), big.in.id);
	memset(&big, 0, sizeof(big));
	big.tail[0] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(fd, KT_IOC_RESIZE(KIPC_IOC_OBJ_INFO,
						     sizeof(big)), &big));
}

TEST_F(kipc, info_struct_reused)
{
	const char *name = kt_name("reuse");
	struct kipc_object_info in, again;
	char buf[128];
	int fd;

	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_obj_info(fd, &in, buf, sizeof(buf)));
	again = in;
	ASSERT_EQ(0, kt_ioctl(fd, KIPC_IOC_OBJ_INFO, &again));
	EXPECT_EQ(0, memcmp(&in, &again, sizeof(in)));
}

TEST_F(kipc, info_creator_pid_of_other_process)
{
	struct mkobj m = { .name = kt_name("cpid"), .mode = 0600 };
	struct kipc_object_info in;
	int ready[2], go[2], fd, st;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (create_obj(&m) < 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	fd = kipc_event_open(m.name, 0);
	EXPECT_LE(0, fd);
	if (fd >= 0) {
		ASSERT_EQ(0, kt_obj_info(fd, &in, NULL, 0));
		EXPECT_EQ((uint32_t)pid, in.creator_pid);
	}
	ASSERT_EQ(1, write(go[1], "g", 1));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

struct thread_create {
	int fd;
	pid_t tid;
};

static void *create_in_thread(void *arg)
{
	struct thread_create *t = arg;

	t->tid = kt_gettid();
	t->fd = kipc_event_create(NULL, 0600, 0, 0);
	return NULL;
}

/* The creator is the thread group, not the thread. */
TEST_F(kipc, info_creator_pid_is_tgid)
{
	struct thread_create t = { .fd = -1 };
	struct kipc_object_info in;
	pthread_t th;

	ASSERT_EQ(0, pthread_create(&th, NULL, create_in_thread, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_LE(0, t.fd);
	ASSERT_NE(getpid(), t.tid);
	ASSERT_EQ(0, kt_obj_info(t.fd, &in, NULL, 0));
	EXPECT_EQ((uint32_t)getpid(), in.creator_pid);
}

/* In a new pid namespace: 0 for a creator outside it, else its own pid. */
static int check_pidns(int fd)
{
	struct kipc_object_info in;
	pid_t pid;
	int st, own;

	if (unshare(CLONE_NEWPID))
		return 10;
	pid = fork();
	if (pid < 0)
		return 11;
	if (pid == 0) {
		if (kt_obj_info(fd, &in, NULL, 0))
			_exit(12);
		if (in.creator_pid != 0)
			_exit(13);
		own = kipc_event_create(NULL, 0600, 0, 0);
		if (own < 0 || kt_obj_info(own, &in, NULL, 0))
			_exit(14);
		if (getpid() != 1 || in.creator_pid != 1)
			_exit(15);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return 16;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 17;
}

TEST_F(kipc, info_creator_pid_other_pidns)
{
	int fd, st;
	pid_t pid;

	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(check_pidns(fd));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

static int read_overflow_id(const char *which)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", which);
	return (int)kt_read_number(path);
}

/*
 * Owner ids are shown in the caller's user namespace: unmapped ones as the
 * overflow ids.
 */
TEST_F(kipc, info_uid_other_userns)
{
	int ouid = read_overflow_id("overflowuid");
	int ogid = read_overflow_id("overflowgid");
	int fd, st;
	pid_t pid;

	ASSERT_LE(0, ouid);
	ASSERT_LE(0, ogid);
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_object_info in;

		if (unshare(CLONE_NEWUSER))
			_exit(10);
		if (kt_obj_info(fd, &in, NULL, 0))
			_exit(11);
		if (in.uid != (uint32_t)ouid || in.cuid != (uint32_t)ouid)
			_exit(12);
		if (in.gid != (uint32_t)ogid || in.cgid != (uint32_t)ogid)
			_exit(13);
		_exit(0);
	}
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

/* ---- fdinfo ----------------------------------------------------------------- */

TEST_F(kipc, fdinfo_named)
{
	const char *name = kt_name("fdinfo");
	char buf[2048];
	int fd;

	fd = make_named(name, 0640);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_read_fdinfo(fd, buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "kipc-type:\tevent");
	KT_EXPECT_LINE(buf, "kipc-id:\t%llu", (unsigned long long)obj_id(fd));
	KT_EXPECT_LINE(buf, "kipc-name:\t%s", name);
	KT_EXPECT_LINE(buf, "kipc-linked:\t1");
	KT_EXPECT_LINE(buf, "kipc-owner:\t%u %u", (unsigned int)geteuid(),
		    (unsigned int)getegid());
	KT_EXPECT_LINE(buf, "kipc-mode:\t0640");
	KT_EXPECT_LINE(buf, "event-reset:\tauto");
	KT_EXPECT_LINE(buf, "event-set:\t0");
	KT_EXPECT_LINE(buf, "event-signals:\t0");
	KT_EXPECT_LINE(buf, "event-wakeups:\t0");
	KT_EXPECT_LINE(buf, "event-waiters:\t0");
}

TEST_F(kipc, fdinfo_anonymous_manual)
{
	char buf[2048];
	int fd;

	fd = kipc_event_create(NULL, 0600, KIPC_EVENT_MANUAL_RESET, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_read_fdinfo(fd, buf, sizeof(buf)));
	EXPECT_EQ(NULL, strstr(buf, "kipc-name:"));
	KT_EXPECT_LINE(buf, "kipc-type:\tevent");
	KT_EXPECT_LINE(buf, "kipc-linked:\t0");
	KT_EXPECT_LINE(buf, "kipc-mode:\t0600");
	KT_EXPECT_LINE(buf, "event-reset:\tmanual");
}

TEST_F(kipc, fdinfo_tracks_state)
{
	char buf[2048];
	int fd;

	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_event_signal(fd, 4242));
	ASSERT_EQ(0, kt_read_fdinfo(fd, buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "event-set:\t1");
	KT_EXPECT_LINE(buf, "event-value:\t4242");
	KT_EXPECT_LINE(buf, "event-signals:\t1");
	KT_EXPECT_LINE(buf, "event-wakeups:\t0");
	ASSERT_EQ(0, kipc_event_trywait(fd, NULL));
	ASSERT_EQ(0, kt_read_fdinfo(fd, buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "event-set:\t0");
	KT_EXPECT_LINE(buf, "event-signals:\t1");
	KT_EXPECT_LINE(buf, "event-wakeups:\t1");
}

TEST_F(kipc, fdinfo_unlinked)
{
	const char *name = kt_name("fdinfo");
	char buf[2048];
	int fd;

	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));
	ASSERT_EQ(0, kt_read_fdinfo(fd, buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "kipc-name:\t%s", name);
	KT_EXPECT_LINE(buf, "kipc-linked:\t0");
}

TEST_F(kipc, fdinfo_waiters)
{
	char buf[2048];
	int fd, st;
	pid_t pid;

	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		kt_child_exit_err(kipc_event_wait(fd, KT_CHILD_TIMEOUT_MS *
						  KT_NSEC_PER_MSEC, NULL));
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kt_read_fdinfo(fd, buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "event-waiters:\t1");
	ASSERT_EQ(0, kipc_event_signal(fd, 1));
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
	ASSERT_EQ(0, kt_read_fdinfo(fd, buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "event-waiters:\t0");
	KT_EXPECT_LINE(buf, "event-wakeups:\t1");
}

/* ---- limits (module parameters) --------------------------------------------- */

/*
 * Set module parameter @param ("max_objects" or "max_objects_per_uid")
 * so that one more object fits, and make it (an anonymous event).
 * Return: its fd; the next create goes over the limit.
 */
static int fill_to_limit(struct __test_metadata *_metadata, const char *param)
{
	struct kipc_stats s;
	int fd;

	ASSERT_EQ(0, kt_stats(&s));
	ASSERT_EQ(0, kt_param_set(param, (strcmp(param, "max_objects") ?
					  s.uid_objects : s.objects) + 1));
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	return fd;
}

TEST_F(kipc, limit_per_uid_edquot)
{
	const char *name = kt_name("q");

	fill_to_limit(_metadata, "max_objects_per_uid");
	EXPECT_FAILS_NO_CHANGE(kipc_event_create(name, 0600, 0, 0), EDQUOT);
	EXPECT_EQ(-ENOENT, kipc_event_open(name, 0));
	EXPECT_FAILS_NO_CHANGE(kipc_event_create(NULL, 0600, 0, 0), EDQUOT);
}

TEST_F(kipc, limit_per_uid_freed_object_uncharged)
{
	int fd = fill_to_limit(_metadata, "max_objects_per_uid");

	ASSERT_EQ(-EDQUOT, kipc_event_create(NULL, 0600, 0, 0));
	ASSERT_EQ(0, close(fd));
	fd = kipc_event_create(NULL, 0600, 0, 0);
	EXPECT_LE(0, fd);
}

TEST_F(kipc, limit_per_uid_open_not_charged)
{
	const char *name = kt_name("q");
	struct kipc_stats s;
	int fd;

	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_stats(&s));
	ASSERT_EQ(0, kt_param_set("max_objects_per_uid", s.uid_objects));
	ASSERT_EQ(-EDQUOT, kipc_event_create(NULL, 0600, 0, 0));
	/* Opening and dup'ing an existing object charges nothing. */
	EXPECT_LE(0, kipc_event_open(name, 0));
	EXPECT_LE(0, dup(fd));
}

TEST_F(kipc, limit_per_uid_other_uid_unaffected)
{
	struct mkobj m = { .name = NULL, .mode = 0600 };

	fill_to_limit(_metadata, "max_objects_per_uid");
	ASSERT_EQ(-EDQUOT, kipc_event_create(NULL, 0600, 0, 0));
	/* nobody has no objects: its own quota is not reached. */
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, create_obj, &m));
}

TEST_F(kipc, limit_max_objects_enospc)
{
	const char *name = kt_name("q");

	fill_to_limit(_metadata, "max_objects");
	EXPECT_FAILS_NO_CHANGE(kipc_event_create(name, 0600, 0, 0), ENOSPC);
	EXPECT_EQ(-ENOENT, kipc_event_open(name, 0));
}

TEST_F(kipc, limit_max_objects_all_uids)
{
	struct mkobj m = { .name = NULL, .mode = 0600 };

	fill_to_limit(_metadata, "max_objects");
	EXPECT_EQ(ENOSPC, run_as(NOBODY, NOBODY, create_obj, &m));
}

TEST_F(kipc, limit_max_name_len)
{
	const char *ok = kt_name_len("nl", 24);
	const char *longer = kt_name_len("nl2", 25);
	struct kipc_version v;

	ASSERT_EQ(0, kt_param_set("max_name_len", 24));
	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, kt_dev_ioctl(KIPC_IOC_VERSION, &v));
	EXPECT_EQ(24U, v.max_name_len);
	EXPECT_FAILS_NO_CHANGE(kipc_event_create(longer, 0600, 0, 0),
			       ENAMETOOLONG);
	EXPECT_LE(0, make_named(ok, 0600));
}

TEST_F(kipc, limit_max_name_len_open_unlink)
{
	const char *name = kt_name_len("nl", 40);
	int fd;

	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_param_set("max_name_len", 39));
	EXPECT_EQ(-ENAMETOOLONG, kipc_event_open(name, 0));
	EXPECT_EQ(-ENAMETOOLONG, kipc_unlink(KIPC_TYPE_EVENT, name));
	ASSERT_EQ(0, kt_param_set("max_name_len", 40));
	EXPECT_LE(0, kipc_event_open(name, 0));
	EXPECT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));
}

TEST_F(kipc, limit_max_name_len_4095)
{
	const char *name = kt_name_len("huge", 4095);

	ASSERT_EQ(0, kt_param_set("max_name_len", 4095));
	EXPECT_LE(0, make_named(name, 0600));
	EXPECT_LE(0, kipc_event_open(name, 0));
}

/* The parameters that must stay positive. */
KT_FIXTURE_NAMED(param, (void)0)

FIXTURE_VARIANT(param) {
	const char *name;
};

FIXTURE_VARIANT_ADD(param, max_objects) { .name = "max_objects" };
FIXTURE_VARIANT_ADD(param, max_objects_per_uid) {
	.name = "max_objects_per_uid"
};
FIXTURE_VARIANT_ADD(param, max_name_len) { .name = "max_name_len" };

TEST_F(param, param_zero_rejected)
{
	long long before;

	ASSERT_EQ(0, kt_param_save(variant->name));
	before = kt_param_get(variant->name);
	ASSERT_LT(0, before);
	EXPECT_EQ(-EINVAL, kt_param_write(variant->name, "0"));
	EXPECT_EQ(before, kt_param_get(variant->name));
}

TEST_F(param, param_garbage_rejected)
{
	long long before;

	ASSERT_EQ(0, kt_param_save(variant->name));
	before = kt_param_get(variant->name);
	EXPECT_EQ(-EINVAL, kt_param_write(variant->name, "-1"));
	EXPECT_EQ(-EINVAL, kt_param_write(variant->name, "many"));
	EXPECT_EQ(before, kt_param_get(variant->name));
}

TEST_F(kipc, param_name_len_above_limit_rejected)
{
	long long before;

	ASSERT_EQ(0, kt_param_save("max_name_len"));
	before = kt_param_get("max_name_len");
	EXPECT_EQ(-EINVAL, kt_param_write("max_name_len", "4096"));
	EXPECT_EQ(before, kt_param_get("max_name_len"));
	EXPECT_EQ(0, kt_param_write("max_name_len", "1"));
	EXPECT_EQ(1, kt_param_get("max_name_len"));
}

TEST_F(kipc, param_name_len_one)
{
	struct kipc_create c;
	struct kipc_event_attr a;
	char two[2] = { 'z', 'z' };

	ASSERT_EQ(0, kt_param_set("max_name_len", 1));
	kt_create_init(&c, &a, NULL);
	c.name = (uintptr_t)two;
	c.name_len = 2;
	EXPECT_FAILS_NO_CHANGE(kt_create_raw(&c), ENAMETOOLONG);
	/* Anonymous objects have no name to check. */
	EXPECT_LE(0, kipc_event_create(NULL, 0600, 0, 0));
}

/* ---- SCM_RIGHTS ------------------------------------------------------------- */

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -EIO;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

TEST_F(kipc, scm_rights_signal_through_passed_fd)
{
	struct kt_report r;
	uint64_t v = 0;
	int sv[2], rep[2], fd, st;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, pipe(rep));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The child has no kipc fd until one arrives. */
		int got = recv_fd(sv[1]);

		if (got < 0)
			_exit(1);
		kt_report(rep[1], 0, 0, obj_id(got));
		_exit(kipc_event_signal(got, 0xfeedULL) ? 2 : 0);
	}
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_fd(sv[0], fd));
	ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(obj_id(fd), r.value);
	EXPECT_EQ(0, kipc_event_wait(fd, KT_CHILD_TIMEOUT_MS *
				     KT_NSEC_PER_MSEC, &v));
	EXPECT_EQ(0xfeedULL, v);
	st = kt_reap(pid, KT_CHILD_TIMEOUT_MS);
	EXPECT_EQ(0, st);
}

TEST_F(kipc, scm_rights_in_flight_keeps_alive)
{
	struct kipc_stats b, a;
	uint64_t id, v = 0;
	int sv[2], fd, got;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, kt_stats(&b));
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	id = obj_id(fd);
	ASSERT_EQ(0, kipc_event_signal(fd, 12));
	ASSERT_EQ(0, send_fd(sv[0], fd));
	ASSERT_EQ(0, close(fd));
	/* Only the message in the socket refers to the object now. */
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects + 1, a.objects);
	got = recv_fd(sv[1]);
	ASSERT_LE(0, got);
	EXPECT_EQ(id, obj_id(got));
	EXPECT_EQ(0, kipc_event_trywait(got, &v));
	EXPECT_EQ(12ULL, v);
	ASSERT_EQ(0, close(got));
	ASSERT_EQ(0, kt_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
}

/* Access is checked at open; a passed fd carries its access with it. */
static int recv_and_signal(const void *arg)
{
	const int *sv = arg;
	int fd;

	fd = recv_fd(sv[1]);
	if (fd < 0)
		return -ENOTRECOVERABLE;
	return kipc_event_signal(fd, 0x600d);
}

TEST_F(kipc, scm_rights_to_other_uid)
{
	const char *name = kt_name("scm");
	uint64_t v = 0;
	int sv[2], fd;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	fd = make_named(name, 0600);
	ASSERT_LE(0, fd);
	/* nobody may not open it... */
	ASSERT_EQ(EACCES, run_as(NOBODY, NOBODY, open_rdwr, name));
	/* ...but may use an fd it is given. */
	ASSERT_EQ(0, send_fd(sv[0], fd));
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, recv_and_signal, sv));
	EXPECT_EQ(0, kipc_event_trywait(fd, &v));
	EXPECT_EQ(0x600dULL, v);
}

TEST_HARNESS_MAIN
