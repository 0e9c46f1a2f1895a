// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kipc._kipc: the module, errors, timeouts, the typed records, and the
 * module-wide calls (version, stats, wait_many).
 */
#include "kipcmod.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

PyObject *kp_OwnerDeadError;

/* ---- errors ---------------------------------------------------------------- */

static PyObject *kp_owner_dead(void)
{
	PyObject *exc = PyObject_CallFunction(kp_OwnerDeadError, "is",
					      EOWNERDEAD,
					      "previous owner died; the "
					      "mutex is held: make it "
					      "consistent() or it becomes "
					      "not recoverable");

	if (exc) {
		PyErr_SetObject(kp_OwnerDeadError, exc);
		Py_DECREF(exc);
	}
	return NULL;
}

/* ENOENT from the library's first open of /dev/kipc: say what it means. */
static int kp_no_device(long err)
{
	PyObject *exc;

	if (err != -ENOENT || access(KIPC_DEVICE_PATH, F_OK) == 0)
		return 0;
	exc = PyObject_CallFunction(PyExc_FileNotFoundError, "iss", ENOENT,
				    "No such file or directory (is the kipc "
				    "module loaded?)", KIPC_DEVICE_PATH);
	if (exc) {
		PyErr_SetObject(PyExc_FileNotFoundError, exc);
		Py_DECREF(exc);
	}
	return 1;
}

/* Raise the OSError subclass of a negative errno; returns NULL. */
PyObject *kp_error(long err)
{
	if (err == -EOWNERDEAD)
		return kp_owner_dead();
	if (kp_no_device(err))
		return NULL;
	errno = (int)-err;
	return PyErr_SetFromErrno(PyExc_OSError);
}

/* As kp_error(), naming the object (bytes) in the exception. */
PyObject *kp_error_name(long err, PyObject *name)
{
	PyObject *s;

	if (!name || err == -EOWNERDEAD || kp_no_device(err))
		return err == -EOWNERDEAD || !name ? kp_error(err) : NULL;
	s = PyUnicode_DecodeFSDefaultAndSize(PyBytes_AS_STRING(name),
					     PyBytes_GET_SIZE(name));
	if (!s)
		return NULL;
	errno = (int)-err;
	PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, s);
	Py_DECREF(s);
	return NULL;
}

/* kp_error(), or NULL as it is if a signal handler raised. */
PyObject *kp_error_pyerr(long err)
{
	return err == KP_PYERR ? NULL : kp_error(err);
}

/* ---- results ----------------------------------------------------------- */

/* None, or the exception of a call that returned @ret < 0. */
PyObject *kp_none(long ret)
{
	return ret < 0 ? kp_error_pyerr(ret) : Py_NewRef(Py_None);
}

/* int(@ret), or the exception of a call that returned @ret < 0. */
PyObject *kp_long(long ret)
{
	return ret < 0 ? kp_error_pyerr(ret) : PyLong_FromLong(ret);
}

/* ---- arguments --------------------------------------------------------- */

/* TypeError as CPython words it; returns 0 (an "O&" converter's failure). */
int kp_bad_arg(const struct kp_arg *a, const char *expected, PyObject *obj)
{
	if (a->name)
		PyErr_Format(PyExc_TypeError,
			     "%s() argument '%s' must be %s, not %.100s", a->fn,
			     a->name, expected, Py_TYPE(obj)->tp_name);
	else
		PyErr_Format(PyExc_TypeError, "%s() argument must be %s, not "
			     "%.100s", a->fn, expected, Py_TYPE(obj)->tp_name);
	return 0;
}

/* ValueError "NAME WHAT"; returns 0. */
int kp_bad_value(const struct kp_arg *a, const char *what)
{
	if (a->name)
		PyErr_Format(PyExc_ValueError, "%s %s", a->name, what);
	else
		PyErr_Format(PyExc_ValueError, "%s() argument %s", a->fn, what);
	return 0;
}

