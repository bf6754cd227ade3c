#!/usr/bin/env python3
# Self-tests of scripts/bench-extract (serial log -> CSV) on synthetic logs, run and imported.
"""Run: python3 tests/test_bench_extract.py   (prints KTAP v1; exit status 1 if a test fails).

Each case writes a synthetic serial log, runs scripts/bench-extract on it as a
subprocess (exit status, exact stderr summary, exact CSV files) and through
its parse_log() function (exact rows and problems, from the path and from a
list of lines)."""
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True      # no __pycache__ next to the script
HERE = os.path.dirname(os.path.realpath(__file__))
TOOL = os.path.join(os.path.dirname(HERE), 'scripts', 'bench-extract')
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'tools'))
from locklab import bench_extract as bx  # noqa: E402
import ktap_unittest  # noqa: E402  (tests/, beside this file)
from ktap_unittest import Failed, expect, expect_eq  # noqa: E402

TMP = tempfile.mkdtemp(prefix='locklab-bench-extract-')


# ---- synthetic logs ----------------------------------------------------------------------

RESULTS_HEADER = ('strategy,lock_alg,atomics,spin_wait,lock_wait,board,cpus_online,cntfrq,lockstat,'
                  'version,config,lockstat_hold,lockdep,duration_ms,repeats,think_ns,cs_ns,'
                  'spin_iters_per_ms,hz,scope,classes,warmup_ms,format,workload,cpus,'
                  'repeat,ops,ns,ops_per_sec,thread_ops_min,thread_ops_max,lock_wait_pct,'
                  'invariants,workers,host_vcpu_wait_pct,host_vcpu_blocked_pct,host_vcpu_sys_pct,host_steal_pct,host_load1,'
                  'host_window_ms,host_busy,'
                  'accel,host_cpus,qemu,log')
LOCKSTAT_HEADER = ('strategy,lock_alg,atomics,spin_wait,lock_wait,workload,cpus,repeat,class,acquisitions,'
                   'contentions,con_bounces,acq_bounces,wait_min_ns,wait_max_ns,wait_total_ns,'
                   'hold_min_ns,hold_max_ns,hold_total_ns,trylock_fail,log')

META = ('bench-meta: format=1 strategy=fine lock_alg=ticket atomics=lse spin_wait=busy '
        'lock_wait=spin board=qemu-virt cpus_online=4 cntfrq=62500000 lockstat=on '
        'version=0.3-g1a2b3c config=9f3e21aa')
META_BKL = ('bench-meta: format=1 strategy=bkl lock_alg=mcs atomics=llsc spin_wait=wfe '
            'lock_wait=block board=rpi5 cpus_online=4 cntfrq=54000000 lockstat=off '
            'version=0.3-g1a2b3c config=0x77')
RUN1 = ('bench: workload=mm cpus=1 repeat=0 ops=4000 ns=100000000 ops_per_sec=40000 '
        'thread_ops_min=4000 thread_ops_max=4000 lock_wait_pct=0.00 invariants=ok')
RUN4 = ('bench: workload=mm cpus=4 repeat=0 ops=9000 ns=100000000 ops_per_sec=90000 '
        'thread_ops_min=2100 thread_ops_max=2400 lock_wait_pct=37.25 invariants=ok')
STAT1_MM = ('lockstat: workload=mm cpus=1 repeat=0 class=mm acquisitions=8000 contentions=0 '
            'con_bounces=0 acq_bounces=0 wait_min_ns=0 wait_max_ns=0 wait_total_ns=0 '
            'hold_min_ns=16 hold_max_ns=480 hold_total_ns=512000 trylock_fail=0')
STAT1_PAGE = ('lockstat: workload=mm cpus=1 repeat=0 class=page acquisitions=4000 contentions=0 '
              'con_bounces=0 acq_bounces=0 wait_min_ns=0 wait_max_ns=0 wait_total_ns=0 '
              'hold_min_ns=16 hold_max_ns=96 hold_total_ns=128000 trylock_fail=0')
STAT4_MM = ('lockstat: workload=mm cpus=4 repeat=0 class=mm acquisitions=18000 contentions=6000 '
            'con_bounces=5800 acq_bounces=12000 wait_min_ns=16 wait_max_ns=96000 '
            'wait_total_ns=14900000 hold_min_ns=16 hold_max_ns=800 hold_total_ns=1300000 '
            'trylock_fail=3')
END = 'bench-end: runs=2 failed=0'
# line numbers:  1 .. 3 = boot, 4 = META, 5 = RUN1, 6/7 = its lockstat, 8 = RUN4, 9 = its
# lockstat, 10 = END, 11 = shutdown
CLEAN = ['[    0.000000] c0: locklab booting',
         'boot: board=qemu-virt entry_el=1 el=1 cpus_online=4 strategy=fine lockstat=on',
         '[    0.120000] c0: bench: starting 1 workload',
         META, RUN1, STAT1_MM, STAT1_PAGE, RUN4, STAT4_MM, END,
         'shutdown: status=pass reason=done']

