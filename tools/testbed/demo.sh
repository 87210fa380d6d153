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
echo
echo "=== timelines of the moves in one host (traffic per column, the VM's window, the driver's phases)"
for f in "$BUILD"/demo/timeline-*.txt; do [ -f "$f" ] && { cat "$f"; echo; }; done
# the short version
echo "=== summary"
echo "one emulated host, a VM owning an 82576 VF moved with stock QEMU (VF0 -> VF1 -> VF0):"
sed -n 's/^\([a-z]\) -> \([a-z]\): downtime \([^,]*\), traffic gap \([0-9]* ms\).*device state \([0-9]*\) bytes.*/  VM \1 -> \2: downtime \3, guest traffic gap \4, device state \5 bytes/p' \
	"$BUILD/demo/migration-report.txt" 2>/dev/null
sed -n 's/^# stream: bytes \([0-9]*\) bad_offset \(-*[0-9]*\) conns \([0-9]*\).*/  guest -> host stream: \1 bytes checked, first bad byte \2 (-1: none), \3 connection(s)/p' \
	"$BUILD/demo/l2_migration.ktap" 2>/dev/null | tail -n 1
sed -n 's/^# host -> guest: rx bytes \([0-9]*\) bad_offset \(-*[0-9]*\) conns \([0-9]*\).*/  host -> guest stream: \1 bytes checked, first bad byte \2, \3 connection(s)/p' \
	"$BUILD/demo/l2_migration.ktap" 2>/dev/null | tail -n 1
if grep -q '^ok [0-9]* migration_to_pinned_mac_fails' "$BUILD/demo/l2_migration.ktap" 2>/dev/null &&
	grep -q '^ok [0-9]* source_runs_after_refusal' "$BUILD/demo/l2_migration.ktap"; then
	echo "  a move the destination could not take (its PF pinned another MAC) was refused; the VM kept running"
else
	echo "  the refused move did not behave as it should: see $BUILD/demo/l2_migration.ktap"
fi
# each move's split (timeline.py's last line) and what a peer would see
for f in "$BUILD"/demo/timeline-*.txt; do
	[ -f "$f" ] || continue
	kv=$(sed -n 's/^timeline: //p' "$f")
	v() { echo "$kv" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
	echo "  $(head -n 1 "$f" | sed 's/^timeline \(.*\): 1 column.*/\1/'): the bed's gap $(v up_gap) ms" \
		"($(v up_before) before STOP, $(v nowhere) nowhere, $(v up_after) after RESUME, in which the" \
		"destination QEMU, new to the guest's code, had $(v cpu_post_dst)% of the host's vCPU);" \
		"a peer on a real host would see about $(v peer) ms"
done
echo "  pictures: $(ls "$BUILD"/demo/timeline-*.png 2>/dev/null | tr '\n' ' ')"
echo "two emulated hosts on one cable (A -> B -> A over the network):"
sed 's/^/  /' "$BUILD/demo-pair/pair/two-hosts-report.txt" 2>/dev/null | head -n 6
n() { local c; c=$(grep -c "$1" "$2" 2>/dev/null); echo "${c:-0}"; }
echo "  tests: $(n '^ok' "$BUILD/demo/l2_migration.ktap") passed," \
	"$(n '^not ok' "$BUILD/demo/l2_migration.ktap") failed in one host;" \
	"$(n '^ok' "$BUILD/demo-pair/a/l2_two_hosts.ktap") passed," \
	"$(n '^not ok' "$BUILD/demo-pair/a/l2_two_hosts.ktap") failed on two hosts"
exit "${st:-${st2:-0}}"
