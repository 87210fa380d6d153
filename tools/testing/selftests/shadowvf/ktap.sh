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

# wait_for SECONDS CMD...: poll CMD every 0.5 s until it succeeds.
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	while ! "$@" 2>/dev/null; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.5
	done
}

# ping_count CMD...: run a ping command line, print the replies received.
ping_count() {
	"$@" 2>/dev/null | sed -n 's/.* \([0-9]*\) packets received.*/\1/p;s/.* \([0-9]*\) received.*/\1/p' | head -n1
}
