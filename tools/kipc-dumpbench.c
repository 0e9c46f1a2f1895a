// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-dumpbench: how long the netlink family takes to dump every object.
 *
 *   kipc-dumpbench [-r ROUNDS] [N...]     (default N: 10000 100000)
 *
 * For each N it makes N named events (their fds closed: a name keeps an
 * object alive), dumps every object with KIPC_CMD_OBJ_GET and NLM_F_DUMP
 * ROUNDS times (default 3) through libnl, checks that each dump saw all N
 * exactly once, prints
 *
 *   dumpbench N OBJECTS: best MS ms, median MS ms, US us/object
 *
 * and unlinks them again.  Run as root: it raises max_objects and
 * max_objects_per_uid for the run and puts them back.  Exit status 0, or
 * 1 if a call failed or a dump missed or repeated an object.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/kipc_netlink.h>

#include "libkipc.h"

#define PARAMS		"/sys/module/kipc/parameters/"
#define MAX_ROUNDS	15

struct dump {
	uint64_t objects;	/* replies with KIPC_A_OBJ */
	uint64_t last_id;	/* ids must increase */
	int disorder;
	uint64_t *seen;		/* per event of this run, by index */
	uint64_t first_id;	/* id of event 0 */
	uint64_t n;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int write_param(const char *name, const char *val)
{
	char path[256];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	rc = fputs(val, f) < 0 ? -EIO : 0;
	return fclose(f) ? -errno : rc;
}

static int read_param(const char *name, char *buf, size_t size)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)size, f))
		buf[0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
	return 0;
}

static int on_object(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KIPC_A_MAX + 1], *ob[KIPC_OBJ_A_MAX + 1];
	struct dump *d = arg;
	uint64_t id;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, KIPC_A_MAX, NULL) ||
	    !tb[KIPC_A_OBJ] ||
	    nla_parse_nested(ob, KIPC_OBJ_A_MAX, tb[KIPC_A_OBJ], NULL) ||
	    !ob[KIPC_OBJ_A_ID])
		return NL_SKIP;
	id = nla_get_u64(ob[KIPC_OBJ_A_ID]);
	if (d->objects && id <= d->last_id)
		d->disorder++;
	d->last_id = id;
	d->objects++;
	if (id >= d->first_id && id - d->first_id < d->n)
		d->seen[id - d->first_id]++;
	return NL_OK;
}

/* One dump of every object; returns its time in ms, or < 0. */
static double dump_all(struct nl_sock *sk, int family, struct dump *d)
{
	struct nl_msg *msg = nlmsg_alloc();
	double t0;
	int err;

	if (!msg)
		return -1;
	d->objects = 0;
	d->disorder = 0;
	memset(d->seen, 0, d->n * sizeof(*d->seen));
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_object, d);
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_DUMP,
		    KIPC_CMD_OBJ_GET, KIPC_GENL_VERSION);
	t0 = now_ms();
	err = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (err < 0)
		return -1;
	err = nl_recvmsgs_default(sk);
	if (err < 0) {
		fprintf(stderr, "kipc-dumpbench: dump: %s\n", nl_geterror(err));
		return -1;
	}
	return now_ms() - t0;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Make @n named events; return the id of the first, or 0. */
static uint64_t make_events(uint64_t n)
{
	struct kipc_object_info in;
	uint64_t first = 0;
	char name[32];

	for (uint64_t i = 0; i < n; i++) {
		int fd;

		snprintf(name, sizeof(name), "dumpbench-%llu",
			 (unsigned long long)i);
		fd = kipc_event_create(name, 0600, 0, 0);
		if (fd < 0) {
			fprintf(stderr, "kipc-dumpbench: create %s: %s\n",
				name, strerror(-fd));
			return 0;
		}
		if (i == 0) {
			memset(&in, 0, sizeof(in));
			if (kipc_object_info(fd, &in) == 0)
				first = in.id;
		}
		close(fd);
	}
	return first;
}

static void unlink_events(uint64_t n)
{
	char name[32];

	for (uint64_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "dumpbench-%llu",
			 (unsigned long long)i);
		kipc_unlink(KIPC_TYPE_EVENT, name);
	}
}

/* Whether every event was seen exactly once, and in id order. */
static int dump_ok(const struct dump *d)
{
	for (uint64_t i = 0; i < d->n; i++)
		if (d->seen[i] != 1)
			return 0;
	return !d->disorder;
}

static int bench_n(struct nl_sock *sk, int family, uint64_t n, int rounds)
{
	struct dump d = { .n = n };
	double t[MAX_ROUNDS];
	int rc = 0;

	d.seen = calloc(n, sizeof(*d.seen));
	if (!d.seen)
		return 1;
	d.first_id = make_events(n);
	if (!d.first_id) {
		rc = 1;
		goto out;
	}
	for (int r = 0; r < rounds; r++) {
		t[r] = dump_all(sk, family, &d);
		if (t[r] < 0 || !dump_ok(&d)) {
			fprintf(stderr, "kipc-dumpbench: dump %d of %llu: %s\n",
				r, (unsigned long long)n,
				t[r] < 0 ? "failed" : "an object missed or repeated");
			rc = 1;
			goto out;
		}
	}
	qsort(t, rounds, sizeof(t[0]), cmp_dbl);
	printf("dumpbench %llu objects (%llu in the dump): best %.1f ms, median %.1f ms, %.2f us/object\n",
	       (unsigned long long)n, (unsigned long long)d.objects, t[0],
	       t[rounds / 2], t[rounds / 2] * 1e3 / (double)d.objects);
out:
	unlink_events(n);
	free(d.seen);
	return rc;
}

int main(int argc, char **argv)
{
	static const uint64_t defaults[] = { 10000, 100000 };
	char old_max[32], old_uid[32], want[32];
	struct nl_sock *sk;
	int opt, family, rounds = 3, rc = 0;

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt != 'r')
			goto usage;
		rounds = atoi(optarg);
	}
	if (rounds < 1 || rounds > MAX_ROUNDS)
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);

	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk))
		return 1;
	family = genl_ctrl_resolve(sk, KIPC_GENL_NAME);
	if (family < 0) {
		fprintf(stderr, "kipc-dumpbench: no netlink family \"kipc\" (module not loaded?)\n");
		return 1;
	}
	nl_socket_set_buffer_size(sk, 4 << 20, 0);
	if (read_param("max_objects", old_max, sizeof(old_max)) ||
	    read_param("max_objects_per_uid", old_uid, sizeof(old_uid)))
		return 1;

	int nargs = argc - optind;

	for (int i = 0; i < (nargs ? nargs : 2); i++) {
		uint64_t n = nargs ? strtoull(argv[optind + i], NULL, 10) :
				     defaults[i];

		snprintf(want, sizeof(want), "%llu", (unsigned long long)n + 1024);
		if (write_param("max_objects", want) ||
		    write_param("max_objects_per_uid", want)) {
			fprintf(stderr, "kipc-dumpbench: cannot raise the limits (root?)\n");
			rc = 1;
			break;
		}
		rc |= bench_n(sk, family, n, rounds);
	}
	write_param("max_objects_per_uid", old_uid);
	write_param("max_objects", old_max);
	nl_socket_free(sk);
	return rc;
usage:
	fprintf(stderr, "usage: kipc-dumpbench [-r ROUNDS] [N...]\n");
	return 2;
}
