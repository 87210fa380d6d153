#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: install dependencies, build, boot the emulated SR-IOV host,
# show VF traffic between the PF and its VFs, then migrate a running VF
# data path from VF0 to VF1 with igbvf-vfio-pci (a user-space VF driver
# streams numbered frames; the frame accounting is printed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
"$here/deps.sh"
KVER=$("$here/kver.sh")
make -C "$REPO" KVER="$KVER" modules
mkdir -p "$BUILD/modules/$KVER"
cp "$REPO/drivers/vfio/pci/igbvf/igbvf-vfio-pci.ko" "$BUILD/modules/$KVER/"
make -C "$REPO/tools/testing/selftests/shadowvf" OUTPUT="$BUILD/selftests"
"$here/mkimages.sh" "$KVER" "$BUILD/images"
echo "=== booting the emulated SR-IOV host (TCG, about 20 s)"
"$here/run-l1.sh" --timeout 600 --kver "$KVER" --images "$BUILD/images" \
	--out "$BUILD/demo" "$here/l1-main.sh" REPO="$REPO" BUILD="$BUILD" \
	TESTS="tools/testing/selftests/shadowvf/l1_vf_traffic.sh tools/testing/selftests/shadowvf/vfio_datapath.sh"
