/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kipc selftests.  Included after kselftest_harness.h.
 *
 * Every test runs in its own process (the harness forks one per test), so
 * the state below is per test.  The kipc fixture of each test program calls
 * kt_setup() and kt_teardown(), which
 *   - kill and reap every child the test forked with kt_fork(),
 *   - close every fd of the test, unlink every name made with kt_name(),
 *   - restore every module parameter changed with kt_param_set(),
 *   - and check that the module is back to the object counts it had before
 *     the test: no test may leak an object or leave a name behind.
 *
 * Children never use the ASSERT and EXPECT macros (an assertion would unwind
 * into the parent's teardown); they report through their exit status or a
 * pipe and leave with _exit().
 */
#ifndef KIPC_TEST_UTIL_H
#define KIPC_TEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kipc.h>
#include "libkipc.h"
#include "kipc_only.h"

#define KT_NSEC_PER_MSEC	1000000LL
#define KT_NSEC_PER_SEC		1000000000LL

/* How long a child may block before the test gives up on it. */
#define KT_CHILD_TIMEOUT_MS	10000

/* The same command with another struct size in its number. */
#define KT_IOC_RESIZE(cmd, size) \
	_IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), (size))

#define KT_PARAM_DIR	"/sys/module/kipc/parameters/"

#define KT_MAX_NAMES	32
#define KT_MAX_KIDS	32
#define KT_MAX_PARAMS	4

struct kt_param {
	char name[32];
	char orig[32];
};

static struct kt_state {
	int dev;
	char *names[KT_MAX_NAMES];
	int nnames;
	pid_t kids[KT_MAX_KIDS];
	int nkids;
	struct kt_param params[KT_MAX_PARAMS];
	int nparams;
	struct kipc_stats base;
	int signal_fd;		/* where kt_note_signal() writes */
} kt;

/* ---- plain ioctls ---------------------------------------------------- */

static inline int kt_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* A /dev/kipc fd of the test's own (libkipc keeps another one). */
static inline int kt_dev(void)
{
	if (kt.dev < 0) {
		kt.dev = open(KIPC_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (kt.dev < 0)
			return -errno;
	}
	return kt.dev;
}

static inline int kt_dev_ioctl(unsigned long cmd, void *arg)
{
	int dev = kt_dev();

	return dev < 0 ? dev : kt_ioctl(dev, cmd, arg);
}

static inline int kt_stats(struct kipc_stats *s)
{
	memset(s, 0, sizeof(*s));
	return kt_dev_ioctl(KIPC_IOC_STATS, s);
}

/* The bytes charged to the caller's uid, or UINT64_MAX if unknown. */
static inline uint64_t kt_stats_uid_bytes(void)
{
	struct kipc_stats s;

	return kt_stats(&s) ? UINT64_MAX : s.uid_bytes;
}

/* Poll @fd for @events without waiting: revents (0 if none), or -errno. */
static inline int kt_poll_now(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r = poll(&p, 1, 0);

	if (r < 0)
		return -errno;
	return r ? p.revents : 0;
}

/* KIPC_IOC_CREATE with @c as is: the new fd, or -errno. */
static inline int kt_create_raw(struct kipc_create *c)
{
	int err = kt_dev_ioctl(KIPC_IOC_CREATE, c);

	return err ? err : (int)c->fd;
}

static inline int kt_open_raw(struct kipc_open *o)
{
	int err = kt_dev_ioctl(KIPC_IOC_OPEN, o);

	return err ? err : (int)o->fd;
}

static inline int kt_unlink_raw(struct kipc_unlink *u)
{
	return kt_dev_ioctl(KIPC_IOC_UNLINK, u);
}

/* A fully valid create of an event named @name (NULL: anonymous). */
static inline void kt_create_init(struct kipc_create *c,
				  struct kipc_event_attr *a, const char *name)
{
	memset(c, 0, sizeof(*c));
	memset(a, 0, sizeof(*a));
	c->type = KIPC_TYPE_EVENT;
	c->name = (uintptr_t)name;
	c->name_len = name ? strlen(name) : 0;
	c->mode = 0600;
	c->attr = (uintptr_t)a;
	c->attr_size = sizeof(*a);
}

static inline void kt_open_init(struct kipc_open *o, const char *name)
{
	memset(o, 0, sizeof(*o));
	o->type = KIPC_TYPE_EVENT;
	o->name = (uintptr_t)name;
	o->name_len = strlen(name);
}

static inline void kt_unlink_init(struct kipc_unlink *u, const char *name)
{
	memset(u, 0, sizeof(*u));
	u->type = KIPC_TYPE_EVENT;
	u->name = (uintptr_t)name;
	u->name_len = strlen(name);
}

static inline int kt_event_info(int fd, struct kipc_event_info *in)
{
	memset(in, 0, sizeof(*in));
	return kt_ioctl(fd, KIPC_EVENT_IOC_INFO, in);
}

static inline int kt_obj_info(int fd, struct kipc_object_info *in,
			      char *name, uint32_t name_size)
{
	memset(in, 0, sizeof(*in));
	in->name = (uintptr_t)name;
	in->name_size = name ? name_size : 0;
	return kt_ioctl(fd, KIPC_IOC_OBJ_INFO, in);
}

/* KIPC_EVENT_IOC_WAIT with the given flags and deadline; value on success. */
static inline int kt_wait_raw(int fd, uint32_t flags,
			      const struct kipc_timespec *deadline,
			      uint64_t *value)
{
	struct kipc_event_wait w;
	int err;

	memset(&w, 0, sizeof(w));
	w.flags = flags;
	if (deadline)
		w.deadline = *deadline;
	err = kt_ioctl(fd, KIPC_EVENT_IOC_WAIT, &w);
	if (!err && value)
		*value = w.value;
	return err;
}

/* ---- names ------------------------------------------------------------ */

/*
 * A name unique to this test process, "kst.<pid>.<tag>", padded with 'x'
 * to @len bytes if @len is longer, and unlinked by kt_teardown().  The
 * pointer stays valid for the whole test.
 */
static inline const char *kt_name_len(const char *tag, size_t len)
{
	size_t n;
	char *s;

	if (kt.nnames >= KT_MAX_NAMES)
		abort();
	n = snprintf(NULL, 0, "kst.%d.%s", (int)getpid(), tag);
	if (len < n)
		len = n;
	s = calloc(1, len + 1);
	if (!s)
		abort();
	snprintf(s, len + 1, "kst.%d.%s", (int)getpid(), tag);
	memset(s + n, 'x', len - n);
	kt.names[kt.nnames++] = s;
	return s;
}

static inline const char *kt_name(const char *tag)
{
	return kt_name_len(tag, 0);
}

/* ---- time ------------------------------------------------------------- */

static inline int64_t kt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * KT_NSEC_PER_SEC + ts.tv_nsec;
}

