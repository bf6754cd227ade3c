"""bench-run's kernels: the configuration and build of each, and one boot of it (QEMU or a Pi 5) followed to its end."""
import argparse
import os
import re
import subprocess
import sys
import threading
import time
from typing import Dict, List, Optional, TextIO, Tuple

from . import ROOT, SCRIPTS
# The strategies and the lock variants' names are the Kconfig choices' (scripts/lock-strategies).
from . import lock_strategies as ls
from .textfile import read_text, write_text
STRATEGIES = ls.strategies()
# A boot's progress: (runs finished, runs planned, when it started) per (kernel, boot number).
BootState = Dict[Tuple[str, int], Tuple[int, int, Optional[float]]]


class Progress:
    """One updating line on a terminal, plain lines otherwise."""

    def __init__(self, stream: Optional[TextIO] = None):
        self.out = stream or sys.stdout
        self.tty = self.out.isatty()
        self.lock = threading.Lock()
        self.last = ''

    def line(self, text: str, final: bool = False) -> None:
        with self.lock:
            if self.tty and not final:
                self.out.write('\r\033[K' + text[:150])
                self.out.flush()
            elif text != self.last:
                if self.tty:
                    self.out.write('\r\033[K')
                print(text, file=self.out, flush=True)
            self.last = text


def config_value(text: str, name: str) -> Optional[str]:
    """The last value a CONFIG_ fragment gives name (later lines win, as in kconfig), or None."""
    found = re.findall(rf'^{name}=(\S+)', text, re.M)
    return found[-1] if found else None


def kernel_config(name: str, args: argparse.Namespace) -> str:
    """The CONFIG_ lines a kernel is configured from: its defconfig, configs/bench.config, the variant's
    lines, --config's; or, for current, the user's .config as it is and --config's lines on top (BENCH_CONFIG
    means the same for every kernel: it was once dropped for current without a word)."""
    if name == 'current':
        return read_text(args.current_config) + (read_text(args.config) if args.config else '')
    strategy, extra = args.kernels.get(name, (name, ''))
    frag = ''.join(read_text(os.path.join(ROOT, f)) for f in
                   (f'configs/qemu_{strategy}_defconfig', 'configs/bench.config')) + extra
    return frag + (read_text(args.config) if args.config else '')


def resolved_strategy(obj: str) -> Optional[str]:
    """The strategy a configured build really has (its .config), or None."""
    try:
        text = read_text(os.path.join(obj, '.config'))
    except OSError:
        return None
    return ls.strategy_of(text)


