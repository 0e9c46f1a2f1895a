/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later */
/*
 * The sizes of the uapi structs, asserted by the module and by libkipc
 * alike: one list, so that neither side can grow a struct the other does
 * not know of.  Not installed and not uapi: the includer defines
 * KIPC_ASSERT_SIZE(type, size) first, the module as a static_assert(), the
 * library as a _Static_assert(), both at file scope.
 *
 * Every extensible struct is as large as its first version (_SIZE_VER0);
 * the others have the sizes user space relies on.
 *
 * Design: docs/design.md.
 */
#ifndef _KIPC_ABI_H
#define _KIPC_ABI_H

#ifndef KIPC_ASSERT_SIZE
#error "define KIPC_ASSERT_SIZE(type, size) before including kipc_abi.h"
#endif

/* Core. */
KIPC_ASSERT_SIZE(struct kipc_timespec, 16);
KIPC_ASSERT_SIZE(struct kipc_version, KIPC_VERSION_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_create, KIPC_CREATE_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_open, KIPC_OPEN_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_unlink, KIPC_UNLINK_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_stats, KIPC_STATS_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_object_info, KIPC_OBJECT_INFO_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_reopen, KIPC_REOPEN_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_notify, KIPC_NOTIFY_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_signal_holders, KIPC_SIGNAL_HOLDERS_SIZE_VER0);

/* Events. */
KIPC_ASSERT_SIZE(struct kipc_event_attr, KIPC_EVENT_ATTR_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_event_signal, KIPC_EVENT_SIGNAL_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_event_wait, KIPC_EVENT_WAIT_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_event_info, KIPC_EVENT_INFO_SIZE_VER0);

/* Message queues. */
KIPC_ASSERT_SIZE(struct kipc_queue_attr, KIPC_QUEUE_ATTR_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_queue_send, KIPC_QUEUE_SEND_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_queue_recv, KIPC_QUEUE_RECV_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_queue_info, KIPC_QUEUE_INFO_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_queue_notify, KIPC_QUEUE_NOTIFY_SIZE_VER0);

/* Channels, and the ring layout both ends map. */
KIPC_ASSERT_SIZE(struct kipc_channel_attr, KIPC_CHANNEL_ATTR_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_chan_ring, KIPC_CHAN_RING_SIZE);
KIPC_ASSERT_SIZE(struct kipc_chan_msghdr, 8);
KIPC_ASSERT_SIZE(struct kipc_chan_msg, 16);
KIPC_ASSERT_SIZE(struct kipc_chan_xfer, KIPC_CHAN_XFER_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_chan_wait, KIPC_CHAN_WAIT_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_channel_info, KIPC_CHANNEL_INFO_SIZE_VER0);

/* Pipes. */
KIPC_ASSERT_SIZE(struct kipc_pipe_attr, KIPC_PIPE_ATTR_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_pipe_capacity, KIPC_PIPE_CAPACITY_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_pipe_info, KIPC_PIPE_INFO_SIZE_VER0);

/* Shared regions. */
KIPC_ASSERT_SIZE(struct kipc_region_attr, KIPC_REGION_ATTR_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_region_info, KIPC_REGION_INFO_SIZE_VER0);

/* Semaphores, and the state both sides share. */
KIPC_ASSERT_SIZE(struct kipc_sem_attr, KIPC_SEM_ATTR_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_sem_shared, 64);
KIPC_ASSERT_SIZE(struct kipc_sem_op, KIPC_SEM_OP_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_sem_info, KIPC_SEM_INFO_SIZE_VER0);

/* Mutexes and condition variables. */
KIPC_ASSERT_SIZE(struct kipc_mutex_attr, KIPC_MUTEX_ATTR_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_mutex_lock, KIPC_MUTEX_LOCK_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_mutex_info, KIPC_MUTEX_INFO_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_cond_wait, KIPC_COND_WAIT_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_cond_signal, KIPC_COND_SIGNAL_SIZE_VER0);

/* Wait for many. */
KIPC_ASSERT_SIZE(struct kipc_wait_obj, KIPC_WAIT_OBJ_SIZE_VER0);
KIPC_ASSERT_SIZE(struct kipc_wait_many, KIPC_WAIT_MANY_SIZE_VER0);

#endif /* _KIPC_ABI_H */
