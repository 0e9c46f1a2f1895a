// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kipc._kipc.Object: what every kipc object is (an fd and its life),
 * and the constructors' shared arguments.
 */
#include "kipcmod.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* The type of every concrete class, and its short name. */
static const struct {
	PyTypeObject *type;
	uint32_t ktype;
	const char *name;
} kp_classes[] = {
	{ &kp_EventType, KIPC_TYPE_EVENT, "Event" },
	{ &kp_QueueType, KIPC_TYPE_QUEUE, "Queue" },
	{ &kp_ChannelType, KIPC_TYPE_CHANNEL, "Channel" },
	{ &kp_PipeType, KIPC_TYPE_PIPE, "Pipe" },
	{ &kp_RegionType, KIPC_TYPE_REGION, "Region" },
	{ &kp_SemaphoreType, KIPC_TYPE_SEMAPHORE, "Semaphore" },
	{ &kp_MutexType, KIPC_TYPE_MUTEX, "Mutex" },
	{ &kp_CondType, KIPC_TYPE_COND, "Cond" },
};
#define KP_NCLASSES	(sizeof(kp_classes) / sizeof(kp_classes[0]))

static uint32_t kp_ktype_of(PyTypeObject *cls)
{
	size_t i;

	for (i = 0; i < KP_NCLASSES; i++)
		if (PyType_IsSubtype(cls, kp_classes[i].type))
			return kp_classes[i].ktype;
	return 0;
}

static const char *kp_type_name(uint32_t ktype)
{
	size_t i;

	for (i = 0; i < KP_NCLASSES; i++)
		if (kp_classes[i].ktype == ktype)
			return kp_classes[i].name;
	return "unknown";
}

/* The class name without its module, for messages. */
static const char *kp_cls_name(PyObject *self)
{
	const char *n = Py_TYPE(self)->tp_name, *dot = strrchr(n, '.');

	return dot ? dot + 1 : n;
}

/* ---- the life of the fd ---------------------------------------------------- */

static void kp_release(KObj *o)
{
	if (o->fd < 0)
		return;
	kp_release_type(o);
	close(o->fd);
	o->fd = -1;
}

/* 0 if @o is open, else -1 with ValueError. */
int kp_open(KObj *o)
{
	if (o->closed || o->fd < 0) {
		PyErr_Format(PyExc_ValueError, "I/O operation on closed kipc.%s",
			     kp_cls_name((PyObject *)o));
		return -1;
	}
	return 0;
}

/* Start a call that may release the GIL; ValueError if closed. */
int kp_enter(KObj *o)
{
	if (kp_open(o))
		return -1;
	o->users++;
	return 0;
}

/* End it; the last call out of a closed object releases it. */
void kp_leave(KObj *o)
{
	if (--o->users == 0 && o->closed)
		kp_release(o);
}

static long kp_call_restart(KObj *o, kp_fn fn, struct kp_op *op,
			    struct kp_deadline *d, int restart)
{
	long ret;

	if (kp_enter(o))
		return KP_PYERR;
	op->fd = o->fd;
	op->h = o->h;
	ret = kp_run(fn, op, d, restart);
	kp_leave(o);
	return ret;
}

/*
 * A blocking call on @o, from start to end: check that @o is open, copy
 * its fd and handle into @op, run @fn(@op) without the GIL, retried after
 * signals with the time left (kp_run), and leave.  Returns what @fn
 * returned, or KP_PYERR with the exception set.
 */
long kp_call(KObj *o, kp_fn fn, struct kp_op *op, struct kp_deadline *d)
{
	return kp_call_restart(o, fn, op, d, 1);
}

/* As kp_call(), but -EINTR is returned once the handlers ran. */
long kp_call_once(KObj *o, kp_fn fn, struct kp_op *op, struct kp_deadline *d)
{
	return kp_call_restart(o, fn, op, d, 0);
}

/* kp_call(), then release the buffer @buf that the call used. */
long kp_call_buf(KObj *o, kp_fn fn, struct kp_op *op, struct kp_deadline *d,
		 Py_buffer *buf)
{
	long ret = kp_call(o, fn, op, d);

	PyBuffer_Release(buf);
	return ret;
}

