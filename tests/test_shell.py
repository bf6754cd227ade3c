#!/usr/bin/env python3
# The console shell driven through the serial line, as a user at a terminal: type a command, read its output.
"""Run: python3 tests/test_shell.py --image build/check/Image   (prints KTAP v1; exit status 1 on a failure).

Boots the image with `ktest=none end=shell` on QEMU's serial console
(stdin/stdout, the command line scripts/qemu-run builds), waits for the
prompt and types into it: programs by name and by path, a missing one, a
built-in, Ctrl-C ending a program that waits for console input, Ctrl-D
handing it a partial line and then ending its input, a line
longer than the console keeps (refused whole, nothing of it run), shells
nested until no task slot is left and then ended by Ctrl-C (their orphans
reaped: as many fit again), and `poweroff`, which must end the run with `shutdown: status=pass` and QEMU's
exit status 0. Every byte goes through the PL011's receive interrupt and
the kernel's line discipline (docs/user.md). GICv2 and GICv3: the
interrupt is routed differently by each. About 5 s per boot."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.realpath(__file__))
ROOT = os.path.dirname(HERE)
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, 'tools'))
from locklab import qemu_run  # noqa: E402
sys.path.insert(0, HERE)
from ktap_unittest import expect, expect_eq  # noqa: E402
import ktap_unittest  # noqa: E402

PROMPT = '$ '
TTY_LINE_MAX = 256  # include/locklab/tty_line.h: a line at the console, its newline included


class Console:
    """A QEMU whose serial console is this object's stdin/stdout; output collected by a thread."""

    def __init__(self, image: str, gic: int):
        args = qemu_run.parse_args(['--image', image, '--cpus', '2', '--gic', str(gic),
                                    '--bootargs', 'ktest=none end=shell'])
        cmd = qemu_run.qemu_command(args, shutil.which('qemu-system-aarch64') or 'qemu-system-aarch64')
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.out = b''
        self.seen = 0  # what expect() has consumed
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for chunk in iter(lambda: self.proc.stdout.read1(4096), b''):
            with self.lock:
                self.out += chunk

    def text(self) -> str:
        with self.lock:
            return self.out.decode('utf-8', 'replace')

    def expect(self, want: str, timeout: float = 30) -> str:
        """Waits for want after what earlier calls consumed; returns the text before it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            t = self.text()
            i = t.find(want, self.seen)
            if i >= 0:
                before, self.seen = t[self.seen:i], i + len(want)
                return before
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        tail = self.text()[self.seen:][-600:]
        raise AssertionError(f'no {want!r} within {timeout} s; the console after the last match: {tail!r}')

    def type(self, keys: str):
        """Keys at human-ish speed: the kernel reads the UART's FIFO in its interrupt."""
        for c in keys:
            self.proc.stdin.write(c.encode())
            self.proc.stdin.flush()
            time.sleep(0.002)

    def run(self, line: str) -> str:
        """Types line and Enter at a prompt; returns what the command printed before the next prompt."""
        self.type(line + '\r')
        self.expect(line)  # the echo
        return self.expect(PROMPT).replace('\r', '').strip('\n')

    def interrupt(self, line: str, started: str, stopped: str) -> str:
        """Types line, then Ctrl-C once started shows; waits for stopped; returns what came before the prompt."""
        self.type(line + '\r')
        self.expect(started)
        self.type('\x03')
        self.expect(stopped, timeout=20)
        return self.expect(PROMPT, timeout=10).replace('\r', '')

    def poweroff(self):
        """The shell's poweroff: the kernel shuts down cleanly and QEMU exits 0."""
        self.type('poweroff\r')
        self.expect('shutdown: status=pass')
        expect_eq(self.proc.wait(timeout=30), 0, 'QEMU exit status after poweroff')

    def close(self):
        if self.proc.poll() is None:
            qemu_run._kill_group(self.proc)
            self.proc.wait()


