#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# libvirt-managed live migration between two emulated hosts
# (tools/testbed/run-pair.sh): host a (PF 198.18.0.1) and host b (PF
# 198.18.0.2) each run libvirtd (Debian's libvirt 11.x, started by hand
# with tools/testbed/libvirt/*.conf: TCP on the cable's address, no
# authentication) with igbvf-vfio-pci installed into the host's module
# tree and depmod'ed as an operator would, but not loaded. The L2 guest is
# a libvirt domain (tools/testbed/libvirt/l2-domain.xml) that owns a VF as
# a managed <hostdev>, with QEMU's enable-migration=on set through
# <qemu:override>. The test asserts that libvirt itself loaded the module
# and bound the VF to igbvf-vfio-pci (found through modules.alias), then:
# a `virsh migrate --live` that host b must refuse (its VF1 carries another
# administrative MAC) fails and leaves the domain running on host a per
# `virsh domstate`, with its streams unbroken; then a (VF0) -> b (VF1) ->
# a (VF0) with `virsh migrate --live --xml` (the destination's VF and
# console file), each completed per virsh's exit status and
# `virsh domjobinfo --completed`, the domain running on the destination
# and shut off (or gone) on the source, both streams (svf_stream, as in
# l2_two_hosts.sh) one unbroken, uncorrupted connection, and no reset in
# the guest. Times and libvirt's job figures go to /pair/libvirt-report.txt.
#
# The same script runs in both hosts: HOST=a runs the scenario, HOST=b
# serves it (pairlib.sh, with PAIR_TAG=-libvirt so that it can run in the
# same boot after l2_two_hosts.sh).
here=$(dirname "${BASH_SOURCE[0]}")
. "$here/ktap.sh"
. "$here/l2lib.sh"
. "$here/streamlib.sh"
PAIR_TAG=-libvirt
. "$here/pairlib.sh"
GUEST=198.18.0.20
DOM=svf-l2
LVT=$REPO/tools/testbed/libvirt
LV=/tmp/shadowvf-libvirt
export L2_LOGDIR=$PAIR/lv
mkdir -p "$L2_LOGDIR" "$LV"
ALIAS_RE='^alias vfio_pci:v00008086d000010CAsv\*sd\*bc\*sc\*i\* igbvf_vfio_pci$'

