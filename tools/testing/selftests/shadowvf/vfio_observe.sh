#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What an operator sees (Documentation/operators.rst): the driver's
# tracepoints (events/shadowvf) during a real save on VF0 and restore on
# VF1 and during refused blobs, and debugfs (igbvf-vfio-pci/<VF>/state,
# last_refused), whose refused stream the blob inspector must decode to
# the same field the driver named. The migrations are vfio_mig_uapi's own.
here=$(dirname "$0")
. "$here/ktap.sh"
. "$here/l2lib.sh"
DRV=igbvf_vfio_pci
TR=/sys/kernel/tracing
DBG=/sys/kernel/debug/igbvf-vfio-pci
INSPECT=$BUILD/tools/svf-inspect

ktap_header 7
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
mountpoint -q $TR || mount -t tracefs nodev $TR
vf_bind "$VF0" $DRV && vf_bind "$VF1" $DRV
ktap_result $? bind_igbvf_vfio_pci

echo 0 > $TR/tracing_on
echo > $TR/trace
echo 1 > $TR/events/shadowvf/enable
echo 1 > $TR/tracing_on
"$BUILD/selftests/vfio_mig_uapi" -r mig.cross_vf_restore > /tmp/observe-mig.log 2>&1
st=$?
echo 0 > $TR/tracing_on
cp $TR/trace /tmp/observe-trace.log
ktap_result $st cross_vf_restore_ran "$(tail -n 3 /tmp/observe-mig.log | tr '\n' ' ')"

# every phase of a migration, successful, with its duration
missing=
for p in "$VF0 quiesce" "$VF0 capture" "$VF1 restore" "$VF1 unquiesce"; do
	grep -qE "svf_igb_phase: $p ret=0 us=[0-9]+" /tmp/observe-trace.log ||
		missing="$missing [$p]"
done
[ -z "$missing" ]
ktap_result $? trace_phases "missing:$missing"
grep svf_igb_phase /tmp/observe-trace.log | sed 's/.*svf_igb_phase: /# /'

# the arcs (RUNNING 2 -> RUNNING_P2P 5 -> STOP 1 -> STOP_COPY 3 on VF0,
# STOP 1 -> RESUMING 4 -> STOP 1 on VF1) and the replay, VF_RESET first
grep -qE "svf_igb_arc: $VF0 2->5 ret=0" /tmp/observe-trace.log &&
	grep -qE "svf_igb_arc: $VF0 1->3 ret=0" /tmp/observe-trace.log &&
	grep -qE "svf_igb_arc: $VF1 4->1 ret=0" /tmp/observe-trace.log
ktap_result $? trace_arcs "$(grep -c svf_igb_arc /tmp/observe-trace.log) arcs"
first=$(grep -m1 "svf_igb_replay: $VF1" /tmp/observe-trace.log)
# answered (ACK, or NACK while the VF has no MAC yet), of its own type
echo "$first" | grep -qE 'msg=0x00000001 reply=0x[4-9a-f][0-9a-f]{3}0001 ret=0'
ktap_result $? trace_replay_vf_reset "${first#*svf_igb_replay: }"

# refused blobs: the tracepoint and debugfs name the field
echo > $TR/trace
echo 1 > $TR/tracing_on
"$BUILD/selftests/vfio_mig_uapi" -r mig.bad_blobs > /tmp/observe-bad.log 2>&1
echo 0 > $TR/tracing_on
tfield=$(grep "svf_igb_refused: $VF1" $TR/trace | tail -n 1 | sed -n 's/.*field=\([^ ]*\).*/\1/p')
state=$(cat "$DBG/$VF1/state" 2>/dev/null)
echo "$state" | sed 's/^/# state: /'
dfield=$(echo "$state" | sed -n 's/^last_refused: \([^ ]*\) (.*/\1/p')
refused=$(echo "$state" | sed -n 's/^refused: //p')
[ -n "$tfield" ] && [ "$tfield" = "$dfield" ] && [ "${refused:-0}" -gt 0 ]
ktap_result $? debugfs_names_refused_field "trace '$tfield', debugfs '$dfield', refused ${refused:-?}"

# the operator's tool on the kept stream names the same field
if [ -x "$INSPECT" ]; then
	out=$("$INSPECT" -q "$DBG/$VF1/last_refused" 2>/dev/null)
	[ "$out" = "status: invalid $dfield" ]
	ktap_result $? inspector_reads_debugfs_refused "$out (driver: $dfield)"
else
	ktap_result 1 inspector_reads_debugfs_refused "no $INSPECT (make tools)"
fi
echo 0 > $TR/events/shadowvf/enable
[ "$ktap_fails" = 0 ]