def configure(name: str, args: argparse.Namespace, obj: str,
              env: Dict[str, str]) -> Tuple[subprocess.CompletedProcess, str]:
    """kconfig-conf on the kernel's fragments in obj; (its result, the configuration as kconfig resolved it)."""
    frag = kernel_config(name, args)
    want = os.path.join(obj, 'bench_defconfig')
    if not os.path.exists(want) or read_text(want) != frag:
        write_text(want, frag)
    r = subprocess.run(['kconfig-conf', '-s', f'--defconfig={want}', os.path.join(ROOT, 'Kconfig')],
                       cwd=obj, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    resolved = frag
    if r.returncode == 0:
        # What the report shows: the configuration as kconfig resolved it, not the fragments, whose
        # later lines may contradict earlier ones.
        saved = os.path.join(obj, 'resolved_defconfig')
        if subprocess.run(['kconfig-conf', '-s', f'--savedefconfig={saved}', os.path.join(ROOT, 'Kconfig')],
                          cwd=obj, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
            resolved = read_text(saved)
    return r, resolved


def not_kept(fragment: str, config: str) -> List[str]:
    """The CONFIG_ lines of a fragment (BENCH_CONFIG) that the resolved .config does not have as asked,
    each with what it has instead: kconfig drops such lines without a word under -s."""
    try:
        have = read_text(config)
    except OSError:
        return []
    out = []
    for line in read_text(fragment).splitlines():
        m = re.match(r'(CONFIG_\w+)=(.*)$', line.strip()) or re.match(r'# (CONFIG_\w+) is not set$', line.strip())
        if not m:
            continue
        want = m.group(2) if m.lastindex == 2 and m.group(2) != 'n' else None
        got = config_value(have, m.group(1))
        if want != got:
            out.append(f'{line.strip()} (the kernel has ' + (f'{m.group(1)}={got}' if got else 'it unset') + ')')
    return out


def warn_if_relabelled(name: str, args: argparse.Namespace, obj: str) -> None:
    real = resolved_strategy(obj)
    want = args.kernels.get(name, (name, ''))[0]
    if real and want in STRATEGIES and real != want:
        # BENCH_CONFIG chose another strategy: the runs say so (bench-meta), the label must not lie.
        print(f'bench-run: warning: the kernel built as {name} is {real} (its configuration sets '
              f'CONFIG_LOCK_STRATEGY_{real.upper()}=y): the report labels its runs {real}', file=sys.stderr)


def bench_obj(name: str, args: argparse.Namespace) -> str:
    """Where the kernel <name> is built: bench-<name> in --build-dir (make bench: $(O), build/ by default),
    where make clean removes it."""
    return os.path.join(args.build_dir, f'bench-{name}')


def build(name: str, args: argparse.Namespace, progress: Progress,
          out: str) -> Tuple[Optional[str], str, Optional[str]]:
    """Configures and builds bench_obj(name); returns (Image path or None, config text, error)."""
    obj = bench_obj(name, args)
    os.makedirs(obj, exist_ok=True)
    env = dict(os.environ, KCONFIG_CONFIG='.config', srctree=ROOT)
    progress.line(f'  BUILD    {name}', final=True)
    t0 = time.time()
    r, resolved = configure(name, args, obj, env)
    dropped = not_kept(args.config, os.path.join(obj, '.config')) if r.returncode == 0 and args.config else []
    if dropped:
        progress.line(f'  FAILED   {name}: BENCH_CONFIG asks for what the kernel did not take', final=True)
        return None, resolved, ('BENCH_CONFIG lines the configuration did not keep (unknown, out of range, or '
                                'their dependencies off): ' + '; '.join(dropped[:4]))
    if r.returncode == 0:
        r = subprocess.run(['make', '-s', '-C', ROOT, f'O={obj}', 'all'], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    log = os.path.join(out, f'{name}.build.log')
    write_text(log, r.stdout)
    warn_if_relabelled(name, args, obj)
    progress.line(f'  {"BUILT" if r.returncode == 0 else "FAILED"}    {name} in {time.time() - t0:.0f} s', final=True)
    if r.returncode != 0:
        tail = [l for l in r.stdout.splitlines() if l.strip()][-3:]
        return None, resolved, f'build failed (see {os.path.relpath(log)}): ' + ' | '.join(tail)
    return os.path.join(obj, 'Image'), resolved, None


HOLD = 0   # boot() number of the hold-time pass



def boot_log_name(name: str, n: int) -> str:
    """<name>-boot<n>.log: one serial log per boot of a kernel (bench-report strips the suffix)."""
    return f'{name}-boot{n}.log'


def can_trace(image: str) -> bool:
    """Was the kernel built with the lock timeline? (its .config beside the Image; a kernel without
    one would refuse trace=, and its whole boot with it). True when there is no .config to ask."""
    try:
        return bool(re.search(r'^CONFIG_LOCK_TRACE=y', read_text(os.path.join(os.path.dirname(image), '.config')),
                              re.M))
    except OSError:
        return True


def boot_args(args: argparse.Namespace, image: str, n: int, cpus: List[int], repeat: int) -> str:
    """The kernel's boot options for boot n (HOLD: the hold-time pass)."""
    return (f'ktest=none bench={",".join(args.workload_list)} cpus={",".join(map(str, cpus))} '
            f'duration_ms={args.duration_ms} repeat={repeat} {args.bootargs}' +
            (' lockstat_hold=1' if n == HOLD else '') +
            # The first boot of each kernel records the lock timeline (the dump takes a fraction of a second).
            (f' trace={args.trace}' if args.trace and n == 1 and can_trace(image) else '')).strip()


def boot_command(args: argparse.Namespace, image: str, bootargs: str, log: str, timeout: float) -> List[str]:
    """qemu-run, or serial-load for a Pi, booting image with bootargs, its serial log into log."""
    if args.serial:  # the Pi: the loader takes the Image at 115200 baud (10 bits a byte), then the same run
        cmd = [sys.executable, os.path.join(SCRIPTS, 'serial-load'), '--device', args.serial, '--baud', str(args.baud),
               '--image', image, '--bootargs', bootargs, '--log', log, '--timeout', str(int(timeout))] +\
            (['--corrupt-first'] if args.corrupt_first else [])
        args.corrupt_first = False  # once: the boots run one at a time
        return cmd
    return [sys.executable, os.path.join(SCRIPTS, 'qemu-run'), '--quiet', '--no-ktap', '--image', image,
            '--cpus', str(args.cpus), '--gic', str(args.gic), '--accel', args.accel, '--timeout', str(int(timeout)),
            '--bootargs', bootargs, '--log', log, '--host-log', log[:-len('.log')] + '.host']


RUN_RE = re.compile(r'^bench: workload=(\S+) cpus=(\d+) repeat=(\d+)')


class LogFollower:
    """Reads a growing serial log, only the bytes new since the last look, and counts its finished runs."""

    def __init__(self, path: str):
        self.path, self.pos, self.tail = path, 0, b''
        self.last_run: Optional[Tuple[str, str]] = None     # (workload, cpus) of the last finished run

    def new_runs(self) -> int:
        try:
            with open(self.path, 'rb') as f:
                f.seek(self.pos)
                chunk = f.read()
        except OSError:
            chunk = b''
        self.pos += len(chunk)
        data = self.tail + chunk
        cut = data.rfind(b'\n') + 1
        self.tail = data[cut:]
        found = 0
        for line in data[:cut].decode('utf-8', 'replace').splitlines():
            m = RUN_RE.match(line.replace('\r', ''))
            if m:
                found += 1
                self.last_run = m.group(1, 2)
        return found


def follow(proc: subprocess.Popen, log: str, key: Tuple[str, int], state: BootState, progress: Progress) -> None:
    """Updates state (and the progress line) from the boot's log until its process ends."""
    follower, last_shown = LogFollower(log), 0.0
    while True:
        running = proc.poll() is None
        done, total, started = state[key]
        state[key] = (done + follower.new_runs(), total, started)
        if not running:
            return
        if time.time() - last_shown > 0.5:
            report_progress(progress, state, follower.last_run, key[0])
            last_shown = time.time()
        time.sleep(0.5)  # the host is sampled by qemu-run, as the records arrive: polling here costs nothing


def boot_failure(n: int, log: str, output: str, cmd: List[str], code: int) -> str:
    """What a failed boot says: where in its runs it stopped, and the tool's own reason."""
    text = read_text(log, errors='replace') if os.path.exists(log) else ''
    run = r'(workload=\S+ cpus=\d+ repeat=\d+)'
    finished = re.findall(r'^bench: ' + run, text, re.M)
    started = re.findall(r'^bench-start: ' + run, text, re.M)
    where = f' after {finished[-1]}' if finished else ''
    if started and (not finished or started[-1] != finished[-1]):  # killed in the middle of a run
        where = f' while {started[-1]} was running' + (f' (last finished: {finished[-1]})' if finished else '')
    why = [l for l in output.splitlines() if l.startswith('not ok')][:2] or\
        [l for l in output.splitlines() if l.startswith('serial-load: ')][-2:]
    return f'{"hold-time pass" if n == HOLD else f"boot {n}"} failed{where}: ' + ('; '.join(why) or
                                                                              f'{cmd[1]} exit {code}')


def boot(strategy: str, image: str, args: argparse.Namespace, out: str, progress: Progress, state: BootState,
         n: int = 1) -> Optional[str]:
    """Boot n of a kernel, or (n == HOLD) its hold-time pass: every workload once at 1 CPU with
    lock hold times on, into out/hold/<strategy>.log. Returns what failed, or None."""
    cpus, repeat = ([1], 1) if n == HOLD else (args.cpu_list, args.repeat)
    total = len(args.workload_list) * len(cpus) * repeat
    est = total * (args.duration_ms * 1.1 / 1000 + 0.3) + 5
    timeout = args.timeout or est * 3 + 60
    log = os.path.join(out, 'hold', f'{strategy}.log') if n == HOLD else os.path.join(out, boot_log_name(strategy, n))
    cmd = boot_command(args, image, boot_args(args, image, n, cpus, repeat), log, timeout)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    state[(strategy, n)] = (0, total, time.time())
    follow(proc, log, (strategy, n), state, progress)
    output = proc.stdout.read()
    proc.stdout.close()
    if proc.returncode != 0:
        return boot_failure(n, log, output, cmd, proc.returncode)
    return short_boot(n, log, total)


def short_boot(n: int, log: str, planned: int) -> Optional[str]:
    """A boot that ended well but did not do what was planned: the kernel refused a boot option (it
    then keeps its default: fewer repeats, other CPU counts, another duration), or printed fewer runs."""
    what = 'hold-time pass' if n == HOLD else f'boot {n}'
    text = read_text(log, errors='replace').replace('\r', '') if os.path.exists(log) else ''
    # The kernel echoes its command line as bootargs: "..." and says each problem on a bootargs: line.
    refused = [l.split('bootargs: ', 1)[1] for l in text.splitlines() if 'bootargs: ' in l and
               not l.split('bootargs: ', 1)[1].startswith(('"',) + tuple('0123456789'))]
    if refused:
        return f'{what}: the kernel refused a boot option: ' + '; '.join(refused[:3])
    ran = len(re.findall(r'^bench: workload=', text, re.M))
    if ran < planned:
        return f'{what} ran {ran} of the {planned} runs planned (see {os.path.relpath(log)})'
    return None


def report_progress(progress: Progress, state: BootState, current: Optional[Tuple[str, str]],
                    strategy: str) -> None:
    done = sum(d for d, _, _ in state.values())
    total = sum(t for _, t, _ in state.values())  # every boot is in state from the start
    # Wall time per run since the first boot started, boots and calibration included: a per-boot rate
    # jumped up at each new boot (its boot time over one run) and the estimate rose mid-run.
    starts = [t0 for _, _, t0 in state.values() if t0]
    eta = f', about {int((time.time() - min(starts)) / done * (total - done)) + 1} s left' if done and starts else ''
    now = f'{strategy}: after {current[0]} at {current[1]} CPU(s)' if current else f'{strategy}: booting'
    progress.line(f'  BENCH    {done}/{total} runs ({now}){eta}')