/* An int argument that is not negative, as unsigned long long. */
static int kp_conv_unsigned(PyObject *obj, const struct kp_arg *a,
			    unsigned long long *v)
{
	if (!PyLong_Check(obj))
		return kp_bad_arg(a, "int", obj);
	if (_PyLong_Sign(obj) < 0)
		return kp_bad_value(a, "must not be negative");
	*v = PyLong_AsUnsignedLongLong(obj);
	if (*v == (unsigned long long)-1 && PyErr_Occurred()) {
		PyErr_Clear();
		PyErr_Format(PyExc_OverflowError, "%s is too large",
			     a->name ? a->name : "argument");
		return 0;
	}
	return 1;
}

/* "O&" converter (struct kp_arg) for a uint32_t. */
int kp_conv_u32(PyObject *obj, void *arg)
{
	const struct kp_arg *a = arg;
	unsigned long long v;

	if (!kp_conv_unsigned(obj, a, &v))
		return 0;
	if (v > UINT32_MAX) {
		PyErr_Format(PyExc_OverflowError, "%s must be below 2**32",
			     a->name ? a->name : "argument");
		return 0;
	}
	*(uint32_t *)a->out = (uint32_t)v;
	return 1;
}

/* "O&" converter (struct kp_arg) for a uint64_t. */
int kp_conv_u64(PyObject *obj, void *arg)
{
	const struct kp_arg *a = arg;
	unsigned long long v;

	if (!kp_conv_unsigned(obj, a, &v))
		return 0;
	*(uint64_t *)a->out = v;
	return 1;
}

/* "O&" converter (struct kp_arg) for an int as Py_ssize_t. */
int kp_conv_ssize(PyObject *obj, void *arg)
{
	const struct kp_arg *a = arg;
	Py_ssize_t v;

	if (!PyIndex_Check(obj))
		return kp_bad_arg(a, "int", obj);
	v = PyNumber_AsSsize_t(obj, PyExc_OverflowError);
	if (v == -1 && PyErr_Occurred())
		return 0;
	*(Py_ssize_t *)a->out = v;
	return 1;
}

/* "O&" converter (struct kp_arg) for a size: a Py_ssize_t >= 0. */
int kp_conv_size(PyObject *obj, void *arg)
{
	const struct kp_arg *a = arg;

	if (!kp_conv_ssize(obj, arg))
		return 0;
	if (*(Py_ssize_t *)a->out < 0)
		return kp_bad_value(a, "must not be negative");
	return 1;
}

/* A buffer argument (Py_CLEANUP_SUPPORTED, as "y*" and "w*" are). */
static int kp_conv_buffer(PyObject *obj, const struct kp_arg *a, int flags,
			  const char *expected)
{
	Py_buffer *view = a->out;

	if (!obj) {
		PyBuffer_Release(view);
		return 1;
	}
	if (PyObject_GetBuffer(obj, view, flags)) {
		PyErr_Clear();
		return kp_bad_arg(a, expected, obj);
	}
	return Py_CLEANUP_SUPPORTED;
}

/* "O&" converter (struct kp_arg) for a bytes-like object: "y*". */
int kp_conv_buf(PyObject *obj, void *arg)
{
	return kp_conv_buffer(obj, arg, PyBUF_SIMPLE, "bytes-like object");
}

/* "O&" converter (struct kp_arg) for a writable buffer: "w*". */
int kp_conv_wbuf(PyObject *obj, void *arg)
{
	return kp_conv_buffer(obj, arg, PyBUF_WRITABLE,
			      "read-write bytes-like object");
}

/* "O&" converter (struct kp_arg): a file descriptor (int or fileno()). */
int kp_conv_fd(PyObject *obj, void *arg)
{
	const struct kp_arg *a = arg;
	int fd;

	if (!PyIndex_Check(obj) && !PyObject_HasAttrString(obj, "fileno"))
		return kp_bad_arg(a, "an int or an object with fileno()", obj);
	fd = PyObject_AsFileDescriptor(obj);
	if (fd < 0)
		return 0;
	*(int *)a->out = fd;
	return 1;
}

