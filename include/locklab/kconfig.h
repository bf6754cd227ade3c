/* IS_ENABLED(CONFIG_X): a Kconfig bool as a C constant, so disabled code is compiled, checked, then dropped. */
#ifndef LOCKLAB_KCONFIG_H
#define LOCKLAB_KCONFIG_H

/* autoconf.h defines CONFIG_X as 1 when set; this turns "1" into a 1 and "undefined" into 0. */
#define __ARG_PLACEHOLDER_1		       0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x)			       ___is_defined(x)
#define ___is_defined(val)		       ____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk)	       __take_second_arg(arg1_or_junk 1, 0)
#define IS_ENABLED(option)		       __is_defined(option)

#endif
