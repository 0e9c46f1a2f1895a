# SPDX-License-Identifier: LGPL-2.1-or-later
"""The README's Python examples run as written (names made unique)."""
import os
import re

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
# The Python section of the repository's README, up to the next section.
with open(os.path.join(HERE, "..", "..", "README.md"), encoding="utf-8") as f:
    SECTION = f.read().split("### Python: the `kipc` package", 1)[1]
    SECTION = re.split(r"\n### ", SECTION, maxsplit=1)[0]
    BLOCKS = re.findall(r"```python\n(.*?)```", SECTION, re.S)


def test_found_examples():
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("code", BLOCKS, ids=["ex%d" % i for i in range(len(BLOCKS))])
def test_example(code, capsys):
    code = code.replace('"my_', '"my%d_' % os.getpid())
    exec(compile(code, "README.md", "exec"), {"__name__": "example"})
    out = capsys.readouterr().out
    assert "IPC error" not in out
    for marker, printed in EXPECTED.items():
        if marker in code:
            assert printed in out, (printed, out)


# What an example that contains the key must print.
EXPECTED = {
    "Hello from Python!": "b'Hello from Python!'",
    "Hello, World!": "Received: b'Hello, World!' (priority: 5)",
    "Shared data": "Read: b'Shared data from Python'\nb'SHARED'",
    "client.call": "b'PING'",
    "recv_async": "1\nb'job'",
    "send_fds": "42",
}
