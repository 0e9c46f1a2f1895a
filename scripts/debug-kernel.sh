#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build, and cache, a small debug kernel (KASAN, lockdep, UBSAN, kmemleak,
# KUnit, fault injection) from Debian's linux-source-6.12 for kipc's VM
# tests: `make tinyconfig` plus scripts/debug.config.  Every CONFIG_X=y of
# the fragment is checked after olddefconfig; a missing one fails the build.
#
# usage: scripts/debug-kernel.sh [--dir|--env|--bzimage|--kdir]
#   --dir      print the cache folder (the default)
#   --env      print the env file (KIPC_DEBUG_BZIMAGE=..., KIPC_DEBUG_KDIR=...)
#   --bzimage  print the bzImage's path
#   --kdir     print the build tree's path (KDIR for external modules)
# Only that goes to standard output; progress goes to standard error.
#
# The cache folder is $KIPC_CACHE/debug-kernel/<key>/ (KIPC_CACHE defaults
# to $HOME/.cache/kipc), with <key> a hash of debug.config, the version of
# linux-source-6.12, the compiler and the build recipe below.  It holds
#   bzImage   the kernel to boot
#   build/    the configured, built tree: KDIR for `make -C KDIR M=... modules`
#   config    the final .config
#   env       KIPC_DEBUG_BZIMAGE=, KIPC_DEBUG_KDIR= and KIPC_DEBUG_RELEASE=
#             lines, to source
#   build.log the build's output
# $KIPC_CACHE/debug-kernel/current links to the newest one.  A cached
# kernel is reused, so a second run takes seconds.  Old keys beyond the
# newest KIPC_DEBUG_KEEP (default 2) are removed.  KIPC_DEBUG_JOBS sets
# make's -j (default: nproc).  Builds of one key are serialized by a lock.
set -euo pipefail

SRC_PKG=linux-source-6.12
SRC_TAR=/usr/src/linux-source-6.12.tar.xz
HOST_PKGS=(build-essential flex bison bc libelf-dev libssl-dev dwarves
	   cpio xz-utils kmod "$SRC_PKG")

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fragment=$here/debug.config
base=${KIPC_CACHE:-$HOME/.cache/kipc}/debug-kernel
keep=${KIPC_DEBUG_KEEP:-2}
jobs=${KIPC_DEBUG_JOBS:-$(nproc)}

what=dir
case "${1:-}" in
"" | --dir) what=dir ;;
--env) what='env' ;;
--bzimage) what=bzimage ;;
--kdir) what=kdir ;;
-h | --help) sed -n '4,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
*) echo "usage: $0 [--dir|--env|--bzimage|--kdir]" >&2; exit 2 ;;
esac

