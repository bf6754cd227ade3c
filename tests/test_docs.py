#!/usr/bin/env python3
# Checks the documents against the tree: paths, symbols, options, make commands, syscalls, records, names.
"""Run: python3 tests/test_docs.py   (prints KTAP v1; exit status 1 if a check fails).

Students type what README.md, `make help` and docs/*.md show. Each case reads those texts and the
tree (no build, no make: a fraction of a second) and lists what the documentation names that the
code does not have, or what the code prints that the documentation does not describe."""
import glob
import os
import re
import shlex
import sys

sys.dont_write_bytecode = True      # no __pycache__ next to the script
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from ktap_unittest import expect, expect_no_problems  # noqa: E402  (tests/, beside this file)
import ktap_unittest  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
# The folders of the tree a documented path may start with (results/ holds run folders, named by pattern).
TREE_DIRS = ('arch', 'bench', 'configs', 'docs', 'drivers', 'include', 'kernel', 'lock-strategies', 'loader',
             'scripts', 'tests', 'tools', 'user')
# Where `asm/x.h`, `locking/x.h`, `sys/x.h` are found: the include paths of the kernel and the user programs.
INCLUDE_DIRS = ('include', 'include/locklab', 'arch/arm64/include', 'user/include')
MAKEFILES = ('Makefile', 'tests/check.mk', 'user/user.mk')
# Paths a document names as what a test writes into a copy of the tree, and the test that writes each.
WRITTEN_BY_TESTS = {'configs/qemu_giant_defconfig': 'tests/test_bench_workload.py'}
# Lines the kernel prints with key= in them that are messages, not records (docs/output-format.md says
# so): bootargs: reports an option it refused, in words.
NOT_RECORDS = {'bootargs'}


def read(rel):
    with open(os.path.join(ROOT, rel), errors='replace') as f:
        return f.read()


def docs():
    """(name, text) of every document a user reads."""
    names = ['README.md'] + sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, 'docs', '*.md')))
    names += ['results/README.md']
    return [(n, read(n)) for n in names]


def code_spans(text):
    """(line number, code) of each inline `code` span and each line of a fenced block (a line ending in a
    backslash joined with the next), in document order."""
    spans, fenced, pending, start = [], False, '', 0
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith('```'):
            fenced = not fenced
            continue
        if fenced:
            if not pending:
                start = n
            if line.endswith('\\'):
                pending += line[:-1] + ' '
                continue
            spans.append((start, pending + line))
            pending = ''
        else:
            spans += [(n, m.group(1)) for m in re.finditer(r'`([^`]+)`', line)]
    return spans


def command_words(code, at):
    """The words after `at` (e.g. 'make', 'scripts/qemu-run') in one command of a code span: up to the
    end of the command (a comment, a pipe, ;, &&). None where the shell could not split it."""
    i = code.find(at)
    rest = re.split(r'\s#\s|\s\|\s|;|&&', code[i + len(at):] + ' ')[0]
    try:
        return shlex.split(rest)
    except ValueError:
        return None


# ---- paths -------------------------------------------------------------------------------------

def check_paths():
    """Every path into the tree a document names exists (patterns with <name>, * or $ are not paths)."""
    problems = []
    path = re.compile(r'(?<![\w./-])((?:%s)/[\w.+-]*(?:/[\w.+-]+)*)' % '|'.join(map(re.escape, TREE_DIRS)))
    header = re.compile(r'^(?:asm|locking|sys|locklab)/[\w.-]+\.h$')
    for name, text in docs():
        for n, line in enumerate(text.splitlines(), 1):
            for m in path.finditer(line):
                p, after = m.group(1).rstrip('.'), line[m.end():m.end() + 1]
                if after in ('<', '*', '$', '{') or p.endswith('/'):
                    continue
                if p in WRITTEN_BY_TESTS and os.path.basename(p) in read(WRITTEN_BY_TESTS[p]):
                    continue
                if not os.path.exists(os.path.join(ROOT, p)):
                    problems.append(f'{name}:{n}: {p} does not exist')
        for n, code in code_spans(text):
            if header.match(code) and not any(os.path.exists(os.path.join(ROOT, d, code)) for d in INCLUDE_DIRS):
                problems.append(f'{name}:{n}: header {code} is in none of {", ".join(INCLUDE_DIRS)}')
    return problems


# ---- Kconfig symbols ---------------------------------------------------------------------------

def kconfig_files():
    return sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, '**', 'Kconfig'), recursive=True)
                  if not os.path.relpath(p, ROOT).startswith('build'))


