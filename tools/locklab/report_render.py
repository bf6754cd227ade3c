"""bench-report's rendering: the report's sections as blocks, written out as report.md and report.html."""
import html
import os
import re
from typing import Dict, List, Optional, Tuple

from . import bench_extract as bx
from .report_data import Data, RunFolder, kernel_of, series_key, without_lockstat
from .report_readings import COLLAPSE, WORK_DIFF, Held, Speedups, reading, sanity

TIMELINE_HOWTO = ('A few milliseconds of one run, as each CPU lived them: a row per CPU, a solid bar while it held '
                  'one of the strategy\'s locks (colour: the lock class), hatched while it waited for one; a bar '
                  'the window\'s start or end cut off runs to that edge. A window with many holds gets a second, '
                  'lower panel enlarging a shaded stretch of it (each caption says which panels its figure has). '
                  'Where bars of different rows never overlap, as under '
                  'the BKL, the CPUs took turns in the kernel; where they overlap, as under FINE, they ran in it at '
                  'once. A bar hundreds of µs long is usually the host descheduling that vCPU (scripts/bench-trace).')
# The caveats, each said where it applies: (oversubscribed host, QEMU, trapping workloads under QEMU, always).
CAVEAT_CORES = ('QEMU on a host with fewer cores than vCPUs cannot show real scaling: the vCPUs beyond the '
                "host's cores take turns on them.")
CAVEAT_QEMU = ('QEMU takes its global lock on every read of the architected counter, and lockstat hold times '
               'read it twice per lock operation: runs with hold times on serialise the vCPUs and understate '
               'scaling (docs/measuring.md).')
# Measured on 2026-12-08 (docs/measuring.md, "What the instruments cost"): 11 boots of each kernel.
CAVEAT_LOCKSTAT = (
    'lockstat itself reads the counter twice on every contended acquisition (each read taking that QEMU lock), '
    'so under QEMU it deepens the collapse of a contended lock: the BKL\'s getpid at 2 CPUs did 0.90× without '
    'lockstat and 0.60× with it (medians of 24 boots; docs/measuring.md, measured on 2026-12-08). '
    'For speedups without that cost, build the kernels without it (make bench '
    'BENCH_CONFIG=configs/nolockstat.config), at the price of the lock waits, contention and Amdahl curves.')
CAVEAT_NOSTAT = ('These kernels were built without lockstat (CONFIG_LOCK_STAT off): their speedups carry none of its '
                 'cost, and the run has no lock waits, contention figures or Amdahl curves (docs/measuring.md).')
CAVEAT_TRAPS = (
    'QEMU\'s TCG also takes that global lock to deliver every exception and to return from it: the '
    'u-* workloads trap from EL0 on every op (a system call or a page fault), so under QEMU their vCPUs '
    'take turns on QEMU itself at 2 CPUs and more (results.csv\'s host_vcpu_blocked_pct says how long '
    'each run\'s vCPU threads were blocked in QEMU, host_vcpu_sys_pct how long they spent in the host '
    'kernel, where a contended QEMU lock can cost them without blocking). The strategy that spends longest in the kernel per '
    'trap meets QEMU\'s lock least, so it can show the best speedup while being the slowest. Compare their '
    'strategies at 1 CPU (the cost of the lock at the syscall boundary), and their scaling only on '
    'hardware (docs/benchmarks.md, "User workloads under QEMU").')
CAVEAT_NOISE = ('On a small or shared host the same run can be much faster or slower than the one before it: '
                'read the medians and ratios, not single runs.')


