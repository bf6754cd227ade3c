/* exit and atoi/atol for user programs. */
#include <stdlib.h>
#include <unistd.h>

/* Nothing is buffered between calls (printf writes before it returns), so exit is the call alone. */
void exit(int status)
{
	_exit(status);
}

/*
 * The digits add up unsigned: LONG_MIN's are one more than LONG_MAX, and a
 * signed sum overflowed on its last digit (undefined, as is negating it).
 * Blanks before it are C's isspace: \v, \f and \r as well.
 */
long atol(const char *s)
{
	unsigned long v = 0;
	int neg = 0;

	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (unsigned long)(*s++ - '0');
	return (long)(neg ? -v : v);
}

int atoi(const char *s)
{
	return (int)atol(s);
}
