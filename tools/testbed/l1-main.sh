#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the emulated SR-IOV host (L1): brings up the igb PF and its
# VFs, checks the VF BAR placement, loads igbvf-vfio-pci, then runs each
# test named in TESTS (paths relative to REPO) and stores its KTAP output in
# /results/NAME.ktap. Writes the exit status to /results/exit and powers off.
set -u
# the VAR=VALUE pairs given to run-l1.sh reach every test
set -a
. /results/env
set +a
. "$REPO/tools/testing/selftests/shadowvf/ktap.sh"
export REPO BUILD KVER CACHE
PF=0000:00:03.0
export PF VF0=0000:00:13.0 VF1=0000:00:13.2

finish() {
	echo "$1" > /results/exit
	sync
	echo "l1: done, exit $1"
	busybox poweroff -f
	sleep 60
}

bed() {
	ktap_header 5
	mkdir -p "/lib/modules/$KVER"
	mount --bind "$CACHE/kernel/$KVER/lib/modules/$KVER" "/lib/modules/$KVER"
	ip link set lo up
	modprobe igb
	wait_for 10 test -d /sys/bus/pci/devices/$PF/net
	ktap_result $? igb_pf_probed
	[ $ktap_fails = 0 ] || return 1
	PFIF=$(ls /sys/bus/pci/devices/$PF/net | head -n1)
	echo 2 > /sys/bus/pci/devices/$PF/sriov_numvfs
	wait_for 10 test -e /sys/bus/pci/devices/$VF1
	ktap_result $? sriov_vfs_created
	[ $ktap_fails = 0 ] || return 1
	# Lines 8 and 11 of the PF resource file: the IOV BARs 0 and 3.
	bad=
	for line in 8 11; do
		start=$(sed -n "${line}p" /sys/bus/pci/devices/$PF/resource | cut -d' ' -f1)
		if [ $((start >= 0x100000000)) = 1 ]; then
			bad="$bad line$line=$start"
		fi
	done
	if [ -n "$bad" ]; then
		ktap_result 1 vf_bars_below_4g "VF BARs above 4 GiB ($bad): QEMU's igb decodes VF BARs as 32-bit, boot L1 with -global q35-pcihost.pci-hole64-size=0"
		echo "l1: FATAL: VF BARs above 4 GiB ($bad); VF MMIO would silently hit nothing" > /dev/console
		return 1
	fi
	ktap_result 0 vf_bars_below_4g
	ip link set "$PFIF" up
	# PF_ADDR: the second host of a pair (run-pair.sh) takes another address
	ip addr add "${PF_ADDR:-198.18.0.1/24}" dev "$PFIF"
	wait_for 15 grep -q 1 /sys/class/net/$PFIF/carrier
	ktap_result $? pf_link_up
	modprobe vfio-pci
	insmod "$BUILD/modules/$KVER/igbvf-vfio-pci.ko"
	ktap_result $? module_loaded
	echo "$PFIF" > /tmp/pfif
	[ $ktap_fails = 0 ]
}

echo "l1: $(uname -r), $(nproc) cpus"
bed > /results/bed.ktap 2>&1
st=$?
cat /results/bed.ktap
[ $st = 0 ] || finish 1
export PFIF=$(cat /tmp/pfif)

# L2_READY: make check boots this host while the nested VMs' kernel is still
# being built; the nested (l2_*) tests wait for the file it writes when the
# kernel is in place (L2_KERNEL), or for L2_READY.failed if the build failed.
wait_l2_kernel() {
	[ -n "${L2_READY:-}" ] || return 0
	w0=$(date +%s)
	while [ ! -e "$L2_READY" ] && [ ! -e "$L2_READY.failed" ] &&
		[ $(($(date +%s) - w0)) -lt "${L2_READY_TIMEOUT:-1800}" ]; do
		sleep 2
	done
	echo "l1: waited $(($(date +%s) - w0)) s for the nested VMs' kernel ($(ls "$L2_READY" 2>/dev/null || echo missing))"
	L2_READY=
}

rc=0
for t in $TESTS; do
	name=$(basename "$t"); name=${name%.*}
	case $name in l2_*) wait_l2_kernel ;; esac
	echo "l1: running $name"
	start=$(date +%s)
	# the console follows each test as it runs
	{ timeout "${TEST_TIMEOUT:-600}" "$REPO/$t" 2>&1; echo $? > /tmp/test.st; } |
		tee "/results/$name.ktap"
	st=$(cat /tmp/test.st)
	echo "# $name: exit $st after $(($(date +%s) - start)) s" | tee -a "/results/$name.ktap"
	[ $st = 0 ] || rc=1
done
# A debug kernel's leak detector: scan now (twice: an object is reported
# only once it has stayed unreferenced across scans) and keep the report.
mount -t debugfs none /sys/kernel/debug 2>/dev/null
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 5
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > /results/kmemleak.log
fi
dmesg > /results/l1-dmesg.log
finish $rc
