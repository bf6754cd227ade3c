"""The locking strategies and lock variants as the Kconfig files define them: the host tools' one list.

usage: lock-strategies list [--sep SEP]      the strategies, in menu order (bkl subsys fine)
       lock-strategies variant NAME          the CONFIG_ lines of a lock variant, e.g. fine-mcs-llsc-wfe-block
       lock-strategies of CONFIG             the strategy a .config (or defconfig) selects

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
As a module (locklab.lock_strategies): strategies(), variant(), strategy_of(), colors().
"""
import os
import re
import sys

from . import ROOT
from .textfile import read_text

# Variant name parts, in order: (what, the prefix of its choice's symbols, default when left out).
PARTS = [('strategy', 'LOCK_STRATEGY_', None), ('alg', 'LOCK_ALG_', None), ('atomics', 'ARM64_ATOMICS_', None),
         ('spin_wait', 'SPIN_WAIT_', None), ('lock_wait', 'KLOCK_WAIT_', 'spin')]


def kconfig_files(root=ROOT, path='Kconfig'):
    """The Kconfig files the top Kconfig sources (source "..."), itself first, in the order kconfig reads them."""
    files = [path]
    with open(os.path.join(root, path)) as f:
        for line in f:
            m = re.match(r'\s*source\s+"([^"]+)"', line)
            if m:
                files += kconfig_files(root, m.group(1))
    return files


def choice_members(prefix, root=ROOT):
    """The lower-case names of the Kconfig symbols PREFIX<NAME> declared inside a choice, in menu order."""
    names = []
    for path in kconfig_files(root):
        in_choice = False
        with open(os.path.join(root, path)) as f:
            for line in f:
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


def variant(name, root=ROOT):
    """(strategy, CONFIG_ lines to add to its defconfig) of a variant name; ValueError saying what is wrong."""
    words = name.split('-')
    nostat = words[-1:] == ['nostat'] and len(words) > 4
    words = words[:-1] if nostat else words
    if len(words) == 4:
        words.append(PARTS[-1][2])
    if len(words) != 5:
        raise ValueError(f'variant {name!r}: expected {variant_grammar(root)}')
    lines = []
    for (what, prefix, _), word in zip(PARTS, words):
        known = choice_members(prefix, root)
        if word not in known:
            raise ValueError(f'variant {name!r}: unknown {what} {word!r} (known: {", ".join(known)}; '
                             f'expected {variant_grammar(root)})')
        lines.append(f'CONFIG_{prefix}{word.upper()}=y')
    if nostat:
        lines.append('# CONFIG_LOCK_STAT is not set')
    return words[0], lines


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
    if len(argv) == 2 and argv[0] == 'of':
        try:
            s = strategy_of(read_text(argv[1]))
        except OSError as err:
            print(f'lock-strategies: {argv[1]}: {err.strerror}', file=sys.stderr)
            return 2
        if s:
            print(s)
        return 0 if s else 1
    print('usage: lock-strategies list [--sep SEP] | variant NAME | of CONFIG', file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
