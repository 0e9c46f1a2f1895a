// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kipc._kipc: events, message queues, semaphores, mutexes and condition
 * variables; and the per-type set-up and release of every object.
 */
#include "kipcmod.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

int kp_setup(KObj *o)
{
	struct kipc_queue_info qi;
	int err = 0;

	switch (o->ktype) {
	case KIPC_TYPE_QUEUE:
		err = kipc_queue_info(o->fd, &qi);
		o->msgmax = qi.max_msg_size;
		break;
	case KIPC_TYPE_SEMAPHORE:
		err = kipc_sem_attach(o->fd, &o->h.sem);
		break;
	case KIPC_TYPE_MUTEX:
		err = kipc_mutex_attach(o->fd, &o->h.mutex);
		break;
	case KIPC_TYPE_PIPE:
		o->nonblock = !!(fcntl(o->fd, F_GETFL) & O_NONBLOCK);
		break;
	case KIPC_TYPE_CHANNEL:
		return kp_channel_setup(o);
	case KIPC_TYPE_REGION:
		return kp_region_setup(o);
	}
	if (err) {
		kp_error(err);
		return -1;
	}
	return 0;
}

void kp_release_type(KObj *o)
{
	switch (o->ktype) {
	case KIPC_TYPE_SEMAPHORE:
		kipc_sem_detach(o->h.sem);
		o->h.sem = NULL;
		break;
	case KIPC_TYPE_MUTEX:
		kipc_mutex_detach(o->h.mutex);
		o->h.mutex = NULL;
		break;
	case KIPC_TYPE_CHANNEL:
		kipc_ring_detach(o->h.ring);
		o->h.ring = NULL;
		break;
	case KIPC_TYPE_REGION:
		kp_region_release(o);
		break;
	}
}

/* Raise BlockingIOError(EBUSY): a try-lock that found the mutex taken. */
static PyObject *kp_busy(void)
{
	PyObject *exc = PyObject_CallFunction(PyExc_BlockingIOError, "is",
					      EBUSY, strerror(EBUSY));

	if (exc) {
		PyErr_SetObject(PyExc_BlockingIOError, exc);
		Py_DECREF(exc);
	}
	return NULL;
}

/*
 * acquire(blocking=False) tries once; a timeout with it is an error, as
 * in threading.  0, or -1 with ValueError.
 */
static int kp_nonblocking(int blocking, struct kp_deadline *d)
{
	if (blocking)
		return 0;
	if (d->timeout_ns != KIPC_INFINITE) {
		PyErr_SetString(PyExc_ValueError,
				"can't specify a timeout for a non-blocking call");
		return -1;
	}
	d->timeout_ns = 0;
	return 0;
}

/* ---- Event ---------------------------------------------------------------- */

static PyObject *event_new(PyTypeObject *cls, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { KP_COMMON_KW, "manual_reset", "set", "value",
				  NULL };
	struct kp_common c = KP_COMMON_INIT;
	struct kipc_event_attr a;
	int manual = 0, set = 0;

	memset(&a, 0, sizeof(a));
	if (!PyArg_ParseTupleAndKeywords(args, kw, KP_COMMON_FMT "ppO&:Event",
					 kwlist, KP_COMMON_ARGS("Event", c),
					 &manual, &set,
					 KP_U64("Event", "value", &a.value)))
		return NULL;
	a.flags = (manual ? KIPC_EVENT_MANUAL_RESET : 0) |
		  (set ? KIPC_EVENT_SET : 0);
	return kp_make(cls, KIPC_TYPE_EVENT, &c, &a, sizeof(a));
}

static PyObject *event_signal(KObj *o, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "value", NULL };
	uint64_t value = 0;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&:signal", kwlist,
					 KP_U64("signal", "value", &value)))
		return NULL;
	return kp_none(KP_QUICK(o, kipc_event_signal(o->fd, value)));
}

static PyObject *event_reset(KObj *o, PyObject *unused)
{
	(void)unused;
	return kp_none(KP_QUICK(o, kipc_event_reset(o->fd)));
}

struct ev_wait {
	struct kp_op op;
	uint64_t value;
};

