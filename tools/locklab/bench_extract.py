"""Turn the benchmark records in locklab serial console logs into CSV files.

usage: bench-extract --out DIR LOG...

Each LOG is one boot's serial output. Its records (see docs/output-format.md)
are picked out of everything else printed (other lines, noise, \\r\\n line
ends): `bench-meta:` (the build), `bench:` (one per run), `lockstat:` with
workload= (one per lock class after each run; the boot-time table lines
without workload= are ignored) and `bench-end:`. All LOGs go into
DIR/results.csv (one row per run, with the fields of the latest bench-meta
before it in the same log, and the log's file name) and DIR/lockstat.csv (one
row per lock class per run); DIR is created if missing. A LOG's sibling
<name>.host (scripts/bench-run's samples of the host during each run) fills the
host_* columns; without it (a Pi's log) they stay blank. DIR/summary.csv holds
the median, min, max and n of each build x workload x CPU count, and of the
speedups of adjacent runs, over the runs not flagged host_busy that did not fail. Record lines that are
malformed (a required key missing, a mistyped value, a duplicated key, two CPUs'
records interleaved, a truncated line) are skipped; a summary per log goes to
stderr. E.g.: bench-extract --out build/bench bkl.log subsys.log fine.log

Exit status: 0 if every log had a bench-meta and a bench-end, every run said
invariants=ok, no `bench: error` line came and nothing was skipped; 1 otherwise (the CSVs still hold every
record that parsed); 2 for usage errors (no LOG, a LOG that cannot be read).

As a module (locklab.bench_extract), parse_log() gives the records of one log, see its docstring.
"""
import argparse
import csv
import os
import re
import sys
from collections import namedtuple

# The strategies a log may name: lock-strategies/Kconfig's (scripts/lock-strategies), not a list of ours.
from . import lock_strategies as ls
from .textfile import read_text


def _type(pattern, what):
    return re.compile(r'(?:%s)\Z' % pattern), what


def _enum(*words):
    return _type('|'.join(words), 'one of ' + '|'.join(words))


INT = _type(r'[0-9]+', 'a decimal integer')
NAME = _type(r'[!-~]+', 'printable ASCII')
FORMAT = 1
# Required keys of each record, in the order they are printed, and their types.
SCHEMA = {
    'bench-meta': {
        'format': INT, 'strategy': _enum(*ls.strategies()),
        'lock_alg': _enum('tas', 'ttas', 'ticket', 'mcs'), 'atomics': _enum('llsc', 'lse'),
        'spin_wait': _enum('busy', 'wfe'), 'lock_wait': _enum('spin', 'block', 'adaptive'),
        'board': NAME, 'cpus_online': INT, 'cntfrq': INT, 'lockstat': _enum('on', 'off'),
        'version': NAME, 'config': _type(r'(?:0x)?[0-9a-fA-F]+', 'hexadecimal')},
    'bench': {
        'workload': NAME, 'cpus': INT, 'repeat': INT, 'ops': INT, 'ns': INT,
        'ops_per_sec': INT, 'thread_ops_min': INT, 'thread_ops_max': INT,
        'lock_wait_pct': _type(r'[0-9]+(?:\.[0-9]+)?|na', 'a decimal number or na'),
        'invariants': _enum('ok', 'FAIL')},
    'lockstat': dict({'workload': NAME, 'cpus': INT, 'repeat': INT, 'class': NAME},
                     **{k: INT for k in (
                         'acquisitions', 'contentions', 'con_bounces', 'acq_bounces',
                         'wait_min_ns', 'wait_max_ns', 'wait_total_ns', 'hold_min_ns',
                         'hold_max_ns', 'hold_total_ns', 'trylock_fail')}),
    'bench-end': {'runs': INT, 'failed': INT},
}
PREFIXES = tuple(kind + ':' for kind in SCHEMA)
KEY = re.compile(r'[A-Za-z_][A-Za-z0-9_]*\Z')
# Serial noise that may precede a line's text: control bytes, undecodable bytes, escapes.
JUNK = re.compile(r'^(?:\x1b\[[0-9;?]*[ -/]*[@-~]|[\x00-\x1f\x7f\ufffd])+')

