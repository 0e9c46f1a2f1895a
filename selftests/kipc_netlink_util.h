/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small client of the generic netlink family "kipc" for the selftests
 * (uapi/linux/kipc_netlink.h), over libnl: connect and resolve the family
 * and its group "events", send a request with attributes, collect its
 * replies (one for a doit, many for a dump) into parsed attribute tables
 * with the kernel's errno and extended-ack message, and read notifications
 * with a timeout.  Included after kselftest_harness.h and kipc_test_util.h.
 *
 * libnl builds the messages and parses attributes; the replies are read
 * here with recvmsg() so that every NLMSG_ERROR, NLMSG_DONE and flag
 * (NLM_F_DUMP_INTR, NLM_F_ACK_TLVS) is seen as the kernel sent it.
 */
#ifndef KIPC_NETLINK_UTIL_H
#define KIPC_NETLINK_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netlink.h>
#include <linux/kipc_netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* How long a reply or an expected notification may take. */
#define KN_TIMEOUT_MS	10000
/*
 * The receive buffer (a dump's parts are at most 32 KiB; a doit reply with
 * many holders may be larger: the buffer then grows to fit it).
 */
#define KN_BUF_SIZE	(128 << 10)
/* Larger than every KIPC_<TYPE>_A_MAX. */
#define KN_STATE_MAX	16

struct kn {
	struct nl_sock *sk;
	int family;		/* the family's id */
	int group;		/* the group "events" */
	uint32_t version;	/* the family's version */
	uint32_t maxattr;	/* its largest top-level attribute */
	char *buf;		/* for recvmsg() */
	size_t bufsize;		/* KN_BUF_SIZE, or more for a larger reply */
};

/* One reply message: a copy, and its top-level attributes. */
struct kn_msg {
	struct nlmsghdr *nlh;
	uint8_t cmd;
	struct nlattr *tb[KIPC_A_MAX + 1];
};

/* All that came back for one request. */
struct kn_reply {
	int err;		/* 0 or the kernel's -errno */
	char extack[256];	/* NLMSGERR_ATTR_MSG, "" if none */
	bool has_offs;		/* NLMSGERR_ATTR_OFFS was sent */
	uint32_t offs;		/* its value */
	bool intr;		/* a message had NLM_F_DUMP_INTR */
	int n;			/* messages in @msgs */
	int cap;
	struct kn_msg *msgs;
};

/* One KIPC_A_OBJ, parsed. */
struct kn_obj {
	struct nlattr *a[KIPC_OBJ_A_MAX + 1];
	struct nlattr *st[KN_STATE_MAX + 1];
	struct nlattr *cnt[KIPC_CNT_A_MAX + 1];
};

struct kn_holder {
	uint32_t pid, files, mappings;
	char comm[32];
};

struct kn_waiter {
	uint32_t pid, tid, wait;
	uint32_t many;		/* KIPC_WAITER_A_MANY present */
	uint64_t since_ns;
	char comm[32];
};

/* One notification of the group "events". */
struct kn_event {
	uint8_t cmd;
	uint32_t kind, type, uid, pid, err;
	uint64_t id, time;
	bool has_id, has_type, has_uid, has_pid, has_err, has_time;
	bool has_name;
	char name[512];
};

/* ---- attributes ----------------------------------------------------------- */

/* Whether @a is there with a payload of exactly @len bytes. */
static inline bool kn_has(const struct nlattr *a, int len)
{
	return a && nla_len(a) == len;
}

static inline uint8_t kn_u8(const struct nlattr *a)
{
	return kn_has(a, 1) ? nla_get_u8((struct nlattr *)a) : 0xee;
}

static inline uint32_t kn_u32(const struct nlattr *a)
{
	return kn_has(a, 4) ? nla_get_u32((struct nlattr *)a) : 0xeeeeeeeeU;
}

static inline uint64_t kn_u64(const struct nlattr *a)
{
	uint64_t v;

	if (!kn_has(a, 8))
		return 0xeeeeeeeeeeeeeeeeULL;
	memcpy(&v, nla_data(a), 8);
	return v;
}

/* The string @a holds (NUL-terminated within its payload), or NULL. */
static inline const char *kn_str(const struct nlattr *a)
{
	const char *s;
	int n;

	if (!a)
		return NULL;
	s = nla_data(a);
	n = nla_len(a);
	if (n < 1 || s[n - 1] != '\0' || strlen(s) != (size_t)n - 1)
		return NULL;
	return s;
}

