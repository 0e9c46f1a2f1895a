#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel style: checkpatch.pl --strict (from Debian's linux-source package,
# extracted by setup.sh) over the module and the uapi header.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${KIPC_CACHE:-$HOME/.cache/kipc}
cp=$CACHE/ksrc/scripts/checkpatch.pl
[ -f "$cp" ] || { echo "lint: $cp missing: run 'make setup'" >&2; exit 1; }

files=(kmod/*.c kmod/*.h kmod/tests/*.c kmod/tests/*.h uapi/linux/kipc.h uapi/linux/kipc_netlink.h)
# One run, a few files per process on every CPU: it prints the problems
# (terse, with their types) and its status is the verdict.
report=$(printf '%s\0' "${files[@]}" |
	 xargs -0 -n 4 -P "$(nproc)" perl "$cp" --strict --no-tree --quiet \
		--show-types --terse -f) && ok=1 || ok=0
grep -v '^total: 0 errors, 0 warnings, 0 checks' <<<"$report" || true
[ "$ok" = 1 ] || { echo "lint: checkpatch --strict found problems" >&2; exit 1; }
echo "lint: checkpatch --strict clean"

# kernel-doc comments must parse and describe every member and parameter,
# in the module and in the library's header (its man pages come from it).
kd=$CACHE/ksrc/scripts/kernel-doc
out=$(perl "$kd" -none "${files[@]}" libkipc/include/libkipc.h 2>&1)
if [ -n "$out" ]; then
	printf '%s\n' "$out" >&2
	exit 1
fi
echo "lint: kernel-doc clean"

# libkipc's ABI: libkipc.h declares, libkipc.map versions and the shared
# library exports the same functions, no more.
so=$(ls build/user/libkipc.so.*.*.* 2>/dev/null | head -n1)
[ -n "$so" ] || { echo "lint: build/user/libkipc.so missing: make lib" >&2; exit 1; }
declared=$(grep -o '^[a-z].* \*\?kipc_[a-z_0-9]*(' libkipc/include/libkipc.h |
	   grep -o 'kipc_[a-z_0-9]*(' | tr -d '(' | sort)
mapped=$(sed -n 's/^[[:space:]]*\(kipc_[a-z_0-9]*\);$/\1/p' libkipc/libkipc.map | sort)
exported=$(nm -D --defined-only "$so" | awk '$2 == "T" { print $3 }' |
	   sed 's/@.*//' | sort)
if [ "$declared" != "$mapped" ] || [ "$declared" != "$exported" ]; then
	echo "lint: libkipc's ABI disagrees (declared in libkipc.h / in libkipc.map / exported):" >&2
	diff <(echo "$declared") <(echo "$mapped") >&2 || true
	diff <(echo "$declared") <(echo "$exported") >&2 || true
	exit 1
fi
unversioned=$(nm -D --defined-only "$so" | awk '$2 == "T" && $3 !~ /@@KIPC_/')
[ -z "$unversioned" ] || { echo "lint: unversioned exports: $unversioned" >&2; exit 1; }
echo "lint: libkipc exports the $(wc -l <<<"$declared") functions libkipc.h declares, versioned"

# libkipc-posix's ABI: the functions its map lists are exported, each
# under KIPC_POSIX_0.1 and under every version this system's glibc
# (libc and librt) defines it with, or LD_PRELOAD would miss programs
# bound to that version; nothing else is exported.
pso=build/user/libkipc-posix.so.0
[ -e "$pso" ] || { echo "lint: $pso missing: make posix" >&2; exit 1; }
pmapped=$(sed -n '/^KIPC_POSIX_/,/local:/s/^[[:space:]]*\([a-z_0-9]*\);$/\1/p' \
	  posix/libkipc-posix.map | sort)
pexports=$(nm -D --defined-only "$pso" | awk '$2 == "T" { print $3 }' | sort)
pnames=$(sed 's/@.*//' <<<"$pexports" | sort -u)
if [ "$pmapped" != "$pnames" ]; then
	echo "lint: libkipc-posix's map and exports disagree:" >&2
	diff <(echo "$pmapped") <(echo "$pnames") >&2 || true
	exit 1
fi
libdir=$(dirname "$(readlink -f "$(cc -print-file-name=libc.so.6)")")
want=$(nm -D --defined-only "$libdir/libc.so.6" "$libdir/librt.so.1" 2>/dev/null |
       awk 'NF == 3 { print $3 }' | sed 's/@@/@/' | sort -u |
       grep -xE "($(paste -sd'|' <<<"$pmapped"))@GLIBC_[0-9.]+")
have=$(sed 's/@@/@/' <<<"$pexports" | sort -u)
lack=$(comm -23 <(echo "$want") <(echo "$have"))
[ -z "$lack" ] || { echo "lint: libkipc-posix lacks glibc's versions: $lack" >&2; exit 1; }
nodef=$(comm -23 <(echo "$pnames") \
	<(grep -o '^[a-z_0-9]*@@KIPC_POSIX_0\.1$' <<<"$pexports" | sed 's/@.*//' | sort))
[ -z "$nodef" ] || { echo "lint: libkipc-posix: not in KIPC_POSIX_0.1: $nodef" >&2; exit 1; }
echo "lint: libkipc-posix exports the $(wc -l <<<"$pmapped") functions of its map, with glibc's $(wc -l <<<"$want") versions of them"

# README's repository table lists every tracked file: by its path, or by
# its name in the row of its directory.
missing=$(git ls-files | python3 -c '
import os, re, sys
text = open("README.md").read()
sec = text[text.index("## Repository"):]
sec = sec[:sec.index("\n## ", 1)]
rows = {}
for line in sec.splitlines():
    m = re.match(r"\| `([^`]*)` \|(.*)", line)
    if m:
        rows[m.group(1).strip("/")] = m.group(2)
for path in sys.stdin.read().split():
    d, name = os.path.split(path)
    if "`%s`" % path in sec or "`%s`" % name in rows.get(d, ""):
        continue
    print(path)
')
if [ -n "$missing" ]; then
	printf 'lint: README.md'"'"'s repository table does not list: %s\n' $missing >&2
	exit 1
fi
echo "lint: README lists every file"

# Every module file's header comment points at the design document, which
# holds what the files would otherwise each repeat (the lock order).
nodoc=$(for f in kmod/*.c kmod/*.h; do
	awk 'NR > 1 && /\*\// { print; exit } { print }' "$f" |
		grep -q 'docs/design.md' || echo "$f"
done)
if [ -n "$nodoc" ]; then
	printf 'lint: header comment does not point at docs/design.md: %s\n' $nodoc >&2
	exit 1
fi
echo "lint: every module file points at docs/design.md"
