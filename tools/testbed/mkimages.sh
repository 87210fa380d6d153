#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest images of the test bed:
#   l1-initramfs.cpio.gz  the emulated SR-IOV host (L1): busybox, the 9p and
#                         overlay modules; mounts the host root read-only over
#                         9p under a tmpfs overlay and runs the script named
#                         by shadowvf.script= on the kernel command line.
#   l2-initramfs.cpio.gz  the nested VM (L2): busybox, igbvf (for a modular
#                         kernel), the guest scripts in /root and the given
#                         static programs in /bin.
# Usage: mkimages.sh KVER OUTDIR [L2-PROGRAM...]
set -euo pipefail
KVER=$1
OUT=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
CACHE=${SHADOWVF_CACHE:-/var/cache/shadowvf}
MODDIR=$CACHE/kernel/$KVER/lib/modules/$KVER
[ -d "$MODDIR" ] || { echo "mkimages: no modules for $KVER in $MODDIR (run deps.sh)" >&2; exit 1; }
BB=/bin/busybox
file -L "$BB" 2>/dev/null | grep -q 'statically linked' ||
	{ echo "mkimages: $BB is not busybox-static" >&2; exit 1; }
mkdir -p "$OUT"

# copy_mod NAME DEST: a module decompressed, as busybox insmod cannot unpack .xz.
# Returns 1 for a module built into the kernel (the debug kernel's 9p).
copy_mod() {
	local f
	grep -q "/$1.ko\$" "$MODDIR/modules.builtin" 2>/dev/null && return 1
	f=$(find "$MODDIR/kernel" -name "$1.ko*" | head -n1)
	[ -n "$f" ] || { echo "mkimages: module $1 not found" >&2; exit 1; }
	case $f in
	*.xz) xz -dc "$f" > "$2/$1.ko" ;;
	*.zst) zstd -qdc "$f" > "$2/$1.ko" ;;
	*) cp "$f" "$2/$1.ko" ;;
	esac
}

mkroot() {
	local r=$1
	rm -rf "$r"
	mkdir -p "$r"/{bin,sbin,dev,proc,sys,tmp,etc,mods,root}
	cp "$BB" "$r/bin/busybox"
	for a in $("$BB" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
	done
}

pack() {
	(cd "$1" && find . | cpio -o -H newc --quiet) | gzip -1 > "$2.tmp"
	mv "$2.tmp" "$2"
}

# L1
r=$OUT/l1-root
mkroot "$r"
: > "$r/mods/order"
for m in netfs 9pnet 9pnet_virtio 9p overlay; do
	if copy_mod $m "$r/mods"; then echo $m >> "$r/mods/order"; fi
done
install -m 0755 "$here/l1-init" "$r/init"
pack "$r" "$OUT/l1-initramfs.cpio.gz"
rm -rf "$r"

# L2
r=$OUT/l2-root
mkroot "$r"
: > "$r/mods/order"
if copy_mod igbvf "$r/mods"; then echo igbvf > "$r/mods/order"; fi
install -m 0755 "$here/l2-init" "$r/init"
install -m 0755 "$here/../testing/selftests/shadowvf/guest/"*.sh "$r/root/"
for p in "$@"; do install -m 0755 "$p" "$r/bin/"; done
pack "$r" "$OUT/l2-initramfs.cpio.gz"
rm -rf "$r"
echo "mkimages: $OUT/l1-initramfs.cpio.gz $OUT/l2-initramfs.cpio.gz"
