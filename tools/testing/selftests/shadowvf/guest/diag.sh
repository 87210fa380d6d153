#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# L2 guest: print what the clock and the network path look like (debugging
# aid for l2_vf_traffic.sh; shadowvf.run=diag.sh).
echo "L2: clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
dmesg | grep -i -e tsc -e clocksource -e hpet | head -n 10
cat /proc/interrupts
ping -c 3 -w 20 198.18.0.1
ip neigh
cat /proc/interrupts
dmesg | tail -n 20
echo "L2: diag done"
