/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of kipc.ko that only the KUnit tests (kipc_kunit.ko) call:
 * declared here, next to the tests, and exported with
 * EXPORT_SYMBOL_IF_KUNIT() by the files that define them.
 */
#ifndef _KIPC_KUNIT_HOOKS_H
#define _KIPC_KUNIT_HOOKS_H

#include <linux/atomic.h>
#include <linux/ktime.h>
#include <linux/types.h>

#include "../object.h"

struct pid_namespace;

/* Event internals (event.c); always built, so always declared. */
void kipc_event_do_signal(struct kipc_object *obj, u64 value);
int kipc_event_do_wait(struct kipc_object *obj, bool nonblock, ktime_t deadline,
		       u64 *value);
void kipc_event_do_reset(struct kipc_object *obj);
void kipc_event_get_info(struct kipc_object *obj, struct kipc_event_info *in);

#if IS_ENABLED(CONFIG_KUNIT)
/* Channel internals for kipc_kunit.ko (channel.c). */
struct kipc_chan_ring *kipc_chan_test_ring(struct kipc_object *obj,
					   unsigned int d, u8 **data, u32 *cap);
int kipc_chan_test_put(struct kipc_object *obj, unsigned int d,
		       const void __user *buf, u32 len);
int kipc_chan_test_get(struct kipc_object *obj, unsigned int d,
		       void __user *buf, u32 size, u32 *len);

/* Semaphore, mutex and cond internals for kipc_kunit.ko (sem.c, mutex.c). */
int kipc_sem_test_post(struct kipc_object *obj, u32 count, bool undo,
		       u32 *value);
int kipc_sem_test_wait(struct kipc_object *obj, bool nonblock,
		       ktime_t deadline, bool undo, u32 *value);
atomic64_t *kipc_sem_test_state(struct kipc_object *obj);
void kipc_sem_test_info(struct kipc_object *obj, struct kipc_sem_info *in);
int kipc_mutex_test_lock(struct kipc_object *obj, u32 tid, bool nonblock,
			 ktime_t deadline);
int kipc_mutex_test_unlock(struct kipc_object *obj, u32 tid);
int kipc_mutex_test_consistent(struct kipc_object *obj, u32 tid);
u32 *kipc_mutex_test_word(struct kipc_object *obj);
void kipc_mutex_test_info(struct kipc_object *obj, struct kipc_mutex_info *in);
void kipc_mutex_test_check_owner(struct kipc_object *obj);
bool kipc_tid_alive(struct pid_namespace *ns, u32 tid, pid_t *tgid);
int kipc_cond_test_wait(struct kipc_object *cobj, struct kipc_object *mobj,
			u32 tid, ktime_t deadline);
unsigned int kipc_cond_test_signal(struct kipc_object *cobj, bool all);
unsigned int kipc_cond_test_waiters(struct kipc_object *cobj);
int kipc_wm_test_try(struct kipc_object **objs, u32 n, bool all,
		     struct kipc_wait_obj *res, u32 *index);
#endif

#endif /* _KIPC_KUNIT_HOOKS_H */