/*
 * Expect attribute @attr of table @tb to be a u8/u32/u64 of value @val
 * (the test goes on if it is not; the log names the attribute).
 */
#define KN_EXPECT_INT(tb, attr, len, get, val) do {			\
	EXPECT_TRUE(kn_has((tb)[attr], len))				\
		TH_LOG("%s: missing, or not %d bytes", #attr, len);	\
	if (kn_has((tb)[attr], len)) {					\
		EXPECT_EQ((val), get((tb)[attr]))			\
			TH_LOG("%s", #attr);				\
	}								\
} while (0)

#define KN_EXPECT_U8(tb, attr, val) \
	KN_EXPECT_INT(tb, attr, 1, kn_u8, (uint8_t)(val))
#define KN_EXPECT_U32(tb, attr, val) \
	KN_EXPECT_INT(tb, attr, 4, kn_u32, (uint32_t)(val))
#define KN_EXPECT_U64(tb, attr, val) \
	KN_EXPECT_INT(tb, attr, 8, kn_u64, (uint64_t)(val))

/* Expect flag attribute @attr present (@on) or absent. */
#define KN_EXPECT_FLAG(tb, attr, on) do {				\
	if (on) {							\
		EXPECT_TRUE(kn_has((tb)[attr], 0))			\
			TH_LOG("%s: expected, as a flag", #attr);	\
	} else {							\
		EXPECT_EQ(NULL, (tb)[attr])				\
			TH_LOG("%s: not expected", #attr);		\
	}								\
} while (0)

/* Expect string attribute @attr to be @s. */
#define KN_EXPECT_STR(tb, attr, s) do {					\
	const char *s_ = kn_str((tb)[attr]);				\
									\
	EXPECT_NE(NULL, s_) TH_LOG("%s: missing or not a string", #attr); \
	if (s_) {							\
		EXPECT_STREQ((s), s_) TH_LOG("%s", #attr);		\
	}								\
} while (0)

/* ---- connecting ------------------------------------------------------------ */

/* A libnl error as a -errno, as far as it can be told. */
static inline int kn_nlerr(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_AGAIN:
		return -ETIMEDOUT;
	case NLE_PERM:
		return -EPERM;
	case NLE_INVAL:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static inline void kn_close(struct kn *k)
{
	if (k->sk)
		nl_socket_free(k->sk);
	free(k->buf);
	memset(k, 0, sizeof(*k));
}

/*
 * Connect to the family, resolve it and its group, ask for extended acks.
 * Return: 0, -ENOENT if the family is not registered, or -errno.
 */
static inline int kn_open(struct kn *k)
{
	struct timeval tv = { .tv_sec = KN_TIMEOUT_MS / 1000 };
	struct genl_family *fam = NULL;
	int one = 1, ret, fd;

	memset(k, 0, sizeof(*k));
	k->buf = malloc(KN_BUF_SIZE);
	k->bufsize = KN_BUF_SIZE;
	k->sk = nl_socket_alloc();
	if (!k->buf || !k->sk) {
		kn_close(k);
		return -ENOMEM;
	}
	ret = genl_connect(k->sk);
	if (ret)
		goto fail;
	fd = nl_socket_get_fd(k->sk);
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		kn_close(k);
		return -errno;
	}
	nl_socket_set_buffer_size(k->sk, 4 << 20, 1 << 20);
	ret = genl_ctrl_resolve(k->sk, KIPC_GENL_NAME);
	if (ret < 0)
		goto fail;
	k->family = ret;
	ret = genl_ctrl_resolve_grp(k->sk, KIPC_GENL_NAME,
				    KIPC_GENL_MCGRP_EVENTS);
	if (ret < 0)
		goto fail;
	k->group = ret;
	/* The family's version and maxattr, from the controller. */
	{
		struct nl_cache *cache = NULL;

		if (!genl_ctrl_alloc_cache(k->sk, &cache)) {
			fam = genl_ctrl_search_by_name(cache, KIPC_GENL_NAME);
			if (fam) {
				k->version = genl_family_get_version(fam);
				k->maxattr = genl_family_get_maxattr(fam);
				genl_family_put(fam);
			}
			nl_cache_free(cache);
		}
	}
	nl_socket_disable_auto_ack(k->sk);
	nl_socket_disable_seq_check(k->sk);
	return 0;
fail:
	kn_close(k);
	return kn_nlerr(ret);
}

/* ---- requests and replies ------------------------------------------------ */

/*
 * A request @cmd of the family with netlink flags @flags (NLM_F_DUMP for a
 * dump; NLM_F_ACK is added to every other request), or NULL.
 */
static inline struct nl_msg *kn_msg(const struct kn *k, uint8_t cmd, int flags)
{
	struct nl_msg *m = nlmsg_alloc();

	if (!m)
		return NULL;
	if (!(flags & NLM_F_DUMP))
		flags |= NLM_F_ACK;
	if (!genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, k->family, 0, flags,
			 cmd, KIPC_GENL_VERSION)) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

static inline void kn_reply_free(struct kn_reply *r)
{
	int i;

	for (i = 0; i < r->n; i++)
		free(r->msgs[i].nlh);
	free(r->msgs);
	memset(r, 0, sizeof(*r));
}

/* The extended ack of an NLMSG_ERROR or NLMSG_DONE @nlh, into @r. */
static inline void kn_parse_extack(const struct nlmsghdr *nlh,
				   struct kn_reply *r)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const char *p = NLMSG_DATA(nlh);
	int len = (int)nlh->nlmsg_len - NLMSG_HDRLEN;
	int off;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = (const void *)p;

		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	} else {
		off = sizeof(int);
	}
	if (len <= off)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)(p + off),
		      len - off, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(r->extack, sizeof(r->extack), "%.*s",
			 nla_len(tb[NLMSGERR_ATTR_MSG]),
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	if (kn_has(tb[NLMSGERR_ATTR_OFFS], 4)) {
		r->has_offs = true;
		r->offs = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	}
}

/* Keep a copy of reply @nlh with its attributes parsed. */
static inline int kn_keep(struct kn_reply *r, const struct nlmsghdr *nlh)
{
	struct kn_msg *m;

	if (r->n == r->cap) {
		int cap = r->cap ? 2 * r->cap : 64;
		struct kn_msg *p = realloc(r->msgs, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		r->msgs = p;
		r->cap = cap;
	}
	m = &r->msgs[r->n];
	memset(m, 0, sizeof(*m));
	m->nlh = malloc(nlh->nlmsg_len);
	if (!m->nlh)
		return -ENOMEM;
	memcpy(m->nlh, nlh, nlh->nlmsg_len);
	m->cmd = ((struct genlmsghdr *)nlmsg_data(m->nlh))->cmd;
	if (genlmsg_parse(m->nlh, 0, m->tb, KIPC_A_MAX, NULL)) {
		free(m->nlh);
		return -EBADMSG;
	}
	r->n++;
	return 0;
}

/*
 * Read what the kernel sends back to request @seq until it is complete:
 * the ack or error of a request, the NLMSG_DONE (or error) of a dump.
 * @fn, if not NULL, is called for each reply instead of keeping it (a
 * dump of many objects), and may return non-zero to stop keeping count.
 * Return: 0 when the exchange is complete (its result in @r->err), or a
 * -errno of the client (-ETIMEDOUT, -EBADMSG, -ENOBUFS...).
 */
static inline int kn_recv(struct kn *k, uint32_t seq, struct kn_reply *r,
			  int (*fn)(const struct nlmsghdr *nlh, void *arg),
			  void *arg)
{
	struct sockaddr_nl sa;
	struct iovec iov;
	struct msghdr mh = {
		.msg_name = &sa, .msg_namelen = sizeof(sa),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	int fd = nl_socket_get_fd(k->sk);
	struct nlmsghdr *nlh;
	ssize_t n;
	int len, err;

	for (;;) {
		/* The next datagram's size, to receive it whole. */
		n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if ((size_t)n > k->bufsize) {
			char *b = realloc(k->buf, n);

			if (!b)
				return -ENOMEM;
			k->buf = b;
			k->bufsize = n;
		}
		iov.iov_base = k->buf;
		iov.iov_len = k->bufsize;
		mh.msg_namelen = sizeof(sa);
		n = recvmsg(fd, &mh, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (mh.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		len = (int)n;
		for (nlh = (struct nlmsghdr *)k->buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != seq)
				continue;	/* a late reply of another */
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				r->intr = true;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);

				r->err = e->error;
				kn_parse_extack(nlh, r);
				return 0;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int e = 0;

				if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
				r->err = e;
				kn_parse_extack(nlh, r);
				return 0;
			}
			if (nlh->nlmsg_type != k->family)
				return -EBADMSG;
			err = fn ? fn(nlh, arg) : kn_keep(r, nlh);
			if (err < 0)
				return err;
		}
	}
}

/*
 * Send @m (freed) and collect the replies into @r (kn_reply_free() it).
 * Return: 0 if the kernel answered (its errno in @r->err), or -errno of
 * the exchange itself.
 */
static inline int kn_call_fn(struct kn *k, struct nl_msg *m,
			     struct kn_reply *r,
			     int (*fn)(const struct nlmsghdr *nlh, void *arg),
			     void *arg)
{
	uint32_t seq;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!m)
		return -ENOMEM;
	ret = nl_send_auto(k->sk, m);
	seq = nlmsg_hdr(m)->nlmsg_seq;
	nlmsg_free(m);
	if (ret < 0)
		return kn_nlerr(ret);
	return kn_recv(k, seq, r, fn, arg);
}

static inline int kn_call(struct kn *k, struct nl_msg *m, struct kn_reply *r)
{
	return kn_call_fn(k, m, r, NULL, NULL);
}

/*
 * Expect @r, the reply of a request that must be refused with @err, to
 * carry it with an extended-ack message.
 */
#define KN_EXPECT_REFUSED(ret, r, errno_) do {				\
	EXPECT_EQ(0, (ret));						\
	EXPECT_EQ(-(errno_), (r).err);					\
	EXPECT_NE(0, (int)strlen((r).extack))				\
		TH_LOG("no extended-ack message with errno %d", errno_); \
	EXPECT_EQ(0, (r).n);						\
} while (0)

