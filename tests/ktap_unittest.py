"""KTAP v1 for unittest: runs TestCase classes as one suite and prints what tests/check.py parses."""
import sys
import traceback
import unittest
from typing import Callable, List, Optional, Type

MAX_DETAIL = 30     # lines of a failure's detail printed as diagnostics


def case_names(case: Type[unittest.TestCase]) -> List[str]:
    """The test_ methods of a TestCase in the order the file defines them (the KTAP numbering)."""
    return [name for name in vars(case) if name.startswith('test_') and callable(getattr(case, name))]


def _detail(err: tuple) -> str:
    """An assertion's message alone (the test said what is wrong); any other error's traceback."""
    kind, value, tb = err
    if issubclass(kind, AssertionError) and str(value):
        return str(value)
    return ''.join(traceback.format_exception(kind, value, tb))


class KtapResult(unittest.TestResult):
    """Prints one KTAP result line per test as it ends: ok, not ok (with # diagnostics), ok # SKIP."""

    def __init__(self, suite: str, out=sys.stdout):
        super().__init__()
        self.suite, self.out, self.number = suite, out, 0

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    @staticmethod
    def short_name(test: unittest.TestCase) -> str:
        return test._testMethodName[len('test_'):]

    def startTest(self, test: unittest.TestCase) -> None:
        super().startTest(test)
        self.number += 1
        self._print(f'  # ktest: start {self.suite}.{self.short_name(test)}')

    def addSuccess(self, test: unittest.TestCase) -> None:
        super().addSuccess(test)
        self._print(f'  ok {self.number} {self.short_name(test)}')

    def _fail(self, test: unittest.TestCase, err: tuple) -> None:
        for line in _detail(err).strip().splitlines()[-MAX_DETAIL:]:
            self._print(f'  # {line}')
        self._print(f'  not ok {self.number} {self.short_name(test)}')

    def addFailure(self, test: unittest.TestCase, err: tuple) -> None:
        super().addFailure(test, err)
        self._fail(test, err)

    def addError(self, test: unittest.TestCase, err: tuple) -> None:
        super().addError(test, err)
        self._fail(test, err)

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:
        super().addSkip(test, reason)
        self._print(f'  ok {self.number} {self.short_name(test)} # SKIP {reason}')


def main(suite: str, *cases: Type[unittest.TestCase], cleanup: Optional[Callable[[], None]] = None) -> int:
    """Runs the cases' tests in file order as KTAP subtest SUITE; exit status 1 if any failed."""
    tests = unittest.TestSuite(case(name) for case in cases for name in case_names(case))
    print(f'KTAP version 1\n1..1\n  KTAP version 1\n  # Subtest: {suite}\n  1..{tests.countTestCases()}',
          flush=True)
    result = KtapResult(suite)
    try:
        tests.run(result)
    finally:
        if cleanup:
            cleanup()
    print(f'{"ok" if result.wasSuccessful() else "not ok"} 1 {suite}', flush=True)
    return 0 if result.wasSuccessful() else 1