/* A new object of @cls owning @fd (closed on failure). */
PyObject *kp_wrap(PyTypeObject *cls, int fd)
{
	KObj *o = (KObj *)cls->tp_alloc(cls, 0);

	if (!o) {
		close(fd);
		return NULL;
	}
	o->fd = fd;
	o->ktype = kp_ktype_of(cls);
	if (kp_setup(o)) {
		Py_DECREF(o);
		return NULL;
	}
	return (PyObject *)o;
}

static void kp_dealloc(KObj *o)
{
	if (o->weakrefs)
		PyObject_ClearWeakRefs((PyObject *)o);
	kp_release(o);
	Py_TYPE(o)->tp_free((PyObject *)o);
}

/* ---- constructor arguments ---------------------------------------------------- */

/* "O&" converter (struct kp_arg): a name (str or bytes) as bytes, or None. */
int kp_conv_name(PyObject *obj, void *arg)
{
	const struct kp_arg *a = arg;
	PyObject **name = a->out;

	if (!obj) {		/* cleanup after a later argument failed */
		Py_CLEAR(*name);
		return 1;
	}
	if (obj == Py_None) {
		*name = NULL;
		return 1;
	}
	if (!PyUnicode_Check(obj) && !PyBytes_Check(obj))
		return kp_bad_arg(a, "str, bytes or None", obj);
	if (!PyUnicode_FSConverter(obj, name))
		return 0;
	if (!PyBytes_GET_SIZE(*name)) {
		Py_CLEAR(*name);
		return kp_bad_value(a, "must not be empty");
	}
	return Py_CLEANUP_SUPPORTED;
}

/* "O&" converter: create=None (open or create), True, False (open). */
int kp_conv_create(PyObject *obj, void *out)
{
	int t;

	if (obj == Py_None) {
		*(int *)out = -1;
		return 1;
	}
	t = PyObject_IsTrue(obj);
	if (t < 0)
		return 0;
	*(int *)out = t;
	return 1;
}

/* "O&" converter (struct kp_arg): "rw", "r" or "w" as KIPC_FD_* flags. */
int kp_conv_access(PyObject *obj, void *arg)
{
	const struct kp_arg *a = arg;
	uint32_t *out = a->out;
	const char *s;

	if (!PyUnicode_Check(obj))
		return kp_bad_arg(a, "str", obj);
	s = PyUnicode_AsUTF8(obj);
	if (!s)
		return 0;
	if (!strcmp(s, "rw") || !strcmp(s, "wr"))
		*out = 0;
	else if (!strcmp(s, "r"))
		*out = KIPC_FD_RDONLY;
	else if (!strcmp(s, "w"))
		*out = KIPC_FD_WRONLY;
	else
		return kp_bad_value(a, "must be 'r', 'w' or 'rw'");
	return 1;
}

/* "O&" converter (struct kp_arg): permission bits 0 to 0o777. */
int kp_conv_mode(PyObject *obj, void *arg)
{
	const struct kp_arg *a = arg;

	if (!kp_conv_u32(obj, arg))
		return 0;
	if (*(uint32_t *)a->out > 0777)
		return kp_bad_value(a, "must be 0 to 0o777");
	return 1;
}

uint32_t kp_fdflags(const struct kp_common *c)
{
	return c->fdflags | (c->nonblock ? KIPC_FD_NONBLOCK : 0) |
	       (c->inheritable ? KIPC_FD_NOCLOEXEC : 0);
}

/*
 * Create, open, or open-or-create an object as @c says, and wrap it.
 * Consumes @c->name.
 */
PyObject *kp_make(PyTypeObject *cls, uint32_t type, struct kp_common *c,
		  const void *attr, uint32_t attr_size)
{
	const char *name = c->name ? PyBytes_AS_STRING(c->name) : NULL;
	uint32_t fl = kp_fdflags(c);
	PyObject *res;
	int fd;

	if (!name && c->create == 0) {
		PyErr_SetString(PyExc_ValueError, "opening needs a name");
		return NULL;
	}
	if (!name || c->create == 1)
		fd = kipc_create(type, name, c->mode, attr, attr_size, fl);
	else if (c->create == 0)
		fd = kipc_open(type, name, fl);
	else
		fd = kipc_open_or_create(type, name, c->mode, attr, attr_size,
					 fl);
	res = fd < 0 ? kp_error_name(fd, c->name) : kp_wrap(cls, fd);
	Py_CLEAR(c->name);
	return res;
}

