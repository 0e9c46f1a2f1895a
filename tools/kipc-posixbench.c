// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-posixbench: the same POSIX program timed against glibc's mq_* and
 * sem_* and through libkipc-posix, in the same boot.
 *
 *   kipc-posixbench [-c 1|2] [N]  run once, with whatever implements POSIX
 *   kipc-posixbench --compare [-c 1|2] [N] [LIB]
 *                                 run itself plainly and under LD_PRELOAD=LIB
 *                                 (default: ../libkipc-posix.so.0 next to this
 *                                 program) and print the shim/glibc ratios
 *
 * Cases (N scales the counts): mq round trip between two processes
 * (ping-pong on two queues), 4 KiB messages streamed one way, sem_post +
 * sem_wait uncontended in one thread, and a semaphore hand-off round trip
 * between two processes (process-shared sem_t in shared memory).  Each is
 * the best of 5 runs, in ns per operation.  -c 1 (the default) pins
 * every process to one CPU, -c 2 lets them run on two, as kipc-bench's
 * configurations do: under QEMU's TCG the figures of two processes that
 * wake each other across CPUs depend on the host's load more than on
 * the code.  It uses only libc, so it is
 * the "unmodified POSIX program" of issue 16 too.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <mqueue.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NCASES 4
static const char *const cases[NCASES] = {
	"mq_roundtrip", "mq_stream_4k", "sem_uncontended", "sem_handoff",
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static mqd_t mk_queue(const char *name, long maxmsg, long size)
{
	struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = size };
	mqd_t q;

	mq_unlink(name);
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
	if (q < 0)
		die("mq_open");
	return q;
}

static double mq_roundtrip(long n)
{
	char a[32], b[32], buf[64];
	mqd_t q1, q2;
	double t;
	pid_t pid;
	long i;

	snprintf(a, sizeof(a), "/kpb.%d.a", (int)getpid());
	snprintf(b, sizeof(b), "/kpb.%d.b", (int)getpid());
	q1 = mk_queue(a, 4, 64);
	q2 = mk_queue(b, 4, 64);
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < n; i++) {
			if (mq_receive(q1, buf, sizeof(buf), NULL) < 0 ||
			    mq_send(q2, buf, 8, 0))
				_exit(1);
		}
		_exit(0);
	}
	t = now();
	for (i = 0; i < n; i++) {
		if (mq_send(q1, "pingpong", 8, 0) ||
		    mq_receive(q2, buf, sizeof(buf), NULL) < 0)
			die("mq ping");
	}
	t = now() - t;
	waitpid(pid, NULL, 0);
	mq_close(q1);
	mq_close(q2);
	mq_unlink(a);
	mq_unlink(b);
	return t / n;
}

static double mq_stream(long n)
{
	static char buf[4096];
	char a[32];
	double t;
	pid_t pid;
	mqd_t q;
	long i;

	snprintf(a, sizeof(a), "/kpb.%d.s", (int)getpid());
	q = mk_queue(a, 10, sizeof(buf));
	t = now();
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < n; i++)
			if (mq_send(q, buf, sizeof(buf), 0))
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < n; i++)
		if (mq_receive(q, buf, sizeof(buf), NULL) != sizeof(buf))
			die("mq stream");
	t = now() - t;
	waitpid(pid, NULL, 0);
	mq_close(q);
	mq_unlink(a);
	return t / n;
}

static double sem_uncontended(long n)
{
	double t;
	sem_t s;
	long i;

	if (sem_init(&s, 0, 0))
		die("sem_init");
	n *= 20;
	t = now();
	for (i = 0; i < n; i++)
		if (sem_post(&s) || sem_wait(&s))
			die("sem");
	t = now() - t;
	sem_destroy(&s);
	return t / n;
}

static double sem_handoff(long n)
{
	sem_t *s = mmap(NULL, 2 * sizeof(sem_t), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double t;
	pid_t pid;
	long i;

	if (s == MAP_FAILED || sem_init(&s[0], 1, 0) || sem_init(&s[1], 1, 0))
		die("sem_init");
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < n; i++)
			if (sem_wait(&s[0]) || sem_post(&s[1]))
				_exit(1);
		_exit(0);
	}
	t = now();
	for (i = 0; i < n; i++)
		if (sem_post(&s[0]) || sem_wait(&s[1]))
			die("sem hand-off");
	t = now() - t;
	waitpid(pid, NULL, 0);
	sem_destroy(&s[0]);
	sem_destroy(&s[1]);
	munmap(s, 2 * sizeof(sem_t));
	return t / n;
}

static double (*const fns[NCASES])(long) = {
	mq_roundtrip, mq_stream, sem_uncontended, sem_handoff,
};

static void run(long n, double *out)
{
	for (int c = 0; c < NCASES; c++) {
		double best = 0;

		for (int r = 0; r < 5; r++) {
			double v = fns[c](n);

			if (!r || v < best)
				best = v;
		}
		out[c] = best;
	}
}

/* Run this program with @preload (or plainly) and read its results. */
static int run_child(const char *self, const char *cpus, const char *n,
		     const char *preload, double *out)
{
	char line[256], name[64];
	int p[2], got = 0;
	double v;
	FILE *f;
	pid_t pid;

	if (pipe(p))
		die("pipe");
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		if (preload)
			setenv("LD_PRELOAD", preload, 1);
		else
			unsetenv("LD_PRELOAD");
		execl(self, self, "-c", cpus, n, NULL);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lf", name, &v) != 2)
			continue;
		for (int c = 0; c < NCASES; c++)
			if (!strcmp(name, cases[c])) {
				out[c] = v;
				got++;
			}
	}
	fclose(f);
	waitpid(pid, NULL, 0);
	return got == NCASES ? 0 : -1;
}

int main(int argc, char **argv)
{
	double r[NCASES], g[NCASES], s[NCASES];
	char self[PATH_MAX], lib[PATH_MAX + 32];
	const char *n = "2000", *cpus = "1";
	int compare = 0;
	ssize_t len;

	if (argc > 1 && !strcmp(argv[1], "--compare")) {
		compare = 1;
		argv++;
		argc--;
	}
	if (argc > 2 && !strcmp(argv[1], "-c")) {
		cpus = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (!strcmp(cpus, "1")) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(0, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity");
	}
	if (compare) {
		argv--;
		argc++;
		if (argc > 2)
			n = argv[2];
		len = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (len < 0)
			die("readlink");
		self[len] = 0;
		if (argc > 3) {
			snprintf(lib, sizeof(lib), "%s", argv[3]);
		} else {
			snprintf(lib, sizeof(lib), "%s", self);
			*strrchr(lib, '/') = 0;
			strcat(lib, "/../libkipc-posix.so.0");
		}
		if (run_child(self, cpus, n, NULL, g) ||
		    run_child(self, cpus, n, lib, s)) {
			fprintf(stderr, "kipc-posixbench: a run failed\n");
			return 1;
		}
		printf("%s CPU(s), N=%s, best of 5\n", cpus, n);
		printf("%-16s %12s %12s %8s\n", "case", "glibc ns", "shim ns",
		       "speed");
		for (int c = 0; c < NCASES; c++)
			printf("%-16s %12.0f %12.0f %7.2fx\n", cases[c], g[c],
			       s[c], g[c] / s[c]);
		printf("(speed: glibc time / shim time; above 1 the shim is faster)\n");
		return 0;
	}
	run(argc > 1 ? atol(argv[1]) : 2000, r);
	for (int c = 0; c < NCASES; c++)
		printf("%s %.1f\n", cases[c], r[c]);
	return 0;
}
