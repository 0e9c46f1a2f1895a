// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl: the JSON writer, tables and units (out.h).
 */
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "out.h"

/* ---- JSON ---------------------------------------------------------------- */

void jw_init(struct jw *jw, FILE *f, bool pretty)
{
	memset(jw, 0, sizeof(*jw));
	jw->f = f;
	jw->pretty = pretty;
	jw->first[0] = true;
}

static void jw_indent(struct jw *jw)
{
	if (jw->pretty)
		fprintf(jw->f, "\n%*s", 4 * jw->depth, "");
}

static void jw_quoted(struct jw *jw, const char *s)
{
	fputc('"', jw->f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(jw->f, "\\%c", c);
		else if (c < 0x20)
			fprintf(jw->f, "\\u%04x", c);
		else
			fputc(c, jw->f);
	}
	fputc('"', jw->f);
}

/* What comes before a value: a comma, a new line, and its name if any. */
static void jw_member(struct jw *jw, const char *name)
{
	if (!jw->first[jw->depth])
		fputc(',', jw->f);
	if (jw->depth > 0)
		jw_indent(jw);
	jw->first[jw->depth] = false;
	if (name) {
		jw_quoted(jw, name);
		fputs(jw->pretty ? ": " : ":", jw->f);
	}
}

static void jw_open(struct jw *jw, const char *name, char c)
{
	jw_member(jw, name);
	fputc(c, jw->f);
	if (jw->depth < JW_DEPTH - 1)
		jw->depth++;
	jw->first[jw->depth] = true;
}

static void jw_close(struct jw *jw, char c)
{
	bool empty = jw->first[jw->depth];

	if (jw->depth > 0)
		jw->depth--;
	if (!empty)
		jw_indent(jw);
	fputc(c, jw->f);
}

void jw_obj_open(struct jw *jw, const char *name)
{
	jw_open(jw, name, '{');
}

void jw_obj_close(struct jw *jw)
{
	jw_close(jw, '}');
}

void jw_arr_open(struct jw *jw, const char *name)
{
	jw_open(jw, name, '[');
}

void jw_arr_close(struct jw *jw)
{
	jw_close(jw, ']');
}

void jw_str(struct jw *jw, const char *name, const char *val)
{
	jw_member(jw, name);
	jw_quoted(jw, val);
}

void jw_u64(struct jw *jw, const char *name, uint64_t val)
{
	jw_member(jw, name);
	fprintf(jw->f, "%llu", (unsigned long long)val);
}

void jw_bool(struct jw *jw, const char *name, bool val)
{
	jw_member(jw, name);
	fputs(val ? "true" : "false", jw->f);
}

void jw_rate(struct jw *jw, const char *name, double val)
{
	jw_member(jw, name);
	fprintf(jw->f, "%.2f", val);
}

void jw_end(struct jw *jw)
{
	fputc('\n', jw->f);
	fflush(jw->f);
	jw_init(jw, jw->f, jw->pretty);
}

/* ---- Tables ------------------------------------------------------------- */

void tbl_init(struct tbl *t, const char *const *cols, int ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols < TBL_COLS ? ncols : TBL_COLS;
	for (int i = 0; i < t->ncols; i++) {
		t->right[i] = cols[i][0] == '>';
		t->head[i] = cols[i] + t->right[i];
	}
}

