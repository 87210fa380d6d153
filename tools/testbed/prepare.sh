#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Everything a run of the emulated host with nested VMs needs, for make
# demo, make bench and make soak: dependencies, the module, the selftests,
# the guest images and the nested VM's kernel (built once, then cached).
# Usage: prepare.sh BUILD-DIR; prints the kernel ABI (KVER) on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/../.." && pwd)
BUILD=$1
{
	"$here/deps.sh"
	KVER=$("$here/kver.sh")
	make -C "$REPO" KVER="$KVER" modules
	mkdir -p "$BUILD/modules/$KVER"
	cp "$REPO/drivers/vfio/pci/igbvf/igbvf-vfio-pci.ko" "$BUILD/modules/$KVER/"
	make -C "$REPO/tools/testing/selftests/shadowvf" OUTPUT="$BUILD/selftests"
	"$here/mkimages.sh" "$KVER" "$BUILD/images" "$BUILD/selftests/svf_stream"
	echo "=== the nested VM's kernel (built once, about 10 minutes, then cached)"
	l2k=$("$here/mkkernel.sh" l2 tinyconfig)
	cp "$l2k/arch/x86/boot/bzImage" "$BUILD/images/l2-bzImage"
} >&2
"$here/kver.sh"
