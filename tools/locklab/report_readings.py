"""bench-report's readings: the sentences generated from the numbers (the sanity flags, the per-workload reading)."""
from statistics import median
from typing import Dict, List, Optional, Tuple

from . import bench_extract as bx
from .report_data import CEILING, ORDER, Data, Stat, kernel_of
from .report_plots import amdahl

# Workloads whose data FINE splits per worker (getpid: it has none), so FINE should rise on them; the
# reading says whether it did. Every other workload is read the same way, whatever its name.
PARTITIONED = ('mm', 'fs-private', 'pipe', 'getpid')
# Beyond this ratio between the host's slowest and fastest 1-CPU ceiling runs, 1-CPU figures from
# different boots are not compared without saying so.
HOST_SPREAD = 1.5
ABOVE_AMDAHL = 1.03                     # measured this far above Amdahl's curve: say why it can be
FALLS = 0.9                             # a speedup below this is a loss, not "flat"
FLAT = 1.15                             # a speedup at most this is "flat"
ABOVE = 1.05                            # a speedup above the ceiling by more than this is an artifact
# Above N itself nothing is tolerated: N CPUs cannot do more than N times one CPU's work, so any median above N
# (even by a little) says the 1-CPU runs were slowed by the host, and is flagged.
BUSY_SHARE = 1 / 3       # more runs than this flagged host_busy: the whole report is unreliable
WORK_DIFF = 0.05         # lock acquisitions per op differing more than this between CPU counts
WORK_MIN = 0.02          # ... and by more than this many acquisitions per op
COLLAPSE = 0.5           # a speedup below this is a collapse
LOCK_SHARE = 20          # % of the time waiting for locks that names the lock as a collapse's cause
IDLE = 20                # vCPU threads of a kernel-task workload blocked longer than this: its CPUs idled
UNEVEN = 0.8             # ceiling workers slower than this share of the fastest: the host's vCPUs differ

Speedups = Dict[Tuple[str, str], Dict[int, Stat]]           # (series, workload) -> {cpus: speedup}
Held = Dict[Tuple[str, str], Tuple[Optional[float], Optional[str]]]


def ceiling_sentence(d: Data, sp: Speedups, n: int) -> Tuple[Optional[str], Dict[str, float]]:
    """(sentence, {strategy: speedup}) of the ceiling workload at n CPUs: what the machine itself allowed."""
    got = {s: sp[(s, CEILING)][n][0] for s in d.series if n in sp.get((s, CEILING), {})}
    if not got:
        return None, {}
    low, high = min(got.values()), max(got.values())
    text = (f'**{CEILING}** (pure computation: no locks, no kernel calls) reached {low:.2f}×' +
            (f'–{high:.2f}×' if high - low >= 0.005 else '') + f' at {n} CPUs: the most this machine showed in '
            'these boots. Read every speedup below against it, not against the ideal.')
    if high > n:
        text += (f' It is above {n}×, which computation cannot be: the 1-CPU runs were slower than the '
                 'others (the host gave that vCPU less of a core), so the speedups of this run are inflated.')
    return text, got


def _reading_cpus(sp: Speedups, series: List[str], workload: str, host_cpus: Optional[int]) -> int:
    """The CPU count a workload is read at: the largest measured, or the host's cores when more were run."""
    counts = {c for s in series for c in sp[(s, workload)]}
    real = {c for c in counts if isinstance(host_cpus, int) and c <= host_cpus}
    return max(real if len(real) > 1 else counts, default=1)


def _x(value: float, limit: float) -> str:
    """A speedup as the text shows it: two decimals, or three where two would round it onto the limit it is
    compared with (a 2.004x median 'above 2x' must not read '2.00x')."""
    return f'{value:.2f}' if f'{value:.2f}' != f'{limit:.2f}' else f'{value:.3f}'