/* ---- methods ----------------------------------------------------------------- */

static PyObject *kp_fileno(KObj *o, PyObject *unused)
{
	(void)unused;
	if (kp_open(o))
		return NULL;
	return PyLong_FromLong(o->fd);
}

static PyObject *kp_close(KObj *o, PyObject *unused)
{
	(void)unused;
	if (o->closed || o->fd < 0)
		Py_RETURN_NONE;
	if (o->exports > 0) {
		PyErr_SetString(PyExc_BufferError,
				"cannot close: memoryviews of the region exist");
		return NULL;
	}
	o->closed = 1;
	if (!o->users)
		kp_release(o);
	Py_RETURN_NONE;
}

static PyObject *kp_detach(KObj *o, PyObject *unused)
{
	int fd;

	(void)unused;
	if (kp_open(o))
		return NULL;
	if (o->users || o->exports) {
		PyErr_SetString(PyExc_RuntimeError,
				"cannot detach: the object is in use");
		return NULL;
	}
	fd = o->fd;
	kp_release_type(o);
	o->fd = -1;
	o->closed = 1;
	return PyLong_FromLong(fd);
}

static PyObject *kp_enter_ctx(KObj *o, PyObject *unused)
{
	(void)unused;
	if (kp_open(o))
		return NULL;
	return Py_NewRef(o);
}

static PyObject *kp_exit_ctx(KObj *o, PyObject *args)
{
	(void)args;
	return kp_close(o, NULL);
}

static PyObject *kp_get_closed(KObj *o, void *unused)
{
	(void)unused;
	return PyBool_FromLong(o->closed || o->fd < 0);
}

static const char *kp_access_str(uint32_t access)
{
	switch (access & (KIPC_ACCESS_READ | KIPC_ACCESS_WRITE)) {
	case KIPC_ACCESS_READ:
		return "r";
	case KIPC_ACCESS_WRITE:
		return "w";
	case KIPC_ACCESS_READ | KIPC_ACCESS_WRITE:
		return "rw";
	}
	return "";
}

/* KIPC_IOC_OBJ_INFO with the name; 0 or -errno. */
static int kp_obj_info(KObj *o, struct kipc_object_info *in, char *buf,
		       size_t size)
{
	memset(in, 0, sizeof(*in));
	in->name = (uintptr_t)buf;
	in->name_size = (uint32_t)size;
	return kipc_object_info(o->fd, in);
}

#define KP_NAME_BUF	4096

static PyObject *kp_object_info(KObj *o, PyObject *unused)
{
	struct kipc_object_info in;
	PyObject *name, *res = NULL;
	char *buf;
	int err;

	(void)unused;
	buf = PyMem_Malloc(KP_NAME_BUF);
	if (!buf)
		return PyErr_NoMemory();
	err = KP_QUICK(o, kp_obj_info(o, &in, buf, KP_NAME_BUF));
	if (err) {
		kp_error_pyerr(err);
		goto out;
	}
	if (in.name_len)
		name = PyUnicode_DecodeFSDefaultAndSize(
			buf, in.name_len < KP_NAME_BUF ? in.name_len : KP_NAME_BUF);
	else
		name = Py_NewRef(Py_None);
	if (!name)
		goto out;
	res = kp_record(kp_ObjectInfoType, "(sKIIIIIsOONI)",
			kp_type_name(in.type), (unsigned long long)in.id,
			in.uid, in.gid, in.cuid, in.cgid, in.mode,
			kp_access_str(in.access),
			(in.state & KIPC_INFO_NAMED) ? Py_True : Py_False,
			(in.state & KIPC_INFO_LINKED) ? Py_True : Py_False,
			name, in.creator_pid);
out:
	PyMem_Free(buf);
	return res;
}