def _qemu_caveat(d: Data) -> str:
    """CAVEAT_QEMU, then what this run did about it: its scaling runs either timed holds (said by the caveat
    that follows) or did not, and the Amdahl curves come from the hold-time pass only where there is one (a
    folder made from a serial log, or make bench --no-hold-pass, has none); and lockstat's own cost on
    contended locks (CAVEAT_LOCKSTAT)."""
    if any(r['hold_total_ns'] for r in d.stats):
        return CAVEAT_QEMU + ' ' + CAVEAT_LOCKSTAT
    return CAVEAT_QEMU + (' So the scaling runs did not time holds (boot option lockstat_hold=2, the default, times '
                          'them only on hardware); ' +
                          ('the Amdahl curves come from a separate 1-CPU pass that does (RUN/hold/).' if d.hold else
                           'nor was there a separate 1-CPU pass that does (RUN/hold/), so this run has no Amdahl '
                           'curves.') + ' ' + CAVEAT_LOCKSTAT)


def _noise_caveat(d: Data) -> str:
    """CAVEAT_NOISE, with how far this run's host speed varied where the ceiling's 1-CPU runs show it."""
    speed = d.host_speed()
    if not speed:
        return CAVEAT_NOISE
    lo, hi, runs, flagged = speed
    return (CAVEAT_NOISE + f' In this run the host did the ceiling\'s computation at {lo:.0f}–{hi:.0f} million loop '
            f'iterations per second at 1 CPU (the slowest of those runs {hi / lo:.1f}× slower than the fastest; '
            f'{runs} runs' + (f', and {flagged} more flagged host_busy, not counted' if flagged else '') +
            '): '
            'throughputs from different runs compare only within that, while each speedup pairs runs taken '
            'a few hundred ms apart.')
CSS = ('body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}'
       'table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.2em .6em;'
       'text-align:right}th{background:#eee}td:first-child,th:first-child{text-align:left}'
       'pre{background:#f4f4f4;padding:.5em;overflow-x:auto}img{max-width:100%}figure{margin:1.5em 0}')

# ('h', level, text) | ('p', text) | ('ul', [text]) | ('table', head, rows) | ('pre', text) | ('img', name, caption)
Block = tuple


def fnum(value: Optional[float], digits: int = 2) -> str:
    """A number for a table: thousands split by a space, a dash for none."""
    return '–' if value is None else f'{value:,.{digits}f}'.replace(',', ' ')


def _esc(value: object) -> str:
    return html.escape(str(value))


def _bold(text: str) -> str:
    """HTML of a text that may hold **bold**."""
    return re.sub(r'\*\*(.+?)\*\*', r'<b>\1</b>', _esc(text))


def _cell(value: object) -> str:
    """A Markdown table cell: no pipe or line break may end it early."""
    return str(value).replace('|', '\\|').replace('\n', ' ')


def _render_table(head: list, rows: list) -> Tuple[str, str]:
    md = '\n'.join(['| ' + ' | '.join(map(_cell, head)) + ' |', '|' + '---|' * len(head)] +
                   ['| ' + ' | '.join(map(_cell, row)) + ' |' for row in rows])
    ht = ('<table>\n<tr>' + ''.join(f'<th>{_esc(h)}</th>' for h in head) + '</tr>\n' +
          ''.join('<tr>' + ''.join(f'<td>{_esc(v)}</td>' for v in row) + '</tr>\n' for row in rows) + '</table>')
    return md, ht


def _render_img(name: str, caption: str) -> Tuple[str, str]:
    md = (f'![{caption}](plots/{name}.svg)  \n*{caption}* ([PNG](plots/{name}.png), '
          f'[PDF](plots/{name}.pdf), [gnuplot script](plots/{name}.gp))')
    name, caption = _esc(name), _esc(caption)
    ht = (f'<figure id="{name}"><a href="plots/{name}.png"><img src="plots/{name}.svg" alt="{caption}"></a>\n'
          f'<figcaption>{caption} (<a href="plots/{name}.png">PNG</a>, <a href="plots/{name}.pdf">PDF</a>, '
          f'<a href="plots/{name}.gp">gnuplot script</a>)</figcaption></figure>')
    return md, ht


