#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Nested, plain vfio-pci: an L2 VM owns VF0 and its igbvf exchanges ICMP
# echo with the PF in both directions; a live migration to a second L2 that
# owns VF1 is refused by QEMU because vfio-pci offers no migration, and the
# source keeps running and passing traffic. That refusal is the baseline
# that igbvf-vfio-pci turns into a migration.
here=$(dirname "$0")
. "$here/ktap.sh"
. "$here/l2lib.sh"
trap l2_stop_all EXIT
ktap_header 5

modprobe vfio-pci
vf_bind "$VF0" vfio-pci && vf_bind "$VF1" vfio-pci
ktap_result $? vfs_bound_to_vfio_pci

t0=$(date +%s)
l2_start src "$VF0" 198.18.0.20/24 ping_pf.sh
l2_wait_log src 900 'L2: ping_pf'
ktap_diag "L2 booted and pinged in $(($(date +%s) - t0)) s: $(grep -a 'L2: eth0' "$L2_LOGDIR/src.log")"
got=$(sed -n 's|.*L2: ping_pf \([0-9]*\)/10.*|\1|p' "$L2_LOGDIR/src.log")
[ "${got:-0}" = 10 ]
st=$?
[ $st = 0 ] || l2_dump src
ktap_result $st l2_to_pf_ping "${got:-0}/10 replies"

got=$(ping_count ping -c 10 -i 0.3 -W 10 198.18.0.20)
ktap_diag "PF -> L2: $got/10 replies"
[ "$got" = 10 ]
ktap_result $? pf_to_l2_ping "$got/10 replies"

l2_start dst "$VF1" 198.18.0.20/24 "" -incoming tcp:127.0.0.1:4444
reply=$(l2_qmp src migrate '{"uri": "tcp:127.0.0.1:4444"}')
ktap_diag "migrate: $reply"
status=$(l2_qmp src query-status)
echo "$reply" | grep -q 'VFIO migration is not supported in kernel' &&
	[ "$(json_get "$status" return.status)" = running ] && l2_alive src
st=$?
[ $st = 0 ] || l2_dump src dst
ktap_result $st migration_refused_baseline "$reply / $status"

got=$(ping_count ping -c 5 -i 0.3 -W 10 198.18.0.20)
ktap_diag "PF -> L2 after the refused migration: $got/5 replies"
[ "$got" = 5 ]
ktap_result $? source_passes_traffic_after_refusal "$got/5 replies"
ktap_exit
