// SPDX-License-Identifier: GPL-2.0
/*
 * kipc selftests of the generic netlink family "kipc"
 * (uapi/linux/kipc_netlink.h), through libnl: every command and
 * attribute checked against objects the test made, every rejection with
 * its errno and extended-ack message, who may see holders and waiters,
 * holders and waiters coming and going with the processes, and each kind
 * of notification of the group "events".  The dump under churn is
 * kipc_netlink_churn_test.c, kipcctl kipc_netlink_kipcctl_test.c.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "kipc_test_util.h"
#include "kipc_mutex_util.h"
#include "kipc_netlink_util.h"

#define MS		KT_NSEC_PER_MSEC
#define CHILD_WAIT_NS	(KT_CHILD_TIMEOUT_MS * KT_NSEC_PER_MSEC)
/* A uid of the test's own for objects made by a child (no one else's). */
#define OTHER_UID	(40000 + (uint32_t)getpid() % 20000)
#define NOBODY		65534
/* Slack for the kernel's and our reading of CLOCK_REALTIME. */
#define CLOCK_SLACK_NS	(20 * MS)

static struct kn kn, mon;
static struct kn_evq monq;

/*
 * Mutex and semaphore handles map their object: kt_teardown() closes the
 * fds but not the mappings, so the fixture detaches what a test left.
 */
#define NTRACK	8
static struct kipc_mutex *t_mx[NTRACK];
static struct kipc_sem *t_sem[NTRACK];

static int track_mutex(int fd, struct kipc_mutex **m)
{
	for (int i = 0; fd >= 0 && i < NTRACK; i++)
		if (!t_mx[i]) {
			t_mx[i] = *m;
			break;
		}
	return fd;
}

static int attach_sem(int fd, struct kipc_sem **s)
{
	int err = kipc_sem_attach(fd, s);

	for (int i = 0; !err && i < NTRACK; i++)
		if (!t_sem[i]) {
			t_sem[i] = *s;
			break;
		}
	return err;
}

static void detach_sem(struct kipc_sem *s)
{
	for (int i = 0; i < NTRACK; i++)
		if (t_sem[i] == s)
			t_sem[i] = NULL;
	kipc_sem_detach(s);
}

static void detach_mutex(struct kipc_mutex *m)
{
	for (int i = 0; i < NTRACK; i++)
		if (t_mx[i] == m)
			t_mx[i] = NULL;
	kipc_mutex_detach(m);
}

static void detach_all(void)
{
	for (int i = 0; i < NTRACK; i++) {
		kipc_mutex_detach(t_mx[i]);
		kipc_sem_detach(t_sem[i]);
		t_mx[i] = NULL;
		t_sem[i] = NULL;
	}
}

KT_FIXTURE_NAMED(kipc, { kn_close(&kn); kn_close(&mon); detach_all(); })

/* A new mutex with a handle the fixture detaches. */
#define MK_MUTEX(flags, h) track_mutex(mk_mutex(flags, h), h)

#define KN_OPEN() ASSERT_EQ(0, kn_open(&kn))

#define KN_MONITOR() do {						\
	ASSERT_EQ(0, kn_monitor(&mon));					\
	memset(&monq, 0, sizeof(monq));					\
} while (0)

/* The object id behind @fd, or 0. */
static uint64_t obj_id(int fd)
{
	struct kipc_object_info in;

	return kt_obj_info(fd, &in, NULL, 0) ? 0 : in.id;
}

/* OBJ_GET of @fd's object into @o, which the test must then find: ASSERTs. */
#define GET_OBJ(fd, want, r, o)						\
	ASSERT_EQ(0, kn_get_obj(&kn, obj_id(fd), want, &(r), &(o)))	\
		TH_LOG("OBJ_GET: %d %s", (r).err, (r).extack)

/* What the test knows of an object it made. */
struct expect {
	uint64_t id;
	uint32_t type;
	const char *name;	/* NULL: anonymous */
	bool linked;
	uint32_t uid, gid, mode;
	uint32_t files, mappings;
	int64_t t0, t1;		/* CLOCK_REALTIME around its creation */
};

/* The common attributes of @o against @e (created by this process). */
static void check_common(struct __test_metadata *_metadata,
			 const struct kn_obj *o, const struct expect *e)
{
	KN_EXPECT_U64(o->a, KIPC_OBJ_A_ID, e->id);
	KN_EXPECT_U32(o->a, KIPC_OBJ_A_TYPE, e->type);
	if (e->name) {
		KN_EXPECT_STR(o->a, KIPC_OBJ_A_NAME, e->name);
	} else {
		EXPECT_EQ(NULL, o->a[KIPC_OBJ_A_NAME]);
	}
	KN_EXPECT_FLAG(o->a, KIPC_OBJ_A_LINKED, e->linked);
	KN_EXPECT_U32(o->a, KIPC_OBJ_A_UID, e->uid);
	KN_EXPECT_U32(o->a, KIPC_OBJ_A_GID, e->gid);
	KN_EXPECT_U32(o->a, KIPC_OBJ_A_CUID, e->uid);
	KN_EXPECT_U32(o->a, KIPC_OBJ_A_CGID, e->gid);
	KN_EXPECT_U32(o->a, KIPC_OBJ_A_MODE, e->mode);
	KN_EXPECT_U32(o->a, KIPC_OBJ_A_CREATOR_PID, getpid());
	KN_EXPECT_U32(o->a, KIPC_OBJ_A_FILES, e->files);
	KN_EXPECT_U32(o->a, KIPC_OBJ_A_MAPPINGS, e->mappings);
	KN_EXPECT_U32(o->a, KIPC_OBJ_A_NR_WAITERS, 0);
	EXPECT_TRUE(kn_has(o->a[KIPC_OBJ_A_CHARGE], 8));
	EXPECT_NE(NULL, o->a[KIPC_OBJ_A_STATE]);
	/* A region passes nothing through the kernel: it has no counter. */
	if (e->type == KIPC_TYPE_REGION) {
		EXPECT_TRUE(!o->a[KIPC_OBJ_A_COUNTERS] ||
			    !nla_len(o->a[KIPC_OBJ_A_COUNTERS]));
	} else {
		EXPECT_NE(NULL, o->a[KIPC_OBJ_A_COUNTERS]);
	}
	ASSERT_TRUE(kn_has(o->a[KIPC_OBJ_A_CTIME], 8));
	EXPECT_LE(e->t0 - CLOCK_SLACK_NS, (int64_t)kn_u64(o->a[KIPC_OBJ_A_CTIME]));
	EXPECT_GE(e->t1 + CLOCK_SLACK_NS, (int64_t)kn_u64(o->a[KIPC_OBJ_A_CTIME]));
	/* Holders and waiters only when asked for. */
	EXPECT_EQ(NULL, o->a[KIPC_OBJ_A_HOLDERS]);
	EXPECT_EQ(NULL, o->a[KIPC_OBJ_A_WAITERS]);
}

/* An expectation for a new object of this process: fill .id after it. */
static struct expect expect_new(uint32_t type, const char *name,
				uint32_t mode, uint32_t files)
{
	struct expect e = {
		.type = type, .name = name, .linked = name != NULL,
		.uid = getuid(), .gid = getgid(), .mode = mode,
		.files = files, .t0 = kn_realtime_ns(),
	};
	return e;
}

/* ---- the family -------------------------------------------------------- */

TEST_F(kipc, family_registered)
{
	KN_OPEN();
	EXPECT_LT(0, kn.family);
	EXPECT_LT(0, kn.group);
	EXPECT_EQ((uint32_t)KIPC_GENL_VERSION, kn.version);
}

/* ---- OBJ_GET doit, type by type ----------------------------------------- */

TEST_F(kipc, get_event)
{
	const char *name = kt_name("ev");
	struct expect e = expect_new(KIPC_TYPE_EVENT, name, 0640, 2);
	struct kn_reply r;
	struct kn_obj o;
	struct kipc_event_attr ea = {
		.flags = KIPC_EVENT_MANUAL_RESET | KIPC_EVENT_SET, .value = 7,
	};
	int fd, fd2;

	KN_OPEN();
	fd = kipc_create(KIPC_TYPE_EVENT, name, 0640, &ea, sizeof(ea), 0);
	ASSERT_LE(0, fd);
	e.t1 = kn_realtime_ns();
	e.id = obj_id(fd);
	fd2 = kipc_event_open(name, 0);
	ASSERT_LE(0, fd2);
	GET_OBJ(fd, 0, r, o);
	check_common(_metadata, &o, &e);
	KN_EXPECT_U8(o.st, KIPC_EVENT_A_SET, 1);
	KN_EXPECT_U8(o.st, KIPC_EVENT_A_MANUAL_RESET, 1);
	KN_EXPECT_U64(o.st, KIPC_EVENT_A_VALUE, 7);
	kn_reply_free(&r);

	/* Reset, a timed-out wait, a signal; one fd closed, unlinked. */
	ASSERT_EQ(0, kipc_event_reset(fd));
	EXPECT_EQ(-ETIMEDOUT, kipc_event_wait(fd, 10 * MS, NULL));
	ASSERT_EQ(0, kipc_event_signal(fd, 9));
	ASSERT_EQ(0, kipc_event_reset(fd));
	ASSERT_EQ(0, close(fd2));
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, name));
	GET_OBJ(fd, 0, r, o);
	e.files = 1;
	e.linked = false;
	check_common(_metadata, &o, &e);
	KN_EXPECT_U8(o.st, KIPC_EVENT_A_SET, 0);
	/* The pending signal's value: none once reset. */
	KN_EXPECT_U64(o.st, KIPC_EVENT_A_VALUE, 0);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_WAITS, 1);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_TIMEOUTS, 1);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_MSGS_IN, 1);
	kn_reply_free(&r);
}

TEST_F(kipc, get_queue)
{
	const char *name = kt_name("q");
	struct expect e = expect_new(KIPC_TYPE_QUEUE, name, 0600, 1);
	struct kn_reply r;
	struct kn_obj o;
	char buf[64];
	int fd;

	KN_OPEN();
	fd = kipc_queue_create(name, 0600, 5, 64, 0);
	ASSERT_LE(0, fd);
	e.t1 = kn_realtime_ns();
	e.id = obj_id(fd);
	GET_OBJ(fd, 0, r, o);
	check_common(_metadata, &o, &e);
	KN_EXPECT_U32(o.st, KIPC_QUEUE_A_MSGS, 0);
	KN_EXPECT_U32(o.st, KIPC_QUEUE_A_MAX_MSGS, 5);
	KN_EXPECT_U64(o.st, KIPC_QUEUE_A_BYTES, 0);
	KN_EXPECT_U32(o.st, KIPC_QUEUE_A_MAX_MSG_SIZE, 64);
	KN_EXPECT_U32(o.st, KIPC_QUEUE_A_NOTIFY_PID, 0);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_MSGS_IN, 0);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_PEAK_DEPTH, 0);
	kn_reply_free(&r);

	ASSERT_EQ(0, kipc_queue_send(fd, "0123456789", 10, 2, 0));
	ASSERT_EQ(0, kipc_queue_send(fd, "01234567890123456789", 20, 1, 0));
	ASSERT_EQ(0, kipc_queue_send(fd, NULL, 0, 0, 0));
	GET_OBJ(fd, 0, r, o);
	KN_EXPECT_U32(o.st, KIPC_QUEUE_A_MSGS, 3);
	KN_EXPECT_U64(o.st, KIPC_QUEUE_A_BYTES, 30);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_MSGS_IN, 3);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_BYTES_IN, 30);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_MSGS_OUT, 0);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_BYTES_OUT, 0);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_PEAK_DEPTH, 3);
	kn_reply_free(&r);

	EXPECT_EQ(10, kipc_queue_recv(fd, buf, sizeof(buf), NULL, 0));
	/* Failed calls count nothing. */
	EXPECT_EQ(-EMSGSIZE, kipc_queue_send(fd, buf, 65, 0, 0));
	ASSERT_EQ(0, kipc_queue_notify(fd, SIGUSR1, 0));
	GET_OBJ(fd, 0, r, o);
	KN_EXPECT_U32(o.st, KIPC_QUEUE_A_MSGS, 2);
	KN_EXPECT_U64(o.st, KIPC_QUEUE_A_BYTES, 20);
	KN_EXPECT_U32(o.st, KIPC_QUEUE_A_NOTIFY_PID, getpid());
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_MSGS_IN, 3);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_BYTES_IN, 30);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_MSGS_OUT, 1);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_BYTES_OUT, 10);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_PEAK_DEPTH, 3);
	kn_reply_free(&r);

	/* Emptied, then a receive that times out. */
	ASSERT_EQ(0, kipc_queue_notify(fd, 0, 0));
	EXPECT_EQ(20, kipc_queue_recv(fd, buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(0, kipc_queue_recv(fd, buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(-ETIMEDOUT, kipc_queue_recv(fd, buf, sizeof(buf), NULL,
					      10 * MS));
	GET_OBJ(fd, 0, r, o);
	KN_EXPECT_U32(o.st, KIPC_QUEUE_A_MSGS, 0);
	KN_EXPECT_U64(o.st, KIPC_QUEUE_A_BYTES, 0);
	KN_EXPECT_U32(o.st, KIPC_QUEUE_A_NOTIFY_PID, 0);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_MSGS_OUT, 3);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_BYTES_OUT, 30);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_WAITS, 1);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_TIMEOUTS, 1);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_PEAK_DEPTH, 3);
	kn_reply_free(&r);
}

/* The KIPC_CHANNEL_A_DIR nests of @o, in order, into @d[2][...]. */
static int channel_dirs(const struct kn_obj *o,
			struct nlattr *d[2][KIPC_CHANNEL_DIR_A_MAX + 1])
{
	struct nlattr *a;
	int rem, n = 0;