# The bench-meta columns of META (its optional keys blank), the blank workers column (RUN1 and RUN4 are
# records printed before workers= existed) and the blank host columns.
R_META = 'fine,ticket,lse,busy,spin,qemu-virt,4,62500000,on,0.3-g1a2b3c,9f3e21aa' + ',' * 11 + ',1'
NO_HOST = "," * 11
R_RUN1 = R_META + ',mm,1,0,4000,100000000,40000,4000,4000,0.00,ok' + NO_HOST + ',{log}'
R_RUN4 = R_META + ',mm,4,0,9000,100000000,90000,2100,2400,37.25,ok' + NO_HOST + ',{log}'
S_1MM = 'fine,ticket,lse,busy,spin,mm,1,0,mm,8000,0,0,0,0,0,0,16,480,512000,0,{log}'
S_1PAGE = 'fine,ticket,lse,busy,spin,mm,1,0,page,4000,0,0,0,0,0,0,16,96,128000,0,{log}'
S_4MM = 'fine,ticket,lse,busy,spin,mm,4,0,mm,18000,6000,5800,12000,16,96000,14900000,16,800,1300000,3,{log}'
WROTE = 'wrote OUT/results.csv ({}) and OUT/lockstat.csv ({})\n'


def text(lines, end='\n'):
    return end.join(lines) + end


def write_log(name, content):
    path = os.path.join(tempfile.mkdtemp(dir=TMP), name)
    with open(path, 'wb') as f:
        f.write(content.encode('latin-1') if isinstance(content, str) else content)
    return path


def extract(*args):
    """Runs the tool with --out (a directory that does not exist yet) and args; returns
    (exit status, stderr with the directory shown as OUT, results.csv, lockstat.csv)."""
    out = os.path.join(tempfile.mkdtemp(dir=TMP), 'new', 'out')
    p = subprocess.run([sys.executable, TOOL, '--out', out, *args], capture_output=True,
                       text=True, timeout=60)

    def read(name):
        path = os.path.join(out, name)
        return open(path).read() if os.path.exists(path) else None
    return p.returncode, p.stderr.replace(out, 'OUT'), read('results.csv'), read('lockstat.csv')


def csv_text(header, rows, log):
    return '\n'.join([header] + [r.format(log=log) for r in rows]) + '\n'


def check_log(name, content, rc, summary, runs, stats, problems=()):
    """One log through the program and through parse_log(), both compared exactly."""
    path = write_log(name, content)
    wrote = WROTE.format(bx._plural(len(runs), 'run'), bx._plural(len(stats), 'row'))
    expect_eq(extract(path), (rc, summary + wrote, csv_text(RESULTS_HEADER, runs, name),
                              csv_text(LOCKSTAT_HEADER, stats, name)), 'program:')
    raw = content.encode('latin-1') if isinstance(content, str) else content
    for source in (path, raw.split(b'\n')):
        _, got_runs, got_stats, got_problems = bx.parse_log(source, name)
        expect_eq([','.join(r[c] for c in bx.RESULTS_COLUMNS) for r in got_runs],
                  [r.format(log=name) for r in runs], 'parse_log runs:')
        expect_eq([','.join(r[c] for c in bx.LOCKSTAT_COLUMNS) for r in got_stats],
                  [r.format(log=name) for r in stats], 'parse_log lockstat rows:')
        expect_eq(got_problems, [bx.Problem(*p) for p in problems], 'parse_log problems:')


MISSING_END = ('missing_end', None, 'missing bench-end (log truncated?); runs kept')


# ---- cases -------------------------------------------------------------------------------

def rotated_log():
    """Two repeats of mm at 1 and 2 CPUs, the counts rotating, with lockstat rows."""
    lines = [META]
    for rep, (one, two) in enumerate(((1000, 1900), (600, 1500))):
        for cpus, tp in ((1, one), (2, two)):
            lines += [f'bench: workload=mm cpus={cpus} repeat={rep} ops={tp // 10} ns=100000000 '
                      f'ops_per_sec={tp} thread_ops_min=1 thread_ops_max=1 lock_wait_pct=1.00 invariants=ok',
                      f'lockstat: workload=mm cpus={cpus} repeat={rep} class=page acquisitions={tp // 10 * 2} '
                      'contentions=0 con_bounces=0 acq_bounces=0 wait_min_ns=0 wait_max_ns=0 wait_total_ns=0 '
                      'hold_min_ns=0 hold_max_ns=0 hold_total_ns=0 trylock_fail=0',
                      f'lockstat: workload=mm cpus={cpus} repeat={rep} class=runqueue acquisitions={cpus * 50} '
                      'contentions=0 con_bounces=0 acq_bounces=0 wait_min_ns=0 wait_max_ns=0 wait_total_ns=0 '
                      'hold_min_ns=0 hold_max_ns=0 hold_total_ns=0 trylock_fail=0']
    return lines + ['bench-end: runs=4 failed=0']