def render(blocks: List[Block]) -> Tuple[str, str]:
    """[('h', level, text) | ('p', text) | ('ul', [text]) | ('table', head, rows) | ('pre', text) |
    ('img', name, caption)] -> (Markdown, HTML body). Text may hold **bold**."""
    md, ht, toc = [], [], []
    for kind, *args in blocks:
        if kind == 'h':
            level, text = args
            md.append('#' * level + ' ' + text)
            anchor = re.sub(r'[^a-z0-9]+', '-', text.lower()).strip('-')
            ht.append(f'<h{level} id="{anchor}">{_esc(text)}</h{level}>')
            if level == 2:
                toc.append(f'<li><a href="#{anchor}">{_esc(text)}</a></li>')
            continue
        if kind == 'p':
            pair = args[0], f'<p>{_bold(args[0])}</p>'
        elif kind == 'ul':
            pair = ('\n'.join('- ' + t for t in args[0]),
                    '<ul>\n' + ''.join(f'<li>{_bold(t)}</li>\n' for t in args[0]) + '</ul>')
        elif kind == 'table':
            pair = _render_table(*args)
        elif kind == 'pre':
            pair = '```\n' + args[0].rstrip('\n') + '\n```', f'<pre>{_esc(args[0])}</pre>'
        else:
            pair = _render_img(*args)
        md.append(pair[0])
        ht.append(pair[1])
    if toc and ht and ht[0].startswith('<h1'):   # a table of contents under the title
        ht.insert(1, '<nav><ul class="toc">\n' + '\n'.join(toc) + '\n</ul></nav>')
    return '\n\n'.join(md) + '\n', '\n'.join(ht)


def write_html(path: str, title: str, body: str) -> None:
    """A whole HTML page around a rendered body, with the report's style."""
    with open(path, 'w') as f:
        f.write(f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{html.escape(title)}'
                f'</title>\n<style>{CSS}</style></head>\n<body>\n{body}\n</body>\n</html>\n')


def _run_section(folder: RunFolder) -> List[Block]:
    """The run's metadata table, its kernels and their configurations."""
    d, meta = folder.data, folder.meta

    def given(key: str) -> object:
        return meta.get(key, 'unknown')

    blocks: List[Block] = [('h', 2, 'Run'), ('table', ['item', 'value'], [
        ['label', given('label')], ['started', given('started')], ['git revision', given('git')],
        ['QEMU', given('qemu')], ['host CPUs', given('host_cpus')],
        ['vCPUs / accel', f'{given("vcpus")} / {given("accel")}'],
        ['duration per run (ms) / repeats per boot / boots per strategy',
         f'{given("duration_ms")} / {given("repeat")} / {given("boots")}'],
        ['calibrated loop (think=, cs=, ceiling op)', _loop_speed(d, meta)],
        ['elapsed (s)', given('elapsed_s')], ['runs / lockstat rows', f'{len(d.runs)} / {len(d.stats)}']])]
    # In menu order (bkl, subsys, fine; tas ... mcs), not the order the builds happened to finish in.
    strategies, rows = dict(sorted(meta['strategies'].items(), key=lambda kv: series_key(kv[0]))), []
    for kernel in list(strategies) + sorted({kernel_of(r) for r in d.runs} - set(strategies)):
        mine = [r for r in d.runs if kernel_of(r) == kernel]
        settings = {' '.join(r[x] for x in ('lock_alg', 'atomics', 'spin_wait', 'lock_wait')) for r in mine}
        rows.append([kernel, ', '.join(sorted({r['strategy'] for r in mine})) or '–',
                     strategies.get(kernel, {}).get('status', '–'), len(mine), ', '.join(sorted(settings)),
                     ', '.join(sorted({r.get('lockdep') or '?' for r in mine}))])
    blocks += [('h', 3, 'Kernels'), ('p', 'Each kernel\'s strategy and settings as its own bench-meta record says, '
                                          'whatever it was called.'),
               ('table', ['kernel', 'strategy', 'status', 'runs', 'lock_alg atomics spin_wait lock_wait', 'lockdep'],
                rows)]
    for s, info in strategies.items():
        blocks += [('p', f'Configuration of {s} (its non-default lines):'), ('pre', str(info['config']))] \
            if info.get('config') else []
    return blocks