void tbl_cell(struct tbl *t, const char *fmt, ...)
{
	size_t n = t->rows * t->ncols + t->col;
	va_list ap;
	char *s;

	if (n >= t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64 * (size_t)t->ncols;
		t->cells = realloc(t->cells, t->cap * sizeof(*t->cells));
		if (!t->cells)
			abort();
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	t->cells[n] = s;
	if (++t->col == t->ncols) {
		t->col = 0;
		t->rows++;
	}
}

static void tbl_row(const struct tbl *t, FILE *f, const char *const *cells,
		    const int *width)
{
	for (int i = 0; i < t->ncols; i++) {
		const char *sep = i + 1 < t->ncols ? " " : "\n";

		if (t->right[i])
			fprintf(f, "%*s%s", width[i], cells[i], sep);
		else if (i + 1 < t->ncols)
			fprintf(f, "%-*s%s", width[i], cells[i], sep);
		else
			fprintf(f, "%s\n", cells[i]);
	}
}

void tbl_print(struct tbl *t, FILE *f, size_t max_rows)
{
	size_t rows = t->rows < max_rows ? t->rows : max_rows;
	int width[TBL_COLS];

	for (int i = 0; i < t->ncols; i++) {
		width[i] = strlen(t->head[i]);
		for (size_t r = 0; r < rows; r++) {
			int w = strlen(t->cells[r * t->ncols + i]);

			if (w > width[i])
				width[i] = w;
		}
	}
	tbl_row(t, f, t->head, width);
	for (size_t r = 0; r < rows; r++)
		tbl_row(t, f, (const char *const *)t->cells + r * t->ncols, width);
}

void tbl_free(struct tbl *t)
{
	for (size_t i = 0; i < t->rows * t->ncols + t->col; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->rows = t->cap = 0;
	t->col = 0;
}

/* ---- Units, times, names ------------------------------------------------ */

char *human(char *buf, size_t len, uint64_t n)
{
	static const char units[] = "KMGTPE";
	double v = n;
	int u = -1;

	if (n < 1024) {
		snprintf(buf, len, "%llu", (unsigned long long)n);
		return buf;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (v < 10 && n % (1ULL << (10 * (u + 1))))
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
	return buf;
}

char *iso_time(char *buf, size_t len, uint64_t ns, int decimals)
{
	time_t s = ns / 1000000000;
	unsigned long frac = ns % 1000000000;
	char date[32], zone[8];
	struct tm tm;

	localtime_r(&s, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	if (decimals == 3)
		snprintf(buf, len, "%s.%03lu%s", date, frac / 1000000, zone);
	else if (decimals == 6)
		snprintf(buf, len, "%s.%06lu%s", date, frac / 1000, zone);
	else
		snprintf(buf, len, "%s%s", date, zone);
	return buf;
}

char *duration(char *buf, size_t len, uint64_t ns)
{
	unsigned long long s = ns / 1000000000;

	if (ns < 1000000)
		snprintf(buf, len, "%lluus", (unsigned long long)ns / 1000);
	else if (ns < 1000000000)
		snprintf(buf, len, "%llums", (unsigned long long)ns / 1000000);
	else if (s < 60)
		snprintf(buf, len, "%.1fs", ns / 1e9);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
	else
		snprintf(buf, len, "%lluh%02llum", s / 3600, s / 60 % 60);
	return buf;
}

#define MAX_USERS	256

/*
 * /etc/passwd read once with fgetpwent(), not getpwuid(): no NSS, so the
 * static binary needs no shared library at run time.
 */
static struct user {
	uint32_t uid;
	char name[32];
} users[MAX_USERS];
static int nr_users = -1;

static void load_users(void)
{
	FILE *f = fopen("/etc/passwd", "re");
	struct passwd *pw;

	nr_users = 0;
	if (!f)
		return;
	while (nr_users < MAX_USERS && (pw = fgetpwent(f))) {
		users[nr_users].uid = pw->pw_uid;
		snprintf(users[nr_users].name, sizeof(users[0].name), "%s",
			 pw->pw_name);
		nr_users++;
	}
	fclose(f);
}

const char *user_name(char *buf, size_t len, uint32_t uid)
{
	if (nr_users < 0)
		load_users();
	for (int i = 0; i < nr_users; i++)
		if (users[i].uid == uid)
			return users[i].name;
	snprintf(buf, len, "%u", uid);
	return buf;
}

int user_uid(const char *name, uint32_t *uid)
{
	if (nr_users < 0)
		load_users();
	for (int i = 0; i < nr_users; i++) {
		if (!strcmp(users[i].name, name)) {
			*uid = users[i].uid;
			return 0;
		}
	}
	return -1;
}

const char *errno_name(char *buf, size_t len, int err)
{
	const char *s = strerrorname_np(err);

	if (s)
		return s;
	snprintf(buf, len, "%d", err);
	return buf;
}