	if (!o->a[KIPC_OBJ_A_STATE])
		return -EBADMSG;
	nla_for_each_nested(a, o->a[KIPC_OBJ_A_STATE], rem) {
		if (nla_type(a) != KIPC_CHANNEL_A_DIR || n >= 2 ||
		    nla_parse_nested(d[n], KIPC_CHANNEL_DIR_A_MAX, a, NULL))
			return -EBADMSG;
		n++;
	}
	return n;
}

TEST_F(kipc, get_channel)
{
	struct expect e = expect_new(KIPC_TYPE_CHANNEL, NULL, 0600, 2);
	struct nlattr *d[2][KIPC_CHANNEL_DIR_A_MAX + 1];
	struct kipc_channel_attr attr = {
		.capacity = { 8192, 16384 }, .max_msg = { 1024, 2048 },
	};
	struct kipc_channel_info ci;
	struct kn_reply r;
	struct kn_obj o;
	int fds[2], i;

	KN_OPEN();
	ASSERT_EQ(0, kipc_channel_pair(fds, &attr, 0));
	e.t1 = kn_realtime_ns();
	e.id = obj_id(fds[0]);
	EXPECT_EQ(e.id, obj_id(fds[1]));
	ASSERT_EQ(0, kipc_channel_send(fds[0], "hello", 5, 0));
	ASSERT_EQ(0, kipc_channel_info(fds[0], &ci));
	ASSERT_LT(0U, ci.used[0]);

	GET_OBJ(fds[0], 0, r, o);
	check_common(_metadata, &o, &e);
	ASSERT_EQ(2, channel_dirs(&o, d));
	for (i = 0; i < 2; i++) {
		KN_EXPECT_U32(d[i], KIPC_CHANNEL_DIR_A_INDEX, i);
		KN_EXPECT_U32(d[i], KIPC_CHANNEL_DIR_A_CAPACITY, attr.capacity[i]);
		KN_EXPECT_U32(d[i], KIPC_CHANNEL_DIR_A_MAX_MSG, attr.max_msg[i]);
		KN_EXPECT_U32(d[i], KIPC_CHANNEL_DIR_A_USED, ci.used[i]);
		KN_EXPECT_U8(d[i], KIPC_CHANNEL_DIR_A_END_OPEN, 1);
	}
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_MSGS_IN, 1);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_BYTES_IN, 5);
	kn_reply_free(&r);

	/* End 1 closed: ring 1 has no writer. */
	ASSERT_EQ(0, close(fds[1]));
	GET_OBJ(fds[0], 0, r, o);
	KN_EXPECT_U32(o.a, KIPC_OBJ_A_FILES, 1);
	ASSERT_EQ(2, channel_dirs(&o, d));
	KN_EXPECT_U8(d[0], KIPC_CHANNEL_DIR_A_END_OPEN, 1);
	KN_EXPECT_U8(d[1], KIPC_CHANNEL_DIR_A_END_OPEN, 0);
	KN_EXPECT_U32(d[0], KIPC_CHANNEL_DIR_A_USED, ci.used[0]);
	kn_reply_free(&r);
}

TEST_F(kipc, get_pipe)
{
	struct expect e = expect_new(KIPC_TYPE_PIPE, NULL, 0600, 2);
	struct kn_reply r;
	struct kn_obj o;
	char buf[100];
	int fds[2];

	KN_OPEN();
	ASSERT_EQ(0, kipc_pipe(fds, 8192, 0));
	e.t1 = kn_realtime_ns();
	e.id = obj_id(fds[0]);
	memset(buf, 'p', sizeof(buf));
	ASSERT_EQ(100, write(fds[1], buf, 100));
	GET_OBJ(fds[0], 0, r, o);
	check_common(_metadata, &o, &e);
	KN_EXPECT_U32(o.st, KIPC_PIPE_A_CAPACITY, 8192);
	KN_EXPECT_U32(o.st, KIPC_PIPE_A_USED, 100);
	KN_EXPECT_U32(o.st, KIPC_PIPE_A_READERS, 1);
	KN_EXPECT_U32(o.st, KIPC_PIPE_A_WRITERS, 1);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_BYTES_IN, 100);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_BYTES_OUT, 0);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_PEAK_DEPTH, 100);
	kn_reply_free(&r);

	ASSERT_EQ(40, read(fds[0], buf, 40));
	ASSERT_EQ(0, close(fds[1]));
	GET_OBJ(fds[0], 0, r, o);
	KN_EXPECT_U32(o.st, KIPC_PIPE_A_USED, 60);
	KN_EXPECT_U32(o.st, KIPC_PIPE_A_READERS, 1);
	KN_EXPECT_U32(o.st, KIPC_PIPE_A_WRITERS, 0);
	KN_EXPECT_U32(o.a, KIPC_OBJ_A_FILES, 1);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_BYTES_IN, 100);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_BYTES_OUT, 40);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_PEAK_DEPTH, 100);
	kn_reply_free(&r);
}

TEST_F(kipc, get_region)
{
	const char *name = kt_name("rg");
	struct expect e = expect_new(KIPC_TYPE_REGION, name, 0660, 1);
	size_t pg = kt_page_size();
	struct kn_reply r;
	struct kn_obj o;
	char *p;
	int fd;

	KN_OPEN();
	fd = kipc_region_create(name, 0660, 3 * pg, 0);
	ASSERT_LE(0, fd);
	e.t1 = kn_realtime_ns();
	e.id = obj_id(fd);
	GET_OBJ(fd, 0, r, o);
	check_common(_metadata, &o, &e);
	KN_EXPECT_U64(o.st, KIPC_REGION_A_SIZE, 3 * pg);
	KN_EXPECT_U64(o.st, KIPC_REGION_A_RESIDENT, 0);
	kn_reply_free(&r);

	p = kipc_region_map(fd, PROT_READ | PROT_WRITE, NULL, NULL);
	ASSERT_NE(NULL, p);
	p[pg] = 1;
	GET_OBJ(fd, 0, r, o);
	KN_EXPECT_U32(o.a, KIPC_OBJ_A_MAPPINGS, 1);
	KN_EXPECT_U64(o.st, KIPC_REGION_A_RESIDENT, pg);
	kn_reply_free(&r);

	ASSERT_EQ(0, munmap(p, 3 * pg));
	GET_OBJ(fd, 0, r, o);
	KN_EXPECT_U32(o.a, KIPC_OBJ_A_MAPPINGS, 0);
	KN_EXPECT_U64(o.st, KIPC_REGION_A_SIZE, 3 * pg);
	kn_reply_free(&r);
}

TEST_F(kipc, get_semaphore)
{
	const char *name = kt_name("sem");
	struct expect e = expect_new(KIPC_TYPE_SEMAPHORE, name, 0600, 1);
	struct kipc_sem *h;
	struct kn_reply r;
	struct kn_obj o;
	int fd;

	KN_OPEN();
	fd = kipc_sem_create(name, 0600, 3, 10, 0);
	ASSERT_LE(0, fd);
	e.t1 = kn_realtime_ns();
	e.id = obj_id(fd);
	GET_OBJ(fd, 0, r, o);
	check_common(_metadata, &o, &e);
	KN_EXPECT_U32(o.st, KIPC_SEM_A_VALUE, 3);
	KN_EXPECT_U32(o.st, KIPC_SEM_A_VALUE_MAX, 10);
	KN_EXPECT_U32(o.st, KIPC_SEM_A_UNDO_PROCS, 0);
	kn_reply_free(&r);

	/* Units taken on the fast path show in the value read from the word. */
	ASSERT_EQ(0, attach_sem(fd, &h));
	ASSERT_EQ(0, kipc_sem_wait(h, 0, 0));
	ASSERT_EQ(0, kipc_sem_wait(h, 0, 0));
	GET_OBJ(fd, 0, r, o);
	KN_EXPECT_U32(o.st, KIPC_SEM_A_VALUE, 1);
	KN_EXPECT_U32(o.a, KIPC_OBJ_A_MAPPINGS, 1);
	kn_reply_free(&r);

	/* A kernel wait that times out is counted. */
	ASSERT_EQ(0, kipc_sem_wait(h, 0, 0));
	EXPECT_EQ(-ETIMEDOUT, kipc_sem_wait(h, 10 * MS, 0));
	GET_OBJ(fd, 0, r, o);
	KN_EXPECT_U32(o.st, KIPC_SEM_A_VALUE, 0);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_WAITS, 1);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_TIMEOUTS, 1);
	kn_reply_free(&r);
	detach_sem(h);
	GET_OBJ(fd, 0, r, o);
	KN_EXPECT_U32(o.a, KIPC_OBJ_A_MAPPINGS, 0);
	kn_reply_free(&r);
}

TEST_F(kipc, get_mutex)
{
	const char *name = kt_name("mx");
	struct expect e = expect_new(KIPC_TYPE_MUTEX, name, 0600, 1);
	struct kn_reply r;
	struct kn_obj o;
	int fd;

	KN_OPEN();
	fd = kipc_mutex_create(name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	e.t1 = kn_realtime_ns();
	e.id = obj_id(fd);
	GET_OBJ(fd, 0, r, o);
	check_common(_metadata, &o, &e);
	KN_EXPECT_U8(o.st, KIPC_MUTEX_A_LOCKED, 0);
	KN_EXPECT_U32(o.st, KIPC_MUTEX_A_STATE, KIPC_MUTEX_STATE_OK);
	KN_EXPECT_U32(o.st, KIPC_MUTEX_A_OWNER_TID, 0);
	KN_EXPECT_U32(o.st, KIPC_MUTEX_A_OWNER_PID, 0);
	KN_EXPECT_U32(o.st, KIPC_MUTEX_A_DEPTH, 0);
	KN_EXPECT_U8(o.st, KIPC_MUTEX_A_RECURSIVE, 0);
	kn_reply_free(&r);

	/* Locked through the kernel (libkipc's slow path). */
	ASSERT_EQ(0, raw_lock(fd, 0, 0));
	GET_OBJ(fd, 0, r, o);
	KN_EXPECT_U8(o.st, KIPC_MUTEX_A_LOCKED, 1);
	KN_EXPECT_U32(o.st, KIPC_MUTEX_A_STATE, KIPC_MUTEX_STATE_OK);
	KN_EXPECT_U32(o.st, KIPC_MUTEX_A_OWNER_TID, kt_gettid());
	KN_EXPECT_U32(o.st, KIPC_MUTEX_A_OWNER_PID, getpid());
	KN_EXPECT_U32(o.st, KIPC_MUTEX_A_DEPTH, 1);
	kn_reply_free(&r);

	ASSERT_EQ(0, raw_unlock(fd));
	GET_OBJ(fd, 0, r, o);
	KN_EXPECT_U8(o.st, KIPC_MUTEX_A_LOCKED, 0);
	KN_EXPECT_U32(o.st, KIPC_MUTEX_A_OWNER_TID, 0);
	KN_EXPECT_U32(o.st, KIPC_MUTEX_A_OWNER_PID, 0);
	kn_reply_free(&r);
}

/* The owner is a thread of this process, not its main thread. */
TEST_F(kipc, get_mutex_recursive_owned_by_thread)
{
	struct kipc_mutex *h;
	struct holder t;
	struct kn_reply r;
	struct kn_obj o;
	int fd;

	KN_OPEN();
	fd = MK_MUTEX(KIPC_MUTEX_RECURSIVE, &h);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, holder_start(&t, h, 0));
	GET_OBJ(fd, 0, r, o);
	KN_EXPECT_U8(o.st, KIPC_MUTEX_A_RECURSIVE, 1);
	KN_EXPECT_U8(o.st, KIPC_MUTEX_A_LOCKED, 1);
	KN_EXPECT_U32(o.st, KIPC_MUTEX_A_OWNER_TID, t.tid);
	KN_EXPECT_U32(o.st, KIPC_MUTEX_A_OWNER_PID, getpid());
	EXPECT_NE((uint32_t)getpid(), t.tid);
	kn_reply_free(&r);
	EXPECT_EQ(0, holder_stop(&t));

	/* Twice through the kernel: depth 2. */
	ASSERT_EQ(0, raw_lock(fd, 0, 0));
	ASSERT_EQ(0, raw_lock(fd, 0, 0));
	GET_OBJ(fd, 0, r, o);
	KN_EXPECT_U32(o.st, KIPC_MUTEX_A_DEPTH, 2);
	KN_EXPECT_U32(o.st, KIPC_MUTEX_A_OWNER_TID, kt_gettid());
	kn_reply_free(&r);
	ASSERT_EQ(0, raw_unlock(fd));
	ASSERT_EQ(0, raw_unlock(fd));
	detach_mutex(h);
}

TEST_F(kipc, get_cond)
{
	const char *name = kt_name("cv");
	struct expect e = expect_new(KIPC_TYPE_COND, name, 0606, 1);
	struct kn_reply r;
	struct kn_obj o;
	int fd;

	KN_OPEN();
	fd = kipc_cond_create(name, 0606, 0);
	ASSERT_LE(0, fd);
	e.t1 = kn_realtime_ns();
	e.id = obj_id(fd);
	GET_OBJ(fd, 0, r, o);
	check_common(_metadata, &o, &e);
	ASSERT_NE(NULL, o.a[KIPC_OBJ_A_STATE]);
	EXPECT_EQ(0, nla_len(o.a[KIPC_OBJ_A_STATE]));
	kn_reply_free(&r);
}

