/* Workload "lock": a lock micro-benchmark (after lockhammer): one shared object, a critical section, think time. */
#include "bench.h"
#include <locklab/bootparam.h>
#include <locklab/console.h>
#include <locklab/errno.h>
#include <locklab/klock.h>
#include <locklab/sched.h>

/*
 * Every op enters the three scopes on one object, as subsystem code does,
 * spends cs_ns inside and think_ns outside. Whatever the strategy, exactly
 * one real lock is taken per op, so lockstat's acquisitions of that class
 * must equal the ops counted: the exactness check of the harness.
 */
static struct {
	struct klock lock;
	u32 inside;  /* guarded by lock: workers in the critical section (must be 0 or 1) */
	u64 counter; /* guarded by lock: one increment per op */
} obj;

/*
 * Lock workers per CPU. With one, a waiter that sleeps leaves its CPU
 * idle. With more, the CPU runs another worker meanwhile - but that one
 * wants the same lock, so the lock stays the limit (docs/experiments.md,
 * make bench-wait).
 */
static u64 lock_tasks = 1;
BOOTPARAM_UINT(lock_tasks, "lock_tasks", 1, BENCH_MAX_WORKERS,
	       "lock workers per CPU in the lock workload (default 1)");

/*
 * A filler process per CPU: other work that needs no lock, done in chunks
 * of FILLER_CHUNK_NS, yielding after each. It runs only when no lock
 * worker of its CPU can: the time a waiter sleeps (or, spinning, the
 * moment a tick takes its CPU). Its chunks are counted apart from the ops
 * (bench-filler: record): the work a blocking lock lets the CPU do.
 */
#define FILLER_CHUNK_NS 10000
static bool lock_filler;
BOOTPARAM_FLAG(
	lock_filler, "lock_filler",
	"lock workload: a process per CPU doing lock-free work whenever no lock worker can run");

/*
 * Think time drawn uniformly from 0..2*think_ns (same mean) instead of
 * fixed. With fixed times two workers fall into step - one thinks exactly
 * while the other holds the lock - and never wait: real programs do not
 * keep such time, and the way of waiting could not matter.
 */
static bool lock_think_random;
BOOTPARAM_FLAG(lock_think_random, "lock_think_random",
	       "lock workload: think time uniform in 0..2*think instead of fixed (same mean)");

static long lock_setup(struct bench_run *r)
{
	if (r->cpus * lock_tasks > BENCH_MAX_WORKERS) {
		printk_raw(
			"bench: error workload=lock: lock_tasks=%llu workers on each of %u CPUs is more than the "
			"harness's %d workers",
			(unsigned long long)lock_tasks, r->cpus, BENCH_MAX_WORKERS);
		return -EINVAL;
	}
	/* The harness placed worker i on CPU i % cpus: the extra workers share the CPUs in turn. */
	r->nworkers = r->cpus * (u32)lock_tasks;
	if (lock_filler && r->nworkers + r->cpus <= BENCH_MAX_WORKERS) {
		/* Passive: met at the barriers, but their chunks are not ops (acquisitions = ops still holds). */
		for (u32 i = 0; i < r->cpus; i++)
			r->workers[r->nworkers + i].active = false;
		r->nworkers += r->cpus;
	} else if (lock_filler) {
		printk_raw(
			"bench: error workload=lock: no room for a filler per CPU beside %u lock workers",
			r->nworkers);
		return -EINVAL;
	}
	klock_init(&obj.lock, "bench_lock", SUBSYS_IPC);
	obj.inside = 0;
	obj.counter = 0;
	return 0;
}

static void filler_work(struct bench_worker *w)
{
	while (bench_running(w)) {
		bench_spin_ns(FILLER_CHUNK_NS);
		w->ops++;
		yield(); /* a lock worker of this CPU that can run goes first */
	}
}

static void lock_work(struct bench_worker *w)
{
	u64 cs = w->run->cs_ns, think = w->run->think_ns;

	if (!w->active) {
		filler_work(w);
		return;
	}
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
		bench_spin_ns(lock_think_random && think ? bench_rand(w) % (2 * think + 1) : think);
	}
}

static bool lock_check(struct bench_run *r)
{
	u64 ops = 0, filled = 0;
	bool ran = false;

	for (u32 i = 0; i < r->nworkers; i++) {
		struct bench_worker *w = &r->workers[i];

		ops += w->active ? w->ops : 0;
		filled += w->active ? 0 : w->ops_end - w->ops_start;
		ran |= w->pid > 0;
	}
	if (lock_filler && ran)
		printk_raw("bench-filler: workload=lock cpus=%u repeat=%u chunks=%llu chunk_ns=%u",
			   r->cpus, r->repeat, (unsigned long long)filled, FILLER_CHUNK_NS);
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
