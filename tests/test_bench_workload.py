#!/usr/bin/env python3
"""A workload is one file, a strategy four: added to a copy of the tree, make bench runs and reports them.

usage: test_bench_workload.py --workdir DIR

Copies the tree (git ls-files) to DIR and adds, touching nothing else:
- bench/wl_one_file.c (two trivial workloads: one-file, and one-file-named
  registered named-only) and its one Kbuild line, as docs/benchmarks.md says;
- a user workload, u-twice: a testcase and its U_ENTRY in
  bench/u_testcases.user.c and one U_WORKLOAD line in bench/wl_user.c, as
  docs/benchmarks.md's "Writing one" says;
- a fourth locking strategy, giant (FreeBSD's name for its big kernel lock):
  its entry in lock-strategies/Kconfig's choice, lock-strategies/giant.h and
  giant.c (bkl.h and bkl.c with the names changed: its lock class is giant)
  and configs/qemu_giant_defconfig, as lock-strategies/Kconfig says.
One scratch copy and one kernel build serve both (the build dominates). It runs
`make bench` there on a tiny matrix (STRATEGIES=giant, 1 CPU, 20 ms runs, one
repeat, one boot; hold times on in that boot, so no separate hold-time pass).
Checks: one-file and u-twice ran with their invariants ok; one-file is in
results.csv, the report and its plots; one-file-named did not run (all leaves it out) but the kernel
lists it as named only; scripts/bench-workloads reads both from the built ELF;
bench=help lists them and an unknown name's error names them; the docs
check's scan of bench/ finds the same workloads as the kernel's table. The strategy:
the kernel's boot record and bench-meta say giant, scope=kernel, classes=giant;
lockstat counted the class giant; the report has its row with the held share
of that lock (read from classes=, so no note that it guessed a lock); and the
kernel passes the strategy suite. Also: every workload of bench/ has its row in
docs/benchmarks.md. Prints KTAP v1.
"""
import argparse
import csv
import glob
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.realpath(__file__))
ROOT = os.path.dirname(HERE)
sys.dont_write_bytecode = True      # no __pycache__ next to the script
sys.path.insert(0, HERE)
from ktap_unittest import expect_no_problems, note  # noqa: E402  (tests/, beside this file)
import ktap_unittest  # noqa: E402

WORKLOAD_C = r'''/* Workloads "one-file" and "one-file-named": added by tests/test_bench_workload.py, one file and one Kbuild line. */
#include "bench.h"

static void one_work(struct bench_worker *w)
{
	while (bench_running(w)) {
		bench_spin_ns(200);
		w->ops++;
	}
}

/* Every measured worker did some work. */
static bool one_check(struct bench_run *r)
{
	for (u32 i = 0; i < r->nworkers; i++)
		if (r->workers[i].ops == 0)
			return false;
	return true;
}

BENCH_WORKLOAD(wl_one_file) = {
	.name = "one-file",
	.what = "200 ns of computation per op (a test's workload)",
	.work = one_work,
	.check = one_check,
};

BENCH_WORKLOAD_NAMED_ONLY(wl_one_file_named) = {
	.name = "one-file-named",
	.what = "the same, run only when named",
	.work = one_work,
	.check = one_check,
};
'''