/* Owner, creator and mode of an object a child made as another uid. */
TEST_F(kipc, get_other_uid)
{
	const char *name = kt_name("uid");
	uint32_t uid = OTHER_UID;
	struct kn_reply r;
	struct kn_obj o;
	struct nlattr *tb[KIPC_LIMIT_A_MAX + 1], *u[KIPC_USER_A_MAX + 1];
	struct kt_report rep;
	int p[2];
	pid_t pid;

	KN_OPEN();
	ASSERT_EQ(0, pipe(p));
	pid = kt_fork();
	if (pid == 0) {
		int fd = -1;

		if (!kt_become(uid, uid + 1))
			fd = kipc_event_create(name, 0644, 0, 0);
		kt_report(p[1], 0, fd < 0 ? fd : 0, fd < 0 ? 0 : obj_id(fd));
		_exit(0);
	}
	ASSERT_EQ(1, kt_read_report(p[0], &rep, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, rep.ret);
	ASSERT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));

	/* The name keeps it alive with no file. */
	ASSERT_EQ(0, kn_get_obj(&kn, rep.value, 0, &r, &o));
	KN_EXPECT_U64(o.a, KIPC_OBJ_A_ID, rep.value);
	KN_EXPECT_STR(o.a, KIPC_OBJ_A_NAME, name);
	KN_EXPECT_FLAG(o.a, KIPC_OBJ_A_LINKED, true);
	KN_EXPECT_U32(o.a, KIPC_OBJ_A_UID, uid);
	KN_EXPECT_U32(o.a, KIPC_OBJ_A_GID, uid + 1);
	KN_EXPECT_U32(o.a, KIPC_OBJ_A_CUID, uid);
	KN_EXPECT_U32(o.a, KIPC_OBJ_A_CGID, uid + 1);
	KN_EXPECT_U32(o.a, KIPC_OBJ_A_MODE, 0644);
	KN_EXPECT_U32(o.a, KIPC_OBJ_A_FILES, 0);
	kn_reply_free(&r);

	/* Its owner's usage and limits. */
	ASSERT_EQ(0, kn_simple(&kn, KIPC_CMD_USER_GET, uid, 0, &r));
	ASSERT_EQ(0, r.err) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, kn_single_nest(&r, KIPC_A_USER, u, KIPC_USER_A_MAX));
	KN_EXPECT_U32(u, KIPC_USER_A_UID, uid);
	KN_EXPECT_U32(u, KIPC_USER_A_OBJECTS, 1);
	KN_EXPECT_U32(u, KIPC_USER_A_MAX_OBJECTS,
		      kt_param_get("max_objects_per_uid"));
	KN_EXPECT_U64(u, KIPC_USER_A_MAX_BYTES,
		      kt_param_get("max_bytes_per_uid"));
	EXPECT_TRUE(kn_has(u[KIPC_USER_A_BYTES], 8));
	kn_reply_free(&r);

	ASSERT_EQ(0, kn_simple(&kn, KIPC_CMD_LIMITS_GET, uid, 0, &r));
	ASSERT_EQ(0, r.err) TH_LOG("%s", r.extack);
	ASSERT_EQ(1, r.n);
	KN_EXPECT_U32(r.msgs[0].tb, KIPC_A_UID, uid);
	ASSERT_EQ(0, kn_limit(&r, "max_objects_per_uid", tb));
	KN_EXPECT_U64(tb, KIPC_LIMIT_A_UID_USED, 1);
	kn_reply_free(&r);

	/* The dump by owner finds exactly it. */
	ASSERT_EQ(0, kn_call(&kn, kn_dump_req(&kn, 0, NULL, uid), &r));
	ASSERT_EQ(0, r.err) TH_LOG("%s", r.extack);
	ASSERT_EQ(1, r.n);
	ASSERT_EQ(0, kn_obj_parse(r.msgs[0].tb[KIPC_A_OBJ], &o));
	KN_EXPECT_U64(o.a, KIPC_OBJ_A_ID, rep.value);
	kn_reply_free(&r);
}

/* ---- OBJ_GET dump ---------------------------------------------------------- */

/* One object of each type: fds[type] (a channel's and pipe's first end). */
static int make_each_type(int fds[KIPC_TYPE_MAX + 1], int extra[2])
{
	int pair[2];

	fds[KIPC_TYPE_EVENT] = kipc_event_create(NULL, 0600, 0, 0);
	fds[KIPC_TYPE_QUEUE] = kipc_queue_create(NULL, 0600, 2, 16, 0);
	if (kipc_channel_pair(pair, NULL, 0))
		return -1;
	fds[KIPC_TYPE_CHANNEL] = pair[0];
	extra[0] = pair[1];
	if (kipc_pipe(pair, 0, 0))
		return -1;
	fds[KIPC_TYPE_PIPE] = pair[0];
	extra[1] = pair[1];
	fds[KIPC_TYPE_REGION] = kipc_region_create(NULL, 0600, 4096, 0);
	fds[KIPC_TYPE_SEMAPHORE] = kipc_sem_create(NULL, 0600, 0, 0, 0);
	fds[KIPC_TYPE_MUTEX] = kipc_mutex_create(NULL, 0600, 0, 0);
	fds[KIPC_TYPE_COND] = kipc_cond_create(NULL, 0600, 0);
	for (int t = 1; t <= KIPC_TYPE_MAX; t++)
		if (fds[t] < 0)
			return -1;
	return 0;
}

TEST_F(kipc, dump_all_increasing_once_each)
{
	int fds[KIPC_TYPE_MAX + 1], extra[2], t, i, n, count;
	struct kn_reply r;
	uint64_t *ids;

	KN_OPEN();
	ASSERT_EQ(0, make_each_type(fds, extra));
	ASSERT_EQ(0, kn_call(&kn, kn_dump_req(&kn, 0, NULL, -1), &r));
	ASSERT_EQ(0, r.err) TH_LOG("%s", r.extack);
	EXPECT_FALSE(r.intr);
	for (t = 1; t <= KIPC_TYPE_MAX; t++) {
		kn_dump_find(&r, obj_id(fds[t]), &count);
		EXPECT_EQ(1, count) TH_LOG("type %d", t);
	}
	n = kn_dump_ids(&r, &ids);
	ASSERT_LE(KIPC_TYPE_MAX, n);
	for (i = 1; i < n; i++)
		EXPECT_LT(ids[i - 1], ids[i]);
	for (i = 0; i < r.n; i++)
		EXPECT_EQ(KIPC_CMD_OBJ_GET, r.msgs[i].cmd);
	free(ids);
	kn_reply_free(&r);
}

TEST_F(kipc, dump_filter_type)
{
	int fds[KIPC_TYPE_MAX + 1], extra[2], t, i, count;
	struct kn_reply r;
	struct kn_obj o;

	KN_OPEN();
	ASSERT_EQ(0, make_each_type(fds, extra));
	for (t = 1; t <= KIPC_TYPE_MAX; t++) {
		ASSERT_EQ(0, kn_call(&kn, kn_dump_req(&kn, t, NULL, -1), &r));
		ASSERT_EQ(0, r.err) TH_LOG("%s", r.extack);
		for (i = 0; i < r.n; i++) {
			ASSERT_EQ(0, kn_obj_parse(r.msgs[i].tb[KIPC_A_OBJ], &o));
			KN_EXPECT_U32(o.a, KIPC_OBJ_A_TYPE, t);
		}
		for (i = 1; i <= KIPC_TYPE_MAX; i++) {
			kn_dump_find(&r, obj_id(fds[i]), &count);
			EXPECT_EQ(i == t, count) TH_LOG("type %d in dump of %d", i, t);
		}
		kn_reply_free(&r);
	}
}

TEST_F(kipc, dump_filter_name_prefix)
{
	const char *a = kt_name("pfx.a"), *b = kt_name("pfx.b");
	const char *other = kt_name("other");
	char prefix[64];
	int fa, fb, fo, fanon, count;
	struct kn_reply r;

	KN_OPEN();
	fa = kipc_event_create(a, 0600, 0, 0);
	fb = kipc_queue_create(b, 0600, 0, 0, 0);
	fo = kipc_event_create(other, 0600, 0, 0);
	fanon = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fa);
	ASSERT_LE(0, fb);
	ASSERT_LE(0, fo);
	ASSERT_LE(0, fanon);

	snprintf(prefix, sizeof(prefix), "kst.%d.pfx.", getpid());
	ASSERT_EQ(0, kn_call(&kn, kn_dump_req(&kn, 0, prefix, -1), &r));
	ASSERT_EQ(0, r.err) TH_LOG("%s", r.extack);
	EXPECT_EQ(2, r.n);
	kn_dump_find(&r, obj_id(fa), &count);
	EXPECT_EQ(1, count);
	kn_dump_find(&r, obj_id(fb), &count);
	EXPECT_EQ(1, count);
	kn_reply_free(&r);

	/* All three names of the test; never the anonymous one. */
	snprintf(prefix, sizeof(prefix), "kst.%d.", getpid());
	ASSERT_EQ(0, kn_call(&kn, kn_dump_req(&kn, 0, prefix, -1), &r));
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(3, r.n);
	kn_dump_find(&r, obj_id(fanon), &count);
	EXPECT_EQ(0, count);
	kn_reply_free(&r);

	/* With a type too: both filters must match. */
	ASSERT_EQ(0, kn_call(&kn, kn_dump_req(&kn, KIPC_TYPE_EVENT, prefix, -1),
			     &r));
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(2, r.n);
	kn_dump_find(&r, obj_id(fb), &count);
	EXPECT_EQ(0, count);
	kn_reply_free(&r);

	/* A whole name is its own prefix; a prefix matching nothing is empty. */
	ASSERT_EQ(0, kn_call(&kn, kn_dump_req(&kn, 0, a, -1), &r));
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(1, r.n);
	kn_reply_free(&r);
	snprintf(prefix, sizeof(prefix), "kst.%d.none", getpid());
	ASSERT_EQ(0, kn_call(&kn, kn_dump_req(&kn, 0, prefix, -1), &r));
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(0, r.n);
	kn_reply_free(&r);

	/* Unlinked: no name registered, so no longer matched. */
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, a));
	snprintf(prefix, sizeof(prefix), "kst.%d.pfx.", getpid());
	ASSERT_EQ(0, kn_call(&kn, kn_dump_req(&kn, 0, prefix, -1), &r));
	ASSERT_EQ(0, r.err);
	kn_dump_find(&r, obj_id(fb), &count);
	EXPECT_EQ(1, count);
	kn_reply_free(&r);
}

TEST_F(kipc, dump_filter_uid)
{
	int fd, count;
	struct kn_reply r;
	struct kn_obj o;
	int i;

	KN_OPEN();
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kn_call(&kn, kn_dump_req(&kn, 0, NULL, getuid()), &r));
	ASSERT_EQ(0, r.err) TH_LOG("%s", r.extack);
	kn_dump_find(&r, obj_id(fd), &count);
	EXPECT_EQ(1, count);
	for (i = 0; i < r.n; i++) {
		ASSERT_EQ(0, kn_obj_parse(r.msgs[i].tb[KIPC_A_OBJ], &o));
		KN_EXPECT_U32(o.a, KIPC_OBJ_A_UID, getuid());
	}
	kn_reply_free(&r);
	/* A uid with no object: an empty dump. */
	ASSERT_EQ(0, kn_call(&kn, kn_dump_req(&kn, 0, NULL, OTHER_UID), &r));
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(0, r.n);
	kn_reply_free(&r);
}

/* A dump holds no object: it sees every one alive at its start. */
TEST_F(kipc, dump_objects_match_stats)
{
	struct kipc_stats s;
	struct kn_reply r;

	KN_OPEN();
	ASSERT_LE(0, kipc_event_create(NULL, 0600, 0, 0));
	ASSERT_EQ(0, kt_stats(&s));
	ASSERT_EQ(0, kn_call(&kn, kn_dump_req(&kn, 0, NULL, -1), &r));
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(s.objects, (uint64_t)r.n);
	kn_reply_free(&r);
}

/* ---- STATS, LIMITS, USER --------------------------------------------------- */

TEST_F(kipc, stats_move)
{
	struct nlattr *b[KIPC_STATS_A_MAX + 1], *a[KIPC_STATS_A_MAX + 1];
	struct kn_reply rb, ra;
	struct kipc_stats s;
	int f1, f2, f3;

	KN_OPEN();
	ASSERT_EQ(0, kn_stats(&kn, b, &rb));
	ASSERT_EQ(0, kt_stats(&s));
	KN_EXPECT_U64(b, KIPC_STATS_A_OBJECTS, s.objects);
	KN_EXPECT_U64(b, KIPC_STATS_A_NAMED, s.named);
	KN_EXPECT_U64(b, KIPC_STATS_A_CREATED, s.created);
	KN_EXPECT_U64(b, KIPC_STATS_A_DESTROYED, s.destroyed);
	EXPECT_TRUE(kn_has(b[KIPC_STATS_A_REFUSED_ENOSPC], 8));
	EXPECT_TRUE(kn_has(b[KIPC_STATS_A_REFUSED_EDQUOT], 8));
	EXPECT_TRUE(kn_has(b[KIPC_STATS_A_USERS], 8));

	f1 = kipc_event_create(kt_name("s1"), 0600, 0, 0);
	f2 = kipc_queue_create(kt_name("s2"), 0600, 0, 0, 0);
	f3 = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, f1);
	ASSERT_LE(0, f2);
	ASSERT_LE(0, f3);
	ASSERT_EQ(0, kn_stats(&kn, a, &ra));
	KN_EXPECT_U64(a, KIPC_STATS_A_OBJECTS, kn_u64(b[KIPC_STATS_A_OBJECTS]) + 3);
	KN_EXPECT_U64(a, KIPC_STATS_A_NAMED, kn_u64(b[KIPC_STATS_A_NAMED]) + 2);
	KN_EXPECT_U64(a, KIPC_STATS_A_CREATED, kn_u64(b[KIPC_STATS_A_CREATED]) + 3);
	KN_EXPECT_U64(a, KIPC_STATS_A_DESTROYED, kn_u64(b[KIPC_STATS_A_DESTROYED]));
	/* This uid holds objects now. */
	EXPECT_LE(1ULL, kn_u64(a[KIPC_STATS_A_USERS]));
	kn_reply_free(&ra);

	/* Unlinked: one name less; closed: destroyed. */
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_EVENT, kt.names[0]));
	ASSERT_EQ(0, close(f3));
	ASSERT_EQ(0, kn_stats(&kn, a, &ra));
	KN_EXPECT_U64(a, KIPC_STATS_A_OBJECTS, kn_u64(b[KIPC_STATS_A_OBJECTS]) + 2);
	KN_EXPECT_U64(a, KIPC_STATS_A_NAMED, kn_u64(b[KIPC_STATS_A_NAMED]) + 1);
	KN_EXPECT_U64(a, KIPC_STATS_A_DESTROYED, kn_u64(b[KIPC_STATS_A_DESTROYED]) + 1);
	kn_reply_free(&ra);
	ASSERT_EQ(0, close(f1));
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_QUEUE, kt.names[1]));
	ASSERT_EQ(0, close(f2));
	ASSERT_EQ(0, kn_stats(&kn, a, &ra));
	KN_EXPECT_U64(a, KIPC_STATS_A_OBJECTS, kn_u64(b[KIPC_STATS_A_OBJECTS]));
	KN_EXPECT_U64(a, KIPC_STATS_A_NAMED, kn_u64(b[KIPC_STATS_A_NAMED]));
	KN_EXPECT_U64(a, KIPC_STATS_A_CREATED, kn_u64(b[KIPC_STATS_A_CREATED]) + 3);
	KN_EXPECT_U64(a, KIPC_STATS_A_DESTROYED, kn_u64(b[KIPC_STATS_A_DESTROYED]) + 3);
	kn_reply_free(&ra);
	kn_reply_free(&rb);
}

