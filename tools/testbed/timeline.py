#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The timeline of one live migration inside one emulated host.

Everything it reads is stamped with that host's CLOCK_MONOTONIC:
  --recv FILE    svf_stream recv's series: "T DATAGRAMS BYTES OFFSET
                 MAXOFF SKIPPED" per 100 ms in which the guest's traffic
                 arrived (guest -> host)
  --send FILE    svf_stream send's series: "T ACKED" per 100 ms in which the
                 guest acknowledged the host's stream (host -> guest)
  --src FILE, --dst FILE
                 qmp.py events of the source and destination QEMU: the
                 source's last STOP before the destination's first RESUME
                 is the window in which the VM ran nowhere
  --trace FILE   the driver's trace events (trace_clock mono): its phases
                 (quiesce, capture, restore, unquiesce) and state arcs
  --cpu FILE     streamlib.sh's cpu_sample_start: "MS BUSY IDLE SRC DST"
                 every 500 ms (ticks of the host's CPU, busy and idle, and
                 of the two QEMUs): where this host's one vCPU went
  --downtime MS  what QEMU reported as downtime, for comparison
  --label TEXT   e.g. "a -> b"
  --since MS     only events from then on: with --src and --dst the same
                 QEMU, the picture of a stop and cont (no move)
  --out PREFIX   writes PREFIX.txt (the text timeline and the split of the
                 gaps), PREFIX.dat and, if gnuplot is installed,
                 PREFIX.png; the text is also printed, and last a line
                 "timeline: KEY=MS..." (nowhere: STOP -> RESUME; up_/down_
                 gap, before, after; still) for scripts
Each direction's gap is the silence of the switch-over (the one that
covers RESUME, else STOP; not a later silence of a starved guest), split
into what happened before the source stopped, while the VM ran nowhere
(STOP -> RESUME) and after the destination resumed it. The guest's clock
(carried in its datagrams) says how long it stood still: the step in the
least arrival-minus-sender-clock offset across the gap.

The estimate of what a peer would see on a real host ("peer"): the time
the guest's clock stood still, or the longest any datagram of the first
second after the gap waited beyond the least offset before it (one the
quiesced VF held through the switch-over), whichever is longer, plus
20 ms per datagram lost in the gap (the sequence numbers the first
datagrams after it jumped over). The rest of
the bed's gap is time in which the guest's clock ran but it sent nothing
(its vCPU starved on the emulated host's one vCPU before the switch-over,
translated anew by the destination QEMU's TCG after it), which a guest
with its own cores under KVM does not have; every datagram it did send
arrived, or counts as lost. The estimate assumes a guest that sends on
time, which is what a peer of a real VM sees.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

STEP = 100  # ms per series bucket (svf_stream's SERIES_MS)


def read_series(path, ncols):
    rows = []
    try:
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) >= ncols:
                    rows.append(p)
    except OSError:
        pass
    return rows


def read_events(path):
    ev = []
    try:
        with open(path) as f:
            for line in f:
                p = line.split(" ", 2)
                if len(p) >= 2 and p[0].isdigit():
                    ev.append((int(p[0]), p[1], p[2].strip() if len(p) > 2 else ""))
    except OSError:
        pass
    return ev


TRACE_RE = re.compile(r"\s(\d+\.\d+): (svf_igb_phase|svf_igb_arc): (\S+) (.*)$")


def read_trace(path):
    """[(start_ms, end_ms, name)] of the driver's phases and arcs."""
    out = []
    try:
        with open(path) as f:
            for line in f:
                m = TRACE_RE.search(line)
                if not m:
                    continue
                end = float(m.group(1)) * 1000
                rest = m.group(4).split()
                us = 0
                for w in rest:
                    if w.startswith("us="):
                        us = int(w[3:])
                name = rest[0] if m.group(2) == "svf_igb_phase" else "arc " + rest[0]
                out.append((end - us / 1000.0, end, m.group(3), name))
    except OSError:
        pass
    return out


def read_cpu(path):
    """[(ms, busy, idle, src, dst)] in ticks, cumulative."""
    return [tuple(int(x) for x in p[:5]) for p in read_series(path, 5)
            if all(x.isdigit() for x in p[:5])]


