// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX conformance of mq_*, sem_* and shm_*: every function and the
 * errno values Linux gives, run against glibc (kipc_posix_conf_glibc_test)
 * and through libkipc-posix (kipc_posix_conf_shim_test, linked with the
 * archive; kipc_posix_conf_preload_test, under LD_PRELOAD) with the same
 * expectations.  See kipc_posix_util.h.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_posix_util.h"

static char *kp_self;	/* argv[0], for the exec tests */

FIXTURE(posix) {
	int unused;
};

FIXTURE_SETUP(posix)
{
	KT_SKIP_UNSELECTED();
	umask(022);
}

FIXTURE_TEARDOWN(posix)
{
	kp_cleanup();
}

/* ---- which implementation -------------------------------------------------- */

TEST_F(posix, backend)
{
	const char *n = kp_tname("backend");
	struct stat st;
	char path[300];
	sem_t *s;
	mqd_t q;

	q = mq_open(n, O_RDWR | O_CREAT, 0600, NULL);
	ASSERT_LE(0, q);
	EXPECT_EQ(kp_expect_shim(), kp_fd_is_kipc(q, "queue"));
	mq_close(q);
	s = sem_open(n, O_CREAT, 0600, 0);
	ASSERT_NE(SEM_FAILED, s);
	snprintf(path, sizeof(path), "/dev/shm/sem.%s", n + 1);
	EXPECT_EQ(kp_expect_shim(), stat(path, &st) != 0);
	EXPECT_EQ(kp_expect_shim() ? 1 : 0, kp_count_kipc_fds("semaphore"));
	sem_close(s);
}

/* ---- mq: names, open, unlink --------------------------------------------- */

TEST_F(posix, mq_names)
{
	char longname[NAME_MAX + 3];

	errno = 0;
	EXPECT_FAILS(mq_open("kpt-noslash", O_RDWR | O_CREAT, 0600, NULL),
		     EINVAL);
	EXPECT_FAILS(mq_open("/", O_RDWR | O_CREAT, 0600, NULL), ENOENT);
	EXPECT_FAILS(mq_open("/kpt/x", O_RDWR | O_CREAT, 0600, NULL), EACCES);
	memset(longname, 'a', sizeof(longname));
	longname[0] = '/';
	longname[NAME_MAX + 2] = 0;
	EXPECT_FAILS(mq_open(longname, O_RDWR | O_CREAT, 0600, NULL),
		     ENAMETOOLONG);
	longname[NAME_MAX + 1] = 0;	/* NAME_MAX bytes after the slash */
	mqd_t q = mq_open(longname, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);

	EXPECT_LE(0, q);
	if (q >= 0) {
		mq_close(q);
		EXPECT_EQ(0, mq_unlink(longname));
	}
	EXPECT_FAILS(mq_open("/kpt-missing-queue", O_RDWR), ENOENT);
	EXPECT_FAILS(mq_unlink("/kpt-missing-queue"), ENOENT);
	EXPECT_FAILS(mq_unlink("kpt-noslash"), EINVAL);
}

TEST_F(posix, mq_names_any_byte)
{
	char name[64];
	struct mq_attr a;
	mqd_t q, r;

	/* A space, a percent sign, a tab: all fine in a POSIX name. */
	snprintf(name, sizeof(name), "/kpt %d %%41\t", (int)getpid());
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	ASSERT_LE(0, q);
	snprintf(name, sizeof(name), "/kpt %d A\t", (int)getpid());
	r = mq_open(name, O_RDWR);	/* not the same name */
	EXPECT_FAILS(r, ENOENT);
	snprintf(name, sizeof(name), "/kpt %d %%41\t", (int)getpid());
	r = mq_open(name, O_RDWR);
	ASSERT_LE(0, r);
	EXPECT_EQ(0, mq_send(q, "x", 1, 0));
	EXPECT_EQ(0, mq_getattr(r, &a));
	EXPECT_EQ(1, a.mq_curmsgs);
	mq_close(r);
	mq_close(q);
	EXPECT_EQ(0, mq_unlink(name));
}

