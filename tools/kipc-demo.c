// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-demo: two unrelated processes talking through named kipc events.
 *
 *   kipc-demo serve          answer requests until a request of 0
 *   kipc-demo ask N          send N requests, print the answers, then a
 *                            timed round-trip run, then stop the server
 *   kipc-demo                both, as two processes (fork + exec of self)
 *   kipc-demo leave NAME     create a named event and exit, leaving it to
 *                            the registry (the VM then checks that
 *                            unloading the module frees it)
 *
 * A request is a signal of the auto-reset event "kipc-demo.req" carrying a
 * number; the answer is a signal of "kipc-demo.rsp" carrying its square.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libkipc.h"

#define REQ	"kipc-demo.req"
#define RSP	"kipc-demo.rsp"
#define ROUNDS	2000
#define TIMEOUT	(10LL * 1000000000LL)

static int die(const char *what, int err)
{
	fprintf(stderr, "kipc-demo[%d]: %s: %s\n", getpid(), what,
		kipc_strerror(err));
	exit(1);
}

static void open_pair(int *req, int *rsp)
{
	*req = kipc_open_or_create(KIPC_TYPE_EVENT, REQ, 0600, NULL, 0, 0);
	if (*req < 0)
		die("open " REQ, *req);
	*rsp = kipc_open_or_create(KIPC_TYPE_EVENT, RSP, 0600, NULL, 0, 0);
	if (*rsp < 0)
		die("open " RSP, *rsp);
}

static int serve(void)
{
	uint64_t n, served = 0;
	int req, rsp, err;

	open_pair(&req, &rsp);
	printf("server[%d]: waiting on %s\n", getpid(), REQ);
	fflush(stdout);
	for (;;) {
		err = kipc_event_wait(req, TIMEOUT, &n);
		if (err)
			die("wait for a request", err);
		if (n == 0)
			break;
		err = kipc_event_signal(rsp, n * n);
		if (err)
			die("answer", err);
		served++;
	}
	printf("server[%d]: served %" PRIu64 " requests, bye\n", getpid(),
	       served);
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t ask_one(int req, int rsp, uint64_t n)
{
	uint64_t answer;
	int err;

	err = kipc_event_signal(req, n);
	if (err)
		die("ask", err);
	err = kipc_event_wait(rsp, TIMEOUT, &answer);
	if (err)
		die("wait for the answer", err);
	return answer;
}

static int ask(uint64_t count)
{
	uint64_t i, t0, t1;
	int req, rsp;

	open_pair(&req, &rsp);
	for (i = 1; i <= count; i++)
		printf("client[%d]: asked %" PRIu64 ", server answered %" PRIu64
		       "\n", getpid(), i, ask_one(req, rsp, i));

	t0 = now_ns();
	for (i = 1; i <= ROUNDS; i++)
		if (ask_one(req, rsp, i) != i * i)
			die("wrong answer", -EPROTO);
	t1 = now_ns();
	printf("client[%d]: %d round trips, %.1f us each (software-emulated VM)\n",
	       getpid(), ROUNDS, (t1 - t0) / 1000.0 / ROUNDS);

	kipc_event_signal(req, 0);
	kipc_unlink(KIPC_TYPE_EVENT, REQ);
	kipc_unlink(KIPC_TYPE_EVENT, RSP);
	return 0;
}

static pid_t spawn(char *const argv[])
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork", -errno);
	if (pid == 0) {
		execv("/proc/self/exe", argv);
		die("exec", -errno);
	}
	return pid;
}

static int both(char *self)
{
	char *serve_argv[] = { self, "serve", NULL };
	char *ask_argv[] = { self, "ask", "5", NULL };
	int status, rc = 0;
	pid_t s, a;

	s = spawn(serve_argv);
	a = spawn(ask_argv);
	if (waitpid(a, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		rc = 1;
	if (waitpid(s, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		rc = 1;
	printf("kipc-demo: %s\n", rc ? "FAILED" : "two processes talked through /dev/kipc");
	return rc;
}

int main(int argc, char **argv)
{
	struct kipc_version v;
	int err;

	err = kipc_version(&v);
	if (err)
		die("kipc_version (is the module loaded?)", err);
	if (argc == 1) {
		printf("kipc-demo: module API version %u, features %#" PRIx64
		       ", types %#" PRIx64 "\n", v.api_version,
		       (uint64_t)v.features, (uint64_t)v.types);
		return both(argv[0]);
	}
	if (!strcmp(argv[1], "serve"))
		return serve();
	if (!strcmp(argv[1], "ask") && argc == 3)
		return ask(strtoull(argv[2], NULL, 0));
	if (!strcmp(argv[1], "leave") && argc == 3) {
		err = kipc_event_create(argv[2], 0600, KIPC_EVENT_SET, 0);
		if (err < 0)
			die("create", err);
		return 0;
	}
	fprintf(stderr, "usage: kipc-demo [serve | ask N | leave NAME]\n");
	return 2;
}
