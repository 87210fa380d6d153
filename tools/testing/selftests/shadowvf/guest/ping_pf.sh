#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# L2 guest: ping the PF ten times and report the replies on the console.
# One busybox ping run: it schedules every echo after the first and its
# deadline with setitimer() and alarm(), which the L2 kernel has since it
# was built with POSIX timers (without them "ping -c 10" stopped after the
# first reply).
n=$(ping -c 10 -w 60 198.18.0.1 | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
echo "L2: ping_pf ${n:-0}/10"
