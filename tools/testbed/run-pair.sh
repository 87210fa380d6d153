#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot two emulated SR-IOV hosts (L1 "a" and "b") side by side under TCG,
# their igb ports joined by one emulated cable (QEMU's stream netdev over a
# unix socket: a listens, b connects), and run TESTS in both.
#
# Usage: run-pair.sh [options] [VAR=VALUE ...]
#   --kver KVER       kernel ABI (default: tools/testbed/kver.sh)
#   --images DIR      where mkimages.sh put the initramfs images
#   --out DIR         results: DIR/a and DIR/b (each host's /results),
#                     DIR/pair (mounted at /pair in both hosts), DIR/wire.sock
#   --timeout SEC     hard limit for the whole pair (default 1800)
#   --quiet           do not echo the serial consoles
# The VAR=VALUE pairs (TESTS=..., BUILD=..., REPO=...) reach both hosts; each
# also gets HOST=a|b, PF_ADDR (a 198.18.0.1/24, b 198.18.0.2/24) and
# PEER_ADDR (the other PF's address). Host a runs the scenario and b
# serves it (see l2_two_hosts.sh); when a ends, b is told to end
# (DIR/pair/stop) and is killed 90 s later if still running.
# Exit status: 0 if both hosts' tests passed; 124 on the timeout; else 1.
# Only the two run-l1.sh processes started here are ever killed (by pid),
# and run-l1.sh kills only its own QEMU.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
KVER= IMAGES= OUT= TIMEOUT=1800 QUIET=0
while [ $# -gt 0 ]; do
	case $1 in
	--kver) KVER=$2; shift 2 ;;
	--images) IMAGES=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--quiet) QUIET=1; shift ;;
	*) break ;;
	esac
done
[ -n "$OUT" ] && [ -n "$IMAGES" ] || { echo "run-pair: --out and --images are required" >&2; exit 2; }
[ -n "$KVER" ] || KVER=$("$here/kver.sh")
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
rm -rf "$OUT/pair" "$OUT/wire.sock" "$OUT/cpu.txt"
mkdir -p "$OUT/pair" "$OUT/a" "$OUT/b"
SOCK=$OUT/wire.sock
[ ${#SOCK} -lt 100 ] || { echo "run-pair: socket path too long: $SOCK" >&2; exit 2; }

common=(--kver "$KVER" --images "$IMAGES" --share "$OUT/pair" --timeout "$TIMEOUT")
[ $QUIET = 1 ] && common+=(--quiet)
t0=$SECONDS
# a listens on the cable, b connects (and reconnects every 500 ms)
"$here/run-l1.sh" "${common[@]}" --name shadowvf-l1-a --out "$OUT/a" \
	--mac 52:54:00:5f:00:0a --netdev-unix-server "$SOCK" \
	"$here/l1-pair.sh" HOST=a PF_ADDR=198.18.0.1/24 PEER_ADDR=198.18.0.2 "$@" \
	> >(sed -u 's/^  L1| /  A| /') 2>&1 &
apid=$!
for _ in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.2; done
"$here/run-l1.sh" "${common[@]}" --name shadowvf-l1-b --out "$OUT/b" \
	--mac 52:54:00:5f:00:0b --netdev-unix-client "$SOCK" \
	"$here/l1-pair.sh" HOST=b PF_ADDR=198.18.0.2/24 PEER_ADDR=198.18.0.1 "$@" \
	> >(sed -u 's/^  L1| /  B| /') 2>&1 &
bpid=$!

stop_all() {
	local p
	for p in $apid $bpid; do kill "$p" 2>/dev/null; done
	sleep 3
	for p in $apid $bpid; do kill -9 "$p" 2>/dev/null; done
}
trap 'stop_all; exit 130' INT TERM

# qemu_of PID: the QEMU process run-l1.sh PID started
qemu_of() { pgrep -P "$1" -f '^qemu-system-x86_64' | head -n1; }
# cpu_s PID: the process's user+system CPU time in seconds
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null; }

declare -A cpu up
aq= bq= ast= bst= deadline=$((SECONDS + TIMEOUT + 120)) stop_at=
while :; do
	[ -z "$aq" ] && aq=$(qemu_of $apid)
	[ -z "$bq" ] && bq=$(qemu_of $bpid)
	for h in a b; do
		eval "q=\$${h}q"
		[ -n "$q" ] && c=$(cpu_s "$q") && [ -n "$c" ] && cpu[$h]=$c && up[$h]=$((SECONDS - t0))
	done
	if [ -z "$ast" ] && ! kill -0 $apid 2>/dev/null; then
		wait $apid; ast=$?
		echo "run-pair: host a ended (exit $ast) after $((SECONDS - t0)) s"
		touch "$OUT/pair/a.gone" "$OUT/pair/stop"
		stop_at=$((SECONDS + 90))
	fi
	if [ -z "$bst" ] && ! kill -0 $bpid 2>/dev/null; then
		wait $bpid; bst=$?
		echo "run-pair: host b ended (exit $bst) after $((SECONDS - t0)) s"
		touch "$OUT/pair/b.gone"
	fi
	[ -n "$ast" ] && [ -n "$bst" ] && break
	if [ -n "$stop_at" ] && [ $SECONDS -ge "$stop_at" ] && [ -z "$bst" ]; then
		echo "run-pair: host b still running 90 s after a ended, stopping it" >&2
		kill $bpid 2>/dev/null
		stop_at=$((SECONDS + 30))
	fi
	if [ $SECONDS -ge $deadline ]; then
		echo "run-pair: pair exceeded ${TIMEOUT}s, stopping both" >&2
		stop_all
		wait
		exit 124
	fi
	sleep 2
done
{
	echo "wall $((SECONDS - t0)) s"
	for h in a b; do echo "L1 $h: QEMU CPU ${cpu[$h]:-?} s over its ${up[$h]:-?} s"; done
} | tee "$OUT/cpu.txt" | sed 's/^/run-pair: /'
[ "$ast" = 124 ] || [ "$bst" = 124 ] && exit 124
[ "$ast" = 0 ] && [ "$bst" = 0 ]
