#!/usr/bin/env python3
# Synthetic run folders and report checkers for tests/test_bench_report.py (known numbers in, files to check out).
"""Imported, not run: the tables a report is built from (THROUGHPUT, HOLD_1CPU), make_run() to write a
run folder of them under TMP, report() to run scripts/bench-report on it, and the readers that check what
it wrote (check_plots, check_html, data_blocks, md_table_row, speedups)."""
import csv
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

sys.dont_write_bytecode = True      # no __pycache__ next to the scripts
HERE = os.path.dirname(os.path.realpath(__file__))
SCRIPTS = os.path.join(os.path.dirname(HERE), 'scripts')
TOOL = os.path.join(SCRIPTS, 'bench-report')
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'tools'))
from locklab import bench_extract as bx  # noqa: E402
from ktap_unittest import Failed, expect, expect_eq  # noqa: E402  (tests/, beside this file)

GNUPLOT = shutil.which('gnuplot') is not None
STRATEGIES = ['bkl', 'subsys', 'fine']
WORKLOADS = ['mm', 'fs-private', 'lock']
CPUS = [1, 2, 4]
TMP = tempfile.mkdtemp(prefix='locklab-bench-report-')


Skip = unittest.SkipTest   # a case that cannot run here (no gnuplot) ends with # SKIP


def expect_close(got, want, what, tol=1e-4):
    expect(abs(got - want) <= tol * max(1, abs(want)), f'{what}: expected {want}, got {got}')


# ---- synthetic run folders ------------------------------------------------------------------

# Throughput (ops/s) at 1, 2, 4 CPUs; two repeats each, v - v//20 and v + v//20 (about -5 %
# and +5 %), so the mean is the value given.
THROUGHPUT = {'bkl': [100, 95, 90], 'subsys': [100, 130, 150], 'fine': [100, 190, 360]}
NS = 1_000_000_000
# hold_total_ns at 1 CPU, per repeat: bkl's real lock is held 25 % of the run, subsys's _lock
# classes 30 % + 10 % (runqueue and page are not its real lock and must not count).
HOLD_1CPU = {'bkl': {'bkl': 250_000_000, 'runqueue': 500_000_000},
             'subsys': {'mm_lock': 300_000_000, 'fs_lock': 100_000_000, 'runqueue': 500_000_000},
             'fine': {'page_arena': 200_000_000, 'kmalloc_cache': 100_000_000}}
# What each strategy's kernel prints in bench-meta (scope=, classes=): the report reads the real lock by them.
REAL = {'bkl': ('kernel', 'bkl'), 'subsys': ('subsys', 'proc_lock,fs_lock,ipc_lock,mm_lock'), 'fine': ('data', '')}
CLASSES = {'bkl': ['bkl', 'runqueue'], 'subsys': ['mm_lock', 'fs_lock', 'ipc_lock', 'runqueue'],
           'fine': ['page_arena', 'kmalloc_cache', 'inode', 'bench_lock', 'runqueue']}


def result_row(strategy, workload, cpus, repeat, ops_per_sec, invariants='ok', lwp='12.50'):
    ops = ops_per_sec       # over NS = 1 s
    return {'strategy': strategy, 'lock_alg': 'ticket', 'atomics': 'lse', 'spin_wait': 'busy',
            'lock_wait': 'spin', 'board': 'qemu-virt', 'cpus_online': '4', 'workload': workload,
            'scope': REAL.get(strategy, ('', ''))[0], 'classes': REAL.get(strategy, ('', ''))[1],
            'cpus': cpus, 'repeat': repeat, 'ops': ops, 'ns': NS, 'ops_per_sec': ops_per_sec,
            'thread_ops_min': ops // cpus - 1, 'thread_ops_max': ops // cpus + 1,
            'lock_wait_pct': lwp if cpus > 1 else '0.00', 'invariants': invariants,
            'log': f'{strategy}.log'}


def lockstat_row(strategy, workload, cpus, repeat, cls, acq, cont, hold):
    return {'strategy': strategy, 'lock_alg': 'ticket', 'lock_wait': 'spin', 'workload': workload,
            'cpus': cpus, 'repeat': repeat, 'class': cls, 'acquisitions': acq, 'contentions': cont,
            'con_bounces': cont, 'acq_bounces': cont, 'wait_min_ns': 16 if cont else 0,
            'wait_max_ns': 9000 if cont else 0, 'wait_total_ns': 2000 * cont, 'hold_min_ns': 16,
            'hold_max_ns': 5000, 'hold_total_ns': hold, 'trylock_fail': 0, 'log': f'{strategy}.log'}


