# SPDX-License-Identifier: GPL-2.0
# Helpers to run nested VMs (L2) inside the emulated host (sourced).

L2_LOGDIR=${L2_LOGDIR:-/results}
# the test bed's small L2 kernel (tools/testbed/kconfig/l2.config)
L2_KERNEL=${L2_KERNEL:-$BUILD/images/l2-bzImage}
L2_INITRD=$BUILD/images/l2-initramfs.cpio.gz
QMP="/usr/bin/python3 $REPO/tools/testbed/qmp.py"
l2_pids=

# vf_bind BDF DRIVER: hand a VF to DRIVER through driver_override.
vf_bind() {
	local d=/sys/bus/pci/devices/$1
	[ -e "$d/driver" ] && echo "$1" > "$d/driver/unbind"
	echo "$2" > "$d/driver_override"
	echo "$1" > /sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "$d/driver")")" = "$2" ]
}

# l2_start NAME VF IP RUN [QEMU-ARGS...]: start an L2 QEMU owning VF in the
# background; serial log /tmp/NAME.log, QMP socket /tmp/NAME.qmp.
l2_start() {
	local name=$1 vf=$2 ip=$3 run=$4
	shift 4
	rm -f "$L2_LOGDIR/$name.log" "/tmp/$name.qmp"
	qemu-system-x86_64 -accel tcg -m 256M -M q35 -nodefaults -no-reboot \
		-display none -monitor none \
		-kernel "$L2_KERNEL" -initrd "$L2_INITRD" \
		-append "console=ttyS0 panic=-1 loglevel=4 tsc=reliable shadowvf.ip=$ip shadowvf.run=$run" \
		-device "vfio-pci,host=$vf${L2_VFIO_OPTS:-}" \
		-serial "file:$L2_LOGDIR/$name.log" \
		-qmp "unix:/tmp/$name.qmp,server,nowait" "$@" \
		> "/tmp/$name.qemu" 2>&1 &
	eval "l2_pid_$name=$!"
	l2_pids="$l2_pids $!"
	wait_for 30 test -S "/tmp/$name.qmp"
}

# l2_wait_log NAME SECONDS PATTERN: wait for PATTERN on NAME's console.
l2_wait_log() {
	wait_for "$2" grep -q "$3" "$L2_LOGDIR/$1.log"
}

l2_alive() {
	local pid
	eval "pid=\$l2_pid_$1"
	kill -0 "$pid" 2>/dev/null
}

# l2_stop_all: end the QEMUs this test started (by pid) and wait for them.
l2_stop_all() {
	local p
	for p in $l2_pids; do kill "$p" 2>/dev/null; done
	for p in $l2_pids; do
		wait_for 10 sh -c "! kill -0 $p" || kill -9 "$p" 2>/dev/null
	done
	l2_pids=
}

l2_dump() {
	local f
	for f in "$@"; do
		echo "# --- $f console (tail)"
		tail -n 15 "$L2_LOGDIR/$f.log" 2>/dev/null | sed 's/^/#   /'
		sed 's/^/#   qemu: /' "/tmp/$f.qemu" 2>/dev/null | tail -n 5
	done
}

# exec_with_igbvf_vfio BINARY: bind VF0 and VF1 to igbvf-vfio-pci and exec
# a selftest binary from $BUILD/selftests (a failed bind is a KTAP failure).
exec_with_igbvf_vfio() {
	if ! vf_bind "$VF0" igbvf_vfio_pci || ! vf_bind "$VF1" igbvf_vfio_pci; then
		ktap_header 1
		ktap_result 1 bind_igbvf_vfio_pci "driver_override bind failed"
		exit 1
	fi
	exec "$BUILD/selftests/$1"
}
