/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipcctl: output.  A JSON writer in the manner of iproute2's json_print
 * (compact, or indented with -p), a column table in the manner of
 * util-linux's lsipc, and the human units both tools print.
 */
#ifndef KIPCCTL_OUT_H
#define KIPCCTL_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JW_DEPTH	16

/* A JSON document being written to a stream. */
struct jw {
	FILE *f;
	bool pretty;
	int depth;
	bool first[JW_DEPTH];	/* nothing written yet at this depth */
};

void jw_init(struct jw *jw, FILE *f, bool pretty);
void jw_obj_open(struct jw *jw, const char *name);
void jw_obj_close(struct jw *jw);
void jw_arr_open(struct jw *jw, const char *name);
void jw_arr_close(struct jw *jw);
void jw_str(struct jw *jw, const char *name, const char *val);
void jw_u64(struct jw *jw, const char *name, uint64_t val);
void jw_bool(struct jw *jw, const char *name, bool val);
void jw_rate(struct jw *jw, const char *name, double val);
/* Ends the document: a newline, and a flush. */
void jw_end(struct jw *jw);

#define TBL_COLS	16

/* A table: cells are kept until tbl_print() measures the columns. */
struct tbl {
	int ncols;
	const char *head[TBL_COLS];
	bool right[TBL_COLS];	/* right-aligned (numbers) */
	char **cells;		/* rows * ncols strings */
	size_t rows, cap;
	int col;		/* next cell of the current row */
};

/* Columns are "NAME" (left-aligned) or ">NAME" (right-aligned). */
void tbl_init(struct tbl *t, const char *const *cols, int ncols);
/* The next cell of the current row; rows wrap after ncols cells. */
void tbl_cell(struct tbl *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tbl_print(struct tbl *t, FILE *f, size_t max_rows);
void tbl_free(struct tbl *t);

/* 1023 -> "1023", 1234 -> "1.2K", 65536 -> "64K", 4 MiB -> "4M". */
char *human(char *buf, size_t len, uint64_t n);
/* ns since the epoch -> "2026-12-03T13:05:35.123+0000" (local time). */
char *iso_time(char *buf, size_t len, uint64_t ns, int decimals);
/* ns -> "1.5s", "230ms", "3m12s", "2h05m". */
char *duration(char *buf, size_t len, uint64_t ns);
/* The user's name from /etc/passwd, or the number. */
const char *user_name(char *buf, size_t len, uint32_t uid);
/* The uid of a user name from /etc/passwd: 0, or -1 if unknown. */
int user_uid(const char *name, uint32_t *uid);
/* "EDQUOT" for 122, or the number. */
const char *errno_name(char *buf, size_t len, int err);

#endif /* KIPCCTL_OUT_H */
