// SPDX-License-Identifier: GPL-2.0
/*
 * kipc and namespaces: names per IPC namespace (the same name in two
 * namespaces, nothing visible across, fds passed across keep working,
 * names gone when the namespace dies, no reuse by the next namespace),
 * STATS scoped, permissions and quotas in user namespaces, the limits per
 * namespace, and a robust mutex across pid namespaces.
 *
 * Runs as root.  Children unshare(2) and report through their exit
 * status; the parent waits for the module to drop a dead namespace's
 * names (ns_reap_ms, set low here) before the fixture counts objects.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "kselftest_harness.h"
#include "kipc_test_util.h"

/* How long the module may take to notice that a namespace died. */
#define NS_SETTLE_MS	5000

/* Wait until the module-wide counts are back to those of kt_setup(). */
static int ns_settle(void)
{
	int64_t end = kt_now_ns() + NS_SETTLE_MS * KT_NSEC_PER_MSEC;
	struct kipc_stats s;

	for (;;) {
		if (kt_stats(&s))
			return -1;
		if (s.objects == kt.base.objects && s.named == kt.base.named)
			return 0;
		if (kt_now_ns() > end)
			return -1;
		kt_sleep_ms(5);
	}
}

KT_FIXTURE_NAMED(ns, ns_settle())

#define NS_SETUP(_metadata) \
	ASSERT_EQ(0, kt_param_set("ns_reap_ms", 10))

static unsigned long long ns_inum(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (unsigned long long)st.st_ino;
}

static uint64_t obj_id(int fd)
{
	struct kipc_object_info in;

	memset(&in, 0, sizeof(in));
	return kipc_object_info(fd, &in) ? 0 : in.id;
}

static bool obj_linked(int fd)
{
	struct kipc_object_info in;

	memset(&in, 0, sizeof(in));
	return !kipc_object_info(fd, &in) && (in.state & KIPC_INFO_LINKED);
}

/* fork() without kt_fork()'s table, for loops: killed with the test. */
static pid_t ns_fork(void)
{
	pid_t parent = getpid(), pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(99);
	}
	return pid;
}

static int ns_wait(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 256 + WTERMSIG(st);
}

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -EIO;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* Write @s to /proc/@pid/@file (a uid or gid map): 0 or -errno. */
static int write_proc(pid_t pid, const char *file, const char *s)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

/*
 * A child in a new user namespace (and IPC namespace with @ipc) whose
 * uids and gids 0..@n-1 are the host's @base..: it waits on @go until the
 * parent wrote its maps, then runs @fn and exits with its result.
 */
static pid_t fork_userns(bool ipc, unsigned int base, unsigned int n,
			 int (*fn)(void *), void *arg)
{
	char map[64], c = 0;
	int go[2], ready[2];
	pid_t pid;

	if (pipe(go) || pipe(ready))
		return -1;
	pid = kt_fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(go[1]);
		close(ready[0]);
		if (unshare(CLONE_NEWUSER | (ipc ? CLONE_NEWIPC : 0)))
			_exit(100);
		if (write(ready[1], &c, 1) != 1)
			_exit(101);
		if (read(go[0], &c, 1) != 1 || c != 'g')
			_exit(102);
		if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
			_exit(103);
		_exit(fn(arg));
	}
	close(go[0]);
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		c = 0;
	snprintf(map, sizeof(map), "0 %u %u\n", base, n);
	if (write_proc(pid, "uid_map", map) || write_proc(pid, "gid_map", map))
		c = 0;
	else
		c = 'g';
	if (write(go[1], &c, 1) != 1)
		c = 0;
	close(go[1]);
	close(ready[0]);
	return pid;
}

/* ---- names per namespace ---------------------------------------------- */

struct names {
	const char *name;
	uint64_t host_id;
};