class ShellTests(ktap_unittest.TestCase):
    def check_shell(self, gic: int):
        c = Console(self.args.image, gic)
        try:
            c.expect('boot: ')
            c.expect(PROMPT)
            expect_eq(c.run('echo hello from the console'), 'hello from the console', 'echo by name')
            expect_eq(c.run('/bin/echo a  b'), 'a b', 'a program by path, two spaces between words')
            out = c.run('nosuchprogram')
            expect('nosuchprogram' in out and 'not found' in out, f'a missing program: {out!r}')
            out = c.run('ls /bin')
            expect('sh' in out.split() and 'hello' in out.split(), f'ls /bin: {out!r}')
            # Backspace (DEL) edits the line before Enter: "echp" -> "echo"
            c.type('echp\x7fo fixed\r')
            expect_eq(c.expect(PROMPT).replace('\r', '').strip('\n').splitlines()[-1], 'fixed', 'backspace')
            # cat with no file reads the console: Ctrl-C ends it, the shell prompts again
            c.type('cat\r')
            c.expect('cat')
            time.sleep(0.5)
            c.type('\x03')
            c.expect('^C')
            c.expect(PROMPT)
            expect_eq(c.run('echo still here'), 'still here', 'the shell after Ctrl-C')
            # Ctrl-D after typed bytes hands them to cat without a newline (its copy follows the echo on
            # one line); on the line now empty it is end of file: cat ends and the shell prompts again
            c.type('cat\r')
            c.expect('cat')
            time.sleep(0.5)
            c.type('abc\x04')
            c.expect('abcabc')
            c.type('\x04')
            c.expect(PROMPT)
            expect_eq(c.run('echo after cat'), 'after cat', 'the shell after Ctrl-D ended cat')
            c.poweroff()
        finally:
            c.close()

    def test_a_line_longer_than_the_console_keeps_is_refused(self):
        """A line past the tty's 255 bytes is refused whole: the shell says so and runs nothing (the tty used
        to cut it at 255 bytes without a word, and the cut command ran), and the next line runs as usual.
        The line fills the tty in the middle of a word, so a cut line would still be a command that prints.
        Bytes handed over by Ctrl-D before it go with it; and Ctrl-C ends a line the shell was discarding."""
        c = Console(self.args.image, 2)
        try:
            c.expect('boot: ')
            c.expect(PROMPT)
            c.type('echo RAN' + 'y' * 400 + '\r')
            before = c.expect(f'sh: line longer than {TTY_LINE_MAX - 1} bytes: ignored').replace('\r', '')
            lines = [ln for ln in before.split('\n') if ln]
            # Only the echo of what the tty kept: the first 255 bytes typed, then Enter's newline.
            expect_eq(lines, ['echo RAN' + 'y' * (TTY_LINE_MAX - 1 - 8)], 'the console before the message')
            expect_eq(c.expect(PROMPT).replace('\r', '').strip('\n'), '', 'between the message and the prompt')
            expect_eq(c.run('echo after the long line'), 'after the long line', 'the next line')
            # Bytes Ctrl-D handed over go with the line refused after them (they ran with the next line on
            # their end: "Xecho after both")
            c.type('echo X\x04' + 'y' * 300 + '\r')
            c.expect(f'sh: line longer than {TTY_LINE_MAX - 1} bytes: ignored')
            c.expect(PROMPT)
            expect_eq(c.run('echo after both'), 'after both', 'the line after a pushed part and a refused line')
            # 512 bytes handed over by Ctrl-D fill the shell's buffer: it discards to the next newline, but
            # Ctrl-C ends that line (the shell swallowed the next line typed as the over-long line's end)
            c.type(('y' * (TTY_LINE_MAX - 1) + '\x04') * 2 + 'yy\x04')
            c.expect('sh: line longer than 511 bytes: ignored')
            c.type('\x03')
            c.expect('^C')
            c.expect(PROMPT)
            expect_eq(c.run('echo after ctrl-c'), 'after ctrl-c', 'the line after Ctrl-C ended a discarded one')
            c.poweroff()
        finally:
            c.close()

    def test_what_failed_at_the_prompt_fails_the_run_however_the_shell_ends(self):
        """`ktest shell` at the prompt is skipped (its cases make ktest() calls of their own, which the running
        call keeps busy: it failed 3 cases, then hung the shell for good); a special file run as a program is
        ENOEXEC (it said ESPIPE); and a ktest refused at the prompt fails the run when the shell ends with
        `exit`, not only with `poweroff` (it ended status=pass, and make qemu exited 0)."""
        c = Console(self.args.image, 2)
        try:
            c.expect('boot: ')
            c.expect(PROMPT)
            out = c.run('ktest shell')
            expect('ok 1 shell # SKIP' in out and 'runs at boot only' in out, f'ktest shell at the prompt: {out!r}')
            expect('failed' not in out.replace('failed=0', ''), f'ktest shell at the prompt: {out!r}')
            expect_eq(c.run('/proc/lock_stat'), 'sh: /proc/lock_stat: ENOEXEC', 'a special file run as a program')
            out = c.run('ktest shell_no_such_suite')
            expect('sh: ktest: EINVAL' in out, f'an unknown suite: {out!r}')
            c.type('exit\r')
            c.expect('shutdown: status=fail reason=ktest')
            expect_eq(c.proc.wait(timeout=30), 1, 'QEMU exit status after exit with a refused ktest')
        finally:
            c.close()

    def test_ctrl_c_stops_a_bench_or_ktest_between_runs(self):
        """Ctrl-C during a long `bench` or `ktest` at the prompt stops it after the run or case under way (it
        was echoed and the run went on: `bench all` took 36 s more); the call says EINTR, and being stopped
        is not a failure of the run."""
        c = Console(self.args.image, 2)
        try:
            c.expect('boot: ')
            c.expect(PROMPT)
            end = c.interrupt('bench getpid cpus=1 repeat=100 duration_ms=50 warmup_ms=0',
                              'bench: workload=getpid cpus=1 repeat=0 ',
                              'bench interrupted (Ctrl-C): the runs left are not run')
            expect('sh: bench: EINTR' in end, f'after the interrupted bench: {end!r}')
            runs = re.search(r'bench-end: runs=(\d+) ', end)
            expect(runs and 1 <= int(runs.group(1)) < 100, f'runs done before Ctrl-C stopped them: {end!r}')
            end = c.interrupt('ktest smp,sched,wait,mutex', '# ktest: start ',
                              '# ktest: interrupted (Ctrl-C): the cases left are not run')
            expect('sh: ktest: EINTR' in end, f'after the interrupted ktest: {end!r}')
            expect('# SKIP interrupted (Ctrl-C)' in end, f'the cut suite passed as a whole: {end!r}')
            expect_eq(c.run('echo still here'), 'still here', 'the shell after both')
            # a command name too long for a path is refused, not cut into another name
            expect_eq(c.run('y' * 252), 'sh: ' + 'y' * 40 + '...: ENAMETOOLONG', 'a 252-byte command name')
            # an empty quoted name is no program (it said "sh: : EISDIR": it looked for /bin/, a folder)
            expect_eq(c.run('"" x'), 'sh: "": not found', 'an empty command name')
            c.poweroff()
        finally:
            c.close()

    def test_a_suite_that_types_ctrl_c_is_not_stopped_by_it(self):
        """The tty suite types Ctrl-C into the console itself (kernel/tests/tty_test.c): `ktest tty` at the prompt
        stopped after its second case on its own keystroke (`# ktest: interrupted`, `sh: ktest: EINTR`, 5 of its
        7 cases never run, and `ktest all` with them). Only the user's Ctrl-C stops a run."""
        c = Console(self.args.image, 2)
        try:
            c.expect('boot: ')
            c.expect(PROMPT)
            out = c.run('ktest tty')
            expect('# ktest: interrupted' not in out and 'sh: ktest: EINTR' not in out,
                   f'ktest tty stopped by its own Ctrl-C: {out[-300:]!r}')
            plan = re.search(r'^  1\.\.(\d+)$', out, re.M)  # the suite's case count, not a number kept here
            expect(plan and '\nok 1 tty' in out and f'# ktest: passed={plan[1]} failed=0 skipped=0' in out,
                   f'ktest tty: {out!r}')
            c.poweroff()
        finally:
            c.close()

    def test_a_file_written_at_the_prompt(self):
        """The shell has no redirections: `echo 0 > /proc/lock_stat` (docs/locking.md's way to reset lockstat)
        printed "0 > /proc/lock_stat" and reset nothing. Now the operator is refused with a message naming
        `write FILE TEXT`, which writes the file: one read back by cat, lockstat reset by `0` and `1` refused."""
        c = Console(self.args.image, 2)
        try:
            c.expect('boot: ')
            c.expect(PROMPT)
            expect_eq(c.run('echo 0 > /proc/lock_stat'),
                      'sh: >: no redirections or pipes (write FILE TEXT writes a file)', 'a redirection')
            expect_eq(c.run('cat /proc/lock_stat | cat'),
                      'sh: |: no redirections or pipes (write FILE TEXT writes a file)', 'a pipe')
            expect_eq(c.run('echo ">" "|"'), '> |', 'the operators quoted are words')
            expect_eq(c.run('write /note hello  "from the"  console'), '', 'write a file')
            expect_eq(c.run('cat /note'), 'hello from the console', 'the file read back')
            # sh FILE runs the file's commands (the argument was ignored: a new shell read the console)
            expect_eq(c.run('write /script echo from "the script"'), '', 'a script written')
            expect_eq(c.run('sh /script'), 'from the script', 'sh FILE')
            expect_eq(c.run('sh /nosuch'), 'sh: /nosuch: ENOENT\nsh: sh: exit 127', 'sh with a missing file')
            expect_eq(c.run('sh /bin'), 'sh: /bin: EISDIR\nsh: sh: exit 1', 'sh with a folder')
            expect_eq(c.run('sh a b'), 'usage: sh [FILE]\nsh: sh: exit 2', 'sh with two arguments')
            expect_eq(c.run('write /proc/lock_stat 0'), '', 'lockstat reset')
            expect_eq(c.run('write /proc/lock_stat 1'),
                      'write: /proc/lock_stat: EINVAL\nsh: write: exit 1', 'lockstat refuses 1')
            c.poweroff()
        finally:
            c.close()

    def test_ctrl_c_frees_every_process_of_a_nested_session(self):
        """Shells nested until spawn says EAGAIN (every task slot taken), then Ctrl-C: the same number fit
        again, three times. Ctrl-C ended each shell before the one it waited for; that one went to process 1,
        whose end=shell wait was for the shell's pid only, so it stayed a zombie with its task slot for good:
        62 nested shells fit, then 31, then 15, and then nothing could be started."""
        c = Console(self.args.image, 2)
        try:
            c.expect('boot: ')
            c.expect(PROMPT)
            counts = []
            for _ in range(3):
                n = 0
                while True:
                    c.type('sh\r')
                    c.expect('sh\r\n')
                    out = c.expect(PROMPT)
                    if 'sh: sh: EAGAIN' in out:
                        break
                    expect(n < 300, f'no EAGAIN after {n} nested shells')
                    n += 1
                c.type('\x03')
                c.expect('^C')
                c.expect(PROMPT)
                counts.append(n)
            expect(counts[0] > 8 and counts == [counts[0]] * 3, f'nested shells that fit, each round: {counts}')
            expect_eq(c.run('echo still here'), 'still here', 'a program after the last Ctrl-C')
            c.poweroff()
        finally:
            c.close()

    def test_shell_on_gic_v2(self):
        self.check_shell(2)

    def test_shell_on_gic_v3(self):
        self.check_shell(3)

    def test_input_sent_before_the_kernel_reads_it(self):
        """A script piped in as QEMU starts (printf ... | make qemu BOOTARGS="ktest=none end=shell"): the
        bytes wait in the UART from before the kernel turns its receiver on, and every one of them arrives,
        the first too (QEMU's PL011 dropped it and then read nothing more, and the boot hung)."""
        c = Console(self.args.image, 2)
        try:
            c.proc.stdin.write(b'echo typed ahead\rls /bin\rpoweroff\r')
            c.proc.stdin.close()
            # The line discipline echoed the lines as they arrived, during boot; then the shell runs them.
            c.expect(PROMPT + 'typed ahead')
            expect_eq(c.expect(PROMPT).strip(), '', 'between the echo\'s output and the next prompt:')
            out = c.expect(PROMPT).replace('\r', '').split()
            expect('sh' in out and 'hello' in out, f'ls /bin after the typed-ahead line: {out}')
            c.expect('shutdown: status=pass reason=poweroff')
            expect_eq(c.proc.wait(timeout=30), 0, 'QEMU exit status after the piped poweroff')
        finally:
            c.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--image', required=True, help='a kernel image with /bin/sh in its initramfs')
    return ktap_unittest.main('shell', ShellTests, parser=p)


if __name__ == '__main__':
    sys.exit(main())