def _loop_speed(d: Data, meta: dict) -> str:
    """The loop iterations per ms the boots ran think=, cs= and the ceiling's op with: one figure for the
    whole sweep (bench-run's calibration boot, or spin_iters_per_ms= given), or each boot's own."""
    speeds = sorted({int(r['spin_iters_per_ms']) for r in d.runs if r.get('spin_iters_per_ms', '').isdigit()})
    said = meta.get('loop_calibration')
    if meta.get('loop_speed') and speeds == [meta['loop_speed']]:
        return f'{speeds[0]} iterations/ms in every boot: {said}'
    if len(speeds) == 1 and not said:  # given with BENCH_BOOTARGS=spin_iters_per_ms=, or one boot
        return f'{speeds[0]} iterations/ms in every boot'
    if speeds:
        return (f'calibrated at each boot: {speeds[0]}-{speeds[-1]} iterations/ms' +
                (' (an op did different work in different boots)' if len(speeds) > 1 else '') +
                (f'; {said}' if said else ''))
    return 'unknown'


def _oversubscribed(vcpus: object, host_cpus: object) -> bool:
    return isinstance(vcpus, int) and isinstance(host_cpus, int) and host_cpus < vcpus


def _reading_section(d: Data, sp: Speedups, held: Held, vcpus: object, host_cpus: object) -> List[Block]:
    """The caveats, then the reading generated from the numbers and how the Amdahl curves were taken."""
    over = _oversubscribed(vcpus, host_cpus)
    caveats = (([CAVEAT_CORES, f'This run had {vcpus} vCPUs on {host_cpus} host CPUs.'] if over else []) +
               ([CAVEAT_NOSTAT] if without_lockstat(d.runs) else
                [_qemu_caveat(d)] if any(r.get('board') == 'qemu-virt' for r in d.runs) else []) +
               ([CAVEAT_TRAPS] if any(d.traps_on_qemu(w) for w in d.workloads) else []) + [_noise_caveat(d)])
    # Only QEMU makes timed holds cost scaling (each counter read takes its global lock); on hardware they are
    # on by default (lockstat_hold=2) and cost two cheap counter reads per lock operation.
    qemu_logs = {r['log'] for r in d.runs if r.get('board') == 'qemu-virt'}
    blocks: List[Block] = [('h', 2, 'Caveats'), ('ul', caveats +
        (['Lockstat hold times were on in this run (hold_total_ns is not 0): its speedups are understated.']
         if any(r['hold_total_ns'] for r in d.stats if r['log'] in qemu_logs) else []))]
    blocks += [('h', 2, 'Reading (generated from the numbers)')]
    if _oversubscribed(vcpus, host_cpus):
        blocks += [('p', f'Read at up to {host_cpus} CPUs, the host\'s cores: beyond that vCPUs share host cores and '
                         'a lock holder\'s vCPU can be descheduled, which measures the host, not the kernel.')]
    blocks += [('ul', reading(d, sp, held, host_cpus) or ['Not enough data for a reading.'])]
    why = sorted({note for _, note in held.values() if note})
    return blocks + ([('p', 'Amdahl curves:'), ('ul', why)] if why else [])


def _speedup_cell(cell: Dict[int, tuple], cpus: int) -> str:
    if cpus not in cell:
        return '–'
    value, low, high, pairs = cell[cpus]
    # '!': a pair above N, which N CPUs cannot do (the footnote says what it is)
    return fnum(value) + (f' ({fnum(low)}–{fnum(high)}{"!" * (high > cpus)}, {pairs} pairs)' if cpus > 1 else '')


def _series_heading(d: Data) -> str:
    """'strategy' when each series is one; 'kernel' when a series also names its lock variant (fine-mcs-lse)."""
    return 'strategy' if all(d.strategy.get(s) == s for s in d.series) else 'kernel'


