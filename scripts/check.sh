#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the module for each kernel series given, boot that kernel in QEMU
# with the module, the selftests and the tools, and add up the results.
# usage: check.sh check|demo SERIES...
set -uo pipefail
cd "$(dirname "$0")/.."

CACHE=${KIPC_CACHE:-$HOME/.cache/kipc}
mode=$1
shift

pass=0 failed=0 skipped=0 rc=0
for series in "$@"; do
	abi=$(cat "$CACHE/kernels/$series.abi" 2>/dev/null) || {
		echo "check: kernel series $series not set up (make setup)" >&2
		rc=1 failed=$((failed + 1))
		continue
	}
	kroot=$CACHE/kernels/$abi
	kdir=$kroot/usr/src/linux-headers-$abi-amd64
	out=build/vm/$abi
	echo "== $mode on Linux $abi-amd64"
	if ! make -s --no-print-directory module KDIR="$kdir" \
			MODDIR="build/module-$abi" >"build/module-$abi.log" 2>&1; then
		cat "build/module-$abi.log" >&2
		echo "check: module build failed for $abi" >&2
		rc=1 failed=$((failed + 1))
		continue
	fi
	scripts/mkinitramfs.sh "build/module-$abi/kipc.ko" "$out/initramfs.cpio.gz"
	scripts/vm-run.sh "$mode" "$kroot/boot/vmlinuz-$abi-amd64" \
		"$out/initramfs.cpio.gz" "$out" || rc=1
	if [ "$mode" = check ]; then
		read -r p f s < "$out/counts"
		pass=$((pass + p)) failed=$((failed + f)) skipped=$((skipped + s))
	fi
done

if [ "$mode" = check ]; then
	[ "$rc" != 0 ] && [ "$failed" = 0 ] && failed=1
	echo "kipc: $pass passed, $failed failed, $skipped skipped"
fi
exit "$rc"