# bench-meta keys a kernel may print beyond the required ones; kept when present (blank when not).
# scope and classes say which locks are the strategy's real ones (the report's Amdahl curve reads them).
META_OPTIONAL = ['lockstat_hold', 'lockdep', 'duration_ms', 'repeat', 'think_ns', 'cs_ns',
                 'spin_iters_per_ms', 'hz', 'scope', 'classes', 'warmup_ms']
# bench keys kept when present (blank when not: a log printed before the key existed). workers: how many
# workers did the measured op (a workload whose workers do not grow with its CPUs has no speedup).
BENCH_OPTIONAL = ['workers']
# Every bench-meta field is a results.csv column; its repeat (runs per count) is 'repeats' there.
META_COLUMN = {'repeat': 'repeats'}
RESULTS_META = [META_COLUMN.get(k, k) for k in list(SCHEMA['bench-meta']) + META_OPTIONAL
                if k != 'format'] + ['format']
# The host's conditions during each run, from <log>.host (scripts/bench-run); blank on a Pi.
HOST_COLUMNS = ['host_vcpu_wait_pct', 'host_vcpu_blocked_pct', 'host_vcpu_sys_pct', 'host_steal_pct', 'host_load1',
                'host_window_ms', 'host_busy', 'accel', 'host_cpus', 'qemu']
COLUMNS_LATER = ('host_vcpu_blocked_pct', 'host_vcpu_sys_pct', 'warmup_ms', 'workers')   # added later: a results.csv may lack them
BUSY_WAIT_PCT = 5.0     # a run whose worst vCPU waited longer than this for a host core is host_busy=1
RESULTS_COLUMNS = RESULTS_META + list(SCHEMA['bench']) + BENCH_OPTIONAL + HOST_COLUMNS + ['log']
LOCKSTAT_META = ['strategy', 'lock_alg', 'atomics', 'spin_wait', 'lock_wait']
LOCKSTAT_COLUMNS = LOCKSTAT_META + list(SCHEMA['lockstat']) + ['log']
# summary.csv: one row per build x workload x CPU count, over the runs not flagged host_busy nor failed.
SUMMARY_KEYS = ['strategy', 'lock_alg', 'atomics', 'spin_wait', 'lock_wait', 'workload', 'cpus']
SUMMARY_COLUMNS = SUMMARY_KEYS + [
    'n', 'ops_per_sec_median', 'ops_per_sec_min', 'ops_per_sec_max', 'speedup_median', 'speedup_min',
    'speedup_max', 'speedup_pairs', 'lock_wait_pct_median', 'acq_per_op', 'host_busy_runs',
    'host_vcpu_blocked_pct_median']

# kind: 'kernel_error' (a `bench: error ...` line: what the kernel found wrong), 'malformed' (line skipped), 'no_meta' (record skipped: no valid bench-meta before
# it), 'invariants' (a run said invariants=FAIL; kept), 'end_mismatch' (bench-end's counts
# differ from the runs kept), 'no_bench_meta', 'missing_end' (line None).
Problem = namedtuple('Problem', 'kind line text')


def parse_record(line):
    """Reads one cleaned line. None if it is not a record of ours (or a boot-time
    lockstat line); else (kind, fields, error): fields the required keys' values
    (unknown keys dropped) and error None, or fields None and error saying why the
    line is malformed."""
    tokens = line.split()
    if not tokens or tokens[0] not in PREFIXES or not line.startswith(tokens[0]):
        return None
    kind = tokens[0][:-1]
    if kind == 'lockstat' and not any(t.startswith('workload=') for t in tokens):
        return None
    rest = line[len(tokens[0]):]
    for prefix in PREFIXES:
        if prefix in rest:
            return kind, None, (f'second record prefix {prefix!r} inside the line '
                                '(interleaved output?)')
    fields = {}
    for tok in tokens[1:]:
        key, eq, value = tok.partition('=')
        if not eq or not KEY.match(key):
            return kind, None, f'{tok!r} is not key=value (truncated line?)'
        if key in fields:
            return kind, None, f'duplicated key {key}'
        fields[key] = value
    schema = SCHEMA[kind]
    missing = [k for k in schema if k not in fields]
    if missing:
        return kind, None, f'missing key{"s" if len(missing) > 1 else ""} {", ".join(missing)}'
    for key, (pattern, what) in schema.items():
        if not pattern.match(fields[key]):
            return kind, None, f'{key}={fields[key]!r} is not {what}'
    if kind == 'bench-meta' and int(fields['format']) != FORMAT:
        return kind, None, f'format={fields["format"]} is not supported (this tool reads {FORMAT})'
    keep = {k: fields[k] for k in schema}
    if kind == 'bench-meta':
        keep.update({META_COLUMN.get(k, k): fields.get(k, '') for k in META_OPTIONAL})
    elif kind == 'bench':
        keep.update({k: fields.get(k, '') if INT[0].match(fields.get(k, '')) else '' for k in BENCH_OPTIONAL})
    return kind, keep, None


