/* exit and atoi/atol for user programs. */
#include <stdlib.h>
#include <unistd.h>

/* Nothing is buffered between calls (printf writes before it returns), so exit is the call alone. */
void exit(int status)
{
	_exit(status);
}

long atol(const char *s)
{
	long v = 0;
	int neg = 0;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return neg ? -v : v;
}

int atoi(const char *s)
{
	return (int)atol(s);
}
