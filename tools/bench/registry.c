// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench registry: the cost of the name registry's operations as the
 * number of names grows (kipc-bench registry [-n N,N,...] [-s SAMPLES]).
 *
 * For each population N (default 1000, 10000, 100000, 1000000), in
 * increasing order, the names are filled up to N named events (each fd
 * closed at once: a named object lives on through its name), then at that
 * population it times, one call at a time:
 *
 * - open: KIPC_IOC_OPEN of a random existing name (the fd closed outside
 *   the timed part);
 * - unlink: KIPC_IOC_UNLINK of distinct random existing names (at most
 *   N of them);
 * - create: KIPC_IOC_CREATE of the same names again, so the population
 *   is N once more (a create looks the name up before it inserts).
 *
 * Each line gives the mean and the 10th, 50th, 90th and 99th percentiles
 * in microseconds (the spread), and the mean cost of a create while
 * filling.  At the end every name is unlinked.  The module parameters
 * max_objects, max_objects_per_uid and max_bytes_per_uid are raised for
 * the run (root only) and restored.  A population that does not fit in
 * memory stops the run at the largest that did, and says so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libkipc.h"
#include "harness.h"

#define REG_MAX_POPS	8
#define REG_NAME_LEN	32
#define REG_PARAMS	"/sys/module/kipc/parameters/"

static const char *const reg_params[] = {
	"max_objects", "max_objects_per_uid", "max_bytes_per_uid",
};

static unsigned long long reg_saved[ARRAY_SIZE(reg_params)];

static int reg_param(const char *name, unsigned long long *get,
		     unsigned long long set)
{
	char path[128];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), REG_PARAMS "%s", name);
	f = fopen(path, get ? "r" : "w");
	if (!f)
		return -errno;
	ok = get ? fscanf(f, "%llu", get) == 1 : fprintf(f, "%llu\n", set) > 0;
	if (fclose(f))
		ok = 0;
	return ok ? 0 : -EIO;
}

/* Raise the limits for @objects more objects of this uid; 0 or -errno. */
static int reg_raise(unsigned long long objects)
{
	unsigned long long want[ARRAY_SIZE(reg_params)] = {
		objects, objects, reg_saved[2],
	};
	int err;

	for (size_t i = 0; i < ARRAY_SIZE(reg_params); i++) {
		if (want[i] <= reg_saved[i])
			continue;
		err = reg_param(reg_params[i], NULL, want[i]);
		if (err)
			return err;
	}
	return 0;
}

static void reg_restore(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(reg_params); i++)
		if (reg_param(reg_params[i], NULL, reg_saved[i]))
			printf("  ERROR could not restore %s to %llu\n",
			       reg_params[i], reg_saved[i]);
}

static void reg_name(char *buf, unsigned int i)
{
	snprintf(buf, REG_NAME_LEN, "kipcbench.reg.%u", i);
}

