/* ktest suite "mutex": blocking and adaptive mutexes exclude under torture by tasks on every CPU. */
#include <locklab/console.h>
#include <locklab/ktest.h>
#include <locklab/mutex.h>
#include <locklab/percpu.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/time.h>

#define MUTEX_TORTURE_MS 300
#define TASKS_PER_CPU 2

static struct mutex mtx;
static struct task *mtx_inside; /* guarded by mtx: who is in the critical section */
static u64 mtx_counter;         /* guarded by mtx */
static u64 mtx_end;
static u64 mtx_fail;            /* atomic */

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
	printk_raw("torture: alg=%s strategy=none cpus=%u total=%llu max=%llu min=%llu fail=%llu",
		   adaptive ? "mutex-adaptive" : "mutex-block", cpus_online(), (unsigned long long)total,
		   (unsigned long long)max, (unsigned long long)min, (unsigned long long)(mtx_fail + (total - mtx_counter)));
	KT_EXPECT_EQ(t, mtx_fail, 0);
	KT_EXPECT_EQ(t, mtx_counter, total); /* no lost update: never two holders */
	KT_EXPECT_GE(t, min, 1);              /* every task got in */
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

static const struct ktest_case mutex_cases[] = {
	KTEST_CASE(mutex_blocking_excludes),
	KTEST_CASE(mutex_adaptive_excludes),
};
KTEST_SUITE(mutex, "mutex", mutex_cases);
