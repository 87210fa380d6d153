#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# L2 guest: the migration workload. Streams to svf_stream in the emulated
# host (shadowvf.peer=, default 198.18.0.1, port 5201) at shadowvf.rate=
# kB/s (default 64; 0: as fast as it goes) plus a datagram every 20 ms;
# receives and checks the host's stream on port 5202 (the VF's RX DMA,
# what dirty tracking protects) and prints its status as "L2: rx ..."
# every 5 s; copies every kernel message after the boot (and igbvf's of
# the boot) to the console as "L2: kmsg ...", so the host sees what the
# NIC driver reports across a migration.
# shadowvf.vlan=ID adds the VLAN sub-interface eth0.ID (198.18.ID.20/24,
# the VF's VLAN filter), pings 198.18.ID.1 through it every 5 s and prints
# "L2: vlan ok=N tries=M"; shadowvf.mcast=GROUP,OTHER joins the IPv4
# multicast group GROUP on eth0 (the VF's multicast filter) and prints what
# svf_stream mrecv counts on port 5203 as "L2: mc ...".
peer=198.18.0.1
rate=64
vlan=
mcast=
for a in $(cat /proc/cmdline); do
	case $a in
	shadowvf.peer=*) peer=${a#shadowvf.peer=} ;;
	shadowvf.rate=*) rate=${a#shadowvf.rate=} ;;
	shadowvf.vlan=*) vlan=${a#shadowvf.vlan=} ;;
	shadowvf.mcast=*) mcast=${a#shadowvf.mcast=} ;;
	esac
done
if [ -n "$vlan" ]; then
	ip link add link eth0 name "eth0.$vlan" type vlan id "$vlan" &&
		ip addr add "198.18.$vlan.20/24" dev "eth0.$vlan" &&
		ip link set "eth0.$vlan" up
	echo "L2: eth0.$vlan 198.18.$vlan.20/24 status $?"
fi
if [ -n "$mcast" ]; then
	svf_stream mrecv eth0 "${mcast%,*}" "${mcast#*,}" 5203 /tmp/mc.status 2>&1 |
		while read -r line; do echo "L2: $line"; done &
fi
svf_stream send "$peer" 5201 "$rate" 2>&1 |
	while read -r line; do echo "L2: $line"; done &
svf_stream recv 5202 /tmp/rx.status 2>&1 |
	while read -r line; do echo "L2: $line"; done &
# The boot's messages stay in the guest, but for igbvf's: the serial
# console is slow (one write a byte, 74 B/s measured where it went straight
# to the shared results folder, as libvirt's still does), and tens of kB
# of them held the first status line back for minutes.
dmesg -c > /tmp/boot.dmesg
grep -i igbvf /tmp/boot.dmesg | sed 's/^/L2: kmsg /'
# vlan_ping: one echo through eth0.VLAN, in the background: a ping still
# there after 10 s (its reply or its 2 s timeout were due long before) is
# reported with its state and system call, then killed, so that one lost
# echo cannot stop the status loop.
vlan_ping() {
	ping -c 1 -W 2 "198.18.$vlan.1" > /dev/null 2>&1 &
	p=$!
	n=0
	while [ $n -lt 10 ]; do
		s=$(cut -d ' ' -f 3 "/proc/$p/stat" 2>/dev/null)
		[ -z "$s" ] || [ "$s" = Z ] && break
		sleep 1
		n=$((n + 1))
	done
	if [ $n = 10 ]; then
		echo "L2: vlan ping hung: state $s syscall $(cat "/proc/$p/syscall" 2>&1)"
		kill -9 "$p"
	fi
	wait "$p"
}
vok=0
vtries=0
while :; do
	dmesg -c | sed 's/^/L2: kmsg /'
	[ -f /tmp/rx.status ] && echo "L2: rx $(tr '\n' ' ' < /tmp/rx.status)"
	[ -f /tmp/mc.status ] && echo "L2: mc $(tr '\n' ' ' < /tmp/mc.status)"
	if [ -n "$vlan" ]; then
		vtries=$((vtries + 1))
		vlan_ping && vok=$((vok + 1))
		echo "L2: vlan ok=$vok tries=$vtries"
	fi
	sleep 5
done
