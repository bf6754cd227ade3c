"""bench-wait: spin, block and adaptive strategy locks on the lock workload, the hold swept across a context switch (make bench-wait).

usage: bench-wait [--strategy fine] [--cpus 2] [--cs 1000,4000,16000,64000,256000] [--think-ratio 0.5]
                  [--tasks 1] [--no-filler] [--repeat 3] [--boots 2] [--duration-ms 100] [--retries 2]
                  [--label wait] [--results results] [--build-dir build/bench-wait] [--image MODE=PATH]

Builds <strategy>-ticket-lse-busy-<spin|block|adaptive> (scripts/build-variant.sh, with
configs/bench.config) in --build-dir, then:
  1. three calibration boots of the block kernel measure the context-switch cost (bench-ctxsw:,
     boot option ctxsw=) and the speed of the calibrated loop (bench-meta spin_iters_per_ms); the
     fastest of the three is kept (a boot the host slowed down only looks slower);
  2. for each boot round and critical section cs, boots each kernel (their order rotated) with
     bench=lock cpus=CPUS cs=cs think=cs*RATIO lock_think_random lock_tasks=TASKS lock_filler and
     that one loop speed, so an op does the same work in every boot; a boot whose every run the
     host disturbed (host_busy) is booted again, up to --retries times.
The measure is useful work: the CPU time the ops' critical sections and think time and the filler's
chunks stand for, over the CPUs' time (docs/experiments.md says why a filler). Writes
RESULTS/<date>-<time>-<label>/: the serial logs and host samples, results.csv (bench-extract's
columns + filler_ns), lockstat.csv, wait.csv (one row per way of waiting x cs), wait.png, wait.svg
(wait.gp, wait.dat) and summary.txt, also printed. results/latest is left alone (make plots reads
make bench folders). Exit status 1 if a build, boot or run failed (whatever completed is kept), 2
for a bad request.
"""
import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import time
from statistics import median

sys.dont_write_bytecode = True
from . import ROOT, SCRIPTS
from . import bench_extract as bx

from . import lock_strategies as ls
from .make_vars import MakeVarParser
from .textfile import read_text, write_text

MODES = ['spin', 'block', 'adaptive']
STRATEGIES = ls.strategies()  # lock-strategies/Kconfig's choice
COLORS = {'spin': '#d62728', 'block': '#1f77b4', 'adaptive': '#2ca02c'}
CTXSW_RE = re.compile(r'^bench-ctxsw: (.*)$', re.M)
WAIT_COLUMNS = ['mode', 'cs_ns', 'think_ns', 'tasks_per_cpu', 'filler', 'cpus', 'runs', 'host_busy_runs', 'clean',
                'ops_per_sec_median', 'ops_per_sec_min', 'ops_per_sec_max', 'filler_pct', 'work_pct', 'vs_spin',
                'lock_wait_pct_median', 'ctxsw_ns']


def fail(message):
    print(f'bench-wait: {message}', file=sys.stderr)
    sys.exit(2)


# The make variable behind each option make bench-wait passes: an error names what the user typed
# (WAIT_CS=4000), not the option (--cs 4000) nor a usage block, as make bench's do.
MAKE_NAMES = {'--strategy': 'STRATEGY', '--cpus': 'CPUS', '--cs': 'WAIT_CS', '--think-ratio': 'WAIT_THINK',
              '--repeat': 'REPEAT', '--boots': 'BOOTS', '--duration-ms': 'DURATION_MS', '--label': 'LABEL',
              '--jobs': '-j'}


