#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the Debian 6.12 kernel ABI the project builds and tests against.
#
# The one place the kernel version is chosen: $SHADOWVF_KVER if set (an
# explicit override such as 6.12.117+deb12-amd64), else the newest
# 6.12.*+deb12-amd64 ABI for which apt offers both image and headers.
set -e
if [ -n "$SHADOWVF_KVER" ]; then
	echo "$SHADOWVF_KVER"
	exit 0
fi
hdrs=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
	awk '{print $1}' | sed 's/^linux-headers-//')
imgs=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' |
	awk '{print $1}' | sed 's/^linux-image-//')
best=$(printf '%s\n%s\n' "$hdrs" "$imgs" | grep . | sort -V | uniq -d | tail -n1)
if [ -z "$best" ]; then
	echo "kver.sh: no linux-image/headers 6.12.*+deb12-amd64 pair in apt (run apt-get update?)" >&2
	exit 1
fi
echo "$best"
