# SPDX-License-Identifier: LGPL-2.1-or-later
"""Channels (fd path and mapped fast path), pipes and shared regions."""
import errno
import mmap
import os
import select
import signal
import threading
import time

import pytest

import kipc
from conftest import SLOW, in_child

MAPPED = [False, True]
MAPPED_IDS = ["fd", "mapped"]


@pytest.mark.parametrize("mapped", MAPPED, ids=MAPPED_IDS)
def test_channel_pair(mapped):
    a, b = kipc.Channel.pair(mapped=mapped, capacity=8192, max_msg=1024)
    with a, b:
        assert a.mapped == mapped and b.mapped == mapped
        assert a.max_msg == 1024
        a.send(b"hello")
        a.send(b"")
        a.send(bytearray(range(256)) * 4)
        assert b.recv() == b"hello"
        assert b.recv(timeout=0) == b""
        assert b.recv(timeout=SLOW) == bytes(range(256)) * 4
        with pytest.raises(BlockingIOError):
            b.recv(timeout=0)
        with pytest.raises(TimeoutError):
            b.recv(timeout=0.01)
        b.send(b"back")
        assert a.recv() == b"back"
        info = a.info()
        assert info.end == 0 and info.connected and not info.peer_closed
        assert info.capacity == (8192, 8192) and info.max_msg == (1024, 1024)
        assert b.info().end == 1
        with pytest.raises(OSError) as ei:
            a.send(b"x" * 1025)
        assert ei.value.errno == errno.EMSGSIZE
        a.send(b"y" * 100)
        small = bytearray(10)
        with pytest.raises(OSError) as ei:
            b.recv_into(small)
        assert ei.value.errno == errno.EMSGSIZE
        buf = bytearray(200)
        assert b.recv_into(buf) == 100 and buf[:100] == b"y" * 100


@pytest.mark.parametrize("mapped", MAPPED, ids=MAPPED_IDS)
def test_channel_batches_and_eof(mapped):
    a, b = kipc.Channel.pair(mapped=mapped)
    with b:
        assert a.sendv([b"1", b"22", bytearray(b"333")]) == 3
        assert b.recvv() == [b"1", b"22", b"333"]
        a.sendv([b"%d" % i for i in range(10)])
        assert b.recvv(4) == [b"0", b"1", b"2", b"3"]
        with pytest.raises(ValueError):
            b.recvv(0)
        with pytest.raises(ValueError):
            a.sendv([])
        with pytest.raises(TypeError):
            a.sendv([b"ok", 5])
        a.close()
        assert b.info().peer_closed
        assert list(b) == [b"%d" % i for i in range(4, 10)]   # drains
        with pytest.raises(EOFError):
            b.recv()
        with pytest.raises(EOFError):
            b.recvv()
        with pytest.raises(EOFError):
            b.recv_into(bytearray(8))
        with pytest.raises(BrokenPipeError) as ei:
            b.send(b"x")
        assert ei.value.errno == errno.EPIPE


@pytest.mark.parametrize("mapped", MAPPED, ids=MAPPED_IDS)
def test_channel_call_echo_thread(mapped):
    a, b = kipc.Channel.pair(mapped=mapped)

    def echo():
        for msg in b:
            b.send(msg.upper())

    t = threading.Thread(target=echo)
    t.start()
    with a:
        for i in range(20):
            assert a.call(b"req%d" % i, timeout=SLOW) == b"REQ%d" % i
    t.join(SLOW)
    b.close()


@pytest.mark.parametrize("mapped", MAPPED, ids=MAPPED_IDS)
def test_channel_call_resumes_after_signals(mapped):
    """Signals whose handlers return interrupt call() while it waits for
    the reply (kipc_ring_call() on the fast path): the wait resumes with
    the time left, and the request went out once."""
    a, b = kipc.Channel.pair(mapped=mapped)
    main = threading.get_ident()
    handled = []
    requests = []

    def server():
        requests.append(b.recv(timeout=SLOW))
        for _ in range(5):
            signal.pthread_kill(main, signal.SIGUSR1)
            time.sleep(0.02)
        b.send(requests[0].upper())

    old = signal.signal(signal.SIGUSR1, lambda s, f: handled.append(s))
    t = threading.Thread(target=server)
    try:
        with a, b:
            t.start()
            assert a.call(b"once", timeout=SLOW) == b"ONCE"
            t.join(SLOW)
            assert handled and requests == [b"once"]
            with pytest.raises(BlockingIOError):
                b.recv(timeout=0)               # not sent twice
    finally:
        signal.signal(signal.SIGUSR1, old)


