# SPDX-License-Identifier: LGPL-2.1-or-later
"""kipc: IPC objects of the kipc kernel module (/dev/kipc) for Python.

Every object is a file descriptor: events, message queues, channels,
pipes, shared regions, semaphores, robust mutexes and condition
variables.  Each class takes the same first arguments::

    Cls(name=None, mode=0o600, *, create=None, access="rw",
        nonblock=False, inheritable=False, **type_attributes)

``name=None`` makes an anonymous object (shared by fork or fd passing).
With a name, ``create=None`` opens it or creates it, ``create=True``
creates it (FileExistsError if the name is taken) and ``create=False``
opens it (FileNotFoundError); ``Cls.create(name, ...)`` and
``Cls.open(name, ...)`` say the same.  ``Cls.unlink(name)`` removes a name.

Objects are context managers that close at the end of a ``with`` block,
except Mutex and Semaphore, whose ``with`` locks and unlocks as
threading's do (close those with ``contextlib.closing``).

Errors are OSError subclasses with errno set: FileExistsError,
FileNotFoundError, PermissionError, TimeoutError (a timeout ran out),
BlockingIOError (timeout=0 and the call would block), BrokenPipeError
(the peer is gone), and OwnerDeadError (a mutex's owner died; the mutex
is held).  Timeouts are seconds as floats: None waits forever, 0 tries
once.  Blocking calls release the GIL; signal handlers run during them
and the wait resumes with the time left (PEP 475), so Ctrl-C interrupts
a wait with KeyboardInterrupt.

Objects cannot be pickled.  A child gets them by inheritance: os.fork(),
or multiprocessing with the "fork" start method (pass the objects as
Process arguments).  Any process can get one as an fd over a UNIX
socket: ``socket.send_fds(sock, [b"q"], [q.fileno()])`` on one side,
``kipc.from_fd(socket.recv_fds(sock, 1, 1)[1][0])`` on the other.
"""

import contextlib as _contextlib
import time as _time

from . import _kipc
from ._kipc import (  # noqa: F401  (re-exported)
    API_VERSION, CHAN_DEFAULT_CAPACITY, CHAN_DEFAULT_MAX_MSG, CHAN_MAX_BATCH,
    FEATURE_IPCNS, FEATURE_NAMED, FEATURE_NETLINK, FEATURE_NOTIFY,
    FEATURE_OBJ_INFO,
    FEATURE_REOPEN,
    FEATURE_SEM_RW, FEATURE_STATS, FEATURE_WAIT_MANY, MUTEX_STATE_NOTRECOVERABLE,
    MUTEX_STATE_OK, MUTEX_STATE_OWNERDEAD, PIPE_BUF, PIPE_DEFAULT_CAPACITY,
    QUEUE_PRIO_MAX, SEM_VALUE_MAX, TYPE_CHANNEL, TYPE_COND, TYPE_EVENT,
    TYPE_MUTEX, TYPE_PIPE, TYPE_QUEUE, TYPE_REGION, TYPE_SEMAPHORE,
    ChannelInfo, EventInfo, Object, ObjectInfo, OwnerDeadError, MutexInfo,
    PipeInfo, QueueInfo, RegionInfo, SemaphoreInfo, Stats, Version,
    WaitResult, stats, strerror, version, wait_many,
)


def _async():
    """kipc._aio, imported on first use: it imports asyncio, which costs
    more than the rest of the package together to load, and most users
    of kipc never await."""
    from . import _aio as aio
    return aio


__version__ = "0.1.0"

__all__ = [
    "Event", "Queue", "Channel", "Pipe", "Region", "Semaphore", "Mutex",
    "Cond", "Object", "Manager", "OwnerDeadError", "from_fd", "wait_many",
    "wait_many_async", "stats", "version", "strerror", "ObjectInfo",
    "EventInfo", "QueueInfo", "ChannelInfo", "PipeInfo", "RegionInfo",
    "SemaphoreInfo", "MutexInfo", "Stats", "Version", "WaitResult",
]


