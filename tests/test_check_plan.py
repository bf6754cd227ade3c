#!/usr/bin/env python3
# Self-tests of make check's test plan: tools/locklab/check_plan.py, check.py --plan and the variant grammar.
"""Run: python3 tests/test_check_plan.py   (prints KTAP v1; exit status 1 if a test fails).

Plans are written to a scratch folder and expanded through check_plan (the module) and through
tests/check.py --plan (the command make check runs). The lock matrix is expanded against a made-up
Kconfig tree with a fourth strategy, so the test shows the matrix follows Kconfig's choices. A few
seconds, no kernel needed."""
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

sys.dont_write_bytecode = True      # no __pycache__ next to the script
HERE = os.path.dirname(os.path.realpath(__file__))
ROOT = os.path.dirname(HERE)
CHECK = os.path.join(HERE, 'check.py')
LOCK_STRATEGIES = os.path.join(ROOT, 'scripts', 'lock-strategies')
sys.path.insert(0, os.path.join(ROOT, 'tools'))
from locklab import check_plan  # noqa: E402
from locklab import lock_strategies as ls  # noqa: E402
import ktap_unittest  # noqa: E402  (tests/, beside this file)

TMP = tempfile.mkdtemp(prefix='locklab-check-plan-')

# A Kconfig tree in the shape of lock-strategies/Kconfig's choices, with a fourth strategy "giant"
# and a second file reached through `source`, as the real tree's choices are spread over files.
FAKE_KCONFIG = {
    'Kconfig': '''
        mainmenu "fake"
        choice
        	prompt "Locking strategy"
        config LOCK_STRATEGY_BKL
        	bool "bkl"
        config LOCK_STRATEGY_FINE
        	bool "fine"
        config LOCK_STRATEGY_GIANT
        	bool "giant"
        endchoice
        config LOCK_STAT
        	bool "lockstat"
        source "locks/Kconfig"
        ''',
    'locks/Kconfig': '''
        choice
        config LOCK_ALG_TAS
        	bool "tas"
        config LOCK_ALG_MCS
        	bool "mcs"
        endchoice
        choice
        config ARM64_ATOMICS_LSE
        	bool "lse"
        config ARM64_ATOMICS_LLSC
        	bool "llsc"
        endchoice
        choice
        config SPIN_WAIT_BUSY
        	bool "busy"
        config SPIN_WAIT_WFE
        	bool "wfe"
        endchoice
        choice
        config KLOCK_WAIT_SPIN
        	bool "spin"
        config KLOCK_WAIT_BLOCK
        	bool "block"
        endchoice
        ''',
}


def fake_tree():
    root = os.path.join(TMP, 'tree')
    for path, text in FAKE_KCONFIG.items():
        os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
        with open(os.path.join(root, path), 'w') as f:
            f.write(textwrap.dedent(text))
    return root


def write_plan(text, name='plan.toml'):
    path = os.path.join(TMP, name)
    with open(path, 'w') as f:
        f.write(textwrap.dedent(text))
    return path


