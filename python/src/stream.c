// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kipc._kipc: channels (through the fd and through the mapped rings),
 * pipes and shared regions.
 */
#include "kipcmod.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* ---- Channel ------------------------------------------------------------- */

int kp_channel_setup(KObj *o)
{
	struct kipc_channel_info in;
	int err = kipc_channel_info(o->fd, &in);

	if (err) {
		kp_error(err);
		return -1;
	}
	o->txmax = in.max_msg[in.end & 1];
	o->msgmax = in.max_msg[1 - (in.end & 1)];
	return 0;
}

/* Map the fast path (idempotent). */
static int ch_attach(KObj *o)
{
	int err;

	if (o->h.ring)
		return 0;
	err = kipc_ring_attach(o->fd, &o->h.ring);
	if (err) {
		kp_error(err);
		return -1;
	}
	return 0;
}

/* Wrap a new channel or pipe fd, mapped if asked (channels only). */
static PyObject *ch_wrap(PyTypeObject *cls, int fd, int mapped)
{
	PyObject *o = kp_wrap(cls, fd);

	if (o && mapped && ch_attach((KObj *)o))
		Py_CLEAR(o);
	return o;
}

/* The two ends of a new pair as a tuple (the fds closed on failure). */
static PyObject *st_pair(PyTypeObject *cls, const int fds[2], int mapped)
{
	PyObject *e0 = ch_wrap(cls, fds[0], mapped), *e1;

	if (!e0) {
		close(fds[1]);
		return NULL;
	}
	e1 = ch_wrap(cls, fds[1], mapped);
	if (!e1) {
		Py_DECREF(e0);
		return NULL;
	}
	return Py_BuildValue("(NN)", e0, e1);
}

struct ch_attr {
	uint32_t capacity, max_msg;
	int mapped;
};

static void ch_fill_attr(struct kipc_channel_attr *a, const struct ch_attr *c)
{
	memset(a, 0, sizeof(*a));
	a->capacity[0] = a->capacity[1] = c->capacity;
	a->max_msg[0] = a->max_msg[1] = c->max_msg;
}

static PyObject *channel_new(PyTypeObject *cls, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { KP_COMMON_KW, "capacity", "max_msg",
				  "mapped", NULL };
	struct kp_common c = KP_COMMON_INIT;
	struct ch_attr ca = { 0, 0, 0 };
	struct kipc_channel_attr a;
	PyObject *o;

	if (!PyArg_ParseTupleAndKeywords(args, kw,
					 KP_COMMON_FMT "O&O&p:Channel", kwlist,
					 KP_COMMON_ARGS("Channel", c),
					 KP_U32("Channel", "capacity",
						&ca.capacity),
					 KP_U32("Channel", "max_msg",
						&ca.max_msg),
					 &ca.mapped))
		return NULL;
	ch_fill_attr(&a, &ca);
	o = kp_make(cls, KIPC_TYPE_CHANNEL, &c, &a, sizeof(a));
	if (o && ca.mapped && ch_attach((KObj *)o))
		Py_CLEAR(o);
	return o;
}

static PyObject *channel_pair(PyTypeObject *cls, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "capacity", "max_msg", "mapped", "nonblock",
				  "inheritable", NULL };
	struct ch_attr ca = { 0, 0, 0 };
	struct kipc_channel_attr a;
	int nonblock = 0, inheritable = 0, fds[2], err;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|$O&O&ppp:pair", kwlist,
					 KP_U32("pair", "capacity",
						&ca.capacity),
					 KP_U32("pair", "max_msg", &ca.max_msg),
					 &ca.mapped, &nonblock, &inheritable))
		return NULL;
	ch_fill_attr(&a, &ca);
	err = kipc_channel_pair(fds, &a, (nonblock ? KIPC_FD_NONBLOCK : 0) |
				(inheritable ? KIPC_FD_NOCLOEXEC : 0));
	if (err)
		return kp_error(err);
	return st_pair(cls, fds, ca.mapped);
}

struct ch_op {
	struct kp_op op;	/* h.ring: the fast path, or NULL */
	const void *msg;
	size_t len;
	void *buf;
	size_t size;
	size_t rlen;
	struct kipc_chan_msg *msgs;
	unsigned int n;
	int sent;		/* call(): the request is out */
};

static long ch_send_fn(void *p, int64_t t)
{
	struct ch_op *c = p;
	struct kipc_ring *ring = c->op.h.ring;

	return ring ? kipc_ring_send(ring, c->msg, c->len, t) :
		      kipc_channel_send(c->op.fd, c->msg, c->len, t);
}

static long ch_recv_fn(void *p, int64_t t)
{
	struct ch_op *c = p;
	struct kipc_ring *ring = c->op.h.ring;

	return ring ? kipc_ring_recv(ring, c->buf, c->size, &c->rlen, t) :
		      kipc_channel_recv(c->op.fd, c->buf, c->size, &c->rlen, t);
}

static long ch_sendv_fn(void *p, int64_t t)
{
	struct ch_op *c = p;
	struct kipc_ring *ring = c->op.h.ring;

	return ring ? kipc_ring_sendv(ring, c->msgs, c->n, t) :
		      kipc_channel_sendv(c->op.fd, c->msgs, c->n, t);
}

