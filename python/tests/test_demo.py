# SPDX-License-Identifier: LGPL-2.1-or-later
"""tools/kipc-demo.py runs as the README says, in each of its modes."""
import os
import re
import subprocess
import sys

import kipc

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
    README = f.read()
# The command line the README gives, e.g.
# `PYTHONPATH=build/python /usr/bin/python3 tools/kipc-demo.py`.
COMMAND = re.search(r"`(PYTHONPATH=(\S+) (\S+) tools/kipc-demo\.py)`", README)


def demo(*args, timeout=120):
    """Run the README's command with ARGS from the repository root."""
    env = dict(os.environ, PYTHONPATH=COMMAND.group(2))
    return subprocess.run([COMMAND.group(3), "tools/kipc-demo.py", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_readme_names_the_command():
    assert COMMAND, "README.md gives no kipc-demo.py command line"
    assert os.access(COMMAND.group(3), os.X_OK) or COMMAND.group(3) == sys.executable


def test_two_processes_talk():
    r = demo()
    assert r.returncode == 0, r.stderr
    assert "two processes talked through /dev/kipc" in r.stdout
    for i in range(1, 6):
        assert "asked %d, server answered %d" % (i, i * i) in r.stdout
    assert re.search(r"served 200[0-9] requests", r.stdout), r.stdout
    # The client unlinks both names when it is done.
    for name in ("kipc-demo.req", "kipc-demo.rsp"):
        try:
            kipc.Event.open(name).close()
            raise AssertionError("%s left registered" % name)
        except FileNotFoundError:
            pass


def test_leave_leaves_a_set_event(name):
    r = demo("leave", name)
    assert r.returncode == 0, r.stderr
    with kipc.Event.open(name) as ev:
        assert ev.info().set

