# SPDX-License-Identifier: GPL-2.0
# Two emulated hosts (tools/testbed/run-pair.sh), sourced by bash tests: a
# command channel through the pair's shared directory (/pair, 9p without
# caching, so each host sees the other's files at once). Host a runs the
# test and calls "on b CMD ARGS..."; host b runs pair_serve, which runs
# each command in its own shell (so the helpers of l2lib.sh keep their
# state there: l2_start in one command, l2_qmp and l2_quit in later ones)
# and hands back its output and exit status.

PAIR=${PAIR:-/pair}
# PAIR_TAG: a second pair test in the same boot of the hosts keeps its
# commands, its stop and its ready files apart from the first one's
PAIR_TAG=${PAIR_TAG:-}
RPC=$PAIR/rpc$PAIR_TAG
RPC_TIMEOUT=${RPC_TIMEOUT:-1200}
# the number of the last command sent, in a file: "on" often runs in a
# command substitution, whose variables die with it
RPC_SEQ=/tmp/pair-rpc$PAIR_TAG.seq

# on HOST CMD [ARGS...]: run CMD on HOST (this host: directly), print its
# standard output, return its status (124: no answer within RPC_TIMEOUT,
# 125: that host is gone).
on() {
	local h=$1 n t=0
	shift
	if [ "$h" = "$HOST" ]; then
		"$@"
		return
	fi
	n=$(($(cat "$RPC_SEQ" 2>/dev/null || echo 0) + 1))
	echo $n > "$RPC_SEQ"
	mkdir -p "$RPC"
	printf '%q ' "$@" > "$RPC/$n.tmp" && mv "$RPC/$n.tmp" "$RPC/$n.req"
	while [ ! -e "$RPC/$n.rc" ]; do
		[ -e "$PAIR/$h.gone" ] && { echo "pair: host $h is gone" >&2; return 125; }
		[ $t -ge $((RPC_TIMEOUT * 5)) ] && { echo "pair: no answer from $h to: $*" >&2; return 124; }
		sleep 0.2
		t=$((t + 1))
	done
	cat "$RPC/$n.out"
	return "$(cat "$RPC/$n.rc")"
}

# pair_serve: run the commands of the other host in order until it asks
# for pair_exit, writes $PAIR/stop or is gone; prints how many it ran.
pair_serve() {
	local n=1 cmd
	mkdir -p "$RPC"
	pair_done=0
	while [ $pair_done = 0 ]; do
		if [ -e "$RPC/$n.req" ]; then
			cmd=$(cat "$RPC/$n.req")
			eval "$cmd" > "$RPC/$n.out" 2> "$RPC/$n.err"
			echo $? > "$RPC/$n.rc.tmp"
			mv "$RPC/$n.rc.tmp" "$RPC/$n.rc"
			n=$((n + 1))
		elif [ -e "$PAIR/stop$PAIR_TAG" ] || [ -e "$PAIR/a.gone" ]; then
			break
		else
			sleep 0.3
		fi
	done
	pair_served=$((n - 1))
}
pair_exit() { pair_done=1; }

# pair_ready: this host is ready to serve; pair_wait HOST SECONDS: HOST is.
pair_ready() { date +%s > "$PAIR/$HOST.ready$PAIR_TAG"; }
pair_wait() { wait_for "$2" test -e "$PAIR/$1.ready$PAIR_TAG"; }
