#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bind VF0 and VF1 to igbvf-vfio-pci and run the hostile-owner stress test
# (vfio_hostile, HOSTILE_SECONDS long); then the kernel log lines added
# during the run must hold no warning, bug, lockdep or hung-task report.
here=$(dirname "$0")
. "$here/ktap.sh"
. "$here/l2lib.sh"
BIN=$BUILD/selftests/vfio_hostile
EXTRA=1

klog_start=$(dmesg | wc -l)
if ! vf_bind "$VF0" igbvf_vfio_pci || ! vf_bind "$VF1" igbvf_vfio_pci; then
	ktap_header 1
	ktap_result 1 bind_igbvf_vfio_pci "driver_override bind failed"
	exit 1
fi
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug

ktap_harness $EXTRA "$BIN"
st=$harness_st
ktap_diag "the driver's lost-log lines: $(dmesg | tail -n +$((klog_start + 1)) | grep -c 'dirty tracking:')," \
	"first: $(dmesg | tail -n +$((klog_start + 1)) | grep -m1 'dirty tracking:')"

bad=$(dmesg | tail -n +$((klog_start + 1)) | grep -E "$KLOG_BAD")
[ -z "$bad" ]
ktap_result $? kernel_log_clean_after_attack "$(echo "$bad" | head -n 1)"
[ -n "$bad" ] && echo "$bad" | head -n 40 | sed 's/^/# /'

[ "$st" = 0 ] && [ "$ktap_fails" = 0 ]
