"""bench-report's data: a run folder's CSVs and meta.json read into runs and lockstat rows, grouped by series."""
import csv
import json
import os
import re
from dataclasses import dataclass, field
from statistics import fmean as mean, median
from typing import Dict, List, Optional, Set, Tuple

from . import bench_extract as bx

# The strategies in menu order (lock-strategies/Kconfig), each with its colour; the report reads what a
# strategy locks from its kernel's bench-meta (scope=, classes=), never from its name.
ORDER = bx.ls.strategies()
COLORS = bx.ls.colors()
COARSE = ('kernel', 'subsys')          # scopes whose real locks the kernel names in classes=
MORE_COLORS = ['#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f']
CEILING = 'ceiling'                     # the pure-compute workload: the machine's own scaling limit
INTS = ('cpus', 'repeat', 'ops', 'ns', 'ops_per_sec', 'thread_ops_min', 'thread_ops_max')
LS_INTS = ('cpus', 'repeat', 'acquisitions', 'contentions', 'wait_max_ns', 'wait_total_ns',
           'hold_total_ns', 'acq_bounces')
TRAPS = 'u-'             # workloads whose every op traps from EL0 (a system call or a page fault)
SHARED = 0.05    # a lock class whose acquisitions moved between CPUs at least this often is shared

Row = dict                              # one CSV row, ints parsed
Stat = Tuple[float, float, float, int]  # (median, min, max, n)
# (class, acquisitions, contentions, wait_total_ns, wait_max_ns) of one lock class
ClassCount = Tuple[str, int, int, int, int]


def read_csv(path: str, columns: List[str], ints: Tuple[str, ...], notes: List[str]) -> Optional[List[Row]]:
    """The rows as dicts with ints parsed (lock_wait_pct: float or None); None if there is no file."""
    if not os.path.isfile(path):
        return None
    with open(path, newline='', encoding='utf-8', errors='replace') as f:
        reader = csv.DictReader(f)
        lacking = [c for c in columns if c not in (reader.fieldnames or [])]
        if lacking:
            raise ValueError(f'{path}: not a bench-extract file: no column {", ".join(lacking)}')
        rows = []
        for line, row in enumerate(reader, 2):
            try:
                row.update({k: int(row[k]) for k in ints}, log=row.get('log') or '')
                if 'lock_wait_pct' in row:
                    row['lock_wait_pct'] = float(row['lock_wait_pct']) if row['lock_wait_pct'] else None
                rows.append(row)
            except (TypeError, ValueError):
                notes.append(f'{os.path.basename(path)} line {line}: malformed row skipped')
        return rows


def read_runs(folder: str, notes: List[str]) -> Tuple[Optional[List[Row]], Optional[List[Row]]]:
    """(results.csv rows, lockstat.csv rows) of a folder; None for a file that is not there."""
    # (a folder extracted before host_vcpu_blocked_pct or warmup_ms existed still reads: the column is then blank)
    required = [c for c in bx.RESULTS_COLUMNS[:-1] if c not in bx.COLUMNS_LATER]
    runs = read_csv(os.path.join(folder, 'results.csv'), required, INTS, notes)
    stats = read_csv(os.path.join(folder, 'lockstat.csv'), bx.LOCKSTAT_COLUMNS[:-1], LS_INTS, notes)
    return runs, stats


def kernel_of(run: Row) -> str:
    """The kernel a run came from, by its log's name (<kernel>-boot<n>.log, or <kernel>.log)."""
    return re.sub(r'(-boot[0-9]+)?\.log$', '', run['log'])


def series_key(series: str) -> tuple:
    """Series sort by each part's place in its Kconfig menu: the strategy (bkl, subsys, fine), then the
    lock settings that differ (tas, ttas, ticket, mcs; llsc, lse; ...), unknown words last, by name."""
    rank = {}
    for i, (_, prefix, _) in enumerate(bx.ls.PARTS):
        for j, name in enumerate(bx.ls.choice_members(prefix)):
            rank.setdefault(name, (i, j))
    return tuple(rank.get(word, (len(bx.ls.PARTS), 0)) for word in series.split('-')), series


