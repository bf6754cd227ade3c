/* Workload "lock": a lock micro-benchmark (after lockhammer): one shared object, a critical section, think time. */
#include "bench.h"
#include <locklab/klock.h>

/*
 * Every op enters the three scopes on one object, as subsystem code does,
 * spends cs_ns inside and think_ns outside. Whatever the strategy, exactly
 * one real lock is taken per op, so lockstat's acquisitions of that class
 * must equal the ops counted: the exactness check of the harness.
 */
static struct {
	struct klock lock;
	u32 inside;   /* guarded by lock: workers in the critical section (must be 0 or 1) */
	u64 counter;  /* guarded by lock: one increment per op */
} obj;

static long lock_setup(struct bench_run *r)
{
	(void)r;
	klock_init(&obj.lock, "bench_lock", SUBSYS_IPC);
	obj.inside = 0;
	obj.counter = 0;
	return 0;
}

static void lock_work(struct bench_worker *w)
{
	u64 cs = w->run->cs_ns, think = w->run->think_ns;

	while (bench_running(w)) {
		kernel_enter();
		subsys_enter(SUBSYS_IPC);
		klock_lock(&obj.lock);
		w->bad += *(volatile u32 *)&obj.inside != 0;
		*(volatile u32 *)&obj.inside = 1;
		bench_spin_ns(cs);
		*(volatile u64 *)&obj.counter += 1;
		*(volatile u32 *)&obj.inside = 0;
		klock_unlock(&obj.lock);
		subsys_exit(SUBSYS_IPC);
		kernel_exit();
		w->ops++;
		bench_spin_ns(think);
	}
}

static bool lock_check(struct bench_run *r)
{
	u64 ops = 0;

	for (u32 i = 0; i < r->nworkers; i++)
		ops += r->workers[i].ops;
	return obj.counter == ops; /* no update lost: never two holders */
}

static const char *lock_exact(struct bench_run *r)
{
	(void)r;
	return klock_real_class(&obj.lock);
}

BENCH_WORKLOAD(wl_lock) = {
	.name = "lock",
	.what = "one shared lock: cs_ns inside, think_ns outside (lockhammer-style)",
	.setup = lock_setup,
	.work = lock_work,
	.check = lock_check,
	.exact_class = lock_exact,
};
