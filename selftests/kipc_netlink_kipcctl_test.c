// SPDX-License-Identifier: GPL-2.0
/*
 * kipc selftests of kipcctl(8), run in the VM from the build folder: its JSON
 * (the stable fields of its man page) checked field by field against the
 * objects the test made and against the netlink family's own answer, the
 * table output, `show` with holders and waiters, `stats`, `limits`,
 * `users`, `namespaces`, `top` in batch mode, `monitor`, and the exit statuses.
 *
 * kipcctl runs with fork() and exec() and its standard output in a pipe;
 * a small JSON parser below reads what it prints.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include <ctype.h>
#include <sched.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "kipc_test_util.h"
#include "kipc_mutex_util.h"
#include "kipc_netlink_util.h"

/* The build's, from the repository (the VM runs the tests there). */
#define KIPCCTL		"build/user/tools/kipcctl"
#define MS		KT_NSEC_PER_MSEC
#define CHILD_WAIT_NS	(KT_CHILD_TIMEOUT_MS * KT_NSEC_PER_MSEC)
#define NOBODY		65534

/* ---- a small JSON parser ------------------------------------------------ */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	int t;			/* enum jtype */
	char *key;		/* the member's name, inside an object */
	char *s;		/* J_STR: the string (unescaped); J_NUM: its text */
	bool b;
	struct jv *child;	/* J_ARR, J_OBJ: the first element */
	struct jv *next;	/* the next element of the parent */
};

struct jp {
	const char *p;
	int err;
};

static void j_free(struct jv *v)
{
	while (v) {
		struct jv *n = v->next;

		j_free(v->child);
		free(v->key);
		free(v->s);
		free(v);
		v = n;
	}
}

static void j_ws(struct jp *j)
{
	while (isspace((unsigned char)*j->p))
		j->p++;
}

/* A JSON string at j->p (after its quote) into a new C string. */
static char *j_string(struct jp *j)
{
	size_t cap = 32, n = 0;
	char *s = malloc(cap);

	if (!s || *j->p != '"')
		goto bad;
	j->p++;
	while (*j->p && *j->p != '"') {
		char c = *j->p++;

		if (c == '\\') {
			c = *j->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				unsigned int u;

				if (sscanf(j->p, "%4x", &u) != 1)
					goto bad;
				j->p += 4;
				c = u < 0x80 ? (char)u : '?';
				break;
			}
			case '"': case '\\': case '/':
				break;
			default:
				goto bad;
			}
		}
		if (n + 2 > cap) {
			char *t = realloc(s, cap *= 2);

			if (!t)
				goto bad;
			s = t;
		}
		s[n++] = c;
	}
	if (*j->p != '"')
		goto bad;
	j->p++;
	s[n] = '\0';
	return s;
bad:
	free(s);
	j->err = 1;
	return NULL;
}

static struct jv *j_value(struct jp *j, int depth)
{
	struct jv *v = calloc(1, sizeof(*v)), **tail;
	const char *start;

	if (!v || depth > 32) {
		j->err = 1;
		free(v);
		return NULL;
	}
	j_ws(j);
	if (*j->p == '{' || *j->p == '[') {
		bool obj = *j->p == '{';
		char close = obj ? '}' : ']';

		v->t = obj ? J_OBJ : J_ARR;
		j->p++;
		tail = &v->child;
		j_ws(j);
		if (*j->p == close) {
			j->p++;
			return v;
		}
		for (;;) {
			char *key = NULL;
			struct jv *e;

			j_ws(j);
			if (obj) {
				key = j_string(j);
				j_ws(j);
				if (!key || *j->p != ':') {
					free(key);
					j->err = 1;
					return v;
				}
				j->p++;
			}
			e = j_value(j, depth + 1);
			if (!e) {
				free(key);
				return v;
			}
			e->key = key;
			*tail = e;
			tail = &e->next;
			j_ws(j);
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p == close) {
				j->p++;
				return v;
			}
			j->err = 1;
			return v;
		}
	}
	if (*j->p == '"') {
		v->t = J_STR;
		v->s = j_string(j);
		return v;
	}
	if (!strncmp(j->p, "true", 4) || !strncmp(j->p, "false", 5)) {
		v->t = J_BOOL;
		v->b = *j->p == 't';
		j->p += v->b ? 4 : 5;
		return v;
	}
	if (!strncmp(j->p, "null", 4)) {
		v->t = J_NULL;
		j->p += 4;
		return v;
	}
	start = j->p;
	if (*j->p == '-')
		j->p++;
	while (isdigit((unsigned char)*j->p) || *j->p == '.' ||
	       *j->p == 'e' || *j->p == 'E' || *j->p == '+' || *j->p == '-')
		j->p++;
	if (j->p == start) {
		j->err = 1;
		return v;
	}
	v->t = J_NUM;
	v->s = strndup(start, j->p - start);
	return v;
}

/*
 * Parse one JSON value at *@text; *@text moves past it (for a stream of
 * values, one per line).  Return: the value, or NULL if it is not JSON.
 */
static struct jv *j_parse_next(const char **text)
{
	struct jp j = { .p = *text };
	struct jv *v;

	j_ws(&j);
	if (!*j.p)
		return NULL;
	v = j_value(&j, 0);
	if (j.err) {
		j_free(v);
		return NULL;
	}
	*text = j.p;
	return v;
}

/* Parse @text, which must be exactly one JSON value. */
static struct jv *j_parse(const char *text)
{
	struct jv *v = j_parse_next(&text);

	while (v && isspace((unsigned char)*text))
		text++;
	if (v && *text) {
		j_free(v);
		return NULL;
	}
	return v;
}

static const struct jv *j_get(const struct jv *o, const char *key)
{
	const struct jv *e;

	if (!o || o->t != J_OBJ)
		return NULL;
	for (e = o->child; e; e = e->next)
		if (!strcmp(e->key, key))
			return e;
	return NULL;
}

