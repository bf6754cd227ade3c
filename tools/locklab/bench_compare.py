"""Compare two benchmark run folders: overlaid plots and a short report of what changed beyond the noise.

usage: bench-compare A B [--out DIR]

A and B are run folders of make bench (each with summary.csv, from scripts/bench-extract): a
baseline and a change, or two labels. For every strategy x workload x CPU count in both, it
compares the median throughput over the runs not flagged host_busy, and calls a change real only
when the two ranges (min to max over the runs) do not overlap: on a shared machine a difference
inside the runs' own spread is noise; a cell with one run on either side has no spread to judge by,
and is never called a change. Writes DIR (default results/<date>-<time>-compare/, or
--out): compare.md and compare.html, compare.csv (every cell), and plots/compare-<workload>.png,
.svg, .pdf (A solid, B dashed, one colour per strategy, bars min to max). Exit status 0, or 2 for
a folder without summary.csv, A and B the same folder, or two folders with no cell in common (or none
with a run left in both: all flagged host_busy or failed).
"""
import argparse
import csv
import datetime
import os
import shutil
import sys

sys.dont_write_bytecode = True
from .report_data import COLORS, MORE_COLORS, ORDER
from .report_plots import CPU_LABEL, gnuplot_script, qt, run_gnuplot
from .report_render import render, write_html

KEY = ('strategy', 'lock_alg', 'atomics', 'spin_wait', 'lock_wait', 'workload', 'cpus')


def load(run, measured=True):
    """{key: summary row} of a run folder's summary.csv (rows with a median only, unless measured=False)."""
    with open(os.path.join(run, 'summary.csv'), newline='') as f:
        return {tuple(r[k] for k in KEY): r for r in csv.DictReader(f) if r.get('ops_per_sec_median') or not measured}


def series(key):
    """A strategy, with its lock settings when they are not make bench's defaults."""
    return key[0] if key[1:5] == ('ticket', 'lse', 'busy', 'spin') else '-'.join(key[:5])


def compare(a, b):
    """Rows of compare.csv: every key in both runs, with the change and whether it is beyond the noise."""
    rows = []
    rank = {s: i for i, s in enumerate(ORDER)}
    for k in sorted(set(a) & set(b), key=lambda k: (k[5], rank.get(k[0], len(rank)), series(k), int(k[6]))):
        ra, rb = a[k], b[k]
        ma, mb = float(ra['ops_per_sec_median']), float(rb['ops_per_sec_median'])
        apart = int(rb['ops_per_sec_min']) > int(ra['ops_per_sec_max']) or \
            int(rb['ops_per_sec_max']) < int(ra['ops_per_sec_min'])
        single = min(int(ra['n'] or 0), int(rb['n'] or 0)) < 2  # one run: its range is a point, not a spread
        rows.append({'series': series(k), 'workload': k[5], 'cpus': int(k[6]), 'a_median': ma, 'b_median': mb,
                     'a_range': f"{ra['ops_per_sec_min']}-{ra['ops_per_sec_max']}",
                     'b_range': f"{rb['ops_per_sec_min']}-{rb['ops_per_sec_max']}",
                     'change_pct': 100 * (mb / ma - 1) if ma else 0.0, 'beyond_noise': int(apart and not single),
                     'single_run': int(single),
                     'a_speedup': ra['speedup_median'], 'b_speedup': rb['speedup_median'],
                     'a_n': ra['n'], 'b_n': rb['n']})
    return rows


