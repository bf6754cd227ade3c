"""bench-workloads: list the benchmark workloads a built kernel has, read from its ELF (make bench asks it).

usage: bench-workloads ELF_OR_IMAGE

Prints one workload per line, in the order the kernel runs them: its name,
then ' named_only' for a workload that bench=all leaves out. Given an Image,
reads the locklab.elf it was made from, beside it. Exit status 2 if the file cannot be
read or holds no workload table.

Why the ELF: the host tools must not keep a list of their own (a workload is
one file in bench/, docs/benchmarks.md), and the kernel's own table is the
one source. Reading it from the ELF needs nothing but this file: no cross
binutils (whose prefix varies), no boot (slow, and a boot that fails would
hide the list), and it is exact where scanning strings would guess. It
relies on two things the kernel holds fixed: the linker script's symbols
__bench_workloads_start, __bench_workloads_named_only and
__bench_workloads_end around the .bench_workloads section, and each struct
bench_workload starting with its name stored inline (bench/bench.h asserts
it). Each struct is a symbol of its own in that range, so neither the
struct's size nor its other fields matter here. The boot's bench-workloads
record (docs/output-format.md) says the same for a kernel you only have a
serial log of.
"""
import os
import struct
import sys

NAME_MAX = 24           # BENCH_NAME_MAX in bench/bench.h
SHT_SYMTAB = 2
STT_OBJECT = 1


class ElfError(Exception):
    pass


def _sections(data):
    if data[:4] != b'\x7fELF' or data[4] != 2 or data[5] != 1:
        raise ElfError('not a 64-bit little-endian ELF file')
    shoff, = struct.unpack_from('<Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3a)
    secs = [dict(zip(('name', 'type', 'flags', 'addr', 'offset', 'size', 'link'),
                     struct.unpack_from('<IIQQQQI', data, shoff + i * shentsize))) for i in range(shnum)]
    names = secs[shstrndx]
    for s in secs:
        start = names['offset'] + s['name']
        s['name'] = data[start:data.index(b'\0', start)].decode('ascii', 'replace')
    return secs


def _read(path):
    try:
        with open(path, 'rb') as f:
            return f.read()
    except OSError as err:
        raise ElfError(f'{path}: {err.strerror}')


def read_workloads(path):
    """[(name, named_only)] of the kernel at path: its ELF, or an Image (anything not ELF) with the
    locklab.elf it was made from beside it."""
    elf, data = path, _read(path)
    if data[:4] != b'\x7fELF':
        elf = os.path.join(os.path.dirname(path), 'locklab.elf')
        try:
            data = _read(elf)
        except ElfError as err:
            raise ElfError(f'{path} is not an ELF file, and the locklab.elf beside it cannot be read ({err})')
    try:
        secs = _sections(data)
        symtab = next(s for s in secs if s['type'] == SHT_SYMTAB)
        strtab = secs[symtab['link']]
        syms, marks = [], {}
        for off in range(symtab['offset'], symtab['offset'] + symtab['size'], 24):
            st_name, info, _, _, value, size = struct.unpack_from('<IBBHQQ', data, off)
            start = strtab['offset'] + st_name
            name = data[start:data.index(b'\0', start)].decode('ascii', 'replace')
            if name.startswith('__bench_workloads_'):
                marks[name] = value
            elif info & 0xf == STT_OBJECT and size >= NAME_MAX:
                syms.append(value)
        lo, mid, hi = (marks[f'__bench_workloads_{k}'] for k in ('start', 'named_only', 'end'))
        sec = next(s for s in secs if s['addr'] <= lo and hi <= s['addr'] + s['size'] and s['size'])
    except ElfError as err:
        raise ElfError(f'{elf}: {err}')
    except (StopIteration, KeyError, struct.error, ValueError, IndexError):
        raise ElfError(f'{elf}: no benchmark workload table (a kernel built without CONFIG_BENCH, or not locklab)')
    out = []
    for value in sorted(set(v for v in syms if lo <= v < hi)):
        raw = data[sec['offset'] + value - sec['addr']:][:NAME_MAX]
        out.append((raw.split(b'\0')[0].decode('ascii', 'replace'), value >= mid))
    return out


def main(argv):
    if len(argv) != 1 or argv[0].startswith('-'):
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        return 2
    try:
        for name, named_only in read_workloads(argv[0]):
            print(name + (' named_only' if named_only else ''))
    except ElfError as err:
        print(f'bench-workloads: {err}', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
