# SPDX-License-Identifier: LGPL-2.1-or-later
"""Semaphores, robust mutexes, condition variables, waiting for many."""
import contextlib
import errno
import os
import threading

import pytest

import kipc
from conftest import SLOW, in_child


def test_semaphore():
    with contextlib.closing(kipc.Semaphore(value=2, max=3)) as s:
        assert s.value == 2
        s.wait()
        assert s.trywait() and not s.trywait()
        with pytest.raises(BlockingIOError):
            s.wait(0)
        with pytest.raises(TimeoutError):
            s.wait(0.01)
        assert not s.acquire(blocking=False)
        assert not s.acquire(timeout=0.01)
        with pytest.raises(ValueError):
            s.acquire(False, 1)
        s.post(3)
        with pytest.raises(OSError) as ei:
            s.post()
        assert ei.value.errno == errno.EOVERFLOW
        assert s.value == 3
        with pytest.raises(ValueError):
            s.post(0)
        with pytest.raises(ValueError):
            s.post(-1)
        assert s.acquire()
        s.release()
        with s:
            assert s.value == 2
        assert s.value == 3
        info = s.info()
        assert info.max == 3 and info.value == 3 and info.waiters == 0


def test_semaphore_undo():
    with contextlib.closing(kipc.Semaphore(value=1)) as s:
        def child():
            s.wait(undo=True)
            assert s.value == 0
        assert in_child(child) == 0
        assert s.value == 1             # given back when the child exited


def test_semaphore_threads():
    with contextlib.closing(kipc.Semaphore()) as s:
        done = []
        threads = [threading.Thread(target=lambda: done.append(s.wait(SLOW)))
                   for _ in range(3)]
        for t in threads:
            t.start()
        s.post(3)
        for t in threads:
            t.join(SLOW)
        assert len(done) == 3


def test_mutex_basics():
    with contextlib.closing(kipc.Mutex()) as m:
        assert not m.locked()
        m.lock()
        assert m.locked()
        info = m.info()
        assert info.owner_pid == os.getpid() and info.depth == 1
        assert info.state == kipc.MUTEX_STATE_OK and not info.recursive
        with pytest.raises(OSError) as ei:
            m.lock()
        assert ei.value.errno == errno.EDEADLK
        other = []

        def try_other():
            other.append(m.trylock())
            other.append(m.acquire(timeout=0.01))
            try:
                m.lock(0)
            except BlockingIOError as e:
                other.append(e.errno)
            try:
                m.unlock()
            except PermissionError as e:
                other.append(e.errno)
        t = threading.Thread(target=try_other)
        t.start()
        t.join(SLOW)
        assert other == [False, False, errno.EBUSY, errno.EPERM]
        m.unlock()
        with pytest.raises(PermissionError):
            m.unlock()
        with m:
            assert m.locked()
        assert not m.locked()
        assert m.acquire(blocking=False)
        m.release()
        with pytest.raises(ValueError):
            m.acquire(False, 1)
        assert m.acquire(True, -1)
        m.release()


def test_mutex_recursive():
    with contextlib.closing(kipc.Mutex(recursive=True)) as m:
        with m:
            with m:
                assert m.info().depth == 2 and m.info().recursive
            assert m.info().depth == 1
        assert not m.locked()


def test_mutex_owner_dead():
    with contextlib.closing(kipc.Mutex()) as m:
        def child():
            m.lock()
            os._exit(0)                 # dies holding it
        in_child(child)
        with pytest.raises(kipc.OwnerDeadError) as ei:
            m.lock(SLOW)
        assert ei.value.errno == errno.EOWNERDEAD
        assert m.info().owner_pid == os.getpid()    # held by us
        assert m.info().state == kipc.MUTEX_STATE_OWNERDEAD
        m.consistent()
        m.unlock()
        with pytest.raises(OSError) as ei:
            m.consistent()
        assert ei.value.errno in (errno.EINVAL, errno.EPERM)
        with m:
            pass
        # Unlocking without consistent(): not recoverable for everyone.
        in_child(child)
        with pytest.raises(kipc.OwnerDeadError):
            m.lock(SLOW)
        m.unlock()
        with pytest.raises(OSError) as ei:
            m.lock(SLOW)
        assert ei.value.errno == errno.ENOTRECOVERABLE


