// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-posixbench: the same POSIX program timed against glibc's mq_* and
 * sem_* and through libkipc-posix, in the same boot.
 *
 *   kipc-posixbench [-c 1|2] [N]  run once, with whatever implements POSIX
 *                                 (glibc, or the shim under LD_PRELOAD)
 *   kipc-posixbench --compare [-v] [-c 1|2] [-p P] [N] [LIB]
 *                                 both in one process: glibc's functions
 *                                 and LIB's (default: ../libkipc-posix.so.0
 *                                 next to this program, loaded with
 *                                 dlopen), in P pairs of runs a case
 *                                 (default 15), and print the glibc/shim
 *                                 speed ratios: median and its 95%
 *                                 confidence interval; -v: and the
 *                                 context switches of an operation
 *   kipc-posixbench --preload [-c 1|2] [-r R] [N] [LIB]
 *                                 run itself plainly and under LD_PRELOAD=LIB,
 *                                 R rounds (default 7) in turn: the whole
 *                                 program through the shim's interposition
 *
 * Cases (N scales the counts): mq round trip between two processes
 * (ping-pong on two queues), 4 KiB messages streamed one way, sem_post +
 * sem_wait uncontended in one thread, and a semaphore hand-off round trip
 * between two processes (process-shared sem_t in shared memory).
 *
 * Under QEMU's TCG the host's load moves a run's speed by tens of percent
 * within seconds, so --compare times glibc and the shim in turn, a short
 * run each (glibc first in odd pairs, the shim first in even ones), and
 * takes the ratio within each pair: the load drifts over both alike.  The
 * interval is the distribution-free one of the median (order statistics
 * of a binomial(P, 1/2)).  --preload gives whole processes turns instead,
 * seconds apart, and is noisier; it shows that the unmodified program
 * runs through the shim.  -c 1 (the default) pins every process to one
 * CPU, -c 2 lets them run on two, as kipc-bench's configurations do:
 * under TCG the figures of two processes that wake each other across
 * CPUs depend on the host's load more than on the code.  The program
 * uses only libc (and libdl's dlopen), so it is the "unmodified POSIX
 * program" of issue 16 too.
 */
#include <dlfcn.h>
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
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NCASES 4
static const char *const cases[NCASES] = {
	"mq_roundtrip", "mq_stream_4k", "sem_uncontended", "sem_handoff",
};

/* Context switches of this process per operation in the last run (-v). */
static double last_vcsw, last_ivcsw;
static struct rusage ru0;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double start(void)
{
	getrusage(RUSAGE_SELF, &ru0);
	return now();
}

/* The time since @t0; counts the switches of @n operations. */
static double stop(double t0, long n)
{
	double t = now() - t0;
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	last_vcsw = (double)(ru.ru_nvcsw - ru0.ru_nvcsw) / n;
	last_ivcsw = (double)(ru.ru_nivcsw - ru0.ru_nivcsw) / n;
	return t;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* The POSIX functions a case calls: glibc's, or the shim's. */
struct px {
	mqd_t (*mq_open)(const char *name, int oflag, ...);
	int (*mq_close)(mqd_t q);
	int (*mq_unlink)(const char *name);
	int (*mq_send)(mqd_t q, const char *msg, size_t len, unsigned int prio);
	ssize_t (*mq_receive)(mqd_t q, char *buf, size_t len,
			      unsigned int *prio);
	int (*sem_init)(sem_t *s, int pshared, unsigned int value);
	int (*sem_destroy)(sem_t *s);
	int (*sem_post)(sem_t *s);
	int (*sem_wait)(sem_t *s);
};

/* Whatever this program is linked with: glibc, or LD_PRELOAD's. */
static const struct px libc_px = {
	mq_open, mq_close, mq_unlink, mq_send, mq_receive,
	sem_init, sem_destroy, sem_post, sem_wait,
};

static mqd_t mk_queue(const struct px *x, const char *name, long maxmsg,
		      long size)
{
	struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = size };
	mqd_t q;

	x->mq_unlink(name);
	q = x->mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
	if (q < 0)
		die("mq_open");
	return q;
}

static double mq_roundtrip(const struct px *x, long n)
{
	char a[32], b[32], buf[64];
	mqd_t q1, q2;
	double t;
	pid_t pid;
	long i;

	snprintf(a, sizeof(a), "/kpb.%d.a", (int)getpid());
	snprintf(b, sizeof(b), "/kpb.%d.b", (int)getpid());
	q1 = mk_queue(x, a, 4, 64);
	q2 = mk_queue(x, b, 4, 64);
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < n; i++) {
			if (x->mq_receive(q1, buf, sizeof(buf), NULL) < 0 ||
			    x->mq_send(q2, buf, 8, 0))
				_exit(1);
		}
		_exit(0);
	}
	t = start();
	for (i = 0; i < n; i++) {
		if (x->mq_send(q1, "pingpong", 8, 0) ||
		    x->mq_receive(q2, buf, sizeof(buf), NULL) < 0)
			die("mq ping");
	}
	t = stop(t, n);
	waitpid(pid, NULL, 0);
	x->mq_close(q1);
	x->mq_close(q2);
	x->mq_unlink(a);
	x->mq_unlink(b);
	return t / n;
}

