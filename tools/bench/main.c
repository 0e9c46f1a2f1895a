// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: kipc messaging and synchronization against Linux's own,
 * between two processes.
 *
 *   kipc-bench [-d SECONDS] [-r REPS] [-c 1|2] [-l] [-s] [-t SECONDS]
 *   kipc-bench registry [-n N,N,...] [-s SAMPLES]
 *
 * messaging.c measures round trips and streams of Linux's pipe, AF_UNIX
 * SOCK_SEQPACKET socketpair (also with sendmmsg/recvmmsg batches), POSIX
 * mq and System V msg queues, and of kipc's queue, pipe and channel
 * (kernel path by fd, user-space fast path by struct kipc_ring, each also
 * batched; kipc_ring_call for ping-pong); the mechanisms are in
 * mechanisms.c.  sync.c measures semaphores, mutexes and regions against
 * glibc and futex.  harness.c holds what they share.
 *
 * It then prints each kipc figure as a ratio to the best Linux mechanism
 * of the same kind, and the targets as "target met/missed".
 * Exit status: 0 when every measurement ran and every byte arrived right
 * (targets missed or not), 1 on any error (a call failing, lost, reordered
 * or corrupted data, a hang).  -l runs the Linux mechanisms only (no
 * module needed).  Run as root it raises the mq and msg limits it needs.
 * docs/performance.md keeps the figures measured so far.
 *
 * "kipc-bench registry" measures the name registry instead: create, open
 * and unlink at 1,000 to 1,000,000 names (registry.c).
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "libkipc.h"
#include "harness.h"

int main(int argc, char **argv)
{
	static const struct cpucfg cfgs[2] = {
		{ "1cpu", "1 CPU: both processes on CPU 0", { 0, 0 }, true },
		{ "2cpu", "2 CPUs: CPU 0 and CPU 1", { 0, 1 }, false },
	};
	struct options o;
	struct utsname u;
	long ncpu;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "registry"))
		return registry_bench(argc - 1, argv + 1);
	parse_options(argc, argv, &o);
	messaging_init();

	uname(&u);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	printf("kipc-bench: kernel %s, %ld CPUs online, clock source %s\n",
	       u.release, ncpu,
	       read_clocksource(clocksource, sizeof(clocksource)));
	if (o.kipc) {
		struct kipc_version v;
		int err = kipc_version(&v);

		if (err) {
			printf("kipc-bench: kipc_version: %s (module not "
			       "loaded? -l runs Linux only)\n", errstr(err));
			return 1;
		}
		printf("kipc-bench: kipc API version %u\n", v.api_version);
	}
	messaging_intro();
	raise_limits();
	if (ncpu < 2 && o.want[1]) {
		printf("note: one CPU online, no 2-CPU configuration\n");
		o.want[1] = false;
	}

	for (int ci = 0; ci < 2; ci++)
		if (o.want[ci] && !o.sync_only)
			messaging_bench(ci, &cfgs[ci], o.kipc);

	if (o.kipc)
		sync_bench(cfgs, o.want);

	if (o.kipc && !o.sync_only) {
		printf("\n==== ratios ====\n");
		for (int ci = 0; ci < 2; ci++)
			if (o.want[ci])
				messaging_ratios(ci, &cfgs[ci]);
	}
	printf("\nkipc-bench: %s\n", errors ? "FAILED (errors above)" :
	       "done, no errors");
	return errors ? 1 : 0;
}