def _lines(source):
    if isinstance(source, (str, bytes, os.PathLike)):
        with open(source, 'rb') as f:
            data = f.read().split(b'\n')
        if data and data[-1] == b'':
            data.pop()
        return data
    return source


def parse_log(source, name=None):
    """Parses one boot's log: a path (str or os.PathLike), or an iterable of lines
    (str or bytes, line ends optional). name is the 'log' column (default: the
    path's file name, or '-' for lines). Raises OSError if the path cannot be read.

    Returns (metas, runs, lockstat_rows, problems): metas the valid bench-meta
    records as dicts (their required keys, plus 'log' and 'line', the line number);
    runs and lockstat_rows dicts keyed by RESULTS_COLUMNS / LOCKSTAT_COLUMNS, with
    the values as printed (strings; lock_wait_pct 'na' becomes ''); problems a list
    of Problem(kind, line, text), empty for a clean log."""
    if name is None:
        name = os.path.basename(os.fspath(source)) if isinstance(
            source, (str, bytes, os.PathLike)) else '-'
        name = os.fsdecode(name)
    meta, metas, runs, stats, problems = None, [], [], [], []
    since_end = fails_since_end = 0
    ended = False
    for n, raw in enumerate(_lines(source), 1):
        if isinstance(raw, bytes):
            raw = raw.decode('utf-8', 'replace')
        clean = JUNK.sub('', raw.rstrip('\r\n'))
        if clean.startswith('bench: error'):    # not a record: the kernel's words on what went wrong
            problems.append(Problem('kernel_error', n, clean[len('bench: '):]))
            continue
        rec = parse_record(clean)
        if rec is None:
            continue
        kind, fields, error = rec
        if error:
            problems.append(Problem('malformed', n, f'{kind}: {error}'))
            if kind == 'bench-meta':
                meta = None     # runs after it must not pass for the previous build's
            continue
        if kind == 'bench-end':
            runs_said, failed_said = int(fields['runs']), int(fields['failed'])
            if runs_said != since_end:
                problems.append(Problem('end_mismatch', n, f'bench-end says runs={runs_said}; '
                                        f'runs kept: {since_end}'))
            if failed_said != fails_since_end:
                problems.append(Problem('end_mismatch', n, f'bench-end says failed={failed_said}; '
                                        f'runs with invariants=FAIL: {fails_since_end}'))
            since_end = fails_since_end = 0
            ended = True
            continue
        ended = False
        if kind == 'bench-meta':
            meta = dict(fields, log=name, line=n)
            metas.append(meta)
        elif meta is None:
            problems.append(Problem('no_meta', n, f'{kind} record with no valid bench-meta '
                                    'before it'))
        elif kind == 'bench':
            row = {k: meta[k] for k in RESULTS_META}
            row.update(fields, log=name)
            row.update({k: '' for k in HOST_COLUMNS})
            if row['lock_wait_pct'] == 'na':
                row['lock_wait_pct'] = ''
            runs.append(row)
            since_end += 1
            if row['invariants'] != 'ok':
                fails_since_end += 1
                problems.append(Problem('invariants', n, f'run workload={row["workload"]} '
                                        f'cpus={row["cpus"]} repeat={row["repeat"]} said '
                                        'invariants=FAIL'))
        else:
            row = {k: meta[k] for k in LOCKSTAT_META}
            row.update(fields, log=name)
            stats.append(row)
    if not metas:
        problems.append(Problem('no_bench_meta', None, 'no valid bench-meta record'))
    if not ended:
        problems.append(Problem('missing_end', None, 'missing bench-end (log truncated?); '
                                'runs kept'))
    return metas, runs, stats, problems


