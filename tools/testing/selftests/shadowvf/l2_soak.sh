#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make soak, inside the emulated host (not part of make check): one L2 VM
# with VF0 through igbvf-vfio-pci, streaming (stream.sh), migrated
# SOAK_ROUNDS (default 100) round trips VF0 -> VF1 -> VF0, with the
# driver's dirty tracking on (checked), while this host streams to the
# guest (source_start: the VF's RX DMA into guest memory, what the
# tracking must not miss). After every migration: both TCP streams' bytes
# checked and each on its first connection, datagrams lost during the
# move, reset/hang lines in the guest's kernel log, the source VF's pages
# the driver still holds pinned once its QEMU has gone (debugfs) and the
# pages it touched at the stop; before and after: slab memory (all, and
# unreclaimable after dropping caches) and the module's size; at the end
# the medians. The report goes to /results/soak.txt; stdout has a KTAP
# result per migration and for the pins left at the end (so that make
# quick can run one round trip as a test); the exit status is 1 if any
# migration failed, any byte was corrupted or a page stayed pinned.
here=$(dirname "$0")
. "$here/ktap.sh"
. "$here/l2lib.sh"
. "$here/streamlib.sh"
ROUNDS=${SOAK_ROUNDS:-100}
trap 'l2_stop_all; sink_stop; source_stop' EXIT
report_to "$L2_LOGDIR/soak.txt"
ktap_header $((2 * ROUNDS + 3))
# slab and unreclaimable slab in kB, after dropping what can be reclaimed
slab_kb() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	awk '/^Slab:/ { s = $2 } /^SUnreclaim:/ { u = $2 } END { print s, u }' /proc/meminfo
}
mod_size() { awk '$1 == "igbvf_vfio_pci" { print $2 }' /proc/modules; }
# dbg VF KEY: KEY of the driver's debugfs state for VF
dbg() { sed -n "s/^$2: //p" "/sys/kernel/debug/igbvf-vfio-pci/$1/state"; }
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
export L2_VFIO_OPTS=,enable-migration=on

track=$(cat /sys/module/igbvf_vfio_pci/parameters/dirty_tracking)
vf_bind "$VF0" igbvf_vfio_pci && vf_bind "$VF1" igbvf_vfio_pci && [ "$track" = Y ]
ktap_result $? vfs_bound_tracking_on "dirty_tracking=$track"
[ $ktap_fails = 0 ] || exit 1
sink_start
l2_start s0 "$VF0" 198.18.0.20/24 stream.sh
if ! wait_for 900 grep -q 'L2: svf_stream: connected' "$L2_LOGDIR/s0.log" || ! stream_ok 120; then
	log "guest did not stream: $(stream_line)"
	ktap_result 1 guest_streams_both_ways "$(stream_line)"
	exit 1
fi
source_start 198.18.0.20
if ! rx_ok s0 300; then
	log "guest did not receive: $(rx_line s0)"
	ktap_result 1 guest_streams_both_ways "$(rx_line s0)"
	exit 1
fi
ktap_result 0 guest_streams_both_ways "$(stream_line); $(rx_line s0)"
# the VF's own log starts with QEMU's first DMA logging (at a migration)
log "dirty tracking: module parameter $track, VF0's log $(dbg "$VF0" dirty_tracking) before the first migration"
read -r slab0 unrec0 <<< "$(slab_kb)"
mod0=$(mod_size)
log "start: slab ${slab0} kB (unreclaimable ${unrec0} kB), module ${mod0} bytes; $(stream_line)"
fails=0 resets=0 lost_total=0 pinned=0 downs= gaps= rans= touched=
for i in $(seq 1 $((2 * ROUNDS))); do
	src=s$((i - 1)) dst=s$i vf=$VF0 srcvf=$VF1
	[ $((i % 2)) = 1 ] && vf=$VF1 srcvf=$VF0
	lost0=$(stat_get udp_lost)
	l2_start "$dst" "$vf" 198.18.0.20/24 stream.sh -incoming defer
	sink_mark
	reply=$(l2_migrate "$src" "$dst" 4444 900)
	st=$?
	l2_quit "$src"
	rx0=$(rx_get "$src" tcp_bytes)
	rm -f "$L2_LOGDIR/$src.log" "$L2_LOGDIR/$src.qemu"
	if [ $st != 0 ] || ! stream_ok 120 || ! rx_ok "$dst" 120 "$rx0"; then
		fails=$((fails + 1))
		log "migration $i: FAILED ($(json_get "$reply" return.error-desc)); $(stream_line); $(rx_line "$dst")"
		ktap_result 1 "migration_$i" "$(json_get "$reply" return.error-desc)"
		break
	fi
	# the source's QEMU has closed VF srcvf: nothing may stay pinned
	p=$(dbg "$srcvf" pinned_pages) t=$(dbg "$srcvf" touched_at_stop)
	[ "$p" = 0 ] || pinned=$((pinned + 1))
	touched="$touched $t"
	sleep 5
	lost=$(($(stat_get udp_lost) - lost0))
	lost_total=$((lost_total + lost))
	r=$(grep -a 'L2: kmsg' "$L2_LOGDIR/$dst.log" | grep -c -i -E 'reset|hang|link is down')
	resets=$((resets + r))
	down=$(json_get "$reply" return.downtime) gap=$(stat_get udp_max_gap_ms)
	ran=$(stat_get udp_max_gap_sender_ms)
	downs="$downs $down" gaps="$gaps $gap" rans="$rans $ran"
	log "migration $i: downtime $down ms," \
		"gap $(gap_line "$gap" "$ran"), datagrams lost $lost, guest resets $r," \
		"bytes $(stat_get tcp_bytes), corrupt at $(stat_get tcp_bad_offset);" \
		"host -> guest bytes $(rx_get "$dst" tcp_bytes), corrupt at $(rx_get "$dst" tcp_bad_offset);" \
		"source VF pinned $p, touched at stop $t"
	[ "$(stat_get tcp_bad_offset)" = -1 ] && [ "$(rx_get "$dst" tcp_bad_offset)" = -1 ] &&
		[ "$p" = 0 ]
	st=$?
	ktap_result $st "migration_$i" "downtime $down ms, pinned $p, $(stream_line); $(rx_line "$dst")"
	[ $st = 0 ] || { fails=$((fails + 1)); break; }
done
rxl=$(rx_line "$dst")
l2_stop_all
sink_stop
source_stop
sleep 2
p0=$(dbg "$VF0" pinned_pages) p1=$(dbg "$VF1" pinned_pages)
log "end: pinned pages VF0 $p0, VF1 $p1; migrations that left pages pinned: $pinned"
[ "$p0" = 0 ] && [ "$p1" = 0 ]
st=$?
ktap_result $st no_pages_pinned_at_end "VF0 $p0, VF1 $p1"
[ $st = 0 ] || fails=$((fails + 1))
read -r slab1 unrec1 <<< "$(slab_kb)"
log "end: slab ${slab1} kB (start ${slab0} kB), unreclaimable ${unrec1} kB (start ${unrec0} kB)," \
	"module $(mod_size) bytes (start ${mod0})"
[ -n "$downs" ] && log "medians: downtime $(median $downs) ms, gap $(median $gaps) ms" \
	"(of which the guest ran $(median $rans) ms)," \
	"pages touched at the stop $(median $touched)"
log "summary: $((i)) migrations, $fails failed, $resets guest reset/hang lines," \
	"$lost_total datagrams lost, guest -> host $(stream_line); host -> guest $rxl"
[ $fails = 0 ]
