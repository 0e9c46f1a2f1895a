// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "kipc" (uapi/linux/kipc_netlink.h): its
 * registration, its module-wide commands (statistics, limits, per-uid
 * usage), the multicast group "events", and the waiter attributes the
 * types put.  Objects are netlink_obj.c's.
 *
 * Every request is validated strictly against its command's policy
 * (no GENL_DONT_VALIDATE_*; a command without a policy takes no
 * attribute), and every rejection carries an extended ack message.
 *
 * Design: docs/design.md, section 11.  Locking: section 7; the family
 * holds no lock of its own, and notifications may be sent under any.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/ktime.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/kipc_netlink.h>

#include "kipc.h"
#include "netlink.h"

/* Multicast groups, in the order of kipc_nl_mcgrps. */
enum kipc_nl_grp {
	KIPC_NL_GRP_EVENTS,
};

/**
 * kipc_nl_put_name() - put an object's name as a NUL-terminated string
 * @skb: the message
 * @attr: the attribute
 * @obj: the object; nothing is put for an anonymous one
 *
 * Return: 0 or -EMSGSIZE.
 */
int kipc_nl_put_name(struct sk_buff *skb, int attr,
		     const struct kipc_object *obj)
{
	struct nlattr *nla;

	if (!obj->name)
		return 0;
	nla = nla_reserve(skb, attr, obj->name_len + 1);
	if (!nla)
		return -EMSGSIZE;
	memcpy(nla_data(nla), obj->name, obj->name_len);
	((char *)nla_data(nla))[obj->name_len] = '\0';
	return 0;
}

/**
 * kipc_nl_req_kuid() - the uid of a request's KIPC_A_UID
 * @attr: the attribute
 *
 * A uid in a request is the requester's: requests are parsed and run in
 * its context.
 *
 * Return: the kernel uid, INVALID_UID if it does not map.
 */
kuid_t kipc_nl_req_kuid(const struct nlattr *attr)
{
	return make_kuid(current_user_ns(), nla_get_u32(attr));
}

/* KIPC_A_UID of a request, or the caller's effective uid. */
static int kipc_nl_req_uid(struct genl_info *info, kuid_t *uid)
{
	const struct nlattr *attr = info->attrs[KIPC_A_UID];

	*uid = attr ? kipc_nl_req_kuid(attr) : current_euid();
	if (uid_valid(*uid))
		return 0;
	NL_SET_ERR_MSG_ATTR(info->extack, attr,
			    "uid not mapped in the caller's user namespace");
	return -EINVAL;
}

static u32 kipc_nl_uid(struct sk_buff *skb, kuid_t uid)
{
	return from_kuid_munged(sk_user_ns(NETLINK_CB(skb).sk), uid);
}

/*
 * A doit's reply: @put fills the message after its header.  Replies of
 * these commands are small and bounded: NLMSG_GOODSIZE holds them.
 */
