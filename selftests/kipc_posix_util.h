/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the POSIX conformance and stress tests (kipc_posix_*.c).
 * These programs use only libc: built plain, they test glibc's mq_*,
 * sem_* and shm_* (the reference); linked with libkipc-posix.a, or run
 * under LD_PRELOAD of libkipc-posix.so, they test the shim, with the same
 * expected results (posix/posix.mk).  KP_TEST_SHIM (macro or environment)
 * says which is expected, and the backend test checks it, so a shim that
 * failed to interpose cannot pass as glibc.
 *
 * Each test runs in its own process (the harness forks one per test).
 * Every fixture's setup starts with KT_SKIP_UNSELECTED() (KIPC_ONLY,
 * kipc_only.h), so `make soak` runs only the stress tests, whose names
 * say so (stress_, _processes).
 * Names made with kp_tname() are unlinked by the fixture's teardown.
 * Children report through their exit status and leave with _exit().
 */
#ifndef KIPC_POSIX_UTIL_H
#define KIPC_POSIX_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kipc_only.h"

#define KP_NOBODY	65534
#define KP_MAX_NAMES	16

/* @call fails: it returns @bad (-1, SEM_FAILED) and errno is @err. */
#define EXPECT_FAILS_WITH(bad, call, err) do {				\
	EXPECT_EQ(bad, (call));						\
	EXPECT_EQ(err, errno);						\
} while (0)

/* @call fails as most POSIX functions do: -1 and errno @err. */
#define EXPECT_FAILS(call, err)	EXPECT_FAILS_WITH(-1, call, err)

static struct {
	char names[KP_MAX_NAMES][3][300];
	int n;
} kpt;

/* Expecting the shim: built with the archive, or under LD_PRELOAD. */
static inline bool kp_expect_shim(void)
{
#ifdef KP_TEST_SHIM
	return true;
#else
	return getenv("KP_TEST_SHIM") != NULL;
#endif
}

/* A name of this test for @tag, remembered for the teardown. */
static inline const char *kp_tname(const char *tag)
{
	int i = kpt.n < KP_MAX_NAMES ? kpt.n++ : KP_MAX_NAMES - 1;

	snprintf(kpt.names[i][0], sizeof(kpt.names[i][0]), "/kpt.%d.%s",
		 (int)getpid(), tag);
	mq_unlink(kpt.names[i][0]);
	sem_unlink(kpt.names[i][0]);
	shm_unlink(kpt.names[i][0]);
	return kpt.names[i][0];
}

static inline void kp_cleanup(void)
{
	int i;

	for (i = 0; i < kpt.n; i++) {
		mq_unlink(kpt.names[i][0]);
		sem_unlink(kpt.names[i][0]);
		shm_unlink(kpt.names[i][0]);
	}
	kpt.n = 0;
}

/*
 * What a stress test did, for `make soak`'s totals (scripts/soak.sh): the
 * line kt_soak_count() of kipc_test_util.h prints, from a libc-only test.
 */
static inline void kp_soak_count(unsigned int procs, unsigned long long ops)
{
	printf("# kipc-soak: procs %u ops %llu\n", procs, ops);
	fflush(stdout);
}

static inline int64_t kp_now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* An absolute time @ms from now on @c (negative: in the past). */
static inline struct timespec kp_abs(clockid_t c, int64_t ms)
{
	int64_t t = kp_now_ns(c) + ms * 1000000LL;
	struct timespec ts = {
		.tv_sec = t / 1000000000LL,
		.tv_nsec = t % 1000000000LL,
	};

	return ts;
}

/*
 * Run @fn(@arg) in a child as uid and gid 65534 (nobody), with @umask;
 * return what it returned (an errno, or 0), or -1 if it died.
 */
static inline int kp_as_nobody(int (*fn)(const void *), const void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (setgid(KP_NOBODY) || setuid(KP_NOBODY))
			_exit(200);
		_exit(fn(arg));
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Wait for child @pid; its exit status, or -1 if it did not exit. */
static inline int kp_wait(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static volatile sig_atomic_t kp_signals;

static inline void kp_count_signal(int sig)
{
	(void)sig;
	kp_signals++;
}

/* Install kp_count_signal() for @sig, with or without SA_RESTART. */
static inline void kp_handle(int sig, bool restart)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kp_count_signal;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* SIGALRM in @ms, once. */
static inline void kp_alarm_ms(int ms)
{
	struct itimerval it = {
		.it_value = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

/* Whether fd @fd is a kipc object of @type ("queue", ...) per fdinfo. */
static inline bool kp_fd_is_kipc(int fd, const char *type)
{
	char path[64], buf[4096], want[64];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return false;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return false;
	buf[n] = 0;
	snprintf(want, sizeof(want), "kipc-type:\t%s\n", type);
	return strstr(buf, want) != NULL;
}

/* How many of this process's fds are kipc objects of @type. */
static inline int kp_count_kipc_fds(const char *type)
{
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0 && kp_fd_is_kipc(fd, type))
			n++;
	return n;
}

#endif /* KIPC_POSIX_UTIL_H */
