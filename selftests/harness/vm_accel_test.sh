#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the VM harness itself (scripts/vm-run.sh and vm-accel.sh): how
# it chooses an accelerator, falls back from a KVM that does not work,
# keeps its verdict, obeys KIPC_VM_ACCEL, and tells a VM that could not
# run from a test that failed.  A fake qemu-system-x86_64 on PATH plays
# each host: a KVM that aborts (as QEMU does here: "failed to set MSR"),
# one that hangs with no output, one that works, one that passes the probe
# but fails a real run; its guest "runs" a two-test selftest.  No real VM
# boots, so this takes seconds.
#
# usage: vm_accel_test.sh   (from anywhere; prints TAP and a count line)
set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
n=0 passed=0 failed=0

mkdir -p "$tmp/bin"
cat > "$tmp/bin/qemu-system-x86_64" <<'FAKE'
#!/usr/bin/env bash
# The fake QEMU.  FAKE_KVM: abort|hang|ok|probe-only; FAKE_TCG: ok|hang;
# FAKE_GUEST: pass|fail.  Every start is logged to FAKE_LOG.
[ "${1:-}" = --version ] && { echo "QEMU emulator version 0.0.fake"; exit 0; }
accel= initrd= serial= append=
while [ $# -gt 0 ]; do
	case $1 in
	-accel) accel=$2; shift ;;
	-initrd) initrd=$2; shift ;;
	-append) append=$2; shift ;;
	-serial) case $2 in file:*) serial=${2#file:} ;; esac; shift ;;
	esac
	shift
done
kind=run
case $initrd in *probe.cpio.gz) kind=probe ;; esac
echo "${accel%%,*} $kind" >> "$FAKE_LOG"
abort() {
	echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69" >&2
	echo "qemu-system-x86_64: ../target/i386/kvm/kvm.c:3170: kvm_buf_set_msrs: Assertion \`ret == cpu->kvm_msr_buf->nmsrs' failed." >&2
	exit 134
}
if [ "${accel%%,*}" = kvm ]; then
	case ${FAKE_KVM:-ok} in
	abort) abort ;;
	hang) exec sleep 600 ;;
	probe-only) [ "$kind" = probe ] || abort ;;
	esac
elif [ "${FAKE_TCG:-ok}" = hang ]; then
	exec sleep 600
fi
echo "[    0.000000] Linux version 0.0-fake"
if [ "$kind" = probe ]; then
	echo "kipc-probe: init ran"
	exit 0
fi
res=ok
[ "${FAKE_GUEST:-pass}" = fail ] && res="not ok"
cat > "$serial" <<OUT
kipc-vm: kernel 0.0-fake, 2 cpus
kipc-vm: begin selftest fake_test
TAP version 13
1..2
# Starting 2 tests from 1 test cases.
#  RUN           fake.one ...
ok 1 fake.one
#  RUN           fake.two ...
$res 2 fake.two
kipc-vm: end
kipc-vm: done rc=0
OUT
[ "$append" != "${append#*kipcvm=}" ] || exit 1
exit 0
FAKE
chmod +x "$tmp/bin/qemu-system-x86_64"
: > "$tmp/vmlinuz"
: > "$tmp/initramfs.cpio.gz"

# run NAME [VAR=value...]: vm-run.sh check with a fresh output folder and
# the cache of this test; sets $rc, $err (its standard error) and $log
# (the QEMU starts, one "accel kind" line each).
run() {
	local name=$1

	shift
	out=$tmp/out-$name
	rm -f "$tmp/log"
	: > "$tmp/log"
	env PATH="$tmp/bin:$PATH" KIPC_CACHE="$tmp/cache" FAKE_LOG="$tmp/log" \
	    KIPC_VM_KVM_DEV="$tmp/kvm" KIPC_VM_PROBE_TIMEOUT=2 \
	    KIPC_VM_FIRST_OUTPUT=2 KIPC_VM_TIMEOUT=20 "$@" \
	    "$repo/scripts/vm-run.sh" check "$tmp/vmlinuz" \
	    "$tmp/initramfs.cpio.gz" "$out" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	err=$(cat "$tmp/stderr")
	log=$(tr '\n' ';' < "$tmp/log")
}

