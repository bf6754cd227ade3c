# fixdep.awk: rewrite a gcc .d file so an object depends on the Kconfig symbols it mentions, not on all of autoconf.h.
#
# usage: awk -v objtree=<objtree> -f fixdep.awk <file.d from gcc -MMD -MP>   (result on stdout)
# kconfig-conf --silentoldconfig touches <objtree>/include/config/<sym>.h
# (FOO_BAR -> foo/bar.h) only when that symbol's value changes. Depending on
# those files through $(wildcard ...) (re-evaluated at every make run) means a
# saved config rebuilds exactly the objects whose sources use a changed symbol.
# One awk process per object: the shell version it replaces ran a dozen
# processes each time and cost a third of a kernel build's compile time.

function is_autoconf(path) { return path ~ /\/include\/generated\/autoconf\.h:?$/ }

# Every CONFIG_ name in a source or header, once each, in the order first seen.
function scan(path,    line, name) {
	while ((getline line < path) > 0) {
		while (match(line, /CONFIG_[A-Za-z0-9_]+/)) {
			name = substr(line, RSTART + 7, RLENGTH - 7)
			line = substr(line, RSTART + RLENGTH)
			if (!(name in seen)) {
				seen[name] = 1
				order[++nsyms] = name
			}
		}
	}
	close(path)
}

# Join continuation lines into whole rules; the first is "target: prerequisites".
{
	if (sub(/\\$/, "")) {
		pending = pending $0 " "
		next
	}
	rules[++nrules] = pending $0
	pending = ""
}

END {
	if (pending != "")
		rules[++nrules] = pending
	split(rules[1], words, /[ \t]+/)
	out = ""
	for (i = 1; i in words; i++) {
		w = words[i]
		if (w == "" || is_autoconf(w))
			continue
		if (out == "") {
			out = w	# the target, with its colon
			continue
		}
		out = out " \\\n  " w
		scan(w)
	}
	if (nsyms) {
		out = out " \\\n  $(wildcard"
		for (i = 1; i <= nsyms; i++) {
			sym = tolower(order[i])
			gsub(/_/, "/", sym)
			out = out " " objtree "/include/config/" sym ".h"
		}
		out = out ")"
	}
	print out
	# The phony "header:" rules from -MP keep a deleted header from breaking make.
	for (i = 2; i <= nrules; i++)
		if (!is_autoconf(rules[i]))
			print rules[i]
}
