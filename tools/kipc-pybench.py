#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""kipc-pybench.py: kipc against Linux's IPC, from Python, between two
processes (fork), in one run.

Two measurements, each repeated (--repeat) so that the spread shows:
  round trip   a 64-byte request and its reply (--rounds per repeat)
  streaming    4 KiB messages one way (--stream per repeat), the receiver
               acknowledging each batch through an os.pipe
for os.pipe, multiprocessing.Pipe, multiprocessing.Queue, and kipc's
Queue and Channel (through the fd, and the mapped fast path; streaming
also batched with sendv/recvv); multiprocessing.Queue, ~30x slower
than the others, runs a tenth of the counts.  Each kipc figure is compared with the
best Linux mechanism of the run as a speed-up: the best Linux median
time divided by the kipc median time (above 1.0x: kipc is faster).

From the repository: PYTHONPATH=build/python /usr/bin/python3 tools/kipc-pybench.py
"""
import argparse
import multiprocessing
import os
import statistics
import sys
import time
import traceback

import kipc

SMALL = 64
BIG = 4096
BATCH = 32


class Mech:
    """One mechanism: made before fork; then each side uses its ends."""

    kipc = False
    scale = 1           # run 1/scale of the counts (the slow ones)

    def __init__(self, name):
        self.name = name

    def setup_parent(self):
        pass

    def setup_child(self):
        pass


class OsPipe(Mech):
    def __init__(self):
        super().__init__("os.pipe")
        self.p2c = os.pipe()
        self.c2p = os.pipe()

    def setup_parent(self):
        os.close(self.p2c[0])
        os.close(self.c2p[1])
        w, r = self.p2c[1], self.c2p[0]
        self.send = lambda m: os.write(w, m)
        self.recv = lambda n: os.read(r, n)

    def setup_child(self):
        os.close(self.p2c[1])
        os.close(self.c2p[0])
        w, r = self.c2p[1], self.p2c[0]
        self.send = lambda m: os.write(w, m)
        self.recv = lambda n: os.read(r, n)

    def recv_stream(self, count, size):
        left = count * size
        while left:
            left -= len(self.recv(min(left, 65536)))


class MpPipe(Mech):
    def __init__(self):
        super().__init__("multiprocessing.Pipe")
        self.a, self.b = multiprocessing.Pipe()

    def setup_parent(self):
        self.b.close()
        self.send, r = self.a.send_bytes, self.a.recv_bytes
        self.recv = lambda n: r()

    def setup_child(self):
        self.a.close()
        self.send, r = self.b.send_bytes, self.b.recv_bytes
        self.recv = lambda n: r()


class MpQueue(Mech):
    scale = 10          # ~30x slower than the others: fewer of them

    def __init__(self):
        super().__init__("multiprocessing.Queue")
        self.q1 = multiprocessing.get_context("fork").Queue()
        self.q2 = multiprocessing.get_context("fork").Queue()

    def setup_parent(self):
        self.send, g = self.q1.put, self.q2.get
        self.recv = lambda n: g()

    def setup_child(self):
        self.send, g = self.q2.put, self.q1.get
        self.recv = lambda n: g()


class KQueue(Mech):
    kipc = True

    def __init__(self):
        super().__init__("kipc Queue")
        self.q1 = kipc.Queue(max_msgs=64, max_msg_size=BIG)
        self.q2 = kipc.Queue(max_msgs=64, max_msg_size=BIG)

    def setup_parent(self):
        self.send, r = self.q1.send, self.q2.recv
        self.recv = lambda n: r()[0]

    def setup_child(self):
        self.send, r = self.q2.send, self.q1.recv
        self.recv = lambda n: r()[0]


class KChannel(Mech):
    kipc = True

    def __init__(self, mapped, batched=False):
        super().__init__("kipc Channel (%s%s)" % (
            "mapped" if mapped else "fd", ", batched" if batched else ""))
        self.mapped = mapped
        self.batched = batched
        self.a, self.b = kipc.Channel.pair(max_msg=BIG)

    def _use(self, mine, other):
        other.close()
        if self.mapped:
            mine.map()          # after fork: each process maps its own end
        self.ch = mine
        self.send, r = mine.send, mine.recv
        self.recv = lambda n: r()
        self.call = mine.call

    def setup_parent(self):
        self._use(self.a, self.b)

    def setup_child(self):
        self._use(self.b, self.a)

    def send_stream(self, msg, count):
        if not self.batched:
            for _ in range(count):
                self.send(msg)
            return
        batch = [msg] * BATCH
        while count:
            count -= self.ch.sendv(batch[:min(count, BATCH)])

    def recv_stream(self, count, size):
        if not self.batched:
            for _ in range(count):
                if len(self.recv(size)) != size:
                    raise RuntimeError("short message")
            return
        while count:
            count -= len(self.ch.recvv(min(count, 64)))


def child_main(mech, rounds, stream, repeat, ack):
    mech.setup_child()
    for _ in range(rounds * (repeat + 1)):
        mech.send(mech.recv(SMALL))
    for _ in range(repeat + 1):
        if hasattr(mech, "recv_stream"):
            mech.recv_stream(stream, BIG)
        else:
            for _ in range(stream):
                if len(mech.recv(BIG)) != BIG:
                    raise RuntimeError("short message")
        os.write(ack, b"k")


def parent_main(mech, rounds, stream, repeat, ack):
    mech.setup_parent()
    small, big = b"p" * SMALL, b"s" * BIG
    rt, st = [], []
    call = getattr(mech, "call", None)
    for r in range(repeat + 1):         # the first is a warm-up
        t0 = time.perf_counter()
        if call:
            for _ in range(rounds):
                reply = call(small)
        else:
            for _ in range(rounds):
                mech.send(small)
                reply = mech.recv(SMALL)
        t1 = time.perf_counter()
        if reply != small:
            raise RuntimeError("%s: wrong reply" % mech.name)
        if r:
            rt.append((t1 - t0) / rounds)
    for r in range(repeat + 1):
        t0 = time.perf_counter()
        if hasattr(mech, "send_stream"):
            mech.send_stream(big, stream)
        else:
            for _ in range(stream):
                mech.send(big)
        if os.read(ack, 1) != b"k":
            raise RuntimeError("%s: no acknowledgement" % mech.name)
        t1 = time.perf_counter()
        if r:
            st.append((t1 - t0) / stream)
    return rt, st


def measure(make, args):
    mech = make()
    rounds = max(args.rounds // mech.scale, 1)
    stream = max(args.stream // mech.scale, 1)
    ack_r, ack_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(ack_r)
            child_main(mech, rounds, stream, args.repeat, ack_w)
        except BaseException:
            traceback.print_exc()
            code = 1
        os._exit(code)
    os.close(ack_w)
    try:
        rt, st = parent_main(mech, rounds, stream, args.repeat, ack_r)
    finally:
        os.close(ack_r)
        _, status = os.waitpid(pid, 0)
        for attr in ("a", "b", "q1", "q2"):
            obj = getattr(mech, attr, None)
            if isinstance(obj, kipc.Object):
                obj.close()
            elif hasattr(obj, "close"):
                obj.close()
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError("%s: the child failed" % mech.name)
    return mech, rt, st


def table(title, rows, best_linux):
    print("\n%s" % title)
    print("  %-34s %10s %10s %10s   %s" % ("mechanism", "min us", "median us",
                                           "max us", "speed-up vs best Linux"))
    for mech, times in rows:
        med = statistics.median(times)
        ratio = ("%.2fx" % (best_linux / med)) if mech.kipc else ""
        print("  %-34s %10.2f %10.2f %10.2f   %s" % (
            mech.name, min(times) * 1e6, med * 1e6, max(times) * 1e6, ratio))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=400,
                   help="round trips per repeat (default 400)")
    p.add_argument("--stream", type=int, default=1000,
                   help="4 KiB messages per streaming repeat (default 1000)")
    p.add_argument("--repeat", type=int, default=5,
                   help="repeats of each measurement (default 5)")
    args = p.parse_args()
    if min(args.rounds, args.stream, args.repeat) < 1:
        p.error("counts must be at least 1")
    makers = [OsPipe, MpPipe, MpQueue, KQueue, lambda: KChannel(False),
              lambda: KChannel(True), lambda: KChannel(True, True)]
    print("kipc-pybench: Python %s, %d CPUs, module API %d; round trips of "
          "%d B x %d, streams of %d B x %d, %d repeats (min/median/max of "
          "the per-message time)" % (
              sys.version.split()[0], os.cpu_count(), kipc.version().api_version,
              SMALL, args.rounds, BIG, args.stream, args.repeat), flush=True)
    results = [measure(m, args) for m in makers]
    rt_rows = [(m, rt) for m, rt, _ in results if "batched" not in m.name]
    st_rows = [(m, st) for m, _, st in results]
    best_rt = min(statistics.median(t) for m, t in rt_rows if not m.kipc)
    best_st = min(statistics.median(t) for m, t in st_rows if not m.kipc)
    table("round trip, %d B" % SMALL, rt_rows, best_rt)
    table("streaming, %d B one way" % BIG, st_rows, best_st)

    def ratio(rows, best, name):
        return best / statistics.median(dict((m.name, t) for m, t in rows)[name])

    kipc_rt = max(ratio(rt_rows, best_rt, m.name) for m, _ in rt_rows if m.kipc)
    ch_st = ratio(st_rows, best_st, "kipc Channel (mapped)")
    ch_stb = ratio(st_rows, best_st, "kipc Channel (mapped, batched)")
    print("\ntargets: round trip, best kipc %.2fx of the best Linux "
          "mechanism (target 1.0x): %s" % (kipc_rt, "met" if kipc_rt >= 1.0
                                            else "NOT met"))
    print("         streaming through the channel fast path %.2fx, batched "
          "%.2fx (target 2x): %s" % (ch_st, ch_stb,
                                     "met" if ch_st >= 2.0 else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
