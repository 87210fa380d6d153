#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: install dependencies, build, boot the emulated SR-IOV host,
# show VF traffic between the PF and its VFs, then start a VM that owns VF0
# through igbvf-vfio-pci and live-migrate it with stock QEMU (its default
# downtime limit: the driver tracks the VF's DMA writes) to VF1 and back
# while it streams to this host and this host to it, and try a migration
# the destination must refuse; then boot two emulated hosts joined by one
# emulated cable and move a streaming VM from host A to host B and back
# over the network. Prints QEMU's downtime, the guest's traffic gap, the
# bytes checked, the device state's size and the driver's time per move.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
KVER=$("$here/prepare.sh" "$BUILD")
echo "=== booting the emulated SR-IOV host (TCG); the VM takes 3-5 minutes to boot in it"
T=tools/testing/selftests/shadowvf
"$here/run-l1.sh" --timeout 3600 --kver "$KVER" --images "$BUILD/images" \
	--out "$BUILD/demo" "$here/l1-main.sh" REPO="$REPO" BUILD="$BUILD" \
	TESTS="$T/l1_vf_traffic.sh $T/l2_migration.sh" TEST_TIMEOUT=3000 || st=$?
echo
echo "=== report (one host, VF0 -> VF1 -> VF0)"
grep -h -E '^# (migrate|driver time|stream|host -> guest|guest up|refused)' "$BUILD/demo/l2_migration.ktap" || true
cat "$BUILD/demo/migration-report.txt" 2>/dev/null || true
echo
echo "=== two emulated hosts on one cable: the VM moves A -> B -> A over the network"
"$here/run-pair.sh" --timeout 2700 --kver "$KVER" --images "$BUILD/images" \
	--out "$BUILD/demo-pair" REPO="$REPO" BUILD="$BUILD" \
	TESTS=$T/l2_two_hosts.sh TEST_TIMEOUT=2600 || st2=$?
echo
echo "=== report (two hosts)"
grep -h -E '^(ok|not ok|# (migrate|driver time|stream|host a -> guest|PF . -> guest))' \
	"$BUILD/demo-pair/a/l2_two_hosts.ktap" || true
cat "$BUILD/demo-pair/pair/two-hosts-report.txt" 2>/dev/null || true
exit "${st:-${st2:-0}}"