static double mq_stream(const struct px *x, long n)
{
	static char buf[4096];
	char a[32];
	double t;
	pid_t pid;
	mqd_t q;
	long i;

	snprintf(a, sizeof(a), "/kpb.%d.s", (int)getpid());
	q = mk_queue(x, a, 10, sizeof(buf));
	t = start();
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < n; i++)
			if (x->mq_send(q, buf, sizeof(buf), 0))
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < n; i++)
		if (x->mq_receive(q, buf, sizeof(buf), NULL) != sizeof(buf))
			die("mq stream");
	t = stop(t, n);
	waitpid(pid, NULL, 0);
	x->mq_close(q);
	x->mq_unlink(a);
	return t / n;
}

static double sem_uncontended(const struct px *x, long n)
{
	double t;
	sem_t s;
	long i;

	if (x->sem_init(&s, 0, 0))
		die("sem_init");
	n *= 100;	/* a run of tens of milliseconds, not of a tick */
	t = start();
	for (i = 0; i < n; i++)
		if (x->sem_post(&s) || x->sem_wait(&s))
			die("sem");
	t = stop(t, n);
	x->sem_destroy(&s);
	return t / n;
}

static double sem_handoff(const struct px *x, long n)
{
	sem_t *s = mmap(NULL, 2 * sizeof(sem_t), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double t;
	pid_t pid;
	long i;

	if (s == MAP_FAILED || x->sem_init(&s[0], 1, 0) ||
	    x->sem_init(&s[1], 1, 0))
		die("sem_init");
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < n; i++)
			if (x->sem_wait(&s[0]) || x->sem_post(&s[1]))
				_exit(1);
		_exit(0);
	}
	t = start();
	for (i = 0; i < n; i++)
		if (x->sem_post(&s[0]) || x->sem_wait(&s[1]))
			die("sem hand-off");
	t = stop(t, n);
	waitpid(pid, NULL, 0);
	x->sem_destroy(&s[0]);
	x->sem_destroy(&s[1]);
	munmap(s, 2 * sizeof(sem_t));
	return t / n;
}

static double (*const fns[NCASES])(const struct px *, long) = {
	mq_roundtrip, mq_stream, sem_uncontended, sem_handoff,
};

