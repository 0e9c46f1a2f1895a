#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Choose QEMU's accelerator and CPU model for the test VMs, trusting none
# that has not been seen to work here.  /dev/kvm can exist, and be
# writable, on a host whose KVM cannot run a guest (no VMX/SVM under a
# hypervisor: QEMU aborts in kvm_buf_set_msrs, or the guest hangs with no
# output).  So before KVM is used a tiny guest is booted on it, with a
# short timeout: KVM is used only if that guest reaches /init and powers
# off.  Otherwise the VMs run under software emulation (TCG), and one line
# says why.  The verdict is kept per machine (keyed by QEMU's version and
# the host's kernel release), so a warm run pays nothing.
#
# usage: vm-accel.sh KERNEL       prints "ACCEL CPU", e.g. "kvm host" or
#                                 "tcg,thread=multi max"
#        vm-accel.sh --distrust WHY
#                                 records that KVM failed a real run (WHY),
#                                 so that later runs use TCG at once
#
# Environment:
#   KIPC_VM_ACCEL          kvm or tcg: force it (a forced KVM that does not
#                          work is an error, never a silent fallback);
#                          unset or "auto": probe
#   KIPC_VM_PROBE_TIMEOUT  seconds the probe guest may take (default 20)
#   KIPC_VM_KVM_DEV        the KVM device (default /dev/kvm; for the
#                          harness's own tests)
#   KIPC_CACHE             cache folder (default $HOME/.cache/kipc)
# Exit status: 0 with a choice on standard output; 2 when KIPC_VM_ACCEL is
# invalid or a forced KVM does not work.  Messages go to standard error.
set -uo pipefail

TCG="tcg,thread=multi max"
KVM="kvm host"
cache=${KIPC_CACHE:-$HOME/.cache/kipc}/accel
dev=${KIPC_VM_KVM_DEV:-/dev/kvm}
probe_timeout=${KIPC_VM_PROBE_TIMEOUT:-20}
want=${KIPC_VM_ACCEL:-auto}

say() { printf 'vm: %s\n' "$*" >&2; }

# The verdict's file: one per QEMU version and host kernel.
verdict_file() {
	local qv key

	qv=$(qemu-system-x86_64 --version 2>/dev/null | head -n1)
	key=$(printf '%s|%s|%s' "$qv" "$(uname -r)" "$dev" | md5sum | cut -c1-16)
	echo "$cache/verdict-$key"
}

# An initramfs whose /init says it ran and powers off at once.
probe_initrd() {
	local out=$cache/probe.cpio.gz root

	[ -s "$out" ] && { echo "$out"; return; }
	root=$(mktemp -d) || return 1
	mkdir -p "$root/bin" "$cache"
	cp /bin/busybox "$root/bin/busybox" || { rm -rf "$root"; return 1; }
	cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox echo "kipc-probe: init ran"
/bin/busybox reboot -f
INIT
	chmod 0755 "$root" "$root/init"
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) |
		gzip -1 > "$out.tmp" && mv "$out.tmp" "$out"
	rm -rf "$root"
	echo "$out"
}

# probe KERNEL: boot the tiny guest on KVM.  Prints "ok" or the reason it
# failed, on one line.
probe_kvm() {
	local kernel=$1 initrd tmp rc reason

	initrd=$(probe_initrd) || { echo "could not build the probe's initramfs"; return; }
	tmp=$(mktemp -d)
	timeout -k 5 "$probe_timeout" qemu-system-x86_64 -nodefaults -no-reboot \
		-display none -machine q35 -accel kvm -cpu host -smp 2 -m 256 \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 quiet" -serial stdio \
		</dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" = 0 ] && grep -q 'kipc-probe: init ran' "$tmp/out"; then
		reason=ok
	elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		reason="a test guest did not reach /init in ${probe_timeout}s"
	else
		reason=$(grep -m1 -iE 'error|fail|assert|abort' "$tmp/err" |
			 cut -c1-160)
		[ -n "$reason" ] || reason=$(head -n1 "$tmp/err" | cut -c1-160)
		reason="QEMU exited with status $rc${reason:+: $reason}"
	fi
	rm -rf "$tmp"
	echo "$reason"
}

if [ "${1:-}" = --distrust ]; then
	mkdir -p "$cache" && echo "${2:-a run failed}" > "$(verdict_file)"
	exit
fi
kernel=${1:?usage: vm-accel.sh KERNEL | --distrust WHY}

case "$want" in
tcg)
	say "accelerator: TCG (KIPC_VM_ACCEL=tcg)"
	echo "$TCG"
	exit 0
	;;
kvm | auto) ;;
*)
	say "KIPC_VM_ACCEL must be kvm, tcg or auto, not '$want'"
	exit 2
	;;
esac

if [ ! -e "$dev" ]; then
	[ "$want" = kvm ] && { say "KIPC_VM_ACCEL=kvm but $dev does not exist"; exit 2; }
	say "accelerator: TCG (no $dev)"
	echo "$TCG"
	exit 0
fi
if [ ! -w "$dev" ] || [ ! -r "$dev" ]; then
	[ "$want" = kvm ] && { say "KIPC_VM_ACCEL=kvm but $dev is not usable by $(id -un)"; exit 2; }
	say "accelerator: TCG ($dev is not usable by $(id -un))"
	echo "$TCG"
	exit 0
fi

vf=$(verdict_file)
verdict=$(cat "$vf" 2>/dev/null)
cached=" (verdict cached in $vf)"
if [ -z "$verdict" ]; then
	say "probing KVM with a test guest (at most ${probe_timeout}s)"
	verdict=$(probe_kvm "$kernel")
	cached=""
	case "$verdict" in
	"could not"*) ;;	# says nothing about KVM: do not keep it
	*) mkdir -p "$cache" && echo "$verdict" > "$vf" ;;
	esac
fi

if [ "$verdict" = ok ]; then
	say "accelerator: KVM, seen to boot a test guest$cached"
	echo "$KVM"
	exit 0
fi
if [ "$want" = kvm ]; then
	say "KIPC_VM_ACCEL=kvm but KVM is unusable here ($verdict)"
	exit 2
fi
say "KVM present but unusable here ($verdict); using TCG"
echo "$TCG"
