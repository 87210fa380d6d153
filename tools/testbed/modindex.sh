#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# modindex.sh KVER MODULE OUT: the module index (modules.dep, modules.alias
# and the rest) that `depmod -a KVER` writes once MODULE is installed in
# /lib/modules/KVER/updates/, computed with depmod -b over an image of this
# machine's tree in OUT/lib/modules/KVER (symbolic links; /lib/modules
# itself is not touched). The emulated host's module tree is this
# machine's (9p), so l2_libvirt.sh installs this index there instead of
# running depmod -a: the same files, in 20 s here against 2 to 7 minutes
# under TCG in the host.
set -euo pipefail
KVER=$1 MOD=$2 OUT=$3
src=/lib/modules/$KVER
d=$OUT/lib/modules/$KVER
[ -f "$src/modules.order" ] || { echo "modindex: no $src/modules.order" >&2; exit 1; }
rm -rf "$OUT"
mkdir -p "$d/updates"
for e in "$src"/*; do
	case ${e##*/} in
	modules.* | build | source) ;;
	updates) for u in "$e"/*; do [ -e "$u" ] && ln -s "$u" "$d/updates/"; done ;;
	*) ln -s "$e" "$d/" ;;
	esac
done
cp "$src/modules.order" "$src/modules.builtin" "$src/modules.builtin.modinfo" "$d/"
install -m 0644 "$MOD" "$d/updates/"
depmod -b "$OUT" "$KVER"
