/* Workload "ceiling": pure computation on every CPU, no locks, no calls into the kernel: the most this machine can scale. */
#include "bench.h"
#include <locklab/console.h>

/*
 * Each op is CEILING_OP_NS of the calibrated loop that also makes think
 * time (bench_spin_ns: no memory traffic, no counter reads), so nothing is
 * shared between the workers at all. Its speedup at N CPUs is what the
 * host (or board) can show at best; a workload that beats it is measuring
 * the host, not the kernel. On QEMU it falls short of N as soon as the
 * vCPUs outnumber idle host cores.
 */
#define CEILING_OP_NS 1000

static void ceiling_work(struct bench_worker *w)
{
	while (bench_running(w)) {
		bench_spin_ns(CEILING_OP_NS);
		w->ops++;
	}
}

/* Nothing is shared, so the only way to fail is a worker that never ran while it was measured. */
static bool ceiling_check(struct bench_run *r)
{
	bool ok = true;

	for (u32 i = 0; i < r->nworkers; i++) {
		struct bench_worker *w = &r->workers[i];

		if (w->active && w->ops_end == w->ops_start) {
			printk_raw(
				"bench: error workload=ceiling: worker %u on cpu%u did no work while measured (its CPU was starved)",
				i, w->cpu);
			ok = false;
		}
	}
	return ok;
}

BENCH_WORKLOAD(wl_ceiling) = {
	.name = "ceiling",
	.what = "pure computation, no locks and no kernel calls: the machine's own scaling limit",
	.work = ceiling_work,
	.check = ceiling_check,
};
