// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl: objects (obj.h).  The JSON names here are kipcctl(8)'s stable
 * interface: add fields, never rename them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kipc.h>

#include "fields.h"
#include "nl.h"
#include "obj.h"

const char *const type_names[KIPC_TYPE_MAX + 1] = {
	[KIPC_TYPE_EVENT] = "event",	[KIPC_TYPE_QUEUE] = "queue",
	[KIPC_TYPE_CHANNEL] = "channel", [KIPC_TYPE_PIPE] = "pipe",
	[KIPC_TYPE_REGION] = "region",	[KIPC_TYPE_SEMAPHORE] = "sem",
	[KIPC_TYPE_MUTEX] = "mutex",	[KIPC_TYPE_COND] = "cond",
};

static const char *const wait_names[] = {
	[KIPC_WAITFOR_SIGNAL] = "signal",	[KIPC_WAITFOR_SEND] = "send",
	[KIPC_WAITFOR_RECEIVE] = "receive", [KIPC_WAITFOR_UNIT] = "unit",
	[KIPC_WAITFOR_LOCK] = "lock",	[KIPC_WAITFOR_COND] = "cond",
};

static const char *const mutex_states[] = {
	[KIPC_MUTEX_STATE_OK] = "ok",
	[KIPC_MUTEX_STATE_OWNERDEAD] = "owner_dead",
	[KIPC_MUTEX_STATE_NOTRECOVERABLE] = "not_recoverable",
};

static const struct field obj_fields[] = {
	FLD(KIPC_OBJ_A_ID, "id", F_U64),
	ENUM(KIPC_OBJ_A_TYPE, "type", type_names),
	FLD(KIPC_OBJ_A_NAME, "name", F_STR),
	FLD(KIPC_OBJ_A_LINKED, "linked", F_FLAG),
	FLD(KIPC_OBJ_A_UID, "uid", F_U32),
	FLD(KIPC_OBJ_A_GID, "gid", F_U32),
	FLD(KIPC_OBJ_A_CUID, "cuid", F_U32),
	FLD(KIPC_OBJ_A_CGID, "cgid", F_U32),
	FLD(KIPC_OBJ_A_MODE, "mode", F_U32),
	FLD(KIPC_OBJ_A_CREATOR_PID, "creator_pid", F_U32),
	FLD(KIPC_OBJ_A_CTIME, "ctime_ns", F_U64),
	FLD(KIPC_OBJ_A_FILES, "files", F_U32),
	FLD(KIPC_OBJ_A_MAPPINGS, "mappings", F_U32),
	FLD(KIPC_OBJ_A_CHARGE, "charge", F_U64),
	FLD(KIPC_OBJ_A_NR_WAITERS, "nr_waiters", F_U32),
	FLD(KIPC_OBJ_A_STATE, "state", F_NEST),
	FLD(KIPC_OBJ_A_COUNTERS, "counters", F_NEST),
	FLD(KIPC_OBJ_A_HOLDERS, "holders", F_NEST),
	FLD(KIPC_OBJ_A_WAITERS, "waiters", F_NEST),
};

static const struct field cnt_fields[] = {
	FLD(KIPC_CNT_A_MSGS_IN, "msgs_in", F_U64),
	FLD(KIPC_CNT_A_BYTES_IN, "bytes_in", F_U64),
	FLD(KIPC_CNT_A_MSGS_OUT, "msgs_out", F_U64),
	FLD(KIPC_CNT_A_BYTES_OUT, "bytes_out", F_U64),
	FLD(KIPC_CNT_A_WAITS, "waits", F_U64),
	FLD(KIPC_CNT_A_TIMEOUTS, "timeouts", F_U64),
	FLD(KIPC_CNT_A_CONTENDED, "contended", F_U64),
	FLD(KIPC_CNT_A_OWNER_DEATHS, "owner_deaths", F_U64),
	FLD(KIPC_CNT_A_PEAK_DEPTH, "peak_depth", F_U64),
	FLD(KIPC_CNT_A_NOTIFICATIONS, "notifications", F_U64),
};

static const struct field holder_fields[] = {
	FLD(KIPC_HOLDER_A_PID, "pid", F_U32),
	FLD(KIPC_HOLDER_A_COMM, "comm", F_STR),
	FLD(KIPC_HOLDER_A_FILES, "files", F_U32),
	FLD(KIPC_HOLDER_A_MAPPINGS, "mappings", F_U32),
};

