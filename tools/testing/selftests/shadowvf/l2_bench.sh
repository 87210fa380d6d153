#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench, inside the emulated host (not a test: it asserts nothing and
# prints figures to /results/bench.txt). Medians of BENCH_MIGRATIONS
# (default 5) live migrations each, QEMU's default downtime limit and
# bandwidth unless said otherwise:
#  - vf: an L2 VM that owns a VF through igbvf-vfio-pci (dirty tracking
#    on), ping-pong VF0 <-> VF1; vf512: the same with 512 MiB of RAM;
#  - vfall: the same 128 MiB VM with dirty_tracking=0 (all RAM resent at
#    the switch-over, which needs a downtime limit as long as that);
#  - e1000e: the same L2 image and RAM with an emulated e1000e NIC instead
#    (tap ports on a bridge in this host), migrated the same way;
# same workload (stream.sh: 64 kB/s TCP + a datagram every 20 ms; the host
# streams 64 kB/s to the VF VMs too). Then the guest's unthrottled TCP
# throughput through VF0 with plain vfio-pci, with igbvf-vfio-pci (RX page
# trapped) and with igbvf-vfio-pci tracking (after a cancelled migration),
# median of BENCH_WINDOWS (default 5) 10 s windows.
# BENCH_PARTS (default "migration throughput") runs only the parts named.
here=$(dirname "$0")
. "$here/ktap.sh"
. "$here/l2lib.sh"
. "$here/streamlib.sh"
N=${BENCH_MIGRATIONS:-5}
export SOURCE_KBPS=${SOURCE_KBPS:-64}	# the host's stream to the VF VMs
W=${BENCH_WINDOWS:-5}
PARTS=${BENCH_PARTS:-migration throughput}
PORT=4444
P=/sys/module/igbvf_vfio_pci/parameters/dirty_tracking
trap 'cpu_sample_stop; l2_stop_all; sink_stop; source_stop; echo 1 > $P; ip link del svbr0 2>/dev/null' EXIT
report_to "$L2_LOGDIR/bench.txt"
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# series KIND NAME-PREFIX VF-A VF-B [QEMU-ARGS...]: boot KIND's VM on VF-A
# and migrate it N times between VF-A and VF-B (or, for e1000e, between
# two QEMUs). Prints "downtime=... gap=..." lines to series.KIND.
series() {
	local kind=$1 p=$2 va=$3 vb=$4 i src dst vf reply dev st
	local ip=${SERIES_IP:-198.18.0.20/24}
	shift 4
	rm -f "/tmp/series.$kind"
	sink_start
	l2_start "${p}0" "$va" "$ip" stream.sh "$@" ||
		{ log "$kind: QEMU did not start"; return 1; }
	[ "$kind" = e1000e ] && ip link set svtap0 master svbr0 up
	if ! wait_for 900 grep -q 'L2: svf_stream: connected' "$L2_LOGDIR/${p}0.log" ||
	   ! stream_ok 120; then
		log "$kind: guest did not stream: $(stream_line)"
		l2_dump "${p}0"
		return 1
	fi
	[ "$kind" = e1000e ] || source_start "${ip%/*}"
	for i in $(seq 1 "$N"); do
		src=$p$((i - 1)) dst=$p$i
		vf=$va
		[ $((i % 2)) = 1 ] && vf=$vb
		if [ "$kind" = e1000e ]; then
			set -- -netdev "tap,id=n0,ifname=svtap$i,script=no,downscript=no" \
				-device e1000e,netdev=n0,mac=52:54:00:5f:00:20
			vf=
		fi
		l2_start "$dst" "$vf" "$ip" stream.sh -incoming defer "$@"
		[ "$kind" = e1000e ] && ip link set "svtap$i" master svbr0 up
		sink_mark
		devtime_start
		cpu_sample_start "$src" "$dst"
		reply=$(l2_migrate "$src" "$dst" $PORT 900)
		st=$?
		dev=$(devtime_report | awk '{ printf "%s=%s ", $1, $2 }')
		l2_quit "$src"
		if [ $st != 0 ] || ! stream_ok 120; then
			log "$kind: migration $i failed: $reply; $(stream_line)"
			l2_dump "$src" "$dst"
			return 1
		fi
		# traffic both ways again, then the picture of the move
		[ "$kind" = e1000e ] || rx_ok "$dst" 120
		# not in a subshell: timeline numbers its pictures
		timeline "$src" "$dst" "$(json_get "$reply" return.downtime)" > /tmp/timeline.out
		tl=$(cat /tmp/timeline.out)
		echo "$tl"
		echo "downtime=$(json_get "$reply" return.downtime)" \
			"gap=$(stat_get udp_max_gap_ms) gapran=$(stat_get udp_max_gap_sender_ms)" \
			"$(echo "$tl" | sed -n 's/^# timeline: //p')" \
			"blob=$(json_get "$reply" return.vfio.transferred)" \
			"total=$(json_get "$reply" return.total-time)" \
			"stopbytes=$(json_get "$reply" return.ram.downtime-bytes) $dev" >> "/tmp/series.$kind"
		echo "# $kind $i: $(tail -n 1 "/tmp/series.$kind")"
	done
	# the control: the last destination stopped and continued, no move:
	# the same QEMU, its guest's code already translated (TCG), the same
	# tools running. What the gap is in this bed without a new QEMU.
	local since
	sink_mark
	since=$(awk '{ printf "%d", $1 * 1000 }' /proc/uptime)
	cpu_sample_start none "$dst"
	l2_qmp "$dst" stop > /dev/null && sleep 0.2 && l2_qmp "$dst" cont > /dev/null &&
		stream_ok 120 && { [ "$kind" = e1000e ] || rx_ok "$dst" 120; }
	st=$?
	timeline "$dst" "$dst" "" "$since" > /tmp/timeline.out
	tl=$(cat /tmp/timeline.out)
	echo "$tl"
	if [ $st = 0 ]; then
		echo "$tl" | sed -n 's/^# timeline: //p' > "/tmp/control.$kind"
	else
		log "$kind: the stop and cont control failed: $(stream_line)"
	fi
	log "$kind: $(stream_line)"
	l2_stop_all
	source_stop
	sink_stop
}