TEST_F(posix, mq_create_excl_and_reopen)
{
	const char *n = kp_tname("excl");
	struct mq_attr bad = { .mq_maxmsg = 0, .mq_msgsize = 0 };
	struct mq_attr a;
	mqd_t q, r;

	q = mq_open(n, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	ASSERT_LE(0, q);
	EXPECT_FAILS(mq_open(n, O_RDWR | O_CREAT | O_EXCL, 0600, NULL), EEXIST);
	/* O_CREAT without O_EXCL opens it; the attributes are not looked at. */
	r = mq_open(n, O_RDWR | O_CREAT, 0600, &bad);
	ASSERT_LE(0, r);
	EXPECT_NE(q, r);
	EXPECT_EQ(0, mq_send(q, "hi", 2, 0));
	EXPECT_EQ(0, mq_getattr(r, &a));
	EXPECT_EQ(1, a.mq_curmsgs);
	/* close-on-exec, as glibc always makes it */
	EXPECT_EQ(FD_CLOEXEC, fcntl(q, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, mq_close(r));
	EXPECT_EQ(0, mq_close(q));
	EXPECT_FAILS(mq_close(q), EBADF);
	EXPECT_EQ(0, mq_unlink(n));
	EXPECT_FAILS(mq_unlink(n), ENOENT);
}

static long kp_proc(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

TEST_F(posix, mq_attr_defaults_and_limits)
{
	const char *n = kp_tname("attr");
	long msg_def = kp_proc("/proc/sys/fs/mqueue/msg_default");
	long size_def = kp_proc("/proc/sys/fs/mqueue/msgsize_default");
	struct mq_attr a = { 0 };
	mqd_t q;

	q = mq_open(n, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, mq_getattr(q, &a));
	EXPECT_EQ(0, a.mq_flags);
	EXPECT_EQ(msg_def, a.mq_maxmsg);
	EXPECT_EQ(size_def, a.mq_msgsize);
	EXPECT_EQ(0, a.mq_curmsgs);
	mq_close(q);
	mq_unlink(n);

	struct mq_attr bad[] = {
		{ .mq_maxmsg = 0, .mq_msgsize = 16 },
		{ .mq_maxmsg = -1, .mq_msgsize = 16 },
		{ .mq_maxmsg = 4, .mq_msgsize = 0 },
		{ .mq_maxmsg = 4, .mq_msgsize = -5 },
		{ .mq_maxmsg = 65537, .mq_msgsize = 16 },	/* above HARD_MSGMAX */
		{ .mq_maxmsg = 1, .mq_msgsize = (16 << 20) + 1 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, mq_open(n, O_RDWR | O_CREAT, 0600, &bad[i]));
		EXPECT_EQ(EINVAL, errno) TH_LOG("attr %zu", i);
	}
	/* mq_flags and mq_curmsgs of the attributes are ignored. */
	a = (struct mq_attr){ .mq_flags = O_NONBLOCK, .mq_maxmsg = 3,
			      .mq_msgsize = 100, .mq_curmsgs = 7 };
	q = mq_open(n, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, mq_getattr(q, &a));
	EXPECT_EQ(0, a.mq_flags);
	EXPECT_EQ(3, a.mq_maxmsg);
	EXPECT_EQ(100, a.mq_msgsize);
	EXPECT_EQ(0, a.mq_curmsgs);
	mq_close(q);
}

static int kp_nobody_mq_open(const void *arg)
{
	const char *n = arg;
	mqd_t q = mq_open(n, O_RDONLY);
	int r = 0;

	if (q < 0)
		return 100 + errno;
	mq_close(q);
	q = mq_open(n, O_WRONLY);
	if (q >= 0)
		return 99;
	r = errno;
	if (mq_unlink(n) == 0)
		return 98;
	return r == EACCES && errno == EACCES ? 0 : 97;
}

TEST_F(posix, mq_mode_umask_eacces)
{
	const char *n = kp_tname("mode");
	mqd_t q;

	umask(022);
	q = mq_open(n, O_RDWR | O_CREAT | O_EXCL, 0666, NULL);
	ASSERT_LE(0, q);
	/* 0666 & ~022: others read, not write; only the owner unlinks. */
	EXPECT_EQ(0, kp_as_nobody(kp_nobody_mq_open, n));
	mq_close(q);
}

/* ---- mq: send and receive ---------------------------------------------------- */

static mqd_t kp_mq_make(struct __test_metadata *_metadata, const char *n,
			int flags, long maxmsg, long msgsize)
{
	struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };
	mqd_t q = mq_open(n, O_RDWR | O_CREAT | O_EXCL | flags, 0600, &a);

	EXPECT_LE(0, q);
	return q;
}

TEST_F(posix, mq_priorities_fifo)
{
	const char *n = kp_tname("prio");
	mqd_t q = kp_mq_make(_metadata, n, 0, 8, 64);
	static const struct { const char *m; unsigned int p; } in[] = {
		{ "a1", 1 }, { "b5", 5 }, { "c3", 3 }, { "d5", 5 }, { "e0", 0 },
		{ "f32767", MQ_PRIO_MAX - 1 },
	};
	static const char *const out[] = { "f32767", "b5", "d5", "c3", "a1",
					   "e0" };
	char buf[64];
	unsigned int prio;
	ssize_t len;

	ASSERT_LE(0, q);
	for (size_t i = 0; i < 6; i++)
		ASSERT_EQ(0, mq_send(q, in[i].m, strlen(in[i].m), in[i].p));
	for (size_t i = 0; i < 6; i++) {
		memset(buf, 0, sizeof(buf));
		len = mq_receive(q, buf, sizeof(buf), &prio);
		ASSERT_EQ((ssize_t)strlen(out[i]), len);
		EXPECT_STREQ(out[i], buf);
		EXPECT_EQ((unsigned int)atoi(out[i] + 1), prio);
	}
	/* A zero-length message; a NULL priority pointer. */
	EXPECT_EQ(0, mq_send(q, "", 0, 2));
	EXPECT_EQ(0, mq_receive(q, buf, sizeof(buf), NULL));
	errno = 0;
	EXPECT_FAILS(mq_send(q, "x", 1, MQ_PRIO_MAX), EINVAL);
	mq_close(q);
}

TEST_F(posix, mq_emsgsize)
{
	const char *n = kp_tname("msgsize");
	mqd_t q = kp_mq_make(_metadata, n, 0, 4, 16);
	char buf[64];

	ASSERT_LE(0, q);
	memset(buf, 'x', sizeof(buf));
	EXPECT_EQ(0, mq_send(q, buf, 16, 0));
	EXPECT_FAILS(mq_send(q, buf, 17, 0), EMSGSIZE);
	EXPECT_EQ(0, mq_send(q, "s", 1, 0));
	/* A buffer smaller than mq_msgsize: EMSGSIZE, whatever is queued. */
	EXPECT_FAILS(mq_receive(q, buf, 15, NULL), EMSGSIZE);
	EXPECT_EQ(16, mq_receive(q, buf, 16, NULL));
	EXPECT_EQ(1, mq_receive(q, buf, 64, NULL));
	mq_close(q);
}

TEST_F(posix, mq_ebadf)
{
	const char *n = kp_tname("ebadf");
	mqd_t q = kp_mq_make(_metadata, n, 0, 4, 16);
	struct mq_attr a;
	char buf[16];
	mqd_t r, w;
	int fd;

	ASSERT_LE(0, q);
	r = mq_open(n, O_RDONLY);
	w = mq_open(n, O_WRONLY);
	ASSERT_LE(0, r);
	ASSERT_LE(0, w);
	EXPECT_FAILS(mq_send(r, "x", 1, 0), EBADF);
	EXPECT_EQ(0, mq_send(w, "x", 1, 0));
	EXPECT_FAILS(mq_receive(w, buf, sizeof(buf), NULL), EBADF);
	EXPECT_EQ(1, mq_receive(r, buf, sizeof(buf), NULL));
	EXPECT_FAILS(mq_send(-1, "x", 1, 0), EBADF);
	EXPECT_FAILS(mq_receive(-1, buf, sizeof(buf), NULL), EBADF);
	EXPECT_FAILS(mq_getattr(-1, &a), EBADF);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_FAILS(mq_send(fd, "x", 1, 0), EBADF);
	EXPECT_FAILS(mq_receive(fd, buf, sizeof(buf), NULL), EBADF);
	EXPECT_FAILS(mq_getattr(fd, &a), EBADF);
	EXPECT_FAILS(mq_notify(fd, NULL), EBADF);
	close(fd);
	mq_close(r);
	mq_close(w);
	mq_close(q);
}

TEST_F(posix, mq_nonblock_and_setattr)
{
	const char *n = kp_tname("nonblock");
	mqd_t q = kp_mq_make(_metadata, n, O_NONBLOCK, 2, 16);
	struct mq_attr a, old, set = { 0 };
	char buf[16];
	mqd_t b;

	ASSERT_LE(0, q);
	ASSERT_EQ(0, mq_getattr(q, &a));
	EXPECT_EQ(O_NONBLOCK, a.mq_flags);
	EXPECT_FAILS(mq_receive(q, buf, sizeof(buf), NULL), EAGAIN);
	EXPECT_EQ(0, mq_send(q, "1", 1, 0));
	EXPECT_EQ(0, mq_send(q, "2", 1, 0));
	EXPECT_FAILS(mq_send(q, "3", 1, 0), EAGAIN);

	/* O_NONBLOCK belongs to the open description: b blocks. */
	b = mq_open(n, O_RDWR);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, mq_getattr(b, &a));
	EXPECT_EQ(0, a.mq_flags);
	EXPECT_EQ(2, a.mq_curmsgs);

	/* mq_setattr: only O_NONBLOCK counts; the old attributes come back. */
	set.mq_flags = O_NONBLOCK;
	set.mq_maxmsg = 99;
	set.mq_msgsize = 99;
	ASSERT_EQ(0, mq_setattr(b, &set, &old));
	EXPECT_EQ(0, old.mq_flags);
	EXPECT_EQ(2, old.mq_maxmsg);
	EXPECT_EQ(16, old.mq_msgsize);
	EXPECT_EQ(2, old.mq_curmsgs);
	ASSERT_EQ(0, mq_getattr(b, &a));
	EXPECT_EQ(O_NONBLOCK, a.mq_flags);
	EXPECT_EQ(2, a.mq_maxmsg);
	EXPECT_FAILS(mq_send(b, "3", 1, 0), EAGAIN);
	set.mq_flags = 0;
	ASSERT_EQ(0, mq_setattr(q, &set, NULL));
	ASSERT_EQ(0, mq_getattr(q, &a));
	EXPECT_EQ(0, a.mq_flags);
	ASSERT_EQ(0, mq_getattr(b, &a));
	EXPECT_EQ(O_NONBLOCK, a.mq_flags);
	mq_close(b);
	mq_close(q);
}

TEST_F(posix, mq_timeouts)
{
	const char *n = kp_tname("timeout");
	mqd_t q = kp_mq_make(_metadata, n, 0, 1, 16);
	struct timespec ts;
	char buf[16];
	int64_t t0;

	ASSERT_LE(0, q);
	t0 = kp_now_ns(CLOCK_MONOTONIC);
	ts = kp_abs(CLOCK_REALTIME, 100);
	EXPECT_FAILS(mq_timedreceive(q, buf, sizeof(buf), NULL, &ts),
		     ETIMEDOUT);
	EXPECT_LE(95000000LL, kp_now_ns(CLOCK_MONOTONIC) - t0);
	ts = kp_abs(CLOCK_REALTIME, -1000);
	EXPECT_FAILS(mq_timedreceive(q, buf, sizeof(buf), NULL, &ts),
		     ETIMEDOUT);
	/* Invalid times: EINVAL, whether the call would block or not. */
	ts = kp_abs(CLOCK_REALTIME, 1000);
	ts.tv_nsec = 1000000000;
	EXPECT_FAILS(mq_timedreceive(q, buf, sizeof(buf), NULL, &ts), EINVAL);
	EXPECT_FAILS(mq_timedsend(q, "x", 1, 0, &ts), EINVAL);
	ts.tv_nsec = -1;
	EXPECT_FAILS(mq_timedsend(q, "x", 1, 0, &ts), EINVAL);
	/* A past deadline is no error when there is no need to wait. */
	ts = kp_abs(CLOCK_REALTIME, -1000);
	EXPECT_EQ(0, mq_timedsend(q, "x", 1, 0, &ts));
	t0 = kp_now_ns(CLOCK_MONOTONIC);
	ts = kp_abs(CLOCK_REALTIME, 100);
	EXPECT_FAILS(mq_timedsend(q, "y", 1, 0, &ts), ETIMEDOUT);
	EXPECT_LE(95000000LL, kp_now_ns(CLOCK_MONOTONIC) - t0);
	ts = kp_abs(CLOCK_REALTIME, -1000);
	EXPECT_FAILS(mq_timedsend(q, "y", 1, 0, &ts), ETIMEDOUT);
	ts.tv_nsec = 1000000000;
	EXPECT_FAILS(mq_timedreceive(q, buf, sizeof(buf), NULL, &ts), EINVAL);
	ts = kp_abs(CLOCK_REALTIME, -1000);
	EXPECT_EQ(1, mq_timedreceive(q, buf, sizeof(buf), NULL, &ts));
	mq_close(q);
	/* O_NONBLOCK: EAGAIN, not ETIMEDOUT. */
	q = mq_open(n, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, q);
	ts = kp_abs(CLOCK_REALTIME, -1000);
	EXPECT_FAILS(mq_timedreceive(q, buf, sizeof(buf), NULL, &ts), EAGAIN);
	ts = kp_abs(CLOCK_REALTIME, 1000);
	EXPECT_FAILS(mq_timedreceive(q, buf, sizeof(buf), NULL, &ts), EAGAIN);
	mq_close(q);
}

TEST_F(posix, mq_eintr)
{
	const char *n = kp_tname("eintr");
	mqd_t q = kp_mq_make(_metadata, n, 0, 1, 16);
	struct timespec ts;
	char buf[16];

	ASSERT_LE(0, q);
	kp_handle(SIGALRM, false);
	kp_alarm_ms(50);
	EXPECT_FAILS(mq_receive(q, buf, sizeof(buf), NULL), EINTR);
	EXPECT_EQ(1, kp_signals);
	kp_alarm_ms(50);
	ts = kp_abs(CLOCK_REALTIME, 5000);
	EXPECT_FAILS(mq_timedreceive(q, buf, sizeof(buf), NULL, &ts), EINTR);
	ASSERT_EQ(0, mq_send(q, "f", 1, 0));
	kp_alarm_ms(50);
	EXPECT_FAILS(mq_send(q, "g", 1, 0), EINTR);
	mq_close(q);
}

/* A child sends @msg to @n after @ms. */
static pid_t kp_send_later(const char *n, const char *msg, int ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		mqd_t q = mq_open(n, O_WRONLY);

		usleep(ms * 1000);
		_exit(q < 0 || mq_send(q, msg, strlen(msg), 0) ? 1 : 0);
	}
	return pid;
}

