# SPDX-License-Identifier: LGPL-2.1-or-later
"""Children (fork, multiprocessing, fd passing), permissions, threads
progressing while another blocks, and signals during blocking calls."""
import multiprocessing
import os
import signal
import socket
import threading
import time

import pytest

import kipc
from conftest import SLOW, in_child, reap, spawn_child

NOBODY = 65534


def test_fork_inherits_objects():
    q = kipc.Queue()
    a, b = kipc.Channel.pair()
    with q, a, b:
        def child():
            msg, prio = q.recv(timeout=SLOW)
            b.send(msg + b"!")
        pid = spawn_child(child)
        q.send(b"hi", 3)
        assert a.recv(timeout=SLOW) == b"hi!"
        assert reap(pid) == 0


def _mp_worker(q, ev):
    msg, _ = q.recv(timeout=SLOW)
    ev.signal(len(msg))


def test_multiprocessing_fork():
    ctx = multiprocessing.get_context("fork")
    q, ev = kipc.Queue(), kipc.Event()
    with q, ev:
        p = ctx.Process(target=_mp_worker, args=(q, ev))
        p.start()
        q.send(b"12345")
        assert ev.wait(SLOW) == 5
        p.join(SLOW)
        assert p.exitcode == 0


def test_multiprocessing_spawn_refuses_pickling():
    with kipc.Queue() as q:
        with pytest.raises(TypeError, match="cannot pickle"):
            multiprocessing.reduction.ForkingPickler.dumps(q)


def test_fd_passing():
    s1, s2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with s1, s2, kipc.Event() as ev:
        def child():
            s1.close()
            msg, fds, _, _ = socket.recv_fds(s2, 16, 1)
            with kipc.from_fd(fds[0]) as got:
                assert msg == b"event"
                got.signal(99)
        pid = spawn_child(child)
        socket.send_fds(s1, [b"event"], [ev.fileno()])
        assert ev.wait(SLOW) == 99
        assert reap(pid) == 0


def _drop_root():
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def test_permission_errors(name):
    ev = kipc.Event.create(name, 0o600)
    pub = kipc.Event.create(name + ".pub", 0o644)
    try:
        def child_by_name():
            _drop_root()
            with pytest.raises(PermissionError):
                kipc.Event.open(name)
            with pytest.raises(PermissionError):
                kipc.Event.unlink(name)
            with pytest.raises(PermissionError):
                kipc.Event.open(name + ".pub")
            with kipc.Event.open(name + ".pub", access="r") as r:
                assert r.object_info().access == "r"
            with pytest.raises(PermissionError):
                kipc.Event.open(name + ".pub", access="w")
            with kipc.Event() as mine:              # own objects are fine
                assert mine.object_info().uid == NOBODY
        assert in_child(child_by_name) == 0
    finally:
        ev.close()
        pub.close()
        kipc.Event.unlink(name + ".pub")


def test_threads_progress_while_one_blocks():
    with kipc.Queue() as q:
        got = []
        t = threading.Thread(target=lambda: got.append(q.recv(timeout=SLOW)))
        t.start()
        # The GIL is free while t waits: this thread keeps computing.
        n, end = 0, time.monotonic() + 0.2
        while time.monotonic() < end:
            n += 1
        assert n > 1000 and t.is_alive()
        q.send(b"go")
        t.join(SLOW)
        assert got == [(b"go", 0)]


def test_close_while_another_thread_waits():
    ev = kipc.Event()
    twin = ev.reopen()
    got = []
    t = threading.Thread(target=lambda: got.append(ev.wait(SLOW)))
    t.start()
    time.sleep(0.05)
    ev.close()                          # deferred: the waiter keeps the fd
    assert ev.closed
    twin.signal(4)
    t.join(SLOW)
    assert got == [4]
    twin.close()


class Alarm(Exception):
    pass


@pytest.fixture
def alarm():
    """Arm SIGALRM with a handler; disarm and restore afterwards."""
    old = signal.getsignal(signal.SIGALRM)

    def arm(handler, after, interval=0.0):
        signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, after, interval)

    yield arm
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, old)


