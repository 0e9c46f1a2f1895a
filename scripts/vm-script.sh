#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a busybox shell script in the VM, with the module loaded and the
# tools in /bin (kipcctl, kipc-demo, ...), and print what it printed: how
# the README's kipcctl examples were made.
#
# usage: vm-script.sh SCRIPT [SERIES]        (default SERIES: 6.12)
set -euo pipefail
cd "$(dirname "$0")/.."

script=${1:?usage: vm-script.sh SCRIPT [SERIES]}
series=${2:-6.12}
CACHE=${KIPC_CACHE:-$HOME/.cache/kipc}
abi=$(cat "$CACHE/kernels/$series.abi")
kroot=$CACHE/kernels/$abi
out=build/vm/script-$abi

mkdir -p "$out"
make -s --no-print-directory module KDIR="$kroot/usr/src/linux-headers-$abi-amd64" \
	MODDIR="$out/module" >"$out/module.log" 2>&1 || { cat "$out/module.log"; exit 1; }
make -s --no-print-directory lib tools
KIPC_VM_SCRIPT=$script \
	scripts/mkinitramfs.sh "$out/module/kipc.ko" "$out/initramfs.cpio.gz"
rc=0
scripts/vm-run.sh script "$kroot/boot/vmlinuz-$abi-amd64" \
	"$out/initramfs.cpio.gz" "$out" >/dev/null 2>"$out/vm-run.err" || rc=$?
tr -d '\r' < "$out/tests.ktap" | grep -v '^kipc-vm: '
grep -q 'kipc-vm: done rc=0' "$out/tests.ktap" || {
	cat "$out/vm-run.err" >&2
	echo "vm-script: the script failed" >&2
	exit 1
}
exit 0
