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

/*
 * Runs a program with its output captured (run_captured, user_ktest.c):
 * the path is at byte 1024 of the shared page, argv (user addresses) at
 * byte 512, the input file's path at byte 1536, the output file's at
 * 1600. With fds 0-2 closed, the input opens as fd 0 and the output twice
 * as fds 1 and 2, both appending, so the child's (inherited) stdout and
 * stderr land in the file in the order they were written.
 */
long u_exec_capture(long unused)
{
	volatile long *r = USHARED;
	long in = (long)USHARED + 1536, out = (long)USHARED + 1600, pid;
	int status = -1;

	for (long fd = 0; fd < 3; fd++)
		usys(SYS_close, fd, 0, 0);
	r[3] = usys(SYS_open, in, O_RDONLY, 0) == 0 &&
	       usys(SYS_open, out, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0) == 1 &&
	       usys(SYS_open, out, O_WRONLY | O_APPEND, 0) == 2;
	pid = usys(SYS_spawn, (long)USHARED + 1024, (long)USHARED + 512, 0);
	r[2] = pid;
	r[0] = pid > 0 && usys(SYS_wait, pid, (long)&status, 0) == pid ? status : -1;
	r[63] = 1;
	return 0;
}
