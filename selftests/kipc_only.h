/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KIPC_ONLY: which tests of a program run.  Shared by kipc_test_util.h
 * and kipc_posix_util.h (the POSIX tests, which use only libc), so that
 * every test program selects its tests alike.  Included after
 * kselftest_harness.h.
 */
#ifndef KIPC_ONLY_H
#define KIPC_ONLY_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*
 * Whether test @name runs: KIPC_ONLY, when set, is a list of words
 * separated by spaces, and only tests whose names contain one of them run
 * (`make soak` runs the stress tests so; the kselftest harness of 6.1 has
 * no filter of its own).
 */
static inline bool kt_selected(const char *name)
{
	const char *only = getenv("KIPC_ONLY"), *p, *end;
	char word[64];
	size_t len;

	if (!only)
		return true;
	for (p = only; *p; p = end) {
		p += strspn(p, " ");
		end = p + strcspn(p, " ");
		len = (size_t)(end - p);
		if (!len || len >= sizeof(word))
			continue;
		memcpy(word, p, len);
		word[len] = '\0';
		if (strstr(name, word))
			return true;
	}
	return false;
}

/*
 * First in a FIXTURE_SETUP: skip a test KIPC_ONLY leaves out, before the
 * rest of the setup and without its teardown (the 6.1 harness would run
 * the body after a SKIP in setup, hence the jump).  vm-run.sh does not
 * count these skips.
 */
#define KT_SKIP_UNSELECTED() do {					\
	if (!kt_selected(_metadata->name))				\
		SKIP(longjmp(_metadata->env, 1),			\
		     "not selected by KIPC_ONLY");			\
} while (0)

#endif /* KIPC_ONLY_H */