def plot(rows, pdir, name_a, name_b):
    """plots/compare-<workload>.gp and its data: A solid, B dashed (and a little to the right)."""
    plots = {}
    for w in dict.fromkeys(r['workload'] for r in rows):
        mine = [r for r in rows if r['workload'] == w]
        ser = list(dict.fromkeys(r['series'] for r in mine))
        sw = w.replace('/', '_')
        elems, idx = [], 0
        with open(os.path.join(pdir, 'data', f'compare-{sw}.dat'), 'w') as f:
            f.write(f'# {w}: A = {name_a}, B = {name_b}\n# columns: cpus median min max\n')
            for j, s in enumerate(ser):
                color = COLORS.get(s, MORE_COLORS[j % len(MORE_COLORS)])
                for side, dt, dx in (('a', 1, 0.0), ('b', 2, 0.05)):
                    f.write(('\n\n' if idx else '') + f'# index {idx}: {s} {side.upper()}\n')
                    for r in (r for r in mine if r['series'] == s):
                        lo, hi = r[f'{side}_range'].split('-')
                        f.write(f"{r['cpus'] + dx:g} {r[f'{side}_median']:.6g} {lo} {hi}\n")
                    elems.append(f"'data/compare-{sw}.dat' index {idx} using 1:2:3:4 with yerrorlines lw 2 dt {dt} "
                                 f"pt 7 lc rgb '{color}' title {qt(f'{s} {side.upper()}')}")
                    idx += 1
        cpus = sorted({r['cpus'] for r in mine})
        name = f'compare-{sw}'
        with open(os.path.join(pdir, name + '.gp'), 'w') as f:
            f.write(gnuplot_script(name, f"set title {qt(f'{w}: A ({name_a}) solid, B ({name_b}) dashed')}\n"
                                   f"set xlabel {qt(CPU_LABEL)}\nset ylabel 'throughput (ops/s)'\nset grid\n"
                                   f"set key outside right top\nset xtics ({', '.join(map(str, cpus))})\n"
                                   f"set xrange [0.8:{max(cpus) + 0.3}]\nset yrange [0:*]\nset format y '%.1s%c'\n"
                                   "plot " + ', \\\n     '.join(elems)))
        plots[name] = (f'{w}: throughput in A ({name_a}, solid) and B ({name_b}, dashed), median over the '
                       'runs not flagged host_busy, bars: min to max')
    return plots


