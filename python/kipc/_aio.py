# SPDX-License-Identifier: LGPL-2.1-or-later
"""asyncio support: waiting on a kipc object's fd without a thread.

Every kipc object's fd polls readable when a wait or receive on it would
not block (an event set, a semaphore above 0, a mutex free, a message
queued) and a queue's, channel's or pipe's polls writable when a send
would not block.  An ``*_async`` method tries the operation once; if it
would block, it waits for the fd's readiness in the running loop
(``loop.add_reader``/``add_writer``) and tries again.  Several coroutines
may wait on one object: one reader callback per fd wakes them all, and
those that lose the race wait again.

Use ``asyncio.wait_for()`` or ``asyncio.timeout()`` for timeouts;
cancelling a waiting coroutine takes nothing from the object.
"""

import asyncio
import weakref

# loop -> {(fd, writable): set of futures}
_waiting = weakref.WeakKeyDictionary()


def _unregister(loop, key):
    if key[1]:
        loop.remove_writer(key[0])
    else:
        loop.remove_reader(key[0])


def _wake(loop, key):
    table = _waiting.get(loop)
    waiters = table.pop(key, ()) if table is not None else ()
    _unregister(loop, key)
    for fut in waiters:
        if not fut.done():
            fut.set_result(None)


async def ready(obj, writable=False):
    """Wait until obj's fd polls readable (or writable)."""
    loop = asyncio.get_running_loop()
    key = (obj.fileno(), bool(writable))
    table = _waiting.setdefault(loop, {})
    waiters = table.get(key)
    if waiters is None:
        waiters = table[key] = set()
        if writable:
            loop.add_writer(key[0], _wake, loop, key)
        else:
            loop.add_reader(key[0], _wake, loop, key)
    fut = loop.create_future()
    waiters.add(fut)
    try:
        await fut
    finally:
        waiters.discard(fut)
        if not waiters and table.get(key) is waiters:
            del table[key]
            _unregister(loop, key)


async def retry(obj, attempt, writable=False):
    """Call attempt() until it does not raise BlockingIOError, waiting for
    obj's readiness in between; return what it returns."""
    while True:
        try:
            return attempt()
        except BlockingIOError:
            pass
        await ready(obj, writable)


async def wait_many(objs, all=False):
    """The asyncio form of kipc.wait_many(): see kipc.wait_many_async()."""
    from . import _kipc

    objs = list(objs)
    while True:
        try:
            return _kipc.wait_many(objs, all, 0)
        except BlockingIOError:
            pass
        if not all:
            tasks = [asyncio.ensure_future(ready(o)) for o in objs]
            try:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for t in tasks:
                    t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        else:
            # Ready one by one, then try to take all at once.  Something
            # may be taken meanwhile: pause briefly so that a ready
            # object and a busy one do not make us spin.
            for o in objs:
                await ready(o)
            await asyncio.sleep(0.001)