static long ch_recvv_fn(void *p, int64_t t)
{
	struct ch_op *c = p;
	struct kipc_ring *ring = c->op.h.ring;

	return ring ? kipc_ring_recvv(ring, c->msgs, c->n, t) :
		      kipc_channel_recvv(c->op.fd, c->msgs, c->n, t);
}

/*
 * A request and its reply.  Through the kernel: a send, then a receive.
 * On the fast path, kipc_ring_call(): when the peer must be woken and we
 * must sleep, one kernel entry does both.  After an error its rlen says
 * whether the request went out (SIZE_MAX: not), so that a retry after a
 * signal receives only and never sends the request twice.
 */
static long ch_call_fn(void *p, int64_t t)
{
	struct ch_op *c = p;
	long ret;

	if (c->sent)
		return ch_recv_fn(p, t);
	if (!c->op.h.ring) {
		ret = ch_send_fn(p, t);
		c->sent = !ret;
		return ret ? ret : ch_recv_fn(p, t);
	}
	ret = kipc_ring_call(c->op.h.ring, c->msg, c->len, c->buf, c->size,
			     &c->rlen, t);
	c->sent = ret >= 0 || c->rlen != SIZE_MAX;
	return ret;
}

static PyObject *ch_eof(void)
{
	PyErr_SetString(PyExc_EOFError, "end of channel: the peer closed");
	return NULL;
}

/* Receive one message with @fn (recv or call) into a new bytes object. */
static PyObject *ch_recv_new(KObj *o, kp_fn fn, struct ch_op *c,
			     struct kp_deadline *d)
{
	PyObject *b = PyBytes_FromStringAndSize(NULL, o->msgmax);
	long ret;

	if (!b)
		return NULL;
	c->buf = PyBytes_AS_STRING(b);
	c->size = o->msgmax;
	ret = kp_call(o, fn, &c->op, d);
	if (ret <= 0) {
		Py_DECREF(b);
		return ret ? kp_error_pyerr(ret) : ch_eof();
	}
	if (_PyBytes_Resize(&b, (Py_ssize_t)c->rlen))
		return NULL;
	return b;
}

static PyObject *channel_send(KObj *o, PyObject *args, PyObject *kw)
{
	struct kp_deadline d = KP_FOREVER;
	struct ch_op c = { .sent = 0 };
	Py_buffer data;

	if (!kp_parse_io(args, kw, "send", 0, &data, &d))
		return NULL;
	c.msg = data.buf;
	c.len = (size_t)data.len;
	return kp_none(kp_call_buf(o, ch_send_fn, &c.op, &d, &data));
}

static PyObject *channel_recv(KObj *o, PyObject *args, PyObject *kw)
{
	struct kp_deadline d = KP_FOREVER;
	struct ch_op c = { .sent = 0 };

	if (!kp_parse_timeout(args, kw, "recv", 1, &d))
		return NULL;
	return ch_recv_new(o, ch_recv_fn, &c, &d);
}

static PyObject *channel_recv_into(KObj *o, PyObject *args, PyObject *kw)
{
	struct kp_deadline d = KP_FOREVER;
	struct ch_op c = { .sent = 0 };
	Py_buffer buf;
	long ret;

	if (!kp_parse_io(args, kw, "recv_into", 1, &buf, &d))
		return NULL;
	c.buf = buf.buf;
	c.size = (size_t)buf.len;
	ret = kp_call_buf(o, ch_recv_fn, &c.op, &d, &buf);
	if (ret == 0)
		return ch_eof();
	return ret < 0 ? kp_error_pyerr(ret) : PyLong_FromSize_t(c.rlen);
}

static PyObject *channel_call(KObj *o, PyObject *args, PyObject *kw)
{
	struct kp_deadline d = KP_FOREVER;
	struct ch_op c = { .sent = 0 };
	Py_buffer data;
	PyObject *reply;

	if (!kp_parse_io(args, kw, "call", 0, &data, &d))
		return NULL;
	c.msg = data.buf;
	c.len = (size_t)data.len;
	reply = ch_recv_new(o, ch_call_fn, &c, &d);
	PyBuffer_Release(&data);
	return reply;
}

/* A batch to send: a buffer of each message of @seq, and its place. */
struct ch_batch {
	Py_buffer *views;
	struct kipc_chan_msg *msgs;
	Py_ssize_t n, got;
};

static void ch_batch_free(struct ch_batch *b)
{
	Py_ssize_t i;

	for (i = 0; i < b->got; i++)
		PyBuffer_Release(&b->views[i]);
	PyMem_Free(b->views);
	PyMem_Free(b->msgs);
}

/* The messages of sendv(): 0, or -1 with the exception set. */
static int ch_batch_fill(struct ch_batch *b, PyObject *seq)
{
	b->n = PySequence_Fast_GET_SIZE(seq);
	if (b->n < 1 || b->n > KIPC_CHAN_MAX_BATCH) {
		PyErr_SetString(PyExc_ValueError,
				"msgs must hold 1 to CHAN_MAX_BATCH messages");
		return -1;
	}
	b->views = PyMem_Calloc(b->n, sizeof(*b->views));
	b->msgs = PyMem_Calloc(b->n, sizeof(*b->msgs));
	if (!b->views || !b->msgs) {
		PyErr_NoMemory();
		return -1;
	}
	for (; b->got < b->n; b->got++) {
		PyObject *m = PySequence_Fast_GET_ITEM(seq, b->got);
		Py_buffer *v = &b->views[b->got];

		if (PyObject_GetBuffer(m, v, PyBUF_SIMPLE)) {
			PyErr_Format(PyExc_TypeError, "sendv() argument 'msgs' "
				     "must hold bytes-like objects only, not "
				     "%.100s", Py_TYPE(m)->tp_name);
			return -1;
		}
		b->msgs[b->got].buf = (uintptr_t)v->buf;
		b->msgs[b->got].len = v->len > UINT32_MAX ? UINT32_MAX :
				      (uint32_t)v->len;
	}
	return 0;
}

