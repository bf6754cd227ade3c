"""bench-ratio: the BKL's speedup against the measured share of time spent inside the kernel (make bench-ratio).

usage: bench-ratio [--strategies bkl,fine] [--cpus 2] [--think 0,2000,8000,32000,64000,128000]
                   [--cs 2000] [--duration-ms 200] [--repeat 3] [--gic 2] [--config FILE]
                   [--results results] [--build-dir build] [--label ratio] [--image STRATEGY=PATH]

The ratio workload (bench/wl_ratio.c) makes each op a getpid that stays
--cs ns inside the kernel scope, then --think ns of computation outside.
First one short boot times the calibrated loop that think= and cs= count
in (bench_calibrate, as make bench), and every boot is given that speed.
For each think value this boots every strategy's kernel (built as make
bench builds them) with bench=ratio at 1, 2, ... --cpus CPUs, --repeat
times (the BKL's boot also runs ceiling: what the machine allowed), and
boots the BKL's kernel once more at 1 CPU with lock hold times on: the BKL's
hold time over the run's time is the share f of time inside the kernel,
measured, not assumed (hold times read the counter, which QEMU makes slow:
so at 1 CPU only, where that costs time but no scaling, as in make bench's
hold-time pass). Two models bracket the BKL's speedup at N CPUs. The kernel
as a single server: the lock can be busy at most all the time, so N workers
cannot beat min(N, 1/f) (they reach it when their calls never collide:
identical periodic workers fall into step and take turns). Amdahl's law,
1 / (f + (1 - f) / N), is what one program would get if its serial part
stopped all the others. Either way: mostly outside the kernel the BKL costs
little (Linux 2.0 was fine for compute-bound work); kernel-bound, it
serialises, and the lock's hand-overs between CPUs cost more on top.

Writes results/<date>-<time>-<label>/: the serial logs (and the host's
conditions during each run), results.csv and lockstat.csv (bench-extract;
hold/ for the 1-CPU hold-time boots), ratio.csv (one row per strategy x think
value x CPU count: the measured share inside, the median speedup of adjacent
1-CPU/N-CPU pairs with min and max, the BKL's single-server bound and
Amdahl's prediction; and the
ceiling of the BKL's boots, without a share) and ratio.png/.svg
(speedup at the largest CPU count against the share inside, with both
curves); prints a short table. Runs flagged host_busy are left out as in make
bench. Exit status 1 if a build, boot or invariant failed, 2 for bad options.
"""
import argparse
import csv
import datetime
import os
import re
import shutil
import subprocess
import sys
from statistics import median

from . import ROOT, SCRIPTS
from . import bench_calibrate as bc
from . import bench_extract as bx
from . import bench_workloads as bw
from . import lock_strategies as ls
from .make_vars import MakeVarParser

COLORS = ls.colors()  # each strategy's colour, as in make bench's report
TERM = "size 900,560 noenhanced font 'Sans,10'"


def fail(message):
    print(f'bench-ratio: {message}', file=sys.stderr)
    sys.exit(2)


def ints(text, what):
    if not re.fullmatch(r'[0-9]+(,[0-9]+)*', text):
        fail(f'{what}={text}: numbers separated by commas')
    return [int(x) for x in text.split(',')]


# The make variable behind each option make bench-ratio passes: an error names what the user typed (GIC=5),
# not the option (--gic) after a usage block.
MAKE_NAMES = {'--strategies': 'STRATEGIES', '--cpus': 'CPUS', '--think': 'THINK', '--cs': 'CS',
              '--duration-ms': 'DURATION_MS', '--repeat': 'REPEAT', '--gic': 'GIC', '--config': 'BENCH_CONFIG',
              '--label': 'LABEL'}


