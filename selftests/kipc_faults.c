// SPDX-License-Identifier: GPL-2.0
/*
 * kipc under failing allocations (debug kernel only: needs failslab,
 * fail_page_alloc and their debugfs knobs).
 *
 * Allocation failures are aimed at kipc's own code: the stack-trace filter
 * (require-start/require-end) is set to the module's text, and only this
 * program's children (task-filter, make-it-fail) see them.  The workload
 * checks after every call that a failure reached the caller as a
 * documented errno and left nothing half-made: a failed create leaves no
 * name, and at the end every object is gone.
 *
 * The counts of injected failures (from the knobs' "times" countdown) are
 * printed for the run's record.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include "libkipc.h"
#include "kselftest_harness.h"
#include "kipc_test_util.h"

#define DBG		"/sys/kernel/debug"
#define TIMES		100000000L
#define ITERS		3000
#define PROBABILITY	"30"

static const char *const fault_dirs[] = { DBG "/failslab", DBG "/fail_page_alloc" };

static int write_knob(const char *dir, const char *knob, const char *value)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s", dir, knob);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	ret = write(fd, value, strlen(value)) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

static long read_knob(const char *dir, const char *knob)
{
	char path[256], buf[64] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, knob);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 0) : -EIO;
}

static unsigned long long read_hex(const char *path)
{
	char buf[64] = "";
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtoull(buf, NULL, 0) : 0;
}

/* The lowest address of any of kipc's text sections, and its core size. */
static int kipc_text_range(unsigned long long *start, unsigned long long *end)
{
	const char *dir = "/sys/module/kipc/sections";
	unsigned long long lo = ~0ULL, a, size;
	struct dirent *de;
	char path[512];
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, ".text", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		a = read_hex(path);
		if (a && a < lo)
			lo = a;
	}
	closedir(d);
	size = read_hex("/sys/module/kipc/coresize");
	if (lo == ~0ULL || !size)
		return -ENOENT;
	*start = lo;
	*end = lo + size;
	return 0;
}

/* Aim both fault attributes at kipc; returns 0 or -errno. */
static int faults_on(void)
{
	unsigned long long start = 0, end = 0;
	char s[32], e[32], t[32];
	unsigned int i;
	int err;

	err = kipc_text_range(&start, &end);
	if (err)
		return err;
	snprintf(s, sizeof(s), "%llu", start);
	snprintf(e, sizeof(e), "%llu", end);
	snprintf(t, sizeof(t), "%ld", TIMES);
	for (i = 0; i < 2; i++) {
		const char *d = fault_dirs[i];

		err = write_knob(d, "task-filter", "Y") ?:
		      write_knob(d, "ignore-gfp-wait", "N") ?:
		      write_knob(d, "verbose", "0") ?:
		      write_knob(d, "interval", "1") ?:
		      write_knob(d, "stacktrace-depth", "32") ?:
		      write_knob(d, "require-start", s) ?:
		      write_knob(d, "require-end", e) ?:
		      write_knob(d, "times", t) ?:
		      write_knob(d, "probability", PROBABILITY);
		if (err)
			return err;
	}
	return write_knob(fault_dirs[1], "min-order", "0");
}

static long faults_off(void)
{
	long injected = 0;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		write_knob(fault_dirs[i], "probability", "0");
		injected += TIMES - read_knob(fault_dirs[i], "times");
	}
	return injected;
}

/* What the workload saw, shared with the parent. */
struct results {
	long calls, enomem, other_errors, half_made, leaked;
	int bad_errno;
};

static void note(struct results *r, int err)
{
	r->calls++;
	if (err == -ENOMEM)
		r->enomem++;
}

/* Retry a call that only an injected failure may refuse. */
#define RETRY(expr) ({ int __r; int __n = 0; \
	do { __r = (expr); note(r, __r); } while (__r == -ENOMEM && ++__n < 1000); \
	__r; })

static void expect(struct results *r, int ok, int err)
{
	if (!ok) {
		r->other_errors++;
		r->bad_errno = err;
	}
}