static PyObject *channel_sendv(KObj *o, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "msgs", "timeout", NULL };
	struct kp_deadline d = KP_FOREVER;
	struct ch_batch b = { NULL, NULL, 0, 0 };
	struct ch_op c = { .sent = 0 };
	PyObject *arg, *seq, *res = NULL;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$O&:sendv", kwlist,
					 &arg, KP_TIMEOUT("sendv", &d)))
		return NULL;
	seq = PySequence_Fast(arg, "");
	if (!seq) {
		if (PyErr_ExceptionMatches(PyExc_TypeError)) {
			PyErr_Clear();
			kp_bad_arg(&(struct kp_arg){ "sendv", "msgs", NULL },
				   "a sequence of bytes-like objects", arg);
		}
		return NULL;
	}
	if (!ch_batch_fill(&b, seq)) {
		c.msgs = b.msgs;
		c.n = (unsigned int)b.n;
		res = kp_long(kp_call(o, ch_sendv_fn, &c.op, &d));
	}
	ch_batch_free(&b);
	Py_DECREF(seq);
	return res;
}

/* The @n messages received into @buf (each @size apart) as a list. */
static PyObject *ch_recvv_list(const char *buf, size_t size,
			       const struct kipc_chan_msg *msgs, long n)
{
	PyObject *list = PyList_New(n);
	long i;

	if (!list)
		return NULL;
	for (i = 0; i < n; i++) {
		PyObject *b = PyBytes_FromStringAndSize(buf + (size_t)i * size,
							msgs[i].len);

		if (!b) {
			Py_DECREF(list);
			return NULL;
		}
		PyList_SET_ITEM(list, i, b);
	}
	return list;
}

/* Receive up to @count messages of up to @size bytes each. */
static PyObject *ch_recvv_into(KObj *o, Py_ssize_t count, size_t size,
			       struct kp_deadline *d)
{
	struct kipc_chan_msg *msgs = PyMem_Calloc(count, sizeof(*msgs));
	char *buf = PyMem_Malloc(size * (size_t)count);
	struct ch_op c = { .msgs = msgs, .n = (unsigned int)count };
	PyObject *res = NULL;
	Py_ssize_t i;
	long ret;

	if (!msgs || !buf) {
		PyErr_NoMemory();
		goto out;
	}
	for (i = 0; i < count; i++) {
		msgs[i].buf = (uintptr_t)(buf + (size_t)i * size);
		msgs[i].len = (uint32_t)size;
	}
	ret = kp_call(o, ch_recvv_fn, &c.op, d);
	if (ret < 0)
		kp_error_pyerr(ret);
	else if (ret == 0)
		ch_eof();
	else
		res = ch_recvv_list(buf, size, msgs, ret);
out:
	PyMem_Free(msgs);
	PyMem_Free(buf);
	return res;
}

static PyObject *channel_recvv(KObj *o, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "max_count", "timeout", NULL };
	struct kp_deadline d = KP_FOREVER;
	Py_ssize_t count = 64;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&$O&:recvv", kwlist,
					 KP_SIZE("recvv", "max_count", &count),
					 KP_TIMEOUT("recvv", &d)))
		return NULL;
	if (count < 1 || count > KIPC_CHAN_MAX_BATCH) {
		PyErr_SetString(PyExc_ValueError,
				"max_count must be 1 to CHAN_MAX_BATCH");
		return NULL;
	}
	return ch_recvv_into(o, count, o->msgmax ? o->msgmax : 1, &d);
}

