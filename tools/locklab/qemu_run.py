# Boots one locklab kernel image in QEMU under a hard timeout, judges the run and prints a KTAP summary.
"""See docs/testing.md for the guest protocol this script relies on."""
import argparse
import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Optional

from . import ktap
from .textfile import read_text

# After the guest prints its shutdown line it should power off at once; if it
# does not, waiting out the whole --timeout would only slow the suite down.
POWEROFF_GRACE_S = 10
# Records start a line, raw or after a printk prefix; anchoring them keeps a
# test's diagnostic that merely quotes "panic: cpu=1" from counting as one.
LINE_START = r'^\s*(?:\[[^\]]*\]\s*c\d+:\s*)?'
BOOT_RE = re.compile(LINE_START + r'boot:\s+(\S+=.*)$')
PANIC_RE = re.compile(LINE_START + r'panic: cpu=(\d+)\s*(.*)$')
SHUTDOWN_RE = re.compile(LINE_START + r'shutdown: status=(pass|fail)\b(.*)$')
SHUTDOWN_BYTES = re.compile(rb'(?m)^[\x00-\x20\x7f-\xff]*(?:\[[^\]\n]*\]\s*c\d+:\s*)?'
                            rb'shutdown: status=(?:pass|fail)')


def add_output_options(p: argparse.ArgumentParser) -> None:
    """What a judged boot writes besides its summary: the serial log, the host's conditions, the echo."""
    p.add_argument('--log', metavar='FILE', help='write the raw serial output here as it arrives')
    p.add_argument('--host-log', metavar='FILE',
                   help="write the host's conditions during each benchmark run here (host: records, "
                        'docs/output-format.md): vCPU threads\' wait for a host core, steal, load')
    p.add_argument('--expect', action='append', default=[], metavar='KEY=VALUE',
                   help='require KEY=VALUE in the guest\'s "boot:" record (repeatable), e.g. gic=v3')
    echo = p.add_mutually_exclusive_group()
    echo.add_argument('--quiet', dest='echo', action='store_false', default=None,
                      help='do not echo the serial console (default when stdout is not a terminal)')
    echo.add_argument('--echo', dest='echo', action='store_true',
                      help='echo the serial console to stdout live and print the QEMU command line '
                           '(default when stdout is a terminal)')


def add_mode_options(p: argparse.ArgumentParser) -> None:
    """The runs that are not judged: an interactive QEMU, one under gdb, a device tree dump."""
    # These share qemu_command() with the judged boot, so `make qemu`,
    # `make gdb`, the FDT tests' device trees and `make check` use one QEMU command line.
    mode = p.add_mutually_exclusive_group()
    mode.add_argument('--exec', action='store_true',
                      help='interactive (make qemu): print the command line, then become QEMU: '
                           'no timeout, no summary, Ctrl-a x quits; the exit status is the '
                           'guest\'s (semihosting: 0 pass, 1 fail; 0 with --no-semihost), and 0 after Ctrl-a x '
                           '(QEMU: Terminated), whatever the guest printed (end=idle: its verdict, then up); input '
                           'from a pipe or file is passed on, then Ctrl-D twice (end of input)')
    mode.add_argument('--gdb', action='store_true',
                      help='as --exec, but halted with a gdb stub on tcp::1234 (make gdb)')
    mode.add_argument('--dump-dtb', metavar='FILE',
                      help='write the device tree QEMU would pass (-M ...,dumpdtb=FILE) and exit; '
                           'no --image needed')