def _beyond_machine(sv: Dict[str, float], ceil: Dict[str, float], n: int) -> str:
    """The sentence for speedups above what the machine allowed in the same boot ('' if none)."""
    over = [s for s in sv if sv[s] > n or (s in ceil and sv[s] > ceil[s] * ABOVE)]
    if not over:
        return ''
    return (' ' + ', '.join(f'{s} ({_x(sv[s], n)}×)' for s in over) + ' beat' + 's' * (len(over) == 1) +
            f' what the machine allowed in the same boot (ideal {n}×' +
            ''.join(f', {CEILING} under {s} {ceil[s]:.2f}×' for s in over if s in ceil) +
            '): an artifact of this run (a starved 1-CPU run, or different work at 1 CPU), not a result.')


def _scope_sentence(d: Data, sv: Dict[str, float], workload: str) -> str:
    """Whether the kernel-wide lock's strategy is flat, and the data-lock one rises on a partitioned workload."""
    # The strategies themselves (not their lock variants), by the scope their kernels made real.
    by_scope: Dict[str, str] = {}
    for s in d.series:
        if s in sv and s == d.strategy.get(s):
            by_scope.setdefault(d.scope.get(s, ('',))[0], s)
    if 'kernel' not in by_scope:
        return ''
    coarse = by_scope['kernel']
    # Judged as shown, to two decimals: these limits are a reader's rule of thumb, and a 0.8998x printed as
    # "0.90x" must not read as a loss beside a 0.91x read as flat.
    shown = {s: round(v, 2) for s, v in sv.items()}
    flat = shown[coarse] <= FLAT
    how = ('loses throughput with more CPUs' if shown[coarse] < FALLS else 'is flat' if flat else 'gains')
    text = f' {coarse} {how} ({sv[coarse]:.2f}×' + (f'; up to {FLAT}× counts as flat)' if how == 'is flat' else ')')
    if workload in PARTITIONED and 'data' in by_scope:
        fine = by_scope['data']
        moves = 'rises' if shown[fine] > FLAT else 'falls' if shown[fine] < FALLS else 'does not rise'
        text += (f' {"while" if flat else "and"} {fine} {moves}'
                 f' ({sv[fine]:.2f}×) on this partitioned workload')
    return text + '.'


def _amdahl_sentences(d: Data, sp: Speedups, held: Held, series: List[str], workload: str, n: int) -> str:
    """For each series with a held fraction: how much of the 1-CPU run it held its lock, and the cap."""
    text = ''
    for s in series:
        fraction = held.get((s, workload), (None,))[0]
        if fraction and n in sp[(s, workload)]:
            scope, named = d.scope.get(s, ('', set()))
            what = ({'subsys': 'its busiest subsystem lock class', 'kernel': 'the BKL'}.get(scope)
                    if named else None) or 'its most-held lock class'
            measured, curve = sp[(s, workload)][n][0], amdahl(fraction, n)
            text += (f' {s} held {what} '
                     f'{100 * fraction:.0f} % of the 1-CPU run: Amdahl\'s law caps its speedup at 1/s = '
                     f'{1 / fraction:.2f}× ({curve:.2f}× at {n} CPUs; measured {measured:.2f}×')
            bound = min(n, 1 / fraction)
            if measured > bound * ABOVE_AMDAHL:
                text += (f', above even min(N, 1/s) = {bound:.2f}×, the most one lock held that share of the time '
                         'allows: the hold-time pass\'s s (a separate boot) overstates this run\'s, so read the '
                         'curve as a rough guide here')
            elif measured > curve * ABOVE_AMDAHL:
                # Amdahl's serial part stops every CPU; a lock stops only those that want it meanwhile.
                text += (f', above the curve: Amdahl assumes the other CPUs wait while the lock is held, but '
                         f'they did their unlocked work meanwhile, so one lock bounds the speedup only at '
                         f'min(N, 1/s) = {bound:.2f}×' +
                         # a class's s sums the holds of all its locks (every inode's, every pipe's): more
                         # than any one of them serialises when the workers hold different ones
                         ('; and s sums the holds of every lock of the class, more than one lock of it '
                          'serialises when the workers hold different ones' if not named else ''))
            text += ').'
    return text


def _pct_range(values: List[float]) -> str:
    low, high = round(min(values)), round(max(values))
    return f'{low} %' if low == high else f'{low}–{high} %'


