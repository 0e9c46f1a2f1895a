#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel with an initramfs in QEMU, wait for it to power off, keep
# the console log and the test output, and judge the run.
#
# usage: vm-run.sh MODE VMLINUZ INITRD OUTDIR
#   MODE is demo (console shown live), check (selftests) or debug (KUnit,
#   selftests, fault injection and kmemleak; for the debug kernel).
# Exit status: 0 only if the guest reported rc=0, every test passed, and
# the console shows no kernel warning, bug, oops or sanitizer report.
set -uo pipefail

mode=$1 kernel=$2 initrd=$3 out=$4
timeout=${KIPC_VM_TIMEOUT:-900}
mkdir -p "$out"
console=$out/console.log
results=$out/tests.ktap
rm -f "$console" "$results"

mem=${KIPC_VM_MEM:-1024}
[ "$mode" = debug ] && mem=${KIPC_VM_MEM:-2048}	# KASAN's shadow memory
accel=tcg,thread=multi
[ -w /dev/kvm ] && accel=kvm

qemu=(qemu-system-x86_64 -nodefaults -no-reboot -display none
      -machine q35 -accel "$accel" -cpu max -smp 2 -m "$mem"
      -kernel "$kernel" -initrd "$initrd"
      -append "console=ttyS0 panic=-1 oops=panic tsc=reliable kipcvm=$mode"
      -serial stdio -serial "file:$results")

boot() {
	rm -f "$console" "$results"
	if [ "$mode" = demo ]; then
		timeout "$timeout" "${qemu[@]}" </dev/null | tee "$console"
	else
		timeout "$timeout" "${qemu[@]}" </dev/null >"$console"
	fi
	qrc=$?
	[ "$mode" = demo ] && cp "$console" "$results"
}

# A kernel that dies before /init runs has not met kipc yet (seen: an
# int3 oops while the kernel patches its own text at boot, under QEMU's
# multi-threaded TCG); such a boot is tried once more, and said so.
boot
if [ "$qrc" != 124 ] && ! grep -q 'kipc-vm: kernel' "$results" 2>/dev/null; then
	echo "vm: the kernel died before /init ran; booting again" >&2
	grep -Ea -m3 'Oops|panic|BUG' "$console" >&2
	boot
fi

fail=0
if [ "$qrc" = 124 ]; then
	echo "vm: timed out after ${timeout}s" >&2
	fail=1
fi

# Kernel reports that fail a run, wherever they come from.
bad='(WARNING:|BUG:|Oops|Kernel panic|general protection fault|Call Trace:|KASAN:|UBSAN:|kmemleak: .*suspected|possible (recursive|circular) locking|inconsistent lock state|INFO: task .* blocked|sleeping function called from invalid context|RIP: )'
if grep -Eq "$bad" "$console"; then
	echo "vm: the kernel reported a problem:" >&2
	# The lines before a trace say what it is (which allocation failed,
	# which lock); a CI log shows only what is printed here.
	first=$(grep -En "$bad" "$console" | head -n1 | cut -d: -f1)
	head -n "$first" "$console" | grep 'kipc-vm: begin' | tail -n1 |
		sed 's/^/while: /' >&2
	grep -En -B8 -A3 "$bad" "$console" | head -n 80 >&2
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

if [ "$mode" != demo ]; then
	# The guest brackets each program's output with "kipc-vm: begin
	# selftest|kunit NAME" and "kipc-vm: end".  A selftest's results are
	# its top-level "ok N" lines (kselftest harness); a KUnit suite's are
	# its indented test-case lines.
	read -r pass failed skip kpass kfailed < <(awk '
		/kipc-vm: begin selftest/ { sec = "s"; next }
		/kipc-vm: begin kunit/    { sec = "k"; next }
		/kipc-vm: end/            { sec = ""; next }
		sec == "s" && /^ok [0-9]+ .*# SKIP/ { skip++; next }
		sec == "s" && /^ok [0-9]+ /         { pass++; next }
		# A failed test is shown with the last 30 comment lines it printed.
		sec == "s" && /^#  RUN / { n = 0 }
		sec == "s" && /^# /      { line[n++ % 30] = $0 }
		sec == "s" && /^not ok [0-9]+ / {
			failed++
			for (i = (n > 30 ? n - 30 : 0); i < n; i++)
				print line[i % 30] > "/dev/stderr"
			print > "/dev/stderr"; next
		}
		sec == "k" && /^[ \t]+ok [0-9]+ .*# SKIP/ { skip++; next }
		sec == "k" && /^[ \t]+ok [0-9]+ /         { kpass++; next }
		sec == "k" && /^[ \t]+not ok [0-9]+ /     { kfailed++; print > "/dev/stderr"; next }
		END { printf "%d %d %d %d %d\n", pass, failed, skip, kpass, kfailed }
	' "$results")
	# A broken run counts as a failure even if no test line said so.
	extra=0
	[ "$fail" = 1 ] && [ $((failed + kfailed)) = 0 ] && extra=1
	[ $((pass + kpass)) = 0 ] && extra=1
	[ $((failed + kfailed + skip)) -gt 0 ] && fail=1
	[ "$extra" = 1 ] && fail=1
	echo "$((pass + kpass)) $((failed + kfailed + extra)) $skip" > "$out/counts"
	echo "vm $(basename "$out"): selftests $pass passed, $failed failed;" \
	     "kunit $kpass passed, $kfailed failed; $skip skipped"
fi
exit "$fail"