def parse_args(argv: list) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog='qemu-run',
        description='Boot one kernel image in QEMU (virt board, cortex-a76, semihosting exit unless '
                    '--no-semihost), '
                    'kill it after a hard timeout, and print a KTAP v1 summary of the guest\'s '
                    'test cases plus checks of the run itself (boot_record, no_panic, '
                    'clean_shutdown). Exit status: 0 if every check passed, 1 if one failed, '
                    '2 for a usage or setup error (QEMU or the image missing).',
        epilog='Example: scripts/qemu-run --image build/locklab.bin --cpus 2 --gic 3 '
               '--expect gic=v3 --expect cpus_online=2')
    p.add_argument('--image', metavar='PATH', help='kernel image passed to -kernel (required '
                   'unless --dump-dtb)')
    p.add_argument('--cpus', type=int, default=4, metavar='N', help='number of CPUs, -smp N (default 4)')
    p.add_argument('--gic', type=int, choices=(2, 3), default=2, help='GIC version of the virt board (default 2)')
    p.add_argument('--el2', action='store_true',
                   help='add virtualization=on: the kernel is entered at EL2 and PSCI uses SMC')
    p.add_argument('--accel', choices=('multi', 'single'), default='multi',
                   help='TCG threading: multi (one host thread per vCPU, truly parallel; the '
                        'default) or single (all vCPUs round-robin on one thread, switching at '
                        'every yield/wfe: fast and fair for lock tests when vCPUs outnumber '
                        'host cores)')
    p.add_argument('--dtb', metavar='FILE',
                   help='pass this device tree instead of the one QEMU generates (-dtb FILE)')
    p.add_argument('--mem', default='512M', metavar='SIZE', help='guest RAM, -m SIZE (default 512M)')
    p.add_argument('--bootargs', default='', metavar='STR',
                   help='kernel command line; " semihost=1" is appended unless --no-semihost')
    p.add_argument('--no-semihost', dest='semihost', action='store_false',
                   help='boot as on a board: no " semihost=1" and no -semihosting-config, so the guest '
                        'powers off through PSCI SYSTEM_OFF (QEMU exits 0 whether it passed or failed: '
                        'its shutdown line is the verdict) and a semihosting call is an undefined '
                        'instruction, as on a Raspberry Pi 5')
    p.add_argument('--timeout', type=float, default=60, metavar='SEC',
                   help='hard limit for the whole run; QEMU is killed after it (default 60)')
    add_output_options(p)
    p.add_argument('--qemu', default='qemu-system-aarch64', metavar='PATH',
                   help='QEMU binary to run (default qemu-system-aarch64; tests pass a fake)')
    p.add_argument('--serial', choices=('stdio', 'pty'), default='stdio',
                   help='stdio (default): the guest\'s console is judged as above; pty: on a pseudo-terminal '
                        'whose path is printed ("qemu-run: serial on /dev/pts/N"), for a host program that '
                        'talks to the guest (the chain-loader test); QEMU runs until --timeout, nothing is judged')
    p.add_argument('--reboot', action='store_true',
                   help='a guest reset restarts the machine (QEMU reloads -kernel: the chain-loader comes '
                        'back) instead of ending QEMU')
    p.add_argument('--no-ktap', action='store_true',
                   help='the boot runs no self-tests (a benchmark): do not require a KTAP document')
    add_mode_options(p)
    p.add_argument('--ktap-out', metavar='FILE',
                   help='also write the summary cases as JSON lines '
                        '({"name", "status", "reason", "diagnostics"} per case)')
    args = p.parse_args(argv)
    for item in args.expect:
        if not re.match(r'^[^=\s]+=\S*$', item):
            p.error(f'--expect wants KEY=VALUE, got {item!r}')
    if args.cpus < 1 or args.timeout <= 0:
        p.error('--cpus and --timeout must be positive')
    if not args.image and not args.dump_dtb:
        p.error('--image is required (except with --dump-dtb)')
    if args.echo is None:
        args.echo = sys.stdout.isatty()
    return args