def _kops(value: float) -> str:
    return f'{value / 1e6:.2f} M' if value >= 1e6 else f'{value / 1e3:.0f} k' if value >= 1e4 else f'{value:.0f}'


def _outside_waits(d: Data, series: str, workload: str, n: int, value: float) -> Optional[float]:
    """How many times its 1-CPU time each op took at n CPUs outside the waits for locks, from the speedup value
    and the runs' lock wait (None: lock wait not measured). n workers, busy (1 - wait) of the time, at speedup
    value: each op's time outside the waits grew by n (1 - wait) / value over the 1-CPU run's, divided by (1 -
    its own wait): nothing waits with one worker per CPU, but lock_tasks=2 puts two on it, and they wait for
    each other."""
    def wait(cpus: int) -> Optional[float]:
        xs = [r['lock_wait_pct'] for r in d.cells.get((series, workload), {}).get(cpus, [])
              if not bx.left_out(r) and r['lock_wait_pct'] is not None]
        return median(xs) if xs else None
    many, one = wait(n), wait(1)
    alone = 1 - (one or 0) / 100
    if many is None or not value or alone <= 0:
        return None
    return n * (1 - many / 100) / (value * alone)


def _trap_reading(d: Data, sp: Speedups, series: List[str], workload: str, n: int) -> Optional[str]:
    """The reading of a u-* workload under QEMU (None: another workload, or on hardware). Each of its ops
    traps, and QEMU's TCG takes its global lock to deliver an exception and to return from one, at a cost
    only partly measured (Data.qemu_bound): the speedups are QEMU's as much as the kernel's, so the strategies
    are compared at 1 CPU instead, with what was measured of QEMU's share."""
    if not d.traps_on_qemu(workload):
        return None

    def shares(rise: Dict[str, Tuple[float, float]]) -> str:
        return (', '.join(f'{round(rise[s][1])} %' + ' of the time' * (i == 0) + f' under {s}'
                          for i, s in enumerate(x for x in series if x in rise)) +
                f' (at 1 CPU: {_pct_range([one for one, _ in rise.values()])})')

    rise = d.blocked_rise(workload, n)
    system = d.blocked_rise(workload, n, 'host_vcpu_sys_pct')
    text = (f'**{workload}** traps from EL0 on every op, and QEMU\'s TCG takes its global lock to deliver every '
            'exception and to return from one, so under QEMU its speedups mix the kernel\'s locks with QEMU\'s: ' +
            (f'at {n} CPUs its vCPU threads were blocked in QEMU {shares(rise)}' +
             # where QEMU's lock is contended without its threads sleeping (futex calls that return at once)
             (f', and in the host kernel {shares(system)}' if system else '') + '.' if rise else
             'its strategy locks sleep, so the time its vCPU threads were blocked cannot tell QEMU\'s lock from '
             'idle CPUs.' if any(d.blocked(s, workload, n) is not None for s in series) else
             'how long its vCPU threads were blocked in QEMU was not measured.'))
    grew = [(s, _outside_waits(d, s, workload, n, sp[(s, workload)][n][0])) for s in series
            if n in sp[(s, workload)]]
    grew = [(s, g) for s, g in grew if g is not None]
    if grew:
        # On hardware the growth is the lock and the data moving between CPUs; under QEMU it also holds QEMU's
        # lock. perf on QEMU (docs/benchmarks.md) finds that lock's cost as host-kernel futex time and mutex code.
        text += (' Outside its waits for the kernel\'s locks each op took ' +
                 ', '.join(f'{g:.2f}× ({s})' for s, g in grew) + f' its 1-CPU time at {n} CPUs. The shares '
                 'above measure QEMU\'s lock only in part (the host-kernel share to the nearest 10 ms clock tick, '
                 'QEMU\'s own locking code not at all), so none of them tells the runs QEMU left alone.')
    ranked = sorted(((sp[(s, workload)][n][0], s) for s in series if n in sp[(s, workload)]), reverse=True)
    text += (' A strategy whose ops spend longer in the kernel between traps takes QEMU\'s lock less often, so '
             'it can show the larger speedup while being slower: these speedups (' +
             ', '.join(f'{s} {v:.2f}×' for v, s in ranked) + ') do not rank the strategies; read the scaling '
             'on hardware.')
    alone = sorted(((d.by_cpus(s, workload, 'ops_per_sec').get(1, (0,))[0], s) for s in series), reverse=True)
    alone = [(v, s) for v, s in alone if v]
    if alone:
        best = alone[0][0]
        text += (' Compare its strategies at 1 CPU: ' + ', '.join(
            f'{s} {_kops(v)} ops/s' + (f' ({v / best:.2f}×)' if v != best else '') for v, s in alone) + '.')
        speed = d.host_speed()
        if speed and speed[1] / speed[0] > HOST_SPREAD:
            text += (f' These come from different boots, and this run\'s host did the same computation up to '
                     f'{speed[1] / speed[0]:.1f}× faster in one 1-CPU run than in another (the caveats): a '
                     'difference smaller than that is not the kernel\'s until other runs repeat it.')
    return text