static long ev_wait_fn(void *p, int64_t t)
{
	struct ev_wait *w = p;

	return kipc_event_wait(w->op.fd, t, &w->value);
}

static PyObject *event_wait(KObj *o, PyObject *args, PyObject *kw)
{
	struct kp_deadline d = KP_FOREVER;
	struct ev_wait w = { .value = 0 };
	long ret;

	if (!kp_parse_timeout(args, kw, "wait", 0, &d))
		return NULL;
	ret = kp_call(o, ev_wait_fn, &w.op, &d);
	if (ret < 0)
		return kp_error_pyerr(ret);
	return PyLong_FromUnsignedLongLong(w.value);
}

static PyObject *event_trywait(KObj *o, PyObject *unused)
{
	uint64_t value = 0;
	long err;

	(void)unused;
	err = KP_QUICK(o, kipc_event_trywait(o->fd, &value));
	if (err == -EAGAIN)
		Py_RETURN_NONE;
	if (err)
		return kp_error(err);
	return PyLong_FromUnsignedLongLong(value);
}

static PyObject *event_info(KObj *o, PyObject *unused)
{
	struct kipc_event_info in;
	long err;

	(void)unused;
	err = KP_QUICK(o, kipc_event_info(o->fd, &in));
	if (err)
		return kp_error_pyerr(err);
	return kp_record(kp_EventInfoType, "(NNKKKI)",
			 PyBool_FromLong(in.state & KIPC_EVENT_MANUAL_RESET),
			 PyBool_FromLong(in.state & KIPC_EVENT_SET),
			 (unsigned long long)in.value,
			 (unsigned long long)in.signals,
			 (unsigned long long)in.wakeups, in.waiters);
}

static PyMethodDef event_methods[] = {
	{ "signal", (PyCFunction)(void (*)(void))event_signal,
	  METH_VARARGS | METH_KEYWORDS,
	  "signal(value=0)\n\nSignal the event, handing value to the waiter it "
	  "releases (auto-reset)\nor to every waiter (manual-reset)." },
	{ "reset", (PyCFunction)event_reset, METH_NOARGS,
	  "reset()\n\nClear a (manual-reset) event." },
	{ "wait", (PyCFunction)(void (*)(void))event_wait,
	  METH_VARARGS | METH_KEYWORDS,
	  "wait(timeout=None) -> int\n\nWait until the event is set and return "
	  "the signal's value (an auto-\nreset event is consumed).  timeout in "
	  "seconds: None waits forever, 0\ntries once (BlockingIOError); "
	  "TimeoutError when it runs out.  The GIL\nis released; signal "
	  "handlers run and the wait resumes (PEP 475)." },
	{ "trywait", (PyCFunction)event_trywait, METH_NOARGS,
	  "trywait() -> int | None\n\nConsume the event if it is set and "
	  "return the value, else None." },
	{ "info", (PyCFunction)event_info, METH_NOARGS,
	  "info() -> EventInfo\n\nState and counters." },
	{ NULL, NULL, 0, NULL }
};

PyTypeObject kp_EventType = {
	KP_TYPE_HEAD("Event"),
	.tp_doc = "Event(name=None, mode=0o600, *, create=None, access='rw', "
		  "nonblock=False, inheritable=False, manual_reset=False, "
		  "set=False, value=0)\n\n"
		  "An event: auto-reset (each signal releases one waiter) or "
		  "manual-reset\n(stays set until reset()).  Each signal carries "
		  "a 64-bit value.\n\n"
		  "name=None makes an anonymous event; with a name, create=None "
		  "opens it or\ncreates it, create=True creates it (FileExistsError "
		  "if taken) and\ncreate=False opens it (FileNotFoundError).  The "
		  "fd is readable while\nthe event is set.",
	.tp_methods = event_methods,
	.tp_new = event_new,
};

/* ---- Queue ------------------------------------------------------------------ */

