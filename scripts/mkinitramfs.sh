#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Pack the VM's initramfs: busybox, /init, the module, the tools, and the kernel modules that mount the host's root over
# virtio-9p (in load order, in /lib/9p) when the kernel has them as
# modules.  usage: mkinitramfs.sh KO OUT.cpio.gz
set -euo pipefail
ko=$1 out=$2
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
CACHE=${KIPC_CACHE:-$HOME/.cache/kipc}

# The file of module NAME (- or _) under DIR, .ko or .ko.xz.
mod_file() {
	local n=${2//-/_}

	find "$1/kernel" \( -name "$n.ko" -o -name "$n.ko.xz" -o \
		-name "${n//_/-}.ko" -o -name "${n//_/-}.ko.xz" \) | head -n1
}

# Copy NAME and, first, what it depends on, uncompressed (busybox insmod
# reads no xz), appending each to the load order once.
add_mod() {
	local dir=$1 name=$2 file dep

	grep -qx "$name" "$root/lib/9p/order" 2>/dev/null && return 0
	file=$(mod_file "$dir" "$name")
	[ -n "$file" ] || { echo "mkinitramfs: module $name not found in $dir" >&2; return 1; }
	case $file in
	*.xz) xz -dc "$file" > "$root/lib/9p/$name.ko" ;;
	*) cp "$file" "$root/lib/9p/$name.ko" ;;
	esac
	for dep in $(modinfo -F depends "$root/lib/9p/$name.ko" | tr , ' '); do
		add_mod "$dir" "$dep" || return 1
	done
	# Dependencies were appended while recursing: this one goes after.
	echo "$name" >> "$root/lib/9p/order"
}

# The unpacked Debian kernel whose release the module was built for; the
# debug kernel has 9p built in (scripts/debug.config) and no such tree.
add_9p_modules() {
	local rel dir m

	rel=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
	dir=$(ls -d "$CACHE"/kernels/*/lib/modules/"$rel" 2>/dev/null | head -n1)
	[ -n "$dir" ] || return 0
	mkdir -p "$root/lib/9p"
	for m in virtio_pci 9pnet_virtio 9p; do
		# Built in (6.12's virtio_pci): nothing to load.
		[ -n "$(mod_file "$dir" "$m")" ] || continue
		add_mod "$dir" "$m"
	done
}

chmod 0755 "$root"	# mktemp made it 0700: other uids could not reach /dev
mkdir -p "$root/bin"
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
# The selftests are not packed: the VM runs them from the build folder on
# the host's root filesystem (vm-init.sh).
for t in build/user/tools/*; do
	[ -x "$t" ] && cp "$t" "$root/bin/"
done
add_9p_modules
mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 > "$out"