def _share(part: int, whole: int) -> str:
    """part / whole in %, whole numbers, but never rounded to 100 when something is left (99.86: 99.9)."""
    pct = 100 * part / whole
    return f'{pct:.0f}' if part == whole or round(pct) < 100 else f'{min(pct, 99.9):.1f}'


def _contention_sentences(d: Data, host_cpus: Optional[int]) -> List[str]:
    """Per series: the lock class that dominates contention, or that none was contended."""
    out = []
    for s in d.series:
        top, rows = d.contention(s, host_cpus)
        total = sum(r[2] for r in rows)
        if total:
            cls, acq, cont, wait, _ = rows[0]
            out.append(f'Under {s}, lock class {cls} dominates contention at {top} CPU{"s" * (top != 1)}: '
                       f'{_share(cont, total)} % of all contentions; {100 * cont / acq:.1f} % of its '
                       f'acquisitions were contended, waiting {wait / cont / 1000:.1f} µs on average.')
        elif rows:
            out.append(f'Under {s}, no lock class was contended at {top} CPU{"s" * (top != 1)}.')
    return out


def reading(d: Data, sp: Speedups, held: Held, host_cpus: Optional[int] = None) -> List[str]:
    """Sentences generated from the numbers; with more vCPUs than host CPUs, read at the host's count."""
    out, first = [], []
    for w in d.workloads:
        series = [s for s in d.series if sp.get((s, w))]
        n = _reading_cpus(sp, series, w, host_cpus)
        ranked = sorted(((sp[(s, w)][n][0], s) for s in series if n in sp[(s, w)]), reverse=True)
        if n == 1 or not ranked:
            continue
        if d.fixed_workers(w):
            out.append(_per_op_reading(d, series, w, n))
            continue
        sentence, ceil = ceiling_sentence(d, sp, n)
        if w == CEILING:
            first += [sentence] if sentence else []
            continue
        trap = _trap_reading(d, sp, series, w, n)
        if trap:
            out.append(trap + _amdahl_sentences(d, sp, held, series, w, n))
            continue
        (value, best), sv = ranked[0], {s: x for x, s in ranked}
        text = (f'**{w}**: in this run {best} reaches' if len(ranked) == 1 else
                f'**{w}**: in this run {best} scales best:' if value > 1 else
                f'**{w}**: in this run no strategy gains from more CPUs; the best, {best}, keeps' if
                len(ranked) == len([s for s in d.series if (s, w) in d.cells]) else
                # a strategy whose runs were all flagged may have gained: the sentence is of those ranked
                f'**{w}**: in this run no strategy ranked here gains from more CPUs; the best, {best}, keeps')
        text += f' {value:.2f}× its 1-CPU throughput at {n} CPUs'
        if len(ranked) > 1:
            second, name = ranked[1]
            text += f' ({value / second:.2f} times the next, {name}, at {second:.2f}×)' if second else ''
        text += '.' + _not_told_apart(d, w, n, [s for _, s in ranked])
        text += _beyond_machine(sv, ceil, n) + _scope_sentence(d, sv, w)
        text += _amdahl_sentences(d, sp, held, series, w, n) + (' ' + trap if trap else '')
        out.append(text + _unranked(d, sp, w, n, [s for _, s in ranked]))
    return first + out + _contention_sentences(d, host_cpus)