class _Named:
    """create() and open() shorthands, shared by every class."""

    __slots__ = ()

    @classmethod
    def create(cls, name=None, mode=0o600, **kwargs):
        """Create an object (exclusively, if named): FileExistsError if the
        name is taken.  Keyword arguments as for the class."""
        return cls(name, mode, create=True, **kwargs)

    @classmethod
    def open(cls, name, **kwargs):
        """Open an existing named object: FileNotFoundError if there is
        none, PermissionError if its mode refuses the access asked for."""
        return cls(name, create=False, **kwargs)

    @property
    def name(self):
        """The object's name (str), or None if anonymous."""
        return self.object_info().name


class Event(_Named, _kipc.Event):
    __doc__ = _kipc.Event.__doc__
    __slots__ = ()

    async def wait_async(self):
        """Wait for the event in the running asyncio loop; return the
        signal's value (an auto-reset event is consumed)."""
        return await _async().retry(self, lambda: self.wait(timeout=0))

    def is_set(self):
        """Whether the event is set now (without consuming it)."""
        return self.info().set


class Queue(_Named, _kipc.Queue):
    __doc__ = _kipc.Queue.__doc__
    __slots__ = ()

    def receive(self, *, timeout=None):
        """recv(): (message, priority)."""
        return self.recv(timeout=timeout)

    async def recv_async(self):
        """recv() in the running asyncio loop: (message, priority)."""
        return await _async().retry(self, lambda: self.recv(timeout=0))

    async def send_async(self, data, priority=0):
        """send() in the running asyncio loop, waiting for room."""
        return await _async().retry(
            self, lambda: self.send(data, priority, timeout=0), True)


class Channel(_Named, _kipc.Channel):
    __doc__ = _kipc.Channel.__doc__
    __slots__ = ()

    @classmethod
    def connect(cls, name, **kwargs):
        """Open end 1 of a named channel (once: OSError EISCONN after)."""
        return cls(name, create=False, **kwargs)

    def __iter__(self):
        """Messages until the peer closes (end of channel)."""
        while True:
            try:
                yield self.recv()
            except EOFError:
                return

    async def recv_async(self):
        """recv() in the running asyncio loop (EOFError at the end)."""
        return await _async().retry(self, lambda: self.recv(timeout=0))

    async def send_async(self, data):
        """send() in the running asyncio loop, waiting for room."""
        return await _async().retry(
            self, lambda: self.send(data, timeout=0), True)

    async def call_async(self, data):
        """send_async() then recv_async()."""
        await self.send_async(data)
        return await self.recv_async()


class Pipe(_Named, _kipc.Pipe):
    __doc__ = _kipc.Pipe.__doc__
    __slots__ = ()

    def write_all(self, data, *, timeout=None):
        """Write all of data, waiting as timeout says overall
        (TimeoutError when it runs out, with some of data written)."""
        view = _bytes_view("write_all", data)
        end = _deadline("write_all", timeout)
        while view:
            view = view[self.write(view, timeout=_left(end)):]

    async def read_async(self, size=65536):
        """read() in the running asyncio loop (b'' at end of file)."""
        return await _async().retry(self, lambda: self.read(size, timeout=0))

    async def write_async(self, data):
        """write() in the running asyncio loop; returns the count written."""
        return await _async().retry(
            self, lambda: self.write(data, timeout=0), True)


class Region(_Named, _kipc.Region):
    __doc__ = _kipc.Region.__doc__
    __slots__ = ()


class Semaphore(_Named, _kipc.Semaphore):
    __doc__ = _kipc.Semaphore.__doc__
    __slots__ = ()

    @property
    def value(self):
        """The value now."""
        return self.info().value

    async def wait_async(self, *, undo=False):
        """wait() in the running asyncio loop."""
        return await _async().retry(self, lambda: self.wait(0, undo=undo))

    acquire_async = wait_async


