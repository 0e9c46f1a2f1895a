#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything a fresh Debian 12 machine lacks to build kipc and run
# its tests in QEMU.  Only Debian's packages are used.  Kernels that the VM
# boots (and their headers) are fetched with `apt-get download` and unpacked
# with `dpkg -x` into a cache folder: they are never installed as this
# machine's own kernel.  A second run only checks stamps and takes seconds.
#
# Environment:
#   KIPC_CACHE   cache folder (default: $HOME/.cache/kipc)
#   KIPC_KERNELS kernel series to fetch (default: "6.1 6.12")
set -euo pipefail

CACHE=${KIPC_CACHE:-$HOME/.cache/kipc}
SERIES=${KIPC_KERNELS:-6.1 6.12}
HOST_PKGS=(build-essential pkg-config xz-utils cpio kmod busybox-static
	   qemu-system-x86 libnl-3-dev libnl-genl-3-dev
	   flex bison bc libelf-dev libssl-dev dwarves
	   dkms linux-source-6.1 man-db
	   python3 python3-dev python3-setuptools python3-pytest python3-pip
	   manpages-dev)
BACKPORTS=/etc/apt/sources.list.d/kipc-backports.sources

log() { printf 'setup: %s\n' "$*" >&2; }

# shellcheck source=scripts/pkg.sh
. "$(dirname "$0")/pkg.sh"

apt_updated=0
apt_update() {
	[ "$apt_updated" = 1 ] && return
	as_root apt-get update -qq
	apt_updated=1
}

add_backports() {
	grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ && return
	log "adding bookworm-backports to apt's sources"
	as_root tee "$BACKPORTS" >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	apt_updated=0
}

install_host_packages() {
	local missing
	mapfile -t missing < <(missing_packages "${HOST_PKGS[@]}")
	[ ${#missing[@]} = 0 ] && return
	log "installing: ${missing[*]}"
	apt_update
	apt_install "${missing[@]}"
}

# Newest "<abi>-amd64" flavour of a series that has an unsigned image.
resolve_abi() {
	local series=$1 abi
	if [ "$series" = 6.1 ]; then
		# Pinned to what bookworm's linux-headers-amd64 depends on.
		abi=$(apt-cache depends -t bookworm-security linux-headers-amd64 2>/dev/null |
		      sed -n 's/.*Depends: linux-headers-\(6\.1\..*\)-amd64$/\1/p' | head -n1)
		[ -n "$abi" ] || abi=$(apt-cache depends linux-headers-amd64 |
		      sed -n 's/.*Depends: linux-headers-\(6\.1\..*\)-amd64$/\1/p' | head -n1)
	else
		abi=$(apt-cache pkgnames "linux-image-$series." |
		      sed -n "s/^linux-image-\($series\.[^-]*\)-amd64-unsigned$/\1/p" |
		      sort -V | tail -n1)
	fi
	[ -n "$abi" ] || { log "no kernel found for series $series"; exit 1; }
	echo "$abi"
}

fetch_kernel() {
	local series=$1 abi dir debs common kbuild
	if [ -f "$CACHE/kernels/$series.abi" ]; then
		abi=$(cat "$CACHE/kernels/$series.abi")
		[ -f "$CACHE/kernels/$abi/.done" ] && return
	else
		apt_update
		abi=$(resolve_abi "$series")
	fi
	log "fetching kernel $abi-amd64 (image and headers) into $CACHE"
	apt_update
	dir=$CACHE/kernels/$abi
	debs=$CACHE/debs/$abi
	mkdir -p "$dir" "$debs"
	common=$(apt-cache depends "linux-headers-$abi-amd64" |
		 sed -n 's/.*Depends: \(linux-headers-.*-common\)$/\1/p' | head -n1)
	kbuild=$(apt-cache depends "linux-headers-$abi-amd64" |
		 sed -n 's/.*Depends: \(linux-kbuild-.*\)$/\1/p' | head -n1)
	(cd "$debs" && apt-get download -qq -o APT::Sandbox::User=root "linux-image-$abi-amd64-unsigned" \
		"linux-headers-$abi-amd64" "$common" "$kbuild")
	for deb in "$debs"/*.deb; do dpkg -x "$deb" "$dir"; done
	rm -rf "$debs"
	# The flavour's Makefile includes the common tree by absolute path.
	sed -i "s|^include /usr/src/|include $dir/usr/src/|" \
		"$dir/usr/src/linux-headers-$abi-amd64/Makefile"
	echo "$abi" > "$CACHE/kernels/$series.abi"
	touch "$dir/.done"
}

# kselftest_harness.h and checkpatch.pl come from Debian's linux-source
# package; they are extracted here, never copied into the repository.
extract_kernel_tools() {
	local tarball=/usr/src/linux-source-6.1.tar.xz out=$CACHE/ksrc
	[ -f "$out/.done-2" ] && return
	log "extracting kselftest harness and checkpatch from $tarball"
	mkdir -p "$out"
	tar -xf "$tarball" -C "$out" --strip-components=1 \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/kernel-doc \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch \
		linux-source-6.1/Documentation/process/botching-up-ioctls.rst
	touch "$out/.done-2"
}

main() {
	mkdir -p "$CACHE/kernels"
	add_backports
	install_host_packages
	for s in $SERIES; do fetch_kernel "$s"; done
	extract_kernel_tools
	log "ready (cache: $CACHE)"
}

main "$@"
