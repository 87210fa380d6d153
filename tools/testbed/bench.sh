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
# Writes the report with the date, the machine and the commit to
# Documentation/benchmarks/MODE-DATE.txt (bench-PARTS-DATE.txt for a run of
# only some BENCH_PARTS; -2, -3... for later runs on the same day).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
MODE=${1:-bench}
case $MODE in
bench)
	vars=("BENCH_MIGRATIONS=${BENCH_MIGRATIONS:-5}" "BENCH_WINDOWS=${BENCH_WINDOWS:-5}"
	      "BENCH_PARTS=${BENCH_PARTS:-migration throughput}")
	[ -n "${BENCH_SERIES:-}" ] && vars+=("BENCH_SERIES=$BENCH_SERIES")
	[ -n "${L2_NICE:-}" ] && vars+=("L2_NICE=$L2_NICE")
	# a run of only some parts gets its own report
	suffix=${BENCH_PARTS:+-${BENCH_PARTS// /-}} ;;
soak) vars=("SOAK_ROUNDS=${SOAK_ROUNDS:-100}") suffix= ;;
*) echo "usage: bench.sh bench|soak" >&2; exit 2 ;;
esac
# the tree the figures belong to, before anyone commits during the run
commit=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)
KVER=$("$here/prepare.sh" "$BUILD")
rm -rf "$BUILD/$MODE"/timeline-*
"$here/run-l1.sh" --timeout 86400 --kver "$KVER" --images "$BUILD/images" \
	--out "$BUILD/$MODE" "$here/l1-main.sh" REPO="$REPO" BUILD="$BUILD" \
	TESTS="tools/testing/selftests/shadowvf/l2_$MODE.sh" TEST_TIMEOUT=86000 \
	"${vars[@]}" || true
out=$REPO/Documentation/benchmarks/$MODE$suffix-$(date +%F)
# a second run on one day must not overwrite the first's report
if [ -e "$out.txt" ]; then
	n=2
	while [ -e "$out-$n.txt" ]; do n=$((n + 1)); done
	out=$out-$n
fi
out=$out.txt
mkdir -p "$(dirname "$out")"
{
	echo "shadowvf make $MODE (${vars[*]}), $(date -u '+%F %H:%M UTC')"
	echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)," \
		"$(free -g | awk '/^Mem/ { print $2 }') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"), no KVM (TCG)"
	echo "QEMU: $(qemu-system-x86_64 --version | head -n1); emulated host kernel: $KVER"
	echo "commit: $commit"
	echo
	cat "$BUILD/$MODE/$MODE.txt"
} > "$out"
# each move's timeline (text and picture) beside the report
tl=${out%.txt}-timelines
if ls "$BUILD/$MODE"/timeline-*.txt > /dev/null 2>&1; then
	mkdir -p "$tl"
	cp "$BUILD/$MODE"/timeline-*.txt "$tl/"
	cp "$BUILD/$MODE"/timeline-*.png "$tl/" 2> /dev/null || true
	echo "timelines: $(basename "$tl")/ ($(ls "$tl" | wc -l) files)" >> "$out"
fi
echo "=== $out"
cat "$out"