static int kipc_nl_reply(struct sk_buff *skb, struct genl_info *info,
			 u8 cmd, const void *arg,
			 int (*put)(struct sk_buff *msg, struct sk_buff *skb,
				    const void *arg))
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kipc_nl_family, 0, cmd);
	if (!hdr || put(msg, skb, arg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * One message of a dump: @put fills it after its header.  Returns 0, or
 * -EMSGSIZE when @skb is full (the dump goes on in the next one).
 */
static int kipc_nl_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
			    u8 cmd, const void *arg,
			    int (*put)(struct sk_buff *msg, struct sk_buff *skb,
				       const void *arg))
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &kipc_nl_family, NLM_F_MULTI, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (put(skb, cb->skb, arg)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* ---- KIPC_CMD_STATS_GET ------------------------------------------------ */

static int kipc_nl_put_stats(struct sk_buff *msg, struct sk_buff *skb,
			     const void *arg)
{
	struct kipc_module_stats s;
	struct nlattr *nest;

	kipc_module_stats(&s);
	nest = nla_nest_start(msg, KIPC_A_STATS);
	if (!nest ||
	    nla_put_u64_64bit(msg, KIPC_STATS_A_OBJECTS, s.objects,
			      KIPC_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_STATS_A_NAMED, s.named,
			      KIPC_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_STATS_A_CREATED, s.created,
			      KIPC_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_STATS_A_DESTROYED, s.destroyed,
			      KIPC_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_STATS_A_REFUSED_ENOSPC,
			      s.refused_enospc, KIPC_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_STATS_A_REFUSED_EDQUOT,
			      s.refused_edquot, KIPC_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_STATS_A_USERS, s.users,
			      KIPC_STATS_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int kipc_nl_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kipc_nl_reply(skb, info, KIPC_CMD_STATS_GET, NULL,
			     kipc_nl_put_stats);
}

/* ---- KIPC_CMD_LIMITS_GET ----------------------------------------------- */

/* What a limit's use is measured by. */
enum kipc_nl_use {
	KIPC_USE_NONE,		/* a bound on one call's arguments */
	KIPC_USE_OBJECTS,	/* objects alive, module-wide */
	KIPC_USE_UID_OBJECTS,	/* objects charged to the uid */
	KIPC_USE_UID_BYTES,	/* bytes charged to the uid */
};

/**
 * struct kipc_nl_limit - one module parameter, as KIPC_A_LIMIT reports it
 * @name: the parameter's name
 * @uint: its value, if an unsigned int
 * @ulong: its value, if an unsigned long
 * @err: the errno of a call beyond it
 * @use: what its current use is, enum kipc_nl_use
 */
struct kipc_nl_limit {
	const char *name;
	const unsigned int *uint;
	const unsigned long *ulong;
	u32 err;
	u32 use;
};

/* Every module parameter of main.c, in its order. */
static const struct kipc_nl_limit kipc_nl_limits[] = {
	{ "max_objects", &kipc_max_objects, NULL, ENOSPC, KIPC_USE_OBJECTS },
	{ "max_objects_per_uid", &kipc_max_objects_per_uid, NULL, EDQUOT,
	  KIPC_USE_UID_OBJECTS },
	{ "max_name_len", &kipc_max_name_len, NULL, ENAMETOOLONG },
	{ "max_bytes_per_uid", NULL, &kipc_max_bytes_per_uid, EDQUOT,
	  KIPC_USE_UID_BYTES },
	{ "max_queue_msgs", &kipc_max_queue_msgs, NULL, EINVAL },
	{ "max_queue_msg_size", &kipc_max_queue_msg_size, NULL, EINVAL },
	{ "max_channel_capacity", &kipc_max_channel_capacity, NULL, EINVAL },
	{ "max_pipe_capacity", &kipc_max_pipe_capacity, NULL, EINVAL },
	{ "max_region_size", NULL, &kipc_max_region_size, EINVAL },
	{ "max_wait_objects", &kipc_max_wait_objects, NULL, EINVAL },
	/* Not a limit: no call fails by it. */
	{ "ns_reap_ms", &kipc_ns_reap_ms, NULL, 0 },
	{ "max_objects_per_ns", &kipc_max_objects_per_ns, NULL, ENOSPC },
	{ "max_bytes_per_ns", NULL, &kipc_max_bytes_per_ns, ENOSPC },
};

static int kipc_nl_put_limit(struct sk_buff *msg,
			     const struct kipc_nl_limit *l, kuid_t uid)
{
	u64 value = l->uint ? READ_ONCE(*l->uint) : READ_ONCE(*l->ulong);
	struct nlattr *nest;
	int err = 0;

	nest = nla_nest_start(msg, KIPC_A_LIMIT);
	if (!nest || nla_put_string(msg, KIPC_LIMIT_A_NAME, l->name) ||
	    nla_put_u64_64bit(msg, KIPC_LIMIT_A_VALUE, value,
			      KIPC_LIMIT_A_PAD) ||
	    nla_put_u32(msg, KIPC_LIMIT_A_ERRNO, l->err))
		return -EMSGSIZE;
	switch (l->use) {
	case KIPC_USE_OBJECTS:
		err = nla_put_u64_64bit(msg, KIPC_LIMIT_A_USED,
					kipc_objects_alive(), KIPC_LIMIT_A_PAD);
		break;
	case KIPC_USE_UID_OBJECTS:
		err = nla_put_u64_64bit(msg, KIPC_LIMIT_A_UID_USED,
					kipc_uid_objects(uid), KIPC_LIMIT_A_PAD);
		break;
	case KIPC_USE_UID_BYTES:
		err = nla_put_u64_64bit(msg, KIPC_LIMIT_A_UID_USED,
					kipc_uid_bytes(uid), KIPC_LIMIT_A_PAD);
		break;
	}
	if (err)
		return err;
	nla_nest_end(msg, nest);
	return 0;
}

static int kipc_nl_put_limits(struct sk_buff *msg, struct sk_buff *skb,
			      const void *arg)
{
	kuid_t uid = *(const kuid_t *)arg;
	int i;

	if (nla_put_u32(msg, KIPC_A_UID, kipc_nl_uid(skb, uid)))
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(kipc_nl_limits); i++)
		if (kipc_nl_put_limit(msg, &kipc_nl_limits[i], uid))
			return -EMSGSIZE;
	return 0;
}

static int kipc_nl_limits_doit(struct sk_buff *skb, struct genl_info *info)
{
	kuid_t uid;
	int err;

	err = kipc_nl_req_uid(info, &uid);
	if (err)
		return err;
	return kipc_nl_reply(skb, info, KIPC_CMD_LIMITS_GET, &uid,
			     kipc_nl_put_limits);
}

/* ---- KIPC_CMD_USER_GET ------------------------------------------------- */

static int kipc_nl_put_user(struct sk_buff *msg, struct sk_buff *skb,
			    const void *arg)
{
	const struct kipc_user_usage *u = arg;
	struct nlattr *nest;

	nest = nla_nest_start(msg, KIPC_A_USER);
	if (!nest ||
	    nla_put_u32(msg, KIPC_USER_A_UID, kipc_nl_uid(skb, u->uid)) ||
	    nla_put_u32(msg, KIPC_USER_A_OBJECTS, u->objects) ||
	    nla_put_u32(msg, KIPC_USER_A_MAX_OBJECTS,
			READ_ONCE(kipc_max_objects_per_uid)) ||
	    nla_put_u64_64bit(msg, KIPC_USER_A_BYTES, u->bytes,
			      KIPC_USER_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_USER_A_MAX_BYTES,
			      READ_ONCE(kipc_max_bytes_per_uid),
			      KIPC_USER_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int kipc_nl_user_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kipc_user_usage u;
	int err;

	err = kipc_nl_req_uid(info, &u.uid);
	if (err)
		return err;
	u.objects = kipc_uid_objects(u.uid);
	u.bytes = kipc_uid_bytes(u.uid);
	return kipc_nl_reply(skb, info, KIPC_CMD_USER_GET, &u,
			     kipc_nl_put_user);
}

/* Where a dump of uids is, in cb->ctx: the index of the next. */
static unsigned int *kipc_nl_user_next(struct netlink_callback *cb)
{
	return (unsigned int *)cb->ctx;
}

/* A dump of uids takes no uid: in .start, or its first part (compat.h). */
static int kipc_nl_user_dump_check(struct netlink_callback *cb)
{
	const struct nlattr *uid = kipc_genl_dump_attrs(cb)[KIPC_A_UID];

	if (uid) {
		NL_SET_ERR_MSG_ATTR(cb->extack, uid,
				    "one uid is a request without NLM_F_DUMP");
		return -EINVAL;
	}
	return 0;
}

static int kipc_nl_user_start(struct netlink_callback *cb)
{
	*kipc_nl_user_next(cb) = 0;
	return KIPC_NL_CHECK_IN_START ? kipc_nl_user_dump_check(cb) : 0;
}

static int kipc_nl_user_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb)
{
	unsigned int *next = kipc_nl_user_next(cb);
	struct kipc_user_usage u;
	int err;

	if (!KIPC_NL_CHECK_IN_START && !*next) {
		err = kipc_nl_user_dump_check(cb);
		if (err)
			return err;
	}
	while (kipc_user_nth(*next, &u) &&
	       !kipc_nl_dump_one(skb, cb, KIPC_CMD_USER_GET, &u,
				 kipc_nl_put_user))
		(*next)++;
	return skb->len;
}

/* ---- KIPC_CMD_NS_GET --------------------------------------------------- */

static int kipc_nl_put_ns(struct sk_buff *msg, struct sk_buff *skb,
			  const void *arg)
{
	const struct kipc_ns_info *in = arg;
	struct nlattr *nest;

	nest = nla_nest_start(msg, KIPC_A_NS);
	if (!nest ||
	    nla_put_u32(msg, KIPC_NS_A_INUM, in->inum) ||
	    (in->initial && nla_put_flag(msg, KIPC_NS_A_INITIAL)) ||
	    nla_put_u32(msg, KIPC_NS_A_USERNS_INUM, in->userns_inum) ||
	    nla_put_u64_64bit(msg, KIPC_NS_A_OBJECTS, in->objects,
			      KIPC_NS_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_NS_A_NAMED, in->named,
			      KIPC_NS_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_NS_A_BYTES, in->bytes,
			      KIPC_NS_A_PAD))
		return -EMSGSIZE;
	if (!in->initial &&
	    (nla_put_u64_64bit(msg, KIPC_NS_A_MAX_OBJECTS,
			       READ_ONCE(kipc_max_objects_per_ns),
			       KIPC_NS_A_PAD) ||
	     nla_put_u64_64bit(msg, KIPC_NS_A_MAX_BYTES,
			       READ_ONCE(kipc_max_bytes_per_ns),
			       KIPC_NS_A_PAD)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * Both forms reap first: an operator asking which namespaces hold
 * kipc's objects is never shown one that died since the reaper last ran.
 */
static int kipc_nl_ns_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kipc_ns_info in;
	int err;

	kipc_ns_reap(false);
	err = kipc_ns_current_info(&in);
	if (err)
		return err;
	return kipc_nl_reply(skb, info, KIPC_CMD_NS_GET, &in, kipc_nl_put_ns);
}

/* Where a dump of namespaces is, in cb->ctx. */
struct kipc_nl_ns_ctx {
	unsigned int next;	/* kipc_ns_nth()'s index of the next */
	bool all;		/* every namespace, or the caller's only */
};

static struct kipc_nl_ns_ctx *kipc_nl_ns_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct kipc_nl_ns_ctx) > sizeof(cb->ctx));
	return (struct kipc_nl_ns_ctx *)cb->ctx;
}

/*
 * Every namespace for an administrator of the initial one, as lsns(8)
 * shows only one's own processes' namespaces to others.
 */
static int kipc_nl_ns_start(struct netlink_callback *cb)
{
	struct kipc_nl_ns_ctx *ctx = kipc_nl_ns_ctx(cb);

	ctx->next = 0;
	ctx->all = kipc_ns_current_is_init() &&
		   netlink_capable(cb->skb, CAP_SYS_ADMIN);
	kipc_ns_reap(false);
	return 0;
}

/* The next namespace of the dump into @in; false past the last. */
static bool kipc_nl_ns_next(const struct kipc_nl_ns_ctx *ctx,
			    struct kipc_ns_info *in)
{
	if (ctx->all)
		return kipc_ns_nth(ctx->next, in);
	return !ctx->next && !kipc_ns_current_info(in);
}

static int kipc_nl_ns_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kipc_nl_ns_ctx *ctx = kipc_nl_ns_ctx(cb);
	struct kipc_ns_info in;

	while (kipc_nl_ns_next(ctx, &in) &&
	       !kipc_nl_dump_one(skb, cb, KIPC_CMD_NS_GET, &in, kipc_nl_put_ns))
		ctx->next++;
	return skb->len;
}

/* ---- The family -------------------------------------------------------- */

static const struct nla_policy kipc_nl_uid_policy[KIPC_A_UID + 1] = {
	[KIPC_A_UID]	= { .type = NLA_U32 },
};

static const struct genl_ops kipc_nl_ops[] = {
	{
		.cmd		= KIPC_CMD_OBJ_GET,
		.doit		= kipc_nl_obj_get_doit,
		.start		= kipc_nl_obj_get_start,
		.dumpit		= kipc_nl_obj_get_dumpit,
		.done		= kipc_nl_obj_get_done,
		.policy		= kipc_nl_obj_get_policy,
		.maxattr	= ARRAY_SIZE(kipc_nl_obj_get_policy) - 1,
	},
	{
		/* No policy: the command takes no attribute. */
		.cmd		= KIPC_CMD_STATS_GET,
		.doit		= kipc_nl_stats_doit,
	},
	{
		.cmd		= KIPC_CMD_LIMITS_GET,
		.doit		= kipc_nl_limits_doit,
		.policy		= kipc_nl_uid_policy,
		.maxattr	= ARRAY_SIZE(kipc_nl_uid_policy) - 1,
	},
	{
		.cmd		= KIPC_CMD_USER_GET,
		.doit		= kipc_nl_user_doit,
		.start		= kipc_nl_user_start,
		.dumpit		= kipc_nl_user_dumpit,
		.policy		= kipc_nl_uid_policy,
		.maxattr	= ARRAY_SIZE(kipc_nl_uid_policy) - 1,
	},
	{
		/* No policy: the command takes no attribute. */
		.cmd		= KIPC_CMD_NS_GET,
		.doit		= kipc_nl_ns_doit,
		.start		= kipc_nl_ns_start,
		.dumpit		= kipc_nl_ns_dumpit,
	},
};

static const struct genl_multicast_group kipc_nl_mcgrps[] = {
	[KIPC_NL_GRP_EVENTS] = { .name = KIPC_GENL_MCGRP_EVENTS },
};

/*
 * The initial network namespace only (netnsok false): what a container
 * sees of kipc is a later issue.  resv_start_op 0: every command has its
 * genetlink header's reserved field checked and its attributes validated
 * strictly, a command without a policy rejecting any attribute.
 */
struct genl_family kipc_nl_family __ro_after_init = {
	.name		= KIPC_GENL_NAME,
	.version	= KIPC_GENL_VERSION,
	.module		= THIS_MODULE,
	.netnsok	= false,
	.parallel_ops	= true,
	.resv_start_op	= 0,
	.ops		= kipc_nl_ops,
	.n_ops		= ARRAY_SIZE(kipc_nl_ops),
	.mcgrps		= kipc_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(kipc_nl_mcgrps),
};

/* ---- Notifications ----------------------------------------------------- */

/* Set while the family is registered: notifications need it. */
static bool kipc_nl_registered;

static bool kipc_nl_listened(void)
{
	return READ_ONCE(kipc_nl_registered) &&
	       genl_has_listeners(&kipc_nl_family, &init_net,
				  KIPC_NL_GRP_EVENTS) > 0;
}

/* The process that caused an event, in the initial pid namespace. */
static u32 kipc_nl_cause(struct pid *pid)
{
	if (pid)
		return pid_nr(pid);
	if (current->flags & PF_KTHREAD)
		return 0;
	return task_tgid_nr(current);
}

/**
 * struct kipc_nl_event - one notification, before it is a message
 * @kind: KIPC_EV_*
 * @type: KIPC_TYPE_*
 * @obj: the object, or NULL (KIPC_EV_REFUSED)
 * @uid: the object's owner, or the refused caller's effective uid
 * @pid: the process that caused it, initial pid namespace
 * @err: positive errno of a KIPC_EV_REFUSED, else 0
 */
struct kipc_nl_event {
	u32 kind;
	u32 type;
	const struct kipc_object *obj;
	kuid_t uid;
	u32 pid;
	u32 err;
};

static int kipc_nl_put_event(struct sk_buff *msg,
			     const struct kipc_nl_event *ev)
{
	const struct kipc_object *obj = ev->obj;
	struct nlattr *nest;

	nest = nla_nest_start(msg, KIPC_A_NOTIFY);
	if (!nest ||
	    nla_put_u32(msg, KIPC_NOTIFY_A_KIND, ev->kind) ||
	    (obj && nla_put_u64_64bit(msg, KIPC_NOTIFY_A_OBJ_ID, obj->id,
				      KIPC_NOTIFY_A_PAD)) ||
	    nla_put_u32(msg, KIPC_NOTIFY_A_TYPE, ev->type) ||
	    (obj && kipc_nl_put_name(msg, KIPC_NOTIFY_A_NAME, obj)) ||
	    nla_put_u32(msg, KIPC_NOTIFY_A_UID,
			from_kuid_munged(&init_user_ns, ev->uid)) ||
	    nla_put_u32(msg, KIPC_NOTIFY_A_PID, ev->pid) ||
	    (ev->err && nla_put_u32(msg, KIPC_NOTIFY_A_ERRNO, ev->err)) ||
	    nla_put_u64_64bit(msg, KIPC_NOTIFY_A_TIME, ktime_get_real_ns(),
			      KIPC_NOTIFY_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* Any context: GFP_ATOMIC, no lock taken but the socket layer's. */
static void kipc_nl_send_event(const struct kipc_nl_event *ev)
{
	size_t name = ev->obj && ev->obj->name ? ev->obj->name_len + 1 : 0;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_ALIGN(name) + 256, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &kipc_nl_family, 0, KIPC_CMD_NOTIFY);
	if (!hdr || kipc_nl_put_event(msg, ev)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&kipc_nl_family, msg, 0, KIPC_NL_GRP_EVENTS,
			  GFP_ATOMIC);
}

/**
 * kipc_nl_notify() - tell the "events" group what happened to an object
 * @kind: KIPC_EV_*
 * @obj: the object, a reference held (or being released: its fields are
 *	still intact)
 * @pid: the process that caused it, or NULL for the current one; for
 *	KIPC_EV_OWNER_DIED the dead owner, or NULL if it is already gone
 *	(then the notification's pid is 0, never the finder's)
 *
 * Any context, including under spinlocks and on release paths; costs one
 * test of a bit when nobody listens.  Ids are in the initial namespaces.
 * Objects of IPC namespaces other than the initial one are not told about.
 */
void kipc_nl_notify(u32 kind, const struct kipc_object *obj, struct pid *pid)
{
	struct kipc_nl_event ev = {
		.kind = kind,
		.obj = obj,
	};

	if (!kipc_nl_listened())
		return;
	/*
	 * Multicast cannot be filtered per listener: objects of IPC
	 * namespaces other than the initial one are not told about.
	 */
	if (obj->ns && obj->ns != &kipc_ns_init)
		return;
	ev.type = obj->type->type;
	ev.uid = obj->uid;
	ev.pid = !pid && kind == KIPC_EV_OWNER_DIED ? 0 : kipc_nl_cause(pid);
	kipc_nl_send_event(&ev);
}

/**
 * kipc_nl_notify_refused() - tell the "events" group a creation was refused
 * @type: KIPC_TYPE_* of the object refused
 * @err: -ENOSPC or -EDQUOT
 *
 * Any context, as kipc_nl_notify().
 */
void kipc_nl_notify_refused(u32 type, int err)
{
	struct kipc_nl_event ev = {
		.kind = KIPC_EV_REFUSED,
		.type = type,
		.err = -err,
	};

	if (!kipc_nl_listened() || !kipc_ns_current_is_init())
		return;
	ev.uid = current_euid();
	ev.pid = kipc_nl_cause(NULL);
	kipc_nl_send_event(&ev);
}

/* ---- Waiters ----------------------------------------------------------- */

/**
 * kipc_nl_put_waiter() - put one KIPC_OBJ_A_WAITER nest
 * @skb: the message
 * @task: the blocked task
 * @what: KIPC_WAITFOR_*
 * @since_ns: ktime_get_ns() when it started to wait
 * @many: it waits in KIPC_IOC_WAIT_MANY (KIPC_WAITER_A_MANY)
 *
 * For a type's nl_waiters, under the object's spinlock.  Waiters are
 * reported only by a KIPC_CMD_OBJ_GET doit, which runs in the requester's
 * context: ids are in current's pid namespace.
 *
 * Return: 0 or -EMSGSIZE.
 */
int kipc_nl_put_waiter(struct sk_buff *skb, struct task_struct *task,
		       u32 what, u64 since_ns, bool many)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	char comm[TASK_COMM_LEN];
	u64 now = ktime_get_ns();
	struct nlattr *nest;

	get_task_comm(comm, task);
	nest = nla_nest_start(skb, KIPC_OBJ_A_WAITER);
	if (!nest ||
	    nla_put_u32(skb, KIPC_WAITER_A_PID, task_tgid_nr_ns(task, ns)) ||
	    nla_put_u32(skb, KIPC_WAITER_A_TID, task_pid_nr_ns(task, ns)) ||
	    nla_put_string(skb, KIPC_WAITER_A_COMM, comm) ||
	    nla_put_u32(skb, KIPC_WAITER_A_WAIT, what) ||
	    nla_put_u64_64bit(skb, KIPC_WAITER_A_SINCE_NS,
			      now > since_ns ? now - since_ns : 0,
			      KIPC_WAITER_A_PAD) ||
	    (many && nla_put_flag(skb, KIPC_WAITER_A_MANY))) {
		if (nest)
			nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * kipc_netlink_init() - register the family
 *
 * Return: 0 or a -errno.
 */
int __init kipc_netlink_init(void)
{
	int err;

	err = genl_register_family(&kipc_nl_family);
	if (!err)
		WRITE_ONCE(kipc_nl_registered, true);
	return err;
}

/**
 * kipc_netlink_exit() - unregister the family
 *
 * Called at unload before the objects left in the registry are dropped:
 * genetlink waits for the requests in progress (a dump holds a module
 * reference, so none is in progress), so that no request still holds an
 * object; the objects destroyed after it notify nobody.
 */
void kipc_netlink_exit(void)
{
	WRITE_ONCE(kipc_nl_registered, false);
	genl_unregister_family(&kipc_nl_family);
}