static PyObject *queue_new(PyTypeObject *cls, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { KP_COMMON_KW, "max_msgs", "max_msg_size",
				  NULL };
	struct kp_common c = KP_COMMON_INIT;
	struct kipc_queue_attr a;

	memset(&a, 0, sizeof(a));
	if (!PyArg_ParseTupleAndKeywords(args, kw, KP_COMMON_FMT "O&O&:Queue",
					 kwlist, KP_COMMON_ARGS("Queue", c),
					 KP_U32("Queue", "max_msgs",
						&a.max_msgs),
					 KP_U32("Queue", "max_msg_size",
						&a.max_msg_size)))
		return NULL;
	return kp_make(cls, KIPC_TYPE_QUEUE, &c, &a, sizeof(a));
}

struct q_op {
	struct kp_op op;
	const void *msg;
	void *buf;
	size_t len;
	uint32_t prio;
};

static long q_send_fn(void *p, int64_t t)
{
	struct q_op *q = p;

	return kipc_queue_send(q->op.fd, q->msg, q->len, q->prio, t);
}

static long q_recv_fn(void *p, int64_t t)
{
	struct q_op *q = p;

	return kipc_queue_recv(q->op.fd, q->buf, q->len, &q->prio, t);
}

static PyObject *queue_send(KObj *o, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "data", "priority", "timeout", NULL };
	struct kp_deadline d = KP_FOREVER;
	struct q_op q = { .prio = 0 };
	Py_buffer data;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|O&$O&:send", kwlist,
					 KP_BUF("send", "data", &data),
					 KP_U32("send", "priority", &q.prio),
					 KP_TIMEOUT("send", &d)))
		return NULL;
	q.msg = data.buf;
	q.len = (size_t)data.len;
	return kp_none(kp_call_buf(o, q_send_fn, &q.op, &d, &data));
}

static PyObject *queue_recv(KObj *o, PyObject *args, PyObject *kw)
{
	struct kp_deadline d = KP_FOREVER;
	struct q_op q = { .len = o->msgmax };
	PyObject *b;
	long ret;

	if (!kp_parse_timeout(args, kw, "recv", 1, &d))
		return NULL;
	b = PyBytes_FromStringAndSize(NULL, o->msgmax);
	if (!b)
		return NULL;
	q.buf = PyBytes_AS_STRING(b);
	ret = kp_call(o, q_recv_fn, &q.op, &d);
	if (ret < 0) {
		Py_DECREF(b);
		return kp_error_pyerr(ret);
	}
	if (_PyBytes_Resize(&b, ret))
		return NULL;
	return Py_BuildValue("(NI)", b, q.prio);
}

static PyObject *queue_recv_into(KObj *o, PyObject *args, PyObject *kw)
{
	struct kp_deadline d = KP_FOREVER;
	struct q_op q = { .prio = 0 };
	Py_buffer buf;
	long ret;

	if (!kp_parse_io(args, kw, "recv_into", 1, &buf, &d))
		return NULL;
	q.buf = buf.buf;
	q.len = (size_t)buf.len;
	ret = kp_call_buf(o, q_recv_fn, &q.op, &d, &buf);
	if (ret < 0)
		return kp_error_pyerr(ret);
	return Py_BuildValue("(lI)", ret, q.prio);
}

static PyObject *queue_notify(KObj *o, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "signo", "value", NULL };
	uint64_t value = 0;
	uint32_t signo = 0;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&O&:notify", kwlist,
					 KP_U32("notify", "signo", &signo),
					 KP_U64("notify", "value", &value)))
		return NULL;
	return kp_none(KP_QUICK(o, kipc_queue_notify(o->fd, (int)signo,
						     value)));
}

static PyObject *queue_info(KObj *o, PyObject *unused)
{
	struct kipc_queue_info in;
	long err;

	(void)unused;
	err = KP_QUICK(o, kipc_queue_info(o->fd, &in));
	if (err)
		return kp_error_pyerr(err);
	return kp_record(kp_QueueInfoType, "(IIIKIIIKK)", in.max_msgs,
			 in.max_msg_size, in.msgs, (unsigned long long)in.bytes,
			 in.senders, in.receivers, in.notify_pid,
			 (unsigned long long)in.sent,
			 (unsigned long long)in.received);
}

static PyObject *queue_get_max(KObj *o, void *unused)
{
	(void)unused;
	return PyLong_FromUnsignedLong(o->msgmax);
}