/*
 * The arguments of a send or receive: @fn(data, *, timeout=None), or
 * with @writable, @fn(buffer, *, timeout=None).  True if parsed.
 */
int kp_parse_io(PyObject *args, PyObject *kw, const char *fn, int writable,
		Py_buffer *buf, struct kp_deadline *d)
{
	static char *kw_data[] = { "data", "timeout", NULL };
	static char *kw_buffer[] = { "buffer", "timeout", NULL };
	char fmt[48];

	snprintf(fmt, sizeof(fmt), "O&|$O&:%s", fn);
	return PyArg_ParseTupleAndKeywords(
		args, kw, fmt, writable ? kw_buffer : kw_data,
		KP_ARG(writable ? kp_conv_wbuf : kp_conv_buf, fn,
		       writable ? "buffer" : "data", buf),
		KP_TIMEOUT(fn, d));
}

/*
 * The arguments of a wait: @fn(timeout=None), or with @kwonly,
 * @fn(*, timeout=None).  True if parsed.
 */
int kp_parse_timeout(PyObject *args, PyObject *kw, const char *fn,
		     int kwonly, struct kp_deadline *d)
{
	static char *kwlist[] = { "timeout", NULL };
	char fmt[48];

	snprintf(fmt, sizeof(fmt), "|%sO&:%s", kwonly ? "$" : "", fn);
	return PyArg_ParseTupleAndKeywords(args, kw, fmt, kwlist,
					   KP_TIMEOUT(fn, d));
}

/* ---- timeouts ------------------------------------------------------------- */

int64_t kp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Seconds (int or float), or None or inf for no limit. */
static int kp_timeout_from(PyObject *obj, const struct kp_arg *a, int neg_ok)
{
	struct kp_deadline *d = a->out;
	double s;

	d->timeout_ns = KIPC_INFINITE;
	d->end = 0;
	if (obj == Py_None)
		return 1;
	if (!PyFloat_Check(obj) && !PyLong_Check(obj))
		return kp_bad_arg(a, "a number or None", obj);
	s = PyFloat_AsDouble(obj);
	if (s == -1.0 && PyErr_Occurred())
		return 0;
	if (isnan(s))
		return kp_bad_value(a, "must not be NaN");
	if (s < 0 && !neg_ok)
		return kp_bad_value(a, "must be non-negative");
	if (s < 0 || isinf(s) || s > 9e9)	/* ~285 years: forever */
		return 1;
	d->timeout_ns = (int64_t)(s * 1e9);
	if (d->timeout_ns == 0 && s > 0)
		d->timeout_ns = 1;
	if (d->timeout_ns > 0)
		d->end = kp_now() + d->timeout_ns;
	return 1;
}

/* "O&" converter (struct kp_arg): None = forever, 0 = try once, else
 * seconds. */
int kp_conv_timeout(PyObject *obj, void *arg)
{
	return kp_timeout_from(obj, arg, 0);
}

/* As kp_conv_timeout(), but a negative value means forever (threading). */
int kp_conv_timeout_neg(PyObject *obj, void *arg)
{
	return kp_timeout_from(obj, arg, 1);
}

/*
 * What to pass to libkipc now: the time left before the deadline, at
 * least 1 ns so that a wait that ran out still reports ETIMEDOUT (0 would
 * mean "try once" and give EAGAIN).
 */
int64_t kp_remaining(const struct kp_deadline *d)
{
	int64_t left;

	if (d->timeout_ns <= 0)
		return d->timeout_ns;
	left = d->end - kp_now();
	return left < 1 ? 1 : left;
}

/*
 * Run a blocking call without the GIL.  On EINTR, run the signal
 * handlers (PEP 475): if one raised, return KP_PYERR; else retry with the
 * time left before the same deadline (unless @restart is 0).
 */
