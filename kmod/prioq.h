/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The queue's priority queue (prioq.c): highest priority first, FIFO
 * within a priority.  It has no lock of its own; its user serializes it.
 *
 * Design: docs/design.md; locking: section 7.
 */
#ifndef _KIPC_PRIOQ_H
#define _KIPC_PRIOQ_H

#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/types.h>

/**
 * struct kipc_pq_node - an entry of a &struct kipc_prioq
 * @rb: in the tree when this is the oldest node of its priority
 * @list: the followers of its priority (when in the tree), or the link
 *	among them
 * @prio: the priority; higher comes out first
 */
struct kipc_pq_node {
	struct rb_node rb;
	struct list_head list;
	u32 prio;
};

/**
 * struct kipc_prioq - priority queue, FIFO within a priority
 * @root: one node per priority present, highest leftmost
 * @count: nodes queued
 */
struct kipc_prioq {
	struct rb_root_cached root;
	unsigned int count;
};

static inline void kipc_prioq_init(struct kipc_prioq *q)
{
	q->root = RB_ROOT_CACHED;
	q->count = 0;
}

void kipc_prioq_push(struct kipc_prioq *q, struct kipc_pq_node *n);
void kipc_prioq_push_front(struct kipc_prioq *q, struct kipc_pq_node *n);
struct kipc_pq_node *kipc_prioq_peek(struct kipc_prioq *q);
struct kipc_pq_node *kipc_prioq_pop(struct kipc_prioq *q);

#endif /* _KIPC_PRIOQ_H */