static PyMethodDef queue_methods[] = {
	{ "send", (PyCFunction)(void (*)(void))queue_send,
	  METH_VARARGS | METH_KEYWORDS,
	  "send(data, priority=0, *, timeout=None)\n\nSend one message (a "
	  "bytes-like object of up to max_msg_size bytes:\nOSError EMSGSIZE "
	  "above) with a priority of 0 to QUEUE_PRIO_MAX; higher\nis received "
	  "first.  Waits for room as timeout says (None: forever; 0:\n"
	  "BlockingIOError if full; TimeoutError)." },
	{ "recv", (PyCFunction)(void (*)(void))queue_recv,
	  METH_VARARGS | METH_KEYWORDS,
	  "recv(*, timeout=None) -> (bytes, priority)\n\nReceive the oldest "
	  "message of the highest priority, waiting as\ntimeout says." },
	{ "recv_into", (PyCFunction)(void (*)(void))queue_recv_into,
	  METH_VARARGS | METH_KEYWORDS,
	  "recv_into(buffer, *, timeout=None) -> (nbytes, priority)\n\n"
	  "Receive into a writable buffer.  A message larger than the buffer "
	  "stays\nqueued and OSError EMSGSIZE is raised." },
	{ "notify", (PyCFunction)(void (*)(void))queue_notify,
	  METH_VARARGS | METH_KEYWORDS,
	  "notify(signo=0, value=0)\n\nAs mq_notify(): ask for signal signo "
	  "(si_value value) once, when a\nmessage arrives in the empty queue; "
	  "signo 0 cancels." },
	{ "info", (PyCFunction)queue_info, METH_NOARGS,
	  "info() -> QueueInfo\n\nCapacity, depth and counters." },
	{ NULL, NULL, 0, NULL }
};

static PyGetSetDef queue_getset[] = {
	{ "max_msg_size", (getter)queue_get_max, NULL,
	  "the largest message the queue takes", NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

PyTypeObject kp_QueueType = {
	KP_TYPE_HEAD("Queue"),
	.tp_doc = "Queue(name=None, mode=0o600, *, create=None, access='rw', "
		  "nonblock=False, inheritable=False, max_msgs=0, "
		  "max_msg_size=0)\n\n"
		  "A message queue with priorities (a superset of POSIX mq): "
		  "capacity\nmax_msgs messages (0: 10) of up to max_msg_size "
		  "bytes (0: 8192).  The fd\nis readable while a message is "
		  "queued, writable while not full.",
	.tp_methods = queue_methods,
	.tp_getset = queue_getset,
	.tp_new = queue_new,
};

/* ---- Semaphore ------------------------------------------------------------ */

static PyObject *sem_new(PyTypeObject *cls, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { KP_COMMON_KW, "value", "max", NULL };
	struct kp_common c = KP_COMMON_INIT;
	struct kipc_sem_attr a;

	memset(&a, 0, sizeof(a));
	if (!PyArg_ParseTupleAndKeywords(args, kw,
					 KP_COMMON_FMT "O&O&:Semaphore", kwlist,
					 KP_COMMON_ARGS("Semaphore", c),
					 KP_U32("Semaphore", "value", &a.value),
					 KP_U32("Semaphore", "max", &a.max)))
		return NULL;
	return kp_make(cls, KIPC_TYPE_SEMAPHORE, &c, &a, sizeof(a));
}

static PyObject *sem_post(KObj *o, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "count", "undo", NULL };
	uint32_t count = 1;
	int undo = 0;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&$p:post", kwlist,
					 KP_U32("post", "count", &count),
					 &undo))
		return NULL;
	if (count < 1) {
		PyErr_SetString(PyExc_ValueError, "count must be at least 1");
		return NULL;
	}
	return kp_none(KP_QUICK(o, kipc_sem_post(o->h.sem, count,
					       undo ? KIPC_SEM_UNDO : 0)));
}

struct sem_wait {
	struct kp_op op;
	uint32_t flags;
};

static long sem_wait_fn(void *p, int64_t t)
{
	struct sem_wait *w = p;

	return kipc_sem_wait(w->op.h.sem, t, w->flags);
}

