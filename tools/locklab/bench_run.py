"""bench-run: build each strategy's kernel, boot it in QEMU (or a Pi 5 over serial) with the benchmarks, collect a run folder (make bench).

usage: bench-run [--strategies bkl,subsys,fine (every one in lock-strategies/Kconfig)] [--cpus auto] [--gic 2] [--repeat 3]
                 [--boots 2] [--duration-ms 100] [--workloads all] [--label NAME] [--jobs N]
                 [--accel multi|single] [--config FILE] [--results results] [--build-dir build]

First one short boot times the calibrated loop, and every boot is given
that speed (bench_calibrate; not on a Pi). Boots each strategy's kernel
--boots times, in an order rotated between
rounds; each boot runs every workload --repeat times at each CPU count, the
counts rotating (1,2,4,1,2,4...). Writes results/<date>-<time>-<label>/
(never an existing folder): the serial log of every boot
(<strategy>-boot<n>.log) and the host's conditions during each of its runs
(<strategy>-boot<n>.host: vCPU threads' wait for a host core, steal, load),
results.csv, summary.csv and lockstat.csv (scripts/bench-extract), meta.json,
and plots + report.md/report.html (scripts/bench-report); results/latest
points at it. Kernels are built in
<--build-dir>/bench-<strategy> (build/ unless given; make bench gives
its O=) from configs/qemu_<strategy>_defconfig plus
configs/bench.config (lockdep off; hold times are left untimed under QEMU
by the lockstat_hold= boot option's default: see docs/benchmarks.md) plus
--config's CONFIG_ lines. A failed build, boot or
invariant is named at the end and the exit status is 1; whatever completed
is kept and plotted.

With --serial DEV the boots happen on a Raspberry Pi 5 running the serial
chain-loader (make sdcard LOADER=1): each kernel is sent over DEV by
scripts/serial-load, which captures the boot's log; the board resets into
the loader after each. The same folder, CSVs, plots and report result.
"""
import argparse
import csv
import datetime
import difflib
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from typing import Callable, Dict, List, NoReturn, Optional, Tuple

from . import ROOT, SCRIPTS
# The workloads are the kernel's (bench/: one file each): scripts/bench-workloads reads each built kernel's
# table from its ELF, after the build and before any boot (why that way: its docstring).
from . import bench_workloads as bw
from . import bench_calibrate as bc
from . import bench_extract as bx
from . import capture_serial
# The strategies and the lock variants' names are the Kconfig choices' (scripts/lock-strategies).
from . import lock_strategies as ls
from .make_vars import MakeVarParser
from .bench_boot import (HOLD, STRATEGIES, Progress, bench_obj, boot, boot_log_name, build, config_value,
                         kernel_config, resolved_strategy)
from .textfile import read_text, write_json, write_text


def fail(message: str) -> NoReturn:
    """A bad request: one line, no usage text (make bench's users never typed bench-run's flags)."""
    print(f'bench-run: {message}', file=sys.stderr)
    sys.exit(2)


# The most vCPUs QEMU's virt board takes with each interrupt controller.
VIRT_MAX_CPUS = {2: 8, 3: 512}
# The cores of a Raspberry Pi 5 (--serial): the kernel refuses a larger cpus= at every boot, after its transfer.
PI5_CPUS = 4


def add_serial_options(p: argparse.ArgumentParser) -> None:
    """The options of a run on a Pi 5 over the serial chain-loader."""
    p.add_argument('--serial', metavar='DEV',
                   help='boot on a Raspberry Pi 5 running the serial chain-loader on DEV (make bench BOARD=rpi5 '
                        'SERIAL=DEV): each kernel goes over the cable (scripts/serial-load), one boot at a time')
    p.add_argument('--baud', type=int, default=115200, help='--serial: the line speed (default 115200)')
    p.add_argument('--corrupt-first', action='store_true',
                   help='(tests) --serial: the first kernel\'s first transfer has one bit flipped, which the '
                        'loader must refuse and scripts/serial-load send again')


# The make variable behind each option make bench passes: an error names what the user typed.
MAKE_NAMES = {'--repeat': 'REPEAT', '--boots': 'BOOTS', '--duration-ms': 'DURATION_MS', '--gic': 'GIC',
              '--accel': 'ACCEL', '--cpus': 'CPUS', '--label': 'LABEL', '--workloads': 'WORKLOADS',
              '--strategies': 'STRATEGIES', '--config': 'BENCH_CONFIG', '--bootargs': 'BENCH_BOOTARGS',
              '--baud': 'BAUD', '--serial': 'SERIAL', '--jobs': '-j', '--variants': 'LOCK_VARIANTS'}