/* In a new IPC namespace: the host's name is not there; ours is ours. */
static int same_name_child(const struct names *n)
{
	int fd, fd2;

	if (unshare(CLONE_NEWIPC))
		return 10;
	if (kipc_event_open(n->name, 0) != -ENOENT)
		return 11;
	fd = kipc_event_create(n->name, 0600, 0, 0);
	if (fd < 0)
		return 12;
	if (obj_id(fd) == n->host_id || !obj_linked(fd))
		return 13;
	fd2 = kipc_event_open(n->name, 0);
	if (fd2 < 0 || obj_id(fd2) != obj_id(fd))
		return 14;
	if (kipc_event_create(n->name, 0600, 0, 0) != -EEXIST)
		return 15;
	if (kipc_unlink(KIPC_TYPE_EVENT, n->name))
		return 16;
	if (kipc_unlink(KIPC_TYPE_EVENT, n->name) != -ENOENT)
		return 17;
	return 0;
}

TEST_F(ns, same_name_two_namespaces)
{
	struct names n = { .name = kt_name("same") };
	pid_t pid;
	int fd, fd2;

	NS_SETUP(_metadata);
	fd = kipc_event_create(n.name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	n.host_id = obj_id(fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(same_name_child(&n));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	/* The child's unlink did not touch the host's name. */
	EXPECT_TRUE(obj_linked(fd));
	fd2 = kipc_event_open(n.name, 0);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(n.host_id, obj_id(fd2));
}

/* The host cannot open or unlink a name made in another namespace. */
TEST_F(ns, host_cannot_see_container_name)
{
	const char *name = kt_name("hidden");
	int ready[2], done[2];
	char c = 0;
	pid_t pid;

	NS_SETUP(_metadata);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (unshare(CLONE_NEWIPC))
			_exit(10);
		if (kipc_event_create(name, 0666, 0, 0) < 0)
			_exit(11);
		if (write(ready[1], "r", 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(12);
		/* Still there after the host's tries. */
		_exit(kipc_event_open(name, 0) < 0 ? 13 : 0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(-ENOENT, kipc_event_open(name, 0));
	EXPECT_EQ(-ENOENT, kipc_unlink(KIPC_TYPE_EVENT, name));
	ASSERT_EQ(1, write(done[1], "d", 1));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* A container cannot open or unlink the host's name, whatever its mode. */
TEST_F(ns, container_cannot_see_host_name)
{
	const char *name = kt_name("host");
	pid_t pid;
	int fd;

	NS_SETUP(_metadata);
	fd = kipc_event_create(name, 0666, 0, 0);
	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (unshare(CLONE_NEWIPC))
			_exit(10);
		if (kipc_event_open(name, 0) != -ENOENT)
			_exit(11);
		if (kipc_unlink(KIPC_TYPE_EVENT, name) != -ENOENT)
			_exit(12);
		_exit(0);
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_TRUE(obj_linked(fd));
}

/* setns() switches the view: back in the host's namespace, its names. */
TEST_F(ns, setns_switches_view)
{
	const char *name = kt_name("setns");
	pid_t pid;
	int fd;

	NS_SETUP(_metadata);
	fd = kipc_event_create(name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int host = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);

		if (host < 0 || unshare(CLONE_NEWIPC))
			_exit(10);
		if (kipc_event_open(name, 0) != -ENOENT)
			_exit(11);
		if (kipc_event_create(name, 0600, 0, 0) < 0)
			_exit(12);
		if (setns(host, CLONE_NEWIPC))
			_exit(13);
		if (kipc_event_create(name, 0600, 0, 0) != -EEXIST)
			_exit(14);
		_exit(kipc_event_open(name, 0) < 0 ? 15 : 0);
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* ---- fds across namespaces -------------------------------------------- */

/*
 * A container's object passed to the host keeps working after the
 * container's namespace died; it is then unlinked.  fdinfo names the
 * namespace.
 */
TEST_F(ns, passed_fd_outlives_namespace)
{
	const char *name = kt_name("passed");
	unsigned long long inum = 0;
	int sv[2], fd, i;
	uint64_t v = 0;
	char buf[2048];
	pid_t pid;

	NS_SETUP(_metadata);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int efd;

		if (unshare(CLONE_NEWIPC))
			_exit(10);
		efd = kipc_event_create(name, 0600, 0, 0);
		if (efd < 0)
			_exit(11);
		inum = ns_inum("/proc/self/ns/ipc");
		if (write(sv[1], &inum, sizeof(inum)) != sizeof(inum))
			_exit(12);
		_exit(send_fd(sv[1], efd) ? 13 : 0);
	}
	ASSERT_EQ((ssize_t)sizeof(inum), read(sv[0], &inum, sizeof(inum)));
	fd = recv_fd(sv[0]);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, kt_read_fdinfo(fd, buf, sizeof(buf)));
	KT_EXPECT_LINE(buf, "kipc-ipcns:\t%llu", inum);
	EXPECT_NE(inum, ns_inum("/proc/self/ns/ipc"));
	/* The host does not see the name, even while it lives. */
	EXPECT_EQ(-ENOENT, kipc_event_open(name, 0));
	/* The namespace died: its name goes, the object stays. */
	for (i = 0; i < NS_SETTLE_MS && obj_linked(fd); i += 5)
		kt_sleep_ms(5);
	EXPECT_FALSE(obj_linked(fd));
	EXPECT_EQ(0, kipc_event_signal(fd, 7));
	EXPECT_EQ(0, kipc_event_wait(fd, 0, &v));
	EXPECT_EQ(7ULL, (unsigned long long)v);
	close(fd);
}

/* The host's fd passed into a container works there. */
TEST_F(ns, host_fd_works_in_container)
{
	int sv[2], fd, fdinfo_ok;
	uint64_t v = 0;
	pid_t pid;

	NS_SETUP(_metadata);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	fd = kipc_event_create(kt_name("give"), 0600, 0, 0);
	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int efd;

		if (unshare(CLONE_NEWIPC))
			_exit(10);
		efd = recv_fd(sv[1]);
		if (efd < 0)
			_exit(11);
		if (kipc_event_signal(efd, 42))
			_exit(12);
		/* OBJ_INFO and REOPEN go by fd, not by name. */
		if (!obj_linked(efd) || kipc_reopen(efd, 0) < 0)
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(0, send_fd(sv[0], fd));
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kipc_event_wait(fd, 0, &v));
	EXPECT_EQ(42ULL, (unsigned long long)v);
	fdinfo_ok = kt_fdinfo_val(fd, "kipc-ipcns") ==
		    (long long)ns_inum("/proc/self/ns/ipc");
	EXPECT_TRUE(fdinfo_ok);
}

/* ---- namespace death ---------------------------------------------------- */

/* Names, anonymous objects and accounts go when the namespace dies. */
TEST_F(ns, names_gone_when_namespace_dies)
{
	char name[64];
	pid_t pid;

	NS_SETUP(_metadata);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int i;

		if (unshare(CLONE_NEWIPC))
			_exit(10);
		for (i = 0; i < 8; i++) {
			snprintf(name, sizeof(name), "kst.ns.die.%d", i);
			if (kipc_event_create(name, 0600, 0, 0) < 0)
				_exit(11);
		}
		if (kipc_event_create(NULL, 0600, 0, 0) < 0 ||
		    kipc_queue_create("kst.ns.q", 0600, 4, 64, 0) < 0)
			_exit(12);
		_exit(0);
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, ns_settle());
	/* The names were the container's: never in the host's namespace. */
	EXPECT_EQ(-ENOENT, kipc_event_open("kst.ns.die.0", 0));
}

/*
 * A shorter ns_reap_ms takes effect at once: a check armed for a minute
 * is moved, not waited for.
 */
TEST_F(ns, reap_ms_change_takes_effect)
{
	struct kipc_stats s;
	pid_t pid;

	ASSERT_EQ(0, kt_param_set("ns_reap_ms", 60000));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (unshare(CLONE_NEWIPC))
			_exit(10);
		_exit(kipc_event_create("kst.ns.period", 0600, 0, 0) < 0 ? 11 : 0);
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	kt_sleep_ms(100);
	ASSERT_EQ(0, kt_stats(&s));
	EXPECT_EQ(kt.base.named + 1, s.named);	/* dead, not yet looked at */
	ASSERT_EQ(0, kt_param_write("ns_reap_ms", "10"));
	EXPECT_EQ(0, ns_settle());
}

/* A namespace kept by a bind mount or an open nsfs file keeps its names. */
TEST_F(ns, nsfs_file_keeps_names)
{
	const char *name = "kst.ns.kept";
	int sv[2], nsfd;
	struct kipc_stats s;
	pid_t pid;

	NS_SETUP(_metadata);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int self;

		if (unshare(CLONE_NEWIPC))
			_exit(10);
		if (kipc_event_create(name, 0600, 0, 0) < 0)
			_exit(11);
		self = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
		_exit(self < 0 || send_fd(sv[1], self) ? 12 : 0);
	}
	nsfd = recv_fd(sv[0]);
	ASSERT_LE(0, nsfd);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	/* Several reap periods: the name must still be there. */
	kt_sleep_ms(100);
	ASSERT_EQ(0, kt_stats(&s));
	EXPECT_EQ(kt.base.named + 1, s.named);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setns(nsfd, CLONE_NEWIPC))
			_exit(10);
		_exit(kipc_event_open(name, 0) < 0 ? 11 : 0);
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	/* The last holder goes: so do the names. */
	close(nsfd);
	EXPECT_EQ(0, ns_settle());
}

/* 200 namespaces in a row: none sees a name of the one before. */
TEST_F(ns, no_reuse_200)
{
	const char *name = kt_name("reuse");
	int i, st = 0;
	pid_t pid;

	NS_SETUP(_metadata);
	for (i = 0; i < 200 && !st; i++) {
		pid = ns_fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			if (unshare(CLONE_NEWIPC))
				_exit(10);
			if (kipc_event_open(name, 0) != -ENOENT)
				_exit(11);
			if (kipc_event_create(name, 0600, 0, 0) < 0)
				_exit(12);
			_exit(0);
		}
		st = ns_wait(pid);
	}
	EXPECT_EQ(0, st);
	EXPECT_EQ(200, i);
	EXPECT_EQ(0, ns_settle());
}