# check DESCRIPTION CONDITION...: one TAP line.
check() {
	local what=$1

	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n $what"
		passed=$((passed + 1))
	else
		echo "not ok $n $what"
		echo "# rc=$rc qemu starts: $log"
		sed 's/^/# stderr: /' "$tmp/stderr"
		failed=$((failed + 1))
	fi
}

has() { grep -qF -- "$1" <<<"$err"; }
fresh() { rm -rf "$tmp/cache"; }

echo "TAP version 13"
echo "1..12"

touch "$tmp/kvm"
fresh
run abort FAKE_KVM=abort
check "KVM that aborts: falls back to TCG, says why, tests run" \
	eval '[ $rc = 0 ] && [ "$log" = "kvm probe;tcg run;" ] &&
	has "vm: KVM present but unusable here (QEMU exited with status 134: qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69); using TCG"'

run warm FAKE_KVM=abort
check "warm run: the cached verdict costs no probe" \
	eval '[ $rc = 0 ] && [ "$log" = "tcg run;" ] && has "using TCG"'

fresh
run hang FAKE_KVM=hang
check "KVM whose guest hangs: the probe gives up in seconds, TCG runs" \
	eval '[ $rc = 0 ] && [ "$log" = "kvm probe;tcg run;" ] &&
	has "vm: KVM present but unusable here (a test guest did not reach /init in 2s); using TCG"'

fresh
run ok FAKE_KVM=ok
check "KVM that works: probed once, used, and said so" \
	eval '[ $rc = 0 ] && [ "$log" = "kvm probe;kvm run;" ] &&
	has "vm: accelerator: KVM"'

fresh
run forced-kvm FAKE_KVM=abort KIPC_VM_ACCEL=kvm
check "KIPC_VM_ACCEL=kvm that does not work: an error, no fallback" \
	eval '[ $rc = 3 ] && [ "$log" = "kvm probe;" ] &&
	has "KIPC_VM_ACCEL=kvm but KVM is unusable here"'

fresh
run forced-tcg FAKE_KVM=ok KIPC_VM_ACCEL=tcg
check "KIPC_VM_ACCEL=tcg: no probe, TCG even where KVM works" \
	eval '[ $rc = 0 ] && [ "$log" = "tcg run;" ] &&
	has "vm: accelerator: TCG (KIPC_VM_ACCEL=tcg)"'

run bogus KIPC_VM_ACCEL=hvf
check "KIPC_VM_ACCEL with another value: an error before any boot" \
	eval '[ $rc = 3 ] && [ -z "$log" ] && has "KIPC_VM_ACCEL must be kvm, tcg or auto"'

rm -f "$tmp/kvm"
fresh
run nodev FAKE_KVM=ok
check "no /dev/kvm: TCG without a probe" \
	eval '[ $rc = 0 ] && [ "$log" = "tcg run;" ] && has "accelerator: TCG (no "'
touch "$tmp/kvm"

fresh
run late FAKE_KVM=probe-only
check "KVM that passes the probe but fails the run: reported as KVM, run again under TCG" \
	eval '[ $rc = 0 ] && [ "$log" = "kvm probe;kvm run;tcg run;" ] &&
	has "vm: KVM present but unusable here (QEMU exited with status 134"'
run late-warm FAKE_KVM=probe-only
check "...and later runs go straight to TCG" \
	eval '[ $rc = 0 ] && [ "$log" = "tcg run;" ]'

run silent FAKE_TCG=hang KIPC_VM_ACCEL=tcg
check "a guest silent in its first seconds: the VM could not run (3), no test failure counted" \
	eval '[ $rc = 3 ] && has "no console output in 2s" &&
	has "the VM could not run, no test ran" && [ "$(cat "$out/counts")" = "0 0 0" ]'

run testfail KIPC_VM_ACCEL=tcg FAKE_GUEST=fail
check "a failing test is a test failure (1), not a VM problem" \
	eval '[ $rc = 1 ] && [ "$(cat "$out/counts")" = "1 1 0" ]'

echo "harness: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$n" = 12 ]
