/* Programs the shell suite runs at EL0: the ktest and bench calls with good and bad arguments. */
#include "usys.h"
#include <locklab/errno.h>

/* The calls' results in order (shell_test.c lists what each should be); r[63] = how many. */
long u_shell_calls(long unused)
{
	volatile long *r = USHARED;
	long i = 0;

	r[i++] = usys(SYS_ktest, 0x20000000L, 0, 0);		    /* unmapped */
	r[i++] = usys(SYS_ktest, (long)0xffffff8040200000UL, 0, 0); /* a kernel address */
	r[i++] = usys(SYS_ktest, (long)"shell_no_such_suite", 0, 0);
	r[i++] = usys(SYS_ktest, (long)"", 0, 0);
	r[i++] = usys(SYS_ktest, (long)",", 0, 0); /* commas alone: no name, not "none" */
	r[i++] = usys(SYS_ktest, (long)"selftest_fail", 0, 0);
	r[i++] = usys(SYS_bench, 0x20000000L, 0, 0);
	r[i++] = usys(SYS_bench, (long)"shell_no_such_workload cpus=1", 0, 0);
	r[i++] = usys(SYS_bench, (long)"ceiling cpus=1 no_such_option=1", 0, 0);
	/* the boot's "run nothing" names nothing here */
	r[i++] = usys(SYS_bench, (long)"none cpus=1", 0, 0);
	r[i++] =
		usys(SYS_bench, (long)"ceiling cpus=", 0, 0); /* no counts: not the default sweep */
	r[i++] = usys(SYS_bench, (long)"ceiling cpus=1 duration_ms=20", 0, 0);
	r[63] = i;
	return 0;
}

/* A bench call long enough for the suite to find the runner busy; retried while it is (r[0]). */
long u_shell_long_bench(long unused)
{
	volatile long *r = USHARED;
	long ret;

	do
		ret = usys(SYS_bench, (long)"ceiling cpus=1 duration_ms=400", 0, 0);
	while (ret == -EBUSY); /* the suite's probe held the runner */
	r[0] = ret;
	r[63] = 1;
	return 0;
}
