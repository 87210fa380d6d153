#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In the emulated host: igbvf drives VF0 and VF1, each in its own network
# namespace; VF0 exchanges ICMP echo with the PF and with VF1. Asserts the
# reply counts and the VF's own RX/TX packet counters.
. "$(dirname "$0")/ktap.sh"
N=5
ktap_header 4

modprobe igbvf
for vf in $VF0 $VF1; do
	wait_for 10 test -d /sys/bus/pci/devices/$vf/net
done
if0=$(ls /sys/bus/pci/devices/$VF0/net)
if1=$(ls /sys/bus/pci/devices/$VF1/net)
ip netns add vf0
ip netns add vf1
ip link set "$if0" netns vf0
ip link set "$if1" netns vf1
ip -n vf0 addr add 198.18.0.10/24 dev "$if0"
ip -n vf1 addr add 198.18.0.11/24 dev "$if1"
ip -n vf0 link set "$if0" up
ip -n vf1 link set "$if1" up
carrier() { ip netns exec "$1" cat /sys/class/net/"$2"/carrier | grep -q 1; }
wait_for 20 carrier vf0 "$if0" && wait_for 20 carrier vf1 "$if1"
ktap_result $? vf_carrier_up "$(ip -n vf0 link show "$if0" | head -n1)"

rx0=$(ip netns exec vf0 cat /sys/class/net/"$if0"/statistics/rx_packets)
got=$(ping_count ip netns exec vf0 ping -c $N -i 0.2 -W 2 198.18.0.1)
ktap_diag "VF0 -> PF: $got/$N replies"
[ "$got" = "$N" ]
ktap_result $? vf0_to_pf_ping "$got/$N replies"

got=$(ping_count ip netns exec vf0 ping -c $N -i 0.2 -W 2 198.18.0.11)
ktap_diag "VF0 -> VF1: $got/$N replies"
[ "$got" = "$N" ]
ktap_result $? vf0_to_vf1_ping "$got/$N replies"

# Each echo reply is one received frame; ARP adds a few.
rx1=$(ip netns exec vf0 cat /sys/class/net/"$if0"/statistics/rx_packets)
ktap_diag "VF0 rx_packets $rx0 -> $rx1"
[ $((rx1 - rx0)) -ge $((2 * N)) ]
ktap_result $? vf0_rx_counter "rx_packets grew by $((rx1 - rx0)), expected >= $((2 * N))"

# Hand the VFs back for the VFIO tests.
ip netns del vf0
ip netns del vf1
modprobe -r igbvf
ktap_exit
