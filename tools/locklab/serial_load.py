"""serial-load: send a kernel Image to the serial chain-loader (make sdcard LOADER=1) and capture its run.

usage: serial-load --device /dev/ttyUSB0 --image build/Image [--bootargs "ktest=none bench=all"]
                   [--log run.log] [--timeout 900] [--baud 115200] [--tries 5]

Waits for the loader's `loader: ready` line (anything before it, the firmware's
log or the last kernel's final lines, is dropped), sends one frame, the Image
LZ-compressed unless --no-compress (the
framing: docs/output-format.md, "The serial chain-loader"), and resends it
when the loader answers `loader: bad ...` or nothing within the time the
bytes need plus 10 s. After `loader: ok` it writes everything that arrives
to --log (the loader's lines included) until the kernel's end record
(`bench-end:` or `shutdown:`), as scripts/capture-serial does. The kernel
then resets (the loader asks it to with end=reset), and the loader waits for
the next kernel. Exit status: 0 when the end record came, 1 otherwise (a
timeout, or --tries frames refused), 2 for a port or image that cannot be
opened. make bench BOARD=rpi5 SERIAL=... runs it once per boot
(scripts/bench-run --serial).
"""
import argparse
import os
import re
import select
import struct
import sys
import time
import zlib

from . import capture_serial
from .textfile import read_bytes

MAGIC = b'LLDR'
ARGS_MAX = 1024
# Whole lines only: a port opened in the middle of one sees its tail first.
READY = re.compile(rb'^loader: ready ([^\r\n]*)\r?\n', re.M)
ANSWER = re.compile(rb'^loader: (ok|bad)\b([^\r\n]*)\r?\n', re.M)


FLAG_LZ = 1


def lz_compress(data):
    """The loader's LZ format (loader/loader.c, lz_decode): a control byte c < 0x80 and c + 1 literals, or
    c >= 0x80, a 2-byte distance d, and (c & 0x7f) + 4 bytes copied from d back. Greedy, the longest match
    among the last 8 places its first 4 bytes were seen in the last 64 KiB: 1.7 times smaller for a kernel."""
    out, lit, seen, i, n = bytearray(), bytearray(), {}, 0, len(data)

    def flush():
        for k in range(0, len(lit), 128):
            chunk = lit[k:k + 128]
            out.append(len(chunk) - 1)
            out.extend(chunk)
        lit.clear()

    while i < n:
        best = dist = 0
        if i + 4 <= n:
            places = seen.setdefault(data[i:i + 4], [])
            for j in reversed(places[-8:]):
                if i - j > 0xffff:
                    break
                k = 4
                while k < 131 and i + k < n and data[j + k] == data[i + k]:
                    k += 1
                if k > best:
                    best, dist = k, i - j
            places.append(i)
        if best >= 4:
            flush()
            out.append(0x80 | (best - 4))
            out += struct.pack('<H', dist)
            for k in range(i + 1, min(i + best, n - 3)):
                seen.setdefault(data[k:k + 4], []).append(k)
            i += best
        else:
            lit.append(data[i])
            i += 1
    flush()
    return bytes(out)


