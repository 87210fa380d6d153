#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench / make soak (not part of make check): boots the emulated
# SR-IOV host and runs one long nested scenario in it.
#   bench.sh bench  tools/testing/selftests/shadowvf/l2_bench.sh: medians of
#                   live migrations of a VM with an igbvf-vfio-pci VF vs an
#                   emulated e1000e NIC, the driver's share, the device
#                   state's size, and the data-path throughput with
#                   igbvf-vfio-pci vs plain vfio-pci (BENCH_MIGRATIONS=N,
#                   default 5; Documentation/benchmarks.rst)
#   bench.sh soak   l2_soak.sh: SOAK_ROUNDS round trips (default 100) of a
#                   streaming VM, per-migration loss and resets, memory
#                   before and after
# Writes the report with the date and the machine to
# Documentation/benchmarks/MODE-DATE.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
MODE=${1:-bench}
case $MODE in
bench) var=BENCH_MIGRATIONS=${BENCH_MIGRATIONS:-5} ;;
soak) var=SOAK_ROUNDS=${SOAK_ROUNDS:-100} ;;
*) echo "usage: bench.sh bench|soak" >&2; exit 2 ;;
esac
KVER=$("$here/prepare.sh" "$BUILD")
"$here/run-l1.sh" --timeout 86400 --kver "$KVER" --images "$BUILD/images" \
	--out "$BUILD/$MODE" "$here/l1-main.sh" REPO="$REPO" BUILD="$BUILD" \
	TESTS="tools/testing/selftests/shadowvf/l2_$MODE.sh" TEST_TIMEOUT=86000 \
	"$var" || true
out=$REPO/Documentation/benchmarks/$MODE-$(date +%F).txt
mkdir -p "$(dirname "$out")"
{
	echo "shadowvf make $MODE ($var), $(date -u '+%F %H:%M UTC')"
	echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)," \
		"$(free -g | awk '/^Mem/ { print $2 }') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"), no KVM (TCG)"
	echo "QEMU: $(qemu-system-x86_64 --version | head -n1); emulated host kernel: $KVER"
	echo "commit: $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)"
	echo
	cat "$BUILD/$MODE/$MODE.txt"
} > "$out"
echo "=== $out"
cat "$out"
