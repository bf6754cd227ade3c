"""bench-report's plots: each figure's data file and gnuplot script under RUN/plots/, and one gnuplot run for all."""
import os
import re
import subprocess
from dataclasses import dataclass
from statistics import median
from typing import Dict, List, Optional, Sequence, Tuple

from . import bench_extract as bx
from .report_data import CEILING, Data

TERM = "size 900,560 noenhanced font 'Sans,10'"
PDF_TERM = "size 9in,5.6in noenhanced font 'Sans,10'"
TOP = 10                                # contended lock classes per strategy in the contention plots
# Fewer contentions than this: the wait chart's label gives the count, the average being one or a few waits (a
# single wait of a vCPU the host descheduled drew FINE's pid_hash tallest of all in s15a: 61 µs, 1 contention).
FEW_CONTENTIONS = 10
CPU_LABEL = 'CPUs (the workload runs on this many)'
YERR = "'{f}' index {i} using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '{c}' title {t}"

Block = Tuple[str, str, list]           # (label, colour, rows): one gnuplot index of a data file


def qt(text: object) -> str:
    """A gnuplot single-quoted string."""
    return "'" + str(text).replace("'", "''") + "'"


def _value(value: object) -> str:
    """One number of a data file: NaN for a missing one, floats to 6 significant digits."""
    if value is None:
        return 'NaN'
    return f'{value:.6g}' if isinstance(value, float) else str(value)


@dataclass
class Plot:
    """One figure: plots/data/DATA.dat (one gnuplot index per block) and plots/NAME.gp."""
    name: str
    caption: str                        # the report's caption, and the data file's first line
    title: str
    xlabel: str
    ylabel: str
    columns: str                        # the data file's column names
    blocks: List[Block]
    style: str                          # one block's plot element: {f} file, {i} index, {c} colour, {t} title
    extra: str = ''                     # gnuplot settings before the plot command
    more: Sequence[str] = ()            # other plot elements (lines, functions, other files)
    data: str = ''                      # the data file's name when not NAME


class PlotSet:
    """The figures of one report, written as they are added: {name: caption}, and those left out."""

    def __init__(self, pdir: str):
        self.pdir = pdir
        self.captions: Dict[str, str] = {}
        self.skipped: List[str] = []    # plots left out for want of data, with why (the report's notes)

    def add(self, plot: Plot) -> None:
        data = plot.data or plot.name
        blocks = [b for b in plot.blocks if b[2]]    # a series whose every run was flagged host_busy or failed
        if not blocks and not any("'data/" in m for m in plot.more):
            self.skipped.append(f'no {plot.name} plot: every run of it was flagged host_busy or failed '
                                '(invariants=FAIL)')
            return
        with open(os.path.join(self.pdir, 'data', data + '.dat'), 'w') as f:
            f.write(f'# {plot.caption}\n# columns: {plot.columns}\n')
            for index, (label, _, rows) in enumerate(blocks):
                f.write(('\n\n' if index else '') + f'# index {index}: {label}\n')
                f.writelines(' '.join(_value(v) for v in row) + '\n' for row in rows)
        elems = [plot.style.format(f=f'data/{data}.dat', i=index, c=color, t=qt(label))
                 for index, (label, color, _) in enumerate(blocks)] + list(plot.more)
        with open(os.path.join(self.pdir, plot.name + '.gp'), 'w') as f:
            f.write(gnuplot_script(plot.name, f'set title {qt(plot.title)}\nset xlabel {qt(plot.xlabel)}\n'
                                   f'set ylabel {qt(plot.ylabel)}\nset grid\nset key outside right top\n'
                                   f'{plot.extra}plot ' + ', \\\n     '.join(elems)))
        self.captions[plot.name] = plot.caption

    def write(self, name: str, text: str) -> None:
        """A data file of its own (plots/data/NAME.dat) that a plot's extra elements draw."""
        with open(os.path.join(self.pdir, 'data', name + '.dat'), 'w') as f:
            f.write(text)


