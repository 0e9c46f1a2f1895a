// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl monitor: the "events" group, one line per notification, as
 * `ip monitor` prints them, until SIGINT or SIGTERM (or COUNT events).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fields.h"
#include "kipcctl.h"

static const char *const event_names[] = {
	[KIPC_EV_CREATED] = "created",	  [KIPC_EV_UNLINKED] = "unlinked",
	[KIPC_EV_DESTROYED] = "destroyed", [KIPC_EV_OWNER_DIED] = "owner_died",
	[KIPC_EV_REFUSED] = "refused",	  [KIPC_EV_NOTIFIED] = "notified",
};

static const struct field notify_fields[] = {
	ENUM(KIPC_NOTIFY_A_KIND, "event", event_names),
	FLD(KIPC_NOTIFY_A_OBJ_ID, "id", F_U64),
	ENUM(KIPC_NOTIFY_A_TYPE, "type", type_names),
	FLD(KIPC_NOTIFY_A_NAME, "name", F_STR),
	FLD(KIPC_NOTIFY_A_UID, "uid", F_U32),
	FLD(KIPC_NOTIFY_A_PID, "pid", F_U32),
	FLD(KIPC_NOTIFY_A_ERRNO, "errno", F_ERRNO),
	FLD(KIPC_NOTIFY_A_TIME, "time_ns", F_U64),
};

static struct fset notify_set = FSET(notify_fields, KIPC_NOTIFY_A_MAX);

struct monitor {
	bool timestamp;
	uint32_t count;		/* 0: no end */
	uint32_t seen;
};

static int monitor_args(struct monitor *m, int argc, char **argv)
{
	const char *v;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-t") || !strcmp(a, "--timestamp")) {
			m->timestamp = true;
		} else if (!strcmp(a, "-c") || !strcmp(a, "--count")) {
			v = next_arg(argc, argv, &i);
			if (!v || parse_u32(v, &m->count) || !m->count)
				return usage_error("monitor: %s needs a count above 0", a);
		} else {
			return usage_error("monitor: unknown argument \"%s\"", a);
		}
	}
	return 0;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void event_text(const struct monitor *m, struct nlattr **tb)
{
	char buf[64];

	if (m->timestamp)
		printf("[%s] ", iso_time(buf, sizeof(buf),
			nla_u64_or(tb[KIPC_NOTIFY_A_TIME], realtime_ns()), 6));
	printf("%s %s", field_enum(&notify_fields[0],
				   nla_u32_or(tb[KIPC_NOTIFY_A_KIND], 0), buf, sizeof(buf)),
	       type_name(nla_u32_or(tb[KIPC_NOTIFY_A_TYPE], 0), buf + 32, 32));
	if (tb[KIPC_NOTIFY_A_OBJ_ID])
		printf(" %llu", (unsigned long long)nla_get_u64(tb[KIPC_NOTIFY_A_OBJ_ID]));
	if (tb[KIPC_NOTIFY_A_NAME])
		printf(" \"%s\"", nla_get_string(tb[KIPC_NOTIFY_A_NAME]));
	printf(" uid %u pid %u", nla_u32_or(tb[KIPC_NOTIFY_A_UID], 0),
	       nla_u32_or(tb[KIPC_NOTIFY_A_PID], 0));
	if (tb[KIPC_NOTIFY_A_ERRNO])
		printf(" %s", errno_name(buf, sizeof(buf),
					 nla_get_u32(tb[KIPC_NOTIFY_A_ERRNO])));
	putchar('\n');
	fflush(stdout);
}

static void event_json(struct nlattr **tb)
{
	struct jw jw;

	jw_init(&jw, stdout, false);	/* one object a line, always */
	jw_obj_open(&jw, NULL);
	fset_json(&notify_set, &jw, tb);
	jw_obj_close(&jw);
	jw_end(&jw);
}

static int on_event(struct nlattr *attrs, int len, void *arg)
{
	struct nlattr *tb[KIPC_NOTIFY_A_MAX + 1], *pos;
	struct monitor *m = arg;
	int rem;

	nla_for_each_attr(pos, attrs, len, rem) {
		if (nla_type(pos) != KIPC_A_NOTIFY ||
		    (m->count && m->seen >= m->count) ||
		    fset_parse(&notify_set, tb, pos) < 0)
			continue;
		if (opts.json)
			event_json(tb);
		else
			event_text(m, tb);
		m->seen++;
	}
	return 0;
}

static bool done(const struct monitor *m)
{
	return stop_requested || (m->count && m->seen >= m->count);
}

/* Reads what arrived; 0 when nothing more is there, or an exit status. */
static int drain(struct kctl *c, struct monitor *m)
{
	int err;

	do {
		err = kctl_read_events(c, on_event, m);
	} while (!err && !done(m));
	if (err == -ENOBUFS) {
		fprintf(stderr, "kipcctl: monitor: events lost (the socket's buffer overflowed)\n");
		return 0;
	}
	if (err && err != -EAGAIN)
		return kctl_fail(c, err, "monitor");
	return 0;
}

/*
 * SIGINT and SIGTERM stay blocked but while ppoll() sleeps, so a signal
 * never falls between the test of the flag and the sleep.
 */
static int monitor_loop(struct kctl *c, struct monitor *m)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(c->sk), .events = POLLIN };
	sigset_t block, orig;
	int ret = 0;

	catch_stop_signals();
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	while (!ret && !done(m)) {
		if (ppoll(&pfd, 1, NULL, &orig) < 0) {
			if (errno == EINTR)
				continue;
			perror("kipcctl: monitor: ppoll");
			ret = EXIT_FAIL;
			break;
		}
		ret = drain(c, m);
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return ret;
}

int cmd_monitor(int argc, char **argv)
{
	struct monitor m = { 0 };
	struct kctl c;
	int ret;

	ret = monitor_args(&m, argc, argv);
	if (ret)
		return ret;
	if (kctl_open(&c))
		return EXIT_FAIL;
	ret = kctl_subscribe(&c) ? EXIT_FAIL : monitor_loop(&c, &m);
	kctl_close(&c);
	return ret;
}
