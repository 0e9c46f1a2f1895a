# SPDX-License-Identifier: LGPL-2.1-or-later
"""Build kipc._kipc: the extension's sources and libkipc's, compiled
together, so that nothing but Python is needed at run time.  Paths are
resolved from this file's place in the repository (python/), so the
build must run in the tree: pip install ./python (pip builds in place)."""
import os

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def rel(*parts):
    """A path relative to this directory, as setuptools wants."""
    return os.path.relpath(os.path.join(*parts), HERE)


def sources(directory):
    return sorted(rel(directory, f) for f in os.listdir(directory)
                  if f.endswith(".c"))


ext = Extension(
    "kipc._kipc",
    sources=sources(os.path.join(HERE, "src")) +
    sources(os.path.join(ROOT, "libkipc")),
    include_dirs=[rel(ROOT, "uapi"), rel(ROOT, "libkipc", "include"),
                  rel(HERE, "src")],
    depends=[rel(HERE, "src", "kipcmod.h"), rel(ROOT, "libkipc", "internal.h"),
             rel(ROOT, "uapi", "linux", "kipc.h")],
    define_macros=[("_GNU_SOURCE", None)],
    extra_compile_args=["-std=c11", "-Wall", "-Wextra", "-Werror",
                        "-fvisibility=hidden", "-fno-strict-aliasing"],
    extra_link_args=["-Wl,--version-script=" + rel(HERE, "src", "kipc.map")],
    libraries=["pthread"],
)

os.chdir(HERE)
setup(ext_modules=[ext])
