// SPDX-License-Identifier: GPL-2.0
/*
 * KIPC_CMD_OBJ_GET of the generic netlink family "kipc": one object by id
 * (doit), or every object (dump), each as one KIPC_A_OBJ nest.
 *
 * A dump walks the id index one object at a time: kipc_object_next() takes
 * a reference to the next object at or after an id, the object is put
 * into the message without any lock of the core held, the reference is
 * dropped and the next id is remembered in the callback.  No lock is held
 * from one object to the next, nor between two parts of the dump.
 *
 * Design: docs/design.md, section 11.  Locking: section 7.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/pid_namespace.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/kipc_netlink.h>

#include "kipc.h"
#include "netlink.h"

/*
 * The largest doit reply tried: a reply starts at NLMSG_GOODSIZE and grows
 * fourfold while the object's holders and waiters do not fit.
 */
#define KIPC_NL_REPLY_MAX	SZ_4M

/*
 * The smallest message of a dump: one object without holders and waiters,
 * with a name of the longest length max_name_len accepts (4095), fits.
 */
#define KIPC_NL_DUMP_ALLOC	SKB_WITH_OVERHEAD(SZ_8K)

const struct nla_policy kipc_nl_obj_get_policy[KIPC_A_WANT + 1] = {
	[KIPC_A_OBJ_ID]		= { .type = NLA_U64 },
	[KIPC_A_TYPE]		= NLA_POLICY_RANGE(NLA_U32, 1, KIPC_TYPE_MAX),
	[KIPC_A_NAME_PREFIX]	= { .type = NLA_NUL_STRING, .len = 4095 },
	[KIPC_A_UID]		= { .type = NLA_U32 },
	[KIPC_A_WANT]		= NLA_POLICY_MASK(NLA_U32, KIPC_WANT_ALL),
};

/*
 * The counters in the order of enum kipc_cnt_attr, from KIPC_CNT_A_MSGS_IN:
 * bit (1 << KIPC_CNT_A_x) of a type's nl_counters selects entry
 * x - KIPC_CNT_A_MSGS_IN.
 */
static const size_t kipc_nl_counter_off[] = {
	offsetof(struct kipc_counters, msgs_in),
	offsetof(struct kipc_counters, bytes_in),
	offsetof(struct kipc_counters, msgs_out),
	offsetof(struct kipc_counters, bytes_out),
	offsetof(struct kipc_counters, waits),
	offsetof(struct kipc_counters, timeouts),
	offsetof(struct kipc_counters, contended),
	offsetof(struct kipc_counters, owner_deaths),
	offsetof(struct kipc_counters, peak_depth),
	offsetof(struct kipc_counters, notifications),
};

static_assert(ARRAY_SIZE(kipc_nl_counter_off) ==
	      KIPC_CNT_A_MAX - KIPC_CNT_A_MSGS_IN + 1);

