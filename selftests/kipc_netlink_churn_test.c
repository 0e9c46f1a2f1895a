// SPDX-License-Identifier: GPL-2.0
/*
 * kipc selftests of the netlink family's object dump under churn: N
 * stable named objects (kept alive by their names alone), processes
 * creating and destroying other objects as fast as they can, and the
 * main process dumping again and again.  Every dump must list each stable
 * object exactly once, no id twice, ids in increasing order (the dump
 * walks the id index and resumes after the last id it sent), and hold no
 * lock across its parts (the churners keep going: their counts grow
 * during the dumps).  A dump flagged NLM_F_DUMP_INTR would be retried by a
 * client; it is counted, and only one not flagged is judged.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_test_util.h"
#include "kipc_netlink_util.h"

#define NCHURNERS	2
/* Objects a churner keeps alive at once (destroyed out of order). */
#define CHURN_KEEP	8

static struct kn kn;

/* The stable objects: names, sorted ids, and how often a dump saw each. */
static struct stable {
	char prefix[64];
	unsigned int n;
	unsigned int made;	/* names registered (to unlink) */
	uint64_t *ids;
	uint32_t *seen;
} st;

/* Unlink stable names @from, @from + @step, ... below @to. */
static void stable_unlink(unsigned int from, unsigned int to,
			  unsigned int step)
{
	struct kipc_unlink u;
	char name[96];
	unsigned int i;

	for (i = from; i < to; i += step) {
		snprintf(name, sizeof(name), "%s%u", st.prefix, i);
		kt_unlink_init(&u, name);
		kt_unlink_raw(&u);
	}
}

/*
 * Run @fn(@idx, @nproc, @arg) in @nproc processes at once (the VM has as
 * many CPUs): 0 if each exited with 0.
 */
static int in_parallel(int (*fn)(unsigned int idx, unsigned int nproc,
				 void *arg), unsigned int nproc, void *arg)
{
	pid_t pids[8];
	unsigned int i;
	int bad = 0;

	for (i = 0; i < nproc; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(fn(i, nproc, arg) ? 1 : 0);
		if (pids[i] < 0)
			bad = 1;
	}
	for (i = 0; i < nproc; i++) {
		int status;

		if (pids[i] > 0 &&
		    (waitpid(pids[i], &status, 0) != pids[i] ||
		     !WIFEXITED(status) || WEXITSTATUS(status)))
			bad = 1;
	}
	return bad ? -1 : 0;
}

static int unlink_part(unsigned int idx, unsigned int nproc, void *arg)
{
	stable_unlink(idx, st.made, nproc);
	return 0;
}

static void stable_cleanup(void)
{
	if (st.made && in_parallel(unlink_part, 2, NULL))
		stable_unlink(0, st.made, 1);
	free(st.seen);
	if (st.ids)
		munmap(st.ids, st.n * sizeof(*st.ids));
	memset(&st, 0, sizeof(st));
}

KT_FIXTURE_NAMED(kipc, { kn_close(&kn); stable_cleanup(); })

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Make stable objects @idx, @idx + @nproc, ...: their ids into st.ids. */
static int make_part(unsigned int idx, unsigned int nproc, void *arg)
{
	struct kipc_object_info in;
	char name[96];
	unsigned int i;
	int fd, err;

	for (i = idx; i < st.n; i += nproc) {
		snprintf(name, sizeof(name), "%s%u", st.prefix, i);
		fd = kipc_event_create(name, 0600, 0, 0);
		if (fd < 0)
			return fd;
		err = kt_obj_info(fd, &in, NULL, 0);
		close(fd);
		if (err)
			return err;
		st.ids[i] = in.id;
	}
	return 0;
}

/*
 * Create @n named events that only their names keep, in two processes:
 * 0 or -1.
 */
static int stable_make(unsigned int n)
{
	unsigned int i;
	int err;

	snprintf(st.prefix, sizeof(st.prefix), "kst.%d.s.", getpid());
	st.n = n;
	st.made = n;	/* what is there is unlinked, whatever happens */
	st.ids = kt_shared_map(n * sizeof(*st.ids));
	st.seen = calloc(n, sizeof(*st.seen));
	if (!st.ids || !st.seen)
		return -ENOMEM;
	err = in_parallel(make_part, 2, NULL);
	for (i = 0; !err && i < n; i++)
		if (!st.ids[i])
			err = -1;
	if (err)
		return err;
	qsort(st.ids, n, sizeof(*st.ids), cmp_u64);
	return 0;
}

