#!/usr/bin/env python3
"""The lock timeline (trace= boot option, scripts/bench-trace): real boots under BKL and FINE, bad options, the parser.

usage: test_lock_trace.py --image bkl=PATH --image fine=PATH [--workdir DIR]
Boots each kernel on 2 parallel vCPUs with fs-private traced and reads the
events it dumps (not the picture): every CPU's events in time order, each
lock's as start, acq, rel; no lock held by two CPUs at once; under the BKL
no two holds of different CPUs overlap at all (the CPUs take turns), while
under FINE some do. A window in which the host let only one vCPU run shows
nothing either way: that boot is repeated (at most 5 times) and said so.
A bad trace= is refused in one line, and make trace passes bench-run what
it says. The parser on made-up logs: edges of the window, noise,
out-of-order events, a full buffer; holds cut by the window's edges drawn to
them, in the CSV and the caption. Prints KTAP v1.
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.realpath(__file__))
ROOT = os.path.dirname(HERE)
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(ROOT, 'tools'))
from locklab import bench_trace as bt  # noqa: E402
sys.path.insert(0, HERE)
from ktap_unittest import expect_no_problems, note  # noqa: E402  (tests/, beside this file)
import ktap_unittest  # noqa: E402

MIN_HOLDS = 10   # per CPU: fewer means the host ran that vCPU for almost none of the window
# A window needs both vCPUs running at once; on a 2-core host that something else keeps busy, one
# often runs alone for milliseconds (with other builds and QEMUs beside it, 4 of 6 runs found no
# such window in 3 boots; on the quiet host the first boot nearly always did).
TRIES = 5


def boot(image, bootargs, log, cpus=2):
    """One boot through scripts/qemu-run; returns the serial log's text."""
    subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'qemu-run'), '--quiet', '--no-ktap', '--image',
                    image, '--cpus', str(cpus), '--accel', 'multi', '--timeout', '60', '--bootargs', bootargs,
                    '--log', log], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(log, errors='replace') as f:
        return f.read()


def traced(image, work, name):
    """Boots until a window shows both CPUs at work (at most TRIES boots). Returns (trace, holds,
    problems, notes): problems are failures, notes what the retries were for."""
    notes = []
    for attempt in range(1, TRIES + 1):
        log = os.path.join(work, f'{name}-{attempt}.log')
        # 5 ms, not make bench's 2: more chance that the host runs both vCPUs in it.
        text = boot(image, 'ktest=none bench=fs-private cpus=2 duration_ms=30 trace=fs-private trace_us=5000', log)
        traces = bt.parse(text.splitlines())
        if len(traces) != 1 or traces[0].end is None:
            return None, [], [f'{log}: {len(traces)} traces, end record {"missing" if traces else "-"}'], notes
        tr = traces[0]
        hs, problems = bt.holds(tr)
        problems += tr.problems
        if tr.meta.get('workload') != 'fs-private' or tr.meta.get('cpus') != '2' or tr.meta.get('strategy') != name:
            problems.append(f'trace-meta says {tr.meta}')
        if int(tr.end.get('events', -1)) != len(tr.events):
            problems.append(f'trace-end says events={tr.end.get("events")}, the log has {len(tr.events)}')
        if problems:
            return tr, hs, problems, notes
        per_cpu = {c: sum(1 for h in hs if h.cpu == c and h.acq is not None) for c in (0, 1)}
        if min(per_cpu.values()) >= MIN_HOLDS:
            return tr, hs, [], notes
        notes.append(f'boot {attempt}: holds per CPU {per_cpu}: the host ran one vCPU for most of the window')
    return tr, hs, [f'no window with {MIN_HOLDS} holds on each CPU in {TRIES} boots: the host never ran both '
                    'vCPUs at once (is it busy?)'], notes


def bkl_cpus_take_turns(a, work):
    tr, hs, problems, notes = traced(a.images['bkl'], work, 'bkl')
    if problems:
        return problems, notes
    classes = {h.cls for h in hs}
    if classes != {'bkl'}:
        problems.append(f'under the BKL the strategy locks are {classes}, not only bkl')
    both = bt.overlaps(hs)
    problems += [f'cpu{x.cpu} held {x.cls} {x.acq}-{x.rel} ns while cpu{y.cpu} held {y.cls} {y.acq}-{y.rel} ns'
                 for x, y in both[:5]]
    order = [h.cpu for h in sorted((h for h in hs if h.acq is not None), key=lambda h: h.acq)]
    turns = sum(1 for x, y in zip(order, order[1:]) if x != y)
    if turns < 2:
        problems.append(f'the BKL changed CPUs {turns} times in the window: no turns to check')
    notes.append(f'{len(hs)} holds of the BKL, {turns} hand-overs between the CPUs, none overlapping')
    return problems, notes