long kp_run(kp_fn fn, void *ctx, struct kp_deadline *d, int restart)
{
	long ret;

	for (;;) {
		int64_t t = kp_remaining(d);

		Py_BEGIN_ALLOW_THREADS
		ret = fn(ctx, t);
		Py_END_ALLOW_THREADS
		if (ret != -EINTR)
			return ret;
		if (PyErr_CheckSignals())
			return KP_PYERR;
		if (!restart)
			return ret;
	}
}

/* ---- typed records ------------------------------------------------------ */

PyTypeObject *kp_ObjectInfoType, *kp_EventInfoType, *kp_QueueInfoType,
	*kp_ChannelInfoType, *kp_PipeInfoType, *kp_RegionInfoType,
	*kp_SemInfoType, *kp_MutexInfoType;
static PyTypeObject *kp_StatsType, *kp_VersionType, *kp_WaitResultType;

/* A record of @type from Py_BuildValue(@fmt, ...), which must be a tuple. */
PyObject *kp_record(PyTypeObject *type, const char *fmt, ...)
{
	PyObject *t, *rec;
	Py_ssize_t i;
	va_list ap;

	va_start(ap, fmt);
	t = Py_VaBuildValue(fmt, ap);
	va_end(ap);
	if (!t)
		return NULL;
	rec = PyStructSequence_New(type);
	if (!rec) {
		Py_DECREF(t);
		return NULL;
	}
	for (i = 0; i < PyTuple_GET_SIZE(t); i++)
		PyStructSequence_SetItem(rec, i,
					 Py_NewRef(PyTuple_GET_ITEM(t, i)));
	Py_DECREF(t);
	return rec;
}

#define F(n, d) { n, d }
static PyStructSequence_Field object_info_fields[] = {
	F("type", "the class name of the object's type ('Queue', ...)"),
	F("id", "unique id of the object for the module's lifetime"),
	F("uid", "owner uid"), F("gid", "owner gid"),
	F("cuid", "creator uid"), F("cgid", "creator gid"),
	F("mode", "permission bits"),
	F("access", "'r', 'w' or 'rw': what this handle may do"),
	F("named", "created with a name"),
	F("linked", "the name is still registered (not unlinked)"),
	F("name", "the name (str), or None if anonymous"),
	F("creator_pid", "process id of the creator (0 if not visible)"),
	{ NULL, NULL }
};
static PyStructSequence_Field event_info_fields[] = {
	F("manual_reset", "stays set until reset()"),
	F("set", "signalled now"), F("value", "value of the pending signal"),
	F("signals", "signals received"), F("wakeups", "waits satisfied"),
	F("waiters", "tasks blocked waiting now"), { NULL, NULL }
};
static PyStructSequence_Field queue_info_fields[] = {
	F("max_msgs", "capacity in messages"),
	F("max_msg_size", "largest message in bytes"),
	F("msgs", "messages queued now"), F("bytes", "payload bytes queued"),
	F("senders", "tasks blocked sending"),
	F("receivers", "tasks blocked receiving"),
	F("notify_pid", "process registered for notification, or 0"),
	F("sent", "messages sent in all"),
	F("received", "messages received in all"), { NULL, NULL }
};
static PyStructSequence_Field channel_info_fields[] = {
	F("end", "which end this handle is, 0 or 1 (it sends on ring end)"),
	F("capacity", "bytes of ring 0 and ring 1"),
	F("max_msg", "largest message of ring 0 and ring 1"),
	F("used", "bytes queued in ring 0 and ring 1 (headers included)"),
	F("connected", "end 1 has been opened"),
	F("peer_closed", "the other end is closed"),
	F("map_size", "bytes the fast path maps"), { NULL, NULL }
};
static PyStructSequence_Field pipe_info_fields[] = {
	F("capacity", "buffer bytes"), F("used", "bytes queued now"),
	F("readers", "open files reading now"),
	F("writers", "open files writing now"),
	F("atomic", "writes up to this size are atomic (PIPE_BUF)"),
	F("read", "bytes read in all"), F("written", "bytes written in all"),
	{ NULL, NULL }
};
static PyStructSequence_Field region_info_fields[] = {
	F("size", "bytes"), F("mappings", "mappings in all processes now"),
	F("resident", "bytes in memory now"), { NULL, NULL }
};
static PyStructSequence_Field sem_info_fields[] = {
	F("value", "units free now"), F("max", "the maximum value"),
	F("waiters", "tasks waiting now"),
	F("posts", "units posted through the kernel"),
	F("waits", "waits satisfied through the kernel"),
	F("undo_procs", "processes with a pending undo"), { NULL, NULL }
};
static PyStructSequence_Field mutex_info_fields[] = {
	F("recursive", "created recursive"),
	F("state", "MUTEX_STATE_OK, _OWNERDEAD or _NOTRECOVERABLE"),
	F("owner_tid", "owner's thread id (0: unlocked)"),
	F("owner_pid", "owner's process id, if alive"),
	F("depth", "nested locks of a recursive mutex"),
	F("waiters", "threads waiting in the kernel"), { NULL, NULL }
};
static PyStructSequence_Field stats_fields[] = {
	F("objects", "objects alive now"), F("named", "names registered now"),
	F("created", "objects created since the module was loaded"),
	F("destroyed", "objects freed since the module was loaded"),
	F("uid_objects", "objects charged to this effective uid"),
	F("uid_bytes", "memory charged to this effective uid"),
	{ NULL, NULL }
};
static PyStructSequence_Field version_fields[] = {
	F("api_version", "the module's API version"),
	F("features", "FEATURE_* bits"),
	F("types", "bit (1 << TYPE_*) of every supported type"),
	F("max_name_len", "the longest name accepted now"), { NULL, NULL }
};
static PyStructSequence_Field wait_result_fields[] = {
	F("index", "the object taken (any), or the first taken from a dead "
		   "owner"),
	F("ready", "per object: whether the wait took it or found it ready"),
	F("values", "per object: an event's signal value, a semaphore's "
		    "value after the wait, else 0"),
	{ NULL, NULL }
};
#undef F