static int j_len(const struct jv *a)
{
	const struct jv *e;
	int n = 0;

	if (!a || (a->t != J_ARR && a->t != J_OBJ))
		return -1;
	for (e = a->child; e; e = e->next)
		n++;
	return n;
}

static const struct jv *j_at(const struct jv *a, int i)
{
	const struct jv *e = a && a->t == J_ARR ? a->child : NULL;

	while (e && i--)
		e = e->next;
	return e;
}

/* Whether @v is a non-negative integer (digits only). */
static bool j_is_uint(const struct jv *v)
{
	const char *p;

	if (!v || v->t != J_NUM || !v->s[0])
		return false;
	for (p = v->s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

static uint64_t j_u64(const struct jv *v)
{
	return j_is_uint(v) ? strtoull(v->s, NULL, 10) : 0xeeeeeeeeeeeeeeeeULL;
}

/* The element of array @a whose "id" is @id, or NULL; *@count: how many. */
static const struct jv *j_find_id(const struct jv *a, uint64_t id, int *count)
{
	const struct jv *e, *found = NULL;

	*count = 0;
	for (e = a && a->t == J_ARR ? a->child : NULL; e; e = e->next)
		if (j_u64(j_get(e, "id")) == id) {
			found = e;
			(*count)++;
		}
	return found;
}

#define J_EXPECT_U64(o, key, val) do {					\
	const struct jv *v_ = j_get(o, key);				\
									\
	EXPECT_TRUE(j_is_uint(v_)) TH_LOG("\"%s\": missing or not an integer", key); \
	if (j_is_uint(v_)) {						\
		EXPECT_EQ((uint64_t)(val), j_u64(v_)) TH_LOG("\"%s\"", key); \
	}								\
} while (0)

#define J_EXPECT_STR(o, key, val) do {					\
	const struct jv *v_ = j_get(o, key);				\
									\
	EXPECT_TRUE(v_ && v_->t == J_STR)				\
		TH_LOG("\"%s\": missing or not a string", key);	\
	if (v_ && v_->t == J_STR) {					\
		EXPECT_STREQ((val), v_->s) TH_LOG("\"%s\"", key);	\
	}								\
} while (0)

#define J_EXPECT_BOOL(o, key, val) do {					\
	const struct jv *v_ = j_get(o, key);				\
									\
	EXPECT_TRUE(v_ && v_->t == J_BOOL)				\
		TH_LOG("\"%s\": missing or not a boolean", key);	\
	if (v_ && v_->t == J_BOOL) {					\
		EXPECT_EQ(!!(val), v_->b) TH_LOG("\"%s\"", key);	\
	}								\
} while (0)

#define J_EXPECT_ABSENT(o, key) \
	EXPECT_EQ(NULL, j_get(o, key)) TH_LOG("\"%s\": not expected", key)

/* ---- running kipcctl -------------------------------------------------------- */

struct run {
	pid_t pid;
	int out;		/* read end of its stdout and stderr */
	char *text;		/* what it printed */
	size_t len, cap;
	int status;		/* exit status, 256 + signal, -1 */
};

/*
 * Start kipcctl with @args (NULL-terminated) as uid @uid (0: as is), its
 * stdout into the pipe @r->out (its stderr goes to the test's log).
 */
