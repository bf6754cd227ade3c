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
Speedup is the median, over pairs of adjacent runs (bench-extract's pair_speedups), of an N-CPU run's
throughput over the 1-CPU run of the same boot and repeat; runs flagged host_busy or with
invariants=FAIL count in no number. The Amdahl curve
S(n) = 1/(s + (1-s)/n) takes s = hold_total_ns of the strategy's real lock (as its kernel's bench-meta
names them, scope= and classes=: the busiest of the classes listed (bkl; the subsystem locks), or under
scope=data the most-held class the CPUs shared) / the 1-CPU run's ns, averaged over repeats (from the
hold-time pass, RUN/hold/, when there is one).

Exit status: 0 report and every plot written; 1 report written but data missing (a strategy,
workload or CPU count with no rows, no lockstat rows, a plot gnuplot could not make); 2 usage
errors (no RUN, no RUN/results.csv) or gnuplot not installed (the report is written without images).
Runs with invariants=FAIL are listed first in the report but do not change the exit status. Each
report first removes the *.png, *.svg, *.gp of plots/ and plots/data/*.dat (an earlier report's).

The work is split: report_data (the CSVs and meta.json), report_plots (gnuplot), report_readings
(the generated text), report_render (Markdown and HTML); this module only runs them in order.
"""
import csv
import glob
import os
import shutil
import sys
from typing import List

from . import bench_trace as bt
from . import report_data
from .report_plots import PlotSet, make_plots, run_gnuplot
from .report_render import write_report

USAGE = 'usage: bench-report RUN   (a run folder: results.csv, lockstat.csv, meta.json)'
# What an earlier report of a folder left in its plots/: removed before each report.
OLD_OUTPUTS = ('*.png', '*.svg', '*.pdf', '*.gp', 'data/*.dat', 'data/*.csv')


def check_usage(argv: List[str]) -> str:
    """The run folder's path, or '' after saying on stderr what is wrong."""
    if len(argv) != 1 or argv[0].startswith('-'):
        print(USAGE, file=sys.stderr)
        return ''
    run = argv[0]
    if not os.path.isdir(run):
        print(f'bench-report: {run}: no such run folder', file=sys.stderr)
        return ''
    if not os.path.isfile(os.path.join(run, 'results.csv')):
        print(f'bench-report: {os.path.join(run, "results.csv")}: no such file (scripts/bench-extract '
              'writes it)', file=sys.stderr)
        return ''
    return run


def clean_plots(pdir: str) -> None:
    os.makedirs(os.path.join(pdir, 'data'), exist_ok=True)
    for pattern in OLD_OUTPUTS:
        for old in glob.glob(os.path.join(pdir, pattern)):
            os.remove(old)


def main(argv: List[str]) -> int:
    run = check_usage(argv)
    if not run:
        return 2
    try:
        folder = report_data.load(run)
    except (OSError, ValueError, csv.Error) as err:
        print(f'bench-report: {err}', file=sys.stderr)
        return 2
    pdir = os.path.join(run, 'plots')
    clean_plots(pdir)
    plots = PlotSet(pdir)
    make_plots(folder.data, plots, folder.notes, folder.meta.get('host_cpus'))
    captions = plots.captions
    # boots with trace= (scripts/bench-trace)
    captions.update(bt.timelines(run, pdir, folder.notes, folder.data.busy_pct))
    folder.notes += plots.skipped
    gnuplot_ok = shutil.which('gnuplot') is not None
    made = run_gnuplot(pdir, captions, folder.missing) if gnuplot_ok else []
    write_report(folder, captions, made, gnuplot_ok)
    for item in folder.missing:
        print(f'bench-report: missing: {item}', file=sys.stderr)
    print(f'bench-report: {len(made)} of {len(captions)} plots written to {pdir} (PNG, SVG, PDF)')
    print(f'bench-report: report: {os.path.join(run, "report.md")} and report.html')
    if not gnuplot_ok:
        print('bench-report: gnuplot not found: apt-get install gnuplot-nox (or run scripts/deps.sh)',
              file=sys.stderr)
        return 2
    return 1 if folder.missing else 0