def cpu_share(cpu, lo, hi):
    """The shares of the host's CPU time in [lo, hi] (the samples nearest
    to it): (destination QEMU, source QEMU, the rest busy, idle) in %, or
    None without two samples in it."""
    a = [c for c in cpu if c[0] <= lo]
    b = [c for c in cpu if c[0] >= hi]
    a = a[-1] if a else (cpu[0] if cpu else None)
    b = b[0] if b else (cpu[-1] if cpu else None)
    if a is None or b is None or b[0] <= a[0]:
        return None
    busy, idle, src, dst = (b[i] - a[i] for i in range(1, 5))
    tot = busy + idle
    if tot <= 0:
        return None
    # a QEMU that exited within the window reads as 0 at its end
    src, dst = max(src, 0), max(dst, 0)
    other = max(busy - src - dst, 0)
    return tuple(round(100.0 * v / tot) for v in (dst, src, other, idle))


def silence(times, stop, resume):
    """The silence of the switch-over between buckets in times (sorted ms):
    (start, end), start the end of the last bucket with traffic before it,
    end the start of the next one. The one that covers RESUME, else the
    one that covers STOP, else the longest one that overlaps STOP ->
    RESUME: a later silence of a starved guest is not the move's."""
    gaps = [(a + STEP, b) for a, b in zip(times, times[1:]) if b > a + STEP]
    for t in (resume, stop):
        for s, e in gaps:
            if s <= t <= e:
                return (s, e)
    over = [g for g in gaps if g[0] <= resume and g[1] >= stop]
    return max(over, key=lambda g: g[1] - g[0]) if over else None


