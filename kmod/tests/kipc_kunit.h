/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the files of kipc_kunit.ko, defined in kipc_kunit.c.
 */
#ifndef KIPC_KUNIT_H
#define KIPC_KUNIT_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/ktime.h>

#include "../kipc.h"

/* Bounds every wait of a test. */
#define KIPC_TEST_WAIT_MS	5000

ktime_t kipc_test_deadline(unsigned int ms);
u32 kipc_test_self(void);
struct kipc_object *kipc_test_new(struct kunit *test,
				  const struct kipc_type *type,
				  const void *attr);
void kipc_test_park(void);
void kipc_test_hand_back(struct kunit *test, struct kipc_object *m, u32 tid,
			 int ret, bool consistent, struct completion *release);
void kipc_test_stop(struct task_struct **task, struct completion *release);
struct kipc_event_info kipc_test_event_info(struct kipc_object *obj);
struct kipc_sem_info kipc_test_sem_info(struct kipc_object *obj);
struct kipc_mutex_info kipc_test_mutex_info(struct kipc_object *obj);
bool kipc_test_until(u32 (*count)(struct kipc_object *obj),
		     struct kipc_object *obj, u32 n);

#endif /* KIPC_KUNIT_H */
