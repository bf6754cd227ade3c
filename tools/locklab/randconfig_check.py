"""randconfig-check: build and boot N random valid configurations; a failure names its seed and config.

usage: randconfig-check [--n N] [--seed S] [--out DIR] [--timeout SEC] [--jobs J]

Each configuration is kconfig-conf --randconfig with KCONFIG_SEED=<seed>
(seeds S, S+1, ... S+N-1; S is random unless given, and printed first),
so `KCONFIG_SEED=<seed> kconfig-conf --randconfig` in an empty folder gives
it back. Kconfig's `depends on` rules are what keep a random configuration
valid; this script adds nothing to them. Each one is built out of tree in
DIR/<seed>/ and booted in QEMU with a short self-test (boot, smp, irq, spinlock, lockdep,
lockstat, strategy, sched, mutex and wait suites with CONFIG_KTEST; the boot record and a clean
shutdown otherwise), on the GIC the configuration supports, with as many
CPUs as it allows (at most 4), under round-robin TCG.

Prints KTAP v1, one case per seed; a failed case says whether the build or
the boot failed, the lines that show why, the seed, the configuration's
symbols that differ from their defaults, and where its .config and logs
are. Exit status 1 if any failed, 2 for a setup error.
"""
import os
import random
import re
import shutil
import subprocess
import sys

from . import ROOT, SCRIPTS
from .make_vars import MakeVarParser
KTEST_SUITES = 'boot,smp,irq,spinlock,lockdep,lockstat,strategy,sched,mutex,wait'


def parse_config(path):
    """CONFIG_X=value lines as a dict; '# CONFIG_X is not set' as 'n'."""
    conf = {}
    with open(path) as f:
        for line in f:
            m = re.match(r'^(CONFIG_\w+)=(.*)$', line) or re.match(r'^# (CONFIG_\w+) is not set$', line)
            if m:
                conf[m.group(1)] = m.group(2) if m.lastindex == 2 else 'n'
    return conf


