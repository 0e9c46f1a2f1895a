// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl stats, limits, users, namespaces: the module-wide views.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "kipcctl.h"

static const struct field stats_fields[] = {
	FLD(KIPC_STATS_A_OBJECTS, "objects", F_U64),
	FLD(KIPC_STATS_A_NAMED, "named", F_U64),
	FLD(KIPC_STATS_A_CREATED, "created", F_U64),
	FLD(KIPC_STATS_A_DESTROYED, "destroyed", F_U64),
	FLD(KIPC_STATS_A_REFUSED_ENOSPC, "refused_enospc", F_U64),
	FLD(KIPC_STATS_A_REFUSED_EDQUOT, "refused_edquot", F_U64),
	FLD(KIPC_STATS_A_USERS, "users", F_U64),
};

static const struct field limit_fields[] = {
	FLD(KIPC_LIMIT_A_NAME, "name", F_STR),
	FLD(KIPC_LIMIT_A_VALUE, "value", F_U64),
	FLD(KIPC_LIMIT_A_USED, "used", F_U64),
	FLD(KIPC_LIMIT_A_UID_USED, "uid_used", F_U64),
	FLD(KIPC_LIMIT_A_ERRNO, "errno", F_ERRNO),
};

static const struct field user_fields[] = {
	FLD(KIPC_USER_A_UID, "uid", F_U32),
	FLD(KIPC_USER_A_OBJECTS, "objects", F_U32),
	FLD(KIPC_USER_A_MAX_OBJECTS, "max_objects", F_U32),
	FLD(KIPC_USER_A_BYTES, "bytes", F_U64),
	FLD(KIPC_USER_A_MAX_BYTES, "max_bytes", F_U64),
};

static const struct field ns_fields[] = {
	FLD(KIPC_NS_A_INUM, "ipcns", F_U32),
	FLD(KIPC_NS_A_INITIAL, "initial", F_FLAG),
	FLD(KIPC_NS_A_USERNS_INUM, "userns", F_U32),
	FLD(KIPC_NS_A_OBJECTS, "objects", F_U64),
	FLD(KIPC_NS_A_NAMED, "named", F_U64),
	FLD(KIPC_NS_A_BYTES, "bytes", F_U64),
	FLD(KIPC_NS_A_MAX_OBJECTS, "max_objects", F_U64),
	FLD(KIPC_NS_A_MAX_BYTES, "max_bytes", F_U64),
};

static struct fset stats_set = FSET(stats_fields, KIPC_STATS_A_MAX);
static struct fset limit_set = FSET(limit_fields, KIPC_LIMIT_A_MAX);
static struct fset user_set = FSET(user_fields, KIPC_USER_A_MAX);
static struct fset ns_set = FSET(ns_fields, KIPC_NS_A_MAX);

