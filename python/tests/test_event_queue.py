# SPDX-License-Identifier: LGPL-2.1-or-later
"""Events and message queues."""
import errno
import select
import selectors
import signal
import threading

import pytest

import kipc
from conftest import SLOW


def test_event_auto_reset():
    with kipc.Event() as e:
        assert not e.is_set() and e.trywait() is None
        e.signal(42)
        assert e.is_set()
        info = e.info()
        assert info.set and not info.manual_reset and info.value == 42
        assert e.wait() == 42
        assert not e.is_set()
        e.signal()
        assert e.trywait() == 0
        assert e.trywait() is None
        e.signal(2**64 - 1)
        assert e.wait(0) == 2**64 - 1
        with pytest.raises(OverflowError):
            e.signal(2**64)
        with pytest.raises(ValueError):
            e.signal(-1)
        assert e.info().signals == 3


def test_event_manual_reset_and_initial_state():
    with kipc.Event(manual_reset=True, set=True, value=9) as e:
        assert e.info().manual_reset
        assert e.wait() == 9 and e.wait(0) == 9     # stays set
        e.reset()
        with pytest.raises(BlockingIOError) as ei:
            e.wait(0)
        assert ei.value.errno == errno.EAGAIN
        with pytest.raises(TimeoutError):
            e.wait(0.01)


def test_event_poll():
    with kipc.Event() as e:
        assert select.select([e], [], [], 0)[0] == []
        e.signal(1)
        assert select.select([e], [], [], 0)[0] == [e]
        with selectors.DefaultSelector() as sel:
            sel.register(e, selectors.EVENT_READ)
            assert [k.fileobj for k, _ in sel.select(0)] == [e]
        e.wait()


def test_event_wakes_thread():
    with kipc.Event() as e:
        got = []
        t = threading.Thread(target=lambda: got.append(e.wait(SLOW)))
        t.start()
        e.signal(5)
        t.join(SLOW)
        assert got == [5]


def test_queue_send_recv_priorities():
    with kipc.Queue(max_msgs=8, max_msg_size=64) as q:
        assert q.max_msg_size == 64
        q.send(b"low")
        q.send(bytearray(b"high"), priority=kipc.QUEUE_PRIO_MAX)
        q.send(memoryview(b"mid-xx")[:3], 5)
        q.send(b"")
        info = q.info()
        assert (info.max_msgs, info.max_msg_size, info.msgs) == (8, 64, 4)
        assert info.bytes == 10
        assert q.recv() == (b"high", kipc.QUEUE_PRIO_MAX)
        assert q.recv(timeout=1) == (b"mid", 5)
        assert q.receive() == (b"low", 0)
        assert q.recv() == (b"", 0)
        assert q.info().received == 4
        with pytest.raises(BlockingIOError):
            q.recv(timeout=0)
        with pytest.raises(TimeoutError):
            q.recv(timeout=0.01)


def test_queue_errors_lose_nothing():
    with kipc.Queue(max_msgs=1, max_msg_size=16) as q:
        with pytest.raises(OSError) as ei:
            q.send(b"x" * 17)
        assert ei.value.errno == errno.EMSGSIZE
        with pytest.raises(OSError) as ei:
            q.send(b"x", priority=kipc.QUEUE_PRIO_MAX + 1)
        assert ei.value.errno == errno.EINVAL
        with pytest.raises(ValueError):
            q.send(b"x", priority=-1)
        with pytest.raises(TypeError):
            q.send("text")
        with pytest.raises(TypeError):
            q.send(None)
        q.send(b"0123456789")
        with pytest.raises(BlockingIOError):
            q.send(b"y", timeout=0)     # full
        with pytest.raises(TimeoutError):
            q.send(b"y", timeout=0.01)
        small = bytearray(4)
        with pytest.raises(OSError) as ei:
            q.recv_into(small)
        assert ei.value.errno == errno.EMSGSIZE
        with pytest.raises(TypeError):
            q.recv_into(b"immutable")
        buf = bytearray(16)
        assert q.recv_into(buf) == (10, 0)  # still there
        assert buf[:10] == b"0123456789"


def test_queue_blocking_sender_released():
    with kipc.Queue(max_msgs=1) as q:
        q.send(b"a")
        t = threading.Thread(target=q.send, args=(b"b",), kwargs={"timeout": SLOW})
        t.start()
        assert q.recv(timeout=SLOW) == (b"a", 0)
        assert q.recv(timeout=SLOW) == (b"b", 0)
        t.join(SLOW)
        assert not t.is_alive()


def test_queue_poll_writable():
    with kipc.Queue(max_msgs=1) as q:
        assert select.select([q], [q], [], 0) == ([], [q], [])
        q.send(b"x")
        assert select.select([q], [q], [], 0) == ([q], [], [])
        q.recv()


def test_queue_notify():
    got = []
    old = signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
    try:
        with kipc.Queue() as q:
            q.notify(signal.SIGUSR1, 7)
            assert q.info().notify_pid > 0
            q.send(b"ping")
            for _ in range(1000):
                if got:
                    break
                select.select([], [], [], 0.01)
            assert got == [signal.SIGUSR1]
            q.recv()
            q.notify(signal.SIGUSR1)
            q.notify(0)                 # cancel
            with pytest.raises(FileNotFoundError):
                q.notify(0)             # nothing to cancel
            with pytest.raises(ValueError):
                q.notify(-1)
    finally:
        signal.signal(signal.SIGUSR1, old)
