#!/bin/sh
# fixdep.sh: rewrite a gcc .d file so an object depends on the Kconfig symbols it mentions, not on all of autoconf.h.
#
# usage: fixdep.sh <file.d from gcc -MMD -MP> <objtree>   (result on stdout)
# kconfig-conf --silentoldconfig touches <objtree>/include/config/<sym>.h
# (FOO_BAR -> foo/bar.h) only when that symbol's value changes. Depending on
# those files through $(wildcard ...) (re-evaluated at every make run) means a
# saved config rebuilds exactly the objects whose sources use a changed symbol.
set -e
dfile=$1
objtree=$2
# Join continuation lines; the first rule is "target: prerequisites".
joined=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$dfile")
first=$(printf '%s\n' "$joined" | head -n 1)
target=${first%%:*}
prereqs=$(printf '%s\n' "${first#*:}" | tr ' ' '\n' | grep -v '^$' | grep -v '/include/generated/autoconf\.h$' || true)
printf '%s:' "$target"
for p in $prereqs; do printf ' \\\n  %s' "$p"; done
syms=$(cat $prereqs 2>/dev/null | grep -o 'CONFIG_[A-Za-z0-9_]*' | sort -u | sed -e 's/^CONFIG_//' | tr 'A-Z_' 'a-z/' || true)
if [ -n "$syms" ]; then
	printf ' \\\n  $(wildcard'
	for s in $syms; do printf ' %s/include/config/%s.h' "$objtree" "$s"; done
	printf ')'
fi
printf '\n'
# The phony "header:" rules from -MP keep a deleted header from breaking make.
printf '%s\n' "$joined" | tail -n +2 | grep -v '/include/generated/autoconf\.h:' || true
