#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make soak, inside the emulated host (not part of make check): one L2 VM
# with VF0 through igbvf-vfio-pci, streaming (stream.sh), migrated
# SOAK_ROUNDS (default 100) round trips VF0 -> VF1 -> VF0. After every
# migration: the TCP stream's bytes checked and its connection intact,
# datagrams lost during the move, reset/hang lines in the guest's kernel
# log; before and after: slab memory (all, and unreclaimable after dropping
# caches) and the module's size; at the end the medians. The report
# goes to /results/soak.txt; the exit status is 1 if any migration failed
# or any byte was corrupted.
here=$(dirname "$0")
. "$here/ktap.sh"
. "$here/l2lib.sh"
. "$here/streamlib.sh"
ROUNDS=${SOAK_ROUNDS:-100}
trap 'l2_stop_all; sink_stop' EXIT
report_to "$L2_LOGDIR/soak.txt"
# slab and unreclaimable slab in kB, after dropping what can be reclaimed
slab_kb() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	awk '/^Slab:/ { s = $2 } /^SUnreclaim:/ { u = $2 } END { print s, u }' /proc/meminfo
}
mod_size() { awk '$1 == "igbvf_vfio_pci" { print $2 }' /proc/modules; }
export L2_VFIO_OPTS=,enable-migration=on

vf_bind "$VF0" igbvf_vfio_pci && vf_bind "$VF1" igbvf_vfio_pci || exit 1
sink_start
l2_start s0 "$VF0" 198.18.0.20/24 stream.sh
if ! wait_for 900 grep -q 'L2: svf_stream: connected' "$L2_LOGDIR/s0.log" || ! stream_ok 120; then
	log "guest did not stream: $(stream_line)"
	exit 1
fi
read -r slab0 unrec0 <<< "$(slab_kb)"
mod0=$(mod_size)
log "start: slab ${slab0} kB (unreclaimable ${unrec0} kB), module ${mod0} bytes; $(stream_line)"
fails=0 resets=0 lost_total=0 downs= gaps=
for i in $(seq 1 $((2 * ROUNDS))); do
	src=s$((i - 1)) dst=s$i vf=$VF0
	[ $((i % 2)) = 1 ] && vf=$VF1
	lost0=$(stat_get udp_lost)
	l2_start "$dst" "$vf" 198.18.0.20/24 stream.sh -incoming defer
	sink_mark
	reply=$(l2_migrate "$src" "$dst" 4444 900)
	st=$?
	l2_quit "$src"
	rm -f "$L2_LOGDIR/$src.log" "$L2_LOGDIR/$src.qemu"
	if [ $st != 0 ] || ! stream_ok 120; then
		fails=$((fails + 1))
		log "migration $i: FAILED ($(json_get "$reply" return.error-desc)); $(stream_line)"
		break
	fi
	sleep 5
	lost=$(($(stat_get udp_lost) - lost0))
	lost_total=$((lost_total + lost))
	r=$(grep -a 'L2: kmsg' "$L2_LOGDIR/$dst.log" | grep -c -i -E 'reset|hang|link is down')
	resets=$((resets + r))
	down=$(json_get "$reply" return.downtime) gap=$(stat_get udp_max_gap_ms)
	downs="$downs $down" gaps="$gaps $gap"
	log "migration $i: downtime $down ms," \
		"gap $gap ms, datagrams lost $lost, guest resets $r," \
		"bytes $(stat_get tcp_bytes), corrupt at $(stat_get tcp_bad_offset)"
	[ "$(stat_get tcp_bad_offset)" = -1 ] || { fails=$((fails + 1)); break; }
done
l2_stop_all
sink_stop
sleep 2
read -r slab1 unrec1 <<< "$(slab_kb)"
log "end: slab ${slab1} kB (start ${slab0} kB), unreclaimable ${unrec1} kB (start ${unrec0} kB)," \
	"module $(mod_size) bytes (start ${mod0})"
[ -n "$downs" ] && log "medians: downtime $(median $downs) ms, gap $(median $gaps) ms"
log "summary: $((i)) migrations, $fails failed, $resets guest reset/hang lines," \
	"$lost_total datagrams lost, stream $(stream_line)"
[ $fails = 0 ]
