#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VM (busybox).  The kernel command line chooses what to
# do with kipcvm=demo|check.  Test output goes to the second serial port
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
say() { echo "kipc-vm: $*" > "$out"; }

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

rc=0
case "$kipcvm" in
demo)
	/bin/kipc-demo || rc=1
	;;
check)
	for t in /tests/*; do
		[ -x "$t" ] || continue
		say "running $t"
		"$t" > "$out" 2>&1 || rc=1
	done
	;;
*)
	say "unknown mode '$kipcvm'"
	rc=1
	;;
esac

# Unloading must work once every fd is closed, and free everything.
if ! rmmod kipc; then
	say "rmmod failed"
	rc=1
fi
finish "$rc"
