"""The locking strategies and lock variants as the Kconfig files define them: the host tools' one list.

usage: lock-strategies list [--sep SEP]      the strategies, in menu order (bkl subsys fine)
       lock-strategies variant NAME          the CONFIG_ lines of a lock variant, e.g. fine-mcs-llsc-wfe-block
       lock-strategies fields NAME           a variant's parts, one NAME=VALUE a line (strategy=fine ...
                                             lockstat=on): the shell scripts' one parser of variant names
       lock-strategies of CONFIG             the strategy a .config (or defconfig) selects
       lock-strategies order NAME...         the variants in the order to build them one after another
                                             in one tree (build_order)

A strategy is a member of the "Locking strategy" choice in lock-strategies/Kconfig:
CONFIG_LOCK_STRATEGY_<NAME> is strategy <name> (lower case), configured from
configs/qemu_<name>_defconfig. A variant's name is
<strategy>-<alg>-<atomics>-<spin_wait>[-<lock_wait>][-nostat], each part a member of
the choice whose symbols start LOCK_STRATEGY_, LOCK_ALG_, ARM64_ATOMICS_,
SPIN_WAIT_, KLOCK_WAIT_ (lock_wait spin when left out; nostat turns lockstat off).
Nothing else on the host names a strategy: make bench, make check, build-variant.sh
and the bench-* scripts ask here, and the kernel prints what the report needs
(bench-meta's scope= and classes=).

A bad variant or an unreadable file: one line on stderr, exit status 2.
As a module (locklab.lock_strategies): strategies(), parse_variant(), expand_variants(), variant(),
build_order(), strategy_of(), colors().
"""
import functools
import os
import re
import sys

from . import ROOT
from .textfile import read_text

# Variant name parts, in order: (what, the prefix of its choice's symbols, default when left out).
PARTS = [('strategy', 'LOCK_STRATEGY_', None), ('alg', 'LOCK_ALG_', None), ('atomics', 'ARM64_ATOMICS_', None),
         ('spin_wait', 'SPIN_WAIT_', None), ('lock_wait', 'KLOCK_WAIT_', 'spin')]


@functools.lru_cache(maxsize=256)
def _lines(path, mtime_ns, size):
    with open(path) as f:
        return f.read().splitlines()


def kconfig_lines(path):
    """A Kconfig file's lines, read once while it is unchanged (make check expands dozens of variants)."""
    st = os.stat(path)
    return _lines(path, st.st_mtime_ns, st.st_size)


def kconfig_files(root=ROOT, path='Kconfig'):
    """The Kconfig files the top Kconfig sources (source "..."), itself first, in the order kconfig reads them."""
    files = [path]
    for line in kconfig_lines(os.path.join(root, path)):
        m = re.match(r'\s*source\s+"([^"]+)"', line)
        if m:
            files += kconfig_files(root, m.group(1))
    return files


def choice_members(prefix, root=ROOT):
    """The lower-case names of the Kconfig symbols PREFIX<NAME> declared inside a choice, in menu order."""
    names = []
    for path in kconfig_files(root):
        in_choice = False
        for line in kconfig_lines(os.path.join(root, path)):
            word = line.split()[:2]
            if word[:1] == ['choice']:
                in_choice = True
            elif word[:1] == ['endchoice']:
                in_choice = False
            elif in_choice and len(word) == 2 and word[0] == 'config' and word[1].startswith(prefix):
                names.append(word[1][len(prefix):].lower())
    return names


def strategies(root=ROOT):
    """The strategies, in the order of the menu: ['bkl', 'subsys', 'fine']."""
    return choice_members('LOCK_STRATEGY_', root)


# The colour of each strategy in every plot, by its place in the menu (bkl red, subsys blue, fine green).
COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b']


def colors(root=ROOT):
    """{strategy: colour}: one each, in menu order (a seventh strategy and more take none: callers pick)."""
    return dict(zip(strategies(root), COLORS))


def strategy_of(text):
    """The strategy a configuration's text selects, or None."""
    m = re.search(r'^CONFIG_LOCK_STRATEGY_([A-Z0-9_]+)=y\s*$', text, re.M)
    return m.group(1).lower() if m else None


def variant_grammar(root=ROOT):
    """The variant name's grammar as a usage line: <bkl|subsys|fine>-<tas|...>-...[-<spin|...>][-nostat]."""
    parts = ['<' + '|'.join(choice_members(p, root)) + '>' for _, p, _ in PARTS]
    return '-'.join(parts[:-1]) + f'[-{parts[-1]}][-nostat]'


# The fields parse_variant() returns, in the order `lock-strategies fields` prints them.
FIELDS = [what for what, _, _ in PARTS] + ['lockstat']