TEST_F(posix, mq_sa_restart)
{
	const char *n = kp_tname("restart");
	mqd_t q = kp_mq_make(_metadata, n, 0, 1, 16);
	char buf[16] = { 0 };
	pid_t pid;

	ASSERT_LE(0, q);
	kp_handle(SIGALRM, true);
	pid = kp_send_later(n, "late", 300);
	kp_alarm_ms(50);
	EXPECT_EQ(4, mq_receive(q, buf, sizeof(buf), NULL));
	EXPECT_STREQ("late", buf);
	EXPECT_EQ(1, kp_signals);
	EXPECT_EQ(0, kp_wait(pid));
	mq_close(q);
}

TEST_F(posix, mq_fork_and_blocking)
{
	const char *n = kp_tname("fork");
	mqd_t q = kp_mq_make(_metadata, n, 0, 2, 32);
	char buf[32];
	pid_t pid;
	int i;

	ASSERT_LE(0, q);
	pid = fork();
	if (pid == 0) {
		/* The inherited mqd_t; sends block on the full queue. */
		for (i = 0; i < 100; i++) {
			snprintf(buf, sizeof(buf), "%d", i);
			if (mq_send(q, buf, strlen(buf) + 1, 0))
				_exit(1);
		}
		_exit(0);
	}
	for (i = 0; i < 100; i++) {
		ASSERT_LT(0, mq_receive(q, buf, sizeof(buf), NULL));
		EXPECT_EQ(i, atoi(buf));
	}
	EXPECT_EQ(0, kp_wait(pid));
	mq_close(q);
}