def qemu_command(args, qemu):
    """The one QEMU command line of the project: every boot, make qemu/gdb and the DTB dumps."""
    machine = 'virt' + (',gic-version=3' if args.gic == 3 else '') + \
        (',virtualization=on' if args.el2 else '')
    if args.dump_dtb:
        # No kernel: QEMU refuses -append without -kernel, and the tests want the bare board.
        return [qemu, '-M', f'{machine},dumpdtb={args.dump_dtb}', '-cpu', 'cortex-a76',
                '-smp', str(args.cpus), '-m', args.mem, '-nographic', '-nic', 'none']
    append = (args.bootargs + (' semihost=1' if args.semihost else '')).strip()
    # Named threads (-name ...,debug-threads=on: "CPU 0/TCG"...): scripts/bench-run reads each vCPU's host wait time.
    return [qemu, '-M', machine, '-accel', f'tcg,thread={args.accel}', '-cpu', 'cortex-a76', '-smp', str(args.cpus), '-m', args.mem,
            '-nographic', '-nic', 'none'] + ([] if args.reboot else ['-no-reboot']) + \
        (['-serial', 'pty'] if args.serial == 'pty' else []) + ['-kernel', args.image, '-append', append] + \
        (['-semihosting-config', 'enable=on,target=native'] if args.semihost else []) + \
        ['-name', 'locklab,debug-threads=on'] + \
        (['-dtb', args.dtb] if args.dtb else []) + \
        (['-S', '-gdb', 'tcp::1234'] if args.gdb else [])


@dataclass
class Outcome:
    data: bytes             # everything QEMU wrote (stdout and stderr, merged in order)
    code: int               # QEMU's exit status; None when we had to kill it
    hung: bool              # killed at --timeout without a shutdown line
    stuck: bool             # printed a shutdown line but never powered off
    elapsed: float


CLOCK_TICKS = os.sysconf('SC_CLK_TCK') if hasattr(os, 'sysconf') else 100   # /proc/.../stat's unit of time


