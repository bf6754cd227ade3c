"""The calibrated loop's speed for a whole sweep: one short boot before the first, so every boot does the same work per op.

think=, cs= and the ceiling's op are iterations of a loop whose speed each
kernel measures at boot (spin_iters_per_ms). Under QEMU the first second or
so of a boot often runs that loop 3-4x slower than the rest, so boots of one
sweep calibrated 170-820 k iterations/ms and their ops did different work
(docs/measuring.md, the sixth pitfall). Here one boot runs the ceiling at
1 CPU for 1.4 s, longer than the slow stretch was seen to last, and the
fastest run gives the speed that every boot of the sweep, the hold pass
included, is then told (the spin_iters_per_ms= boot option, as make
bench-wait does): a run the host slowed only looks slower. Each op's own
overhead (the op count, the stop check) counts as loop time, so the figure
is a few per cent low: an op does a few per cent more than its ns, the same
in every boot.
"""
import argparse
import os
import re
import subprocess
from typing import Optional, Tuple

from . import ROOT
from .bench_boot import boot_command
from .textfile import read_text

RUNS, RUN_MS = 16, 80  # 1.4 s: the slow stretch measured lasted up to about a second
META_RE = re.compile(r'^bench-meta: .*\bspin_iters_per_ms=(\d+)', re.M)
RUN_RE = re.compile(r'^bench: workload=ceiling cpus=1 .*\bops_per_sec=(\d+)', re.M)


def ceiling_op_ns() -> Optional[int]:
    """The ceiling's op in ns of the loop (bench/wl_ceiling.c's CEILING_OP_NS), or None."""
    try:
        m = re.search(r'^#define\s+CEILING_OP_NS\s+(\d+)', read_text(os.path.join(ROOT, 'bench', 'wl_ceiling.c')),
                      re.M)
    except OSError:
        return None
    return int(m.group(1)) if m else None


def speed_from_log(text: str, op_ns: int) -> Optional[int]:
    """Loop iterations per ms in the fastest 1-CPU ceiling run of a boot's log, or None. An op is
    op_ns * spin_iters_per_ms / 10^6 iterations, in the kernel's integer arithmetic (bench_spin_ns)."""
    meta = META_RE.search(text)
    speeds = [int(m.group(1)) for m in RUN_RE.finditer(text)]
    if not meta or not speeds:
        return None
    per_op = op_ns * int(meta.group(1)) // 1000000
    return max(speeds) * per_op // 1000 or None


def calibrate(args: argparse.Namespace, image: str, out: str) -> Tuple[Optional[int], str]:
    """(iterations per ms for the whole sweep, how it was measured), or (None, why each boot calibrates itself)."""
    op_ns = ceiling_op_ns()
    if op_ns is None:
        return None, 'bench/wl_ceiling.c defines no CEILING_OP_NS'
    os.makedirs(os.path.join(out, 'calibrate'), exist_ok=True)
    log = os.path.join(out, 'calibrate', 'loop.log')
    bootargs = f'ktest=none bench=ceiling cpus=1 duration_ms={RUN_MS} repeat={RUNS}'
    r = subprocess.run(boot_command(args, image, bootargs, log, 60), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    text = read_text(log, errors='replace').replace('\r', '') if os.path.exists(log) else ''
    speed = speed_from_log(text, op_ns)
    if r.returncode != 0 or speed is None:
        why = [l for l in r.stdout.splitlines() if l.startswith('not ok')][:1]
        return None, 'the calibration boot failed (calibrate/loop.log' + (f': {why[0]}' if why else '') + ')'
    return speed, (f'the fastest of {RUNS} 1-CPU ceiling runs of {RUN_MS} ms in one boot before the first '
                   '(calibrate/loop.log)')
