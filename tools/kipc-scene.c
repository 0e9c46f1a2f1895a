// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-scene: a small service made of kipc objects, for kipcctl to show.
 *
 *   kipc-scene SECONDS
 *
 * Sets up, and keeps busy for SECONDS:
 *   queue "orders"        a producer sends an order every 50 ms, a consumer
 *                         takes one every 200 ms: the queue backs up
 *   mutex "orders.lock"   held by "holder" all along, "waiter" blocked on it
 *   semaphore "workers"   value 0, "worker" blocked on it
 *   event "shutdown"      the parent waits for it (manual reset)
 *   region "cache"        1 MiB, mapped by the parent
 * Each process names itself (prctl PR_SET_NAME) so that holders and
 * waiters read well.  Then everything is unlinked and the children
 * stopped.  `kipcctl` run meanwhile sees it all; signalling "shutdown"
 * (kipcctl cannot: any kipc program can) ends it early.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libkipc.h"

#define NS_PER_MS	1000000LL
#define NCHILD		5

static long seconds;

static void die(const char *what, int err)
{
	fprintf(stderr, "kipc-scene[%d]: %s: %s\n", getpid(), what,
		kipc_strerror(err));
	exit(1);
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * NS_PER_MS };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void producer(void)
{
	char order[64];
	int q = kipc_queue_open("orders", KIPC_FD_WRONLY);

	if (q < 0)
		die("open orders", q);
	for (long i = 1;; i++) {
		int n = snprintf(order, sizeof(order), "order %ld", i);

		kipc_queue_send(q, order, n, 0, KIPC_INFINITE);
		nap_ms(50);
	}
}

static void consumer(void)
{
	char order[256];
	int q = kipc_queue_open("orders", KIPC_FD_RDONLY);

	if (q < 0)
		die("open orders", q);
	for (;;) {
		kipc_queue_recv(q, order, sizeof(order), NULL, KIPC_INFINITE);
		nap_ms(200);
	}
}

static struct kipc_mutex *open_lock(void)
{
	struct kipc_mutex *m;
	int fd, err;

	fd = kipc_mutex_open("orders.lock", 0);
	if (fd < 0)
		die("open orders.lock", fd);
	err = kipc_mutex_attach(fd, &m);
	if (err)
		die("attach orders.lock", err);
	return m;
}

static void holder(void)
{
	struct kipc_mutex *m = open_lock();

	kipc_mutex_lock(m, KIPC_INFINITE);
	for (;;)
		pause();
}

static void waiter(void)
{
	struct kipc_mutex *m = open_lock();

	nap_ms(100);	/* after the holder */
	kipc_mutex_lock(m, KIPC_INFINITE);
	for (;;)
		pause();
}

static void worker(void)
{
	struct kipc_sem *s;
	int fd, err;

	fd = kipc_sem_open("workers", 0);
	if (fd < 0)
		die("open workers", fd);
	err = kipc_sem_attach(fd, &s);
	if (err)
		die("attach workers", err);
	for (;;)
		kipc_sem_wait(s, KIPC_INFINITE, 0);
}

static pid_t start(const char *name, void (*fn)(void))
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork", -errno);
	if (pid == 0) {
		prctl(PR_SET_NAME, name);
		fn();
		exit(0);
	}
	return pid;
}

static void create_all(void)
{
	int fd;

	fd = kipc_queue_create("orders", 0644, 64, 256, 0);
	if (fd < 0)
		die("create orders", fd);
	fd = kipc_mutex_create("orders.lock", 0600, 0, 0);
	if (fd < 0)
		die("create orders.lock", fd);
	fd = kipc_sem_create("workers", 0600, 0, 0, 0);
	if (fd < 0)
		die("create workers", fd);
}

static void unlink_all(void)
{
	kipc_unlink(KIPC_TYPE_QUEUE, "orders");
	kipc_unlink(KIPC_TYPE_MUTEX, "orders.lock");
	kipc_unlink(KIPC_TYPE_SEMAPHORE, "workers");
	kipc_unlink(KIPC_TYPE_EVENT, "shutdown");
	kipc_unlink(KIPC_TYPE_REGION, "cache");
}

int main(int argc, char **argv)
{
	static const char *const names[NCHILD] = {
		"producer", "consumer", "holder", "waiter", "worker",
	};
	static void (*const fns[NCHILD])(void) = {
		producer, consumer, holder, waiter, worker,
	};
	pid_t pids[NCHILD];
	int ev, region;
	void *map;

	if (argc != 2 || (seconds = strtol(argv[1], NULL, 10)) < 1) {
		fprintf(stderr, "usage: kipc-scene SECONDS\n");
		return 2;
	}
	prctl(PR_SET_NAME, "scene");
	create_all();
	ev = kipc_event_create("shutdown", 0666, KIPC_EVENT_MANUAL_RESET, 0);
	if (ev < 0)
		die("create shutdown", ev);
	region = kipc_region_create("cache", 0644, 1 << 20, 0);
	if (region < 0)
		die("create cache", region);
	map = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, region, 0);
	if (map == MAP_FAILED)
		die("map cache", -errno);
	memset(map, 1, 64 << 10);
	for (int i = 0; i < NCHILD; i++)
		pids[i] = start(names[i], fns[i]);
	printf("kipc-scene: running for %ld s\n", seconds);
	kipc_event_wait(ev, seconds * 1000 * NS_PER_MS, NULL);
	unlink_all();
	for (int i = 0; i < NCHILD; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
	}
	printf("kipc-scene: done\n");
	return 0;
}