static inline struct kipc_timespec kt_ts_at(int64_t ns)
{
	struct kipc_timespec ts = {
		.tv_sec = ns / KT_NSEC_PER_SEC,
		.tv_nsec = ns % KT_NSEC_PER_SEC,
	};
	return ts;
}

static inline void kt_sleep_ms(int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * KT_NSEC_PER_MSEC,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Catch @sig with @fn (sa_flags @flags, nothing blocked); sigaction's return. */
static inline int kt_on_signal(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

/* ---- signals ---------------------------------------------------------- */

/* A handler that does nothing: the signal only interrupts. */
static inline void kt_signal_noop(int sig)
{
	(void)sig;
}

/* A handler that writes 'h' to kt.signal_fd, to show that it ran. */
static inline void kt_note_signal(int sig)
{
	char c = 'h';

	(void)sig;
	if (write(kt.signal_fd, &c, 1) != 1)
		_exit(90);
}

/* Catch @sig with kt_note_signal() writing to @fd (sa_flags @flags). */
static inline int kt_catch_signal(int sig, int fd, int flags)
{
	kt.signal_fd = fd;
	return kt_on_signal(sig, kt_note_signal, flags);
}

/* One byte from @fd within @timeout_ms: the byte, -ETIMEDOUT or -EIO. */
static inline int kt_read_byte(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&p, 1, timeout_ms) != 1)
		return -ETIMEDOUT;
	return read(fd, &c, 1) == 1 ? c : -EIO;
}

/* Block (@block true) or unblock @sig for the calling thread. */
static inline void kt_block_signal(int sig, bool block)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &s, NULL);
}

/* Whether @sig is pending, for this thread or the process: 1, 0, -errno. */
static inline int kt_sig_pending(int sig)
{
	sigset_t s;

	if (sigpending(&s))
		return -errno;
	return sigismember(&s, sig);
}

/*
 * Take @sig if it is pending (it is blocked), waiting up to @timeout_ms
 * (0: only look): 1 with *@si filled, 0 if it did not come, -errno.
 */
static inline int kt_take_signal(int sig, siginfo_t *si, int timeout_ms)
{
	struct timespec ts = {
		.tv_sec = timeout_ms / 1000,
		.tv_nsec = (timeout_ms % 1000) * KT_NSEC_PER_MSEC,
	};
	sigset_t s;
	int r;

	sigemptyset(&s);
	sigaddset(&s, sig);
	memset(si, 0, sizeof(*si));
	do {
		r = sigtimedwait(&s, si, &ts);
	} while (r < 0 && errno == EINTR);
	if (r == sig)
		return 1;
	return r < 0 && errno == EAGAIN ? 0 : -errno;
}

/* ---- memory ----------------------------------------------------------- */

