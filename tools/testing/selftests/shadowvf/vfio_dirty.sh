#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bind VF0 and VF1 to igbvf-vfio-pci and run the dirty-tracking test.
here=$(dirname "$0")
. "$here/ktap.sh"
. "$here/l2lib.sh"
exec_with_igbvf_vfio vfio_dirty
