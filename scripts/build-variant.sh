#!/bin/sh
# build-variant.sh: build one locking variant out of tree, from its strategy's defconfig plus the variant's choices.
#
# usage: build-variant.sh [--via <workdir>] <srctree> <outdir> <strategy>-<alg>-<atomics>-<spin_wait>[-<lock_wait>][-nostat] [fragment...]
#   e.g. build-variant.sh . build/check/matrix/bkl-mcs-llsc-wfe bkl-mcs-llsc-wfe
# --via: build in <workdir> (kept, reconfigured from whatever variant it last held) and copy the
# results (Image, locklab.elf, System.map, .config, variant_defconfig) to <outdir>; make check
# builds each strategy's variants one after another this way (tests/check.mk says in which order),
# recompiling half to two thirds of the objects when the algorithm, the strategy locks' wait or
# lockstat changes, and a handful when only the way of spinning does.
# Each part is a member of a Kconfig choice (scripts/lock-strategies lists them): strategy (bkl, subsys,
# fine...), alg (tas, ttas, ticket, mcs), atomics (lse, llsc), spin_wait (busy, wfe),
# lock_wait: spin (default)|block|adaptive - how contended strategy locks wait
# -nostat turns CONFIG_LOCK_STAT off (to show no instrumentation is left).
# Each fragment (a file of CONFIG_ lines, e.g. configs/bench.config) is added last.
# Re-running it rewrites .config; kconfig touches only changed symbols, so
# the rebuild is incremental. Run it from make with '+' to share the jobserver.
set -e
via=
if [ "$1" = --via ]; then
	via=$2
	shift 2
fi
src=$(cd "$1" && pwd)
dest=$2
variant=$3
shift 3
out=${via:-$dest}
frags=
for f in "$@"; do
	[ -f "$f" ] || { echo "build-variant: no such config fragment '$f'" >&2; exit 2; }
	frags="$frags $(cd "$(dirname "$f")" && pwd)/$(basename "$f")"
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The variant's parts and its CONFIG_ lines come from the Kconfig choices (scripts/lock-strategies,
# the one parser of variant names).
fields=$(python3 "$src/scripts/lock-strategies" fields "$variant" 2>&1) || { echo "build-variant: ${fields#lock-strategies: }" >&2; exit 2; }
lines=$(python3 "$src/scripts/lock-strategies" variant "$variant")
strategy=$(printf '%s\n' "$fields" | sed -n 's/^strategy=//p')
frag=$out/variant_defconfig
{
	cat "$src/configs/qemu_${strategy}_defconfig"
	echo "$lines"
	for f in $frags; do cat "$f"; done
	true
} > "$frag.new"
# Keep the fragment's timestamp when nothing changed: nothing then rebuilds.
cmp -s "$frag.new" "$frag" 2>/dev/null && rm "$frag.new" || mv "$frag.new" "$frag"
(cd "$out" && KCONFIG_CONFIG=.config srctree="$src" kconfig-conf -s --defconfig="$frag" "$src/Kconfig" 2>/dev/null)
for want in $(echo "$lines" | grep '=y$'); do
	grep -qx "$want" "$out/.config" || { echo "build-variant: $variant: Kconfig refused $want" >&2; exit 1; }
done
${MAKE:-make} --no-print-directory -s -C "$src" O="$out" all >/dev/null
if [ -n "$via" ]; then
	mkdir -p "$dest"
	for f in Image locklab.elf System.map .config variant_defconfig; do
		cp "$out/$f" "$dest/$f.new" && mv "$dest/$f.new" "$dest/$f"
	done
fi
echo "  VARIANT  $variant"

