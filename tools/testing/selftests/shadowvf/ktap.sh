# SPDX-License-Identifier: GPL-2.0
# KTAP output and small helpers for the shell selftests (sourced).

ktap_n=0
ktap_fails=0

ktap_header() {
	echo "KTAP version 1"
	echo "1..$1"
}

ktap_diag() {
	echo "# $*"
}

# ktap_result STATUS NAME [REASON]: STATUS 0 = ok, anything else = not ok.
ktap_result() {
	ktap_n=$((ktap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $ktap_n $2"
	else
		ktap_fails=$((ktap_fails + 1))
		echo "not ok $ktap_n $2${3:+ # $3}"
	fi
}

ktap_skip() {
	ktap_n=$((ktap_n + 1))
	echo "ok $ktap_n $1 # SKIP $2"
}

ktap_exit() {
	[ "$ktap_fails" = 0 ]
	exit $?
}

# wait_for SECONDS CMD...: poll CMD until it succeeds, first every 0.5 s,
# then less often (1, 2, then every 4 s): the emulated host has one vCPU,
# and a status check's grep pipeline run twice a second took the CPU its
# nested VM needed to print the status waited for.
wait_for() {
	local end=$(($(date +%s) + $1)) d=0.5
	shift
	while ! "$@" 2>/dev/null; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep $d
		case $d in
		0.5) d=1 ;;
		1) d=2 ;;
		*) d=4 ;;
		esac
	done
}

# ping_count CMD...: run a ping command line, print the replies received.
ping_count() {
	"$@" 2>/dev/null | sed -n 's/.* \([0-9]*\) packets received.*/\1/p;s/.* \([0-9]*\) received.*/\1/p' | head -n1
}

# Kernel log lines that fail a test: warnings, bugs, sanitizer, lockdep and
# hung-task reports.
KLOG_BAD='BUG:|WARNING:|Oops|KASAN|UBSAN|general protection fault|Call Trace:|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|sleeping function called from invalid context|INFO: task .* blocked|refcount_t:|list_add corruption|list_del corruption'

# ktap_harness EXTRA BIN [ARGS...]: run a kselftest_harness binary, its TAP
# turned into KTAP whose plan also counts EXTRA results the script adds
# after it (they continue its numbering). Line by line, unbuffered. Sets
# harness_st to the binary's exit status.
ktap_harness() {
	local extra=$1 plan line n=
	shift
	plan=$(mktemp)
	"$@" 2>&1 | {
		while IFS= read -r line; do
			case $line in
			"TAP version"*) echo "KTAP version 1" ;;
			1..*) [ -z "$n" ] && n=${line#1..} && line="1..$((n + extra))"
			      echo "$line" ;;
			*) echo "$line" ;;
			esac
		done
		echo "${n:-0}" > "$plan"
	}
	harness_st=${PIPESTATUS[0]}
	ktap_n=$(cat "$plan")
	rm -f "$plan"
	[ "$ktap_n" = 0 ] && ktap_header "$extra"
	return 0
}
