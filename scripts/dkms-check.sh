#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove the DKMS packaging: add the committed sources to a private DKMS
# tree and build them for each VM kernel's headers.  Nothing is installed.
# usage: dkms-check.sh SERIES...
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${KIPC_CACHE:-$HOME/.cache/kipc}
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' dkms.conf)
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

src=$tmp/src/$name-$version
mkdir -p "$src" "$tmp/tree"
# What a user would copy to /usr/src: the working tree's tracked files.
git ls-files -z | xargs -0 cp --parents -t "$src"
dkms add --dkmstree "$tmp/tree" --sourcetree "$tmp/src" -m "$name" -v "$version" >/dev/null
for series in "$@"; do
	abi=$(cat "$CACHE/kernels/$series.abi")
	kdir=$CACHE/kernels/$abi/usr/src/linux-headers-$abi-amd64
	if ! dkms build --dkmstree "$tmp/tree" --sourcetree "$tmp/src" \
			-m "$name" -v "$version" -k "$abi-amd64" \
			--kernelsourcedir "$kdir" >"$tmp/log" 2>&1; then
		cat "$tmp/log" >&2
		find "$tmp/tree" -name make.log -exec cat {} + >&2
		echo "dkms: build for $abi-amd64 failed" >&2
		exit 1
	fi
	ko=$(find "$tmp/tree/$name/$version/$abi-amd64" -name "$name.ko*" | head -n1)
	[ -n "$ko" ] || { echo "dkms: no module built for $abi-amd64" >&2; exit 1; }
	echo "dkms: $name/$version builds for $abi-amd64"
done