def parse_variant(name, root=ROOT):
    """{strategy, alg, atomics, spin_wait, lock_wait, lockstat ('on'/'off')} of a variant name.

    The one parser of the grammar <strategy>-<alg>-<atomics>-<spin_wait>[-<lock_wait>][-nostat]:
    every part must be a member of its Kconfig choice; ValueError saying what is wrong."""
    words = name.split('-')
    nostat = words[-1:] == ['nostat'] and len(words) > 4
    words = words[:-1] if nostat else words
    if len(words) == 4:
        words.append(PARTS[-1][2])
    if len(words) != 5:
        raise ValueError(f'variant {name!r}: expected {variant_grammar(root)}')
    fields = {}
    for (what, prefix, _), word in zip(PARTS, words):
        known = choice_members(prefix, root)
        if word not in known:
            raise ValueError(f'variant {name!r}: unknown {what} {word!r} (known: {", ".join(known)}; '
                             f'expected {variant_grammar(root)})')
        fields[what] = word
    fields['lockstat'] = 'off' if nostat else 'on'
    return fields


def expand_variants(each, templates, root=ROOT):
    """The variant names TEMPLATES give for every combination of EACH's choices, checked by parse_variant().

    EACH maps a part (strategy, alg, ...) to "*" (every member of its Kconfig choice, in menu order)
    or a list of members; the loops nest in EACH's order, outermost first, and every template
    (e.g. "${strategy}-${alg}-lse-busy") is filled in at each step, in the order given."""
    prefixes = {what: prefix for what, prefix, _ in PARTS}
    loops = []
    for what, members in each.items():
        if what not in prefixes:
            raise ValueError(f'unknown part {what!r} (known: {", ".join(prefixes)})')
        known = choice_members(prefixes[what], root)
        if members == '*':
            members = known
        elif not isinstance(members, list) or not all(m in known for m in members):
            raise ValueError(f'{what} = {members!r}: want "*" or a list of {", ".join(known)}')
        loops.append((what, members))
    names = []

    def fill(bound, rest):
        if rest:
            what, members = rest[0]
            for m in members:
                fill({**bound, what: m}, rest[1:])
            return
        for t in templates:
            name = re.sub(r'\$\{(\w+)\}', lambda m: bound.get(m.group(1), m.group(0)), t)
            if '${' in name:
                raise ValueError(f'variant template {t!r}: {name!r} names a part EACH does not loop over')
            parse_variant(name, root)
            names.append(name)
    fill({}, loops)
    return names


def variant(name, root=ROOT):
    """(strategy, CONFIG_ lines to add to its defconfig) of a variant name; ValueError saying what is wrong."""
    fields = parse_variant(name, root)
    lines = [f'CONFIG_{prefix}{fields[what].upper()}=y' for what, prefix, _ in PARTS]
    if fields['lockstat'] == 'off':
        lines.append('# CONFIG_LOCK_STAT is not set')
    return fields['strategy'], lines


def rebuild_cost(a, b, root=ROOT):
    """How much of a tree built as variant A recompiles for variant B: 0 nothing, 1 a handful of
    objects, 2 most of them.

    Only the way of spinning reaches a handful (asm/spin_wait.h is included by the code that spins
    or names it); every other part reaches the lock headers that nearly every object includes,
    and two such parts rebuild about what one does (their headers nest), so they count once."""
    fa, fb = parse_variant(a, root), parse_variant(b, root)
    differ = {what for what in FIELDS if fa[what] != fb[what]}
    return 0 if not differ else 1 if differ == {'spin_wait'} else 2


def build_order(names, root=ROOT):
    """NAMES in the order make check builds them one after another in one tree: the first as given,
    then each time the one left that rebuilds least after the last (rebuild_cost), the earlier
    given on a tie. So a busy variant and its wfe twin follow each other: fine's eleven LSE
    variants rebuild most objects 6 times instead of 10."""
    for n in names:
        parse_variant(n, root)  # a bad name is refused even alone
    left = list(names)
    order = left[:1]
    del left[:1]
    while left:
        nxt = min(left, key=lambda n: rebuild_cost(order[-1], n, root))
        order.append(nxt)
        left.remove(nxt)
    return order


def main(argv):
    if len(argv) >= 1 and argv[0] == 'list' and (len(argv) == 1 or (len(argv) == 3 and argv[1] == '--sep')):
        print((argv[2] if len(argv) == 3 else ' ').join(strategies()))
        return 0
    if len(argv) == 2 and argv[0] == 'variant':
        try:
            print('\n'.join(variant(argv[1])[1]))
        except ValueError as err:
            print(f'lock-strategies: {err}', file=sys.stderr)
            return 2
        return 0
    if len(argv) == 2 and argv[0] == 'fields':
        try:
            fields = parse_variant(argv[1])
        except ValueError as err:
            print(f'lock-strategies: {err}', file=sys.stderr)
            return 2
        print('\n'.join(f'{what}={fields[what]}' for what in FIELDS))
        return 0
    if len(argv) == 2 and argv[0] == 'of':
        try:
            s = strategy_of(read_text(argv[1]))
        except OSError as err:
            print(f'lock-strategies: {argv[1]}: {err.strerror}', file=sys.stderr)
            return 2
        if s:
            print(s)
        return 0 if s else 1
    if len(argv) >= 1 and argv[0] == 'order':
        try:
            for name in build_order(argv[1:]):
                print(name)
        except ValueError as err:
            print(f'lock-strategies: {err}', file=sys.stderr)
            return 2
        return 0
    print('usage: lock-strategies list [--sep SEP] | variant NAME | fields NAME | of CONFIG | order NAME...',
          file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
