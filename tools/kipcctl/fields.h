/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipcctl: attribute tables.  One table per nest says each attribute's
 * type and JSON name: the libnl policy it is parsed with and both
 * printers (JSON, and "name value" text) come from it, so a field is
 * named in one place.
 */
#ifndef KIPCCTL_FIELDS_H
#define KIPCCTL_FIELDS_H

#include <stddef.h>
#include <stdio.h>

#include <netlink/attr.h>

#include "out.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum ftype {
	F_U32,
	F_U64,
	F_BOOL,		/* u8, printed true/false */
	F_FLAG,		/* NLA_FLAG, always printed true/false */
	F_STR,
	F_ENUM,		/* u32, printed as the name in @names */
	F_ERRNO,	/* u32 positive errno, printed as its name */
	F_NEST,		/* parsed, printed by the caller */
};

struct field {
	int attr;
	const char *name;
	enum ftype type;
	const char *const *names;	/* F_ENUM */
	unsigned int nr_names;
};

/* Above the highest attribute of any nest kipcctl parses. */
#define NEST_MAX	31

#define FLD(a, n, t)	{ (a), (n), (t), NULL, 0 }
#define ENUM(a, n, tbl)	{ (a), (n), F_ENUM, (tbl), ARRAY_SIZE(tbl) }

/* A table and its policy, made once by fset_init(). */
struct fset {
	const struct field *f;
	size_t n;
	int max;			/* the nest's highest attribute */
	struct nla_policy *pol;		/* max + 1 entries */
};

#define FSET(tbl, maxattr) \
	{ .f = (tbl), .n = ARRAY_SIZE(tbl), .max = (maxattr) }

void fset_init(struct fset *fs);
/* Parses @nest into @tb (fs->max + 1 entries) by the set's policy. */
int fset_parse(struct fset *fs, struct nlattr **tb, struct nlattr *nest);
void fset_json(const struct fset *fs, struct jw *jw, struct nlattr **tb);
/* " name value" for each attribute present. */
void fset_text(const struct fset *fs, FILE *f, struct nlattr **tb);
/* The text of one F_ENUM or F_ERRNO value. */
const char *field_enum(const struct field *fl, unsigned int v,
		       char *buf, size_t len);

#endif /* KIPCCTL_FIELDS_H */