/* Every module parameter is a limit, with its value as sysfs shows it. */
TEST_F(kipc, limits_every_parameter)
{
	struct nlattr *tb[KIPC_LIMIT_A_MAX + 1];
	char params[KN_MAX_PARAMS][32];
	struct kipc_stats s;
	struct kn_reply r;
	struct nlattr *a;
	int rem, i, nparams, nlimits = 0;

	KN_OPEN();
	ASSERT_LE(0, kipc_event_create(NULL, 0600, 0, 0));
	ASSERT_EQ(0, kt_stats(&s));
	ASSERT_EQ(0, kn_simple(&kn, KIPC_CMD_LIMITS_GET, -1, 0, &r));
	ASSERT_EQ(0, r.err) TH_LOG("%s", r.extack);
	ASSERT_EQ(1, r.n);
	KN_EXPECT_U32(r.msgs[0].tb, KIPC_A_UID, geteuid());

	nparams = kn_param_names(params);
	for (i = 0; i < nparams; i++) {
		char param[32];

		/* (a copy the compiler knows the size of) */
		snprintf(param, sizeof(param), "%.31s", params[i]);
		EXPECT_EQ(0, kn_limit(&r, param, tb))
			TH_LOG("no limit %s", param);
		if (kn_limit(&r, param, tb))
			continue;
		KN_EXPECT_U64(tb, KIPC_LIMIT_A_VALUE, kt_param_get(param));
		EXPECT_TRUE(kn_has(tb[KIPC_LIMIT_A_ERRNO], 4));
	}
	nlmsg_for_each_attr(a, r.msgs[0].nlh, GENL_HDRLEN, rem)
		nlimits += nla_type(a) == KIPC_A_LIMIT;
	EXPECT_EQ(nparams, nlimits);
	EXPECT_LE(10, nparams);

	ASSERT_EQ(0, kn_limit(&r, "max_objects", tb));
	KN_EXPECT_U64(tb, KIPC_LIMIT_A_VALUE, kt_read_number(KT_PARAM_DIR "max_objects"));
	KN_EXPECT_U64(tb, KIPC_LIMIT_A_USED, s.objects);
	KN_EXPECT_U32(tb, KIPC_LIMIT_A_ERRNO, ENOSPC);
	ASSERT_EQ(0, kn_limit(&r, "max_objects_per_uid", tb));
	KN_EXPECT_U64(tb, KIPC_LIMIT_A_UID_USED, s.uid_objects);
	KN_EXPECT_U32(tb, KIPC_LIMIT_A_ERRNO, EDQUOT);
	ASSERT_EQ(0, kn_limit(&r, "max_bytes_per_uid", tb));
	KN_EXPECT_U64(tb, KIPC_LIMIT_A_UID_USED, s.uid_bytes);
	KN_EXPECT_U32(tb, KIPC_LIMIT_A_ERRNO, EDQUOT);
	kn_reply_free(&r);

	/* A changed parameter shows at once. */
	ASSERT_EQ(0, kt_param_set("max_objects", s.objects + 1000));
	ASSERT_EQ(0, kn_simple(&kn, KIPC_CMD_LIMITS_GET, -1, 0, &r));
	ASSERT_EQ(0, kn_limit(&r, "max_objects", tb));
	KN_EXPECT_U64(tb, KIPC_LIMIT_A_VALUE, s.objects + 1000);
	kn_reply_free(&r);
}

TEST_F(kipc, user_doit_and_dump)
{
	struct nlattr *u[KIPC_USER_A_MAX + 1];
	struct kipc_stats s;
	struct kn_reply r;
	bool seen = false;
	int i, q;

	KN_OPEN();
	q = kipc_queue_create(NULL, 0600, 4, 128, 0);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, kt_stats(&s));
	ASSERT_LT(0ULL, s.uid_bytes);
	ASSERT_EQ(0, kn_simple(&kn, KIPC_CMD_USER_GET, -1, 0, &r));
	ASSERT_EQ(0, r.err) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, kn_single_nest(&r, KIPC_A_USER, u, KIPC_USER_A_MAX));
	KN_EXPECT_U32(u, KIPC_USER_A_UID, geteuid());
	KN_EXPECT_U32(u, KIPC_USER_A_OBJECTS, s.uid_objects);
	KN_EXPECT_U64(u, KIPC_USER_A_BYTES, s.uid_bytes);
	KN_EXPECT_U32(u, KIPC_USER_A_MAX_OBJECTS, kt_param_get("max_objects_per_uid"));
	KN_EXPECT_U64(u, KIPC_USER_A_MAX_BYTES, kt_param_get("max_bytes_per_uid"));
	kn_reply_free(&r);

	/* Closing the queue refunds its bytes. */
	ASSERT_EQ(0, close(q));
	ASSERT_EQ(0, kt_stats(&s));
	ASSERT_EQ(0, kn_simple(&kn, KIPC_CMD_USER_GET, geteuid(), 0, &r));
	ASSERT_EQ(0, kn_single_nest(&r, KIPC_A_USER, u, KIPC_USER_A_MAX));
	KN_EXPECT_U32(u, KIPC_USER_A_OBJECTS, s.uid_objects);
	KN_EXPECT_U64(u, KIPC_USER_A_BYTES, s.uid_bytes);
	kn_reply_free(&r);

	/* The dump has every uid with objects, the caller's among them. */
	q = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, kn_simple(&kn, KIPC_CMD_USER_GET, -1, NLM_F_DUMP, &r));
	ASSERT_EQ(0, r.err) TH_LOG("%s", r.extack);
	for (i = 0; i < r.n; i++) {
		ASSERT_NE(NULL, r.msgs[i].tb[KIPC_A_USER]);
		ASSERT_EQ(0, nla_parse_nested(u, KIPC_USER_A_MAX,
					      r.msgs[i].tb[KIPC_A_USER], NULL));
		ASSERT_TRUE(kn_has(u[KIPC_USER_A_UID], 4));
		EXPECT_LT(0U, kn_u32(u[KIPC_USER_A_OBJECTS]));
		if (kn_u32(u[KIPC_USER_A_UID]) == geteuid()) {
			EXPECT_FALSE(seen);
			seen = true;
			KN_EXPECT_U32(u, KIPC_USER_A_OBJECTS, s.uid_objects + 1);
		}
	}
	EXPECT_TRUE(seen);
	kn_reply_free(&r);

	/* A uid with nothing: zero use, the quotas. */
	ASSERT_EQ(0, kn_simple(&kn, KIPC_CMD_USER_GET, OTHER_UID, 0, &r));
	ASSERT_EQ(0, r.err) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, kn_single_nest(&r, KIPC_A_USER, u, KIPC_USER_A_MAX));
	KN_EXPECT_U32(u, KIPC_USER_A_UID, OTHER_UID);
	KN_EXPECT_U32(u, KIPC_USER_A_OBJECTS, 0);
	KN_EXPECT_U64(u, KIPC_USER_A_BYTES, 0);
	kn_reply_free(&r);
}

/* ---- rejections -------------------------------------------------------------- */

/* An OBJ_GET doit of a live object with one more attribute @type of @len bytes. */
static int get_with_attr(uint64_t id, int type, const void *data, int len,
			 struct kn_reply *r)
{
	struct nl_msg *m = kn_obj_req(&kn, id, 0);

	if (m && nla_put(m, type, len, data)) {
		nlmsg_free(m);
		m = NULL;
	}
	return kn_call(&kn, m, r);
}

TEST_F(kipc, reject_unknown_attribute)
{
	uint32_t v = 1;
	struct kn_reply r;
	int fd;

	KN_OPEN();
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	KN_EXPECT_REFUSED(get_with_attr(obj_id(fd), KIPC_A_MAX + 1, &v, 4, &r),
			  r, EINVAL);
	EXPECT_TRUE(r.has_offs);
	kn_reply_free(&r);
	KN_EXPECT_REFUSED(get_with_attr(obj_id(fd), 200, &v, 4, &r), r, EINVAL);
	kn_reply_free(&r);
	/* A reply's attribute is not a request's. */
	KN_EXPECT_REFUSED(get_with_attr(obj_id(fd), KIPC_A_STATS, &v, 4, &r),
			  r, EINVAL);
	kn_reply_free(&r);
}

TEST_F(kipc, reject_wrong_length)
{
	struct kn_reply r;
	struct nl_msg *m;
	uint64_t big = 1;
	uint32_t id32;
	int fd;

	KN_OPEN();
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	id32 = (uint32_t)obj_id(fd);

	/* KIPC_A_OBJ_ID as a u32. */
	m = kn_msg(&kn, KIPC_CMD_OBJ_GET, 0);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, nla_put_u32(m, KIPC_A_OBJ_ID, id32));
	KN_EXPECT_REFUSED(kn_call(&kn, m, &r), r, EINVAL);
	EXPECT_TRUE(r.has_offs);
	EXPECT_LT(0U, r.offs);
	kn_reply_free(&r);

	/* KIPC_A_WANT as a u64, KIPC_A_TYPE of a dump as a u64. */
	KN_EXPECT_REFUSED(get_with_attr(obj_id(fd), KIPC_A_WANT, &big, 8, &r),
			  r, EINVAL);
	kn_reply_free(&r);
	m = kn_msg(&kn, KIPC_CMD_OBJ_GET, NLM_F_DUMP);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, nla_put_u64(m, KIPC_A_TYPE, KIPC_TYPE_EVENT));
	KN_EXPECT_REFUSED(kn_call(&kn, m, &r), r, EINVAL);
	kn_reply_free(&r);

	/* KIPC_A_UID of a USER_GET as a u8. */
	m = kn_msg(&kn, KIPC_CMD_USER_GET, 0);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, nla_put_u8(m, KIPC_A_UID, 0));
	KN_EXPECT_REFUSED(kn_call(&kn, m, &r), r, EINVAL);
	kn_reply_free(&r);
}

TEST_F(kipc, reject_doit_without_id)
{
	struct kn_reply r;
	struct nl_msg *m;

	KN_OPEN();
	KN_EXPECT_REFUSED(kn_call(&kn, kn_msg(&kn, KIPC_CMD_OBJ_GET, 0), &r),
			  r, EINVAL);
	kn_reply_free(&r);
	/* Dump filters do not name an object. */
	m = kn_msg(&kn, KIPC_CMD_OBJ_GET, 0);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, nla_put_u32(m, KIPC_A_TYPE, KIPC_TYPE_EVENT));
	KN_EXPECT_REFUSED(kn_call(&kn, m, &r), r, EINVAL);
	kn_reply_free(&r);
}

/* What only a doit takes, a dump refuses, and the other way round. */
TEST_F(kipc, reject_doit_or_dump_only_attributes)
{
	struct kn_reply r;
	struct nl_msg *m;
	int fd;

	KN_OPEN();
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	/* A dump with an id, or asking for holders. */
	m = kn_msg(&kn, KIPC_CMD_OBJ_GET, NLM_F_DUMP);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, nla_put_u64(m, KIPC_A_OBJ_ID, obj_id(fd)));
	KN_EXPECT_REFUSED(kn_call(&kn, m, &r), r, EINVAL);
	kn_reply_free(&r);
	m = kn_msg(&kn, KIPC_CMD_OBJ_GET, NLM_F_DUMP);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, nla_put_u32(m, KIPC_A_WANT, KIPC_WANT_HOLDERS));
	KN_EXPECT_REFUSED(kn_call(&kn, m, &r), r, EINVAL);
	kn_reply_free(&r);
	/* A doit with a filter of dumps: uid, name prefix. */
	m = kn_obj_req(&kn, obj_id(fd), 0);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, nla_put_u32(m, KIPC_A_UID, 0));
	KN_EXPECT_REFUSED(kn_call(&kn, m, &r), r, EINVAL);
	kn_reply_free(&r);
	m = kn_obj_req(&kn, obj_id(fd), 0);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, nla_put_string(m, KIPC_A_NAME_PREFIX, "kst"));
	KN_EXPECT_REFUSED(kn_call(&kn, m, &r), r, EINVAL);
	kn_reply_free(&r);
	/* USER_GET's dump takes no uid. */
	KN_EXPECT_REFUSED(kn_simple(&kn, KIPC_CMD_USER_GET, 0, NLM_F_DUMP, &r),
			  r, EINVAL);
	kn_reply_free(&r);
	/* STATS_GET takes no attribute at all. */
	KN_EXPECT_REFUSED(kn_simple(&kn, KIPC_CMD_STATS_GET, 0, 0, &r),
			  r, EINVAL);
	kn_reply_free(&r);
}

