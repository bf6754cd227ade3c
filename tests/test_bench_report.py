#!/usr/bin/env python3
# Self-tests of scripts/bench-report (run folder -> gnuplot graphs + report.md/report.html).
"""Run: python3 tests/test_bench_report.py   (prints KTAP v1; exit status 1 if a test fails).

Each case builds a run folder (synthetic results.csv/lockstat.csv/meta.json with known
numbers, tests/bench_fixtures.py), runs scripts/bench-report on it as a subprocess and checks
the exit status, the plots (every PNG and SVG there and well formed, every one linked from
report.html), the data files (speedups, Amdahl values) and the report's text. Without gnuplot
the tool exits 2 and writes no images: the cases that need images then end with # SKIP."""
import csv
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True      # no __pycache__ next to the scripts
HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, HERE)
from bench_fixtures import (  # noqa: E402
    CLASSES, CPUS, GNUPLOT, META, SCRIPTS, STRATEGIES, THROUGHPUT, TMP, TOOL, WORKLOADS, Skip, bx, check_html,
    check_plots, data_blocks, expect_close, expect_rc, lockstat_row, make_run, md_table_row, plot_names,
    read, remove_tmp, report, result_row, speedups, synthetic)
import ktap_unittest  # noqa: E402  (tests/, beside this file)
from ktap_unittest import expect, expect_eq  # noqa: E402

# ---- cases --------------------------------------------------------------------------------