def kconf(out, *args, env_extra=None):
    env = dict(os.environ, KCONFIG_CONFIG='.config', srctree=ROOT, **(env_extra or {}))
    return subprocess.run(['kconfig-conf', '-s'] + list(args) + [os.path.join(ROOT, 'Kconfig')], cwd=out,
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def defaults(work):
    """The configuration every symbol takes by default (alldefconfig), to show what a seed changed."""
    d = os.path.join(work, 'defaults')
    os.makedirs(d, exist_ok=True)
    r = kconf(d, '--alldefconfig')
    if r.returncode != 0:
        sys.exit(f'randconfig-check: kconfig-conf --alldefconfig failed:\n{r.stdout}')
    return parse_config(os.path.join(d, '.config'))


def boot_plan(conf):
    """qemu-run arguments the configuration can boot with, and what to expect."""
    gic = 2 if conf.get('CONFIG_GIC_V2') == 'y' else 3
    cpus = min(4, int(conf.get('CONFIG_NR_CPUS', '4')))
    # Round-robin TCG: a configuration is checked, not the host's scheduler (with
    # more vCPUs than host cores, multi-threaded TCG stalls FIFO locks for seconds).
    args = ['--gic', str(gic), '--cpus', str(cpus), '--accel', 'single', '--expect', f'cpus_online={cpus}']
    if conf.get('CONFIG_KTEST') == 'y':
        args += ['--bootargs', f'ktest={KTEST_SUITES}']
    else:
        args += ['--no-ktap']
    return args


def tail(path, n=15):
    """The last n lines of a log, leaving out make's progress lines ('  CC  file.o')."""
    try:
        with open(path, errors='replace') as f:
            lines = f.read().replace('\r', '').splitlines()
            return [l.rstrip() for l in lines if not re.match(r'^  [A-Z]+ +\S', l)][-n:]
    except OSError:
        return []


def check_one(seed, work, base, timeout, jobs):
    """Returns (ok, diagnostic lines)."""
    out = os.path.join(work, str(seed))
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    r = kconf(out, '--randconfig', env_extra={'KCONFIG_SEED': str(seed)})
    cfg = os.path.join(out, '.config')
    if r.returncode != 0 or not os.path.exists(cfg):
        return False, ['kconfig-conf --randconfig failed:'] + r.stdout.splitlines()
    conf = parse_config(cfg)
    changed = sorted(f'{k}={v}' for k, v in conf.items() if base.get(k, 'n') != v)
    about = [f'seed={seed} changed from defaults: {" ".join(changed) or "(nothing)"}',
             f'config: {cfg}',
             f'reproduce: mkdir x && cd x && KCONFIG_SEED={seed} KCONFIG_CONFIG=.config srctree={ROOT} '
             f'kconfig-conf --randconfig {ROOT}/Kconfig && make -C {ROOT} O=$PWD']
    build_log = os.path.join(out, 'build.log')
    with open(build_log, 'w') as log:
        b = subprocess.run(['make', '-s', '-C', ROOT, f'O={out}', f'-j{jobs}', 'all'], stdout=log,
                           stderr=subprocess.STDOUT)
    if b.returncode != 0:
        return False, ['build failed'] + about + [f'build log: {build_log}'] + tail(build_log)
    serial = os.path.join(out, 'serial.log')
    cmd = [sys.executable, os.path.join(SCRIPTS, 'qemu-run'), '--quiet', '--image', os.path.join(out, 'Image'),
           '--timeout', str(timeout), '--log', serial] + boot_plan(conf)
    q = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with open(os.path.join(out, 'boot.ktap'), 'w') as f:
        f.write(q.stdout)
    if q.returncode != 0:
        bad = [l for l in q.stdout.splitlines() if l.startswith('not ok') or 'error' in l.lower()]
        return False, ['boot failed: ' + ' '.join(cmd[1:])] + about + bad + [f'serial log: {serial}'] + tail(serial, 8)
    return True, about[:1]


# kconfig-conf reads KCONFIG_SEED as a C int and takes a time-based seed for one it cannot read: a seed
# outside this range would not be the configuration the printed seed reproduces.
SEED_MAX = 2**31 - 1


def fail(message):
    print(f'randconfig-check: {message}', file=sys.stderr)
    sys.exit(2)


def main():
    # make randconfig-check N= SEED= pass --n and --seed: errors name N and SEED, in one line.
    p = MakeVarParser(description=__doc__.splitlines()[0], names={'--n': 'N', '--seed': 'SEED'}, fail=fail)
    p.add_argument('--n', type=int, default=20, help='how many configurations (default 20)')
    p.add_argument('--seed', type=int, help=f'first seed, 0 to {SEED_MAX} (default: random, printed)')
    p.add_argument('--out', default=os.path.join(ROOT, 'build', 'randconfig'), help='work folder')
    p.add_argument('--timeout', type=int, default=120, help='seconds one boot may take (default 120)')
    p.add_argument('--jobs', type=int, default=os.cpu_count() or 1, help='make -j for each build')
    args = p.parse_args()
    if args.n < 1:
        fail(f'N={args.n}: at least 1 configuration (make randconfig-check N=20)')
    if args.seed is not None and not 0 <= args.seed <= SEED_MAX - (args.n - 1):
        fail(f'SEED={args.seed}: the seeds SEED to SEED+N-1 must lie in 0..{SEED_MAX} (kconfig-conf\'s KCONFIG_SEED)')
    for tool in ('kconfig-conf', 'qemu-system-aarch64', 'aarch64-linux-gnu-gcc'):
        if not shutil.which(tool):
            print(f'randconfig-check: {tool} not found: run scripts/deps.sh', file=sys.stderr)
            sys.exit(2)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 1 << 31)
    os.makedirs(args.out, exist_ok=True)
    base = defaults(args.out)
    print('KTAP version 1')
    print(f'# randconfig-check: seeds {seed}..{seed + args.n - 1} (rerun: make randconfig-check SEED={seed} '
          f'N={args.n})')
    print(f'1..{args.n}')
    failed = 0
    for i in range(args.n):
        s = seed + i
        ok, lines = check_one(s, args.out, base, args.timeout, args.jobs)
        failed += not ok
        print(f'{"ok" if ok else "not ok"} {i + 1} seed_{s}')
        for l in lines:
            print(f'# {l}')
        sys.stdout.flush()
    print(f'# randconfig-check: {args.n - failed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