static void run(long n, double *out)
{
	for (int c = 0; c < NCASES; c++) {
		double best = 0;

		for (int r = 0; r < 5; r++) {
			double v = fns[c](&libc_px, n);

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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of @n values (sorts them). */
static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define MAX_ROUNDS 32

/*
 * @rounds rounds, glibc and the shim in turn; print each round's ratio,
 * then per case the median times and the median and range of the ratios.
 */
static int preload_rounds(const char *self, const char *cpus, const char *n,
		   const char *lib, int rounds)
{
	double g[MAX_ROUNDS][NCASES], s[MAX_ROUNDS][NCASES], v[MAX_ROUNDS];
	double gm, sm, rm, ratio[MAX_ROUNDS];

	printf("%s CPU(s), N=%s, %d rounds, best of 5 runs a round\n", cpus, n,
	       rounds);
	for (int r = 0; r < rounds; r++) {
		int err;

		if (r % 2 == 0)
			err = run_child(self, cpus, n, NULL, g[r]) ||
			      run_child(self, cpus, n, lib, s[r]);
		else
			err = run_child(self, cpus, n, lib, s[r]) ||
			      run_child(self, cpus, n, NULL, g[r]);
		if (err) {
			fprintf(stderr, "kipc-posixbench: a run failed\n");
			return 1;
		}
		printf("round %d", r + 1);
		for (int c = 0; c < NCASES; c++)
			printf(" %s %.2fx", cases[c], g[r][c] / s[r][c]);
		printf("\n");
		fflush(stdout);
	}
	printf("%-16s %10s %10s %8s %17s\n", "case", "glibc ns", "shim ns",
	       "speed", "range");
	for (int c = 0; c < NCASES; c++) {
		for (int r = 0; r < rounds; r++) {
			v[r] = g[r][c];
			ratio[r] = g[r][c] / s[r][c];
		}
		gm = median(v, rounds);
		for (int r = 0; r < rounds; r++)
			v[r] = s[r][c];
		sm = median(v, rounds);
		rm = median(ratio, rounds);	/* sorts @ratio */
		printf("%-16s %10.0f %10.0f %7.2fx %7.2fx-%.2fx\n", cases[c],
		       gm, sm, rm, ratio[0], ratio[rounds - 1]);
	}
	printf("(speed: glibc time / shim time, the median of the rounds' ratios;\n"
	       " above 1 the shim is faster; range: the lowest and highest round)\n");
	return 0;
}

/*
 * The 95% confidence interval of the median of @n sorted values, free of
 * any assumption on their distribution: [v[k - 1], v[n - k]] for the
 * largest k with P(Binomial(n, 1/2) < k) <= 2.5%.  Return k, or 0 when
 * @n is too small for one.
 */
static int median_ci(int n)
{
	double c = 1, cum = 0, p = 1;
	int k;

	for (int i = 0; i < n; i++)
		p /= 2;
	for (k = 0; k < n; k++) {
		cum += c * p;		/* P(B <= k) */
		if (cum > 0.025)
			break;
		c = c * (n - k) / (k + 1);
	}
	return k;
}

/* The shim's functions, from @lib (its default version, KIPC_POSIX_0.1). */
static int load_shim(const char *lib, struct px *x)
{
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	void **slot = (void **)x;
	static const char *const names[] = {
		"mq_open", "mq_close", "mq_unlink", "mq_send", "mq_receive",
		"sem_init", "sem_destroy", "sem_post", "sem_wait",
	};

	_Static_assert(sizeof(*x) == sizeof(names) / sizeof(names[0]) *
		       sizeof(void *), "struct px and names[] differ");
	if (!h) {
		fprintf(stderr, "kipc-posixbench: %s\n", dlerror());
		return -1;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		slot[i] = dlsym(h, names[i]);
		if (!slot[i]) {
			fprintf(stderr, "kipc-posixbench: %s: no %s\n", lib,
				names[i]);
			return -1;
		}
	}
	return 0;
}

#define MAX_PAIRS 99

/*
 * In this process, @pairs pairs of runs of each case, glibc's and the
 * shim's functions in turn; print the median times and the median of
 * the pairs' ratios with its confidence interval.
 */
static int compare(const char *cpus, long n, const char *lib, int pairs,
		   int verbose)
{
	double sw[2][2] = { { 0 } };
	double g[MAX_PAIRS], s[MAX_PAIRS], ratio[MAX_PAIRS];
	int k = median_ci(pairs);
	struct px shim;

	if (load_shim(lib, &shim))
		return 1;
	printf("%s CPU(s), N=%ld, %d pairs of runs a case, in one process\n",
	       cpus, n, pairs);
	printf("%-16s %10s %10s %8s %17s\n", "case", "glibc ns", "shim ns",
	       "speed", k ? "95% interval" : "range");
	for (int c = 0; c < NCASES; c++) {
		double gm, sm, rm;

		fns[c](&libc_px, n / 4 + 1);	/* fault the code in */
		fns[c](&shim, n / 4 + 1);
		for (int p = 0; p < pairs; p++) {
			if (p % 2 == 0) {
				g[p] = fns[c](&libc_px, n);
				sw[0][0] = last_vcsw;
				sw[0][1] = last_ivcsw;
				s[p] = fns[c](&shim, n);
				sw[1][0] = last_vcsw;
				sw[1][1] = last_ivcsw;
			} else {
				s[p] = fns[c](&shim, n);
				g[p] = fns[c](&libc_px, n);
			}
			ratio[p] = g[p] / s[p];
		}
		gm = median(g, pairs);
		sm = median(s, pairs);
		rm = median(ratio, pairs);	/* sorts @ratio */
		printf("%-16s %10.0f %10.0f %7.2fx %7.2fx-%.2fx\n", cases[c],
		       gm, sm, rm, ratio[k ? k - 1 : 0],
		       ratio[k ? pairs - k : pairs - 1]);
		if (verbose)
			printf("  switches/op, voluntary+involuntary: glibc %.2f+%.2f, shim %.2f+%.2f\n",
			       sw[0][0], sw[0][1], sw[1][0], sw[1][1]);
		fflush(stdout);
	}
	printf("(speed: glibc time / shim time, the median of the pairs' ratios;\n"
	       " above 1 the shim is faster)\n");
	return 0;
}

int main(int argc, char **argv)
{
	char self[PATH_MAX], lib[PATH_MAX + 32];
	const char *n = NULL, *cpus = "1";
	int mode = 0, rounds = 7, pairs = 15, verbose = 0;
	double r[NCASES];
	ssize_t len;

	if (argc > 1 && !strcmp(argv[1], "--compare"))
		mode = 1;
	else if (argc > 1 && !strcmp(argv[1], "--preload"))
		mode = 2;
	if (mode) {
		argv++;
		argc--;
	}
	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = 1;
		argv++;
		argc--;
	}
	while (argc > 2 && argv[1][0] == '-') {
		int v = atoi(argv[2]);

		if (!strcmp(argv[1], "-c")) {
			cpus = argv[2];
		} else if (!strcmp(argv[1], "-r") && v >= 1 &&
			   v <= MAX_ROUNDS) {
			rounds = v;
		} else if (!strcmp(argv[1], "-p") && v >= 1 &&
			   v <= MAX_PAIRS) {
			pairs = v;
		} else {
			fprintf(stderr, "kipc-posixbench: bad option %s %s\n",
				argv[1], argv[2]);
			return 2;
		}
		argv += 2;
		argc -= 2;
	}
	if (argc > 1)
		n = argv[1];
	if (!strcmp(cpus, "1")) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(0, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity");
	}
	if (!mode) {
		run(n ? atol(n) : 2000, r);
		for (int c = 0; c < NCASES; c++)
			printf("%s %.1f\n", cases[c], r[c]);
		return 0;
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len < 0)
		die("readlink");
	self[len] = 0;
	if (argc > 2) {
		snprintf(lib, sizeof(lib), "%s", argv[2]);
	} else {
		snprintf(lib, sizeof(lib), "%s", self);
		*strrchr(lib, '/') = 0;
		strcat(lib, "/../libkipc-posix.so.0");
	}
	if (mode == 1)
		return compare(cpus, n ? atol(n) : 1000, lib, pairs, verbose);
	return preload_rounds(self, cpus, n ? n : "2000", lib, rounds);
}