/* The KIPC_FD_RDONLY/WRONLY flags that ask for this handle's access. */
static int kp_same_access(KObj *o, uint32_t *flags)
{
	struct kipc_object_info in;
	int err = kp_obj_info(o, &in, NULL, 0);

	if (err)
		return err;
	*flags = 0;
	if (!(in.access & KIPC_ACCESS_WRITE))
		*flags = KIPC_FD_RDONLY;
	else if (!(in.access & KIPC_ACCESS_READ))
		*flags = KIPC_FD_WRONLY;
	return 0;
}

static PyObject *kp_notify_ready(KObj *o, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "signo", "value", "persist", NULL };
	uint64_t value = 0;
	uint32_t signo = 0;
	int persist = 0;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&O&$p:notify_ready",
					 kwlist,
					 KP_U32("notify_ready", "signo", &signo),
					 KP_U64("notify_ready", "value", &value),
					 &persist))
		return NULL;
	return kp_none(KP_QUICK(o, kipc_notify(o->fd, (int)signo, value,
					       persist ? KIPC_NOTIFY_PERSIST :
					       0)));
}

static PyObject *kp_signal_holders(KObj *o, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "signo", "value", NULL };
	uint32_t signo = 0, refused = 0;
	uint64_t value = 0;
	long ret;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|O&:signal_holders",
					 kwlist,
					 KP_U32("signal_holders", "signo",
						&signo),
					 KP_U64("signal_holders", "value",
						&value)))
		return NULL;
	ret = KP_QUICK(o, kipc_signal_holders(o->fd, (int)signo, value,
					      &refused));
	if (ret < 0)
		return kp_error_pyerr(ret);
	return Py_BuildValue("(lI)", ret, refused);
}

static PyObject *kp_reopen(KObj *o, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "access", "nonblock", "inheritable", NULL };
	PyObject *access = Py_None;
	int nonblock = 0, inheritable = 0, fd, err;
	uint32_t fl = 0;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|$Opp:reopen", kwlist,
					 &access, &nonblock, &inheritable))
		return NULL;
	if (access != Py_None &&
	    !kp_conv_access(access,
			    &(struct kp_arg){ "reopen", "access", &fl }))
		return NULL;
	if (kp_open(o))
		return NULL;
	err = access == Py_None ? kp_same_access(o, &fl) : 0;
	if (nonblock)
		fl |= KIPC_FD_NONBLOCK;
	if (inheritable)
		fl |= KIPC_FD_NOCLOEXEC;
	fd = err ? err : kipc_reopen(o->fd, fl);
	if (fd < 0)
		return kp_error(fd);
	return kp_wrap(Py_TYPE(o), fd);
}

/*
 * The fd that @arg (an int or an object with fileno()) is, and what the
 * kipc object behind it says of itself; -1 with ValueError if it is not
 * one, or another exception.
 */
int kp_fd_info(PyObject *arg, const char *fn, struct kipc_object_info *in)
{
	int fd, err;

	if (!kp_conv_fd(arg, &(struct kp_arg){ fn, NULL, &fd }))
		return -1;
	memset(in, 0, sizeof(*in));
	err = kipc_object_info(fd, in);
	if (err == -ENOTTY || err == -EINVAL) {
		PyErr_Format(PyExc_ValueError, "fd %d is not a kipc object",
			     fd);
		return -1;
	}
	if (err) {
		kp_error(err);
		return -1;
	}
	return fd;
}

static PyObject *kp_from_fd(PyTypeObject *cls, PyObject *arg)
{
	struct kipc_object_info in;
	uint32_t want = kp_ktype_of(cls);
	int fd;

	if (!want) {
		PyErr_SetString(PyExc_TypeError,
				"from_fd() needs a concrete class: use "
				"kipc.from_fd() to find it from the fd");
		return NULL;
	}
	fd = kp_fd_info(arg, "from_fd", &in);
	if (fd < 0)
		return NULL;
	if (in.type != want) {
		PyErr_Format(PyExc_ValueError, "fd %d is a kipc %s, not a %s",
			     fd, kp_type_name(in.type), kp_type_name(want));
		return NULL;
	}
	return kp_wrap(cls, fd);
}

