# SPDX-License-Identifier: GPL-2.0
#
# The Python package kipc (python/): `make python` builds it into
# build/python, so that PYTHONPATH=build/python /usr/bin/python3 -c
# 'import kipc' works from the repository root.  The extension links
# libkipc's PIC objects in statically (no rpath, nothing to install).
# `make install-python` installs it with pip into PYTHONDIR (under PREFIX).
# Included by the top-level Makefile.

PY		?= /usr/bin/python3
PY_OUT		:= build/python
PY_INC		:= $(shell $(PY) -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null)
PY_EXT		:= $(shell $(PY) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))' 2>/dev/null)
PY_CSRCS	:= $(sort $(wildcard python/src/*.c))
PY_FILES	:= $(sort $(wildcard python/kipc/*.py python/kipc/*.pyi)) python/kipc/py.typed
PY_SO		:= $(PY_OUT)/kipc/_kipc$(PY_EXT)
PY_CFLAGS	:= $(CFLAGS_COMMON) -fPIC -fvisibility=hidden -fno-strict-aliasing \
		   -isystem $(PY_INC) -Ipython/src

.PHONY: python install-python

python: $(PY_SO) $(patsubst python/kipc/%,$(PY_OUT)/kipc/%,$(PY_FILES))

$(PY_SO): $(PY_CSRCS) python/src/kipcmod.h python/src/kipc.map \
	  $(patsubst libkipc/%.c,$(O)/libkipc/%.pic.o,$(LIB_SRCS))
	@test -f $(PY_INC)/Python.h || { echo "no Python.h for $(PY): install python3-dev"; exit 1; }
	@mkdir -p $(dir $@)
	$(CC) $(PY_CFLAGS) -shared -Wl,--version-script=python/src/kipc.map \
		-o $@ $(PY_CSRCS) $(patsubst libkipc/%.c,$(O)/libkipc/%.pic.o,$(LIB_SRCS)) -lpthread

$(PY_OUT)/kipc/%: python/kipc/%
	@mkdir -p $(dir $@)
	cp $< $@

# pip builds in the source tree (python/build, ignored) with the setuptools
# Debian ships: no network, no build isolation.  --target, because
# Debian's pip adds "local/" under any --prefix; PYTHONDIR is where
# Debian's python3 looks for packages installed under /usr/local.
PY_VER		:= $(shell $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
PYTHONDIR	?= $(PREFIX)/lib/python$(PY_VER)/dist-packages

install-python:
	$(PY) -m pip install --no-deps --no-build-isolation --no-index \
		--upgrade --target=$(DESTDIR)$(PYTHONDIR) ./python

# The VM sees the repository read-only, so Python there can neither keep
# what it compiles nor what pytest rewrites (the tests' asserts): both
# would be redone on every boot, seconds under emulation.  Done once
# here, into the usual __pycache__ folders, which the VM then reads.
.PHONY: python-pyc
python-pyc: python
	@env -u PYTHONDONTWRITEBYTECODE $(PY) -m compileall -q $(PY_OUT)/kipc scripts/pytest_ktap.py
	@env -u PYTHONDONTWRITEBYTECODE PYTHONPATH=$(PY_OUT):scripts $(PY) -m pytest \
		-p no:cacheprovider -p pytest_ktap -q --collect-only python/tests >/dev/null
