#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end under stock QEMU: an L2 VM owns VF0 through igbvf-vfio-pci
# (enable-migration=on) and streams to svf_stream in this host (a TCP byte
# stream checked byte by byte plus a datagram every 20 ms) while this host
# streams to it (checked byte by byte in the guest: the VF's RX DMA into
# guest memory, which the driver's dirty tracking reports to QEMU). QEMU's
# live migration, with its default downtime limit and bandwidth, moves it
# to VF1 and back; then a migration to a VF whose MAC the PF administrator
# pinned must fail and leave the source running.
here=$(dirname "$0")
. "$here/ktap.sh"
. "$here/l2lib.sh"
. "$here/streamlib.sh"
PORT=4444
cleanup() {
	l2_stop_all
	source_stop
	sink_stop
	ip link set "$PFIF" vf 1 mac 00:00:00:00:00:00 2>/dev/null
}
trap cleanup EXIT
ktap_header 19
rm -f "$L2_LOGDIR/migration-report.txt"
export L2_VFIO_OPTS=,enable-migration=on

# guest_reachable: the PF reaches the guest's IP at the guest's MAC.
guest_reachable() {
	local got mac
	ip neigh flush dev "$PFIF" 2>/dev/null
	got=$(ping_count ping -c 5 -i 0.5 -W 5 198.18.0.20)
	mac=$(ip neigh show 198.18.0.20 dev "$PFIF" | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p')
	ktap_diag "PF -> guest: $got/5 replies, guest at $mac (booted with $GUEST_MAC)"
	[ "$got" = 5 ] && [ "$mac" = "$GUEST_MAC" ]
}
# no_igbvf_trouble NAME: the guest's kernel reported no reset, hang or link
# loss on NAME's console (its log starts at the migration).
no_igbvf_trouble() {
	local bad
	bad=$(grep -a 'L2: kmsg' "$L2_LOGDIR/$1.log" | grep -i -E 'reset|hang|link is down|timeout')
	[ -n "$bad" ] && echo "$bad" | sed 's/^/# /'
	[ -z "$bad" ]
}
# hop FROM TO VF: migrate VM FROM into a new VM TO that owns VF, then check
# everything users see.
hop() {
	local reply st down gap dev
	l2_start "$2" "$3" 198.18.0.20/24 stream.sh -incoming defer
	sink_mark
	devtime_start
	reply=$(l2_migrate "$1" "$2" $PORT 600)
	st=$?
	dev=$(devtime_report | sort | tr '\n' ' ')
	ktap_diag "driver time: $dev"
	down=$(json_get "$reply" return.downtime)
	ktap_diag "migrate $1 -> $2: $(json_get "$reply" return.status)," \
		"downtime ${down:-?} ms, total $(json_get "$reply" return.total-time) ms"
	[ $st = 0 ]
	ktap_result $? "migrate_${1}_to_${2}" "$reply"
	[ $st = 0 ] || { l2_dump "$1" "$2"; grep -E 'eth|igb|vfio' /proc/interrupts | sed 's/^/# irq /'; return 1; }

	[ "$(json_get "$(l2_qmp "$1" query-status)" return.status)" = postmigrate ] &&
		l2_quit "$1" &&
		[ "$(json_get "$(l2_qmp "$2" query-status)" return.status)" = running ]
	ktap_result $? "${2}_running_${1}_gone"

	stream_ok 120
	st=$?
	gap=$(stat_get udp_max_gap_ms)
	ktap_diag "stream: $(stream_line); traffic gap ${gap} ms (UDP), $(stat_get tcp_max_gap_ms) ms (TCP)"
	echo "$1 -> $2: downtime ${down:-?} ms, traffic gap $gap ms," \
		"device state $(json_get "$reply" return.vfio.transferred) bytes; driver: $dev" \
		>> "$L2_LOGDIR/migration-report.txt"
	ktap_result $st "${2}_stream_intact" "$(stream_line)"
	rx_ok "$2" 120 "$(rx_get "$1" tcp_bytes)"
	st=$?
	ktap_diag "host -> guest: $(rx_line "$2")"
	ktap_result $st "${2}_rx_stream_intact" "$(rx_line "$2")"
	guest_reachable
	ktap_result $? "${2}_mac_and_ip_work"
	no_igbvf_trouble "$2"
	ktap_result $? "${2}_igbvf_no_reset"
}

if vf_bind "$VF0" igbvf_vfio_pci && vf_bind "$VF1" igbvf_vfio_pci; then
	ktap_result 0 vfs_bound_to_igbvf_vfio_pci
else
	ktap_result 1 vfs_bound_to_igbvf_vfio_pci
	ktap_exit
fi

sink_start
t0=$(date +%s)
l2_start a "$VF0" 198.18.0.20/24 stream.sh
wait_for 900 grep -q 'L2: svf_stream: connected' "$L2_LOGDIR/a.log" && stream_ok 120
st=$?
GUEST_MAC=$(sed -n 's/.*L2: eth0 \([0-9a-f:]*\) carrier.*/\1/p' "$L2_LOGDIR/a.log" | head -n1)
ktap_diag "guest up and streaming after $(($(date +%s) - t0)) s, MAC $GUEST_MAC: $(stream_line)"
[ $st = 0 ] || l2_dump a
ktap_result $st stream_running_on_vf0 "$(stream_line)"
[ $st = 0 ] || ktap_exit
source_start 198.18.0.20
rx_ok a 300
st=$?
ktap_diag "host -> guest: $(rx_line a); $(head -n 2 /tmp/source.log | tr '\n' ' ')"
ktap_result $st rx_stream_running_on_vf0 "$(rx_line a)"
[ $st = 0 ] || ktap_exit

cur=a
hop a b "$VF1" && cur=b && hop b c "$VF0" && cur=c

# The PF administrator pins VF1's MAC (the guest is on VF0 again, or still): the destination cannot take the
# guest's MAC, the migration fails and the source keeps running.
ip link set "$PFIF" vf 1 mac 02:5f:00:00:00:01
l2_start d "$VF1" 198.18.0.20/24 stream.sh -incoming defer
reply=$(l2_migrate $cur d $PORT 600)
st=$?
ktap_diag "refused migration: $reply"
ktap_diag "destination QEMU: $(grep -a -i -E 'error|fail' "$L2_LOGDIR/d.qemu" | head -n 3 | tr '\n' ' ')"
[ $st = 1 ] && [ "$(json_get "$reply" return.status)" = failed ]
ktap_result $? migration_to_pinned_mac_fails "$reply"
[ "$(json_get "$(l2_qmp $cur query-status)" return.status)" = running ] && stream_ok 120
ktap_result $? source_runs_after_refusal "$(stream_line)"
rx_ok $cur 120
ktap_result $? source_rx_after_refusal "$(rx_line $cur)"
guest_reachable
ktap_result $? source_reachable_after_refusal
[ -f "$L2_LOGDIR/migration-report.txt" ] && sed "s/^/# report: /" "$L2_LOGDIR/migration-report.txt"
ktap_exit
