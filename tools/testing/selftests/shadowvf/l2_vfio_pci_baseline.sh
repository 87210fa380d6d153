#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Nested: an L2 VM owns VF0 through plain vfio-pci; a live migration to a
# second L2 that owns VF1 is refused by QEMU because vfio-pci offers no
# migration, and the source keeps running. That refusal is the baseline
# that igbvf-vfio-pci turns into a migration.
here=$(dirname "$0")
. "$here/ktap.sh"
. "$here/l2lib.sh"
trap l2_stop_all EXIT
ktap_header 2

modprobe vfio-pci
vf_bind "$VF0" vfio-pci && vf_bind "$VF1" vfio-pci
ktap_result $? vfs_bound_to_vfio_pci

l2_start src "$VF0" 198.18.0.20/24 ""
l2_start dst "$VF1" 198.18.0.20/24 "" -incoming tcp:127.0.0.1:4444
reply=$($QMP /tmp/src.qmp migrate '{"uri": "tcp:127.0.0.1:4444"}')
ktap_diag "migrate: $reply"
status=$($QMP /tmp/src.qmp query-status)
echo "$reply" | grep -q 'VFIO migration is not supported in kernel' &&
	echo "$status" | grep -q '"running"' && l2_alive src
st=$?
[ $st = 0 ] || l2_dump src dst
ktap_result $st migration_refused_baseline "$reply / $status"
ktap_exit
