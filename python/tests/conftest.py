# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared fixtures of the kipc pytest suite.

Run in the VM as root, from the repository root:
    PYTHONPATH=build/python /usr/bin/python3 -m pytest -p no:cacheprovider -q python/tests
"""
import gc
import itertools
import os
import traceback

import pytest

import kipc

_names = itertools.count()

# Generous bounds for a software-emulated VM (10-50x slower than a host).
SLOW = 30.0


def unique(tag="o"):
    """A name no other run or test uses."""
    return "pyt.%d.%d.%s" % (os.getpid(), next(_names), tag)


@pytest.fixture
def name():
    """A unique object name, unlinked at the end if still registered."""
    n = unique()
    yield n
    for cls in (kipc.Event, kipc.Queue, kipc.Channel, kipc.Pipe, kipc.Region,
                kipc.Semaphore, kipc.Mutex, kipc.Cond):
        try:
            cls.unlink(n)
        except FileNotFoundError:
            pass


@pytest.fixture(scope="session", autouse=True)
def no_object_left():
    """Every object the tests made is gone at the end (module stats)."""
    before = kipc.stats()
    yield
    gc.collect()
    after = kipc.stats()
    assert after.objects == before.objects, (before, after)
    assert after.named == before.named, (before, after)


def in_child(fn, *args):
    """Run fn(*args) in a forked child; return its exit status, 0 if fn
    returned without raising, and print its traceback otherwise."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(r)
            fn(*args)
        except BaseException:
            code = 1
            try:
                os.write(w, traceback.format_exc().encode())
            except BaseException:
                pass
        os._exit(code)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        report = f.read().decode(errors="replace")
    _, status = os.waitpid(pid, 0)
    if report:
        print(report)
    return os.waitstatus_to_exitcode(status)


def spawn_child(fn, *args):
    """Fork a child running fn(*args) (exit 0 if it returns); return its
    pid for reap()."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            fn(*args)
        except BaseException:
            traceback.print_exc()
            code = 1
        os._exit(code)
    return pid


def reap(pid):
    """Wait for a child of spawn_child(); return its exit code."""
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)
