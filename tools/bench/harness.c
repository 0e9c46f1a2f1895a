// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench's harness: options, pinning, a child's error report,
 * statistics, the clock source and the report's common lines.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libkipc.h"
#include "harness.h"

double run_secs = 0.3;
int reps = 5;
int test_timeout = 60;
int errors;
bool clock_changed[2];

/* ---- options ------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
		"usage: kipc-bench [-d SECONDS] [-r REPS] [-c 1|2] [-l] [-s] [-t SECONDS]\n"
		"  -d SECONDS  length of one streaming run (default 0.3)\n"
		"  -r REPS     runs of each stream, median taken (default 5)\n"
		"  -c 1|2      only the 1-CPU or the 2-CPU configuration\n"
		"  -l          Linux mechanisms only (no kipc module needed)\n"
		"  -s          synchronization only (semaphores, mutexes, regions)\n"
		"  -t SECONDS  time limit of one measurement (default 60)\n");
	exit(2);
}

void parse_options(int argc, char **argv, struct options *o)
{
	int opt;

	o->kipc = true;
	o->sync_only = false;
	o->want[0] = o->want[1] = true;
	while ((opt = getopt(argc, argv, "d:r:c:lst:h")) != -1) {
		switch (opt) {
		case 'd':
			run_secs = atof(optarg);
			if (run_secs <= 0)
				usage();
			break;
		case 'r':
			reps = atoi(optarg);
			if (reps < 1 || reps > MAXREPS)
				usage();
			break;
		case 'c':
			o->want[0] = !strcmp(optarg, "1");
			o->want[1] = !strcmp(optarg, "2");
			if (!o->want[0] && !o->want[1])
				usage();
			break;
		case 'l':
			o->kipc = false;
			break;
		case 's':
			o->sync_only = true;
			break;
		case 't':
			test_timeout = atoi(optarg);
			if (test_timeout < 1)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

/* ---- processes ----------------------------------------------------------- */

char (*child_err)[ERRLEN];
int child_side;

void child_fail(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(child_err[child_side], ERRLEN, fmt, ap);
	va_end(ap);
	_exit(status);
}

const char *errstr(long err)
{
	return kipc_strerror((int)err);
}

void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		child_fail(2, "sched_setaffinity(CPU %d): %s", cpu,
			   strerror(errno));
}

/* ---- statistics ---------------------------------------------------------- */

int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double median_of(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_dbl);
	return v[n / 2];
}

double tv_secs(const struct timeval *tv)
{
	return tv->tv_sec + tv->tv_usec / 1e6;
}

/* The best (lowest) of repeated measurements; @first sets it. */
void keep_min(double *best, double v, bool first)
{
	if (first || v < *best)
		*best = v;
}

/* ---- the report ---------------------------------------------------------- */

const char *verdict(bool met)
{
	return met ? "target met" : "target missed";
}

/*
 * "ratio NAME WHAT R", and "  target <= MAX met|missed" when @max > 0:
 * a kipc figure over Linux's own, measured in the same boot.
 */
void print_ratio(double r, double max, const char *fmt, ...)
{
	va_list ap;

	printf("ratio ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" %.2f", r);
	if (max > 0)
		printf("  target <= %.1f %s", max, verdict(r <= max));
	printf("\n");
}

/* One named figure a line, the names in a column @width wide. */
void print_table(const char *const *names, const double *v, int n,
		 int width, int prec)
{
	for (int k = 0; k < n; k++)
		printf("  %-*s %8.*f\n", width, names[k], prec, v[k]);
}

/* ---- the clock source ---------------------------------------------------- */

/*
 * The clock everything is timed with.  In an emulated VM the kernel may
 * find the TSC unstable halfway and fall back to a much slower clock
 * source, which makes what follows slower and not comparable.
 */
char clocksource[64];

const char *read_clocksource(char *buf, size_t size)
{
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/"
			"current_clocksource", "r");

	snprintf(buf, size, "unknown");
	if (f) {
		if (fgets(buf, size, f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
	return buf;
}

bool check_clocksource(const char *when)
{
	char now[64];

	read_clocksource(now, sizeof(now));
	if (strcmp(now, clocksource)) {
		printf("WARNING: the clock source changed from %s to %s %s: "
		       "figures measured since are not comparable with those "
		       "before\n", clocksource, now, when);
		snprintf(clocksource, sizeof(clocksource), "%s", now);
		return true;
	}
	return false;
}