class BenchReportTests(unittest.TestCase):
    """The bench_report tests, in the order KTAP numbers them."""

    def test_full_run_plots_and_report(self):
        run = make_run('full', *synthetic(), meta=META)
        rc, out, err = report(run)
        expect_rc(rc, 0, err)
        names = plot_names(WORKLOADS)
        if GNUPLOT:
            expect_eq(out, f'bench-report: {len(names)} of {len(names)} plots written to {run}/plots (PNG, SVG, PDF)\n'
                           f'bench-report: report: {run}/report.md and report.html\n', 'stdout')
            check_plots(run, names)
        else:
            expect('apt-get install gnuplot-nox' in err, f'no install hint in stderr: {err}')
        check_html(run)
        for n in names:     # data and scripts are written with or without gnuplot
            expect(os.path.isfile(os.path.join(run, 'plots', n + '.gp')), f'plots/{n}.gp missing')
        for d in ('throughput-mm', 'speedup-lock', 'lockwait-fs-private', 'fairness-mm', 'contention'):
            expect(os.path.isfile(os.path.join(run, 'plots', 'data', d + '.dat')), f'plots/data/{d}.dat missing')
        md = read(run, 'report.md')
        for word in WORKLOADS + STRATEGIES + ['synthetic-run', '2026-01-02T03:04:05', 'abc1234-dirty',
                                              'QEMU emulator version 7.2.0', 'CONFIG_LOCK_STRATEGY_SUBSYS=y',
                                              'multi', 'lockstat hold times', 'global lock']:
            expect(word.lower() in md.lower(), f'report.md does not mention {word!r}')
        expect('## Failures' not in md and '## Missing data' not in md, 'failures or missing data reported')
        html_text = read(run, 'report.html')
        expect('fs-private' in html_text and 'Speedup over 1 CPU' in html_text, 'report.html lacks the tables')
        if not GNUPLOT:
            raise Skip('gnuplot not installed: image checks skipped')

    def test_speedup_table_and_data(self):
        run = make_run('speedup', *synthetic(), meta=META)
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        md = read(run, 'report.md')
        expect('| workload | strategy | 1 CPU |' in md, 'the speedup table heads its column "strategy"')
        # pair_speedups divides by the 1-CPU run of the same repeat; at 4 CPUs the 2-CPU run lies between the two,
        # so the heading's "the 1-CPU run just before it" was not what it computed
        expect('each N-CPU run over the 1-CPU run of the same repeat in the same boot)' in md and
               'just before' not in md and 'just before' not in read(run, 'plots', 'speedup-mm.gp') + md,
               'the speedup table and plots say which 1-CPU run a speedup divides by')
        # 4 vCPUs on 4 host cores, kernel workloads only, no ceiling: only the caveats that apply.
        caveats = md[md.index('## Caveats'):md.index('## Reading')]
        expect('fewer cores than vCPUs' not in caveats and 'the u-* workloads trap' not in caveats and
               'QEMU takes its global lock on every read of the architected counter' in caveats,
               f'the caveats of a 4-on-4 run of kernel workloads: {caveats}')
        expect('no ceiling median at 4 CPUs (the yardstick for every speedup): WORKLOADS=ceiling,... runs it' in md,
               'the summary\'s caption does not say the ceiling is missing')
        for w in WORKLOADS:
            expect_eq(md_table_row(md, w, 'fine')[:3], ['1.00', '1.90 (1.90–1.91, 2 pairs)',
                                                         '3.60 (3.60–3.60, 2 pairs)'], f'{w} fine speedups:')
            expect_eq(speedups(md, w, 'subsys'), ['1.00', '1.30', '1.50'], f'{w} subsys speedups:')
            expect_eq(speedups(md, w, 'bkl'), ['1.00', '0.95', '0.90'], f'{w} bkl speedups:')
        fine = data_blocks(os.path.join(run, 'plots', 'data', 'speedup-mm.dat'))['fine']
        expect_eq([r[0] for r in fine], [1.0, 2.0, 4.0], 'fine speedup CPUs')
        for row, want in zip(fine, (1.0, 1.9, 3.6)):
            # the median of the two repeats' pairs (their throughputs are rounded to integers)
            expect_close(row[1], want, f'fine speedup at {row[0]:g} CPUs', tol=1e-3)
        # error bars: min and max over the pairs; each repeat's runs are 5 % off in the same direction
        # (342/95 and 378/105), so pairing with the adjacent 1-CPU run cancels it: no spread
        expect_close(fine[2][2], 342 / 95, 'fine speedup min at 4 CPUs')
        expect_close(fine[2][3], 378 / 105, 'fine speedup max at 4 CPUs')
        tp = data_blocks(os.path.join(run, 'plots', 'data', 'throughput-mm.dat'))['fine']
        expect_eq(tp, [[1.0, 100.0, 95.0, 105.0, 2.0], [2.0, 190.0, 181.0, 199.0, 2.0],
                       [4.0, 360.0, 342.0, 378.0, 2.0]], 'fine throughput data (cpus mean min max n):')
        expect('**mm**: in this run fine scales best: 3.60×' in md, 'reading: fine scales best on mm')
        expect('bkl is flat (0.90×; up to 1.15× counts as flat) while fine rises (3.60×)' in md,
               'reading: bkl flat, fine rises')
        expect('## Lock timelines\n\nNone in this run: make bench records one per strategy of fs-private' in md,
               'a run without a timeline says so where the timelines would be')
        expect('1.89 times the next' in md or '2.40 times the next' in md, 'reading: by how much')

    def test_noise_caveat_gives_this_runs_host_speed(self):
        # The ceiling's 1-CPU runs, ops/s x the boot's calibrated loop iterations per ms: bkl's boot
        # calibrated at 200 k/ms and ran 1 M and 3 M ops/s (200 and 600 M iterations/s), fine's at 700 k/ms
        # and 1 M ops/s (700); a busy run (50) is left out.
        res, stats = synthetic()
        for strategy, ops, spin, busy in (('bkl', 1_000_000, 200_000, '0'), ('bkl', 3_000_000, 200_000, '0'),
                                          ('fine', 1_000_000, 700_000, '0'), ('fine', 250_000, 200_000, '1')):
            for c in (1, 2):
                res.append(dict(result_row(strategy, 'ceiling', c, len(res), ops * c), spin_iters_per_ms=spin,
                                host_busy=busy, host_vcpu_wait_pct='9.00' if busy == '1' else '0.10'))
        run = make_run('noise', res, stats, meta=META)
        report(run)
        md = read(run, 'report.md')
        want = ('In this run the host did the ceiling\'s computation at 200–700 million loop iterations per second '
                'at 1 CPU (the slowest of those runs 3.5× slower than the fastest; 3 runs, and 1 more flagged '
                'host_busy, not counted)')
        expect(want in md, f'{want!r} not in the caveats: {md[md.index("## Caveats"):md.index("## Reading")]}')

    def test_reading_stops_at_the_host_cores(self):
        run = make_run('fewcores', *synthetic(), meta=dict(META, host_cpus=2))
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        md = read(run, 'report.md')
        expect('Read at up to 2 CPUs' in md, 'the reading does not say it stops at the host cores')
        expect('**mm**: in this run fine scales best: 1.90× its 1-CPU throughput at 2 CPUs' in md,
               'reading not taken at 2 CPUs')
        expect('This run had 4 vCPUs on 2 host CPUs.' in md and 'fewer cores than vCPUs cannot show' in md,
               'caveat about vCPUs > host CPUs missing')
        # Contention is read where it means something too: at 2 CPUs, not the oversubscribed 4.
        expect('dominates contention at 2 CPUs' in md and 'dominates contention at 4 CPUs' not in md,
               'contention sentences not taken at the host cores')
        expect("at the largest CPU count not above the host's 2 cores" in md, 'contention table does not say which count')
        expect_eq(md_table_row(md, 'fine', '2', 'runqueue')[:2], ['60000', '6000'], 'fine contention row at 2 CPUs (4 CPUs: 12000 contentions):')
        if GNUPLOT:
            expect('(2 CPUs)' in read(run, 'plots', 'data', 'contention.dat'), 'contention plot not at 2 CPUs')
            expect('gray90' in read(run, 'plots', 'throughput-mm.gp'), 'CPUs beyond the host cores not greyed')

    def test_ceiling_is_read_first_and_flags_speedups_above_it(self):
        # fine's mm reaches 1.90x at 2 CPUs (THROUGHPUT); a ceiling of 1.50x under fine in the same boot
        # makes that an artifact, and a ceiling of 2.30x is above 2 CPUs itself (a starved 1-CPU run).
        res, ls = synthetic()
        for s, two in (('bkl', 230), ('subsys', 200), ('fine', 150)):
            for i, c in enumerate(CPUS):
                for rep in (0, 1):
                    res.append(result_row(s, 'ceiling', c, rep, [100, two, 2 * two][i], lwp='0.00'))
        run = make_run('ceiling', res, ls, meta=dict(META, host_cpus=2))
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        md = read(run, 'report.md')
        reading = md[md.index('## Reading'):]
        items = [l for l in reading.splitlines() if l.startswith('- ')]
        expect(items and items[0].startswith('- **ceiling** (pure computation: no locks, no kernel calls) '
                                             'reached 1.50×–2.30× at 2 CPUs'), f'ceiling not read first: {items[:1]}')
        expect('It is above 2×, which computation cannot be' in items[0], 'a ceiling above N is not flagged')
        mm = [l for l in items if l.startswith('- **mm**')][0]
        expect('fine (1.90×) beats what the machine allowed in the same boot (ideal 2×, ceiling under fine 1.50×)'
               in mm, f'speedup above the ceiling not flagged: {mm}')
        expect('bkl (0.95×)' not in mm and 'subsys (1.30×) beat' not in mm, f'a speedup below its ceiling flagged: {mm}')

    def test_trapping_workloads_under_qemu_are_compared_at_one_cpu(self):
        """A u-* workload whose vCPU threads were blocked in QEMU far longer at 2 CPUs than at 1: the speedups
        are not read as a ranking (the slowest strategy scales best); nor are those of one blocked little (as
        FINE's u-open1/u-open2/u-pipe1 on 2026-12-08: ops 1.22-1.53x slower at 2 CPUs with no lock wait, while
        blocked and host-kernel time rose 4-17 points), since those shares measure QEMU's lock only in part."""
        def runs_of(s, workload, tps, blocked, board='qemu-virt'):
            """tps, blocked: {cpus: ops_per_sec}, {cpus: host_vcpu_blocked_pct}; two repeats each."""
            return [dict(result_row(s, workload, c, rep, tp, lwp='0.50' if s == 'bkl' else '0.00'), board=board,
                         host_vcpu_blocked_pct=f'{blocked[c]:.2f}', host_busy='0')
                    for rep in (0, 1) for c, tp in tps.items()]
        # bkl: slower per op, meets QEMU's lock less, scales "best"; fine and subsys: blocked 20 %, flat.
        res = (runs_of('bkl', 'u-getpid', {1: 780000, 2: 1220000}, {1: 0.8, 2: 4.5}) +
               runs_of('subsys', 'u-getpid', {1: 980000, 2: 440000}, {1: 0.5, 2: 21.0}) +
               runs_of('fine', 'u-getpid', {1: 960000, 2: 1000000}, {1: 0.6, 2: 19.6}) +
               [r for s in STRATEGIES for r in runs_of(s, 'u-open1', {1: 200000, 2: 250000 + 20000 * len(s)},
                                                        {1: 0.7, 2: 6.0})])
        # A kernel-task workload that collapses with its vCPU threads blocked: its guest CPUs idled.
        pingpong = runs_of('fine', 'pipe-pingpong', {1: 100000, 2: 13000}, {1: 0.8, 2: 45.2})
        run = make_run('traps', res + pingpong, [], meta=dict(META, host_cpus=2))
        report(run)
        md = read(run, 'report.md')
        caveats = md[md.index('## Caveats'):md.index('## Reading')]
        expect('the u-* workloads trap from EL0' in caveats, f'no caveat on the u-* workloads: {caveats}')
        items = [l for l in md[md.index('## Reading'):].splitlines() if l.startswith('- **')]
        getpid = [l for l in items if l.startswith('- **u-getpid**')]
        expect(getpid and 'scales best' not in getpid[0], f'u-getpid read as a ranking: {getpid}')
        for want in ('at 2 CPUs its vCPU threads were blocked in QEMU 4 % of the time under bkl, 21 % under subsys, '
                     '20 % under fine (at 1 CPU: 0–1 %)',
                     'these speedups (bkl 1.56×, fine 1.04×, subsys 0.45×) do not rank the strategies',
                     'Compare its strategies at 1 CPU: subsys 980 k ops/s, fine 960 k ops/s (0.98×), '
                     'bkl 780 k ops/s (0.80×).'):
            expect(getpid and want in getpid[0], f'{want!r} not in {getpid}')
        expect(getpid and 'These come from different boots' not in getpid[0],
               'a hedge on the 1-CPU comparison without a measured host-speed spread')
        # The same runs with ceiling runs that show the host 3.5x faster in one 1-CPU run than another.
        ceil = [dict(result_row(s, 'ceiling', c, rep, ops * c), board='qemu-virt', spin_iters_per_ms=spin,
                     host_vcpu_blocked_pct='0.10', host_busy='0')
                for s, ops, spin in (('bkl', 1_000_000, 200_000), ('fine', 1_000_000, 700_000))
                for rep in (0, 1) for c in (1, 2)]
        spread = make_run('traps-spread', res + ceil, [], meta=dict(META, host_cpus=2))
        report(spread)
        text = read(spread, 'report.md')
        line = [l for l in text[text.index('## Reading'):].splitlines() if l.startswith('- **u-getpid**')]
        want = ('These come from different boots, and this run\'s host did the same computation up to 3.5× faster '
                'in one 1-CPU run than in another (the caveats)')
        expect(line and want in line[0], f'{want!r} not in {line}')
        open1 = [l for l in items if l.startswith('- **u-open1**')]
        for want in ('- **u-open1** traps from EL0 on every op',
                     'blocked in QEMU 6 % of the time under bkl, 6 % under subsys, 6 % under fine (at 1 CPU: 1 %).',
                     'Outside its waits for the kernel\'s locks each op took 1.28× (bkl), 1.08× (subsys), 1.21× '
                     '(fine) its 1-CPU time at 2 CPUs. The shares above measure QEMU\'s lock only in part',
                     'these speedups (subsys 1.85×, fine 1.65×, bkl 1.55×) do not rank the strategies'):
            expect(open1 and want in open1[0], f'u-open1 (blocked little): {want!r} not in {open1}')
        expect(open1 and 'scales best' not in open1[0], f'u-open1 (blocked little) read as a ranking: {open1}')
        flags = md[md.index('## Sanity checks'):md.index('\n## ', md.index('## Sanity checks') + 3)]
        expect('subsys u-getpid: collapses to 0.45× at 2 CPUs; likely cause: QEMU itself' in flags and
               'its vCPU threads were blocked in QEMU 21 % of the time' in flags, f'collapse cause: {flags}')
        expect('fine pipe-pingpong: collapses to 0.13× at 2 CPUs; likely cause: the CPUs sat idle: their vCPU '
               'threads were blocked 45 % of the time' in flags, f'idle CPUs not named: {flags}')
        gp = read(run, 'plots', 'summary.gp')
        expect("'u-getpid*'" in gp and "'u-open1*'" in gp and 'QEMU takes its own global lock' in md,
               'the summary figure does not star the trapping workloads')
        expect('QEMU\'s own lock held' in read(run, 'plots', 'speedup-u-getpid.gp') and
               'QEMU\'s own lock held' in read(run, 'plots', 'speedup-u-open1.gp') and
               'QEMU' not in read(run, 'plots', 'speedup-pipe-pingpong.gp'),
               'the speedup figure of (only) the trapping workloads does not say QEMU held them back')
        # The same numbers from a Pi: nothing of QEMU's, the usual reading.
        pi = [dict(r, board='rpi5', host_vcpu_blocked_pct='') for r in res]
        run = make_run('traps-pi', pi, [], meta=dict(META, host_cpus=2))
        report(run)
        md = read(run, 'report.md')
        reading = md[md.index('## Reading'):md.index('\n## ', md.index('## Reading') + 3)]
        expect('- **u-getpid**: in this run bkl scales best: 1.56×' in reading and 'QEMU' not in reading,
               f'a Pi\'s u-getpid not read as usual: {reading}')

    def test_a_trapping_collapse_blocked_little_is_not_blamed_on_the_workload(self):
        """A u-* workload that collapses under QEMU with no lock wait and its vCPU threads blocked little (as on
        a host where QEMU's lock shows as futex calls, not sleeps: u-getpid 0.42x, blocked 2 %): the cause is
        QEMU itself, with the shares measured (blocked, and host-kernel time where there is a column for it),
        not 'the workload itself', which stays the reading of the same numbers on a Pi."""
        def runs(board, blocked, system):
            return [dict(result_row('fine', 'u-getpid', c, rep, tp, lwp='0.00'), board=board,
                         host_vcpu_blocked_pct=blocked[c], host_vcpu_sys_pct=system[c], host_busy='0')
                    for rep in (0, 1) for c, tp in ((1, 920000), (2, 390000))]
        for name, board, blocked, system, want in (
                ('qemu', 'qemu-virt', {1: '0.85', 2: '2.06'}, {1: '', 2: ''},
                 'fine u-getpid: collapses to 0.42× at 2 CPUs; likely cause: QEMU itself: each op traps from EL0, '
                 'and QEMU\'s TCG takes its global lock to deliver every exception and to return from it, so the '
                 'vCPUs take turns there (its vCPU threads were blocked in QEMU 2 % of the time) (docs/'),
                # The time its vCPU threads spent in the host kernel (30 % at 2 CPUs here, 0 % at 1) rose: QEMU's.
                ('qemu-sys', 'qemu-virt', {1: '0.85', 2: '2.06'}, {1: '0.10', 2: '30.00'},
                 'fine u-getpid: collapses to 0.42× at 2 CPUs; likely cause: QEMU itself: each op traps from EL0, '
                 'and QEMU\'s TCG takes its global lock to deliver every exception and to return from it, so the '
                 'vCPUs take turns there (its vCPU threads were blocked in QEMU 2 % of the time, in the host '
                 'kernel 30 %)'),
                ('pi', 'rpi5', {1: '', 2: ''}, {1: '', 2: ''},
                 'fine u-getpid: collapses to 0.42× at 2 CPUs; likely cause: none the data show (lock wait 0 %): '
                 'the workload itself')):
            run = make_run(f'trap-collapse-{name}', runs(board, blocked, system), [], meta=dict(META, host_cpus=2))
            report(run)
            md = read(run, 'report.md')
            flags = md[md.index('## Sanity checks'):md.index('\n## ', md.index('## Sanity checks') + 3)]
            expect(want in flags, f'{name}: {want!r} not in {flags}')
            if name == 'qemu-sys':
                reading = [l for l in md.splitlines() if l.startswith('- **u-getpid**')]
                expect(reading and 'at 2 CPUs its vCPU threads were blocked in QEMU 2 % of the time under fine (at 1 '
                       'CPU: 1 %), and in the host kernel 30 % of the time under fine (at 1 CPU: 0 %)' in reading[0]
                       and 'do not rank the strategies' in reading[0], f'u-getpid read: {reading}')

    def test_qemu_bound_whatever_the_shares_or_unmeasured(self):
        """Under QEMU a u-* workload is QEMU's whatever its vCPU threads' shares: the reading names each
        strategy's blocked share at 2 CPUs and the range at 1 CPU; with no rise at all (a line at 7 points of
        blocked time read FINE's u-pipe1 of 2026-12-08 as usual, ranking SUBSYS "best") it is still not ranked;
        a folder without the column (extracted before it existed) still reads, said not measured."""
        def runs_of(s, blocked, tps=(800000, 1200000)):
            return [dict(result_row(s, 'u-getpid', c, rep, tp), host_vcpu_blocked_pct=b, host_busy='0')
                    for rep in (0, 1) for c, tp, b in ((1, tps[0], blocked[0]), (2, tps[1], blocked[1]))]
        res = runs_of('bkl', ('15.00', '20.00')) + runs_of('fine', ('2.00', '14.00'))
        run = make_run('rise', res, [], meta=dict(META, host_cpus=2))
        report(run)
        reading = read(run, 'report.md').split('## Reading', 1)[1]
        expect('- **u-getpid** traps from EL0 on every op' in reading and
               'blocked in QEMU 20 % of the time under bkl, 14 % under fine (at 1 CPU: 2–15 %)' in reading,
               f'the shares not named: {reading[:600]}')
        res = runs_of('bkl', ('1.00', '1.00')) + runs_of('fine', ('1.00', '1.00'), tps=(800000, 1500000))
        run = make_run('rise0', res, [], meta=dict(META, host_cpus=2))
        report(run)
        reading = read(run, 'report.md').split('## Reading', 1)[1]
        expect('- **u-getpid** traps from EL0 on every op' in reading and 'scales best' not in reading,
               f'no rise read as usual: {reading[:400]}')
        old = [{k: v for k, v in r.items() if k != 'host_vcpu_blocked_pct'} for r in runs_of('bkl', ('', ''))]
        run = os.path.join(TMP, 'old-folder')
        os.makedirs(run)
        with open(os.path.join(run, 'results.csv'), 'w', newline='') as f:
            w = csv.DictWriter(f, [c for c in bx.RESULTS_COLUMNS if c != 'host_vcpu_blocked_pct'],
                               lineterminator='\n')
            w.writeheader()
            w.writerows(old)
        make_run('old-folder-ls', None, [])
        os.rename(os.path.join(TMP, 'old-folder-ls', 'lockstat.csv'), os.path.join(run, 'lockstat.csv'))
        with open(os.path.join(run, 'meta.json'), 'w') as f:
            json.dump(dict(META, host_cpus=2), f)
        rc, _, err = report(run)
        expect('not a bench-extract file' not in err and 'Traceback' not in err, f'an old folder did not read: {err}')
        expect('how long its vCPU threads were blocked in QEMU was not measured' in read(run, 'report.md'),
               'an old folder\'s u-getpid was ranked, or not said unmeasured')

    def test_what_a_reading_rests_on(self):
        """A collapse's cause is judged from the runs the speedup counts (not blamed on flagged runs that
        it leaves out); a strategy with no 2-CPU pair is said to be unranked and one ranked on a single pair
        is said to be; an Amdahl curve from a class nobody could show shared says so."""
        def rows(s, tps, lwp, busy=(), reps=(0, 1, 2)):
            return [dict(result_row(s, 'getpid', c, rep, tp, lwp=lwp), host_busy='1' if (c, rep) in busy else '0')
                    for rep in reps for c, tp in tps.items()]
        res = (rows('bkl', {1: 1000, 2: 440}, '39.00', busy=((2, 1),)) +
               rows('subsys', {1: 1000, 2: 1500}, '5.00', reps=(0,)) +
               rows('fine', {1: 1000, 2: 1900}, '1.00', busy=((2, 0), (2, 1), (2, 2))))
        stats = [lockstat_row('fine', 'getpid', 1, rep, 'page_arena', 1000, 0, 100_000_000) for rep in (0, 1, 2)]
        res += [dict(r, workload='ceiling', lock_wait_pct='0.00') for r in
                rows('bkl', {1: 1000, 2: 2300}, '0.00') + rows('subsys', {1: 1000, 2: 1900}, '0.00')]
        run = make_run('rests-on', res, stats, meta=dict(META, host_cpus=2))
        report(run)
        md = read(run, 'report.md')
        flags = md[md.index('## Sanity checks'):md.index('\n## ', md.index('## Sanity checks') + 3)]
        line = [l for l in flags.splitlines() if 'bkl getpid: collapses' in l]
        want = ('bkl getpid: collapses to 0.44× at 2 CPUs; likely cause: the lock: the workers waited for locks 39 % '
                'of their time, short of a convoy, and outside the waits each op took 2.8× its 1-CPU time')
        expect(line and want in line[0] and 'busy' not in line[0], f'{want!r} not in {line}')
        reading = [l for l in md[md.index('## Reading'):].splitlines() if l.startswith('- **getpid**')]
        expect(reading and 'in this run subsys scales best' in reading[0] and
               'Not ranked: fine, with no 2-CPU pair of runs the host left alone.' in reading[0] and
               'From a single pair of runs, so read with care: subsys.' in reading[0], f'getpid reading: {reading}')
        expect('fine: Amdahl for getpid from its most-held lock class (page_arena), whether or not the CPUs '
               'shared it' in md, 'an Amdahl note claims sharing nobody measured')
        # Every strategy ranked loses, but fine's 2-CPU runs (which gained) were all flagged: 'no strategy gains'
        # would be said of fine too (proc, make bench at 72b2bb0).
        lose = make_run('rests-on-lose', [dict(r, ops_per_sec=r['ops_per_sec'] // 4 if r['cpus'] == 2 and
                                                r['strategy'] == 'subsys' else r['ops_per_sec'])
                                          for r in res], stats, meta=dict(META, host_cpus=2))
        report(lose)
        text = read(lose, 'report.md')
        reading = [l for l in text[text.index('## Reading'):].splitlines() if l.startswith('- **getpid**')]
        expect(reading and 'in this run no strategy ranked here gains from more CPUs; the best, bkl' in reading[0]
               and 'Not ranked: fine' in reading[0], f'getpid reading with fine unranked: {reading}')
        gp = read(run, 'plots', 'summary.gp')
        expect("'bkl (its ceiling 2.30x, above 2x: inflated)'" in gp and "'subsys (its ceiling 1.90x)'" in gp,
               f'the summary\'s key does not give each strategy its own ceiling: {gp[-900:]}')
        expect('no bars for fine: no 2-CPU pair of runs the host left alone' in md,
               'the summary figure leaves out a strategy without saying so')
        flagged = make_run('all-flagged', rows('bkl', {1: 1000, 2: 900}, '1.00', busy=((2, 0), (2, 1), (2, 2))), [],
                           meta=dict(META, host_cpus=2))
        report(flagged)
        expect('no summary figure: no pair of runs above 1 CPU that the host left alone' in read(flagged, 'report.md'),
               'a missing summary figure is not explained')
        expect_eq(speedups(read(flagged, 'report.md'), 'getpid', 'bkl')[:2], ['1.00', '–'],
                  'a CPU count whose every pair was flagged is not a column of dashes:')
        alone = make_run('ceiling-alone', [dict(r, workload='ceiling', lock_wait_pct='0.00') for r in
                                           rows('bkl', {1: 1000, 2: 1900}, '0.00')], [], meta=dict(META, host_cpus=2))
        report(alone)
        expect('no bars for' not in read(alone, 'report.md'), 'a run of the ceiling alone says a strategy has no bars')

    def test_a_collapse_reads_the_time_outside_the_waits_against_the_one_cpu_runs_own(self):
        # BENCH_BOOTARGS=lock_tasks=2: two lock workers per CPU wait for each other at 1 CPU too (50 % of their
        # time), 40 % at 2 CPUs, at 0.44x: outside the waits an op took 2 x 0.6 / (0.44 x 0.5) = 5.5x its 1-CPU
        # time; read as if the 1-CPU runs waited for nothing, 2.7x.
        res = [dict(result_row('bkl', 'lock', c, rep, tp), lock_wait_pct=lwp, host_busy='0')
               for rep in (0, 1, 2) for c, tp, lwp in ((1, 1000, '50.00'), (2, 440, '40.00'))]
        run = make_run('collapse-alone', res, [], meta=dict(META, host_cpus=2,
                                                            strategies={'bkl': META['strategies']['bkl']}))
        report(run)
        md = read(run, 'report.md')
        want = ('bkl lock: collapses to 0.44× at 2 CPUs; likely cause: the lock: the workers waited for locks 40 % '
                'of their time, short of a convoy, and outside the waits each op took 5.5× its 1-CPU time (the '
                'lock and the data it guards moving between CPUs; under QEMU lockstat deepens such a collapse: see '
                'the caveats)')
        expect(want in md, f'{want!r} not in {md[md.index("## Sanity"):md.index("## Summary")]}')

    def test_a_lead_the_pairs_do_not_hold_is_no_ranking(self):
        """final12's reading said "u-open2: in this run bkl scales best: 1.57x" while fine's pairs reached 1.82x: a
        median's lead that the pairs do not hold in most pairings (each N-CPU pair of one against each of the
        other's) is said not to tell the two apart; a lead they hold in every pairing is read as before."""
        def rows(s, w, tps):
            return [r for rep, tp in enumerate(tps) for r in (result_row(s, w, 1, rep, 1000),
                                                              result_row(s, w, 2, rep, tp))]
        res = (rows('fine', 'mm', (1900, 1950, 1980)) + rows('bkl', 'mm', (1500, 1700, 1600)) +
               rows('subsys', 'mm', (1450, 1650, 1550)))
        run = make_run('tell-apart', res, [], meta=dict(META, host_cpus=2))
        report(run)
        mm = [ln for ln in read(run, 'report.md').splitlines() if ln.startswith('- **mm**')]
        expect(mm and 'in this run fine scales best: 1.95×' in mm[0] and 'does not tell' not in mm[0],
               f'a lead held in every pairing: {mm}')
        res = rows('bkl', 'mm', (1600, 1700, 1500)) + rows('subsys', 'mm', (1550, 1650, 1450))
        run = make_run('tell-apart-not', res, [], meta=dict(META, host_cpus=2))
        report(run)
        mm = [ln for ln in read(run, 'report.md').splitlines() if ln.startswith('- **mm**')]
        want = ("in this run bkl scales best: 1.60× its 1-CPU throughput at 2 CPUs (1.03 times the next, subsys, at "
                "1.55×). Its pairs were higher than subsys's in 6 of 9 pairings (each of its 2-CPU pairs against "
                "each of theirs; a ranking wants 80 %): this run does not tell bkl from subsys apart.")
        expect(mm and want in mm[0], f'{want!r} not in {mm}')

    def test_speedups_are_read_as_they_are_shown(self):
        """s11a read bkl's 0.8998x on fs-private, shown as 0.90x, as a loss, beside a 0.91x read as flat: the
        rules of thumb judge the two decimals shown. Above N, which is no rule of thumb, any excess counts and is
        shown with a third decimal where two would print N itself."""
        def rows(s, w, tps):
            return [r for rep, tp in enumerate(tps) for r in (result_row(s, w, 1, rep, 10000),
                                                              result_row(s, w, 2, rep, tp))]
        res = (rows('bkl', 'mm', (8998, 8998)) + rows('fine', 'mm', (15000, 15000)) +
               rows('bkl', 'fs-private', (8949, 8949)) + rows('fine', 'fs-private', (20040, 20040)) +
               rows('bkl', 'pipe', (4996, 4996)) + rows('fine', 'pipe', (15000, 15000)))
        run = make_run('as-shown', res, [], meta=dict(META, host_cpus=2))
        report(run)
        md = read(run, 'report.md')
        for want in ('bkl is flat (0.90×; up to 1.15× counts as flat) while fine rises (1.50×)',
                     'bkl loses throughput with more CPUs (0.89×) while fine rises (2.00×)',
                     'fine fs-private: 2.004× at 2 CPUs is above 2×, which cannot be',
                     'fine (2.004×) beats what the machine allowed'):
            expect(want in md, f'{want!r} not in the report')
        expect('bkl pipe: collapses' not in md and 'bkl mm: collapses' not in md, 'a 0.4996x shown as 0.50x is no collapse')

    def test_sanity_flags_open_the_report(self):
        def runs_of(s, tps, lwp='10.00', busy=()):
            """tps: {cpus: ops_per_sec}, two repeats each; busy: (cpus, repeat) flagged host_busy."""
            return [dict(result_row(s, 'mm', c, rep, tp, lwp=lwp), host_busy='1' if (c, rep) in busy else '0')
                    for rep in (0, 1) for c, tp in tps.items()]

        def stats_of(s, per_op, tps):
            return [lockstat_row(s, 'mm', c, rep, 'page', int(per_op[c] * tp), 0, 0)
                    for rep in (0, 1) for c, tp in tps.items()]
        tps = {'fine': {1: 1000, 2: 2600}, 'bkl': {1: 1000, 2: 400}, 'subsys': {1: 1000, 2: 1500, 4: 300}}
        res = runs_of('fine', tps['fine']) + runs_of('bkl', tps['bkl'], lwp='80.00') + runs_of('subsys', tps['subsys'])
        ls = stats_of('fine', {1: 2.0, 2: 2.0}, tps['fine']) + stats_of('bkl', {1: 1.0, 2: 1.0}, tps['bkl']) + \
            stats_of('subsys', {1: 3.0, 2: 3.5, 4: 3.0}, tps['subsys'])
        # The ceiling's workers did unequal work: the host's vCPUs ran at different speeds.
        # Its 2-CPU runs also reach 2.04x: only a little above 2x, but above it, so flagged all the same.
        res += [dict(result_row('fine', 'ceiling', c, rep, 1020 * c if c > 1 else 1000, lwp='0.00'), thread_ops_min=300 * c,
                     thread_ops_max=700 * c, host_busy='0') for rep in (0, 1) for c in (1, 2)]
        run = make_run('sanity', res, ls, meta=dict(META, host_cpus=2))
        rc, _, err = report(run)
        expect_rc(rc, 1, err)  # fine and bkl have no 4-CPU run
        md = read(run, 'report.md')
        flags = md[md.index('## Sanity checks'):md.index('\n## ', md.index('## Sanity checks') + 3)]
        expect(md.index('## Sanity checks') < md.index('## Run'), 'the sanity checks are not at the top')
        for want in ('fine mm: 2.60× at 2 CPUs is above 2×, which cannot be: an artifact',
                     'fine ceiling: 2.04× at 2 CPUs is above 2×, which cannot be: an artifact',
                     'bkl mm: collapses to 0.40× at 2 CPUs; likely cause: a lock convoy: the workers waited for '
                     'locks 80 % of their time',
                     'subsys mm: collapses to 0.30× at 4 CPUs; likely cause: more vCPUs (4) than host cores (2)',
                     'subsys mm: 3.50 lock acquisitions per op at 2 CPUs against 3.00 at 1 CPU: the workload does '
                     'different work at 2 CPUs',
                     'This host ran the vCPUs at unequal speeds: in the ceiling runs (the same pure computation on '
                     'every CPU) the slowest worker did as little as 43 % of the fastest\'s work'):
            expect(want in flags, f'not flagged: {want!r} in {flags}')
        expect('fine mm: 2.00 lock' not in flags and 'busy' not in flags, f'flagged without cause: {flags}')
        # Over a third of the runs on a busy host: the warning comes first, the flagged runs count nowhere.
        busy = runs_of('fine', tps['fine'], busy=((2, 0), (2, 1), (1, 1))) + runs_of('bkl', tps['bkl'], lwp='80.00')
        run = make_run('busy', busy, stats_of('fine', {1: 2.0, 2: 2.0}, tps['fine']), meta=dict(META, host_cpus=2))
        rc, _, err = report(run)
        md = read(run, 'report.md')
        first = md[md.index('## Sanity checks'):].splitlines()[2]
        expect(first.startswith('- **This host was busy: these numbers are not reliable.** 3 of 8 runs'),
               f'no busy-host warning first: {first}')
        expect_eq(speedups(md, 'mm', 'fine')[:2], ['1.00', '–'], 'busy runs left out of the speedups:')
        expect('fine mm: 2.60×' not in md, 'a flagged run was read')
        blocks = data_blocks(os.path.join(run, 'plots', 'data', 'busy-mm.dat'))
        expect_eq(sorted(blocks), ['fine'], 'hollow points of the busy runs:')
        expect('linear: best 1-CPU x N' in read(run, 'plots', 'throughput-mm.gp'), 'no linear line')

    def test_busy_runs_are_said_for_the_reason_they_were_flagged(self):
        # bench-extract flags a run host_busy for a vCPU's wait above 5 %, and also when the host did not watch it
        # (its samples came late: host_window_ms under half the run; or n/a). The report said "had a vCPU that
        # waited more than 5 %" of every flagged run, a wait that was 0.40 % or never measured in the others.
        runs, stats = synthetic()
        flagged = {('fine', 'mm', 2, 0): ('9.00', '300'), ('fine', 'mm', 2, 1): ('0.40', '10'),
                   ('bkl', 'lock', 4, 0): ('n/a', '')}
        for r in runs:
            wait, window = flagged.get((r['strategy'], r['workload'], r['cpus'], r['repeat']), ('0.10', '300'))
            r.update(host_vcpu_wait_pct=wait, host_window_ms=window,
                     host_busy='1' if (r['strategy'], r['workload'], r['cpus'], r['repeat']) in flagged else '0')
        run = make_run('busy-why', runs, stats, meta=META)
        report(run)
        md = read(run, 'report.md')
        want = ('3 of 54 runs were flagged host_busy (1 because a vCPU waited more than 5 % of the run for a host '
                'core, 2 because the host did not watch the whole run (its samples came late, or not at all))')
        expect(want in md, f'{want!r} not in the sanity checks: {md[:md.index("## Summary")]}')
        # every one for its wait: the sentence says only that
        only_wait = [dict(r, host_busy='1' if r['host_vcpu_wait_pct'] == '9.00' else '0') for r in runs]
        run = make_run('busy-why-wait', only_wait, stats, meta=META)
        report(run)
        md = read(run, 'report.md')
        want = '1 of 54 runs were flagged host_busy (a vCPU waited more than 5 % of the run for a host core)'
        expect(want in md, f'{want!r} not in the sanity checks: {md[:md.index("## Summary")]}')

    def test_summary_figure_and_contents_first(self):
        run = make_run('summaryfig', *synthetic(), meta=META)
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        blocks = data_blocks(os.path.join(run, 'plots', 'data', 'summary.dat'))
        # x, workload, median speedup at 4 CPUs (the host's 4 cores), min, max, Amdahl
        expect_eq(sorted(blocks), sorted(STRATEGIES), 'summary series:')
        expect_eq([r[1] for r in blocks['fine']], WORKLOADS, 'one bar per workload:')
        for r in blocks['fine']:
            expect_close(r[2], 3.6, 'fine speedup at 4 CPUs in the summary')
        html_text = read(run, 'report.html')
        toc = html_text[html_text.index('<nav>'):html_text.index('</nav>')]
        expect('href="#sanity-checks"' in toc and 'href="#summary"' in toc, f'no table of contents: {toc[:300]}')
        order = [html_text.index(x) for x in ('id="sanity-checks"', 'id="summary"', 'id="run"')]
        expect(order == sorted(order), 'the sanity checks and the summary do not come first')
        md = read(run, 'report.md')
        for wrong in ('1 CPUs', 'CONFIG_LOCK_STAT_HOLD_TIME', 'built with lockstat_hold', 'one worker process each'):
            expect(wrong not in md and all(wrong not in read(run, 'plots', f) for f in os.listdir(os.path.join(run, 'plots'))
                                           if f.endswith('.gp')), f'the report says {wrong!r}')
        expect('set format y' in read(run, 'plots', 'throughput-mm.gp'), 'throughput axis in 9e+06 notation')

    def test_compare_two_runs(self):
        def folder(name, fine_mm_2):
            runs, stats = synthetic()
            for r in runs:
                if (r['strategy'], r['workload'], r['cpus']) == ('fine', 'mm', 2):
                    r['ops_per_sec'] = fine_mm_2 + r['repeat']
            rows = [{k: str(v) for k, v in r.items()} for r in runs]
            run = make_run(name, runs, stats, meta=META)
            with open(os.path.join(run, 'summary.csv'), 'w', newline='') as f:
                w = csv.DictWriter(f, bx.SUMMARY_COLUMNS, lineterminator='\n')
                w.writeheader()
                w.writerows(bx.summarise(rows, [{k: str(v) for k, v in x.items()} for x in stats]))
            return run
        a, b = folder('cmp-a', 190), folder('cmp-b', 400)
        out = os.path.join(TMP, 'cmp-out')
        p = subprocess.run([sys.executable, os.path.join(SCRIPTS, 'bench-compare'), a, b, '--out', out],
                           capture_output=True, text=True, timeout=300)
        expect_eq(p.returncode, 0, f'exit status ({p.stderr}):')
        with open(os.path.join(out, 'compare.csv')) as f:
            rows = list(csv.DictReader(f))
        real = [(r['series'], r['workload'], r['cpus']) for r in rows if r['beyond_noise'] == '1']
        expect_eq(real, [('fine', 'mm', '2')], 'cells changed beyond the noise:')
        md = read(out, 'compare.md')
        expect('fine mm at 2 CPUs: 190 -> 400 ops/s (+111 %' in md, f'compare.md does not say what changed: {md[:600]}')
        if GNUPLOT:
            for ext in ('png', 'svg', 'pdf'):
                expect(os.path.getsize(os.path.join(out, 'plots', f'compare-mm.{ext}')) > 0, f'no compare-mm.{ext}')
        p = subprocess.run([sys.executable, os.path.join(SCRIPTS, 'bench-compare'), a, TMP], capture_output=True,
                           text=True, timeout=60)
        expect(p.returncode == 2 and 'not a run folder with summary.csv' in p.stderr, f'a bad B: {p.stderr}')
        # One run per cell in B: a range of one run is no spread, so nothing is called a change.
        def rewrite(run, change):
            """summary.csv of run with change(row) applied to every row."""
            with open(os.path.join(run, 'summary.csv'), newline='') as f:
                summ = [change(r) for r in csv.DictReader(f)]
            with open(os.path.join(run, 'summary.csv'), 'w', newline='') as f:
                w = csv.DictWriter(f, bx.SUMMARY_COLUMNS, lineterminator='\n')
                w.writeheader()
                w.writerows(summ)
        one = folder('cmp-one', 400)
        rewrite(one, lambda r: dict(r, n='1', ops_per_sec_min=r['ops_per_sec_median'],
                                    ops_per_sec_max=r['ops_per_sec_median']))
        p = subprocess.run([sys.executable, os.path.join(SCRIPTS, 'bench-compare'), a, one, '--out',
                            os.path.join(TMP, 'cmp-one-out')], capture_output=True, text=True, timeout=300)
        expect(p.returncode == 0 and 'bench-compare: 0 of ' in p.stdout and 'with a single run not flagged host_busy, not judged' in p.stdout,
               f'single-run cells judged: {p.stdout} {p.stderr}')
        # Nothing in common: said, and no folder written.
        other = folder('cmp-other', 190)
        rewrite(other, lambda r: dict(r, workload='elsewhere'))
        p = subprocess.run([sys.executable, os.path.join(SCRIPTS, 'bench-compare'), a, other, '--out',
                            os.path.join(TMP, 'cmp-none-out')], capture_output=True, text=True, timeout=60)
        expect(p.returncode == 2 and 'no cell (strategy x workload x CPU count) in common' in p.stderr and
               not os.path.exists(os.path.join(TMP, 'cmp-none-out')), f'nothing in common: {p.stderr}')

    def test_compare_refuses_one_folder_twice_and_names_busy_cells(self):
        # make compare A=results/latest B=<the folder latest points at> printed '0 of N cells changed beyond the
        # noise', which reads as "the change did nothing"; and two folders of the same cells, all of whose runs
        # were flagged host_busy (summary.csv n=0, no median), were said to have 'no cell in common'.
        def folder(name, busy=()):
            runs, stats = synthetic()
            for r in runs:
                if (r['strategy'], r['workload']) in busy:
                    r['host_busy'] = 1
            run = make_run(name, runs, stats, meta=META)
            with open(os.path.join(run, 'summary.csv'), 'w', newline='') as f:
                w = csv.DictWriter(f, bx.SUMMARY_COLUMNS, lineterminator='\n')
                w.writeheader()
                w.writerows(bx.summarise([{k: str(v) for k, v in r.items()} for r in runs],
                                         [{k: str(v) for k, v in x.items()} for x in stats]))
            return run

        def compare(a, b, out):
            return subprocess.run([sys.executable, os.path.join(SCRIPTS, 'bench-compare'), a, b, '--out',
                                   os.path.join(TMP, out)], capture_output=True, text=True, timeout=300)
        a = folder('cmp-same')
        link = os.path.join(TMP, 'cmp-same-link')
        os.symlink(a, link)
        p = compare(a, link, 'cmp-same-out')
        expect(p.returncode == 2 and 'are the same run folder' in p.stderr and
               not os.path.exists(os.path.join(TMP, 'cmp-same-out')), f'A = B: rc {p.returncode} {p.stdout} {p.stderr}')
        every = {(s, w) for s in STRATEGIES for w in WORKLOADS}
        p = compare(folder('cmp-busy-a', busy=every), folder('cmp-busy-b', busy=every), 'cmp-busy-out')
        expect(p.returncode == 2 and 'in common, but none with a run left in both' in p.stderr and
               'no cell' not in p.stderr, f'every run host_busy: rc {p.returncode} {p.stderr}')
        p = compare(a, folder('cmp-busy-fine', busy={('fine', 'mm')}), 'cmp-part-out')
        md = read(TMP, 'cmp-part-out', 'compare.md') if p.returncode == 0 else ''
        only = md.split('## In only one of the runs')[1].split('\n## ')[0] if '## In only one' in md else ''
        expect('fine mm' not in only and 'fine mm at 2 CPUs (no run left in B)' in md and
               'more in both not compared' in p.stdout, f'fine mm busy in B: {p.stdout} {p.stderr} {md[:800]}')

    def test_no_contention_says_at_which_cpu_count_when_the_rest_were_busy(self):
        # make bench-locks on a busy host: every run above 1 CPU flagged host_busy, the contention table read the
        # 1-CPU runs (where nothing contends) and said 'No contended lock class.' under 'at the largest CPU count
        # not above the host's 4 cores': read as "TAS has no contention at 4 CPUs".
        runs, stats = synthetic()
        for r in runs:
            r['host_busy'] = 1 if r['cpus'] > 1 else 0
        run = make_run('contention-busy', runs, stats, meta=META)
        report(run)
        md = read(run, 'report.md')
        section = md.split('## Top 5 contended lock classes')[1].split('\n## ')[0]
        expect('No contended lock class at 1 CPU' in section and 'every run at 4 CPUs was flagged host_busy' in section,
               f'the contention section: {section[:500]!r}')
        runs, stats = synthetic()
        for r in runs:
            r['host_busy'] = 0
        for s in stats:
            s['contentions'] = 0
        run = make_run('contention-none', runs, stats, meta=META)
        report(run)
        section = read(run, 'report.md').split('## Top 5 contended lock classes')[1].split('\n## ')[0]
        expect('No contended lock class.' in section and 'host_busy' not in section,
               f'no contention in quiet runs: {section[:500]!r}')

    def test_a_wait_averaged_over_few_contentions_says_how_few(self):
        # s15a drew FINE's pid_hash tallest in contention-wait: 61 µs, the average of its one contention (a vCPU the
        # host descheduled). A class with fewer than 10 contentions is labelled with its count in that chart.
        runs, stats = synthetic()
        for r in stats:
            if r['strategy'] == 'fine' and r['class'] == CLASSES['fine'][0] and r['contentions']:
                r['contentions'], r['wait_total_ns'] = 1, 61000
        run = make_run('contention-few', runs, stats, meta=META)
        report(run)
        gp = read(run, 'plots', 'contention-wait.gp')
        rows = [l.split() for l in read(run, 'plots', 'data', 'contention.dat').splitlines() if l and l[0].isdigit()]
        few = [r for r in rows if r[1] == CLASSES['fine'][0]]
        # one contention in each of the 2 repeats of every workload at the largest CPU count
        want = f'{CLASSES["fine"][0]}(n={2 * len(WORKLOADS)})'
        expect(few and few[0][-1] == want and 'xtic(7)' in gp and 'xtic(2)' in read(run, 'plots', 'contention-pct.gp'),
               f'the few-contention class\'s label: {few}')
        expect(all(r[-1] == r[1] for r in rows if r[1] != CLASSES['fine'][0]), f'other classes relabelled: {rows}')
        expect('"(n=…)": a class with fewer than 10 contentions' in read(run, 'report.md'),
               'the caption does not say what (n=…) means')

    def test_kernels_are_shown_as_their_bench_meta_says(self):
        # A kernel built as "bkl" whose configuration chose subsys, with lockdep on (make bench
        # BENCH_CONFIG=... once made a report say "bkl | ok | 0 runs" beside "subsys | unknown | 1").
        runs, stats = synthetic(strategies=('subsys',))
        for r in runs + stats:
            r['log'] = 'bkl-boot1.log'
        for r in runs:
            r['lockdep'] = 'on'
        run = make_run('mislabelled', runs, stats, meta=dict(META, strategies={'bkl': {'config': 'x', 'status': 'ok'}}))
        rc, _, err = report(run)
        md = read(run, 'report.md')
        expect_eq(md_table_row(md, 'bkl')[:4], ['subsys', 'ok', str(len(runs)), 'ticket lse busy spin'],
                  'kernels table row of the kernel named bkl:')
        flags = md[md.index('## Sanity checks'):md.index('## Summary')]
        expect('The kernel named bkl is really subsys' in flags, f'mislabelled kernel not flagged: {flags[:500]}')
        expect('lockdep was on in bkl' in flags, f'lockdep not flagged: {flags[:500]}')
        expect('strategy bkl: no rows' not in md, 'the label was taken for a strategy with no runs')

    def test_two_builds_of_a_strategy_are_separate_series(self):
        res, ls = synthetic()
        extra = [dict(r, lock_alg='mcs', atomics='llsc', log='fine-mcs.log') for r in res if r['strategy'] == 'fine']
        extra_ls = [dict(r, lock_alg='mcs', log='fine-mcs.log') for r in ls if r['strategy'] == 'fine']
        run = make_run('variants', res + extra, ls + extra_ls, meta=META)
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        blocks = data_blocks(os.path.join(run, 'plots', 'data', 'throughput-mm.dat'))
        expect('fine-ticket-lse' in blocks and 'fine-mcs-llsc' in blocks,
               f'series named by what differs: {sorted(blocks)}')
        md = read(run, 'report.md')
        expect('| workload | kernel | 1 CPU |' in md and '| kernel | CPUs | class |' in md,
               'tables of lock variants head their column "kernel", not "strategy"')

    def test_amdahl_from_hold_times(self):
        run = make_run('amdahl', *synthetic(), meta=META)
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        blocks = data_blocks(os.path.join(run, 'plots', 'data', 'speedup-fs-private.dat'))
        for s, held in (('bkl', 0.25), ('subsys', 0.3)):  # subsys: the busiest _lock class (0.3 > 0.1)
            for row in blocks[s]:
                n = row[0]
                expect_close(row[4], 1 / (held + (1 - held) / n), f'{s} Amdahl value at {n:g} CPUs')
        # fine: its most-held class that moved between CPUs at 4 CPUs: kmalloc_cache (0.1, 8 % bounces), not
        # page_arena (0.2 held, but 4 % bounces: per-worker), nor runqueue (waiting's)
        for row in blocks['fine']:
            expect_close(row[4], 1 / (0.1 + 0.9 / row[0]), f'fine Amdahl value at {row[0]:g} CPUs')
        gp = read(run, 'plots', 'speedup-fs-private.gp')
        expect('1/(0.25+(1-0.25)/x)' in gp and '1/(0.3+(1-0.3)/x)' in gp, f'Amdahl curves not in script:\n{gp}')
        md = read(run, 'report.md')
        expect_eq(md_table_row(md, 'fs-private', 'bkl')[3:], ['0.250', '4.00'], 'bkl held s, limit:')
        expect_eq(md_table_row(md, 'fs-private', 'subsys')[3:], ['0.300', '3.33'], 'subsys held s, limit:')
        expect('fine: Amdahl for fs-private from its most-held lock class that the CPUs shared (kmalloc_cache' in md,
               "report does not say where fine's Amdahl curve comes from")
        expect("caps its speedup at 1/s = 4.00×" in md, 'reading: Amdahl limit of bkl')
        # fine measured above its Amdahl curve: said, with the bound one lock does set
        expect('(3.08× at 4 CPUs; measured 3.60×, above the curve: Amdahl assumes the other CPUs wait' in md and
               'so one lock bounds the speedup only at min(N, 1/s) = 4.00×; and s sums the holds of every lock of '
               'the class, more than one lock of it serialises when the workers hold different ones).' in md,
               'a speedup above Amdahl\'s curve is not explained')

    def test_amdahl_from_the_hold_pass(self):
        # Scaling runs without hold times, and the hold-time pass's 1-CPU runs (RUN/hold/) with them.
        runs, stats = synthetic(hold=False)
        run = make_run('holdpass', runs, stats, meta=META)
        hruns, hstats = synthetic()
        make_run(os.path.join('holdpass', 'hold'), [r for r in hruns if r['cpus'] == 1],
                 [r for r in hstats if r['cpus'] == 1])
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        blocks = data_blocks(os.path.join(run, 'plots', 'data', 'speedup-mm.dat'))
        for s, held in (('bkl', 0.25), ('subsys', 0.3), ('fine', 0.1)):
            for row in blocks[s]:
                expect_close(row[4], 1 / (held + (1 - held) / row[0]), f'{s} Amdahl value at {row[0]:g} CPUs')
        md = read(run, 'report.md')
        expect('Lockstat hold times were on in this run' not in md, 'the hold pass made the scaling runs look hold-timed')
        expect('So the scaling runs did not time holds (boot option lockstat_hold=2, the default, times them only on '
               'hardware); the Amdahl curves come from a separate 1-CPU pass that does (RUN/hold/).' in md,
               'the QEMU caveat does not say where the Amdahl curves came from')

    def test_qemu_caveat_says_what_this_run_did_about_hold_times(self):
        # The caveat said "the scaling runs do not time holds ... the Amdahl curves come from a separate 1-CPU pass"
        # of every QEMU run: beside "Lockstat hold times were on in this run" (BENCH_BOOTARGS=lockstat_hold=1,
        # which skips the pass), and in a folder with no hold pass (make plots RUN=<serial log>), whose report
        # has no Amdahl curve at all.
        run = make_run('caveat-timed', *synthetic(), meta=META)
        report(run)
        caveats = read(run, 'report.md').split('## Caveats')[1].split('## Reading')[0]
        expect('Lockstat hold times were on in this run' in caveats and 'do not time holds' not in caveats and
               'did not time holds' not in caveats and 'separate 1-CPU pass' not in caveats,
               f'a run whose scaling runs timed holds: {caveats}')
        # On a Pi 5 (board=rpi5) holds are timed by default and cost no scaling: no such caveat there.
        runs, stats = synthetic()
        run = make_run('caveat-pi', [dict(r, board='rpi5') for r in runs], stats, meta=META)
        report(run)
        caveats = read(run, 'report.md').split('## Caveats')[1].split('## Reading')[0]
        expect('Lockstat hold times were on' not in caveats, f'a Pi 5 run\'s hold times called costly: {caveats}')
        run = make_run('caveat-nopass', *synthetic(hold=False), meta=META)
        report(run)
        caveats = read(run, 'report.md').split('## Caveats')[1].split('## Reading')[0]
        expect('nor was there a separate 1-CPU pass that does (RUN/hold/), so this run has no Amdahl curves.' in caveats
               and 'the Amdahl curves come from' not in caveats, f'a run without holds or a hold pass: {caveats}')
        # Every QEMU run with lockstat says what lockstat costs a contended lock there, and how to run without it.
        expect('so under QEMU it deepens the collapse of a contended lock' in caveats and
               'make bench BENCH_CONFIG=configs/nolockstat.config' in caveats,
               f'no caveat on lockstat\'s own cost under QEMU: {caveats}')

    def test_kernels_without_lockstat_are_a_run_not_a_failure(self):
        """make bench BENCH_CONFIG=<'# CONFIG_LOCK_STAT is not set'>: every run says lockstat=off and lockstat.csv
        has no rows. The report is whole (exit 0, nothing 'missing'), says why it has no lock figures, and names
        no hold-time pass as the cause of the missing Amdahl curves. Old code: exit 1, 'lockstat.csv has no rows'."""
        runs, _ = synthetic(hold=False)
        runs = [dict(r, lockstat='off', lock_wait_pct='') for r in runs]
        run = make_run('nostat', runs, [], meta=META)
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        expect('missing' not in err, f'a kernel without lockstat reported as missing data: {err}')
        md = read(run, 'report.md')
        caveats = md.split('## Caveats')[1].split('## Reading')[0]
        expect('These kernels were built without lockstat (CONFIG_LOCK_STAT off)' in caveats and
               'deepens the collapse' not in caveats and 'did not time holds' not in caveats,
               f'caveats of a run without lockstat: {caveats}')
        expect('no Amdahl curve: its kernel was built without lockstat' in md and
               'the hold-time pass did not run' not in md, 'the missing Amdahl curves not put down to lockstat')

    def test_hold_times_off_skips_amdahl(self):
        runs, stats = synthetic(hold=False)
        run = make_run('nohold', runs, stats, meta=META)
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        blocks = data_blocks(os.path.join(run, 'plots', 'data', 'speedup-mm.dat'))
        expect(all(r[4] is None for s in STRATEGIES for r in blocks[s]), 'Amdahl values without hold times')
        expect('Amdahl' not in read(run, 'plots', 'speedup-mm.gp').replace("'ideal'", ''),
               'Amdahl curve plotted without hold times')
        md = read(run, 'report.md')
        for s in STRATEGIES:
            expect(f'{s}: no Amdahl curve: no hold times (the hold-time pass did not run' in md,
                   f'report does not say why {s} has no Amdahl curve')
        expect('Lockstat hold times were on in this run' not in md, 'hold-time caveat for a run without them')

    def test_one_strategy_is_read_without_a_ranking(self):
        runs, stats = synthetic(['fine'])
        run = make_run('onlyfine', runs, stats, dict(META, strategies={'fine': META['strategies']['fine']}))
        report(run)
        md = read(run, 'report.md')
        expect('**mm**: in this run fine reaches 3.60× its 1-CPU throughput at 4 CPUs' in md and
               'scales best' not in md, 'a lone strategy read as the best of one')

    def test_missing_strategy_exit_1(self):
        runs, stats = synthetic(['bkl', 'fine'])
        meta = dict(META, failures=['subsys: boot failed: timeout after 120 s'],
                    strategies=dict(META['strategies'], subsys={'config': 'CONFIG_X=y',
                                                                'status': 'boot failed: timeout after 120 s'}))
        run = make_run('missing', runs, stats, meta)
        rc, out, err = report(run)
        expect_rc(rc, 1, err)
        expect('missing: strategy subsys: no rows in results.csv' in err, f'stderr does not say what is missing: {err}')
        md = read(run, 'report.md')
        expect('strategy subsys: no rows in results.csv (status: boot failed: timeout after 120 s)' in md,
               'report does not say subsys is missing')
        expect(md.index('## Failures') < md.index('## Missing data') < md.index('## Run'), 'failures not first')
        expect('subsys: boot failed: timeout after 120 s' in md, 'meta.json failure not in the report')
        expect_eq(speedups(md, 'mm', 'fine'), ['1.00', '1.90', '3.60'], 'fine speedups still there:')
        if GNUPLOT:
            check_plots(run, plot_names(WORKLOADS))
            expect('subsys' not in read(run, 'plots', 'throughput-mm.gp'), 'subsys in a plot')
        else:
            raise Skip('gnuplot not installed: image checks skipped')

    def test_missing_cpu_count_and_lockstat_exit_1(self):
        runs, _ = synthetic()
        runs = [r for r in runs if not (r['strategy'] == 'bkl' and r['workload'] == 'lock' and r['cpus'] == 4)]
        run = make_run('holes', runs, [], meta=None)
        rc, _, err = report(run)
        expect_rc(rc, 1, err)
        md = read(run, 'report.md')
        expect('bkl: no run of lock at 4 CPUs' in md, 'report does not say bkl lacks lock at 4 CPUs')
        expect('lockstat.csv has no rows' in md, 'report does not say lockstat.csv is empty')
        expect_eq(speedups(md, 'lock', 'bkl'), ['1.00', '0.95', '–'], 'bkl lock speedups:')
        expect_eq(md_table_row(md, 'label'), ['unknown'], 'label without meta.json:')
        if GNUPLOT:
            check_plots(run, plot_names(WORKLOADS, contention=False))
        else:
            raise Skip('gnuplot not installed: image checks skipped')

    def test_invariants_fail_listed_first(self):
        run = make_run('fail', *synthetic(fail=('fine', 'mm', 4, 1)), meta=META)
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        md = read(run, 'report.md')
        expect(md.index('## Failures') < md.index('## Run'), 'no Failures section before the metadata')
        expect('invariants=FAIL: fine mm at 4 CPUs, repeat 1 (fine.log)' in md, 'failed run not listed')

    def test_failed_runs_count_in_no_number(self):
        # fine mm at 4 CPUs, repeat 1: a worker could not start, so the run counted no ops (ops_per_sec 0) and
        # its one waiting worker's share is all there is. Listed under Failures; counted nowhere.
        runs, stats = synthetic(fail=('fine', 'mm', 4, 1))
        for r in runs:
            if r['invariants'] == 'FAIL':
                r.update(ops=0, ops_per_sec=0, thread_ops_min=0, thread_ops_max=0, lock_wait_pct='99.00')
        run = make_run('failnumbers', runs, stats, meta=META)
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        md = read(run, 'report.md')
        expect('invariants=FAIL: fine mm at 4 CPUs, repeat 1 (fine.log)' in md, 'failed run not listed')
        expect('1 run with invariants=FAIL (above) is left out of every number' in md,
               'the report does not say the failed run is left out')
        # repeat 0 alone: 342 / 95 (was the median of 3.60 and 0.00, 1.80)
        expect_eq(md_table_row(md, 'mm', 'fine')[2], '3.60 (3.60–3.60, 1 pairs)', 'fine mm at 4 CPUs:')
        expect('fine mm: collapses' not in md, 'a failed run read as a collapse')
        tp = {r[0]: r for r in data_blocks(os.path.join(run, 'plots', 'data', 'throughput-mm.dat'))['fine']}
        expect_eq(tp[4][1:], [342.0, 342.0, 342.0, 1.0], 'fine mm throughput at 4 CPUs (median min max runs):')
        lw = {r[0]: r for r in data_blocks(os.path.join(run, 'plots', 'data', 'lockwait-mm.dat'))['fine']}
        expect_eq(lw[4][1:], [12.5, 12.5, 12.5, 1.0], 'fine mm lock wait at 4 CPUs:')
        expect_eq(read(run, 'plots', 'data', 'throughput-mm.dat').splitlines()[1],
                  '# columns: cpus median_ops_per_sec min max runs', 'throughput columns (a median, not a mean):')

    def test_a_workload_whose_every_run_failed_is_not_called_busy(self):
        # Every run of lock failed (invariants=FAIL), none flagged host_busy: the notes that say why its plots are
        # missing must not blame a busy host (they said 'every run of it was flagged host_busy').
        runs, stats = synthetic()
        for r in runs:
            if r['workload'] == 'lock':
                r['invariants'] = 'FAIL'
        run = make_run('lockallfailed', runs, stats, meta=META)
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        md = read(run, 'report.md')
        expect('18 runs with invariants=FAIL (above) are left out' in md, 'the failed runs are not counted')
        for note in ('no throughput-lock plot: every run of it was flagged host_busy or failed (invariants=FAIL)',
                     'no speedup-lock plot: no strategy has a 1-CPU run of it (that is not flagged host_busy and '
                     'did not fail: invariants=FAIL)'):
            expect(note in md, f'note missing: {note!r}')

    def test_workers_that_do_not_grow_with_the_cpus_make_no_speedup(self):
        # 'lock' here is shaped like pipe-pingpong: one measured worker at 1 and 2 CPUs, two at 4, and 2-CPU
        # throughput a fifth of the 1-CPU one (one op crossing CPUs). Not a collapse, not ranked, no Amdahl.
        runs, stats = synthetic()
        for r in runs:
            r['workers'] = {1: 1, 2: 1, 4: 2}[r['cpus']] if r['workload'] == 'lock' else r['cpus']
            if r['workload'] == 'lock' and r['cpus'] == 2:
                r.update(ops=20, ops_per_sec=20)
        run = make_run('fixedworkers', runs, stats, meta=META)
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        md = read(run, 'report.md')
        expect('lock: 1 worker did the measured op at 2 CPUs, 1 worker at 1 CPU' in md, 'no flag for lock')
        expect(not re.search(r'\w+ lock: collapses', md), 'lock read as a collapse')
        # read at 4 CPUs (the host's): fine at 1 CPU 95 and 105 ops/s by one worker, the median of 10526 and
        # 9524 µs per op; at 4 CPUs 342 and 378 ops/s by two workers, the median of 5848 and 5291 µs
        expect('**lock** is no scaling measure' in md and 'fine 10025 → 5569 µs' in md,
               'the reading gives no time per op for lock')
        expect('**mm**: in this run' in md, 'mm, whose workers grow with the CPUs, lost its reading')
        expect(md_table_row(md, 'lock †', 'fine')[-2:] == ['–', '–'], 'lock has an Amdahl limit in the table')
        gp = read(run, 'plots', 'summary.gp')
        expect("'lock'" not in gp and 'left out: lock' in md, 'lock is drawn in the summary figure')
        expect('Amdahl' not in read(run, 'plots', 'speedup-lock.gp'), 'the lock speedup plot has Amdahl curves')

    def test_a_pair_above_n_is_marked_in_the_table(self):
        # fine mm at 2 CPUs, repeat 1: 250 ops/s over its 1-CPU run's 105, 2.38x at 2 CPUs; with repeat 0's
        # 181 / 95 = 1.91 the median is 2.14, flagged in the checks, the pair itself marked in the table.
        runs, stats = synthetic()
        for r in runs:
            if (r['strategy'], r['workload'], r['cpus'], r['repeat']) == ('fine', 'mm', 2, 1):
                r.update(ops=250, ops_per_sec=250)
        run = make_run('pairaboven', runs, stats, meta=META)
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        md = read(run, 'report.md')
        expect_eq(md_table_row(md, 'mm', 'fine')[1], '2.14 (1.91–2.38!, 2 pairs)', 'fine mm at 2 CPUs:')
        expect('!' not in md_table_row(md, 'mm', 'bkl')[1], 'bkl mm at 2 CPUs marked')
        expect('! A pair above N at N CPUs' in md, 'the mark is not explained')

    def test_summary_crosses_follow_the_series_drawn(self):
        # Every 4-CPU run of bkl flagged host_busy: bkl has no bar at 4 CPUs, so the data file's blocks are
        # subsys (index 0) and fine (index 1); each series' Amdahl crosses must read its own block.
        runs, stats = synthetic()
        for r in runs:
            if r['strategy'] == 'bkl' and r['cpus'] == 4:
                r['host_busy'] = '1'
        run = make_run('summarycross', runs, stats, meta=META)
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        blocks = data_blocks(os.path.join(run, 'plots', 'data', 'summary.dat'))
        expect_eq(list(blocks), ['subsys', 'fine'], 'summary blocks (bkl has no bar):')
        crosses = [l for l in read(run, 'plots', 'summary.gp').splitlines() if 'using 1:6' in l]
        expect_eq([l.split(' index ')[1].split()[0] for l in crosses], ['0', '1'], 'indexes the crosses read:')
        expect("title 'Amdahl (hold-time pass)'" in crosses[0], f'the crosses have no key entry: {crosses}')
        expect('no bars for bkl' in read(run, 'report.md'), 'the caption does not say bkl has no bars')

    def test_amdahl_leaves_out_a_busy_one_cpu_run(self):
        # bkl fs-private's 1-CPU run of repeat 1 was flagged host_busy (a descheduled holder: 90 % held).
        runs, stats = synthetic()
        for r in runs:
            if (r['strategy'], r['workload'], r['cpus'], r['repeat']) == ('bkl', 'fs-private', 1, 1):
                r['host_busy'] = '1'
        for x in stats:
            if (x['strategy'], x['workload'], x['cpus'], x['repeat'], x['class']) == ('bkl', 'fs-private', 1, 1, 'bkl'):
                x['hold_total_ns'] = 900_000_000
        run = make_run('amdahlbusy', runs, stats, meta=META)
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        expect_eq(md_table_row(read(run, 'report.md'), 'fs-private', 'bkl')[3:], ['0.250', '4.00'],
                  'bkl held s from the run the host left alone (was the mean with the busy one, 0.575):')
        # Every hold-pass run of bkl fs-private flagged (the pass has one per workload and boot): s from
        # them, said, rather than no curve at all.
        runs, stats = synthetic(hold=False)
        run = make_run('amdahlallbusy', runs, stats, meta=META)
        hruns, hstats = synthetic()
        for r in hruns:
            if (r['strategy'], r['workload']) == ('bkl', 'fs-private'):
                r['host_busy'] = '1'
        make_run(os.path.join('amdahlallbusy', 'hold'), [r for r in hruns if r['cpus'] == 1],
                 [r for r in hstats if r['cpus'] == 1])
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        md = read(run, 'report.md')
        expect_eq(md_table_row(md, 'fs-private', 'bkl')[3:], ['0.250', '4.00'], 'bkl held s from busy runs only:')
        expect('Amdahl for fs-private from 1-CPU runs all flagged host_busy' in md, 'busy-only s not said')

    def test_a_log_with_several_sweeps_pairs_each_run_with_its_own_lockstat(self):
        # One boot's shell ran `bench mm cpus=1,2` twice, then `bench mm cpus=2` (make plots RUN=<its log>):
        # three runs of mm at 2 CPUs, two at 1, all of repeat 0 in one log. Each run takes the BKL once per op
        # and held it 25 % of its 1-CPU run in the first sweep, 35 % in the second.
        runs, stats = [], []
        for sweep, counts in enumerate(((1, 2), (1, 2), (2,))):
            for c in counts:
                runs.append(dict(result_row('bkl', 'mm', c, 0, 100 * c + sweep), log='shell.log'))
                hold = (250_000_000 + 100_000_000 * sweep) if c == 1 else 0
                stats += [dict(lockstat_row('bkl', 'mm', c, 0, 'bkl', 100 * c + sweep, 0, hold), log='shell.log'),
                          dict(lockstat_row('bkl', 'mm', c, 0, 'runqueue', 50, 0, 0), log='shell.log')]
        run = make_run('sweeps', runs, stats, meta=dict(META, strategies={'bkl': META['strategies']['bkl']}))
        rc, _, err = report(run)
        expect_rc(rc, 0, err)
        md = read(run, 'report.md')
        # The runs of one key took the rows of all of its sweeps: 3 and 2 acquisitions per op, "different work".
        expect('lock acquisitions per op at' not in md, 'one acquisition per op at every count was flagged as '
               'different work: ' + md[md.index('## Sanity'):md.index('## Summary')])
        # Each 1-CPU run with its own hold (the mean of 0.25 and 0.35), not the larger of the two for both.
        expect_eq(md_table_row(md, 'mm', 'bkl')[2:], ['0.300', '3.33'], 'bkl held s, limit:')

    def test_empty_results_still_reports(self):
        meta = dict(META, failures=['bkl: build failed: gcc exited 1'],
                    strategies={'bkl': {'config': '', 'status': 'build failed: gcc exited 1'}})
        run = make_run('empty', [], [], meta)
        rc, out, err = report(run)
        expect_rc(rc, 1, err)
        md = read(run, 'report.md')
        expect('results.csv has no rows' in md and 'bkl: build failed: gcc exited 1' in md,
               'empty run: report does not say what is missing')
        check_html(run)
        expect_eq(glob.glob(os.path.join(run, 'plots', '*.png')), [], 'plots of nothing:')
        if GNUPLOT:
            expect('0 of 0 plots' in out, f'stdout: {out}')

    def test_no_gnuplot_exit_2_with_report(self):
        run = make_run('nognuplot', *synthetic(), meta=META)
        empty = os.path.join(TMP, 'empty-path')
        os.makedirs(empty)
        rc, _, err = report(run, env=dict(os.environ, PATH=empty))
        expect_eq(rc, 2, 'exit status without gnuplot:')
        expect('apt-get install gnuplot-nox' in err and 'scripts/deps.sh' in err, f'no install hint: {err}')
        md = read(run, 'report.md')
        expect('gnuplot is not installed' in md, 'report does not say there are no images')
        expect_eq(glob.glob(os.path.join(run, 'plots', '*.png')), [], 'images without gnuplot:')
        expect(os.path.isfile(os.path.join(run, 'plots', 'data', 'speedup-mm.dat')), 'no data files')
        check_html(run)

    def test_usage_errors(self):
        missing = os.path.join(TMP, 'no-such-run')
        expect_eq(report(missing), (2, '', f'bench-report: {missing}: no such run folder\n'), 'missing RUN:')
        empty = make_run('no-results')
        rc, out, err = report(empty)
        expect_eq((rc, out), (2, ''), 'RUN without results.csv:')
        expect('results.csv: no such file' in err, f'stderr: {err}')
        p = subprocess.run([sys.executable, TOOL], capture_output=True, text=True, timeout=60)
        expect_eq(p.returncode, 2, 'no arguments:')
        expect(p.stderr.startswith('usage: bench-report RUN'), f'no usage line: {p.stderr}')
        bad = make_run('bad-header')
        with open(os.path.join(bad, 'results.csv'), 'w') as f:
            f.write('a,b,c\n1,2,3\n')
        rc, _, err = report(bad)
        expect_eq(rc, 2, 'results.csv that is not bench-extract\'s:')
        expect('no column strategy' in err, f'stderr: {err}')


def main():
    return ktap_unittest.main('bench_report', BenchReportTests, cleanup=remove_tmp)


if __name__ == '__main__':
    sys.exit(main())
