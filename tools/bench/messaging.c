// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench's messaging part: two fork()ed processes, pinned with
 * sched_setaffinity(), both on CPU 0 ("1 CPU") and on CPUs 0 and 1
 * ("2 CPUs"), measure for each mechanism of mechanisms.c
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
 * Every message carries its sequence number in its first and last 8
 * bytes, checked on receipt.  The ratios put each kipc figure over the
 * best Linux mechanism of the same kind, with the issue's targets.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libkipc.h"
#include "mechanisms.h"

#define RTT_RUNS	5
#define RTT_WARMUP	100		/* per run */
#define RTT_ROUNDS	1000		/* per run */
#define SLACK		64		/* receive buffers are this much larger */
#define NSIZES		3

static const size_t sizes[NSIZES] = { 64, 4096, 65536 };
static const char *const size_names[NSIZES] = { "64B", "4KiB", "64KiB" };
/* Messages of a first pilot run; it grows until it lasts PILOT_SECS. */
static const long pilot_count[NSIZES] = { 2000, 500, 50 };
#define PILOT_SECS	0.05

/* ---- running two processes ----------------------------------------------- */

/* Written by the children, read by the parent. */
struct shared {
	int64_t t_start;	/* ns, sender before its first send */
	int64_t t_end;		/* ns, receiver after its last receive */
	long sent, received;	/* messages of a stream */
	char err[2][ERRLEN];
	int64_t rtt[RTT_ROUNDS];
};

static struct shared *shm;

/* The outcome of one run. */
struct run {
	bool ok;
	double secs;
	long count;		/* messages of a stream */
	struct rusage ru[2];
};

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

/*
 * One step of a ping-pong, or the child's end on an error.  Small and
 * static, so inlined: the round trip times nothing more than the calls.
 */
static void rtt_send(const struct mech *m, struct ctx *c, int side, void *buf)
{
	int r = m->send(c, side, buf, RTT_SIZE);

	if (r)
		child_fail(2, "send: %s", errstr(r));
}

static long rtt_recv(const struct mech *m, struct ctx *c, int side, void *buf)
{
	long r = m->recv(c, side, buf, RTT_SIZE + SLACK);

	if (r < 0)
		child_fail(2, "receive: %s", errstr(r));
	return r;
}

static long rtt_call(const struct mech *m, struct ctx *c, int side, void *buf)
{
	long r = m->call(c, side, buf, RTT_SIZE, RTT_SIZE + SLACK);

	if (r < 0)
		child_fail(2, "call: %s", errstr(r));
	return r;
}

/* Round trip @i took from @t0 to now; the warm-up ones are not kept. */
static void rtt_record(int i, int64_t t0)
{
	if (i >= RTT_WARMUP)
		shm->rtt[i - RTT_WARMUP] = now_ns() - t0;
}

/* The same with a send-and-receive call: the server replies and waits. */
static void pingpong_call(const struct mech *m, struct ctx *c, int side)
{
	void *buf = alloc_buf(RTT_SIZE);
	const int total = RTT_WARMUP + RTT_ROUNDS;
	long r;

	if (side == SIDE_B) {
		check(buf, rtt_recv(m, c, side, buf), RTT_SIZE, 0);
		for (int i = 1; i < total; i++)
			check(buf, rtt_call(m, c, side, buf), RTT_SIZE, i);
		rtt_send(m, c, side, buf);
		return;
	}
	for (int i = 0; i < total; i++) {
		int64_t t0 = now_ns();

		stamp(buf, RTT_SIZE, i);
		r = rtt_call(m, c, side, buf);
		rtt_record(i, t0);
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
			rtt_send(m, c, side, buf);
			r = rtt_recv(m, c, side, buf);
			rtt_record(i, t0);
			check(buf, r, RTT_SIZE, i);
		} else {
			check(buf, rtt_recv(m, c, side, buf), RTT_SIZE, i);
			rtt_send(m, c, side, buf);
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

/* ---- results ------------------------------------------------------------- */

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

void messaging_ratios(int ci, const struct cpucfg *cfg)
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

/* ---- the part's entry points --------------------------------------------- */

/* The shared page, and the timeout signal; exits on failure. */
void messaging_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: wait4 gets EINTR */
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	child_err = shm->err;
}

void messaging_intro(void)
{
	printf("streams: %d runs of %g s each, sized by a pilot run; batches "
	       "of %d; queues %d deep;\nchannel rings %u KiB\n", reps, run_secs,
	       BATCH, QDEPTH, CHAN_CAPACITY >> 10);
	print_mech_notes();
}

/* Round trips and streams in one CPU configuration. */
void messaging_bench(int ci, const struct cpucfg *cfg, bool kipc)
{
	int64_t t0 = now_ns();

	printf("\n==== %s ====\n", cfg->title);
	if (cfg->one)
		printf("(channel and channel-batch: kipc_ring_set_spin(0); "
		       "channel-spin: libkipc's default)\n");
	else
		printf("(channels: libkipc's default spin)\n");
	measure_rtt(ci, cfg, kipc);
	measure_streams(ci, cfg, kipc);
	printf("(%s took %.0f s)\n", cfg->label, (now_ns() - t0) / 1e9);
	clock_changed[ci] = check_clocksource(ci ?
		"during the 2-CPU measurements" :
		"during the 1-CPU measurements");
}

/* ---- limits -------------------------------------------------------------- */

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

void raise_limits(void)
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
