// SPDX-License-Identifier: GPL-2.0
/*
 * A priority queue of messages: highest priority first, FIFO within a
 * priority.  The rbtree holds one node per priority present, the oldest
 * of that priority; the others follow it on a list whose head is that
 * node's own list entry.  Nodes are embedded in the messages, so pushing
 * never allocates (and so may happen under a spinlock).  O(log p) for p
 * distinct priorities present.
 *
 * Locking: none of its own; the queue's lock serializes it (see
 * docs/design.md, section 7).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>

#include "prioq.h"

static struct kipc_pq_node *kipc_pq_entry(struct rb_node *rb)
{
	return rb ? rb_entry(rb, struct kipc_pq_node, rb) : NULL;
}

static struct kipc_pq_node *kipc_pq_find(struct kipc_prioq *q, u32 prio)
{
	struct rb_node *rb = q->root.rb_root.rb_node;

	while (rb) {
		struct kipc_pq_node *n = kipc_pq_entry(rb);

		if (prio == n->prio)
			return n;
		/* Descending order: the leftmost node is the highest. */
		rb = prio > n->prio ? rb->rb_left : rb->rb_right;
	}
	return NULL;
}

static void kipc_pq_insert_head(struct kipc_prioq *q, struct kipc_pq_node *n)
{
	struct rb_node **link = &q->root.rb_root.rb_node, *parent = NULL;
	bool leftmost = true;

	while (*link) {
		parent = *link;
		if (n->prio > kipc_pq_entry(parent)->prio) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	rb_link_node(&n->rb, parent, link);
	rb_insert_color_cached(&n->rb, &q->root, leftmost);
}

/**
 * kipc_prioq_push() - add @n behind every node of its priority
 * @q: the queue
 * @n: the node, with @n->prio set
 */
void kipc_prioq_push(struct kipc_prioq *q, struct kipc_pq_node *n)
{
	struct kipc_pq_node *head = kipc_pq_find(q, n->prio);

	if (head) {
		list_add_tail(&n->list, &head->list);
	} else {
		INIT_LIST_HEAD(&n->list);
		kipc_pq_insert_head(q, n);
	}
	q->count++;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_prioq_push);

/**
 * kipc_prioq_push_front() - add @n ahead of every node of its priority
 * @q: the queue
 * @n: the node, with @n->prio set
 *
 * For putting back a node that was popped but could not be delivered.
 */
void kipc_prioq_push_front(struct kipc_prioq *q, struct kipc_pq_node *n)
{
	struct kipc_pq_node *head = kipc_pq_find(q, n->prio);

	INIT_LIST_HEAD(&n->list);
	if (head) {
		/* @n's entry becomes the list head, just before the old one. */
		list_add_tail(&n->list, &head->list);
		rb_replace_node_cached(&head->rb, &n->rb, &q->root);
	} else {
		kipc_pq_insert_head(q, n);
	}
	q->count++;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_prioq_push_front);

/**
 * kipc_prioq_peek() - the node kipc_prioq_pop() would return
 * @q: the queue
 *
 * Return: the oldest node of the highest priority, or NULL if empty.
 */
struct kipc_pq_node *kipc_prioq_peek(struct kipc_prioq *q)
{
	return kipc_pq_entry(rb_first_cached(&q->root));
}
EXPORT_SYMBOL_IF_KUNIT(kipc_prioq_peek);

/**
 * kipc_prioq_pop() - remove the oldest node of the highest priority
 * @q: the queue
 *
 * Return: the node, or NULL if @q is empty.
 */
struct kipc_pq_node *kipc_prioq_pop(struct kipc_prioq *q)
{
	struct kipc_pq_node *head = kipc_prioq_peek(q), *next;

	if (!head)
		return NULL;
	if (list_empty(&head->list)) {
		rb_erase_cached(&head->rb, &q->root);
	} else {
		next = list_first_entry(&head->list, struct kipc_pq_node, list);
		/* Unlinking the head leaves @next's entry heading the rest. */
		list_del_init(&head->list);
		rb_replace_node_cached(&head->rb, &next->rb, &q->root);
	}
	q->count--;
	return head;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_prioq_pop);