# A user workload added as docs/benchmarks.md's "Writing one" says: a testcase and its U_ENTRY at the end
# of bench/u_testcases.user.c, one U_WORKLOAD line at the end of bench/wl_user.c.
U_TESTCASE_C = r'''
/* u-twice: added by tests/test_bench_workload.py: two getpids per op, which must agree. */
static void testcase_twice(volatile u_iter *iterations, unsigned long nr)
{
	for (;;) {
		if (usys(SYS_getpid, 0, 0, 0) != usys(SYS_getpid, 0, 0, 0))
			(*slot_of(nr, U_SLOT_BAD))++;
		(*iterations)++;
	}
}

U_ENTRY(twice)

/*
 * u-ends: added by tests/test_bench_workload.py: process 0 runs an undefined instruction 40 ms after its
 * first op (in the measured window, after a 10 ms warm-up), the others return after 1000 ops (in the warm-up).
 */
static void testcase_ends(volatile u_iter *iterations, unsigned long nr)
{
	unsigned long t0, t, hz;

	__asm__ volatile("mrs %0, cntvct_el0" : "=r"(t0));
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
	for (int i = 0; nr == 0 || i < 1000; i++) {
		usys(SYS_getpid, 0, 0, 0);
		(*iterations)++;
		__asm__ volatile("mrs %0, cntvct_el0" : "=r"(t));
		if (nr == 0 && t - t0 > hz / 25)
			__asm__ volatile("udf #0");
	}
}

U_ENTRY(ends)
'''
U_WORKLOAD_LINE = 'U_WORKLOAD(twice, "u-twice", "two getpids per op at EL0 (a test\'s user workload)");\n'
# u-ends, named only (so `all` leaves it out): a testcase whose processes end before the run does must fail
# the run, not hang the boot at the barrier.
U_ENDS_WORKLOAD_C = r'''
long u_run_ends(u64 nr);
static void u_ends_work(struct bench_worker *w)
{
	u_work(w, u_run_ends);
}
BENCH_WORKLOAD_NAMED_ONLY(wl_u_ends) = {
	.name = "u-ends",
	.what = "a testcase that faults (process 0) or returns (the others): a test's",
	.setup = u_setup,
	.work = u_ends_work,
	.check = u_check,
	.at_el0 = true,
};
'''


def copy_tree(dst):
    """The files of the tree, modes kept: the tracked ones (what a clone has) and the new ones git does not
    ignore (a workload file a student has just added, not yet committed)."""
    files = subprocess.run(['git', '-C', ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], stdout=subprocess.PIPE, check=True).stdout
    for rel in filter(None, files.decode().split('\0')):
        src = os.path.join(ROOT, rel)
        if not os.path.isfile(src):
            continue  # deleted in the work tree
        os.makedirs(os.path.dirname(os.path.join(dst, rel)), exist_ok=True)
        shutil.copy2(src, os.path.join(dst, rel))


def add_giant_strategy(tree):
    """The fourth strategy: a Kconfig entry, its header and .c, a defconfig; no other file touched."""
    kconfig = os.path.join(tree, 'lock-strategies', 'Kconfig')
    text = open(kconfig).read()
    entry = ('config LOCK_STRATEGY_GIANT\n\tbool "Giant lock (FreeBSD; a test\'s copy of the BKL)"\n'
             '\tselect LOCK_COARSE\n\thelp\n\t  The BKL under another name, added by a test: one recursive\n'
             '\t  lock from kernel entry to exit, its lockstat class "giant".\n\n')
    at = text.index('endchoice')  # the first choice is the strategy's
    open(kconfig, 'w').write(text[:at] + entry + text[at:])
    for ext in ('h', 'c'):
        src = open(os.path.join(tree, 'lock-strategies', f'bkl.{ext}')).read()
        new = src.replace('bkl', 'giant').replace('BKL', 'GIANT')
        if new == src:
            raise ValueError(f'lock-strategies/bkl.{ext} names no bkl to rename')
        open(os.path.join(tree, 'lock-strategies', f'giant.{ext}'), 'w').write(new)
    src = open(os.path.join(tree, 'configs', 'qemu_bkl_defconfig')).read()
    open(os.path.join(tree, 'configs', 'qemu_giant_defconfig'), 'w').write(
        src.replace('CONFIG_LOCK_STRATEGY_BKL=y', 'CONFIG_LOCK_STRATEGY_GIANT=y').replace('bkl', 'giant'))


