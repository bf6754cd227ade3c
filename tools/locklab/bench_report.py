#!/usr/bin/env python3
"""Turn one benchmark run folder into gnuplot graphs and a report.

usage: bench-report RUN

RUN holds results.csv and lockstat.csv (scripts/bench-extract) and optionally meta.json
(scripts/bench-run). Writes, inside RUN:
  plots/NAME.png, plots/NAME.svg  NAME: throughput-W, speedup-W, lockwait-W, fairness-W for each
                                  workload W; contention-pct and contention-wait (all strategies);
                                  timeline-K for each serial log K(-boot<n>).log holding a lock
                                  timeline (trace=; its CSV in plots/data/, scripts/bench-trace)
  plots/NAME.gp, plots/data/*.dat the gnuplot scripts and their data (cd plots; gnuplot NAME.gp)
  report.md, report.html          metadata, failures, the plots, a speedup table, the most
                                  contended lock classes, a reading generated from the numbers
Speedup is mean throughput over the same strategy's mean 1-CPU throughput. The Amdahl curve
S(n) = 1/(s + (1-s)/n) takes s = hold_total_ns of the strategy's real lock (as its kernel's bench-meta
names them, scope= and classes=: the busiest of the classes listed (bkl; the subsystem locks), or under
scope=data the most-held class the CPUs shared) / the 1-CPU run's ns, averaged over repeats.

Exit status: 0 report and every plot written; 1 report written but data missing (a strategy,
workload or CPU count with no rows, no lockstat rows, a plot gnuplot could not make); 2 usage
errors (no RUN, no RUN/results.csv) or gnuplot not installed (the report is written without images).
Runs with invariants=FAIL are listed first in the report but do not change the exit status. Each
report first removes the *.png, *.svg, *.gp of plots/ and plots/data/*.dat (an earlier report's).
"""
import csv
import glob
import html
import json
import os
import re
import shutil
import subprocess
import sys
from statistics import fmean as mean, median

from . import bench_extract as bx
from . import bench_trace as bt

# The strategies in menu order (lock-strategies/Kconfig), each with its colour; the report reads what a
# strategy locks from its kernel's bench-meta (scope=, classes=), never from its name.
ORDER = bx.ls.strategies()
COLORS = bx.ls.colors()
COARSE = ('kernel', 'subsys')          # scopes whose real locks the kernel names in classes=
MORE_COLORS = ['#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f']
# Workloads whose data FINE splits per worker (getpid: it has none), so FINE should rise on them; the
# reading says whether it did. Every other workload is read the same way, whatever its name.
PARTITIONED = ('mm', 'fs-private', 'pipe', 'getpid')
FLAT = 1.15                             # a speedup at most this is "flat"
CEILING = 'ceiling'                     # the pure-compute workload: the machine's own scaling limit
ABOVE = 1.05                            # a speedup above the ceiling (or N) by more than this is an artifact
TOP = 10                                # contended lock classes per strategy in the contention plots
TERM = "size 900,560 noenhanced font 'Sans,10'"
PDF_TERM = "size 9in,5.6in noenhanced font 'Sans,10'"
INTS = ('cpus', 'repeat', 'ops', 'ns', 'ops_per_sec', 'thread_ops_min', 'thread_ops_max')
LS_INTS = ('cpus', 'repeat', 'acquisitions', 'contentions', 'wait_max_ns', 'wait_total_ns',
           'hold_total_ns', 'acq_bounces')
SHARED = 0.05    # a lock class whose acquisitions moved between CPUs at least this often is shared
CPU_LABEL = 'CPUs (the workload runs on this many)'
YERR = "'{f}' index {i} using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '{c}' title {t}"
TIMELINE_HOWTO = ('A few milliseconds of one run, as each CPU lived them: a row per CPU, a solid bar while it held '
                  'one of the strategy\'s locks (colour: the lock class), hatched while it waited for one; the '
                  'lower panel enlarges the shaded stretch. Where bars of different rows never overlap, as under '
                  'the BKL, the CPUs took turns in the kernel; where they overlap, as under FINE, they ran in it at '
                  'once. A bar hundreds of µs long is usually the host descheduling that vCPU (scripts/bench-trace).')
CAVEATS = [
    'QEMU on a host with fewer cores than vCPUs cannot show real scaling: the vCPUs beyond the '
    "host's cores take turns on them.",
    'QEMU takes its global lock on every read of the architected counter, and lockstat hold times '
    'read it twice per lock operation: runs with hold times on serialise the vCPUs and understate '
    'scaling (docs/benchmarks.md). So the scaling runs do not time holds (boot option lockstat_hold=2, '
    'the default, times them only on hardware); the Amdahl curves come from a separate 1-CPU pass '
    'that does (RUN/hold/).',
    'On a small or shared host the same run can be much faster or slower than the one before it (this '
    'project\'s 2-core machine: the pure-compute ceiling ranged 0.8M-1.6M ops/s at 1 CPU): read the '
    'medians and ratios, not single runs.']


def fnum(x, nd=2):
    return '–' if x is None else f'{x:,.{nd}f}'.replace(',', ' ')


def qt(s):          # a gnuplot single-quoted string
    return "'" + str(s).replace("'", "''") + "'"


def read_csv(path, columns, ints, notes):
    """The rows as dicts with ints parsed (lock_wait_pct: float or None); None if there is no file."""
    if not os.path.isfile(path):
        return None
    with open(path, newline='', encoding='utf-8', errors='replace') as f:
        reader = csv.DictReader(f)
        lacking = [c for c in columns if c not in (reader.fieldnames or [])]
        if lacking:
            raise ValueError(f'{path}: not a bench-extract file: no column {", ".join(lacking)}')
        rows = []
        for n, row in enumerate(reader, 2):
            try:
                row.update({k: int(row[k]) for k in ints}, log=row.get('log') or '')
                if 'lock_wait_pct' in row:
                    row['lock_wait_pct'] = float(row['lock_wait_pct']) if row['lock_wait_pct'] else None
                rows.append(row)
            except (TypeError, ValueError):
                notes.append(f'{os.path.basename(path)} line {n}: malformed row skipped')
        return rows