/* A name prefix without its NUL; a uid that maps to no one. */
TEST_F(kipc, reject_bad_strings_and_uids)
{
	struct kn_reply r;
	struct nl_msg *m;

	KN_OPEN();
	m = kn_msg(&kn, KIPC_CMD_OBJ_GET, NLM_F_DUMP);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, nla_put(m, KIPC_A_NAME_PREFIX, 3, "kst"));
	KN_EXPECT_REFUSED(kn_call(&kn, m, &r), r, EINVAL);
	kn_reply_free(&r);
	KN_EXPECT_REFUSED(kn_call(&kn, kn_dump_req(&kn, 0, NULL, UINT32_MAX),
				  &r), r, EINVAL);
	kn_reply_free(&r);
	KN_EXPECT_REFUSED(kn_simple(&kn, KIPC_CMD_LIMITS_GET, UINT32_MAX, 0, &r),
			  r, EINVAL);
	kn_reply_free(&r);
	KN_EXPECT_REFUSED(kn_simple(&kn, KIPC_CMD_USER_GET, UINT32_MAX, 0, &r),
			  r, EINVAL);
	kn_reply_free(&r);
}

TEST_F(kipc, reject_unknown_type_filter)
{
	const uint32_t bad[] = { 0, KIPC_TYPE_MAX + 1, 1000, UINT32_MAX };
	struct kn_reply r;
	unsigned int i;

	KN_OPEN();
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct nl_msg *m = kn_msg(&kn, KIPC_CMD_OBJ_GET, NLM_F_DUMP);

		ASSERT_NE(NULL, m);
		ASSERT_EQ(0, nla_put_u32(m, KIPC_A_TYPE, bad[i]));
		/* The policy's range check: ERANGE, with the bounds. */
		KN_EXPECT_REFUSED(kn_call(&kn, m, &r), r, ERANGE);
		TH_LOG("type %u: \"%s\"", bad[i], r.extack);
		kn_reply_free(&r);
	}
}

TEST_F(kipc, reject_unknown_want_bits)
{
	const uint32_t bad[] = { 1U << 2, 1U << 31, ~(uint32_t)KIPC_WANT_ALL,
				 KIPC_WANT_ALL | 8 };
	struct kn_reply r;
	struct kn_obj o;
	unsigned int i;
	int fd;

	KN_OPEN();
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KN_EXPECT_REFUSED(kn_call(&kn, kn_obj_req(&kn, obj_id(fd), bad[i]),
					  &r), r, EINVAL);
		kn_reply_free(&r);
	}
	/* Every known bit, and none, are fine. */
	EXPECT_EQ(0, kn_get_obj(&kn, obj_id(fd), KIPC_WANT_ALL, &r, &o));
	EXPECT_NE(NULL, o.a[KIPC_OBJ_A_HOLDERS]);
	EXPECT_NE(NULL, o.a[KIPC_OBJ_A_WAITERS]);
	kn_reply_free(&r);
}

TEST_F(kipc, reject_unknown_id)
{
	struct kn_reply r;
	struct kn_obj o;
	uint64_t id;
	int fd;

	KN_OPEN();
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	id = obj_id(fd);
	ASSERT_EQ(0, close(fd));
	/* A destroyed object, an id never given. */
	EXPECT_EQ(-ENOENT, kn_get_obj(&kn, id, 0, &r, &o));
	EXPECT_EQ(0, r.n);
	kn_reply_free(&r);
	EXPECT_EQ(-ENOENT, kn_get_obj(&kn, UINT64_MAX, 0, &r, &o));
	kn_reply_free(&r);
	EXPECT_EQ(-ENOENT, kn_get_obj(&kn, id + (1ULL << 40), KIPC_WANT_ALL,
				      &r, &o));
	kn_reply_free(&r);
}

/* The family answers what it has no handler for as genetlink does. */
TEST_F(kipc, reject_unknown_command)
{
	struct kn_reply r;

	KN_OPEN();
	EXPECT_EQ(0, kn_call(&kn, kn_msg(&kn, KIPC_CMD_MAX + 1, 0), &r));
	EXPECT_EQ(-EOPNOTSUPP, r.err);
	kn_reply_free(&r);
	/* Notifications are only sent, never asked for. */
	EXPECT_EQ(0, kn_call(&kn, kn_msg(&kn, KIPC_CMD_NOTIFY, 0), &r));
	EXPECT_EQ(-EOPNOTSUPP, r.err);
	kn_reply_free(&r);
}

/*
 * A child that drops to @uid and asks OBJ_GET of @id with @want: exits
 * with the errno (0: success, and with holders or waiters as asked),
 * 100 + n for a failure of its own.
 */
static pid_t spawn_asker(uint32_t uid, uint64_t id, uint32_t want)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		struct kn_reply r;
		struct kn_obj o;
		struct kn c;
		int ret;

		if (kt_become(uid, uid))
			_exit(101);
		if (kn_open(&c))
			_exit(102);
		ret = kn_get_obj(&c, id, want, &r, &o);
		if (ret == -EPERM && !r.extack[0])
			_exit(103);
		if (ret)
			_exit(-ret & 0xff);
		if (((want & KIPC_WANT_HOLDERS) && !o.a[KIPC_OBJ_A_HOLDERS]) ||
		    ((want & KIPC_WANT_WAITERS) && !o.a[KIPC_OBJ_A_WAITERS]))
			_exit(104);
		_exit(0);
	}
	return pid;
}

TEST_F(kipc, permission_holders_and_waiters)
{
	const uint32_t wants[] = { KIPC_WANT_HOLDERS, KIPC_WANT_WAITERS,
				   KIPC_WANT_ALL };
	unsigned int i;
	uint64_t id;
	int fd;

	fd = kipc_event_create(kt_name("perm"), 0644, 0, 0);
	ASSERT_LE(0, fd);
	id = obj_id(fd);
	/* Metadata for all; holders and waiters for the owner only. */
	EXPECT_EQ(0, kt_reap(spawn_asker(NOBODY, id, 0), KT_CHILD_TIMEOUT_MS));
	for (i = 0; i < ARRAY_SIZE(wants); i++) {
		uint32_t want = wants[i];

		EXPECT_EQ(EPERM, kt_reap(spawn_asker(NOBODY, id, want),
					 KT_CHILD_TIMEOUT_MS))
			TH_LOG("want %u", want);
	}
	/* Root may (CAP_IPC_OWNER). */
	EXPECT_EQ(0, kt_reap(spawn_asker(0, id, KIPC_WANT_ALL),
			     KT_CHILD_TIMEOUT_MS));
}

/* An owner who is not root sees the holders of its own objects. */
TEST_F(kipc, permission_owner_sees_holders)
{
	const char *name = kt_name("own");
	uint32_t uid = OTHER_UID;
	struct kt_report rep;
	int p[2];
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	pid = kt_fork();
	if (pid == 0) {
		int fd = -1;

		if (!kt_become(uid, uid))
			fd = kipc_event_create(name, 0666, 0, 0);
		kt_report(p[1], 0, fd < 0 ? fd : 0, fd < 0 ? 0 : obj_id(fd));
		_exit(0);
	}
	ASSERT_EQ(1, kt_read_report(p[0], &rep, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, rep.ret);
	ASSERT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_reap(spawn_asker(uid, rep.value, KIPC_WANT_ALL),
			     KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(EPERM, kt_reap(spawn_asker(uid + 1, rep.value,
					     KIPC_WANT_HOLDERS),
				 KT_CHILD_TIMEOUT_MS));
}

/* ---- holders -------------------------------------------------------------- */

#define MAXH	16

/* Poll @id's holders until @pid is (@present) or is not one: 0 or -ETIMEDOUT. */
static int wait_holder(uint64_t id, pid_t pid, bool present,
		       struct kn_holder *out)
{
	int64_t end = kt_now_ns() + KT_CHILD_TIMEOUT_MS * MS;
	struct kn_holder h[MAXH];
	const struct kn_holder *me;
	struct kn_reply r;
	struct kn_obj o;
	int n;

	for (;;) {
		n = kn_get_obj(&kn, id, KIPC_WANT_HOLDERS, &r, &o) ? -1 :
		    kn_holders(&o, h, MAXH);
		kn_reply_free(&r);
		me = n > 0 ? kn_holder_of(h, n < MAXH ? n : MAXH, pid) : NULL;
		if (n >= 0 && !!me == present) {
			if (me && out)
				*out = *me;
			return 0;
		}
		if (kt_now_ns() > end)
			return -ETIMEDOUT;
		kt_sleep_ms(5);
	}
}

/* A child that names itself @comm, opens @name @nfd times, says so, waits. */
static pid_t spawn_opener(const char *name, const char *comm, int nfd,
			  int rep)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		int i, fd = 0;

		prctl(PR_SET_NAME, comm);
		for (i = 0; i < nfd && fd >= 0; i++)
			fd = kipc_event_open(name, 0);
		kt_report(rep, 0, fd < 0 ? fd : 0, 0);
		for (;;)
			pause();
	}
	return pid;
}

TEST_F(kipc, holders_come_and_go)
{
	const char *name = kt_name("hold");
	struct kn_holder h[MAXH], one;
	struct kt_report rep;
	struct kn_reply r;
	struct kn_obj o;
	int fd, p[2], n;
	pid_t pid;

	KN_OPEN();
	fd = kipc_event_create(name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(p));
	pid = spawn_opener(name, "kst-holder", 2, p[1]);
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, kt_read_report(p[0], &rep, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, rep.ret);

	ASSERT_EQ(0, kn_get_obj(&kn, obj_id(fd), KIPC_WANT_HOLDERS, &r, &o));
	KN_EXPECT_U32(o.a, KIPC_OBJ_A_FILES, 3);
	n = kn_holders(&o, h, MAXH);
	EXPECT_EQ(2, n);
	ASSERT_NE(NULL, kn_holder_of(h, n, pid));
	one = *kn_holder_of(h, n, pid);
	EXPECT_STREQ("kst-holder", one.comm);
	EXPECT_EQ(2U, one.files);
	EXPECT_EQ(0U, one.mappings);
	ASSERT_NE(NULL, kn_holder_of(h, n, getpid()));
	EXPECT_EQ(1U, kn_holder_of(h, n, getpid())->files);
	kn_reply_free(&r);

	/* Gone with the process (its files closed by its exit). */
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(256 + SIGKILL, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, wait_holder(obj_id(fd), pid, false, NULL));
	ASSERT_EQ(0, kn_get_obj(&kn, obj_id(fd), KIPC_WANT_HOLDERS, &r, &o));
	KN_EXPECT_U32(o.a, KIPC_OBJ_A_FILES, 1);
	EXPECT_EQ(1, kn_holders(&o, h, MAXH));
	kn_reply_free(&r);
}

