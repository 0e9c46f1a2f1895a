/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tables of bad arguments as FIXTURE_VARIANT()s: each row is a test of its
 * own (reported as "<fixture>.<row>.<test>"), run with the setup and
 * teardown of the kipc fixture.  Included after kipc_test_util.h, in a
 * test program that has KT_FIXTURE() before KT_VARIANT_FIXTURE().
 *
 *	KT_VARIANT_FIXTURE(lock_args)
 *	FIXTURE_VARIANT(lock_args) { struct kipc_mutex_lock l; };
 *	FIXTURE_VARIANT_ADD(lock_args, pad) { .l.__pad = 1 };
 *	TEST_F(lock_args, lock_rejected) { ... variant->l ... }
 */
#ifndef KIPC_TEST_VARIANT_H
#define KIPC_TEST_VARIANT_H

/* Fixture @name: the kipc fixture's setup and teardown, for a table. */
#define KT_VARIANT_FIXTURE(name)				\
FIXTURE(name) {							\
	int unused;						\
};								\
FIXTURE_SETUP(name)						\
{								\
	kipc_setup(_metadata, NULL, NULL);			\
}								\
FIXTURE_TEARDOWN(name)						\
{								\
	kipc_teardown(_metadata, NULL, NULL);			\
}

#endif /* KIPC_TEST_VARIANT_H */