class Data:
    """The runs and lockstat rows by series: a strategy, or, when the folder holds several builds
    (logs) of one strategy, the strategy plus the build settings that differ (e.g. fine-mcs-lse,
    fine-ticket-llsc: make bench-locks)."""

    def __init__(self, runs, stats, busy_pct=bx.BUSY_WAIT_PCT, hold=None):
        self.runs, self.stats, self.busy_pct, self.hold = runs, stats, busy_pct, hold
        keys = ('lock_alg', 'atomics', 'spin_wait', 'lock_wait')
        per_log = {}
        for r in runs:
            per_log.setdefault(r['log'], dict({k: r.get(k, '') for k in keys}, strategy=r['strategy']))
        vary = {}
        for v in per_log.values():
            same = [w for w in per_log.values() if w['strategy'] == v['strategy']]
            vary[v['strategy']] = [k for k in keys if len({w[k] for w in same}) > 1]
        for r in runs + stats:
            v, st = per_log.get(r['log']), r['strategy']
            r['series'] = '-'.join([st] + [v[k] for k in vary.get(st, [])]) if v else st
        rank = {s: i for i, s in enumerate(ORDER)}
        self.series = sorted({r['series'] for r in runs + stats},
                             key=lambda s: (rank.get(s.split('-')[0], len(ORDER)), s))
        self.strategy = {r['series']: r['strategy'] for r in runs + stats}
        # series -> (scope, the real lock classes it names); ('', set()) for a log from before bench-meta had them
        self.scope = {r['series']: (r.get('scope') or '', set(filter(None, (r.get('classes') or '').split(','))))
                      for r in runs}
        self.color = {s: COLORS.get(s, MORE_COLORS[i % len(MORE_COLORS)]) for i, s in enumerate(self.series)}
        self.workloads = list(dict.fromkeys(r['workload'] for r in runs))
        self.cells, self.ls = {}, {}          # (series, workload) -> {cpus: [runs]}; run -> lockstat rows
        for r in runs:
            self.cells.setdefault((r['series'], r['workload']), {}).setdefault(r['cpus'], []).append(r)
        for r in stats:
            self.ls.setdefault(self.run_key(r), []).append(r)
        self.pairs = bx.pair_speedups(runs, key=lambda r: r['series'])
        self.busy = [r for r in runs if bx.is_busy(r)]
        apo = bx.acq_per_op(runs, stats)
        self.apo = {}                         # (series, workload) -> {cpus: [acquisitions per op]}
        for r in runs:
            k = (r['log'], r['workload'], str(r['cpus']), str(r['repeat']))
            if k in apo and not bx.is_busy(r):
                self.apo.setdefault((r['series'], r['workload']), {}).setdefault(r['cpus'], []).append(apo[k])

    @staticmethod
    def run_key(r):
        return tuple(r[k] for k in ('log', 'series', 'workload', 'cpus', 'repeat'))

    def by_cpus(self, s, w, field, busy=False):
        """{cpus: (median, min, max, n)} of a results column over the runs not flagged host_busy
        (busy=True: over the flagged ones); None values left out."""
        out = {}
        for c, rs in sorted(self.cells.get((s, w), {}).items()):
            xs = [r[field] for r in rs if r[field] is not None and bx.is_busy(r) == busy]
            if xs:
                out[c] = (median(xs), min(xs), max(xs), len(xs))
        return out

    def speedup(self, s, w):
        """{cpus: (median, min, max, pairs)} of the speedups of adjacent runs (bench-extract's
        pair_speedups: each N-CPU run over the 1-CPU run just before it in the same boot);
        {} without a 1-CPU run not flagged host_busy."""
        return {c: (median(xs), min(xs), max(xs), len(xs)) for (s2, w2, c), xs in sorted(self.pairs.items())
                if (s2, w2) == (s, w)}

    def held(self, s, w):
        """(s, note): the held fraction of the strategy's lock at 1 CPU (or None) and why not / how it
        was taken. From the hold-time pass (RUN/hold/) when there is one, else from this run's own
        1-CPU runs if they timed holds. The lock: where the strategy's real locks are coarse (bench-meta's
        scope kernel or subsys), the busiest of the classes its bench-meta names (bkl; under subsys one
        subsystem's lock: a sum would count a lock taken inside another twice, fs calls into mm); else
        the most-held class the CPUs shared but the scheduler's (taken by waiting)."""
        src = self.hold if self.hold and (s, w) in self.hold.cells else self
        scope, named = self.scope.get(s, ('', set()))
        coarse = scope in COARSE and bool(named)
        rows = [r for r in src.stats if r['series'] == s]
        if not any(r['hold_total_ns'] for r in rows):
            return None, (f'{s}: no Amdahl curve: no hold times (the hold-time pass did not run, and '
                          'this run\'s lockstat_hold boot option was off)')
        fracs, names = [], set()
        shared = self.shared_classes(s, w)
        for r in src.cells.get((s, w), {}).get(1, []):
            rows = [x for x in src.ls.get(src.run_key(r)) or [] if x['hold_total_ns'] and
                    (x['class'] in named if coarse
                     else x['class'] not in bx.WAIT_CLASSES and (shared is None or x['class'] in shared))]
            if rows and r['ns']:
                top = max(rows, key=lambda x: x['hold_total_ns'])
                fracs.append(top['hold_total_ns'] / r['ns'])
                names.add(top['class'])
        if not fracs and not coarse and any(src.ls.get(src.run_key(r)) for r in
                                                            src.cells.get((s, w), {}).get(1, [])):
            return None, (f'{s}: no Amdahl curve for {w}: none of the lock classes it held was shared between '
                          'CPUs, so no lock bounds its speedup (its Amdahl curve is the ideal line)')
        if not fracs:
            return None, f'{s}: no Amdahl curve for {w}: no lockstat rows for its 1-CPU run'
        note = (f'{s}: Amdahl for {w} from its most-held lock class that the CPUs shared '
                f'({", ".join(sorted(names))}: its lock moved between CPUs in at least {100 * SHARED:.0f} % of its '
                'acquisitions at the largest CPU count; a class of per-worker locks serialises nothing)'
                if not coarse else None)
        return min(1.0, mean(fracs)), note

    def shared_classes(self, s, w):
        """The lock classes whose locks moved between CPUs (acq_bounces) in at least SHARED of their
        acquisitions at the largest CPU count of (s, w), over runs not flagged host_busy; None without
        such runs."""
        cells = self.cells.get((s, w), {})
        top = max((c for c in cells if c > 1), default=None)
        if top is None:
            return None
        acq, bounce = {}, {}
        for r in cells[top]:
            if bx.is_busy(r):
                continue
            for x in self.ls.get(self.run_key(r)) or []:
                acq[x['class']] = acq.get(x['class'], 0) + x['acquisitions']
                bounce[x['class']] = bounce.get(x['class'], 0) + x['acq_bounces']
        return {c for c in acq if acq[c] and bounce[c] >= SHARED * acq[c]} if acq else None

    def contention(self, s, host_cpus=None):
        """(cpus, [(class, acquisitions, contentions, wait_total, wait_max)] most contended first),
        summed over workloads and repeats at the series' largest CPU count not above the host's
        cores (beyond them a descheduled vCPU's lock makes contention the host's, not the kernel's)."""
        busy = {self.run_key(r) for r in self.busy}
        rows = [r for r in self.stats if r['series'] == s and self.run_key(r) not in busy]
        counts = {r['cpus'] for r in rows}
        real = {c for c in counts if isinstance(host_cpus, int) and c <= host_cpus}
        top, acc = max(real or counts, default=None), {}
        for r in rows:
            if r['cpus'] == top:
                a = acc.setdefault(r['class'], [0, 0, 0, 0])
                a[:3] = [a[0] + r['acquisitions'], a[1] + r['contentions'], a[2] + r['wait_total_ns']]
                a[3] = max(a[3], r['wait_max_ns'])
        return top, sorted(((k, *v) for k, v in acc.items()), key=lambda x: (-x[2], -x[1], x[0]))


