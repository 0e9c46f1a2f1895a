#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the module for each kernel given, boot that kernel in QEMU with the
# module, the selftests and the tools, and add up the results.
#
# usage: check.sh check|demo SERIES...   Debian kernels (6.1, 6.12)
#        check.sh debug                  the debug kernel (KASAN, lockdep,
#                                        KUnit, fault injection, kmemleak)
set -uo pipefail
cd "$(dirname "$0")/.."

CACHE=${KIPC_CACHE:-$HOME/.cache/kipc}
mode=$1
shift

pass=0 failed=0 skipped=0 rc=0

# run_one LABEL VMLINUZ KDIR [make arguments...]
run_one() {
	local label=$1 image=$2 kdir=$3 out=build/vm/$1
	shift 3
	echo "== $mode on $label"
	if ! make -s --no-print-directory module KDIR="$kdir" \
			MODDIR="build/module-$label" "$@" \
			>"build/module-$label.log" 2>&1; then
		cat "build/module-$label.log" >&2
		echo "check: module build failed for $label" >&2
		rc=1 failed=$((failed + 1))
		return
	fi
	scripts/mkinitramfs.sh "build/module-$label/kipc.ko" "$out/initramfs.cpio.gz"
	scripts/vm-run.sh "$mode" "$image" "$out/initramfs.cpio.gz" "$out" || rc=1
	if [ "$mode" != demo ]; then
		read -r p f s < "$out/counts"
		pass=$((pass + p)) failed=$((failed + f)) skipped=$((skipped + s))
	fi
}

mkdir -p build
if [ "$mode" = debug ]; then
	image=$(scripts/debug-kernel.sh --bzimage) &&
	kdir=$(scripts/debug-kernel.sh --kdir) || {
		echo "check: the debug kernel could not be built" >&2
		exit 1
	}
	run_one debug "$image" "$kdir" KIPC_KUNIT=1
else
	for series in "$@"; do
		abi=$(cat "$CACHE/kernels/$series.abi" 2>/dev/null) || {
			echo "check: kernel series $series not set up (make setup)" >&2
			rc=1 failed=$((failed + 1))
			continue
		}
		kroot=$CACHE/kernels/$abi
		run_one "$abi" "$kroot/boot/vmlinuz-$abi-amd64" \
			"$kroot/usr/src/linux-headers-$abi-amd64"
	done
fi

if [ "$mode" != demo ]; then
	[ "$rc" != 0 ] && [ "$failed" = 0 ] && failed=1
	echo "kipc: $pass passed, $failed failed, $skipped skipped"
fi
exit "$rc"
