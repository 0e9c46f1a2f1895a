#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VM (busybox).  The kernel command line chooses what to
# do with kipcvm=demo|check|bench|benchab|script|debug|soak.  Test output goes to the second serial port
# (/dev/ttyS1), the kernel's console to the first; the host reads both.
export PATH=/bin

/bin/busybox --install -s /bin

# First, leave the initramfs for a copy of it on a tmpfs mount: a process
# can pivot_root() away from a mount, never from the initramfs (rootfs),
# and host-run needs to, below.
if [ ! -e /.kipc-vm-root ]; then
	mkdir -p /newroot
	mount -t tmpfs tmpfs /newroot
	for f in /*; do
		[ "$f" = /newroot ] || cp -a "$f" /newroot/
	done
	touch /newroot/.kipc-vm-root
	exec switch_root /newroot /init
fi

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

# The host's root filesystem, which vm-run.sh shares read-only over
# virtio-9p (tag hostroot), on /host: with the guest's own /proc, /sys and
# /dev, and tmpfs where programs write, it is a system that runs the
# host's dynamically linked programs and python3 (host_run).  The 9p
# modules, when the kernel has them as modules, are in /lib/9p in load
# order (mkinitramfs.sh).  The repository is at the same path as on the
# host ($kipcrepo, from the kernel command line).
mount_host() {
	local m d

	if [ -f /lib/9p/order ]; then
		while read -r m; do
			insmod "/lib/9p/$m.ko" || return 1
		done < /lib/9p/order
	fi
	mkdir -p /host /hostro
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 \
		hostroot /host || return 1
	# The same tree without the tmpfs mounted below, to bring back what
	# the host keeps there that the guest needs (a clone in /tmp).
	mount -o bind /host /hostro || return 1
	mount -t proc proc /host/proc &&
	mount -t sysfs sysfs /host/sys &&
	mount -t devtmpfs devtmpfs /host/dev || return 1
	mount -t debugfs debugfs /host/sys/kernel/debug 2>/dev/null
	mkdir -p /host/dev/shm /host/dev/mqueue /host/dev/pts
	mount -t devpts devpts /host/dev/pts 2>/dev/null
	mount -t mqueue mqueue /host/dev/mqueue 2>/dev/null
	for d in /dev/shm /tmp /run /var/tmp; do
		mount -t tmpfs tmpfs "/host$d" || return 1
	done
	mkdir -p /host/run/.kipc-vm-root
	for d in "$kipcrepo" ${kipctests:+"$kipctests"}; do
		host_visible "$d" || return 1
	done
}

# Bind folder $1 of the host back if a tmpfs above hid it.
host_visible() {
	[ -d "/host$1" ] && [ -n "$(ls -A "/host$1" 2>/dev/null)" ] && return 0
	mkdir -p "/host$1" && mount -o bind "/hostro$1" "/host$1"
}

# /bin/host-run CMD [ARG...]: run CMD on the host's root filesystem, in
# the repository, as root with a clean environment and HOME on tmpfs (a
# command of its own, so that kipcvm=script's scripts have it too).  Not
# chroot: a chrooted process may not make a user namespace, so the
# command gets a mount namespace of its own whose root is /host
# (pivot_root; the VM's own root is lazily unmounted from it).  Each step
# is busybox's (static): the host's env and umount are dynamic programs
# read over 9p, which cost more than many a test program.  CMD is looked
# up in PATH here, as busybox's sh would run its own applet for a bare
# "sh" or "ls" where the host has another program.
make_host_run() {
	cat > /bin/host-run <<EOF
#!/bin/busybox sh
if [ "\$1" != --in-namespace ]; then
	exec /bin/busybox env -i HOME=/tmp LANG=C.UTF-8 \\
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
		PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \\
		/bin/busybox unshare -m /bin/host-run --in-namespace "\$@"
fi
shift
cd /host && /bin/busybox pivot_root . run/.kipc-vm-root &&
	/run/.kipc-vm-root/bin/busybox umount -l /run/.kipc-vm-root &&
	cd "$kipcrepo" || exit 126
cmd=\$1
case \$cmd in
*/*)	;;
*)	IFS=:
	for d in \$PATH; do
		[ -f "\$d/\$1" ] && [ -x "\$d/\$1" ] && { cmd=\$d/\$1; break; }
	done
	unset IFS
	[ "\$cmd" != "\$1" ] || { echo "host-run: \$1: not found" >&2; exit 127; }
	;;