static PyObject *channel_map(KObj *o, PyObject *unused)
{
	(void)unused;
	if (kp_open(o) || ch_attach(o))
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *channel_unmap(KObj *o, PyObject *unused)
{
	(void)unused;
	if (kp_open(o))
		return NULL;
	if (o->users) {
		PyErr_SetString(PyExc_RuntimeError,
				"cannot unmap: another thread uses the channel");
		return NULL;
	}
	kipc_ring_detach(o->h.ring);
	o->h.ring = NULL;
	Py_RETURN_NONE;
}

static PyObject *channel_set_spin(KObj *o, PyObject *arg)
{
	static const struct kp_arg a = { "set_spin", NULL, NULL };
	double s;

	if (!PyFloat_Check(arg) && !PyLong_Check(arg)) {
		kp_bad_arg(&a, "a number", arg);
		return NULL;
	}
	s = PyFloat_AsDouble(arg);
	if (s == -1.0 && PyErr_Occurred())
		return NULL;
	if (!(s >= 0 && s < 1.0)) {
		PyErr_SetString(PyExc_ValueError, "spin must be 0 to 1 second");
		return NULL;
	}
	if (kp_open(o))
		return NULL;
	if (!o->h.ring) {
		PyErr_SetString(PyExc_ValueError,
				"set_spin() needs the fast path: call map() first");
		return NULL;
	}
	kipc_ring_set_spin(o->h.ring, (int64_t)(s * 1e9));
	Py_RETURN_NONE;
}

static PyObject *channel_get_mapped(KObj *o, void *unused)
{
	(void)unused;
	return PyBool_FromLong(o->h.ring != NULL);
}

static PyObject *channel_get_max_msg(KObj *o, void *unused)
{
	(void)unused;
	return PyLong_FromUnsignedLong(o->txmax);
}

static PyObject *channel_info(KObj *o, PyObject *unused)
{
	struct kipc_channel_info in;
	long err = KP_QUICK(o, kipc_channel_info(o->fd, &in));

	(void)unused;
	if (err)
		return kp_error_pyerr(err);
	return kp_record(kp_ChannelInfoType, "(I(II)(II)(II)NNK)", in.end,
			 in.capacity[0], in.capacity[1], in.max_msg[0],
			 in.max_msg[1], in.used[0], in.used[1],
			 PyBool_FromLong(in.state & KIPC_CHAN_CONNECTED),
			 PyBool_FromLong(in.state & KIPC_CHAN_PEER_CLOSED),
			 (unsigned long long)in.map_size);
}

#define KW (METH_VARARGS | METH_KEYWORDS)
#define FN(f) ((PyCFunction)(void (*)(void))(f))
static PyMethodDef channel_methods[] = {
	{ "pair", FN(channel_pair), KW | METH_CLASS,
	  "pair(*, capacity=0, max_msg=0, mapped=False, nonblock=False, "
	  "inheritable=False)\n\nAn anonymous channel, like socketpair(): "
	  "(end0, end1)." },
	{ "send", FN(channel_send), KW,
	  "send(data, *, timeout=None)\n\nSend one message (BrokenPipeError "
	  "if the peer closed; OSError EMSGSIZE\nabove max_msg).  Waits for "
	  "room as timeout says." },
	{ "recv", FN(channel_recv), KW,
	  "recv(*, timeout=None) -> bytes\n\nReceive one message; EOFError "
	  "once the peer closed and nothing is left." },
	{ "recv_into", FN(channel_recv_into), KW,
	  "recv_into(buffer, *, timeout=None) -> int\n\nReceive into a "
	  "writable buffer; a message larger than it stays queued\n(OSError "
	  "EMSGSIZE)." },
	{ "call", FN(channel_call), KW,
	  "call(data, *, timeout=None) -> bytes\n\nSend a request and "
	  "receive the reply, within one deadline.  On the\nfast path, one "
	  "kernel entry wakes the peer and waits for the reply." },
	{ "sendv", FN(channel_sendv), KW,
	  "sendv(msgs, *, timeout=None) -> int\n\nSend up to CHAN_MAX_BATCH "
	  "messages in one call; waits only for the\nfirst; returns how many "
	  "were sent." },
	{ "recvv", FN(channel_recvv), KW,
	  "recvv(max_count=64, *, timeout=None) -> list[bytes]\n\nReceive up "
	  "to max_count messages in one call, waiting only for the\nfirst." },
	{ "map", (PyCFunction)channel_map, METH_NOARGS,
	  "map()\n\nUse the fast path: map the rings and send and receive in "
	  "user space,\nentering the kernel only to sleep and to wake.  One "
	  "process maps an end\nat a time (others use the kernel "
	  "transparently); a child after fork\nuses the kernel path." },
	{ "unmap", (PyCFunction)channel_unmap, METH_NOARGS,
	  "unmap()\n\nGo back to the kernel path." },
	{ "set_spin", (PyCFunction)channel_set_spin, METH_O,
	  "set_spin(seconds)\n\nHow long the fast path polls the ring before "
	  "sleeping (0: never)." },
	{ "info", (PyCFunction)channel_info, METH_NOARGS,
	  "info() -> ChannelInfo\n\nSizes, fill and state, seen from this "
	  "end." },
	{ NULL, NULL, 0, NULL }
};

static PyGetSetDef channel_getset[] = {
	{ "mapped", (getter)channel_get_mapped, NULL,
	  "whether the fast path is in use (map())", NULL },
	{ "max_msg", (getter)channel_get_max_msg, NULL,
	  "the largest message this end can send", NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

PyTypeObject kp_ChannelType = {
	KP_TYPE_HEAD("Channel"),
	.tp_doc = "Channel(name=None, mode=0o600, *, create=None, "
		  "access='rw', nonblock=False, inheritable=False, capacity=0, "
		  "max_msg=0, mapped=False)\n\n"
		  "A two-ended channel of whole messages, one bounded ring each "
		  "way\n(capacity bytes, default 256 KiB; max_msg, default 64 "
		  "KiB).  Creating\nit gives end 0; opening the name (create=False, "
		  "or Channel.connect())\ngives end 1, once.  Channel.pair() makes "
		  "an anonymous pair.  mapped=True\n(or map()) uses the fast path. "
		  " The fd is readable while a message\nwaits.",
	.tp_methods = channel_methods,
	.tp_getset = channel_getset,
	.tp_new = channel_new,
};

/* ---- Pipe ------------------------------------------------------------------ */

static PyObject *pipe_new(PyTypeObject *cls, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { KP_COMMON_KW, "capacity", NULL };
	struct kp_common c = KP_COMMON_INIT;
	struct kipc_pipe_attr a;

	memset(&a, 0, sizeof(a));
	if (!PyArg_ParseTupleAndKeywords(args, kw, KP_COMMON_FMT "O&:Pipe",
					 kwlist, KP_COMMON_ARGS("Pipe", c),
					 KP_U32("Pipe", "capacity",
						&a.capacity)))
		return NULL;
	return kp_make(cls, KIPC_TYPE_PIPE, &c, &a, sizeof(a));
}

static PyObject *pipe_pair(PyTypeObject *cls, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "capacity", "nonblock", "inheritable", NULL };
	int nonblock = 0, inheritable = 0, fds[2], err;
	uint32_t capacity = 0;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&$pp:pair", kwlist,
					 KP_U32("pair", "capacity", &capacity),
					 &nonblock, &inheritable))
		return NULL;
	err = kipc_pipe(fds, capacity, (nonblock ? KIPC_FD_NONBLOCK : 0) |
			(inheritable ? KIPC_FD_NOCLOEXEC : 0));
	if (err)
		return kp_error(err);
	return st_pair(cls, fds, 0);
}