@pytest.mark.parametrize("mapped", MAPPED, ids=MAPPED_IDS)
def test_channel_call_signal_while_the_ring_is_full(mapped):
    """A signal while call() waits for room to send: the request has not
    gone out, so the resumed call sends it (once) before it waits for
    the reply, within one timeout."""
    a, b = kipc.Channel.pair(mapped=mapped, capacity=4096, max_msg=1024)
    main = threading.get_ident()
    handled = []
    got = []
    sent = []
    with a, b:
        for msg in (b"f" * 1000, b""):          # until not even b"" fits
            while True:
                try:
                    a.send(msg, timeout=0)
                except BlockingIOError:
                    break
                sent.append(msg)
        filler = len(sent)
        assert filler > 1

        def server():
            time.sleep(0.1)
            for _ in range(3):
                signal.pthread_kill(main, signal.SIGUSR1)
                time.sleep(0.02)
            for _ in range(filler + 1):
                got.append(b.recv(timeout=SLOW))
            b.send(b"reply")

        old = signal.signal(signal.SIGUSR1, lambda s, f: handled.append(s))
        t = threading.Thread(target=server)
        try:
            t.start()
            assert a.call(b"request", timeout=SLOW) == b"reply"
            t.join(SLOW)
        finally:
            signal.signal(signal.SIGUSR1, old)
        assert handled
        assert got == sent + [b"request"]
        with pytest.raises(BlockingIOError):
            b.recv(timeout=0)                   # sent exactly once


@pytest.mark.parametrize("mapped", MAPPED, ids=MAPPED_IDS)
def test_channel_call_timeout_and_eof(mapped):
    a, b = kipc.Channel.pair(mapped=mapped)
    with a:
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            a.call(b"nobody answers", timeout=0.05)
        assert time.monotonic() - start >= 0.05
        assert b.recv(timeout=0) == b"nobody answers"
        b.send(b"late")
        assert a.call(b"next", timeout=SLOW) == b"late"
        b.close()
        with pytest.raises((EOFError, BrokenPipeError)):
            a.call(b"gone", timeout=SLOW)
        with pytest.raises(TypeError, match=r"call\(\) argument 'data' must "
                           "be bytes-like object, not int"):
            a.call(1)


def test_channel_map_unmap_spin(name):
    a = kipc.Channel.create(name)
    b = kipc.Channel.connect(name, mapped=True)
    with a, b:
        assert not a.mapped and b.mapped
        with pytest.raises(ValueError):
            a.set_spin(0.001)
        a.map()
        a.map()
        a.set_spin(0)
        with pytest.raises(ValueError):
            a.set_spin(-1)
        a.send(b"m")
        assert b.recv() == b"m"
        b.unmap()
        assert not b.mapped
        b.send(b"k")
        assert a.recv() == b"k"
        assert select.select([a], [], [], 0)[0] == []
        b.send(b"poll")
        assert select.select([a], [], [], SLOW)[0] == [a]
        assert a.recv() == b"poll"


def test_channel_in_child_after_fork():
    a, b = kipc.Channel.pair(mapped=True)

    def child():
        a.close()
        for msg in b:
            b.send(msg * 2)

    with a:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                child()
            except BaseException:
                code = 1
            os._exit(code)
        b.close()
        assert a.call(b"ab", timeout=SLOW) == b"abab"
        a.close()
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0


def test_pipe_pair():
    r, w = kipc.Pipe.pair(capacity=8192)
    with r:
        assert w.write(b"hello ") == 6
        w.write_all(memoryview(b"world"))
        assert r.read(3) == b"hel"
        buf = bytearray(100)
        assert r.readinto(buf) == 8 and buf[:8] == b"lo world"
        info = r.info()
        assert info.capacity == 8192 and info.readers == 1 and info.writers == 1
        assert info.read == 11 and info.written == 11
        with pytest.raises(BlockingIOError):
            r.read(timeout=0)
        with pytest.raises(TimeoutError):
            r.read(timeout=0.01)
        with pytest.raises(ValueError):
            r.read(-1)
        assert r.info().readers == 1    # timeouts need no second handle
        assert w.set_capacity(16384) == 16384
        w.write(b"x" * 5000)
        assert len(r.read(10000, timeout=SLOW)) == 5000
        w.close()
        assert r.read() == b""                        # end of file
        assert r.read(timeout=0) == b""
    r, w = kipc.Pipe.pair()
    with w:
        r.close()
        with pytest.raises(BrokenPipeError):
            w.write(b"x")


def test_pipe_full_and_timed_write():
    r, w = kipc.Pipe.pair(capacity=4096)
    with r, w:
        assert w.write(b"x" * 4096, timeout=0) == 4096
        with pytest.raises(BlockingIOError):
            w.write(b"y", timeout=0)
        with pytest.raises(TimeoutError):
            w.write(b"y", timeout=0.01)
        with pytest.raises(TimeoutError):
            w.write_all(b"y", timeout=0.01)
        t = threading.Thread(target=lambda: r.read(4096))
        t.start()
        assert w.write(b"z", timeout=SLOW) == 1
        t.join(SLOW)