def option_parser() -> argparse.ArgumentParser:
    """bench-run's options (make bench passes them; usage in the docstring above)."""
    p = MakeVarParser(description=__doc__.splitlines()[0], names=MAKE_NAMES, fail=fail)
    p.add_argument('--strategies', default=','.join(STRATEGIES))
    p.add_argument('--variants', default='',
                   help='instead of strategies: builds named <strategy>-<alg>-<atomics>-<spin_wait>'
                        '[-<lock_wait>] (make bench-locks; scripts/lock-strategies lists the parts)')
    p.add_argument('--cpus', default='auto',
                   help='vCPUs per boot; the runs sweep 1,2,4,... up to it. auto (the default): 4, or the '
                        "host's cores if fewer: beyond them vCPUs share host cores and the numbers measure "
                        'the host (ask for more explicitly; the report reads only up to the host cores)')
    p.add_argument('--gic', type=int, choices=(2, 3), default=2)
    p.add_argument('--busy-pct', type=float, default=5.0, metavar='PCT',
                   help='flag a run host_busy (drawn hollow, left out of every number) when one of its vCPUs '
                        'waited more than PCT %% of the run for a host core (default 5)')
    p.add_argument('--repeat', type=int, default=3, help='runs per workload and CPU count in each boot')
    p.add_argument('--boots', type=int, default=2,
                   help='boots per strategy (default 2), in rotated order: the speedups pair runs of '
                        'every boot, so one boot on a busy host cannot decide them')
    p.add_argument('--duration-ms', type=int, default=100)
    p.add_argument('--workloads', default='all',
                   help='all (every workload of the kernels but the named-only ones), or names separated by commas; '
                        'the names are the kernel\'s own, read from each built ELF (scripts/bench-workloads)')
    p.add_argument('--label', default='')
    p.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    p.add_argument('--accel', choices=('multi', 'single'), default='multi',
                   help='multi (default): vCPUs run in parallel, boots one at a time; single: one host '
                        'thread per boot, boots in parallel (no scaling visible)')
    p.add_argument('--config', metavar='FILE', help='extra CONFIG_ lines for every kernel')
    p.add_argument('--current-config', metavar='FILE',
                   help="the .config that --strategies current benchmarks as it is (make bench passes $(O)/.config)")
    p.add_argument('--bootargs', default='', help='extra boot options for every boot (e.g. lockstat_hold=1)')
    p.add_argument('--trace', metavar='WORKLOAD',
                   help='the workload whose run at the largest CPU count the first boot of each kernel records '
                        'as a lock timeline (plots/timeline-<kernel>.png; none: no timeline). Default: '
                        'fs-private when it runs')
    p.add_argument('--no-hold-pass', dest='hold_pass', action='store_false',
                   help='skip the short extra boot per kernel that times lock holds at 1 CPU (the Amdahl '
                        'predictions come from it; skipped anyway when --bootargs times holds in every run)')
    add_serial_options(p)
    p.add_argument('--results', default=os.path.join(ROOT, 'results'))
    p.add_argument('--build-dir', default=os.path.join(ROOT, 'build'), metavar='DIR',
                   help='the kernels are built in DIR/bench-<name> (make bench passes $(O); default build/)')
    p.add_argument('--timeout', type=float, default=0, help='per boot, seconds (default: estimated x 3 + 60)')
    p.add_argument('--image', action='append', default=[], metavar='STRATEGY=PATH',
                   help='boot this prebuilt Image for STRATEGY instead of building it (tests)')
    p.add_argument('--build-only', action='store_true',
                   help='only build the kernels (make sdcard-all); print NAME=IMAGE per kernel')
    p.add_argument('--replot', metavar='RUN',
                   help='only re-plot: a run folder (plots and report again), or a serial log (a new run '
                        'folder from it, e.g. one captured on a Pi 5)')
    return p


def cpu_count(args: argparse.Namespace) -> int:
    if args.cpus == 'auto':
        # A Pi 5 has 4 cores of its own; QEMU's vCPUs need the host's.
        return PI5_CPUS if args.serial else min(4, os.cpu_count() or 1)
    if not re.fullmatch(r'[0-9]+', args.cpus):
        fail(f'CPUS={args.cpus}: the largest CPU count of the sweep (1, 2, 4, ... up to it), one number, '
             f'or auto')
    return int(args.cpus)


def variant_kernels(args: argparse.Namespace) -> Dict[str, Tuple[str, str]]:
    """--variants: {name: (strategy, the variant's extra CONFIG_ lines)}."""
    kernels = {}
    for v in (args.variants.split(',') if args.variants else []):
        try:
            st, lines = ls.variant(v)
        except ValueError as err:
            fail(str(err))
        if ls.parse_variant(v)['lockstat'] == 'off':
            fail(f'variant {v!r}: a benchmark needs lockstat (no -nostat)')
        kernels[v] = (st, ''.join(l + '\n' for l in lines[1:]))
    return kernels


