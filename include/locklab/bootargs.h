/* Boot-argument parser: a table of typed options, clear messages for unknown or malformed ones. */
#ifndef LOCKLAB_BOOTARGS_H
#define LOCKLAB_BOOTARGS_H

#include <locklab/types.h>

enum bootarg_type {
	BOOTARG_FLAG, /* "name" alone sets *(bool *)dest = true; "name=0|1|on|off|yes|no|true|false" also accepted */
	BOOTARG_UINT, /* "name=<decimal or 0x hex>" into *(u64 *)dest, checked against [min, max] */
	BOOTARG_STR, /* "name=<text>" (may be "quoted with spaces") copied into char dest[str_size] */
};

struct bootarg_opt {
	const char *name;
	enum bootarg_type type;
	void *dest;
	u64 min, max;	  /* BOOTARG_UINT only */
	size_t str_size;  /* BOOTARG_STR only: size of the dest buffer incl. NUL */
	const char *help; /* one line, shown when the option is misused */
};

/*
 * Parses a command line of space-separated options against opts[0..n).
 * Each problem is reported with report(msg) as one complete sentence, e.g.
 *   "bootargs: unknown option 'foo=1' (ignored)"
 *   "bootargs: maxcpus='abc' is not a number in 1..8 (keeping 8)"
 *   "bootargs: ktest='<260 chars>' is longer than 63 characters (keeping '')"
 *   "bootargs: unterminated quote in 'name=\"abc' (ignored)"
 * A malformed value leaves *dest unchanged (the default stays). Later
 * occurrences of an option override earlier ones. NULL or "" cmdline is fine.
 * Returns the number of problems reported.
 *
 * Details (kernel/bootargs.c, tests/host/test_bootargs.c):
 *  - Options are separated by runs of spaces, tabs and line ends (\n, \r:
 *    a cmdline.txt edited on Windows ends in \r\n). Double quotes may
 *    appear anywhere in a value ("a b", a"b c"d); blanks inside them do not
 *    split, and all quote characters are removed from the value. An option
 *    name containing a quote matches nothing. An unterminated quote runs
 *    to the end of the line, and that whole last option is ignored.
 *  - The first '=' splits name and value. "=5" (empty name) is a problem.
 *  - FLAG: the value words are exact and lowercase; "" or "ON" are problems.
 *  - UINT: decimal ("007" is 7) or 0x/0X hex, no sign, no trailing text;
 *    overflow beyond u64 is reported as out of range. "name" without '='
 *    is a problem for UINT and STR.
 *  - STR: the value without its quotes must fit in str_size - 1 bytes.
 *  - Names match whole and case-sensitively; the first table entry wins.
 *  - Messages quote user text cut to 40 characters + "...", with control
 *    characters shown as '?'; unknown options list the known names
 *    ("(ignored; known: a, b, c)"), and a non-empty help is added inside the
 *    closing parentheses ("(keeping 8; maxcpus: <help>)"). report may be NULL.
 */
int bootargs_parse(const char *cmdline, const struct bootarg_opt *opts, size_t n,
		   void (*report)(const char *msg));

#endif