def kconfig_symbols():
    syms = set()
    for k in kconfig_files():
        syms |= set(re.findall(r'^\s*(?:config|menuconfig)\s+(\w+)', read(k), re.M))
    return syms


def check_kconfig_symbols():
    """Every CONFIG_X the documents, the Kconfig help texts and configs/ name is a Kconfig symbol."""
    syms = kconfig_symbols()
    texts = docs() + [(k, read(k)) for k in kconfig_files()]
    texts += [(os.path.relpath(p, ROOT), read(os.path.relpath(p, ROOT)))
              for p in sorted(glob.glob(os.path.join(ROOT, 'configs', '*')))]
    problems = []
    for name, text in texts:
        for n, line in enumerate(text.splitlines(), 1):
            for m in re.finditer(r'\bCONFIG_([A-Z0-9_]+)', line):
                sym, after = m.group(1), line[m.end():m.end() + 1]
                if sym.endswith('_') or after in ('<', '*', '{'):
                    continue            # a family: CONFIG_LOCK_STRATEGY_<NAME>
                if sym not in syms:
                    problems.append(f'{name}:{n}: CONFIG_{sym} is in no Kconfig file')
    return problems


# ---- the options of scripts/ and tests/ ----------------------------------------------------------

def script_text(rel):
    """A script's text and that of the tools/locklab modules (and tests/ helpers) it imports: where its
    options are defined."""
    text = read(rel)
    seen = set()
    todo = re.findall(r'from locklab(?:\.(\w+))? import ([\w, ]+)', text)
    mods = [m for m, _ in todo if m] + [w.strip() for m, names in todo if not m for w in names.split(',')]
    mods += re.findall(r'^import (\w+)', text, re.M) + re.findall(r'^from (\w+) import', text, re.M)
    while mods:
        m = mods.pop()
        for cand in (f'tools/locklab/{m}.py', f'tests/{m}.py'):
            if cand not in seen and os.path.exists(os.path.join(ROOT, cand)):
                seen.add(cand)
                more = read(cand)
                text += more
                mods += re.findall(r'from \.(\w+) import', more) + re.findall(r'^from (\w+) import', more, re.M)
    return text


def check_script_options():
    """Every --option a document shows after scripts/<x> or tests/<x>.py is one that script takes."""
    problems = []
    for name, text in docs():
        for n, code in code_spans(text):
            for m in re.finditer(r'(?<![\w/])((?:scripts|tests)/[\w.-]+)', code):
                rel = m.group(1)
                if not os.path.isfile(os.path.join(ROOT, rel)):
                    continue            # check_paths names it
                words = command_words(code[m.start():], rel) or []
                src = script_text(rel)
                for w in words:
                    opt = re.match(r'--[a-z][\w-]*', w)
                    if not opt or opt.group(0) == '--help':
                        continue
                    if not re.search(re.escape(opt.group(0)) + r'(?![\w-])', src):
                        problems.append(f'{name}:{n}: {rel} takes no {opt.group(0)}')
    return problems


# ---- make commands -------------------------------------------------------------------------------

def make_targets_and_vars():
    text = '\n'.join(read(m) for m in MAKEFILES)
    targets = set()
    for m in re.finditer(r'^([a-z%][\w%. -]*?)\s*:(?![=:])', text, re.M):
        targets.update(t for t in m.group(1).split() if '$' not in t)
    read_vars = set(re.findall(r'\$\(([A-Z][A-Z0-9_]*)\)', text)) | set(re.findall(r'origin ([A-Z][A-Z0-9_]*)', text))
    read_vars |= set(re.findall(r'user-set,([A-Z][A-Z0-9_]*)', text)) | set(re.findall(r'^([A-Z][A-Z0-9_]*) \?=', text, re.M))
    return targets, read_vars, text


def check_make_commands():
    """In every `make ...` a document shows, each target exists and each VAR= is one the Makefiles read;
    the same for the VAR= words of `make help`."""
    targets, read_vars, mk = make_targets_and_vars()
    configs = {os.path.basename(p) for p in glob.glob(os.path.join(ROOT, 'configs', '*_defconfig'))}
    problems = []

    def look(where, words):
        skip = False
        for w in words:
            if skip:
                skip = False
            elif w in ('-C', '-f', '-o'):
                skip = True
            elif w.startswith('-'):
                continue
            elif '=' in w:
                var = w.split('=')[0]
                if re.fullmatch(r'[A-Z][A-Z0-9_]*', var) and var not in read_vars:
                    problems.append(f'{where}: make reads no {var}= ({w})')
            elif re.fullmatch(r'[a-z][\w-]*', w):
                if w.endswith('_defconfig') and w not in configs:
                    problems.append(f'{where}: configs/{w} does not exist')
                elif not w.endswith('_defconfig') and w not in targets:
                    problems.append(f'{where}: make has no target {w}')
            else:
                break

    for name, text in docs():
        for n, code in code_spans(text):
            code = re.split(r'\s#\s', code)[0]      # a shell comment's words are no command
            for m in re.finditer(r'(?:^|(?<=[\s|;&(]))make(?= )', code):
                words = command_words(code[m.start():], 'make')
                if words:
                    look(f'{name}:{n}', words)
    help_recipe = mk[mk.index('\nhelp:'):].split('\n\n')[0]
    for var in sorted(set(re.findall(r'\b([A-Z][A-Z0-9_]+)=', help_recipe)) - read_vars):
        problems.append(f'make help names {var}=, which make does not read')
    return problems