static int run_start(struct run *r, uid_t uid, const char *const *args)
{
	const char *argv[32] = { KIPCCTL };
	int p[2], i;

	memset(r, 0, sizeof(*r));
	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	if (pipe(p))
		return -errno;
	r->pid = kt_fork();
	if (r->pid < 0)
		return -errno;
	if (r->pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		if (uid && kt_become(uid, uid))
			_exit(120);
		execv(KIPCCTL, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	r->out = p[0];
	return 0;
}

/* Read what is there (waiting up to @timeout_ms for more): bytes read. */
static ssize_t run_read(struct run *r, int timeout_ms)
{
	struct pollfd pf = { .fd = r->out, .events = POLLIN };
	ssize_t n;

	if (r->out < 0 || poll(&pf, 1, timeout_ms) != 1)
		return 0;
	if (r->len + 4097 > r->cap) {
		char *t = realloc(r->text, r->cap = r->cap * 2 + 8192);

		if (!t)
			return -ENOMEM;
		r->text = t;
	}
	n = read(r->out, r->text + r->len, 4096);
	if (n <= 0) {
		close(r->out);
		r->out = -1;
		return n < 0 ? -errno : 0;
	}
	r->len += n;
	r->text[r->len] = '\0';
	return n;
}

/* Read to the end and reap it (killed after @timeout_ms): its status. */
static int run_finish(struct run *r, int timeout_ms)
{
	int64_t end = kt_now_ns() + timeout_ms * MS;

	while (r->out >= 0 && kt_now_ns() < end)
		run_read(r, 100);
	if (!r->text) {
		r->text = calloc(1, 1);
		r->cap = 1;
	}
	r->status = kt_reap(r->pid, r->out >= 0 ? 0 :
			    (int)((end - kt_now_ns()) / MS) + 1);
	if (r->out >= 0)
		close(r->out);
	r->out = -1;
	return r->status;
}

static void run_free(struct run *r)
{
	free(r->text);
	r->text = NULL;
}

/* Run kipcctl to its end: its exit status; its output in r->text. */
static int kipcctl_as(struct run *r, uid_t uid, const char *const *args)
{
	if (run_start(r, uid, args))
		return -1;
	return run_finish(r, KT_CHILD_TIMEOUT_MS);
}

#define KIPCCTL_RUN(r, ...) \
	kipcctl_as(r, 0, (const char *const[]){ __VA_ARGS__, NULL })

/* Run kipcctl, which must succeed and print one JSON value: the value. */
#define KIPCCTL_JSON(r, v, ...) do {					\
	ASSERT_EQ(0, KIPCCTL_RUN(r, __VA_ARGS__))			\
		TH_LOG("kipcctl: %s", (r)->text ? (r)->text : "");	\
	v = j_parse((r)->text);						\
	ASSERT_NE(NULL, v) TH_LOG("not JSON: %s", (r)->text);		\
} while (0)

static struct kn kn;
static struct jv *jroot;

KT_FIXTURE_NAMED(kipc, { kn_close(&kn); j_free(jroot); jroot = NULL; })

static uint64_t obj_id(int fd)
{
	struct kipc_object_info in;

	return kt_obj_info(fd, &in, NULL, 0) ? 0 : in.id;
}

static char *id_str(uint64_t id, char *buf)
{
	sprintf(buf, "%llu", (unsigned long long)id);
	return buf;
}

/* ---- list ---------------------------------------------------------------- */

/* The common fields of object @o against the netlink family's answer. */
static void check_common(struct __test_metadata *_metadata,
			 const struct jv *o, uint64_t id, const char *type,
			 const char *name, bool linked, uint32_t mode,
			 uint32_t files, uint32_t mappings)
{
	struct kn_reply r;
	struct kn_obj n;

	ASSERT_NE(NULL, o);
	J_EXPECT_U64(o, "id", id);
	J_EXPECT_STR(o, "type", type);
	if (name) {
		J_EXPECT_STR(o, "name", name);
	} else {
		J_EXPECT_ABSENT(o, "name");
	}
	J_EXPECT_BOOL(o, "linked", linked);
	J_EXPECT_U64(o, "uid", getuid());
	J_EXPECT_U64(o, "gid", getgid());
	J_EXPECT_U64(o, "cuid", getuid());
	J_EXPECT_U64(o, "cgid", getgid());
	J_EXPECT_U64(o, "mode", mode);
	J_EXPECT_U64(o, "creator_pid", getpid());
	J_EXPECT_U64(o, "files", files);
	J_EXPECT_U64(o, "mappings", mappings);
	J_EXPECT_U64(o, "nr_waiters", 0);
	EXPECT_NE(NULL, j_get(o, "state"));
	EXPECT_EQ(J_OBJ, j_get(o, "state") ? j_get(o, "state")->t : J_NULL);
	/* A region passes nothing through the kernel: it has no counter. */
	if (strcmp(type, "region")) {
		EXPECT_NE(NULL, j_get(o, "counters"));
	}
	/* Only show has holders and waiters. */
	J_EXPECT_ABSENT(o, "holders");
	J_EXPECT_ABSENT(o, "waiters");
	/* ctime_ns and charge as the family says. */
	ASSERT_EQ(0, kn_get_obj(&kn, id, 0, &r, &n));
	J_EXPECT_U64(o, "ctime_ns", kn_u64(n.a[KIPC_OBJ_A_CTIME]));
	J_EXPECT_U64(o, "charge", kn_u64(n.a[KIPC_OBJ_A_CHARGE]));
	kn_reply_free(&r);
}

struct objs {
	int ev, q, ch[2], pp[2], rg, sem, mx, cv;
	struct kipc_mutex *mh;
	char *map;
	const char *qname, *rname;
};

/* One object of each type, each in a state worth showing. */
static int make_objs(struct objs *o)
{
	struct kipc_event_attr ea = {
		.flags = KIPC_EVENT_MANUAL_RESET | KIPC_EVENT_SET, .value = 5,
	};

	o->qname = kt_name("ctl.q");
	o->rname = kt_name("ctl.rg");
	o->ev = kipc_create(KIPC_TYPE_EVENT, NULL, 0600, &ea, sizeof(ea), 0);
	o->q = kipc_queue_create(o->qname, 0640, 6, 32, 0);
	if (o->ev < 0 || o->q < 0 ||
	    kipc_queue_send(o->q, "abc", 3, 0, 0) ||
	    kipc_queue_send(o->q, "defg", 4, 0, 0) ||
	    kipc_queue_send(o->q, "hi", 2, 0, 0))
		return -1;
	if (kipc_channel_pair(o->ch, NULL, 0) || kipc_pipe(o->pp, 8192, 0))
		return -1;
	if (write(o->pp[1], "0123456789", 10) != 10)
		return -1;
	o->rg = kipc_region_create(o->rname, 0604, 8192, 0);
	o->map = o->rg < 0 ? NULL :
		 kipc_region_map(o->rg, PROT_READ | PROT_WRITE, NULL, NULL);
	if (!o->map)
		return -1;
	o->map[0] = 1;
	o->sem = kipc_sem_create(NULL, 0600, 2, 10, 0);
	o->mx = mk_mutex(KIPC_MUTEX_RECURSIVE, &o->mh);
	o->cv = kipc_cond_create(NULL, 0600, 0);
	if (o->sem < 0 || o->mx < 0 || o->cv < 0)
		return -1;
	return raw_lock(o->mx, 0, 0);
}

TEST_F(kipc, list_json_every_type)
{
	const struct jv *o, *s, *rings, *c;
	struct objs x;
	struct run r;
	int count;

	ASSERT_EQ(0, kn_open(&kn));
	ASSERT_EQ(0, make_objs(&x));
	KIPCCTL_JSON(&r, jroot, "-j", "list");
	ASSERT_EQ(J_ARR, jroot->t);

	o = j_find_id(jroot, obj_id(x.ev), &count);
	EXPECT_EQ(1, count);
	check_common(_metadata, o, obj_id(x.ev), "event", NULL, false, 0600, 1, 0);
	s = j_get(o, "state");
	J_EXPECT_BOOL(s, "set", true);
	J_EXPECT_BOOL(s, "manual_reset", true);
	J_EXPECT_U64(s, "value", 5);

	o = j_find_id(jroot, obj_id(x.q), &count);
	EXPECT_EQ(1, count);
	check_common(_metadata, o, obj_id(x.q), "queue", x.qname, true, 0640, 1, 0);
	s = j_get(o, "state");
	J_EXPECT_U64(s, "msgs", 3);
	J_EXPECT_U64(s, "max_msgs", 6);
	J_EXPECT_U64(s, "bytes", 9);
	J_EXPECT_U64(s, "max_msg_size", 32);
	J_EXPECT_U64(s, "notify_pid", 0);
	c = j_get(o, "counters");
	J_EXPECT_U64(c, "msgs_in", 3);
	J_EXPECT_U64(c, "bytes_in", 9);
	J_EXPECT_U64(c, "msgs_out", 0);
	J_EXPECT_U64(c, "peak_depth", 3);

	o = j_find_id(jroot, obj_id(x.ch[0]), &count);
	EXPECT_EQ(1, count);
	check_common(_metadata, o, obj_id(x.ch[0]), "channel", NULL, false, 0600, 2, 0);
	rings = j_get(j_get(o, "state"), "rings");
	ASSERT_EQ(2, j_len(rings));
	J_EXPECT_U64(j_at(rings, 0), "index", 0);
	J_EXPECT_U64(j_at(rings, 1), "index", 1);
	J_EXPECT_U64(j_at(rings, 0), "capacity", KIPC_CHAN_DEFAULT_CAPACITY);
	J_EXPECT_U64(j_at(rings, 0), "used", 0);
	J_EXPECT_U64(j_at(rings, 0), "max_msg", KIPC_CHAN_DEFAULT_MAX_MSG);
	J_EXPECT_BOOL(j_at(rings, 1), "end_open", true);

	o = j_find_id(jroot, obj_id(x.pp[0]), &count);
	EXPECT_EQ(1, count);
	check_common(_metadata, o, obj_id(x.pp[0]), "pipe", NULL, false, 0600, 2, 0);
	s = j_get(o, "state");
	J_EXPECT_U64(s, "capacity", 8192);
	J_EXPECT_U64(s, "used", 10);
	J_EXPECT_U64(s, "readers", 1);
	J_EXPECT_U64(s, "writers", 1);

	o = j_find_id(jroot, obj_id(x.rg), &count);
	EXPECT_EQ(1, count);
	check_common(_metadata, o, obj_id(x.rg), "region", x.rname, true, 0604, 1, 1);
	s = j_get(o, "state");
	J_EXPECT_U64(s, "size", 8192);
	J_EXPECT_U64(s, "resident", kt_page_size());

	o = j_find_id(jroot, obj_id(x.sem), &count);
	EXPECT_EQ(1, count);
	check_common(_metadata, o, obj_id(x.sem), "sem", NULL, false, 0600, 1, 0);
	s = j_get(o, "state");
	J_EXPECT_U64(s, "value", 2);
	J_EXPECT_U64(s, "value_max", 10);
	J_EXPECT_U64(s, "undo_procs", 0);

	o = j_find_id(jroot, obj_id(x.mx), &count);
	EXPECT_EQ(1, count);
	/* The handle maps the mutex's word. */
	check_common(_metadata, o, obj_id(x.mx), "mutex", NULL, false, 0600, 1, 1);
	s = j_get(o, "state");
	J_EXPECT_BOOL(s, "locked", true);
	J_EXPECT_STR(s, "state", "ok");
	J_EXPECT_U64(s, "owner_tid", kt_gettid());
	J_EXPECT_U64(s, "owner_pid", getpid());
	J_EXPECT_U64(s, "depth", 1);
	J_EXPECT_BOOL(s, "recursive", true);

	o = j_find_id(jroot, obj_id(x.cv), &count);
	EXPECT_EQ(1, count);
	check_common(_metadata, o, obj_id(x.cv), "cond", NULL, false, 0600, 1, 0);
	EXPECT_EQ(0, j_len(j_get(o, "state")));
	run_free(&r);
	EXPECT_EQ(0, raw_unlock(x.mx));
	kipc_mutex_detach(x.mh);
	munmap(x.map, 8192);
}

/* -p changes only whitespace. */
TEST_F(kipc, list_json_pretty_same)
{
	struct jv *pretty;
	struct run r, rp;
	int fd, count;

	fd = kipc_event_create(kt_name("pretty"), 0600, 0, 0);
	ASSERT_LE(0, fd);
	KIPCCTL_JSON(&r, jroot, "-j", "list");
	KIPCCTL_JSON(&rp, pretty, "-j", "-p", "list");
	EXPECT_LT(r.len, rp.len);
	EXPECT_EQ(j_len(jroot), j_len(pretty));
	EXPECT_NE(NULL, j_find_id(pretty, obj_id(fd), &count));
	J_EXPECT_STR(j_find_id(pretty, obj_id(fd), &count), "name", kt.names[0]);
	j_free(pretty);
	run_free(&r);
	run_free(&rp);
}

TEST_F(kipc, list_json_filters)
{
	const char *a = kt_name("flt.a"), *b = kt_name("flt.b");
	char prefix[64], uid[16];
	const struct jv *e;
	int fa, fb, fe, count;
	struct run r;

	fa = kipc_queue_create(a, 0600, 0, 0, 0);
	fb = kipc_event_create(b, 0600, 0, 0);
	fe = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fa);
	ASSERT_LE(0, fb);
	ASSERT_LE(0, fe);

	KIPCCTL_JSON(&r, jroot, "-j", "list", "queue");
	for (e = jroot->child; e; e = e->next)
		J_EXPECT_STR(e, "type", "queue");
	EXPECT_NE(NULL, j_find_id(jroot, obj_id(fa), &count));
	EXPECT_EQ(NULL, j_find_id(jroot, obj_id(fb), &count));
	j_free(jroot);
	run_free(&r);

	snprintf(prefix, sizeof(prefix), "kst.%d.flt.", getpid());
	KIPCCTL_JSON(&r, jroot, "-j", "list", "name", prefix);
	EXPECT_EQ(2, j_len(jroot));
	EXPECT_NE(NULL, j_find_id(jroot, obj_id(fa), &count));
	EXPECT_NE(NULL, j_find_id(jroot, obj_id(fb), &count));
	j_free(jroot);
	run_free(&r);

	snprintf(uid, sizeof(uid), "%u", getuid());
	KIPCCTL_JSON(&r, jroot, "-j", "list", "event", "name", prefix,
		     "owner", uid);
	EXPECT_EQ(1, j_len(jroot));
	EXPECT_NE(NULL, j_find_id(jroot, obj_id(fb), &count));
	j_free(jroot);
	jroot = NULL;
	run_free(&r);
}

