#!/bin/sh
# check-layout.sh: house rules that keep the three strategies honest, checked on the source tree; prints KTAP.
#
# usage: check-layout.sh <srctree>
#  1. strategy symbols (CONFIG_LOCK_STRATEGY_*) appear in no C, assembly or header file outside lock-strategies/
#     (Kconfig, configs/ and docs name them; Kbuild files and scripts are not checked)
#  2. every C, assembly and header file opens with a one-line comment saying what it is for
#  3. no source file grows past 700 lines
#  4. every strategy of lock-strategies/Kconfig (scripts/lock-strategies) has its <name>.h, <name>.c and
#     configs/qemu_<name>_defconfig: what the build, make bench and make check look for
#  5. every C and header file is laid out as .clang-format says (`make format` rewrites them)
cd "$1"
# The tracked files and the new ones in the source folders (not an in-tree O= folder's generated headers).
dirs='arch bench drivers include kernel lock-strategies loader tests user'
srcs=$({ git ls-files '*.c' '*.h' '*.S' && git ls-files --others --exclude-standard -- $dirs | grep -E '\.[chS]$'; } 2>/dev/null ||
	find . -name '*.[chS]' -not -path './build*')
echo "KTAP version 1"
echo "1..5"
fail=0

leaks=$(grep -lE 'CONFIG_LOCK_STRATEGY_[A-Za-z0-9_]+' $srcs | grep -v '^lock-strategies/' || true)
if [ -z "$leaks" ]; then
	echo "ok 1 strategy_mapping_only_in_lock_strategies"
else
	for f in $leaks; do echo "# $f names a strategy symbol: map it in lock-strategies/ instead"; done
	echo "not ok 1 strategy_mapping_only_in_lock_strategies"
	fail=1
fi

# One awk over every file (a process per file made this step take half a minute).
bad=$(awk 'FNR == 1 && $0 !~ /^(\/\*.*\*\/|\/\/ .+)$/ { print FILENAME }' $srcs)
if [ -z "$bad" ]; then
	echo "ok 2 files_open_with_a_purpose_line"
else
	for f in $bad; do echo "# $f: first line is not a one-line comment"; done
	echo "not ok 2 files_open_with_a_purpose_line"
	fail=1
fi

big=$(awk 'FNR == 1 && n > 700 { print f " " n } { f = FILENAME; n = FNR } END { if (n > 700) print f " " n }' $srcs)
if [ -z "$big" ]; then
	echo "ok 3 files_stay_small"
else
	printf '%s\n' "$big" | while read -r f n; do echo "# $f: $n lines (split past ~700)"; done
	echo "not ok 3 files_stay_small"
	fail=1
fi

missing=""
strategies=$(python3 scripts/lock-strategies list) || missing="scripts/lock-strategies"
for s in $strategies; do
	for f in "lock-strategies/$s.h" "lock-strategies/$s.c" "configs/qemu_${s}_defconfig"; do
		[ -f "$f" ] || missing="$missing $f"
	done
done
if [ -n "$strategies" ] && [ -z "$missing" ]; then
	echo "# strategies: $strategies"
	echo "ok 4 every_strategy_has_its_files"
else
	for f in $missing; do echo "# $f: missing (lock-strategies/Kconfig names the strategy)"; done
	[ -n "$strategies" ] || echo "# no strategy found in lock-strategies/Kconfig"
	echo "not ok 4 every_strategy_has_its_files"
	fail=1
fi

csrcs=$(printf '%s\n' $srcs | grep -E '\.[ch]$')
if ! command -v clang-format >/dev/null 2>&1; then
	echo "# clang-format is missing: run 'sudo scripts/deps.sh' (Debian package clang-format)"
	echo "not ok 5 c_sources_follow_clang_format"
	fail=1
else
	# One clang-format for all files: each difference is a "<file>:<line>:<col>: ..." line.
	unformatted=$(clang-format --dry-run $csrcs 2>&1 | sed -n 's/^\([^ :]*\.[ch]\):[0-9]*:[0-9]*: .*/\1/p' | sort -u)
	if [ -z "$unformatted" ]; then
		echo "ok 5 c_sources_follow_clang_format"
	else
		for f in $unformatted; do echo "# $f: differs from .clang-format's layout (make format rewrites it)"; done
		echo "not ok 5 c_sources_follow_clang_format"
		fail=1
	fi
fi
exit $fail