def _run_key(row: Row) -> tuple:
    """Which run a results or lockstat row is of: with its sweep (bench-extract's run_sweeps), since one log may
    run the same workload, count and repeat more than once."""
    return tuple(row[k] for k in ('log', 'series', 'workload', 'cpus', 'repeat', 'sweep'))


def _series_of(runs: List[Row]) -> Dict[str, str]:
    """{log: series name}: a strategy, plus the build settings that differ among its logs."""
    keys = ('lock_alg', 'atomics', 'spin_wait', 'lock_wait')
    per_log: Dict[str, dict] = {}
    for run in runs:
        per_log.setdefault(run['log'], dict({k: run.get(k, '') for k in keys}, strategy=run['strategy']))
    vary = {}
    for build in per_log.values():
        same = [other for other in per_log.values() if other['strategy'] == build['strategy']]
        vary[build['strategy']] = [k for k in keys if len({other[k] for other in same}) > 1]
    return {log: '-'.join([b['strategy']] + [b[k] for k in vary.get(b['strategy'], [])])
            for log, b in per_log.items()}


class Data:
    """The runs and lockstat rows by series: a strategy, or, when the folder holds several builds
    (logs) of one strategy, the strategy plus the build settings that differ (e.g. fine-mcs-lse,
    fine-ticket-llsc: make bench-locks)."""

    def __init__(self, runs: List[Row], stats: List[Row], busy_pct: float = bx.BUSY_WAIT_PCT,
                 hold: Optional['Data'] = None):
        self.runs, self.stats, self.busy_pct, self.hold = runs, stats, busy_pct, hold
        series_of = _series_of(runs)
        for row in runs + stats:
            row['series'] = series_of.get(row['log'], row['strategy'])
        for rows, sweeps in ((runs, bx.run_sweeps(runs)), (stats, bx.stat_sweeps(stats))):
            for row, k in zip(rows, sweeps):
                row['sweep'] = k
        self.series = sorted({r['series'] for r in runs + stats}, key=series_key)
        self.strategy = {r['series']: r['strategy'] for r in runs + stats}
        # series -> (scope, the real lock classes it names); ('', set()) for a log from before bench-meta had them
        self.scope = {r['series']: (r.get('scope') or '', set(filter(None, (r.get('classes') or '').split(','))))
                      for r in runs}
        self.color = {s: COLORS.get(s, MORE_COLORS[i % len(MORE_COLORS)]) for i, s in enumerate(self.series)}
        self.workloads = list(dict.fromkeys(r['workload'] for r in runs))
        self.cells: Dict[tuple, Dict[int, List[Row]]] = {}   # (series, workload) -> {cpus: [runs]}
        self.ls: Dict[tuple, List[Row]] = {}                  # run -> its lockstat rows
        for run in runs:
            self.cells.setdefault((run['series'], run['workload']), {}).setdefault(run['cpus'], []).append(run)
        for row in stats:
            self.ls.setdefault(_run_key(row), []).append(row)
        self.pairs = bx.pair_speedups(runs, key=lambda run: run['series'])
        self.busy = [r for r in runs if bx.is_busy(r)]
        self.failed = [r for r in runs if bx.is_failed(r)]   # invariants=FAIL: listed, counted nowhere
        self.apo = self._acquisitions_per_op(runs, stats)
        self._fixed: Dict[str, Optional[Tuple[int, int, int]]] = {}   # fixed_workers' answers

    def host_speed(self) -> Optional[Tuple[float, float, int, int]]:
        """(slowest, fastest, runs, flagged): how fast the host ran the ceiling's loop at 1 CPU, in millions
        of iterations per second (ops/s x the boot's iterations per µs: comparable across boots, whose
        calibrations may differ), over the 1-CPU ceiling runs not flagged host_busy, and how many such runs
        there were and were flagged. None without two runs not flagged."""
        speeds, flagged = [], 0
        for r in self.runs:
            try:
                if r['workload'] == CEILING and int(r['cpus']) == 1 and not bx.is_failed(r):
                    if bx.is_busy(r):
                        flagged += 1
                    else:
                        speeds.append(float(r['ops_per_sec']) * float(r['spin_iters_per_ms']) / 1e9)
            except (KeyError, TypeError, ValueError):
                continue
        return (min(speeds), max(speeds), len(speeds), flagged) if len(speeds) >= 2 else None

    @staticmethod
    def _acquisitions_per_op(runs: List[Row], stats: List[Row]) -> Dict[tuple, Dict[int, List[float]]]:
        """(series, workload) -> {cpus: [lock acquisitions per op]} over runs not flagged host_busy."""
        out: Dict[tuple, Dict[int, List[float]]] = {}
        for run, per_op in zip(runs, bx.acq_per_op(runs, stats)):
            if per_op is not None and not bx.left_out(run):
                out.setdefault((run['series'], run['workload']), {}).setdefault(run['cpus'], []).append(per_op)
        return out

    run_key = staticmethod(_run_key)

    def by_cpus(self, series: str, workload: str, column: str, busy: bool = False) -> Dict[int, Stat]:
        """{cpus: (median, min, max, n)} of a results column over the runs not flagged host_busy
        (busy=True: over the flagged ones); None values and failed runs (invariants=FAIL) left out."""
        out = {}
        for cpus, runs in sorted(self.cells.get((series, workload), {}).items()):
            values = [r[column] for r in runs
                      if r[column] is not None and bx.is_busy(r) == busy and not bx.is_failed(r)]
            if values:
                out[cpus] = (median(values), min(values), max(values), len(values))
        return out

    def blocked(self, series: str, workload: str, cpus: int, column: str = 'host_vcpu_blocked_pct') -> Optional[float]:
        """Median host_vcpu_blocked_pct (or another host column) of a cell's runs not flagged host_busy (None:
        not measured)."""
        values = []
        for r in self.cells.get((series, workload), {}).get(cpus, []):
            try:
                if not bx.left_out(r) and r.get(column) not in (None, '', 'n/a'):
                    values.append(float(r[column]))
            except ValueError:
                pass
        return median(values) if values else None

    @staticmethod
    def _workers(run: Row) -> Optional[int]:
        """A run's measured workers (bench: workers=), None from a log printed before the key existed."""
        try:
            return int(run.get('workers') or '')
        except ValueError:
            return None

    def fixed_workers(self, workload: str) -> Optional[Tuple[int, int, int]]:
        """Where a workload's measured workers do not grow with its CPUs, (n, workers at n, workers at 1) at
        the smallest such n > 1, else None. An N-CPU run's ratio to the 1-CPU run is then no speedup: it
        compares one op at two CPU counts (pipe-pingpong: one round trip per pair of CPUs, at 1 CPU a hand-off
        on one CPU, at 2 a wake-up across CPUs), and no ranking, collapse or Amdahl limit applies to it."""
        if workload in self._fixed:
            return self._fixed[workload]
        self._fixed[workload] = None
        counts: Dict[int, List[int]] = {}
        for r in self.runs:
            if r['workload'] == workload and self._workers(r) is not None and not bx.is_failed(r):
                counts.setdefault(r['cpus'], []).append(self._workers(r))
        one = counts.get(1)
        if not one:
            return None
        base = round(median(one))
        for n in sorted(c for c in counts if c > 1):
            at_n = round(median(counts[n]))
            if at_n != n * base:
                self._fixed[workload] = (n, at_n, base)
                break
        return self._fixed[workload]

    def us_per_op(self, series: str, workload: str, cpus: int) -> Optional[float]:
        """Median over the counted runs of the time one op took one measured worker, in µs
        (workers × 10^6 / ops_per_sec); None without such a run."""
        values = [self._workers(r) * 1e6 / r['ops_per_sec'] for r in self.cells.get((series, workload), {}).get(cpus, [])
                  if not bx.left_out(r) and self._workers(r) and r['ops_per_sec'] > 0]
        return median(values) if values else None

    def traps_on_qemu(self, workload: str) -> bool:
        """A workload that traps from EL0 on every op (u-*), run under QEMU."""
        return workload.startswith(TRAPS) and any(r.get('board') == 'qemu-virt' and r['workload'] == workload
                                                  for r in self.runs)

    def blocked_rise(self, workload: str, cpus: int,
                     column: str = 'host_vcpu_blocked_pct') -> Dict[str, Tuple[float, float]]:
        """{series: (blocked at 1 CPU, at cpus)} (or another host column's medians: host_vcpu_sys_pct) for the
        series with a speedup at cpus, both measured, whose strategy locks spin (a lock that sleeps idles the
        guest CPU, which blocks its thread too)."""
        out = {}
        for s in self.series:
            spin = all(r.get('lock_wait') in ('spin', '', None) for r in self.runs
                       if r['series'] == s and r['workload'] == workload)
            one, many = self.blocked(s, workload, 1, column), self.blocked(s, workload, cpus, column)
            if spin and cpus in self.speedup(s, workload) and one is not None and many is not None:
                out[s] = (one, many)
        return out

    def qemu_bound(self, workload: str, cpus: int) -> bool:
        """Whether a workload's speedups at cpus are QEMU's as much as the kernel's: it traps from EL0 on every op
        (u-*), ran under QEMU, and has speedups at cpus. QEMU's TCG takes its global lock to deliver every
        exception and to return from one, and what that costs is measured only in part: its threads' sleeps
        (host_vcpu_blocked_pct) and their time in the host kernel (host_vcpu_sys_pct, to a 10 ms tick), not
        QEMU's own locking code. In four make bench runs of 2026-12-08 FINE's u-open1, u-open2 and u-pipe1 ops
        took 1.22-1.53x their 1-CPU time with at most 2 % lock wait, while those shares rose only 4-17 points,
        and the kernel-task pipe scaled 1.94-1.98x in the same boots: no line drawn in them tells the runs QEMU
        left alone (docs/benchmarks.md, "User workloads under QEMU")."""
        return self.traps_on_qemu(workload) and any(cpus in self.speedup(s, workload) for s in self.series)

    def speedup(self, series: str, workload: str) -> Dict[int, Stat]:
        """{cpus: (median, min, max, pairs)} of the speedups of adjacent runs (bench-extract's
        pair_speedups: each N-CPU run over the 1-CPU run of the same repeat in the same boot);
        {} without a 1-CPU run not flagged host_busy."""
        return {c: (median(xs), min(xs), max(xs), len(xs))
                for (s, w, c), xs in sorted(self.pairs.items()) if (s, w) == (series, workload)}

    def held(self, series: str, workload: str) -> Tuple[Optional[float], Optional[str]]:
        """(s, note): the held fraction of the strategy's lock at 1 CPU (or None) and why not / how it
        was taken. From the hold-time pass (RUN/hold/) when there is one, else from this run's own
        1-CPU runs if they timed holds. The lock: where the strategy's real locks are coarse (bench-meta's
        scope kernel or subsys), the busiest of the classes its bench-meta names (bkl; under subsys one
        subsystem's lock: a sum would count a lock taken inside another twice, fs calls into mm); else
        the most-held class the CPUs shared but the scheduler's (taken by waiting)."""
        s, w = series, workload
        src = self.hold if self.hold and (s, w) in self.hold.cells else self
        scope, named = self.scope.get(s, ('', set()))
        coarse = scope in COARSE and bool(named)
        if without_lockstat([r for r in self.runs if r['series'] == s]):
            return None, f'{s}: no Amdahl curve: its kernel was built without lockstat, so no hold times'
        if not any(r['hold_total_ns'] for r in src.stats if r['series'] == s):
            return None, (f'{s}: no Amdahl curve: no hold times (the hold-time pass did not run, and '
                          'this run\'s lockstat_hold boot option was off)')
        shared = self.shared_classes(s, w)

        def counts(row: Row) -> bool:
            """Whether a lockstat row is of the lock that bounds the speedup."""
            if coarse:
                return row['class'] in named
            return row['class'] not in bx.WAIT_CLASSES and (shared is None or row['class'] in shared)

        fracs, names = [], set()
        # the runs every other number counts: not flagged host_busy, not failed; but where every one was
        # flagged (the hold pass has one run per workload), those, said in the note, rather than no curve
        cell = [r for r in src.cells.get((s, w), {}).get(1, []) if not bx.is_failed(r)]
        one_cpu = [r for r in cell if not bx.is_busy(r)] or cell
        busy_only = bool(one_cpu) and all(bx.is_busy(r) for r in one_cpu)
        for run in one_cpu:
            rows = [x for x in src.ls.get(src.run_key(run)) or [] if x['hold_total_ns'] and counts(x)]
            if rows and run['ns']:
                top = max(rows, key=lambda x: x['hold_total_ns'])
                fracs.append(top['hold_total_ns'] / run['ns'])
                names.add(top['class'])
        if not fracs and any(src.ls.get(src.run_key(run)) for run in one_cpu):
            return None, (f'{s}: no Amdahl curve for {w}: ' +
                          (f'its 1-CPU run took none of the strategy\'s own locks ({", ".join(sorted(named))}), '
                           if coarse else 'none of the lock classes it held was shared between CPUs, ') +
                          'so no lock bounds its speedup (its Amdahl curve is the ideal line)')
        if not fracs:
            return None, f'{s}: no Amdahl curve for {w}: no lockstat rows for its 1-CPU run'
        note = None if coarse else (
            f'{s}: Amdahl for {w} from its most-held lock class that the CPUs shared '
            f'({", ".join(sorted(names))}: its lock moved between CPUs in at least {100 * SHARED:.0f} % of its '
            'acquisitions at the largest CPU count; a class of per-worker locks serialises nothing)'
            if shared is not None else
            f'{s}: Amdahl for {w} from its most-held lock class ({", ".join(sorted(names))}), whether or not the '
            'CPUs shared it: no run above 1 CPU that the host left alone shows which classes they shared, so a '
            'class of per-worker locks, which serialises nothing, may have been taken')
        if busy_only:
            note = ((note + '; ') if note else f'{s}: ') + (
                f'Amdahl for {w} from 1-CPU runs all flagged host_busy (no other): a holder the host '
                'descheduled held its lock longer, so s may be overstated')
        return min(1.0, mean(fracs)), note

    def shared_classes(self, series: str, workload: str) -> Optional[Set[str]]:
        """The lock classes whose locks moved between CPUs (acq_bounces) in at least SHARED of their
        acquisitions at the largest CPU count of (series, workload), over runs not flagged host_busy;
        None without such runs."""
        cells = self.cells.get((series, workload), {})
        top = max((c for c in cells if c > 1), default=None)
        if top is None:
            return None
        acq: Dict[str, int] = {}
        bounce: Dict[str, int] = {}
        for run in cells[top]:
            if bx.left_out(run):
                continue
            for row in self.ls.get(self.run_key(run)) or []:
                acq[row['class']] = acq.get(row['class'], 0) + row['acquisitions']
                bounce[row['class']] = bounce.get(row['class'], 0) + row['acq_bounces']
        return {c for c in acq if acq[c] and bounce[c] >= SHARED * acq[c]} if acq else None

    def contention(self, series: str, host_cpus: Optional[int] = None) -> Tuple[Optional[int], List[ClassCount]]:
        """(cpus, [(class, acquisitions, contentions, wait_total, wait_max)] most contended first),
        summed over workloads and repeats at the series' largest CPU count not above the host's
        cores (beyond them a descheduled vCPU's lock makes contention the host's, not the kernel's)."""
        busy = {self.run_key(r) for r in self.busy + self.failed}
        rows = [r for r in self.stats if r['series'] == series and self.run_key(r) not in busy]
        counts = {r['cpus'] for r in rows}
        real = {c for c in counts if isinstance(host_cpus, int) and c <= host_cpus}
        top = max(real or counts, default=None)
        acc: Dict[str, List[int]] = {}
        for row in rows:
            if row['cpus'] == top:
                sums = acc.setdefault(row['class'], [0, 0, 0, 0])
                sums[:3] = [sums[0] + row['acquisitions'], sums[1] + row['contentions'],
                            sums[2] + row['wait_total_ns']]
                sums[3] = max(sums[3], row['wait_max_ns'])
        return top, sorted(((k, *v) for k, v in acc.items()), key=_most_contended)


