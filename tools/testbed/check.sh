#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: install dependencies, build, run every test (host-side checks,
# then the emulated SR-IOV host with its nested VMs), print per-stage
# timings and a final "N passed, N failed" line. Exit status 0 only if
# nothing failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
RES=$BUILD/results
passed=0 failed=0 skipped=0
stages=()

stage_start() { stage_name=$1; stage_t0=$SECONDS; echo "=== stage: $1"; }
stage_end() { stages+=("$(printf '%-28s %4d s' "$stage_name" $((SECONDS - stage_t0)))"); }

# result STATUS NAME [DETAIL]: a host-side test result.
result() {
	if [ "$1" = 0 ]; then
		passed=$((passed + 1)); echo "ok - $2"
	else
		failed=$((failed + 1)); echo "not ok - $2${3:+ # $3}"
	fi
}

# count_ktap FILE...: add the top-level results of KTAP files.
count_ktap() {
	local f p fl s
	for f in "$@"; do
		[ -f "$f" ] || continue
		p=$(grep -cE '^ok [0-9]+ ' "$f")
		s=$(grep -cE '^ok [0-9]+ .*# SKIP' "$f")
		fl=$(grep -cE '^not ok [0-9]+ ' "$f")
		passed=$((passed + p - s)); skipped=$((skipped + s)); failed=$((failed + fl))
		grep -E '^not ok [0-9]+ ' "$f" | sed "s|^|FAILED $(basename "$f" .ktap): |"
	done
}

summary() {
	echo
	echo "=== per-stage wall time"
	printf '%s\n' "${stages[@]}"
	echo "total                        $SECONDS s"
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
}

stage_start deps
if ! "$here/deps.sh"; then
	result 1 deps_installed "tools/testbed/deps.sh failed"
	stage_end; summary; exit 1
fi
stage_end
KVER=$("$here/kver.sh")
echo "kernel: $KVER"

stage_start build
mkdir -p "$BUILD"
make -C "$REPO" KVER="$KVER" modules > "$BUILD/build.log" 2>&1 || true
mkdir -p "$BUILD/modules/$KVER"
ko=$REPO/drivers/vfio/pci/igbvf/igbvf-vfio-pci.ko
if [ -f "$ko" ] && ! grep -q 'warning:' "$BUILD/build.log"; then
	cp "$ko" "$BUILD/modules/$KVER/"
	result 0 module_builds_without_warnings
else
	cat "$BUILD/build.log"
	result 1 module_builds_without_warnings
	stage_end; summary; exit 1
fi
if make -C "$REPO/tools/testing/selftests/shadowvf" OUTPUT="$BUILD/selftests" \
	> "$BUILD/selftests.log" 2>&1 && ! grep -q 'warning:' "$BUILD/selftests.log"; then
	result 0 selftests_build_without_warnings
else
	cat "$BUILD/selftests.log"
	result 1 selftests_build_without_warnings
fi
modinfo "$ko" | grep -q '^alias: *vfio_pci:v00008086d000010CAsv\*sd\*bc\*sc\*i\*$'
result $? module_alias_vfio_pci "modules.alias needs the vfio_pci: entry"
stage_end

stage_start static-checks
cp_pl=${SHADOWVF_CACHE:-/var/cache/shadowvf}/linux-source-6.12/scripts/checkpatch.pl
srcs=$(cd "$REPO" && git ls-files 'drivers/*.[ch]' 'include/*.h' 'tools/testing/selftests/shadowvf/*.[ch]')
out=$(cd "$REPO" && perl "$cp_pl" --strict --no-tree --quiet --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f $srcs 2>&1)
[ -z "$out" ]
result $? checkpatch_strict_clean "$(echo "$out" | grep -cE '^(ERROR|WARNING|CHECK)') findings"
[ -n "$out" ] && echo "$out"
out=$(make -C "$REPO" KVER="$KVER" C=2 modules 2>&1 | grep -E 'warning|error' || true)
[ -z "$out" ]
result $? sparse_clean "$out"
stage_end

stage_start images
"$here/mkimages.sh" "$KVER" "$BUILD/images" || { result 1 images_built; stage_end; summary; exit 1; }
stage_end

# The harness must notice the QEMU VF-BAR bug rather than time out in a
# traffic test: boot once without the workaround and expect the BAR check
# to fail L1 and the host command.
stage_start l2-kernel
if l2k=$("$here/mkkernel.sh" l2 tinyconfig 2> "$BUILD/l2-kernel.log"); then
	cp "$l2k/arch/x86/boot/bzImage" "$BUILD/images/l2-bzImage"
	result 0 l2_kernel_built
else
	tail -n 40 "$BUILD/l2-kernel.log"
	result 1 l2_kernel_built
fi
stage_end

stage_start harness-selftest
out=$BUILD/results-nobarfix
"$here/run-l1.sh" --quiet --no-bar-fix --timeout 300 --kver "$KVER" \
	--images "$BUILD/images" --out "$out" "$here/l1-main.sh" \
	REPO="$REPO" BUILD="$BUILD" TESTS=""
st=$?
[ $st = 1 ] && grep -q '^not ok 3 vf_bars_below_4g # VF BARs above 4 GiB' "$out/bed.ktap"
result $? harness_detects_vf_bars_above_4g "exit $st, $(grep vf_bars "$out/bed.ktap" 2>/dev/null)"
stage_end

stage_start emulated-host
TESTS="tools/testing/selftests/shadowvf/l1_vf_traffic.sh
tools/testing/selftests/shadowvf/vfio_mig_uapi.sh
tools/testing/selftests/shadowvf/vfio_datapath.sh
tools/testing/selftests/shadowvf/l2_vfio_pci_baseline.sh"
"$here/run-l1.sh" --timeout 2400 --kver "$KVER" --images "$BUILD/images" \
	--out "$RES" "$here/l1-main.sh" REPO="$REPO" BUILD="$BUILD" \
	TESTS="$(echo $TESTS)"
st=$?
echo "L1 exit status $st; results and serial log in $RES"
[ $st = 124 ] && result 1 emulated_host_finished_in_time
[ $st = 125 ] && result 1 emulated_host_wrote_results
count_ktap "$RES"/*.ktap
stage_end

summary
[ "$failed" = 0 ]
