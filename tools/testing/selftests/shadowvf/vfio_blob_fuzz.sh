#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bind VF0 and VF1 to igbvf-vfio-pci and fuzz VF1's RESUMING data fd.
# SVF_FUZZ_SEED and SVF_FUZZ_COUNT come from the environment or, in the
# emulated host, from run-l1.sh's VAR=VALUE arguments (/results/env).
here=$(dirname "$0")
. "$here/ktap.sh"
. "$here/l2lib.sh"
if [ -r /results/env ]; then
	eval "$(grep -E '^SVF_FUZZ_(SEED|COUNT)=' /results/env)"
fi
export SVF_FUZZ_SEED SVF_FUZZ_COUNT
exec_with_igbvf_vfio vfio_blob_fuzz
