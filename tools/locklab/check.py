# The `make check` orchestrator: runs host and QEMU test steps, prints a block per step and one closing tally.
"""Usage (one --host/--boot per step, run and reported in the order given):

  python3 tests/check.py --logdir build/test-logs -j 2 \\
      --host string='build/host/test_string' \\
      --boot smp4='--image build/locklab.bin --cpus 4 --expect cpus_online=4'

or the steps of a test plan (tests/plan.toml, read by check_plan.py), as make check runs it:

  python3 tests/check.py --plan tests/plan.toml --set CHECK_DIR=build/check [--only 'lock_*,smp1'] \
      [-j 1 --shared-jobs 2]      # share_host steps two at a time, the others alone
  python3 tests/check.py --plan tests/plan.toml --list        # the expanded steps, one a line
  python3 tests/check.py --plan tests/plan.toml --variants    # the lock variants make check builds

The very last line is always `N passed, N failed` over all leaf cases of all
steps (skipped cases count in neither); the exit status is 1 if N failed > 0.
"""
import argparse
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from . import ktap
from . import SCRIPTS
from . import check_plan

QEMU_RUN = os.path.join(SCRIPTS, 'qemu-run')
MAX_LISTED = 10     # failing cases listed per step; the rest are in the log


@dataclass
class Step:
    kind: str           # 'host' or 'boot'
    name: str
    argv: list          # the host command, or qemu-run's arguments
    share_host: bool = False    # the plan's share_host: may run beside other such steps


@dataclass
class Result:
    step: Step
    cases: list = field(default_factory=list)
    seconds: float = 0.0
    logs: list = field(default_factory=list)

    def count(self, status):
        return sum(c.status == status for c in self.cases)


class _StepAction(argparse.Action):
    """Collects --host and --boot into one list so their order is kept."""
    def __call__(self, parser, namespace, value, option_string=None):
        name, sep, spec = value.partition('=')
        if not sep or not re.fullmatch(r'[A-Za-z0-9_.+-]+', name):
            parser.error(f'{option_string} wants NAME=..., with NAME made of letters, digits, '
                         f'"_.+-" (it names the log files); got {value!r}')
        try:
            argv = shlex.split(spec)
        except ValueError as err:
            parser.error(f'{option_string} {name}: cannot split {spec!r}: {err}')
        steps = getattr(namespace, 'steps', None) or []
        if any(s.name == name for s in steps):
            parser.error(f'step name {name!r} used twice')
        steps.append(Step(self.const, name, argv))
        namespace.steps = steps


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog='check.py', description='Run test steps that print KTAP and tally their leaf cases. '
        'The last line printed is "N passed, N failed"; exit status 1 if any case failed.')
    p.add_argument('--host', action=_StepAction, const='host', metavar='NAME=COMMAND',
                   help='run COMMAND (shell-split, no shell) which prints KTAP on stdout')
    p.add_argument('--boot', action=_StepAction, const='boot', metavar='NAME=ARGS',
                   help='run scripts/qemu-run ARGS --log LOGDIR/NAME.log')
    p.add_argument('--logdir', default='build/test-logs', metavar='DIR',
                   help="each step's output goes to DIR/NAME.out (default build/test-logs)")
    p.add_argument('-j', dest='jobs', type=int, default=1, metavar='N',
                   help='run up to N steps at once (default 1); results still print in order')
    p.add_argument('--shared-jobs', type=int, default=None, metavar='N',
                   help="run up to N of the plan's share_host steps at once, never beside a "
                        "step without it (default: -j's N)")
    p.add_argument('--step-timeout', type=float, default=1200, metavar='SEC',
                   help='kill a step that runs longer than this (default 1200; boots have '
                        "qemu-run's own --timeout)")
    p.add_argument('--plan', metavar='FILE',
                   help='run the steps of a test plan (tests/plan.toml) instead of --host/--boot')
    p.add_argument('--set', dest='settings', action='append', default=[], metavar='NAME=VALUE',
                   help="set one of the plan's variables (its [set] table lists them)")
    p.add_argument('--only', metavar='PATTERN',
                   help='run only the steps whose names match a comma-separated glob (e.g. "lock_*,smp1")')
    p.add_argument('--list', action='store_true', help='print the steps (kind, name, argv) and run nothing')
    p.add_argument('--variants', action='store_true',
                   help="print the plan's lock variants, one a line (the images make check builds)")
    p.set_defaults(steps=[])
    args = p.parse_args(argv)
    if args.plan and args.steps:
        p.error('give --plan or --host/--boot steps, not both')
    if (args.settings or args.variants) and not args.plan:
        p.error('--set and --variants read a plan: give --plan FILE')
    if args.plan:
        try:
            plan = check_plan.Plan(args.plan, args.settings)
            if args.variants:
                args.variant_names = [v['name'] for v in plan.variants()]
                return args
            args.steps = [Step(s.kind, s.name, s.argv, s.share_host) for s in plan.steps()]
        except check_plan.PlanError as err:
            p.exit(2, f'check.py: {err}\n')
    if not args.steps:
        p.error('no steps: give at least one --host or --boot, or --plan FILE')
    if args.only is not None:
        try:
            args.steps = check_plan.select(args.steps, args.only)
        except check_plan.PlanError as err:
            p.exit(2, f'check.py: {err}\n')
    if args.shared_jobs is None:
        args.shared_jobs = args.jobs
    if args.jobs < 1 or args.shared_jobs < 1:
        p.error('-j and --shared-jobs want a positive number')
    return args


