#!/usr/bin/env python3
# Self-tests of tests/ktap.py, scripts/qemu-run and tests/check.py using synthetic logs and fake QEMU programs.
"""Run: python3 tests/test_tools.py   (prints KTAP v1; exit status 1 if a test fails)"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.realpath(__file__))
QEMU_RUN = os.path.join(os.path.dirname(HERE), 'scripts', 'qemu-run')
CHECK = os.path.join(HERE, 'check.py')
sys.path.insert(0, HERE)
import ktap  # noqa: E402

TESTS = []
TMP = tempfile.mkdtemp(prefix='locklab-tools-')
IMAGE = os.path.join(TMP, 'kernel.bin')
BOOT = ('boot: board=qemu-virt entry_el=1 el=1 mmu=on dcache=on icache=on psci=hvc gic=v2 '
        'cpus_possible=4 cpus_online=4 cntfrq=62500000\n')
PASS = 'shutdown: status=pass passed=3 failed=0\n'


def test(fn):
    TESTS.append(fn)
    return fn


class Failed(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Failed(what)


def expect_eq(got, want, what=''):
    if got != want:
        raise Failed(f'{what} expected {want!r}, got {got!r}'.strip())


# ---- synthetic guest logs -------------------------------------------------------------

def suite(name, results, number=1, stop_before=None):
    """A subtest block; results maps case -> 'ok' / 'not ok' / 'ok # SKIP why'.
    With stop_before, the block stops right after that case's start line."""
    out = f'  KTAP version 1\n  # Subtest: {name}\n  1..{len(results)}\n'
    for i, (case, res) in enumerate(results.items(), 1):
        out += f'  # ktest: start {name}.{case}\n[    0.{i:06d}] c{i % 4}: running {case}\n'
        if case == stop_before:
            return out
        word, _, directive = res.partition(' # ')
        out += f'  {word} {i} {case}' + (f' # {directive}' if directive else '') + '\n'
    failed = any(r.startswith('not ok') for r in results.values())
    return out + f'{"not ok" if failed else "ok"} {number} {name}\n'


def guest(*suites, boot=BOOT, end=PASS):
    return ('[    0.000000] c0: locklab booting\n' + boot +
            f'KTAP version 1\n1..{len(suites)}\n' + ''.join(suites) + end)


GOOD = guest(suite('boot', {'cpus_online': 'ok', 'mmu': 'ok'}),
             suite('locks', {'spin_basic': 'ok', 'spin_contended': 'ok'}, 2))


def by_name(cases):
    return {c.name: c for c in cases}


# ---- fake QEMU and tool runners -------------------------------------------------------

FAKE_BODY = r'''
import json, os, subprocess, sys, time
here = os.path.dirname(os.path.abspath(__file__))
json.dump(sys.argv[1:], open(os.path.join(here, 'argv.json'), 'w'))
spec = json.load(open(os.path.join(here, 'spec.json')))
printed = ''
for item in spec['script']:
    if isinstance(item, str):
        printed += item
        sys.stdout.buffer.write(item.encode('latin-1'))
        sys.stdout.flush()
    elif isinstance(item, dict):        # a child that must die with us
        child = subprocess.Popen(['sleep', str(item['child'])])
        open(os.path.join(here, 'child.pid'), 'w').write(str(child.pid))
    else:
        time.sleep(item)
code = spec['code']
if code is None:                        # what semihosting would report
    code = 0 if 'shutdown: status=pass' in printed else 1
sys.exit(code)
'''


def fake_qemu(script, code=None):
    """Writes a fake qemu-system-aarch64 that prints/sleeps per script; returns its dir."""
    d = tempfile.mkdtemp(dir=TMP)
    if isinstance(script, str):
        script = [script]
    json.dump({'script': script, 'code': code}, open(os.path.join(d, 'spec.json'), 'w'))
    with open(os.path.join(d, 'qemu'), 'w') as f:
        f.write(f'#!{sys.executable}\n{FAKE_BODY}')
    os.chmod(os.path.join(d, 'qemu'), 0o755)
    return d


