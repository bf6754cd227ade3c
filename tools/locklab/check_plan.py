# The test plan of `make check` (tests/plan.toml) loaded and expanded into the steps tests/check.py runs.
"""A plan is TOML with these tables (docs/testing.md, "The test plan"):

  [set]       variables make passes (check.py --set NAME=VALUE); the value here is the default
  [define]    the plan's own constants: a string, or a list of strings
  [matrix]    suites = "..." every lock variant boots; [[matrix.build]] patterns over the Kconfig
              choices (each = {strategy = "*", alg = "*"}, variants = ["${strategy}-${alg}-lse-busy"]);
              [[matrix.more_suites]] when = {field = value, ...}, suites = "...": added to the
              variants whose fields all match
  [[step]]    name, and run = [host argv] or boot = [qemu-run arguments] (+ expect = [...], each
              becoming --expect X); optional for = "x" with in = "@LIST" or [...]: one step per item;
              optional share_host = true: the step keeps one host core busy and judges nothing
              by the clock, so check.py --shared-jobs N may run up to N such steps side by side

In any string ${NAME} is a variable (a loop's, [define]'s, [set]'s, or the built-ins srctree,
STRATEGIES and MATRIX) and ${x.field} a field of a loop over @MATRIX (name, id, strategy, alg,
atomics, spin_wait, lock_wait, lockstat, suites). An argv item "@NAME" stands for the items of a
list (a string is split on blanks); an item {for = "x", in = ..., args = [...]} repeats ARGS for
each item. Anything wrong raises PlanError with the step and what is wrong.
"""
import re
import tomllib
from dataclasses import dataclass
from fnmatch import fnmatchcase

from . import ROOT
from . import lock_strategies as ls

STEP_NAME = re.compile(r'[A-Za-z0-9_.+-]+')     # check.py's rule: it names the log files
VAR = re.compile(r'\$\{([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_]+))?\}')
BUILTINS = ('srctree', 'STRATEGIES', 'MATRIX')
STEP_KEYS = {'name', 'run', 'boot', 'expect', 'for', 'in', 'share_host'}


class PlanError(Exception):
    """A plan that cannot be read or expanded; the message says where and what."""


@dataclass
class PlanStep:
    kind: str       # 'host' or 'boot'
    name: str
    argv: list      # the host command, or qemu-run's arguments
    share_host: bool = False    # may run beside other such steps (check.py --shared-jobs)


class Variant(dict):
    """A lock variant as a loop over @MATRIX sees it: ${v} is its name, ${v.field} a field."""

    def __str__(self):
        return self['name']


