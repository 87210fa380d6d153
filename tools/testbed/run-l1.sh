#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the emulated SR-IOV host (L1) under TCG and run a script inside it.
#
# Usage: run-l1.sh [options] SCRIPT [VAR=VALUE ...]
#   --kver KVER       kernel ABI (default: tools/testbed/kver.sh)
#   --images DIR      where mkimages.sh put the initramfs images
#   --out DIR         results share, mounted at /results in L1 (KTAP files,
#                     l1-serial.log); VAR=VALUE pairs land in DIR/env
#   --timeout SEC     hard limit for the whole boot (default 900)
#   --no-bar-fix      leave out the VF-BAR workaround (harness self-test)
#   --append ARGS     more kernel command-line arguments
#   --quiet           do not echo the serial console
# Options for a pair of emulated hosts (run-pair.sh); without them the
# adapter's wire side is a hub port with no peer:
#   --name NAME       QEMU's -name (the process is then easy to tell apart)
#   --mac MAC         the igb PF's MAC (two L1s on one wire need distinct ones)
#   --netdev-unix-server PATH  the igb's wire side listens on a unix socket
#   --netdev-unix-client PATH  ... or connects (and reconnects) to one: two
#                     L1s so joined share one emulated cable
#   --share DIR       one more 9p share, tag "pair" (L1 mounts it itself)
# Exit status: that of SCRIPT as written to /results/exit, 124 on timeout,
# 125 when L1 ended without writing one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CACHE=${SHADOWVF_CACHE:-/var/cache/shadowvf}
KVER= IMAGES= OUT= TIMEOUT=900 BARFIX=1 QUIET=0 APPEND=
NAME= MAC= NETSRV= NETCLI= SHARE=
while [ $# -gt 0 ]; do
	case $1 in
	--kver) KVER=$2; shift 2 ;;
	--images) IMAGES=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--no-bar-fix) BARFIX=0; shift ;;
	--append) APPEND=$2; shift 2 ;;
	--quiet) QUIET=1; shift ;;
	--name) NAME=$2; shift 2 ;;
	--mac) MAC=$2; shift 2 ;;
	--netdev-unix-server) NETSRV=$2; shift 2 ;;
	--netdev-unix-client) NETCLI=$2; shift 2 ;;
	--share) SHARE=$2; shift 2 ;;
	*) break ;;
	esac