def host_path(log_path):
    """Where scripts/bench-run keeps the host's conditions during a boot's runs."""
    base = os.fspath(log_path)
    return (base[:-4] if base.endswith('.log') else base) + '.host'


def add_host(runs, log_path, busy_pct=BUSY_WAIT_PCT):
    """Fills the HOST_COLUMNS of one log's runs from its .host file (host-meta: and host: records,
    key=value); returns the number of runs that had a host record. No file (a Pi's log): blank."""
    try:
        lines = read_text(host_path(log_path), errors='replace').splitlines()
    except OSError:
        return 0
    meta, per_run = {}, {}
    for line in lines:
        kind, _, rest = line.partition(': ')
        fields = dict(t.partition('=')[::2] for t in rest.split())
        if kind == 'host-meta':
            meta = {k: fields.get(k, '') for k in ('accel', 'host_cpus', 'qemu')}
        elif kind == 'host':
            per_run[(fields.get('workload'), fields.get('cpus'), fields.get('repeat'))] = fields
    found = 0
    for r in runs:
        h = per_run.get((r['workload'], r['cpus'], r['repeat']))
        r.update(meta)
        if h is None:
            continue
        found += 1
        for k in ('host_vcpu_wait_pct', 'host_vcpu_blocked_pct', 'host_vcpu_sys_pct', 'host_steal_pct', 'host_load1',
                  'host_window_ms'):
            r[k] = h.get(k, '')
        try:
            # A window much shorter than the run means its lines reached the host late, in one burst: the host
            # did not watch the run, so it cannot vouch for it, and the run is left out like a busy one.
            # n/a: QEMU was gone before the run's records were read, so no sample covers it.
            unwatched = r['host_vcpu_wait_pct'] == 'n/a' or float(r['host_window_ms']) < 0.5 * float(r['ns']) / 1e6
            r['host_busy'] = '1' if unwatched or float(r['host_vcpu_wait_pct']) > busy_pct else '0'
        except (ValueError, KeyError):
            r['host_busy'] = ''
    return found


def is_busy(r):
    return str(r.get('host_busy', '')) == '1'


def busy_why(runs, busy_pct=BUSY_WAIT_PCT):
    """Why the runs flagged host_busy among runs were flagged, as a phrase: add_host flags a run whose vCPU waited
    longer than busy_pct for a host core, and also one the host did not watch (its samples came late, or QEMU was
    gone before they were read), whose wait may be 0. A sentence that gives only the first reason for every
    flagged run states a wait that was never measured."""
    flagged = [r for r in runs if is_busy(r)]
    waited = 0
    for r in flagged:
        try:
            waited += float(r.get('host_vcpu_wait_pct')) > busy_pct
        except (TypeError, ValueError):
            pass
    wait = f'a vCPU waited more than {busy_pct:g} % of the run for a host core'
    unwatched = 'the host did not watch the whole run (its samples came late, or not at all)'
    if waited == len(flagged):
        return wait
    if not waited:
        return unwatched
    return f'{waited} because {wait}, {len(flagged) - waited} because {unwatched}'


def is_failed(r):
    """A run that said invariants=FAIL: a worker that could not start or ended early is not in its ops (ops_per_sec
    0, or a share of the workers over the whole window), and what it measured is not the workload's."""
    return str(r.get('invariants', 'ok')) != 'ok'


def left_out(r):
    """A run that no number counts: flagged host_busy, or failed (invariants=FAIL)."""
    return is_busy(r) or is_failed(r)


def run_sweeps(runs):
    """For each run, the sweep of its log it belongs to: the k-th time its (log, workload, repeat, cpus) occurs
    (one log may hold several sweeps: a self-test log, or a shell's bench calls, the same workload, repeat and
    count again)."""
    seen, out = {}, []
    for r in runs:
        k = (r['log'], r['workload'], str(r['repeat']), int(r['cpus']))
        out.append(seen.get(k, 0))
        seen[k] = out[-1] + 1
    return out