def _most_contended(count: ClassCount) -> tuple:
    """Sort key: most contentions first, then most acquisitions, then by name."""
    return -count[2], -count[1], count[0]


@dataclass
class RunFolder:
    """Everything bench-report reads from a run folder, and what it found missing or failed."""
    path: str
    data: Data
    meta: dict
    notes: List[str] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)
    failures: List[str] = field(default_factory=list)


def read_meta(run: str, notes: List[str]) -> dict:
    """meta.json (scripts/bench-run's), or {} when it is missing or unreadable (said in notes)."""
    try:
        with open(os.path.join(run, 'meta.json')) as f:
            meta = json.load(f)
        return meta if isinstance(meta, dict) else {}
    except (OSError, ValueError) as err:
        notes += [] if isinstance(err, FileNotFoundError) else [f'meta.json cannot be read, ignored: {err}']
        return {}


def read_hold_pass(run: str, notes: List[str]) -> Optional[Data]:
    """The hold-time pass (scripts/bench-run): 1-CPU runs that timed lock holds, from RUN/hold/."""
    try:
        runs, stats = read_runs(os.path.join(run, 'hold'), notes)
        return Data(runs, stats) if runs and stats else None
    except (OSError, ValueError, csv.Error) as err:
        notes.append(f'hold/ cannot be read, ignored: {err}')
        return None