def check_request(args: argparse.Namespace) -> None:
    """Unknown strategies or workload names, counts out of range, a bad label, --image or current."""
    if '' in args.strategies.split(','):
        fail(f'STRATEGIES={args.strategies} has an empty name: names separated by single commas')
    bad = [s for s in args.strategies.split(',') if s not in STRATEGIES + ['current'] and s not in args.kernels]
    badw = [w for w in args.workloads.split(',') if not re.fullmatch(r'[a-z0-9-]+', w)]
    if bad:
        fail(f'unknown strategy {", ".join(bad)} (known: {", ".join(STRATEGIES)}, or current: $(O)/.config as it is)')
    if badw:
        fail(f'WORKLOADS={args.workloads}: all, or workload names (a-z, 0-9, -) separated by commas')
    wrong = [f'{name}={value} ({want})' for name, value, ok, want in (
        ('CPUS', args.cpus, args.cpus >= 1, 'at least 1'), ('REPEAT', args.repeat, args.repeat >= 1, 'at least 1'),
        ('BOOTS', args.boots, args.boots >= 1, 'at least 1'),
        ('DURATION_MS', args.duration_ms, args.duration_ms >= 10, 'at least 10'),
        ('LABEL', args.label, re.fullmatch(r'[\w.-]*', args.label), 'letters, digits, . _ -')) if not ok]
    if wrong:
        fail('; '.join(wrong))
    strategies = args.strategies.split(',')
    for name, items in (('STRATEGIES', strategies), ('WORKLOADS', args.workloads.split(','))):
        twice = sorted({x for x in items if items.count(x) > 1})
        if twice:
            fail(f'{name}={",".join(items)} names {", ".join(twice)} more than once')
    if 'all' in args.workloads.split(',') and args.workloads != 'all':
        fail(f'WORKLOADS={args.workloads}: all already means every workload; give all alone, or names')
    check_bootargs(args)
    check_kernel_limits(args)
    # A mistyped port failed only after the kernels were built, once per boot, in serial-load's words.
    if args.serial and not os.path.exists(args.serial):
        fail(f'SERIAL={args.serial}: {capture_serial.open_problem(FileNotFoundError())}')
    if args.serial and os.path.isdir(args.serial):
        fail(f'SERIAL={args.serial}: a folder, not a serial port')
    if args.serial and not capture_serial.baud_supported(args.baud):
        fail(f'BAUD={args.baud}: not a line speed a serial port takes (the Pi 5\'s debug UART runs at 115200: '
             'leave BAUD out)')
    if args.config and (not os.path.exists(args.config) or os.path.isdir(args.config)):
        fail(f'BENCH_CONFIG={args.config}: no such file (a file of CONFIG_ lines)')
    if len(args.images) != len(args.image) or any(s not in strategies for s in args.images):
        fail('--image takes STRATEGY=PATH for one of the strategies run')
    if 'current' in strategies and not (args.current_config and os.path.isfile(args.current_config)):
        fail(f'STRATEGIES=current benchmarks $(O)/.config, and there is none ({args.current_config or "no path given"}): '
             'make menuconfig (or make <name>_defconfig) first')


# Boot options make bench sets itself, and the variable that sets each: one in BENCH_BOOTARGS would
# silently change the run (the kernel takes the last of a repeated option) while the plan and report say
# otherwise.
DRIVER_OPTIONS = {'cpus': 'CPUS', 'duration_ms': 'DURATION_MS', 'repeat': 'REPEAT', 'bench': 'WORKLOADS',
                  'ktest': 'nothing (make bench boots with ktest=none)'}


def check_bootargs(args: argparse.Namespace) -> None:
    """BENCH_BOOTARGS: no option that make bench sets itself, and no bare help (it runs nothing)."""
    for token in args.bootargs.split():
        key = token.split('=', 1)[0]
        if key in DRIVER_OPTIONS:
            fail(f'BENCH_BOOTARGS gives {token}, which make bench sets itself: use {DRIVER_OPTIONS[key]}')
        if token == 'help':
            fail('BENCH_BOOTARGS=help: make qemu BOOTARGS=help lists the boot options (a benchmark boot takes '
                 'options, not help)')


