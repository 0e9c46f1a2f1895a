/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The messaging mechanisms kipc-bench compares, Linux's and kipc's, each
 * behind the same operations (mechanisms.c), and the sizes they are
 * measured with (messaging.c).
 */
#ifndef KIPC_BENCH_MECHANISMS_H
#define KIPC_BENCH_MECHANISMS_H

#include <mqueue.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness.h"

#define RTT_SIZE	64
#define BATCH		32		/* messages per batched call */
#define QDEPTH		64		/* depth of every message queue */
#define CHAN_CAPACITY	(1U << 20)	/* bytes per channel ring */
#define CHAN_MAX_MSG	(64U << 10)
#define KPIPE_CAPACITY	(64U << 10)	/* as a Linux pipe's default */
#define HEADROOM	16		/* before each buffer: SysV's mtype */
#define MAXMECH		16

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

/* No objects yet (every fd -1), for messages of @size bytes. */
void ctx_init(struct ctx *c, size_t size);

extern const struct mech mechs[];
extern const int nmech;
#define NMECH	nmech

void print_mech_notes(void);

#endif /* KIPC_BENCH_MECHANISMS_H */