class HostSampler:
    """The host's conditions around each benchmark run (--host-log): how long each vCPU thread waited
    for a host core and how long it was blocked, neither running nor waiting (/proc/QEMU/task/TID/schedstat;
    QEMU names them "CPU n/TCG" with debug-threads=on), the host's steal time (/proc/stat) and load
    (/proc/loadavg). Sampled by the reader thread as the
    run's bench-start record and its bench record arrive, so measuring costs no polling: the window is
    the run, with its set-up and check. A boot's last run may end with QEMU powering off before its
    records are read (they reach the host in one burst after the exit): the sample taken at the run's
    first lockstat record (printed as the measured window closes) then stands in, or else the last
    one refresh() took while QEMU ran (run_qemu calls it as it waits); with no live sample after the
    run's start at all, the run's wait and window are n/a (bench-extract flags it host_busy)."""
    RUN = re.compile(r'(bench-start|bench|lockstat): workload=(\S+) cpus=(\d+) repeat=(\d+)')

    REFRESH_S = 0.2    # refresh(): at most this often

    def __init__(self, qemu_pid: int, header: str):
        self.qemu, self.threads, self.start, self.early = qemu_pid, None, {}, {}
        self.cpu_of = {}            # vCPU thread -> the guest CPU it runs (None: all of them)
        self.lines = [header]
        self.live = None            # the last snapshot that could read the vCPU threads
        self.refreshed = 0.0
        self.lock = threading.Lock()  # the reader thread records, run_qemu's loop refreshes

    def _find_threads(self) -> None:
        """The vCPU threads, each with the guest CPU it runs (None: single-threaded TCG runs them all)."""
        self.threads, self.cpu_of = [], {}
        try:
            for t in os.listdir(f'/proc/{self.qemu}/task'):
                comm = read_text(f'/proc/{self.qemu}/task/{t}/comm')
                m = re.match(r'CPU (\d+)/', comm)
                if m or comm.startswith('ALL CPUs'):
                    self.threads.append(t)
                    self.cpu_of[t] = int(m.group(1)) if m else None
        except OSError:
            pass

    def _snapshot(self) -> tuple:
        """(monotonic ns, {vCPU thread: (ns on a core, ns waited for one)}, /proc/stat's cpu line); the
        threads are empty once QEMU is gone."""
        if self.threads is None:
            self._find_threads()
        waits = {}
        for t in self.threads:
            try:
                on_cpu, waited = read_text(f'/proc/{self.qemu}/task/{t}/schedstat').split()[:2]
                waits[t] = (int(on_cpu), int(waited), self._system_ns(t))
            except (OSError, ValueError):
                pass
        try:
            cpu = [int(x) for x in read_text('/proc/stat').split('\n', 1)[0].split()[1:]]
        except (OSError, ValueError):
            cpu = []
        snap = (time.monotonic_ns(), waits, cpu)
        if waits:
            self.live = snap
        return snap

    def _system_ns(self, t: str) -> Optional[int]:
        """The thread's time in the host kernel so far (stat's stime, in clock ticks), in ns; None unread."""
        try:
            stat = read_text(f'/proc/{self.qemu}/task/{t}/stat')
            return int(stat[stat.rindex(')') + 2:].split()[12]) * 1_000_000_000 // CLOCK_TICKS
        except (OSError, ValueError, IndexError):
            return None

    def refresh(self) -> None:
        """A live sample while a run is open, for a run whose records arrive after QEMU is gone."""
        now = time.monotonic()
        if now - self.refreshed < self.REFRESH_S:
            return
        self.refreshed = now
        with self.lock:
            if self.start:
                self._snapshot()

    def line(self, text: str) -> None:
        m = self.RUN.match(text)
        if not m:
            return
        kind, key = m.group(1), m.group(2, 3, 4)
        with self.lock:
            if kind == 'bench-start':
                self.start[key], self.early[key] = self._snapshot(), None
            elif kind == 'lockstat':
                if key in self.start and self.early.get(key) is None:
                    self.early[key] = self._snapshot()
            elif key in self.start:
                self.lines.append(self._record(key))

    def _run_end(self, t0: int, early: tuple) -> tuple:
        """The sample that closes a run: now, or while QEMU still ran (None: none after t0)."""
        end = self._snapshot()
        if end[1]:
            return end
        for snap in (early, self.live):
            if snap and snap[1] and snap[0] > t0:
                return snap
        return None

    def _record(self, key: tuple) -> str:
        t0, w0, c0 = self.start.pop(key)
        end = self._run_end(t0, self.early.pop(key, None)) if w0 else None
        fields = {'workload': key[0], 'cpus': key[1], 'repeat': key[2]}
        if end is None:     # QEMU was gone before the run's start was read: the host saw none of it
            fields.update(host_vcpu_wait_pct='n/a', host_vcpu_blocked_pct='n/a', host_vcpu_sys_pct='n/a',
                          host_steal_pct='n/a',
                          host_load1=self._load1(), host_window_ms='n/a')
        else:
            fields.update(self._measures(t0, w0, c0, *end, cpus=int(key[1])))
        return 'host: ' + ' '.join(f'{k}={v}' for k, v in fields.items())

    def _measures(self, t0: int, w0: dict, c0: list, t1: int, w1: dict, c1: list, cpus: int) -> dict:
        wall = max(1, t1 - t0)
        both = [t for t in w0 if t in w1]
        waits = [100 * (w1[t][1] - w0[t][1]) / wall for t in both]
        # Blocked: neither on a core nor waiting for one. A busy guest CPU's thread blocks only inside QEMU
        # (its global lock, which TCG takes for every exception) or when the guest CPU idles (WFI). Only the
        # run's CPUs (0..cpus-1, where the harness puts its workers) count: the others idle by design.
        used = [t for t in both if self.cpu_of.get(t) is None or self.cpu_of[t] < cpus]
        # A host without schedstat accounting reads "0 0 0": nothing ran, which is no measure at all.
        used = [t for t in used if w1[t][0]]
        blocked = [100 - 100 * (w1[t][0] - w0[t][0] + w1[t][1] - w0[t][1]) / wall for t in used]
        # In the host kernel: where a contended QEMU lock can cost its threads futex calls that do not sleep,
        # so blocked does not see them (docs/benchmarks.md, "User workloads under QEMU"). In clock ticks.
        system = [100 * (w1[t][2] - w0[t][2]) / wall for t in used
                  if w0[t][2] is not None and w1[t][2] is not None]
        total = sum(c1) - sum(c0) if len(c1) > 7 and len(c0) > 7 else 0
        steal = 100 * (c1[7] - c0[7]) / total if total > 0 else None
        return {'host_vcpu_wait_pct': f'{max(waits):.2f}' if waits else 'n/a',
                # (clamped as a mean: a running thread's schedstat lags by up to a host tick either way)
                'host_vcpu_blocked_pct': f'{min(100.0, max(0.0, sum(blocked) / len(blocked))):.2f}' if blocked
                else 'n/a',
                'host_vcpu_sys_pct': f'{min(100.0, max(0.0, sum(system) / len(system))):.2f}' if system else 'n/a',
                'host_steal_pct': '' if steal is None else f'{steal:.2f}', 'host_load1': self._load1(),
                'host_window_ms': f'{wall / 1e6:.1f}'}

    @staticmethod
    def _load1() -> str:
        try:
            return read_text('/proc/loadavg').split()[0]
        except (OSError, IndexError):
            return ''


