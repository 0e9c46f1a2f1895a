/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kipc._kipc: what the extension's source files share.
 *
 * Every kipc object is a KObj: one fd plus what its type needs (a mapped
 * fast-path handle, a region's mapping, a queue's or channel's message
 * size).  Calls that block release the GIL; while they run, the object
 * counts them in @users, and close() only marks it closed: the fd and the
 * handles are released when the last such call returns, so another
 * thread's close() never frees what a blocked call still uses.
 */
#ifndef KIPCMOD_H
#define KIPCMOD_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#include "libkipc.h"

typedef struct {
	PyObject_HEAD
	int fd;
	uint32_t ktype;		/* KIPC_TYPE_* */
	int closed;		/* close() was called: no new calls */
	int users;		/* calls running with the GIL released */
	int nbfd;		/* pipe: a non-blocking reopen of @fd, or -1 */
	union {
		struct kipc_ring *ring;		/* channel fast path, or NULL */
		struct kipc_sem *sem;
		struct kipc_mutex *mutex;
	} h;
	uint32_t msgmax;	/* queue: max_msg_size; channel: receive max */
	uint32_t txmax;		/* channel: send max */
	/* region */
	char *map;
	Py_ssize_t size;
	Py_ssize_t pos;
	Py_ssize_t exports;
	int writable;
	PyObject *weakrefs;
} KObj;

/* A timeout in seconds turned into what libkipc takes, and a deadline. */
struct kp_deadline {
	int64_t timeout_ns;	/* KIPC_INFINITE, 0 (try once) or > 0 */
	int64_t end;		/* CLOCK_MONOTONIC ns, if timeout_ns > 0 */
};

/* A blocking libkipc call, made without the GIL: 0/length or -errno. */
typedef long (*kp_fn)(void *ctx, int64_t timeout_ns);

/* kp_run()'s return when a signal handler raised. */
#define KP_PYERR	(-100000L)

/* module.c */
extern PyObject *kp_OwnerDeadError;
int kp_conv_timeout(PyObject *obj, void *out);
int kp_conv_timeout_neg(PyObject *obj, void *out);
int kp_conv_u32(PyObject *obj, void *out);
int64_t kp_remaining(const struct kp_deadline *d);
long kp_run(kp_fn fn, void *ctx, struct kp_deadline *d, int restart);
PyObject *kp_error(long err);
PyObject *kp_error_name(long err, PyObject *name);
PyObject *kp_error_pyerr(long err);
PyObject *kp_record(PyTypeObject *type, const char *fmt, ...);
extern PyTypeObject *kp_ObjectInfoType, *kp_EventInfoType, *kp_QueueInfoType,
	*kp_ChannelInfoType, *kp_PipeInfoType, *kp_RegionInfoType,
	*kp_SemInfoType, *kp_MutexInfoType;

/* object.c */
extern PyTypeObject kp_ObjectType;
int kp_enter(KObj *o);
void kp_leave(KObj *o);
KObj *kp_check(PyObject *obj);
PyObject *kp_wrap(PyTypeObject *cls, int fd);
int kp_types_ready(PyObject *m);

/* Arguments every constructor takes. */
struct kp_common {
	PyObject *name;		/* bytes, or NULL for an anonymous object */
	uint32_t mode;
	int create;		/* -1 open or create, 0 open, 1 create */
	uint32_t fdflags;
	int nonblock;
	int inheritable;
};
#define KP_COMMON_INIT { NULL, 0600, -1, 0, 0, 0 }
int kp_conv_name(PyObject *obj, void *out);
int kp_conv_create(PyObject *obj, void *out);
int kp_conv_access(PyObject *obj, void *out);
int kp_conv_mode(PyObject *obj, void *out);
uint32_t kp_fdflags(const struct kp_common *c);
PyObject *kp_make(PyTypeObject *cls, uint32_t type, struct kp_common *c,
		  const void *attr, uint32_t attr_size);

/* types.c, stream.c: the per-type parts */
extern PyTypeObject kp_EventType, kp_QueueType, kp_SemaphoreType,
	kp_MutexType, kp_CondType, kp_ChannelType, kp_PipeType, kp_RegionType;
int kp_setup(KObj *o);		/* attach handles, read sizes */
void kp_release_type(KObj *o);	/* detach handles, unmap */

#endif /* KIPCMOD_H */