/* ---- objects ----------------------------------------------------------- */

/* Parse one KIPC_A_OBJ nest @nest into @o: 0 or -EBADMSG. */
static inline int kn_obj_parse(struct nlattr *nest, struct kn_obj *o)
{
	memset(o, 0, sizeof(*o));
	if (!nest || nla_parse_nested(o->a, KIPC_OBJ_A_MAX, nest, NULL))
		return -EBADMSG;
	if (o->a[KIPC_OBJ_A_STATE] &&
	    nla_parse_nested(o->st, KN_STATE_MAX, o->a[KIPC_OBJ_A_STATE], NULL))
		return -EBADMSG;
	if (o->a[KIPC_OBJ_A_COUNTERS] &&
	    nla_parse_nested(o->cnt, KIPC_CNT_A_MAX, o->a[KIPC_OBJ_A_COUNTERS],
			     NULL))
		return -EBADMSG;
	return 0;
}

/* An OBJ_GET doit request for @id, with KIPC_A_WANT @want if not 0. */
static inline struct nl_msg *kn_obj_req(const struct kn *k, uint64_t id,
					uint32_t want)
{
	struct nl_msg *m = kn_msg(k, KIPC_CMD_OBJ_GET, 0);

	if (m && nla_put_u64(m, KIPC_A_OBJ_ID, id)) {
		nlmsg_free(m);
		return NULL;
	}
	if (m && want && nla_put_u32(m, KIPC_A_WANT, want)) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

/*
 * OBJ_GET of @id: the kernel's 0 or -errno, with the object parsed into
 * @o (pointing into @r, which the caller frees) on success.  A reply
 * that is not exactly one object is -EBADMSG.
 */
static inline int kn_get_obj(struct kn *k, uint64_t id, uint32_t want,
			     struct kn_reply *r, struct kn_obj *o)
{
	int ret = kn_call(k, kn_obj_req(k, id, want), r);

	if (ret)
		return ret;
	if (r->err)
		return r->err;
	if (r->n != 1 || r->msgs[0].cmd != KIPC_CMD_OBJ_GET)
		return -EBADMSG;
	return kn_obj_parse(r->msgs[0].tb[KIPC_A_OBJ], o);
}

/*
 * An OBJ_GET dump request, filtered by @type (0: any), @prefix (NULL:
 * any) and @uid (-1: any).
 */
static inline struct nl_msg *kn_dump_req(const struct kn *k, uint32_t type,
					 const char *prefix, int64_t uid)
{
	struct nl_msg *m = kn_msg(k, KIPC_CMD_OBJ_GET, NLM_F_DUMP);

	if (!m)
		return NULL;
	if ((type && nla_put_u32(m, KIPC_A_TYPE, type)) ||
	    (prefix && nla_put_string(m, KIPC_A_NAME_PREFIX, prefix)) ||
	    (uid >= 0 && nla_put_u32(m, KIPC_A_UID, (uint32_t)uid))) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

/* The id of every object of dump @r, in order, into @ids (malloc'd). */
static inline int kn_dump_ids(const struct kn_reply *r, uint64_t **ids)
{
	struct kn_obj o;
	int i;

	*ids = calloc(r->n + 1, sizeof(**ids));
	if (!*ids)
		return -ENOMEM;
	for (i = 0; i < r->n; i++) {
		if (kn_obj_parse(r->msgs[i].tb[KIPC_A_OBJ], &o))
			return -EBADMSG;
		(*ids)[i] = kn_u64(o.a[KIPC_OBJ_A_ID]);
	}
	return r->n;
}

/* The index of object @id in dump @r, or -1; *@count: how many times. */
static inline int kn_dump_find(const struct kn_reply *r, uint64_t id,
			       int *count)
{
	struct kn_obj o;
	int i, at = -1;

	*count = 0;
	for (i = 0; i < r->n; i++) {
		if (kn_obj_parse(r->msgs[i].tb[KIPC_A_OBJ], &o))
			continue;
		if (kn_u64(o.a[KIPC_OBJ_A_ID]) == id) {
			(*count)++;
			at = i;
		}
	}
	return at;
}

/*
 * The holders of @o (KIPC_OBJ_A_HOLDERS), up to @max into @h: their
 * number, or -EBADMSG (no such nest, or a holder without a pid).
 */
static inline int kn_holders(const struct kn_obj *o, struct kn_holder *h,
			     int max)
{
	struct nlattr *tb[KIPC_HOLDER_A_MAX + 1], *a;
	int rem, n = 0;

	if (!o->a[KIPC_OBJ_A_HOLDERS])
		return -EBADMSG;
	nla_for_each_nested(a, o->a[KIPC_OBJ_A_HOLDERS], rem) {
		if (nla_type(a) != KIPC_OBJ_A_HOLDER ||
		    nla_parse_nested(tb, KIPC_HOLDER_A_MAX, a, NULL) ||
		    !kn_has(tb[KIPC_HOLDER_A_PID], 4))
			return -EBADMSG;
		if (n < max) {
			memset(&h[n], 0, sizeof(h[n]));
			h[n].pid = kn_u32(tb[KIPC_HOLDER_A_PID]);
			h[n].files = kn_u32(tb[KIPC_HOLDER_A_FILES]);
			h[n].mappings = kn_u32(tb[KIPC_HOLDER_A_MAPPINGS]);
			if (kn_str(tb[KIPC_HOLDER_A_COMM]))
				snprintf(h[n].comm, sizeof(h[n].comm), "%s",
					 kn_str(tb[KIPC_HOLDER_A_COMM]));
		}
		n++;
	}
	return n;
}

/* The holder of pid @pid among @n in @h, or NULL. */
static inline const struct kn_holder *kn_holder_of(const struct kn_holder *h,
						   int n, pid_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (h[i].pid == (uint32_t)pid)
			return &h[i];
	return NULL;
}

/* The waiters of @o (KIPC_OBJ_A_WAITERS), as kn_holders(). */
static inline int kn_waiters(const struct kn_obj *o, struct kn_waiter *w,
			     int max)
{
	struct nlattr *tb[KIPC_WAITER_A_MAX + 1], *a;
	int rem, n = 0;

	if (!o->a[KIPC_OBJ_A_WAITERS])
		return -EBADMSG;
	nla_for_each_nested(a, o->a[KIPC_OBJ_A_WAITERS], rem) {
		if (nla_type(a) != KIPC_OBJ_A_WAITER ||
		    nla_parse_nested(tb, KIPC_WAITER_A_MAX, a, NULL) ||
		    !kn_has(tb[KIPC_WAITER_A_TID], 4))
			return -EBADMSG;
		if (n < max) {
			memset(&w[n], 0, sizeof(w[n]));
			w[n].pid = kn_u32(tb[KIPC_WAITER_A_PID]);
			w[n].tid = kn_u32(tb[KIPC_WAITER_A_TID]);
			w[n].wait = kn_u32(tb[KIPC_WAITER_A_WAIT]);
			w[n].since_ns = kn_u64(tb[KIPC_WAITER_A_SINCE_NS]);
			w[n].many = !!tb[KIPC_WAITER_A_MANY];
			if (kn_str(tb[KIPC_WAITER_A_COMM]))
				snprintf(w[n].comm, sizeof(w[n].comm), "%s",
					 kn_str(tb[KIPC_WAITER_A_COMM]));
		}
		n++;
	}
	return n;
}

/* ---- module-wide ---------------------------------------------------------- */

/* A doit @cmd with KIPC_A_UID @uid (-1: none): as kn_call(). */
static inline int kn_simple(struct kn *k, uint8_t cmd, int64_t uid,
			    int flags, struct kn_reply *r)
{
	struct nl_msg *m = kn_msg(k, cmd, flags);

	if (m && uid >= 0 && nla_put_u32(m, KIPC_A_UID, (uint32_t)uid)) {
		nlmsg_free(m);
		m = NULL;
	}
	return kn_call(k, m, r);
}

/*
 * The nest @attr of the single reply of @r parsed into @tb (@max): 0 or
 * -EBADMSG.
 */
static inline int kn_single_nest(const struct kn_reply *r, int attr,
				 struct nlattr **tb, int max)
{
	if (r->err || r->n != 1 || !r->msgs[0].tb[attr])
		return -EBADMSG;
	return nla_parse_nested(tb, max, r->msgs[0].tb[attr], NULL) ?
	       -EBADMSG : 0;
}

/* KIPC_CMD_STATS_GET into @tb: 0, the kernel's -errno, or -EBADMSG. */
static inline int kn_stats(struct kn *k, struct nlattr **tb,
			   struct kn_reply *r)
{
	int ret = kn_simple(k, KIPC_CMD_STATS_GET, -1, 0, r);

	if (ret)
		return ret;
	return r->err ? r->err :
	       kn_single_nest(r, KIPC_A_STATS, tb, KIPC_STATS_A_MAX);
}

/* The limit named @name of LIMITS reply @r into @tb: 0 or -ENOENT. */
static inline int kn_limit(const struct kn_reply *r, const char *name,
			   struct nlattr **tb)
{
	struct nlattr *a;
	int rem;

	if (r->n != 1)
		return -EBADMSG;
	nlmsg_for_each_attr(a, r->msgs[0].nlh, GENL_HDRLEN, rem) {
		if (nla_type(a) != KIPC_A_LIMIT ||
		    nla_parse_nested(tb, KIPC_LIMIT_A_MAX, a, NULL))
			continue;
		if (kn_str(tb[KIPC_LIMIT_A_NAME]) &&
		    !strcmp(kn_str(tb[KIPC_LIMIT_A_NAME]), name))
			return 0;
	}
	return -ENOENT;
}

/* ---- notifications ---------------------------------------------------- */

/* kn_open() and join the group "events": 0 or -errno. */
static inline int kn_monitor(struct kn *k)
{
	int ret = kn_open(k);

	if (ret)
		return ret;
	ret = nl_socket_add_membership(k->sk, k->group);
	if (ret) {
		kn_close(k);
		return kn_nlerr(ret);
	}
	return 0;
}

/* Parse notification @nlh into @ev: 0 or -EBADMSG. */
static inline int kn_event_parse(const struct nlmsghdr *nlh,
				 struct kn_event *ev)
{
	struct nlattr *top[KIPC_A_MAX + 1], *tb[KIPC_NOTIFY_A_MAX + 1];

	memset(ev, 0, sizeof(*ev));
	if (genlmsg_parse((struct nlmsghdr *)nlh, 0, top, KIPC_A_MAX, NULL) ||
	    !top[KIPC_A_NOTIFY] ||
	    nla_parse_nested(tb, KIPC_NOTIFY_A_MAX, top[KIPC_A_NOTIFY], NULL) ||
	    !kn_has(tb[KIPC_NOTIFY_A_KIND], 4))
		return -EBADMSG;
	ev->cmd = ((struct genlmsghdr *)nlmsg_data((struct nlmsghdr *)nlh))->cmd;
	ev->kind = kn_u32(tb[KIPC_NOTIFY_A_KIND]);
#define KN_EV_GET(field, attr, len, get)				\
	do {								\
		ev->has_##field = kn_has(tb[attr], len);		\
		ev->field = get(tb[attr]);				\
	} while (0)
	KN_EV_GET(id, KIPC_NOTIFY_A_OBJ_ID, 8, kn_u64);
	KN_EV_GET(type, KIPC_NOTIFY_A_TYPE, 4, kn_u32);
	KN_EV_GET(uid, KIPC_NOTIFY_A_UID, 4, kn_u32);
	KN_EV_GET(pid, KIPC_NOTIFY_A_PID, 4, kn_u32);
	KN_EV_GET(err, KIPC_NOTIFY_A_ERRNO, 4, kn_u32);
	KN_EV_GET(time, KIPC_NOTIFY_A_TIME, 8, kn_u64);
#undef KN_EV_GET
	if (kn_str(tb[KIPC_NOTIFY_A_NAME])) {
		ev->has_name = true;
		snprintf(ev->name, sizeof(ev->name), "%s",
			 kn_str(tb[KIPC_NOTIFY_A_NAME]));
	}
	return 0;
}

/*
 * The next notification on monitor @k within @timeout_ms: 1 with @ev
 * filled, 0 if none came, -ENOBUFS if some were lost, -EBADMSG, -errno.
 * Datagrams may hold several notifications: the rest wait in @k's buffer.
 */
struct kn_evq {
	int len, off;
};

static inline int kn_event_next(struct kn *k, struct kn_evq *q,
				struct kn_event *ev, int timeout_ms)
{
	struct pollfd p = { .fd = nl_socket_get_fd(k->sk), .events = POLLIN };
	struct nlmsghdr *nlh;
	ssize_t n;
	int ret;

	for (;;) {
		while (q->off < q->len) {
			int rest = q->len - q->off;

			nlh = (struct nlmsghdr *)(k->buf + q->off);
			if (!NLMSG_OK(nlh, rest)) {
				q->off = q->len;
				break;
			}
			q->off += NLMSG_ALIGN(nlh->nlmsg_len);
			if (nlh->nlmsg_type != k->family)
				continue;
			return kn_event_parse(nlh, ev) ? -EBADMSG : 1;
		}
		do {
			ret = poll(&p, 1, timeout_ms);
		} while (ret < 0 && errno == EINTR);
		if (ret < 0)
			return -errno;
		if (!ret)
			return 0;
		n = recv(p.fd, k->buf, k->bufsize, MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		q->len = (int)n;
		q->off = 0;
	}
}

/*
 * Wait up to @timeout_ms for a notification of @kind about object @id (0:
 * any id) and, if @name is not NULL, with that name; others are skipped.
 * Return: 1 with @ev filled, 0 if it did not come, or -errno.
 */
static inline int kn_event_wait(struct kn *k, struct kn_evq *q,
				uint32_t kind, uint64_t id, const char *name,
				struct kn_event *ev, int timeout_ms)
{
	int64_t end = kt_now_ns() + timeout_ms * KT_NSEC_PER_MSEC, left;
	int ret;

	for (;;) {
		left = (end - kt_now_ns()) / KT_NSEC_PER_MSEC;
		ret = kn_event_next(k, q, ev, left > 0 ? (int)left : 0);
		if (ret <= 0)
			return ret;
		if (ev->kind == kind && (!id || ev->id == id) &&
		    (!name || (ev->has_name && !strcmp(ev->name, name))))
			return 1;
	}
}

#define KN_MAX_PARAMS	32

/*
 * The names of the module's parameters (the files of KT_PARAM_DIR), up
 * to KN_MAX_PARAMS into @names: how many, or -errno.
 */
static inline int kn_param_names(char (*names)[32])
{
	struct dirent *de;
	DIR *d = opendir(KT_PARAM_DIR);
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < KN_MAX_PARAMS)
		if (de->d_name[0] != '.')
			snprintf(names[n++], 32, "%.31s", de->d_name);
	closedir(d);
	return n;
}

/* CLOCK_REALTIME now, in ns. */
static inline int64_t kn_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * KT_NSEC_PER_SEC + ts.tv_nsec;
}

#endif /* KIPC_NETLINK_UTIL_H */
