/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc internal interfaces, for every file of the module: the object core,
 * the wait queues, the priority queue, and the hooks the KUnit tests use.
 *
 * Locking: see docs/design.md, section 7.
 */
#ifndef _KIPC_KIPC_H
#define _KIPC_KIPC_H

#include "object.h"
#include "waitq.h"
#include "prioq.h"
#include "tests/kipc_kunit_hooks.h"

#endif /* _KIPC_KIPC_H */