static inline size_t kt_page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* A page that may not be touched: a bad user pointer that is not NULL. */
static inline void *kt_noaccess_page(void)
{
	void *p = mmap(NULL, kt_page_size(), PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* A copy of @len bytes of @src in a page that is then made read-only. */
static inline void *kt_readonly_copy(const void *src, size_t len)
{
	void *p = mmap(NULL, kt_page_size(), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, src, len);
	if (mprotect(p, kt_page_size(), PROT_READ)) {
		munmap(p, kt_page_size());
		return NULL;
	}
	return p;
}

/* Two pages, the second inaccessible: the boundary between them, or NULL. */
static inline char *kt_guard_boundary(void)
{
	char *p = mmap(NULL, 2 * kt_page_size(), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + kt_page_size(), kt_page_size(), PROT_NONE))
		return NULL;
	return p + kt_page_size();
}

/*
 * @size zeroed bytes shared with the children forked after (anonymous,
 * MAP_SHARED: for the state of multi-process tests), or NULL.
 */
static inline void *kt_shared_map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0, size);
	return p;
}

/* The lowest free fd number (to see that a failed call leaked none). */
static inline int kt_lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* ---- /proc, /sys and fdinfo files --------------------------------------- */

/* Read file @path whole (up to @size - 1 bytes, NUL-terminated): length, -errno. */
static inline ssize_t kt_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* The first number of file @path (a /proc/sys or /sys value), or -errno. */
static inline long long kt_read_number(const char *path)
{
	char buf[64];
	ssize_t n = kt_read_file(path, buf, sizeof(buf));

	if (n <= 0)
		return n < 0 ? n : -ENODATA;
	return strtoll(buf, NULL, 0);
}

/* /proc/self/fdinfo/@fd into @buf (NUL-terminated): 0 or -errno. */
static inline int kt_read_fdinfo(int fd, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	n = kt_read_file(path, buf, size);
	return n < 0 ? (int)n : 0;
}

/* Whether @buf has @line as a whole line. */
static inline bool kt_has_line(const char *buf, const char *line)
{
	size_t n = strlen(line);
	const char *p = buf;

	while ((p = strstr(p, line))) {
		if ((p == buf || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == '\0'))
			return true;
		p++;
	}
	return false;
}

/* Expect the printf-formatted line to be a whole line of fdinfo text @buf. */
#define KT_EXPECT_LINE(buf, ...) do {					\
	char l_[256];							\
									\
	snprintf(l_, sizeof(l_), __VA_ARGS__);				\
	EXPECT_TRUE(kt_has_line(buf, l_))				\
		TH_LOG("no line \"%s\" in fdinfo:\n%s", l_, buf);	\
} while (0)

/* The line of @buf that starts with @key (with or without its ':'), or NULL. */
static inline const char *kt_find_key(const char *buf, const char *key)
{
	size_t n = strlen(key);
	const char *p;

	if (n && key[n - 1] == ':')
		n--;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == ':')
			return p;
	return NULL;
}

/*
 * The (first) number of fdinfo line @key ("sem-value", "mutex-word"...) of
 * @fd in *@val: 0, -ENOENT if there is no such line, or -errno.
 */
static inline int kt_fdinfo_u64(int fd, const char *key, uint64_t *val)
{
	char buf[2048];
	const char *p;
	int err = kt_read_fdinfo(fd, buf, sizeof(buf));

	if (err)
		return err;
	p = kt_find_key(buf, key);
	if (!p)
		return -ENOENT;
	*val = strtoull(strchr(p, ':') + 1, NULL, 0);
	return 0;
}

/* The number of fdinfo line @key of @fd, or -1 if it cannot be read. */
static inline long long kt_fdinfo_val(int fd, const char *key)
{
	uint64_t v;

	return kt_fdinfo_u64(fd, key, &v) ? -1 : (long long)v;
}

/*
 * Wait until every line of the printf-formatted text (lines separated by
 * '\n', e.g. "queue-senders:\t1\nqueue-receivers:\t0") is a whole line
 * of @fd's fdinfo.  Return: 0, -ETIMEDOUT after @timeout_ms, or -errno.
 */
static inline int __attribute__((format(printf, 3, 4)))
kt_wait_fdinfo(int fd, int timeout_ms, const char *fmt, ...)
{
	int64_t end = kt_now_ns() + timeout_ms * KT_NSEC_PER_MSEC;
	char want[256], buf[2048], *line, *save;
	bool all;
	va_list ap;
	int err;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	for (;;) {
		char lines[sizeof(want)];

		err = kt_read_fdinfo(fd, buf, sizeof(buf));
		if (err)
			return err;
		memcpy(lines, want, sizeof(want));
		all = true;
		for (line = strtok_r(lines, "\n", &save); line && all;
		     line = strtok_r(NULL, "\n", &save))
			all = kt_has_line(buf, line);
		if (all)
			return 0;
		if (kt_now_ns() > end)
			return -ETIMEDOUT;
		kt_sleep_ms(1);
	}
}

/* ---- checks ------------------------------------------------------------ */

/*
 * @call must fail with -@err and change nothing: no object, name, charge
 * or fd left, and if @created_too, no object created even for a moment.
 */