def without_lockstat(runs: List[Row]) -> bool:
    """Whether every run's kernel was built without lockstat (bench-meta lockstat=off)."""
    return bool(runs) and all(r.get('lockstat') == 'off' for r in runs)


def _missing(runs: List[Row], stats: Optional[List[Row]], data: Data, strategies: dict) -> List[str]:
    """What the report lacks: no rows, no lockstat, a strategy without runs, a cell without runs."""
    missing = []
    if not runs:
        missing.append('results.csv has no rows (did every boot fail?): no throughput, speedup, '
                       'lock wait or fairness plots')
    # kernels built without lockstat (CONFIG_LOCK_STAT off, as make bench BENCH_CONFIG= can ask) have no rows
    if stats is None or (runs and not stats and not without_lockstat(runs)):
        missing.append(f'lockstat.csv {"is missing" if stats is None else "has no rows"}: no contention '
                       'plots, no Amdahl curves')
    # a strategy name, or a build of one (make bench-locks) whose log is <name>.log
    missing += [f'strategy {s}: no rows in results.csv (status: {info.get("status", "unknown")})'
                for s, info in strategies.items()
                if not any(r['strategy'] == s or kernel_of(r) == s for r in runs)]
    for w in data.workloads:
        want = {c for (_, w2), cells in data.cells.items() if w2 == w for c in cells}
        for s in {r['series'] for r in runs}:
            lack = sorted(want - set(data.cells.get((s, w), {})))
            if lack:
                missing.append(f'{s}: no run of {w} at {", ".join(map(str, lack))} CPUs')
    return missing