def qemu_run(fake_dir, *args, image=IMAGE):
    """Runs scripts/qemu-run against a fake; returns (exit status, stdout, cases by name, s)."""
    start = time.monotonic()
    p = subprocess.run([sys.executable, QEMU_RUN, '--image', image, '--quiet',
                        '--qemu', os.path.join(fake_dir, 'qemu'), *args],
                       capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - start
    return p.returncode, p.stdout + p.stderr, by_name(ktap.parse(p.stdout).cases()), elapsed


def check(*args):
    p = subprocess.run([sys.executable, CHECK, *args], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout.rstrip('\n').split('\n'), p.stderr


def script_file(body):
    """A host 'test binary': a python script; returns a command line for --host."""
    fd, path = tempfile.mkstemp(suffix='.py', dir=TMP)
    os.write(fd, body.encode())
    os.close(fd)
    return f'{sys.executable} {path}'


# ---- ktap.py ----------------------------------------------------------------------------

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
NESTED_CASES = [('locks.spin.basic', 'pass'), ('locks.spin.contended', 'pass'),
                ('locks.mutex_basic', 'pass'), ('gic.v3_only', 'skip')]


@test
def parser_clean_nested_document():
    cases = ktap.parse(NESTED).cases()
    expect_eq([(c.name, c.status) for c in cases], NESTED_CASES)
    expect_eq(by_name(cases)['gic.v3_only'].reason, 'needs gic=v3', 'skip reason')


@test
def parser_ignores_interleaved_noise():
    noisy = b''
    for i, line in enumerate(NESTED.splitlines()):
        noisy += f'[    0.{i:06d}] c{i % 4}: ok 9 printk text\r\n'.encode()
        if i % 3 == 0:
            noisy += b'\x00\xff\xfe\x1b[0mgarbage ok 7 x\r\n'
        noisy += (b'\x00\x1b[1m' if i % 5 == 0 else b'') + line.encode() + b'\r\n'
    noisy += b'qemu-system-aarch64: warning: noise\n'
    expect_eq([(c.name, c.status) for c in ktap.parse(noisy).cases()], NESTED_CASES)


@test
def parser_skip_and_reasons():
    text = 'KTAP version 1\n1..4\nok 1 a # SKIP no smp\nnot ok 2 b # SKIP\nnot ok 3 c # timeout\nok 4 d\n'
    got = [(c.name, c.status, c.reason) for c in ktap.parse(text).cases()]
    expect_eq(got, [('a', 'skip', 'no smp'), ('b', 'skip', ''), ('c', 'fail', 'timeout'),
                    ('d', 'pass', '')])


@test
def parser_attaches_failure_diagnostics():
    # The shape tests/host/htest.h prints: diagnostics come before the result.
    text = ('KTAP version 1\n1..1\n  KTAP version 1\n  # Subtest: string\n  1..2\n  ok 1 test_a\n'
            '  # string.c:9: expected a == b (1 == 2)\n  not ok 2 test_b\nnot ok 1 string\n')
    fails = [c for c in ktap.parse(text).cases() if c.status == 'fail']
    expect_eq([c.name for c in fails], ['string.test_b'], 'one failure, suite not counted twice:')
    expect_eq(fails[0].diagnostics, ['string.c:9: expected a == b (1 == 2)'])


@test
def parser_suite_not_ok_without_failing_case():
    text = 'KTAP version 1\n1..1\n  KTAP version 1\n  1..1\n  ok 1 x\nnot ok 1 s # init failed\n'
    fails = [(c.name, c.reason) for c in ktap.parse(text).cases() if c.status == 'fail']
    expect_eq(fails, [('s', 'init failed')])


@test
def parser_truncated_document_and_started_case():
    report = ktap.parse('KTAP version 1\n1..1\n' +
                        suite('locks', {'a': 'ok', 'b': 'ok', 'c': 'ok'}, stop_before='b'))
    expect_eq(report.in_progress, 'locks.b', 'in_progress')
    expect_eq(report.last_started, 'locks.b', 'last_started')
    got = [(c.name, c.status, c.origin) for c in report.cases()]
    expect(('locks.a', 'pass', 'result') in got and ('locks', 'fail', 'incomplete') in got, got)
    done = ktap.parse('KTAP version 1\n1..1\n' + suite('locks', {'a': 'ok'}))
    expect_eq((done.in_progress, done.last_started), (None, 'locks.a'))


@test
def parser_plan_mismatch_is_a_failure():
    cases = ktap.parse('KTAP version 1\n1..3\nok 1 a\nok 2 b\n').cases()
    expect_eq([(c.name, c.status) for c in cases][-1], ('(top-level plan)', 'fail'))


@test
def parser_two_documents_and_old_subtest_order():
    text = ('KTAP version 1\n1..1\n  # Subtest: s\n  KTAP version 1\n  1..1\n  ok 1 x\nok 1 s\n'
            'noise\nKTAP version 1\n1..1\nnot ok 1 y\n')
    report = ktap.parse(text)
    expect_eq(len(report.documents), 2, 'documents')
    expect_eq([(c.name, c.status) for c in report.cases()], [('s.x', 'pass'), ('y', 'fail')])


@test
def emit_round_trips_through_parser():
    cases = [ktap.Case('a.b', 'pass'), ktap.Case('odd#name', 'fail', 'why', ['d1', 'd2']),
             ktap.Case('c', 'skip', 'later'), ktap.Case('d', 'fail', 'skipped a lock')]
    out = tempfile.TemporaryFile('w+')
    ktap.emit(cases, ['comment'], out)
    out.seek(0)
    back = ktap.parse(out.read()).cases()
    expect_eq([(c.name, c.status) for c in back], [(c.name, c.status) for c in cases])
    expect_eq(back[1].diagnostics, ['d1', 'd2'])


# ---- scripts/qemu-run -------------------------------------------------------------------

@test
def qemu_run_passes_and_builds_command_line():
    fake = fake_qemu(GOOD.replace('\n', '\r\n'))
    rc, out, cases, _ = qemu_run(fake)
    expect_eq(rc, 0, 'exit status')
    expect_eq(list(cases), ['boot.cpus_online', 'boot.mmu', 'locks.spin_basic',
                            'locks.spin_contended', 'boot_record', 'no_panic', 'clean_shutdown'])
    expect(all(c.status == 'pass' for c in cases.values()), out)
    argv = json.load(open(os.path.join(fake, 'argv.json')))
    expect_eq(argv, ['-M', 'virt', '-cpu', 'cortex-a76', '-smp', '4', '-m', '512M', '-nographic',
                     '-no-reboot', '-kernel', IMAGE, '-append', 'semihost=1',
                     '-semihosting-config', 'enable=on,target=native'])


@test
def qemu_run_passes_options_to_qemu():
    fake = fake_qemu(GOOD)
    qemu_run(fake, '--cpus', '8', '--gic', '3', '--el2', '--mem', '1G', '--bootargs', 'log=7 x=1')
    argv = json.load(open(os.path.join(fake, 'argv.json')))
    expect_eq(argv[:8], ['-M', 'virt,gic-version=3,virtualization=on', '-cpu', 'cortex-a76',
                         '-smp', '8', '-m', '1G'])
    expect_eq(argv[argv.index('-append') + 1], 'log=7 x=1 semihost=1')


@test
def qemu_run_fails_on_not_ok_leaf():
    log = guest(suite('locks', {'spin_basic': 'not ok', 'spin_contended': 'ok'}),
                end='shutdown: status=fail passed=1 failed=1\n')
    rc, out, cases, _ = qemu_run(fake_qemu(log))
    expect_eq(rc, 1, 'exit status')
    expect('not ok 1 locks.spin_basic' in out, out)
    expect_eq(cases['clean_shutdown'].status, 'pass', 'explained status=fail:')


@test
def qemu_run_kills_hang_and_names_case():
    head = guest(suite('boot', {'cpus_online': 'ok'}),
                 suite('locks', {'spin_basic': 'ok', 'spin_contended': 'ok'}, 2,
                       stop_before='spin_contended'), end='')
    fake = fake_qemu([head, {'child': 60}, 60])
    rc, out, cases, elapsed = qemu_run(fake, '--timeout', '2')
    expect(rc == 1 and elapsed < 10, f'rc={rc} elapsed={elapsed:.1f}')
    why = cases['clean_shutdown'].reason
    expect(why.startswith('hung: no shutdown after 2s; last case started: '
                          'locks.spin_contended; last line: '), why)
    expect_eq(cases['locks.spin_contended'].status, 'fail', 'hung case')
    expect_eq(cases['boot.cpus_online'].status, 'pass', 'earlier case')
    pid = open(os.path.join(fake, 'child.pid')).read()
    time.sleep(0.2)
    try:
        state = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[0]
    except OSError:
        state = 'gone'
    expect(state in ('gone', 'Z', 'X'), f"QEMU's child still running (state {state})")


@test
def qemu_run_hang_during_boot():
    rc, _, cases, _ = qemu_run(fake_qemu(['[    0.0] c0: early\n', 30]), '--timeout', '1')
    expect_eq(rc, 1, 'exit status')
    expect('last case started: none (during boot); last line: [    0.0] c0: early'
           in cases['clean_shutdown'].reason, cases['clean_shutdown'].reason)


@test
def qemu_run_reports_panic():
    log = guest(suite('locks', {'spin_basic': 'ok', 'recursion': 'ok'}, stop_before='recursion'),
                end='panic: cpu=2 spinlock recursion on lock@0x40081000\n  x0: 0000000000000000\n'
                    'shutdown: status=fail reason=panic\n')
    rc, out, cases, _ = qemu_run(fake_qemu(log))
    expect_eq(rc, 1, 'exit status')
    expect_eq(cases['no_panic'].reason,
              'panic: cpu=2 spinlock recursion on lock@0x40081000 (during locks.recursion)')
    expect_eq(cases['locks.recursion'].status, 'fail', 'interrupted case')


@test
def qemu_run_crash_without_shutdown_line():
    for code in (0, 3):
        rc, _, cases, _ = qemu_run(fake_qemu(GOOD.replace(PASS, ''), code=code))
        expect_eq(rc, 1, 'exit status')
        expect_eq(cases['clean_shutdown'].reason,
                  f'guest exited without a shutdown line (code {code})')


@test
def qemu_run_expect_mismatch_fails():
    fake = fake_qemu(GOOD.replace('cpus_online=4', 'cpus_online=3'))
    rc, out, cases, _ = qemu_run(fake, '--expect', 'cpus_online=4', '--expect', 'gic=v2')
    expect_eq(rc, 1, 'exit status')
    expect_eq(cases['boot_record'].reason, 'expected cpus_online=4, got cpus_online=3')
    rc, _, cases, _ = qemu_run(fake_qemu(GOOD), '--expect', 'gic=v2', '--expect', 'smt=on')
    expect_eq((rc, cases['boot_record'].reason), (1, 'expected smt=on, got no smt'))
    rc, _, _, _ = qemu_run(fake_qemu(GOOD), '--expect', 'gic=v2', '--expect', 'psci=hvc')
    expect_eq(rc, 0, 'matching expects:')


@test
def qemu_run_missing_boot_record_fails():
    rc, _, cases, _ = qemu_run(fake_qemu(GOOD.replace(BOOT, '')))
    expect_eq((rc, cases['boot_record'].status), (1, 'fail'))


@test
def qemu_run_semihosting_exit_code_must_agree():
    rc, _, cases, _ = qemu_run(fake_qemu(GOOD, code=1))
    expect_eq(rc, 1, 'status=pass with exit 1:')
    expect('status=pass but QEMU exit code 1' in cases['clean_shutdown'].reason, cases)
    rc, _, _, _ = qemu_run(fake_qemu(GOOD.replace('status=pass', 'status=fail'), code=0))
    expect_eq(rc, 1, 'status=fail with exit 0:')


@test
def qemu_run_shutdown_without_poweroff():
    rc, _, cases, elapsed = qemu_run(fake_qemu([GOOD, 30]), '--timeout', '2')
    expect(rc == 1 and elapsed < 10, f'rc={rc} elapsed={elapsed:.1f}')
    expect('did not exit' in cases['clean_shutdown'].reason, cases['clean_shutdown'].reason)


@test
def qemu_run_requires_guest_ktap():
    rc, _, cases, _ = qemu_run(fake_qemu(BOOT + PASS))
    expect_eq((rc, cases['guest_ktap'].status), (1, 'fail'))


@test
def qemu_run_missing_qemu_points_at_deps():
    p = subprocess.run([sys.executable, QEMU_RUN, '--image', IMAGE, '--qemu',
                        os.path.join(TMP, 'no-such-qemu')], capture_output=True, text=True,
                       timeout=30)
    expect_eq(p.returncode, 2, 'exit status')
    expect('scripts/deps.sh' in p.stderr, p.stderr)
    expect_eq([c.status for c in ktap.parse(p.stdout).cases()], ['fail'])


@test
def qemu_run_writes_raw_log_and_json():
    raw = GOOD.replace('\n', '\r\n') + '\xff'
    log, js = os.path.join(TMP, 'sub', 'serial.log'), os.path.join(TMP, 'cases.json')
    rc, _, cases, _ = qemu_run(fake_qemu(raw), '--log', log, '--ktap-out', js)
    expect_eq(open(log, 'rb').read(), raw.encode('latin-1'), 'raw log')
    rows = [json.loads(line) for line in open(js)]
    expect_eq([r['name'] for r in rows], list(cases))


@test
def qemu_run_help_lists_options():
    p = subprocess.run([sys.executable, QEMU_RUN, '--help'], capture_output=True, text=True,
                       timeout=30)
    expect_eq(p.returncode, 0, 'exit status')
    for opt in ('--image', '--cpus', '--gic', '--el2', '--mem', '--bootargs', '--timeout', '--log',
                '--expect', '--quiet', '--echo', '--qemu', '--ktap-out'):
        expect(opt in p.stdout, f'{opt} missing from --help')


# ---- tests/check.py ---------------------------------------------------------------------

HOST_OK = "print('KTAP version 1\\n1..3\\nok 1 a\\nok 2 b\\nok 3 c # SKIP later')"
HOST_FAIL = "print('KTAP version 1\\n1..2\\nok 1 a\\n# x.c:3: boom\\nnot ok 2 b'); exit(1)"
HOST_CRASH = "print('Segmentation fault'); exit(3)"
HOST_BADEXIT = "print('KTAP version 1\\n1..1\\nok 1 a'); exit(1)"


@test
def check_counts_mixed_steps():
    logdir = os.path.join(TMP, 'logs-mixed')
    fake = os.path.join(fake_qemu(GOOD), 'qemu')
    rc, lines, _ = check('--logdir', logdir, '--host', 'ok=' + script_file(HOST_OK),
                         '--host', 'fail=' + script_file(HOST_FAIL),
                         '--host', 'crash=' + script_file(HOST_CRASH),
                         '--host', 'badexit=' + script_file(HOST_BADEXIT),
                         '--boot', f'smp4=--image {IMAGE} --qemu {fake} --echo')
    # passed: 2 + 1 + 0 + 1 + (4 guest cases + 3 run checks); the skip counts in neither.
    expect_eq(lines[-1], '11 passed, 3 failed', 'closing line')
    expect_eq(rc, 1, 'exit status')
    text = '\n'.join(lines)
    for want in ('not ok b: x.c:3: boom', 'not ok crash: no KTAP output (exit status 3)',
                 'not ok badexit: exit status 1 although every case passed',
                 f'log: {logdir}/fail.out'):
        expect(want in text, f'{want!r} not in output:\n{text}')
    for name in ('ok.out', 'smp4.out', 'smp4.log'):
        expect(os.path.exists(os.path.join(logdir, name)), f'{name} missing')


@test
def check_all_pass_exits_zero():
    fake = os.path.join(fake_qemu(GOOD), 'qemu')
    rc, lines, _ = check('--logdir', os.path.join(TMP, 'logs-pass'),
                         '--host', 'ok=' + script_file(HOST_OK),
                         '--boot', f'b=--image {IMAGE} --qemu {fake}')
    expect_eq((rc, lines[-1]), (0, '9 passed, 0 failed'))


@test
def check_failing_boot_is_counted():
    fake = os.path.join(fake_qemu(GOOD.replace('cpus_online=4', 'cpus_online=3')), 'qemu')
    rc, lines, _ = check('--logdir', os.path.join(TMP, 'logs-boot'),
                         '--boot', f'b=--image {IMAGE} --qemu {fake} --expect cpus_online=4')
    expect_eq((rc, lines[-1]), (1, '6 passed, 1 failed'))
    expect(any('not ok boot_record: expected cpus_online=4' in l for l in lines), lines)


@test
def check_parallel_keeps_order():
    stamp = os.path.join(TMP, 'stamps')
    os.makedirs(stamp)
    body = ("import sys, time, os; open(os.path.join({d!r}, sys.argv[1] + '.start'), 'w'); "
            "time.sleep(float(sys.argv[1])); "
            "print('KTAP version 1\\n1..1\\nok 1 t'); open(os.path.join({d!r}, sys.argv[1]), 'w')")
    cmd = script_file(body.format(d=stamp))
    rc, lines, _ = check('--logdir', os.path.join(TMP, 'logs-j'), '-j', '3',
                         '--host', f'slow={cmd} 1.5', '--host', f'mid={cmd} 0.5',
                         '--host', f'fast={cmd} 0')
    expect_eq([l.split()[1] for l in lines], ['slow', 'mid', 'fast', 'passed,'], 'order')
    expect_eq(rc, 0, 'exit status')
    fast_start = os.path.getmtime(os.path.join(stamp, '0.start'))
    expect(fast_start < os.path.getmtime(os.path.join(stamp, '1.5')), 'steps did not overlap')


@test
def check_step_timeout_and_usage():
    start = time.monotonic()
    rc, lines, _ = check('--logdir', os.path.join(TMP, 'logs-t'), '--step-timeout', '1',
                         '--host', 'sleepy=' + script_file('import time; time.sleep(60)'))
    expect(rc == 1 and time.monotonic() - start < 20, f'rc={rc}')
    expect_eq(lines[-1], '0 passed, 1 failed', 'closing line')
    expect(any('not ok sleepy: killed after --step-timeout 1s' in l for l in lines), lines)
    rc, _, err = check('--logdir', os.path.join(TMP, 'logs-u'))
    expect(rc == 2 and 'no steps' in err, f'rc={rc} {err}')


def main():
    open(IMAGE, 'wb').write(b'\0' * 64)
    print(f'KTAP version 1\n1..1\n  KTAP version 1\n  # Subtest: tools\n  1..{len(TESTS)}')
    failed = 0
    for i, fn in enumerate(TESTS, 1):
        print(f'  # ktest: start tools.{fn.__name__}', flush=True)
        try:
            fn()
            print(f'  ok {i} {fn.__name__}', flush=True)
        except Exception as err:    # any error is a failed test, never a crash of the suite
            failed += 1
            detail = str(err) if isinstance(err, Failed) else traceback.format_exc()
            for line in detail.strip().splitlines()[-15:]:
                print(f'  # {line}')
            print(f'  not ok {i} {fn.__name__}', flush=True)
    print(f'{"not ok" if failed else "ok"} 1 tools')
    shutil.rmtree(TMP, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
