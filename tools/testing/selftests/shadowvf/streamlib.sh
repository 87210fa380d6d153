# SPDX-License-Identifier: GPL-2.0
# The migration workload seen from the emulated host (sourced after
# l2lib.sh): svf_stream's receiver and what it has measured.

ST=${ST:-/tmp/stream.status}
sink=

# sink_start: receive the guest's stream on port 5201.
sink_start() {
	"$BUILD/selftests/svf_stream" recv 5201 "$ST" &
	sink=$!
	wait_for 10 test -s "$ST"
}

sink_stop() {
	[ -n "$sink" ] && kill "$sink" 2>/dev/null
	sink=
}

# sink_mark: restart the gap measurement (before a migration).
sink_mark() {
	kill -USR1 "$sink"
	sleep 0.6
}

stat_get() { sed -n "s/^$1=//p" "$ST"; }

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