def parse_args(argv):
    p = MakeVarParser(description=__doc__.splitlines()[0], names=MAKE_NAMES, fail=fail)
    p.add_argument('--strategy', default='fine', help='bkl, subsys or fine (default fine)')
    p.add_argument('--cpus', default='2', help='vCPUs, all of them running workers (default 2)')
    p.add_argument('--tasks', type=int, default=1, help='lock workers per CPU (default 1)')
    p.add_argument('--cs', default='1000,4000,16000,64000,256000',
                   help='critical sections to sweep, ns, comma-separated')
    p.add_argument('--think-ratio', type=float, default=0.5,
                   help='mean think time outside the lock, as a multiple of cs (default 0.5)')
    p.add_argument('--no-filler', dest='filler', action='store_false',
                   help='no filler process per CPU (lock-free work that runs while a waiter sleeps)')
    p.add_argument('--repeat', type=int, default=3, help='runs per boot (default 3)')
    p.add_argument('--boots', type=int, default=2, help='boots per kernel and cs (default 2)')
    p.add_argument('--duration-ms', type=int, default=100)
    p.add_argument('--ctxsw-handoffs', type=int, default=4000)
    p.add_argument('--retries', type=int, default=2,
                   help='boot a kernel again (at most this many times) when the host disturbed every run of a boot '
                        '(host_busy); every boot is kept (default 2)')
    p.add_argument('--busy-pct', type=float, default=bx.BUSY_WAIT_PCT,
                   help='flag a run host_busy when a vCPU waited longer than this %% of it for a host core')
    p.add_argument('--label', default='wait')
    p.add_argument('--results', default=os.path.join(ROOT, 'results'))
    p.add_argument('--build-dir', default=os.path.join(ROOT, 'build', 'bench-wait'),
                   help='where the three kernels are built (make bench-wait: $(O)/bench-wait)')
    p.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    p.add_argument('--image', action='append', default=[], metavar='MODE=PATH',
                   help='boot this prebuilt Image for MODE instead of building it (tests)')
    a = p.parse_args(argv)
    if a.strategy not in STRATEGIES:
        fail(f'STRATEGY={a.strategy}: one of {", ".join(STRATEGIES)}')
    if not re.fullmatch(r'[1-8]', a.cpus):
        fail(f'CPUS={a.cpus}: a number of CPUs from 1 to 8')
    a.cpus = int(a.cpus)
    try:
        a.cs_list = sorted({int(x) for x in a.cs.split(',')})
    except ValueError:
        fail(f'WAIT_CS={a.cs}: comma-separated whole numbers of ns (--cs)')
    if len(a.cs_list) < 2 or a.cs_list[0] < 0 or a.cs_list[-1] > 1000000:
        fail(f'WAIT_CS={a.cs}: at least two critical sections, each 0..1000000 ns (--cs)')
    if a.think_ratio < 0 or a.cs_list[-1] * a.think_ratio > 10000000:
        fail(f'WAIT_THINK={a.think_ratio:g}: think time (the longest WAIT_CS x WAIT_THINK) must stay within '
             '0..10000000 ns (--think-ratio)')
    wrong = [f'{name}={value} ({want})' for name, value, ok, want in (
        ('REPEAT', a.repeat, a.repeat >= 1, 'at least 1'), ('BOOTS', a.boots, a.boots >= 1, 'at least 1'),
        ('DURATION_MS', a.duration_ms, a.duration_ms >= 10, 'at least 10'),
        ('--tasks', a.tasks, 1 <= a.tasks <= 8, '1 to 8'),
        ('--ctxsw-handoffs', a.ctxsw_handoffs, a.ctxsw_handoffs >= 2, 'at least 2'),
        ('--retries', a.retries, a.retries >= 0, 'at least 0')) if not ok]
    if wrong:
        fail('; '.join(wrong))
    if not re.fullmatch(r'[\w.-]+', a.label):
        fail('LABEL: letters, digits, . _ -')
    if a.cpus > (os.cpu_count() or 1):
        print(f'bench-wait: warning: CPUS={a.cpus} is more than the host\'s {os.cpu_count()} cores: the host will '
              'deschedule vCPUs, and a spinning waiter then waits for a holder that is not running (most runs '
              'will be flagged host_busy)', file=sys.stderr)
    a.images = dict(i.split('=', 1) for i in a.image if '=' in i)
    if len(a.images) != len(a.image) or any(m not in MODES for m in a.images):
        fail('--image takes MODE=PATH, MODE one of spin, block, adaptive')
    return a