#define KT_EXPECT_FAILS_NO_CHANGE(call, err, created_too) do {		\
	struct kipc_stats b_, a_;					\
	int low_ = kt_lowest_free_fd();					\
									\
	ASSERT_EQ(0, kt_stats(&b_));					\
	EXPECT_EQ(-(err), (call));					\
	ASSERT_EQ(0, kt_stats(&a_));					\
	EXPECT_EQ(b_.objects, a_.objects);				\
	EXPECT_EQ(b_.named, a_.named);					\
	EXPECT_EQ(b_.uid_objects, a_.uid_objects);			\
	EXPECT_EQ(b_.uid_bytes, a_.uid_bytes);				\
	if (created_too)						\
		EXPECT_EQ(b_.created, a_.created);			\
	EXPECT_EQ(low_, kt_lowest_free_fd());				\
} while (0)

/*
 * KIPC_IOC_CREATE of an object of @type (KIPC_TYPE_*) with mode 0600, fd
 * flags @fdflags, name @name (NULL: anonymous) and the attribute struct
 * @attr of @size bytes passed as is (NULL with any @size too): the new fd,
 * or -errno.
 */
static inline int kt_create_type(uint32_t type, const void *attr,
				 uint32_t size, const char *name,
				 uint32_t fdflags)
{
	struct kipc_create c;

	memset(&c, 0, sizeof(c));
	c.type = type;
	c.flags = fdflags;
	c.name = (uintptr_t)name;
	c.name_len = name ? strlen(name) : 0;
	c.mode = 0600;
	c.attr = (uintptr_t)attr;
	c.attr_size = size;
	return kt_create_raw(&c);
}

/*
 * An anonymous create of @type with @attr of @size bytes as is must fail
 * with -@err and change nothing (KT_EXPECT_FAILS_NO_CHANGE()).  Not even
 * for a moment may an object be created, except for a channel: it is a
 * pair, whose create may make an end and destroy it again on the error.
 */
#define KT_EXPECT_CREATE_FAILS(type, attr, size, err)			\
	KT_EXPECT_FAILS_NO_CHANGE(kt_create_type(type, attr, size, NULL, 0), \
				  err, (type) != KIPC_TYPE_CHANNEL)

/* A 64-bit mix of @x (splitmix's finalizer): test data derived from ids. */
static inline uint64_t kt_hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* The Adler-32 checksum of @n bytes at @b. */
static inline uint32_t kt_checksum(const uint8_t *b, uint32_t n)
{
	uint32_t a = 1, c = 0, i;

	for (i = 0; i < n; i++) {
		a = (a + b[i]) % 65521;
		c = (c + a) % 65521;
	}
	return c << 16 | a;
}

/* ---- module parameters ------------------------------------------------ */

/* Module parameter @param into @buf, without its trailing newline: 0 or -errno. */
static inline int kt_param_read(const char *param, char *buf, size_t size)
{
	char path[128];
	ssize_t n;

	snprintf(path, sizeof(path), KT_PARAM_DIR "%s", param);
	n = kt_read_file(path, buf, size);
	if (n < 0)
		return (int)n;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

/* The parameter's value, or -errno. */
static inline long long kt_param_get(const char *param)
{
	char buf[32];
	int err = kt_param_read(param, buf, sizeof(buf));

	return err ? err : strtoll(buf, NULL, 0);
}

/* Write @val to the parameter as is: 0 or -errno of the write. */
static inline int kt_param_write(const char *param, const char *val)
{
	char path[128];
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), KT_PARAM_DIR "%s", param);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(val))
		err = -EIO;
	close(fd);
	return err;
}

/* Remember the parameter's value, once, so kt_teardown() restores it. */
static inline int kt_param_save(const char *param)
{
	struct kt_param *p;
	int i, err;

	for (i = 0; i < kt.nparams; i++)
		if (!strcmp(kt.params[i].name, param))
			return 0;
	if (kt.nparams >= KT_MAX_PARAMS)
		abort();
	p = &kt.params[kt.nparams];
	snprintf(p->name, sizeof(p->name), "%s", param);
	err = kt_param_read(param, p->orig, sizeof(p->orig));
	if (err)
		return err;
	kt.nparams++;
	return 0;
}

/* Set a parameter for the rest of the test: 0 or -errno. */
static inline int kt_param_set(const char *param, unsigned long long val)
{
	char buf[32];
	int err = kt_param_save(param);

	if (err)
		return err;
	snprintf(buf, sizeof(buf), "%llu", val);
	return kt_param_write(param, buf);
}

/* ---- child processes -------------------------------------------------- */

/*
 * fork() for tests: the child dies with the test process, and is killed
 * and reaped by kt_teardown() if the test did not reap it.
 */
static inline pid_t kt_fork(void)
{
	pid_t parent = getpid(), pid;

	if (kt.nkids >= KT_MAX_KIDS)
		abort();
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(99);
		kt.nkids = 0;
		return 0;
	}
	if (pid > 0)
		kt.kids[kt.nkids++] = pid;
	return pid;
}