def giant_in_run(run, tree):
    """What make bench's run folder shows of the fourth strategy."""
    problems = []
    with open(os.path.join(run, 'results.csv')) as f:
        rows = list(csv.DictReader(f))
    got = {(r['strategy'], r['scope'], r['classes']) for r in rows}
    if got != {('giant', 'kernel', 'giant')}:
        problems.append(f'results.csv strategy, scope, classes: {sorted(got)}')
    with open(os.path.join(run, 'lockstat.csv')) as f:
        held = [r for r in csv.DictReader(f) if r['class'] == 'giant' and int(r['acquisitions']) > 0]
    if not held:
        problems.append('lockstat.csv: no acquisitions of the class giant')
    with open(os.path.join(run, 'report.md')) as f:
        md = f.read()
    # The speedup table's row: workload, strategy, then the held share s of the real lock and 1/s.
    row = [c.strip() for c in next((l for l in md.splitlines() if l.startswith('| getpid | giant |')), '').split('|')]
    if len(row) < 4 or not row[-3].replace('.', '', 1).isdigit() or float(row[-3]) <= 0:
        problems.append(f'report.md: no held share of giant\'s lock for getpid: {row}')
    if 'giant: Amdahl for' in md:
        problems.append('report.md guessed giant\'s lock (a most-held-class note): classes= was not read')
    if 'giant' not in open(os.path.join(run, 'report.html')).read():
        problems.append('report.html does not name giant')
    return problems