/* A process that keeps only a mapping still holds the object. */
TEST_F(kipc, holders_by_mapping)
{
	const char *name = kt_name("hmap");
	struct kn_holder one;
	struct kt_report rep;
	int fd, p[2];
	pid_t pid;

	KN_OPEN();
	fd = kipc_region_create(name, 0600, 4096, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(p));
	pid = kt_fork();
	if (pid == 0) {
		int rfd;
		void *m;

		/* A record names the process as it was when it opened. */
		prctl(PR_SET_NAME, "kst-mapper");
		rfd = kipc_region_open(name, 0);
		m = rfd < 0 ? NULL : kipc_region_map(rfd, PROT_READ, NULL, NULL);
		if (m)
			close(rfd);
		kt_report(p[1], 0, m ? 0 : -1, 0);
		for (;;)
			pause();
	}
	ASSERT_EQ(1, kt_read_report(p[0], &rep, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, rep.ret);
	ASSERT_EQ(0, wait_holder(obj_id(fd), pid, true, &one));
	EXPECT_EQ(1U, one.mappings);
	EXPECT_STREQ("kst-mapper", one.comm);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(256 + SIGKILL, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, wait_holder(obj_id(fd), pid, false, NULL));
}

/* ---- waiters --------------------------------------------------------------- */

/*
 * Poll @fd's waiters until there are @n (and KIPC_OBJ_A_NR_WAITERS says
 * so): 0 with the first in *@w, or -ETIMEDOUT.
 */
static int wait_waiters(int fd, int n, struct kn_waiter *w)
{
	int64_t end = kt_now_ns() + KT_CHILD_TIMEOUT_MS * MS;
	struct kn_waiter ws[MAXH];
	struct kn_reply r;
	struct kn_obj o;
	int got, nr;

	for (;;) {
		got = kn_get_obj(&kn, obj_id(fd), KIPC_WANT_WAITERS, &r, &o) ?
		      -1 : kn_waiters(&o, ws, MAXH);
		nr = got >= 0 ? (int)kn_u32(o.a[KIPC_OBJ_A_NR_WAITERS]) : -1;
		kn_reply_free(&r);
		if (got == n && nr == n) {
			if (n && w)
				*w = ws[0];
			return 0;
		}
		if (kt_now_ns() > end)
			return -ETIMEDOUT;
		kt_sleep_ms(5);
	}
}

/* What a blocking child does: one of these on its object. */
enum blocker { B_QUEUE_RECV, B_QUEUE_SEND, B_SEM, B_MUTEX, B_EVENT, B_COND,
	       B_PIPE_READ, B_CHAN_READ, B_PIPE_WRITE };

struct wcase {
	enum blocker what;
	int fd, fd2;		/* the object; a cond's mutex, a pipe's writer */
	struct kipc_mutex *h;	/* a mutex's or cond's mutex handle */
	struct kipc_sem *s;
};

/* Block as @c says (in a child): the call's result. */
static int block_on(struct wcase *c)
{
	char buf[64];

	switch (c->what) {
	case B_QUEUE_RECV:
		return (int)kipc_queue_recv(c->fd, buf, sizeof(buf), NULL,
					    CHILD_WAIT_NS);
	case B_QUEUE_SEND:
		return kipc_queue_send(c->fd, "x", 1, 0, CHILD_WAIT_NS);
	case B_SEM:
		return kipc_sem_wait(c->s, CHILD_WAIT_NS, 0);
	case B_MUTEX:
		return kipc_mutex_lock(c->h, CHILD_WAIT_NS);
	case B_EVENT:
		return kipc_event_wait(c->fd, CHILD_WAIT_NS, NULL);
	case B_COND: {
		int ret = kipc_mutex_lock(c->h, CHILD_WAIT_NS);

		return ret ? ret : kipc_cond_wait(c->fd, c->h, CHILD_WAIT_NS);
	}
	case B_PIPE_READ:
	case B_CHAN_READ:
		return (int)read(c->fd, buf, sizeof(buf));
	case B_PIPE_WRITE: {
		static char big[4096];

		return (int)write(c->fd, big, sizeof(big));
	}
	}
	return -EINVAL;
}

/* Wake the child blocked as @c says: 0 or -errno. */
static int wake(struct wcase *c)
{
	char buf[64];

	switch (c->what) {
	case B_QUEUE_RECV:
		return kipc_queue_send(c->fd, "m", 1, 0, 0);
	case B_QUEUE_SEND:
		return kipc_queue_recv(c->fd, buf, sizeof(buf), NULL, 0) < 0 ?
		       -EIO : 0;
	case B_SEM:
		return kipc_sem_post(c->s, 1, 0);
	case B_MUTEX:
		return raw_unlock(c->fd);
	case B_EVENT:
		return kipc_event_signal(c->fd, 1);
	case B_COND:
		return kipc_cond_signal(c->fd, 0) == 1 ? 0 : -EIO;
	case B_PIPE_READ:
	case B_CHAN_READ:
		return write(c->fd2, "w", 1) == 1 ? 0 : -errno;
	case B_PIPE_WRITE: {
		static char big[8192];

		return read(c->fd2, big, sizeof(big)) > 0 ? 0 : -errno;
	}
	}
	return -EINVAL;
}

/*
 * A child named "kst-waiter" blocks as @c says; it must show as the one
 * waiter with its pid and tid, @what and a growing since_ns, and be gone
 * once woken.
 */
static void check_waiter(struct __test_metadata *_metadata, struct wcase *c,
			 uint32_t what)
{
	struct kn_waiter w, w2;
	struct kt_report rep;
	int p[2];
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	pid = kt_fork();
	if (pid == 0) {
		prctl(PR_SET_NAME, "kst-waiter");
		kt_report(p[1], 0, 0, (uint64_t)kt_gettid());
		kt_report(p[1], 1, block_on(c), 0);
		_exit(0);
	}
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, kt_read_report(p[0], &rep, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, wait_waiters(c->fd, 1, &w)) TH_LOG("no waiter seen");
	EXPECT_EQ((uint32_t)pid, w.pid);
	EXPECT_EQ((uint32_t)rep.value, w.tid);
	EXPECT_EQ(what, w.wait);
	EXPECT_STREQ("kst-waiter", w.comm);
	EXPECT_LT(0ULL, w.since_ns);
	kt_sleep_ms(50);
	ASSERT_EQ(0, wait_waiters(c->fd, 1, &w2));
	EXPECT_LE(w.since_ns + 40 * MS, w2.since_ns);

	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(1, kt_read_report(p[0], &rep, KT_CHILD_TIMEOUT_MS));
	EXPECT_LE(0, rep.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, wait_waiters(c->fd, 0, NULL));
	close(p[0]);
	close(p[1]);
}

TEST_F(kipc, waiter_queue_receive)
{
	struct wcase c = { .what = B_QUEUE_RECV };

	KN_OPEN();
	c.fd = kipc_queue_create(NULL, 0600, 2, 16, 0);
	ASSERT_LE(0, c.fd);
	check_waiter(_metadata, &c, KIPC_WAITFOR_RECEIVE);
}

TEST_F(kipc, waiter_queue_send)
{
	struct wcase c = { .what = B_QUEUE_SEND };

	KN_OPEN();
	c.fd = kipc_queue_create(NULL, 0600, 1, 16, 0);
	ASSERT_LE(0, c.fd);
	ASSERT_EQ(0, kipc_queue_send(c.fd, "f", 1, 0, 0));
	check_waiter(_metadata, &c, KIPC_WAITFOR_SEND);
}

TEST_F(kipc, waiter_semaphore)
{
	struct wcase c = { .what = B_SEM };

	KN_OPEN();
	c.fd = kipc_sem_create(NULL, 0600, 0, 0, 0);
	ASSERT_LE(0, c.fd);
	ASSERT_EQ(0, attach_sem(c.fd, &c.s));
	check_waiter(_metadata, &c, KIPC_WAITFOR_UNIT);
}

TEST_F(kipc, waiter_mutex)
{
	struct wcase c = { .what = B_MUTEX };

	KN_OPEN();
	c.fd = MK_MUTEX(0, &c.h);
	ASSERT_LE(0, c.fd);
	ASSERT_EQ(0, raw_lock(c.fd, 0, 0));
	check_waiter(_metadata, &c, KIPC_WAITFOR_LOCK);
}

TEST_F(kipc, waiter_event)
{
	struct wcase c = { .what = B_EVENT };

	KN_OPEN();
	c.fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, c.fd);
	check_waiter(_metadata, &c, KIPC_WAITFOR_SIGNAL);
}

TEST_F(kipc, waiter_cond)
{
	struct wcase c = { .what = B_COND };

	KN_OPEN();
	c.fd2 = MK_MUTEX(0, &c.h);
	ASSERT_LE(0, c.fd2);
	c.fd = kipc_cond_create(NULL, 0600, 0);
	ASSERT_LE(0, c.fd);
	check_waiter(_metadata, &c, KIPC_WAITFOR_COND);
}

TEST_F(kipc, waiter_pipe_read)
{
	struct wcase c = { .what = B_PIPE_READ };
	int fds[2];

	KN_OPEN();
	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	c.fd = fds[0];
	c.fd2 = fds[1];
	check_waiter(_metadata, &c, KIPC_WAITFOR_RECEIVE);
}

struct thread_wait {
	int fd;
	volatile pid_t tid;
	int ret;
};

static void *thread_waits(void *arg)
{
	struct thread_wait *t = arg;

	__atomic_store_n(&t->tid, kt_gettid(), __ATOMIC_RELEASE);
	t->ret = kipc_event_wait(t->fd, CHILD_WAIT_NS, NULL);
	return NULL;
}

/* A thread's waiter has its own tid and the process's pid. */
TEST_F(kipc, waiter_thread_tid)
{
	struct thread_wait t = { 0 };
	struct kn_waiter w;
	pthread_t th;

	KN_OPEN();
	t.fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, t.fd);
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_waits, &t));
	ASSERT_EQ(0, wait_waiters(t.fd, 1, &w));
	EXPECT_EQ((uint32_t)getpid(), w.pid);
	EXPECT_EQ((uint32_t)t.tid, w.tid);
	EXPECT_NE(w.pid, w.tid);
	EXPECT_EQ((uint32_t)KIPC_WAITFOR_SIGNAL, w.wait);
	ASSERT_EQ(0, kipc_event_signal(t.fd, 1));
	pthread_join(th, NULL);
	EXPECT_EQ(0, t.ret);
	EXPECT_EQ(0, wait_waiters(t.fd, 0, NULL));
}

/* ---- notifications -------------------------------------------------------- */

/* Expect the next notification about @id of @kind, with its fields. */
#define EXPECT_EVENT(kind_, id_, type_, name_, pid_, ev) do {		\
	ASSERT_EQ(1, kn_event_wait(&mon, &monq, kind_, id_, NULL, &(ev),	\
				   KN_TIMEOUT_MS))			\
		TH_LOG("no event %d for id %llu", kind_,		\
		       (unsigned long long)(id_));			\
	EXPECT_EQ(KIPC_CMD_NOTIFY, (ev).cmd);				\
	EXPECT_TRUE((ev).has_id);					\
	EXPECT_TRUE((ev).has_type);					\
	EXPECT_EQ((uint32_t)(type_), (ev).type);			\
	EXPECT_TRUE((ev).has_uid);					\
	EXPECT_EQ(geteuid(), (ev).uid);					\
	EXPECT_TRUE((ev).has_pid);					\
	EXPECT_EQ((uint32_t)(pid_), (ev).pid);				\
	EXPECT_TRUE((ev).has_time);					\
	if ((const char *)(name_)) {					\
		EXPECT_TRUE((ev).has_name);				\
		EXPECT_STREQ((const char *)(name_), (ev).name);	\
	} else {							\
		EXPECT_FALSE((ev).has_name);				\
	}								\
} while (0)

TEST_F(kipc, notify_created_unlinked_destroyed)
{
	const char *name = kt_name("evts");
	struct kn_event ev;
	int64_t t0, t1;
	uint64_t id;
	int fd;

	KN_MONITOR();
	t0 = kn_realtime_ns();
	fd = kipc_queue_create(name, 0600, 0, 0, 0);
	ASSERT_LE(0, fd);
	t1 = kn_realtime_ns();
	id = obj_id(fd);
	EXPECT_EVENT(KIPC_EV_CREATED, id, KIPC_TYPE_QUEUE, name, getpid(), ev);
	EXPECT_LE(t0 - CLOCK_SLACK_NS, (int64_t)ev.time);
	EXPECT_GE(t1 + CLOCK_SLACK_NS, (int64_t)ev.time);
	EXPECT_FALSE(ev.has_err);

	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_QUEUE, name));
	EXPECT_EVENT(KIPC_EV_UNLINKED, id, KIPC_TYPE_QUEUE, name, getpid(), ev);
	ASSERT_EQ(0, close(fd));
	EXPECT_EVENT(KIPC_EV_DESTROYED, id, KIPC_TYPE_QUEUE, name, getpid(), ev);
}

/* A creation of each type, anonymous, is told with its type. */
TEST_F(kipc, notify_created_each_type)
{
	int fds[KIPC_TYPE_MAX + 1], extra[2], t;
	struct kn_event ev;

	KN_MONITOR();
	ASSERT_EQ(0, make_each_type(fds, extra));
	for (t = 1; t <= KIPC_TYPE_MAX; t++) {
		EXPECT_EVENT(KIPC_EV_CREATED, obj_id(fds[t]), t, NULL,
			     getpid(), ev);
	}
}

/* The last close by another process: it is the one that destroyed it. */
TEST_F(kipc, notify_destroyed_by_child_exit)
{
	struct kn_event ev;
	uint64_t id;
	pid_t pid;
	int fd;

	KN_MONITOR();
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	id = obj_id(fd);
	pid = kt_fork();
	if (pid == 0) {
		kt_sleep_ms(50);
		_exit(0);
	}
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EVENT(KIPC_EV_DESTROYED, id, KIPC_TYPE_EVENT, NULL, pid, ev);
}

/* Expect a REFUSED notification for @type with @err. */
static void expect_refused(struct __test_metadata *_metadata, uint32_t type,
			   int err)
{
	struct kn_event ev;

	ASSERT_EQ(1, kn_event_wait(&mon, &monq, KIPC_EV_REFUSED, 0, NULL, &ev,
				   KN_TIMEOUT_MS));
	EXPECT_FALSE(ev.has_id);
	EXPECT_TRUE(ev.has_type);
	EXPECT_EQ(type, ev.type);
	EXPECT_TRUE(ev.has_err);
	EXPECT_EQ((uint32_t)err, ev.err);
	EXPECT_TRUE(ev.has_uid);
	EXPECT_EQ(geteuid(), ev.uid);
	EXPECT_TRUE(ev.has_pid);
	EXPECT_EQ((uint32_t)getpid(), ev.pid);
	EXPECT_TRUE(ev.has_time);
}

TEST_F(kipc, notify_refused_edquot)
{
	struct nlattr *b[KIPC_STATS_A_MAX + 1], *a[KIPC_STATS_A_MAX + 1];
	struct kn_reply rb, ra;
	struct kipc_stats s;

	KN_OPEN();
	KN_MONITOR();
	ASSERT_LE(0, kipc_event_create(NULL, 0600, 0, 0));
	ASSERT_EQ(0, kt_stats(&s));
	ASSERT_EQ(0, kn_stats(&kn, b, &rb));
	ASSERT_EQ(0, kt_param_set("max_objects_per_uid", s.uid_objects));
	EXPECT_EQ(-EDQUOT, kipc_sem_create(NULL, 0600, 0, 0, 0));
	expect_refused(_metadata, KIPC_TYPE_SEMAPHORE, EDQUOT);
	ASSERT_EQ(0, kn_stats(&kn, a, &ra));
	KN_EXPECT_U64(a, KIPC_STATS_A_REFUSED_EDQUOT,
		      kn_u64(b[KIPC_STATS_A_REFUSED_EDQUOT]) + 1);
	KN_EXPECT_U64(a, KIPC_STATS_A_REFUSED_ENOSPC,
		      kn_u64(b[KIPC_STATS_A_REFUSED_ENOSPC]));
	kn_reply_free(&ra);
	kn_reply_free(&rb);
}