class _Reader(threading.Thread):
    """Drains QEMU's output chunk by chunk so the log and echo are live."""
    def __init__(self, fd, log, echo, sampler=None):
        super().__init__(daemon=True)
        self.fd, self.log, self.echo, self.sampler = fd, log, echo, sampler
        self.chunks, self.tail = [], b''
        self.shutdown_seen = threading.Event()

    def run(self):
        while True:
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return
            self.chunks.append(chunk)
            if self.log:
                self.log.write(chunk)
                self.log.flush()
            if self.echo:
                sys.stdout.buffer.write(chunk)
                sys.stdout.flush()
            # Only look at complete lines, and keep the partial one for next time.
            text = self.tail + chunk
            cut = text.rfind(b'\n') + 1
            if SHUTDOWN_BYTES.search(text[:cut]):
                self.shutdown_seen.set()
            if self.sampler:
                for line in text[:cut].decode('utf-8', 'replace').split('\n'):
                    self.sampler.line(line.rstrip('\r'))
            self.tail = text[cut:]


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def qemu_version(qemu):
    """QEMU's version number (e.g. 7.2.22), or unknown."""
    try:
        out = subprocess.run([qemu, '--version'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True).stdout
    except OSError:
        return 'unknown'
    m = re.search(r'version ([0-9][\w.+~-]*)', out)
    return m.group(1) if m else 'unknown'


def run_qemu(cmd, timeout, log_path, echo, host_log=None, accel='multi'):
    """Runs QEMU to its end or the timeout, the console copied into log_path (when given)."""
    if log_path:
        os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)
    with open(log_path, 'wb') if log_path else contextlib.nullcontext() as log:
        return _run_qemu(cmd, timeout, log, echo, host_log, accel)


def _run_qemu(cmd, timeout, log, echo, host_log, accel):
    start = time.monotonic()
    # A new session gives QEMU (and anything it forks) its own process group,
    # so a timeout can kill all of it; stdin is closed so QEMU never grabs the tty.
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    sampler = HostSampler(proc.pid, f'host-meta: accel={accel} host_cpus={os.cpu_count()} '
                                    f'qemu={qemu_version(cmd[0])}') if host_log else None
    reader = _Reader(proc.stdout.fileno(), log, echo, sampler)
    reader.start()
    hung = stuck = False
    deadline, grace_end = start + timeout, None
    try:
        while proc.poll() is None:
            now = time.monotonic()
            if sampler:
                sampler.refresh()
            if reader.shutdown_seen.is_set() and grace_end is None:
                grace_end = min(deadline, now + POWEROFF_GRACE_S)
            if now >= (grace_end or deadline):
                stuck, hung = grace_end is not None, grace_end is None
                _kill_group(proc)
                proc.wait()
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:     # Ctrl-C or an error: never leave QEMU behind
            _kill_group(proc)
            proc.wait()
    reader.join(2)
    if reader.is_alive():           # a forked child still holds the pipe open
        _kill_group(proc)
        reader.join(2)
    elapsed = time.monotonic() - start
    proc.stdout.close()
    if sampler:
        with open(host_log, 'w') as f:
            f.write('\n'.join(sampler.lines) + '\n')
    code = None if (hung or stuck) else proc.returncode
    return Outcome(b''.join(reader.chunks), code, hung, stuck, elapsed)


def _pairs(text):
    return dict(tok.split('=', 1) for tok in text.split() if '=' in tok)


