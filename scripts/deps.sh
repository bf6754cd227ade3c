#!/bin/sh
# deps.sh: install the Debian packages locklab needs (as root), or print the exact apt-get line.
#
# Each entry is "command package": a package is needed when its command is
# missing. Run as root it installs them; otherwise it prints what to run and
# exits 1 so that callers (make, CI) stop with a clear message.
#
# --ensure (make bench and make check, on every run): only `command -v`, so it
# costs nothing when all is there. Something missing: as root, install it
# (apt-get's output on stderr); otherwise print one line saying what to run.
# Either way stdout carries at most one line, for make's $(error).
set -e
ensure=
[ "$1" = --ensure ] && ensure=1

need="
make make
cc gcc
aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
aarch64-linux-gnu-ld binutils-aarch64-linux-gnu
qemu-system-aarch64 qemu-system-arm
kconfig-conf kconfig-frontends-nox
kconfig-mconf kconfig-frontends-nox
dtc device-tree-compiler
gnuplot gnuplot-nox
python3 python3
clang-format clang-format
"

missing=$(printf '%s\n' "$need" | while read -r cmd pkg; do
	[ -n "$cmd" ] || continue
	command -v "$cmd" >/dev/null 2>&1 || echo "$pkg"
done | sort -u | tr '\n' ' ')

if [ -n "$ensure" ]; then
	[ -n "$(echo $missing)" ] || exit 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: $(echo $missing); run 'sudo scripts/deps.sh' first (it installs them)"
		exit 1
	fi
	"$0" >&2 || { echo "scripts/deps.sh could not install $(echo $missing) (its output is above)"; exit 1; }
	exit 0
fi

# ASan/UBSan runtimes for the host tests come with gcc; check they link.
if command -v cc >/dev/null 2>&1; then
	tmp=$(mktemp -d)
	echo 'int main(void){return 0;}' > "$tmp/t.c"
	if ! cc -fsanitize=address,undefined "$tmp/t.c" -o "$tmp/t" >/dev/null 2>&1; then
		missing="$missing libasan8 libubsan1"
	fi
	rm -rf "$tmp"
fi

if [ -z "$(echo $missing)" ]; then
	echo "deps: everything locklab needs is installed"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	echo "deps: installing: $missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
	echo "deps: done"
else
	echo "deps: missing packages. Run:"
	echo "  sudo apt-get install -y --no-install-recommends $missing"
	exit 1
fi