addr_of() { case $1 in a) echo 198.18.0.1 ;; b) echo 198.18.0.2 ;; esac; }
uri_of() { echo "qemu+tcp://$(addr_of "$1")/system"; }
vs() { virsh -q -c qemu:///system "$@"; }

# Commands that also run on the other host (through "on b ...").

# lv_setup: what an operator does on a host, then libvirtd. The module goes
# into the kernel's module tree (updates/, which depmod ranks above the
# kernel's own) and depmod -a refreshes modules.alias; the VFs are left
# with no driver and no driver_override and the module is unloaded, so
# that only libvirt can load and bind it. make check computes the index
# depmod -a would write on the build machine (tools/testbed/modindex.sh:
# this host's tree is that machine's) and it is installed here instead, as
# depmod -a takes 2 to 7 minutes under TCG; without it, depmod -a runs.
lv_setup() {
	local addr=$(addr_of "$HOST") vf d t0=$(date +%s)
	local idx=$BUILD/modindex/lib/modules/$KVER ko=$BUILD/modules/$KVER/igbvf-vfio-pci.ko
	hostname "l1-$HOST"
	install -D -m 0644 "$ko" "/lib/modules/$KVER/updates/igbvf-vfio-pci.ko" || return 1
	if [ -f "$idx/modules.alias" ] && cmp -s "$idx/updates/igbvf-vfio-pci.ko" "$ko"; then
		cp "$idx"/modules.* "/lib/modules/$KVER/" || return 1
		echo "module index from the build machine's depmod -b installed"
	else
		depmod -a "$KVER" || return 1
		echo "depmod -a took $(($(date +%s) - t0)) s"
	fi
	grep -E "$ALIAS_RE" "/lib/modules/$KVER/modules.alias" || return 1
	for vf in "$VF0" "$VF1"; do
		d=/sys/bus/pci/devices/$vf
		[ -e "$d/driver" ] && echo "$vf" > "$d/driver/unbind"
		echo > "$d/driver_override"
	done
	# VFs provisioned alike on both hosts: no administrative MAC (a test
	# before this one may have left one, and an administrative MAC stays
	# with its VF: this host's adapter would steer the guest's MAC to it
	# once the guest has left)
	admin_mac 0 00:00:00:00:00:00 && admin_mac 1 00:00:00:00:00:00 || return 1
	# (a test before this one may still be closing its QEMU's device)
	if [ -d /sys/module/igbvf_vfio_pci ]; then wait_for 30 rmmod igbvf_vfio_pci || return 1; fi
	[ ! -d /sys/module/igbvf_vfio_pci ] || return 1
	sed -e "s|@LISTEN_ADDR@|$addr|" \
	    -e "s|@HOST_UUID@|5f5f0000-0000-4000-8000-0000000000${HOST}0|" \
	    -e "s|@LOG@|$PAIR/lv/libvirtd-$HOST.log|" "$LVT/libvirtd.conf" > "$LV/libvirtd.conf"
	mkdir -p /etc/libvirt
	sed -e "s|@ADDR@|$addr|" "$LVT/qemu.conf" > /etc/libvirt/qemu.conf
	rm -f "$PAIR/lv/libvirtd-$HOST.log"
	t0=$(date +%s)
	libvirtd --daemon --listen --config "$LV/libvirtd.conf" --pid-file "$LV/libvirtd.pid" ||
		return 1
	# the first connection waits for QEMU's capabilities probe
	wait_for 300 vs version > /dev/null || return 1
	echo "libvirtd up after $(($(date +%s) - t0)) s: $(vs version | grep -i 'running hypervisor') on $(vs hostname)"
}
# lv_stop: destroy what is left of the domain and stop libvirtd (by its pid).
lv_stop() {
	local pid
	vs destroy $DOM > /dev/null 2>&1
	vs undefine $DOM > /dev/null 2>&1
	pid=$(cat "$LV/libvirtd.pid" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait_for 20 pid_gone "$pid"
	cp /var/log/libvirt/qemu/$DOM.log "$PAIR/lv/qemu-$DOM-$HOST.log" 2>/dev/null
	return 0
}
# vf_driver BDF: the driver the VF is bound to ("none" if unbound).
vf_driver() {
	local l
	l=$(readlink "/sys/bus/pci/devices/$1/driver") && basename "$l" || echo none
}
# vf_by_libvirt BDF: libvirt chose igbvf-vfio-pci for BDF from
# modules.alias (its own log says so), loaded it and bound BDF to it
# (driver link and driver_override); prints what it found.
vf_by_libvirt() {
	local drv ovr chose
	drv=$(vf_driver "$1")
	ovr=$(cat "/sys/bus/pci/devices/$1/driver_override")
	chose=$(grep -a "virPCIDeviceFindBestVFIOVariant.*matching alias" "$PAIR/lv/libvirtd-$HOST.log" |
		tail -n 2 | sed 's/.*: matching/matching/' | tr '\n' ';')
	echo "$1: driver $drv, driver_override $ovr, module $(cat /sys/module/igbvf_vfio_pci/initstate 2>/dev/null || echo absent); libvirt: $chose"
	[ "$drv" = igbvf_vfio_pci ] && [ "$ovr" = igbvf_vfio_pci ] &&
		[ "$(cat /sys/module/igbvf_vfio_pci/initstate 2>/dev/null)" = live ] &&
		echo "$chose" | grep -q "matching alias 'igbvf_vfio_pci' found"
}
# dom_state: "STATE (REASON)" of the domain here, "none" if undefined.
dom_state() { vs domstate --reason $DOM 2>/dev/null || echo none; }
# qemu_cmdline_ok: the QEMU libvirt started here has the VF with
# enable-migration on (its command line, as libvirt logged it).
qemu_cmdline_ok() {
	local line
	line=$(grep -a 'vfio-pci' /var/log/libvirt/qemu/$DOM.log | tail -n 1)
	echo "$line" | grep -o '{"driver":"vfio-pci"[^}]*}'
	echo "$line" | grep -q '"enable-migration":"on"'
}
# qemu_errors: the last error lines of the domain's QEMU here.
qemu_errors() { grep -a -iE 'error|fail' /var/log/libvirt/qemu/$DOM.log | tail -n 4; }
admin_mac() { ip link set "$PFIF" vf "$1" mac "$2"; }
# refusal_logged MAC: the kernel log here names MAC in a refusal (of the
# stream at the initial bytes, or the PF's at the switch-over).
refusal_logged() { dmesg | grep -i 'refused' | grep -q -i "$1"; }
cpu_line() { echo "load $(cut -d' ' -f1-3 /proc/loadavg)"; }

# domain_xml FUNCTION CONSOLE: the domain with VF 00:13.FUNCTION (VF0: 0,
# VF1: 2), its console in CONSOLE.
domain_xml() {
	sed -e "s|@KERNEL@|$L2_KERNEL|" -e "s|@INITRD@|$L2_INITRD|" \
	    -e "s|@CMDLINE@|console=ttyS0 panic=-1 loglevel=4 tsc=reliable no_timer_check shadowvf.ip=$GUEST/24 shadowvf.run=stream.sh|" \
	    -e "s|@CONSOLE@|$2|" -e "s|@VF_SLOT@|0x13|" -e "s|@VF_FUNCTION@|0x$1|" \
	    "$LVT/l2-domain.xml"
}
# migrate FROM TO XML: virsh migrate --live of the domain on host FROM to
# host TO with TO's definition XML (its VF and console); prints virsh's
# output, returns its status.
migrate() {
	timeout 900 virsh -c "$(uri_of "$1")" migrate --live --verbose --xml "$3" $DOM "$(uri_of "$2")" 2>&1
}
# jobinfo HOST: libvirt's statistics of the last completed job on HOST.
jobinfo() { on "$1" vs domjobinfo --completed --keep-completed $DOM 2>&1; }
jobfield() { echo "$1" | sed -n "s/^$2: *//p" | head -n 1 | tr -s ' ' | sed 's/ $//'; }

# LIBVIRT_FUNCS_ONLY=1: only define the helpers (to try them by hand)
[ "${LIBVIRT_FUNCS_ONLY:-0}" = 1 ] && return 0

if [ "$HOST" = b ]; then
	trap lv_stop EXIT
	ktap_header 2
	out=$(lv_setup 2>&1)
	st=$?
	echo "$out" | sed 's/^/# /'
	ktap_result $st libvirt_ready_on_b
	echo $st > "$PAIR/b.libvirt"
	pair_ready
	pair_serve
	ktap_diag "served $pair_served commands of host a"
	lv_stop
	ktap_result 0 served_host_a
	ktap_exit
fi

cleanup() {
	source_stop
	sink_stop
	lv_stop
	on b lv_stop > /dev/null 2>&1
	on b pair_exit > /dev/null 2>&1
	touch "$PAIR/stop$PAIR_TAG"
}
trap cleanup EXIT
T0=$(date +%s)
el() { echo "$(($(date +%s) - T0)) s"; }
REPORT_FILE=$PAIR/libvirt-report.txt
: > "$REPORT_FILE"
report() { echo "$*" >> "$REPORT_FILE"; ktap_diag "$*"; }

ktap_header 23
out=$(lv_setup 2>&1)
st=$?
echo "$out" | sed 's/^/# /'
ktap_result $st libvirt_ready_on_a
pair_wait b 600 && [ "$(cat "$PAIR/b.libvirt")" = 0 ]
st=$?
ktap_diag "host b's libvirt ready after $(el)"
ktap_result $st libvirt_ready_on_b
[ $st = 0 ] || ktap_exit

domain_xml 0 "$L2_LOGDIR/a.log" > "$LV/on-a.xml"
domain_xml 2 "$L2_LOGDIR/b.log" > "$LV/on-b.xml"

sink_start
t1=$(date +%s)
out=$(vs define "$LV/on-a.xml" 2>&1 && vs start $DOM 2>&1)
st=$?
ktap_diag "virsh define + start: $(echo "$out" | tr '\n' ' ')after $(($(date +%s) - t1)) s"
ktap_result $st domain_defined_and_started "$out"
[ $st = 0 ] || ktap_exit
out=$(vf_by_libvirt "$VF0")
st=$?
ktap_diag "$out"
ktap_result $st libvirt_bound_vf0_to_igbvf_vfio_pci "$out"
out=$(qemu_cmdline_ok)
st=$?
ktap_diag "QEMU: $out"
ktap_result $st qemu_vf_enable_migration_on
wait_for 900 grep -q 'L2: svf_stream: connected' "$L2_LOGDIR/a.log" && stream_ok 120
st=$?
GUEST_MAC=$(sed -n 's/.*L2: eth0 \([0-9a-f:]*\) carrier.*/\1/p' "$L2_LOGDIR/a.log" | head -n1)
report "guest on host a (VF0) up and streaming after $(($(date +%s) - t1)) s, MAC $GUEST_MAC: $(stream_line); $(cpu_line)"
[ $st = 0 ] || l2_dump a
ktap_result $st stream_running_on_a "$(stream_line)"
[ $st = 0 ] || ktap_exit
source_start $GUEST
rx_ok a 300
st=$?
ktap_diag "host a -> guest: $(rx_line a)"
ktap_result $st rx_stream_running_on_a "$(rx_line a)"
[ $st = 0 ] || ktap_exit

# Refused: host b's VF1 carries another administrative MAC, so b's PF
# refuses the guest's MAC at the switch-over; the migration must fail and
# the domain run on, on host a, with its streams.
on b admin_mac 1 02:5f:00:00:00:99
sink_mark
t1=$(date +%s)
out=$(migrate a b "$LV/on-b.xml")
vst=$?
ktap_diag "virsh migrate a -> b (b's VF1 with another admin MAC): exit $vst after $(($(date +%s) - t1)) s: $(echo "$out" | tr '\n' ' ' | tail -c 400)"
[ $vst != 0 ]
ktap_result $? refused_virsh_migrate_failed
sa=$(dom_state)
sb=$(on b dom_state)
ktap_diag "domstate: a: $sa; b: $sb"
case $sa in running*) [ "$sb" = none ] ;; *) false ;; esac
ktap_result $? refused_domain_running_on_a_only "a: $sa, b: $sb"
stream_ok 120
st=$?
ktap_diag "stream after the refusal: $(stream_line); gap $(stat_get udp_max_gap_ms) ms (UDP)"
ktap_result $st refused_stream_intact "$(stream_line)"
on b refusal_logged "$GUEST_MAC"
ktap_result $? refused_destination_names_mac
ktap_diag "destination kernel log (b): $(on b dmesg | grep -i refused | tail -n 1)"
ktap_diag "destination QEMU (b): $(on b qemu_errors | tr '\n' ' ')"
on b admin_mac 1 00:00:00:00:00:00
report "refused a -> b: virsh exit $vst, a: $sa, b: $sb, traffic gap $(stat_get udp_max_gap_ms) ms (UDP)"