/* The line of @text that starts with @word followed by a blank, or NULL. */
static const char *line_starting(const char *text, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, word, n) && (p[n] == ' ' || p[n] == '\t'))
			return p;
	}
	return NULL;
}

/* Whether the line at @line has the blank-separated word @w. */
static bool line_has_word(const char *line, const char *w)
{
	size_t n = strlen(w), len = strcspn(line, "\n");
	const char *p = line;

	while ((p = strstr(p, w)) && p < line + len) {
		if ((p == line || isspace((unsigned char)p[-1])) &&
		    (isspace((unsigned char)p[n]) || !p[n]))
			return true;
		p++;
	}
	return false;
}

TEST_F(kipc, list_table)
{
	const char *name = kt_name("tbl"), *l;
	char id[32], id2[32], w[128];
	int fd, anon, len;
	struct run r;

	fd = kipc_sem_create(name, 0640, 1, 0, 0);
	anon = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, anon);
	ASSERT_EQ(0, KIPCCTL_RUN(&r, "list"));
	EXPECT_NE(NULL, strstr(r.text, "ID"));
	l = line_starting(r.text, "ID");
	ASSERT_NE(NULL, l) TH_LOG("no header: %s", r.text);
	EXPECT_TRUE(line_has_word(l, "TYPE"));
	EXPECT_TRUE(line_has_word(l, "NAME"));
	EXPECT_TRUE(line_has_word(l, "OWNER"));
	EXPECT_TRUE(line_has_word(l, "MODE"));

	l = line_starting(r.text, id_str(obj_id(fd), id));
	ASSERT_NE(NULL, l) TH_LOG("no line for %s:\n%s", id, r.text);
	EXPECT_TRUE(line_has_word(l, "sem"));
	EXPECT_TRUE(line_has_word(l, name));
	EXPECT_TRUE(line_has_word(l, "0640"));
	EXPECT_TRUE(line_has_word(l, "root") || line_has_word(l, "0"));
	l = line_starting(r.text, id_str(obj_id(anon), id2));
	ASSERT_NE(NULL, l);
	EXPECT_TRUE(line_has_word(l, "event"));
	EXPECT_TRUE(line_has_word(l, "-"));
	run_free(&r);

	/* Unlinked but open: shown as such. */
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_SEMAPHORE, name));
	ASSERT_EQ(0, KIPCCTL_RUN(&r, "list"));
	l = line_starting(r.text, id);
	ASSERT_NE(NULL, l);
	snprintf(w, sizeof(w), "%s(unlinked)", name);
	len = (int)strcspn(l, "\n");
	EXPECT_TRUE(line_has_word(l, w)) TH_LOG("%.*s", len, l);
	run_free(&r);
}

