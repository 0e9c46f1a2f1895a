// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-pathbench: the cost of one trip through each kernel path, in one
 * process, without blocking.
 *
 *   kipc-pathbench [-n OPS] [-r ROUNDS] [-l LABEL]
 *
 * Each figure is a pair of operations that leaves the object as it found
 * it (send + receive, post + wait, lock + unlock, signal + wait; open +
 * close of a named object; create + unlink + close of one), timed
 * over OPS pairs; the best of ROUNDS is printed as
 *
 *   pathbench LABEL FIGURE NS
 *
 * It exists to compare two builds of the module in the same VM boot
 * (scripts/bench-ab.sh loads one, runs this, loads the other, and so on):
 * the per-object counters of the netlink family are written on exactly
 * these paths, and must cost nothing measurable there.  The user-space
 * fast paths (mapped ring, semaphore and mutex words) are not measured:
 * they never enter the kernel.  Exit status: 0, or 1 if a call failed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "libkipc.h"

static long ops = 20000;
static int rounds = 5;
static const char *label = "-";

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One figure: @pair does one pair of operations and returns 0 or -errno. */
struct figure {
	const char *name;
	int (*setup)(int fds[2]);
	int (*pair)(int fds[2]);
};

static char msg[64], buf[64];

static int queue_setup(int fds[2])
{
	fds[0] = kipc_queue_create(NULL, 0600, 16, sizeof(msg), 0);
	return fds[0] < 0 ? fds[0] : 0;
}

static int queue_pair(int fds[2])
{
	long n;
	int err;

	err = kipc_queue_send(fds[0], msg, sizeof(msg), 0, 0);
	if (err)
		return err;
	n = kipc_queue_recv(fds[0], buf, sizeof(buf), NULL, 0);
	return n < 0 ? (int)n : 0;
}

static int pipe_setup(int fds[2])
{
	return kipc_pipe(fds, 0, 0);
}

static int pipe_pair(int fds[2])
{
	if (write(fds[1], msg, sizeof(msg)) != sizeof(msg))
		return -errno;
	if (read(fds[0], buf, sizeof(buf)) != sizeof(buf))
		return -errno;
	return 0;
}

static int channel_setup(int fds[2])
{
	return kipc_channel_pair(fds, NULL, 0);
}

static int channel_pair(int fds[2])
{
	size_t len;
	int err;

	err = kipc_channel_send(fds[0], msg, sizeof(msg), 0);
	if (err)
		return err;
	err = kipc_channel_recv(fds[1], buf, sizeof(buf), &len, 0);
	if (err < 0)
		return err;
	return err == 1 && len == sizeof(msg) ? 0 : -EIO;
}

static int event_setup(int fds[2])
{
	fds[0] = kipc_event_create(NULL, 0600, 0, 0);
	return fds[0] < 0 ? fds[0] : 0;
}

static int event_pair(int fds[2])
{
	uint64_t v;
	int err;

	err = kipc_event_signal(fds[0], 1);
	if (err)
		return err;
	return kipc_event_trywait(fds[0], &v);
}

static int sem_setup(int fds[2])
{
	fds[0] = kipc_sem_create(NULL, 0600, 0, 0, 0);
	return fds[0] < 0 ? fds[0] : 0;
}

/* Through the ioctls, not libkipc's mapped word: the kernel path. */
static int sem_pair(int fds[2])
{
	struct kipc_sem_op op = { .count = 1 };

	if (ioctl(fds[0], KIPC_SEM_IOC_POST, &op))
		return -errno;
	memset(&op, 0, sizeof(op));
	op.count = 1;
	op.flags = KIPC_WAIT_NONBLOCK;
	return ioctl(fds[0], KIPC_SEM_IOC_WAIT, &op) ? -errno : 0;
}

static int mutex_setup(int fds[2])
{
	fds[0] = kipc_mutex_create(NULL, 0600, 0, 0);
	return fds[0] < 0 ? fds[0] : 0;
}

static int mutex_pair(int fds[2])
{
	struct kipc_mutex_lock l = { .flags = KIPC_WAIT_NONBLOCK };

	if (ioctl(fds[0], KIPC_MUTEX_IOC_LOCK, &l))
		return -errno;
	return ioctl(fds[0], KIPC_MUTEX_IOC_UNLOCK) ? -errno : 0;
}

static int open_setup(int fds[2])
{
	fds[0] = kipc_event_create("pathbench.open", 0600, 0, 0);
	return fds[0] < 0 ? fds[0] : 0;
}

/* The registry's lookup and an fd's life: open by name, close. */
static int open_pair(int fds[2])
{
	int fd = kipc_event_open("pathbench.open", 0);

	(void)fds;
	if (fd < 0)
		return fd;
	return close(fd) ? -errno : 0;
}

static int create_setup(int fds[2])
{
	fds[0] = -1;
	return 0;
}

/* An object's whole life: create (charge, id, name), unlink, close. */
static int create_pair(int fds[2])
{
	int fd = kipc_event_create("pathbench.create", 0600, 0, 0);

	(void)fds;
	if (fd < 0)
		return fd;
	if (kipc_unlink(KIPC_TYPE_EVENT, "pathbench.create"))
		return -EIO;
	return close(fd) ? -errno : 0;
}

static const struct figure figures[] = {
	{ "queue-64B-send+recv", queue_setup, queue_pair },
	{ "pipe-64B-write+read", pipe_setup, pipe_pair },
	{ "channel-fd-64B-send+recv", channel_setup, channel_pair },
	{ "event-signal+trywait", event_setup, event_pair },
	{ "sem-ioctl-post+trywait", sem_setup, sem_pair },
	{ "mutex-ioctl-trylock+unlock", mutex_setup, mutex_pair },
	{ "event-open+close", open_setup, open_pair },
	{ "event-create+unlink+close", create_setup, create_pair },
};

/* The best of @rounds timings of @ops pairs, in ns per pair, or -1. */
static double run_figure(const struct figure *f)
{
	int fds[2] = { -1, -1 };
	double best = -1;
	int err;

	err = f->setup(fds);
	if (err) {
		fprintf(stderr, "kipc-pathbench: %s: setup: %s\n", f->name,
			strerror(-err));
		return -1;
	}
	for (int r = 0; r < rounds; r++) {
		int64_t t0 = now_ns();

		for (long i = 0; i < ops; i++) {
			err = f->pair(fds);
			if (err) {
				fprintf(stderr, "kipc-pathbench: %s: %s\n",
					f->name, strerror(-err));
				best = -1;
				goto out;
			}
		}
		double ns = (double)(now_ns() - t0) / (double)ops;

		if (best < 0 || ns < best)
			best = ns;
	}
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	kipc_unlink(KIPC_TYPE_EVENT, "pathbench.open");
	return best;
}

static void usage(void)
{
	fprintf(stderr, "usage: kipc-pathbench [-n OPS] [-r ROUNDS] [-l LABEL]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int opt, rc = 0;

	while ((opt = getopt(argc, argv, "n:r:l:")) != -1) {
		switch (opt) {
		case 'n':
			ops = strtol(optarg, NULL, 10);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'l':
			label = optarg;
			break;
		default:
			usage();
		}
	}
	if (ops < 1 || rounds < 1 || optind != argc)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(msg, 0x5a, sizeof(msg));
	for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++) {
		double ns = run_figure(&figures[i]);

		if (ns < 0)
			rc = 1;
		else
			printf("pathbench %s %s %.1f\n", label,
			       figures[i].name, ns);
	}
	return rc;
}