/*
 * Namespaces made and dying in parallel, some killed while creating, while
 * the reaper runs every 10 ms: nothing leaks, nothing is seen across.
 */
static int churn_one(int iters)
{
	char name[32];
	int i, j, st;
	pid_t pid;

	for (i = 0; i < iters; i++) {
		pid = ns_fork();
		if (pid < 0)
			return 20;
		if (pid == 0) {
			if (unshare(CLONE_NEWIPC))
				_exit(10);
			for (j = 0; j < 4; j++) {
				snprintf(name, sizeof(name), "kst.ns.churn.%d", j);
				if (kipc_event_open(name, 0) != -ENOENT)
					_exit(11);
				if (kipc_event_create(name, 0600, 0, 0) < 0 ||
				    kipc_event_create(NULL, 0600, 0, 0) < 0)
					_exit(12);
			}
			_exit(0);
		}
		if (i % 5 == 4)
			kill(pid, SIGKILL);
		st = ns_wait(pid);
		if (st != 0 && st != 256 + SIGKILL)
			return st;
	}
	return 0;
}

/* A stress test: make soak repeats it on a loaded host. */
TEST_F(ns, stress_namespace_churn)
{
	pid_t pids[4];
	int i;

	NS_SETUP(_metadata);
	for (i = 0; i < 4; i++) {
		pids[i] = kt_fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(churn_one(25));
	}
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, kt_reap(pids[i], 60000));
	EXPECT_EQ(-ENOENT, kipc_event_open("kst.ns.churn.0", 0));
	EXPECT_EQ(0, ns_settle());
	/* Counted: the 80 namespaces not killed, 12 calls each. */
	kt_soak_count(4 + 100, 80 * 12);
}

