# SPDX-License-Identifier: GPL-2.0
# Debian package helpers shared by setup.sh and debug-kernel.sh; source it
# after defining log().  Nothing here runs on its own.

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# missing_packages PKG...: print those of PKG... that are not installed.
missing_packages() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			printf '%s\n' "$p"
	done
}

# apt_install PKG...: install PKG... quietly, without recommends.
apt_install() {
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