# ---- system calls --------------------------------------------------------------------------------

def check_syscall_table():
    """docs/syscalls.md's table has every number of include/locklab/unistd.h, with its name, and no other."""
    code = {int(nr): name for name, nr in re.findall(r'#define SYS_(\w+)\s+(\d+)', read('include/locklab/unistd.h'))}
    doc = {}
    text = read('docs/syscalls.md')
    expect('| nr | name |' in text, 'docs/syscalls.md has no table headed | nr | name |')
    table = text[text.index('| nr | name |'):].split('\n\n')[0]
    for line in table.splitlines():
        cells = [c.strip() for c in line.split('|')]
        for i in range(len(cells) - 1):
            if re.fullmatch(r'\d+', cells[i]) and re.fullmatch(r'[a-z_]+', cells[i + 1]):
                doc[int(cells[i])] = cells[i + 1]
    expect(len(code) > 10, f'found only {len(code)} SYS_ numbers in include/locklab/unistd.h: is the scan broken?')
    problems = [f'docs/syscalls.md: {nr} is {doc.get(nr, "missing")}, unistd.h says {code[nr]}'
                for nr in sorted(code) if doc.get(nr) != code[nr]]
    problems += [f'docs/syscalls.md: {nr} ({doc[nr]}) is not in unistd.h' for nr in sorted(set(doc) - set(code))]
    return problems


# ---- records -------------------------------------------------------------------------------------

def printed_formats():
    """(file, format, printed) of every string literal (adjacent ones joined) in the kernel's C sources;
    printed: it is the format of a printk, printk_raw or the loader's say."""
    out = []
    for d in ('arch', 'bench', 'drivers', 'kernel', 'lock-strategies', 'loader'):
        for p in sorted(glob.glob(os.path.join(ROOT, d, '**', '*.[ch]'), recursive=True)):
            text = read(os.path.relpath(p, ROOT))
            # Comments and character literals blanked first: a '"' or a quote in a comment would pair wrongly.
            text = re.sub(r'/\*.*?\*/|//[^\n]*|\'(?:[^\'\\\n]|\\.)+\'|("(?:[^"\\\n]|\\.)*")',
                          lambda m: m.group(1) or ' ', text, flags=re.S)
            for m in re.finditer(r'(?:"(?:[^"\\\n]|\\.)*"\s*)+', text):
                printed = re.search(r'\b(?:printk_raw|printk|say)\(\s*$', text[max(0, m.start() - 40):m.start()])
                out.append((os.path.relpath(p, ROOT), ''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(0))),
                            bool(printed)))
    return out


def record_keys():
    """{prefix: set of keys} of every record the kernel prints: 'prefix: key=...', 'prefix: word key=...'
    or, printed with a tag of keys before the rest ('prefix: %s key=...', the harness's
    'workload= cpus= repeat='), 'prefix: %s'."""
    formats = printed_formats()
    tag = next((f for p, f, _ in formats if p == 'bench/harness.c' and re.fullmatch(r'workload=%s [^"]*', f)), '')
    tag_keys = set(re.findall(r'(?:^| )([a-z_]+)=', tag))
    recs = {}
    for _, f, printed in formats:
        m = re.match(r'([a-z][a-z0-9_-]*): ((?:[a-z]+ )?[a-z_]+=|(?:%s)+(?: ?[a-z_]+=|$))', f)
        if not m or m.group(1) in NOT_RECORDS or re.match(r'[a-z0-9_-]+: error(?:[: ]|$)', f):
            continue
        if m.group(2).startswith('%s') and not printed:
            continue
        rest = f[len(m.group(1)) + 2:].replace('%s', ' ')
        keys = set(re.findall(r'(?:^|(?<= ))([a-z_][a-z0-9_]*)=', rest))
        if m.group(2).startswith('%s'):
            keys |= tag_keys
        recs.setdefault(m.group(1), set()).update(keys)
    return recs


