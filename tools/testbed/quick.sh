#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make quick: the developers' inner loop. Builds the module, the selftests,
# the tools and the images (dependencies and the nested VM's kernel as
# make check installs and caches them), then boots the emulated host once
# on Debian's kernel and runs every L1-level test of make check plus one
# nested round trip (l2_soak.sh with SOAK_ROUNDS=1: a VM streaming both
# ways moves VF0 -> VF1 -> VF0 with dirty tracking on, both streams
# byte-checked, no page left pinned). Prints "N passed, N failed" and the
# wall time. Not a substitute for make check: no debug kernel, no two
# hosts, no libvirt, no static checks (Documentation/testbed.rst).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
. "$here/checklib.sh"

KVER=$("$here/prepare.sh" "$BUILD") || { echo "quick: prepare.sh failed" >&2; exit 1; }
make -s -C "$REPO" BUILD="$BUILD" tools > "$BUILD/tools.log" 2>&1
result $? tools_build "see $BUILD/tools.log"
t0=$SECONDS
out=$BUILD/results-quick
rm -rf "$out"
run_l1 "$KVER" "$BUILD/images" "$out" "${QUICK_TIMEOUT:-1500}" \
	"$L1_TESTS $T/l2_soak.sh" "" SOAK_ROUNDS=1
klog_clean "kernel_log_clean ($KVER)" "$out"
[ -f "$out/soak.txt" ] && cat "$out/soak.txt"
grep -h '^# [a-z0-9_]*: exit [0-9]* after' "$out"/*.ktap
echo "emulated host: $((SECONDS - t0)) s; total $SECONDS s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
