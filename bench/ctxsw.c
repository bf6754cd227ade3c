/* The cost of a context switch, measured once per boot when asked (ctxsw=N): two tasks on one CPU hand a token back and forth. */
#include "bench.h"
#include <locklab/bootparam.h>
#include <locklab/console.h>
#include <locklab/sched.h>
#include <locklab/percpu.h>
#include <locklab/time.h>
#include <locklab/wait.h>
#include <asm/atomic.h>

/*
 * "Spin or block?" is decided by one number: what it costs to give the CPU
 * away and get it back. Spinning for a lock wastes the hold time; blocking
 * wastes the switches. make bench-wait sweeps the hold time across this
 * figure (docs/experiments.md).
 *
 * The caller (the harness, process 1) is one side of the pair and a task
 * created on its own CPU the other, so no third task shares the CPU and
 * every hand-off is exactly one switch. Two ways of handing over:
 *   wake  - the passer wakes the other task and sleeps on a wait queue
 *           (wait_event_holding, the path a blocked mutex waiter takes);
 *   yield - the passer yields and the other task, runnable all along,
 *           polls the token (a bare switch: run-queue lock and registers).
 * The counter is read twice per round only (under QEMU each read takes
 * QEMU's global lock); a round is many hand-offs, and the fastest of three
 * rounds is kept: a round the host interrupted only looks slower.
 */
static u64 ctxsw_handoffs;
BOOTPARAM_UINT(
	ctxsw_handoffs, "ctxsw", 0, 1000000,
	"measure the context-switch cost once, with this many hand-offs between two tasks on one CPU, "
	"and print a bench-ctxsw: record (0: do not)");

struct ctxsw_pair {
	u32 token;  /* atomic: whose turn it is, 0 (the caller) or 1 (the helper task) */
	u32 passes; /* hand-offs each side makes */
	bool wake;  /* hand over by wake-up and sleep, or by yield */
	struct wait_queue wq[2];
};

static struct ctxsw_pair pair;

static void ctxsw_wait_turn(struct ctxsw_pair *p, u32 me)
{
	if (p->wake)
		wait_event_holding(&p->wq[me], atomic_load_acquire(&p->token) == me);
	else
		while (atomic_load_acquire(&p->token) != me)
			yield();
}

static void ctxsw_pass(struct ctxsw_pair *p, u32 me)
{
	/* release: nothing else to publish, but keep it ordered */
	atomic_store_release(&p->token, 1 - me);
	if (p->wake)
		wake_up(&p->wq[1 - me]);
}

static void ctxsw_helper(void *arg)
{
	struct ctxsw_pair *p = arg;

	for (u32 i = 0; i < p->passes; i++) {
		ctxsw_wait_turn(p, 1);
		ctxsw_pass(p, 1);
	}
}

/* One round: returns the counter cycles of 2 * passes hand-offs, or 0 if the helper could not start. */
static u64 ctxsw_round(bool wake, u32 passes)
{
	struct ctxsw_pair *p = &pair;
	struct task *helper;
	u64 t0, t1;

	p->token = 0;
	p->passes = passes;
	p->wake = wake;
	wait_queue_init(&p->wq[0], "ctxsw_wait");
	wait_queue_init(&p->wq[1], "ctxsw_wait");
	helper = task_create("ctxsw", ctxsw_helper, p, (int)smp_processor_id());
	if (!helper)
		return 0;
	/* Our turn first: the clock starts as the first token leaves, stops when the last one is back. */
	t0 = time_counter();
	for (u32 i = 0; i < passes; i++) {
		ctxsw_pass(p, 0);
		ctxsw_wait_turn(p, 0);
	}
	t1 = time_counter();
	task_join(helper);
	return t1 - t0;
}

static u64 ctxsw_best_ns(bool wake, u32 passes)
{
	u64 best = ~0ULL;

	for (int round = 0; round < 3; round++) {
		u64 c = ctxsw_round(wake, passes);

		if (!c)
			return 0;
		best = MIN(best, c);
	}
	return time_counter_to_ns(best) / (2ULL * passes);
}

void bench_ctxsw_report(void)
{
	u32 passes = (u32)(ctxsw_handoffs + 1) / 2;
	u64 wake_ns, yield_ns;

	if (!ctxsw_handoffs)
		return;
	wake_ns = ctxsw_best_ns(true, passes);
	yield_ns = ctxsw_best_ns(false, passes);
	if (!wake_ns || !yield_ns) {
		printk_raw("bench: error: ctxsw: no free task slot for the second task");
		return;
	}
	printk_raw("bench-ctxsw: ns=%llu yield_ns=%llu handoffs=%u rounds=3 cpu=%u",
		   (unsigned long long)wake_ns, (unsigned long long)yield_ns, 2 * passes,
		   smp_processor_id());
}
