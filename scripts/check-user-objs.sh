#!/bin/sh
# check-user-objs.sh: code built to run at EL0 (*.user.o) must stand alone: no kernel symbol, no writable data, no absolute address.
#
# usage: check-user-objs.sh <nm> <readelf> <user object>...
# User code is linked into the kernel image but runs at EL0 at another
# address (USER_TEXT_BASE), from pages mapped read-only: a call or a
# reference to a kernel symbol would jump into memory EL0 cannot touch,
# a writable section would fault on its first write, and an absolute
# address (or a GOT entry) would hold a kernel address after head.S's
# relocation. So every undefined symbol must be defined by a user object,
# no section may be writable, and only PC-relative relocations may appear.
nm=$1
readelf=$2
shift 2
[ $# -gt 0 ] || exit 0
status=0
defined=$("$nm" --defined-only "$@" | awk 'NF == 3 { print $3 }' | sort -u)
for o in "$@"; do
	for sym in $("$nm" -u "$o" | awk '{ print $NF }'); do
		if ! printf '%s\n' "$defined" | grep -qx -- "$sym"; then
			echo "check-user-objs: $o references '$sym', which no user object defines (code at EL0 cannot use the kernel's)" >&2
			status=1
		fi
	done
	# section headers: "[Nr] Name Type Address Off Size ES Flg Lk Inf Al"
	# a section header line without its "[Nr]": name type address offset size entsize flags ...
	w=$("$readelf" -SW "$o" | sed -n 's/^ *\[ *[0-9]*\] *//p' | awk '$1 ~ /^\.user/ && $7 ~ /W/ && $5 !~ /^0+$/ { print $1 }')
	if [ -n "$w" ]; then
		echo "check-user-objs: $o has writable sections ($(echo $w)): user code gets no writable data, use the stack or the shared page" >&2
		status=1
	fi
	# only the relocations of the code and data that run at EL0 (.rela.user.*; debug info is not mapped)
	r=$("$readelf" -rW "$o" | awk '/^Relocation section/ { sec = $3 } sec ~ /^.\.rela\.user/ && /R_AARCH64_/ { print $3 }' | grep -vE '^R_AARCH64_(ADR_PREL_PG_HI21|ADD_ABS_LO12_NC|LDST(8|16|32|64|128)_ABS_LO12_NC|CALL26|JUMP26|CONDBR19|TSTBR14|LD_PREL_LO19|ADR_PREL_LO21|PREL32|PREL64)$' | sort -u)
	if [ -n "$r" ]; then
		echo "check-user-objs: $o has relocations that are not PC-relative ($(echo $r)): an absolute address would be the kernel's" >&2
		status=1
	fi
done
exit $status