TEST_F(posix, mq_exec)
{
	const char *n = kp_tname("exec");
	mqd_t q = kp_mq_make(_metadata, n, 0, 2, 32);
	char buf[32] = { 0 };
	pid_t pid;

	ASSERT_LE(0, q);
	pid = fork();
	if (pid == 0) {
		execl(kp_self, kp_self, "--mq-send", n, "from-exec", NULL);
		_exit(127);
	}
	EXPECT_EQ(9, mq_receive(q, buf, sizeof(buf), NULL));
	EXPECT_STREQ("from-exec", buf);
	EXPECT_EQ(0, kp_wait(pid));
	mq_close(q);
}

/* ---- mq_notify ------------------------------------------------------------ */

static int kp_child_notify(const char *n)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct sigevent ev = { .sigev_notify = SIGEV_NONE };
		mqd_t q = mq_open(n, O_RDONLY);

		if (q < 0)
			_exit(90);
		_exit(mq_notify(q, &ev) ? errno : 0);
	}
	return kp_wait(pid);
}

TEST_F(posix, mq_notify_signal)
{
	const char *n = kp_tname("notify");
	mqd_t q = kp_mq_make(_metadata, n, 0, 4, 16);
	struct sigevent ev = { 0 };
	struct timespec to = { .tv_sec = 5 };
	siginfo_t si;
	sigset_t set;
	char buf[16];

	ASSERT_LE(0, q);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	ev.sigev_value.sival_int = 4242;
	ASSERT_EQ(0, mq_notify(q, &ev));
	/* One registration per queue: this process or another. */
	EXPECT_FAILS(mq_notify(q, &ev), EBUSY);
	EXPECT_EQ(EBUSY, kp_child_notify(n));
	ASSERT_EQ(0, mq_send(q, "m", 1, 0));
	memset(&si, 0, sizeof(si));
	ASSERT_EQ(SIGUSR1, sigtimedwait(&set, &si, &to));
	EXPECT_EQ(SI_MESGQ, si.si_code);
	EXPECT_EQ(4242, si.si_value.sival_int);
	EXPECT_EQ(getpid(), si.si_pid);
	EXPECT_EQ(getuid(), si.si_uid);
	/* One-shot: gone now, so another process may register. */
	EXPECT_EQ(0, kp_child_notify(n));
	ASSERT_EQ(0, mq_notify(q, &ev));
	/* Not empty: a second message does not notify. */
	ASSERT_EQ(0, mq_send(q, "m", 1, 0));
	to.tv_sec = 0;
	to.tv_nsec = 200000000;
	EXPECT_EQ(-1, sigtimedwait(&set, &si, &to));
	EXPECT_EQ(1, mq_receive(q, buf, sizeof(buf), NULL));
	EXPECT_EQ(1, mq_receive(q, buf, sizeof(buf), NULL));
	ASSERT_EQ(0, mq_send(q, "m", 1, 0));
	to.tv_sec = 5;
	ASSERT_EQ(SIGUSR1, sigtimedwait(&set, &si, &to));
	EXPECT_EQ(1, mq_receive(q, buf, sizeof(buf), NULL));
	/* Cancelled: nothing comes; cancelling none is no error. */
	ASSERT_EQ(0, mq_notify(q, &ev));
	EXPECT_EQ(0, mq_notify(q, NULL));
	EXPECT_EQ(0, mq_notify(q, NULL));
	ASSERT_EQ(0, mq_send(q, "m", 1, 0));
	to.tv_sec = 0;
	EXPECT_FAILS(sigtimedwait(&set, &si, &to), EAGAIN);
	/* Closing the registering mqd_t ends the registration. */
	EXPECT_EQ(1, mq_receive(q, buf, sizeof(buf), NULL));
	ASSERT_EQ(0, mq_notify(q, &ev));
	mq_close(q);
	EXPECT_EQ(0, kp_child_notify(n));
}

