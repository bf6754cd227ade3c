#!/bin/sh
# check-relocs.sh: fail the link if the kernel needs a dynamic relocation head.S cannot apply.
#
# usage: check-relocs.sh <readelf> <elf>
# head.S applies only R_AARCH64_RELATIVE (base + addend) and skips R_AARCH64_NONE. Anything else (a GOT
# entry for a non-hidden symbol, an absolute reference in text) would be left
# wrong at run time, so the build stops here with the offending entries.
readelf=$1
elf=$2
bad=$("$readelf" -rW "$elf" | awk '/^[0-9a-f]+ +[0-9a-f]+ +R_AARCH64_/ && $3 != "R_AARCH64_RELATIVE" && $3 != "R_AARCH64_NONE"')
if [ -n "$bad" ]; then
	echo "error: $elf has relocations head.S cannot apply (only R_AARCH64_RELATIVE is supported):" >&2
	echo "$bad" >&2
	echo "hint: is a symbol missing a definition, or declared outside include/locklab/hidden.h's reach?" >&2
	exit 1
fi
