#!/usr/bin/env python3
"""End-to-end test of make bench's driver (scripts/bench-run) on prebuilt kernels: a tiny matrix, then one with a broken boot.

usage: test_bench_run.py --workdir DIR --image bkl=PATH --image subsys=PATH --image fine=PATH
Checks: both CSVs have the documented columns and a row for every strategy x
workload x CPU count with invariants=ok; the lock workload's lockstat count
equals its op count in every strategy (acq_exact=ok); every expected PNG and
SVG exists and is non-empty; the HTML report parses and links every plot; a
second run whose fine kernel cannot boot keeps the others' results, names
the failure and exits non-zero; the fine log fed through a pty into
scripts/capture-serial (as from a Pi 5's UART) gives the same CSV rows and
a full report; make bench sweeps up to min(4, host cores) unless CPUS= is given;
the workloads are the kernel's own (scripts/bench-workloads reads them from the
ELF beside each Image, and the boot's bench-workloads record agrees), all
leaves out the named-only ones, and a kernel whose table cannot be read is
named while the others run; scripts/bench-ratio measures the share of time
inside the kernel and the speedups it sweeps (make bench-ratio passes its options);
one calibration boot times the loop and every boot runs with that speed, unless
a speed is given; a boot whose kernel refused a boot option, or that printed
fewer runs than planned, fails the run; Ctrl-C says where the logs are; the
CPUs warm up (warmup_ms=) before the first run.
Prints KTAP v1.
"""
import argparse
import csv
import glob
import html.parser
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
ROOT = os.path.dirname(HERE)
RUN = os.path.join(ROOT, 'scripts', 'bench-run')
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(ROOT, 'tools'))
from locklab import bench_run  # noqa: E402
from locklab import bench_workloads as BW  # noqa: E402
sys.path.insert(0, HERE)
from ktap_unittest import expect_no_problems  # noqa: E402  (tests/, beside this file)
import ktap_unittest  # noqa: E402

# As docs/output-format.md documents them.
HOST_COLS = ('host_vcpu_wait_pct,host_vcpu_blocked_pct,host_vcpu_sys_pct,host_steal_pct,host_load1,host_window_ms,host_busy,'
             'accel,host_cpus,qemu').split(',')
RESULTS_COLS = ('strategy,lock_alg,atomics,spin_wait,lock_wait,board,cpus_online,cntfrq,lockstat,version,config,'
                'lockstat_hold,lockdep,duration_ms,repeats,think_ns,cs_ns,spin_iters_per_ms,hz,scope,classes,warmup_ms,format,'
                'workload,cpus,repeat,ops,ns,ops_per_sec,thread_ops_min,thread_ops_max,lock_wait_pct,invariants,workers,'
                ).split(',')[:-1] + HOST_COLS + ['log']
LOCKSTAT_COLS = ('strategy,lock_alg,atomics,spin_wait,lock_wait,workload,cpus,repeat,class,acquisitions,contentions,con_bounces,'
                 'acq_bounces,wait_min_ns,wait_max_ns,wait_total_ns,hold_min_ns,hold_max_ns,hold_total_ns,'
                 'trylock_fail,log').split(',')


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs = set()

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ('href', 'src') and v:
                self.refs.add(v)


# Cases that are not about the loop's calibration give its speed, as BENCH_BOOTARGS may: bench-run then
# skips its calibration boot (one_loop_speed and given_loop_speed_is_used check both ways).
GIVEN_SPEED = ['--bootargs', 'spin_iters_per_ms=500000']


def bench(results, images, strategies, workloads):
    cmd = [sys.executable, RUN, '--results', results, '--strategies', strategies, '--cpus', '2',
           '--repeat', '1', '--boots', '1', '--duration-ms', '20', '--workloads', workloads, '--label', 'check',
           '--busy-pct', '100']  # this case checks the pipeline, whatever else the host is doing
    for s, path in images.items():
        if s in strategies.split(','):
            cmd += ['--image', f'{s}={path}']
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout, os.path.realpath(os.path.join(results, 'latest'))


