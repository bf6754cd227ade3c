#!/bin/sh
# build-variant.sh: build one locking variant out of tree, from its strategy's defconfig plus the variant's choices.
#
# usage: build-variant.sh <srctree> <outdir> <strategy>-<alg>-<atomics>-<spin_wait>[-<lock_wait>][-nostat] [fragment...]
#   e.g. build-variant.sh . build/check/matrix/bkl-mcs-llsc-wfe bkl-mcs-llsc-wfe
# strategy: bkl|subsys|fine  alg: tas|ttas|ticket|mcs  atomics: lse|llsc  spin_wait: busy|wfe
# lock_wait: spin (default)|block|adaptive - how contended strategy locks wait
# -nostat turns CONFIG_LOCK_STAT off (to show no instrumentation is left).
# Each fragment (a file of CONFIG_ lines, e.g. configs/bench.config) is added last.
# Re-running it rewrites .config; kconfig touches only changed symbols, so
# the rebuild is incremental. Run it from make with '+' to share the jobserver.
set -e
src=$(cd "$1" && pwd)
out=$2
variant=$3
shift 3
frags=
for f in "$@"; do
	[ -f "$f" ] || { echo "build-variant: no such config fragment '$f'" >&2; exit 2; }
	frags="$frags $(cd "$(dirname "$f")" && pwd)/$(basename "$f")"
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

old_ifs=$IFS
IFS=-
set -- $variant
IFS=$old_ifs
strategy=$1 alg=$2 atomics=$3 wait=$4 lockwait=spin extra=
case ${5:-} in spin|block|adaptive) lockwait=$5; extra=${6:-}; [ -z "${7:-}" ] || extra=bad ;;
	*) extra=${5:-}; [ -z "${6:-}" ] || extra=bad ;; esac
bad() { echo "build-variant: $1 in '$variant' (expected <bkl|subsys|fine>-<tas|ttas|ticket|mcs>-<lse|llsc>-<busy|wfe>[-<spin|block|adaptive>][-nostat])" >&2; exit 2; }
case $strategy in bkl|subsys|fine) ;; *) bad "unknown strategy '$strategy'" ;; esac
case $alg in tas|ttas|ticket|mcs) ;; *) bad "unknown algorithm '$alg'" ;; esac
case $atomics in lse|llsc) ;; *) bad "unknown atomics '$atomics'" ;; esac
case $wait in busy|wfe) ;; *) bad "unknown spin wait '$wait'" ;; esac
case $extra in ''|nostat) ;; *) bad "unknown suffix '$extra'" ;; esac

up() { echo "$1" | tr a-z A-Z; }
frag=$out/variant_defconfig
{
	cat "$src/configs/qemu_${strategy}_defconfig"
	echo "CONFIG_LOCK_ALG_$(up "$alg")=y"
	echo "CONFIG_ARM64_ATOMICS_$(up "$atomics")=y"
	echo "CONFIG_SPIN_WAIT_$(up "$wait")=y"
	echo "CONFIG_KLOCK_WAIT_$(up "$lockwait")=y"
	[ "$extra" = nostat ] && echo "# CONFIG_LOCK_STAT is not set"
	for f in $frags; do cat "$f"; done
	true
} > "$frag.new"
# Keep the fragment's timestamp when nothing changed: nothing then rebuilds.
cmp -s "$frag.new" "$frag" 2>/dev/null && rm "$frag.new" || mv "$frag.new" "$frag"
(cd "$out" && KCONFIG_CONFIG=.config srctree="$src" kconfig-conf -s --defconfig="$frag" "$src/Kconfig" 2>/dev/null)
for want in "CONFIG_LOCK_STRATEGY_$(up "$strategy")=y" "CONFIG_LOCK_ALG_$(up "$alg")=y" \
	    "CONFIG_ARM64_ATOMICS_$(up "$atomics")=y" "CONFIG_SPIN_WAIT_$(up "$wait")=y" \
	    "CONFIG_KLOCK_WAIT_$(up "$lockwait")=y"; do
	grep -qx "$want" "$out/.config" || { echo "build-variant: $variant: Kconfig refused $want" >&2; exit 1; }
done
${MAKE:-make} --no-print-directory -s -C "$src" O="$out" all >/dev/null
echo "  VARIANT  $variant"

