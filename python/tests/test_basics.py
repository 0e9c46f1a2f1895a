# SPDX-License-Identifier: LGPL-2.1-or-later
"""What every object shares: life, names, errors, arguments, pickling."""
import contextlib
import copy
import errno
import os
import pickle

import pytest

import kipc
from conftest import unique

ALL = [
    (kipc.Event, {}),
    (kipc.Queue, {}),
    (kipc.Channel, {}),
    (kipc.Pipe, {}),
    (kipc.Region, {"size": 4096}),
    (kipc.Semaphore, {}),
    (kipc.Mutex, {}),
    (kipc.Cond, {}),
]
IDS = [c.__name__ for c, _ in ALL]


def test_module():
    v = kipc.version()
    assert v.api_version == kipc.API_VERSION
    assert v.features & kipc.FEATURE_WAIT_MANY
    assert v.types & (1 << kipc.TYPE_COND)
    assert v.max_name_len >= 1
    s = kipc.stats()
    assert isinstance(s, kipc.Stats) and s.objects >= 0
    assert s.created >= s.destroyed
    assert kipc.strerror(errno.ETIMEDOUT) == os.strerror(errno.ETIMEDOUT)
    assert kipc.OwnerDeadError.__module__ == "kipc"
    assert issubclass(kipc.OwnerDeadError, OSError)


@pytest.mark.parametrize("cls,kw", ALL, ids=IDS)
def test_anonymous_life(cls, kw):
    before = kipc.stats().objects
    o = cls(**kw)
    assert isinstance(o, kipc.Object)
    assert kipc.stats().objects == before + 1
    fd = o.fileno()
    assert fd >= 0 and not o.closed
    assert repr(o) == "<kipc.%s fd=%d>" % (cls.__name__, fd)
    info = o.object_info()
    assert info.type == cls.__name__
    assert info.name is None and not info.named and not info.linked
    assert info.uid == os.geteuid() and info.cuid == os.geteuid()
    assert info.mode == 0o600 and info.creator_pid == os.getpid()
    assert o.name is None
    o.close()
    assert o.closed and repr(o) == "<kipc.%s closed>" % cls.__name__
    o.close()
    assert kipc.stats().objects == before
    with pytest.raises(ValueError, match="closed"):
        o.fileno()
    with pytest.raises(ValueError):
        o.object_info()


@pytest.mark.parametrize("cls,kw", ALL, ids=IDS)
def test_named_create_open_unlink(cls, kw, name):
    a = cls.create(name, 0o640, **kw)
    assert a.name == name
    assert repr(a) == "<kipc.%s fd=%d name=%r>" % (cls.__name__, a.fileno(), name)
    with pytest.raises(FileExistsError) as ei:
        cls.create(name, **kw)
    assert ei.value.errno == errno.EEXIST and ei.value.filename == name
    if cls is kipc.Channel:
        b = cls.connect(name)
        assert b.info().end == 1
        with pytest.raises(OSError) as ei:
            cls.open(name)
        assert ei.value.errno == errno.EISCONN
    else:
        b = cls.open(name)
        c = cls(name, **kw)             # open or create: opens
        assert c.object_info().id == a.object_info().id
        c.close()
    assert b.object_info().id == a.object_info().id
    assert b.object_info().mode == 0o640
    cls.unlink(name)
    assert "unlinked" in repr(a)
    assert not a.object_info().linked and a.object_info().named
    with pytest.raises(FileNotFoundError) as ei:
        cls.open(name)
    assert ei.value.errno == errno.ENOENT and ei.value.filename == name
    with pytest.raises(FileNotFoundError):
        cls.unlink(name)
    a.close()
    b.close()


@pytest.mark.parametrize("cls,kw", ALL, ids=IDS)
def test_context_manager_and_pickling(cls, kw):
    with contextlib.closing(cls(**kw)) as o:
        with pytest.raises(TypeError, match="cannot pickle.*from_fd"):
            pickle.dumps(o)
        with pytest.raises(TypeError):
            copy.copy(o)
    assert o.closed
    if cls not in (kipc.Mutex, kipc.Semaphore):
        with cls(**kw) as o:
            assert not o.closed
        assert o.closed
        with pytest.raises(ValueError):
            with o:
                pass


