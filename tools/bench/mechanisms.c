// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench's messaging mechanisms: Linux's pipe, AF_UNIX SOCK_SEQPACKET
 * socketpair (also with sendmmsg/recvmmsg), POSIX mq and System V msg,
 * and kipc's queue, pipe and channel (by fd, and mapped: struct
 * kipc_ring), each as the operations of struct mech.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "libkipc.h"
#include "mechanisms.h"

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

void ctx_init(struct ctx *c, size_t size)
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

/* send(2) (@tx) or recv(2), again after a signal. */
static ssize_t sock_io(int fd, void *buf, size_t len, bool tx)
{
	ssize_t n;

	do
		n = tx ? send(fd, buf, len, 0) : recv(fd, buf, len, 0);
	while (n < 0 && errno == EINTR);
	return n;
}

static int sock_send(struct ctx *c, int side, void *buf, size_t len)
{
	ssize_t n = sock_io(c->sv[side], buf, len, true);

	if (n < 0)
		return neg_errno();
	return (size_t)n == len ? 0 : -EIO;
}

static long sock_recv(struct ctx *c, int side, void *buf, size_t cap)
{
	ssize_t n = sock_io(c->sv[side], buf, cap, false);

	if (n < 0)
		return neg_errno();
	if (n == 0)
		return -EPIPE;
	return n;
}

/* One message of one buffer each. */
static void to_mmsgs(struct mmsghdr *mm, struct iovec *iov, void **bufs,
		     size_t *lens, int n)
{
	memset(mm, 0, sizeof(mm[0]) * n);
	for (int i = 0; i < n; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = lens[i];
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
}

static int sock_sendv(struct ctx *c, int side, void **bufs, size_t *lens, int n)
{
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	int r;

	to_mmsgs(mm, iov, bufs, lens, n);
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

	to_mmsgs(mm, iov, bufs, lens, n);
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

/* What kipc_channel_recvv() or kipc_ring_recvv() returned @r says. */
static int from_chan_msgs(const struct kipc_chan_msg *m, size_t *lens, int r)
{
	if (r == 0)
		return -EPIPE;	/* end-of-channel */
	for (int i = 0; i < r; i++)
		lens[i] = m[i].len;
	return r;
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
	return from_chan_msgs(m, lens, r);
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
	return from_chan_msgs(m, lens, r);
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

const struct mech mechs[] = {
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

const int nmech = (int)ARRAY_SIZE(mechs);
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

void print_mech_notes(void)
{
	printf("mechanisms:\n");
	for (size_t i = 0; i < ARRAY_SIZE(mech_notes); i++)
		printf("  %s\n", mech_notes[i]);
}
