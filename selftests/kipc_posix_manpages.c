// SPDX-License-Identifier: GPL-2.0
/*
 * Programs the project did not write: the example programs of the Linux
 * man pages mq_getattr(3), mq_notify(3), sem_wait(3) and shm_open(3),
 * built once against glibc (posix/posix.mk), run plainly by
 * kipc_posix_manpages_glibc_test and under LD_PRELOAD of libkipc-posix
 * by the _shim_ and _preload_ tests, with the same expected output.  The
 * test's own POSIX calls go through the same implementation, so an
 * example that did not use it would not find the test's objects.
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"
#include "kipc_posix_util.h"

static char kp_dir[PATH_MAX];	/* build/user/selftests */

FIXTURE(man) {
	int unused;
};

FIXTURE_SETUP(man)
{
	KT_SKIP_UNSELECTED();
}

FIXTURE_TEARDOWN(man)
{
	kp_cleanup();
}

/*
 * Start example @prog with @args (NULL-terminated), its stdout to a pipe
 * whose read end is returned in *@out; under LD_PRELOAD of the build's
 * library when the shim is tested.
 */
static pid_t kp_start(const char *prog, const char *const *args, int *out)
{
	char path[PATH_MAX + 64], lib[PATH_MAX + 64];
	const char *argv[8];
	int p[2], i;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/../posix/man/%s", kp_dir, prog);
	snprintf(lib, sizeof(lib), "%s/../libkipc-posix.so.0", kp_dir);
	argv[0] = path;
	for (i = 0; args[i] && i < 6; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		if (kp_expect_shim())
			setenv("LD_PRELOAD", lib, 1);
		else
			unsetenv("LD_PRELOAD");
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	*out = p[0];
	return pid;
}

/* Everything left on @fd, into @buf (NUL-terminated). */
static void kp_read_all(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += r;
	buf[n] = 0;
	close(fd);
}

static int kp_run(const char *prog, const char *const *args, char *buf,
		  size_t size)
{
	int fd;
	pid_t pid = kp_start(prog, args, &fd);

	if (pid < 0)
		return -1;
	kp_read_all(fd, buf, size);
	return kp_wait(pid);
}

TEST_F(man, mq_getattr)
{
	const char *n = kp_tname("manattr");
	const char *args[] = { n, NULL };
	char out[512], want[512];
	long msg = -1, size = -1;
	FILE *f;

	f = fopen("/proc/sys/fs/mqueue/msg_default", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%ld", &msg));
	fclose(f);
	f = fopen("/proc/sys/fs/mqueue/msgsize_default", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%ld", &size));
	fclose(f);
	ASSERT_EQ(0, kp_run("mq_getattr", args, out, sizeof(out)));
	snprintf(want, sizeof(want),
		 "Maximum # of messages on queue:   %ld\n"
		 "Maximum message size:             %ld\n", msg, size);
	EXPECT_STREQ(want, out);
	/* It unlinked its queue. */
	EXPECT_FAILS(mq_open(n, O_RDONLY), ENOENT);
}

/*
 * The process registered for notification on queue @q named @n: Linux
 * shows it in the mqueue file system, kipc in the queue fd's fdinfo.
 */
static pid_t kp_notify_pid(mqd_t q, const char *n)
{
	char path[300], buf[4096], *p;
	const char *key;
	ssize_t len;
	int fd;

	if (kp_expect_shim()) {
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", q);
		key = "queue-notify-pid:";
	} else {
		snprintf(path, sizeof(path), "/dev/mqueue%s", n);
		key = "NOTIFY_PID:";
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = 0;
	p = strstr(buf, key);
	return p ? (pid_t)atoi(p + strlen(key)) : -1;
}

TEST_F(man, mq_notify_thread)
{
	const char *n = kp_tname("mannotify");
	const char *args[] = { n, NULL };
	struct mq_attr a;
	char out[512];
	pid_t pid;
	mqd_t q;
	int fd;

	q = mq_open(n, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	ASSERT_LE(0, q);
	pid = kp_start("mq_notify", args, &fd);
	ASSERT_LT(0, pid);
	/* Until it has registered (a probe by registering would race). */
	for (int i = 0; i < 500 && !kp_notify_pid(q, n); i++)
		usleep(10000);
	EXPECT_EQ(pid, kp_notify_pid(q, n));
	ASSERT_EQ(0, mq_send(q, "sixteen bytes!!!", 16, 0));
	kp_read_all(fd, out, sizeof(out));
	EXPECT_EQ(0, kp_wait(pid));
	EXPECT_STREQ("Read 16 bytes from MQ\n", out);
	ASSERT_EQ(0, mq_getattr(q, &a));
	EXPECT_EQ(0, a.mq_curmsgs);
	mq_close(q);
}

TEST_F(man, sem_wait_handler_posts)
{
	const char *ok[] = { "1", "3", NULL }, *late[] = { "3", "1", NULL };
	char out[512];

	/* Its handler write()s at once, its printf()s wait for exit. */
	ASSERT_EQ(0, kp_run("sem_wait", ok, out, sizeof(out)));
	EXPECT_STREQ("sem_post() from handler\n"
		     "main() about to call sem_timedwait()\n"
		     "sem_timedwait() succeeded\n", out);
	ASSERT_EQ(EXIT_FAILURE, kp_run("sem_wait", late, out, sizeof(out)));
	EXPECT_STREQ("main() about to call sem_timedwait()\n"
		     "sem_timedwait() timed out\n", out);
}

TEST_F(man, shm_ucase_unrelated)
{
	const char *n = kp_tname("manshm");
	const char *bargs[] = { n, NULL };
	const char *sargs[] = { n, "hello, kipc", NULL };
	char out[512], bout[64];
	int bfd, fd = -1;
	sem_t *sems;
	pid_t bounce;

	bounce = kp_start("pshm_ucase_bounce", bargs, &bfd);
	ASSERT_LT(0, bounce);
	/* The bounce program made the object: the same implementation. */
	for (int i = 0; i < 500 && fd < 0; i++) {
		fd = shm_open(n, O_RDONLY, 0);
		if (fd < 0)
			usleep(10000);
	}
	ASSERT_LE(0, fd);
	close(fd);
	usleep(100000);	/* past its ftruncate and sem_init */
	/*
	 * The program never destroys its semaphores; the test does, so
	 * that the shim's names for them do not outlive it (posix/README.md).
	 */
	fd = shm_open(n, O_RDWR, 0);
	ASSERT_LE(0, fd);
	sems = mmap(NULL, 2 * sizeof(sem_t), PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, sems);
	close(fd);
	ASSERT_EQ(0, kp_run("pshm_ucase_send", sargs, out, sizeof(out)));
	EXPECT_STREQ("HELLO, KIPC\n", out);
	kp_read_all(bfd, bout, sizeof(bout));
	EXPECT_EQ(0, kp_wait(bounce));
	EXPECT_EQ(0, sem_destroy(&sems[0]));
	EXPECT_EQ(0, sem_destroy(&sems[1]));
	munmap(sems, 2 * sizeof(sem_t));
}

int main(int argc, char **argv)
{
	char *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", kp_dir, sizeof(kp_dir) - 1);
	if (n < 0)
		return 1;
	kp_dir[n] = 0;
	slash = strrchr(kp_dir, '/');
	if (slash)
		*slash = 0;
	return test_harness_run(argc, argv);
}
