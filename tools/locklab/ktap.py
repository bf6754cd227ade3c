# KTAP v1 parser and writer shared by scripts/qemu-run, tests/check.py and the self-tests.
"""Parse KTAP v1 out of a noisy serial console or a host program's output.

Anything that is not a KTAP line (printk lines, QEMU warnings, garbage) is
ignored, so the parser can be fed a raw console log.  Nesting follows the
indentation (two spaces per level by convention, but any deeper indent opens a
subtest).  What callers usually want is Report.cases(): the counted leaf cases
with dotted full names (``suite.case``), plus synthetic failures for structure
that is broken (a subtest never closed, fewer results than planned, a suite
reported ``not ok`` although none of its cases failed).

Run as a script to summarise a log:  python3 tests/ktap.py build/logs/x.log
"""
import re
import sys
from dataclasses import dataclass, field
from .textfile import read_bytes

_ANSI = re.compile(r'\x1b\[[0-9;?]*[ -/]*[@-~]')
# Control characters and undecodable bytes are console garbage; tabs become
# spaces so they do not hide a line start.
_JUNK = re.compile(r'[\x00-\x08\x0a-\x1f\x7f\ufffd]')
_LINE = re.compile(r'^( *)(\S.*?)\s*$')
_VERSION = re.compile(r'^K?TAP version \d+$')
_PLAN = re.compile(r'^1\.\.(\d+)(?:\s*#.*)?$')
_RESULT = re.compile(r'^(not )?ok (\d+)(?=\s|$)(?: -)?(.*)$')
_SUBTEST = re.compile(r'^Subtest:\s*(.*)$')
_KTEST_START = re.compile(r'^ktest: start (\S+)')


def clean_line(line):
    """Strip line ending, escape sequences and control garbage from one line."""
    line = _ANSI.sub('', line.rstrip('\r\n')).replace('\t', ' ')
    return _JUNK.sub('', line)


def split_lines(data):
    """Decode console bytes (or str) into cleaned lines; keeps a final partial line."""
    if isinstance(data, bytes):
        data = data.decode('utf-8', 'replace')
    lines = data.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    return [clean_line(l) for l in lines]


@dataclass
class Test:
    """One result line; subtests holds the results of its nested document."""
    name: str
    number: int = 0
    status: str = 'pass'        # 'pass' | 'fail' | 'skip'
    reason: str = ''            # text after '#', without a SKIP keyword
    diagnostics: list = field(default_factory=list)
    subtests: list = field(default_factory=list)
    plan: int = None
    incomplete: bool = False    # subtest opened but never closed by its result


@dataclass
class Case:
    """One counted leaf case with its dotted full name."""
    name: str
    status: str
    reason: str = ''
    diagnostics: list = field(default_factory=list)
    origin: str = 'result'      # 'result', or why it was synthesised: 'parent', 'incomplete', 'plan'


def _split_result(rest):
    """Split 'name # directive' at the first unescaped '#'."""
    m = re.match(r'^\s*((?:[^#\\]|\\.)*?)\s*(?:#\s*(.*))?$', rest)
    return m.group(1).replace('\\#', '#'), (m.group(2) or '').strip()


class _Frame:
    """A document being read at one indentation: the root or an open subtest."""
    def __init__(self, indent, name='', has_version=True):
        self.indent = indent
        self.test = Test(name)
        self.pending = []           # diagnostics waiting for the next result
        self.has_version = has_version

    @property
    def fresh(self):
        return self.test.plan is None and not self.test.subtests

    def as_incomplete(self):
        t = self.test
        t.name, t.status, t.incomplete = t.name or '(unnamed subtest)', 'fail', True
        t.diagnostics += self.pending
        return t