TEST_F(posix, mq_notify_none_and_einval)
{
	const char *n = kp_tname("notifynone");
	mqd_t q = kp_mq_make(_metadata, n, 0, 4, 16), w;
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	char buf[16];

	ASSERT_LE(0, q);
	ASSERT_EQ(0, mq_notify(q, &ev));
	EXPECT_EQ(EBUSY, kp_child_notify(n));
	ASSERT_EQ(0, mq_send(q, "m", 1, 0));
	usleep(100000);
	/* It fired (silently), so the queue is free to register again. */
	EXPECT_EQ(0, kp_child_notify(n));
	EXPECT_EQ(1, mq_receive(q, buf, sizeof(buf), NULL));
	/* Any mqd_t registers, a write-only one too. */
	ev.sigev_notify = SIGEV_NONE;
	w = mq_open(n, O_WRONLY);
	ASSERT_LE(0, w);
	EXPECT_EQ(0, mq_notify(w, &ev));
	EXPECT_EQ(EBUSY, kp_child_notify(n));
	EXPECT_EQ(0, mq_notify(w, NULL));
	EXPECT_EQ(0, kp_child_notify(n));
	EXPECT_EQ(0, mq_notify(w, &ev));
	mq_close(w);
	EXPECT_EQ(0, kp_child_notify(n));
	ev.sigev_notify = 1234;
	EXPECT_FAILS(mq_notify(q, &ev), EINVAL);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = _NSIG + 1;
	EXPECT_FAILS(mq_notify(q, &ev), EINVAL);
	mq_close(q);
}

static pthread_mutex_t kp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t kp_cond = PTHREAD_COND_INITIALIZER;
static int kp_thread_value;
static pthread_t kp_thread_self;

static void kp_notified(union sigval v)
{
	pthread_mutex_lock(&kp_lock);
	kp_thread_value = v.sival_int;
	kp_thread_self = pthread_self();
	pthread_cond_broadcast(&kp_cond);
	pthread_mutex_unlock(&kp_lock);
}