/*
 * While a timed read or write runs, the file is O_NONBLOCK: made so by
 * the first (@delta 1) and back by the last (@delta -1), unless the
 * object was made non-blocking.  An untimed call that then finds EAGAIN
 * waits for readiness (p_fn()).  Other processes sharing the open file
 * (by fork) can see the flag meanwhile.
 */
static void pipe_timed(KObj *o, int delta)
{
	int fl;

	if (o->fd < 0 || o->nonblock)
		return;
	if (delta > 0 ? o->timed++ > 0 : --o->timed > 0)
		return;
	fl = fcntl(o->fd, F_GETFL);
	if (fl >= 0)
		fcntl(o->fd, F_SETFL, delta > 0 ? fl | O_NONBLOCK :
						   fl & ~O_NONBLOCK);
}

struct p_op {
	struct kp_op op;
	int write;
	int wait;		/* untimed: wait out EAGAIN (pipe_timed()) */
	void *buf;
	size_t len;
};

static long p_io(const struct p_op *p)
{
	ssize_t r = p->write ? write(p->op.fd, p->buf, p->len) :
			       read(p->op.fd, p->buf, p->len);

	return r < 0 ? -errno : (long)r;
}

/*
 * Wait until the fd is ready, or until @end (CLOCK_MONOTONIC ns; 0:
 * never) has passed: 0, -ETIMEDOUT or -errno.  Never early: a poll that
 * ran out before @end polls again.
 */
static long p_poll(const struct p_op *p, int64_t end)
{
	struct pollfd pfd = { p->op.fd, p->write ? POLLOUT : POLLIN, 0 };
	struct timespec ts, *tsp = NULL;
	int64_t left;
	int r;

	do {
		if (end) {
			left = end - kp_now();
			if (left <= 0)
				return -ETIMEDOUT;
			ts.tv_sec = (time_t)(left / 1000000000);
			ts.tv_nsec = (long)(left % 1000000000);
			tsp = &ts;
		}
		r = ppoll(&pfd, 1, tsp, NULL);
	} while (r == 0);
	return r < 0 ? -errno : 0;
}

/*
 * Read or write as @t says (see kp_fn).  Untimed: the I/O, which blocks.
 * Timed: the I/O, non-blocking (pipe_timed()); while it finds nothing to
 * read or no room, poll with the time left, and try again (another reader
 * or writer may have been first).
 */
static long p_fn(void *arg, int64_t t)
{
	struct p_op *p = arg;
	int64_t end = t > 0 ? kp_now() + t : 0;
	long r;

	for (;;) {
		r = p_io(p);
		if (r != -EAGAIN || t == 0 || (t < 0 && !p->wait))
			return r;
		r = p_poll(p, end);
		if (r)
			return r;
	}
}

/* Read or write @len bytes at @buf as @d says: count, -errno, KP_PYERR. */
static long pipe_io(KObj *o, int wr, void *buf, size_t len,
		    struct kp_deadline *d)
{
	struct p_op p = { .write = wr, .wait = !o->nonblock, .buf = buf,
			  .len = len };
	int timed = d->timeout_ns != KIPC_INFINITE;
	long ret;

	if (timed)
		pipe_timed(o, 1);
	ret = kp_call(o, p_fn, &p.op, d);
	if (timed)
		pipe_timed(o, -1);
	return ret;
}

static PyObject *pipe_read(KObj *o, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "size", "timeout", NULL };
	struct kp_deadline d = KP_FOREVER;
	Py_ssize_t size = 65536;
	PyObject *b;
	long ret;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&$O&:read", kwlist,
					 KP_SIZE("read", "size", &size),
					 KP_TIMEOUT("read", &d)))
		return NULL;
	b = PyBytes_FromStringAndSize(NULL, size);
	if (!b)
		return NULL;
	ret = pipe_io(o, 0, PyBytes_AS_STRING(b), (size_t)size, &d);
	if (ret < 0) {
		Py_DECREF(b);
		return kp_error_pyerr(ret);
	}
	if (_PyBytes_Resize(&b, ret))
		return NULL;
	return b;
}