def check_records():
    """Every record the kernel prints has its section in docs/output-format.md naming each of its keys,
    and each example line there uses only keys the kernel prints."""
    recs = record_keys()
    expect(len(recs) > 15, f'found only {sorted(recs)} as records: is the scan broken?')
    sections = re.split(r'\n(?=## )', read('docs/output-format.md'))
    problems = []
    for prefix in sorted(recs):
        # Its section: the one whose title names it, or whose table has a row for it.
        mine = [s for s in sections if f'`{prefix}:' in s.split('\n')[0]] or \
            [s for s in sections if f'\n| `{prefix}` (' in s]
        if not mine:
            problems.append(f'{prefix}: (keys {" ".join(sorted(recs[prefix]))}) has no section in docs/output-format.md')
            continue
        text = '\n'.join(mine)
        named = set(re.findall(r'`([a-z_][a-z0-9_]*)', text)) | set(re.findall(r'\b([a-z_][a-z0-9_]*)=', text))
        problems += [f'{prefix}: key {k} is printed but not in its section of docs/output-format.md'
                     for k in sorted(recs[prefix] - named)]
    # Example records anywhere (docs/output-format.md's sections and the other documents' code).
    for name, text in docs():
        for n, code in code_spans(text):
            m = re.match(r'([a-z][a-z0-9_-]*): ', code)
            if m and m.group(1) in recs:
                shown = set(re.findall(r'(?:^|(?<= ))([a-z_][a-z0-9_]*)=', code[m.end():])) - {'key'}
                problems += [f'{name}:{n}: example {code[:60]!r}...: the kernel prints no {k}='
                             for k in sorted(shown - recs[m.group(1)])]
    return problems


# ---- boot options --------------------------------------------------------------------------------

def boot_options():
    opts = set()
    for d in ('arch', 'bench', 'drivers', 'kernel', 'lock-strategies'):
        for p in sorted(glob.glob(os.path.join(ROOT, d, '**', '*.c'), recursive=True)):
            text = read(os.path.relpath(p, ROOT))
            opts |= set(re.findall(r'BOOTPARAM_(?:UINT|FLAG|STR)\(\s*\w+,\s*"([a-z_]+)"', text))
            opts |= set(re.findall(r'\.name = "([a-z_]+)",\s*\.type = BOOTARG_', text))
    return opts


def check_boot_options():
    """Every boot option the kernel takes is in a table of docs/output-format.md ("Boot arguments") or
    docs/benchmarks.md ("Boot options"), and every option those tables list is one it takes."""
    opts = boot_options()
    expect(len(opts) > 20, f'found only {sorted(opts)} as boot options: is the scan broken?')
    listed = {}
    for rel, title in (('docs/output-format.md', '## Boot arguments'), ('docs/benchmarks.md', '## Boot options')):
        text = read(rel)
        expect(title in text, f'{rel} has no "{title}" section')
        section = text[text.index(title):].split('\n## ')[0]
        for line in section.splitlines():
            if line.startswith('| `'):
                for o in re.findall(r'`([a-z_]+)(?:=[^`]*)?`', re.split(r'(?<!\\)\|', line)[1]):
                    listed[o] = rel
    problems = [f'boot option {o} is in neither table' for o in sorted(opts - set(listed))]
    problems += [f'{listed[o]} lists boot option {o}, which the kernel does not take' for o in sorted(set(listed) - opts)]
    return problems


# ---- suite and workload names --------------------------------------------------------------------

# Names the documents use that are none of the kernel's on purpose, and where.
NOT_THE_KERNELS = {'nosuch': 'a name the kernel refuses, in examples of that',
                   'u-brk1': 'docs/benchmarks.md, "Writing one": the workload a reader adds'}


def kernel_names():
    """The ktest suites (KTEST_SUITE, KTEST_SUITE_EXPLICIT) and benchmark workloads (.name = in a workload,
    U_WORKLOAD) the kernel's sources define."""
    suites, workloads = set(), set()
    for d in ('arch', 'bench', 'drivers', 'kernel', 'lock-strategies'):
        for p in sorted(glob.glob(os.path.join(ROOT, d, '**', '*.c'), recursive=True)):
            text = read(os.path.relpath(p, ROOT))
            suites |= set(re.findall(r'^KTEST_SUITE(?:_EXPLICIT)?\((\w+)', text, re.M))
            if d == 'bench':
                workloads |= set(re.findall(r'^\s*\.name = "([a-z0-9-]+)"', text, re.M))
                workloads |= set(re.findall(r'^U_WORKLOAD\(\w+, "([a-z0-9-]+)"', text, re.M))
    return suites, workloads