struct kp_rec_def {
	PyTypeObject **type;
	const char *name;
	const char *doc;
	PyStructSequence_Field *fields;
};

static const struct kp_rec_def kp_records[] = {
	{ &kp_ObjectInfoType, "kipc.ObjectInfo",
	  "What any kipc object says about itself (Object.object_info()).",
	  object_info_fields },
	{ &kp_EventInfoType, "kipc.EventInfo", "Event.info()",
	  event_info_fields },
	{ &kp_QueueInfoType, "kipc.QueueInfo", "Queue.info()",
	  queue_info_fields },
	{ &kp_ChannelInfoType, "kipc.ChannelInfo", "Channel.info()",
	  channel_info_fields },
	{ &kp_PipeInfoType, "kipc.PipeInfo", "Pipe.info()", pipe_info_fields },
	{ &kp_RegionInfoType, "kipc.RegionInfo", "Region.info()",
	  region_info_fields },
	{ &kp_SemInfoType, "kipc.SemaphoreInfo", "Semaphore.info()",
	  sem_info_fields },
	{ &kp_MutexInfoType, "kipc.MutexInfo", "Mutex.info()",
	  mutex_info_fields },
	{ &kp_StatsType, "kipc.Stats", "kipc.stats(): module-wide counters",
	  stats_fields },
	{ &kp_VersionType, "kipc.Version", "kipc.version()", version_fields },
	{ &kp_WaitResultType, "kipc.WaitResult", "kipc.wait_many()",
	  wait_result_fields },
};

static int kp_records_ready(PyObject *m)
{
	size_t i;

	for (i = 0; i < sizeof(kp_records) / sizeof(kp_records[0]); i++) {
		const struct kp_rec_def *r = &kp_records[i];
		PyStructSequence_Desc desc = { (char *)r->name, (char *)r->doc,
					       r->fields, 0 };
		const char *dot = strrchr(r->name, '.');

		while (desc.fields[desc.n_in_sequence].name)
			desc.n_in_sequence++;
		*r->type = PyStructSequence_NewType(&desc);
		if (!*r->type)
			return -1;
		if (PyModule_AddObjectRef(m, dot + 1, (PyObject *)*r->type))
			return -1;
	}
	return 0;
}