def fine_holds_overlap(a, work):
    notes, problems = [], []
    for attempt in range(1, TRIES + 1):
        tr, hs, problems, more = traced(a.images['fine'], work, 'fine')
        notes += more
        if problems:
            return problems, notes
        same = bt.overlaps(hs, same_lock=True)
        problems += [f'cpu{x.cpu} and cpu{y.cpu} held {x.cls} {x.lock} at once ({x.acq}-{x.rel}, {y.acq}-{y.rel} ns)'
                     for x, y in same[:5]]
        both = bt.overlaps(hs)
        if problems or both:
            notes.append(f'{len(hs)} holds of {len({h.cls for h in hs})} classes; {len(both)} pairs of holds '
                         'on different CPUs overlap in time')
            return problems, notes
        notes.append(f'try {attempt}: both CPUs took locks but never at once (the host alternated them?)')
    return [f'under FINE no holds of the two CPUs overlapped in {TRIES} windows'], notes


def bad_trace_option(a, work):
    problems = []
    for args, want in (('bench=fs-private trace=nosuch', 'bench: error: trace=nosuch: unknown workload (known: '),
                       ('bench=mm trace=fs-private',
                        'bench: error: trace=fs-private: that workload is not among those bench=mm runs')):
        text = boot(a.images['fine'], f'ktest=none cpus=1 duration_ms=10 {args}', os.path.join(work, 'bad.log'), 1)
        lines = [l.strip() for l in text.splitlines()]
        if not any(l.startswith(want) for l in lines):
            problems.append(f'{args}: no line starting {want!r}')
        if not any(l.startswith('shutdown: status=fail') for l in lines) or any(l.startswith('bench: workload=')
                                                                                 for l in lines):
            problems.append(f'{args}: the boot ran benchmarks or did not fail')
    return problems, []


def make_trace_target(a, work):
    """make trace as a user types it: what it asks scripts/bench-run for (make -n: building a kernel
    would take this test a minute), and a workload that does not exist refused in one line."""
    problems = []
    out = subprocess.run(['make', '-s', '-n', '-C', ROOT, f'O={work}/make', 'trace', 'WORKLOAD=mm', 'STRATEGY=bkl'],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    args = out.replace('\\\n', ' ').split()
    for want in (['--trace', 'mm'], ['--strategies', 'bkl'], ['--no-hold-pass']):
        if not any(args[i:i + len(want)] == want for i in range(len(args))):
            problems.append(f'make -n trace WORKLOAD=mm STRATEGY=bkl does not pass {" ".join(want)}: {out.strip()[-300:]}')
    # argparse keeps an option's last value: these must come after make bench's own.
    for opt, want in (('--workloads', 'mm'), ('--boots', '1'), ('--repeat', '1')):
        given = [args[i + 1] for i, x in enumerate(args[:-1]) if x == opt]
        if not given or given[-1] != want:
            problems.append(f'make trace: the last {opt} is {given[-1] if given else "missing"}, not {want}')
    # The workload is checked against the kernel's own table (once it is built: here, a prebuilt one).
    if 'fine' in a.images:
        p = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'bench-run'), '--strategies', 'fine',
                            '--image', f'fine={a.images["fine"]}', '--cpus', '1', '--repeat', '1', '--boots', '1',
                            '--no-hold-pass', '--workloads', 'mm', '--trace', 'fs-private',
                            '--results', os.path.join(work, 'results')],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines = [l for l in p.stdout.splitlines() if l.strip() and not l.lstrip().startswith(('BENCH', 'bench:'))]
        if p.returncode == 0 or not any('trace fs-private: not among the workloads run (mm)' in l for l in lines):
            problems.append(f'bench-run --workloads mm --trace fs-private: exit {p.returncode}, {p.stdout.strip()[-300:]}')
    return problems, []