def variant(a, mode):
    return f'{a.strategy}-ticket-lse-busy-{mode}'


def build(a, mode, out):
    """Builds one kernel (build/bench-wait/<variant>); returns (Image, None) or (None, why)."""
    if mode in a.images:
        return os.path.abspath(a.images[mode]), None
    obj = os.path.join(a.build_dir, variant(a, mode))
    log = os.path.join(out, f'{mode}.build.log')
    t0 = time.time()
    r = subprocess.run([os.path.join(SCRIPTS, 'build-variant.sh'), ROOT, obj, variant(a, mode),
                        os.path.join(ROOT, 'configs', 'bench.config')],
                       env=dict(os.environ, MAKEFLAGS=f'-j{max(1, a.jobs)}'),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    write_text(log, r.stdout)
    print(f'  {"BUILT" if r.returncode == 0 else "FAILED"}    {variant(a, mode)} in {time.time() - t0:.0f} s',
          flush=True)
    if r.returncode != 0:
        return None, f'build failed (see {os.path.relpath(log)})'
    return os.path.join(obj, 'Image'), None


def boot(a, image, bootargs, log, runs):
    """One boot through scripts/qemu-run; returns None or why it failed."""
    timeout = int(runs * (a.duration_ms * 1.1 / 1000 + 0.5) * 3 + 60)
    r = subprocess.run([sys.executable, os.path.join(SCRIPTS, 'qemu-run'), '--quiet', '--no-ktap', '--image', image,
                        '--cpus', str(a.cpus), '--accel', 'multi', '--timeout', str(timeout),
                        '--bootargs', bootargs, '--log', log, '--host-log', bx.host_path(log)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode == 0:
        return None
    why = [l for l in r.stdout.splitlines() if l.startswith('not ok')][:2]
    return f'{os.path.basename(log)}: ' + ('; '.join(why) or f'qemu-run exit {r.returncode}')


CALIBRATION_BOOTS = 3


def all_busy(log, busy_pct):
    """Was every run of this boot flagged host_busy (its .host samples)?"""
    runs = bx.parse_log(log)[1]
    bx.add_host(runs, log, busy_pct)
    return bool(runs) and all(bx.is_busy(r) for r in runs)


def calibrate(a, image, out):
    """The calibration boots: (ctxsw fields, spin_iters_per_ms, every boot's figures). Each boot already
    keeps the fastest of 3 rounds of each; across CALIBRATION_BOOTS boots the fastest again (the
    least ns per hand-off, the most loop iterations per ms): a boot the host slowed down only looks
    slower. Raises RuntimeError if a boot printed no bench-ctxsw or bench-meta record."""
    seen = []
    for n in range(1, CALIBRATION_BOOTS + 1):
        for attempt in range(a.retries + 1):  # a boot whose run the host disturbed likely calibrated slow too
            log = os.path.join(out, f'calibrate{n}' + (f'-retry{attempt}' if attempt else '') + '.log')
            err = boot(a, image, f'ktest=none bench=lock cpus=1 duration_ms=10 repeat=1 '
                       f'ctxsw={a.ctxsw_handoffs}', log, 1)
            if err or not all_busy(log, a.busy_pct):
                break
        text = read_text(log, errors='replace').replace('\r', '') if os.path.exists(log) else ''
        m = CTXSW_RE.search(text)
        iters = re.search(r'^bench-meta: .*\bspin_iters_per_ms=(\d+)', text, re.M)
        if err or not m or not iters:
            raise RuntimeError(err or f'{os.path.basename(log)}: no bench-ctxsw or bench-meta record')
        ctx = dict(t.split('=', 1) for t in m.group(1).split() if '=' in t)
        seen.append((int(ctx['ns']), int(ctx.get('yield_ns', 0)), int(iters.group(1)), ctx))
    best = min(seen, key=lambda s: s[0])
    ctx = dict(best[3], yield_ns=str(min(s[1] for s in seen)))
    return ctx, max(s[2] for s in seen), seen


FILLER_RE = re.compile(r'^bench-filler: workload=lock cpus=(\d+) repeat=(\d+) chunks=(\d+) chunk_ns=(\d+)', re.M)


def add_filler(runs, log):
    """Fills each run's filler_ns from the log's bench-filler records (0 if none: no filler in that boot)."""
    text = read_text(log, errors='replace').replace('\r', '')
    work = {(m.group(1), m.group(2)): int(m.group(3)) * int(m.group(4)) for m in FILLER_RE.finditer(text)}
    for r in runs:
        r['filler_ns'] = work.get((r['cpus'], r['repeat']), 0)


def useful_pct(r):
    """Share of the CPUs' time spent on work: the ops' cs + think and the filler's chunks (as calibrated), %."""
    work = int(r['ops']) * (int(r['cs_ns']) + int(r['think_ns'])) + r['filler_ns']
    return 100.0 * work / (int(r['ns']) * int(r['cpus'])) if int(r['ns']) else 0.0


def aggregate(a, runs, ctxsw_ns):
    """wait.csv's rows: per mode x cs the medians over the runs not flagged host_busy (clean=1); a cell
    whose every run was flagged keeps the medians of all of them, clean=0, drawn hollow and never read.
    vs_spin compares the useful work (ops' cs + think and the filler's chunks) with spin's at that cs."""
    rows = []
    for cs in a.cs_list:
        cell = {m: [r for r in runs if r['lock_wait'] == m and int(r['cs_ns']) == cs] for m in MODES}
        # failed runs (invariants=FAIL) never count; busy ones only where nothing else is left
        use = {m: [r for r in rs if not bx.left_out(r)] or [r for r in rs if not bx.is_failed(r)]
               for m, rs in cell.items()}
        work = {m: median(useful_pct(r) for r in rs) if rs else None for m, rs in use.items()}
        for m in MODES:
            rs = use[m]
            tp = [int(r['ops_per_sec']) for r in rs]
            lw = [float(r['lock_wait_pct']) for r in rs if r['lock_wait_pct'] not in ('', None)]
            fill = [100.0 * r['filler_ns'] / (int(r['ns']) * int(r['cpus'])) for r in rs if int(r['ns'])]
            busy = sum(1 for r in cell[m] if bx.is_busy(r))
            rows.append({'mode': m, 'cs_ns': cs, 'think_ns': round(cs * a.think_ratio),
                         'tasks_per_cpu': a.tasks, 'filler': int(a.filler), 'cpus': a.cpus, 'runs': len(rs),
                         'host_busy_runs': busy, 'clean': int(bool(rs) and busy < len(cell[m])),
                         'ops_per_sec_median': f'{median(tp):.0f}' if tp else '',
                         'ops_per_sec_min': min(tp) if tp else '', 'ops_per_sec_max': max(tp) if tp else '',
                         'filler_pct': f'{median(fill):.1f}' if fill else '',
                         'work_pct': f'{work[m]:.1f}' if rs else '',
                         'vs_spin': f'{work[m] / work["spin"]:.3f}' if rs and work['spin'] else '',
                         'lock_wait_pct_median': f'{median(lw):.2f}' if lw else '', 'ctxsw_ns': ctxsw_ns})
    return rows


def plot(out, rows, ctxsw_ns, title):
    """wait.gp -> wait.png and wait.svg: the useful work relative to spin's, and as a share of the CPUs'
    time, against the hold; a dashed line at one context switch. Hollow points: cells whose every run
    was flagged host_busy."""
    have = [m for m in MODES if any(r['mode'] == m and r['vs_spin'] for r in rows)]
    with open(os.path.join(out, 'wait.dat'), 'w') as f:
        for m in have:
            f.write(f'# {m}: cs_ns vs_spin work_pct ops_per_sec_median clean\n')
            for r in rows:
                if r['mode'] == m and r['vs_spin']:
                    f.write(f"{r['cs_ns']} {r['vs_spin']} {r['work_pct']} {r['ops_per_sec_median']} {r['clean']}\n")
            f.write('\n\n')
    xs = [int(r['cs_ns']) for r in rows if int(r['cs_ns']) > 0] or [1]
    lo, hi = min(xs + [ctxsw_ns]) / 1.5, max(xs + [ctxsw_ns]) * 1.5

    def series(col):
        out = []
        for i, m in enumerate(have):
            c = f"lc rgb '{COLORS[m]}'"
            out.append(f"'wait.dat' index {i} using 1:{col} with lines lw 2 {c} title '{m}'")
            out.append(f"'' index {i} using 1:($5 > 0 ? ${col} : 1/0) with points pt 7 ps 1.2 {c} notitle")
            if any(r['mode'] == m and r['vs_spin'] and not r['clean'] for r in rows):
                out.append(f"'' index {i} using 1:($5 > 0 ? 1/0 : ${col}) with points pt 6 ps 1.2 {c} notitle")
        return 'plot ' + ', \\\n     '.join(out) + '\n'

    def panel(col, ylabel):
        return (f"set ylabel '{ylabel}'\nset yrange [0:*]\n"
                f"set arrow 1 from {ctxsw_ns},graph 0 to {ctxsw_ns},graph 1 nohead dt 2 lw 2 lc rgb '#555555'\n"
                # low in the panel: the key is at the top left, where the label sat on it
                f"set label 1 'one context switch ({ctxsw_ns / 1000:.1f} us)' at {ctxsw_ns * 1.1:.0f},graph 0.07 left\n"
                + series(col))
    body = (f"set logscale x\nset xrange [{lo:.0f}:{hi:.0f}]\nset grid\nset key top left\n"
            f"set multiplot layout 2,1 title '{title}'\nset xlabel ''\n"
            + panel(2, 'useful work relative to spin')
            + "set xlabel 'critical section (hold time), ns (log scale); hollow: every run flagged host_busy'\n"
            + panel(3, 'useful work, % of CPU time') + 'unset multiplot\n')
    with open(os.path.join(out, 'wait.gp'), 'w') as f:
        f.write('# make bench-wait: gnuplot wait.gp (data in wait.dat)\n')
        for term, ext in (('pngcairo', 'png'), ('svg', 'svg')):
            f.write(f"set terminal {term} size 900,800 noenhanced font 'Sans,10'\nset output 'wait.{ext}'\n" + body)
    if not have:
        return 'no run completed: nothing to plot'
    if not shutil.which('gnuplot'):
        return 'gnuplot not installed: wait.gp and wait.dat written, no image'
    r = subprocess.run(['gnuplot', 'wait.gp'], cwd=out, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return None if r.returncode == 0 else 'gnuplot failed: ' + ' | '.join(r.stdout.strip().splitlines()[-3:])


def summary(a, rows, ctx, iters, seen, busy, failures):
    by = {(r['mode'], r['cs_ns']): r for r in rows}
    ctxsw_ns = int(ctx['ns'])
    lines = [f'make bench-wait: strategy {a.strategy}, {a.cpus} CPUs, {a.tasks} lock worker(s) per CPU'
             + (' and a filler process per CPU' if a.filler else ', no filler')
             + f', think time uniform with mean {a.think_ratio:g} x cs; {a.boots} boots x {a.repeat} runs of '
             f'{a.duration_ms} ms per way of waiting and cs',
             f'context switch: {ctxsw_ns} ns by sleep and wake-up (bench-ctxsw ns), {ctx.get("yield_ns", "?")} ns '
             f'by yield: two tasks on one CPU, the fastest of 3 rounds of {ctx.get("handoffs", "?")} hand-offs '
             f'in each of {len(seen)} calibration boots ({", ".join(str(s[0]) for s in seen)} ns)',
             f'calibrated loop: {iters} iterations per ms in every boot (the fastest of '
             f'{", ".join(str(s[2]) for s in seen)})',
             'useful work: % of the CPUs\' time spent in critical sections, think time and filler chunks '
             '(medians over the runs not flagged host_busy)', '',
             f'{"cs_ns":>8} {"spin work%":>10} {"block":>7} {"adaptive":>8} {"block/spin":>10} '
             f'{"adapt/spin":>10} {"spin ops/s":>10} {"block":>8} {"adaptive":>8}  most work']
    for cs in a.cs_list:
        s, b, d = (by[(m, cs)] for m in MODES)
        work = {m: float(by[(m, cs)]['work_pct']) for m in MODES if by[(m, cs)]['work_pct']}
        best = max(work, key=work.get) if work else '-'
        lines.append(f'{cs:>8} {s["work_pct"] or "-":>10} {b["work_pct"] or "-":>7} {d["work_pct"] or "-":>8} '
                     f'{b["vs_spin"] or "-":>10} {d["vs_spin"] or "-":>10} {s["ops_per_sec_median"] or "-":>10} '
                     f'{b["ops_per_sec_median"] or "-":>8} {d["ops_per_sec_median"] or "-":>8}  {best}'
                     + ('   (hold shorter than a context switch)' if cs < ctxsw_ns else '')
                     + ('   [host busy in every run of ' + ', '.join(m for m in MODES if not by[(m, cs)]['clean'])
                        + ': not read]' if any(not by[(m, cs)]['clean'] for m in MODES) else ''))

    def ratio(cs):
        """block / spin at cs, if both cells had a run the host left alone."""
        b, sp = by[('block', cs)], by[('spin', cs)]
        return float(b['vs_spin']) if b['vs_spin'] and b['clean'] and sp['clean'] else None

    first, last = a.cs_list[0], a.cs_list[-1]
    lo, hi = ratio(first), ratio(last)
    lines += ['', f'shortest hold ({first} ns): ' + ('no data the host left alone' if lo is None else
              'spin ahead of block' if lo < 1 else 'block ahead of spin'),
              f'longest hold ({last} ns): ' + ('no data the host left alone' if hi is None else
              'block ahead of spin' if hi > 1 else 'spin ahead of block')]
    cross = [cs for cs in a.cs_list if ratio(cs) is not None and ratio(cs) > 1]
    if cross:
        lines.append(f'block first ahead of spin at cs = {cross[0]} ns; one context switch is {ctxsw_ns} ns')
    if busy:
        lines.append(f'{busy} runs flagged host_busy (a vCPU waited over {a.busy_pct:g} % of the run for a host '
                     'core) are left out of every figure; a cell with no other run keeps them, marked above and '
                     'drawn hollow, and is not read')
    lines += [f'FAILED {f}' for f in failures]
    return '\n'.join(lines) + '\n'


def main(argv):
    a = parse_args(argv)
    for tool in ('qemu-system-aarch64',) + (() if len(a.images) == len(MODES) else
                                          ('kconfig-conf', 'aarch64-linux-gnu-gcc')):
        if not shutil.which(tool):
            print(f'bench-wait: {tool} not found: run scripts/deps.sh (or make deps)', file=sys.stderr)
            return 2
    t0 = time.time()
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    out, n = os.path.join(a.results, f'{stamp}-{a.label}'), 1
    while os.path.exists(out):
        n += 1
        out = os.path.join(a.results, f'{stamp}-{a.label}-{n}')
    os.makedirs(out)
    runs_total = len(a.cs_list) * len(MODES) * a.boots
    print(f'  RUN      {os.path.relpath(out)}: {a.strategy}, spin/block/adaptive x cs '
          f'{",".join(map(str, a.cs_list))} ns x {a.boots} boots x {a.repeat} runs on {a.cpus} CPUs '
          f'({runs_total} boots)', flush=True)
    images, failures = {}, []
    for m in MODES:
        image, err = build(a, m, out)
        if err:
            failures.append(f'{variant(a, m)}: {err}')
        else:
            images[m] = image
    if 'block' not in images:
        print('\n'.join(f'  FAILED   {f}' for f in failures))
        return 1
    try:
        ctx, iters, seen = calibrate(a, images['block'], out)
    except RuntimeError as e:
        print(f'  FAILED   calibration: {e}')
        return 1
    ctxsw_ns = int(ctx['ns'])
    print(f'  CTXSW    {ctxsw_ns} ns per sleep-and-wake hand-off ({ctx.get("yield_ns")} ns by yield); '
          f'loop: {iters} iterations/ms', flush=True)
    logs, done, retried, modes = [], 0, 0, [m for m in MODES if m in images]
    for b in range(a.boots):
        for i, cs in enumerate(a.cs_list):
            k = (b + i) % len(modes)  # no way of waiting always boots first
            for m in modes[k:] + modes[:k]:
                think = round(cs * a.think_ratio)
                args = (f'ktest=none bench=lock cpus={a.cpus} duration_ms={a.duration_ms} repeat={a.repeat} '
                        f'cs={cs} think={think} lock_tasks={a.tasks} lock_think_random spin_iters_per_ms={iters}'
                        + (' lock_filler' if a.filler else ''))
                for attempt in range(a.retries + 1):
                    log = os.path.join(out, f'{m}-cs{cs}-boot{b + 1}' + (f'-retry{attempt}' if attempt else '') + '.log')
                    err = boot(a, images[m], args, log, a.repeat)
                    if err:
                        failures.append(err)
                    if os.path.exists(log):
                        logs.append(log)
                    if err or not all_busy(log, a.busy_pct):
                        break
                    retried += attempt < a.retries  # the host took a vCPU away in every run: boot again
                done += 1
                print(f'  BENCH    {done}/{runs_total} boots ({m}, cs={cs} ns)', flush=True)
    runs, stats = [], []
    for log in logs:
        _, rs, st, problems = bx.parse_log(log)
        bx.add_host(rs, log, a.busy_pct)
        add_filler(rs, log)
        runs += rs
        stats += st
        failures += [f'{os.path.basename(log)}: {p.text}' for p in problems]
    bx.write_csv(os.path.join(out, 'results.csv'), bx.RESULTS_COLUMNS + ['filler_ns'], runs)
    bx.write_csv(os.path.join(out, 'lockstat.csv'), bx.LOCKSTAT_COLUMNS, stats)
    rows = aggregate(a, runs, ctxsw_ns)
    bx.write_csv(os.path.join(out, 'wait.csv'), WAIT_COLUMNS, rows)
    err = plot(out, rows, ctxsw_ns, f'{a.strategy}: spin, block, adaptive on {a.cpus} CPUs, {a.tasks} lock '
                                    f'worker(s) per CPU' + (' + a filler' if a.filler else '')
                                    + f', think = {a.think_ratio:g} x cs on average')
    if err:
        failures.append(err)
    busy = sum(1 for r in runs if bx.is_busy(r))
    text = summary(a, rows, ctx, iters, seen, busy, failures)
    if retried:
        text += f'{retried} boots were booted again because the host disturbed every run of them\n'
    write_text(os.path.join(out, 'summary.txt'), text)
    print(text, end='')
    print(f'  DONE     {os.path.relpath(out)} in {time.time() - t0:.0f} s', flush=True)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
