// SPDX-License-Identifier: GPL-2.0
/*
 * kipc selftests of how an fd comes to be: an open or connect whose file
 * cannot be made (ENFILE: the system's file limit, which binds a process
 * without CAP_SYS_ADMIN) fails and leaves no trace.  A channel's end must
 * not count as connected, nor be seen to close; a pipe's reader must not
 * count as having been open (which would turn the writer's next write
 * into EPIPE).
 */
/* kselftest_harness.h (6.1) has unused parameters; we build with -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_test_util.h"

KT_FIXTURE()

#define FILE_MAX	"/proc/sys/fs/file-max"
#define NOBODY		65534
#define FILL_FILES	256

static int write_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(val, f) < 0)
		err = -EIO;
	if (fclose(f))
		err = -errno;
	return err;
}

/*
 * Run @fn(@name) in a child that is not root, with the system's file limit
 * at 1 meanwhile, so that no new file can be made for it.  Return: what
 * @fn returned (a -errno), or -EPROTO if the child did not report.
 */
static int without_files(int (*fn)(const char *name), const char *name)
{
	char saved[64] = "";
	int ret, fds[2], report = -EPROTO;
	FILE *f = fopen(FILE_MAX, "r");
	pid_t pid;

	if (!f)
		return -errno;
	if (!fgets(saved, sizeof(saved), f))
		saved[0] = '\0';
	fclose(f);
	if (!saved[0] || pipe(fds))
		return -EIO;
	ret = write_file(FILE_MAX, "1");
	if (ret)
		return ret;
	pid = kt_fork();
	if (pid == 0) {
		int i;

		/*
		 * The kernel compares the limit with a per-CPU counter's
		 * global part, which stays behind by up to a batch per CPU:
		 * files opened here carry it past the limit.
		 */
		for (i = 0; i < FILL_FILES; i++)
			if (open("/dev/null", O_RDONLY) < 0)
				_exit(1);
		ret = kt_become(NOBODY, NOBODY);
		if (!ret)
			ret = fn(name);
		if (write(fds[1], &ret, sizeof(ret)) != sizeof(ret))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (pid > 0 && kt_reap(pid, KT_CHILD_TIMEOUT_MS) == 0 &&
	    read(fds[0], &ret, sizeof(ret)) == sizeof(ret))
		report = ret;
	close(fds[0]);
	/* Before anything can fail: the whole system depends on it. */
	if (write_file(FILE_MAX, saved))
		return -EIO;
	return report;
}

static int connect_end(const char *name)
{
	int fd = kipc_channel_connect(name, 0);

	return fd < 0 ? fd : 0;
}

static int open_reader(const char *name)
{
	int fd = kipc_pipe_open(name, KIPC_FD_RDONLY);

	return fd < 0 ? fd : 0;
}

TEST_F(kipc, channel_connect_without_file_leaves_end_free)
{
	const char *name = kt_name("inst.chan");
	struct kipc_channel_info in;
	char buf[8];
	size_t len;
	int fd0, fd1;

	fd0 = kipc_channel_create(name, 0666, NULL, 0);
	ASSERT_LE(0, fd0);
	ASSERT_EQ(-ENFILE, without_files(connect_end, name));

	/* End 1 is neither connected nor closed. */
	memset(&in, 0, sizeof(in));
	ASSERT_EQ(0, kipc_channel_info(fd0, &in));
	EXPECT_EQ(0U, in.state & KIPC_CHAN_PEER_CLOSED);
	EXPECT_EQ(0, kipc_channel_send(fd0, "ping", 4, 0));
	fd1 = kipc_channel_connect(name, 0);
	ASSERT_LE(0, fd1);
	ASSERT_EQ(1, kipc_channel_recv(fd1, buf, sizeof(buf), &len, 0));
	EXPECT_EQ(4U, len);
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	EXPECT_EQ(-EISCONN, kipc_channel_connect(name, 0));
	close(fd1);
	close(fd0);
}

TEST_F(kipc, pipe_open_without_file_is_no_reader)
{
	const char *name = kt_name("inst.pipe");
	int fdw, fdr;
	char c;

	ASSERT_EQ(0, kt_on_signal(SIGPIPE, SIG_IGN, 0));
	fdw = kipc_pipe_create(name, 0666, 0, KIPC_FD_WRONLY);
	ASSERT_LE(0, fdw);
	ASSERT_EQ(-ENFILE, without_files(open_reader, name));

	/* No reader was ever open: the write is kept, not refused. */
	EXPECT_EQ(1, write(fdw, "a", 1)) TH_LOG("write: %s", strerror(errno));
	fdr = kipc_pipe_open(name, KIPC_FD_RDONLY);
	ASSERT_LE(0, fdr);
	EXPECT_EQ(1, read(fdr, &c, 1));
	EXPECT_EQ('a', c);
	close(fdr);
	close(fdw);
}

TEST_HARNESS_MAIN