def full_matrix(work, images):
    problems = []
    table = BW.read_workloads(images['fine'])
    workloads = [n for n, named_only in table if not named_only]
    named = [n for n, named_only in table if named_only]
    # Spot checks of the table: workloads the other cases and docs rely on, and ratio only when named.
    for w in ('ceiling', 'getpid', 'stat-shared', 'fs-samefile', 'lock'):
        if w not in workloads:
            problems.append(f'{w} not among the workloads all runs: {workloads}')
    if named != ['ratio']:
        problems.append(f'named-only workloads {named}, expected ratio')
    rc, out, run = bench(os.path.join(work, 'ok'), images, 'bkl,subsys,fine', 'all')
    if rc != 0:
        problems.append(f'bench-run exit {rc}: ' + ' | '.join(out.strip().splitlines()[-4:]))
    with open(os.path.join(run, 'results.csv')) as f:
        rd = csv.DictReader(f)
        rows = list(rd)
        if rd.fieldnames != RESULTS_COLS:
            problems.append(f'results.csv columns {rd.fieldnames}')
    with open(os.path.join(run, 'lockstat.csv')) as f:
        rd = csv.DictReader(f)
        if rd.fieldnames != LOCKSTAT_COLS or not list(rd):
            problems.append('lockstat.csv: wrong columns or no rows')
    if {r['workload'] for r in rows} != set(workloads):
        problems.append(f'all ran {sorted({r["workload"] for r in rows})}, not {sorted(workloads)}')
    # workers=: one per CPU, but pipe-pingpong's one per pair of CPUs (its echo workers only answer)
    wrong = sorted({(r['workload'], r['cpus'], r['workers']) for r in rows if r['workers'] != (
        str((int(r['cpus']) + 1) // 2) if r['workload'] == 'pipe-pingpong' else r['cpus'])})
    if wrong:
        problems.append(f'workers (workload, cpus, workers): {wrong[:6]}')
    # Each kernel names its real locks in bench-meta (what the report reads instead of strategy names).
    real = {(r['strategy'], r['scope'], r['classes']) for r in rows}
    if real != {('bkl', 'kernel', 'bkl'), ('subsys', 'subsys', 'proc_lock,fs_lock,ipc_lock,mm_lock'),
                ('fine', 'data', '')}:
        problems.append(f'strategy, scope, classes in results.csv: {sorted(real)}')
    for s in ('bkl', 'subsys', 'fine'):
        for w in workloads:
            for c in ('1', '2'):
                if not any(r['strategy'] == s and r['workload'] == w and r['cpus'] == c and
                           r['invariants'] == 'ok' for r in rows):
                    problems.append(f'no ok row for {s} {w} at {c} CPU(s)')
    plots = [f'{k}-{w}' for k in ('throughput', 'speedup', 'lockwait', 'fairness') for w in workloads]
    plots += ['contention-pct', 'contention-wait']
    plots += [f'timeline-{s}' for s in ('bkl', 'subsys', 'fine')]  # fs-private's lock timeline, from boot 1
    for p in plots:
        for ext in ('png', 'svg'):
            path = os.path.join(run, 'plots', f'{p}.{ext}')
            if not os.path.isfile(path) or os.path.getsize(path) == 0:
                problems.append(f'missing or empty plots/{p}.{ext}')
    parser = Links()
    with open(os.path.join(run, 'report.html')) as f:
        parser.feed(f.read())
    parser.close()
    for p in plots:
        if not any(r.startswith(f'plots/{p}.') for r in parser.refs):
            problems.append(f'report.html does not link plots/{p}')
    if not os.path.isfile(os.path.join(run, 'report.md')):
        problems.append('no report.md')
    else:
        with open(os.path.join(run, 'report.md')) as f:
            md = f.read()
        if not 0 < md.find('## Lock timelines') < md.find('## Run'):
            problems.append('report.md does not show the lock timelines before the run\'s details')
    # The hold-time pass: one 1-CPU run per workload with hold times, which the Amdahl curves come from.
    with open(os.path.join(run, 'hold', 'results.csv')) as f:
        held = list(csv.DictReader(f))
    if sorted({(r['strategy'], r['workload'], r['cpus']) for r in held}) != sorted(
            (s, w, '1') for s in ('bkl', 'subsys', 'fine') for w in workloads):
        problems.append(f'hold pass: {len(held)} runs, not one per strategy and workload at 1 CPU')
    with open(os.path.join(run, 'plots', 'speedup-fs-private.gp')) as f:
        if 'bkl: Amdahl' not in f.read():
            problems.append('no Amdahl curve for bkl on fs-private from the hold pass')
    # The lock workload knows its lock count: lockstat must agree exactly (acq_exact=ok) in every strategy.
    for s in ('bkl', 'subsys', 'fine'):
        with open(os.path.join(run, f'{s}-boot1.log'), errors='replace') as f:
            log = f.read().splitlines()
        # What the host read from the ELF is what the booted kernel says it has.
        rec = [l.split() for l in log if l.startswith('bench-workloads: ')]
        if len(rec) != 1 or rec[0][1:] != [f'all={",".join(workloads)}', f'named_only={",".join(named)}']:
            problems.append(f'{s}: bench-workloads record {rec}, the ELF says all={workloads} named_only={named}')
        exact = [l for l in log if l.startswith('bench: workload=lock ')]
        if len(exact) != 2 or not all(' acq_exact=ok ' in l for l in exact):
            problems.append(f'{s}: lock workload lockstat count: {[l.strip() for l in exact]}')
    return problems


def broken_boot(work, images):
    problems = []
    # fine: an Image QEMU boots and that prints nothing (the boot fails on its timeout), beside a real ELF,
    # so its workloads can be read; subsys: a file that is no kernel, with no ELF beside it.
    os.makedirs(os.path.join(work, 'not-a-kernel'))
    bad = os.path.join(work, 'not-a-kernel', 'Image')
    with open(bad, 'wb') as f:
        f.write(b'\0' * 4096)
    shutil.copy(os.path.join(os.path.dirname(images['fine']), 'locklab.elf'), os.path.dirname(bad))
    junk = os.path.join(work, 'junk')
    with open(junk, 'wb') as f:
        f.write(b'\0' * 4096)
    cmd_images = dict(images, fine=bad, subsys=junk)
    results = os.path.join(work, 'broken')
    cmd = [sys.executable, RUN, '--results', results, '--strategies', 'bkl,subsys,fine', '--cpus', '2', '--repeat', '1',
           '--boots', '1', '--duration-ms', '20', '--workloads', 'lock', '--timeout', '8', '--label', 'broken',
           '--no-hold-pass'] + GIVEN_SPEED
    for s in ('bkl', 'subsys', 'fine'):
        cmd += ['--image', f'{s}={cmd_images[s]}']
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    run = os.path.realpath(os.path.join(results, 'latest'))
    if p.returncode == 0:
        problems.append('a run with a failed boot exited 0')
    if 'FAILED   fine: boot 1 failed' not in p.stdout:
        problems.append('the failed boot is not named: ' + ' | '.join(p.stdout.strip().splitlines()[-3:]))
    if f'FAILED   subsys: cannot read its workloads: {junk} is not an ELF file' not in p.stdout:
        problems.append('the kernel without a workload table is not named: ' +
                        ' | '.join(p.stdout.strip().splitlines()[-3:]))
    with open(os.path.join(run, 'results.csv')) as f:
        rows = list(csv.DictReader(f))
    if not any(r['strategy'] == 'bkl' and r['workload'] == 'lock' for r in rows):
        problems.append('the bkl results were not kept')
    if not os.path.isfile(os.path.join(run, 'plots', 'throughput-lock.png')):
        problems.append('what completed was not plotted')
    return problems


def hung_run_is_named(work, images):
    """A guest killed in the middle of a run (5 s runs, killed after 9 s: the first run ends at about
    5.5 s, the second would at 11) must be named by the run it was in, and the first run kept."""
    problems = []
    results = os.path.join(work, 'hung')
    cmd = [sys.executable, RUN, '--results', results, '--strategies', 'fine', '--cpus', '2', '--repeat', '1',
           '--boots', '1', '--duration-ms', '5000', '--workloads', 'lock', '--timeout', '9', '--label', 'hung',
           '--no-hold-pass'] + GIVEN_SPEED + [
           '--image', f'fine={images["fine"]}']
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode == 0:
        problems.append('a run with a killed guest exited 0')
    want = 'fine: boot 1 failed while workload=lock cpus=2 repeat=0 was running (last finished: workload=lock cpus=1'
    if want not in p.stdout:
        problems.append('the run that hung is not named: ' + ' | '.join(p.stdout.strip().splitlines()[-3:]))
    with open(os.path.join(os.path.realpath(os.path.join(results, 'latest')), 'results.csv')) as f:
        rows = list(csv.DictReader(f))
    if not any(r['strategy'] == 'fine' and r['workload'] == 'lock' and r['cpus'] == '1' for r in rows):
        problems.append(f'the run that finished before the hang was not kept: {rows}')
    return problems


def capture_matches_bench(work, images):
    """The full matrix's fine log, fed through a pty into scripts/capture-serial as a Pi 5's serial
    port would deliver it, must give the same results as make bench did."""
    import pty
    import time
    problems = []
    run = os.path.realpath(os.path.join(work, 'ok', 'latest'))
    with open(os.path.join(run, 'fine-boot1.log'), 'rb') as f:
        data = f.read()
    master, slave = pty.openpty()
    results = os.path.join(work, 'capture')
    p = subprocess.Popen([sys.executable, os.path.join(ROOT, 'scripts', 'capture-serial'), '--device',
                          os.ttyname(slave), '--timeout', '60', '--results', results, '--label', 'pi5'],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(0.5)  # let it open the port and set it raw
    for i in range(0, len(data), 512):
        os.write(master, data[i:i + 512])
    out = p.communicate(timeout=120)[0]
    os.close(master)
    os.close(slave)
    if p.returncode != 0:
        problems.append(f'capture-serial exit {p.returncode}: ' + ' | '.join(out.strip().splitlines()[-3:]))
    runs = [d for d in os.listdir(results) if d.endswith('-pi5')]
    if len(runs) != 1:
        return problems + [f'capture made {len(runs)} run folders']
    cap = os.path.join(results, runs[0])

    def rows(path, strategy):
        with open(path) as f:
            return [{k: v for k, v in r.items() if k != 'log' and k not in HOST_COLS} for r in csv.DictReader(f)
                    if r['strategy'] == strategy]
    for name in ('results.csv', 'lockstat.csv'):
        if rows(os.path.join(cap, name), 'fine') != rows(os.path.join(run, name), 'fine'):
            problems.append(f'{name} from the capture differs from make bench\'s fine rows')
    with open(os.path.join(cap, 'results.csv')) as f:
        filled = {k for r in csv.DictReader(f) for k in HOST_COLS if r[k]}
    if filled:
        problems.append(f'a capture knows nothing of its host, yet has {sorted(filled)}')
    for p_ in ('throughput-mm.svg', 'speedup-fs-private.png', 'contention-pct.png', 'timeline-pi5.png'):
        if not os.path.isfile(os.path.join(cap, 'plots', p_)):
            problems.append(f'capture: no plots/{p_}')
    if not os.path.isfile(os.path.join(cap, 'report.html')):
        problems.append('capture: no report.html')
    return problems


def boots_rotate_and_sample_the_host(work, images):
    """--boots 2: each strategy boots twice, the second round in rotated order; inside a boot the CPU
    counts rotate per repeat; every run has the host's conditions, and summary.csv pairs the runs."""
    problems = []
    results = os.path.join(work, 'boots')
    cmd = [sys.executable, RUN, '--results', results, '--strategies', 'bkl,fine', '--cpus', '2', '--repeat', '2',
           '--boots', '2', '--duration-ms', '20', '--workloads', 'ceiling', '--label', 'boots', '--no-hold-pass']
    cmd += [f'--image={s}={images[s]}' for s in ('bkl', 'fine')]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    run = os.path.realpath(os.path.join(results, 'latest'))
    if p.returncode != 0:
        return [f'bench-run exit {p.returncode}: ' + ' | '.join(p.stdout.strip().splitlines()[-3:])]
    import json
    with open(os.path.join(run, 'meta.json')) as f:
        order = json.load(f).get('boot_order')
    if order != ['bkl-boot1', 'fine-boot1', 'fine-boot2', 'bkl-boot2']:
        problems.append(f'boot order {order}')
    with open(os.path.join(run, 'fine-boot2.log'), errors='replace') as f:
        seq = [l.split()[2:4] for l in f if l.startswith('bench: workload=')]
    if seq != [['cpus=1', 'repeat=0'], ['cpus=2', 'repeat=0'], ['cpus=1', 'repeat=1'], ['cpus=2', 'repeat=1']]:
        problems.append(f'CPU counts inside a boot do not rotate: {seq}')
    with open(os.path.join(run, 'results.csv')) as f:
        rows = list(csv.DictReader(f))
    if len(rows) != 16:
        problems.append(f'{len(rows)} rows, expected 2 strategies x 2 boots x 2 repeats x 2 counts')
    for r in rows:
        try:
            # A run whose lines reached the host in one late burst (a loaded host) has a short window, and
            # must then be flagged busy: the host did not watch it.
            # n/a: no sample of the host while QEMU ran covers the run (its records came after the exit).
            unwatched = r['host_vcpu_wait_pct'] == 'n/a' and r['host_window_ms'] == 'n/a' and r['host_busy'] == '1'
            ok = (unwatched or 0 <= float(r['host_vcpu_wait_pct']) and r['host_busy'] in ('0', '1')) and \
                (unwatched or 0 <= float(r['host_vcpu_blocked_pct']) <= 100) and \
                (unwatched or float(r['host_window_ms']) >= 20 or r['host_busy'] == '1') and \
                r['accel'] == 'multi' and r['host_cpus'] == str(os.cpu_count())
        except ValueError:
            ok = False
        if not ok:
            problems.append('host columns: ' + str({k: r[k] for k in HOST_COLS}))
            break
    with open(os.path.join(run, 'summary.csv')) as f:
        summ = {(r['strategy'], r['cpus']): r for r in csv.DictReader(f)}
    busy = sum(r['host_busy'] == '1' for r in rows if r['strategy'] == 'fine')
    two = summ.get(('fine', '2'), {})
    if two.get('n') is None or int(two['n']) + int(two['host_busy_runs']) != 4:
        problems.append(f'summary.csv fine at 2 CPUs: {two}')
    elif not busy and two.get('speedup_pairs') != '4':
        problems.append(f'summary.csv fine at 2 CPUs, a quiet host, not 4 pairs: {two}')
    problems += one_loop_speed(run, [os.path.join(run, f'{b}.log') for b in order or []])
    return problems


def meta_speeds(logs):
    """The spin_iters_per_ms each log's bench-meta record gives (None where it has none)."""
    found = []
    for log in logs:
        with open(log, errors='replace') as f:
            m = [l for l in f if l.startswith('bench-meta:')]
        found.append(m and dict(t.split('=', 1) for t in m[0].split()[1:] if '=' in t).get('spin_iters_per_ms'))
    return found


def one_loop_speed(run, logs):
    """bench-run's calibration boot timed the loop (its fastest 1-CPU ceiling run, recomputed here from its
    log) and every boot ran with that speed, as the report's Run table says."""
    cal = os.path.join(run, 'calibrate', 'loop.log')
    if not os.path.isfile(cal):
        return ['no calibration boot log calibrate/loop.log']
    with open(cal, errors='replace') as f:
        text = f.read()
    cal_ns = int(dict(t.split('=', 1) for t in
                      next(l for l in text.splitlines() if l.startswith('bench-meta:')).split()[1:]
                      if '=' in t)['spin_iters_per_ms'])
    fastest = max(int(l.split('ops_per_sec=')[1].split()[0]) for l in text.splitlines()
                  if l.startswith('bench: workload=ceiling cpus=1 '))
    want = str(fastest * (1000 * cal_ns // 1000000) // 1000)  # ops/s x iterations per 1-us op, per ms
    got = meta_speeds(logs)
    problems = [] if got and all(g == want for g in got) else \
        [f'the boots ran the loop at {got} iterations/ms, not the calibration boot\'s {want}']
    with open(os.path.join(run, 'report.md')) as f:
        if f'| calibrated loop (think=, cs=, ceiling op) | {want} iterations/ms in every boot: the fastest of' \
                not in f.read():
            problems.append('report.md\'s Run table does not give the sweep\'s one loop speed')
    return problems


def given_loop_speed_is_used(work, images):
    """A loop speed given as a boot option (BENCH_BOOTARGS=spin_iters_per_ms=...) is every boot's, and no
    calibration boot runs."""
    results = os.path.join(work, 'given-speed')
    cmd = [sys.executable, RUN, '--results', results, '--strategies', 'fine', '--cpus', '2', '--repeat', '1',
           '--boots', '1', '--duration-ms', '20', '--workloads', 'ceiling', '--label', 'given', '--no-hold-pass',
           '--bootargs', 'spin_iters_per_ms=123456', '--image', f'fine={images["fine"]}']
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    run = os.path.realpath(os.path.join(results, 'latest'))
    if p.returncode != 0:
        return [f'bench-run exit {p.returncode}: ' + ' | '.join(p.stdout.strip().splitlines()[-3:])]
    problems = [] if not os.path.exists(os.path.join(run, 'calibrate')) else ['a calibration boot ran anyway']
    if meta_speeds([os.path.join(run, 'fine-boot1.log')]) != ['123456']:
        problems.append(f'the boot did not run the given speed: {meta_speeds([os.path.join(run, "fine-boot1.log")])}')
    return problems


def a_boot_that_did_less_fails(work, images):
    """A boot that ends well but did less than planned is a failure, not a smaller run: the kernel refused
    a boot option (it keeps its default) or printed fewer runs than the plan."""
    problems = []
    results = os.path.join(work, 'refused')
    cmd = [sys.executable, RUN, '--results', results, '--strategies', 'fine', '--cpus', '1', '--repeat', '1',
           '--boots', '1', '--duration-ms', '20', '--workloads', 'ceiling', '--label', 'refused', '--no-hold-pass',
           '--bootargs', 'think=999999999', '--image', f'fine={images["fine"]}']
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode == 0 or "fine: boot 1: the kernel refused a boot option: think='999999999' is outside" \
            not in p.stdout:
        problems.append(f'a refused boot option passed: rc {p.returncode}: ' + p.stdout.strip()[-300:])
    # Ctrl-C in the middle of a boot (SIGINT to the whole process group, as a terminal sends it): one line
    # saying where the logs are and how to make a report of them, no traceback, exit 130.
    import signal
    import time
    cmd = [sys.executable, RUN, '--results', os.path.join(work, 'interrupted'), '--strategies', 'fine', '--cpus', '1',
           '--repeat', '1', '--boots', '1', '--duration-ms', '8000', '--workloads', 'ceiling', '--label', 'stopped',
           '--no-hold-pass', '--image', f'fine={images["fine"]}'] + GIVEN_SPEED
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    time.sleep(4)
    os.killpg(p.pid, signal.SIGINT)
    out = p.communicate(timeout=60)[0]
    if p.returncode != 130 or 'STOPPED  interrupted: the serial logs of the boots so far are in' not in out or \
            'make plots RUN=' not in out or 'Traceback' in out:
        problems.append(f'Ctrl-C: rc {p.returncode}: {out.strip()[-400:]}')
    from locklab import bench_boot
    log = os.path.join(work, 'short.log')
    with open(log, 'w') as f:
        f.write('bench-meta: format=1\nbench: workload=ceiling cpus=1 repeat=0 ops=5\nbench-end: runs=1 failed=0\n')
    got = bench_boot.short_boot(1, log, 2)
    if not got or not got.startswith('boot 1 ran 1 of the 2 runs planned'):
        problems.append(f'a boot with fewer runs than planned: {got!r}')
    return problems


def warm_up_comes_first(work, images):
    """warmup_ms=: the CPUs spin that long before the first run (a boot with 1500 takes at least 1.2 s longer
    than one with 0), and bench-meta says it; make bench's boots run the default 500."""
    import time
    problems, took = [], {}
    for ms in (0, 1500):
        log = os.path.join(work, f'warmup{ms}.log')
        t0 = time.monotonic()
        subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'qemu-run'), '--quiet', '--image', images['fine'],
                        '--cpus', '2', '--timeout', '60', '--log', log, '--bootargs',
                        f'ktest=none bench=ceiling cpus=1,2 duration_ms=10 repeat=1 warmup_ms={ms}'],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        took[ms] = time.monotonic() - t0
        if meta_speeds([log]) == [None] or f' warmup_ms={ms} ' not in open(log, errors='replace').read():
            problems.append(f'warmup_ms={ms}: bench-meta does not say it ({log})')
    if took[1500] - took[0] < 1.2:
        problems.append(f'a 1.5 s warm-up made the boot only {took[1500] - took[0]:.1f} s longer')
    full = os.path.realpath(os.path.join(work, 'ok', 'latest'))
    if ' warmup_ms=500 ' not in open(os.path.join(full, 'fine-boot1.log'), errors='replace').read():
        problems.append('make bench\'s boots do not warm up for 500 ms')
    return problems


def replot_from_a_log_says_what_is_unknown(work, images):
    """make plots RUN=<serial log>: a new folder whose meta.json and report say how QEMU ran is unknown,
    and results/latest points at it; a log of make bench's, with its .host beside it, says how QEMU ran
    (the report once called it unknown beside a results.csv that had it); a garbled or cut-off log's
    problems open the report, exit 1."""
    import json
    problems, results = [], os.path.join(work, 'replot')
    os.makedirs(results)
    bench_log = os.path.join(os.path.realpath(os.path.join(work, 'ok', 'latest')), 'fine-boot1.log')
    p = subprocess.run([sys.executable, RUN, '--replot', bench_log, '--results', results], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    run = os.path.realpath(os.path.join(results, 'latest'))
    with open(os.path.join(run, 'meta.json')) as f:
        meta = json.load(f)
    with open(os.path.join(run, 'report.md')) as f:
        md = f.read()
    if p.returncode != 0 or meta.get('warnings') or meta.get('accel') != 'multi' or \
            not isinstance(meta.get('host_cpus'), int) or 'how QEMU ran it' in md or '| host CPUs | unknown |' in md \
            or not os.path.isfile(os.path.join(run, 'fine-boot1.host')):
        problems.append(f'a make bench log with its .host: exit {p.returncode}, meta.json {meta}')
    # The same log alone (as a Pi 5's capture, or make qemu | tee): how QEMU ran it is unknown, and said.
    os.makedirs(os.path.join(work, 'alone'))
    log = os.path.join(work, 'alone', 'fine-boot1.log')
    shutil.copy(bench_log, log)
    p = subprocess.run([sys.executable, RUN, '--replot', log, '--results', results], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    run = os.path.realpath(os.path.join(results, 'latest'))
    if not os.path.isfile(os.path.join(run, 'meta.json')):
        return [f'no results/latest with a meta.json after the replot: {p.stdout[-300:]}']
    with open(os.path.join(run, 'meta.json')) as f:
        meta = json.load(f)
    if meta.get('source') != log or not any('single-threaded TCG' in w for w in meta.get('warnings', [])):
        problems.append(f'meta.json: {meta}')
    with open(os.path.join(run, 'report.md')) as f:
        md = f.read()
    if 'how QEMU ran it' not in md[:md.index('## Run')]:
        problems.append('the report does not open with what the log cannot say')
    if 'no Amdahl prediction (no hold-time pass in this run)' not in md or 'hold-time pass (crosses)' in md:
        problems.append('the summary caption of a report from a log promises crosses from a hold-time pass')
    # ... and gives what its bench-meta does say (the Run table called them unknown).
    with open(log, errors='replace') as f:
        version = re.search(r'^bench-meta: .*\bversion=(\S+)', f.read(), re.M).group(1)
    for row in (f'| git revision | {version} |', '| duration per run (ms) / repeats per boot / boots per strategy '
                '| 20 / 1 / 1 |'):
        if row not in md:
            problems.append(f'no {row!r} in the Run table of a report from a log')
    if p.returncode != 0:
        problems.append(f'a clean log replotted with exit {p.returncode}')
    # A log with a garbled record and one cut short: the report opens with what they lost, and the exit is 1.
    with open(log, errors='replace') as f:
        lines = f.read().splitlines(True)
    bad = os.path.join(work, 'garbled.log')
    with open(bad, 'w') as f:
        first = next(i for i, l in enumerate(lines) if l.startswith('bench: workload='))
        f.writelines(lines[:first] + [re.sub(r' ops=\d+', ' ops=abc', lines[first])] + lines[first + 1:-40])
    p = subprocess.run([sys.executable, RUN, '--replot', bad, '--results', results], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    with open(os.path.join(os.path.realpath(os.path.join(results, 'latest')), 'report.md')) as f:
        head = f.read().split('## Run')[0]
    if p.returncode != 1 or "ops='abc' is not a decimal integer" not in head or 'log truncated?' not in head:
        problems.append(f'a garbled, cut-off log: exit {p.returncode}, report opens: {head[-600:]}')
    again = subprocess.run([sys.executable, RUN, '--replot', os.path.realpath(os.path.join(results, 'latest'))],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if again.returncode != 1:
        problems.append(f"the garbled log's folder replotted again: exit {again.returncode}, not 1")
    # A make bench-ratio (or bench-wait) folder is refused in one line naming its own figure: its report
    # said "Missing data: fine: no run of ceiling" (bench-ratio runs the ceiling under the BKL only).
    ratio = os.path.join(work, 'ratio-folder')
    os.makedirs(ratio)
    shutil.copy(bench_log, ratio)
    open(os.path.join(ratio, 'ratio.csv'), 'w').close()
    p = subprocess.run([sys.executable, RUN, '--replot', ratio], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if p.returncode != 2 or 'is a make bench-ratio folder' not in p.stdout or \
            os.path.exists(os.path.join(ratio, 'report.md')):
        problems.append(f'make plots RUN=<a bench-ratio folder>: exit {p.returncode}: {p.stdout[-300:]}')
    # A file that is no bench log at all (make plots RUN=README.md made an empty run folder): one line, no folder.
    before = sorted(os.listdir(results))
    p = subprocess.run([sys.executable, RUN, '--replot', os.path.join(ROOT, 'README.md'), '--results', results],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 2 or 'holds no benchmark record' not in p.stdout or sorted(os.listdir(results)) != before:
        problems.append(f'make plots RUN=README.md: exit {p.returncode}, {p.stdout[-300:]!r}, '
                        f'folders {sorted(os.listdir(results))} (before: {before})')
    return problems


def default_sweep_fits_the_host(work, images):
    """make bench passes --cpus auto unless CPUS= is given: 4 CPUs, or the host's cores if fewer."""
    mod = bench_run
    problems, want = [], min(4, os.cpu_count() or 1)
    a = mod.parse_args(['--cpus', 'auto'])
    if a.cpus != want or a.cpu_list != [c for c in (1, 2, 4) if c <= want]:
        problems.append(f'--cpus auto on {os.cpu_count()} host CPUs: cpus={a.cpus} sweep={a.cpu_list}')
    a = mod.parse_args(['--cpus', '4'])
    if a.cpus != 4 or a.cpu_list != [1, 2, 4]:
        problems.append(f'--cpus 4 asked for: cpus={a.cpus} sweep={a.cpu_list}')
    out = subprocess.run(['make', '-s', '-n', '-C', ROOT, f'O={work}/make-n', 'bench'], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True).stdout
    if '--cpus auto' not in out:
        problems.append('make bench does not pass --cpus auto: ' + out.strip()[-200:])
    out = subprocess.run(['make', '-s', '-n', '-C', ROOT, f'O={work}/make-n', 'bench', 'CPUS=8'], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True).stdout
    if '--cpus 8' not in out:
        problems.append('make bench CPUS=8 does not pass --cpus 8: ' + out.strip()[-200:])
    return problems


def bench_ratio_measures_the_share_inside(work, images):
    """scripts/bench-ratio (make bench-ratio) on the prebuilt kernels, two think values: the share of time
    inside the kernel is measured (high when kernel-bound, low with a long think time), every strategy
    has its speedups, the BKL its single-server bound and Amdahl's prediction, the plot and table exist; make bench-ratio passes its
    defaults and what the user sets."""
    problems, results = [], os.path.join(work, 'ratio')
    p = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'bench-ratio'), '--results', results,
                        '--think', '0,64000', '--duration-ms', '20', '--repeat', '1', '--busy-pct', '100',
                        '--image', f'bkl={images["bkl"]}', '--image', f'fine={images["fine"]}'],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        return [f'bench-ratio exit {p.returncode}: ' + ' | '.join(p.stdout.strip().splitlines()[-4:])]
    run = os.path.join(results, os.listdir(results)[0])
    with open(os.path.join(run, 'ratio.csv')) as f:
        rows = {(r['strategy'], r['workload'], r['think_ns'], r['cpus']): r for r in csv.DictReader(f)}
    for key in [(s, 'ratio', t, c) for s in ('bkl', 'fine') for t in ('0', '64000') for c in ('1', '2')] + \
            [('bkl', 'ceiling', t, '2') for t in ('0', '64000')]:
        if key not in rows:
            problems.append(f'ratio.csv has no row {key}')
    if problems:
        return problems
    inside = [float(rows[('bkl', 'ratio', t, '2')]['inside_pct']) for t in ('0', '64000')]
    if not (inside[0] > 50 and inside[1] < 20):
        problems.append(f'share inside the kernel {inside} %: expected above 50 kernel-bound, below 20 with '
                        '64 us of think time per 2 us call')
    for t, f in zip(('0', '64000'), inside):
        row = rows[('bkl', 'ratio', t, '2')]
        for col, want in (('amdahl', 1 / (f / 100 + (1 - f / 100) / 2)), ('lock_bound', min(2, 100 / f))):
            if abs(float(row[col]) - want) > 0.002:
                problems.append(f'{col} at think={t}: {row[col]}, expected {want:.3f} for {f} % inside')
    for ext in ('png', 'svg'):
        if not os.path.getsize(os.path.join(run, f'ratio.{ext}')):
            problems.append(f'empty ratio.{ext}')
    # One loop speed for every boot, the hold pass's too, from one calibration boot before the first (a boot
    # timing its own loop in a slow stretch did more work per op: 2.995x at 2 CPUs in a student's run).
    speeds = {}
    for log in glob.glob(os.path.join(run, '*-think*.log')) + glob.glob(os.path.join(run, 'hold', '*-think*.log')):
        with open(log, errors='replace') as f:
            m = re.search(r'^bench-meta: .*\bspin_iters_per_ms=(\d+)', f.read(), re.M)
        speeds[os.path.relpath(log, run)] = m and m.group(1)
    said = re.search(r'CALIB +(\d+) iterations/ms in every boot', p.stdout)
    if len(speeds) != 6 or not said or set(speeds.values()) != {said.group(1)} or \
            not os.path.isfile(os.path.join(run, 'calibrate', 'loop.log')):
        problems.append(f'the boots\' loop speeds {speeds}, against the calibration line {said and said.group(0)!r}')
    if not any(l.split()[:1] == ['64000'] for l in p.stdout.splitlines()):
        problems.append('no table row for think=64000: ' + p.stdout[-300:])
    out = subprocess.run(['make', '-s', '-n', '-C', ROOT, f'O={work}/make-n', 'bench-ratio'], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True).stdout
    if 'scripts/bench-ratio --cpus 2 --gic 2' not in out:
        problems.append('make bench-ratio: ' + out.strip()[-200:])
    out = subprocess.run(['make', '-s', '-n', '-C', ROOT, f'O={work}/make-n', 'bench-ratio', 'CPUS=4', 'THINK=0,10',
                          'CS=500', 'STRATEGIES=bkl'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    if not all(w in out for w in ('--cpus 4', '--think 0,10', '--cs 500', '--strategies bkl')):
        problems.append('make bench-ratio CPUS=4 THINK=0,10 CS=500 STRATEGIES=bkl: ' + out.strip()[-200:])
    return problems


class BenchRunTests(ktap_unittest.TestCase):
    """Each case boots the strategies' images through scripts/bench-run (or reads what it wrote)."""

    @classmethod
    def setUpClass(cls):
        cls.work = cls.args.workdir
        cls.images = dict(i.split('=', 1) for i in cls.args.image)
        shutil.rmtree(cls.work, ignore_errors=True)
        os.makedirs(cls.work)

    def test_full_matrix_end_to_end(self):
        expect_no_problems(full_matrix(self.work, self.images))

    def test_broken_boot_keeps_the_rest(self):
        expect_no_problems(broken_boot(self.work, self.images))

    def test_hung_run_is_named_and_earlier_runs_kept(self):
        expect_no_problems(hung_run_is_named(self.work, self.images))

    def test_capture_matches_bench(self):
        expect_no_problems(capture_matches_bench(self.work, self.images))

    def test_boots_rotate_and_sample_the_host(self):
        expect_no_problems(boots_rotate_and_sample_the_host(self.work, self.images))

    def test_given_loop_speed_is_used(self):
        expect_no_problems(given_loop_speed_is_used(self.work, self.images))

    def test_a_boot_that_did_less_fails(self):
        expect_no_problems(a_boot_that_did_less_fails(self.work, self.images))

    def test_warm_up_comes_first(self):
        expect_no_problems(warm_up_comes_first(self.work, self.images))

    def test_replot_from_a_log_says_what_is_unknown(self):
        expect_no_problems(replot_from_a_log_says_what_is_unknown(self.work, self.images))

    def test_default_sweep_fits_the_host(self):
        expect_no_problems(default_sweep_fits_the_host(self.work, self.images))

    def test_bench_ratio_measures_the_share_inside(self):
        expect_no_problems(bench_ratio_measures_the_share_inside(self.work, self.images))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--image', action='append', default=[])
    return ktap_unittest.main('bench_run', BenchRunTests, parser=ap)


if __name__ == '__main__':
    sys.exit(main())
