#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make install` as a user would use it: build the library for the default
# prefix, install it under another, then build programs against the
# installed tree with pkg-config alone (shared and static), check that only
# the documented API links, read the installed man pages, and run the
# installed kipcctl (which, with no kipc family on the host, must say the
# module is not loaded and exit 1).  No module
# is needed: the programs only call kipc_version(), which says ENOENT on a
# host without /dev/kipc.
#
# usage: install_test.sh   (prints TAP and a count line)
set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
prefix=$tmp/opt/kipc
n=0 passed=0 failed=0

check() {
	local what=$1

	shift
	n=$((n + 1))
	if "$@" >"$tmp/out" 2>&1; then
		echo "ok $n $what"
		passed=$((passed + 1))
	else
		echo "not ok $n $what"
		sed 's/^/# /' "$tmp/out"
		failed=$((failed + 1))
	fi
}

cat > "$tmp/prog.c" <<'EOF'
#include <stdio.h>
#include <libkipc.h>

int main(void)
{
	struct kipc_version v;
	int err = kipc_version(&v);

	printf("kipc_version: %d\n", err);
	return err > 0;
}
EOF
cat > "$tmp/internal.c" <<'EOF'
/* kipc_ioctl() is libkipc's own, not in libkipc.h: it must not link. */
int kipc_ioctl(int fd, unsigned long cmd, void *arg);

int main(void)
{
	return kipc_ioctl(-1, 0, 0);
}
EOF

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
export MANPATH=$prefix/share/man
make_() { make -s --no-print-directory -C "$repo" "$@"; }
build() { cc -std=c11 -Wall -Werror "$@"; }

echo "TAP version 13"
echo "1..9"
check "make lib, then make install PREFIX=elsewhere" \
	eval 'make_ lib && make_ install PREFIX="$prefix"'
check "the installed kipc.pc names the prefix it was installed under" \
	grep -qx "prefix=$prefix" "$prefix/lib/pkgconfig/kipc.pc"
check "a program builds against the installed tree with pkg-config and runs" \
	eval 'build "$tmp/prog.c" $(pkg-config --cflags --libs kipc) \
		-Wl,-rpath,"$(pkg-config --variable=libdir kipc)" -o "$tmp/prog" &&
	      "$tmp/prog" | grep -q "^kipc_version: "'
check "...and statically" \
	eval 'build -static "$tmp/prog.c" $(pkg-config --cflags kipc) \
		"$(pkg-config --variable=libdir kipc)/libkipc.a" -o "$tmp/prog-static" &&
	      "$tmp/prog-static" | grep -q "^kipc_version: "'
check "only the documented API is exported: an internal function does not link" \
	eval '! build "$tmp/internal.c" $(pkg-config --libs kipc) -o "$tmp/internal"'
check "man 3 kipc_queue_send" \
	eval 'man 3 kipc_queue_send | grep -q "kipc_queue_send - send a message"'
check "man 4 kipc" \
	eval 'man 4 kipc | grep -q "IPC objects in the kernel" &&
	      man 4 kipc | grep -q "struct kipc_queue_send"'
check "sbin/kipcctl: --version, and exit 1 with a clear error without the family" \
	eval '"$prefix/sbin/kipcctl" --version | grep -q "^kipcctl " &&
	      { "$prefix/sbin/kipcctl" list 2>"$tmp/err"; [ $? = 1 ]; } &&
	      grep -q "kipc module is not loaded" "$tmp/err"'
check "man 8 kipcctl" \
	eval 'man 8 kipcctl | grep -q "JSON OUTPUT" &&
	      man 8 kipcctl | grep -q "holders_visible"'

echo "harness: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$n" = 9 ]
