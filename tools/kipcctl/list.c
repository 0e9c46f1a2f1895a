// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl list, kipcctl show: the objects, one a line, or one in full.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kipc.h>

#include "fields.h"
#include "kipcctl.h"

static int by_id(const void *a, const void *b)
{
	uint64_t x = kobj_id(a), y = kobj_id(b);

	return x < y ? -1 : x > y;
}

static int dump_once(struct kctl *c, const struct filter *f, struct kobjs *os)
{
	struct nl_msg *msg = kctl_msg(c, KIPC_CMD_OBJ_GET, true);
	int err = 0;

	if (!msg)
		return -ENOMEM;
	if (f->type)
		err = nla_put_u32(msg, KIPC_A_TYPE, f->type);
	if (!err && f->prefix)
		err = nla_put_string(msg, KIPC_A_NAME_PREFIX, f->prefix);
	if (!err && f->has_uid)
		err = nla_put_u32(msg, KIPC_A_UID, f->uid);
	if (err) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	err = kctl_call(c, msg, kobjs_add_reply, os);
	if (err)
		return err;
	qsort(os->v, os->n, sizeof(*os->v), by_id);
	return 0;
}

#define DUMP_TRIES	3

/* An interrupted dump (objects came and went) is made again. */
int dump_objects(struct kctl *c, const struct filter *f, struct kobjs *os)
{
	int err = -EINTR;

	for (int i = 0; i < DUMP_TRIES && err == -EINTR; i++) {
		kobjs_free(os);
		err = dump_once(c, f, os);
	}
	return err;
}

/* ---- list --------------------------------------------------------------- */

static void list_table(const struct kobjs *os)
{
	static const char *const cols[] = {
		">ID", "TYPE", "NAME", "OWNER", "MODE", ">FILES", ">MAPS",
		">WAIT", "STATE"
	};
	char buf[128];
	struct tbl t;

	tbl_init(&t, cols, ARRAY_SIZE(cols));
	for (size_t i = 0; i < os->n; i++) {
		const struct kobj *o = &os->v[i];

		tbl_cell(&t, "%llu", (unsigned long long)kobj_id(o));
		tbl_cell(&t, "%s", type_name(kobj_type(o), buf, sizeof(buf)));
		tbl_cell(&t, "%s", kobj_label(o, buf, sizeof(buf)));
		tbl_cell(&t, "%s", user_name(buf, sizeof(buf),
					     nla_u32_or(o->a[KIPC_OBJ_A_UID], 0)));
		tbl_cell(&t, "%04o", nla_u32_or(o->a[KIPC_OBJ_A_MODE], 0));
		tbl_cell(&t, "%u", nla_u32_or(o->a[KIPC_OBJ_A_FILES], 0));
		tbl_cell(&t, "%u", nla_u32_or(o->a[KIPC_OBJ_A_MAPPINGS], 0));
		tbl_cell(&t, "%u", nla_u32_or(o->a[KIPC_OBJ_A_NR_WAITERS], 0));
		tbl_cell(&t, "%s", kobj_summary(o, buf, sizeof(buf)));
	}
	tbl_print(&t, stdout, SIZE_MAX);
	tbl_free(&t);
}

static void list_json(const struct kobjs *os)
{
	struct jw jw;

	jw_init(&jw, stdout, opts.pretty);
	jw_arr_open(&jw, NULL);
	for (size_t i = 0; i < os->n; i++)
		kobj_json(&os->v[i], &jw);
	jw_arr_close(&jw);
	jw_end(&jw);
}

static int list_args(int argc, char **argv, struct filter *f)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		int type = type_parse(a);

		if (type > 0) {
			f->type = type;
			continue;
		}
		if (strcmp(a, "name") && strcmp(a, "owner") && strcmp(a, "uid"))
			return usage_error("list: unknown argument \"%s\"", a);
		v = next_arg(argc, argv, &i);
		if (!v)
			return usage_error("list: \"%s\" needs a value", a);
		if (!strcmp(a, "name"))
			f->prefix = v;
		else if (parse_u32(v, &f->uid) && user_uid(v, &f->uid))
			return usage_error("list: no such uid or user \"%s\"", v);
		else
			f->has_uid = true;
	}
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct filter f = { 0 };
	struct kobjs os = { 0 };
	struct kctl c;
	int err;

	err = list_args(argc, argv, &f);
	if (err)
		return err;
	if (kctl_open(&c))
		return EXIT_FAIL;
	err = dump_objects(&c, &f, &os);
	if (err) {
		err = kctl_fail(&c, err, "list");
	} else {
		if (opts.json)
			list_json(&os);
		else
			list_table(&os);
	}
	kobjs_free(&os);
	kctl_close(&c);
	return err ? EXIT_FAIL : EXIT_OK;
}