/* Sends @cmd (for @uid if not NULL) and collects the replies in @as. */
static int request(struct kctl *c, uint8_t cmd, bool dump,
		   const uint32_t *uid, struct kattrs *as)
{
	struct nl_msg *msg = kctl_msg(c, cmd, dump);

	if (!msg)
		return -ENOMEM;
	if (uid && nla_put_u32(msg, KIPC_A_UID, *uid)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return kctl_call(c, msg, kattrs_add_reply, as);
}

/* The optional "uid UID" of limits and users; 0 or an exit status. */
static int uid_arg(int argc, char **argv, uint32_t *uid, bool *has)
{
	int i = 1;
	const char *v;

	*has = false;
	if (argc == 1)
		return 0;
	if (strcmp(argv[1], "uid"))
		return usage_error("%s: unknown argument \"%s\"", argv[0], argv[1]);
	v = next_arg(argc, argv, &i);
	if (!v || parse_u32(v, uid))
		return usage_error("%s: \"uid\" needs a number", argv[0]);
	if (argc > 3)
		return usage_error("%s: unknown argument \"%s\"", argv[0], argv[3]);
	*has = true;
	return 0;
}

/* Connects, runs the request, reports a failure: 0 or an exit status. */
static int fetch(struct kctl *c, uint8_t cmd, bool dump, const uint32_t *uid,
		 struct kattrs *as, const char *what)
{
	int err;

	if (kctl_open(c))
		return EXIT_FAIL;
	err = request(c, cmd, dump, uid, as);
	if (err) {
		kctl_fail(c, err, what);
		kctl_close(c);
		kattrs_free(as);
		return EXIT_FAIL;
	}
	return 0;
}

static void cell_u64(struct tbl *t, const struct nlattr *a)
{
	if (a)
		tbl_cell(t, "%llu", (unsigned long long)nla_get_u64((struct nlattr *)a));
	else
		tbl_cell(t, "-");
}

/* ---- stats -------------------------------------------------------------- */

static void stats_print(struct nlattr **tb)
{
	struct jw jw;

	if (opts.json) {
		jw_init(&jw, stdout, opts.pretty);
		jw_obj_open(&jw, NULL);
		fset_json(&stats_set, &jw, tb);
		jw_obj_close(&jw);
		jw_end(&jw);
		return;
	}
	for (size_t i = 0; i < stats_set.n; i++) {
		const struct field *fl = &stats_set.f[i];

		if (tb[fl->attr])
			printf("%-16s %llu\n", fl->name,
			       (unsigned long long)nla_get_u64(tb[fl->attr]));
	}
}

int cmd_stats(int argc, char **argv)
{
	struct nlattr *tb[KIPC_STATS_A_MAX + 1], *a;
	struct kattrs as = { 0 };
	struct kctl c;
	int ret;

	if (argc > 1)
		return usage_error("stats: unknown argument \"%s\"", argv[1]);
	ret = fetch(&c, KIPC_CMD_STATS_GET, false, NULL, &as, "stats");
	if (ret)
		return ret;
	a = kattrs_find(&as, KIPC_A_STATS);
	if (!a || fset_parse(&stats_set, tb, a) < 0) {
		fprintf(stderr, "kipcctl: stats: the kernel sent no statistics\n");
		ret = EXIT_FAIL;
	} else {
		stats_print(tb);
	}
	kattrs_free(&as);
	kctl_close(&c);
	return ret;
}

/* ---- limits, users: a list of nests ----------------------------------- */

/* A command that replies with a list of @type nests, for a uid or all. */
struct view {
	const char *what;
	uint8_t cmd;
	int type;			/* KIPC_A_LIMIT, KIPC_A_USER, KIPC_A_NS */
	struct fset *fs;
	const char *const *cols;
	int ncols;
	void (*row)(struct tbl *t, struct nlattr **tb);
	/* Opens the JSON document: an array, or an array in an object. */
	void (*json_head)(struct jw *jw, const struct kattrs *as);
	bool dump;			/* without a uid: a dump */
	bool no_uid;			/* takes no "uid UID" */
};

static void view_json(const struct view *v, const struct kattrs *as)
{
	struct nlattr *tb[NEST_MAX + 1];
	struct jw jw;

	jw_init(&jw, stdout, opts.pretty);
	v->json_head(&jw, as);
	for (size_t i = 0; i < as->n; i++) {
		if (nla_type(as->v[i]) != v->type ||
		    fset_parse(v->fs, tb, as->v[i]) < 0)
			continue;
		jw_obj_open(&jw, NULL);
		fset_json(v->fs, &jw, tb);
		jw_obj_close(&jw);
	}
	jw_arr_close(&jw);
	if (jw.depth)		/* limits' enclosing object */
		jw_obj_close(&jw);
	jw_end(&jw);
}

static void view_table(const struct view *v, const struct kattrs *as)
{
	struct nlattr *tb[NEST_MAX + 1];
	struct tbl t;

	tbl_init(&t, v->cols, v->ncols);
	for (size_t i = 0; i < as->n; i++)
		if (nla_type(as->v[i]) == v->type &&
		    fset_parse(v->fs, tb, as->v[i]) >= 0)
			v->row(&t, tb);
	tbl_print(&t, stdout, SIZE_MAX);
	tbl_free(&t);
}

static int run_view(const struct view *v, int argc, char **argv)
{
	struct kattrs as = { 0 };
	struct kctl c;
	uint32_t uid;
	bool has_uid;
	int ret;

	if (v->no_uid && argc > 1)
		return usage_error("%s: unknown argument \"%s\"", argv[0], argv[1]);
	ret = uid_arg(argc, argv, &uid, &has_uid);
	if (ret)
		return ret;
	ret = fetch(&c, v->cmd, v->dump && !has_uid, has_uid ? &uid : NULL,
		    &as, v->what);
	if (ret)
		return ret;
	if (opts.json)
		view_json(v, &as);
	else
		view_table(v, &as);
	kattrs_free(&as);
	kctl_close(&c);
	return EXIT_OK;
}

/* ---- limits ------------------------------------------------------------- */

static void limit_row(struct tbl *t, struct nlattr **tb)
{
	char buf[32];

	tbl_cell(t, "%s", tb[KIPC_LIMIT_A_NAME] ?
		 nla_get_string(tb[KIPC_LIMIT_A_NAME]) : "-");
	cell_u64(t, tb[KIPC_LIMIT_A_VALUE]);
	cell_u64(t, tb[KIPC_LIMIT_A_USED]);
	cell_u64(t, tb[KIPC_LIMIT_A_UID_USED]);
	tbl_cell(t, "%s", tb[KIPC_LIMIT_A_ERRNO] ?
		 errno_name(buf, sizeof(buf), nla_get_u32(tb[KIPC_LIMIT_A_ERRNO])) : "-");
}

/* {"uid": U, "limits": [ */
static void limits_head(struct jw *jw, const struct kattrs *as)
{
	struct nlattr *uid = kattrs_find(as, KIPC_A_UID);

	jw_obj_open(jw, NULL);
	if (uid)
		jw_u64(jw, "uid", nla_get_u32(uid));
	jw_arr_open(jw, "limits");
}

int cmd_limits(int argc, char **argv)
{
	static const char *const cols[] = {
		"NAME", ">VALUE", ">USED", ">UID-USED", "ERRNO"
	};
	static const struct view v = {
		.what = "limits", .cmd = KIPC_CMD_LIMITS_GET,
		.type = KIPC_A_LIMIT, .fs = &limit_set,
		.cols = cols, .ncols = ARRAY_SIZE(cols),
		.row = limit_row, .json_head = limits_head,
	};

	return run_view(&v, argc, argv);
}

/* ---- users -------------------------------------------------------------- */

static void cell_percent(struct tbl *t, uint64_t n, uint64_t max)
{
	if (max)
		tbl_cell(t, "%.1f%%", 100.0 * n / max);
	else
		tbl_cell(t, "-");
}

static void user_row(struct tbl *t, struct nlattr **tb)
{
	uint64_t objs = nla_u32_or(tb[KIPC_USER_A_OBJECTS], 0);
	uint64_t max_objs = nla_u32_or(tb[KIPC_USER_A_MAX_OBJECTS], 0);
	uint64_t bytes = nla_u64_or(tb[KIPC_USER_A_BYTES], 0);
	uint64_t max_bytes = nla_u64_or(tb[KIPC_USER_A_MAX_BYTES], 0);
	char buf[32];

	tbl_cell(t, "%s", user_name(buf, sizeof(buf),
				    nla_u32_or(tb[KIPC_USER_A_UID], 0)));
	tbl_cell(t, "%llu", (unsigned long long)objs);
	tbl_cell(t, "%llu", (unsigned long long)max_objs);
	cell_percent(t, objs, max_objs);
	tbl_cell(t, "%s", human(buf, sizeof(buf), bytes));
	tbl_cell(t, "%s", human(buf, sizeof(buf), max_bytes));
	cell_percent(t, bytes, max_bytes);
}

/* [ */
static void array_head(struct jw *jw, const struct kattrs *as)
{
	(void)as;
	jw_arr_open(jw, NULL);
}

int cmd_users(int argc, char **argv)
{
	static const char *const cols[] = {
		"USER", ">OBJECTS", ">MAX-OBJECTS", ">OBJ%", ">BYTES",
		">MAX-BYTES", ">BYTES%"
	};
	static const struct view v = {
		.what = "users", .cmd = KIPC_CMD_USER_GET,
		.type = KIPC_A_USER, .fs = &user_set,
		.cols = cols, .ncols = ARRAY_SIZE(cols),
		.row = user_row, .json_head = array_head, .dump = true,
	};

	return run_view(&v, argc, argv);
}

/* ---- namespaces ----------------------------------------------------------- */

static void ns_row(struct tbl *t, struct nlattr **tb)
{
	char buf[32];

	tbl_cell(t, "%u%s", nla_u32_or(tb[KIPC_NS_A_INUM], 0),
		 tb[KIPC_NS_A_INITIAL] ? " (initial)" : "");
	tbl_cell(t, "%u", nla_u32_or(tb[KIPC_NS_A_USERNS_INUM], 0));
	cell_u64(t, tb[KIPC_NS_A_OBJECTS]);
	cell_u64(t, tb[KIPC_NS_A_MAX_OBJECTS]);
	cell_u64(t, tb[KIPC_NS_A_NAMED]);
	tbl_cell(t, "%s", human(buf, sizeof(buf),
				nla_u64_or(tb[KIPC_NS_A_BYTES], 0)));
	if (tb[KIPC_NS_A_MAX_BYTES])
		tbl_cell(t, "%s", human(buf, sizeof(buf),
					nla_get_u64(tb[KIPC_NS_A_MAX_BYTES])));
	else
		tbl_cell(t, "-");
}

int cmd_namespaces(int argc, char **argv)
{
	static const char *const cols[] = {
		"IPCNS", "USERNS", ">OBJECTS", ">MAX-OBJECTS", ">NAMED",
		">BYTES", ">MAX-BYTES"
	};
	static const struct view v = {
		.what = "namespaces", .cmd = KIPC_CMD_NS_GET,
		.type = KIPC_A_NS, .fs = &ns_set,
		.cols = cols, .ncols = ARRAY_SIZE(cols),
		.row = ns_row, .json_head = array_head, .dump = true,
		.no_uid = true,
	};

	return run_view(&v, argc, argv);
}
