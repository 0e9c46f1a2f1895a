# SPDX-License-Identifier: LGPL-2.1-or-later
"""asyncio: awaiting kipc objects on their fds' readiness."""
import asyncio
import contextlib
import os
import threading

import pytest

import kipc
from conftest import SLOW, reap, spawn_child


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, SLOW))


def test_queue_recv_send_async():
    with kipc.Queue(max_msgs=1) as q:
        async def main():
            task = asyncio.ensure_future(q.recv_async())
            await asyncio.sleep(0.01)
            assert not task.done()
            q.send(b"x", 4)
            assert await task == (b"x", 4)
            await q.send_async(b"a")
            sender = asyncio.ensure_future(q.send_async(b"b", 2))
            await asyncio.sleep(0.01)
            assert not sender.done()            # full
            assert await q.recv_async() == (b"a", 0)
            await sender
            assert await q.recv_async() == (b"b", 2)
        run(main())


def test_event_many_waiters_and_thread_producer():
    with kipc.Event(manual_reset=True) as ev, kipc.Event() as auto:
        async def main():
            waiters = [asyncio.ensure_future(ev.wait_async()) for _ in range(3)]
            await asyncio.sleep(0.01)
            threading.Timer(0.02, ev.signal, args=(8,)).start()
            assert await asyncio.gather(*waiters) == [8, 8, 8]
            a = asyncio.ensure_future(auto.wait_async())
            b = asyncio.ensure_future(auto.wait_async())
            await asyncio.sleep(0.01)
            auto.signal(1)
            done, pending = await asyncio.wait([a, b], return_when=asyncio.FIRST_COMPLETED)
            assert len(done) == 1 and done.pop().result() == 1
            auto.signal(2)
            assert await pending.pop() == 2
        run(main())


def test_cancellation_takes_nothing():
    with kipc.Event() as ev:
        async def main():
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(ev.wait_async(), 0.02)
            ev.signal(5)
            assert ev.trywait() == 5
        run(main())


def test_sem_mutex_async():
    locked = kipc.Semaphore()           # child -> parent
    go = kipc.Semaphore()               # parent -> child
    m = kipc.Mutex()
    with contextlib.closing(locked), contextlib.closing(go), \
            contextlib.closing(m):
        pid = spawn_child(lambda: (m.lock(), locked.post(), go.wait(SLOW),
                                   m.unlock()))

        async def main():
            await locked.wait_async()           # the child holds m now
            assert m.locked()
            locker = asyncio.ensure_future(m.lock_async())
            await asyncio.sleep(0.01)
            assert not locker.done()
            go.post()                           # the child unlocks
            await locker
            assert m.info().owner_pid == os.getpid()
            m.unlock()
        run(main())
        assert reap(pid) == 0


@pytest.mark.parametrize("mapped", [False, True], ids=["fd", "mapped"])
def test_channel_async(mapped):
    a, b = kipc.Channel.pair(mapped=mapped)

    async def server():
        try:
            while True:
                msg = await b.recv_async()
                await b.send_async(msg[::-1])
        except EOFError:
            return "eof"

    async def main():
        srv = asyncio.ensure_future(server())
        for word in (b"abc", b"kipc", b""):
            assert await a.call_async(word) == word[::-1]
        a.close()
        assert await srv == "eof"
    with b:
        run(main())


def test_pipe_async():
    r, w = kipc.Pipe.pair(capacity=4096)
    with r, w:
        async def main():
            reader = asyncio.ensure_future(r.read_async(10))
            await asyncio.sleep(0.01)
            assert await w.write_async(b"0123456789abc") == 13
            assert await reader == b"0123456789"
            assert await r.read_async() == b"abc"
            assert await w.write_async(b"x" * 4096) == 4096
            writer = asyncio.ensure_future(w.write_async(b"y"))
            await asyncio.sleep(0.01)
            assert not writer.done()
            assert len(await r.read_async(8192)) == 4096
            assert await writer == 1
            w.close()
            assert await r.read_async() == b"y"
            assert await r.read_async() == b""
        run(main())


def test_wait_many_async():
    e1, e2, e3 = kipc.Event(), kipc.Event(), kipc.Event()
    with e1, e2, e3:
        async def main():
            any_ = asyncio.ensure_future(kipc.wait_many_async([e1, e2]))
            await asyncio.sleep(0.01)
            assert not any_.done()
            e2.signal(3)
            r = await any_
            assert r.index == 1 and r.values[1] == 3
            all_ = asyncio.ensure_future(kipc.wait_many_async([e1, e3], all=True))
            e1.signal(1)
            await asyncio.sleep(0.01)
            assert not all_.done() and e1.is_set()
            e3.signal(2)
            r = await all_
            assert r.values == (1, 2)
        run(main())


def test_wait_many_async_all_does_not_poll(monkeypatch):
    """While one of all=True's objects is ready and the other is not, it
    waits on the missing one's fd: a few tries, not one a millisecond."""
    tries = []
    real = kipc._kipc.wait_many

    def counting(*args):
        tries.append(args)
        return real(*args)

    monkeypatch.setattr(kipc._kipc, "wait_many", counting)
    e1, e2 = kipc.Event(), kipc.Event(manual_reset=True)
    with e1, e2:
        async def main():
            task = asyncio.ensure_future(
                kipc.wait_many_async((e1, e2), all=True))
            e2.signal(5)
            await asyncio.sleep(0.3)
            assert not task.done() and len(tries) <= 3
            e1.signal(4)
            r = await task
            assert r.values == (4, 5) and r.ready == (True, True)
            assert len(tries) <= 4
            with pytest.raises(TypeError, match="'objs' must hold kipc "
                               "objects only, not int"):
                await kipc.wait_many_async([e1, 1])
        run(main())


def test_wait_many_async_shares_fds_with_other_waiters():
    """wait_many_async() and a wait_async() on the same object in one loop
    both wake (one reader callback per fd)."""
    e1, e2 = kipc.Event(manual_reset=True), kipc.Event()
    with e1, e2:
        async def main():
            many = asyncio.ensure_future(kipc.wait_many_async([e1, e2]))
            one = asyncio.ensure_future(e1.wait_async())
            await asyncio.sleep(0.01)
            e1.signal(9)
            assert (await many).index == 0 and await one == 9
        run(main())


def test_selectors_loop_sees_user_space_sends():
    """A fast-path send (no system call) still wakes an asyncio reader."""
    a, b = kipc.Channel.pair(mapped=True)
    with a, b:
        async def main():
            task = asyncio.ensure_future(b.recv_async())
            await asyncio.sleep(0.01)
            a.send(b"fast")
            assert await task == b"fast"
        run(main())
