#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside each emulated host of a pair (run-pair.sh): mounts the pair's
# shared directory (9p tag "pair", no caching: both hosts see each other's
# writes at once) at /pair, notes when this host got here, then carries on
# as l1-main.sh (PF, VFs, module, TESTS). HOST (a or b) and PF_ADDR come
# from run-pair.sh through /results/env.
set -a
. /results/env
set +a
mkdir -p /pair
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 pair /pair; then
	echo "l1-pair: mount of the pair share failed" > /dev/console
	echo 1 > /results/exit
	sync
	busybox poweroff -f
fi
echo "$(cut -d' ' -f1 /proc/uptime)" > "/pair/$HOST.booted"
echo "l1-pair: host $HOST, PF address ${PF_ADDR:-198.18.0.1/24}, up after $(cut -d' ' -f1 /proc/uptime) s"
exec /bin/sh "$REPO/tools/testbed/l1-main.sh"
