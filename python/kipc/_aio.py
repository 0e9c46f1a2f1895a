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
import select
import weakref

from . import _kipc

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


def _add(loop, key, fut):
    """Make fut wait for key's readiness: one callback per fd and loop."""
    table = _waiting.setdefault(loop, {})
    waiters = table.get(key)
    if waiters is None:
        waiters = table[key] = set()
        if key[1]:
            loop.add_writer(key[0], _wake, loop, key)
        else:
            loop.add_reader(key[0], _wake, loop, key)
    waiters.add(fut)


def _discard(loop, key, fut):
    table = _waiting.get(loop)
    waiters = table.get(key) if table is not None else None
    if waiters is None:
        return
    waiters.discard(fut)
    if not waiters:
        del table[key]
        _unregister(loop, key)


async def ready_any(objs, writable=False):
    """Wait until the fd of any of objs polls readable (or writable)."""
    loop = asyncio.get_running_loop()
    keys = {(o.fileno(), bool(writable)) for o in objs}
    fut = loop.create_future()
    for key in keys:
        _add(loop, key, fut)
    try:
        await fut
    finally:
        for key in keys:
            _discard(loop, key, fut)


async def ready(obj, writable=False):
    """Wait until obj's fd polls readable (or writable)."""
    await ready_any((obj,), writable)


async def retry(obj, attempt, writable=False):
    """Call attempt() until it does not raise BlockingIOError, waiting for
    obj's readiness in between; return what it returns."""
    while True:
        try:
            return attempt()
        except BlockingIOError:
            pass
        await ready(obj, writable)


def _not_ready(objs):
    """Those of objs whose fd does not poll readable now (a probe that
    does not wait)."""
    poller = select.poll()
    for o in objs:
        poller.register(o.fileno(), select.POLLIN)
    now = {fd for fd, _ in poller.poll(0)}
    return [o for o in objs if o.fileno() not in now]


async def wait_many(objs, all=False):
    """The asyncio form of kipc.wait_many(): see kipc.wait_many_async().

    Each try is a non-blocking wait_many().  Between tries it waits for
    the readiness of any object (all=False) or of any object that is not
    ready yet (all=True): an object that is ready already would wake it
    at once, again and again, while another is still missing."""
    objs = list(objs)
    while True:
        try:
            return _kipc.wait_many(objs, all, 0)
        except BlockingIOError:
            pass
        missing = _not_ready(objs) if all else objs
        if missing:
            await ready_any(missing)
        else:
            # All were ready, and one was taken before we could take
            # them all: try again, after letting others run.
            await asyncio.sleep(0)
