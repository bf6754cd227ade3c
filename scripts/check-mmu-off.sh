#!/bin/sh
# check-mmu-off.sh: fail the link if code that runs with the MMU off holds an exclusive or atomic access or a DC ZVA.
#
# usage: check-mmu-off.sh <objdump> <elf> [function...]
# With the MMU off every data access is Device-nGnRnE. There, a load/store
# exclusive or an LSE atomic is CONSTRAINED UNPREDICTABLE (a Cortex-A76 on the
# Pi 5 aborts or hangs, docs/rpi5.md's first gotcha), and a DC ZVA takes an
# alignment fault; QEMU runs all of them as on RAM, so no boot there shows it.
# The functions named are checked (head.S's routines that run before mmu_on);
# with none, the whole image is (the serial chain-loader never turns the MMU on).
objdump=$1
elf=$2
shift 2
dis=$("$objdump" -d --no-show-raw-insn "$elf") || exit 1
if [ $# -gt 0 ]; then
	missing=
	body=
	for f in "$@"; do
		part=$(printf '%s\n' "$dis" | awk -v f="<$f>:" '$2 == f { p = 1; print; next } p && /^$/ { exit } p')
		[ -n "$part" ] || missing="$missing $f"
		body="$body
$part"
	done
	if [ -n "$missing" ]; then
		echo "error: $elf has no function$missing to check (renamed? update the caller's list)" >&2
		exit 1
	fi
	dis=$body
fi
# Without raw bytes an objdump line is "addr:<tab>mnemonic<tab>operands"; a size suffix (b, h)
# or an ordering one (a, l, al) may follow the base names.
bad=$(printf '%s\n' "$dis" | awk -F '\t' '
	/^[0-9a-f]+ <.*>:$/ { fn = substr($0, index($0, "<")); next }
	NF >= 2 {
		m = $2
		if (m ~ /^(ld|lda|st|stl)xr[bh]?$/ || m ~ /^(ld|lda|st|stl)xp$/ ||
		    m ~ /^casp?(a|l|al)?[bh]?$/ || m ~ /^swp(a|l|al)?[bh]?$/ ||
		    m ~ /^(ld|st)(add|clr|eor|set|smax|smin|umax|umin)(a|l|al)?[bh]?$/ ||
		    (m == "dc" && $3 ~ /^zva/))
			print "  " fn $0
	}')
if [ -n "$bad" ]; then
	echo "error: $elf runs these with the MMU off, where memory is Device-nGnRnE (a Pi 5 aborts or hangs):" >&2
	echo "$bad" >&2
	echo "hint: keep locks and atomics out of what runs before mmu_on, and out of the loader's objects" >&2
	exit 1
fi
