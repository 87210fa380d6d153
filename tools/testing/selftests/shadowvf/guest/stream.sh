#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# L2 guest: the migration workload. Streams to svf_stream in the emulated
# host (shadowvf.peer=, default 198.18.0.1, port 5201) at shadowvf.rate=
# kB/s (default 64; 0: as fast as it goes) plus a datagram every 20 ms;
# receives and checks the host's stream on port 5202 (the VF's RX DMA,
# what dirty tracking protects) and prints its status as "L2: rx ..."
# every 5 s; copies every new kernel message to the console as
# "L2: kmsg ...", so the host sees what the NIC driver reports across a
# migration.
peer=198.18.0.1
rate=64
for a in $(cat /proc/cmdline); do
	case $a in
	shadowvf.peer=*) peer=${a#shadowvf.peer=} ;;
	shadowvf.rate=*) rate=${a#shadowvf.rate=} ;;
	esac
done
svf_stream send "$peer" 5201 "$rate" 2>&1 |
	while read -r line; do echo "L2: $line"; done &
svf_stream recv 5202 /tmp/rx.status 2>&1 |
	while read -r line; do echo "L2: $line"; done &
while :; do
	dmesg -c | sed 's/^/L2: kmsg /'
	[ -f /tmp/rx.status ] && echo "L2: rx $(tr '\n' ' ' < /tmp/rx.status)"
	sleep 5
done
