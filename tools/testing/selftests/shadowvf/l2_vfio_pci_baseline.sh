#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Nested: an L2 VM owns VF0 through plain vfio-pci and its stock igbvf
# exchanges traffic with the PF; a live migration to a second L2 that owns
# VF1 is refused by QEMU because vfio-pci offers no migration. That refusal
# is the baseline that igbvf-vfio-pci turns into a migration.
here=$(dirname "$0")
. "$here/ktap.sh"
. "$here/l2lib.sh"
trap l2_stop_all EXIT
ktap_header 4

modprobe vfio-pci
vf_bind "$VF0" vfio-pci && vf_bind "$VF1" vfio-pci
ktap_result $? vfs_bound_to_vfio_pci

t0=$(date +%s)
l2_start src "$VF0" 198.18.0.20/24 ping_pf.sh
l2_wait_log src 900 'L2: ping_pf'
ktap_diag "L2 booted and pinged in $(($(date +%s) - t0)) s: $(grep 'L2: eth0' $L2_LOGDIR/src.log)"
got=$(sed -n 's|L2: ping_pf \([0-9]*\)/10.*|\1|p' $L2_LOGDIR/src.log)
[ "${got:-0}" = 10 ]
st=$?
[ $st = 0 ] || l2_dump src
ktap_result $st l2_to_pf_ping "${got:-0}/10 replies"

got=$(ping_count ping -c 10 -i 0.3 -W 3 198.18.0.20)
ktap_diag "PF -> L2: $got/10 replies"
[ "$got" = 10 ]
ktap_result $? pf_to_l2_ping "$got/10 replies"

l2_start dst "$VF1" 198.18.0.20/24 "" -incoming tcp:127.0.0.1:4444
reply=$($QMP /tmp/src.qmp migrate '{"uri": "tcp:127.0.0.1:4444"}')
ktap_diag "migrate: $reply"
status=$($QMP /tmp/src.qmp query-status)
echo "$reply" | grep -q 'VFIO migration is not supported in kernel' &&
	echo "$status" | grep -q '"running"' && l2_alive src
ktap_result $? migration_refused_baseline "$reply / $status"
ktap_exit
