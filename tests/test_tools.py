#!/usr/bin/env python3
# Self-tests of tests/ktap.py, scripts/qemu-run and tests/check.py using synthetic logs and fake QEMU programs.
"""Run: python3 tests/test_tools.py   (prints KTAP v1; exit status 1 if a test fails).

With LOCKLAB_IMAGE=<kernel Image> it also boots the kernel's planted selftest
suites in the real QEMU and checks that qemu-run catches each of them."""
import argparse
import contextlib
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from unittest import mock

HERE = os.path.dirname(os.path.realpath(__file__))
QEMU_RUN = os.path.join(os.path.dirname(HERE), 'scripts', 'qemu-run')
CHECK = os.path.join(HERE, 'check.py')
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'tools'))
from locklab import ktap  # noqa: E402
from locklab import qemu_run as QR  # noqa: E402
from locklab import bench_ratio  # noqa: E402
from locklab import bench_boot  # noqa: E402
from locklab import bench_run  # noqa: E402
sys.path.insert(0, HERE)
from ktap_unittest import expect, expect_eq  # noqa: E402  (tests/, beside this file)
import ktap_unittest  # noqa: E402

TMP = tempfile.mkdtemp(prefix='locklab-tools-')
IMAGE = os.path.join(TMP, 'kernel.bin')
BOOT = ('boot: board=qemu-virt entry_el=1 el=1 mmu=on dcache=on icache=on psci=hvc gic=v2 '
        'cpus_possible=4 cpus_online=4 cntfrq=62500000\n')
PASS = 'shutdown: status=pass reason=done\n'


# ---- synthetic guest logs -------------------------------------------------------------

def suite(name, results, number=1, stop_before=None):
    """A subtest block as the kernel prints it; results maps case -> 'ok' / 'not ok'.
    With stop_before, the block ends right after that case's start line (a hang)."""
    out = f'  KTAP version 1\n  # Subtest: {name}\n  1..{len(results)}\n'
    for i, (case, res) in enumerate(results.items(), 1):
        out += f'  # ktest: start {name}.{case}\n[    0.{i:06d}] c{i % 4}: running {case}\n'
        if case == stop_before:
            return out
        out += f'  {res} {i} {case}\n'
    failed = 'not ok' in results.values()
    return out + f'{"not ok" if failed else "ok"} {number} {name}\n'


def guest(*suites, end=PASS):
    return ('[    0.000000] c0: locklab booting\n' + BOOT +
            f'KTAP version 1\n1..{len(suites)}\n' + ''.join(suites) + end)


GOOD = guest(suite('boot', {'cpus_online': 'ok', 'mmu': 'ok'}),
             suite('locks', {'spin_basic': 'ok', 'spin_contended': 'ok'}, 2))
NESTED = '''KTAP version 1
1..2
  KTAP version 1
  # Subtest: locks
  1..2
    KTAP version 1
    # Subtest: spin
    1..2
    ok 1 basic
    ok 2 contended
  ok 1 spin
  ok 2 mutex_basic
ok 1 locks
  KTAP version 1
  # Subtest: gic
  1..1
  ok 1 v3_only # SKIP needs gic=v3
ok 2 gic
'''
NESTED_CASES = [('locks.spin.basic', 'pass', ''), ('locks.spin.contended', 'pass', ''),
                ('locks.mutex_basic', 'pass', ''), ('gic.v3_only', 'skip', 'needs gic=v3')]


def cases_of(text):
    return [(c.name, c.status, c.reason) for c in ktap.parse(text).cases()]


# ---- fake QEMU and tool runners -------------------------------------------------------

# The fake prints (str items), sleeps (numbers) or forks a sleeping child
# ({'child': s}) per its spec.json, records its argv, then exits like
# semihosting would unless an exit code is given.
FAKE_BODY = r'''
import json, os, subprocess, sys, time
here = os.path.dirname(os.path.abspath(__file__))
json.dump(sys.argv[1:], open(os.path.join(here, 'argv.json'), 'w'))
spec, printed = json.load(open(os.path.join(here, 'spec.json'))), ''
for item in spec['script']:
    if isinstance(item, str):
        printed += item
        sys.stdout.buffer.write(item.encode('latin-1'))
        sys.stdout.flush()
    elif isinstance(item, dict):
        child = subprocess.Popen(['sleep', str(item['child'])])
        open(os.path.join(here, 'child.pid'), 'w').write(str(child.pid))
    else:
        time.sleep(item)
code = spec['code']
sys.exit(code if code is not None else 0 if 'shutdown: status=pass' in printed else 1)
'''


def fake_qemu(script, code=None):
    """Writes a fake qemu-system-aarch64 into a new directory; returns its path."""
    d = tempfile.mkdtemp(dir=TMP)
    json.dump({'script': [script] if isinstance(script, str) else script, 'code': code},
              open(os.path.join(d, 'spec.json'), 'w'))
    path = os.path.join(d, 'qemu')
    with open(path, 'w') as f:
        f.write(f'#!{sys.executable}\n{FAKE_BODY}')
    os.chmod(path, 0o755)
    return path


def argv_of(fake):
    return json.load(open(os.path.join(os.path.dirname(fake), 'argv.json')))


def qemu_run(qemu, *args, image=IMAGE):
    """Runs scripts/qemu-run; returns (exit status, output, cases by name, seconds)."""
    start = time.monotonic()
    p = subprocess.run([sys.executable, QEMU_RUN, '--image', image, '--quiet', '--qemu', qemu,
                        *args], capture_output=True, text=True, timeout=90)
    cases = {c.name: c for c in ktap.parse(p.stdout).cases()}
    return p.returncode, p.stdout + p.stderr, cases, time.monotonic() - start


