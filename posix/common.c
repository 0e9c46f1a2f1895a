// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc-posix: names, the device, umask, capabilities and clocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "../libkipc/internal.h"

/*
 * kipc names refuse control characters, space, '/' and DEL; POSIX names
 * take any byte but '/'.  Those bytes and '%' itself become %XX, so every
 * POSIX name has exactly one kipc name, readable in kipcctl and fdinfo.
 */
static int kp_escape(const char *s, size_t len, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c <= ' ' || c == 0x7f || c == '%') {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = c;
		}
	}
	out[o] = 0;
	return 0;
}

int kp_name(enum kp_kind kind, const char *name, char *out)
{
	size_t len, max = NAME_MAX;

	if (kind == KP_MQ) {
		/* glibc's check, then the kernel's lookup in the mqueue fs. */
		if (name[0] != '/')
			return EINVAL;
		name++;
		len = strlen(name);
		if (len >= PATH_MAX)
			return ENAMETOOLONG;
		if (!len)
			return ENOENT;	/* the kernel's getname() of "" */
		if (strchr(name, '/') || !strcmp(name, ".") ||
		    !strcmp(name, ".."))
			return EACCES;
		if (len > NAME_MAX)
			return ENAMETOOLONG;
		return kp_escape(name, len, out);
	}
	/* glibc's __shm_get_name(): any number of leading slashes. */
	while (*name == '/')
		name++;
	len = strlen(name);
	if (!len || strchr(name, '/'))
		return EINVAL;
	if (kind == KP_SEM)
		max -= 4;	/* glibc's files are "sem.NAME" */
	if (len > max)
		return ENAMETOOLONG;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return EINVAL;
	return kp_escape(name, len, out);
}

int kp_dev_ok(void)
{
	static atomic_int said;
	int fd = kipc_dev();

	if (fd >= 0)
		return 0;
	if (!atomic_exchange(&said, 1))
		fprintf(stderr, "libkipc-posix: cannot open %s: %s (is the kipc module loaded?); POSIX IPC calls fail with ENOSYS\n",
			KIPC_DEVICE_PATH, strerror(-fd));
	return ENOSYS;
}

int kp_open_prep(enum kp_kind kind, const char *name, char *kname,
		 int oflag, uint32_t *fdflags)
{
	int err;

	err = kp_name(kind, name, kname);
	if (!err)
		err = kp_dev_ok();
	if (err || !fdflags)
		return err;
	*fdflags = 0;
	switch (oflag & O_ACCMODE) {
	case O_RDONLY:
		*fdflags |= KIPC_FD_RDONLY;
		break;
	case O_WRONLY:
		*fdflags |= KIPC_FD_WRONLY;
		break;
	case O_RDWR:
		break;
	default:
		return EINVAL;
	}
	if (oflag & O_NONBLOCK)
		*fdflags |= KIPC_FD_NONBLOCK;
	return 0;
}

int kp_open_or_create(const struct kp_open *op, int *made)
{
	int fd, creat = op->oflag & O_CREAT, excl = op->oflag & O_EXCL;

	if (made)
		*made = 0;
	for (;;) {
		if (!creat || !excl) {
			fd = kipc_open(op->type, op->kname, op->fdflags);
			if (fd != -ENOENT || !creat)
				return fd;
		}
		fd = op->create(op, op->mode & ~kp_umask() & 0777);
		if (fd != -EEXIST || excl)
			break;
		/* Created by another meanwhile: open it. */
	}
	if (made && fd >= 0)
		*made = 1;
	return fd;
}

static const uint32_t kp_kind_type[] = {
	[KP_MQ] = KIPC_TYPE_QUEUE,
	[KP_SEM] = KIPC_TYPE_SEMAPHORE,
	[KP_SHM] = KIPC_TYPE_REGION,
};

int kp_unlink(enum kp_kind kind, const char *name)
{
	char kname[KP_NAME_SIZE];
	int err;

	err = kp_name(kind, name, kname);
	/* glibc's sem_ and shm_unlink: a name it cannot make is not there. */
	if (err && kind != KP_MQ && err != ENAMETOOLONG)
		err = ENOENT;
	if (!err)
		err = kp_dev_ok();
	if (err)
		return kp_fail(err, -1);
	err = kipc_unlink(kp_kind_type[kind], kname);
	/* Linux's mqueue fs: not the owner of a sticky directory's file. */
	if (err == -EPERM && kind == KP_MQ)
		err = -EACCES;
	return err ? kp_fail(-err, -1) : 0;
}

/* /proc/self/status has "Umask:" since Linux 4.7: no umask() race. */
unsigned int kp_umask(void)
{
	char buf[4096];
	unsigned int mask;
	ssize_t n;
	char *p;
	int fd;

	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			p = strstr(buf, "\nUmask:");
			if (p && sscanf(p + 7, "%o", &mask) == 1)
				return mask & 0777;
		}
	}
	mask = umask(022);
	umask(mask);
	return mask & 0777;
}

int kp_cap_sys_resource(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return 0;
	return !!(d[CAP_SYS_RESOURCE / 32].effective &
		  (1U << (CAP_SYS_RESOURCE % 32)));
}

int64_t kp_ns_until(clockid_t clock, const struct timespec *abs)
{
	struct timespec now;
	int64_t s, ns;

	clock_gettime(clock, &now);
	s = (int64_t)abs->tv_sec - now.tv_sec;
	if (s > INT32_MAX)
		return INT64_MAX / 2;
	ns = s * 1000000000LL + (abs->tv_nsec - now.tv_nsec);
	return ns;
}