def last_started(lines, case):
    """What the guest began last: a test case ('# ktest: start'), or a benchmark run ('bench-start:') begun
    after every case and not followed by the benchmarks' end ('bench-end:'), which is where a hang during
    the benchmarks is."""
    for line in reversed(lines):
        text = line.strip()
        if text.startswith('bench-start: '):
            return f'last benchmark run started: {text[len("bench-start: "):]}'
        if '# ktest: start ' in text or text.startswith('bench-end: '):
            break
    return f'last case started: {case or "none (during boot)"}'


def _describe_code(code):
    return f'signal {-code}' if code < 0 else str(code)


def judge(outcome, args):
    """Turn a finished run into KTAP cases: guest leaves, then checks of the run."""
    lines = ktap.split_lines(outcome.data)
    report = ktap.parse(outcome.data)
    record = shutdown = None
    panics = []
    for line in lines:
        m = BOOT_RE.search(line)
        if m and record is None:
            record = _pairs(m.group(1))
        m = PANIC_RE.search(line)
        if m:
            panics.append(f'panic: cpu={m.group(1)} {m.group(2)}'.strip())
        m = SHUTDOWN_RE.search(line)
        if m:
            shutdown = (m.group(1), _pairs(m.group(2)))
    last_line = next((l.strip() for l in reversed(lines) if l.strip()), '(no output)')
    abnormal = outcome.hung or outcome.stuck or shutdown is None or bool(panics)

    cases = report.cases()
    if abnormal:
        # A cut-short run leaves suites unclosed; the cause is reported below
        # instead of one "incomplete" failure per open suite.
        cases = [c for c in cases if c.origin not in ('incomplete', 'plan')]
    guest_failed = any(c.status == 'fail' for c in cases)

    end = None
    if outcome.hung:
        end = (f'hung: no shutdown after {args.timeout:g}s; {last_started(lines, report.last_started)}; '
               f'last line: {last_line[:160]}')
    elif outcome.stuck:
        end = f'printed a shutdown line but QEMU did not exit within {POWEROFF_GRACE_S}s'
    elif shutdown is None:
        end = f'guest exited without a shutdown line (code {_describe_code(outcome.code)})'

    if report.in_progress:
        why = ('hung' if outcome.hung else 'interrupted by panic' if panics else
               'guest exited mid-case' if shutdown is None else 'no result line before shutdown')
        cases.append(ktap.Case(report.in_progress, 'fail', f'{why} (case started, never finished)'))
    if not report.documents and not abnormal and not args.no_ktap:
        cases.append(ktap.Case('guest_ktap', 'fail', 'the guest printed no KTAP document '
                                '(a boot that runs no self-tests, as ktest=none bench=...: --no-ktap)'))

    cases.append(check_boot_record(record, args.expect))
    where = f' (during {report.in_progress})' if report.in_progress else ''
    more = f' (+{len(panics) - 1} more panics)' if len(panics) > 1 else ''
    cases.append(ktap.Case('no_panic', 'fail', panics[0] + where + more) if panics
                 else ktap.Case('no_panic', 'pass'))
    cases.append(check_shutdown(end, shutdown, outcome.code, guest_failed or bool(panics), args.semihost))
    return cases


def check_boot_record(record, expects):
    if record is None:
        return ktap.Case('boot_record', 'fail', "no boot record (a 'boot: board=...' line)",
                         [f'expected {e}' for e in expects])
    wrong = []
    for item in expects:
        key, want = item.split('=', 1)
        if record.get(key) != want:
            got = f'{key}={record[key]}' if key in record else f'no {key}'
            wrong.append(f'expected {key}={want}, got {got}')
    if wrong:
        return ktap.Case('boot_record', 'fail', '; '.join(wrong),
                         ['boot record: ' + ' '.join(f'{k}={v}' for k, v in record.items())])
    return ktap.Case('boot_record', 'pass')


