#!/usr/bin/env python3
"""The serial chain-loader end to end in QEMU: make bench BOARD=rpi5's path sends two kernels over a pty, one transfer corrupted.

usage: test_loader.py --workdir DIR --loader LOADER_IMAGE --image bkl=PATH --image fine=PATH

Boots the loader (make loader) in QEMU at EL2 with SMC PSCI (as a Pi 5 enters
it), its UART on a pseudo-terminal and resets allowed (scripts/qemu-run --el2
--serial pty --reboot), then runs scripts/bench-run --serial on that pty, as
make bench BOARD=rpi5 SERIAL=... does, with the two prebuilt kernels and
--corrupt-first. Checks: the loader refuses the corrupted first transfer
(loader: bad what=crc) and takes the resent one; each kernel's run lands in
the run folder (results.csv rows for both strategies, invariants=ok, the
report); the first kernel's PSCI SYSTEM_RESET brought the loader back (the
second kernel went to the same QEMU, after a new loader: ready); the kernel
got the host's boot options plus end=reset, entered at EL2 as from the
firmware. Before that, in the same QEMU, malformed frames are each refused
with their own loader: bad what=... (header CRC, unknown flags, an Image over
the window, no arm64 Image behind firmware noise, an image_size that would
wrap, a compressed stream reaching before its output, a frame cut short, a
payload CRC) and the loader waits on. Also: make -n bench BOARD=rpi5
SERIAL=... passes --serial and --baud to bench-run, and BOARD=rpi5 without
SERIAL is one error line.
Prints KTAP v1.
"""
import argparse
import csv
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib

HERE = os.path.dirname(os.path.realpath(__file__))
ROOT = os.path.dirname(HERE)
SCRIPTS = os.path.join(ROOT, 'scripts')
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(ROOT, 'tools'))
from locklab import serial_load as SL  # noqa: E402
sys.path.insert(0, HERE)
from ktap_unittest import expect_no_problems, note  # noqa: E402  (tests/, beside this file)
import ktap_unittest  # noqa: E402


def raw_frame(flags, wire, ilen, args=b'', hdr_flip=False):
    """A frame as docs/output-format.md lays it out, built here independently of serial-load's frame()."""
    head = b'LLDR' + struct.pack('<IIIII', flags, len(wire), ilen, len(args), zlib.crc32(args + wire))
    head += struct.pack('<I', zlib.crc32(head))
    if hdr_flip:
        head = head[:8] + bytes([head[8] ^ 0x10]) + head[9:]
    return head + args + wire


