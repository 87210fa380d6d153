#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One background job of make check: runs CMD with its output in DIR/NAME.log,
# then writes its exit status to DIR/NAME.rc and its wall and CPU time (its
# whole process tree: user and system seconds) to DIR/NAME.time as
# "WALL USER SYS". check.sh starts it in a session of its own (so that the
# job can be stopped as a whole) and waits for NAME.rc.
# Usage: job.sh DIR NAME CMD...
set -u
dir=$1 name=$2
shift 2
TIMEFORMAT='%R %U %S'
{ time "$@" > "$dir/$name.log" 2>&1 < /dev/null; echo $? > "$dir/$name.rc.tmp"; } 2> "$dir/$name.time"
mv "$dir/$name.rc.tmp" "$dir/$name.rc"
