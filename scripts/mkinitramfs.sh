#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Pack the VM's initramfs: busybox, /init, the module, the selftests and
# the tools.  usage: mkinitramfs.sh KO OUT.cpio.gz
set -euo pipefail
ko=$1 out=$2
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

chmod 0755 "$root"	# mktemp made it 0700: other uids could not reach /dev
mkdir -p "$root/bin" "$root/tests"
cp /bin/busybox "$root/bin/busybox"
install -m 0755 scripts/vm-init.sh "$root/init"
cp "$ko" "$root/kipc.ko"
# The KUnit module, when it was built (debug kernel).
kunit=$(dirname "$ko")/kipc_kunit.ko
[ -f "$kunit" ] && cp "$kunit" "$root/kipc_kunit.ko"
# A shell script for kipcvm=script (scripts/vm-script.sh).
[ -n "${KIPC_VM_SCRIPT:-}" ] && install -m 0755 "$KIPC_VM_SCRIPT" "$root/script.sh"
# Another build of the module, for scripts/bench-ab.sh.
[ -n "${KIPC_BASE_KO:-}" ] && cp "$KIPC_BASE_KO" "$root/kipc-base.ko"
[ -x build/user/selftests/kipc_faults ] && cp build/user/selftests/kipc_faults "$root/tests/"
for t in "${KIPC_TESTS:-build/user/selftests}"/*_test; do
	[ -x "$t" ] && cp "$t" "$root/tests/"
done
for t in build/user/tools/*; do
	[ -x "$t" ] && cp "$t" "$root/bin/"
done
mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 > "$out"