def gnuplot_script(name: str, body: str) -> str:
    """A script that draws body (settings and a plot command) as NAME.png, then as .svg and .pdf."""
    return (f"reset\nset encoding utf8\nset terminal pngcairo {TERM}\nset output '{name}.png'\n{body}"
            f"\nset terminal svg {TERM}\nset output '{name}.svg'\nreplot\n"
            f"set terminal pdfcairo {PDF_TERM}\nset output '{name}.pdf'\nreplot\nunset output\n")


def linear_line(d: Data, workload: str, series: List[str], cpus: List[int]) -> List[str]:
    """will-it-scale's "linear": the best 1-CPU throughput of any strategy x N. A strategy that is
    slow at 1 CPU cannot look good against it, as it can against its own 1-CPU run."""
    best = max((d.by_cpus(s, workload, 'ops_per_sec').get(1, (0,))[0] for s in series), default=0)
    return [f"[1:{max(cpus)}] {best:.6g}*x with lines dt 4 lc rgb '#777777' title 'linear: best 1-CPU x N'"] \
        if best else []


def ceiling_line(d: Data, plots: PlotSet) -> List[str]:
    """The ceiling workload's median speedup (over every strategy's pairs) as a line on each speedup
    plot: what this machine allowed, to read the workloads against."""
    points: Dict[int, List[float]] = {}
    for (_, w, c), xs in d.pairs.items():
        if w == CEILING:
            points.setdefault(c, []).extend(xs)
    if len(points) < 2:
        return []
    plots.write('ceiling-line', '# the ceiling workload: median speedup over every strategy\'s pairs\n'
                '# columns: cpus speedup\n' + ''.join(f'{c} {median(xs):.6g}\n' for c, xs in sorted(points.items())))
    return ["'data/ceiling-line.dat' using 1:2 with linespoints dt 3 lw 2 pt 2 lc rgb '#888888' "
            "title 'ceiling: pure compute'"]


def busy_points(d: Data, workload: str, series: List[str], plots: PlotSet, data: str) -> List[str]:
    """Hollow points for the runs flagged host_busy (left out of every other number)."""
    cells = d.cells
    blocks = [(s, [(run['cpus'], run['ops_per_sec']) for c in sorted(cells.get((s, workload), {}))
                   for run in cells[(s, workload)][c] if bx.is_busy(run) and not bx.is_failed(run)]) for s in series]
    blocks = [b for b in blocks if b[1]]
    if not blocks:
        return []
    why = bx.busy_why([r for r in d.runs if r['workload'] == workload], d.busy_pct)
    plots.write(data, f'# {workload}: runs flagged host_busy ({why})\n'
                '# columns: cpus ops_per_sec\n' +
                ''.join(('\n\n' if i else '') + f'# index {i}: {s}\n' + ''.join(f'{c} {v}\n' for c, v in rows)
                        for i, (s, rows) in enumerate(blocks)))
    return [f"'data/{data}.dat' index {i} using 1:2 with points pt 6 ps 1.5 lc rgb '{d.color[s]}' "
            f"title {qt(s + ': host busy (not counted)')}" for i, (s, _) in enumerate(blocks)]


def amdahl(held: float, cpus: int) -> float:
    """Amdahl's law: the speedup at cpus of a run that holds its one lock a fraction held of the time."""
    return 1 / (held + (1 - held) / cpus)


def summary_cpus(d: Data, host_cpus: Optional[int]) -> Optional[int]:
    """The CPU count the summary reads: the largest with speedups, not above the host's cores if any is."""
    counts = {c for (_, _, c) in d.pairs if c > 1}
    real = {c for c in counts if isinstance(host_cpus, int) and c <= host_cpus}
    return max(real or counts, default=None)


QEMU_CAPTION = ('under QEMU each of its ops traps, and QEMU takes its own global lock for every trap, so its '
                'speedups do not rank the strategies (the reading compares them at 1 CPU)')


def qemu_label(first: str) -> str:
    """The note beside a figure whose speedups QEMU's own lock held back (Data.qemu_bound), in the right
    margin below the key."""
    # its own tag: label 1 may already be cpu_axis's "host cores" (gnuplot numbers untagged labels from 1)
    return (f"set label 90 \"{first}\\n   do not rank the strategies\\n   (the report compares them\\n"
            "   at 1 CPU)\" at graph 1.03, graph 0.62 left font ',9'\n")


