#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Live migration between two emulated hosts (tools/testbed/run-pair.sh):
# host a (PF 198.18.0.1) and host b (PF 198.18.0.2), each with its own igb
# PF, VFs and igbvf-vfio-pci, their PF ports joined by one emulated cable.
# An L2 VM owns VF0 of host a through igbvf-vfio-pci (enable-migration=on)
# and streams to svf_stream in host a (a TCP byte stream checked byte by
# byte plus a datagram every 20 ms) while host a streams to it (checked in
# the guest): the peer never moves. Stock QEMU migrates it over the cable
# to VF1 of host b (the destination QEMU there listens on 198.18.0.2) and
# back to VF0 of host a. Each move must complete, leave the destination
# running and the source gone, keep the one TCP connection of each
# direction intact and growing, keep the guest's MAC and IP reachable from
# both hosts, and show no reset, hang or link loss in the guest's kernel
# log. Spoof checking differs between the hosts (on at a, off at b): each
# host keeps its own. Before the round trip, two moves host b must refuse
# (another administrative MAC on its VF; a port VLAN on its VF only) fail
# before the source stops.
# QEMU's downtime, the traffic gap and the times are printed and kept in
# /pair/two-hosts-report.txt.
#
# The same script runs in both hosts: HOST=a runs the scenario, HOST=b
# serves it (pairlib.sh: host a runs commands in host b through /pair).
# TWO_HOSTS_L2=0: only the cable and the command channel (a quick check).
# TWO_HOSTS_SCRUB=1: clear the MAC of each VF the guest left (see hop).
here=$(dirname "$0")
. "$here/ktap.sh"
. "$here/l2lib.sh"
. "$here/streamlib.sh"
. "$here/pairlib.sh"
PORT=4444
GUEST=198.18.0.20
export L2_LOGDIR=$PAIR/l2
export L2_VFIO_OPTS=,enable-migration=on
mkdir -p "$L2_LOGDIR"
CAPS='{"capabilities": [{"capability": "return-path", "state": true},
	{"capability": "switchover-ack", "state": true}]}'

addr_of() { case $1 in a) echo 198.18.0.1 ;; b) echo 198.18.0.2 ;; esac; }

# Commands that also run on the other host (through "on b ...").