/* Take a unit as @d says: 0, a negative errno, or KP_PYERR. */
static long sem_take(KObj *o, struct kp_deadline *d, int undo)
{
	struct sem_wait w = { .flags = undo ? KIPC_SEM_UNDO : 0 };

	return kp_call(o, sem_wait_fn, &w.op, d);
}

/* True, False if no unit came (@ret is -EAGAIN or -ETIMEDOUT), or raise. */
static PyObject *sem_taken(long ret)
{
	if (ret == -EAGAIN || ret == -ETIMEDOUT)
		Py_RETURN_FALSE;
	if (ret < 0)
		return kp_error_pyerr(ret);
	Py_RETURN_TRUE;
}

static PyObject *sem_wait(KObj *o, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "timeout", "undo", NULL };
	struct kp_deadline d = KP_FOREVER;
	int undo = 0;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&$p:wait", kwlist,
					 KP_TIMEOUT("wait", &d), &undo))
		return NULL;
	return kp_none(sem_take(o, &d, undo));
}

static PyObject *sem_trywait(KObj *o, PyObject *unused)
{
	struct kp_deadline d = { 0, 0 };

	(void)unused;
	return sem_taken(sem_take(o, &d, 0));
}

static PyObject *sem_acquire(KObj *o, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "blocking", "timeout", NULL };
	struct kp_deadline d = KP_FOREVER;
	int blocking = 1;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|pO&:acquire", kwlist,
					 &blocking, KP_TIMEOUT("acquire", &d)))
		return NULL;
	if (kp_nonblocking(blocking, &d))
		return NULL;
	return sem_taken(sem_take(o, &d, 0));
}

static PyObject *sem_enter(KObj *o, PyObject *unused)
{
	struct kp_deadline d = KP_FOREVER;
	long ret;

	(void)unused;
	ret = sem_take(o, &d, 0);
	if (ret < 0)
		return kp_error_pyerr(ret);
	return Py_NewRef(o);
}

static PyObject *sem_exit(KObj *o, PyObject *args)
{
	(void)args;
	return kp_none(KP_QUICK(o, kipc_sem_post(o->h.sem, 1, 0)));
}

static PyObject *sem_info(KObj *o, PyObject *unused)
{
	struct kipc_sem_info in;
	long err;

	(void)unused;
	err = KP_QUICK(o, kipc_sem_info(o->fd, &in));
	if (err)
		return kp_error_pyerr(err);
	return kp_record(kp_SemInfoType, "(IIIKKI)", in.value, in.max,
			 in.waiters, (unsigned long long)in.posts,
			 (unsigned long long)in.waits, in.undo_procs);
}

static PyMethodDef sem_methods[] = {
	{ "post", (PyCFunction)(void (*)(void))sem_post,
	  METH_VARARGS | METH_KEYWORDS,
	  "post(count=1, *, undo=False)\n\nGive count units (OSError EOVERFLOW "
	  "past the maximum: nothing given).\nundo=True takes them back when "
	  "this process closes its last handle." },
	{ "release", (PyCFunction)(void (*)(void))sem_post,
	  METH_VARARGS | METH_KEYWORDS,
	  "release(count=1)\n\npost(), as threading.Semaphore.release()." },
	{ "wait", (PyCFunction)(void (*)(void))sem_wait,
	  METH_VARARGS | METH_KEYWORDS,
	  "wait(timeout=None, *, undo=False)\n\nTake one unit, waiting as "
	  "timeout says (None: forever; 0:\nBlockingIOError if none is free; "
	  "TimeoutError).  undo=True gives it\nback when this process closes "
	  "its last handle." },
	{ "trywait", (PyCFunction)sem_trywait, METH_NOARGS,
	  "trywait() -> bool\n\nTake a unit if one is free." },
	{ "acquire", (PyCFunction)(void (*)(void))sem_acquire,
	  METH_VARARGS | METH_KEYWORDS,
	  "acquire(blocking=True, timeout=None) -> bool\n\nAs "
	  "threading.Semaphore.acquire(): False if no unit came in time." },
	{ "__enter__", (PyCFunction)sem_enter, METH_NOARGS,
	  "Take a unit (wait()); the with block gives it back at exit.  "
	  "Use contextlib.closing() to close the semaphore instead." },
	{ "__exit__", (PyCFunction)sem_exit, METH_VARARGS, "post() one unit." },
	{ "info", (PyCFunction)sem_info, METH_NOARGS,
	  "info() -> SemaphoreInfo\n\nValue, maximum, waiters and counters." },
	{ NULL, NULL, 0, NULL }
};