def synthetic(strategies=STRATEGIES, hold=True, fail=None):
    """(results rows, lockstat rows) for strategies x WORKLOADS x CPUS x 2 repeats."""
    runs, stats = [], []
    for s in strategies:
        for w in WORKLOADS:
            for i, c in enumerate(CPUS):
                for rep in (0, 1):
                    v = THROUGHPUT[s][i] + (-1 if rep == 0 else 1) * (THROUGHPUT[s][i] // 20)
                    runs.append(result_row(s, w, c, rep, v, 'FAIL' if (s, w, c, rep) == fail else 'ok'))
                    for k, cls in enumerate(CLASSES[s]):
                        h = HOLD_1CPU[s].get(cls, 0) if c == 1 else 3000 * c
                        cont = 0 if c == 1 else (k + 1) * 100 * c
                        stats.append(lockstat_row(s, w, c, rep, cls, 10000, cont, h if hold else 0))
    return runs, stats


def make_run(name, runs=None, stats=None, meta=None):
    run = os.path.join(TMP, name)
    os.makedirs(run)
    for fname, cols, rows in (('results.csv', bx.RESULTS_COLUMNS, runs),
                              ('lockstat.csv', bx.LOCKSTAT_COLUMNS, stats)):
        if rows is not None:
            with open(os.path.join(run, fname), 'w', newline='') as f:
                w = csv.DictWriter(f, cols, lineterminator='\n')
                w.writeheader()
                w.writerows(rows)
    if meta is not None:
        with open(os.path.join(run, 'meta.json'), 'w') as f:
            json.dump(meta, f)
    return run


META = {'label': 'synthetic-run', 'started': '2026-01-02T03:04:05', 'git': 'abc1234-dirty',
        'qemu': 'QEMU emulator version 7.2.0', 'host_cpus': 4, 'vcpus': 4, 'accel': 'multi',
        'duration_ms': 300, 'repeat': 2, 'elapsed_s': 12.5, 'failures': [],
        'strategies': {s: {'config': f'CONFIG_LOCK_STRATEGY_{s.upper()}=y', 'status': 'ok'}
                       for s in STRATEGIES}}


def report(run, env=None):
    """Runs the tool; returns (exit status, stdout, stderr)."""
    p = subprocess.run([sys.executable, TOOL, run], capture_output=True, text=True, timeout=300,
                       env=env)
    return p.returncode, p.stdout, p.stderr


def expect_rc(got, want, err):
    """want is the status with gnuplot; without it the tool always says 2."""
    expect_eq(got, want if GNUPLOT else 2, f'exit status (stderr: {err.strip()[-400:]}):')


def read(run, *path):
    with open(os.path.join(run, *path), encoding='utf-8') as f:
        return f.read()


def plot_names(workloads, contention=True, lockwait=True, summary=True):
    kinds = ['throughput', 'speedup', 'fairness'] + (['lockwait'] if lockwait else [])
    return sorted([f'{k}-{w}' for w in workloads for k in kinds] +
                  (['contention-pct', 'contention-wait'] if contention else []) + (['summary'] if summary else []))


class StrictHTML(HTMLParser):
    """Checks that every element is closed in order (void elements excepted); collects links."""
    VOID = {'meta', 'img', 'br', 'hr', 'link', 'input', 'source', 'col', 'wbr'}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.links = [], [], set()

    def handle_starttag(self, tag, attrs):
        self.links |= {v for k, v in attrs if k in ('href', 'src') and v}
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f'</{tag}> closes {self.stack[-1:] or "nothing"} at {self.getpos()}')
        else:
            self.stack.pop()


def check_html(run):
    """report.html parses strictly; returns the links in it."""
    text = read(run, 'report.html')
    expect(text.startswith('<!DOCTYPE html>'), 'report.html has no <!DOCTYPE html>')
    expect('<style>' in text and '<link' not in text, 'report.html: CSS not inline')
    p = StrictHTML()
    p.feed(text)
    p.close()
    expect(not p.errors and not p.stack, f'report.html does not parse: {p.errors[:3]} open: {p.stack}')
    return p.links


def check_plots(run, names):
    """Exactly these plots, PNG + SVG well formed, each with its script, each linked from the HTML."""
    pdir = os.path.join(run, 'plots')
    got = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(pdir, '*.png')))
    expect_eq(got, names, 'PNG plots:')
    expect_eq(sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(pdir, '*.svg'))), names,
              'SVG plots:')
    links = check_html(run)
    for n in names:
        with open(os.path.join(pdir, n + '.png'), 'rb') as f:
            expect(f.read(8) == b'\x89PNG\r\n\x1a\n', f'plots/{n}.png is not a PNG')
        expect(os.path.getsize(os.path.join(pdir, n + '.svg')) > 0, f'plots/{n}.svg is empty')
        try:
            root = ET.parse(os.path.join(pdir, n + '.svg')).getroot()
        except ET.ParseError as e:
            raise Failed(f'plots/{n}.svg is not XML: {e}')
        expect(root.tag.endswith('svg'), f'plots/{n}.svg: root element {root.tag}')
        with open(os.path.join(pdir, n + '.pdf'), 'rb') as f:
            expect(f.read(5) == b'%PDF-', f'plots/{n}.pdf is not a PDF')
        expect(os.path.isfile(os.path.join(pdir, n + '.gp')), f'plots/{n}.gp missing')
        expect(f'plots/{n}.svg' in links or f'plots/{n}.png' in links,
               f'report.html does not link plots/{n}')


def data_blocks(path):
    """A gnuplot data file as {block label: [[float, ...], ...]}."""
    blocks, label = {}, None
    with open(path) as f:
        for line in f:
            m = re.match(r'# index \d+: (\S+)', line)
            if m:
                label = m.group(1)
                blocks[label] = []
            elif line.strip() and not line.startswith('#'):
                blocks[label].append([None if v == 'NaN' else float(v) if re.fullmatch(r'[-+0-9.eE]+', v) else v
                                      for v in line.split()])
    return blocks


def md_table_row(md, *first):
    """The cells of the report.md table row that starts with these cells."""
    for line in md.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if line.startswith('|') and cells[:len(first)] == list(first):
            return cells[len(first):]
    raise Failed(f'report.md has no table row {first}')


def speedups(md, w, s):
    """The median speedups of the speedup table's row, without their spread."""
    return [c.split(' (')[0] for c in md_table_row(md, w, s)[:3]]


def remove_tmp():
    shutil.rmtree(TMP, ignore_errors=True)