def check_shutdown(end, shutdown, code, explained, semihost=True):
    """clean_shutdown: a shutdown line, an exit code that agrees with it, and a fail explained.
    Without semihosting the guest powers off through PSCI SYSTEM_OFF, which QEMU ends with 0 for
    pass and fail alike: any other code is a QEMU that did not end that way."""
    if end:
        return ktap.Case('clean_shutdown', 'fail', end)
    status, extra = shutdown
    detail = ' '.join(f'{k}={v}' for k, v in extra.items())
    if not semihost and code != 0:
        return ktap.Case('clean_shutdown', 'fail',
                         f'status={status} but QEMU exit code {_describe_code(code)} (no semihosting: '
                         'PSCI SYSTEM_OFF exits 0)')
    if status == 'pass' and code != 0:
        return ktap.Case('clean_shutdown', 'fail',
                         f'status=pass but QEMU exit code {_describe_code(code)} (semihosting: 0 = pass)')
    if status == 'fail' and code == 0 and semihost:
        return ktap.Case('clean_shutdown', 'fail',
                         'status=fail but QEMU exit code 0 (is semihost=1 exit wired up?)')
    if status == 'pass' and explained:
        return ktap.Case('clean_shutdown', 'fail', 'status=pass although cases failed or it panicked')
    if status == 'fail' and not explained:
        return ktap.Case('clean_shutdown', 'fail',
                         f'guest reported status=fail with no failing case {detail}'.strip())
    # A failed case already counts; failing this check too would count it twice.
    return ktap.Case('clean_shutdown', 'pass', f'status={status} {detail}'.strip())


def run_pty(cmd, timeout):
    """--serial pty: start QEMU, print the pseudo-terminal it made, let it run until it exits or timeout.
    Returns 0 if it ran until the timeout or exited 0."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline, said = time.monotonic() + timeout, False
    try:
        for line in proc.stdout:  # QEMU says "char device redirected to /dev/pts/N (label serial0)"
            m = re.search(rb'redirected to (/dev/\S+)', line)
            if m and not said:
                print(f'qemu-run: serial on {m.group(1).decode()}', flush=True)
                said = True
                break
            sys.stdout.buffer.write(line)
        if not said:
            print('qemu-run: QEMU named no pseudo-terminal', file=sys.stderr)
            return 2
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        return 0 if proc.poll() is None or proc.returncode == 0 else 1
    finally:
        if proc.poll() is None:  # the timeout, a signal or Ctrl-C: never leave QEMU behind
            _kill_group(proc)
            proc.wait()


def setup_error(message):
    print(f'qemu-run: {message}', file=sys.stderr)
    ktap.emit([ktap.Case('launch', 'fail', message)])
    return 2


def dump_dtb(args: argparse.Namespace) -> int:
    """--dump-dtb: QEMU writes the device tree it would give the kernel, and exits."""
    os.makedirs(os.path.dirname(os.path.abspath(args.dump_dtb)), exist_ok=True)
    done = subprocess.run(qemu_command(args, args.qemu), stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0 or not os.path.isfile(args.dump_dtb):
        print(f'qemu-run: {args.qemu} could not dump a device tree: '
              f'{done.stderr.strip() or f"exit {done.returncode}"}', file=sys.stderr)
        return 2
    return 0


EOF_CHAR = b'\x04'     # Ctrl-D: the console's end of input on an empty line (kernel/tty.c)


def exec_qemu(args: argparse.Namespace, cmd: list, cmdline: str) -> int:
    """--exec, --gdb: QEMU takes over the terminal, so Ctrl-a x works and end=idle can run for
    ever; with semihost=1 its exit status is the guest's verdict. Returns only on an error.
    Input from a pipe or a file (printf 'ls\npoweroff\n' | make qemu ...) is passed on by
    piped_qemu instead: a serial line has no end of file, so without one a script that does
    not end with poweroff or exit would leave the shell waiting for ever."""
    print(f'  QEMU     {cmdline}   (quit: Ctrl-a x)', flush=True)
    if args.exec and not os.isatty(0):
        return piped_qemu(args, cmd)
    try:
        os.execvp(cmd[0], cmd)
    except OSError as err:
        return setup_error(f'cannot run {args.qemu}: {err}')
    return 2


def piped_qemu(args: argparse.Namespace, cmd: list) -> int:
    """QEMU with our stdin copied to its serial line and, once it ends, Ctrl-D twice (the first hands
    the guest a last line without a newline, the second is end of input on an empty line), as a
    terminal's user would type to end a shell's input. The exit status is QEMU's."""
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    except OSError as err:
        return setup_error(f'cannot run {args.qemu}: {err}')

    def feed() -> None:
        with contextlib.suppress(OSError):     # QEMU gone: nothing more to pass on
            while True:
                chunk = os.read(0, 4096)
                if not chunk:
                    break
                proc.stdin.write(chunk)
                proc.stdin.flush()
            proc.stdin.write(EOF_CHAR * 2)
            proc.stdin.flush()
        # stdin stays open: a closed pipe makes QEMU's stdio console stop reading, nothing more

    threading.Thread(target=feed, daemon=True).start()
    # A SIGTERM for us alone (a timeout's kill) must not leave QEMU running on its own.
    signal.signal(signal.SIGTERM, lambda signum, frame: (proc.terminate(), sys.exit(128 + signum)))
    # Ctrl-C reaches QEMU itself (same process group) and ends it; we only wait for it.
    with contextlib.suppress(KeyboardInterrupt):
        proc.wait()
    rc = proc.wait()
    return 128 - rc if rc < 0 else rc