static PyObject *pipe_readinto(KObj *o, PyObject *args, PyObject *kw)
{
	struct kp_deadline d = KP_FOREVER;
	Py_buffer buf;
	long ret;

	if (!kp_parse_io(args, kw, "readinto", 1, &buf, &d))
		return NULL;
	ret = pipe_io(o, 0, buf.buf, (size_t)buf.len, &d);
	PyBuffer_Release(&buf);
	return kp_long(ret);
}

static PyObject *pipe_write(KObj *o, PyObject *args, PyObject *kw)
{
	struct kp_deadline d = KP_FOREVER;
	Py_buffer buf;
	long ret;

	if (!kp_parse_io(args, kw, "write", 0, &buf, &d))
		return NULL;
	ret = pipe_io(o, 1, buf.buf, (size_t)buf.len, &d);
	PyBuffer_Release(&buf);
	return kp_long(ret);
}

static PyObject *pipe_set_capacity(KObj *o, PyObject *arg)
{
	uint32_t cap;

	if (!kp_conv_u32(arg, &(struct kp_arg){ "set_capacity", NULL, &cap }))
		return NULL;
	return kp_long(KP_QUICK(o, kipc_pipe_set_capacity(o->fd, cap)));
}

static PyObject *pipe_info(KObj *o, PyObject *unused)
{
	struct kipc_pipe_info in;
	long err = KP_QUICK(o, kipc_pipe_info(o->fd, &in));

	(void)unused;
	if (err)
		return kp_error_pyerr(err);
	return kp_record(kp_PipeInfoType, "(IIIIIKK)", in.capacity, in.used,
			 in.readers, in.writers, in.atomic,
			 (unsigned long long)in.read,
			 (unsigned long long)in.written);
}

static PyMethodDef pipe_methods[] = {
	{ "pair", FN(pipe_pair), KW | METH_CLASS,
	  "pair(capacity=0, *, nonblock=False, inheritable=False)\n\nAn "
	  "anonymous pipe, like os.pipe(): (reader, writer)." },
	{ "read", FN(pipe_read), KW,
	  "read(size=65536, *, timeout=None) -> bytes\n\nRead what is there, "
	  "up to size bytes, waiting only while the pipe is\nempty; b'' at "
	  "end of file (empty, and every writer closed)." },
	{ "readinto", FN(pipe_readinto), KW,
	  "readinto(buffer, *, timeout=None) -> int\n\nread() into a "
	  "writable buffer." },
	{ "write", FN(pipe_write), KW,
	  "write(data, *, timeout=None) -> int\n\nWrite and return how many "
	  "bytes were written (all of them when waiting\nforever; up to "
	  "PIPE_BUF bytes are atomic).  BrokenPipeError once every\nreader "
	  "closed." },
	{ "set_capacity", (PyCFunction)pipe_set_capacity, METH_O,
	  "set_capacity(n) -> int\n\nResize the buffer (rounded up to a "
	  "power of two); returns the new size." },
	{ "info", (PyCFunction)pipe_info, METH_NOARGS,
	  "info() -> PipeInfo\n\nCapacity, fill, readers, writers and "
	  "counters." },
	{ NULL, NULL, 0, NULL }
};

PyTypeObject kp_PipeType = {
	KP_TYPE_HEAD("Pipe"),
	.tp_doc = "Pipe(name=None, mode=0o600, *, create=None, access='rw', "
		  "nonblock=False, inheritable=False, capacity=0)\n\n"
		  "A byte stream (a named FIFO when given a name; access 'r' "
		  "for a reader,\n'w' for a writer).  Pipe.pair() makes an "
		  "anonymous (reader, writer).\nOpening never blocks.  While "
		  "a read or write with a timeout other\nthan None runs, the "
		  "file is O_NONBLOCK (seen by other processes that\nshare it "
		  "by fork).",
	.tp_methods = pipe_methods,
	.tp_new = pipe_new,
};

/* ---- Region --------------------------------------------------------------- */

int kp_region_setup(KObj *o)
{
	struct kipc_object_info in;
	uint64_t size = 0;
	int err;

	memset(&in, 0, sizeof(in));
	err = kipc_object_info(o->fd, &in);
	if (!err) {
		o->writable = !!(in.access & KIPC_ACCESS_WRITE) &&
			      !!(in.access & KIPC_ACCESS_READ);
		o->map = kipc_region_map(o->fd, o->writable ?
					 PROT_READ | PROT_WRITE : PROT_READ,
					 &size, &err);
	}
	if (err) {
		o->map = NULL;
		kp_error(err);
		return -1;
	}
	o->size = (Py_ssize_t)size;
	return 0;
}

void kp_region_release(KObj *o)
{
	if (o->map)
		munmap(o->map, (size_t)o->size);
	o->map = NULL;
}

static PyObject *region_new(PyTypeObject *cls, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { KP_COMMON_KW, "size", NULL };
	struct kp_common c = KP_COMMON_INIT;
	struct kipc_region_attr a;
	uint64_t size = 0;

	memset(&a, 0, sizeof(a));
	if (!PyArg_ParseTupleAndKeywords(args, kw, KP_COMMON_FMT "O&:Region",
					 kwlist, KP_COMMON_ARGS("Region", c),
					 KP_U64("Region", "size", &size)))
		return NULL;
	if (!size && c.create != 0 && (c.create == 1 || !c.name)) {
		Py_CLEAR(c.name);
		PyErr_SetString(PyExc_ValueError,
				"creating a region needs size > 0");
		return NULL;
	}
	a.size = size;
	return kp_make(cls, KIPC_TYPE_REGION, &c, &a, sizeof(a));
}