# hop_failed SRC DST REASON: the results of a hop SRC -> DST after its
# migration fail with REASON (not reached).
hop_failed() {
	local t
	for t in "libvirt_bound_$2_vf_to_igbvf_vfio_pci" "domain_running_on_$2_not_on_$1" \
		 "stream_intact_on_$2" "rx_stream_intact_on_$2" "igbvf_no_reset_on_$2"; do
		ktap_result 1 "$t" "$3"
	done
}
# hop SRC DST DST-VF: virsh migrate --live SRC -> DST (onto DST-VF) and
# what users see after it.
hop() {
	local src=$1 dst=$2 vf=$3 st vx out t1 wall ji ss sd
	# the destination's console starts at this move
	[ -f "$L2_LOGDIR/$dst.log" ] && mv "$L2_LOGDIR/$dst.log" "$L2_LOGDIR/$dst-$(date +%s).log"
	sink_mark
	on "$src" devtime_start > /dev/null 2>&1
	on "$dst" devtime_start > /dev/null 2>&1
	t1=$(date +%s)
	out=$(migrate "$src" "$dst" "$LV/on-$dst.xml")
	vx=$?
	wall=$(($(date +%s) - t1))
	ktap_diag "virsh migrate --live $src -> $dst: exit $vx after $wall s: $(echo "$out" | tr '\n' ' ' | tail -c 300)"
	ji=$(jobinfo "$dst")
	ktap_diag "domjobinfo --completed on $dst: $(echo "$ji" | tr -s ' ' | tr '\n' ';')"
	[ $vx = 0 ] && [ "$(jobfield "$ji" 'Job type')" = Completed ]
	st=$?
	ktap_result $st "virsh_migrate_${src}_to_${dst}_completed" "exit $vx, job $(jobfield "$ji" 'Job type')"
	if [ $st != 0 ]; then
		l2_dump "$src" "$dst"
		hop_failed "$src" "$dst" "not reached: the migration failed"
		return 1
	fi
	out=$(on "$dst" vf_by_libvirt "$vf")
	st=$?
	ktap_diag "on $dst: $out; $(on "$dst" qemu_cmdline_ok | tr '\n' ' ')"
	ktap_result $st "libvirt_bound_${dst}_vf_to_igbvf_vfio_pci" "$out"
	ss=$(on "$src" dom_state)
	sd=$(on "$dst" dom_state)
	ktap_diag "domstate: $src: $ss; $dst: $sd; VFs left on $src: $(on "$src" vf_driver "$VF0") $(on "$src" vf_driver "$VF1")"
	case $sd in running*) case $ss in "shut off"*|none) true ;; *) false ;; esac ;; *) false ;; esac
	ktap_result $? "domain_running_on_${dst}_not_on_${src}" "$src: $ss, $dst: $sd"
	stream_ok 120
	st=$?
	ktap_diag "stream: $(stream_line); traffic gap $(stat_get udp_max_gap_ms) ms (UDP), $(stat_get tcp_max_gap_ms) ms (TCP)"
	ktap_result $st "stream_intact_on_$dst" "$(stream_line)"
	wait_for 60 grep -a -q 'L2: rx' "$L2_LOGDIR/$dst.log"
	rx_ok "$dst" 120
	st=$?
	ktap_diag "host a -> guest: $(rx_line "$dst")"
	ktap_result $st "rx_stream_intact_on_$dst" "$(rx_line "$dst")"
	no_igbvf_trouble "$dst"
	ktap_result $? "igbvf_no_reset_on_$dst"
	report "$src -> $dst: virsh migrate --live $wall s; libvirt: total $(jobfield "$ji" 'Time elapsed'), downtime $(jobfield "$ji" 'Total downtime'), data $(jobfield "$ji" 'Data processed'); traffic gap $(stat_get udp_max_gap_ms) ms (UDP), $(stat_get tcp_max_gap_ms) ms (TCP); driver: source $(on "$src" devtime_report | sort | tr '\n' ' ')destination $(on "$dst" devtime_report | sort | tr '\n' ' ')"
}
if hop a b "$VF1"; then
	hop b a "$VF0"
else
	ktap_result 1 virsh_migrate_b_to_a_completed "not tried: a -> b failed"
	hop_failed b a "not tried: a -> b failed"
fi
report "libvirt test done after $(el)"
sed 's/^/# report: /' "$REPORT_FILE"
ktap_exit
