/* Kernel boot options: each subsystem declares its own with BOOTPARAM_*; init parses /chosen bootargs once. */
#ifndef LOCKLAB_BOOTPARAM_H
#define LOCKLAB_BOOTPARAM_H

#include <locklab/bootargs.h>

/*
 * The options live in the .bootparams section (collected by the linker
 * script), so declaring an option is one line next to the variable it sets.
 */
#define BOOTPARAM_UINT(var, optname, lo, hi, helptext)                             \
	static const struct bootarg_opt __bootparam_##var __section(".bootparams") \
		__used __aligned(8) = { .name = optname,                           \
					.type = BOOTARG_UINT,                      \
					.dest = &var,                              \
					.min = lo,                                 \
					.max = hi,                                 \
					.help = helptext }
#define BOOTPARAM_FLAG(var, optname, helptext)                                                \
	static const struct bootarg_opt __bootparam_##var __section(".bootparams")            \
		__used __aligned(8) = {                                                       \
			.name = optname, .type = BOOTARG_FLAG, .dest = &var, .help = helptext \
		}
#define BOOTPARAM_STR(var, optname, helptext)                                      \
	static const struct bootarg_opt __bootparam_##var __section(".bootparams") \
		__used __aligned(8) = { .name = optname,                           \
					.type = BOOTARG_STR,                       \
					.dest = var,                               \
					.str_size = sizeof(var),                   \
					.help = helptext }

/* Parses cmdline against every declared option; returns the number of problems (each already printed). */
int bootparams_parse(const char *cmdline);
/*
 * The same for a run after boot (the bench() call): only the options
 * named in names[] (NULL-terminated, at most BOOTPARAMS_SOME_MAX of them
 * that exist) are known; the others are problems. Returns the number of
 * problems, each printed as one line "<who>: error: <the parser's
 * sentence>". One caller at a time (the bench() call is).
 */
#define BOOTPARAMS_SOME_MAX 24
int bootparams_parse_some(const char *cmdline, const char *const names[], const char *who);
/*
 * For the same run: 1, after one "<who>: error: ..." line, if the last
 * name= in cmdline (a BOOTARG_STR option) has no value, which the option
 * would take as "its default" (cpus= as the default sweep) where a value
 * was meant and left out; else 0. The text is parsed again for that one
 * option, into a buffer of its own: nothing is set.
 */
int bootparams_refuse_empty(const char *cmdline, const char *name, const char *who);
/*
 * Copies the values of the options named in names[] into buf (restore
 * false) or back from it (true), so a run can change them and put them
 * back (with the same names and buf). false if they do not fit in size bytes.
 */
bool bootparams_copy(const char *const names[], void *buf, size_t size, bool restore);
/* Prints every option with its help (for "help" on the command line). */
void bootparams_print_help(void);

#endif
