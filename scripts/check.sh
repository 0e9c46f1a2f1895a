#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the module for each kernel given, boot that kernel in QEMU with the
# module, the selftests and the tools, and add up the results.
#
# usage: check.sh check|demo SERIES...   Debian kernels (6.1, 6.12)
#        check.sh soak SERIES...         the stress tests, repeated (see
#                                        soak.sh, which sets it up)
#        check.sh bench SERIES...        tools/kipc-bench; its report is
#                                        kept in build/bench-<kernel>.txt
#        check.sh debug                  the debug kernel (KASAN, lockdep,
#                                        KUnit, fault injection, kmemleak)
set -uo pipefail
cd "$(dirname "$0")/.."

CACHE=${KIPC_CACHE:-$HOME/.cache/kipc}
mode=$1
shift

pass=0 failed=0 skipped=0 rc=0 novm=0
# vm-run.sh's lines that only say how the VM runs.
vm_info='accelerator: |probing KVM|KVM present but unusable here'

# run_bench LABEL VMLINUZ OUTDIR: boot, show the report, keep a copy.
run_bench() {
	local label=$1 image=$2 out=$3 report=build/bench-$1.txt guest_rc host

	echo "(kipc-bench takes a few minutes in an emulated VM)"
	# Other VMs on this host take CPU time from ours: noisy figures.
	host="host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	host+=", $(pgrep -c qemu-system) other QEMU running at the start"
	# vm-run.sh counts selftest results and there are none here, so its
	# exit status says nothing: judge by what it reports (timeout, kernel
	# warnings, an unfinished guest) and by the guest's own status.
	scripts/vm-run.sh bench "$image" "$out/initramfs.cpio.gz" "$out" \
		>/dev/null 2>"$out/vm-run.err"
	{ echo "$host"; tr -d '\r' < "$out/tests.ktap"; } > "$report" 2>/dev/null
	cat "$report"
	echo "(report kept in $report)"
	# Which accelerator ran it is information, not a failure.
	grep -E "^vm: ($vm_info)" "$out/vm-run.err" >&2
	if grep -v -E "^vm: ($vm_info)" "$out/vm-run.err" | grep -q '^vm: '; then
		grep -v -E "^(not ok |vm: ($vm_info))" "$out/vm-run.err" >&2
		rc=1
	fi
	guest_rc=$(sed -n 's/.*kipc-vm: done rc=\([0-9]*\).*/\1/p' "$report" | tail -n1)
	if [ "$guest_rc" != 0 ]; then
		echo "check: kipc-bench failed on $label (guest rc=${guest_rc:-none})" >&2
		rc=1
	fi
}

# run_one LABEL VMLINUZ KDIR [make arguments...]
run_one() {
	local label=$1 image=$2 kdir=$3 out=build/vm/$1 mod=build/module-$1
	shift 3
	# bench and soak keep apart from a check of the same kernel that may
	# be running.
	if [ "$mode" = bench ] || [ "$mode" = soak ]; then
		out=build/vm/$mode-$label mod=build/module-$mode-$label
	fi
	echo "== $mode on $label"
	if ! make -s --no-print-directory module KDIR="$kdir" \
			MODDIR="$mod" "$@" >"$mod.log" 2>&1; then
		cat "$mod.log" >&2
		echo "check: module build failed for $label" >&2
		rc=1 failed=$((failed + 1))
		return
	fi
	# A failed pack must not leave an earlier run's initramfs to boot.
	rm -f "$out/initramfs.cpio.gz"
	if ! scripts/mkinitramfs.sh "$mod/kipc.ko" "$out/initramfs.cpio.gz"; then
		echo "check: the initramfs could not be packed for $label" >&2
		rc=1 failed=$((failed + 1))
		return
	fi
	if [ "$mode" = bench ]; then
		run_bench "$label" "$image" "$out"
		return
	fi
	scripts/vm-run.sh "$mode" "$image" "$out/initramfs.cpio.gz" "$out"
	case $? in
	0) ;;
	3)	# no accelerator worked or the guest never started
		echo "check: the VM for $label could not run: no test result" >&2
		novm=$((novm + 1)) rc=1
		return
		;;
	*) rc=1 ;;
	esac
	if [ "$mode" != demo ]; then
		read -r p f s < "$out/counts"
		pass=$((pass + p)) failed=$((failed + f)) skipped=$((skipped + s))
	fi
}

mkdir -p build
if [ "$mode" = debug ]; then
	image=$(scripts/debug-kernel.sh --bzimage) &&
	kdir=$(scripts/debug-kernel.sh --kdir) || {
		echo "check: the debug kernel could not be built" >&2
		exit 1
	}
	run_one debug "$image" "$kdir" KIPC_KUNIT=1
else
	for series in "$@"; do
		abi=$(cat "$CACHE/kernels/$series.abi" 2>/dev/null) || {
			echo "check: kernel series $series not set up (make setup)" >&2
			rc=1 failed=$((failed + 1))
			continue
		}
		kroot=$CACHE/kernels/$abi
		run_one "$abi" "$kroot/boot/vmlinuz-$abi-amd64" \
			"$kroot/usr/src/linux-headers-$abi-amd64"
	done
fi

if [ "$mode" = check ] || [ "$mode" = debug ] || [ "$mode" = soak ]; then
	[ "$novm" != 0 ] && echo "check: $novm VM(s) could not run; their tests are not counted" >&2
	[ "$rc" != 0 ] && [ "$failed" = 0 ] && [ "$novm" = 0 ] && failed=1
	echo "kipc: $pass passed, $failed failed, $skipped skipped"
fi
exit "$rc"