def report(args: argparse.Namespace, outcome: Outcome, cmdline: str) -> int:
    """The run's KTAP summary on stdout (and --ktap-out's JSON lines); 1 if a case failed."""
    cases = judge(outcome, args)
    failed = any(c.status == 'fail' for c in cases)
    comments = [f'qemu-run: {args.image} cpus={args.cpus} gic=v{args.gic}'
                f'{" el2" if args.el2 else ""}{"" if args.semihost else " no-semihost"} mem={args.mem}']
    code = 'killed' if outcome.code is None else _describe_code(outcome.code)
    comments.append(f'qemu-run: exit {code} after {outcome.elapsed:.1f}s')
    if failed:
        comments.append(f'command: {cmdline}')
        if args.log:
            comments.append(f'serial log: {args.log}')
    for c in cases:                 # guest diagnostics only matter for failures
        if c.status != 'fail':
            c.diagnostics = []
        c.diagnostics = c.diagnostics[-20:]
    if args.echo and outcome.data and not outcome.data.endswith(b'\n'):
        print()
    ktap.emit(cases, comments)
    if args.ktap_out:
        with open(args.ktap_out, 'w') as f:
            for c in cases:
                f.write(json.dumps({'name': c.name, 'status': c.status, 'reason': c.reason,
                                    'diagnostics': c.diagnostics}) + '\n')
    return 1 if failed else 0


def main(argv: list) -> int:
    args = parse_args(argv)
    if shutil.which(args.qemu) is None:
        return setup_error(f'QEMU binary not found: {args.qemu!r}; install it with '
                           'scripts/deps.sh (or pass --qemu PATH)')
    if args.dump_dtb:
        return dump_dtb(args)
    if not os.path.isfile(args.image):
        return setup_error(f'kernel image not found: {args.image} (build it first)')
    cmd = qemu_command(args, args.qemu)
    cmdline = shlex.join(cmd)
    if args.exec or args.gdb:
        return exec_qemu(args, cmd, cmdline)
    if args.echo:
        print(f'# command: {cmdline}', flush=True)
    # check.py stops a step with SIGTERM; turning it into an exception runs
    # run_qemu's (or run_pty's) cleanup, which kills QEMU (it is in a process group of its own).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if args.serial == 'pty':
        try:
            return run_pty(cmd, args.timeout)
        except KeyboardInterrupt:
            return 130
    try:
        outcome = run_qemu(cmd, args.timeout, args.log, args.echo, args.host_log, args.accel)
    except OSError as err:
        return setup_error(f'cannot run {args.qemu}: {err}')
    except KeyboardInterrupt:
        print('qemu-run: interrupted; QEMU killed', file=sys.stderr)
        return 130
    return report(args, outcome, cmdline)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
