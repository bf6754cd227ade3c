/* Workload "ratio" (named only): a call that spends cs ns inside the kernel, then think ns outside: Amdahl's law for the BKL. */
#include "bench.h"
#include <locklab/string.h>
#include <locklab/klock.h>
#include <locklab/proc.h>

/*
 * Each op is a getpid that stays cs_ns inside the kernel scope (the
 * calibrated loop, holding the BKL under BKL), then think_ns of the same
 * loop outside. The share of time inside the kernel is then set by the
 * boot options, and the BKL's speedup at N CPUs should follow
 * 1 / (f + (1 - f) / N) for that share f. make bench-ratio
 * (scripts/bench-ratio) sweeps think= and measures f at 1 CPU from the
 * BKL's hold time. Named only: "all" runs the options as booted, which
 * would make this one more copy of lock.
 */
static long seen_pid[BENCH_MAX_WORKERS];
static struct bench_mem before;

static long ratio_setup(struct bench_run *r)
{
	(void)r;
	bench_mem_snapshot(&before);
	memset(seen_pid, 0, sizeof(seen_pid));
	return 0;
}

/* The call: sys_getpid with a section of inside_ns in the kernel scope. */
static long ratio_call(u64 inside_ns)
{
	long pid;

	kernel_enter();
	pid = current_proc()->pid;
	bench_spin_ns(inside_ns);
	kernel_exit();
	return pid;
}

static void ratio_work(struct bench_worker *w)
{
	u64 inside = w->run->cs_ns, think = w->run->think_ns;
	long mine = ratio_call(0);

	seen_pid[w->idx] = mine;
	while (bench_running(w)) {
		w->bad += ratio_call(inside) != mine;
		w->ops++;
		bench_spin_ns(think);
	}
}

static bool ratio_check(struct bench_run *r)
{
	bool pids = bench_pids_match(r, seen_pid);

	return bench_mem_unchanged(r->wl->name, &before) && pids;
}

BENCH_WORKLOAD_NAMED_ONLY(wl_ratio) = {
	.name = "ratio",
	.what = "a getpid that stays cs ns in the kernel, then think ns outside (make bench-ratio sweeps think)",
	.setup = ratio_setup,
	.work = ratio_work,
	.check = ratio_check,
};