def test_create_variants(name):
    with pytest.raises(FileNotFoundError):
        kipc.Event(name, create=False)
    e = kipc.Event(name, create=True)
    e2 = kipc.Event(name)               # exists: opened
    assert e2.object_info().id == e.object_info().id
    e3 = kipc.Event(name.encode())      # bytes names too
    assert e3.object_info().id == e.object_info().id
    for o in (e, e2, e3):
        o.close()
    with pytest.raises(ValueError):
        kipc.Event.open(None)


def test_bad_arguments():
    with pytest.raises(TypeError):
        kipc.Queue(42)
    with pytest.raises(ValueError):
        kipc.Queue("")
    with pytest.raises(ValueError):
        kipc.Queue("a\0b")
    with pytest.raises(ValueError):
        kipc.Queue(mode=0o1000)
    with pytest.raises(ValueError):
        kipc.Queue(mode=-1)
    with pytest.raises(TypeError):
        kipc.Queue(mode="rw")
    with pytest.raises(ValueError):
        kipc.Queue(access="x")
    with pytest.raises(TypeError):
        kipc.Queue(access=1)
    with pytest.raises(ValueError):
        kipc.Queue(max_msgs=-1)
    with pytest.raises(OverflowError):
        kipc.Queue(max_msgs=1 << 40)
    with pytest.raises(TypeError):
        kipc.Queue(max_msgs=1.5)
    with pytest.raises(TypeError):
        kipc.Queue(bogus=1)
    with pytest.raises(TypeError):
        kipc.Queue(None, 0o600, True)   # create is keyword-only
    with pytest.raises(ValueError):
        kipc.Region(size=-1)
    with pytest.raises(ValueError):
        kipc.Region()
    with pytest.raises(OSError) as ei:
        kipc.Queue(max_msgs=1 << 30)    # above max_queue_msgs
    assert ei.value.errno == errno.EINVAL
    with pytest.raises(OSError) as ei:
        kipc.Event("bad name")          # spaces are not allowed
    assert ei.value.errno == errno.EINVAL
    with pytest.raises(OSError) as ei:
        kipc.Event("x" * 5000)
    assert ei.value.errno == errno.ENAMETOOLONG


def test_timeouts_validated():
    with kipc.Event() as e:
        for bad in (-1, -0.5, float("nan")):
            with pytest.raises(ValueError):
                e.wait(bad)
        with pytest.raises(TypeError):
            e.wait("1")
        with pytest.raises(BlockingIOError):
            e.wait(0)
        with pytest.raises(TimeoutError) as ei:
            e.wait(0.01)
        assert ei.value.errno == errno.ETIMEDOUT


def test_from_fd_and_detach(name):
    q = kipc.Queue.create(name)
    fd = os.dup(q.fileno())
    q2 = kipc.Queue.from_fd(fd)
    assert q2.fileno() == fd and q2.name == name
    q2.close()
    fd = os.dup(q.fileno())
    o = kipc.from_fd(fd)
    assert type(o) is kipc.Queue and o.name == name
    o.close()
    fd = os.dup(q.fileno())
    with pytest.raises(ValueError, match="is a kipc Queue, not a Event"):
        kipc.Event.from_fd(fd)
    os.close(fd)
    with pytest.raises(TypeError):
        kipc.Object.from_fd(q.fileno())
    r, w = os.pipe()
    with pytest.raises(ValueError, match="not a kipc object"):
        kipc.from_fd(r)
    with pytest.raises(ValueError, match="not a kipc object"):
        kipc.Queue.from_fd(r)
    os.close(r)
    os.close(w)
    with pytest.raises(ValueError):
        kipc.from_fd(-1)
    with pytest.raises(TypeError):
        kipc.from_fd("3")
    fd = q.detach()
    assert q.closed
    q3 = kipc.from_fd(fd)
    assert q3.name == name
    q3.close()


def test_reopen(name):
    with kipc.Event.create(name) as e:
        with e.reopen() as e2:
            assert e2.object_info().access == "rw"
            assert e2.object_info().id == e.object_info().id
        with e.reopen(access="r", nonblock=True, inheritable=True) as r:
            assert r.object_info().access == "r"
            assert os.get_inheritable(r.fileno())
            with pytest.raises(OSError) as ei:
                r.signal(1)
            assert ei.value.errno == errno.EBADF
            with pytest.raises(BlockingIOError):
                r.wait()                # non-blocking fd
        assert not os.get_inheritable(e.fileno())