esac
shift
unset OLDPWD SHLVL
exec "\$cmd" "\$@"
EOF
	chmod 0755 /bin/host-run
}

host_run() {
	/bin/host-run "$@"
}

hostfs=0
if [ -n "${kipcrepo:-}" ]; then
	if mount_host; then
		hostfs=1
		make_host_run
	else
		say "could not mount the host's root filesystem over 9p"
	fi
fi

say "kernel $(uname -r), $(nproc) cpus"
if ! insmod /kipc.ko; then
	say "insmod failed"
	finish 1
fi
[ -c /dev/kipc ] || { say "/dev/kipc missing"; finish 1; }

# The selftests run from the build folder on the host's root filesystem,
# dynamically linked as a user's programs are: $kipctests (a folder on the
# host, KIPC_TESTS of check.sh), else the repository's build/user/selftests.
testdir=${kipctests:-$kipcrepo/build/user/selftests}

# The test programs, as paths on the host's root filesystem.
test_programs() {
	local t

	[ "$hostfs" = 1 ] || return 0
	for t in "/host$testdir"/*_test; do
		[ -x "$t" ] && echo "${t#/host}"
	done
}

run_selftests() {
	local t ok=0

	if [ "$hostfs" != 1 ]; then
		say "no host root filesystem: no selftest can run"
		return 1
	fi
	for t in $(test_programs); do
		say "$(grep MemAvailable /proc/meminfo)"
		say "begin selftest ${t##*/}"
		host_run "$t" > "$out" 2>&1 || ok=1
		say "end"
		objects_left "${t##*/}"
	done
	return $ok
}

# The Python package's pytest suite (python/tests), with the host's
# python3 and the extension built in build/python, reported as KTAP by
# scripts/pytest_ktap.py; pytest's own report goes to the console's
# neighbour, /dev/null, as its "# " lines carry the failures.
run_python() {
	local ok=0

	if [ "$hostfs" != 1 ] || [ ! -d "/host$kipcrepo/build/python/kipc" ]; then
		say "begin selftest kipc_python"
		echo "not ok 1 kipc_python # no host root or no build/python" > "$out"
		say "end"
		return 1
	fi
	say "begin selftest kipc_python"
	host_run /usr/bin/env KIPC_KTAP_FD=3 \
		PYTHONPATH=build/python:scripts /usr/bin/python3 -m pytest \
		-p no:cacheprovider -p pytest_ktap python/tests \
		3> "$out" > /dev/null 2>&1 || ok=1
	say "end"
	objects_left kipc_python
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
		for t in $(test_programs); do
			# The fuzzer has a run of its own in every check.
			[ "${t##*/}" != kipc_fuzz_test ] || continue
			say "begin selftest ${t##*/} iteration $i seed $seed"
			host_run /usr/bin/env KIPC_SEED="$seed" \
				KIPC_ONLY="$KIPC_ONLY" "$t" > "$out" 2>&1 || ok=1
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
	host_run "$kipcrepo/build/user/selftests/kipc_faults" > "$out" 2>&1 || ok=1
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
	# kipc-dumpbench alone, or "python[:ARGS]" for tools/kipc-pybench.py
	# (the Python package against os.pipe and multiprocessing), or
	# "posix[:ARGS]" for kipc-posixbench (glibc against libkipc-posix,
	# default --compare -v -c 1, then -c 2); with none, kipc-bench and
	# kipc-dumpbench run.
	case "${kipcbench:-}" in
	posix)
		for c in 1 2; do
			host_run "$kipcrepo/build/user/tools/kipc-posixbench" \
				--compare -v -c "$c" -p 21 >> "$out" 2>&1 || rc=1
		done
		kipcbench=none
		;;
	posix:*)
		# shellcheck disable=SC2046
		host_run "$kipcrepo/build/user/tools/kipc-posixbench" \
			$(echo "${kipcbench#posix:}" | tr : ' ') > "$out" 2>&1 || rc=1
		kipcbench=none
		;;
	python|python:*)
		# shellcheck disable=SC2046
		host_run /usr/bin/env PYTHONPATH=build/python /usr/bin/python3 \
			tools/kipc-pybench.py $(echo "${kipcbench#python}" | tr : ' ') \
			> "$out" 2>&1 || rc=1
		kipcbench=none
		;;
	esac
	if [ "${kipcbench:-}" != dump ] && [ "${kipcbench:-}" != none ]; then
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
	run_python || rc=1
	;;
soak)
	run_soak || rc=1
	;;
debug)
	run_kunit || rc=1
	run_selftests || rc=1
	run_python || rc=1
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
