#!/usr/bin/env python3
"""Boot paths beyond the happy one, in real QEMU: odd load address, bad device trees, bad bootargs, panics.

usage: test_boot_faults.py --image build/check/Image --workdir DIR
Prints KTAP v1; exit status 1 if any case failed. Each case boots the kernel
through scripts/qemu-run and checks both its verdict and the exact console
text a user would rely on to understand what went wrong.
"""
import argparse
import json
import os
import re
import struct
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.realpath(__file__))
QEMU_RUN = os.path.join(os.path.dirname(HERE), 'scripts', 'qemu-run')
QEMU = 'qemu-system-aarch64'
IMAGE = WORK = ''   # --image and --workdir, set before the first case
sys.dont_write_bytecode = True      # no __pycache__ next to the script
sys.path.insert(0, HERE)
from ktap_unittest import Failed, expect  # noqa: E402  (tests/, beside this file)
import ktap_unittest  # noqa: E402


def boot(name, *args, timeout=60):
    """Runs qemu-run; returns (exit status, serial log text, {case name: status})."""
    log = os.path.join(WORK, name + '.log')
    cases_file = os.path.join(WORK, name + '.json')
    cmd = [sys.executable, QEMU_RUN, '--quiet', '--timeout', str(timeout), '--log', log,
           '--ktap-out', cases_file] + list(args)
    if '--image' not in args:
        cmd += ['--image', IMAGE]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout + 30)
    with open(log, errors='replace') as f:
        text = f.read().replace('\r', '')
    statuses = {}
    if os.path.exists(cases_file):
        with open(cases_file) as f:
            for line in f:
                c = json.loads(line)
                statuses[c['name']] = c['status']
    return proc.returncode, text, statuses


def expect_rc(rc, want, text):
    """Checks qemu-run's exit status; on a mismatch says how the guest ended, not just the number."""
    if rc == want:
        return
    ends = re.findall(r'^(?:shutdown: .*|panic: .*|# ktest: start .*)$', text, re.M)
    raise Failed(f'qemu-run exit status {rc}, wanted {want}; guest ended with: '
                 f'{ends[-1] if ends else "(no shutdown, panic or case-start line)"}')


def has(text, pattern, what):
    expect(re.search(pattern, text, re.M), f'{what}: /{pattern}/ not in the console log')


