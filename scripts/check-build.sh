#!/bin/sh
# check-build.sh: check built variants' machine code matches their config (atomics flavour, acquire/release and armed WFE in the lock paths, no lockstat when off); prints KTAP.
#
# usage: check-build.sh <objdump> <variant-dir>...
# A variant dir is named <strategy>-<alg>-<atomics>-<spin_wait>[-<lock_wait>][-nostat] (see build-variant.sh;
# scripts/lock-strategies fields parses the name).
#  lse:    the image uses LSE atomics (cas*, swp*, ld<op>*) and no store-exclusive (stxr/stlxr)
#  llsc:   the image uses store-exclusives and no LSE atomic
#  nostat: System.map has none of lockstat's functions or data, and the image is
#          smaller than its twin built with lockstat (test cases named lockstat_* may remain)
#  every variant, ordering (QEMU on an x86 host runs every missing barrier correctly, so
#  only the machine code can show it):
#    - spin_lock, spin_trylock, spin_lock_contended, mutex_trylock and mutex_lock_nested
#      each hold an acquire (ldar*, ldaxr*, or an LSE atomic with the a suffix);
#    - spin_unlock, spin_unlock_timed, spin_unlock_irqrestore and mutex_unlock each hold a
#      release store (stlr*); MCS's spin unlocks also a release read-modify-write (the CAS
#      that frees the tail: stlxr*, casl*, casal*), its two ways to give the lock up;
#    - wfe: every wfe in those functions is armed by an exclusive load on the word it waits
#      for (an ldaxr*/ldxr* right after it, or at most 3 instructions before it), else a
#      store to the word need not wake it (QEMU's wfe never sleeps, so it would not show);
#      busy: none of them holds a wfe
objdump=$1
shift

# The disassembly ($dis) of function $1, or nothing if the image has no such function.
fn_body() {
	printf '%s\n' "$dis" | awk -v f="<$1>:" '$2 == f { p = 1; next } p && /^$/ { exit } p'
}

# Prints what the lock and unlock paths of the variant in $dis lack (see the top), one clause per line.
# $1: alg, $2: spin_wait, $3: lockstat (the timed unlock and the contended half exist only with it).
ordering_problems() {
	acq='[[:space:]](ldar|ldaxr|casa|casal|swpa|swpal|ldadda|ldaddal)[bh]?[[:space:]]'
	rel_store='[[:space:]]stlr[bh]?[[:space:]]'
	rel_rmw='[[:space:]](stlxr|casl|casal)[bh]?[[:space:]]'
	waits=""
	lockers="spin_lock spin_trylock mutex_trylock mutex_lock_nested"
	unlockers="spin_unlock spin_unlock_irqrestore mutex_unlock"
	if [ "$3" = on ]; then
		lockers="$lockers spin_lock_contended"
		unlockers="$unlockers spin_unlock_timed"
	fi
	for f in $lockers $unlockers; do
		body=$(fn_body "$f")
		if [ -z "$body" ]; then
			echo "$f not found"
			continue
		fi
		case " $lockers " in
		*" $f "*) printf '%s\n' "$body" | grep -qE "$acq" || echo "$f has no acquire" ;;
		*)
			printf '%s\n' "$body" | grep -qE "$rel_store" || echo "$f has no release store"
			if [ "$1" = mcs ] && [ "${f#spin_}" != "$f" ]; then
				printf '%s\n' "$body" | grep -qE "$rel_rmw" || echo "$f has no release CAS"
			fi
			;;
		esac
		# The mnemonic is the third tab-separated field of an objdump line.
		wfes=$(printf '%s\n' "$body" | awk -F '\t' '
			{ split($3, w, " "); m[NR] = w[1] }
			END {
				for (i = 1; i <= NR; i++) {
					if (m[i] != "wfe")
						continue
					armed = m[i + 1] ~ /^ld(a)?xr/
					for (j = i - 3; j < i; j++)
						if (j > 0 && m[j] ~ /^ld(a)?xr/)
							armed = 1
					print armed ? "armed" : "unarmed"
				}
			}')
		if [ "$2" = wfe ]; then
			case $wfes in *unarmed*) echo "$f has a wfe no exclusive load arms" ;; esac
		elif [ -n "$wfes" ]; then
			echo "$f has a wfe in a busy-wait build"
		fi
		[ -n "$wfes" ] && waits="$waits $f"
	done
	# A wfe build must wait with wfe somewhere in the lock path, or the check above saw nothing.
	[ "$2" = wfe ] && [ -z "$waits" ] && echo "no wfe in any lock function of a wfe build"
	return 0
}
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
	alg=$(printf '%s\n' "$fields" | sed -n 's/^alg=//p')
	spin_wait=$(printf '%s\n' "$fields" | sed -n 's/^spin_wait=//p')
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
		problems=$(ordering_problems "$alg" "$spin_wait" "$lockstat" | paste -sd ';' | sed 's/;/; /g')
		[ -z "$problems" ] || why="$why${why:+; }ordering: $problems"
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
