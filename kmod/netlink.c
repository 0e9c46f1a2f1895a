// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "kipc" (uapi/linux/kipc_netlink.h).
 *
 * Being written (issue 14): for now only the calls the rest of the module
 * makes, which do nothing yet.
 *
 * Locking: see docs/design.md, section 7.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kipc_netlink.h>

#include "kipc.h"

/**
 * kipc_nl_notify() - tell the "events" group what happened to an object
 * @kind: KIPC_EV_*
 * @obj: the object
 * @pid: the process that caused it, or NULL for the current one
 */
void kipc_nl_notify(u32 kind, const struct kipc_object *obj, struct pid *pid)
{
}

/**
 * kipc_nl_notify_refused() - tell the "events" group a creation was refused
 * @type: KIPC_TYPE_* of the object refused
 * @err: -ENOSPC or -EDQUOT
 */
void kipc_nl_notify_refused(u32 type, int err)
{
}

/**
 * kipc_nl_put_waiter() - put one KIPC_OBJ_A_WAITER nest
 * @skb: the message
 * @task: the blocked task
 * @what: KIPC_WAIT_*
 * @since_ns: ktime_get_ns() when it started to wait
 *
 * Return: 0 or -EMSGSIZE.
 */
int kipc_nl_put_waiter(struct sk_buff *skb, struct task_struct *task,
		       u32 what, u64 since_ns)
{
	return 0;
}

/**
 * kipc_netlink_init() - register the family
 *
 * Return: 0 or a -errno.
 */
int kipc_netlink_init(void)
{
	return 0;
}

/**
 * kipc_netlink_exit() - unregister the family
 */
void kipc_netlink_exit(void)
{
}
