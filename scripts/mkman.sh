#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Man pages from the kernel-doc comments already in the headers (the
# kernel's own scripts/kernel-doc, from Debian's linux-source; never
# copied here):
#   man3/<function>.3  one page per libkipc function (libkipc.h)
#   man4/kipc.4        the device: docs/man/kipc.4.in (ioctls, errors,
#                      limits), then every struct of uapi/linux/kipc.h
# usage: mkman.sh OUTDIR
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: mkman.sh OUTDIR}
CACHE=${KIPC_CACHE:-$HOME/.cache/kipc}
kd=$CACHE/ksrc/scripts/kernel-doc
[ -f "$kd" ] || { echo "mkman: $kd missing: run 'make setup'" >&2; exit 1; }
version=$(sed -n 's/^LIB_VERSION[[:space:]]*:= *//p' Makefile)
date=$(git log -1 --format=%cd --date=format:'%B %Y' 2>/dev/null || date +'%B %Y')

rm -rf "$out/man3" "$out/man4"
mkdir -p "$out/man3" "$out/man4"

# Section 3: split kernel-doc's stream at each .TH; say which header and
# library a program needs.
perl "$kd" -man libkipc/include/libkipc.h 2>/dev/null | awk \
	-v dir="$out/man3" -v ver="libkipc $version" -v date="$date" '
	/^\.TH / {
		if (page) close(page)
		match($0, /^\.TH "[^"]*"/)
		name = substr($0, 6, RLENGTH - 6)
		page = ""
		if (name ~ / /)		# a struct: in the header, not a page
			next
		page = dir "/" name ".3"
		printf ".TH \"%s\" 3 \"%s\" \"%s\" \"libkipc Manual\"\n", name, date, ver > page
		next
	}
	/^\.SH SYNOPSIS/ && page {
		print > page
		print ".nf\n.B #include <libkipc.h>\n.PP\nLink with \\fI$(pkg-config --libs kipc)\\fP.\n.fi\n.PP" > page
		next
	}
	page { print > page }
'
n=$(find "$out/man3" -name '*.3' | wc -l)

# Section 4: the hand-written page, then the structs, as subsections.
{
	sed -e "s/@DATE@/$date/" -e "s/@VERSION@/$version/" docs/man/kipc.4.in
	echo '.SH STRUCTURES'
	echo 'Every struct below is passed by pointer with the ioctl that names'
	echo 'it; sizes, padding and reserved fields follow the rules under'
	echo '.IR "Rules for every ioctl" .'
	perl "$kd" -man uapi/linux/kipc.h 2>/dev/null | awk '
		/^\.TH / { split($0, q, "\""); print ".SS \"" q[4] "\""; next }
		/^\.SH "?NAME"?$/ { name = 1; next }
		name { name = 0; sub(/^.* \\- /, ""); print ".PP"; print; next }
		/^\.SH "?SYNOPSIS"?$/ { print ".PP"; next }
		/^\.SH / { sub(/^\.SH /, ""); gsub(/"/, ""); print ".PP\n.I " $0; next }
		{ print }
	'
	echo '.SH SEE ALSO'
	echo '.BR kipc_create (3),'
	echo '.BR kipc_queue_send (3),'
	echo '.BR kipc_wait_many (3),'
	echo '.BR mq_overview (7),'
	echo '.BR sem_overview (7),'
	echo '.BR eventfd (2)'
} > "$out/man4/kipc.4"
echo "mkman: $n pages in $out/man3, kipc.4 in $out/man4"