static long mem_available_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* xorshift: the same sequence every run. */
static unsigned int reg_rand(void)
{
	static unsigned int x = 2463534242u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

static void reg_print(const char *what, double *us, int n)
{
	double sum = 0;

	for (int i = 0; i < n; i++)
		sum += us[i];
	qsort(us, n, sizeof(*us), cmp_dbl);
	printf("  %-7s mean %8.2f us  p10 %8.2f  p50 %8.2f  p90 %8.2f  p99 %8.2f\n",
	       what, sum / n, us[n / 10], us[n / 2], us[n * 9 / 10],
	       us[n * 99 / 100]);
}

/* Create names [@from, @to); returns how many were made, or -errno. */
static long reg_fill(unsigned int from, unsigned int to, int *err)
{
	char name[REG_NAME_LEN];
	unsigned int i;
	int fd;

	*err = 0;
	for (i = from; i < to; i++) {
		reg_name(name, i);
		fd = kipc_event_create(name, 0600, 0, 0);
		if (fd < 0) {
			*err = fd;
			break;
		}
		close(fd);
	}
	return i;
}

/* Time @samples of each operation at population @n; 0 or -errno. */
static int reg_measure(unsigned int n, int samples, unsigned int *pick,
		       double *us)
{
	char name[REG_NAME_LEN];
	int64_t t0;
	int fd, err;

	for (int j = 0; j < samples; j++) {
		reg_name(name, reg_rand() % n);
		t0 = now_ns();
		fd = kipc_event_open(name, 0);
		us[j] = (now_ns() - t0) / 1e3;
		if (fd < 0)
			return fd;
		close(fd);
	}
	reg_print("open", us, samples);

	/* Distinct names: a partial Fisher-Yates shuffle of 0..n-1. */
	if ((unsigned int)samples > n)
		samples = n;
	for (unsigned int i = 0; i < n; i++)
		pick[i] = i;
	for (int j = 0; j < samples; j++) {
		unsigned int k = j + reg_rand() % (n - j), t = pick[j];

		pick[j] = pick[k];
		pick[k] = t;
	}
	for (int j = 0; j < samples; j++) {
		reg_name(name, pick[j]);
		t0 = now_ns();
		err = kipc_unlink(KIPC_TYPE_EVENT, name);
		us[j] = (now_ns() - t0) / 1e3;
		if (err)
			return err;
	}
	reg_print("unlink", us, samples);

	for (int j = 0; j < samples; j++) {
		reg_name(name, pick[j]);
		t0 = now_ns();
		fd = kipc_event_create(name, 0600, 0, 0);
		us[j] = (now_ns() - t0) / 1e3;
		if (fd < 0)
			return fd;
		close(fd);
	}
	reg_print("create", us, samples);
	return 0;
}

/* Unlink names [0, @n), newest first. */
static int reg_clean(unsigned int n)
{
	char name[REG_NAME_LEN];
	int err, ret = 0;

	while (n-- > 0) {
		reg_name(name, n);
		err = kipc_unlink(KIPC_TYPE_EVENT, name);
		if (err && !ret)
			ret = err;
	}
	return ret;
}

static int reg_pops(const char *arg, unsigned int *pops)
{
	char *copy = strdup(arg), *tok, *save;
	int n = 0;

	for (tok = strtok_r(copy, ",", &save); tok && n < REG_MAX_POPS;
	     tok = strtok_r(NULL, ",", &save)) {
		long v = atol(tok);

		if (v < 1 || v > 100000000 || (n && v <= pops[n - 1])) {
			free(copy);
			return -1;
		}
		pops[n++] = v;
	}
	free(copy);
	return n;
}

static void reg_usage(void)
{
	fprintf(stderr, "usage: kipc-bench registry [-n N,N,...] [-s SAMPLES]\n"
		"  -n  populations, increasing (default 1000,10000,100000,1000000)\n"
		"  -s  operations timed of each kind (default 2000)\n");
	exit(2);
}

/* kipc-bench registry [-n N,...] [-s SAMPLES]: see the top of the file. */
int registry_bench(int argc, char **argv)
{
	unsigned int pops[REG_MAX_POPS] = { 1000, 10000, 100000, 1000000 };
	unsigned int *pick, have = 0;
	int npops = 4, samples = 2000, opt, err = 0;
	double *us;

	optind = 1;
	while ((opt = getopt(argc, argv, "n:s:h")) != -1) {
		switch (opt) {
		case 'n':
			npops = reg_pops(optarg, pops);
			if (npops < 1)
				reg_usage();
			break;
		case 's':
			samples = atoi(optarg);
			if (samples < 10)
				reg_usage();
			break;
		default:
			reg_usage();
		}
	}
	if (optind != argc)
		reg_usage();

	for (size_t i = 0; i < ARRAY_SIZE(reg_params); i++) {
		err = reg_param(reg_params[i], &reg_saved[i], 0);
		if (err) {
			printf("kipc-bench registry: %s%s: %s (module loaded?)\n",
			       REG_PARAMS, reg_params[i], errstr(err));
			return 1;
		}
	}
	err = reg_raise(pops[npops - 1] + reg_saved[0] + 1000);
	if (err) {
		printf("kipc-bench registry: raising the limits: %s (root?)\n",
		       errstr(err));
		reg_restore();
		return 1;
	}
	pick = calloc(pops[npops - 1], sizeof(*pick));
	us = calloc(samples, sizeof(*us));
	if (!pick || !us) {
		printf("kipc-bench registry: out of memory\n");
		reg_restore();
		return 1;
	}

	printf("\n==== registry: named events, %d operations of each kind "
	       "per population ====\n", samples);
	printf("MemAvailable at the start: %ld kB\n", mem_available_kb());
	for (int p = 0; p < npops && !err; p++) {
		int64_t t0 = now_ns();
		long made = reg_fill(have, pops[p], &err);

		printf("N=%u: fill %.2f us per create", pops[p],
		       made > have ? (now_ns() - t0) / 1e3 / (made - have) : 0);
		have = made;
		if (err) {
			printf("\n  STOP: create %u failed: %s; %ld kB "
			       "available; the largest population measured "
			       "is the one above\n", have, errstr(err),
			       mem_available_kb());
			if (err != -ENOMEM && err != -ENOSPC && err != -EDQUOT)
				errors++;
			break;
		}
		printf(", MemAvailable %ld kB\n", mem_available_kb());
		err = reg_measure(pops[p], samples, pick, us);
		if (err) {
			printf("  ERROR at N=%u: %s\n", pops[p], errstr(err));
			errors++;
		}
	}

	{
		int64_t t0 = now_ns();

		err = reg_clean(have);
		printf("cleanup: %u unlinks, %.2f us each\n", have,
		       have ? (now_ns() - t0) / 1e3 / have : 0);
	}
	if (err) {
		printf("  ERROR cleanup: %s\n", errstr(err));
		errors++;
	}
	reg_restore();
	free(pick);
	free(us);
	printf("\nkipc-bench registry: %s\n",
	       errors ? "FAILED (errors above)" : "done, no errors");
	return errors ? 1 : 0;
}