def one_file_workload(work):
    problems = []
    tree = os.path.join(work, 'tree')
    copy_tree(tree)
    add_giant_strategy(tree)
    with open(os.path.join(tree, 'bench', 'wl_one_file.c'), 'w') as f:
        f.write(WORKLOAD_C)
    with open(os.path.join(tree, 'bench', 'Kbuild'), 'a') as f:
        f.write('obj-$(CONFIG_BENCH) += wl_one_file.o\n')
    with open(os.path.join(tree, 'bench', 'u_testcases.user.c'), 'a') as f:
        f.write(U_TESTCASE_C)
    with open(os.path.join(tree, 'bench', 'wl_user.c'), 'a') as f:
        f.write(U_WORKLOAD_LINE + U_ENDS_WORKLOAD_C)
    env = {k: v for k, v in os.environ.items() if k not in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES')}
    # A run in which the vCPU waited for a host core is flagged host_busy and left out of the report's
    # numbers, as it should be; the 20 ms runs here are short enough for one busy moment of the host to
    # do it, so a run whose rows this test reads (one-file, getpid) are flagged is made again (the kernel
    # is built by then), at most twice.
    for attempt in range(3):
        t0 = time.time()
        p = subprocess.run(['make', '--no-print-directory', '-C', tree, 'bench', 'STRATEGIES=giant', 'CPUS=1',
                            'DURATION_MS=20', 'REPEAT=1', 'BOOTS=1', 'BENCH_BOOTARGS=lockstat_hold=1'], env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=600)
        note(f'make bench in the copy: {time.time() - t0:.1f} s')
        if p.returncode != 0:
            return [f'make bench exit {p.returncode}: ' + ' | '.join(p.stdout.strip().splitlines()[-4:])]
        run = os.path.realpath(os.path.join(tree, 'results', 'latest'))
        with open(os.path.join(run, 'results.csv')) as f:
            rows = list(csv.DictReader(f))
        busy = [r['workload'] for r in rows if r.get('host_busy') == '1' and r['workload'] in ('one-file', 'getpid')]
        if not busy:
            break
        note(f'runs flagged host_busy (left out of the report): {", ".join(busy)}'
             + ('; make bench again' if attempt < 2 else '; giving up'))
    mine = [r for r in rows if r['workload'] == 'one-file']
    if len(mine) != 1 or mine[0]['invariants'] != 'ok' or int(mine[0]['ops']) == 0:
        problems.append(f'results.csv rows of one-file: {mine}')
    mine = [r for r in rows if r['workload'] == 'u-twice']
    if len(mine) != 1 or mine[0]['invariants'] != 'ok' or int(mine[0]['ops']) == 0:
        problems.append(f'results.csv rows of the user workload u-twice: {mine}')
    if any(r['workload'] == 'one-file-named' for r in rows):
        problems.append('all ran the named-only workload')
    if not any(r['workload'] == 'ceiling' for r in rows):
        problems.append('all did not run the tree\'s own workloads')
    with open(os.path.join(run, 'report.html')) as f:
        html = f.read()
    if 'one-file' not in html or 'plots/throughput-one-file.png' not in html:
        problems.append('report.html does not show one-file')
    if not os.path.isfile(os.path.join(run, 'plots', 'throughput-one-file.svg')):
        problems.append('no plots/throughput-one-file.svg')
    problems += giant_in_run(run, tree)
    with open(os.path.join(run, 'giant-boot1.log'), errors='replace') as f:
        rec = [l.split() for l in f if l.startswith('bench-workloads: ')]
    # A long table takes several records (docs/output-format.md: read them all), so a tree with more
    # workloads than today's, a student's, still passes.
    lists = {'all': [], 'named_only': []}
    for r in rec:
        for k, v in (t.split('=', 1) for t in r[1:] if '=' in t):
            lists.setdefault(k, []).extend(n for n in v.split(',') if n)
    if 'one-file' not in lists['all'] or 'one-file-named' not in lists['named_only']:
        problems.append(f'the kernel\'s bench-workloads records: {rec}')
    # The kernel's own answers: bench=help lists it, an unknown name's error names it among the known ones.
    image = os.path.join(tree, 'build', 'bench-giant', 'Image')
    # bench=help's boot also runs the strategy suite (KTAP: every case ok or skipped, none not ok).
    for args, want in (('ktest=strategy bench=help', ['  one-file ', '  one-file-named ', '[named only]',
                                                      'strategy=giant', 'strategy_scopes_map_to_one_real_lock',
                                                      'strategy_only_the_real_lock_is_counted']),
                       ('bench=one-file,nope', ["unknown workload 'nope' (known: all, ", 'one-file',
                                                'named only: ', 'one-file-named'])):
        log = os.path.join(work, args.replace('=', '-').replace(',', '-').replace(' ', '-') + '.log')
        q = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'qemu-run'), '--quiet', '--no-ktap',
                            '--image', image, '--cpus', '2' if 'ktest=strategy' in args else '1', '--timeout', '60', '--bootargs',
                            args if args.startswith('ktest=') else f'ktest=none {args}',
                            '--log', log], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        with open(log, errors='replace') as f:
            text = f.read()
        if any(w not in text for w in want) or (q.returncode == 0) != args.endswith('bench=help') or \
                ('ktest=strategy' in args and 'not ok' in text):
            problems.append(f'boot with {args}: exit {q.returncode}, ' + ' | '.join(
                l for l in text.splitlines() if 'one-file' in l or 'nope' in l)[:400])
    problems += testcase_that_ends(work, image)
    listed = subprocess.run([sys.executable, os.path.join(tree, 'scripts', 'bench-workloads'),
                             os.path.join(tree, 'build', 'bench-giant', 'Image')], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True).stdout.splitlines()
    if 'one-file' not in listed or 'one-file-named named_only' not in listed:
        problems.append(f'scripts/bench-workloads on the ELF: {listed}')
    built = {l.split()[0] for l in listed if l.strip()}
    if built != workloads_in_sources(tree):
        problems.append(f'the source scan (the docs check\'s) and the kernel\'s table differ: only in the '
                        f'kernel {sorted(built - workloads_in_sources(tree))}, only in the scan '
                        f'{sorted(workloads_in_sources(tree) - built)}')
    return problems