def summary_plot(d: Data, plots: PlotSet, host_cpus: Optional[int]) -> None:
    """One figure for the whole run: every workload's median speedup at the largest CPU count not
    above the host's cores, bars grouped by workload, one colour per strategy, its Amdahl prediction
    as a mark on the bar, the ceiling workload's median as a dashed line."""
    n = summary_cpus(d, host_cpus)
    if n is None:
        plots.skipped.append('no summary figure: no pair of runs above 1 CPU ' +
                             ('that the host left alone' if any(r['cpus'] > 1 for r in d.runs) else
                              'in this run (CPUS=1)'))
        return
    # a workload whose workers do not grow with the CPUs has no speedup to draw (Data.fixed_workers)
    fixed = [w for w in d.workloads if w != CEILING and d.fixed_workers(w)]
    work = [w for w in d.workloads if w != CEILING and w not in fixed]
    blocks, width = [], len(d.series) + 1
    for j, s in enumerate(d.series):
        rows = []
        for i, w in enumerate(work):
            sp = d.speedup(s, w).get(n)
            held = d.held(s, w)[0] if sp else None
            if sp:
                rows.append((i * width + j, w, sp[0], sp[1], sp[2], None if held is None else amdahl(held, n)))
        # Each strategy's own ceiling in the key: its workloads ran in its boots, beside that ceiling, and
        # one whose ceiling went above N (an artifact) has its bars inflated by the same host.
        own = d.pairs.get((s, CEILING, n))
        label = s if not own else (f'{s} (its ceiling {median(own):.2f}x' +
                                   (f', above {n}x: inflated' if median(own) > n else '') + ')')
        blocks.append((label, d.color[s], rows))
    ceil = [x for (_, w, c), xs in d.pairs.items() if w == CEILING and c == n for x in xs]
    # (judged from the pairs of the workloads drawn: a run of the ceiling alone has no bars to miss)
    none = [s for s in d.series if work and not any(d.pairs.get((s, w, n)) for w in work)]
    # PlotSet.add writes only the blocks with bars, as indexes 0, 1, ...: the crosses must count the same way,
    # or a series without bars (every N-CPU pair flagged) shifts each later series' crosses onto the next one's.
    more = [f"'data/summary.dat' index {i} using 1:6 with points pt 3 ps 1.5 lc rgb 'black' "
            f"title {qt('Amdahl (hold-time pass)') if i == 0 else 'notitle'}".replace("title notitle", "notitle")
            for i, b in enumerate(b for b in blocks if b[2])]
    if ceil:
        more.append(f"{median(ceil):.6g} with lines dt 2 lw 2 lc rgb '#888888' "
                    f"title {qt(f'ceiling, all strategies: {median(ceil):.2f}x')}")
    more.append(f"{n} with lines dt 3 lw 2 lc rgb '#555555' title {qt(f'ideal: {n}x')}")
    # A workload QEMU's own lock held back is starred: its bars do not rank the strategies (the report says why).
    bound = [w for w in work if d.qemu_bound(w, n)]
    tics = ', '.join(f'{qt(w + "*" * (w in bound))} {i * width + (len(d.series) - 1) / 2:g}'
                     for i, w in enumerate(work))
    plots.add(Plot(
        'summary', f'every workload\'s median speedup at {n} CPUs (bars: min to max over '
        'pairs of adjacent runs)' +
        # a folder made from a serial log has no hold-time pass: no crosses to announce
        (', the Amdahl prediction from the hold-time pass (crosses)'
         if any(r[5] is not None for _, _, rows in blocks for r in rows) else
         ', no Amdahl prediction (no hold-time pass in this run)') +
        (', and the ceiling workload\'s median over every strategy (dashed; each strategy\'s own in the key)'
         if ceil else
         f'; no ceiling median at {n} CPUs (the yardstick for every speedup)' +
         ('' if CEILING in d.workloads else ': WORKLOADS=ceiling,... runs it')) +
        ('; *: ' + QEMU_CAPTION if bound else '') +
        (f'; no bars for {", ".join(none)}: no {n}-CPU pair of runs the host left alone' if none else '') +
        (f'; left out: {", ".join(fixed)} (its workers do not grow with the CPUs: no speedup)' if fixed else ''),
        f'speedup at {n} CPUs, every workload', 'workload',
        f'speedup at {n} CPUs (× the 1-CPU run of its repeat)', 'x workload speedup min max amdahl', blocks,
        "'{f}' index {i} using 1:3 with boxes lc rgb '{c}' title {t}, "
        # min to max as a capped vector: yerrorbars over boxes left a white blot at each bar's top
        "'' index {i} using 1:4:(0):($5-$4) with vectors heads size screen 0.004,90 lc rgb 'black' notitle",
        'set style fill solid 0.8 border -1\nset boxwidth 0.9\nset grid noxtics\n'
        f"set xtics ({tics}) rotate by -30 font ',9' nomirror\n"
        f'set xrange [-1:{len(work) * width - 1}]\nset yrange [0:*]\n' +
        (qemu_label('* QEMU\'s own lock held these\\n   back: their bars') if bound else ''), more, data='summary'))


