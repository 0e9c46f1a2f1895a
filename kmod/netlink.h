/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two files of the generic netlink family share: netlink.c (the
 * family, module-wide commands, notifications) and netlink_obj.c (objects).
 *
 * Design: docs/design.md, section 11.  Locking: section 7; the family
 * holds no lock of its own.
 */
#ifndef _KIPC_NETLINK_H
#define _KIPC_NETLINK_H

#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"

struct kipc_object;

extern struct genl_family kipc_nl_family;

/**
 * struct kipc_nl_ctx - the reader of a reply, to translate ids for it
 * @user_ns: the user namespace of the requesting socket (uids, gids)
 * @pid_ns: the pid namespace of the requester (process ids)
 * @want: KIPC_WANT_* bits the request asked for and may see
 */
struct kipc_nl_ctx {
	struct user_namespace *user_ns;
	struct pid_namespace *pid_ns;
	u32 want;
};

/* The policy of KIPC_CMD_OBJ_GET, for both doit and dumpit. */
extern const struct nla_policy kipc_nl_obj_get_policy[KIPC_A_WANT + 1];

int kipc_nl_obj_get_doit(struct sk_buff *skb, struct genl_info *info);
int kipc_nl_obj_get_start(struct netlink_callback *cb);
int kipc_nl_obj_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int kipc_nl_obj_get_done(struct netlink_callback *cb);

kuid_t kipc_nl_req_kuid(const struct nlattr *attr);
int kipc_nl_put_name(struct sk_buff *skb, int attr,
		     const struct kipc_object *obj);

#endif /* _KIPC_NETLINK_H */