PyTypeObject kp_SemaphoreType = {
	KP_TYPE_HEAD("Semaphore"),
	.tp_doc = "Semaphore(name=None, mode=0o600, *, create=None, "
		  "access='rw', nonblock=False, inheritable=False, value=0, "
		  "max=0)\n\n"
		  "A counting semaphore with an initial value and a maximum (0: "
		  "SEM_VALUE_MAX;\n1: binary).  Waiters are served in arrival "
		  "order.  Posting and taking\nwork in user space while nobody "
		  "sleeps.  `with sem:` takes a unit and\ngives it back, as "
		  "threading.Semaphore.  The fd is readable while the\nvalue is "
		  "above 0.",
	.tp_methods = sem_methods,
	.tp_new = sem_new,
};

/* ---- Mutex ------------------------------------------------------------------- */

static PyObject *mutex_new(PyTypeObject *cls, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { KP_COMMON_KW, "recursive", NULL };
	struct kp_common c = KP_COMMON_INIT;
	struct kipc_mutex_attr a;
	int recursive = 0;

	memset(&a, 0, sizeof(a));
	if (!PyArg_ParseTupleAndKeywords(args, kw, KP_COMMON_FMT "p:Mutex",
					 kwlist, KP_COMMON_ARGS("Mutex", c),
					 &recursive))
		return NULL;
	a.flags = recursive ? KIPC_MUTEX_RECURSIVE : 0;
	return kp_make(cls, KIPC_TYPE_MUTEX, &c, &a, sizeof(a));
}

static long mutex_lock_fn(void *p, int64_t t)
{
	struct kp_op *op = p;

	return kipc_mutex_lock(op->h.mutex, t);
}

/* Lock as @d says: 0, -errno or KP_PYERR. */
static long mutex_do_lock(KObj *o, struct kp_deadline *d)
{
	struct kp_op op;

	return kp_call(o, mutex_lock_fn, &op, d);
}

static PyObject *mutex_lock_error(long ret)
{
	return ret == -EBUSY ? kp_busy() : kp_error_pyerr(ret);
}

/* True, False if not locked (@ret is -EBUSY or -ETIMEDOUT), or raise. */
static PyObject *mutex_locked_now(long ret)
{
	if (ret == -EBUSY || ret == -ETIMEDOUT)
		Py_RETURN_FALSE;
	if (ret < 0)
		return kp_error_pyerr(ret);
	Py_RETURN_TRUE;
}

static PyObject *mutex_lock(KObj *o, PyObject *args, PyObject *kw)
{
	struct kp_deadline d = KP_FOREVER;
	long ret;

	if (!kp_parse_timeout(args, kw, "lock", 0, &d))
		return NULL;
	ret = mutex_do_lock(o, &d);
	if (ret < 0)
		return mutex_lock_error(ret);
	Py_RETURN_NONE;
}

static PyObject *mutex_trylock(KObj *o, PyObject *unused)
{
	struct kp_deadline d = { 0, 0 };

	(void)unused;
	return mutex_locked_now(mutex_do_lock(o, &d));
}

static PyObject *mutex_acquire(KObj *o, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "blocking", "timeout", NULL };
	struct kp_deadline d = KP_FOREVER;
	int blocking = 1;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|pO&:acquire", kwlist,
					 &blocking, KP_ARG(kp_conv_timeout_neg,
							   "acquire", "timeout",
							   &d)))
		return NULL;
	if (kp_nonblocking(blocking, &d))
		return NULL;
	return mutex_locked_now(mutex_do_lock(o, &d));
}

static PyObject *mutex_enter(KObj *o, PyObject *unused)
{
	struct kp_deadline d = KP_FOREVER;
	long ret;

	(void)unused;
	ret = mutex_do_lock(o, &d);
	if (ret < 0)
		return mutex_lock_error(ret);
	return Py_NewRef(o);
}