def cpu_axis(cpus: List[int], host_cpus: Optional[int]) -> str:
    """The x axis of a per-workload plot; beyond the host's cores vCPUs share cores, so that part is
    shaded: it marks where the measurement stops meaning much."""
    axis = f"set xtics ({', '.join(map(str, cpus))})\nset xrange [0.8:{max(cpus) + 0.2}]\n"
    if isinstance(host_cpus, int) and host_cpus < max(cpus):
        axis += (f"set object 1 rect from {host_cpus}, graph 0 to graph 1, graph 1 behind "
                 "fc rgb 'gray90' fs solid 1.0 noborder\n"
                 f"set arrow from {host_cpus}, graph 0 to {host_cpus}, graph 1 nohead dt 3 lc rgb 'gray40'\n"
                 f"set label {qt(f'host cores: {host_cpus}')} at {host_cpus}, graph 0.97 right offset -0.5,0 "
                 "tc rgb 'gray40'\n")
    return axis


@dataclass
class WorkloadPlots:
    """What every plot of one workload shares."""
    d: Data
    plots: PlotSet
    workload: str
    slug: str                           # the workload's name as a file name
    series: List[str]                   # the series that ran it
    cpus: List[int]
    axis: str

    def throughput(self) -> None:
        d, w = self.d, self.workload
        self.plots.add(Plot(
            f'throughput-{self.slug}', f'{w}: throughput vs CPUs (median over the runs not '
            'flagged host_busy, bars: min to max; hollow: flagged runs; dashed grey: the best 1-CPU '
            'throughput of any strategy × N)', f'{w}: throughput', CPU_LABEL, 'throughput (ops/s)',
            'cpus median_ops_per_sec min max runs',
            [(s, d.color[s], [(c, *v) for c, v in d.by_cpus(s, w, 'ops_per_sec').items()]) for s in self.series],
            YERR, self.axis + 'set yrange [0:*]\nset format y "%.1s%c"\n',
            linear_line(d, w, self.series, self.cpus) + busy_points(d, w, self.series, self.plots, f'busy-{self.slug}')))

    def speedup(self, notes: List[str]) -> None:
        d, w, top = self.d, self.workload, max(self.cpus)
        sp_series = [s for s in self.series if d.speedup(s, w)]
        fixed = d.fixed_workers(w)
        # no Amdahl curve where the workers do not grow with the CPUs: the ratios are not speedups
        held = {s: None if fixed else d.held(s, w)[0] for s in sp_series}
        # (and no ideal or ceiling line to read them against)
        more = [] if fixed else [f"[1:{top}] x with lines dt 2 lc rgb '#555555' title 'ideal'"] + \
            (ceiling_line(d, self.plots) if w != CEILING else [])
        more += [f"[1:{top}] 1/({h:.6g}+(1-{h:.6g})/x) with lines dt 3 lw 2 lc rgb "
                 f"'{d.color[s]}' title {qt(f'{s}: Amdahl, s={h:.2f}')}" for s, h in held.items() if h is not None]
        if not sp_series:
            notes.append(f'no speedup-{w} plot: no strategy has a 1-CPU run of it (that is not flagged host_busy '
                         'and did not fail: invariants=FAIL)')
            return
        with_amdahl = any(h is not None for h in held.values())
        bound = any(d.qemu_bound(w, c) for c in self.cpus if c > 1)
        self.plots.add(Plot(
            f'speedup-{self.slug}', f'{w}: speedup vs CPUs (median over pairs of adjacent '
            'runs of one boot, each N-CPU run over the 1-CPU run of the same repeat; bars: min to max)' +
            ('' if fixed else ' and the ideal') + (', and Amdahl\'s law from the held fraction s of the real lock at '
                               '1 CPU (amdahl = 1/(s + (1-s)/cpus))' if with_amdahl else '') +
            ('; ' + QEMU_CAPTION if bound else '') +
            (f'; not a speedup: {fixed[1]} measured worker(s) at {fixed[0]} CPUs, {fixed[2]} at 1 CPU '
             '(the ratio compares one op at two CPU counts)' if fixed else ''),
            f'{w}: speedup over 1 CPU' if not fixed else
            f'{w}: throughput over its 1-CPU run: not a speedup ({fixed[1]} measured worker(s) at {fixed[0]} CPUs, '
            f'{fixed[2]} at 1)', CPU_LABEL, 'speedup (× 1-CPU throughput)' if not fixed else '× 1-CPU throughput',
            'cpus speedup min max amdahl (held fraction s: ' + ', '.join(
                f'{s} {"NaN" if h is None else f"{h:.6g}"}' for s, h in held.items()) + ')',
            [(s, d.color[s], [(c, m, lo, hi, None if held[s] is None else amdahl(held[s], c))
                              for c, (m, lo, hi, _) in d.speedup(s, w).items()]) for s in sp_series],
            YERR, self.axis + 'set yrange [0:*]\n' + (qemu_label('QEMU\'s own lock held these\\n   speedups back: they') if bound
                                                       else ''), more))

    def lock_wait(self, notes: List[str]) -> None:
        d, w = self.d, self.workload
        if not any(run['lock_wait_pct'] is not None for s in self.series
                   for runs in d.cells[(s, w)].values() for run in runs):
            notes.append(f'no lockwait-{w} plot: lock_wait_pct is na (built without lockstat)')
            return
        blocks = [(s, d.color[s], [(c, *v) for c, v in d.by_cpus(s, w, 'lock_wait_pct').items()])
                  for s in self.series]
        self.plots.add(Plot(
            f'lockwait-{self.slug}', f'{w}: share of the workers\' time spent waiting '
            'for locks (lock_wait_pct, median over the runs not flagged host_busy, bars: min to max)',
            f'{w}: time waiting for locks', CPU_LABEL, 'lock wait (% of worker time)',
            'cpus median_pct min max runs', [b for b in blocks if b[2]], YERR, self.axis + 'set yrange [0:*]\n'))

    def fairness(self) -> None:
        d, w = self.d, self.workload
        blocks = []
        for s in self.series:
            low, high = d.by_cpus(s, w, 'thread_ops_min'), d.by_cpus(s, w, 'thread_ops_max')
            blocks.append((s, d.color[s], [(c, low[c][0], high[c][0]) for c in low]))
        self.plots.add(Plot(
            f'fairness-{self.slug}', f'{w}: ops of the slowest (solid) and the fastest '
            '(dashed) worker, median over the runs not flagged host_busy', f'{w}: per-worker ops (fairness)',
            CPU_LABEL, 'ops of one worker in the window', 'cpus thread_ops_min thread_ops_max', blocks,
            "'{f}' index {i} using 1:2 with linespoints lw 2 dt 1 pt 7 lc rgb '{c}' title {t}.' min', "
            "'' index {i} using 1:3 with linespoints lw 2 dt 2 pt 5 lc rgb '{c}' title {t}.' max'",
            self.axis + 'set yrange [0:*]\n'))


