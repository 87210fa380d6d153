#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build a kernel from Debian's linux-source-6.12 with a base config target
# and a fragment from tools/testbed/kconfig, cached on this machine under
# $CACHE/kbuild/NAME-HASH, keyed by the source version and the fragment.
# Usage: mkkernel.sh NAME "BASE-TARGETS"   (e.g. l2 tinyconfig)
# Prints the path of the build directory (bzImage in arch/x86/boot). A
# kernel with modules also gets them installed under DIR/modroot, and
# --install lays the image and modules out under $CACHE/kernel/RELEASE
# like an unpacked Debian kernel, so the test bed can boot it by release.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CACHE=${SHADOWVF_CACHE:-/var/cache/shadowvf}
INSTALL=0
[ "${1:-}" = --install ] && { INSTALL=1; shift; }
NAME=$1
BASE=$2
SRC=$CACHE/linux-source-6.12
frag=$here/kconfig/$NAME.config
[ -f "$SRC/Makefile" ] || { echo "mkkernel: no $SRC (run deps.sh)" >&2; exit 1; }
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$( (echo "$ver $BASE"; cat "$frag") | sha256sum | cut -c1-16)
out=$CACHE/kbuild/$NAME-$key
# install: the image and modules where the bed looks for a kernel release
install_release() {
	local rel
	rel=$(cat "$out/include/config/kernel.release")
	# already installed from this very build
	[ -f "$CACHE/kernel/$rel/.from-$key" ] && return 0
	rm -rf "$CACHE/kernel/$rel"
	mkdir -p "$CACHE/kernel/$rel/boot" "$CACHE/kernel/$rel/lib"
	cp "$out/arch/x86/boot/bzImage" "$CACHE/kernel/$rel/boot/vmlinuz-$rel"
	[ -d "$out/modroot/lib/modules" ] && cp -a "$out/modroot/lib/modules" "$CACHE/kernel/$rel/lib/"
	touch "$CACHE/kernel/$rel/.from-$key"
	echo "mkkernel: $NAME kernel $rel installed under $CACHE/kernel/$rel" >&2
}
if [ -f "$out/arch/x86/boot/bzImage" ] && [ -f "$out/.done" ]; then
	echo "mkkernel: $NAME kernel cached ($out)" >&2
	[ $INSTALL = 1 ] && install_release
	echo "$out"
	exit 0
fi
echo "mkkernel: building $NAME kernel ($BASE + $frag, linux-source $ver)" >&2
rm -rf "$out"
mkdir -p "$out"
# shellcheck disable=SC2086 # BASE may name several config targets
make -s -C "$SRC" O="$out" $BASE >&2
"$SRC/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag" >&2
make -s -C "$SRC" O="$out" olddefconfig >&2
# every line of the fragment must have survived olddefconfig
missing=0
while read -r line; do
	case $line in CONFIG_*=n) opt=${line%=n}; grep -q "^$opt=" "$out/.config" && { echo "mkkernel: $opt still set" >&2; missing=1; } ;;
	CONFIG_*) grep -qx "$line" "$out/.config" || { echo "mkkernel: $line not applied" >&2; missing=1; } ;;
	esac
done < "$frag"
if grep -q '^CONFIG_MODULES=y' "$out/.config"; then
	make -s -C "$SRC" O="$out" -j"$(nproc)" bzImage modules >&2
	make -s -C "$SRC" O="$out" INSTALL_MOD_PATH="$out/modroot" INSTALL_MOD_STRIP=1 \
		DEPMOD=/sbin/depmod modules_install >&2
else
	make -s -C "$SRC" O="$out" -j"$(nproc)" bzImage >&2
fi
touch "$out/.done"
[ $INSTALL = 1 ] && install_release
[ $missing = 0 ] || echo "mkkernel: warning: fragment not fully applied" >&2
echo "$out"