/* ---- STATS --------------------------------------------------------------- */

TEST_F(ns, stats_scoped_to_namespace)
{
	pid_t pid;
	int fd;

	NS_SETUP(_metadata);
	fd = kipc_event_create(kt_name("stats"), 0600, 0, 0);
	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_stats s;

		if (unshare(CLONE_NEWIPC))
			_exit(10);
		if (kipc_stats(&s) || s.objects || s.named)
			_exit(11);
		if (kipc_event_create("kst.ns.s1", 0600, 0, 0) < 0 ||
		    kipc_event_create(NULL, 0600, 0, 0) < 0)
			_exit(12);
		if (kipc_stats(&s) || s.objects != 2 || s.named != 1)
			_exit(13);
		_exit(0);
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* ---- user namespaces ----------------------------------------------------- */

static int userns_open_unlink(void *arg)
{
	const char *name = arg;

	if (kipc_event_open(name, 0) != -EACCES)
		return 20;
	if (kipc_event_open(name, KIPC_FD_RDONLY) != -EACCES)
		return 21;
	if (kipc_unlink(KIPC_TYPE_EVENT, name) != -EACCES)
		return 22;
	return 0;
}

/* Root of an unprivileged user namespace: no CAP_IPC_OWNER over the host's. */
TEST_F(ns, userns_root_refused_on_host_object)
{
	const char *name = kt_name("userns");
	pid_t pid;
	int fd;

	NS_SETUP(_metadata);
	fd = kipc_event_create(name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	pid = fork_userns(false, 100000, 1, userns_open_unlink, (void *)name);
	ASSERT_LE(0, pid);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_TRUE(obj_linked(fd));
}

static int userns_reopen(void *arg)
{
	int fd = *(int *)arg;

	return kipc_reopen(fd, 0) == -EACCES ? 0 : 20;
}

/* A read-only fd passed into a user+IPC namespace cannot gain write. */
TEST_F(ns, userns_reopen_refused)
{
	int fd, ro;
	pid_t pid;

	NS_SETUP(_metadata);
	fd = kipc_event_create(kt_name("reopen"), 0600, 0, 0);
	ASSERT_LE(0, fd);
	ro = kipc_reopen(fd, KIPC_FD_RDONLY);
	ASSERT_LE(0, ro);
	pid = fork_userns(true, 100000, 1, userns_reopen, &ro);
	ASSERT_LE(0, pid);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/*
 * CAP_IPC_OWNER counts in the user namespace that owns the object's IPC
 * namespace: a container's root may open its own users' 0600 objects.
 */
static int userns_owner_override(void *arg)
{
	const char *name = "kst.ns.owner";
	pid_t pid;
	int st, fd;

	pid = fork();
	if (pid < 0)
		return 30;
	if (pid == 0) {
		if (kt_become(1, 1))
			_exit(31);
		_exit(kipc_event_create(name, 0600, 0, 0) < 0 ? 32 : 0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 33;
	if (WEXITSTATUS(st))
		return WEXITSTATUS(st);
	fd = kipc_event_open(name, 0);
	if (fd < 0)
		return 34;
	return kipc_unlink(KIPC_TYPE_EVENT, name) ? 35 : 0;
}

TEST_F(ns, userns_root_owns_its_namespace)
{
	pid_t pid;

	NS_SETUP(_metadata);
	pid = fork_userns(true, 100000, 2, userns_owner_override, NULL);
	ASSERT_LE(0, pid);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* Ids are shown in the reader's user namespace. */
static int userns_ids(void *arg)
{
	struct kipc_object_info in;
	int fd;

	fd = kipc_event_create(NULL, 0640, 0, 0);
	if (fd < 0)
		return 40;
	memset(&in, 0, sizeof(in));
	if (kipc_object_info(fd, &in) || in.uid != 0 || in.cuid != 0 ||
	    in.gid != 0 || in.mode != 0640)
		return 41;
	/* The host's object is its owner's overflow id here. */
	memset(&in, 0, sizeof(in));
	if (kipc_object_info(*(int *)arg, &in) || in.uid != 65534)
		return 42;
	return 0;
}

TEST_F(ns, userns_ids_mapped)
{
	pid_t pid;
	int fd;

	NS_SETUP(_metadata);
	fd = kipc_event_create(NULL, 0600, 0, 0);
	ASSERT_LE(0, fd);
	pid = fork_userns(true, 100000, 1, userns_ids, &fd);
	ASSERT_LE(0, pid);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* uid 0 of a container is another account than the host's uid 0. */
static int userns_quota(void *arg)
{
	unsigned int limit = *(unsigned int *)arg, i;
	struct kipc_stats s;

	for (i = 0; i < limit; i++)
		if (kipc_event_create(NULL, 0600, 0, 0) < 0)
			return 50;
	if (kipc_event_create(NULL, 0600, 0, 0) != -EDQUOT)
		return 51;
	if (kipc_stats(&s) || s.uid_objects != limit)
		return 52;
	return 0;
}

TEST_F(ns, quota_by_kernel_uid)
{
	unsigned int limit;
	pid_t pid;

	NS_SETUP(_metadata);
	limit = kt.base.uid_objects + 1;
	if (limit > 64)
		SKIP(return, "root holds %u objects already", limit - 1);
	ASSERT_EQ(0, kt_param_set("max_objects_per_uid", limit));
	/* The host's root uses its whole quota... */
	ASSERT_LE(0, kipc_event_create(NULL, 0600, 0, 0));
	EXPECT_EQ(-EDQUOT, kipc_event_create(NULL, 0600, 0, 0));
	/* ...and a container's root still has all of its own. */
	pid = fork_userns(true, 100000, 1, userns_quota, &limit);
	ASSERT_LE(0, pid);
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

/* ---- limits per namespace ---------------------------------------------- */

TEST_F(ns, max_objects_per_ns)
{
	pid_t pid;
	int i;

	NS_SETUP(_metadata);
	ASSERT_EQ(0, kt_param_set("max_objects_per_ns", 2));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (unshare(CLONE_NEWIPC))
			_exit(10);
		if (kipc_event_create(NULL, 0600, 0, 0) < 0 ||
		    kipc_event_create("kst.ns.lim", 0600, 0, 0) < 0)
			_exit(11);
		if (kipc_event_create(NULL, 0600, 0, 0) != -ENOSPC)
			_exit(12);
		if (kipc_event_create("kst.ns.lim2", 0600, 0, 0) != -ENOSPC ||
		    kipc_event_open("kst.ns.lim2", 0) != -ENOENT)
			_exit(13);
		_exit(0);
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	/* The initial namespace has no limit of its own. */
	for (i = 0; i < 3; i++)
		EXPECT_LE(0, kipc_event_create(NULL, 0600, 0, 0));
}

TEST_F(ns, max_bytes_per_ns)
{
	pid_t pid;
	int fd;

	NS_SETUP(_metadata);
	ASSERT_EQ(0, kt_param_set("max_bytes_per_ns", 65536));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (unshare(CLONE_NEWIPC))
			_exit(10);
		if (kipc_queue_create(NULL, 0600, 16, 8192, 0) != -ENOSPC)
			_exit(11);
		if (kipc_queue_create(NULL, 0600, 4, 1024, 0) < 0)
			_exit(12);
		_exit(0);
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	fd = kipc_queue_create(NULL, 0600, 16, 8192, 0);
	EXPECT_LE(0, fd);
}

/* ---- robust mutex across pid namespaces ------------------------------- */

static int mutex_raw(int fd, unsigned long cmd)
{
	struct kipc_mutex_lock l = { .flags = KIPC_WAIT_NONBLOCK };

	if (cmd == KIPC_MUTEX_IOC_LOCK)
		return kt_ioctl(fd, cmd, &l);
	return ioctl(fd, cmd, 0) < 0 ? -errno : 0;
}

/* In a new pid namespace: every use of the host's mutex is EXDEV. */
static int mutex_foreign(int fd, int cond, const char *name)
{
	struct kipc_cond_wait w = { .mutex_fd = (uint32_t)fd };
	struct kipc_wait_obj o = { .fd = fd };
	struct kipc_mutex *h = NULL;
	unsigned int idx = 0;
	int ret;
	void *p;

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED || errno != EXDEV)
		return 20;
	if (kipc_mutex_attach(fd, &h) != -EXDEV)
		return 21;
	if (mutex_raw(fd, KIPC_MUTEX_IOC_LOCK) != -EXDEV)
		return 22;
	if (mutex_raw(fd, KIPC_MUTEX_IOC_UNLOCK) != -EXDEV)
		return 23;
	if (mutex_raw(fd, KIPC_MUTEX_IOC_CONSISTENT) != -EXDEV)
		return 24;
	if (kipc_reopen(fd, 0) != -EXDEV)
		return 25;
	if (kipc_mutex_open(name, 0) != -EXDEV)
		return 26;
	if (kt_ioctl(cond, KIPC_COND_IOC_WAIT, &w) != -EXDEV)
		return 27;
	ret = kipc_wait_many(&o, 1, 0, 0, &idx);
	if (ret != -EXDEV && o.error != -EXDEV)
		return 28;
	/* Closing it must not take the host's live owner for dead. */
	close(fd);
	return 0;
}

TEST_F(ns, mutex_other_pid_namespace)
{
	const char *name = kt_name("mutex");
	struct kipc_mutex *h;
	pid_t pid;
	int fd, fd2, cond;

	NS_SETUP(_metadata);
	fd = kipc_mutex_create(name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	cond = kipc_cond_create(NULL, 0600, 0);
	ASSERT_LE(0, cond);
	ASSERT_EQ(0, kipc_mutex_attach(fd, &h));
	ASSERT_EQ(0, kipc_mutex_lock(h, 0));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pid_t in;
		int st;

		if (unshare(CLONE_NEWPID))
			_exit(10);
		in = fork();
		if (in < 0)
			_exit(11);
		if (in == 0)
			_exit(mutex_foreign(fd, cond, name));
		if (waitpid(in, &st, 0) != in || !WIFEXITED(st))
			_exit(12);
		_exit(WEXITSTATUS(st));
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	/* Still ours, alive: another host process finds it busy. */
	fd2 = kipc_mutex_open(name, 0);
	ASSERT_LE(0, fd2);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_mutex *h2;

		if (kipc_mutex_attach(fd2, &h2))
			_exit(10);
		_exit(kipc_mutex_lock(h2, 0) == -EBUSY ? 0 : 11);
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kipc_mutex_unlock(h));
	kipc_mutex_detach(h);
}

/* A pipe's growth past max_bytes_per_ns is ENOSPC; a shrink always works. */
TEST_F(ns, max_bytes_per_ns_pipe_resize)
{
	pid_t pid;

	NS_SETUP(_metadata);
	ASSERT_EQ(0, kt_param_set("max_bytes_per_ns", 16384));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fds[2];

		if (unshare(CLONE_NEWIPC))
			_exit(10);
		if (kipc_pipe(fds, 4096, 0))
			_exit(11);
		if (kipc_pipe_set_capacity(fds[1], 16384) != 16384)
			_exit(12);
		if (kipc_pipe_set_capacity(fds[1], 32768) != -ENOSPC)
			_exit(13);
		if (kipc_pipe_set_capacity(fds[1], 4096) != 4096)
			_exit(14);
		if (kipc_pipe_set_capacity(fds[1], 16384) != 16384)
			_exit(15);
		_exit(0);
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
}

TEST_F(ns, ns_reap_ms_bounds)
{
	NS_SETUP(_metadata);
	EXPECT_EQ(-EINVAL, kt_param_write("ns_reap_ms", "9"));
	EXPECT_EQ(-EINVAL, kt_param_write("ns_reap_ms", "60001"));
	EXPECT_EQ(10, kt_param_get("ns_reap_ms"));
}

TEST_F(ns, feature_bit)
{
	struct kipc_version v;

	ASSERT_EQ(0, kipc_version(&v));
	EXPECT_NE(0ULL, (unsigned long long)(v.features & KIPC_FEATURE_IPCNS));
}

TEST_HARNESS_MAIN