def _workers_text(count: int) -> str:
    return f'{count} worker{"s" * (count != 1)}'


def _us(value: float) -> str:
    return f'{value:.0f}' if value >= 100 else f'{value:.3g}'


def _per_op_reading(d: Data, series: List[str], workload: str, n: int) -> str:
    """A workload whose measured workers do not grow with its CPUs (Data.fixed_workers): what one op cost
    one worker at 1 and at n CPUs, instead of a ranking by a ratio that is no speedup."""
    at, many, one = d.fixed_workers(workload)
    times = []
    for s in series:
        t1, tn = d.us_per_op(s, workload, 1), d.us_per_op(s, workload, n)
        if t1 is not None and tn is not None:
            times.append(f'{s} {_us(t1)} → {_us(tn)} µs')
    return (f'**{workload}** is no scaling measure: at {at} CPUs {_workers_text(many)} did the measured op, '
            f'against {_workers_text(one)} at 1 CPU, so its {at}-CPU run over its 1-CPU run compares one op at '
            'two CPU counts and is not a speedup; it is not ranked. ' +
            (f'Time of one op of one worker, 1 → {n} CPUs: {"; ".join(times)}.' if times else ''))


# A lead the best strategy's pairs hold over another's in fewer than this share of all pairings of the two is
# the host's as much as the kernel's (a one-sided rank test's level: 4.7 % at 6 and 6 pairs, 7.5 % at 5 and 5).
TELL_APART = 0.8


def _not_told_apart(d: Data, workload: str, n: int, ranked: List[str]) -> str:
    """The strategies the best one's pairs do not beat in most pairings (each of its N-CPU pairs against each of
    theirs): on a noisy host a median's lead can be the host's, so the ranking does not hold between them (a
    student would repeat it)."""
    best = d.pairs.get((ranked[0], workload, n), [])
    close = []
    for s in ranked[1:]:
        other = d.pairs.get((s, workload, n), [])
        wins = sum(1 for x in best for y in other if x > y)
        if best and other and wins < TELL_APART * len(best) * len(other):
            close.append((s, f"{s}'s in {wins} of {len(best) * len(other)}"))
    if not close:
        return ''
    return (f' Its pairs were higher than {" and than ".join(text for _, text in close)} pairings (each of its '
            f'{n}-CPU pairs against each of theirs; a ranking wants {TELL_APART * 100:.0f} %): this run does not '
            f'tell {ranked[0]} from {" or ".join(s for s, _ in close)} apart.')


def _unranked(d: Data, sp: Speedups, workload: str, n: int, ranked: List[str]) -> str:
    """What a ranking rests on: the strategies that ran the workload but have no n-CPU pair the host
    left alone (not ranked), and those ranked on a single pair."""
    missing = [s for s in d.series if (s, workload) in d.cells and s not in ranked]
    single = [s for s in ranked if sp[(s, workload)][n][3] == 1]
    return ((f' Not ranked: {", ".join(missing)}, with no {n}-CPU pair of runs the host left alone.'
             if missing else '') +
            (f' From a single pair of runs, so read with care: {", ".join(single)}.' if single else ''))


