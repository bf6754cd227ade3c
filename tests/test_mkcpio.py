#!/usr/bin/env python3
# Tests of scripts/mkcpio (tools/locklab/mkcpio.py): the newc archives it packs round-trip, byte-exact and checked.
"""Run: python3 tests/test_mkcpio.py   (prints KTAP v1; exit status 1 if a test fails).

Packs files with the command as make runs it, parses the archive back with an
independent reader written here (not mkcpio.parse), and checks the layout the
kernel's reader (kernel/fs/initramfs.c) relies on: 110-byte headers, 4-byte
padding, folders before their files, the trailer last. Then mkcpio.parse on
the same archive and on spoiled copies of it. No QEMU: a fraction of a second."""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.realpath(__file__))
ROOT = os.path.dirname(HERE)
MKCPIO = os.path.join(ROOT, 'scripts', 'mkcpio')
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(ROOT, 'tools'))
from locklab import mkcpio  # noqa: E402
sys.path.insert(0, HERE)
from ktap_unittest import expect, expect_eq  # noqa: E402  (tests/, beside this file)
import ktap_unittest  # noqa: E402


def read_newc(data):
    """(name, mode, nlink, data, header offset) per entry, the trailer included; asserts on the layout."""
    out, off = [], 0
    while True:
        expect(off % 4 == 0, f'header at {off} not 4-byte aligned')
        head = data[off:off + 110]
        expect_eq(head[:6], b'070701', f'magic at {off}')
        f = [int(head[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        namesize, size = f[11], f[6]
        name = data[off + 110:off + 110 + namesize]
        expect(name.endswith(b'\0') and b'\0' not in name[:-1], f'name at {off} is not one NUL-terminated string')
        doff = off + 110 + namesize
        expect(data[doff:(doff + 3) & ~3] == b'\0' * (((doff + 3) & ~3) - doff), f'name padding at {doff}')
        doff = (doff + 3) & ~3
        body = data[doff:doff + size]
        out.append((name[:-1].decode(), f[1], f[4], body, off))
        end = doff + size
        expect(data[end:(end + 3) & ~3] == b'\0' * (((end + 3) & ~3) - end), f'data padding at {end}')
        off = (end + 3) & ~3
        if name == b'TRAILER!!!\0':
            expect_eq(off, len(data), 'bytes after the trailer')
            return out


class MkcpioTests(ktap_unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='locklab-mkcpio-')
        # Sizes around the 4-byte padding, an empty file, and a name whose header + name is 4-aligned.
        cls.files = {'bin/hello': b'\x7fELF' + bytes(range(256)) * 3, 'bin/e': b'',
                     'bin/ab': b'x', 'bin/abc': b'xy', 'etc/motd': b'hi there\n', 'top': b'1234'}
        args = []
        for i, (name, data) in enumerate(cls.files.items()):
            path = os.path.join(cls.tmp, f'f{i}')
            with open(path, 'wb') as f:
                f.write(data)
            os.chmod(path, 0o755 if name.startswith('bin/') else 0o644)
            args.append(f'{name}={path}')
        cls.out = os.path.join(cls.tmp, 'out.cpio')
        subprocess.run([sys.executable, MKCPIO, '-o', cls.out] + args, check=True)
        with open(cls.out, 'rb') as f:
            cls.data = f.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_round_trip(self):
        entries = read_newc(self.data)
        expect_eq(entries[-1][0], 'TRAILER!!!', 'last entry')
        files = {n: d for n, m, _, d, _ in entries if m & 0o170000 == 0o100000}
        expect_eq(files, self.files, 'files read back')
        expect_eq([n for n, m, _, _, _ in entries if m & 0o170000 == 0o040000], ['bin', 'etc'], 'folders')

    def test_folders_come_first_with_modes(self):
        entries = read_newc(self.data)
        names = [e[0] for e in entries]
        for name in self.files:
            if '/' in name:
                expect(names.index(name.split('/')[0]) < names.index(name), f'{name} before its folder')
        modes = {n: m for n, m, _, _, _ in entries}
        expect_eq(modes['bin'], 0o040755, 'folder mode')
        expect_eq(modes['bin/hello'], 0o100755, 'executable mode')
        expect_eq(modes['etc/motd'], 0o100644, 'plain file mode')
        expect_eq({n: l for n, m, l, _, _ in entries if n in ('bin', 'top')}, {'bin': 2, 'top': 1}, 'nlink')

    def test_reproducible(self):
        again = os.path.join(self.tmp, 'again.cpio')
        args = [f'{n}={os.path.join(self.tmp, f"f{i}")}' for i, n in enumerate(self.files)]
        subprocess.run([sys.executable, MKCPIO, '-o', again] + args, check=True)
        with open(again, 'rb') as f:
            expect(f.read() == self.data, 'the same inputs gave a different archive')

    def test_module_parse_agrees(self):
        got = {e.name: e.data for e in mkcpio.parse(self.data)}
        expect_eq(got, {**self.files, 'bin': b'', 'etc': b''}, 'mkcpio.parse')

    def test_parse_refuses_spoiled_archives(self):
        entries = read_newc(self.data)
        hello = [e for e in entries if e[0] == 'bin/hello'][0][4]
        spoiled = {
            'bad magic': self.data[:hello] + b'070702' + self.data[hello + 6:],
            'non-hex field': self.data[:hello + 6] + b'g' + self.data[hello + 7:],
            'no NUL': self.data[:hello + 110 + 9] + b'x' + self.data[hello + 110 + 10:],
            'size past the end': self.data[:hello + 54] + b'00100000' + self.data[hello + 62:],
            'no trailer': self.data[:entries[-1][4]],
        }
        for what, data in spoiled.items():
            try:
                mkcpio.parse(data)
            except mkcpio.CpioError:
                continue
            raise AssertionError(f'{what}: parsed without an error')
        for cut in range(0, len(self.data), 7):
            try:
                mkcpio.parse(self.data[:cut])
            except mkcpio.CpioError:
                continue
            raise AssertionError(f'cut at {cut}: parsed without an error')

    def test_bad_arguments(self):
        for args in (['x=/nonexistent/file'], ['noequals'], ['../up=' + self.out], ['/abs=' + self.out],
                     ['a=' + self.out, 'a=' + self.out]):
            r = subprocess.run([sys.executable, MKCPIO, '-o', os.path.join(self.tmp, 'bad.cpio')] + args,
                               capture_output=True, text=True)
            expect_eq(r.returncode, 2, f'exit status for {args}')
            expect(r.stderr.startswith('mkcpio: ') and r.stderr.count('\n') == 1, f'one line for {args}: {r.stderr!r}')


def main():
    return ktap_unittest.main('mkcpio', MkcpioTests)


if __name__ == '__main__':
    sys.exit(main())