# col KIND KEY: the values of KEY over KIND's migrations.
col() { while read -r l; do field "$l" "$2"; done < "/tmp/series.$1"; }

part() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
# BENCH_SERIES: which migration series run (default all four)
SERIES_SEL=${BENCH_SERIES:-vf vf512 vfall e1000e}
want() { case " $SERIES_SEL " in *" $1 "*) return 0 ;; esac; return 1; }

if part migration; then
	log "migrations per series: $N; L2: ${L2_MEM:-128M} RAM, TCG, stream.sh at 64 kB/s"

	vf_bind "$VF0" igbvf_vfio_pci && vf_bind "$VF1" igbvf_vfio_pci || exit 1
	want vf && L2_VFIO_OPTS=,enable-migration=on series vf m "$VF0" "$VF1"
	want vf512 && L2_MEM=512M L2_VFIO_OPTS=,enable-migration=on series vf512 g "$VF0" "$VF1"
	# without tracking all RAM goes at the switch-over: allow for it
	echo 0 > $P
	want vfall && L2_DOWNTIME_LIMIT=120000 L2_VFIO_OPTS=,enable-migration=on series vfall u "$VF0" "$VF1"
	echo 1 > $P

	modprobe tun
	modprobe bridge
	ip link add svbr0 type bridge
	ip addr add 198.18.1.1/24 dev svbr0
	ip link set svbr0 up
	# an emulated NIC's RAM is dirty-tracked by QEMU itself
	want e1000e && SERIES_IP=198.18.1.20/24 L2_APPEND=shadowvf.peer=198.18.1.1 \
		series e1000e e "" "" \
		-netdev tap,id=n0,ifname=svtap0,script=no,downscript=no \
		-device e1000e,netdev=n0,mac=52:54:00:5f:00:20

	for k in vf vf512 vfall e1000e; do
		[ -f "/tmp/series.$k" ] || continue
		d=$(median $(col $k downtime)); g=$(median $(col $k gap))
		b=$(median $(col $k stopbytes))
		eval "down_$k=$d gap_$k=$g stop_$k=$b"
		log "$k: QEMU downtime ms: $(col $k downtime | tr '\n' ' ')-> median $d"
		log "$k: guest traffic gap ms (UDP every 20 ms): $(col $k gap | tr '\n' ' ')-> median $g"
		# the guest's clock across the gap: what it ran without sending
		log "$k: of which the guest ran ms: $(col $k gapran | tr '\n' ' ')-> median $(median $(col $k gapran))"
		# the gap split by the QEMUs' STOP and RESUME events (timeline.py)
		log "$k: guest -> host gap from the series ms: $(col $k up_gap | tr '\n' ' ')-> median" \
			"$(median $(col $k up_gap)) = before STOP $(median $(col $k up_before))" \
			"+ VM running nowhere $(median $(col $k nowhere))" \
			"+ after RESUME $(median $(col $k up_after)); guest clock still $(median $(col $k still))"
		log "$k: the gap a peer on a real host would see (estimate: the guest's clock stood" \
			"still, or the longest wait of a datagram, + 20 ms per datagram lost) ms:" \
			"$(col $k peer | tr '\n' ' ')-> median $(median $(col $k peer))"
		log "$k: this host's CPU, medians in %: from the gap's start to STOP: source QEMU" \
			"$(median $(col $k cpu_pre_src)), destination QEMU $(median $(col $k cpu_pre_dst))," \
			"the rest $(median $(col $k cpu_pre_other)), idle $(median $(col $k cpu_pre_idle));" \
			"from RESUME to the gap's end: destination QEMU $(median $(col $k cpu_post_dst))," \
			"source QEMU $(median $(col $k cpu_post_src)), the rest $(median $(col $k cpu_post_other))," \
			"idle $(median $(col $k cpu_post_idle))"
		[ "$k" = e1000e ] || log "$k: host -> guest gap ms: $(col $k down_gap | tr '\n' ' ')-> median" \
			"$(median $(col $k down_gap)) = before STOP $(median $(col $k down_before))" \
			"+ nowhere + after RESUME $(median $(col $k down_after))"
		if [ -s "/tmp/control.$k" ]; then
			c=$(cat "/tmp/control.$k")
			log "$k: control, the same QEMU stopped and continued (no move): guest -> host gap" \
				"$(field "$c" up_gap) ms = before STOP $(field "$c" up_before) + stopped" \
				"$(field "$c" nowhere) + after RESUME $(field "$c" up_after); guest clock still" \
				"$(field "$c" still)" \
				"$([ -n "$(field "$c" cpu_post_dst)" ] && echo "; host CPU after RESUME: this" \
					"QEMU $(field "$c" cpu_post_dst)%, the rest $(field "$c" cpu_post_other)%")"
		fi
		log "$k: total migration time ms: $(col $k total | tr '\n' ' ')-> median $(median $(col $k total))"
		log "$k: RAM bytes sent while stopped: $(col $k stopbytes | tr '\n' ' ')-> median $b"
	done
	if [ -f /tmp/series.vf ]; then
		log "vf: driver time, medians in us: provision (destination, from the" \
			"initial bytes, before the switch-over) $(median $(col vf provision)),"
		log "vf: driver time in the downtime, medians in us: quiesce $(median $(col vf quiesce))," \
			"capture $(median $(col vf capture))," \
			"restore incl. PF mailbox $(median $(col vf restore))," \
			"unquiesce $(median $(col vf unquiesce))," \
			"all state changes per migration $(median $(col vf set_state))"
		log "vf: device state in the stream: $(median $(col vf blob)) bytes"
	fi
	ratio() { awk "BEGIN { printf \"%.2f\", $1 / ($2 ? $2 : 1) }"; }
	if [ -n "${down_vf:-}" ] && [ -n "${down_e1000e:-}" ]; then
		log "ratio vf/e1000e: downtime $(ratio "$down_vf" "$down_e1000e")," \
			"traffic gap $(ratio "$gap_vf" "$gap_e1000e") (target: downtime <= 1.2)"
	fi
	if [ -f /tmp/series.vf ]; then
		pv=$(median $(col vf peer))
		log "vf: the gap a peer on a real host would see, median $pv ms; target <= 2 x" \
			"QEMU's downtime + 1 s = $((2 * down_vf + 1000)) ms:" \
			"$([ "${pv:-999999}" -le $((2 * down_vf + 1000)) ] && echo met || echo missed)"
	fi
	[ -n "${stop_vf:-}" ] && [ -n "${stop_vfall:-}" ] &&
		log "ratio RAM sent while stopped, tracked/untracked: $(ratio "$stop_vf" "$stop_vfall")" \
			"(target <= 0.10); downtime tracked/untracked: $(ratio "$down_vf" "$down_vfall")"
	[ -n "${down_vf512:-}" ] && [ -n "${down_vf:-}" ] &&
		log "ratio downtime 512 MiB / 128 MiB (tracked): $(ratio "$down_vf512" "$down_vf") (target <= 1.3)"
