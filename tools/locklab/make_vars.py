# Option parsing for the scripts make runs: a bad value is one line naming the make variable the user typed.
"""make bench, bench-wait, bench-ratio and randconfig-check pass make variables as options
(REPEAT=abc becomes --repeat abc). argparse's own errors name the option and come after a
usage block of options the user never typed; MakeVarParser says them in one line by the
make variable instead, through the script's own fail()."""
import argparse
import re
from typing import Callable, Dict, NoReturn


class MakeVarParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line by the make variable (names: option -> variable)."""

    def __init__(self, *args, names: Dict[str, str], fail: Callable[[str], NoReturn], **kwargs):
        super().__init__(*args, **kwargs)
        self.make_names = names
        self.fail = fail

    def error(self, message: str) -> NoReturn:
        def var(option: str) -> str:
            return self.make_names.get(option, option)

        bad_value = re.match(r"argument (\S+?)(?:/\S+)?: invalid (\S+) value: '(.*)'$", message)
        choice = re.match(r"argument (\S+?)(?:/\S+)?: invalid choice: '?([^' ]*)'? \(choose from (.*)\)$", message)
        # An empty make variable (CPUS=) leaves its option without a value.
        empty = re.match(r'argument (\S+?)(?:/\S+)?: expected one argument$', message)
        extra = re.match(r'unrecognized arguments: (.*)$', message)
        if bad_value:
            kind = {'int': 'whole number', 'float': 'number'}.get(bad_value.group(2), 'valid value')
            message = f'{var(bad_value.group(1))}={bad_value.group(3)}: not a {kind} ({bad_value.group(1)})'
        elif choice:
            message = (f'{var(choice.group(1))}={choice.group(2)}: one of {choice.group(3)} '
                       f'({choice.group(1)})').replace("'", '')
        elif empty:
            message = (f'{var(empty.group(1))} has no value (empty, or starting with -): give one, or leave '
                       f'{var(empty.group(1))}= out for its default ({empty.group(1)})')
        elif extra:
            message = (f'unexpected words {extra.group(1)!r}: a make variable\'s value with spaces? Give it without '
                       'them (LABEL=my-run), or quote it')
        self.fail(message)
