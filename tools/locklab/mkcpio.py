"""Packs files into a cpio archive in the "newc" format (SVR4, magic 070701), as the kernel's initramfs reads it.

usage: mkcpio -o ARCHIVE NAME=FILE...

Each NAME=FILE puts the host FILE in the archive as NAME (a relative path, e.g.
bin/hello); the folders above every name get entries of their own, before the
files in them, and the archive ends with the TRAILER!!! entry. The output is
the same for the same inputs (mtimes and owners 0, inode numbers counted from
1, entries in the order given), so the kernel image is reproducible.
Mode: 0755 for a host file with an execute bit, else 0644; folders 0755.

The format: every entry is a 110-byte ASCII header ("070701" then 13 fields of
8 hex digits: ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
rdevmajor, rdevminor, namesize with the NUL, check), the name and its NUL,
padded with NULs to a multiple of 4 bytes from the archive's start, then the
data, padded the same way.

As a module (locklab.mkcpio): pack(entries) -> bytes, parse(data) -> entries
(the reader the host test round-trips through), main(argv).
A bad argument or an unreadable file: one line on stderr, exit status 2.
"""
import os
import sys
from typing import List, NamedTuple

MAGIC = b'070701'
TRAILER = 'TRAILER!!!'
S_IFDIR = 0o040000
S_IFREG = 0o100000
FIELDS = ('ino', 'mode', 'uid', 'gid', 'nlink', 'mtime', 'filesize', 'devmajor', 'devminor',
          'rdevmajor', 'rdevminor', 'namesize', 'check')
HEADER_LEN = len(MAGIC) + 8 * len(FIELDS)    # 110


class Entry(NamedTuple):
    name: str
    mode: int       # S_IFDIR or S_IFREG | permissions
    data: bytes


class CpioError(ValueError):
    """A malformed archive (parse) or an entry that cannot be packed (pack)."""


def _pad4(n: int) -> int:
    return (4 - n % 4) % 4


def _header(ino: int, mode: int, nlink: int, size: int, namesize: int) -> bytes:
    values = dict.fromkeys(FIELDS, 0)
    values.update(ino=ino, mode=mode, nlink=nlink, filesize=size, namesize=namesize)
    return MAGIC + b''.join(b'%08X' % values[f] for f in FIELDS)


def _check_name(name: str) -> None:
    parts = name.split('/')
    if not name or name.startswith('/') or any(p in ('', '.', '..') for p in parts):
        raise CpioError(f'{name!r}: names are relative paths without empty, "." or ".." parts')
    if '\0' in name:
        raise CpioError(f'{name!r}: a NUL in the name')


def pack(entries: List[Entry]) -> bytes:
    """The archive of entries, in order, then the trailer."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate(list(entries) + [Entry(TRAILER, 0, b'')], 1):
        if name != TRAILER:
            _check_name(name)
        if mode & S_IFDIR and data:
            raise CpioError(f'{name}: a folder with data')
        raw = name.encode() + b'\0'
        nlink = 2 if mode & 0o170000 == S_IFDIR else 1
        out += _header(0 if name == TRAILER else ino, mode, 0 if name == TRAILER else nlink,
                       len(data), len(raw))
        out += raw + b'\0' * _pad4(HEADER_LEN + len(raw))
        out += data + b'\0' * _pad4(len(data))
    return bytes(out)


def parse(data: bytes) -> List[Entry]:
    """The entries of a newc archive up to its trailer (not included); CpioError if malformed."""
    entries, off = [], 0
    while True:
        if off + HEADER_LEN > len(data):
            raise CpioError(f'offset {off}: truncated header')
        head = data[off:off + HEADER_LEN]
        if head[:6] != MAGIC:
            raise CpioError(f'offset {off}: bad magic {head[:6]!r}')
        vals = {}
        for i, f in enumerate(FIELDS):
            text = head[6 + 8 * i:14 + 8 * i]
            if any(c not in b'0123456789abcdefABCDEF' for c in text):
                raise CpioError(f'offset {off}: field {f} is not hex: {text!r}')
            vals[f] = int(text, 16)
        nend = off + HEADER_LEN + vals['namesize']
        if vals['namesize'] < 2 or nend > len(data):
            raise CpioError(f'offset {off}: name size {vals["namesize"]} out of range')
        raw = data[off + HEADER_LEN:nend]
        if raw[-1] != 0 or 0 in raw[:-1]:
            raise CpioError(f'offset {off}: name not NUL-terminated')
        name = raw[:-1].decode()
        doff = nend + _pad4(nend)
        if doff + vals['filesize'] > len(data):
            raise CpioError(f'offset {off}: {name}: data past the end')
        if name == TRAILER:
            return entries
        entries.append(Entry(name, vals['mode'], data[doff:doff + vals['filesize']]))
        off = doff + vals['filesize']
        off += _pad4(off)


def entries_for(pairs: List[str]) -> List[Entry]:
    """NAME=FILE arguments as entries: each name's folders first (once), then the file."""
    out, seen = [], set()
    for pair in pairs:
        name, sep, path = pair.partition('=')
        if not sep or not path:
            raise CpioError(f'{pair!r}: expected NAME=FILE')
        _check_name(name)
        parts = name.split('/')
        for i in range(1, len(parts)):
            folder = '/'.join(parts[:i])
            if folder not in seen:
                seen.add(folder)
                out.append(Entry(folder, S_IFDIR | 0o755, b''))
        if name in seen:
            raise CpioError(f'{name}: named twice')
        seen.add(name)
        with open(path, 'rb') as f:
            data = f.read()
        out.append(Entry(name, S_IFREG | (0o755 if os.access(path, os.X_OK) else 0o644), data))
    return out


def main(argv: List[str]) -> int:
    if len(argv) < 2 or argv[0] != '-o':
        print('usage: mkcpio -o ARCHIVE NAME=FILE...', file=sys.stderr)
        return 2
    out = argv[1]
    try:
        data = pack(entries_for(argv[2:]))
    except (CpioError, OSError) as e:
        print(f'mkcpio: {e}', file=sys.stderr)
        return 2
    tmp = out + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, out)
    return 0