/* ---- module-wide calls ----------------------------------------------------- */

PyDoc_STRVAR(kp_version_doc,
"version() -> Version\n\n"
"The module's API version, feature bits, supported types and longest\n"
"name.  Raises FileNotFoundError if the kipc module is not loaded.");

static PyObject *kp_version(PyObject *m, PyObject *unused)
{
	struct kipc_version v;
	int err;

	(void)m;
	(void)unused;
	err = kipc_version(&v);
	if (err)
		return kp_error(err);
	return kp_record(kp_VersionType, "(IKKI)", v.api_version,
			 (unsigned long long)v.features,
			 (unsigned long long)v.types, v.max_name_len);
}

PyDoc_STRVAR(kp_stats_doc,
"stats() -> Stats\n\n"
"Module-wide counters: objects alive, names registered, objects created\n"
"and destroyed since load, and this effective uid's objects and bytes.");

static PyObject *kp_stats(PyObject *m, PyObject *unused)
{
	struct kipc_stats s;
	int err;

	(void)m;
	(void)unused;
	err = kipc_stats(&s);
	if (err)
		return kp_error(err);
	return kp_record(kp_StatsType, "(KKKKKK)",
			 (unsigned long long)s.objects,
			 (unsigned long long)s.named,
			 (unsigned long long)s.created,
			 (unsigned long long)s.destroyed,
			 (unsigned long long)s.uid_objects,
			 (unsigned long long)s.uid_bytes);
}

struct wm_ctx {
	struct kipc_wait_obj *objs;
	unsigned int n;
	uint32_t flags;
	unsigned int index;
};

static long wm_fn(void *p, int64_t t)
{
	struct wm_ctx *c = p;

	return kipc_wait_many(c->objs, c->n, c->flags, t, &c->index);
}

static PyObject *wm_result(const struct wm_ctx *c)
{
	PyObject *ready = PyTuple_New(c->n), *values = PyTuple_New(c->n);
	PyObject *rec = NULL;
	unsigned int i;

	if (!ready || !values)
		goto out;
	for (i = 0; i < c->n; i++) {
		PyObject *v = PyLong_FromUnsignedLongLong(c->objs[i].value);

		if (!v)
			goto out;
		PyTuple_SET_ITEM(values, i, v);
		PyTuple_SET_ITEM(ready, i, PyBool_FromLong(c->objs[i].ready));
	}
	rec = kp_record(kp_WaitResultType, "(IOO)", c->index, ready, values);
out:
	Py_XDECREF(ready);
	Py_XDECREF(values);
	return rec;
}

/* The error of a wait for many, with .index (and .result) attached. */
static PyObject *wm_error(long err, const struct wm_ctx *c)
{
	PyObject *type, *value, *tb, *idx;

	if (err == KP_PYERR)
		return NULL;
	kp_error(err);
	if (err != -EOWNERDEAD && err != -EDEADLK && err != -ENOTRECOVERABLE)
		return NULL;
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	idx = PyLong_FromUnsignedLong(c->index);
	if (!idx || PyObject_SetAttrString(value, "index", idx))
		PyErr_Clear();
	Py_XDECREF(idx);
	if (err == -EOWNERDEAD) {
		PyObject *res = wm_result(c);

		if (!res || PyObject_SetAttrString(value, "result", res))
			PyErr_Clear();
		Py_XDECREF(res);
	}
	PyErr_Restore(type, value, tb);
	return NULL;
}