static inline void kt_forget_kid(pid_t pid)
{
	int i;

	for (i = 0; i < kt.nkids; i++)
		if (kt.kids[i] == pid)
			kt.kids[i] = 0;
}

/*
 * Reap @pid.  Return: its exit status (0..255), 256 + the signal that
 * killed it, or -1 if it did not end within @timeout_ms (it is killed).
 */
static inline int kt_reap(pid_t pid, int timeout_ms)
{
	int64_t end = kt_now_ns() + timeout_ms * KT_NSEC_PER_MSEC;
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (kt_now_ns() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			kt_forget_kid(pid);
			return -1;
		}
		kt_sleep_ms(1);
	}
	kt_forget_kid(pid);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 256 + WTERMSIG(status);
	return -1;
}

static inline void kt_kill_kids(void)
{
	int i;

	for (i = 0; i < kt.nkids; i++) {
		if (!kt.kids[i])
			continue;
		kill(kt.kids[i], SIGKILL);
		waitpid(kt.kids[i], NULL, 0);
		kt.kids[i] = 0;
	}
	kt.nkids = 0;
}

/* Exit a child with the errno of a libkipc result: 0 for success. */
static inline void kt_child_exit_err(int ret)
{
	_exit(ret < 0 ? (-ret & 0xff) : 0);
}

/* Drop root to uid/gid 65534 (nobody), with no supplementary groups. */
static inline int kt_become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL))
		return -errno;
	if (setresgid(gid, gid, gid))
		return -errno;
	if (setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

/*
 * Wait until @fd's object has exactly @n blocked waiters: the fdinfo line
 * "<type>-waiters:" of an event, mutex, cond or semaphore.
 * Return: 0, -ETIMEDOUT after @timeout_ms, or -errno.
 */
static inline int kt_wait_waiters(int fd, unsigned int n, int timeout_ms)
{
	int64_t end = kt_now_ns() + timeout_ms * KT_NSEC_PER_MSEC;
	char buf[2048], want[32];
	const char *p;
	int err;

	snprintf(want, sizeof(want), "-waiters:\t%u\n", n);
	for (;;) {
		err = kt_read_fdinfo(fd, buf, sizeof(buf));
		if (err)
			return err;
		p = strstr(buf, "-waiters:\t");
		if (!p)
			return -ENOENT;
		if (!strncmp(p, want, strlen(want)))
			return 0;
		if (kt_now_ns() > end)
			return -ETIMEDOUT;
		kt_sleep_ms(1);
	}
}

/* The state letter ('R', 'S', 'T', ...) of /proc stat file @path, or 0. */
static inline char kt_stat_state(const char *path)
{
	char buf[512], *p;

	if (kt_read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* The state letter of /proc/<pid>/stat ('R', 'S', 'T', ...), or 0. */
static inline char kt_proc_state(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	return kt_stat_state(path);
}

/* The state letter of thread @tid of this process, or 0. */
static inline char kt_thread_state(pid_t tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	return kt_stat_state(path);
}

/* The calling thread's id. */
static inline pid_t kt_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* Wait until @pid sleeps interruptibly (is blocked in a system call). */
static inline int kt_wait_sleeping(pid_t pid, int timeout_ms)
{
	int64_t end = kt_now_ns() + timeout_ms * KT_NSEC_PER_MSEC;

	while (kt_proc_state(pid) != 'S') {
		if (kt_now_ns() > end)
			return -ETIMEDOUT;
		kt_sleep_ms(1);
	}
	return 0;
}

/*
 * Wait until thread *@tid of this process (0 until the thread has set it)
 * sleeps interruptibly.  Return: 0, or -ETIMEDOUT after @timeout_ms.
 */
static inline int kt_wait_thread_sleeping(volatile pid_t *tid, int timeout_ms)
{
	int64_t end = kt_now_ns() + timeout_ms * KT_NSEC_PER_MSEC;
	pid_t t;

	while (!(t = __atomic_load_n(tid, __ATOMIC_ACQUIRE)) ||
	       kt_thread_state(t) != 'S') {
		if (kt_now_ns() > end)
			return -ETIMEDOUT;
		kt_sleep_ms(1);
	}
	return 0;
}

/* ---- reports from children through a pipe ------------------------------- */

struct kt_report {
	int32_t idx;
	int32_t ret;
	uint64_t value;
};

static inline void kt_report(int fd, int idx, int ret, uint64_t value)
{
	struct kt_report r = { .idx = idx, .ret = ret, .value = value };
	ssize_t n;

	do {
		n = write(fd, &r, sizeof(r));
	} while (n < 0 && errno == EINTR);
}

/* Return: 1 with *@r filled, 0 if none came within @timeout_ms, -errno. */
static inline int kt_read_report(int fd, struct kt_report *r, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int ret;

	do {
		ret = poll(&p, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return 0;
	n = read(fd, r, sizeof(*r));
	if (n < 0)
		return -errno;
	return n == sizeof(*r) ? 1 : -EIO;
}

/*
 * Child @pid's one report on @rfd must come within KT_CHILD_TIMEOUT_MS with
 * result @ret_ and value @value_, and the child must then exit with 0.
 */
#define KT_EXPECT_CHILD_REPORT(rfd, pid, ret_, value_) do {		\
	struct kt_report r_;						\
									\
	ASSERT_EQ(1, kt_read_report(rfd, &r_, KT_CHILD_TIMEOUT_MS));	\
	EXPECT_EQ((ret_), r_.ret);					\
	EXPECT_EQ((uint64_t)(value_), r_.value);			\
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));		\
} while (0)

/*
 * A child that poll()s @fd for @events (KT_CHILD_TIMEOUT_MS) and reports
 * { 0, poll()'s result, revents } on @rep.
 */
static inline pid_t kt_spawn_poller(int fd, int rep, short events)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		struct pollfd p = { .fd = fd, .events = events };
		int ret = poll(&p, 1, KT_CHILD_TIMEOUT_MS);

		kt_report(rep, 0, ret, (uint64_t)p.revents);
		_exit(0);
	}
	return pid;
}

