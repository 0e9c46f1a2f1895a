// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kipc._kipc: the module, errors, timeouts, the typed records, and the
 * module-wide calls (version, stats, wait_many).
 */
#include "kipcmod.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
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

/* ---- timeouts ------------------------------------------------------------- */

static int64_t kp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Seconds (int or float), or None or inf for no limit. */
static int kp_timeout_from(PyObject *obj, struct kp_deadline *d, int neg_ok)
{
	double s;

	d->timeout_ns = KIPC_INFINITE;
	d->end = 0;
	if (obj == Py_None)
		return 1;
	if (!PyFloat_Check(obj) && !PyLong_Check(obj)) {
		PyErr_Format(PyExc_TypeError,
			     "timeout must be a number of seconds or None, "
			     "not %.100s", Py_TYPE(obj)->tp_name);
		return 0;
	}
	s = PyFloat_AsDouble(obj);
	if (s == -1.0 && PyErr_Occurred())
		return 0;
	if (isnan(s) || (s < 0 && !neg_ok)) {
		PyErr_SetString(PyExc_ValueError,
				"timeout must be a non-negative number");
		return 0;
	}
	if (s < 0 || isinf(s) || s > 9e9)	/* ~285 years: forever */
		return 1;
	d->timeout_ns = (int64_t)(s * 1e9);
	if (d->timeout_ns == 0 && s > 0)
		d->timeout_ns = 1;
	if (d->timeout_ns > 0)
		d->end = kp_now() + d->timeout_ns;
	return 1;
}

/* "O&" converter: None = forever, 0 = try once, else seconds. */
int kp_conv_timeout(PyObject *obj, void *out)
{
	return kp_timeout_from(obj, out, 0);
}

/* As kp_conv_timeout(), but a negative value means forever (threading). */
int kp_conv_timeout_neg(PyObject *obj, void *out)
{
	return kp_timeout_from(obj, out, 1);
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

/* "O&" converter for a 32-bit unsigned argument. */
int kp_conv_u32(PyObject *obj, void *out)
{
	unsigned long long v;

	if (!PyLong_Check(obj)) {
		PyErr_Format(PyExc_TypeError, "an integer is required, not %.100s",
			     Py_TYPE(obj)->tp_name);
		return 0;
	}
	if (_PyLong_Sign(obj) < 0) {
		PyErr_SetString(PyExc_ValueError, "must not be negative");
		return 0;
	}
	v = PyLong_AsUnsignedLongLong(obj);
	if (v == (unsigned long long)-1 && PyErr_Occurred())
		return 0;
	if (v > UINT32_MAX) {
		PyErr_SetString(PyExc_OverflowError, "must be below 2**32");
		return 0;
	}
	*(uint32_t *)out = (uint32_t)v;
	return 1;
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

static int wm_fill(PyObject *seq, struct kipc_wait_obj *objs, Py_ssize_t n,
		   Py_ssize_t *entered)
{
	Py_ssize_t i;

	for (i = 0; i < n; i++) {
		KObj *o = kp_check(PySequence_Fast_GET_ITEM(seq, i));

		if (!o || kp_enter(o))
			return -1;
		(*entered)++;
		objs[i].fd = o->fd;
	}
	return 0;
}

static PyObject *kp_wait_many(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "objs", "all", "timeout", NULL };
	struct kp_deadline d = { KIPC_INFINITE, 0 };
	struct wm_ctx c = { NULL, 0, 0, 0 };
	PyObject *arg, *seq, *res = NULL;
	Py_ssize_t n, i, entered = 0;
	int all = 0;
	long ret;

	(void)m;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|pO&:wait_many", kwlist,
					 &arg, &all, kp_conv_timeout, &d))
		return NULL;
	seq = PySequence_Fast(arg, "wait_many() needs a sequence of kipc objects");
	if (!seq)
		return NULL;
	n = PySequence_Fast_GET_SIZE(seq);
	if (n < 1 || n > 1024) {
		PyErr_SetString(PyExc_ValueError,
				"wait_many() takes 1 to max_wait_objects objects");
		goto out;
	}
	c.objs = PyMem_Calloc(n, sizeof(*c.objs));
	if (!c.objs) {
		PyErr_NoMemory();
		goto out;
	}
	c.n = (unsigned int)n;
	c.flags = all ? KIPC_WAIT_ALL : 0;
	if (!wm_fill(seq, c.objs, n, &entered)) {
		ret = kp_run(wm_fn, &c, &d, 1);
		res = ret < 0 ? wm_error(ret, &c) : wm_result(&c);
	}
	for (i = 0; i < entered; i++)
		kp_leave((KObj *)PySequence_Fast_GET_ITEM(seq, i));
out:
	PyMem_Free(c.objs);
	Py_DECREF(seq);
	return res;
}

PyDoc_STRVAR(kp_strerror_doc,
"strerror(errno) -> str\n\nlibkipc's text for an errno value.");

static PyObject *kp_strerror(PyObject *m, PyObject *arg)
{
	long e;

	(void)m;
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
	int fd, err;

	(void)m;
	fd = PyObject_AsFileDescriptor(arg);
	if (fd < 0)
		return NULL;
	memset(&in, 0, sizeof(in));
	err = kipc_object_info(fd, &in);
	if (err == -ENOTTY || err == -EINVAL) {
		PyErr_Format(PyExc_ValueError, "fd %d is not a kipc object", fd);
		return NULL;
	}
	if (err)
		return kp_error(err);
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
	C(FEATURE_SEM_RW), C(FEATURE_NETLINK), C(QUEUE_PRIO_MAX),
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