TEST_F(kipc, notify_refused_enospc)
{
	struct nlattr *b[KIPC_STATS_A_MAX + 1], *a[KIPC_STATS_A_MAX + 1];
	struct kn_reply rb, ra;
	struct kipc_stats s;

	KN_OPEN();
	KN_MONITOR();
	ASSERT_LE(0, kipc_event_create(NULL, 0600, 0, 0));
	ASSERT_EQ(0, kt_stats(&s));
	ASSERT_EQ(0, kn_stats(&kn, b, &rb));
	ASSERT_EQ(0, kt_param_set("max_objects", s.objects));
	EXPECT_EQ(-ENOSPC, kipc_event_create(NULL, 0600, 0, 0));
	expect_refused(_metadata, KIPC_TYPE_EVENT, ENOSPC);
	ASSERT_EQ(0, kn_stats(&kn, a, &ra));
	KN_EXPECT_U64(a, KIPC_STATS_A_REFUSED_ENOSPC,
		      kn_u64(b[KIPC_STATS_A_REFUSED_ENOSPC]) + 1);
	kn_reply_free(&ra);
	kn_reply_free(&rb);
}

TEST_F(kipc, notify_owner_died)
{
	struct kipc_mutex *h;
	struct kn_reply r;
	struct kn_event ev;
	struct kn_obj o;
	struct kt_report rep;
	siginfo_t si;
	int fd, p[2];
	pid_t pid;

	KN_OPEN();
	KN_MONITOR();
	fd = MK_MUTEX(0, &h);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(p));
	pid = fork_holder(h, p);
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, kt_read_report(p[0], &rep, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, rep.ret);
	/* Dead but not reaped: its pid still names it. */
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(0, waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	EXPECT_EQ(-EOWNERDEAD, kipc_mutex_lock(h, CHILD_WAIT_NS));
	EXPECT_EVENT(KIPC_EV_OWNER_DIED, obj_id(fd), KIPC_TYPE_MUTEX, NULL,
		     pid, ev);
	ASSERT_EQ(0, kn_get_obj(&kn, obj_id(fd), 0, &r, &o));
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_OWNER_DEATHS, 1);
	KN_EXPECT_U32(o.st, KIPC_MUTEX_A_STATE, KIPC_MUTEX_STATE_OWNERDEAD);
	KN_EXPECT_U32(o.st, KIPC_MUTEX_A_OWNER_TID, kt_gettid());
	kn_reply_free(&r);
	EXPECT_EQ(0, kipc_mutex_consistent(h));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	EXPECT_EQ(256 + SIGKILL, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	detach_mutex(h);
}

TEST_F(kipc, notify_queue_notification)
{
	struct kn_reply r;
	struct kn_event ev;
	struct kn_obj o;
	siginfo_t si;
	pid_t pid;
	int fd;

	KN_OPEN();
	KN_MONITOR();
	fd = kipc_queue_create(kt_name("nq"), 0600, 0, 0, 0);
	ASSERT_LE(0, fd);
	kt_block_signal(SIGUSR1, true);
	ASSERT_EQ(0, kipc_queue_notify(fd, SIGUSR1, 42));
	pid = kt_fork();
	if (pid == 0)
		_exit(kipc_queue_send(fd, "n", 1, 0, 0) ? 1 : 0);
	ASSERT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(1, kt_take_signal(SIGUSR1, &si, KT_CHILD_TIMEOUT_MS));
	EXPECT_EVENT(KIPC_EV_NOTIFIED, obj_id(fd), KIPC_TYPE_QUEUE,
		     kt.names[0], pid, ev);
	ASSERT_EQ(0, kn_get_obj(&kn, obj_id(fd), 0, &r, &o));
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_NOTIFICATIONS, 1);
	KN_EXPECT_U32(o.st, KIPC_QUEUE_A_NOTIFY_PID, 0);
	kn_reply_free(&r);
}

/* Without a listener nothing is queued: a later subscriber sees only new ones. */
TEST_F(kipc, notify_only_while_listening)
{
	struct kn_event ev;
	uint64_t early;
	int fd;

	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	early = obj_id(fd);
	KN_MONITOR();
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, kn_event_next(&mon, &monq, &ev, KN_TIMEOUT_MS));
	EXPECT_EQ((uint32_t)KIPC_EV_CREATED, ev.kind);
	EXPECT_EQ(obj_id(fd), ev.id);
	EXPECT_NE(early, ev.id);
}

/* Channel and pipe waiters and counters (proposed by helper TMSG). */
TEST_F(kipc, waiter_channel_read)
{
	struct wcase c = { .what = B_CHAN_READ };
	int fds[2];

	KN_OPEN();
	ASSERT_EQ(0, kipc_channel_pair(fds, NULL, 0));
	c.fd = fds[1];
	c.fd2 = fds[0];
	check_waiter(_metadata, &c, KIPC_WAITFOR_RECEIVE);
}

TEST_F(kipc, waiter_pipe_write)
{
	struct wcase c = { .what = B_PIPE_WRITE };
	static char fill[4096];
	int fds[2];

	KN_OPEN();
	ASSERT_EQ(0, kipc_pipe(fds, 4096, 0));
	ASSERT_EQ(4096, write(fds[1], fill, sizeof(fill)));
	c.fd = fds[1];
	c.fd2 = fds[0];
	check_waiter(_metadata, &c, KIPC_WAITFOR_SEND);
}

/*
 * A wait for many on one object of each type it can wait for; the
 * objects, what it must be reported waiting for on each.
 */
struct wm_case {
	int fd[6], wfd[6];	/* waited; what wakes it (a pipe's writer) */
	uint32_t what[6];
	struct kipc_mutex *h;
	struct kipc_sem *s;
};

static int wm_setup(struct wm_case *c)
{
	int p[2], ch[2];

	c->fd[0] = kipc_event_create(NULL, 0600, 0, 0);
	c->what[0] = KIPC_WAITFOR_SIGNAL;
	c->fd[1] = kipc_sem_create(NULL, 0600, 0, 0, 0);
	c->what[1] = KIPC_WAITFOR_UNIT;
	c->fd[2] = MK_MUTEX(0, &c->h);
	c->what[2] = KIPC_WAITFOR_LOCK;
	c->fd[3] = kipc_queue_create(NULL, 0600, 2, 16, 0);
	c->what[3] = KIPC_WAITFOR_RECEIVE;
	if (kipc_pipe(p, 0, 0) || kipc_channel_pair(ch, NULL, 0))
		return -1;
	c->fd[4] = p[0];
	c->wfd[4] = p[1];
	c->what[4] = KIPC_WAITFOR_RECEIVE;
	c->fd[5] = ch[1];
	c->wfd[5] = ch[0];
	c->what[5] = KIPC_WAITFOR_RECEIVE;
	for (int i = 0; i < 4; i++)
		if (c->fd[i] < 0)
			return -1;
	if (attach_sem(c->fd[1], &c->s) || raw_lock(c->fd[2], 0, 0))
		return -1;
	return 0;
}

/* In a child: wait for any of @c's objects; report the index taken. */
static void wm_child(struct wm_case *c, int rfd)
{
	struct kipc_wait_obj o[6];
	unsigned int index = 99;
	int ret;

	memset(o, 0, sizeof(o));
	for (int i = 0; i < 6; i++)
		o[i].fd = c->fd[i];
	prctl(PR_SET_NAME, "kst-many");
	kt_report(rfd, 0, 0, (uint64_t)kt_gettid());
	ret = kipc_wait_many(o, 6, 0, CHILD_WAIT_NS, &index);
	if (!ret && index == 2)		/* the mutex: give it back */
		ret = raw_unlock(c->fd[2]);
	kt_report(rfd, 1, ret, index);
	_exit(0);
}

/*
 * A task in KIPC_IOC_WAIT_MANY is a waiter of every object it waits for,
 * flagged KIPC_WAITER_A_MANY, with what that object gives, one since for
 * all (the start of the call), and is gone from each once it returns.
 */
TEST_F(kipc, waiter_wait_many_each_type)
{
	struct kn_waiter w[6], w2;
	struct kt_report rep;
	struct wm_case c;
	int p[2], i;
	pid_t pid;

	KN_OPEN();
	ASSERT_EQ(0, wm_setup(&c));
	ASSERT_EQ(0, pipe(p));
	pid = kt_fork();
	if (pid == 0)
		wm_child(&c, p[1]);
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, kt_read_report(p[0], &rep, KT_CHILD_TIMEOUT_MS));
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, wait_waiters(c.fd[i], 1, &w[i]))
			TH_LOG("object %d: no waiter seen", i);
		EXPECT_EQ((uint32_t)pid, w[i].pid);
		EXPECT_EQ((uint32_t)rep.value, w[i].tid);
		EXPECT_EQ(c.what[i], w[i].wait) TH_LOG("object %d", i);
		EXPECT_EQ(1U, w[i].many) TH_LOG("object %d", i);
		EXPECT_STREQ("kst-many", w[i].comm);
		EXPECT_LT(0ULL, w[i].since_ns);
	}
	/* One call, one start: later reads only grow. */
	kt_sleep_ms(50);
	ASSERT_EQ(0, wait_waiters(c.fd[0], 1, &w2));
	EXPECT_LE(w[0].since_ns + 40 * MS, w2.since_ns);
	EXPECT_LE(w[5].since_ns, w2.since_ns);

	ASSERT_EQ(0, kipc_event_signal(c.fd[0], 1));
	ASSERT_EQ(1, kt_read_report(p[0], &rep, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, rep.ret);
	EXPECT_EQ(0ULL, rep.value);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	for (i = 0; i < 6; i++)
		EXPECT_EQ(0, wait_waiters(c.fd[i], 0, NULL)) TH_LOG("object %d", i);
	EXPECT_EQ(0, raw_unlock(c.fd[2]));
	detach_sem(c.s);
	close(p[0]);
	close(p[1]);
}

/* Woken by each kind of object in turn: the waiter leaves every list. */
TEST_F(kipc, waiter_wait_many_leaves_on_each_wake)
{
	struct kt_report rep;
	struct wm_case c;
	char buf[8];
	int p[2], i, k;
	pid_t pid;

	KN_OPEN();
	ASSERT_EQ(0, wm_setup(&c));
	ASSERT_EQ(0, pipe(p));
	for (k = 1; k < 6; k++) {
		pid = kt_fork();
		if (pid == 0)
			wm_child(&c, p[1]);
		ASSERT_LT(0, pid);
		ASSERT_EQ(1, kt_read_report(p[0], &rep, KT_CHILD_TIMEOUT_MS));
		for (i = 0; i < 6; i++)
			ASSERT_EQ(0, wait_waiters(c.fd[i], 1, NULL));
		switch (k) {
		case 1:
			ASSERT_EQ(0, kipc_sem_post(c.s, 1, 0));
			break;
		case 2:
			ASSERT_EQ(0, raw_unlock(c.fd[2]));
			break;
		case 3:
			ASSERT_EQ(0, kipc_queue_send(c.fd[3], "m", 1, 0, 0));
			break;
		default:
			ASSERT_EQ(1, write(c.wfd[k], "w", 1));
			break;
		}
		ASSERT_EQ(1, kt_read_report(p[0], &rep, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, rep.ret);
		EXPECT_EQ((uint64_t)k, rep.value);
		EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
		for (i = 0; i < 6; i++)
			EXPECT_EQ(0, wait_waiters(c.fd[i], 0, NULL))
				TH_LOG("woken by %d: object %d", k, i);
		/* Empty the object again for the next round. */
		if (k == 2) {
			ASSERT_EQ(0, raw_lock(c.fd[2], 0, 0));
		} else if (k == 3) {
			ASSERT_LE(0, kipc_queue_recv(c.fd[3], buf, sizeof(buf),
						     NULL, 0));
		} else if (k == 4) {
			ASSERT_EQ(1, read(c.fd[4], buf, sizeof(buf)));
		}
	}
	EXPECT_EQ(0, raw_unlock(c.fd[2]));
	close(p[0]);
	close(p[1]);
	detach_sem(c.s);
}

/*
 * The same event waited for by a FIFO waiter, a wait for many and a
 * poll(2): two waiters, told apart by KIPC_WAITER_A_MANY; the poller is
 * not one.
 */
TEST_F(kipc, waiter_wait_many_beside_fifo_and_poll)
{
	struct kn_waiter ws[MAXH];
	struct kt_report rep;
	struct kn_reply r;
	struct kn_obj o;
	pid_t pid[3];
	int fd, p[2], n, i, many = 0;

	KN_OPEN();
	fd = kipc_event_create(NULL, 0600, KIPC_EVENT_MANUAL_RESET, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(p));
	for (i = 0; i < 3; i++) {
		pid[i] = kt_fork();
		if (pid[i] == 0) {
			struct kipc_wait_obj wo = { .fd = fd };
			struct pollfd pf = { .fd = fd, .events = POLLIN };
			int ret;

			kt_report(p[1], i, 0, 0);
			if (i == 0)
				ret = kipc_event_wait(fd, CHILD_WAIT_NS, NULL);
			else if (i == 1)
				ret = kipc_wait_many(&wo, 1, 0, CHILD_WAIT_NS, NULL);
			else
				ret = poll(&pf, 1, KT_CHILD_TIMEOUT_MS) == 1 ? 0 : -1;
			kt_report(p[1], 10 + i, ret, 0);
			_exit(0);
		}
		ASSERT_LT(0, pid[i]);
		ASSERT_EQ(1, kt_read_report(p[0], &rep, KT_CHILD_TIMEOUT_MS));
	}
	ASSERT_EQ(0, wait_waiters(fd, 2, NULL));
	/* The poller had time to block too: still two. */
	kt_sleep_ms(100);
	ASSERT_EQ(0, kn_get_obj(&kn, obj_id(fd), KIPC_WANT_WAITERS, &r, &o));
	n = kn_waiters(&o, ws, MAXH);
	EXPECT_EQ(2U, kn_u32(o.a[KIPC_OBJ_A_NR_WAITERS]));
	kn_reply_free(&r);
	ASSERT_EQ(2, n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ((uint32_t)KIPC_WAITFOR_SIGNAL, ws[i].wait);
		many += ws[i].many;
		EXPECT_EQ((uint32_t)(ws[i].many ? pid[1] : pid[0]), ws[i].pid);
	}
	EXPECT_EQ(1, many);
	ASSERT_EQ(0, kipc_event_signal(fd, 1));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, kt_read_report(p[0], &rep, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, rep.ret) TH_LOG("child %d", rep.idx - 10);
	}
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, kt_reap(pid[i], KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, wait_waiters(fd, 0, NULL));
	close(p[0]);
	close(p[1]);
}