def main(argv):
    ap = argparse.ArgumentParser(prog='bench-compare', description=__doc__.splitlines()[0])
    ap.add_argument('a', metavar='A', help='the baseline run folder')
    ap.add_argument('b', metavar='B', help='the run folder to compare with it')
    ap.add_argument('--out', help='where to write (default: results/<date>-<time>-compare)')
    args = ap.parse_args(argv)
    for run in (args.a, args.b):
        if not os.path.isfile(os.path.join(run, 'summary.csv')):
            print(f'bench-compare: {run}: not a run folder with summary.csv (make bench writes one; '
                  'make plots RUN=<folder> remakes it)', file=sys.stderr)
            return 2
    if os.path.realpath(args.a) == os.path.realpath(args.b):
        # A folder against itself changes nothing: "0 of N cells changed" would read as a result.
        print(f'bench-compare: A={args.a} and B={args.b} are the same run folder: give two different runs '
              '(e.g. A=results/<baseline> B=results/latest)', file=sys.stderr)
        return 2
    a, b = load(args.a), load(args.b)
    every_a, every_b = load(args.a, measured=False), load(args.b, measured=False)
    common = set(every_a) & set(every_b)
    rows = compare(a, b)
    if not rows:
        if common:
            # The cells are there, but without a median in both: every run of them was left out on one side.
            print(f'bench-compare: {args.a} and {args.b} have {len(common)} cells (strategy x workload x CPU '
                  'count) in common, but none with a run left in both: in A or in B every run of each was flagged '
                  'host_busy or failed (summary.csv n=0); nothing to compare: run again on a quieter machine',
                  file=sys.stderr)
        else:
            print(f'bench-compare: {args.a} and {args.b} have no cell (strategy x workload x CPU count) in common: '
                  'nothing to compare', file=sys.stderr)
        return 2
    name_a, name_b = (os.path.basename(os.path.realpath(r)) for r in (args.a, args.b))
    out = args.out or os.path.join(os.path.dirname(os.path.realpath(args.a)),
                                   datetime.datetime.now().strftime('%Y%m%d-%H%M%S') + '-compare')
    pdir = os.path.join(out, 'plots')
    os.makedirs(os.path.join(pdir, 'data'), exist_ok=True)
    with open(os.path.join(out, 'compare.csv'), 'w', newline='') as f:
        w = csv.DictWriter(f, list(rows[0]) if rows else ['series'], lineterminator='\n')
        w.writeheader()
        w.writerows(rows)
    plots = plot(rows, pdir, name_a, name_b) if rows else {}
    made = run_gnuplot(pdir, plots, []) if plots and shutil.which('gnuplot') else []
    real = [r for r in rows if r['beyond_noise']]
    lines = [f"{r['series']} {r['workload']} at {r['cpus']} CPU{'s' * (r['cpus'] > 1)}: "
             f"{r['a_median']:,.0f} -> {r['b_median']:,.0f} ops/s ({r['change_pct']:+.0f} %; ranges "
             f"{r['a_range']} and {r['b_range']} do not overlap)" for r in real]
    only = sorted({series(k) + ' ' + k[5] for k in set(every_a) ^ set(every_b)})
    # In both folders, but every run of it left out on one side: not "in only one of the runs".
    unmeasured = sorted((k for k in common - (set(a) & set(b))),
                        key=lambda k: (k[5], series(k), int(k[6])))
    unmeasured = [f"{series(k)} {k[5]} at {k[6]} CPU{'s' * (int(k[6]) > 1)} "
                  f"(no run left in {' and '.join(x for x, d in (('A', a), ('B', b)) if k not in d)})"
                  for k in unmeasured]
    single = sum(r['single_run'] for r in rows)
    blocks = [('h', 1, f'Comparison: A = {name_a}, B = {name_b}'),
              ('p', f'{len(rows)} cells (strategy x workload x CPU count) in both runs; {len(real)} changed '
                    'beyond the noise (the two runs\' min-max ranges do not overlap). The rest differ by less '
                    'than the runs vary among themselves.' +
                    (f' {single} of them have a single run in A or B, counting only the runs the host left alone '
                     '(host_busy ones are left out): a range of one run says nothing about the noise, so none of '
                     'those is called a change (more runs: REPEAT= or BOOTS=, on a quieter host).' if single else '')),
              ('h', 2, 'Changed beyond the noise'), ('ul', lines or ['Nothing.'])]
    blocks += [('h', 2, 'In only one of the runs'), ('ul', only)] if only else []
    blocks += [('h', 2, 'Not compared: every run flagged host_busy or failed on one side'),
               ('ul', unmeasured)] if unmeasured else []
    blocks += [('h', 2, 'Every cell'), ('table', ['strategy', 'workload', 'CPUs', 'A median', 'B median',
                                                  'change', 'A range', 'B range', 'beyond noise'],
                                        [[r['series'], r['workload'], r['cpus'], f"{r['a_median']:,.0f}",
                                          f"{r['b_median']:,.0f}", f"{r['change_pct']:+.1f} %", r['a_range'],
                                          r['b_range'], 'yes' if r['beyond_noise'] else ''] for r in rows])]
    blocks += [('h', 2, 'Plots')] + [('img', n, c) for n, c in plots.items() if n in made]
    md, body = render(blocks)
    with open(os.path.join(out, 'compare.md'), 'w') as f:
        f.write(md)
    write_html(os.path.join(out, 'compare.html'), f'{name_a} vs {name_b}', body)
    print(f'bench-compare: {len(real)} of {len(rows)} cells changed beyond the noise' +
          (f' ({single} with a single run not flagged host_busy, not judged)' if single else '') +
          (f'; {len(unmeasured)} more in both not compared (every run flagged host_busy or failed on one side)'
           if unmeasured else '') + '; '
          f'{os.path.join(out, "compare.md")}, compare.html, {len(made)} plots')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
