#!/bin/sh
# check-relocs.sh: fail the link if the kernel needs a dynamic relocation head.S cannot apply, or one in its text.
#
# usage: check-relocs.sh <readelf> <nm> <elf>
# head.S applies only R_AARCH64_RELATIVE (base + addend) and skips R_AARCH64_NONE. Anything else (a GOT
# entry for a non-hidden symbol, an absolute reference in text) would be left
# wrong at run time, so the build stops here with the offending entries.
#
# Nor may a relocation land in [_text, _etext) (an `ldr x0, =symbol` literal in
# text, say). The boot CPU applies relocations with its caches on and cleans
# nothing to memory; a secondary CPU runs head.S's text with its MMU off, so
# it reads memory directly and would see the literal unrelocated. (The
# loader, which defines no _text, runs on one CPU with its MMU off: no check.)
readelf=$1
nm=$2
elf=$3
relocs=$("$readelf" -rW "$elf" | awk '/^[0-9a-f]+ +[0-9a-f]+ +R_AARCH64_/')
bad=$(printf '%s\n' "$relocs" | awk '$3 != "" && $3 != "R_AARCH64_RELATIVE" && $3 != "R_AARCH64_NONE"')
if [ -n "$bad" ]; then
	echo "error: $elf has relocations head.S cannot apply (only R_AARCH64_RELATIVE is supported):" >&2
	echo "$bad" >&2
	echo "hint: is a symbol missing a definition, or declared outside include/locklab/hidden.h's reach?" >&2
	exit 1
fi
# Both as 16 hex digits, as readelf prints offsets: compared as strings
# ("x" prefix), since awk's numbers are doubles and lose a 64-bit address's low bits.
text=$("$nm" "$elf" | awk '$3 == "_text" { print $1 }')
etext=$("$nm" "$elf" | awk '$3 == "_etext" { print $1 }')
[ -n "$text" ] && [ -n "$etext" ] || exit 0
bad=$(printf '%s\n' "$relocs" | awk -v t="x$text" -v e="x$etext" '$3 == "R_AARCH64_RELATIVE" && "x" $1 >= t && "x" $1 < e')
if [ -n "$bad" ]; then
	echo "error: $elf has relocations in its text [$text, $etext), which a secondary CPU reads unrelocated with its MMU off:" >&2
	echo "$bad" >&2
	echo "hint: address symbols PC-relatively in text (adrp + add :lo12:), or keep the pointer in .data" >&2
	exit 1
fi