done
SCRIPT=$(realpath "$1"); shift
[ -n "$KVER" ] || KVER=$("$here/kver.sh")
[ -n "$OUT" ] && [ -n "$IMAGES" ] || { echo "run-l1: --out and --images are required" >&2; exit 2; }
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
rm -f "$OUT"/*.ktap "$OUT/exit" "$OUT/l1-serial.log" "$OUT/l1-dmesg.log" "$OUT/kmemleak.log"
{
	echo "KVER=$KVER"
	echo "CACHE=$CACHE"
	for kv in "$@"; do printf "%s='%s'\n" "${kv%%=*}" "${kv#*=}"; done
} > "$OUT/env"

KERNEL=$CACHE/kernel/$KVER/boot/vmlinuz-$KVER
[ -r "$KERNEL" ] || { echo "run-l1: no kernel $KERNEL (run deps.sh)" >&2; exit 2; }

# -smp 1: with two vCPUs under MTTCG, L1 intermittently lost timer wakeups
# on its second CPU (RCU stall reports "timer wakeup didn't happen" and a
# test blocked forever); one vCPU is also faster here (54 s vs 91 s).
# no_timer_check: on a loaded machine (two L1s and a kernel build on two
# cores) L1's early IO-APIC timer check timed out and, with interrupt
# remapping on, the kernel panicked ("timer doesn't work through
# Interrupt-remapped IO-APIC"); the L2 kernels already skip the check.
# -m 2G: with RAM above 4 GiB the firmware opens a 64-bit PCI window even
# with pci-hole64-size=0 and the VF BARs land there (see the BAR check).
args=(-accel "tcg,thread=${L1_THREAD:-multi}" -cpu "${L1_CPU:-max}" -m 2G -smp "${L1_SMP:-1}"
      -M q35,kernel-irqchip=split
      -device intel-iommu,intremap=on,caching-mode=on
      -kernel "$KERNEL" -initrd "$IMAGES/l1-initramfs.cpio.gz"
      -append "console=ttyS0 intel_iommu=on panic=-1 loglevel=4 no_timer_check shadowvf.script=$SCRIPT $APPEND"
      -fsdev local,id=hr,path=/,security_model=none,readonly=on
      -device virtio-9p-pci,fsdev=hr,mount_tag=hostroot,addr=4
      -fsdev "local,id=res,path=$OUT,security_model=none"
      -device virtio-9p-pci,fsdev=res,mount_tag=results,addr=5
      # The adapter's wire side is a hub port with no peer: every frame
      # stays inside the emulated adapter (VMDq loopback between PF and VFs).
      -netdev hubport,id=n0,hubid=0 -device igb,netdev=n0,addr=3
      -display none -monitor none -serial "file:$OUT/l1-serial.log"
      -no-reboot)
# QEMU 10.0.2 decodes the igb VF BARs as 32-bit: with no 64-bit PCI hole
# the guest places them below 4 GiB where they work.
[ $BARFIX = 1 ] && args+=(-global q35-pcihost.pci-hole64-size=0)
# A pair of hosts: the igb's wire side becomes one end of a stream netdev
# over a unix socket (the server end listens, the client reconnects every
# 500 ms until the server is there), replacing the hub port.
if [ -n "$NETSRV$NETCLI$MAC" ]; then
	if [ -n "$NETSRV" ]; then
		nd="stream,id=n0,server=on,addr.type=unix,addr.path=$NETSRV"
	elif [ -n "$NETCLI" ]; then
		nd="stream,id=n0,server=off,reconnect-ms=500,addr.type=unix,addr.path=$NETCLI"
	else
		nd=hubport,id=n0,hubid=0
	fi
	for i in "${!args[@]}"; do
		case ${args[$i]} in
		hubport,id=n0,hubid=0) args[$i]=$nd ;;
		igb,netdev=n0,addr=3) args[$i]="igb,netdev=n0,addr=3${MAC:+,mac=$MAC}" ;;
		esac
	done
fi
[ -n "$NAME" ] && args+=(-name "$NAME")
if [ -n "$SHARE" ]; then
	mkdir -p "$SHARE"
	args+=(-fsdev "local,id=pair,path=$(realpath "$SHARE"),security_model=none"
	       -device virtio-9p-pci,fsdev=pair,mount_tag=pair,addr=6)
fi

qemu-system-x86_64 "${args[@]}" </dev/null >"$OUT/qemu.log" 2>&1 &
qpid=$!
cleanup() {
	if kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null || true
		sleep 1
		kill -9 "$qpid" 2>/dev/null || true
	fi
	[ -n "${tpid:-}" ] && kill "$tpid" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
touch "$OUT/l1-serial.log"
if [ $QUIET = 0 ]; then
	tail -n +1 -F "$OUT/l1-serial.log" 2>/dev/null | sed -u 's/^/  L1| /' &
	tpid=$!
fi
deadline=$((SECONDS + TIMEOUT))
while kill -0 "$qpid" 2>/dev/null; do
	if [ $SECONDS -ge $deadline ]; then
		echo "run-l1: L1 exceeded ${TIMEOUT}s, killing QEMU pid $qpid" >&2
		cleanup
		exit 124
	fi
	sleep 1
done
wait "$qpid" || true
sleep 0.5
if [ ! -f "$OUT/exit" ]; then
	echo "run-l1: L1 ended without a result; serial log: $OUT/l1-serial.log" >&2
	tail -n 30 "$OUT/qemu.log" >&2 || true
	exit 125
fi
exit "$(cat "$OUT/exit")"