/* The region's bytes, or NULL with ValueError if closed. */
static char *rg_map(KObj *o)
{
	if (o->closed || !o->map) {
		PyErr_SetString(PyExc_ValueError, "I/O operation on closed "
				"kipc.Region");
		return NULL;
	}
	return o->map;
}

static int rg_writable(KObj *o)
{
	if (!o->writable) {
		PyErr_SetString(PyExc_TypeError, "the region is mapped read-only");
		return 0;
	}
	return 1;
}

static int rg_getbuffer(KObj *o, Py_buffer *view, int flags)
{
	if (!rg_map(o))
		return -1;
	if ((flags & PyBUF_WRITABLE) && !o->writable) {
		PyErr_SetString(PyExc_BufferError, "the region is read-only");
		return -1;
	}
	if (PyBuffer_FillInfo(view, (PyObject *)o, o->map, o->size,
			      !o->writable, flags))
		return -1;
	o->exports++;
	return 0;
}

static void rg_releasebuffer(KObj *o, Py_buffer *view)
{
	(void)view;
	o->exports--;
}

static Py_ssize_t rg_length(KObj *o)
{
	if (!rg_map(o))
		return -1;
	return o->size;
}

static PyObject *rg_subscript(KObj *o, PyObject *key)
{
	Py_ssize_t start, stop, step, n, i, j;
	PyObject *b;
	char *p = rg_map(o);

	if (!p)
		return NULL;
	if (PyIndex_Check(key)) {
		i = PyNumber_AsSsize_t(key, PyExc_IndexError);
		if (i == -1 && PyErr_Occurred())
			return NULL;
		if (i < 0)
			i += o->size;
		if (i < 0 || i >= o->size) {
			PyErr_SetString(PyExc_IndexError, "region index out of range");
			return NULL;
		}
		return PyLong_FromLong((unsigned char)p[i]);
	}
	if (!PySlice_Check(key)) {
		PyErr_SetString(PyExc_TypeError, "region indices must be integers "
				"or slices");
		return NULL;
	}
	if (PySlice_Unpack(key, &start, &stop, &step))
		return NULL;
	n = PySlice_AdjustIndices(o->size, &start, &stop, step);
	if (step == 1)
		return PyBytes_FromStringAndSize(p + start, n);
	b = PyBytes_FromStringAndSize(NULL, n);
	if (!b)
		return NULL;
	for (i = 0, j = start; i < n; i++, j += step)
		PyBytes_AS_STRING(b)[i] = p[j];
	return b;
}

static int rg_ass_index(KObj *o, char *p, PyObject *key, PyObject *value)
{
	Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
	long v;

	if (i == -1 && PyErr_Occurred())
		return -1;
	if (i < 0)
		i += o->size;
	if (i < 0 || i >= o->size) {
		PyErr_SetString(PyExc_IndexError, "region index out of range");
		return -1;
	}
	v = PyLong_AsLong(value);
	if (v == -1 && PyErr_Occurred())
		return -1;
	if (v < 0 || v > 255) {
		PyErr_SetString(PyExc_ValueError, "byte must be in range(0, 256)");
		return -1;
	}
	p[i] = (char)v;
	return 0;
}

static int rg_ass_subscript(KObj *o, PyObject *key, PyObject *value)
{
	Py_ssize_t start, stop, step, n, i, j;
	char *p = rg_map(o);
	Py_buffer v;

	if (!p || !rg_writable(o))
		return -1;
	if (!value) {
		PyErr_SetString(PyExc_TypeError, "region bytes cannot be deleted");
		return -1;
	}
	if (PyIndex_Check(key))
		return rg_ass_index(o, p, key, value);
	if (!PySlice_Check(key)) {
		PyErr_SetString(PyExc_TypeError, "region indices must be integers "
				"or slices");
		return -1;
	}
	if (PySlice_Unpack(key, &start, &stop, &step))
		return -1;
	n = PySlice_AdjustIndices(o->size, &start, &stop, step);
	if (PyObject_GetBuffer(value, &v, PyBUF_SIMPLE))
		return -1;
	if (v.len != n) {
		PyBuffer_Release(&v);
		PyErr_SetString(PyExc_IndexError,
				"region slice assignment is wrong size");
		return -1;
	}
	if (step == 1)
		memmove(p + start, v.buf, n);
	else
		for (i = 0, j = start; i < n; i++, j += step)
			p[j] = ((const char *)v.buf)[i];
	PyBuffer_Release(&v);
	return 0;
}

/* "O&" converter (struct kp_arg): an int, or None for -1 (as mmap's). */
static int rg_conv_count(PyObject *obj, void *arg)
{
	const struct kp_arg *a = arg;

	if (obj == Py_None) {
		*(Py_ssize_t *)a->out = -1;
		return 1;
	}
	if (!PyIndex_Check(obj))
		return kp_bad_arg(a, "int or None", obj);
	return kp_conv_ssize(obj, arg);
}

static PyObject *region_read(KObj *o, PyObject *args)
{
	Py_ssize_t n = -1, left;
	PyObject *b;
	char *p = rg_map(o);

	if (!p || !PyArg_ParseTuple(args, "|O&:read",
				    KP_ARG(rg_conv_count, "read", "n", &n)))
		return NULL;
	left = o->pos < o->size ? o->size - o->pos : 0;
	if (n < 0 || n > left)
		n = left;
	b = PyBytes_FromStringAndSize(p + o->pos, n);
	if (b)
		o->pos += n;
	return b;
}