class Parser:
    """Line-at-a-time KTAP reader; call feed() per line, then finish()."""
    def __init__(self):
        self.documents, self.stack = [], []
        self.last_started = None
        self.running = None         # (case, indent) of a started case without result

    def feed(self, line):
        m = _LINE.match(clean_line(line))
        if not m:
            return
        indent, body = len(m.group(1)), m.group(2)
        if self.stack:
            indent = max(indent, self.stack[0].indent)
        if _VERSION.match(body):
            self._version(indent)
        elif _PLAN.match(body):
            self._plan(indent, int(_PLAN.match(body).group(1)))
        elif _RESULT.match(body):
            self._result(indent, _RESULT.match(body))
        elif body.startswith('#') and self.stack:
            self._diag(indent, body[1:].strip())

    def finish(self):
        self._close_all()
        running = self.running[0] if self.running else None
        return Report(self.documents, self.last_started, running)

    def _open_root(self, indent):
        self.stack = [_Frame(indent)]
        self.documents.append(self.stack[0].test)

    def _close_all(self):
        if self.stack:
            self._unwind(-1)
            self.stack[0].test.diagnostics += self.stack[0].pending
        self.stack = []

    def _unwind(self, indent, inclusive=False):
        # Frames deeper than a new line were abandoned (no closing result):
        # keep their results, marked incomplete, inside their parents.
        while len(self.stack) > 1 and (self.stack[-1].indent > indent or
                                       (inclusive and self.stack[-1].indent == indent)):
            frame = self.stack.pop()
            self.stack[-1].test.subtests.append(frame.as_incomplete())

    def _descend_to(self, indent):
        """Make the innermost frame sit exactly at indent."""
        if not self.stack:
            self._open_root(indent)
        self._unwind(indent)
        if self.stack[-1].indent < indent:
            self.stack.append(_Frame(indent))
        return self.stack[-1]

    def _version(self, indent):
        if not self.stack or indent <= self.stack[0].indent:
            if len(self.stack) == 1 and self.stack[0].fresh:
                return              # a repeated header, not a new document
            self._close_all()
            self._open_root(indent)
            return
        top = self.stack[-1]
        if top.indent == indent and top.fresh and not top.has_version:
            top.has_version = True  # '# Subtest:' came before the version line
            return
        self._unwind(indent, inclusive=True)
        self.stack.append(_Frame(indent))

    def _plan(self, indent, count):
        frame = self._descend_to(indent)
        if frame.test.plan is None:
            frame.test.plan = count

    def _result(self, indent, m):
        if not self.stack:
            self._open_root(indent)
        child = None
        while len(self.stack) > 1 and self.stack[-1].indent > indent:
            frame = self.stack.pop()
            if self.stack[-1].indent > indent:
                self.stack[-1].test.subtests.append(frame.as_incomplete())
            else:
                child = frame
        frame = self._descend_to(indent)
        name, directive = _split_result(m.group(3))
        status = 'fail' if m.group(1) else 'pass'
        skip = re.match(r'(?i)^skip(?:ped)?\b\s*(.*)$', directive)
        if skip:                    # 'not ok .. # SKIP' is a skip too, as in kunit
            status, directive = 'skip', skip.group(1)
        test = Test(name or '#' + m.group(2), int(m.group(2)), status, directive,
                    frame.pending)
        frame.pending = []
        if child:
            test.subtests, test.plan = child.test.subtests, child.test.plan
            test.diagnostics = test.diagnostics + child.pending
        frame.test.subtests.append(test)
        if self.running and indent <= self.running[1]:
            self.running = None

    def _diag(self, indent, text):
        sub = _SUBTEST.match(text)
        if sub and indent > self.stack[0].indent:
            top = self.stack[-1]
            if top.indent == indent and top.fresh and not top.test.name:
                top.test.name = sub.group(1)
                return
            if indent <= top.indent:
                self._unwind(indent, inclusive=True)
            frame = _Frame(indent, sub.group(1), has_version=False)
            self.stack.append(frame)
            return
        start = _KTEST_START.match(text)
        if start:
            self.last_started = start.group(1)
            self.running = (start.group(1), indent)
            return
        frame = next(f for f in reversed(self.stack) if f.indent <= indent)
        frame.pending.append(text)


def _flatten(test, prefix, out):
    for t in test.subtests:
        full = f'{prefix}.{t.name}' if prefix else t.name
        if not t.subtests:
            if t.incomplete:
                out.append(Case(full, 'fail', 'incomplete: no result line',
                                t.diagnostics, 'incomplete'))
            else:
                out.append(Case(full, t.status, t.reason, t.diagnostics))
            continue
        failed_before = sum(c.status == 'fail' for c in out)
        _flatten(t, full, out)
        if t.incomplete:
            out.append(Case(full, 'fail', 'incomplete: no result line',
                            t.diagnostics, 'incomplete'))
            continue
        _check_plan(t, full, out)
        if t.status == 'fail' and sum(c.status == 'fail' for c in out) == failed_before:
            # Otherwise a suite that fails outside its cases would count as passing.
            out.append(Case(full, 'fail', t.reason or 'reported not ok, but no case failed',
                            t.diagnostics, 'parent'))


def _check_plan(test, name, out):
    if test.plan is not None and test.plan != len(test.subtests):
        out.append(Case(name, 'fail', f'planned {test.plan} tests, got {len(test.subtests)}',
                        [], 'plan'))


@dataclass
class Report:
    documents: list             # one root Test (name '') per top-level KTAP document
    last_started: str = None    # last '# ktest: start X' seen
    in_progress: str = None     # a started case that never got its result line

    def cases(self, documents=None):
        out = []
        for doc in self.documents if documents is None else documents:
            _flatten(doc, '', out)
            _check_plan(doc, '(top-level plan)', out)
        return out


def parse(text):
    """Parse a whole log (str or bytes) into a Report."""
    parser = Parser()
    for line in split_lines(text):
        parser.feed(line)
    return parser.finish()


def _one_line(text):
    # Keep inner spacing (printk timestamps are padded) but never a line break.
    return re.sub(r'[\r\n]+', ' ', str(text)).strip()


def emit(cases, comments=(), out=None):
    """Write cases as one flat KTAP v1 document; diagnostics go before each result."""
    out = out or sys.stdout
    lines = ['KTAP version 1'] + ['# ' + _one_line(c) for c in comments]
    lines.append(f'1..{len(cases)}')
    for i, c in enumerate(cases, 1):
        lines += ['# ' + _one_line(d) for d in c.diagnostics]
        name = _one_line(c.name).replace('#', '\\#') or 'unnamed'
        reason = _one_line(c.reason)
        if c.status == 'skip':
            lines.append(f'ok {i} {name} # SKIP {reason}'.rstrip())
            continue
        if c.status == 'fail' and re.match(r'(?i)skip', reason):
            reason = 'failed: ' + reason    # must not read back as a skip
        word = 'ok' if c.status == 'pass' else 'not ok'
        lines.append(f'{word} {i} {name}' + (f' # {reason}' if reason else ''))
    out.write('\n'.join(lines) + '\n')
    out.flush()


def main(argv):
    paths = argv[1:] or ['-']
    failed = 0
    for path in paths:
        data = sys.stdin.buffer.read() if path == '-' else read_bytes(path)
        report = parse(data)
        for c in report.cases():
            word = {'pass': 'ok     ', 'fail': 'not ok ', 'skip': 'skip   '}[c.status]
            print(f'{word}{c.name}' + (f'  # {c.reason}' if c.reason else ''))
            failed += c.status == 'fail'
        if report.in_progress:
            print(f'# case started but never finished: {report.in_progress}')
        if not report.documents:
            print(f'# {path}: no KTAP found')
            failed += 1
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