def stat_sweeps(stats):
    """For each lockstat row, the sweep of the run it belongs to (run_sweeps' numbering). A run prints its rows
    together, one per class, before its bench record: a row opens the next run of its key when the row before
    was of another run (another log, workload, repeat or count) or of the same class (a second sweep's run of
    the same key, right after the first)."""
    seen, out, key, classes = {}, [], None, set()
    for s in stats:
        k = (s['log'], s['workload'], str(s['repeat']), int(s['cpus']))
        if k != key or s['class'] in classes:
            key, classes = k, set()
            seen[k] = seen.get(k, -1) + 1
        classes.add(s['class'])
        out.append(seen[k])
    return out


def pair_speedups(runs, key):
    """Speedups from adjacent runs: {(key(run), workload, cpus): [ratio...]}, each an N-CPU run's
    ops_per_sec over the 1-CPU run of the same log, workload and repeat (the kernel rotates the
    CPU counts inside a repeat, so that run came right beside it, under the same host conditions);
    a 1-CPU run pairs with itself. Should one log hold several sweeps (run_sweeps), the k-th run of a
    count pairs with the k-th 1-CPU run. Pairs with a run flagged host_busy, or one that failed
    (invariants=FAIL), are left out."""
    sweep = run_sweeps(runs)
    ones = {(r['log'], r['workload'], str(r['repeat']), k): r for r, k in zip(runs, sweep)
            if int(r['cpus']) == 1 and not left_out(r) and int(r['ops_per_sec']) > 0}
    out = {}
    for r, k in zip(runs, sweep):
        one = ones.get((r['log'], r['workload'], str(r['repeat']), k))
        if one is None or left_out(r):
            continue
        out.setdefault((key(r), r['workload'], int(r['cpus'])), []).append(
            int(r['ops_per_sec']) / int(one['ops_per_sec']))
    return out


# Taken by waiting (a task that yields or sleeps while a lock is busy), not by the op's own work.
WAIT_CLASSES = ('runqueue',)


def acq_per_op(runs, stats):
    """For each run, its lock acquisitions of every class but WAIT_CLASSES over its ops (None: no lockstat rows,
    or no ops): the work an op does, which must not depend on the CPU count. A log with several sweeps of one
    key (run_sweeps) gives each run its own rows' count, not the sum of the sweeps'."""
    acq = {}
    for s, k in zip(stats, stat_sweeps(stats)):
        if s['class'] in WAIT_CLASSES:
            continue
        key = (s['log'], s['workload'], str(s['cpus']), str(s['repeat']), k)
        acq[key] = acq.get(key, 0) + int(s['acquisitions'])
    out = []
    for r, k in zip(runs, run_sweeps(runs)):
        key = (r['log'], r['workload'], str(r['cpus']), str(r['repeat']), k)
        out.append(acq[key] / int(r['ops']) if key in acq and int(r['ops']) else None)
    return out


