/* Workload "proc": spawn a child on the same CPU, wait for it, check its exit status; every pid reaped. */
#include "bench.h"
#include <locklab/console.h>
#include <locklab/proc.h>
#include <locklab/syscall.h>

static u32 live_before;

static long proc_setup(struct bench_run *r)
{
	(void)r;
	live_before = proc_live();
	return 0;
}

static void child(void *arg)
{
	sys_exit((int)(u64)arg);
}

static void proc_work(struct bench_worker *w)
{
	while (bench_running(w)) {
		int code = (int)(w->ops & 0x7f), status = -1;
		long pid = sys_spawn(child, (void *)(u64)code, (int)w->cpu);

		if (pid == -EAGAIN)
			continue; /* every task slot busy for a moment: not an op */
		w->bad += pid <= 0 || sys_wait((int)pid, &status) != pid || status != code;
		w->ops++;
	}
}

static bool proc_check(struct bench_run *r)
{
	(void)r;
	/* The workers themselves are reaped by now: only what existed before may remain. */
	if (proc_live() != live_before)
		printk_raw("bench: error workload=proc: %u processes before, %u after", live_before,
			   proc_live());
	return proc_live() == live_before;
}

BENCH_WORKLOAD(wl_proc) = {
	.name = "proc",
	.what = "spawn/exit/wait of a child process on the same CPU",
	.setup = proc_setup,
	.work = proc_work,
	.check = proc_check,
};