TEST_F(kipc, channel_counters)
{
	struct kn_reply r;
	struct kn_obj o;
	char buf[64];
	size_t len;
	int fds[2];

	KN_OPEN();
	ASSERT_EQ(0, kipc_channel_pair(fds, NULL, 0));
	ASSERT_EQ(-ETIMEDOUT, kipc_channel_recv(fds[1], buf, sizeof(buf), &len,
						20 * MS));
	ASSERT_EQ(-EAGAIN, kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0));
	ASSERT_EQ(0, kipc_channel_send(fds[0], "abc", 3, 0));
	ASSERT_EQ(0, kipc_channel_send(fds[1], "defgh", 5, 0));
	ASSERT_EQ(1, kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0));
	GET_OBJ(fds[0], 0, r, o);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_MSGS_IN, 2);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_BYTES_IN, 8);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_MSGS_OUT, 1);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_BYTES_OUT, 3);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_WAITS, 1);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_TIMEOUTS, 1);
	EXPECT_EQ(NULL, o.cnt[KIPC_CNT_A_PEAK_DEPTH]);
	kn_reply_free(&r);
}

TEST_F(kipc, pipe_counters)
{
	struct kn_reply r;
	struct kn_obj o;
	char buf[64];
	int fds[2];

	KN_OPEN();
	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ASSERT_EQ(3, write(fds[1], "abc", 3));
	ASSERT_EQ(2, write(fds[1], "de", 2));
	ASSERT_EQ(5, read(fds[0], buf, sizeof(buf)));
	GET_OBJ(fds[0], 0, r, o);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_MSGS_IN, 2);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_BYTES_IN, 5);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_MSGS_OUT, 1);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_BYTES_OUT, 5);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_WAITS, 0);
	KN_EXPECT_U64(o.cnt, KIPC_CNT_A_PEAK_DEPTH, 5);
	EXPECT_EQ(NULL, o.cnt[KIPC_CNT_A_TIMEOUTS]);
	kn_reply_free(&r);
}

/* ---- IPC namespaces ---------------------------------------------------- */

/*
 * In a new IPC namespace: the host's object @host is not there (ENOENT
 * by id, absent from dumps), STATS counts this namespace only, and the
 * namespace's own object is; its id goes to @out.
 */
static int ns_child(uint64_t host, int out)
{
	struct nlattr *tb[KIPC_STATS_A_MAX + 1];
	struct kn_reply r = { 0 };
	struct kn_obj o;
	struct kn k = { 0 };
	uint64_t id;
	int fd, count;

	if (unshare(CLONE_NEWIPC) || kn_open(&k))
		return 10;
	if (kn_get_obj(&k, host, 0, &r, &o) != -ENOENT)
		return 11;
	kn_reply_free(&r);
	if (kn_call(&k, kn_dump_req(&k, 0, NULL, -1), &r) || r.err || r.n)
		return 12;
	kn_reply_free(&r);
	fd = kipc_event_create("kst.nl.ns", 0600, 0, 0);
	if (fd < 0)
		return 13;
	id = obj_id(fd);
	if (kn_call(&k, kn_dump_req(&k, 0, NULL, -1), &r) || r.err ||
	    r.n != 1 || kn_dump_find(&r, id, &count) != 0 || count != 1)
		return 14;
	kn_reply_free(&r);
	if (kn_get_obj(&k, id, 0, &r, &o))
		return 15;
	kn_reply_free(&r);
	if (kn_stats(&k, tb, &r) || kn_u64(tb[KIPC_STATS_A_OBJECTS]) != 1 ||
	    kn_u64(tb[KIPC_STATS_A_NAMED]) != 1)
		return 16;
	kn_reply_free(&r);
	kn_close(&k);
	return write(out, &id, sizeof(id)) == sizeof(id) ? 0 : 17;
}

TEST_F(kipc, obj_get_scoped_to_ipc_namespace)
{
	struct kipc_stats s;
	struct kn_reply r;
	struct kn_obj o;
	uint64_t id = 0;
	int fd, p[2], count, i;
	pid_t pid;

	KN_OPEN();
	ASSERT_EQ(0, kt_param_set("ns_reap_ms", 10));
	fd = kipc_event_create(kt_name("nlns"), 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(p));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(ns_child(obj_id(fd), p[1]));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ((ssize_t)sizeof(id), read(p[0], &id, sizeof(id)));
	/* The container's object, alive or not, is not the host's to see. */
	EXPECT_EQ(-ENOENT, kn_get_obj(&kn, id, 0, &r, &o));
	kn_reply_free(&r);
	ASSERT_EQ(0, kn_call(&kn, kn_dump_req(&kn, 0, NULL, -1), &r));
	EXPECT_EQ(-1, kn_dump_find(&r, id, &count));
	EXPECT_LE(0, kn_dump_find(&r, obj_id(fd), &count));
	kn_reply_free(&r);
	/* Its namespace died: wait for its names to go. */
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, kt_stats(&s));
		if (s.named == kt.base.named + 1)
			break;
		kt_sleep_ms(5);
	}
	EXPECT_EQ(kt.base.named + 1, s.named);
}

/* ---- KIPC_CMD_NS_GET ------------------------------------------------------ */

static uint32_t ns_ino(void)
{
	struct stat st;

	return stat("/proc/self/ns/ipc", &st) ? 0 : (uint32_t)st.st_ino;
}

/* The KIPC_A_NS nest of reply message @i of @r into @tb: 0 or -EBADMSG. */
static int ns_nest(const struct kn_reply *r, int i, struct nlattr **tb)
{
	if (i >= r->n || !r->msgs[i].tb[KIPC_A_NS])
		return -EBADMSG;
	return nla_parse_nested(tb, KIPC_NS_A_MAX, r->msgs[i].tb[KIPC_A_NS],
				NULL) ? -EBADMSG : 0;
}

/* The index of namespace @inum in dump @r, or -1; *@count: how many times. */
static int ns_find(const struct kn_reply *r, uint32_t inum, int *count)
{
	struct nlattr *tb[KIPC_NS_A_MAX + 1];
	int i, at = -1;

	*count = 0;
	for (i = 0; i < r->n; i++) {
		if (ns_nest(r, i, tb) || !kn_has(tb[KIPC_NS_A_INUM], 4))
			return -2;
		if (kn_u32(tb[KIPC_NS_A_INUM]) == inum) {
			at = at < 0 ? i : at;
			++*count;
		}
	}
	return at;
}

/*
 * In a new IPC namespace with a named event and an anonymous queue: the
 * doit and the dump show this namespace only, with its usage.  Writes its
 * inode number to @out, then waits for a byte on @in before it exits.
 */
static int ns_get_child(int out, int in)
{
	struct nlattr *tb[KIPC_NS_A_MAX + 1];
	struct kn_reply r = { 0 };
	struct kn k = { 0 };
	uint32_t inum;
	char c;

	if (unshare(CLONE_NEWIPC) || kn_open(&k))
		return 10;
	inum = ns_ino();
	if (kipc_event_create("kst.nl.nsget", 0600, 0, 0) < 0 ||
	    kipc_queue_create(NULL, 0600, 4, 64, 0) < 0)
		return 11;
	if (kn_simple(&k, KIPC_CMD_NS_GET, -1, 0, &r) || ns_nest(&r, 0, tb) ||
	    kn_u32(tb[KIPC_NS_A_INUM]) != inum || tb[KIPC_NS_A_INITIAL] ||
	    kn_u64(tb[KIPC_NS_A_OBJECTS]) != 2 ||
	    kn_u64(tb[KIPC_NS_A_NAMED]) != 1 ||
	    !kn_u64(tb[KIPC_NS_A_BYTES]) ||
	    kn_u64(tb[KIPC_NS_A_MAX_OBJECTS]) !=
	    (uint64_t)kt_param_get("max_objects_per_ns") ||
	    kn_u64(tb[KIPC_NS_A_MAX_BYTES]) !=
	    (uint64_t)kt_param_get("max_bytes_per_ns"))
		return 12;
	kn_reply_free(&r);
	/* Not the host's administrator here: its own namespace only. */
	if (kn_simple(&k, KIPC_CMD_NS_GET, -1, NLM_F_DUMP, &r) || r.err ||
	    r.n != 1 || ns_nest(&r, 0, tb) || kn_u32(tb[KIPC_NS_A_INUM]) != inum)
		return 13;
	kn_reply_free(&r);
	kn_close(&k);
	if (write(out, &inum, sizeof(inum)) != sizeof(inum))
		return 14;
	return read(in, &c, 1) == 1 ? 0 : 15;
}

/* An unprivileged host user's dump: the initial namespace only. */
static int ns_get_unprivileged(void)
{
	struct nlattr *tb[KIPC_NS_A_MAX + 1];
	struct kn_reply r = { 0 };
	struct kn k = { 0 };

	if (kt_become(NOBODY, NOBODY) || kn_open(&k))
		return 20;
	if (kn_simple(&k, KIPC_CMD_NS_GET, -1, NLM_F_DUMP, &r) || r.err ||
	    r.n != 1 || ns_nest(&r, 0, tb) || !tb[KIPC_NS_A_INITIAL])
		return 21;
	return 0;
}

TEST_F(kipc, ns_get_doit_and_dump)
{
	struct nlattr *tb[KIPC_NS_A_MAX + 1];
	struct kipc_stats s;
	struct kn_reply r;
	uint32_t inum = 0;
	int to[2], from[2], count;
	pid_t pid, nobody;

	KN_OPEN();
	/* Only a query can reap within this test. */
	ASSERT_EQ(0, kt_param_set("ns_reap_ms", 60000));
	ASSERT_EQ(0, kt_stats(&s));

	/* The initial namespace: its doit, flagged, with no per-ns limits. */
	ASSERT_EQ(0, kn_simple(&kn, KIPC_CMD_NS_GET, -1, 0, &r));
	ASSERT_EQ(0, r.err) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, ns_nest(&r, 0, tb));
	KN_EXPECT_U32(tb, KIPC_NS_A_INUM, ns_ino());
	KN_EXPECT_FLAG(tb, KIPC_NS_A_INITIAL, true);
	ASSERT_TRUE(kn_has(tb[KIPC_NS_A_USERNS_INUM], 4));
	KN_EXPECT_U64(tb, KIPC_NS_A_NAMED, s.named);
	EXPECT_EQ(NULL, tb[KIPC_NS_A_MAX_OBJECTS]);
	EXPECT_EQ(NULL, tb[KIPC_NS_A_MAX_BYTES]);
	kn_reply_free(&r);

	ASSERT_EQ(0, pipe(to));
	ASSERT_EQ(0, pipe(from));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(ns_get_child(from[1], to[0]));
	ASSERT_EQ((ssize_t)sizeof(inum), read(from[0], &inum, sizeof(inum)));
	ASSERT_NE(0U, inum);

	/* The host's administrator sees it, once, after the initial one. */
	ASSERT_EQ(0, kn_simple(&kn, KIPC_CMD_NS_GET, -1, NLM_F_DUMP, &r));
	ASSERT_EQ(0, r.err) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, ns_nest(&r, 0, tb));
	KN_EXPECT_FLAG(tb, KIPC_NS_A_INITIAL, true);
	ASSERT_LE(1, ns_find(&r, inum, &count));
	EXPECT_EQ(1, count);
	ASSERT_EQ(0, ns_nest(&r, ns_find(&r, inum, &count), tb));
	KN_EXPECT_FLAG(tb, KIPC_NS_A_INITIAL, false);
	KN_EXPECT_U64(tb, KIPC_NS_A_OBJECTS, 2);
	KN_EXPECT_U64(tb, KIPC_NS_A_NAMED, 1);
	kn_reply_free(&r);

	/* An unprivileged user of the host sees the initial one only. */
	nobody = kt_fork();
	ASSERT_LE(0, nobody);
	if (nobody == 0)
		_exit(ns_get_unprivileged());
	EXPECT_EQ(0, kt_reap(nobody, KT_CHILD_TIMEOUT_MS));

	/* It dies: the next query reaps it, long before ns_reap_ms. */
	ASSERT_EQ(1, write(to[1], "x", 1));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kn_simple(&kn, KIPC_CMD_NS_GET, -1, NLM_F_DUMP, &r));
	ASSERT_EQ(0, r.err) TH_LOG("%s", r.extack);
	EXPECT_EQ(-1, ns_find(&r, inum, &count));
	kn_reply_free(&r);
	ASSERT_EQ(0, kt_stats(&s));
	EXPECT_EQ(kt.base.named, s.named);
	EXPECT_EQ(kt.base.objects, s.objects);
	close(to[0]);
	close(to[1]);
	close(from[0]);
	close(from[1]);
}

/* NS_GET takes no attribute, in either form. */
TEST_F(kipc, ns_get_rejects_attributes)
{
	struct kn_reply r;

	KN_OPEN();
	KN_EXPECT_REFUSED(kn_simple(&kn, KIPC_CMD_NS_GET, 0, 0, &r), r, EINVAL);
	kn_reply_free(&r);
	KN_EXPECT_REFUSED(kn_simple(&kn, KIPC_CMD_NS_GET, 0, NLM_F_DUMP, &r),
			  r, EINVAL);
	kn_reply_free(&r);
}

TEST_HARNESS_MAIN
