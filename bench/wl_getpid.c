/* Workload "getpid": the null system call, entering only the kernel scope: what a big lock costs a call that touches nothing. */
#include "bench.h"
#include <locklab/string.h>
#include <locklab/syscall.h>

/*
 * sys_getpid reads a field of the caller's own process and returns: no
 * subsystem, no shared data. Under the BKL every call still takes the one
 * lock at the syscall boundary, so the workers serialise on it (Linux 2.0,
 * where entering the kernel at all took kernel_flag); under SUBSYS and
 * FINE nothing is locked and it scales like ceiling.
 */
static long seen_pid[BENCH_MAX_WORKERS]; /* what each worker's first call returned */
static struct bench_mem before;

static long getpid_setup(struct bench_run *r)
{
	(void)r;
	bench_mem_snapshot(&before);
	memset(seen_pid, 0, sizeof(seen_pid));
	return 0;
}

static void getpid_work(struct bench_worker *w)
{
	long mine = sys_getpid();

	seen_pid[w->idx] = mine;
	while (bench_running(w)) {
		w->bad += sys_getpid() != mine; /* the same answer every time */
		w->ops++;
	}
}

/* Each worker was told its own pid, the one sys_spawn gave the harness: no call answered for another process. */
static bool getpid_check(struct bench_run *r)
{
	bool pids = bench_pids_match(r, seen_pid);

	return bench_mem_unchanged(r->wl->name, &before) && pids;
}

BENCH_WORKLOAD(wl_getpid) = {
	.name = "getpid",
	.what = "the null system call: getpid, which enters the kernel scope and touches nothing shared",
	.setup = getpid_setup,
	.work = getpid_work,
	.check = getpid_check,
};
