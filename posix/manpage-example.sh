#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the example program FILE of a man page, as its EXAMPLES section
# gives it between '.\" SRC BEGIN (FILE)' and '.\" SRC END', with the
# troff escapes undone: programs the project did not write, run against
# glibc and under LD_PRELOAD of libkipc-posix (kipc_posix_manpages.c).
#
# usage: manpage-example.sh PAGE.3.gz FILE
set -eu
zcat "$1" | awk -v f="$2" '
	index($0, ".\\\" SRC BEGIN (" f ")") == 1 { on = 1; next }
	on && index($0, ".\\\" SRC END") == 1 { exit }
	on && ($0 == ".EX" || $0 == ".EE") { next }
	on { print }
' | sed -e 's/\\-/-/g' -e 's/\\\[aq\]/'"'"'/g' -e 's/\\(aq/'"'"'/g' \
	-e 's/\\\[dq\]/"/g' -e 's/\\(dq/"/g' -e 's/\\&//g' -e 's/\\e/\\/g'