# ---- gnuplot ------------------------------------------------------------------------------

SKIPPED = []    # plots left out for want of data, with why (the report's notes)


def add_plot(plots, pdir, name, caption, title, xlabel, ylabel, columns, blocks, style, extra,
             more=(), data=None):
    """Writes plots/data/DATA.dat (default NAME; one gnuplot index per block: blocks = [(label,
    color, rows)]) and plots/NAME.gp (style: one block's plot element; more: other elements)."""
    data = data or name
    blocks = [b for b in blocks if b[2]]    # a series whose every run was flagged host_busy
    if not blocks and not any("'data/" in m for m in more):
        SKIPPED.append(f'no {name} plot: every run of it was flagged host_busy')
        return
    with open(os.path.join(pdir, 'data', data + '.dat'), 'w') as f:
        f.write(f'# {caption}\n# columns: {columns}\n')
        for i, (label, _, rows) in enumerate(blocks):
            f.write(('\n\n' if i else '') + f'# index {i}: {label}\n')
            f.writelines(' '.join('NaN' if v is None else f'{v:.6g}' if isinstance(v, float) else str(v)
                                  for v in row) + '\n' for row in rows)
    elems = [style.format(f=f'data/{data}.dat', i=i, c=c, t=qt(label))
             for i, (label, c, _) in enumerate(blocks)] + list(more)
    with open(os.path.join(pdir, name + '.gp'), 'w') as f:
        f.write(f"reset\nset encoding utf8\nset terminal pngcairo {TERM}\nset output '{name}.png'\n"
                f'set title {qt(title)}\nset xlabel {qt(xlabel)}\nset ylabel {qt(ylabel)}\n'
                f'set grid\nset key outside right top\n{extra}plot ' + ', \\\n     '.join(elems) +
                f"\nset terminal svg {TERM}\nset output '{name}.svg'\nreplot\n"
                f"set terminal pdfcairo {PDF_TERM}\nset output '{name}.pdf'\nreplot\nunset output\n")
    plots[name] = caption


def linear_line(d, w, ser, cpus):
    """will-it-scale's "linear": the best 1-CPU throughput of any strategy x N. A strategy that is
    slow at 1 CPU cannot look good against it, as it can against its own 1-CPU run."""
    best = max((d.by_cpus(s, w, 'ops_per_sec').get(1, (0,))[0] for s in ser), default=0)
    return [f"[1:{max(cpus)}] {best:.6g}*x with lines dt 4 lc rgb '#777777' title 'linear: best 1-CPU x N'"] \
        if best else []


def ceiling_line(d, pdir):
    """The ceiling workload's median speedup (over every strategy's pairs) as a line on each speedup
    plot: what this machine allowed, to read the workloads against."""
    pts = {}
    for (_, w, c), xs in d.pairs.items():
        if w == CEILING:
            pts.setdefault(c, []).extend(xs)
    if len(pts) < 2:
        return []
    with open(os.path.join(pdir, 'data', 'ceiling-line.dat'), 'w') as f:
        f.write('# the ceiling workload: median speedup over every strategy\'s pairs\n# columns: cpus speedup\n' +
                ''.join(f'{c} {median(xs):.6g}\n' for c, xs in sorted(pts.items())))
    return ["'data/ceiling-line.dat' using 1:2 with linespoints dt 3 lw 2 pt 2 lc rgb '#888888' "
            "title 'ceiling: pure compute'"]


def busy_points(d, w, ser, pdir, data):
    """Hollow points for the runs flagged host_busy (left out of every other number)."""
    blocks = [(s, [(r['cpus'], r['ops_per_sec']) for c in sorted(d.cells.get((s, w), {}))
                   for r in d.cells[(s, w)][c] if bx.is_busy(r)]) for s in ser]
    blocks = [b for b in blocks if b[1]]
    if not blocks:
        return []
    with open(os.path.join(pdir, 'data', data + '.dat'), 'w') as f:
        f.write(f'# {w}: runs flagged host_busy (a vCPU waited > {d.busy_pct:g} % for a host core)\n'
                '# columns: cpus ops_per_sec\n')
        for i, (s, rows) in enumerate(blocks):
            f.write(('\n\n' if i else '') + f'# index {i}: {s}\n' + ''.join(f'{c} {v}\n' for c, v in rows))
    return [f"'data/{data}.dat' index {i} using 1:2 with points pt 6 ps 1.5 lc rgb '{d.color[s]}' "
            f"title {qt(s + ': host busy (not counted)')}" for i, (s, _) in enumerate(blocks)]


def summary_plot(d, pdir, plots, host_cpus):
    """One figure for the whole run: every workload's median speedup at the largest CPU count not
    above the host's cores, bars grouped by workload, one colour per strategy, its Amdahl prediction
    as a mark on the bar, the ceiling workload's median as a dashed line."""
    counts = {c for (_, _, c) in d.pairs if c > 1}
    real = {c for c in counts if isinstance(host_cpus, int) and c <= host_cpus}
    n = max(real or counts, default=None)
    if n is None:
        return
    work = [w for w in d.workloads if w != CEILING]
    blocks, width = [], len(d.series) + 1
    for j, s in enumerate(d.series):
        rows = []
        for i, w in enumerate(work):
            sp = d.speedup(s, w).get(n)
            h = d.held(s, w)[0] if sp else None
            if sp:
                rows.append((i * width + j, w, sp[0], sp[1], sp[2], None if h is None else 1 / (h + (1 - h) / n)))
        blocks.append((s, d.color[s], rows))
    ceil = [x for (s2, w2, c), xs in d.pairs.items() if w2 == CEILING and c == n for x in xs]
    more = [f"'data/summary.dat' index {i} using 1:6 with points pt 3 ps 1.5 lc rgb 'black' "
            f"title {qt('Amdahl (hold-time pass)') if i == 0 else 'notitle'}".replace("title notitle", "notitle")
            for i, b in enumerate(blocks) if b[2]]
    if ceil:
        more.append(f"{median(ceil):.6g} with lines dt 2 lw 2 lc rgb '#888888' "
                    f"title {qt(f'ceiling (pure compute): {median(ceil):.2f}x')}")
    more.append(f"{n} with lines dt 3 lw 2 lc rgb '#555555' title {qt(f'ideal: {n}x')}")
    tics = ', '.join(f'{qt(w)} {i * width + (len(d.series) - 1) / 2:g}' for i, w in enumerate(work))
    add_plot(plots, pdir, 'summary', f'every workload\'s median speedup at {n} CPUs (bars: min to max over '
             'pairs of adjacent runs), the Amdahl prediction from the hold-time pass (crosses), and the '
             'ceiling workload\'s median (dashed)', f'speedup at {n} CPUs, every workload', 'workload',
             f'speedup at {n} CPUs (× the 1-CPU run before it)',
             'x workload speedup min max amdahl', blocks,
             "'{f}' index {i} using 1:3 with boxes lc rgb '{c}' title {t}, "
             "'' index {i} using 1:3:4:5 with yerrorbars pt -1 lc rgb 'black' notitle",
             'set style fill solid 0.8 border -1\nset boxwidth 0.9\nset grid noxtics\n'
             f"set xtics ({tics}) rotate by -30 font ',9' nomirror\n"
             f'set xrange [-1:{len(work) * width - 1}]\nset yrange [0:*]\n', more, data='summary')