def test_signal_handler_then_wait_resumes(alarm):
    """PEP 475: a handler that returns lets the wait go on."""
    calls = []
    with kipc.Event() as ev:
        alarm(lambda s, f: calls.append(s), 0.05, 0.05)
        helper = threading.Timer(0.5, ev.signal, args=(11,))
        helper.start()
        assert ev.wait(SLOW) == 11
        helper.join()
    assert len(calls) >= 1


@pytest.mark.parametrize("what", ["event", "queue", "sem", "mutex", "channel",
                                  "ring", "pipe", "wait_many"])
def test_raising_handler_interrupts(alarm, what):
    """A handler that raises ends the wait with its exception; nothing is
    taken."""
    def handler(s, f):
        raise Alarm()
    objs = []
    if what == "event":
        o = kipc.Event()
        call = o.wait
    elif what == "queue":
        o = kipc.Queue()
        call = o.recv
    elif what == "sem":
        o = kipc.Semaphore()
        call = o.wait
    elif what == "mutex":
        o = kipc.Mutex()
        pid = spawn_child(lambda: (o.lock(), time.sleep(SLOW)))
        while not o.locked():
            time.sleep(0.01)
        objs.append(pid)
        call = o.lock
    elif what in ("channel", "ring"):
        o, peer = kipc.Channel.pair(mapped=what == "ring")
        objs.append(peer)
        call = o.recv
    elif what == "pipe":
        o, peer = kipc.Pipe.pair()
        objs.append(peer)
        call = o.read
    else:
        o = kipc.Event()
        call = lambda: kipc.wait_many([o])
    try:
        t0 = time.monotonic()
        with pytest.raises(Alarm):
            # Armed inside: on a slow VM it may fire before call() starts.
            alarm(handler, 0.05)
            call()
        assert time.monotonic() - t0 < SLOW
    finally:
        for x in objs:
            if isinstance(x, int):
                os.kill(x, signal.SIGKILL)
                reap(x)
            else:
                x.close()
        o.close()


def test_timeout_not_extended_by_signals(alarm):
    with kipc.Queue() as q:
        alarm(lambda s, f: None, 0.02, 0.02)
        t0 = time.monotonic()
        with pytest.raises(TimeoutError):
            q.recv(timeout=0.3)
        assert 0.3 <= time.monotonic() - t0 < SLOW


def test_cond_wait_signal_handler(alarm):
    m, c = kipc.Mutex(), kipc.Cond()
    try:
        alarm(lambda s, f: None, 0.05)
        with m:
            c.wait(m, SLOW)             # returns early: a spurious wakeup
            assert m.info().owner_pid == os.getpid()
        alarm(lambda s, f: (_ for _ in ()).throw(Alarm()), 0.05)
        with m:
            with pytest.raises(Alarm):
                c.wait(m, SLOW)
            assert m.info().owner_pid == os.getpid()
    finally:
        m.close()
        c.close()


def test_keyboard_interrupt():
    with kipc.Event() as ev:
        killer = threading.Timer(0.1, os.kill, args=(os.getpid(), signal.SIGINT))
        killer.start()
        with pytest.raises(KeyboardInterrupt):
            ev.wait(SLOW)
        killer.join()
        assert ev.trywait() is None


def test_notify_ready_and_signal_holders():
    """kipc_notify() and kipc_signal_holders() from Python."""
    sig = signal.SIGRTMIN + 7
    assert kipc.version().features & kipc.FEATURE_NOTIFY
    old = signal.pthread_sigmask(signal.SIG_BLOCK, [sig])
    try:
        with kipc.Event() as ev:
            ev.notify_ready(sig, 5, persist=True)
            for _ in range(2):
                ev.signal(1)
                info = signal.sigtimedwait([sig], 1)
                assert info is not None and info.si_signo == sig
                ev.wait(timeout=0)
            ev.notify_ready(0)
            ev.signal(1)
            assert signal.sigtimedwait([sig], 0) is None
            with pytest.raises(FileNotFoundError):
                ev.notify_ready(0)
            # This process is the only holder.
            assert ev.signal_holders(sig, 9) == (1, 0)
            assert signal.sigtimedwait([sig], 1).si_signo == sig
            with kipc.Region(size=4096) as reg, pytest.raises(OSError):
                reg.notify_ready(sig)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