static void workload_one(struct results *r, int i)
{
	struct kipc_object_info info = { 0 };
	char name[64];
	uint64_t v;
	int fd, fd2, err;

	/* Anonymous: may fail only with ENOMEM (or EMFILE from the fd table). */
	fd = kipc_event_create(NULL, 0600, 0, 0);
	note(r, fd < 0 ? fd : 0);
	expect(r, fd >= 0 || fd == -ENOMEM || fd == -EMFILE, fd);
	if (fd >= 0) {
		expect(r, !kipc_event_signal(fd, i), -1);
		expect(r, !kipc_event_trywait(fd, &v) && v == (uint64_t)i, -2);
		expect(r, !kipc_object_info(fd, &info), -3);
		close(fd);
	}

	/* Named: a failed create must leave no name behind. */
	snprintf(name, sizeof(name), "flt.%d.%d", getpid(), i % 4);
	fd = kipc_event_create(name, 0600, KIPC_EVENT_MANUAL_RESET, 0);
	note(r, fd < 0 ? fd : 0);
	expect(r, fd >= 0 || fd == -ENOMEM || fd == -EMFILE, fd);
	if (fd < 0) {
		err = RETRY(kipc_event_open(name, 0));
		if (err != -ENOENT) {
			r->half_made++;
			if (err >= 0)
				close(err);
		}
		return;
	}
	fd2 = RETRY(kipc_event_open(name, 0));
	expect(r, fd2 >= 0, fd2);
	if (fd2 >= 0) {
		expect(r, !kipc_event_signal(fd, 7), -4);
		expect(r, !kipc_event_wait(fd2, 0, &v) && v == 7, -5);
		close(fd2);
	}
	err = RETRY(kipc_unlink(KIPC_TYPE_EVENT, name));
	expect(r, err == 0, err);
	close(fd);
}

static void workload(struct results *r)
{
	struct kipc_stats before, after;
	int i;

	if (kipc_stats(&before)) {
		r->other_errors++;
		return;
	}
	for (i = 0; i < ITERS; i++)
		workload_one(r, i);
	if (kipc_stats(&after) ||
	    after.objects != before.objects || after.named != before.named)
		r->leaked++;
}

static pid_t spawn_failing(void)
{
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	fd = open("/proc/self/make-it-fail", O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1)
		_exit(3);
	close(fd);
	return 0;
}

TEST(failing_allocations)
{
	struct results *r;
	long injected;
	int status;
	pid_t pid;

	r = kt_shared_map(sizeof(*r));
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, faults_on());

	pid = spawn_failing();
	ASSERT_GE(pid, 0);
	if (!pid) {
		workload(r);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	injected = faults_off();

	TH_LOG("%ld kipc calls, %ld returned ENOMEM, %ld allocation failures injected",
	       r->calls, r->enomem, injected);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(0, r->other_errors) {
		TH_LOG("an undocumented result: %d", r->bad_errno);
	}
	EXPECT_EQ(0, r->half_made);
	EXPECT_EQ(0, r->leaked);
	/* The run must have reached the failure paths it is about. */
	EXPECT_GT(injected, 100);
	EXPECT_GT(r->enomem, 100);
	printf("kipc-faults: injected=%ld enomem=%ld calls=%ld\n", injected,
	       r->enomem, r->calls);
}

/* kipc_fuzz_test, beside this program. */
static char *fuzzer_path(void)
{
	static char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	char *slash;

	if (n <= 0)
		return "kipc_fuzz_test";
	path[n] = '\0';
	slash = strrchr(path, '/');
	strcpy(slash ? slash + 1 : path, "kipc_fuzz_test");
	return path;
}

/* The fuzzer, whose every result must still be documented, under failures. */
TEST(fuzzer_under_failing_allocations)
{
	char *argv[] = { fuzzer_path(), NULL };
	long injected;
	int status;
	pid_t pid;

	char line[512];
	int pipefd[2];
	FILE *log;

	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_EQ(0, faults_on());
	pid = spawn_failing();
	ASSERT_GE(pid, 0);
	if (!pid) {
		/* Its TAP becomes comments of ours. */
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		setenv("KIPC_FUZZ_ITERS", "8000", 1);
		/*
		 * Its point here is documented errnos, not reach: with
		 * creations failing, a type may have no object at all (seen:
		 * PIPE_INFO found only ENOTTY in 1268 calls).
		 */
		setenv("KIPC_FUZZ_MIN_RESULTS", "1", 1);
		execv(argv[0], argv);
		_exit(4);
	}
	close(pipefd[1]);
	log = fdopen(pipefd[0], "r");
	ASSERT_NE(NULL, log);
	while (fgets(line, sizeof(line), log))
		printf("# fuzz: %s", line);
	fclose(log);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	injected = faults_off();
	TH_LOG("%ld allocation failures injected into the fuzzer's calls", injected);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_GT(injected, 10);
	printf("kipc-faults: fuzzer injected=%ld\n", injected);
}

TEST_HARNESS_MAIN
