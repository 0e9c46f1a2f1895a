// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: kipc messaging against Linux's own, between two processes.
 *
 *   kipc-bench [-d SECONDS] [-r REPS] [-c 1|2] [-l] [-t SECONDS]
 *
 * Two fork()ed processes, pinned with sched_setaffinity(), both on CPU 0
 * ("1 CPU") and on CPUs 0 and 1 ("2 CPUs"), measure
 *
 * - the round-trip time of a 64-byte ping-pong (median and 99th
 *   percentile of RTT_RUNS x RTT_ROUNDS round trips, in runs interleaved
 *   with the other mechanisms, each after RTT_WARMUP), and
 * - streaming throughput of 64 B, 4 KiB and 64 KiB messages: the sender
 *   sends a number of messages, the receiver takes them all; the time
 *   runs from the sender's first send (after both are ready) to the
 *   receiver's last receive.  A pilot run sizes the runs to last about
 *   -d seconds; each stream then runs -r times, interleaved with the
 *   other mechanisms, and the median is reported.
 *
 * for Linux's pipe, AF_UNIX SOCK_SEQPACKET socketpair (also with
 * sendmmsg/recvmmsg batches), POSIX mq and System V msg queues, and for
 * kipc's queue, pipe and channel (kernel path by fd, user-space fast path
 * by struct kipc_ring, each also batched; kipc_ring_call for ping-pong).  Every message carries its
 * sequence number in its first and last 8 bytes, checked on receipt.
 *
 * It then prints each kipc figure as a ratio to the best Linux mechanism
 * of the same kind, and the issue's targets as "target met/missed".
 * Exit status: 0 when every measurement ran and every byte arrived right
 * (targets missed or not), 1 on any error (a call failing, lost, reordered
 * or corrupted data, a hang).  -l runs the Linux mechanisms only (no
 * module needed).  Run as root it raises the mq and msg limits it needs.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/futex.h>
#include <mqueue.h>
#include <pthread.h>
#include <semaphore.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libkipc.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define RTT_SIZE	64
#define RTT_RUNS	5
#define RTT_WARMUP	100		/* per run */
#define RTT_ROUNDS	1000		/* per run */
#define BATCH		32		/* messages per batched call */
#define QDEPTH		64		/* depth of every message queue */
#define CHAN_CAPACITY	(1U << 20)	/* bytes per channel ring */
#define CHAN_MAX_MSG	(64U << 10)
#define KPIPE_CAPACITY	(64U << 10)	/* as a Linux pipe's default */
#define HEADROOM	16		/* before each buffer: SysV's mtype */
#define SLACK		64		/* receive buffers are this much larger */
#define NSIZES		3
#define MAXREPS		15
#define MAXMECH		16

static const size_t sizes[NSIZES] = { 64, 4096, 65536 };
static const char *const size_names[NSIZES] = { "64B", "4KiB", "64KiB" };
/* Messages of a first pilot run; it grows until it lasts PILOT_SECS. */
static const long pilot_count[NSIZES] = { 2000, 500, 50 };
#define PILOT_SECS	0.05

static double run_secs = 0.3;	/* the length of a measured run */
static int reps = 5;
static int test_timeout = 60;	/* seconds, per measurement */
static int errors;
static bool clock_changed[2];	/* during a CPU configuration */

/* ---- mechanisms ----------------------------------------------------------- */

enum { DIR_AB, DIR_BA };	/* A is the client/sender, B the server/receiver */
enum { SIDE_A, SIDE_B };

#define F_LINUX		0x01	/* a Linux mechanism (else kipc) */
#define F_BATCH		0x02	/* streams with sendv/recvv */
#define F_NORTT		0x04	/* no ping-pong */
#define F_ONECPU	0x08	/* only in the 1-CPU configuration */
#define F_RTTREF	0x10	/* a reference for the round-trip ratio */
#define F_SPIN		0x20	/* libkipc's default spin, also on 1 CPU */
#define F_NOSTREAM	0x40	/* ping-pong only */

/* The objects of one measurement, made by the parent before fork(). */
struct ctx {
	size_t size;		/* message size of this measurement */
	int fd[2][2];		/* pipes: [direction][read, write] */
	int sv[2];		/* socketpair; channel ends: one per side */
	mqd_t mq[2];		/* per direction */
	int msqid[2];
	int q[2];
	struct kipc_ring *ch;	/* this process's fast-path handle */
	bool spin;		/* keep the default spin policy */
};

struct mech {
	const char *name;
	unsigned int flags;
	int (*setup)(struct ctx *c);
	int (*attach)(struct ctx *c, int side);	/* in the child, may be NULL */
	/* one message; return 0 or -errno */
	int (*send)(struct ctx *c, int side, void *buf, size_t len);
	/* one message; return its length or -errno */
	long (*recv)(struct ctx *c, int side, void *buf, size_t cap);
	/* up to n; return how many (>= 1) or -errno; lens in and out */
	int (*sendv)(struct ctx *c, int side, void **bufs, size_t *lens, int n);
	int (*recvv)(struct ctx *c, int side, void **bufs, size_t *lens, int n);
	/* send one, then receive one; return its length or -errno */
	long (*call)(struct ctx *c, int side, void *buf, size_t len, size_t cap);
	void (*teardown)(struct ctx *c);
};

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void ctx_init(struct ctx *c, size_t size)
{
	memset(c, 0, sizeof(*c));
	c->size = size;
	for (int i = 0; i < 2; i++) {
		c->fd[i][0] = c->fd[i][1] = -1;
		c->sv[i] = -1;
		c->mq[i] = (mqd_t)-1;
		c->msqid[i] = -1;
		c->q[i] = -1;
	}
}

static void close_all(struct ctx *c)
{
	for (int i = 0; i < 2; i++) {
		close_fd(&c->fd[i][0]);
		close_fd(&c->fd[i][1]);
		close_fd(&c->sv[i]);
		close_fd(&c->q[i]);
		if (c->mq[i] != (mqd_t)-1)
			mq_close(c->mq[i]);
		c->mq[i] = (mqd_t)-1;
		if (c->msqid[i] >= 0)
			msgctl(c->msqid[i], IPC_RMID, NULL);
		c->msqid[i] = -1;
	}
}

/* The direction a side sends on, and receives on. */
static int txdir(int side)
{
	return side == SIDE_A ? DIR_AB : DIR_BA;
}

static int rxdir(int side)
{
	return side == SIDE_A ? DIR_BA : DIR_AB;
}

/* Byte streams: whole messages by looping. */
static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return neg_errno();
		}
		p += n;
		len -= n;
	}
	return 0;
}

static long read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return neg_errno();
		}
		if (n == 0)
			return -EPIPE;	/* unexpected end-of-file */
		got += n;
	}
	return got;
}

/* Linux pipe, kipc pipe. */
static int pipe_setup(struct ctx *c)
{
	for (int d = 0; d < 2; d++)
		if (pipe(c->fd[d]))
			return neg_errno();
	return 0;
}

static int kpipe_setup(struct ctx *c)
{
	for (int d = 0; d < 2; d++) {
		int err = kipc_pipe(c->fd[d], KPIPE_CAPACITY, 0);

		if (err)
			return err;
	}
	return 0;
}

static int pipe_send(struct ctx *c, int side, void *buf, size_t len)
{
	return write_all(c->fd[txdir(side)][1], buf, len);
}

static long pipe_recv(struct ctx *c, int side, void *buf, size_t cap)
{
	(void)cap;
	return read_full(c->fd[rxdir(side)][0], buf, c->size);
}

/* AF_UNIX SOCK_SEQPACKET socketpair. */
static int sock_setup(struct ctx *c)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, c->sv))
		return neg_errno();
	return 0;
}

