#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VM (busybox).  The kernel command line chooses what to
# do with kipcvm=demo|check|bench|benchab|script|debug|soak.  Test output goes to the second serial port
# (/dev/ttyS1), the kernel's console to the first; the host reads both.
export PATH=/bin

/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp /run
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mkdir -p /dev/mqueue && mount -t mqueue mqueue /dev/mqueue 2>/dev/null
echo 1 > /proc/sys/kernel/panic_on_oops

out=/dev/ttyS1
[ "$kipcvm" = demo ] && out=/dev/console
# Marks also go to the kernel's log, so that a kernel report can be placed.
say() {
	echo "kipc-vm: $*" > "$out"
	[ "$out" = /dev/console ] || echo "kipc-vm: $*" > /dev/kmsg 2>/dev/null
}

finish() {
	say "done rc=$1"
	sync
	reboot -f
}

say "kernel $(uname -r), $(nproc) cpus"
if ! insmod /kipc.ko; then
	say "insmod failed"
	finish 1
fi
[ -c /dev/kipc ] || { say "/dev/kipc missing"; finish 1; }

run_selftests() {
	local t ok=0

	for t in /tests/*_test; do
		[ -x "$t" ] || continue
		say "$(grep MemAvailable /proc/meminfo)"
		say "begin selftest ${t##*/}"
		"$t" > "$out" 2>&1 || ok=1
		say "end"
		objects_left "${t##*/}"
	done
	return $ok
}

# Nothing else runs in the VM, so objects alive after a program are its
# own, or a leak: named in the kernel's log, so that a report at unload
# (kipc_objects_exit()) says after what they appeared.  A program's
# children may still be exiting, hence a note, not a failure.
objects_left() {
	local n

	n=$(kipcctl stats 2>/dev/null | sed -n 's/^objects  *//p')
	[ "${n:-0}" = 0 ] && return 0
	say "objects alive after $1: $n"
	kipcctl list 2>&1 | while read -r line; do say "  $line"; done
}

# KUnit suites run when kipc_kunit.ko loads; their KTAP is in debugfs.
run_kunit() {
	local d ok=0

	[ -f /kipc_kunit.ko ] || { say "kipc_kunit.ko missing"; return 1; }
	insmod /kipc_kunit.ko || return 1
	for d in /sys/kernel/debug/kunit/kipc_*; do
		say "begin kunit ${d##*/}"
		cat "$d/results" > "$out"
		say "end"
		grep -q 'not ok' "$d/results" && ok=1
	done
	rmmod kipc_kunit || ok=1
	objects_left kunit
	return $ok
}

# The multi-process stress tests of every type, $kipcsoak times, with one
# vCPU kept busy by a CPU hog so that they run under timings an idle
# guest rarely gives.  Each run gets its own seed (KIPC_SEED, which the
# tests' random choices use), named in its begin line with the iteration,
# so that a failure can be told and replayed.  KIPC_ONLY makes the test
# programs skip every test whose name has none of its words.
run_soak() {
	local i t seed hog ok=0

	( while :; do :; done ) &
	hog=$!
	export KIPC_ONLY="stress_ _processes _concurrently spurious"
	for i in $(seq 1 "${kipcsoak:-1}"); do
		seed=$(( (${kipcseed:-1} * 7919 + i * 104729) % 2147483647 ))
		for t in /tests/*_test; do
			# The fuzzer has a run of its own in every check.
			[ -x "$t" ] && [ "${t##*/}" != kipc_fuzz_test ] || continue
			say "begin selftest ${t##*/} iteration $i seed $seed"
			KIPC_SEED=$seed "$t" > "$out" 2>&1 || ok=1
			say "end"
		done
	done
	kill "$hog"
	return $ok
}

# Two builds of the module in turn, ABBA ABBA ..., kipc-pathbench under
# each (scripts/bench-ab.sh reads the lines); ends with /kipc.ko loaded.
run_bench_ab() {
	local i m order

	for i in $(seq 1 "${kipcrounds:-6}"); do
		order="base new"
		[ $((i % 2)) = 0 ] && order="new base"
		for m in $order; do
			rmmod kipc || return 1
			if [ "$m" = base ]; then
				insmod /kipc-base.ko || return 1
			else
				insmod /kipc.ko || return 1
			fi
			/bin/kipc-pathbench -l "$m" > "$out" 2>&1 || return 1
		done
	done
	rmmod kipc && insmod /kipc.ko
}

run_faults() {
	local ok=0

	say "begin selftest kipc_faults"
	/tests/kipc_faults > "$out" 2>&1 || ok=1
	say "end"
	objects_left kipc_faults
	return $ok
}

# Objects younger than 5 s are never reported, hence the sleep; two scans
# as the kmemleak documentation advises.  Leaks also show in the console.
kmemleak_check() {
	local k=/sys/kernel/debug/kmemleak

	[ -w $k ] || { say "kmemleak missing"; return 1; }
	sleep 6
	echo scan > $k
	echo scan > $k
	if [ -s $k ]; then
		say "kmemleak found leaks:"
		cat $k > "$out"
		return 1
	fi
	say "kmemleak: no leaks"
}

if [ "$kipcvm" = debug ] && [ -w /sys/kernel/debug/kmemleak ]; then
	# Forget whatever boot left, so that only our leaks are reported.
	echo scan > /sys/kernel/debug/kmemleak
	echo clear > /sys/kernel/debug/kmemleak
fi

rc=0
case "$kipcvm" in
demo)
	/bin/kipc-demo || rc=1
	;;
bench)
	# The benchmarks; the report goes to the test output.  The kernel
	# command line's kipcbench= gives kipc-bench's arguments, ':' for
	# spaces (make bench BENCH=registry:-n:1000), or is "dump" for
	# kipc-dumpbench alone; with neither, both run.
	if [ "${kipcbench:-}" != dump ]; then
		# shellcheck disable=SC2046
		/bin/kipc-bench $(echo "${kipcbench:-}" | tr : ' ') > "$out" 2>&1 || rc=1
	fi
	if [ -z "${kipcbench:-}" ] || [ "$kipcbench" = dump ]; then
		/bin/kipc-dumpbench > "$out" 2>&1 || rc=1
	fi
	;;
benchab)
	run_bench_ab || rc=1
	;;
script)
	# A script of the user's (scripts/vm-script.sh), shell and tools.
	/bin/sh -e /script.sh > "$out" 2>&1 || rc=1
	;;
check)
	run_selftests || rc=1
	;;
soak)
	run_soak || rc=1
	;;
debug)
	run_kunit || rc=1
	run_selftests || rc=1
	run_faults || rc=1
	# With the module loaded, then again after unloading it (below).
	kmemleak_check || rc=1
	;;
*)
	say "unknown mode '$kipcvm'"
	rc=1
	;;
esac

# Unloading must work once every fd is closed, and free everything, a
# named object that nobody holds open included (kmemleak checks it on the
# debug kernel).
/bin/kipc-demo leave kipc-vm.left || { say "could not leave an object"; rc=1; }
objects_left "the run (kipc-vm.left is expected)"
if ! rmmod kipc; then
	say "rmmod failed"
	rc=1
fi
if [ "$kipcvm" = debug ]; then
	kmemleak_check || rc=1
fi
finish "$rc"
