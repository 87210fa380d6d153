# SPDX-License-Identifier: GPL-2.0
# The migration workload seen from the emulated host (sourced after
# l2lib.sh): svf_stream's receiver and what it has measured.

ST=${ST:-/tmp/stream.status}
sink=

# sink_start: receive the guest's stream on port 5201.
sink_start() {
	"$BUILD/selftests/svf_stream" recv 5201 "$ST" /tmp/stream.series &
	sink=$!
	wait_for 10 test -s "$ST"
}

sink_stop() {
	[ -n "$sink" ] && kill "$sink" 2>/dev/null
	sink=
}

# source_start IP: stream to the guest's receiver (port 5202) at
# SOURCE_KBPS (default 32) kB/s, the direction in which the VF writes guest
# memory. Half the guest's own rate: a nested TCG guest that also has to
# receive fast on a loaded machine starves its own transmit watchdog.
source_start() {
	"$BUILD/selftests/svf_stream" send "$1" 5202 "${SOURCE_KBPS:-32}" /tmp/source.series \
		> /tmp/source.log 2>&1 &
	source=$!
}

source_stop() {
	[ -n "${source:-}" ] && kill "$source" 2>/dev/null
	source=
}

# l2_stat NAME WHAT KEY: KEY of the last "L2: WHAT key=value..." status
# line guest NAME printed (rx: the host's stream, mc: the multicast
# receiver, vlan: the guest's pings through its VLAN sub-interface).
l2_stat() {
	grep -a "L2: $2 " "$L2_LOGDIR/$1.log" | tail -n 1 | tr ' ' '\n' |
		sed -n "s/^$3=//p"
}

# rx_get NAME KEY: KEY of the last receiver status guest NAME printed.
rx_get() { l2_stat "$1" rx "$2"; }

rx_line() {
	echo "rx bytes $(rx_get "$1" tcp_bytes) bad_offset $(rx_get "$1" tcp_bad_offset)" \
		"conns $(rx_get "$1" tcp_conns) closed $(rx_get "$1" tcp_closed)"
}

# rx_ok NAME SECONDS [BYTES]: guest NAME receives the host's stream as one
# unbroken, uncorrupted connection, past BYTES (default: what it had) +
# 16 KiB within SECONDS; the host's sender is still running.
rx_ok() {
	local b0=${3:-$(rx_get "$1" tcp_bytes)} t=0
	while [ "$(rx_get "$1" tcp_bytes)" -lt $((${b0:-0} + 16384)) ] 2>/dev/null ||
	      [ -z "$(rx_get "$1" tcp_bytes)" ]; do
		[ $t -ge "$2" ] && return 1
		sleep 2
		t=$((t + 2))
	done
	[ "$(rx_get "$1" tcp_bad_offset)" = -1 ] && [ "$(rx_get "$1" tcp_conns)" = 1 ] &&
		[ "$(rx_get "$1" tcp_closed)" = 0 ] && kill -0 "$source" 2>/dev/null
}

# sink_mark: restart the gap measurement (before a migration).
sink_mark() {
	kill -USR1 "$sink"
	sleep 0.6
}

stat_get() { sed -n "s/^$1=//p" "$ST"; }

# gap_line [G R]: the largest silence in the guest's datagrams since
# sink_mark (G ms, default: the receiver's now), split by the guest's own
# clock (carried in each datagram; it stands still while the VM is
# stopped; R ms of it ran): "G ms (stopped G-R ms, ran R ms)". R is time
# the guest ran without a datagram reaching this host; time a datagram
# spent queued before the gap counts in R (S can come out negative), so
# the split is approximate.
gap_line() {
	local g=${1:-$(stat_get udp_max_gap_ms)} r=${2:-$(stat_get udp_max_gap_sender_ms)}
	echo "$g ms (stopped $((g - r)) ms, ran $r ms)"
}