def testcase_that_ends(work, image):
    """u-ends at 1 and 2 CPUs: its processes fault (in the measured window) or return (before it) before
    the run ends. Each run fails, saying why, without a count wrapped by the missing end, and the boot goes on
    to its end instead of waiting at the stop barrier for ever."""
    log = os.path.join(work, 'u-ends.log')
    t0 = time.time()
    q = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'qemu-run'), '--quiet', '--no-ktap',
                        '--image', image, '--cpus', '2', '--timeout', '60', '--bootargs',
                        'ktest=none bench=u-ends cpus=1,2 repeat=1 duration_ms=100 spin_iters_per_ms=100000 '
                        'warmup_ms=0', '--log', log], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    took = time.time() - t0
    with open(log, errors='replace') as f:
        text = f.read()
    want = ["bench: error u-ends cpu0: the testcase's process ended (status 132) before the run did: it was killed",
            "bench: error u-ends cpu1: the testcase's process ended (status 1) before the run did: its testcase "
            "returned", 'bench-end: runs=2 failed=2', 'shutdown: ']
    missing = [w for w in want if w not in text]
    # Process 0 arrived at the start barrier and never at the stop one: its count is left out, not wrapped.
    ops = [int(m) for m in re.findall(r'^bench: workload=u-ends cpus=\d repeat=0 ops=(\d+) ', text, re.M)]
    if len(ops) != 2 or max(ops) > 10**9:
        missing.append(f'two runs, neither counting a worker that never reached the stop barrier: ops {ops}')
    if missing or q.returncode == 0 or took > 50:
        return [f'bench=u-ends: exit {q.returncode} after {took:.0f} s, missing {missing}; last lines: ' +
                ' | '.join(text.splitlines()[-4:])]
    return []


def workloads_in_sources(root):
    """The workload names bench/*.c spell out: `.name = "..."` in a BENCH_WORKLOAD, or U_WORKLOAD's second
    argument (one_file_workload checks this scan against the built kernel's own table)."""
    names = set()
    for src in glob.glob(os.path.join(root, 'bench', '*.c')):
        text = open(src).read()
        names.update(re.findall(r'\.name\s*=\s*"([^"]+)"', text))
        names.update(re.findall(r'^U_WORKLOAD\(\s*\w+\s*,\s*"([^"]+)"', text, re.M))
    return names


def every_workload_is_documented(work):
    """Each workload of bench/ has its row in docs/benchmarks.md's table of workloads (its lesson lives
    there), and the table names none that bench/ lacks. A scan of the sources: instant."""
    names = workloads_in_sources(ROOT)
    with open(os.path.join(ROOT, 'docs', 'benchmarks.md')) as f:
        text = f.read()
    table = text[text.find('\n## Workloads'):][:text[text.find('\n## Workloads'):].find('\n###')]
    rows = set(re.findall(r'^\| `([a-z0-9-]+)`', table, re.M))
    where = ('in its table of workloads (under "## Workloads", before the first "###"), a row '
             '"| `NAME` | one op | invariants checked after the run | in the lock at 1 CPU: BKL / SUBSYS |"')
    return ([f'docs/benchmarks.md has no row for workload {n}: add one {where}' for n in sorted(names - rows)] +
            [f'docs/benchmarks.md has a row for {n}, which bench/ does not define' for n in sorted(rows - names)]
            + ([] if names else ['no workload found in bench/*.c']))


class BenchWorkloadTests(ktap_unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = os.path.abspath(cls.args.workdir)
        shutil.rmtree(cls.work, ignore_errors=True)
        os.makedirs(cls.work)

    def test_every_workload_is_documented(self):
        expect_no_problems(every_workload_is_documented(self.work))

    def test_a_workload_is_one_file(self):
        expect_no_problems(one_file_workload(self.work))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--workdir', required=True)
    return ktap_unittest.main('bench_workload', BenchWorkloadTests, parser=ap)


if __name__ == '__main__':
    sys.exit(main())
