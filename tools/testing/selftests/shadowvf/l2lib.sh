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

# l2_start NAME VF IP RUN [QEMU-ARGS...]: start an L2 QEMU owning VF (none
# if VF is "": give it a NIC in QEMU-ARGS) in the background; serial log
# $L2_LOGDIR/NAME.log, QMP socket /tmp/NAME.qmp; L2_APPEND adds to the
# kernel command line. no_timer_check: on a loaded machine the nested
# kernel's IO-APIC timer check saw too few ticks and panicked ("IO-APIC +
# timer doesn't work!").
# The console goes through a FIFO to cat, which appends it to the log in
# as large pieces as have come: QEMU's serial port writes each byte on its
# own, in the nested VM's vCPU thread, and each such write to the shared
# results folder (9p) froze the VM for milliseconds (74 B/s measured): its
# timers fired late and its pings through the VF timed out.
l2_start() {
	local name=$1 vf=$2 ip=$3 run=$4 con=/tmp/$1.con
	shift 4
	rm -f "$L2_LOGDIR/$name.log" "/tmp/$name.qmp" "/tmp/$name.ev" "/tmp/$name.events" \
		"$con.in" "$con.out"
	mkfifo "$con.in" "$con.out" || return 1
	cat < "$con.out" > "$L2_LOGDIR/$name.log" 2> /dev/null &
	l2_pids="$l2_pids $!"
	# L2_NICE: below 0, the nested VMs before the test's own tools on this
	# host's one vCPU, as a VM with its own cores would be
	nice -n "${L2_NICE:-0}" qemu-system-x86_64 -accel tcg -m "${L2_MEM:-128M}" -M q35 -nodefaults -no-reboot \
		-display none -monitor none \
		-kernel "$L2_KERNEL" -initrd "$L2_INITRD" \
		-append "console=ttyS0 panic=-1 loglevel=4 tsc=reliable no_timer_check shadowvf.ip=$ip shadowvf.run=$run ${L2_APPEND:-}" \
		${vf:+-device "vfio-pci,host=$vf${L2_VFIO_OPTS:-}"} \
		-serial "pipe:$con" \
		-qmp "unix:/tmp/$name.qmp,server,nowait" \
		-qmp "unix:/tmp/$name.ev,server,nowait" "$@" \
		> "$L2_LOGDIR/$name.qemu" 2>&1 &
	eval "l2_pid_$name=$!"
	l2_pids="$l2_pids $!"
	wait_for 30 test -S "/tmp/$name.qmp"
	# its events (STOP, RESUME, MIGRATION...) with this host's monotonic
	# time, for the migration timeline (timeline.py)
	wait_for 10 test -S "/tmp/$name.ev" &&
		$QMP "/tmp/$name.ev" events > "/tmp/$name.events" 2>/dev/null &
}

# l2_wait_log NAME SECONDS PATTERN: wait for PATTERN on NAME's console.
l2_wait_log() {
	wait_for "$2" grep -q "$3" "$L2_LOGDIR/$1.log"
}

# json_get JSON KEY.KEY...: print one field of a JSON document ("" if absent).
json_get() {
	python3 -c 'import json, sys
v = json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    v = v.get(k, {}) if isinstance(v, dict) else {}
print("" if v == {} else v)' "$1" "$2" 2>/dev/null
}

# l2_qmp NAME COMMAND [JSON-ARGS]: one QMP command to L2 NAME; prints the reply.
l2_qmp() {
	local name=$1
	shift
	$QMP "/tmp/$name.qmp" "$@"
}

# l2_migrate SRC DST PORT TIMEOUT: live-migrate SRC into DST (started with
# -incoming defer) over TCP with the return path and switchover-ack on, so
# that a destination that cannot take the device's state fails the
# migration and SRC resumes (before it stops, where the compatibility
# record already fails). Prints SRC's final query-migrate reply; status 0
# if it completed. QEMU's own downtime limit and bandwidth apply unless
# L2_DOWNTIME_LIMIT (ms) is set: a VF VM without dirty tracking
# (dirty_tracking=0) has all its RAM resent at the switch-over and needs a
# limit as long as sending the RAM once at full speed.
l2_migrate() {
	l2_migrate_start "$@" || return 2
	$QMP "/tmp/$1.qmp" wait-migration "$4"
}

