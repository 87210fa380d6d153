#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the blob decoder's libFuzzer target and fuzz it.
#
# Usage: run.sh [SECONDS [OUTDIR]]
#   SECONDS  fuzzing time (default 60)
#   OUTDIR   work directory: corpus copy, log, crash artifacts
#            (default: a new directory under /tmp)
# Environment: IGBVF=DIR fuzzes another copy of the driver's blob.c;
# FUZZ_SANITIZE overrides the sanitizer flags.
# Prints "libfuzzer: N execs in S s, C crashes"; exits non-zero on a crash
# or when the fuzzer could not run.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
secs=${1:-60}
out=${2:-$(mktemp -d /tmp/blob-fuzz.XXXXXX)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
bin=$out/bin

make -s -C "$here" O="$bin" "$bin/blob_fuzz" ${IGBVF:+IGBVF="$IGBVF"} \
	${FUZZ_SANITIZE:+FUZZ_SANITIZE="$FUZZ_SANITIZE"} || {
	echo "libfuzzer: build failed"
	exit 2
}
rm -rf "$out/corpus" "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-*
cp -r "$here/corpus" "$out/corpus"

start=$SECONDS
"$bin/blob_fuzz" -max_total_time="$secs" -print_final_stats=1 \
	-max_len=4352 -timeout=10 -artifact_prefix="$out/" \
	"$out/corpus" > "$out/fuzz.log" 2>&1
st=$?
elapsed=$((SECONDS - start))

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log" | tail -n1)
took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$out/fuzz.log" | tail -n1)
crashes=$(find "$out" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 -name 'leak-*' \
	-o -maxdepth 1 -name 'timeout-*' -o -maxdepth 1 -name 'oom-*' | wc -l)
[ "$st" != 0 ] && [ "$crashes" = 0 ] && crashes=1
echo "libfuzzer: ${execs:-0} execs in ${took:-$elapsed} s, $crashes crashes"
if [ "$crashes" != 0 ]; then
	grep -E '^(==[0-9]+==ERROR|SUMMARY|blob_fuzz:)|runtime error' "$out/fuzz.log" | head -n 5
	echo "log and artifacts in $out"
	exit 1
fi
