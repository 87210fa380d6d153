#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end under stock QEMU: an L2 VM owns VF0 through igbvf-vfio-pci
# (enable-migration=on) and streams to svf_stream in this host (a TCP byte
# stream checked byte by byte plus a datagram every 20 ms) while this host
# streams to it (checked byte by byte in the guest: the VF's RX DMA into
# guest memory, which the driver's dirty tracking reports to QEMU). QEMU's
# live migration, with its default downtime limit and bandwidth, moves it
# to VF1 and back; then a migration to a VF whose MAC the PF administrator
# pinned must fail and leave the source running; last, a move during
# whose pre-copy the host takes the PF down and up. Before and after each
# move, the guest's VLAN sub-interface and its multicast group must still
# carry traffic (the VF's VLAN and multicast filters, which the driver
# replays to the destination PF through the mailbox).
here=$(dirname "$0")
. "$here/ktap.sh"
. "$here/l2lib.sh"
. "$here/streamlib.sh"
PORT=4444
# The guest's VLAN sub-interface (198.18.VLAN.20, the PF's side
# 198.18.VLAN.1) and its multicast group; OTHER is a group nobody joins.
# L2_GUEST_VLAN and L2_GUEST_MCAST change what the guest joins, to see the
# checks fail.
VLAN=100
VLANIF=vlan$VLAN
GROUP=239.5.6.7
OTHER=239.5.9.11
MC_N=20
L2_APPEND="shadowvf.vlan=${L2_GUEST_VLAN:-$VLAN} shadowvf.mcast=${L2_GUEST_MCAST:-$GROUP},$OTHER"
cleanup() {
	cpu_sample_stop
	l2_stop_all
	source_stop
	sink_stop
	ip link set "$PFIF" vf 1 mac 00:00:00:00:00:00 2>/dev/null
	ip link del "$VLANIF" 2>/dev/null
}
trap cleanup EXIT
ktap_header 27
rm -f "$L2_LOGDIR/migration-report.txt"
export L2_VFIO_OPTS=,enable-migration=on

