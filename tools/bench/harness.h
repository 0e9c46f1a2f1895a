/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc-bench's harness: what the messaging part (messaging.c, with the
 * mechanisms in mechanisms.c) and the synchronization part (sync.c) share.
 * The options, the CPU configurations, the clock and its source, pinning,
 * a child's error report, statistics, and the lines of the report that
 * scripts and the journal (docs/performance.md) read: "ratio NAME WHAT
 * VALUE" and the tables of named figures.
 */
#ifndef KIPC_BENCH_HARNESS_H
#define KIPC_BENCH_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/time.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define MAXREPS		15	/* -r */
#define ERRLEN		256	/* a child's error message */

/* Where the two processes of a measurement run. */
struct cpucfg {
	const char *label;	/* "1cpu" */
	const char *title;
	int cpu[2];
	bool one;
};

/* The command line. */
struct options {
	bool kipc;		/* not -l: the kipc mechanisms too */
	bool sync_only;		/* -s */
	bool want[2];		/* -c: the 1-CPU and 2-CPU configurations */
};

extern double run_secs;		/* -d: the length of a measured run */
extern int reps;		/* -r: runs of each stream */
extern int test_timeout;	/* -t: seconds, per measurement */
extern int errors;		/* failed measurements: the exit status */
extern bool clock_changed[2];	/* during a CPU configuration */

void parse_options(int argc, char **argv, struct options *o);

/* Inline: the round-trip loops time every trip with it. */
static inline int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * A child's failure: the message goes to the shared buffer of its side
 * (set up by the messaging part), the status to its exit.
 */
extern char (*child_err)[ERRLEN];
extern int child_side;
void __attribute__((noreturn, format(printf, 2, 3)))
child_fail(int status, const char *fmt, ...);

const char *errstr(long err);
void pin(int cpu);

/* Statistics. */
int cmp_i64(const void *a, const void *b);
int cmp_dbl(const void *a, const void *b);
double median_of(double *v, int n);	/* sorts @v */
double tv_secs(const struct timeval *tv);
void keep_min(double *best, double v, bool first);

/* The report. */
const char *verdict(bool met);
void __attribute__((format(printf, 3, 4)))
print_ratio(double r, double max, const char *fmt, ...);
void print_table(const char *const *names, const double *v, int n,
		 int width, int prec);

/* The clock source; a change makes the figures after it incomparable. */
extern char clocksource[64];
const char *read_clocksource(char *buf, size_t size);
bool check_clocksource(const char *when);

/* The two parts, run by main.c. */
void messaging_init(void);
void messaging_intro(void);
void raise_limits(void);
void messaging_bench(int ci, const struct cpucfg *cfg, bool kipc);
void messaging_ratios(int ci, const struct cpucfg *cfg);
void sync_bench(const struct cpucfg *cfgs, const bool *want);

/* kipc-bench registry (registry.c): a command of its own. */
int registry_bench(int argc, char **argv);

#endif /* KIPC_BENCH_HARNESS_H */