def make_target(work, images):
    problems = []
    r = subprocess.run(['make', '-s', '-n', '-C', ROOT, 'bench', 'BOARD=rpi5', 'SERIAL=/dev/ttyUSB7', 'BAUD=57600'],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = next((l for l in r.stdout.splitlines() if 'scripts/bench-run' in l), '')
    if r.returncode or not re.search(r'--serial /dev/ttyUSB7 --baud 57600\b', line):
        problems.append(f'make -n bench BOARD=rpi5 SERIAL=... ran: {line or r.stdout.strip()[-200:]!r}')
    r = subprocess.run(['make', '-s', '-n', '-C', ROOT, 'bench', 'BOARD=rpi5'], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode == 0 or 'needs SERIAL=' not in r.stdout:
        problems.append(f'BOARD=rpi5 without SERIAL: exit {r.returncode}, {r.stdout.strip()!r}')
    return problems


def start_loader(work, loader):
    """QEMU running the loader; returns (process, pty path or None)."""
    # Entered at EL2 with PSCI over SMC, as the Pi 5's firmware enters it.
    q = subprocess.Popen([sys.executable, os.path.join(SCRIPTS, 'qemu-run'), '--image', loader, '--cpus', '2',
                          '--el2', '--serial', 'pty', '--reboot', '--timeout', '300'],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in q.stdout:
        m = re.match(r'qemu-run: serial on (\S+)', line)
        if m:
            return q, m.group(1)
    return q, None


def bad_frames(pty):
    """Each malformed frame is refused with its own what=, and the loader waits for the next."""
    problems = []
    not_image = bytes(64)
    # An arm64 Image header whose image_size would wrap any sum: refused, not trusted.
    huge = bytes(16) + struct.pack('<Q', 1 << 63) + bytes(32) + b'ARM\x64' + bytes(4)
    cases = [  # (what the host sends, the what= the loader must answer)
        (raw_frame(0, not_image, 64, hdr_flip=True), 'header'),
        (raw_frame(2, not_image, 64), 'flags'),
        (raw_frame(0, not_image, 0x7fffffff), 'size'),
        (b'BOOTLOADER release noise LLD\r\n' + raw_frame(0, not_image, 64, b'a=1'), 'image reason=no-arm64'),
        (raw_frame(0, huge, 64), 'image reason=too-large'),
        (raw_frame(1, b'\x80\x05\x00', 64), 'lz'),  # a copy from before the output's start
        (raw_frame(0, not_image, 64)[:40], 'timeout'),  # the rest never comes
        (SL.frame(not_image, 'x', corrupt=True), 'crc'),
    ]
    fd = SL.capture_serial.open_port(pty, 115200)
    try:
        port = SL.Port(fd)
        for data, what in cases:
            if not port.read_until(SL.READY, time.time() + 20):
                problems.append(f'no loader: ready before the {what} case')
                break
            port.write(data, time.time() + 10)
            m = port.read_until(SL.ANSWER, time.time() + 10)
            got = m.group(0).decode(errors='replace').strip() if m else 'no answer'
            if not got.startswith(f'loader: bad what={what}'):
                problems.append(f'{what}: the loader answered {got!r}')
    finally:
        os.close(fd)
    return problems


def round_trip(work, pty, q, images):
    problems = []
    results = os.path.join(work, 'results')
    t0 = time.time()
    r = subprocess.run([sys.executable, os.path.join(SCRIPTS, 'bench-run'), '--serial', pty,
                        '--strategies', 'bkl,fine', '--image', f'bkl={images["bkl"]}',
                        '--image', f'fine={images["fine"]}', '--cpus', '2', '--repeat', '1', '--boots', '1',
                        '--duration-ms', '20', '--workloads', 'getpid', '--no-hold-pass', '--trace', 'none',
                        '--label', 'loader', '--results', results, '--corrupt-first', '--busy-pct', '100'],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=240)
    note(f'bench-run over the loader: exit {r.returncode} in {time.time() - t0:.1f} s')
    if r.returncode:
        problems.append(f'bench-run --serial exit {r.returncode}: ' + ' | '.join(r.stdout.strip().splitlines()[-4:]))
    still = q.poll() is None
    if not still:
        problems.append(f'QEMU ended (exit {q.returncode}) instead of resetting into the loader')
    out = os.path.realpath(os.path.join(results, 'latest'))
    logs = {s: os.path.join(out, f'{s}-boot1.log') for s in ('bkl', 'fine')}
    text = {s: open(p, errors='replace').read() if os.path.exists(p) else '' for s, p in logs.items()}
    # bench-run boots in list order: bkl first, so its transfer is the corrupted one.
    bad = re.search(r'^loader: bad what=crc crc=0x([0-9a-f]{8}) want=0x([0-9a-f]{8})', text['bkl'], re.M)
    ok = re.search(r'^loader: ok size=(\d+) ', text['bkl'], re.M)
    if not bad or bad.group(1) == bad.group(2):
        problems.append('the corrupted first transfer was not refused with loader: bad what=crc')
    if not ok or (bad and ok.start() < bad.start()):
        problems.append('no loader: ok after the refused transfer (was it resent?)')
    elif int(ok.group(1)) != os.path.getsize(images['bkl']):
        problems.append(f'the loader took {ok.group(1)} bytes, the Image has {os.path.getsize(images["bkl"])}')
    if 'loader: bad' in text['fine']:
        problems.append('the second kernel\'s transfer was refused too')
    for s in ('bkl', 'fine'):
        if not re.search(r'^loader: ready ', text[s], re.M) or not re.search(r'^loader: ok ', text[s], re.M):
            problems.append(f'{s}-boot1.log lacks the loader\'s ready and ok lines')
        if not re.search(r'^shutdown: status=pass', text[s], re.M):
            problems.append(f'{s}: no shutdown: status=pass in its log')
        # Entered as from the firmware: the loader stays at EL2 for the jump, and the reset goes over SMC.
        if not re.search(r'^loader: ok .* el=2\b', text[s], re.M) or \
                not re.search(r'^boot: board=qemu-virt entry_el=2 .*psci=smc', text[s], re.M):
            problems.append(f'{s}: not entered at EL2 (loader: ok el=2, boot: entry_el=2 psci=smc)')
        # The kernel's own line: the host's options, then what the loader appends.
        if not re.search(r'bootargs: "ktest=none bench=getpid [^"]* end=reset"', text[s]):
            problems.append(f'{s}: the kernel did not get the host\'s boot options followed by end=reset')
    try:
        rows = list(csv.DictReader(open(os.path.join(out, 'results.csv'))))
    except OSError:
        rows = []
    for s in ('bkl', 'fine'):
        mine = [r for r in rows if r['strategy'] == s and r['workload'] == 'getpid']
        if {r['cpus'] for r in mine} != {'1', '2'} or any(r['invariants'] != 'ok' for r in mine):
            problems.append(f'results.csv: {s} getpid rows {[(r["cpus"], r["invariants"]) for r in mine]}, '
                            'want cpus 1 and 2 with invariants=ok')
    if not os.path.exists(os.path.join(out, 'report.html')):
        problems.append('no report.html in the run folder')
    return problems


class LoaderTests(ktap_unittest.TestCase):
    """One chain-loader boot in QEMU (its serial port a pseudo-terminal) serves the frame cases."""

    @classmethod
    def setUpClass(cls):
        cls.work = cls.args.workdir
        cls.images = dict(i.split('=', 1) for i in cls.args.image)
        shutil.rmtree(cls.work, ignore_errors=True)
        os.makedirs(cls.work)
        cls.qemu, cls.pty = start_loader(cls.work, cls.args.loader)

    @classmethod
    def tearDownClass(cls):
        cls.qemu.send_signal(signal.SIGTERM)  # qemu-run kills QEMU on the way out
        try:
            cls.qemu.wait(10)
        except subprocess.TimeoutExpired:
            cls.qemu.kill()
            cls.qemu.wait()

    def need_pty(self):
        expect_no_problems([] if self.pty else ['qemu-run --serial pty named no pseudo-terminal'])

    def test_make_bench_board_rpi5(self):
        expect_no_problems(make_target(self.work, self.images))

    def test_loader_refuses_bad_frames(self):
        self.need_pty()
        expect_no_problems(bad_frames(self.pty))

    def test_loader_round_trip(self):
        self.need_pty()
        expect_no_problems(round_trip(self.work, self.pty, self.qemu, self.images))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--loader', required=True)
    ap.add_argument('--image', action='append', default=[], metavar='STRATEGY=PATH')
    return ktap_unittest.main('loader', LoaderTests, parser=ap)


if __name__ == '__main__':
    sys.exit(main())