class Plan:
    """A loaded plan: its variables (after --set), the lock matrix and the raw steps."""

    def __init__(self, path, settings=(), root=ROOT):
        try:
            with open(path, 'rb') as f:
                data = tomllib.load(f)
        except OSError as err:
            raise PlanError(f'{path}: {err.strerror}') from None
        except tomllib.TOMLDecodeError as err:
            raise PlanError(f'{path}: not valid TOML: {err}') from None
        self.path, self.root = path, root
        unknown = set(data) - {'set', 'define', 'matrix', 'step'}
        if unknown:
            raise PlanError(f'{path}: unknown table(s) {", ".join(sorted(unknown))} '
                            '(a plan has [set], [define], [matrix] and [[step]])')
        self.settable = self._strings(data.get('set', {}), '[set]')
        self.settable.setdefault('srctree', root)
        self.defines = data.get('define', {})
        for name, value in self.defines.items():
            if not isinstance(value, str) and not (isinstance(value, list)
                                                   and all(isinstance(v, str) for v in value)):
                raise PlanError(f'{path}: [define] {name}: want a string or a list of strings')
        clash = (set(self.defines) & set(self.settable)) | (set(self.defines) & set(BUILTINS))
        if clash:
            raise PlanError(f'{path}: {", ".join(sorted(clash))} defined twice ([set], [define], built-in)')
        for setting in settings:
            name, sep, value = setting.partition('=')
            if not sep:
                raise PlanError(f'--set {setting!r}: want NAME=VALUE')
            if name not in self.settable:
                raise PlanError(f'--set {name}: the plan has no such variable (it takes: '
                                f'{", ".join(sorted(self.settable))})')
            self.settable[name] = value
        self.matrix_spec = data.get('matrix', {})
        self.raw_steps = data.get('step', [])
        if not isinstance(self.raw_steps, list) or not self.raw_steps:
            raise PlanError(f'{path}: no [[step]]')
        self._matrix = None

    def _strings(self, table, where):
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise PlanError(f'{self.path}: {where}: want NAME = "string" lines')
        return dict(table)

    # ---- the lock matrix --------------------------------------------------------------------

    def variants(self):
        """The matrix's variants (Variant dicts, in plan order), expanded once from the Kconfig choices."""
        if self._matrix is None:
            self._matrix = self._expand_matrix()
        return self._matrix

    def _expand_matrix(self):
        spec = self.matrix_spec
        where = f'{self.path}: [matrix]'
        if not isinstance(spec.get('suites', ''), str):
            raise PlanError(f'{where} suites: want a string')
        names = []
        for i, entry in enumerate(spec.get('build', [])):
            each, templates = entry.get('each', {}), entry.get('variants')
            if not isinstance(each, dict) or not isinstance(templates, list) or set(entry) - {'each', 'variants'}:
                raise PlanError(f'{where} build #{i + 1}: want each = {{part = "*" or [...]}} and variants = [...]')
            try:
                names += ls.expand_variants(each, templates, self.root)
            except ValueError as err:
                raise PlanError(f'{where} build #{i + 1}: {err}') from None
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise PlanError(f'{where}: variant(s) listed twice: {", ".join(dup)}')
        rules = spec.get('more_suites', [])
        for i, rule in enumerate(rules):
            if (not isinstance(rule.get('when'), dict) or not isinstance(rule.get('suites'), str)
                    or set(rule) - {'when', 'suites'} or set(rule['when']) - set(ls.FIELDS)):
                raise PlanError(f'{where} more_suites #{i + 1}: want when = {{field = "value", ...}} '
                                f'(fields: {", ".join(ls.FIELDS)}) and suites = "..."')
        variants = []
        for name in names:
            v = Variant(ls.parse_variant(name, self.root), name=name, id=name.replace('-', '_'))
            suites = [spec.get('suites', '')]
            suites += [r['suites'] for r in rules if all(v[k] == want for k, want in r['when'].items())]
            v['suites'] = ','.join(s for s in suites if s)
            variants.append(v)
        return variants

    # ---- substitution -----------------------------------------------------------------------

    def lookup(self, name, scope, where, depth=0):
        """A variable's value: a loop's, [define]'s, [set]'s or a built-in; PlanError if none."""
        if name in scope:
            return scope[name]
        if name in self.defines:
            value = self.defines[name]
            if isinstance(value, list):
                return [self.subst(v, scope, where, depth + 1) for v in value]
            return self.subst(value, scope, where, depth + 1)
        if name in self.settable:
            return self.subst(self.settable[name], scope, where, depth + 1)
        if name == 'STRATEGIES':
            return ls.strategies(self.root)
        if name == 'MATRIX':
            return self.variants()
        known = sorted(set(scope) | set(self.defines) | set(self.settable) | set(BUILTINS))
        raise PlanError(f'{where}: unknown variable ${{{name}}} (known: {", ".join(known)})')

    def subst(self, text, scope, where, depth=0):
        """TEXT with every ${NAME} and ${x.field} replaced."""
        if not isinstance(text, str):
            raise PlanError(f'{where}: want a string, got {text!r}')
        if depth > 20:
            raise PlanError(f'{where}: variables refer to each other in a loop ({text!r})')

        def one(m):
            value = self.lookup(m.group(1), scope, where, depth)
            if m.group(2):
                if not isinstance(value, dict) or m.group(2) not in value:
                    raise PlanError(f'{where}: ${{{m.group(1)}.{m.group(2)}}}: no such field')
                return value[m.group(2)]
            if isinstance(value, list):
                raise PlanError(f'{where}: ${{{m.group(1)}}} is a list: use "@{m.group(1)}" as an item')
            return str(value)
        return VAR.sub(one, text)

    def items(self, spec, scope, where):
        """The items of a list: "@NAME" (a list, or a string split on blanks) or a TOML array."""
        if isinstance(spec, list):
            return [self.subst(s, scope, where) for s in spec]
        if isinstance(spec, str) and spec.startswith('@'):
            value = self.lookup(spec[1:], scope, where)
            if isinstance(value, list):
                return value
            if isinstance(value, str):
                return value.split()
            raise PlanError(f'{where}: {spec} is not a list or a string')
        raise PlanError(f'{where}: want "@NAME" or a list, got {spec!r}')

    def argv(self, items, scope, where):
        """An argv with "@NAME" items expanded and {for, in, args} items repeated."""
        if not isinstance(items, list):
            raise PlanError(f'{where}: want a list of arguments, got {items!r}')
        out = []
        for item in items:
            if isinstance(item, dict):
                if set(item) != {'for', 'in', 'args'} or not isinstance(item['for'], str):
                    raise PlanError(f'{where}: a loop item wants exactly for = "x", in = ..., args = [...]')
                for value in self.items(item['in'], scope, where):
                    out += self.argv(item['args'], {**scope, item['for']: value}, where)
            elif isinstance(item, str) and item.startswith('@'):
                out += [str(v) for v in self.items(item, scope, where)]
            else:
                out.append(self.subst(item, scope, where))
        return out

    # ---- steps ------------------------------------------------------------------------------

    def steps(self):
        """Every step of the plan, in order, with its loops unrolled and its variables filled in."""
        out = []
        for i, raw in enumerate(self.raw_steps):
            if not isinstance(raw, dict):
                raise PlanError(f'{self.path}: step #{i + 1}: want a [[step]] table, got {raw!r}')
            label = f'{self.path}: step #{i + 1} ({raw.get("name", "no name")!s})'
            if set(raw) - STEP_KEYS:
                raise PlanError(f'{label}: unknown key(s) {", ".join(sorted(set(raw) - STEP_KEYS))} '
                                f'(a step has {", ".join(sorted(STEP_KEYS))})')
            if not isinstance(raw.get('name'), str) or ('run' in raw) == ('boot' in raw):
                raise PlanError(f'{label}: a step wants a name and one of run = [...] or boot = [...]')
            if 'expect' in raw and 'boot' not in raw:
                raise PlanError(f'{label}: expect = [...] is for boot steps')
            if not isinstance(raw.get('share_host', False), bool):
                raise PlanError(f'{label}: share_host is true or false, not {raw["share_host"]!r}')
            if ('for' in raw) != ('in' in raw) or not isinstance(raw.get('for', ''), str):
                raise PlanError(f'{label}: a loop wants both for = "x" and in = "@LIST" or [...]')
            scopes = ([{raw['for']: v} for v in self.items(raw['in'], {}, label)] if 'for' in raw else [{}])
            for scope in scopes:
                out.append(self._step(raw, scope, label))
        seen = set()
        for s in out:
            if s.name in seen:
                raise PlanError(f'{self.path}: step name {s.name!r} used twice')
            seen.add(s.name)
        return out

    def _step(self, raw, scope, label):
        name = self.subst(raw['name'], scope, label)
        where = f'{self.path}: step {name}'
        if not STEP_NAME.fullmatch(name):
            raise PlanError(f'{where}: a step name is letters, digits and "_.+-" (it names the log files)')
        if 'run' in raw:
            argv = self.argv(raw['run'], scope, where)
            if not argv:
                raise PlanError(f'{where}: run = [] has no command')
            return PlanStep('host', name, argv, raw.get('share_host', False))
        argv = self.argv(raw['boot'], scope, where)
        for e in self.argv(raw.get('expect', []), scope, where):
            argv += ['--expect', e]
        return PlanStep('boot', name, argv, raw.get('share_host', False))


def select(steps, only):
    """The steps whose names match any of ONLY's comma-separated glob patterns (fnmatch, e.g. lock_*)."""
    patterns = [p for p in only.split(',') if p]
    chosen = [s for s in steps if any(fnmatchcase(s.name, p) for p in patterns)]
    if not chosen:
        raise PlanError(f'--only {only!r} matches no step (the steps: '
                        f'{", ".join(s.name for s in steps[:8])}{", ..." if len(steps) > 8 else ""})')
    return chosen


def load(path, settings=(), root=ROOT):
    """The expanded steps of the plan at PATH with the --set NAME=VALUE SETTINGS applied."""
    return Plan(path, settings, root).steps()
