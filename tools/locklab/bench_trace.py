"""bench-trace: turn the lock timeline in a serial log (trace: records) into a CSV and a gnuplot Gantt chart.

usage: bench-trace LOG [--out DIR] [--name NAME]

A boot with the trace=<workload> option (docs/experiments.md) prints, after
that workload's run at its largest CPU count, a trace-meta: record, one
trace: record per event of the strategy's locks (ev=start: a CPU began to
take a lock, acq: it got it, rel: it let it go) and a trace-end: record
(docs/output-format.md). This pairs each CPU's events per lock into
holds (a hold or wait the window's start or end cut off runs to that
edge), writes DIR/timeline-NAME.csv (one row per hold) and
DIR/timeline-NAME.gp, and runs gnuplot on it: timeline-NAME.png, .svg and
.pdf, one row per CPU, a bar per hold coloured by lock class, the wait
before it hatched, a lock taken inside another drawn thinner on top of it.
DIR defaults to the log's folder, NAME to the trace's strategy. It prints
what it found: holds, problems, and whether holds of different CPUs
overlapped in time (never, for one lock: that is mutual exclusion; under
the BKL never at all: the CPUs take turns).

Exit status: 0 written; 1 the log has no complete trace, or events that
do not pair up (listed; the rest is drawn); 2 usage errors, a LOG that
cannot be read, gnuplot missing.

As a module (locklab.bench_trace): parse() reads a
log's traces, holds() pairs a trace's events, overlaps() finds holds of
different CPUs at the same time, write_plot() writes the CSV and script.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
from collections import namedtuple

EVENTS = ('start', 'acq', 'rel')
TRACE_RE = re.compile(r'trace: cpu=(\d+) t_ns=(\d+) ev=(start|acq|rel) class=(\S+) lock=(0x[0-9a-f]+)(?: |$)')
RECORD_RE = re.compile(r'(trace-meta|trace-end): (.*)$')
# Serial noise before a record: control bytes, escapes, undecodable bytes.
JUNK = re.compile(r'^(?:\x1b\[[0-9;?]*[ -/]*[@-~]|[\x00-\x1f\x7f\ufffd])+')
PALETTE = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf',
           '#bcbd22', '#7f7f7f']
LONG_HOLD_NS = 100000  # longer than any of the workloads' own holds: the host took the vCPU away
TERM = "size 1000,{h} noenhanced font 'Sans,10'"
PDF_TERM = "size 10in,{h}in noenhanced font 'Sans,10'"

Event = namedtuple('Event', 'cpu t ev cls lock')
# One hold of a lock by a CPU: wait from start to acq, hold from acq to rel, in ns from the window's
# start. What the window cut off is drawn to its edge (clipped): a wait or hold in progress when it
# opened from its start (or the earliest the trace allows, holds()), one still going when it closed
# until its end. acq and rel are None for a wait the window closed on: the CPU never got the lock.
Hold = namedtuple('Hold', 'cpu cls lock depth start acq rel clipped')


class Trace:
    """One trace-meta .. trace-end block: meta and end are their key=value fields (end None: cut
    short), events in log order, problems the lines that did not parse."""

    def __init__(self, meta):
        self.meta, self.end, self.events, self.problems = meta, None, [], []

    def complete_ns(self):
        """Until when every CPU's events are all there (a CPU whose buffer filled says nothing after)."""
        for src in (self.end or {}, self.meta):
            for k in ('complete_ns', 'window_ns'):
                if str(src.get(k, '')).isdigit():
                    return int(src[k])
        return max((e.t for e in self.events), default=0)

    def name(self):
        m = self.meta
        return f"{m.get('strategy', '?')}: {m.get('workload', '?')} at {m.get('cpus', '?')} CPUs"


def fields(text):
    return dict(tok.partition('=')[::2] for tok in text.split() if '=' in tok)


def parse(lines):
    """The traces of a log (an iterable of lines, str or bytes), in order."""
    traces = []
    for n, raw in enumerate(lines, 1):
        line = JUNK.sub('', (raw.decode('utf-8', 'replace') if isinstance(raw, bytes) else raw).rstrip('\r\n'))
        line = line.replace('\r', '')
        if line.startswith('trace: '):
            m = TRACE_RE.match(line)
            if not traces or traces[-1].end is not None:
                continue  # not inside a window's dump (a stray line)
            if not m:
                traces[-1].problems.append(f'line {n}: malformed trace record: {line[:80]!r}')
                continue
            cpu, t, ev, cls, lock = m.groups()
            traces[-1].events.append(Event(int(cpu), int(t), ev, cls, lock))
            continue
        m = RECORD_RE.match(line)
        if m and m.group(1) == 'trace-meta':
            traces.append(Trace(fields(m.group(2))))
        elif m and traces and traces[-1].end is None:
            traces[-1].end = fields(m.group(2))
    return traces