def _kernel_flags(d: Data, meta: dict) -> List[str]:
    """Kernels that are not what their name says, lockdep on, single-threaded TCG."""
    out = []
    for kernel in sorted({kernel_of(r) for r in d.runs}):
        real = {r['strategy'] for r in d.runs if kernel_of(r) == kernel}
        if kernel in ORDER and real != {kernel}:
            out.append(f'The kernel named {kernel} is really {", ".join(sorted(real))} (its bench-meta record; the '
                       'configuration given with it chose another strategy): its runs are shown as that.')
    dep = sorted({kernel_of(r) for r in d.runs if r.get('lockdep') == 'on'})
    if dep:
        out.append(f'lockdep was on in {", ".join(dep)}: its checks cost more than most of what is measured, so '
                   'these numbers describe lockdep more than the locks (make bench\'s own kernels turn it off).')
    single = sorted({kernel_of(r) for r in d.runs if r.get('accel') == 'single'})
    if single or meta.get('accel') == 'single':
        out.append('QEMU ran with single-threaded TCG (ACCEL=single): the vCPUs took turns on one host thread, '
                   'so no speedup above 1 can show; use ACCEL=multi for scaling.')
    return out


def _host_flags(d: Data) -> Tuple[bool, List[str]]:
    """(whether the host was too busy to trust the run, the sentences about the host)."""
    out, n_busy = [], len(d.busy)
    busy_host = bool(d.runs) and n_busy > len(d.runs) * BUSY_SHARE
    if busy_host:
        out.append(f'**This host was busy: these numbers are not reliable.** {n_busy} of {len(d.runs)} runs '
                   f'were flagged host_busy ({bx.busy_why(d.runs, d.busy_pct)}). Run again on a quiet machine.')
    elif n_busy:
        out.append(f'{n_busy} of {len(d.runs)} runs were flagged host_busy ({bx.busy_why(d.runs, d.busy_pct)}): '
                   'they are drawn hollow and left out of every number below.')
    even = [r['thread_ops_min'] / r['thread_ops_max'] for r in d.runs if r['workload'] == CEILING
            and r['cpus'] > 1 and r['thread_ops_max'] and not bx.left_out(r)]
    if even and min(even) < UNEVEN:
        out.append(f'This host ran the vCPUs at unequal speeds: in the {CEILING} runs (the same pure computation '
                   f'on every CPU) the slowest worker did as little as {100 * min(even):.0f} % of the fastest\'s '
                   f'work (median {100 * median(even):.0f} %). Host cores that share a physical core (SMT) or '
                   'run at different clocks do this; neither the guest nor the run-queue wait sees it. Speedups '
                   'then scatter, both ways, by as much: read the medians and the ceiling.')
    return busy_host, out


def _collapse_cause(d: Data, series: str, workload: str, n: int, value: float, host_cpus: Optional[int]) -> str:
    """The likeliest cause of a speedup below COLLAPSE at n CPUs, from what the data show."""
    # Judged from the runs the speedup counts: runs flagged host_busy are left out of it, so a busy host
    # is no cause of what the others show (it is said once, among the host's flags).
    runs = [r for r in d.cells.get((series, workload), {}).get(n, []) if not bx.left_out(r)]
    waits = [r['lock_wait_pct'] for r in runs if r['lock_wait_pct'] is not None]
    if isinstance(host_cpus, int) and n > host_cpus:
        return f'more vCPUs ({n}) than host cores ({host_cpus}): a lock holder\'s vCPU is descheduled'
    if waits and median(waits) > 50:
        return f'a lock convoy: the workers waited for locks {median(waits):.0f} % of their time'
    blocked = d.blocked(series, workload, n)
    if blocked is not None and blocked > IDLE and not d.traps_on_qemu(workload):
        # A kernel-task workload does not trap from EL0: its vCPU threads block when their guest CPUs idle.
        return (f'the CPUs sat idle: their vCPU threads were blocked {blocked:.0f} % of the time, which for '
                'a workload that does not trap from EL0 is the guest CPU asleep in wfi, waiting to be woken '
                '(lock wait ' + (f'{median(waits):.0f} %' if waits else 'not measured') + ')')
    if waits and median(waits) > LOCK_SHARE:
        slower = _outside_waits(d, series, workload, n, value) or 0
        # under QEMU lockstat's own work on each contended acquisition is part of it (the caveats); lock wait
        # measured means lockstat was on
        instrumented = any(r.get('board') == 'qemu-virt' for r in runs)
        return (f'the lock: the workers waited for locks {median(waits):.0f} % of their time, short of a convoy, '
                f'and outside the waits each op took {slower:.1f}× its 1-CPU time (the lock and the data it '
                'guards moving between CPUs' + (', and under QEMU its own lock, taken on every trap' if
                                                  d.qemu_bound(workload, n) else '') +
                ('; under QEMU lockstat deepens such a collapse: see the caveats' if instrumented else '') + ')')
    if d.qemu_bound(workload, n):
        system = d.blocked(series, workload, n, 'host_vcpu_sys_pct')
        return ('QEMU itself: each op traps from EL0, and QEMU\'s TCG takes its global lock to deliver '
                'every exception and to return from it, so the vCPUs take turns there' +
                (f' (its vCPU threads were blocked in QEMU {blocked:.0f} % of the time' +
                 (f', in the host kernel {system:.0f} %' if system is not None else '') + ')'
                 if blocked is not None else '') + ' (docs/benchmarks.md, "User workloads under QEMU")')
    return ('none the data show (lock wait ' +
            (f'{median(waits):.0f} %' if waits else 'not measured') + '): the workload itself')