def split(gap, stop, resume):
    s, e = gap
    before = max(0, min(e, stop) - s)
    during = max(0, min(e, resume) - max(s, stop))
    after = max(0, e - max(s, resume))
    return before, during, after


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--recv")
    ap.add_argument("--send")
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--trace")
    ap.add_argument("--cpu")
    ap.add_argument("--downtime", type=float)
    ap.add_argument("--label", default="migration")
    ap.add_argument("--since", type=int, default=0,
                    help="ignore events before this monotonic ms (a stop and cont of one QEMU)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    dst = read_events(a.dst)
    resumes = [t for t, n, _ in dst if n == "RESUME" and t >= a.since]
    if not resumes:
        print("timeline: no RESUME event of the destination in %s" % a.dst, file=sys.stderr)
        return 1
    resume = resumes[0]
    stops = [t for t, n, _ in read_events(a.src) if n == "STOP" and a.since <= t <= resume]
    if not stops:
        print("timeline: no STOP event of the source in %s" % a.src, file=sys.stderr)
        return 1
    stop = stops[-1]

    rx = {}  # bucket -> [datagrams, bytes, offset, max offset (None), skipped]
    for p in read_series(a.recv, 4) if a.recv else []:
        rx[int(p[0])] = [int(p[1]), int(p[2]), None if p[3] == "-" else int(p[3]),
                         int(p[4]) if len(p) > 5 and p[4] != "-" else None,
                         int(p[5]) if len(p) > 5 else 0]
    tx = {int(p[0]): int(p[1]) for p in (read_series(a.send, 2) if a.send else [])}
    phases = [x for x in read_trace(a.trace) if stop - 60000 <= x[1] <= resume + 60000] \
        if a.trace else []

    lines = []
    res = {}
    kv = {"nowhere": resume - stop}
    udp_t = sorted(t for t, v in rx.items() if v[0] > 0)
    tx_t = sorted(tx)
    for key, times, what in (("up", udp_t, "guest -> host (datagrams)"),
                             ("down", tx_t, "host -> guest (acknowledged)")):
        g = silence(times, stop, resume) if len(times) > 1 else None
        res[key] = g
        if not g:
            lines.append("%s: no data around the switch-over" % what)
            continue
        b, d, f = split(g, stop, resume)
        lines.append("%s: gap %d ms = %d before the source stopped + %d with the VM "
                     "running nowhere + %d after the destination resumed it"
                     % (what, g[1] - g[0], b, d, f))
    g = res["up"]
    if g:
        before = [rx[t][2] for t in udp_t if g[0] - 1000 <= t < g[0] and rx[t][2] is not None]
        after = [rx[t][2] for t in udp_t if g[1] <= t < g[1] + 1000 and rx[t][2] is not None]
        if before and after:
            lines.append("guest's clock stood still %d ms across the gap (STOP -> RESUME %d ms%s)"
                         % (min(after) - min(before), resume - stop,
                            ", QEMU's downtime %.0f ms" % a.downtime
                            if a.downtime is not None else ""))
            kv["still"] = min(after) - min(before)
            # the first second after the gap: the longest wait and the
            # sequence numbers jumped over
            first = [rx[t] for t in udp_t if g[1] <= t < g[1] + 1000]
            mx = [v[3] for v in first if v[3] is not None]
            held = max(mx) - min(before) if mx else None
            lost = sum(v[4] for v in first)
            kv["lost"] = lost
            if held is not None:
                kv["held"] = held
            kv["peer"] = max(kv["still"], held or 0, 0) + 20 * lost
            lines.append("a peer on a real host would see about %d ms (the guest's clock stood "
                         "still %d ms, %s, %d lost); the bed adds the other %d ms"
                         % (kv["peer"], kv["still"],
                            "a datagram waited up to %d ms" % held if held is not None
                            else "no per-datagram waits in the series", lost,
                            max(g[1] - g[0] - kv["peer"], 0)))
    for key in ("up", "down"):
        if res[key]:
            b, d, f = split(res[key], stop, resume)
            kv.update({key + "_gap": res[key][1] - res[key][0], key + "_before": b,
                       key + "_after": f})
    cpu = read_cpu(a.cpu) if a.cpu else []
    g = res["up"] or res["down"]
    if cpu and g:
        for key, lo_, hi_, what in (("pre", g[0], stop, "from the gap's start to STOP"),
                                    ("stop", stop, resume, "STOP -> RESUME"),
                                    ("post", resume, g[1], "from RESUME to the gap's end")):
            sh = cpu_share(cpu, lo_, hi_) if hi_ - lo_ >= 500 else None
            if sh is None:
                continue
            lines.append("host CPU %s (%d ms): destination QEMU %d%%, source QEMU %d%%, "
                         "the rest %d%%, idle %d%%" % ((what, hi_ - lo_) + sh))
            kv.update({"cpu_%s_dst" % key: sh[0], "cpu_%s_src" % key: sh[1],
                       "cpu_%s_other" % key: sh[2], "cpu_%s_idle" % key: sh[3]})
    if phases:
        lines.append("driver: " + ", ".join(
            "%s %.1f ms at %+.3f s" % (n, e - s, (s - stop) / 1000.0)
            for s, e, _, n in phases if not n.startswith("arc ")))

    # the text timeline: from 2 s before the first event to 2 s after the last
    t0 = min([stop] + [x[0] for x in res.values() if x]) - 2000
    t1 = max([resume] + [x[1] for x in res.values() if x]) + 2000
    col = next(c for c in (100, 200, 250, 500, 1000, 2000, 5000, 10000)
               if (t1 - t0) / c <= 100)
    ncol = int((t1 - t0) // col) + 1
    t0 = t0 // col * col

    def cells(series):
        c = [0] * ncol
        for t, v in series.items():
            i = int((t - t0) // col)
            if 0 <= i < ncol:
                c[i] += v
        peak = sorted(x for x in c if x)
        med = peak[len(peak) // 2] if peak else 0
        return "".join("#" if v and v * 2 >= med else ("+" if v else ".") for v in c)

    vm = ""
    for i in range(ncol):
        t = t0 + i * col + col / 2
        vm += "=" if t < stop else ("-" if t >= resume else " ")
    drv = [" "] * ncol
    for s, e, _, n in phases:
        if n.startswith("arc "):
            continue
        i = int((s - t0) // col)
        if 0 <= i < ncol:
            drv[i] = n[0]
    # a label every 10 columns, at whole multiples of 10 columns from STOP
    ticks = [" "] * ncol
    k = -((stop - t0) // (10 * col))
    while True:
        i = int((stop + k * 10 * col - t0) // col)
        if i >= ncol:
            break
        lab = "%gs" % (k * 10 * col / 1000.0) if k else "0"
        if i >= 0 and i + len(lab) <= ncol:
            ticks[i:i + len(lab)] = lab
        k += 1
    ticks = "".join(ticks)
    cpurow = ""
    for i in range(ncol):
        sh = cpu_share(cpu, t0 + i * col, t0 + (i + 1) * col) if cpu else None
        if sh is None:
            cpurow += " "
        else:
            cpurow += "dso."[max(range(4), key=lambda k: sh[k])]
    text = ["timeline %s: 1 column = %d ms, 0 s = the source's STOP" % (a.label, col),
            "             " + ticks,
            "guest->host  " + cells({t: v[0] for t, v in rx.items()}),
            "host->guest  " + cells(tx),
            "VM           " + vm,
            "driver       " + "".join(drv)]
    if cpu:
        text.append("host CPU     " + cpurow)
    text += ["(# traffic, + little, . none; VM: = on the source, blank nowhere, - on the"
             " destination; driver: q quiesce, c capture, r restore, u unquiesce;"
             " host CPU: most of it to d the destination QEMU, s the source QEMU,"
             " o the rest, . idle)"]
    text += lines
    # for scripts (make bench's medians)
    text.append("timeline: " + " ".join("%s=%d" % x for x in sorted(kv.items())))
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out + ".txt", "w") as f:
        f.write("\n".join(text) + "\n")
    print("\n".join(text))

    # the picture: per 100 ms, seconds from the source's STOP
    with open(a.out + ".dat", "w") as f:
        f.write("# t_s datagrams guest_to_host_kB host_to_guest_kB\n")
        # the series' buckets start at whole multiples of STEP
        t = int(t0 // STEP) * STEP
        while t <= t1:
            v = rx.get(t, [0, 0, None])
            f.write("%.1f %d %.2f %.2f\n" % ((t - stop) / 1000.0, v[0], v[1] / 1024.0,
                                             tx.get(t, 0) / 1024.0))
            t += STEP
    gp = shutil.which("gnuplot")
    if gp:
        marks = []
        k = 0
        for s, e, _, n in phases:
            if not n.startswith("arc "):
                x = (s - stop) / 1000.0
                marks.append('set arrow from %.3f, graph 0 to %.3f, graph 1 nohead dt 3 lc "gray40"'
                             % (x, x))
                # phases close together: labels on six heights
                marks.append('set label "%s" at %.3f, graph %.2f left offset 0.3,0 font ",8"'
                             % (n, x, 0.95 - 0.06 * (k % 6)))
                k += 1
        script = "\n".join([
            'set terminal pngcairo size 1000,460 font ",10"',
            'set output "%s.png"' % a.out,
            'set title "%s: traffic per 100 ms; shaded: the VM running nowhere (STOP -> RESUME), '
            'QEMU downtime %s ms"'
            % (a.label, "%.0f" % a.downtime if a.downtime is not None else "?"),
            'set xlabel "s from the source\'s STOP"',
            'set ylabel "guest -> host datagrams"',
            'set y2label "host -> guest kB acknowledged"',
            "set ytics nomirror", "set y2tics", "set key outside bottom center horizontal",
            "set yrange [0:*]", "set y2range [0:*]", "set offsets 0, 0, graph 0.2, 0",
            'set object 1 rect from 0, graph 0 to %.3f, graph 1 fc "red" fs transparent solid 0.15 noborder'
            % ((resume - stop) / 1000.0),
        ] + marks + [
            'plot "%s.dat" using 1:2 with steps lw 2 title "guest -> host (datagrams)", '
            '"" using 1:4 axes x1y2 with steps lw 1 title "host -> guest (kB)"' % a.out,
        ])
        r = subprocess.run([gp], input=script, text=True, capture_output=True)
        if r.returncode:
            print("timeline: gnuplot: %s" % r.stderr.strip(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