/* ---- show -------------------------------------------------------------- */

TEST_F(kipc, show_holders_and_waiters)
{
	const char *name = kt_name("show");
	const struct jv *h, *w, *e;
	struct kt_report rep;
	char id[32];
	int fd, p[2], hits = 0;
	struct run r;
	pid_t pid;

	ASSERT_EQ(0, kn_open(&kn));
	fd = kipc_event_create(name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(p));
	pid = kt_fork();
	if (pid == 0) {
		/* Its own file: a holder (an inherited fd is the opener's). */
		int own;

		prctl(PR_SET_NAME, "kst-shown");
		own = kipc_event_open(name, 0);
		kt_report(p[1], 0, own, (uint64_t)kt_gettid());
		kt_report(p[1], 1, kipc_event_wait(own, CHILD_WAIT_NS, NULL), 0);
		_exit(0);
	}
	ASSERT_EQ(1, kt_read_report(p[0], &rep, KT_CHILD_TIMEOUT_MS));
	ASSERT_LE(0, rep.ret);
	ASSERT_EQ(0, kt_wait_waiters(fd, 1, KT_CHILD_TIMEOUT_MS));
	kt_sleep_ms(20);

	KIPCCTL_JSON(&r, jroot, "-j", "show", id_str(obj_id(fd), id));
	ASSERT_EQ(J_OBJ, jroot->t);
	J_EXPECT_U64(jroot, "id", obj_id(fd));
	J_EXPECT_STR(jroot, "name", name);
	J_EXPECT_U64(jroot, "nr_waiters", 1);
	J_EXPECT_ABSENT(jroot, "holders_visible");
	h = j_get(jroot, "holders");
	ASSERT_NE(NULL, h);
	/* This process and the child. */
	EXPECT_EQ(2, j_len(h));
	for (e = h->child; e; e = e->next) {
		if (j_u64(j_get(e, "pid")) == (uint64_t)pid) {
			J_EXPECT_STR(e, "comm", "kst-shown");
			J_EXPECT_U64(e, "files", 1);
			hits++;
		}
		if (j_u64(j_get(e, "pid")) == (uint64_t)getpid()) {
			J_EXPECT_U64(e, "files", 1);
			J_EXPECT_U64(e, "mappings", 0);
			hits++;
		}
	}
	EXPECT_EQ(2, hits);
	w = j_get(jroot, "waiters");
	ASSERT_EQ(1, j_len(w));
	J_EXPECT_U64(j_at(w, 0), "pid", pid);
	J_EXPECT_U64(j_at(w, 0), "tid", rep.value);
	J_EXPECT_STR(j_at(w, 0), "comm", "kst-shown");
	J_EXPECT_STR(j_at(w, 0), "wait", "signal");
	EXPECT_LE(20 * MS, (int64_t)j_u64(j_get(j_at(w, 0), "waited_ns")));
	run_free(&r);

	ASSERT_EQ(0, kipc_event_signal(fd, 1));
	ASSERT_EQ(1, kt_read_report(p[0], &rep, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, rep.ret);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* Holders and waiters of another's object: not shown, and said so. */
TEST_F(kipc, show_not_owner)
{
	struct run r;
	char id[32];
	int fd;

	fd = kipc_event_create(kt_name("nshow"), 0644, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipcctl_as(&r, NOBODY, (const char *const[]){
		"-j", "show", id_str(obj_id(fd), id), NULL }))
		TH_LOG("%s", r.text);
	jroot = j_parse(r.text);
	ASSERT_NE(NULL, jroot) TH_LOG("not JSON: %s", r.text);
	J_EXPECT_U64(jroot, "id", obj_id(fd));
	J_EXPECT_BOOL(jroot, "holders_visible", false);
	J_EXPECT_ABSENT(jroot, "holders");
	J_EXPECT_ABSENT(jroot, "waiters");
	run_free(&r);
}

/* ---- stats, limits, users -------------------------------------------------- */

TEST_F(kipc, stats_json)
{
	struct kipc_stats s;
	struct run r;

	ASSERT_LE(0, kipc_event_create(kt_name("st"), 0600, 0, 0));
	KIPCCTL_JSON(&r, jroot, "-j", "stats");
	ASSERT_EQ(0, kt_stats(&s));
	J_EXPECT_U64(jroot, "objects", s.objects);
	J_EXPECT_U64(jroot, "named", s.named);
	J_EXPECT_U64(jroot, "created", s.created);
	J_EXPECT_U64(jroot, "destroyed", s.destroyed);
	EXPECT_TRUE(j_is_uint(j_get(jroot, "refused_enospc")));
	EXPECT_TRUE(j_is_uint(j_get(jroot, "refused_edquot")));
	EXPECT_LE(1ULL, j_u64(j_get(jroot, "users")));
	run_free(&r);
}

/* The limit named @name in @limits, or NULL. */
static const struct jv *limit_named(const struct jv *limits, const char *name)
{
	const struct jv *e;

	for (e = limits && limits->t == J_ARR ? limits->child : NULL; e;
	     e = e->next)
		if (j_get(e, "name") && j_get(e, "name")->t == J_STR &&
		    !strcmp(j_get(e, "name")->s, name))
			return e;
	return NULL;
}

TEST_F(kipc, limits_json)
{
	char params[KN_MAX_PARAMS][32];
	const struct jv *limits, *l;
	struct kipc_stats s;
	int i, nparams;
	struct run r;

	ASSERT_LE(0, kipc_event_create(NULL, 0600, 0, 0));
	ASSERT_EQ(0, kt_stats(&s));
	KIPCCTL_JSON(&r, jroot, "-j", "limits");
	J_EXPECT_U64(jroot, "uid", geteuid());
	limits = j_get(jroot, "limits");
	ASSERT_NE(NULL, limits);
	nparams = kn_param_names(params);
	ASSERT_LE(10, nparams);
	for (i = 0; i < nparams; i++) {
		char param[32];

		/* (a copy the compiler knows the size of) */
		snprintf(param, sizeof(param), "%.31s", params[i]);
		l = limit_named(limits, param);
		EXPECT_NE(NULL, l) TH_LOG("no limit %s", param);
		if (l) {
			J_EXPECT_U64(l, "value", kt_param_get(param));
		}
	}
	EXPECT_EQ(nparams, j_len(limits));
	l = limit_named(limits, "max_objects");
	ASSERT_NE(NULL, l);
	J_EXPECT_U64(l, "used", s.objects);
	J_EXPECT_STR(l, "errno", "ENOSPC");
	l = limit_named(limits, "max_objects_per_uid");
	ASSERT_NE(NULL, l);
	J_EXPECT_U64(l, "uid_used", s.uid_objects);
	J_EXPECT_STR(l, "errno", "EDQUOT");
	run_free(&r);

	/* Another uid's use. */
	j_free(jroot);
	KIPCCTL_JSON(&r, jroot, "-j", "limits", "uid", "4242");
	J_EXPECT_U64(jroot, "uid", 4242);
	l = limit_named(j_get(jroot, "limits"), "max_objects_per_uid");
	ASSERT_NE(NULL, l);
	J_EXPECT_U64(l, "uid_used", 0);
	run_free(&r);
}

TEST_F(kipc, users_json)
{
	const struct jv *e, *me = NULL;
	struct kipc_stats s;
	struct run r;

	ASSERT_LE(0, kipc_queue_create(NULL, 0600, 2, 64, 0));
	ASSERT_EQ(0, kt_stats(&s));
	KIPCCTL_JSON(&r, jroot, "-j", "users");
	ASSERT_EQ(J_ARR, jroot->t);
	for (e = jroot->child; e; e = e->next)
		if (j_u64(j_get(e, "uid")) == geteuid())
			me = e;
	ASSERT_NE(NULL, me);
	J_EXPECT_U64(me, "objects", s.uid_objects);
	J_EXPECT_U64(me, "bytes", s.uid_bytes);
	J_EXPECT_U64(me, "max_objects", kt_param_get("max_objects_per_uid"));
	J_EXPECT_U64(me, "max_bytes", kt_param_get("max_bytes_per_uid"));
	run_free(&r);
}

static uint32_t ns_ino(void)
{
	struct stat st;

	return stat("/proc/self/ns/ipc", &st) ? 0 : (uint32_t)st.st_ino;
}

/* A child in a new IPC namespace with one named event, until @in says. */
static int ns_child(int out, int in)
{
	uint32_t inum;
	char c;

	if (unshare(CLONE_NEWIPC))
		return 10;
	inum = ns_ino();
	if (kipc_event_create("kst.ctl.ns", 0600, 0, 0) < 0)
		return 11;
	if (write(out, &inum, sizeof(inum)) != sizeof(inum))
		return 12;
	return read(in, &c, 1) == 1 ? 0 : 13;
}

TEST_F(kipc, namespaces_json_and_table)
{
	const struct jv *e, *init = NULL, *ctr = NULL;
	uint32_t inum = 0;
	int to[2], from[2];
	struct run r;
	pid_t pid;

	ASSERT_EQ(0, pipe(to));
	ASSERT_EQ(0, pipe(from));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(ns_child(from[1], to[0]));
	ASSERT_EQ((ssize_t)sizeof(inum), read(from[0], &inum, sizeof(inum)));

	KIPCCTL_JSON(&r, jroot, "-j", "namespaces");
	ASSERT_EQ(J_ARR, jroot->t);
	for (e = jroot->child; e; e = e->next) {
		if (j_u64(j_get(e, "ipcns")) == ns_ino())
			init = e;
		if (j_u64(j_get(e, "ipcns")) == inum)
			ctr = e;
	}
	ASSERT_EQ(init, jroot->child);	/* the initial one first */
	ASSERT_NE(NULL, ctr);
	EXPECT_TRUE(j_get(init, "initial") && j_get(init, "initial")->b);
	EXPECT_TRUE(j_get(ctr, "initial") && !j_get(ctr, "initial")->b);
	EXPECT_TRUE(j_is_uint(j_get(ctr, "userns")));
	J_EXPECT_U64(ctr, "objects", 1);
	J_EXPECT_U64(ctr, "named", 1);
	J_EXPECT_U64(ctr, "max_objects", kt_param_get("max_objects_per_ns"));
	J_EXPECT_U64(ctr, "max_bytes", kt_param_get("max_bytes_per_ns"));
	EXPECT_EQ(NULL, j_get(init, "max_objects"));
	run_free(&r);

	ASSERT_EQ(0, KIPCCTL_RUN(&r, "namespaces"));
	EXPECT_NE(NULL, strstr(r.text, "IPCNS"));
	EXPECT_NE(NULL, strstr(r.text, "(initial)"));
	run_free(&r);

	ASSERT_EQ(1, write(to[1], "x", 1));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	/* Asking reaps: the dead namespace is gone at once. */
	j_free(jroot);
	jroot = NULL;
	KIPCCTL_JSON(&r, jroot, "-j", "namespaces");
	for (e = jroot->child; e; e = e->next)
		EXPECT_NE((uint64_t)inum, j_u64(j_get(e, "ipcns")));
	run_free(&r);
	/* And it takes no argument. */
	EXPECT_EQ(2, KIPCCTL_RUN(&r, "namespaces", "uid", "0"));
	run_free(&r);
	close(to[0]);
	close(to[1]);
	close(from[0]);
	close(from[1]);
}

/* ---- top ------------------------------------------------------------------ */

/* A child that sends and receives on @fd until killed. */
static pid_t spawn_busy(int fd)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		char buf[16];

		for (;;) {
			if (kipc_queue_send(fd, "busy", 4, 0, 0) ||
			    kipc_queue_recv(fd, buf, sizeof(buf), NULL, 0) != 4)
				_exit(1);
		}
	}
	return pid;
}

