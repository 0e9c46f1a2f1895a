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

files=(kmod/*.c kmod/*.h kmod/tests/*.c kmod/tests/*.h uapi/linux/kipc.h)
perl "$cp" --strict --no-tree --quiet --show-types --terse \
	-f "${files[@]}" | grep -v '^total: 0 errors, 0 warnings, 0 checks' || true
perl "$cp" --strict --no-tree --quiet -f "${files[@]}" >/dev/null
echo "lint: checkpatch --strict clean"

# kernel-doc comments must parse and describe every member and parameter.
kd=$CACHE/ksrc/scripts/kernel-doc
out=$(perl "$kd" -none "${files[@]}" 2>&1)
if [ -n "$out" ]; then
	printf '%s\n' "$out" >&2
	exit 1
fi
echo "lint: kernel-doc clean"
