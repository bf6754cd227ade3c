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
 * Runs a program with its output captured: the spawner put the path at
 * byte 1024 of the shared page and argv (user addresses) at byte 512.
 * With fds 0 and 1 closed, the pipe's ends are 0 and 1, so the child's
 * fd 1 (inherited) is the pipe; its output goes to byte 2048 on.
 */
long u_exec_capture(long unused)
{
	volatile long *r = USHARED;
	char *out = (char *)USHARED + 2048;
	int fds[2] = { -1, -1 }, status = -1;
	long pid, n = 0, got;

	usys(SYS_close, 0, 0, 0);
	usys(SYS_close, 1, 0, 0);
	r[3] = usys(SYS_pipe, (long)fds, 0, 0) == 0 && fds[0] == 0 && fds[1] == 1;
	pid = usys(SYS_spawn, (long)USHARED + 1024, (long)USHARED + 512, 0);
	usys(SYS_close, 1, 0,
	     0); /* the child's copy is the last writer: its exit ends the output */
	r[2] = pid;
	r[0] = pid > 0 && usys(SYS_wait, pid, (long)&status, 0) == pid ? status : -1;
	while (n < 2047 && (got = usys(SYS_read, 0, (long)(out + n), 2047 - n)) > 0)
		n += got;
	out[n] = 0;
	r[1] = n;
	r[63] = 1;
	return 0;
}