class BenchExtractTests(unittest.TestCase):
    """The bench_extract tests, in the order KTAP numbers them."""

    def test_clean_log(self):
        check_log('clean.log', text(CLEAN), 0, 'clean.log: 2 runs, 3 lockstat rows kept\n',
                  [R_RUN1, R_RUN4], [S_1MM, S_1PAGE, S_4MM])

    def test_noise_and_crlf_ignored(self):
        noisy = b'\x00\xff\x1b[0m\r\n'
        for line in CLEAN[:4]:                  # NUL and escape noise right before bench-meta too
            noisy += line.encode() + b'\r\n'
        noisy = noisy.replace(META.encode(), b'\x00\x1b[0m\r' + META.encode())
        for i, line in enumerate(CLEAN[4:], 5):
            noisy += f'[    1.{i:06d}] c{i % 4}: ok 3 lockstat: workload=mm bench: x\r\n'.encode()
            noisy += b'  KTAP version 1\r\n\xfe\xfd garbage bench: workload=x\r\n'
            noisy += line.encode() + b'\r\r\n'
        check_log('noisy.log', noisy, 0, 'noisy.log: 2 runs, 3 lockstat rows kept\n',
                  [R_RUN1, R_RUN4], [S_1MM, S_1PAGE, S_4MM])

    def test_truncated_last_line_skipped(self):
        cut = STAT4_MM[:STAT4_MM.index('ontentions')]    # '... acquisitions=18000 c'
        check_log('cut.log', text(CLEAN[:8], '\r\n') + cut, 1,
                  'cut.log: 2 runs, 2 lockstat rows kept\n'
                  'cut.log: 1 malformed record line skipped, at line 9\n'
                  "cut.log:   line 9: lockstat: 'c' is not key=value (truncated line?)\n"
                  'cut.log: missing bench-end (log truncated?); runs kept\n',
                  [R_RUN1, R_RUN4], [S_1MM, S_1PAGE],
                  [('malformed', 9, "lockstat: 'c' is not key=value (truncated line?)"), MISSING_END])

    def test_missing_bench_end_keeps_runs(self):
        check_log('noend.log', text(CLEAN[:9]), 1,
                  'noend.log: 2 runs, 3 lockstat rows kept\n'
                  'noend.log: missing bench-end (log truncated?); runs kept\n',
                  [R_RUN1, R_RUN4], [S_1MM, S_1PAGE, S_4MM], [MISSING_END])

    def test_interleaved_lines_skipped(self):
        # CPU 1's lockstat line lands in the middle of CPU 0's bench line; the rest of the
        # bench line ends up on the next line, which is no record.
        lines = CLEAN[:7] + ['bench: workload=mm cpus=4 rep' + STAT4_MM,
                             RUN4[len('bench: workload=mm cpus=4 rep'):]] + CLEAN[9:]
        why = "bench: second record prefix 'lockstat:' inside the line (interleaved output?)"
        check_log('mixed.log', text(lines), 1,
                  'mixed.log: 1 run, 2 lockstat rows kept\n'
                  'mixed.log: 1 malformed record line skipped, at line 8\n'
                  f'mixed.log:   line 8: {why}\n'
                  'mixed.log: line 10: bench-end says runs=2; runs kept: 1\n',
                  [R_RUN1], [S_1MM, S_1PAGE],
                  [('malformed', 8, why), ('end_mismatch', 10, 'bench-end says runs=2; runs kept: 1')])

    def test_missing_required_key(self):
        lines = list(CLEAN)
        lines[4] = RUN1.replace(' ns=100000000', '').replace(' invariants=ok', '')
        lines[6] = STAT1_PAGE.replace(' class=page', '')
        check_log('missing.log', text(lines), 1,
                  'missing.log: 1 run, 2 lockstat rows kept\n'
                  'missing.log: 2 malformed record lines skipped, at lines 5, 7\n'
                  'missing.log:   line 5: bench: missing keys ns, invariants\n'
                  'missing.log:   line 7: lockstat: missing key class\n'
                  'missing.log: line 10: bench-end says runs=2; runs kept: 1\n',
                  [R_RUN4], [S_1MM, S_4MM],
                  [('malformed', 5, 'bench: missing keys ns, invariants'),
                   ('malformed', 7, 'lockstat: missing key class'),
                   ('end_mismatch', 10, 'bench-end says runs=2; runs kept: 1')])

    def test_duplicated_key(self):
        lines = list(CLEAN)
        lines[5] = STAT1_MM.replace('contentions=0', 'contentions=0 contentions=0')
        lines[7] = RUN4 + ' x=1 x=2'            # an unknown key twice is as bad
        check_log('dup.log', text(lines), 1,
                  'dup.log: 1 run, 2 lockstat rows kept\n'
                  'dup.log: 2 malformed record lines skipped, at lines 6, 8\n'
                  'dup.log:   line 6: lockstat: duplicated key contentions\n'
                  'dup.log:   line 8: bench: duplicated key x\n'
                  'dup.log: line 10: bench-end says runs=2; runs kept: 1\n',
                  [R_RUN1], [S_1PAGE, S_4MM],
                  [('malformed', 6, 'lockstat: duplicated key contentions'),
                   ('malformed', 8, 'bench: duplicated key x'),
                   ('end_mismatch', 10, 'bench-end says runs=2; runs kept: 1')])

    def test_wrong_value_types(self):
        lines = list(CLEAN)
        lines[4] = RUN1.replace('ops=4000', 'ops=4k')
        lines[5] = STAT1_MM.replace('hold_min_ns=16', 'hold_min_ns=-16')
        lines[7] = RUN4.replace('lock_wait_pct=37.25', 'lock_wait_pct=37,25')
        lines[9] = 'bench-end: runs=two failed=0'
        whys = ["bench: ops='4k' is not a decimal integer",
                "lockstat: hold_min_ns='-16' is not a decimal integer",
                "bench: lock_wait_pct='37,25' is not a decimal number or na",
                "bench-end: runs='two' is not a decimal integer"]
        check_log('types.log', text(lines), 1,
                  'types.log: 0 runs, 2 lockstat rows kept\n'
                  'types.log: 4 malformed record lines skipped, at lines 5, 6, 8, 10\n' +
                  ''.join(f'types.log:   line {n}: {w}\n' for n, w in zip((5, 6, 8, 10), whys)) +
                  'types.log: missing bench-end (log truncated?); runs kept\n',
                  [], [S_1PAGE, S_4MM],
                  [('malformed', n, w) for n, w in zip((5, 6, 8, 10), whys)] + [MISSING_END])

    def test_bad_bench_meta_keeps_no_runs_under_it(self):
        # An unknown strategy (or a later format) makes the meta unusable; the runs after it
        # must not be credited to the build before it.
        lines = CLEAN[:9] + [META.replace('strategy=fine', 'strategy=giant'), RUN1, STAT1_MM,
                             'bench-end: runs=2 failed=0']
        why = "bench-meta: strategy='giant' is not one of bkl|subsys|fine"
        check_log('badmeta.log', text(lines), 1,
                  'badmeta.log: 2 runs, 3 lockstat rows kept\n'
                  'badmeta.log: 1 malformed record line skipped, at line 10\n'
                  f'badmeta.log:   line 10: {why}\n'
                  'badmeta.log: 2 records before any valid bench-meta skipped, at lines 11, 12\n'
                  'badmeta.log:   line 11: bench record with no valid bench-meta before it\n'
                  'badmeta.log:   line 12: lockstat record with no valid bench-meta before it\n',
                  [R_RUN1, R_RUN4], [S_1MM, S_1PAGE, S_4MM],
                  [('malformed', 10, why),
                   ('no_meta', 11, 'bench record with no valid bench-meta before it'),
                   ('no_meta', 12, 'lockstat record with no valid bench-meta before it')])
        path = write_log('v2.log', text([META.replace('format=1', 'format=2')]))
        expect_eq(bx.parse_log(path)[3][0].text,
                  'bench-meta: format=2 is not supported (this tool reads 1)', 'format=2:')

    def test_lock_wait_pct_na_is_empty_cell(self):
        lines = list(CLEAN)
        lines[4] = RUN1.replace('lock_wait_pct=0.00', 'lock_wait_pct=na')
        check_log('na.log', text(lines), 0, 'na.log: 2 runs, 3 lockstat rows kept\n',
                  [R_RUN1.replace(',0.00,', ',,'), R_RUN4], [S_1MM, S_1PAGE, S_4MM])

    def test_boot_time_lockstat_lines_ignored(self):
        table = ['lockstat: class name con-bounces contentions waittime-min waittime-max',
                 'lockstat: class=torture acquisitions=331046 contentions=247713 con_bounces=247650 '
                 'acq_bounces=248009 wait_min_ns=16 wait_max_ns=2063264 wait_total_ns=1036011264 '
                 'hold_min_ns=16 hold_max_ns=1008000 hold_total_ns=95680352 trylock_fail=0',
                 'lockstat: class=inode acquisitions=12 conte', 'lockstat:']
        lines = CLEAN[:3] + table + CLEAN[3:] + table
        check_log('boottable.log', text(lines), 0, 'boottable.log: 2 runs, 3 lockstat rows kept\n',
                  [R_RUN1, R_RUN4], [S_1MM, S_1PAGE, S_4MM])

    def test_any_key_order_and_unknown_keys(self):
        lines = list(CLEAN)
        lines[3] = ' '.join(['bench-meta:'] + META.split()[:0:-1] + ['numa=off'])  # reversed
        lines[4] = 'bench: future=1 ' + ' '.join(RUN1.split()[1:][::-1])
        lines[5] = 'lockstat: class=mm ' + STAT1_MM[len('lockstat: '):].replace(' class=mm', '') + \
            ' spin_ns=5'
        lines[9] = 'bench-end: failed=0 runs=2 seconds=3'
        check_log('order.log', text(lines), 0, 'order.log: 2 runs, 3 lockstat rows kept\n',
                  [R_RUN1, R_RUN4], [S_1MM, S_1PAGE, S_4MM])

    def test_workers_kept_when_printed(self):
        # RUN1 and RUN4 come from before workers= existed (blank); a kernel of today prints it; a mistyped value
        # is left blank, not passed on as a count.
        lines = list(CLEAN)
        lines[4] = RUN1.replace(' lock_wait_pct', ' workers=1 lock_wait_pct')
        lines[7] = RUN4.replace(' lock_wait_pct', ' workers=x4 lock_wait_pct')
        check_log('workers.log', text(lines), 0, 'workers.log: 2 runs, 3 lockstat rows kept\n',
                  [R_RUN1.replace(',ok,,', ',ok,1,'), R_RUN4], [S_1MM, S_1PAGE, S_4MM])

    def test_invariants_fail_keeps_run(self):
        lines = list(CLEAN)
        lines[7] = RUN4.replace('invariants=ok', 'invariants=FAIL')
        lines[9] = 'bench-end: runs=2 failed=1'
        check_log('fail.log', text(lines), 1,
                  'fail.log: 2 runs, 3 lockstat rows kept\n'
                  'fail.log: 1 run with invariants=FAIL (kept), at line 8\n'
                  'fail.log:   line 8: run workload=mm cpus=4 repeat=0 said invariants=FAIL\n',
                  [R_RUN1, R_RUN4.replace(',ok,', ',FAIL,')], [S_1MM, S_1PAGE, S_4MM],
                  [('invariants', 8, 'run workload=mm cpus=4 repeat=0 said invariants=FAIL')])

    def test_kernel_error_lines_are_named_not_malformed(self):
        # What the kernel found wrong comes before the run that says invariants=FAIL: given as its words.
        err = 'bench: error workload=mm cpus=4 repeat=0: worker 0 on cpu0 saw 7 wrong results'
        lines = list(CLEAN)
        lines[7] = RUN4.replace('invariants=ok', 'invariants=FAIL')
        lines[9] = 'bench-end: runs=2 failed=1'
        lines.insert(7, err)
        check_log('err.log', text(lines), 1,
                  'err.log: 2 runs, 3 lockstat rows kept\n'
                  'err.log: 1 error line from the kernel, at line 8\n'
                  f'err.log:   line 8: {err[len("bench: "):]}\n'
                  'err.log: 1 run with invariants=FAIL (kept), at line 9\n'
                  'err.log:   line 9: run workload=mm cpus=4 repeat=0 said invariants=FAIL\n',
                  [R_RUN1, R_RUN4.replace(',ok,', ',FAIL,')], [S_1MM, S_1PAGE, S_4MM],
                  [('kernel_error', 8, err[len('bench: '):]),
                   ('invariants', 9, 'run workload=mm cpus=4 repeat=0 said invariants=FAIL')])

    def test_bench_end_counts_checked(self):
        lines = list(CLEAN)
        lines[9] = 'bench-end: runs=3 failed=1'
        check_log('count.log', text(lines), 1,
                  'count.log: 2 runs, 3 lockstat rows kept\n'
                  'count.log: line 10: bench-end says runs=3; runs kept: 2\n'
                  'count.log: line 10: bench-end says failed=1; runs with invariants=FAIL: 0\n',
                  [R_RUN1, R_RUN4], [S_1MM, S_1PAGE, S_4MM],
                  [('end_mismatch', 10, 'bench-end says runs=3; runs kept: 2'),
                   ('end_mismatch', 10, 'bench-end says failed=1; runs with invariants=FAIL: 0')])

    def test_bench_before_bench_meta_skipped(self):
        lines = CLEAN[:3] + [RUN1, STAT1_MM] + CLEAN[3:4] + CLEAN[7:]
        check_log('early.log', text(lines), 1,
                  'early.log: 1 run, 1 lockstat row kept\n'
                  'early.log: 2 records before any valid bench-meta skipped, at lines 4, 5\n'
                  'early.log:   line 4: bench record with no valid bench-meta before it\n'
                  'early.log:   line 5: lockstat record with no valid bench-meta before it\n'
                  'early.log: line 9: bench-end says runs=2; runs kept: 1\n',
                  [R_RUN4], [S_4MM],
                  [('no_meta', 4, 'bench record with no valid bench-meta before it'),
                   ('no_meta', 5, 'lockstat record with no valid bench-meta before it'),
                   ('end_mismatch', 9, 'bench-end says runs=2; runs kept: 1')])
        check_log('nometa.log', text(['just a console', 'bench-end: runs=0 failed=0']), 1,
                  'nometa.log: 0 runs, 0 lockstat rows kept\n'
                  'nometa.log: no valid bench-meta record\n', [], [],
                  [('no_bench_meta', None, 'no valid bench-meta record')])

    def test_latest_meta_applies(self):
        lines = [META_BKL, RUN1, STAT1_MM, META, RUN4, STAT4_MM, END]

        def bkl(row):
            return row.replace('fine,ticket,lse,busy,spin,qemu-virt,4,62500000,on,0.3-g1a2b3c,9f3e21aa,',
                               'bkl,mcs,llsc,wfe,block,rpi5,4,54000000,off,0.3-g1a2b3c,0x77,')
        check_log('two-metas.log', text(lines), 0, 'two-metas.log: 2 runs, 2 lockstat rows kept\n',
                  [bkl(R_RUN1), R_RUN4], [S_1MM.replace('fine,ticket,lse,busy,spin,', 'bkl,mcs,llsc,wfe,block,'), S_4MM])
        metas = bx.parse_log(write_log('m.log', text(lines)))[0]
        expect_eq([(m['strategy'], m['config'], m['line'], m['log']) for m in metas],
                  [('bkl', '0x77', 1, 'm.log'), ('fine', '9f3e21aa', 4, 'm.log')], 'metas:')

    def test_only_first_five_malformed_listed(self):
        lines = [META] + [RUN1.replace('ops=4000', f'ops={i}x') for i in range(7)] + \
            ['bench-end: runs=0 failed=0']
        check_log('many.log', text(lines), 1,
                  'many.log: 0 runs, 0 lockstat rows kept\n'
                  'many.log: 7 malformed record lines skipped, at lines 2, 3, 4, 5, 6 (first 5 of 7)\n'
                  + ''.join(f"many.log:   line {i + 2}: bench: ops='{i}x' is not a decimal integer\n"
                            for i in range(5)),
                  [], [], [('malformed', i + 2, f"bench: ops='{i}x' is not a decimal integer")
                           for i in range(7)])

    def test_two_logs_combined(self):
        bkl = write_log('bkl.log', text([META_BKL, RUN1, STAT1_MM, 'bench-end: runs=1 failed=0']))
        fine = write_log('fine.log', text(CLEAN[:9]))
        rc, err, results, stats = extract(bkl, fine)
        expect_eq(rc, 1, 'exit status (fine.log has no bench-end):')
        expect_eq(err, 'bkl.log: 1 run, 1 lockstat row kept\n'
                       'fine.log: 2 runs, 3 lockstat rows kept\n'
                       'fine.log: missing bench-end (log truncated?); runs kept\n'
                       'wrote OUT/results.csv (3 runs) and OUT/lockstat.csv (4 rows)\n', 'stderr')
        expect_eq(results, '\n'.join([
            RESULTS_HEADER,
            ('bkl,mcs,llsc,wfe,block,rpi5,4,54000000,off,0.3-g1a2b3c,0x77' + ',' * 11 + ',1,mm,1,0,4000,100000000,40000,'
             '4000,4000,0.00,ok' + NO_HOST + ',bkl.log'),
            R_RUN1.format(log='fine.log'), R_RUN4.format(log='fine.log')]) + '\n', 'results.csv')
        expect_eq(stats, '\n'.join([
            LOCKSTAT_HEADER, 'bkl,mcs,llsc,wfe,block,mm,1,0,mm,8000,0,0,0,0,0,0,16,480,512000,0,bkl.log'] +
            [r.format(log='fine.log') for r in (S_1MM, S_1PAGE, S_4MM)]) + '\n', 'lockstat.csv')
        rc, _, results, _ = extract(bkl, write_log('fine.log', text(CLEAN)))
        expect_eq((rc, results.count('\n')), (0, 4), 'both clean: exit status, lines')

    def test_usage_errors(self):
        p = subprocess.run([sys.executable, TOOL], capture_output=True, text=True, timeout=60)
        expect_eq((p.returncode, p.stdout, p.stderr.splitlines()[-1]),
                  (2, '', 'bench-extract: error: the following arguments are required: --out'),
                  'no arguments:')
        rc, err, results, _ = extract()
        expect_eq((rc, err.splitlines()[-1], results), (2, 'bench-extract: error: no LOG given', None),
                  'no LOG:')
        good = write_log('good.log', text(CLEAN))
        missing = os.path.join(TMP, 'no-such.log')
        rc, err, results, _ = extract(good, missing)
        expect_eq((rc, err, results),
                  (2, f'bench-extract: cannot read {missing}: No such file or directory\n', None),
                  'missing file:')
        rc, err, results, _ = extract(TMP)
        expect_eq((rc, err, results), (2, f'bench-extract: cannot read {TMP}: Is a directory\n', None),
                  'directory as LOG:')
        try:
            bx.parse_log(missing)
            raise Failed('parse_log on a missing file did not raise')
        except FileNotFoundError:
            pass

    def test_every_bench_meta_key_is_a_column(self):
        meta = META + (' lockstat_hold=auto lockdep=off duration_ms=100 repeat=3 think_ns=2000 cs_ns=200 '
                       'spin_iters_per_ms=987654 hz=100 scope=subsys classes=proc_lock,fs_lock warmup_ms=500 '
                       'newkey=ignored')
        _, runs, _, problems = bx.parse_log([meta, RUN1, 'bench-end: runs=1 failed=0'])
        expect_eq(problems, [], 'problems:')
        expect_eq({k: runs[0][k] for k in bx.META_OPTIONAL if k != 'repeat'} | {'repeats': runs[0]['repeats']},
                  {'lockstat_hold': 'auto', 'lockdep': 'off', 'duration_ms': '100', 'think_ns': '2000',
                   'cs_ns': '200', 'spin_iters_per_ms': '987654', 'hz': '100', 'scope': 'subsys',
                   'classes': 'proc_lock,fs_lock', 'warmup_ms': '500', 'repeats': '3'},
                  'optional bench-meta columns:')
        expect('newkey' not in runs[0], 'a key the tool does not know became a column')

    def test_host_file_fills_host_columns_and_flags_busy_runs(self):
        path = write_log('fine-boot1.log', text(rotated_log()))
        with open(path[:-4] + '.host', 'w') as f:
            f.write('host-meta: accel=multi host_cpus=2 qemu=7.2.22\n'
                    'host: workload=mm cpus=1 repeat=0 host_vcpu_wait_pct=0.50 host_vcpu_blocked_pct=0.20 '
                    'host_steal_pct=0.00 host_load1=0.20 host_window_ms=120.0\n'
                    'host: workload=mm cpus=2 repeat=0 host_vcpu_wait_pct=5.01 host_vcpu_blocked_pct=20.50 '
                    'host_steal_pct=1.50 host_load1=0.30 host_window_ms=121.0\n'
                    'host: workload=mm cpus=2 repeat=1 host_vcpu_wait_pct=1.00 host_vcpu_blocked_pct=18.25 '
                    'host_steal_pct=0.00 host_load1=0.30 host_window_ms=119.0\n')
        out = os.path.join(tempfile.mkdtemp(dir=TMP), 'out')
        p = subprocess.run([sys.executable, TOOL, '--out', out, path], capture_output=True, text=True, timeout=60)
        expect_eq(p.returncode, 0, f'exit status ({p.stderr}):')
        rows = list(csv.DictReader(open(os.path.join(out, 'results.csv'))))
        got = [(r['cpus'], r['repeat'], r['host_vcpu_wait_pct'], r['host_vcpu_blocked_pct'], r['host_busy'],
                r['accel'], r['host_cpus'], r['qemu']) for r in rows]
        expect_eq(got, [('1', '0', '0.50', '0.20', '0', 'multi', '2', '7.2.22'),
                        ('2', '0', '5.01', '20.50', '1', 'multi', '2', '7.2.22'),
                        ('1', '1', '', '', '', 'multi', '2', '7.2.22'),
                        ('2', '1', '1.00', '18.25', '0', 'multi', '2', '7.2.22')],
                  'host columns (repeat 1 at 1 CPU has no host record: blank, not zero):')
        summary = {(r['workload'], r['cpus']): r for r in csv.DictReader(open(os.path.join(out, 'summary.csv')))}
        two = summary[('mm', '2')]
        # Repeat 0's 2-CPU run is busy: only repeat 1's pair (1500 / 600) counts.
        expect_eq((two['n'], two['host_busy_runs'], two['speedup_median'], two['speedup_pairs'],
                   two['ops_per_sec_median'], two['host_vcpu_blocked_pct_median']),
                  ('1', '1', '2.500', '1', '1500', '18.25'), 'summary at 2 CPUs (the busy run left out):')
        one = summary[('mm', '1')]
        expect_eq((one['n'], one['ops_per_sec_median'], one['ops_per_sec_min'], one['ops_per_sec_max'],
                   one['acq_per_op']), ('2', '800', '600', '1000', '2.000'),
                  'summary at 1 CPU (acquisitions per op leave the scheduler\'s runqueue lock out):')
        # A run no live sample of the host covers (its records read after QEMU exited): n/a, flagged busy.
        with open(path[:-4] + '.host', 'a') as f:
            f.write('host: workload=mm cpus=1 repeat=1 host_vcpu_wait_pct=n/a host_steal_pct=n/a '
                    'host_load1=0.40 host_window_ms=n/a\n')
        _, runs, _, _ = bx.parse_log(path)
        bx.add_host(runs, path)
        expect_eq([(r['repeat'], r['cpus'], r['host_vcpu_wait_pct'], r['host_window_ms'], r['host_busy'])
                   for r in runs if r['repeat'] == '1' and r['cpus'] == '1'], [('1', '1', 'n/a', 'n/a', '1')],
                  'a run the host did not watch:')

    def test_speedups_pair_adjacent_runs_of_one_boot(self):
        _, runs, _, _ = bx.parse_log(rotated_log(), name='a.log')
        _, runs2, _, _ = bx.parse_log([l.replace('ops_per_sec=1900', 'ops_per_sec=3800') for l in rotated_log()],
                                      name='b.log')
        pairs = bx.pair_speedups(runs + runs2, key=lambda r: r['strategy'])
        expect_eq(sorted(round(x, 3) for x in pairs[('fine', 'mm', 2)]), [1.9, 2.5, 2.5, 3.8],
                  'each 2-CPU run over the 1-CPU run of its own log and repeat:')
        expect_eq(pairs[('fine', 'mm', 1)], [1.0] * 4, '1-CPU runs pair with themselves:')

    def test_speedups_of_a_log_with_two_sweeps_pair_within_each(self):
        # A self-test log holds several sweeps of one workload: each pairs with its own 1-CPU run.
        rows = [{'log': 'selftest.log', 'workload': 'mm', 'repeat': '0', 'cpus': c, 'ops_per_sec': v, 'host_busy': ''}
                for c, v in (('1', '100'), ('2', '190'), ('3', '270'), ('4', '360'),
                             ('1', '200'), ('2', '400'), ('3', '600'), ('4', '800'))]
        pairs = bx.pair_speedups(rows, key=lambda r: 'fine')
        expect_eq([sorted(pairs[('fine', 'mm', c)]) for c in (1, 2, 3, 4)],
                  [[1.0, 1.0], [1.9, 2.0], [2.7, 3.0], [3.6, 4.0]], 'speedups at 1 to 4 CPUs:')

    def test_acquisitions_per_op_of_a_log_with_two_sweeps_count_each_run_once(self):
        # A shell's bench calls in one boot: `bench mm cpus=1,2`, then `bench mm cpus=2` twice. Each run takes
        # 6 page locks per op; the three 2-CPU runs share one key, the last two back to back in lockstat.csv.
        def run(cpus, ops):
            return [f'lockstat: workload=mm cpus={cpus} repeat=0 class=page acquisitions={6 * ops} contentions=0 '
                    'con_bounces=0 acq_bounces=0 wait_min_ns=0 wait_max_ns=0 wait_total_ns=0 hold_min_ns=0 '
                    'hold_max_ns=0 hold_total_ns=0 trylock_fail=0',
                    f'lockstat: workload=mm cpus={cpus} repeat=0 class=runqueue acquisitions=40 contentions=0 '
                    'con_bounces=0 acq_bounces=0 wait_min_ns=0 wait_max_ns=0 wait_total_ns=0 hold_min_ns=0 '
                    'hold_max_ns=0 hold_total_ns=0 trylock_fail=0',
                    f'bench: workload=mm cpus={cpus} repeat=0 ops={ops} ns=100000000 ops_per_sec={ops * 10} '
                    f'thread_ops_min=1 thread_ops_max=1 lock_wait_pct=1.00 invariants=ok']
        lines = ([META] + run(1, 3000) + run(2, 5000) + ['bench-end: runs=2 failed=0'] +
                 [META] + run(2, 4000) + ['bench-end: runs=1 failed=0'] +
                 [META] + run(2, 4400) + ['bench-end: runs=1 failed=0'])
        _, runs, stats, problems = bx.parse_log(lines, name='shell.log')
        expect_eq(problems, [], 'problems:')
        summary = {r['cpus']: r['acq_per_op'] for r in bx.summarise(runs, stats)}
        expect_eq(summary, {1: '6.000', 2: '6.000'}, 'summary.csv\'s acq_per_op at 1 and 2 CPUs:')
        expect_eq([round(x, 3) for x in bx.acq_per_op(runs, stats)], [6.0] * 4,
                  'each run\'s page acquisitions over its own ops:')

    def test_failed_runs_count_in_no_summary_number(self):
        # A 2-CPU run whose second worker could not start: invariants=FAIL, its ops the one worker's, or none.
        failed = [l.replace('ops_per_sec=1500', 'ops_per_sec=0').replace('invariants=ok', 'invariants=FAIL')
                  if 'cpus=2 repeat=1' in l and l.startswith('bench:') else l for l in rotated_log()]
        expect(any('ops_per_sec=0' in l for l in failed), 'the fixture has no 2-CPU run of repeat 1 to fail')
        _, runs, stats, _ = bx.parse_log(failed, name='fine-boot1.log')
        pairs = bx.pair_speedups(runs, key=lambda r: r['strategy'])
        expect_eq(sorted(round(x, 3) for x in pairs[('fine', 'mm', 2)]), [1.9],
                  'the failed run\'s pair (speedup 0) is left out:')
        two = {(r['workload'], r['cpus']): r for r in bx.summarise(runs, stats)}[('mm', 2)]
        expect_eq((two['n'], two['ops_per_sec_median'], two['speedup_median'], two['speedup_pairs'],
                   two['host_busy_runs']), (1, '1900', '1.900', 1, 0),
                  'summary at 2 CPUs over the run that did not fail:')

    def test_every_column_is_documented(self):
        doc = open(os.path.join(os.path.dirname(HERE), 'docs', 'output-format.md')).read()
        for name, cols in (('results.csv', bx.RESULTS_COLUMNS), ('lockstat.csv', bx.LOCKSTAT_COLUMNS),
                           ('summary.csv', bx.SUMMARY_COLUMNS)):
            lacking = [c for c in cols if f'`{c}`' not in doc and not (
                c.startswith('ops_per_sec_') or c.startswith('speedup_')) or
                (c.startswith(('ops_per_sec_', 'speedup_')) and f'`{c.rsplit("_", 1)[0]}_median`' not in doc)]
            expect_eq(lacking, [], f'{name} columns not in docs/output-format.md:')


def main():
    return ktap_unittest.main('bench_extract', BenchExtractTests, cleanup=remove_tmp)


def remove_tmp():
    shutil.rmtree(TMP, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
