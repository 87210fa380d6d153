#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bind VF0 and VF1 to igbvf-vfio-pci and run the migration uAPI selftest.
here=$(dirname "$0")
. "$here/ktap.sh"
. "$here/l2lib.sh"
if ! vf_bind "$VF0" igbvf_vfio_pci || ! vf_bind "$VF1" igbvf_vfio_pci; then
	ktap_header 1
	ktap_result 1 bind_igbvf_vfio_pci "driver_override bind failed"
	exit 1
fi
exec "$BUILD/selftests/vfio_mig_uapi"