TEST_F(kipc, top_batch_json)
{
	const char *text;
	struct jv *it[3] = { NULL };
	const struct jv *e;
	int fd, n = 0;
	struct run r;
	pid_t busy;

	fd = kipc_queue_create(kt_name("busy"), 0600, 4, 16, 0);
	ASSERT_LE(0, fd);
	busy = spawn_busy(fd);
	ASSERT_LT(0, busy);
	ASSERT_EQ(0, KIPCCTL_RUN(&r, "-j", "top", "-n", "2", "-d", "1"))
		TH_LOG("%s", r.text);
	text = r.text;
	while (n < 3 && (it[n] = j_parse_next(&text)))
		n++;
	EXPECT_EQ(2, n) TH_LOG("%s", r.text);
	ASSERT_LE(1, n);
	/* Sorted by ops: the busy queue first, with a rate. */
	e = j_at(it[n - 1], 0);
	ASSERT_NE(NULL, e) TH_LOG("%s", r.text);
	J_EXPECT_U64(e, "id", obj_id(fd));
	J_EXPECT_STR(e, "type", "queue");
	J_EXPECT_STR(e, "name", kt.names[0]);
	EXPECT_NE(NULL, j_get(e, "ops_per_sec"));
	EXPECT_LT(1.0, j_get(e, "ops_per_sec") ?
		  strtod(j_get(e, "ops_per_sec")->s, NULL) : 0.0);
	EXPECT_LT(1.0, j_get(e, "bytes_per_sec") ?
		  strtod(j_get(e, "bytes_per_sec")->s, NULL) : 0.0);
	for (; n > 0; n--)
		j_free(it[n - 1]);
	run_free(&r);
	ASSERT_EQ(0, kill(busy, SIGKILL));
	kt_reap(busy, KT_CHILD_TIMEOUT_MS);
}