/*
 * A child that waits in epoll_wait() (KT_CHILD_TIMEOUT_MS) for @events of
 * @fd and reports { 0, epoll_wait()'s result, the events seen } on @rep;
 * it exits with 1 if it cannot set up the epoll instance.
 */
static inline pid_t kt_spawn_epoller(int fd, int rep, uint32_t events)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		struct epoll_event ev = { .events = events }, out = { 0 };
		int ep = epoll_create1(EPOLL_CLOEXEC), ret;

		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
			_exit(1);
		ret = epoll_wait(ep, &out, 1, KT_CHILD_TIMEOUT_MS);
		kt_report(rep, 0, ret, out.events);
		_exit(0);
	}
	return pid;
}

/* ---- fixture ------------------------------------------------------------ */

static inline int kt_setup(void)
{
	struct kipc_version v;
	int err;

	memset(&kt, 0, sizeof(kt));
	kt.dev = -1;
	/*
	 * Make libkipc open its /dev/kipc fd now, so that a test's first
	 * libkipc call does not take an fd number (tests compare them).
	 */
	err = kipc_version(&v);
	if (err)
		return err;
	return kt_stats(&kt.base);
}

/*
 * Undo what the test did (see the top of this file) and compare the
 * module's counters with those kt_setup() saw.  Returns 0, or -1 with a
 * description in @msg.
 */
static inline int kt_teardown(char *msg, size_t size)
{
	struct kipc_stats now;
	struct kipc_unlink u;
	int i, fd, err, bad = 0;
	size_t off = 0;

	msg[0] = '\0';
	kt_kill_kids();
	/* Close every fd of the test, libkipc's too: nothing runs after. */
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	kt.dev = -1;
	/* Let every name be unlinked, however long, whatever the test set. */
	for (i = 0; i < kt.nnames; i++)
		if ((long long)strlen(kt.names[i]) > kt_param_get("max_name_len"))
			break;
	if (i < kt.nnames && (kt_param_save("max_name_len") ||
			      kt_param_write("max_name_len", "4095"))) {
		off += snprintf(msg + off, size - off,
				"cannot raise max_name_len; ");
		bad = 1;
	}
	for (i = 0; i < kt.nnames * KIPC_TYPE_MAX; i++) {
		/* A name may have been used for an object of any type. */
		kt_unlink_init(&u, kt.names[i / KIPC_TYPE_MAX]);
		u.type = 1 + i % KIPC_TYPE_MAX;
		err = kt_unlink_raw(&u);
		if (err && err != -ENOENT) {
			off += snprintf(msg + off, size - off,
					"unlink %.40s...: %d; ",
					kt.names[i / KIPC_TYPE_MAX], err);
			bad = 1;
		}
	}
	for (i = 0; i < kt.nparams; i++) {
		err = kt_param_write(kt.params[i].name, kt.params[i].orig);
		if (err) {
			off += snprintf(msg + off, size - off,
					"cannot restore %s=%s (%d); ",
					kt.params[i].name, kt.params[i].orig,
					err);
			bad = 1;
		}
	}
	err = kt_stats(&now);
	if (err) {
		snprintf(msg + off, size - off, "stats: %d", err);
		return -1;
	}
	if (now.objects != kt.base.objects || now.named != kt.base.named ||
	    now.uid_objects != kt.base.uid_objects ||
	    now.uid_bytes != kt.base.uid_bytes) {
		snprintf(msg + off, size - off,
			 "leak: objects %llu -> %llu, named %llu -> %llu, uid_objects %llu -> %llu, uid_bytes %llu -> %llu",
			 (unsigned long long)kt.base.objects,
			 (unsigned long long)now.objects,
			 (unsigned long long)kt.base.named,
			 (unsigned long long)now.named,
			 (unsigned long long)kt.base.uid_objects,
			 (unsigned long long)now.uid_objects,
			 (unsigned long long)kt.base.uid_bytes,
			 (unsigned long long)now.uid_bytes);
		bad = 1;
	}
	close(kt.dev);
	kt.dev = -1;
	return bad ? -1 : 0;
}

