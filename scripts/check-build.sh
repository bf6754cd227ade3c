#!/bin/sh
# check-build.sh: check built variants' machine code matches their config (atomics flavour, no lockstat when off); prints KTAP.
#
# usage: check-build.sh <objdump> <variant-dir>...
# A variant dir is named <strategy>-<alg>-<atomics>-<spin_wait>[-<lock_wait>][-nostat] (see build-variant.sh;
# scripts/lock-strategies fields parses the name).
#  lse:    the image uses LSE atomics (cas*, swp*, ld<op>*) and no store-exclusive (stxr/stlxr)
#  llsc:   the image uses store-exclusives and no LSE atomic
#  nostat: System.map has none of lockstat's functions or data, and the image is
#          smaller than its twin built with lockstat (test cases named lockstat_* may remain)
objdump=$1
shift
n=0
fail=0
echo "KTAP version 1"
echo "1..$#"
for dir in "$@"; do
	v=$(basename "$dir")
	n=$((n + 1))
	why=""
	# The variant's parts, from the one parser of variant names (scripts/lock-strategies).
	fields=$(python3 "$(dirname "$0")/lock-strategies" fields "$v" 2>&1)
	atomics=$(printf '%s\n' "$fields" | sed -n 's/^atomics=//p')
	lockstat=$(printf '%s\n' "$fields" | sed -n 's/^lockstat=//p')
	if [ -z "$atomics" ]; then
		why="not a variant name: ${fields#lock-strategies: }"
	elif [ ! -f "$dir/locklab.elf" ]; then
		why="not built: $dir/locklab.elf missing"
	else
		dis=$("$objdump" -d "$dir/locklab.elf")
		lse=$(printf '%s\n' "$dis" | grep -cE '\s(cas|casa|casl|casal|swp|swpa|swpl|swpal|ldadd|ldadda|ldaddl|ldaddal)[bh]?\s' || true)
		excl=$(printf '%s\n' "$dis" | grep -cE '\s(stxr|stlxr)[bh]?\s' || true)
		case $atomics in
		lse) [ "$lse" -gt 0 ] && [ "$excl" -eq 0 ] || why="LSE build has $lse LSE atomics and $excl store-exclusives" ;;
		llsc) [ "$lse" -eq 0 ] && [ "$excl" -gt 0 ] || why="LL/SC build has $lse LSE atomics and $excl store-exclusives" ;;
		esac
		case $lockstat in
		off)
			twin=$(dirname "$dir")/${v%-nostat}
			syms=$(grep -cE ' lockstat_(acquired|released|trylock_failed|reset|reset_count|get|get_since_boot|print_totals|print_records|format_row|rows|folded)$' "$dir/System.map" || true)
			if [ "$syms" -ne 0 ]; then
				why="$why${why:+; }$syms lockstat functions/data left in System.map"
			elif [ -f "$twin/Image" ] && [ "$(stat -c %s "$dir/Image")" -ge "$(stat -c %s "$twin/Image")" ]; then
				why="$why${why:+; }image not smaller than $(basename "$twin")"
			else
				echo "# $v: no lockstat symbols; Image $(stat -c %s "$dir/Image") bytes vs $(stat -c %s "$twin/Image") with LOCK_STAT"
			fi
			;;
		esac
	fi
	if [ -z "$why" ]; then
		echo "ok $n $v"
	else
		echo "# $v: $why"
		echo "not ok $n $v"
		fail=1
	fi
done
exit $fail