def check_suite_and_workload_names():
    """Every suite a document's ktest= names, and every workload its bench=, WORKLOADS= or WORKLOAD=
    names, is one the kernel has."""
    suites, workloads = kernel_names()
    expect(len(suites) > 20 and len(workloads) > 15,
           f'found only suites {sorted(suites)} and workloads {sorted(workloads)}: is the scan broken?')
    problems = []
    for name, text in docs():
        for n, line in enumerate(text.splitlines(), 1):
            for m in re.finditer(r'\b(ktest|bench|WORKLOADS?)=([a-z0-9_,-]+)(.?)', line):
                kind, known = ('suite', suites | {'all', 'none'}) if m.group(1) == 'ktest' else \
                    ('workload', workloads | {'all', 'none', 'help'})
                words = [w for w in m.group(2).split(',') if w]
                if m.group(3) in ('*', '<') and words:
                    words.pop()         # a pattern: selftest_*, u-<name>
                problems += [f'{name}:{n}: {m.group(0).rstrip(m.group(3))}: the kernel has no {kind} {w}'
                             for w in words if w not in known and w not in NOT_THE_KERNELS]
    return problems


# ---- kernel addresses in examples -----------------------------------------------------------------

PAGE_OFFSET = 0xffffff8000000000    # the kernel runs in the upper half (docs/mm.md, "Virtual memory layout")


def check_example_addresses():
    """Example lines of the kernel's reports show a pc, a stack or a lock where the kernel has them: in the
    upper half (a reader matches them against the boot record's kernel_va). The device tree's and no-map
    ranges' own addresses are physical, as the tree gives them, and are not looked at."""
    kernel_addr = re.compile(r'(?:\bpc |\bsp |guard page (?:hit )?at |\(read-only\) at |\(unmapped\) at |'
                             r'#\d+ \S+ \()0x([0-9a-f]+)')
    problems = []
    for name, text in docs():
        for n, code in code_spans(text):
            if not re.match(r'(exception|panic|lockdep): ', code):
                continue
            problems += [f'{name}:{n}: 0x{a} in {code[:50]!r}... is no upper-half (kernel) address'
                         for a in kernel_addr.findall(code) if int(a, 16) < PAGE_OFFSET]
    return problems


# ---- the QEMU command line -----------------------------------------------------------------------

def check_qemu_command():
    """docs/testing.md's "It runs" block names every option of scripts/qemu-run's one QEMU command line
    (every option of a boot with a device tree, GICv3 and EL2), and no other."""
    sys.path.insert(0, os.path.join(ROOT, 'tools'))
    from locklab import qemu_run
    args = qemu_run.parse_args(['--image', 'IMAGE', '--gic', '3', '--el2', '--dtb', 'FILE'])
    want = {w for w in qemu_run.qemu_command(args, 'qemu-system-aarch64') if re.fullmatch(r'-[a-z][\w-]*', w)}
    text = read('docs/testing.md')
    expect('\nIt runs\n' in text, 'docs/testing.md has no "It runs" block')
    block = text[text.index('\nIt runs\n'):].split('```')[1]
    shown = set(re.findall(r'(?<![\w-])(-[a-z][\w-]*)', block)) - {'-no-semihost'}
    return [f'docs/testing.md, "It runs": qemu-run passes {w}, which the block does not show' for w in sorted(want - shown)] + \
        [f'docs/testing.md, "It runs": the block shows {w}, which qemu-run does not pass' for w in sorted(shown - want)]


class DocsTests(ktap_unittest.TestCase):
    """Each check lists what it found wrong, with the document and line."""

    def test_named_paths_exist(self):
        expect_no_problems(check_paths())

    def test_kconfig_symbols_exist(self):
        expect_no_problems(check_kconfig_symbols())

    def test_script_options_exist(self):
        expect_no_problems(check_script_options())

    def test_make_targets_and_variables_exist(self):
        expect_no_problems(check_make_commands())

    def test_syscall_table_matches_unistd(self):
        expect_no_problems(check_syscall_table())

    def test_records_and_their_keys_are_documented(self):
        expect_no_problems(check_records())

    def test_suite_and_workload_names_exist(self):
        expect_no_problems(check_suite_and_workload_names())

    def test_example_kernel_addresses_are_upper_half(self):
        expect_no_problems(check_example_addresses())

    def test_qemu_command_line_is_qemu_runs(self):
        expect_no_problems(check_qemu_command())

    def test_boot_options_are_documented(self):
        expect_no_problems(check_boot_options())


def main():
    return ktap_unittest.main('docs', DocsTests)


if __name__ == '__main__':
    sys.exit(main())