PyDoc_STRVAR(kp_wait_many_doc,
"wait_many(objs, all=False, timeout=None) -> WaitResult\n\n"
"Wait until any one (or, with all=True, every one) of the kipc objects\n"
"in objs is ready, and take what waiting on it alone would take: an\n"
"auto-reset event's signal, a semaphore unit, a mutex (locked for this\n"
"thread).  Queues, channels and pipes are only found readable.  With\n"
"all=True everything is taken at once, or nothing.\n\n"
"Returns WaitResult(index, ready, values).  Raises TimeoutError after\n"
"timeout seconds, BlockingIOError for timeout=0 and nothing ready, and\n"
"OwnerDeadError (with .index and .result; everything was taken) when a\n"
"mutex's owner had died.  EDEADLK and ENOTRECOVERABLE errors carry the\n"
".index of the object concerned.");

/* Enter every object of @seq into @c; *@entered says how many were. */
static int wm_fill(PyObject *seq, struct wm_ctx *c, Py_ssize_t *entered)
{
	Py_ssize_t i;

	for (i = 0; i < (Py_ssize_t)c->n; i++) {
		PyObject *obj = PySequence_Fast_GET_ITEM(seq, i);
		KObj *o = (KObj *)obj;

		if (!PyObject_TypeCheck(obj, &kp_ObjectType)) {
			PyErr_Format(PyExc_TypeError, "wait_many() argument "
				     "'objs' must hold kipc objects only, not "
				     "%.100s", Py_TYPE(obj)->tp_name);
			return -1;
		}
		if (kp_enter(o))
			return -1;
		(*entered)++;
		c->objs[i].fd = o->fd;
	}
	return 0;
}

/* The objects of wait_many(): any iterable of 1 to 1024, as a list. */
static PyObject *wm_seq(PyObject *arg)
{
	static const struct kp_arg a = { "wait_many", "objs", NULL };
	PyObject *seq;

	seq = PySequence_Fast(arg, "");
	if (!seq && PyErr_ExceptionMatches(PyExc_TypeError)) {
		PyErr_Clear();
		kp_bad_arg(&a, "a sequence of kipc objects", arg);
	}
	if (seq && (PySequence_Fast_GET_SIZE(seq) < 1 ||
		    PySequence_Fast_GET_SIZE(seq) > 1024)) {
		kp_bad_value(&a, "must hold 1 to 1024 objects");
		Py_CLEAR(seq);
	}
	return seq;
}

static PyObject *kp_wait_many(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "objs", "all", "timeout", NULL };
	struct kp_deadline d = KP_FOREVER;
	struct wm_ctx c = { NULL, 0, 0, 0 };
	PyObject *arg, *seq, *res = NULL;
	Py_ssize_t i, entered = 0;
	int all = 0;
	long ret;

	(void)m;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|pO&:wait_many", kwlist,
					 &arg, &all,
					 KP_TIMEOUT("wait_many", &d)))
		return NULL;
	seq = wm_seq(arg);
	if (!seq)
		return NULL;
	c.n = (unsigned int)PySequence_Fast_GET_SIZE(seq);
	c.flags = all ? KIPC_WAIT_ALL : 0;
	c.objs = PyMem_Calloc(c.n, sizeof(*c.objs));
	if (!c.objs)
		PyErr_NoMemory();
	else if (!wm_fill(seq, &c, &entered)) {
		ret = kp_run(wm_fn, &c, &d, 1);
		res = ret < 0 ? wm_error(ret, &c) : wm_result(&c);
	}
	for (i = 0; i < entered; i++)
		kp_leave((KObj *)PySequence_Fast_GET_ITEM(seq, i));
	PyMem_Free(c.objs);
	Py_DECREF(seq);
	return res;
}

PyDoc_STRVAR(kp_strerror_doc,
"strerror(errno) -> str\n\nlibkipc's text for an errno value.");

static PyObject *kp_strerror(PyObject *m, PyObject *arg)
{
	static const struct kp_arg a = { "strerror", NULL, NULL };
	long e;

	(void)m;
	if (!PyLong_Check(arg)) {
		kp_bad_arg(&a, "int", arg);
		return NULL;
	}
	e = PyLong_AsLong(arg);
	if (e == -1 && PyErr_Occurred())
		return NULL;
	return PyUnicode_FromString(kipc_strerror(e < 0 ? (int)e : (int)-e));
}