/* The state of one dump being checked, message by message. */
struct dump_check {
	uint64_t last;		/* the last id seen */
	unsigned long objects;	/* objects in the dump */
	unsigned long disorder;	/* ids not above the one before */
	unsigned long bad;	/* replies without a valid object */
	uint32_t type;		/* the filter's type, or 0 */
};

static int check_one(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[KIPC_A_MAX + 1];
	struct dump_check *c = arg;
	struct kn_obj o;
	uint64_t id, *at;

	if (genlmsg_parse((struct nlmsghdr *)nlh, 0, tb, KIPC_A_MAX, NULL) ||
	    kn_obj_parse(tb[KIPC_A_OBJ], &o) ||
	    !kn_has(o.a[KIPC_OBJ_A_ID], 8) ||
	    (c->type && kn_u32(o.a[KIPC_OBJ_A_TYPE]) != c->type)) {
		c->bad++;
		return 0;
	}
	id = kn_u64(o.a[KIPC_OBJ_A_ID]);
	if (c->objects && id <= c->last)
		c->disorder++;
	c->last = id;
	c->objects++;
	at = bsearch(&id, st.ids, st.n, sizeof(id), cmp_u64);
	if (at)
		st.seen[at - st.ids]++;
	return 0;
}

/* The stable objects a dump saw other than exactly once. */
static unsigned int stable_wrong(void)
{
	unsigned int i, wrong = 0;

	for (i = 0; i < st.n; i++)
		wrong += st.seen[i] != 1;
	return wrong;
}

/* What the churners share with the test. */
struct churn {
	int stop;
	unsigned long long ops[NCHURNERS];
	int err[NCHURNERS];
};

/* Create and destroy objects of every kind until told to stop. */
static void churner(struct churn *c, int idx)
{
	int keep[CHURN_KEEP], fds[2], i, fd;
	unsigned long long n = 0;
	char name[64];

	for (i = 0; i < CHURN_KEEP; i++)
		keep[i] = -1;
	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED)) {
		i = (int)(n % CHURN_KEEP);
		if (keep[i] >= 0)
			close(keep[i]);
		switch (n % 5) {
		case 0:
			fd = kipc_event_create(NULL, 0600, 0, 0);
			break;
		case 1:
			fd = kipc_queue_create(NULL, 0600, 2, 16, 0);
			break;
		case 2:
			fd = kipc_sem_create(NULL, 0600, 0, 0, 0);
			break;
		case 3:
			fd = kipc_pipe(fds, 0, 0);
			if (!fd) {
				close(fds[1]);
				fd = fds[0];
			}
			break;
		default:
			/* A named one, unlinked at once. */
			snprintf(name, sizeof(name), "kst.%d.c%d.%llu",
				 getppid(), idx, n);
			fd = kipc_event_create(name, 0600, 0, 0);
			if (fd >= 0 && kipc_unlink(KIPC_TYPE_EVENT, name))
				fd = -EIO;
			break;
		}
		if (fd < 0) {
			c->err[idx] = fd;
			break;
		}
		keep[i] = fd;
		n++;
		__atomic_store_n(&c->ops[idx], n, __ATOMIC_RELAXED);
	}
	for (i = 0; i < CHURN_KEEP; i++)
		if (keep[i] >= 0)
			close(keep[i]);
}

/*
 * Dump (filtered by @prefix and @type if given) while the churners run,
 * for at least @min_dumps and @secs seconds; check each dump.
 */