/* The table: two refreshes, the busy queue's name in each. */
TEST_F(kipc, top_batch_table)
{
	const char *name = kt_name("busyt"), *p;
	int fd, seen = 0;
	struct run r;
	pid_t busy;

	fd = kipc_queue_create(name, 0600, 4, 16, 0);
	ASSERT_LE(0, fd);
	busy = spawn_busy(fd);
	ASSERT_LT(0, busy);
	ASSERT_EQ(0, KIPCCTL_RUN(&r, "top", "-n", "2", "-d", "1"))
		TH_LOG("%s", r.text);
	for (p = r.text; (p = strstr(p, name)); p++)
		seen++;
	EXPECT_EQ(2, seen) TH_LOG("%s", r.text);
	run_free(&r);
	ASSERT_EQ(0, kill(busy, SIGKILL));
	kt_reap(busy, KT_CHILD_TIMEOUT_MS);
}

/* ---- monitor ---------------------------------------------------------------- */

/* Whether a generic netlink socket has joined group @group (< 32). */
static bool someone_listens(int group)
{
	char line[256], groups[16];
	unsigned int proto;
	FILE *f;
	bool yes = false;

	f = fopen("/proc/net/netlink", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %u %*s %15s", &proto, groups) == 2 &&
		    proto == NETLINK_GENERIC &&
		    (strtoul(groups, NULL, 16) >> (group - 1) & 1))
			yes = true;
	fclose(f);
	return yes;
}