def run(*argv):
    p = subprocess.run([sys.executable, *argv], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def listed(stdout):
    """check.py --list's lines as (kind, name, argv)."""
    return [(w[0], w[1], w[2:]) for w in map(shlex.split, stdout.splitlines())]


SMALL_PLAN = '''
    [set]
    DIR = "/out"
    TIMEOUT = "120"
    TESTS = "alpha beta"
    IMAGE = "${DIR}/Image"

    [define]
    QRUN = ["--image", "${IMAGE}", "--timeout", "${TIMEOUT}"]
    OK = ["el=1", "mmu=on"]

    [[step]]
    name = "tool"
    run = ["env", "IMG=${IMAGE}", "prog", "@TESTS"]

    [[step]]
    for = "t"
    in = "@TESTS"
    name = "host_${t}"
    run = ["${DIR}/test_${t}", { for = "s", in = ["x", "y"], args = ["--image", "${s}=${DIR}/${s}-${t}"] }]

    [[step]]
    name = "smp2"
    boot = ["@QRUN", "--cpus", "2"]
    expect = ["@OK", "cpus_online=2"]
    '''


class PlanExpansion(unittest.TestCase):
    def test_substitution_of_set_define_and_loop_variables(self):
        steps = check_plan.load(write_plan(SMALL_PLAN), ['DIR=/b', 'TIMEOUT=77'])
        self.assertEqual(steps[0].argv[:3], ['env', 'IMG=/b/Image', 'prog'],
                         'IMAGE refers to DIR, which --set changed')
        smp2 = steps[-1]
        self.assertEqual((smp2.kind, smp2.name), ('boot', 'smp2'))
        self.assertEqual(smp2.argv, ['--image', '/b/Image', '--timeout', '77', '--cpus', '2',
                                     '--expect', 'el=1', '--expect', 'mmu=on', '--expect', 'cpus_online=2'])
        self.assertEqual(check_plan.load(write_plan(SMALL_PLAN))[-1].argv[1], '/out/Image', 'the defaults')

    def test_at_list_expands_into_several_arguments(self):
        steps = check_plan.load(write_plan(SMALL_PLAN), ['TESTS=one two  three'])
        self.assertEqual(steps[0].argv, ['env', 'IMG=/out/Image', 'prog', 'one', 'two', 'three'],
                         'a string variable used as @NAME is split on blanks')
        plan = write_plan('''
            [[step]]
            name = "s"
            run = ["prog", "@STRATEGIES"]
            ''', 'builtin.toml')
        self.assertEqual(check_plan.load(plan, root=fake_tree())[0].argv, ['prog', 'bkl', 'fine', 'giant'],
                         '@STRATEGIES is the Kconfig choice, in menu order')

    def test_for_loops_repeat_steps_and_arguments(self):
        steps = check_plan.load(write_plan(SMALL_PLAN))
        self.assertEqual([s.name for s in steps], ['tool', 'host_alpha', 'host_beta', 'smp2'])
        self.assertEqual(steps[2].argv, ['/out/test_beta', '--image', 'x=/out/x-beta', '--image', 'y=/out/y-beta'])

    def test_unknown_variable_is_an_error_naming_the_step(self):
        plan = write_plan(SMALL_PLAN.replace('"--cpus", "2"', '"--cpus", "${CPUS}"'), 'unknown.toml')
        with self.assertRaises(check_plan.PlanError) as caught:
            check_plan.load(plan)
        self.assertIn('step smp2: unknown variable ${CPUS}', str(caught.exception))
        rc, out, err = run(CHECK, '--plan', plan, '--list')
        self.assertEqual((rc, out), (2, ''), err)
        self.assertIn('step smp2: unknown variable ${CPUS} (known: ', err)
        rc, out, err = run(CHECK, '--plan', write_plan(SMALL_PLAN), '--set', 'CPUS=4', '--list')
        self.assertEqual(rc, 2, 'an unknown --set name')
        self.assertIn('--set CPUS: the plan has no such variable (it takes: DIR, IMAGE, TESTS, TIMEOUT', err)

    def test_malformed_plans_are_refused_with_what_is_wrong(self):
        cases = [
            ('[[step]]\nname = "a"\nrun = ["x"\n', 'not valid TOML'),
            ('[[step]]\nname = "a"\nrun = ["x"]\nboot = ["y"]\n', 'one of run = [...] or boot = [...]'),
            ('[[step]]\nname = "a"\nrun = ["x"]\ncommand = "y"\n', 'unknown key(s) command'),
            ('[[step]]\nname = "a b"\nrun = ["x"]\n', 'step a b: a step name is letters'),
            ('[[step]]\nname = "a"\nfor = "x"\nrun = ["x"]\n', 'a loop wants both for'),
            ('[[step]]\nname = "a"\nrun = ["x"]\n[[step]]\nname = "a"\nrun = ["y"]\n', "step name 'a' used twice"),
            ('[[step]]\nname = "a"\nrun = ["x"]\nexpect = ["y=1"]\n', 'expect = [...] is for boot steps'),
            ('[[step]]\nname = "a"\nrun = ["x"]\nshare_host = "yes"\n', 'share_host is true or false'),
            ('[steps]\nname = "a"\n', 'unknown table(s) steps'),
        ]
        for text, want in cases:
            path = write_plan(text, 'bad.toml')
            rc, out, err = run(CHECK, '--plan', path, '--list')
            self.assertEqual(rc, 2, f'{text!r} was accepted:\n{out}')
            self.assertIn(want, err, f'for {text!r}')
            self.assertEqual(len(err.strip().splitlines()), 1, f'one line, not a traceback: {err}')


class Variants(unittest.TestCase):
    def test_variant_names_are_parsed_once_and_bad_ones_refused(self):
        self.assertEqual(ls.parse_variant('fine-mcs-llsc-wfe-block-nostat'),
                         {'strategy': 'fine', 'alg': 'mcs', 'atomics': 'llsc', 'spin_wait': 'wfe',
                          'lock_wait': 'block', 'lockstat': 'off'})
        self.assertEqual(ls.parse_variant('bkl-ticket-lse-busy')['lock_wait'], 'spin', 'lock_wait left out')
        for bad, why in (('fine-mcs', 'expected <'), ('fine-spin-lse-busy', "unknown alg 'spin'"),
                         ('fine-mcs-lse-busy-nostat-x', 'expected <'), ('nosuch-mcs-lse-busy', 'unknown strategy')):
            with self.assertRaises(ValueError, msg=bad) as caught:
                ls.parse_variant(bad)
            self.assertIn(why, str(caught.exception))
        rc, out, err = run(LOCK_STRATEGIES, 'fields', 'subsys-tas-llsc-busy-adaptive')
        self.assertEqual((rc, out), (0, 'strategy=subsys\nalg=tas\natomics=llsc\nspin_wait=busy\n'
                                        'lock_wait=adaptive\nlockstat=on\n'), err)
        rc, out, err = run(LOCK_STRATEGIES, 'fields', 'subsys-tas')
        self.assertEqual((rc, out), (2, ''))
        self.assertIn("variant 'subsys-tas': expected", err)

    def test_chain_order_builds_spin_wait_twins_one_after_the_other(self):
        """make check builds a chain's variants in one tree in lock-strategies' build order: a change of
        spin_wait alone recompiles a handful of objects, any other part most of them."""
        self.assertEqual(ls.rebuild_cost('fine-tas-lse-busy', 'fine-tas-lse-busy'), 0)
        self.assertEqual(ls.rebuild_cost('fine-tas-lse-busy', 'fine-tas-lse-wfe'), 1)
        for other in ('fine-ttas-lse-busy', 'fine-tas-lse-busy-block', 'fine-tas-lse-busy-nostat',
                      'fine-ttas-lse-wfe-adaptive-nostat'):
            self.assertEqual(ls.rebuild_cost('fine-tas-lse-busy', other), 2, other)
        plan_order = ['fine-tas-lse-busy', 'fine-ttas-lse-busy', 'fine-ticket-lse-busy', 'fine-mcs-lse-busy',
                      'fine-tas-lse-wfe', 'fine-ttas-lse-wfe', 'fine-ticket-lse-wfe', 'fine-mcs-lse-wfe',
                      'fine-ticket-lse-busy-block', 'fine-ticket-lse-busy-adaptive', 'fine-ticket-lse-busy-nostat']
        order = ls.build_order(plan_order)
        self.assertEqual(sorted(order), sorted(plan_order), 'every variant once')
        self.assertEqual(order[0], plan_order[0], 'the first as given')
        costs = [ls.rebuild_cost(a, b) for a, b in zip(order, order[1:])]
        self.assertEqual((costs.count(2), costs.count(1)), (6, 4), f'{order}: steps that rebuild most objects')
        self.assertEqual(ls.build_order(['fine-mcs-lse-busy', 'bkl-tas-lse-busy']),
                         ['fine-mcs-lse-busy', 'bkl-tas-lse-busy'], 'the given order on a tie')
        rc, out, err = run(LOCK_STRATEGIES, 'order', 'fine-tas-lse-busy', 'fine-ttas-lse-busy', 'fine-tas-lse-wfe')
        self.assertEqual((rc, out), (0, 'fine-tas-lse-busy\nfine-tas-lse-wfe\nfine-ttas-lse-busy\n'), err)
        rc, out, err = run(LOCK_STRATEGIES, 'order', 'fine-tas')
        self.assertEqual((rc, out), (2, ''))
        self.assertIn("variant 'fine-tas': expected", err)

    def test_matrix_follows_the_kconfig_choices(self):
        plan = write_plan('''
            [matrix]
            suites = "spinlock"
            [[matrix.build]]
            each = { strategy = "*", alg = "*" }
            variants = ["${strategy}-${alg}-lse-busy"]
            [[matrix.build]]
            each = { alg = ["mcs"] }
            variants = ["fine-${alg}-llsc-busy", "fine-${alg}-lse-wfe-block-nostat"]
            [[matrix.more_suites]]
            when = { atomics = "lse", lockstat = "on" }
            suites = "mm,fs"
            [[step]]
            for = "v"
            in = "@MATRIX"
            name = "lock_${v.id}"
            boot = ["--image", "/m/${v}/Image", "--bootargs", "ktest=${v.suites}"]
            expect = ["strategy=${v.strategy}", "lock_wait=${v.lock_wait}", "lockstat=${v.lockstat}"]
            ''', 'matrix.toml')
        tree = fake_tree()
        names = [v['name'] for v in check_plan.Plan(plan, root=tree).variants()]
        self.assertEqual(names, ['bkl-tas-lse-busy', 'bkl-mcs-lse-busy', 'fine-tas-lse-busy', 'fine-mcs-lse-busy',
                                 'giant-tas-lse-busy', 'giant-mcs-lse-busy',
                                 'fine-mcs-llsc-busy', 'fine-mcs-lse-wfe-block-nostat'])
        steps = check_plan.load(plan, root=tree)
        self.assertEqual(steps[4].name, 'lock_giant_tas_lse_busy')
        self.assertEqual(steps[4].argv, ['--image', '/m/giant-tas-lse-busy/Image', '--bootargs', 'ktest=spinlock,mm,fs',
                                         '--expect', 'strategy=giant', '--expect', 'lock_wait=spin',
                                         '--expect', 'lockstat=on'])
        self.assertEqual(steps[6].argv[3], 'ktest=spinlock', 'llsc: no more_suites')
        self.assertEqual(steps[7].argv[3], 'ktest=spinlock', 'nostat: no more_suites')
        bad = write_plan('[[matrix.build]]\neach = { alg = ["xchg"] }\nvariants = ["fine-${alg}-lse-busy"]\n'
                         '[[step]]\nname = "a"\nrun = ["x"]\n', 'badmatrix.toml')
        with self.assertRaises(check_plan.PlanError) as caught:
            check_plan.Plan(bad, root=tree).variants()
        self.assertIn("build #1: alg = ['xchg']: want \"*\" or a list of tas, mcs", str(caught.exception))
        rc, out, err = run(CHECK, '--plan', os.path.join(HERE, 'plan.toml'), '--variants')
        strategies = subprocess.run([sys.executable, LOCK_STRATEGIES, 'list'], capture_output=True,
                                    text=True).stdout.split()
        self.assertEqual(rc, 0, err)
        for s in strategies:
            self.assertIn(f'{s}-mcs-lse-busy', out.split(), "make check's plan loops over every strategy")


class CheckCommand(unittest.TestCase):
    def test_only_runs_the_matching_steps(self):
        plan = write_plan(SMALL_PLAN)
        rc, out, err = run(CHECK, '--plan', plan, '--only', 'host_*,smp2', '--list')
        self.assertEqual(rc, 0, err)
        self.assertEqual([n for _, n, _ in listed(out)], ['host_alpha', 'host_beta', 'smp2'])
        rc, out, err = run(CHECK, '--plan', plan, '--only', 'lock_*', '--list')
        self.assertEqual((rc, out), (2, ''))
        self.assertIn("--only 'lock_*' matches no step (the steps: tool, host_alpha", err)

    def test_a_plan_gives_what_the_same_command_line_gives(self):
        plan = write_plan(SMALL_PLAN.replace('[[step]]\n    name = "tool"', '[[step]]\n    name = "ktap"')
                          .replace('"env", "IMG=${IMAGE}", "prog", "@TESTS"',
                                   '"' + sys.executable + '", "-c", "print(\'KTAP version 1\\\\n1..2\\\\nok 1 ${TESTS}'
                                   '\\\\nok 2 b # SKIP\')"'), 'fixture.toml')
        by_plan = run(CHECK, '--plan', plan, '--set', 'TESTS=a', '--list')
        by_hand = run(CHECK, '--host', f'ktap={sys.executable} -c "print(\'KTAP version 1\\n1..2\\nok 1 a\\nok 2 b # SKIP\')"',
                      '--host', 'host_a=/out/test_a --image x=/out/x-a --image y=/out/y-a',
                      '--boot', 'smp2=--image /out/Image --timeout 120 --cpus 2 --expect el=1 --expect mmu=on '
                      '--expect cpus_online=2', '--list')
        self.assertEqual(by_plan[0], 0, by_plan[2])
        self.assertEqual(listed(by_plan[1]), listed(by_hand[1]))
        rc, out, err = run(CHECK, '--plan', plan, '--set', 'TESTS=a', '--only', 'ktap', '--logdir',
                           os.path.join(TMP, 'logs'))
        self.assertEqual((rc, out.splitlines()[-1]), (0, '1 passed, 0 failed'), out + err)

    def test_share_host_steps_run_side_by_side_and_never_beside_others(self):
        # Each step holds a mark while it runs and waits up to WAIT s for its partner's (s1 and s2 for each
        # other): side by side they meet, whatever the host's load; one after the other they cannot.
        # Each also notes when it ran; "u", without share_host, sits between shared ones.
        work, prog = os.path.join(TMP, 'share'), os.path.join(TMP, 'share.py')
        with open(prog, 'w') as f:
            f.write(textwrap.dedent('''\
                import os, sys, time
                work, me, partner, wait = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
                t = time.time()
                open(os.path.join(work, 'mark-' + me), 'w').close()
                while not os.path.exists(os.path.join(work, 'mark-' + partner)) and time.time() < t + wait:
                    time.sleep(0.02)
                met = os.path.exists(os.path.join(work, 'mark-' + partner))
                time.sleep(0.5 if met else 0.1)     # so that the partner, polling, sees this one too
                open(os.path.join(work, 'spans'), 'a').write(f'{me} {t} {time.time()} {int(met)}\\n')
                os.remove(os.path.join(work, 'mark-' + me))
                print('KTAP version 1\\n1..1\\nok 1 ' + me)
            '''))
        partners = {'s1': 's2', 's2': 's1', 's3': 'none', 'u': 'none', 's4': 'none'}
        for jobs, wait in ((2, 10), (1, 0.3)):
            shutil.rmtree(work, ignore_errors=True)
            os.makedirs(work)
            plan = write_plan(''.join(f'[[step]]\nname = "{n}"\nrun = ["{sys.executable}", "{prog}", "{work}", '
                                      f'"{n}", "{p}", "{wait if p != "none" else 0}"]\n'
                                      + ('' if n == 'u' else 'share_host = true\n') for n, p in partners.items()),
                              'share.toml')
            rc, out, err = run(CHECK, '--plan', plan, '--shared-jobs', str(jobs), '--logdir', os.path.join(TMP, 'logs'))
            self.assertEqual((rc, out.splitlines()[-1]), (0, '5 passed, 0 failed'), out + err)
            self.assertEqual([line.split()[1] for line in out.splitlines()[:-1]], list(partners),
                             "results print in the plan's order")
            with open(os.path.join(work, 'spans')) as f:
                ran = {w[0]: (float(w[1]), float(w[2]), w[3] == '1') for w in map(str.split, f)}
            beside = {(a, b) for a in ran for b in ran if a < b and ran[a][0] < ran[b][1] and ran[b][0] < ran[a][1]}
            self.assertFalse([p for p in beside if 'u' in p], f'a step without share_host ran beside others: {beside}')
            self.assertEqual((ran['s1'][2], ran['s2'][2]), (jobs == 2, jobs == 2),
                             f'--shared-jobs {jobs}: s1 and s2 met (side by side): {ran}')
            self.assertFalse({('s1', 's2'), ('s1', 's3'), ('s2', 's3')} <= beside, f'three at once: {beside}')

if __name__ == '__main__':
    sys.exit(ktap_unittest.main('check_plan', PlanExpansion, Variants, CheckCommand,
                                cleanup=lambda: shutil.rmtree(TMP, ignore_errors=True)))