def check(*args):
    p = subprocess.run([sys.executable, CHECK, *args], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout.rstrip('\n').split('\n'), p.stderr


def proc_state(pid_file):
    """'gone' if the process in pid_file has exited (a zombie counts), else its state letter."""
    try:
        pid = open(pid_file).read()
        state = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[0]
    except OSError:
        return 'gone'
    return 'gone' if state in 'ZX' else state


def host_cmd(body):
    """A stand-in for a host test binary: a python script; returns its command line."""
    fd, path = tempfile.mkstemp(suffix='.py', dir=TMP)
    os.write(fd, body.encode())
    os.close(fd)
    return f'{sys.executable} {path}'


# ---- ktap.py ----------------------------------------------------------------------------

# name: (input, expected [(case, status, reason)])
PARSES = {
    'skip_and_reasons': ('KTAP version 1\n1..4\nok 1 a # SKIP no smp\nnot ok 2 b # SKIP\n'
                         'not ok 3 c # timeout\nok 4 d\n',
                         [('a', 'skip', 'no smp'), ('b', 'skip', ''), ('c', 'fail', 'timeout'),
                          ('d', 'pass', '')]),
    # What tests/host/htest.h prints; the failing suite must not count twice.
    'htest_output': ('KTAP version 1\n1..1\n  KTAP version 1\n  # Subtest: string\n  1..2\n'
                     '  ok 1 test_a\n  # string.c:9: expected a == b\n  not ok 2 test_b\n'
                     'not ok 1 string\n', [('string.test_a', 'pass', ''),
                                           ('string.test_b', 'fail', '')]),
    'suite_not_ok_without_failing_case': (
        'KTAP version 1\n1..1\n  KTAP version 1\n  1..1\n  ok 1 x\nnot ok 1 s # init failed\n',
        [('s.x', 'pass', ''), ('s', 'fail', 'init failed')]),
    'plan_mismatch': ('KTAP version 1\n1..3\nok 1 a\nok 2 b\n',
                      [('a', 'pass', ''), ('b', 'pass', ''),
                       ('(top-level plan)', 'fail', 'planned 3 tests, got 2')]),
    'two_documents_and_old_subtest_order': (
        'KTAP version 1\n1..1\n  # Subtest: s\n  KTAP version 1\n  1..1\n  ok 1 x\nok 1 s\n'
        'noise\nKTAP version 1\n1..1\nnot ok 1 y\n', [('s.x', 'pass', ''), ('y', 'fail', '')]),
    'unclosed_subtest': ('KTAP version 1\n1..1\n  KTAP version 1\n  # Subtest: s\n  1..2\n'
                         '  ok 1 x\n', [('s.x', 'pass', ''),
                                        ('s', 'fail', 'incomplete: no result line')]),
    'unclosed_empty_subtest': ('KTAP version 1\n1..1\n  KTAP version 1\n  # Subtest: s\n  1..2\n',
                               [('s', 'fail', 'incomplete: no result line')]),
}


# ---- scripts/qemu-run -------------------------------------------------------------------

PANIC_LOG = guest(suite('locks', {'spin_basic': 'ok', 'recursion': 'ok'}, stop_before='recursion'),
                  end='panic: cpu=2 spinlock recursion on lock@0x40081000\n  x0: 0000000000000000\n'
                      'panic: stopped 3 of 3 other CPUs\nshutdown: status=fail reason=panic\n')
FAILED_LEAF = guest(suite('locks', {'spin_basic': 'not ok', 'spin_contended': 'ok'}),
                    end='shutdown: status=fail reason=ktest\n')
NO_SHUTDOWN = GOOD.replace(PASS, '')
# name: (fake's script, its exit code (None: as semihosting), qemu-run args,
#        the case that must fail, text its reason must contain)
CATCHES = {
    'not_ok_leaf': (FAILED_LEAF, None, [], 'locks.spin_basic', ''),
    'hang_during_boot': (['[    0.0] c0: early\n', 30], None, ['--timeout', '1'], 'clean_shutdown',
                         'hung: no shutdown after 1s; last case started: none (during boot); '
                         'last line: [    0.0] c0: early'),
    'hang_during_a_benchmark_run': (
        [suite('locks', {'spin_basic': 'ok'}) + 'bench-start: workload=u-x cpus=2 repeat=0\n', 30], None,
        ['--timeout', '1'], 'clean_shutdown',
        'hung: no shutdown after 1s; last benchmark run started: workload=u-x cpus=2 repeat=0; last line: '),
    'panic': (PANIC_LOG, None, [], 'no_panic',
              'panic: cpu=2 spinlock recursion on lock@0x40081000 (during locks.recursion)'),
    'case_cut_by_panic': (PANIC_LOG, None, [], 'locks.recursion', 'interrupted by panic'),
    'exit_0_without_shutdown': (NO_SHUTDOWN, 0, [], 'clean_shutdown',
                                'guest exited without a shutdown line (code 0)'),
    'exit_3_without_shutdown': (NO_SHUTDOWN, 3, [], 'clean_shutdown',
                                'guest exited without a shutdown line (code 3)'),
    'expect_mismatch': (GOOD.replace('cpus_online=4', 'cpus_online=3'), None,
                        ['--expect', 'cpus_online=4', '--expect', 'gic=v2'], 'boot_record',
                        'expected cpus_online=4, got cpus_online=3'),
    'expect_missing_key': (GOOD, None, ['--expect', 'smt=on'], 'boot_record',
                           'expected smt=on, got no smt'),
    'missing_boot_record': (GOOD.replace(BOOT, ''), None, [], 'boot_record', 'no boot record'),
    'pass_with_exit_1': (GOOD, 1, [], 'clean_shutdown', 'status=pass but QEMU exit code 1'),
    'fail_with_exit_0': (GOOD.replace('status=pass', 'status=fail'), 0, [], 'clean_shutdown',
                         'status=fail but QEMU exit code 0'),
    # Without semihosting both verdicts power off through PSCI SYSTEM_OFF: QEMU exits 0 or went wrong.
    'no_semihost_pass_with_exit_1': (GOOD, 1, ['--no-semihost'], 'clean_shutdown',
                                     'status=pass but QEMU exit code 1 (no semihosting: PSCI SYSTEM_OFF exits 0)'),
    'unexplained_fail': (GOOD.replace('status=pass', 'status=fail'), None, [], 'clean_shutdown',
                         'status=fail with no failing case'),
    'pass_despite_failed_case': (FAILED_LEAF.replace('status=fail', 'status=pass'), None, [],
                                 'clean_shutdown', 'status=pass although cases failed'),
    'no_poweroff': ([GOOD, 30], None, ['--timeout', '2'], 'clean_shutdown', 'did not exit'),
    'no_guest_ktap': (BOOT + PASS, None, [], 'guest_ktap', 'no KTAP'),
    'guest_plan_short': (GOOD.replace('1..2\n', '1..3\n', 1), None, [], '(top-level plan)',
                         'planned 3 tests, got 2'),
}


def expect_planted_failure_texts(cases, out):
    """ktest=selftest_fail: each failed comparison prints its values readably; the hooks ran."""
    expect_eq(cases.get('selftest_fail.selftest_passes') and cases['selftest_fail.selftest_passes'].status,
              'pass', 'selftest_passes (init/exit around it):')
    for name, want in (
            ('selftest_fails_signed', 'expected err == 0, got -2 vs 0'),
            ('selftest_fails_streq', 'expected reply == "from parent", got "from child" vs "from parent"'),
            ('selftest_fails_memeq', 'first difference at byte 5: "\\x01!" vs ", "'),
            ('selftest_fails_leak', 'kmalloc objects '),
            ('selftest_checks_nothing', 'case checked nothing')):
        c = cases.get('selftest_fail.' + name)
        expect(c and c.status == 'fail' and any(want in d for d in c.diagnostics),
               f'selftest_fail.{name}: no failure saying {want!r}:\n{out}')


# ---- tests/check.py ---------------------------------------------------------------------

HOST_OK = host_cmd("print('KTAP version 1\\n1..3\\nok 1 a\\nok 2 b\\nok 3 c # SKIP later')")
HOST_FAIL = host_cmd("print('KTAP version 1\\n1..2\\nok 1 a\\n# x.c:3: boom\\nnot ok 2 b'); exit(1)")
HOST_CRASH = host_cmd("print('Segmentation fault'); exit(3)")
HOST_BADEXIT = host_cmd("print('KTAP version 1\\n1..1\\nok 1 a'); exit(1)")



# ---- tests/ktap_unittest.py --------------------------------------------------------------

def sample_stand_in(threads, seconds, column):
    """A HostSampler on a stand-in for QEMU: a process whose threads, named as QEMU's vCPU threads, spin,
    sleep or make system calls (stat); runs of cpus=1 and cpus=2 of the given seconds each. Returns the
    sampler and {cpus: the host record's column}."""
    prog = ('import os, threading, time\n'
            'def vcpu(name, action):\n'
            '    with open(f"/proc/self/task/{threading.get_native_id()}/comm", "w") as f:\n'
            '        f.write(name)\n'
            '    end = time.time() + 30\n'
            '    while time.time() < end:\n'
            '        {"spin": lambda: None, "sleep": lambda: time.sleep(1), "stat": lambda: os.stat("/")}[action]()\n'
            f'for name, action in {tuple(threads)!r}:\n'
            '    threading.Thread(target=vcpu, args=(name, action), daemon=True).start()\n'
            'time.sleep(0.2)\n'
            'print("ready", flush=True)\n'
            'time.sleep(30)\n')
    proc = subprocess.Popen([sys.executable, '-c', prog], stdout=subprocess.PIPE, text=True)
    try:
        expect_eq(proc.stdout.readline().strip(), 'ready', 'the stand-in for QEMU did not start:')
        sampler = QR.HostSampler(proc.pid, 'host-meta: test')
        for cpus in (1, 2):
            sampler.line(f'bench-start: workload=w cpus={cpus} repeat=0')
            time.sleep(seconds)
            sampler.line(f'bench: workload=w cpus={cpus} repeat=0 ops=1')
    finally:
        proc.kill()
        proc.wait()
    return sampler, {f['cpus']: f[column]
                     for f in (dict(kv.split('=', 1) for kv in line.split()[1:]) for line in sampler.lines[1:])}


class AdapterSample(ktap_unittest.TestCase):
    """Run by the adapter's own case: every kind of outcome, a table in the middle."""

    def test_passes(self):
        expect(True, 'never')

    def test_fails(self):
        expect_eq(1, 2, 'one and two:')

    def test_skips(self):
        self.skipTest('not today')

    @ktap_unittest.each({'a': (1,), 'b': (2,)}, 'row_')
    def rows(self, n):
        expect(n == 1, f'row {n} is not 1')

    def test_errors(self):
        raise KeyError('nope')


class AdapterBrokenFixture(ktap_unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        raise OSError('no such workdir')

    def test_first(self):
        pass

    def test_second(self):
        pass


def run_adapter(*argv):
    """(exit status, KTAP text) of the sample classes run through ktap_unittest.main."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = ktap_unittest.main('sample', AdapterSample, AdapterBrokenFixture, argv=list(argv))
    return rc, out.getvalue()


class ToolsTests(ktap_unittest.TestCase):
    """The parser, scripts/qemu-run (with a fake QEMU, and a real one on planted failures) and tests/check.py."""

    def test_parser_clean_nested_document(self):
        expect_eq(cases_of(NESTED), NESTED_CASES)

    def test_parser_ignores_interleaved_noise(self):
        noisy = b''
        for i, line in enumerate(NESTED.splitlines()):
            noisy += f'[    0.{i:06d}] c{i % 4}: ok 9 printk text\r\n'.encode()
            if i % 3 == 0:
                noisy += b'\x00\xff\xfe\x1b[0mgarbage ok 7 x\r\n'
            noisy += (b'\x00\x1b[1m' if i % 5 == 0 else b'') + line.encode() + b'\r\n'
        expect_eq(cases_of(noisy + b'qemu-system-aarch64: warning: noise\n'), NESTED_CASES)

    @ktap_unittest.each(PARSES, 'parser_')
    def parses(self, text, want):
        expect_eq(cases_of(text), want)

    def test_parser_keeps_diagnostics_and_started_case(self):
        expect_eq(ktap.parse(PARSES['htest_output'][0]).cases()[1].diagnostics,
                  ['string.c:9: expected a == b'])
        report = ktap.parse('KTAP version 1\n1..1\n' +
                            suite('locks', {'a': 'ok', 'b': 'ok', 'c': 'ok'}, stop_before='b'))
        expect_eq((report.in_progress, report.last_started), ('locks.b', 'locks.b'))
        done = ktap.parse('KTAP version 1\n1..1\n' + suite('locks', {'a': 'ok'}))
        expect_eq((done.in_progress, done.last_started), (None, 'locks.a'))

    def test_emit_round_trips_through_parser(self):
        cases = [ktap.Case('a.b', 'pass'), ktap.Case('odd#name', 'fail', 'why', ['d1', 'd2']),
                 ktap.Case('c', 'skip', 'later'), ktap.Case('d', 'fail', 'skipped a lock')]
        with tempfile.TemporaryFile('w+') as out:
            ktap.emit(cases, ['comment'], out)
            out.seek(0)
            back = ktap.parse(out.read()).cases()
        expect_eq([(c.name, c.status) for c in back], [(c.name, c.status) for c in cases])
        expect_eq(back[1].diagnostics, ['d1', 'd2'])

    def test_qemu_run_passes_and_builds_command_line(self):
        quoted = '  # quoting panic: cpu=1 or shutdown: status=fail is not a record\n'
        fake = fake_qemu(GOOD.replace('  1..2\n', '  1..2\n' + quoted, 1).replace('\n', '\r\n'))
        rc, out, cases, _ = qemu_run(fake)
        expect_eq(rc, 0, 'exit status')
        expect_eq([(n, c.status) for n, c in cases.items()],
                  [(n, 'pass') for n in ('boot.cpus_online', 'boot.mmu', 'locks.spin_basic',
                                         'locks.spin_contended', 'boot_record', 'no_panic',
                                         'clean_shutdown')])
        expect_eq(argv_of(fake), ['-M', 'virt', '-accel', 'tcg,thread=multi', '-cpu', 'cortex-a76',
                                  '-smp', '4', '-m', '512M',
                                  '-nographic', '-nic', 'none', '-no-reboot', '-kernel', IMAGE, '-append', 'semihost=1',
                                  '-semihosting-config', 'enable=on,target=native', '-name', 'locklab,debug-threads=on'])
        fake = fake_qemu(GOOD)
        rc, _, _, _ = qemu_run(fake, '--cpus', '8', '--gic', '3', '--el2', '--mem', '1G', '--accel', 'single',
                               '--bootargs', 'log=7 x=1', '--expect', 'gic=v2', '--expect', 'psci=hvc')
        expect_eq(rc, 0, 'matching --expect:')
        argv = argv_of(fake)
        expect_eq(argv[:10], ['-M', 'virt,gic-version=3,virtualization=on', '-accel', 'tcg,thread=single',
                              '-cpu', 'cortex-a76', '-smp', '8', '-m', '1G'])
        expect_eq(argv[argv.index('-append') + 1], 'log=7 x=1 semihost=1')

    def test_qemu_run_no_semihost_boots_as_on_a_board(self):
        # --no-semihost: neither the bootarg nor QEMU's semihosting, and a failed run's exit 0 (SYSTEM_OFF) is right.
        fake = fake_qemu(GOOD, 0)
        rc, out, cases, _ = qemu_run(fake, '--no-semihost', '--bootargs', 'ktest=boot')
        expect_eq(rc, 0, 'exit status')
        argv = argv_of(fake)
        expect_eq(argv[argv.index('-append') + 1], 'ktest=boot', 'the command line')
        expect('-semihosting-config' not in argv, f'semihosting still enabled: {argv}')
        expect(' no-semihost ' in out, f'the summary does not say so:\n{out}')
        rc, out, cases, _ = qemu_run(fake_qemu(FAILED_LEAF, 0), '--no-semihost')
        expect_eq(rc, 1, 'exit status of a failed run')
        expect_eq(cases['clean_shutdown'].status, 'pass', f'status=fail with exit 0 (SYSTEM_OFF):\n{out}')
        expect_eq(cases['locks.spin_basic'].status, 'fail', 'the failed case')

    def test_qemu_run_kills_hang_and_names_case(self):
        head = guest(suite('boot', {'cpus_online': 'ok'}),
                     suite('locks', {'spin_basic': 'ok', 'spin_contended': 'ok'}, 2,
                           stop_before='spin_contended'), end='')
        fake = fake_qemu([head, {'child': 60}, 60])
        rc, out, cases, elapsed = qemu_run(fake, '--timeout', '2')
        expect(rc == 1 and elapsed < 10, f'rc={rc} elapsed={elapsed:.1f}')
        expect(cases['clean_shutdown'].reason.startswith(
            'hung: no shutdown after 2s; last case started: locks.spin_contended; last line: '), out)
        expect_eq(cases['locks.spin_contended'].status, 'fail', 'hung case')
        expect_eq(cases['boot.cpus_online'].status, 'pass', 'earlier case')
        time.sleep(0.2)     # QEMU's whole process group must be gone, children too
        expect_eq(proc_state(os.path.join(os.path.dirname(fake), 'child.pid')), 'gone', 'QEMU child')

    @ktap_unittest.each(CATCHES, 'qemu_run_catches_')
    def catches(self, script, code, args, case, text):
        rc, out, cases, elapsed = qemu_run(fake_qemu(script, code), *args)
        expect(rc == 1 and elapsed < 10, f'rc={rc} elapsed={elapsed:.1f}')
        expect(case in cases and cases[case].status == 'fail', f'{case} did not fail:\n{out}')
        expect(text in cases[case].reason, f'{text!r} not in {cases[case].reason!r}')

    def test_qemu_run_host_sampler_outlives_qemu(self):
        """A run whose records are read after QEMU exited keeps a live sample's numbers, or says n/a."""
        proc = subprocess.Popen(['sleep', '30'])
        sampler = QR.HostSampler(proc.pid, 'host-meta: test')
        sampler.threads = [str(proc.pid)]       # its one thread stands in for QEMU's vCPU threads
        try:
            time.sleep(0.1)                     # sleep(1) has started and is asleep
            sampler.line('bench-start: workload=mm cpus=1 repeat=0')
            time.sleep(0.01)
            sampler.line('lockstat: workload=mm cpus=1 repeat=0 class=mm acquisitions=1')
            sampler.line('bench-start: workload=mm cpus=2 repeat=0')
            time.sleep(QR.HostSampler.REFRESH_S + 0.01)
            sampler.refresh()
        finally:
            proc.kill()
            proc.wait()
        sampler.line('bench: workload=mm cpus=1 repeat=0 ops=1')
        sampler.line('bench: workload=mm cpus=2 repeat=0 ops=1')
        sampler.line('bench-start: workload=mm cpus=4 repeat=0')
        sampler.line('bench: workload=mm cpus=4 repeat=0 ops=1')
        got = [dict(kv.split('=', 1) for kv in line.split()[1:]) for line in sampler.lines[1:]]
        expect_eq(len(got), 3, f'host records: {sampler.lines}')
        for fields in got[:2]:
            expect(re.fullmatch(r'\d+\.\d\d', fields['host_vcpu_wait_pct']) and float(fields['host_window_ms']) > 0,
                   f'a run sampled while QEMU ran (lockstat record, refresh): {fields}')
            # sleep(1) spends its life asleep: neither on a core nor waiting for one
            expect(float(fields['host_vcpu_blocked_pct']) > 90, f'a sleeping thread is blocked: {fields}')
        expect_eq((got[2]['host_vcpu_wait_pct'], got[2]['host_vcpu_blocked_pct'], got[2]['host_window_ms']),
                  ('n/a', 'n/a', 'n/a'), 'a run started after QEMU exited:')

    def test_qemu_run_host_sampler_counts_the_runs_cpus(self):
        """host_vcpu_blocked_pct: the mean over the threads named CPU n/TCG with n below the run's cpus of
        the share of the window each was neither running nor waiting for a core (schedstat)."""
        sampler, got = sample_stand_in((('CPU 0/TCG', 'spin'), ('CPU 1/TCG', 'sleep'), ('CPU 10/TCG', 'sleep')),
                                       0.3, 'host_vcpu_blocked_pct')
        expect_eq(sorted(sampler.cpu_of.values()), [0, 1, 10], 'vCPU threads found (the main thread is not one):')
        got = {k: float(v) for k, v in got.items()}
        expect(got['1'] < 20, f'cpus=1 counts CPU 0 alone, which spins: {got}')
        expect(35 < got['2'] < 65, f'cpus=2 averages CPU 0 (spinning) and CPU 1 (asleep), not CPU 10: {got}')

    def test_qemu_run_host_sampler_counts_time_in_the_host_kernel(self):
        """host_vcpu_sys_pct: the mean over the run's vCPU threads of the share of the window each spent in the
        host kernel (stat's stime), where a contended QEMU lock's futex calls go without blocking: a thread
        making system calls shows it, one asleep does not."""
        _, got = sample_stand_in((('CPU 0/TCG', 'stat'), ('CPU 1/TCG', 'sleep')), 0.5, 'host_vcpu_sys_pct')
        expect(all(re.fullmatch(r'\d+\.\d\d', v) for v in got.values()), f'not a share: {got}')
        if all(re.fullmatch(r'\d+\.\d\d', v) for v in got.values()):
            expect(float(got['1']) > 15, f'cpus=1 is CPU 0 alone, in the host kernel for every stat(): {got}')
            expect(float(got['2']) < float(got['1']), f'cpus=2 also averages CPU 1, which sleeps: {got}')

    def test_bench_ratio_table_flags_a_speedup_above_n(self):
        a = argparse.Namespace(cpu_list=[1, 2], strategy_list=['bkl', 'fine'], thinks=[0])
        rows = [{'strategy': s, 'workload': w, 'think_ns': 0, 'cpus': 2, 'speedup_median': v}
                for s, w, v in (('bkl', 'ratio', '1.100'), ('fine', 'ratio', '2.042'), ('bkl', 'ceiling', '1.980'))]
        lines = bench_ratio.table(a, rows, {0: 50.0})
        expect('2.042x!' in lines[1] and '1.100x ' in lines[1] + ' ' and '1.980x!' not in lines[1],
               f'the row: {lines[1]!r}')
        expect(len(lines) == 3 and lines[2].startswith('  !: above 2x, which 2 CPUs cannot do') and
               'fine ratio at think=0' in lines[2], f'the note: {lines[2:]}')

    def test_bench_ratio_draws_no_plot_without_a_speedup_at_n(self):
        # Every 2-CPU pair flagged host_busy: the 1-CPU rows' speedup of 1.000 once let ratio.png be drawn with
        # the model curves alone and no word that no measurement was on it (make bench-ratio on a busy host).
        a = argparse.Namespace(cpu_list=[1, 2], strategy_list=['bkl', 'fine'], thinks=[0, 32000], cs=2000)
        rows = [{'strategy': s, 'workload': w, 'think_ns': t, 'cpus': c, 'inside_pct': '88.50' if w == 'ratio' else '',
                 'speedup_median': '1.000' if c == 1 else '', 'speedup_min': '1.000' if c == 1 else '',
                 'speedup_max': '1.000' if c == 1 else ''}
                for s in ('bkl', 'fine') for w in ('ratio', 'ceiling') for t in (0, 32000) for c in (1, 2)
                if w == 'ratio' or s == 'bkl']
        out = tempfile.mkdtemp(dir=TMP)
        err = bench_ratio.plot(a, out, rows)
        expect(err and 'no speedup at 2 CPUs' in err and 'host_busy' in err and
               not os.path.exists(os.path.join(out, 'ratio.png')), f'plot() said {err!r}, wrote {os.listdir(out)}')

    def test_bench_ratio_share_inside_leaves_busy_and_failed_hold_runs_out(self):
        # As make bench's report: a hold run whose holder's vCPU the host descheduled held the BKL longer. Repeat 0
        # held it 40 % of its run, repeat 1 (flagged host_busy) 90 %, repeat 2 (invariants=FAIL) 95 %.
        out = tempfile.mkdtemp(dir=TMP)
        os.makedirs(os.path.join(out, 'hold'))
        hold = [(0, 40, 'ok', '0'), (1, 90, 'ok', '1'), (2, 95, 'FAIL', '0')]
        run = dict(strategy='bkl', workload='ratio', think_ns='0', ns='100000000', log='bkl-think0.log')
        for path, rows in (
                ('results.csv', [dict(run, cpus=str(c), repeat='0', ops_per_sec=str(1000 * c), invariants='ok',
                                      host_busy='0') for c in (1, 2)]),
                (os.path.join('hold', 'results.csv'), [dict(run, cpus='1', repeat=str(rep), ops_per_sec='1000',
                                                            invariants=inv, host_busy=busy)
                                                       for rep, _, inv, busy in hold]),
                (os.path.join('hold', 'lockstat.csv'), [{'workload': 'ratio', 'repeat': str(rep), 'class': 'bkl',
                                                         'hold_total_ns': str(pct * 1000000), 'log': run['log']}
                                                        for rep, pct, _, _ in hold])):
            with open(os.path.join(out, path), 'w') as f:
                f.write(','.join(rows[0]) + '\n' + ''.join(','.join(r.values()) + '\n' for r in rows))
        _, inside = bench_ratio.measure(argparse.Namespace(strategy_list=['bkl'], cs=2000), out)
        expect_eq(inside, {0: 40.0}, 'share inside at think=0 (the busy run and the failed one left out):')

    def test_bench_run_refuses_a_kernel_with_two_workloads_of_one_name(self):
        # The kernel refuses them at boot; make bench says so before any boot, naming the kernel and the name.
        table = [('getpid', False), ('stat-shared', False), ('stat-shared', False), ('ratio', True)]
        a = argparse.Namespace(workloads='all', trace=None, trace_default=False)
        meta = {'strategies': {'fine': {}}, 'failures': []}
        with mock.patch.object(bench_run.bw, 'read_workloads', lambda path: table):
            err = bench_run.resolve_workloads(a, {'fine': 'Image'}, meta)
        expect(err and 'the fine kernel has two workloads named stat-shared' in err, f'refusal: {err!r}')

    def test_bench_run_unknown_workload_hints(self):
        # A near miss gets a suggestion; a new workload's file that bench/Kbuild does not build is named.
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, 'bench'))
            with open(os.path.join(d, 'bench', 'Kbuild'), 'w') as f:
                f.write('obj-$(CONFIG_BENCH) += wl_getpid.o\n')
            open(os.path.join(d, 'bench', 'wl_mkdir_shared.c'), 'w').close()
            with mock.patch.object(bench_run, 'ROOT', d):
                got = bench_run.unknown_workload_hints(['fs-privat', 'mkdir-shared', 'zzz'],
                                                       ['fs-private', 'getpid', 'mm'])
        expect(got == ': did you mean fs-private?; bench/wl_mkdir_shared.c exists but bench/Kbuild does not build it '
               '(add "obj-$(CONFIG_BENCH) += wl_mkdir_shared.o")', f'hints: {got!r}')

    def test_bench_run_failure_quotes_the_first_extract_problems(self):
        # bench-extract's report: a count line, a group header, the kernel's error, then a later consequence and
        # the closing line. The failure make bench prints must carry the kernel's error, not just the end.
        out = ('fine-boot1.log: 0 runs, 0 lockstat rows kept\n'
               'fine-boot1.log: 1 error line from the kernel, at line 10\n'
               "fine-boot1.log:   line 10: error: two workloads are named 'x' (BENCH_WORKLOAD in bench/)\n"
               'fine-boot1.log: line 11: nothing run, and the self-tests skipped (the options above)\n'
               'wrote out/results.csv (0 runs) and out/lockstat.csv (0 rows)\n')
        meta = {'failures': []}
        done = subprocess.CompletedProcess([], 1, stdout=out)
        with tempfile.TemporaryDirectory() as d, mock.patch.object(bench_run.subprocess, 'run', lambda *a, **k: done):
            bench_run.extract(d, ['fine-boot1.log'], [], meta, 'bench-extract')
        got = meta['failures'][0] if meta['failures'] else ''
        expect("two workloads are named 'x'" in got and 'rows kept' not in got and 'wrote ' not in got,
               f'the failure: {got!r}')

    def test_bench_run_hold_pass_flags_busy_runs_by_the_same_line(self):
        # The report leaves a flagged hold run out of its Amdahl s: under --busy-pct 20 a hold run whose vCPU
        # waited 7 % of it for a host core is not flagged, as a scaling run would not be.
        out = tempfile.mkdtemp(dir=TMP)
        os.makedirs(os.path.join(out, 'hold'))
        with open(os.path.join(out, 'hold', 'bkl.log'), 'w') as f:
            f.write('bench-meta: format=1 strategy=bkl lock_alg=ticket atomics=lse spin_wait=busy lock_wait=spin '
                    'board=qemu-virt cpus_online=2 cntfrq=62500000 lockstat=on version=abc config=12\n'
                    'bench: workload=mm cpus=1 repeat=0 ops=1000 ns=100000000 ops_per_sec=10000 thread_ops_min=1000 '
                    'thread_ops_max=1000 lock_wait_pct=0.00 invariants=ok\nbench-end: runs=1 failed=0\n')
        with open(os.path.join(out, 'hold', 'bkl.host'), 'w') as f:
            f.write('host-meta: accel=multi host_cpus=2 qemu=7.2.22\nhost: workload=mm cpus=1 repeat=0 '
                    'host_vcpu_wait_pct=7.00 host_vcpu_blocked_pct=0.00 host_steal_pct=0.00 host_load1=1.0 '
                    'host_window_ms=120.0\n')
        meta = {'failures': [], 'strategies': {}}
        bench_run.collect(argparse.Namespace(busy_pct=20.0), out, [], [('bkl', bench_boot.HOLD)], meta, 0.0)
        with open(os.path.join(out, 'hold', 'results.csv'), newline='') as f:
            flags = [r['host_busy'] for r in csv.DictReader(f)]
        expect_eq(flags, ['0'], f'hold/results.csv host_busy of a 7 % wait under --busy-pct 20 ({meta["failures"]}):')

    def test_bench_progress_estimate_does_not_jump_at_a_new_boot(self):
        # Two boots of 10 runs, each 4 s of boot then 1 s a run: the estimate after the second boot's first
        # run stays near the one at the first boot's end (a per-boot rate, 5 s over 1 run, doubled it).
        def eta(now, state):
            out = io.StringIO()
            with mock.patch.object(bench_boot.time, 'time', lambda: now):
                bench_boot.report_progress(bench_boot.Progress(out), state, ('mm', '1'), 'fine')
            m = re.search(r'about (\d+) s left', out.getvalue())
            expect(m, f'no estimate in {out.getvalue()!r}')
            return int(m.group(1))
        first = eta(114, {('bkl', 1): (10, 10, 100.0), ('fine', 1): (0, 10, None)})
        second = eta(119, {('bkl', 1): (10, 10, 100.0), ('fine', 1): (1, 10, 114.0)})
        expect(first == 15 and second <= first * 1.2, f'estimates {first} s then {second} s')

    def test_serial_tools_say_why_a_port_will_not_open(self):
        # Each cause its own hint: a missing port, a directory and a speed termios lacks were all told 'is the
        # adapter plugged in? are you in the dialout group?', with Python's "[Errno 2] No such file..." before it.
        for device, baud, want in (('/dev/locklab-no-such-port', '115200', 'no such serial port: plug the adapter in'),
                                   ('/dev/null', '12345', 'unsupported speed 12345 (the Pi 5\'s debug UART runs at '
                                                          '115200: leave the speed out)'),
                                   (TMP, '115200', 'Is a directory')):
            for tool, extra in (('capture-serial', ['--results', os.path.join(TMP, 'serial-results')]),
                                ('serial-load', ['--image', IMAGE])):
                p = subprocess.run([sys.executable, os.path.join(os.path.dirname(QEMU_RUN), tool), '--device', device,
                                    '--baud', baud, *extra], capture_output=True, text=True, timeout=30)
                lines = p.stderr.strip().splitlines()
                expect(p.returncode == 2 and len(lines) == 1 and
                       lines[0].startswith(f'{tool}: cannot open {device}: {want}') and
                       'dialout' not in lines[0] and 'Errno' not in lines[0],
                       f'{tool} --device {device} --baud {baud}: exit {p.returncode}, stderr {p.stderr!r}')

    def test_qemu_run_missing_qemu_points_at_deps(self):
        rc, out, cases, _ = qemu_run(os.path.join(TMP, 'no-such-qemu'))
        expect_eq(rc, 2, 'exit status')
        expect('scripts/deps.sh' in out and cases['launch'].status == 'fail', out)

    def test_qemu_run_writes_raw_log_and_json(self):
        raw = GOOD.replace('\n', '\r\n') + '\xff'
        log, js = os.path.join(TMP, 'sub', 'serial.log'), os.path.join(TMP, 'cases.json')
        _, _, cases, _ = qemu_run(fake_qemu(raw), '--log', log, '--ktap-out', js)
        expect_eq(open(log, 'rb').read(), raw.encode('latin-1'), 'raw log')
        expect_eq([json.loads(line)['name'] for line in open(js)], list(cases))

    def test_qemu_run_help_lists_options(self):
        p = subprocess.run([sys.executable, QEMU_RUN, '--help'], capture_output=True, text=True,
                           timeout=30)
        expect_eq(p.returncode, 0, 'exit status')
        for opt in ('--image', '--cpus', '--gic', '--el2', '--mem', '--bootargs', '--no-semihost', '--timeout', '--log',
                    '--expect', '--quiet', '--echo', '--qemu', '--ktap-out', '--exec', '--gdb', '--dump-dtb'):
            expect(opt in p.stdout, f'{opt} missing from --help')

    def test_kernel_planted_failures_are_caught(self):
        image = os.environ.get('LOCKLAB_IMAGE', '')
        if not os.path.isfile(image) or not shutil.which('qemu-system-aarch64'):
            self.skipTest('set LOCKLAB_IMAGE to a built kernel Image (and install QEMU)')
        for planted, case, text, timeout in (
                ('selftest_fail', 'selftest_fail.selftest_fails', '', '30'),
                ('selftest_hang', 'clean_shutdown', 'started: selftest_hang.selftest_hangs', '3'),
                ('selftest_panic', 'no_panic', 'panic: cpu=', '30'),
                ('selftest_fault', 'no_panic', 'panic: cpu=', '30')):
            rc, out, cases, _ = qemu_run('qemu-system-aarch64', '--cpus', '2', '--timeout', timeout,
                                         '--bootargs', f'ktest={planted}', image=image)
            expect(rc == 1 and cases.get(case) and cases[case].status == 'fail'
                   and text in cases[case].reason, f'ktest={planted} not caught:\n{out}')
            if planted == 'selftest_fail':
                expect_planted_failure_texts(cases, out)

    def test_check_counts_mixed_steps(self):
        logdir = os.path.join(TMP, 'logs-mixed')
        rc, lines, _ = check('--logdir', logdir, '--host', 'ok=' + HOST_OK, '--host', 'fail=' + HOST_FAIL,
                             '--host', 'crash=' + HOST_CRASH, '--host', 'badexit=' + HOST_BADEXIT,
                             '--boot', f'smp4=--image {IMAGE} --qemu {fake_qemu(GOOD)} --echo')
        # passed: 2 + 1 + 0 + 1 + (4 guest cases + 3 run checks); the skip counts in neither.
        expect_eq((rc, lines[-1]), (1, '11 passed, 3 failed'), 'exit status and closing line:')
        text = '\n'.join(lines)
        for want in ('not ok b: x.c:3: boom', 'not ok crash: no KTAP output (exit status 3)',
                     'not ok badexit: exit status 1 although every case passed',
                     f'log: {logdir}/fail.out'):
            expect(want in text, f'{want!r} not in output:\n{text}')
        for name in ('ok.out', 'smp4.out', 'smp4.log'):
            expect(os.path.exists(os.path.join(logdir, name)), f'{name} missing')

    def test_check_pass_and_boot_failure_totals(self):
        rc, lines, _ = check('--logdir', os.path.join(TMP, 'logs-pass'), '--host', 'ok=' + HOST_OK,
                             '--boot', f'b=--image {IMAGE} --qemu {fake_qemu(GOOD)}')
        expect_eq((rc, lines[-1]), (0, '9 passed, 0 failed'), 'all pass:')
        fake = fake_qemu(GOOD.replace('cpus_online=4', 'cpus_online=3'))
        rc, lines, _ = check('--logdir', os.path.join(TMP, 'logs-boot'), '--host', 'ok=' + HOST_OK,
                             '--boot', f'b=--image {IMAGE} --qemu {fake} --expect cpus_online=4')
        expect_eq((rc, lines[-1]), (1, '8 passed, 1 failed'), 'boot_record failing:')
        expect(any('not ok boot_record: expected cpus_online=4' in l for l in lines), lines)

    def test_check_parallel_keeps_order(self):
        stamps = os.path.join(TMP, 'stamps')
        os.makedirs(stamps)
        cmd = host_cmd(f"import sys, time; d = {stamps!r} + '/' + sys.argv[1]; open(d + '.start', 'w'); "
                       "time.sleep(float(sys.argv[1])); print('KTAP version 1\\n1..1\\nok 1 t'); "
                       "open(d + '.end', 'w')")
        rc, lines, _ = check('--logdir', os.path.join(TMP, 'logs-j'), '-j', '3', '--host',
                             f'slow={cmd} 1.5', '--host', f'mid={cmd} 0.5', '--host', f'fast={cmd} 0')
        expect_eq([l.split()[1] for l in lines], ['slow', 'mid', 'fast', 'passed,'], 'order')
        expect_eq(rc, 0, 'exit status')
        mtime = lambda name: os.path.getmtime(os.path.join(stamps, name))  # noqa: E731
        expect(mtime('0.start') < mtime('1.5.end'), 'steps did not overlap')

    def test_check_step_timeout_and_usage(self):
        start = time.monotonic()
        fake = fake_qemu(['[    0.0] c0: early\n', {'child': 60}, 60])
        rc, lines, _ = check('--logdir', os.path.join(TMP, 'logs-t'), '--step-timeout', '1', '-j', '2',
                             '--host', 'sleepy=' + host_cmd('import time; time.sleep(60)'),
                             '--boot', f'slowboot=--image {IMAGE} --qemu {fake} --timeout 60')
        expect(rc == 1 and time.monotonic() - start < 20, f'rc={rc}')
        expect_eq(lines[-1], '0 passed, 2 failed', 'closing line')
        for name in ('sleepy', 'slowboot'):
            expect(any(f'not ok {name}: killed after --step-timeout 1s' in l for l in lines), lines)
        time.sleep(0.2)     # qemu-run must have taken its QEMU (and QEMU's child) down with it
        expect_eq(proc_state(os.path.join(os.path.dirname(fake), 'child.pid')), 'gone', 'QEMU child')
        rc, _, err = check('--logdir', os.path.join(TMP, 'logs-u'))
        expect(rc == 2 and 'no steps' in err, f'rc={rc} {err}')

    def test_ktap_unittest_reports_every_planned_case(self):
        rc, text = run_adapter()
        lines = text.splitlines()
        plans = [l for l in lines if l.startswith('  1..')]
        results = [l for l in lines if l.startswith(('  ok ', '  not ok '))]
        expect_eq((rc, plans, len(results)), (1, ['  1..8'], 8), 'exit status, plan, result lines:')
        cases = {c.name: c for c in ktap.parse(text).cases()}
        expect_eq([(n, c.status) for n, c in cases.items()],
                  [('sample.passes', 'pass'), ('sample.fails', 'fail'), ('sample.skips', 'skip'),
                   ('sample.row_a', 'pass'), ('sample.row_b', 'fail'), ('sample.errors', 'fail'),
                   ('sample.first', 'fail'), ('sample.second', 'fail')], 'cases:')
        expect_eq(lines[-1], 'not ok 1 sample', 'the suite\'s line:')
        expect_eq(cases['sample.fails'].diagnostics[-2:], ['one and two: expected 2, got 1', 'fails: 0.0s'],
                  'a failed check says what it expected:')
        expect('  ok 3 skips # SKIP not today' in lines, f'no SKIP line with its reason:\n{text}')
        expect(any("KeyError: 'nope'" in d for d in cases['sample.errors'].diagnostics), 'no traceback of the error')
        expect(any('setUpClass failed' in d and 'no such workdir' in d for d in cases['sample.second'].diagnostics),
               f'a broken fixture does not say so in its cases:\n{text}')
        rc, text = run_adapter('--only', 'row_a,passes')
        expect_eq((rc, [c.name for c in ktap.parse(text).cases()]), (0, ['sample.passes', 'sample.row_a']),
                  '--only row_a,passes:')

def main():
    with open(IMAGE, 'wb') as f:
        f.write(b'\0' * 64)
    return ktap_unittest.main('tools', ToolsTests, cleanup=lambda: shutil.rmtree(TMP, ignore_errors=True))


if __name__ == '__main__':
    sys.exit(main())
