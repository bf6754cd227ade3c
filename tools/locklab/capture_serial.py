"""capture-serial: record a locklab run from a serial port (a Raspberry Pi 5) into a results folder, then report on it.

usage: capture-serial --device /dev/ttyACM0 [--baud 115200] [--timeout 900] [--label pi5] [--results results]

Opens the port raw at the given speed (8N1, no flow control), writes every
byte to results/<date>-<time>-<label>/<label>.log as it arrives, shows a
progress line (benchmark runs seen), and stops at the end record
(`bench-end:`, or `shutdown:` for a boot without benchmarks), at the timeout,
or on Ctrl-C. Then it makes the CSVs, plots and report exactly as make bench
does (scripts/bench-run --replot on the folder). Exit status 0 when the end
record came and the report is complete; 1 otherwise (the log is kept); 2 for
a port that cannot be opened.
"""
import argparse
import os
import re
import select
import subprocess
import sys
import termios
import time

from . import ROOT, SCRIPTS
END = re.compile(rb'^(bench-end:|shutdown:)', re.M)


def baud_supported(baud: int) -> bool:
    """Whether termios has a speed constant for baud (open_port refuses one it lacks)."""
    return getattr(termios, f'B{baud}', None) is not None


def open_problem(err: Exception) -> str:
    """Why a serial port would not open, and what to do: each cause its own hint (a missing port was told to join
    dialout, a speed termios lacks to plug the adapter in)."""
    if isinstance(err, ValueError):
        return f'{err} (the Pi 5\'s debug UART runs at 115200: leave the speed out)'
    if isinstance(err, FileNotFoundError):
        return ('no such serial port: plug the adapter in and name the port it got (ls /dev/ttyACM* /dev/ttyUSB*: a '
                'Debug Probe is usually /dev/ttyACM0, other USB adapters /dev/ttyUSB0)')
    if isinstance(err, PermissionError):
        return ('permission denied: join the group that owns it (sudo usermod -aG dialout $USER), then log out '
                'and in again')
    return f'{err.strerror if isinstance(err, OSError) and err.strerror else err}'


def open_port(path: str, baud: int) -> int:
    """The port's file descriptor, set raw at baud, 8N1, no flow control (termios from the standard
    library: no package to install for the one call that needs it)."""
    if not baud_supported(baud):
        raise ValueError(f'unsupported speed {baud}')
    speed = getattr(termios, f'B{baud}')
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        attr = termios.tcgetattr(fd)
        iflag, oflag, cflag, lflag = attr[0], attr[1], attr[2], attr[3]
        # Raw: no line editing, echo, signals or newline translation; 8 data bits, no parity, 1 stop bit.
        iflag &= ~(termios.IGNBRK | termios.BRKINT | termios.PARMRK | termios.ISTRIP | termios.INLCR |
                   termios.IGNCR | termios.ICRNL | termios.IXON | termios.IXOFF)
        oflag &= ~termios.OPOST
        lflag &= ~(termios.ECHO | termios.ECHONL | termios.ICANON | termios.ISIG | termios.IEXTEN)
        cflag &= ~(termios.CSIZE | termios.PARENB | termios.CSTOPB | getattr(termios, 'CRTSCTS', 0))
        cflag |= termios.CS8 | termios.CREAD | termios.CLOCAL
        termios.tcsetattr(fd, termios.TCSANOW, [iflag, oflag, cflag, lflag, speed, speed, attr[6]])
    except termios.error:
        pass  # not a tty (a FIFO or file in tests): read it as it is
    return fd


def new_run_dir(results, label):
    stamp = time.strftime('%Y%m%d-%H%M%S')
    path, n = os.path.join(results, f'{stamp}-{label}'), 1
    while os.path.exists(path):
        n += 1
        path = os.path.join(results, f'{stamp}-{label}-{n}')
    os.makedirs(path)
    return path


def capture(fd, log_path, timeout, append=False):
    """Copies the port into log_path (after what it holds, with append) until the end record;
    returns (ended, why). scripts/serial-load uses it too."""
    deadline, data, runs = time.time() + timeout, b'', 0
    tty = sys.stdout.isatty()
    with open(log_path, 'ab' if append else 'wb') as log:
        while True:
            left = deadline - time.time()
            if left <= 0:
                return False, f'timed out after {timeout:.0f} s'
            r, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not r:
                continue
            try:
                chunk = os.read(fd, 4096)
            except BlockingIOError:
                continue
            except OSError as err:  # the adapter went away, or the writer closed a pty
                return False, f'port closed: {err.strerror}'
            if not chunk:
                return False, 'port closed (end of input)'
            log.write(chunk)
            log.flush()
            data = (data + chunk)[-65536:]
            seen = data.count(b'\nbench: workload=')
            if seen:
                runs += seen
                data = data[data.rfind(b'\nbench: workload=') + 1:]
                msg = f'  CAPTURE  {runs} benchmark runs so far'
                print(('\r\033[K' + msg) if tty else msg, end='' if tty else '\n', flush=True)
            if END.search(data):
                # The end record's line may still be arriving: give it a moment to finish.
                time.sleep(0.2)
                try:
                    log.write(os.read(fd, 4096))
                except OSError:
                    pass
                return True, 'end record seen'


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', required=True)
    p.add_argument('--baud', type=int, default=115200)
    p.add_argument('--timeout', type=float, default=900, help='seconds to wait for the end record')
    p.add_argument('--label', default='pi5')
    p.add_argument('--results', default=os.path.join(ROOT, 'results'))
    a = p.parse_args(argv)
    if not re.fullmatch(r'[\w.-]+', a.label):
        p.error('--label: letters, digits, . _ -')
    try:
        fd = open_port(a.device, a.baud)
    except (OSError, ValueError) as err:
        print(f'capture-serial: cannot open {a.device}: {open_problem(err)}', file=sys.stderr)
        return 2
    out = new_run_dir(a.results, a.label)
    log = os.path.join(out, f'{a.label}.log')
    print(f'  CAPTURE  {a.device} at {a.baud} baud into {os.path.relpath(log)}; power the board now', flush=True)
    try:
        ended, why = capture(fd, log, a.timeout)
    except KeyboardInterrupt:
        ended, why = False, 'interrupted'
    finally:
        os.close(fd)
    print(f'\n  CAPTURE  {why}', flush=True)
    r = subprocess.run([sys.executable, os.path.join(SCRIPTS, 'bench-run'), '--replot', out])
    if not ended:
        print(f'capture-serial: the log has no end record ({why}): what arrived is kept in {out}',
              file=sys.stderr)
    return 0 if ended and r.returncode == 0 else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
