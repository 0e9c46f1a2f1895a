// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench's synchronization part (also alone: kipc-bench -s), against
 * glibc in the same boot:
 *
 * - uncontended semaphore post + wait and mutex lock + unlock in one
 *   process, against glibc's process-shared sem_t and pthread_mutex_t;
 * - hand-offs between two processes: semaphores, a shared-memory write
 *   plus the wake of a waiter (kipc region + semaphore against memfd +
 *   futex), and a mutex unlocked to a blocked waiter;
 * - one kernel call right after a context switch (a wait that finds
 *   nothing), against futex.
 *
 * The contenders run interleaved, one run each per round, so that a slow
 * drift of the emulated machine weighs on all of them alike.
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libkipc.h"
#include "harness.h"

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

/* ns per post+wait pair, no other process involved. */
static const char *const unc_names[] = {
	"glibc sem_t (pshared)", "kipc semaphore (mapped)",
	"kipc semaphore (ioctls)",
};

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

/* One post or wait by ioctl; 0, or -1 after counting and saying so. */
static int sem_ioctl(int fd, unsigned long req)
{
	struct kipc_sem_op op;

	memset(&op, 0, sizeof(op));
	op.count = 1;
	if (!ioctl(fd, req, &op))
		return 0;
	errors++;
	printf("  ERROR kipc semaphore ioctl: %s\n", strerror(errno));
	return -1;
}

static double unc_kipc_ioctl(int fd)
{
	int64_t t0 = now_ns();

	for (int i = 0; i < SYNC_UNCONTENDED / 10; i++)
		if (sem_ioctl(fd, KIPC_SEM_IOC_POST) ||
		    sem_ioctl(fd, KIPC_SEM_IOC_WAIT))
			return 0;
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

/* Lock (@lock) or unlock; 0 or -errno.  Inline: a hand-off times it. */
static inline __attribute__((always_inline))
int mx_op(struct mx *x, bool lock)
{
	pthread_mutex_t *pm;

	if (x->kind == MX_KIPC)
		return lock ? kipc_mutex_lock(x->km, -1) :
			      kipc_mutex_unlock(x->km);
	pm = x->kind == MX_PLAIN ? &x->sh->plain : &x->sh->robust;
	return -(lock ? pthread_mutex_lock(pm) : pthread_mutex_unlock(pm));
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
			if (mx_op(x, true))
				_exit(2);
			x->sh->lat = now_ns() - x->sh->t0;
			if (x->sh->holder)
				_exit(3);
			if (mx_op(x, false))
				_exit(4);
			__atomic_store_n(&x->sh->phase, 3, __ATOMIC_RELEASE);
		}
		_exit(0);
	}
	pin(cfg->cpu[0]);
	if (x->kind == MX_KIPC)
		err = kipc_mutex_attach(x->fd, &x->km);
	for (int i = 0; i < n && !err; i++) {
		err = mx_op(x, true);
		if (err)
			break;
		x->sh->holder = 1;
		__atomic_store_n(&x->sh->phase, 1, __ATOMIC_RELEASE);
		wait_phase(x->sh, 2);
		usleep(300);	/* let side 1 block on the mutex */
		x->sh->holder = 0;
		x->sh->t0 = now_ns();
		err = mx_op(x, false);
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
		keep_min(&unc[MX_PLAIN], unc_pthread(&sh->plain), !r);
		keep_min(&unc[MX_ROBUST], unc_pthread(&sh->robust), !r);
		keep_min(&unc[MX_KIPC], unc_kmutex(km), !r);
	}
	kipc_mutex_detach(km);
	printf("uncontended lock + unlock, one process, best of 3 x %d, ns:\n",
	       SYNC_UNCONTENDED);
	print_table(mx_names, unc, MX_N, 30, 1);
	*unc_ratio = unc[MX_KIPC] / unc[MX_PLAIN];
	for (int ci = 0; ci < 2; ci++) {
		if (!want[ci])
			continue;
		printf("mutex hand-off latency (unlock to the blocked waiter "
		       "owning it), %s, median of %d in %d interleaved rounds, "
		       "us:\n", cfgs[ci].title, MTX_HANDOFFS, MTX_ROUNDS);
		mx_interleaved(&cfgs[ci], sh, fd, hand);
		print_table(mx_names, hand, MX_N, 30, 2);
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

void sync_bench(const struct cpucfg *cfgs, const bool *want)
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
		keep_min(&unc[0], unc_glibc(sh), !r);
		keep_min(&unc[1], unc_kipc(ks), !r);
		keep_min(&unc[2], unc_kipc_ioctl(fd), !r);
	}
	kipc_sem_detach(ks);
	close(fd);
	printf("uncontended post + wait, one process, best of 3 x %d, ns:\n",
	       SYNC_UNCONTENDED);
	print_table(unc_names, unc, 3, 26, 1);

	for (int ci = 0; ci < 2; ci++) {
		if (!want[ci])
			continue;
		printf("hand-off between two processes, %s, median of %d "
		       "interleaved runs x %d round trips, us per hand-off:\n",
		       cfgs[ci].title, SYNC_RUNS, SYNC_PINGPONG);
		pp_interleaved(&cfgs[ci], sh, hand[ci]);
		print_table(pp_names, hand[ci], PP_N, 26, 2);
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
	print_ratio(unc[1] / unc[0], 1.5, "sem-uncontended kipc/glibc");
	if (cold[COLD_FUTEX] > 0)
		print_ratio(cold[COLD_KIPC] / cold[COLD_FUTEX], 0,
			    "sem-wait-call-cold kipc/futex");
	for (int ci = 0; ci < 2; ci++) {
		if (!want[ci])
			continue;
		print_ratio(hand[ci][PP_KIPC] / hand[ci][PP_GLIBC], 1.0,
			    "sem-handoff-%s kipc/glibc", cfgs[ci].label);
		print_ratio(hand[ci][PP_REGION] / hand[ci][PP_FUTEX], 0,
			    "region-wake-%s kipc/memfd+futex", cfgs[ci].label);
	}
	munmap(sh, sizeof(*sh));
	printf("\n");
	mutex_bench(cfgs, want, &mr, mh);
	printf("\nratios, mutexes:\n");
	print_ratio(mr, 1.5, "mutex-uncontended kipc/glibc");
	for (int ci = 0; ci < 2; ci++)
		if (want[ci])
			print_ratio(mh[ci], 1.0, "mutex-handoff-%s kipc/glibc",
				    cfgs[ci].label);
}
