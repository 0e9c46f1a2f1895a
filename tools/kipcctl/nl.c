// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl: the family through libnl (nl.h): connect, resolve, send a
 * request and read its replies, extended acks, the "events" group.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

int kctl_open(struct kctl *c)
{
	int one = 1, err;

	memset(c, 0, sizeof(*c));
	c->sk = nl_socket_alloc();
	if (!c->sk) {
		fprintf(stderr, "kipcctl: out of memory\n");
		return -1;
	}
	err = genl_connect(c->sk);
	if (err < 0) {
		fprintf(stderr, "kipcctl: cannot open a generic netlink socket: %s\n",
			nl_geterror(err));
		goto fail;
	}
	nl_socket_enable_msg_peek(c->sk);
	/* Old kernels lack it: then errors come without a message. */
	setsockopt(nl_socket_get_fd(c->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	c->family = genl_ctrl_resolve(c->sk, KIPC_GENL_NAME);
	if (c->family == -NLE_OBJ_NOTFOUND) {
		fprintf(stderr, "kipcctl: the kipc module is not loaded (no generic netlink family \"%s\")\n",
			KIPC_GENL_NAME);
		goto fail;
	}
	if (c->family < 0) {
		fprintf(stderr, "kipcctl: cannot resolve the family \"%s\": %s\n",
			KIPC_GENL_NAME, nl_geterror(c->family));
		goto fail;
	}
	return 0;
fail:
	nl_socket_free(c->sk);
	c->sk = NULL;
	return -1;
}

void kctl_close(struct kctl *c)
{
	if (c->sk)
		nl_socket_free(c->sk);
	c->sk = NULL;
}

struct nl_msg *kctl_msg(struct kctl *c, uint8_t cmd, bool dump)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0,
			 dump ? NLM_F_DUMP : 0, cmd, KIPC_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* One request in flight. */
struct call {
	struct kctl *c;
	kctl_reply_fn fn;
	void *arg;
	int err;	/* the kernel's, or the first of fn's */
	bool done;
	bool intr;	/* a dump said NLM_F_DUMP_INTR */
};

/* The extended-ack attributes of @nlh, starting @off bytes into it. */
static void save_extack(struct kctl *c, const struct nlmsghdr *nlh,
			size_t off)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	c->extack[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || nlh->nlmsg_len <= off)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		      nlh->nlmsg_len - off, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(c->extack, sizeof(c->extack), "%.*s",
			 nla_len(tb[NLMSGERR_ATTR_MSG]),
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct call *call = arg;
	size_t payload = sizeof(*e);

	(void)who;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		payload += e->msg.nlmsg_len - NLMSG_HDRLEN;
	save_extack(call->c, nlh, NLMSG_HDRLEN + NLMSG_ALIGN(payload));
	call->err = e->error;
	call->done = true;
	return NL_STOP;
}

/* The end of a dump, which carries the dump's error if it failed. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct call *call = arg;
	int err;

	call->done = true;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(int))
		return NL_STOP;
	memcpy(&err, nlmsg_data(nlh), sizeof(err));
	if (err < 0) {
		save_extack(call->c, nlh, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int)));
		call->err = err;
	}
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct call *call = arg;

	(void)msg;
	call->done = true;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct call *call = arg;
	int err;

	if (!genlmsg_valid_hdr(nlh, 0))
		return NL_SKIP;
	err = call->fn(genlmsg_attrdata(gnlh, 0), genlmsg_attrlen(gnlh, 0),
		       call->arg);
	if (err < 0 && !call->err)
		call->err = err;
	return NL_OK;
}

/* The objects changed under the dump: read on to its end, then say so. */
static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	struct call *call = arg;

	(void)msg;
	call->intr = true;
	return NL_OK;
}

/* libnl's errors have numbers of their own: keep its words. */
static int nl_failed(struct kctl *c, int nlerr)
{
	snprintf(c->extack, sizeof(c->extack), "netlink: %s",
		 nl_geterror(nlerr));
	return nlerr == -NLE_AGAIN ? -EAGAIN :
	       nlerr == -NLE_NOMEM ? -ENOBUFS : -EIO;
}

static struct nl_cb *call_cb(struct kctl *c, struct call *call)
{
	struct nl_cb *base = nl_socket_get_cb(c->sk);
	struct nl_cb *cb = nl_cb_clone(base);

	nl_cb_put(base);
	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, call);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, call);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, call);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, call);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, call);
	return cb;
}