/* Start `kipcctl @args` and wait until it listens to the group "events". */
static int start_monitor(struct __test_metadata *_metadata, struct run *r,
			 const char *const *args)
{
	int64_t end = kt_now_ns() + KT_CHILD_TIMEOUT_MS * MS;

	if (run_start(r, 0, args))
		return -1;
	if (kn.group > 32) {
		/* Not shown by /proc/net/netlink: wait until it sleeps. */
		if (kt_wait_sleeping(r->pid, KT_CHILD_TIMEOUT_MS))
			return -1;
		kt_sleep_ms(200);
		return 0;
	}
	while (!someone_listens(kn.group)) {
		if (kt_now_ns() > end)
			return -1;
		kt_sleep_ms(5);
	}
	return 0;
}

TEST_F(kipc, monitor_json)
{
	const char *name = kt_name("mon"), *text;
	struct jv *ev[3] = { NULL };
	uint64_t id;
	int fd, n = 0;
	struct run r;

	ASSERT_EQ(0, kn_open(&kn));
	ASSERT_EQ(0, start_monitor(_metadata, &r,
		  (const char *const[]){ "monitor", "-c", "2", "-j", NULL }));
	fd = kipc_queue_create(name, 0600, 0, 0, 0);
	ASSERT_LE(0, fd);
	id = obj_id(fd);
	ASSERT_EQ(0, kipc_unlink(KIPC_TYPE_QUEUE, name));
	ASSERT_EQ(0, run_finish(&r, KT_CHILD_TIMEOUT_MS)) TH_LOG("%s", r.text);
	text = r.text;
	while (n < 3 && (ev[n] = j_parse_next(&text)))
		n++;
	ASSERT_EQ(2, n) TH_LOG("%s", r.text);
	J_EXPECT_STR(ev[0], "event", "created");
	J_EXPECT_STR(ev[1], "event", "unlinked");
	for (n = 0; n < 2; n++) {
		J_EXPECT_U64(ev[n], "id", id);
		J_EXPECT_STR(ev[n], "type", "queue");
		J_EXPECT_STR(ev[n], "name", name);
		J_EXPECT_U64(ev[n], "uid", geteuid());
		J_EXPECT_U64(ev[n], "pid", getpid());
		J_EXPECT_ABSENT(ev[n], "errno");
		EXPECT_TRUE(j_is_uint(j_get(ev[n], "time_ns")));
		j_free(ev[n]);
	}
	run_free(&r);
}

TEST_F(kipc, monitor_table_refused)
{
	char want[128];
	struct kipc_stats s;
	struct run r;

	ASSERT_EQ(0, kn_open(&kn));
	ASSERT_LE(0, kipc_event_create(NULL, 0600, 0, 0));
	ASSERT_EQ(0, kt_stats(&s));
	ASSERT_EQ(0, start_monitor(_metadata, &r,
		  (const char *const[]){ "monitor", "-c", "1", NULL }));
	ASSERT_EQ(0, kt_param_set("max_objects_per_uid", s.uid_objects));
	EXPECT_EQ(-EDQUOT, kipc_queue_create(NULL, 0600, 0, 0, 0));
	ASSERT_EQ(0, run_finish(&r, KT_CHILD_TIMEOUT_MS)) TH_LOG("%s", r.text);
	snprintf(want, sizeof(want), "refused queue uid %u pid %d EDQUOT",
		 geteuid(), getpid());
	EXPECT_NE(NULL, strstr(r.text, want)) TH_LOG("%s", r.text);
	run_free(&r);
}

/* ---- exit statuses ---------------------------------------------------------- */

TEST_F(kipc, exit_status)
{
	char id[32];
	struct run r;
	int fd;

	EXPECT_EQ(2, KIPCCTL_RUN(&r, "frobnicate"));
	run_free(&r);
	EXPECT_EQ(2, KIPCCTL_RUN(&r, "list", "notatype"));
	run_free(&r);
	EXPECT_EQ(1, KIPCCTL_RUN(&r, "show", "18446744073709551615"));
	run_free(&r);
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	id_str(obj_id(fd), id);
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(1, KIPCCTL_RUN(&r, "-j", "show", id));
	run_free(&r);
	EXPECT_EQ(0, KIPCCTL_RUN(&r, "stats"));
	run_free(&r);
}

TEST_HARNESS_MAIN
