/* ktest suite "mutex": blocking and adaptive mutexes exclude under torture; waits reach lockstat and the task account. */
#include <locklab/console.h>
#include <locklab/ktest.h>
#include <locklab/lockstat.h>
#include <locklab/mutex.h>
#include <locklab/percpu.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/time.h>
#include <asm/atomic.h>

#define MUTEX_TORTURE_MS 300
#define TASKS_PER_CPU	 2

static struct mutex mtx;
static struct task *mtx_inside; /* guarded by mtx: who is in the critical section */
static u64 mtx_counter;		/* guarded by mtx */
static u64 mtx_end;
static u64 mtx_fail; /* atomic */

struct mutex_role {
	u64 ops;
};

static void mutex_hammer(void *arg)
{
	struct mutex_role *r = arg;
	u64 bad = 0;

	while (time_counter() < mtx_end) {
		mutex_lock(&mtx);
		if (*(struct task *volatile *)&mtx_inside != NULL)
			bad++;
		*(struct task *volatile *)&mtx_inside = current_task();
		u64 v = *(volatile u64 *)&mtx_counter;
		/* Every few rounds give the CPU away while holding it: waiters must sleep or spin. */
		if ((r->ops & 7) == 0)
			yield();
		else
			cpu_relax();
		*(volatile u64 *)&mtx_counter = v + 1;
		if (*(struct task *volatile *)&mtx_inside != current_task())
			bad++;
		*(struct task *volatile *)&mtx_inside = NULL;
		mutex_unlock(&mtx);
		r->ops++;
	}
	__atomic_fetch_add(&mtx_fail, bad, __ATOMIC_RELAXED);
}

static void run_mutex_torture(struct ktest *t, bool adaptive)
{
	struct mutex_role roles[CONFIG_NR_CPUS * TASKS_PER_CPU] = { { 0 } };
	struct task *tasks[CONFIG_NR_CPUS * TASKS_PER_CPU];
	u32 n = 0;
	u64 total = 0, min = ~0UL, max = 0;

	mutex_init(&mtx, adaptive ? "mutex_adaptive" : "mutex_block", adaptive);
	mtx_inside = NULL;
	mtx_counter = 0;
	mtx_fail = 0;
	mtx_end = time_counter() + (u64)MUTEX_TORTURE_MS * time_freq() / 1000;
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++)
		for (u32 k = 0; cpu_is_online(c) && k < TASKS_PER_CPU; k++, n++) {
			tasks[n] = task_create("mutex", mutex_hammer, &roles[n], (int)c);
			KT_ASSERT(t, tasks[n]);
		}
	for (u32 i = 0; i < n; i++)
		task_join(tasks[i]);
	for (u32 i = 0; i < n; i++) {
		total += roles[i].ops;
		min = MIN(min, roles[i].ops);
		max = MAX(max, roles[i].ops);
	}
	printk_raw(
		"torture: alg=mutex strategy=none lock_wait=%s cpus=%u total=%llu max=%llu min=%llu fail=%llu",
		adaptive ? "adaptive" : "block", cpus_online(), (unsigned long long)total,
		(unsigned long long)max, (unsigned long long)min,
		(unsigned long long)(mtx_fail + (total - mtx_counter)));
	KT_EXPECT_EQ(t, mtx_fail, 0);
	KT_EXPECT_EQ(t, mtx_counter, total); /* no lost update: never two holders */
	KT_EXPECT_GE(t, min, 1);	     /* every task got in */
	KT_EXPECT(t, !mutex_held_by_me(&mtx) && mtx.owner == NULL);
}

static void mutex_blocking_excludes(struct ktest *t)
{
	run_mutex_torture(t, false);
}

static void mutex_adaptive_excludes(struct ktest *t)
{
	run_mutex_torture(t, true);
}

/*
 * A contended mutex wait shows up in lockstat (one contention, its wait
 * time) and in the waiter's run-time account (the same wait, one sleep).
 * The holder lets go only once the waiter is on the wait queue, so the
 * contention is certain whatever the host's timing.
 */
#define ACCT_HOLD_US 10000
static struct mutex acct_mutex;
static bool acct_holding; /* atomic */

static void hold_until_waited_for(void *arg)
{
	(void)arg;
	mutex_lock(&acct_mutex);
	atomic_store_release(&acct_holding, true);
	while (!atomic_load_acquire(&acct_mutex.wq.head))
		yield();
	time_delay_us(ACCT_HOLD_US); /* the waiter is asleep all along */
	mutex_unlock(&acct_mutex);
}

static void mutex_wait_is_counted_and_accounted(struct ktest *t)
{
	struct task *me = current_task(), *h;
	u64 sleeps = me->lock_sleeps, waited = me->lock_wait_cycles;
	u32 cpu = ktest_other_cpu();
	struct lockstat_sum s;

	if (cpu == CONFIG_NR_CPUS)
		cpu = smp_processor_id(); /* it runs while we sleep */
	mutex_init(&acct_mutex, "mutex_test_acct", false);
	acct_holding = false;
	lockstat_reset();
	h = task_create("holder", hold_until_waited_for, NULL, (int)cpu);
	KT_ASSERT(t, h);
	while (!atomic_load_acquire(&acct_holding))
		yield();
	mutex_lock(&acct_mutex);
	mutex_unlock(&acct_mutex);
	task_join(h);
	waited = me->lock_wait_cycles - waited;
	KT_EXPECT_EQ(t, me->lock_sleeps - sleeps, 1);
	KT_EXPECT_GE(t, time_counter_to_ns(waited), ACCT_HOLD_US * 1000ULL);
	if (!LOCKSTAT_ENABLED)
		return;
	KT_ASSERT(t, lockstat_get("mutex_test_acct", &s));
	KT_EXPECT_EQ(t, s.acquisitions, 2);
	KT_EXPECT_EQ(t, s.contentions, 1);
	/* lockstat saw the wait too; the account may also hold a short spin on a run queue lock. */
	KT_EXPECT_GE(t, s.wait_total, ACCT_HOLD_US * time_freq() / 1000000);
	KT_EXPECT_LE(t, s.wait_total, waited);
	if (LOCKSTAT_HOLD_TIMED)
		KT_EXPECT_GE(t, s.hold_max, ACCT_HOLD_US * time_freq() / 1000000);
	else
		KT_EXPECT_EQ(t, s.hold_max, 0); /* hold times not built in */
}

static const struct ktest_case mutex_cases[] = {
	KTEST_CASE(mutex_blocking_excludes),
	KTEST_CASE(mutex_adaptive_excludes),
	KTEST_CASE(mutex_wait_is_counted_and_accounted),
};
KTEST_SUITE(mutex, mutex_cases);
