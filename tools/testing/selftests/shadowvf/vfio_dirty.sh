#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bind VF0 and VF1 to igbvf-vfio-pci and run the dirty-tracking tests: the
# type1 container and, where the kernel offers it, DMA logging. The bind is
# fresh (unbind, probe), so the first test sees a VF that never tracked.
here=$(dirname "$0")
. "$here/ktap.sh"
. "$here/l2lib.sh"
exec_with_igbvf_vfio vfio_dirty