def _speedup_table(d: Data, sp: Speedups, held: Held) -> List[Block]:
    # Every CPU count that ran, so one whose every pair was flagged host_busy shows as dashes, not missing.
    cpus = sorted({c for cells in sp.values() for c in cells} | {int(r['cpus']) for r in d.runs})
    rows = []
    for w in d.workloads:
        for s in d.series:
            if (s, w) not in d.cells:
                continue
            fixed = d.fixed_workers(w)
            fraction = None if fixed else held.get((s, w), (None,))[0]
            rows.append([w + ' †' * bool(fixed), s] + [_speedup_cell(sp.get((s, w), {}), c) for c in cpus] +
                        [fnum(fraction, 3), fnum(1 / fraction) if fraction else '–'])
    return [('h', 2, 'Speedup over 1 CPU (median over pairs of adjacent runs: each N-CPU run over the '
                     '1-CPU run of the same repeat in the same boot)'),
            ('table', ['workload', _series_heading(d)] + [f'{c} CPU{"s" * (c > 1)}' for c in cpus] +
             ['held s (1 CPU)', 'Amdahl limit 1/s'], rows)] + (
        [('p', '† Its workers do not grow with the CPUs (bench: workers=): these ratios compare one op at two '
               'CPU counts, not throughput at scale, and no Amdahl limit applies (the reading gives its time per '
               'op).')] if any(d.fixed_workers(w) for w in d.workloads) else []) + (
        [('p', '! A pair above N at N CPUs, which N CPUs cannot do: an artifact of that pair (its 1-CPU run '
               'starved by the host, or vCPUs at unequal speeds), not a result; the median beside it is what '
               'the row reads.')] if any(high > c for cells in sp.values() for c, (_, _, high, _) in cells.items()
                                         if c > 1) else [])


def _contention_table(d: Data, host_cpus: object) -> List[Block]:
    rows = []
    for s in d.series:
        top, classes = d.contention(s, host_cpus)
        rows += [[s, top, cls, acq, cont, fnum(100 * cont / acq if acq else 0.0),
                  fnum(wait / cont / 1000 if cont else 0.0), fnum(wait_max / 1000)]
                 for cls, acq, cont, wait, wait_max in [x for x in classes if x[2]][:5]]
    return [('h', 2, f'Top 5 contended lock classes per {_series_heading(d)} (all workloads, at the largest CPU count' +
             (f' not above the host\'s {host_cpus} cores)' if isinstance(host_cpus, int) else ')')),
            ('table', [_series_heading(d), 'CPUs', 'class', 'acquisitions', 'contentions', 'contended %',
                       'avg wait (µs)', 'max wait (µs)'], rows) if rows else ('p', _no_contention(d, host_cpus))]


def _no_contention(d: Data, host_cpus: object) -> str:
    """'No contended lock class', and at which CPU count when the runs above it were all left out: under a
    heading that says 'at the largest CPU count', a bare sentence read as "no contention at 2 CPUs" when every
    2-CPU run was flagged host_busy and only 1-CPU runs, where nothing contends, were counted."""
    read = [t for t in (d.contention(s, host_cpus)[0] for s in d.series) if t]
    ran = {int(r['cpus']) for r in d.runs}
    ran = {c for c in ran if isinstance(host_cpus, int) and c <= host_cpus} or ran
    if not read or not ran or max(read) >= max(ran) or \
            any(int(r['cpus']) == max(ran) and not bx.left_out(r) for r in d.runs):
        return 'No contended lock class.'
    at = max(read)
    return (f'No contended lock class at {at} CPU{"s" * (at > 1)}, the largest count with a run left in: every run '
            f'at {max(ran)} CPUs was flagged host_busy or failed (invariants=FAIL), so this says nothing about '
            f'contention at {max(ran)} CPUs' + (' (one CPU contends with no one)' if at == 1 else '') + '.')