/*
 * The seed of a test's random choices: KIPC_SEED (which `make soak` sets
 * anew for each run, and names in its report), else the process id.
 */
static inline unsigned int kt_seed(void)
{
	const char *env = getenv("KIPC_SEED");

	return env ? (unsigned int)strtoul(env, NULL, 0) :
		     (unsigned int)getpid();
}

/*
 * What a stress test did, for `make soak`'s totals: the processes it ran
 * and the operations it counted (locks, messages, waits...).
 */
static inline void kt_soak_count(unsigned int procs, unsigned long long ops)
{
	printf("# kipc-soak: procs %u ops %llu\n", procs, ops);
	fflush(stdout);
}

/*
 * The fixture every test program uses: kt_setup() before each test,
 * kt_teardown() (reap, close, unlink, restore, check for leaks) after.
 * A test KIPC_ONLY leaves out is skipped before its setup (the 6.1
 * harness would run the body after a SKIP in setup, hence the jump).
 * KT_FIXTURE_NAMED() makes it under another name @fixture, for a table of cases
 * (FIXTURE_VARIANT applies to every test of its fixture), with
 * @cleanup run after the children are killed and before kt_teardown().
 */
#define KT_FIXTURE_NAMED(fixture, cleanup)			\
FIXTURE(fixture) {						\
	int unused;						\
};								\
FIXTURE_SETUP(fixture)						\
{								\
	KT_SKIP_UNSELECTED();					\
	ASSERT_EQ(0, kt_setup());				\
}								\
FIXTURE_TEARDOWN(fixture)					\
{								\
	char msg[512];						\
	int ret;						\
								\
	kt_kill_kids();						\
	cleanup;						\
	ret = kt_teardown(msg, sizeof(msg));			\
	if (ret)						\
		TH_LOG("teardown: %s", msg);			\
	EXPECT_EQ(0, ret);					\
}

#define KT_FIXTURE() KT_FIXTURE_NAMED(kipc, (void)0)

/* ---- SA_RESTART and absolute deadlines ---------------------------------- */

/*
 * One try at proving that a blocking call with an absolute deadline @ms
 * from now, interrupted by a handler installed with SA_RESTART, ends at
 * that deadline: not before (the signal did not end it), not more than
 * @late_ms after (the restart did not start a new wait).  A child catches
 * SIGUSR1 and runs @call(deadline, @arg), which must return -ETIMEDOUT;
 * the parent sends the signal once @asleep(child, @arg, timeout_ms) says
 * it is blocked.  The deadline is set before the fork, so a loaded host
 * may let it pass first: then nothing is proven and the caller tries a
 * longer one, but the call must still not have returned early.
 * Return: 1 if proven, 0 if too slow for @ms, -1 if no pipe or child.
 */
