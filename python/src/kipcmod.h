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

/* The user-space handle of a channel, semaphore or mutex. */
union kp_handle {
	struct kipc_ring *ring;		/* channel fast path, or NULL */
	struct kipc_sem *sem;
	struct kipc_mutex *mutex;
};

typedef struct {
	PyObject_HEAD
	int fd;
	uint32_t ktype;		/* KIPC_TYPE_* */
	int closed;		/* close() was called: no new calls */
	int users;		/* calls running with the GIL released */
	int timed;		/* pipe: timed calls running (O_NONBLOCK) */
	int nonblock;		/* pipe: made O_NONBLOCK */
	union kp_handle h;
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

#define KP_FOREVER	{ KIPC_INFINITE, 0 }

/*
 * What a blocking call needs of its object, copied under the GIL when the
 * call begins: the first member of every call's context.
 */
struct kp_op {
	int fd;
	union kp_handle h;
};

/*
 * A blocking libkipc call, made without the GIL: 0/length or -errno.
 * @ctx is the struct kp_op at the start of the call's context.
 */
typedef long (*kp_fn)(void *ctx, int64_t timeout_ns);

/*
 * An "O&" argument that knows its name, so that errors say which one as
 * CPython's do ("send() argument 'data' must be bytes-like object, not
 * int").  @name is NULL for the single argument of a METH_O method.
 */
struct kp_arg {
	const char *fn;
	const char *name;
	void *out;
};
#define KP_ARG(conv, fn, name, out) \
	conv, &(struct kp_arg){ (fn), (name), (out) }
#define KP_TIMEOUT(fn, d)	KP_ARG(kp_conv_timeout, fn, "timeout", d)
#define KP_U32(fn, name, p)	KP_ARG(kp_conv_u32, fn, name, p)
#define KP_U64(fn, name, p)	KP_ARG(kp_conv_u64, fn, name, p)
#define KP_SIZE(fn, name, p)	KP_ARG(kp_conv_size, fn, name, p)
#define KP_BUF(fn, name, v)	KP_ARG(kp_conv_buf, fn, name, v)
#define KP_WBUF(fn, name, v)	KP_ARG(kp_conv_wbuf, fn, name, v)

/* kp_run()'s return when a signal handler raised. */
#define KP_PYERR	(-100000L)

/* module.c */
extern PyObject *kp_OwnerDeadError;
int kp_bad_arg(const struct kp_arg *a, const char *expected, PyObject *obj);
int kp_bad_value(const struct kp_arg *a, const char *what);
int kp_conv_timeout(PyObject *obj, void *arg);
int kp_conv_timeout_neg(PyObject *obj, void *arg);
int kp_conv_u32(PyObject *obj, void *arg);
int kp_conv_u64(PyObject *obj, void *arg);
int kp_conv_ssize(PyObject *obj, void *arg);
int kp_conv_size(PyObject *obj, void *arg);
int kp_conv_buf(PyObject *obj, void *arg);
int kp_conv_wbuf(PyObject *obj, void *arg);
int kp_conv_fd(PyObject *obj, void *arg);
int kp_parse_io(PyObject *args, PyObject *kw, const char *fn, int writable,
		Py_buffer *buf, struct kp_deadline *d);
int kp_parse_timeout(PyObject *args, PyObject *kw, const char *fn,
		     int kwonly, struct kp_deadline *d);
int64_t kp_now(void);
int64_t kp_remaining(const struct kp_deadline *d);
long kp_run(kp_fn fn, void *ctx, struct kp_deadline *d, int restart);
PyObject *kp_error(long err);
PyObject *kp_error_name(long err, PyObject *name);
PyObject *kp_error_pyerr(long err);
PyObject *kp_none(long ret);
PyObject *kp_long(long ret);
PyObject *kp_record(PyTypeObject *type, const char *fmt, ...);
extern PyTypeObject *kp_ObjectInfoType, *kp_EventInfoType, *kp_QueueInfoType,
	*kp_ChannelInfoType, *kp_PipeInfoType, *kp_RegionInfoType,
	*kp_SemInfoType, *kp_MutexInfoType;

/* object.c */
extern PyTypeObject kp_ObjectType;
int kp_open(KObj *o);
int kp_enter(KObj *o);
void kp_leave(KObj *o);
long kp_call(KObj *o, kp_fn fn, struct kp_op *op, struct kp_deadline *d);
long kp_call_once(KObj *o, kp_fn fn, struct kp_op *op, struct kp_deadline *d);
long kp_call_buf(KObj *o, kp_fn fn, struct kp_op *op, struct kp_deadline *d,
		 Py_buffer *buf);
PyObject *kp_wrap(PyTypeObject *cls, int fd);
int kp_fd_info(PyObject *arg, const char *fn, struct kipc_object_info *in);
int kp_types_ready(PyObject *m);

/*
 * A call that does not block, on an open object: what @expr returns
 * (0 or -errno), or KP_PYERR with ValueError if the object is closed.
 */
#define KP_QUICK(o, expr)	(kp_open(o) ? KP_PYERR : (long)(expr))

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

/* The common constructor arguments, then the type's own. */
#define KP_COMMON_KW "name", "mode", "create", "access", "nonblock", \
		     "inheritable"
#define KP_COMMON_FMT "|O&O&$O&O&pp"
#define KP_COMMON_ARGS(fn, c) \
	KP_ARG(kp_conv_name, fn, "name", &(c).name), \
	KP_ARG(kp_conv_mode, fn, "mode", &(c).mode), \
	kp_conv_create, &(c).create, \
	KP_ARG(kp_conv_access, fn, "access", &(c).fdflags), \
	&(c).nonblock, &(c).inheritable
int kp_conv_name(PyObject *obj, void *out);
int kp_conv_create(PyObject *obj, void *out);
int kp_conv_access(PyObject *obj, void *out);
int kp_conv_mode(PyObject *obj, void *out);
uint32_t kp_fdflags(const struct kp_common *c);
PyObject *kp_make(PyTypeObject *cls, uint32_t type, struct kp_common *c,
		  const void *attr, uint32_t attr_size);

/* The start of the type of every class: its name, size and flags. */
#define KP_TYPE_HEAD(cls)						\
	PyVarObject_HEAD_INIT(NULL, 0)					\
	.tp_name = "kipc._kipc." cls,					\
	.tp_basicsize = sizeof(KObj),					\
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE

/* types.c, stream.c: the per-type parts */
extern PyTypeObject kp_EventType, kp_QueueType, kp_SemaphoreType,
	kp_MutexType, kp_CondType, kp_ChannelType, kp_PipeType, kp_RegionType;
int kp_setup(KObj *o);		/* attach handles, read sizes */
void kp_release_type(KObj *o);	/* detach handles, unmap */
int kp_channel_setup(KObj *o);	/* stream.c */
int kp_region_setup(KObj *o);
void kp_region_release(KObj *o);

#endif /* KIPCMOD_H */