def _plots_section(plots: Dict[str, str], made: List[str], gnuplot_ok: bool) -> List[Block]:
    blocks: List[Block] = [('h', 2, 'Plots'), ('p', 'The data of every plot is in plots/data/, its gnuplot script '
                                                   'in plots/ (cd plots; gnuplot NAME.gp). Lock wait: one plot per '
                                                   'workload.')]
    if not gnuplot_ok:
        blocks.append(('p', 'gnuplot is not installed, so there are no images: apt-get install gnuplot-nox '
                            '(or run scripts/deps.sh), then run scripts/bench-report again.'))
    return blocks + [('img', n, c) for n, c in plots.items()
                     if n in made and n != 'summary' and not n.startswith('timeline-')]


def report_title(folder: RunFolder) -> str:
    return f'Benchmark report: {folder.meta.get("label") or os.path.basename(os.path.abspath(folder.path))}'


def report_blocks(folder: RunFolder, plots: Dict[str, str], made: List[str], gnuplot_ok: bool) -> List[Block]:
    """The whole report, section by section."""
    d, meta = folder.data, folder.meta
    sp = {(s, w): d.speedup(s, w) for s in d.series for w in d.workloads}
    held = {(s, w): d.held(s, w) for s in d.series for w in d.workloads if sp[(s, w)] and not d.fixed_workers(w)}
    _, flags = sanity(d, sp, meta.get('host_cpus'), meta)
    blocks: List[Block] = [
        ('h', 1, report_title(folder)), ('h', 2, 'Sanity checks'),
        ('ul', flags or ['Nothing flagged: no speedup above N, no collapse below '
                         f'{COLLAPSE}×, the same lock acquisitions per op (±{100 * WORK_DIFF:.0f} %) at every '
                         'CPU count, no run on a busy host.'])]
    if 'summary' in made:
        blocks += [('h', 2, 'Summary'), ('img', 'summary', plots['summary'])]
    timelines = [n for n in plots if n.startswith('timeline-') and n in made]
    if timelines:
        blocks += [('h', 2, 'Lock timelines'), ('p', TIMELINE_HOWTO)] + [('img', n, plots[n]) for n in timelines]
    else:   # said, not silently left out: README promises one per strategy
        blocks += [('h', 2, 'Lock timelines'), ('p', 'None in this run: make bench records one per strategy of '
                                                     'fs-private when WORKLOADS= runs it, and make trace '
                                                     'WORKLOAD=<name> STRATEGY=<name> one of any workload.')]
    blocks += [('h', 2, 'Failures'), ('ul', folder.failures)] if folder.failures else []
    if d.failed:
        blocks += [('p', f'{len(d.failed)} run{"s" * (len(d.failed) != 1)} with invariants=FAIL '
                         f'(above) {"are" if len(d.failed) != 1 else "is"} left out of every number and plot below: '
                         'a worker that could not start or '
                         'ended early is missing from its ops, so its throughput is not the workload\'s.')]
    blocks += [('h', 2, 'Missing data'), ('ul', folder.missing)] if folder.missing else []
    blocks += _run_section(folder)
    host_cpus = meta.get('host_cpus')
    blocks += _reading_section(d, sp, held, meta.get('vcpus'), host_cpus)
    blocks += _speedup_table(d, sp, held) + _contention_table(d, host_cpus)
    blocks += _plots_section(plots, made, gnuplot_ok)
    return blocks + ([('h', 2, 'Notes'), ('ul', folder.notes)] if folder.notes else [])


def write_report(folder: RunFolder, plots: Dict[str, str], made: List[str], gnuplot_ok: bool) -> None:
    """RUN/report.md and RUN/report.html."""
    md, body = render(report_blocks(folder, plots, made, gnuplot_ok))
    with open(os.path.join(folder.path, 'report.md'), 'w') as f:
        f.write(md)
    write_html(os.path.join(folder.path, 'report.html'), report_title(folder), body)
