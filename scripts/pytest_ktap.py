# SPDX-License-Identifier: GPL-2.0
"""A pytest plugin that reports each test as a KTAP line, as the kselftest
harness does, so that the VM harness (scripts/vm-run.sh) counts Python
tests with the selftests: "ok N name", "not ok N name" after the failure's
report as "# " comment lines, and "ok N name # SKIP reason" (a skip fails
the run, as a skipped selftest does).

Used as ``python3 -m pytest -p pytest_ktap`` with scripts/ on PYTHONPATH.
The lines go to the file descriptor named by KIPC_KTAP_FD (else standard
output): pytest's own progress dots would share lines with them, so the
VM sends pytest's output elsewhere and this is the report it reads.
"""
import os
import sys

_outcome = {}
_count = 0


def _emit(line):
    fd = os.environ.get("KIPC_KTAP_FD")
    if fd is None:
        sys.__stdout__.write(line + "\n")
        sys.__stdout__.flush()
        return
    data = (line + "\n").encode("utf-8", "replace")
    while data:
        data = data[os.write(int(fd), data):]


def pytest_collection_finish(session):
    """Print the plan, as the harness does."""
    _emit("TAP version 13")
    _emit("1..%d" % len(session.items))


def pytest_collectreport(report):
    """A module that cannot be collected is a failed test."""
    global _count
    if report.failed:
        for line in str(report.longrepr).splitlines()[-40:]:
            _emit("# " + line)
        _count += 1
        _emit("not ok %d %s # collection" % (_count, report.nodeid))


def pytest_runtest_logreport(report):
    """Remember the worst outcome of a test's phases; print it at teardown."""
    global _count
    state = _outcome.setdefault(report.nodeid, ["ok", ""])
    if report.failed:
        state[0] = "failed"
        for line in str(report.longrepr).splitlines()[-40:]:
            _emit("# " + line)
    elif report.skipped and state[0] == "ok":
        state[0] = "skipped"
        longrepr = report.longrepr
        state[1] = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    if report.when != "teardown":
        return
    _count += 1
    name = report.nodeid.replace(" ", "_")
    if state[0] == "failed":
        _emit("not ok %d %s" % (_count, name))
    elif state[0] == "skipped":
        _emit("ok %d %s # SKIP %s" % (_count, name, state[1]))
    else:
        _emit("ok %d %s" % (_count, name))


def pytest_sessionfinish(session, exitstatus):
    """One summary line, and the exit status pytest returns."""
    n = {"ok": 0, "failed": 0, "skipped": 0}
    for state in _outcome.values():
        n[state[0]] += 1
    _emit("# pytest: %d passed, %d failed, %d skipped (exit %d)"
          % (n["ok"], n["failed"], n["skipped"], int(exitstatus)))
