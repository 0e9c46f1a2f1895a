#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel with an initramfs in QEMU, wait for it to power off, keep
# the console log and the test output, and judge the run.
#
# usage: vm-run.sh MODE VMLINUZ INITRD OUTDIR
#   MODE is demo (console shown live) or check (tests; summary printed).
# Exit status: 0 only if the guest reported rc=0, every test passed, and
# the console shows no kernel warning, bug, oops or sanitizer report.
set -uo pipefail

mode=$1 kernel=$2 initrd=$3 out=$4
timeout=${KIPC_VM_TIMEOUT:-900}
mkdir -p "$out"
console=$out/console.log
results=$out/tests.ktap
rm -f "$console" "$results"

accel=tcg,thread=multi
[ -w /dev/kvm ] && accel=kvm

qemu=(qemu-system-x86_64 -nodefaults -no-reboot -display none
      -machine q35 -accel "$accel" -cpu max -smp 2 -m 1024
      -kernel "$kernel" -initrd "$initrd"
      -append "console=ttyS0 panic=-1 oops=panic kipcvm=$mode"
      -serial stdio -serial "file:$results")

if [ "$mode" = demo ]; then
	timeout "$timeout" "${qemu[@]}" </dev/null | tee "$console"
else
	timeout "$timeout" "${qemu[@]}" </dev/null >"$console"
fi
qrc=$?
[ "$mode" = demo ] && cp "$console" "$results"

fail=0
if [ "$qrc" = 124 ]; then
	echo "vm: timed out after ${timeout}s" >&2
	fail=1
fi

# Kernel reports that fail a run, wherever they come from.
bad='(WARNING:|BUG:|Oops|Kernel panic|general protection fault|Call Trace:|KASAN:|UBSAN:|kmemleak:.*(leak|suspected)|possible (recursive )?(circular )?locking|lockdep|INFO: task .* blocked|sleeping function called from invalid context|RIP: )'
if grep -Eq "$bad" "$console"; then
	echo "vm: the kernel reported a problem:" >&2
	grep -En -A3 "$bad" "$console" | head -n 60 >&2
	fail=1
fi

guest_rc=$(sed -n 's/.*kipc-vm: done rc=\([0-9]*\).*/\1/p' "$results" | tail -n1)
if [ -z "$guest_rc" ]; then
	echo "vm: the guest did not finish; console tail:" >&2
	tail -n 40 "$console" >&2
	fail=1
elif [ "$guest_rc" != 0 ]; then
	fail=1
fi

if [ "$mode" = check ]; then
	# kselftest harness TAP: top-level "ok N name" / "not ok N name".
	pass=$(grep -Ec '^ok [0-9]+ ' "$results" | tr -d ' ')
	skip=$(grep -Ec '^ok [0-9]+ .*# SKIP' "$results" | tr -d ' ')
	failed=$(grep -Ec '^not ok [0-9]+ ' "$results" | tr -d ' ')
	pass=$((pass - skip))
	grep -E '^not ok [0-9]+ ' "$results" >&2
	[ "$failed" -gt 0 ] && fail=1
	[ "$skip" -gt 0 ] && fail=1
	[ "$pass" -eq 0 ] && fail=1
	echo "$pass $failed $skip" > "$out/counts"
	echo "vm $(basename "$out"): $pass passed, $failed failed, $skip skipped"
fi
exit "$fail"
