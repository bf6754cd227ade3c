#!/usr/bin/env python3
"""make sdcard and scripts/mk-sdcard: the Pi 5 boot files around byte-identical copies of the QEMU-booted Images.

usage: test_sdcard.py --workdir DIR --image PATH [--loader PATH] NAME=PATH...
The first image gets the single-kernel layout (kernel_2712.img), the named
ones the multi-kernel layout (kernel-NAME.img, config.txt kernel= lines),
--loader the chain-loader's (make sdcard LOADER=1: kernel_2712.img, no cmdline.txt).
Prints KTAP v1; without --loader the loader case is skipped.
"""
import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tarfile

HERE = os.path.dirname(os.path.realpath(__file__))
MK = os.path.join(os.path.dirname(HERE), 'scripts', 'mk-sdcard')
sys.dont_write_bytecode = True      # no __pycache__ next to the script
sys.path.insert(0, HERE)
from ktap_unittest import expect_no_problems  # noqa: E402  (tests/, beside this file)
import ktap_unittest  # noqa: E402


def common(out, problems):
    with open(os.path.join(out, 'config.txt')) as f:
        cfg = f.read()
    for line in ('os_check=0', 'arm_64bit=1', 'kernel_address=0x200000', 'uart_2ndstage=1'):
        if line not in cfg.splitlines():
            problems.append(f'config.txt lacks {line}')
    # On a Pi 5 enable_uart asks for a console on GPIO14/15, not the debug header the guide wires.
    if any(l.strip().startswith('enable_uart') for l in cfg.splitlines()):
        problems.append('config.txt sets enable_uart')
    with open(os.path.join(out, 'README.txt')) as f:
        readme = f.read()
    for word in ('bcm2712-rpi-5-b.dtb', 'overlays/bcm2712d0.dtbo', 'FAT32', '115200', 'GND', 'capture-serial'):
        if word not in readme:
            problems.append(f'README.txt does not mention {word}')
    with tarfile.open(out + '.tar.gz') as t:
        names = sorted(os.path.basename(n) for n in t.getnames() if n not in ('.', './'))
    if names != sorted(os.listdir(out)):
        problems.append(f'archive holds {names}, folder {sorted(os.listdir(out))}')
    return cfg


def single(work, image, _named):
    problems = []
    out = os.path.join(work, 'one')
    r = subprocess.run([MK, out, image], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        return [f'mk-sdcard exit {r.returncode}: {r.stdout.strip()}']
    if not filecmp.cmp(image, os.path.join(out, 'kernel_2712.img'), shallow=False):
        problems.append('kernel_2712.img is not byte-identical to the Image')
    cfg = common(out, problems)
    if 'kernel=' in cfg:
        problems.append('a single kernel needs no kernel= line (kernel_2712.img is the default name)')
    return problems


def several(work, _image, named):
    problems = []
    out = os.path.join(work, 'all')
    r = subprocess.run([MK, out] + named, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        return [f'mk-sdcard exit {r.returncode}: {r.stdout.strip()}']
    cfg = common(out, problems)
    names = [n.split('=', 1)[0] for n in named]
    for n, path in (x.split('=', 1) for x in named):
        if not filecmp.cmp(path, os.path.join(out, f'kernel-{n}.img'), shallow=False):
            problems.append(f'kernel-{n}.img is not byte-identical to {path}')
    active = [l for l in cfg.splitlines() if l.startswith('kernel=')]
    commented = [l for l in cfg.splitlines() if l.startswith('#kernel=')]
    if active != [f'kernel=kernel-{names[-1]}.img'] or len(commented) != len(names) - 1:
        problems.append(f'kernel= lines: {active} and {commented}')
    return problems


def loader_card(work, loader, image):
    """make sdcard LOADER=1's layout: the chain-loader as kernel_2712.img, no cmdline.txt, the README says how."""
    problems = []
    out = os.path.join(work, 'loader')
    r = subprocess.run([MK, '--loader', out, loader], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        return [f'mk-sdcard --loader exit {r.returncode}: {r.stdout.strip()}']
    img = os.path.join(out, 'kernel_2712.img')
    if not filecmp.cmp(loader, img, shallow=False):
        problems.append('kernel_2712.img is not byte-identical to the loader Image')
    with open(img, 'rb') as f:
        head = f.read(64)
    if len(head) < 64 or head[56:60] != b'ARM\x64':
        problems.append('the loader is not an arm64 Image (no ARM\\x64 magic at byte 56)')
    cfg = common(out, problems)
    if 'kernel=' in cfg:
        problems.append('the loader card needs no kernel= line')
    if os.path.exists(os.path.join(out, 'cmdline.txt')):
        problems.append('cmdline.txt on the loader card: the host sends the boot options')
    with open(os.path.join(out, 'README.txt')) as f:
        readme = f.read()
    for word in ('make bench BOARD=rpi5 SERIAL=', 'loader: ready', 'scripts/serial-load'):
        if word not in readme:
            problems.append(f'README.txt on the loader card does not mention {word}')
    # In the build folder of the Image under test: a fresh clone's default O= has no .config.
    r = subprocess.run(['make', '-s', '-n', '-C', os.path.dirname(HERE), f'O={os.path.dirname(os.path.abspath(image))}',
                        'sdcard', 'LOADER=1'],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode or not any('mk-sdcard --loader' in l and l.rstrip().endswith('loader/Image')
                               for l in r.stdout.splitlines()):
        problems.append(f'make -n sdcard LOADER=1 does not run mk-sdcard --loader on the loader: {r.stdout.strip()[-200:]!r}')
    return problems


def bad_input(work, image, _named):
    problems = []
    r = subprocess.run([MK, os.path.join(work, 'bad'), os.path.join(work, 'no-such-Image')],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode == 0 or 'no Image at' not in r.stdout:
        problems.append(f'a missing Image: exit {r.returncode}, {r.stdout.strip()!r}')
    r = subprocess.run([MK, os.path.join(work, 'bad'), 'a=' + image, 'oops'], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode == 0 or "expected NAME=IMAGE" not in r.stdout:
        problems.append(f'a malformed argument: exit {r.returncode}, {r.stdout.strip()!r}')
    return problems


class SdcardTests(ktap_unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(cls.args.workdir, ignore_errors=True)
        os.makedirs(cls.args.workdir)

    def test_single_kernel_card(self):
        expect_no_problems(single(self.args.workdir, self.args.image, self.args.named))

    def test_three_kernel_card(self):
        expect_no_problems(several(self.args.workdir, self.args.image, self.args.named))

    def test_bad_input_is_refused(self):
        expect_no_problems(bad_input(self.args.workdir, self.args.image, self.args.named))

    def test_loader_card(self):
        if not self.args.loader:
            self.skipTest('needs --loader PATH (make loader)')
        expect_no_problems(loader_card(self.args.workdir, self.args.loader, self.args.image))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--image', required=True)
    ap.add_argument('--loader', help='the chain-loader Image (make loader): checks make sdcard LOADER=1\'s card')
    ap.add_argument('named', nargs='+')
    return ktap_unittest.main('sdcard', SdcardTests, parser=ap)


if __name__ == '__main__':
    sys.exit(main())
