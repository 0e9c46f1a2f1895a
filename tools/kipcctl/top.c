// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl top: the busiest objects.  Two dumps SECS apart; an object's
 * rate is the growth of its counters per second.  Interactive on a
 * terminal (the screen redrawn each time), else, or with -n, a batch of
 * N iterations each with a header line, as `top -b` prints them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "fields.h"
#include "kipcctl.h"

enum sort_key { SORT_OPS, SORT_MSGS, SORT_BYTES, SORT_WAITS, SORT_ID };

static const char *const sort_names[] = {
	[SORT_OPS] = "ops", [SORT_MSGS] = "msgs", [SORT_BYTES] = "bytes",
	[SORT_WAITS] = "waits", [SORT_ID] = "id",
};

struct top {
	long iterations;	/* -1: until a signal */
	double delay;		/* seconds */
	enum sort_key sort;
	bool batch;
};

/* One object's rates over the last interval. */
struct row {
	const struct kobj *o;
	double ops, msgs, bytes, waits;
};

/* ---- Options ------------------------------------------------------------ */

/* The value of "-x VALUE" or "-xVALUE" at argv[*i]. */
static const char *opt_value(int argc, char **argv, int *i)
{
	return argv[*i][2] ? argv[*i] + 2 : next_arg(argc, argv, i);
}

static int parse_sort(const char *v, enum sort_key *key)
{
	for (size_t k = 0; k < ARRAY_SIZE(sort_names); k++) {
		if (!strcmp(v, sort_names[k])) {
			*key = k;
			return 0;
		}
	}
	return -EINVAL;
}

static int top_option(struct top *t, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v;
	char *end;
	uint32_t n;

	if (a[0] != '-' || !a[1] || !strchr("nds", a[1]))
		return usage_error("top: unknown argument \"%s\"", a);
	v = opt_value(argc, argv, i);
	if (!v)
		return usage_error("top: %.2s needs a value", a);
	switch (a[1]) {
	case 'n':
		if (parse_u32(v, &n) || !n)
			return usage_error("top: -n needs a count above 0");
		t->iterations = n;
		break;
	case 'd':
		t->delay = strtod(v, &end);
		if (*end || !(t->delay > 0 && t->delay < 86400))
			return usage_error("top: -d needs seconds above 0");
		break;
	default:
		if (parse_sort(v, &t->sort))
			return usage_error("top: -s: one of ops, msgs, bytes, waits, id");
	}
	return 0;
}

static int top_args(struct top *t, int argc, char **argv)
{
	int err;

	*t = (struct top){ .iterations = -1, .delay = 1.0 };
	for (int i = 1; i < argc; i++) {
		err = top_option(t, argc, argv, &i);
		if (err)
			return err;
	}
	t->batch = t->iterations > 0 || !isatty(STDOUT_FILENO);
	return 0;
}

/* ---- Rates -------------------------------------------------------------- */