log() { printf 'debug-kernel: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# shellcheck source=scripts/pkg.sh
. "$here/pkg.sh"

install_host_packages() {
	local missing
	mapfile -t missing < <(missing_packages "${HOST_PKGS[@]}")
	[ ${#missing[@]} = 0 ] && return
	log "installing: ${missing[*]}"
	as_root apt-get update -qq
	apt_install "${missing[@]}" ||
		die "could not install ${missing[*]} ($SRC_PKG comes from bookworm-security or bookworm-backports)"
}

# ---- the build recipe: these functions are part of the cache key ----------

# Configure the tree in the current folder: tinyconfig, then the fragment.
configure_kernel() {
	make -s ARCH=x86_64 tinyconfig
	scripts/kconfig/merge_config.sh -m -O . .config "$fragment" >/dev/null
	make -s ARCH=x86_64 olddefconfig
}

# Build the kernel, bzImage and Module.symvers (external modules need it),
# then drop the objects external module builds never read.
build_kernel() {
	make ARCH=x86_64 -j"$jobs" bzImage modules
	test -s Module.symvers || die "no Module.symvers"
	cp arch/x86/boot/bzImage ../bzImage
	cp .config ../config
	find . -name '*.o' ! -path './scripts/*' ! -path './tools/*' -delete
	rm -f vmlinux.a .tmp_vmlinux* arch/x86/boot/compressed/vmlinux.bin*
}

recipe() {
	declare -f configure_kernel build_kernel
	echo "ARCH=x86_64 tar=$SRC_TAR"
}

# ---- checks and cache ---------------------------------------------------------

# Every CONFIG_X=y of the fragment must be =y in CONFIG, and every
# "# CONFIG_X is not set" must be unset: tinyconfig's missing dependencies
# drop options silently.  Run on every build and every cache hit.
verify_config() {
	local config=$1 bad=0 opt
	while read -r opt; do
		grep -qx "$opt=y" "$config" && continue
		log "error: $opt=y was requested but the config has: $(grep -E "^$opt=|^# $opt is not set" "$config" || echo nothing)"
		bad=1
	done < <(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=y[[:space:]]*$/\1/p' "$fragment")
	while read -r opt; do
		grep -q "^$opt=" "$config" || continue
		log "error: $opt was to be unset but the config has: $(grep "^$opt=" "$config")"
		bad=1
	done < <(sed -n 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set.*$/\1/p' "$fragment")
	[ "$bad" = 0 ] || die "$config lacks options asked for in $fragment"
}

print_result() {
	local dir=$1
	case "$what" in
	dir) echo "$dir" ;;
	env) cat "$dir/env" ;;
	bzimage) echo "$dir/bzImage" ;;
	kdir) echo "$dir/build" ;;
	esac
}

prune_old() {
	local d n=0
	# Newest first; never touch one another run holds a lock on.
	while read -r d; do
		n=$((n + 1))
		[ "$n" -le "$keep" ] && continue
		(
			flock -n 9 || exit 0
			log "removing old cache $d"
			rm -rf "$d"
		) 9>"$d.lock"
		rm -f "$d.lock"
	done < <(find "$base" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' |
		 sort -rn | cut -d' ' -f2-)
}

# A caller's make (MAKEFLAGS carries its command-line variables) or kbuild
# variables must not leak into the kernel build.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS \
	ARCH SRCARCH CROSS_COMPILE KBUILD_OUTPUT O M KDIR KCFLAGS KCPPFLAGS \
	KBUILD_EXTMOD LOCALVERSION W C

install_host_packages
[ -r "$SRC_TAR" ] || die "$SRC_TAR missing although $SRC_PKG is installed"
[ -r "$fragment" ] || die "$fragment missing"

src_version=$(dpkg-query -W -f='${Version}' "$SRC_PKG")
key=$( {
	echo "== fragment"; cat "$fragment"
	echo "== $SRC_PKG $src_version"
	echo "== cc"; gcc --version | head -n1
	echo "== recipe"; recipe
} | sha256sum | cut -c1-16)
dir=$base/$key
mkdir -p "$base"

if [ -f "$dir/.complete" ]; then
	log "cached: $dir ($SRC_PKG $src_version)"
	verify_config "$dir/config"
	touch "$dir"
	ln -sfn "$key" "$base/current"
	print_result "$dir"
	exit 0
fi

exec 9>"$dir.lock"
if ! flock -n 9; then
	log "another run is building $dir; waiting"
	flock 9
fi
if [ ! -f "$dir/.complete" ]; then
	start=$(date +%s)
	rm -rf "$dir"
	mkdir -p "$dir/build"
	log "building $dir from $SRC_PKG $src_version with $jobs jobs (log: $dir/build.log)"
	tar -xf "$SRC_TAR" -C "$dir/build" --strip-components=1
	(cd "$dir/build" && configure_kernel) >"$dir/build.log" 2>&1 ||
		{ tail -n 20 "$dir/build.log" >&2; die "configuration failed: see $dir/build.log"; }
	verify_config "$dir/build/.config"
	(cd "$dir/build" && build_kernel) >>"$dir/build.log" 2>&1 || {
		grep -E 'error:|Error [0-9]' "$dir/build.log" | head -n 20 >&2 || true
		tail -n 20 "$dir/build.log" >&2
		die "build failed: see $dir/build.log"
	}
	release=$(cat "$dir/build/include/config/kernel.release")
	cat >"$dir/env" <<-EOF
	KIPC_DEBUG_BZIMAGE=$dir/bzImage
	KIPC_DEBUG_KDIR=$dir/build
	KIPC_DEBUG_RELEASE=$release
	EOF
	touch "$dir/.complete"
	log "built $release in $(( $(date +%s) - start ))s"
fi
ln -sfn "$key" "$base/current"
flock -u 9
exec 9>&-
prune_old
print_result "$dir"