def test_access_modes(name):
    with kipc.Queue.create(name, 0o600):
        with kipc.Queue.open(name, access="w") as w:
            assert w.object_info().access == "w"
            w.send(b"x")
            with pytest.raises(OSError) as ei:
                w.recv(timeout=0)
            assert ei.value.errno == errno.EBADF
        with kipc.Queue.open(name, access="r") as r:
            assert r.recv() == (b"x", 0)


def test_manager(name):
    with kipc.Manager() as ipc:
        q = ipc.manage(kipc.Queue.create(name), unlink=True)
        r, w = kipc.Pipe.pair()
        ipc.manage(r)
        ipc.manage(w)
        q.send(b"m")
    assert q.closed and r.closed and w.closed
    with pytest.raises(FileNotFoundError):
        kipc.Queue.open(name)


def test_unique_names_do_not_collide():
    assert unique() != unique()


# (call, exception, message): every public method names a bad argument
# as CPython's own do.
ARGUMENT_ERRORS = [
    ("ch.send(1)", TypeError,
     "send() argument 'data' must be bytes-like object, not int"),
    ("ch.send(data='text')", TypeError,
     "send() argument 'data' must be bytes-like object, not str"),
    ("ch.send(b'', timeout='1')", TypeError,
     "send() argument 'timeout' must be a number or None, not str"),
    ("ch.send(b'', timeout=-1)", ValueError, "timeout must be non-negative"),
    ("ch.recv(timeout=float('nan'))", ValueError, "timeout must not be NaN"),
    ("ch.recv_into(b'ro')", TypeError,
     "recv_into() argument 'buffer' must be read-write bytes-like object, "
     "not bytes"),
    ("ch.call(None)", TypeError,
     "call() argument 'data' must be bytes-like object, not NoneType"),
    ("ch.sendv(5)", TypeError,
     "sendv() argument 'msgs' must be a sequence of bytes-like objects, "
     "not int"),
    ("ch.sendv([b'a', 5])", TypeError,
     "sendv() argument 'msgs' must hold bytes-like objects only, not int"),
    ("ch.recvv('2')", TypeError,
     "recvv() argument 'max_count' must be int, not str"),
    ("ch.recvv(-1)", ValueError, "max_count must not be negative"),
    ("ch.set_spin('x')", TypeError,
     "set_spin() argument must be a number, not str"),
    ("kipc.Channel.pair(capacity='x')", TypeError,
     "pair() argument 'capacity' must be int, not str"),
    ("kipc.Channel.pair(max_msg=-1)", ValueError,
     "max_msg must not be negative"),
    ("kipc.Channel(5)", TypeError,
     "Channel() argument 'name' must be str, bytes or None, not int"),
    ("kipc.Event(mode='rw')", TypeError,
     "Event() argument 'mode' must be int, not str"),
    ("kipc.Event(mode=0o1000)", ValueError, "mode must be 0 to 0o777"),
    ("kipc.Event(access=1)", TypeError,
     "Event() argument 'access' must be str, not int"),
    ("kipc.Event(value=-1)", ValueError, "value must not be negative"),
    ("kipc.Queue(max_msgs=1.5)", TypeError,
     "Queue() argument 'max_msgs' must be int, not float"),
    ("kipc.Queue(max_msg_size=1 << 40)", OverflowError,
     "max_msg_size must be below 2**32"),
    ("kipc.Semaphore(value='1')", TypeError,
     "Semaphore() argument 'value' must be int, not str"),
    ("kipc.Region(size='1')", TypeError,
     "Region() argument 'size' must be int, not str"),
    ("kipc.Region(size=-1)", ValueError, "size must not be negative"),
    ("kipc.Pipe(capacity=-1)", ValueError, "capacity must not be negative"),
    ("p.read('x')", TypeError, "read() argument 'size' must be int, not str"),
    ("p.read(-1)", ValueError, "size must not be negative"),
    ("p.readinto(b'')", TypeError,
     "readinto() argument 'buffer' must be read-write bytes-like object, "
     "not bytes"),
    ("p.write(3)", TypeError,
     "write() argument 'data' must be bytes-like object, not int"),
    ("p.write_all(3)", TypeError,
     "write_all() argument 'data' must be bytes-like object, not int"),
    ("p.write_all(b'', timeout=-1)", ValueError,
     "timeout must be non-negative"),
    ("p.set_capacity('x')", TypeError,
     "set_capacity() argument must be int, not str"),
    ("q.send(1)", TypeError,
     "send() argument 'data' must be bytes-like object, not int"),
    ("q.send(b'', 'x')", TypeError,
     "send() argument 'priority' must be int, not str"),
    ("q.send(b'', -1)", ValueError, "priority must not be negative"),
    ("q.recv(timeout=-0.5)", ValueError, "timeout must be non-negative"),
    ("q.recv_into(bytes(3))", TypeError,
     "recv_into() argument 'buffer' must be read-write bytes-like object, "
     "not bytes"),
    ("q.notify('x')", TypeError, "notify() argument 'signo' must be int, "
     "not str"),
    ("q.notify(0, -5)", ValueError, "value must not be negative"),
    ("e.signal('x')", TypeError, "signal() argument 'value' must be int, "
     "not str"),
    ("e.wait('x')", TypeError,
     "wait() argument 'timeout' must be a number or None, not str"),
    ("e.wait(-1)", ValueError, "timeout must be non-negative"),
    ("s.post('x')", TypeError, "post() argument 'count' must be int, not str"),
    ("s.wait(-1)", ValueError, "timeout must be non-negative"),
    ("s.acquire(timeout='x')", TypeError,
     "acquire() argument 'timeout' must be a number or None, not str"),
    ("m.lock('x')", TypeError,
     "lock() argument 'timeout' must be a number or None, not str"),
    ("m.acquire(timeout=[])", TypeError,
     "acquire() argument 'timeout' must be a number or None, not list"),
    ("c.wait(1)", TypeError, "wait() argument 'mutex' must be kipc.Mutex, "
     "not int"),
    ("c.wait(m, 'x')", TypeError,
     "wait() argument 'timeout' must be a number or None, not str"),
    ("c.wait_for(m, bool, timeout=-1)", ValueError,
     "timeout must be non-negative"),
    ("rg.read('x')", TypeError, "read() argument 'n' must be int or None, "
     "not str"),
    ("rg.write(1)", TypeError,
     "write() argument must be bytes-like object, not int"),
    ("rg.seek('x')", TypeError, "seek() argument 'pos' must be int, not str"),
    ("rg.seek(0, 'x')", TypeError,
     "seek() argument 'whence' must be int, not str"),
    ("kipc.wait_many(5)", TypeError,
     "wait_many() argument 'objs' must be a sequence of kipc objects, "
     "not int"),
    ("kipc.wait_many([e, 1])", TypeError,
     "wait_many() argument 'objs' must hold kipc objects only, not int"),
    ("kipc.wait_many([])", ValueError, "objs must hold 1 to 1024 objects"),
    ("kipc.wait_many([e], timeout=-1)", ValueError,
     "timeout must be non-negative"),
    ("kipc.strerror('x')", TypeError, "strerror() argument must be int, "
     "not str"),
    ("kipc.from_fd('x')", TypeError, "from_fd() argument must be an int or "
     "an object with fileno(), not str"),
    ("kipc.Event.from_fd(1.5)", TypeError, "from_fd() argument must be an "
     "int or an object with fileno(), not float"),
    ("kipc.Event.unlink(None)", TypeError,
     "unlink() argument must be str or bytes, not NoneType"),
    ("e.reopen(access=3)", TypeError,
     "reopen() argument 'access' must be str, not int"),
]


@pytest.mark.parametrize("call,exc,message", ARGUMENT_ERRORS,
                         ids=[c for c, _, _ in ARGUMENT_ERRORS])
def test_argument_errors_name_the_argument(call, exc, message):
    ch, peer = kipc.Channel.pair()
    p, pw = kipc.Pipe.pair()
    objs = dict(ch=ch, p=p, q=kipc.Queue(), e=kipc.Event(),
                s=kipc.Semaphore(), m=kipc.Mutex(), c=kipc.Cond(),
                rg=kipc.Region(size=4096), kipc=kipc)
    try:
        with pytest.raises(exc) as ei:
            eval(call, {}, objs)
        assert str(ei.value) == message
    finally:
        for o in list(objs.values()) + [peer, pw]:
            if o is not kipc:
                o.close()