def parse_args(argv):
    p = MakeVarParser(description=__doc__.splitlines()[0], names=MAKE_NAMES, fail=fail)
    p.add_argument('--strategies', default='bkl,fine', help='kernels to compare; bkl is required (default bkl,fine)')
    p.add_argument('--cpus', default='2', help='the largest CPU count; the runs sweep 1, 2, 4, ... up to it (default 2)')
    p.add_argument('--think', default='0,2000,8000,32000,64000,128000', help='think= values to sweep, ns')
    p.add_argument('--cs', type=int, default=2000, help='ns each call stays inside the kernel (cs=; default 2000)')
    p.add_argument('--duration-ms', type=int, default=200)
    p.add_argument('--repeat', type=int, default=3)
    p.add_argument('--gic', type=int, choices=(2, 3), default=2)
    p.add_argument('--busy-pct', type=float, default=bx.BUSY_WAIT_PCT)
    p.add_argument('--config', metavar='FILE', help='extra CONFIG_ lines for every kernel (as make bench)')
    p.add_argument('--results', default=os.path.join(ROOT, 'results'))
    p.add_argument('--build-dir', default=os.path.join(ROOT, 'build'), metavar='DIR',
                   help='the kernels are built in DIR/bench-<strategy>, as bench-run builds them (make bench-ratio '
                        'passes $(O); default build/)')
    p.add_argument('--label', default='ratio')
    p.add_argument('--image', action='append', default=[], metavar='STRATEGY=PATH',
                   help='boot this prebuilt Image (with its locklab.elf beside it) instead of building (tests)')
    a = p.parse_args(argv)
    a.strategy_list = a.strategies.split(',')
    known = ls.strategies()
    bad = [s for s in a.strategy_list if s not in known]
    if bad or 'bkl' not in a.strategy_list:
        fail(f'STRATEGIES={a.strategies}: {", ".join(known)}, with bkl among them (the share inside the kernel is '
             'measured from the BKL\'s hold time)')
    a.cpus = ints(a.cpus, 'CPUS')[0] if a.cpus.isdigit() else fail(f'CPUS={a.cpus}: one number, the largest count')
    a.thinks = ints(a.think, 'THINK')
    wrong = [f'{name}={value} ({want})' for name, value, ok, want in (
        ('CPUS', a.cpus, 2 <= a.cpus <= 8, 'from 2 to 8'), ('REPEAT', a.repeat, 1 <= a.repeat <= 100, '1 to 100'),
        ('DURATION_MS', a.duration_ms, 10 <= a.duration_ms <= 60000, '10 to 60000'),
        ('CS', a.cs, 0 <= a.cs <= 1000000, '0 to 1000000 ns'),
        ('THINK', a.think, max(a.thinks) <= 10000000, 'each 0 to 10000000 ns'),
        ('LABEL', a.label, re.fullmatch(r'[\w.-]+', a.label), 'letters, digits, . _ -')) if not ok]
    if wrong:
        fail('; '.join(wrong))
    a.cpu_list = sorted({c for c in (1, 2, 4, 8) if c <= a.cpus} | {a.cpus})
    a.images = dict(i.split('=', 1) for i in a.image if '=' in i)
    return a