int kctl_call(struct kctl *c, struct nl_msg *msg, kctl_reply_fn fn, void *arg)
{
	struct call call = { .c = c, .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int err;

	c->extack[0] = '\0';
	if (!msg)
		return -ENOMEM;
	err = nl_send_auto(c->sk, msg);
	nlmsg_free(msg);
	if (err < 0)
		return nl_failed(c, err);
	cb = call_cb(c, &call);
	if (!cb)
		return -ENOMEM;
	while (!call.done) {
		err = nl_recvmsgs(c->sk, cb);
		if (err < 0 && !call.done) {
			call.err = nl_failed(c, err);
			break;
		}
	}
	nl_cb_put(cb);
	if (!call.err && call.intr) {
		snprintf(c->extack, sizeof(c->extack),
			 "the dump was interrupted by changes: try again");
		return -EINTR;
	}
	return call.err;
}

int kctl_fail(const struct kctl *c, int err, const char *what)
{
	if (c->extack[0])
		fprintf(stderr, "kipcctl: %s: %s (%s)\n", what, strerror(-err),
			c->extack);
	else
		fprintf(stderr, "kipcctl: %s: %s\n", what, strerror(-err));
	return 1;
}

int kctl_subscribe(struct kctl *c)
{
	int grp = genl_ctrl_resolve_grp(c->sk, KIPC_GENL_NAME,
					KIPC_GENL_MCGRP_EVENTS);
	int err;

	if (grp < 0) {
		fprintf(stderr, "kipcctl: the family has no group \"%s\": %s\n",
			KIPC_GENL_MCGRP_EVENTS, nl_geterror(grp));
		return -1;
	}
	nl_socket_disable_seq_check(c->sk);
	err = nl_socket_add_membership(c->sk, grp);
	if (err == 0)
		err = nl_socket_set_nonblocking(c->sk);
	if (err < 0) {
		fprintf(stderr, "kipcctl: cannot join the group \"%s\": %s\n",
			KIPC_GENL_MCGRP_EVENTS, nl_geterror(err));
		return -1;
	}
	return 0;
}

int kctl_read_events(struct kctl *c, kctl_reply_fn fn, void *arg)
{
	struct call call = { .c = c, .fn = fn, .arg = arg };
	struct nl_cb *cb = call_cb(c, &call);
	int err;

	if (!cb)
		return -ENOMEM;
	err = nl_recvmsgs(c->sk, cb);
	nl_cb_put(cb);
	if (err < 0)
		return nl_failed(c, err);
	return call.err;
}

static int kattrs_push(struct kattrs *as, const struct nlattr *a)
{
	struct nlattr *copy = malloc(a->nla_len);

	if (!copy)
		return -ENOMEM;
	if (as->n == as->cap) {
		size_t cap = as->cap ? 2 * as->cap : 32;
		struct nlattr **v = realloc(as->v, cap * sizeof(*v));

		if (!v) {
			free(copy);
			return -ENOMEM;
		}
		as->v = v;
		as->cap = cap;
	}
	memcpy(copy, a, a->nla_len);
	as->v[as->n++] = copy;
	return 0;
}

int kattrs_add_reply(struct nlattr *attrs, int len, void *arg)
{
	struct nlattr *pos;
	int rem, err;

	nla_for_each_attr(pos, attrs, len, rem) {
		err = kattrs_push(arg, pos);
		if (err)
			return err;
	}
	return 0;
}

struct nlattr *kattrs_find(const struct kattrs *as, int type)
{
	for (size_t i = 0; i < as->n; i++)
		if (nla_type(as->v[i]) == type)
			return as->v[i];
	return NULL;
}

void kattrs_free(struct kattrs *as)
{
	for (size_t i = 0; i < as->n; i++)
		free(as->v[i]);
	free(as->v);
	memset(as, 0, sizeof(*as));
}

uint64_t nla_u64_or(const struct nlattr *a, uint64_t def)
{
	return a ? nla_get_u64((struct nlattr *)a) : def;
}

uint32_t nla_u32_or(const struct nlattr *a, uint32_t def)
{
	return a ? nla_get_u32((struct nlattr *)a) : def;
}

uint8_t nla_u8_or(const struct nlattr *a, uint8_t def)
{
	return a ? nla_get_u8((struct nlattr *)a) : def;
}