def test_mutex_across_processes(name):
    m = kipc.Mutex.create(name)
    ev = kipc.Event.create(name)
    with contextlib.closing(m), ev:
        m.lock()

        def child():
            with contextlib.closing(kipc.Mutex.open(name)) as cm:
                ev.signal(1)
                cm.lock(SLOW)
                cm.unlock()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                child()
            except BaseException:
                code = 1
            os._exit(code)
        ev.wait(SLOW)
        m.unlock()
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0


def test_cond():
    m = kipc.Mutex()
    c = kipc.Cond()
    with contextlib.closing(m), c:
        state = {"n": 0}
        with m:
            with pytest.raises(TimeoutError):
                c.wait(m, 0.01)
            assert m.info().owner_pid == os.getpid()    # held again
        with pytest.raises(OSError) as ei:
            c.wait(m, 0.01)             # not held
        assert ei.value.errno == errno.EPERM
        with pytest.raises(TypeError):
            c.wait(kipc.Event(), 1)

        def waiter():
            with m:
                assert c.wait_for(m, lambda: state["n"] >= 2, SLOW)

        threads = [threading.Thread(target=waiter) for _ in range(2)]
        for t in threads:
            t.start()
        for _ in range(2):
            with m:
                state["n"] += 1
                c.broadcast()
        for t in threads:
            t.join(SLOW)
            assert not t.is_alive()
        assert c.signal() == 0 and c.notify_all() == 0
        with m:
            assert not c.wait_for(m, lambda: False, 0.01)


def test_wait_many_any_all():
    e1, e2 = kipc.Event(), kipc.Event()
    s = kipc.Semaphore(value=1)
    m = kipc.Mutex()
    q = kipc.Queue()
    with e1, e2, contextlib.closing(s), contextlib.closing(m), q:
        e2.signal(7)
        r = kipc.wait_many([e1, e2, s])
        assert r.index == 1 and r.ready == (False, True, False)
        assert r.values[1] == 7 and not e2.is_set()      # consumed
        r = kipc.wait_many((e1, e2, s), timeout=0)
        assert r.index == 2 and s.value == 0
        with pytest.raises(BlockingIOError):
            kipc.wait_many([e1, e2, s], timeout=0)
        with pytest.raises(TimeoutError):
            kipc.wait_many([e1, e2, s], timeout=0.01)
        e1.signal(1)
        s.post()
        with pytest.raises(BlockingIOError):
            kipc.wait_many([e1, e2, s], all=True, timeout=0)
        assert e1.is_set() and s.value == 1              # nothing taken
        e2.signal(2)
        r = kipc.wait_many([e1, e2, s, m], True, SLOW)
        assert r.ready == (True, True, True, True) and r.values[:2] == (1, 2)
        assert m.info().owner_pid == os.getpid()
        with pytest.raises(OSError) as ei:
            kipc.wait_many([e1, m], timeout=0)
        assert ei.value.errno == errno.EDEADLK and ei.value.index == 1
        m.unlock()
        q.send(b"x")
        r = kipc.wait_many([e1, q])
        assert r.index == 1 and q.recv() == (b"x", 0)    # found, not taken


def test_wait_many_bad_input():
    with kipc.Event() as e, kipc.Region(size=4096) as rg:
        with pytest.raises(ValueError):
            kipc.wait_many([])
        with pytest.raises(TypeError):
            kipc.wait_many([e, 3])
        with pytest.raises(TypeError):
            kipc.wait_many(e)
        with pytest.raises(OSError) as ei:
            kipc.wait_many([e, e], timeout=0)           # same object twice
        assert ei.value.errno == errno.EINVAL
        with pytest.raises(OSError) as ei:
            kipc.wait_many([rg], timeout=0)
        assert ei.value.errno == errno.EINVAL
        closed = kipc.Event()
        closed.close()
        with pytest.raises(ValueError):
            kipc.wait_many([e, closed])


def test_wait_many_owner_dead():
    with contextlib.closing(kipc.Mutex()) as m, kipc.Event() as e:
        def child():
            m.lock()
            os._exit(0)
        in_child(child)
        e.signal(3)
        with pytest.raises(kipc.OwnerDeadError) as ei:
            kipc.wait_many([e, m], all=True, timeout=SLOW)
        assert ei.value.index == 1
        assert ei.value.result.ready == (True, True)
        assert ei.value.result.values[0] == 3
        m.consistent()
        m.unlock()
