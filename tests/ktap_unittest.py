"""KTAP v1 for unittest: runs the Python tests' TestCases as one suite and prints what tests/check.py parses."""
import argparse
import difflib
import sys
import time
import traceback
import unittest
from typing import Callable, Dict, Iterable, List, Optional, Sequence, TextIO, Type

MAX_DETAIL = 30     # lines of a failure's detail printed as diagnostics
MAX_PROBLEMS = 15   # problems of a problem-list check named in its failure


# ---- assertions the test files share ------------------------------------------------------

class Failed(AssertionError):
    """A check that did not hold; its message alone is printed (no traceback: it says what is wrong)."""


def expect(cond: object, what: str) -> None:
    if not cond:
        raise Failed(what)


def expect_eq(got: object, want: object, what: str = '') -> None:
    """Equality; two multi-line texts that differ are shown as a unified diff, want before got."""
    if got == want:
        return
    if isinstance(got, str) and isinstance(want, str) and '\n' in got + want:
        diff = difflib.unified_diff(want.splitlines(), got.splitlines(), 'want', 'got', lineterm='')
        raise Failed(f'{what} differs:\n' + '\n'.join(diff))
    raise Failed(f'{what} expected {want!r}, got {got!r}'.strip())


def expect_no_problems(problems: Sequence[str]) -> None:
    """For checks written as functions that return what they found wrong (an empty list: all good)."""
    if problems:
        more = len(problems) - MAX_PROBLEMS
        raise Failed('\n'.join(list(problems[:MAX_PROBLEMS]) + ([f'... and {more} more'] if more > 0 else [])))


def note(text: str) -> None:
    """A diagnostic line in the running case's output (before its result line), e.g. a measured time."""
    for line in str(text).splitlines():
        print(f'  # {line}', flush=True)


# ---- cases: the test_ methods of a TestCase, in file order, expanded tables included --------

def each(table: Dict[str, tuple], prefix: str) -> Callable:
    """Decorates a method of TestCase taking a table row's values: one case per row, named
    PREFIX + the row's key, in the table's order, where the method stands in the class."""
    def mark(fn: Callable) -> Callable:
        fn.ktap_table = (table, prefix)
        return fn
    return mark


class TestCase(unittest.TestCase):
    """A KTAP suite's cases. main() sets args (the parsed command line) before the first case."""
    args = argparse.Namespace()
    ktap_order: List[str] = []

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        order = []
        for name, member in list(vars(cls).items()):
            table = getattr(member, 'ktap_table', None)
            if table is None:
                if name.startswith('test_') and callable(member):
                    order.append(name)
                continue
            rows, prefix = table
            for key, values in rows.items():
                setattr(cls, f'test_{prefix}{key}', _row_case(member, values))
                order.append(f'test_{prefix}{key}')
        cls.ktap_order = order


def _row_case(method: Callable, values: tuple) -> Callable:
    def run(self):
        method(self, *values)
    return run


def case_names(case: Type[unittest.TestCase]) -> List[str]:
    """The test_ methods of a TestCase in the order the file defines them (the KTAP numbering)."""
    if issubclass(case, TestCase):
        return list(case.ktap_order)
    return [name for name in vars(case) if name.startswith('test_') and callable(getattr(case, name))]


def short_name(test: unittest.TestCase) -> str:
    return test._testMethodName[len('test_'):]


# ---- the runner ------------------------------------------------------------------------------

def _detail(err: tuple) -> str:
    """An assertion's message alone (the test said what is wrong); any other error's traceback."""
    kind, value, tb = err
    if issubclass(kind, AssertionError) and str(value):
        return str(value)
    return ''.join(traceback.format_exception(kind, value, tb))