# dst_listen NAME VF ADDR:PORT: a destination L2 QEMU owning VF, listening
# for the migration on ADDR:PORT.
dst_listen() {
	l2_start "$1" "$2" $GUEST/24 stream.sh -incoming defer &&
		l2_qmp "$1" migrate-set-capabilities "$CAPS" > /dev/null &&
		l2_qmp "$1" migrate-incoming "{\"uri\": \"tcp:$3\"}" > /dev/null
}
# src_migrate NAME URI TIMEOUT: migrate L2 NAME to URI with QEMU's default
# downtime limit and bandwidth; print the final query-migrate reply.
src_migrate() {
	l2_qmp "$1" migrate-set-capabilities "$CAPS" > /dev/null &&
		l2_qmp "$1" migrate "{\"uri\": \"$2\"}" > /dev/null || return 2
	$QMP "/tmp/$1.qmp" wait-migration "$3"
}
# vm_status NAME: QEMU's run state of L2 NAME.
vm_status() { json_get "$(l2_qmp "$1" query-status)" return.status; }
# reach: ping the guest from this host's PF; print "REPLIES MAC" (the MAC
# this host learnt for the guest's IP).
reach() {
	local got mac
	ip neigh flush dev "$PFIF" 2>/dev/null
	got=$(ping_count ping -c 5 -i 0.5 -W 5 $GUEST)
	mac=$(ip neigh show $GUEST dev "$PFIF" | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p')
	echo "${got:-0} ${mac:-none}"
}
# admin_mac N MAC: the PF administrator sets (or, with 00:..:00, clears)
# VF N's administrative MAC.
admin_mac() { ip link set "$PFIF" vf "$1" mac "$2"; }
# refusal_logged GUEST-MAC ADMIN-MAC: the destination's kernel log names
# the guest's MAC and its VF's administrative MAC.
refusal_logged() {
	dmesg | grep -q "guest.mac $1 is not this VF's administrative MAC $2"
}
# port_vlan N VID: the PF administrator sets (VID 0: clears) VF N's port VLAN.
port_vlan() { ip link set "$PFIF" vf "$1" vlan "$2"; }
# vlan_refusal_logged: the destination's kernel log names the source's
# port VLAN (none) and its VF's (100).
vlan_refusal_logged() {
	dmesg | grep -q "guest.port_vlan: the source VF had no port VLAN, this VF has port VLAN 100 qos 0"
}
# vlan_path on|off: this host reaches the guest's IP through VLAN 100 of
# its PF (a VLAN interface with an address of the guest's subnet, and a
# host route), or no longer.
vlan_path() {
	local me=101
	[ "$HOST" = b ] && me=102
	if [ "$1" = off ]; then
		ip link del pfv100 2>/dev/null
		return 0
	fi
	ip link add link "$PFIF" name pfv100 type vlan id 100 &&
		ip link set pfv100 up &&
		ip addr add 198.18.0.$me/32 dev pfv100 &&
		ip route add $GUEST/32 dev pfv100 src 198.18.0.$me
}
# reach_vlan: reach, through VLAN 100 (vlan_path on).
reach_vlan() {
	local got mac
	ip neigh flush dev pfv100 2>/dev/null
	got=$(ping_count ping -c 5 -i 0.5 -W 5 $GUEST)
	mac=$(ip neigh show $GUEST dev pfv100 | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p')
	echo "${got:-0} ${mac:-none}"
}
# untagged_replies: echoes the guest answers untagged, from this PF.
untagged_replies() {
	ip neigh flush dev "$PFIF" 2>/dev/null
	ping_count ping -I "$PFIF" -c 3 -i 0.5 -W 2 $GUEST
}
# vf_mac N: VF N's MAC as its PF reports it (ip link).
vf_mac() { ip link show "$PFIF" | sed -n "s/.*vf $1 .*link\/ether \([0-9a-f:]*\).*/\1/p"; }
# spoofchk N [on|off]: set VF N's spoof checking, or print it as its PF
# reports it (ip link: on, off).
spoofchk() {
	[ -n "${2:-}" ] && { ip link set "$PFIF" vf "$1" spoofchk "$2"; return; }
	ip link show "$PFIF" | sed -n "s/.*vf $1 .*spoof checking \([a-z]*\),.*/\1/p"
}
# arcs_start, source_never_stopped: from the driver's trace events, the
# source VF entered PRE_COPY and went back to RUNNING without ever being
# quiesced (a refusal at PRE_COPY's initial bytes, switchover-ack).
arcs_start() { devtime_start; }
source_never_stopped() {
	local t
	t=$(cat $TR/trace)
	echo 0 > $TR/tracing_on
	echo "$t" | grep -q ' 2->6 ret=0' && echo "$t" | grep -q ' 6->2 ret=0' &&
		! echo "$t" | grep -q 'svf_igb_phase: .* quiesce '
}
# scrub_vf N: the PF administrator clears VF N's MAC (ip link ... vf N mac
# 00:00:00:00:00:00), which also rewrites the VF's receive-address entry.
scrub_vf() { ip link set "$PFIF" vf "$1" mac 00:00:00:00:00:00; }
# pings ADDR: replies to 5 echoes from this host.
pings() { ping_count ping -c 5 -i 0.5 -W 5 "$1"; }
# cpu_line: this host's load and its busiest processes.
cpu_line() {
	echo "load $(cut -d' ' -f1-3 /proc/loadavg);" \
		"$(top -b -n 1 2>/dev/null | sed -n '8,12p' | awk '$NF != "top" { printf "%s %s%%, ", $NF, $9 }')"
}

if [ "$HOST" = b ]; then
	# The other end: bind the VFs, then serve host a until it is done.
	trap l2_stop_all EXIT
	ktap_header 2
	vf_bind "$VF0" igbvf_vfio_pci && vf_bind "$VF1" igbvf_vfio_pci
	st=$?
	ktap_result $st vfs_bound_to_igbvf_vfio_pci
	echo $st > "$PAIR/b.bound"
	pair_ready
	pair_serve
	ktap_diag "served $pair_served commands of host a"
	l2_stop_all
	ktap_result 0 served_host_a
	ktap_exit
fi

cleanup() {
	l2_stop_all
	# the administrative MAC the last move left on VF0 (a later test in
	# this boot must not find the guest's MAC steered there)
	admin_mac 0 00:00:00:00:00:00 2>/dev/null
	on b l2_stop_all > /dev/null 2>&1
	source_stop
	sink_stop
	on b spoofchk 1 on > /dev/null 2>&1
	on b port_vlan 1 0 > /dev/null 2>&1
	port_vlan 0 0 2>/dev/null
	vlan_path off
	on b vlan_path off > /dev/null 2>&1
	on b pair_exit > /dev/null 2>&1
	touch "$PAIR/stop"
}
trap cleanup EXIT
T0=$(date +%s)
el() { echo "$(($(date +%s) - T0)) s"; }
REPORT_FILE=$PAIR/two-hosts-report.txt
: > "$REPORT_FILE"
report() { echo "$*" >> "$REPORT_FILE"; ktap_diag "$*"; }

if [ "${TWO_HOSTS_L2:-1}" = 0 ]; then ktap_header 3; else ktap_header 40; fi
vf_bind "$VF0" igbvf_vfio_pci && vf_bind "$VF1" igbvf_vfio_pci
ktap_result $? vfs_bound_to_igbvf_vfio_pci
pair_wait b 300 && [ "$(cat "$PAIR/b.bound")" = 0 ]
st=$?
ktap_diag "host a booted to its script at $(cat "$PAIR/a.booted") s, host b at $(cat "$PAIR/b.booted" 2>/dev/null) s (guest uptime); b ready after $(el)"
ktap_result $st peer_host_ready
[ $st = 0 ] || ktap_exit

# The cable: each PF reaches the other.
ab=$(pings 198.18.0.2)
ba=$(on b pings 198.18.0.1)
ktap_diag "cable: PF a -> PF b ${ab:-0}/5, PF b -> PF a ${ba:-0}/5; a: $(cpu_line)"
[ "$ab" = 5 ] && [ "$ba" = 5 ]
ktap_result $? cable_pf_a_pf_b
[ "${TWO_HOSTS_L2:-1}" = 0 ] && ktap_exit

# reachable_from HOST NAME: the guest answers 5/5 echoes from HOST's PF at
# the MAC it booted with.
# Up to three rounds: on a loaded machine the first echo can be lost while
# ARP resolves (4/5 seen); a guest the PF cannot reach fails all three.
# With a second argument, HOST reaches the guest with that function
# (reach_vlan) instead of reach.
reachable_from() {
	local r n
	for n in 1 2 3; do
		r=$(on "$1" "${2:-reach}")
		ktap_diag "PF $1 -> guest, round $n: ${r% *}/5 replies, at ${r#* } (booted with $GUEST_MAC)"
		[ "$r" = "5 $GUEST_MAC" ] && return 0
		sleep 2
	done
	return 1
}

# hop SRC SRC-HOST SRC-VF-INDEX DST DST-HOST VF: migrate VM SRC on
# SRC-HOST into a new VM DST that owns VF on DST-HOST, over the cable; then
# check everything users see. TWO_HOSTS_SCRUB=1: once SRC is gone, the
# source host's administrator clears the MAC of the VF it left (see
# scrub_vf; without it the source adapter keeps the guest's MAC in that
# VF's receive-address entry and its own PF cannot reach the guest).
hop() {
	local src=$1 sh=$2 sidx=$3 dst=$4 dh=$5 vf=$6 dip reply st down gap t1 wall dev
	dip=$(addr_of "$dh")
	t1=$(date +%s)
	on "$dh" dst_listen "$dst" "$vf" "$dip:$PORT"
	st=$?
	ktap_diag "$(el): destination $dst on host $dh ($vf) listening on $dip:$PORT: status $st after $(($(date +%s) - t1)) s"
	sink_mark
	on "$sh" devtime_start > /dev/null 2>&1
	on "$dh" devtime_start > /dev/null 2>&1
	t1=$(date +%s)
	if [ $st = 0 ]; then
		reply=$(on "$sh" src_migrate "$src" "tcp:$dip:$PORT" 900)
		st=$?
	fi
	wall=$(($(date +%s) - t1))
	dev="source: $(on "$sh" devtime_report | sort | tr '\n' ' ')destination: $(on "$dh" devtime_report | sort | tr '\n' ' ')"
	down=$(json_get "$reply" return.downtime)
	ktap_diag "driver time: $dev"
	ktap_diag "migrate $src ($sh) -> $dst ($dh): $(json_get "$reply" return.status)," \
		"downtime ${down:-?} ms, total $(json_get "$reply" return.total-time) ms" \
		"(setup $(json_get "$reply" return.setup-time) ms), wall $wall s," \
		"RAM $(json_get "$reply" return.ram.transferred) bytes at $(json_get "$reply" return.ram.mbps) Mbit/s," \
		"device state $(json_get "$reply" return.vfio.transferred) bytes"
	[ $st = 0 ]
	ktap_result $? "migrate_${src}_to_${dst}" "$reply"
	if [ $st != 0 ]; then
		l2_dump "$src" "$dst"
		on "$dh" l2_stop_all
		return 1
	fi

	[ "$(on "$sh" vm_status "$src")" = postmigrate ] && on "$sh" l2_quit "$src" &&
		[ "$(on "$dh" vm_status "$dst")" = running ]
	ktap_result $? "${dst}_running_${src}_gone"
	if [ "${TWO_HOSTS_SCRUB:-0}" = 1 ]; then
		on "$sh" scrub_vf "$sidx"
		ktap_diag "scrubbed VF$sidx on host $sh: status $?"
	fi

	stream_ok 120
	st=$?
	gap=$(gap_line)
	ktap_diag "stream: $(stream_line); traffic gap $gap (UDP), $(stat_get tcp_max_gap_ms) ms (TCP)"
	ktap_result $st "${dst}_stream_intact" "$(stream_line)"
	# from the destination's own count: the source's last status line
	# can be older than the state the destination resumed from
	wait_for 60 grep -a -q 'L2: rx' "$L2_LOGDIR/$dst.log"
	rx_ok "$dst" 120
	st=$?
	ktap_diag "host a -> guest: $(rx_line "$dst")"
	ktap_result $st "${dst}_rx_stream_intact" "$(rx_line "$dst")"
	reachable_from a
	ktap_result $? "${dst}_reachable_from_a"
	reachable_from b
	ktap_result $? "${dst}_reachable_from_b"
	no_igbvf_trouble "$dst"
	ktap_result $? "${dst}_igbvf_no_reset"
	report "$src ($sh) -> $dst ($dh): downtime ${down:-?} ms, traffic gap $gap (UDP)," \
		"$(stat_get tcp_max_gap_ms) ms (TCP), total $(json_get "$reply" return.total-time) ms," \
		"wall $wall s, RAM $(json_get "$reply" return.ram.transferred) bytes," \
		"device state $(json_get "$reply" return.vfio.transferred) bytes; driver: $dev"
	report "  after: a: $(cpu_line); b: $(on b cpu_line)"
}

sink_start
t1=$(date +%s)
l2_start a "$VF0" $GUEST/24 stream.sh
wait_for 900 grep -q 'L2: svf_stream: connected' "$L2_LOGDIR/a.log" && stream_ok 120
st=$?
GUEST_MAC=$(sed -n 's/.*L2: eth0 \([0-9a-f:]*\) carrier.*/\1/p' "$L2_LOGDIR/a.log" | head -n1)
report "guest a on host a (VF0) up and streaming after $(($(date +%s) - t1)) s, MAC $GUEST_MAC: $(stream_line)"
report "  a: $(cpu_line); b: $(on b cpu_line)"
[ $st = 0 ] || l2_dump a
ktap_result $st stream_running_on_a_vf0 "$(stream_line)"
[ $st = 0 ] || ktap_exit
source_start $GUEST
rx_ok a 300
st=$?
ktap_diag "host a -> guest: $(rx_line a); $(head -n 2 /tmp/source.log | tr '\n' ' ')"
ktap_result $st rx_stream_running_on_a_vf0 "$(rx_line a)"
[ $st = 0 ] || ktap_exit
reachable_from a && reachable_from b
ktap_result $? guest_reachable_from_both_hosts

# refused_move P WHAT SET UNSET LOGGED: host b's VF1 is set up (on b SET)
# so that b must refuse the guest. With switchover-ack the destination
# refuses at PRE_COPY's initial bytes: the migration must fail before the
# source stops, the VM keep running on host a with its streams, and b's
# kernel log say why (on b LOGGED). Then b's VF1 is set back (on b UNSET).
# Results are named P_*.
refused_move() {
	local p=$1 reply st
	on b $3
	on b dst_listen r "$VF1" "198.18.0.2:$PORT"
	sink_mark
	arcs_start
	reply=$(src_migrate a "tcp:198.18.0.2:$PORT" 600)
	ktap_diag "migrate a -> b with $2: $(json_get "$reply" return.status)," \
		"downtime $(json_get "$reply" return.downtime), error: $(json_get "$reply" return.error-desc)"
	[ "$(json_get "$reply" return.status)" = failed ]
	ktap_result $? "${p}_migration_failed" "$reply"
	source_never_stopped
	ktap_result $? "${p}_before_source_stopped" "$(grep -h 'svf_igb_' $TR/trace | tail -n 6 | tr '\n' ';')"
	[ "$(vm_status a)" = running ]
	ktap_result $? "${p}_source_still_running" "$(vm_status a)"
	stream_ok 120
	st=$?
	ktap_diag "stream after the refusal: $(stream_line)"
	ktap_result $st "${p}_source_stream_intact" "$(stream_line)"
	on b $5
	ktap_result $? "${p}_destination_says_why" "$(on b dmesg | grep -m1 'migration stream refused')"
	on b l2_stop_all > /dev/null 2>&1
	on b $4
}
# another administrative MAC on b's VF1, which b's PF would refuse the
# guest: b names both MACs
refused_move refused "another admin MAC on b's VF1" "admin_mac 1 02:5f:00:00:00:99" \
	"admin_mac 1 00:00:00:00:00:00" "refusal_logged $GUEST_MAC 02:5f:00:00:00:99"
# a port VLAN on b's VF1 only (a's VF0 has none): the guest would come up
# on VLAN 100 with nothing to tell it; b names both port VLANs
refused_move refused_vlan "port VLAN 100 on b's VF1 only" "port_vlan 1 100" \
	"port_vlan 1 0" vlan_refusal_logged
# spoof_kept WHEN: each host's spoof checking is what its administrator
# set (a's VF0 on, igb's default; b's VF1 off): the driver neither
# carries it in the stream nor lets a migration reset it.
spoof_kept() {
	local sa sb
	sa=$(spoofchk 0)
	sb=$(on b spoofchk 1)
	ktap_diag "spoof checking $1: a VF0 ${sa:-?}, b VF1 ${sb:-?}"
	[ "$sa" = on ] && [ "$sb" = off ]
	ktap_result $? "spoofchk_kept_$1" "a VF0 ${sa:-?}, b VF1 ${sb:-?}"
}
# a -> b: b's VF1 has no administrative MAC. b -> a: both VFs carry the
# guest's MAC as their administrative MAC; when the guest has left b, its
# administrator clears the MAC there (an administrative MAC stays with its
# VF, and so would b's adapter steer the guest's MAC to it). Spoof checking
# differs (on at a, off at b): each move must keep the destination's own
# setting and the streams (QEMU's igb does not enforce anti-spoofing, so
# the bed shows the setting kept, not a frame dropped).
on b spoofchk 1 off
if hop a a 0 b b "$VF1"; then
	spoof_kept after_a_to_b
	on b admin_mac 1 "$GUEST_MAC" && admin_mac 0 "$GUEST_MAC" &&
		[ "$(on b vf_mac 1)" = "$GUEST_MAC" ] && [ "$(vf_mac 0)" = "$GUEST_MAC" ]
	ktap_result $? same_admin_mac_on_both_hosts "b VF1 $(on b vf_mac 1), a VF0 $(vf_mac 0)"
	TWO_HOSTS_SCRUB=1 hop b b 1 c a "$VF0" && spoof_kept after_b_to_a
fi
report "round trip done after $(el)"

# vlan_move: the same port VLAN, and spoof checking on, on both hosts, set
# by their operators once the guest (c, on a's VF0) is back: it now
# reaches the hosts only through VLAN 100 (its streams to the PFs'
# untagged addresses end). Both VFs report VLAN 100, so b takes the
# guest, which must then answer both hosts through VLAN 100 and not
# untagged.
vlan_move() {
	local reply st t1
	source_stop
	sink_stop
	port_vlan 0 100 && on b port_vlan 1 100 && on b spoofchk 1 on &&
		vlan_path on && on b vlan_path on
	st=$?
	ktap_diag "$(el): port VLAN 100 on a's VF0 and b's VF1, spoof checking a $(spoofchk 0) b $(on b spoofchk 1), VLAN paths: status $st"
	[ $st = 0 ] && reachable_from a reach_vlan
	ktap_result $? vlan_guest_reachable_on_vlan_100_from_a
	on b dst_listen d "$VF1" "198.18.0.2:$PORT"
	t1=$(date +%s)
	reply=$(src_migrate c "tcp:198.18.0.2:$PORT" 900)
	st=$?
	ktap_diag "migrate c (a) -> d (b), port VLAN 100 on both: $(json_get "$reply" return.status)," \
		"downtime $(json_get "$reply" return.downtime) ms, wall $(($(date +%s) - t1)) s," \
		"error: $(json_get "$reply" return.error-desc)"
	[ $st = 0 ]
	ktap_result $? vlan_migrate_c_to_d "$reply"
	[ "$(vm_status c)" = postmigrate ] && l2_quit c && [ "$(on b vm_status d)" = running ]
	ktap_result $? vlan_d_running_c_gone
	# a's VF0 keeps the guest's MAC as its administrative MAC (set for
	# the move b -> a), so a's adapter would keep the guest's frames
	# to itself: its operator clears it (Documentation/igbvf-vfio-pci.rst)
	scrub_vf 0
	ktap_diag "scrubbed VF0 on host a: status $?"
	reachable_from a reach_vlan
	ktap_result $? vlan_d_reachable_on_vlan_100_from_a
	reachable_from b reach_vlan
	ktap_result $? vlan_d_reachable_on_vlan_100_from_b
	st=$(untagged_replies)
	ktap_diag "untagged echoes from PF a answered: ${st:-0}/3"
	[ "${st:-0}" = 0 ]
	ktap_result $? vlan_d_not_reachable_untagged
	no_igbvf_trouble d
	ktap_result $? vlan_d_igbvf_no_reset
	report "c (a) -> d (b) with port VLAN 100 on both: downtime $(json_get "$reply" return.downtime) ms"
}
if [ "$(vm_status c 2>/dev/null)" = running ]; then
	vlan_move
else
	ktap_result 1 vlan_guest_reachable_on_vlan_100_from_a "the round trip did not end on a"
fi
sed 's/^/# report: /' "$REPORT_FILE"
ktap_exit