static const struct field waiter_fields[] = {
	FLD(KIPC_WAITER_A_PID, "pid", F_U32),
	FLD(KIPC_WAITER_A_TID, "tid", F_U32),
	FLD(KIPC_WAITER_A_COMM, "comm", F_STR),
	ENUM(KIPC_WAITER_A_WAIT, "wait", wait_names),
	FLD(KIPC_WAITER_A_SINCE_NS, "waited_ns", F_U64),
	FLD(KIPC_WAITER_A_MANY, "wait_many", F_FLAG),
};

static const struct field event_fields[] = {
	FLD(KIPC_EVENT_A_SET, "set", F_BOOL),
	FLD(KIPC_EVENT_A_MANUAL_RESET, "manual_reset", F_BOOL),
	FLD(KIPC_EVENT_A_VALUE, "value", F_U64),
};

static const struct field queue_fields[] = {
	FLD(KIPC_QUEUE_A_MSGS, "msgs", F_U32),
	FLD(KIPC_QUEUE_A_MAX_MSGS, "max_msgs", F_U32),
	FLD(KIPC_QUEUE_A_BYTES, "bytes", F_U64),
	FLD(KIPC_QUEUE_A_MAX_MSG_SIZE, "max_msg_size", F_U32),
	FLD(KIPC_QUEUE_A_NOTIFY_PID, "notify_pid", F_U32),
};

static const struct field channel_fields[] = {
	FLD(KIPC_CHANNEL_A_DIR, "rings", F_NEST),
};

static const struct field dir_fields[] = {
	FLD(KIPC_CHANNEL_DIR_A_INDEX, "index", F_U32),
	FLD(KIPC_CHANNEL_DIR_A_CAPACITY, "capacity", F_U32),
	FLD(KIPC_CHANNEL_DIR_A_USED, "used", F_U32),
	FLD(KIPC_CHANNEL_DIR_A_MAX_MSG, "max_msg", F_U32),
	FLD(KIPC_CHANNEL_DIR_A_END_OPEN, "end_open", F_BOOL),
};

static const struct field pipe_fields[] = {
	FLD(KIPC_PIPE_A_CAPACITY, "capacity", F_U32),
	FLD(KIPC_PIPE_A_USED, "used", F_U32),
	FLD(KIPC_PIPE_A_READERS, "readers", F_U32),
	FLD(KIPC_PIPE_A_WRITERS, "writers", F_U32),
};

static const struct field region_fields[] = {
	FLD(KIPC_REGION_A_SIZE, "size", F_U64),
	FLD(KIPC_REGION_A_RESIDENT, "resident", F_U64),
};

static const struct field sem_fields[] = {
	FLD(KIPC_SEM_A_VALUE, "value", F_U32),
	FLD(KIPC_SEM_A_VALUE_MAX, "value_max", F_U32),
	FLD(KIPC_SEM_A_UNDO_PROCS, "undo_procs", F_U32),
};

static const struct field mutex_fields[] = {
	FLD(KIPC_MUTEX_A_LOCKED, "locked", F_BOOL),
	ENUM(KIPC_MUTEX_A_STATE, "state", mutex_states),
	FLD(KIPC_MUTEX_A_OWNER_TID, "owner_tid", F_U32),
	FLD(KIPC_MUTEX_A_OWNER_PID, "owner_pid", F_U32),
	FLD(KIPC_MUTEX_A_DEPTH, "depth", F_U32),
	FLD(KIPC_MUTEX_A_RECURSIVE, "recursive", F_BOOL),
};

static struct fset obj_set = FSET(obj_fields, KIPC_OBJ_A_MAX);
static struct fset cnt_set = FSET(cnt_fields, KIPC_CNT_A_MAX);
static struct fset holder_set = FSET(holder_fields, KIPC_HOLDER_A_MAX);
static struct fset waiter_set = FSET(waiter_fields, KIPC_WAITER_A_MAX);
static struct fset dir_set = FSET(dir_fields, KIPC_CHANNEL_DIR_A_MAX);