def _speedup_flags(d: Data, sp: Speedups, host_cpus: Optional[int]) -> List[str]:
    """Speedups above N (impossible) and below COLLAPSE (with a likely cause); workloads with no speedups."""
    out = []
    for w in d.workloads:
        fixed = d.fixed_workers(w)
        if fixed:
            at, many, one = fixed
            out.append(f'{w}: {_workers_text(many)} did the measured op at {at} CPUs, {_workers_text(one)} at 1 CPU: '
                       'its workers do not grow with the CPUs, so its ratios to the 1-CPU run are not speedups (in '
                       'the table and its speedup plot); the reading gives its time per op instead, and it is left '
                       'out of the rankings, the collapse flags, the summary figure and Amdahl\'s law.')
    for (s, w), cells in sorted(sp.items()):
        if d.fixed_workers(w):
            continue
        for n, (value, _, _, _) in sorted(cells.items()):
            if n > 1 and value > n:
                # Above N by any amount (N is physics, not a rule of thumb), so shown with the digits that say so.
                out.append(f'{s} {w}: {_x(value, n)}× at {n} CPUs is above {n}×, which cannot be: an artifact (a '
                           '1-CPU run starved by the host, vCPUs running at unequal speeds, or different work at '
                           '1 CPU), not a result.')
            elif n > 1 and round(value, 2) < COLLAPSE:     # judged as shown, as in _scope_sentence
                out.append(f'{s} {w}: collapses to {value:.2f}× at {n} CPUs; likely cause: '
                           f'{_collapse_cause(d, s, w, n, value, host_cpus)}.')
    return out


def _work_flags(d: Data) -> List[str]:
    """Workloads whose lock acquisitions per op change with the CPU count: different work, not only locks."""
    out = []
    for (s, w), cells in sorted(d.apo.items()):
        if d.fixed_workers(w):
            continue    # flagged as no speedup at all (_speedup_flags)
        base = median(cells[1]) if cells.get(1) else None
        for n, per_op in sorted(cells.items()):
            # (and by more than WORK_MIN per op: a background lock taken a few times a second is not work)
            if base and n > 1 and abs(median(per_op) / base - 1) > WORK_DIFF and abs(median(per_op) - base) > WORK_MIN:
                out.append(f'{s} {w}: {median(per_op):.2f} lock acquisitions per op at {n} CPUs against '
                           f'{base:.2f} at 1 CPU: the workload does different work at {n} CPUs, so its '
                           'speedup is not only about locks.')
    return out


def sanity(d: Data, sp: Speedups, host_cpus: Optional[int], meta: Optional[dict] = None) -> Tuple[bool, List[str]]:
    """The flags the report opens with: (busy_host, [sentences])."""
    meta = meta or {}
    warnings = meta.get('warnings')
    out = [str(w) for w in warnings or [] if w] if isinstance(warnings, list) else []
    out += _kernel_flags(d, meta)
    busy_host, host = _host_flags(d)
    return busy_host, out + host + _speedup_flags(d, sp, host_cpus) + _work_flags(d)