def make_plots(d, pdir, notes, host_cpus=None):
    """Writes every data file and script; returns {name: caption}."""
    plots = {}
    for w in d.workloads:
        sw = re.sub(r'[^A-Za-z0-9._-]', '_', w)
        ser = [s for s in d.series if (s, w) in d.cells]
        cpus = sorted({c for s in ser for c in d.cells[(s, w)]})
        axis = f"set xtics ({', '.join(map(str, cpus))})\nset xrange [0.8:{max(cpus) + 0.2}]\n"
        if isinstance(host_cpus, int) and host_cpus < max(cpus):
            # Beyond the host's cores vCPUs share cores: mark where the measurement stops meaning much.
            axis += (f"set object 1 rect from {host_cpus}, graph 0 to graph 1, graph 1 behind "
                     "fc rgb 'gray90' fs solid 1.0 noborder\n"
                     f"set arrow from {host_cpus}, graph 0 to {host_cpus}, graph 1 nohead dt 3 lc rgb 'gray40'\n"
                     f"set label {qt(f'host cores: {host_cpus}')} at {host_cpus}, graph 0.97 right offset -0.5,0 "
                     "tc rgb 'gray40'\n")
        add_plot(plots, pdir, f'throughput-{sw}', f'{w}: throughput vs CPUs (median over the runs not '
                 'flagged host_busy, bars: min to max; hollow: flagged runs; dashed grey: the best 1-CPU '
                 'throughput of any strategy × N)', f'{w}: throughput', CPU_LABEL, 'throughput (ops/s)',
                 'cpus mean_ops_per_sec min max repeats',
                 [(s, d.color[s], [(c, *v) for c, v in d.by_cpus(s, w, 'ops_per_sec').items()])
                  for s in ser], YERR, axis + 'set yrange [0:*]\nset format y "%.1s%c"\n',
                 linear_line(d, w, ser, cpus) + busy_points(d, w, ser, pdir, f'busy-{sw}'))
        sp_ser = [s for s in ser if d.speedup(s, w)]
        held = {s: d.held(s, w)[0] for s in sp_ser}
        more = [f"[1:{max(cpus)}] x with lines dt 2 lc rgb '#555555' title 'ideal'"] + \
            (ceiling_line(d, pdir) if w != CEILING else [])
        more += [f"[1:{max(cpus)}] 1/({h:.6g}+(1-{h:.6g})/x) with lines dt 3 lw 2 lc rgb "
                 f"'{d.color[s]}' title {qt(f'{s}: Amdahl, s={h:.2f}')}" for s, h in held.items()
                 if h is not None]
        if sp_ser:
            amdahl = any(h is not None for h in held.values())
            add_plot(plots, pdir, f'speedup-{sw}', f'{w}: speedup vs CPUs (median over pairs of adjacent '
                     'runs of one boot, each N-CPU run over the 1-CPU run just before it; bars: min to max) '
                     'and the ideal' + (', and Amdahl\'s law from the held fraction s of the real lock at '
                                        '1 CPU (amdahl = 1/(s + (1-s)/cpus))' if amdahl else ''),
                     f'{w}: speedup over 1 CPU', CPU_LABEL, 'speedup (× 1-CPU throughput)',
                     'cpus speedup min max amdahl (held fraction s: ' + ', '.join(
                         f'{s} {"NaN" if h is None else f"{h:.6g}"}' for s, h in held.items()) + ')',
                     [(s, d.color[s], [(c, m, lo, hi, None if held[s] is None else
                                        1 / (held[s] + (1 - held[s]) / c))
                                       for c, (m, lo, hi, _) in d.speedup(s, w).items()]) for s in sp_ser],
                     YERR, axis + 'set yrange [0:*]\n', more)
        else:
            notes.append(f'no speedup-{w} plot: no strategy has a 1-CPU run of it (that is not flagged host_busy)')
        lw = [(s, d.color[s], [(c, *v) for c, v in d.by_cpus(s, w, 'lock_wait_pct').items()])
              for s in ser]
        if any(r['lock_wait_pct'] is not None for s in ser for rs in d.cells[(s, w)].values() for r in rs):
            add_plot(plots, pdir, f'lockwait-{sw}', f'{w}: share of the workers\' time spent waiting '
                     'for locks (lock_wait_pct, median over the runs not flagged host_busy, bars: min to max)',
                     f'{w}: time waiting for locks', CPU_LABEL, 'lock wait (% of worker time)',
                     'cpus median_pct min max repeats', [b for b in lw if b[2]], YERR,
                     axis + 'set yrange [0:*]\n')
        else:
            notes.append(f'no lockwait-{w} plot: lock_wait_pct is na (built without lockstat)')
        fair = []
        for s in ser:
            lo, hi = d.by_cpus(s, w, 'thread_ops_min'), d.by_cpus(s, w, 'thread_ops_max')
            fair.append((s, d.color[s], [(c, lo[c][0], hi[c][0]) for c in lo]))
        add_plot(plots, pdir, f'fairness-{sw}', f'{w}: ops of the slowest (solid) and the fastest '
                 '(dashed) worker, median over the runs not flagged host_busy', f'{w}: per-worker ops (fairness)', CPU_LABEL,
                 'ops of one worker in the window', 'cpus thread_ops_min thread_ops_max', fair,
                 "'{f}' index {i} using 1:2 with linespoints lw 2 dt 1 pt 7 lc rgb '{c}' title {t}.' min', "
                 "'' index {i} using 1:3 with linespoints lw 2 dt 2 pt 5 lc rgb '{c}' title {t}.' max'",
                 axis + 'set yrange [0:*]\n')
    summary_plot(d, pdir, plots, host_cpus)
    blocks, x = [], 0                   # contention: bars grouped by strategy
    for s in d.series:
        top, rows = d.contention(s, host_cpus)
        if rows:
            rows = [r for r in rows[:TOP] if r[2]] or rows[:1]
            blocks.append((f'{s} ({top} CPUs)', d.color[s], [
                (x + i, re.sub('["#\'\\s]', '_', cls), 100 * n / a if a else 0.0,
                 wt / n / 1000 if n else 0.0, n, a) for i, (cls, a, n, wt, _) in enumerate(rows)]))
            x += len(rows) + 1
    where = (f'the largest CPU count not above the host\'s {host_cpus} cores' if isinstance(host_cpus, int)
             else 'the largest CPU count')
    for name, col, ylabel, what in (('contention-pct', 3, 'contended acquisitions (%)', 'contended %'),
                                    ('contention-wait', 4, 'average wait per contention (µs)',
                                     'average wait')):
        if blocks:
            add_plot(plots, pdir, name, f'most contended lock classes, {what} (contentions / '
                     f'acquisitions; wait_total_ns / contentions), at each strategy\'s {where}, '
                     'summed over workloads', f'lock classes: {what}, at {where}, all workloads',
                     'lock class (grouped by strategy)', ylabel,
                     'x class contended_pct avg_wait_us contentions acquisitions', blocks,
                     f"'{{f}}' index {{i}} using 1:{col}:xtic(2) with boxes lc rgb '{{c}}' title {{t}}",
                     "set style fill solid 0.8 border -1\nset boxwidth 0.8\nset grid noxtics\n"
                     f"set xtics rotate by -60 font ',8' nomirror\nset xrange [-1:{x - 1}]\n"
                     'set yrange [0:*]\n', data='contention')
    return plots