TEST_F(posix, mq_notify_thread)
{
	const char *n = kp_tname("notifythread");
	mqd_t q = kp_mq_make(_metadata, n, 0, 4, 16);
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD };
	struct timespec dl;
	int err = 0;

	ASSERT_LE(0, q);
	ev.sigev_notify_function = kp_notified;
	ev.sigev_value.sival_int = 77;
	ASSERT_EQ(0, mq_notify(q, &ev));
	EXPECT_EQ(EBUSY, kp_child_notify(n));
	ASSERT_EQ(0, mq_send(q, "m", 1, 0));
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 5;
	pthread_mutex_lock(&kp_lock);
	while (!kp_thread_value && !err)
		err = pthread_cond_timedwait(&kp_cond, &kp_lock, &dl);
	pthread_mutex_unlock(&kp_lock);
	EXPECT_EQ(77, kp_thread_value);
	EXPECT_FALSE(pthread_equal(kp_thread_self, pthread_self()));
	EXPECT_EQ(0, kp_child_notify(n));
	mq_close(q);
}

/* ---- named semaphores ---------------------------------------------------------- */

TEST_F(posix, sem_named_basic)
{
	const char *n = kp_tname("sem");
	sem_t *s, *t;
	int v = -1;

	s = sem_open(n, O_CREAT | O_EXCL, 0600, 2);
	ASSERT_NE(SEM_FAILED, s);
	EXPECT_EQ(0, sem_getvalue(s, &v));
	EXPECT_EQ(2, v);
	EXPECT_EQ(0, sem_trywait(s));
	EXPECT_EQ(0, sem_wait(s));
	EXPECT_FAILS(sem_trywait(s), EAGAIN);
	EXPECT_EQ(0, sem_post(s));
	EXPECT_EQ(0, sem_getvalue(s, &v));
	EXPECT_EQ(1, v);
	/* The same name in one process: the same sem_t *, counted. */
	t = sem_open(n, 0);
	EXPECT_EQ(s, t);
	t = sem_open(n, O_CREAT, 0600, 5);	/* value ignored: exists */
	EXPECT_EQ(s, t);
	EXPECT_EQ(0, sem_getvalue(t, &v));
	EXPECT_EQ(1, v);
	EXPECT_EQ(0, sem_close(t));
	EXPECT_EQ(0, sem_close(t));
	EXPECT_EQ(0, sem_post(s));
	EXPECT_EQ(0, sem_close(s));
	EXPECT_EQ(0, sem_unlink(n));
	EXPECT_FAILS(sem_unlink(n), ENOENT);
}

TEST_F(posix, sem_open_errors)
{
	const char *n = kp_tname("semerr");
	char longname[NAME_MAX + 3];
	char plain[64];
	sem_t *s;

	s = sem_open(n, O_CREAT | O_EXCL, 0600, 0);
	ASSERT_NE(SEM_FAILED, s);
	EXPECT_FAILS_WITH(SEM_FAILED, sem_open(n, O_CREAT | O_EXCL, 0600, 0),
			  EEXIST);
	sem_close(s);
	sem_unlink(n);
	EXPECT_FAILS_WITH(SEM_FAILED, sem_open(n, 0), ENOENT);
	EXPECT_FAILS_WITH(SEM_FAILED,
			  sem_open(n, O_CREAT, 0600, SEM_VALUE_MAX + 1U),
			  EINVAL);
	EXPECT_FAILS_WITH(SEM_FAILED, sem_open("/", O_CREAT, 0600, 0), EINVAL);
	EXPECT_FAILS_WITH(SEM_FAILED, sem_open("/kpt/x", O_CREAT, 0600, 0),
			  EINVAL);
	memset(longname, 'b', sizeof(longname));
	longname[0] = '/';
	longname[NAME_MAX + 1] = 0;
	EXPECT_FAILS_WITH(SEM_FAILED, sem_open(longname, O_CREAT, 0600, 0),
			  ENAMETOOLONG);
	/* No leading slash, or several: glibc takes both. */
	snprintf(plain, sizeof(plain), "kpt.%d.plain", (int)getpid());
	s = sem_open(plain, O_CREAT | O_EXCL, 0600, 1);
	ASSERT_NE(SEM_FAILED, s);
	snprintf(plain, sizeof(plain), "///kpt.%d.plain", (int)getpid());
	EXPECT_FAILS_WITH(SEM_FAILED,
			  sem_open(plain, O_CREAT | O_EXCL, 0600, 1), EEXIST);
	sem_close(s);
	EXPECT_EQ(0, sem_unlink(plain));
	EXPECT_FAILS(sem_unlink("/"), ENOENT);
}

static int kp_nobody_sem(const void *arg)
{
	sem_t *s = sem_open(arg, 0);

	if (s != SEM_FAILED)
		return 99;
	if (errno != EACCES)
		return 100 + errno;
	if (sem_unlink(arg) == 0)
		return 98;
	return errno == EACCES ? 0 : 150 + errno;
}

TEST_F(posix, sem_mode_umask_eacces)
{
	const char *n = kp_tname("semmode");
	sem_t *s;

	umask(022);
	s = sem_open(n, O_CREAT | O_EXCL, 0666, 0);
	ASSERT_NE(SEM_FAILED, s);
	/* 0644: a semaphore is opened for reading and writing. */
	EXPECT_EQ(0, kp_as_nobody(kp_nobody_sem, n));
	sem_close(s);
}