/* ---- show --------------------------------------------------------------- */

/* One object by id, with holders and waiters if @want. */
static int get_object(struct kctl *c, uint64_t id, uint32_t want,
		      struct kobjs *os)
{
	struct nl_msg *msg = kctl_msg(c, KIPC_CMD_OBJ_GET, false);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u64(msg, KIPC_A_OBJ_ID, id) ||
	    (want && nla_put_u32(msg, KIPC_A_WANT, want))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return kctl_call(c, msg, kobjs_add_reply, os);
}

/* TYPE/NAME, with a known type and a name. */
static bool valid_spec(const char *spec)
{
	const char *slash = strchr(spec, '/');
	char type[32];

	if (!slash || !slash[1] || slash - spec >= (int)sizeof(type))
		return false;
	snprintf(type, sizeof(type), "%.*s", (int)(slash - spec), spec);
	return type_parse(type) > 0;
}

/* The index of the object named @name: the linked one, else any. */
static int pick_name(const struct kobjs *os, const char *name)
{
	int found = -1;

	for (size_t i = 0; i < os->n; i++) {
		const char *n = kobj_name(&os->v[i]);

		if (!n || strcmp(n, name))
			continue;
		if (found < 0 || os->v[i].a[KIPC_OBJ_A_LINKED])
			found = i;
	}
	return found;
}

/* The id of a valid TYPE/NAME. */
static int find_by_name(struct kctl *c, const char *spec, uint64_t *id)
{
	const char *slash = strchr(spec, '/');
	struct filter f = { .prefix = slash + 1 };
	struct kobjs os = { 0 };
	char type[32];
	int err, found;

	snprintf(type, sizeof(type), "%.*s", (int)(slash - spec), spec);
	f.type = type_parse(type);
	err = dump_objects(c, &f, &os);
	if (err)
		return kctl_fail(c, err, "show");
	found = pick_name(&os, f.prefix);
	if (found >= 0)
		*id = kobj_id(&os.v[found]);
	else
		fprintf(stderr, "kipcctl: show: no %s named \"%s\"\n", type, f.prefix);
	kobjs_free(&os);
	return found >= 0 ? 0 : EXIT_FAIL;
}

static void show_print(struct kobj *o)
{
	struct jw jw;

	if (opts.json) {
		jw_init(&jw, stdout, opts.pretty);
		kobj_json(o, &jw);
		jw_end(&jw);
		return;
	}
	kobj_show(o, stdout);
	if (o->hidden)
		printf("holders, waiters: not visible to you (owner, creator or CAP_IPC_OWNER only)\n");
}

static int show_id(struct kctl *c, uint64_t id)
{
	struct kobjs os = { 0 };
	int err = get_object(c, id, KIPC_WANT_ALL, &os);
	bool hidden = err == -EPERM;

	if (hidden)
		err = get_object(c, id, 0, &os);
	if (err == -ENOENT) {
		fprintf(stderr, "kipcctl: show: no object %llu\n",
			(unsigned long long)id);
	} else if (err) {
		kctl_fail(c, err, "show");
	} else if (os.n != 1) {
		fprintf(stderr, "kipcctl: show: the kernel sent %zu objects\n", os.n);
		err = -EPROTO;
	} else {
		os.v[0].hidden = hidden;
		show_print(&os.v[0]);
	}
	kobjs_free(&os);
	return err ? EXIT_FAIL : EXIT_OK;
}

int cmd_show(int argc, char **argv)
{
	uint64_t id = 0;
	struct kctl c;
	bool by_name;
	int ret;

	if (argc != 2)
		return usage_error("show: one object: ID or TYPE/NAME");
	by_name = parse_u64(argv[1], &id) != 0;
	if (by_name && !valid_spec(argv[1]))
		return usage_error("show: \"%s\" is neither an ID nor TYPE/NAME",
				   argv[1]);
	if (kctl_open(&c))
		return EXIT_FAIL;
	ret = by_name ? find_by_name(&c, argv[1], &id) : 0;
	if (!ret)
		ret = show_id(&c, id);
	kctl_close(&c);
	return ret;
}
