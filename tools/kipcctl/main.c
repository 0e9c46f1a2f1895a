// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl(8): options, commands, exit status.
 *
 * Global options may come before or after the command, as in lsipc; the
 * command may be abbreviated, as in ip(8) (the first in the table wins).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kipcctl.h"

struct opts opts;
volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
} cmds[] = {
	{ "list", cmd_list },
	{ "show", cmd_show },
	{ "stats", cmd_stats },
	{ "limits", cmd_limits },
	{ "users", cmd_users },
	{ "namespaces", cmd_namespaces },
	{ "top", cmd_top },
	{ "monitor", cmd_monitor },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: kipcctl [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Commands:\n"
		"  list [TYPE] [name PREFIX] [owner UID]   every object, one a line\n"
		"  show ID | TYPE/NAME                     one object, its holders and waiters\n"
		"  stats                                   the module's statistics\n"
		"  limits [uid UID]                        the limits and their use\n"
		"  users                                   each uid's usage against its quotas\n"
		"  namespaces                              each IPC namespace's usage\n"
		"  top [-n N] [-d SECS] [-s FIELD]         the busiest objects, refreshed\n"
		"  monitor [-t] [-c COUNT]                 events as they happen\n"
		"\n"
		"TYPE: event queue channel pipe region sem mutex cond\n"
		"\n"
		"Options (before or after the command):\n"
		"  -j, --json      JSON output (field names: kipcctl(8))\n"
		"  -p, --pretty    indented JSON\n"
		"  -h, --help      this help\n"
		"  -V, --version   the version\n"
		"\n"
		"Exit status: 0 success, 1 the operation failed, 2 usage error.\n");
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("kipcctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'kipcctl --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

int parse_u64(const char *s, uint64_t *v)
{
	unsigned long long n;
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	*v = n;
	return 0;
}

int parse_u32(const char *s, uint32_t *v)
{
	uint64_t n;

	if (parse_u64(s, &n) || n > UINT32_MAX)
		return -EINVAL;
	*v = n;
	return 0;
}

const char *next_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

enum { OPT_NONE, OPT_DONE, OPT_EXIT };

/* A global option: set it.  OPT_EXIT for --help and --version. */
static int global_option(const char *a)
{
	if (!strcmp(a, "--json"))
		a = "-j";
	else if (!strcmp(a, "--pretty"))
		a = "-p";
	else if (!strcmp(a, "--help"))
		a = "-h";
	else if (!strcmp(a, "--version"))
		a = "-V";
	if (a[0] != '-' || !a[1] || strspn(a + 1, "jphV") != strlen(a + 1))
		return OPT_NONE;
	for (a++; *a; a++) {
		if (*a == 'j')
			opts.json = true;
		else if (*a == 'p')
			opts.pretty = true;
		else if (*a == 'h')
			usage(stdout);
		else
			printf("kipcctl %s (generic netlink family \"%s\" version %d)\n",
			       KIPCCTL_VERSION, KIPC_GENL_NAME, KIPC_GENL_VERSION);
		if (*a == 'h' || *a == 'V')
			return OPT_EXIT;
	}
	return OPT_DONE;
}

/* Takes the global options out of argv; returns the new argc or -1. */
static int global_options(int argc, char **argv)
{
	int n = 1, i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		int r = global_option(argv[i]);

		if (r == OPT_EXIT)
			return -1;
		if (r == OPT_NONE)
			argv[n++] = argv[i];
	}
	for (i += i < argc; i < argc; i++)	/* after "--": arguments */
		argv[n++] = argv[i];
	argv[n] = NULL;
	return n;
}

static const struct cmd *find_cmd(const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; len && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strncmp(cmds[i].name, name, len))
			return &cmds[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static char *list[] = { "list", NULL };
	const struct cmd *cmd;

	argc = global_options(argc, argv);
	if (argc < 0)
		return EXIT_OK;
	if (argc < 2)
		return cmd_list(1, list);	/* as lsipc and ipcs do */
	if (argv[1][0] == '-')
		return usage_error("unknown option \"%s\"", argv[1]);
	cmd = find_cmd(argv[1]);
	if (!cmd)
		return usage_error("unknown command \"%s\"", argv[1]);
	return cmd->fn(argc - 1, argv + 1);
}