def build(a):
    """{strategy: Image}, built by bench-run as make bench builds them, or given (--image)."""
    todo = [s for s in a.strategy_list if s not in a.images]
    images = {s: os.path.abspath(p) for s, p in a.images.items()}
    if todo:
        cmd = [sys.executable, os.path.join(SCRIPTS, 'bench-run'), '--build-only', '--strategies', ','.join(todo),
               '--build-dir', a.build_dir]
        r = subprocess.run(cmd + (['--config', a.config] if a.config else []), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if r.returncode == 2:  # bench-run refused the request before building: its one line says why
            fail(r.stderr.strip().splitlines()[-1].replace('bench-run: ', '') if r.stderr.strip() else
                 f'bench-run --build-only exit {r.returncode}')
        sys.stderr.write(r.stderr)
        images.update(l.split('=', 1) for l in r.stdout.splitlines() if '=' in l)
    return images


def boot(a, image, out, name, bootargs, cpus, nruns):
    """One QEMU boot; its serial log out/name.log (and name.host). Returns an error line or None."""
    log = os.path.join(out, name + '.log')
    timeout = int((nruns * (a.duration_ms * 1.1 / 1000 + 0.3) + 5) * 3 + 60)
    r = subprocess.run([sys.executable, os.path.join(SCRIPTS, 'qemu-run'), '--quiet', '--no-ktap', '--image', image,
                        '--cpus', str(cpus), '--gic', str(a.gic), '--timeout', str(timeout), '--bootargs', bootargs,
                        '--log', log, '--host-log', os.path.join(out, name + '.host')],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return None if r.returncode == 0 else f'{name}: boot failed (qemu-run exit {r.returncode}; see {log})'


def read_csv(path):
    try:
        with open(path, newline='') as f:
            return list(csv.DictReader(f))
    except OSError:
        return []


def measure(a, out):
    """(the rows of ratio.csv, {think_ns: measured % inside the kernel}), from the run folder's CSVs. A cell
    whose runs were all flagged host_busy has a row without a speedup."""
    runs = read_csv(os.path.join(out, 'results.csv'))
    held = {(r['log'], r['repeat']): r for r in read_csv(os.path.join(out, 'hold', 'results.csv'))}
    shares = {}   # think_ns -> [(share of the 1-CPU run holding the BKL, whether the run was flagged host_busy)]
    for s in read_csv(os.path.join(out, 'hold', 'lockstat.csv')):
        r = held.get((s['log'], s['repeat']))
        if s['class'] == 'bkl' and r and r['workload'] == 'ratio' and int(r['ns']) and not bx.is_failed(r):
            shares.setdefault(int(r['think_ns']), []).append((int(s['hold_total_ns']) / int(r['ns']), bx.is_busy(r)))
    # As make bench's report: a run the host disturbed (its holder's vCPU descheduled holds the BKL longer) is
    # left out, unless every run of that think value was.
    inside = {t: [f for f, busy in v if not busy] or [f for f, _ in v] for t, v in shares.items()}
    pairs = bx.pair_speedups(runs, key=lambda r: (r['strategy'], int(r['think_ns'])))
    rank = {s: i for i, s in enumerate(a.strategy_list)}
    cells = sorted({(r['strategy'], int(r['think_ns']), r['workload'], int(r['cpus'])) for r in runs},
                   key=lambda k: (rank.get(k[0], len(rank)), k[1], k[2] != 'ratio', k[3]))
    rows = []
    for strategy, think, w, cpus in cells:
        xs = pairs.get(((strategy, think), w, cpus), [])
        # ceiling makes no call: it only shows what the machine allowed in that boot
        f = median(inside[think]) if inside.get(think) and w == 'ratio' else None
        same = [r for r in runs if r['strategy'] == strategy and int(r['think_ns']) == think and r['workload'] == w]
        one = [int(r['ops_per_sec']) for r in same if r['cpus'] == '1' and not bx.left_out(r)]
        rows.append({'strategy': strategy, 'workload': w, 'think_ns': think, 'cs_ns': a.cs,
                     'inside_pct': '' if f is None else f'{100 * f:.2f}', 'cpus': cpus,
                     'speedup_median': f'{median(xs):.3f}' if xs else '',
                     'speedup_min': f'{min(xs):.3f}' if xs else '', 'speedup_max': f'{max(xs):.3f}' if xs else '',
                     'pairs': len(xs),
                     # With the BKL as the serial part: for the BKL only (the other strategies lock nothing here).
                     'lock_bound': '' if f is None or strategy != 'bkl' else f'{min(cpus, 1 / f):.3f}',
                     'amdahl': '' if f is None or strategy != 'bkl' else f'{1 / (f + (1 - f) / cpus):.3f}',
                     'ops_per_sec_1cpu': int(median(one)) if one else '',
                     'host_busy_runs': sum(bx.is_busy(r) for r in same if int(r['cpus']) == cpus)})
    return rows, {t: 100 * median(v) for t, v in inside.items()}


def plot(a, out, rows):
    """ratio.png and ratio.svg: speedup at the largest CPU count against the share inside the kernel; or,
    with no ratio speedup at that count (every pair failed or flagged host_busy), no plot and the reason.
    (The 1-CPU rows' speedup of 1 once let a plot of the model curves alone through, with nothing to say
    that no measurement was on it.)"""
    n = a.cpu_list[-1]
    if not any(r['workload'] == 'ratio' and r['cpus'] == n and r['speedup_median'] for r in rows):
        return (f'no speedup at {n} CPUs could be computed (every run failed, or was flagged host_busy): '
                'no ratio.png')
    dat = os.path.join(out, 'ratio.dat')
    series = [s for s in a.strategy_list if any(r['strategy'] == s and r['workload'] == 'ratio' for r in rows)]
    with open(dat, 'w') as f:
        f.write(f'# speedup of ratio at {n} CPUs; blocks: {", ".join(series)}, ceiling\n'
                '# columns: inside_pct speedup_median speedup_min speedup_max think_ns\n')
        # The ceiling of each bkl boot is drawn at the share inside that boot's ratio runs had.
        at = {r['think_ns']: r['inside_pct'] for r in rows if r['strategy'] == 'bkl' and r['workload'] == 'ratio'
              and r['cpus'] == n}
        for s, w in [(s, 'ratio') for s in series] + [('bkl', 'ceiling')]:
            for r in rows:
                if r['strategy'] == s and r['workload'] == w and r['cpus'] == n and at.get(r['think_ns']) \
                        and r['speedup_median']:
                    f.write(f"{at[r['think_ns']]} {r['speedup_median']} {r['speedup_min']} {r['speedup_max']} "
                            f"{r['think_ns']}\n")
            f.write('\n\n')
    curves = [f"'ratio.dat' index {i} using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '{COLORS[s]}' "
              f"title '{s}: measured'" for i, s in enumerate(series)]
    curves.append(f"'ratio.dat' index {len(series)} using 1:2 with linespoints dt 3 lw 2 pt 2 lc rgb '#888888' "
                  "title 'ceiling (pure compute) in the bkl boots'")
    curves.append(f"(100.0/x < {n} ? 100.0/x : {n}) with lines lw 2 dt 1 lc rgb '#ff9896' "
                  "title 'BKL bound, the kernel a single server: min(N, 1/f)'")
    curves.append(f"1/(x/100.0 + (1 - x/100.0)/{n}) with lines lw 2 dt 2 lc rgb '#d62728' "
                  "title 'Amdahl for the BKL: 1/(f + (1-f)/N)'")
    curves.append(f"{n} with lines lw 1 dt 4 lc rgb '#000000' title 'ideal ({n}x)'")
    gp = os.path.join(out, 'ratio.gp')
    with open(gp, 'w') as f:
        f.write(f"reset\nset encoding utf8\nset terminal pngcairo {TERM}\nset output 'ratio.png'\n"
                f"set title 'ratio: speedup at {n} CPUs against the share of time inside the kernel "
                f"(cs={a.cs} ns, think swept)'\n"
                "set xlabel 'time inside the kernel at 1 CPU, % (the BKL held, measured)'\n"
                f"set ylabel 'speedup at {n} CPUs over 1 CPU'\nset logscale x\nset xrange [0.5:100]\n"
                f"set yrange [0:{n + 0.5}]\nset grid\nset key bottom left\nset samples 400\n"
                f"plot {', '.join(curves)}\nset terminal svg {TERM}\nset output 'ratio.svg'\nreplot\nunset output\n")
    r = subprocess.run(['gnuplot', 'ratio.gp'], cwd=out, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return None if r.returncode == 0 else 'gnuplot: ' + ' | '.join(r.stdout.strip().splitlines()[-3:])


def table(a, rows, inside):
    """The printed summary: per think value the share inside and each strategy's speedup at the largest count."""
    n = a.cpu_list[-1]
    cell = {(r['strategy'], r['workload'], r['think_ns']): r for r in rows if r['cpus'] == n}

    def speedup(key):
        r = cell.get(key)
        if r and r['speedup_median'] and float(r['speedup_median']) > n:
            above.append(f"{key[0]} {key[1]} at think={key[2]}")
            return f"{r['speedup_median']}x!"
        return '-' if not r else f"{r['speedup_median']}x" if r['speedup_median'] else 'busy'
    above = []
    heads = ['think_ns', 'inside %'] + [f'{s} at {n}' for s in a.strategy_list] + ['min(N, 1/f)', 'Amdahl', 'ceiling']
    lines = ['  ' + ''.join(f'{h:>13}' for h in heads)]
    for t in a.thinks:
        f = inside.get(t)
        vals = [str(t), f'{f:.2f}' if f is not None else '-']
        vals += [speedup((s, 'ratio', t)) for s in a.strategy_list]
        vals += [f'{min(n, 100 / f):.3f}x' if f else '-', f'{1 / (f / 100 + (1 - f / 100) / n):.3f}x' if f else '-',
                 speedup(('bkl', 'ceiling', t))]
        lines.append('  ' + ''.join(f'{v:>13}' for v in vals))
    if above:
        lines.append(f'  !: above {n}x, which {n} CPUs cannot do: an artifact of this run (a 1-CPU run the host '
                     f'slowed), not a result ({", ".join(above)})')
    return lines


def main(argv):
    a = parse_args(argv)
    if not shutil.which('qemu-system-aarch64') or not shutil.which('gnuplot'):
        print('bench-ratio: qemu-system-aarch64 or gnuplot not found: run scripts/deps.sh', file=sys.stderr)
        return 2
    images = build(a)
    failures = [f'{s}: build failed (see {os.path.relpath(os.path.join(a.build_dir, f"bench-{s}"))}/)'
                for s in a.strategy_list if s not in images]
    for s, image in images.items():
        try:
            if 'ratio' not in [w for w, _ in bw.read_workloads(image)]:
                failures.append(f'{s}: its kernel has no ratio workload')
        except bw.ElfError as err:
            failures.append(f'{s}: {err}')
    if failures:
        print('\n'.join(f'  FAILED   {f}' for f in failures))
        return 1
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    out = base = os.path.join(a.results, f'{stamp}-{a.label}')
    k = 1
    while os.path.exists(out):
        k += 1
        out = f'{base}-{k}'
    os.makedirs(os.path.join(out, 'hold'))
    counts = ','.join(map(str, a.cpu_list))
    common = f'ktest=none duration_ms={a.duration_ms} cs={a.cs}'
    # One loop speed for every boot, as make bench: think= and cs= are loop iterations, and a boot that timed its
    # own loop in a slow stretch (seen: 511 k against 812-837 k iterations/ms) does more work per op than the BKL
    # boot whose share inside was measured, and gives speedups no CPU count allows (docs/measuring.md).
    print('  CALIB    bkl: one short boot times the calibrated loop for every boot', flush=True)
    speed, said = bc.calibrate(argparse.Namespace(serial=None, cpus=a.cpus, gic=a.gic, accel='multi'),
                               images['bkl'], out)
    if speed:
        common += f' spin_iters_per_ms={speed}'
        print(f'  CALIB    {speed} iterations/ms in every boot: {said}', flush=True)
    else:
        print(f'  NOTE     {said}: each boot calibrates its own loop', flush=True)
    for i, t in enumerate(a.thinks, 1):
        print(f'  RATIO    think={t} ns ({i}/{len(a.thinks)}): {", ".join(a.strategy_list)} at CPUs {counts}, '
              'and the BKL at 1 CPU with hold times', flush=True)
        for s in a.strategy_list:
            wl = 'ratio,ceiling' if s == 'bkl' else 'ratio'
            err = boot(a, images[s], out, f'{s}-think{t}', f'{common} think={t} bench={wl} cpus={counts} '
                       f'repeat={a.repeat}', a.cpus, len(wl.split(',')) * len(a.cpu_list) * a.repeat)
            failures += [err] if err else []
        err = boot(a, images['bkl'], os.path.join(out, 'hold'), f'bkl-think{t}',
                   f'{common} think={t} bench=ratio cpus=1 repeat={a.repeat} lockstat_hold=1', 1, a.repeat)
        failures += [err] if err else []
    for where in (out, os.path.join(out, 'hold')):
        logs = sorted(os.path.join(where, f) for f in os.listdir(where) if f.endswith('.log'))
        r = subprocess.run([sys.executable, os.path.join(SCRIPTS, 'bench-extract'), '--out', where, '--busy-pct',
                            str(a.busy_pct)] + logs, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        with open(os.path.join(where, 'extract.log'), 'w') as f:
            f.write(r.stdout)
        if r.returncode != 0:
            failures.append(f'bench-extract {os.path.relpath(where)}: ' + ' | '.join(r.stdout.strip().splitlines()[-3:]))
    rows, inside = measure(a, out)
    cols = ['strategy', 'workload', 'think_ns', 'cs_ns', 'inside_pct', 'cpus', 'speedup_median', 'speedup_min',
            'speedup_max', 'pairs', 'lock_bound', 'amdahl', 'ops_per_sec_1cpu', 'host_busy_runs']
    with open(os.path.join(out, 'ratio.csv'), 'w', newline='') as f:
        wr = csv.DictWriter(f, fieldnames=cols)
        wr.writeheader()
        wr.writerows(rows)
    err = plot(a, out, rows)
    failures += [err] if err else []
    print('\n'.join(table(a, rows, inside)))
    runs = read_csv(os.path.join(out, 'results.csv'))
    busy = sum(bx.is_busy(r) for r in runs)
    if busy:
        print(f'  NOTE     {busy} of {len(runs)} runs were flagged host_busy ({bx.busy_why(runs, a.busy_pct)}) '
              'and left out: busy = no quiet pair of runs')
    print(f'  DONE     {os.path.relpath(out)}: ' +
          ', '.join(f for f in ('ratio.csv', 'ratio.png', 'ratio.svg') if os.path.isfile(os.path.join(out, f))))
    for f in failures:
        print(f'  FAILED   {f}')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