static int sock_send(struct ctx *c, int side, void *buf, size_t len)
{
	ssize_t n;

	do
		n = send(c->sv[side], buf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return neg_errno();
	return (size_t)n == len ? 0 : -EIO;
}

static long sock_recv(struct ctx *c, int side, void *buf, size_t cap)
{
	ssize_t n;

	do
		n = recv(c->sv[side], buf, cap, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return neg_errno();
	if (n == 0)
		return -EPIPE;
	return n;
}

static int sock_sendv(struct ctx *c, int side, void **bufs, size_t *lens, int n)
{
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	int r;

	memset(mm, 0, sizeof(mm[0]) * n);
	for (int i = 0; i < n; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = lens[i];
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	do
		r = sendmmsg(c->sv[side], mm, n, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return neg_errno();
	for (int i = 0; i < r; i++)
		if (mm[i].msg_len != lens[i])
			return -EIO;
	return r ? r : -EIO;
}

static int sock_recvv(struct ctx *c, int side, void **bufs, size_t *lens, int n)
{
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	int r;

	memset(mm, 0, sizeof(mm[0]) * n);
	for (int i = 0; i < n; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = lens[i];
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	do
		r = recvmmsg(c->sv[side], mm, n, MSG_WAITFORONE, NULL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return neg_errno();
	if (r == 0)
		return -EPIPE;
	for (int i = 0; i < r; i++)
		lens[i] = mm[i].msg_len;
	return r;
}

/* POSIX message queues, QDEPTH deep. */
static unsigned long mq_serial;

static int pmq_setup(struct ctx *c)
{
	struct mq_attr attr = { .mq_maxmsg = QDEPTH, .mq_msgsize = c->size };
	char name[64];

	for (int d = 0; d < 2; d++) {
		snprintf(name, sizeof(name), "/kipc-bench.%d.%lu", (int)getpid(),
			 mq_serial++);
		c->mq[d] = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
		if (c->mq[d] == (mqd_t)-1)
			return neg_errno();
		mq_unlink(name);
	}
	return 0;
}

static int pmq_send(struct ctx *c, int side, void *buf, size_t len)
{
	int r;

	do
		r = mq_send(c->mq[txdir(side)], buf, len, 0);
	while (r < 0 && errno == EINTR);
	return r ? neg_errno() : 0;
}

static long pmq_recv(struct ctx *c, int side, void *buf, size_t cap)
{
	ssize_t n;

	do
		n = mq_receive(c->mq[rxdir(side)], buf, cap, NULL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? neg_errno() : n;
}

/* System V message queues, QDEPTH messages of this size deep. */
static int sysv_setup(struct ctx *c)
{
	struct msqid_ds ds;

	for (int d = 0; d < 2; d++) {
		c->msqid[d] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		if (c->msqid[d] < 0)
			return neg_errno();
		if (msgctl(c->msqid[d], IPC_STAT, &ds))
			return neg_errno();
		ds.msg_qbytes = QDEPTH * c->size;
		if (msgctl(c->msqid[d], IPC_SET, &ds))
			return neg_errno();
	}
	return 0;
}

/* Buffers have HEADROOM bytes in front: room for the long mtype. */
static int sysv_send(struct ctx *c, int side, void *buf, size_t len)
{
	long *m = (long *)buf - 1;
	int r;

	*m = 1;
	do
		r = msgsnd(c->msqid[txdir(side)], m, len, 0);
	while (r < 0 && errno == EINTR);
	return r ? neg_errno() : 0;
}

static long sysv_recv(struct ctx *c, int side, void *buf, size_t cap)
{
	long *m = (long *)buf - 1;
	ssize_t n;

	do
		n = msgrcv(c->msqid[rxdir(side)], m, cap, 0, 0);
	while (n < 0 && errno == EINTR);
	return n < 0 ? neg_errno() : n;
}

/* kipc queue, QDEPTH deep. */
static int kq_setup(struct ctx *c)
{
	for (int d = 0; d < 2; d++) {
		c->q[d] = kipc_queue_create(NULL, 0600, QDEPTH, c->size, 0);
		if (c->q[d] < 0)
			return c->q[d];
	}
	return 0;
}

static int kq_send(struct ctx *c, int side, void *buf, size_t len)
{
	return kipc_queue_send(c->q[txdir(side)], buf, len, 0, KIPC_INFINITE);
}

static long kq_recv(struct ctx *c, int side, void *buf, size_t cap)
{
	return kipc_queue_recv(c->q[rxdir(side)], buf, cap, NULL,
			       KIPC_INFINITE);
}

/* kipc channel: side A holds end 0, side B end 1. */
static int chan_setup(struct ctx *c)
{
	struct kipc_channel_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.capacity[0] = attr.capacity[1] = CHAN_CAPACITY;
	attr.max_msg[0] = attr.max_msg[1] = CHAN_MAX_MSG;
	return kipc_channel_pair(c->sv, &attr, 0);
}

static int chank_send(struct ctx *c, int side, void *buf, size_t len)
{
	return kipc_channel_send(c->sv[side], buf, len, KIPC_INFINITE);
}

static long chan_result(int r, size_t len)
{
	if (r < 0)
		return r;
	return r == 1 ? (long)len : -EPIPE;	/* 0: end-of-channel */
}

static long chank_recv(struct ctx *c, int side, void *buf, size_t cap)
{
	size_t len = 0;
	int r = kipc_channel_recv(c->sv[side], buf, cap, &len, KIPC_INFINITE);

	return chan_result(r, len);
}

static void to_chan_msgs(struct kipc_chan_msg *m, void **bufs, size_t *lens,
			 int n)
{
	memset(m, 0, sizeof(*m) * n);
	for (int i = 0; i < n; i++) {
		m[i].buf = (uintptr_t)bufs[i];
		m[i].len = lens[i];
	}
}

static int chank_sendv(struct ctx *c, int side, void **bufs, size_t *lens,
		       int n)
{
	struct kipc_chan_msg m[BATCH];

	to_chan_msgs(m, bufs, lens, n);
	return kipc_channel_sendv(c->sv[side], m, n, KIPC_INFINITE);
}

static int chank_recvv(struct ctx *c, int side, void **bufs, size_t *lens,
		       int n)
{
	struct kipc_chan_msg m[BATCH];
	int r;

	to_chan_msgs(m, bufs, lens, n);
	r = kipc_channel_recvv(c->sv[side], m, n, KIPC_INFINITE);
	if (r == 0)
		return -EPIPE;
	for (int i = 0; i < r; i++)
		lens[i] = m[i].len;
	return r;
}

/*
 * The fast path: each process maps its own end after fork().  libkipc
 * falls back to the kernel path, silently, if it cannot map; that would
 * measure the wrong thing, so look for the mapping in /proc/self/maps.
 */
static bool chan_mapped(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	bool found = false;

	if (!f)
		return true;	/* cannot tell */
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, "kipc-channel-map") != NULL;
	fclose(f);
	return found;
}

static int chanf_attach(struct ctx *c, int side)
{
	int err = kipc_ring_attach(c->sv[side], &c->ch);

	if (err)
		return err;
	if (!chan_mapped())
		return -ENXIO;
	/*
	 * On one CPU nobody else can run while we spin.  libkipc's default
	 * sees that (both ends last ran on the same CPU), and channel-spin
	 * measures it; the plain channel rows turn spinning off there.
	 */
	if (!c->spin)
		kipc_ring_set_spin(c->ch, 0);
	return 0;
}

static int chanf_send(struct ctx *c, int side, void *buf, size_t len)
{
	(void)side;
	return kipc_ring_send(c->ch, buf, len, KIPC_INFINITE);
}

static long chanf_recv(struct ctx *c, int side, void *buf, size_t cap)
{
	size_t len = 0;
	int r = kipc_ring_recv(c->ch, buf, cap, &len, KIPC_INFINITE);

	(void)side;
	return chan_result(r, len);
}

static int chanf_sendv(struct ctx *c, int side, void **bufs, size_t *lens,
		       int n)
{
	struct kipc_chan_msg m[BATCH];

	(void)side;
	to_chan_msgs(m, bufs, lens, n);
	return kipc_ring_sendv(c->ch, m, n, KIPC_INFINITE);
}

static int chanf_recvv(struct ctx *c, int side, void **bufs, size_t *lens,
		       int n)
{
	struct kipc_chan_msg m[BATCH];
	int r;

	(void)side;
	to_chan_msgs(m, bufs, lens, n);
	r = kipc_ring_recvv(c->ch, m, n, KIPC_INFINITE);
	if (r == 0)
		return -EPIPE;
	for (int i = 0; i < r; i++)
		lens[i] = m[i].len;
	return r;
}

/* Request and reply in one call: kipc_ring_call(). */
static long chanf_call(struct ctx *c, int side, void *buf, size_t len,
		       size_t cap)
{
	size_t rlen = 0;
	int r = kipc_ring_call(c->ch, buf, len, buf, cap, &rlen, KIPC_INFINITE);

	(void)side;
	return chan_result(r, rlen);
}

#define OPS(pfx)	.setup = pfx##_setup, .send = pfx##_send, \
			.recv = pfx##_recv, .teardown = close_all

static const struct mech mechs[] = {
	{ "pipe", F_LINUX | F_RTTREF, OPS(pipe) },
	{ "socketpair", F_LINUX | F_RTTREF, OPS(sock) },
	{ "socket-mmsg", F_LINUX | F_BATCH | F_NORTT, OPS(sock),
	  .sendv = sock_sendv, .recvv = sock_recvv },
	{ "posix-mq", F_LINUX | F_RTTREF, OPS(pmq) },
	{ "sysv-msg", F_LINUX, OPS(sysv) },
	{ "kipc-queue", 0, OPS(kq) },
	{ "kipc-pipe", 0, .setup = kpipe_setup, .send = pipe_send,
	  .recv = pipe_recv, .teardown = close_all },
	{ "channel-kernel", 0, .setup = chan_setup, .send = chank_send,
	  .recv = chank_recv, .teardown = close_all },
	{ "channel-kernel-batch", F_BATCH | F_NORTT, .setup = chan_setup,
	  .send = chank_send, .recv = chank_recv, .sendv = chank_sendv,
	  .recvv = chank_recvv, .teardown = close_all },
	{ "channel", 0, .setup = chan_setup, .attach = chanf_attach,
	  .send = chanf_send, .recv = chanf_recv, .teardown = close_all },
	{ "channel-batch", F_BATCH | F_NORTT, .setup = chan_setup,
	  .attach = chanf_attach, .send = chanf_send, .recv = chanf_recv,
	  .sendv = chanf_sendv, .recvv = chanf_recvv, .teardown = close_all },
	{ "channel-call", F_NOSTREAM, .setup = chan_setup,
	  .attach = chanf_attach, .send = chanf_send, .recv = chanf_recv,
	  .call = chanf_call, .teardown = close_all },
	{ "channel-spin", F_ONECPU | F_SPIN, .setup = chan_setup,
	  .attach = chanf_attach, .send = chanf_send, .recv = chanf_recv,
	  .teardown = close_all },
};

#define NMECH	((int)(ARRAY_SIZE(mechs)))
_Static_assert(ARRAY_SIZE(mechs) <= MAXMECH, "MAXMECH");

static const char *const mech_notes[] = {
	"pipe            Linux pipe(2), 64 KiB buffer (two for ping-pong)",
	"socketpair      AF_UNIX SOCK_SEQPACKET, default buffers",
	"socket-mmsg     the same, sendmmsg/recvmmsg batches of 32",
	"posix-mq        mq_open, 64 messages deep",
	"sysv-msg        msgget, 64 messages deep (msg_qbytes)",
	"kipc-queue      kipc_queue_send/recv, 64 messages deep",
	"kipc-pipe       kipc_pipe, 64 KiB buffer, read(2)/write(2)",
	"channel-kernel  kipc_channel_send/recv by fd (ioctl), 1 MiB rings",
	"channel-kernel-batch   kipc_channel_sendv/recvv, batches of 32",
	"channel         kipc_ring_send/recv, the mapped fast path",
	"channel-batch   kipc_ring_sendv/recvv, batches of 32",
	"channel-call    ping-pong by kipc_ring_call (send and receive in one)",
	"channel-spin    channel with libkipc's default spin (1 CPU only)",
};

/* ---- running two processes --------------------------------------------- */

#define ERRLEN	256

/* Written by the children, read by the parent. */
struct shared {
	int64_t t_start;	/* ns, sender before its first send */
	int64_t t_end;		/* ns, receiver after its last receive */
	long sent, received;	/* messages of a stream */
	char err[2][ERRLEN];
	int64_t rtt[RTT_ROUNDS];
};

static struct shared *shm;

struct cpucfg {
	const char *label;	/* "1cpu" */
	const char *title;
	int cpu[2];
	bool one;
};

/* The outcome of one run. */
struct run {
	bool ok;
	double secs;
	long count;		/* messages of a stream */
	struct rusage ru[2];
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int child_side;

static void __attribute__((noreturn, format(printf, 2, 3)))
child_fail(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(shm->err[child_side], ERRLEN, fmt, ap);
	va_end(ap);
	_exit(status);
}

static const char *errstr(long err)
{
	return kipc_strerror((int)err);
}

/* Message contents: the sequence number in the first and last 8 bytes. */
#define TAILMAGIC	0x6b6970632d62656eULL

static void stamp(void *buf, size_t len, uint64_t seq)
{
	uint64_t tail = seq ^ TAILMAGIC;

	memcpy(buf, &seq, 8);
	memcpy((char *)buf + len - 8, &tail, 8);
}

static void check(const void *buf, long got, size_t len, uint64_t seq)
{
	uint64_t head, tail;

	if (got != (long)len)
		child_fail(3, "message %" PRIu64 ": length %ld, expected %zu",
			   seq, got, len);
	memcpy(&head, buf, 8);
	memcpy(&tail, (const char *)buf + len - 8, 8);
	if (head != seq)
		child_fail(3, "message %" PRIu64 ": got sequence number %" PRIu64
			   " (lost or reordered data)", seq, head);
	if (tail != (seq ^ TAILMAGIC))
		child_fail(3, "message %" PRIu64 ": its last 8 bytes are wrong "
			   "(%#" PRIx64 ")", seq, tail);
}

static void *alloc_buf(size_t size)
{
	char *p = malloc(HEADROOM + size + SLACK);

	if (!p)
		child_fail(2, "out of memory");
	memset(p, 0xa5, HEADROOM + size + SLACK);
	return p + HEADROOM;
}

/* The same with a send-and-receive call: the server replies and waits. */
static void pingpong_call(const struct mech *m, struct ctx *c, int side)
{
	void *buf = alloc_buf(RTT_SIZE);
	const int total = RTT_WARMUP + RTT_ROUNDS;
	long r;

	if (side == SIDE_B) {
		r = m->recv(c, side, buf, RTT_SIZE + SLACK);
		if (r < 0)
			child_fail(2, "receive: %s", errstr(r));
		check(buf, r, RTT_SIZE, 0);
		for (int i = 1; i < total; i++) {
			r = m->call(c, side, buf, RTT_SIZE, RTT_SIZE + SLACK);
			if (r < 0)
				child_fail(2, "call: %s", errstr(r));
			check(buf, r, RTT_SIZE, i);
		}
		r = m->send(c, side, buf, RTT_SIZE);
		if (r)
			child_fail(2, "send: %s", errstr(r));
		return;
	}
	for (int i = 0; i < total; i++) {
		int64_t t0 = now_ns();

		stamp(buf, RTT_SIZE, i);
		r = m->call(c, side, buf, RTT_SIZE, RTT_SIZE + SLACK);
		if (r < 0)
			child_fail(2, "call: %s", errstr(r));
		if (i >= RTT_WARMUP)
			shm->rtt[i - RTT_WARMUP] = now_ns() - t0;
		check(buf, r, RTT_SIZE, i);
	}
}

static void pingpong(const struct mech *m, struct ctx *c, int side)
{
	void *buf = alloc_buf(RTT_SIZE);
	const int total = RTT_WARMUP + RTT_ROUNDS;
	long r;

	if (m->call) {
		pingpong_call(m, c, side);
		return;
	}
	for (int i = 0; i < total; i++) {
		if (side == SIDE_A) {
			int64_t t0 = now_ns();

			stamp(buf, RTT_SIZE, i);
			r = m->send(c, side, buf, RTT_SIZE);
			if (r)
				child_fail(2, "send: %s", errstr(r));
			r = m->recv(c, side, buf, RTT_SIZE + SLACK);
			if (r < 0)
				child_fail(2, "receive: %s", errstr(r));
			if (i >= RTT_WARMUP)
				shm->rtt[i - RTT_WARMUP] = now_ns() - t0;
			check(buf, r, RTT_SIZE, i);
		} else {
			r = m->recv(c, side, buf, RTT_SIZE + SLACK);
			if (r < 0)
				child_fail(2, "receive: %s", errstr(r));
			check(buf, r, RTT_SIZE, i);
			r = m->send(c, side, buf, RTT_SIZE);
			if (r)
				child_fail(2, "send: %s", errstr(r));
		}
	}
}

/*
 * A stream's last message has END_FLAG in its sequence number: the sender
 * ends early, after a time limit, if a run is much slower than its pilot.
 */
#define END_FLAG	(1ULL << 63)
#define RUN_LIMIT	3	/* runs stop after RUN_LIMIT * run_secs */

static bool check_stream(const void *buf, long got, size_t len, uint64_t seq)
{
	uint64_t head;

	memcpy(&head, buf, 8);
	if (got >= 8 && head == (seq | END_FLAG)) {
		check(buf, got, len, seq | END_FLAG);
		return true;
	}
	check(buf, got, len, seq);
	return false;
}

static void stream_send(const struct mech *m, struct ctx *c, long count)
{
	size_t len = c->size, lens[BATCH];
	int nb = m->flags & F_BATCH ? BATCH : 1;
	long seq = 0, next_check = 0, every = len >= 4096 ? 8 : 128;
	int64_t limit;
	void *bufs[BATCH];

	for (int i = 0; i < nb; i++)
		bufs[i] = alloc_buf(len);
	shm->t_start = now_ns();
	limit = shm->t_start + (int64_t)(RUN_LIMIT * run_secs * 1e9);
	while (seq < count) {
		int n = count - seq < nb ? (int)(count - seq) : nb;

		if (seq >= next_check) {
			next_check = seq + every;
			if (now_ns() > limit)
				count = seq + n;	/* this batch is the last */
		}
		for (int i = 0; i < n; i++) {
			uint64_t sq = seq + i;

			stamp(bufs[i], len, sq + 1 == (uint64_t)count ?
					    sq | END_FLAG : sq);
			lens[i] = len;
		}
		if (!(m->flags & F_BATCH)) {
			int r = m->send(c, SIDE_A, bufs[0], len);

			if (r)
				child_fail(2, "send %ld: %s", seq, errstr(r));
			seq++;
			continue;
		}
		/* A batch may go in parts. */
		for (int done = 0; done < n;) {
			int r = m->sendv(c, SIDE_A, bufs + done, lens + done,
					 n - done);

			if (r <= 0)
				child_fail(2, "sendv %ld: %s", seq + done,
					   errstr(r ? r : -EIO));
			done += r;
		}
		seq += n;
	}
	shm->sent = seq;
}

static void stream_recv(const struct mech *m, struct ctx *c)
{
	size_t len = c->size, lens[BATCH];
	int nb = m->flags & F_BATCH ? BATCH : 1;
	void *bufs[BATCH];
	bool end = false;
	long seq = 0;

	for (int i = 0; i < nb; i++)
		bufs[i] = alloc_buf(len);
	while (!end) {
		if (!(m->flags & F_BATCH)) {
			long r = m->recv(c, SIDE_B, bufs[0], len + SLACK);

			if (r < 0)
				child_fail(2, "receive %ld: %s", seq, errstr(r));
			end = check_stream(bufs[0], r, len, seq);
			seq++;
			continue;
		}
		for (int i = 0; i < nb; i++)
			lens[i] = len + SLACK;
		int r = m->recvv(c, SIDE_B, bufs, lens, nb);

		if (r <= 0 || r > nb)
			child_fail(2, "recvv %ld: %s", seq,
				   r > nb ? "too many" : errstr(r ? r : -EIO));
		for (int i = 0; i < r; i++) {
			if (end)
				child_fail(3, "message %ld after the last one",
					   seq);
			end = check_stream(bufs[i], lens[i], len, seq);
			seq++;
		}
	}
	shm->t_end = now_ns();
	shm->received = seq;
}

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

/* Where a hung process waits, from /proc (the stack needs root). */
static void show_stack(pid_t pid)
{
	static const char *const files[] = { "wchan", "stack" };
	char path[64], line[256];

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, files[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		printf("    %s:\n", path);
		while (fgets(line, sizeof(line), f))
			printf("      %s%s", line,
			       strchr(line, '\n') ? "" : "\n");
		fclose(f);
	}
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		child_fail(2, "sched_setaffinity(CPU %d): %s", cpu,
			   strerror(errno));
}

/*
 * Fork A and B, pinned; B gets ready, then A starts.  count 0 is a
 * ping-pong, else a stream of count messages from A to B.
 */
static struct run run_pair(const struct mech *m, const struct cpucfg *cfg,
			   size_t size, long count)
{
	char what[64];
	struct run res = { .ok = false };
	pid_t pid[2] = { -1, -1 };
	int ready[2], status[2];
	struct ctx c;
	long err;

	memset(shm, 0, offsetof(struct shared, rtt));
	ctx_init(&c, size);
	/* libkipc's default spin, except on one CPU unless asked for. */
	c.spin = (m->flags & F_SPIN) || !cfg->one;
	if (count)
		snprintf(what, sizeof(what), "%s, stream of %zu B", m->name, size);
	else
		snprintf(what, sizeof(what), "%s, ping-pong", m->name);
	err = m->setup(&c);
	if (err) {
		printf("  ERROR %s: setup failed: %s\n", what, errstr(err));
		m->teardown(&c);
		errors++;
		return res;
	}
	if (pipe(ready)) {
		perror("pipe");
		exit(1);
	}
	fflush(stdout);
	for (int side = SIDE_B; side >= SIDE_A; side--) {
		pid[side] = fork();
		if (pid[side] < 0) {
			perror("fork");
			exit(1);
		}
		if (pid[side])
			continue;
		child_side = side;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pin(cfg->cpu[side]);
		if (m->attach) {
			err = m->attach(&c, side);
			if (err == -ENXIO)
				child_fail(2, "kipc_ring_attach: the rings are not "
					   "mapped (libkipc fell back to the "
					   "kernel path)");
			if (err)
				child_fail(2, "kipc_ring_attach: %s", errstr(err));
		}
		if (side == SIDE_B) {
			close(ready[0]);
			if (write(ready[1], "", 1) != 1)
				child_fail(2, "ready: %s", strerror(errno));
		} else {
			char x;

			close(ready[1]);
			if (read(ready[0], &x, 1) != 1)
				child_fail(2, "ready: %s", strerror(errno));
		}
		if (!count)
			pingpong(m, &c, side);
		else if (side == SIDE_A)
			stream_send(m, &c, count);
		else
			stream_recv(m, &c);
		if (c.ch)
			kipc_ring_detach(c.ch);
		_exit(0);
	}
	close(ready[0]);
	close(ready[1]);

	timed_out = 0;
	alarm(test_timeout);
	res.ok = true;
	for (int side = SIDE_A; side <= SIDE_B; side++) {
		while (wait4(pid[side], &status[side], 0, &res.ru[side]) < 0) {
			if (errno != EINTR) {
				perror("wait4");
				exit(1);
			}
			if (!timed_out)
				continue;
			timed_out = 0;
			if (!res.ok) {
				printf("  ERROR %s: the processes do not die "
				       "(stuck in the kernel?); giving up\n", what);
				exit(1);
			}
			/* A hang: show where, kill what is left, wait again. */
			printf("  ERROR %s: TIMEOUT after %d s (a process hung); "
			       "killing it\n", what, test_timeout);
			for (int s = side; s <= SIDE_B; s++) {
				show_stack(pid[s]);
				kill(pid[s], SIGKILL);
			}
			alarm(10);
			res.ok = false;
		}
	}
	alarm(0);
	for (int side = SIDE_A; side <= SIDE_B; side++) {
		const char *who = side == SIDE_A ? (count ? "sender" : "client")
						 : (count ? "receiver" : "server");

		if (WIFEXITED(status[side]) && !WEXITSTATUS(status[side]))
			continue;
		res.ok = false;
		if (shm->err[side][0])
			printf("  ERROR %s: %s: %s\n", what, who, shm->err[side]);
		else if (WIFSIGNALED(status[side]))
			printf("  ERROR %s: %s killed by signal %d\n", what, who,
			       WTERMSIG(status[side]));
		else
			printf("  ERROR %s: %s exited with %d\n", what, who,
			       WEXITSTATUS(status[side]));
	}
	if (res.ok && count && shm->sent != shm->received) {
		printf("  ERROR %s: %ld messages sent, %ld received\n", what,
		       shm->sent, shm->received);
		res.ok = false;
	}
	if (!res.ok) {
		errors++;
	} else if (count) {
		res.secs = (shm->t_end - shm->t_start) / 1e9;
		res.count = shm->received;
	}
	m->teardown(&c);
	return res;
}

/* ---- results ------------------------------------------------------------ */

struct rtt_res {
	bool ran, ok;
	double med, p99, mean;	/* microseconds */
	double csw;		/* voluntary context switches per round trip */
	double cpu;		/* CPU seconds per round trip, both, us */
};

struct stream_res {
	bool ran, ok;
	int n;
	double mbs[MAXREPS];	/* MB/s (10^6 bytes) of each repetition */
	struct rusage rus[MAXREPS][2];
	long counts[MAXREPS];
	double med_mbs, min_mbs, max_mbs, med_msgs;
	struct rusage ru[2];	/* of the median run */
	long ru_count;		/* its messages */
	long count;		/* messages a run is to send */
};

static struct rtt_res rtt[2][MAXMECH];
static struct stream_res strm[2][NSIZES][MAXMECH];

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double tv_secs(const struct timeval *tv)
{
	return tv->tv_sec + tv->tv_usec / 1e6;
}

static bool runs_in(const struct mech *m, const struct cpucfg *cfg)
{
	return !(m->flags & F_ONECPU) || cfg->one;
}

static int64_t rtt_samples[MAXMECH][RTT_RUNS * RTT_ROUNDS];

static void measure_rtt(int ci, const struct cpucfg *cfg, bool kipc)
{
	const int trips = RTT_RUNS * (RTT_WARMUP + RTT_ROUNDS);
	const int n = RTT_RUNS * RTT_ROUNDS;

	/* Runs interleaved, so that a noisy moment hits everyone. */
	for (int run_no = 0; run_no < RTT_RUNS; run_no++)
		for (int i = 0; i < NMECH; i++) {
			const struct mech *m = &mechs[i];
			struct rtt_res *r = &rtt[ci][i];

			if ((m->flags & F_NORTT) || !runs_in(m, cfg) ||
			    (!kipc && !(m->flags & F_LINUX)))
				continue;
			if (r->ran && !r->ok)
				continue;	/* failed once: enough */
			r->ran = true;
			struct run run = run_pair(m, cfg, RTT_SIZE, 0);

			r->ok = run.ok;
			if (!run.ok)
				continue;
			memcpy(rtt_samples[i] + run_no * RTT_ROUNDS, shm->rtt,
			       sizeof(shm->rtt));
			for (int s = 0; s < 2; s++) {
				r->csw += run.ru[s].ru_nvcsw + run.ru[s].ru_nivcsw;
				r->cpu += tv_secs(&run.ru[s].ru_utime) +
					  tv_secs(&run.ru[s].ru_stime);
			}
		}

	printf("\nround trip, %d-byte ping-pong, %d runs of %d round trips "
	       "(each after %d warm-up), us:\n", RTT_SIZE, RTT_RUNS,
	       RTT_ROUNDS, RTT_WARMUP);
	printf("  %-22s %9s %9s %9s %10s %11s\n", "mechanism", "median",
	       "p99", "mean", "csw/trip", "cpu-us/trip");
	for (int i = 0; i < NMECH; i++) {
		struct rtt_res *r = &rtt[ci][i];
		int64_t *v = rtt_samples[i];
		double sum = 0;

		if (!r->ran)
			continue;
		if (!r->ok) {
			printf("  %-22s %9s\n", mechs[i].name, "FAILED");
			continue;
		}
		qsort(v, n, sizeof(v[0]), cmp_i64);
		for (int k = 0; k < n; k++)
			sum += v[k];
		r->med = v[n / 2] / 1e3;
		r->p99 = v[(n * 99) / 100] / 1e3;
		r->mean = sum / n / 1e3;
		r->csw /= trips;
		r->cpu = r->cpu * 1e6 / trips;
		printf("  %-22s %9.1f %9.1f %9.1f %10.2f %11.1f\n", mechs[i].name,
		       r->med, r->p99, r->mean, r->csw, r->cpu);
	}
}

/*
 * Size the runs of a stream: a pilot run, grown until it lasts PILOT_SECS,
 * gives the rate; a measured run is to last run_secs.  0 on an error.
 */
static long calibrate(const struct mech *m, const struct cpucfg *cfg, int si)
{
	long n = pilot_count[si], want;
	struct run run;

	for (;;) {
		run = run_pair(m, cfg, sizes[si], n);
		if (!run.ok)
			return 0;
		if (run.secs >= PILOT_SECS || n > LONG_MAX / 1000)
			break;
		n *= 4;
	}
	want = run.secs > 0 ? (long)(run.count * (run_secs / run.secs)) : n;
	return want < 4 * BATCH ? 4 * BATCH : want;
}

static bool streams(const struct mech *m, const struct cpucfg *cfg,
		    bool kipc)
{
	return runs_in(m, cfg) && !(m->flags & F_NOSTREAM) &&
	       (kipc || (m->flags & F_LINUX));
}

static void measure_streams(int ci, const struct cpucfg *cfg, bool kipc)
{
	for (int si = 0; si < NSIZES; si++)
		for (int i = 0; i < NMECH; i++) {
			struct stream_res *s = &strm[ci][si][i];

			if (!streams(&mechs[i], cfg, kipc))
				continue;
			s->ran = true;
			s->count = calibrate(&mechs[i], cfg, si);
			s->ok = s->count > 0;
		}
	/* Repetitions interleaved, so that a noisy moment hits everyone. */
	for (int rep = 0; rep < reps; rep++)
		for (int si = 0; si < NSIZES; si++)
			for (int i = 0; i < NMECH; i++) {
				const struct mech *m = &mechs[i];
				struct stream_res *s = &strm[ci][si][i];

				if (!streams(m, cfg, kipc) || !s->ok)
					continue;	/* failed once: enough */
				struct run run = run_pair(m, cfg, sizes[si],
							  s->count);
				if (!run.ok) {
					s->ok = false;
					continue;
				}
				s->mbs[s->n] = run.count * sizes[si] / run.secs / 1e6;
				s->counts[s->n] = run.count;
				memcpy(s->rus[s->n], run.ru, sizeof(run.ru));
				s->n++;
			}

	for (int si = 0; si < NSIZES; si++)
		for (int i = 0; i < NMECH; i++) {
			struct stream_res *s = &strm[ci][si][i];
			double v[MAXREPS];

			if (!s->ok || !s->n)
				continue;
			memcpy(v, s->mbs, sizeof(v));
			qsort(v, s->n, sizeof(v[0]), cmp_dbl);
			s->med_mbs = v[s->n / 2];
			for (int k = 0; k < s->n; k++)
				if (s->mbs[k] == s->med_mbs) {
					memcpy(s->ru, s->rus[k], sizeof(s->ru));
					s->ru_count = s->counts[k];
				}
			s->min_mbs = v[0];
			s->max_mbs = v[s->n - 1];
			s->med_msgs = s->med_mbs * 1e6 / sizes[si];
		}

	printf("\nstreaming, one way, median of %d runs of about %g s "
	       "(MB/s = 10^6 bytes/s; kmsg/s;\nspread = (max-min)/median):\n",
	       reps, run_secs);
	printf("  %-22s", "mechanism");
	for (int si = 0; si < NSIZES; si++)
		printf(" | %5s %7s %7s %5s", size_names[si], "MB/s", "kmsg/s",
		       "sprd");
	printf("\n");
	for (int i = 0; i < NMECH; i++) {
		if (!strm[ci][0][i].ran && !strm[ci][1][i].ran &&
		    !strm[ci][2][i].ran)
			continue;
		printf("  %-22s", mechs[i].name);
		for (int si = 0; si < NSIZES; si++) {
			struct stream_res *s = &strm[ci][si][i];

			if (!s->ok)
				printf(" | %5s %7s %7s %5s", "", "FAILED", "", "");
			else
				printf(" | %5s %7.1f %7.1f %4.0f%%", "",
				       s->med_mbs, s->med_msgs / 1e3,
				       100 * (s->max_mbs - s->min_mbs) / s->med_mbs);
		}
		printf("\n");
	}

	/* Where the time goes, for 4 KiB (from the median run's rusage). */
	printf("\nstreaming 4KiB, per message, in the median run (sender | "
	       "receiver):\n  CPU us (user+sys), voluntary/involuntary "
	       "context switches\n");
	for (int i = 0; i < NMECH; i++) {
		struct stream_res *s = &strm[ci][1][i];

		if (!s->ok)
			continue;
		printf("  %-22s", mechs[i].name);
		for (int side = 0; side < 2; side++) {
			struct rusage *ru = &s->ru[side];

			printf("%s %6.2f (%5.2f+%5.2f) csw %5.3f/%5.3f",
			       side ? " |" : "",
			       (tv_secs(&ru->ru_utime) + tv_secs(&ru->ru_stime)) *
				       1e6 / s->ru_count,
			       tv_secs(&ru->ru_utime) * 1e6 / s->ru_count,
			       tv_secs(&ru->ru_stime) * 1e6 / s->ru_count,
			       (double)ru->ru_nvcsw / s->ru_count,
			       (double)ru->ru_nivcsw / s->ru_count);
		}
		printf("\n");
	}
}

static int find_mech(const char *name)
{
	for (int i = 0; i < NMECH; i++)
		if (!strcmp(mechs[i].name, name))
			return i;
	return -1;
}

static const char *verdict(bool met)
{
	return met ? "target met" : "target missed";
}

static void ratios(int ci, const struct cpucfg *cfg)
{
	int best = -1;

	printf("\nratios, %s (%s):\n", cfg->title, cfg->label);
	if (clock_changed[ci])
		printf("  WARNING: the clock source changed during these "
		       "measurements: the ratios are not reliable\n");
	/* Round trip: against the lowest median of pipe, socket, POSIX mq. */
	for (int i = 0; i < NMECH; i++)
		if ((mechs[i].flags & F_RTTREF) && rtt[ci][i].ok &&
		    (best < 0 || rtt[ci][i].med < rtt[ci][best].med))
			best = i;
	if (best < 0) {
		printf("  no Linux round-trip reference\n");
	} else {
		printf("  round trip: kipc median / best of pipe, socketpair, "
		       "posix-mq (%s, %.1f us); target <= 1.0\n",
		       mechs[best].name, rtt[ci][best].med);
		for (int i = 0; i < NMECH; i++) {
			if ((mechs[i].flags & F_LINUX) || !rtt[ci][i].ok)
				continue;
			double r = rtt[ci][i].med / rtt[ci][best].med;

			printf("ratio rtt-%s %s %.3f  (p99 %.2f) %s\n", cfg->label,
			       mechs[i].name, r,
			       rtt[ci][i].p99 / rtt[ci][best].p99,
			       verdict(r <= 1.0));
		}
	}

	/*
	 * Streams: against the best Linux mechanism of the same size; an
	 * unbatched kipc figure against unbatched Linux ones, a batched one
	 * against all of them (socket-mmsg included).
	 */
	printf("  streaming: kipc throughput / best Linux of the same size "
	       "(batched kipc: best including socket-mmsg)\n");
	for (int si = 0; si < NSIZES; si++) {
		int ref[2] = { -1, -1 };	/* unbatched, any */

		for (int i = 0; i < NMECH; i++) {
			struct stream_res *s = &strm[ci][si][i];

			if (!(mechs[i].flags & F_LINUX) || !s->ok)
				continue;
			if (!(mechs[i].flags & F_BATCH) &&
			    (ref[0] < 0 || s->med_mbs > strm[ci][si][ref[0]].med_mbs))
				ref[0] = i;
			if (ref[1] < 0 || s->med_mbs > strm[ci][si][ref[1]].med_mbs)
				ref[1] = i;
		}
		if (ref[0] < 0)
			continue;
		for (int i = 0; i < NMECH; i++) {
			struct stream_res *s = &strm[ci][si][i];
			int b = mechs[i].flags & F_BATCH ? ref[1] : ref[0];

			if ((mechs[i].flags & F_LINUX) || !s->ok)
				continue;
			printf("ratio stream-%s-%s %s %.2f  (vs %s)\n", cfg->label,
			       size_names[si], mechs[i].name,
			       s->med_mbs / strm[ci][si][b].med_mbs,
			       mechs[b].name);
		}
	}

	/* The issue's two streaming targets. */
	int sock = find_mech("socketpair"), mmsg = find_mech("socket-mmsg");
	struct stream_res *so = &strm[ci][1][sock];
	static const struct {
		const char *mech;
		double target;
	} targets[] = { { "channel", 1.5 }, { "channel-batch", 3.0 } };

	printf("  targets, 4KiB streaming against the socketpair:\n");
	for (size_t t = 0; t < ARRAY_SIZE(targets); t++) {
		int k = find_mech(targets[t].mech);
		struct stream_res *s = &strm[ci][1][k];

		if (!so->ok || !s->ok) {
			printf("target stream-%s-4KiB %s/socketpair n/a "
			       "(a measurement failed or did not run)\n",
			       cfg->label, targets[t].mech);
			continue;
		}
		double r = s->med_mbs / so->med_mbs;

		printf("target stream-%s-4KiB %s/socketpair %.2f >= %.1f %s\n",
		       cfg->label, targets[t].mech, r, targets[t].target,
		       verdict(r >= targets[t].target));
	}
	if (strm[ci][1][mmsg].ok && strm[ci][1][find_mech("channel-batch")].ok)
		printf("  (for information: channel-batch/socket-mmsg 4KiB "
		       "%.2f)\n", strm[ci][1][find_mech("channel-batch")].med_mbs /
		       strm[ci][1][mmsg].med_mbs);
	/* The round-trip target, for the fast path. */
	printf("  target, round trip against the best of pipe, socketpair, "
	       "posix-mq:\n");
	for (int k = 0; k < 2; k++) {
		const char *name = k ? "channel-call" : "channel";
		int ch = find_mech(name);

		if (best >= 0 && rtt[ci][ch].ok)
			printf("target rtt-%s %s/%s %.3f <= 1.0 %s\n", cfg->label,
			       name, mechs[best].name,
			       rtt[ci][ch].med / rtt[ci][best].med,
			       verdict(rtt[ci][ch].med <= rtt[ci][best].med));
		else
			printf("target rtt-%s %s n/a\n", cfg->label, name);
	}
}

/* ---- limits ---------------------------------------------------------------- */

static long read_long(const char *path)
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

/* Raise a /proc/sys limit to at least @want; say so. */
static void raise_limit(const char *path, long want)
{
	long v = read_long(path);
	FILE *f;

	if (v >= want)
		return;
	f = fopen(path, "w");
	if (!f || fprintf(f, "%ld\n", want) < 0 || fclose(f)) {
		printf("note: could not raise %s from %ld to %ld\n", path, v,
		       want);
		return;
	}
	printf("note: raised %s from %ld to %ld\n", path, v, want);
}

static void raise_limits(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	raise_limit("/proc/sys/fs/mqueue/msg_max", QDEPTH);
	raise_limit("/proc/sys/fs/mqueue/msgsize_max", 65536);
	raise_limit("/proc/sys/kernel/msgmax", 65536);
	raise_limit("/proc/sys/kernel/msgmnb", QDEPTH * 65536);
	if (setrlimit(RLIMIT_MSGQUEUE, &rl))
		printf("note: could not raise RLIMIT_MSGQUEUE: %s\n",
		       strerror(errno));
}

/*
 * The clock everything is timed with.  In an emulated VM the kernel may
 * find the TSC unstable halfway and fall back to a much slower clock
 * source, which makes what follows slower and not comparable.
 */
static char clocksource[64];

static const char *read_clocksource(char *buf, size_t size)
{
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/"
			"current_clocksource", "r");

	snprintf(buf, size, "unknown");
	if (f) {
		if (fgets(buf, size, f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
	return buf;
}

static bool check_clocksource(const char *when)
{
	char now[64];

	read_clocksource(now, sizeof(now));
	if (strcmp(now, clocksource)) {
		printf("WARNING: the clock source changed from %s to %s %s: "
		       "figures measured since are not comparable with those "
		       "before\n", clocksource, now, when);
		snprintf(clocksource, sizeof(clocksource), "%s", now);
		return true;
	}
	return false;
}

/* ---- main -------------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
		"usage: kipc-bench [-d SECONDS] [-r REPS] [-c 1|2] [-l] [-s] [-t SECONDS]\n"
		"  -d SECONDS  length of one streaming run (default 0.3)\n"
		"  -r REPS     runs of each stream, median taken (default 5)\n"
		"  -c 1|2      only the 1-CPU or the 2-CPU configuration\n"
		"  -l          Linux mechanisms only (no kipc module needed)\n"
		"  -s          synchronization only (semaphores, mutexes, regions)\n"
		"  -t SECONDS  time limit of one measurement (default 60)\n");
	exit(2);
}

/* ---- synchronization -------------------------------------------------------- */

/*
 * Semaphores against glibc's process-shared POSIX semaphores in a shared
 * mapping, and a shared-memory write plus the wake of a waiter: a kipc
 * region and a kipc semaphore against a memfd and a futex.
 */
#define SYNC_UNCONTENDED	200000
#define SYNC_PINGPONG		2000
#define SYNC_RUNS		9	/* interleaved rounds, each contender once */

struct sync_shared {
	sem_t gsem[2];
	uint32_t seq;
};

static double median_of(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_dbl);
	return v[n / 2];
}

/* ns per post+wait pair, no other process involved. */
static double unc_glibc(struct sync_shared *sh)
{
	int64_t t0 = now_ns();

	for (int i = 0; i < SYNC_UNCONTENDED; i++) {
		sem_post(&sh->gsem[0]);
		sem_wait(&sh->gsem[0]);
	}
	return (double)(now_ns() - t0) / SYNC_UNCONTENDED;
}

static double unc_kipc(struct kipc_sem *ks)
{
	int64_t t0 = now_ns();

	for (int i = 0; i < SYNC_UNCONTENDED; i++) {
		if (kipc_sem_post(ks, 1, 0) || kipc_sem_wait(ks, -1, 0)) {
			errors++;
			printf("  ERROR kipc semaphore post/wait failed\n");
			return 0;
		}
	}
	return (double)(now_ns() - t0) / SYNC_UNCONTENDED;
}

static double unc_kipc_ioctl(int fd)
{
	struct kipc_sem_op op;
	int64_t t0 = now_ns();

	for (int i = 0; i < SYNC_UNCONTENDED / 10; i++) {
		memset(&op, 0, sizeof(op));
		op.count = 1;
		if (ioctl(fd, KIPC_SEM_IOC_POST, &op)) {
			errors++;
			printf("  ERROR kipc semaphore ioctl: %s\n", strerror(errno));
			return 0;
		}
		memset(&op, 0, sizeof(op));
		op.count = 1;
		if (ioctl(fd, KIPC_SEM_IOC_WAIT, &op)) {
			errors++;
			printf("  ERROR kipc semaphore ioctl: %s\n", strerror(errno));
			return 0;
		}
	}
	return (double)(now_ns() - t0) / (SYNC_UNCONTENDED / 10);
}

/*
 * One kernel call right after a context switch, the state the calls of a
 * hand-off are in: under QEMU's TCG a switch flushes the TLB, and a call
 * then costs about four times what it costs in a loop.  The call is the
 * kernel half of a wait that finds nothing to take (the sleep itself is
 * the scheduler's): glibc's futex on a shared mapping against kipc's
 * ioctl.  (The wake half has no fair pair: a post with nobody to wake
 * stays in user space in both.)  A process on the same CPU that only
 * yields provides the switch.
 */
#define COLD_SAMPLES	2000

enum { COLD_FUTEX, COLD_KIPC, COLD_N };

static const char *const cold_names[COLD_N] = {
	"futex FUTEX_WAIT, value changed", "kipc KIPC_SEM_IOC_WAIT, EAGAIN",
};

/* 0 if the call failed as it should, else -1. */
static int cold_call(int k, uint32_t *word, int fd)
{
	struct kipc_sem_op op = {
		.flags = KIPC_WAIT_NONBLOCK, .count = 1,
	};
	long r;

	if (k == COLD_FUTEX)
		r = syscall(SYS_futex, word, FUTEX_WAIT, 1, NULL, NULL, 0);
	else
		r = ioctl(fd, KIPC_SEM_IOC_WAIT, &op);
	return r < 0 && errno == EAGAIN ? 0 : -1;
}

/*
 * Median us of each call, interleaved sample by sample: in @us right after
 * the switch, in @warm right after the same call.
 */
static int cold_calls(double us[COLD_N], double warm[COLD_N])
{
	static double d[COLD_N][COLD_SAMPLES], w[COLD_N][COLD_SAMPLES];
	uint32_t *word;
	int fd, err = 0;
	pid_t pid;

	word = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (word == MAP_FAILED)
		return -1;
	fd = kipc_sem_create(NULL, 0600, 0, 0, 0);
	pin(0);
	pid = fd < 0 ? -1 : fork();
	if (!pid) {
		for (;;)
			sched_yield();
	}
	for (int i = 0; i < COLD_SAMPLES && !err && pid > 0; i++)
		for (int k = 0; k < COLD_N && !err; k++) {
			int64_t t0;

			sched_yield();
			t0 = now_ns();
			err = cold_call(k, word, fd);
			d[k][i] = (now_ns() - t0) / 1e3;
			t0 = now_ns();
			err |= cold_call(k, word, fd);
			w[k][i] = (now_ns() - t0) / 1e3;
		}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (fd >= 0)
		close(fd);
	munmap(word, 4096);
	if (err || pid < 0)
		return -1;
	for (int k = 0; k < COLD_N; k++) {
		us[k] = median_of(d[k], COLD_SAMPLES);
		warm[k] = median_of(w[k], COLD_SAMPLES);
	}
	return 0;
}

/* Hand-offs: glibc semaphores, kipc semaphores, futex, region + kipc. */
enum { PP_GLIBC, PP_KIPC, PP_FUTEX, PP_REGION, PP_N };

static const char *const pp_names[PP_N] = {
	"glibc sem_t", "kipc semaphore", "memfd + futex", "kipc region + sem",
};

struct pp {
	int kind;
	struct sync_shared *sh;
	int semfd[2];		/* side i waits on semfd[i] */
	struct kipc_sem *ks[2];
	uint32_t *turn;		/* anonymous, memfd or region memory */
};

static long futex_op(uint32_t *addr, int op, uint32_t val)
{
	return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

/* Publish turn @v and wake the other side. */
static int pp_give(struct pp *p, int side, uint32_t v)
{
	__atomic_store_n(p->turn, v, __ATOMIC_RELEASE);
	switch (p->kind) {
	case PP_GLIBC:
		return sem_post(&p->sh->gsem[1 - side]);
	case PP_FUTEX:
		futex_op(p->turn, FUTEX_WAKE, 1);
		return 0;
	default:
		return kipc_sem_post(p->ks[1 - side], 1, 0);
	}
}

/* Wait for turn @v; check that the shared memory says so. */
static int pp_take(struct pp *p, int side, uint32_t v)
{
	uint32_t cur;
	int err = 0;

	switch (p->kind) {
	case PP_GLIBC:
		err = sem_wait(&p->sh->gsem[side]);
		break;
	case PP_FUTEX:
		while ((cur = __atomic_load_n(p->turn, __ATOMIC_ACQUIRE)) != v)
			futex_op(p->turn, FUTEX_WAIT, cur);
		break;
	default:
		err = kipc_sem_wait(p->ks[side], -1, 0);
		break;
	}
	if (!err && __atomic_load_n(p->turn, __ATOMIC_ACQUIRE) != v)
		return -EPROTO;
	return err;
}

static int pp_loop(struct pp *p, int side, int n)
{
	int err = 0;

	for (int i = 0; i < n && !err; i++) {
		if (side == 0) {
			err = pp_give(p, 0, 2 * i + 1);
			if (!err)
				err = pp_take(p, 0, 2 * i + 2);
		} else {
			err = pp_take(p, 1, 2 * i + 1);
			if (!err)
				err = pp_give(p, 1, 2 * i + 2);
		}
	}
	return err;
}

/* Per-process setup: kipc handles are made after fork. */
static int pp_attach(struct pp *p)
{
	int err = 0;

	if (p->kind != PP_KIPC && p->kind != PP_REGION)
		return 0;
	for (int i = 0; i < 2 && !err; i++)
		err = kipc_sem_attach(p->semfd[i], &p->ks[i]);
	return err;
}

static void pp_detach(struct pp *p)
{
	for (int i = 0; i < 2; i++) {
		kipc_sem_detach(p->ks[i]);
		p->ks[i] = NULL;
	}
}

/*
 * Reap the other side of a hand-off run (killed if this side failed with
 * @err); 0, or -1 after counting and printing the error.
 */
static int sync_reap(pid_t pid, int err, const char *name)
{
	int status;

	if (err)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (err || !WIFEXITED(status) || WEXITSTATUS(status)) {
		errors++;
		printf("  ERROR %s hand-off failed (%d, status %#x)\n", name,
		       err, status);
		return -1;
	}
	return 0;
}

/* Microseconds per hand-off (half a round trip) of one run, or -1. */
static double pp_run(struct pp *p, const struct cpucfg *cfg)
{
	int err;
	int64_t t0;
	double us;
	pid_t pid;

	*p->turn = 0;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		pin(cfg->cpu[1]);
		err = pp_attach(p);
		if (!err)
			err = pp_loop(p, 1, SYNC_PINGPONG);
		_exit(err ? 1 : 0);
	}
	pin(cfg->cpu[0]);
	err = pp_attach(p);
	t0 = now_ns();
	if (!err)
		err = pp_loop(p, 0, SYNC_PINGPONG);
	us = (now_ns() - t0) / 1e3 / (2.0 * SYNC_PINGPONG);
	pp_detach(p);
	return sync_reap(pid, err, pp_names[p->kind]) ? -1 : us;
}

static int pp_setup(struct pp *p, int kind, struct sync_shared *sh)
{
	int fd;

	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->sh = sh;
	p->semfd[0] = p->semfd[1] = -1;
	switch (kind) {
	case PP_GLIBC:
		p->turn = &sh->seq;
		return 0;
	case PP_FUTEX:
		fd = memfd_create("kipc-bench", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, 4096))
			return -errno;
		p->turn = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			       fd, 0);
		close(fd);
		return p->turn == MAP_FAILED ? -errno : 0;
	default:
		for (int i = 0; i < 2; i++) {
			p->semfd[i] = kipc_sem_create(NULL, 0600, 0, 0, 0);
			if (p->semfd[i] < 0)
				return p->semfd[i];
		}
		if (kind == PP_KIPC) {
			p->turn = &sh->seq;
			return 0;
		}
		fd = kipc_region_create(NULL, 0600, 4096, 0);
		if (fd < 0)
			return fd;
		p->turn = kipc_region_map(fd, PROT_READ | PROT_WRITE, NULL, NULL);
		close(fd);
		return p->turn ? 0 : -ENOMEM;
	}
}

static void pp_teardown(struct pp *p)
{
	if (p->kind == PP_FUTEX || p->kind == PP_REGION)
		munmap(p->turn, 4096);
	for (int i = 0; i < 2; i++)
		if (p->semfd[i] >= 0)
			close(p->semfd[i]);
}

/* ---- mutexes ------------------------------------------------------------- */

#define MTX_HANDOFFS	500
#define MTX_ROUNDS	5	/* MTX_HANDOFFS is a multiple */

struct mtx_shared {
	pthread_mutex_t plain;
	pthread_mutex_t robust;
	int64_t t0;
	int64_t lat;
	uint32_t phase;
	uint32_t holder;
};

/* ns per lock + unlock of an uncontended glibc mutex. */
static double unc_pthread(pthread_mutex_t *m)
{
	int64_t t0 = now_ns();

	for (int i = 0; i < SYNC_UNCONTENDED; i++) {
		pthread_mutex_lock(m);
		pthread_mutex_unlock(m);
	}
	return (double)(now_ns() - t0) / SYNC_UNCONTENDED;
}

static double unc_kmutex(struct kipc_mutex *km)
{
	int64_t t0 = now_ns();

	for (int i = 0; i < SYNC_UNCONTENDED; i++) {
		if (kipc_mutex_lock(km, -1) || kipc_mutex_unlock(km)) {
			errors++;
			printf("  ERROR kipc mutex lock/unlock failed\n");
			return 0;
		}
	}
	return (double)(now_ns() - t0) / SYNC_UNCONTENDED;
}

enum { MX_PLAIN, MX_ROBUST, MX_KIPC, MX_N };

static const char *const mx_names[MX_N] = {
	"glibc pthread_mutex (pshared)", "glibc robust pshared mutex",
	"kipc mutex",
};

struct mx {
	int kind;
	struct mtx_shared *sh;
	int fd;
	struct kipc_mutex *km;
};

static int mx_lock(struct mx *x)
{
	switch (x->kind) {
	case MX_PLAIN:
		return -pthread_mutex_lock(&x->sh->plain);
	case MX_ROBUST:
		return -pthread_mutex_lock(&x->sh->robust);
	default:
		return kipc_mutex_lock(x->km, -1);
	}
}

static int mx_unlock(struct mx *x)
{
	switch (x->kind) {
	case MX_PLAIN:
		return -pthread_mutex_unlock(&x->sh->plain);
	case MX_ROBUST:
		return -pthread_mutex_unlock(&x->sh->robust);
	default:
		return kipc_mutex_unlock(x->km);
	}
}

static void wait_phase(struct mtx_shared *sh, uint32_t want)
{
	while (__atomic_load_n(&sh->phase, __ATOMIC_ACQUIRE) != want)
		sched_yield();
}

/*
 * Hand-off latency: side 0 holds the mutex while side 1 blocks on it,
 * then unlocks; the time until side 1 owns it is one sample.
 */
static int mx_run(struct mx *x, const struct cpucfg *cfg, double *us, int n)
{
	int err = 0;
	pid_t pid;

	__atomic_store_n(&x->sh->phase, 0, __ATOMIC_RELEASE);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		pin(cfg->cpu[1]);
		if (x->kind == MX_KIPC && kipc_mutex_attach(x->fd, &x->km))
			_exit(1);
		for (int i = 0; i < n; i++) {
			wait_phase(x->sh, 1);
			__atomic_store_n(&x->sh->phase, 2, __ATOMIC_RELEASE);
			if (mx_lock(x))
				_exit(2);
			x->sh->lat = now_ns() - x->sh->t0;
			if (x->sh->holder)
				_exit(3);
			if (mx_unlock(x))
				_exit(4);
			__atomic_store_n(&x->sh->phase, 3, __ATOMIC_RELEASE);
		}
		_exit(0);
	}
	pin(cfg->cpu[0]);
	if (x->kind == MX_KIPC)
		err = kipc_mutex_attach(x->fd, &x->km);
	for (int i = 0; i < n && !err; i++) {
		err = mx_lock(x);
		if (err)
			break;
		x->sh->holder = 1;
		__atomic_store_n(&x->sh->phase, 1, __ATOMIC_RELEASE);
		wait_phase(x->sh, 2);
		usleep(300);	/* let side 1 block on the mutex */
		x->sh->holder = 0;
		x->sh->t0 = now_ns();
		err = mx_unlock(x);
		wait_phase(x->sh, 3);
		us[i] = x->sh->lat / 1e3;
	}
	if (x->kind == MX_KIPC)
		kipc_mutex_detach(x->km);
	return sync_reap(pid, err, mx_names[x->kind]);
}

/*
 * MTX_HANDOFFS samples of each contender, taken in MTX_ROUNDS interleaved
 * rounds (see pp_interleaved()); @hand gets each one's median, or -1.
 */
static void mx_interleaved(const struct cpucfg *cfg, struct mtx_shared *sh,
			   int fd, double hand[MX_N])
{
	static double us[MX_N][MTX_HANDOFFS];
	const int n = MTX_HANDOFFS / MTX_ROUNDS;
	bool ok[MX_N];

	for (int k = 0; k < MX_N; k++)
		ok[k] = true;
	for (int r = 0; r < MTX_ROUNDS; r++)
		for (int k = 0; k < MX_N; k++) {
			struct mx x = { .kind = k, .sh = sh, .fd = fd };

			if (ok[k])
				ok[k] = !mx_run(&x, cfg, us[k] + r * n, n);
		}
	for (int k = 0; k < MX_N; k++)
		hand[k] = ok[k] ? median_of(us[k], MTX_HANDOFFS) : -1;
}

static void mutex_bench(const struct cpucfg *cfgs, const bool *want,
			double *unc_ratio, double hand_ratio[2])
{
	pthread_mutexattr_t a;
	struct mtx_shared *sh;
	struct kipc_mutex *km;
	double unc[MX_N] = { 0 }, hand[MX_N] = { 0 };
	int fd, err;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&sh->plain, &a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&sh->robust, &a);
	fd = kipc_mutex_create(NULL, 0600, 0, 0);
	err = fd < 0 ? fd : kipc_mutex_attach(fd, &km);
	if (err) {
		errors++;
		printf("  ERROR kipc mutex: %s\n", errstr(err));
		return;
	}
	pin(0);
	for (int r = 0; r < 3; r++) {
		double p = unc_pthread(&sh->plain), q = unc_pthread(&sh->robust);
		double k = unc_kmutex(km);

		if (!r || p < unc[MX_PLAIN])
			unc[MX_PLAIN] = p;
		if (!r || q < unc[MX_ROBUST])
			unc[MX_ROBUST] = q;
		if (!r || k < unc[MX_KIPC])
			unc[MX_KIPC] = k;
	}
	kipc_mutex_detach(km);
	printf("uncontended lock + unlock, one process, best of 3 x %d, ns:\n",
	       SYNC_UNCONTENDED);
	for (int k = 0; k < MX_N; k++)
		printf("  %-30s %8.1f\n", mx_names[k], unc[k]);
	*unc_ratio = unc[MX_KIPC] / unc[MX_PLAIN];
	for (int ci = 0; ci < 2; ci++) {
		if (!want[ci])
			continue;
		printf("mutex hand-off latency (unlock to the blocked waiter "
		       "owning it), %s, median of %d in %d interleaved rounds, "
		       "us:\n", cfgs[ci].title, MTX_HANDOFFS, MTX_ROUNDS);
		mx_interleaved(&cfgs[ci], sh, fd, hand);
		for (int k = 0; k < MX_N; k++)
			printf("  %-30s %8.2f\n", mx_names[k], hand[k]);
		hand_ratio[ci] = hand[MX_KIPC] / hand[MX_PLAIN];
	}
	close(fd);
	munmap(sh, sizeof(*sh));
}

/*
 * Every contender once per round, round after round, so that a slow drift
 * of the emulated machine weighs on all of them alike; @hand gets each
 * one's median, or -1 if it failed.
 */
static void pp_interleaved(const struct cpucfg *cfg, struct sync_shared *sh,
			   double hand[PP_N])
{
	double us[PP_N][SYNC_RUNS];
	bool ok[PP_N];
	struct pp p[PP_N];
	int err;

	for (int k = 0; k < PP_N; k++) {
		hand[k] = -1;
		err = pp_setup(&p[k], k, sh);
		ok[k] = !err;
		if (err) {
			errors++;
			printf("  ERROR %s setup: %s\n", pp_names[k],
			       errstr(err));
		}
	}
	for (int r = 0; r < SYNC_RUNS; r++)
		for (int k = 0; k < PP_N; k++)
			if (ok[k]) {
				us[k][r] = pp_run(&p[k], cfg);
				ok[k] = us[k][r] >= 0;
			}
	for (int k = 0; k < PP_N; k++) {
		if (ok[k])
			hand[k] = median_of(us[k], SYNC_RUNS);
		pp_teardown(&p[k]);
	}
}

static void sync_bench(const struct cpucfg *cfgs, const bool *want)
{
	double unc[3] = { 0 }, hand[2][PP_N], mr = 0, mh[2] = { 0, 0 };
	double cold[COLD_N] = { 0 }, warm[COLD_N];
	struct sync_shared *sh;
	struct kipc_sem *ks;
	int fd, err;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || sem_init(&sh->gsem[0], 1, 0) ||
	    sem_init(&sh->gsem[1], 1, 0)) {
		errors++;
		printf("  ERROR sync setup: %s\n", strerror(errno));
		return;
	}
	printf("\n==== synchronization ====\n");
	pin(0);
	fd = kipc_sem_create(NULL, 0600, 0, 0, 0);
	err = fd < 0 ? fd : kipc_sem_attach(fd, &ks);
	if (err) {
		errors++;
		printf("  ERROR kipc semaphore: %s\n", errstr(err));
		return;
	}
	for (int r = 0; r < 3; r++) {	/* best of 3, one process */
		double g = unc_glibc(sh), k = unc_kipc(ks), i = unc_kipc_ioctl(fd);

		if (!r || g < unc[0])
			unc[0] = g;
		if (!r || k < unc[1])
			unc[1] = k;
		if (!r || i < unc[2])
			unc[2] = i;
	}
	kipc_sem_detach(ks);
	close(fd);
	printf("uncontended post + wait, one process, best of 3 x %d, ns:\n",
	       SYNC_UNCONTENDED);
	printf("  glibc sem_t (pshared)      %8.1f\n", unc[0]);
	printf("  kipc semaphore (mapped)    %8.1f\n", unc[1]);
	printf("  kipc semaphore (ioctls)    %8.1f\n", unc[2]);

	for (int ci = 0; ci < 2; ci++) {
		if (!want[ci])
			continue;
		printf("hand-off between two processes, %s, median of %d "
		       "interleaved runs x %d round trips, us per hand-off:\n",
		       cfgs[ci].title, SYNC_RUNS, SYNC_PINGPONG);
		pp_interleaved(&cfgs[ci], sh, hand[ci]);
		for (int k = 0; k < PP_N; k++)
			printf("  %-26s %8.2f\n", pp_names[k], hand[ci][k]);
	}

	if (cold_calls(cold, warm)) {
		errors++;
		cold[COLD_FUTEX] = 0;
		printf("  ERROR cold kernel calls failed\n");
	} else {
		printf("one kernel call right after a context switch (and "
		       "again at once), 1 CPU, median of %d, us:\n",
		       COLD_SAMPLES);
		for (int k = 0; k < COLD_N; k++)
			printf("  %-34s %8.2f %8.2f\n", cold_names[k], cold[k],
			       warm[k]);
	}

	printf("\nratios, synchronization:\n");
	printf("ratio sem-uncontended kipc/glibc %.2f  target <= 1.5 %s\n",
	       unc[1] / unc[0], verdict(unc[1] / unc[0] <= 1.5));
	if (cold[COLD_FUTEX] > 0)
		printf("ratio sem-wait-call-cold kipc/futex %.2f\n",
		       cold[COLD_KIPC] / cold[COLD_FUTEX]);
	for (int ci = 0; ci < 2; ci++) {
		double r1, r2;

		if (!want[ci])
			continue;
		r1 = hand[ci][PP_KIPC] / hand[ci][PP_GLIBC];
		r2 = hand[ci][PP_REGION] / hand[ci][PP_FUTEX];
		printf("ratio sem-handoff-%s kipc/glibc %.2f  target <= 1.0 %s\n",
		       cfgs[ci].label, r1, verdict(r1 <= 1.0));
		printf("ratio region-wake-%s kipc/memfd+futex %.2f\n",
		       cfgs[ci].label, r2);
	}
	munmap(sh, sizeof(*sh));
	printf("\n");
	mutex_bench(cfgs, want, &mr, mh);
	printf("\nratios, mutexes:\n");
	printf("ratio mutex-uncontended kipc/glibc %.2f  target <= 1.5 %s\n",
	       mr, verdict(mr <= 1.5));
	for (int ci = 0; ci < 2; ci++)
		if (want[ci])
			printf("ratio mutex-handoff-%s kipc/glibc %.2f  target <= "
			       "1.0 %s\n", cfgs[ci].label, mh[ci],
			       verdict(mh[ci] <= 1.0));
}

int main(int argc, char **argv)
{
	static const struct cpucfg cfgs[2] = {
		{ "1cpu", "1 CPU: both processes on CPU 0", { 0, 0 }, true },
		{ "2cpu", "2 CPUs: CPU 0 and CPU 1", { 0, 1 }, false },
	};
	bool kipc = true, sync_only = false, want[2] = { true, true };
	struct sigaction sa;
	struct utsname u;
	long ncpu;
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "d:r:c:lst:h")) != -1) {
		switch (opt) {
		case 'd':
			run_secs = atof(optarg);
			if (run_secs <= 0)
				usage();
			break;
		case 'r':
			reps = atoi(optarg);
			if (reps < 1 || reps > MAXREPS)
				usage();
			break;
		case 'c':
			want[0] = !strcmp(optarg, "1");
			want[1] = !strcmp(optarg, "2");
			if (!want[0] && !want[1])
				usage();
			break;
		case 'l':
			kipc = false;
			break;
		case 's':
			sync_only = true;
			break;
		case 't':
			test_timeout = atoi(optarg);
			if (test_timeout < 1)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: wait4 gets EINTR */
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED) {
		perror("mmap");
		return 1;
	}

	uname(&u);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	printf("kipc-bench: kernel %s, %ld CPUs online, clock source %s\n",
	       u.release, ncpu,
	       read_clocksource(clocksource, sizeof(clocksource)));
	if (kipc) {
		struct kipc_version v;
		int err = kipc_version(&v);

		if (err) {
			printf("kipc-bench: kipc_version: %s (module not "
			       "loaded? -l runs Linux only)\n", errstr(err));
			return 1;
		}
		printf("kipc-bench: kipc API version %u\n", v.api_version);
	}
	printf("streams: %d runs of %g s each, sized by a pilot run; batches "
	       "of %d; queues %d deep;\nchannel rings %u KiB\n", reps, run_secs,
	       BATCH, QDEPTH, CHAN_CAPACITY >> 10);
	printf("mechanisms:\n");
	for (size_t i = 0; i < ARRAY_SIZE(mech_notes); i++)
		printf("  %s\n", mech_notes[i]);
	raise_limits();
	if (ncpu < 2 && want[1]) {
		printf("note: one CPU online, no 2-CPU configuration\n");
		want[1] = false;
	}

	for (int ci = 0; ci < 2; ci++) {
		int64_t t0 = now_ns();

		if (!want[ci] || sync_only)
			continue;
		printf("\n==== %s ====\n", cfgs[ci].title);
		if (cfgs[ci].one)
			printf("(channel and channel-batch: kipc_ring_set_spin(0); "
			       "channel-spin: libkipc's default)\n");
		else
			printf("(channels: libkipc's default spin)\n");
		measure_rtt(ci, &cfgs[ci], kipc);
		measure_streams(ci, &cfgs[ci], kipc);
		printf("(%s took %.0f s)\n", cfgs[ci].label,
		       (now_ns() - t0) / 1e9);
		clock_changed[ci] = check_clocksource(ci ?
			"during the 2-CPU measurements" :
			"during the 1-CPU measurements");
	}

	if (kipc)
		sync_bench(cfgs, want);

	if (kipc && !sync_only) {
		printf("\n==== ratios ====\n");
		for (int ci = 0; ci < 2; ci++)
			if (want[ci])
				ratios(ci, &cfgs[ci]);
	}
	printf("\nkipc-bench: %s\n", errors ? "FAILED (errors above)" :
	       "done, no errors");
	return errors ? 1 : 0;
}