def contention_plots(d: Data, plots: PlotSet, host_cpus: Optional[int]) -> None:
    """Two bar charts of the most contended lock classes, bars grouped by strategy: contended % and
    the average wait per contention."""
    blocks, x = [], 0
    for s in d.series:
        top, rows = d.contention(s, host_cpus)
        if rows:
            rows = [r for r in rows[:TOP] if r[2]] or rows[:1]
            blocks.append((f'{s} ({top} CPUs)', d.color[s], [
                (x + i, re.sub('["#\'\\s]', '_', cls), 100 * cont / acq if acq else 0.0,
                 wait / cont / 1000 if cont else 0.0, cont, acq,
                 re.sub('["#\'\\s]', '_', cls) + (f'(n={cont})' if 0 < cont < FEW_CONTENTIONS else ''))
                for i, (cls, acq, cont, wait, _) in enumerate(rows)]))
            x += len(rows) + 1
    if not blocks:
        return
    # the count each strategy was read at is in its key: the largest with runs the host left alone
    where = (f'the largest CPU count with counted runs, not above the host\'s {host_cpus} cores (in the key)'
             if isinstance(host_cpus, int) else 'the largest CPU count with counted runs (in the key)')
    few = any(0 < r[4] < FEW_CONTENTIONS for _, _, rows in blocks for r in rows)
    for name, col, ylabel, what, how, label in (
            ('contention-pct', 3, 'contended acquisitions (%)', 'contended %', 'contentions / acquisitions', 2),
            ('contention-wait', 4, 'average wait per contention (µs)', 'average wait', 'wait_total_ns / contentions',
             7)):
        plots.add(Plot(
            name, f'most contended lock classes, {what} ({how}), at {where} for each strategy, summed over '
            'workloads' + (f'; "(n=…)": a class with fewer than {FEW_CONTENTIONS} contentions, whose average is '
                           'that many waits' if label == 7 and few else ''),
            f'lock classes: {what}, all workloads (the CPU count: in the key)', 'lock class (grouped by strategy)',
            ylabel,
            'x class contended_pct avg_wait_us contentions acquisitions label', blocks,
            f"'{{f}}' index {{i}} using 1:{col}:xtic({label}) with boxes lc rgb '{{c}}' title {{t}}",
            "set style fill solid 0.8 border -1\nset boxwidth 0.8\nset grid noxtics\n"
            f"set xtics rotate by -60 font ',8' nomirror\nset xrange [-1:{x - 1}]\nset yrange [0:*]\n",
            data='contention'))