def list_steps(steps):
    """One line a step: its kind, name and argv as a shell would read it."""
    width = max(len(s.name) for s in steps)
    for s in steps:
        print(f'{s.kind:<4} {s.name:<{width}}  {shlex.join(s.argv)}')


_live = set()               # running step processes, killed on Ctrl-C
_live_lock = threading.Lock()


def _signal(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _stop(proc):
    """SIGTERM first: qemu-run then kills its QEMU, which runs in a process group of its own."""
    _signal(proc, signal.SIGTERM)
    try:
        return proc.communicate(timeout=5)[0]
    except subprocess.TimeoutExpired:
        _signal(proc, signal.SIGKILL)
        return proc.communicate()[0]


def run_step(step, logdir, timeout):
    out_path = os.path.join(logdir, step.name + '.out')
    result = Result(step, logs=[out_path])
    if step.kind == 'host':
        argv = step.argv
    else:
        log_path = os.path.join(logdir, step.name + '.log')
        argv = [sys.executable, QEMU_RUN] + step.argv + ['--log', log_path]
        result.logs.append(log_path)
    start = time.monotonic()
    timed_out, rc, data = False, None, b''
    try:
        # Own process group: a timed-out step is killed with everything it started.
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
    except (OSError, ValueError) as err:
        data = f'check.py: cannot run {argv!r}: {err}\n'.encode()
    else:
        with _live_lock:
            _live.add(proc)
        try:
            data, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            data = _stop(proc)
        finally:
            with _live_lock:
                _live.discard(proc)
        rc = proc.returncode
    result.seconds = time.monotonic() - start
    with open(out_path, 'wb') as f:
        f.write(data)
    result.cases = judge(step, data, rc, timed_out, timeout)
    return result


def judge(step, data, rc, timed_out, timeout):
    """Leaf cases of a step, plus one failure named after the step if it misbehaved."""
    report = ktap.parse(data)
    docs = report.documents
    if step.kind == 'boot':
        docs = docs[-1:]    # with --echo the guest's own KTAP comes first; the summary is last
    cases = report.cases(docs)
    fail = ktap.Case(step.name, 'fail')
    if rc is None:
        fail.reason = 'could not be started (see log)'
    elif timed_out:
        fail.reason = f'killed after --step-timeout {timeout:g}s'
    elif not docs:
        fail.reason = f'no KTAP output (exit status {rc})'
    elif rc != 0 and not any(c.status == 'fail' for c in cases):
        fail.reason = f'exit status {rc} although every case passed'
    if fail.reason:
        cases.append(fail)
    return cases


def _why(case):
    text = case.reason or next((d for d in case.diagnostics if d), '')
    text = ' '.join(text.split())
    return text if len(text) <= 150 else text[:147] + '...'


def print_result(res, width):
    passed, failed, skipped = res.count('pass'), res.count('fail'), res.count('skip')
    counts = f'{passed} passed, {failed} failed' + (f', {skipped} skipped' if skipped else '')
    print(f'{"FAIL" if failed else "ok  "} {res.step.name:<{width}}  {counts}  ({res.seconds:.1f}s)')
    if failed:
        bad = [c for c in res.cases if c.status == 'fail']
        for c in bad[:MAX_LISTED]:
            why = _why(c)
            print(f'       not ok {c.name}' + (f': {why}' if why else ''))
        if len(bad) > MAX_LISTED:
            print(f'       ... and {len(bad) - MAX_LISTED} more')
        print('       log: ' + ', '.join(p for p in res.logs if os.path.exists(p)))
    sys.stdout.flush()


def main(argv):
    args = parse_args(argv)
    if args.variants:
        print('\n'.join(args.variant_names))
        return 0
    if args.list:
        try:
            list_steps(args.steps)
            sys.stdout.flush()
        except BrokenPipeError:     # make check-plan | head: the reader has all it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    os.makedirs(args.logdir, exist_ok=True)
    width = max(len(s.name) for s in args.steps)
    tally = {'pass': 0, 'fail': 0, 'printed': 0}
    pool = ThreadPoolExecutor(max_workers=max(args.jobs, args.shared_jobs))
    futures = []

    def print_done(block):
        """Print the finished results in the order given, whatever order they finish in."""
        while tally['printed'] < len(futures) and (block or futures[tally['printed']].done()):
            res = futures[tally['printed']].result()
            print_result(res, width)
            tally['pass'] += res.count('pass')
            tally['fail'] += res.count('fail')
            tally['printed'] += 1

    try:
        running = []
        for step in args.steps:
            # A step starts beside running ones only if all of them share the host as it does
            # (share_host: one core each, nothing judged by the clock), and within its limit.
            limit = args.shared_jobs if step.share_host else args.jobs
            while running and (len(running) >= limit or any(shared != step.share_host for _, shared in running)):
                wait([f for f, _ in running], return_when=FIRST_COMPLETED)
                running = [(f, shared) for f, shared in running if not f.done()]
                print_done(False)
            fut = pool.submit(run_step, step, args.logdir, args.step_timeout)
            futures.append(fut)
            running.append((fut, step.share_host))
        print_done(True)
    except KeyboardInterrupt:
        for fut in futures:
            fut.cancel()
        with _live_lock:
            live = list(_live)
        for proc in live:
            _signal(proc, signal.SIGTERM)
        time.sleep(1)
        for proc in live:
            _signal(proc, signal.SIGKILL)
        print('check.py: interrupted', file=sys.stderr)
        return 130
    finally:
        pool.shutdown(wait=True)
    print(f'{tally["pass"]} passed, {tally["fail"]} failed', flush=True)
    return 1 if tally['fail'] else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
