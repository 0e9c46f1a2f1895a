// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl: attribute tables (fields.h).
 */
#include <stdlib.h>

#include "fields.h"
#include "nl.h"

static const int nla_type_of[] = {
	[F_U32] = NLA_U32, [F_U64] = NLA_U64, [F_BOOL] = NLA_U8,
	[F_FLAG] = NLA_FLAG, [F_STR] = NLA_STRING, [F_ENUM] = NLA_U32,
	[F_ERRNO] = NLA_U32, [F_NEST] = NLA_NESTED,
};

void fset_init(struct fset *fs)
{
	if (fs->pol)
		return;
	fs->pol = calloc(fs->max + 1, sizeof(*fs->pol));
	if (!fs->pol)
		abort();
	for (size_t i = 0; i < fs->n; i++)
		fs->pol[fs->f[i].attr].type = nla_type_of[fs->f[i].type];
}

int fset_parse(struct fset *fs, struct nlattr **tb, struct nlattr *nest)
{
	fset_init(fs);
	return nla_parse_nested(tb, fs->max, nest, fs->pol);
}

const char *field_enum(const struct field *fl, unsigned int v,
		       char *buf, size_t len)
{
	if (fl->type == F_ERRNO)
		return errno_name(buf, len, v);
	if (v < fl->nr_names && fl->names[v])
		return fl->names[v];
	snprintf(buf, len, "%u", v);
	return buf;
}

static void field_json(const struct field *fl, struct jw *jw,
		       struct nlattr *a)
{
	char buf[32];

	switch (fl->type) {
	case F_U32:
		jw_u64(jw, fl->name, nla_get_u32(a));
		break;
	case F_U64:
		jw_u64(jw, fl->name, nla_get_u64(a));
		break;
	case F_BOOL:
		jw_bool(jw, fl->name, nla_get_u8(a));
		break;
	case F_STR:
		jw_str(jw, fl->name, nla_get_string(a));
		break;
	case F_ENUM:
	case F_ERRNO:
		jw_str(jw, fl->name,
		       field_enum(fl, nla_get_u32(a), buf, sizeof(buf)));
		break;
	case F_FLAG:
	case F_NEST:
		break;
	}
}

void fset_json(const struct fset *fs, struct jw *jw, struct nlattr **tb)
{
	for (size_t i = 0; i < fs->n; i++) {
		const struct field *fl = &fs->f[i];

		if (fl->type == F_FLAG)
			jw_bool(jw, fl->name, tb[fl->attr]);
		else if (tb[fl->attr])
			field_json(fl, jw, tb[fl->attr]);
	}
}

static void field_text(const struct field *fl, FILE *f, struct nlattr *a)
{
	char buf[32];

	switch (fl->type) {
	case F_U32:
		fprintf(f, " %s %u", fl->name, nla_get_u32(a));
		break;
	case F_U64:
		fprintf(f, " %s %llu", fl->name,
			(unsigned long long)nla_get_u64(a));
		break;
	case F_BOOL:
		fprintf(f, " %s %s", fl->name, nla_get_u8(a) ? "yes" : "no");
		break;
	case F_STR:
		fprintf(f, " %s %s", fl->name, nla_get_string(a));
		break;
	case F_ENUM:
	case F_ERRNO:
		fprintf(f, " %s %s", fl->name,
			field_enum(fl, nla_get_u32(a), buf, sizeof(buf)));
		break;
	case F_FLAG:
	case F_NEST:
		break;
	}
}

void fset_text(const struct fset *fs, FILE *f, struct nlattr **tb)
{
	for (size_t i = 0; i < fs->n; i++) {
		const struct field *fl = &fs->f[i];

		if (fl->type == F_FLAG)
			fprintf(f, " %s %s", fl->name, tb[fl->attr] ? "yes" : "no");
		else if (tb[fl->attr])
			field_text(fl, f, tb[fl->attr]);
	}
}