static struct fset state_sets[KIPC_TYPE_MAX + 1] = {
	[KIPC_TYPE_EVENT] = FSET(event_fields, KIPC_EVENT_A_MAX),
	[KIPC_TYPE_QUEUE] = FSET(queue_fields, KIPC_QUEUE_A_MAX),
	[KIPC_TYPE_CHANNEL] = FSET(channel_fields, KIPC_CHANNEL_A_MAX),
	[KIPC_TYPE_PIPE] = FSET(pipe_fields, KIPC_PIPE_A_MAX),
	[KIPC_TYPE_REGION] = FSET(region_fields, KIPC_REGION_A_MAX),
	[KIPC_TYPE_SEMAPHORE] = FSET(sem_fields, KIPC_SEM_A_MAX),
	[KIPC_TYPE_MUTEX] = FSET(mutex_fields, KIPC_MUTEX_A_MAX),
	[KIPC_TYPE_COND] = { .f = NULL, .n = 0, .max = 0 },
};

_Static_assert(KIPC_EVENT_A_MAX <= KOBJ_STATE_MAX &&
	       KIPC_QUEUE_A_MAX <= KOBJ_STATE_MAX &&
	       KIPC_CHANNEL_A_MAX <= KOBJ_STATE_MAX &&
	       KIPC_PIPE_A_MAX <= KOBJ_STATE_MAX &&
	       KIPC_REGION_A_MAX <= KOBJ_STATE_MAX &&
	       KIPC_SEM_A_MAX <= KOBJ_STATE_MAX &&
	       KIPC_MUTEX_A_MAX <= KOBJ_STATE_MAX, "KOBJ_STATE_MAX too small");

/* ---- Parsing ------------------------------------------------------------ */

static struct fset *state_set(uint32_t type)
{
	return type <= KIPC_TYPE_MAX && type ? &state_sets[type] : NULL;
}

int kobj_parse(struct kobj *o, const struct nlattr *nest)
{
	struct fset *ss;

	memset(o, 0, sizeof(*o));
	o->raw = malloc(nest->nla_len);
	if (!o->raw)
		return -ENOMEM;
	memcpy(o->raw, nest, nest->nla_len);
	if (fset_parse(&obj_set, o->a, o->raw) < 0 ||
	    !o->a[KIPC_OBJ_A_ID] || !o->a[KIPC_OBJ_A_TYPE])
		goto bad;
	ss = state_set(kobj_type(o));
	if (ss && o->a[KIPC_OBJ_A_STATE] &&
	    fset_parse(ss, o->st, o->a[KIPC_OBJ_A_STATE]) < 0)
		goto bad;
	if (o->a[KIPC_OBJ_A_COUNTERS] &&
	    fset_parse(&cnt_set, o->cnt, o->a[KIPC_OBJ_A_COUNTERS]) < 0)
		goto bad;
	return 0;
bad:
	kobj_free(o);
	return -EINVAL;
}

void kobj_free(struct kobj *o)
{
	free(o->raw);
	o->raw = NULL;
}