def test_pipe_timeouts_never_early():
    """Timed reads and writes poll the fd itself, with the time left;
    they run out no sooner than asked, and leave the fd blocking."""
    r, w = kipc.Pipe.pair(capacity=4096)
    with r, w:
        for timeout in (0.01, 0.05, 0.2):
            start = time.monotonic()
            with pytest.raises(TimeoutError):
                r.read(timeout=timeout)
            assert time.monotonic() - start >= timeout
        w.write(b"x" * 4096)
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            w.write(b"y", timeout=0.05)
        assert time.monotonic() - start >= 0.05
        assert os.get_blocking(r.fileno()) and os.get_blocking(w.fileno())
        assert r.info().readers == 1 and w.info().writers == 1
        # More than there is room for: what fits, then the count.
        assert r.read(4096) == b"x" * 4096
        assert w.write(b"z" * 6000, timeout=SLOW) == 4096
        assert r.read(8192, timeout=SLOW) == b"z" * 4096


def test_pipe_timed_read_waits_for_a_late_writer():
    r, w = kipc.Pipe.pair()
    with r, w:
        t = threading.Timer(0.05, w.write, args=(b"late",))
        t.start()
        assert r.read(timeout=SLOW) == b"late"
        t.join()


def test_pipe_untimed_read_beside_timed_ones():
    """An untimed read in another thread waits through the O_NONBLOCK
    that timed reads set meanwhile (it never raises BlockingIOError)."""
    r, w = kipc.Pipe.pair()
    with r, w:
        got = []
        t = threading.Thread(target=lambda: got.append(r.read()))
        t.start()
        for _ in range(5):
            with pytest.raises(TimeoutError):
                r.read(timeout=0.01)
        w.write(b"data")
        t.join(SLOW)
        assert got == [b"data"] and os.get_blocking(r.fileno())


def test_pipe_nonblock_stays_nonblocking():
    r, w = kipc.Pipe.pair(nonblock=True)
    with r, w:
        with pytest.raises(TimeoutError):
            r.read(timeout=0.01)
        assert not os.get_blocking(r.fileno())
        with pytest.raises(BlockingIOError):
            r.read()


def test_named_pipe(name):
    rd = kipc.Pipe.create(name, access="r")
    wr = kipc.Pipe.open(name, access="w")
    with rd, wr:
        wr.write(b"fifo")
        assert rd.read() == b"fifo"
        with pytest.raises(OSError) as ei:
            rd.write(b"no")
        assert ei.value.errno == errno.EBADF


def test_region_buffer_and_slicing():
    with kipc.Region(size=100) as rg:
        assert rg.size == len(rg) == mmap.PAGESIZE      # whole pages
        assert not rg.readonly
        assert rg[0] == 0 and rg[-1] == 0
        rg[0] = 255
        rg[1:6] = b"hello"
        rg[10:16:2] = b"abc"
        assert rg[0] == 255 and rg[1:6] == b"hello"
        assert rg[10:16] == b"a\0b\0c\0" and rg[10:16:2] == b"abc"
        with memoryview(rg) as mv:
            assert mv.nbytes == rg.size and not mv.readonly
            mv[100:103] = b"xyz"
            with pytest.raises(BufferError):
                rg.close()
        assert rg[100:103] == b"xyz"
        with pytest.raises(IndexError):
            rg[rg.size]
        with pytest.raises(IndexError):
            rg[0:3] = b"toolong"
        with pytest.raises(ValueError):
            rg[0] = 256
        with pytest.raises(TypeError):
            rg["a"]
        with pytest.raises(TypeError):
            del rg[0]
        assert rg.info().size == rg.size and rg.info().mappings >= 1


def test_region_file_like():
    with kipc.Region(size=4096) as rg:
        assert rg.tell() == 0
        assert rg.write(b"Shared data from Python") == 23
        assert rg.tell() == 23
        rg.seek(0)
        assert rg.read(6) == b"Shared"
        assert rg.seek(-1, 2) == rg.size - 1
        assert rg.read() == b"\0" and rg.read() == b""
        with pytest.raises(ValueError):
            rg.write(b"past the end")
        with pytest.raises(ValueError):
            rg.seek(-1)
        with pytest.raises(ValueError):
            rg.seek(0, 3)
        rg.seek(5, 0)
        rg.seek(1, 1)
        assert rg.tell() == 6
    with pytest.raises(ValueError):
        rg.read()
    with pytest.raises(ValueError):
        memoryview(rg)
    with pytest.raises(ValueError):
        len(rg)


def test_region_shared_and_readonly(name):
    rg = kipc.Region.create(name, size=8192)
    ro = kipc.Region.open(name, access="r")
    with rg, ro:
        assert ro.readonly and ro.size == 8192
        rg[0:4] = b"data"
        assert ro[0:4] == b"data"
        with pytest.raises(TypeError):
            ro[0] = 1
        with pytest.raises(TypeError):
            ro.write(b"x")
        with memoryview(ro) as mv:
            assert mv.readonly
            with pytest.raises(TypeError):
                mv[0:1] = b"x"
        with kipc.Queue() as q:
            q.send(b"x")
            with pytest.raises((TypeError, BufferError)):
                q.recv_into(ro)         # needs a writable buffer
            assert q.recv() == (b"x", 0)

        def child():
            assert rg[0:4] == b"data"
            rg[4:9] = b"child"

        assert in_child(child) == 0
        assert ro[4:9] == b"child"