def _failures(runs: List[Row], meta: dict) -> List[str]:
    """The boots bench-run saw fail (meta.json), then the runs whose invariants failed."""
    failures = [str(f) for f in meta.get('failures') or [] if f] if isinstance(meta.get('failures'), list) \
        else []
    return failures + [f"invariants=FAIL: {r['series']} {r['workload']} at {r['cpus']} CPUs, repeat "
                       f"{r['repeat']} ({r['log']})" for r in runs if r['invariants'] != 'ok']


def load(run: str) -> RunFolder:
    """A run folder read for the report; OSError, ValueError or csv.Error when its CSVs cannot be."""
    notes: List[str] = []
    runs, stats = read_runs(run, notes)
    meta = read_meta(run, notes)
    runs = runs or []
    busy_pct = meta.get('busy_pct')
    data = Data(runs, stats or [], busy_pct if isinstance(busy_pct, (int, float)) else bx.BUSY_WAIT_PCT,
                read_hold_pass(run, notes))
    given = meta.get('strategies') if isinstance(meta.get('strategies'), dict) else {}
    meta['strategies'] = {s: info if isinstance(info, dict) else {} for s, info in given.items()}
    return RunFolder(run, data, meta, notes, _missing(runs, stats, data, meta['strategies']),
                     _failures(runs, meta))