static inline int
kt_try_restart_keeps_deadline(struct __test_metadata *_metadata, int ms,
			      int late_ms, int (*call)(int64_t end, void *arg),
			      int (*asleep)(pid_t pid, void *arg, int timeout_ms),
			      void *arg)
{
	struct kt_report r = { .ret = 0 };
	int64_t end, sent;
	int rep[2], hp[2], ret = -1;
	pid_t pid;

	if (pipe(rep))
		return -1;
	if (pipe(hp))
		goto out_rep;
	end = kt_now_ns() + ms * KT_NSEC_PER_MSEC;
	pid = kt_fork();
	if (pid == 0) {
		if (kt_catch_signal(SIGUSR1, hp[1], SA_RESTART))
			_exit(91);
		ret = call(end, arg);
		kt_report(rep[1], 0, ret, (uint64_t)kt_now_ns());
		_exit(0);
	}
	if (pid < 0)
		goto out;
	ret = 0;
	if (asleep(pid, arg, ms)) {
		TH_LOG("%d ms: not seen blocked before the deadline", ms);
	} else if (!kill(pid, SIGUSR1)) {
		sent = kt_now_ns();
		ret = sent < end;
		if (ret) {
			EXPECT_EQ('h', kt_read_byte(hp[0], KT_CHILD_TIMEOUT_MS));
		} else {
			TH_LOG("%d ms: signalled %lld ms after the deadline",
			       ms, (long long)((sent - end) / KT_NSEC_PER_MSEC));
		}
	}
	EXPECT_EQ(1, kt_read_report(rep[0], &r, ms + KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(-ETIMEDOUT, r.ret);
	EXPECT_LE(end, (int64_t)r.value) TH_LOG("returned early");
	if (ret) {
		EXPECT_GT(end + late_ms * KT_NSEC_PER_MSEC, (int64_t)r.value);
	}
	EXPECT_EQ(0, kt_reap(pid, KT_CHILD_TIMEOUT_MS));
out:
	close(hp[0]);
	close(hp[1]);
out_rep:
	close(rep[0]);
	close(rep[1]);
	return ret;
}

/*
 * kt_try_restart_keeps_deadline() with a deadline of @first_ms, then
 * longer ones (2 s, 8 s) while the host is too slow for the try.
 */
static inline void
kt_check_restart_keeps_deadline(struct __test_metadata *_metadata,
				int first_ms, int late_ms,
				int (*call)(int64_t end, void *arg),
				int (*asleep)(pid_t pid, void *arg,
					      int timeout_ms),
				void *arg)
{
	const int ms[] = { first_ms, 2000, 8000 };
	int i, ret = 0;

	for (i = 0; i < 3 && !ret; i++) {
		ret = kt_try_restart_keeps_deadline(_metadata, ms[i], late_ms,
						    call, asleep, arg);
		ASSERT_LE(0, ret);
	}
	EXPECT_EQ(1, ret) TH_LOG("never signalled before the deadline");
}

/* ---- killed waiters ---------------------------------------------------- */

/*
 * A waiter killed in the middle of the line does not break FIFO order:
 * three children start blocking on @fd one after the other (@spawn(fd,
 * rep, idx) starts child idx, reporting on rep; @nblocked(fd, n,
 * timeout_ms) waits until n block), the middle one is killed, and the two
 * wakes @wake(fd, 500) and @wake(fd, 502) go to the first and the last:
 * each reports { idx, @ret, 500 + idx } and exits with 0.
 */
static inline void
kt_check_kill_middle_keeps_order(struct __test_metadata *_metadata, int fd,
				 pid_t (*spawn)(int fd, int rep, int idx),
				 int (*nblocked)(int fd, unsigned int n,
						 int timeout_ms),
				 int (*wake)(int fd, uint64_t value), int ret)
{
	struct kt_report r;
	pid_t pids[3];
	int rep[2], i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(rep));
	for (i = 0; i < 3; i++) {
		pids[i] = spawn(fd, rep[1], i);
		ASSERT_LE(0, pids[i]);
		ASSERT_EQ(0, nblocked(fd, i + 1, KT_CHILD_TIMEOUT_MS));
	}
	ASSERT_EQ(0, kill(pids[1], SIGKILL));
	EXPECT_EQ(256 + SIGKILL, kt_reap(pids[1], KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, nblocked(fd, 2, KT_CHILD_TIMEOUT_MS));
	ASSERT_EQ(0, wake(fd, 500));
	ASSERT_EQ(0, wake(fd, 502));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(1, kt_read_report(rep[0], &r, KT_CHILD_TIMEOUT_MS));
		EXPECT_EQ(ret, r.ret);
		EXPECT_EQ(500ULL + r.idx, r.value);
	}
	EXPECT_EQ(0, kt_reap(pids[0], KT_CHILD_TIMEOUT_MS));
	EXPECT_EQ(0, kt_reap(pids[2], KT_CHILD_TIMEOUT_MS));
}

/* ---- attribute structs: fields that must be zero ------------------------ */

/*
 * Create with an attribute struct of @size bytes that is all zero but for
 * one field, which must make @create(attr, size) fail with EINVAL and
 * change nothing: each bit of the __u32 flags at @flags_off (all 32
 * unknown), the __u32 padding at @pad_off, each of the @nres __u64
 * reserved words at @res_off set to @res_val.  @created_too: see
 * KT_EXPECT_FAILS_NO_CHANGE().
 */
static inline void
kt_check_attr_zero_fields(struct __test_metadata *_metadata,
			  int (*create)(const void *attr, uint32_t size),
			  uint32_t size, size_t flags_off, size_t pad_off,
			  size_t res_off, unsigned int nres, uint64_t res_val,
			  bool created_too)
{
	uint32_t one = 1, bit;
	uint8_t a[256];
	unsigned int i;

	ASSERT_GE(sizeof(a), size);
	for (i = 0; i < 32 + 1 + nres; i++) {
		memset(a, 0, sizeof(a));
		if (i < 32) {
			bit = 1U << i;
			memcpy(a + flags_off, &bit, sizeof(bit));
		} else if (i == 32) {
			memcpy(a + pad_off, &one, sizeof(one));
		} else {
			memcpy(a + res_off + (i - 33) * sizeof(uint64_t),
			       &res_val, sizeof(res_val));
		}
		KT_EXPECT_FAILS_NO_CHANGE(create(a, size), EINVAL,
					  created_too);
	}
}

/* kt_check_attr_zero_fields() for struct @type (flags, __pad, reserved). */
#define KT_CHECK_ATTR_ZERO_FIELDS(create, type, res_val, created_too)	\
	kt_check_attr_zero_fields(_metadata, create, sizeof(type),	\
				  offsetof(type, flags),		\
				  offsetof(type, __pad),		\
				  offsetof(type, reserved),		\
				  ARRAY_SIZE(((type *)0)->reserved),	\
				  res_val, created_too)

#endif /* KIPC_TEST_UTIL_H */