static PyObject *region_write(KObj *o, PyObject *arg)
{
	char *p = rg_map(o);
	Py_buffer v;

	if (!p || !rg_writable(o))
		return NULL;
	if (!kp_conv_buf(arg, &(struct kp_arg){ "write", NULL, &v }))
		return NULL;
	if (o->pos > o->size || v.len > o->size - o->pos) {
		PyBuffer_Release(&v);
		PyErr_SetString(PyExc_ValueError, "data out of range");
		return NULL;
	}
	memmove(p + o->pos, v.buf, v.len);
	o->pos += v.len;
	PyBuffer_Release(&v);
	return PyLong_FromSsize_t(v.len);
}

static PyObject *region_seek(KObj *o, PyObject *args)
{
	Py_ssize_t off, where, whence = 0;

	if (!rg_map(o) ||
	    !PyArg_ParseTuple(args, "O&|O&:seek",
			      KP_ARG(kp_conv_ssize, "seek", "pos", &off),
			      KP_ARG(kp_conv_ssize, "seek", "whence", &whence)))
		return NULL;
	switch (whence) {
	case 0:
		where = off;
		break;
	case 1:
		where = o->pos + off;
		break;
	case 2:
		where = o->size + off;
		break;
	default:
		PyErr_SetString(PyExc_ValueError, "unknown seek type");
		return NULL;
	}
	if (where < 0 || where > o->size) {
		PyErr_SetString(PyExc_ValueError, "seek out of range");
		return NULL;
	}
	o->pos = where;
	return PyLong_FromSsize_t(where);
}

static PyObject *region_tell(KObj *o, PyObject *unused)
{
	(void)unused;
	if (!rg_map(o))
		return NULL;
	return PyLong_FromSsize_t(o->pos);
}

static PyObject *region_info(KObj *o, PyObject *unused)
{
	struct kipc_region_info in;
	long err = KP_QUICK(o, kipc_region_info(o->fd, &in));

	(void)unused;
	if (err)
		return kp_error_pyerr(err);
	return kp_record(kp_RegionInfoType, "(KKK)", (unsigned long long)in.size,
			 (unsigned long long)in.mappings,
			 (unsigned long long)in.resident);
}

static PyObject *region_get_size(KObj *o, void *unused)
{
	(void)unused;
	return PyLong_FromSsize_t(o->size);
}

static PyObject *region_get_readonly(KObj *o, void *unused)
{
	(void)unused;
	return PyBool_FromLong(!o->writable);
}

static PyMethodDef region_methods[] = {
	{ "read", (PyCFunction)region_read, METH_VARARGS,
	  "read(n=None) -> bytes\n\nUp to n bytes (all that is left if None) "
	  "from the position, which\nadvances (as mmap.read())." },
	{ "write", (PyCFunction)region_write, METH_O,
	  "write(data) -> int\n\nWrite data at the position, which advances; "
	  "ValueError past the end." },
	{ "seek", (PyCFunction)region_seek, METH_VARARGS,
	  "seek(pos, whence=0) -> int\n\nMove the position (whence 0: from "
	  "the start, 1: from here, 2: from\nthe end)." },
	{ "tell", (PyCFunction)region_tell, METH_NOARGS,
	  "tell() -> int\n\nThe position." },
	{ "info", (PyCFunction)region_info, METH_NOARGS,
	  "info() -> RegionInfo\n\nSize, mappings and resident bytes." },
	{ NULL, NULL, 0, NULL }
};

static PyGetSetDef region_getset[] = {
	{ "size", (getter)region_get_size, NULL, "bytes (whole pages)", NULL },
	{ "readonly", (getter)region_get_readonly, NULL,
	  "whether this handle maps it read-only", NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

static PyMappingMethods region_as_mapping = {
	.mp_length = (lenfunc)rg_length,
	.mp_subscript = (binaryfunc)rg_subscript,
	.mp_ass_subscript = (objobjargproc)rg_ass_subscript,
};

static PySequenceMethods region_as_sequence = {
	.sq_length = (lenfunc)rg_length,
};

static PyBufferProcs region_as_buffer = {
	.bf_getbuffer = (getbufferproc)rg_getbuffer,
	.bf_releasebuffer = (releasebufferproc)rg_releasebuffer,
};

PyTypeObject kp_RegionType = {
	KP_TYPE_HEAD("Region"),
	.tp_doc = "Region(name=None, mode=0o600, *, create=None, access='rw', "
		  "nonblock=False, inheritable=False, size=0)\n\n"
		  "Shared memory of size bytes (rounded up to pages), mapped "
		  "whole: a\nbuffer (memoryview(region)), indexable and "
		  "sliceable like bytearray, and\nread()/write()/seek()/tell() "
		  "like mmap.  A handle opened with access 'r'\nmaps it "
		  "read-only.  close() refuses while memoryviews of it exist.",
	.tp_methods = region_methods,
	.tp_getset = region_getset,
	.tp_as_mapping = &region_as_mapping,
	.tp_as_sequence = &region_as_sequence,
	.tp_as_buffer = &region_as_buffer,
	.tp_new = region_new,
};