# timeline FROM TO [DOWNTIME-MS [SINCE-MS]]: the picture of the move of VM FROM into
# TO (tools/testbed/timeline.py: traffic both ways per 100 ms, the window
# in which the VM ran nowhere from the QEMUs' STOP and RESUME events, the
# driver's phases from its trace events) as $L2_LOGDIR/timeline-N-FROM-TO
# .txt/.png/.dat; the text goes to the KTAP log as diagnostics. Call it
# once traffic flows again after the move. With FROM = TO and SINCE (this
# host's monotonic ms before it), the picture of a stop and cont.
timeline_n=0
timeline() {
	local out
	timeline_n=$((timeline_n + 1))
	out=$L2_LOGDIR/timeline-$timeline_n-$1-$2
	cpu_sample_stop
	python3 "$REPO/tools/testbed/timeline.py" --label "$1 -> $2" \
		--recv /tmp/stream.series --send /tmp/source.series \
		--src "/tmp/$1.events" --dst "/tmp/$2.events" --trace /tmp/devtime.trace \
		--cpu /tmp/cpu.series ${3:+--downtime "$3"} ${4:+--since "$4"} --out "$out" 2>&1 |
		sed 's/^/# /'
	# what it was drawn from, to read again
	mkdir -p "$out.in"
	cp /tmp/stream.series /tmp/source.series "/tmp/$1.events" "/tmp/$2.events" \
		/tmp/devtime.trace /tmp/cpu.series "$out.in/" 2>/dev/null
}

# cpu_sample_start FROM TO: where this host's CPU goes around the move of
# VM FROM into TO, for timeline(): every 500 ms a line "MS BUSY IDLE FROM
# TO" in /tmp/cpu.series (MS: /proc/uptime, the monotonic clock here; the
# host's busy and idle ticks from /proc/stat; the CPU ticks of the two
# QEMUs, vCPU and all their threads). Shell builtins only, so that the
# sampler itself costs little of the one vCPU.
cpu_sampler=
cpu_sample_start() {
	local a b
	eval "a=\${l2_pid_$1:-0} b=\${l2_pid_$2:-0}"
	cpu_sample_stop
	(
		exec > /tmp/cpu.series
		while :; do
			read -r up _ < /proc/uptime
			read -r _ u n s i w q sq st _ < /proc/stat
			fa=0 fb=0
			read -r -a f 2> /dev/null < "/proc/$a/stat" && fa=$((f[13] + f[14]))
			read -r -a f 2> /dev/null < "/proc/$b/stat" && fb=$((f[13] + f[14]))
			echo "$((10#${up/./} * 10)) $((u + n + s + q + sq + st)) $((i + w)) $fa $fb"
			sleep 0.5
		done
	) &
	cpu_sampler=$!
}

cpu_sample_stop() {
	[ -n "$cpu_sampler" ] && kill "$cpu_sampler" 2> /dev/null
	cpu_sampler=
}

stream_line() {
	echo "bytes $(stat_get tcp_bytes) bad_offset $(stat_get tcp_bad_offset)" \
		"conns $(stat_get tcp_conns) closed $(stat_get tcp_closed)" \
		"udp_rx $(stat_get udp_rx) udp_lost $(stat_get udp_lost)"
}

# stream_ok SECONDS: the stream is one unbroken, uncorrupted connection and
# grows by at least 16 KiB within SECONDS.
stream_ok() {
	local b0
	b0=$(stat_get tcp_bytes)
	wait_for "$1" sh -c "[ \$(sed -n 's/^tcp_bytes=//p' $ST) -ge $((b0 + 16384)) ]" &&
		[ "$(stat_get tcp_bad_offset)" = -1 ] &&
		[ "$(stat_get tcp_conns)" = 1 ] && [ "$(stat_get tcp_closed)" = 0 ]
}

# stream_rate SECONDS: received kB/s over the next SECONDS.
stream_rate() {
	local b0 b1 t0 t1
	b0=$(stat_get tcp_bytes); t0=$(stat_get uptime_ms)
	sleep "$1"
	b1=$(stat_get tcp_bytes); t1=$(stat_get uptime_ms)
	echo $(((b1 - b0) / (t1 - t0 > 0 ? t1 - t0 : 1)))
}

# report_to FILE: from now on log() prints its arguments and appends them
# to FILE (emptied here).
report_to() {
	REPORT=$1
	: > "$REPORT"
}
log() { echo "$*" | tee -a "$REPORT"; }

# median N...: the median of integers.
median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