fi

part throughput || exit 0
# tracking: a migration started and cancelled in pre-copy leaves the device
# tracking (dirty.c); the bandwidth cap keeps pre-copy going until then
cancelled_migration() {
	l2_qmp "$1" migrate-set-parameters '{"max-bandwidth": 1048576}' > /dev/null
	l2_qmp "$1" migrate '{"uri": "exec:cat > /dev/null"}' > /dev/null
	sleep 10
	l2_qmp "$1" migrate_cancel > /dev/null
	wait_for 60 sh -c "$QMP /tmp/$1.qmp query-migrate | grep -q cancelled"
	log "throughput: migration cancelled: $(json_get "$(l2_qmp "$1" query-migrate)" return.status)"
	l2_qmp "$1" migrate-set-parameters '{"max-bandwidth": 134217728}' > /dev/null
}
# throughput: the same guest, unthrottled, through VF0 with each driver
log "throughput: L2 ${L2_MEM:-128M} RAM, TCG, unthrottled TCP to this host, $W windows of 10 s"
# igbvf_cancelled: the same cancelled migration without tracking
# (dirty_tracking=0), to tell tracking's cost from what the cancelled
# migration leaves behind in QEMU
for mode in vfio-pci igbvf_vfio_pci igbvf_tracking igbvf_cancelled; do
	drv=vfio-pci
	[ $mode = vfio-pci ] || drv=igbvf_vfio_pci
	[ $drv = vfio-pci ] && modprobe vfio-pci
	[ $mode = igbvf_cancelled ] && echo 0 > $P
	vf_bind "$VF0" $drv || { log "throughput: bind $drv failed"; continue; }
	sink_start
	opts=
	[ $drv = vfio-pci ] || opts=,enable-migration=on
	L2_VFIO_OPTS=$opts L2_APPEND=shadowvf.rate=0 l2_start t "$VF0" 198.18.0.20/24 stream.sh
	if wait_for 900 grep -q 'L2: svf_stream: connected' "$L2_LOGDIR/t.log"; then
		case $mode in igbvf_tracking | igbvf_cancelled) cancelled_migration t ;; esac
		sleep 20
		rs=
		for i in $(seq 1 "$W"); do rs="$rs $(stream_rate 10)"; done
		r=$(median $rs)
		eval "tp_$(echo $mode | tr - _)=$r"
		log "throughput via $mode: kB/s$rs -> median $r ($(stream_line))"
	else
		log "throughput via $mode: guest did not stream"
	fi
	l2_stop_all
	sink_stop
	echo 1 > $P
done
if [ -n "${tp_vfio_pci:-}" ] && [ -n "${tp_igbvf_vfio_pci:-}" ]; then
	log "ratio igbvf-vfio-pci/vfio-pci throughput: RX page trapped" \
		"$(awk "BEGIN { printf \"%.2f\", $tp_igbvf_vfio_pci / ($tp_vfio_pci ? $tp_vfio_pci : 1) }")," \
		"tracking $(awk "BEGIN { printf \"%.2f\", ${tp_igbvf_tracking:-0} / ($tp_vfio_pci ? $tp_vfio_pci : 1) }")," \
		"cancelled migration without tracking" \
		"$(awk "BEGIN { printf \"%.2f\", ${tp_igbvf_cancelled:-0} / ($tp_vfio_pci ? $tp_vfio_pci : 1) }")"
fi