# guest_reachable: the PF reaches the guest's IP at the guest's MAC.
# Up to three rounds: on a loaded machine an echo can be lost while ARP
# resolves (0/5 and 4/5 seen); a guest the PF cannot reach fails all three.
guest_reachable() {
	local got mac n
	for n in 1 2 3; do
		ip neigh flush dev "$PFIF" 2>/dev/null
		got=$(ping_count ping -c 5 -i 0.5 -W 5 198.18.0.20)
		mac=$(ip neigh show 198.18.0.20 dev "$PFIF" | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p')
		ktap_diag "PF -> guest, round $n: $got/5 replies, guest at $mac (booted with $GUEST_MAC)"
		[ "$got" = 5 ] && [ "$mac" = "$GUEST_MAC" ] && return 0
		sleep 2
	done
	return 1
}
# filters_seen NAME OK RX: guest NAME's pings through its VLAN
# sub-interface have succeeded OK times and its multicast socket has
# received RX datagrams.
filters_seen() {
	[ "$(l2_stat "$1" vlan ok)" -ge "$2" ] && [ "$(l2_stat "$1" mc mc_rx)" -ge "$3" ]
}
# filters_work NAME: the guest's VLAN and multicast filters, with real
# packets. VLAN: the PF reaches the guest's VLAN address at the guest's MAC
# (ARP and echo requests tagged by the PF, replies tagged by the VF), and
# an echo the guest sends through eth0.VLAN after the last status it had
# printed (so after the migration) is answered. Multicast: the MC_N
# datagrams the PF sends to the guest's group all reach the guest's
# socket, and of as many to OTHER none passes the VF's filter (counted on
# a packet socket in the guest). Sets VLAN_ST/VLAN_LINE and MC_ST/MC_LINE.
filters_work() {
	local t0 ok0 rx0 g0 o0 got mac ok rx g o
	t0=$(date +%s)
	wait_for 60 filters_seen "$1" 0 0
	ok0=$(l2_stat "$1" vlan ok)
	rx0=$(l2_stat "$1" mc mc_rx)
	g0=$(l2_stat "$1" mc nic_group)
	o0=$(l2_stat "$1" mc nic_other)
	"$BUILD/selftests/svf_stream" msend 198.18.0.1 5203 $MC_N $GROUP $OTHER > /dev/null
	ip neigh flush dev "$VLANIF" 2>/dev/null
	got=$(ping_count ping -c 5 -i 0.5 -W 5 198.18.$VLAN.20)
	mac=$(ip neigh show 198.18.$VLAN.20 dev "$VLANIF" | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p')
	# the guest prints its counters every 5 s of its time: 15-70 s here
	wait_for 240 filters_seen "$1" $((${ok0:-0} + 1)) $((${rx0:-0} + MC_N))
	ok=$(($(l2_stat "$1" vlan ok) - ${ok0:-0}))
	rx=$(($(l2_stat "$1" mc mc_rx) - ${rx0:-0}))
	g=$(($(l2_stat "$1" mc nic_group) - ${g0:-0}))
	o=$(($(l2_stat "$1" mc nic_other) - ${o0:-0}))
	VLAN_LINE="VLAN $VLAN: PF -> guest $got/5 at ${mac:-?}, guest -> PF $ok answered since its last report"
	MC_LINE="multicast: $rx/$MC_N to $GROUP received (NIC delivered $g), $o/$MC_N to $OTHER delivered"
	ktap_diag "$VLAN_LINE; $MC_LINE; $(($(date +%s) - t0)) s"
	[ "$got" = 5 ] && [ "$mac" = "$GUEST_MAC" ] && [ $ok -ge 1 ]
	VLAN_ST=$?
	[ $rx = $MC_N ] && [ $o = 0 ]
	MC_ST=$?
}
# hop FROM TO VF: migrate VM FROM into a new VM TO that owns VF, then check
# everything users see.
hop() {
	local reply st down gap dev
	l2_start "$2" "$3" 198.18.0.20/24 stream.sh -incoming defer
	sink_mark
	devtime_start
	cpu_sample_start "$1" "$2"
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
	gap=$(gap_line)
	ktap_diag "stream: $(stream_line); traffic gap $gap (UDP), $(stat_get tcp_max_gap_ms) ms (TCP)"
	echo "$1 -> $2: downtime ${down:-?} ms, traffic gap $gap," \
		"device state $(json_get "$reply" return.vfio.transferred) bytes; driver: $dev" \
		>> "$L2_LOGDIR/migration-report.txt"
	ktap_result $st "${2}_stream_intact" "$(stream_line)"
	# from the destination's own first count: the source's last status
	# line can be older than the state the destination resumed from
	wait_for 60 grep -a -q 'L2: rx' "$L2_LOGDIR/$2.log"
	rx_ok "$2" 120
	st=$?
	ktap_diag "host -> guest: $(rx_line "$2")"
	ktap_result $st "${2}_rx_stream_intact" "$(rx_line "$2")"
	timeline "$1" "$2" "$down"
	guest_reachable
	ktap_result $? "${2}_mac_and_ip_work"
	filters_work "$2"
	ktap_result $VLAN_ST "${2}_vlan_works" "$VLAN_LINE"
	ktap_result $MC_ST "${2}_multicast_works" "$MC_LINE"
	echo "$2: $VLAN_LINE; $MC_LINE" >> "$L2_LOGDIR/migration-report.txt"
	no_igbvf_trouble "$2"
	ktap_result $? "${2}_igbvf_no_reset"
}

migration_status() {
	json_get "$(l2_qmp "$1" query-migrate)" return.status
}

migration_active() {
	[ "$(migration_status "$1")" = active ]
}

migration_ended() {
	case $(migration_status "$1") in cancelled | failed) return 0 ;; esac
	return 1
}

# stopcont_cancel FROM TO VF: a stop and a cont of the VM while its VF is in
# pre-copy strand QEMU's migration: QEMU's vfio_vmstate_change() takes the
# device to STOP_COPY at the stop and to RUNNING at the cont, keeps the
# pre-copy data fd, and no longer iterates the device, so with
# switchover-ack the destination never acks (without it the switch-over
# fails: "data_fd out of sync"). QEMU's, not the driver's (see
# Documentation/operators.rst). The operator's recovery is migrate_cancel
# (a migration that failed by itself needs none) and a new migration: here
# the source must keep running and streaming, and the next hop is that new
# migration.
stopcont_cancel() {
	local bw st rem syncs reply i
	l2_start "$2" "$3" 198.18.0.20/24 stream.sh -incoming defer
	bw=$(json_get "$(l2_qmp "$1" query-migrate-parameters)" return.max-bandwidth)
	# the small guest's RAM takes a few seconds at 8 MiB/s: at 256 KiB/s
	# pre-copy lasts long enough for the stop to land in it
	l2_qmp "$1" migrate-set-parameters '{"max-bandwidth": 262144}' > /dev/null
	l2_migrate_start "$1" "$2" $PORT
	st=$?
	for i in $(seq 100); do
		migration_active "$1" && break
		sleep 0.2
	done
	if ! migration_active "$1"; then
		ktap_result 1 stopcont_in_precopy_cancel_keeps_source \
			"no pre-copy to stop in: start $st, migration $(migration_status "$1")"
		return 1
	fi
	l2_qmp "$1" stop > /dev/null
	sleep 1
	l2_qmp "$1" cont > /dev/null
	l2_qmp "$1" migrate-set-parameters "{\"max-bandwidth\": ${bw:-134217728}}" > /dev/null
	# long enough for the RAM to be sent: the migration then only iterates
	sleep 60
	reply=$(l2_qmp "$1" query-migrate)
	rem=$(json_get "$reply" return.ram.remaining)
	syncs=$(json_get "$reply" return.ram.dirty-sync-count)
	ktap_diag "stop and cont in pre-copy: after 60 s migration" \
		"$(json_get "$reply" return.status), RAM remaining ${rem:-?} B, ${syncs:-?} dirty syncs," \
		"device state sent $(json_get "$reply" return.vfio.transferred) B"
	l2_qmp "$1" migrate_cancel > /dev/null
	wait_for 60 migration_ended "$1"
	st=$?
	ktap_diag "after migrate_cancel: migration $(migration_status "$1")"
	l2_quit "$2" 2> /dev/null
	[ $st = 0 ] && [ "$(json_get "$(l2_qmp "$1" query-status)" return.status)" = running ] &&
		stream_ok 120 && rx_ok "$1" 120
	st=$?
	echo "stop and cont in pre-copy, $1 -> $2: cancelled; source: $(stream_line)" >> "$L2_LOGDIR/migration-report.txt"
	ktap_result $st stopcont_in_precopy_cancel_keeps_source "$(stream_line)"
}

# pf_reset_hop FROM TO VF: as hop, but the host takes the PF down and up
# while the VM is in pre-copy (igb_down -> igb_reset clears the VF's queue
# registers behind the driver; the guest's igbvf resets its VF when the PF
# comes back). The move must either complete with both streams intact (one
# connection, no corrupted byte) or fail and leave the VM running and
# streaming on the source. Pre-copy is slowed to 8 MiB/s until the PF is
# back, so that the reset lands in it.
pf_reset_hop() {
	local reply st sent how
	l2_start "$2" "$3" 198.18.0.20/24 stream.sh -incoming defer
	sink_mark
	cpu_sample_start "$1" "$2"
	l2_qmp "$1" migrate-set-parameters '{"max-bandwidth": 8388608}' > /dev/null
	l2_migrate_start "$1" "$2" $PORT && wait_for 120 migration_active "$1"
	st=$?
	ip link set "$PFIF" down
	sleep 2
	ip link set "$PFIF" up
	sent=$(json_get "$(l2_qmp "$1" query-migrate)" return.ram.transferred)
	ktap_diag "PF down and up in pre-copy (migration started: $st, ${sent:-?} bytes of RAM sent)"
	l2_qmp "$1" migrate-set-parameters '{"max-bandwidth": 4294967296}' > /dev/null
	reply=$($QMP "/tmp/$1.qmp" wait-migration 600)
	st=$?
	ktap_diag "migrate $1 -> $2 across a PF reset: $(json_get "$reply" return.status)," \
		"downtime $(json_get "$reply" return.downtime) ms"
	if [ $st = 0 ]; then
		how=completed
		l2_quit "$1" && stream_ok 180 && rx_ok "$2" 180
	else
		how="failed, source kept"
		l2_quit "$2"
		[ "$(json_get "$(l2_qmp "$1" query-status)" return.status)" = running ] &&
			stream_ok 180 && rx_ok "$1" 180
	fi
	st=$?
	ktap_diag "after the PF reset: $how; $(stream_line); host -> guest: $(rx_line "$([ "$how" = completed ] && echo "$2" || echo "$1")")"
	[ "$how" = completed ] && timeline "$1" "$2" "$(json_get "$reply" return.downtime)"
	echo "PF reset in pre-copy, $1 -> $2: $how; $(stream_line)" >> "$L2_LOGDIR/migration-report.txt"
	ktap_result $st "pf_reset_in_precopy_$(echo "$how" | tr ' ,' '__')" "$reply"
	[ "$how" = completed ]
}

if vf_bind "$VF0" igbvf_vfio_pci && vf_bind "$VF1" igbvf_vfio_pci; then
	ktap_result 0 vfs_bound_to_igbvf_vfio_pci
else
	ktap_result 1 vfs_bound_to_igbvf_vfio_pci
	ktap_exit
fi
ip link add link "$PFIF" name "$VLANIF" type vlan id $VLAN &&
	ip addr add 198.18.$VLAN.1/24 dev "$VLANIF" && ip link set "$VLANIF" up ||
	ktap_diag "could not add $VLANIF on $PFIF"

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
ktap_diag "guest: $(grep -a -m1 'L2: eth0\.' "$L2_LOGDIR/a.log"); $(grep -a -m1 'svf_stream: joined' "$L2_LOGDIR/a.log")"
filters_work a
ktap_result $VLAN_ST vlan_works_on_vf0 "$VLAN_LINE"
ktap_result $MC_ST multicast_works_on_vf0 "$MC_LINE"
echo "a: $VLAN_LINE; $MC_LINE" >> "$L2_LOGDIR/migration-report.txt"

cur=a
hop a b "$VF1" && cur=b && stopcont_cancel b x "$VF0" && hop b c "$VF0" && cur=c

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

# the host takes the PF down and up while the VM moves to the other VF
ip link set "$PFIF" vf 1 mac 00:00:00:00:00:00
l2_quit d 2> /dev/null
case $cur in b) to=$VF0 ;; *) to=$VF1 ;; esac
pf_reset_hop $cur e "$to" && cur=e
[ -f "$L2_LOGDIR/migration-report.txt" ] && sed "s/^/# report: /" "$L2_LOGDIR/migration-report.txt"
ktap_exit
