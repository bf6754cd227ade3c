/* A program the exec suite runs at EL0: spawn from a user process, with good and bad pointers. */
#include "usys.h"

/* Spawns /exec/prog with three arguments and waits for it; then the refusals. Results as progs.user.c. */
long u_exec_spawn(long unused)
{
	volatile long *r = USHARED;
	const char *argv[] = { "prog", "A", "b", 0 };
	const char *bad_arg[] = { "prog", (const char *)0x20000000L, 0 };
	long pid, i = 0;
	int status = -1;

	pid = usys(SYS_spawn, (long)"/exec/prog", (long)argv, 0);
	r[i++] = pid > 0;
	r[i++] = usys(SYS_wait, pid, (long)&status, 0) == pid;
	r[i++] = status;
	r[i++] = usys(SYS_spawn, (long)0xffffff8040200000UL, (long)argv, 0); /* a kernel path */
	r[i++] = usys(SYS_spawn, (long)"/exec/prog", 0x20000000L, 0);	     /* argv unmapped */
	r[i++] = usys(SYS_spawn, (long)"/exec/prog", (long)bad_arg, 0); /* an argument unmapped */
	r[i++] = usys(SYS_spawn, (long)"/exec/none", (long)argv, 0);
	r[63] = i;
	return 0;
}