static int kobjs_push(struct kobjs *os, const struct nlattr *nest)
{
	if (os->n == os->cap) {
		size_t cap = os->cap ? 2 * os->cap : 64;
		struct kobj *v = realloc(os->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		os->v = v;
		os->cap = cap;
	}
	if (kobj_parse(&os->v[os->n], nest) < 0)
		return -EINVAL;
	os->n++;
	return 0;
}

int kobjs_add_reply(struct nlattr *attrs, int len, void *arg)
{
	struct nlattr *pos;
	int rem, err;

	nla_for_each_attr(pos, attrs, len, rem) {
		if (nla_type(pos) != KIPC_A_OBJ)
			continue;
		err = kobjs_push(arg, pos);
		if (err)
			return err;
	}
	return 0;
}

void kobjs_free(struct kobjs *os)
{
	for (size_t i = 0; i < os->n; i++)
		kobj_free(&os->v[i]);
	free(os->v);
	memset(os, 0, sizeof(*os));
}

uint64_t kobj_id(const struct kobj *o)
{
	return nla_u64_or(o->a[KIPC_OBJ_A_ID], 0);
}

uint32_t kobj_type(const struct kobj *o)
{
	return nla_u32_or(o->a[KIPC_OBJ_A_TYPE], 0);
}

const char *kobj_name(const struct kobj *o)
{
	return o->a[KIPC_OBJ_A_NAME] ? nla_get_string(o->a[KIPC_OBJ_A_NAME]) : NULL;
}

uint64_t kobj_counter(const struct kobj *o, int attr)
{
	return nla_u64_or(o->cnt[attr], 0);
}

const char *type_name(uint32_t type, char *buf, size_t len)
{
	return field_enum(&obj_fields[1], type, buf, len);
}

int type_parse(const char *s)
{
	if (!strcmp(s, "semaphore"))
		return KIPC_TYPE_SEMAPHORE;
	for (int t = 1; t <= KIPC_TYPE_MAX; t++)
		if (!strcmp(s, type_names[t]))
			return t;
	return -1;
}

/* ---- The STATE column --------------------------------------------------- */

#define H(v)	human((char[16]){ 0 }, 16, (v))

static void sum_channel(const struct kobj *o, char *b, size_t l)
{
	struct nlattr *d[KIPC_CHANNEL_DIR_A_MAX + 1], *pos;
	size_t off = 0;
	int rem;

	nla_for_each_nested(pos, o->a[KIPC_OBJ_A_STATE], rem) {
		if (nla_type(pos) != KIPC_CHANNEL_A_DIR ||
		    fset_parse(&dir_set, d, pos) < 0)
			continue;
		off += snprintf(b + off, l - off, "%sring%u %s/%s", off ? " " : "",
				nla_u32_or(d[KIPC_CHANNEL_DIR_A_INDEX], 0),
				H(nla_u32_or(d[KIPC_CHANNEL_DIR_A_USED], 0)),
				H(nla_u32_or(d[KIPC_CHANNEL_DIR_A_CAPACITY], 0)));
		if (off >= l)
			break;
	}
}

static void sum_mutex(struct nlattr **st, char *b, size_t l)
{
	uint32_t state = nla_u32_or(st[KIPC_MUTEX_A_STATE], 0);
	uint32_t tid = nla_u32_or(st[KIPC_MUTEX_A_OWNER_TID], 0);
	uint32_t pid = nla_u32_or(st[KIPC_MUTEX_A_OWNER_PID], 0);
	bool locked = nla_u8_or(st[KIPC_MUTEX_A_LOCKED], 0);
	const char *word = state == KIPC_MUTEX_STATE_NOTRECOVERABLE ?
		"not-recoverable" : state == KIPC_MUTEX_STATE_OWNERDEAD ?
		"owner-dead" : locked ? "locked" : "free";

	if (locked && tid)
		snprintf(b, l, "%s%s by %u/%u", word,
			 state != KIPC_MUTEX_STATE_OK ? " locked" : "", pid, tid);
	else
		snprintf(b, l, "%s", word);
}

static void sum_state(const struct kobj *o, char *b, size_t l)
{
	struct nlattr *const *st = o->st;

	switch (kobj_type(o)) {
	case KIPC_TYPE_EVENT:
		snprintf(b, l, "%s", nla_u8_or(st[KIPC_EVENT_A_SET], 0) ? "set" : "clear");
		break;
	case KIPC_TYPE_QUEUE:
		snprintf(b, l, "%u/%u msgs %s", nla_u32_or(st[KIPC_QUEUE_A_MSGS], 0),
			 nla_u32_or(st[KIPC_QUEUE_A_MAX_MSGS], 0),
			 H(nla_u64_or(st[KIPC_QUEUE_A_BYTES], 0)));
		break;
	case KIPC_TYPE_CHANNEL:
		sum_channel(o, b, l);
		break;
	case KIPC_TYPE_PIPE:
		snprintf(b, l, "%s/%s", H(nla_u32_or(st[KIPC_PIPE_A_USED], 0)),
			 H(nla_u32_or(st[KIPC_PIPE_A_CAPACITY], 0)));
		break;
	case KIPC_TYPE_REGION:
		snprintf(b, l, "%s resident %s", H(nla_u64_or(st[KIPC_REGION_A_SIZE], 0)),
			 H(nla_u64_or(st[KIPC_REGION_A_RESIDENT], 0)));
		break;
	case KIPC_TYPE_SEMAPHORE:
		snprintf(b, l, "value %u", nla_u32_or(st[KIPC_SEM_A_VALUE], 0));
		break;
	case KIPC_TYPE_MUTEX:
		sum_mutex((struct nlattr **)st, b, l);
		break;
	}
}

const char *kobj_summary(const struct kobj *o, char *buf, size_t len)
{
	buf[0] = '\0';
	if (o->a[KIPC_OBJ_A_STATE])
		sum_state(o, buf, len);
	if (!buf[0])
		snprintf(buf, len, "-");
	return buf;
}

const char *kobj_label(const struct kobj *o, char *buf, size_t len)
{
	const char *name = kobj_name(o);

	if (!name)
		return "-";
	if (o->a[KIPC_OBJ_A_LINKED])
		return name;
	snprintf(buf, len, "%s(unlinked)", name);
	return buf;
}

/* ---- JSON --------------------------------------------------------------- */

/* Every @type nest inside @nest, as a JSON array @name of objects. */
static void list_json(struct nlattr *nest, int type, struct fset *fs,
		      const char *name, struct jw *jw)
{
	struct nlattr *tb[NEST_MAX + 1], *pos;
	int rem;

	if (!nest)
		return;
	jw_arr_open(jw, name);
	nla_for_each_nested(pos, nest, rem) {
		if (nla_type(pos) != type || fset_parse(fs, tb, pos) < 0)
			continue;
		jw_obj_open(jw, NULL);
		fset_json(fs, jw, tb);
		jw_obj_close(jw);
	}
	jw_arr_close(jw);
}

static void state_json(const struct kobj *o, struct jw *jw)
{
	struct fset *ss = state_set(kobj_type(o));

	if (!o->a[KIPC_OBJ_A_STATE])
		return;
	jw_obj_open(jw, "state");
	if (ss)
		fset_json(ss, jw, (struct nlattr **)o->st);
	if (kobj_type(o) == KIPC_TYPE_CHANNEL)
		list_json(o->a[KIPC_OBJ_A_STATE], KIPC_CHANNEL_A_DIR, &dir_set,
			  "rings", jw);
	jw_obj_close(jw);
}

void kobj_json(const struct kobj *o, struct jw *jw)
{
	jw_obj_open(jw, NULL);
	fset_json(&obj_set, jw, (struct nlattr **)o->a);
	state_json(o, jw);
	if (o->a[KIPC_OBJ_A_COUNTERS]) {
		jw_obj_open(jw, "counters");
		fset_json(&cnt_set, jw, (struct nlattr **)o->cnt);
		jw_obj_close(jw);
	}
	list_json(o->a[KIPC_OBJ_A_HOLDERS], KIPC_OBJ_A_HOLDER, &holder_set,
		  "holders", jw);
	list_json(o->a[KIPC_OBJ_A_WAITERS], KIPC_OBJ_A_WAITER, &waiter_set,
		  "waiters", jw);
	if (o->hidden)
		jw_bool(jw, "holders_visible", false);
	jw_obj_close(jw);
}

/* ---- show --------------------------------------------------------------- */

static const char *uid_text(char *buf, size_t len, uint32_t uid)
{
	char num[16];
	const char *name = user_name(num, sizeof(num), uid);

	if (name == num)
		snprintf(buf, len, "%u", uid);
	else
		snprintf(buf, len, "%u(%s)", uid, name);
	return buf;
}

#define U32(o, at)	nla_u32_or((o)->a[at], 0)

static void show_identity(const struct kobj *o, FILE *f)
{
	const char *name = kobj_name(o);
	char buf[64], b2[64];

	fprintf(f, "%s %llu", type_name(kobj_type(o), buf, sizeof(buf)),
		(unsigned long long)kobj_id(o));
	if (name)
		fprintf(f, " \"%s\" %s\n", name,
			o->a[KIPC_OBJ_A_LINKED] ? "linked" : "unlinked");
	else
		fprintf(f, " anonymous\n");
	fprintf(f, "    owner %s gid %u  creator %s gid %u pid %u  mode %04o\n",
		uid_text(buf, sizeof(buf), U32(o, KIPC_OBJ_A_UID)),
		U32(o, KIPC_OBJ_A_GID),
		uid_text(b2, sizeof(b2), U32(o, KIPC_OBJ_A_CUID)),
		U32(o, KIPC_OBJ_A_CGID), U32(o, KIPC_OBJ_A_CREATOR_PID),
		U32(o, KIPC_OBJ_A_MODE));
	if (o->a[KIPC_OBJ_A_CTIME])
		fprintf(f, "    created %s\n",
			iso_time(buf, sizeof(buf),
				 nla_get_u64(o->a[KIPC_OBJ_A_CTIME]), 3));
	fprintf(f, "    files %u mappings %u charge %s waiters %u\n",
		U32(o, KIPC_OBJ_A_FILES), U32(o, KIPC_OBJ_A_MAPPINGS),
		H(nla_u64_or(o->a[KIPC_OBJ_A_CHARGE], 0)),
		U32(o, KIPC_OBJ_A_NR_WAITERS));
}

static void show_state(const struct kobj *o, FILE *f)
{
	struct nlattr *d[KIPC_CHANNEL_DIR_A_MAX + 1], *pos;
	struct fset *ss = state_set(kobj_type(o));
	int rem;

	if (!o->a[KIPC_OBJ_A_STATE])
		return;
	if (kobj_type(o) == KIPC_TYPE_CHANNEL) {
		nla_for_each_nested(pos, o->a[KIPC_OBJ_A_STATE], rem) {
			if (nla_type(pos) != KIPC_CHANNEL_A_DIR ||
			    fset_parse(&dir_set, d, pos) < 0)
				continue;
			fprintf(f, "    ring:");
			fset_text(&dir_set, f, d);
			fputc('\n', f);
		}
		return;
	}
	if (!ss || !ss->n)
		return;
	fprintf(f, "    state:");
	fset_text(ss, f, (struct nlattr **)o->st);
	fputc('\n', f);
}

/* "LABEL: none", or "LABEL:" and the table; frees the table. */
static void show_list(FILE *f, const char *label, struct tbl *t)
{
	if (t->rows) {
		fprintf(f, "%s:\n", label);
		tbl_print(t, f, SIZE_MAX);
	} else {
		fprintf(f, "%s: none\n", label);
	}
	tbl_free(t);
}

static void show_holders(const struct kobj *o, FILE *f)
{
	static const char *const cols[] = { ">PID", "COMM", ">FILES", ">MAPS" };
	struct nlattr *h[KIPC_HOLDER_A_MAX + 1], *pos;
	struct tbl t;
	int rem;

	tbl_init(&t, cols, ARRAY_SIZE(cols));
	nla_for_each_nested(pos, o->a[KIPC_OBJ_A_HOLDERS], rem) {
		if (nla_type(pos) != KIPC_OBJ_A_HOLDER ||
		    fset_parse(&holder_set, h, pos) < 0)
			continue;
		tbl_cell(&t, "%u", nla_u32_or(h[KIPC_HOLDER_A_PID], 0));
		tbl_cell(&t, "%s", h[KIPC_HOLDER_A_COMM] ?
			 nla_get_string(h[KIPC_HOLDER_A_COMM]) : "-");
		tbl_cell(&t, "%u", nla_u32_or(h[KIPC_HOLDER_A_FILES], 0));
		tbl_cell(&t, "%u", nla_u32_or(h[KIPC_HOLDER_A_MAPPINGS], 0));
	}
	show_list(f, "holders", &t);
}

static void show_waiters(const struct kobj *o, FILE *f)
{
	static const char *const cols[] = {
		">PID", ">TID", "COMM", "WAITS-FOR", ">SINCE"
	};
	struct nlattr *w[KIPC_WAITER_A_MAX + 1], *pos;
	char buf[32];
	struct tbl t;
	int rem;

	tbl_init(&t, cols, ARRAY_SIZE(cols));
	nla_for_each_nested(pos, o->a[KIPC_OBJ_A_WAITERS], rem) {
		if (nla_type(pos) != KIPC_OBJ_A_WAITER ||
		    fset_parse(&waiter_set, w, pos) < 0)
			continue;
		tbl_cell(&t, "%u", nla_u32_or(w[KIPC_WAITER_A_PID], 0));
		tbl_cell(&t, "%u", nla_u32_or(w[KIPC_WAITER_A_TID], 0));
		tbl_cell(&t, "%s", w[KIPC_WAITER_A_COMM] ?
			 nla_get_string(w[KIPC_WAITER_A_COMM]) : "-");
		tbl_cell(&t, "%s%s", field_enum(&waiter_fields[3],
			 nla_u32_or(w[KIPC_WAITER_A_WAIT], 0), buf, sizeof(buf)),
			 w[KIPC_WAITER_A_MANY] ? " (wait-many)" : "");
		tbl_cell(&t, "%s", duration(buf, sizeof(buf),
			 nla_u64_or(w[KIPC_WAITER_A_SINCE_NS], 0)));
	}
	show_list(f, "waiters", &t);
}

void kobj_show(const struct kobj *o, FILE *f)
{
	show_identity(o, f);
	show_state(o, f);
	if (o->a[KIPC_OBJ_A_COUNTERS]) {
		fprintf(f, "    counters:");
		fset_text(&cnt_set, f, (struct nlattr **)o->cnt);
		fputc('\n', f);
	}
	if (o->a[KIPC_OBJ_A_HOLDERS])
		show_holders(o, f);
	if (o->a[KIPC_OBJ_A_WAITERS])
		show_waiters(o, f);
}