def _median(xs):
    xs = sorted(xs)
    return (xs[len(xs) // 2] + xs[(len(xs) - 1) // 2]) / 2


def summarise(runs, stats):
    """The rows of summary.csv: per build (SUMMARY_KEYS) the median, min, max and n of throughput
    and of the adjacent-pair speedups, over the runs not flagged host_busy that did not fail (invariants=FAIL)."""
    build = lambda r: tuple(r[k] for k in SUMMARY_KEYS[:5])  # noqa: E731
    pairs, cells = pair_speedups(runs, build), {}
    apo = {id(r): x for r, x in zip(runs, acq_per_op(runs, stats))}
    for r in runs:
        cells.setdefault(build(r) + (r['workload'], int(r['cpus'])), []).append(r)
    rows = []
    for k, rs in cells.items():
        ok = [r for r in rs if not left_out(r)]
        tp = [int(r['ops_per_sec']) for r in ok]
        sp = pairs.get((k[:5], k[5], k[6]), [])
        lw = [float(r['lock_wait_pct']) for r in ok if r['lock_wait_pct'] not in ('', 'na', None)]
        bl = [float(b) for b in (r.get('host_vcpu_blocked_pct') for r in ok) if b not in ('', 'n/a', None)]
        ap = [apo[id(r)] for r in ok if apo[id(r)] is not None]
        f = lambda v, nd=2: '' if v is None else f'{v:.{nd}f}'  # noqa: E731
        rows.append(dict(zip(SUMMARY_KEYS, k), n=len(tp),
                         ops_per_sec_median=f(_median(tp) if tp else None, 0),
                         ops_per_sec_min=min(tp) if tp else '', ops_per_sec_max=max(tp) if tp else '',
                         speedup_median=f(_median(sp) if sp else None, 3), speedup_min=f(min(sp) if sp else None, 3),
                         speedup_max=f(max(sp) if sp else None, 3), speedup_pairs=len(sp),
                         lock_wait_pct_median=f(_median(lw) if lw else None),
                         acq_per_op=f(_median(ap) if ap else None, 3), host_busy_runs=sum(map(is_busy, rs)),
                         host_vcpu_blocked_pct_median=f(_median(bl) if bl else None)))
    return rows


def _plural(n, word):
    return f'{n} {word}{"" if n == 1 else "s"}'


GROUPS = [('kernel_error', 'error line', 'from the kernel'),
          ('malformed', 'malformed record line', 'skipped'),
          ('no_meta', 'record', 'before any valid bench-meta skipped'),
          ('invariants', 'run', 'with invariants=FAIL (kept)'),
          ('end_mismatch', None, None), ('no_bench_meta', None, None), ('missing_end', None, None)]


def summary(name, runs, stats, problems, first=5):
    """The stderr report on one log, as a list of lines."""
    out = [f'{name}: {_plural(len(runs), "run")}, {_plural(len(stats), "lockstat row")} kept']
    for kind, noun, what in GROUPS:
        found = [p for p in problems if p.kind == kind]
        if noun and found:
            at = ', '.join(str(p.line) for p in found[:first])
            at += f' (first {first} of {len(found)})' if len(found) > first else ''
            out.append(f'{name}: {_plural(len(found), noun)} {what}, at '
                       f'{"line" if len(found) == 1 else "lines"} {at}')
            out += [f'{name}:   line {p.line}: {p.text}' for p in found[:first]]
        elif found:
            out += [f'{name}: ' + (f'line {p.line}: ' if p.line else '') + p.text for p in found]
    return out


def write_csv(path, columns, rows):
    tmp = path + '.tmp'
    with open(tmp, 'w', newline='') as f:
        w = csv.DictWriter(f, columns, lineterminator='\n')
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(prog='bench-extract', description=__doc__.splitlines()[0])
    ap.add_argument('--out', required=True, metavar='DIR', help='where results.csv and '
                    'lockstat.csv go (created if missing)')
    ap.add_argument('--busy-pct', type=float, default=BUSY_WAIT_PCT, metavar='PCT',
                    help=f'flag a run host_busy when a vCPU waited more than PCT %% of it for a host core '
                         f'(default {BUSY_WAIT_PCT:g})')
    ap.add_argument('logs', nargs='*', metavar='LOG', help='serial console log of one boot')
    args = ap.parse_args(argv)
    if not args.logs:
        ap.error('no LOG given')
    all_runs, all_stats, clean, report = [], [], True, []
    for path in args.logs:
        try:
            _, runs, stats, problems = parse_log(path)
        except OSError as e:
            print(f'bench-extract: cannot read {path}: {e.strerror or e}', file=sys.stderr)
            return 2
        add_host(runs, path, args.busy_pct)
        all_runs += runs
        all_stats += stats
        clean = clean and not problems
        report += summary(os.path.basename(path), runs, stats, problems)
    results = os.path.join(args.out, 'results.csv')
    lockstat = os.path.join(args.out, 'lockstat.csv')
    try:
        os.makedirs(args.out, exist_ok=True)
        write_csv(results, RESULTS_COLUMNS, all_runs)
        write_csv(lockstat, LOCKSTAT_COLUMNS, all_stats)
        write_csv(os.path.join(args.out, 'summary.csv'), SUMMARY_COLUMNS, summarise(all_runs, all_stats))
    except OSError as e:
        print(f'bench-extract: cannot write {e.filename or args.out}: {e.strerror or e}',
              file=sys.stderr)
        return 2
    report.append(f'wrote {results} ({_plural(len(all_runs), "run")}) and {lockstat} '
                  f'({_plural(len(all_stats), "row")})')
    print('\n'.join(report), file=sys.stderr)
    return 0 if clean else 1


if __name__ == '__main__':
    sys.exit(main())