def make_plots(d: Data, plots: PlotSet, notes: List[str], host_cpus: Optional[int] = None) -> None:
    """Writes every data file and script of the run's figures into plots."""
    for w in d.workloads:
        series = [s for s in d.series if (s, w) in d.cells]
        cpus = sorted({c for s in series for c in d.cells[(s, w)]})
        one = WorkloadPlots(d, plots, w, re.sub(r'[^A-Za-z0-9._-]', '_', w), series, cpus,
                            cpu_axis(cpus, host_cpus))
        one.throughput()
        one.speedup(notes)
        one.lock_wait(notes)
        one.fairness()
    summary_plot(d, plots, host_cpus)
    contention_plots(d, plots, host_cpus)


def _gnuplot(pdir: str, names: Sequence[str]) -> subprocess.CompletedProcess:
    return subprocess.run(['gnuplot'] + [n + '.gp' for n in names], cwd=pdir, timeout=600,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _made(pdir: str, name: str) -> bool:
    """Whether a script left its PNG, SVG and PDF, none of them empty."""
    return all(os.path.isfile(path) and os.path.getsize(path) > 0
               for path in (os.path.join(pdir, f'{name}.{ext}') for ext in ('png', 'svg', 'pdf')))


def run_gnuplot(pdir: str, plots: Dict[str, str], notes: List[str]) -> List[str]:
    """One gnuplot for all scripts (its start-up is most of the time); it stops at an error, so
    each script that left no PNG and SVG is run alone again. Returns the names that came out."""
    if plots:
        _gnuplot(pdir, list(plots))
    for name in plots:
        if not _made(pdir, name):
            err = _gnuplot(pdir, [name]).stderr
            if not _made(pdir, name):
                notes.append(f'plot {name}: gnuplot failed: ' + ' | '.join(err.strip().splitlines()[-3:]))
    return [name for name in plots if _made(pdir, name)]