class KtapResult(unittest.TestResult):
    """Prints one KTAP result line per test as it ends: ok, not ok (with # diagnostics), ok # SKIP;
    each case's time as a diagnostic before its result."""

    def __init__(self, suite: str, out: Optional[TextIO] = None):
        super().__init__()
        self.suite, self.out, self.number, self.started = suite, out, 0, 0.0

    def _print(self, text: str) -> None:
        print(text, file=self.out or sys.stdout, flush=True)

    def startTest(self, test: unittest.TestCase) -> None:
        super().startTest(test)
        self.number += 1
        self.started = time.monotonic()
        self._print(f'  # ktest: start {self.suite}.{short_name(test)}')

    def _result(self, test: unittest.TestCase, verdict: str, tail: str = '') -> None:
        self._print(f'  # {short_name(test)}: {time.monotonic() - self.started:.1f}s')
        self._print(f'  {verdict} {self.number} {short_name(test)}{tail}')

    def addSuccess(self, test: unittest.TestCase) -> None:
        super().addSuccess(test)
        self._result(test, 'ok')

    def _fail(self, test: unittest.TestCase, err: tuple) -> None:
        for line in _detail(err).strip().splitlines()[-MAX_DETAIL:]:
            self._print(f'  # {line}')
        self._result(test, 'not ok')

    def addFailure(self, test: unittest.TestCase, err: tuple) -> None:
        super().addFailure(test, err)
        self._fail(test, err)

    def addError(self, test: unittest.TestCase, err: tuple) -> None:
        super().addError(test, err)
        self._fail(test, err)

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:
        super().addSkip(test, reason)
        self._result(test, 'ok', f' # SKIP {reason}')


class FixtureFailed(AssertionError):
    """A class's setUpClass raised: each of its cases fails with this, naming the fixture's error."""


def _fixture_errors(case: Type[unittest.TestCase], count: int) -> List[tuple]:
    """The failures of a class's COUNT cases after its setUpClass raised (inside the except): the first
    carries the fixture's traceback, the others its one-line reason."""
    kind, value, tb = sys.exc_info()
    what = ''.join(traceback.format_exception_only(kind, value)).strip()
    reason = f'{case.__name__}.setUpClass failed, so this case did not run: {what}'
    first = ''.join(traceback.format_exception(kind, value, tb)).rstrip() + '\n' + reason
    return [(FixtureFailed, FixtureFailed(first if i == 0 else reason), None) for i in range(count)]


def _run_case_class(case: Type[unittest.TestCase], names: Iterable[str], result: KtapResult) -> None:
    """Runs a class's cases between its setUpClass and tearDownClass (a failing fixture fails them)."""
    tests = [case(name) for name in names]
    if not tests:
        return
    try:
        case.setUpClass()
    except Exception:   # any error of the fixture is its cases' failure, never a crash of the file
        for test, err in zip(tests, _fixture_errors(case, len(tests))):
            result.startTest(test)
            result.addFailure(test, err)
            result.stopTest(test)
        return
    try:
        for test in tests:
            test.run(result)
    finally:
        case.tearDownClass()


def _selected(cases: Sequence[Type[unittest.TestCase]], only: str,
              parser: argparse.ArgumentParser) -> List[tuple]:
    """(class, its case names) to run: all, or those --only names (short names, comma-separated)."""
    plan = [(case, case_names(case)) for case in cases]
    if not only:
        return plan
    wanted = set(only.split(','))
    unknown = wanted - {name[len('test_'):] for _, names in plan for name in names}
    if unknown:
        parser.error(f'unknown test {", ".join(sorted(unknown))}')
    return [(case, [n for n in names if n[len('test_'):] in wanted]) for case, names in plan]


def main(suite: str, *cases: Type[unittest.TestCase], cleanup: Optional[Callable[[], None]] = None,
         parser: Optional[argparse.ArgumentParser] = None, argv: Optional[List[str]] = None,
         out: Optional[TextIO] = None) -> int:
    """Runs the cases' tests in file order as KTAP subtest SUITE; exit status 1 if any failed.
    PARSER is the file's own options (--only is added); the parsed arguments become each class's args."""
    parser = parser or argparse.ArgumentParser(description=f'The {suite} tests (KTAP v1 on stdout).')
    parser.add_argument('--only', default='', help='comma-separated case names to run (default: all)')
    args = parser.parse_args(argv)
    plan = _selected(cases, args.only, parser)
    for case in cases:
        case.args = args
    total = sum(len(names) for _, names in plan)
    write = out or sys.stdout
    print(f'KTAP version 1\n1..1\n  KTAP version 1\n  # Subtest: {suite}\n  1..{total}', file=write, flush=True)
    result = KtapResult(suite, out)
    try:
        for case, names in plan:
            _run_case_class(case, names, result)
    finally:
        if cleanup:
            cleanup()
    print(f'{"ok" if result.wasSuccessful() else "not ok"} 1 {suite}', file=write, flush=True)
    return 0 if result.wasSuccessful() else 1