def open_at_start(tr, end):
    """{cpu: {lock: rel_t}}: the locks each CPU already held when the window opened (its first event
    of the lock is a release). The holds a CPU takes before such a release are taken inside it."""
    out, seen = {}, set()
    for e in tr.events:
        if e.t > end or (e.cpu, e.lock) in seen:
            continue
        seen.add((e.cpu, e.lock))
        if e.ev == 'rel':
            out.setdefault(e.cpu, {})[e.lock] = e.t
    return out


def last_release_by_others(tr, end):
    """{lock: [(t, cpu), ...]} in time order: the releases of each lock, to bound a hold whose
    acquisition the window missed (no CPU can have had the lock while another did)."""
    out = {}
    for e in tr.events:
        if e.ev == 'rel' and e.t <= end:
            out.setdefault(e.lock, []).append((e.t, e.cpu))
    for rels in out.values():
        rels.sort()
    return out


def held_since(e, since, releases):
    """When a hold released at e, whose acquisition the window missed, can first have begun: since,
    or the last release of that lock by another CPU before e if later (mutual exclusion)."""
    return max([since] + [t for t, cpu in releases.get(e.lock, ()) if t <= e.t and cpu != e.cpu])


def holds(tr):
    """Pairs each CPU's events per lock into Holds; returns (holds, problems). A CPU's events must
    come in time order, and per lock as start, acq, rel, start, ...: only the window's edges may cut
    a sequence (a lock held or waited for when it opened, or when it closed). The window runs from
    t_ns=0 to complete_ns(): a cut hold or wait is drawn to that edge, not as nothing.

    A release with nothing before it was acquired on a path that looked at the window's flag before
    the window opened, so the CPU was in that lock call, waiting or holding, from the window's start
    on: under spin waits it records nothing meanwhile (its events before the release are of locks
    taken inside this one), so it held the lock from the start, or from the last release of it by
    another CPU (then it waited until there). Under the block and adaptive waits another task may
    have run on the CPU meanwhile: the hold is known only from the CPU's previous event on. An
    acquisition with nothing before it likewise waited from the CPU's previous event, or the start."""
    end = tr.complete_ns()
    out, problems, last_t = [], [], {}
    spin = tr.meta.get('lock_wait', 'spin') == 'spin'
    outer = open_at_start(tr, end)
    releases = last_release_by_others(tr, end)
    state = {}     # (cpu, lock) -> ('wait', start, depth) | ('hold', start, acq, depth, clipped)
    held = {}      # cpu -> locks held now (for the nesting depth)
    seen = set()   # (cpu, lock) with an event already

    def depth(e):
        """Locks the CPU holds at e: those it took in the window and those held since it opened."""
        return len(held.get(e.cpu, [])) + sum(1 for lock, t in outer.get(e.cpu, {}).items()
                                              if lock != e.lock and t > e.t)

    for e in tr.events:
        if e.t > end:
            continue  # past what every CPU recorded: a CPU whose buffer filled could not say
        if e.t < last_t.get(e.cpu, 0):
            problems.append(f'cpu{e.cpu}: time goes back to {e.t} ns after {last_t[e.cpu]} ns')
        before = last_t.get(e.cpu, 0)  # the CPU's previous event, or the window's start
        last_t[e.cpu] = e.t
        key, cur, first = (e.cpu, e.lock), state.get((e.cpu, e.lock)), (e.cpu, e.lock) not in seen
        seen.add(key)
        mine = held.setdefault(e.cpu, [])
        if e.ev == 'start' and cur is None:
            state[key] = ('wait', e.t, depth(e))
        elif e.ev == 'acq' and (cur and cur[0] == 'wait' or cur is None and first):
            # No start: the window opened during the wait, which began at the CPU's previous event at the latest.
            state[key] = ('hold', cur[1], e.t, cur[2], False) if cur else ('hold', before, e.t, depth(e), True)
            mine.append(e.lock)
        elif e.ev == 'rel' and (cur and cur[0] == 'hold' or cur is None and first):
            if cur:
                start, acq, d, clipped = cur[1:]
            else:  # held when the window opened (see above)
                since = 0 if spin else before
                acq = held_since(e, since, releases)
                start, d, clipped = since if spin else acq, depth(e), True
            out.append(Hold(e.cpu, e.cls, e.lock, d, start, acq, e.t, clipped))
            state.pop(key, None)
            if e.lock in mine:
                mine.remove(e.lock)
        else:
            problems.append(f'cpu{e.cpu} t_ns={e.t}: ev={e.ev} of {e.cls} {e.lock} after '
                            f'{"nothing" if cur is None else cur[0]}: events out of order')
            state.pop(key, None)
            if e.lock in mine:
                mine.remove(e.lock)
    for (cpu, lock), cur in state.items():  # still waiting or holding when the window closed: until its end
        cls = next(e.cls for e in reversed(tr.events) if e.cpu == cpu and e.lock == lock)
        if cur[0] == 'hold':
            out.append(Hold(cpu, cls, lock, cur[3], cur[1], cur[2], end, True))
        else:
            out.append(Hold(cpu, cls, lock, cur[2], cur[1], None, None, True))
    return out, problems