static PyObject *mutex_unlock(KObj *o, PyObject *unused)
{
	(void)unused;
	return kp_none(KP_QUICK(o, kipc_mutex_unlock(o->h.mutex)));
}

static PyObject *mutex_exit(KObj *o, PyObject *args)
{
	(void)args;
	return mutex_unlock(o, NULL);
}

static PyObject *mutex_consistent(KObj *o, PyObject *unused)
{
	(void)unused;
	return kp_none(KP_QUICK(o, kipc_mutex_consistent(o->h.mutex)));
}

static int mutex_get_info(KObj *o, struct kipc_mutex_info *in)
{
	long err = KP_QUICK(o, kipc_mutex_info(o->fd, in));

	if (err)
		kp_error_pyerr(err);
	return err ? -1 : 0;
}

static PyObject *mutex_locked(KObj *o, PyObject *unused)
{
	struct kipc_mutex_info in;

	(void)unused;
	if (mutex_get_info(o, &in))
		return NULL;
	return PyBool_FromLong(in.owner_tid != 0);
}

static PyObject *mutex_info(KObj *o, PyObject *unused)
{
	struct kipc_mutex_info in;

	(void)unused;
	if (mutex_get_info(o, &in))
		return NULL;
	return kp_record(kp_MutexInfoType, "(NIIIII)",
			 PyBool_FromLong(in.flags & KIPC_MUTEX_RECURSIVE),
			 in.state, in.owner_tid, in.owner_pid, in.depth,
			 in.waiters);
}

static PyMethodDef mutex_methods[] = {
	{ "lock", (PyCFunction)(void (*)(void))mutex_lock,
	  METH_VARARGS | METH_KEYWORDS,
	  "lock(timeout=None)\n\nLock for this thread, waiting as timeout says "
	  "(None: forever; 0:\nBlockingIOError (EBUSY) if taken; "
	  "TimeoutError).  OwnerDeadError: the\nprevious owner died holding "
	  "it; it is locked now: repair, consistent(),\nunlock().  "
	  "Relocking a normal mutex: OSError EDEADLK." },
	{ "trylock", (PyCFunction)mutex_trylock, METH_NOARGS,
	  "trylock() -> bool\n\nLock if free, without waiting." },
	{ "unlock", (PyCFunction)mutex_unlock, METH_NOARGS,
	  "unlock()\n\nUnlock (PermissionError if this thread is not the "
	  "owner)." },
	{ "consistent", (PyCFunction)mutex_consistent, METH_NOARGS,
	  "consistent()\n\nMark a mutex taken with OwnerDeadError consistent "
	  "again." },
	{ "acquire", (PyCFunction)(void (*)(void))mutex_acquire,
	  METH_VARARGS | METH_KEYWORDS,
	  "acquire(blocking=True, timeout=-1) -> bool\n\nAs "
	  "threading.Lock.acquire(): False if not locked in time." },
	{ "release", (PyCFunction)mutex_unlock, METH_NOARGS,
	  "release()\n\nunlock(), as threading.Lock.release()." },
	{ "locked", (PyCFunction)mutex_locked, METH_NOARGS,
	  "locked() -> bool\n\nWhether some thread holds it now." },
	{ "__enter__", (PyCFunction)mutex_enter, METH_NOARGS,
	  "lock(); the with block unlocks at exit.  Use "
	  "contextlib.closing() to close\nthe mutex instead." },
	{ "__exit__", (PyCFunction)mutex_exit, METH_VARARGS, "unlock()." },
	{ "info", (PyCFunction)mutex_info, METH_NOARGS,
	  "info() -> MutexInfo\n\nState, owner and waiters." },
	{ NULL, NULL, 0, NULL }
};