static int kipc_nl_put_counters(struct sk_buff *skb,
				const struct kipc_object *obj)
{
	u32 mask = obj->type->nl_counters;
	struct nlattr *nest;
	const u64 *c;
	int i;

	if (!mask)
		return 0;
	nest = nla_nest_start(skb, KIPC_OBJ_A_COUNTERS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(kipc_nl_counter_off); i++) {
		if (!(mask & BIT(KIPC_CNT_A_MSGS_IN + i)))
			continue;
		c = (const void *)&obj->counters + kipc_nl_counter_off[i];
		if (nla_put_u64_64bit(skb, KIPC_CNT_A_MSGS_IN + i,
				      READ_ONCE(*c), KIPC_CNT_A_PAD))
			goto cancel;
	}
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* The type's state and, from it, how many tasks wait in the kernel. */
static int kipc_nl_put_state(struct sk_buff *skb, struct kipc_object *obj)
{
	struct nlattr *nest;
	u32 nr_waiters = 0;
	int err;

	if (!obj->type->nl_state)
		return 0;
	nest = nla_nest_start(skb, KIPC_OBJ_A_STATE);
	if (!nest)
		return -EMSGSIZE;
	err = obj->type->nl_state(skb, obj, &nr_waiters);
	if (err) {
		nla_nest_cancel(skb, nest);
		return err;
	}
	nla_nest_end(skb, nest);
	return nla_put_u32(skb, KIPC_OBJ_A_NR_WAITERS, nr_waiters);
}

/* A list nest (holders, waiters) filled by @fill, which may be NULL. */
static int kipc_nl_put_list(struct sk_buff *skb, int attr,
			    struct kipc_object *obj,
			    int (*fill)(struct sk_buff *skb,
					struct kipc_object *obj))
{
	struct nlattr *nest;
	int err = 0;

	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	if (fill)
		err = fill(skb, obj);
	if (err) {
		nla_nest_cancel(skb, nest);
		return err;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* What every object has, from its immutable fields and the core. */
static int kipc_nl_put_common(struct sk_buff *skb,
			      const struct kipc_object *obj,
			      const struct kipc_nl_ctx *ctx)
{
	struct user_namespace *ns = ctx->user_ns;

	if (nla_put_u64_64bit(skb, KIPC_OBJ_A_ID, obj->id, KIPC_OBJ_A_PAD) ||
	    nla_put_u32(skb, KIPC_OBJ_A_TYPE, obj->type->type) ||
	    kipc_nl_put_name(skb, KIPC_OBJ_A_NAME, obj) ||
	    (READ_ONCE(obj->linked) && nla_put_flag(skb, KIPC_OBJ_A_LINKED)) ||
	    nla_put_u32(skb, KIPC_OBJ_A_UID, from_kuid_munged(ns, obj->uid)) ||
	    nla_put_u32(skb, KIPC_OBJ_A_GID, from_kgid_munged(ns, obj->gid)) ||
	    nla_put_u32(skb, KIPC_OBJ_A_CUID, from_kuid_munged(ns, obj->cuid)) ||
	    nla_put_u32(skb, KIPC_OBJ_A_CGID, from_kgid_munged(ns, obj->cgid)) ||
	    nla_put_u32(skb, KIPC_OBJ_A_MODE, obj->mode) ||
	    nla_put_u32(skb, KIPC_OBJ_A_CREATOR_PID,
			pid_nr_ns(obj->creator, ctx->pid_ns)) ||
	    nla_put_u64_64bit(skb, KIPC_OBJ_A_CTIME, obj->ctime,
			      KIPC_OBJ_A_PAD) ||
	    nla_put_u32(skb, KIPC_OBJ_A_FILES, kipc_object_files(obj)) ||
	    nla_put_u32(skb, KIPC_OBJ_A_MAPPINGS, kipc_object_mappings(obj)) ||
	    nla_put_u64_64bit(skb, KIPC_OBJ_A_CHARGE, READ_ONCE(obj->charge),
			      KIPC_OBJ_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/**
 * kipc_nl_put_obj() - put one KIPC_A_OBJ nest
 * @skb: the message
 * @obj: the object, a reference held
 * @ctx: the reader
 *
 * May sleep (the holders are collected under a mutex of the core).
 *
 * Return: 0 or -EMSGSIZE.
 */
static int kipc_nl_put_obj(struct sk_buff *skb, struct kipc_object *obj,
			   const struct kipc_nl_ctx *ctx)
{
	struct nlattr *nest;
	int err;

	nest = nla_nest_start(skb, KIPC_A_OBJ);
	if (!nest)
		return -EMSGSIZE;
	err = kipc_nl_put_common(skb, obj, ctx);
	if (!err)
		err = kipc_nl_put_state(skb, obj);
	if (!err)
		err = kipc_nl_put_counters(skb, obj);
	if (!err && (ctx->want & KIPC_WANT_HOLDERS))
		err = kipc_nl_put_list(skb, KIPC_OBJ_A_HOLDERS, obj,
				       kipc_object_put_holders);
	if (!err && (ctx->want & KIPC_WANT_WAITERS))
		err = kipc_nl_put_list(skb, KIPC_OBJ_A_WAITERS, obj,
				       obj->type->nl_waiters);
	if (err) {
		nla_nest_cancel(skb, nest);
		return err;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* One KIPC_CMD_OBJ_GET message, whole or not at all. */
static int kipc_nl_obj_msg(struct sk_buff *skb, u32 portid, u32 seq,
			   int flags, struct kipc_object *obj,
			   const struct kipc_nl_ctx *ctx)
{
	void *hdr;
	int err;

	hdr = genlmsg_put(skb, portid, seq, &kipc_nl_family, flags,
			  KIPC_CMD_OBJ_GET);
	if (!hdr)
		return -EMSGSIZE;
	err = kipc_nl_put_obj(skb, obj, ctx);
	if (err) {
		genlmsg_cancel(skb, hdr);
		return err;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * Holders and waiters are process ids: shown, as /proc/sysvipc shows an
 * object's last pids only by the owner's choice of mode, here only to the
 * object's owner or creator (effective uid) or with CAP_IPC_OWNER in the
 * user namespace that owns the object's IPC namespace.
 */
static bool kipc_nl_may_see_holders(struct sk_buff *skb,
				    const struct kipc_object *obj)
{
	kuid_t euid = current_euid();

	return uid_eq(euid, obj->uid) || uid_eq(euid, obj->cuid) ||
	       netlink_ns_capable(skb, kipc_obj_user_ns(obj), CAP_IPC_OWNER);
}

/* Build the reply, growing it while holders and waiters do not fit. */
static struct sk_buff *kipc_nl_obj_reply(struct genl_info *info,
					 struct kipc_object *obj,
					 const struct kipc_nl_ctx *ctx)
{
	size_t size = NLMSG_GOODSIZE;
	struct sk_buff *msg;
	int err;

	for (;;) {
		msg = genlmsg_new(size, GFP_KERNEL);
		if (!msg)
			return ERR_PTR(-ENOMEM);
		err = kipc_nl_obj_msg(msg, info->snd_portid, info->snd_seq, 0,
				      obj, ctx);
		if (!err)
			return msg;
		nlmsg_free(msg);
		if (err != -EMSGSIZE || size >= KIPC_NL_REPLY_MAX)
			break;
		size *= 4;
	}
	GENL_SET_ERR_MSG(info, "the object's holders and waiters do not fit in a reply");
	return ERR_PTR(err);
}

static int kipc_nl_obj_get_one(struct sk_buff *skb, struct genl_info *info,
			       struct kipc_object *obj)
{
	struct kipc_nl_ctx ctx = {
		.user_ns = sk_user_ns(NETLINK_CB(skb).sk),
		.pid_ns = task_active_pid_ns(current),
	};
	struct nlattr *want = info->attrs[KIPC_A_WANT];
	struct sk_buff *msg;

	if (want)
		ctx.want = nla_get_u32(want);
	if (ctx.want && !kipc_nl_may_see_holders(skb, obj)) {
		NL_SET_ERR_MSG_ATTR(info->extack, want,
				    "holders and waiters are shown only to the object's owner or creator, or with CAP_IPC_OWNER");
		return -EPERM;
	}
	msg = kipc_nl_obj_reply(info, obj, &ctx);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	return genlmsg_reply(msg, info);
}

/**
 * kipc_nl_obj_get_doit() - KIPC_CMD_OBJ_GET for one object
 * @skb: the request
 * @info: its attributes, validated by kipc_nl_obj_get_policy
 *
 * Runs in the requester's context: its pid and IPC namespaces are
 * current's and its effective uid current's.  An object of another IPC
 * namespace is -ENOENT.  Holds a reference to the module while it holds
 * the object, so that unloading (which destroys every object) cannot run
 * under it.
 *
 * Return: 0 or a -errno, with an extended ack message.
 */
int kipc_nl_obj_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	static const int dump_only[] = {
		KIPC_A_TYPE, KIPC_A_NAME_PREFIX, KIPC_A_UID,
	};
	struct nlattr *id = info->attrs[KIPC_A_OBJ_ID];
	struct kipc_object *obj;
	int i, err;

	if (GENL_REQ_ATTR_CHECK(info, KIPC_A_OBJ_ID)) {
		GENL_SET_ERR_MSG(info, "KIPC_A_OBJ_ID missing (or dump: NLM_F_DUMP)");
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(dump_only); i++) {
		if (info->attrs[dump_only[i]]) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[dump_only[i]],
					    "a filter of dumps (NLM_F_DUMP), not of one object");
			return -EINVAL;
		}
	}
	if (!try_module_get(THIS_MODULE)) {
		GENL_SET_ERR_MSG(info, "the module is being unloaded");
		return -ENODEV;
	}
	obj = kipc_object_by_id(nla_get_u64(id));
	if (obj && !kipc_ns_current_is(obj->ns)) {
		/* Another IPC namespace's: as if it did not exist. */
		kipc_object_put(obj);
		obj = NULL;
	}
	if (IS_ERR_OR_NULL(obj)) {
		NL_SET_ERR_MSG_ATTR(info->extack, id,
				    "no object with this id in this IPC namespace");
		err = -ENOENT;
	} else {
		err = kipc_nl_obj_get_one(skb, info, obj);
		kipc_object_put(obj);
	}
	module_put(THIS_MODULE);
	return err;
}

/**
 * struct kipc_nl_obj_dump - where a dump of objects is, in cb->ctx
 * @next_id: the id to resume from
 * @pid_ns: the requester's pid namespace, held until the dump is done
 * @ns: the requester's IPC namespace, likewise: only its objects are shown
 * @prefix: KIPC_A_NAME_PREFIX of the request, or NULL
 * @prefix_len: its length without the NUL
 * @type: KIPC_A_TYPE of the request, or 0
 * @uid: KIPC_A_UID of the request, or INVALID_UID
 */
struct kipc_nl_obj_dump {
	unsigned long next_id;
	struct pid_namespace *pid_ns;
	struct kipc_ns *ns;
	const char *prefix;
	u32 prefix_len;
	u32 type;
	kuid_t uid;
};

static_assert(sizeof(struct kipc_nl_obj_dump) <=
	      sizeof_field(struct netlink_callback, ctx));

static struct kipc_nl_obj_dump *kipc_nl_obj_dump(struct netlink_callback *cb)
{
	return (struct kipc_nl_obj_dump *)cb->ctx;
}

/*
 * What a dump refuses beyond its policy: in .start, or in the first part
 * of the dump on kernels that drop .start's messages (compat.h).
 */
static int kipc_nl_obj_dump_check(struct netlink_callback *cb,
				  struct nlattr *const *tb)
{
	const struct nlattr *uid = tb[KIPC_A_UID];

	if (tb[KIPC_A_OBJ_ID]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, tb[KIPC_A_OBJ_ID],
				    "one object is a request without NLM_F_DUMP");
		return -EINVAL;
	}
	if (tb[KIPC_A_WANT]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, tb[KIPC_A_WANT],
				    "holders and waiters are reported for one object only, not in a dump");
		return -EINVAL;
	}
	if (uid && !uid_valid(kipc_nl_req_kuid(uid))) {
		NL_SET_ERR_MSG_ATTR(cb->extack, uid,
				    "uid not mapped in the caller's user namespace");
		return -EINVAL;
	}
	return 0;
}

/**
 * kipc_nl_obj_get_start() - read the filters of a dump of objects
 * @cb: the dump; its attributes were validated by kipc_nl_obj_get_policy
 *
 * Runs in the requester's context (the dump's later parts may run in the
 * context of whoever reads the socket): its pid and IPC namespaces are
 * kept for the whole dump.
 *
 * Return: 0, -EINVAL with an extended ack message, or -ENOMEM.
 */
int kipc_nl_obj_get_start(struct netlink_callback *cb)
{
	struct nlattr *const *tb = kipc_genl_dump_attrs(cb);
	struct kipc_nl_obj_dump *d = kipc_nl_obj_dump(cb);
	struct kipc_ns *ns;
	int err;

	if (KIPC_NL_CHECK_IN_START) {
		err = kipc_nl_obj_dump_check(cb, tb);
		if (err)
			return err;
	}
	d->uid = tb[KIPC_A_UID] ? kipc_nl_req_kuid(tb[KIPC_A_UID]) :
				  INVALID_UID;
	if (tb[KIPC_A_TYPE])
		d->type = nla_get_u32(tb[KIPC_A_TYPE]);
	if (tb[KIPC_A_NAME_PREFIX]) {
		d->prefix = nla_data(tb[KIPC_A_NAME_PREFIX]);
		d->prefix_len = strlen(d->prefix);
	}
	ns = kipc_ns_get_current();
	if (IS_ERR(ns))
		return PTR_ERR(ns);
	d->ns = ns;
	d->next_id = 0;
	d->pid_ns = get_pid_ns(task_active_pid_ns(current));
	cb->min_dump_alloc = KIPC_NL_DUMP_ALLOC;
	return 0;
}

/**
 * kipc_nl_obj_get_done() - end a dump of objects
 * @cb: the dump
 *
 * Return: 0.
 */
int kipc_nl_obj_get_done(struct netlink_callback *cb)
{
	put_pid_ns(kipc_nl_obj_dump(cb)->pid_ns);
	kipc_ns_put(kipc_nl_obj_dump(cb)->ns);
	return 0;
}

static bool kipc_nl_obj_match(const struct kipc_nl_obj_dump *d,
			      const struct kipc_object *obj)
{
	if (obj->ns != d->ns)
		return false;
	if (d->type && obj->type->type != d->type)
		return false;
	if (uid_valid(d->uid) && !uid_eq(obj->uid, d->uid))
		return false;
	if (d->prefix && (!obj->name || obj->name_len < d->prefix_len ||
			  memcmp(obj->name, d->prefix, d->prefix_len)))
		return false;
	return true;
}

/**
 * kipc_nl_obj_get_dumpit() - the next objects of a dump
 * @skb: the message to fill
 * @cb: the dump
 *
 * Each object is taken by id with a reference of its own and put after it
 * is in the message (kipc_object_put() may sleep: no lock is held here).
 * The dump resumes at the id after the last object that fitted.
 *
 * Return: the length filled (more to come), 0 at the end, or a -errno.
 */
int kipc_nl_obj_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kipc_nl_obj_dump *d = kipc_nl_obj_dump(cb);
	struct kipc_nl_ctx ctx = {
		.user_ns = sk_user_ns(NETLINK_CB(cb->skb).sk),
		.pid_ns = d->pid_ns,
	};
	unsigned long id = d->next_id;
	struct kipc_object *obj;
	int err = 0;

	/* The first part (no id is 0), where .start could not refuse. */
	if (!KIPC_NL_CHECK_IN_START && !d->next_id) {
		err = kipc_nl_obj_dump_check(cb, kipc_genl_dump_attrs(cb));
		if (err)
			return err;
	}
	while ((obj = kipc_object_next(&id))) {
		if (kipc_nl_obj_match(d, obj))
			err = kipc_nl_obj_msg(skb, NETLINK_CB(cb->skb).portid,
					      cb->nlh->nlmsg_seq, NLM_F_MULTI,
					      obj, &ctx);
		kipc_object_put(obj);
		if (err)
			break;
		d->next_id = ++id;
		cond_resched();
	}
	/* Stopped at an object that did not fit: it opens the next part. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}
