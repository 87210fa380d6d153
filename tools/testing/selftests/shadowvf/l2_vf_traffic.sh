#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Nested: an L2 VM owns VF0 through plain vfio-pci and its igbvf exchanges
# ICMP echo with the PF in both directions. Not yet in make check: with the
# small L2 kernel the first echo succeeds and later ones stall (see
# Documentation/testbed.rst).
here=$(dirname "$0")
. "$here/ktap.sh"
. "$here/l2lib.sh"
trap l2_stop_all EXIT
ktap_header 3

modprobe vfio-pci
vf_bind "$VF0" vfio-pci
ktap_result $? vf_bound_to_vfio_pci

t0=$(date +%s)
l2_start src "$VF0" 198.18.0.20/24 ping_pf.sh
l2_wait_log src 900 'L2: ping_pf'
ktap_diag "L2 booted and pinged in $(($(date +%s) - t0)) s: $(grep 'L2: eth0' "$L2_LOGDIR/src.log")"
got=$(sed -n 's|L2: ping_pf \([0-9]*\)/10.*|\1|p' "$L2_LOGDIR/src.log")
[ "${got:-0}" = 10 ]
st=$?
[ $st = 0 ] || l2_dump src
ktap_result $st l2_to_pf_ping "${got:-0}/10 replies"

got=$(ping_count ping -c 10 -i 0.3 -W 10 198.18.0.20)
ktap_diag "PF -> L2: $got/10 replies"
[ "$got" = 10 ]
ktap_result $? pf_to_l2_ping "$got/10 replies"
ktap_exit
