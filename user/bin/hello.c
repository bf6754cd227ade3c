/* hello: says which process it is ("hello from pid N"), the first program a spawn by path runs. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	printf("hello from pid %d\n", getpid());
	return 0;
}
