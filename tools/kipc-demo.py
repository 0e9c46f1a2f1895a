#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""kipc-demo.py: two unrelated processes talking through named kipc events,
as tools/kipc-demo.c does, with the kipc Python package.

  kipc-demo.py serve          answer requests until a request of 0
  kipc-demo.py ask N          send N requests, print the answers, then a
                              timed round-trip run, then stop the server
  kipc-demo.py                both, as two processes
  kipc-demo.py leave NAME     create a named event and exit, leaving it
                              to the registry

A request is a signal of the auto-reset event "kipc-demo.req" carrying a
number; the answer is a signal of "kipc-demo.rsp" carrying its square.
From the repository: PYTHONPATH=build/python /usr/bin/python3 tools/kipc-demo.py
"""
import os
import subprocess
import sys
import time

import kipc

REQ = "kipc-demo.req"
RSP = "kipc-demo.rsp"
ROUNDS = 2000
TIMEOUT = 10.0


def die(what, err):
    print("kipc-demo[%d]: %s: %s" % (os.getpid(), what, err), file=sys.stderr)
    sys.exit(1)


def open_pair():
    try:
        return kipc.Event(REQ, 0o600), kipc.Event(RSP, 0o600)
    except OSError as e:
        die("open " + REQ + "/" + RSP, e)


def serve():
    req, rsp = open_pair()
    served = 0
    print("server[%d]: waiting on %s" % (os.getpid(), REQ), flush=True)
    with req, rsp:
        while True:
            try:
                n = req.wait(TIMEOUT)
            except OSError as e:
                die("wait for a request", e)
            if n == 0:
                break
            rsp.signal(n * n)
            served += 1
    print("server[%d]: served %d requests, bye" % (os.getpid(), served))
    return 0


def ask_one(req, rsp, n):
    try:
        req.signal(n)
        return rsp.wait(TIMEOUT)
    except OSError as e:
        die("ask", e)


def ask(count):
    req, rsp = open_pair()
    with req, rsp:
        for i in range(1, count + 1):
            print("client[%d]: asked %d, server answered %d"
                  % (os.getpid(), i, ask_one(req, rsp, i)), flush=True)
        t0 = time.perf_counter()
        for i in range(1, ROUNDS + 1):
            if ask_one(req, rsp, i) != i * i:
                die("wrong answer", "protocol error")
        t1 = time.perf_counter()
        print("client[%d]: %d round trips, %.1f us each" % (
            os.getpid(), ROUNDS, (t1 - t0) * 1e6 / ROUNDS))
        req.signal(0)
    for name in (REQ, RSP):
        try:
            kipc.Event.unlink(name)
        except FileNotFoundError:
            pass
    return 0


def both():
    me = [sys.executable, os.path.abspath(__file__)]
    server = subprocess.Popen(me + ["serve"])
    client = subprocess.Popen(me + ["ask", "5"])
    rc = 1 if client.wait() or server.wait() else 0
    print("kipc-demo: %s" % ("FAILED" if rc else
                             "two processes talked through /dev/kipc"))
    return rc


def main(argv):
    try:
        v = kipc.version()
    except OSError as e:
        die("kipc.version() (is the module loaded?)", e)
    if len(argv) == 1:
        print("kipc-demo: module API version %d, features %#x, types %#x"
              % (v.api_version, v.features, v.types), flush=True)
        return both()
    if argv[1] == "serve" and len(argv) == 2:
        return serve()
    if argv[1] == "ask" and len(argv) == 3:
        return ask(int(argv[2], 0))
    if argv[1] == "leave" and len(argv) == 3:
        try:
            kipc.Event.create(argv[2], 0o600, set=True).close()
        except OSError as e:
            die("create", e)
        return 0
    print("usage: kipc-demo.py [serve | ask N | leave NAME]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
