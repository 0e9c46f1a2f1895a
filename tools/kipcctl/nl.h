/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipcctl: talking to the generic netlink family "kipc" through libnl
 * (uapi/linux/kipc_netlink.h).
 */
#ifndef KIPCCTL_NL_H
#define KIPCCTL_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <linux/kipc_netlink.h>

/* A connection to the family. */
struct kctl {
	struct nl_sock *sk;
	int family;
	char extack[256];	/* the kernel's message for the last error */
};

/*
 * Connects and resolves the family.  Prints why it could not (the module
 * not loaded) and returns -1.
 */
int kctl_open(struct kctl *c);
void kctl_close(struct kctl *c);

/* A request of @cmd (with NLM_F_DUMP when @dump), to add attributes to. */
struct nl_msg *kctl_msg(struct kctl *c, uint8_t cmd, bool dump);

/* Called for every reply with its attributes. */
typedef int (*kctl_reply_fn)(struct nlattr *attrs, int len, void *arg);

/*
 * Sends @msg (and frees it) and reads the replies, one call of @fn each,
 * until the ack or the end of the dump.  Returns 0 or a -errno; the
 * kernel's extended-ack message, if any, is then in c->extack.  -EINTR:
 * a dump was interrupted (NLM_F_DUMP_INTR), its replies may be
 * inconsistent.
 */
int kctl_call(struct kctl *c, struct nl_msg *msg, kctl_reply_fn fn, void *arg);

/* Prints "kipcctl: WHAT: error (kernel message)" and returns 1. */
int kctl_fail(const struct kctl *c, int err, const char *what);

/*
 * Joins the "events" group; the socket then serves notifications only
 * (no sequence check, non-blocking).
 */
int kctl_subscribe(struct kctl *c);

/*
 * Reads what arrived on a subscribed socket, calling @fn for each
 * notification; returns 0, or a -errno (-EAGAIN: nothing more now).
 */
int kctl_read_events(struct kctl *c, kctl_reply_fn fn, void *arg);

/* Every top-level attribute of the replies, copied. */
struct kattrs {
	struct nlattr **v;
	size_t n, cap;
};

/* kctl_reply_fn filling a struct kattrs. */
int kattrs_add_reply(struct nlattr *attrs, int len, void *arg);
/* The first attribute of @type, or NULL. */
struct nlattr *kattrs_find(const struct kattrs *as, int type);
void kattrs_free(struct kattrs *as);

/* Attribute values, with a default for an absent attribute. */
uint64_t nla_u64_or(const struct nlattr *a, uint64_t def);
uint32_t nla_u32_or(const struct nlattr *a, uint32_t def);
uint8_t nla_u8_or(const struct nlattr *a, uint8_t def);

#endif /* KIPCCTL_NL_H */