def overlaps(hs, same_lock=False):
    """Pairs (a, b) of holds on different CPUs whose hold times overlap (strictly: one's release and
    the next one's acquisition at the same counter tick do not), optionally only of one lock."""
    found = []
    done = sorted((h for h in hs if h.acq is not None and h.rel is not None), key=lambda h: h.acq)
    active = []
    for h in done:
        active = [a for a in active if a.rel > h.acq]
        found += [(a, h) for a in active if a.cpu != h.cpu and (not same_lock or a.lock == h.lock)]
        active.append(h)
    return found


def class_order(hs):
    """Lock classes, the most held first (they get the first colours, and the legend's top)."""
    total = {}
    for h in hs:  # a class only waited for (the window closed first) still gets a colour
        total[h.cls] = total.get(h.cls, 0) + (h.rel - h.acq if h.acq is not None else 0)
    return sorted(total, key=lambda c: (-total[c], c))


def zoom_range(hs, end):
    """The stretch of the window the enlarged panel shows: about a dozen holds of the busiest CPU,
    from the middle of the window."""
    per_cpu = {}
    for h in hs:
        per_cpu[h.cpu] = per_cpu.get(h.cpu, 0) + (h.depth == 0)
    n = max(per_cpu.values(), default=0)
    if n <= 12:
        return 0, end
    span = -(-end * 12 // n // 1000) * 1000          # whole us, so the axis reads easily
    start = max(0, (end // 2 - span // 2) // 1000 * 1000)
    return start, min(end, start + span)


def elements(classes, csv_rel, borders, depths):
    """The plot elements: the waits (hatched) and holds (solid) of each nesting depth in turn, so a
    lock taken inside another is drawn on top of it, coloured by class through colour(); then the
    legend, one entry per class and one for hatching. Few elements: each one reads the CSV again."""
    half = '(0.36*0.6**$5)'  # a lock taken inside another (depth 1, 2..) is thinner, on top of it
    edge = "border lc rgb '#333333'" if borders else 'noborder'
    out = []
    for d in range(depths):
        # Columns: 3 class_index, 5 depth, 6 start_ns, 9 wait_ns, 10 hold_ns (a wait the window cut off ends at its end).
        out.append(f"'{csv_rel}' using (($5=={d} && $9>0)?($6+$9/2.0)/1000.0:NaN):1:($9/2000.0):{half}:(colour($3)) "
                   "with boxxyerror fs pattern 4 transparent noborder lc rgb variable notitle")
        out.append(f"'{csv_rel}' using (($5=={d} && $10>0)?($6+$9+$10/2.0)/1000.0:NaN):1:($10/2000.0):{half}:"
                   f"(colour($3)) with boxxyerror fs solid 0.85 {edge} lc rgb variable notitle")
    out += [f"NaN with boxes fs solid 0.85 lc rgb '{PALETTE[i % len(PALETTE)]}' title '{c}'"
            for i, c in enumerate(classes)]
    out.append("NaN with boxes fs pattern 4 transparent lc rgb '#555555' title 'waiting (hatched)'")
    return out


def colour_function(classes):
    """gnuplot's colour(class_index): the palette, in class order."""
    expr = ' : '.join(f'i=={i} ? {int(PALETTE[i % len(PALETTE)][1:], 16)}' for i in range(len(classes)))
    return f"colour(i) = {expr + ' : ' if expr else ''}{int('555555', 16)}\n"


def write_plot(tr, hs, pdir, name, data_dir='.'):
    """Writes pdir/<data_dir>/<name>.csv and pdir/<name>.gp (run in pdir: <name>.png, .svg, .pdf).
    Returns the caption."""
    end = tr.complete_ns()
    classes = class_order(hs)
    # Every CPU the run used gets a row, also one that took no lock in the window: that is worth seeing.
    ran = int(tr.meta['cpus']) if str(tr.meta.get('cpus', '')).isdigit() else 1
    cpus = sorted({e.cpu for e in tr.events} | set(range(ran)))
    csv_rel = os.path.join(data_dir, name + '.csv')
    with open(os.path.join(pdir, csv_rel), 'w') as f:
        f.write('cpu,class,class_index,lock,depth,start_ns,acq_ns,rel_ns,wait_ns,hold_ns,clipped\n')
        for h in sorted(hs, key=lambda h: (h.depth, h.cpu, h.acq if h.acq is not None else h.start)):
            acq = end if h.acq is None else h.acq  # a wait the window closed on: until its end
            start = h.start
            rel = acq if h.rel is None else h.rel
            f.write(f'{h.cpu},{h.cls},{classes.index(h.cls) if h.cls in classes else -1},{h.lock},{h.depth},'
                    f'{start},{"" if h.acq is None else h.acq},{"" if h.rel is None else h.rel},'
                    f'{acq - start},{rel - acq},{int(h.clipped)}\n')
    m = tr.meta
    title = (f"{m.get('strategy', '?')} ({m.get('lock_wait', '?')} locks): {m.get('workload', '?')} at "
             f"{m.get('cpus', '?')} CPUs, {end / 1000:g} us of one run")
    if tr.end and tr.end.get('dropped', '0') != '0':
        title += f" (buffers filled: {tr.end['dropped']} events dropped, drawn until {end / 1000:g} us)"
    z0, z1 = zoom_range(hs, end)
    zoom = (z0, z1) != (0, end)
    height = (max(420, 200 + 120 * len(cpus)) if zoom else max(260, 110 + 70 * len(cpus)))
    tics = ', '.join(f"'CPU {c}' {c}" for c in cpus)
    common = (f"set datafile separator ','\nset ytics ({tics})\nset yrange [{max(cpus) + 0.6}:{min(cpus) - 0.6}]\n"
              "set grid xtics\nset lmargin 9\nset rmargin 24\nset key outside right top\n" + colour_function(classes))
    depths = max((h.depth for h in hs), default=0) + 1
    xlabel = "set xlabel 'time since the window opened (us)'\n"
    whole = f"set xrange [0:{end / 1000:g}]\nplot " + ', \\\n     '.join(elements(classes, csv_rel, zoom is False, depths))
    if not zoom:  # few holds: one panel shows them all
        body = f"set title '{title}'\n{common}{xlabel}{whole}\n"
    else:
        # The whole window shows the pattern, the enlarged stretch the single holds: thousands
        # of bars of a microsecond or two blur into one band at this width.
        body = (f"set multiplot layout 2,1 title '{title}'\n{common}"
                "set title 'the whole window (the shaded part is enlarged below)'\nset xlabel ''\n"
                f"set object 1 rect from {z0 / 1000:g},graph 0 to {z1 / 1000:g},graph 1 behind fc rgb '#eeeeee' "
                f"fs solid noborder\n{whole}\nunset object 1\nunset key\n"
                f"set title 'enlarged: {z0 / 1000:g} to {z1 / 1000:g} us'\n{xlabel}"
                f"set xrange [{z0 / 1000:g}:{z1 / 1000:g}]\nplot " + ', \\\n     '.join(elements(classes, csv_rel, True, depths)) +
                "\nunset multiplot\n")
    with open(os.path.join(pdir, name + '.gp'), 'w') as f:
        f.write(f"reset\nset encoding utf8\nset terminal pngcairo {TERM.format(h=height)}\nset output '{name}.png'\n"
                f"{body}set terminal svg {TERM.format(h=height)}\nset output '{name}.svg'\n{body}"
                f"set terminal pdfcairo {PDF_TERM.format(h=height / 100)}\nset output '{name}.pdf'\n{body}"
                "unset output\n")
    return (f'Lock timeline, {tr.name()}: one row per CPU, one bar per hold of a lock (colour: its class; '
            'hatched: waiting for it; thinner: taken inside another)' + panels_caption(zoom, z0, z1))


def panels_caption(zoom, z0, z1):
    """What the figure's panels are: only a window with many holds gets the enlarged second one
    (zoom_range()), so only its caption may speak of it."""
    if not zoom:
        return '; one panel, the whole window'
    return (f'; the upper panel is the whole window, the lower one enlarges its shaded stretch '
            f'({z0 / 1000:g} to {z1 / 1000:g} us), where single holds can be told apart')


def cpu_list(cpus):
    return ('CPU ' if len(cpus) == 1 else 'CPUs ') + ', '.join(map(str, sorted(cpus)))


def few_holders(tr, hs, got):
    """The reading when fewer than two CPUs got a lock. A CPU that waited the whole time for one the
    other held (a hold in progress when the window opened counts) is one locking the other out, not
    a CPU that took no lock: the two say different things about the host and the strategy."""
    waiting = {h.cpu for h in hs} - got
    if not got:
        return (f'No CPU got a lock in this window: {cpu_list(waiting)} waited for one from when it asked '
                'until the window closed (the holder took it before the window opened and kept it; under '
                'QEMU the host may not have run the holder\'s vCPU).')
    window = tr.complete_ns()
    held = sum(h.rel - h.acq for h in hs if h.acq is not None and h.depth == 0)
    since = ' (since before the window opened)' if any(h.acq == 0 and h.clipped for h in hs) else ''
    text = (f'Only {cpu_list(got)} got a lock in this window, holding locks for '
            f'{100.0 * held / window if window else 0:.0f} % of it{since}')
    if waiting:
        # Hundreds of us in one hold is not the workload's doing (its holds take a few us) but the host's.
        host = (' (a hold that long under QEMU is usually the host descheduling the holder\'s vCPU)'
                if held >= LONG_HOLD_NS else '')
        return text + f', while {cpu_list(waiting)} waited for one and never got it: one CPU kept the others out{host}.'
    # A wait the window closed on: someone held that lock all the while and never let it go.
    stuck = [h for h in hs if h.acq is None]
    if stuck:
        return text + (f'; then {cpu_list({h.cpu for h in stuck})} waited for a lock from '
                       f'{min(h.start for h in stuck) / 1000:g} us until the window closed, and no one released it '
                       'in the window: its holder recorded nothing (under QEMU the host may not have run its vCPU).')
    return text + ('; the other CPUs took none, so it shows nothing of how they share (under QEMU the host may '
                   'not have run their vCPUs).')


def reading(tr, hs):
    """What the timeline shows, in a sentence or two computed from the holds."""
    done = [h for h in hs if h.acq is not None]  # a hold cut by the window's start or end counts
    cpus = sorted({h.cpu for h in hs})
    pairs = overlaps(done)
    window = tr.complete_ns()
    waited = sum((h.acq if h.acq is not None else window) - h.start for h in hs)
    if not hs:
        text = ('No CPU took one of the strategy\'s locks in this window: the workload takes none of them '
                'here (as getpid under FINE), so there is nothing to share.')
    elif len({h.cpu for h in done}) < 2:
        text = few_holders(tr, hs, {h.cpu for h in done})
    elif not pairs:
        text = 'No two CPUs ever held a lock at the same time: they took turns.'
    else:
        text = f'Holds on different CPUs overlapped in time {len(pairs)} times: the CPUs ran in the kernel at once.'
    ran = int(tr.meta['cpus']) if str(tr.meta.get('cpus', '')).isdigit() else len(cpus)
    share = 100.0 * waited / (window * ran) if window and ran else 0.0
    return text + f' The CPUs spent {share:.0f} % of the window waiting for locks.'


def host_wait(log, meta):
    """How long (% of the traced run) a vCPU waited for a host core, from the boot's .host file
    (scripts/bench-run samples it); None without one (a Pi 5's log)."""
    want = f"workload={meta.get('workload')} cpus={meta.get('cpus')} repeat={meta.get('repeat')} "
    try:
        with open(log[:-len('.log')] + '.host', errors='replace') as f:
            for line in f:
                m = re.search(r'host_vcpu_wait_pct=([0-9.]+)', line)
                if line.startswith('host: ' + want) and m:
                    return float(m.group(1))
    except OSError:
        pass
    return None


def timelines(run, pdir, notes, busy_pct=5.0):
    """For bench-report: a timeline per serial log in RUN that holds one (a boot with trace=),
    named after its kernel (<kernel>-boot<n>.log: timeline-<kernel>), its CSV in pdir/data/ and its
    script in pdir (run by the caller's gnuplot). Returns {name: caption}; problems go to notes. A
    traced run during which a vCPU waited for a host core more than busy_pct % says so."""
    found = []
    for log in sorted(glob.glob(os.path.join(run, '*.log'))):
        if log.endswith(('.build.log', 'extract.log', 'report.log')):
            continue
        with open(log, 'rb') as f:
            data = f.read()
        if b'trace-meta:' in data:
            found += [(log, i, tr) for i, tr in enumerate(parse(data.splitlines()))]
    kernels = [re.sub(r'(-boot[0-9]+)?\.log$', '', os.path.basename(log)) for log, _, _ in found]
    out = {}
    for (log, i, tr), kernel in zip(found, kernels):
        stem = kernel if kernels.count(kernel) == 1 else os.path.basename(log)[:-len('.log')] + (f'-{i + 1}' if i else '')
        name = 'timeline-' + re.sub(r'[^\w.-]', '_', stem)
        hs, problems = holds(tr)
        out[name] = write_plot(tr, hs, pdir, name, 'data') + '. ' + reading(tr, hs)
        wait = host_wait(log, tr.meta)
        if wait is not None and wait > busy_pct:
            out[name] += (f' But a vCPU waited for a host core {wait:.0f} % of this run (host_busy): its gaps and long '
                          'bars are the host\'s doing, not the locks\'.')
        notes += [f'{name}: {p}' for p in problems + tr.problems] + \
            ([f'{name}: the dump was cut short (no trace-end record)'] if tr.end is None else [])
    return out


def summary(tr, hs, problems):
    """One paragraph of what the trace shows, in words."""
    done = [h for h in hs if h.acq is not None]
    both = overlaps(done)
    same = overlaps(done, same_lock=True)
    cpus = sorted({h.cpu for h in done})
    out = [f'{tr.name()}: {len(tr.events)} events, {len(done)} holds '
           f'{"on CPUs " + ",".join(map(str, cpus)) if cpus else "(no CPU got a lock)"} in '
           f'{tr.complete_ns() / 1000:g} us, classes {", ".join(class_order(hs)) or "none"}']
    out.append(f'holds of different CPUs overlapping in time: {len(both)} pairs'
               + (' (the CPUs took turns)' if not both and len(cpus) > 1 else ''))
    if same:
        out.append(f'PROBLEM: {len(same)} pairs of holds of the same lock on two CPUs at once')
    out += [f'PROBLEM: {p}' for p in problems + tr.problems]
    if tr.end is None:
        out.append('PROBLEM: no trace-end record: the dump was cut short')
    return out


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('log')
    p.add_argument('--out', help="folder for the CSV and the plots (default: the log's)")
    p.add_argument('--name', help="file names' stem after timeline- (default: the trace's strategy)")
    a = p.parse_args(argv)
    try:
        with open(a.log, 'rb') as f:
            traces = parse(f)
    except OSError as e:
        print(f'bench-trace: {a.log}: {e.strerror}', file=sys.stderr)
        return 2
    if not traces:
        print(f'bench-trace: {a.log}: no trace-meta: record (boot with trace=<workload>, e.g. make trace)',
              file=sys.stderr)
        return 1
    if not shutil.which('gnuplot'):
        print('bench-trace: gnuplot not found: apt-get install gnuplot-nox (or run scripts/deps.sh)', file=sys.stderr)
        return 2
    out = a.out or os.path.dirname(os.path.abspath(a.log))
    os.makedirs(out, exist_ok=True)
    status = 0
    for i, tr in enumerate(traces):
        hs, problems = holds(tr)
        name = 'timeline-' + re.sub(r'[^\w.-]', '_', a.name or tr.meta.get('strategy', 'trace')) + \
            (f'-{i + 1}' if len(traces) > 1 else '')
        write_plot(tr, hs, out, name)
        r = subprocess.run(['gnuplot', name + '.gp'], cwd=out, stderr=subprocess.PIPE, text=True)
        lines = summary(tr, hs, problems)
        print('\n'.join(f'bench-trace: {l}' for l in lines))
        if r.returncode != 0:
            print(f'bench-trace: gnuplot failed: {r.stderr.strip()[-300:]}', file=sys.stderr)
            status = 1
        else:
            print(f'bench-trace: wrote {os.path.join(out, name)}.csv, .png, .svg, .pdf')
        status = max(status, 1 if any(l.startswith('PROBLEM') for l in lines) or tr.end is None else 0)
    return status


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