def frame(image, bootargs, corrupt=False, compress=True):
    """The bytes of one transfer: the 28-byte header (magic, flags, payload and Image lengths, options length,
    CRC-32 of options + payload, CRC-32 of the header before it), the options, the payload."""
    args = bootargs.encode()
    wire = lz_compress(image) if compress else image
    head = MAGIC + struct.pack('<IIIII', FLAG_LZ if compress else 0, len(wire), len(image), len(args),
                               zlib.crc32(args + wire))
    payload = bytearray(args + wire)
    if corrupt:  # a test's transmission error: one bit of the payload flipped after the CRC was taken
        payload[len(args) + len(wire) // 2] ^= 0x01
    return head + struct.pack('<I', zlib.crc32(head)) + bytes(payload)


class Port:
    """Reads with a deadline and remembers what arrived since the last match."""

    def __init__(self, fd):
        self.fd, self.buf = fd, b''

    def read_until(self, pattern, deadline, log=None):
        """Returns the match of pattern in what arrives before deadline, or None; bytes up to the
        match end are consumed (and written to log)."""
        while True:
            m = pattern.search(self.buf)
            if m:
                if log:
                    log.write(self.buf[:m.end()])
                    log.flush()
                self.buf = self.buf[m.end():]
                return m
            left = deadline - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if not r:
                continue
            try:
                chunk = os.read(self.fd, 4096)
            except BlockingIOError:
                continue
            except OSError:  # a pty whose other side went away for a moment (QEMU resetting)
                time.sleep(0.1)
                continue
            self.buf = (self.buf + chunk)[-(1 << 20):]

    def drain(self, log=None):
        """Throws away what has arrived so far (into log): a later read sees only what comes next."""
        while select.select([self.fd], [], [], 0)[0]:
            try:
                chunk = os.read(self.fd, 4096)
            except (BlockingIOError, OSError):
                break
            if not chunk:
                break
            self.buf += chunk
        if log:
            log.write(self.buf)
        self.buf = b''

    def write(self, data, deadline):
        view = memoryview(data)
        while view:
            if time.time() > deadline:
                return False
            _, w, _ = select.select([], [self.fd], [], 0.5)
            if w:
                try:
                    view = view[os.write(self.fd, view[:4096]):]
                except BlockingIOError:
                    pass
        return True


def send(port, image, bootargs, baud, tries, corrupt_first, log, say, compress=True):
    """Waits for the loader, sends until it answers ok; True on success."""
    frames = [frame(image, bootargs, corrupt=True, compress=compress)] if corrupt_first else []
    frames.append(frame(image, bootargs, compress=compress))
    for attempt in range(1, tries + 1):
        # Send right after a ready line that has just arrived, not one waiting in the buffer: the
        # loader prints the next one 2 s later, and a frame whose first bytes arrive while it prints
        # (75 characters, 6.5 ms at 115200 baud) can overrun the UART's 32-byte receive FIFO.
        port.drain(log)
        ready = port.read_until(READY, time.time() + 60)
        if not ready:
            say('no "loader: ready" line within 60 s (is the board running the loader? make sdcard LOADER=1)')
            return False
        log.write(ready.group(0))
        data = frames[min(attempt, len(frames)) - 1]
        need = len(data) * 10 / baud + 10  # 10 bits a byte on the wire, and a margin for the loader
        deadline = time.time() + need
        if not port.write(data, deadline):
            say(f'try {attempt}: could not send the frame within {need:.0f} s')
            continue
        answer = port.read_until(ANSWER, deadline, log)
        if answer and answer.group(1) == b'ok':
            return True
        why = answer.group(0).decode(errors='replace').strip() if answer else f'no answer within {need:.0f} s'
        say(f'try {attempt}: {why}: sending again')
    say(f'the loader refused {tries} frames')
    return False


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', required=True)
    p.add_argument('--image', required=True)
    p.add_argument('--bootargs', default='')
    p.add_argument('--log', help='where the run goes (default: stdout only)')
    p.add_argument('--baud', type=int, default=115200)
    p.add_argument('--timeout', type=float, default=900, help='seconds for the run after the transfer')
    p.add_argument('--tries', type=int, default=5)
    p.add_argument('--no-compress', dest='compress', action='store_false',
                   help='send the Image as it is (by default LZ-compressed, which the loader undoes)')
    p.add_argument('--corrupt-first', action='store_true',
                   help='(tests) flip one bit of the first transfer, which the loader must refuse')
    a = p.parse_args(argv)

    def say(msg):
        print(f'serial-load: {msg}', file=sys.stderr, flush=True)

    if len(a.bootargs.encode()) > ARGS_MAX:
        say(f'--bootargs is {len(a.bootargs.encode())} bytes; the loader takes at most {ARGS_MAX}')
        return 2
    try:
        image = read_bytes(a.image)
    except OSError as err:
        say(f'cannot read {a.image}: {err.strerror}')
        return 2
    try:
        fd = capture_serial.open_port(a.device, a.baud)
    except (OSError, ValueError) as err:
        say(f'cannot open {a.device}: {capture_serial.open_problem(err)}')
        return 2
    log_path = a.log or os.devnull
    os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)
    t0 = time.time()
    try:
        with open(log_path, 'wb') as log:
            port = Port(fd)
            if not send(port, image, a.bootargs, a.baud, a.tries, a.corrupt_first, log, say, a.compress):
                return 1
            say(f'{os.path.basename(a.image)}: {len(image)} bytes sent and accepted in {time.time() - t0:.1f} s')
            log.write(port.buf)  # what arrived with the answer: the kernel's first bytes
            log.flush()
        ended, why = capture_serial.capture(fd, log_path, a.timeout, append=True)
    except KeyboardInterrupt:
        ended, why = False, 'interrupted'
    finally:
        os.close(fd)
    if not ended:
        say(f'the run did not end: {why}')
    return 0 if ended else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