def run_gnuplot(pdir, plots, notes):
    """One gnuplot for all scripts (its start-up is most of the time); it stops at an error, so
    each script that left no PNG and SVG is run alone again. Returns the names that came out."""
    def gnuplot(names):
        return subprocess.run(['gnuplot'] + [n + '.gp' for n in names], cwd=pdir, timeout=600,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def made(n):
        return all(os.path.isfile(o) and os.path.getsize(o) > 0
                   for o in (os.path.join(pdir, f'{n}.{e}') for e in ('png', 'svg', 'pdf')))
    if plots:
        gnuplot(plots)
    for n in plots:
        if not made(n):
            err = gnuplot([n]).stderr
            if not made(n):
                notes.append(f'plot {n}: gnuplot failed: ' + ' | '.join(err.strip().splitlines()[-3:]))
    return [n for n in plots if made(n)]


# ---- report -------------------------------------------------------------------------------

def ceiling_sentence(d, sp, n):
    """(sentence, {strategy: speedup}) of the ceiling workload at n CPUs: what the machine itself allowed."""
    got = {s: sp[(s, CEILING)][n][0] for s in d.series if n in sp.get((s, CEILING), {})}
    if not got:
        return None, {}
    lo, hi = min(got.values()), max(got.values())
    t = (f'**{CEILING}** (pure computation: no locks, no kernel calls) reached {lo:.2f}×' +
         (f'–{hi:.2f}×' if hi - lo >= 0.005 else '') + f' at {n} CPUs: the most this machine showed in these '
         'boots. Read every speedup below against it, not against the ideal.')
    if hi > n * ABOVE:
        t += (f' It is above {n}×, which computation cannot be: the 1-CPU runs were slower than the '
              'others (the host gave that vCPU less of a core), so the speedups of this run are inflated.')
    return t, got


def reading(d, sp, held, host_cpus=None):
    """Sentences generated from the numbers; with more vCPUs than host CPUs, read at the host's count."""
    out, first = [], []
    for w in d.workloads:
        ser = [s for s in d.series if sp.get((s, w))]
        counts = {c for s in ser for c in sp[(s, w)]}
        real = {c for c in counts if isinstance(host_cpus, int) and c <= host_cpus}
        n = max(real if len(real) > 1 else counts, default=1)
        at = sorted(((sp[(s, w)][n][0], s) for s in ser if n in sp[(s, w)]), reverse=True)
        if n == 1 or not at:
            continue
        sentence, ceil = ceiling_sentence(d, sp, n)
        if w == CEILING:
            first += [sentence] if sentence else []
            continue
        (v, best), sv = at[0], {s: x for x, s in at}
        t = (f'**{w}**: in this run {best} scales best:' if v > 1 else
             f'**{w}**: in this run no strategy gains from more CPUs; the best, {best}, keeps')
        t += f' {v:.2f}× its 1-CPU throughput at {n} CPUs'
        if len(at) > 1:
            t += f' ({v / at[1][0]:.2f} times the next, {at[1][1]}, at {at[1][0]:.2f}×)' if at[1][0] else ''
        t += '.'
        over = [s for s in sv if sv[s] > n * ABOVE or (s in ceil and sv[s] > ceil[s] * ABOVE)]
        if over:
            t += (' ' + ', '.join(f'{s} ({sv[s]:.2f}×)' for s in over) + ' beat' + 's' * (len(over) == 1) +
                  f' what the machine allowed in the same boot (ideal {n}×' +
                  ''.join(f', {CEILING} under {s} {ceil[s]:.2f}×' for s in over if s in ceil) +
                  '): an artifact of this run (a starved 1-CPU run, or different work at 1 CPU), not a result.')
        # The strategies themselves (not their lock variants), by the scope their kernels made real.
        by_scope = {}
        for s in d.series:
            if s in sv and s == d.strategy.get(s):
                by_scope.setdefault(d.scope.get(s, ('',))[0], s)
        if 'kernel' in by_scope:
            k = by_scope['kernel']
            flat = sv[k] <= FLAT
            t += f' {k} is {"" if flat else "not "}flat ({sv[k]:.2f}× {"≤" if flat else ">"} {FLAT})'
            if w in PARTITIONED and 'data' in by_scope:
                f = by_scope['data']
                t += (f' {"while" if flat else "and"} {f} {"rises" if sv[f] > FLAT else "does not rise"}'
                      f' ({sv[f]:.2f}×) on this partitioned workload')
            t += '.'
        for s in ser:
            h = held.get((s, w), (None,))[0]
            if h and n in sp[(s, w)]:
                scope, named = d.scope.get(s, ('', set()))
                what = ({'subsys': 'its busiest subsystem lock class', 'kernel': 'the BKL'}.get(scope)
                        if named else None) or 'its most-held lock class'
                t += (f' {s} held {what} '
                      f'{100 * h:.0f} % of the 1-CPU run: Amdahl\'s law caps its speedup at 1/s = '
                      f'{1 / h:.2f}× ({1 / (h + (1 - h) / n):.2f}× at {n} CPUs; measured '
                      f'{sp[(s, w)][n][0]:.2f}×).')
        out.append(t)
    out = first + out
    for s in d.series:
        top, rows = d.contention(s, host_cpus)
        total = sum(r[2] for r in rows)
        if total:
            cls, acq, cont, wait, _ = rows[0]
            out.append(f'Under {s}, lock class {cls} dominates contention at {top} CPU{"s" * (top != 1)}: '
                       f'{100 * cont / total:.0f} % of all contentions; {100 * cont / acq:.1f} % of its '
                       f'acquisitions were contended, waiting {wait / cont / 1000:.1f} µs on average.')
        elif rows:
            out.append(f'Under {s}, no lock class was contended at {top} CPU{"s" * (top != 1)}.')
    return out


BUSY_SHARE = 1 / 3       # more runs than this flagged host_busy: the whole report is unreliable
WORK_DIFF = 0.05         # lock acquisitions per op differing more than this between CPU counts
WORK_MIN = 0.02          # ... and by more than this many acquisitions per op
COLLAPSE = 0.5           # a speedup below this is a collapse
UNEVEN = 0.8             # ceiling workers slower than this share of the fastest: the host's vCPUs differ


def kernel_of(r):
    """The kernel a run came from, by its log's name (<kernel>-boot<n>.log, or <kernel>.log)."""
    return re.sub(r'(-boot[0-9]+)?\.log$', '', r['log'])


def sanity(d, sp, host_cpus, meta=None):
    """The flags the report opens with: (busy_host, [sentences])."""
    out, n_busy, meta = [], len(d.busy), meta or {}
    out += [str(w) for w in meta.get('warnings') or [] if w] if isinstance(meta.get('warnings'), list) else []
    for k in sorted({kernel_of(r) for r in d.runs}):
        real = {r['strategy'] for r in d.runs if kernel_of(r) == k}
        if k in ORDER and real != {k}:
            out.append(f'The kernel named {k} is really {", ".join(sorted(real))} (its bench-meta record; the '
                       'configuration given with it chose another strategy): its runs are shown as that.')
    dep = sorted({kernel_of(r) for r in d.runs if r.get('lockdep') == 'on'})
    if dep:
        out.append(f'lockdep was on in {", ".join(dep)}: its checks cost more than most of what is measured, so '
                   'these numbers describe lockdep more than the locks (make bench\'s own kernels turn it off).')
    single = sorted({kernel_of(r) for r in d.runs if r.get('accel') == 'single'})
    if single or meta.get('accel') == 'single':
        out.append('QEMU ran with single-threaded TCG (ACCEL=single): the vCPUs took turns on one host thread, '
                   'so no speedup above 1 can show; use ACCEL=multi for scaling.')
    busy_host = bool(d.runs) and n_busy > len(d.runs) * BUSY_SHARE
    if busy_host:
        out.append(f'**This host was busy: these numbers are not reliable.** {n_busy} of {len(d.runs)} runs '
                   f'had a vCPU that waited more than {d.busy_pct:g} % of the run for a host core '
                   '(host_busy=1). Run again on a quiet machine.')
    elif n_busy:
        out.append(f'{n_busy} of {len(d.runs)} runs were flagged host_busy (a vCPU waited more than '
                   f'{d.busy_pct:g} % of the run for a host core): they are drawn hollow and left out '
                   'of every number below.')
    even = [r['thread_ops_min'] / r['thread_ops_max'] for r in d.runs if r['workload'] == CEILING
            and r['cpus'] > 1 and r['thread_ops_max'] and not bx.is_busy(r)]
    if even and min(even) < UNEVEN:
        out.append(f'This host ran the vCPUs at unequal speeds: in the {CEILING} runs (the same pure computation '
                   f'on every CPU) the slowest worker did as little as {100 * min(even):.0f} % of the fastest\'s '
                   f'work (median {100 * median(even):.0f} %). Host cores that share a physical core (SMT) or '
                   'run at different clocks do this; neither the guest nor the run-queue wait sees it. Speedups '
                   'then scatter, both ways, by as much: read the medians and the ceiling.')
    for (s, w), cells in sorted(sp.items()):
        for n, (v, lo, hi, pairs) in sorted(cells.items()):
            if n > 1 and v > n * ABOVE:
                out.append(f'{s} {w}: {v:.2f}× at {n} CPUs is above {n}×, which cannot be: an artifact (a '
                           '1-CPU run starved by the host, vCPUs running at unequal speeds, or different work at '
                           '1 CPU), not a result.')
            elif n > 1 and v < COLLAPSE:
                rs = d.cells.get((s, w), {}).get(n, [])
                lw = [r['lock_wait_pct'] for r in rs if r['lock_wait_pct'] is not None and not bx.is_busy(r)]
                if isinstance(host_cpus, int) and n > host_cpus:
                    why = f'more vCPUs ({n}) than host cores ({host_cpus}): a lock holder\'s vCPU is descheduled'
                elif any(bx.is_busy(r) for r in rs):
                    why = 'the host was busy during some of these runs'
                elif lw and median(lw) > 50:
                    why = (f'a lock convoy: the workers waited for locks {median(lw):.0f} % of their time')
                else:
                    why = ('none the data show (host quiet, lock wait ' +
                           (f'{median(lw):.0f} %' if lw else 'not measured') + '): the workload itself')
                out.append(f'{s} {w}: collapses to {v:.2f}× at {n} CPUs; likely cause: {why}.')
    for (s, w), cells in sorted(d.apo.items()):
        base = median(cells[1]) if cells.get(1) else None
        for n, xs in sorted(cells.items()):
            # (and by more than WORK_MIN per op: a background lock taken a few times a second is not work)
            if base and n > 1 and abs(median(xs) / base - 1) > WORK_DIFF and abs(median(xs) - base) > WORK_MIN:
                out.append(f'{s} {w}: {median(xs):.2f} lock acquisitions per op at {n} CPUs against '
                           f'{base:.2f} at 1 CPU: the workload does different work at {n} CPUs, so its '
                           'speedup is not only about locks.')
    return busy_host, out


def render(blocks):
    """[('h', level, text) | ('p', text) | ('ul', [text]) | ('table', head, rows) | ('pre', text) |
    ('img', name, caption)] -> (Markdown, HTML body). Text may hold **bold**."""
    md, ht, esc = [], [], lambda v: html.escape(str(v))  # noqa: E731
    bold = lambda t: re.sub(r'\*\*(.+?)\*\*', r'<b>\1</b>', esc(t))  # noqa: E731
    cell = lambda v: str(v).replace('|', '\\|').replace('\n', ' ')  # noqa: E731
    toc = []
    for kind, *a in blocks:
        if kind == 'h':
            md.append('#' * a[0] + ' ' + a[1])
            anchor = re.sub(r'[^a-z0-9]+', '-', a[1].lower()).strip('-')
            ht.append(f'<h{a[0]} id="{anchor}">{esc(a[1])}</h{a[0]}>')
            if a[0] == 2:
                toc.append(f'<li><a href="#{anchor}">{esc(a[1])}</a></li>')
        elif kind == 'p':
            md.append(a[0])
            ht.append(f'<p>{bold(a[0])}</p>')
        elif kind == 'ul':
            md.append('\n'.join('- ' + t for t in a[0]))
            ht.append('<ul>\n' + ''.join(f'<li>{bold(t)}</li>\n' for t in a[0]) + '</ul>')
        elif kind == 'table':
            md.append('\n'.join(['| ' + ' | '.join(map(cell, a[0])) + ' |', '|' + '---|' * len(a[0])] +
                                ['| ' + ' | '.join(map(cell, r)) + ' |' for r in a[1]]))
            ht.append('<table>\n<tr>' + ''.join(f'<th>{esc(h)}</th>' for h in a[0]) + '</tr>\n' +
                      ''.join('<tr>' + ''.join(f'<td>{esc(v)}</td>' for v in r) + '</tr>\n'
                              for r in a[1]) + '</table>')
        elif kind == 'pre':
            md.append('```\n' + a[0].rstrip('\n') + '\n```')
            ht.append(f'<pre>{esc(a[0])}</pre>')
        else:
            md.append(f'![{a[1]}](plots/{a[0]}.svg)  \n*{a[1]}* ([PNG](plots/{a[0]}.png), '
                      f'[PDF](plots/{a[0]}.pdf), [gnuplot script](plots/{a[0]}.gp))')
            ht.append(f'<figure id="{esc(a[0])}"><a href="plots/{esc(a[0])}.png"><img src="plots/'
                      f'{esc(a[0])}.svg" alt="{esc(a[1])}"></a>\n<figcaption>{esc(a[1])} (<a href="plots/'
                      f'{esc(a[0])}.png">PNG</a>, <a href="plots/{esc(a[0])}.pdf">PDF</a>, '
                      f'<a href="plots/{esc(a[0])}.gp">gnuplot script</a>)</figcaption></figure>')
    if toc and ht and ht[0].startswith('<h1'):   # a table of contents under the title
        ht.insert(1, '<nav><ul class="toc">\n' + '\n'.join(toc) + '\n</ul></nav>')
    return '\n\n'.join(md) + '\n', '\n'.join(ht)


CSS = ('body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}'
       'table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.2em .6em;'
       'text-align:right}th{background:#eee}td:first-child,th:first-child{text-align:left}'
       'pre{background:#f4f4f4;padding:.5em;overflow-x:auto}img{max-width:100%}figure{margin:1.5em 0}')


def report(run, d, meta, plots, made, missing, failures, notes, gnuplot_ok):
    sp = {(s, w): d.speedup(s, w) for s in d.series for w in d.workloads}
    held = {(s, w): d.held(s, w) for s in d.series for w in d.workloads if sp[(s, w)]}
    g = lambda k: meta.get(k, 'unknown')  # noqa: E731
    title = f'Benchmark report: {meta.get("label") or os.path.basename(os.path.abspath(run))}'
    busy_host, flags = sanity(d, sp, meta.get('host_cpus'), meta)
    B = [('h', 1, title), ('h', 2, 'Sanity checks'),
         ('ul', flags or ['Nothing flagged: no speedup above N, no collapse below '
                          f'{COLLAPSE}×, the same lock acquisitions per op (±{100 * WORK_DIFF:.0f} %) at every '
                          'CPU count, no run on a busy host.'])]
    if 'summary' in made:
        B += [('h', 2, 'Summary'), ('img', 'summary', plots['summary'])]
    timelines = [n for n in plots if n.startswith('timeline-') and n in made]
    if timelines:
        B += [('h', 2, 'Lock timelines'), ('p', TIMELINE_HOWTO)] + [('img', n, plots[n]) for n in timelines]
    B += [('h', 2, 'Failures'), ('ul', failures)] if failures else []
    B += [('h', 2, 'Missing data'), ('ul', missing)] if missing else []
    B += [('h', 2, 'Run'), ('table', ['item', 'value'], [
        ['label', g('label')], ['started', g('started')], ['git revision', g('git')], ['QEMU', g('qemu')],
        ['host CPUs', g('host_cpus')], ['vCPUs / accel', f'{g("vcpus")} / {g("accel")}'],
        ['duration per run (ms) / repeats per boot / boots per strategy',
         f'{g("duration_ms")} / {g("repeat")} / {g("boots")}'],
        ['elapsed (s)', g('elapsed_s')], ['runs / lockstat rows', f'{len(d.runs)} / {len(d.stats)}']])]
    strat, rows = meta['strategies'], []
    for k in list(strat) + sorted({kernel_of(r) for r in d.runs} - set(strat)):
        mine = [r for r in d.runs if kernel_of(r) == k]
        rows.append([k, ', '.join(sorted({r['strategy'] for r in mine})) or '–', strat.get(k, {}).get('status', '–'),
                     len(mine), ', '.join(sorted({' '.join(r[x] for x in ('lock_alg', 'atomics', 'spin_wait',
                                                                        'lock_wait')) for r in mine})),
                     ', '.join(sorted({r.get('lockdep') or '?' for r in mine}))])
    B += [('h', 3, 'Kernels'), ('p', 'Each kernel\'s strategy and settings as its own bench-meta record says, '
                                     'whatever it was called.'),
          ('table', ['kernel', 'strategy', 'status', 'runs', 'lock_alg atomics spin_wait lock_wait', 'lockdep'],
           rows)]
    for s, info in strat.items():
        B += [('p', f'Configuration of {s} (its non-default lines):'), ('pre', str(info['config']))] \
            if info.get('config') else []
    vc, hc = meta.get('vcpus'), meta.get('host_cpus')
    B += [('h', 2, 'Caveats'), ('ul', CAVEATS + (
        [f'This run had {vc} vCPUs on {hc} host CPUs.'] if isinstance(vc, int) and isinstance(hc, int)
        and hc < vc else []) + (['Lockstat hold times were on in this run (hold_total_ns is not 0): '
                                 'its speedups are understated.'] if any(r['hold_total_ns'] for r in d.stats)
                                else []))]
    B += [('h', 2, 'Reading (generated from the numbers)')]
    if isinstance(vc, int) and isinstance(hc, int) and hc < vc:
        B += [('p', f'Read at up to {hc} CPUs, the host\'s cores: beyond that vCPUs share host cores and '
                    'a lock holder\'s vCPU can be descheduled, which measures the host, not the kernel.')]
    B += [
          ('ul', reading(d, sp, held, hc) or ['Not enough data for a reading.'])]
    why = sorted({n for _, n in held.values() if n})
    B += [('p', 'Amdahl curves:'), ('ul', why)] if why else []
    cpus = sorted({c for v in sp.values() for c in v})
    rows = [[w, s] + [(fnum(sp[(s, w)][c][0]) + (f' ({fnum(sp[(s, w)][c][1])}–{fnum(sp[(s, w)][c][2])}, '
                       f'{sp[(s, w)][c][3]} pairs)' if c > 1 else '')) if c in sp[(s, w)] else '–' for c in cpus] +
            [fnum(held.get((s, w), (None,))[0], 3), fnum(1 / held[(s, w)][0]) if held.get((s, w), (0,))[0]
             else '–'] for w in d.workloads for s in d.series if (s, w) in d.cells]
    B += [('h', 2, 'Speedup over 1 CPU (median over pairs of adjacent runs: each N-CPU run over the '
                   '1-CPU run just before it in the same boot)'),
          ('table', ['workload', 'strategy'] + [f'{c} CPU{"s" * (c > 1)}' for c in cpus] +
           ['held s (1 CPU)', 'Amdahl limit 1/s'], rows)]
    rows = []
    for s in d.series:
        top, cls = d.contention(s, hc)
        rows += [[s, top, c, a, n, fnum(100 * n / a if a else 0.0), fnum(wt / n / 1000 if n else 0.0),
                  fnum(wm / 1000)] for c, a, n, wt, wm in [x for x in cls if x[2]][:5]]
    B += [('h', 2, 'Top 5 contended lock classes per strategy (all workloads, at the largest CPU count' +
           (f' not above the host\'s {hc} cores)' if isinstance(hc, int) else ')')),
          ('table', ['strategy', 'CPUs', 'class', 'acquisitions', 'contentions', 'contended %',
                     'avg wait (µs)', 'max wait (µs)'], rows) if rows else ('p', 'No contended lock class.')]
    B += [('h', 2, 'Plots'), ('p', 'The data of every plot is in plots/data/, its gnuplot script in '
                                   'plots/ (cd plots; gnuplot NAME.gp). Lock wait: one plot per workload.')]
    if not gnuplot_ok:
        B.append(('p', 'gnuplot is not installed, so there are no images: apt-get install gnuplot-nox '
                       '(or run scripts/deps.sh), then run scripts/bench-report again.'))
    B += [('img', n, c) for n, c in plots.items() if n in made and n != 'summary' and not n.startswith('timeline-')]
    B += [('h', 2, 'Notes'), ('ul', notes)] if notes else []
    md, body = render(B)
    with open(os.path.join(run, 'report.md'), 'w') as f:
        f.write(md)
    with open(os.path.join(run, 'report.html'), 'w') as f:
        f.write(f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{html.escape(title)}'
                f'</title>\n<style>{CSS}</style></head>\n<body>\n{body}\n</body>\n</html>\n')


def main(argv):
    if len(argv) != 1 or argv[0].startswith('-'):
        print('usage: bench-report RUN   (a run folder: results.csv, lockstat.csv, meta.json)',
              file=sys.stderr)
        return 2
    run = argv[0]
    if not os.path.isdir(run) or not os.path.isfile(os.path.join(run, 'results.csv')):
        print(f'bench-report: {run}: no such run folder' if not os.path.isdir(run) else
              f'bench-report: {os.path.join(run, "results.csv")}: no such file (scripts/bench-extract '
              'writes it)', file=sys.stderr)
        return 2
    notes, missing, meta = [], [], {}
    try:
        runs = read_csv(os.path.join(run, 'results.csv'), bx.RESULTS_COLUMNS[:-1], INTS, notes)
        stats = read_csv(os.path.join(run, 'lockstat.csv'), bx.LOCKSTAT_COLUMNS[:-1], LS_INTS, notes)
    except (OSError, ValueError, csv.Error) as e:
        print(f'bench-report: {e}', file=sys.stderr)
        return 2
    try:
        with open(os.path.join(run, 'meta.json')) as f:
            meta = json.load(f)
        meta = meta if isinstance(meta, dict) else {}
    except (OSError, ValueError) as e:
        notes += [] if isinstance(e, FileNotFoundError) else [f'meta.json cannot be read, ignored: {e}']
    if not runs:
        missing.append('results.csv has no rows (did every boot fail?): no throughput, speedup, '
                       'lock wait or fairness plots')
    if stats is None or (runs and not stats):
        missing.append(f'lockstat.csv {"is missing" if stats is None else "has no rows"}: no contention '
                       'plots, no Amdahl curves')
    busy_pct = meta.get('busy_pct')
    hold = None
    try:  # the hold-time pass (scripts/bench-run): 1-CPU runs that timed lock holds
        hruns = read_csv(os.path.join(run, 'hold', 'results.csv'), bx.RESULTS_COLUMNS[:-1], INTS, notes)
        hstats = read_csv(os.path.join(run, 'hold', 'lockstat.csv'), bx.LOCKSTAT_COLUMNS[:-1], LS_INTS, notes)
        hold = Data(hruns, hstats) if hruns and hstats else None
    except (OSError, ValueError, csv.Error) as e:
        notes.append(f'hold/ cannot be read, ignored: {e}')
    d = Data(runs, stats or [], busy_pct if isinstance(busy_pct, (int, float)) else bx.BUSY_WAIT_PCT, hold)
    strat = meta['strategies'] = {s: i if isinstance(i, dict) else {} for s, i in (
        meta.get('strategies') if isinstance(meta.get('strategies'), dict) else {}).items()}
    missing += [f'strategy {s}: no rows in results.csv (status: {i.get("status", "unknown")})'
                for s, i in strat.items()
                # s names a strategy, or a build of one (make bench-locks) whose log is <s>.log
                if not any(r['strategy'] == s or re.sub(r'(-boot[0-9]+)?\.log$', '', r['log']) == s for r in runs)]
    for w in d.workloads:
        want = {c for (_, w2), cells in d.cells.items() if w2 == w for c in cells}
        for s in {r['series'] for r in runs}:
            lack = sorted(want - set(d.cells.get((s, w), {})))
            if lack:
                missing.append(f'{s}: no run of {w} at {", ".join(map(str, lack))} CPUs')
    failures = [str(f) for f in meta.get('failures') or [] if f] if isinstance(meta.get('failures'), list) \
        else []
    failures += [f"invariants=FAIL: {r['series']} {r['workload']} at {r['cpus']} CPUs, repeat "
                 f"{r['repeat']} ({r['log']})" for r in runs if r['invariants'] != 'ok']
    pdir = os.path.join(run, 'plots')
    os.makedirs(os.path.join(pdir, 'data'), exist_ok=True)
    for old in sum((glob.glob(os.path.join(pdir, p)) for p in ('*.png', '*.svg', '*.pdf', '*.gp', 'data/*.dat', 'data/*.csv')), []):
        os.remove(old)                          # what an earlier report of this folder left
    plots = make_plots(d, pdir, notes, meta.get('host_cpus') if isinstance(meta, dict) else None)
    plots.update(bt.timelines(run, pdir, notes, d.busy_pct))  # boots with trace= (scripts/bench-trace)
    notes += SKIPPED
    gnuplot_ok = shutil.which('gnuplot') is not None
    made = run_gnuplot(pdir, plots, missing) if gnuplot_ok else []
    report(run, d, meta, plots, made, missing, failures, notes, gnuplot_ok)
    for m in missing:
        print(f'bench-report: missing: {m}', file=sys.stderr)
    print(f'bench-report: {len(made)} of {len(plots)} plots written to {pdir} (PNG, SVG, PDF)')
    print(f'bench-report: report: {os.path.join(run, "report.md")} and report.html')
    if not gnuplot_ok:
        print('bench-report: gnuplot not found: apt-get install gnuplot-nox (or run scripts/deps.sh)',
              file=sys.stderr)
        return 2
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
