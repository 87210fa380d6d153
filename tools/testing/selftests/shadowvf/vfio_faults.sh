#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bind VF0 and VF1 to igbvf-vfio-pci and run the fault, race and hostile-user
# selftest (vfio_faults). Then, with every fd closed: the world is as the
# other tests expect it (PF up, two VFs bound to the driver), the module
# unloads and loads again, the devices work with the reloaded module, and the
# kernel log lines added during the run hold no warning, bug or lockdep
# report. One KTAP stream: the harness's results, then this script's.
here=$(dirname "$0")
. "$here/ktap.sh"
. "$here/l2lib.sh"
BIN=$BUILD/selftests/vfio_faults
KO=$BUILD/modules/$KVER/igbvf-vfio-pci.ko
DRV=igbvf_vfio_pci
EXTRA=4

klog_start=$(dmesg | wc -l)
t0=$(date +%s)

if ! vf_bind "$VF0" $DRV || ! vf_bind "$VF1" $DRV; then
	ktap_header 1
	ktap_result 1 bind_igbvf_vfio_pci "driver_override bind failed"
	exit 1
fi

# One KTAP stream: the harness's results, then the EXTRA below.
ktap_harness $EXTRA "$BIN"
st=$harness_st
ktap_diag "vfio_faults: exit $st after $(($(date +%s) - t0)) s"

driver_of() {
	basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)"
}

vfs_bound() {
	[ "$(driver_of "$VF0")" = $DRV ] && [ "$(driver_of "$VF1")" = $DRV ]
}

# world_ok: PF bound to igb with carrier, VF0 and VF1 bound to the driver.
world_ok() {
	[ "$(driver_of "$PF")" = igb ] &&
		grep -q 1 "/sys/class/net/$PFIF/carrier" 2>/dev/null && vfs_bound
}

# Put back what a failed sriov.* test may have left behind.
restore_world() {
	[ -e "/sys/bus/pci/devices/$PF/driver" ] ||
		echo "$PF" > /sys/bus/pci/drivers/igb/bind
	wait_for 10 test -e "/sys/class/net/$PFIF"
	ip link set "$PFIF" up
	ip addr show dev "$PFIF" | grep -q 198.18.0.1/24 ||
		ip addr add 198.18.0.1/24 dev "$PFIF"
	[ -e "/sys/bus/pci/devices/$VF1" ] ||
		echo 2 > "/sys/bus/pci/devices/$PF/sriov_numvfs"
	wait_for 10 test -e "/sys/bus/pci/devices/$VF1"
	[ "$(driver_of "$VF0")" = $DRV ] || vf_bind "$VF0" $DRV
	[ "$(driver_of "$VF1")" = $DRV ] || vf_bind "$VF1" $DRV
	wait_for 30 grep -q 1 "/sys/class/net/$PFIF/carrier"
}

if world_ok; then
	ktap_result 0 host_state_intact
else
	ktap_diag "PF driver $(driver_of "$PF"), VF0 $(driver_of "$VF0"), VF1 $(driver_of "$VF1")"
	restore_world
	world_ok
	ktap_result 1 host_state_intact "the tests left the PF or the VFs changed (restored: $?)"
fi

# Every fd is closed: the module must unload, and load again. The VFs keep
# their driver_override, so loading the driver binds them.
err=
if ! out=$(rmmod $DRV 2>&1); then
	err="rmmod failed: $out"
elif [ -e /sys/module/$DRV ]; then
	err="still loaded after rmmod"
elif ! out=$(insmod "$KO" 2>&1); then
	err="insmod failed: $out"
elif ! wait_for 5 vfs_bound; then
	err="VFs not bound after insmod: VF0 $(driver_of "$VF0"), VF1 $(driver_of "$VF1")"
fi
[ -e /sys/module/$DRV ] || insmod "$KO"
[ "$(driver_of "$VF0")" = $DRV ] || vf_bind "$VF0" $DRV
[ "$(driver_of "$VF1")" = $DRV ] || vf_bind "$VF1" $DRV
[ -z "$err" ]
ktap_result $? module_unload_reload "$err"

# The reloaded module drives the devices: one migration-heavy test again.
out=$("$BIN" -r flt.stale_fd_io 2>&1)
rst=$?
echo "$out" | grep -E '^(ok|not ok|#.*(FAIL|vfio_faults.c))' | sed 's/^/# reloaded: /'
ktap_result $rst devices_work_after_reload

bad=$(dmesg | tail -n +$((klog_start + 1)) | grep -E "$KLOG_BAD")
[ -z "$bad" ]
ktap_result $? kernel_log_clean "$(echo "$bad" | head -n 1)"
[ -n "$bad" ] && echo "$bad" | head -n 40 | sed 's/^/# /'

[ "$st" = 0 ] && [ "$ktap_fails" = 0 ]