PyDoc_STRVAR(kp_fd_type_doc,
"fd_type(fd) -> int\n\nThe TYPE_* of the kipc object behind fd; ValueError "
"if it is not one.");

static PyObject *kp_fd_type(PyObject *m, PyObject *arg)
{
	struct kipc_object_info in;

	(void)m;
	if (kp_fd_info(arg, "from_fd", &in) < 0)	/* kipc.from_fd() */
		return NULL;
	return PyLong_FromUnsignedLong(in.type);
}

static PyMethodDef kp_methods[] = {
	{ "fd_type", kp_fd_type, METH_O, kp_fd_type_doc },
	{ "version", kp_version, METH_NOARGS, kp_version_doc },
	{ "stats", kp_stats, METH_NOARGS, kp_stats_doc },
	{ "wait_many", (PyCFunction)(void (*)(void))kp_wait_many,
	  METH_VARARGS | METH_KEYWORDS, kp_wait_many_doc },
	{ "strerror", kp_strerror, METH_O, kp_strerror_doc },
	{ NULL, NULL, 0, NULL }
};

/* ---- module ----------------------------------------------------------------- */

struct kp_const {
	const char *name;
	long long value;
};

#define C(x) { #x, KIPC_##x }
static const struct kp_const kp_consts[] = {
	C(TYPE_EVENT), C(TYPE_QUEUE), C(TYPE_CHANNEL), C(TYPE_PIPE),
	C(TYPE_REGION), C(TYPE_SEMAPHORE), C(TYPE_MUTEX), C(TYPE_COND),
	C(API_VERSION), C(FEATURE_NAMED), C(FEATURE_STATS),
	C(FEATURE_OBJ_INFO), C(FEATURE_REOPEN), C(FEATURE_WAIT_MANY),
	C(FEATURE_SEM_RW), C(FEATURE_NETLINK), C(FEATURE_NOTIFY),
	C(FEATURE_IPCNS),
	C(QUEUE_PRIO_MAX),
	C(SEM_VALUE_MAX), C(PIPE_BUF), C(PIPE_DEFAULT_CAPACITY),
	C(CHAN_DEFAULT_CAPACITY), C(CHAN_DEFAULT_MAX_MSG),
	C(CHAN_MAX_BATCH), C(MUTEX_STATE_OK), C(MUTEX_STATE_OWNERDEAD),
	C(MUTEX_STATE_NOTRECOVERABLE),
};
#undef C

PyDoc_STRVAR(kp_module_doc,
"The C half of the kipc package: libkipc's objects as Python types.\n"
"Import kipc, not this module.");

static struct PyModuleDef kp_module = {
	PyModuleDef_HEAD_INIT, "kipc._kipc", kp_module_doc, -1, kp_methods,
	NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC PyInit__kipc(void);

PyMODINIT_FUNC PyInit__kipc(void)
{
	PyObject *m = PyModule_Create(&kp_module);
	size_t i;

	if (!m)
		return NULL;
	kp_OwnerDeadError = PyErr_NewExceptionWithDoc(
		"kipc.OwnerDeadError",
		"A mutex was taken from an owner that died holding it.\n\n"
		"The caller now holds the mutex (errno EOWNERDEAD): repair the "
		"state it protects, call Mutex.consistent(), then unlock.  "
		"Unlocking without consistent() makes the mutex not "
		"recoverable for everyone.", PyExc_OSError, NULL);
	if (!kp_OwnerDeadError ||
	    PyModule_AddObjectRef(m, "OwnerDeadError", kp_OwnerDeadError))
		goto fail;
	for (i = 0; i < sizeof(kp_consts) / sizeof(kp_consts[0]); i++)
		if (PyModule_AddIntConstant(m, kp_consts[i].name,
					    (long)kp_consts[i].value))
			goto fail;
	if (kp_records_ready(m) || kp_types_ready(m))
		goto fail;
	return m;
fail:
	Py_DECREF(m);
	return NULL;
}