def kernel_limit(option: str) -> Optional[Tuple[int, int]]:
    """The range the kernel's harness accepts for a boot option (its BOOTPARAM_UINT in bench/harness.c)."""
    try:
        text = read_text(os.path.join(ROOT, 'bench', 'harness.c'))
    except OSError:
        return None
    m = re.search(r'BOOTPARAM_UINT\(\s*\w+,\s*"' + re.escape(option) + r'",\s*(\d+),\s*(\d+)', text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def check_kernel_limits(args: argparse.Namespace) -> None:
    """REPEAT and DURATION_MS within what the kernel takes: beyond it, it would keep its default and
    the run would do less than planned."""
    for name, option, value in (('REPEAT', 'repeat', args.repeat), ('DURATION_MS', 'duration_ms', args.duration_ms)):
        limit = kernel_limit(option)
        if limit and not limit[0] <= value <= limit[1]:
            fail(f'{name}={value}: the kernel takes {limit[0]} to {limit[1]} (its {option}= boot option)')


def check_cpus(args: argparse.Namespace) -> None:
    """Before anything is built: a CPU count the kernel or QEMU's board cannot take."""
    limit = VIRT_MAX_CPUS[args.gic]
    for s in args.strategy_list:
        if s in args.images:
            continue
        nr = config_value(kernel_config(s, args), 'CONFIG_NR_CPUS')
        if nr and args.cpus > int(nr):
            fail(f'CPUS={args.cpus}: the {s} kernel is built for at most {nr} CPUs (CONFIG_NR_CPUS; '
                 f'raise it with BENCH_CONFIG=<file with CONFIG_NR_CPUS=...>)')
    if args.serial and args.cpus > PI5_CPUS:
        fail(f'CPUS={args.cpus}: a Raspberry Pi 5 (BOARD=rpi5) has {PI5_CPUS} cores: give CPUS={PI5_CPUS} or fewer, or '
             'leave it out')
    if args.cpus > limit and not args.serial:
        fail(f'CPUS={args.cpus}: QEMU\'s virt board takes at most {limit} CPUs with GICv{args.gic}'
             + (' (GIC=3 takes more)' if args.gic == 2 else ''))


def parse_args(argv: List[str]) -> argparse.Namespace:
    """The options, checked (a bad request ends here with one line), and what follows from them."""
    args = option_parser().parse_args(argv)
    args.cpus = cpu_count(args)
    args.kernels = variant_kernels(args)  # name -> (strategy, extra CONFIG_ lines)
    if args.variants:
        args.strategies = ','.join(args.kernels)
    args.images = dict(i.split('=', 1) for i in args.image if '=' in i)
    check_request(args)
    args.strategy_list = args.strategies.split(',')
    args.hold_pass = args.hold_pass and 'lockstat_hold=1' not in args.bootargs.split()
    check_cpus(args)
    args.workload_list = []  # resolve_workloads() fills it from the kernels once they are built
    # trace: None = make bench's default (fs-private if it runs), 'none' = no timeline; checked against the
    # workloads in resolve_workloads()
    in_bootargs = any(t.startswith('trace=') for t in args.bootargs.split())  # BENCH_BOOTARGS chose for every boot
    args.trace_default = args.trace is None and not in_bootargs
    if args.trace == 'none' or in_bootargs:
        args.trace = None
    args.cpu_list = sorted({c for c in (1, 2, 4, 8, 16) if c <= args.cpus} | {args.cpus})
    return args

def has_runs(out: str) -> bool:
    """Does the folder's results.csv hold at least one run?"""
    try:
        with open(os.path.join(out, 'results.csv')) as f:
            return sum(1 for _ in f) > 1
    except OSError:
        return False


def point_latest(results: str, out: str) -> None:
    latest = os.path.join(results, 'latest')
    if os.path.islink(latest) or not os.path.exists(latest):
        tmp = latest + '.tmp'
        if os.path.lexists(tmp):
            os.remove(tmp)
        os.symlink(os.path.basename(out), tmp)
        os.replace(tmp, latest)


def new_run_dir(args: argparse.Namespace) -> str:
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    base = os.path.join(args.results, f'{stamp}-{args.label or "bench"}')
    path, n = base, 1
    while os.path.exists(path):  # never reuse a folder: a run is never overwritten
        n += 1
        path = f'{base}-{n}'
    os.makedirs(path)
    return path


def qemu_version() -> str:
    try:
        return subprocess.run(['qemu-system-aarch64', '--version'], stdout=subprocess.PIPE,
                              text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        return 'unknown'


def git_rev() -> str:
    r = subprocess.run(['git', '-C', ROOT, 'describe', '--always', '--dirty'], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    return r.stdout.strip() or 'unknown'


# What bench-extract could not keep of a log (not runs it kept with invariants=FAIL: the report shows those).
LOST_KINDS = ('kernel_error', 'malformed', 'no_meta', 'end_mismatch', 'no_bench_meta', 'missing_end')


def extract_logs(out: str, logs: List[str]) -> Tuple[int, List[str]]:
    """scripts/bench-extract on serial logs into out, its summary shown; (its exit status, what it could
    not keep of them: records skipped, a log cut short, the kernel's error lines), which the report says."""
    r = subprocess.run([sys.executable, os.path.join(SCRIPTS, 'bench-extract'), '--out', out] + logs)
    lost = []
    for log in logs if r.returncode == 1 else []:
        try:
            found = bx.parse_log(log)[3]
        except OSError:
            continue
        lost += [f'{os.path.basename(log)}: ' + (f'line {p.line}: ' if p.line else '') + p.text
                 for p in found if p.kind in LOST_KINDS]
    return r.returncode, lost


def say_log_problems(out: str, problems: List[str]) -> None:
    """The logs' problems into meta.json (log_problems, and the warnings the report's sanity checks open
    with), so a later make plots RUN=<folder> says them and fails again."""
    path = os.path.join(out, 'meta.json')
    try:
        with open(path) as f:
            meta = json.load(f)
    except (OSError, ValueError):
        meta = {'strategies': {}, 'failures': []}
    meta['log_problems'] = problems
    meta['warnings'] = list(meta.get('warnings') or []) + [
        'The serial logs had problems (scripts/bench-extract): ' + '; '.join(problems[:6]) +
        ('; ...' if len(problems) > 6 else '') + '. What could not be read is not in these numbers.']
    write_json(path, meta)


def logged_problems(out: str) -> List[str]:
    """The log problems an earlier make plots found in this folder (meta.json), or none."""
    try:
        with open(os.path.join(out, 'meta.json')) as f:
            return list(json.load(f).get('log_problems') or [])
    except (OSError, ValueError, AttributeError):
        return []


def read_host_meta(src: str, out: str) -> dict:
    """How QEMU ran a serial log's boot, from the .host file make bench keeps beside it (copied into out with
    the log): {accel, host_cpus, vcpus, qemu} as make bench's meta.json has them, or {} with no such file."""
    host = bx.host_path(src)
    try:
        with open(os.path.join(out, 'results.csv'), newline='') as f:
            rows = list(csv.DictReader(f)) if os.path.isfile(host) else []
    except OSError:
        rows = []
    row = next((r for r in rows if r.get('accel')), None)
    if row is None:
        return {}
    shutil.copy(host, os.path.join(out, os.path.basename(host)))
    known = {'accel': row['accel'], 'qemu': row.get('qemu') or 'unknown'}
    for key, col in (('host_cpus', 'host_cpus'), ('vcpus', 'cpus_online')):
        if str(row.get(col, '')).isdigit():
            known[key] = int(row[col])
    return known


def replot(args: argparse.Namespace) -> int:
    src, problems = args.replot, []
    # A make bench-ratio or bench-wait folder is not a make bench one: its report would call the sweep's
    # kernels strategies and their missing runs failures. Its own tool drew its figure.
    other = next((f for f in ('ratio.csv', 'wait.csv') if os.path.isdir(src) and
                  os.path.exists(os.path.join(src, f))), None)
    if other:
        kind = other.split('.')[0]
        print(f'bench-run: {src} is a make bench-{kind} folder, not a make bench one: its figure is '
              f'{kind}.png, drawn by scripts/bench-{kind} (make plots reads make bench folders and serial logs)',
              file=sys.stderr)
        return 2
    if os.path.isdir(src):
        out = src
        logs = sorted(os.path.join(out, f) for f in os.listdir(out)
                      if f.endswith('.log') and not f.endswith(('.build.log', 'extract.log', 'report.log')))
        if not os.path.exists(os.path.join(out, 'results.csv')) and logs:
            # A folder holding only serial logs (scripts/capture-serial): make its CSVs first.
            rc, problems = extract_logs(out, logs)
            if rc == 2:
                return 2
        old_problems = logged_problems(out)
    elif os.path.isfile(src):
        # Not a serial log of a bench run at all (a README, a build log): say so before making a run folder.
        text = read_text(src, errors='replace')
        if not any(bx.JUNK.sub('', line).lstrip().startswith(bx.PREFIXES) for line in text.splitlines()):
            print(f'bench-run: {src} holds no benchmark record ({", ".join(bx.PREFIXES)}): make plots reads a '
                  'run folder or the serial log of one (make qemu BOOTARGS="ktest=none bench=all" | tee bench.log)',
                  file=sys.stderr)
            return 2
        args.label = args.label or 'plots'
        out = new_run_dir(args)
        shutil.copy(src, os.path.join(out, os.path.basename(src)))
        rc, problems = extract_logs(out, [src])
        if rc == 2:
            return 2
        old_problems = []
        # A log alone says what ran (bench-meta), not how QEMU ran it: record what is known, say what is not.
        # A log of make bench's has its .host beside it (bench-extract read it into results.csv's host_*
        # columns): then how QEMU ran is known, and the report says so rather than "unknown".
        host = read_host_meta(src, out)
        meta = {'label': args.label, 'source': os.path.abspath(src), 'started': datetime.datetime.fromtimestamp(
            os.path.getmtime(src)).isoformat(timespec='seconds'), 'strategies': {}, 'failures': [],
            'warnings': [] if host else [
                'This run folder was made from a serial log: how QEMU ran it (vCPUs on how many host '
                'cores, multi- or single-threaded TCG) is unknown. make qemu with more CPUs than the host '
                'has cores uses single-threaded TCG, where the vCPUs take turns on one host thread and '
                'no speedup can show. make bench records these (results.csv host_* columns).'], **host}
        # What the log's bench-meta says (results.csv has it): the build's revision, the runs' length and repeats.
        with open(os.path.join(out, 'results.csv'), newline='') as f:
            rows = list(csv.DictReader(f))
        for key, column in (('git', 'version'), ('duration_ms', 'duration_ms'), ('repeat', 'repeats')):
            values = {r[column] for r in rows if r.get(column)}
            if len(values) == 1:
                value = values.pop()
                meta[key] = int(value) if value.isdigit() else value
        if rows:
            meta['boots'] = 1   # a serial log is one boot
        write_json(os.path.join(out, 'meta.json'), meta)
    else:
        print(f'bench-run: {src}: no such run folder or serial log', file=sys.stderr)
        return 2
    if problems:
        say_log_problems(out, problems)
    problems = problems or old_problems
    r = subprocess.run([sys.executable, os.path.join(SCRIPTS, 'bench-report'), out])
    if os.path.isfile(src) and has_runs(out):
        point_latest(os.path.dirname(os.path.abspath(out)), out)
    print(f'  PLOTS    {os.path.relpath(out)}')
    if problems:
        print('  FAILED   problems in the serial log(s): the report\'s sanity checks say which')
    return r.returncode or (1 if problems else 0)


def build_only(args: argparse.Namespace) -> int:
    status = 0
    for s in args.strategy_list:
        # the build's log beside its objects (<build-dir>/bench-<s>/<s>.build.log), which make clean removes
        image, _, err = build(s, args, Progress(sys.stderr), bench_obj(s, args))
        if err:
            print(f'bench-run: {s}: {err}', file=sys.stderr)
            status = 1
        else:
            print(f'{s}={image}')
    return status


def unknown_workload_hints(lacking: List[str], names: List[str]) -> str:
    """': did you mean ...' for a near miss, or the file a new workload is in that bench/Kbuild does not build."""
    hints = []
    try:
        kbuild = read_text(os.path.join(ROOT, 'bench', 'Kbuild'))
    except OSError:
        kbuild = ''
    for w in lacking:
        base = 'wl_' + w.replace('-', '_')
        if os.path.isfile(os.path.join(ROOT, 'bench', base + '.c')) and f'{base}.o' not in kbuild:
            hints.append(f'bench/{base}.c exists but bench/Kbuild does not build it (add '
                         f'"obj-$(CONFIG_BENCH) += {base}.o")')
            continue
        close = difflib.get_close_matches(w, names, n=1, cutoff=0.75)
        if close:
            hints.append(f'did you mean {close[0]}?')
    return ': ' + '; '.join(hints) if hints else ''


def resolve_workloads(args: argparse.Namespace, images: Dict[str, str], meta: dict) -> Optional[str]:
    """Sets args.workload_list from the built kernels' own tables (scripts/bench-workloads): for all, every
    workload but the named-only ones, else the names asked for. A kernel whose table cannot be read fails
    (named, the others go on); a name some kernel lacks is an error line for the whole request."""
    tables = {}
    for s in list(images):
        try:
            tables[s] = bw.read_workloads(images[s])
        except bw.ElfError as err:
            meta['strategies'][s]['status'] = f'cannot read its workloads: {err}'
            meta['failures'].append(f'{s}: cannot read its workloads: {err}')
            del images[s]
    if not tables:
        return None
    first = next(iter(tables.values()))
    want = [n for n, named_only in first if not named_only] if args.workloads == 'all' else args.workloads.split(',')
    for s, table in tables.items():
        names = [n for n, _ in table]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:  # the kernel would refuse them at boot (bench/workloads.c): say so before any boot
            return (f'the {s} kernel has two workloads named {", ".join(twice)}: give each its own .name '
                    '(bench/, docs/benchmarks.md)')
        lacking = [w for w in want if w not in names]
        if lacking:
            return (f'unknown workload {", ".join(lacking)}{unknown_workload_hints(lacking, names)} (the {s} '
                    f'kernel has: {", ".join(n for n, no in table if not no)}; named only: '
                    f'{", ".join(n for n, no in table if no) or "none"}; docs/benchmarks.md)')
    if args.trace and args.trace not in want:
        return (f'trace {args.trace}: not among the workloads run ({", ".join(want)}): a timeline is recorded '
                'during one of their runs')
    if args.trace_default:
        args.trace = 'fs-private' if 'fs-private' in want else None
    args.workload_list = want
    return None


def missing_tool(args: argparse.Namespace) -> Optional[str]:
    """The first tool a run needs that is not installed (QEMU is not needed for a Pi over serial)."""
    for tool in ('kconfig-conf', 'qemu-system-aarch64', 'aarch64-linux-gnu-gcc'):
        if args.serial and tool == 'qemu-system-aarch64':
            continue
        if not shutil.which(tool):
            return tool
    return None


def start_meta(args: argparse.Namespace) -> dict:
    """meta.json as the run starts: what ran where, filled in as builds and boots finish."""
    return {'label': args.label or 'bench', 'started': datetime.datetime.now().isoformat(timespec='seconds'),
            'git': git_rev(), 'qemu': f'none: a Raspberry Pi 5 on {args.serial}' if args.serial else qemu_version(),
            # On the Pi the CPUs are real: its 4 cores play the part of the host's.
            'host_cpus': args.cpus if args.serial else os.cpu_count(), 'vcpus': args.cpus,
            'accel': 'none (hardware)' if args.serial else args.accel, 'duration_ms': args.duration_ms,
            'repeat': args.repeat, 'boots': args.boots, 'busy_pct': args.busy_pct, 'strategies': {},
            'failures': []}


def in_batches(jobs: List[Tuple[Callable, tuple]], size: int) -> None:
    """Runs the (function, args) jobs in threads, size at a time, each batch waited for. On Ctrl-C the
    batch's threads are still waited for (their make or QEMU got the same SIGINT and ends soon), so
    nothing writes into the run folder after the caller has said what it kept or removed it."""
    size = max(1, size)
    for first in range(0, len(jobs), size):
        batch = [threading.Thread(target=fn, args=args) for fn, args in jobs[first:first + size]]
        for thread in batch:
            thread.start()
        try:
            for thread in batch:
                thread.join()
        except KeyboardInterrupt:
            for thread in batch:
                thread.join()
            raise


def build_all(args: argparse.Namespace, out: str, progress: 'Progress', meta: dict,
              lock: threading.Lock) -> Dict[str, str]:
    """Builds (or takes the prebuilt) kernel of each strategy, args.jobs at a time; {strategy: Image}."""
    images: Dict[str, str] = {}

    def build_one(s: str) -> None:
        if s in args.images:
            image, frag, err = os.path.abspath(args.images[s]), f'(prebuilt {args.images[s]})', None
        else:
            image, frag, err = build(s, args, progress, out)
        with lock:
            meta['strategies'][s] = {'config': frag, 'status': err or 'ok', 'strategy': s if s in args.images else
                                     resolved_strategy(bench_obj(s, args))}
            if err:
                meta['failures'].append(f'{s}: {err}')
            else:
                images[s] = image

    in_batches([(build_one, (s,)) for s in args.strategy_list], args.jobs)
    return images


def calibrate_sweep(args: argparse.Namespace, images: Dict[str, str], out: str, progress: 'Progress',
                    meta: dict) -> None:
    """Under QEMU every boot of the sweep is given one loop speed (bench_calibrate: one short boot of the
    first kernel), unless the boot options give one; on a Pi each boot calibrates its own."""
    first = next((s for s in args.strategy_list if s in images), None)
    if args.serial or first is None or any(t.startswith('spin_iters_per_ms=') for t in args.bootargs.split()):
        return
    progress.line(f'  CALIB    {first}: one short boot times the calibrated loop for every boot')
    speed, said = bc.calibrate(args, images[first], out)
    meta['loop_calibration'] = said
    if speed:
        meta['loop_speed'] = speed
        args.bootargs = f'{args.bootargs} spin_iters_per_ms={speed}'.strip()
        progress.line(f'  CALIB    {speed} loop iterations per ms in every boot: {said}', final=True)
    else:
        progress.line(f'  NOTE     {said}: each boot calibrates its own loop', final=True)


def boot_order(args: argparse.Namespace, todo: List[str]) -> List[Tuple[str, int]]:
    """(strategy, boot number) in boot order. Boot round b starts with the b-th strategy (bkl,subsys,fine;
    subsys,fine,bkl; ...), so no strategy always boots first, on a host that has been quiet longest."""
    if not todo:
        return []
    return [(s, b + 1) for b in range(args.boots) for s in todo[b % len(todo):] + todo[:b % len(todo)]]


def boot_all(args: argparse.Namespace, images: Dict[str, str], out: str, progress: 'Progress', meta: dict,
             lock: threading.Lock) -> Tuple[List[Tuple[str, int]], List[Tuple[str, int]]]:
    """Boots every kernel args.boots times, then the hold-time pass; returns (boots, hold-pass boots)."""
    # Parallel vCPUs need the host's cores: boots one at a time then; single-threaded boots can share.
    parallel = 1 if args.accel == 'multi' or args.serial else max(1, args.jobs)
    todo = [s for s in args.strategy_list if s in images]
    order = boot_order(args, todo)
    runs_per_boot = len(args.workload_list) * len(args.cpu_list) * args.repeat
    meta['boot_order'] = [boot_log_name(s, b)[:-len('.log')] for s, b in order]
    state = {key: (0, runs_per_boot, None) for key in order}
    # The hold-time pass: at 1 CPU, where timing holds costs QEMU only time, the held fraction of the
    # strategy's lock gives the report its Amdahl predictions (docs/benchmarks.md).
    holds = [(s, HOLD) for s in todo] if args.hold_pass else []
    state.update({key: (0, len(args.workload_list), None) for key in holds})

    def boot_one(s: str, number: int) -> None:
        try:
            err = boot(s, images[s], args, out, progress, state, number)
        except Exception as exc:  # a thread's exception would only be printed: make it the boot's failure
            err = f'{"hold-time pass" if number == HOLD else f"boot {number}"}: bench-run error {exc!r}'
        with lock:
            if err:
                meta['strategies'][s]['status'] = err
                meta['failures'].append(f'{s}: {err}')

    in_batches([(boot_one, key) for key in order + holds], parallel)
    return order, holds


EXTRACT_COUNTS = re.compile(r': \d+ runs?, \d+ lockstat rows? kept$')  # bench-extract's count line per log


def extract(where: str, logs: List[str], extra: List[str], meta: dict, what: str) -> None:
    """scripts/bench-extract on logs into where (its output in where/extract.log); a failure goes to meta."""
    r = subprocess.run([sys.executable, os.path.join(SCRIPTS, 'bench-extract'), '--out', where] + extra + logs,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    write_text(os.path.join(where, 'extract.log'), r.stdout)
    if r.returncode != 0:
        # Its problems, the kernel's own error lines first (bench-extract's order), not its closing counts:
        # the first error is the one that explains the rest.
        lines = r.stdout.strip().splitlines()
        detail = [l for l in lines if not l.startswith('wrote ') and not EXTRACT_COUNTS.search(l)] or lines
        more = f' (and {len(detail) - 4} more lines in extract.log)' if len(detail) > 4 else ''
        meta['failures'].append(f'{what}: ' + ' | '.join(detail[:4]) + more)


def run_report(out: str, meta: dict) -> None:
    """scripts/bench-report on the run folder (its output in report.log); a failure goes to meta.json."""
    r = subprocess.run([sys.executable, os.path.join(SCRIPTS, 'bench-report'), out], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    write_text(os.path.join(out, 'report.log'), r.stdout)
    if r.returncode != 0:
        meta['failures'].append('bench-report: ' + ' | '.join(r.stdout.strip().splitlines()[-3:]))
        write_json(os.path.join(out, 'meta.json'), meta)


def collect(args: argparse.Namespace, out: str, order: List[Tuple[str, int]], holds: List[Tuple[str, int]],
            meta: dict, started: float) -> bool:
    """The boots' logs into CSVs, meta.json and the report; whether any boot left a log."""
    logs = [os.path.join(out, boot_log_name(s, b)) for s, b in sorted(order)
            if os.path.exists(os.path.join(out, boot_log_name(s, b)))]
    busy = ['--busy-pct', str(args.busy_pct)]
    if logs:
        extract(out, logs, busy, meta, 'bench-extract')
    hold_logs = [p for p in (os.path.join(out, 'hold', f'{s}.log') for s, _ in holds) if os.path.exists(p)]
    if hold_logs:
        # the same line as the scaling runs': the report leaves a flagged hold run out of its Amdahl s
        extract(os.path.join(out, 'hold'), hold_logs, busy, meta, 'bench-extract (hold pass)')
    meta['elapsed_s'] = round(time.time() - started, 1)
    write_json(os.path.join(out, 'meta.json'), meta)
    if os.path.exists(os.path.join(SCRIPTS, 'bench-report')) and logs:
        run_report(out, meta)
    return bool(logs)


def finish(args: argparse.Namespace, out: str, progress: 'Progress', meta: dict) -> int:
    """Points results/latest at the run (if it holds one) and says what came out; the exit status."""
    if has_runs(out):
        point_latest(args.results, out)
    else:
        print(f'  NOTE     {os.path.relpath(out)} holds no run: results/latest still points at the last one that did')
    progress.line(f'  DONE     {os.path.relpath(out)} in {meta["elapsed_s"]} s', final=True)
    for timeline in sorted(glob.glob(os.path.join(out, 'plots', 'timeline-*.png'))):
        print(f'  TRACE    {os.path.relpath(timeline)}')
    if os.path.isfile(os.path.join(out, 'report.html')):
        print(f'  REPORT   {os.path.relpath(os.path.join(out, "report.html"))} (or report.md): its sanity checks first')
    for failure in meta['failures']:
        print(f'  FAILED   {failure}')
    return 1 if meta['failures'] else 0


def main(argv: List[str]) -> int:
    args = parse_args(argv)
    if args.replot:
        return replot(args)
    if args.build_only:
        return build_only(args)
    tool = missing_tool(args)
    if tool:
        print(f'bench-run: {tool} not found: run scripts/deps.sh (or make deps)', file=sys.stderr)
        return 2
    started = time.time()
    out = new_run_dir(args)
    progress = Progress()
    meta = start_meta(args)
    lock = threading.Lock()
    try:
        images = build_all(args, out, progress, meta, lock)
    except KeyboardInterrupt:
        shutil.rmtree(out, ignore_errors=True)  # nothing ran: no run folder (results/latest stays)
        progress.line('  STOPPED  interrupted while building: nothing ran', final=True)
        return 130
    err = resolve_workloads(args, images, meta)
    if err:
        shutil.rmtree(out, ignore_errors=True)  # nothing ran: no run folder (results/latest stays)
        print(f'bench-run: {err}', file=sys.stderr)
        return 2
    if not images:  # every build failed: nothing to boot; finish() names each failure
        collect(args, out, [], [], meta, started)
        return finish(args, out, progress, meta)
    runs = len(args.strategy_list) * args.boots * len(args.workload_list) * len(args.cpu_list) * args.repeat
    progress.line(f'  RUN      {os.path.relpath(out)}: {",".join(args.strategy_list)} x '
                  f'{",".join(args.workload_list)} x CPUs {",".join(map(str, args.cpu_list))} x {args.repeat} repeats '
                  f'x {args.boots} boots = {runs} runs' +
                  (f', then {len(args.strategy_list) * len(args.workload_list)} runs at 1 CPU timing lock holds (hold pass)'
                   if args.hold_pass else ''), final=True)
    try:
        calibrate_sweep(args, images, out, progress, meta)
        order, holds = boot_all(args, images, out, progress, meta, lock)
    except KeyboardInterrupt:  # Ctrl-C reached QEMU too: its boots are over
        progress.line(f'  STOPPED  interrupted: the serial logs of the boots so far are in {os.path.relpath(out)}; '
                      f'make plots RUN={os.path.relpath(out)} makes the CSVs, plots and report from them '
                      '(results/latest is unchanged)', final=True)
        return 130
    collect(args, out, order, holds, meta, started)
    return finish(args, out, progress, meta)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