LOG = """noise before
bench-meta: format=1 strategy=fine
trace-meta: workload=fs-private cpus=3 repeat=0 strategy=fine lock_wait=spin window_ns=1000 events_max=16\r
trace: cpu=0 t_ns=0 ev=rel class=inode lock=0x100
trace: cpu=0 t_ns=100 ev=start class=inode lock=0x100
\x1b[0mtrace: cpu=1 t_ns=150 ev=acq class=file lock=0x200
trace: cpu=0 t_ns=200 ev=acq class=inode lock=0x100
trace: cpu=0 t_ns=250 ev=start class=page lock=0x300
trace: cpu=0 t_ns=260 ev=acq class=page lock=0x300
trace: cpu=0 t_ns=270 ev=rel class=page lock=0x300
trace: cpu=0 t_ns=300 ev=rel class=inode lock=0x100
trace: cpu=1 t_ns=300 ev=rel class=file lock=0x200
trace: cpu=1 t_ns=300 ev=start class=inode lock=0x100
trace: cpu=1 t_ns=320 ev=acq class=inode lock=0x100
trace: cpu=1 t_ns=900 ev=start class=file lock=0x200
trace: cpu=2 t_ns=500 ev=rel class=page lock=0x300
trace-end: events=13 dropped=0 complete_ns=1000
"""


def parser_on_made_up_logs(a, work):
    problems = []
    tr, = bt.parse(LOG.splitlines())
    hs, bad = bt.holds(tr)
    got = sorted(((h.cpu, h.cls, h.depth, h.start, h.acq, h.rel, h.clipped) for h in hs), key=str)
    want = sorted([(0, 'inode', 0, 0, 0, 0, True), (0, 'inode', 0, 100, 200, 300, False),
            (0, 'page', 1, 250, 260, 270, False), (1, 'file', 1, 900, None, None, True),
            (1, 'file', 0, 0, 150, 300, True), (1, 'inode', 0, 300, 320, 1000, True),
            (2, 'page', 0, 0, 270, 500, True)], key=str)
    if bad or got != want:
        problems.append(f'holds {got}, problems {bad}')
    # cpu1's file hold (150-300) overlaps cpu0's inode and page holds; cpu0's inode release at 300 and
    # cpu1's inode acquisition at 320 do not overlap, nor would they at the same tick. cpu2's page
    # was acquired on a path that looked at the flag before the window opened, and under spin waits
    # it was in that lock call from the window's start on; but cpu0 held that page until 270, so
    # cpu2 waited until then and held it from 270 to 500: no overlap of one lock on two CPUs.
    pairs = sorted((x.cls, y.cls) for x, y in bt.overlaps(hs))
    if pairs != [('file', 'inode'), ('file', 'page'), ('file', 'page'), ('inode', 'page'), ('page', 'inode')] or \
            bt.overlaps(hs, same_lock=True):
        problems.append(f'overlaps {pairs}')
    broken = LOG.replace('t_ns=260 ev=acq', 't_ns=260 ev=rel').replace('t_ns=320 ev=acq', 't_ns=20 ev=acq')
    _, bad = bt.holds(bt.parse(broken.splitlines())[0])
    if not any('ev=rel of page' in b and 'out of order' in b for b in bad) or \
            not any('time goes back to 20 ns' in b for b in bad):
        problems.append(f'a release before the acquisition and time going back gave {bad}')
    # A CPU whose buffer filled: nothing after its last event is trusted, on any CPU.
    full = LOG.replace('dropped=0 complete_ns=1000', 'dropped=5 complete_ns=300')
    hs, bad = bt.holds(bt.parse(full.splitlines())[0])
    if max(h.rel or 0 for h in hs) != 300 or any(h.acq == 320 for h in hs):
        problems.append(f'with complete_ns=300: {hs}')
    if bt.parse((LOG.replace('trace-end:', 'x') + 'trace: cpu=0 t_ns=5 ev=acq class=x lock=0x1\n').splitlines())[0].end:
        problems.append('a dump without trace-end counts as complete')
    # A window in which no CPU took a lock (getpid under FINE) is said to be that, not blamed on the host.
    empty, = bt.parse([l for l in LOG.splitlines() if not l.lstrip('\x1b[0m').startswith('trace:')])
    text = bt.reading(empty, bt.holds(empty)[0])
    if not text.startswith('No CPU took one of the strategy\'s locks in this window') or 'host' in text:
        problems.append(f'an empty window reads: {text}')
    # The command line: a CSV with one row per hold and a picture; a log without a trace is refused.
    log = os.path.join(work, 'made-up.log')
    with open(log, 'w') as f:
        f.write(LOG)
    p = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'bench-trace'), log, '--out', work],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    rows = open(os.path.join(work, 'timeline-fine.csv')).read().splitlines() if p.returncode == 0 else []
    if len(rows) != 8 or not os.path.getsize(os.path.join(work, 'timeline-fine.png')):
        problems.append(f'bench-trace exit {p.returncode}, {len(rows)} CSV lines: {p.stdout.strip()[-300:]}')
    with open(log, 'w') as f:
        f.write('bench-end: runs=0 failed=0\n')
    p = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'bench-trace'), log],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 1 or 'no trace-meta' not in p.stdout:
        problems.append(f'a log without a trace: exit {p.returncode}, {p.stdout.strip()}')
    return problems, []


