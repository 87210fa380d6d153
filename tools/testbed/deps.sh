#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what shadowvf needs to build and test, idempotently, from Debian's
# archive only: QEMU >= 10.0 (igb device) from bookworm-backports, the pinned
# Debian 6.12 kernel (image unpacked into a cache, headers installed),
# busybox-static for the guest images, the build/test tools, and libvirt
# 11.x from bookworm-backports for the emulated hosts (never started here).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CACHE=${SHADOWVF_CACHE:-/var/cache/shadowvf}
export DEBIAN_FRONTEND=noninteractive

log() { echo "deps: $*"; }
# not_installed PKG...: the packages of the list that dpkg does not have
not_installed() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			echo "$p"
	done
}
apt_update() {
	apt-get update -qq
	mkdir -p "$CACHE"
	touch "$CACHE/apt-updated"
	updated=1
}

[ "$(id -u)" = 0 ] || { echo "deps: must run as root (apt)" >&2; exit 1; }

# bookworm-backports, served from the same mirror the machine already uses.
bp=/etc/apt/sources.list.d/shadowvf-backports.sources
updated=0
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	uri=$(awk '/^URIs:/ && !/security/ {print $2; exit}' \
		/etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
	[ -n "$uri" ] || uri=$(awk '/^deb / && !/security/ {print $2; exit}' /etc/apt/sources.list)
	[ -n "$uri" ] || { echo "deps: cannot find the Debian mirror in apt sources" >&2; exit 1; }
	cat > "$bp" <<EOT
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
	log "added bookworm-backports ($bp)"
	apt_update
fi

# lists this script fetched in the last half hour ("deps.sh kbuild", a
# moment ago in make check) are recent enough
[ -n "$(find "$CACHE/apt-updated" -mmin -30 2>/dev/null)" ] && updated=1
KVER=$("$here/kver.sh" 2>/dev/null || true)
if [ -z "$KVER" ] && [ $updated = 0 ]; then
	apt_update
	KVER=$("$here/kver.sh")
fi
log "kernel ABI: $KVER"

# linux-source ships as a tarball; the tree is needed for checkpatch, the
# kselftest harness and the test bed's own kernels.
unpack_source() {
	local src
	src=$(ls -d /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n1)
	if [ -n "$src" ] && [ ! -f "$CACHE/linux-source-6.12/Makefile" ]; then
		log "unpacking $src"
		mkdir -p "$CACHE"
		rm -rf "$CACHE/linux-source-6.12"
		tar -C "$CACHE" -xf "$src"
	fi
}

# "deps.sh kbuild": only what building the test bed's kernels from
# linux-source needs, so that make check can start those builds while the
# rest (QEMU, libvirt, clang, the kernel image) is still being installed.
if [ "${1:-}" = kbuild ]; then
	mapfile -t kb < <(not_installed make gcc libc6-dev bc flex bison libelf-dev libssl-dev \
		xz-utils cpio kmod linux-source-6.12)
	if [ ${#kb[@]} -gt 0 ]; then
		[ $updated = 1 ] || apt_update
		log "installing ${kb[*]}"
		apt-get install -y -qq --no-install-recommends "${kb[@]}" >/dev/null
	fi
	unpack_source
	log "ok (kernel sources)"
	exit 0
fi

pkgs=(busybox-static iproute2 iputils-ping pciutils kmod cpio xz-utils zstd python3 make gcc
      libc6-dev sparse bc flex bison libelf-dev libssl-dev file perl rsync
      clang libclang-rt-14-dev dkms gnuplot-nox "linux-headers-$KVER" linux-source-6.12)
mapfile -t missing < <(not_installed "${pkgs[@]}")
qemu_ok=0
if command -v qemu-system-x86_64 >/dev/null; then
	qv=$(qemu-system-x86_64 --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
	[ "${qv:-0}" -ge 10 ] && qemu_ok=1
fi
if [ ${#missing[@]} -gt 0 ] || [ $qemu_ok = 0 ]; then
	[ $updated = 1 ] || apt_update
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]}"
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
	if [ $qemu_ok = 0 ]; then
		log "installing qemu-system-x86 from bookworm-backports"
		apt-get install -y -qq --no-install-recommends -t bookworm-backports \
			qemu-system-x86 ipxe-qemu >/dev/null
	fi
fi
# libvirt 11.x from bookworm-backports (l2_libvirt.sh drives it inside the
# emulated hosts): the daemon, its QEMU driver and virsh only. Nothing of it
# runs on this machine: no -system package (no units, no default network,
# no firewall rules), and a policy-rc.d refuses every service start the
# maintainer scripts may ask for. Their dependencies come from bookworm.
lv_ok=0
if command -v libvirtd >/dev/null && [ -e /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so ]; then
	lv=$(libvirtd --version | sed -n 's/.* \([0-9]*\)\.[0-9.]*$/\1/p')
	[ "${lv:-0}" -ge 11 ] && lv_ok=1
fi
if [ $lv_ok = 0 ]; then
	[ $updated = 1 ] || apt_update
	log "installing libvirt (daemon, QEMU driver, virsh) from bookworm-backports"
	prc=/usr/sbin/policy-rc.d
	own_prc=0
	if [ ! -e $prc ]; then
		printf '#!/bin/sh\nexit 101\n' > $prc
		chmod 755 $prc
		own_prc=1
	fi
	lvp=()
	for p in libvirt0 libvirt-common libvirt-clients libvirt-daemon libvirt-daemon-common \
		 libvirt-daemon-log libvirt-daemon-driver-qemu; do
		lvp+=("$p/bookworm-backports")
	done
	st=0
	apt-get install -y -qq --no-install-recommends "${lvp[@]}" >/dev/null || st=$?
	[ $own_prc = 0 ] || rm -f $prc
	[ $st = 0 ] || { echo "deps: libvirt install failed" >&2; exit $st; }
fi
log "$(libvirtd --version)"
qemu-system-x86_64 -device help 2>/dev/null | grep -q '"igb"' ||
	{ echo "deps: this QEMU has no igb device" >&2; exit 1; }
log "$(qemu-system-x86_64 --version | head -n1)"

# The kernel image and its modules are unpacked, not installed: the host
# keeps its own kernel, the emulated host boots this one.
kdir="$CACHE/kernel/$KVER"
if [ ! -f "$kdir/boot/vmlinuz-$KVER" ] || [ ! -d "$kdir/lib/modules/$KVER/kernel" ]; then
	log "unpacking linux-image-$KVER into $kdir"
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	(cd "$tmp" && apt-get download -qq "linux-image-$KVER")
	rm -rf "$kdir" && mkdir -p "$kdir"
	dpkg -x "$tmp"/linux-image-"$KVER"_*.deb "$kdir"
	rm -rf "$tmp"
	depmod -b "$kdir" "$KVER"
fi
unpack_source
log "ok"