static PyObject *kp_unlink(PyTypeObject *cls, PyObject *arg)
{
	PyObject *name = NULL;
	uint32_t type = kp_ktype_of(cls);
	int err, r;

	if (!type) {
		PyErr_SetString(PyExc_TypeError, "unlink() needs a concrete class");
		return NULL;
	}
	if (!PyUnicode_Check(arg) && !PyBytes_Check(arg)) {
		kp_bad_arg(&(struct kp_arg){ "unlink", NULL, NULL },
			   "str or bytes", arg);
		return NULL;
	}
	r = kp_conv_name(arg, &(struct kp_arg){ "unlink", NULL, &name });
	if (!r)
		return NULL;
	err = kipc_unlink(type, PyBytes_AS_STRING(name));
	if (err)
		kp_error_name(err, name);
	Py_DECREF(name);
	if (err)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *kp_reduce_ex(KObj *o, PyObject *arg)
{
	(void)arg;
	PyErr_Format(PyExc_TypeError,
		     "cannot pickle 'kipc.%s' object: a kipc object is a file "
		     "descriptor; pass it to a child by fork (os.fork, or "
		     "multiprocessing with the 'fork' start method) or send "
		     "its fileno() with socket.send_fds() and rebuild it with "
		     "kipc.from_fd()", kp_cls_name((PyObject *)o));
	return NULL;
}

static PyObject *kp_repr(KObj *o)
{
	struct kipc_object_info in;
	const char *cls = kp_cls_name((PyObject *)o);
	PyObject *name, *res;
	char buf[256];

	if (o->closed || o->fd < 0)
		return PyUnicode_FromFormat("<kipc.%s closed>", cls);
	if (kp_obj_info(o, &in, buf, sizeof(buf)) || !in.name_len)
		return PyUnicode_FromFormat("<kipc.%s fd=%d>", cls, o->fd);
	name = PyUnicode_DecodeFSDefaultAndSize(
		buf, in.name_len < sizeof(buf) ? in.name_len : sizeof(buf));
	if (!name)
		return NULL;
	res = PyUnicode_FromFormat("<kipc.%s fd=%d name=%R%s>", cls, o->fd,
				   name, (in.state & KIPC_INFO_LINKED) ?
				   "" : " unlinked");
	Py_DECREF(name);
	return res;
}

PyDoc_STRVAR(kp_fileno_doc,
"fileno() -> int\n\nThe file descriptor: poll it with select, selectors "
"or asyncio\n(readable when a wait or receive would not block).");
PyDoc_STRVAR(kp_close_doc,
"close()\n\nClose the handle.  Calls blocked in other threads keep the fd "
"until they\nreturn; new calls raise ValueError.  Closing twice is fine.");
PyDoc_STRVAR(kp_detach_doc,
"detach() -> int\n\nGive up the fd without closing it and return it "
"(as socket.detach()).");
PyDoc_STRVAR(kp_object_info_doc,
"object_info() -> ObjectInfo\n\nType, id, owner, creator, mode, this "
"handle's access, name state and\nname, and the creator's pid.");
PyDoc_STRVAR(kp_reopen_doc,
"reopen(*, access=None, nonblock=False, inheritable=False)\n\n"
"A new, independent handle of the same object (KIPC_IOC_REOPEN): its\n"
"own access ('r', 'w' or 'rw'; default: this handle's) and O_NONBLOCK.\n"
"More access than this handle has must be granted by the mode bits.\n"
"On a channel it opens the other end, once.");
PyDoc_STRVAR(kp_from_fd_doc,
"from_fd(fd) -> object\n\nWrap an fd of a kipc object of this class "
"(inherited, or received with\nsocket.recv_fds()); the object owns it "
"from now on.  ValueError if the\nfd is not a kipc object of this type.");
PyDoc_STRVAR(kp_unlink_doc,
"unlink(name)\n\nRemove a name of this type.  The object lives on while "
"handles refer to\nit.  FileNotFoundError if there is no such name, "
"PermissionError unless\nthe caller is its owner or creator.");
PyDoc_STRVAR(kp_notify_ready_doc,
"notify_ready(signo=0, value=0, *, persist=False)\n\n"
"Ask for signal signo (si_value value) when the object next becomes\n"
"ready (kipc_notify()): once, or every time with persist.  One process\n"
"per object (OSError EBUSY); signo 0 cancels.  Events, queues,\n"
"channels, pipes, semaphores and mutexes.");
PyDoc_STRVAR(kp_signal_holders_doc,
"signal_holders(signo, value=0) -> (signalled, refused)\n\n"
"Send signo (si_value value) to every process holding the object, each\n"
"as kill(2) allows (kipc_signal_holders()); needs write access.\n"
"PermissionError if every one refused.");
PyDoc_STRVAR(kp_reduce_doc, "Refused: kipc objects cannot be pickled.");
PyDoc_STRVAR(kp_enter_doc, "Return self; the with block closes it at exit.");
PyDoc_STRVAR(kp_exit_doc, "Close the object.");

static PyMethodDef kp_obj_methods[] = {
	{ "fileno", (PyCFunction)kp_fileno, METH_NOARGS, kp_fileno_doc },
	{ "close", (PyCFunction)kp_close, METH_NOARGS, kp_close_doc },
	{ "detach", (PyCFunction)kp_detach, METH_NOARGS, kp_detach_doc },
	{ "object_info", (PyCFunction)kp_object_info, METH_NOARGS,
	  kp_object_info_doc },
	{ "reopen", (PyCFunction)(void (*)(void))kp_reopen,
	  METH_VARARGS | METH_KEYWORDS, kp_reopen_doc },
	{ "from_fd", (PyCFunction)kp_from_fd, METH_O | METH_CLASS,
	  kp_from_fd_doc },
	{ "unlink", (PyCFunction)kp_unlink, METH_O | METH_CLASS, kp_unlink_doc },
	{ "notify_ready", (PyCFunction)(void (*)(void))kp_notify_ready,
	  METH_VARARGS | METH_KEYWORDS, kp_notify_ready_doc },
	{ "signal_holders", (PyCFunction)(void (*)(void))kp_signal_holders,
	  METH_VARARGS | METH_KEYWORDS, kp_signal_holders_doc },
	{ "__reduce_ex__", (PyCFunction)kp_reduce_ex, METH_O, kp_reduce_doc },
	{ "__enter__", (PyCFunction)kp_enter_ctx, METH_NOARGS, kp_enter_doc },
	{ "__exit__", (PyCFunction)kp_exit_ctx, METH_VARARGS, kp_exit_doc },
	{ NULL, NULL, 0, NULL }
};

static PyGetSetDef kp_obj_getset[] = {
	{ "closed", (getter)kp_get_closed, NULL,
	  "True once close() was called", NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

PyDoc_STRVAR(kp_object_doc,
"The base of every kipc object: a file descriptor of /dev/kipc's.\n\n"
"Not made directly: use Event, Queue, Channel, Pipe, Region, Semaphore,\n"
"Mutex or Cond.  Objects are closed by close(), by a with block, or\n"
"when collected.  They cannot be pickled: a child gets them by fork\n"
"(os.fork, multiprocessing's 'fork' start method) or as an fd sent\n"
"with socket.send_fds() and wrapped with from_fd().");

PyTypeObject kp_ObjectType = {
	KP_TYPE_HEAD("Object"),
	.tp_dealloc = (destructor)kp_dealloc,
	.tp_repr = (reprfunc)kp_repr,
	.tp_doc = kp_object_doc,
	.tp_weaklistoffset = offsetof(KObj, weakrefs),
	.tp_methods = kp_obj_methods,
	.tp_getset = kp_obj_getset,
};

int kp_types_ready(PyObject *m)
{
	size_t i;

	if (PyType_Ready(&kp_ObjectType) ||
	    PyModule_AddObjectRef(m, "Object", (PyObject *)&kp_ObjectType))
		return -1;
	for (i = 0; i < KP_NCLASSES; i++) {
		PyTypeObject *t = kp_classes[i].type;

		t->tp_base = &kp_ObjectType;
		if (PyType_Ready(t) ||
		    PyModule_AddObjectRef(m, kp_classes[i].name, (PyObject *)t))
			return -1;
	}
	return 0;
}
