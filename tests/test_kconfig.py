#!/usr/bin/env python3
# Checks the Kconfig files as menuconfig shows them: every option has help, every entry fits in 80 columns.
"""Run: python3 tests/test_kconfig.py   (prints KTAP v1; exit status 1 if a check fails).

A scan of the Kconfig files' text, no kconfig tools: a fraction of a second."""
import glob
import os
import re
import sys

sys.dont_write_bytecode = True      # no __pycache__ next to the script
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from ktap_unittest import expect, expect_no_problems  # noqa: E402  (tests/, beside this file)
import ktap_unittest  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
# kconfig-mconf in an 80x24 terminal shows 60 characters of an entry's text
# (measured: the rest is cut off). An int or string entry's text starts with
# its value in parentheses, a choice's ends with " (<selected>)  --->".
MENU_TEXT_WIDTH = 60


def entries():
    """(file, line, kind, name, type, prompt, default, has_help, choice members) per entry."""
    found = []
    for path in sorted(glob.glob(os.path.join(ROOT, '**', 'Kconfig'), recursive=True)):
        rel = os.path.relpath(path, ROOT)
        if rel.startswith('build'):
            continue
        cur, choice = None, None
        with open(path) as f:
            lines = f.readlines()
        for n, line in enumerate(lines, 1):
            m = re.match(r'(config|menuconfig|choice|endchoice)\b\s*(\S*)', line)
            if m:
                kind = m.group(1)
                if kind == 'endchoice':
                    choice, cur = None, None
                    continue
                cur = {'file': rel, 'line': n, 'kind': kind, 'name': m.group(2) or '(choice)',
                       'type': None, 'prompt': None, 'default': None, 'help': False,
                       'members': []}
                found.append(cur)
                if kind == 'choice':
                    choice = cur
                elif choice:
                    choice['members'].append(cur)
                continue
            if cur is None:
                continue
            m = re.match(r'\s+(bool|tristate|int|hex|string)\b\s*(?:"([^"]*)")?', line)
            if m:
                cur['type'] = m.group(1)
                cur['prompt'] = cur['prompt'] or m.group(2)
            m = re.match(r'\s+prompt\s+"([^"]*)"', line)
            if m:
                cur['prompt'] = m.group(1)
            m = re.match(r'\s+default\s+("[^"]*"|\S+)', line)
            if m and cur['default'] is None:
                cur['default'] = m.group(1).strip('"')
            if re.match(r'\s+(---)?help(---)?\s*$', line):
                cur['help'] = True
            if re.match(r'(menu|endmenu|comment|source|if|endif)\b', line):
                cur = None
    return found


def menu_text(e):
    """The longest text menuconfig draws for this entry."""
    if e['kind'] == 'choice':
        longest = max((m['prompt'] or '' for m in e['members']), key=len, default='')
        return f"{e['prompt']} ({longest})  --->"
    if e['type'] in ('int', 'hex', 'string'):
        return f"({e['default'] or ''}) {e['prompt']}"
    return e['prompt']


def check_help(all_entries):
    missing = [f"{e['file']}:{e['line']}: {e['name']}" for e in all_entries
               if e['prompt'] and not e['help']]
    return missing


def check_width(all_entries):
    return [f"{e['file']}:{e['line']}: {e['name']}: {len(menu_text(e))} > {MENU_TEXT_WIDTH}: "
            f"{menu_text(e)!r}" for e in all_entries
            if e['prompt'] and len(menu_text(e)) > MENU_TEXT_WIDTH]


def check_bench_default_points_to_the_kernel(all_entries):
    """BENCH_DEFAULT's help sends the reader to bench=help and the docs for the workloads: a list kept
    by hand here fell behind bench/ (the kernel's own table, which bench=help prints, cannot)."""
    path = os.path.join(ROOT, 'bench', 'Kconfig')
    with open(path) as f:
        text = f.read()
    m = re.search(r'config BENCH_DEFAULT\b.*?\n\s+help\n(.*?)(?=\n(?:config|menuconfig|choice|endmenu)\b)',
                  text, re.S)
    help_text = ' '.join((m.group(1) if m else '').split())
    return [f'bench/Kconfig: BENCH_DEFAULT help does not mention {w}' for w in ('bench=help', 'docs/benchmarks.md')
            if w not in help_text]


def help_text(rel, symbol):
    with open(os.path.join(ROOT, rel)) as f:
        text = f.read()
    m = re.search(r'config %s\b.*?\n\s+help\n(.*?)(?=\n(?:config|menuconfig|choice|endchoice|endmenu)\b)' % symbol,
                  text, re.S)
    return ' '.join((m.group(1) if m else '').split())


def check_hold_time_names_its_run_time_switch(all_entries):
    """LOCK_STAT_HOLD_TIME's help told the user to say n for scaling runs in QEMU, as if the kernel timed
    holds there: the harness does not (lockstat_hold=, auto by default), and n takes away the hold-time
    pass's figures, so the report's Amdahl prediction. The help names the switch and that cost."""
    help_text_ = help_text('kernel/locking/Kconfig', 'LOCK_STAT_HOLD_TIME')
    return [f'kernel/locking/Kconfig: LOCK_STAT_HOLD_TIME help does not mention {w}'
            for w in ('lockstat_hold=', 'Amdahl') if w not in help_text_]


class KconfigTests(ktap_unittest.TestCase):
    """Each check lists what it found wrong; a scan that finds almost nothing fails them all."""

    @classmethod
    def setUpClass(cls):
        cls.found = entries()
        expect(len([e for e in cls.found if e['prompt']]) > 20, 'found almost no Kconfig entries: is the scan broken?')

    def test_every_option_has_help(self):
        expect_no_problems(check_help(self.found))

    def test_entries_fit_80_columns(self):
        expect_no_problems(check_width(self.found))

    def test_bench_default_points_to_bench_help(self):
        expect_no_problems(check_bench_default_points_to_the_kernel(self.found))

    def test_hold_time_help_names_its_run_time_switch(self):
        expect_no_problems(check_hold_time_names_its_run_time_switch(self.found))


def main():
    return ktap_unittest.main('kconfig', KconfigTests)


if __name__ == '__main__':
    sys.exit(main())
