#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# L2 guest: ping the PF and report the replies on the console.
n=$(ping -c 10 -W 3 198.18.0.1 | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
echo "L2: ping_pf ${n:-0}/10"