TEST_F(posix, sem_overflow_and_init)
{
	sem_t s;
	int v;

	EXPECT_FAILS(sem_init(&s, 0, SEM_VALUE_MAX + 1U), EINVAL);
	ASSERT_EQ(0, sem_init(&s, 0, SEM_VALUE_MAX));
	EXPECT_FAILS(sem_post(&s), EOVERFLOW);
	EXPECT_EQ(0, sem_getvalue(&s, &v));
	EXPECT_EQ(SEM_VALUE_MAX, v);
	EXPECT_EQ(0, sem_wait(&s));
	EXPECT_EQ(0, sem_post(&s));
	EXPECT_EQ(0, sem_destroy(&s));
	ASSERT_EQ(0, sem_init(&s, 1, 0));
	EXPECT_FAILS(sem_trywait(&s), EAGAIN);
	EXPECT_EQ(0, sem_destroy(&s));
}

TEST_F(posix, sem_timedwait)
{
	struct timespec ts;
	int64_t t0;
	sem_t s;

	ASSERT_EQ(0, sem_init(&s, 0, 1));
	ts = kp_abs(CLOCK_REALTIME, 1000);
	ts.tv_nsec = 1000000000;
	/* glibc looks at the time first, even with a unit to take. */
	EXPECT_FAILS(sem_timedwait(&s, &ts), EINVAL);
	ts.tv_nsec = -1;
	EXPECT_FAILS(sem_timedwait(&s, &ts), EINVAL);
	ts = kp_abs(CLOCK_REALTIME, -1000);
	EXPECT_EQ(0, sem_timedwait(&s, &ts));
	EXPECT_FAILS(sem_timedwait(&s, &ts), ETIMEDOUT);
	t0 = kp_now_ns(CLOCK_MONOTONIC);
	ts = kp_abs(CLOCK_REALTIME, 100);
	EXPECT_FAILS(sem_timedwait(&s, &ts), ETIMEDOUT);
	EXPECT_LE(95000000LL, kp_now_ns(CLOCK_MONOTONIC) - t0);
	/* sem_clockwait: the clock it is given. */
	t0 = kp_now_ns(CLOCK_MONOTONIC);
	ts = kp_abs(CLOCK_MONOTONIC, 100);
	EXPECT_FAILS(sem_clockwait(&s, CLOCK_MONOTONIC, &ts), ETIMEDOUT);
	EXPECT_LE(95000000LL, kp_now_ns(CLOCK_MONOTONIC) - t0);
	EXPECT_GT(2000000000LL, kp_now_ns(CLOCK_MONOTONIC) - t0);
	ts = kp_abs(CLOCK_REALTIME, 100);
	EXPECT_FAILS(sem_clockwait(&s, CLOCK_REALTIME, &ts), ETIMEDOUT);
	EXPECT_FAILS(sem_clockwait(&s, CLOCK_PROCESS_CPUTIME_ID, &ts), EINVAL);
	EXPECT_EQ(0, sem_post(&s));
	ts = kp_abs(CLOCK_MONOTONIC, 100);
	EXPECT_EQ(0, sem_clockwait(&s, CLOCK_MONOTONIC, &ts));
	EXPECT_EQ(0, sem_destroy(&s));
}

TEST_F(posix, sem_eintr)
{
	struct timespec ts;
	sem_t s;

	ASSERT_EQ(0, sem_init(&s, 0, 0));
	kp_handle(SIGALRM, false);
	kp_alarm_ms(50);
	EXPECT_FAILS(sem_wait(&s), EINTR);
	kp_alarm_ms(50);
	ts = kp_abs(CLOCK_REALTIME, 5000);
	EXPECT_FAILS(sem_timedwait(&s, &ts), EINTR);
	EXPECT_EQ(2, kp_signals);
	EXPECT_EQ(0, sem_destroy(&s));
}

static void *kp_post_later(void *arg)
{
	usleep(300000);
	sem_post(arg);
	return NULL;
}

TEST_F(posix, sem_sa_restart)
{
	pthread_t t;
	sigset_t set;
	sem_t s;

	ASSERT_EQ(0, sem_init(&s, 0, 0));
	kp_handle(SIGALRM, true);
	/* The poster must not take the signal. */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	ASSERT_EQ(0, pthread_create(&t, NULL, kp_post_later, &s));
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	kp_alarm_ms(50);
	EXPECT_EQ(0, sem_wait(&s));
	EXPECT_EQ(1, kp_signals);
	pthread_join(t, NULL);
	EXPECT_EQ(0, sem_destroy(&s));
}

struct kp_pingpong {
	sem_t ping, pong;
	int count;
};

TEST_F(posix, sem_pshared_fork)
{
	struct kp_pingpong *pp;
	pid_t pid;
	int i;

	pp = mmap(NULL, sizeof(*pp), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, pp);
	ASSERT_EQ(0, sem_init(&pp->ping, 1, 0));
	ASSERT_EQ(0, sem_init(&pp->pong, 1, 0));
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < 1000; i++) {
			if (sem_wait(&pp->ping))
				_exit(1);
			pp->count++;
			if (sem_post(&pp->pong))
				_exit(2);
		}
		_exit(0);
	}
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, sem_post(&pp->ping));
		ASSERT_EQ(0, sem_wait(&pp->pong));
	}
	EXPECT_EQ(0, kp_wait(pid));
	EXPECT_EQ(1000, pp->count);
	EXPECT_EQ(0, sem_destroy(&pp->ping));
	EXPECT_EQ(0, sem_destroy(&pp->pong));
	munmap(pp, sizeof(*pp));
}

