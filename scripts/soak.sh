#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Shake out timing bugs before CI does: boot each kernel once and run the
# multi-process stress tests of every type N times, with the host loaded
# (two busy processes beside the VM) and one of the guest's two vCPUs
# kept busy by a CPU hog.  Each run has its own seed; a failure is
# reported with its test, iteration and seed ("soak: FAIL ...").
#
# usage: soak.sh N SERIES...
# Environment: KIPC_SOAK_SEED  the first seed (default: from the clock;
#              printed, so that a run can be replayed)
set -uo pipefail
cd "$(dirname "$0")/.."

n=${1:?usage: soak.sh N SERIES...}
shift
seed=${KIPC_SOAK_SEED:-$(( $(date +%s) % 1000000 ))}
case "$n" in
'' | *[!0-9]* | 0) echo "soak: N must be a positive number, not '$n'" >&2; exit 2 ;;
esac

hogs=()
for _ in 1 2; do
	( while :; do :; done ) &
	hogs+=("$!")
done
trap 'kill "${hogs[@]}" 2>/dev/null' EXIT

echo "soak: $n iterations on kernels $*, seed $seed, host loaded by ${#hogs[@]} busy processes"
start=$(date +%s)
# One iteration takes a few minutes under TCG on a loaded host.
KIPC_VM_APPEND="kipcsoak=$n kipcseed=$seed" \
KIPC_VM_TIMEOUT=${KIPC_VM_TIMEOUT:-$((900 + n * 600))} \
	scripts/check.sh soak "$@"
rc=$?
for dir in build/vm/soak-*; do
	[ -f "$dir/tests.ktap" ] || continue
	awk -v k="${dir#build/vm/soak-}" '
		/^# kipc-soak: / { procs += $4; ops += $6 }
		/kipc-vm: begin selftest/ { runs++ }
		END { printf "soak %s: %d program runs, %d processes, %d operations counted\n", k, runs, procs, ops }
	' "$dir/tests.ktap"
done
echo "soak: done in $(( $(date +%s) - start ))s, rc=$rc (replay with KIPC_SOAK_SEED=$seed)"
exit "$rc"
