#!/usr/bin/env python3
# Tests of the make targets as a user types them: make qemu/gdb, their errors, the deps check, .config checks, clean.
"""Run: python3 tests/test_make.py --objdir build/check --workdir build/check/make
(prints KTAP v1; exit status 1 if a test fails).

--objdir is an O= folder with a kernel built from configs/defconfig (make
check's own); the boots use it as is, so nothing is rebuilt. Every test is a
second or two: the slow ones boot a small suite in the real QEMU."""
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
ARGS = None        # the parsed command line, set before the first case
sys.dont_write_bytecode = True      # no __pycache__ next to the script
sys.path.insert(0, HERE)
from ktap_unittest import Failed, expect, expect_eq  # noqa: E402  (tests/, beside this file)
import ktap_unittest  # noqa: E402


def make(*args, path=None, timeout=60, stdin=None):
    """Runs make in the source tree as a user would (not as a sub-make of make check); stdin: text piped in."""
    env = {k: v for k, v in os.environ.items()
           if k not in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES')}
    if path is not None:
        env['PATH'] = path
    p = subprocess.run(['make', '--no-print-directory', '-C', ROOT, *args], env=env, input=stdin,
                       stdin=subprocess.DEVNULL if stdin is None else None, capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def qemu_boot(*args):
    rc, out, err = make('-s', f'O={ARGS.objdir}', 'qemu', *args)
    return rc, out + err


def would_compile():
    """The objects make -n would compile in --objdir. The flag, version and program-list stamps are remade at
    every run (FORCE) and rewritten only when they change; -n would count them as remade and everything after
    them as stale: -o keeps them."""
    stamps = [f'-o{os.path.join(ARGS.objdir, s)}' for s in ('.kflags', 'user/.uflags', 'include/generated/version.h',
                                                              'include/generated/user_programs.h')]
    rc, out, err = make('-n', f'O={ARGS.objdir}', 'all', *stamps, timeout=60)
    expect_eq(rc, 0, f'make -n ({err.strip()[-500:]})')
    return set(re.findall(r' -c \S+ -o (\S+?\.o)(?:\.tmp)?\b', out))


def scratch(name):
    d = os.path.join(ARGS.workdir, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def script(path, body):
    with open(path, 'w') as f:
        f.write(body)
    os.chmod(path, 0o755)
    return path


# ---- make qemu / make gdb ---------------------------------------------------------------

LOCK_STAT_COLUMNS = ['con-bounces', 'contentions', 'waittime-min', 'waittime-max', 'waittime-total', 'waittime-avg',
                     'acq-bounces', 'acquisitions', 'holdtime-min', 'holdtime-max', 'holdtime-total', 'holdtime-avg']


def usec(ns):
    """ns as /proc/lock_stat shows it: us with two decimals, rounded to 10 ns."""
    tens = (int(ns) + 5) // 10
    return f'{tens // 100}.{tens % 100:02d}'


# ---- a fresh machine: make bench / make check and scripts/deps.sh -----------------------

def path_without(tool, uid):
    """A PATH holding every command but `tool`, with an `id` that says uid and an apt-get that logs."""
    d = scratch(f'path-{uid}')
    fake, links = os.path.join(d, 'fake'), os.path.join(d, 'links')
    os.makedirs(fake)
    os.makedirs(links)
    for folder in os.environ['PATH'].split(':'):
        if os.path.isdir(folder):
            for name in os.listdir(folder):
                if name != tool and not os.path.lexists(os.path.join(links, name)):
                    os.symlink(os.path.join(folder, name), os.path.join(links, name))
    script(os.path.join(fake, 'id'), f'#!/bin/sh\necho {uid}\n')
    script(os.path.join(fake, 'apt-get'), f'#!/bin/sh\necho "$@" >> {d}/apt.log\n')
    return f'{fake}:{links}', os.path.join(d, 'apt.log')


# ---- make fuzz --------------------------------------------------------------------------

def plant_fuzz_log(objdir):
    """A passing fuzz.log, as an older make fuzz would have left it in objdir, every record marked 'older_run_marker'."""
    log = os.path.join(objdir, 'fuzz', 'fine', 'fuzz.log')
    os.makedirs(os.path.dirname(log), exist_ok=True)
    with open(log, 'w') as f:
        f.write('fuzz: strategy=fine cpus=2 seed=1 calls=40000 violations=0 older_run_marker\r\n'
                'fuzz-el0: strategy=fine cpus=2 seed=1 calls=40000 violations=0 older_run_marker\r\n'
                'shutdown: status=pass reason=older_run_marker\r\n')
    return log


# ---- a hand-edited .config ---------------------------------------------------------------

# ---- make clean -------------------------------------------------------------------------


class MakeTests(ktap_unittest.TestCase):
    """Each case runs make in the source tree as a user types it."""

    @classmethod
    def setUpClass(cls):
        global ARGS
        ARGS = cls.args
        ARGS.objdir = os.path.abspath(ARGS.objdir)
        ARGS.workdir = os.path.abspath(ARGS.workdir)
        shutil.rmtree(ARGS.workdir, ignore_errors=True)
        os.makedirs(ARGS.workdir)

    def test_make_qemu_gic3_boots(self):
        rc, out = qemu_boot('GIC=3', 'CPUS=2', 'BOOTARGS=ktest=boot,irq')
        expect(rc == 0 and 'shutdown: status=pass' in out, f'rc={rc}\n{out[-2000:]}')
        expect(re.search(r'^boot: .*\bgic=v3\b.*\bcpus_online=2\b', out, re.M), out[-2000:])
        expect('-M virt,gic-version=3 ' in out, 'command line lacks -M virt,gic-version=3')

    def test_make_qemu_el2_boots(self):
        rc, out = qemu_boot('EL2=1', 'CPUS=2', 'BOOTARGS=ktest=boot')
        expect(rc == 0 and 'shutdown: status=pass' in out, f'rc={rc}\n{out[-2000:]}')
        expect(re.search(r'^boot: .*\bentry_el=2\b.*\bpsci=smc\b', out, re.M), out[-2000:])

    def test_make_qemu_fails_when_kernel_fails(self):
        rc, out = qemu_boot('CPUS=1', 'BOOTARGS=ktest=nosuch')
        expect('shutdown: status=fail' in out, out[-2000:])
        expect(rc != 0, 'make qemu exited 0 after shutdown: status=fail')

    def test_make_qemu_ends_a_piped_script_at_its_end(self):
        # printf ... | make qemu BOOTARGS="ktest=none end=shell" (docs/user.md): a serial line has no end of
        # file, so a script without poweroff or exit left the shell waiting for ever (seen: killed after
        # 2 min 50 s); the end of the pipe is now Ctrl-D, after a last line with or without its newline.
        for script, want in (('echo piped\n', '$ piped'), ('echo one\necho last', '$ last')):
            try:
                rc, out, err = make('-s', f'O={ARGS.objdir}', 'qemu', 'CPUS=2', 'BOOTARGS=ktest=none end=shell',
                                    stdin=script, timeout=60)
            except subprocess.TimeoutExpired:
                raise Failed(f'{script!r} piped into make qemu: no end after 60 s')
            expect(rc == 0 and want in out and 'end=shell: /bin/sh exited with status 0' in out and
                   'shutdown: status=pass' in out, f'{script!r}: rc {rc}, output {(out + err)[-600:]!r}')

    def test_make_qemu_help_option_stops(self):
        rc, out = qemu_boot('CPUS=1', 'BOOTARGS=help')
        expect(rc == 0 and 'shutdown: status=pass reason=help' in out, f'rc={rc}\n{out[-2000:]}')
        expect('boot options:' in out and 'maxcpus' in out, 'the options were not printed')
        expect('KTAP version' not in out and 'boot: board=' not in out, 'it went on to boot and test')

    def test_make_qemu_says_bench_options_without_bench_do_nothing(self):
        rc, out = qemu_boot('CPUS=1', 'BOOTARGS=ktest=none cpus=9')
        expect(rc == 0 and 'bootargs: cpus= applies only to benchmark runs, and bench= names none: ignored' in out
               and 'duration_ms= applies' not in out, f'rc={rc}\n{out[-1500:]}')

    def test_make_gdb_command_line(self):
        d = scratch('gdb')
        fake = script(os.path.join(d, 'qemu'), f'#!/bin/sh\necho "$@" > {d}/argv\n')
        rc, out, err = make('-s', f'O={ARGS.objdir}', 'gdb', 'GIC=3', 'EL2=1', 'CPUS=2', f'QEMU={fake}')
        expect_eq(rc, 0, f'make gdb ({err.strip()})')
        argv = open(os.path.join(d, 'argv')).read().split()
        expect_eq(argv[argv.index('-M') + 1], 'virt,gic-version=3,virtualization=on', '-M')
        expect(' '.join(argv).endswith('-S -gdb tcp::1234'), f'no gdb stub: {argv}')

    def test_make_qemu_passes_bootargs_as_typed(self):
        # BOOTARGS went to the shell in double quotes: a quoted value with a space (which the kernel's parser
        # takes) split into two words and qemu-run stopped on 'unrecognized arguments'; a ` was run.
        d = scratch('bootargs-as-typed')
        fake = script(os.path.join(d, 'qemu'), f'#!/bin/sh\nprintf "%s\\n" "$@" > {d}/argv\n')
        typed = 'ktest=none x="a b" z=`true` it\'s'
        rc, out, err = make('-s', f'O={ARGS.objdir}', 'qemu', f'QEMU={fake}', f'BOOTARGS={typed}')
        expect_eq(rc, 0, f'make qemu BOOTARGS={typed} ({err.strip()[-500:]})')
        argv = open(os.path.join(d, 'argv')).read().split('\n')
        expect_eq(argv[argv.index('-append') + 1], typed + ' semihost=1', '-append')

    def test_make_takes_paths_with_a_space(self):
        # RUN=, A=, B= and BENCH_CONFIG= went to the shell unquoted: a log in '~/pi 5/' was 'unexpected words'.
        d = scratch('path with space')
        rc, out, err = make('-s', 'plots', f'RUN={d}/pi5.log')
        expect(rc != 0 and f'bench-run: {d}/pi5.log: no such run folder or serial log' in err,
               f'make plots RUN={d}/pi5.log: rc {rc}, stderr {err!r}')
        for target in ('bench', 'bench-ratio', 'sdcard-all'):  # and BENCH_CONFIG=, as bench-run's --config
            rc, out, err = make('-s', f'O={ARGS.objdir}', target, f'BENCH_CONFIG={d}/my.config')
            expect(rc != 0 and f'BENCH_CONFIG={d}/my.config: no such file' in err,
                   f'make {target} BENCH_CONFIG={d}/my.config: rc {rc}, stderr {err!r}')
        rc, out, err = make('-s', 'compare', f'A={d}/a', f'B={d}/b')
        expect(rc != 0 and f'bench-compare: {d}/a: not a run folder' in err,
               f'make compare A={d}/a: rc {rc}, stderr {err!r}')

    def test_make_qemu_rejects_bad_values(self):
        # ACCEL=fast was passed on to qemu-run, whose usage block came after the build; a CPUS beyond the shell's
        # integers passed the GICv2 limit (with a '/bin/sh: Illegal number' line) and went to QEMU as -smp.
        for args, word in ((('CPUS=0',), 'CPUS=0'), (('CPUS=two',), 'CPUS=two'), (('GIC=4',), 'GIC=4'),
                           (('EL2=yes',), 'EL2=yes'), (('CPUS=9',), 'a GICv2 serves at most 8 CPUs'),
                           (('CPUS=99999999999999999999',), 'a GICv2 serves at most 8 CPUs'),
                           (('GIC=3', 'CPUS=513'), 'CPUS=513 with GIC=3: QEMU\'s virt board takes at most 512'),
                           (('ACCEL=fast',), 'ACCEL=fast is not a TCG threading: give ACCEL=multi or ACCEL=single'),
                           (('ACCEL=',), 'ACCEL= is not'), (('ACCEL=multi single',), 'ACCEL=multi single is not')):
            rc, out, err = make(f'O={ARGS.objdir}', 'qemu', *args, timeout=20)
            lines = err.strip().splitlines()
            expect(rc != 0 and len(lines) == 1 and word in lines[0] and not out,
                   f'make qemu {" ".join(args)}: rc={rc} stdout={out!r} stderr={err!r}')

    def test_make_qemu_lockstat_prints_linux_table(self):
        # The lockstat boot option, as a user asks for it: the whole run's totals in Linux's layout and units,
        # saying which window they cover, and agreeing with the lockstat: records printed after them.
        rc, out = qemu_boot('CPUS=2', 'BOOTARGS=ktest=lockstat lockstat')
        expect(rc == 0 and 'shutdown: status=pass' in out, f'rc={rc}\n{out[-2000:]}')
        lines = [l.rstrip('\r') for l in out.splitlines()]
        expect(any(l.startswith('lock_stat version 0.4') for l in lines), 'no "lock_stat version 0.4" header')
        expect(any(l.startswith('lock_stat window: the whole run, from boot') for l in lines), 'no window line')
        head = next((i for i, l in enumerate(lines) if l.split()[:2] == ['class', 'name']), None)
        expect(head is not None, 'no column header line')
        expect_eq(lines[head].split()[2:], LOCK_STAT_COLUMNS, 'columns')
        table = {}
        for l in lines[head + 2:]:
            if l.startswith('---'):
                break
            f = l.split()
            expect(len(f) == 13 and f[0].endswith(':'), f'table row {l!r}')
            table[f[0][:-1]] = dict(zip(LOCK_STAT_COLUMNS, f[1:]))
        records = {}
        for l in lines:
            if l.startswith('lockstat: class='):
                rec = dict(t.split('=', 1) for t in l.split()[1:])
                records[rec['class']] = rec
        expect(table and sorted(table) == sorted(records), f'table classes {sorted(table)} vs records {sorted(records)}')
        expect('lockstat_test_total' in table, 'the suite\'s classes are missing from the totals')
        for cls, row in table.items():
            rec = records[cls]
            for col, key in (('acquisitions', 'acquisitions'), ('contentions', 'contentions'),
                             ('con-bounces', 'con_bounces'), ('acq-bounces', 'acq_bounces')):
                expect_eq(row[col], rec[key], f'{cls} {col}')
            for col, key in (('waittime-min', 'wait_min_ns'), ('waittime-max', 'wait_max_ns'),
                             ('waittime-total', 'wait_total_ns')):
                expect_eq(row[col], usec(rec[key]), f'{cls} {col}')
            if row['holdtime-total'] != '-':
                expect_eq(row['holdtime-total'], usec(rec['hold_total_ns']), f'{cls} holdtime-total')
            else:
                expect(all(row[c] == '-' for c in LOCK_STAT_COLUMNS[8:]), f'{cls}: some hold columns are -, not all')
        # the 100 + 1 + 7 acquisitions of lockstat_since_boot_survives_resets, across its reset
        expect_eq(table['lockstat_test_total']['acquisitions'], '108', 'since-boot acquisitions of lockstat_test_total')

    def test_make_bench_wait_tiny_sweep(self):
        # make bench-wait end to end on a two-point sweep: the three ways of waiting, the context switch
        # measured once, CSV + plots + summary. Uses make check's matrix kernels when they are built (they
        # have the same boot options; lockdep slows them, which this test does not measure). Whether spin
        # or block is ahead is timing on a shared host: reported by make bench-wait, not asserted here.
        matrix = os.path.join(ARGS.objdir, 'matrix')
        images = [f'{m}={matrix}/fine-ticket-lse-busy{"" if m == "spin" else "-" + m}/Image'
                  for m in ('spin', 'block', 'adaptive')]
        have = all(os.path.exists(i.split('=', 1)[1]) for i in images)
        d = scratch('bench-wait')
        rc, out, err = make(f'O={ARGS.objdir}', 'bench-wait', 'WAIT_CS=500,50000', 'REPEAT=1', 'BOOTS=1',
                            'DURATION_MS=20', f'RESULTS={d}', 'LABEL=tiny',
                            *([f'WAIT_IMAGES={" ".join(images)}'] if have else []), timeout=120 if have else 600)
        runs = [os.path.join(d, n) for n in os.listdir(d)]
        expect(len(runs) == 1 and runs[0].endswith('-tiny'), f'run folders {os.listdir(d)} (rc {rc}: {err[-500:]})')
        run = runs[0]
        rows = list(csv.DictReader(open(os.path.join(run, 'wait.csv'))))
        expect_eq(sorted((r['mode'], r['cs_ns']) for r in rows),
                  sorted((m, c) for m in ('spin', 'block', 'adaptive') for c in ('500', '50000')), 'wait.csv cells')
        ctxsw = {r['ctxsw_ns'] for r in rows}
        expect(len(ctxsw) == 1 and ctxsw.pop().isdigit(), f'ctxsw_ns column {sorted({r["ctxsw_ns"] for r in rows})}')
        logs = ''.join(open(os.path.join(run, n), errors='replace').read() for n in os.listdir(run) if n.endswith('.log'))
        expect(re.search(r'^bench-ctxsw: ns=[1-9][0-9]* ', logs, re.M), 'no bench-ctxsw record in the logs')
        results = list(csv.DictReader(open(os.path.join(run, 'results.csv'))))
        expect_eq(sorted({(r['lock_wait'], r['cs_ns'], r['workload'], r['cpus']) for r in results}),
                  sorted((m, c, 'lock', '2') for m in ('spin', 'block', 'adaptive') for c in ('500', '50000')),
                  'results.csv runs')
        expect(all(r['invariants'] == 'ok' for r in results), 'a run broke its invariants')
        expect(all(int(r['filler_ns']) > 0 for r in results if r['lock_wait'] == 'block'),
               'the filler did no work while block waiters slept')
        for f in ('wait.png', 'wait.svg', 'summary.txt'):
            expect(os.path.getsize(os.path.join(run, f)) > 0, f'{f} missing or empty')
        text = open(os.path.join(run, 'summary.txt')).read()
        expect('context switch:' in text and 'shortest hold (500 ns)' in text and 'longest hold (50000 ns)' in text,
               f'summary.txt: {text[:600]}')
        expect_eq(rc, 0, f'make bench-wait ({err.strip()[-500:]})')

    def test_make_bench_wait_rejects_bad_values_by_the_make_variable(self):
        # As make bench's: one line naming what the user typed, not '--cs 4000', not a usage block, and not
        # '--tasks 1..8, --repeat >= 1, ...' for a REPEAT=0 (bench-wait checks them all before building).
        for args, want in ((('WAIT_CS=4000',), 'bench-wait: WAIT_CS=4000: at least two critical sections'),
                           (('WAIT_CS=abc',), 'bench-wait: WAIT_CS=abc: comma-separated whole numbers of ns'),
                           (('WAIT_THINK=abc',), 'bench-wait: WAIT_THINK=abc: not a number'),
                           (('WAIT_THINK=100',), 'bench-wait: WAIT_THINK=100: think time'),
                           (('BOOTS=x',), 'bench-wait: BOOTS=x: not a whole number'),
                           (('REPEAT=0', 'DURATION_MS=5'), 'bench-wait: REPEAT=0 (at least 1); DURATION_MS=5 (at least 10)'),
                           (('REPEAT=',), 'bench-wait: REPEAT has no value (empty, or starting with -)')):
            rc, out, err = make('-s', f'O={ARGS.objdir}', 'bench-wait', *args, timeout=30)
            lines = [l for l in err.splitlines() if not l.startswith('make')]
            expect(rc != 0 and len(lines) == 1 and lines[0].startswith(want),
                   f'make bench-wait {" ".join(args)}: rc {rc}, stderr {err!r}')

    def test_make_bench_locks_variants_as_documented(self):
        # README and make help said only 'LOCK_VARIANTS= to choose': LOCK_VARIANTS=ticket,mcs is refused, and the
        # form was in no document. Each now gives it with an example, which make passes and bench-run accepts;
        # the run folder is named by the variants' strategy (BKL variants were filed as locks-fine).
        sys.path.insert(0, os.path.join(ROOT, 'tools'))
        from locklab import lock_strategies
        rc, helptext, err = make('help')
        readme = open(os.path.join(ROOT, 'README.md')).read()
        row = next((l for l in readme.splitlines() if l.startswith('| `bench-locks`')), '')
        for where, text in (('README', row), ('make help', helptext)):
            m = re.search(r'LOCK_VARIANTS=((?:\w+-\w+-\w+-\w+,?)+)|e\.g\. ((?:\w+-\w+-\w+-\w+,?)+)', text)
            example = (m.group(1) or m.group(2)) if m else ''
            expect(example, f'{where} gives no LOCK_VARIANTS example: {text[:400]!r}')
            for v in filter(None, example.split(',')):
                try:
                    lock_strategies.variant(v)
                except ValueError as e:
                    expect(False, f'{where}\'s example {v}: {e}')
        for variants, label in (('bkl-tas-lse-busy,bkl-mcs-lse-busy', 'locks-bkl'),
                                ('bkl-tas-lse-busy,fine-tas-lse-busy', 'locks-mixed'), ('', 'locks-fine')):
            rc, out, err = make('-n', f'O={ARGS.objdir}', 'bench-locks', *([f'LOCK_VARIANTS={variants}'] if variants else []))
            expect(f'--label "{label}"' in out, f'make -n bench-locks LOCK_VARIANTS={variants}: {out[-300:]!r}')

    def test_make_bench_current_takes_bench_config(self):
        # STRATEGIES=current benchmarks $(O)/.config with BENCH_CONFIG's lines on top, as every other kernel gets
        # them: the file was once dropped for current without a word (a lab's "lockdep off, MCS" ran ticket with
        # lockdep). A line the configuration cannot keep stops it after configuring, before any build or boot.
        d = scratch('bench-current')
        frag = os.path.join(d, 'lab.config')
        with open(frag, 'w') as f:
            f.write('CONFIG_LOCK_ALG_MCS=y\n# CONFIG_DEBUG_LOCKDEP is not set\nCONFIG_NOT_A_SYMBOL=y\n')
        in_tree = set(glob.glob(os.path.join(ROOT, 'results', '*')))
        rc, out, err = make('-s', f'O={ARGS.objdir}', 'bench', 'STRATEGIES=current', f'BENCH_CONFIG={frag}',
                            'WORKLOADS=mm', 'CPUS=1', 'REPEAT=1', 'BOOTS=1', 'DURATION_MS=10',
                            'LABEL=current-config', f'RESULTS={d}', timeout=600)
        # (its run folder in the scratch folder: make check once left one in the tree's results/ every time)
        expect(set(glob.glob(os.path.join(ROOT, 'results', '*'))) == in_tree,
               'make bench RESULTS=<dir> wrote its run folder into the tree\'s results/')
        expect(rc != 0 and 'CONFIG_NOT_A_SYMBOL=y (the kernel has it unset)' in out + err,
               f'make bench STRATEGIES=current BENCH_CONFIG=<unknown line>: rc {rc}, {(out + err)[-600:]!r}')
        config = open(os.path.join(ARGS.objdir, 'bench-current', '.config')).read()
        expect('CONFIG_LOCK_ALG_MCS=y' in config and 'CONFIG_DEBUG_LOCKDEP=y' not in config,
               'BENCH_CONFIG=lab.config (MCS, lockdep off) was not applied to the current kernel')
        # The file make help names for speedups without lockstat's cost: a whole run and report, exit 0 (it was
        # 'FAILED bench-report: missing: lockstat.csv has no rows', exit 2).
        results = scratch('bench-nostat-results')
        rc, out, err = make('-s', f'O={ARGS.objdir}', 'bench', 'STRATEGIES=current',
                            'BENCH_CONFIG=configs/nolockstat.config', 'WORKLOADS=getpid', 'CPUS=1', 'REPEAT=1',
                            'BOOTS=1', 'DURATION_MS=10', 'LABEL=nostat', f'RESULTS={results}', timeout=600)
        runs = glob.glob(os.path.join(results, '*-nostat'))
        report_md = os.path.join(runs[0], 'report.md') if runs else ''
        expect(rc == 0 and os.path.isfile(report_md) and
               'These kernels were built without lockstat' in open(report_md).read(),
               f'make bench BENCH_CONFIG=configs/nolockstat.config: rc {rc}, {(out + err)[-600:]!r}')

    def test_make_bench_builds_its_kernels_under_o(self):
        # make bench, bench-locks, trace, bench-ratio and sdcard-all built their kernels in the tree's build/bench-*
        # whatever O= said, so make clean O=... (which removes $(O)/bench-*) missed them. They go under O= now, as
        # bench-wait's did; the run folders stay in results/ (README). make -n shows what make passes; bench-run,
        # run with a make that only says how it was called, shows where it builds.
        o = scratch('bench-o')
        for goal in ('bench', 'bench-locks', 'trace', 'bench-ratio', 'sdcard-all'):
            rc, out, err = make('-n', f'O={o}', goal, timeout=30)
            expect(rc == 0 and re.search(rf'--build-dir {re.escape(o)}(?=[\s)]|$)', out),
                   f'make -n O={o} {goal}: rc {rc}, stdout {out[-400:]!r}, stderr {err[-300:]!r}')
        fake = os.path.join(o, 'fake')
        os.makedirs(fake)
        script(os.path.join(fake, 'make'), f'#!/bin/sh\necho "$@" >> {o}/make.log\nexit 1\n')
        env = dict(os.environ, PATH=f'{fake}:{os.environ["PATH"]}')
        for k in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES'):
            env.pop(k, None)
        p = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'bench-run'), '--build-only', '--strategies',
                            'fine', '--build-dir', o], env=env, capture_output=True, text=True, timeout=60)
        calls = open(os.path.join(o, 'make.log')).read() if os.path.exists(os.path.join(o, 'make.log')) else ''
        expect(f'O={os.path.join(o, "bench-fine")} ' in calls and
               os.path.isfile(os.path.join(o, 'bench-fine', '.config')),
               f'bench-run --build-dir {o}: make called as {calls!r}; rc {p.returncode}, stderr {p.stderr[-400:]!r}')

    def test_make_bench_rejects_bad_requests_in_one_line(self):
        # Checked before anything is built: a wrong name or a CPU count the kernels or QEMU cannot take.
        for args, want in ((('STRATEGIES=foo',), 'bench-run: unknown strategy foo (known: bkl, subsys, fine, or current'),
                           (('CPUS=100',), 'bench-run: CPUS=100: the bkl kernel is built for at most 8 CPUs'),
                           (('CPUS=12', 'GIC=2', 'BENCH_CONFIG=/dev/null', 'STRATEGIES=fine'),
                            'bench-run: CPUS=12: the fine kernel is built for at most 8 CPUs'),
                           (('CPUS=0', 'REPEAT=0', 'LABEL=a/b'),
                            'bench-run: CPUS=0 (at least 1); REPEAT=0 (at least 1); LABEL=a/b (letters, digits'),
                           # By the make variable, not bench-run's option, and no usage block.
                           (('REPEAT=1.5',), 'bench-run: REPEAT=1.5: not a whole number (--repeat)'),
                           (('GIC=4',), 'bench-run: GIC=4: one of 2, 3 (--gic)'),
                           (('LABEL=my run',), 'bench-run: LABEL=my run (letters, digits'),
                           (('STRATEGIES=bkl,bkl',), 'bench-run: STRATEGIES=bkl,bkl names bkl more than once'),
                           (('WORKLOADS=all,mm',), 'bench-run: WORKLOADS=all,mm: all already means every workload'),
                           # Beyond the kernel's range it would keep its default and run less than planned.
                           (('REPEAT=101',), 'bench-run: REPEAT=101: the kernel takes 1 to 100'),
                           (('BENCH_BOOTARGS=duration_ms=50 think=100',),
                            'bench-run: BENCH_BOOTARGS gives duration_ms=50, which make bench sets itself: use '
                            'DURATION_MS'),
                           (('BENCH_CONFIG=/nonexistent',), 'bench-run: BENCH_CONFIG=/nonexistent: no such file'),
                           # An empty variable: 'argument --cpus: expected one argument' named the option.
                           (('CPUS=',), 'bench-run: CPUS has no value (empty, or starting with -): give one, or leave '
                            'CPUS= out for its default'), (('ACCEL=',), 'bench-run: ACCEL has no value'),
                           # A port that is not there failed after the build, at each boot (a typo: ttyACMO).
                           (('BOARD=rpi5', 'SERIAL=/dev/ttyACMO'), 'bench-run: SERIAL=/dev/ttyACMO: no such serial '
                            'port: plug the adapter in and name the port it got'),
                           # The kernel refused cpus=8 on the Pi's 4 cores at each boot, after a transfer of 20 s.
                           (('BOARD=rpi5', 'SERIAL=/dev/null', 'CPUS=8'),
                            'bench-run: CPUS=8: a Raspberry Pi 5 (BOARD=rpi5) has 4 cores'),
                           # ... and a speed termios lacks, once per boot as 'unsupported speed'.
                           (('BOARD=rpi5', 'SERIAL=/dev/null', 'BAUD=12345'),
                            'bench-run: BAUD=12345: not a line speed a serial port takes')):
            rc, out, err = make('-s', f'O={ARGS.objdir}', 'bench', *args)
            lines = [l for l in err.splitlines() if not l.startswith('make')]
            expect(rc != 0 and len(lines) == 1 and lines[0].startswith(want), f'make bench {" ".join(args)}: rc {rc}, '
                   f'stderr {err!r}')
        rc, out, err = make('-s', f'O={ARGS.objdir}', 'sdcard', 'LOADER=2')
        expect(rc != 0 and 'LOADER=2 is not 0 or 1' in err, f'make sdcard LOADER=2: rc {rc}, stderr {err!r}')
        rc, out, err = make('-s', f'O={ARGS.objdir}', 'bench-ratio', 'BENCH_CONFIG=/nonexistent')
        expect(rc != 0 and 'bench-ratio: BENCH_CONFIG=/nonexistent: no such file' in err,
               f'make bench-ratio BENCH_CONFIG=/nonexistent: rc {rc}, stderr {err!r}')
        rc, out, err = make('-s', f'O={ARGS.objdir}', 'bench-ratio', 'CS=-5', 'REPEAT=101')
        expect(rc != 0 and 'bench-ratio: REPEAT=101 (1 to 100); CS=-5 (0 to 1000000 ns)' in err,
               f'make bench-ratio CS=-5 REPEAT=101: rc {rc}, stderr {err!r}')
        # An empty STRATEGY= or trace's WORKLOAD= was said by bench-run as STRATEGIES, LOCK_VARIANTS or WORKLOADS.
        for target, arg, want in (('trace', 'STRATEGY=', 'STRATEGY= is empty: make trace takes one of bkl subsys fine'),
                                  ('bench-locks', 'STRATEGY=', 'STRATEGY= is empty: make bench-locks takes one of'),
                                  ('trace', 'WORKLOAD=', 'WORKLOAD= is empty: make trace takes one workload')):
            rc, out, err = make('-s', f'O={ARGS.objdir}', target, arg)
            lines = err.strip().splitlines()
            expect(rc != 0 and len(lines) == 1 and want in lines[0] and not out,
                   f'make {target} {arg}: rc {rc}, stdout {out[-300:]!r}, stderr {err!r}')
        # bench-wait and bench-ratio boot in QEMU only: a Pi's BOARD= and SERIAL= were ignored in silence.
        for target in ('bench-wait', 'bench-ratio'):
            rc, out, err = make('-s', f'O={ARGS.objdir}', target, 'BOARD=rpi5', 'SERIAL=/dev/null')
            want = f'make {target} boots in QEMU only: BOARD=rpi5 SERIAL=/dev/null are for make bench'
            expect(rc != 0 and want in err and not out, f'make {target} BOARD=rpi5: rc {rc}, stdout {out[-300:]!r}, stderr {err!r}')
        # bench-ratio's own argparse errors came as a usage block naming --gic and --cpus.
        for arg, want in (('GIC=5', 'bench-ratio: GIC=5: one of 2, 3'), ('CPUS=', 'bench-ratio: CPUS has no value'),
                          ('REPEAT=x', 'bench-ratio: REPEAT=x: not a whole number')):
            rc, out, err = make('-s', f'O={ARGS.objdir}', 'bench-ratio', arg)
            lines = [l for l in err.splitlines() if not l.startswith('make')]
            expect(rc != 0 and len(lines) == 1 and lines[0].startswith(want),
                   f'make bench-ratio {arg}: rc {rc}, stderr {err!r}')
        # make bench takes lists: trace's and bench-wait's single STRATEGY= and WORKLOAD= are refused, not ignored.
        for arg, want in (('STRATEGY=bkl', 'make bench takes STRATEGIES= (a list: STRATEGIES=bkl)'),
                          ('WORKLOAD=mm', 'make bench takes WORKLOADS= (a list: WORKLOADS=mm)')):
            rc, out, err = make('-s', f'O={ARGS.objdir}', 'bench', arg)
            expect(rc != 0 and want in err, f'make bench {arg}: rc {rc}, stderr {err!r}')
        # ... and trace and bench-wait take one: bench's lists are refused too (trace traced fine's fs-private).
        for target, arg, want in (
                ('trace', 'STRATEGIES=bkl,fine', 'make trace takes STRATEGY= (one: STRATEGY=bkl)'),
                ('trace', 'WORKLOADS=pipe', 'make trace takes WORKLOAD= (one: WORKLOAD=pipe)'),
                ('bench-wait', 'STRATEGIES=subsys', 'make bench-wait takes STRATEGY= (one: STRATEGY=subsys)')):
            rc, out, err = make('-s', f'O={ARGS.objdir}', target, arg)
            expect(rc != 0 and want in err and 'BENCH' not in out, f'make {target} {arg}: rc {rc}, stderr {err!r}')

    def test_make_fuzz_refuses_bad_values_before_building(self):
        # The ranges the kernel's fuzz_calls and fuzz_seed take (it would fuzz with its defaults instead), the CPUs
        # the fuzz kernels take: one line each, before anything builds, and never the records of an older run's log.
        d = scratch('fuzz-refuse')
        log = plant_fuzz_log(d)
        for arg, word in (('FUZZ_CPUS=0', 'FUZZ_CPUS=0 is not a CPU count'), ('FUZZ_CPUS=9', 'from 1 to 8'),
                          ('FUZZ_CALLS=abc', 'FUZZ_CALLS=abc is not a number'), ('FUZZ_CALLS=0', 'FUZZ_CALLS=0'),
                          ('FUZZ_CALLS=1000000001', 'from 1 to 1000000000'), ('FUZZ_SEED=-1', 'FUZZ_SEED=-1 is not a seed'),
                          ('FUZZ_SEED=18446744073709551616', 'from 0 to 18446744073709551615'),
                          ('FUZZ_STRATEGIES=foo', 'unknown strategy foo'), ('FUZZ_STRATEGIES=', 'FUZZ_STRATEGIES is empty')):
            t0 = time.monotonic()
            rc, out, err = make(f'O={d}', 'fuzz', 'FUZZ_STRATEGIES=fine', arg, timeout=120)
            lines = err.strip().splitlines()
            expect(rc != 0 and len(lines) == 1 and word in lines[0] and not out,
                   f'make fuzz {arg}: rc={rc} stdout={out[-600:]!r} stderr={err[-600:]!r}')
            expect(time.monotonic() - t0 < 20 and not os.path.exists(os.path.join(d, 'fuzz', 'fine', 'Image')),
                   f'make fuzz {arg} built a kernel first')
        expect(os.path.exists(log), 'a refusal touched the old log')

    def test_make_randconfig_check_refuses_bad_values_in_one_line(self):
        # N=abc and SEED=abc came as a usage block naming --n and '<lambda>', N=0 as '--n must be at least 1'; a
        # seed kconfig-conf cannot read as a C int it replaces with a time-based one, so the printed seed did not
        # reproduce the configuration. Each is one line by the make variable, before anything is built.
        d = scratch('randconfig-refuse')
        for args, want in ((('N=abc',), 'randconfig-check: N=abc: not a whole number'),
                           (('N=0',), 'randconfig-check: N=0: at least 1'),
                           (('SEED=abc',), 'randconfig-check: SEED=abc: not a whole number'),
                           (('SEED=-1',), 'randconfig-check: SEED=-1: the seeds SEED to SEED+N-1 must lie in 0..'),
                           (('SEED=2147483647', 'N=2'), 'randconfig-check: SEED=2147483647: the seeds')):
            rc, out, err = make('-s', f'O={d}', 'randconfig-check', *args, timeout=30)
            lines = [l for l in err.splitlines() if not l.startswith('make')]
            expect(rc != 0 and len(lines) == 1 and lines[0].startswith(want) and not out,
                   f'make randconfig-check {" ".join(args)}: rc {rc}, stdout {out[-300:]!r}, stderr {err!r}')
        expect(not os.path.exists(os.path.join(d, 'randconfig')), 'a refused request made the work folder')

    def test_make_fuzz_judges_only_its_own_boot(self):
        # A QEMU that prints a refused boot option and dies: make fuzz fails, shows the option's bootargs: line
        # (not the echo of the command line) and prints none of the records the older log beside it holds.
        # Builds the fine fuzz kernel in --objdir/fuzz/fine (about 15 s the first time, then up to date).
        d = scratch('fuzz-boot')
        fake = script(os.path.join(d, 'qemu'), '#!/bin/sh\n'
                      'echo \'[    0.001000] c0: bootargs: "ktest=fuzz fuzz_calls=1"\'\n'
                      'echo "[    0.001100] c0: bootargs: fuzz_seed=\'x\' is not a number in 0..18446744073709551615 '
                      '(keeping 1)"\nexit 1\n')
        log = plant_fuzz_log(ARGS.objdir)
        rc, out, err = make('-s', f'O={ARGS.objdir}', 'fuzz', 'FUZZ_STRATEGIES=fine', 'FUZZ_CPUS=1', 'FUZZ_CALLS=1',
                            f'QEMU={fake}', timeout=600)
        lines = out.splitlines()
        expect(rc != 0 and '  FAIL     fine: qemu-run exited 1 (see the log)' in lines,
               f'rc={rc} stdout={out[-1500:]!r} stderr={err[-600:]!r}')
        expect("  FAIL     fine: bootargs: fuzz_seed='x' is not a number in 0..18446744073709551615 (keeping 1)" in lines
               and not any('bootargs: "' in l for l in lines), f'the bootargs: lines shown: {out[-1500:]!r}')
        # (a marker no path holds: a checkout in /tmp/old2 once matched a plain 'old')
        expect('older_run_marker' not in out and 'older_run_marker' not in open(log).read(),
               f'the older log was read or kept: {out[-1500:]!r}')

    def test_make_check_only_matching_nothing_stops_before_building(self):
        # make check-matrix (help: 'ONLY= as for check') built nothing and exited 0 without a word.
        for target in ('check', 'check-matrix'):
            t0 = time.monotonic()
            rc, out, err = make(f'O={ARGS.objdir}', target, 'ONLY=nosuchstep', timeout=60)
            lines = [l for l in err.splitlines() if l.strip()]
            expect(rc != 0 and len(lines) == 1 and "--only 'nosuchstep' matches no step (the steps: tools" in lines[0]
                   and 'MATRIX' not in out, f'make {target} ONLY=nosuchstep: rc {rc}, stdout {out[-300:]!r}, '
                   f'stderr {err!r}')
            expect(time.monotonic() - t0 < 20, f'make {target}: it took {time.monotonic() - t0:.0f} s: it built first')

    def test_make_check_only_builds_the_variants_its_steps_boot(self):
        # A documentation check (ONLY=layout) builds none of the lock variants; one lock step its own; a
        # step that names its images as name=path (bench_run) those; no ONLY= every one the plan has.
        every = subprocess.run([sys.executable, os.path.join(ROOT, 'tests', 'check.py'), '--plan',
                                os.path.join(ROOT, 'tests', 'plan.toml'), '--variants'],
                               capture_output=True, text=True).stdout.split()
        for only, want in (('layout', '(0): none'), ('lock_fine_mcs_lse_busy,smp1', '(1): fine-mcs-lse-busy'),
                           ('bench_run', '(3): bkl-ticket-lse-busy fine-ticket-lse-busy subsys-ticket-lse-busy'),
                           ('', f'({len(every)}): {" ".join(every)}')):
            rc, out, err = make('-s', f'O={ARGS.objdir}', 'check-plan', f'ONLY={only}', timeout=60)
            first = out.splitlines()[0] if out else ''
            expect(rc == 0 and first.startswith(f'lock variants make check builds {want}'),
                   f'make check-plan ONLY={only}: rc {rc}, first line {first!r}, stderr {err[-300:]!r}')
        # What make check's sub-make builds, as make reads it (-p prints the rules, -q runs no recipe): the
        # chains were expanded before the plan's arguments were defined, so ONLY= gave none, and make check
        # ONLY=lock_* booted no Image ('kernel image not found') while check-plan said the right variant.
        matrix = os.path.join(ARGS.objdir, 'check', 'matrix', '.work')
        for only, want in (('lock_fine_mcs_lse_busy,smp1', ['fine-lse']), ('layout', []),
                           ('', ['bkl-lse', 'fine-llsc', 'fine-lse', 'subsys-lse'])):
            rc, out, err = make('-pq', f'O={ARGS.objdir}', 'check-matrix', f'ONLY={only}', timeout=60)
            rule = [l for l in out.splitlines() if l.startswith('check-matrix:')]
            chains = sorted(os.path.basename(w)[:-len('.chain')] for w in rule[-1].split()[1:]) if rule else None
            expect(chains == want and all(w.startswith(matrix) for w in rule[-1].split()[1:]),
                   f'make check-matrix ONLY={only}: chains {chains}, want {want} (rule {rule!r}, stderr {err[-300:]!r})')

    def test_make_check_without_deps_says_what_to_run(self):
        path, apt_log = path_without('gnuplot', 1000)
        for goal in ('check', 'bench', 'bench-ratio'):
            rc, out, err = make('-n', goal, path=path, timeout=20)
            lines = err.strip().splitlines()
            expect(rc != 0 and len(lines) == 1 and "'sudo scripts/deps.sh'" in lines[0]
                   and 'gnuplot-nox' in lines[0] and not out,
                   f'make {goal}: rc={rc} stdout={out[:300]!r} stderr={err!r}')
        expect(not os.path.exists(apt_log), 'apt-get ran without root')

    def test_make_bench_as_root_installs_deps(self):
        path, apt_log = path_without('gnuplot', 0)
        rc, out, err = make('-n', 'bench', path=path, timeout=20)
        expect_eq(rc, 0, f'make -n bench as root ({err.strip()[-500:]})')
        calls = open(apt_log).read().splitlines() if os.path.exists(apt_log) else []
        expect(any(c.startswith('install') and 'gnuplot-nox' in c for c in calls),
               f'apt-get install gnuplot-nox not run: {calls}')
        expect('bench-run' in out, 'make bench did not go on after installing')

    def test_make_plots_compare_host_tests_need_no_kconfig(self):
        """make plots and compare (python3 and gnuplot on a laptop reading a Pi 5 capture) and host-tests read no
        CONFIG_ value, but configured O= first: without kconfig-conf they stopped on 'kconfig-conf not found'."""
        path, _ = path_without('kconfig-conf', 1000)
        d = scratch('nokconfig')
        for goal in (['plots', 'RUN=results/x'], ['compare', 'A=results/x', 'B=results/y'], ['host-tests']):
            rc, out, err = make('-n', f'O={d}', *goal, path=path, timeout=20)
            expect(rc == 0 and 'kconfig-conf' not in err, f'make {goal[0]} without kconfig-conf: rc={rc} {err.strip()!r}')
            expect(not os.path.exists(os.path.join(d, '.config')), f'make {goal[0]} wrote {d}/.config')

    def test_make_bench_with_deps_is_quiet(self):
        rc, out, err = make('-n', 'bench', timeout=20)
        expect(rc == 0 and 'deps' not in out + err, f'rc={rc} {err!r}')

    def test_make_names_config_lines_not_kept(self):
        d = scratch('config')
        rc, _, err = make(f'O={d}', 'defconfig', timeout=20)
        expect_eq(rc, 0, f'make defconfig ({err.strip()})')
        path = os.path.join(d, '.config')
        lines = open(path).read().splitlines()
        edits = {'CONFIG_NR_CPUS=': 'CONFIG_NR_CPUS=99', '# CONFIG_LOCK_STRATEGY_BKL is not set': 'CONFIG_LOCK_STRATEGY_BKL=y'}
        at = {}
        for i, line in enumerate(lines):
            for start, new in edits.items():
                if line.startswith(start):
                    lines[i], at[new] = new, i + 1
        expect_eq(len(at), 2, 'lines edited')
        # Lines kconfig-conf skips in silence (no '=', not a setting at all), and a bool given another value.
        lines += ['CONFIG_LOCK_STAT', 'this is garbage', 'CONFIG_KTEST=maybe']
        open(path, 'w').write('\n'.join(lines) + '\n')
        edited = '\n'.join(lines) + '\n'
        n = len(lines)
        wants = (f'.config:{at["CONFIG_NR_CPUS=99"]}: CONFIG_NR_CPUS=99 is outside its range 1..',
                 '; kept CONFIG_NR_CPUS=8',
                 f'.config:{at["CONFIG_LOCK_STRATEGY_BKL=y"]}: CONFIG_LOCK_STRATEGY_BKL=y is not kept: '
                 '"Locking strategy" takes one choice; kept CONFIG_LOCK_STRATEGY_FINE=y',
                 f'.config:{n - 2}: "CONFIG_LOCK_STAT" is not a CONFIG_NAME=value line: ignored',
                 f'.config:{n - 1}: "this is garbage" is not a CONFIG_NAME=value line: ignored',
                 f'.config:{n}: CONFIG_KTEST=maybe was not accepted (a bool is y or n); kept CONFIG_KTEST=y')
        # -n: the configuration is still resolved (it is an included makefile), nothing is compiled.
        # make olddefconfig, as a Linux user fixes a hand edit, names the same lines.
        for goal in ('-n', 'olddefconfig'):
            open(path, 'w').write(edited)
            rc, out, err = make(goal, f'O={d}', timeout=30)
            expect_eq(rc, 0, f'make {goal} ({err.strip()[-500:]})')
            for want in wants:
                expect(want in out, f'make {goal}: {want!r} not in:\n{out[:1500]}')
            expect('options new to' not in out, 'an invalid value was reported as a new option')

    def test_make_names_only_the_users_lines(self):
        """Switching a BKL .config to FINE by hand: LOCK_COARSE, which BKL selected and no user sets, goes too,
        and is not reported as a line of the user's; a word where a number belongs is said to be that."""
        d = scratch('config-switch')
        rc, _, err = make(f'O={d}', 'qemu_bkl_defconfig', timeout=20)
        expect_eq(rc, 0, f'make qemu_bkl_defconfig ({err.strip()})')
        path = os.path.join(d, '.config')
        text = open(path).read()
        expect('CONFIG_LOCK_COARSE=y' in text, 'the BKL config does not select LOCK_COARSE: the case tests nothing')
        for old, new in (('CONFIG_LOCK_STRATEGY_BKL=y', '# CONFIG_LOCK_STRATEGY_BKL is not set'),
                         ('# CONFIG_LOCK_STRATEGY_FINE is not set', 'CONFIG_LOCK_STRATEGY_FINE=y')):
            text = text.replace(old, new)
        text = re.sub(r'(?m)^CONFIG_NR_CPUS=.*$', 'CONFIG_NR_CPUS=abc', text)
        open(path, 'w').write(text)
        rc, out, err = make(f'O={d}', 'olddefconfig', timeout=30)
        lines = [l for l in out.splitlines() if l.startswith('  CONFIG')]
        expect(rc == 0 and len(lines) == 1 and 'CONFIG_NR_CPUS=abc is not a number; kept CONFIG_NR_CPUS=8' in lines[0],
               f'rc={rc}: {lines} {err[-300:]}')
        expect('CONFIG_LOCK_STRATEGY_FINE=y' in open(path).read(), 'the hand-picked strategy was not kept')

    def test_make_updates_a_config_saved_before_a_rename(self):
        """A .config from before CONFIG_LOCK_{BKL,SUBSYS,FINE} became CONFIG_LOCK_STRATEGY_*: make names
        the new options, drops the old line with its number, and builds with a valid strategy."""
        d = scratch('oldconfig')
        rc, _, err = make(f'O={d}', 'defconfig', timeout=20)
        expect_eq(rc, 0, f'make defconfig ({err.strip()})')
        path = os.path.join(d, '.config')
        with open(path) as f:
            old = re.sub(r'CONFIG_LOCK_STRATEGY_(BKL|SUBSYS|FINE)\b', r'CONFIG_LOCK_\1', f.read())
        with open(path, 'w') as f:
            f.write(old)
        line = next(i + 1 for i, l in enumerate(old.splitlines()) if l.startswith('CONFIG_LOCK_FINE=y'))
        rc, out, err = make('-n', f'O={d}', timeout=30)
        expect_eq(rc, 0, f'make -n ({(out + err).strip()[-800:]})')
        expect('could not update' not in err, err[-800:])
        expect(re.search(r'options new to \S+ take their defaults: .*CONFIG_LOCK_STRATEGY_BKL', out),
               f'the renamed choice is not named as new:\n{out[:1500]}')
        expect(f'.config:{line}: CONFIG_LOCK_FINE=y is not an option here' in out,
               f'the old line is not reported with its number:\n{out[:1500]}')
        with open(path) as f:
            chosen = re.findall(r'^CONFIG_LOCK_STRATEGY_\w+=y$', f.read(), re.M)
        expect_eq(len(chosen), 1, f'strategies chosen in the updated .config: {chosen}')

    def test_make_rebuilds_only_objects_using_a_changed_symbol(self):
        """kconfig-conf touches include/config/<sym>.h when <sym> changes; make then recompiles the
        objects whose source or headers mention CONFIG_<sym> (scripts/fixdep.awk), and no other."""
        sym, stamp = 'LOCK_STAT_HOLD_TIME', os.path.join(ARGS.objdir, 'include/config/lock/stat/hold/time.h')
        expect(os.path.exists(stamp), f'{stamp} missing: the check kernel is not built from defconfig')

        before = would_compile()
        expect(not before, f'make -n compiles {sorted(before)[:5]}... before the test: the check kernel is stale')
        # The oracle reads the prerequisites gcc listed and greps them itself.
        users, objects = set(), set()
        top = ('arch', 'bench', 'drivers', 'kernel', 'lock-strategies', 'user')  # the kernel's own folders
        for where, _, names in os.walk(ARGS.objdir):
            if os.path.relpath(where, ARGS.objdir).split(os.sep)[0] not in top:
                continue
            for n in names:
                if not n.endswith('.o.d'):
                    continue
                obj = os.path.join(where, n[:-2])
                objects.add(obj)
                text = open(os.path.join(where, n)).read().replace('\\\n', ' ')
                prereqs = text.split('\n', 1)[0].split(':', 1)[1].split('$(wildcard')[0].split()
                if any(re.search(rf'\bCONFIG_{sym}\b', open(p, errors='replace').read()) for p in prereqs if os.path.exists(p)):
                    users.add(obj)
        expect(0 < len(users) < len(objects) // 2, f'{len(users)} of {len(objects)} objects use CONFIG_{sym}')
        st = os.stat(stamp)
        try:
            os.utime(stamp)  # what kconfig-conf does when the symbol's value changes
            after = would_compile()
        finally:
            os.utime(stamp, ns=(st.st_atime_ns, st.st_mtime_ns))
        expect_eq(sorted(after - before), sorted(users - before), 'objects recompiled')
        expect_eq(would_compile(), before, 'what make -n compiles once the stamp is back')

    def test_make_rebuilds_only_the_spinning_code_when_the_way_of_spinning_changes(self):
        """CONFIG_SPIN_WAIT_WFE reaches only the code that spins or names the way of spinning (asm/spin_wait.h;
        locking/lock_words.h says why), so make check's lock matrix builds a busy variant and its wfe twin
        one after the other in one tree (scripts/lock-strategies order). A header included nearly everywhere
        that named the symbol again (in a comment too: fixdep.awk reads them) would make each such step
        recompile most objects; this says which objects then recompile."""
        stamp = os.path.join(ARGS.objdir, 'include/config/spin/wait/wfe.h')
        before = would_compile()
        expect(not before, f'make -n compiles {sorted(before)[:5]}... before the test: the check kernel is stale')
        existed = os.path.exists(stamp)
        st = os.stat(stamp) if existed else None
        try:
            # What kconfig-conf does when the symbol's value changes (it creates the file for a y).
            os.makedirs(os.path.dirname(stamp), exist_ok=True)
            with open(stamp, 'a'):
                pass
            os.utime(stamp)
            after = sorted(os.path.relpath(o, ARGS.objdir) for o in would_compile() - before)
        finally:
            if existed:
                os.utime(stamp, ns=(st.st_atime_ns, st.st_mtime_ns))
            else:
                os.remove(stamp)
        expect('kernel/locking/spinlock.o' in after, f'spinlock.o does not recompile, only: {after}')
        expect(len(after) <= 8, f'{len(after)} objects recompile for a change of the way of spinning: {after}')
        expect_eq(would_compile(), before, 'what make -n compiles once the stamp is back')

    def test_make_rebuilds_user_code_whose_header_changed(self):
        """EL0 code built into the kernel (*.user.o) is compiled to a .tmp and renamed: its .d named the .tmp as
        the target, so make never tied the object to its headers, and a changed kernel/user/fuzz_el0.h left the
        fuzzer's EL0 code built with the old layout beside a suite reading the new one."""
        header = os.path.join(ROOT, 'kernel', 'user', 'fuzz_el0.h')
        before = would_compile()
        st = os.stat(header)
        try:
            os.utime(header)
            after = would_compile()
        finally:
            os.utime(header, ns=(st.st_atime_ns, st.st_mtime_ns))
        want = {os.path.join(ARGS.objdir, o) for o in ('kernel/user/fuzz.user.o', 'kernel/tests/fuzz_el0_test.o')}
        expect(want <= after - before, f'a changed fuzz_el0.h recompiles {sorted(after - before)}, not {sorted(want)}')

    def test_link_refuses_a_relocation_in_kernel_text(self):
        """scripts/check-relocs.sh, as the kernel's link runs it, on a two-word image: a pointer in .data passes;
        an `ldr x0, =symbol` literal in [_text, _etext) stops the link, naming its offset (a secondary CPU, MMU
        off, would read it unrelocated)."""
        d = scratch('relocs')
        cross = 'aarch64-linux-gnu-'
        for name, text in (('data_only', ''), ('text_literal', '\tldr x0, =word\n')):
            src = script(os.path.join(d, f'{name}.S'),
                         '\t.text\n\t.globl _text, _etext, _start\n_text:\n_start:\n' + text + '\tret\n'
                         '\t.ltorg\n_etext:\n\t.data\nword:\t.quad 0\nptr:\t.quad word\n')
            obj, elf = src[:-2] + '.o', src[:-2] + '.elf'
            for cmd in ([f'{cross}gcc', '-c', src, '-o', obj],
                        [f'{cross}ld', '-pie', '--no-dynamic-linker', '-z', 'notext', '-o', elf, obj]):
                p = subprocess.run(cmd, capture_output=True, text=True)
                expect_eq(p.returncode, 0, f'{" ".join(cmd)}: {p.stderr.strip()}')
            p = subprocess.run([os.path.join(ROOT, 'scripts', 'check-relocs.sh'), f'{cross}readelf', f'{cross}nm',
                                elf], capture_output=True, text=True)
            if name == 'data_only':
                expect_eq(p.returncode, 0, f'a pointer in .data refused: {p.stderr.strip()}')
                continue
            expect_eq(p.returncode, 1, f'a relocation in text passed: {p.stderr.strip()}')
            expect('relocations in its text' in p.stderr and 'R_AARCH64_RELATIVE' in p.stderr,
                   f'the refusal does not name the text relocation: {p.stderr.strip()}')

    def test_link_refuses_an_atomic_where_the_mmu_is_off(self):
        """scripts/check-mmu-off.sh, as the kernel's and the loader's links run it: with the MMU off memory is
        Device-nGnRnE, where a Pi 5 aborts an exclusive or LSE atomic (QEMU runs it); ordered plain accesses and
        cache maintenance by VA pass, in the functions named or (the loader) the whole image."""
        d = scratch('mmu-off')
        cross = 'aarch64-linux-gnu-'
        src = script(os.path.join(d, 'mmu_off.S'),
                     '\t.text\n\t.globl early, late\nearly:\n\tldar x1, [x0]\n\tstlr x1, [x0]\n'
                     '\tdc ivac, x0\n\tret\nlate:\n\tldaxr w1, [x0]\n\tcasal w1, w2, [x0]\n\tdc zva, x0\n\tret\n')
        obj = src[:-2] + '.o'
        p = subprocess.run([f'{cross}gcc', '-march=armv8.2-a+lse', '-c', src, '-o', obj], capture_output=True,
                           text=True)
        expect_eq(p.returncode, 0, f'assembling: {p.stderr.strip()}')

        def check(*functions):
            return subprocess.run([os.path.join(ROOT, 'scripts', 'check-mmu-off.sh'), f'{cross}objdump', obj,
                                   *functions], capture_output=True, text=True)
        p = check('early')
        expect_eq(p.returncode, 0, f'ldar/stlr/dc ivac refused: {p.stderr.strip()}')
        for p in (check('early', 'late'), check()):
            expect_eq(p.returncode, 1, f'an exclusive, a CAS and a DC ZVA passed: {p.stderr.strip()}')
            for insn in ('ldaxr', 'casal', 'zva'):
                expect(f'<late>:' in p.stderr and insn in p.stderr, f'the refusal does not name {insn}: {p.stderr}')
            expect('ldar\t' not in p.stderr, f'the refusal names an ordinary load-acquire: {p.stderr}')
        p = check('early', 'gone')
        expect_eq(p.returncode, 1, f'a function that is not there passed: {p.stderr.strip()}')
        expect('no function gone' in p.stderr, f'the refusal does not name the missing function: {p.stderr}')

    def test_help_and_readme_list_the_same_targets(self):
        """make help and README's target table name the same targets, and make knows each of them."""
        rc, out, err = make('help')
        expect_eq(rc, 0, f'make help ({err.strip()})')
        in_help = set()
        for line in out.splitlines():
            m = re.match(r'^  ([a-z<][\w<>-]*)(?: [^\s-][^-]*?)?\s+- ', line)
            if m:
                in_help.add(m.group(1).split('=')[0])
        readme = open(os.path.join(ROOT, 'README.md')).read()
        in_readme = set()
        for line in readme.splitlines():
            if line.startswith('| `'):
                cell = line.split('|')[1]
                in_readme.update(n.split()[0].split('=')[0] for n in re.findall(r'`([^`]+)`', cell))
        in_help.discard('<name>_defconfig')
        in_readme.discard('<name>_defconfig')
        expect(len(in_help) > 20, f'make help lists only {sorted(in_help)}')
        expect(not in_help - in_readme, f'in make help, not in README\'s table: {sorted(in_help - in_readme)}')
        expect(not in_readme - in_help, f'in README\'s table, not in make help: {sorted(in_readme - in_help)}')
        rc, out, err = make('-pq', timeout=60)
        known = set(re.findall(r'^([a-z][\w-]*):', out, re.M))
        expect(not in_help - known, f'make help lists targets make does not know: {sorted(in_help - known)}')

    def test_make_clean_leaves_no_objects(self):
        # A copy of a whole build (bench/ objects and generated headers included),
        # plus what make fuzz and make randconfig-check leave in the same O=.
        d = os.path.join(scratch('clean'), 'O')
        shutil.copytree(ARGS.objdir, d, symlinks=True,
                        ignore=lambda where, names: [n for n in names if where == ARGS.objdir
                                                     and n in ('matrix', 'logs', 'make', 'faults', 'sdcard', 'bench-run', 'bench-workload',
                                                               'lock-trace', 'randconfig', 'check', 'loader-run')])
        for extra in ('fuzz/fine/kernel/init.o', 'randconfig/1/kernel/init.o.d'):
            os.makedirs(os.path.dirname(os.path.join(d, extra)), exist_ok=True)
            open(os.path.join(d, extra), 'w').close()
        expect(os.path.exists(os.path.join(d, 'bench', 'harness.o')), 'the copied build has no bench/ objects')
        rc, out, err = make(f'O={d}', 'clean', timeout=20)
        expect_eq(rc, 0, f'make clean ({err.strip()})')
        left = [os.path.relpath(os.path.join(w, n), d) for w, _, names in os.walk(d) for n in names
                if n.endswith(('.o', '.d')) or w.endswith('include/generated')]
        expect(not left, f'make clean left {left[:10]}')
        expect(os.path.exists(os.path.join(d, '.config')), 'make clean removed .config')


    def test_make_refuses_a_build_folder_that_holds_the_sources(self):
        """An empty O= (or O=/) built in / and ran kconfig-conf in $HOME, which moved ~/.config aside; make clean
        with O=. deleted the sources, distclean with O=.. the whole tree, with O=kernel kernel/. Each is refused in
        one line before anything runs (-n: on the old Makefile these print the rm, and run nothing)."""
        ok_dir = os.path.join(scratch('o-ok'), 'O')
        for o in ('', '/', '.', '..', './', ROOT, os.path.dirname(ROOT), 'kernel', 'docs/out'):
            for goal in ('clean', 'distclean'):
                rc, out, err = make('-n', f'O={o}', goal, timeout=20)
                lines = err.strip().splitlines()
                expect(rc != 0 and 'rm ' not in out and len(lines) == 1 and f'O={o} ' in lines[0],
                       f'make -n O={o} {goal}: rc={rc}, out={out[:200]!r}, err={err[-400:]!r}')
        for o in ('build', 'build/other', ok_dir, os.path.relpath(ok_dir, ROOT)):
            rc, out, err = make('-n', f'O={o}', 'clean', timeout=20)
            expect(rc == 0 and 'rm -rf' in out, f'make -n O={o} clean refused: {err[-400:]!r}')

    def test_make_says_a_space_or_colon_in_a_path_in_one_line(self):
        """make splits paths at spaces: O= with one (or a colon), or a source tree whose path has one, gave
        dozens of errors about overridden recipes, 'multiple target patterns' or an included folder."""
        d = scratch('with space')
        for o in (os.path.join(d, 'O'), os.path.join(ARGS.workdir, 'a:b')):
            rc, out, err = make('-n', f'O={o}', 'clean', timeout=20)
            lines = err.strip().splitlines()
            expect(rc != 0 and len(lines) == 1 and 'space or a colon' in lines[0],
                   f'O={o}: rc={rc}, {len(lines)} lines: {err[-600:]!r}')
        src = os.path.join(d, 'src')
        shutil.copytree(ROOT, src, ignore=lambda where, names: [n for n in names if where == ROOT
                                                                and n in ('.git', 'build', 'results')])
        for how in (['-C', src], ['-f', os.path.join(src, 'Makefile')]):
            p = subprocess.run(['make', '--no-print-directory', *how, '-n', f'O={os.path.join(ARGS.workdir, "o-src")}',
                                'clean'], cwd=ARGS.workdir, capture_output=True, text=True, timeout=20,
                               env={k: v for k, v in os.environ.items() if k not in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL')})
            lines = p.stderr.strip().splitlines()
            expect(p.returncode != 0 and len(lines) == 1 and "source tree's path has a space" in lines[0],
                   f'make {how[0]} "{src}": rc={p.returncode}, {len(lines)} lines: {p.stderr[-600:]!r}')

    def test_make_distclean_removes_only_a_build_folder(self):
        """distclean was rm -rf $(O): a mistyped O= lost whatever the folder held. It now removes a folder
        holding only what the build writes, and refuses another, naming what is in it and removing nothing."""
        d = scratch('distclean')
        built, other = os.path.join(d, 'built'), os.path.join(d, 'other')
        for f in ('.config', '.config.old', 'Image', 'include/config/auto.conf', 'kernel/init.o',
                  'bench-fine/Image', 'check/logs/x.log'):
            os.makedirs(os.path.dirname(os.path.join(built, f)), exist_ok=True)
            open(os.path.join(built, f), 'w').close()
        shutil.copytree(built, other)
        open(os.path.join(other, 'thesis.tex'), 'w').close()
        rc, out, err = make(f'O={built}', 'distclean', timeout=20)
        expect(rc == 0 and not os.path.exists(built), f'a build folder was not removed: rc={rc} {err[-300:]!r}')
        rc, out, err = make(f'O={other}', 'distclean', timeout=20)
        expect(rc != 0 and 'thesis.tex' in err, f'distclean of a folder with thesis.tex: rc={rc} {err[-300:]!r}')
        expect(os.path.exists(os.path.join(other, 'thesis.tex')) and os.path.exists(os.path.join(other, '.config')),
               'distclean removed files from a folder it refused')
        rc, out, err = make(f'O={os.path.join(d, "none")}', 'distclean', timeout=20)
        expect_eq(rc, 0, f'distclean of a folder that is not there ({err.strip()})')

    def test_make_runs_no_check_plan_outside_make_check(self):
        """check-matrix's prerequisites were a secondary expansion, which GNU make 4.3 expands for every rule
        as it reads the makefiles: every make (help, defconfig, clean) ran tests/check.py, and without python3
        stopped on 'tests/plan.toml: no lock variants'."""
        d = scratch('no-plan')
        log = os.path.join(d, 'python.log')
        fake = script(os.path.join(d, 'python'), f'#!/bin/sh\necho "$@" >> {log}\nexit 1\n')
        for goal in ('help', 'defconfig', 'clean'):
            rc, out, err = make(f'O={os.path.join(d, "O")}', f'PYTHON={fake}', goal, timeout=30)
            expect(rc == 0, f'make {goal} with a python that fails: rc={rc} {err.strip()[-300:]!r}')
        ran = open(log).read() if os.path.exists(log) else ''   # make help lists the strategies: that is its own
        expect('check.py' not in ran, f'tests/check.py was run by make help/defconfig/clean: {ran[:300]!r}')

    def test_make_names_a_cross_compile_that_is_not_there(self):
        """CROSS_COMPILE=nonexistent- said to run scripts/deps.sh, which installs aarch64-linux-gnu- alone (make user
        said it twice over), and rewrote the flag stamps first: the next build with the right compiler rebuilt
        everything. One line naming CROSS_COMPILE, and no stamp written."""
        d = scratch('cross')
        rc, _, err = make(f'O={d}', 'defconfig', timeout=20)
        expect_eq(rc, 0, f'make defconfig ({err.strip()})')
        for goal in ('all', 'user'):
            rc, out, err = make(f'O={d}', 'CROSS_COMPILE=nonexistent-', goal, timeout=30)
            lines = err.strip().splitlines()
            expect(rc != 0 and len(lines) == 1 and 'CROSS_COMPILE=nonexistent- names no installed compiler' in lines[0],
                   f'make {goal}: rc={rc} {err[-500:]!r}')
        stamps = [s for s in ('.kflags', 'user/.uflags') if os.path.exists(os.path.join(d, s))]
        expect(not stamps, f'a build with no compiler wrote {stamps}')
        # CROSS_COMPILE= on a PC is its own gcc, which stopped on 'unrecognized command-line option' errors.
        host = subprocess.run(['gcc', '-dumpmachine'], capture_output=True, text=True).stdout.strip()
        if host and not host.startswith('aarch64'):
            for goal in ('all', 'user'):
                rc, out, err = make(f'O={d}', 'CROSS_COMPILE=', goal, timeout=30)
                lines = err.strip().splitlines()
                expect(rc != 0 and len(lines) == 1 and f'CROSS_COMPILE=: gcc builds for {host}, not 64-bit Arm' in lines[0],
                       f'make {goal} CROSS_COMPILE=: rc={rc} {err[-500:]!r}')


def main():
    p = argparse.ArgumentParser(description='Tests of the make targets (KTAP on stdout).')
    p.add_argument('--objdir', required=True, help='O= folder with a defconfig kernel built')
    p.add_argument('--workdir', required=True, help='scratch folder (emptied first)')
    return ktap_unittest.main('make', MakeTests, parser=p)


if __name__ == '__main__':
    sys.exit(main())