static void churn_dumps(struct __test_metadata *_metadata, int min_dumps,
			int secs, const char *prefix, uint32_t type)
{
	unsigned long long before = 0, after = 0;
	int64_t end, t0, slowest = 0;
	int dumps = 0, intr = 0, i;
	struct churn *c;
	pid_t pids[NCHURNERS];

	c = kt_shared_map(sizeof(*c));
	ASSERT_NE(NULL, c);
	for (i = 0; i < NCHURNERS; i++) {
		pids[i] = kt_fork();
		if (pids[i] == 0) {
			churner(c, i);
			_exit(0);
		}
		ASSERT_LT(0, pids[i]);
	}
	/* Let the churn start. */
	while (!__atomic_load_n(&c->ops[0], __ATOMIC_RELAXED) && !c->err[0])
		kt_sleep_ms(1);
	end = kt_now_ns() + secs * KT_NSEC_PER_SEC;
	while (dumps < min_dumps || kt_now_ns() < end) {
		struct dump_check dc = { .type = type };
		struct kn_reply r;

		memset(st.seen, 0, st.n * sizeof(*st.seen));
		for (i = 0; i < NCHURNERS; i++)
			before += c->ops[i];
		t0 = kt_now_ns();
		ASSERT_EQ(0, kn_call_fn(&kn, kn_dump_req(&kn, type, prefix, -1),
					&r, check_one, &dc));
		if (kt_now_ns() - t0 > slowest)
			slowest = kt_now_ns() - t0;
		ASSERT_EQ(0, r.err) TH_LOG("dump: %s", r.extack);
		dumps++;
		if (r.intr) {
			intr++;
			continue;
		}
		EXPECT_EQ(0UL, dc.bad);
		EXPECT_EQ(0UL, dc.disorder) TH_LOG("dump %d", dumps);
		EXPECT_EQ(0U, stable_wrong()) TH_LOG("dump %d", dumps);
		if (prefix) {
			EXPECT_EQ((unsigned long)st.n, dc.objects);
		} else {
			EXPECT_LE((unsigned long)st.n, dc.objects);
		}
		if (dc.bad || dc.disorder || stable_wrong())
			break;
	}
	for (i = 0; i < NCHURNERS; i++)
		after += c->ops[i];
	__atomic_store_n(&c->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < NCHURNERS; i++) {
		EXPECT_EQ(0, kt_reap(pids[i], KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(0, c->err[i]) TH_LOG("churner %d: %d", i, c->err[i]);
	}
	TH_LOG("%d dumps of %u stable objects (%d interrupted), slowest %lld ms, %llu creations meanwhile",
	       dumps, st.n, intr, (long long)(slowest / KT_NSEC_PER_MSEC),
	       after);
	EXPECT_LT(intr, dumps) TH_LOG("every dump was interrupted");
	/* The churn went on while the module was being dumped. */
	EXPECT_LT(before / (dumps ? dumps : 1), after);
	kt_soak_count(NCHURNERS + 1, after + dumps);
	munmap(c, sizeof(*c));
}

/* A consistent dump in a single part does not prove resumption: many do. */
TEST_F_TIMEOUT(kipc, dump_churn_2000, 120)
{
	ASSERT_EQ(0, kn_open(&kn));
	ASSERT_EQ(0, kt_param_set("max_objects_per_uid", 100000));
	ASSERT_EQ(0, kt_param_set("max_objects", 200000));
	ASSERT_EQ(0, stable_make(2000));
	churn_dumps(_metadata, 10, 3, NULL, 0);
}

/* The same, filtered: exactly the stable objects, from the name index. */
TEST_F_TIMEOUT(kipc, dump_churn_2000_by_prefix, 120)
{
	ASSERT_EQ(0, kn_open(&kn));
	ASSERT_EQ(0, kt_param_set("max_objects_per_uid", 100000));
	ASSERT_EQ(0, kt_param_set("max_objects", 200000));
	ASSERT_EQ(0, stable_make(2000));
	churn_dumps(_metadata, 10, 2, st.prefix, 0);
}

/* Filtered by type, the others churning around them. */
TEST_F_TIMEOUT(kipc, dump_churn_2000_by_type, 120)
{
	ASSERT_EQ(0, kn_open(&kn));
	ASSERT_EQ(0, kt_param_set("max_objects_per_uid", 100000));
	ASSERT_EQ(0, kt_param_set("max_objects", 200000));
	ASSERT_EQ(0, stable_make(2000));
	churn_dumps(_metadata, 10, 2, NULL, KIPC_TYPE_EVENT);
}

/* The size the issue names: 100,000 stable objects, dumped under churn. */
TEST_F_TIMEOUT(kipc, dump_churn_100k, 300)
{
	int64_t t0;

	ASSERT_EQ(0, kn_open(&kn));
	ASSERT_EQ(0, kt_param_set("max_objects_per_uid", 200000));
	ASSERT_EQ(0, kt_param_set("max_objects", 300000));
	t0 = kt_now_ns();
	ASSERT_EQ(0, stable_make(100000));
	TH_LOG("100000 named objects made in %lld ms",
	       (long long)((kt_now_ns() - t0) / KT_NSEC_PER_MSEC));
	churn_dumps(_metadata, 2, 0, NULL, 0);
	t0 = kt_now_ns();
	stable_cleanup();
	TH_LOG("and unlinked in %lld ms",
	       (long long)((kt_now_ns() - t0) / KT_NSEC_PER_MSEC));
}

TEST_HARNESS_MAIN