PyTypeObject kp_MutexType = {
	KP_TYPE_HEAD("Mutex"),
	.tp_doc = "Mutex(name=None, mode=0o600, *, create=None, access='rw', "
		  "nonblock=False, inheritable=False, recursive=False)\n\n"
		  "A robust process-shared mutex owned by a thread.  `with m:` "
		  "locks and\nunlocks it.  When an owner dies holding it, the next "
		  "locker gets it\nwith OwnerDeadError.  All users must share a "
		  "pid namespace.  The fd is\nreadable while the mutex is free.",
	.tp_methods = mutex_methods,
	.tp_new = mutex_new,
};

/* ---- Cond ------------------------------------------------------------------- */

static PyObject *cond_new(PyTypeObject *cls, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { KP_COMMON_KW, NULL };
	struct kp_common c = KP_COMMON_INIT;

	if (!PyArg_ParseTupleAndKeywords(args, kw, KP_COMMON_FMT ":Cond",
					 kwlist, KP_COMMON_ARGS("Cond", c)))
		return NULL;
	return kp_make(cls, KIPC_TYPE_COND, &c, NULL, 0);
}

struct cond_wait {
	struct kp_op op;
	struct kipc_mutex *m;
};

static long cond_wait_fn(void *p, int64_t t)
{
	struct cond_wait *w = p;

	return kipc_cond_wait(w->op.fd, w->m, t);
}

/* "O&" converter (struct kp_arg): a kipc Mutex. */
static int cond_conv_mutex(PyObject *obj, void *arg)
{
	const struct kp_arg *a = arg;

	if (!PyObject_TypeCheck(obj, &kp_MutexType))
		return kp_bad_arg(a, "kipc.Mutex", obj);
	*(KObj **)a->out = (KObj *)obj;
	return 1;
}

/*
 * No restart after a signal: the kernel re-took the mutex and may have
 * used the wake-up, so the handlers having run is a spurious wakeup.
 */
static PyObject *cond_wait(KObj *o, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "mutex", "timeout", NULL };
	struct kp_deadline d = KP_FOREVER;
	struct cond_wait w;
	KObj *m;
	long ret;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|O&:wait", kwlist,
					 KP_ARG(cond_conv_mutex, "wait",
						"mutex", &m),
					 KP_TIMEOUT("wait", &d)))
		return NULL;
	if (kp_enter(m))
		return NULL;
	w.m = m->h.mutex;
	ret = kp_call_once(o, cond_wait_fn, &w.op, &d);
	kp_leave(m);
	return kp_none(ret == -EINTR ? 0 : ret);
}

static PyObject *cond_signal_n(KObj *o, int broadcast)
{
	return kp_long(KP_QUICK(o, kipc_cond_signal(o->fd, broadcast)));
}

static PyObject *cond_signal(KObj *o, PyObject *unused)
{
	(void)unused;
	return cond_signal_n(o, 0);
}

static PyObject *cond_broadcast(KObj *o, PyObject *unused)
{
	(void)unused;
	return cond_signal_n(o, 1);
}

static PyMethodDef cond_methods[] = {
	{ "wait", (PyCFunction)(void (*)(void))cond_wait,
	  METH_VARARGS | METH_KEYWORDS,
	  "wait(mutex, timeout=None)\n\nUnlock mutex (held by this thread) "
	  "and wait for a signal, atomically;\nthe mutex is locked again on "
	  "return, also when TimeoutError or\nOwnerDeadError is raised and "
	  "when a signal handler raises.  May return\nwithout a signal "
	  "(after a signal handler ran): check the condition in a\nloop, or "
	  "use wait_for()." },
	{ "signal", (PyCFunction)cond_signal, METH_NOARGS,
	  "signal() -> int\n\nWake the longest waiting; returns how many were "
	  "woken (0 or 1)." },
	{ "broadcast", (PyCFunction)cond_broadcast, METH_NOARGS,
	  "broadcast() -> int\n\nWake every waiter; returns how many." },
	{ NULL, NULL, 0, NULL }
};

PyTypeObject kp_CondType = {
	KP_TYPE_HEAD("Cond"),
	.tp_doc = "Cond(name=None, mode=0o600, *, create=None, access='rw', "
		  "nonblock=False, inheritable=False)\n\n"
		  "A condition variable for kipc mutexes (read access: wait; "
		  "write: signal).\nIt has no state to poll.",
	.tp_methods = cond_methods,
	.tp_new = cond_new,
};