def shim_image(name, prefix_insns):
    """The kernel behind a few instructions at a 12 KiB offset: QEMU loads the file raw at
    0x40080000 with x0 = DTB, the instructions run, then branch to the kernel."""
    off = 0x3000
    code = b''.join(struct.pack('<I', i) for i in prefix_insns)
    branch = 0x14000000 | ((off - len(code)) // 4)  # b <kernel>
    code += struct.pack('<I', branch)
    path = os.path.join(WORK, name + '.bin')
    with open(IMAGE, 'rb') as f:
        kernel = f.read()
    with open(path, 'wb') as f:
        f.write(code.ljust(off, b'\0') + kernel)
    return path


def edited_dtb(name, edit, smp=4, el2=False):
    """A QEMU virt device tree (dumped, decompiled), changed by edit(dts) -> dts, recompiled; el2: the
    tree of virtualization=on (EL2 entry, PSCI over SMC), as --el2 boots."""
    raw = os.path.join(WORK, name + '-orig.dtb')
    machine = 'virt,virtualization=on' if el2 else 'virt'
    subprocess.run([QEMU, '-M', f'{machine},dumpdtb={raw}', '-cpu', 'cortex-a76', '-smp', str(smp),
                    '-m', '512M', '-nographic', '-nic', 'none'], check=True, capture_output=True)
    dts = subprocess.run(['dtc', '-q', '-I', 'dtb', '-O', 'dts', raw], check=True,
                         capture_output=True, text=True).stdout
    out = os.path.join(WORK, name + '.dtb')
    subprocess.run(['dtc', '-q', '-I', 'dts', '-O', 'dtb', '-o', out], input=edit(dts),
                   check=True, capture_output=True, text=True)
    return out


def drop_node(dts, header_regex):
    """Removes the first node whose opening line matches header_regex (brace-matched)."""
    m = re.search(header_regex, dts, re.M)
    assert m, header_regex
    depth, i = 0, dts.index('{', m.start())
    while True:
        depth += {'{': 1, '}': -1}.get(dts[i], 0)
        i += 1
        if depth == 0:
            break
    return dts[:m.start()] + dts[dts.index(';', i) + 1:]


# The GIC-400's frames (GICD, GICC, GICH, GICV) at the Pi 5's bus addresses under /soc@107c000000 (1-cell,
# as the Pi's tree has them): QEMU's address -> (the Pi's, the Pi's size).
PI5_BUS = {0x8000000: (0x7fff9000, 0x1000), 0x8010000: (0x7fffa000, 0x2000),
           0x8030000: (0x7fffc000, 0x2000), 0x8040000: (0x7fffe000, 0x2000)}


def pi5_shaped(d, memory_reg=None, nvram1=None, bootargs=None, rpi5_root=False):
    """QEMU's device tree rearranged the way a Pi 5's is: the console UART and the GIC (as an
    "arm,gic-400", QEMU's "arm,cortex-a15-gic" gone) under a /soc@107c000000 bus whose ranges translate
    the Pi's bus addresses (0x7d001000 for UART10, 0x7fff9000/0x7fffa000 for GICD/GICC) to QEMU's
    devices, the console found through a serial10 alias with options; RAM kept from the firmware by
    /memreserve/ and by /reserved-memory, beside the firmware's disabled nvram@0/@1 placeholders with
    their 3-cell regs; five timer interrupts; 3-cell regs under a 2 + 1-cell bus and (malformed,
    unused) under /soc. memory_reg replaces /memory's reg cells (as an old bootloader writes them);
    nvram1 enables nvram@1 with those reg cells (as the firmware fills it in); bootargs sets /chosen's,
    for a tree QEMU does not edit (dtb_image); rpi5_root gives the root the Pi 5's compatible (and
    model), so the kernel takes the board for a Pi 5 (board=rpi5: no semihosting, not even when asked)."""
    m = re.search(r'^\tpl011@9000000 \{\n(.*?)^\t\};\n', d, re.M | re.S)
    assert m
    props = m.group(1).replace('reg = <0x00 0x9000000 0x00 0x1000>;', 'reg = <0x7d001000 0x1000>;')
    d = d[:m.start()] + d[m.end():]
    # The GIC: its phandle (interrupt-parent everywhere) and its own interrupt kept, its reg in bus
    # addresses, the v2m MSI frame (for PCIe, which the kernel does not use) and its 2-cell bus dropped.
    m = re.search(r'^\tintc@8000000 \{\n(.*?)^\t\};\n', d, re.M | re.S)
    assert m
    frames = [int(a, 16) for a in re.search(r'^\t\treg = <([^>]*)>;', m.group(1), re.M).group(1).split()[1::4]]
    keep = ''.join(f'\t{line}\n' for line in m.group(1).splitlines()
                   if re.match(r'\t\t(phandle|interrupts) = ', line))
    gic = ('\t\tinterrupt-controller@7fff9000 {\n' + keep +
           '\t\t\treg = <' + ' '.join(f'{PI5_BUS[f][0]:#x} {PI5_BUS[f][1]:#x}' for f in frames) + '>;\n'
           '\t\t\tcompatible = "arm,gic-400";\n\t\t\tinterrupt-controller;\n\t\t\t#interrupt-cells = <0x03>;\n'
           '\t\t};\n')
    d = d[:m.start()] + d[m.end():]
    # UART10 through a window that starts below it (0x7d000000 -> 0x8fff000), each GIC frame through its own.
    ranges = ' '.join(['0x7d000000 0x00 0x8fff000 0x2000'] +
                      [f'{PI5_BUS[f][0]:#x} 0x00 {f:#x} {PI5_BUS[f][1]:#x}' for f in frames])
    soc = ('\tsoc@107c000000 {\n\t\tcompatible = "simple-bus";\n\t\t#address-cells = <1>;\n\t\t#size-cells = <1>;\n'
           f'\t\tranges = <{ranges}>;\n'
           '\t\tserial@7d001000 {\n' + props.replace('\n\t\t', '\n\t\t\t').replace('\t\tclock', '\t\t\tclock', 1) +
           '\t\t};\n' + gic +
           '\t\tmailbox@7c013880 {\n\t\t\treg = <0x7c013880 0x40 0x00>;\n\t\t};\n\t};\n'
           '\taxi {\n\t\t#address-cells = <2>;\n\t\t#size-cells = <1>;\n\t\tranges;\n'
           '\t\tpcie@1000110000 {\n\t\t\treg = <0x10 0x110000 0x9310>;\n\t\t};\n\t};\n'
           '\taliases {\n\t\tserial10 = "/soc@107c000000/serial@7d001000";\n\t};\n'
           '\treserved-memory {\n\t\t#address-cells = <2>;\n\t\t#size-cells = <2>;\n\t\tranges;\n'
           '\t\tfirmware@50000000 {\n\t\t\treg = <0x00 0x50000000 0x00 0x100000>;\n\t\t\tno-map;\n\t\t};\n'
           + ''.join(f'\t\tnvram@{i} {{\n\t\t\treg = <{cells}>;\n\t\t\tno-map;\n\t\t\tstatus = "{status}";\n\t\t}};\n'
                     for i, (cells, status) in enumerate([('0x00 0x00 0x00', 'disabled'),
                                                          (nvram1, 'okay') if nvram1 else ('0x00 0x00 0x00', 'disabled')]))
           + '\t};\n')
    d = re.sub(r'^(\tchosen \{)', lambda x: soc + x.group(1), d, count=1, flags=re.M)
    d = d.replace('stdout-path = "/pl011@9000000";', 'stdout-path = "serial10:115200n8";')
    d, n = re.subn(r'(\ttimer \{\n\t\tinterrupts = <[^>]*)>', r'\1 0x01 0x0c 0x304>', d, count=1)
    assert n == 1
    assert 'cortex-a15-gic' not in d and 'reg = <0x00 0x8000000 ' not in d, 'a GIC left at its QEMU address'
    if rpi5_root:
        d, n = re.subn(r'^(\t)model = "[^"]*";\n((?:.*\n)*?)\tcompatible = "linux,dummy-virt";',
                       r'\1model = "Raspberry Pi 5 Model B Rev 1.0 (QEMU-shaped)";\n\2'
                       r'\tcompatible = "raspberrypi,5-model-b\\0brcm,bcm2712";', d, count=1, flags=re.M)
        assert n == 1
    if memory_reg:
        d, n = re.subn(r'(memory@40000000 \{\n\t\treg = <)[^>]*>', lambda m: m.group(1) + memory_reg + '>', d)
        assert n == 1
    if bootargs:
        d = re.sub(r'^(\tchosen \{\n)', lambda m: m.group(1) + f'\t\tbootargs = "{bootargs}";\n', d, count=1, flags=re.M)
    return d.replace('/dts-v1/;', '/dts-v1/;\n/memreserve/ 0x4c000000 0x80000;', 1)


def dtb_image(name, dtb):
    """The kernel behind a shim that enters it with x0 = a device tree carried in the same file: QEMU
    rewrites the /memory and /chosen of a -dtb tree, so only this way does the kernel see a tree as
    written (bootargs included). Loaded raw at 0x40080000: shim, tree at 0x1000, kernel after it."""
    with open(dtb, 'rb') as f:
        blob = f.read()
    koff = (0x1000 + len(blob) + 0xfff) & ~0xfff
    adr_x0 = 0x10000000 | (0x1000 & 3) << 29 | (0x1000 >> 2) << 5   # adr x0, .+0x1000
    branch = 0x14000000 | (koff - 4) // 4                             # b <kernel>
    path = os.path.join(WORK, name + '.bin')
    with open(IMAGE, 'rb') as f:
        kernel = f.read()
    with open(path, 'wb') as f:
        f.write(struct.pack('<II', adr_x0, branch).ljust(0x1000, b'\0') + blob.ljust(koff - 0x1000, b'\0') + kernel)
    return path


def one_size_cell_boot(name, memory_reg, nvram1=None):
    """Boots a Pi 5-shaped tree whose /memory (512 MiB at 0x40000000) has 1-cell sizes under #size-cells 2."""
    dtb = edited_dtb(name, lambda d: pi5_shaped(d, memory_reg, nvram1, bootargs='ktest=boot semihost=1'), smp=1)
    rc, text, statuses = boot(name, '--image', dtb_image(name, dtb), '--cpus', '1',
                              '--expect', 'mem_mib=512', timeout=30)
    expect_rc(rc, 0, text)
    expect(statuses.get('boot.boot_kernel_in_ram') == 'pass', f'{name}: {statuses}')
    return text


def with_nomap(d):
    """QEMU's tree with a /reserved-memory child marked no-map, 20 KiB not aligned to a 2 MiB block (so the
    map splits down to pages around it), beside a plain reserved child that stays mapped."""
    node = ('\treserved-memory {\n\t\t#address-cells = <2>;\n\t\t#size-cells = <2>;\n\t\tranges;\n'
            '\t\tsecure@50003000 {\n\t\t\treg = <0x00 0x50003000 0x00 0x5000>;\n\t\t\tno-map;\n\t\t};\n'
            '\t\tshared@50010000 {\n\t\t\treg = <0x00 0x50010000 0x00 0x1000>;\n\t\t};\n\t};\n')
    return re.sub(r'^(\tchosen \{)', lambda x: node + x.group(1), d, count=1, flags=re.M)


def planted_recursion(name, suite, taken, held):
    """A planted recursive acquisition: reported by lockdep (as 'taken'), the held lock listed, then a panic."""
    rc, text, _ = boot(name, '--cpus', '2', '--accel', 'single', '--bootargs', 'ktest=' + suite, timeout=30)
    expect_rc(rc, 1, text)
    has(text, rf'^lockdep: kind=recursion cpu=0 task=init class={taken}$', 'machine-readable report')
    has(text, rf'^lockdep:     #0 {held} ', 'the held-lock stack')
    has(text, rf'^panic: cpu=0 lockdep: recursive locking of {taken}', 'panic instead of a silent hang')


LOCKSTAT_RE = (r'^lockstat: class=(\S+) acquisitions=(\d+) contentions=(\d+) con_bounces=(\d+) '
               r'acq_bounces=(\d+) wait_min_ns=(\d+) wait_max_ns=(\d+) wait_total_ns=(\d+) '
               r'hold_min_ns=(\d+) hold_max_ns=(\d+) hold_total_ns=(\d+)( \S+=\S+)*$')
TORTURE_RE = r'^torture: alg=(\w+) strategy=(\w+) lock_wait=(spin|block|adaptive) cpus=(\d+) total=(\d+) max=(\d+) min=(\d+) fail=(\d+)$'



class BootFaultTests(ktap_unittest.TestCase):
    """Each case boots the kernel Image through scripts/qemu-run with a fault planted."""

    @classmethod
    def setUpClass(cls):
        global IMAGE, WORK
        IMAGE, WORK = cls.args.image, cls.args.workdir
        os.makedirs(WORK, exist_ok=True)

    def test_loads_and_runs_at_an_unaligned_address(self):
        # Every suite, at the odd address. Round-robin TCG: on a loaded host two
        # parallel vCPUs can take minutes (a descheduled lock holder), and speed
        # is not what this checks; parallel_smp2 in make check covers that.
        rc, text, _ = boot('shifted', '--image', shim_image('shifted', []), '--cpus', '2', '--accel', 'single',
                           '--expect', 'load_addr=0x40083000',
                           '--expect', 'kernel_va=0xffffff8040083000', '--expect', 'cpus_online=2', timeout=300)
        expect_rc(rc, 0, text)
        has(text, r'^shutdown: status=pass', 'clean run')

    def test_loads_and_runs_across_a_gib_boundary(self):
        # The image's header asks to be loaded 2 MiB below the 2 GiB line (QEMU honours text_offset), so its
        # BSS and page tables lie in the next GiB, which head.S's early table must map as memory too.
        # (QEMU puts the DTB just past the image, in that GiB as well, so the boot alone cannot tell
        # whether the early table mapped it for the image or for the DTB: boot's early-map case reads the
        # table itself.)
        with open(IMAGE, 'rb') as f:
            image = bytearray(f.read())
        struct.pack_into('<Q', image, 8, 0x3fe00000)  # text_offset: RAM starts at 0x40000000
        path = os.path.join(WORK, 'straddle.img')
        with open(path, 'wb') as f:
            f.write(image)
        rc, text, statuses = boot('straddle', '--image', path, '--mem', '3G', '--cpus', '2', '--bootargs',
                                  'ktest=boot', '--expect', 'load_addr=0x7fe00000', timeout=60)
        expect_rc(rc, 0, text)
        has(text, r'boot_early_map_is_normal_only_for_the_image_and_dtb: image in GiB 1\.\.2,',
            'the image in two GiBs')
        expect(statuses and all(v == 'pass' for v in statuses.values()), f'{statuses}')

    def test_watchdog_reports_stalls_and_long_lock_waits(self):
        # Planted stalls of 3 x 200 ms on 2 CPUs; round-robin TCG so the host cannot add stalls of its own.
        rc, text, statuses = boot('watchdog', '--cpus', '2', '--accel', 'single', '--bootargs',
                                  'ktest=selftest_watchdog watchdog_ms=200', timeout=60)
        expect_rc(rc, 0, text)
        has(text, r"watchdog: cpu0 has waited \d+ ms for spinlock 'wd_test_lock', held by cpu1$",
            'a long wait with interrupts on, reported by the waiter with lock and holder')
        has(text, r"watchdog: cpu0 stuck with interrupts off for \d+ ms \(no timer tick\), waiting for spinlock "
                  r"'wd_test_lock', held by cpu1$", 'a CPU stuck spinning with interrupts off, reported by the other')
        has(text, r'watchdog: cpu1 stuck with interrupts off for \d+ ms \(no timer tick\)$', 'a CPU stuck, no lock')
        has(text, r'watchdog: cpu1 ticks again after \d+ ms$', 'the end of the stall')
        for n in re.findall(r'watchdog: .* (?:waited|for) (\d+) ms', text):
            expect(200 <= int(n) < 2000, f'a report of {n} ms for a 200 ms limit and 600 ms stalls')
        expect(all(statuses.get(f'selftest_watchdog.{c}') == 'pass' for c in (
            'watchdog_reports_a_long_spinlock_wait', 'watchdog_names_the_lock_a_stuck_cpu_waits_for',
            'watchdog_reports_a_cpu_stuck_with_interrupts_off')), f'planted cases: {statuses}')

    def test_pi5_shaped_device_tree_boots_and_keeps_the_firmware_memory(self):
        # The same device tree recompiled unchanged is the baseline: QEMU's own is padded to 1 MiB, and the
        # kernel keeps the whole blob from the allocator, so only two dtc outputs compare page for page.
        dtbs = [edited_dtb('plain', lambda d: d, smp=2), edited_dtb('pi5shaped', pi5_shaped, smp=2)]
        plain, pi = (boot(name, '--dtb', dtb, '--cpus', '2', '--accel', 'single', '--bootargs', 'ktest=boot,mm',
                          timeout=60) for name, dtb in zip(('plain', 'pi5shaped'), dtbs))
        for (rc, text, statuses), what in ((plain, 'plain'), (pi, 'Pi 5-shaped')):
            expect_rc(rc, 0, text)
            expect(statuses and all(v == 'pass' for v in statuses.values()), f'{what}: {statuses}')
        pages = [int(re.search(r'mm: (\d+) pages .* free in', t).group(1)) for _, t, _ in (plain, pi)]
        # 1 MiB of /reserved-memory and 512 KiB of /memreserve/ in 4 KiB pages, plus the bigger blob's pages
        # (QEMU's load_device_tree opens a -dtb file into (size + 10000) * 2 bytes: the totalsize kept).
        blob = [(2 * (os.path.getsize(f) + 10000) + 4095) // 4096 for f in dtbs]
        want = (0x100000 + 0x80000) // 4096 + blob[1] - blob[0]
        expect(pages[0] - pages[1] == want,
               f'free pages {pages[0]} (plain) vs {pages[1]} (Pi 5-shaped): expected {want} fewer')
        has(pi[1], r'memory: reserved 0x50000000-0x500fffff no-map \(left unmapped\)$', 'the no-map /reserved-memory range')
        has(pi[1], r'memory: reserved 0x4c000000-0x4c07ffff$', 'the /memreserve/ range')
        has(pi[1], r'c0: console: PL011 serial@7d001000 at 0x9000000 \(the device tree\'s stdout-path\)$',
            'the console found through the alias and /soc ranges, before the rest of the tree')
        expect('device tree:' not in pi[1], 'a warning about the disabled nvram placeholders or the 3-cell regs')

    def test_pi5_shaped_tree_at_el2_boots_as_a_pi5_and_powers_off(self):
        # The Pi 5's boot path as far as QEMU goes: entered at EL2 with PSCI over SMC, a root that says Raspberry
        # Pi 5 (board=rpi5), the console and the GIC (only as "arm,gic-400") reachable only through /soc's ranges,
        # and no semihosting: QEMU's is off, as a Pi has none (a semihosting call would be an undefined
        # instruction), so the run must end through PSCI SYSTEM_OFF, which QEMU ends with exit status 0.
        # semihost=1 is asked for all the same, and must be refused on this board.
        dtb = edited_dtb('pi5el2', lambda d: pi5_shaped(d, rpi5_root=True), smp=4, el2=True)
        rc, text, statuses = boot('pi5el2', '--dtb', dtb, '--el2', '--no-semihost', '--cpus', '4', '--accel', 'single',
                                  '--bootargs', 'ktest=boot,irq,smp semihost=1',
                                  '--expect', 'board=rpi5', '--expect', 'entry_el=2', '--expect', 'psci=smc',
                                  '--expect', 'gic=v2', '--expect', 'cpus_online=4', timeout=120)
        expect_rc(rc, 0, text)
        for suite in ('boot', 'irq', 'smp'):
            expect(any(k.startswith(suite + '.') for k in statuses), f'no {suite} cases ran: {statuses}')
        expect(all(v == 'pass' for v in statuses.values()), f'{statuses}')
        has(text, r'c0: console: PL011 serial@7d001000 at 0x9000000 \(the device tree\'s stdout-path\)$',
            'the console found through the alias and /soc ranges')
        has(text, r'locklab booting on rpi5 / Raspberry Pi 5 Model B Rev 1\.0 \(QEMU-shaped\): entered at EL2', 'the board')
        has(text, r'bootargs: semihost ignored: board rpi5 is not QEMU virt$', 'semihosting refused on a Pi')
        has(text, r'^shutdown: status=pass reason=done$', 'the verdict')
        # qemu-run --no-semihost passes clean_shutdown only for QEMU's exit status 0: PSCI SYSTEM_OFF.
        expect(statuses.get('clean_shutdown') == 'pass', f'QEMU did not end through SYSTEM_OFF: {statuses}')

    def test_pi5_old_bootloader_memory_is_read_with_one_size_cell(self):
        # A 4 GB board's shape: 24 bytes, not whole 2 + 2-cell entries; nvram@1 filled in the same way.
        text = one_size_cell_boot('oldboot4', '0x00 0x40000000 0x10000000 0x00 0x50000000 0x10000000',
                                  nvram1='0x00 0x5f000000 0x1000')
        has(text, r'c0: device tree: /memory@40000000 read with 1 size cell, not the 2 #size-cells says \(with 2, '
                  r'24 bytes are not whole 16-byte entries\): Raspberry Pi bootloaders before 2025-02-11', 'the reading, said')
        has(text, r'c0: memory: 0x40000000-0x4fffffff \(256 MiB\)$', 'first range')
        has(text, r'c0: memory: 0x50000000-0x5fffffff \(256 MiB\)$', 'second range')
        has(text, r'c0: device tree: /reserved-memory/nvram@1 skipped: its reg is 12 bytes, not whole 16-byte entries$',
            'the malformed enabled child skipped, said')
        expect('0x5f000000' not in text, 'the malformed child reserved all the same')
        # An 8 GB board's shape: 48 bytes divide into 2 + 2-cell entries, which are nonsense.
        text = one_size_cell_boot('oldboot8', ' '.join(f'0x00 {0x40000000 + i * 0x8000000:#x} 0x8000000' for i in range(4)))
        has(text, r'read with 1 size cell, not the 2 #size-cells says \(with 2, 0x40000000\+0x800000000000000 reaches '
                  r'beyond the CPU\'s 40-bit physical addresses\)', 'the absurd reading named')
        expect(len(re.findall(r'c0: memory: 0x[45][0-9a-f]{7}-0x[45][0-9a-f]{7} \(128 MiB\)$', text, re.M)) == 4,
               'four 128 MiB ranges')

    def test_pi5_unusable_memory_panics_on_the_tree_console(self):
        # Neither reading fits: the panic must come out on the console found through /soc, and name both.
        dtb = edited_dtb('badmem', lambda d: pi5_shaped(d, '0x00 0x40000000 0x00 0x20000000 0x00',
                                                        bootargs='semihost=1'), smp=1)
        rc, text, _ = boot('badmem', '--image', dtb_image('badmem', dtb), '--cpus', '1', timeout=10)
        expect_rc(rc, 1, text)
        has(text, r'c0: console: PL011 serial@7d001000 at 0x9000000 \(the device tree\'s stdout-path\)$', 'the console')
        has(text, r'^panic: cpu=0 device tree at 0x[0-9a-f]+ unusable: /memory@40000000 reg is unusable: read with 2 size '
                  r'cells \(as #size-cells says\), 20 bytes are not whole 16-byte entries; read with 1, 20 bytes are not '
                  r'whole 12-byte entries$', 'the panic names the node and both readings')
        has(text, r'^shutdown: status=fail reason=panic$', 'the failure status')
        has(text, r'^panic: PSCI is not set up this early: exiting through semihosting$', 'the way out, as asked')
        expect('no device tree' not in text, 'the panic says there is no device tree')

    def test_device_tree_inside_the_image_is_moved_out_and_used(self):
        # A loader that ignores image_size: a shim copies the (Pi 5-shaped) tree into the kernel's footprint and
        # enters with x0 there. head.S copies it past the image before anything writes beyond the loaded file.
        # In the BSS the copy is the tree as the loader left it: the boot goes on with it, and says so. Over the
        # loaded file one of the two was overwritten: a panic (the shim's copy lands on .data's last 8 bytes,
        # a variable nothing reads before the panic). A copy that lands on reserved memory: a panic too.
        with open(IMAGE, 'rb') as f:
            head = f.read(64)
        file_size, image_size = os.path.getsize(IMAGE), struct.unpack('<Q', head[16:24])[0]
        kernel = 0x40083000
        end = kernel + image_size   # where head.S puts the copy (the tree ends before the image does)

        def run(name, inside, edit=pi5_shaped):
            copy = [0xb9400402, 0x5ac00842,                        # ldr w2, [x0, #4]; rev w2, w2 (totalsize)
                    0xd2800001 | (inside & 0xffff) << 5,           # movz x1, #lo16
                    0xf2a00001 | (inside >> 16) << 5,              # movk x1, #hi16, lsl #16
                    0xaa0103e3,                                    # mov x3, x1
                    0xf8408404, 0xf8008464, 0xf1002042, 0x54ffffac,  # 1: ldr x4,[x0],#8; str x4,[x3],#8; subs; b.gt 1b
                    0xaa0103e0]                                    # mov x0, x1
            rc, text, statuses = boot(name, '--image', shim_image(name, copy), '--dtb', edited_dtb(name, edit, smp=1),
                                      '--cpus', '1', '--bootargs', 'ktest=boot', timeout=30)
            has(text, r'c0: console: PL011 serial@7d001000 at 0x9000000 \(the device tree\'s stdout-path\)$',
                f'{name}: the console, read from the moved tree')
            return rc, text, statuses

        bss = kernel + ((file_size + 0xfff) & ~0xfff)
        rc, text, statuses = run('inimage', bss)
        expect_rc(rc, 0, text)
        has(text, rf'c0: device tree: the loader put it at {bss:#x} \(\d+ bytes\), inside the kernel\'s BSS and page tables '
                  rf'0x[0-9a-f]+-{end - 1:#x} \(it must keep the Image header\'s image_size free\); head.S moved it to '
                  rf'{end:#x} before clearing them: going on with that copy$', 'the warning')
        has(text, rf'locklab booting on qemu-virt( / [^:]*)?: entered at EL1, loaded at {kernel:#x}, DTB at {end:#x}$', 'the copy in use')
        has(text, r'memory: reserved 0x4c000000-0x4c07ffff$', 'the tree read from the copy')
        expect(statuses and all(v == 'pass' for v in statuses.values()), f'{statuses}')

        rc, text, _ = run('inimage_rsv', bss, lambda d: pi5_shaped(d).replace(
            '/dts-v1/;', f'/dts-v1/;\n/memreserve/ {end + 0x2000:#x} 0x1000;', 1))
        expect_rc(rc, 1, text)
        has(text, rf'^panic: cpu=0 the device tree head.S moved out of the kernel image, {end:#x}-0x[0-9a-f]+, '
                  rf'overwrote reserved memory {end + 0x2000:#x}-{end + 0x2fff:#x}$', 'the copy over reserved memory')

        overlap = kernel + ((file_size - 8) & ~7)
        rc, text, _ = run('overimage', overlap)
        expect_rc(rc, 1, text)
        has(text, rf'^panic: cpu=0 the device tree at {overlap:#x} \(\d+ bytes\) overlaps the kernel\'s loaded text and '
                  rf'data {kernel:#x}-0x[0-9a-f]+: one was written over the other; the loader must keep the Image '
                  r'header\'s image_size free$', 'the panic')

    def test_missing_device_tree_panics_clearly(self):
        mov_x0_0 = 0xd2800000
        rc, text, _ = boot('nodtb', '--image', shim_image('nodtb', [mov_x0_0]), '--cpus', '1', timeout=4)
        expect_rc(rc, 1, text)
        has(text, r'^panic: cpu=0 no device tree: x0 was 0 at entry', 'panic message')
        has(text, r'^shutdown: status=fail reason=panic', 'failure status')
        has(text, r'halting', 'says it halts rather than powering off')

    def test_missing_device_tree_on_a_pi5_cpu_panics_on_the_pi_uart(self):
        # x0 = 0 on a CPU whose MPIDR has MT set, as the Pi 5's Cortex-A76 has (QEMU's has it clear): the panic
        # must go to the Pi's debug UART, not to QEMU's PL011 (RAM on a Pi). A shim at EL2 fakes MT through
        # VMPIDR_EL2 and enters the kernel at EL1 with x0 = 0. QEMU has nothing at the Pi's address: -d
        # guest_errors names each access there, and QEMU's own UART stays silent. The same shim without MT
        # is the control: the panic on QEMU's UART. QEMU is run directly (qemu-run has no -d) and killed, since
        # the kernel halts.
        def shim(mt):
            off = 0x24  # where the adr below sits: ELR_EL2 = the kernel, 0x3000 into the file
            adr_x1 = 0x10000001 | ((0x3000 - off) & 3) << 29 | ((0x3000 - off) >> 2) << 5
            return shim_image('mt' if mt else 'nomt', [
                0xd53800a1,                               # mrs x1, mpidr_el1
                0xb2680021 if mt else 0xd503201f,         # orr x1, x1, #(1 << 24) (MPIDR.MT) / nop
                0xd51c00a1,                               # msr vmpidr_el2, x1: what EL1 reads as MPIDR_EL1
                0xd2b00001, 0xd51c1101,                   # mov x1, #HCR_EL2.RW; msr hcr_el2, x1
                0xd2800061, 0xd51ce101,                   # mov x1, #3; msr cnthctl_el2, x1 (EL1 counter access)
                0xd28078a1, 0xd51c4001,                   # mov x1, #0x3c5; msr spsr_el2, x1 (EL1h, DAIF masked)
                adr_x1, 0xd51c4021,                       # adr x1, <kernel>; msr elr_el2, x1
                0xd2800000, 0xd69f03e0])                  # mov x0, #0; eret
        def run(mt):
            """The halted kernel's (stdout, stderr) when QEMU is killed after 5 s."""
            cmd = [QEMU, '-M', 'virt,virtualization=on', '-cpu', 'cortex-a76', '-smp', '1', '-m', '512M',
                   '-nographic', '-nic', 'none', '-kernel', shim(mt), '-d', 'guest_errors']
            try:
                done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=5)
                out, err = done.stdout, done.stderr
            except subprocess.TimeoutExpired as e:
                out, err = e.stdout or b'', e.stderr or b''
            return out.decode(errors='replace'), err.decode(errors='replace')
        with ThreadPoolExecutor(2) as pool:   # both wait out the 5 s halted: side by side
            runs = dict(zip((True, False), pool.map(run, (True, False))))
        has(runs[False][0], r'^panic: cpu=0 no device tree: x0 was 0 at entry', 'control (MT clear): QEMU\'s UART')
        has(runs[True][1], r'^Invalid (read|write) at addr 0x107D0010[0-9A-F]{2}, ', 'MT set: the Pi\'s debug UART')
        expect('panic:' not in runs[True][0], f'MT set, yet the panic came out on QEMU\'s UART: {runs[True][0]!r}')

    def test_device_tree_without_cpus_panics_clearly(self):
        dtb = edited_dtb('nocpus', lambda d: drop_node(d, r'^\s*cpus \{'))
        rc, text, _ = boot('nocpus', '--dtb', dtb, '--cpus', '1', timeout=4)
        expect_rc(rc, 1, text)
        has(text, r'^panic: cpu=0 device tree at 0x[0-9a-f]+ unusable: no /cpus node', 'panic message')

    def test_device_tree_without_console_panics_on_fallback_uart(self):
        def no_uart(d):
            d = drop_node(d, r'^\s*pl011@9000000 \{')
            return re.sub(r'^\s*stdout-path = .*;\n', '', d, flags=re.M)
        rc, text, _ = boot('nouart', '--dtb', edited_dtb('nouart', no_uart), '--cpus', '1', timeout=4)
        expect_rc(rc, 1, text)
        has(text, r'^panic: cpu=0 device tree names no arm,pl011 console', 'panic message')

    def test_cpu_that_cannot_start_is_reported_and_boot_goes_on(self):
        def extra_cpu(d):
            node = ('\t\tcpu@99 {\n\t\t\tdevice_type = "cpu";\n\t\t\tcompatible = "arm,cortex-a76";\n'
                    '\t\t\treg = <0x99>;\n\t\t\tenable-method = "psci";\n\t\t};\n')
            # Child nodes follow properties: put it just before the first CPU.
            return re.sub(r'^(\s*cpu@0 \{)', lambda m: node + m.group(1), d, count=1, flags=re.M)
        rc, text, _ = boot('badcpu', '--dtb', edited_dtb('badcpu', extra_cpu), '--cpus', '4',
                           '--bootargs', 'ktest=boot',
                           '--expect', 'cpus_possible=5', '--expect', 'cpus_online=4')
        expect_rc(rc, 0, text)
        has(text, r'smp: cpu\d \(MPIDR 0x99\): PSCI CPU_ON failed: invalid parameters.*continuing',
            'report of the CPU that failed')

    def test_disabled_cpu_is_skipped_and_one_without_psci_is_not_started(self):
        # cpu@3 disabled (the tree's way to say a core is out of service): as if absent, said once. cpu@2 with a
        # spin-table enable-method: the kernel speaks only PSCI, so it says so rather than calling CPU_ON.
        def edit(d):
            d, n = re.subn(r'^(\t\tcpu@3 \{\n)', r'\1\t\t\tstatus = "disabled";\n', d, flags=re.M)
            assert n == 1
            d, n = re.subn(r'^(\t\tcpu@2 \{\n(?:\t\t\t.*\n)*?\t\t\tenable-method = )"psci";',
                           r'\1"spin-table";', d, flags=re.M)
            assert n == 1
            return d
        rc, text, _ = boot('cpumethod', '--dtb', edited_dtb('cpumethod', edit), '--cpus', '4', '--bootargs', 'ktest=boot',
                           '--expect', 'cpus_possible=3', '--expect', 'cpus_online=2', timeout=60)
        expect_rc(rc, 0, text)
        has(text, r'c0: device tree: /cpus/cpu@3 skipped: its status is "disabled"$', 'the disabled CPU named')
        has(text, r'c0: smp: CPU with MPIDR 0x2 has enable-method "spin-table", not "psci": the kernel cannot start it; '
                  r'continuing without it$', 'the CPU without PSCI named')
        expect('MPIDR 0x3' not in text and 'CPU_ON failed' not in text, 'the disabled CPU was tried, or CPU_ON called')
        has(text, r'smp: 2 of 3 CPUs online$', 'the count')

    def test_hvc_psci_at_an_el2_entry_is_refused(self):
        # Entered at EL2, an HVC would trap into the kernel's own EL2, which has no vectors: a silent hang at
        # the first CPU_ON. A tree that says "hvc" there is refused, said in one line, and the boot goes on
        # on one CPU (semihosting ends it: there is no PSCI to power off with). QEMU rewrites a -dtb tree's
        # PSCI method to its own conduit, so the tree travels in the booted file (dtb_image), bootargs and all.
        def hvc(d):
            d, n = re.subn(r'^(\t\tmethod = )"smc";', r'\1"hvc";', d, flags=re.M)
            assert n == 1
            return re.sub(r'^(\tchosen \{\n)', r'\1\t\tbootargs = "ktest=boot semihost=1";\n', d, count=1, flags=re.M)
        image = dtb_image('hvcel2', edited_dtb('hvcel2', hvc, el2=True))
        rc, text, statuses = boot('hvcel2', '--image', image, '--el2', '--cpus', '4',
                                  '--expect', 'entry_el=2', '--expect', 'psci=none',
                                  '--expect', 'cpus_online=1', timeout=30)
        expect_rc(rc, 0, text)
        has(text, r'c0: psci: the device tree says method "hvc", but the kernel was entered at EL2, where an HVC '
                  r'traps to its own EL2 \(no handler there\): PSCI treated as absent \(one CPU, no power-off\)$',
            'the refusal, said')
        expect(statuses and all(v == 'pass' for v in statuses.values()), f'{statuses}')

    def test_cpu_that_does_not_answer_is_reported_and_boot_goes_on(self):
        rc, text, statuses = boot('silentcpu', '--cpus', '4', '--accel', 'single', '--bootargs', 'cpu_on_silent=2 ktest=boot,spinlock',
                                  '--expect', 'cpus_possible=4', '--expect', 'cpus_online=3')
        expect_rc(rc, 0, text)
        has(text, r'smp: cpu2 \(MPIDR 0x2\) did not come online within \d+ ms; continuing without it$',
            'report of the CPU that never answered')
        has(text, r'smp: 3 of 4 CPUs online$', 'the count')
        expect(any(k.startswith('spinlock.') for k in statuses) and all(v == 'pass' for v in statuses.values()),
               f'the suites on the CPUs that came: {statuses}')

    def test_bad_bootargs_are_reported_and_boot_goes_on(self):
        rc, text, statuses = boot('badargs', '--cpus', '2', '--bootargs',
                                  'maxcpus=abc nosuch=1 end=sideways ktest=boot',
                                  '--expect', 'cpus_online=2')
        expect_rc(rc, 0, text)
        has(text, r"bootargs: maxcpus='abc' is not a number", 'malformed number')
        has(text, r"bootargs: unknown option 'nosuch=1' \(ignored", 'unknown option')
        has(text, r"bootargs: end='sideways' is not one of poweroff, idle", 'bad choice')
        expect(statuses.get('boot.boot_runs_at_el1') == 'pass', 'ktest=boot still honoured')

    def test_bad_benchmark_options_are_reported_and_fail_the_boot(self):
        # Said before the self-tests (which would run first, for seconds), and instead of them.
        rc, text, _ = boot('badbench', '--cpus', '2', '--no-ktap', '--bootargs',
                           'bench=mm,nosuch cpus=1,9', timeout=30)
        expect_rc(rc, 1, text)
        has(text, r'^bench: error: nothing run, and the self-tests skipped', 'said before the self-tests')
        expect('KTAP version' not in text, 'the self-tests ran before the bad options were said')
        has(text, r"^bench: error: bench=mm,nosuch: unknown workload 'nosuch' \(known: all, ceiling, [a-z, -]*\bmm, ", 'unknown workload named')
        has(text, r'^bench-end: runs=0 failed=1$', 'nothing ran, and the record says so')
        has(text, r'^shutdown: status=fail reason=bench', 'the boot fails')
        rc, text, _ = boot('badcpus', '--cpus', '2', '--no-ktap', '--bootargs', 'ktest=none bench=mm cpus=1,9',
                           timeout=30)
        expect_rc(rc, 1, text)
        has(text, r'^bench: error: cpus=1,9: each count must be a number from 1 to 2', 'CPU count beyond those online')

    def test_maxcpus_limits_the_cpus_brought_up(self):
        rc, text, _ = boot('maxcpus', '--cpus', '4', '--bootargs', 'maxcpus=2 ktest=smp',
                           '--expect', 'cpus_possible=2', '--expect', 'cpus_online=2')
        expect_rc(rc, 0, text)

    def test_panic_on_a_secondary_stops_every_cpu(self):
        rc, text, _ = boot('panic', '--cpus', '4', '--bootargs', 'ktest=selftest_panic', timeout=30)
        expect_rc(rc, 1, text)
        has(text, r'^panic: cpu=3 planted panic from a test', 'panic names the CPU and cause')
        has(text, r'^panic: stopped 3 of 3 other CPUs', 'every other CPU stopped')
        has(text, r'^shutdown: status=fail reason=panic', 'failure status')

    def test_allocator_misuse_panics_with_the_address(self):
        # kernel/mm/mm_misuse_test.c: each planted misuse must stop at the check docs/mm.md names for it,
        # not corrupt a free list and panic (or not) somewhere later.
        def addr(tail=''):  # a linear-map address ending in tail
            return rf'0xffffff[0-9a-f]{{{10 - len(tail)}}}{tail}'
        for suite, line in (
                ('kfree_twice', rf'kfree: {addr()} is not allocated \(double kfree\?\)'),
                ('kfree_freed_slab', rf'kfree: {addr("80")} is not in an allocated page'),
                ('kfree_inside', rf'kfree: {addr("8")} is not the start of a 64-byte object'),
                ('kfree_page', rf'kfree: {addr("100")} is not in a kmalloc slab'),
                ('page_free_twice', rf'page_free: page {addr("000")} is not allocated \(double free, or never '
                                    r'handed out\)')):
            rc, text, _ = boot('mm_' + suite, '--cpus', '2', '--bootargs', f'ktest=selftest_mm_{suite}', timeout=30)
            expect_rc(rc, 1, text)
            has(text, rf'^panic: cpu=\d {line}$', f'{suite}: the panic names the misuse')
            has(text, r'^shutdown: status=fail reason=panic$', f'{suite}: failure status')

    def test_end_idle_stays_up_after_a_failed_run_and_halts_after_a_panic(self):
        # end=idle is for looking at the machine afterwards (make gdb): a failed run most of all.
        # qemu-run, not interactive, kills it at its timeout (here sooner than its 10 s grace) and says so.
        # Both boots wait for that timeout with the CPUs idle, so they wait side by side.
        runs = (('idle_fail', 'nosuch', 'ktest', r'\] c0: end=idle: CPUs stay up'),
                ('idle_panic', 'selftest_panic', 'panic', r'^end=idle: halted after the panic'))
        with ThreadPoolExecutor(len(runs)) as pool:
            booted = list(pool.map(lambda r: boot(r[0], '--cpus', '2', '--bootargs', f'ktest={r[1]} end=idle',
                                                  timeout=5), runs))
        for (name, suite, reason, line), (rc, text, _) in zip(runs, booted):
            expect_rc(rc, 1, text)
            has(text, rf'^shutdown: status=fail reason={reason}$', f'{name}: the failure')
            has(text, line, f'{name}: end=idle')

    def test_shell_poweroff_ends_the_boot(self):
        # /bin/sh at EL0 (kernel/user/shell_test.c) runs a script whose poweroff never comes back:
        # status=pass with nothing failed, the reason of the first failure after a failed ktest.
        for suite, status, reason in (('selftest_shell_poweroff', 'pass', 'poweroff'),
                                      ('selftest_shell_poweroff_failed', 'fail', 'ktest')):
            rc, text, _ = boot(suite, '--cpus', '2', '--bootargs', f'ktest={suite}', timeout=30)
            expect_rc(rc, 1, text)  # the case that ran the shell never reports its result
            has(text, rf'^shutdown: status={status} reason={reason}$', f'{suite}: the shell\'s poweroff')
            expect(not re.search(r'^# ktest: passed=', text, re.M), f'{suite}: the runner went on after poweroff')

    def test_tasks_a_case_left_behind_hold_back_the_next_cases(self):
        # ktest_on_each_cpu gives up on tasks at its deadline; they may still use their case's stack, so no
        # case may run beside them: each next case waits a second and is skipped while they run (the third
        # may run if a host stall delayed it past their end), and the fourth runs once they have ended.
        rc, text, statuses = boot('left_behind', '--cpus', '2', '--bootargs', 'ktest=selftest_left_behind',
                                  timeout=30)
        expect_rc(rc, 1, text)
        has(text, r'^  # ktest: task on cpu1 still running after 50 ms; left behind \(the cases after this one '
                  r'wait for it, then are skipped\)$', 'the task given up on')
        has(text, r'^  not ok 1 selftest_leaves_tasks_behind$', 'the case that left them')
        has(text, r'^  ok 2 selftest_skipped_while_they_run # SKIP 2 task\(s\) left behind by '
                  r'selftest_left_behind\.selftest_leaves_tasks_behind still run$', 'the case skipped while they run')
        has(text, r'^  ok 3 selftest_skipped_or_run_once_they_end( # SKIP 2 task\(s\) .*)?$', 'the third case')
        has(text, r'^  ok 4 selftest_runs_once_they_end$', 'the case after they ended')
        has(text, r'^# ktest: passed=[12] failed=1 skipped=[12]$', 'the counts')

    def test_unexpected_exception_is_decoded(self):
        rc, text, _ = boot('fault', '--cpus', '2', '--bootargs', 'ktest=selftest_fault', timeout=30)
        expect_rc(rc, 1, text)
        has(text, r'^exception: sync \(EL1h\) on cpu0: data abort at the same EL \(EC 0x25\)', 'class in words')
        has(text, r'FAR 0000800000000010', 'faulting address')
        has(text, r'^  x0 ', 'register dump')
        has(text, r'^panic: cpu=0 unhandled exception', 'panic')

    def test_stack_overflow_hits_the_guard_page_and_is_reported(self):
        rc, text, _ = boot('overflow', '--cpus', '2', '--bootargs', 'ktest=selftest_stack_overflow', timeout=30)
        expect_rc(rc, 1, text)
        has(text, r'^exception: kernel stack overflow on cpu\d: task stack \d+ \(task overflow\) ran into its guard '
                  r'page at 0x[0-9a-f]+ \(sp 0x[0-9a-f]+, pc 0x[0-9a-f]+\)$', 'the overflow named as such')
        has(text, r'^panic: cpu=\d kernel stack overflow: task stack \d+ \(task overflow\)', 'the panic')
        has(text, r'^shutdown: status=fail reason=panic', 'the failure status')

    def test_kernel_text_is_read_only(self):
        # W^X: the planted store writes an instruction back over itself; the map must refuse it.
        rc, text, _ = boot('textwrite', '--cpus', '2', '--bootargs', 'ktest=selftest_text_write', timeout=30)
        expect_rc(rc, 1, text)
        has(text, r'^exception: sync \(EL1h\) on cpu0: data abort at the same EL \(EC 0x25\)$', 'a data abort')
        has(text, r'^exception: cpu0: write to kernel text \(read-only\) at 0x[0-9a-f]+ \(pc 0x[0-9a-f]+\)$',
            'the store named as a write to kernel text')
        has(text, r'^panic: cpu=0 unhandled exception: write to kernel text \(read-only\) at 0x', 'the panic')
        expect('did not fault' not in text, 'the store went through')
        # docs/testing.md's recipe for a pc: the ELF is linked at 0, so its offset is pc - the boot record's
        # kernel_va (addr2line of the pc itself said ??, as the docs once told the reader to run it).
        pc = int(re.search(r'^exception: cpu0: write to kernel text .*\(pc 0x([0-9a-f]+)\)$', text, re.M).group(1), 16)
        va = int(re.search(r'^boot: .*\bkernel_va=0x([0-9a-f]+)', text, re.M).group(1), 16)
        elf = os.path.join(os.path.dirname(IMAGE), 'locklab.elf')
        where = subprocess.run([os.environ.get('CROSS_COMPILE', 'aarch64-linux-gnu-') + 'addr2line', '-f', '-e', elf,
                                hex(pc - va)], capture_output=True, text=True).stdout
        expect(where.startswith('selftest_writes_kernel_text\n') and 'selftest.c:' in where,
               f'addr2line -f -e {elf} {hex(pc - va)} (pc - kernel_va) gave {where!r}')

    def test_nomap_reserved_memory_is_not_mapped(self):
        # The planted load reads the range's first byte (after reading the pages on either side, which stay
        # mapped): it must fault, and the report must name the range (physical, as the tree gives it) and the
        # address the kernel used, its linear-map alias in the upper half.
        rc, text, statuses = boot('nomap', '--dtb', edited_dtb('nomap', with_nomap, smp=2), '--cpus', '2',
                                  '--bootargs', 'ktest=selftest_nomap', timeout=30)
        expect_rc(rc, 1, text)
        has(text, r'^\[.*\] c0: memory: reserved 0x50003000-0x50007fff no-map \(left unmapped\)$', 'the no-map range logged')
        has(text, r'^\[.*\] c0: memory: reserved 0x50010000-0x50010fff$', 'the plain range logged, mapped')
        has(text, r'^exception: cpu0: read of no-map reserved memory 0x50003000-0x50007fff \(unmapped\) at 0xffffff8050003000 '
                  r'\(pc 0x[0-9a-f]+\)$', 'the load named, with the range and the address')
        has(text, r'^panic: cpu=0 unhandled exception: read of no-map reserved memory 0x50003000-0x50007fff', 'the panic')
        expect('did not fault' not in text and 'selftest.c' not in text, 'the load went through or a check failed')

    def test_physical_address_used_as_a_pointer_faults(self):
        # The kernel runs in the upper half and a kernel task's TTBR0 maps nothing: a load from the physical address of its own
        # text (which the identity map of old would have served) must fault and be named, the address as it was.
        rc, text, _ = boot('physptr', '--cpus', '1', '--bootargs', 'ktest=selftest_phys_pointer', timeout=30)
        expect_rc(rc, 1, text)
        has(text, r'^exception: cpu0: read of the lower half \(user space: a physical address used as a pointer\?\) '
                  r'at 0x4[0-9a-f]{7} \(pc 0xffffff804[0-9a-f]{7}\)$', 'the load named, low address and high pc')
        has(text, r'^panic: cpu=0 unhandled exception: read of the lower half', 'the panic')
        expect('did not fault' not in text, 'the load went through')

    def test_lock_recursion_is_reported_then_panics(self):
        planted_recursion('recursion', 'selftest_lock_recursion', 'lockdep_test_b', 'lockdep_test_b')

    def test_yield_with_a_spinlock_stops_at_the_switch(self):
        rc, text, _ = boot('yieldspin', '--cpus', '2', '--accel', 'single', '--bootargs',
                           'ktest=selftest_yield_spinlock', timeout=30)
        expect_rc(rc, 1, text)
        has(text, r'^panic: cpu=\d sched: context switch from task yielder on cpu\d with preempt count 2 '
                  r'\(expected 1: the run-queue lock only', 'the panic names the task and the count')
        has(text, r'^shutdown: status=fail reason=panic', 'the failure status')

    def test_lock_recursion_under_another_subclass_is_reported_then_panics(self):
        # Held as subclass 0, taken again as subclass 1: the report names the subclass.
        planted_recursion('recursion_nested', 'selftest_lock_recursion_nested', 'lockdep_test_c/1', 'lockdep_test_c')

    def test_child_before_parent_subclass_is_reported_as_class_slash_subclass(self):
        rc, text, statuses = boot('subclass', '--cpus', '2', '--accel', 'single', '--bootargs', 'ktest=lockdep',
                                  timeout=60)
        expect_rc(rc, 0, text)
        expect(statuses.get('lockdep.lockdep_subclass_child_before_parent_is_reported') == 'pass', 'the case passed')
        has(text, r'^lockdep: kind=inversion cpu=\d taking=lockdep_test_dir2 holding=lockdep_test_dir2/1$',
            'machine-readable report with the subclass')
        has(text, r'^lockdep:   but lockdep_test_dir2 -> lockdep_test_dir2/1 was seen before \(first on cpu\d, '
                  r'holding: lockdep_test_dir2\)$', 'the order learnt, parent first')
        has(text, r'^lockdep:     #0 lockdep_test_dir2/1 ', 'the held child named with its subclass')
        expect(not re.search(r'^lockdep: kind=inversion .*lockdep_test_dir(?!2)\b', text, re.M),
               'parent before child (lockdep_test_dir) is not reported')

    def test_lockdep_does_not_check_the_overflow_class(self):
        # The class table filled: every later class is '(other)', through which lockdep must see no order.
        rc, text, statuses = boot('classoverflow', '--cpus', '1', '--bootargs', 'ktest=lockdep_class_overflow',
                                  timeout=60)
        expect_rc(rc, 0, text)
        expect(statuses.get('lockdep_class_overflow.lockdep_does_not_check_the_overflow_class') == 'pass',
               'the case passed')
        has(text, r"^\[.*\] c0: lock_class: more than \d+ lock classes; 'overflow_\d+' and later ones are counted "
                  r"as '\(other\)'", 'the table overflow named')
        has(text, r"^\[.*\] c0: lockdep: the lock class table is full: 'lockdep_test_overflow_\w' and later classes, "
                  r"counted as '\(other\)', are not checked for order$", 'lockdep says it stops checking them')
        expect(not re.search(r'^lockdep: kind=', text, re.M), 'no report through the overflow class')

    def test_sleeping_with_a_spinlock_is_reported_then_panics(self):
        rc, text, _ = boot('sleepspin', '--cpus', '2', '--accel', 'single', '--bootargs',
                           'ktest=selftest_sleep_spinlock', timeout=30)
        expect_rc(rc, 1, text)
        has(text, r'^lockdep: kind=sleep_with_spinlock cpu=\d task=\w+ preempt_count=1$', 'machine-readable report')
        has(text, r'^lockdep:     #0 planted_spinlock ', 'the held spinlock named')
        has(text, r'^panic: cpu=\d sleeping in planted with 1 spinlock held', 'panic names the task')

    def test_lockstat_and_torture_records_have_the_documented_format(self):
        rc, text, _ = boot('records', '--cpus', '4', '--accel', 'single', '--bootargs',
                           'ktest=torture,lockstat lockstat', timeout=60)
        expect_rc(rc, 0, text)
        has(text, r'^\s+class name\s+con-bounces\s+contentions\s+waittime-min', 'the lock_stat table header')
        records = [m for m in (re.match(LOCKSTAT_RE, l) for l in text.splitlines()) if m]
        classes = {m.group(1): m for m in records}
        expect('torture' in classes and 'console' in classes, f'records for torture and console: {sorted(classes)}')
        for m in records:
            acq, con, cb, ab = (int(m.group(i)) for i in (2, 3, 4, 5))
            wmin, wmax, wtot, hmin, hmax, htot = (int(m.group(i)) for i in range(6, 12))
            expect(con <= acq and cb <= con and ab <= acq, f'counts inconsistent: {m.group(0)}')
            expect(wmin <= wmax <= wtot or con == 0, f'wait times inconsistent: {m.group(0)}')
            expect(hmin <= hmax <= htot, f'hold times inconsistent: {m.group(0)}')
        tort = [re.match(TORTURE_RE, l) for l in text.splitlines() if l.startswith('torture:')]
        expect(len(tort) == 1 and tort[0], 'one torture line in the exact format')
        alg, strategy, lock_wait, cpus, total, mx, mn, fail = tort[0].groups()
        expect((cpus, fail) == ('4', '0') and int(mn) <= int(mx) <= int(total), tort[0].group(0))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--image', required=True)
    p.add_argument('--workdir', required=True)
    return ktap_unittest.main('boot_faults', BootFaultTests, parser=p)


if __name__ == '__main__':
    sys.exit(main())