# l2_migrate_start FROM TO PORT: l2_migrate without the wait.
l2_migrate_start() {
	local caps='{"capabilities": [{"capability": "return-path", "state": true},
		{"capability": "switchover-ack", "state": true}]}'
	local params="{\"downtime-limit\": ${L2_DOWNTIME_LIMIT:-0}, \"max-bandwidth\": 4294967296}"
	l2_qmp "$1" migrate-set-capabilities "$caps" > /dev/null &&
		{ [ -z "${L2_DOWNTIME_LIMIT:-}" ] ||
		  l2_qmp "$1" migrate-set-parameters "$params" > /dev/null; } &&
		l2_qmp "$2" migrate-set-capabilities "$caps" > /dev/null &&
		l2_qmp "$2" migrate-incoming "{\"uri\": \"tcp:127.0.0.1:$3\"}" > /dev/null &&
		l2_qmp "$1" migrate "{\"uri\": \"tcp:127.0.0.1:$3\"}" > /dev/null
}

# l2_quit NAME: end an L2 QEMU through QMP and wait for its process.
l2_quit() {
	local pid
	eval "pid=\$l2_pid_$1"
	l2_qmp "$1" quit > /dev/null 2>&1
	wait_for 20 pid_gone "$pid"
}

# pid_gone PID: the process has exited (a zombie child counts as gone).
pid_gone() {
	[ ! -e "/proc/$1/stat" ] || [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# Device time: the driver's tracepoints (events/shadowvf, see
# Documentation/operators.rst), to report how long the driver's part of a
# migration takes: quiesce + capture on the source, restore (with the PF
# mailbox handshake) and the move to RUNNING (unquiesce) on the
# destination, and all state arcs together (set_state).
TR=/sys/kernel/tracing
devtime_start() {
	mountpoint -q $TR || mount -t tracefs nodev $TR 2>/dev/null || return 1
	[ -d $TR/events/shadowvf ] || return 1
	echo 0 > $TR/tracing_on
	echo > $TR/trace
	# the clock svf_stream's series and the QMP events are stamped with
	echo mono > $TR/trace_clock
	echo 1 > $TR/events/shadowvf/svf_igb_phase/enable
	echo 1 > $TR/events/shadowvf/svf_igb_arc/enable
	echo 1 > $TR/tracing_on
}

# devtime_report: "PHASE total_us (count)" for quiesce, capture, restore,
# unquiesce, and set_state (all arcs), then the events off.
devtime_report() {
	[ -e $TR/events/shadowvf/enable ] || return 0
	echo 0 > $TR/tracing_on
	cp $TR/trace /tmp/devtime.trace
	awk '
		/svf_igb_phase: / || /svf_igb_arc: / {
			us = ""
			for (i = 1; i <= NF; i++)
				if ($i ~ /^us=/)
					us = substr($i, 4)
			if (us == "")
				next
			if ($0 ~ /svf_igb_arc: /) {
				ph = "set_state"
			} else {
				for (i = 1; i <= NF; i++)
					if ($i == "svf_igb_phase:")
						ph = $(i + 2)
			}
			t[ph] += us; c[ph]++
		}
		END { for (p in t) printf "%s %.0f us (%d)\n", p, t[p], c[p] }' $TR/trace
	echo 0 > $TR/events/shadowvf/enable
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
		wait_for 10 pid_gone "$p" || kill -9 "$p" 2>/dev/null
	done
	l2_pids=
}

l2_dump() {
	local f
	for f in "$@"; do
		echo "# --- $f console (tail)"
		tail -n 15 "$L2_LOGDIR/$f.log" 2>/dev/null | sed 's/^/#   /'
		sed 's/^/#   qemu: /' "$L2_LOGDIR/$f.qemu" 2>/dev/null | tail -n 5
	done
}

# no_igbvf_trouble NAME: the guest's kernel reported no reset, hang or link
# loss on NAME's console (its log starts at the migration).
no_igbvf_trouble() {
	local bad
	bad=$(grep -a 'L2: kmsg' "$L2_LOGDIR/$1.log" | grep -i -E 'reset|hang|link is down|timeout')
	[ -n "$bad" ] && echo "$bad" | sed 's/^/# /'
	[ -z "$bad" ]
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