# Run 20261207-003343-bench's BKL window: cpu1 held the BKL from before the window opened until
# 1.6 ms, cpu0 waited for it from 22 us to the end; then cpu1 waited for it again (cpu0 got it, but
# its acquisition was not recorded before the window closed).
MID_HOLD = """trace-meta: workload=fs-private cpus=2 repeat=0 strategy=bkl lock_wait=spin window_ns=2000000 events_max=4096
trace: cpu=0 t_ns=21856 ev=start class=bkl lock=0x4027fb40
trace: cpu=1 t_ns=1606944 ev=rel class=bkl lock=0x4027fb40
trace: cpu=1 t_ns=1621456 ev=start class=bkl lock=0x4027fb40
trace-end: events=3 dropped=0 complete_ns=2000000
"""
# Opens during cpu1's hold (a lock taken inside it on the way) and closes during its next one.
TURNS = """trace-meta: workload=fs-private cpus=2 repeat=0 strategy=subsys lock_wait=spin window_ns=2000000 events_max=4096
trace: cpu=0 t_ns=20000 ev=start class=fs_lock lock=0x40
trace: cpu=0 t_ns=600000 ev=acq class=fs_lock lock=0x40
trace: cpu=0 t_ns=700000 ev=rel class=fs_lock lock=0x40
trace: cpu=1 t_ns=100000 ev=start class=mm_lock lock=0x80
trace: cpu=1 t_ns=100000 ev=acq class=mm_lock lock=0x80
trace: cpu=1 t_ns=200000 ev=rel class=mm_lock lock=0x80
trace: cpu=1 t_ns=600000 ev=rel class=fs_lock lock=0x40
trace: cpu=1 t_ns=650000 ev=start class=fs_lock lock=0x40
trace: cpu=1 t_ns=700000 ev=acq class=fs_lock lock=0x40
trace-end: events=9 dropped=0 complete_ns=2000000
"""


def timeline_rows(work, name, log_text):
    """The report's timeline for a run folder holding log_text as <name>-boot1.log: (caption, CSV rows)."""
    run = os.path.join(work, 'edges-' + name)
    shutil.rmtree(run, ignore_errors=True)
    os.makedirs(os.path.join(run, 'plots', 'data'))
    with open(os.path.join(run, name + '-boot1.log'), 'w') as f:
        f.write(log_text)
    notes = []
    caption = bt.timelines(run, os.path.join(run, 'plots'), notes)['timeline-' + name]
    with open(os.path.join(run, 'plots', 'data', f'timeline-{name}.csv')) as f:
        return caption, list(csv.DictReader(f)), notes


