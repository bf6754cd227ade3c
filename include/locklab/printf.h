/* Freestanding snprintf/vsnprintf (kernel/lib/vsprintf.c): C semantics for an integer-only subset. */
#ifndef LOCKLAB_PRINTF_H
#define LOCKLAB_PRINTF_H

#include <locklab/types.h>

/*
 * Supported: %d %i %u %x %X %o %c %s %p %%, length modifiers hh h l ll z t j,
 * flags - 0 + space #, width and precision as digits or '*'. Behaves like
 * C99/glibc: always NUL-terminates when size > 0 and returns the length the
 * full output would have had (-1 if that exceeds INT_MAX).
 *
 * Deliberate choices where C leaves things open:
 *  - An unknown conversion (%f, %n, %q, ...) is copied to the output
 *    literally, including any flags/width it had ("%5q" -> "%5q"), and no
 *    argument is consumed for it (not even for a '*'). A lone '%' at the end
 *    of the format is printed as '%'. There is no floating point at all: the
 *    kernel is built with -mgeneral-regs-only.
 *  - %s of NULL prints "(null)", or nothing when the precision is below 6
 *    (as glibc does, so a truncated "(nu" never appears).
 *  - %p is "%#lx" (so '+' and ' ' are ignored, '0'/precision pad the digits);
 *    NULL prints "(nil)" like glibc, padded with spaces to the width.
 *  - Length modifiers are ignored for %c, %s and %p (no wide characters).
 *  - %% ignores flags and width.
 */
__attribute__((format(printf, 3, 0))) int vsnprintf(char *buf, size_t size, const char *fmt,
						    va_list ap);

__printf(3, 4) int snprintf(char *buf, size_t size, const char *fmt, ...);

#endif
