#!/usr/bin/env python3
"""Smoke benchmark: boots each strategy's kernel with every workload at 1 and 2 CPUs for a few ms and checks the records.

usage: test_bench_smoke.py --workdir DIR IMAGE...
Each IMAGE is booted with bench=all; the serial log goes through
scripts/bench-extract, which must accept every record (nothing malformed,
bench-end present). Then every workload must have a run at 1 and 2 CPUs
with invariants=ok and ops > 0, and the lock workload's lockstat count must
match its own op count exactly (acq_exact=ok). Prints KTAP v1.
"""
import argparse
import csv
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
ROOT = os.path.dirname(HERE)
WORKLOADS = ['mm', 'fs-private', 'fs-shared', 'pipe', 'proc', 'mixed', 'lock']
BOOTARGS = 'ktest=none bench=all cpus=1,2 duration_ms=20'


def check_image(image, workdir):
    """Returns a list of problems (empty: pass)."""
    name = os.path.basename(os.path.dirname(os.path.abspath(image)))
    log = os.path.join(workdir, name + '.log')
    out = os.path.join(workdir, name)
    boot = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'qemu-run'), '--quiet', '--image', image,
                           '--cpus', '2', '--no-ktap', '--timeout', '120', '--bootargs', BOOTARGS, '--log', log],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    problems = []
    if boot.returncode != 0:
        problems.append(f'boot failed (qemu-run exit {boot.returncode}): {boot.stdout.strip().splitlines()[-1:]}')
    ext = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'bench-extract'), '--out', out, log],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if ext.returncode != 0:
        problems.append('bench-extract: ' + ' | '.join(ext.stdout.strip().splitlines()[-6:]))
    try:
        with open(os.path.join(out, 'results.csv')) as f:
            rows = list(csv.DictReader(f))
    except OSError as err:
        return problems + [f'no results.csv: {err}']
    with open(log, errors='replace') as f:
        exact = {}
        for line in f:
            if line.startswith('bench: '):
                kv = dict(p.split('=', 1) for p in line.split()[1:] if '=' in p)
                exact[(kv.get('workload'), kv.get('cpus'))] = kv.get('acq_exact')
    for wl in WORKLOADS:
        for cpus in ('1', '2'):
            run = [r for r in rows if r['workload'] == wl and r['cpus'] == cpus]
            if len(run) != 1:
                problems.append(f'{wl} at {cpus} CPU(s): {len(run)} runs, expected 1')
                continue
            if run[0]['invariants'] != 'ok' or int(run[0]['ops']) <= 0:
                problems.append(f'{wl} at {cpus} CPU(s): invariants={run[0]["invariants"]} ops={run[0]["ops"]}')
            if wl == 'lock' and exact.get((wl, cpus)) != 'ok':
                problems.append(f'lock at {cpus} CPU(s): lockstat acquisitions do not match ops '
                                f'(acq_exact={exact.get((wl, cpus))})')
    return problems


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--workdir', required=True)
    p.add_argument('images', nargs='+')
    a = p.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    print(f'KTAP version 1\n1..1\n  KTAP version 1\n  # Subtest: bench_smoke\n  1..{len(a.images)}', flush=True)
    failed = 0
    for i, image in enumerate(a.images, 1):
        name = os.path.basename(os.path.dirname(os.path.abspath(image)))
        problems = check_image(image, a.workdir)
        for line in problems:
            print(f'  # {name}: {line}')
        print(f'  {"not ok" if problems else "ok"} {i} {name}', flush=True)
        failed += bool(problems)
    print(f'{"not ok" if failed else "ok"} 1 bench_smoke')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
