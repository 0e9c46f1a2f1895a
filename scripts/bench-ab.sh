#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# What a change to the module costs on its kernel paths, measured in one
# VM boot: the module built from BASE (a git revision) and the one built
# from the working tree are loaded in turn, ROUNDS times each in the order
# ABBA ABBA ..., and tools/kipc-pathbench runs under each.  The report
# gives, per figure, the ratio new/base of each round's pair and their
# median and range; the raw lines are kept in build/bench-ab-<kernel>.txt.
#
# usage: bench-ab.sh BASE [SERIES [ROUNDS]]    (make bench-ab BASE=...)
set -euo pipefail
cd "$(dirname "$0")/.."

base=${1:?usage: bench-ab.sh BASE [SERIES [ROUNDS]]}
series=${2:-6.12}
rounds=${3:-6}
CACHE=${KIPC_CACHE:-$HOME/.cache/kipc}
abi=$(cat "$CACHE/kernels/$series.abi")
kroot=$CACHE/kernels/$abi
kdir=$kroot/usr/src/linux-headers-$abi-amd64
out=build/vm/bench-ab-$abi
src=build/bench-ab-src
report=build/bench-ab-$abi.txt

rm -rf "$src" "$out"
mkdir -p "$src" "$out"
git archive "$base" | tar -x -C "$src"
echo "bench-ab: base $(git rev-parse --short "$base"), new $(git describe --always --dirty), $rounds rounds on $abi"
make -s -C "$src" --no-print-directory module KDIR="$kdir" \
	MODDIR="$PWD/$out/module-base" >"$out/base.log" 2>&1 ||
	{ cat "$out/base.log"; exit 1; }
make -s --no-print-directory module KDIR="$kdir" \
	MODDIR="$out/module-new" >"$out/new.log" 2>&1 ||
	{ cat "$out/new.log"; exit 1; }
make -s --no-print-directory lib tools

KIPC_BASE_KO=$out/module-base/kipc.ko \
	scripts/mkinitramfs.sh "$out/module-new/kipc.ko" "$out/initramfs.cpio.gz"
# Under TCG with -icount the guest's clock counts instructions (1 ns per
# instruction with shift=0): the figures are then what the guest executed,
# not what a loaded host let it run, and differences of a few percent are
# measurable.  KIPC_AB_WALLCLOCK=1 times by the host's clock instead.
qemu_args="-icount shift=0,sleep=off"
[ -n "${KIPC_AB_WALLCLOCK:-}" ] && qemu_args=
KIPC_VM_ACCEL=tcg KIPC_VM_QEMU_ARGS=$qemu_args KIPC_VM_APPEND="kipcrounds=$rounds" \
	scripts/vm-run.sh benchab "$kroot/boot/vmlinuz-$abi-amd64" \
	"$out/initramfs.cpio.gz" "$out" >/dev/null 2>"$out/vm-run.err" || true
{
	echo "host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	tr -d '\r' < "$out/tests.ktap"
} > "$report"
grep -q 'kipc-vm: done rc=0' "$report" ||
	{ cat "$report" "$out/vm-run.err" >&2; echo "bench-ab: the VM run failed" >&2; exit 1; }

# Pair the i-th base line of a figure with its i-th new line.
awk '
function isort(a, k,    i, j, t) {
	for (i = 2; i <= k; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
}
function med(a, k) {
	return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
$1 == "pathbench" { v[$3, $2, ++n[$3, $2]] = $4; fig[$3] = 1 }
END {
	printf "%-28s %8s %8s  %s\n", "figure (ns per pair)", "base", "new",
	       "new/base: median [min, max] of the rounds"
	for (f in fig) {
		k = 0
		for (i = 1; i <= n[f, "base"] && i <= n[f, "new"]; i++) {
			r[++k] = v[f, "new", i] / v[f, "base", i]
			b[k] = v[f, "base", i]; w[k] = v[f, "new", i]
		}
		isort(r, k); isort(b, k); isort(w, k)
		printf "%-28s %8.1f %8.1f  %.3f [%.3f, %.3f] n=%d\n", f,
		       med(b, k), med(w, k), med(r, k), r[1], r[k], k
		delete r; delete b; delete w
	}
}' "$report" | { read -r h; echo "$h"; sort; } | tee -a "$report"
echo "(raw lines kept in $report)"