def window_edges_cut_holds(a, work):
    """A hold in progress when the window opened is drawn from its start, one still going when it
    closed until its end: not as nothing. The caption reads them as holds, and speaks only of the
    panels its figure has."""
    problems = []
    caption, rows, notes = timeline_rows(work, 'bkl', MID_HOLD)
    got = [(r['cpu'], r['start_ns'], r['acq_ns'], r['rel_ns'], r['wait_ns'], r['hold_ns'], r['clipped']) for r in rows]
    want = [('0', '21856', '', '', '1978144', '0', '1'), ('1', '0', '0', '1606944', '0', '1606944', '1'),
            ('1', '1621456', '', '', '378544', '0', '1')]
    if sorted(got) != want or notes:
        problems.append(f'a window opening during cpu1\'s hold: CSV rows {got}, notes {notes}')
    for words in ('Only CPU 1 got a lock', 'while CPU 0 waited for one and never got it', 'one panel'):
        if words not in caption:
            problems.append(f'a window opening during cpu1\'s hold: the caption lacks {words!r}: {caption}')
    if 'took none' in caption or 'lower panel' in caption:
        problems.append(f'a window opening during cpu1\'s hold: the caption says CPU 0 took no lock, or speaks of '
                        f'a panel it lacks: {caption}')
    # Run 20261207-003343-bench's FINE window, in short: cpu0 alone at work, then waiting to the end.
    caption, _, _ = timeline_rows(work, 'fine', MID_HOLD.replace('strategy=bkl', 'strategy=fine').replace(
        'trace: cpu=0 t_ns=21856 ev=start', 'trace: cpu=0 t_ns=100 ev=start class=bkl lock=0x8\n'
        'trace: cpu=0 t_ns=100 ev=acq class=bkl lock=0x8\ntrace: cpu=0 t_ns=200 ev=rel class=bkl lock=0x8\n'
        'trace: cpu=0 t_ns=21856 ev=start').replace('trace: cpu=1 ', 'x'))
    if 'then CPU 0 waited for a lock from 21.856 us until the window closed' not in caption or 'took none' in caption:
        problems.append(f'a window in which only cpu0 got a lock, then waited for one to the end: {caption}')
    caption, rows, notes = timeline_rows(work, 'subsys', TURNS)
    got = sorted((r['cpu'], r['class'], r['depth'], r['start_ns'], r['acq_ns'], r['rel_ns'], r['hold_ns'],
                  r['clipped']) for r in rows)
    want = [('0', 'fs_lock', '0', '20000', '600000', '700000', '100000', '0'),
            ('1', 'fs_lock', '0', '0', '0', '600000', '600000', '1'),            # from the window's start
            ('1', 'fs_lock', '0', '650000', '700000', '2000000', '1300000', '1'),  # until its end
            ('1', 'mm_lock', '1', '100000', '100000', '200000', '100000', '0')]  # inside the first fs_lock
    if got != want or notes:
        problems.append(f'a window opening and closing during cpu1\'s holds: CSV rows {got}, notes {notes}')
    if 'they took turns' not in caption or 'Fewer than two' in caption or 'Only CPU' in caption:
        problems.append(f'a window opening and closing during cpu1\'s holds: the caption reads {caption}')
    # A busy window (more than a dozen holds, not inside another, on a CPU) has the enlarged lower
    # panel, and says so.
    busy = TURNS.replace('trace-end: events=9', ''.join(
        f'trace: cpu=0 t_ns={t} ev=start class=mm_lock lock=0x80\ntrace: cpu=0 t_ns={t} ev=acq class=mm_lock '
        f'lock=0x80\ntrace: cpu=0 t_ns={t + 1000} ev=rel class=mm_lock lock=0x80\n'
        for t in range(710000, 1900000, 50000)) + 'trace-end: events=81')
    caption, _, _ = timeline_rows(work, 'busy', busy)
    if 'the lower one enlarges its shaded stretch' not in caption:
        problems.append(f'a window with many holds: the caption does not speak of its lower panel: {caption}')
    return problems, []


class LockTraceTests(ktap_unittest.TestCase):
    """The boots need the bkl and fine images (--image); without them those cases are skipped."""

    @classmethod
    def setUpClass(cls):
        cls.args.images = dict(i.split('=', 1) for i in cls.args.image)
        cls.work = cls.args.workdir or tempfile.mkdtemp(prefix='lock-trace-')
        shutil.rmtree(cls.work, ignore_errors=True)
        os.makedirs(cls.work)

    def check(self, found):
        """FOUND: (problems, notes) of a check; the notes are printed either way."""
        problems, notes = found
        for line in notes:
            note(line)
        expect_no_problems(problems)

    def need_images(self):
        if not all(s in self.args.images for s in ('bkl', 'fine')):
            self.skipTest('needs --image bkl=PATH --image fine=PATH')

    def test_parser_on_made_up_logs(self):
        self.check(parser_on_made_up_logs(self.args, self.work))

    def test_window_edges_cut_holds(self):
        self.check(window_edges_cut_holds(self.args, self.work))

    def test_bkl_cpus_take_turns(self):
        self.need_images()
        self.check(bkl_cpus_take_turns(self.args, self.work))

    def test_fine_holds_overlap(self):
        self.need_images()
        self.check(fine_holds_overlap(self.args, self.work))

    def test_bad_trace_option_is_refused(self):
        self.need_images()
        self.check(bad_trace_option(self.args, self.work))

    def test_make_trace_target(self):
        self.check(make_trace_target(self.args, self.work))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--image', action='append', default=[], metavar='STRATEGY=PATH')
    ap.add_argument('--workdir')
    return ktap_unittest.main('lock_trace', LockTraceTests, parser=ap)


if __name__ == '__main__':
    sys.exit(main())
