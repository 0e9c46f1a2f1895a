/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipcctl: one object as the family reports it (KIPC_A_OBJ), and its
 * printers: a line of `list`, a JSON object, the text of `show`.
 */
#ifndef KIPCCTL_OBJ_H
#define KIPCCTL_OBJ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/kipc.h>
#include <linux/kipc_netlink.h>

#include "out.h"

#define KOBJ_STATE_MAX	15	/* above every type's KIPC_<TYPE>_A_MAX */

struct kobj {
	struct nlattr *raw;	/* a copy of the KIPC_A_OBJ nest */
	struct nlattr *a[KIPC_OBJ_A_MAX + 1];
	struct nlattr *st[KOBJ_STATE_MAX + 1];
	struct nlattr *cnt[KIPC_CNT_A_MAX + 1];
	bool hidden;		/* holders and waiters refused (EPERM) */
};

/* A growing array of objects, as a dump fills it. */
struct kobjs {
	struct kobj *v;
	size_t n, cap;
};

/* Copies and parses @nest.  Returns 0 or -EINVAL. */
int kobj_parse(struct kobj *o, const struct nlattr *nest);
void kobj_free(struct kobj *o);
/* kctl_reply_fn adding every KIPC_A_OBJ of a reply to a struct kobjs. */
int kobjs_add_reply(struct nlattr *attrs, int len, void *arg);
void kobjs_free(struct kobjs *os);

uint64_t kobj_id(const struct kobj *o);
uint32_t kobj_type(const struct kobj *o);
const char *kobj_name(const struct kobj *o);	/* NULL if anonymous */
uint64_t kobj_counter(const struct kobj *o, int attr);

/* The names of the types, as kipcctl prints them (NULL for 0). */
extern const char *const type_names[KIPC_TYPE_MAX + 1];

/* "queue", ... or the number; -1 for an unknown name ("sem" and
 * "semaphore" both name KIPC_TYPE_SEMAPHORE). */
const char *type_name(uint32_t type, char *buf, size_t len);
int type_parse(const char *s);

/* NAME column: the name, "-" for none, "name(unlinked)". */
const char *kobj_label(const struct kobj *o, char *buf, size_t len);
/* STATE column, in human units. */
const char *kobj_summary(const struct kobj *o, char *buf, size_t len);
/* Every field of the object (holders and waiters if present). */
void kobj_json(const struct kobj *o, struct jw *jw);
void kobj_show(const struct kobj *o, FILE *f);

#endif /* KIPCCTL_OBJ_H */
