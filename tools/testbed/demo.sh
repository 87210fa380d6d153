#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: install dependencies, build, boot the emulated SR-IOV host,
# show VF traffic between the PF and its VFs, then start a VM that owns VF0
# through igbvf-vfio-pci and live-migrate it with stock QEMU (its default
# downtime limit: the driver tracks the VF's DMA writes) to VF1 and back
# while it streams to this host and this host to it, and try a migration
# the destination must refuse. Prints QEMU's downtime, the guest's traffic gap, the bytes
# checked, the device state's size and the driver's time for each move.
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
echo "=== report"
grep -h -E '^# (migrate|driver time|stream|host -> guest|guest up|refused)' "$BUILD/demo/l2_migration.ktap" || true
cat "$BUILD/demo/migration-report.txt" 2>/dev/null || true
exit "${st:-0}"
