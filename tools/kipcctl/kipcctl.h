/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipcctl(8): every kipc object, live, over the generic netlink family
 * "kipc".  Commands and what they share.
 */
#ifndef KIPCCTL_H
#define KIPCCTL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "nl.h"
#include "obj.h"

#define KIPCCTL_VERSION	"0.1.0"

/* Exit status. */
#define EXIT_OK		0
#define EXIT_FAIL	1	/* the operation failed */
#define EXIT_USAGE	2

/* The options of every command. */
struct opts {
	bool json;
	bool pretty;
};
extern struct opts opts;

/* argv[0] is the command's name; each returns an exit status. */
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_limits(int argc, char **argv);
int cmd_users(int argc, char **argv);
int cmd_namespaces(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_monitor(int argc, char **argv);

/* Prints "kipcctl: ..." and a hint to stderr; returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int parse_u32(const char *s, uint32_t *v);
int parse_u64(const char *s, uint64_t *v);
/* The value after argv[*i] ("name PREFIX"), or NULL (a usage error). */
const char *next_arg(int argc, char **argv, int *i);

/* Set by SIGINT and SIGTERM once catch_stop_signals() ran. */
extern volatile sig_atomic_t stop_requested;
/* Handles SIGINT and SIGTERM without SA_RESTART: sleeps end early. */
void catch_stop_signals(void);

/* The filter of a dump of objects; type 0 and has_uid false: none. */
struct filter {
	uint32_t type;
	const char *prefix;
	bool has_uid;
	uint32_t uid;
};

/* Every object that matches @f, sorted by id.  Returns 0 or a -errno. */
int dump_objects(struct kctl *c, const struct filter *f, struct kobjs *os);

#endif /* KIPCCTL_H */
