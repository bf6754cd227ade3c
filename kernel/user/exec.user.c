/* Programs the exec suite runs at EL0: spawn from a user process, with good and bad pointers, at its limits, until it refuses. */
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
 * spawn's limits from EL0, each at its edge (results as above; the
 * kernel's side checks them). The shared page holds what must sit at a
 * chosen address: argv arrays at byte 2048, long strings at 1024, and its
 * last bytes, after which nothing is mapped.
 */
long u_exec_spawn_edges(long unused)
{
	volatile long *r = USHARED, *av = USHARED + 256;
	volatile char *page = (volatile char *)USHARED;
	const char *prog = "/exec/prog", *argv[] = { "prog", "A", "b", 0 };
	long i = 0, pid;
	int status = -1;

	/* argv whose pointers run into the unmapped page after the shared one, with no NULL before it */
	USHARED[510] = (long)"prog";
	USHARED[511] = (long)"A";
	r[i++] = usys(SYS_spawn, (long)prog, (long)(USHARED + 510), 0);
	/* a path whose bytes run into that page, with no NUL before it */
	for (long k = 4096 - 8; k < 4096; k++)
		page[k] = 'p';
	r[i++] = usys(SYS_spawn, (long)(page + 4096 - 8), (long)argv, 0);
	/* one argument of 255 bytes runs (the status shows its first byte), one of 256 is refused */
	for (long k = 0; k < 256; k++)
		page[1024 + k] = 'y';
	page[1024 + 256] = 0;
	av[0] = (long)"prog";
	av[1] = (long)(page + 1024);
	av[2] = 0;
	r[i++] = usys(SYS_spawn, (long)prog, (long)av, 0);
	page[1024 + 255] = 0;
	pid = usys(SYS_spawn, (long)prog, (long)av, 0);
	r[i++] = pid > 0 && usys(SYS_wait, pid, (long)&status, 0) == pid ? status : pid;
	/* 1024 bytes of arguments run ("prog", three of 255 bytes and one of 250), 1025 are refused */
	for (long k = 1; k <= 3; k++)
		av[k] = (long)(page + 1024);
	av[4] = (long)(page + 1024 + 5);
	av[5] = 0;
	status = -1;
	pid = usys(SYS_spawn, (long)prog, (long)av, 0);
	r[i++] = pid > 0 && usys(SYS_wait, pid, (long)&status, 0) == pid ? status : pid;
	av[4] = (long)(page + 1024 + 4);
	r[i++] = usys(SYS_spawn, (long)prog, (long)av, 0);
	/* 32 arguments run, 33 are refused */
	av[0] = (long)"prog";
	for (long k = 1; k < 32; k++)
		av[k] = (long)"A";
	av[32] = 0;
	status = -1;
	pid = usys(SYS_spawn, (long)prog, (long)av, 0);
	r[i++] = pid > 0 && usys(SYS_wait, pid, (long)&status, 0) == pid ? status : pid;
	av[32] = (long)"A";
	av[33] = 0;
	r[i++] = usys(SYS_spawn, (long)prog, (long)av, 0);
	/* no program: a folder, an empty path, a special file */
	r[i++] = usys(SYS_spawn, (long)"/exec", (long)argv, 0);
	r[i++] = usys(SYS_spawn, (long)"", (long)argv, 0);
	r[i++] = usys(SYS_spawn, (long)"/proc/lock_stat", (long)argv, 0);
	r[63] = i;
	return 0;
}

/*
 * Spawns /exec/prog until spawn refuses (each child a zombie holding its
 * task slot until reaped), then reaps them all with wait(-1): r[0] the
 * spawns, r[1] the refusal, r[2] the reaped, r[3] those with another
 * status than want, r[4] the wait after the last, r[5] a spawn after.
 */
long u_exec_spawn_until_refused(long want)
{
	volatile long *r = USHARED;
	const char *argv[] = { "prog", "A", "b", 0 };
	long n = 0, reaped = 0, bad = 0, pid = 0;
	int status;

	while (n < 1000 && (pid = usys(SYS_spawn, (long)"/exec/prog", (long)argv, 0)) > 0)
		n++;
	r[0] = n;
	r[1] = pid;
	while ((pid = usys(SYS_wait, -1, (long)&status, 0)) > 0) {
		reaped++;
		bad += status != want;
	}
	r[2] = reaped;
	r[3] = bad;
	r[4] = pid;
	pid = usys(SYS_spawn, (long)"/exec/prog", (long)argv, 0);
	r[5] = pid > 0 && usys(SYS_wait, pid, (long)&status, 0) == pid ? status : pid;
	r[63] = 6;
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