class Mutex(_Named, _kipc.Mutex):
    __doc__ = _kipc.Mutex.__doc__
    __slots__ = ()

    async def lock_async(self):
        """lock() in the running asyncio loop (the loop's thread owns it).
        OwnerDeadError as lock()."""
        return await _async().retry(self, lambda: self.lock(0))

    acquire_async = lock_async


class Cond(_Named, _kipc.Cond):
    __doc__ = _kipc.Cond.__doc__
    __slots__ = ()

    notify = _kipc.Cond.signal
    notify_all = _kipc.Cond.broadcast

    def wait_for(self, mutex, predicate, timeout=None):
        """Wait until predicate() is true, as threading.Condition.wait_for():
        mutex must be held; return the last value of predicate()."""
        end = _deadline("wait_for", timeout)
        result = predicate()
        while not result:
            if end is None:
                self.wait(mutex)
            else:
                try:
                    self.wait(mutex, _left(end))
                except TimeoutError:
                    return predicate()
            result = predicate()
        return result


_CLASSES = {
    TYPE_EVENT: Event, TYPE_QUEUE: Queue, TYPE_CHANNEL: Channel,
    TYPE_PIPE: Pipe, TYPE_REGION: Region, TYPE_SEMAPHORE: Semaphore,
    TYPE_MUTEX: Mutex, TYPE_COND: Cond,
}


def from_fd(fd):
    """Wrap an fd of any kipc object (inherited, or received with
    socket.recv_fds()) in the object of its class, which owns it from now
    on.  ValueError if fd is not a kipc object."""
    return _CLASSES[_kipc.fd_type(fd)].from_fd(fd)


async def wait_many_async(objs, all=False):
    """wait_many() in the running asyncio loop, on the objects' readiness:
    it tries a non-blocking wait_many() whenever an object it waits for
    polls ready (with all=True, one that was not ready yet), until it
    succeeds.  Use asyncio.wait_for() for a timeout."""
    try:
        objs = list(objs)
    except TypeError:
        raise TypeError("wait_many_async() argument 'objs' must be a "
                        "sequence of kipc objects, not %s"
                        % type(objs).__name__) from None
    for o in objs:
        if not isinstance(o, Object):
            raise TypeError("wait_many_async() argument 'objs' must hold "
                            "kipc objects only, not %s" % type(o).__name__)
    return await _async().wait_many(objs, all)


def _bytes_view(fn, data):
    """data as a memoryview of bytes, or TypeError naming the argument."""
    try:
        return memoryview(data).cast("B")
    except TypeError:
        raise TypeError("%s() argument 'data' must be bytes-like object, "
                        "not %s" % (fn, type(data).__name__)) from None


def _deadline(fn, timeout):
    """The time.monotonic() at which timeout (seconds, or None: never)
    runs out, checked as the C methods check it."""
    if timeout is None:
        return None
    if not isinstance(timeout, (int, float)):
        raise TypeError("%s() argument 'timeout' must be a number or None, "
                        "not %s" % (fn, type(timeout).__name__))
    if timeout != timeout:
        raise ValueError("timeout must not be NaN")
    if timeout < 0:
        raise ValueError("timeout must be non-negative")
    return _time.monotonic() + timeout


def _left(end):
    """The timeout for the next call: the time left before end (None:
    forever), at least 1 ns, so that a wait that has run out raises
    TimeoutError rather than trying once."""
    if end is None:
        return None
    return max(end - _time.monotonic(), 1e-9)


class Manager(_contextlib.ExitStack):
    """Closes (and, if asked, unlinks) the objects it manages at exit::

        with kipc.Manager() as ipc:
            q = ipc.manage(kipc.Queue.create("jobs"), unlink=True)
    """

    def manage(self, obj, *, unlink=False):
        """Close obj at exit (unlinking its name first if unlink=True);
        return obj."""
        if unlink:
            name = obj.name
            if name is not None:
                self.callback(_unlink_quietly, type(obj), name)
        self.callback(obj.close)
        return obj


def _unlink_quietly(cls, name):
    try:
        cls.unlink(name)
    except FileNotFoundError:
        pass
