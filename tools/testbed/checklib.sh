# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# What make check and make quick share (sourced): the test lists and the
# counting of results.

passed=0 failed=0 skipped=0

# The L1-level tests (one boot of the emulated host each, on Debian's
# kernel and on the debug kernel) and the nested (L2) ones make check
# runs once, on Debian's kernel.
T=tools/testing/selftests/shadowvf
L1_TESTS="$T/l1_vf_traffic.sh $T/vfio_mig_uapi.sh $T/vfio_blob_fuzz.sh $T/vfio_datapath.sh $T/vfio_dirty.sh $T/vfio_hostile.sh $T/vfio_observe.sh $T/vfio_faults.sh"
L2_TESTS="$T/l2_vfio_pci.sh $T/l2_migration.sh"

# result STATUS NAME [DETAIL]: a host-side test result.
result() {
	if [ "$1" = 0 ]; then
		passed=$((passed + 1)); echo "ok - $2"
	else
		failed=$((failed + 1)); echo "not ok - $2${3:+ # $3}"
	fi
}

# count_ktap FILE...: add the top-level results of KTAP files. A file that
# is missing (its test never ran) or has fewer results than its plan (the
# test died or timed out) counts one failure more.
count_ktap() {
	local f p fl s n name
	for f in "$@"; do
		name=$(basename "$f" .ktap)
		if [ ! -f "$f" ]; then
			failed=$((failed + 1))
			echo "FAILED $name: no results (the test did not run)"
			continue
		fi
		p=$(grep -cE '^ok [0-9]+ ' "$f")
		s=$(grep -cE '^ok [0-9]+ .*# SKIP' "$f")
		fl=$(grep -cE '^not ok [0-9]+ ' "$f")
		passed=$((passed + p - s)); skipped=$((skipped + s)); failed=$((failed + fl))
		grep -E '^not ok [0-9]+ ' "$f" | sed "s|^|FAILED $name: |"
		n=$(grep -m1 -oE '^1\.\.[0-9]+' "$f" | cut -c4-)
		if [ -n "$n" ] && [ $((p + fl)) -lt "$n" ]; then
			failed=$((failed + 1))
			echo "FAILED $name: $((p + fl)) of $n planned results"
		fi
	done
}

# klog_clean NAME DIR: no kernel warning, bug, sanitizer, lockdep or leak
# report in the L1 kernel log (and kmemleak's report) kept in DIR.
klog_clean() {
	local bad=
	if [ ! -s "$2/l1-dmesg.log" ]; then
		result 1 "$1" "no kernel log in $2"
		return
	fi
	bad=$(grep -E 'BUG:|WARNING:|Oops|KASAN|UBSAN|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|sleeping function called from invalid context|INFO: task .* blocked|general protection fault' "$2/l1-dmesg.log")
	[ -s "$2/kmemleak.log" ] && bad="$bad
$(head -n 40 "$2/kmemleak.log")"
	[ -z "$bad" ]
	result $? "$1" "kernel log: $(echo "$bad" | head -n 1)"
	[ -n "$bad" ] && echo "$bad" | head -n 80
}

# l1_args KVER IMAGES OUT TIMEOUT TESTS [KERNEL-ARGS [VAR=VALUE...]]: the
# run-l1.sh command line of one boot of the emulated host running TESTS.
l1_args() {
	l1cmd=("$here/run-l1.sh" --quiet --timeout "$4" --kver "$1" --images "$2"
		--append "${6:-}" --out "$3" "$here/l1-main.sh" REPO="$REPO" BUILD="$BUILD"
		TESTS="$5" TEST_TIMEOUT=2400 "${@:7}")
}

# l1_collect KVER OUT STATUS TESTS: count the results of one boot (run-l1.sh's
# exit STATUS; a test that did not run or ended early counts as failed).
l1_collect() {
	local st=$3 p0=$passed f0=$failed t f files=$2/bed.ktap
	echo "L1 ($1) exit status $st; results and serial log in $2"
	[ "$st" = 124 ] && result 1 "emulated_host_finished_in_time ($1)"
	[ "$st" = 125 ] && result 1 "emulated_host_wrote_results ($1)"
	for f in "$2"/*.ktap; do
		echo "--- $(basename "$f")"
		cat "$f"
	done
	for t in $4; do t=${t##*/}; files="$files $2/${t%.*}.ktap"; done
	count_ktap $files
	grep -m1 'Linux version' "$2/l1-dmesg.log"
	echo "suite on $1: $((passed - p0)) passed, $((failed - f0)) failed"
}

# run_l1 KVER IMAGES OUT TIMEOUT TESTS [KERNEL-ARGS [VAR=VALUE...]]: one
# boot of the emulated host running TESTS, every result counted.
run_l1() {
	l1_args "$@"
	"${l1cmd[@]}"
	l1_collect "$1" "$3" $? "$5"
}