static const struct kobj *find_id(const struct kobjs *os, uint64_t id)
{
	size_t lo = 0, hi = os->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t m = kobj_id(&os->v[mid]);

		if (m == id)
			return &os->v[mid];
		if (m < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The growth of counters @a (and @b) from @p (none: from 0) to @o. */
static double delta(const struct kobj *o, const struct kobj *p, int a, int b)
{
	uint64_t now = kobj_counter(o, a) + (b ? kobj_counter(o, b) : 0);
	uint64_t then = p ? kobj_counter(p, a) + (b ? kobj_counter(p, b) : 0) : 0;

	return now > then ? (double)(now - then) : 0;
}

static void rate(struct row *r, const struct kobj *p, double dt)
{
	r->msgs = delta(r->o, p, KIPC_CNT_A_MSGS_IN, KIPC_CNT_A_MSGS_OUT) / dt;
	r->bytes = delta(r->o, p, KIPC_CNT_A_BYTES_IN, KIPC_CNT_A_BYTES_OUT) / dt;
	r->waits = delta(r->o, p, KIPC_CNT_A_WAITS, 0) / dt;
	r->ops = r->msgs + r->waits;
}

static enum sort_key sort_by;

static double sort_value(const struct row *r)
{
	switch (sort_by) {
	case SORT_MSGS:
		return r->msgs;
	case SORT_BYTES:
		return r->bytes;
	case SORT_WAITS:
		return r->waits;
	default:
		return r->ops;
	}
}

/* Descending by the key, then by bytes, then ascending by id. */
static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	uint64_t ix = kobj_id(x->o), iy = kobj_id(y->o);

	if (sort_by != SORT_ID && sort_value(x) != sort_value(y))
		return sort_value(x) < sort_value(y) ? 1 : -1;
	if (sort_by != SORT_ID && x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return ix < iy ? -1 : ix > iy;
}

static struct row *rows_of(const struct kobjs *prev, const struct kobjs *cur,
			   double dt, enum sort_key key)
{
	struct row *rows = calloc(cur->n + 1, sizeof(*rows));

	if (!rows)
		return NULL;
	for (size_t i = 0; i < cur->n; i++) {
		rows[i].o = &cur->v[i];
		rate(&rows[i], find_id(prev, kobj_id(&cur->v[i])), dt);
	}
	sort_by = key;
	qsort(rows, cur->n, sizeof(*rows), row_cmp);
	return rows;
}

/* ---- Printing ----------------------------------------------------------- */

static void top_json(const struct row *rows, size_t n)
{
	char buf[32];
	struct jw jw;

	jw_init(&jw, stdout, opts.pretty);
	jw_arr_open(&jw, NULL);
	for (size_t i = 0; i < n; i++) {
		const struct kobj *o = rows[i].o;

		jw_obj_open(&jw, NULL);
		jw_u64(&jw, "id", kobj_id(o));
		jw_str(&jw, "type", type_name(kobj_type(o), buf, sizeof(buf)));
		if (kobj_name(o))
			jw_str(&jw, "name", kobj_name(o));
		jw_u64(&jw, "uid", nla_u32_or(o->a[KIPC_OBJ_A_UID], 0));
		jw_rate(&jw, "ops_per_sec", rows[i].ops);
		jw_rate(&jw, "msgs_per_sec", rows[i].msgs);
		jw_rate(&jw, "waits_per_sec", rows[i].waits);
		jw_rate(&jw, "bytes_per_sec", rows[i].bytes);
		jw_obj_close(&jw);
	}
	jw_arr_close(&jw);
	jw_end(&jw);
}

static void top_row(struct tbl *t, const struct row *r)
{
	char buf[128];

	tbl_cell(t, "%llu", (unsigned long long)kobj_id(r->o));
	tbl_cell(t, "%s", type_name(kobj_type(r->o), buf, sizeof(buf)));
	tbl_cell(t, "%s", kobj_label(r->o, buf, sizeof(buf)));
	tbl_cell(t, "%.1f", r->ops);
	tbl_cell(t, "%.1f", r->msgs);
	tbl_cell(t, "%s", human(buf, sizeof(buf), (uint64_t)(r->bytes + 0.5)));
	tbl_cell(t, "%.1f", r->waits);
	tbl_cell(t, "%s", kobj_summary(r->o, buf, sizeof(buf)));
}

static size_t screen_rows(const struct top *t)
{
	struct winsize ws;

	if (t->batch || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || ws.ws_row < 4)
		return SIZE_MAX;
	return ws.ws_row - 3;	/* the header, the columns, the cursor */
}

static void top_table(const struct top *t, const struct row *rows, size_t n)
{
	static const char *const cols[] = {
		">ID", "TYPE", "NAME", ">OPS/S", ">MSGS/S", ">BYTES/S",
		">WAITS/S", "STATE"
	};
	char now[48];
	struct tbl tb;

	if (!t->batch)
		fputs("\033[H\033[2J", stdout);
	printf("kipcctl top - %s, %zu objects, every %.1fs, by %s\n",
	       iso_time(now, sizeof(now),
			(uint64_t)time(NULL) * 1000000000ULL, 0),
	       n, t->delay, sort_names[t->sort]);
	tbl_init(&tb, cols, ARRAY_SIZE(cols));
	for (size_t i = 0; i < n; i++)
		top_row(&tb, &rows[i]);
	tbl_print(&tb, stdout, screen_rows(t));
	tbl_free(&tb);
	if (t->batch)
		putchar('\n');
	fflush(stdout);
}

/* ---- The loop ----------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleeps @s seconds unless a signal asks to stop. */
static void pause_for(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (!stop_requested && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int top_iteration(struct kctl *c, const struct top *t,
			 struct kobjs *prev, double *then)
{
	struct filter f = { 0 };
	struct kobjs cur = { 0 };
	struct row *rows;
	double now;
	int err;

	pause_for(t->delay);
	if (stop_requested)
		return 0;
	err = dump_objects(c, &f, &cur);
	now = now_s();
	if (err)
		return kctl_fail(c, err, "top");
	rows = rows_of(prev, &cur, now - *then, t->sort);
	if (rows && opts.json)
		top_json(rows, cur.n);
	else if (rows)
		top_table(t, rows, cur.n);
	free(rows);
	kobjs_free(prev);
	*prev = cur;
	*then = now;
	return rows ? 0 : EXIT_FAIL;
}

int cmd_top(int argc, char **argv)
{
	struct kobjs prev = { 0 };
	struct filter f = { 0 };
	struct kctl c;
	struct top t;
	double then;
	int ret;

	ret = top_args(&t, argc, argv);
	if (ret)
		return ret;
	if (kctl_open(&c))
		return EXIT_FAIL;
	catch_stop_signals();
	ret = dump_objects(&c, &f, &prev);
	then = now_s();
	if (ret)
		ret = kctl_fail(&c, ret, "top");
	for (long i = 0; !ret && !stop_requested &&
	     (t.iterations < 0 || i < t.iterations); i++)
		ret = top_iteration(&c, &t, &prev, &then);
	kobjs_free(&prev);
	kctl_close(&c);
	return ret;
}