static void *kp_sem_worker(void *arg)
{
	sem_t *s = arg;
	int i;

	for (i = 0; i < 10000; i++) {
		if (sem_wait(&s[0]))
			return (void *)1;
		if (sem_post(&s[0]))
			return (void *)2;
	}
	return NULL;
}

TEST_F(posix, sem_private_threads)
{
	pthread_t t[4];
	void *ret;
	sem_t s;
	int i, v;

	ASSERT_EQ(0, sem_init(&s, 0, 1));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, kp_sem_worker, &s));
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], &ret);
		EXPECT_EQ(NULL, ret);
	}
	EXPECT_EQ(0, sem_getvalue(&s, &v));
	EXPECT_EQ(1, v);
	EXPECT_EQ(0, sem_destroy(&s));
}

/*
 * Unrelated processes: a pshared sem_t in shm_open() memory, used by a
 * program exec'd anew (no inherited mapping or fd).
 */
TEST_F(posix, sem_pshared_unrelated)
{
	const char *n = kp_tname("shmsem");
	struct kp_pingpong *pp;
	pid_t pid;
	int fd;

	fd = shm_open(n, O_RDWR | O_CREAT | O_EXCL, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, sizeof(*pp)));
	pp = mmap(NULL, sizeof(*pp), PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		  0);
	ASSERT_NE(MAP_FAILED, pp);
	close(fd);
	ASSERT_EQ(0, sem_init(&pp->ping, 1, 0));
	ASSERT_EQ(0, sem_init(&pp->pong, 1, 0));
	pid = fork();
	if (pid == 0) {
		execl(kp_self, kp_self, "--sem-pong", n, NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		ASSERT_EQ(0, sem_post(&pp->ping));
		ASSERT_EQ(0, sem_wait(&pp->pong));
	}
	EXPECT_EQ(0, kp_wait(pid));
	EXPECT_EQ(100, pp->count);
	EXPECT_EQ(0, sem_destroy(&pp->ping));
	EXPECT_EQ(0, sem_destroy(&pp->pong));
	munmap(pp, sizeof(*pp));
}

/* ---- shared memory ------------------------------------------------------------- */

TEST_F(posix, shm_basic)
{
	const char *n = kp_tname("shm");
	struct stat st;
	char *p, *q;
	int fd, fd2;

	fd = shm_open(n, O_RDWR | O_CREAT | O_EXCL, 0640);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, ftruncate(fd, 8192));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(8192, st.st_size);
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(0640U, st.st_mode & 07777);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p + 4096, "shared");
	fd2 = shm_open(n, O_RDONLY, 0);
	ASSERT_LE(0, fd2);
	q = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd2, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_STREQ("shared", q + 4096);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 8192, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd2, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(0, shm_unlink(n));
	EXPECT_FAILS(shm_open(n, O_RDWR, 0), ENOENT);
	/* The memory lives on while mapped. */
	strcpy(p, "still");
	EXPECT_STREQ("still", q);
	munmap(p, 8192);
	munmap(q, 8192);
	close(fd);
	close(fd2);
}

TEST_F(posix, shm_errors)
{
	const char *n = kp_tname("shmerr");
	int fd;

	fd = shm_open(n, O_RDWR | O_CREAT | O_EXCL, 0600);
	ASSERT_LE(0, fd);
	EXPECT_FAILS(shm_open(n, O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
	close(fd);
	fd = shm_open(n, O_RDWR | O_CREAT, 0600);
	EXPECT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, shm_unlink(n));
	EXPECT_FAILS(shm_unlink(n), ENOENT);
	EXPECT_FAILS(shm_open(n, O_RDWR, 0), ENOENT);
	EXPECT_FAILS(shm_open("/", O_RDWR | O_CREAT, 0600), EINVAL);
	EXPECT_FAILS(shm_open("/kpt/x", O_RDWR | O_CREAT, 0600), EINVAL);
	EXPECT_FAILS(shm_unlink("/kpt/x"), ENOENT);
}

/* ---- helpers run by exec ------------------------------------------------------- */

static int kp_helper(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--mq-send")) {
		mqd_t q = mq_open(argv[2], O_WRONLY);

		return q < 0 || mq_send(q, argv[3], strlen(argv[3]), 0);
	}
	if (argc == 3 && !strcmp(argv[1], "--sem-pong")) {
		struct kp_pingpong *pp;
		int fd = shm_open(argv[2], O_RDWR, 0);

		if (fd < 0)
			return 2;
		pp = mmap(NULL, sizeof(*pp), PROT_READ | PROT_WRITE,
			  MAP_SHARED, fd, 0);
		if (pp == MAP_FAILED)
			return 3;
		for (int i = 0; i < 100; i++) {
			if (sem_wait(&pp->ping))
				return 4;
			pp->count++;
			if (sem_post(&pp->pong))
				return 5;
		}
		return 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	int ret = kp_helper(argc, argv);

	if (ret >= 0)
		return ret;
	kp_self = argv[0];
	return test_harness_run(argc, argv);
}
