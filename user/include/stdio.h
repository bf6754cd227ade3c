/* Formatted output for user programs (user/lib/printf.c): written here, no FILE streams, no floating point. */
#ifndef USER_STDIO_H
#define USER_STDIO_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Conversions: %d %i %u %x %X %o %c %s %p %%, with the length modifiers
 * hh h l ll z, a field width (digits or *), the flags '-' (left-justify),
 * '0' (zero-pad), '+' and ' ' (a sign for %d) and '#' (0x, a leading 0
 * for %o), and a precision (.N or .*): the most bytes of a %s, the fewest
 * digits of an integer (docs/user.md, "The C library"). The snprintf
 * family returns the length the whole output would have (C's rule) and
 * always NUL-terminates when n > 0. printf and dprintf write through a
 * 256-byte buffer on the stack, so one call is one write() unless longer;
 * they return the bytes written, or -1 if a write failed.
 */
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
	__attribute__((format(__printf__, 3, 0)));
int snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(__printf__, 3, 4)));
int vdprintf(int fd, const char *fmt, va_list ap) __attribute__((format(__printf__, 2, 0)));
int dprintf(int fd, const char *fmt, ...) __attribute__((format(__printf__, 2, 3)));
int printf(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
int puts(const char *s); /* s and a newline to fd 1 */

#endif
